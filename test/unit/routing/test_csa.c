/* routing/csa.c on the hand-written feed test/fixtures/gtfs/csa_basic (all
 * times Etc/UTC except the Yueyang -> Duisburg case), and the batch tool
 * bin/dongting-route on the same feed.  Expected arrivals are GTFS seconds
 * after the reference of the query date in the origin's zone, worked out
 * by hand in the comments. */
#include "routing/csa.h"
#include "routing/gtfs.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct rt_timetable tt;
static struct rt_load_report rep;
static struct rt_csa_ws *ws;
static struct rt_csa_result res;

static void load(void) {
    int rc = rt_gtfs_load(&tt, ut_path("test/fixtures/gtfs/csa_basic"), NULL, &rep);
    cr_assert_eq(rc, 0, "%s", rep.err);
    ws = rt_csa_ws_new(&tt);
    cr_assert_not_null(ws);
}

static void unload(void) {
    rt_csa_ws_free(ws);
    ws = NULL;
    rt_timetable_free(&tt);
}

static uint32_t stop(const char *id) {
    uint32_t s = rt_stop_find(&tt, id);
    cr_assert_neq(s, RT_NONE, "no stop %s", id);
    return s;
}

/* Earliest arrival from FROM to TO leaving at SECS after the reference of
 * YYYYMMDD in FROM's zone, in seconds after that reference; -1 if none.
 * The journey stays in res. */
static long query(const char *from, const char *to, int yyyymmdd, long secs) {
    uint32_t f = stop(from), t = stop(to);
    int day = rt_day_of_date(&tt, yyyymmdd);
    cr_assert_geq(day, 0);
    int64_t ref = rt_local_time(&tt, tt.stops[f].zone, (uint32_t)day, 0);
    int rc = rt_csa_earliest(&tt, ws, f, t, (uint32_t)(ref + secs), &res);
    cr_assert(rc == 0 || rc == 1);
    if (rc == 1) {
        cr_assert_eq(res.arrival, UINT32_MAX);
        return -1;
    }
    /* The journey must chain: each leg starts where and after the last ended. */
    uint32_t at = res.nlegs ? res.legs[0].from : RT_NONE;
    uint32_t when = (uint32_t)(ref + secs);
    for (uint32_t i = 0; i < res.nlegs; i++) {
        const struct rt_leg *g = &res.legs[i];
        cr_assert_eq(g->from, at, "leg %u", i);
        cr_assert_geq(g->dep, when, "leg %u", i);
        cr_assert_geq(g->arr, g->dep, "leg %u", i);
        if (g->kind == RT_LEG_RIDE) {
            cr_assert_eq(tt.conns[g->board].run, g->run);
            cr_assert_eq(tt.conns[g->alight].run, g->run);
            cr_assert_leq(tt.conns[g->board].seq, tt.conns[g->alight].seq);
        }
        at = g->to;
        when = g->arr;
    }
    if (res.nlegs) {
        cr_assert_eq(at, res.target_stop);
        cr_assert_eq(when, res.arrival);
    }
    return (long)((int64_t)res.arrival - ref);
}

TestSuite(csa, .init = load, .fini = unload);

/* OV leaves S1 at 22:00 and arrives at 26:30, 02:30 the next day. */
Test(csa, overnight) {
    cr_assert_eq(query("S1", "S2", 20260305, 21 * 3600), 26 * 3600 + 1800);
    cr_assert_eq(res.nlegs, 1);
    cr_assert_eq(res.legs[0].kind, RT_LEG_RIDE);
    /* Leaving at 22:00:01 misses it: the next is the following day's. */
    cr_assert_eq(query("S1", "S2", 20260305, 22 * 3600 + 1), (24 + 26) * 3600 + 1800);
}

/* T1 arrives at S4 at 09:00, T2 leaves S4 at 09:00: no transfer rule at S4,
 * so the change takes 0 s and T2 reaches S5 at 10:00. */
Test(csa, change_at_the_same_second) {
    cr_assert_eq(query("S3", "S5", 20260305, 7 * 3600), 10 * 3600);
    cr_assert_eq(res.nlegs, 2);
    cr_assert_eq(res.legs[0].to, stop("S4"));
    cr_assert_eq(res.legs[1].from, stop("S4"));
    cr_assert_eq(res.legs[0].arr, res.legs[1].dep);
}

/* S6 needs 600 s to change: T3 arrives 12:00, T4 at 12:05 is missed, T5 at
 * 12:10 is caught and arrives 14:00 (T4 would have arrived 13:00). */
Test(csa, min_transfer_time) {
    cr_assert_eq(query("S3", "S7", 20260305, 10 * 3600 + 1800), 14 * 3600);
    cr_assert_eq(res.nlegs, 2);
    cr_assert_eq(res.legs[1].run, tt.conns[res.legs[1].board].run);
    cr_assert_eq(rt_str(&tt, tt.trips[tt.runs[res.legs[1].run].trip].id)[1], '5');
    /* Starting at S6 itself there is no vehicle to leave: T4 is caught. */
    cr_assert_eq(query("S6", "S7", 20260305, 12 * 3600), 13 * 3600);
}

/* T6 calls at S6 at 16:00 and leaves at once: staying on board needs no
 * transfer time, so S7 is reached at 16:01. */
Test(csa, staying_on_board_needs_no_transfer_time) {
    cr_assert_eq(query("S3", "S7", 20260305, 14 * 3600 + 1800), 16 * 3600 + 60);
    cr_assert_eq(res.nlegs, 1);
}

/* T7 (06:00 -> 07:00) has pickup_type 1 at S8: the answer is T8, 09:00. */
Test(csa, pickup_forbidden) {
    cr_assert_eq(query("S8", "S9", 20260305, 5 * 3600), 9 * 3600);
}

/* VOY runs only on 2026-03-02: S1 10:00 -> S9 at 500:00:00, 20 days 20 h
 * later.  Other dates never reach S9 from S1. */
Test(csa, multi_week_voyage) {
    cr_assert_eq(query("S1", "S9", 20260302, 9 * 3600), 500L * 3600);
    cr_assert_eq(query("S1", "S9", 20260303, 9 * 3600), -1);
}

/* SB leaves Yueyang 2026-03-20 08:00 CST; its 230:00:00 arrival counts from
 * 2026-03-19 16:00 UTC, so it is 2026-03-29 06:00 UTC = 08:00 CEST, after
 * Berlin moved to summer time at 01:00 UTC.  BR (Berlin) leaves Duisburg at
 * 10:00 local = 08:00 UTC that Sunday (noon-12h is 2026-03-28 22:00 UTC)
 * and reaches Hamburg 16:00 CEST = 14:00 UTC: 238 h after the Yueyang
 * reference.  Without the change of offset it would be 239 h. */
Test(csa, yueyang_to_hamburg_across_summer_time) {
    cr_assert_eq(query("CNYYA", "DEHAM", 20260320, 0), 238L * 3600);
    cr_assert_eq(res.nlegs, 2);
}

/* A station stands for its child stops: TC reaches C2 (in ST) at 19:00;
 * TD leaves from C1 (in ST) at 20:00 and reaches S5 at 21:00. */
Test(csa, stations) {
    cr_assert_eq(query("S3", "ST", 20260305, 17 * 3600), 19 * 3600);
    cr_assert_eq(res.target_stop, stop("C2"));
    cr_assert_eq(query("ST", "S5", 20260305, 19 * 3600 + 1800), 21 * 3600);
    cr_assert_eq(query("C2", "ST", 20260305, 100), 100);
}

/* T2 reaches S5 at 10:00; the 600 s footpath S5 -> S10 makes 10:10, just in
 * time for T9 at 10:10, which reaches S11 at 11:00. */
Test(csa, footpath) {
    cr_assert_eq(query("S3", "S11", 20260305, 7 * 3600), 11 * 3600);
    cr_assert_eq(res.nlegs, 4);
    cr_assert_eq(res.legs[2].kind, RT_LEG_WALK);
    cr_assert_eq(res.legs[2].from, stop("S5"));
    cr_assert_eq(res.legs[2].to, stop("S10"));
    cr_assert_eq(res.legs[2].arr - res.legs[2].dep, 600u);
    /* Walking to the target counts as arriving. */
    cr_assert_eq(query("S3", "S10", 20260305, 7 * 3600), 10 * 3600 + 600);
}

/* transfer_type 3 from S13 to itself: no change of vehicle at S13. */
Test(csa, forbidden_change) {
    cr_assert_eq(query("S12", "S13", 20260305, 0), 9 * 3600);
    cr_assert_eq(query("S12", "S14", 20260305, 0), -1);
    cr_assert_eq(query("S13", "S14", 20260305, 0), 10 * 3600);
}

Test(csa, unreachable_and_trivial) {
    cr_assert_eq(query("S9", "S1", 20260305, 0), -1);
    cr_assert_eq(query("S1", "S1", 20260305, 4242), 4242);
    cr_assert_eq(res.nlegs, 0);
    cr_assert_eq(rt_csa_earliest(&tt, ws, tt.nstops, 0, 0, &res), -1);
}

/* The workspace is reset by a generation counter: many queries in a row
 * give the same answers as fresh ones. */
Test(csa, workspace_reuse) {
    for (int i = 0; i < 2000; i++) {
        cr_assert_eq(query("S3", "S5", 20260305, 7 * 3600), 10 * 3600);
        cr_assert_eq(query("S12", "S14", 20260305, 0), -1);
    }
}

/* ---- the batch tool ---------------------------------------------------- */

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

Test(csa_cli, batch_tool) {
    const char *bin = getenv("DONGTING_ROUTE_BIN");
    if (!bin || !*bin) cr_skip_test("DONGTING_ROUTE_BIN is not set");
    char dir[] = "/tmp/dt-csa-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char in[64], out[64], err[64], cmd[4096];
    snprintf(in, sizeof(in), "%s/in", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    snprintf(err, sizeof(err), "%s/err", dir);
    FILE *f = fopen(in, "w");
    cr_assert_not_null(f);
    fputs("S1\tS2\t2026-03-05\t75600\n"
          "S3\tS5\t2026-03-05\t25200\n"
          "S3 S5 2026-03-05 25200\n"
          "S3\tS7\t2026-03-05\t37800\n"
          "S3\tNOPE\t2026-03-05\t0\n"
          "S1\tS9\t2026-03-02\t32400\r\n"
          "CNYYA\tDEHAM\t2026-03-20\t0\n"
          "S1\tS2\t2026-02-30\t0\n"
          "S12\tS14\t2026-03-05\t0\n"
          "S1\tS2\t2026-03-05\t12x\n"
          "S1\tS2\t2026-02-28\t0\n"
          "S5\tS10\t1900-01-01\t5\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "'%s' --gtfs '%s' --stats < %s > %s 2> %s", bin,
             ut_path("test/fixtures/gtfs/csa_basic"), in, out, err);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    char *o = slurp(out), *e = slurp(err);
    cr_expect_str_eq(o, "S1\tS2\t2026-03-05\t75600\t95400\n"
                        "S3\tS5\t2026-03-05\t25200\t36000\n"
                        "S3\tS7\t2026-03-05\t37800\t50400\n"
                        "S1\tS9\t2026-03-02\t32400\t1800000\n"
                        "CNYYA\tDEHAM\t2026-03-20\t0\t856800\n"
                        "S12\tS14\t2026-03-05\t0\t-1\n"
                        /* before the loaded days: OV on 03-01 at 24 h + 26:30 */
                        "S1\tS2\t2026-02-28\t0\t181800\n"
                        /* before the timetable's time 0: a 600 s walk */
                        "S5\tS10\t1900-01-01\t5\t605\n");
    cr_expect_not_null(strstr(e, "stop_times.txt: 35 loaded, 0 skipped"), "%s", e);
    cr_expect_not_null(strstr(e, "line 3: 1 tab-separated fields, expected 4"), "%s",
                       e);
    cr_expect_not_null(strstr(e, "line 5: unknown stop id 'NOPE'"), "%s", e);
    cr_expect_not_null(strstr(e, "line 8: date '2026-02-30' is not YYYY-MM-DD"), "%s",
                       e);
    cr_expect_not_null(strstr(e, "line 10: DEPART_SECONDS '12x'"), "%s", e);
    cr_expect_not_null(strstr(e, "load_ms="), "%s", e);
    cr_expect_not_null(strstr(e, " queries=8 p50_us="), "%s", e);
    cr_expect_not_null(strstr(e, " p99_us="), "%s", e);
    free(o);
    free(e);
    unlink(in);
    unlink(out);
    unlink(err);
    rmdir(dir);
}

Test(csa_cli, bad_feed_and_usage) {
    const char *bin = getenv("DONGTING_ROUTE_BIN");
    if (!bin || !*bin) cr_skip_test("DONGTING_ROUTE_BIN is not set");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "'%s' --gtfs /nonexistent/feed < /dev/null > /dev/null 2>&1", bin);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "rc %d", rc);
    snprintf(cmd, sizeof(cmd), "'%s' < /dev/null > /dev/null 2>&1", bin);
    rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "rc %d", rc);
}
