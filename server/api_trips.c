/* api_trips.c -- manual real-time trip updates (operations staff entering a
 * delay a carrier reported by phone) and the per-stop view of a run:
 *
 *   POST /v1/trips/{trip_id}/updates   admin, carrier
 *   GET  /v1/trips/{trip_id}?date=...  admin, carrier, forwarder
 *
 * An update is validated whole (400 shape and types, 404 trip or date, 422
 * values), written to Redis (store.c, overlay:{rt}:* in docs/redis-keys.md),
 * and only once Redis replied applied to the server's overlay
 * (srv_overlay()) and answered 200; cached route answers that the run's old
 * or new times overlap are then dropped (route_cache_invalidate).  Redis
 * down: 503 and the overlay is left as it was.  trips_restore() re-applies
 * every stored run when the store first becomes ready. */
#include "api.h"
#include "http.h"
#include "log.h"
#include "route_cache.h"
#include "routing/overlay.h"
#include "router.h"
#include "server.h"
#include "store.h"
#include "timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DELAY_S (90LL * 86400) /* a report further off is a typo */
#define MAX_STOPS 1000             /* entries of "stops" in one request */
#define RUN_ID_LEN 200

enum rep_kind { REP_DELAY, REP_TIME, REP_SKIP };

struct stop_rep {
    uint32_t idx;
    enum rep_kind kind;
    int64_t arr, dep; /* seconds (delay) or Unix seconds (time); RT_OV_UNSET */
    int observed;
};

enum up_what { UP_STOPS, UP_CANCEL, UP_CLEAR };

struct trip_update {
    struct srv_req *r;
    uint32_t run;
    enum up_what what;
    char run_id[RUN_ID_LEN];
    char date[11];  /* YYYY-MM-DD */
    char start[16]; /* "" or the run's start, GTFS seconds */
    struct stop_rep *stops;
    size_t nstops;
};

/* ---- small parsers ------------------------------------------------------- */

/* "YYYY-MM-DD" to YYYYMMDD: 0, -1 when not of that shape, -2 when not a
 * calendar date. */
static int parse_date(const char *s, int *ymd) {
    int y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return -1;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    *ymd = y * 10000 + m * 100 + d;
    if (rt_days_from_date(*ymd) == INT32_MIN || rt_date_from_days(rt_days_from_date(*ymd)) != *ymd)
        return -2;
    return 0;
}

/* GTFS "H:MM:SS" / "HH:MM:SS" (hours may pass 24) to seconds, or -1. */
static int32_t parse_hms(const char *s) {
    int h = 0, n = 0;
    while (isdigit((unsigned char)s[n]) && n < 3) h = h * 10 + (s[n++] - '0');
    if (n == 0 || n > 2 || s[n] != ':' || !isdigit((unsigned char)s[n + 1]) ||
        !isdigit((unsigned char)s[n + 2]) || s[n + 3] != ':' ||
        !isdigit((unsigned char)s[n + 4]) || !isdigit((unsigned char)s[n + 5]) || s[n + 6])
        return -1;
    int m = (s[n + 1] - '0') * 10 + (s[n + 2] - '0');
    int sec = (s[n + 4] - '0') * 10 + (s[n + 5] - '0');
    if (m > 59 || sec > 59) return -1;
    return (int32_t)(h * 3600 + m * 60 + sec);
}

static void format_hms(int32_t t, char *buf, size_t len) {
    snprintf(buf, len, "%02d:%02d:%02d", (int)(t / 3600), (int)(t / 60 % 60), (int)(t % 60));
}

static const char *source_name(enum rt_time_source s) {
    return s == RT_TIME_OBSERVED ? "observed" : s == RT_TIME_ESTIMATED ? "estimated" : "scheduled";
}

/* ---- the run: lookup, view, span ----------------------------------------- */

/* Find the run of TRIP on DATE (YYYY-MM-DD) starting at START ("" for the
 * first that day).  RT_NONE with a 404 reason in WHY. */
static uint32_t find_run(const struct rt_timetable *tt, const char *trip, const char *date,
                         const char *start, char *why, size_t whylen) {
    int ymd = 0;
    int32_t st = -1;
    uint32_t t = rt_trip_find(tt, trip), run;
    if (t == RT_NONE) {
        snprintf(why, whylen, "no trip '%.64s'", trip);
        return RT_NONE;
    }
    if (parse_date(date, &ymd) != 0) {
        snprintf(why, whylen, "trip '%.64s' does not run on %.10s", trip, date);
        return RT_NONE;
    }
    if (start[0] != '\0') st = parse_hms(start);
    run = rt_overlay_find_run(tt, trip, ymd, st);
    if (run == RT_NONE)
        snprintf(why, whylen, "trip '%.64s' does not run on %.10s%s%.15s", trip, date,
                 start[0] ? " starting at " : "", start);
    return run;
}

/* The canonical id of RUN in Redis: TRIP:DATE, plus :HH:MM:SS for runs of
 * frequencies.txt (so one run never has two ids). */
static void run_id(const struct rt_timetable *tt, uint32_t run, const char *date, char *buf,
                   size_t len, char *start, size_t startlen) {
    const struct rt_run *rr = &tt->runs[run];
    const char *trip = rt_str(tt, tt->trips[rr->trip].id);
    start[0] = '\0';
    if (rr->flags & RT_RUN_FREQUENCY) format_hms(rr->start, start, startlen);
    snprintf(buf, len, "%s:%s%s%s", trip, date, start[0] ? ":" : "", start);
}

/* Earliest and latest current time of RUN, Unix seconds. */
static void run_span(const struct rt_timetable *tt, const struct rt_overlay *ov, uint32_t run,
                     int64_t *lo, int64_t *hi) {
    uint32_t n = tt->trips[tt->runs[run].trip].nstops;
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t a, d;
        if (rt_overlay_stop_time(ov, tt, run, k, &a, &d, NULL, NULL) != 0) continue;
        if ((int64_t)a + tt->epoch < *lo) *lo = (int64_t)a + tt->epoch;
        if ((int64_t)d + tt->epoch > *hi) *hi = (int64_t)d + tt->epoch;
        if ((int64_t)d + tt->epoch < *lo) *lo = (int64_t)d + tt->epoch;
        if ((int64_t)a + tt->epoch > *hi) *hi = (int64_t)a + tt->epoch;
    }
}

static json_t *run_view(const struct rt_timetable *tt, const struct rt_overlay *ov,
                        uint32_t run, const char *date) {
    const struct rt_run *rr = &tt->runs[run];
    const struct rt_trip *trip = &tt->trips[rr->trip];
    const struct rt_stop_time *pat = tt->stop_times + trip->first_stop_time;
    json_t *stops = json_array(), *o;
    char start[16];

    format_hms(rr->start, start, sizeof(start));
    for (uint32_t k = 0; k < trip->nstops; k++) {
        uint32_t sa, sd, a, d, s = pat[k].stop;
        enum rt_time_source as = RT_TIME_SCHEDULED, ds = RT_TIME_SCHEDULED;
        json_t *e;
        if (rt_overlay_stop_time(NULL, tt, run, k, &sa, &sd, NULL, NULL) != 0) continue;
        if (rt_overlay_stop_time(ov, tt, run, k, &a, &d, &as, &ds) != 0) {
            a = sa;
            d = sd;
        }
        e = json_pack("{s:I, s:s}", "stop_sequence_index", (json_int_t)k, "stop_id",
                      rt_str(tt, tt->stops[s].id));
        json_object_set_new(e, "scheduled_arrival", router_time_json(tt, s, sa));
        json_object_set_new(e, "scheduled_departure", router_time_json(tt, s, sd));
        json_object_set_new(e, "arrival", router_time_json(tt, s, a));
        json_object_set_new(e, "departure", router_time_json(tt, s, d));
        json_object_set_new(e, "arrival_delay_s", json_integer((json_int_t)a - (json_int_t)sa));
        json_object_set_new(e, "departure_delay_s", json_integer((json_int_t)d - (json_int_t)sd));
        json_object_set_new(e, "arrival_time_source", json_string(source_name(as)));
        json_object_set_new(e, "departure_time_source", json_string(source_name(ds)));
        json_object_set_new(e, "time_source", json_string(source_name(as > ds ? as : ds)));
        json_array_append_new(stops, e);
    }
    o = json_pack("{s:s, s:s, s:s, s:b, s:I, s:o}", "trip_id", rt_str(tt, trip->id), "date",
                  date, "start_time", start, "cancelled", rt_overlay_cancelled(ov, run),
                  "overlay_version", (json_int_t)rt_overlay_version(ov), "stops", stops);
    return o;
}

/* ---- applying ------------------------------------------------------------ */

/* Apply N reports to RUN.  0, or -1 (out of memory: validated reports
 * cannot fail otherwise). */
static int apply_stops(struct rt_overlay *ov, uint32_t run, const struct stop_rep *s,
                       size_t n) {
    for (size_t i = 0; i < n; i++) {
        enum rt_time_source src = s[i].observed ? RT_TIME_OBSERVED : RT_TIME_ESTIMATED;
        int rc = s[i].kind == REP_SKIP ? rt_overlay_skip(ov, run, s[i].idx)
                 : s[i].kind == REP_TIME
                     ? rt_overlay_set_time(ov, run, s[i].idx, s[i].arr, s[i].dep, src)
                     : rt_overlay_set_delay(ov, run, s[i].idx, s[i].arr, s[i].dep, src);
        if (rc != 0) return -1;
    }
    return 0;
}

/* The stored form of one report: the hash field "stop:N" holds
 * {"k":"delay"|"time"|"skip","a":ARR|null,"d":DEP|null,"o":0|1}. */
static char *rep_encode(const struct stop_rep *s) {
    json_t *o = json_pack("{s:s, s:o, s:o, s:i}", "k",
                          s->kind == REP_SKIP ? "skip" : s->kind == REP_TIME ? "time" : "delay",
                          "a", s->arr == RT_OV_UNSET ? json_null() : json_integer(s->arr), "d",
                          s->dep == RT_OV_UNSET ? json_null() : json_integer(s->dep), "o",
                          s->observed);
    char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return txt;
}

/* Parse a stored report; 0 or -1. */
static int rep_decode(const char *field, const char *val, size_t len, uint32_t nstops,
                      struct stop_rep *s) {
    json_t *o = json_loadb(val, len, 0, NULL), *a, *d;
    const char *k;
    char *end;
    unsigned long idx;
    int rc = -1;

    errno = 0;
    idx = strtoul(field + 5, &end, 10);
    if (errno || *end || end == field + 5 || idx >= nstops || !json_is_object(o)) goto done;
    k = json_string_value(json_object_get(o, "k"));
    a = json_object_get(o, "a");
    d = json_object_get(o, "d");
    if (k == NULL || (!json_is_null(a) && !json_is_integer(a)) ||
        (!json_is_null(d) && !json_is_integer(d)))
        goto done;
    s->idx = (uint32_t)idx;
    s->kind = strcmp(k, "skip") == 0 ? REP_SKIP : strcmp(k, "time") == 0 ? REP_TIME : REP_DELAY;
    if (s->kind == REP_DELAY && strcmp(k, "delay") != 0) goto done;
    s->arr = json_is_integer(a) ? (int64_t)json_integer_value(a) : RT_OV_UNSET;
    s->dep = json_is_integer(d) ? (int64_t)json_integer_value(d) : RT_OV_UNSET;
    s->observed = json_is_true(json_object_get(o, "o")) ||
                  json_integer_value(json_object_get(o, "o")) == 1;
    rc = 0;
done:
    json_decref(o);
    return rc;
}

/* ---- POST /v1/trips/{trip_id}/updates ------------------------------------ */

static int bad(struct srv_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(struct srv_req *r, int status, const char *fmt, ...) {
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    srv_reply_error(r, status,
                    status == 400   ? "bad_request"
                    : status == 404 ? "not_found"
                    : status == 503 ? "overloaded"
                                    : "invalid",
                    "%s", msg);
    return -1;
}

/* Read optional integer delay NAME of stop entry E into *V.  0, or -1
 * after replying. */
static int get_delay(struct srv_req *r, json_t *e, size_t i, const char *name, int64_t *v) {
    json_t *x = json_object_get(e, name);
    *v = RT_OV_UNSET;
    if (x == NULL || json_is_null(x)) return 0;
    if (!json_is_integer(x)) return bad(r, 400, "stops[%zu].%s: must be an integer", i, name);
    if (json_integer_value(x) < -MAX_DELAY_S || json_integer_value(x) > MAX_DELAY_S)
        return bad(r, 422, "stops[%zu].%s: %" JSON_INTEGER_FORMAT " s is more than 90 days",
                   i, name, json_integer_value(x));
    *v = (int64_t)json_integer_value(x);
    return 0;
}

static int get_time(struct srv_req *r, const struct rt_timetable *tt, json_t *e, size_t i,
                    const char *name, int64_t *v) {
    json_t *x = json_object_get(e, name);
    char why[128];
    int64_t lo = tt->epoch, hi = tt->epoch + ((int64_t)tt->ndays + 2) * 86400 + MAX_DELAY_S;
    *v = RT_OV_UNSET;
    if (x == NULL || json_is_null(x)) return 0;
    if (!json_is_string(x))
        return bad(r, 400, "stops[%zu].%s: must be an ISO 8601 time with an offset", i, name);
    if (time_parse_iso8601(json_string_value(x), v, why, sizeof(why)) != 0)
        return bad(r, 400, "stops[%zu].%s: %s", i, name, why);
    if (*v < lo || *v > hi)
        return bad(r, 422, "stops[%zu].%s: outside the loaded timetable's days", i, name);
    return 0;
}

static int get_bool(struct srv_req *r, json_t *e, size_t i, const char *name, int *v) {
    json_t *x = json_object_get(e, name);
    *v = 0;
    if (x == NULL || json_is_null(x)) return 0;
    if (!json_is_boolean(x)) return bad(r, 400, "stops[%zu].%s: must be true or false", i, name);
    *v = json_is_true(x);
    return 0;
}

/* Validate the "stops" array of run RUN into U.  0, or -1 after replying. */
static int parse_stops_or_reply(struct srv_req *r, const struct rt_timetable *tt, json_t *arr,
                                struct trip_update *u) {
    const struct rt_trip *trip = &tt->trips[tt->runs[u->run].trip];
    const struct rt_stop_time *pat = tt->stop_times + trip->first_stop_time;
    size_t n = json_array_size(arr);
    uint8_t *seen;

    if (n > MAX_STOPS) return bad(r, 422, "stops: at most %d entries", MAX_STOPS);
    u->stops = calloc(n, sizeof(*u->stops));
    seen = calloc(trip->nstops, 1);
    if (u->stops == NULL || seen == NULL) {
        free(seen);
        return bad(r, 503, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i), *idx, *sid, *v;
        struct stop_rep *s = &u->stops[i];
        int64_t ad, dd, at, dt;
        int skipped;
        const char *key;

        if (!json_is_object(e)) {
            bad(r, 400, "stops[%zu]: must be an object", i);
            goto fail;
        }
        json_object_foreach(e, key, v) {
            static const char *const known[] = {
                "stop_sequence_index", "stop_id",   "arrival_delay_s", "departure_delay_s",
                "arrival",             "departure", "skipped",         "observed"};
            size_t k = 0;
            while (k < sizeof(known) / sizeof(known[0]) && strcmp(known[k], key) != 0) k++;
            if (k == sizeof(known) / sizeof(known[0])) {
                bad(r, 400, "stops[%zu].%.60s: unknown field", i, key);
                goto fail;
            }
        }
        idx = json_object_get(e, "stop_sequence_index");
        sid = json_object_get(e, "stop_id");
        if ((idx == NULL) == (sid == NULL)) {
            bad(r, 400, "stops[%zu]: give exactly one of stop_sequence_index and stop_id", i);
            goto fail;
        }
        if (idx != NULL) {
            if (!json_is_integer(idx)) {
                bad(r, 400, "stops[%zu].stop_sequence_index: must be an integer", i);
                goto fail;
            }
            if (json_integer_value(idx) < 0 || json_integer_value(idx) >= trip->nstops) {
                bad(r, 422, "stops[%zu].stop_sequence_index: %" JSON_INTEGER_FORMAT
                            " is not in 0..%u (the trip has %u stops)",
                    i, json_integer_value(idx), trip->nstops - 1, trip->nstops);
                goto fail;
            }
            s->idx = (uint32_t)json_integer_value(idx);
        } else {
            uint32_t k;
            if (!json_is_string(sid)) {
                bad(r, 400, "stops[%zu].stop_id: must be a string", i);
                goto fail;
            }
            for (k = 0; k < trip->nstops; k++)
                if (strcmp(rt_str(tt, tt->stops[pat[k].stop].id), json_string_value(sid)) == 0)
                    break;
            if (k == trip->nstops) {
                bad(r, 422, "stops[%zu].stop_id: '%.40s' is not a stop of trip '%.64s'", i,
                    json_string_value(sid), rt_str(tt, trip->id));
                goto fail;
            }
            s->idx = k;
        }
        if (seen[s->idx]++) {
            bad(r, 422, "stops[%zu]: stop %u is reported twice", i, s->idx);
            goto fail;
        }
        if (get_delay(r, e, i, "arrival_delay_s", &ad) || get_delay(r, e, i, "departure_delay_s", &dd) ||
            get_time(r, tt, e, i, "arrival", &at) || get_time(r, tt, e, i, "departure", &dt) ||
            get_bool(r, e, i, "skipped", &skipped) || get_bool(r, e, i, "observed", &s->observed))
            goto fail_replied;
        {
            int has_delay = ad != RT_OV_UNSET || dd != RT_OV_UNSET;
            int has_time = at != RT_OV_UNSET || dt != RT_OV_UNSET;
            if (has_delay && has_time) {
                bad(r, 422, "stops[%zu]: give delays or times, not both", i);
                goto fail;
            }
            if (skipped && (has_delay || has_time)) {
                bad(r, 422, "stops[%zu]: a skipped stop has no times", i);
                goto fail;
            }
            if (!skipped && !has_delay && !has_time) {
                bad(r, 422, "stops[%zu]: nothing reported: give arrival_delay_s, "
                            "departure_delay_s, arrival, departure or skipped", i);
                goto fail;
            }
            if (at != RT_OV_UNSET && dt != RT_OV_UNSET && dt < at) {
                bad(r, 422, "stops[%zu].departure: before the arrival", i);
                goto fail;
            }
            s->kind = skipped ? REP_SKIP : has_time ? REP_TIME : REP_DELAY;
            s->arr = has_time ? at : ad;
            s->dep = has_time ? dt : dd;
            if (skipped) s->arr = s->dep = RT_OV_UNSET;
        }
    }
    u->nstops = n;
    free(seen);
    return 0;
fail:
fail_replied:
    free(seen);
    return -1;
}

static void update_free(struct trip_update *u) {
    if (u == NULL) return;
    free(u->stops);
    free(u);
}

/* Redis replied to the write: apply, drop stale cached answers, answer. */
static void stored(int status, void *arg) {
    struct trip_update *u = arg;
    struct srv_req *r = u->r;
    const struct rt_timetable *tt = srv_timetable();
    struct rt_overlay *ov = srv_overlay();
    int64_t lo0, hi0, lo1, hi1;
    int rc = 0;

    if (status != STORE_OK) {
        srv_reply_error(r, 503, "redis_unavailable", "cannot store the update: %s",
                        store_error_text(status));
        goto done;
    }
    run_span(tt, ov, u->run, &lo0, &hi0);
    if (u->what == UP_CLEAR) {
        rc = rt_overlay_clear_run(ov, u->run);
    } else if (u->what == UP_CANCEL) {
        rc = rt_overlay_cancel(ov, u->run);
    } else {
        rc = apply_stops(ov, u->run, u->stops, u->nstops);
    }
    if (rc != 0) {
        /* Out of memory: Redis has the update, a restart re-applies it. */
        log_event("error", "overlay_apply_failed", "run %s: out of memory", u->run_id);
        srv_reply_error(r, 503, "overloaded", "out of memory applying the update");
        goto done;
    }
    /* The router reads the overlay's side array: rebuild it now (a failure
     * leaves it unprepared, and the router's own call tries again). */
    if (rt_overlay_prepare(ov) != 0)
        log_event("warn", "overlay_prepare_failed", "out of memory; the router retries");
    run_span(tt, ov, u->run, &lo1, &hi1);
    route_cache_invalidate(lo0 < lo1 ? lo0 : lo1, hi0 > hi1 ? hi0 : hi1);
    srv_reply_json(r, 200, run_view(tt, ov, u->run, u->date));
done:
    update_free(u);
}

void api_trips_update(struct srv_req *r) {
    const struct rt_timetable *tt = srv_timetable();
    struct rt_overlay *ov = srv_overlay();
    json_t *body = NULL, *date, *start, *canc, *stops, *clear, *v;
    struct trip_update *u = NULL;
    const char *key, *fv[2 * (MAX_STOPS + 5)];
    char *enc[MAX_STOPS], fields[MAX_STOPS][24], why[200], now[24];
    size_t nfv = 0, nenc = 0;
    int ymd, nwhat;

    if (tt == NULL || ov == NULL) {
        srv_reply_error(r, 503, "not_ready", "no timetable loaded");
        return;
    }
    if ((body = srv_body_json_or_reply(r)) == NULL) return;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "date") && strcmp(key, "start_time") && strcmp(key, "cancelled") &&
            strcmp(key, "stops") && strcmp(key, "clear")) {
            bad(r, 400, "%.60s: unknown field (expected date, start_time, cancelled, stops, "
                        "clear)", key);
            goto done;
        }
    }
    date = json_object_get(body, "date");
    start = json_object_get(body, "start_time");
    canc = json_object_get(body, "cancelled");
    stops = json_object_get(body, "stops");
    clear = json_object_get(body, "clear");
    if (!json_is_string(date)) {
        bad(r, 400, "date: required, the service date YYYY-MM-DD");
        goto done;
    }
    switch (parse_date(json_string_value(date), &ymd)) {
    case -1: bad(r, 400, "date: must be YYYY-MM-DD"); goto done;
    case -2: bad(r, 422, "date: '%.10s' is not a calendar date", json_string_value(date)); goto done;
    default: break;
    }
    if (start != NULL && (!json_is_string(start) || parse_hms(json_string_value(start)) < 0)) {
        bad(r, 400, "start_time: must be HH:MM:SS");
        goto done;
    }
    if (canc != NULL && !json_is_boolean(canc)) { bad(r, 400, "cancelled: must be true"); goto done; }
    if (clear != NULL && !json_is_boolean(clear)) { bad(r, 400, "clear: must be true"); goto done; }
    if (stops != NULL && !json_is_array(stops)) {
        bad(r, 400, "stops: must be an array");
        goto done;
    }
    nwhat = (canc != NULL) + (stops != NULL) + (clear != NULL);
    if (nwhat != 1) {
        bad(r, 400, "give exactly one of stops, cancelled and clear");
        goto done;
    }
    if ((canc && !json_is_true(canc)) || (clear && !json_is_true(clear))) {
        bad(r, 422, "%s: only true is meaningful", canc ? "cancelled" : "clear");
        goto done;
    }
    if (stops != NULL && json_array_size(stops) == 0) {
        bad(r, 422, "stops: at least one stop");
        goto done;
    }
    if ((u = calloc(1, sizeof(*u))) == NULL) {
        bad(r, 503, "out of memory");
        goto done;
    }
    u->r = r;
    u->what = canc ? UP_CANCEL : clear ? UP_CLEAR : UP_STOPS;
    snprintf(u->date, sizeof(u->date), "%s", json_string_value(date));
    u->run = find_run(tt, r->params[0], u->date, start ? json_string_value(start) : "", why,
                      sizeof(why));
    if (u->run == RT_NONE) {
        bad(r, 404, "%s", why);
        goto done;
    }
    run_id(tt, u->run, u->date, u->run_id, sizeof(u->run_id), u->start, sizeof(u->start));
    if (u->what == UP_STOPS && parse_stops_or_reply(r, tt, stops, u) != 0) goto done;
    json_decref(body);
    body = NULL;

    if (u->what == UP_CLEAR) {
        store_overlay_clear(u->run_id, stored, u);
        return;
    }
    snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
    fv[nfv++] = "trip";
    fv[nfv++] = r->params[0];
    fv[nfv++] = "date";
    fv[nfv++] = u->date;
    fv[nfv++] = "start";
    fv[nfv++] = u->start;
    fv[nfv++] = "updated_at";
    fv[nfv++] = now;
    if (u->what == UP_CANCEL) {
        fv[nfv++] = "cancelled";
        fv[nfv++] = "1";
    }
    for (size_t i = 0; i < u->nstops; i++) {
        if ((enc[nenc] = rep_encode(&u->stops[i])) == NULL) {
            for (size_t k = 0; k < nenc; k++) free(enc[k]);
            bad(r, 503, "out of memory");
            goto done;
        }
        snprintf(fields[i], sizeof(fields[i]), "stop:%u", u->stops[i].idx);
        fv[nfv++] = fields[i];
        fv[nfv++] = enc[nenc++];
    }
    /* store.c copies the arguments before returning. */
    store_overlay_write(u->run_id, u->what == UP_CANCEL, fv, nfv, stored, u);
    for (size_t k = 0; k < nenc; k++) free(enc[k]);
    return;
done:
    json_decref(body);
    update_free(u);
}

/* ---- GET /v1/trips/{trip_id} --------------------------------------------- */

void api_trips_get(struct srv_req *r) {
    const struct rt_timetable *tt = srv_timetable();
    char *date = srv_query(r, "date"), *start = srv_query(r, "start_time");
    char why[200];
    uint32_t run;
    int ymd;

    if (tt == NULL) {
        srv_reply_error(r, 503, "not_ready", "no timetable loaded");
        goto done;
    }
    if (date == NULL || parse_date(date, &ymd) == -1) {
        srv_reply_error(r, 400, "bad_request", "date: required, the service date YYYY-MM-DD");
        goto done;
    }
    if (start != NULL && parse_hms(start) < 0) {
        srv_reply_error(r, 400, "bad_request", "start_time: must be HH:MM:SS");
        goto done;
    }
    run = find_run(tt, r->params[0], date, start ? start : "", why, sizeof(why));
    if (run == RT_NONE) {
        srv_reply_error(r, 404, "not_found", "%s", why);
        goto done;
    }
    srv_reply_json(r, 200, run_view(tt, srv_overlay(), run, date));
done:
    free(date);
    free(start);
}

/* ---- start-up: re-apply what Redis holds --------------------------------- */

static struct {
    int done, running;
    unsigned pending, applied, skipped, failed;
    int64_t lo, hi;
} rs;

static void restore_finished(void) {
    log_event(rs.skipped ? "warn" : "info", "overlay_restored",
              "trip updates from Redis: %u runs re-applied, %u skipped (see "
              "overlay_restore_skipped), %u could not be read",
              rs.applied, rs.skipped, rs.failed);
    if (rs.applied > 0) {
        if (rt_overlay_prepare(srv_overlay()) != 0)
            log_event("warn", "overlay_prepare_failed", "out of memory; the router retries");
        route_cache_invalidate(rs.lo, rs.hi);
    }
    rs.running = 0;
    /* A run that could not be read is tried again at the next connect. */
    rs.done = rs.failed == 0;
}

static void restore_skip(const char *run, const char *reason) {
    rs.skipped++;
    log_event("warn", "overlay_restore_skipped", "run %.200s: %s", run, reason);
}

/* Apply one stored run (field/value pairs V) to the overlay. */
static void restore_run(const char *id, const char *const *v, const size_t *lens, size_t n) {
    const struct rt_timetable *tt = srv_timetable();
    struct rt_overlay *ov = srv_overlay();
    const char *trip = "", *date = "", *start = "";
    int cancelled = 0;
    uint32_t run, nst;
    char why[200];
    int64_t lo, hi;
    size_t nrep = 0;
    struct stop_rep *reps;

    for (size_t i = 0; i + 1 < n; i += 2) {
        if (strcmp(v[i], "trip") == 0) trip = v[i + 1];
        else if (strcmp(v[i], "date") == 0) date = v[i + 1];
        else if (strcmp(v[i], "start") == 0) start = v[i + 1];
        else if (strcmp(v[i], "cancelled") == 0) cancelled = strcmp(v[i + 1], "1") == 0;
    }
    if (tt == NULL || ov == NULL) {
        restore_skip(id, "no timetable or overlay");
        return;
    }
    run = find_run(tt, trip, date, start, why, sizeof(why));
    if (run == RT_NONE) {
        restore_skip(id, why);          /* the timetable changed since */
        return;
    }
    nst = tt->trips[tt->runs[run].trip].nstops;
    if ((reps = calloc(n / 2 + 1, sizeof(*reps))) == NULL) {
        restore_skip(id, "out of memory");
        return;
    }
    for (size_t i = 0; i + 1 < n; i += 2) {
        if (strncmp(v[i], "stop:", 5) != 0) continue;
        if (rep_decode(v[i], v[i + 1], lens[i + 1], nst, &reps[nrep]) != 0) {
            snprintf(why, sizeof(why), "field %.40s does not fit the trip's %u stops or is "
                     "malformed", v[i], nst);
            restore_skip(id, why);
            free(reps);
            return;
        }
        nrep++;
    }
    run_span(tt, ov, run, &lo, &hi);
    if (rt_overlay_clear_run(ov, run) != 0 ||
        (cancelled ? rt_overlay_cancel(ov, run) : apply_stops(ov, run, reps, nrep)) != 0) {
        rt_overlay_clear_run(ov, run);
        restore_skip(id, "a stored report was refused by the overlay (out of range or "
                         "out of memory)");
        free(reps);
        return;
    }
    free(reps);
    {
        int64_t lo1, hi1;
        run_span(tt, ov, run, &lo1, &hi1);
        if (lo1 < lo) lo = lo1;
        if (hi1 > hi) hi = hi1;
    }
    if (rs.applied == 0 || lo < rs.lo) rs.lo = lo;
    if (rs.applied == 0 || hi > rs.hi) rs.hi = hi;
    rs.applied++;
}

static void got_run(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    char *id = arg;
    if (status == STORE_OK)
        restore_run(id, v, lens, n);
    else if (status == STORE_NOT_FOUND)
        restore_skip(id, "listed in overlay:{rt}:runs but its hash is gone");
    else {
        rs.failed++;
        log_event("warn", "overlay_restore_failed", "run %.200s: %s", id,
                  store_error_text(status));
    }
    free(id);
    if (--rs.pending == 0) restore_finished();
}

static void got_runs(int status, const char *const *v, const size_t *lens, size_t n,
                     void *arg) {
    (void)arg;
    if (status != STORE_OK) {
        log_event("warn", "overlay_restore_failed",
                  "cannot list stored trip updates (%s); trying again at the next connect",
                  store_error_text(status));
        rs.running = 0;
        return;
    }
    rs.pending = 1;        /* held until every fetch is sent */
    for (size_t i = 0; i < n; i++) {
        char *id = strndup(v[i], lens[i]);
        if (id == NULL) {
            rs.failed++;
            continue;
        }
        rs.pending++;
        store_overlay_run_get(id, got_run, id);
    }
    if (--rs.pending == 0) restore_finished();
}

void trips_restore(void) {
    if (rs.done || rs.running || srv_timetable() == NULL) return;
    rs.running = 1;
    rs.applied = rs.skipped = rs.failed = 0;
    store_overlay_runs(got_runs, NULL);
}
