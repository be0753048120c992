//! Field rules on every read path (issue 12, items 1–5): audit entries and events, sales
//! records and reports, filters, owners of new deals, and errors about records out of
//! scope. Each case checks both sides: the reader the rules allow sees the value, the one
//! they restrict does not. Values are distinctive sentinels, so searching the serialized
//! response for them is meaningful.

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

/// Item 2: contract, opportunity, receivable and ticket field rules hold on get, list, the
/// 360° view and reports; withheld amounts are absent and listed; reports over them are
/// refused naming the field.
pub async fn field_rules_apply_to_sales_records_and_reports<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let modules = [
        Module::Customers,
        Module::Opportunities,
        Module::Contracts,
        Module::Receivables,
        Module::Tickets,
        Module::Reports,
    ];
    let read_all = grants(&modules, &[Action::Read], DataScope::All);
    user_with_role(
        &f,
        CS,
        "cs",
        read_all.clone(),
        vec![
            rule(
                Module::Contracts,
                "total",
                FieldAccess::Hidden,
                MaskMode::None,
            ),
            rule(
                Module::Opportunities,
                "amount",
                FieldAccess::Hidden,
                MaskMode::None,
            ),
            rule(
                Module::Tickets,
                "description",
                FieldAccess::Hidden,
                MaskMode::None,
            ),
        ],
    )
    .await;
    user_with_role(&f, FULL, "full", read_all, vec![]).await;

    let c = customer(&f, REP, "销售客户", "13700001111").await;
    let o = f
        .crm
        .create_opportunity(sys, new_opportunity(c, Some(REP)))
        .await
        .expect("opportunity")
        .decode::<crate::opportunity::Opportunity>()
        .expect("typed record");
    let k = f
        .crm
        .create_contract(sys, new_contract("K-FR-1", c, REP))
        .await
        .expect("contract")
        .decode::<crate::contract::Contract>()
        .expect("typed record");
    f.crm.submit_contract(sys, k.id).await.expect("submit");
    let plan = PlanInput::Percents {
        installments: vec![
            ScheduledPercent {
                due_date: day(4, 1),
                percent: dec("30"),
            },
            ScheduledPercent {
                due_date: day(6, 1),
                percent: dec("70"),
            },
        ],
    };
    f.crm.set_plan(sys, k.id, plan).await.expect("plan");
    f.crm
        .record_ledger(
            sys,
            k.id,
            LedgerInput {
                kind: EntryKind::Payment,
                amount: dec("4000000.00"),
                date: day(3, 2),
                installment: None,
                method: None,
                reference: None,
            },
        )
        .await
        .expect("pay");
    let t = f
        .crm
        .create_ticket(
            sys,
            NewTicket {
                customer_id: c,
                subject: "无法登录".into(),
                description: DESCRIPTION.into(),
                channel: Channel::Email,
                category: None,
                priority: Priority::Normal,
                assignee_id: None,
                group: None,
            },
        )
        .await
        .expect("ticket")
        .decode::<crate::service::TicketView>()
        .expect("typed record")
        .ticket;
    // Every amount of this contract and its plan: unit price, totals, installments,
    // payments. None may show, however derived.
    let amounts = [
        "8765432",
        "2629629.6", // 30 %
        "6135802.4", // 70 %
        "4000000",
        "4765432", // outstanding
        OPP_AMOUNT,
        "7654321",
    ];
    let none_of = |what: &str, json: &str, secrets: &[&str]| {
        for s in secrets {
            assert!(!json.contains(s), "{s} in {what}: {json}");
        }
    };
    let cs = user(CS);
    let full = user(FULL);

    let got = f.crm.get_contract(cs, k.id).await.expect("cs contract");
    assert_eq!(got.hidden_fields, vec!["total".to_owned()]);
    assert_eq!(got.record["number"], "K-FR-1");
    assert!(
        got.record["pricing"].get("totals").is_none(),
        "absent, not zero"
    );
    none_of("contract.get", &text(&got), &amounts);
    let listed = f
        .crm
        .list_contracts(cs, Default::default())
        .await
        .expect("cs contracts");
    assert_eq!(listed.items.len(), 1);
    none_of("contract.list", &text(&listed), &amounts);
    let opp = f
        .crm
        .get_opportunity(cs, o.id)
        .await
        .expect("cs opportunity");
    assert!(opp.record.get("amount").is_none());
    assert_eq!(opp.hidden_fields, vec!["amount".to_owned()]);
    none_of("opportunity.get", &text(&opp), &amounts);
    let opps = f
        .crm
        .list_opportunities(cs, Default::default())
        .await
        .expect("cs opportunities");
    none_of("opportunity.list", &text(&opps), &amounts);
    let view = f.crm.customer_360(cs, c).await.expect("cs 360");
    assert_eq!(view.contracts.as_ref().map(Vec::len), Some(1));
    none_of("customer.view_360", &text(&view), &amounts);
    none_of("customer.view_360", &text(&view), &[DESCRIPTION]);
    let ticket = f.crm.get_ticket(cs, t.id).await.expect("cs ticket");
    assert_eq!(ticket.hidden_fields, vec!["description".to_owned()]);
    none_of("ticket.get", &text(&ticket), &[DESCRIPTION]);
    let tickets = f
        .crm
        .list_tickets(cs, TicketFilter::default())
        .await
        .expect("cs tickets");
    none_of("ticket.list", &text(&tickets), &[DESCRIPTION]);
    assert_eq!(
        denied_field(f.crm.receivable_summary(cs, k.id).await).as_deref(),
        Some("total")
    );
    assert_eq!(
        denied_field(f.crm.aging(cs, day(5, 1), None).await).as_deref(),
        Some("total")
    );
    assert_eq!(
        denied_field(
            f.crm
                .sales_report(cs, "default", day(1, 1), day(12, 31))
                .await
        )
        .as_deref(),
        Some("amount")
    );

    // The reader without rules sees every value on the same paths.
    let got = f.crm.get_contract(full, k.id).await.expect("full contract");
    assert!(got.hidden_fields.is_empty());
    assert!(text(&got).contains("8765432"));
    assert!(got.decode::<crate::contract::Contract>().is_ok());
    let listed = f
        .crm
        .list_contracts(full, Default::default())
        .await
        .expect("full list");
    assert!(text(&listed).contains("8765432"));
    let opp = f.crm.get_opportunity(full, o.id).await.expect("full opp");
    assert!(text(&opp).contains("7654321"));
    let view = text(&f.crm.customer_360(full, c).await.expect("full 360"));
    assert!(view.contains("8765432") && view.contains("7654321") && view.contains(DESCRIPTION));
    let ticket = f.crm.get_ticket(full, t.id).await.expect("full ticket");
    assert!(text(&ticket).contains(DESCRIPTION));
    let summary = f.crm.receivable_summary(full, k.id).await.expect("summary");
    assert_eq!(summary.paid, dec("4000000.00"));
    f.crm
        .aging(full, day(5, 1), None)
        .await
        .expect("full aging");
    let report = f
        .crm
        .sales_report(full, "default", day(1, 1), day(12, 31))
        .await
        .expect("full report");
    assert!(text(&report).contains("765432"));

    // The design's example: customer service sees tickets, no contract amounts on any op.
    let service = f
        .crm
        .customer_360(user(SERVICE), c)
        .await
        .expect("service 360");
    assert!(service.contracts.is_none());
    assert!(service.open_tickets.as_ref().is_some_and(|t| t.len() == 1));
    none_of("service 360", &text(&service), &amounts);
}

/// Item 3: filtering on a field the actor cannot read is refused naming it, for role rules
/// and for the rules of pools the actor sees as a member.
pub async fn filters_on_unreadable_fields_are_refused<S: Store>(store: Arc<S>) {
    use crate::pool::{Members, PoolFieldMode, PoolFieldRule, PoolInput, PoolRules};
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let read = grants(
        &[Module::Customers, Module::Tickets],
        &[Action::Read],
        DataScope::All,
    );
    user_with_role(
        &f,
        CS,
        "no names",
        read.clone(),
        vec![
            rule(
                Module::Customers,
                "name",
                FieldAccess::Hidden,
                MaskMode::None,
            ),
            rule(
                Module::Customers,
                "level",
                FieldAccess::ReadOnly,
                MaskMode::InLists,
            ),
            rule(
                Module::Tickets,
                "group",
                FieldAccess::Hidden,
                MaskMode::None,
            ),
        ],
    )
    .await;
    user_with_role(&f, FULL, "names", read, vec![]).await;
    customer(&f, REP, "秘密名称", "13600002222").await;
    let by_name = |text: &str| CustomerFilter {
        name_contains: Some(text.into()),
        ..Default::default()
    };
    assert_eq!(
        denied_field(f.crm.list_customers(user(CS), by_name("秘")).await).as_deref(),
        Some("name")
    );
    assert_eq!(
        denied_field(
            f.crm
                .list_customers(
                    user(CS),
                    CustomerFilter {
                        level: Some(crate::customer::CustomerLevel::A),
                        ..Default::default()
                    }
                )
                .await
        )
        .as_deref(),
        Some("level"),
        "masked in lists is not readable in a list either"
    );
    assert!(f
        .crm
        .list_customers(user(CS), CustomerFilter::default())
        .await
        .is_ok());
    let page = f
        .crm
        .list_customers(user(FULL), by_name("秘"))
        .await
        .expect("full filter");
    assert_eq!(page.items.len(), 1);
    let by_group = TicketFilter {
        group: Some("vip".into()),
        ..Default::default()
    };
    assert_eq!(
        denied_field(f.crm.list_tickets(user(CS), by_group.clone()).await).as_deref(),
        Some("group")
    );
    assert!(f.crm.list_tickets(user(FULL), by_group).await.is_ok());

    // A pool hiding names from its members: a member's name filter could reach pooled
    // customers, so it is refused; the pool's admin filters freely.
    f.crm
        .create_pool(
            sys,
            PoolInput {
                name: "无名池".into(),
                position: 0,
                is_default: true,
                enabled: true,
                admins: Members {
                    users: vec![MANAGER],
                    departments: vec![],
                },
                members: Members {
                    users: vec![],
                    departments: vec![SALES],
                },
                rules: PoolRules::default(),
                field_rules: vec![PoolFieldRule {
                    field: "name".into(),
                    mode: PoolFieldMode::Hidden,
                }],
            },
        )
        .await
        .expect("pool");
    assert_eq!(
        denied_field(f.crm.list_customers(user(REP), by_name("秘")).await).as_deref(),
        Some("name")
    );
    assert!(f
        .crm
        .list_customers(user(MANAGER), by_name("秘"))
        .await
        .is_ok());
}

/// Items 4 and 5: a new opportunity or contract for another owner needs the transfer
/// right reaching them; records out of scope are refused before any rule describes them;
/// a taken contract number tells nothing but that.
pub async fn owners_and_scope_come_before_rules<S: Store>(store: Arc<S>) {
    use crate::sales::Decision;
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let deals = [Module::Opportunities, Module::Contracts];
    let sales_actions = [Action::Create, Action::Read, Action::Update];
    let deals_self = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "deals self".into(),
                grants: grants(&deals, &sales_actions, DataScope::SelfOnly),
                fields: vec![],
            },
        )
        .await
        .expect("role");
    let mut team_grants = grants(&deals, &sales_actions, DataScope::SelfAndSubordinates);
    team_grants.extend(grants(
        &deals,
        &[Action::Transfer],
        DataScope::SelfAndSubordinates,
    ));
    let deals_team = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "deals team".into(),
                grants: team_grants,
                fields: vec![],
            },
        )
        .await
        .expect("role");
    for (id, name, sup, roles) in [
        (
            REP,
            "Rep Li",
            MANAGER,
            vec![f.roles["sales"], deals_self.id],
        ),
        (
            REP2,
            "Rep Wang",
            MANAGER,
            vec![f.roles["sales"], deals_self.id],
        ),
        (
            MANAGER,
            "East Manager",
            BOSS,
            vec![f.roles["manager"], deals_team.id],
        ),
    ] {
        f.crm
            .upsert_user(
                sys,
                UserInput {
                    id,
                    name: name.into(),
                    department_id: Some(SALES_EAST),
                    supervisor_id: Some(sup),
                    role_ids: roles,
                    tenant_admin: false,
                    active: true,
                },
            )
            .await
            .expect("user");
    }
    let mine = customer(&f, REP, "我的客户", "13500003333").await;
    let theirs = customer(&f, REP2, "同事客户", "13500004444").await;
    let count_opps = || async {
        f.crm
            .list_opportunities(sys, Default::default())
            .await
            .expect("list")
            .items
            .len()
    };

    // Item 4: a self-scoped rep cannot land a deal in a colleague's pipeline.
    let denied = f
        .crm
        .create_opportunity(user(REP), new_opportunity(mine, Some(REP2)))
        .await;
    assert_eq!(denied_field(denied).as_deref(), Some("owner_id"));
    let denied = f
        .crm
        .create_contract(user(REP), new_contract("K-X", mine, REP2))
        .await;
    assert_eq!(denied_field(denied).as_deref(), Some("owner_id"));
    assert_eq!(count_opps().await, 0, "nothing written");
    assert!(f
        .crm
        .list_contracts(sys, Default::default())
        .await
        .expect("contracts")
        .items
        .is_empty());
    // Their own, and a manager with the transfer right over the team, may.
    f.crm
        .create_opportunity(user(REP), new_opportunity(mine, None))
        .await
        .expect("own deal");
    f.crm
        .create_opportunity(user(MANAGER), new_opportunity(mine, Some(REP)))
        .await
        .expect("manager gives a deal to a subordinate");
    assert_eq!(count_opps().await, 2);

    // Item 5: a colleague's contract is refused before approval rules describe it.
    let theirs_k = f
        .crm
        .create_contract(user(REP2), new_contract("K-REP2-1", theirs, REP2))
        .await
        .expect("colleague's contract")
        .decode::<crate::contract::Contract>()
        .expect("typed record");
    f.crm
        .submit_contract(sys, theirs_k.id)
        .await
        .expect("active");
    let decided = f
        .crm
        .decide_contract(user(REP), theirs_k.id, Decision::Approve, None)
        .await;
    assert!(
        matches!(decided, Err(CrmError::PermissionDenied { .. })),
        "{decided:?}"
    );
    // In scope, the rule answers.
    let mine_k = f
        .crm
        .create_contract(user(REP), new_contract("K-REP-1", mine, REP))
        .await
        .expect("own contract")
        .decode::<crate::contract::Contract>()
        .expect("typed record");
    f.crm.submit_contract(sys, mine_k.id).await.expect("active");
    assert!(matches!(
        f.crm
            .decide_contract(user(REP), mine_k.id, Decision::Approve, None)
            .await,
        Err(CrmError::RuleViolation { .. })
    ));
    // A taken number: the same bare answer whether the holder is in scope or not.
    let clash_theirs = f
        .crm
        .create_contract(user(REP), new_contract("K-REP2-1", mine, REP))
        .await
        .expect_err("taken");
    let clash_mine = f
        .crm
        .create_contract(user(REP), new_contract("K-REP-1", mine, REP))
        .await
        .expect_err("taken");
    assert_eq!(clash_theirs, clash_mine);
    assert_eq!(
        clash_theirs,
        CrmError::validation("number", "is not available")
    );
    // A colleague's opportunity is not described through a contract's link to it.
    let their_opp = f
        .crm
        .create_opportunity(user(REP2), new_opportunity(theirs, None))
        .await
        .expect("their deal")
        .decode::<crate::opportunity::Opportunity>()
        .expect("typed record");
    let linked = f
        .crm
        .create_contract(
            user(REP),
            NewContract {
                opportunity_id: Some(their_opp.id),
                ..new_contract("K-LINK", mine, REP)
            },
        )
        .await;
    assert!(
        matches!(linked, Err(CrmError::PermissionDenied { .. })),
        "{linked:?}"
    );
    // The duplicate check discloses existence and the owner only.
    let dup = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "另一个名字".into(),
                phone: Some("13500004444".into()),
                ..NewCustomer::default()
            },
        )
        .await
        .expect_err("duplicate");
    assert_eq!(
        dup,
        CrmError::Duplicate {
            entity: "customer".into(),
            existing: theirs.0,
            owner: Some(REP2.0),
            matched_on: "phone".into(),
        }
    );
    let shown = format!("{dup} {dup:?}");
    assert!(!shown.contains("同事客户") && !shown.contains("secret.example"));
}
