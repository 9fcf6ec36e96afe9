/* test_waybills.c -- waybills end to end with the real server, Redis and
 * the shipped timetable: create and book, full and public views, tenant
 * isolation (the same 404), the ETA moved by a trip delay without a
 * request asking, events reaching a waybill by its number and container
 * (timeline with a cursor), the at-risk flag with re-routing proposals and
 * accepting one, live updates over Server-Sent Events, and the engine
 * rebuilt after a restart.
 *
 * The run most tests book: RIV-CSX-SHA.1 on 2026-12-03, CNCSX 08:00 ->
 * CNCLJ 20:00/24:00 -> CNCLJ-SYH 25:00/31:00 -> CNSHA-WGQ 121:00
 * (2026-12-08T01:00:00+08:00), Asia/Shanghai. */
#include "harness.h"
#include "receiver.h"

#include "carriers/dcsa.h"

#include "geodata/timefmt.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void start_shipped(void) {
    h_setup();
    h_use_shipped_data();
}

static void stop_all(void) {
    rcv_stop();
    h_teardown();
}

TestSuite(waybills, .init = start_shipped, .fini = stop_all, .timeout = 120);

static char fwd[160], fwd2[160], cons[160], cust[160];

/* Start the server (with ARGS) and make the keys: forwarder acme,
 * forwarder globex, a consignee key of tenant "zhang-home", a customs
 * officer. */
static void start_with(const char *const *args) {
    char id[64];
    h_start(args);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"a\"}", id,
                              sizeof(id), fwd, sizeof(fwd)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"globex\",\"name\":\"g\"}",
                              id, sizeof(id), fwd2, sizeof(fwd2)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"consignee\",\"tenant\":\"zhang-home\",\"name\":\"c\"}",
                              id, sizeof(id), cons, sizeof(cons)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"customs\",\"tenant\":\"yueyang-customs\",\"name\":\"o\"}",
                              id, sizeof(id), cust, sizeof(cust)), 0, "%s", h_error());
}

static void start(void) { start_with(NULL); }

/* A waybill body on RIV-CSX-SHA.1 of 2026-12-03, CNCSX -> CNSHA-WGQ. */
static char *river_body(const char *number, const char *container) {
    char *s = NULL;
    cr_assert(asprintf(&s,
                       "{\"number\":\"%s\",\"type\":\"bl\","
                       "\"shipper\":{\"name\":\"岳阳茶业有限公司\",\"phone\":\"+86 730 1234 5678\"},"
                       "\"consignee\":{\"name\":\"张三\",\"phone\":\"+86 138 0013 8000\","
                       "\"address\":\"上海市浦东新区外高桥 1 号\",\"account\":\"zhang-home\"},"
                       "\"origin\":\"CNCSX\",\"destination\":\"CNSHA-WGQ\","
                       "\"cargo\":{\"pieces\":20,\"weight_kg\":18000,\"teu\":1,"
                       "\"hs_codes\":[\"090210\"]},"
                       "\"containers\":[\"%s\"],"
                       "\"departure\":\"2026-12-02T12:00:00+08:00\","
                       "\"itinerary\":{\"legs\":[{\"trip_id\":\"RIV-CSX-SHA.1\","
                       "\"run_id\":\"RIV-CSX-SHA.1:2026-12-03\",\"from\":\"CNCSX\","
                       "\"to\":\"CNSHA-WGQ\"}]}}",
                       number, container) > 0);
    return s;
}

/* POST a waybill; returns the status and the parsed answer in *J. */
static long create(const char *bearer, const char *body, json_t **j) {
    struct h_resp r;
    long st;
    h_http("POST", "/v1/waybills", bearer, body, NULL, &r);
    st = r.status;
    if (st != 201 && st != 409 && st != 422) cr_log_warn("POST /v1/waybills: %ld %s", st, r.body);
    *j = h_resp_json(&r);
    h_resp_free(&r);
    return st;
}

static json_t *get_json(const char *path, const char *bearer, long want) {
    struct h_resp r;
    json_t *j;
    h_http("GET", path, bearer, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, want);
    j = h_resp_json(&r);
    h_resp_free(&r);
    cr_assert_not_null(j, "GET %s: not JSON", path);
    return j;
}

/* The number of waybills GET PATH lists for BEARER (200 asserted). */
static size_t listed(const char *path, const char *bearer) {
    json_t *j = get_json(path, bearer, 200);
    size_t n = json_array_size(json_object_get(j, "waybills"));
    json_decref(j);
    return n;
}

/* RIV-CSX-SHA.1 of 2026-12-03 arrives SECONDS late at CNCLJ (stop 1), the
 * delay carried on to CNSHA-WGQ (200 asserted). */
static void delay_river_run(long seconds) {
    struct h_resp r;
    char body[160];
    snprintf(body, sizeof(body),
             "{\"date\":\"2026-12-03\",\"stops\":[{\"stop_sequence_index\":1,"
             "\"arrival_delay_s\":%ld}]}", seconds);
    h_http("POST", "/v1/trips/RIV-CSX-SHA.1/updates", h_admin_key(), body, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
}

static const char *tr(json_t *w, const char *field) {
    return h_jstr(json_object_get(w, "tracking"), field);
}

static long long redis_ll(const char *fmt, const char *arg) {
    redisReply *rep = h_redis_command(fmt, arg);
    long long v = -1;
    if (rep && rep->type == REDIS_REPLY_STRING) v = strtoll(rep->str, NULL, 10);
    else if (rep && rep->type == REDIS_REPLY_INTEGER) v = rep->integer;
    if (rep) freeReplyObject(rep);
    return v;
}

Test(waybills, create_views_and_masking) {
    json_t *j, *w;
    char *body = river_body("YYBL2026001", "CSQU3054383");
    char path[160], token[128];
    start();

    cr_assert_eq(create(fwd, body, &j), 201);
    snprintf(token, sizeof(token), "%s", h_jstr(j, "consignee_token"));
    cr_assert_eq(strncmp(token, "wbt_", 4), 0, "token %s", token);
    cr_assert(h_is_hex(token + 4, 48), "the token is not 192 random bits: %s", token);
    cr_assert_str_eq(h_jstr(j, "view"), "full");
    cr_assert_str_eq(h_jstr(j, "book"), "itinerary");
    cr_assert_str_eq(tr(j, "eta"), "2026-12-08T01:00:00+08:00");
    cr_assert_str_eq(tr(j, "eta_source"), "scheduled");
    cr_assert_eq(json_array_size(json_object_get(j, "legs")), 1);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "legs"), 0), "run_id"),
                     "RIV-CSX-SHA.1:2026-12-03");
    json_decref(j);

    /* a duplicate number */
    cr_assert_eq(create(fwd, body, &j), 409);
    json_decref(j);
    free(body);

    /* owner: full, personal data in clear */
    w = get_json("/v1/waybills/YYBL2026001", fwd, 200);
    cr_assert_str_eq(h_jstr(w, "view"), "full");
    cr_assert_str_eq(h_jstr(json_object_get(w, "consignee"), "name"), "张三");
    cr_assert_str_eq(h_jstr(json_object_get(w, "consignee"), "address"),
                     "上海市浦东新区外高桥 1 号");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(w, "containers"), 0)),
                     "CSQU3054383");
    json_decref(w);

    /* anonymous: public view, masked, no address, no cargo, ETA shown */
    w = get_json("/v1/waybills/YYBL2026001", NULL, 200);
    cr_assert_str_eq(h_jstr(w, "view"), "public");
    cr_assert_str_eq(h_jstr(json_object_get(w, "consignee"), "name"), "张*");
    cr_assert_str_eq(h_jstr(json_object_get(w, "consignee"), "phone"), "*********8000");
    cr_assert_null(json_object_get(json_object_get(w, "consignee"), "address"));
    cr_assert_null(json_object_get(w, "cargo"));
    cr_assert_null(json_object_get(w, "containers"));
    cr_assert_str_eq(tr(w, "eta"), "2026-12-08T01:00:00+08:00");
    cr_assert_null(json_object_get(json_object_get(w, "tracking"), "legs"));
    json_decref(w);

    /* another forwarder: the public view too */
    w = get_json("/v1/waybills/YYBL2026001", fwd2, 200);
    cr_assert_str_eq(h_jstr(w, "view"), "public");
    json_decref(w);

    /* the token (query or bearer), the consignee's key, customs: full */
    snprintf(path, sizeof(path), "/v1/waybills/YYBL2026001?token=%s", token);
    w = get_json(path, NULL, 200);
    cr_assert_str_eq(h_jstr(w, "view"), "full");
    json_decref(w);
    w = get_json("/v1/waybills/YYBL2026001", token, 200);
    cr_assert_str_eq(h_jstr(w, "view"), "full");
    json_decref(w);
    w = get_json("/v1/waybills/YYBL2026001?token=wbt_0000", NULL, 200);
    cr_assert_str_eq(h_jstr(w, "view"), "public", "a wrong token must not open the full view");
    json_decref(w);
    w = get_json("/v1/waybills/YYBL2026001", cons, 200);
    cr_assert_str_eq(h_jstr(w, "view"), "full");
    json_decref(w);
    w = get_json("/v1/waybills/YYBL2026001", cust, 200);
    cr_assert_str_eq(h_jstr(w, "view"), "full");
    json_decref(w);

    /* Redis holds the ETA in the hash and in the tenant's ETA index */
    cr_assert_eq(redis_ll("HGET wb:{wb}:w:%s eta", "YYBL2026001"), 1796662800LL);
    cr_assert_eq(redis_ll("ZSCORE wb:{wb}:eta:acme %s", "YYBL2026001"), 1796662800LL);

    /* personal data never reaches the log */
    {
        char *log = h_server_log();
        cr_assert_null(strstr(log, "张三"), "a name was logged");
        cr_assert_null(strstr(log, "0013"), "a phone number was logged");
        cr_assert_null(strstr(log, token + 4), "the consignee token was logged");
        free(log);
    }
    H_ASSERT_CLEAN_EXIT();
}

/* POST BODY as acme: 422 with error.field FIELD asserted. */
static void refused_at(const char *body, const char *field) {
    struct h_resp r;
    json_t *j;
    h_http("POST", "/v1/waybills", fwd, body, NULL, &r);
    H_ASSERT_STATUS(&r, 422);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(json_object_get(j, "error"), "field"), field, "%s", r.body);
    json_decref(j);
    h_resp_free(&r);
}

#define WB_HEAD "{\"number\":\"YYBL2026002\",\"type\":\"bl\",\"shipper\":{\"name\":\"A\"}," \
                "\"consignee\":{\"name\":\"B\"},\"origin\":\"CNCSX\",\"cargo\":{\"pieces\":1," \
                "\"weight_kg\":100},\"departure\":\"2026-12-02T12:00:00+08:00\","

Test(waybills, invalid_bodies_name_the_field) {
    struct h_resp r;
    start();
    /* container check digit: CSQU3054383 is right, ...384 is not */
    refused_at(WB_HEAD "\"destination\":\"CNSHA-WGQ\",\"containers\":[\"CSQU3054384\"],"
                       "\"book\":\"fastest\"}",
               "containers[0]");
    /* an unknown place */
    refused_at(WB_HEAD "\"destination\":\"XXNOWHERE\",\"book\":\"fastest\"}", "destination");
    /* an itinerary leg that is not a run of the timetable */
    refused_at(WB_HEAD "\"destination\":\"CNSHA-WGQ\",\"itinerary\":{\"legs\":[{\"trip_id\":"
                       "\"RIV-CSX-SHA.1\",\"run_id\":\"RIV-CSX-SHA.1:2031-01-01\",\"from\":"
                       "\"CNCSX\",\"to\":\"CNSHA-WGQ\"}]}}",
               "itinerary.legs[0]");
    /* a carrier may not create waybills */
    h_http("POST", "/v1/waybills", cust, "{}", NULL, &r);
    H_ASSERT_STATUS(&r, 403);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(waybills, not_yours_is_the_same_404) {
    struct h_resp a, b;
    json_t *j;
    char *body = river_body("YYBL2026003", "CSQU3054383");
    static const char *const paths[][2] = {
        {"GET", "/events"},
        {"GET", "/history"},
        {"PATCH", ""},
    };
    start();
    cr_assert_eq(create(fwd, body, &j), 201);
    json_decref(j);
    free(body);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        char p1[128], p2[128];
        snprintf(p1, sizeof(p1), "/v1/waybills/YYBL2026003%s", paths[i][1]);
        snprintf(p2, sizeof(p2), "/v1/waybills/YYBL2026999%s", paths[i][1]);
        h_http(paths[i][0], p1, fwd2, "{\"destination\":\"CNCLJ\"}", NULL, &a);
        h_http(paths[i][0], p2, fwd2, "{\"destination\":\"CNCLJ\"}", NULL, &b);
        H_ASSERT_STATUS(&a, 404);
        H_ASSERT_STATUS(&b, 404);
        /* the same answer but for the number itself */
        char *x = strstr(a.body, "YYBL2026003"), *y = strstr(b.body, "YYBL2026999");
        cr_assert(x && y && x - a.body == y - b.body && strlen(a.body) == strlen(b.body),
                  "%s vs %s", a.body, b.body);
        h_resp_free(&a);
        h_resp_free(&b);
    }
    /* anonymous callers: the timeline is beyond the public view */
    h_http("GET", "/v1/waybills/YYBL2026003/events", NULL, NULL, NULL, &a);
    H_ASSERT_STATUS(&a, 404);
    h_resp_free(&a);
    /* globex's list does not show acme's waybill */
    cr_assert_eq(listed("/v1/waybills", fwd2), 0);
    cr_assert_eq(listed("/v1/waybills", fwd), 1);
    H_ASSERT_CLEAN_EXIT();
}

/* Poll until waybill NUMBER's ETA in Redis is WANT; the milliseconds it
 * took, or -1 after TIMEOUT_MS. */
static long long wait_eta(const char *number, long long want, int timeout_ms) {
    long long t0 = h_now_ms();
    for (;;) {
        if (redis_ll("HGET wb:{wb}:w:%s eta", number) == want) return h_now_ms() - t0;
        if (h_now_ms() - t0 > timeout_ms) return -1;
        h_sleep_ms(10);
    }
}

Test(waybills, a_delay_moves_every_eta_on_the_run) {
    json_t *j;
    char *b1 = river_body("YYBL2026010", "CSQU3054383"), *b2 = river_body("YYBL2026011", "MSKU1234565");
    long long ms1, ms2;
    start();
    cr_assert_eq(create(fwd, b1, &j), 201);
    json_decref(j);
    cr_assert_eq(create(fwd2, b2, &j), 201);
    json_decref(j);
    free(b1);
    free(b2);

    /* 10 h late at CNCLJ: carried to CNSHA-WGQ, 2026-12-08T11:00+08:00 */
    delay_river_run(36000);
    ms1 = wait_eta("YYBL2026010", 1796662800LL + 36000, 1000);
    ms2 = wait_eta("YYBL2026011", 1796662800LL + 36000, 1000);
    cr_assert(ms1 >= 0 && ms2 >= 0, "the ETAs did not move within a second");
    cr_assert_eq(redis_ll("ZSCORE wb:{wb}:eta:globex %s", "YYBL2026011"), 1796662800LL + 36000);
    j = get_json("/v1/waybills/YYBL2026010", fwd, 200);
    cr_assert_str_eq(tr(j, "eta"), "2026-12-08T11:00:00+08:00");
    cr_assert_str_eq(tr(j, "eta_source"), "propagated");
    cr_assert(json_is_false(json_object_get(json_object_get(j, "tracking"), "at_risk")));
    {
        json_t *leg = json_array_get(json_object_get(json_object_get(j, "tracking"), "legs"), 0);
        cr_assert_str_eq(h_jstr(leg, "arrival_source"), "estimated");
        cr_assert_eq(json_integer_value(json_object_get(leg, "delay_min")), 600);
    }
    json_decref(j);

    /* arriving-soon query: ETA before 12-08 12:00 finds both of acme's one */
    cr_assert_eq(listed("/v1/waybills?eta_before=2026-12-08T12:00:00%2B08:00", fwd), 1);
    cr_assert_eq(listed("/v1/waybills?eta_before=2026-12-08T10:00:00%2B08:00", fwd), 0);

    /* how the ETA moved, for anyone who may see the waybill (the ETA is
     * public): scheduled at creation, then 10 h later by the delay */
    j = get_json("/v1/waybills/YYBL2026010/eta", NULL, 200);
    json_t *hist = json_object_get(j, "history");
    cr_assert_eq(json_array_size(hist), 2, "%s", json_dumps(j, 0));
    cr_assert_str_eq(h_jstr(json_array_get(hist, 0), "eta"), "2026-12-07T17:00:00Z");
    cr_assert_str_eq(h_jstr(json_array_get(hist, 0), "source"), "scheduled");
    cr_assert_str_eq(h_jstr(json_array_get(hist, 1), "eta"), "2026-12-08T03:00:00Z");
    cr_assert_str_eq(h_jstr(json_array_get(hist, 1), "source"), "propagated");
    json_decref(j);
    /* the same delay again moves nothing: no new entry */
    delay_river_run(36000);
    h_sleep_ms(300);
    j = get_json("/v1/waybills/YYBL2026010/eta", fwd, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "history")), 2, "%s", json_dumps(j, 0));
    json_decref(j);
    j = get_json("/v1/waybills/NOSUCH0001/eta", NULL, 404);
    json_decref(j);

    /* the search box: a container finds its waybill, an unknown one nothing */
    j = get_json("/v1/track/CSQU3054383", NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "waybills")), 1, "%s", json_dumps(j, 0));
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "waybills"), 0)),
                     "YYBL2026010");
    json_decref(j);
    j = get_json("/v1/track/YYBL2026011", NULL, 200);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "waybills"), 0)),
                     "YYBL2026011");
    json_decref(j);
    j = get_json("/v1/track/TGHU9999995", NULL, 404);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

/* A DCSA 2.2 EQUIPMENT event of CONTAINER under B/L BL at LOC. */
static char *dcsa(const char *id, const char *container, const char *bl, const char *code,
                  const char *cls, const char *time, const char *loc) {
    char *s = NULL;
    /* created when it happened, or (an estimate) before the first event */
    const char *created = strcmp(cls, "ACT") == 0 ? time : "2026-11-20T00:00:00+08:00";
    cr_assert(asprintf(&s,
                       "{\"eventID\":\"%s\",\"eventCreatedDateTime\":\"%s\","
                       "\"eventType\":\"EQUIPMENT\",\"eventClassifierCode\":\"%s\","
                       "\"eventDateTime\":\"%s\",\"equipmentEventTypeCode\":\"%s\","
                       "\"equipmentReference\":\"%s\",\"emptyIndicatorCode\":\"LADEN\","
                       "\"eventLocation\":{\"UNLocationCode\":\"%s\"},"
                       "\"transportCall\":{\"transportCallID\":\"tc-%s\",\"UNLocationCode\":\"%s\","
                       "\"modeOfTransport\":\"BARGE\",\"carrierServiceCode\":\"YY1\","
                       "\"exportVoyageNumber\":\"V01E\",\"importVoyageNumber\":\"V01E\","
                       "\"transportCallSequenceNumber\":1,\"facilityTypeCode\":\"POTE\"},"
                       "\"documentReferences\":[{\"documentReferenceType\":\"TRD\","
                       "\"documentReferenceValue\":\"%s\"}]}",
                       id, created, cls, time, code, container, loc, id, loc, bl) > 0);
    return s;
}

static void push(const char *events) {
    struct h_resp r;
    char *body = NULL;
    cr_assert(asprintf(&body, "[%s]", events) > 0);
    h_http_raw("POST", "/v1/feeds/chenglingji/events", h_admin_key(), body, strlen(body),
               "application/json", NULL, &r);
    H_ASSERT_STATUS(&r, 202);
    h_resp_free(&r);
    free(body);
}

Test(waybills, events_reach_the_waybill_and_page_by_cursor) {
    json_t *j, *ev;
    char *body = river_body("YYBL2026020", "CSQU3054383");
    char *e1, *e2, *e3, *all, path[256];
    start();
    /* one event before the waybill exists: it is pulled in at creation */
    e1 = dcsa("d0000000-0000-4000-8000-000000000001", "CSQU3054383", "YYBL2026020", "GTIN", "ACT",
              "2026-11-21T06:00:00+08:00", "CNCSX");
    push(e1);
    cr_assert_eq(create(fwd, body, &j), 201);
    json_decref(j);
    free(body);
    /* then two more: by the container alone, and by the B/L alone */
    e2 = dcsa("d0000000-0000-4000-8000-000000000002", "CSQU3054383", "OTHERBL99", "LOAD", "ACT",
              "2026-11-21T07:30:00+08:00", "CNCSX");
    e3 = dcsa("d0000000-0000-4000-8000-000000000003", "TGHU9999995", "YYBL2026020", "DISC", "EST",
              "2026-12-08T03:00:00+08:00", "CNSHA");
    cr_assert(asprintf(&all, "%s,%s", e2, e3) > 0);
    push(all);

    /* the latest actual event is the status; the carrier's estimate of
     * the discharge at the destination is the ETA */
    j = get_json("/v1/waybills/YYBL2026020", fwd, 200);
    cr_assert_str_eq(tr(j, "status"), "LOADED", "%s", json_dumps(j, 0));
    cr_assert_str_eq(h_jstr(json_object_get(json_object_get(j, "tracking"), "location"), "code"),
                     "CNCSX");
    cr_assert_str_eq(tr(j, "eta"), "2026-12-08T03:00:00+08:00");
    cr_assert_str_eq(tr(j, "eta_source"), "carrier");
    json_decref(j);

    /* the timeline, two per page, in event-time order */
    j = get_json("/v1/waybills/YYBL2026020/events?limit=2", fwd, 200);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 3, "%s", json_dumps(j, 0));
    ev = json_object_get(j, "events");
    cr_assert_eq(json_array_size(ev), 2);
    cr_assert_str_eq(h_jstr(json_array_get(ev, 0), "status"), "GATE_IN");
    cr_assert_str_eq(h_jstr(json_array_get(ev, 1), "status"), "LOADED");
    snprintf(path, sizeof(path), "/v1/waybills/YYBL2026020/events?limit=2&cursor=%s",
             h_jstr(j, "next_cursor"));
    json_decref(j);
    j = get_json(path, fwd, 200);
    ev = json_object_get(j, "events");
    cr_assert_eq(json_array_size(ev), 1);
    cr_assert_str_eq(h_jstr(json_array_get(ev, 0), "classifier"), "EST", "%s", json_dumps(j, 0));
    cr_assert(json_is_null(json_object_get(j, "next_cursor")));
    json_decref(j);
    /* the consignee's token opens the timeline too; a bad cursor is 400 */
    j = get_json("/v1/waybills/YYBL2026020/events", cons, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "events")), 3);
    json_decref(j);
    j = get_json("/v1/waybills/YYBL2026020/events?cursor=zz", fwd, 400);
    json_decref(j);
    free(e1);
    free(e2);
    free(e3);
    free(all);
    H_ASSERT_CLEAN_EXIT();
}

/* The first itinerary of /v1/routes with two rides joined by a transfer. */
static json_t *two_ride_itinerary(const char *query) {
    json_t *j = get_json(query, fwd, 200), *list = json_object_get(j, "itineraries");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *it = json_array_get(list, i), *legs = json_object_get(it, "legs");
        int rides = 0;
        for (size_t k = 0; k < json_array_size(legs); k++)
            rides += json_is_string(json_object_get(json_array_get(legs, k), "run_id"));
        if (rides >= 2) {
            json_incref(it);
            json_decref(j);
            return it;
        }
    }
    cr_assert_fail("no itinerary with two rides in %s", query);
    return NULL;
}

Test(waybills, a_missed_connection_flags_at_risk_and_a_proposal_can_be_accepted) {
    json_t *it, *legs, *first = NULL, *next = NULL, *j, *body;
    struct h_resp r;
    char *s, upd[512], path[128], trip[64], date[16];
    long long gap;
    start();
    it = two_ride_itinerary(
        "/v1/routes?from=CNCSX&to=CNCAN-DL&depart=2026-12-03T00:00:00%2B08:00&modes=river,rail,road");
    legs = json_object_get(it, "legs");
    for (size_t k = 0; k < json_array_size(legs) && !next; k++) {
        json_t *l = json_array_get(legs, k);
        if (!json_is_string(json_object_get(l, "run_id"))) continue;
        if (first == NULL) first = l;
        else next = l;
    }
    body = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:s, s:s, s:{s:i, s:f}, s:s, s:O}", "number",
                     "YYBL2026030", "type", "bl", "shipper", "name", "Shipper Co", "consignee",
                     "name", "Li Wei", "origin", "CNCSX", "destination", "CNCAN-DL", "cargo",
                     "pieces", 4, "weight_kg", 2000.0, "departure", "2026-12-03T00:00:00+08:00",
                     "itinerary", it);
    s = json_dumps(body, 0);
    cr_assert_eq(create(fwd, s, &j), 201, "%s", s);
    cr_assert(json_is_false(json_object_get(json_object_get(j, "tracking"), "at_risk")));
    json_decref(j);
    free(s);
    json_decref(body);

    /* delay the first ride's arrival past the second ride's departure */
    {
        int64_t a, d;
        char why[64];
        cr_assert_eq(time_parse_iso8601(h_jstr(first, "arrival"), &a, why, sizeof(why)), 0);
        cr_assert_eq(time_parse_iso8601(h_jstr(next, "departure"), &d, why, sizeof(why)), 0);
        gap = d - a;
    }
    snprintf(trip, sizeof(trip), "%s", h_jstr(first, "trip_id"));
    snprintf(date, sizeof(date), "%s", h_jstr(first, "run_id") + strlen(trip) + 1);
    snprintf(upd, sizeof(upd),
             "{\"date\":\"%s\",\"stops\":[{\"stop_id\":\"%s\",\"arrival_delay_s\":%lld}]}", date,
             h_jstr(first, "to"), gap + 86400);
    snprintf(path, sizeof(path), "/v1/trips/%s/updates", trip);
    h_http("POST", path, h_admin_key(), upd, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);

    /* at risk, with the reason and proposals from where the cargo will be */
    {
        long long t0 = h_now_ms();
        for (;;) {
            j = get_json("/v1/waybills/YYBL2026030", fwd, 200);
            if (json_is_true(json_object_get(json_object_get(j, "tracking"), "at_risk")) &&
                json_object_get(j, "proposals"))
                break;
            json_decref(j);
            cr_assert(h_now_ms() - t0 < 3000, "not flagged at risk with proposals");
            h_sleep_ms(50);
        }
    }
    cr_assert(strstr(tr(j, "risk_reason"), h_jstr(next, "from")) != NULL ||
              strstr(tr(j, "risk_reason"), "leg") != NULL, "%s", tr(j, "risk_reason"));
    cr_assert_gt(json_array_size(json_object_get(json_object_get(j, "proposals"), "itineraries")),
                 0);
    json_decref(j);
    cr_assert_eq(listed("/v1/waybills?at_risk=true", fwd), 1);

    /* the public view says at risk, but not why and not the proposals */
    j = get_json("/v1/waybills/YYBL2026030", NULL, 200);
    cr_assert(json_is_true(json_object_get(json_object_get(j, "tracking"), "at_risk")));
    cr_assert_null(json_object_get(j, "proposals"));
    json_decref(j);

    /* accept the first proposal */
    h_http("PATCH", "/v1/waybills/YYBL2026030", fwd, "{\"accept_proposal\":0}", NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(j, "book"), "proposal");
    cr_assert(json_is_false(json_object_get(json_object_get(j, "tracking"), "at_risk")), "%s",
              r.body);
    cr_assert_eq(json_integer_value(json_object_get(j, "version")), 2);
    json_decref(j);
    h_resp_free(&r);
    j = get_json("/v1/waybills/YYBL2026030/history", fwd, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "history")), 1);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "history"), 0), "rebooked"),
                     "proposal");
    json_decref(j);
    json_decref(it);
    H_ASSERT_CLEAN_EXIT();
}

Test(waybills, booked_by_the_server) {
    json_t *j;
    start();
    cr_assert_eq(create(fwd,
                        "{\"number\":\"160-12345675\",\"type\":\"awb\",\"shipper\":{\"name\":\"A\"},"
                        "\"consignee\":{\"name\":\"B\"},\"origin\":\"YYA\",\"destination\":\"AMS\","
                        "\"cargo\":{\"pieces\":3,\"weight_kg\":120},"
                        "\"departure\":\"2026-12-03T00:00:00+08:00\",\"book\":\"fastest\"}",
                        &j),
                 201);
    cr_assert_str_eq(h_jstr(j, "book"), "fastest");
    cr_assert_geq(json_array_size(json_object_get(j, "legs")), 1);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "legs"), 0), "mode"), "air");
    cr_assert(strncmp(tr(j, "eta"), "2026-12-0", 9) == 0, "%s", tr(j, "eta"));
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

/* Read from FD until NEEDLE has arrived (or TIMEOUT_MS); what arrived. */
static char *read_until(int fd, const char *needle, int timeout_ms, char *buf, size_t cap,
                        size_t *len) {
    long long t0 = h_now_ms();
    while (!strstr(buf, needle) && h_now_ms() - t0 < timeout_ms) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) continue;
        ssize_t k = read(fd, buf + *len, cap - 1 - *len);
        if (k <= 0) break;
        *len += (size_t)k;
        buf[*len] = '\0';
    }
    return strstr(buf, needle);
}

Test(waybills, live_updates_over_sse) {
    json_t *j;
    char *body = river_body("YYBL2026040", "CSQU3054383");
    char req[512], token[128], full[16384] = "", pub[16384] = "";
    size_t nf = 0, np = 0;
    int fd_full, fd_pub;
    start();
    cr_assert_eq(create(fwd, body, &j), 201);
    snprintf(token, sizeof(token), "%s", h_jstr(j, "consignee_token"));
    json_decref(j);
    free(body);

    fd_full = h_connect(h_server_port());
    fd_pub = h_connect(h_server_port());
    snprintf(req, sizeof(req), "GET /v1/waybills/YYBL2026040/stream?token=%s HTTP/1.1\r\n"
             "Host: x\r\nAccept: text/event-stream\r\n\r\n", token);
    cr_assert_eq(h_send_all(fd_full, req, strlen(req)), 0);
    snprintf(req, sizeof(req), "GET /v1/waybills/YYBL2026040/stream HTTP/1.1\r\n"
             "Host: x\r\nAccept: text/event-stream\r\n\r\n");
    cr_assert_eq(h_send_all(fd_pub, req, strlen(req)), 0);
    cr_assert_not_null(read_until(fd_full, "event: hello", 3000, full, sizeof(full), &nf), "%s", full);
    cr_assert_not_null(read_until(fd_pub, "event: hello", 3000, pub, sizeof(pub), &np), "%s", pub);
    cr_assert_not_null(strstr(full, "text/event-stream"));

    delay_river_run(36000);
    cr_assert_not_null(read_until(fd_full, "2026-12-08T11:00:00+08:00", 3000, full, sizeof(full), &nf),
                       "the full stream did not get the new ETA: %s", full);
    cr_assert_not_null(strstr(full, "event: tracking"));
    cr_assert_not_null(strstr(full, "eta_confidence"));
    cr_assert_not_null(read_until(fd_pub, "2026-12-08T11:00:00+08:00", 3000, pub, sizeof(pub), &np),
                       "the public stream did not get the new ETA: %s", pub);
    cr_assert_null(strstr(pub, "eta_confidence"), "the public stream got the full view");
    close(fd_full);
    close(fd_pub);
    H_ASSERT_CLEAN_EXIT();
}

Test(waybills, held_again_after_a_restart) {
    json_t *j;
    char *body = river_body("YYBL2026050", "CSQU3054383");
    start();
    cr_assert_eq(create(fwd, body, &j), 201);
    json_decref(j);
    free(body);
    cr_assert_eq(h_server_stop(SIGTERM, H_STOP_DEADLINE_MS), 0, "%s", h_error());
    cr_assert_eq(h_server_start(NULL), 0, "%s", h_error());
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    /* loaded in the background once Redis answers: a delay moves it */
    {
        long long t0 = h_now_ms();
        do {
            delay_river_run(7200);
            if (wait_eta("YYBL2026050", 1796662800LL + 7200, 500) >= 0) break;
        } while (h_now_ms() - t0 < 5000);
    }
    cr_assert_eq(redis_ll("HGET wb:{wb}:w:%s eta", "YYBL2026050"), 1796662800LL + 7200);
    j = get_json("/v1/waybills/YYBL2026050", fwd, 200);
    cr_assert_str_eq(h_jstr(json_object_get(j, "consignee"), "name"), "张三");
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

#define SECRET "a-webhook-secret-of-32-bytes-or-more!"

/* Subscribe KEY's tenant to http://127.0.0.1:PORT/hook with EXTRA JSON. */
static void subscribe(const char *key, int port, const char *extra) {
    char body[512];
    struct h_resp r;
    snprintf(body, sizeof(body),
             "{\"callback_url\":\"http://127.0.0.1:%d/hook\",\"secret\":\"" SECRET "\"%s}", port,
             extra);
    h_http("POST", "/v1/subscriptions", key, body, NULL, &r);
    H_ASSERT_STATUS(&r, 201);
    h_resp_free(&r);
}

/* The items of every delivery received so far whose type is TYPE, with a
 * valid signature (asserted), as one array (decref). */
static json_t *delivered(const char *type) {
    json_t *out = json_array();
    for (int i = 0; i < rcv_count(); i++) {
        struct rcv_req q;
        json_t *arr;
        cr_assert_eq(rcv_get(i, &q), 0);
        if (q.answered != 200) {
            free(q.body);
            continue;
        }
        cr_assert(carrier_dcsa_signature_ok(q.body, q.len, SECRET, strlen(SECRET), q.signature),
                  "delivery %d: signature %s does not match its body", i, q.signature);
        arr = json_loads(q.body, 0, NULL);
        cr_assert(json_is_array(arr), "%s", q.body);
        for (size_t k = 0; k < json_array_size(arr); k++)
            if (strcmp(h_jstr(json_array_get(arr, k), "type"), type) == 0)
                json_array_append(out, json_array_get(arr, k));
        json_decref(arr);
        free(q.body);
    }
    return out;
}

Test(waybills, webhooks_carry_events_and_eta_changes_and_retry) {
    static const char *const args[] = {"--webhook-allow-loopback", "--webhook-retry-base-ms", "100",
                                       NULL};
    int port = rcv_start();
    json_t *j, *items;
    char *body = river_body("YYBL2026060", "CSQU3054383"), *e1;
    long long t0;
    cr_assert_gt(port, 0);
    start_with(args);
    cr_assert_eq(create(fwd, body, &j), 201);
    json_decref(j);
    free(body);
    /* acme's forwarder for this waybill, the consignee by account, and a
     * globex subscription that must see nothing of acme's waybill */
    subscribe(fwd, port, ",\"waybills\":[\"YYBL2026060\"],\"eta_change_min\":60");
    subscribe(cons, port, ",\"statuses\":[\"GATE_IN\"]");
    subscribe(fwd2, port, "");
    /* the receiver refuses the first delivery: it must come again */
    rcv_fail_first(1, 500);

    e1 = dcsa("d0000000-0000-4000-8000-000000000061", "CSQU3054383", "YYBL2026060", "GTIN", "ACT",
              "2026-11-22T06:00:00+08:00", "CNCSX");
    push(e1);
    free(e1);
    t0 = h_now_ms();
    for (;;) {
        items = delivered("waybill.event");
        if (json_array_size(items) >= 2) break;
        json_decref(items);
        cr_assert(h_now_ms() - t0 < 5000, "the event deliveries did not arrive");
        h_sleep_ms(50);
    }
    /* one for acme, one for the consignee; the refused one came again */
    cr_assert_eq(json_array_size(items), 2, "%s", json_dumps(items, 0));
    for (size_t k = 0; k < 2; k++) {
        json_t *it = json_array_get(items, k);
        cr_assert_str_eq(h_jstr(it, "waybill"), "YYBL2026060");
        cr_assert_str_eq(h_jstr(json_object_get(it, "data"), "status"), "GATE_IN");
    }
    json_decref(items);
    cr_assert_geq(rcv_count(), 3, "no retry after the receiver's 500");

    /* a 10 h delay: acme gets the ETA change (>= 60 min), nobody else */
    delay_river_run(36000);
    t0 = h_now_ms();
    for (;;) {
        items = delivered("waybill.eta_changed");
        if (json_array_size(items) >= 1) break;
        json_decref(items);
        cr_assert(h_now_ms() - t0 < 5000, "the ETA change was not delivered");
        h_sleep_ms(50);
    }
    h_sleep_ms(400);   /* anything else would have come by now */
    json_decref(items);
    items = delivered("waybill.eta_changed");
    cr_assert_eq(json_array_size(items), 1, "%s", json_dumps(items, 0));
    cr_assert_str_eq(h_jstr(json_object_get(json_array_get(items, 0), "data"), "eta"),
                     "2026-12-08T03:00:00Z");
    json_decref(items);
    /* globex saw nothing at all */
    for (int i = 0; i < rcv_count(); i++) {
        struct rcv_req q;
        cr_assert_eq(rcv_get(i, &q), 0);
        cr_assert_null(strstr(q.body ? q.body : "", "\"test\""));
        free(q.body);
    }
    H_ASSERT_CLEAN_EXIT();
}

Test(waybills, stream_cap_and_metrics) {
    static const char *const args[] = {"--sse-max-streams", "1", NULL};
    json_t *j;
    char *body = river_body("YYBL2026070", "CSQU3054383");
    char buf[8192] = "", req[256];
    size_t n = 0;
    struct h_resp r;
    double v = -1;
    int fd;
    start_with(args);
    cr_assert_eq(create(fwd, body, &j), 201);
    json_decref(j);
    free(body);
    fd = h_connect(h_server_port());
    snprintf(req, sizeof(req), "GET /v1/waybills/YYBL2026070/stream HTTP/1.1\r\nHost: x\r\n\r\n");
    cr_assert_eq(h_send_all(fd, req, strlen(req)), 0);
    cr_assert_not_null(read_until(fd, "event: hello", 3000, buf, sizeof(buf), &n), "%s", buf);
    /* the second stream is over the cap */
    h_http("GET", "/v1/waybills/YYBL2026070/stream", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 503, "too_many_streams");
    h_resp_free(&r);
    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    cr_assert_eq(h_metric_value(r.body, "dongting_sse_streams", NULL, &v), 0);
    cr_assert_eq(v, 1.0);
    cr_assert_eq(h_metric_value(r.body, "dongting_waybills", NULL, &v), 0);
    cr_assert_eq(v, 1.0);
    h_resp_free(&r);
    /* a closed stream frees its place */
    close(fd);
    {
        long long t0 = h_now_ms();
        for (;;) {
            h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
            h_metric_value(r.body, "dongting_sse_streams", NULL, &v);
            h_resp_free(&r);
            if (v == 0.0) break;
            cr_assert(h_now_ms() - t0 < 3000, "the closed stream is still counted");
            h_sleep_ms(50);
        }
    }
    H_ASSERT_CLEAN_EXIT();
}

Test(waybills, amendments_are_kept_without_personal_data) {
    json_t *j, *h;
    struct h_resp r;
    char *body = river_body("YYBL2026080", "CSQU3054383");
    start();
    cr_assert_eq(create(fwd, body, &j), 201);
    json_decref(j);
    free(body);
    h_http("PATCH", "/v1/waybills/YYBL2026080", fwd,
           "{\"consignee\":{\"name\":\"王五\",\"phone\":\"+86 139 0000 1111\","
           "\"account\":\"zhang-home\"},\"containers\":[\"CSQU3054383\",\"MSKU1234565\"]}",
           NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "version")), 2);
    cr_assert_str_eq(h_jstr(json_object_get(j, "consignee"), "name"), "王五");
    json_decref(j);
    h_resp_free(&r);
    /* nothing to change, and a field that cannot change */
    h_http("PATCH", "/v1/waybills/YYBL2026080", fwd, "{}", NULL, &r);
    H_ASSERT_STATUS(&r, 422);
    h_resp_free(&r);
    h_http("PATCH", "/v1/waybills/YYBL2026080", fwd, "{\"number\":\"YYBL2026081\"}", NULL, &r);
    H_ASSERT_STATUS(&r, 422);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(json_object_get(j, "error"), "field"), "number", "%s", r.body);
    json_decref(j);
    h_resp_free(&r);
    /* the history names the fields, never their values */
    h = get_json("/v1/waybills/YYBL2026080/history", fwd, 200);
    cr_assert_eq(json_array_size(json_object_get(h, "history")), 1);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(h, "history"), 0), "changed"),
                     "consignee,containers");
    {
        char *s = json_dumps(h, 0);
        cr_assert_null(strstr(s, "王五"), "%s", s);
        cr_assert_null(strstr(s, "1111"), "%s", s);
        free(s);
    }
    json_decref(h);
    /* the new container now brings events to it */
    {
        char *e = dcsa("d0000000-0000-4000-8000-000000000081", "MSKU1234565", "NOTOURS01", "GTIN",
                       "ACT", "2026-11-22T06:00:00+08:00", "CNCSX");
        push(e);
        free(e);
    }
    j = get_json("/v1/waybills/YYBL2026080/events", fwd, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "events")), 1);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

Test(waybills, anonymous_views_are_rate_limited_per_client) {
    static const char *const args[] = {"--public-rate-limit-rps", "1", NULL};
    json_t *j;
    struct h_resp r;
    char *body = river_body("YYBL2026090", "CSQU3054383");
    int limited = 0;
    start_with(args);
    cr_assert_eq(create(fwd, body, &j), 201);
    json_decref(j);
    free(body);
    /* a burst of 100 (rate_limit_burst), then about one a second */
    for (int i = 0; i < 110; i++) {
        h_http("GET", "/v1/waybills/YYBL2026090", NULL, NULL, NULL, &r);
        if (r.status == 429) limited++;
        else H_ASSERT_STATUS(&r, 200);
        h_resp_free(&r);
    }
    cr_assert_geq(limited, 5, "110 quick anonymous reads at 1/s with a burst of 100 were not "
                  "limited (%d)", limited);
    /* the owner's key has its own bucket */
    h_http("GET", "/v1/waybills/YYBL2026090", fwd, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

/* A DCSA 2.2 TRANSPORT estimate of the arrival at the last call
 * (CNSHA-WGQ, sequence 4) of RIV-CSX-SHA.1 of 2026-12-03 at TIME: the
 * vessel's own (BL NULL), or one that names a B/L (a carrier telling one
 * customer about its consignment on that vessel). */
static char *call_event(const char *id, const char *bl, const char *time) {
    char *s = NULL, refs[160] = "";
    if (bl != NULL)
        snprintf(refs, sizeof(refs), ",\"documentReferences\":[{\"documentReferenceType\":"
                 "\"TRD\",\"documentReferenceValue\":\"%s\"}]", bl);
    cr_assert(asprintf(&s,
                       "{\"eventID\":\"%s\",\"eventCreatedDateTime\":\"2026-11-20T00:00:00Z\","
                       "\"eventType\":\"TRANSPORT\",\"eventClassifierCode\":\"EST\","
                       "\"eventDateTime\":\"%s\",\"transportEventTypeCode\":\"ARRI\","
                       "\"transportCall\":{\"transportCallID\":\"RIV-CSX-SHA.1/20261203/4\","
                       "\"carrierVoyageNumber\":\"RIV-CSX-SHA.1\","
                       "\"exportVoyageNumber\":\"RIV-CSX-SHA.1\","
                       "\"importVoyageNumber\":\"RIV-CSX-SHA.1\","
                       "\"transportCallSequenceNumber\":4,\"UNLocationCode\":\"CNSHA\","
                       "\"modeOfTransport\":\"VESSEL\"}%s}",
                       id, time, refs) > 0);
    return s;
}

static double metric(const char *name) {
    struct h_resp r;
    double v = -1;
    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    cr_assert_eq(h_metric_value(r.body, name, NULL, &v), 0, "no %s", name);
    h_resp_free(&r);
    return v;
}

Test(waybills, the_vehicles_events_reach_it_but_not_other_consignments) {
    json_t *j;
    char *a, *b, *all, number[32], path[96];
    double written;
    /* ~80 requests from one key in a burst: not a rate-limit test */
    static const char *const args[] = {"--rate-limit-rps", "0", NULL};
    start_with(args);
    /* 70 waybills on the run: a vehicle's event reaches every one */
    for (int i = 0; i < 70; i++) {
        char *body;
        snprintf(number, sizeof(number), "YYBL20261%02d", i);
        body = river_body(number, "CSQU3054383");
        cr_assert_eq(create(fwd, body, &j), 201);
        json_decref(j);
        free(body);
    }
    a = call_event("d0000000-0000-4000-8000-000000000101", NULL, "2026-12-08T05:00:00+08:00");
    b = call_event("d0000000-0000-4000-8000-000000000102", "SOMEONEELSE1",
                   "2026-12-08T06:00:00+08:00");
    cr_assert(asprintf(&all, "%s,%s", a, b) > 0);
    push(all);
    /* the vessel's arrival estimate at the destination reached them (by the
     * run they are booked on); the one about another customer's B/L did not */
    for (int i = 0; i < 70; i += 69) {
        snprintf(path, sizeof(path), "/v1/waybills/YYBL20261%02d/events", i);
        j = get_json(path, fwd, 200);
        cr_assert_eq(json_array_size(json_object_get(j, "events")), 1, "%s: %s", path,
                     json_dumps(j, 0));
        cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "events"), 0), "event_id"),
                         "d0000000-0000-4000-8000-000000000101");
        json_decref(j);
    }
    j = get_json("/v1/waybills/YYBL2026169", fwd, 200);
    cr_assert_str_eq(tr(j, "eta"), "2026-12-08T05:00:00+08:00", "%s", json_dumps(j, 0));
    cr_assert_str_eq(tr(j, "eta_source"), "carrier");
    json_decref(j);
    /* the same body again (a feed re-serving its window): linked, nothing
     * rewritten */
    written = metric("dongting_waybill_states_written_total");
    push(all);
    cr_assert_eq(metric("dongting_waybill_states_written_total"), written);
    free(a);
    free(b);
    free(all);
    H_ASSERT_CLEAN_EXIT();
}

/* CRE-CSX-DUI-AKS.1 (Tuesdays and Saturdays) passes Alashankou (CNURC-AKS) without setting down
 * cargo (drop_off_type 1) and sets it down at Małaszewicze (PLWAW-MLS). */
static long book_rail_to(const char *number, const char *to, json_t **j) {
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"number\":\"%s\",\"type\":\"cim_smgs\",\"shipper\":{\"name\":\"A\"},"
             "\"consignee\":{\"name\":\"B\"},\"origin\":\"CNCSX-XN\",\"destination\":\"%s\","
             "\"cargo\":{\"pieces\":1,\"weight_kg\":900},"
             "\"departure\":\"2026-12-04T12:00:00+08:00\",\"itinerary\":{\"legs\":[{\"trip_id\":"
             "\"CRE-CSX-DUI-AKS.1\",\"run_id\":\"CRE-CSX-DUI-AKS.1:2026-12-05\","
             "\"from\":\"CNCSX-XN\",\"to\":\"%s\"}]}}",
             number, to, to);
    return create(fwd, body, j);
}

Test(waybills, legs_only_set_down_where_the_timetable_allows) {
    json_t *j;
    start();
    cr_assert_eq(book_rail_to("CIM2026-0001", "CNURC-AKS", &j), 422);
    cr_assert_str_eq(h_jstr(json_object_get(j, "error"), "field"), "itinerary.legs[0]");
    cr_assert_not_null(strstr(h_jstr(json_object_get(j, "error"), "message"),
                              "does not go from CNCSX-XN to CNURC-AKS"), "%s", json_dumps(j, 0));
    json_decref(j);
    cr_assert_eq(book_rail_to("CIM2026-0002", "PLWAW-MLS", &j), 201, "%s", json_dumps(j, 0));
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

Test(waybills, list_filters_and_pages) {
    json_t *j;
    char path[256];
    static const char *const nums[] = {"YYBL2026111", "YYBL2026112", "YYBL2026113"};
    start();
    for (int i = 0; i < 3; i++) {
        char *body = river_body(nums[i], "CSQU3054383");
        cr_assert_eq(create(fwd, body, &j), 201);
        json_decref(j);
        free(body);
    }
    {   /* one of them gets a status */
        char *e = dcsa("d0000000-0000-4000-8000-000000000111", "TGHU9999995", "YYBL2026112", "GTIN",
                       "ACT", "2026-11-22T06:00:00+08:00", "CNCSX");
        push(e);
        free(e);
    }
    j = get_json("/v1/waybills?limit=2", fwd, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "waybills")), 2);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "waybills"), 0), "number"), nums[0]);
    snprintf(path, sizeof(path), "/v1/waybills?limit=2&cursor=%s", h_jstr(j, "next_cursor"));
    json_decref(j);
    j = get_json(path, fwd, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "waybills")), 1);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "waybills"), 0), "number"), nums[2]);
    cr_assert(json_is_null(json_object_get(j, "next_cursor")));
    json_decref(j);
    j = get_json("/v1/waybills?status=GATE_IN", fwd, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "waybills")), 1);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "waybills"), 0), "number"), nums[1]);
    json_decref(j);
    cr_assert_eq(listed("/v1/waybills?destination=CNSHA-WGQ", fwd), 3);
    cr_assert_eq(listed("/v1/waybills?destination=CNCLJ", fwd), 0);
    j = get_json("/v1/waybills?status=NOT_A_STATUS", fwd, 400);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}
