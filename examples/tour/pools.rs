//! The customer pool (公海): claims, limits and recycling.

use super::*;

/// The customer pool (公海): claims under a held limit, a cooldown refusal, reminders and a
/// recycle sweep at simulated times.
pub(crate) async fn pool_tour(crm: &Crm<SqliteStore>, now: chrono::DateTime<Utc>) -> CrmResult<()> {
    let sys = Actor::system(TENANT);
    let tenant = crm.get_tenant(sys).await?;
    let mut settings = tenant.settings.clone();
    settings.held_limits = HeldLimits {
        default: Some(5),
        ..HeldLimits::default()
    };
    crm.setup_tenant(sys, &tenant.name, settings).await?;
    let input = PoolInput {
        name: "华东公海".into(),
        position: 0,
        is_default: true,
        enabled: true,
        admins: Members {
            users: vec![MANAGER],
            departments: vec![],
        },
        members: Members {
            users: vec![],
            departments: vec![DepartmentId(1)],
        },
        rules: PoolRules {
            daily_claim_cap: Some(10),
            previous_owner_cooldown_days: 7,
            recycle: vec![RecycleRule {
                kind: RecycleKind::NoFollowUp,
                limits: LevelLimits::all(30),
                remind_days_before: 3,
            }],
            ..PoolRules::default()
        },
        field_rules: vec![PoolFieldRule {
            field: "phone".into(),
            mode: PoolFieldMode::Masked,
        }],
    };
    let pool = match crm
        .list_pools(sys)
        .await?
        .into_iter()
        .find(|p| p.name == input.name)
    {
        Some(p) => crm.update_pool(sys, p.id, input).await?,
        None => crm.create_pool(sys, input).await?,
    };
    println!("\n== pool {} (id {}): held limit 5, cooldown 7 days, recycle after 30 days without follow-up", pool.name, pool.id.0);
    for (i, name) in [
        "苏州新材料有限公司",
        "南京智造科技",
        "无锡精密机械",
        "宁波港口贸易",
    ]
    .iter()
    .enumerate()
    {
        let input = NewCustomer {
            name: (*name).into(),
            phone: Some(format!("1590000{:04}", 100 + i)),
            pool_id: Some(pool.id),
            ..Default::default()
        };
        match crm.create_customer(sys, input).await {
            Ok(_) | Err(crm_core::CrmError::Duplicate { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let li = Actor::user(TENANT, LI);
    let page = crm.pool_customers(li, pool.id, None, Some(10)).await?;
    println!(
        "  李娜 sees {} customer(s) in the pool, phones masked: {}",
        page.items.len(),
        page.items
            .iter()
            .map(|c| c.record.phone.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let held = crm
        .list_customers(
            li,
            CustomerFilter {
                owner_id: Some(LI),
                ..Default::default()
            },
        )
        .await?
        .items
        .len();
    println!("  李娜 holds {held} customer(s) before claiming");
    for c in &page.items {
        let r = crm.claim(li, pool.id, vec![c.record.id]).await;
        println!("  李娜 claims {} → {}", c.record.name, outcome(&r));
    }

    let zhang = Actor::user(TENANT, ZHANG);
    if let Some(mine) = crm
        .list_customers(
            zhang,
            CustomerFilter {
                owner_id: Some(ZHANG),
                ..Default::default()
            },
        )
        .await?
        .items
        .first()
    {
        let reason = &tenant.settings.recycle_reasons[0];
        crm.release_customer(zhang, mine.record.id, reason).await?;
        println!(
            "  张伟 puts {} back into the pool ({reason})",
            mine.record.name
        );
        let r = crm.claim(zhang, pool.id, vec![mine.record.id]).await;
        println!("  张伟 tries to claim it back at once → {}", outcome(&r));
    }

    for days in [28, 31] {
        let at = now + Duration::days(days);
        let due = crm.run_due_work(TENANT, at).await?;
        println!(
            "  run_due_work at now + {days} days: {} reminder(s), {} recycled",
            due.recycle_reminders, due.recycled
        );
    }
    Ok(())
}

/// A customer to continue the tour with: the first owned one, else the first at all
/// (earlier runs' simulated sweeps may have recycled them into the pool).
pub(crate) async fn any_customer(
    crm: &Crm<SqliteStore>,
) -> CrmResult<Option<crm_core::ids::CustomerId>> {
    let all = crm
        .list_customers(
            Actor::system(TENANT),
            CustomerFilter {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await?;
    Ok(all
        .items
        .iter()
        .find(|c| c.record.owner_id.is_some())
        .or(all.items.first())
        .map(|c| c.record.id))
}
