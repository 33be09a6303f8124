//! Tenant satisfaction surveys of an organisme: its waves, a new wave, a wave's results per
//! theme (entered on a form or imported from CSV, for the organisme and per site), compared
//! with the wave before when both use the same scale.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tera::Context;

use super::indicators::readable;
use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::dates::parse_date;
use crate::domain::indicators::parse_number;
use crate::domain::policy;
use crate::domain::survey::{Scale, Theme, parse_results};
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::AppError;
use crate::i18n;
use crate::models::site;
use crate::models::survey::{self, NewResult, NewWave};
use crate::reports::charts::{Chart, bars_svg};
use crate::services::evidence::keep;
use crate::services::surveys;
use crate::web::files::receive;
use crate::web::page::{Again, Ctx, see_other};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WaveForm {
    title: String,
    scale: String,
    fieldwork_end: String,
    respondents: String,
    provider: String,
}

fn list_page(conn: &mut DbConnection, user: &CurrentUser, id: &str) -> Result<Context, AppError> {
    let organisation = readable(conn, user, id)?;
    let mut page = Context::new();
    page.insert("waves", &survey::waves_for(conn, &organisation.id)?);
    page.insert(
        "can_edit",
        &policy::may_edit_organisation(user, &organisation.id),
    );
    page.insert(
        "scales",
        &Scale::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_key()))
            .collect::<Vec<_>>(),
    );
    page.insert("organisation", &organisation);
    Ok(page)
}

pub async fn list_waves(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| list_page(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    page.insert(
        "form",
        &WaveForm {
            scale: "score10".into(),
            ..WaveForm::default()
        },
    );
    ctx.render("surveys/list.html", &page)
}

fn new_wave(form: &WaveForm) -> Result<NewWave, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = errors.check("title", BoundedText::required(&form.title, 200));
    let scale = errors.check("scale", Scale::parse(&form.scale));
    let fieldwork_end = errors.check("fieldwork_end", parse_date(&form.fieldwork_end));
    let respondents = match form.respondents.trim() {
        "" => None,
        raw => errors.check(
            "respondents",
            raw.parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| Invalid::new("err-number").arg("value", raw)),
        ),
    };
    let provider = errors.check("provider", BoundedText::optional(&form.provider, 200));
    errors.into_result()?;
    Ok(NewWave {
        title: title.map(BoundedText::into_inner).unwrap_or_default(),
        scale: scale.unwrap_or(Scale::Score10),
        fieldwork_end: fieldwork_end.unwrap_or_default(),
        respondents,
        provider: provider.map(BoundedText::into_inner).unwrap_or_default(),
    })
}

pub async fn create_wave(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<WaveForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let (lookup, submitted) = (id.clone(), form.clone());
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            let organisation = surveys::surveyed(conn, user, &id)?;
            let wave = new_wave(&form)?;
            surveys::create_wave(conn, user, &organisation, &wave)
        })
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |wave| {
            ctx.flash(FlashKind::Success, "flash-wave-created");
            Ok(see_other(&format!("/enquetes/{}", wave.id)))
        },
        |error| async move {
            let (_, data) = ctx
                .user_run(move |conn, user| list_page(conn, user, &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            page.extend(data);
            page.insert("form", &submitted);
            ctx.form_again(&mut page, &user, "surveys/list.html", &error)
        },
    )
    .await
}

/// One theme of a wave: the organisme's result, the one before, and the change.
#[derive(Debug, Serialize)]
struct ThemeRow {
    theme: &'static str,
    label_key: String,
    value: Option<f64>,
    respondents: Option<i32>,
    previous: Option<f64>,
    change: Option<f64>,
    /// Per site, in the order of `sites`
    sites: Vec<Option<f64>>,
}

fn wave_page(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    lang: i18n::Lang,
) -> Result<Context, AppError> {
    let (wave, organisation) = survey::find(conn, &user.scope(), id)?;
    let results = survey::results(conn, &wave.id)?;
    let previous = survey::previous(conn, &wave)?.filter(|p| p.scale == wave.scale);
    let before = match &previous {
        Some(p) => survey::results(conn, &p.id)?,
        None => Vec::new(),
    };
    let all_sites = site::list_for(conn, &organisation.id)?;
    let sites: Vec<(String, String)> = all_sites
        .into_iter()
        .filter(|s| {
            results
                .iter()
                .any(|r| r.site_id.as_deref() == Some(s.id.as_str()))
        })
        .map(|s| (s.id, s.name))
        .collect();
    let of = |list: &[survey::SurveyResult], theme: Theme, site: Option<&str>| {
        list.iter()
            .find(|r| r.theme == theme.as_str() && r.site_id.as_deref() == site)
            .cloned()
    };
    let rows: Vec<ThemeRow> = Theme::ALL
        .iter()
        .map(|theme| {
            let own = of(&results, *theme, None);
            let value = own.as_ref().map(|r| r.value);
            let previous = of(&before, *theme, None).map(|r| r.value);
            ThemeRow {
                theme: theme.as_str(),
                label_key: theme.label_key(),
                respondents: own.and_then(|r| r.respondents),
                change: value.zip(previous).map(|(v, p)| v - p),
                value,
                previous,
                sites: sites
                    .iter()
                    .map(|(s, _)| of(&results, *theme, Some(s)).map(|r| r.value))
                    .collect(),
            }
        })
        .collect();
    let scale = Scale::parse(&wave.scale).unwrap_or(Scale::Score10);
    let chart = Chart {
        title: i18n::t_args(lang, "survey-chart-title", &[("title", wave.title.clone())]),
        points: rows
            .iter()
            .filter_map(|r| r.value.map(|v| (i18n::t(lang, &r.label_key), v)))
            .collect(),
        target: None,
        range: Some(match scale {
            Scale::Score10 => (0.0, 10.0),
            Scale::FourPoint => (1.0, 4.0),
            Scale::Percent => (0.0, 100.0),
        }),
        suffix: String::new(),
    };
    let mut page = Context::new();
    page.insert("chart_svg", &bars_svg(&chart));
    page.insert("rows", &rows);
    page.insert("sites", &sites);
    page.insert("previous", &previous);
    page.insert("unit", scale.unit());
    page.insert(
        "can_edit",
        &policy::may_edit_organisation(user, &organisation.id),
    );
    page.insert("wave", &wave);
    page.insert("organisation", &organisation);
    Ok(page)
}

async fn render_wave(
    ctx: &Ctx,
    id: String,
    error: Option<&AppError>,
) -> Result<HttpResponse, AppError> {
    let lang = ctx.lang(None);
    let (user, data) = ctx
        .user_run(move |conn, user| wave_page(conn, user, &id, lang))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    let status = match error {
        Some(error) => {
            ctx.with_errors(&mut page, Some(&user), error);
            error.info().status
        }
        None => StatusCode::OK,
    };
    ctx.render_status(status, "surveys/show.html", &page)
}

pub async fn show_wave(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    render_wave(&ctx, parse_id(&path.into_inner())?, None).await
}

/// The organisme's results typed on the wave's page: `t:<theme>` and `r:<theme>`.
pub async fn save_results(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let fields = form.into_inner();
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (wave, _) = surveys::writable(conn, user, &id)?;
            let scale = Scale::parse(&wave.scale).unwrap_or(Scale::Score10);
            let field = |name: String| {
                fields
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or("", |(_, v)| v.trim())
            };
            let mut errors = FieldErrors::new();
            let mut new = Vec::new();
            for theme in Theme::ALL {
                let raw = field(format!("t:{}", theme.as_str()));
                if raw.is_empty() {
                    continue;
                }
                let name = format!("t:{}", theme.as_str());
                let value = errors.check(&name, parse_number(raw).and_then(|v| scale.check(v)));
                let respondents = match field(format!("r:{}", theme.as_str())) {
                    "" => None,
                    raw => errors.check(
                        &format!("r:{}", theme.as_str()),
                        raw.parse::<i32>()
                            .map_err(|_| Invalid::new("err-number").arg("value", raw)),
                    ),
                };
                if let Some(value) = value {
                    new.push(NewResult {
                        theme: *theme,
                        site_id: None,
                        value,
                        respondents,
                    });
                }
            }
            errors.into_result()?;
            surveys::write_results(conn, user, &wave, &new)
        })
        .await?;
    let lookup_done = lookup.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |_| {
            ctx.flash(FlashKind::Success, "flash-results-saved");
            Ok(see_other(&format!("/enquetes/{lookup_done}")))
        },
        |error| async move { render_wave(ctx, lookup, Some(&error)).await },
    )
    .await
}

/// Results imported from a CSV file (`theme;site;valeur;repondants`): all or nothing.
pub async fn import_results(
    ctx: Ctx,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let check = id.clone();
    ctx.user_run(move |conn, user| surveys::writable(conn, user, &check).map(|_| ()))
        .await?;
    let upload = match receive(&ctx.state, payload, ctx.pending_csrf().as_ref()).await {
        Ok(upload) if upload.files.len() == 1 => upload,
        // One file of results at a time: which one was meant cannot be guessed.
        Ok(upload) => {
            for (_, path) in &upload.files {
                let _ = std::fs::remove_file(path);
            }
            let error = FieldErrors::single("files", Invalid::new("err-one-file")).into();
            return render_wave(&ctx, id, Some(&error)).await;
        }
        Err(error @ AppError::Validation(_)) => return render_wave(&ctx, id, Some(&error)).await,
        Err(other) => return Err(other),
    };
    keep(ctx.state.storage.as_ref(), &upload)?;
    let file = &upload.files[0].0;
    let bytes = ctx
        .state
        .storage
        .read(&file.sha256)
        .map_err(AppError::unexpected)?;
    let lang = ctx.lang(None);
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (wave, organisation) = surveys::writable(conn, user, &id)?;
            let scale = Scale::parse(&wave.scale).unwrap_or(Scale::Score10);
            let sites = site::list_for(conn, &organisation.id)?;
            let line_error = |line: usize, invalid: &Invalid| {
                Invalid::new("err-import-line")
                    .arg("line", line)
                    .arg("reason", i18n::invalid(lang, invalid))
            };
            let lines = parse_results(&bytes, scale).map_err(|errors| {
                let mut fields = FieldErrors::new();
                for (i, (line, invalid)) in errors.iter().enumerate() {
                    fields.add(&format!("files{i}"), line_error(*line, invalid));
                }
                fields
            })?;
            let mut fields = FieldErrors::new();
            let mut new = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                let site_id = if line.site.is_empty() {
                    None
                } else {
                    let wanted = deunicode::deunicode(&line.site).to_lowercase();
                    let Some(found) = sites
                        .iter()
                        .find(|s| deunicode::deunicode(&s.name).to_lowercase() == wanted)
                    else {
                        let invalid = Invalid::new("err-unknown-site").arg("value", &line.site);
                        fields.add(&format!("files{i}"), line_error(line.line, &invalid));
                        continue;
                    };
                    Some(found.id.clone())
                };
                new.push(NewResult {
                    theme: line.theme,
                    site_id,
                    value: line.value,
                    respondents: line.respondents,
                });
            }
            fields.into_result()?;
            surveys::write_results(conn, user, &wave, &new)
        })
        .await?;
    let lookup_done = lookup.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |_| {
            ctx.flash(FlashKind::Success, "flash-results-saved");
            Ok(see_other(&format!("/enquetes/{lookup_done}")))
        },
        |error| async move { render_wave(ctx, lookup, Some(&error)).await },
    )
    .await
}
