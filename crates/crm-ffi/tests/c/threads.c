/* Eight threads share one handle on a SQLite file (argv[1]), in three phases, each started
 * by all threads at once:
 *
 * 1. create: every thread creates its own customers.
 * 2. update: every thread updates the same few customers. Optimistic conflicts are retried
 *    inside the engine or surface as CRM_CONFLICT, never as a crash, a lost update or a
 *    torn write: each customer's version counts exactly the updates reported as done.
 * 3. claim (领取): every thread claims, one by one, from the same pool of unowned customers,
 *    under a held limit. Afterwards no customer has two owners, nobody holds more than the
 *    limit, and claims reported as done = customers that left the pool. */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include <pthread.h>

#define THREADS 8
#define OWN 6      /* customers each thread creates */
#define SHARED 3   /* customers every thread updates */
#define ROUNDS 4   /* updates per thread per shared customer */
#define POOLED 40  /* customers in the pool */
#define EXTRA 3    /* customers each user may claim on top of their own (held limit) */
#define SHARED_OWNER 200

static crm_db *db;
static long long shared_ids[SHARED];
static long long pool_id;
static long long pooled_ids[POOLED];
static pthread_barrier_t start;

struct worker {
    int index;
    int created;
    int updated[SHARED];
    int conflicts;
    long long claimed[POOLED];
    int claims;
    int refused;
};

static void *work(void *arg) {
    struct worker *w = arg;
    char actor[128], request[256];
    FMT(actor, "{\"type\":\"user\",\"tenant\":1,\"user\":%d}", 100 + w->index);
    pthread_barrier_wait(&start);
    for (int i = 0; i < OWN; i++) {
        FMT(request, "{\"name\":\"Thread %d Customer %03d\",\"level\":\"B\"}", w->index, i);
        char *c = call_ok(db, actor, "customer.create", request);
        CHECK(json_int(c, "owner_id", -1) == 100 + w->index);
        crm_string_free(c);
        w->created++;
    }
    pthread_barrier_wait(&start);
    pthread_barrier_wait(&start);
    for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < SHARED; k++) {
            FMT(request, "{\"id\":%lld,\"patch\":{\"industry\":\"t%d-r%d\"}}", shared_ids[k], w->index, round);
            char *response = NULL, *error = NULL;
            crm_status s = crm_call(db, SYSTEM_ACTOR, "customer.update", request, &response, &error);
            if (s == CRM_OK) {
                w->updated[k]++;
            } else if (s == CRM_CONFLICT) {
                w->conflicts++;
            } else {
                fprintf(stderr, "thread %d: unexpected %d: %s\n", w->index, (int)s, error ? error : "-");
                exit(1);
            }
            crm_string_free(response);
            crm_string_free(error);
        }
    }
    pthread_barrier_wait(&start);
    for (int i = 0; i < POOLED; i++) {
        long long id = pooled_ids[(i + w->index * 5) % POOLED];
        FMT(request, "{\"pool_id\":%lld,\"customer_ids\":[%lld]}", pool_id, id);
        char *response = NULL, *error = NULL;
        crm_status s = crm_call(db, actor, "pool.claim", request, &response, &error);
        if (s == CRM_OK) {
            CHECK(json_int(response, "owner_id", -1) == 100 + w->index);
            w->claimed[w->claims++] = id;
        } else if (s == CRM_RULE_VIOLATION || s == CRM_CONFLICT) {
            w->refused++; /* held limit reached, or someone else was faster */
        } else {
            fprintf(stderr, "thread %d: claim: unexpected %d: %s\n", w->index, (int)s, error ? error : "-");
            exit(1);
        }
        crm_string_free(response);
        crm_string_free(error);
    }
    return NULL;
}

int main(int argc, char **argv) {
    CHECK(argc > 1);
    CHECK(crm_open(argv[1], "{\"max_attempts\": 50}", &db, NULL) == CRM_OK);
    char request[512];
    FMT(request, "{\"name\":\"Threads Ltd\",\"settings\":{\"held_limits\":{\"default\":%d}}}", OWN + EXTRA);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "tenant.setup", request));
    char *role = call_ok(db, SYSTEM_ACTOR, "org.create_role",
                         "{\"name\":\"sales\",\"grants\":[{\"module\":\"customers\",\"action\":\"create\",\"scope\":\"self\"},"
                         "{\"module\":\"customers\",\"action\":\"read\",\"scope\":\"self\"}]}");
    long long role_id = json_int(role, "id", -1);
    crm_string_free(role);
    for (int t = 0; t < THREADS; t++) {
        FMT(request, "{\"id\":%d,\"name\":\"Worker %d\",\"role_ids\":[%lld]}", 100 + t, t, role_id);
        crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", request));
    }
    FMT(request, "{\"id\":%d,\"name\":\"Key Accounts\"}", SHARED_OWNER);
    crm_string_free(call_ok(db, SYSTEM_ACTOR, "org.upsert_user", request));
    char *pool = call_ok(db, SYSTEM_ACTOR, "pool.create",
                         "{\"name\":\"公海\",\"members\":{\"users\":[100,101,102,103,104,105,106,107]}}");
    pool_id = json_int(pool, "id", -1);
    CHECK(pool_id > 0);
    crm_string_free(pool);
    for (int i = 0; i < POOLED; i++) {
        FMT(request, "{\"name\":\"Pooled Prospect %02d\",\"level\":\"C\"}", i); /* no owner: into the pool */
        char *c = call_ok(db, SYSTEM_ACTOR, "customer.create", request);
        pooled_ids[i] = json_int(c, "id", -1);
        CHECK(json_int(c, "pool_id", -1) == pool_id);
        crm_string_free(c);
    }
    for (int k = 0; k < SHARED; k++) {
        FMT(request, "{\"name\":\"Shared Account %d\",\"owner_id\":%d}", k, SHARED_OWNER);
        char *c = call_ok(db, SYSTEM_ACTOR, "customer.create", request);
        shared_ids[k] = json_int(c, "id", -1);
        CHECK(shared_ids[k] > 0);
        crm_string_free(c);
    }

    CHECK(pthread_barrier_init(&start, NULL, THREADS) == 0);
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    memset(workers, 0, sizeof workers);
    for (int t = 0; t < THREADS; t++) {
        workers[t].index = t;
        CHECK(pthread_create(&threads[t], NULL, work, &workers[t]) == 0);
    }
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
    }
    pthread_barrier_destroy(&start);

    /* Invariants: every create landed once; each user holds their own plus exactly what they
     * claimed, never more than the limit; no customer was claimed twice; each shared
     * customer's version counts exactly the updates that reported success. */
    int conflicts = 0, updates = 0, claims = 0;
    for (int t = 0; t < THREADS; t++) {
        CHECK(workers[t].created == OWN);
        CHECK(workers[t].claims <= EXTRA);
        CHECK(workers[t].claims + workers[t].refused == POOLED);
        conflicts += workers[t].conflicts;
        claims += workers[t].claims;
        char actor[128];
        FMT(actor, "{\"type\":\"user\",\"tenant\":1,\"user\":%d}", 100 + t);
        char *mine = call_ok(db, actor, "customer.list", "{\"limit\":500}"); /* own + the pool's */
        char owner[32];
        FMT(owner, "\"owner_id\":%d,", 100 + t);
        CHECK(count_of(mine, owner) == (size_t)(OWN + workers[t].claims));
        CHECK(count_of(mine, "\"owner_id\":null,") == (size_t)(POOLED - THREADS * EXTRA));
        crm_string_free(mine);
        for (int i = 0; i < workers[t].claims; i++) {
            for (int u = 0; u < THREADS; u++) {
                for (int j = 0; j < workers[u].claims; j++) {
                    CHECK(u == t || workers[u].claimed[j] != workers[t].claimed[i]);
                }
            }
        }
    }
    CHECK(claims == THREADS * EXTRA); /* 40 pooled customers are enough for everyone */
    FMT(request, "{\"pool_id\":%lld,\"limit\":500}", pool_id);
    char *left = call_ok(db, SYSTEM_ACTOR, "pool.customers", request);
    CHECK(count_of(left, "\"name\":\"Pooled Prospect") == (size_t)(POOLED - claims));
    crm_string_free(left);
    char *all = call_ok(db, SYSTEM_ACTOR, "customer.list", "{\"limit\":500}");
    CHECK(count_of(all, "\"owner_id\":") == THREADS * OWN + SHARED + POOLED);
    CHECK(count_of(all, "\"owner_id\":null") == (size_t)(POOLED - claims));
    crm_string_free(all);
    for (int k = 0; k < SHARED; k++) {
        int ok = 0;
        for (int t = 0; t < THREADS; t++) {
            ok += workers[t].updated[k];
        }
        updates += ok;
        FMT(request, "{\"id\":%lld}", shared_ids[k]);
        char *c = call_ok(db, SYSTEM_ACTOR, "customer.get", request);
        CHECK(json_int(c, "version", -1) == 1 + ok);
        crm_string_free(c);
    }
    CHECK(updates + conflicts == THREADS * SHARED * ROUNDS);
    char *events = call_ok(db, SYSTEM_ACTOR, "events.after", "{\"limit\":1000}");
    CHECK(count_of(events, "\"kind\":\"CustomerUpdated\"") == (size_t)updates);
    CHECK(count_of(events, "\"kind\":\"CustomerCreated\"") == (size_t)(THREADS * OWN + SHARED + POOLED));
    CHECK(count_of(events, "\"kind\":\"CustomerClaimed\"") == (size_t)claims);
    crm_string_free(events);
    crm_close(db);
    printf("threads: %d creates, %d updates, %d conflicts surfaced as CRM_CONFLICT, %d claims\n", THREADS * OWN,
           updates, conflicts, claims);
    return 0;
}
