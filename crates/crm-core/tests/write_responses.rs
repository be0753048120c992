//! The last holes of the hardening pass: what a write hands back obeys the writer's field
//! rules as a read does, read-only ticket fields are not written, and a pool's field rules
//! reach the contacts of its customers (ADR 0011).

use crm_core::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crm_core::contact::ContactInput;
use crm_core::customer::NewCustomer;
use crm_core::ids::{CustomerId, UserId};
use crm_core::sales::StageMove;
use crm_core::service::{
    LedgerInput, NewContract, NewOpportunity, PlanInput, RoleInput, UserInput,
};
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::ticket::{Channel, NewTicket, Priority, TicketStatus};
use crm_core::view::VisibleJson;
use crm_core::{Actor, CrmError};
use serde_json::json;

/// Gives `who` (in Sales East, so a member of the fixture's pool) one role.
async fn only_role(
    f: &Fixture<MemoryStore>,
    who: UserId,
    grants: &[Grant],
    fields: Vec<FieldRule>,
) {
    role_and_admin(f, who, grants, fields, false).await
}

/// Like [`only_role`], `admin` making the user a tenant admin (settings, audit trails).
async fn role_and_admin(
    f: &Fixture<MemoryStore>,
    who: UserId,
    grants: &[Grant],
    fields: Vec<FieldRule>,
    admin: bool,
) {
    let sys = Actor::system(T1);
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: format!("role of {who} #{}", fields.len()),
                grants: grants.to_vec(),
                fields,
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: who,
                name: format!("user {who}"),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(MANAGER),
                role_ids: vec![role.id],
                tenant_admin: admin,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("user");
}

fn grants(modules: &[Module], actions: &[Action]) -> Vec<Grant> {
    modules
        .iter()
        .flat_map(|&module| {
            actions.iter().map(move |&action| Grant {
                module,
                action,
                scope: DataScope::All,
            })
        })
        .collect()
}

fn rule(module: Module, field: &str, access: FieldAccess) -> FieldRule {
    FieldRule {
        module,
        field: field.into(),
        access,
        mask: MaskMode::None,
    }
}

fn text(v: &VisibleJson) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

async fn customer(f: &Fixture<MemoryStore>, name: &str) -> CustomerId {
    f.crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: name.into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id
}

fn contract(number: &str, c: CustomerId, price: &str) -> NewContract {
    serde_json::from_value(json!({
        "number": number, "customer_id": c, "owner_id": REP,
        "signed_on": "2026-03-02", "start_on": "2026-03-02", "end_on": "2027-03-01",
        "pricing": {"currency": "CNY", "order_discount": "0", "lines": [
            {"product": "许可", "quantity": "1", "unit_price": price, "discount": "0", "tax_rate": "0"}]}
    }))
    .expect("contract input")
}

const RW: &[Action] = &[Action::Read, Action::Create, Action::Update];

#[tokio::test]
async fn contract_and_receivable_writes_answer_without_hidden_totals() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let c = customer(&f, "回写").await;
    let mods = [Module::Customers, Module::Contracts, Module::Receivables];
    only_role(
        &f,
        REP2,
        &grants(&mods, RW),
        vec![rule(Module::Contracts, "total", FieldAccess::Hidden)],
    )
    .await;
    // The system writes and hears the figure back (the other side of the rule).
    let shown = f
        .crm
        .create_contract(sys, contract("HT-W1", c, "98765.43"))
        .await
        .expect("create");
    assert!(text(&shown).contains("98765.43"), "{}", text(&shown));
    let id = shown
        .decode::<crm_core::contract::Contract>()
        .expect("typed")
        .id;
    // The user without totals submits it: the answer withholds them, as a get would.
    let submitted = f.crm.submit_contract(user(REP2), id).await.expect("submit");
    assert!(!text(&submitted).contains("98765"), "{}", text(&submitted));
    assert!(submitted.hidden_fields.iter().any(|h| h == "total"));
    assert_eq!(submitted.record["status"], json!("active"));
    let read = f.crm.get_contract(user(REP2), id).await.expect("get");
    assert_eq!(submitted.hidden_fields, read.hidden_fields);
    // Receivable writes answer with the contract too: the plan and payment amounts are
    // readable to this user, the contract's total is not.
    let plan: PlanInput = serde_json::from_value(json!({"type": "amounts", "installments": [
        {"due_date": "2026-04-01", "amount": "98765.43"}]}))
    .expect("plan input");
    let planned = f.crm.set_plan(sys, id, plan).await.expect("plan");
    assert!(text(&planned).contains("98765.43"));
    let pay: LedgerInput = serde_json::from_value(
        json!({"kind": "payment", "amount": "1000.00", "date": "2026-03-03"}),
    )
    .expect("ledger input");
    let paid = f
        .crm
        .record_ledger(user(REP2), id, pay)
        .await
        .expect("payment");
    assert!(!text(&paid).contains("98765"), "{}", text(&paid));
    let read = f.crm.get_contract(user(REP2), id).await.expect("get");
    assert_eq!(paid, read, "the answer is what a read shows");
}

#[tokio::test]
async fn opportunity_and_ticket_writes_answer_without_hidden_fields() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let c = customer(&f, "商机回写").await;
    let mods = [Module::Customers, Module::Opportunities, Module::Tickets];
    only_role(
        &f,
        REP2,
        &grants(&mods, RW),
        vec![
            rule(Module::Opportunities, "amount", FieldAccess::Hidden),
            rule(Module::Tickets, "subject", FieldAccess::Hidden),
        ],
    )
    .await;
    let opp: NewOpportunity = serde_json::from_value(json!({
        "customer_id": c, "name": "年度续约", "amount": "45678.90", "currency": "CNY",
        "stage": "lead", "expected_close": "2026-06-30", "owner_id": REP
    }))
    .expect("opportunity input");
    let created = f.crm.create_opportunity(sys, opp).await.expect("create");
    assert!(text(&created).contains("45678.90"));
    let id = created
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed")
        .id;
    let moved = f
        .crm
        .move_opportunity(
            user(REP2),
            id,
            StageMove::To {
                stage: "qualified".into(),
            },
        )
        .await
        .expect("move");
    assert!(!text(&moved).contains("45678"), "{}", text(&moved));
    assert!(moved.hidden_fields.iter().any(|h| h == "amount"));
    let probability = f
        .crm
        .set_opportunity_probability(user(REP2), id, Some(rust_decimal::Decimal::new(40, 0)))
        .await
        .expect("probability");
    assert!(!text(&probability).contains("45678"));

    let ticket = NewTicket {
        customer_id: c,
        subject: "发票抬头写错了".into(),
        description: String::new(),
        channel: Channel::Email,
        category: None,
        priority: Priority::Normal,
        assignee_id: Some(REP2),
        group: None,
    };
    let opened = f.crm.create_ticket(sys, ticket).await.expect("ticket");
    assert!(text(&opened).contains("发票抬头写错了"));
    let tid = opened
        .decode::<crm_core::service::TicketView>()
        .expect("typed")
        .ticket
        .id;
    let pending = f
        .crm
        .set_ticket_status(user(REP2), tid, TicketStatus::OnHold)
        .await
        .expect("status");
    assert!(!text(&pending).contains("发票抬头"), "{}", text(&pending));
    assert!(pending.hidden_fields.iter().any(|h| h == "subject"));
    let unchanged = f
        .crm
        .set_ticket_status(user(REP2), tid, TicketStatus::OnHold)
        .await
        .expect("same status");
    assert!(!text(&unchanged).contains("发票抬头"));
    let assigned = f
        .crm
        .assign_ticket(user(REP2), tid, Some(REP2), None)
        .await
        .expect("assign");
    assert!(!text(&assigned).contains("发票抬头"));
}

#[tokio::test]
async fn read_only_ticket_fields_are_not_written() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let c = customer(&f, "只读工单").await;
    let mods = [Module::Customers, Module::Tickets];
    only_role(
        &f,
        REP2,
        &grants(&mods, RW),
        vec![
            rule(Module::Tickets, "group", FieldAccess::ReadOnly),
            rule(Module::Tickets, "satisfaction", FieldAccess::ReadOnly),
        ],
    )
    .await;
    let new = |group: Option<&str>| NewTicket {
        customer_id: c,
        subject: "无法登录".into(),
        description: String::new(),
        channel: Channel::Email,
        category: None,
        priority: Priority::Normal,
        assignee_id: Some(REP2),
        group: group.map(str::to_owned),
    };
    let count = || async {
        f.crm
            .list_tickets(sys, Default::default())
            .await
            .expect("list")
            .items
            .len()
    };
    let denied = |r: Result<VisibleJson, CrmError>| match r {
        Err(CrmError::PermissionDenied { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        denied(f.crm.create_ticket(user(REP2), new(Some("vip"))).await),
        Some("group".into())
    );
    assert_eq!(count().await, 0, "nothing written");
    // Without a group of their own choosing, the same user opens it.
    let t = f
        .crm
        .create_ticket(user(REP2), new(None))
        .await
        .expect("ticket")
        .decode::<crm_core::service::TicketView>()
        .expect("typed")
        .ticket;
    assert_eq!(count().await, 1);
    assert_eq!(
        denied(
            f.crm
                .assign_ticket(user(REP2), t.id, Some(REP2), Some("vip".into()))
                .await
        ),
        Some("group".into())
    );
    f.crm
        .assign_ticket(user(REP2), t.id, Some(REP2), None)
        .await
        .expect("assign without a group");
    f.crm
        .set_ticket_status(user(REP2), t.id, TicketStatus::Resolved)
        .await
        .expect("resolve");
    assert_eq!(
        denied(f.crm.rate_ticket(user(REP2), t.id, 5, None).await),
        Some("satisfaction".into())
    );
    let after = f
        .crm
        .get_ticket(sys, t.id)
        .await
        .expect("ticket")
        .decode::<crm_core::service::TicketView>()
        .expect("typed")
        .ticket;
    assert_eq!(after.group, t.group, "group unchanged");
    assert_eq!(after.satisfaction, None, "no rating written");
    // Editable to the system: the rating goes in.
    f.crm
        .rate_ticket(sys, t.id, 5, None)
        .await
        .expect("rated by the system");
}

#[tokio::test]
async fn pool_field_rules_reach_the_contacts_of_pooled_customers() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let pool = f
        .pool(
            crm_core::pool::PoolRules::default(),
            crm_core::pool::HeldLimits::default(),
        )
        .await;
    let pooled = f.fill(pool, 1).await[0];
    let owned = customer(&f, "自己的").await;
    let phone = "13912345678";
    let add = |c: CustomerId| {
        f.crm.create_contact(
            sys,
            c,
            ContactInput {
                name: "王经理".into(),
                title: None,
                phone: Some(phone.into()),
                email: None,
                primary: true,
            },
        )
    };
    let in_pool = add(pooled).await.expect("contact").record.id;
    add(owned).await.expect("contact");
    // REP is a member (Sales), not an admin, of the pool, which masks phones.
    let listed = f.crm.list_contacts(user(REP), pooled).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_ne!(listed[0].record.phone.as_deref(), Some(phone));
    assert!(listed[0].masked_fields.iter().any(|m| m == "phone"));
    let view = f.crm.customer_360(user(REP), pooled).await.expect("360");
    let shown = serde_json::to_string(&view).unwrap_or_default();
    assert!(!shown.contains(phone), "{shown}");
    // Out of the pool the same user reads the same number in clear.
    let mine = f.crm.list_contacts(user(REP), owned).await.expect("list");
    assert_eq!(mine[0].record.phone.as_deref(), Some(phone));
    assert!(mine[0].masked_fields.is_empty());
    // The pool's admin reads the pooled contact in clear.
    let admin = f
        .crm
        .list_contacts(user(MANAGER), pooled)
        .await
        .expect("list");
    assert_eq!(admin[0].record.phone.as_deref(), Some(phone));
    // The audit trail of the contact holds the number for the system only, not for a
    // member who may read settings.
    let readers = grants(&[Module::Customers, Module::Contacts], &[Action::Read]);
    role_and_admin(&f, REP2, &readers, vec![], true).await;
    let trail = f
        .crm
        .record_audit(user(REP2), "contact", in_pool.0)
        .await
        .expect("audit");
    assert!(!trail.is_empty());
    let trail = serde_json::to_string(&trail).unwrap_or_default();
    assert!(!trail.contains(phone), "{trail}");
    let full = f
        .crm
        .record_audit(sys, "contact", in_pool.0)
        .await
        .expect("audit");
    assert!(serde_json::to_string(&full)
        .unwrap_or_default()
        .contains(phone));
}

/// `contact.update` replaces every field. A field the writer reads in clear may be sent
/// back unchanged; one masked (or hidden) for them counts as written whenever a value is
/// given, so the stored value's guess and a wrong guess are refused alike — the refusal
/// tells nothing — and nothing is written.
#[tokio::test]
async fn contact_update_refuses_masked_fields_whatever_the_guess() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let mut g = grants(
        &[Module::Contacts],
        &[Action::Create, Action::Read, Action::Update],
    );
    g.extend(grants(&[Module::Customers], &[Action::Read]));
    only_role(
        &f,
        REP2,
        &g,
        vec![FieldRule {
            module: Module::Contacts,
            field: "phone".into(),
            access: FieldAccess::ReadOnly,
            mask: MaskMode::Everywhere,
        }],
    )
    .await;
    let c = f
        .crm
        .create_customer(
            sys,
            NewCustomer {
                name: "联系人测试".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let input = |phone: Option<&str>, title: &str| ContactInput {
        name: "李娜".into(),
        title: Some(title.into()),
        phone: phone.map(Into::into),
        email: None,
        primary: true,
    };
    let with_phone = f
        .crm
        .create_contact(sys, c, input(Some("13812345678"), "经理"))
        .await
        .expect("contact")
        .record
        .id;
    let seen = f.crm.list_contacts(user(REP2), c).await.expect("list");
    assert_eq!(seen[0].record.phone.as_deref(), Some("138****5678"));
    for guess in [Some("13812345678"), Some("13800000000"), None] {
        let r = f
            .crm
            .update_contact(user(REP2), with_phone, input(guess, "总监"))
            .await;
        assert!(
            matches!(&r, Err(CrmError::PermissionDenied { field: Some(field), .. }) if field == "phone"),
            "{guess:?}: {r:?}"
        );
    }
    let after = f.crm.list_contacts(sys, c).await.expect("list");
    assert_eq!(
        after[0].record.title.as_deref(),
        Some("经理"),
        "nothing written"
    );
    // A contact without a phone: the writer edits what they may.
    let bare = f
        .crm
        .create_contact(sys, c, input(None, "助理"))
        .await
        .expect("contact")
        .record
        .id;
    let edited = f
        .crm
        .update_contact(user(REP2), bare, input(None, "主管"))
        .await
        .expect("title is writable");
    assert_eq!(edited.record.title.as_deref(), Some("主管"));
}

/// A lead's audit trail, read by a tenant admin whose role hides the estimated amount,
/// carries no amount — in the entry's before and after alike.
#[tokio::test]
async fn lead_audit_obeys_the_readers_field_rules() {
    let f = Fixture::new(MemoryStore::new()).await;
    role_and_admin(
        &f,
        REP2,
        &grants(&[Module::Leads], &[Action::Read]),
        vec![FieldRule {
            module: Module::Leads,
            field: "estimated_amount".into(),
            access: FieldAccess::Hidden,
            mask: MaskMode::None,
        }],
        true,
    )
    .await;
    let lead = f
        .crm
        .create_lead(
            user(REP),
            crm_core::lead::LeadInput {
                name: "金额隐藏".into(),
                estimated_amount: Some("98765.43".parse().unwrap_or_default()),
                currency: Some("CNY".into()),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("lead");
    let id = lead.record["id"].as_i64().unwrap_or_default();
    let sys = f
        .crm
        .record_audit(Actor::system(T1), "lead", id)
        .await
        .expect("system audit");
    assert!(serde_json::to_string(&sys)
        .unwrap_or_default()
        .contains("98765.43"));
    let trail = f
        .crm
        .record_audit(user(REP2), "lead", id)
        .await
        .expect("admin audit");
    assert_eq!(trail.len(), 1);
    let text = serde_json::to_string(&trail).unwrap_or_default();
    assert!(!text.contains("98765.43"), "{text}");
    assert!(!text.contains("estimated_amount\":\""), "{text}");
}
