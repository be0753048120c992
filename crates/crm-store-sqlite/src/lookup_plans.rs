//! The query plans of equality lookups: each is served by an index that also yields id
//! order, never by a walk of the primary key over the whole tenant (which made a duplicate
//! check cost 0.65 s over 1,000,000 customers before migration 0005).

use crate::bind::bind_all;
use crate::query_sql::{build_query, Shape};
use crate::SqliteStore;
use crm_core::ids::TenantId;
use crm_core::store::{Entity, Filter, Query, SqlValue};
use sqlx::Row;

/// `(entity, column, value, index expected)` for every lookup the service reads by equality.
fn lookups() -> Vec<(Entity, &'static str, SqlValue, &'static str)> {
    let int = SqlValue::Int(7);
    let text = SqlValue::Text("x".into());
    vec![
        (
            Entity::Customer,
            "phone_norm",
            text.clone(),
            "customers_phone_norm",
        ),
        (
            Entity::Customer,
            "name_norm",
            text.clone(),
            "customers_name_norm",
        ),
        (
            Entity::User,
            "supervisor_id",
            int.clone(),
            "users_supervisor",
        ),
        (
            Entity::User,
            "department_id",
            int.clone(),
            "users_department",
        ),
        (
            Entity::Department,
            "parent_id",
            int.clone(),
            "departments_parent",
        ),
        (
            Entity::TeamMember,
            "user_id",
            int.clone(),
            "team_members_user",
        ),
        (
            Entity::TeamMember,
            "customer_id",
            int.clone(),
            "team_members_customer",
        ),
        (
            Entity::Contact,
            "customer_id",
            int.clone(),
            "contacts_customer",
        ),
        (
            Entity::FollowUp,
            "customer_id",
            int.clone(),
            "followups_customer",
        ),
        (Entity::FollowUp, "lead_id", int.clone(), "followups_lead"),
        (
            Entity::OwnerHistory,
            "customer_id",
            int.clone(),
            "owner_history_customer",
        ),
        (
            Entity::Purchase,
            "customer_id",
            int.clone(),
            "purchases_customer",
        ),
        (
            Entity::Ticket,
            "customer_id",
            int.clone(),
            "tickets_customer",
        ),
        (
            Entity::TicketMessage,
            "ticket_id",
            int.clone(),
            "ticket_messages_ticket",
        ),
        (
            Entity::TicketMessage,
            "customer_id",
            int.clone(),
            "ticket_messages_customer",
        ),
        (
            Entity::Opportunity,
            "customer_id",
            int.clone(),
            "opportunities_customer",
        ),
        (Entity::Contract, "customer_id", int, "contracts_customer"),
    ]
}

async fn plan(store: &SqliteStore, query: &Query) -> Vec<String> {
    let stmt = build_query(
        &query.checked().unwrap_or_else(|e| panic!("{e}")),
        Shape::Rows,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let sql = format!("EXPLAIN QUERY PLAN {}", stmt.sql);
    bind_all(sqlx::query(&sql), &stmt.binds)
        .fetch_all(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect()
}

#[tokio::test]
async fn equality_lookups_use_their_index_in_id_order() {
    let store = SqliteStore::open_in_memory().await.expect("open");
    for (entity, column, value, index) in lookups() {
        for after in [None, Some(100)] {
            let query = Query::new(entity, TenantId(1))
                .filter(Filter::eq(column, value.clone()))
                .after(after)
                .limit(2);
            let steps = plan(&store, &query).await;
            assert!(
                steps.iter().any(|s| s.contains(&format!("INDEX {index} "))),
                "{column} of {entity:?} should use {index}: {steps:?}"
            );
            assert!(
                !steps.iter().any(|s| s.contains("TEMP B-TREE")),
                "{column} of {entity:?} should need no sort: {steps:?}"
            );
        }
    }
}

/// The reads of `Crm::customer_360`: newest first with a limit, open tickets also filtered
/// by status, each served by the table's `(tenant_id, customer_id, id)` index, unsorted.
#[tokio::test]
async fn customer_360_reads_use_the_customer_index_newest_first() {
    use crm_core::store::Order;
    let store = SqliteStore::open_in_memory().await.expect("open");
    let open: Vec<SqlValue> = ["new", "open", "waiting_on_customer", "on_hold"]
        .into_iter()
        .map(SqlValue::from)
        .collect();
    let reads = [
        (Entity::FollowUp, None, "followups_customer"),
        (Entity::Opportunity, None, "opportunities_customer"),
        (Entity::Contract, None, "contracts_customer"),
        (
            Entity::Ticket,
            Some(Filter::is_in("status", open)),
            "tickets_customer",
        ),
        (Entity::OwnerHistory, None, "owner_history_customer"),
    ];
    for (entity, extra, index) in reads {
        let mut query = Query::new(entity, TenantId(1))
            .filter(Filter::eq("customer_id", 7))
            .order(Order::IdDesc)
            .limit(50);
        if let Some(f) = extra {
            query = query.filter(f);
        }
        let steps = plan(&store, &query).await;
        assert!(
            steps.iter().any(|s| s.contains(&format!("INDEX {index} "))),
            "{entity:?} should use {index}: {steps:?}"
        );
        assert!(
            !steps.iter().any(|s| s.contains("TEMP B-TREE")),
            "{entity:?} should need no sort: {steps:?}"
        );
    }
}

/// Scoped reads keep their index-friendly shapes (the plans equal those of the SQL written
/// per scope shape before the scope became a tree): a narrow scope reads the scope's
/// customers through `customers_owner` (and `customers_pool`) and the memberships through
/// `team_members_user`; a broad child scope looks each row's customer up by primary key.
#[tokio::test]
async fn scoped_reads_use_the_owner_customer_and_team_indexes() {
    use crm_core::ids::UserId;
    use crm_core::store::ScopeFilter;
    let store = SqliteStore::open_in_memory().await.expect("open");
    let scope = |pools: Vec<i64>| ScopeFilter::Restricted {
        owners: vec![UserId(10), UserId(11)],
        actor: UserId(10),
        pools,
        now: chrono::DateTime::from_timestamp_micros(1_000_000).unwrap_or_default(),
    };
    let reads = [
        (
            Entity::Customer,
            vec![],
            vec!["customers_owner", "team_members_user"],
        ),
        (
            Entity::Customer,
            vec![7],
            vec!["customers_owner", "customers_pool"],
        ),
        (
            Entity::Contact,
            vec![],
            vec!["customers_owner", "team_members_user"],
        ),
        (
            Entity::Contact,
            vec![7],
            vec![
                "sqlite_autoindex_customers_1 (tenant_id=? AND id=?)",
                "team_members_user",
            ],
        ),
        (
            Entity::Ticket,
            vec![],
            vec!["customers_owner", "team_members_user"],
        ),
        (
            Entity::Contract,
            vec![7],
            vec![
                "sqlite_autoindex_customers_1 (tenant_id=? AND id=?)",
                "team_members_user",
            ],
        ),
    ];
    for (entity, pools, indexes) in reads {
        let query = Query::new(entity, TenantId(1))
            .scope(scope(pools))
            .limit(50);
        let steps = plan(&store, &query).await;
        for index in indexes {
            assert!(
                steps.iter().any(|s| s.contains(index)),
                "{entity:?} should use {index}: {steps:?}"
            );
        }
    }
}

/// The first-contact sweep reads the leads due by `first_contact_check_at <= now`, a batch
/// at a time, through `leads_first_contact_check`: never a walk of every lead. (It re-reads
/// from the start rather than after an id cursor: with `id > ?` SQLite walks the primary key
/// over every later lead instead.)
#[tokio::test]
async fn the_first_contact_sweep_reads_due_leads_by_index() {
    let store = SqliteStore::open_in_memory().await.expect("open");
    let query = Query::new(Entity::Lead, TenantId(1))
        .filter(Filter::le(
            "first_contact_check_at",
            SqlValue::Time(chrono::DateTime::UNIX_EPOCH),
        ))
        .limit(200);
    let steps = plan(&store, &query).await;
    assert!(
        steps
            .iter()
            .any(|s| s.contains("INDEX leads_first_contact_check ")),
        "the sweep should use leads_first_contact_check: {steps:?}"
    );
}
