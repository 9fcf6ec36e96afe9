/* routing/profile.c against a brute force on thousands of small random
 * feeds (GTFS text loaded through rt_gtfs_load_memory).
 *
 * The brute force is an earliest-arrival label-correcting fixpoint over the
 * generated trips themselves (not the timetable's connections), with the
 * rules of docs/routing-timetables.md ("Transfer rules").  From it:
 *   - latest departure D to arrive by A must satisfy ea(D) <= A and
 *     ea(D + 1) > A (or unreachable); "none" must mean ea(long before) > A;
 *     the journey returned is checked leg by leg against the model's rules;
 *   - a range query must return exactly the pairs (d, ea(d)) with d in the
 *     window of the Pareto set over every d >= t0 that is a multiple of 60
 *     (all times and walks in the model are, so the earliest arrival by a
 *     ride is constant between them), leaving out pairs that walking alone
 *     matches. */
#include "routing/csa.h"
#include "routing/gtfs.h"
#include "routing/profile.h"

#include "random_feed.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS RF_NS
#define NT RF_NT
#define NP RF_NP
#define U RF_U
#define NEVER INT64_MAX

/* The model stops place Q stands for. */
static int stops_of(int q, int *out) {
    if (q == NS) {
        out[0] = 0;
        out[1] = 1;
        return 2;
    }
    out[0] = q;
    return 1;
}

static int member(int q, int s) {
    return q == NS ? s < 2 : s == q;
}

static int improve(long *x, long v) {
    if (v >= *x) return 0;
    *x = v;
    return 1;
}

/* Earliest arrival at TO leaving FROM at time T (any long), or NEVER. */
static long ea(const struct rf_feed *f, int from, int to, long t) {
    long ready[NS], reach[NS];
    int aboard[NT][NP]; /* may ride the hop leaving position p */
    int o[2], no = stops_of(from, o), more = 1;
    for (int s = 0; s < NS; s++)
        ready[s] = reach[s] = NEVER;
    memset(aboard, 0, sizeof(aboard));
    for (int i = 0; i < no; i++) {
        improve(&ready[o[i]], t);
        improve(&reach[o[i]], t);
        for (int b = 0; b < f->nstops; b++)
            if (f->foot[o[i]][b] >= 0) {
                improve(&ready[b], t + f->foot[o[i]][b]);
                improve(&reach[b], t + f->foot[o[i]][b]);
            }
    }
    while (more) {
        more = 0;
        for (int j = 0; j < f->ntrips; j++)
            for (int p = 0; p + 1 < f->trip[j].n; p++) {
                int s = f->trip[j].stop[p];
                if (!aboard[j][p] && f->trip[j].pick[p] &&
                    ready[s] <= f->trip[j].dep[p])
                    aboard[j][p] = more = 1;
                if (aboard[j][p] && p + 2 < f->trip[j].n && !aboard[j][p + 1])
                    aboard[j][p + 1] = more = 1;
                if (!aboard[j][p] || !f->trip[j].drop[p + 1]) continue;
                int x = f->trip[j].stop[p + 1];
                long a = f->trip[j].arr[p + 1];
                more |= improve(&reach[x], a);
                if (!f->nochange[x]) more |= improve(&ready[x], a + f->mt[x]);
                for (int b = 0; b < f->nstops; b++)
                    if (f->foot[x][b] >= 0 && !f->forb[x][b]) {
                        more |= improve(&ready[b], a + f->foot[x][b]);
                        more |= improve(&reach[b], a + f->foot[x][b]);
                    }
            }
    }
    long best = NEVER;
    for (int s = 0; s < f->nstops; s++)
        if (member(to, s) && reach[s] < best) best = reach[s];
    return best;
}

/* Seconds of the walk-only journey FROM -> TO, or -1. */
static long walk_only(const struct rf_feed *f, int from, int to) {
    long best = -1;
    for (int a = 0; a < f->nstops; a++)
        for (int b = 0; b < f->nstops; b++) {
            if (!member(from, a) || !member(to, b)) continue;
            long w = a == b ? 0 : f->foot[a][b];
            if (w >= 0 && (best < 0 || w < best)) best = w;
        }
    return best;
}

static uint32_t idx[NS + 1]; /* timetable stop of each model place */
static int model_of[64];     /* model stop of each timetable stop, -1 */

/* The journey in R obeys the model's rules, leaving FROM at R->departure
 * and reaching TO by DEADLINE (all timetable seconds). */
static void check_journey(const struct rf_feed *f, const struct rt_timetable *tt,
                          const struct rt_ld_result *r, int from, int to,
                          uint32_t deadline) {
    cr_assert(!r->truncated);
    uint32_t when = r->departure;
    int at = model_of[r->origin_stop];
    int last = 0; /* 0 start, 1 ride, 2 walk */
    cr_assert(at >= 0 && member(from, at), "origin %d", at);
    for (uint32_t i = 0; i < r->nlegs; i++) {
        const struct rt_leg *g = &r->legs[i];
        int a = model_of[g->from], b = model_of[g->to];
        cr_assert_eq(a, at, "leg %u starts elsewhere", i);
        cr_assert_geq(g->dep, when, "leg %u leaves early", i);
        if (g->kind == RT_LEG_WALK) {
            cr_assert_neq(last, 2, "chained walks");
            cr_assert_geq(f->foot[a][b], 0);
            cr_assert_eq(g->arr, g->dep + (uint32_t)f->foot[a][b]);
            if (last == 1) {
                cr_assert(!f->forb[a][b]);
                cr_assert_eq(g->dep, when, "walk must start on alighting");
            } else {
                cr_assert_eq(g->dep, r->departure);
            }
            last = 2;
        } else {
            const struct rt_connection *c0 = &tt->conns[g->board],
                                       *c1 = &tt->conns[g->alight];
            cr_assert_eq(c0->run, c1->run);
            cr_assert_eq(c0->run, g->run);
            cr_assert_leq(c0->seq, c1->seq);
            cr_assert(c0->flags & RT_CONN_PICKUP);
            cr_assert(c1->flags & RT_CONN_DROPOFF);
            cr_assert_eq(c0->from, g->from);
            cr_assert_eq(c1->to, g->to);
            cr_assert_eq(c0->dep, g->dep);
            cr_assert_eq(c1->arr, g->arr);
            if (last == 1) {
                cr_assert(!f->nochange[a], "change where forbidden");
                cr_assert_geq(g->dep, when + (uint32_t)f->mt[a], "change too short");
            }
            last = 1;
        }
        when = g->arr;
        at = b;
    }
    cr_assert(at >= 0 && member(to, at),
              "ends at %d (%d -> %d by %u, leaving %u, %u legs)\n%s\n%s", at, from, to,
              deadline, r->departure, r->nlegs, rf_stop_times_text(), rf_transfers_text());
    cr_assert_eq(model_of[r->target_stop], at);
    cr_assert_eq(r->arrival, when);
    cr_assert_leq(when, deadline);
}

Test(profile_property, matches_brute_force, .timeout = 120) {
    static struct rt_ld_result ld;
    static struct rt_profile_result pr;
    static struct rt_csa_result cr;
    struct rf_feed f;
    unsigned long found = 0, total = 0, pairs = 0, multi = 0;
    /* PROFILE_PROPERTY_ITERS / PROFILE_PROPERTY_SEED: more or other feeds. */
    const char *ev = getenv("PROFILE_PROPERTY_ITERS"),
               *sv = getenv("PROFILE_PROPERTY_SEED");
    long iters = ev ? strtol(ev, NULL, 10) : 2000;
    rf_seed(sv ? strtoull(sv, NULL, 10) : 20260311);
    for (long iter = 0; iter < iters; iter++) {
        struct rt_timetable tt;
        rf_make(&f);
        rf_load(&f, &tt);
        rf_map_stops(&f, &tt, idx, model_of);
        struct rt_profile_ws *ws = rt_profile_ws_new(&tt);
        struct rt_csa_ws *cw = rt_csa_ws_new(&tt);
        cr_assert_not_null(ws);
        cr_assert_not_null(cw);
        int64_t ref = rt_local_time(&tt, 0, 0, 0);
        int nq = f.nstops + (f.station ? 1 : 0);
        for (int qi = 0; qi < 8; qi++) {
            int from = rf_pick(nq), to = rf_pick(nq);
            if (from == f.nstops) from = NS;
            if (to == f.nstops) to = NS;
            /* Latest departure. */
            long by = rf_pick(50) * U + (rf_pick(4) == 0 ? rf_pick(U) : 0);
            int rc = rt_latest_departure(&tt, ws, idx[from], idx[to],
                                         (uint32_t)(ref + by), &ld);
            cr_assert(rc == 0 || rc == 1);
            total++;
            if (rc == 1) {
                cr_assert_gt(
                    ea(&f, from, to, -1000000), by,
                    "none found, but reachable; iter %ld q %d %d->%d by %ld\n%s\n%s",
                    iter, qi, from, to, by, rf_stop_times_text(), rf_transfers_text());
            } else {
                found++;
                long d = (long)((int64_t)ld.departure - ref);
                long a0 = ea(&f, from, to, d), a1 = ea(&f, from, to, d + 1);
                cr_assert(a0 <= by && a1 > by,
                          "latest %ld: ea %ld, ea(+1) %ld, by %ld; iter %ld q %d %d->%d"
                          "\n%s\n%s",
                          d, a0, a1, by, iter, qi, from, to, rf_stop_times_text(), rf_transfers_text());
                check_journey(&f, &tt, &ld, from, to, (uint32_t)(ref + by));
                int crc =
                    rt_csa_earliest(&tt, cw, idx[from], idx[to], ld.departure, &cr);
                cr_assert(crc == 0 && cr.arrival <= ld.arrival);
            }
            /* Range. */
            long t0 = rf_pick(40) * U + (rf_pick(3) == 0 ? rf_pick(U) : 0);
            long t1 = t0 + rf_pick(30) * U + (rf_pick(3) == 0 ? rf_pick(U) : 0);
            rc = rt_profile_range(&tt, ws, idx[from], idx[to], (uint32_t)(ref + t0),
                                  (uint32_t)(ref + t1), &pr);
            cr_assert_eq(rc, 0);
            long w = walk_only(&f, from, to);
            cr_assert_eq(pr.walk, w < 0 ? UINT32_MAX : (uint32_t)w);
            long want_d[64], want_a[64], best = NEVER;
            int nw = 0;
            /* Departures after the window too: a pair whose journey
             * really leaves after T1 (waiting at the origin) is not one. */
            for (long d = 20000 / U * U; d >= t0; d -= U) {
                long a = ea(&f, from, to, d);
                if (a == NEVER || a >= best || (w >= 0 && a >= d + w)) continue;
                best = a;
                if (d > t1) continue;
                want_d[nw] = d;
                want_a[nw] = a;
                nw++;
            }
            cr_assert(!pr.truncated);
            cr_assert_eq(
                pr.npairs, (uint32_t)nw,
                "range %ld..%ld: %u pairs, brute force %d; iter %ld q %d %d->%d"
                "\n%s\n%s",
                t0, t1, pr.npairs, nw, iter, qi, from, to, rf_stop_times_text(), rf_transfers_text());
            for (int i = 0; i < nw; i++) {
                const struct rt_profile_pair *p = &pr.pairs[nw - 1 - i];
                long gd = (long)((int64_t)p->dep - ref),
                     ga = (long)((int64_t)p->arr - ref);
                cr_assert(gd == want_d[i] && ga == want_a[i],
                          "pair %d: (%ld, %ld), brute force (%ld, %ld); range %ld..%ld "
                          "iter %ld q %d %d->%d\n%s\n%s",
                          i, gd, ga, want_d[i], want_a[i], t0, t1, iter, qi, from, to,
                          rf_stop_times_text(), rf_transfers_text());
            }
            pairs += (unsigned long)nw;
            multi += nw > 1;
        }
        rt_csa_ws_free(cw);
        rt_profile_ws_free(ws);
        rt_timetable_free(&tt);
    }
    /* The generator must exercise both outcomes and multi-pair profiles. */
    cr_assert_gt(found, total / 5, "%lu of %lu found", found, total);
    cr_assert_lt(found, total, "%lu of %lu found", found, total);
    cr_assert_gt(multi, total / 50, "%lu multi-pair ranges of %lu", multi, total);
    cr_assert_gt(pairs, total / 5, "%lu pairs", pairs);
}
