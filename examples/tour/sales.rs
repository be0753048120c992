//! Opportunities, contracts, receivables and the sales reports.

use super::*;

/// Sales: an opportunity through the pipeline, a contract over the approval threshold
/// through two levels, a plan of three installments, a partial payment, aging and forecast.
pub(crate) async fn sales_tour(
    crm: &Crm<SqliteStore>,
    now: chrono::DateTime<Utc>,
) -> CrmResult<()> {
    use crm_core::sales::{
        ApprovalLevel, ApprovalMode, ApprovalPolicy, Approvers, Branch, Condition, Decision,
        EntryKind, LineInput, PricingInput, Range, ScheduledPercent, StageMove,
    };
    use crm_core::service::{LedgerInput, NewContract, NewOpportunity, PlanInput};
    let sys = Actor::system(TENANT);
    let tenant = crm.get_tenant(sys).await?;
    let mut settings = tenant.settings.clone();
    let level = |name: &str, user: UserId| ApprovalLevel {
        name: name.into(),
        approvers: Approvers::Users { users: vec![user] },
        mode: ApprovalMode::AnyOne,
    };
    settings.contracts.approval = Some(ApprovalPolicy {
        branches: vec![
            Branch {
                name: "< 50,000".into(),
                condition: Some(Condition {
                    total: Some(Range::below(50_000.into())),
                    ..Default::default()
                }),
                levels: vec![level("区域经理 regional manager", MANAGER)],
            },
            Branch {
                name: "≥ 50,000".into(),
                condition: None,
                levels: vec![
                    level("区域经理 regional manager", MANAGER),
                    level("财务总监 finance director", SERVICE),
                ],
            },
        ],
        forbid_self_approval: true,
        amendment_threshold_percent: 20.into(),
    });
    crm.setup_tenant(sys, &tenant.name, settings).await?;
    let Some(customer) = any_customer(crm).await? else {
        return Ok(());
    };
    let today = now.date_naive();
    let opp = crm
        .create_opportunity(
            sys,
            NewOpportunity {
                customer_id: customer,
                name: "ERP 二期".into(),
                amount: 86_000.into(),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: today + Duration::days(45),
                owner_id: Some(ZHANG),
                products: vec![],
            },
        )
        .await?
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    println!(
        "\n== sales: opportunity {} \"{}\" for customer {}",
        opp.id, opp.name, customer.0
    );
    for stage in ["qualified", "proposal", "negotiation"] {
        let o = crm
            .move_opportunity(
                sys,
                opp.id,
                StageMove::To {
                    stage: stage.into(),
                },
            )
            .await?
            .decode::<crm_core::opportunity::Opportunity>()
            .expect("typed record");
        println!(
            "  → {:<12} probability {}%",
            o.state.stage, o.state.probability
        );
    }
    let number = format!("HT-{}-{}", today.format("%Y%m%d"), opp.id);
    let lines = vec![
        LineInput {
            product: "ERP 许可 (license)".into(),
            quantity: 20.into(),
            unit_price: 4_000.into(),
            discount: 10.into(),
            tax_rate: 13.into(),
        },
        LineInput {
            product: "实施服务 (services)".into(),
            quantity: 5.into(),
            unit_price: 3_000.into(),
            discount: 0.into(),
            tax_rate: 6.into(),
        },
    ];
    let contract = crm
        .create_contract(
            sys,
            NewContract {
                number: number.clone(),
                customer_id: customer,
                opportunity_id: Some(opp.id),
                owner_id: Some(ZHANG),
                signed_on: Some(today),
                start_on: today,
                end_on: today + Duration::days(365),
                pricing: PricingInput {
                    currency: "CNY".into(),
                    lines,
                    order_discount: 0.into(),
                },
            },
        )
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let t = &contract.pricing.totals;
    println!(
        "  contract {number}: subtotal {} tax {} total {} CNY",
        t.subtotal, t.tax_total, t.grand_total
    );
    let submitted = crm
        .submit_contract(Actor::user(TENANT, ZHANG), contract.id)
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    println!(
        "  submitted: branch {}, {} level(s)",
        submitted
            .approval
            .as_ref()
            .map(|r| r.branch.clone())
            .unwrap_or_default(),
        submitted
            .approval
            .as_ref()
            .map(|r| r.levels.len())
            .unwrap_or(0)
    );
    let r = crm
        .decide_contract(
            Actor::user(TENANT, ZHANG),
            contract.id,
            Decision::Approve,
            None,
        )
        .await;
    println!("  张伟 tries to approve his own contract → {}", outcome(&r));
    crm.decide_contract(
        Actor::user(TENANT, MANAGER),
        contract.id,
        Decision::Approve,
        Some("同意".into()),
    )
    .await?;
    let active = crm
        .decide_contract(
            Actor::user(TENANT, SERVICE),
            contract.id,
            Decision::Approve,
            Some("财务通过".into()),
        )
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let won: crm_core::opportunity::Opportunity = crm
        .get_opportunity(sys, opp.id)
        .await?
        .decode()
        .map_err(|e| crm_core::CrmError::Storage(e.to_string()))?;
    println!(
        "  approved by 陈经理 then 赵敏: contract {}; opportunity {}",
        active.status.as_str(),
        won.state.status
    );
    let plan = PlanInput::Percents {
        installments: vec![
            ScheduledPercent {
                due_date: today,
                percent: 30.into(),
            },
            ScheduledPercent {
                due_date: today + Duration::days(30),
                percent: 40.into(),
            },
            ScheduledPercent {
                due_date: today + Duration::days(60),
                percent: 30.into(),
            },
        ],
    };
    crm.set_plan(sys, contract.id, plan).await?;
    let first = active.pricing.totals.grand_total * rust_decimal::Decimal::new(2, 1);
    let paid = crm
        .record_ledger(
            sys,
            contract.id,
            LedgerInput {
                kind: EntryKind::Payment,
                amount: first.round_dp(2),
                date: today,
                installment: None,
                method: Some("银行转账".into()),
                reference: Some("BK-001".into()),
            },
        )
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    println!("\n  installments after a payment of {}:", first.round_dp(2));
    println!(
        "  {:<12} {:>12} {:>12} {:>12}",
        "due", "amount", "paid", "outstanding"
    );
    for i in &paid.installments {
        println!(
            "  {:<12} {:>12} {:>12} {:>12}",
            i.due_date,
            i.amount,
            i.paid,
            i.outstanding()
        );
    }
    let aging = crm.aging(sys, today + Duration::days(45), None).await?;
    println!(
        "\n  aging as of {} (not yet due | {}):",
        aging.as_of,
        aging.labels.join(" | ")
    );
    for row in &aging.rows {
        let buckets: Vec<String> = row.buckets.iter().map(|b| b.to_string()).collect();
        println!(
            "  customer {:>3} contract {:>3}: {} | {}  = {}",
            row.key.0 .0,
            row.key.1,
            row.not_yet_due,
            buckets.join(" | "),
            row.total
        );
    }
    let report = crm
        .sales_report(
            sys,
            "default",
            today - Duration::days(30),
            today + Duration::days(30),
        )
        .await?;
    println!("\n  weighted pipeline by close month:");
    for r in &report.weighted_by_month {
        println!(
            "  {} {:>14} {}",
            r.group,
            r.weighted.to_string(),
            r.currency.code()
        );
    }
    println!(
        "  win rate this period: {}",
        report
            .win_rate
            .rate_percent
            .map_or("n/a".to_owned(), |p| format!("{p}%"))
    );
    Ok(())
}
