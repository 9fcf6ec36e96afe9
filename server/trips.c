/* trips.c -- real-time trip updates recorded: written to Redis first
 * (overlay:{rt}:* in docs/redis-keys.md), then applied to the server's
 * overlay (srv_overlay()), then the cached route answers that the run's
 * old or new times overlap are dropped (route_cache_invalidate).  Both
 * POST /v1/trips/{trip_id}/updates (api_trips.c) and the carrier feeds
 * (feeds.c) record through trips_record(); trips_restore() re-applies
 * every stored run when the store first becomes ready. */
#include "trips.h"

#include "log.h"
#include "route_cache.h"
#include "routing/overlay.h"
#include "server.h"
#include "store.h"
#include "waybills.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An update between its validation and Redis' reply to its write. */
struct pending {
    struct trip_update u;
    char trip[128];
    char run_id[TRIPS_RUN_ID_LEN];
    char start[16]; /* "" or the run's start, GTFS seconds */
    trips_done_cb *cb;
    void *arg;
};

void trips_format_hms(int32_t t, char *buf, size_t len) {
    snprintf(buf, len, "%02d:%02d:%02d", (int)(t / 3600), (int)(t / 60 % 60), (int)(t % 60));
}

/* The canonical id of RUN in Redis: TRIP:DATE, plus :HH:MM:SS for runs of
 * frequencies.txt (so one run never has two ids). */
void trips_run_id(const struct rt_timetable *tt, uint32_t run, const char *date, char *buf,
                   size_t len, char *start, size_t startlen) {
    const struct rt_run *rr = &tt->runs[run];
    const char *trip = rt_str(tt, tt->trips[rr->trip].id);
    start[0] = '\0';
    if (rr->flags & RT_RUN_FREQUENCY) trips_format_hms(rr->start, start, startlen);
    snprintf(buf, len, "%s:%s%s%s", trip, date, start[0] ? ":" : "", start);
}

/* Earliest and latest current time of RUN, Unix seconds. */
void trips_run_span(const struct rt_timetable *tt, const struct rt_overlay *ov, uint32_t run,
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

/* Apply N reports to RUN.  0, or -1 (out of memory: validated reports
 * cannot fail otherwise). */
static int apply_stops(struct rt_overlay *ov, uint32_t run, const struct trip_stop_rep *s,
                       size_t n) {
    for (size_t i = 0; i < n; i++) {
        enum rt_time_source src = s[i].observed ? RT_TIME_OBSERVED : RT_TIME_ESTIMATED;
        int rc = s[i].kind == TRIP_REP_SKIP ? rt_overlay_skip(ov, run, s[i].idx)
                 : s[i].kind == TRIP_REP_TIME
                     ? rt_overlay_set_time(ov, run, s[i].idx, s[i].arr, s[i].dep, src)
                     : rt_overlay_set_delay(ov, run, s[i].idx, s[i].arr, s[i].dep, src);
        if (rc != 0) return -1;
    }
    return 0;
}

static void pending_free(struct pending *p) {
    if (p == NULL) return;
    trip_update_release(&p->u);
    free(p);
}

/* Redis replied to the write: apply, drop stale cached answers, report. */
static void stored(int status, void *arg) {
    struct pending *p = arg;
    struct trip_update *u = &p->u;
    const struct rt_timetable *tt = srv_timetable();
    struct rt_overlay *ov = srv_overlay();
    int64_t lo0, hi0, lo1, hi1;
    int rc = 0;

    if (status != STORE_OK) goto done;
    trips_run_span(tt, ov, u->run, &lo0, &hi0);
    if (u->what == TRIP_UP_CLEAR) {
        rc = rt_overlay_clear_run(ov, u->run);
    } else if (u->what == TRIP_UP_CANCEL) {
        rc = rt_overlay_cancel(ov, u->run);
    } else {
        rc = apply_stops(ov, u->run, u->stops, u->nstops);
    }
    if (rc != 0) {
        /* Out of memory: Redis has the update, a restart re-applies it. */
        log_event("error", "overlay_apply_failed", "run %s: out of memory", p->run_id);
        status = TRIPS_NOMEM;
        goto done;
    }
    /* The router reads the overlay's side array: rebuild it now (a failure
     * leaves it unprepared, and the router's own call tries again). */
    if (rt_overlay_prepare(ov) != 0)
        log_event("warn", "overlay_prepare_failed", "out of memory; the router retries");
    trips_run_span(tt, ov, u->run, &lo1, &hi1);
    route_cache_invalidate(lo0 < lo1 ? lo0 : lo1, hi0 > hi1 ? hi0 : hi1);
    waybills_on_run(u->run);
done:
    if (p->cb) p->cb(status, u, p->arg);
    pending_free(p);
}

void trips_record(struct trip_update *u, trips_done_cb *cb, void *arg) {
    const struct rt_timetable *tt = srv_timetable();
    struct pending *p = calloc(1, sizeof(*p));
    const char **fv = NULL;
    char **enc = NULL, (*fields)[24] = NULL, now[24];
    size_t nfv = 0, nenc = 0;
    int64_t lo, hi;

    if (p == NULL || tt == NULL || srv_overlay() == NULL) {
        if (cb) cb(TRIPS_NOMEM, u, arg);
        trip_update_release(u);
        free(p);
        return;
    }
    p->u = *u;          /* take the stops over */
    memset(u, 0, sizeof(*u));
    u = &p->u;
    p->cb = cb;
    p->arg = arg;
    snprintf(p->trip, sizeof(p->trip), "%s", rt_str(tt, tt->trips[tt->runs[u->run].trip].id));
    trips_run_id(tt, u->run, u->date, p->run_id, sizeof(p->run_id), p->start,
                 sizeof(p->start));
    if (u->what == TRIP_UP_CLEAR) {
        store_overlay_clear(p->run_id, stored, p);
        return;
    }
    fv = calloc(2 * (u->nstops + 5), sizeof(*fv));
    enc = calloc(u->nstops + 1, sizeof(*enc));
    fields = calloc(u->nstops + 1, sizeof(*fields));
    if (fv == NULL || enc == NULL || fields == NULL) goto nomem;
    snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
    fv[nfv++] = "trip";
    fv[nfv++] = p->trip;
    fv[nfv++] = "date";
    fv[nfv++] = u->date;
    fv[nfv++] = "start";
    fv[nfv++] = p->start;
    fv[nfv++] = "updated_at";
    fv[nfv++] = now;
    if (u->what == TRIP_UP_CANCEL) {
        fv[nfv++] = "cancelled";
        fv[nfv++] = "1";
    }
    for (size_t i = 0; i < u->nstops; i++) {
        if ((enc[nenc] = trip_rep_encode(&u->stops[i])) == NULL) goto nomem;
        snprintf(fields[i], sizeof(fields[i]), "stop:%u", u->stops[i].idx);
        fv[nfv++] = fields[i];
        fv[nfv++] = enc[nenc++];
    }
    /* Kept while the run may still be under way, then dropped: its last
     * scheduled time plus the largest delay a report may carry, plus a
     * week for looking back.  store.c copies the arguments. */
    trips_run_span(tt, NULL, u->run, &lo, &hi);
    store_overlay_write(p->run_id, u->what == TRIP_UP_CANCEL, fv, nfv,
                        (long long)(hi + TRIP_MAX_DELAY_S + TRIP_RETAIN_S), stored, p);
    goto out;
nomem:
    if (cb) cb(TRIPS_NOMEM, u, arg);
    pending_free(p);
out:
    for (size_t k = 0; k < nenc; k++) free(enc[k]);
    free(enc);
    free(fv);
    free(fields);
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
    struct trip_stop_rep *reps;

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
    run = trip_find_run(tt, trip, date, start, why, sizeof(why));
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
        if (trip_rep_decode(v[i], v[i + 1], lens[i + 1], nst, &reps[nrep]) != 0) {
            snprintf(why, sizeof(why), "field %.40s does not fit the trip's %u stops or is "
                     "malformed", v[i], nst);
            restore_skip(id, why);
            free(reps);
            return;
        }
        nrep++;
    }
    trips_run_span(tt, ov, run, &lo, &hi);
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
        trips_run_span(tt, ov, run, &lo1, &hi1);
        if (lo1 < lo) lo = lo1;
        if (hi1 > hi) hi = hi1;
    }
    if (rs.applied == 0 || lo < rs.lo) rs.lo = lo;
    if (rs.applied == 0 || hi > rs.hi) rs.hi = hi;
    /* Waybills held already move now; those loaded later are computed
     * against the restored overlay when they load. */
    waybills_on_run(run);
    rs.applied++;
}

static void got_run(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    char *id = arg;
    if (status == STORE_OK)
        restore_run(id, v, lens, n);
    else if (status == STORE_NOT_FOUND) {
        /* Expired (the run is long over) or deleted: forget the name too. */
        restore_skip(id, "listed in overlay:{rt}:runs but its hash is gone (expired)");
        store_overlay_clear(id, NULL, NULL);
    }
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
