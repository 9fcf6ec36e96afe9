/* test_feeds_sim.c -- the whole chain: bin/dongting-feedsim serving the
 * five carrier feeds, bin/dongting pulling them every second, a real
 * redis-server (AOF, fsync always) killed and restarted in the middle.
 * Checks that every feed flows, that events are stored once, that the
 * DCSA events the simulator published are all in Redis afterwards (nothing
 * lost across the restart), that timelines come back in event-time order
 * and that delays reached the routing overlay. */
#include "harness.h"

#include "geodata/timefmt.h"

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void start_shipped(void) {
    h_setup();
    h_use_shipped_data();
}

TestSuite(feeds_sim, .init = start_shipped, .fini = h_teardown, .timeout = 180);

static const char *const feeds[][3] = {
    {"chenglingji", "dcsa-tnt", "/dcsa/v2/events?limit=500"},
    {"sanhe", "iata-cargo-imp", "/iata/cargo-imp"},
    {"sanhe-1r", "one-record", "/one-record/events"},
    {"rail", "rail-events", "/rail/events"},
    {"rail-rt", "gtfs-rt", "/gtfs-rt/trip-updates"},
};
#define NFEEDS (sizeof(feeds) / sizeof(feeds[0]))

static redisContext *redis(void) {
    redisContext *c = redisConnect("127.0.0.1", h_redis_port());
    cr_assert(c != NULL && c->err == 0, "cannot connect to Redis");
    return c;
}

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

/* Sum of "accepted" over the feeds, and how many feeds have stored at
 * least one event. */
static long long accepted_total(int *flowing) {
    json_t *all = get_json("/v1/feeds"), *f;
    long long sum = 0;
    size_t i;
    *flowing = 0;
    json_array_foreach(json_object_get(all, "feeds"), i, f) {
        long long a = json_integer_value(json_object_get(f, "accepted"));
        sum += a;
        if (a > 0) (*flowing)++;
    }
    json_decref(all);
    return sum;
}

/* Every DCSA event the simulator serves (all pages; it runs with
 * --malformed 0, so all are good) created at or before CUTOFF, checked
 * against Redis' dedupe markers: returns how many are missing; *TOTAL gets
 * how many there were. */
static int dcsa_missing(int sim, redisContext *rc, long long cutoff, int *total) {
    char path[256] = "/dcsa/v2/events?limit=1000", cursor[128];
    int missing = 0;
    *total = 0;
    for (int page = 0; page < 100; page++) {
        struct h_resp r;
        json_t *arr, *e;
        size_t i;
        cr_assert_eq(h_http_port(sim, "GET", path, NULL, NULL, NULL, 10000, &r), 0);
        H_ASSERT_STATUS(&r, 200);
        arr = h_resp_json(&r);
        cr_assert(json_is_array(arr));
        json_array_foreach(arr, i, e) {
            const char *id = json_string_value(json_object_get(e, "eventID"));
            const char *cr = json_string_value(json_object_get(e, "eventCreatedDateTime"));
            int64_t created;
            char why[100];
            redisReply *rep;
            cr_assert(cr && time_parse_iso8601(cr, &created, why, sizeof(why)) == 0);
            if (created > cutoff) continue;
            rep = redisCommand(rc, "EXISTS ev:{ev}:e:dcsa-tnt:%s", id ? id : "");
            cr_assert_not_null(rep);
            if (rep->integer == 0) {
                if (missing < 5)
                    fprintf(stderr, "missing DCSA event %s created %s\n", id ? id : "", cr);
                missing++;
            }
            (*total)++;
            freeReplyObject(rep);
        }
        json_decref(arr);
        if (h_resp_header(&r, "Next-Page-Cursor", cursor, sizeof(cursor)) != 0) {
            h_resp_free(&r);
            break;
        }
        snprintf(path, sizeof(path), "/dcsa/v2/events?limit=1000&cursor=%s", cursor);
        h_resp_free(&r);
    }
    return missing;
}

Test(feeds_sim, five_feeds_flow_dedupe_survive_a_redis_restart) {
    const char *sim_args[] = {"--start", "2026-11-20T00:00:00Z", "--speed", "3600",
                              "--seed", "7", "--malformed", "0", NULL};
    char conf[4096], path[600], port[16];
    const char *args[3];
    size_t off = 0;
    int sim, flowing = 0, total = 0, missing;
    long long before, after, xlen;
    redisContext *rc;
    redisReply *rep;

    sim = h_feedsim_start(sim_args);
    cr_assert(sim > 0, "%s", h_error());
    snprintf(port, sizeof(port), "%d", sim);
    for (size_t i = 0; i < NFEEDS; i++)
        off += (size_t)snprintf(conf + off, sizeof(conf) - off,
                                "feed.%s.format = %s\nfeed.%s.url = http://127.0.0.1:%s%s\n"
                                "feed.%s.interval = 1\n",
                                feeds[i][0], feeds[i][1], feeds[i][0], port, feeds[i][2],
                                feeds[i][0]);
    cr_assert_eq(h_write_file("dongting.conf", conf, path, sizeof(path)), 0);
    args[0] = "--config";
    args[1] = path;
    args[2] = NULL;
    h_start(args);

    /* All five feeds deliver. */
    for (int i = 0; i < 200 && flowing < (int)NFEEDS; i++) {
        accepted_total(&flowing);
        if (flowing < (int)NFEEDS) h_sleep_ms(100);
    }
    cr_assert_eq(flowing, (int)NFEEDS, "only %d of the five feeds stored events", flowing);

    /* Redis dies while the simulator keeps publishing and the server keeps
     * pulling; it comes back two seconds later. */
    cr_assert_eq(h_redis_kill(), 0, "%s", h_error());
    h_sleep_ms(2000);
    cr_assert_eq(h_redis_start(), 0, "%s", h_error());
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 10000), 0, "%s", h_error());
    before = accepted_total(&flowing);
    h_sleep_ms(3000);   /* pulls every second: three cycles */
    after = accepted_total(&flowing);
    cr_assert_gt(after, before, "pulls resumed after the restart");

    /* Every event the server counted as accepted is in the global stream,
     * each once. */
    rc = redis();
    rep = redisCommand(rc, "XLEN ev:{ev}:all");
    cr_assert_not_null(rep);
    xlen = rep->integer;
    freeReplyObject(rep);
    after = accepted_total(&flowing);
    cr_assert_geq(xlen, after - 50, "stream %lld vs accepted %lld", xlen, after);
    {
        /* Ids in the global stream are unique (source:id). */
        long long n = 0, dup = 0;
        redisReply *all = redisCommand(rc, "XRANGE ev:{ev}:all - +");
        redisReply *tmp;
        cr_assert_not_null(all);
        tmp = redisCommand(rc, "DEL dedupe-check");
        freeReplyObject(tmp);
        for (size_t i = 0; i < all->elements; i++) {
            redisReply *fv = all->element[i]->element[1];
            for (size_t k = 0; k + 1 < fv->elements; k += 2)
                if (strcmp(fv->element[k]->str, "k") == 0) {   /* SOURCE:ID */
                    tmp = redisCommand(rc, "SADD dedupe-check %s", fv->element[k + 1]->str);
                    if (tmp->integer == 0) dup++;
                    freeReplyObject(tmp);
                    n++;
                }
        }
        freeReplyObject(all);
        cr_assert_gt(n, 1000, "a real amount of events: %lld", n);
        cr_assert_eq(dup, 0, "%lld of %lld events stored twice", dup, n);
    }

    /* Nothing the simulator had published on the port feed by a moment
     * three pull cycles ago is missing. */
    {
        struct h_resp r;
        json_t *clock;
        int64_t cutoff;
        char why[100];
        h_http_port(sim, "GET", "/sim/clock", NULL, NULL, NULL, 10000, &r);
        clock = h_resp_json(&r);
        h_resp_free(&r);
        cr_assert(clock && time_parse_iso8601(h_jstr(clock, "now"), &cutoff, why,
                                              sizeof(why)) == 0);
        json_decref(clock);
        h_sleep_ms(3500);
        missing = dcsa_missing(sim, rc, cutoff, &total);
    }
    cr_assert_gt(total, 500);
    cr_assert_eq(missing, 0, "%d of %d DCSA events never stored", missing, total);

    /* A container's timeline is in event-time order. */
    {
        json_t *truth, *c, *tl, *e;
        size_t i, checked = 0;
        char q[200];
        {
            struct h_resp r;
            h_http_port(sim, "GET", "/sim/truth", NULL, NULL, NULL, 10000, &r);
            truth = h_resp_json(&r);
            h_resp_free(&r);
        }
        cr_assert_not_null(truth);
        json_array_foreach(json_object_get(truth, "consignments"), i, c) {
            long long last = 0;
            size_t k;
            if (checked >= 10) break;
            if (!json_is_string(json_object_get(c, "container"))) continue;   /* air */
            snprintf(q, sizeof(q), "/v1/events?ref=container:%s", h_jstr(c, "container"));
            tl = get_json(q);
            if (json_array_size(json_object_get(tl, "events")) >= 2) checked++;
            json_array_foreach(json_object_get(tl, "events"), k, e) {
                long long ts = json_integer_value(json_object_get(e, "event_ts"));
                cr_assert_geq(ts, last, "%s: events out of order", q);
                last = ts;
            }
            json_decref(tl);
        }
        json_decref(truth);
        cr_assert_gt(checked, 0, "no container with two or more events");
    }

    /* Delays reached the overlay. */
    {
        json_t *all = get_json("/v1/feeds"), *f;
        long long moved = 0;
        json_array_foreach(json_object_get(all, "feeds"), off, f)
            moved += json_integer_value(json_object_get(f, "overlay_updates"));
        json_decref(all);
        cr_assert_gt(moved, 0, "no trip update recorded from the feeds");
    }
    redisFree(rc);
}
