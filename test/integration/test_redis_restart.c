/* test_redis_restart.c -- Redis faults: a crash (kill -9) gives fast 503s
 * where Redis is needed while the bootstrap admin key keeps working, and the
 * server reconnects by itself once Redis is back; a command slower than
 * --redis-timeout-ms gives a 503 within about that time. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET /metrics with the admin key and read metric NAME (no label filter). */
static double metric(const char *name) {
    struct h_resp r;
    double v = -1;

    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    cr_assert_eq(h_metric_value(r.body, name, NULL, &v), 0, "no %s in:\n%s", name,
                 r.body);
    h_resp_free(&r);
    return v;
}

/* Assert a redis_unavailable 503 that came without waiting on a timeout. */
static void expect_unavailable(const char *method, const char *path, const char *bearer,
                               const char *body) {
    struct h_resp r;
    char why[768];

    h_http(method, path, bearer, body, NULL, &r);
    cr_assert_eq(h_check_error(&r, 503, "redis_unavailable", why, sizeof(why)), 0,
                 "%s %s while Redis is down: %s", method, path, why);
    cr_assert_lt(r.seconds, 3.0, "%s %s took %.2f s to fail", method, path, r.seconds);
    h_resp_free(&r);
}

Test(redis, crash_and_recovery, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    struct h_resp r;
    char id[128], key[256], path[200];
    pid_t pid;
    json_t *j;

    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\","
                              "\"name\":\"survivor\"}",
                              id, sizeof(id), key, sizeof(key)),
                 0, "%s", h_error());
    snprintf(path, sizeof(path), "/v1/keys/%s", id);
    pid = h_server_pid();

    cr_assert_eq(h_redis_kill(), 0, "%s", h_error());
    /* The server notices at once (the socket closes), but poll anyway. */
    cr_assert_eq(h_wait_status("/readyz", NULL, 503, 5000), 0, "%s", h_error());
    h_assert_down_but_alive();

    /* The bootstrap admin key is checked in memory. */
    h_http("GET", "/v1/whoami", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(j, "role"), "admin", "body: %s", r.body);
    json_decref(j);
    h_resp_free(&r);

    expect_unavailable("POST", "/v1/keys", h_admin_key(),
                       "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"x\"}");
    expect_unavailable("GET", path, h_admin_key(), NULL);
    expect_unavailable("DELETE", path, h_admin_key(), NULL);
    /* Other keys live in Redis, so they cannot be checked now: 503, not 401. */
    expect_unavailable("GET", "/v1/whoami", key, NULL);
    cr_assert_eq(metric("dongting_redis_up"), 0.0,
                 "dongting_redis_up should be 0 while Redis is down");

    /* Same port, same data directory. */
    cr_assert_eq(h_redis_start(), 0, "%s", h_error());
    /* Backoff is at most 5 s between tries; allow for a slow build. */
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 15000), 0,
                 "server did not reconnect: %s", h_error());
    cr_assert(h_server_alive() && h_server_pid() == pid,
              "the server restarted or died instead of reconnecting");
    cr_assert_geq(metric("dongting_redis_reconnects_total"), 1.0);
    cr_assert_eq(metric("dongting_redis_up"), 1.0);

    /* The key made before the crash works again (append-only file). */
    h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(j, "key_id"), id, "body: %s", r.body);
    json_decref(j);
    h_resp_free(&r);
    h_http("POST", "/v1/keys", h_admin_key(),
           "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"after\"}", NULL, &r);
    H_ASSERT_STATUS(&r, 201);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(redis, slow_command_times_out, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    const char *args[] = {"--redis-timeout-ms", "300", NULL};
    struct h_resp r;
    char id[128], key[256], why[768];
    long long t0, deadline;
    long last = 0;

    h_start(args);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\","
                              "\"name\":\"slow\"}",
                              id, sizeof(id), key, sizeof(key)),
                 0, "%s", h_error());

    /* Redis is single-threaded: DEBUG SLEEP blocks every client for 2 s. */
    cr_assert_eq(h_redis_send_nowait("DEBUG SLEEP 2"), 0, "%s", h_error());
    h_sleep_ms(100);
    t0 = h_now_ms();
    h_http("POST", "/v1/keys", h_admin_key(),
           "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"late\"}", NULL, &r);
    cr_assert_eq(h_check_error(&r, 503, "redis_unavailable", why, sizeof(why)), 0,
                 "POST /v1/keys during DEBUG SLEEP: %s", why);
    /* Waiting out the sleep would take 1.9 s; 300 ms is the limit. */
    cr_assert_lt(h_now_ms() - t0, 1500,
                 "the 503 took %lld ms with a 300 ms "
                 "Redis timeout",
                 h_now_ms() - t0);
    h_resp_free(&r);

    h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
    cr_assert_eq(h_check_error(&r, 503, "redis_unavailable", why, sizeof(why)), 0,
                 "whoami with a stored key during DEBUG SLEEP: %s", why);
    h_resp_free(&r);
    /* The in-memory admin key does not wait for Redis. */
    h_http("GET", "/v1/whoami", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);

    cr_assert_eq(h_redis_wait_reply(5000), 0, "%s", h_error());
    /* Recovery: the same requests succeed again without a restart. */
    deadline = h_now_ms() + 10000;
    do {
        h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
        last = r.status;
        h_resp_free(&r);
        if (last != 200) h_sleep_ms(100);
    } while (last != 200 && h_now_ms() < deadline);
    cr_assert_eq(last, 200, "whoami with a stored key still %ld after Redis woke",
                 last);
    h_http("POST", "/v1/keys", h_admin_key(),
           "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"again\"}", NULL, &r);
    H_ASSERT_STATUS(&r, 201);
    h_resp_free(&r);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 5000), 0, "%s", h_error());
    cr_assert_geq(metric("dongting_redis_errors_total"), 1.0,
                  "a timed-out Redis command should count as a Redis error");
    H_ASSERT_CLEAN_EXIT();
}
