/* Helpers shared by the C test programs: checks that exit on failure, calls that expect a
 * status, and just enough JSON scanning for tests (responses are compact serde_json). */
#ifndef CRM_TEST_SUPPORT_H
#define CRM_TEST_SUPPORT_H

#include "crm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);    \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

#define SYSTEM_ACTOR "{\"type\":\"system\",\"tenant\":1}"

/* Runs `op` and requires CRM_OK; returns the response (owned: crm_string_free it). */
static inline char *call_ok(const crm_db *db, const char *actor, const char *op, const char *request) {
    char *response = NULL;
    char *error = NULL;
    crm_status status = crm_call(db, actor, op, request, &response, &error);
    if (status != CRM_OK) {
        fprintf(stderr, "%s failed with %d (%s): %s\n", op, (int)status, crm_status_str((int)status),
                error ? error : "(no error json)");
        crm_string_free(error);
        exit(1);
    }
    CHECK(response != NULL);
    CHECK(error == NULL);
    return response;
}

/* Runs `op`, requires status `want`, and returns the error JSON (owned). */
static inline char *call_fail(const crm_db *db, const char *actor, const char *op, const char *request,
                              crm_status want) {
    char *response = NULL;
    char *error = NULL;
    crm_status status = crm_call(db, actor, op, request, &response, &error);
    if (status != want) {
        fprintf(stderr, "%s: wanted status %d, got %d: %s\n", op, (int)want, (int)status,
                error ? error : (response ? response : "(nothing)"));
        exit(1);
    }
    CHECK(response == NULL);
    CHECK(error != NULL);
    return error;
}

/* The integer after the first `"key":` in `json`, or `fallback`. */
static inline long long json_int(const char *json, const char *key, long long fallback) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    if (!at) {
        return fallback;
    }
    at += strlen(pattern);
    char *end = NULL;
    long long value = strtoll(at, &end, 10);
    return end == at ? fallback : value;
}

/* How often `needle` occurs in `haystack`. */
static inline size_t count_of(const char *haystack, const char *needle) {
    size_t n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + len, needle)) {
        n++;
    }
    return n;
}

/* Requires `json` to contain `needle`. */
#define CHECK_HAS(json, needle)                                                          \
    do {                                                                                 \
        if (!strstr((json), (needle))) {                                                 \
            fprintf(stderr, "%s:%d: %s not found in %s\n", __FILE__, __LINE__, (needle),  \
                    (json));                                                             \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

/* Formats into a fixed buffer; exits when it would not fit. */
#define FMT(buf, ...)                                                                    \
    do {                                                                                 \
        int n_ = snprintf((buf), sizeof(buf), __VA_ARGS__);                              \
        CHECK(n_ >= 0 && (size_t)n_ < sizeof(buf));                                      \
    } while (0)

#endif
