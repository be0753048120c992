//! Property (issue 16): over random annual targets, contracts with random credit splits,
//! payments, refunds, terminations and customer transfers —
//! - the monthly spread of every annual target sums to the annual amount exactly;
//! - a department's achievement equals the sum of its direct members' and its
//!   sub-departments' achievements;
//! - credit never moves: every credit record written before a transfer is still there,
//!   unchanged, after it, and later events of a contract keep the split fixed at its
//!   activation, whoever owns the customer now.

use chrono::NaiveDate;
use crm_core::credit::{Credit, CreditShare, CreditSplit};
use crm_core::customer::NewCustomer;
use crm_core::ids::{ContractId, CustomerId, UserId};
use crm_core::money::Currency;
use crm_core::sales::{EntryKind, LineInput, PricingInput, ScheduledAmount};
use crm_core::service::{
    AchievementPeriod, AchievementRequest, LedgerInput, NewContract, PlanInput,
};
use crm_core::store::{Entity, Query, StoreExt};
use crm_core::target::{spread_annual, Metric, TargetSubject};
use crm_core::testkit::fixture::{
    user, Fixture, BOSS, DEPT_VIEWER, MANAGER, REP, REP2, SALES, SALES_EAST, T1,
};
use crm_core::testkit::MemoryStore;
use crm_core::Actor;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Users credit may go to: two departments, Sales East below Sales.
const PEOPLE: [UserId; 5] = [REP, REP2, MANAGER, BOSS, DEPT_VIEWER];

#[derive(Debug, Clone)]
enum Step {
    /// A contract of `cents` with a split over the users picked by `mask` (weights `w`).
    Contract { cents: i64, mask: u8, w: [u8; 5] },
    /// A payment of `cents` on contract `k` (modulo those made) on day `day` of 2026.
    Pay { k: usize, cents: i64, day: u32 },
    /// A refund of `cents` on contract `k`.
    Refund { k: usize, cents: i64, day: u32 },
    /// Terminate contract `k`.
    Terminate { k: usize },
    /// Transfer customer `c` to person `to`.
    Transfer { c: usize, to: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1i64..5_000_000, 1u8..32, prop::array::uniform5(1u8..10))
            .prop_map(|(cents, mask, w)| Step::Contract { cents, mask, w }),
        4 => (0usize..8, 1i64..3_000_000, 1u32..365)
            .prop_map(|(k, cents, day)| Step::Pay { k, cents, day }),
        2 => (0usize..8, 1i64..1_000_000, 1u32..365)
            .prop_map(|(k, cents, day)| Step::Refund { k, cents, day }),
        1 => (0usize..8).prop_map(|k| Step::Terminate { k }),
        3 => (0usize..4, 0usize..5).prop_map(|(c, to)| Step::Transfer { c, to }),
    ]
}

/// Integer percentages over the picked users summing to 100 (largest remainder).
fn shares(mask: u8, w: [u8; 5]) -> CreditSplit {
    let picked: Vec<(UserId, u32)> = PEOPLE
        .iter()
        .zip(w)
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, (u, w))| (*u, u32::from(w)))
        .collect();
    let total: u32 = picked.iter().map(|(_, w)| w).sum();
    let mut parts: Vec<(UserId, u32, u32)> = picked
        .iter()
        .map(|(u, w)| (*u, w * 100 / total, (w * 100) % total))
        .collect();
    let mut left = 100 - parts.iter().map(|p| p.1).sum::<u32>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].2.cmp(&parts[*a].2).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i].1 += 1;
        left -= 1;
    }
    CreditSplit(
        parts
            .into_iter()
            .filter(|p| p.1 > 0)
            .map(|(user_id, share, _)| CreditShare {
                user_id,
                share: Decimal::from(share),
            })
            .collect(),
    )
}

fn day_of(n: u32) -> NaiveDate {
    NaiveDate::from_yo_opt(2026, n).unwrap_or_default()
}

async fn all_credits(f: &Fixture<Arc<MemoryStore>>) -> BTreeMap<i64, Credit> {
    f.crm
        .store()
        .load_all::<Credit>(&Query::new(Entity::Credit, T1))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id.0, c))
        .collect()
}

async fn check(annuals: Vec<i64>, steps: Vec<Step>) {
    let cny = Currency::parse("CNY", "currency").expect("CNY");
    for cents in annuals {
        let annual = Decimal::new(cents, 2);
        let months = spread_annual(annual, &cny).expect("spread");
        assert_eq!(months.len(), 12);
        assert_eq!(months.iter().copied().sum::<Decimal>(), annual);
    }

    let f = Fixture::new(Arc::new(MemoryStore::new())).await;
    let sys = Actor::system(T1);
    let mut customers: Vec<CustomerId> = Vec::new();
    for i in 0..4 {
        let c = f
            .crm
            .create_customer(
                user(REP),
                NewCustomer {
                    name: format!("客户 {i}"),
                    ..Default::default()
                },
            )
            .await
            .expect("customer");
        customers.push(c.record.id);
    }
    let mut contracts: Vec<(ContractId, CreditSplit)> = Vec::new();
    for (n, step) in steps.into_iter().enumerate() {
        let before = all_credits(&f).await;
        match step {
            Step::Contract { cents, mask, w } => {
                let c = customers[n % customers.len()];
                let amount = Decimal::new(cents, 2);
                let k = f
                    .crm
                    .create_contract(
                        sys,
                        NewContract {
                            number: format!("P-{n}"),
                            customer_id: c,
                            opportunity_id: None,
                            owner_id: Some(REP),
                            signed_on: None,
                            start_on: day_of(1),
                            end_on: day_of(365),
                            pricing: PricingInput {
                                currency: "CNY".into(),
                                lines: vec![LineInput {
                                    product: "p".into(),
                                    quantity: Decimal::ONE,
                                    unit_price: amount,
                                    discount: Decimal::ZERO,
                                    tax_rate: Decimal::ZERO,
                                }],
                                order_discount: Decimal::ZERO,
                            },
                        },
                    )
                    .await
                    .expect("contract")
                    .decode::<crm_core::contract::Contract>()
                    .expect("typed")
                    .id;
                let split = shares(mask, w);
                f.crm
                    .set_contract_credit_split(sys, k, split.clone())
                    .await
                    .expect("split");
                f.crm.submit_contract(sys, k).await.expect("active");
                f.crm
                    .set_plan(
                        sys,
                        k,
                        PlanInput::Amounts {
                            installments: vec![ScheduledAmount {
                                due_date: day_of(365),
                                amount,
                            }],
                        },
                    )
                    .await
                    .expect("plan");
                contracts.push((k, split));
            }
            Step::Pay { k, cents, day } | Step::Refund { k, cents, day } => {
                if contracts.is_empty() {
                    continue;
                }
                let (id, _) = &contracts[k % contracts.len()];
                let kind = if matches!(step, Step::Pay { .. }) {
                    EntryKind::Payment
                } else {
                    EntryKind::Refund
                };
                // A refund beyond what was paid, or an entry on a closed contract, is refused
                // and writes nothing: that is checked below like any other step.
                let _ = f
                    .crm
                    .record_ledger(
                        sys,
                        *id,
                        LedgerInput {
                            kind,
                            amount: Decimal::new(cents, 2),
                            date: day_of(day),
                            installment: None,
                            method: None,
                            reference: None,
                        },
                    )
                    .await;
            }
            Step::Terminate { k } => {
                if contracts.is_empty() {
                    continue;
                }
                let (id, _) = &contracts[k % contracts.len()];
                let _ = f
                    .crm
                    .close_contract(sys, *id, crm_core::contract::ContractStatus::Terminated)
                    .await;
            }
            Step::Transfer { c, to } => {
                // A transfer to the current owner is refused (and writes nothing either).
                let _ = f.crm.transfer_customer(sys, customers[c], PEOPLE[to]).await;
                let after = all_credits(&f).await;
                assert_eq!(after, before, "a transfer writes or moves no credit");
            }
        }
        // Credit records are only ever added, never changed or removed.
        let after = all_credits(&f).await;
        for (id, credit) in &before {
            assert_eq!(after.get(id), Some(credit), "credit {id} changed");
        }
        // Every contract credit goes to the users of the split fixed at activation.
        for credit in after.values().filter(|c| c.metric.is_amount()) {
            if let Some((_, split)) = contracts.iter().find(|(k, _)| k.0 == credit.source_id) {
                assert!(
                    split.0.iter().any(|s| s.user_id == credit.user_id),
                    "{credit:?} is outside the contract's split"
                );
            }
        }
    }

    // A department's achievement is its direct members' plus its sub-departments'.
    let crm = &f.crm;
    for metric in [Metric::ContractAmount, Metric::PaymentsReceived] {
        let actual = |subject| async move {
            crm.target_achievement(
                sys,
                AchievementRequest {
                    subject,
                    metric,
                    period: AchievementPeriod::Year { year: 2026 },
                    currency: None,
                    prorate: false,
                },
            )
            .await
            .expect("achievement")
            .actual
        };
        let sales = actual(TargetSubject::Department { id: SALES }).await;
        let east = actual(TargetSubject::Department { id: SALES_EAST }).await;
        let mut direct = Decimal::ZERO;
        for u in [BOSS, DEPT_VIEWER] {
            direct += actual(TargetSubject::User { id: u }).await;
        }
        let mut east_members = Decimal::ZERO;
        for u in [REP, REP2, MANAGER] {
            east_members += actual(TargetSubject::User { id: u }).await;
        }
        assert_eq!(east, east_members, "{metric}: Sales East = its members");
        assert_eq!(
            sales,
            direct + east,
            "{metric}: Sales = members + Sales East"
        );
        let tenant = actual(TargetSubject::Tenant).await;
        assert_eq!(tenant, sales, "{metric}: all credit went to Sales people");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    #[test]
    fn credit_is_fixed_and_departments_sum(
        annuals in prop::collection::vec(0i64..100_000_000_000, 1..6),
        steps in prop::collection::vec(step(), 1..30),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(check(annuals, steps));
    }
}
