/* test_feeds.c -- carrier events pushed to POST /v1/feeds/{name}/events:
 * stored once in Redis (also across a Redis restart), refused events
 * quarantined with their reasons, timelines in event-time order, counts in
 * GET /v1/feeds and /metrics, delays moving the routing overlay, and the
 * feed configuration (tenant, push secret, unknown feeds).
 *
 * The rail run: RAIL-CAN-YYN.1 of the shipped timetable on 2026-12-03,
 * CNCAN-DL 20:00 (+08:00) - CNCLJ-YYN 44:30. */
#include "harness.h"

#include "carriers/gtfs_realtime.pb-c.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void start_shipped(void) {
    h_setup();
    h_use_shipped_data();
}

TestSuite(feeds, .init = start_shipped, .fini = h_teardown, .timeout = 90);

/* A DCSA 2.2 EQUIPMENT event CODE of CONTAINER at CNCLJ at TIME (also its
 * creation time: DCSA refuses an actual event created before it happened). */
static char *dcsa_event(const char *id, const char *container, const char *code,
                        const char *cls, const char *time) {
    char *s = NULL;
    if (asprintf(&s,
                 "{\"eventID\":\"%s\",\"eventCreatedDateTime\":\"%s\","
                 "\"eventType\":\"EQUIPMENT\",\"eventClassifierCode\":\"%s\","
                 "\"eventDateTime\":\"%s\",\"equipmentEventTypeCode\":\"%s\","
                 "\"equipmentReference\":\"%s\",\"emptyIndicatorCode\":\"LADEN\","
                 "\"eventLocation\":{\"UNLocationCode\":\"CNCLJ\"},"
                 "\"transportCall\":{\"transportCallID\":\"tc-%s\",\"UNLocationCode\":\"CNCLJ\","
                 "\"modeOfTransport\":\"BARGE\",\"carrierServiceCode\":\"YY1\","
                 "\"exportVoyageNumber\":\"V01E\",\"importVoyageNumber\":\"V01E\","
                 "\"transportCallSequenceNumber\":1,\"facilityTypeCode\":\"POTE\"},"
                 "\"documentReferences\":[{\"documentReferenceType\":\"TRD\","
                 "\"documentReferenceValue\":\"DTBL0001\"}]}",
                 id, time, cls, time, code, container, id) < 0)
        return NULL;
    return s;
}

/* POST BODY (LEN bytes of CTYPE) to feed FEED as BEARER; returns the status
 * and the parsed answer in *J (NULL when not JSON). */
static long push(const char *feed, const char *bearer, const char *body, size_t len,
                 const char *ctype, const char *extra, json_t **j) {
    char path[128];
    struct h_resp r;
    long st;
    snprintf(path, sizeof(path), "/v1/feeds/%s/events", feed);
    h_http_raw("POST", path, bearer, body, len, ctype, extra, &r);
    st = r.status;
    if (j) *j = h_resp_json(&r);
    h_resp_free(&r);
    return st;
}

static long long jint(json_t *o, const char *k) {
    return json_integer_value(json_object_get(o, k));
}

/* GET PATH as admin: the JSON (200 asserted). */
static json_t *get_json(const char *path) {
    struct h_resp r;
    json_t *j;
    h_http("GET", path, h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    h_resp_free(&r);
    cr_assert_not_null(j);
    return j;
}

/* The feed NAME's object in GET /v1/feeds. */
static json_t *feed_state(const char *name) {
    json_t *all = get_json("/v1/feeds"), *f = NULL, *v;
    size_t i;
    json_array_foreach(json_object_get(all, "feeds"), i, v) {
        if (strcmp(h_jstr(v, "name"), name) == 0) f = json_incref(v);
    }
    json_decref(all);
    cr_assert_not_null(f, "feed %s not in /v1/feeds", name);
    return f;
}

Test(feeds, push_stores_once_and_quarantines_the_bad_event) {
    char *e1 = dcsa_event("8b0b6a8e-0000-4000-8000-000000000001", "CSQU3054383", "LOAD", "ACT",
                          "2026-11-03T10:00:00+08:00");
    char *e2 = dcsa_event("8b0b6a8e-0000-4000-8000-000000000002", "CSQU3054383", "GTOT", "ACT",
                          "2026-11-03T12:00:00+08:00");
    char *bad = dcsa_event("8b0b6a8e-0000-4000-8000-000000000003", "CSQU3054384", "LOAD", "ACT",
                           "2026-11-03T11:00:00+08:00");
    char *body = NULL, *text;
    json_t *j, *rej, *f;
    struct h_resp r;
    double v;

    h_start(NULL);
    /* Sent out of order: the timeline must come back in event-time order. */
    cr_assert(asprintf(&body, "[%s,%s,%s]", e2, e1, bad) > 0);
    cr_assert_eq(push("chenglingji", h_admin_key(), body, strlen(body), "application/json",
                      NULL, &j), 202);
    cr_assert_eq(jint(j, "accepted"), 2, "%s", json_dumps(j, 0));
    cr_assert_eq(jint(j, "duplicates"), 0);
    rej = json_object_get(j, "rejected");
    cr_assert_eq(json_array_size(rej), 1);
    cr_assert_eq(jint(json_array_get(rej, 0), "index"), 2);
    cr_assert(strstr(h_jstr(json_array_get(rej, 0), "reason"), "CSQU3054384") != NULL,
              "reason names the value: %s", h_jstr(json_array_get(rej, 0), "reason"));
    json_decref(j);

    /* The same body again: all duplicates, nothing stored twice. */
    cr_assert_eq(push("chenglingji", h_admin_key(), body, strlen(body), "application/json",
                      NULL, &j), 202);
    cr_assert_eq(jint(j, "accepted"), 0);
    cr_assert_eq(jint(j, "duplicates"), 2);
    json_decref(j);

    j = get_json("/v1/events?ref=container:CSQU3054383");
    cr_assert_eq(json_array_size(json_object_get(j, "events")), 2, "stored once each");
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "events"), 0), "status"),
                     "LOADED");
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "events"), 1), "status"),
                     "GATE_OUT");
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "events"), 0), "event_time"),
                     "2026-11-03T10:00:00+08:00");
    json_decref(j);

    j = get_json("/v1/feeds/chenglingji/rejects");
    cr_assert_eq(json_array_size(json_object_get(j, "rejects")), 2, "one per push");
    cr_assert_eq(jint(json_array_get(json_object_get(j, "rejects"), 0), "index"), 2);
    json_decref(j);

    f = feed_state("chenglingji");
    cr_assert_eq(jint(f, "accepted"), 2);
    cr_assert_eq(jint(f, "duplicates"), 2);
    cr_assert_eq(jint(f, "rejected"), 2);
    cr_assert_eq(jint(f, "bodies"), 2);
    cr_assert_str_eq(h_jstr(f, "format"), "dcsa-tnt");
    json_decref(f);

    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    text = r.body;
    {
        const char *lab[] = {"feed=\"chenglingji\"", NULL};
        cr_assert_eq(h_metric_value(text, "dongting_feed_accepted_total", lab, &v), 0);
        cr_assert_eq(v, 2);
        cr_assert_eq(h_metric_value(text, "dongting_feed_duplicates_total", lab, &v), 0);
        cr_assert_eq(v, 2);
        cr_assert_eq(h_metric_value(text, "dongting_feed_rejected_total", lab, &v), 0);
        cr_assert_eq(v, 2);
    }
    h_resp_free(&r);
    free(body);
    free(e1);
    free(e2);
    free(bad);
    H_ASSERT_CLEAN_EXIT();
}

Test(feeds, a_late_actual_event_does_not_overwrite_a_newer_one) {
    char *newer = dcsa_event("8b0b6a8e-0000-4000-8000-000000000011", "TCNU7200794", "DISC",
                             "ACT", "2026-11-05T10:00:00+08:00");
    char *older = dcsa_event("8b0b6a8e-0000-4000-8000-000000000012", "TCNU7200794", "LOAD",
                             "ACT", "2026-11-03T10:00:00+08:00");
    char *plan = dcsa_event("8b0b6a8e-0000-4000-8000-000000000013", "TCNU7200794", "GTOT",
                            "PLN", "2026-11-06T10:00:00+08:00");
    char body[4096];
    redisReply *rep;

    h_start(NULL);
    snprintf(body, sizeof(body), "[%s]", newer);
    cr_assert_eq(push("chenglingji", h_admin_key(), body, strlen(body), "application/json",
                      NULL, NULL), 202);
    snprintf(body, sizeof(body), "[%s,%s]", older, plan);
    cr_assert_eq(push("chenglingji", h_admin_key(), body, strlen(body), "application/json",
                      NULL, NULL), 202);
    rep = h_redis_command("HGET ev:{ev}:state:container:TCNU7200794 status");
    cr_assert_eq(rep->type, REDIS_REPLY_STRING);
    cr_assert_str_eq(rep->str, "DISCHARGED", "the newer actual event stays the state");
    freeReplyObject(rep);
    free(newer);
    free(older);
    free(plan);
}

Test(feeds, refusals_name_the_reason) {
    struct h_resp r;
    char id[64], key[128];
    h_start(NULL);
    h_http_raw("POST", "/v1/feeds/chenglingji/events", h_admin_key(), "[{\"eventID\":", 12,
               "application/json", NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
    h_http_raw("POST", "/v1/feeds/nosuch/events", h_admin_key(), "[]", 2, "application/json",
               NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"f1\",\"name\":\"fw\"}", id,
                              sizeof(id), key, sizeof(key)), 0, "%s", h_error());
    h_http_raw("POST", "/v1/feeds/chenglingji/events", key, "[]", 2, "application/json", NULL,
               &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);
    h_http("GET", "/v1/events?ref=container", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
}

/* A rail DEPA three hours late, as the rail feed reports it. */
static const char rail_late[] =
    "[{\"eventID\":\"rail-test-1\",\"eventType\":\"RAIL\",\"eventClassifierCode\":\"ACT\","
    "\"eventDateTime\":\"2026-12-03T23:00:00+08:00\",\"railEventTypeCode\":\"DEPA\","
    "\"trainNumber\":\"X8001\",\"equipmentReference\":\"GYOU4047990\","
    "\"tripID\":\"RAIL-CAN-YYN.1\",\"location\":{\"UNLocationCode\":\"CNCAN\"}}]";

Test(feeds, a_reported_delay_moves_the_trip) {
    json_t *j, *stops;
    h_start(NULL);
    cr_assert_eq(push("rail", h_admin_key(), rail_late, strlen(rail_late), "application/json",
                      NULL, &j), 202);
    cr_assert_eq(jint(j, "accepted"), 1, "%s", json_dumps(j, 0));
    json_decref(j);
    /* The overlay is recorded after the 202: poll briefly. */
    for (int i = 0; i < 50; i++) {
        j = get_json("/v1/trips/RAIL-CAN-YYN.1?date=2026-12-03");
        stops = json_object_get(j, "stops");
        if (jint(json_array_get(stops, 0), "departure_delay_s") != 0) break;
        json_decref(j);
        j = NULL;
        h_sleep_ms(50);
    }
    cr_assert_not_null(j, "the departure never moved");
    stops = json_object_get(j, "stops");
    cr_assert_eq(jint(json_array_get(stops, 0), "departure_delay_s"), 3 * 3600);
    cr_assert_str_eq(h_jstr(json_array_get(stops, 0), "departure_time_source"), "observed");
    /* The delay carries forward to the arrival. */
    cr_assert_eq(jint(json_array_get(stops, 1), "arrival_delay_s"), 3 * 3600);
    cr_assert_str_eq(h_jstr(json_array_get(stops, 1), "arrival_time_source"), "estimated");
    json_decref(j);
}

/* A GTFS-RT FeedMessage: trip RAIL-CAN-YYN.1 on 2026-12-04, arrival at
 * CNCLJ-YYN DELAY seconds late.  Caller frees *OUT. */
static size_t gtfs_rt(int32_t delay, uint8_t **out) {
    TransitRealtime__FeedMessage fm = TRANSIT_REALTIME__FEED_MESSAGE__INIT;
    TransitRealtime__FeedHeader hd = TRANSIT_REALTIME__FEED_HEADER__INIT;
    TransitRealtime__FeedEntity en = TRANSIT_REALTIME__FEED_ENTITY__INIT, *ens[1] = {&en};
    TransitRealtime__TripUpdate tu = TRANSIT_REALTIME__TRIP_UPDATE__INIT;
    TransitRealtime__TripDescriptor td = TRANSIT_REALTIME__TRIP_DESCRIPTOR__INIT;
    TransitRealtime__TripUpdate__StopTimeUpdate su =
        TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_UPDATE__INIT, *sus[1] = {&su};
    TransitRealtime__TripUpdate__StopTimeEvent ar =
        TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_EVENT__INIT;
    static char version[] = "2.0", trip[] = "RAIL-CAN-YYN.1", date[] = "20261204",
                stop[] = "CNCLJ-YYN", eid[] = "e1";
    size_t n;
    hd.gtfs_realtime_version = version;
    hd.has_timestamp = 1;
    hd.timestamp = 1796000000;   /* 2026-11-30: before the run, so an estimate */
    td.trip_id = trip;
    td.start_date = date;
    ar.has_delay = 1;
    ar.delay = delay;
    su.stop_id = stop;
    su.arrival = &ar;
    tu.trip = &td;
    tu.n_stop_time_update = 1;
    tu.stop_time_update = sus;
    en.id = eid;
    en.trip_update = &tu;
    fm.header = &hd;
    fm.n_entity = 1;
    fm.entity = ens;
    n = transit_realtime__feed_message__get_packed_size(&fm);
    *out = malloc(n);
    cr_assert_not_null(*out);
    transit_realtime__feed_message__pack(&fm, *out);
    return n;
}

Test(feeds, gtfs_rt_delay_and_redis_restart_lose_nothing) {
    uint8_t *pb;
    size_t n = gtfs_rt(5400, &pb);
    json_t *j, *stops = NULL;
    long st;

    h_start(NULL);
    cr_assert_eq(push("rail-rt", h_admin_key(), (const char *)pb, n, "application/x-protobuf",
                      NULL, &j), 202);
    cr_assert_eq(jint(j, "accepted"), 1, "%s", j ? json_dumps(j, 0) : "(no JSON)");
    json_decref(j);

    /* Redis dies: a push is refused (503), nothing acknowledged. */
    cr_assert_eq(h_redis_kill(), 0, "%s", h_error());
    st = push("rail", h_admin_key(), rail_late, strlen(rail_late), "application/json", NULL,
              NULL);
    cr_assert_eq(st, 503);
    cr_assert_eq(h_redis_start(), 0, "%s", h_error());
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 10000), 0, "%s", h_error());

    /* What was acknowledged before the crash is still there: a duplicate. */
    cr_assert_eq(push("rail-rt", h_admin_key(), (const char *)pb, n, "application/x-protobuf",
                      NULL, &j), 202);
    cr_assert_eq(jint(j, "duplicates"), 1);
    cr_assert_eq(jint(j, "accepted"), 0);
    json_decref(j);
    /* The refused push, sent again, is stored now. */
    cr_assert_eq(push("rail", h_admin_key(), rail_late, strlen(rail_late), "application/json",
                      NULL, &j), 202);
    cr_assert_eq(jint(j, "accepted"), 1);
    json_decref(j);

    /* The GTFS-RT delay (stored before the crash) is in the overlay. */
    j = get_json("/v1/trips/RAIL-CAN-YYN.1?date=2026-12-04");
    stops = json_object_get(j, "stops");
    cr_assert_eq(jint(json_array_get(stops, 1), "arrival_delay_s"), 5400);
    cr_assert_str_eq(h_jstr(json_array_get(stops, 1), "arrival_time_source"), "estimated");
    json_decref(j);
    free(pb);
}

Test(feeds, configured_feeds_tenant_and_signature) {
    char conf[512], path[600], id[64], key[128], other[128], hex[65], hdr[100];
    unsigned char mac[32];
    size_t maclen = 0;
    const char *secret = "s3cret-for-tests";
    const char *args[3];
    json_t *j;
    struct h_resp r;

    snprintf(conf, sizeof(conf),
             "feed.port.format = dcsa-tnt\n"
             "feed.port.tenant = cljport\n"
             "feed.port.push_secret = %s\n", secret);
    cr_assert_eq(h_write_file("dongting.conf", conf, path, sizeof(path)), 0);
    args[0] = "--config";
    args[1] = path;
    args[2] = NULL;
    h_start(args);

    /* The config named a feed: the built-in five are gone. */
    h_http_raw("POST", "/v1/feeds/chenglingji/events", h_admin_key(), "[]", 2,
               "application/json", NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);

    cr_assert_eq(h_create_key("{\"role\":\"carrier\",\"tenant\":\"cljport\",\"name\":\"p\"}", id,
                              sizeof(id), key, sizeof(key)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"carrier\",\"tenant\":\"other\",\"name\":\"o\"}", id,
                              sizeof(id), other, sizeof(other)), 0, "%s", h_error());
    /* Another carrier's feed reads as one that does not exist. */
    h_http_raw("POST", "/v1/feeds/port/events", other, "[]", 2, "application/json", NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    /* No signature, then a wrong one. */
    h_http_raw("POST", "/v1/feeds/port/events", key, "[]", 2, "application/json", NULL, &r);
    H_ASSERT_ERROR(&r, 401, "bad_signature");
    h_resp_free(&r);
    h_http_raw("POST", "/v1/feeds/port/events", key, "[]", 2, "application/json",
               "X-Signature: sha256=00", &r);
    H_ASSERT_ERROR(&r, 401, "bad_signature");
    h_resp_free(&r);
    /* The right one. */
    cr_assert_not_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, strlen(secret),
                                 (const unsigned char *)"[]", 2, mac, sizeof(mac), &maclen));
    for (size_t i = 0; i < maclen; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    snprintf(hdr, sizeof(hdr), "X-Signature: sha256=%s", hex);
    cr_assert_eq(push("port", key, "[]", 2, "application/json", hdr, &j), 202);
    cr_assert_eq(jint(j, "accepted"), 0);
    json_decref(j);
}

Test(feeds, an_unreachable_feed_is_reported_but_never_fails_readyz) {
    char conf[512], path[600];
    const char *args[3];
    int dead = h_free_port();
    json_t *f = NULL, *pull;
    struct h_resp r;

    snprintf(conf, sizeof(conf),
             "feed.far.format = rail-events\n"
             "feed.far.url = http://127.0.0.1:%d/rail/events\n"
             "feed.far.interval = 1\n"
             "feed.far.timeout = 1\n", dead);
    cr_assert_eq(h_write_file("dongting.conf", conf, path, sizeof(path)), 0);
    args[0] = "--config";
    args[1] = path;
    args[2] = NULL;
    h_start(args);
    for (int i = 0; i < 60; i++) {
        f = feed_state("far");
        pull = json_object_get(f, "pull");
        if (json_integer_value(json_object_get(pull, "errors")) > 0) break;
        json_decref(f);
        f = NULL;
        h_sleep_ms(100);
    }
    cr_assert_not_null(f, "the pull never failed");
    pull = json_object_get(f, "pull");
    cr_assert(strstr(h_jstr(pull, "last_error"), "onnect") != NULL, "%s",
              h_jstr(pull, "last_error"));
    cr_assert(strstr(h_jstr(f, "last_error"), "onnect") != NULL, "%s", h_jstr(f, "last_error"));
    json_decref(f);
    h_http("GET", "/readyz", NULL, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
}

Test(feeds, airport_formats_cargo_imp_text_and_one_record) {
    static const char fsu[] =
        "QD CSXFMCZ\r\n.CSXFMCZ 031030\r\n"
        "FSU/14\r\n020-12345675CSXLGG/T5K250.0\r\n"
        "RCS/02NOV1800/CSX/T5K250.0\r\n"
        "DEP/CZ345/03NOV1030/CSXLGG/T5K250.0\r\n"
        "=====\r\n"
        "FSU/14\r\n020-12345676CSXLGG/T1K10\r\n"   /* a wrong check digit */
        "RCS/02NOV1800/CSX/T1K10\r\n";
    static const char one_record[] =
        "[{\"@type\":\"LogisticsEvent\",\"@id\":\"https://1r.example.org/events/dt-1\","
        "\"eventCode\":{\"@id\":\"https://onerecord.iata.org/ns/coreCodeLists#StatusCode_ARR\"},"
        "\"eventTimeType\":{\"@id\":\"https://onerecord.iata.org/ns/cargo#ACTUAL\"},"
        "\"eventDate\":{\"@type\":\"http://www.w3.org/2001/XMLSchema#dateTime\","
        "\"@value\":\"2026-11-04T02:30:00Z\"},"
        "\"recordedAtLocation\":{\"@id\":\"https://1r.example.org/locations/LGG\"},"
        "\"eventFor\":{\"waybillPrefix\":\"020\",\"waybillNumber\":\"12345675\"}}]";
    json_t *j, *evs;

    h_start(NULL);
    cr_assert_eq(push("sanhe", h_admin_key(), fsu, strlen(fsu), "text/plain", NULL, &j), 202);
    cr_assert_eq(jint(j, "accepted"), 2, "%s", json_dumps(j, 0));
    cr_assert_eq(json_array_size(json_object_get(j, "rejected")), 1);
    cr_assert(strstr(h_jstr(json_array_get(json_object_get(j, "rejected"), 0), "reason"),
                     "020-12345676") != NULL);
    json_decref(j);
    cr_assert_eq(push("sanhe-1r", h_admin_key(), one_record, strlen(one_record),
                      "application/ld+json", NULL, &j), 202);
    cr_assert_eq(jint(j, "accepted"), 1, "%s", json_dumps(j, 0));
    json_decref(j);

    /* One timeline for the air waybill, from both formats, in time order. */
    j = get_json("/v1/events?ref=awb:020-12345675");
    evs = json_object_get(j, "events");
    cr_assert_eq(json_array_size(evs), 3, "%s", json_dumps(j, 0));
    cr_assert_str_eq(h_jstr(json_array_get(evs, 0), "status"), "RECEIVED");
    cr_assert_str_eq(h_jstr(json_array_get(evs, 1), "status"), "DEPARTED");
    cr_assert_str_eq(h_jstr(json_array_get(evs, 1), "source"), "iata-cargo-imp");
    cr_assert_str_eq(h_jstr(json_array_get(evs, 2), "status"), "ARRIVED");
    cr_assert_str_eq(h_jstr(json_array_get(evs, 2), "source"), "one-record");
    json_decref(j);
}

Test(feeds, a_body_over_the_feeds_max_bytes_is_413) {
    char conf[256], path[600], big[3000];
    const char *args[3];
    struct h_resp r;
    snprintf(conf, sizeof(conf), "feed.small.format = rail-events\nfeed.small.max_bytes = 1024\n");
    cr_assert_eq(h_write_file("dongting.conf", conf, path, sizeof(path)), 0);
    args[0] = "--config";
    args[1] = path;
    args[2] = NULL;
    h_start(args);
    memset(big, ' ', sizeof(big));
    big[0] = '[';
    big[sizeof(big) - 2] = ']';
    big[sizeof(big) - 1] = '\0';
    h_http_raw("POST", "/v1/feeds/small/events", h_admin_key(), big, strlen(big),
               "application/json", NULL, &r);
    H_ASSERT_ERROR(&r, 413, "body_too_large");
    cr_assert(strstr(r.body, "feed.small.max_bytes") != NULL, "%s", r.body);
    h_resp_free(&r);
    /* Under the cap the same feed takes it (an empty array: nothing to store). */
    h_http_raw("POST", "/v1/feeds/small/events", h_admin_key(), "[]", 2, "application/json",
               NULL, &r);
    H_ASSERT_STATUS(&r, 202);
    h_resp_free(&r);
}

Test(feeds, a_long_timeline_answers_its_newest_1000_in_time_order) {
    size_t cap = 1100 * 400, off = 0;
    char *body = malloc(cap);
    json_t *j, *evs, *e;
    long long last = 0;
    size_t i;
    cr_assert_not_null(body);
    off += (size_t)snprintf(body, cap, "[");
    for (int k = 0; k < 1100; k++)   /* an event a minute from 2026-10-01 00:00 */
        off += (size_t)snprintf(body + off, cap - off,
                                "%s{\"eventID\":\"long-%d\",\"eventType\":\"RAIL\","
                                "\"eventClassifierCode\":\"ACT\",\"eventDateTime\":"
                                "\"2026-10-01T%02d:%02d:00Z\",\"railEventTypeCode\":\"ARRI\","
                                "\"trainNumber\":\"X8001\",\"equipmentReference\":\"GYOU4047990\","
                                "\"location\":{\"UNLocationCode\":\"KZDZH\"}}",
                                k ? "," : "", k, k / 60, k % 60);
    snprintf(body + off, cap - off, "]");
    h_start(NULL);
    cr_assert_eq(push("rail", h_admin_key(), body, strlen(body), "application/json", NULL, &j),
                 202);
    cr_assert_eq(jint(j, "accepted"), 1100, "%s", json_dumps(j, 0));
    json_decref(j);
    j = get_json("/v1/events?ref=container:GYOU4047990");
    evs = json_object_get(j, "events");
    cr_assert_eq(json_array_size(evs), 1000);
    json_array_foreach(evs, i, e) {
        long long ts = json_integer_value(json_object_get(e, "event_ts"));
        cr_assert_geq(ts, last);
        last = ts;
    }
    /* The newest is there, the oldest hundred are not. */
    cr_assert_str_eq(h_jstr(json_array_get(evs, 999), "event_id"), "long-1099");
    cr_assert_str_eq(h_jstr(json_array_get(evs, 0), "event_id"), "long-100");
    json_decref(j);
    free(body);
}
