//! The home page: what the signed-in user can reach, with the figures of their scope.

use std::sync::Arc;

use actix_web::HttpResponse;
use chrono::NaiveDate;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::policy;
use crate::domain::schedule::ItemState;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::organisation;
use crate::services::memo::Memo;
use crate::services::schedules::{self, CalendarEntry, CalendarFilter, CalendarKey, state_code};
use crate::web::handlers::commitments::view::hint;
use crate::web::handlers::dashboard;
use crate::web::page::Ctx;

#[derive(Serialize)]
struct Figures {
    /// The organisme of a quality manager or observer, named in the page's header.
    organisation_name: Option<String>,
    organisations: i64,
    sites: i64,
    homes: i64,
    overdue: usize,
    upcoming: usize,
}

/// The organisme's indicators at a glance: how many meet their target, and those that do not.
#[derive(Debug, Serialize)]
struct IndicatorSummary {
    organisation_id: String,
    met: usize,
    not_met: usize,
    no_data: usize,
    missed: Vec<crate::services::indicator_board::Series>,
}

impl IndicatorSummary {
    fn of(organisation_id: &str, board: Vec<crate::services::indicator_board::Series>) -> Self {
        use crate::domain::indicators::Status;
        let count = |status: Status| board.iter().filter(|s| s.status == status).count();
        Self {
            organisation_id: organisation_id.to_owned(),
            met: count(Status::Met),
            not_met: count(Status::NotMet),
            no_data: count(Status::NoData),
            missed: board
                .into_iter()
                .filter(|s| s.status == Status::NotMet)
                .collect(),
        }
    }
}

/// How many upcoming items the home page lists before pointing to the calendar.
const UPCOMING_SHOWN: usize = 10;

/// A quality manager's preparation for the next audit, and their organisme's commitments.
type Preparation = (
    crate::services::preparation::Readiness,
    Vec<crate::services::schedules::CommitmentSchedule>,
);

/// What the home page shows everyone but federation staff.
type Own = (
    Figures,
    (
        Vec<CalendarEntry>,
        Option<crate::services::my_audits::MyAudits>,
    ),
    Option<IndicatorSummary>,
    Option<Preparation>,
);

enum Home {
    Rollout(Arc<String>),
    /// Observers: their organisme's published view
    Published(String),
    Own(Box<Own>),
}

/// The figures of the user's scope, what falls due, their audits (auditors) and their
/// organisme's indicators (people of one organisme).
fn own(
    conn: &mut DbConnection,
    calendars: &Memo<CalendarKey, Vec<CalendarEntry>>,
    user: &CurrentUser,
    today: NaiveDate,
) -> Result<Own, AppError> {
    let extent = organisation::extent(conn, &user.scope())?;
    // What the user must watch: late items, then what opens within the next weeks.
    let pending = CalendarFilter {
        pending: true,
        ..CalendarFilter::default()
    };
    let entries: Vec<CalendarEntry> =
        schedules::calendar_kept(conn, calendars, &user.scope(), &pending, today)?
            .iter()
            .filter(|e| schedules::needs_attention(&e.item, today, 90))
            .cloned()
            .collect();
    let organisation_name = match policy::lives_in_one_organisation(user) {
        Some(id) => Some(organisation::find(conn, &user.scope(), id)?.name),
        None => None,
    };
    let figures = Figures {
        organisation_name,
        organisations: extent.organisations,
        sites: extent.sites,
        homes: extent.homes,
        overdue: entries
            .iter()
            .filter(|e| e.item.state == ItemState::Overdue)
            .count(),
        upcoming: entries.len(),
    };
    let audits = if policy::sees_only_own_audits(user) {
        Some(crate::services::my_audits::of(conn, &user.id)?)
    } else {
        None
    };
    let shown: Vec<CalendarEntry> = entries.into_iter().take(UPCOMING_SHOWN).collect();
    // People of one organisme see where its indicators stand.
    let indicators = match &user.organisation_id {
        Some(id) => Some(IndicatorSummary::of(
            id,
            crate::services::indicator_board::board(conn, id)?,
        )),
        None => None,
    };
    let preparation = match (&user.organisation_id, policy::prepares_audits(user)) {
        (Some(id), true) => Some((
            crate::services::preparation::of(conn, id, today)?,
            schedules::of_organisation(conn, id, today)?,
        )),
        _ => None,
    };
    Ok((figures, (shown, audits), indicators, preparation))
}

pub async fn index(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let today = chrono::Utc::now().date_naive();
    let calendars = ctx.state.calendars.clone();
    let state = ctx.state.clone();
    let lang = ctx.lang(None);
    let (user, seen) = ctx
        .user_run(move |conn, user| {
            // Federation staff land on the rollout dashboard (UX: "Déploiement du label").
            if policy::lands_on_rollout(user) {
                let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
                let filter = crate::services::dashboard::Filter::default();
                return Ok(Home::Rollout(dashboard::page(
                    conn, &state, user, filter, lang,
                )?));
            }
            if policy::lands_on_published_view(user)
                && let Some(id) = &user.organisation_id
            {
                return Ok(Home::Published(id.clone()));
            }
            Ok(Home::Own(Box::new(own(conn, &calendars, user, today)?)))
        })
        .await?;
    let (figures, (entries, audits), indicators, preparation) = match seen {
        Home::Rollout(page) => return dashboard::render(&ctx, &user, &page),
        Home::Published(id) => {
            return Ok(crate::web::page::see_other(&format!(
                "/organismes/{id}/vue-publique"
            )));
        }
        Home::Own(own) => *own,
    };
    let lang = ctx.lang(Some(&user));
    let hints: Vec<String> = entries.iter().map(|e| hint(lang, &e.item, today)).collect();
    let states: Vec<&str> = entries.iter().map(|e| state_code(e.item.state)).collect();
    let mut page = ctx.page(Some(&user), "home");
    page.insert("figures", &figures);
    page.insert("audits", &audits);
    page.insert("entries", &entries);
    page.insert("hints", &hints);
    page.insert("states", &states);
    page.insert("indicators", &indicators);
    if let Some((readiness, commitments)) = preparation {
        page.insert("readiness", &readiness);
        page.insert(
            "commitments",
            &crate::web::handlers::commitments::view::cards(&commitments, lang, today),
        );
    }
    ctx.render("home.html", &page)
}
