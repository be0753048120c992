//! Opportunities (商机, §4.4): the stored record and the default pipeline; the stage rules
//! themselves are pure functions in [`crate::sales::pipeline`].

use crate::ids::{CustomerId, OpportunityId, TenantId, UserId};
use crate::sales::{ForecastCategory, LineInput, OpportunityState, Pipeline, Stage, StageChange};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The default pipeline: 线索 lead 10 %, 需求确认 qualified 30 %, 方案报价 proposal 60 %,
/// 谈判 negotiation 80 %.
pub fn default_pipeline() -> Pipeline {
    let stage = |key: &str, name: &str, p: i64, category| Stage {
        key: key.into(),
        name: name.into(),
        probability: Decimal::from(p),
        category,
    };
    Pipeline {
        stages: vec![
            stage("lead", "线索 Lead", 10, ForecastCategory::Pipeline),
            stage(
                "qualified",
                "需求确认 Qualified",
                30,
                ForecastCategory::Pipeline,
            ),
            stage(
                "proposal",
                "方案报价 Proposal",
                60,
                ForecastCategory::BestCase,
            ),
            stage(
                "negotiation",
                "谈判 Negotiation",
                80,
                ForecastCategory::Commit,
            ),
        ],
    }
}

/// An opportunity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Opportunity {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: OpportunityId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The customer.
    pub customer_id: CustomerId,
    /// Owner.
    pub owner_id: UserId,
    /// Name.
    pub name: String,
    /// Amount.
    pub amount: Decimal,
    /// Currency code.
    pub currency: String,
    /// Pipeline name.
    pub pipeline: String,
    /// Stage, status, probability.
    pub state: OpportunityState,
    /// Expected close date.
    pub expected_close: NaiveDate,
    /// Actual close date once won or lost.
    pub closed_on: Option<NaiveDate>,
    /// Products.
    pub products: Vec<LineInput>,
    /// Append-only stage history.
    pub history: Vec<StageChange>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Who shares the credit when it is won (业绩分成); none: the owner alone. Set before
    /// it is won (`opportunity.set_credit_split`); fixed into credit records at the win.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_split: Option<crate::credit::CreditSplit>,
}

impl Record for Opportunity {
    const ENTITY: Entity = Entity::Opportunity;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.into()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![
            self.customer_id.0.into(),
            self.owner_id.0.into(),
            self.state.status.as_str().into(),
            self.expected_close.format("%Y-%m-%d").to_string().into(),
            self.created_at.into(),
        ]
    }
}
