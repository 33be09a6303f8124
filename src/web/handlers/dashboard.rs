//! The federation's rollout dashboard (`/federation`, and the home page of federation staff):
//! the figures of `services::dashboard`, each linked to the organismes behind it, the map of
//! regions, the years past as charts with their tables, and the tables as CSV or XLSX.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::domain::Region;
use crate::domain::rollout::Standing;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::reports::charts::{Chart, bars_svg, trend_svg};
use crate::reports::map::{ATTRIBUTION_FR, MapText, RegionShade, regions_svg};
use crate::reports::{dashboard as export, sheet};
use crate::services::dashboard::{self, Dashboard, Filter};
use crate::startup::AppState;
use crate::web::page::{Ctx, download};
use std::sync::Arc;
use tera::Context;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DashboardQuery {
    #[serde(flatten)]
    pub filter: Filter,
    /// The table a CSV export carries (see `reports::dashboard::TABLES`)
    pub table: String,
    /// `;` (default) or `,` for CSV
    pub separateur: String,
}

/// The dashboard's page body, laid out once per dashboard and language until the next write:
/// the map, the charts and the tables are the same for everyone who sees that dashboard, and
/// drawing them took most of a page's time. Kept under the figures' own key, it is looked up
/// first: the figures are read only to lay it out.
pub fn page(
    conn: &mut crate::db::DbConnection,
    state: &AppState,
    user: &CurrentUser,
    filter: Filter,
    lang: Lang,
) -> Result<Arc<String>, AppError> {
    let key = dashboard::key_for(user, filter.clone(), lang)?;
    state.dashboard_pages.get_or_compute(conn, key, |conn| {
        let d = dashboard::kept(conn, &state.dashboards, user, filter, lang)?;
        body(state, user, &d, lang)
    })
}

async fn gather(
    ctx: &Ctx,
    filter: Filter,
) -> Result<(CurrentUser, Arc<Dashboard>, Lang), AppError> {
    let lang = ctx.lang(None);
    let cache = ctx.state.dashboards.clone();
    let (user, (d, lang)) = ctx
        .user_run(move |conn, user| {
            let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
            Ok((dashboard::kept(conn, &cache, user, filter, lang)?, lang))
        })
        .await?;
    Ok((user, d, lang))
}

pub async fn show(ctx: Ctx, query: web::Query<DashboardQuery>) -> Result<HttpResponse, AppError> {
    let filter = query.into_inner().filter;
    let lang = ctx.lang(None);
    let state = ctx.state.clone();
    let (user, page) = ctx
        .user_run(move |conn, user| {
            let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
            page(conn, &state, user, filter, lang)
        })
        .await?;
    render(&ctx, &user, &page)
}

/// The filters every drill-down link keeps: region and family.
fn scope_query(filter: &Filter) -> String {
    serde_urlencoded::to_string(
        [("region", &filter.region), ("family", &filter.family)]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

fn map_svg(d: &Dashboard, lang: Lang, focus_name: &str) -> String {
    let shades: Vec<RegionShade> = Region::all()
        .iter()
        .map(|r| {
            let row = d.regions.iter().find(|s| s.code == r.code);
            let label = row.map_or_else(
                || i18n::t_args(lang, "dashboard-map-none", &[("region", r.name.to_owned())]),
                |s| {
                    i18n::t_args(
                        lang,
                        "dashboard-map-label",
                        &[
                            ("region", r.name.to_owned()),
                            ("rate", i18n::format_number(s.rate, 1)),
                            ("holds", s.holds.to_string()),
                            ("count", s.organisations.to_string()),
                        ],
                    )
                },
            );
            RegionShade {
                code: r.code.to_owned(),
                name: r.name.to_owned(),
                rate: row.map(|s| s.rate),
                label,
                href: row.map(|_| {
                    format!(
                        "/organismes?framework={}&standing=holds&region={}{}{}",
                        d.focus.as_deref().unwrap_or_default(),
                        r.code,
                        if d.filter.family.is_empty() {
                            ""
                        } else {
                            "&family="
                        },
                        d.filter.family
                    )
                }),
            }
        })
        .collect();
    let legend: [String; 5] =
        ["0–20", "20–40", "40–60", "60–80", "80–100"].map(|r| format!("{r} %"));
    let title = i18n::t_args(
        lang,
        "dashboard-map-title",
        &[("name", focus_name.to_owned())],
    );
    let description = i18n::t(lang, "dashboard-map-description");
    let none = i18n::t(lang, "dashboard-map-no-organisme");
    regions_svg(
        &shades,
        &MapText {
            id: "map",
            title: &title,
            description: &description,
            legend: &legend,
            none_label: &none,
            attribution: ATTRIBUTION_FR,
        },
    )
}

/// The focus framework's years: who holds it at each year's end, and the first grants.
fn year_charts(d: &Dashboard, lang: Lang) -> Option<(String, String)> {
    let years = d
        .rollout
        .iter()
        .find(|f| Some(&f.key) == d.focus.as_ref())?;
    if years.years.is_empty() {
        return None;
    }
    let count = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    let holding = Chart {
        title: i18n::t_args(
            lang,
            "dashboard-chart-holding",
            &[("name", years.name.clone())],
        ),
        points: years
            .years
            .iter()
            .map(|y| (y.year.to_string(), count(y.holding)))
            .collect(),
        target: None,
        range: None,
        suffix: String::new(),
    };
    let granted = Chart {
        title: i18n::t_args(
            lang,
            "dashboard-chart-granted",
            &[("name", years.name.clone())],
        ),
        points: years
            .years
            .iter()
            .map(|y| (y.year.to_string(), count(y.granted)))
            .collect(),
        target: None,
        range: None,
        suffix: String::new(),
    };
    Some((trend_svg(&holding), bars_svg(&granted)))
}

/// The body of the dashboard page for these figures (`federation/dashboard_body.html`).
fn body(
    state: &AppState,
    user: &CurrentUser,
    d: &Dashboard,
    lang: Lang,
) -> Result<String, AppError> {
    let mut page = Context::new();
    page.insert("lang", lang.code());
    let focus = d
        .frameworks
        .iter()
        .find(|f| Some(&f.key) == d.focus.as_ref());
    let scope = scope_query(&d.filter);
    page.insert("d", d);
    page.insert("focus", &focus);
    page.insert("scope_query", &scope);
    page.insert(
        "export_query",
        &serde_urlencoded::to_string(
            [
                ("framework", d.focus.clone().unwrap_or_default()),
                ("region", d.filter.region.clone()),
                ("family", d.filter.family.clone()),
            ]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
        )
        .unwrap_or_default(),
    );
    if let Some(focus) = focus {
        page.insert("map_svg", &map_svg(d, lang, &focus.name));
        if let Some((holding, granted)) = year_charts(d, lang) {
            page.insert("holding_svg", &holding);
            page.insert("granted_svg", &granted);
        }
    }
    page.insert(
        "standings",
        &Standing::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    );
    page.insert(
        "scoped_region",
        &user
            .region
            .as_deref()
            .and_then(Region::by_code)
            .map(|r| r.name),
    );
    page.insert(
        "region_name",
        &Region::by_code(&d.filter.region).map(|r| r.name),
    );
    crate::web::handlers::organisations::choices(&mut page);
    page.insert("tables", &export::TABLES);
    page.insert("shown", &dashboard::LIST_SHOWN);
    state
        .templates
        .render("federation/dashboard_body.html", &page)
}

/// The dashboard page around its kept body.
pub fn render(ctx: &Ctx, user: &CurrentUser, body: &str) -> Result<HttpResponse, AppError> {
    let mut page = ctx.page(Some(user), "dashboard");
    page.insert("body_html", body);
    ctx.render("federation/dashboard.html", &page)
}

/// One table as CSV (`?table=regions`, the frameworks by default).
pub async fn export_csv(
    ctx: Ctx,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let name = if query.table.is_empty() {
        "frameworks".to_owned()
    } else {
        query.table.clone()
    };
    if !export::TABLES.contains(&name.as_str()) {
        return Err(AppError::NotFound);
    }
    let (_, d, lang) = gather(&ctx, query.filter).await?;
    let table = export::table(&d, lang, &name).ok_or(AppError::NotFound)?;
    let delimiter = if query.separateur == "," { b',' } else { b';' };
    let body = sheet::to_csv(&table, delimiter).map_err(AppError::unexpected)?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("deploiement-{name}.csv"),
        body,
    ))
}

/// Every table, one sheet each.
pub async fn export_xlsx(
    ctx: Ctx,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    export_workbook(ctx, query, sheet::Workbook::Xlsx).await
}

/// The same sheets as an OpenDocument spreadsheet.
pub async fn export_ods(
    ctx: Ctx,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    export_workbook(ctx, query, sheet::Workbook::Ods).await
}

async fn export_workbook(
    ctx: Ctx,
    query: web::Query<DashboardQuery>,
    format: sheet::Workbook,
) -> Result<HttpResponse, AppError> {
    let (_, d, lang) = gather(&ctx, query.into_inner().filter).await?;
    crate::web::page::workbook(
        format,
        "deploiement-qualitrack",
        &export::workbook(&d, lang),
    )
}

/// The rollout summary as a PDF, with the dashboard's filters, laid out off the async threads.
pub async fn rollout_pdf(
    ctx: Ctx,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let (_, d, lang) = gather(&ctx, query.into_inner().filter).await?;
    let body = web::block(move || crate::reports::rollout::to_pdf(&d, lang))
        .await
        .map_err(AppError::unexpected)?;
    Ok(download(
        "application/pdf",
        "synthese-deploiement.pdf",
        body,
    ))
}
