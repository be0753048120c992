//! `report.*`: sales reports as data a host can chart.

use super::{Op, Request};
use crate::error::FfiResult;
use chrono::NaiveDate;
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[Op {
    name: "report.sales",
    calls: "sales_report",
    summary: "The sales report of one pipeline over the opportunities the actor may read (reports read): {weighted_by_month, weighted_by_owner, categories, funnel, win_rate}; the win rate counts deals closed in [from, to].",
    request: r#"{"pipeline?": "string, default \"default\"", "from": "YYYY-MM-DD", "to": "YYYY-MM-DD, not before from"}"#,
    handler: sales,
    access: None,
    schemas: None,
}];

fn default_pipeline() -> String {
    "default".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sales {
    #[serde(default = "default_pipeline")]
    pipeline: String,
    from: NaiveDate,
    to: NaiveDate,
}

fn sales(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Sales = r.parse()?;
    r.run(move |crm| async move {
        crm.sales_report(actor, &req.pipeline, req.from, req.to)
            .await
    })
}
