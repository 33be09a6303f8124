//! The action plan of an organisme: its actions filtered by the address (state, origin,
//! framework, site, owner, priority), the most overdue first, exported as the page shows
//! them; a new action of the organisme's own; and each action's page (`item`).

mod item;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db::parse_id;
use crate::domain::action_plan::{ActionOrigin, Priority, StateFilter};
use crate::domain::policy;
use crate::error::AppError;
use crate::models::action::NewActionForm;
use crate::reports::sheet::{self, Workbook};
use crate::services::actions::{self as service, Plan, PlanFilter};
use crate::web::page::{Again, Ctx, download, see_other};

pub use item::{show_action, update_action};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The plan's filters as the address carries them, in French like the page.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanQuery {
    pub etat: String,
    pub origine: String,
    pub referentiel: String,
    pub site: String,
    pub responsable: String,
    pub priorite: String,
    /// `,` for a comma-separated CSV (the default is `;`, as French spreadsheets read)
    #[serde(skip_serializing)]
    pub separateur: String,
}

impl PlanQuery {
    /// An unknown origin or priority filters nothing rather than refusing the page.
    fn filter(&self) -> PlanFilter {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        PlanFilter {
            state: StateFilter::from_query(&self.etat),
            origin: ActionOrigin::parse(&self.origine).ok(),
            framework: some(&self.referentiel),
            site: some(&self.site),
            owner: some(&self.responsable),
            priority: Priority::parse(&self.priorite).ok(),
        }
    }

    /// The filters as a query string (without the CSV separator), for links and exports.
    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("etat", self.etat.as_str()),
            ("origine", &self.origine),
            ("referentiel", &self.referentiel),
            ("site", &self.site),
            ("responsable", &self.responsable),
            ("priorite", &self.priorite),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

async fn gather(
    ctx: &Ctx,
    organisation: String,
    query: &PlanQuery,
) -> Result<(crate::auth::CurrentUser, Plan), AppError> {
    let id = parse_id(&organisation)?;
    let filter = query.filter();
    ctx.user_run(move |conn, user| service::plan(conn, user, &id, &filter, today()))
        .await
}

pub async fn list_actions(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (user, plan) = gather(&ctx, path.into_inner(), &query).await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert(
        "may_create",
        &policy::may_create_action(&user, &plan.organisation.id),
    );
    page.insert("state", query.filter().state.code());
    page.insert("states", &StateFilter::CODES);
    page.insert(
        "origins",
        &ActionOrigin::ALL
            .iter()
            .map(|o| o.as_str())
            .collect::<Vec<_>>(),
    );
    page.insert(
        "priorities",
        &Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
    );
    page.insert("no_owner", service::NO_OWNER);
    page.insert("query_string", &query.query_string());
    // The state tabs keep the other filters.
    let others = PlanQuery {
        etat: String::new(),
        ..query.clone()
    }
    .query_string();
    page.insert("other_filters", &others);
    page.insert("filtered", &(query.query_string() != ""));
    page.insert("query", &query);
    page.insert("plan", &plan);
    ctx.render("actions/list.html", &page)
}

/// The plan as the page shows it, as CSV (`;` unless `separateur=,`).
pub async fn export_csv(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (user, plan) = gather(&ctx, path.into_inner(), &query).await?;
    let table = crate::reports::action_plan::sheet(&plan.rows, ctx.lang(Some(&user)));
    let delimiter = if query.separateur == "," { b',' } else { b';' };
    let body = sheet::to_csv(&table, delimiter).map_err(AppError::unexpected)?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("plan-actions-{}.csv", plan.organisation.siren),
        body,
    ))
}

/// The plan as the page shows it, as an XLSX workbook.
pub async fn export_xlsx(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, AppError> {
    export_workbook(ctx, path, query, Workbook::Xlsx).await
}

/// The same plan as an OpenDocument spreadsheet.
pub async fn export_ods(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, AppError> {
    export_workbook(ctx, path, query, Workbook::Ods).await
}

async fn export_workbook(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<PlanQuery>,
    format: Workbook,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (user, plan) = gather(&ctx, path.into_inner(), &query).await?;
    let table = crate::reports::action_plan::sheet(&plan.rows, ctx.lang(Some(&user)));
    crate::web::page::workbook(
        format,
        &format!("plan-actions-{}", plan.organisation.siren),
        &[table],
    )
}

fn new_page(
    ctx: &Ctx,
    user: &crate::auth::CurrentUser,
    data: (
        crate::models::organisation::Organisation,
        crate::models::action::Choices,
    ),
    form: &NewActionForm,
) -> tera::Context {
    let (organisation, choices) = data;
    let mut page = ctx.page(Some(user), "organisations");
    page.insert("organisation", &organisation);
    page.insert("choices", &choices);
    page.insert(
        "origins",
        &ActionOrigin::chosen()
            .map(ActionOrigin::as_str)
            .collect::<Vec<_>>(),
    );
    page.insert(
        "priorities",
        &Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
    );
    page.insert("form", form);
    page
}

pub async fn new_action(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| service::creatable(conn, user, &id))
        .await?;
    let form = NewActionForm {
        priority: Priority::Normal.as_str().to_owned(),
        origin: ActionOrigin::Transversal.as_str().to_owned(),
        ..NewActionForm::default()
    };
    let page = new_page(&ctx, &user, data, &form);
    ctx.render("actions/new.html", &page)
}

pub async fn create_action(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<NewActionForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let submitted = form.clone();
    let lookup = id.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| service::create(conn, user, &id, &form))
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |created| {
            ctx.flash(
                crate::auth::session::FlashKind::Success,
                "flash-action-created",
            );
            Ok(see_other(&format!("/actions/{}", created.id)))
        },
        |error| async move {
            let (_, data) = ctx
                .user_run(move |conn, user| service::creatable(conn, user, &lookup))
                .await?;
            let mut page = new_page(ctx, &user, data, &submitted);
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, "actions/new.html", &page)
        },
    )
    .await
}
