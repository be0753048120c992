/* The README's C example: open a database, set up a tenant and a user, create a customer,
 * list customers, and read the error of a duplicate. Build:
 *   cc -std=c11 -Wall -Wextra -Werror -Iinclude quickstart.c -Ltarget/debug -lcrm
 * Run with a SQLite path (default: a private in-memory database). */
#include "crm.h"

#include <stdio.h>

static const char *SYSTEM = "{\"type\":\"system\",\"tenant\":1}";

static int call(crm_db *db, const char *op, const char *request) {
    char *response = NULL, *error = NULL;
    crm_status status = crm_call(db, SYSTEM, op, request, &response, &error);
    if (status == CRM_OK) {
        printf("%s -> %s\n", op, response);
    } else {
        printf("%s failed: %s: %s\n", op, crm_status_str((int)status), error);
    }
    crm_string_free(response); /* both are NULL-safe */
    crm_string_free(error);
    return (int)status;
}

int main(int argc, char **argv) {
    crm_db *db = NULL;
    char *error = NULL;
    if (crm_open(argc > 1 ? argv[1] : ":memory:", "{\"max_attempts\": 5}", &db, &error) != CRM_OK) {
        fprintf(stderr, "open failed: %s\n", error);
        crm_string_free(error);
        return 1;
    }
    printf("crm %s\n", crm_version());
    int failed = call(db, "tenant.setup", "{\"name\": \"Acme Trading\"}")
              || call(db, "org.upsert_user", "{\"id\": 7, \"name\": \"Zhang Wei\"}")
              || call(db, "customer.create",
                      "{\"name\": \"北京星辰科技有限公司\", \"phone\": \"+86 138-1234-5678\", \"owner_id\": 7}")
              || call(db, "customer.list", "{\"limit\": 10}");
    /* The same phone written differently is a duplicate: CRM_DUPLICATE (6). */
    int duplicate = call(db, "customer.create", "{\"name\": \"Another\", \"phone\": \"13812345678\"}");
    crm_close(db);
    return failed || duplicate != CRM_DUPLICATE;
}
