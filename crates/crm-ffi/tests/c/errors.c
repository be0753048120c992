/* Every error path of the C boundary: NULL pointers, invalid UTF-8, malformed JSON, JSON of
 * the wrong shape, unknown ops, engine errors (validation with the field, permission denied,
 * not found, duplicate, conflict), and the rule that outputs are written only on success. */
#include "support.h"

#define NOBODY "{\"type\":\"user\",\"tenant\":1,\"user\":99}"

static char sentinel_storage;
#define SENTINEL (&sentinel_storage)

/* Calls `op` expecting `want`; checks that the response pointer was left alone, that the
 * error JSON carries the code, and returns the error JSON (owned). */
static char *expect(const crm_db *db, const char *actor, const char *op, const char *request, crm_status want) {
    char *response = SENTINEL;
    char *error = NULL;
    crm_status got = crm_call(db, actor, op, request, &response, &error);
    if (got != want) {
        fprintf(stderr, "%s %s: wanted %d, got %d: %s\n", op ? op : "(null op)", request ? request : "(null)",
                (int)want, (int)got, error ? error : "-");
        exit(1);
    }
    CHECK(response == SENTINEL);
    CHECK(error != NULL);
    char code[32];
    FMT(code, "\"code\":%d,", (int)want);
    CHECK_HAS(error, code);
    CHECK_HAS(error, "\"kind\":\"");
    CHECK_HAS(error, "\"message\":\"");
    return error;
}

static void expect_field(const crm_db *db, const char *actor, const char *op, const char *request,
                         crm_status want, const char *field) {
    char *error = expect(db, actor, op, request, want);
    char needle[256];
    FMT(needle, "\"field\":\"%s\"", field);
    CHECK_HAS(error, needle);
    crm_string_free(error);
}

static void open_errors(void) {
    crm_db *db = (crm_db *)SENTINEL;
    char *error = NULL;
    CHECK(crm_open(NULL, NULL, &db, &error) == CRM_NULL_ARGUMENT);
    CHECK(db == (crm_db *)SENTINEL);
    CHECK_HAS(error, "\"field\":\"url\"");
    crm_string_free(error);
    error = NULL;
    CHECK(crm_open(":memory:", NULL, NULL, &error) == CRM_NULL_ARGUMENT);
    CHECK_HAS(error, "\"field\":\"out\"");
    crm_string_free(error);
    error = NULL;
    CHECK(crm_open(":memory:", "{\"max_attempts\": 0}", &db, &error) == CRM_VALIDATION);
    CHECK_HAS(error, "\"field\":\"options.max_attempts\"");
    crm_string_free(error);
    error = NULL;
    CHECK(crm_open(":memory:", "{\"max_atempts\": 3}", &db, &error) == CRM_MALFORMED_JSON);
    CHECK_HAS(error, "max_atempts");
    crm_string_free(error);
    error = NULL;
    CHECK(crm_open(":memory:", "{not json", &db, &error) == CRM_MALFORMED_JSON);
    crm_string_free(error);
    error = NULL;
    CHECK(crm_open("mysql://localhost/crm", NULL, &db, &error) == CRM_VALIDATION);
    CHECK_HAS(error, "\"field\":\"url\"");
    crm_string_free(error);
    error = NULL;
    CHECK(crm_open("\xff\xfe", NULL, &db, &error) == CRM_INVALID_UTF8);
    crm_string_free(error);
    CHECK(crm_open(":memory:", "{\"schema\": \"x\"}", &db, NULL) == CRM_VALIDATION); /* no error wanted */
    CHECK(db == (crm_db *)SENTINEL);
}

static void boundary_errors(const crm_db *db) {
    char *error = NULL;
    char *response = SENTINEL;
    /* NULL handle, op, actor; NULL out-parameters mean "not wanted". */
    CHECK(crm_call(NULL, SYSTEM_ACTOR, "tenant.get", "{}", &response, &error) == CRM_NULL_ARGUMENT);
    CHECK(response == SENTINEL);
    CHECK_HAS(error, "\"field\":\"db\"");
    crm_string_free(error);
    expect_field(db, SYSTEM_ACTOR, NULL, "{}", CRM_NULL_ARGUMENT, "op");
    expect_field(db, NULL, "tenant.get", "{}", CRM_NULL_ARGUMENT, "actor_json");
    CHECK(crm_call(db, NULL, "tenant.get", "{}", NULL, NULL) == CRM_NULL_ARGUMENT);
    CHECK(crm_events_after(NULL, SYSTEM_ACTOR, 0, 10, NULL, NULL) == CRM_NULL_ARGUMENT);
    error = NULL;
    CHECK(crm_events_after(db, NULL, 0, 10, NULL, &error) == CRM_NULL_ARGUMENT);
    CHECK_HAS(error, "\"field\":\"actor_json\"");
    crm_string_free(error);

    /* Invalid UTF-8 in each string argument. */
    expect_field(db, SYSTEM_ACTOR, "customer.\xff", "{}", CRM_INVALID_UTF8, "op");
    expect_field(db, "{\"type\":\"system\",\"tenant\":1,\"x\":\"\xc3\x28\"}", "tenant.get", "{}", CRM_INVALID_UTF8,
                 "actor_json");
    expect_field(db, SYSTEM_ACTOR, "customer.create", "{\"name\":\"\xe2\x82\"}", CRM_INVALID_UTF8, "request_json");

    /* Unknown ops. */
    expect_field(db, SYSTEM_ACTOR, "customer.explode", "{}", CRM_UNKNOWN_OP, "op");
    expect_field(db, SYSTEM_ACTOR, "", "{}", CRM_UNKNOWN_OP, "op");
    expect_field(db, NULL, "no.such.op", NULL, CRM_UNKNOWN_OP, "op"); /* checked before the actor */

    /* Malformed JSON and JSON that does not match the request or actor type. */
    expect_field(db, SYSTEM_ACTOR, "customer.create", "{\"name\": ", CRM_MALFORMED_JSON, "request_json");
    expect_field(db, SYSTEM_ACTOR, "customer.create", "[1,2]", CRM_MALFORMED_JSON, "request_json");
    expect_field(db, SYSTEM_ACTOR, "customer.create", "{\"name\":\"x\",\"kind\":\"robot\"}", CRM_MALFORMED_JSON,
                 "request_json.kind");
    expect_field(db, SYSTEM_ACTOR, "customer.get", "{\"id\":\"seven\"}", CRM_MALFORMED_JSON, "request_json.id");
    expect_field(db, SYSTEM_ACTOR, "customer.get", "{}", CRM_MALFORMED_JSON, "request_json.id");
    expect_field(db, SYSTEM_ACTOR, "customer.get", "{\"id\":1,\"extra\":true}", CRM_MALFORMED_JSON,
                 "request_json.extra");
    expect_field(db, SYSTEM_ACTOR, "tenant.get", "{} trailing", CRM_MALFORMED_JSON, "request_json");
    expect_field(db, "{\"type\":\"robot\",\"tenant\":1}", "tenant.get", "{}", CRM_MALFORMED_JSON, "actor_json.type");
    expect_field(db, "not json", "tenant.get", "{}", CRM_MALFORMED_JSON, "actor_json");
}

static void engine_errors(const crm_db *db) {
    /* Validation names the field; nothing is written. */
    expect_field(db, SYSTEM_ACTOR, "customer.create", "{\"name\":\"Mail Co\",\"email\":\"not-an-email\"}",
                 CRM_VALIDATION, "email");
    expect_field(db, SYSTEM_ACTOR, "customer.create", "{\"name\":\"   \"}", CRM_VALIDATION, "name");
    expect_field(db, SYSTEM_ACTOR, "customer.list", "{\"limit\":0}", CRM_VALIDATION, "limit");
    char *error = NULL;
    CHECK(crm_events_after(db, SYSTEM_ACTOR, 0, 0, NULL, &error) == CRM_VALIDATION);
    CHECK_HAS(error, "\"field\":\"limit\"");
    crm_string_free(error);

    /* A user without roles may not list customers, read events or run due work. */
    crm_string_free(expect(db, NOBODY, "customer.list", "{}", CRM_PERMISSION_DENIED));
    error = NULL;
    CHECK(crm_events_after(db, NOBODY, 0, 10, NULL, &error) == CRM_PERMISSION_DENIED);
    crm_string_free(error);
    expect_field(db, NOBODY, "due_work.run", "{}", CRM_PERMISSION_DENIED, "actor");

    /* Not found, also for another tenant's ids. */
    char *e = expect(db, SYSTEM_ACTOR, "customer.get", "{\"id\":424242}", CRM_NOT_FOUND);
    CHECK_HAS(e, "\"entity\":\"customer\"");
    crm_string_free(e);
    crm_string_free(expect(db, "{\"type\":\"system\",\"tenant\":2}", "tenant.get", "{}", CRM_NOT_FOUND));

    /* Duplicate carries the existing id; conflict on a stale expected_version. */
    char *created = call_ok(db, SYSTEM_ACTOR, "customer.create", "{\"name\":\"Dup Co\",\"phone\":\"13900001111\",\"owner_id\":99}");
    long long id = json_int(created, "id", -1);
    crm_string_free(created);
    e = expect(db, SYSTEM_ACTOR, "customer.create", "{\"name\":\"Other\",\"phone\":\"+86 139 0000 1111\"}", CRM_DUPLICATE);
    char needle[64];
    FMT(needle, "\"existing\":%lld", id);
    CHECK_HAS(e, needle);
    CHECK_HAS(e, "\"owner\":99");
    CHECK_HAS(e, "\"matched_on\":\"phone\"");
    crm_string_free(e);
    char request[128];
    FMT(request, "{\"id\":%lld,\"patch\":{\"industry\":\"x\",\"expected_version\":7}}", id);
    crm_string_free(expect(db, SYSTEM_ACTOR, "customer.update", request, CRM_CONFLICT));
}

static void statics(void) {
    CHECK(strcmp(crm_status_str(CRM_OK), "ok") == 0);
    CHECK(strcmp(crm_status_str(CRM_PERMISSION_DENIED), "permission denied") == 0);
    CHECK(strcmp(crm_status_str(12345), "unknown status code") == 0);
    CHECK(strcmp(crm_status_str(-1), "unknown status code") == 0);
    for (int code = 0; code < 200; code++) {
        CHECK(crm_status_str(code) != NULL);
    }
    CHECK(strcmp(crm_version(), CRM_VERSION) == 0);
    crm_close(NULL);
    crm_string_free(NULL);
}

int main(void) {
    statics();
    open_errors();
    crm_db *db = NULL;
    CHECK(crm_open(":memory:", "{\"max_attempts\": 3, \"worker_threads\": 1}", &db, NULL) == CRM_OK);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "tenant.setup", "{\"name\":\"Errors Inc\"}"));
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", "{\"id\":99,\"name\":\"No Roles\"}"));
    boundary_errors(db);
    engine_errors(db);
    /* Only the customer created on purpose was written. */
    char *all = call_ok(db, SYSTEM_ACTOR, "customer.list", NULL);
    CHECK(count_of(all, "\"owner_id\":") == 1);
    crm_string_free(all);
    crm_close(db);
    printf("errors: ok\n");
    return 0;
}
