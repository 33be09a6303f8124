//! An organisme's indicators: the board (per commitment, each indicator's latest figure
//! against its target and its change), one indicator's page (its figures period by period,
//! how each was computed, its sites' values) and the organisme's own target.

pub mod entry;
pub mod import;
pub mod own;

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::clock::Reach;
use crate::db::{DbConnection, parse_id};
use crate::domain::FieldErrors;
use crate::domain::indicators::Unit;
use crate::domain::indicators::parse_number;
use crate::domain::policy;
use crate::error::AppError;
use crate::error::ensure;
use crate::i18n::{self, Lang};
use crate::models::evidence;
use crate::models::framework as framework_model;
use crate::models::history::Actor;
use crate::models::indicator;
use crate::models::organisation::{self, Organisation};
use crate::models::site;
use crate::reports::charts::{Chart, bars_svg, trend_svg};
use crate::services::benchmarks::{Benchmark, PeersKey};
use crate::services::indicator_board::{self, Series};
use crate::services::memo::{self, Memo};
use crate::web::page::{Ctx, see_other};

/// Who sees an organisme's indicators sees them all; who edits the organisme enters them.
pub(crate) fn readable(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_id: &str,
) -> Result<Organisation, AppError> {
    organisation::find(conn, &user.scope(), organisation_id)
}

/// Indicators grouped as the organisme follows them: per framework of its commitments
/// (a shared indicator appears under each), then its own.
#[derive(Debug, Serialize)]
pub struct Group {
    code: String,
    name: String,
    series: Vec<Row>,
}

/// One line of the board: the indicator's figures and their small trend.
#[derive(Debug, Clone, Serialize)]
struct Row {
    #[serde(flatten)]
    series: Series,
    sparkline: String,
}

fn groups(conn: &mut DbConnection, organisation_id: &str) -> Result<Vec<Group>, AppError> {
    let board: Vec<Row> = indicator_board::board(conn, organisation_id)?
        .into_iter()
        .map(|series| Row {
            sparkline: indicator_board::sparkline(&series),
            series,
        })
        .collect();
    let mut groups: Vec<Group> = evidence::supportable(conn, organisation_id)?
        .into_iter()
        .map(|(code, name, _)| Group {
            series: board
                .iter()
                .filter(|r| r.series.definition.frameworks.contains(&code))
                .cloned()
                .collect(),
            code,
            name,
        })
        .filter(|g| !g.series.is_empty())
        .collect();
    let own: Vec<Row> = board
        .into_iter()
        .filter(|r| r.series.definition.own)
        .collect();
    if !own.is_empty() {
        groups.push(Group {
            code: String::new(),
            name: String::new(),
            series: own,
        });
    }
    Ok(groups)
}

/// An organisme's board, kept until its next write (or a shared one: a framework's
/// indicators): reading every site's values and drawing the trends was most of the page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BoardKey {
    organisation: String,
}

impl memo::Key for BoardKey {
    fn reach(&self) -> Reach<'_> {
        Reach::Organisation(&self.organisation)
    }
}

fn board_page(
    conn: &mut DbConnection,
    boards: &Memo<BoardKey, Vec<Group>>,
    user: &CurrentUser,
    id: &str,
) -> Result<Context, AppError> {
    let organisation = readable(conn, user, id)?;
    let key = BoardKey {
        organisation: organisation.id.clone(),
    };
    let groups = boards.get_or_compute(conn, key, |conn| groups(conn, &organisation.id))?;
    let mut page = Context::new();
    page.insert("groups", &*groups);
    page.insert(
        "can_edit",
        &policy::may_edit_organisation(user, &organisation.id),
    );
    page.insert("organisation", &organisation);
    Ok(page)
}

pub async fn show_board(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let boards = ctx.state.boards.clone();
    let (user, data) = ctx
        .user_run(move |conn, user| board_page(conn, &boards, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("indicators/board.html", &page)
}

/// One site's value for a period, for the table under the figures.
#[derive(Debug, Serialize)]
struct SiteValue {
    site: String,
    period: String,
    value: f64,
    numerator: Option<f64>,
    denominator: Option<f64>,
    source: String,
    entered_by: String,
}

/// The trend of the organisme's figures (the last 24 periods) and its sites' latest values.
fn charts(series: &Series, sites: &[SiteValue], lang: Lang) -> (String, String) {
    let d = &series.definition;
    let unit = Unit::parse(&d.unit).unwrap_or(Unit::Count);
    let range = match unit {
        Unit::Percent => Some((0.0, 100.0)),
        Unit::Score10 => Some((0.0, 10.0)),
        _ => None,
    };
    let suffix = if unit == Unit::Count {
        String::new()
    } else {
        format!(
            " {}",
            i18n::t(lang, &format!("unit-short-{}", unit.as_str()))
        )
    };
    let skip = series.points.len().saturating_sub(24);
    let trend = Chart {
        title: i18n::t_args(lang, "indicators-trend-title", &[("name", d.name.clone())]),
        points: series
            .points
            .iter()
            .skip(skip)
            .map(|p| {
                let period = crate::domain::indicators::Period::parse(&p.period).map_or_else(
                    |_| p.period.clone(),
                    |period| period.short_label(lang.code()),
                );
                (period, p.value)
            })
            .collect(),
        target: d.target,
        range: None,
        suffix: suffix.clone(),
    };
    // The trend's axis fits its values (within the unit's range); the bars' stays whole.
    let values: Vec<f64> = trend.points.iter().map(|(_, v)| *v).collect();
    let trend = Chart {
        range: range.map(|bounds| crate::reports::charts::fitted(&values, d.target, bounds)),
        ..trend
    };
    let latest = series
        .latest
        .as_ref()
        .map(|p| p.period.clone())
        .unwrap_or_default();
    let bars = Chart {
        title: i18n::t_args(lang, "indicators-sites", &[("period", latest)]),
        points: sites.iter().map(|s| (s.site.clone(), s.value)).collect(),
        target: d.target,
        range,
        suffix,
    };
    (trend_svg(&trend), bars_svg(&bars))
}

fn indicator_page(
    conn: &mut DbConnection,
    peers: &Memo<PeersKey, Benchmark>,
    user: &CurrentUser,
    id: &str,
    code: &str,
    lang: Lang,
) -> Result<Context, AppError> {
    let organisation = readable(conn, user, id)?;
    let series = indicator_board::board(conn, &organisation.id)?
        .into_iter()
        .find(|s| s.definition.code == code)
        .ok_or(AppError::NotFound)?;
    let names: HashMap<String, String> = site::list_for(conn, &organisation.id)?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let latest = series.latest.as_ref().map(|p| p.period.clone());
    let sites: Vec<SiteValue> = indicator::values_for(conn, &organisation.id, Some(code))?
        .into_iter()
        .filter(|v| v.site_id.is_some() && Some(&v.period) == latest.as_ref())
        .map(|v| SiteValue {
            site: v
                .site_id
                .as_ref()
                .and_then(|s| names.get(s))
                .cloned()
                .unwrap_or_default(),
            period: v.period,
            value: v.value,
            numerator: v.numerator,
            denominator: v.denominator,
            source: v.source,
            entered_by: v.entered_by,
        })
        .collect();
    let mut page = Context::new();
    // The reader's own language when their account has one.
    let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
    let (trend, bars) = charts(&series, &sites, lang);
    page.insert("trend_svg", &trend);
    page.insert("bars_svg", &bars);
    // Where the organisme stands among the others, for measures frameworks share.
    let position = if series.definition.own {
        None
    } else {
        crate::services::benchmarks::position(conn, peers, &organisation.id, code)?
    };
    page.insert("position", &position);
    page.insert(
        "can_edit",
        &policy::may_edit_organisation(user, &organisation.id),
    );
    let framework_names = framework_model::names_by_code(conn, &series.definition.frameworks)?;
    let framework_labels: Vec<String> = series
        .definition
        .frameworks
        .iter()
        .map(|code| {
            framework_names
                .get(code)
                .cloned()
                .unwrap_or_else(|| code.clone())
        })
        .collect();
    page.insert("framework_names", &framework_labels);
    page.insert("series", &series);
    page.insert("sites", &sites);
    page.insert("organisation", &organisation);
    Ok(page)
}

pub async fn show_indicator(
    ctx: Ctx,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, code) = path.into_inner();
    let id = parse_id(&id)?;
    let lang = ctx.lang(None);
    let peers = ctx.state.peers.clone();
    let (user, data) = ctx
        .user_run(move |conn, user| indicator_page(conn, &peers, user, &id, &code, lang))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("indicators/show.html", &page)
}

#[derive(Debug, Deserialize)]
pub struct TargetForm {
    #[serde(default)]
    target: String,
}

/// The organisme's own target; empty goes back to the framework's.
pub async fn set_target(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    form: web::Form<TargetForm>,
) -> Result<HttpResponse, AppError> {
    let (id, code) = path.into_inner();
    let id = parse_id(&id)?;
    let raw = form.into_inner().target;
    let (lookup, wanted) = (id.clone(), code.clone());
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            let organisation = readable(conn, user, &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            let definition = indicator::definitions_for(conn, &organisation.id)?
                .into_iter()
                .find(|d| d.code == code)
                .ok_or(AppError::NotFound)?;
            let target = if raw.trim().is_empty() {
                None
            } else {
                let unit =
                    Unit::parse(&definition.unit).map_err(|e| FieldErrors::single("target", e))?;
                let value = parse_number(&raw)
                    .and_then(|v| unit.check(v))
                    .map_err(|e| FieldErrors::single("target", e))?;
                Some(value)
            };
            indicator::set_target(
                conn,
                &Actor::user(&user.id, &user.email),
                &organisation.id,
                &definition.code,
                target,
            )
        })
        .await?;
    match attempt {
        Ok(()) => {
            ctx.flash(FlashKind::Success, "flash-target-saved");
            Ok(see_other(&format!(
                "/organismes/{lookup}/indicateurs/{wanted}"
            )))
        }
        Err(error @ AppError::Validation(_)) => {
            let lang = ctx.lang(Some(&user));
            let peers = ctx.state.peers.clone();
            let (_, data) = ctx
                .user_run(move |conn, user| {
                    indicator_page(conn, &peers, user, &lookup, &wanted, lang)
                })
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            page.extend(data);
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(error.info().status, "indicators/show.html", &page)
        }
        Err(other) => Err(other),
    }
}
