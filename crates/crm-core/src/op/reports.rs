//! `report.*`: sales reports as data a host can chart.

use super::{facet, operation};
use crate::service::SalesReport;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Sales reports.
    reports -> ReportOps {
        sales: SalesReportOf,
    }
);

fn default_pipeline() -> String {
    "default".to_owned()
}

/// The sales report of one pipeline over a date range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesReportOf {
    /// The pipeline (default `"default"`).
    #[serde(default = "default_pipeline")]
    pub pipeline: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day (not before `from`).
    pub to: NaiveDate,
}

operation!(SalesReportOf, "report.sales", Reports, Read, SalesReport,
    "The sales report of one pipeline over the opportunities the actor may read (reports read): {weighted_by_month, weighted_by_owner, categories, funnel, win_rate}; the win rate counts deals closed in [from, to].",
    |crm, actor, r| crm.sales_report(actor, &r.pipeline, r.from, r.to));
