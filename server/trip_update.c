/* trip_update.c -- validation of a trip update body and the stored form of
 * a per-stop report (trip_update.h).  api_trips.c answers with the status
 * and message these give; nothing here replies or touches Redis. */
#include "trip_update.h"
#include "routing/overlay.h"
#include "geodata/timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small parsers ------------------------------------------------------- */

int trip_parse_date(const char *s, int *ymd) {
    int y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return -1;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    *ymd = y * 10000 + m * 100 + d;
    if (rt_days_from_date(*ymd) == INT32_MIN ||
        rt_date_from_days(rt_days_from_date(*ymd)) != *ymd)
        return -2;
    return 0;
}

int32_t trip_parse_hms(const char *s) {
    int h = 0, n = 0;
    while (isdigit((unsigned char)s[n]) && n < 3)
        h = h * 10 + (s[n++] - '0');
    if (n == 0 || n > 2 || s[n] != ':' || !isdigit((unsigned char)s[n + 1]) ||
        !isdigit((unsigned char)s[n + 2]) || s[n + 3] != ':' ||
        !isdigit((unsigned char)s[n + 4]) || !isdigit((unsigned char)s[n + 5]) ||
        s[n + 6])
        return -1;
    int m = (s[n + 1] - '0') * 10 + (s[n + 2] - '0');
    int sec = (s[n + 4] - '0') * 10 + (s[n + 5] - '0');
    if (m > 59 || sec > 59) return -1;
    return (int32_t)(h * 3600 + m * 60 + sec);
}

uint32_t trip_find_run(const struct rt_timetable *tt, const char *trip,
                       const char *date, const char *start, char *why, size_t whylen) {
    int ymd = 0;
    int32_t st = -1;
    uint32_t t = rt_trip_find(tt, trip), run;
    if (t == RT_NONE) {
        snprintf(why, whylen, "no trip '%.64s'", trip);
        return RT_NONE;
    }
    if (trip_parse_date(date, &ymd) != 0) {
        snprintf(why, whylen, "trip '%.64s' does not run on %.10s", trip, date);
        return RT_NONE;
    }
    if (start[0] != '\0') st = trip_parse_hms(start);
    run = rt_overlay_find_run(tt, trip, ymd, st);
    if (run == RT_NONE)
        snprintf(why, whylen, "trip '%.64s' does not run on %.10s%s%.15s", trip, date,
                 start[0] ? " starting at " : "", start);
    return run;
}

/* ---- the stored form ----------------------------------------------------- */

char *trip_rep_encode(const struct trip_stop_rep *s) {
    json_t *o = json_pack(
        "{s:s, s:o, s:o, s:i}", "k",
        s->kind == TRIP_REP_SKIP   ? "skip"
        : s->kind == TRIP_REP_TIME ? "time"
                                   : "delay",
        "a", s->arr == RT_OV_UNSET ? json_null() : json_integer(s->arr), "d",
        s->dep == RT_OV_UNSET ? json_null() : json_integer(s->dep), "o", s->observed);
    char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return txt;
}

int trip_rep_decode(const char *field, const char *val, size_t len, uint32_t nstops,
                    struct trip_stop_rep *s) {
    json_t *o, *a, *d;
    const char *k;
    char *end;
    unsigned long idx;
    int rc = -1;

    if (strncmp(field, "stop:", 5) != 0) return -1;
    o = json_loadb(val, len, 0, NULL);
    errno = 0;
    idx = strtoul(field + 5, &end, 10);
    if (errno || *end || end == field + 5 || idx >= nstops || !json_is_object(o))
        goto done;
    k = json_string_value(json_object_get(o, "k"));
    a = json_object_get(o, "a");
    d = json_object_get(o, "d");
    if (k == NULL || (!json_is_null(a) && !json_is_integer(a)) ||
        (!json_is_null(d) && !json_is_integer(d)))
        goto done;
    s->idx = (uint32_t)idx;
    s->kind = strcmp(k, "skip") == 0   ? TRIP_REP_SKIP
              : strcmp(k, "time") == 0 ? TRIP_REP_TIME
                                       : TRIP_REP_DELAY;
    if (s->kind == TRIP_REP_DELAY && strcmp(k, "delay") != 0) goto done;
    s->arr = json_is_integer(a) ? (int64_t)json_integer_value(a) : RT_OV_UNSET;
    s->dep = json_is_integer(d) ? (int64_t)json_integer_value(d) : RT_OV_UNSET;
    s->observed = json_is_true(json_object_get(o, "o")) ||
                  json_integer_value(json_object_get(o, "o")) == 1;
    rc = 0;
done:
    json_decref(o);
    return rc;
}

/* ---- validation ---------------------------------------------------------- */

static int fail(char *msg, size_t msglen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Write the message and return STATUS. */
static int fail(char *msg, size_t msglen, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    return status;
}

/* Optional integer delay NAME of stop entry E (stops[I]) into *V.  0 or a
 * status. */
static int get_delay(json_t *e, size_t i, const char *name, int64_t *v, char *msg,
                     size_t msglen) {
    json_t *x = json_object_get(e, name);
    *v = RT_OV_UNSET;
    if (x == NULL || json_is_null(x)) return 0;
    if (!json_is_integer(x))
        return fail(msg, msglen, 400, "stops[%zu].%s: must be an integer", i, name);
    if (json_integer_value(x) < -TRIP_MAX_DELAY_S ||
        json_integer_value(x) > TRIP_MAX_DELAY_S)
        return fail(msg, msglen, 422,
                    "stops[%zu].%s: %" JSON_INTEGER_FORMAT " s is more than 90 days", i,
                    name, json_integer_value(x));
    *v = (int64_t)json_integer_value(x);
    return 0;
}

/* Optional ISO 8601 time NAME of stop entry E into *V (Unix seconds),
 * within the timetable's days.  0 or a status. */
static int get_time(const struct rt_timetable *tt, json_t *e, size_t i,
                    const char *name, int64_t *v, char *msg, size_t msglen) {
    json_t *x = json_object_get(e, name);
    char why[128];
    int64_t lo = tt->epoch,
            hi = tt->epoch + ((int64_t)tt->ndays + 2) * 86400 + TRIP_MAX_DELAY_S;
    *v = RT_OV_UNSET;
    if (x == NULL || json_is_null(x)) return 0;
    if (!json_is_string(x))
        return fail(msg, msglen, 400,
                    "stops[%zu].%s: must be an ISO 8601 time with an offset", i, name);
    if (time_parse_iso8601(json_string_value(x), v, why, sizeof(why)) != 0)
        return fail(msg, msglen, 400, "stops[%zu].%s: %s", i, name, why);
    if (*v < lo || *v > hi)
        return fail(msg, msglen, 422,
                    "stops[%zu].%s: outside the loaded timetable's days", i, name);
    return 0;
}

static int get_bool(json_t *e, size_t i, const char *name, int *v, char *msg,
                    size_t msglen) {
    json_t *x = json_object_get(e, name);
    *v = 0;
    if (x == NULL || json_is_null(x)) return 0;
    if (!json_is_boolean(x))
        return fail(msg, msglen, 400, "stops[%zu].%s: must be true or false", i, name);
    *v = json_is_true(x);
    return 0;
}

/* Stop entry E (stops[I]) of a run of TRIP into S; SEEN marks the stop
 * indexes reported so far.  0 or a status. */
static int parse_stop(const struct rt_timetable *tt, const struct rt_trip *trip,
                      json_t *e, size_t i, uint8_t *seen, struct trip_stop_rep *s,
                      char *msg, size_t msglen) {
    static const char *const known[] = {"stop_sequence_index",
                                        "stop_id",
                                        "arrival_delay_s",
                                        "departure_delay_s",
                                        "arrival",
                                        "departure",
                                        "skipped",
                                        "observed"};
    const struct rt_stop_time *pat = tt->stop_times + trip->first_stop_time;
    json_t *idx, *sid, *v;
    int64_t ad, dd, at, dt;
    int skipped, st, has_delay, has_time;
    const char *key;

    if (!json_is_object(e))
        return fail(msg, msglen, 400, "stops[%zu]: must be an object", i);
    json_object_foreach(e, key, v) {
        size_t k = 0;
        while (k < sizeof(known) / sizeof(known[0]) && strcmp(known[k], key) != 0)
            k++;
        if (k == sizeof(known) / sizeof(known[0]))
            return fail(msg, msglen, 400, "stops[%zu].%.60s: unknown field", i, key);
    }
    idx = json_object_get(e, "stop_sequence_index");
    sid = json_object_get(e, "stop_id");
    if ((idx == NULL) == (sid == NULL))
        return fail(msg, msglen, 400,
                    "stops[%zu]: give exactly one of stop_sequence_index and stop_id",
                    i);
    if (idx != NULL) {
        if (!json_is_integer(idx))
            return fail(msg, msglen, 400,
                        "stops[%zu].stop_sequence_index: must be an integer", i);
        if (json_integer_value(idx) < 0 || json_integer_value(idx) >= trip->nstops)
            return fail(msg, msglen, 422,
                        "stops[%zu].stop_sequence_index: %" JSON_INTEGER_FORMAT
                        " is not in 0..%u (the trip has %u stops)",
                        i, json_integer_value(idx), trip->nstops - 1, trip->nstops);
        s->idx = (uint32_t)json_integer_value(idx);
    } else {
        uint32_t k;
        if (!json_is_string(sid))
            return fail(msg, msglen, 400, "stops[%zu].stop_id: must be a string", i);
        for (k = 0; k < trip->nstops; k++)
            if (strcmp(rt_str(tt, tt->stops[pat[k].stop].id), json_string_value(sid)) ==
                0)
                break;
        if (k == trip->nstops)
            return fail(msg, msglen, 422,
                        "stops[%zu].stop_id: '%.40s' is not a stop of trip '%.64s'", i,
                        json_string_value(sid), rt_str(tt, trip->id));
        s->idx = k;
    }
    if (seen[s->idx]++)
        return fail(msg, msglen, 422, "stops[%zu]: stop %u is reported twice", i,
                    s->idx);
    if ((st = get_delay(e, i, "arrival_delay_s", &ad, msg, msglen)) != 0 ||
        (st = get_delay(e, i, "departure_delay_s", &dd, msg, msglen)) != 0 ||
        (st = get_time(tt, e, i, "arrival", &at, msg, msglen)) != 0 ||
        (st = get_time(tt, e, i, "departure", &dt, msg, msglen)) != 0 ||
        (st = get_bool(e, i, "skipped", &skipped, msg, msglen)) != 0 ||
        (st = get_bool(e, i, "observed", &s->observed, msg, msglen)) != 0)
        return st;
    has_delay = ad != RT_OV_UNSET || dd != RT_OV_UNSET;
    has_time = at != RT_OV_UNSET || dt != RT_OV_UNSET;
    if (has_delay && has_time)
        return fail(msg, msglen, 422, "stops[%zu]: give delays or times, not both", i);
    if (skipped && (has_delay || has_time))
        return fail(msg, msglen, 422, "stops[%zu]: a skipped stop has no times", i);
    if (!skipped && !has_delay && !has_time)
        return fail(msg, msglen, 422,
                    "stops[%zu]: nothing reported: give arrival_delay_s, "
                    "departure_delay_s, arrival, departure or skipped",
                    i);
    if (at != RT_OV_UNSET && dt != RT_OV_UNSET && dt < at)
        return fail(msg, msglen, 422, "stops[%zu].departure: before the arrival", i);
    s->kind = skipped ? TRIP_REP_SKIP : has_time ? TRIP_REP_TIME : TRIP_REP_DELAY;
    s->arr = has_time ? at : ad;
    s->dep = has_time ? dt : dd;
    if (skipped) s->arr = s->dep = RT_OV_UNSET;
    return 0;
}

/* The "stops" array ARR of run U->run into U.  0 or a status. */
static int parse_stops(const struct rt_timetable *tt, json_t *arr,
                       struct trip_update *u, char *msg, size_t msglen) {
    const struct rt_trip *trip = &tt->trips[tt->runs[u->run].trip];
    size_t n = json_array_size(arr);
    uint8_t *seen;
    int st = 0;

    if (n > TRIP_MAX_STOPS)
        return fail(msg, msglen, 422, "stops: at most %d entries", TRIP_MAX_STOPS);
    u->stops = calloc(n, sizeof(*u->stops));
    seen = calloc(trip->nstops, 1);
    if (u->stops == NULL || seen == NULL) {
        st = fail(msg, msglen, 503, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n && st == 0; i++)
        st = parse_stop(tt, trip, json_array_get(arr, i), i, seen, &u->stops[i], msg,
                        msglen);
    if (st == 0) u->nstops = n;
done:
    free(seen);
    if (st != 0) trip_update_release(u);
    return st;
}

int trip_update_parse(const struct rt_timetable *tt, const char *trip, json_t *body,
                      struct trip_update *u, char *msg, size_t msglen) {
    json_t *date, *start, *canc, *stops, *clear, *v;
    const char *key;
    char why[200];
    int ymd, nwhat;

    memset(u, 0, sizeof(*u));
    u->run = RT_NONE;
    if (msglen > 0) msg[0] = '\0';
    json_object_foreach(body, key, v) {
        if (strcmp(key, "date") && strcmp(key, "start_time") &&
            strcmp(key, "cancelled") && strcmp(key, "stops") && strcmp(key, "clear"))
            return fail(
                msg, msglen, 400,
                "%.60s: unknown field (expected date, start_time, cancelled, stops, "
                "clear)",
                key);
    }
    date = json_object_get(body, "date");
    start = json_object_get(body, "start_time");
    canc = json_object_get(body, "cancelled");
    stops = json_object_get(body, "stops");
    clear = json_object_get(body, "clear");
    if (!json_is_string(date))
        return fail(msg, msglen, 400, "date: required, the service date YYYY-MM-DD");
    switch (trip_parse_date(json_string_value(date), &ymd)) {
    case -1:
        return fail(msg, msglen, 400, "date: must be YYYY-MM-DD");
    case -2:
        return fail(msg, msglen, 422, "date: '%.10s' is not a calendar date",
                    json_string_value(date));
    default:
        break;
    }
    if (start != NULL &&
        (!json_is_string(start) || trip_parse_hms(json_string_value(start)) < 0))
        return fail(msg, msglen, 400, "start_time: must be HH:MM:SS");
    if (canc != NULL && !json_is_boolean(canc))
        return fail(msg, msglen, 400, "cancelled: must be true");
    if (clear != NULL && !json_is_boolean(clear))
        return fail(msg, msglen, 400, "clear: must be true");
    if (stops != NULL && !json_is_array(stops))
        return fail(msg, msglen, 400, "stops: must be an array");
    nwhat = (canc != NULL) + (stops != NULL) + (clear != NULL);
    if (nwhat != 1)
        return fail(msg, msglen, 400, "give exactly one of stops, cancelled and clear");
    if ((canc && !json_is_true(canc)) || (clear && !json_is_true(clear)))
        return fail(msg, msglen, 422, "%s: only true is meaningful",
                    canc ? "cancelled" : "clear");
    if (stops != NULL && json_array_size(stops) == 0)
        return fail(msg, msglen, 422, "stops: at least one stop");
    u->what = canc ? TRIP_UP_CANCEL : clear ? TRIP_UP_CLEAR : TRIP_UP_STOPS;
    snprintf(u->date, sizeof(u->date), "%s", json_string_value(date));
    u->run = trip_find_run(tt, trip, u->date, start ? json_string_value(start) : "",
                           why, sizeof(why));
    if (u->run == RT_NONE) return fail(msg, msglen, 404, "%s", why);
    if (u->what == TRIP_UP_STOPS) return parse_stops(tt, stops, u, msg, msglen);
    return 0;
}

void trip_update_release(struct trip_update *u) {
    free(u->stops);
    u->stops = NULL;
    u->nstops = 0;
}
