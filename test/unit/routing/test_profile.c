/* routing/profile.c on the hand-written feed test/fixtures/gtfs/csa_basic
 * (the stops used here are all Etc/UTC; the trips run daily), and on a
 * feed built in memory for the range cap.  Times are GTFS seconds after
 * the reference of 2026-03-10, worked out by hand in the comments. */
#include "routing/gtfs.h"
#include "routing/profile.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define H 3600L

static struct rt_timetable tt;
static struct rt_load_report rep;
static struct rt_profile_ws *ws;
static struct rt_ld_result ld;
static struct rt_profile_result pr;
static int64_t ref;

static void load(void) {
    int rc = rt_gtfs_load(&tt, ut_path("test/fixtures/gtfs/csa_basic"), NULL, &rep);
    cr_assert_eq(rc, 0, "%s", rep.err);
    ws = rt_profile_ws_new(&tt);
    cr_assert_not_null(ws);
    int day = rt_day_of_date(&tt, 20260310);
    cr_assert_geq(day, 0);
    ref = rt_local_time(&tt, tt.stops[rt_stop_find(&tt, "S3")].zone, (uint32_t)day, 0);
}

static void unload(void) {
    rt_profile_ws_free(ws);
    ws = NULL;
    rt_timetable_free(&tt);
}

static uint32_t stop(const char *id) {
    uint32_t s = rt_stop_find(&tt, id);
    cr_assert_neq(s, RT_NONE, "no stop %s", id);
    return s;
}

/* Latest departure from FROM reaching TO by BY; -1 (as a sentinel far
 * below any answer) when none.  The journey stays in ld and is checked
 * to chain from the departure to the arrival. */
static long latest(const char *from, const char *to, long by) {
    int rc =
        rt_latest_departure(&tt, ws, stop(from), stop(to), (uint32_t)(ref + by), &ld);
    cr_assert(rc == 0 || rc == 1);
    if (rc == 1) {
        cr_assert_eq(ld.departure, UINT32_MAX);
        cr_assert_eq(ld.nlegs, 0);
        return -1000000;
    }
    uint32_t when = ld.departure, at = ld.origin_stop;
    for (uint32_t i = 0; i < ld.nlegs; i++) {
        cr_assert_eq(ld.legs[i].from, at, "leg %u", i);
        cr_assert_geq(ld.legs[i].dep, when, "leg %u", i);
        when = ld.legs[i].arr;
        at = ld.legs[i].to;
    }
    cr_assert_eq(at, ld.target_stop);
    cr_assert_eq(when, ld.arrival);
    cr_assert_leq(ld.arrival, (uint32_t)(ref + by));
    return (long)((int64_t)ld.departure - ref);
}

static long rel(uint32_t t) {
    return (long)((int64_t)t - ref);
}

TestSuite(profile, .init = load, .fini = unload);

Test(profile, exact_second_change) {
    /* T1 S3 08:00 -> S4 09:00, T2 S4 09:00 -> S5 10:00 (no min_transfer). */
    cr_assert_eq(latest("S3", "S5", 10 * H), 8 * H);
    cr_assert_eq(ld.nlegs, 2);
    cr_assert_eq(ld.legs[0].kind, RT_LEG_RIDE);
    cr_assert_eq(ld.legs[0].to, stop("S4"));
    cr_assert_eq(ld.legs[1].from, stop("S4"));
    cr_assert_eq(ld.arrival, (uint32_t)(ref + 10 * H));
    cr_assert_eq(ld.first_conn, ld.legs[0].board);
    cr_assert_eq(ld.last_conn, ld.legs[1].alight);
    cr_assert_eq(ld.origin_stop, stop("S3"));
    cr_assert_eq(ld.target_stop, stop("S5"));
    /* A second short: the same trips the day before. */
    cr_assert_eq(latest("S3", "S5", 10 * H - 1), 8 * H - 24 * H);
}

Test(profile, min_transfer) {
    /* T3 S3 11:00 -> S6 12:00; S6 needs 600 s, so T4 (12:05) is missed and
     * T5 12:10 -> S7 14:00 taken.  T6 S3 15:00 -> S6 16:00 -> S7 16:01
     * stays on board through S6. */
    cr_assert_eq(latest("S3", "S7", 14 * H), 11 * H);
    cr_assert_eq(ld.nlegs, 2);
    cr_assert_geq(ld.legs[1].dep, ld.legs[0].arr + 600);
    cr_assert_eq(latest("S3", "S7", 16 * H + 60), 15 * H);
    cr_assert_eq(ld.nlegs, 1);
    cr_assert_eq(latest("S3", "S7", 16 * H + 59), 11 * H);
    /* By 13:00 only T4 arrives, unreachable from S3: yesterday's T6. */
    cr_assert_eq(latest("S3", "S7", 13 * H), 15 * H - 24 * H);
    /* From S6 itself T4 is boarded at the origin: no change there. */
    cr_assert_eq(latest("S6", "S7", 13 * H), 12 * H + 5 * 60);
}

Test(profile, no_pickup) {
    /* T7 06:00 S8 -> S9 07:00 forbids boarding at S8; T8 06:30 -> 09:00. */
    cr_assert_eq(latest("S8", "S9", 9 * H), 6 * H + 30 * 60);
    cr_assert_eq(latest("S8", "S9", 8 * H), 6 * H + 30 * 60 - 24 * H);
}

Test(profile, footpaths) {
    /* S5 -> S10 is a 600 s footpath; T9 S10 10:10 -> S11 11:00. */
    cr_assert_eq(latest("S5", "S11", 11 * H), 10 * H);
    cr_assert_eq(ld.nlegs, 2);
    cr_assert_eq(ld.legs[0].kind, RT_LEG_WALK);
    cr_assert_eq(ld.legs[0].arr - ld.legs[0].dep, 600);
    cr_assert_eq(ld.origin_stop, stop("S5"));
    /* Ride, change, ride, walk, ride from S3: T1, T2, walk, T9. */
    cr_assert_eq(latest("S3", "S11", 11 * H), 8 * H);
    cr_assert_eq(ld.nlegs, 4);
    cr_assert_eq(ld.legs[2].kind, RT_LEG_WALK);
    cr_assert_eq(ld.legs[2].dep, (uint32_t)(ref + 10 * H));
    /* Walking only: leave 600 s before the deadline. */
    cr_assert_eq(latest("S5", "S10", 12 * H), 12 * H - 600);
    cr_assert_eq(ld.nlegs, 1);
    cr_assert_eq(ld.first_conn, RT_NONE);
}

Test(profile, forbidden_change) {
    /* T10 S12 08:00 -> S13 09:00, T11 S13 09:30 -> S14 10:00: changing at
     * S13 is forbidden, so S12 never reaches S14, but S13 does. */
    cr_assert_eq(latest("S12", "S14", 40 * H), -1000000);
    cr_assert_eq(latest("S13", "S14", 10 * H), 9 * H + 30 * 60);
}

Test(profile, stations_and_same_stop) {
    /* TD C1 20:00 -> S5 21:00; TC S3 18:00 -> C2 19:00. */
    cr_assert_eq(latest("ST", "S5", 21 * H), 20 * H);
    cr_assert_eq(ld.origin_stop, stop("C1"));
    cr_assert_eq(latest("S3", "ST", 19 * H), 18 * H);
    cr_assert_eq(ld.target_stop, stop("C2"));
    cr_assert_eq(latest("S3", "S3", 12 * H), 12 * H);
    cr_assert_eq(ld.nlegs, 0);
}

Test(profile, bad_arguments) {
    cr_assert_eq(rt_latest_departure(&tt, ws, tt.nstops, 0, 0, &ld), -1);
    cr_assert_eq(rt_profile_range(&tt, ws, 0, tt.nstops, 0, 1, &pr), -1);
    cr_assert_eq(rt_profile_range(&tt, ws, 0, 1, 2, 1, &pr), -1);
    /* The arrival index and candidates: 8 bytes per connection at least. */
    cr_assert_geq(rt_profile_ws_bytes(ws), 8 * (size_t)tt.nconns);
}

Test(profile, range_pairs) {
    /* S3 -> S7 over 00:00 .. 16:00: 08:00 (T1) arrives 14:00 by waiting
     * for T3, so only 11:00 -> 14:00 and 15:00 -> 16:01 are Pareto. */
    int rc = rt_profile_range(&tt, ws, stop("S3"), stop("S7"), (uint32_t)ref,
                              (uint32_t)(ref + 16 * H), &pr);
    cr_assert_eq(rc, 0);
    cr_assert_eq(pr.npairs, 2);
    cr_assert(!pr.truncated);
    cr_assert_eq(pr.walk, UINT32_MAX);
    cr_assert_eq(rel(pr.pairs[0].dep), 11 * H);
    cr_assert_eq(rel(pr.pairs[0].arr), 14 * H);
    cr_assert_eq(rel(pr.pairs[1].dep), 15 * H);
    cr_assert_eq(rel(pr.pairs[1].arr), 16 * H + 60);
    /* Window ending 10:59: leaving 08:00 arrives 14:00, but so does
     * leaving at 11:00, after the window: no pair. */
    rc = rt_profile_range(&tt, ws, stop("S3"), stop("S7"), (uint32_t)(ref + 7 * H),
                          (uint32_t)(ref + 11 * H - 1), &pr);
    cr_assert_eq(rc, 0);
    cr_assert_eq(pr.npairs, 0);
    /* Two days: four pairs, in order. */
    rc = rt_profile_range(&tt, ws, stop("S3"), stop("S7"), (uint32_t)ref,
                          (uint32_t)(ref + 40 * H), &pr);
    cr_assert_eq(pr.npairs, 4);
    cr_assert_eq(rel(pr.pairs[2].dep), 35 * H);
    for (uint32_t i = 1; i < pr.npairs; i++) {
        cr_assert_gt(pr.pairs[i].dep, pr.pairs[i - 1].dep);
        cr_assert_gt(pr.pairs[i].arr, pr.pairs[i - 1].arr);
    }
}

Test(profile, range_walks) {
    /* S5 -> S11: walk 600 s to S10 and T9 at 10:10. */
    int rc = rt_profile_range(&tt, ws, stop("S5"), stop("S11"), (uint32_t)(ref + 9 * H),
                              (uint32_t)(ref + 10 * H), &pr);
    cr_assert_eq(rc, 0);
    cr_assert_eq(pr.npairs, 1);
    cr_assert_eq(rel(pr.pairs[0].dep), 10 * H);
    cr_assert_eq(rel(pr.pairs[0].arr), 11 * H);
    /* S5 -> S10 by the footpath at any time; no ride beats it. */
    rc = rt_profile_range(&tt, ws, stop("S5"), stop("S10"), (uint32_t)ref,
                          (uint32_t)(ref + 24 * H), &pr);
    cr_assert_eq(rc, 0);
    cr_assert_eq(pr.walk, 600);
    cr_assert_eq(pr.npairs, 0);
    /* Origin is the target (a station holding it too). */
    rc = rt_profile_range(&tt, ws, stop("ST"), stop("C2"), (uint32_t)ref,
                          (uint32_t)(ref + 24 * H), &pr);
    cr_assert_eq(pr.walk, 0);
    cr_assert_eq(pr.npairs, 0);
}

/* A feed with 300 one-minute trips A -> B, one a minute from 01:00 to 05:59. */
Test(profile_cap, truncates_to_the_latest) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\nA,A,Etc/UTC\n";
    static const char dates[] = "service_id,date,exception_type\nD,20260310,1\n";
    static const char routes[] = "route_id,agency_id,route_type\nR,A,3\n";
    static const char stops[] =
        "stop_id,stop_name,stop_lat,stop_lon\nA,A,1,1\nB,B,1,2\n";
    static char trips[16384], times[32768];
    static struct rt_timetable mt;
    static struct rt_load_report mrep;
    size_t nt = 0, ns = 0;
    int n = snprintf(trips, sizeof(trips), "route_id,service_id,trip_id\n");
    cr_assert(n > 0);
    nt = (size_t)n;
    n = snprintf(times, sizeof(times),
                 "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n");
    cr_assert(n > 0);
    ns = (size_t)n;
    for (int i = 0; i < 300; i++) {
        int m = 60 + i;
        n = snprintf(trips + nt, sizeof(trips) - nt, "R,D,t%d\n", i);
        cr_assert(n > 0 && (size_t)n < sizeof(trips) - nt);
        nt += (size_t)n;
        n = snprintf(
            times + ns, sizeof(times) - ns,
            "t%d,%02d:%02d:00,%02d:%02d:00,A,1\nt%d,%02d:%02d:00,%02d:%02d:00,B,2\n", i,
            m / 60, m % 60, m / 60, m % 60, i, (m + 1) / 60, (m + 1) % 60, (m + 1) / 60,
            (m + 1) % 60);
        cr_assert(n > 0 && (size_t)n < sizeof(times) - ns);
        ns += (size_t)n;
    }
    struct rt_gtfs_memfile files[] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"calendar_dates.txt", dates, sizeof(dates) - 1},
        {"routes.txt", routes, sizeof(routes) - 1},
        {"stops.txt", stops, sizeof(stops) - 1},
        {"trips.txt", trips, nt},
        {"stop_times.txt", times, ns},
    };
    cr_assert_eq(rt_gtfs_load_memory(&mt, files, 6, NULL, &mrep), 0, "%s", mrep.err);
    struct rt_profile_ws *w = rt_profile_ws_new(&mt);
    cr_assert_not_null(w);
    uint32_t a = rt_stop_find(&mt, "A"), b = rt_stop_find(&mt, "B");
    int64_t r = rt_local_time(&mt, 0, 0, 0);
    cr_assert_eq(
        rt_profile_range(&mt, w, a, b, (uint32_t)r, (uint32_t)(r + 24 * H), &pr), 0);
    cr_assert_eq(pr.npairs, RT_PROFILE_MAX);
    cr_assert(pr.truncated);
    cr_assert_eq(pr.pairs[RT_PROFILE_MAX - 1].dep - r, (60 + 299) * 60);
    cr_assert_eq(pr.pairs[0].dep - r, (60 + 300 - RT_PROFILE_MAX) * 60);
    /* The rest: before the first pair kept. */
    cr_assert_eq(rt_profile_range(&mt, w, a, b, (uint32_t)r, pr.pairs[0].dep - 1, &pr),
                 0);
    cr_assert_eq(pr.npairs, 300 - RT_PROFILE_MAX);
    cr_assert(!pr.truncated);
    cr_assert_eq(pr.pairs[0].dep - r, 60 * 60);
    /* Latest departure to be at B by 03:00: the 02:59 trip. */
    cr_assert_eq(rt_latest_departure(&mt, w, a, b, (uint32_t)(r + 3 * H), &ld), 0);
    cr_assert_eq(ld.departure - r, 3 * H - 60);
    rt_profile_ws_free(w);
    rt_timetable_free(&mt);
}
