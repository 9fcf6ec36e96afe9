/* routing_bench -- the routing benchmark of issue 4 ("Performance").
 *
 *   routing_bench [--queries N] [--rounds R] [--seed X] FEED...
 *
 * For each GTFS feed (a folder or .zip; made by gtfs_gen.c for `make
 * bench`): load it R times with rt_gtfs_load and keep the median load time;
 * report bytes per connection from rt_timetable_stats; then answer the same
 * N random earliest-arrival queries R times with two methods, timing each
 * query alone:
 *
 *   csa   -- rt_csa_earliest, the library's query path (journey included);
 *   floor -- a bare connection scan written here: one pass over the
 *            timetable's hot arrays (tt->hot_*, the same bytes the csa
 *            reads; tt->conns when they were not built), an earliest
 *            arrival per stop and a reached flag per run, no footpaths,
 *            transfer times, pickup rules or journey.  It has no gate (see
 *            routing/csa.c), so it reads every run flag it meets.  On a feed
 *            without transfers.txt and with every pickup and drop-off
 *            allowed (what gtfs_gen writes) both must give the same
 *            arrival; every query is compared and mismatches counted.
 *
 * The two methods alternate per query (which goes first flips every query
 * and every round) so neither always finds the caches warm.  p50 / p99 are
 * taken per round and the median over the rounds is printed.  Progress goes
 * to stderr; the table and the verdict on the targets to stdout.
 * Multi-criteria queries are timed by mc_bench.c (same feeds, same
 * queries).
 *
 * Exit status: 0 when every feed loaded and no answer differed, 1 otherwise,
 * 2 on bad arguments. */
#include "bench_util.h"
#include "routing/csa.h"
#include "routing/gtfs.h"
#include "routing/timetable.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FEEDS 16
#define MAX_ROUNDS BENCH_MAX_ROUNDS

struct result {
    const char *path;
    uint32_t nconns, nstops, ntrips, nruns;
    double load_ms;
    struct rt_stats st;
    uint32_t nqueries, reached;
    double avg_scanned;
    double csa_p50, csa_p99, floor_p50, floor_p99; /* microseconds */
    unsigned long mismatches;
};

/* ---- the floor: a bare connection scan ---------------------------------- */

struct floor_ws {
    uint32_t *earliest; /* per stop */
    uint32_t *run_gen;  /* per run: == gen when reached in this query */
    uint32_t gen;
};

/* Earliest arrival at TO leaving FROM at DEPART, UINT32_MAX if none. */
static uint32_t floor_earliest(const struct rt_timetable *tt, struct floor_ws *fw,
                               uint32_t from, uint32_t to, uint32_t depart) {
    uint32_t *ea = fw->earliest, *rg = fw->run_gen;
    memset(ea, 0xff, (size_t)tt->nstops * sizeof(*ea));
    if (++fw->gen == 0) {
        memset(rg, 0, (size_t)tt->nruns * sizeof(*rg));
        fw->gen = 1;
    }
    uint32_t gen = fw->gen;
    ea[from] = depart;
    if (tt->hot_rs) {
        /* The hot arrays rt_csa_earliest scans (rt_timetable): from is
         * nstops (ea INF) when boarding is not allowed, to is nstops + 1
         * (ea 0) when alighting is not; gtfs_gen allows both everywhere. */
        const struct rt_hot_sec *sec = tt->hot_sec;
        uint32_t mask = rt_hot_run_mask(tt);
        ea[tt->nstops] = UINT32_MAX;
        ea[tt->nstops + 1] = 0;
        for (const struct rt_hot_sec *s = sec + rt_hot_sec_first(tt, depart); s->dep < ea[to]; s++) {
            uint32_t t = s->dep;
            for (uint32_t k = s->first; k < s[1].first; k++) {
                uint32_t run = tt->hot_rs[k] & mask;
                if (rg[run] == gen || ea[tt->hot_from[k] & ~RT_HOT_OPEN] <= t) {
                    uint32_t d = tt->hot_dur[k], s_to = tt->hot_to[k];
                    uint32_t a = d != RT_HOT_LONG ? t + d : tt->conns[k].arr;
                    rg[run] = gen;
                    if (a < ea[s_to]) ea[s_to] = a;
                }
            }
        }
        return ea[to];
    }
    const struct rt_connection *c = tt->conns + rt_first_conn(tt, depart);
    const struct rt_connection *end = tt->conns + tt->nconns;
    for (; c < end && c->dep < ea[to]; c++) {
        if (rg[c->run] == gen || ea[c->from] <= c->dep) {
            rg[c->run] = gen;
            if (c->arr < ea[c->to]) ea[c->to] = c->arr;
        }
    }
    return ea[to];
}

/* ---- one feed ----------------------------------------------------------- */

static int bench_feed(const char *path, uint32_t nq, unsigned rounds, uint64_t seed,
                      struct result *res) {
    struct rt_load_report *rep = malloc(sizeof(*rep));
    struct rt_timetable tt;
    double load[MAX_ROUNDS];
    memset(res, 0, sizeof(*res));
    res->path = path;
    if (!rep) return -1;
    for (unsigned r = 0; r < rounds; r++) {
        double t0 = bench_now_us();
        if (rt_gtfs_load(&tt, path, NULL, rep) != 0) {
            fprintf(stderr, "routing_bench: %s: %s\n", path, rep->err);
            free(rep);
            return -1;
        }
        load[r] = (bench_now_us() - t0) / 1e3;
        fprintf(stderr, "  %s: load %u/%u: %.0f ms\n", path, r + 1, rounds, load[r]);
        if (r + 1 < rounds) rt_timetable_free(&tt);
    }
    unsigned long skipped = 0;
    for (int f = 0; f < RT_F_COUNT; f++)
        skipped += rep->files[f].skipped;
    if (skipped || rep->trips_too_short || rep->trips_without_runs) {
        fprintf(stderr, "routing_bench: %s: the loader skipped rows:\n", path);
        rt_load_report_print(rep, stderr);
    }
    free(rep);
    res->load_ms = bench_median(load, rounds);
    res->nconns = tt.nconns;
    res->nstops = tt.nstops;
    res->ntrips = tt.ntrips;
    res->nruns = tt.nruns;
    rt_timetable_stats(&tt, &res->st);
    if (tt.nforbidden || tt.nfoot)
        fprintf(stderr, "routing_bench: %s has transfers: the floor may differ\n",
                path);

    int rc = -1;
    struct bench_query *q = calloc(nq ? nq : 1, sizeof(*q));
    double *tc = calloc((size_t)nq * rounds + 1, sizeof(double));
    double *tf = calloc((size_t)nq * rounds + 1, sizeof(double));
    double p[4][MAX_ROUNDS];
    struct rt_csa_result *out = malloc(sizeof(*out));
    struct rt_csa_ws *ws = rt_csa_ws_new(&tt);
    struct floor_ws fw = {calloc(tt.nstops + 2, sizeof(uint32_t)),
                          calloc(tt.nruns + 1, sizeof(uint32_t)), 0};
    if (!q || !tc || !tf || !out || !ws || !fw.earliest || !fw.run_gen) {
        fputs("routing_bench: out of memory\n", stderr);
        goto done;
    }
    if (tt.nstops < 2 || bench_make_queries(&tt, seed, nq, q) != 0) {
        fprintf(stderr, "routing_bench: %s: cannot make queries\n", path);
        goto done;
    }
    /* Untimed warm-up: page in the arrays and the workspaces. */
    for (uint32_t i = 0; i < nq && i < 20; i++) {
        rt_csa_earliest(&tt, ws, q[i].from, q[i].to, q[i].depart, out);
        floor_earliest(&tt, &fw, q[i].from, q[i].to, q[i].depart);
    }
    uint64_t scanned = 0;
    for (unsigned r = 0; r < rounds; r++) {
        double *rc_t = tc + (size_t)r * nq, *rf_t = tf + (size_t)r * nq;
        for (uint32_t i = 0; i < nq; i++) {
            uint32_t a_csa = 0, a_floor = 0;
            for (int k = 0; k < 2; k++) {
                double t0 = bench_now_us();
                if ((k ^ (int)((i + r) & 1)) == 0) {
                    rt_csa_earliest(&tt, ws, q[i].from, q[i].to, q[i].depart, out);
                    rc_t[i] = bench_now_us() - t0;
                    a_csa = out->arrival;
                    if (r == 0) scanned += out->scanned;
                } else {
                    a_floor = floor_earliest(&tt, &fw, q[i].from, q[i].to, q[i].depart);
                    rf_t[i] = bench_now_us() - t0;
                }
            }
            if (a_csa != a_floor) {
                if (res->mismatches < 5)
                    fprintf(stderr,
                            "routing_bench: mismatch: %s -> %s at %" PRIu32
                            ": csa %" PRIu32 ", floor %" PRIu32 "\n",
                            rt_str(&tt, tt.stops[q[i].from].id),
                            rt_str(&tt, tt.stops[q[i].to].id), q[i].depart, a_csa,
                            a_floor);
                res->mismatches++;
            }
            if (r == 0 && a_csa != UINT32_MAX) res->reached++;
        }
        p[0][r] = bench_quantile(rc_t, nq, 0.5);
        p[1][r] = bench_quantile(rc_t, nq, 0.99);
        p[2][r] = bench_quantile(rf_t, nq, 0.5);
        p[3][r] = bench_quantile(rf_t, nq, 0.99);
        fprintf(stderr, "  %s: queries %u/%u: csa p50 %.0f us, floor p50 %.0f us\n",
                path, r + 1, rounds, p[0][r], p[2][r]);
    }
    res->nqueries = nq;
    res->avg_scanned = nq ? (double)scanned / nq : 0;
    res->csa_p50 = bench_median(p[0], rounds);
    res->csa_p99 = bench_median(p[1], rounds);
    res->floor_p50 = bench_median(p[2], rounds);
    res->floor_p99 = bench_median(p[3], rounds);
    rc = 0;
done:
    free(fw.earliest);
    free(fw.run_gen);
    rt_csa_ws_free(ws);
    free(out);
    free(tf);
    free(tc);
    free(q);
    rt_timetable_free(&tt);
    return rc;
}

/* ---- report ------------------------------------------------------------- */

static const char *verdict(int ok) {
    return ok ? "met" : "NOT MET";
}

static int near(const struct result *r, double conns) {
    return r->nconns >= 0.9 * conns && r->nconns <= 1.1 * conns;
}

static void report(const struct result *r, int n, unsigned rounds) {
    printf("%11s %6s %7s %8s %8s %7s %7s %6s %7s %9s %9s %9s %9s %9s %6s %5s\n",
           "connections", "stops", "trips", "runs", "load_ms", "route_B", "total_B",
           "queries", "reached", "scanned", "csa_p50", "csa_p99", "floor_p50",
           "floor_p99", "ratio", "diff");
    for (int i = 0; i < n; i++)
        printf("%11" PRIu32 " %6" PRIu32 " %7" PRIu32 " %8" PRIu32
               " %8.0f %7.2f %7.2f %6" PRIu32 " %6.1f%% %9.0f %9.0f %9.0f %9.0f"
               " %9.0f %6.2f %5lu\n",
               r[i].nconns, r[i].nstops, r[i].ntrips, r[i].nruns, r[i].load_ms,
               r[i].st.routing_bytes_per_conn, r[i].st.total_bytes_per_conn,
               r[i].nqueries,
               r[i].nqueries ? 100.0 * r[i].reached / r[i].nqueries : 0.0,
               r[i].avg_scanned, r[i].csa_p50, r[i].csa_p99, r[i].floor_p50,
               r[i].floor_p99, r[i].floor_p50 > 0 ? r[i].csa_p50 / r[i].floor_p50 : 0.0,
               r[i].mismatches);
    printf("(load_ms: median of %u loads; route_B / total_B: routing / all bytes per "
           "connection (rt_timetable_stats); scanned: connections the csa looked at "
           "per query, mean; csa / floor p50, p99 in microseconds: median over %u "
           "rounds of the same queries; ratio = csa_p50 / floor_p50; diff: queries "
           "whose arrivals differ)\n",
           rounds, rounds);
    printf("multi-criteria (Pareto) queries: see mc_bench, run next by "
           "scripts/bench_routing.sh\n");

    puts("targets (issue 4):");
    /* Every feed of about 10^6 (and 5*10^6) connections gets a line. */
    int seen = 0;
    for (int i = 0; i < n; i++)
        if (near(&r[i], 1e6)) {
            printf("  earliest arrival p50 < 1 ms at 10^6 connections (%" PRIu32
                   " runs): %.0f us, %s\n",
                   r[i].nruns, r[i].csa_p50, verdict(r[i].csa_p50 < 1000));
            seen = 1;
        }
    if (!seen)
        puts("  earliest arrival p50 < 1 ms at 10^6 connections: no 10^6 feed, not "
             "measured");
    puts("  multi-criteria p50 < 20 ms: see mc_bench below");
    double worst_b = 0, worst_ratio = 0;
    unsigned long diff = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].st.routing_bytes_per_conn > worst_b)
            worst_b = r[i].st.routing_bytes_per_conn;
        double ratio = r[i].floor_p50 > 0 ? r[i].csa_p50 / r[i].floor_p50 : 0;
        if (ratio > worst_ratio) worst_ratio = ratio;
        diff += r[i].mismatches;
    }
    printf("  routing data < 40 bytes per connection: at most %.2f, %s\n", worst_b,
           verdict(worst_b < 40));
    seen = 0;
    for (int i = 0; i < n; i++)
        if (near(&r[i], 5e6)) {
            printf("  5*10^6 connections loaded in < 10 s: %.2f s, %s\n",
                   r[i].load_ms / 1e3, verdict(r[i].load_ms < 10000));
            seen = 1;
        }
    if (!seen)
        puts("  5*10^6 connections loaded in < 10 s: no 5*10^6 feed, not measured");
    printf("  csa p50 within 1.5x of the floor: worst ratio %.2f, %s\n", worst_ratio,
           verdict(worst_ratio <= 1.5));
    printf("  same answers as the floor: %lu mismatches, %s\n", diff,
           verdict(diff == 0));
}

static void usage(void) {
    fputs("usage: routing_bench [--queries N] [--rounds R] [--seed X] FEED...\n",
          stderr);
}

int main(int argc, char **argv) {
    uint64_t nq = 1000, rounds = 3, seed = 42;
    const char *feeds[MAX_FEEDS];
    int nfeeds = 0;
    for (int i = 1; i < argc; i++) {
        uint64_t *dst = NULL;
        if (strcmp(argv[i], "--queries") == 0)
            dst = &nq;
        else if (strcmp(argv[i], "--rounds") == 0)
            dst = &rounds;
        else if (strcmp(argv[i], "--seed") == 0)
            dst = &seed;
        else if (argv[i][0] != '-' && nfeeds < MAX_FEEDS) {
            feeds[nfeeds++] = argv[i];
            continue;
        }
        if (!dst || i + 1 >= argc || bench_parse_u64(argv[++i], 0, UINT64_MAX, dst) != 0) {
            usage();
            return 2;
        }
    }
    if (!nfeeds || nq == 0 || nq > 1000000 || rounds == 0 || rounds > MAX_ROUNDS) {
        usage();
        fprintf(stderr, "  N in 1..10^6, R in 1..%d, at most %d feeds\n", MAX_ROUNDS,
                MAX_FEEDS);
        return 2;
    }
    struct result res[MAX_FEEDS];
    int fail = 0;
    for (int i = 0; i < nfeeds; i++) {
        if (bench_feed(feeds[i], (uint32_t)nq, (unsigned)rounds, seed, &res[i]) != 0)
            return 1;
        fail |= res[i].mismatches != 0;
    }
    report(res, nfeeds, (unsigned)rounds);
    return fail;
}
