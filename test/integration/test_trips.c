/* test_trips.c -- POST /v1/trips/{trip_id}/updates and GET /v1/trips/{trip_id}:
 * manual delays in the real-time overlay, kept in Redis and re-applied at
 * start-up, and the route cache entries they invalidate (server/route_cache.c,
 * keys route:{rc}:* as docs/redis-keys.md describes them).
 *
 * The run: RIV-CSX-SHA.1 of the shipped timetable on Thursday 2026-12-03,
 * CNCSX 08:00 - CNCLJ 20:00/24:00 - CNCLJ-SYH 25:00/31:00 - CNSHA-WGQ 121:00
 * (Asia/Shanghai). */
#include "harness.h"

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRIP "/v1/trips/RIV-CSX-SHA.1"
#define UPD TRIP "/updates"
#define VIEW TRIP "?date=2026-12-03"

static void start_shipped(void) {
    h_setup();
    h_use_shipped_data();
}

TestSuite(trips, .init = start_shipped, .fini = h_teardown, .timeout = 60);

static long long rint_(const char *fmt, const char *arg) {
    redisReply *rep = h_redis_command(fmt, arg);
    long long v = rep->type == REDIS_REPLY_INTEGER ? rep->integer : -1;
    freeReplyObject(rep);
    return v;
}

/* POST BODY to the run's updates with BEARER; returns the status, body in R. */
static long post(const char *bearer, const char *body, struct h_resp *r) {
    h_http("POST", UPD, bearer, body, NULL, r);
    return r->status;
}

/* stops[K].FIELD of a run view. */
static const char *stop_str(json_t *view, size_t k, const char *field) {
    return h_jstr(json_array_get(json_object_get(view, "stops"), k), field);
}

static long long stop_int(json_t *view, size_t k, const char *field) {
    return json_integer_value(json_object_get(json_array_get(json_object_get(view, "stops"), k),
                                              field));
}

/* GET the run's view with the admin key (200 asserted); caller decrefs. */
static json_t *view(void) {
    struct h_resp r;
    json_t *j;
    h_http("GET", VIEW, h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    h_resp_free(&r);
    cr_assert_not_null(j);
    return j;
}

/* Poll until stop 1's arrival delay is WANT (the restore runs in the
 * background once Redis answers).  0 or -1. */
static int wait_delay(long long want, int timeout_ms) {
    long long deadline = h_now_ms() + timeout_ms;
    for (;;) {
        struct h_resp r;
        json_t *j;
        long long got = -1;
        h_http("GET", VIEW, h_admin_key(), NULL, NULL, &r);
        if (r.status == 200 && (j = h_resp_json(&r)) != NULL) {
            got = stop_int(j, 1, "arrival_delay_s");
            json_decref(j);
        }
        h_resp_free(&r);
        if (got == want) return 0;
        if (h_now_ms() > deadline) return -1;
        h_sleep_ms(100);
    }
}

static const char delay_1h[] =
    "{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,\"arrival_delay_s\":3600}]}";

Test(trips, delay_accepted_and_visible) {
    struct h_resp r;
    json_t *j;
    redisReply *rep;
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());

    j = view();
    cr_assert_str_eq(stop_str(j, 1, "arrival"), "2026-12-03T20:00:00+08:00");
    cr_assert_str_eq(stop_str(j, 1, "time_source"), "scheduled");
    cr_assert(json_is_false(json_object_get(j, "cancelled")));
    json_decref(j);

    cr_assert_eq(post(h_admin_key(), delay_1h, &r), 200, "%s", r.body);
    j = h_resp_json(&r);
    cr_assert_str_eq(stop_str(j, 1, "scheduled_arrival"), "2026-12-03T20:00:00+08:00");
    cr_assert_str_eq(stop_str(j, 1, "arrival"), "2026-12-03T21:00:00+08:00", "%s", r.body);
    cr_assert_str_eq(stop_str(j, 1, "arrival_time_source"), "estimated");
    /* propagated: the delay carries to the last stop (121:00 -> 122:00) */
    cr_assert_str_eq(stop_str(j, 3, "arrival"), "2026-12-08T02:00:00+08:00", "%s", r.body);
    cr_assert_eq(stop_int(j, 0, "departure_delay_s"), 0);
    cr_assert_str_eq(stop_str(j, 0, "time_source"), "scheduled");
    cr_assert_geq(json_integer_value(json_object_get(j, "overlay_version")), 1);
    json_decref(j);
    h_resp_free(&r);

    /* by stop_id, observed, an absolute departure */
    cr_assert_eq(post(h_admin_key(),
                      "{\"date\":\"2026-12-03\",\"stops\":[{\"stop_id\":\"CNCLJ-SYH\","
                      "\"departure\":\"2026-12-04T10:00:00+08:00\",\"observed\":true}]}",
                      &r),
                 200, "%s", r.body);
    h_resp_free(&r);
    j = view();
    cr_assert_str_eq(stop_str(j, 1, "arrival"), "2026-12-03T21:00:00+08:00");
    cr_assert_str_eq(stop_str(j, 2, "departure"), "2026-12-04T10:00:00+08:00");
    cr_assert_str_eq(stop_str(j, 2, "departure_time_source"), "observed");
    json_decref(j);

    rep = h_redis_command("HGET overlay:{rt}:run:RIV-CSX-SHA.1:2026-12-03 stop:1");
    cr_assert_eq(rep->type, REDIS_REPLY_STRING, "the update is not in Redis");
    cr_assert(strstr(rep->str, "3600") != NULL, "%s", rep->str);
    freeReplyObject(rep);
    cr_assert_eq(rint_("SISMEMBER overlay:{rt}:runs %s", "RIV-CSX-SHA.1:2026-12-03"), 1);
    /* It expires once the run is long over: its last scheduled time (12-08
     * 01:00 +08:00) + 90 days of possible delay + 7 days. */
    cr_assert_eq(rint_("EXPIRETIME %s", "overlay:{rt}:run:RIV-CSX-SHA.1:2026-12-03"),
                 1796662800LL + 97 * 86400, "the stored update has no or a wrong expiry");
    H_ASSERT_CLEAN_EXIT();
}

/* Restarted while Redis is down, the server applies the stored updates as
 * soon as Redis is back. */
Test(trips, persisted_and_reapplied_after_restart) {
    struct h_resp r;
    char *log;
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(post(h_admin_key(), delay_1h, &r), 200, "%s", r.body);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();

    cr_assert_eq(h_redis_stop(), 0, "%s", h_error());
    cr_assert_eq(h_server_start(NULL), 0, "%s", h_error());
    cr_assert_eq(wait_delay(0, 2000), 0, "the overlay should be empty before Redis answers");
    cr_assert_eq(h_redis_start(), 0, "%s", h_error());
    cr_assert_eq(wait_delay(3600, 15000), 0, "the stored delay was not re-applied");
    log = h_server_log();
    cr_assert(log && strstr(log, "1 runs re-applied, 0 skipped"), "%s", log ? log : "");
    free(log);
    H_ASSERT_CLEAN_EXIT();
}

/* A run whose stored hash has expired is skipped at start-up, with the
 * reason in the log, and its name leaves the set of runs. */
Test(trips, expired_run_forgotten_at_restore) {
    char *log;
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(rint_("SADD overlay:{rt}:runs %s", "RIV-CSX-SHA.1:2026-12-04"), 1);
    H_ASSERT_CLEAN_EXIT();
    cr_assert_eq(h_server_start(NULL), 0, "%s", h_error());
    for (int i = 0; i < 100 && rint_("SISMEMBER overlay:{rt}:runs %s",
                                     "RIV-CSX-SHA.1:2026-12-04") != 0; i++)
        usleep(50000);
    cr_assert_eq(rint_("SISMEMBER overlay:{rt}:runs %s", "RIV-CSX-SHA.1:2026-12-04"), 0,
                 "the expired run's name stayed");
    log = h_server_log();
    cr_assert(log && strstr(log, "its hash is gone (expired)"), "%s", log ? log : "");
    free(log);
    H_ASSERT_CLEAN_EXIT();
}

Test(trips, redis_down_503_and_overlay_unchanged) {
    struct h_resp r;
    json_t *j;
    json_int_t version;
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(post(h_admin_key(), delay_1h, &r), 200, "%s", r.body);
    h_resp_free(&r);
    j = view();
    version = json_integer_value(json_object_get(j, "overlay_version"));
    json_decref(j);

    cr_assert_eq(h_redis_kill(), 0, "%s", h_error());
    cr_assert_eq(h_wait_status("/readyz", NULL, 503, 5000), 0, "%s", h_error());
    post(h_admin_key(),
         "{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,"
         "\"arrival_delay_s\":7200}]}",
         &r);
    H_ASSERT_ERROR(&r, 503, "redis_unavailable");
    h_resp_free(&r);
    post(h_admin_key(), "{\"date\":\"2026-12-03\",\"cancelled\":true}", &r);
    H_ASSERT_ERROR(&r, 503, "redis_unavailable");
    h_resp_free(&r);
    /* GET needs no Redis, and shows the overlay as it was */
    j = view();
    cr_assert_eq(stop_int(j, 1, "arrival_delay_s"), 3600);
    cr_assert(json_is_false(json_object_get(j, "cancelled")));
    cr_assert_eq(json_integer_value(json_object_get(j, "overlay_version")), version);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

/* A write that times out inside Redis: 503, overlay unchanged. */
Test(trips, redis_timeout_503_and_overlay_unchanged) {
    const char *args[] = {"--redis-timeout-ms", "300", NULL};
    struct h_resp r;
    json_t *j;
    h_start(args);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_redis_send_nowait("DEBUG SLEEP 1"), 0, "%s", h_error());
    h_sleep_ms(100);
    post(h_admin_key(), delay_1h, &r);
    H_ASSERT_ERROR(&r, 503, "redis_unavailable");
    h_resp_free(&r);
    cr_assert_eq(h_redis_wait_reply(5000), 0, "%s", h_error());
    j = view();
    cr_assert_eq(stop_int(j, 1, "arrival_delay_s"), 0);
    cr_assert_eq(json_integer_value(json_object_get(j, "overlay_version")), 0);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

static void expect(const char *body, long status, const char *code, const char *msg_part) {
    struct h_resp r;
    char why[768];
    post(h_admin_key(), body, &r);
    cr_assert_eq(h_check_error(&r, status, code, why, sizeof(why)), 0, "%s -> %s", body, why);
    if (msg_part != NULL)
        cr_assert(strstr(r.body, msg_part) != NULL, "%s -> %s (want '%s')", body, r.body,
                  msg_part);
    h_resp_free(&r);
}

Test(trips, bad_input) {
    struct h_resp r;
    json_t *j;
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    expect("{\"date\":", 400, "bad_request", NULL);
    expect("{\"stops\":[]}", 400, "bad_request", "date");
    expect("{\"date\":\"3 Dec\",\"cancelled\":true}", 400, "bad_request", "date");
    expect("{\"date\":\"2026-12-03\",\"cancelled\":true,\"clear\":true}", 400, "bad_request",
           "exactly one");
    expect("{\"date\":\"2026-12-03\",\"cancelled\":true,\"why\":1}", 400, "bad_request", "why");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":0,\"arrival_delay_s\":1},"
           "{\"stop_sequence_index\":1,\"arrival_delay_s\":1},"
           "{\"stop_sequence_index\":2,\"arrival_delay_s\":\"1h\"}]}",
           400, "bad_request", "stops[2].arrival_delay_s: must be an integer");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,"
           "\"arrival\":\"tomorrow\"}]}",
           400, "bad_request", "stops[0].arrival");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"arrival_delay_s\":1}]}", 400, "bad_request",
           "stops[0]");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,\"skipped\":\"yes\"}]}",
           400, "bad_request", "stops[0].skipped");
    /* 404: unknown trip, a day it does not run (Friday), outside the feed */
    h_http("POST", "/v1/trips/NO-SUCH-TRIP/updates", h_admin_key(),
           "{\"date\":\"2026-12-03\",\"cancelled\":true}", NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    cr_assert(strstr(r.body, "no trip 'NO-SUCH-TRIP'"), "%s", r.body);
    h_resp_free(&r);
    expect("{\"date\":\"2026-12-04\",\"cancelled\":true}", 404, "not_found", "does not run");
    expect("{\"date\":\"2031-01-02\",\"cancelled\":true}", 404, "not_found", "does not run");
    h_http("GET", "/v1/trips/NO-SUCH-TRIP?date=2026-12-03", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    h_http("GET", TRIP, h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
    /* 422: impossible values */
    expect("{\"date\":\"2026-02-30\",\"cancelled\":true}", 422, "invalid", "calendar");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":4,"
           "\"arrival_delay_s\":60}]}",
           422, "invalid", "stops[0].stop_sequence_index");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_id\":\"DEDUI\",\"arrival_delay_s\":60}]}",
           422, "invalid", "stops[0].stop_id");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,"
           "\"arrival_delay_s\":60,\"departure\":\"2026-12-04T10:00:00+08:00\"}]}",
           422, "invalid", "not both");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,"
           "\"arrival\":\"2026-12-04T10:00:00+08:00\",\"departure\":\"2026-12-04T09:00:00+08:00\"}]}",
           422, "invalid", "stops[0].departure");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,"
           "\"arrival_delay_s\":99999999}]}",
           422, "invalid", "stops[0].arrival_delay_s");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1}]}", 422, "invalid",
           "nothing reported");
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,\"arrival_delay_s\":1},"
           "{\"stop_id\":\"CNCLJ\",\"arrival_delay_s\":2}]}",
           422, "invalid", "twice");
    /* the last stop is fine, the first entry bad: nothing applied (atomic) */
    expect("{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":3,\"arrival_delay_s\":60},"
           "{\"stop_sequence_index\":9,\"arrival_delay_s\":60}]}",
           422, "invalid", "stops[1]");
    j = view();
    cr_assert_eq(stop_int(j, 3, "arrival_delay_s"), 0, "a refused request changed the overlay");
    cr_assert_eq(json_integer_value(json_object_get(j, "overlay_version")), 0);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

Test(trips, roles) {
    struct h_resp r;
    char id[64], fwd[128], car[128], cus[128], other[128], none[128];
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\"}", id, sizeof(id), fwd,
                              sizeof(fwd)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"carrier\",\"tenant\":\"hnport\"}", id, sizeof(id),
                              car, sizeof(car)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"carrier\",\"tenant\":\"cosco\"}", id, sizeof(id),
                              other, sizeof(other)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"carrier\"}", id, sizeof(id), none, sizeof(none)), 0,
                 "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"customs\"}", id, sizeof(id), cus, sizeof(cus)), 0,
                 "%s", h_error());
    post(fwd, delay_1h, &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);
    post(NULL, delay_1h, &r);
    H_ASSERT_ERROR(&r, 401, "unauthorized");
    h_resp_free(&r);
    cr_assert_eq(post(car, delay_1h, &r), 200, "%s", r.body);
    h_resp_free(&r);
    /* Another carrier's trip, or a carrier key naming no agency: the same
     * 404 as a trip that does not exist, and nothing applied. */
    post(other, delay_1h, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    cr_assert(strstr(r.body, "no trip 'RIV-CSX-SHA.1'") != NULL, "%s", r.body);
    h_resp_free(&r);
    post(none, delay_1h, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    h_http("GET", VIEW, fwd, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    h_http("GET", VIEW, car, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    h_http("GET", VIEW, cus, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(trips, cancel_skip_and_clear) {
    struct h_resp r;
    json_t *j;
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(post(h_admin_key(), delay_1h, &r), 200, "%s", r.body);
    h_resp_free(&r);
    cr_assert_eq(post(h_admin_key(), "{\"date\":\"2026-12-03\",\"cancelled\":true}", &r), 200,
                 "%s", r.body);
    j = h_resp_json(&r);
    cr_assert(json_is_true(json_object_get(j, "cancelled")), "%s", r.body);
    json_decref(j);
    h_resp_free(&r);
    j = view();
    cr_assert(json_is_true(json_object_get(j, "cancelled")));
    cr_assert_eq(stop_int(j, 1, "arrival_delay_s"), 0, "a cancel drops the stop reports");
    json_decref(j);
    cr_assert_eq(rint_("HEXISTS overlay:{rt}:run:RIV-CSX-SHA.1:2026-12-03 %s", "stop:1"), 0);

    /* a stop report un-cancels; skipped is accepted */
    cr_assert_eq(post(h_admin_key(),
                      "{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":2,"
                      "\"skipped\":true}]}",
                      &r),
                 200, "%s", r.body);
    j = h_resp_json(&r);
    cr_assert(json_is_false(json_object_get(j, "cancelled")), "%s", r.body);
    json_decref(j);
    h_resp_free(&r);
    cr_assert_eq(rint_("HEXISTS overlay:{rt}:run:RIV-CSX-SHA.1:2026-12-03 %s", "cancelled"), 0);

    cr_assert_eq(post(h_admin_key(), "{\"date\":\"2026-12-03\",\"clear\":true}", &r), 200, "%s",
                 r.body);
    h_resp_free(&r);
    j = view();
    cr_assert(json_is_false(json_object_get(j, "cancelled")));
    cr_assert_str_eq(stop_str(j, 2, "time_source"), "scheduled");
    json_decref(j);
    cr_assert_eq(rint_("EXISTS %s", "overlay:{rt}:run:RIV-CSX-SHA.1:2026-12-03"), 0);
    cr_assert_eq(rint_("SISMEMBER overlay:{rt}:runs %s", "RIV-CSX-SHA.1:2026-12-03"), 0);
    H_ASSERT_CLEAN_EXIT();
}

/* route_cache_invalidate through the trips endpoint: entries stored in the
 * route cache's format whose window overlaps the run go, others stay. */
Test(trips, delay_invalidates_overlapping_route_cache_entries) {
    struct h_resp r;
    redisReply *rep;
    long long deadline;
    double v = -1;
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    /* K1: [2026-12-02T00:00Z, 2026-12-03T12:00Z) overlaps the run (it
     * leaves CNCSX at 2026-12-03T00:00Z); K2: March 2027 does not. */
    freeReplyObject(h_redis_command("SET route:{rc}:e:K1 {\"itineraries\":[]}"));
    freeReplyObject(h_redis_command("ZADD route:{rc}:idx 1796299200 1796169600:K1"));
    freeReplyObject(h_redis_command("ZADD route:{rc}:exp 4000000000 1796169600:K1"));
    freeReplyObject(h_redis_command("SET route:{rc}:e:K2 {\"itineraries\":[]}"));
    freeReplyObject(h_redis_command("ZADD route:{rc}:idx 1803945600 1803859200:K2"));
    freeReplyObject(h_redis_command("ZADD route:{rc}:exp 4000000000 1803859200:K2"));

    cr_assert_eq(post(h_admin_key(), delay_1h, &r), 200, "%s", r.body);
    h_resp_free(&r);
    /* fire and forget: give it a moment */
    deadline = h_now_ms() + 5000;
    while (rint_("EXISTS %s", "route:{rc}:e:K1") != 0 && h_now_ms() < deadline) h_sleep_ms(50);
    cr_assert_eq(rint_("EXISTS %s", "route:{rc}:e:K1"), 0, "the overlapping entry survived");
    cr_assert_eq(rint_("EXISTS %s", "route:{rc}:e:K2"), 1, "a non-overlapping entry went");
    rep = h_redis_command("ZRANGE route:{rc}:idx 0 -1");
    cr_assert_eq(rep->elements, 1);
    cr_assert_str_eq(rep->element[0]->str, "1803859200:K2");
    freeReplyObject(rep);
    cr_assert_eq(rint_("ZCARD %s", "route:{rc}:exp"), 1);

    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    cr_assert_eq(h_metric_value(r.body, "dongting_route_cache_invalidated_total", NULL, &v), 0);
    cr_assert_eq(v, 1.0);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}
