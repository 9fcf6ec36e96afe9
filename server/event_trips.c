/* event_trips.c -- carrier events placed on the timetable's runs (see
 * event_trips.h). */
#include "event_trips.h"

#include "routing/overlay.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The trip E is about, or RT_NONE. */
static uint32_t find_trip(const struct rt_timetable *tt, const struct carrier_event *e) {
    static const char *const kinds[] = {"trip", "voyage", "train", "flight"};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (int i = 0; i < e->nrefs; i++)
            if (strcmp(e->refs[i].kind, kinds[k]) == 0) {
                uint32_t t = rt_trip_find(tt, e->refs[i].value);
                if (t != RT_NONE) return t;
            }
    return RT_NONE;
}

/* 1 when stop id ID is CODE itself or a terminal of it: node codes are
 * a UN/LOCODE and a suffix ("CNCAN-DL" is a yard of CNCAN). */
static int names(const char *id, const char *code, int prefix) {
    size_t n = strlen(code);
    if (!prefix) return strcmp(id, code) == 0;
    return strncmp(id, code, n) == 0 && id[n] == '-';
}

/* Index of the stop of TRIP named by E (stop_id, else the location: the
 * stop itself, its parent station, or a terminal of that UN/LOCODE), or
 * RT_NONE.  A stop called at twice is taken at its first call. */
static uint32_t find_stop(const struct rt_timetable *tt, uint32_t trip,
                          const struct carrier_event *e) {
    const struct rt_trip *t = &tt->trips[trip];
    const struct rt_stop_time *pat = tt->stop_times + t->first_stop_time;
    const char *want[2] = {e->stop_id, e->location};
    /* A call sequence (DCSA transportCallSequenceNumber, GTFS-RT
     * stop_sequence numbered 1..n as our feeds are) picks the stop when it
     * agrees with the place: a port's terminals share its UN/LOCODE. */
    if (e->stop_sequence >= 1 && (uint32_t)e->stop_sequence <= t->nstops) {
        uint32_t k = (uint32_t)e->stop_sequence - 1;
        const char *id = rt_str(tt, tt->stops[pat[k].stop].id);
        for (int w = 0; w < 2; w++)
            if (want[w][0] && (names(id, want[w], 0) || names(id, want[w], 1))) return k;
    }
    for (int prefix = 0; prefix < 2; prefix++)
        for (int w = 0; w < 2; w++) {
            if (want[w][0] == '\0') continue;
            for (uint32_t k = 0; k < t->nstops; k++) {
                uint32_t s = pat[k].stop;
                if (names(rt_str(tt, tt->stops[s].id), want[w], prefix)) return k;
                /* A platform's parent station names it too. */
                if (tt->stops[s].parent != RT_NONE &&
                    names(rt_str(tt, tt->stops[tt->stops[s].parent].id), want[w], prefix))
                    return k;
            }
        }
    return RT_NONE;
}

/* Scheduled Unix time of RUN at stop K: its departure, or its arrival
 * when ARR.  INT64_MIN when out of range. */
static int64_t sched(const struct rt_timetable *tt, uint32_t run, uint32_t k, int arr) {
    uint32_t a, d;
    if (rt_overlay_stop_time(NULL, tt, run, k, &a, &d, NULL, NULL) != 0) return INT64_MIN;
    return (int64_t)(arr ? a : d) + tt->epoch;
}

void event_trip_date(const struct rt_timetable *tt, uint32_t run, char *buf, size_t len) {
    int ymd = rt_date_from_days(tt->first_day + (int32_t)tt->runs[run].day);
    snprintf(buf, len, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* Up to four spellings of flight or train number V (KIND "flight" or
 * "train") into OUT, V itself first: the number part without its leading
 * zeros, and for a flight also padded to 3 and 4 digits, so "CZ0345",
 * "CZ345" and "CZ 345" all find a trip named either way.  A flight's
 * designator is its first two characters ("CZ", "3V"), or three letters
 * (ICAO); a train's prefix the letters before the number.  An optional
 * one-letter suffix (operational suffix) is kept.  Returns how many. */
static int short_names(const char *kind, const char *v, char out[4][CARRIER_REF_VALUE]) {
    size_t n = strlen(v), p = 0, d, dend;
    int k = 0;
    char pre[8], suf[2] = "";
    snprintf(out[k++], CARRIER_REF_VALUE, "%s", v);
    if (strcmp(kind, "flight") == 0) {
        if (n < 3) return k;
        p = (isalpha((unsigned char)v[0]) && isalpha((unsigned char)v[1]) &&
             isalpha((unsigned char)v[2])) ? 3 : 2;
    } else {
        while (p < n && isalpha((unsigned char)v[p])) p++;
    }
    if (p >= sizeof(pre)) return k;
    memcpy(pre, v, p);
    pre[p] = '\0';
    d = p;
    while (v[d] == ' ') d++;
    for (dend = d; isdigit((unsigned char)v[dend]); dend++) {}
    if (dend == d || dend - d > 5) return k;
    if (v[dend] != '\0') {
        if (!isalpha((unsigned char)v[dend]) || v[dend + 1] != '\0') return k;
        suf[0] = v[dend];
    }
    while (d + 1 < dend && v[d] == '0') d++;
    {
        int num = (int)strtol(v + d, NULL, 10);
        int nwidth = strcmp(kind, "flight") == 0 ? 3 : 1;
        for (int w = 0; w < nwidth; w++) {
            char buf[CARRIER_REF_VALUE];
            int dup = 0;
            snprintf(buf, sizeof(buf), "%s%0*d%s", pre, w ? w + 2 : 1, num, suf);
            for (int j = 0; j < k; j++) dup |= strcmp(out[j], buf) == 0;
            if (!dup) snprintf(out[k++], CARRIER_REF_VALUE, "%s", buf);
        }
    }
    return k;
}

/* The run of TRIP at stop STOP (its arrival when ARR) that E is about:
 * the one on E's start_date, else the one whose schedule there is nearest
 * the event time, within the largest delay a report may carry; *DIST gets
 * how far (0 by start_date).  RT_NONE when there is none (or E has
 * neither a start_date nor a time). */
static uint32_t find_run(const struct rt_timetable *tt, uint32_t trip, uint32_t stop,
                         int arr, const struct carrier_event *e, int64_t *dist) {
    const struct rt_trip *t = &tt->trips[trip];
    uint32_t run = RT_NONE;
    *dist = 0;
    if (e->start_date[0]) {
        char *end;
        long ymd = strtol(e->start_date, &end, 10);
        if (*end == '\0') run = rt_overlay_find_run(tt, rt_str(tt, t->id), (int)ymd, -1);
    } else if (e->event_time != 0) {
        int64_t best = TRIP_MAX_DELAY_S + 1;
        for (uint32_t r = t->first_run; r < t->first_run + t->nruns; r++) {
            int64_t s = sched(tt, r, stop, arr), d;
            if (s == INT64_MIN) continue;
            d = e->event_time > s ? e->event_time - s : s - e->event_time;
            if (d < best) {
                best = d;
                run = r;
            }
        }
        *dist = best;
    }
    return run;
}

/* Place E by its "flight" or "train" reference, matched against the trips'
 * trip_short_name: among every trip so named, the run (with E's stop) that
 * find_run puts nearest.  0 with *TRIP, *STOP, *RUN set; RT_NONE in *TRIP
 * when no trip has that name, else 1 when none of them has the stop or a
 * run. */
static int place_by_short_name(const struct rt_timetable *tt, const struct carrier_event *e,
                               int need_stop, int arr, uint32_t *trip, uint32_t *stop,
                               uint32_t *run) {
    static const char *const kinds[] = {"flight", "train"};
    int64_t best = INT64_MAX;
    *trip = *run = RT_NONE;
    *stop = 0;
    if (tt->nshort == 0) return 1;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (int i = 0; i < e->nrefs; i++) {
            char names_[4][CARRIER_REF_VALUE];
            int nn;
            if (strcmp(e->refs[i].kind, kinds[k]) != 0) continue;
            nn = short_names(kinds[k], e->refs[i].value, names_);
            for (int v = 0; v < nn; v++)
                for (uint32_t c = rt_trip_find_short(tt, names_[v], RT_NONE); c != RT_NONE;
                     c = rt_trip_find_short(tt, names_[v], c)) {
                    uint32_t s = 0, r;
                    int64_t d;
                    if (*trip == RT_NONE) *trip = c;   /* the name is known */
                    if (need_stop && (s = find_stop(tt, c, e)) == RT_NONE) continue;
                    if ((r = find_run(tt, c, s, arr, e, &d)) == RT_NONE || d >= best) continue;
                    best = d;
                    *trip = c;
                    *stop = s;
                    *run = r;
                }
        }
    return *run == RT_NONE ? 1 : 0;
}

int event_trip_resolve(const struct rt_timetable *tt, const struct carrier_event *e,
                       struct event_trip *out, char *why, size_t whylen) {
    uint32_t trip, stop = 0, run = RT_NONE;
    int arr = 0, cancel = 0, skip = 0, trip_delay = 0;
    const struct rt_trip *t;
    int64_t dist;

    memset(out, 0, sizeof(*out));
    if (e->classifier == CC_PLANNED || e->retracted) return 1;
    if (e->status == CS_DEPARTED) arr = 0;
    else if (e->status == CS_ARRIVED) arr = 1;
    else if (e->status == CS_CANCELLED) cancel = 1;
    else if (e->status == CS_EXCEPTION && strcmp(e->code, "SKIPPED") == 0) skip = 1;
    else if (e->status == CS_EXCEPTION && strcmp(e->code, "TRIP_DELAY") == 0) trip_delay = 1;
    else return 1;

    trip = find_trip(tt, e);
    if (trip == RT_NONE) {
        /* No trip_id: a flight or train number names the trips (the
         * public number is trip_short_name), and the run picks the trip. */
        if (place_by_short_name(tt, e, !cancel && !trip_delay, arr, &trip, &stop, &run) == 0)
            goto placed;
        if (e->event_time != 0) return 1;   /* keep, not apply */
        if (trip != RT_NONE) {
            snprintf(why, whylen, "start_date: no trip named '%.64s' runs on %s with stop "
                     "'%.40s'", rt_str(tt, tt->trips[trip].short_name),
                     e->start_date[0] ? e->start_date : "(none)",
                     e->stop_id[0] ? e->stop_id : e->location);
            return -1;
        }
        snprintf(why, whylen, "refs.trip: '%.64s' is not a trip of the timetable, so a "
                 "delay without a time cannot be placed",
                 carrier_event_ref(e, "trip") ? carrier_event_ref(e, "trip") : "");
        return -1;
    }
    t = &tt->trips[trip];
    if (!cancel && !trip_delay) {
        stop = find_stop(tt, trip, e);
        if (stop == RT_NONE) {
            if (e->event_time != 0) return 1;   /* a place off the trip: keep, not apply */
            snprintf(why, whylen, "stop_id: '%.40s' is not a stop of trip '%.64s'",
                     e->stop_id[0] ? e->stop_id : e->location, rt_str(tt, t->id));
            return -1;
        }
    }
    if (e->start_date[0]) {
        run = find_run(tt, trip, stop, arr, e, &dist);
        if (run == RT_NONE) {
            if (e->event_time != 0) return 1;
            snprintf(why, whylen, "start_date: trip '%.64s' does not run on %s",
                     rt_str(tt, t->id), e->start_date);
            return -1;
        }
    } else if (e->event_time != 0) {
        run = find_run(tt, trip, stop, arr, e, &dist);
        if (run == RT_NONE) return 1;   /* no run near that time: keep, not apply */
    } else {
        snprintf(why, whylen, "start_date: a delay for trip '%.64s' needs the run's "
                 "start date", rt_str(tt, t->id));
        return -1;
    }

placed:
    out->run = run;
    out->event_time = e->event_time;
    /* Cancellations, skips and trip delays may come without a time (GTFS-RT
     * gives none): they are placed at the scheduled time they concern. */
    if (out->event_time == 0) {
        int64_t s = sched(tt, run, stop, arr);
        out->event_time = s == INT64_MIN ? 0 : s + (e->has_delay ? e->delay_s : 0);
    }
    if (cancel) {
        out->cancel = 1;
        return 0;
    }
    out->rep.idx = stop;
    out->rep.observed = e->classifier == CC_ACTUAL;
    out->rep.arr = out->rep.dep = RT_OV_UNSET;
    if (skip) {
        out->rep.kind = TRIP_REP_SKIP;
        return 0;
    }
    if (e->has_delay) {
        if (e->delay_s > TRIP_MAX_DELAY_S || e->delay_s < -TRIP_MAX_DELAY_S) {
            snprintf(why, whylen, "delay_s: %d is beyond 90 days", (int)e->delay_s);
            return -1;
        }
        out->rep.kind = TRIP_REP_DELAY;
        if (arr) out->rep.arr = e->delay_s;
        else out->rep.dep = e->delay_s;
        return 0;
    }
    if (trip_delay) {   /* a trip delay without a delay says nothing */
        snprintf(why, whylen, "delay_s: a TRIP_DELAY event needs a delay");
        return -1;
    }
    out->rep.kind = TRIP_REP_TIME;
    if (arr) out->rep.arr = e->event_time;
    else out->rep.dep = e->event_time;
    return 0;
}
