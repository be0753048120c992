/* A deterministic fuzz loop over crm_call for leak checking under valgrind: op names, actors
 * and requests are valid, mutated (flipped, truncated, spliced bytes, invalid UTF-8) or
 * random. Every call must return a defined status with exactly one output set. argv[1]:
 * iterations (default 400). */
#include "support.h"

static unsigned long long state = 0x9E3779B97F4A7C15ull;

static unsigned next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state >> 32);
}

static const char *OPS[] = {"tenant.setup", "tenant.get", "org.upsert_department", "org.upsert_user",
                            "org.create_role", "customer.create", "customer.update", "customer.get",
                            "customer.list", "customer.import_csv", "customer.view_360", "contact.create",
                            "followup.record", "team.add", "events.after", "audit.by_user", "due_work.run",
                            "meta.ops", "nope", ""};
static const char *ACTORS[] = {SYSTEM_ACTOR, "{\"type\":\"user\",\"tenant\":1,\"user\":5}",
                               "{\"type\":\"system\",\"tenant\":-3}", "{}", "null", "[", ""};
static const char *REQUESTS[] = {
    "{}",
    "{\"name\":\"Fuzz Co\",\"phone\":\"13800000000\",\"email\":\"a@b.cn\",\"tags\":[\"x\"]}",
    "{\"id\":1,\"patch\":{\"name\":\"Renamed\",\"expected_version\":1}}",
    "{\"id\":5,\"name\":\"User\",\"department_id\":1}",
    "{\"csv\":\"name,phone\\nA,13911112222\\nB,bad\\n\"}",
    "{\"customer_id\":1,\"kind\":\"call\",\"content\":\"hi\",\"at\":\"2030-01-01T00:00:00Z\"}",
    "{\"name\":\"r\",\"grants\":[{\"module\":\"customers\",\"action\":\"read\",\"scope\":\"all\"}]}",
    "{\"cursor\":0,\"limit\":3}",
    "{\"now\":\"2031-02-03T04:05:06Z\"}",
    "{\"name\":\"T\",\"settings\":{\"time_zone\":\"Mars/Base\"}}",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Copies `src` into `buf` (NUL-terminated) and mutates it. */
static void mutate(char *buf, size_t cap, const char *src) {
    size_t len = strlen(src);
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(buf, src, len);
    buf[len] = '\0';
    unsigned kind = next() % 12;
    if (kind == 0 || kind >= 6 || len == 0) {
        return; /* unchanged about half the time, so many calls reach the engine */
    }
    size_t at = next() % len;
    switch (kind) {
    case 1: buf[at] = (char)(next() & 0xff); if (buf[at] == 0) buf[at] = '\xff'; break;
    case 2: buf[at] = '\0'; break; /* truncation */
    case 3: buf[at] = '\xc3'; break; /* likely invalid UTF-8 */
    case 4:
        for (size_t i = 0; i + 1 < cap && i < 64; i++) {
            buf[i] = (char)(1 + next() % 255);
            buf[i + 1] = '\0';
        }
        break;
    default: buf[at] = "{}[]\",:"[next() % 7]; break;
    }
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 400;
    crm_db *db = NULL;
    CHECK(crm_open(":memory:", NULL, &db, NULL) == CRM_OK);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "tenant.setup", "{\"name\":\"Fuzz\"}"));
    long counts[200] = {0};
    for (long i = 0; i < iterations; i++) {
        char op[128], actor[128], request[512];
        mutate(op, sizeof op, OPS[next() % N(OPS)]);
        mutate(actor, sizeof actor, ACTORS[next() % N(ACTORS)]);
        mutate(request, sizeof request, REQUESTS[next() % N(REQUESTS)]);
        char *response = NULL, *error = NULL;
        unsigned nulls = next() % 8;
        crm_status s = crm_call(nulls == 0 ? NULL : db, nulls == 1 ? NULL : actor, nulls == 2 ? NULL : op,
                                nulls == 3 ? NULL : request, nulls == 4 ? NULL : &response,
                                nulls == 5 ? NULL : &error);
        int code = (int)s;
        CHECK((code >= 0 && code <= 7) || (code >= 100 && code <= 105));
        CHECK(strcmp(crm_status_str(code), "unknown status code") != 0);
        if (s == CRM_OK) {
            CHECK(error == NULL);
            CHECK(nulls == 4 || response != NULL);
        } else {
            CHECK(response == NULL);
            CHECK(nulls == 5 || error != NULL);
            if (error) {
                char needle[32];
                FMT(needle, "\"code\":%d,", code);
                CHECK_HAS(error, needle);
            }
        }
        counts[code]++;
        crm_string_free(response);
        crm_string_free(error);
    }
    crm_close(db);
    printf("fuzz: %ld calls; ok %ld, validation %ld, malformed json %ld, unknown op %ld, utf8 %ld, null %ld\n",
           iterations, counts[0], counts[1], counts[102], counts[103], counts[101], counts[100]);
    return 0;
}
