//! Marketing (营销): a rule tag for dormant customers, a VIP segment, a campaign with its
//! touch log and reach, the attribution of a won deal under two models, and the campaign ROI
//! table.

use super::*;
use crm_core::attribution::AttributionModel;
use crm_core::campaign::{Campaign, CampaignChannel, CampaignInput, TouchInput, TouchKind};
use crm_core::ids::{CampaignId, CustomerId};
use rust_decimal::Decimal;

/// Finds a customer by exact name, or creates it for 张伟.
pub(crate) async fn named_customer(crm: &Crm<SqliteStore>, name: &str) -> CrmResult<CustomerId> {
    let found = crm
        .list_customers(
            Actor::system(TENANT),
            CustomerFilter {
                name_contains: Some(name.into()),
                limit: Some(50),
                ..Default::default()
            },
        )
        .await?;
    if let Some(c) = found.items.iter().find(|c| c.record.name == name) {
        return Ok(c.record.id);
    }
    Ok(crm
        .create_customer(
            Actor::user(TENANT, ZHANG),
            NewCustomer {
                name: name.into(),
                ..Default::default()
            },
        )
        .await?
        .record
        .id)
}

/// Finds a campaign by name under `parent`, or creates it with a cost entry.
async fn campaign(
    crm: &Crm<SqliteStore>,
    name: &str,
    parent: Option<CampaignId>,
    channel: CampaignChannel,
    cost: i64,
    today: chrono::NaiveDate,
) -> CrmResult<Campaign> {
    use crm_core::service::{AddCampaignCost, CampaignFilter};
    let manager = Actor::user(TENANT, MANAGER);
    let existing = crm
        .campaigns()
        .list(
            manager,
            CampaignFilter {
                parent_id: parent,
                roots_only: parent.is_none(),
                ..Default::default()
            },
        )
        .await?;
    if let Some(c) = existing.items.into_iter().find(|c| c.name == name) {
        return Ok(c);
    }
    let c = crm
        .campaigns()
        .create(
            manager,
            CampaignInput {
                name: name.into(),
                parent_id: parent,
                channel,
                status: None,
                start_on: Some(today),
                end_on: None,
                budget: [("CNY".to_owned(), Decimal::from(cost * 2))].into(),
                owner_id: Some(MANAGER),
                description: None,
            },
        )
        .await?;
    crm.campaigns()
        .add_cost(
            manager,
            AddCampaignCost {
                campaign_id: c.id,
                spent_on: today,
                amount: Decimal::from(cost),
                currency: "CNY".into(),
                note: Some("场地与投放".into()),
            },
        )
        .await?;
    Ok(c)
}

/// The campaign part: touches, reach, a won deal attributed under two models, ROI.
pub(crate) async fn campaign_tour(
    crm: &Crm<SqliteStore>,
    now: chrono::DateTime<Utc>,
    members: &[CustomerId],
) -> CrmResult<()> {
    use crm_core::sales::StageMove;
    use crm_core::service::{
        DealAttributionRequest, MemberIds, NewOpportunity, ReachRequest, RoiGrouping, RoiRequest,
    };
    let sys = Actor::system(TENANT);
    let manager = Actor::user(TENANT, MANAGER);
    let tenant = crm.get_tenant(sys).await?;
    let models = vec![AttributionModel::Linear, AttributionModel::UShaped];
    if tenant.settings.attribution.models != models {
        let mut settings = tenant.settings.clone();
        settings.attribution.models = models;
        settings.attribution.gross_margin = Decimal::from(60);
        settings.attribution.annual_churn = Some(Decimal::from(25));
        crm.setup_tenant(sys, &tenant.name, settings).await?;
    }
    let today = now.with_timezone(&TOUR_TZ).date_naive();
    let spring = campaign(crm, "春季推广", None, CampaignChannel::Email, 20_000, today).await?;
    let live = campaign(
        crm,
        "春季直播",
        Some(spring.id),
        CampaignChannel::Webinar,
        5_000,
        today,
    )
    .await?;
    let expo = campaign(crm, "行业展会", None, CampaignChannel::Event, 30_000, today).await?;
    crm.campaigns()
        .add_members(
            manager,
            crm_core::service::AddCampaignMembers(MemberIds {
                campaign_id: spring.id,
                customer_ids: members.to_vec(),
                lead_ids: vec![],
                contact_ids: vec![],
            }),
        )
        .await?;
    let buyer = named_customer(crm, "春风贸易").await?;
    let day = |d: i64| now - Duration::days(d);
    let path = [
        (spring.id, TouchKind::Sent, day(40), "spring-sent"),
        (spring.id, TouchKind::Opened, day(39), "spring-opened"),
        (live.id, TouchKind::Attended, day(20), "live-attended"),
        (expo.id, TouchKind::Attended, day(9), "expo-attended"),
        (spring.id, TouchKind::Clicked, day(3), "spring-clicked"),
    ];
    for (campaign_id, kind, at, reference) in path {
        crm.campaigns()
            .record_touch(
                sys,
                TouchInput {
                    campaign_id,
                    channel: None,
                    kind,
                    at,
                    customer_id: Some(buyer),
                    lead_id: None,
                    contact_id: None,
                    host_ref: Some(format!("tour-{reference}-{}", now.timestamp())),
                },
            )
            .await?;
    }
    let reach = crm
        .campaigns()
        .reach(
            manager,
            ReachRequest {
                campaign_id: spring.id,
                include_descendants: true,
            },
        )
        .await?;
    println!(
        "\n  「春季推广」 reach ({} member(s), with 春季直播):",
        reach.members
    );
    for k in &reach.kinds {
        println!(
            "    {:<10} {} recipient(s), {} touch(es)",
            k.kind.as_str(),
            k.recipients,
            k.total
        );
    }
    for r in &reach.rates {
        let value = r
            .value
            .map(|v| format!("{v} %"))
            .unwrap_or_else(|| "—".into());
        println!(
            "    {:<14} {:>9}  ({} / {})",
            r.name, value, r.numerator, r.denominator
        );
    }

    let opp = crm
        .create_opportunity(
            sys,
            NewOpportunity {
                customer_id: buyer,
                name: "春季大单".into(),
                amount: Decimal::from(100_000),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: today,
                owner_id: Some(ZHANG),
                products: vec![],
            },
        )
        .await?;
    let opp_id = opp
        .record
        .get("id")
        .and_then(|v| v.as_i64())
        .unwrap_or_default();
    crm.move_opportunity(sys, crm_core::ids::OpportunityId(opp_id), StageMove::Win)
        .await?;
    let attribution = crm
        .attribution()
        .attribution(
            manager,
            DealAttributionRequest {
                deal_kind: None,
                deal_id: opp_id,
                model: None,
            },
        )
        .await?;
    println!("\n  春风贸易 won 「春季大单」 (100,000.00 CNY); touches in the 90-day lookback:");
    for a in &attribution.stored {
        let parts: Vec<String> = a
            .touches
            .iter()
            .map(|t| format!("{} {}", t.kind, t.amount))
            .collect();
        println!("    {:<9} {}", a.model_key, parts.join(" · "));
    }

    let roi = crm
        .attribution()
        .roi(
            manager,
            RoiRequest {
                by: RoiGrouping::Campaign,
                ..Default::default()
            },
        )
        .await?;
    println!(
        "\n  Campaign ROI ({} model; 春季推广 includes 春季直播):",
        roi.model
    );
    println!(
        "    {:<10} {:>12} {:>12} {:>9} {:>11} {:>12}",
        "campaign", "cost", "revenue", "ROI", "CAC", "LTV"
    );
    let show = |v: Option<Decimal>, suffix: &str| {
        v.map(|v| format!("{v}{suffix}"))
            .unwrap_or_else(|| "—".into())
    };
    for r in &roi.rows {
        println!(
            "    {} {:>12} {:>12} {:>9} {:>11} {:>12}",
            cell(r.name.as_deref(), 10),
            r.cost,
            r.revenue,
            show(r.roi, " %"),
            show(r.cac, ""),
            show(r.ltv, "")
        );
    }
    Ok(())
}

/// Decodes a request from its JSON form (the form hosts send across the C ABI).
fn request<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> CrmResult<T> {
    serde_json::from_value(value)
        .map_err(|e| crm_core::CrmError::validation("request", e.to_string()))
}

/// A rule tag 休眠客户 (no order for more than 3 calendar months) appears on a customer whose
/// last order was four months ago; returns the tagged customers.
async fn dormant_tag_tour(crm: &Crm<SqliteStore>, now: chrono::DateTime<Utc>) -> CrmResult<()> {
    use crm_core::op::{CreateTag, EvaluateTags, TagCustomers};
    use crm_core::service::TagFilter;
    let manager = Actor::user(TENANT, MANAGER);
    let sleeper = named_customer(crm, "冬眠五金").await?;
    // The host's shop pushes its orders as the system actor.
    crm.record_purchase(
        Actor::system(TENANT),
        PurchaseInput {
            customer_id: sleeper,
            kind: PurchaseKind::Order,
            at: now - Duration::days(125),
            amount: Decimal::from(8_800),
            currency: "CNY".into(),
            reference: Some("SO-DORMANT".into()),
        },
    )
    .await?;
    let tags = crm.tags().list(manager, TagFilter::default()).await?;
    let tag = match tags.items.into_iter().find(|t| t.name == "休眠客户") {
        Some(t) => t,
        None => {
            crm.tags()
                .create(
                    manager,
                    request::<CreateTag>(serde_json::json!({
                        "name": "休眠客户",
                        "kind": "rule",
                        "rule": {"type": "since_last_order", "unit": "month", "more_than": 3},
                        "description": "no order for more than 3 calendar months",
                    }))?,
                )
                .await?
        }
    };
    // Evaluating reads every customer: scheduled work does it daily as the system actor.
    let run = crm
        .tags()
        .evaluate(
            Actor::system(TENANT),
            EvaluateTags {
                tag_id: Some(tag.id),
                as_of: None,
            },
        )
        .await?;
    let carrying = crm
        .tags()
        .customers(
            manager,
            TagCustomers {
                tag_id: tag.id,
                after: None,
                limit: Some(100),
            },
        )
        .await?;
    println!(
        "\n  Rule tag 「休眠客户」 (since_last_order > 3 months): evaluation applied {}, removed {}; {} customer(s) carry it (冬眠五金 last ordered 125 days ago).",
        run.applied,
        run.removed,
        carrying.items.len()
    );
    let _ = carrying.items.iter().any(|t| t.customer_id == sleeper);
    Ok(())
}

/// A VIP segment: monetary (RFM, default currency) of at least 50,000, or tier 重要价值.
async fn vip_segment_tour(
    crm: &Crm<SqliteStore>,
    now: chrono::DateTime<Utc>,
) -> CrmResult<Vec<CustomerId>> {
    use crm_core::op::{CountSegment, CreateSegment, EvaluateSegments, SegmentMembers};
    use crm_core::service::SegmentFilter;
    let manager = Actor::user(TENANT, MANAGER);
    let vip = named_customer(crm, "金樽酒业").await?;
    // The host's shop pushes its orders as the system actor.
    crm.record_purchase(
        Actor::system(TENANT),
        PurchaseInput {
            customer_id: vip,
            kind: PurchaseKind::Order,
            at: now - Duration::days(12),
            amount: Decimal::from(66_000),
            currency: "CNY".into(),
            reference: Some("SO-VIP".into()),
        },
    )
    .await?;
    let existing = crm
        .segments()
        .list(manager, SegmentFilter::default())
        .await?;
    let segment = match existing.items.into_iter().find(|s| s.name == "VIP 客户") {
        Some(s) => s,
        None => crm
            .segments()
            .create(
                manager,
                request::<CreateSegment>(serde_json::json!({"segment": {
                    "name": "VIP 客户",
                    "description": "RFM monetary ≥ 50,000 or tier 重要价值",
                    "expr": {"op": "any", "of": [
                        {"op": "condition", "condition":
                            {"type": "rfm", "measure": "monetary", "op": "ge", "value": "50000"}},
                        {"op": "condition", "condition":
                            {"type": "tier", "tiers": ["重要价值"]}},
                    ]},
                }}))?,
            )
            .await?,
    };
    // Scheduled work evaluates segments daily; on a re-run it already did so as of a later
    // instant (the tour's run_due_work looks 49 hours ahead), and evaluating back in time is
    // refused.
    let changes = match crm
        .segments()
        .evaluate(
            manager,
            EvaluateSegments {
                segment: Some(segment.id),
                as_of: None,
            },
        )
        .await
    {
        Ok(run) => run.changes(),
        Err(crm_core::CrmError::Validation { field, .. }) if field == "as_of" => 0,
        Err(e) => return Err(e),
    };
    let count = crm
        .segments()
        .count(manager, CountSegment { id: segment.id })
        .await?;
    let members = crm
        .segments()
        .members(
            manager,
            SegmentMembers {
                id: segment.id,
                after: None,
                limit: Some(100),
            },
        )
        .await?;
    println!(
        "  Segment 「VIP 客户」: {} change(s) at this evaluation, {} member(s) in 陈经理's scope.",
        changes, count
    );
    Ok(members.items.iter().map(|m| m.customer_id).collect())
}

/// The marketing section.
pub(crate) async fn marketing_tour(
    crm: &Crm<SqliteStore>,
    now: chrono::DateTime<Utc>,
) -> CrmResult<()> {
    println!("\n== Marketing (营销): tags, segments, campaigns, attribution, ROI ==");
    dormant_tag_tour(crm, now).await?;
    let vips = vip_segment_tour(crm, now).await?;
    campaign_tour(crm, now, &vips).await
}
