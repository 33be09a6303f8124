//! Benchmarks: every organisme's yearly figure within the viewer's scope, quartiles and
//! ranking for federation staff, and for an organisme its position among anonymised peers.

use qualitrack::domain::Role;
use qualitrack::domain::indicators::Period;
use qualitrack::models::history::Actor;
use qualitrack::models::indicator::{NewValue, write_values};

use crate::helpers::TestApp;
use crate::indicators::{Setup, setup};

/// Twelve monthly values of the call answer rate whose yearly figure is `rate`.
fn year_of(app: &TestApp, org: &str, rate: f64) {
    let org = org.to_owned();
    app.with_db(move |conn| {
        let values: Vec<NewValue> = (1..=12)
            .map(|m| NewValue {
                site_id: None,
                indicator_code: "taux-decroche".into(),
                period: Period::Month(2025, m),
                value: rate,
                numerator: Some(rate * 10.0),
                denominator: Some(1000.0),
                source: String::new(),
            })
            .collect();
        write_values(
            conn,
            &Actor::system("test"),
            &org,
            "test",
            &values,
            &mut |_| {},
        )?;
        Ok(())
    });
}

#[test]
fn federation_staff_compare_organismes_and_an_organisme_sees_its_position() {
    let Setup { app, org, manager } = setup();
    year_of(&app, &org, 80.0);
    for (n, rate, region) in [
        (61, 60.0, "11"),
        (62, 70.0, "11"),
        (63, 90.0, "11"),
        (64, 95.0, "11"),
        (65, 50.0, "84"),
    ] {
        let other = app.create_organisation(&format!("Habitat {n}"), n, region);
        year_of(&app, &other, rate);
    }
    let national = app.login_as(Role::Federation, None, None);
    let page = national.get("/federation/indicateurs?indicateur=taux-decroche&annee=2025");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Répartition sur 6 organisme(s)"));
    // Sorted: 50 60 70 80 90 95; the median lies between 70 and 80.
    assert!(
        page.body.contains("<td class=\"num\">75,0\u{a0}%</td>"),
        "{}",
        page.body
    );
    let first = page.body.find("Habitat 64").unwrap();
    assert!(
        first < page.body.find("Habitat Mesuré").unwrap(),
        "best first"
    );
    assert!(
        page.body
            .contains("aria-label=\"Taux de décroché : nombre d’organismes par tranche\"")
    );
    let family =
        national.get("/federation/indicateurs?indicateur=taux-decroche&annee=2025&region=84");
    assert!(family.body.contains("Répartition sur 1 organisme(s)"));

    let regional = app.login_as(Role::Federation, None, Some("11"));
    let mine = regional.get("/federation/indicateurs?indicateur=taux-decroche");
    assert!(
        mine.body.contains("Répartition sur 5 organisme(s)"),
        "the latest year by default, the region only"
    );
    assert!(!mine.body.contains("Habitat 65"));
    // Beside the region's figures, the country's (quartiles only, no names).
    assert!(
        mine.body
            .contains("<th scope=\"row\">Île-de-France</th><td class=\"num\">5</td>"),
        "{}",
        mine.body
    );
    assert!(
        mine.body
            .contains("<th scope=\"row\">France entière</th><td class=\"num\">6</td>"),
        "{}",
        mine.body
    );
    assert!(
        !page.body.contains("France entière"),
        "the whole country has no second row"
    );

    // The page opens on the indicator the most organismes follow, not the first by name.
    let opened = national.get("/federation/indicateurs");
    assert!(
        opened.body.contains(
            "<option value=\"taux-decroche\" selected>Taux de décroché (6 organismes)</option>"
        ),
        "{}",
        opened.body
    );
    assert!(opened.body.contains("(aucun organisme)</option>"));

    // The organisme sees where it stands, without the others' names.
    let own = manager.get(&format!("/organismes/{org}/indicateurs/taux-decroche"));
    assert!(
        own.body
            .contains("En 2025, 80,0\u{a0}% : mieux que 60 % des 5 autres organismes"),
        "{}",
        own.body
    );
    assert!(!own.body.contains("Habitat 64"));
    assert_eq!(manager.get("/federation/indicateurs").status, 403);
    let token = manager.create_api_token("Position");
    let (status, answer) = app.api_call(
        "GET",
        &format!("/api/v1/indicators/taux-decroche/benchmark?organisation={org}"),
        Some(&token),
        None,
    );
    assert_eq!(status, 200);
    assert!(answer["benchmark"].is_null(), "no names for an organisme");
    assert_eq!(answer["position"]["better_than"], 60.0);
    let federal = national.create_api_token("Fédération");
    let (_, all) = app.api_call(
        "GET",
        "/api/v1/indicators/taux-decroche/benchmark?year=2025",
        Some(&federal),
        None,
    );
    assert_eq!(all["benchmark"]["summary"]["count"], 6);
    assert_eq!(all["benchmark"]["entries"][0]["name"], "Habitat 64");
}
