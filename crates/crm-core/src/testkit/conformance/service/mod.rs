//! End-to-end scenarios through the service layer, so every store is shown to carry every
//! operation (the business rules themselves are unit-tested once, in core).

mod bad_input;
mod customer_360;
mod followups;
mod team_sharing;

pub use bad_input::*;
pub use customer_360::*;
pub use followups::*;
pub use team_sharing::*;

use crate::access::TeamAccess;
use crate::actor::Actor;
use crate::customer::{CustomerPatch, NewCustomer};
use crate::error::CrmError;
use crate::followup::{FollowUpKind, NewFollowUp};
use crate::ids::{CustomerId, UserId};
use crate::service::{CustomerFilter, ImportOptions, TeamMemberInput};
use crate::store::Store;
use crate::testkit::fixture::*;
use chrono::Duration;
use std::sync::Arc;

fn company(name: &str, phone: &str) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        phone: Some(phone.into()),
        email: Some("buyer@example.com".into()),
        ..NewCustomer::default()
    }
}

async fn names<S: Store>(f: &Fixture<Arc<S>>, actor: Actor) -> Vec<String> {
    let page = f
        .crm
        .list_customers(
            actor,
            CustomerFilter {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let mut n: Vec<String> = page.items.into_iter().map(|c| c.record.name).collect();
    n.sort();
    n
}

/// Create, duplicate check, update, scoped lists with masking, transfer; other tenants and
/// role-less users see nothing.
pub async fn service_customer_lifecycle<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let rep = f
        .crm
        .create_customer(user(REP), company("星辰科技有限公司", "13812345678"))
        .await
        .expect("create");
    assert_eq!(rep.record.owner_id, Some(REP));
    f.crm
        .create_customer(user(REP2), company("Acme Co., Ltd.", "+1 415 555 0100"))
        .await
        .expect("create");
    f.crm
        .create_customer(user(BOSS), company("Boss Direct", "010-65529988"))
        .await
        .expect("create");

    // Same phone written differently, same name with a suffix: Duplicate naming the owner.
    let dup = f
        .crm
        .create_customer(user(REP2), company("Other", "+86 138 1234 5678"))
        .await
        .expect_err("dup phone");
    assert!(
        matches!(dup, CrmError::Duplicate { existing, owner: Some(o), ref matched_on, .. }
        if existing == rep.record.id.0 && o == REP.0 && matched_on == "phone"),
        "{dup:?}"
    );
    let dup = f
        .crm
        .create_customer(user(REP2), company("星辰科技", "13900000000"))
        .await
        .expect_err("dup name");
    assert!(
        matches!(dup, CrmError::Duplicate { ref matched_on, .. } if matched_on == "name"),
        "{dup:?}"
    );
    let forced = NewCustomer {
        force: true,
        ..company("星辰科技", "13900000000")
    };
    f.crm
        .create_customer(user(REP2), forced)
        .await
        .expect("forced duplicate");

    assert_eq!(names(&f, user(REP)).await, vec!["星辰科技有限公司"]);
    assert_eq!(
        names(&f, user(MANAGER)).await,
        vec!["Acme Co., Ltd.", "星辰科技", "星辰科技有限公司"]
    );
    assert_eq!(names(&f, user(BOSS)).await.len(), 4);
    assert_eq!(names(&f, Actor::system(T1)).await.len(), 4);
    assert!(
        names(&f, Actor::user(T2, BOSS)).await.is_empty(),
        "tenant 2 sees nothing of tenant 1"
    );
    let denied = f
        .crm
        .list_customers(user(NOBODY), CustomerFilter::default())
        .await
        .expect_err("no role");
    assert!(matches!(denied, CrmError::PermissionDenied { .. }));

    // Customer service: everything, phone masked, e-mail hidden.
    let seen = f
        .crm
        .get_customer(user(SERVICE), rep.record.id)
        .await
        .expect("service reads");
    assert_eq!(seen.record.phone.as_deref(), Some("138****5678"));
    assert_eq!(seen.record.email, None);
    assert!(seen.hidden_fields.contains(&"email".to_owned()));
    let err = f
        .crm
        .update_customer(
            user(SERVICE),
            rep.record.id,
            CustomerPatch {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(err, Err(CrmError::PermissionDenied { .. })));

    // Update by the owner; a stale expected version conflicts.
    let patch = CustomerPatch {
        address: Some("上海市浦东新区".into()),
        expected_version: Some(1),
        ..Default::default()
    };
    let updated = f
        .crm
        .update_customer(user(REP), rep.record.id, patch.clone())
        .await
        .expect("update");
    assert_eq!(updated.record.version, 2);
    assert!(matches!(
        f.crm.update_customer(user(REP), rep.record.id, patch).await,
        Err(CrmError::Conflict { .. })
    ));
    let err = f
        .crm
        .update_customer(
            user(REP2),
            rep.record.id,
            CustomerPatch {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(err, Err(CrmError::PermissionDenied { .. })),
        "peer may not update"
    );

    // Manager transfers to the other rep; clocks restart.
    f.clock.advance(Duration::hours(1));
    let moved = f
        .crm
        .transfer_customer(user(MANAGER), rep.record.id, REP2)
        .await
        .expect("transfer");
    assert_eq!(moved.record.owner_id, Some(REP2));
    assert_eq!(moved.record.previous_owner_id, Some(REP));
    assert_eq!(moved.record.owned_since, Some(start() + Duration::hours(1)));
    assert!(names(&f, user(REP)).await.is_empty());
    let audit = f
        .crm
        .customer_audit(user(REP2), rep.record.id)
        .await
        .expect("audit");
    assert_eq!(
        audit
            .iter()
            .map(|a| a.operation.as_str())
            .collect::<Vec<_>>(),
        vec!["customer.create", "customer.update", "customer.transfer"]
    );
    assert!(audit[1].changes.iter().any(|c| c.field == "address"));
}

/// CSV import: valid rows imported, invalid and duplicate rows reported by line.
pub async fn service_import_reports_each_row<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    f.crm
        .create_customer(user(REP), company("已存在有限公司", "13700000000"))
        .await
        .expect("existing");
    let csv = "name,phone,email,level,tags\n\
               华东贸易有限公司,13811112222,a@b.cn,A,vip;east\n\
               ,13811113333,,B,\n\
               坏邮箱公司,13811114444,not-an-email,B,\n\
               已存在,137-0000-0000,,C,\n\
               华东贸易,13855556666,,A,\n\
               \"Comma, Inc.\",+86 138 7777 8888,,B,\n";
    let report = f
        .crm
        .import_customers_csv(user(REP), csv, ImportOptions { batch_size: 2 })
        .await
        .expect("import");
    assert_eq!(report.rows, 6);
    assert_eq!(
        report.imported.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![2, 7]
    );
    assert_eq!(
        report
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect::<Vec<_>>(),
        vec![(3, "name"), (4, "email")]
    );
    assert_eq!(report.duplicates.len(), 2);
    assert_eq!(
        (
            report.duplicates[0].line,
            report.duplicates[0].matched_on.as_str()
        ),
        (5, "phone")
    );
    assert!(report.duplicates[0].existing.is_some());
    // Line 2 was committed by an earlier batch, so line 6 duplicates a stored customer.
    assert_eq!(
        (report.duplicates[1].line, report.duplicates[1].existing),
        (6, Some(report.imported[0].id))
    );
    // Within one batch, a repeat of an earlier line names that line.
    let csv2 = "name,phone\n新公司A,13600000001\n新公司A有限公司,13600000002\n";
    let r2 = f
        .crm
        .import_customers_csv(user(REP), csv2, ImportOptions::default())
        .await
        .expect("import 2");
    assert_eq!(r2.imported.len(), 1);
    assert_eq!(
        (
            r2.duplicates[0].line,
            r2.duplicates[0].earlier_line,
            r2.duplicates[0].existing
        ),
        (3, Some(2), None)
    );
    assert_eq!(
        names(&f, user(REP)).await,
        vec![
            "Comma, Inc.",
            "华东贸易有限公司",
            "已存在有限公司",
            "新公司A"
        ]
    );
    let bad = f
        .crm
        .import_customers_csv(user(SERVICE), csv, ImportOptions::default())
        .await;
    assert!(matches!(bad, Err(CrmError::PermissionDenied { .. })));
}
