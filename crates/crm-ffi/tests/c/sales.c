/* One sales flow through crm_call on a SQLite file (argv[1]): a tenant with a one-level
 * approval policy, a rep and the manager who approves; an opportunity, a contract closing
 * it, submitted and approved (the opportunity is won and the customer dealt), a receivable
 * plan, a payment applied to the oldest installment, a refused void of the paid
 * installment, the receivable summary, the aging report and the sales report. */
#include "support.h"

#define MANAGER "{\"type\":\"user\",\"tenant\":1,\"user\":11}"
#define REP "{\"type\":\"user\",\"tenant\":1,\"user\":12}"

static void set_up(crm_db *db) {
    char *r = call_ok(db, SYSTEM_ACTOR, "tenant.setup",
                      "{\"name\":\"星辰贸易集团\",\"settings\":{\"time_zone\":\"Asia/Shanghai\","
                      "\"contracts\":{\"approval\":{\"branches\":[{\"name\":\"all\",\"levels\":[{"
                      "\"name\":\"regional manager\",\"approvers\":{\"kind\":\"users\",\"users\":[11]},"
                      "\"mode\":\"any_one\"}]}],\"forbid_self_approval\":true}}}}");
    CHECK_HAS(r, "\"forbid_self_approval\":true");
    crm_string_free(r);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_department", "{\"id\":1,\"name\":\"Sales\"}"));
    const char *modules[] = {"customers", "opportunities", "contracts", "receivables", "reports"};
    const char *actions[] = {"create", "read", "update"};
    char grants[4096] = "";
    size_t used = 0;
    for (size_t m = 0; m < sizeof modules / sizeof modules[0]; m++) {
        for (size_t a = 0; a < sizeof actions / sizeof actions[0]; a++) {
            int n = snprintf(grants + used, sizeof grants - used,
                             "%s{\"module\":\"%s\",\"action\":\"%s\",\"scope\":\"self_and_subordinates\"}",
                             used ? "," : "", modules[m], actions[a]);
            CHECK(n > 0 && (size_t)n < sizeof grants - used);
            used += (size_t)n;
        }
    }
    char request[4608];
    FMT(request, "{\"name\":\"deals\",\"grants\":[%s]}", grants);
    char *role = call_ok(db, SYSTEM_ACTOR, "org.create_role", request);
    long long role_id = json_int(role, "id", -1);
    CHECK(role_id > 0);
    crm_string_free(role);
    FMT(request, "{\"id\":11,\"name\":\"陈经理\",\"department_id\":1,\"role_ids\":[%lld]}", role_id);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", request));
    FMT(request, "{\"id\":12,\"name\":\"张伟\",\"department_id\":1,\"supervisor_id\":11,\"role_ids\":[%lld]}",
        role_id);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", request));
}

int main(int argc, char **argv) {
    CHECK(argc > 1);
    crm_db *db = NULL;
    CHECK(crm_open(argv[1], NULL, &db, NULL) == CRM_OK && db != NULL);
    set_up(db);
    char request[1024];

    char *customer = call_ok(db, REP, "customer.create", "{\"name\":\"北京星辰科技有限公司\",\"level\":\"A\"}");
    long long customer_id = json_int(customer, "id", -1);
    CHECK(customer_id > 0);
    crm_string_free(customer);

    /* Opportunity (商机) in the default pipeline's first stage. */
    FMT(request,
        "{\"customer_id\":%lld,\"name\":\"ERP 项目\",\"amount\":\"120000.00\",\"currency\":\"CNY\","
        "\"stage\":\"lead\",\"expected_close\":\"2025-06-30\"}",
        customer_id);
    char *opp = call_ok(db, REP, "opportunity.create", request);
    long long opp_id = json_int(opp, "id", -1);
    CHECK(opp_id > 0);
    CHECK(json_int(opp, "owner_id", -1) == 12);
    CHECK_HAS(opp, "\"status\":\"open\"");
    CHECK_HAS(opp, "\"stage\":\"lead\"");
    crm_string_free(opp);
    /* Unknown members are refused by name. */
    FMT(request, "{\"id\":%lld,\"probability\":\"60\",\"extra\":1}", opp_id);
    char *error = call_fail(db, REP, "opportunity.set_probability", request, CRM_MALFORMED_JSON);
    CHECK_HAS(error, "extra");
    crm_string_free(error);
    FMT(request, "{\"id\":%lld,\"probability\":\"60\"}", opp_id);
    opp = call_ok(db, REP, "opportunity.set_probability", request);
    CHECK_HAS(opp, "\"probability\":\"60\"");
    crm_string_free(opp);

    /* Contract (合同) closing it: 2 × 60,000 CNY. */
    FMT(request,
        "{\"number\":\"HT-2025-001\",\"customer_id\":%lld,\"opportunity_id\":%lld,"
        "\"signed_on\":\"2025-01-02\",\"start_on\":\"2025-01-02\",\"end_on\":\"2099-12-31\","
        "\"pricing\":{\"currency\":\"CNY\",\"lines\":[{\"product\":\"软件许可\",\"quantity\":\"2\","
        "\"unit_price\":\"60000.00\"}]}}",
        customer_id, opp_id);
    char *contract = call_ok(db, REP, "contract.create", request);
    long long contract_id = json_int(contract, "id", -1);
    CHECK(contract_id > 0);
    CHECK_HAS(contract, "\"status\":\"draft\"");
    CHECK_HAS(contract, "\"total\":\"120000.00\"");
    crm_string_free(contract);

    FMT(request, "{\"id\":%lld}", contract_id);
    contract = call_ok(db, REP, "contract.submit", request);
    CHECK_HAS(contract, "\"status\":\"pending_approval\"");
    crm_string_free(contract);

    /* The rep may not approve; a rejection needs a comment; the manager approves. */
    FMT(request, "{\"id\":%lld,\"decision\":\"approve\"}", contract_id);
    crm_string_free(call_fail(db, REP, "contract.decide", request, CRM_PERMISSION_DENIED));
    FMT(request, "{\"id\":%lld,\"decision\":\"maybe\"}", contract_id);
    crm_string_free(call_fail(db, MANAGER, "contract.decide", request, CRM_MALFORMED_JSON));
    FMT(request, "{\"id\":%lld,\"decision\":\"approve\",\"comment\":\"价格合理\"}", contract_id);
    contract = call_ok(db, MANAGER, "contract.decide", request);
    CHECK_HAS(contract, "\"status\":\"active\"");
    crm_string_free(contract);

    FMT(request, "{\"id\":%lld}", opp_id);
    opp = call_ok(db, REP, "opportunity.get", request);
    CHECK_HAS(opp, "\"status\":\"won\"");
    crm_string_free(opp);
    FMT(request, "{\"id\":%lld}", customer_id);
    customer = call_ok(db, REP, "customer.get", request);
    CHECK_HAS(customer, "\"deal_status\":\"dealt\"");
    crm_string_free(customer);

    /* Receivable plan (回款计划): 30,000 due end of January, 90,000 due end of June. */
    FMT(request,
        "{\"contract_id\":%lld,\"plan\":{\"type\":\"amounts\",\"installments\":["
        "{\"due_date\":\"2025-01-31\",\"amount\":\"30000.00\"},"
        "{\"due_date\":\"2025-06-30\",\"amount\":\"90000.00\"}]}}",
        contract_id);
    contract = call_ok(db, REP, "receivable.set_plan", request);
    CHECK(count_of(contract, "\"due_date\":") == 2);
    crm_string_free(contract);

    /* A payment of 20,000 goes to the oldest installment. */
    FMT(request,
        "{\"contract_id\":%lld,\"entry\":{\"kind\":\"payment\",\"amount\":\"20000.00\","
        "\"date\":\"2025-02-01\",\"method\":\"bank transfer\",\"reference\":\"TX-1\"}}",
        contract_id);
    contract = call_ok(db, REP, "receivable.record", request);
    CHECK_HAS(contract, "\"reference\":\"TX-1\"");
    crm_string_free(contract);

    /* The partly paid installment cannot be voided. */
    FMT(request, "{\"contract_id\":%lld,\"installment\":0}", contract_id);
    error = call_fail(db, REP, "receivable.void_installment", request, CRM_RULE_VIOLATION);
    CHECK_HAS(error, "\"rule\":\"installment_settled\"");
    crm_string_free(error);

    FMT(request, "{\"contract_id\":%lld}", contract_id);
    char *summary = call_ok(db, REP, "receivable.summary", request);
    CHECK_HAS(summary, "\"paid\":\"20000.00\"");
    CHECK_HAS(summary, "\"outstanding\":\"100000.00\"");
    CHECK_HAS(summary, "\"written_off\":\"0.00\"");
    crm_string_free(summary);

    /* Amounts are decimal strings (ADR 0012): a JSON number or one past the maximum is a
       validation error naming the member, and nothing is recorded. */
    FMT(request, "{\"contract_id\":%lld,\"entry\":{\"kind\":\"payment\",\"amount\":100.5,"
        "\"date\":\"2025-02-01\"}}", contract_id);
    error = call_fail(db, REP, "receivable.record", request, CRM_VALIDATION);
    CHECK_HAS(error, "\"field\":\"request_json.entry.amount\"");
    crm_string_free(error);
    FMT(request, "{\"contract_id\":%lld,\"entry\":{\"kind\":\"payment\","
        "\"amount\":\"1000000000000000.01\",\"date\":\"2025-02-01\"}}", contract_id);
    error = call_fail(db, REP, "receivable.record", request, CRM_VALIDATION);
    CHECK_HAS(error, "\"field\":\"amount\"");
    crm_string_free(error);

    /* Aging as of 2025-09-01: 10,000 is 213 days past due (121+), 90,000 is 63 (61–90). */
    char *aging = call_ok(db, MANAGER, "receivable.aging", "{\"as_of\":\"2025-09-01\"}");
    printf("receivable.aging -> %s\n", aging);
    CHECK_HAS(aging, "\"as_of\":\"2025-09-01\"");
    CHECK_HAS(aging, "\"buckets\":[\"0.00\",\"0.00\",\"90000.00\",\"0.00\",\"10000.00\"]");
    CHECK_HAS(aging, "\"total\":\"100000.00\"");
    crm_string_free(aging);
    crm_string_free(call_fail(db, MANAGER, "receivable.aging", "{\"as_of\":\"2025-13-01\"}",
                              CRM_MALFORMED_JSON));

    char *report = call_ok(db, MANAGER, "report.sales", "{\"from\":\"2000-01-01\",\"to\":\"2100-01-01\"}");
    CHECK_HAS(report, "\"win_rate\":{");
    crm_string_free(report);

    crm_close(db);
    printf("sales: ok\n");
    return 0;
}
