//! Property: for a random role with random field rules over the real fields of every module
//! (hidden, read-only or editable; masked nowhere, in lists or everywhere), no read op's
//! serialized response — get, list, 360°, audit, events, reports, or the error it returns —
//! contains the value of a field the role hides (or masks everywhere) for that actor.
//! Every field's value is a distinctive sentinel, so a substring search is meaningful.

use chrono::NaiveDate;
use crm_core::access::{
    catalog, Action, DataScope, FieldAccess, FieldKind, FieldRule, Grant, MaskMode, Module,
};
use crm_core::contact::ContactInput;
use crm_core::customer::{CustomerPatch, NewCustomer};
use crm_core::followup::{FollowUpKind, NewFollowUp};
use crm_core::ids::{CustomerId, UserId};
use crm_core::sales::{EntryKind, LineInput, PricingInput, ScheduledPercent};
use crm_core::service::{
    LedgerInput, NewContract, NewOpportunity, PlanInput, RoleInput, TicketFilter, UserInput,
};
use crm_core::store::Store;
use crm_core::testkit::fixture::{Fixture, REP, SALES, SERVICE, T1};
use crm_core::testkit::MemoryStore;
use crm_core::ticket::{Channel, NewTicket, Priority, TicketGroup, TicketSettings};
use crm_core::{Actor, CrmResult};
use proptest::prelude::*;
use rust_decimal::Decimal;

const READER: UserId = UserId(30);

const MODULES: [Module; 7] = [
    Module::Customers,
    Module::Contacts,
    Module::FollowUps,
    Module::Opportunities,
    Module::Contracts,
    Module::Receivables,
    Module::Tickets,
];

/// Contract money: unit price (= total), the 30/70 plan and the payment.
const MONEY: &[&str] = &["8888888", "2666666.4", "6222221.6", "3333333"];

/// The values of a field in the seeded data (empty: nothing distinctive to look for).
fn sentinels(module: Module, field: &str) -> &'static [&'static str] {
    match (module, field) {
        (Module::Customers, "name") => &["客户SENTNAME"],
        (Module::Customers, "phone") => &["13712345678", "13787654321"],
        (Module::Customers, "email") => &["sent-email@x.example"],
        (Module::Customers, "address") => &["ADDR-SENT-1"],
        (Module::Customers, "industry") => &["IND-SENT-1"],
        (Module::Customers, "external_ref") => &["EXT-SENT-1"],
        (Module::Customers, "tags") => &["TAG-SENT-1"],
        (Module::Contacts, "name") => &["CONTACT-SENT-1"],
        (Module::Contacts, "title") => &["TITLE-SENT-1"],
        (Module::Contacts, "phone") => &["13611112222"],
        (Module::Contacts, "email") => &["contact-sent@x.example"],
        (Module::FollowUps, "content") => &["FU-CONTENT-SENT"],
        (Module::Opportunities, "name") => &["OPP-SENT-NAME"],
        (Module::Opportunities, "amount") => &["7777777"],
        (Module::Contracts, "number") => &["K-SENT-9"],
        (Module::Contracts, "total") => MONEY,
        (Module::Contracts, "lines") => &["PRODUCT-SENT"],
        (Module::Receivables, "amount") => MONEY,
        (Module::Receivables, "method") => &["METHOD-SENT"],
        (Module::Receivables, "reference") => &["REF-SENT"],
        (Module::Tickets, "subject") => &["SUBJ-SENT"],
        (Module::Tickets, "description") => &["DESC-SENT"],
        (Module::Tickets, "category") => &["CAT-SENT"],
        (Module::Tickets, "group") => &["GRP-SENT"],
        _ => &[],
    }
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

fn day(m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, dd).unwrap_or_default()
}

/// Seeds one customer of the rep with a value in every field of every module.
async fn seed<S: Store>(f: &Fixture<S>) -> (CustomerId, i64, i64, i64) {
    let sys = Actor::system(T1);
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let mut settings = tenant.settings.clone();
    settings.tickets = TicketSettings {
        groups: vec![TicketGroup {
            name: "GRP-SENT".into(),
            agents: vec![SERVICE],
        }],
        routing: vec![],
    };
    f.crm
        .setup_tenant(sys, &tenant.name, settings)
        .await
        .expect("ticket groups");
    let c = f
        .crm
        .create_customer(
            sys,
            NewCustomer {
                name: "客户SENTNAME".into(),
                phone: Some("13712345678".into()),
                email: Some("sent-email@x.example".into()),
                address: Some("ADDR-SENT-1".into()),
                industry: Some("IND-SENT-1".into()),
                external_ref: Some("EXT-SENT-1".into()),
                tags: vec!["TAG-SENT-1".into()],
                owner_id: Some(REP),
                ..NewCustomer::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    f.crm
        .update_customer(
            sys,
            c,
            CustomerPatch {
                phone: Some("13787654321".into()),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    f.crm
        .create_contact(
            sys,
            c,
            ContactInput {
                name: "CONTACT-SENT-1".into(),
                title: Some("TITLE-SENT-1".into()),
                phone: Some("13611112222".into()),
                email: Some("contact-sent@x.example".into()),
                primary: true,
            },
        )
        .await
        .expect("contact");
    f.crm
        .record_followup(
            sys,
            NewFollowUp {
                customer_id: c,
                kind: FollowUpKind::Call,
                content: "FU-CONTENT-SENT".into(),
                at: None,
                location: None,
                next_followup_at: None,
            },
        )
        .await
        .expect("follow-up");
    let o = f
        .crm
        .create_opportunity(
            sys,
            NewOpportunity {
                customer_id: c,
                name: "OPP-SENT-NAME".into(),
                amount: d("7777777.00"),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: day(6, 30),
                owner_id: Some(REP),
                products: vec![],
            },
        )
        .await
        .expect("opportunity")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    let k = f
        .crm
        .create_contract(
            sys,
            NewContract {
                number: "K-SENT-9".into(),
                customer_id: c,
                opportunity_id: None,
                owner_id: Some(REP),
                signed_on: Some(day(3, 2)),
                start_on: day(3, 2),
                end_on: day(12, 31),
                pricing: PricingInput {
                    currency: "CNY".into(),
                    lines: vec![LineInput {
                        product: "PRODUCT-SENT".into(),
                        quantity: d("1"),
                        unit_price: d("8888888.00"),
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
        .expect("typed record");
    f.crm.submit_contract(sys, k.id).await.expect("submit");
    let plan = PlanInput::Percents {
        installments: vec![
            ScheduledPercent {
                due_date: day(4, 1),
                percent: d("30"),
            },
            ScheduledPercent {
                due_date: day(6, 1),
                percent: d("70"),
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
                amount: d("3333333.00"),
                date: day(3, 2),
                installment: None,
                method: Some("METHOD-SENT".into()),
                reference: Some("REF-SENT".into()),
            },
        )
        .await
        .expect("payment");
    let t = f
        .crm
        .create_ticket(
            sys,
            NewTicket {
                customer_id: c,
                subject: "SUBJ-SENT".into(),
                description: "DESC-SENT".into(),
                channel: Channel::Email,
                category: Some("CAT-SENT".into()),
                priority: Priority::Normal,
                assignee_id: None,
                group: Some("GRP-SENT".into()),
            },
        )
        .await
        .expect("ticket")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    (c, o.id.into(), k.id.into(), t.id.into())
}

fn show<T: serde::Serialize>(r: CrmResult<T>) -> String {
    match r {
        Ok(v) => serde_json::to_string(&v).unwrap_or_default(),
        Err(e) => format!("{e} {}", serde_json::to_string(&e).unwrap_or_default()),
    }
}

/// Every read op's response (or error) as the reader gets it, labelled.
async fn responses<S: Store>(
    f: &Fixture<S>,
    (c, o, k, t): (CustomerId, i64, i64, i64),
) -> Vec<(&'static str, String)> {
    let a = Actor::user(T1, READER);
    let crm = &f.crm;
    vec![
        ("customer.get", show(crm.get_customer(a, c).await)),
        (
            "customer.list",
            show(crm.list_customers(a, Default::default()).await),
        ),
        ("customer.view_360", show(crm.customer_360(a, c).await)),
        ("customer.audit", show(crm.customer_audit(a, c).await)),
        ("contact.list", show(crm.list_contacts(a, c).await)),
        (
            "followup.list",
            show(crm.list_followups(a, c, None, None).await),
        ),
        (
            "opportunity.get",
            show(
                crm.get_opportunity(a, crm_core::ids::OpportunityId(o))
                    .await,
            ),
        ),
        (
            "opportunity.list",
            show(crm.list_opportunities(a, Default::default()).await),
        ),
        (
            "contract.get",
            show(crm.get_contract(a, crm_core::ids::ContractId(k)).await),
        ),
        (
            "contract.list",
            show(crm.list_contracts(a, Default::default()).await),
        ),
        (
            "receivable.summary",
            show(
                crm.receivable_summary(a, crm_core::ids::ContractId(k))
                    .await,
            ),
        ),
        (
            "receivable.aging",
            show(crm.aging(a, day(5, 1), None).await),
        ),
        (
            "report.sales",
            show(crm.sales_report(a, "default", day(1, 1), day(12, 31)).await),
        ),
        (
            "ticket.get",
            show(crm.get_ticket(a, crm_core::ids::TicketId(t)).await),
        ),
        (
            "ticket.list",
            show(crm.list_tickets(a, TicketFilter::default()).await),
        ),
        ("events.after", show(crm.events_after(a, 0, 1000).await)),
        (
            "audit.record.customer",
            show(crm.record_audit(a, "customer", c.0).await),
        ),
        (
            "audit.record.contract",
            show(crm.record_audit(a, "contract", k).await),
        ),
        (
            "audit.record.opportunity",
            show(crm.record_audit(a, "opportunity", o).await),
        ),
        (
            "audit.record.ticket",
            show(crm.record_audit(a, "ticket", t).await),
        ),
        (
            "audit.by_user",
            show(crm.audit_by_user(a, READER, 0, 1000).await),
        ),
    ]
}

/// Every (module, field) a rule can name.
fn all_fields() -> Vec<(Module, &'static str, FieldKind)> {
    MODULES
        .iter()
        .flat_map(|&m| catalog(m).iter().map(move |f| (m, f.name, f.kind)))
        .collect()
}

fn access(i: u8) -> FieldAccess {
    [
        FieldAccess::Hidden,
        FieldAccess::ReadOnly,
        FieldAccess::Editable,
    ][usize::from(i % 3)]
}

fn mask(i: u8) -> MaskMode {
    [MaskMode::None, MaskMode::InLists, MaskMode::Everywhere][usize::from(i % 3)]
}

async fn check(rules: Vec<(usize, u8, u8)>, admin: bool) {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let ids = seed(&f).await;
    let fields = all_fields();
    let mut chosen: Vec<FieldRule> = Vec::new();
    let mut withheld: Vec<(Module, &'static str)> = Vec::new();
    for (i, a, m) in rules {
        let (module, field, kind) = fields[i % fields.len()];
        if chosen
            .iter()
            .any(|r| r.module == module && r.field == field)
        {
            continue;
        }
        let (a, m) = (access(a), mask(m));
        chosen.push(FieldRule {
            module,
            field: field.into(),
            access: a,
            mask: m,
        });
        let masked_everywhere = a != FieldAccess::Hidden && m == MaskMode::Everywhere;
        if a == FieldAccess::Hidden || (masked_everywhere && kind != FieldKind::Value) {
            withheld.push((module, field));
        }
    }
    let mut modules = MODULES.to_vec();
    modules.push(Module::Reports);
    let grants = modules
        .iter()
        .map(|&module| Grant {
            module,
            action: Action::Read,
            scope: DataScope::All,
        })
        .collect();
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "random".into(),
                grants,
                fields: chosen.clone(),
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: READER,
                name: "Reader".into(),
                department_id: Some(SALES),
                supervisor_id: None,
                role_ids: vec![role.id],
                tenant_admin: admin,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("reader");
    for (op, body) in responses(&f, ids).await {
        for (module, field) in &withheld {
            for s in sentinels(*module, field) {
                assert!(
                    !body.contains(s),
                    "{op} shows {module:?}.{field} ({s}) under rules {chosen:?}: {body}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]
    #[test]
    fn no_read_path_shows_a_withheld_field(
        rules in prop::collection::vec((0usize..64, 0u8..3, 0u8..3), 0..8),
        admin in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(check(rules, admin));
    }
}

/// The sentinels are really there for a reader without rules (so the property's searches
/// can fail): every one shows up in some response.
#[test]
fn every_sentinel_is_visible_without_rules() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let f = Fixture::new(MemoryStore::new()).await;
        let sys = Actor::system(T1);
        let ids = seed(&f).await;
        let grants = MODULES
            .iter()
            .chain([Module::Reports].iter())
            .map(|&module| Grant {
                module,
                action: Action::Read,
                scope: DataScope::All,
            })
            .collect();
        let role = f
            .crm
            .create_role(
                sys,
                RoleInput {
                    name: "open".into(),
                    grants,
                    fields: vec![],
                },
            )
            .await
            .expect("role");
        f.crm
            .upsert_user(
                sys,
                UserInput {
                    id: READER,
                    name: "Reader".into(),
                    department_id: Some(SALES),
                    supervisor_id: None,
                    role_ids: vec![role.id],
                    tenant_admin: true,
                    active: true,
                    time_zone: None,
                    joined_on: None,
                },
            )
            .await
            .expect("reader");
        let all: String = responses(&f, ids)
            .await
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        for (module, field, _) in all_fields() {
            for s in sentinels(module, field) {
                assert!(all.contains(s), "{module:?}.{field}: {s} never shown");
            }
        }
    });
}
