//! Targets, achievement and commission: the reps declare their annual targets, the manager
//! approves them (a rep approving their own is refused), the team's target/actual/attainment
//! table from the credit records, and one commission statement.

use super::*;

/// 张伟 and 李娜 declare, 陈经理 approves; the team table; 张伟's statement for the year.
pub(crate) async fn targets_tour(
    crm: &Crm<SqliteStore>,
    now: chrono::DateTime<Utc>,
) -> CrmResult<()> {
    use crm_core::commission::{Band, BandBasis, BandMode, Bands};
    use crm_core::commission::{CommissionBase, CommissionPlanInput, PlanMembers, PlanStatus};
    use crm_core::op::{ApproveStatement, ApproveTarget, SubmitTarget};
    use crm_core::service::{
        AchievementPeriod, AchievementRequest, ComputeStatement, RankingRequest, StatementFilter,
        TargetFilter,
    };
    use crm_core::target::{DeclareTarget, FiscalPeriod, Metric, TargetStatus, TargetSubject};
    use rust_decimal::Decimal;
    let sys = Actor::system(TENANT);
    let year = chrono::Datelike::year(&now.with_timezone(&TOUR_TZ));
    println!("\n== Targets, achievement and commission (销售目标 · 业绩 · 提成), FY{year} ==");
    for (rep, annual) in [(ZHANG, 480_000), (LI, 360_000)] {
        let me = Actor::user(TENANT, rep);
        let approved = crm
            .targets()
            .list(
                me,
                TargetFilter {
                    subject: Some(TargetSubject::User { id: rep }),
                    metric: Some(Metric::PaymentsReceived),
                    fiscal_year: Some(year),
                    status: Some(TargetStatus::Approved),
                    ..Default::default()
                },
            )
            .await?;
        if !approved.items.is_empty() {
            println!("  user {rep}: FY{year} target already approved");
            continue;
        }
        let draft = crm
            .targets()
            .declare(
                me,
                DeclareTarget {
                    subject: TargetSubject::User { id: rep },
                    metric: Metric::PaymentsReceived,
                    fiscal_year: year,
                    currency: Some("CNY".into()),
                    annual: Some(Decimal::from(annual)),
                    months: None,
                },
            )
            .await?;
        crm.targets()
            .submit(me, SubmitTarget { id: draft.id })
            .await?;
        let own = crm
            .targets()
            .approve(
                me,
                ApproveTarget {
                    id: draft.id,
                    comment: None,
                },
            )
            .await;
        if let Err(e) = own {
            println!("  user {rep} approving their own target → refused: {e}");
        }
        let review = crm
            .targets()
            .approve(
                Actor::user(TENANT, MANAGER),
                ApproveTarget {
                    id: draft.id,
                    comment: Some("同意".into()),
                },
            )
            .await?;
        let months: Vec<String> = review
            .target
            .months
            .iter()
            .take(3)
            .map(|m| m.to_string())
            .collect();
        println!(
            "  user {rep}: annual {annual} spread by largest remainder, first months {} …; approved by the manager",
            months.join(", ")
        );
    }

    // The team table: credits (fixed at each payment) against the approved targets.
    let ranking = crm
        .achievement()
        .ranking(
            Actor::user(TENANT, MANAGER),
            RankingRequest {
                metric: Metric::PaymentsReceived,
                period: AchievementPeriod::Year { year },
                department_id: Some(DepartmentId(1)),
                currency: None,
                prorate: false,
            },
        )
        .await?;
    println!(
        "\n  payments received {}..{} (陈经理's view of the Sales team):",
        ranking.from, ranking.to
    );
    println!(
        "  {:<4} {:<14} {:>12} {:>12} {:>10}",
        "rank", "user", "target", "actual", "attained"
    );
    for row in &ranking.rows {
        let attained = row
            .attainment
            .map(|a| format!("{a} %"))
            .unwrap_or_else(|| "—".into());
        println!(
            "  {:<4} {:<14} {:>12} {:>12} {:>10}",
            row.rank,
            cell(Some(&row.name), 14),
            row.target,
            row.actual,
            attained
        );
    }
    let team = crm
        .achievement()
        .achievement(
            Actor::user(TENANT, MANAGER),
            AchievementRequest {
                subject: TargetSubject::Department {
                    id: DepartmentId(1),
                },
                metric: Metric::PaymentsReceived,
                period: AchievementPeriod::Year { year },
                currency: None,
                prorate: false,
            },
        )
        .await?;
    println!(
        "  department Sales: target {}, actual {}, attained {}",
        team.target
            .map(|t| t.to_string())
            .unwrap_or_else(|| "—".into()),
        team.actual,
        team.attainment
            .map(|a| format!("{a} %"))
            .unwrap_or_else(|| "—".into())
    );

    // One commission statement: bands on attainment, marginal (超额累进).
    let plan_name = "销售提成";
    let plans = crm.commission().plans(sys, Default::default()).await?;
    if !plans.iter().any(|p| p.name == plan_name) {
        let pct = |n: i64| Decimal::from(n);
        crm.commission()
            .set_plan(
                sys,
                CommissionPlanInput {
                    name: plan_name.into(),
                    effective_from: chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
                    metric: Metric::PaymentsReceived,
                    base: CommissionBase::Booked,
                    bands: Bands {
                        basis: BandBasis::Attainment,
                        mode: BandMode::Marginal,
                        bands: vec![
                            Band {
                                from: pct(0),
                                to: Some(pct(100)),
                                rate: pct(3),
                            },
                            Band {
                                from: pct(100),
                                to: Some(pct(120)),
                                rate: pct(5),
                            },
                            Band {
                                from: pct(120),
                                to: None,
                                rate: pct(8),
                            },
                        ],
                        cap: None,
                    },
                    currency: "CNY".into(),
                    applies_to: PlanMembers {
                        users: vec![],
                        departments: vec![DepartmentId(1)],
                    },
                    status: PlanStatus::Active,
                },
            )
            .await?;
    }
    let period = FiscalPeriod::Year { year };
    let statement = match crm
        .commission()
        .compute(
            sys,
            ComputeStatement {
                user_id: ZHANG,
                plan_name: plan_name.into(),
                period,
            },
        )
        .await
    {
        Ok(computed) => {
            crm.commission()
                .approve(
                    Actor::user(TENANT, MANAGER),
                    ApproveStatement { id: computed.id },
                )
                .await?
        }
        Err(e) => {
            println!("  recomputing 张伟's approved statement → refused: {e}");
            let listed = crm
                .commission()
                .statements(
                    sys,
                    StatementFilter {
                        user_id: Some(ZHANG),
                        plan_name: Some(plan_name.into()),
                        ..Default::default()
                    },
                )
                .await?;
            match listed.items.into_iter().next() {
                Some(s) => s,
                None => return Ok(()),
            }
        }
    };
    println!(
        "\n  statement {} for user {} ({}, plan {} r{}), {}:",
        statement.period_key,
        statement.user_id,
        statement.metric,
        statement.plan_name,
        statement.plan_revision,
        statement.status
    );
    println!(
        "    credited {} against target {} → attained {}",
        statement.net_credits,
        statement.target,
        statement
            .attainment
            .map(|a| format!("{a} %"))
            .unwrap_or_else(|| "—".into())
    );
    for line in &statement.lines {
        println!(
            "    {:<12} {:>12} (on {})",
            line.kind, line.amount, line.basis
        );
    }
    println!(
        "    total        {:>12} {}",
        statement.total, statement.currency
    );
    Ok(())
}
