//! Owners of new deals and records out of scope (items 4 and 5).

use super::*;

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
                    time_zone: None,
                    joined_on: None,
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
