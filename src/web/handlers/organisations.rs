//! Organismes: list with search and filters, detail with sites and history, create, edit.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tera::Context;

use crate::auth::session::FlashKind;
use crate::db::parse_id;
use crate::domain::policy;
use crate::domain::rollout::Standing;
use crate::domain::{Family, Federation, Region};
use crate::error::AppError;
use crate::error::ensure;
use crate::i18n::Lang;
use crate::models::history::{self};
use crate::models::organisation::{self, Organisation, OrganisationFilter, OrganisationForm};
use crate::models::{Page, site};
use crate::services::dashboard;
use crate::services::organisations;
use crate::web::handlers::history_view;
use crate::web::page::{Again, Ctx, see_other};

/// Filters and page of the list; query strings stay shareable links.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    family: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    framework: String,
    #[serde(default)]
    standing: String,
    /// `,` for a comma-separated CSV export
    #[serde(default)]
    separateur: String,
    page: Option<i64>,
    per_page: Option<i64>,
}

impl ListQuery {
    pub fn filter(&self) -> OrganisationFilter {
        OrganisationFilter {
            q: self.q.clone(),
            family: self.family.clone(),
            region: self.region.clone(),
            sort: self.sort.clone(),
            framework: self.framework.clone(),
            standing: self.standing.clone(),
        }
    }
}

/// Choices offered by the organisme forms and filters.
pub fn choices(page: &mut Context) {
    page.insert(
        "families",
        &Family::ALL
            .iter()
            .map(|f| (f.as_str(), f.label_key()))
            .collect::<Vec<_>>(),
    );
    page.insert(
        "federations",
        &Federation::ALL
            .iter()
            .map(|f| (f.as_str(), f.label_key()))
            .collect::<Vec<_>>(),
    );
    page.insert(
        "regions",
        &Region::all()
            .iter()
            .map(|r| (r.code, r.name))
            .collect::<Vec<_>>(),
    );
}

/// The framework standing of each organisme, when the list is of one framework (the lists
/// behind the dashboard's figures).
fn standings_of(
    conn: &mut crate::db::DbConnection,
    user: &crate::auth::CurrentUser,
    filter: &OrganisationFilter,
    only: Option<&[String]>,
) -> Result<HashMap<String, crate::services::schedules::FrameworkStanding>, AppError> {
    if filter.framework.is_empty() {
        return Ok(HashMap::new());
    }
    let calendar = crate::domain::calendar::CalendarFilter {
        framework: filter.framework.clone(),
        region: filter.region.clone(),
        family: filter.family.clone(),
        ..crate::domain::calendar::CalendarFilter::default()
    };
    crate::services::schedules::standings(
        conn,
        &user.scope(),
        &calendar,
        only,
        chrono::Utc::now().date_naive(),
    )
}

pub async fn list_organisations(
    ctx: Ctx,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = query.filter();
    let shown_filter = filter.clone();
    let paging = Page::new(query.page, query.per_page);
    let lang = ctx.lang(None);
    let (user, (result, frameworks, standings)) = ctx
        .user_run(move |conn, user| {
            let result = organisation::list(conn, &user.scope(), &filter, paging)?;
            let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
            let shown: Vec<String> = result
                .items
                .iter()
                .map(|i| i.organisation.id.clone())
                .collect();
            let standings = standings_of(conn, user, &filter, Some(&shown))?;
            Ok((result, dashboard::framework_lines(conn, lang)?, standings))
        })
        .await?;
    if let Some(id) = policy::lives_in_one_organisation(&user) {
        return Ok(see_other(&format!("/organismes/{id}")));
    }
    let mut page = ctx.page(Some(&user), "organisations");
    choices(&mut page);
    page.insert("query_string", &filter_query_string(&shown_filter));
    page.insert("filter", &shown_filter);
    page.insert("frameworks", &frameworks);
    page.insert(
        "standings",
        &Standing::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    );
    page.insert("framework_standings", &standings);
    page.insert("result", &result);
    page.insert("can_create", &policy::may_create_organisation(&user));
    ctx.render("organisations/list.html", &page)
}

/// Every organisme of the list (all its pages), with its framework standing when the list is
/// of one framework.
async fn whole_list(
    ctx: &Ctx,
    query: ListQuery,
) -> Result<(crate::auth::CurrentUser, crate::reports::sheet::Sheet), AppError> {
    let filter = query.filter();
    let lang = ctx.lang(None);
    ctx.user_run(move |conn, user| {
        let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
        let mut items = Vec::new();
        let mut number = 1;
        loop {
            let page = organisation::list(
                conn,
                &user.scope(),
                &filter,
                Page::new(Some(number), Some(Page::MAX_SIZE)),
            )?;
            let pages = page.pages;
            items.extend(page.items);
            if number >= pages {
                break;
            }
            number += 1;
        }
        let standings = standings_of(conn, user, &filter, None)?;
        let with_framework = !filter.framework.is_empty();
        Ok(crate::reports::organisations::sheet(
            &items,
            with_framework.then_some(&standings),
            lang,
        ))
    })
    .await
}

/// The list as the page filters it, every page of it, as CSV (`;`, or `separateur=,`).
pub async fn export_csv(ctx: Ctx, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let delimiter = if query.separateur == "," { b',' } else { b';' };
    let (_, table) = whole_list(&ctx, query).await?;
    let body = crate::reports::sheet::to_csv(&table, delimiter).map_err(AppError::unexpected)?;
    Ok(crate::web::page::download(
        "text/csv; charset=utf-8",
        "organismes.csv",
        body,
    ))
}

/// The list as the page filters it, every page of it, as an XLSX workbook.
pub async fn export_xlsx(ctx: Ctx, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let (_, table) = whole_list(&ctx, query.into_inner()).await?;
    crate::web::page::workbook(
        crate::reports::sheet::Workbook::Xlsx,
        "organismes",
        &[table],
    )
}

/// The same list as an OpenDocument spreadsheet.
pub async fn export_ods(ctx: Ctx, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let (_, table) = whole_list(&ctx, query.into_inner()).await?;
    crate::web::page::workbook(crate::reports::sheet::Workbook::Ods, "organismes", &[table])
}

/// The filters as a query string, so pagination links keep them.
fn filter_query_string(filter: &OrganisationFilter) -> String {
    serde_urlencoded::to_string(
        [
            ("q", &filter.q),
            ("family", &filter.family),
            ("region", &filter.region),
            ("sort", &filter.sort),
            ("framework", &filter.framework),
            ("standing", &filter.standing),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

pub async fn new_organisation_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (user, ()) = ctx
        .user_run(|_, user| ensure(policy::may_administer(user)))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    choices(&mut page);
    page.insert("form", &OrganisationForm::default());
    ctx.render("organisations/form.html", &page)
}

pub async fn create_organisation(
    ctx: Ctx,
    form: web::Form<OrganisationForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let submitted = form.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| organisations::create(conn, user, &form))
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |created| {
            ctx.flash_with(
                FlashKind::Success,
                "flash-organisation-created",
                vec![("name".into(), created.name.clone())],
            );
            Ok(see_other(&format!("/organismes/{}", created.id)))
        },
        |error| async move {
            let mut page = ctx.page(Some(&user), "organisations");
            choices(&mut page);
            page.insert("form", &submitted);
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "organisations/form.html",
                &page,
            )
        },
    )
    .await
}

pub async fn show_organisation(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, (organisation, sites, (recent, names), (charter, commitments, joins))) = ctx
        .user_run(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            let sites = site::list_for(conn, &organisation.id)?;
            let recent = if policy::reads_history(user) {
                history::for_organisation(conn, &organisation.id, 10)?
            } else {
                Vec::new()
            };
            let names = history_view::names(conn, &recent)?;
            let charter = crate::services::charters::latest(conn, &organisation.id)?;
            let commitments = commitment_cards(conn, &organisation.id)?;
            // Shown to administrators only, read for them only.
            let joins = policy::may_administer(user)
                && crate::models::identity::auto_join(conn, &organisation.id)?;
            Ok((
                organisation,
                sites,
                (recent, names),
                (charter, commitments, joins),
            ))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    // Whether its staff join by themselves through a provider: the administrators' choice.
    if policy::may_administer(&user) {
        page.insert("providers", &crate::web::handlers::sso::offered(&ctx, "/"));
        page.insert("auto_join", &joins);
    }
    page.insert(
        "can_edit",
        &policy::may_edit_organisation(&user, &organisation.id),
    );
    page.insert("can_read_history", &policy::reads_history(&user));
    page.insert(
        "region_name",
        &Region::by_code(&organisation.region).map(|r| r.name),
    );
    page.insert(
        "sites_homes",
        &sites.iter().map(|s| i64::from(s.homes)).sum::<i64>(),
    );
    page.insert("organisation", &organisation);
    page.insert("sites", &sites);
    page.insert("charter", &charter);
    let lang = ctx.lang(Some(&user));
    let today = chrono::Utc::now().date_naive();
    let cards = crate::web::handlers::commitments::view::cards(&commitments, lang, today);
    page.insert("commitments", &cards);
    page.insert("history", &history_view::present(&recent, lang, &names));
    ctx.render("organisations/show.html", &page)
}

/// Each commitment of the organisme with its framework's name and version and its schedule.
fn commitment_cards(
    conn: &mut crate::db::DbConnection,
    organisation_id: &str,
) -> Result<Vec<crate::services::schedules::CommitmentSchedule>, AppError> {
    crate::services::schedules::of_organisation(
        conn,
        organisation_id,
        chrono::Utc::now().date_naive(),
    )
}

pub async fn edit_organisation_form(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, organisation) = ctx
        .user_run(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            Ok(organisation)
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    choices(&mut page);
    page.insert("form", &OrganisationForm::from(&organisation));
    page.insert("organisation", &organisation);
    ctx.render("organisations/form.html", &page)
}

pub async fn update_organisation(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<OrganisationForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let submitted = form.clone();
    let lookup_id = id.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| organisations::update(conn, user, &id, &form))
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalidOrStale,
        |updated| {
            ctx.flash(FlashKind::Success, "flash-organisation-updated");
            Ok(see_other(&format!("/organismes/{}", updated.id)))
        },
        |error| async move {
            let (_, current) = ctx
                .user_run(move |conn, user| organisation::find(conn, &user.scope(), &lookup_id))
                .await?;
            render_form_again(ctx, &user, submitted, &current, &error)
        },
    )
    .await
}

/// Shows the edit form again with what was typed; on a conflict, also what is stored now,
/// and the current version so that saving again is a deliberate overwrite.
fn render_form_again(
    ctx: &Ctx,
    user: &crate::auth::CurrentUser,
    mut submitted: OrganisationForm,
    current: &Organisation,
    error: &AppError,
) -> Result<HttpResponse, AppError> {
    let mut page = ctx.page(Some(user), "organisations");
    choices(&mut page);
    if matches!(error, AppError::Conflict) {
        page.insert("conflict", &OrganisationForm::from(current));
        submitted.version = Some(current.version);
    }
    page.insert("form", &submitted);
    page.insert("organisation", current);
    ctx.with_errors(&mut page, Some(user), error);
    ctx.render_status(error.info().status, "organisations/form.html", &page)
}

pub async fn organisation_history(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, (organisation, entries, names)) = ctx
        .user_run(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            if !policy::reads_history(user) {
                return Err(AppError::Forbidden);
            }
            let entries = history::for_organisation(conn, &organisation.id, 500)?;
            let names = history_view::names(conn, &entries)?;
            Ok((organisation, entries, names))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("organisation", &organisation);
    page.insert(
        "entries",
        &history_view::present(&entries, ctx.lang(Some(&user)), &names),
    );
    ctx.render("organisations/history.html", &page)
}

#[derive(Debug, serde::Deserialize)]
pub struct AutoJoinForm {
    #[serde(default)]
    auto_join: String,
}

/// Turns on (or off) the organisme's staff joining it by themselves through a provider.
pub async fn set_auto_join(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<AutoJoinForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let on = form.into_inner().auto_join == "on";
    let lookup = id.clone();
    ctx.user_run(move |conn, admin| {
        crate::error::ensure(policy::may_administer(admin))?;
        let found = organisation::find(conn, &admin.scope(), &lookup)?;
        crate::models::identity::set_auto_join(
            conn,
            &crate::models::history::Actor::user(&admin.id, &admin.email),
            &found.id,
            on,
        )
    })
    .await?;
    ctx.flash(
        crate::auth::session::FlashKind::Success,
        if on {
            "flash-auto-join-on"
        } else {
            "flash-auto-join-off"
        },
    );
    Ok(see_other(&format!("/organismes/{id}")))
}
