//! Field rules on every read path (issue 12, items 1–5): audit entries and events, sales
//! records and reports, filters, owners of new deals, and errors about records out of
//! scope. Each case checks both sides: the reader the rules allow sees the value, the one
//! they restrict does not. Values are distinctive sentinels, so searching the serialized
//! response for them is meaningful.

mod filters;
mod owners;
mod sales;

pub use filters::*;
pub use owners::*;
pub use sales::*;

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::actor::Actor;
use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::ids::{CustomerId, UserId};
use crate::sales::{EntryKind, LineInput, PricingInput, ScheduledPercent};
use crate::service::{
    CustomerFilter, LedgerInput, NewContract, NewOpportunity, PlanInput, RoleInput, TicketFilter,
    UserInput,
};
use crate::store::Store;
use crate::testkit::fixture::*;
use crate::ticket::{Channel, NewTicket, Priority};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

/// A user who reads sales and tickets everywhere but not their amounts or descriptions.
const CS: UserId = UserId(20);
/// A user who reads the same without field rules.
const FULL: UserId = UserId(21);

const OPP_AMOUNT: &str = "7654321.00";
const UNIT_PRICE: &str = "8765432.00";
const DESCRIPTION: &str = "DESC-SENTINEL-4242";

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
}

fn text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serializes")
}

fn denied_field<T: std::fmt::Debug>(r: Result<T, CrmError>) -> Option<String> {
    match r {
        Err(CrmError::PermissionDenied { field, .. }) => field,
        other => panic!("expected permission_denied, got {other:?}"),
    }
}

fn grants(modules: &[Module], actions: &[Action], scope: DataScope) -> Vec<Grant> {
    modules
        .iter()
        .flat_map(|&module| {
            actions.iter().map(move |&action| Grant {
                module,
                action,
                scope,
            })
        })
        .collect()
}

fn rule(module: Module, field: &str, access: FieldAccess, mask: MaskMode) -> FieldRule {
    FieldRule {
        module,
        field: field.into(),
        access,
        mask,
    }
}

/// Creates a role and a user (in Service) holding only it.
async fn user_with_role<S: Store>(
    f: &Fixture<S>,
    id: UserId,
    name: &str,
    grants: Vec<Grant>,
    fields: Vec<FieldRule>,
) {
    let sys = Actor::system(T1);
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: name.into(),
                grants,
                fields,
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id,
                name: name.into(),
                department_id: Some(SERVICE_DEPT),
                supervisor_id: None,
                role_ids: vec![role.id],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("user");
}

async fn customer<S: Store>(f: &Fixture<S>, owner: UserId, name: &str, phone: &str) -> CustomerId {
    f.crm
        .create_customer(
            Actor::system(T1),
            NewCustomer {
                name: name.into(),
                phone: Some(phone.into()),
                email: Some(format!("{phone}@secret.example")),
                owner_id: Some(owner),
                ..NewCustomer::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id
}

fn new_contract(number: &str, customer_id: CustomerId, owner: UserId) -> NewContract {
    NewContract {
        number: number.into(),
        customer_id,
        opportunity_id: None,
        owner_id: Some(owner),
        signed_on: Some(day(3, 2)),
        start_on: day(3, 2),
        end_on: day(12, 31),
        pricing: PricingInput {
            currency: "CNY".into(),
            lines: vec![LineInput {
                product: "年度服务".into(),
                quantity: dec("1"),
                unit_price: dec(UNIT_PRICE),
                discount: Decimal::ZERO,
                tax_rate: Decimal::ZERO,
            }],
            order_discount: Decimal::ZERO,
        },
    }
}

fn new_opportunity(customer_id: CustomerId, owner: Option<UserId>) -> NewOpportunity {
    NewOpportunity {
        customer_id,
        name: "big deal".into(),
        amount: dec(OPP_AMOUNT),
        currency: "CNY".into(),
        pipeline: None,
        stage: "lead".into(),
        probability: None,
        expected_close: day(6, 30),
        owner_id: owner,
        products: vec![],
    }
}

/// Item 1: audit entries and event payloads apply the reader's field rules, pool rules
/// included; a tenant admin sees what their roles let them read (nothing of a module none
/// of their roles grants).
pub async fn field_rules_apply_to_audit_and_events<S: Store>(store: Arc<S>) {
    use crate::pool::{HeldLimits, PoolRules};
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let pool = f.pool(PoolRules::default(), HeldLimits::default()).await;
    let pooled = f
        .crm
        .create_customer(
            sys,
            NewCustomer {
                name: "池中客户".into(),
                phone: Some("13800001234".into()),
                pool_id: Some(pool),
                ..NewCustomer::default()
            },
        )
        .await
        .expect("pooled")
        .record
        .id;
    // A pool member who does not administer the pool: the phone is masked in the audit
    // trail as in `customer.get`; the pool's admin reads it in clear.
    let rep = text(
        &f.crm
            .customer_audit(user(REP), pooled)
            .await
            .expect("rep audit"),
    );
    assert!(!rep.contains("13800001234"), "{rep}");
    assert!(
        rep.contains("\"phone\""),
        "the change is there, masked: {rep}"
    );
    let admin = text(
        &f.crm
            .customer_audit(user(MANAGER), pooled)
            .await
            .expect("pool admin audit"),
    );
    assert!(admin.contains("13800001234"));

    // Service: phone masked everywhere, e-mail hidden. The owner reads both.
    let owned = customer(&f, REP, "保密客户甲", "13900005678").await;
    f.crm
        .update_customer(
            user(REP),
            owned,
            crate::customer::CustomerPatch {
                phone: Some("13900008765".into()),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    let service = text(
        &f.crm
            .customer_audit(user(SERVICE), owned)
            .await
            .expect("service"),
    );
    for secret in ["13900005678", "13900008765", "secret.example"] {
        assert!(!service.contains(secret), "{secret} in {service}");
    }
    assert!(
        service.contains("保密客户甲"),
        "name is not restricted for service"
    );
    let owner = text(&f.crm.customer_audit(user(REP), owned).await.expect("owner"));
    for secret in ["13900005678", "13900008765", "secret.example"] {
        assert!(owner.contains(secret), "{secret} missing for the owner");
    }
    // The rep's own changes read back through audit_by_user are their own to see.
    let mine = text(
        &f.crm
            .audit_by_user(user(REP), REP, 0, 1000)
            .await
            .expect("mine"),
    );
    assert!(mine.contains("13900008765"));

    // A tenant admin without roles: events and audit keep their ids, kinds and operations
    // but no field any rule could restrict.
    let events = f
        .crm
        .events_after(user(ADMIN), 0, 1000)
        .await
        .expect("events");
    assert!(events.iter().any(|e| e.kind == "CustomerCreated"));
    let events = text(&events);
    for secret in ["13900005678", "secret.example", "保密客户甲", "池中客户"] {
        assert!(!events.contains(secret), "{secret} in admin events");
    }
    let audit = f
        .crm
        .record_audit(user(ADMIN), "customer", owned.0)
        .await
        .expect("admin audit");
    assert!(audit.iter().any(|e| e.operation == "customer.update"));
    let audit = text(&audit);
    for secret in ["13900005678", "13900008765", "secret.example", "保密客户甲"] {
        assert!(!audit.contains(secret), "{secret} in admin audit");
    }
    // The system actor (the host's delivery code) reads everything.
    let all = text(&f.crm.events_after(sys, 0, 1000).await.expect("sys events"));
    assert!(all.contains("保密客户甲"));

    // Give the admin the service role: its rules, not admin status, decide.
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: ADMIN,
                name: "Admin".into(),
                department_id: None,
                supervisor_id: None,
                role_ids: vec![f.roles["service"]],
                tenant_admin: true,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("admin with role");
    let events = text(
        &f.crm
            .events_after(user(ADMIN), 0, 1000)
            .await
            .expect("events"),
    );
    assert!(
        events.contains("保密客户甲"),
        "names are readable to service"
    );
    let audit = text(
        &f.crm
            .record_audit(user(ADMIN), "customer", owned.0)
            .await
            .expect("audit"),
    );
    assert!(audit.contains("保密客户甲"));
    for secret in ["13900005678", "13900008765", "secret.example"] {
        assert!(
            !audit.contains(secret),
            "{secret} in service-role admin audit"
        );
    }
}
