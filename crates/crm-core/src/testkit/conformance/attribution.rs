//! Attribution and ROI on every store (DESIGN §4.11, ADR 0033): a won opportunity is
//! attributed to its customer's touches in the lookback window under every configured model,
//! exactly; a late touch is picked up by `campaign.reattribute`; reopening removes it; ROI,
//! CAC and LTV per campaign (rolled up) and channel are `None` on zero denominators; reads
//! obey the marketing scope; bad models are refused by name and write nothing.

use super::campaign_support::{
    campaign_fixture, customer_of, dec, new_campaign, refusal, rows, touch, MARKETER,
};
use crate::attribution::{AttributionModel, DealKind};
use crate::campaign::TouchKind;
use crate::ids::{CampaignId, CustomerId, OpportunityId};
use crate::sales::StageMove;
use crate::service::{
    AddCampaignCost, DealAttributionRequest, NewOpportunity, ReattributeRequest, RoiGrouping,
    RoiRequest, RoiRow,
};
use crate::store::{Entity, Store};
use crate::testkit::fixture::*;
use crate::{Actor, Clock};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;

fn models() -> Vec<AttributionModel> {
    vec![AttributionModel::Linear, AttributionModel::UShaped]
}

async fn configure<S: Store>(f: &Fixture<S>) {
    let sys = Actor::system(T1);
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let mut settings = tenant.settings.clone();
    settings.attribution.models = models();
    settings.attribution.gross_margin = dec("50");
    settings.attribution.annual_churn = Some(dec("20"));
    f.crm
        .setup_tenant(sys, &tenant.name, settings)
        .await
        .expect("settings");
}

async fn cost<S: Store>(f: &Fixture<S>, c: CampaignId, amount: &str) {
    f.crm
        .add_campaign_cost(
            Actor::system(T1),
            AddCampaignCost {
                campaign_id: c,
                spent_on: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap_or_default(),
                amount: dec(amount),
                currency: "CNY".into(),
                note: None,
            },
        )
        .await
        .expect("cost");
}

async fn touched<S: Store>(
    f: &Fixture<S>,
    c: CampaignId,
    customer: CustomerId,
    at: DateTime<Utc>,
) -> i64 {
    let mut t = touch(c, TouchKind::Clicked, at);
    t.customer_id = Some(customer);
    f.crm
        .record_touch(Actor::system(T1), t)
        .await
        .expect("touch")
        .id
        .0
}

async fn opportunity<S: Store>(
    f: &Fixture<S>,
    customer: CustomerId,
    amount: &str,
) -> OpportunityId {
    f.crm
        .create_opportunity(
            Actor::system(T1),
            NewOpportunity {
                customer_id: customer,
                name: "年度订阅".into(),
                amount: dec(amount),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default(),
                owner_id: Some(REP),
                products: vec![],
            },
        )
        .await
        .expect("opportunity")
        .decode::<crate::opportunity::Opportunity>()
        .expect("typed")
        .id
}

fn amounts(a: &crate::attribution::Attribution) -> Vec<Decimal> {
    a.touches.iter().map(|t| t.amount).collect()
}

fn roi_row(rows: &[RoiRow], c: CampaignId) -> RoiRow {
    rows.iter()
        .find(|r| r.campaign_id == Some(c))
        .cloned()
        .expect("row of campaign")
}

/// AT1/AT3-style splits stored at the win under two models, the lookback edge, a late touch
/// and `campaign.reattribute`, ROI1/ROI2 with CAC and LTV, the channel view, scope, reopening.
pub async fn attribution_is_stored_when_won_and_read_in_scope<S: Store>(store: S) {
    let f = campaign_fixture(store).await;
    configure(&f).await;
    let sys = Actor::system(T1);
    let spring = new_campaign(&f, MARKETER, "春季推广", None).await.id;
    let webinar = new_campaign(&f, MARKETER, "春季直播", Some(spring))
        .await
        .id;
    let expo = new_campaign(&f, MARKETER, "展会", None).await.id;
    cost(&f, spring, "10000").await;
    cost(&f, expo, "30000").await;
    let x = customer_of(&f, REP, "归因客户").await;
    let now = f.clock.now();
    let edge = now - Duration::days(90);
    // Earliest first: expo at the edge (counts), spring one second before it (ignored).
    let at_edge = touched(&f, expo, x, edge).await;
    let before = touched(&f, spring, x, edge - Duration::seconds(1)).await;
    touched(&f, spring, x, now - Duration::days(10)).await;
    touched(&f, webinar, x, now - Duration::days(5)).await;
    touched(&f, expo, x, now - Duration::days(2)).await;
    let o = opportunity(&f, x, "150000").await;
    f.crm
        .move_opportunity(sys, o, StageMove::Win)
        .await
        .expect("won");

    let read = |who: crate::ids::UserId, model: Option<AttributionModel>| {
        f.crm.deal_attribution(
            user(who),
            DealAttributionRequest {
                deal_kind: Some(DealKind::Opportunity),
                deal_id: o.0,
                model,
            },
        )
    };
    let got = read(MARKETER, None).await.expect("attribution");
    assert_eq!(got.stored.len(), 2, "one row per configured model");
    let linear = &got.stored[0];
    assert_eq!(linear.model_key, "linear");
    assert_eq!(
        linear.touches.len(),
        4,
        "the touch one second before the edge is out"
    );
    assert_eq!(linear.touches[0].touch_id.0, at_edge);
    assert!(linear.touches.iter().all(|t| t.touch_id.0 != before));
    assert_eq!(amounts(linear), vec![dec("37500.00"); 4]);
    let expo_sum = linear
        .campaigns
        .iter()
        .find(|c| c.campaign_id == expo)
        .map(|c| (c.amount, c.touches));
    assert_eq!(
        expo_sum,
        Some((dec("75000.00"), 2)),
        "a campaign touched twice sums"
    );
    let u = &got.stored[1];
    assert_eq!(u.model_key, "u_shaped");
    assert_eq!(
        amounts(u),
        vec![
            dec("60000.00"),
            dec("15000.00"),
            dec("15000.00"),
            dec("60000.00")
        ]
    );
    // Another model on the fly: not stored, still exact.
    let decay = AttributionModel::TimeDecay {
        half_life_days: dec("7"),
    };
    let got = read(MARKETER, Some(decay)).await.expect("computed");
    let computed = got.computed.expect("computed result");
    assert_eq!(computed.id.0, 0);
    assert_eq!(
        computed.touches.iter().map(|t| t.amount).sum::<Decimal>(),
        dec("150000")
    );
    assert!(computed
        .touches
        .windows(2)
        .all(|w| w[0].amount <= w[1].amount));
    assert_eq!(rows(&f, Entity::Attribution).await, 2);

    // Out of scope: the other rep (own marketing, own customers) sees nothing.
    assert_eq!(refusal(read(REP2, None).await), "not_found");

    // Bad input is refused by name and writes nothing.
    let custom = AttributionModel::Custom {
        first: dec("50"),
        middle: dec("0"),
        last: dec("49"),
    };
    assert_eq!(refusal(read(MARKETER, Some(custom)).await), "weight_sum");
    let zero = AttributionModel::TimeDecay {
        half_life_days: Decimal::ZERO,
    };
    assert_eq!(
        refusal(read(MARKETER, Some(zero)).await),
        "field model.half_life_days"
    );
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let mut bad = tenant.settings.clone();
    bad.attribution.models = vec![];
    assert_eq!(
        refusal(f.crm.setup_tenant(sys, &tenant.name, bad).await),
        "field attribution.models"
    );
    assert_eq!(rows(&f, Entity::Attribution).await, 2);

    // ROI by campaign (linear): spring rolls up the webinar.
    let roi = |who, by, model: Option<&str>| {
        f.crm.campaign_roi(
            user(who),
            RoiRequest {
                by,
                model: model.map(str::to_owned),
                ..Default::default()
            },
        )
    };
    let report = roi(MARKETER, RoiGrouping::Campaign, None)
        .await
        .expect("roi");
    assert_eq!(report.model, "linear");
    let s = roi_row(&report.rows, spring);
    assert_eq!(
        (s.cost, s.revenue, s.campaigns),
        (dec("10000"), dec("75000.00"), 2)
    );
    assert_eq!(s.roi, Some(dec("650.00")));
    assert_eq!((s.deals, s.customers_won), (1, 1));
    assert_eq!(s.cac, Some(dec("10000.00")));
    // 75,000 per customer × 50 % margin / 20 % churn
    assert_eq!(s.ltv, Some(dec("187500.00")));
    let w = roi_row(&report.rows, webinar);
    assert_eq!(
        (w.cost, w.revenue, w.roi),
        (Decimal::ZERO, dec("37500.00"), None),
        "ROI2"
    );
    let e = roi_row(&report.rows, expo);
    assert_eq!(
        e.roi,
        Some(dec("150.00")),
        "ROI1: (75,000 − 30,000) / 30,000"
    );
    let by_u = roi(MARKETER, RoiGrouping::Campaign, Some("u_shaped"))
        .await
        .expect("roi u");
    assert_eq!(roi_row(&by_u.rows, expo).revenue, dec("120000.00"));
    assert_eq!(
        refusal(roi(MARKETER, RoiGrouping::Campaign, Some("w_shaped")).await),
        "field model"
    );
    let channels = roi(MARKETER, RoiGrouping::Channel, None)
        .await
        .expect("channels");
    assert_eq!(channels.rows.len(), 1);
    assert_eq!(
        (channels.rows[0].cost, channels.rows[0].revenue),
        (dec("40000"), dec("150000.00"))
    );
    // The other rep reads only their own campaigns and deals: no revenue.
    let theirs = roi(REP2, RoiGrouping::Campaign, None)
        .await
        .expect("own roi");
    assert!(theirs.rows.iter().all(|r| r.revenue.is_zero()));

    // A touch recorded late, before the close: recomputation picks it up.
    f.clock.advance(Duration::hours(1));
    touched(&f, webinar, x, now - Duration::days(1)).await;
    let report = f
        .crm
        .reattribute(user(MARKETER), ReattributeRequest::default())
        .await
        .expect("reattribute");
    assert_eq!((report.deals, report.changed), (1, 2));
    let got = read(MARKETER, None).await.expect("again");
    assert_eq!(amounts(&got.stored[0]), vec![dec("30000.00"); 5]);
    assert_eq!(got.stored[0].closed_at, now, "the close is kept");
    let again = f
        .crm
        .reattribute(user(MARKETER), ReattributeRequest::default())
        .await
        .expect("idempotent");
    assert_eq!(again.changed, 0);

    // Reopening the won deal removes its attribution.
    f.crm
        .move_opportunity(
            sys,
            o,
            StageMove::Reopen {
                stage: "lead".into(),
            },
        )
        .await
        .expect("reopened");
    assert_eq!(refusal(read(MARKETER, None).await), "not_found");
    assert_eq!(rows(&f, Entity::Attribution).await, 0);
}

/// `campaign.add_segment_members`: the segment's current members in the actor's scope join,
/// once; repeating adds nothing; a rep without update on the campaign is refused.
pub async fn campaign_members_come_from_a_segment<S: Store>(store: S) {
    use crate::segment::{SegmentExpr, SegmentInput};
    use crate::service::AddSegmentMembers;
    let f = campaign_fixture(store).await;
    let mine = customer_of(&f, REP, "分群客户甲").await;
    let theirs = customer_of(&f, REP2, "分群客户乙").await;
    let everyone = f
        .crm
        .create_segment(
            user(MARKETER),
            SegmentInput {
                name: "全部客户".into(),
                description: None,
                expr: SegmentExpr::All { of: vec![] },
            },
        )
        .await
        .expect("segment");
    f.crm
        .evaluate_segments(user(MARKETER), Some(everyone.id), None)
        .await
        .expect("evaluated");
    let c = new_campaign(&f, REP, "分群活动", None).await.id;
    let add = |who| {
        f.crm.add_segment_members(
            user(who),
            AddSegmentMembers {
                campaign_id: c,
                segment_id: everyone.id,
            },
        )
    };
    // The rep's marketing reach is all, but the segment's members are read in the rep's
    // customer scope: only their own customer joins.
    let first = add(REP).await.expect("added");
    assert_eq!((first.added, first.unchanged), (1, 0));
    let all = add(MARKETER).await.expect("added by the marketer");
    assert_eq!((all.added, all.unchanged), (1, 1));
    let again = add(MARKETER).await.expect("repeated");
    assert_eq!((again.added, again.unchanged), (0, 2));
    assert_eq!(rows(&f, Entity::CampaignMember).await, 2);
    let _ = (mine, theirs);
    assert_eq!(refusal(add(REP2).await), "not_found");
}

/// When the tenant attributes contracts: activation attributes the contract's total (and a
/// won opportunity then writes nothing), termination removes it; a lead's touches count for
/// the customer it was converted into.
pub async fn contracts_and_converted_leads_are_attributed<S: Store>(store: S) {
    use super::campaign_support::lead_of;
    use crate::contract::{Contract, ContractStatus};
    use crate::sales::{LineInput, PricingInput};
    use crate::service::{ConvertLead, NewContract};
    let f = campaign_fixture(store).await;
    let sys = Actor::system(T1);
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let mut settings = tenant.settings.clone();
    settings.attribution.deal = DealKind::Contract;
    f.crm
        .setup_tenant(sys, &tenant.name, settings)
        .await
        .expect("settings");
    let c = new_campaign(&f, MARKETER, "线索培育", None).await.id;
    let now = f.clock.now();

    // A lead touched twice, then converted: its touches now carry the new customer.
    let lead = lead_of(&f, REP, "线索甲").await;
    for days in [20, 10] {
        let mut t = touch(c, TouchKind::Opened, now - Duration::days(days));
        t.lead_id = Some(lead);
        f.crm.record_touch(sys, t).await.expect("lead touch");
    }
    let converted = f
        .crm
        .convert_lead(
            sys,
            ConvertLead {
                id: lead,
                customer_id: None,
                contact: false,
                opportunity: None,
                convert_unqualified: true,
            },
        )
        .await
        .expect("converted");
    let customer = converted.conversion.customer_id.expect("customer");
    touched(&f, c, customer, now - Duration::days(1)).await;

    let k = f
        .crm
        .create_contract(
            sys,
            NewContract {
                number: "HT-ATTR".into(),
                customer_id: customer,
                opportunity_id: None,
                owner_id: Some(REP),
                signed_on: None,
                start_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
                end_on: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap_or_default(),
                pricing: PricingInput {
                    currency: "CNY".into(),
                    lines: vec![LineInput {
                        product: "licence".into(),
                        quantity: Decimal::ONE,
                        unit_price: dec("1000.00"),
                        discount: Decimal::ZERO,
                        tax_rate: Decimal::ZERO,
                    }],
                    order_discount: Decimal::ZERO,
                },
            },
        )
        .await
        .expect("contract")
        .decode::<Contract>()
        .expect("typed")
        .id;
    let read = || {
        f.crm.deal_attribution(
            user(MARKETER),
            DealAttributionRequest {
                deal_kind: None,
                deal_id: k.0,
                model: None,
            },
        )
    };
    assert_eq!(refusal(read().await), "not_found", "a draft is not won");
    f.crm.submit_contract(sys, k).await.expect("active");
    let got = read().await.expect("attributed at activation");
    let a = &got.stored[0];
    assert_eq!(a.deal_kind, DealKind::Contract);
    assert_eq!(a.touches.len(), 3, "both lead touches and the customer's");
    assert_eq!(
        amounts(a),
        vec![dec("333.34"), dec("333.33"), dec("333.33")]
    );

    // A won opportunity writes no attribution while the tenant attributes contracts.
    let o = opportunity(&f, customer, "5000").await;
    f.crm
        .move_opportunity(sys, o, StageMove::Win)
        .await
        .expect("won");
    assert_eq!(rows(&f, Entity::Attribution).await, 1);

    f.crm
        .close_contract(sys, k, ContractStatus::Terminated)
        .await
        .expect("terminated");
    assert_eq!(refusal(read().await), "not_found");
    assert_eq!(rows(&f, Entity::Attribution).await, 0);
}
