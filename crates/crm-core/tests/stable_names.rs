//! Enums cross the ABI and the database by stable snake_case names: each `as_str()` is its
//! serde name, and `Display` gives people the same name (or, for months, `2026-12`).

use crm_core::customer::CustomerKind;
use crm_core::followup::FollowUpKind;
use crm_core::sales::{ApprovalStatus, OpportunityStatus, ReapprovalReason, YearMonth};
use crm_core::sla::MetricStop;
use rust_decimal::Decimal;
use serde::Serialize;

fn serde_name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v).expect("json") {
        serde_json::Value::String(s) => s,
        serde_json::Value::Object(o) => o["reason"].as_str().unwrap_or_default().to_owned(),
        other => other.to_string(),
    }
}

fn check<T: Serialize + std::fmt::Display>(v: T, name: &str, as_str: &str) {
    assert_eq!(serde_name(&v), name);
    assert_eq!(as_str, name);
}

#[test]
fn as_str_is_the_serde_name() {
    for s in [
        OpportunityStatus::Open,
        OpportunityStatus::Won,
        OpportunityStatus::Lost,
    ] {
        check(s, &s.to_string(), s.as_str());
    }
    for s in [
        ApprovalStatus::Pending,
        ApprovalStatus::Approved,
        ApprovalStatus::Rejected,
    ] {
        check(s, &serde_name(&s), s.as_str());
        assert_eq!(s.to_string(), s.as_str());
    }
    for k in [CustomerKind::Company, CustomerKind::Person] {
        check(k, &serde_name(&k), k.as_str());
    }
    for k in [
        FollowUpKind::Call,
        FollowUpKind::Visit,
        FollowUpKind::Message,
        FollowUpKind::Email,
        FollowUpKind::Meeting,
    ] {
        check(k, &serde_name(&k), k.as_str());
        assert!(!k.to_string().chars().any(char::is_uppercase));
    }
    check(
        MetricStop::ClosedWithoutResponse,
        "closed_without_response",
        MetricStop::ClosedWithoutResponse.as_str(),
    );
    for r in [
        ReapprovalReason::AmountLowered {
            approved: Decimal::new(10000, 2),
            amended: Decimal::new(7000, 2),
            threshold_percent: Decimal::from(20),
        },
        ReapprovalReason::DiscountRaised {
            approved: Decimal::from(5),
            amended: Decimal::from(9),
        },
        ReapprovalReason::CurrencyChanged,
        ReapprovalReason::BranchChanged {
            approved: "a".into(),
            amended: "b".into(),
        },
    ] {
        assert_eq!(serde_name(&r), r.as_str());
        assert!(!r.to_string().contains('{'), "{r}");
    }
}

#[test]
fn assignment_names_are_the_serde_names() {
    use crm_core::assignment::{OverflowReason, SkipReason, StrategyKind};
    for r in [
        SkipReason::Inactive,
        SkipReason::OptedOut,
        SkipReason::OnLeave,
        SkipReason::DailyCap,
        SkipReason::MonthlyCap,
        SkipReason::Capacity,
    ] {
        assert_eq!(serde_name(&r), r.as_str());
        assert!(!r.to_string().contains('_'), "{r} is for people");
    }
    for k in [
        StrategyKind::RoundRobin,
        StrategyKind::WeightedRoundRobin,
        StrategyKind::LoadBalancing,
        StrategyKind::ByField,
        StrategyKind::Fixed,
    ] {
        assert_eq!(serde_name(&k), k.as_str());
    }
    for o in [
        OverflowReason::NoEligibleMember,
        OverflowReason::NoMemberForValue,
    ] {
        assert_eq!(serde_name(&o), o.as_str());
    }
}

#[test]
fn months_display_as_year_dash_month() {
    assert_eq!(
        YearMonth {
            year: 2026,
            month: 12
        }
        .to_string(),
        "2026-12"
    );
    assert_eq!(
        YearMonth {
            year: 2026,
            month: 1
        }
        .to_string(),
        "2026-01"
    );
}
