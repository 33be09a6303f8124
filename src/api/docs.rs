//! The OpenAPI document, generated from the handlers' annotations, and a readable page of it
//! rendered on the server (no external script, so it works under our strict CSP).

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::AppError;
use crate::web::page::Ctx;

/// Error answers: a message, and per-field reasons for invalid input.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub fields: Option<std::collections::BTreeMap<String, String>>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The refusals every operation may answer, declared once here rather than on each: a
/// client generated from the document then knows every status it can meet.
struct Refusals;

impl Modify for Refusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let refusal = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        let common = [
            (
                "400",
                "The request cannot be read (malformed JSON or query, a value of the wrong type, named in `error`)",
            ),
            ("401", "No valid token (`WWW-Authenticate: Bearer`)"),
            ("403", "The token's account may not do this"),
            ("404", "Nothing at this address within the account's scope"),
            (
                "405",
                "The address does not answer this method (`Allow` lists those it does)",
            ),
            (
                "422",
                "Refused on its content: `fields` names each field and why; nothing was written",
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            let writes = [&mut item.post, &mut item.put];
            for operation in writes.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses.entry("409".into()).or_insert_with(|| {
                    refusal("Written meanwhile by someone else (stale `version`)")
                });
                let uploads = operation
                    .request_body
                    .as_ref()
                    .is_some_and(|body| body.content.contains_key("multipart/form-data"));
                if uploads {
                    responses
                        .entry("413".into())
                        .or_insert_with(|| refusal("A file is over the upload limit"));
                }
            }
            let all = [&mut item.get, &mut item.post, &mut item.put];
            for operation in all.into_iter().flatten() {
                for (code, description) in common {
                    operation
                        .responses
                        .responses
                        .entry(code.into())
                        .or_insert_with(|| refusal(description));
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "qualitrack API", description = "Quality frameworks, audits and indicators of French social housing. Authenticate with `Authorization: Bearer <token>` (create a token on your account page or with `qualitrack token create`)."),
    paths(
        super::me,
        super::audits::list,
        super::audits::get,
        super::audits::findings,
        super::audits::save_finding,
        super::audits::report,
        super::audits::report_odt,
        super::audits::report_docx,
        super::actions::list,
        super::actions::create,
        super::actions::get,
        super::actions::update,
        super::commitments::list,
        super::commitments::get,
        super::commitments::create,
        super::commitments::transition,
        super::commitments::schedule,
        super::evidence::list,
        super::evidence::upload,
        super::evidence::get,
        super::evidence::download,
        super::indicators::list,
        super::indicators::values,
        super::indicators::write,
        super::indicators::benchmark,
        super::surveys::list,
        super::federation::dashboard,
        super::frameworks::list,
        super::frameworks::get,
        super::organisations::list,
        super::organisations::get,
        super::organisations::create,
        super::organisations::update,
        super::sites::list,
        super::sites::get,
        super::sites::create,
        super::sites::update,
    ),
    components(schemas(ErrorBody, super::actions::ActionPayload, super::actions::NewActionPayload, super::Me, super::frameworks::MappingOut, super::organisations::OrganisationPayload, super::sites::SitePayload, super::sites::SiteList)),
    modifiers(&BearerAuth, &Refusals),
    tags((name = "account"), (name = "actions"), (name = "audits"), (name = "commitments"), (name = "evidence"), (name = "federation"), (name = "frameworks"), (name = "indicators"), (name = "organisations"), (name = "sites"))
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    env!("CARGO_PKG_VERSION").clone_into(&mut doc.info.version);
    doc
}

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// `/api/docs`: every operation with its parameters, body and answers.
pub async fn docs_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let spec = serde_json::to_value(document()).map_err(AppError::unexpected)?;
    let mut operations = Vec::new();
    if let Some(paths) = spec["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "delete"] {
                if let Some(op) = item.get(method) {
                    operations.push(serde_json::json!({
                        "method": method.to_uppercase(),
                        "path": path,
                        "summary": op.get("summary").or_else(|| op.get("description")),
                        "tag": op["tags"][0],
                        "parameters": op.get("parameters"),
                        "body": op.pointer("/requestBody/content/application~1json/schema"),
                        "responses": op.get("responses"),
                    }));
                }
            }
        }
    }
    let mut page = ctx.page(None, "api");
    page.insert("operations", &operations);
    page.insert("schemas", &spec.pointer("/components/schemas"));
    ctx.render("api/docs.html", &page)
}
