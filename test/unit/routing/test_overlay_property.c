/* rt_csa_earliest_rt against a brute force: random small feeds (GTFS text
 * through rt_gtfs_load_memory), random real-time reports applied both to
 * an overlay and to a model here, and random queries.
 *
 * The model works out each trip's overlaid times from its own copy of the
 * reports, following the rules stated in routing/overlay.h (carry the
 * delay, NO_DATA resets it, arrival >= previous departure, departure >=
 * arrival, no departure before schedule unless observed), and must agree
 * with rt_overlay_stop_time at every stop, sources included.  The earliest
 * arrival is then a label-correcting fixpoint over those times, in no
 * particular order, skipping cancelled trips and closing skipped stops; it
 * must agree with the connection scan to the second, and every ride in the
 * journey must carry the model's times and sources. */
#include "random_feed.h"
#include "routing/csa.h"
#include "routing/gtfs.h"
#include "routing/overlay.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 8  /* stops */
#define NT 10 /* trips */
#define NP 5  /* stops per trip */
#define U 60
#define NEVER INT64_MAX

enum { K_NONE, K_DELAY, K_TIME };
enum { R_SCHED, R_NODATA, R_SKIP };

struct report {
    int ak, dk, rel, src;
    long a, d; /* K_DELAY: seconds; K_TIME: model seconds of the day */
};

struct model {
    int nstops, ntrips;
    struct {
        int n, stop[NP], pick[NP], drop[NP];
        long arr[NP], dep[NP];
        int cancelled;
        struct report rep[NP];
        /* overlaid, from the reports */
        long oa[NP], od[NP];
        int oas[NP], ods[NP];
    } t[NT];
    long mt[NS];
    int nochange[NS];
    long foot[NS][NS]; /* -1: none */
    int forb[NS][NS];
};

static uint64_t seed;

static int rnd(int n) { /* xorshift64* */
    seed ^= seed >> 12;
    seed ^= seed << 25;
    seed ^= seed >> 27;
    return (int)((seed * 2685821657736338717ULL >> 33) % (uint64_t)n);
}

static void gen(struct model *m) {
    memset(m, 0, sizeof(*m));
    m->nstops = 3 + rnd(NS - 2);
    m->ntrips = 1 + rnd(NT);
    for (int j = 0; j < m->ntrips; j++) {
        long now = rnd(24) * U;
        m->t[j].n = 2 + rnd(NP - 1);
        for (int p = 0; p < m->t[j].n; p++) {
            int s;
            do
                s = rnd(m->nstops);
            while (p && s == m->t[j].stop[p - 1]);
            m->t[j].stop[p] = s;
            m->t[j].arr[p] = now;
            if (rnd(3) == 0) now += rnd(3) * U;
            m->t[j].dep[p] = now;
            now += rnd(4) * U;
            m->t[j].pick[p] = rnd(7) != 0;
            m->t[j].drop[p] = rnd(7) != 0;
        }
    }
    for (int a = 0; a < m->nstops; a++) {
        int r = rnd(10);
        if (r < 3)
            m->mt[a] = rnd(3) * U;
        else if (r == 3)
            m->nochange[a] = 1;
        for (int b = 0; b < m->nstops; b++) {
            m->foot[a][b] = -1;
            if (a == b || rnd(7)) continue;
            if (rnd(5) == 0)
                m->forb[a][b] = 1;
            else
                m->foot[a][b] = rnd(4) * U;
        }
    }
}

static struct rf_text g_stops, g_trips, g_times, g_xfer;

static void load(const struct model *m, struct rt_timetable *tt) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\nA,A,Etc/UTC\n";
    static const char dates[] = "service_id,date,exception_type\nD,20260310,1\n";
    static const char routes[] = "route_id,agency_id,route_type\nR,A,4\n";
    g_stops.len = g_trips.len = g_times.len = g_xfer.len = 0;
    rf_add(&g_stops, "stop_id,stop_name,stop_lat,stop_lon\n");
    for (int s = 0; s < m->nstops; s++)
        rf_add(&g_stops, "s%d,s%d,1,1\n", s, s);
    rf_add(&g_trips, "route_id,service_id,trip_id\n");
    rf_add(&g_times, "trip_id,arrival_time,departure_time,stop_id,stop_sequence,"
                  "pickup_type,drop_off_type\n");
    for (int j = 0; j < m->ntrips; j++) {
        rf_add(&g_trips, "R,D,t%d\n", j);
        for (int p = 0; p < m->t[j].n; p++) {
            long a = m->t[j].arr[p], d = m->t[j].dep[p];
            rf_add(&g_times, "t%d,%02ld:%02ld:%02ld,%02ld:%02ld:%02ld,s%d,%d,%d,%d\n", j,
                a / 3600, a / 60 % 60, a % 60, d / 3600, d / 60 % 60, d % 60,
                m->t[j].stop[p], p + 1, !m->t[j].pick[p], !m->t[j].drop[p]);
        }
    }
    rf_add(&g_xfer, "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n");
    for (int a = 0; a < m->nstops; a++) {
        if (m->nochange[a])
            rf_add(&g_xfer, "s%d,s%d,3,\n", a, a);
        else if (m->mt[a])
            rf_add(&g_xfer, "s%d,s%d,2,%ld\n", a, a, m->mt[a]);
        for (int b = 0; b < m->nstops; b++)
            if (m->forb[a][b])
                rf_add(&g_xfer, "s%d,s%d,3,\n", a, b);
            else if (m->foot[a][b] >= 0)
                rf_add(&g_xfer, "s%d,s%d,2,%ld\n", a, b, m->foot[a][b]);
    }
    struct rt_gtfs_memfile files[] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"calendar_dates.txt", dates, sizeof(dates) - 1},
        {"routes.txt", routes, sizeof(routes) - 1},
        {"stops.txt", g_stops.s, g_stops.len},
        {"trips.txt", g_trips.s, g_trips.len},
        {"stop_times.txt", g_times.s, g_times.len},
        {"transfers.txt", g_xfer.s, g_xfer.len},
    };
    static struct rt_load_report rep;
    cr_assert_eq(
        rt_gtfs_load_memory(tt, files, sizeof(files) / sizeof(files[0]), NULL, &rep), 0,
        "%s", rep.err);
    for (int f = 0; f < RT_F_COUNT; f++)
        cr_assert_eq(rep.files[f].skipped, 0, "%s",
                     rep.files[f].nmsg ? rep.files[f].msg[0] : "");
}

/* The model's reading of the rules: overlaid times of trip J. */
static void model_times(struct model *m, int j) {
    long shift = 0, last = 0; /* delay carried along the trip */
    int from = RT_TIME_SCHEDULED;
    for (int p = 0; p < m->t[j].n; p++) {
        const struct report *r = &m->t[j].rep[p];
        long sa = m->t[j].arr[p], sd = m->t[j].dep[p], a, d;
        int as, ds;
        if (r->rel == R_NODATA) {
            shift = 0;
            from = RT_TIME_SCHEDULED;
        }
        a = r->ak == K_DELAY ? sa + r->a : r->ak == K_TIME ? r->a : sa + shift;
        as = r->ak ? r->src : from;
        if (p > 0 && a < last) a = last, as = RT_TIME_ESTIMATED;
        if (r->ak) shift = a - sa, from = RT_TIME_ESTIMATED;
        d = r->dk == K_DELAY ? sd + r->d : r->dk == K_TIME ? r->d : sd + shift;
        ds = r->dk ? r->src : from;
        if (d < sd && !(r->dk && r->src == RT_TIME_OBSERVED))
            d = sd, ds = RT_TIME_ESTIMATED;
        if (d < a) d = a, ds = RT_TIME_ESTIMATED;
        shift = d - sd;
        if (shift || ds != RT_TIME_SCHEDULED) from = RT_TIME_ESTIMATED;
        m->t[j].oa[p] = a;
        m->t[j].od[p] = d;
        m->t[j].oas[p] = as;
        m->t[j].ods[p] = ds;
        last = d;
    }
}

static long rdelta(void) {
    long v = (rnd(19) - 6) * U;
    return rnd(4) == 0 ? v + rnd(U) : v;
}

/* One random report, applied to the overlay and the model alike. */
static void random_op(struct model *m, struct rt_overlay *ov, const uint32_t *run,
                      int64_t unix0) {
    int j = rnd(m->ntrips), p = rnd(m->t[j].n), op = rnd(12);
    struct report r = {0};
    if (op == 0) {
        cr_assert_eq(rt_overlay_cancel(ov, run[j]), 0);
        m->t[j].cancelled = 1;
        memset(m->t[j].rep, 0, sizeof(m->t[j].rep));
        return;
    }
    if (op == 1) {
        cr_assert_eq(rt_overlay_clear_run(ov, run[j]), 0);
        m->t[j].cancelled = 0;
        memset(m->t[j].rep, 0, sizeof(m->t[j].rep));
        return;
    }
    if (op == 2) {
        r.rel = R_NODATA;
        cr_assert_eq(rt_overlay_set_no_data(ov, run[j], (uint32_t)p), 0);
    } else if (op == 3) {
        r.rel = R_SKIP;
        cr_assert_eq(rt_overlay_skip(ov, run[j], (uint32_t)p), 0);
    } else {
        r.src = rnd(2) ? RT_TIME_ESTIMATED : RT_TIME_OBSERVED;
        if (op < 9) {
            r.ak = rnd(3) ? K_DELAY : K_NONE;
            r.dk = rnd(3) ? K_DELAY : K_NONE;
            r.a = rdelta();
            r.d = rdelta();
            cr_assert_eq(rt_overlay_set_delay(
                             ov, run[j], (uint32_t)p, r.ak ? r.a : RT_OV_UNSET,
                             r.dk ? r.d : RT_OV_UNSET, (enum rt_time_source)r.src),
                         0);
        } else {
            r.ak = rnd(3) ? K_TIME : K_NONE;
            r.dk = rnd(3) ? K_TIME : K_NONE;
            r.a = m->t[j].arr[p] + rdelta();
            r.d = m->t[j].dep[p] + rdelta();
            cr_assert_eq(rt_overlay_set_time(ov, run[j], (uint32_t)p,
                                             r.ak ? unix0 + r.a : RT_OV_UNSET,
                                             r.dk ? unix0 + r.d : RT_OV_UNSET,
                                             (enum rt_time_source)r.src),
                         0);
        }
    }
    m->t[j].cancelled = 0;
    m->t[j].rep[p] = r;
}

static void lower(long *x, long v, int *changed) {
    if (v < *x) {
        *x = v;
        *changed = 1;
    }
}

/* Earliest arrival at TO leaving FROM at DEPART over the overlaid times,
 * or -1. */
static long brute(const struct model *m, int from, int to, long depart) {
    long ready[NS], best[NS];
    int aboard[NT][NP] = {{0}}, rode_in[NT][NP] = {{0}}, changed = 1;
    for (int s = 0; s < NS; s++)
        ready[s] = best[s] = NEVER;
    ready[from] = best[from] = depart;
    for (int b = 0; b < m->nstops; b++)
        if (m->foot[from][b] >= 0) {
            lower(&ready[b], depart + m->foot[from][b], &changed);
            lower(&best[b], depart + m->foot[from][b], &changed);
        }
    while (changed) {
        changed = 0;
        for (int j = 0; j < m->ntrips; j++) {
            if (m->t[j].cancelled) continue;
            for (int p = 0; p + 1 < m->t[j].n; p++) {
                int open = m->t[j].pick[p] && m->t[j].rep[p].rel != R_SKIP;
                if (!aboard[j][p] && open && ready[m->t[j].stop[p]] <= m->t[j].od[p])
                    aboard[j][p] = changed = 1;
                if (aboard[j][p] && !rode_in[j][p + 1])
                    aboard[j][p + 1] = rode_in[j][p + 1] = changed = 1;
            }
            for (int p = 1; p < m->t[j].n; p++) {
                if (!rode_in[j][p] || !m->t[j].drop[p] || m->t[j].rep[p].rel == R_SKIP)
                    continue;
                int s = m->t[j].stop[p];
                long a = m->t[j].oa[p];
                lower(&best[s], a, &changed);
                if (!m->nochange[s]) lower(&ready[s], a + m->mt[s], &changed);
                for (int b = 0; b < m->nstops; b++)
                    if (m->foot[s][b] >= 0 && !m->forb[s][b]) {
                        lower(&ready[b], a + m->foot[s][b], &changed);
                        lower(&best[b], a + m->foot[s][b], &changed);
                    }
            }
        }
    }
    return best[to] == NEVER ? -1 : best[to];
}

/* Check the overlay's times of every trip against the model's. */
static void check_times(struct model *m, const struct rt_overlay *ov,
                        const struct rt_timetable *tt, const uint32_t *run,
                        int64_t ref) {
    for (int j = 0; j < m->ntrips; j++) {
        model_times(m, j);
        cr_assert_eq(rt_overlay_cancelled(ov, run[j]), m->t[j].cancelled);
        if (m->t[j].cancelled) continue;
        for (int p = 0; p < m->t[j].n; p++) {
            uint32_t a, d;
            enum rt_time_source as, ds;
            cr_assert_eq(
                rt_overlay_stop_time(ov, tt, run[j], (uint32_t)p, &a, &d, &as, &ds), 0);
            cr_assert(a - ref == m->t[j].oa[p] && d - ref == m->t[j].od[p] &&
                          (int)as == m->t[j].oas[p] && (int)ds == m->t[j].ods[p],
                      "trip %d stop %d: overlay %ld(%d) %ld(%d), model %ld(%d) %ld(%d)",
                      j, p, (long)(a - ref), as, (long)(d - ref), ds, m->t[j].oa[p],
                      m->t[j].oas[p], m->t[j].od[p], m->t[j].ods[p]);
        }
    }
}

/* Position in trip J of the connection with index K (base or side). */
static const struct rt_connection *conn(const struct rt_timetable *tt,
                                        const struct rt_overlay *ov, uint32_t k) {
    uint32_t n;
    const struct rt_ov_conn *side = rt_overlay_side(ov, &n);
    if (k < tt->nconns) return &tt->conns[k];
    cr_assert(side && k - tt->nconns < n);
    return &side[k - tt->nconns].c;
}

Test(overlay_property, matches_brute_force, .timeout = 120) {
    static struct rt_csa_result res;
    static struct model m;
    const char *ev = getenv("OVERLAY_PROPERTY_ITERS"),
               *sv = getenv("OVERLAY_PROPERTY_SEED");
    long iters = ev ? strtol(ev, NULL, 10) : 2000;
    seed = sv ? strtoull(sv, NULL, 10) : 88172645463325252ULL;
    if (seed == 0) seed = 1;
    unsigned long total = 0, reached = 0, delayed_legs = 0;
    for (long it = 0; it < iters; it++) {
        struct rt_timetable tt;
        uint32_t run[NT];
        gen(&m);
        load(&m, &tt);
        struct rt_csa_ws *ws = rt_csa_ws_new(&tt);
        struct rt_overlay *ov = rt_overlay_new(&tt);
        cr_assert(ws && ov);
        int64_t ref = rt_local_time(&tt, 0, 0, 0), unix0 = tt.epoch + ref;
        for (int j = 0; j < m.ntrips; j++) {
            char id[16];
            snprintf(id, sizeof(id), "t%d", j);
            run[j] = rt_overlay_find_run(&tt, id, 20260310, -1);
            cr_assert_neq(run[j], RT_NONE);
        }
        for (int round = 0; round < 3; round++) {
            int nops = round == 0 ? 0 : rnd(10);
            for (int k = 0; k < nops; k++)
                random_op(&m, ov, run, unix0);
            check_times(&m, ov, &tt, run, ref);
            for (int q = 0; q < 6; q++) {
                int from = rnd(m.nstops), to = rnd(m.nstops);
                long depart = rnd(30) * U + (rnd(4) == 0 ? rnd(U) : 0);
                long want = brute(&m, from, to, depart);
                char fid[16], tid[16];
                snprintf(fid, sizeof(fid), "s%d", from);
                snprintf(tid, sizeof(tid), "s%d", to);
                int rc = rt_csa_earliest_rt(&tt, ov, ws, rt_stop_find(&tt, fid),
                                            rt_stop_find(&tt, tid),
                                            (uint32_t)(ref + depart), &res);
                long got = rc == 0 ? (long)((int64_t)res.arrival - ref) : -1;
                cr_assert(rc == 0 || rc == 1);
                cr_assert_eq(
                    got, want,
                    "csa %ld, brute force %ld; feed %ld round %d: s%d -> s%d at "
                    "%ld\n%s",
                    got, want, it, round, from, to, depart, g_times.s);
                total++;
                if (rc) continue;
                reached++;
                long when = depart;
                for (uint32_t i = 0; i < res.nlegs; i++) {
                    const struct rt_leg *g = &res.legs[i];
                    cr_assert_geq((long)g->dep - ref, when);
                    if (g->kind == RT_LEG_RIDE) {
                        int j = 0;
                        while (j < m.ntrips && run[j] != g->run)
                            j++;
                        cr_assert_lt(j, m.ntrips);
                        cr_assert(!m.t[j].cancelled);
                        int b = conn(&tt, ov, g->board)->seq,
                            e = conn(&tt, ov, g->alight)->seq + 1;
                        cr_assert_eq((long)g->dep - ref, m.t[j].od[b]);
                        cr_assert_eq((long)g->arr - ref, m.t[j].oa[e]);
                        cr_assert_eq(g->dep_src, m.t[j].ods[b]);
                        cr_assert_eq(g->arr_src, m.t[j].oas[e]);
                        cr_assert(m.t[j].rep[b].rel != R_SKIP &&
                                  m.t[j].rep[e].rel != R_SKIP);
                        if (g->arr_src != RT_TIME_SCHEDULED) delayed_legs++;
                    }
                    when = (long)g->arr - ref;
                }
                cr_assert_eq(when, got);
                if (res.nlegs)
                    cr_assert_eq(res.arrival_src, res.legs[res.nlegs - 1].arr_src);
            }
        }
        rt_overlay_free(ov);
        rt_csa_ws_free(ws);
        rt_timetable_free(&tt);
    }
    /* The generator must exercise both outcomes and real-time rides. */
    cr_assert_gt(reached, total / 5, "%lu of %lu reached", reached, total);
    cr_assert_lt(reached, total, "%lu of %lu reached", reached, total);
    cr_assert_gt(delayed_legs, total / 50, "%lu rides with real-time times",
                 delayed_legs);
}
