/* The same handle over PostgreSQL: argv[1] a postgres:// URL, argv[2] the schema to use.
 * Sets up a tenant, creates and lists customers, reads events, then reopens the schema. */
#include "support.h"

int main(int argc, char **argv) {
    CHECK(argc > 2);
    char options[256];
    FMT(options, "{\"schema\":\"%s\",\"max_connections\":4,\"max_attempts\":5}", argv[2]);
    crm_db *db = NULL;
    char *error = NULL;
    if (crm_open(argv[1], options, &db, &error) != CRM_OK) {
        fprintf(stderr, "open failed: %s\n", error);
        crm_string_free(error);
        return 1;
    }
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "tenant.setup", "{\"name\":\"PG Trading\"}"));
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", "{\"id\":7,\"name\":\"Zhang Wei\"}"));
    char *c = call_ok(db, SYSTEM_ACTOR, "customer.create", "{\"name\":\"上海明远贸易\",\"phone\":\"139 0000 1111\",\"owner_id\":7}");
    CHECK(json_int(c, "owner_id", -1) == 7);
    crm_string_free(c);
    crm_string_free(call_fail(db, SYSTEM_ACTOR, "customer.create", "{\"name\":\"Other\",\"phone\":\"13900001111\"}",
                              CRM_DUPLICATE));
    char *events = NULL;
    CHECK(crm_events_after(db, SYSTEM_ACTOR, 0, 100, &events, NULL) == CRM_OK);
    CHECK(count_of(events, "\"seq\":") == 3);
    crm_string_free(events);
    crm_close(db);

    db = NULL;
    CHECK(crm_open(argv[1], options, &db, NULL) == CRM_OK);
    char *all = call_ok(db, SYSTEM_ACTOR, "customer.list", "{}");
    CHECK(count_of(all, "\"owner_id\":7") == 1);
    crm_string_free(all);
    crm_close(db);
    printf("postgres: ok\n");
    return 0;
}
