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

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXS 9 /* stops s0..s8; index MAXS is the station P when present */
#define MAXT 12
#define MAXP 6
#define U 60
#define BIG INT64_MAX

struct model {
    int nstops, station; /* station: P exists, parent of s0 and s1 */
    int ntrips;
    struct {
        int n;
        int stop[MAXP];
        long arr[MAXP], dep[MAXP];
        int pick[MAXP], drop[MAXP];
    } trip[MAXT];
    long mt[MAXS];
    int nochange[MAXS];
    long foot[MAXS][MAXS]; /* -1: none */
    int forb[MAXS][MAXS];
};

static uint64_t rng_state;

static uint64_t rnd64(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int rnd(int n) {
    return (int)(rnd64() % (uint64_t)n);
}

static void gen(struct model *m) {
    memset(m, 0, sizeof(*m));
    m->nstops = 3 + rnd(MAXS - 2);
    m->station = rnd(3) == 0;
    m->ntrips = 1 + rnd(MAXT);
    for (int j = 0; j < m->ntrips; j++) {
        int n = 2 + rnd(MAXP - 1);
        long t = rnd(30) * U;
        m->trip[j].n = n;
        for (int p = 0; p < n; p++) {
            int s;
            do
                s = rnd(m->nstops);
            while (p > 0 && s == m->trip[j].stop[p - 1]);
            m->trip[j].stop[p] = s;
            m->trip[j].arr[p] = t;
            t += rnd(3) == 0 ? rnd(3) * U : 0; /* dwell */
            m->trip[j].dep[p] = t;
            t += rnd(4) * U; /* hop; 0 s hops too */
            m->trip[j].pick[p] = rnd(6) != 0;
            m->trip[j].drop[p] = rnd(6) != 0;
        }
    }
    for (int a = 0; a < m->nstops; a++) {
        int r = rnd(10);
        if (r < 3)
            m->mt[a] = rnd(4) * U;
        else if (r == 3)
            m->nochange[a] = 1;
        for (int b = 0; b < m->nstops; b++) {
            m->foot[a][b] = -1;
            if (a == b || rnd(6)) continue;
            if (rnd(5) == 0)
                m->forb[a][b] = 1;
            else
                m->foot[a][b] = rnd(4) * U;
        }
    }
}

struct buf {
    char s[16384];
    size_t len;
};

static void ap(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void ap(struct buf *b, const char *fmt, ...) {
    va_list va;
    va_start(va, fmt);
    int n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, va);
    va_end(va);
    cr_assert(n >= 0 && (size_t)n < sizeof(b->s) - b->len, "buffer too small");
    b->len += (size_t)n;
}

static void hms(struct buf *b, long t) {
    ap(b, "%02ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

static struct buf f_stops, f_times, f_trips, f_transfers;

static void load_model(const struct model *m, struct rt_timetable *tt) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\nA,A,Etc/UTC\n";
    static const char dates[] = "service_id,date,exception_type\nD,20260310,1\n";
    static const char routes[] = "route_id,agency_id,route_type\nR,A,3\n";
    f_stops.len = f_times.len = f_trips.len = f_transfers.len = 0;
    ap(&f_stops, "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n");
    if (m->station) ap(&f_stops, "P,P,1,1,1,\n");
    for (int s = 0; s < m->nstops; s++)
        ap(&f_stops, "s%d,s%d,1,1,0,%s\n", s, s, m->station && s < 2 ? "P" : "");
    ap(&f_trips, "route_id,service_id,trip_id\n");
    ap(&f_times,
       "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,"
       "drop_off_type\n");
    for (int j = 0; j < m->ntrips; j++) {
        ap(&f_trips, "R,D,t%d\n", j);
        for (int p = 0; p < m->trip[j].n; p++) {
            ap(&f_times, "t%d,", j);
            hms(&f_times, m->trip[j].arr[p]);
            ap(&f_times, ",");
            hms(&f_times, m->trip[j].dep[p]);
            ap(&f_times, ",s%d,%d,%d,%d\n", m->trip[j].stop[p], p,
               m->trip[j].pick[p] ? 0 : 1, m->trip[j].drop[p] ? 0 : 1);
        }
    }
    ap(&f_transfers, "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n");
    for (int a = 0; a < m->nstops; a++) {
        if (m->nochange[a])
            ap(&f_transfers, "s%d,s%d,3,\n", a, a);
        else if (m->mt[a] || rnd(2))
            ap(&f_transfers, "s%d,s%d,2,%ld\n", a, a, m->mt[a]);
        for (int b = 0; b < m->nstops; b++) {
            if (m->forb[a][b])
                ap(&f_transfers, "s%d,s%d,3,\n", a, b);
            else if (m->foot[a][b] >= 0)
                ap(&f_transfers, "s%d,s%d,2,%ld\n", a, b, m->foot[a][b]);
        }
    }
    struct rt_gtfs_memfile files[] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"calendar_dates.txt", dates, sizeof(dates) - 1},
        {"routes.txt", routes, sizeof(routes) - 1},
        {"stops.txt", f_stops.s, f_stops.len},
        {"trips.txt", f_trips.s, f_trips.len},
        {"stop_times.txt", f_times.s, f_times.len},
        {"transfers.txt", f_transfers.s, f_transfers.len},
    };
    static struct rt_load_report rep;
    int rc =
        rt_gtfs_load_memory(tt, files, sizeof(files) / sizeof(files[0]), NULL, &rep);
    cr_assert_eq(rc, 0, "%s", rep.err);
    for (int f = 0; f < RT_F_COUNT; f++)
        cr_assert_eq(rep.files[f].skipped, 0, "%s: %s",
                     rt_gtfs_file_name((enum rt_gtfs_file)f),
                     rep.files[f].nmsg ? rep.files[f].msg[0] : "");
}

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
static long brute(const struct model *m, int from, int to, long depart) {
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
    struct model m;
    unsigned long reached = 0, total = 0;
    /* CSA_PROPERTY_ITERS / CSA_PROPERTY_SEED run more or other feeds. */
    const char *ev = getenv("CSA_PROPERTY_ITERS"), *sv = getenv("CSA_PROPERTY_SEED");
    long iters = ev ? strtol(ev, NULL, 10) : 2000;
    rng_state = sv ? strtoull(sv, NULL, 10) : 20260310;
    for (long iter = 0; iter < iters; iter++) {
        struct rt_timetable tt;
        gen(&m);
        load_model(&m, &tt);
        struct rt_csa_ws *ws = rt_csa_ws_new(&tt);
        cr_assert_not_null(ws);
        int day = rt_day_of_date(&tt, 20260310);
        cr_assert_eq(day, 0);
        int64_t ref = rt_local_time(&tt, 0, 0, 0);
        for (int qi = 0; qi < 10; qi++) {
            int nq = m.nstops + (m.station ? 1 : 0);
            int from = rnd(nq), to = rnd(nq);
            if (from == m.nstops) from = MAXS;
            if (to == m.nstops) to = MAXS;
            long depart = rnd(40) * U + (rnd(4) == 0 ? rnd(U) : 0);
            long want = brute(&m, from, to, depart);
            int rc = rt_csa_earliest(&tt, ws, tt_stop(&tt, from), tt_stop(&tt, to),
                                     (uint32_t)(ref + depart), &res);
            long got = rc == 0 ? (long)((int64_t)res.arrival - ref) : -1;
            cr_assert_eq(got, want,
                         "csa %ld, brute force %ld; iteration %ld query %d: from %d to "
                         "%d at %ld:\n%s\n%s",
                         got, want, iter, qi, from, to, depart, f_times.s,
                         f_transfers.s);
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
