//! Filters on fields the actor cannot read (item 3).

use super::*;

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
