/* test_health.c -- the public probes, error replies for unknown paths and
 * methods, X-Request-Id, /metrics and the access log. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 if the comma-separated list ALLOW names METHOD as a whole token. */
static int allow_has(const char *allow, const char *method) {
    size_t ml = strlen(method);
    const char *p = allow;

    while (*p != '\0') {
        const char *e;
        while (*p == ' ' || *p == ',')
            p++;
        e = p;
        while (*e != '\0' && *e != ',' && *e != ' ')
            e++;
        if ((size_t)(e - p) == ml && strncmp(p, method, ml) == 0) return 1;
        p = e;
    }
    return 0;
}

/* Assert R carries a generated request id: 32 hex digits.  Copies it. */
static void expect_generated_id(const struct h_resp *r, char *id, size_t idlen) {
    char v[256];
    cr_assert_eq(h_resp_header(r, "X-Request-Id", v, sizeof(v)), 0,
                 "HTTP %ld response has no X-Request-Id; headers:\n%s", r->status,
                 r->headers);
    cr_assert(h_is_hex(v, 32), "generated X-Request-Id '%s' is not 32 hex digits", v);
    if (id != NULL) {
        cr_assert_gt(idlen, 32);
        memcpy(id, v, 33); /* 32 digits and the NUL, checked above */
    }
}

Test(health, healthz, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    const char *args[] = {"--version", NULL};
    struct h_run_result run;
    struct h_resp r;
    char ctype[128], want[64];
    json_t *j;

    h_start(NULL);
    h_http("GET", "/healthz", NULL, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    cr_assert_eq(h_resp_header(&r, "Content-Type", ctype, sizeof(ctype)), 0);
    cr_assert(strncmp(ctype, "application/json", 16) == 0, "Content-Type is '%s'",
              ctype);
    expect_generated_id(&r, NULL, 0);
    j = h_resp_json(&r);
    cr_assert_not_null(j, "body is not JSON: %s", r.body);
    cr_assert_str_eq(h_jstr(j, "status"), "ok", "body: %s", r.body);

    /* The version it reports is the one --version prints. */
    cr_assert_eq(h_run_server_binary(args, NULL, 8000, &run), 0, "%s", h_error());
    snprintf(want, sizeof(want), "%s",
             run.out + (strncmp(run.out, "dongting ", 9) ? 0 : 9));
    want[strcspn(want, "\n")] = '\0';
    cr_assert_str_eq(h_jstr(j, "version"), want, "body: %s", r.body);
    h_run_free(&run);
    json_decref(j);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(health, readyz, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    struct h_resp r;
    json_t *j;

    h_start(NULL);
    /* The first Redis connect may still be under way just after start. */
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    h_http("GET", "/readyz", NULL, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(j, "status"), "ready", "body: %s", r.body);
    json_decref(j);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(health, readyz_without_redis_then_connects, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    /* The server starts although nothing listens on its Redis port. */
    cr_assert_eq(h_server_start(NULL), 0, "%s", h_error());
    h_assert_down_but_alive();

    /* It keeps trying, so a Redis that turns up later is picked up. */
    cr_assert_eq(h_redis_start(), 0, "%s", h_error());
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 15000), 0, "%s", h_error());
    H_ASSERT_CLEAN_EXIT();
}

Test(health, unknown_path_is_404_json, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    struct h_resp r;

    h_start(NULL);
    h_http("GET", "/no/such/path", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    expect_generated_id(&r, NULL, 0);
    h_resp_free(&r);

    /* Authenticated or not, unknown is unknown. */
    h_http("GET", "/v1/nothing-here", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(health, wrong_method_is_405_with_allow, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    struct h_resp r;
    char allow[128];

    h_start(NULL);
    h_http("DELETE", "/healthz", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 405, "method_not_allowed");
    cr_assert_eq(h_resp_header(&r, "Allow", allow, sizeof(allow)), 0,
                 "405 without Allow; headers:\n%s", r.headers);
    cr_assert(allow_has(allow, "GET") && !allow_has(allow, "DELETE"),
              "Allow for /healthz is '%s'", allow);
    expect_generated_id(&r, NULL, 0);
    h_resp_free(&r);

    h_http("POST", "/readyz", NULL, "{}", NULL, &r);
    H_ASSERT_ERROR(&r, 405, "method_not_allowed");
    h_resp_free(&r);

    h_http("PUT", "/v1/keys/some-id", h_admin_key(), "{}", NULL, &r);
    H_ASSERT_ERROR(&r, 405, "method_not_allowed");
    cr_assert_eq(h_resp_header(&r, "Allow", allow, sizeof(allow)), 0,
                 "405 without Allow; headers:\n%s", r.headers);
    cr_assert(allow_has(allow, "GET") && allow_has(allow, "DELETE") &&
                  !allow_has(allow, "PUT"),
              "Allow for /v1/keys/{id} is '%s'", allow);
    h_resp_free(&r);

    h_http("GET", "/v1/keys", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 405, "method_not_allowed");
    cr_assert_eq(h_resp_header(&r, "Allow", allow, sizeof(allow)), 0);
    cr_assert(allow_has(allow, "POST") && !allow_has(allow, "GET"),
              "Allow for /v1/keys is '%s'", allow);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(health, request_id_is_echoed, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    static const char id64[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._";
    struct h_resp r;
    char v[256], hdr[128];

    h_start(NULL);
    h_http("GET", "/healthz", NULL, NULL, "X-Request-Id: trace.A_1-b", &r);
    H_ASSERT_STATUS(&r, 200);
    cr_assert_eq(h_resp_header(&r, "X-Request-Id", v, sizeof(v)), 0);
    cr_assert_str_eq(v, "trace.A_1-b");
    h_resp_free(&r);

    /* 64 characters is still allowed. */
    cr_assert_eq(strlen(id64), 64);
    snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", id64);
    h_http("GET", "/no/such/path", NULL, NULL, hdr, &r);
    H_ASSERT_STATUS(&r, 404);
    cr_assert_eq(h_resp_header(&r, "X-Request-Id", v, sizeof(v)), 0);
    cr_assert_str_eq(v, id64, "a 64-character id on a 404 was not echoed");
    h_resp_free(&r);

    /* Error replies carry it too. */
    h_http("GET", "/v1/whoami", NULL, NULL, "X-Request-Id: unauth-42", &r);
    H_ASSERT_STATUS(&r, 401);
    cr_assert_eq(h_resp_header(&r, "X-Request-Id", v, sizeof(v)), 0);
    cr_assert_str_eq(v, "unauth-42");
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(health, request_id_is_generated, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    static const char *const bad[] = {
        "X-Request-Id: has space", "X-Request-Id: slash/inside",
        "X-Request-Id: quote\"d",
        "X-Request-Id: "
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
        NULL};
    struct h_resp r;
    char a[64], b[64];

    h_start(NULL);
    h_http("GET", "/healthz", NULL, NULL, NULL, &r);
    expect_generated_id(&r, a, sizeof(a));
    h_resp_free(&r);
    h_http("GET", "/healthz", NULL, NULL, NULL, &r);
    expect_generated_id(&r, b, sizeof(b));
    h_resp_free(&r);
    cr_assert_str_neq(a, b, "two requests got the same generated id %s", a);

    /* Ids that do not match [A-Za-z0-9._-]{1,64} are replaced, not echoed. */
    for (int i = 0; bad[i] != NULL; i++) {
        h_http("GET", "/healthz", NULL, NULL, bad[i], &r);
        H_ASSERT_STATUS(&r, 200);
        expect_generated_id(&r, NULL, 0);
        h_resp_free(&r);
    }
    H_ASSERT_CLEAN_EXIT();
}

Test(health, metrics_needs_admin, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    struct h_resp r;
    char id[128], key[256], www[256];

    h_start(NULL);
    h_http("GET", "/metrics", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 401, "unauthorized");
    cr_assert_eq(h_resp_header(&r, "WWW-Authenticate", www, sizeof(www)), 0,
                 "401 without WWW-Authenticate; headers:\n%s", r.headers);
    cr_assert(strncasecmp(www, "Bearer", 6) == 0, "WWW-Authenticate: %s", www);
    h_resp_free(&r);

    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\","
                              "\"name\":\"metrics-test\"}",
                              id, sizeof(id), key, sizeof(key)),
                 0, "%s", h_error());
    h_http("GET", "/metrics", key, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);

    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(health, metrics_series, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    static const char *const healthz_ok[] = {"route=\"/healthz\"", "method=\"GET\"",
                                             "status=\"200\"", NULL};
    static const char *const not_found[] = {"method=\"GET\"", "status=\"404\"", NULL};
    struct h_resp r;
    char ctype[128];
    double v;

    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    for (int i = 0; i < 3; i++) {
        h_http("GET", "/healthz", NULL, NULL, NULL, &r);
        h_resp_free(&r);
    }
    h_http("GET", "/no/such/path", NULL, NULL, NULL, &r);
    h_resp_free(&r);

    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    cr_assert_eq(h_resp_header(&r, "Content-Type", ctype, sizeof(ctype)), 0);
    cr_assert(strncmp(ctype, "text/plain", 10) == 0, "Content-Type is '%s'", ctype);

    cr_assert_eq(h_metric_value(r.body, "dongting_http_requests_total", healthz_ok, &v),
                 0,
                 "no dongting_http_requests_total sample with route, method "
                 "and status labels for GET /healthz 200:\n%s",
                 r.body);
    /* Three here, and the start-up polls made more. */
    cr_assert_geq(v, 3.0, "GET /healthz 200 counted %g times", v);
    cr_assert_eq(h_metric_value(r.body, "dongting_http_requests_total", not_found, &v),
                 0, "the 404 was not counted:\n%s", r.body);
    cr_assert_geq(v, 1.0);
    cr_assert_eq(h_metric_value(r.body, "dongting_http_request_duration_seconds_bucket",
                                NULL, &v),
                 0, "no duration histogram:\n%s", r.body);
    cr_assert_eq(h_metric_value(r.body, "dongting_http_connections_open", NULL, &v), 0,
                 "no dongting_http_connections_open:\n%s", r.body);
    /* The connection asking is open. */
    cr_assert_geq(v, 1.0, "dongting_http_connections_open is %g", v);
    cr_assert_eq(h_metric_value(r.body, "dongting_redis_errors_total", NULL, &v), 0,
                 "no dongting_redis_errors_total:\n%s", r.body);
    cr_assert_eq(h_metric_value(r.body, "dongting_redis_reconnects_total", NULL, &v), 0,
                 "no dongting_redis_reconnects_total:\n%s", r.body);
    cr_assert_eq(h_metric_value(r.body, "dongting_redis_up", NULL, &v), 0,
                 "no dongting_redis_up:\n%s", r.body);
    cr_assert_eq(v, 1.0, "dongting_redis_up is %g while Redis answers", v);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

/* 1 if LOG has an access-log JSON line for METHOD PATH STATUS with ID. */
static int log_has_line(const char *log, const char *method, const char *path,
                        long status, const char *id) {
    const char *line = log;

    while (line != NULL && *line != '\0') {
        const char *eol = strchr(line, '\n');
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        json_t *j = json_loadb(line, ll, 0, NULL);
        if (json_is_object(j)) {
            json_t *st = json_object_get(j, "status");
            long s = json_is_integer(st)  ? (long)json_integer_value(st)
                     : json_is_string(st) ? strtol(json_string_value(st), NULL, 10)
                                          : -1;
            int ok = strcmp(h_jstr(j, "method"), method) == 0 &&
                     strcmp(h_jstr(j, "path"), path) == 0 && s == status &&
                     strcmp(h_jstr(j, "request_id"), id) == 0;
            json_decref(j);
            if (ok) return 1;
        } else if (j != NULL) {
            json_decref(j);
        }
        line = eol ? eol + 1 : NULL;
    }
    return 0;
}

Test(health, access_log_without_secrets, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    static const char bogus[] = "dt_thisIsNotARealKeyButLooksLikeOne0123456789";
    struct h_resp r;
    char id[128], key[256], *log = NULL;
    long long deadline;
    int found = 0;

    h_start(NULL);
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\","
                              "\"name\":\"log-test\"}",
                              id, sizeof(id), key, sizeof(key)),
                 0, "%s", h_error());
    h_http("GET", "/v1/whoami", h_admin_key(), NULL, "X-Request-Id: log-admin-1", &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    h_http("GET", "/v1/whoami", key, NULL, "X-Request-Id: log-key-2", &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    h_http("GET", "/v1/whoami", bogus, NULL, "X-Request-Id: log-bogus-3", &r);
    H_ASSERT_STATUS(&r, 401);
    h_resp_free(&r);
    h_http("GET", "/no/such/path", NULL, NULL, "X-Request-Id: log-404-4", &r);
    H_ASSERT_STATUS(&r, 404);
    h_resp_free(&r);

    /* The line may be written just after the reply went out. */
    deadline = h_now_ms() + 3000;
    while (!found && h_now_ms() < deadline) {
        free(log);
        log = h_server_log();
        cr_assert_not_null(log, "no server log at %s", h_server_log_path());
        found = log_has_line(log, "GET", "/v1/whoami", 200, "log-admin-1") &&
                log_has_line(log, "GET", "/v1/whoami", 200, "log-key-2") &&
                log_has_line(log, "GET", "/v1/whoami", 401, "log-bogus-3") &&
                log_has_line(log, "GET", "/no/such/path", 404, "log-404-4");
        if (!found) h_sleep_ms(50);
    }
    cr_assert(found,
              "access log lacks a JSON line with method, path, status and "
              "request_id for each request; log:\n%.3000s",
              log);

    cr_assert_null(strstr(log, h_admin_key()), "the admin key is in the log");
    cr_assert_null(strstr(log, key), "an API key secret is in the log");
    cr_assert_null(strstr(log, bogus), "a presented (invalid) key is in the log");
    free(log);
    H_ASSERT_CLEAN_EXIT();
}
