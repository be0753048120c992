"""A short tour of the crm engine from Python, through the C ABI (see crm.py).

    cargo build -p crm-ffi
    CRM_LIB=target/debug/libcrm.so python3 examples/python/tour.py [--db PATH]

It sets up an org, imports examples/data/customers.csv, records follow-ups, shows what a
salesperson and their manager each see, captures a lead and folds a duplicate into it,
assigns leads by round robin and converts one,
claims a customer from the pool, shows the errors a
host gets back, opens a ticket, closes a small sale (opportunity, contract, receivable plan,
payment, aging), and reads the event log.
"""

import json
import datetime
import decimal
import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crm import Crm, CrmError, system, user  # noqa: E402

TENANT = 1
MANAGER, ZHANG, LI = 11, 12, 13
CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "customers.csv")


def grants(scope, *pairs):
    return [{"module": m, "action": a, "scope": scope} for m, a in pairs]


def sales_role(name, scope):
    return {
        "name": name,
        "grants": grants(scope, ("customers", "create"), ("customers", "read"), ("customers", "update"),
                         ("customers", "import"), ("contacts", "read"), ("follow_ups", "create"),
                         ("follow_ups", "read"), ("leads", "create"), ("leads", "read"),
                         ("leads", "update"), ("tasks", "create"), ("tasks", "read"),
                         ("calendar", "create"), ("calendar", "read"), ("visits", "create"),
                         ("visits", "read"), ("visits", "update"), ("targets", "create"),
                         ("targets", "read"), ("targets", "update"), ("targets", "approve"),
                         ("marketing", "create"), ("marketing", "read"), ("marketing", "update")),
    }


def ensure_role(crm, role):
    existing = {r["name"]: r["id"] for r in crm.org("list_roles")}
    if role["name"] in existing:
        return crm.org("update_role", {"id": existing[role["name"]], "role": role})["id"]
    return crm.org("create_role", role)["id"]


def set_up(crm):
    crm.tenant("setup", {"name": "星辰贸易集团 (python)", "settings": {"held_limits": {"default": 50}}})
    crm.org("upsert_department", {"id": 1, "name": "Sales"})
    sales = ensure_role(crm, sales_role("sales", "self"))
    manager = ensure_role(crm, sales_role("sales manager", "self_and_subordinates"))
    crm.org("upsert_user", {"id": MANAGER, "name": "陈经理", "department_id": 1, "role_ids": [manager]})
    for uid, name in ((ZHANG, "张伟"), (LI, "李娜")):
        crm.org("upsert_user", {"id": uid, "name": name, "department_id": 1, "supervisor_id": MANAGER,
                                "role_ids": [sales]})
    pools = crm.pool("list")
    if not pools:
        pools = [crm.pool("create", {"name": "公海", "members": {"departments": [1]}})]
    return pools[0]["id"]


def main():
    db = sys.argv[sys.argv.index("--db") + 1] if "--db" in sys.argv else os.path.join(tempfile.mkdtemp(), "tour.db")
    with Crm(db, {"max_attempts": 5}, actor=system(TENANT)) as crm:
        print(f"== crm {crm.version} on {db}")
        pool_id = set_up(crm)

        with open(CSV, encoding="utf-8") as f:
            report = crm.customer("import_csv", {"csv": f.read()}, actor=user(TENANT, MANAGER))
        print(f"import: {report['rows']} rows, {len(report['imported'])} imported, "
              f"{len(report['errors'])} invalid, {len(report['duplicates'])} duplicates")
        for e in report["errors"]:
            print(f"  line {e['line']}: invalid {e['field']}: {e['reason']}")

        zhang = user(TENANT, ZHANG)
        # 张伟's own customers (the list also shows the pool's, which he may read, not follow up).
        mine = [c for c in crm.customer("list", {"limit": 50}, actor=zhang)["items"] if c["owner_id"] == ZHANG]
        for c in mine:
            crm.followup("record", {"customer_id": c["id"], "kind": "call", "content": "确认采购预算"}, actor=zhang)
        print(f"张伟 recorded {len(mine)} follow-up(s)")
        team = crm.customer("list", {"limit": 50}, actor=user(TENANT, MANAGER))["items"]
        print(f"张伟 sees {len(mine)} customer(s); 陈经理 (self and subordinates) sees {len(team)}")

        # A customer without an owner lands in the pool; 李娜 claims it.
        name = f"Pool Prospect {uuid.uuid4().hex[:8]}"
        try:
            pooled = crm.customer("create", {"name": name})
            claimed = crm.pool("claim", {"pool_id": pool_id, "customer_ids": [pooled["id"]]}, actor=user(TENANT, LI))
            print(f"李娜 claimed {claimed[0]['name']} from the pool (owner {claimed[0]['owner_id']})")
        except CrmError as e:
            print(f"claim refused: {e.kind} {e.rule or ''}")
        quota = crm.pool("quota", {}, actor=user(TENANT, LI))
        mine_here = next(p for p in quota["pools"] if p["pool_id"] == pool_id)
        assert quota["held"] >= 1 and mine_here["claims_today"] >= 1, quota
        print(f"李娜 quota: holds {quota['held']}, {mine_here['claims_today']} claim(s) today "
              f"(cap {mine_here['daily_cap']}, limit {mine_here['held_limit']})")

        # Leads (线索): 张伟 captures one; a second intake of the same phone, written another
        # way, folds into it (on a second run of the tour both fold into the first run's).
        first = crm.lead("create", {"lead": {"name": "王先生", "company": "海川贸易有限公司",
                                             "phone": "13600001234"}}, actor=zhang)
        again = crm.lead("create", {"lead": {"name": "王总", "phone": "+86 136-0000-1234"}}, actor=zhang)
        original = first["id"] if first["status"] != "merged" else first["merged_into"]
        assert again["status"] == "merged" and again["merged_into"] == original, again
        worked = crm.lead("set_status", {"id": original, "status": "working"}, actor=zhang)
        others = crm.lead("list", {"owner_id": ZHANG}, actor=user(TENANT, LI))["items"]
        assert not others, others
        print(f"lead {original} is {worked['status']}; the second intake was {again['status']} into it; "
              f"李娜 sees {len(others)} of 张伟's leads")

        # Assignment (线索分配): round robin between the two reps from the stored cursor; the
        # explanation record says which entry and strategy decided and who was passed over.
        member = lambda uid: {"user": uid}
        crm.assignment("set_rules", {"rules": {"entries": [{
            "name": "all leads", "condition": {"kind": "always"},
            "members": [member(ZHANG), member(LI)], "strategy": {"kind": "round_robin"},
            "overflow": {"user": MANAGER}}]}})
        owners = []
        for i in range(4):
            lead = crm.lead("create", {"lead": {"name": f"web lead {uuid.uuid4().hex[:6]}"}, "by_rules": True})
            owners.append(lead["owner_id"])
        assert sorted(owners) == sorted([ZHANG, LI, ZHANG, LI]), owners
        why = crm.assignment("explain", {"lead_id": lead["id"]})[-1]["assigned_by"]
        print(f"assignment: four leads went to {owners}; the last by entry «{why['decision']['entry_name']}» "
              f"({why['decision']['strategy']})")

        # Conversion (转化): one call makes the customer, a contact and an opportunity; a second
        # call answers already_converted with the same links.
        convert = {"id": original, "contact": True,
                   "opportunity": {"stage": "lead", "amount": "12000.00", "currency": "CNY",
                                   "expected_close": "2026-06-30"}}
        done = crm.lead("convert", convert)
        again = crm.lead("convert", convert)
        assert again["already_converted"] and again["conversion"] == done["conversion"], again
        c = done["conversion"]
        print(f"lead {original} converted: customer {c['customer_id']} "
              f"({'created' if c['customer_created'] else 'linked'}), contact {c['contact_id']}, "
              f"opportunity {c['opportunity_id']}; a second call: already_converted")

        # Pool members who do not own a pooled customer see its phone masked (the pool's
        # field rules), in the audit trail as in customer.get.
        phone = f"139{uuid.uuid4().int % 10**8:08d}"
        kept = crm.customer("create", {"name": f"Pool Phone {uuid.uuid4().hex[:8]}", "phone": phone})
        shown = crm.customer("get", {"id": kept["id"]}, actor=zhang)["phone"]
        audit = json.dumps(crm.customer("audit", {"id": kept["id"]}, actor=zhang), ensure_ascii=False)
        assert phone not in audit and shown != phone, audit
        assert phone in json.dumps(crm.customer("audit", {"id": kept["id"]}), ensure_ascii=False)
        print("pool audit: phone masked for members")

        # Errors carry the status code, kind and the field or rule.
        try:
            crm.customer("create", {"name": "Bad Mail Co", "email": "not-an-email"}, actor=zhang)
        except CrmError as e:
            print(f"validation error: code {e.code} kind {e.kind} field {e.field}")
            assert e.code == 1 and e.field == "email"
        try:
            crm.events_after(0, 10, actor=zhang)
        except CrmError as e:
            print(f"permission error: code {e.code} kind {e.kind}")
            assert e.code == 3

        # A ticket with SLA clocks under a 24/7 calendar and a default policy.
        if not crm.sla("list_policies"):
            always = [{"start": "00:00", "end": "24:00"}]
            days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
            calendar = crm.sla("save_calendar", {"name": "24/7", "calendar": {
                "time_zone": "Asia/Shanghai", **{d: always for d in days}}})
            target = {"first_response_secs": 1800, "next_response_secs": 1800, "resolution_secs": 14400}
            crm.sla("save_policy", {"name": "standard", "position": 0, "is_default": True,
                                    "calendar_id": calendar["id"],
                                    "targets": {p: target for p in ("low", "normal", "high", "urgent")}})
        calendar_id = crm.sla("list_policies")[0]["calendar_id"]
        due = crm.sla("add_business", {"calendar_id": calendar_id, "start": "2026-01-01T00:00:00Z",
                                       "seconds": 5400})
        span = crm.sla("business_between", {"calendar_id": calendar_id, "from": "2026-01-01T00:00:00Z",
                                            "to": due["due_at"]})
        assert due["due_at"] == "2026-01-01T01:30:00Z" and span["seconds"] == 5400, (due, span)
        print(f"business time: 90 min from 2026-01-01 00:00 UTC is due {due['due_at']}")
        view = crm.ticket("create", {"customer_id": mine[0]["id"], "subject": "无法登录", "channel": "phone",
                                     "priority": "urgent"})
        ticket = view["ticket"]
        crm.ticket("add_message", {"id": ticket["id"], "message": {"author": "agent", "body": "正在处理"}})
        crm.ticket("set_status", {"id": ticket["id"], "status": "resolved"})
        crm.ticket("rate", {"id": ticket["id"], "rating": 5})
        report = crm.sla("report", {"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z",
                                    "group_by": "priority"})
        print(f"ticket {ticket['id']} answered, resolved and rated; SLA report rows: "
              f"{[(r['key'], r['tickets']) for r in report]}")

        # A sale: opportunity → contract (no approval policy: active on submit, the
        # opportunity won) → receivable plan → a payment → aging.
        opp = crm.opportunity("create", {"customer_id": mine[0]["id"], "name": "ERP 项目", "amount": "50000.00",
                                         "currency": "CNY", "stage": "lead", "expected_close": "2025-06-30",
                                         "owner_id": ZHANG})
        contract = crm.contract("create", {
            "number": f"HT-{uuid.uuid4().hex[:8]}", "customer_id": mine[0]["id"], "opportunity_id": opp["id"],
            "owner_id": ZHANG, "signed_on": "2025-01-02", "start_on": "2025-01-02", "end_on": "2099-12-31",
            "pricing": {"currency": "CNY", "lines": [{"product": "软件许可", "quantity": "1",
                                                      "unit_price": "50000.00"}]}})
        contract = crm.contract("submit", {"id": contract["id"]})
        won = crm.opportunity("get", {"id": opp["id"]})["state"]["status"]
        crm.receivable("set_plan", {"contract_id": contract["id"], "plan": {"type": "percents", "installments": [
            {"due_date": "2025-01-31", "percent": "30"}, {"due_date": "2025-06-30", "percent": "70"}]}})
        crm.receivable("record", {"contract_id": contract["id"], "entry": {
            "kind": "payment", "amount": "15000.00", "date": "2025-01-20"}})
        summary = crm.receivable("summary", {"contract_id": contract["id"]})
        aging = crm.receivable("aging", {"as_of": "2025-09-01", "buckets": {"upper_bounds": [30, 90]}})
        row = next(r for r in aging["rows"] if r["key"][1] == contract["id"])
        print(f"sale: contract {contract['status']}, opportunity {won}, paid {summary['paid']} of "
              f"{summary['total']}; aging {dict(zip(aging['labels'], row['buckets']))}")

        # 张伟's day: an all-day task, a stand-up 李娜 attends, and the agenda of that day
        # (each run adds its own copies; the agenda lists every one once).
        day = "2026-03-10"
        crm.task("create", {"task": {"title": "整理报价单", "due": {"kind": "all_day", "date": day}}}, actor=zhang)
        crm.calendar("create_event", {"event": {
            "title": "销售晨会", "time_zone": "Asia/Shanghai", "attendees": [LI],
            "time": {"kind": "timed", "start": day + "T09:00:00", "end": day + "T09:30:00"}}}, actor=zhang)
        agenda = crm.calendar("agenda", {"from": day, "to": day}, actor=zhang)
        print(f"agenda of 张伟 on {day} ({agenda['time_zone']}):")
        for item in agenda["items"]:
            when = "all day" if item["time"]["type"] == "all_day" else item["time"]["start"][11:16] + "Z"
            print(f"  {when:<8} {item['kind']:<10} {item['title']}")
        kinds = [item["kind"] for item in agenda["items"]]
        assert kinds.index("task") < kinds.index("event"), kinds
        seen_by_li = crm.calendar("agenda", {"user_id": ZHANG, "from": day, "to": day}, actor=user(TENANT, LI))
        assert {i["kind"] for i in seen_by_li["items"]} == {"event"}, seen_by_li

        # A field visit through the C ABI: the customer's location set, an ad hoc check-in
        # 122 m away (inside the 500 m geofence), the distance computed by the engine.
        crm.customer("update", {"id": mine[0]["id"], "patch": {
            "location": {"latitude": 31.2304, "longitude": 121.4737}}}, actor=zhang)
        checked = crm.visit("check_in", {"customer_id": mine[0]["id"], "accuracy_m": 15.0,
                                         "location": {"latitude": 31.2315, "longitude": 121.4737}},
                            actor=zhang)
        evidence = checked["visit"]["check_in"]
        print(f"visit {checked['visit']['id']}: {evidence['distance_m']:.1f} m from the customer, "
              f"flags {evidence['flags']}")
        assert 100 < evidence["distance_m"] < 150, evidence
        if not checked["repeated"]:
            crm.visit("check_out", {"visit_id": checked["visit"]["id"], "accuracy_m": 15.0,
                                    "location": {"latitude": 31.2315, "longitude": 121.4737}},
                      actor=zhang)

        # 张伟's FY2025 target through the C ABI: declared and submitted by him, his own
        # approval refused, approved by 陈经理; achievement from the credit of the payment.
        mine_2025 = crm.target("list", {"subject": {"kind": "user", "id": ZHANG}, "fiscal_year": 2025,
                                        "metric": "payments_received", "status": "approved"}, actor=zhang)
        if not mine_2025["items"]:
            draft = crm.target("declare", {"subject": {"kind": "user", "id": ZHANG}, "metric": "payments_received",
                                           "fiscal_year": 2025, "currency": "CNY", "annual": "120000.00"},
                               actor=zhang)
            crm.target("submit", {"id": draft["id"]}, actor=zhang)
            try:
                crm.target("approve", {"id": draft["id"]}, actor=zhang)
                raise AssertionError("a self-approval went through")
            except CrmError as e:
                assert e.rule == "self_approval", e.details
            crm.target("approve", {"id": draft["id"], "comment": "同意"}, actor=user(TENANT, MANAGER))
        got = crm.target("achievement", {"subject": {"kind": "user", "id": ZHANG}, "metric": "payments_received",
                                         "period": {"kind": "quarter", "year": 2025, "quarter": 1}}, actor=zhang)
        print(f"target of 张伟 for {got['from']}..{got['to']}: {got['target']}, actual {got['actual']}, "
              f"attained {got['attainment']} %")
        assert got["target"] == "30000.00", got
        ranking = crm.target("ranking", {"metric": "payments_received", "period": {"kind": "year", "year": 2025}},
                             actor=user(TENANT, MANAGER))
        print("ranking:", [(r["rank"], r["name"], r["actual"], r["attainment"]) for r in ranking["rows"]])

        # Marketing through the C ABI: a campaign, touches on a customer, a won deal attributed
        # under two models (one computed on the fly), the ROI table; a future touch is refused.
        manager = user(TENANT, MANAGER)
        tenant = crm.tenant("get")
        settings = tenant["settings"]
        settings["attribution"] = {"models": [{"type": "linear"}, {"type": "u_shaped"}]}
        crm.tenant("setup", {"name": tenant["name"], "settings": settings})
        campaigns = crm.call("campaign.list", {"roots_only": True}, actor=manager)["items"]
        fair = next((c for c in campaigns if c["name"] == "秋季展会"), None)
        if fair is None:
            fair = crm.call("campaign.create", {"name": "秋季展会", "channel": "event", "owner_id": MANAGER},
                            actor=manager)
            crm.call("campaign.add_cost", {"campaign_id": fair["id"], "spent_on": "2025-09-01",
                                           "amount": "20000.00", "currency": "CNY"}, actor=manager)
        known = crm.customer("list", {"name_contains": "秋实贸易", "limit": 10})["items"]
        buyer = known[0]["id"] if known else crm.customer("create", {"name": "秋实贸易 (python)"}, actor=zhang)["id"]
        now = datetime.datetime.now(datetime.timezone.utc)
        run = uuid.uuid4().hex[:12]
        for kind, days in (("sent", 20), ("opened", 19), ("attended", 5)):
            at = (now - datetime.timedelta(days=days)).isoformat()
            crm.call("campaign.record_touch", {"campaign_id": fair["id"], "kind": kind, "at": at,
                                               "customer_id": buyer, "host_ref": f"py-{kind}-{run}"})
        try:
            crm.call("campaign.record_touch", {"campaign_id": fair["id"], "kind": "clicked", "customer_id": buyer,
                                               "at": (now + datetime.timedelta(minutes=6)).isoformat()})
            raise AssertionError("a touch in the future went through")
        except CrmError as e:
            assert "in_future" in (e.details.get("message") or ""), e.details
        deal = crm.call("opportunity.create", {"customer_id": buyer, "name": "秋季订单", "amount": "90000.00",
                                               "currency": "CNY", "stage": "lead", "expected_close": "2025-12-31",
                                               "owner_id": ZHANG})
        crm.call("opportunity.move", {"id": deal["id"], "move": {"move": "win"}})
        got = crm.call("campaign.attribution", {"deal_id": deal["id"], "model": {"type": "time_decay",
                                                                                "half_life_days": "7"}},
                       actor=manager)
        for a in got["stored"] + [got["computed"]]:
            print(f"attribution {a['model_key']}: " + " · ".join(f"{t['kind']} {t['amount']}" for t in a["touches"]))
            assert sum(decimal.Decimal(t["amount"]) for t in a["touches"]) == decimal.Decimal("90000.00"), a
        linear = got["stored"][0]
        parts = [decimal.Decimal(t["amount"]) for t in linear["touches"]]
        assert len(parts) >= 3 and max(parts) - min(parts) <= decimal.Decimal("0.01"), linear
        roi = crm.call("campaign.roi", {"campaign_id": fair["id"]}, actor=manager)
        row = roi["rows"][0]
        print(f"ROI of 秋季展会 ({roi['model']}): cost {row['cost']}, revenue {row['revenue']}, ROI {row['roi']} %")
        assert row["roi"] is not None and decimal.Decimal(row["revenue"]) >= decimal.Decimal("90000.00"), row

        due = crm.due_work("run")
        print(f"due work: {due}")
        events = crm.events_after(0, 1000)
        print(f"event log: {len(events)} event(s); last: {events[-1]['kind']} #{events[-1]['seq']}")
        print(f"ops available: {len(crm.meta('ops'))}")
    print("tour: ok")


if __name__ == "__main__":
    main()
