//! `lead.import` on every store: owners by the assignment rules decided one after another
//! within a batch (turns, caps, duplicates never assigned), the permission checks and the
//! field rules, the limits, and refusals that write nothing.

use super::lead_import::{add_importer, lead_count, outcomes, refused, request, IMPORTER};
use crate::access::FieldAccess;
use crate::assignment::{
    AssignmentRules, Availability, Condition, Entry, EntryMember, OverflowTarget, Strategy,
};
use crate::error::CrmError;
use crate::ids::UserId;
use crate::lead::import::{RowOutcome, MAX_FILE_BYTES, MAX_ROWS};
use crate::lead::LeadInput;
use crate::service::{ImportLeads, ImportOptions};
use crate::store::{Entity, Query, Store};
use crate::testkit::fixture::*;
use crate::Actor;
use std::sync::Arc;

/// Round robin over the rep, the peer and the manager, the rep capped at one lead a day.
fn round_robin(pool: crate::ids::PoolId) -> AssignmentRules {
    AssignmentRules {
        entries: vec![Entry {
            name: "everyone".into(),
            condition: Condition::Always,
            members: [REP, REP2, MANAGER]
                .into_iter()
                .map(|user| EntryMember { user, weight: 1 })
                .collect(),
            strategy: Strategy::RoundRobin,
            overflow: OverflowTarget::Pool(pool),
        }],
    }
}

/// `by_rules`: within one batch each decision starts from the cursor and counts the
/// previous one left (the capped rep is passed over after their first lead), a duplicate
/// row is folded in and not assigned, and the stored cursor carries on to the next
/// `lead.create` and the next import, whatever its batch size.
pub async fn lead_import_by_rules_takes_turns<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let sys = Actor::system(T1);
    let crm = &f.crm;
    let pool = super::lead_pools::lead_pool(&f, Default::default(), Default::default(), &[]).await;
    let no_rules = crm
        .import_leads(
            sys,
            ImportLeads {
                by_rules: true,
                ..request("name\nA\n", 10)
            },
        )
        .await;
    assert!(
        matches!(&no_rules, Err(CrmError::RuleViolation { rule, .. }) if rule == "no_assignment_rules"),
        "{no_rules:?}"
    );
    crm.set_assignment_rules(user(ADMIN), round_robin(pool))
        .await
        .expect("rules");
    crm.set_assignment_member(
        user(ADMIN),
        REP,
        Availability {
            daily_cap: Some(1),
            ..Availability::default()
        },
    )
    .await
    .expect("cap");
    let csv = "name,phone\nA,13900000001\nB,13900000002\nC,13900000003\nA again,13900000001\nD,13900000004\nE,13900000005\n";
    let owners = |report: &crate::lead::import::LeadImportReport| {
        outcomes(report)
            .into_iter()
            .map(|(row, o)| match o {
                RowOutcome::Imported { owner_id, .. } => (row, owner_id),
                RowOutcome::Duplicate { .. } => (row, None),
                other => panic!("row {row}: {other:?}"),
            })
            .collect::<Vec<_>>()
    };
    let report = crm
        .import_leads(
            sys,
            ImportLeads {
                by_rules: true,
                ..request(csv, 10)
            },
        )
        .await
        .expect("by rules");
    let expected = vec![
        (2, Some(REP)),
        (3, Some(REP2)),
        (4, Some(MANAGER)),
        (5, None),
        (6, Some(REP2)),
        (7, Some(MANAGER)),
    ];
    assert_eq!(owners(&report), expected);
    assert!(matches!(
        report.rows[3].outcome,
        RowOutcome::Duplicate {
            earlier_row: Some(2),
            ..
        }
    ));
    let records = store
        .count(&Query::new(Entity::LeadAssignment, T1))
        .await
        .expect("records");
    assert_eq!(records, 5);
    // The cursor (at the manager) was stored: the next lead goes past the capped rep.
    let next = crm
        .create_lead_by_rules(
            sys,
            LeadInput {
                name: "F".into(),
                ..LeadInput::default()
            },
        )
        .await
        .expect("next by rules");
    assert_eq!(next.record["owner_id"], serde_json::json!(REP2.0));

    // Batches of one and one batch of four decide alike from here: the manager, the
    // peer, the manager, the peer (the rep stays capped today).
    for (batch_size, prefix) in [(1, "1390000010"), (10, "1390000020")] {
        let file: String = (1..=4).map(|i| format!("N{i},{prefix}{i}\n")).collect();
        let report = crm
            .import_leads(
                sys,
                ImportLeads {
                    by_rules: true,
                    ..request(format!("name,phone\n{file}"), batch_size)
                },
            )
            .await
            .expect("by rules again");
        assert_eq!(
            owners(&report),
            vec![
                (2, Some(MANAGER)),
                (3, Some(REP2)),
                (4, Some(MANAGER)),
                (5, Some(REP2))
            ],
            "batch size {batch_size}"
        );
    }
}

/// Permissions before anything is read or written, field rules per row, and the limits.
pub async fn lead_import_permissions_and_field_rules<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    add_importer(
        &f,
        vec![
            ("phone", FieldAccess::ReadOnly),
            ("estimated_amount", FieldAccess::Hidden),
        ],
    )
    .await;
    let crm = &f.crm;
    let csv = "姓名,手机,预计金额,币种\n甲,13900000001,,\n乙,,100,CNY\n丙,,,\n丁,,,CNY\n";
    let before = lead_count(store.as_ref()).await;
    let denied = |r: crate::CrmResult<crate::lead::import::LeadImportReport>| {
        matches!(r, Err(CrmError::PermissionDenied { .. }))
    };
    // No import grant on leads (the service role, a plain rep).
    assert!(denied(
        crm.import_leads(user(SERVICE), request(csv, 10)).await
    ));
    assert!(denied(crm.import_leads(user(REP), request(csv, 10)).await));
    // An owner outside the importer's scope; the rules (which may pick anyone).
    let elsewhere = ImportLeads {
        owner_id: Some(REP2),
        ..request(csv, 10)
    };
    assert!(denied(crm.import_leads(user(IMPORTER), elsewhere).await));
    let rules = ImportLeads {
        by_rules: true,
        ..request(csv, 10)
    };
    assert!(denied(crm.import_leads(user(IMPORTER), rules).await));
    let field = |r: crate::CrmResult<crate::lead::import::LeadImportReport>| match r {
        Err(CrmError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    let unknown = ImportLeads {
        owner_id: Some(UserId(999)),
        ..request(csv, 10)
    };
    assert_eq!(
        field(crm.import_leads(Actor::system(T1), unknown).await),
        "owner_id"
    );
    let both = ImportLeads {
        owner_id: Some(REP),
        by_rules: true,
        ..request(csv, 10)
    };
    assert_eq!(
        field(crm.import_leads(Actor::system(T1), both).await),
        "owner_id"
    );
    let zero = ImportLeads {
        options: ImportOptions { batch_size: 0 },
        ..request(csv, 10)
    };
    assert_eq!(
        field(crm.import_leads(user(IMPORTER), zero).await),
        "batch_size"
    );
    let xlsx_encoding = ImportLeads {
        format: Some(crate::lead::import::FileFormat::Xlsx),
        encoding: Some(crate::lead::import::TextEncoding::Gbk),
        ..request(csv, 10)
    };
    assert_eq!(
        field(crm.import_leads(user(IMPORTER), xlsx_encoding).await),
        "encoding"
    );
    // The limits, named, before any row is written.
    let rule = |r: crate::CrmResult<crate::lead::import::LeadImportReport>| match r {
        Err(CrmError::RuleViolation { rule, .. }) => rule,
        other => panic!("expected a rule violation, got {other:?}"),
    };
    let mut many = String::from("name\n");
    for i in 0..=MAX_ROWS {
        many.push_str(&format!("n{i}\n"));
    }
    assert_eq!(
        rule(crm.import_leads(user(IMPORTER), request(many, 10)).await),
        "import_too_many_rows"
    );
    let huge = vec![b'a'; MAX_FILE_BYTES + 1];
    assert_eq!(
        rule(crm.import_leads(user(IMPORTER), request(huge, 10)).await),
        "import_file_too_large"
    );
    assert_eq!(lead_count(store.as_ref()).await, before);

    // Field rules: a row filling a column the importer may not write is refused, naming
    // it (the currency follows the amount's rule); the other rows are imported.
    let report = crm
        .import_leads(user(IMPORTER), request(csv, 10))
        .await
        .expect("import");
    let rows = outcomes(&report);
    assert_eq!(
        rows[0],
        (2, refused("phone", "the actor may not write this field"))
    );
    assert_eq!(
        rows[1],
        (
            3,
            refused("estimated_amount", "the actor may not write this field")
        )
    );
    assert!(matches!(
        rows[2],
        (
            4,
            RowOutcome::Imported {
                owner_id: Some(IMPORTER),
                ..
            }
        )
    ));
    assert_eq!(
        rows[3],
        (5, refused("currency", "the actor may not write this field"))
    );
    assert_eq!(lead_count(store.as_ref()).await, before + 1);
}
