//! The calendar of audits and decisions: list (overdue first, then what falls due) and month
//! views with filters kept in the URL, the federation's renewals, and exports (CSV, XLSX,
//! PDF). Subscribable ICS feeds are in `feeds`.

pub mod feeds;

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::domain::policy;
use crate::domain::schedule::ItemState;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::calendar_feed;
use crate::models::framework as framework_model;
use crate::reports::calendar as export;
use crate::reports::sheet::Workbook;
use crate::services::memo;
use crate::services::schedules::{self, CalendarEntry, CalendarFilter, CalendarKey};
use crate::web::handlers::commitments::view::hint;
use crate::web::page::{Ctx, download};
use crate::web::templates::Templates;
use tera::Context;

/// Days ahead shown by default in the list.
const HORIZON_DAYS: i64 = 90;
/// Items per page of the list.
const PER_PAGE: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(default)]
pub struct CalendarQuery {
    pub framework: String,
    pub region: String,
    pub family: String,
    pub state: String,
    pub organisation: String,
    pub auditor: String,
    /// `mois` for the month view
    pub vue: String,
    /// `2025-03`
    pub mois: String,
    /// `tout` shows every item, done and far ahead included
    pub periode: String,
    /// `;` (default) or `,` for CSV
    pub separateur: String,
    /// Page of the list, from 1
    pub page: usize,
    /// `1`: only renewals (the renewals page, and its exports)
    pub renouvellements: String,
}

impl CalendarQuery {
    fn filter(&self, renewals: bool) -> CalendarFilter {
        CalendarFilter {
            framework: self.framework.clone(),
            region: self.region.clone(),
            family: self.family.clone(),
            state: self.state.clone(),
            organisation: self.organisation.clone(),
            auditor: self.auditor.clone(),
            renewals,
            pending: false,
        }
    }

    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("framework", self.framework.as_str()),
            ("region", &self.region),
            ("family", &self.family),
            ("state", &self.state),
            ("organisation", &self.organisation),
            ("auditor", &self.auditor),
            ("periode", &self.periode),
            ("renouvellements", &self.renouvellements),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

pub(super) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The list: overdue, then what falls due within the horizon (unless `periode=tout`).
fn upcoming(entries: &[CalendarEntry], everything: bool, today: NaiveDate) -> Vec<&CalendarEntry> {
    entries
        .iter()
        .filter(|e| everything || schedules::needs_attention(&e.item, today, HORIZON_DAYS))
        .collect()
}

#[derive(Serialize)]
struct Day {
    date: Option<NaiveDate>,
    items: Vec<usize>,
    today: bool,
}

/// Weeks of the month (Monday first) with the index of the entries due each day.
fn month_grid(entries: &[&CalendarEntry], first: NaiveDate, today: NaiveDate) -> Vec<Vec<Day>> {
    let mut weeks = Vec::new();
    let mut week: Vec<Day> = (0..first.weekday().num_days_from_monday())
        .map(|_| Day {
            date: None,
            items: Vec::new(),
            today: false,
        })
        .collect();
    let mut day = first;
    while day.month() == first.month() {
        let items = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.item.due == day)
            .map(|(i, _)| i)
            .collect();
        week.push(Day {
            date: Some(day),
            items,
            today: day == today,
        });
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        day += Duration::days(1);
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(Day {
                date: None,
                items: Vec::new(),
                today: false,
            });
        }
        weeks.push(week);
    }
    weeks
}

/// Each item's state as the templates name it.
fn state_codes(shown: &[&CalendarEntry]) -> Vec<&'static str> {
    shown
        .iter()
        .map(|e| schedules::state_code(e.item.state))
        .collect()
}

/// What the page shows below its filters: a page of the list, laid out, or the month's grid.
enum View {
    List(Arc<String>),
    Month(Arc<Vec<CalendarEntry>>),
}

/// One page of the list (`templates/calendar/list.html`): overdue first, then what falls due
/// within the horizon; by pages, since a federation has hundreds of items within 90 days (the
/// month view and the exports carry everything).
fn list_html(
    templates: &Templates,
    entries: &[CalendarEntry],
    query: &CalendarQuery,
    lang: Lang,
    today: NaiveDate,
) -> Result<String, AppError> {
    let listed = upcoming(entries, query.periode == "tout", today);
    let total = listed.len();
    let overdue = listed
        .iter()
        .filter(|e| e.item.state == ItemState::Overdue)
        .count();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let current = query.page.clamp(1, pages);
    let shown: Vec<&CalendarEntry> = listed
        .into_iter()
        .skip((current - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let mut page = Context::new();
    page.insert("lang", lang.code());
    page.insert("states", &state_codes(&shown));
    page.insert(
        "hints",
        &shown
            .iter()
            .map(|e| hint(lang, &e.item, today))
            .collect::<Vec<_>>(),
    );
    page.insert("overdue", &overdue);
    page.insert("total", &total);
    page.insert("pages", &pages);
    page.insert("current", &current);
    page.insert("first", &((current - 1) * PER_PAGE + 1));
    page.insert("last", &((current - 1) * PER_PAGE + shown.len()));
    page.insert("query_string", &query.query_string());
    page.insert("entries", &shown);
    templates.render("calendar/list.html", &page)
}

/// Every dimension of a list page: the calendar it shows (whose, filters, renewals, day),
/// the query it was asked with (page included) and the language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListKey {
    calendar: CalendarKey,
    query: CalendarQuery,
    lang: Lang,
}

impl memo::Key for ListKey {
    fn reach(&self) -> crate::db::clock::Reach<'_> {
        self.calendar.reach()
    }
}

async fn render(
    ctx: Ctx,
    mut query: CalendarQuery,
    renewals: bool,
) -> Result<HttpResponse, AppError> {
    if renewals {
        // Links and exports of the renewals page keep to renewals.
        "1".clone_into(&mut query.renouvellements);
    }
    let filter = query.filter(renewals);
    let state = ctx.state.clone();
    let fallback = ctx.lang(None);
    let month = NaiveDate::parse_from_str(&format!("{}-01", query.mois), "%Y-%m-%d").ok();
    let is_month = query.vue == "mois" || month.is_some();
    // One day for the whole page: the kept calendar holds thousands of items at federation scale.
    let today = today();
    let listing = query.clone();
    let (user, (view, frameworks, (feeds, auditors))) = ctx
        .user_run(move |conn, user| {
            if renewals && !policy::sees_federation_views(user) {
                return Err(AppError::Forbidden);
            }
            let scope = user.scope();
            let view = if is_month {
                View::Month(schedules::calendar_kept(
                    conn,
                    &state.calendars,
                    &scope,
                    &filter,
                    today,
                )?)
            } else {
                // The list's page is kept laid out until the next write, per scope, filters,
                // page, language and day: the same for everyone who asks it, and looked up
                // before the items, which are read only to lay it out.
                let lang = user
                    .locale
                    .as_deref()
                    .and_then(Lang::parse)
                    .unwrap_or(fallback);
                let key = ListKey {
                    calendar: CalendarKey {
                        scope: scope.clone(),
                        filter: filter.clone(),
                        today,
                    },
                    query: listing.clone(),
                    lang,
                };
                View::List(state.calendar_lists.get_or_compute(conn, key, |conn| {
                    let entries =
                        schedules::calendar_kept(conn, &state.calendars, &scope, &filter, today)?;
                    list_html(&state.templates, &entries, &listing, lang, today)
                })?)
            };
            let mut codes = framework_model::shared_names(conn)?;
            codes.dedup_by(|a, b| a.0 == b.0);
            let feeds = calendar_feed::list_for(conn, &user.id)?;
            // Only those who see every commitment pick an auditor to filter on.
            let auditors = if policy::sees_federation_views(user) {
                crate::models::commitment::auditors(conn)?
            } else {
                Vec::new()
            };
            Ok((view, codes, (feeds, auditors)))
        })
        .await?;
    let lang = ctx.lang(Some(&user));
    let mut page = ctx.page(Some(&user), if renewals { "renewals" } else { "calendar" });
    page.insert("query", &query);
    page.insert("query_string", &query.query_string());
    page.insert("renewals", &renewals);
    page.insert("frameworks", &frameworks);
    crate::web::handlers::organisations::choices(&mut page);
    page.insert("feeds", &feeds);
    page.insert("auditors", &auditors);
    page.insert("horizon", &HORIZON_DAYS);
    match view {
        View::List(list) => page.insert("list_html", list.as_str()),
        View::Month(entries) => {
            let first = month.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
            // Only the month's items: the grid shows nothing else.
            let shown: Vec<&CalendarEntry> = entries
                .iter()
                .filter(|e| {
                    e.item.due.year() == first.year() && e.item.due.month() == first.month()
                })
                .collect();
            page.insert("states", &state_codes(&shown));
            page.insert("month", &first);
            page.insert("month_label", &month_label(first, lang));
            page.insert(
                "previous_month",
                &(first - Duration::days(1)).format("%Y-%m").to_string(),
            );
            page.insert(
                "next_month",
                &(first + Duration::days(32)).format("%Y-%m").to_string(),
            );
            page.insert("weeks", &month_grid(&shown, first, today));
            page.insert("entries", &shown);
        }
    }
    ctx.render("calendar/show.html", &page)
}

fn month_label(first: NaiveDate, lang: Lang) -> String {
    format!(
        "{} {}",
        i18n::t(lang, &format!("month-{}", first.month())),
        first.year()
    )
}

pub async fn show_calendar(
    ctx: Ctx,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, AppError> {
    render(ctx, query.into_inner(), false).await
}

/// Federation staff: every renewal of their scope.
pub async fn renewals(
    ctx: Ctx,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, AppError> {
    render(ctx, query.into_inner(), true).await
}

async fn entries_for(
    ctx: &Ctx,
    query: &CalendarQuery,
) -> Result<(CurrentUser, Vec<CalendarEntry>), AppError> {
    // The renewals page's exports carry what that page shows.
    let filter = query.filter(query.renouvellements == "1");
    let everything = query.periode == "tout";
    let memo = ctx.state.calendars.clone();
    let (user, entries) = ctx
        .user_run(move |conn, user| {
            schedules::calendar_kept(conn, &memo, &user.scope(), &filter, today())
        })
        .await?;
    // The exports carry their rows off to other threads: owned copies.
    let rows = upcoming(&entries, everything, today())
        .into_iter()
        .cloned()
        .collect();
    Ok((user, rows))
}

pub async fn export_csv(
    ctx: Ctx,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (user, entries) = entries_for(&ctx, &query).await?;
    let delimiter = if query.separateur == "," { b',' } else { b';' };
    let body =
        export::to_csv(&entries, delimiter, ctx.lang(Some(&user))).map_err(AppError::unexpected)?;
    Ok(download(
        "text/csv; charset=utf-8",
        "calendrier-qualitrack.csv",
        body,
    ))
}

/// The same rows as a PDF to print or send, laid out off the async threads.
pub async fn export_pdf(
    ctx: Ctx,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (user, entries) = entries_for(&ctx, &query).await?;
    let lang = ctx.lang(Some(&user));
    let title = crate::i18n::t(lang, "schedule-pdf-title");
    let body = web::block(move || export::to_pdf(&entries, lang, &title, today()))
        .await
        .map_err(AppError::unexpected)?;
    Ok(download(
        "application/pdf",
        "calendrier-qualitrack.pdf",
        body,
    ))
}

pub async fn export_xlsx(
    ctx: Ctx,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, AppError> {
    export_workbook(ctx, query, Workbook::Xlsx).await
}

/// The same rows as an OpenDocument spreadsheet.
pub async fn export_ods(
    ctx: Ctx,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, AppError> {
    export_workbook(ctx, query, Workbook::Ods).await
}

async fn export_workbook(
    ctx: Ctx,
    query: web::Query<CalendarQuery>,
    format: Workbook,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (user, entries) = entries_for(&ctx, &query).await?;
    let sheet = export::sheet(&entries, ctx.lang(Some(&user)));
    crate::web::page::workbook(format, "calendrier-qualitrack", &[sheet])
}
