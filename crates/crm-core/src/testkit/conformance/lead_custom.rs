//! Custom lead fields on every store: typed values validated against the tenant's schema
//! (required ones on create, never removed), field rules on `custom.<key>` for reads and
//! writes, and assignment by a custom field's value.

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::assignment::{AssignmentRules, Condition, Entry, LeadField, OverflowTarget, Strategy};
use crate::customer::custom_fields::{CustomFieldDef, CustomFieldType};
use crate::error::CrmError;
use crate::ids::{LeadId, UserId};
use crate::lead::{LeadInput, LeadPatch, LeadSettings};
use crate::service::{LeadFilter, RoleInput, UserInput};
use crate::store::{Entity, Query, Store};
use crate::tenant::TenantSettings;
use crate::testkit::fixture::*;
use crate::Actor;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

const NO_BUDGET: UserId = UserId(43);

fn with(grade: Option<&str>, budget: Option<&str>) -> LeadInput {
    let mut custom = BTreeMap::new();
    if let Some(g) = grade {
        custom.insert("grade".to_owned(), json!(g));
    }
    if let Some(b) = budget {
        custom.insert("budget".to_owned(), json!(b));
    }
    LeadInput {
        name: "定制".into(),
        custom,
        ..LeadInput::default()
    }
}

fn field_of<T: std::fmt::Debug>(r: crate::CrmResult<T>) -> String {
    match r {
        Err(CrmError::Validation { field, .. }) => field,
        Err(CrmError::PermissionDenied { field: Some(f), .. }) => f,
        other => panic!("expected a named refusal, got {other:?}"),
    }
}

/// Custom lead fields: validation, field rules and assignment by value.
pub async fn lead_custom_fields_are_typed_ruled_and_routable<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let sys = Actor::system(T1);
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let fields = vec![
        CustomFieldDef {
            key: "grade".into(),
            label: "等级".into(),
            ty: CustomFieldType::Choice {
                options: vec!["A".into(), "B".into()],
            },
            required: true,
        },
        CustomFieldDef {
            key: "budget".into(),
            label: "预算".into(),
            ty: CustomFieldType::Decimal,
            required: false,
        },
    ];
    f.crm
        .setup_tenant(
            sys,
            &tenant.name,
            TenantSettings {
                leads: LeadSettings {
                    custom_fields: fields,
                    ..LeadSettings::default()
                },
                ..tenant.settings.clone()
            },
        )
        .await
        .expect("settings");
    let count = || async { store.count(&Query::new(Entity::Lead, T1)).await.ok() };
    let before = count().await;
    let create = |input| f.crm.create_lead(user(REP), input, None);
    assert_eq!(field_of(create(with(None, None)).await), "custom.grade");
    assert_eq!(
        field_of(create(with(Some("Z"), None)).await),
        "custom.grade"
    );
    assert_eq!(
        field_of(create(with(Some("A"), Some("lots"))).await),
        "custom.budget"
    );
    let mut unknown = with(Some("A"), None);
    unknown.custom.insert("colour".into(), json!("red"));
    assert_eq!(field_of(create(unknown).await), "custom.colour");
    assert_eq!(count().await, before, "nothing written");
    let shown = create(with(Some("A"), Some("5000.00")))
        .await
        .expect("valid");
    assert_eq!(shown.record["custom"]["grade"], "A");
    assert_eq!(shown.record["custom"]["budget"], "5000.00");
    let id = LeadId(shown.record["id"].as_i64().unwrap_or_default());

    // A required field is changed, never removed; an optional one is removed by null.
    let patch = |k: &str, v| LeadPatch {
        custom: BTreeMap::from([(k.to_owned(), v)]),
        ..LeadPatch::default()
    };
    assert_eq!(
        field_of(
            f.crm
                .update_lead(user(REP), id, patch("grade", json!(null)))
                .await
        ),
        "custom.grade"
    );
    let changed = f
        .crm
        .update_lead(user(REP), id, patch("grade", json!("B")))
        .await
        .expect("change");
    assert_eq!(changed.record["custom"]["grade"], "B");

    // A reader whose role hides custom.budget sees the lead without it and may not write it.
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "no budget".into(),
                grants: [Action::Read, Action::Update]
                    .into_iter()
                    .map(|action| Grant {
                        module: Module::Leads,
                        action,
                        scope: DataScope::All,
                    })
                    .collect(),
                fields: vec![
                    FieldRule {
                        module: Module::Leads,
                        field: "custom.budget".into(),
                        access: FieldAccess::Hidden,
                        mask: MaskMode::None,
                    },
                    FieldRule {
                        module: Module::Leads,
                        field: "custom.grade".into(),
                        access: FieldAccess::ReadOnly,
                        mask: MaskMode::Everywhere,
                    },
                ],
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: NO_BUDGET,
                name: "no budget".into(),
                department_id: Some(SALES),
                supervisor_id: None,
                role_ids: vec![role.id],
                // An admin, to read the audit trail through the same field rules.
                tenant_admin: true,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("user");
    let seen = f.crm.get_lead(user(NO_BUDGET), id).await.expect("get");
    assert!(seen.record["custom"].get("budget").is_none(), "{seen:?}");
    assert_ne!(seen.record["custom"]["grade"], "B", "masked: {seen:?}");
    assert!(seen.hidden_fields.contains(&"custom.budget".to_owned()));
    assert!(seen.masked_fields.contains(&"custom.grade".to_owned()));
    let trail = f
        .crm
        .record_audit(user(NO_BUDGET), "lead", id.0)
        .await
        .expect("audit");
    let text = serde_json::to_string(&trail).unwrap_or_default();
    assert!(text.contains("lead.create"), "{text}");
    assert!(
        !text.contains("5000.00"),
        "budget withheld from the trail: {text}"
    );
    let full = f.crm.record_audit(sys, "lead", id.0).await.expect("audit");
    assert!(serde_json::to_string(&full)
        .unwrap_or_default()
        .contains("5000.00"));
    let listed = f
        .crm
        .list_leads(user(NO_BUDGET), LeadFilter::default())
        .await
        .expect("list");
    assert!(listed
        .items
        .iter()
        .all(|l| l.record["custom"].get("budget").is_none()));
    let refused = f
        .crm
        .update_lead(user(NO_BUDGET), id, patch("budget", json!("1.00")))
        .await;
    assert!(
        matches!(&refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
    let unchanged = f.crm.get_lead(sys, id).await.expect("get");
    assert_eq!(unchanged.record["custom"]["budget"], "5000.00");

    // Assignment by a custom field's value.
    let mut map = BTreeMap::new();
    map.insert("A".to_owned(), REP);
    map.insert("B".to_owned(), REP2);
    f.crm
        .set_assignment_rules(
            sys,
            AssignmentRules {
                entries: vec![Entry {
                    name: "by grade".into(),
                    condition: Condition::Always,
                    members: vec![],
                    strategy: Strategy::ByField {
                        field: LeadField::Custom("grade".into()),
                        map,
                    },
                    overflow: OverflowTarget::User(MANAGER),
                }],
            },
        )
        .await
        .expect("rules");
    for (grade, owner) in [("A", REP), ("B", REP2)] {
        let lead = f
            .crm
            .create_lead_by_rules(sys, with(Some(grade), None))
            .await
            .expect("by rules");
        assert_eq!(lead.record["owner_id"], json!(owner.0), "grade {grade}");
    }
}
