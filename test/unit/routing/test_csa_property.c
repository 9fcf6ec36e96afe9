/* routing/csa.c against a brute force: thousands of small random feeds
 * (built as GTFS text and loaded through rt_gtfs_load_memory), random
 * queries, and an earliest arrival computed here by a label-correcting
 * fixpoint over the generated trips themselves -- not over the timetable's
 * connection array, and in no particular order -- that must agree with the
 * connection scan to the second.
 *
 * The rules the brute force encodes (docs/routing-timetables.md, "Earliest
 * arrival (CSA)"): board where pickup is allowed once "ready" at the stop;
 * ride on; alight where drop-off is allowed; after alighting, ready again
 * after the stop's min_transfer unless changing there is forbidden, and
 * every footpath from that stop may be walked (not chained); footpath
 * arrivals are ready at once; the origin is ready at the departure time and
 * may walk its footpaths; a station stands for its children. */
#include "routing/csa.h"
#include "routing/gtfs.h"

#include "random_feed.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXS RF_NS
#define MAXT RF_NT
#define MAXP RF_NP
#define U RF_U
#define BIG INT64_MAX

/* Stops a model index stands for: itself, or the station's children. */
static int members(int q, int *out) {
    if (q == MAXS) {
        out[0] = 0;
        out[1] = 1;
        return 2;
    }
    out[0] = q;
    return 1;
}

static void lower(long *x, long v, int *changed) {
    if (v < *x) {
        *x = v;
        *changed = 1;
    }
}

/* Earliest arrival at TO leaving FROM at DEPART, or -1. */
static long brute(const struct rf_feed *m, int from, int to, long depart) {
    long ready[MAXS], any[MAXS];
    /* on: aboard at position p, about to leave it (boarded there or rode
     * in); in: rode into position p (only then can one alight there). */
    int on[MAXT][MAXP], in[MAXT][MAXP], o[2], t[2], no = members(from, o),
                                                    nt = members(to, t);
    int changed = 0;
    for (int s = 0; s < MAXS; s++)
        ready[s] = any[s] = BIG;
    memset(on, 0, sizeof(on));
    memset(in, 0, sizeof(in));
    for (int i = 0; i < no; i++) {
        lower(&ready[o[i]], depart, &changed);
        lower(&any[o[i]], depart, &changed);
        for (int b = 0; b < m->nstops; b++)
            if (m->foot[o[i]][b] >= 0) {
                lower(&ready[b], depart + m->foot[o[i]][b], &changed);
                lower(&any[b], depart + m->foot[o[i]][b], &changed);
            }
    }
    do {
        changed = 0;
        for (int j = 0; j < m->ntrips; j++)
            for (int p = 0; p + 1 < m->trip[j].n; p++) {
                if (!on[j][p] && m->trip[j].pick[p] &&
                    ready[m->trip[j].stop[p]] <= m->trip[j].dep[p]) {
                    on[j][p] = 1;
                    changed = 1;
                }
                if (on[j][p] && !in[j][p + 1]) {
                    on[j][p + 1] = in[j][p + 1] = 1;
                    changed = 1;
                }
            }
        for (int j = 0; j < m->ntrips; j++)
            for (int p = 1; p < m->trip[j].n; p++) {
                if (!in[j][p] || !m->trip[j].drop[p]) continue;
                int s = m->trip[j].stop[p];
                long a = m->trip[j].arr[p];
                lower(&any[s], a, &changed);
                if (!m->nochange[s]) lower(&ready[s], a + m->mt[s], &changed);
                for (int b = 0; b < m->nstops; b++)
                    if (m->foot[s][b] >= 0 && !m->forb[s][b]) {
                        lower(&ready[b], a + m->foot[s][b], &changed);
                        lower(&any[b], a + m->foot[s][b], &changed);
                    }
            }
    } while (changed);
    long best = BIG;
    for (int i = 0; i < nt; i++)
        if (any[t[i]] < best) best = any[t[i]];
    return best == BIG ? -1 : best;
}

static uint32_t tt_stop(const struct rt_timetable *tt, int q) {
    char id[8];
    if (q == MAXS)
        snprintf(id, sizeof(id), "P");
    else
        snprintf(id, sizeof(id), "s%d", q);
    uint32_t s = rt_stop_find(tt, id);
    cr_assert_neq(s, RT_NONE, "%s", id);
    return s;
}

Test(csa_property, matches_brute_force, .timeout = 120) {
    static struct rt_csa_result res;
    struct rf_feed m;
    unsigned long reached = 0, total = 0;
    /* CSA_PROPERTY_ITERS / CSA_PROPERTY_SEED run more or other feeds. */
    const char *ev = getenv("CSA_PROPERTY_ITERS"), *sv = getenv("CSA_PROPERTY_SEED");
    long iters = ev ? strtol(ev, NULL, 10) : 2000;
    rf_seed(sv ? strtoull(sv, NULL, 10) : 20260310);
    for (long iter = 0; iter < iters; iter++) {
        struct rt_timetable tt;
        rf_make(&m);
        rf_load(&m, &tt);
        struct rt_csa_ws *ws = rt_csa_ws_new(&tt);
        cr_assert_not_null(ws);
        int day = rt_day_of_date(&tt, 20260310);
        cr_assert_eq(day, 0);
        int64_t ref = rt_local_time(&tt, 0, 0, 0);
        for (int qi = 0; qi < 10; qi++) {
            int nq = m.nstops + (m.station ? 1 : 0);
            int from = rf_pick(nq), to = rf_pick(nq);
            if (from == m.nstops) from = MAXS;
            if (to == m.nstops) to = MAXS;
            long depart = rf_pick(40) * U + (rf_pick(4) == 0 ? rf_pick(U) : 0);
            long want = brute(&m, from, to, depart);
            int rc = rt_csa_earliest(&tt, ws, tt_stop(&tt, from), tt_stop(&tt, to),
                                     (uint32_t)(ref + depart), &res);
            long got = rc == 0 ? (long)((int64_t)res.arrival - ref) : -1;
            cr_assert_eq(got, want,
                         "csa %ld, brute force %ld; iteration %ld query %d: from %d to "
                         "%d at %ld:\n%s\n%s",
                         got, want, iter, qi, from, to, depart, rf_stop_times_text(),
                         rf_transfers_text());
            total++;
            if (rc != 0) continue;
            reached++;
            /* The journey chains and ends at the arrival. */
            uint32_t when = (uint32_t)(ref + depart);
            for (uint32_t i = 0; i < res.nlegs; i++) {
                cr_assert_geq(res.legs[i].dep, when);
                if (i) cr_assert_eq(res.legs[i].from, res.legs[i - 1].to);
                if (res.legs[i].kind == RT_LEG_RIDE) {
                    cr_assert(tt.conns[res.legs[i].board].flags & RT_CONN_PICKUP);
                    cr_assert(tt.conns[res.legs[i].alight].flags & RT_CONN_DROPOFF);
                }
                when = res.legs[i].arr;
            }
            cr_assert_eq(when, res.arrival);
        }
        rt_csa_ws_free(ws);
        rt_timetable_free(&tt);
    }
    /* The generator must exercise both outcomes. */
    cr_assert_gt(reached, total / 5, "%lu of %lu reached", reached, total);
    cr_assert_lt(reached, total, "%lu of %lu reached", reached, total);
}
