//! The settings screen: the deployment's configuration as an administrator reads it (never
//! a secret), and a test e-mail through the configured SMTP server, answered as it went.

use qualitrack::domain::Role;

use crate::helpers::{spawn_app, spawn_app_with, test_database};
use crate::smtp_sink::SmtpSink;

#[test]
fn an_administrator_reads_the_settings_and_checks_the_mail_with_a_test_email() {
    let sink = SmtpSink::start();
    let port = sink.port;
    let app = spawn_app_with(test_database(), move |settings| {
        settings.smtp.host = Some("127.0.0.1".into());
        settings.smtp.port = Some(port);
        settings.smtp.security = "none".into();
        settings.smtp.from = Some("qualitrack <qualite@exemple.fr>".into());
        settings.smtp.password = Some("tres-secret-smtp".into());
        settings.upload_limit_mb = 12;
        settings.accessibility_contact = Some("accessibilite@exemple.fr".into());
    });
    let admin = app.admin();
    let page = admin.get("/admin/parametres");
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("Taille maximale d’un fichier de preuve (Mo)"));
    assert!(body.contains("<code>12</code>"));
    assert!(body.contains("accessibilite@exemple.fr"));
    assert!(body.contains("<code>127.0.0.1</code>"));
    assert!(
        !body.contains("tres-secret-smtp"),
        "a secret is never shown"
    );
    assert!(body.contains("Mot de passe SMTP</th><td>défini"));

    let sent = admin.post_form("/admin/parametres/courriel-test", &[]);
    assert_eq!(sent.status, 303);
    let told = admin.get("/admin/parametres");
    assert!(
        told.body.contains("Courriel d’essai envoyé à"),
        "{}",
        told.body
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .1
            .contains("qualitrack peut envoyer des courriels")
    );

    let federation = app.login_as(Role::Federation, None, None);
    assert_eq!(federation.get("/admin/parametres").status, 403);
    assert_eq!(
        federation
            .post_form("/admin/parametres/courriel-test", &[])
            .status,
        403
    );
    assert_eq!(sink.messages().len(), 1, "nothing more was sent");
}

#[test]
fn a_test_email_that_cannot_leave_says_why_and_none_is_offered_without_a_server() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = spawn_app_with(test_database(), move |settings| {
        settings.smtp.host = Some("127.0.0.1".into());
        settings.smtp.port = Some(port);
        settings.smtp.security = "none".into();
        settings.smtp.from = Some("qualitrack <qualite@exemple.fr>".into());
    });
    let admin = app.admin();
    assert_eq!(
        admin
            .post_form("/admin/parametres/courriel-test", &[])
            .status,
        303
    );
    let told = admin.get("/admin/parametres");
    assert!(told.body.contains("Le courriel d’essai n’a pas pu partir"));

    let without = spawn_app();
    let page = without.admin().get("/admin/parametres");
    assert!(page.body.contains("Aucun serveur SMTP n’est réglé"));
    assert!(!page.body.contains("courriel-test"));
}
