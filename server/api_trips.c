/* api_trips.c -- manual real-time trip updates (operations staff entering a
 * delay a carrier reported by phone) and the per-stop view of a run:
 *
 *   POST /v1/trips/{trip_id}/updates   admin, carrier
 *   GET  /v1/trips/{trip_id}?date=...  admin, carrier, forwarder
 *
 * An update is validated whole by trip_update.c (400 shape and types, 404
 * trip or date, 422 values), written to Redis (store.c, overlay:{rt}:* in
 * docs/redis-keys.md), and only once Redis replied applied to the server's
 * overlay (srv_overlay()) and answered 200; cached route answers that the
 * run's old or new times overlap are then dropped (route_cache_invalidate).
 * Redis down: 503 and the overlay is left as it was.  The recording itself
 * (shared with the carrier feeds) is trips.c. */
#include "api.h"
#include "http.h"
#include "log.h"
#include "route_cache.h"
#include "routing/overlay.h"
#include "router.h"
#include "server.h"
#include "store.h"
#include "geodata/timefmt.h"
#include "trip_update.h"
#include "trips.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RUN_ID_LEN 200

static const char *source_name(enum rt_time_source s) {
    return s == RT_TIME_OBSERVED ? "observed" : s == RT_TIME_ESTIMATED ? "estimated" : "scheduled";
}

/* ---- the run: lookup, view, span ----------------------------------------- */

static json_t *run_view(const struct rt_timetable *tt, const struct rt_overlay *ov,
                        uint32_t run, const char *date) {
    const struct rt_run *rr = &tt->runs[run];
    const struct rt_trip *trip = &tt->trips[rr->trip];
    const struct rt_stop_time *pat = tt->stop_times + trip->first_stop_time;
    json_t *stops = json_array(), *o;
    char start[16];

    trips_format_hms(rr->start, start, sizeof(start));
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

/* trips_record's answer: reply with the run's view, or why not. */
static void recorded(int status, const struct trip_update *u, void *arg) {
    struct srv_req *r = arg;
    if (status == TRIPS_NOMEM)
        srv_reply_error(r, 503, "overloaded", "out of memory applying the update");
    else if (status != STORE_OK)
        srv_reply_error(r, 503, "redis_unavailable", "cannot store the update: %s",
                        store_error_text(status));
    else
        srv_reply_json(r, 200, run_view(srv_timetable(), srv_overlay(), u->run, u->date));
}

/* Admins report on any trip; a carrier only on the trips of its own
 * agency: the key's tenant is the GTFS agency_id (letters compared without
 * case, as tenants are lower case).  A carrier key without a tenant reports
 * on nothing. */
static int may_report(const struct rt_timetable *tt, const struct srv_principal *who,
                      uint32_t run) {
    if (who->role != ROLE_CARRIER) return 1;
    const struct rt_trip *trip = &tt->trips[tt->runs[run].trip];
    const char *agency = rt_str(tt, tt->agencies[tt->routes[trip->route].agency].id);
    return who->tenant[0] != '\0' && strcasecmp(who->tenant, agency) == 0;
}

void api_trips_update(struct srv_req *r) {
    const struct rt_timetable *tt = srv_timetable();
    struct rt_overlay *ov = srv_overlay();
    json_t *body = NULL;
    struct trip_update u;
    char msg[300];
    int st;

    if (tt == NULL || ov == NULL) {
        srv_reply_error(r, 503, "not_ready", "no timetable loaded");
        return;
    }
    if ((body = srv_body_json_or_reply(r)) == NULL) return;
    st = trip_update_parse(tt, r->params[0], body, &u, msg, sizeof(msg));
    json_decref(body);
    if (st != 0) {
        bad(r, st, "%s", msg);
        return;
    }
    if (!may_report(tt, &r->who, u.run)) {
        /* Another carrier's trip reads as one that does not exist. */
        trip_update_release(&u);
        bad(r, 404, "no trip '%.64s'", r->params[0]);
        return;
    }
    trips_record(&u, recorded, r);
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
    if (date == NULL || trip_parse_date(date, &ymd) == -1) {
        srv_reply_error(r, 400, "bad_request", "date: required, the service date YYYY-MM-DD");
        goto done;
    }
    if (start != NULL && trip_parse_hms(start) < 0) {
        srv_reply_error(r, 400, "bad_request", "start_time: must be HH:MM:SS");
        goto done;
    }
    run = trip_find_run(tt, r->params[0], date, start ? start : "", why, sizeof(why));
    if (run == RT_NONE) {
        srv_reply_error(r, 404, "not_found", "%s", why);
        goto done;
    }
    srv_reply_json(r, 200, run_view(tt, srv_overlay(), run, date));
done:
    free(date);
    free(start);
}

