//! Every main page, as each role sees it on the demo, is valid HTML for the Nu Html Checker
//! (`vnu.jar`, installed from npm by `html-check/package.json`; Java runs it). Without the
//! checker the test says so and passes, unless `QUALITRACK_HTML_CHECK=required` (CI).

use std::path::PathBuf;
use std::process::Command;

use crate::browser::{Demo, demo};

fn checker() -> Option<PathBuf> {
    let jar = std::env::var("QUALITRACK_VNU_JAR").map_or_else(
        |_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("html-check/node_modules/vnu-jar/build/dist/vnu.jar")
        },
        PathBuf::from,
    );
    let java = Command::new("java").arg("-version").output().is_ok();
    if jar.exists() && java {
        return Some(jar);
    }
    let required = std::env::var("QUALITRACK_HTML_CHECK").is_ok_and(|v| v == "required");
    assert!(
        !required,
        "QUALITRACK_HTML_CHECK=required but {} or java is missing (npm ci --prefix html-check)",
        jar.display()
    );
    eprintln!("SKIPPED: no Nu Html Checker (npm ci --prefix html-check, and Java)");
    None
}

/// The pages each person of the demo reads first, with the ids of the demo filled in.
fn pages_by_role(demo: &Demo) -> Vec<(String, Vec<String>)> {
    let fill = |list: &[&str]| list.iter().map(|p| demo.fill(p)).collect::<Vec<_>>();
    vec![
        (
            "admin@qualitrack.test".to_owned(),
            fill(&[
                "/",
                "/organismes",
                "/organismes/nouveau",
                "/organismes/{org}/modifier",
                "/organismes/{org}/historique",
                "/referentiels/importer",
                "/admin/utilisateurs",
                "/admin/utilisateurs/nouveau",
                "/admin/historique",
                "/admin/historique?du=hier&type=site",
                "/admin/parametres",
                "/compte/second-facteur",
                "/federation",
                "/federation/indicateurs",
                "/federation/renouvellements",
                "/calendrier?vue=mois",
            ]),
        ),
        (
            demo.quality_manager.clone(),
            fill(&[
                "/",
                "/organismes/{org}",
                "/organismes/{org}/sites/nouveau",
                "/sites/{site}",
                "/organismes/{org}/engagements/nouveau",
                "/engagements/{commitment}",
                "/engagements/{commitment}/audits/nouveau",
                "/audits/{planned}",
                "/audits/{planned}/constats",
                "/audits/{planned}/autoevaluation",
                "/audits/{planned}/comparaison",
                "/organismes/{org}/preuves",
                "/preuves/{evidence}",
                "/organismes/{org}/actions",
                "/organismes/{org}/actions/nouvelle",
                "/actions/{action}",
                "/organismes/{org}/indicateurs",
                "/organismes/{org}/indicateurs/{indicator}",
                "/organismes/{org}/indicateurs/saisie",
                "/organismes/{org}/indicateurs/import",
                "/organismes/{org}/indicateurs/propres/nouveau",
                "/organismes/{org}/enquetes",
                "/enquetes/{survey}",
                "/referentiels",
                "/referentiels/{framework}",
                "/calendrier",
                "/compte",
                "/compte/mot-de-passe",
                "/compte/second-facteur",
            ]),
        ),
        (
            demo.auditor.clone(),
            fill(&[
                "/",
                "/audits/{onsite}",
                "/audits/{onsite}/constats",
                "/audits/{onsite}/constats?filtre=nc",
                "/audits/{onsite}/soumettre",
                "/audits/{onsite}/comparaison",
            ]),
        ),
        (
            demo.observer.clone(),
            fill(&[
                "/organismes/{org}/vue-publique",
                "/organismes/{org}",
                "/organismes/{org}/indicateurs",
                "/audits/{planned}",
            ]),
        ),
        (
            "federation@qualitrack.test".to_owned(),
            fill(&[
                "/",
                "/organismes",
                "/organismes?framework=qualibail-iv&standing=holds",
                "/federation/indicateurs",
            ]),
        ),
    ]
}

#[test]
fn every_main_page_of_every_role_is_valid_html() {
    let Some(jar) = checker() else {
        return;
    };
    let demo = demo();
    let folder = tempfile::tempdir().expect("a folder for the pages");
    let mut files = Vec::new();
    let signed_out = demo.app.client();
    for (n, path) in ["/connexion", "/accessibilite"].iter().enumerate() {
        let file = folder.path().join(format!("public-{n}.html"));
        std::fs::write(&file, signed_out.get(path).body).unwrap();
        files.push((file, format!("(signed out) {path}")));
    }
    for (who, pages) in pages_by_role(&demo) {
        let client = demo.app.client();
        let first = client.login(&who, &demo.password);
        assert_eq!(first.status, 303, "{who}");
        client.past_second_step(&who, first);
        for (n, path) in pages.iter().enumerate() {
            let page = client.get(path);
            assert_eq!(page.status, 200, "{who} {path}");
            let file = folder
                .path()
                .join(format!("{}-{n}.html", who.split('@').next().unwrap()));
            std::fs::write(&file, &page.body).unwrap();
            files.push((file, format!("({who}) {path}")));
        }
    }
    assert_valid(&jar, &files);
}

/// Runs the checker on the pages written to `files` (each with the label that names it).
fn assert_valid(jar: &std::path::Path, files: &[(PathBuf, String)]) {
    let run = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(files.iter().map(|(f, _)| f))
        .output()
        .expect("java runs the checker");
    let report =
        String::from_utf8_lossy(&run.stderr).into_owned() + &String::from_utf8_lossy(&run.stdout);
    // Name each page by its address rather than its temporary file.
    let mut named = report.clone();
    for (file, label) in files {
        named = named.replace(&format!("file:{}", file.display()), label);
    }
    assert!(
        run.status.success() && !named.contains("error"),
        "the Nu Html Checker found errors:\n{named}"
    );
}

/// Checks pages given as (label, HTML), when the checker is installed.
pub(crate) fn check_pages(pages: &[(&str, String)]) {
    let Some(jar) = checker() else {
        return;
    };
    let folder = tempfile::tempdir().expect("a folder for the pages");
    let files: Vec<(PathBuf, String)> = pages
        .iter()
        .enumerate()
        .map(|(n, (label, html))| {
            let file = folder.path().join(format!("page-{n}.html"));
            std::fs::write(&file, html).unwrap();
            (file, (*label).to_owned())
        })
        .collect();
    assert_valid(&jar, &files);
}
