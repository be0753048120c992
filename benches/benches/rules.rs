//! Criterion micro-benchmarks of the pure rules: permission checks, the claim decision,
//! SLA business-time math and plan allocation.

use chrono::{Duration, TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use crm_core::access::{AccessContext, Action, DataScope, Grant, Module, Role};
use crm_core::ids::{CustomerId, DepartmentId, PoolId, RoleId, UserId};
use crm_core::org::{Department, Org, User};
use crm_core::pool::{
    decide_claim, ClaimMode, ClaimSnapshot, HeldCounter, Members, Pool, PoolRules,
};
use crm_core::Actor;
use rust_decimal::Decimal;

const T: crm_core::ids::TenantId = crm_core::ids::TenantId(1);

/// 200 users in 20 departments, 10 per department, the first of each the manager.
fn org() -> Org {
    let departments = (1..=20)
        .map(|d| Department {
            tenant: T,
            id: DepartmentId(d),
            version: 1,
            name: format!("D{d}"),
            parent_id: (d > 4).then(|| DepartmentId((d - 5) % 4 + 1)),
        })
        .collect();
    let users = (0..200)
        .map(|i| {
            let d = i / 10 + 1;
            let mgr = |d: i64| UserId(100 + (d - 1) * 10);
            User {
                tenant: T,
                id: UserId(100 + i),
                version: 1,
                name: format!("U{i}"),
                department_id: Some(DepartmentId(d)),
                supervisor_id: if i % 10 == 0 {
                    (d > 4).then(|| mgr((d - 5) % 4 + 1))
                } else {
                    Some(mgr(d))
                },
                role_ids: vec![RoleId(1)],
                tenant_admin: false,
                active: true,
                joined_on: None,
                time_zone: None,
            }
        })
        .collect();
    Org::new(users, departments)
}

fn permissions(c: &mut Criterion) {
    let role = Role {
        tenant: T,
        id: RoleId(1),
        version: 1,
        name: "manager".into(),
        grants: vec![Grant {
            module: Module::Customers,
            action: Action::Read,
            scope: DataScope::SelfAndSubordinates,
        }],
        fields: vec![],
    };
    let now = Utc::now();
    c.bench_function("permissions/resolve (200 users)", |b| {
        b.iter(|| AccessContext::resolve(Actor::user(T, UserId(100)), org(), vec![role.clone()]))
    });
    let access = AccessContext::resolve(Actor::user(T, UserId(100)), org(), vec![role.clone()])
        .expect("access");
    c.bench_function("permissions/reaches_customer", |b| {
        b.iter(|| {
            access.reaches_customer(
                Module::Customers,
                Action::Read,
                Some(black_box(UserId(157))),
                None,
                &[],
                now,
            )
        })
    });
}

fn claim_decision(c: &mut Criterion) {
    let now = Utc::now();
    let pool = Pool {
        tenant: T,
        id: PoolId(1),
        version: 1,
        name: "公海".into(),
        position: 0,
        is_default: true,
        enabled: true,
        admins: Members::default(),
        members: Members::default(),
        rules: PoolRules::default(),
        field_rules: vec![],
    };
    let customer = crm_core::testkit::samples::pooled(T, 7, 1, "c", now - Duration::days(3));
    c.bench_function("claim/decide_claim (one customer)", |b| {
        b.iter(|| {
            decide_claim(
                ClaimSnapshot {
                    pool: &pool,
                    customers: vec![customer.clone()],
                    claimant: UserId(101),
                    held: HeldCounter::zero(T, UserId(101)),
                    held_limit: Some(50),
                    count_dealt: false,
                    daily: None,
                    now,
                },
                ClaimMode::Claim,
            )
        })
    });
    let _ = CustomerId(7);
}

fn sla(c: &mut Criterion) {
    let cal = crm_benches::setup::calendar().compile().expect("calendar");
    let start = Utc
        .with_ymd_and_hms(2026, 2, 13, 8, 30, 0)
        .single()
        .expect("start");
    for (name, secs) in [("1 hour", 3600i64), ("30 days", 30 * 86_400)] {
        c.bench_function(&format!("sla/add_business {name}"), |b| {
            b.iter(|| cal.add_business(black_box(start), black_box(secs)))
        });
    }
    let pauses = [(start + Duration::hours(30), start + Duration::hours(50))];
    c.bench_function("sla/deadline 3 days, one pause", |b| {
        b.iter(|| crm_core::sla::deadline(black_box(start), 3 * 9 * 3600, &cal, &pauses))
    });
}

fn allocation(c: &mut Criterion) {
    let weights: Vec<Decimal> = (1..=12).map(Decimal::from).collect();
    c.bench_function("sales/allocate_minor 12 weights", |b| {
        b.iter(|| crm_core::sales::allocate_minor(black_box(100_000_007), &weights))
    });
}

/// The group (criterion's generated function carries no docs of its own).
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, permissions, claim_decision, sla, allocation);
}
criterion_main!(group::benches);
