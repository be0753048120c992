//! Pipelines and stage moves of opportunities (商机, §4.4).
//!
//! A pipeline is an ordered list of *open* stages, each with a default probability and a
//! forecast category. Won and Lost are terminal pseudo-stages with the fixed keys
//! [`WON`] and [`LOST`]. An opportunity's probability has an `auto` flag: while auto it
//! follows the stage default (100 on Won, 0 on Lost); once set by hand every stage move —
//! including winning, losing and reopening — keeps the hand-set value. Reports count Won at
//! 100 % and Lost at 0 % whatever the stored value ([`OpportunityState::effective_probability`]).

use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Stage key of won opportunities.
pub const WON: &str = "won";
/// Stage key of lost opportunities.
pub const LOST: &str = "lost";
/// The lost reason that requires notes.
pub const LOST_REASON_OTHER: &str = "other";

/// Forecast category of a stage, from least to most certain.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ForecastCategory {
    /// Early pipeline.
    Pipeline,
    /// Best case.
    BestCase,
    /// Commit.
    Commit,
    /// Closed (won); only the Won pseudo-stage has it.
    Closed,
}

/// One open stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stage {
    /// Stable key, unique in the pipeline; not `won` or `lost`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Default probability in percent, `0..=100`.
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub probability: Decimal,
    /// Forecast category (not `closed`: that is the Won pseudo-stage's).
    pub category: ForecastCategory,
}

/// The ordered open stages of a tenant's pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pipeline {
    /// Stages in funnel order.
    pub stages: Vec<Stage>,
}

impl Pipeline {
    /// Checks the pipeline: at least one stage; keys non-empty, unique, not `won`/`lost`
    /// (field `stages[i].key`); probabilities `0..=100` (`stages[i].probability`); no open
    /// stage in category `closed` (`stages[i].category`).
    pub fn validate(&self) -> CrmResult<()> {
        if self.stages.is_empty() {
            return Err(CrmError::validation("stages", "at least one stage"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.stages.iter().enumerate() {
            let key_field = format!("stages[{i}].key");
            let key = crate::validate::required_text(&s.key, &key_field, 100)?;
            if key == WON || key == LOST {
                return Err(CrmError::validation(key_field, "won and lost are reserved"));
            }
            if !seen.insert(key) {
                return Err(CrmError::validation(key_field, "defined twice"));
            }
            super::units::percent(s.probability, &format!("stages[{i}].probability"), 4)?;
            if s.category == ForecastCategory::Closed {
                return Err(CrmError::validation(
                    format!("stages[{i}].category"),
                    "closed is reserved for won deals",
                ));
            }
        }
        Ok(())
    }

    /// The open stage with `key`.
    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    /// Funnel position of an open stage (0-based).
    pub fn position(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key == key)
    }

    /// Forecast category of any stage key: `closed` for won; the stage's category for open
    /// stages; `None` for lost or unknown keys.
    pub fn category_of(&self, key: &str) -> Option<ForecastCategory> {
        if key == WON {
            Some(ForecastCategory::Closed)
        } else {
            self.stage(key).map(|s| s.category)
        }
    }

    fn open_stage(&self, key: &str) -> CrmResult<&Stage> {
        self.stage(key).ok_or_else(|| {
            CrmError::validation(
                "stage",
                format!("no open stage {}", crate::validate::quote(key)),
            )
        })
    }
}

/// Open, won or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OpportunityStatus {
    /// In an open stage.
    Open,
    /// Won (terminal until reopened).
    Won,
    /// Lost (terminal until reopened).
    Lost,
}

impl OpportunityStatus {
    /// The stable name (`open`, `won`, `lost`), as serialized and as stored in the status
    /// column.
    pub fn as_str(self) -> &'static str {
        match self {
            OpportunityStatus::Open => "open",
            OpportunityStatus::Won => "won",
            OpportunityStatus::Lost => "lost",
        }
    }
}

impl std::fmt::Display for OpportunityStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stage-related state of an opportunity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OpportunityState {
    /// Current stage key (`won`/`lost` when closed).
    pub stage: String,
    /// Status.
    pub status: OpportunityStatus,
    /// Probability in percent.
    pub probability: Decimal,
    /// True while the probability follows the stage default.
    pub probability_auto: bool,
    /// Why it was lost (set while Lost).
    pub lost_reason: Option<String>,
    /// Notes on the loss (required when the reason is "other").
    pub lost_notes: Option<String>,
}

impl OpportunityState {
    /// Probability reports use: 100 when won, 0 when lost, else the stored one.
    pub fn effective_probability(&self) -> Decimal {
        effective_probability(self.status, self.probability)
    }
}

/// 100 when won, 0 when lost, else `probability`.
pub fn effective_probability(status: OpportunityStatus, probability: Decimal) -> Decimal {
    match status {
        OpportunityStatus::Won => Decimal::ONE_HUNDRED,
        OpportunityStatus::Lost => Decimal::ZERO,
        OpportunityStatus::Open => probability,
    }
}

/// One append-only stage-history entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageChange {
    /// Previous stage key; `None` for the entry that opens the opportunity.
    pub from: Option<String>,
    /// New stage key.
    pub to: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: UserId,
}

/// A requested stage move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "move", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StageMove {
    /// To another open stage (forwards or backwards).
    To {
        /// Target stage key.
        stage: String,
    },
    /// Mark won.
    Win,
    /// Mark lost.
    Lose {
        /// Required reason.
        reason: String,
        /// Notes; required when the reason is `other`.
        #[serde(default)]
        notes: Option<String>,
    },
    /// Reopen a won or lost opportunity into an open stage.
    Reopen {
        /// Target open stage key.
        stage: String,
    },
}

/// State and history entry of a new opportunity in `stage`. `probability`: `None` follows
/// the stage default (auto), `Some(p)` is set by hand (field `probability` if outside
/// `0..=100`). Field `stage` for an unknown stage.
pub fn open_opportunity(
    pipeline: &Pipeline,
    stage: &str,
    probability: Option<Decimal>,
    by: UserId,
    at: DateTime<Utc>,
) -> CrmResult<(OpportunityState, StageChange)> {
    let s = pipeline.open_stage(stage)?;
    let (probability, auto) = match probability {
        None => (s.probability, true),
        Some(p) => (super::units::percent(p, "probability", 4)?, false),
    };
    Ok((
        OpportunityState {
            stage: s.key.clone(),
            status: OpportunityStatus::Open,
            probability,
            probability_auto: auto,
            lost_reason: None,
            lost_notes: None,
        },
        StageChange {
            from: None,
            to: s.key.clone(),
            at,
            by,
        },
    ))
}

/// Sets the probability by hand (turns `auto` off). Field `probability` outside `0..=100`.
pub fn set_probability(state: &OpportunityState, percent: Decimal) -> CrmResult<OpportunityState> {
    let p = super::units::percent(percent, "probability", 4)?;
    Ok(OpportunityState {
        probability: p,
        probability_auto: false,
        ..state.clone()
    })
}

/// Turns `auto` back on: the probability follows the current stage again (100 won, 0 lost).
pub fn reset_probability(pipeline: &Pipeline, state: &OpportunityState) -> OpportunityState {
    let probability = match state.status {
        OpportunityStatus::Won => Decimal::ONE_HUNDRED,
        OpportunityStatus::Lost => Decimal::ZERO,
        OpportunityStatus::Open => pipeline
            .stage(&state.stage)
            .map_or(state.probability, |s| s.probability),
    };
    OpportunityState {
        probability,
        probability_auto: true,
        ..state.clone()
    }
}

/// Moves an opportunity; returns the new state and the history entry to append.
///
/// - `To`: only while Open (rule `opportunity_closed`), to another open stage (field
///   `stage` if unknown; rule `stage_unchanged` if it is the current one).
/// - `Win` / `Lose`: only while Open (rule `opportunity_closed`). Losing needs a reason
///   (field `lost_reason`) and, when the reason is `other` (any case), notes (field
///   `lost_notes`).
/// - `Reopen`: only while Won or Lost (rule `opportunity_open`), into an open stage; clears
///   the loss reason and notes.
///
/// While `probability_auto`, the probability becomes the new stage's default (100 won, 0
/// lost); a hand-set probability is kept.
pub fn move_stage(
    pipeline: &Pipeline,
    state: &OpportunityState,
    mv: &StageMove,
    by: UserId,
    at: DateTime<Utc>,
) -> CrmResult<(OpportunityState, StageChange)> {
    let closed = || {
        CrmError::rule(
            "opportunity_closed",
            format!("the opportunity is {}; reopen it first", state.stage),
        )
    };
    let mut next = state.clone();
    match mv {
        StageMove::To { stage } => {
            if state.status != OpportunityStatus::Open {
                return Err(closed());
            }
            let s = pipeline.open_stage(stage)?;
            if s.key == state.stage {
                return Err(CrmError::rule(
                    "stage_unchanged",
                    format!(
                        "the opportunity is already in {}",
                        crate::validate::quote(stage)
                    ),
                ));
            }
            next.stage = s.key.clone();
            if next.probability_auto {
                next.probability = s.probability;
            }
        }
        StageMove::Win => {
            if state.status != OpportunityStatus::Open {
                return Err(closed());
            }
            next.stage = WON.into();
            next.status = OpportunityStatus::Won;
            if next.probability_auto {
                next.probability = Decimal::ONE_HUNDRED;
            }
        }
        StageMove::Lose { reason, notes } => {
            if state.status != OpportunityStatus::Open {
                return Err(closed());
            }
            let reason = crate::validate::required_text(reason, "lost_reason", 200)?;
            let notes = crate::validate::optional_text(
                notes.as_deref(),
                "lost_notes",
                crate::validate::MAX_NOTE,
            )?;
            if reason.eq_ignore_ascii_case(LOST_REASON_OTHER) && notes.is_none() {
                return Err(CrmError::validation(
                    "lost_notes",
                    "required when the reason is \"other\"",
                ));
            }
            next.stage = LOST.into();
            next.status = OpportunityStatus::Lost;
            next.lost_reason = Some(reason);
            next.lost_notes = notes;
            if next.probability_auto {
                next.probability = Decimal::ZERO;
            }
        }
        StageMove::Reopen { stage } => {
            if state.status == OpportunityStatus::Open {
                return Err(CrmError::rule(
                    "opportunity_open",
                    "only won or lost opportunities can be reopened",
                ));
            }
            let s = pipeline.open_stage(stage)?;
            next.stage = s.key.clone();
            next.status = OpportunityStatus::Open;
            next.lost_reason = None;
            next.lost_notes = None;
            if next.probability_auto {
                next.probability = s.probability;
            }
        }
    }
    let change = StageChange {
        from: Some(state.stage.clone()),
        to: next.stage.clone(),
        at,
        by,
    };
    Ok((next, change))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Pipeline {
        let st = |key: &str, p: i64, category| Stage {
            key: key.into(),
            name: key.to_uppercase(),
            probability: Decimal::from(p),
            category,
        };
        Pipeline {
            stages: vec![
                st("qualify", 10, ForecastCategory::Pipeline),
                st("propose", 40, ForecastCategory::BestCase),
                st("negotiate", 80, ForecastCategory::Commit),
            ],
        }
    }
    fn at() -> DateTime<Utc> {
        DateTime::<Utc>::default()
    }
    fn to(s: &str) -> StageMove {
        StageMove::To { stage: s.into() }
    }
    fn rule_of(e: CrmError) -> String {
        match e {
            CrmError::RuleViolation { rule, .. } => rule,
            other => panic!("expected a rule violation, got {other:?}"),
        }
    }
    fn field_of(e: CrmError) -> String {
        match e {
            CrmError::Validation { field, .. } => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn pipeline_validation() {
        assert!(sample().validate().is_ok());
        let mut p = sample();
        p.stages[1].key = "won".into();
        assert_eq!(field_of(p.validate().unwrap_err()), "stages[1].key");
        let mut p = sample();
        p.stages[2].key = "qualify".into();
        assert_eq!(field_of(p.validate().unwrap_err()), "stages[2].key");
        let mut p = sample();
        p.stages[0].probability = Decimal::from(101);
        assert_eq!(field_of(p.validate().unwrap_err()), "stages[0].probability");
        let mut p = sample();
        p.stages[0].category = ForecastCategory::Closed;
        assert_eq!(field_of(p.validate().unwrap_err()), "stages[0].category");
        assert!(Pipeline { stages: vec![] }.validate().is_err());
    }

    #[test]
    fn auto_probability_follows_the_stage_until_set_by_hand() {
        let p = sample();
        let (s, h) = open_opportunity(&p, "qualify", None, UserId(1), at()).unwrap();
        assert_eq!(h.from, None);
        assert_eq!(s.probability, Decimal::from(10));
        let (s, h) = move_stage(&p, &s, &to("propose"), UserId(1), at()).unwrap();
        assert_eq!(s.probability, Decimal::from(40));
        assert_eq!(h.from.as_deref(), Some("qualify"));
        assert_eq!(h.to, "propose");
        let s = set_probability(&s, Decimal::from(55)).unwrap();
        let (s, _) = move_stage(&p, &s, &to("negotiate"), UserId(1), at()).unwrap();
        assert_eq!(s.probability, Decimal::from(55));
        let (won, _) = move_stage(&p, &s, &StageMove::Win, UserId(1), at()).unwrap();
        assert_eq!(won.probability, Decimal::from(55));
        assert_eq!(won.effective_probability(), Decimal::from(100));
        let s = reset_probability(&p, &s);
        assert_eq!(s.probability, Decimal::from(80));
        assert!(set_probability(&s, Decimal::from(101)).is_err());
        assert!(open_opportunity(&p, "nope", None, UserId(1), at()).is_err());
        let (manual, _) =
            open_opportunity(&p, "qualify", Some(Decimal::from(5)), UserId(1), at()).unwrap();
        assert!(!manual.probability_auto);
    }

    #[test]
    fn terminal_states_and_loss_reasons() {
        let p = sample();
        let (s, _) = open_opportunity(&p, "qualify", None, UserId(1), at()).unwrap();
        assert_eq!(
            rule_of(move_stage(&p, &s, &to("qualify"), UserId(1), at()).unwrap_err()),
            "stage_unchanged"
        );
        assert_eq!(
            field_of(move_stage(&p, &s, &to("won"), UserId(1), at()).unwrap_err()),
            "stage"
        );
        let lose = |r: &str, n: Option<&str>| StageMove::Lose {
            reason: r.into(),
            notes: n.map(Into::into),
        };
        assert_eq!(
            field_of(move_stage(&p, &s, &lose(" ", None), UserId(1), at()).unwrap_err()),
            "lost_reason"
        );
        assert_eq!(
            field_of(move_stage(&p, &s, &lose("Other", None), UserId(1), at()).unwrap_err()),
            "lost_notes"
        );
        assert_eq!(
            field_of(move_stage(&p, &s, &lose("other", Some("  ")), UserId(1), at()).unwrap_err()),
            "lost_notes"
        );
        let (lost, h) = move_stage(
            &p,
            &s,
            &lose("other", Some("went in-house")),
            UserId(1),
            at(),
        )
        .unwrap();
        assert_eq!(h.to, LOST);
        assert_eq!(lost.probability, Decimal::ZERO);
        let (lost2, _) = move_stage(&p, &s, &lose("price", None), UserId(1), at()).unwrap();
        assert_eq!(lost2.lost_reason.as_deref(), Some("price"));
        for mv in [to("propose"), StageMove::Win, lose("price", None)] {
            assert_eq!(
                rule_of(move_stage(&p, &lost, &mv, UserId(1), at()).unwrap_err()),
                "opportunity_closed"
            );
        }
        assert_eq!(
            rule_of(
                move_stage(
                    &p,
                    &s,
                    &StageMove::Reopen {
                        stage: "propose".into()
                    },
                    UserId(1),
                    at()
                )
                .unwrap_err()
            ),
            "opportunity_open"
        );
        let (re, h) = move_stage(
            &p,
            &lost,
            &StageMove::Reopen {
                stage: "propose".into(),
            },
            UserId(2),
            at(),
        )
        .unwrap();
        assert_eq!(re.status, OpportunityStatus::Open);
        assert_eq!(re.probability, Decimal::from(40));
        assert_eq!(re.lost_reason, None);
        assert_eq!(h.from.as_deref(), Some(LOST));
        assert_eq!(h.by, UserId(2));
        assert!(move_stage(
            &p,
            &lost,
            &StageMove::Reopen {
                stage: "won".into()
            },
            UserId(2),
            at()
        )
        .is_err());
    }
}
