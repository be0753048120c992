//! Text from outside on every store: a NUL character in any text of any input — names,
//! role and field-rule names, custom-field labels and options, filters — is a validation
//! error naming the field, and nothing reaches the store (PostgreSQL would refuse the NUL
//! with a storage error). A huge value yields a short error message.

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::actor::Actor;
use crate::contact::ContactInput;
use crate::customer::custom_fields::{CustomFieldDef, CustomFieldType};
use crate::customer::NewCustomer;
use crate::error::{CrmError, CrmResult};
use crate::followup::{FollowUpKind, NewFollowUp};
use crate::service::{CustomerFilter, DepartmentInput, MessageInput, RoleInput, TicketFilter};
use crate::sla::Calendar;
use crate::store::{Entity, Query, Store, StoredRow};
use crate::testkit::fixture::*;
use crate::ticket::{Channel, MessageAuthor, NewTicket, Priority};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

type Call<'a> = Pin<Box<dyn Future<Output = CrmResult<()>> + Send + 'a>>;

/// Every row of tenant 1 and the event count: equal before and after a refused call.
async fn everything<S: Store>(f: &Fixture<Arc<S>>) -> (Vec<Vec<StoredRow>>, usize) {
    let mut rows = Vec::new();
    for e in Entity::ALL {
        rows.push(f.crm.store().query(&Query::new(e, T1)).await.expect("rows"));
    }
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .len();
    (rows, events)
}

/// NUL in every reachable text field: refused, named, nothing written.
pub async fn service_nul_in_any_text_is_refused<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let crm = &f.crm;
    let customer = crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "文本 Co".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let ticket = crm
        .create_ticket(
            sys,
            NewTicket {
                customer_id: customer,
                subject: "问题".into(),
                description: String::new(),
                channel: Channel::Email,
                category: None,
                priority: Priority::Normal,
                assignee_id: Some(SERVICE),
                group: None,
            },
        )
        .await
        .expect("ticket")
        .decode::<crate::service::TicketView>()
        .expect("typed record")
        .ticket
        .id;
    let tenant = crm.get_tenant(sys).await.expect("tenant");
    let nul = "a\u{0}b".to_owned();
    let role = |name: &str, field: &str| RoleInput {
        name: name.into(),
        grants: vec![Grant {
            module: Module::Customers,
            action: Action::Read,
            scope: DataScope::SelfOnly,
        }],
        fields: vec![FieldRule {
            module: Module::Customers,
            field: field.into(),
            access: FieldAccess::Hidden,
            mask: MaskMode::None,
        }],
    };
    let custom_field = |label: &str, option: &str| {
        let mut settings = tenant.settings.clone();
        settings.customer_fields = vec![CustomFieldDef {
            key: "grade".into(),
            label: label.into(),
            ty: CustomFieldType::Choice {
                options: vec!["A".into(), option.into()],
            },
            required: false,
        }];
        settings
    };
    let cases: Vec<(&str, Call<'_>)> = vec![
        (
            "name",
            Box::pin(async { crm.create_role(sys, role(&nul, "phone")).await.map(drop) }),
        ),
        (
            "fields[0].field",
            Box::pin(async { crm.create_role(sys, role("客服", &nul)).await.map(drop) }),
        ),
        (
            "settings.customer_fields[0].label",
            Box::pin(async {
                crm.setup_tenant(sys, &tenant.name, custom_field(&nul, "B"))
                    .await
                    .map(drop)
            }),
        ),
        (
            "settings.customer_fields[0].options[1]",
            Box::pin(async {
                crm.setup_tenant(sys, &tenant.name, custom_field("等级", &nul))
                    .await
                    .map(drop)
            }),
        ),
        (
            "name",
            Box::pin(async {
                crm.setup_tenant(sys, &nul, tenant.settings.clone())
                    .await
                    .map(drop)
            }),
        ),
        (
            "name",
            Box::pin(async {
                let input = NewCustomer {
                    name: nul.clone(),
                    ..Default::default()
                };
                crm.create_customer(user(REP), input).await.map(drop)
            }),
        ),
        (
            "industry",
            Box::pin(async {
                let input = NewCustomer {
                    name: "Acme".into(),
                    industry: Some(nul.clone()),
                    ..Default::default()
                };
                crm.create_customer(user(REP), input).await.map(drop)
            }),
        ),
        (
            "tags[0]",
            Box::pin(async {
                let input = NewCustomer {
                    name: "Acme".into(),
                    tags: vec![nul.clone()],
                    ..Default::default()
                };
                crm.create_customer(user(REP), input).await.map(drop)
            }),
        ),
        (
            "external_ref",
            Box::pin(async {
                let input = NewCustomer {
                    name: "Acme".into(),
                    external_ref: Some(nul.clone()),
                    ..Default::default()
                };
                crm.create_customer(user(REP), input).await.map(drop)
            }),
        ),
        (
            "name_contains",
            Box::pin(async {
                let filter = CustomerFilter {
                    name_contains: Some(nul.clone()),
                    ..Default::default()
                };
                crm.list_customers(user(REP), filter).await.map(drop)
            }),
        ),
        (
            "group",
            Box::pin(async {
                let filter = TicketFilter {
                    group: Some(nul.clone()),
                    ..Default::default()
                };
                crm.list_tickets(user(SERVICE), filter).await.map(drop)
            }),
        ),
        (
            "group",
            Box::pin(async {
                crm.assign_ticket(sys, ticket, None, Some(nul.clone()))
                    .await
                    .map(drop)
            }),
        ),
        (
            "body",
            Box::pin(async {
                let input = MessageInput {
                    author: MessageAuthor::Agent,
                    public: true,
                    body: nul.clone(),
                };
                crm.add_ticket_message(sys, ticket, input).await.map(drop)
            }),
        ),
        (
            "comment",
            Box::pin(async {
                crm.rate_ticket(sys, ticket, 5, Some(nul.clone()))
                    .await
                    .map(drop)
            }),
        ),
        (
            "subject",
            Box::pin(async {
                let input = NewTicket {
                    customer_id: customer,
                    subject: nul.clone(),
                    description: String::new(),
                    channel: Channel::Email,
                    category: None,
                    priority: Priority::Normal,
                    assignee_id: None,
                    group: None,
                };
                crm.create_ticket(sys, input).await.map(drop)
            }),
        ),
        (
            "content",
            Box::pin(async {
                let input = NewFollowUp {
                    customer_id: customer,
                    kind: FollowUpKind::Call,
                    content: nul.clone(),
                    at: None,
                    location: None,
                    next_followup_at: None,
                };
                crm.record_followup(user(REP), input).await.map(drop)
            }),
        ),
        (
            "title",
            Box::pin(async {
                let input = ContactInput {
                    name: "王五".into(),
                    title: Some(nul.clone()),
                    ..Default::default()
                };
                crm.create_contact(user(REP), customer, input)
                    .await
                    .map(drop)
            }),
        ),
        (
            "name",
            Box::pin(async {
                let input = DepartmentInput {
                    id: crate::ids::DepartmentId(900),
                    name: nul.clone(),
                    parent_id: None,
                };
                crm.upsert_department(sys, input).await.map(drop)
            }),
        ),
        (
            "name",
            Box::pin(async {
                crm.save_calendar(sys, None, &nul, Calendar::new("UTC"))
                    .await
                    .map(drop)
            }),
        ),
        (
            "calendar.time_zone",
            Box::pin(async {
                crm.save_calendar(sys, None, "S", Calendar::new(&nul))
                    .await
                    .map(drop)
            }),
        ),
        (
            "reason",
            Box::pin(async {
                crm.release_customer(user(REP), customer, &nul)
                    .await
                    .map(drop)
            }),
        ),
        (
            "pipeline",
            Box::pin(async {
                let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
                crm.sales_report(sys, &nul, day, day).await.map(drop)
            }),
        ),
        (
            "csv",
            Box::pin(async {
                let csv = format!("name\n{nul}\n");
                crm.import_customers_csv(user(REP), &csv, Default::default())
                    .await
                    .map(drop)
            }),
        ),
    ];
    for (expected, call) in cases {
        let before = everything(&f).await;
        match call.await {
            Err(CrmError::Validation { field, reason }) => {
                assert_eq!(field, expected, "{reason}");
            }
            other => panic!("{expected}: expected a validation error, got {other:?}"),
        }
        assert!(
            everything(&f).await == before,
            "{expected}: something was written"
        );
    }
}

/// A 10 MB value yields an error message of a few dozen bytes, quoting a short prefix.
pub async fn service_huge_text_gives_a_short_error<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let huge = "币".repeat(10 * 1024 * 1024 / 3);
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let mut settings = tenant.settings.clone();
    settings.default_currency = huge.clone();
    let filter = CustomerFilter {
        name_contains: Some(huge.clone()),
        ..Default::default()
    };
    let errors = [
        f.crm
            .setup_tenant(sys, &tenant.name, settings)
            .await
            .map(drop),
        f.crm.list_customers(user(REP), filter).await.map(drop),
        crate::money::Currency::parse(&huge, "currency").map(drop),
        f.crm
            .save_calendar(sys, None, "S", Calendar::new(&huge[..300]))
            .await
            .map(drop),
    ];
    for e in errors {
        let e = e.expect_err("refused");
        assert!(matches!(e, CrmError::Validation { .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.len() < 200, "{} bytes: {}", text.len(), &text[..200]);
    }
}
