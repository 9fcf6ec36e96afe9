/* mc_bench -- the multi-criteria part of the routing benchmark (issue 4,
 * "Performance"): rt_mc_search, the freight router behind /v1/routes.
 *
 *   mc_bench [--queries N] [--rounds R] [--seed X] --freight DIR
 *            [--zone DATA_DIR GTFS] FEED...
 *
 * For each GTFS feed (made by gtfs_gen.c for `make bench`): load it, build
 * the search's per-timetable facts (rt_mc_net_build) with the tariffs and
 * emission factors of DIR (geodata/freight), then answer the same N random
 * queries (bench_make_queries: the queries routing_bench asks) R times in
 * two scopes, timing each query alone: the default slack (journeys up to
 * 2 x the fastest + 1 day) and a tight one (1.5 x the fastest).  Which
 * goes first alternates per query.  p50 / p99
 * are taken per round; the median over the rounds is printed, with the
 * mean number of journeys in the Pareto set, labels made and connections
 * scanned.
 *
 * What the queries assume:
 *   - the freight *times* (cut-off, handling, release, customs) are zeroed
 *     by a per-query override: the synthetic feeds span one or two days,
 *     and a 24 h rail cut-off would leave nothing to find;
 *   - the tariffs and emission factors are the real ones, so the four
 *     criteria pull apart as they do on the zone's network (road against
 *     rail, fewer legs against cheaper ones);
 *   - 1000 kg, every mode, at most 8 legs, at most 90 days; hop km from
 *     the stops' positions.
 *
 * --zone adds one line for the zone's own network (geodata DATA_DIR, the
 * shipped GTFS) searched exactly as GET /v1/routes does (bench_zone).
 *
 * Exit status: 0 when every feed loaded and every search returned 0, 1
 * otherwise, 2 on bad arguments. */
#include "bench_util.h"
#include "geodata/geodesy.h"
#include "routing/freight.h"
#include "routing/gtfs.h"
#include "routing/drayage.h"
#include "routing/mc.h"
#include "server/router.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FEEDS 16

#define NCONF 2
/* The scope (rt_mc_query slack): the default (2 x the fastest + 1 day;
 * on a one-day feed that is everything after the ready time), and a tight
 * one (1.5 x the fastest, nothing added). */
static const double conf_factor[NCONF] = {0, 1.5};
static const char *const conf_name[NCONF] = {"2x+1d", "1.5x"};

struct result {
    uint32_t nconns, nqueries;
    double build_ms;
    struct {
        uint32_t reached, failed;
        double p50, p99; /* microseconds */
        double journeys, labels, scanned;
        uint64_t digest; /* of every answer of round 1 (answer_digest) */
    } c[NCONF];
};

/* FNV-1a over the answer OUT into H: every journey's four criteria and
 * each leg's run, boarding, alighting and footpath, in the answer's order.
 * Two builds of the search that print the same digest gave the same
 * Pareto sets, journey by journey (the check of a faster search). */
static uint64_t answer_digest(uint64_t h, const struct rt_mc_result *out) {
    uint64_t v[4 + 4 * RT_MC_MAX_LEGS];
    for (uint32_t i = 0; i <= out->n; i++) {
        size_t n = 0;
        if (i == out->n) {
            v[n++] = out->n;
        } else {
            const struct rt_mc_journey *j = &out->j[i];
            v[n++] = j->available;
            v[n++] = j->nlegs;
            v[n++] = (uint64_t)j->cost_cents;
            v[n++] = (uint64_t)j->co2e_g;
            for (uint32_t g = 0; g < j->nlegs && g < RT_MC_MAX_LEGS; g++) {
                v[n++] = j->legs[g].leg.run;
                v[n++] = j->legs[g].leg.board;
                v[n++] = j->legs[g].leg.alight;
                v[n++] = j->legs[g].foot;
            }
        }
        const unsigned char *b = (const unsigned char *)v;
        for (size_t k = 0; k < n * sizeof(v[0]); k++) h = (h ^ b[k]) * 0x100000001b3ull;
    }
    return h;
}

static int bench_feed(const char *path, const struct rt_freight *fr, uint32_t nq,
                      unsigned rounds, uint64_t seed, struct result *res) {
    struct rt_load_report *rep = malloc(sizeof(*rep));
    struct rt_timetable tt;
    struct rt_mc_net net;
    struct rt_mc_ws *ws = NULL;
    struct rt_mc_result *out = malloc(sizeof(*out));
    struct bench_query *q = calloc(nq ? nq : 1, sizeof(*q));
    double *t = calloc((size_t)NCONF * nq + 1, sizeof(double)), p50[NCONF][BENCH_MAX_ROUNDS],
           p99[NCONF][BENCH_MAX_ROUNDS];
    struct rt_freight_override ov;
    int rc = -1;

    memset(res, 0, sizeof(*res));
    memset(&net, 0, sizeof(net));
    if (!rep || !out || !q || !t) {
        fputs("mc_bench: out of memory\n", stderr);
        free(rep);
        free(out);
        free(q);
        free(t);
        return -1;
    }
    if (rt_gtfs_load(&tt, path, NULL, rep) != 0) {
        fprintf(stderr, "mc_bench: %s: %s\n", path, rep->err);
        free(rep);
        free(out);
        free(q);
        free(t);
        return -1;
    }
    free(rep);
    res->nconns = tt.nconns;
    for (int c = 0; c < NCONF; c++) res->c[c].digest = 0xcbf29ce484222325ull;
    double t0 = bench_now_us();
    if (rt_mc_net_build(&net, &tt, fr, NULL, NULL, NULL, NULL) != 0 ||
        (ws = rt_mc_ws_new(&net)) == NULL) {
        fputs("mc_bench: out of memory\n", stderr);
        goto done;
    }
    res->build_ms = (bench_now_us() - t0) / 1e3;
    if (tt.nstops < 2 || bench_make_queries(&tt, seed, nq, q) != 0) {
        fprintf(stderr, "mc_bench: %s: cannot make queries\n", path);
        goto done;
    }
    rt_freight_override_init(&ov);
    for (int a = 0; a < RT_FMODE_COUNT; a++) {
        ov.cutoff_s[a] = ov.release_s[a] = ov.customs_s[a] = 0;
        for (int b = 0; b < RT_FMODE_COUNT; b++) ov.handling_s[a][b] = 0;
    }
    struct rt_mc_query mq;
    memset(&mq, 0, sizeof(mq));
    mq.weight_kg = 1000;
    mq.override = &ov;
    /* Untimed warm-up: page in the arrays and grow the label pools. */
    for (uint32_t i = 0; i < nq && i < 10; i++) {
        mq.from = q[i].from, mq.to = q[i].to, mq.depart = q[i].depart;
        rt_mc_search(&net, NULL, ws, &mq, out);
    }
    for (unsigned r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < nq; i++) {
            mq.from = q[i].from, mq.to = q[i].to, mq.depart = q[i].depart;
            /* The configurations alternate which goes first. */
            for (int k = 0; k < NCONF; k++) {
                int c = (k + (int)(i + r)) % NCONF;
                mq.slack_factor = conf_factor[c];
                double s = bench_now_us();
                int src = rt_mc_search(&net, NULL, ws, &mq, out);
                t[(size_t)c * nq + i] = bench_now_us() - s;
                if (r == 0) {
                    if (src != 0) res->c[c].failed++;
                    if (out->n) res->c[c].reached++;
                    res->c[c].journeys += out->n;
                    res->c[c].labels += out->labels;
                    res->c[c].scanned += out->scanned;
                    res->c[c].digest = answer_digest(res->c[c].digest, out);
                }
            }
        }
        for (int c = 0; c < NCONF; c++) {
            p50[c][r] = bench_quantile(t + (size_t)c * nq, nq, 0.5);
            p99[c][r] = bench_quantile(t + (size_t)c * nq, nq, 0.99);
            fprintf(stderr,
                    "  %s: mc (slack %s) round %u/%u: p50 %.0f us, p99 %.0f us, answers %016" PRIx64
                    "\n",
                    path, conf_name[c], r + 1, rounds, p50[c][r], p99[c][r], res->c[c].digest);
        }
    }
    res->nqueries = nq;
    rc = 0;
    for (int c = 0; c < NCONF; c++) {
        res->c[c].p50 = bench_median(p50[c], rounds);
        res->c[c].p99 = bench_median(p99[c], rounds);
        if (nq) {
            res->c[c].journeys /= nq;
            res->c[c].labels /= nq;
            res->c[c].scanned /= nq;
        }
        if (res->c[c].failed) rc = -1;
    }
done:
    rt_mc_ws_free(ws);
    rt_mc_net_free(&net);
    rt_timetable_free(&tt);
    free(out);
    free(q);
    free(t);
    return rc;
}

/* The zone's own network, as GET /v1/routes searches it: the shipped
 * GTFS with drayage, the router of server/router.c (territories, lane km,
 * the real freight times) and the API's scope (no slack, 90 days).  One
 * table row; returns 0, or -1 when something does not load. */
static int bench_zone(const char *data_dir, const char *gtfs, const char *freight_dir,
                      uint32_t nq, unsigned rounds, uint64_t seed) {
    static struct geo_network gn;
    static struct rt_timetable tt;
    struct rt_load_report *rep = malloc(sizeof(*rep));
    struct rt_drayage_report dr;
    struct rt_mc_result *out = malloc(sizeof(*out));
    struct bench_query *q = calloc(nq ? nq : 1, sizeof(*q));
    double *t = calloc((size_t)nq + 1, sizeof(double)), p50[BENCH_MAX_ROUNDS],
           p99[BENCH_MAX_ROUNDS], journeys = 0, labels = 0;
    uint64_t digest = 0xcbf29ce484222325ull;
    char err[512];
    int rc = -1;
    if (!rep || !out || !q || !t) goto done;
    if (geo_network_load(&gn, data_dir, err, sizeof(err)) != 0 ||
        rt_gtfs_load(&tt, gtfs, NULL, rep) != 0 || rt_drayage_add(&tt, &gn, NULL, &dr) != 0 ||
        router_init(&tt, &gn, freight_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "mc_bench: the zone's network does not load: %s\n", err);
        goto done;
    }
    if (bench_make_queries(&tt, seed, nq, q) != 0) goto done;
    struct rt_mc_query mq;
    memset(&mq, 0, sizeof(mq));
    mq.weight_kg = 1000;
    mq.slack_factor = -1;
    mq.max_days = 90;
    for (unsigned r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < nq; i++) {
            mq.from = q[i].from, mq.to = q[i].to, mq.depart = q[i].depart;
            double s0 = bench_now_us();
            if (rt_mc_search(router_net(), NULL, router_ws(), &mq, out) != 0) goto done;
            t[i] = bench_now_us() - s0;
            if (r == 0) {
                journeys += out->n, labels += out->labels;
                digest = answer_digest(digest, out);
            }
        }
        p50[r] = bench_quantile(t, nq, 0.5);
        p99[r] = bench_quantile(t, nq, 0.99);
    }
    printf("the zone's network (%s, %" PRIu32 " connections, %" PRIu32 " stops; as /v1/routes: "
           "freight times, no slack, 90 days): %" PRIu32 " queries, %.1f journeys and %.0f "
           "labels per query, p50 %.0f us, p99 %.0f us\n",
           gtfs, tt.nconns, tt.nstops, nq, nq ? journeys / nq : 0, nq ? labels / nq : 0,
           bench_median(p50, rounds), bench_median(p99, rounds));
    fprintf(stderr, "  %s: answers %016" PRIx64 "\n", gtfs, digest);
    rc = 0;
done:
    router_free();
    rt_timetable_free(&tt);
    geo_network_free(&gn);
    free(rep);
    free(out);
    free(q);
    free(t);
    return rc;
}

static void usage(void) {
    fputs("usage: mc_bench [--queries N] [--rounds R] [--seed X] --freight DIR\n"
          "                [--zone DATA_DIR GTFS] FEED...\n",
          stderr);
}

static void print_table(const struct result *res, int nfeeds, uint64_t rounds) {
    printf("%11s %8s %7s %7s %7s %9s %9s %9s %9s %9s\n", "connections", "build_ms", "slack",
           "queries", "reached", "journeys", "labels", "scanned", "mc_p50", "mc_p99");
    for (int f = 0; f < nfeeds; f++)
        for (int c = 0; c < NCONF; c++)
            printf("%11" PRIu32 " %8.0f %7s %7" PRIu32 " %6.1f%% %9.2f %9.0f %9.0f %9.0f %9.0f\n",
                   res[f].nconns, res[f].build_ms, conf_name[c], res[f].nqueries,
                   res[f].nqueries ? 100.0 * res[f].c[c].reached / res[f].nqueries : 0.0,
                   res[f].c[c].journeys, res[f].c[c].labels, res[f].c[c].scanned, res[f].c[c].p50,
                   res[f].c[c].p99);
    printf("(multi-criteria: rt_mc_search, Pareto over availability, legs, cost, CO2e; "
           "slack 2x+1d: the default scope, journeys up to 2 x the fastest + 1 day; 1.5x: "
           "up to 1.5 x the fastest; "
           "build_ms: rt_mc_net_build; journeys, labels, scanned: per query, mean; p50 / "
           "p99 in microseconds, median over %" PRIu64 " rounds)\n", rounds);
    puts("targets (issue 4):");
    for (int f = 0; f < nfeeds; f++)
        if (res[f].nconns >= 900000 && res[f].nconns <= 1100000)
            for (int c = 0; c < NCONF; c++)
                printf("  multi-criteria p50 < 20 ms at 10^6 connections (slack %s): %.1f ms, "
                       "%s\n", conf_name[c], res[f].c[c].p50 / 1e3,
                       res[f].c[c].p50 < 20000 ? "met" : "NOT MET");
}

int main(int argc, char **argv) {
    uint64_t nq = 200, rounds = 3, seed = 1;
    const char *freight_dir = NULL, *feeds[MAX_FEEDS], *zone_data = NULL, *zone_gtfs = NULL;
    int nfeeds = 0;
    for (int i = 1; i < argc; i++) {
        uint64_t *dst = strcmp(argv[i], "--queries") == 0  ? &nq
                        : strcmp(argv[i], "--rounds") == 0 ? &rounds
                        : strcmp(argv[i], "--seed") == 0   ? &seed
                                                           : NULL;
        if (strcmp(argv[i], "--zone") == 0) {
            if (i + 2 >= argc) {
                usage();
                return 2;
            }
            zone_data = argv[++i];
            zone_gtfs = argv[++i];
        } else if (dst || strcmp(argv[i], "--freight") == 0) {
            if (i + 1 >= argc) {
                usage();
                return 2;
            }
            if (!dst) {
                freight_dir = argv[++i];
                continue;
            }
            uint64_t hi = dst == &rounds ? BENCH_MAX_ROUNDS : dst == &nq ? 1000000 : UINT64_MAX;
            if (bench_parse_u64(argv[++i], 1, hi, dst) != 0) {
                usage();
                return 2;
            }
        } else if (argv[i][0] == '-' || nfeeds == MAX_FEEDS) {
            usage();
            return 2;
        } else {
            feeds[nfeeds++] = argv[i];
        }
    }
    if (!freight_dir || (nfeeds == 0 && !zone_data)) {
        usage();
        return 2;
    }
    char err[512];
    struct rt_freight fr;
    if (geo_crs_init(err, sizeof(err)) != 0 || rt_freight_load(&fr, freight_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "mc_bench: %s\n", err);
        return 1;
    }
    struct result res[MAX_FEEDS];
    int bad = 0;
    for (int f = 0; f < nfeeds; f++)
        if (bench_feed(feeds[f], &fr, (uint32_t)nq, (unsigned)rounds, seed, &res[f]) != 0) bad = 1;
    if (nfeeds > 0) print_table(res, nfeeds, rounds);
    if (zone_data && bench_zone(zone_data, zone_gtfs, freight_dir, (uint32_t)nq,
                                (unsigned)rounds, seed) != 0)
        bad = 1;
    rt_freight_free(&fr);
    geo_crs_free();
    return bad;
}
