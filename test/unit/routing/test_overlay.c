/* routing/overlay.c and rt_csa_earliest_rt on a small hand-written feed
 * (Etc/UTC, one service day 2026-03-10).  Times in the comments are GTFS
 * times of that day.
 *
 *   T1  A 08:00 -> B 09:00/09:10 -> C 10:00/10:05 -> D 11:00
 *   T2  C 10:30 -> E 11:30
 *   T3  A 08:30 -> D 12:00
 *   T4  C 12:30 -> E 13:30
 *   T5  B 08:55 -> F 09:30
 *   T6  B 10:00 -> F 10:30
 *
 * On the schedule: A -> D 11:00 (T1), A -> E 11:30 (T1, T2 at C),
 * A -> F 10:30 (T1, T6 at B: T5 leaves B before T1 arrives). */
#include "routing/csa.h"
#include "routing/gtfs.h"
#include "routing/overlay.h"

#include <criterion/criterion.h>
#include <stdint.h>

static struct rt_timetable tt;
static struct rt_csa_ws *ws;
static struct rt_overlay *ov;
static struct rt_csa_result res;
static int64_t ref; /* timetable seconds of 00:00 on the day */

#define H(h, m) ((long)(h)*3600 + (long)(m)*60)

static void load(void) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\nA,A,Etc/UTC\n";
    static const char dates[] = "service_id,date,exception_type\nD,20260310,1\n";
    static const char routes[] = "route_id,agency_id,route_type\nR,A,2\n";
    static const char stops[] =
        "stop_id,stop_name,stop_lat,stop_lon\n"
        "A,A,1,1\nB,B,1,1\nC,C,1,1\nD,D,1,1\nE,E,1,1\nF,F,1,1\n";
    static const char trips[] =
        "route_id,service_id,trip_id\nR,D,T1\nR,D,T2\nR,D,T3\nR,D,T4\nR,D,T5\nR,D,T6\n";
    static const char times[] =
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,08:00:00,08:00:00,A,1\n"
        "T1,09:00:00,09:10:00,B,2\n"
        "T1,10:00:00,10:05:00,C,3\n"
        "T1,11:00:00,11:00:00,D,4\n"
        "T2,10:30:00,10:30:00,C,1\n"
        "T2,11:30:00,11:30:00,E,2\n"
        "T3,08:30:00,08:30:00,A,1\n"
        "T3,12:00:00,12:00:00,D,2\n"
        "T4,12:30:00,12:30:00,C,1\n"
        "T4,13:30:00,13:30:00,E,2\n"
        "T5,08:55:00,08:55:00,B,1\n"
        "T5,09:30:00,09:30:00,F,2\n"
        "T6,10:00:00,10:00:00,B,1\n"
        "T6,10:30:00,10:30:00,F,2\n";
    struct rt_gtfs_memfile files[] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"calendar_dates.txt", dates, sizeof(dates) - 1},
        {"routes.txt", routes, sizeof(routes) - 1},
        {"stops.txt", stops, sizeof(stops) - 1},
        {"trips.txt", trips, sizeof(trips) - 1},
        {"stop_times.txt", times, sizeof(times) - 1},
    };
    static struct rt_load_report rep;
    int rc =
        rt_gtfs_load_memory(&tt, files, sizeof(files) / sizeof(files[0]), NULL, &rep);
    cr_assert_eq(rc, 0, "%s", rep.err);
    ws = rt_csa_ws_new(&tt);
    ov = rt_overlay_new(&tt);
    cr_assert(ws && ov);
    ref = rt_local_time(&tt, 0, 0, 0);
}

static void unload(void) {
    rt_overlay_free(ov);
    rt_csa_ws_free(ws);
    ov = NULL;
    ws = NULL;
    rt_timetable_free(&tt);
}

TestSuite(overlay, .init = load, .fini = unload);

static uint32_t run(const char *trip) {
    uint32_t r = rt_overlay_find_run(&tt, trip, 20260310, -1);
    cr_assert_neq(r, RT_NONE, "no run of %s", trip);
    return r;
}

static uint32_t stop(const char *id) {
    uint32_t s = rt_stop_find(&tt, id);
    cr_assert_neq(s, RT_NONE, "no stop %s", id);
    return s;
}

/* Assert RUN's overlaid times at stop index I (GTFS seconds of the day). */
static void expect(uint32_t r, uint32_t i, long arr, enum rt_time_source as, long dep,
                   enum rt_time_source ds) {
    uint32_t a, d;
    enum rt_time_source xa, xd;
    cr_assert_eq(rt_overlay_stop_time(ov, &tt, r, i, &a, &d, &xa, &xd), 0);
    cr_assert_eq((long)((int64_t)a - ref), arr, "stop %u: arrival %ld, want %ld", i,
                 (long)((int64_t)a - ref), arr);
    cr_assert_eq((long)((int64_t)d - ref), dep, "stop %u: departure %ld, want %ld", i,
                 (long)((int64_t)d - ref), dep);
    cr_assert_eq(xa, as, "stop %u: arrival source %d, want %d", i, xa, as);
    cr_assert_eq(xd, ds, "stop %u: departure source %d, want %d", i, xd, ds);
}

/* Earliest arrival (GTFS seconds of the day) from FROM to TO leaving at
 * SECS, with the overlay; -1 when unreachable.  Checks that the journey
 * chains and that each ride's times are the overlay's. */
static long query(const char *from, const char *to, long secs) {
    int rc = rt_csa_earliest_rt(&tt, ov, ws, stop(from), stop(to),
                                (uint32_t)(ref + secs), &res);
    cr_assert(rc == 0 || rc == 1, "rc %d", rc);
    if (rc == 1) return -1;
    uint32_t when = (uint32_t)(ref + secs), ns;
    const struct rt_ov_conn *side = rt_overlay_side(ov, &ns);
    for (uint32_t i = 0; i < res.nlegs; i++) {
        const struct rt_leg *g = &res.legs[i];
        cr_assert_geq(g->dep, when);
        cr_assert_geq(g->arr, g->dep);
        if (g->kind == RT_LEG_RIDE) {
            cr_assert(!rt_overlay_cancelled(ov, g->run));
            const struct rt_connection *b = g->board < tt.nconns
                                                ? &tt.conns[g->board]
                                                : &side[g->board - tt.nconns].c;
            const struct rt_connection *e = g->alight < tt.nconns
                                                ? &tt.conns[g->alight]
                                                : &side[g->alight - tt.nconns].c;
            uint32_t d, a;
            enum rt_time_source ds, as;
            cr_assert_eq(
                rt_overlay_stop_time(ov, &tt, g->run, b->seq, NULL, &d, NULL, &ds), 0);
            cr_assert_eq(
                rt_overlay_stop_time(ov, &tt, g->run, e->seq + 1u, &a, NULL, &as, NULL),
                0);
            cr_assert_eq(g->dep, d);
            cr_assert_eq(g->arr, a);
            cr_assert_eq(g->dep_src, ds);
            cr_assert_eq(g->arr_src, as);
        }
        when = g->arr;
    }
    cr_assert_eq(when, res.arrival);
    return (long)((int64_t)res.arrival - ref);
}

Test(overlay, schedule_without_reports) {
    cr_assert_eq(rt_overlay_version(ov), 0);
    expect(run("T1"), 2, H(10, 0), RT_TIME_SCHEDULED, H(10, 5), RT_TIME_SCHEDULED);
    cr_assert_eq(query("A", "D", H(7, 0)), H(11, 0));
    cr_assert_eq(res.arrival_src, RT_TIME_SCHEDULED);
    cr_assert_eq(query("A", "E", H(7, 0)), H(11, 30));
    cr_assert_eq(query("A", "F", H(7, 0)), H(10, 30));
    /* NULL overlay: exactly rt_csa_earliest. */
    struct rt_csa_result plain;
    cr_assert_eq(rt_csa_earliest(&tt, ws, stop("A"), stop("E"),
                                 (uint32_t)(ref + H(7, 0)), &plain),
                 0);
    cr_assert_eq(rt_csa_earliest_rt(&tt, NULL, ws, stop("A"), stop("E"),
                                    (uint32_t)(ref + H(7, 0)), &res),
                 0);
    cr_assert_eq(plain.arrival, res.arrival);
    cr_assert_eq(plain.nlegs, res.nlegs);
    for (uint32_t i = 0; i < plain.nlegs; i++) {
        const struct rt_leg *p = &plain.legs[i], *q = &res.legs[i];
        cr_assert(p->kind == q->kind && p->from == q->from && p->to == q->to &&
                  p->dep == q->dep && p->arr == q->arr && p->run == q->run &&
                  p->board == q->board && p->alight == q->alight &&
                  p->dep_src == RT_TIME_SCHEDULED && q->arr_src == RT_TIME_SCHEDULED);
    }
}

Test(overlay, find_run_and_version) {
    uint32_t r = run("T1");
    cr_assert_eq(tt.trips[tt.runs[r].trip].id, tt.trips[rt_trip_find(&tt, "T1")].id);
    cr_assert_eq(rt_overlay_find_run(&tt, "T1", 20260311, -1), RT_NONE);
    cr_assert_eq(rt_overlay_find_run(&tt, "nope", 20260310, -1), RT_NONE);
    cr_assert_eq(rt_overlay_find_run(&tt, "T1", 20260310, (int32_t)H(8, 0)), r);
    cr_assert_eq(rt_overlay_find_run(&tt, "T1", 20260310, (int32_t)H(8, 1)), RT_NONE);
    uint64_t v = rt_overlay_version(ov);
    cr_assert_eq(rt_overlay_set_delay(ov, r, 1, 60, RT_OV_UNSET, RT_TIME_ESTIMATED), 0);
    cr_assert_gt(rt_overlay_version(ov), v);
    v = rt_overlay_version(ov);
    cr_assert_eq(rt_overlay_cancel(ov, r), 0);
    cr_assert_gt(rt_overlay_version(ov), v);
    v = rt_overlay_version(ov);
    cr_assert_eq(rt_overlay_clear_run(ov, r), 0);
    cr_assert_gt(rt_overlay_version(ov), v);
    v = rt_overlay_version(ov);
    /* Bad arguments change nothing. */
    cr_assert_eq(rt_overlay_set_delay(ov, r, 4, 60, 60, RT_TIME_ESTIMATED), -1);
    cr_assert_eq(rt_overlay_set_delay(ov, tt.nruns, 0, 60, 60, RT_TIME_ESTIMATED), -1);
    cr_assert_eq(rt_overlay_set_delay(ov, r, 0, 60, 60, RT_TIME_SCHEDULED), -1);
    cr_assert_eq(
        rt_overlay_set_time(ov, r, 0, INT64_MAX / 2, RT_OV_UNSET, RT_TIME_OBSERVED),
        -1);
    cr_assert_eq(rt_overlay_cancel(ov, tt.nruns), -1);
    cr_assert_eq(rt_overlay_version(ov), v);
    expect(r, 1, H(9, 0), RT_TIME_SCHEDULED, H(9, 10), RT_TIME_SCHEDULED);
}

Test(overlay, delay_carries_forward) {
    uint32_t r = run("T1");
    /* 10 minutes late into B, nothing said after: B's departure and every
     * later stop move by 10 minutes. */
    cr_assert_eq(rt_overlay_set_delay(ov, r, 1, 600, RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    expect(r, 0, H(8, 0), RT_TIME_SCHEDULED, H(8, 0), RT_TIME_SCHEDULED);
    expect(r, 1, H(9, 10), RT_TIME_ESTIMATED, H(9, 20), RT_TIME_ESTIMATED);
    expect(r, 2, H(10, 10), RT_TIME_ESTIMATED, H(10, 15), RT_TIME_ESTIMATED);
    expect(r, 3, H(11, 10), RT_TIME_ESTIMATED, H(11, 10), RT_TIME_ESTIMATED);
    cr_assert_eq(query("A", "D", H(7, 0)), H(11, 10));
    cr_assert_eq(res.arrival_src, RT_TIME_ESTIMATED);
    cr_assert_eq(res.nlegs, 1);
    cr_assert_eq(res.legs[0].dep_src, RT_TIME_SCHEDULED);
    cr_assert_eq(res.legs[0].arr_src, RT_TIME_ESTIMATED);
}

Test(overlay, later_update_replaces) {
    uint32_t r = run("T1");
    cr_assert_eq(rt_overlay_set_delay(ov, r, 1, 600, RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    /* A report further along takes over from the carried delay ... */
    cr_assert_eq(rt_overlay_set_delay(ov, r, 2, RT_OV_UNSET, 300, RT_TIME_OBSERVED), 0);
    expect(r, 2, H(10, 10), RT_TIME_ESTIMATED, H(10, 10), RT_TIME_OBSERVED);
    expect(r, 3, H(11, 5), RT_TIME_ESTIMATED, H(11, 5), RT_TIME_ESTIMATED);
    /* ... and a new report at the same stop replaces the old one. */
    cr_assert_eq(rt_overlay_set_delay(ov, r, 1, 120, RT_OV_UNSET, RT_TIME_OBSERVED), 0);
    expect(r, 1, H(9, 2), RT_TIME_OBSERVED, H(9, 12), RT_TIME_ESTIMATED);
    expect(r, 2, H(10, 2), RT_TIME_ESTIMATED, H(10, 10), RT_TIME_OBSERVED);
    /* An absolute time replaces a delay. */
    cr_assert_eq(rt_overlay_set_time(ov, r, 3, tt.epoch + ref + H(11, 20), RT_OV_UNSET,
                                     RT_TIME_OBSERVED),
                 0);
    expect(r, 3, H(11, 20), RT_TIME_OBSERVED, H(11, 20), RT_TIME_ESTIMATED);
    cr_assert_eq(query("A", "D", H(7, 0)), H(11, 20));
    cr_assert_eq(res.arrival_src, RT_TIME_OBSERVED);
    /* Clearing the run restores the schedule. */
    cr_assert_eq(rt_overlay_clear_run(ov, r), 0);
    expect(r, 3, H(11, 0), RT_TIME_SCHEDULED, H(11, 0), RT_TIME_SCHEDULED);
    cr_assert_eq(query("A", "D", H(7, 0)), H(11, 0));
}

Test(overlay, times_never_run_backwards) {
    uint32_t r = run("T1");
    /* An hour late out of B, then a report that C is reached 50 min early:
     * C cannot be reached before the train left B. */
    cr_assert_eq(rt_overlay_set_delay(ov, r, 1, RT_OV_UNSET, 3600, RT_TIME_OBSERVED),
                 0);
    cr_assert_eq(rt_overlay_set_delay(ov, r, 2, -3000, RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    expect(r, 1, H(9, 0), RT_TIME_SCHEDULED, H(10, 10), RT_TIME_OBSERVED);
    expect(r, 2, H(10, 10), RT_TIME_ESTIMATED, H(10, 15), RT_TIME_ESTIMATED);
    expect(r, 3, H(11, 10), RT_TIME_ESTIMATED, H(11, 10), RT_TIME_ESTIMATED);
    /* A departure reported before its own arrival is moved up to it. */
    cr_assert_eq(rt_overlay_set_time(ov, r, 2, tt.epoch + ref + H(10, 40),
                                     tt.epoch + ref + H(10, 30), RT_TIME_OBSERVED),
                 0);
    expect(r, 2, H(10, 40), RT_TIME_OBSERVED, H(10, 40), RT_TIME_ESTIMATED);
    uint32_t prev = 0;
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t a, d;
        cr_assert_eq(rt_overlay_stop_time(ov, &tt, r, i, &a, &d, NULL, NULL), 0);
        cr_assert_geq(a, prev);
        cr_assert_geq(d, a);
        prev = d;
    }
}

Test(overlay, no_data_keeps_schedule) {
    uint32_t r = run("T1");
    cr_assert_eq(rt_overlay_set_delay(ov, r, 1, 600, 600, RT_TIME_ESTIMATED), 0);
    cr_assert_eq(rt_overlay_set_no_data(ov, r, 2), 0);
    expect(r, 2, H(10, 0), RT_TIME_SCHEDULED, H(10, 5), RT_TIME_SCHEDULED);
    expect(r, 3, H(11, 0), RT_TIME_SCHEDULED, H(11, 0), RT_TIME_SCHEDULED);
    /* ... but still never before the previous departure. */
    cr_assert_eq(rt_overlay_set_delay(ov, r, 1, 3600, 3600, RT_TIME_ESTIMATED), 0);
    expect(r, 2, H(10, 10), RT_TIME_ESTIMATED, H(10, 10), RT_TIME_ESTIMATED);
}

Test(overlay, cancelled_run_disappears) {
    uint32_t t1 = run("T1"), t3 = run("T3");
    cr_assert_eq(rt_overlay_cancel(ov, t1), 0);
    cr_assert(rt_overlay_cancelled(ov, t1));
    /* A -> D falls back to T3; A -> E has no way left. */
    cr_assert_eq(query("A", "D", H(7, 0)), H(12, 0));
    cr_assert_eq(res.nlegs, 1);
    cr_assert_eq(res.legs[0].run, t3);
    cr_assert_eq(res.arrival_src, RT_TIME_SCHEDULED);
    cr_assert_eq(query("A", "E", H(7, 0)), -1);
    cr_assert_eq(rt_overlay_cancel(ov, t3), 0);
    cr_assert_eq(query("A", "D", H(7, 0)), -1);
    /* A report un-cancels. */
    cr_assert_eq(rt_overlay_set_delay(ov, t1, 3, 60, RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    cr_assert(!rt_overlay_cancelled(ov, t1));
    cr_assert_eq(query("A", "D", H(7, 0)), H(11, 1));
}

Test(overlay, delay_breaks_connection) {
    uint32_t t1 = run("T1"), t4 = run("T4");
    /* 40 min late: C at 10:40, T2 (10:30) is gone, T4 at 12:30. */
    cr_assert_eq(rt_overlay_set_delay(ov, t1, 1, 2400, RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    cr_assert_eq(query("A", "E", H(7, 0)), H(13, 30));
    cr_assert_eq(res.nlegs, 2);
    cr_assert_eq(res.legs[0].run, t1);
    cr_assert_eq(res.legs[0].arr, (uint32_t)(ref + H(10, 40)));
    cr_assert_eq(res.legs[0].arr_src, RT_TIME_ESTIMATED);
    cr_assert_eq(res.legs[1].run, t4);
    cr_assert_eq(res.legs[1].dep_src, RT_TIME_SCHEDULED);
    cr_assert_eq(res.arrival_src, RT_TIME_SCHEDULED);
}

Test(overlay, delayed_connection_out_of_order) {
    /* T2 an hour late leaves C at 11:30, after T1 (40 min late) reached C
     * at 10:40: its connection sorts far from its scheduled place, and the
     * journey catches it. */
    uint32_t t1 = run("T1"), t2 = run("T2");
    cr_assert_eq(rt_overlay_set_delay(ov, t1, 1, 2400, RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    cr_assert_eq(rt_overlay_set_delay(ov, t2, 0, 3600, 3600, RT_TIME_OBSERVED), 0);
    cr_assert_eq(query("A", "E", H(7, 0)), H(12, 30));
    cr_assert_eq(res.nlegs, 2);
    cr_assert_eq(res.legs[1].run, t2);
    cr_assert_eq(res.legs[1].dep_src, RT_TIME_OBSERVED);
    cr_assert_eq(res.legs[1].arr_src, RT_TIME_ESTIMATED);
    cr_assert_eq(res.arrival_src, RT_TIME_ESTIMATED);
    /* Leaving C after T2's scheduled time still finds it. */
    cr_assert_eq(query("C", "E", H(11, 0)), H(12, 30));
    /* Pruning: a delayed T2 arriving after T4 is not used. */
    cr_assert_eq(rt_overlay_set_delay(ov, t2, 0, 4 * 3600, 4 * 3600, RT_TIME_ESTIMATED),
                 0);
    cr_assert_eq(query("A", "E", H(7, 0)), H(13, 30));
}

Test(overlay, running_early) {
    uint32_t t1 = run("T1"), t5 = run("T5");
    /* Predicted 10 min early into B: the arrival is early (T5 at 08:55 is
     * caught), the departure stays at 09:10, later stops keep schedule. */
    cr_assert_eq(rt_overlay_set_delay(ov, t1, 1, -600, RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    expect(t1, 1, H(8, 50), RT_TIME_ESTIMATED, H(9, 10), RT_TIME_ESTIMATED);
    expect(t1, 2, H(10, 0), RT_TIME_ESTIMATED, H(10, 5), RT_TIME_ESTIMATED);
    cr_assert_eq(query("A", "F", H(7, 0)), H(9, 30));
    cr_assert_eq(res.legs[1].run, t5);
    /* A predicted early departure is not believed ... */
    cr_assert_eq(rt_overlay_set_delay(ov, t1, 0, RT_OV_UNSET, -600, RT_TIME_ESTIMATED),
                 0);
    expect(t1, 0, H(8, 0), RT_TIME_SCHEDULED, H(8, 0), RT_TIME_ESTIMATED);
    /* ... an observed one is, and its gain carries to later arrivals (this
     * report replaces the arrival report at B). */
    cr_assert_eq(rt_overlay_set_delay(ov, t1, 1, RT_OV_UNSET, -600, RT_TIME_OBSERVED),
                 0);
    expect(t1, 1, H(9, 0), RT_TIME_ESTIMATED, H(9, 0), RT_TIME_OBSERVED);
    expect(t1, 2, H(9, 50), RT_TIME_ESTIMATED, H(10, 5), RT_TIME_ESTIMATED);
    expect(t1, 3, H(11, 0), RT_TIME_ESTIMATED, H(11, 0), RT_TIME_ESTIMATED);
}

Test(overlay, skipped_stop) {
    uint32_t t1 = run("T1");
    /* T1 passes C without stopping: no change to T2 there. */
    cr_assert_eq(rt_overlay_skip(ov, t1, 2), 0);
    cr_assert_eq(query("A", "E", H(7, 0)), -1);
    cr_assert_eq(query("A", "D", H(7, 0)), H(11, 0));
    cr_assert_eq(query("B", "D", H(9, 0)), H(11, 0));
}

Test(overlay, side_array_follows_version) {
    uint32_t n, t1 = run("T1");
    cr_assert_eq(rt_overlay_prepare(ov), 0);
    cr_assert_not_null(rt_overlay_side(ov, &n));
    cr_assert_eq(n, 0);
    cr_assert_eq(rt_overlay_set_delay(ov, t1, 1, 60, RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    cr_assert_null(rt_overlay_side(ov, &n)); /* stale until prepared */
    cr_assert_eq(rt_overlay_prepare(ov), 0);
    const struct rt_ov_conn *side = rt_overlay_side(ov, &n);
    cr_assert_eq(n, 3);
    for (uint32_t i = 1; i < n; i++)
        cr_assert_leq(side[i - 1].c.dep, side[i].c.dep);
    cr_assert_eq(rt_overlay_cancel(ov, t1), 0);
    cr_assert_eq(rt_overlay_prepare(ov), 0);
    rt_overlay_side(ov, &n);
    cr_assert_eq(n, 0);
}
