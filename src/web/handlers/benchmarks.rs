//! Benchmarks of indicators for federation staff (and administrators): every organisme's
//! figure for a year within their scope, by region and family, with the quartiles and the
//! distribution as a chart beside its table.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::actor::OrgScope;
use crate::domain::policy;
use crate::domain::region::Region;
use crate::error::AppError;
use crate::i18n;
use crate::reports::charts::{Chart, bars_svg};
use crate::services::benchmarks::{self, Filter};
use crate::web::page::Ctx;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BenchmarkQuery {
    pub indicateur: String,
    pub annee: String,
    pub region: String,
    pub famille: String,
}

impl BenchmarkQuery {
    fn filter(&self, code: String) -> Filter {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Filter {
            code,
            year: self.annee.trim().parse().ok(),
            region: some(&self.region),
            family: some(&self.famille),
        }
    }
}

pub async fn show(ctx: Ctx, query: web::Query<BenchmarkQuery>) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let asked = query.clone();
    let (user, (indicators, result)) = ctx
        .user_run(move |conn, user| {
            if !policy::sees_federation_views(user) {
                return Err(AppError::Forbidden);
            }
            let indicators = benchmarks::comparable(conn, &user.scope())?;
            let code = if asked.indicateur.is_empty() {
                benchmarks::most_followed(&indicators)
                    .map(|i| i.code.clone())
                    .unwrap_or_default()
            } else {
                asked.indicateur.clone()
            };
            let result = if code.is_empty() {
                None
            } else {
                Some(benchmarks::compute(
                    conn,
                    &user.scope(),
                    &asked.filter(code),
                )?)
            };
            Ok((indicators, result))
        })
        .await?;
    let lang = ctx.lang(Some(&user));
    let mut page = ctx.page(Some(&user), "benchmarks");
    if let Some(result) = &result {
        let chart = Chart {
            title: i18n::t_args(
                lang,
                "benchmarks-chart-title",
                &[("name", result.name.clone())],
            ),
            points: result
                .bins
                .iter()
                .map(|(from, to, count)| {
                    (
                        format!(
                            "{}–{}",
                            i18n::format_number(*from, 0),
                            i18n::format_number(*to, 0)
                        ),
                        f64::from(u32::try_from(*count).unwrap_or(u32::MAX)),
                    )
                })
                .collect(),
            target: None,
            range: None,
            suffix: String::new(),
        };
        page.insert("chart_svg", &bars_svg(&chart));
    }
    // What the first row of the summary covers: the region asked, else the viewer's own.
    let own = match user.scope() {
        OrgScope::Region(code) => Some(code),
        _ => None,
    };
    let region = Some(query.region.trim().to_owned())
        .filter(|r| !r.is_empty())
        .or(own)
        .and_then(|code| Region::by_code(&code))
        .map(|r| r.name);
    page.insert("part_name", &region);
    page.insert("result", &result);
    page.insert("indicators", &indicators);
    page.insert("query", &query);
    crate::web::handlers::organisations::choices(&mut page);
    ctx.render("federation/benchmarks.html", &page)
}
