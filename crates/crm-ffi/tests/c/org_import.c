/* A realistic flow on a SQLite file (argv[1]): set up the org (tenant, departments, roles,
 * users), import customers from CSV, create, update and list customers as different users,
 * record a follow-up, read the 360° view and the event log, then reopen the file. */
#include "support.h"

#define MANAGER "{\"type\":\"user\",\"tenant\":1,\"user\":11}"
#define ZHANG "{\"type\":\"user\",\"tenant\":1,\"user\":12}"
#define LI "{\"type\":\"user\",\"tenant\":1,\"user\":13}"

static const char *CSV =
    "name,kind,phone,email,industry,level,tags,owner_id,address\n"
    "北京星辰科技有限公司,company,+86 138-1234-5678,purchase@xingchen.cn,软件,A,vip;north,12,北京市海淀区\n"
    "上海明远贸易有限责任公司,company,139 0000 1111,ming@mingyuan.com,贸易,B,east,12,上海市浦东新区\n"
    "Acme Co. Ltd.,company,+1 415 555 0100,buyer@acme.example,Manufacturing,A,export,13,San Francisco\n"
    "杭州云帆电子商务有限公司,company,0571-8888-6666,,电商,B,,13,杭州市西湖区\n"
    "Broken Mail Ltd,company,021-5555-0000,not-an-email,,C,,13,\n"
    "星辰科技,company,13812345678,,,B,,12,\n";

static long long create_role(crm_db *db, const char *name, const char *scope) {
    char request[2048];
    FMT(request,
        "{\"name\":\"%s\",\"grants\":["
        "{\"module\":\"customers\",\"action\":\"create\",\"scope\":\"%s\"},"
        "{\"module\":\"customers\",\"action\":\"read\",\"scope\":\"%s\"},"
        "{\"module\":\"customers\",\"action\":\"update\",\"scope\":\"%s\"},"
        "{\"module\":\"customers\",\"action\":\"import\",\"scope\":\"%s\"},"
        "{\"module\":\"contacts\",\"action\":\"read\",\"scope\":\"%s\"},"
        "{\"module\":\"follow_ups\",\"action\":\"create\",\"scope\":\"%s\"},"
        "{\"module\":\"follow_ups\",\"action\":\"read\",\"scope\":\"%s\"}]}",
        name, scope, scope, scope, scope, scope, scope, scope);
    char *role = call_ok(db, SYSTEM_ACTOR, "org.create_role", request);
    long long id = json_int(role, "id", -1);
    CHECK(id > 0);
    crm_string_free(role);
    return id;
}

static void set_up_org(crm_db *db) {
    char *r = call_ok(db, SYSTEM_ACTOR, "tenant.setup",
                      "{\"name\":\"星辰贸易集团\",\"settings\":{\"time_zone\":\"Asia/Shanghai\"}}");
    CHECK_HAS(r, "\"name\":\"星辰贸易集团\"");
    crm_string_free(r);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_department", "{\"id\":1,\"name\":\"Sales\"}"));
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_department",
                            "{\"id\":2,\"name\":\"Sales East\",\"parent_id\":1}"));
    long long sales = create_role(db, "sales", "self");
    long long manager = create_role(db, "sales manager", "self_and_subordinates");
    char user[512];
    FMT(user, "{\"id\":11,\"name\":\"陈经理\",\"department_id\":1,\"role_ids\":[%lld]}", manager);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", user));
    FMT(user, "{\"id\":12,\"name\":\"张伟\",\"department_id\":2,\"supervisor_id\":11,\"role_ids\":[%lld]}", sales);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", user));
    FMT(user, "{\"id\":13,\"name\":\"李娜\",\"department_id\":2,\"supervisor_id\":11,\"role_ids\":[%lld]}", sales);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", user));
    char *users = call_ok(db, ZHANG, "org.list_users", NULL);
    CHECK(count_of(users, "\"tenant_admin\"") == 3);
    crm_string_free(users);
}

/* Builds {"csv": "<CSV escaped>"} in a heap buffer (owned by the caller). */
static char *import_request(const char *csv) {
    size_t cap = strlen(csv) * 2 + 64;
    char *out = malloc(cap);
    CHECK(out != NULL);
    size_t n = 0;
    n += (size_t)sprintf(out, "{\"csv\":\"");
    for (const char *p = csv; *p; p++) {
        if (*p == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = *p;
        } else {
            out[n++] = *p;
        }
    }
    sprintf(out + n, "\",\"options\":{\"batch_size\":2}}");
    return out;
}

static void import_customers(crm_db *db) {
    char *request = import_request(CSV);
    char *report = call_ok(db, MANAGER, "customer.import_csv", request);
    free(request);
    CHECK(json_int(report, "rows", -1) == 6);
    CHECK(count_of(report, "\"id\":") == 4);  /* four rows imported */
    CHECK_HAS(report, "\"field\":\"email\""); /* line 6: invalid e-mail, named */
    CHECK_HAS(report, "\"matched_on\":\"phone\""); /* line 7: duplicate of line 2 */
    crm_string_free(report);
}

static void customers(crm_db *db) {
    char *created = call_ok(db, ZHANG, "customer.create",
                            "{\"name\":\"深圳海岸物流有限公司\",\"phone\":\"0755-1234-0000\",\"level\":\"B\"}");
    long long id = json_int(created, "id", -1);
    CHECK(id > 0);
    CHECK(json_int(created, "owner_id", -1) == 12);
    CHECK(json_int(created, "version", -1) == 1);
    crm_string_free(created);

    char request[256];
    FMT(request, "{\"id\":%lld,\"patch\":{\"industry\":\"物流\",\"expected_version\":1}}", id);
    char *updated = call_ok(db, ZHANG, "customer.update", request);
    CHECK(json_int(updated, "version", -1) == 2);
    CHECK_HAS(updated, "\"industry\":\"物流\"");
    crm_string_free(updated);

    /* Scopes: 张伟 sees his own 3, 李娜 her 2, their manager all 5 (self and subordinates). */
    char *mine = call_ok(db, ZHANG, "customer.list", "{}");
    CHECK(count_of(mine, "\"owner_id\":12") == 3);
    CHECK(count_of(mine, "\"owner_id\":13") == 0);
    crm_string_free(mine);
    char *hers = call_ok(db, LI, "customer.list", "{\"newest_first\":true}");
    CHECK(count_of(hers, "\"owner_id\":13") == 2);
    crm_string_free(hers);
    char *all = call_ok(db, MANAGER, "customer.list", "{\"limit\":2}");
    CHECK(count_of(all, "\"owner_id\":") == 2);
    long long next = json_int(all, "next_after", -1);
    CHECK(next > 0);
    crm_string_free(all);
    FMT(request, "{\"after\":%lld,\"limit\":10}", next);
    char *rest = call_ok(db, MANAGER, "customer.list", request);
    CHECK(count_of(rest, "\"owner_id\":") == 3);
    crm_string_free(rest);

    FMT(request,
        "{\"customer_id\":%lld,\"kind\":\"call\",\"content\":\"确认采购预算\","
        "\"next_followup_at\":\"2030-01-02T03:04:05Z\"}",
        id);
    char *followup = call_ok(db, ZHANG, "followup.record", request);
    CHECK_HAS(followup, "\"kind\":\"call\"");
    crm_string_free(followup);

    FMT(request, "{\"id\":%lld}", id);
    char *view = call_ok(db, MANAGER, "customer.view_360", request);
    CHECK_HAS(view, "\"owner_name\":\"张伟\"");
    CHECK_HAS(view, "确认采购预算");
    /* The creation is the one owner-history row; sections of ungranted modules are null. */
    CHECK_HAS(view, "\"change\":\"created\"");
    CHECK(count_of(view, "\"change\":") == 1);
    CHECK_HAS(view, "\"open_tickets\":null");
    crm_string_free(view);
}

static void event_log(crm_db *db) {
    /* Page through the outbox 5 at a time, as a host's delivery loop would. */
    long long cursor = 0;
    size_t total = 0;
    for (;;) {
        char *events = NULL;
        char *error = NULL;
        crm_status s = crm_events_after(db, SYSTEM_ACTOR, cursor, 5, &events, &error);
        CHECK(s == CRM_OK && error == NULL && events != NULL);
        size_t n = count_of(events, "\"seq\":");
        if (n == 0) {
            crm_string_free(events);
            break;
        }
        /* The last seq of the page is the next cursor. */
        const char *last = events;
        for (const char *p = strstr(events, "\"seq\":"); p; p = strstr(p + 1, "\"seq\":")) {
            last = p;
        }
        long long seq = json_int(last, "seq", -1);
        CHECK(seq > cursor);
        cursor = seq;
        total += n;
        crm_string_free(events);
    }
    CHECK(total >= 14); /* tenant, departments, roles, users, imports, creates, follow-up */
    char *same = call_ok(db, SYSTEM_ACTOR, "events.after", "{\"cursor\":0,\"limit\":1000}");
    CHECK(count_of(same, "\"seq\":") == total);
    CHECK_HAS(same, "\"kind\":\"CustomerCreated\"");
    crm_string_free(same);
    printf("event log: %zu events, last seq %lld\n", total, cursor);
}

static void meta(crm_db *db) {
    char *ops = call_ok(db, NULL, "meta.ops", NULL);
    const char *families[] = {"\"tenant.setup\"", "\"org.upsert_user\"", "\"customer.import_csv\"",
                              "\"contact.create\"", "\"followup.record\"", "\"team.add\"",
                              "\"events.after\"", "\"audit.record\"", "\"due_work.run\"", "\"meta.ops\""};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        CHECK_HAS(ops, families[i]);
    }
    crm_string_free(ops);
}

int main(int argc, char **argv) {
    CHECK(argc > 1);
    CHECK(strcmp(crm_version(), CRM_VERSION) == 0);
    crm_db *db = NULL;
    CHECK(crm_open(argv[1], NULL, &db, NULL) == CRM_OK && db != NULL);
    set_up_org(db);
    import_customers(db);
    customers(db);
    event_log(db);
    meta(db);
    crm_close(db);

    /* Everything was committed: reopen the file and count again. */
    db = NULL;
    CHECK(crm_open(argv[1], "{}", &db, NULL) == CRM_OK);
    char *all = call_ok(db, SYSTEM_ACTOR, "customer.list", "{\"limit\":500}");
    CHECK(count_of(all, "\"owner_id\":") == 5);
    crm_string_free(all);
    crm_close(db);
    printf("org_import: ok\n");
    return 0;
}
