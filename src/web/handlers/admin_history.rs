//! The administrator's history of every change: filtered by organisme, person, kind of
//! record and dates in the address, paged past its first 200 lines, and exported as CSV.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::OrgScope;
use crate::domain::dates::parse_date;
use crate::domain::{FieldErrors, policy};
use crate::error::{AppError, ensure};
use crate::i18n::{self, Lang};
use crate::models::history::{self, HistoryEntry, HistoryFilter, KINDS};
use crate::models::{Page, organisation, user};
use crate::web::handlers::history_view;
use crate::web::page::{Ctx, download};

/// Lines per page of the history.
const PER_PAGE: i64 = 100;
/// At most this many lines in one export: filter to take more.
const EXPORT_LIMIT: i64 = 100_000;

/// The filters as the address carries them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct HistoryQuery {
    pub organisme: String,
    pub personne: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// From this day (YYYY-MM-DD or DD/MM/YYYY)
    pub du: String,
    /// Up to this day included
    pub au: String,
    #[serde(skip_serializing)]
    pub page: Option<i64>,
}

impl HistoryQuery {
    /// The filter, and what was refused in it (a date that is not one): the rest still
    /// applies, and the form says which field is wrong.
    fn filter(&self) -> (HistoryFilter, FieldErrors) {
        let mut errors = FieldErrors::new();
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let mut day = |field: &str, raw: &str| {
            if raw.trim().is_empty() {
                None
            } else {
                errors.check(field, parse_date(raw))
            }
        };
        let from = day("du", &self.du);
        let to = day("au", &self.au);
        let filter = HistoryFilter {
            organisation: some(&self.organisme),
            actor: some(&self.personne),
            entity: some(&self.kind).filter(|k| KINDS.contains(&k.as_str())),
            from,
            to,
        };
        (filter, errors)
    }

    fn query_string(&self) -> String {
        serde_urlencoded::to_string(self)
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.ends_with('='))
            .collect::<Vec<_>>()
            .join("&")
    }
}

pub async fn show_history(
    ctx: Ctx,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (filter, refused) = query.filter();
    let paging = Page::new(query.page, Some(PER_PAGE));
    let (current, (found, organisations, people, names)) = ctx
        .user_run(move |conn, current| {
            ensure(policy::may_administer(current))?;
            let found = history::search(conn, &filter, paging)?;
            let names = history_view::names(conn, &found.items)?;
            Ok((
                found,
                organisation::all_in(conn, &OrgScope::All)?,
                user::list(conn)?,
                names,
            ))
        })
        .await?;
    let lang = ctx.lang(Some(&current));
    let mut page = ctx.page(Some(&current), "history");
    page.insert(
        "entries",
        &history_view::present(&found.items, lang, &names),
    );
    page.insert("total", &found.total);
    page.insert("pages", &found.pages);
    page.insert("current", &found.page);
    page.insert(
        "organisations",
        &organisations
            .iter()
            .map(|o| (o.id.as_str(), o.name.as_str()))
            .collect::<Vec<_>>(),
    );
    page.insert(
        "people",
        &people
            .iter()
            .map(|p| (p.id.as_str(), format!("{} ({})", p.name, p.email)))
            .collect::<Vec<_>>(),
    );
    page.insert("kinds", &KINDS);
    page.insert("query_string", &query.query_string());
    page.insert("query", &query);
    if !refused.is_empty() {
        ctx.with_errors(&mut page, Some(&current), &AppError::Validation(refused));
    }
    ctx.render("admin/history.html", &page)
}

/// One line of the export: when (Paris), who, which organisme, what, and the changes in words.
fn line(entry: &HistoryEntry, names: &history_view::Names, lang: Lang) -> Vec<String> {
    let view = history_view::present(std::slice::from_ref(entry), lang, names)
        .pop()
        .expect("one entry");
    let when = chrono::TimeZone::from_utc_datetime(&chrono_tz::Europe::Paris, &entry.at)
        .format("%d/%m/%Y %H:%M:%S")
        .to_string();
    let organisation = entry
        .organisation_id
        .as_ref()
        .and_then(|id| names.get(id))
        .cloned()
        .unwrap_or_default();
    let changes = view
        .changes
        .iter()
        .map(|c| format!("{} : {} → {}", c.field, c.before, c.after))
        .collect::<Vec<_>>()
        .join(" ; ");
    vec![
        when,
        entry.actor_label.clone(),
        organisation,
        i18n::t(lang, &format!("history-entity-{}", entry.entity)),
        i18n::t(lang, &format!("history-action-{}", entry.action)),
        changes,
    ]
}

/// The history as the page filters it, every page of it, as CSV (`;`, as French
/// spreadsheets read it).
pub async fn export_csv(
    ctx: Ctx,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    let (filter, refused) = query.into_inner().filter();
    if !refused.is_empty() {
        return Err(AppError::Validation(refused));
    }
    let (current, (entries, names)) = ctx
        .user_run(move |conn, current| {
            ensure(policy::may_administer(current))?;
            let entries = history::search_all(conn, &filter, EXPORT_LIMIT)?;
            // The organismes' names too, for the organisme column.
            let mut ids = history_view::referenced(&entries);
            ids.extend(entries.iter().filter_map(|e| e.organisation_id.clone()));
            ids.sort();
            ids.dedup();
            Ok((entries, history::names_of(conn, &ids)?))
        })
        .await?;
    let lang = ctx.lang(Some(&current));
    let columns: Vec<String> = [
        "history-when",
        "history-who",
        "field-organisation",
        "history-kind",
        "history-act",
        "history-changes",
    ]
    .iter()
    .map(|k| i18n::t(lang, k))
    .collect();
    let rows = entries.iter().map(|e| line(e, &names, lang));
    let body =
        crate::reports::csv_export::write(&columns, rows, b';').map_err(AppError::unexpected)?;
    Ok(download(
        "text/csv; charset=utf-8",
        "historique-qualitrack.csv",
        body,
    ))
}
