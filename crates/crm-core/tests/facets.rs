//! The Rust API by domain word: every registered operation belongs to exactly one facet,
//! and facet methods answer what `Crm::execute` answers for the same request.

use crm_core::op::{facets, visit, Operation, Visitor};
use crm_core::pool::{HeldLimits, PoolRules};
use crm_core::prelude::*;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use std::collections::BTreeMap;

struct Names(Vec<&'static str>);

impl Visitor for Names {
    fn visit<O: Operation>(&mut self) {
        self.0.push(O::NAME);
    }
}

#[test]
fn every_operation_belongs_to_exactly_one_facet() {
    let mut registered = Names(Vec::new());
    visit(&mut registered);
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut accessors = Vec::new();
    for (accessor, ops) in facets() {
        assert!(!ops.is_empty(), "facet {accessor} runs nothing");
        accessors.push(accessor);
        for op in ops {
            let before = owner.insert(op, accessor);
            assert_eq!(before, None, "{op} is in two facets");
        }
    }
    accessors.sort_unstable();
    accessors.dedup();
    assert_eq!(
        accessors.len(),
        facets().len(),
        "two facets share an accessor"
    );
    // Every `operation!` written in the source is registered: an operation declared but
    // left out of its family's facet would exist for nobody.
    let mut declared = declared_operations();
    declared.sort_unstable();
    let mut names: Vec<String> = registered.0.iter().map(|n| n.to_string()).collect();
    names.sort_unstable();
    assert_eq!(
        declared, names,
        "declared operations and the registry differ"
    );
    assert_eq!(owner.len(), names.len());
}

/// The op names of every `operation!(Type, "name", …)` in `src/op`.
fn declared_operations() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/op");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src/op") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for (i, _) in text.match_indices("operation!(") {
            // The macro's own definition (`$ty`) and prose mentions are not operations.
            let rest = &text[i + "operation!(".len()..];
            let Some(comma) = rest.find(',') else {
                continue;
            };
            let ty = rest[..comma].trim();
            if ty.is_empty() || ty.starts_with('$') || ty.contains(char::is_whitespace) {
                continue;
            }
            let after = rest[comma + 1..].trim_start();
            if let Some(name) = after.strip_prefix('"').and_then(|a| a.split('"').next()) {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn facet_methods_run_the_operations() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let tenant = f.crm.tenant().get(sys, GetTenant {}).await.expect("tenant");
    assert_eq!(tenant, f.crm.get_tenant(sys).await.expect("tenant"));

    let pool = f
        .pool(
            PoolRules::default(),
            HeldLimits {
                default: Some(1),
                ..HeldLimits::default()
            },
        )
        .await;
    let pooled = f.fill(pool, 2).await;

    // Claim through the pool facet: the first customer, then the held limit refuses the
    // second (limit 1), exactly as the registry's request does through `execute`.
    let claimed = f
        .crm
        .pool()
        .claim(
            user(REP),
            ClaimCustomers {
                pool_id: pool,
                customer_ids: vec![pooled[0]],
            },
        )
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].record.owner_id, Some(REP));
    let refused = f
        .crm
        .pool()
        .claim(
            user(REP),
            ClaimCustomers {
                pool_id: pool,
                customer_ids: vec![pooled[1]],
            },
        )
        .await;
    assert!(
        matches!(refused, Err(CrmError::RuleViolation { .. })),
        "{refused:?}"
    );

    let via_facet = f
        .crm
        .customers()
        .get(user(REP), GetCustomer { id: pooled[0] })
        .await
        .expect("get");
    let via_execute = f
        .crm
        .execute(user(REP), GetCustomer { id: pooled[0] })
        .await
        .expect("get");
    assert_eq!(via_facet, via_execute);
    assert_eq!(via_facet.record.owner_id, Some(REP));

    // Listing the rep's own through the facet finds the claimed customer, not the one
    // still in the pool.
    let page = f
        .crm
        .customers()
        .list(
            user(REP),
            CustomerFilter {
                owner_id: Some(REP),
                ..CustomerFilter::default()
            },
        )
        .await
        .expect("list");
    let ids: Vec<CustomerId> = page.items.iter().map(|c| c.record.id).collect();
    assert!(ids.contains(&pooled[0]), "{ids:?}");
    assert!(!ids.contains(&pooled[1]), "{ids:?}");

    // A facet is a cheap copy of a borrow of the engine.
    let tickets = f.crm.tickets();
    let again = tickets;
    let none = again
        .list(sys, TicketFilter::default())
        .await
        .expect("tickets");
    assert!(none.items.is_empty());
}
