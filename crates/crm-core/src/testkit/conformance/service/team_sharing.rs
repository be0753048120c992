//! Team sharing through the service layer.

use super::*;

/// Team sharing: read vs read-write, cascade to contacts, expiry by time and by
/// `run_due_work`.
pub async fn service_team_sharing<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let c = f
        .crm
        .create_customer(user(REP), company("Shared", "13800000020"))
        .await
        .expect("c")
        .record
        .id;
    f.crm
        .create_contact(
            user(REP),
            c,
            crate::contact::ContactInput {
                name: "王经理".into(),
                phone: Some("13911112222".into()),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    assert!(matches!(
        f.crm.get_customer(user(REP2), c).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    let until = start() + Duration::days(1);
    let input = TeamMemberInput {
        user_id: REP2,
        access: TeamAccess::Read,
        cascade: false,
        expires_at: Some(until),
    };
    f.crm
        .add_team_member(user(REP), c, input)
        .await
        .expect("share");
    assert!(f.crm.get_customer(user(REP2), c).await.is_ok());
    assert!(
        matches!(
            f.crm.list_contacts(user(REP2), c).await,
            Err(CrmError::PermissionDenied { .. })
        ),
        "no cascade"
    );
    assert!(matches!(
        f.crm
            .update_customer(
                user(REP2),
                c,
                CustomerPatch {
                    industry: Some("IT".into()),
                    ..Default::default()
                }
            )
            .await,
        Err(CrmError::PermissionDenied { .. })
    ));
    let input = TeamMemberInput {
        user_id: REP2,
        access: TeamAccess::ReadWrite,
        cascade: true,
        expires_at: Some(until),
    };
    f.crm
        .add_team_member(user(REP), c, input)
        .await
        .expect("upgrade");
    assert_eq!(
        f.crm
            .list_contacts(user(REP2), c)
            .await
            .expect("cascade")
            .len(),
        1
    );
    f.crm
        .update_customer(
            user(REP2),
            c,
            CustomerPatch {
                industry: Some("IT".into()),
                ..Default::default()
            },
        )
        .await
        .expect("rw");
    assert_eq!(names(&f, user(REP2)).await, vec!["Shared"]);
    f.clock.set(until);
    assert!(
        names(&f, user(REP2)).await.is_empty(),
        "expired at its instant"
    );
    assert!(matches!(
        f.crm.get_customer(user(REP2), c).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    let report = f
        .crm
        .run_due_work(T1, until - Duration::seconds(1))
        .await
        .expect("due");
    assert_eq!(report.expired_team_members, 0);
    let report = f.crm.run_due_work(T1, until).await.expect("due");
    assert_eq!(report.expired_team_members, 1);
    assert!(f
        .crm
        .list_team(user(REP), c)
        .await
        .expect("team")
        .is_empty());
}
