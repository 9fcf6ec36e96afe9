/* mc.c -- multi-criteria freight journeys by a connection scan with
 * Pareto bags; the rules are in mc.h, the design in
 * docs/routing-timetables.md ("Multi-criteria freight search").
 *
 * Labels:
 *   a stop label  -- cargo at a stop from time t, having come by one mode
 *                    (or from the origin, or by a footpath), with legs, cost
 *                    and CO2e so far.  Each stop keeps a list of the labels
 *                    no other label there dominates (same "came by", all
 *                    four values <=): what a label can still do depends only
 *                    on the stop, how the cargo came and those values.
 *   a run label   -- cargo aboard a run, boarded at one hop from one stop
 *                    label.  A run keeps the labels no other dominates: <=
 *                    in legs, cost and CO2e so far, cleared in the same
 *                    territory, and boarded at the same or a later hop that
 *                    is already in the past (a later boarding means a
 *                    shorter, so cheaper, leg at every hop still to come).
 *   a final       -- a stop label at the target, with its availability
 *                    time; the finals form the answer's Pareto set, and
 *                    prune every label they dominate (nothing after a label
 *                    gets earlier, fewer legs or cheaper).
 * Connections are scanned in departure order from the ready time until the
 * scope's bound (mc.h, "Scope"), which tightens as finals are found.  All
 * labels live in pools that grow as needed; a query reuses them.
 *
 * What keeps the scan small, each exact (it never drops a journey of the
 * answer; the reason is at each):
 *   - the horizon ("Horizon"): a guess at E gives a bound on the scope; a
 *     backward scan from the target marks the connections and the latest
 *     times at each stop that can still make it; the search runs again
 *     when the guess proves too early;
 *   - lower bounds on cost, CO2e and time from every stop to the target
 *     (Dijkstras over the stop graph, "Lower bounds"), against the finals;
 *   - patterns ("patterns"): a stop label boards the runs of one pattern at
 *     one position once, on the first that departs;
 *   - spent run labels (scan()): a run label whose every alighting, here
 *     or later, the finals would prune leaves its run's bag;
 *   - the listing (scan_hot_second): without an overlay, only the
 *     connections of a run with a bag, or of a pattern position armed by a
 *     label at its stop that it has not boarded yet, are scanned at all
 *     (1 in 16 on the 2-day benchmark feed).
 * What keeps it fast per connection: what the forward scan reads per run
 * is one 16-byte record fetched ahead (struct runrec, indexed by the hot
 * arrays' run number when there are some), the km of a ride come from a
 * small per-pattern array (pkm) instead of net->cum_km, the two relaxed
 * scans read one byte per run (run_mf, or hot_mf by the hot arrays' run
 * number) and, without an overlay, all three scans read the timetable's
 * hot arrays (10 bytes a connection instead of 24; the guess with csa.c's
 * per-stop gate, see guess_earliest; the backward scan without a branch,
 * from halfway to the guess, see "Where the backward scan starts"; the
 * forward scan's listing, see scan_hot_second), NEED after a footpath is
 * cached per stop like need_min (nfoot), and the labels that wait at a
 * stop for a departure are walked only once one is ready (wmin). */
#include "mc.h"

#include "geodata/geodesy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define INF UINT32_MAX
#define DAY 86400u
#define MAX_LABELS (1u << 24) /* per pool: beyond this the query fails (-1) */

struct slabel {
    uint32_t t;             /* cargo at the stop from here (after customs) */
    uint32_t next;          /* next live label of the stop, or RT_NONE */
    uint32_t prev;          /* stop label the last leg started from */
    uint32_t stop;
    uint32_t dep, arr;      /* the last leg's departure and arrival */
    uint32_t board, alight; /* ride: connection indices; else RT_NONE */
    uint32_t foot;          /* footpath leg: index in tt->foot; else RT_NONE */
    int32_t customs;        /* dwell added at this stop */
    uint8_t legs, came;     /* came: enum rt_fmode, RT_MC_FOOT or RT_MC_ORIGIN */
    uint8_t live;
    int64_t cost, co2;
    double km;              /* of the last leg */
};

struct rlabel {
    uint32_t next;  /* next live label of the run */
    uint32_t from;  /* stop label boarded from */
    uint32_t board; /* connection index of the boarding hop */
    uint16_t bseq;  /* its seq */
    uint16_t terr;  /* territory the cargo is cleared in */
    uint8_t legs;   /* including this ride */
    int64_t cost, co2; /* before this ride */
    uint32_t dep;      /* the boarding hop's departure and the km of its */
    double bkm;        /* stop along the trip: kept here, as reading them
                        * at every alighting missed the cache */
};

struct final {
    uint32_t label; /* stop label at the target */
    uint32_t avail;
    int legs;       /* the label's, copied: pruned() reads every final */
    int64_t cost, co2;
};

struct rt_mc_ws {
    const struct rt_mc_net *net;
    uint32_t nstops, nruns, gen;
    uint32_t *stop_gen, *stop_head, *target_gen;
    uint8_t *no_change;
    uint32_t *child_index, *children;
    struct slabel *sl;
    uint32_t nsl, capsl;
    struct rlabel *rl;
    uint32_t nrl, caprl;
    struct final *fin;
    uint32_t nfin, capfin;
    /* Boarding (see "Ready labels"): per stop and departing mode, the
     * newest stop label already looked at, and two lists of entries in
     * fe: the frontier of ready labels and the labels still waiting. */
    struct board {
        int64_t wmin;               /* the earliest departure a waiting
                                     * label is ready for (INT64_MAX: none
                                     * waits) */
        uint32_t seen, fhead, whead; /* one record: a departure reads all
                                      * four (they were four arrays, four
                                      * misses) */
    } (*bd)[RT_FMODE_COUNT];
    struct fent {
        uint32_t label, next;
    } * fe;
    uint32_t nfe, capfe;
    uint32_t *trip_pat; /* see "patterns" */
    uint32_t npos;      /* pattern positions: the size of pmark */
    /* Per run, what the forward scan reads of it in one 16-byte record
     * (one cache line, fetched ahead by scan_second): the pass (gen) its
     * bag (head, a list of run labels) is from, its trip's pattern
     * (trip_pat) and mode (net->run_mode).  Four arrays before, four
     * misses for many connections. */
    struct runrec {
        uint32_t gen, head, pat;
        uint8_t mode;
    } * rrec;
    /* Per run, its record's index in rrec: with the hot arrays, its number
     * there (runs by first departure: the runs running at one time have
     * their records close together, and the forward scan over the hot
     * arrays finds it there without reading the connection); else the
     * run itself.  RT_NONE: a run without connections. */
    uint32_t *rix;
    /* Per pattern position, the km from the pattern's first stop (the
     * same for every trip of it: net->cum_km, read at random there, was
     * the scan's costliest miss). */
    double *pkm;
    /* Per pattern + position (see scan()): the newest frontier entry
     * already looked at by a departure of it, this pass (gen).  Dense
     * (pattern positions only), so it stays in cache. */
    struct pmark {
        uint32_t gen, e;
        uint32_t snew;  /* ws->snew of the stop then */
        uint32_t until; /* the earliest departure a label waiting there
                         * then was ready for (capped) */
    } * pmark;
    uint32_t *snew; /* per stop: the newest label made there this pass */
    /* The forward scan over the hot arrays (scan_hot_second), NULL when
     * the timetable has none:
     *   ract   per run by the hot arrays' number: it has a bag this pass;
     *   pp     per connection: its pattern position (pattern + seq), or
     *          npos (no pattern: armed[npos] stays INF);
     *   armed  per pattern position, this pass: the earliest departure
     *          at which a label at its stop that it has not boarded yet
     *          is ready (INF: none), see arm();
     *   spos   the pattern positions leaving each stop by each mode:
     *          spos[spos_index[s * RT_FMODE_COUNT + m] ...]. */
    uint8_t *ract;
    uint32_t *pp, *armed, *spos_index, *spos;
    /* Lower bounds from a stop to the target, per query (see "Lower
     * bounds"), and the stop graph they come from (graph_build). */
    uint32_t *lb_t;
    int64_t *lb_c, *lb_e;
    uint8_t *lb_l;
    int64_t *lbr_c, *lbr_e; /* the same without the next leg's fixed part
                             * ("Spent run labels" in scan()) */
    uint32_t *g_index; /* [nstops + 1]: edges into s in g_edge[...] */
    struct gedge {
        uint32_t from, secs;
        uint8_t mode; /* enum rt_fmode, or RT_MC_FOOT */
        double km;
    } * g_edge;
    struct hent {
        double d;
        uint32_t s;
    } * heap;
    double *dist;
    /* Reachability of the target by the horizon (see "Horizon"): per stop
     * the latest useful time (LATE_NONE: none), per connection whether it
     * can be part of such a journey, per run a flag for both scans. */
    int64_t *late, *late_foot; /* late_foot: the latest arrival at s by a
                                * footpath that is still useful */
    uint8_t *ok, *ok_side;
    uint8_t *run_mf; /* per run: its mode (net->run_mode) | RUN_FLAG, one
                      * byte read per connection by the two relaxed scans */
    uint8_t *hot_mf; /* the same by the hot arrays' run number (NULL when
                      * the timetable has no hot arrays): the relaxed scans
                      * over them use it (see guess_earliest) */
    uint32_t capside;
    uint32_t *ea;                        /* the guess's earliest times */
    int32_t (*nmin)[RT_FMODE_COUNT];     /* need_min per stop, per query */
    int32_t (*nfoot)[RT_FMODE_COUNT];    /* need_foot per stop, per query */
    uint32_t *nmin_gen, *origin_gen;
    uint32_t *in_index, *in_foot; /* footpaths by the stop they lead to */
};

#define LATE_NONE INT64_MIN
#define RUN_FLAG 0x80u /* in run_mf: the run is marked (see reach_back, guess_earliest) */

/* ---- the per-timetable facts ---- */

void rt_mc_net_free(struct rt_mc_net *net) {
    if (!net) return;
    free(net->trip_mode);
    free(net->run_mode);
    free(net->cum_km);
    free(net->foot_km);
    free(net->territory);
    free(net->handling);
    free(net->cutoff);
    free(net->release);
    free(net->customs);
    free(net->customs_at);
    memset(net, 0, sizeof(*net));
}

static double gc_km(const struct rt_stop *a, const struct rt_stop *b) {
    if (isnan(a->lat) || isnan(a->lon) || isnan(b->lat) || isnan(b->lon)) return 0;
    double m = geo_inverse(a->lat, a->lon, b->lat, b->lon, NULL, NULL);
    return isfinite(m) && m > 0 ? m / 1000.0 : 0;
}

static void *alloc_n(size_t n, size_t size) {
    return calloc(n ? n : 1, size);
}

/* Great-circle km on a sphere of radius 6371 km (haversine): cheap, and
 * a metric, so the triangle inequality the bounds rely on holds.  Used
 * only for lower bounds, always with itself. */
static double sphere_km(const struct rt_stop *a, const struct rt_stop *b) {
    const double r = 6371.0, d2r = M_PI / 180.0;
    double dlat = (b->lat - a->lat) * d2r, dlon = (b->lon - a->lon) * d2r;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(a->lat * d2r) * cos(b->lat * d2r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(fmin(1.0, h)));
}

/* One hop or footpath of KM (of the search) between stops A and B taking
 * SECS, for the lower bounds. */
static void bound_one(struct rt_mc_net *net, const struct rt_stop *a, const struct rt_stop *b,
                      double km, double secs) {
    if (isnan(a->lat) || isnan(a->lon) || isnan(b->lat) || isnan(b->lon)) {
        net->km_per_gc = 0;
        net->gc_per_s = INFINITY;
        return;
    }
    double gc = sphere_km(a, b);
    if (!(gc > 0)) return;
    if (km / gc < net->km_per_gc) net->km_per_gc = km / gc;
    if (secs <= 0)
        net->gc_per_s = INFINITY;
    else if (gc / secs > net->gc_per_s)
        net->gc_per_s = gc / secs;
}

/* Lower bounds: the slowest km per great-circle km and the fastest
 * great-circle km per second over every hop and footpath.  Any journey
 * from S to T covers at least the great circle S-T (triangle inequality
 * over its hops), so at least km_per_gc x gc(S, T) km and gc(S, T) /
 * gc_per_s seconds. */
static void bounds(struct rt_mc_net *net) {
    const struct rt_timetable *tt = net->tt;
    net->km_per_gc = 1;
    net->gc_per_s = 0;
    for (uint32_t i = 0; i < tt->ntrips; i++) {
        const struct rt_trip *tr = &tt->trips[i];
        for (uint32_t k = 0; k + 1 < tr->nstops; k++) {
            const struct rt_stop_time *x = &tt->stop_times[tr->first_stop_time + k];
            bound_one(net, &tt->stops[x[0].stop], &tt->stops[x[1].stop],
                      net->cum_km[tr->first_stop_time + k + 1] - net->cum_km[tr->first_stop_time + k],
                      (double)x[1].arr - (double)x[0].dep);
        }
    }
    for (uint32_t i = 0; i < tt->nfoot; i++)
        bound_one(net, &tt->stops[tt->foot[i].from], &tt->stops[tt->foot[i].to], net->foot_km[i],
                  tt->foot[i].seconds);
    if (net->km_per_gc < 0) net->km_per_gc = 0;
}

int rt_mc_net_build(struct rt_mc_net *net, const struct rt_timetable *tt,
                    const struct rt_freight *freight, const struct rt_mc_stop_in *stops,
                    const uint8_t *trip_mode, const double *hop_km, const double *foot_km) {
    memset(net, 0, sizeof(*net));
    net->tt = tt;
    net->freight = freight;
    net->trip_mode = alloc_n(tt->ntrips, 1);
    net->run_mode = alloc_n(tt->nruns, 1);
    net->cum_km = alloc_n(tt->nstop_times, sizeof(double));
    net->foot_km = alloc_n(tt->nfoot, sizeof(double));
    net->territory = alloc_n(tt->nstops, sizeof(uint16_t));
    net->handling = alloc_n(tt->nstops, sizeof(*net->handling));
    net->cutoff = alloc_n(tt->nstops, sizeof(*net->cutoff));
    net->release = alloc_n(tt->nstops, sizeof(*net->release));
    net->customs = alloc_n(tt->nstops, sizeof(*net->customs));
    net->customs_at = alloc_n(tt->nstops, 1);
    if (!net->customs_at || !net->run_mode || !net->trip_mode || !net->cum_km || !net->foot_km || !net->territory ||
        !net->handling || !net->cutoff || !net->release || !net->customs) {
        rt_mc_net_free(net);
        return -1;
    }
    for (uint32_t i = 0; i < tt->ntrips; i++) {
        const struct rt_trip *tr = &tt->trips[i];
        int m = trip_mode ? trip_mode[i]
                          : rt_fmode_from_rt_mode((enum rt_mode)tt->routes[tr->route].mode, 1);
        net->trip_mode[i] = (m < 0 || m >= RT_FMODE_COUNT) ? 255 : (uint8_t)m;
        double sum = 0;
        for (uint32_t k = 0; k < tr->nstops; k++) {
            uint32_t st = tr->first_stop_time + k;
            net->cum_km[st] = sum;
            if (k + 1 < tr->nstops) {
                double d = hop_km ? hop_km[st]
                                  : gc_km(&tt->stops[tt->stop_times[st].stop],
                                          &tt->stops[tt->stop_times[st + 1].stop]);
                sum += isfinite(d) && d > 0 ? d : 0;
            }
        }
    }
    for (uint32_t r = 0; r < tt->nruns; r++) net->run_mode[r] = net->trip_mode[tt->runs[r].trip];
    for (uint32_t i = 0; i < tt->nfoot; i++) {
        double d = foot_km ? foot_km[i]
                           : 1.3 * gc_km(&tt->stops[tt->foot[i].from], &tt->stops[tt->foot[i].to]);
        net->foot_km[i] = isfinite(d) && d > 0 ? d : 0;
    }
    bounds(net);
    struct rt_freight_override one;
    rt_freight_override_init(&one);
    for (int m = 0; m < RT_FMODE_COUNT; m++) one.customs_s[m] = 1;
    for (uint32_t s = 0; s < tt->nstops; s++) {
        const char *code = rt_str(tt, tt->stops[s].id);
        net->territory[s] = stops ? stops[s].territory : 0;
        if (!freight) continue;
        for (int m = 0; m < RT_FMODE_COUNT; m++) {
            for (int x = 0; x < RT_FMODE_COUNT; x++)
                net->handling[s][x][m] =
                    rt_freight_handling(freight, code, (enum rt_fmode)x, (enum rt_fmode)m, NULL);
            net->cutoff[s][m] = rt_freight_cutoff(freight, code, (enum rt_fmode)m, NULL);
            net->release[s][m] = rt_freight_release(freight, code, (enum rt_fmode)m, NULL);
            net->customs[s][m] = rt_freight_customs_dwell(
                freight, code, stops ? stops[s].customs_flags : 0, (enum rt_fmode)m, NULL);
            /* Where clearance happens at all: the lookup with a 1 s
             * override answers 1 exactly there. */
            if (rt_freight_customs_dwell(freight, code, stops ? stops[s].customs_flags : 0,
                                         (enum rt_fmode)m, &one) == 1)
                net->customs_at[s] |= (uint8_t)(1u << m);
        }
    }
    return 0;
}

double rt_mc_ride_km(const struct rt_mc_net *net, uint32_t trip, uint32_t seq_from,
                     uint32_t seq_to) {
    const struct rt_trip *tr = &net->tt->trips[trip];
    if (seq_from > seq_to || seq_to >= tr->nstops) return 0;
    return net->cum_km[tr->first_stop_time + seq_to] - net->cum_km[tr->first_stop_time + seq_from];
}

int rt_mc_order_parse(const char *s) {
    if (!s) return -1;
    if (strcmp(s, "time") == 0) return RT_MC_BY_TIME;
    if (strcmp(s, "cost") == 0) return RT_MC_BY_COST;
    if (strcmp(s, "co2") == 0) return RT_MC_BY_CO2;
    return -1;
}

/* ---- workspace ---- */

void rt_mc_ws_free(struct rt_mc_ws *ws) {
    if (!ws) return;
    free(ws->stop_gen);
    free(ws->stop_head);
    free(ws->snew);
    free(ws->ract);
    free(ws->pp);
    free(ws->armed);
    free(ws->spos_index);
    free(ws->spos);
    free(ws->target_gen);
    free(ws->no_change);
    free(ws->child_index);
    free(ws->children);
    free(ws->sl);
    free(ws->rl);
    free(ws->fin);
    free(ws->bd);
    free(ws->fe);
    free(ws->trip_pat);
    free(ws->pmark);
    free(ws->rrec);
    free(ws->rix);
    free(ws->pkm);
    free(ws->g_index);
    free(ws->g_edge);
    free(ws->heap);
    free(ws->dist);
    free(ws->lb_t);
    free(ws->lb_c);
    free(ws->lb_e);
    free(ws->lb_l);
    free(ws->lbr_c);
    free(ws->lbr_e);
    free(ws->late);
    free(ws->late_foot);
    free(ws->ok);
    free(ws->ok_side);
    free(ws->run_mf);
    free(ws->hot_mf);
    free(ws->ea);
    free(ws->nmin);
    free(ws->nfoot);
    free(ws->nmin_gen);
    free(ws->origin_gen);
    free(ws->in_index);
    free(ws->in_foot);
    free(ws);
}

/* ---- the stop graph, for lower bounds ----
 * Every hop of every trip and every footpath as an edge into the stop it
 * leads to, one per (to, from, mode) with the smallest km and duration
 * among them.  A journey from a stop to the target rides or walks along a
 * path of such edges, so the cheapest path (per km rates of each edge's
 * mode) bounds its cost and CO2e from below, and the shortest one (in
 * scheduled seconds) its time. */
struct gsort {
    uint32_t to, from, secs;
    uint8_t mode; /* enum rt_fmode, or RT_MC_FOOT */
    double km;
};

static int gsort_cmp(const void *pa, const void *pb) {
    const struct gsort *a = pa, *b = pb;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    return (int)a->mode - (int)b->mode;
}

static int graph_build(struct rt_mc_ws *ws) {
    const struct rt_mc_net *net = ws->net;
    const struct rt_timetable *tt = net->tt;
    size_t n = tt->nfoot;
    for (uint32_t i = 0; i < tt->ntrips; i++)
        if (net->trip_mode[i] < RT_FMODE_COUNT && tt->trips[i].nstops > 1)
            n += tt->trips[i].nstops - 1;
    struct gsort *e = alloc_n(n, sizeof(*e));
    ws->g_index = alloc_n((size_t)tt->nstops + 1, sizeof(uint32_t));
    if (!e || !ws->g_index) {
        free(e);
        return -1;
    }
    size_t k = 0;
    for (uint32_t i = 0; i < tt->ntrips; i++) {
        const struct rt_trip *tr = &tt->trips[i];
        if (net->trip_mode[i] >= RT_FMODE_COUNT) continue;
        for (uint32_t h = 0; h + 1 < tr->nstops; h++) {
            const struct rt_stop_time *x = &tt->stop_times[tr->first_stop_time + h];
            e[k].to = x[1].stop;
            e[k].from = x[0].stop;
            e[k].secs = x[1].arr > x[0].dep ? x[1].arr - x[0].dep : 0;
            e[k].mode = net->trip_mode[i];
            e[k].km = net->cum_km[tr->first_stop_time + h + 1] -
                      net->cum_km[tr->first_stop_time + h];
            k++;
        }
    }
    for (uint32_t f = 0; f < tt->nfoot; f++, k++) {
        e[k].to = tt->foot[f].to;
        e[k].from = tt->foot[f].from;
        e[k].secs = tt->foot[f].seconds;
        e[k].mode = RT_MC_FOOT;
        e[k].km = net->foot_km[f];
    }
    if (n > 1) qsort(e, n, sizeof(*e), gsort_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && gsort_cmp(&e[m - 1], &e[i]) == 0) {
            if (e[i].km < e[m - 1].km) e[m - 1].km = e[i].km;
            if (e[i].secs < e[m - 1].secs) e[m - 1].secs = e[i].secs;
        } else {
            e[m++] = e[i];
        }
    }
    ws->g_edge = alloc_n(m, sizeof(*ws->g_edge));
    ws->heap = alloc_n(m + tt->nstops + 1, sizeof(*ws->heap));
    ws->dist = alloc_n(tt->nstops, sizeof(*ws->dist));
    if (!ws->g_edge || !ws->heap || !ws->dist) {
        free(e);
        return -1;
    }
    for (size_t i = 0; i < m; i++) {
        ws->g_index[e[i].to + 1]++;
        ws->g_edge[i].from = e[i].from;
        ws->g_edge[i].secs = e[i].secs;
        ws->g_edge[i].mode = e[i].mode;
        ws->g_edge[i].km = e[i].km;
    }
    for (uint32_t s = 0; s < tt->nstops; s++) ws->g_index[s + 1] += ws->g_index[s];
    free(e);
    return 0;
}

/* The min-heap of the Dijkstra below. */
static void heap_push(struct rt_mc_ws *ws, uint32_t *n, double d, uint32_t s) {
    uint32_t i = (*n)++;
    while (i > 0 && ws->heap[(i - 1) / 2].d > d) {
        ws->heap[i] = ws->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    ws->heap[i].d = d;
    ws->heap[i].s = s;
}

static void heap_pop(struct rt_mc_ws *ws, uint32_t *n) {
    struct hent last = ws->heap[--*n];
    uint32_t i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && ws->heap[c + 1].d < ws->heap[c].d) c++;
        if (ws->heap[c].d >= last.d) break;
        ws->heap[i] = ws->heap[c];
        i = c;
    }
    ws->heap[i] = last;
}

/* ---- patterns, for boarding ----
 * Two trips with the same mode, stops, pickup and drop-off flags, km per
 * hop and times relative to their first departure make runs that are the
 * same journey shifted in time: a run of the pattern boarded at position
 * k that departs later arrives later at every stop after k, at the same
 * cost, CO2e and legs.  trip_pat gives each trip the number of its
 * pattern's first position (a pattern and a position then make one
 * number, pattern + k, below npos), or RT_NONE when its mode is
 * unusable. */
struct tkey {
    uint64_t h;
    uint32_t trip;
};

static int tkey_cmp(const void *pa, const void *pb) {
    const struct tkey *a = pa, *b = pb;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return a->trip < b->trip ? -1 : a->trip > b->trip;
}

static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

/* 1 when trips A and B have the same pattern (see above). */
static int same_pattern(const struct rt_mc_net *net, uint32_t a, uint32_t b) {
    const struct rt_timetable *tt = net->tt;
    const struct rt_trip *ta = &tt->trips[a], *tb = &tt->trips[b];
    if (net->trip_mode[a] != net->trip_mode[b] || ta->nstops != tb->nstops) return 0;
    const struct rt_stop_time *x = &tt->stop_times[ta->first_stop_time],
                              *y = &tt->stop_times[tb->first_stop_time];
    const double *ka = &net->cum_km[ta->first_stop_time], *kb = &net->cum_km[tb->first_stop_time];
    for (uint32_t k = 0; k < ta->nstops; k++)
        if (x[k].stop != y[k].stop || x[k].flags != y[k].flags ||
            (int64_t)x[k].arr - x[0].dep != (int64_t)y[k].arr - y[0].dep ||
            (int64_t)x[k].dep - x[0].dep != (int64_t)y[k].dep - y[0].dep || ka[k] != kb[k])
            return 0;
    return 1;
}

static int patterns_build(struct rt_mc_ws *ws) {
    const struct rt_mc_net *net = ws->net;
    const struct rt_timetable *tt = net->tt;
    struct tkey *key = alloc_n(tt->ntrips, sizeof(*key));
    uint32_t *head_pos = alloc_n(tt->ntrips, sizeof(uint32_t));
    ws->trip_pat = alloc_n(tt->ntrips, sizeof(uint32_t));
    ws->rrec = alloc_n(tt->nruns, sizeof(*ws->rrec));
    ws->rix = alloc_n(tt->nruns, sizeof(uint32_t));
    if (!key || !head_pos || !ws->trip_pat || !ws->rrec || !ws->rix) {
        free(key);
        free(head_pos);
        return -1;
    }
    for (uint32_t i = 0; i < tt->ntrips; i++) {
        const struct rt_trip *tr = &tt->trips[i];
        const struct rt_stop_time *x = &tt->stop_times[tr->first_stop_time];
        uint64_t h = mix(net->trip_mode[i], tr->nstops);
        for (uint32_t k = 0; k < tr->nstops; k++) {
            h = mix(h, x[k].stop);
            h = mix(h, x[k].flags);
            h = mix(h, (uint64_t)((int64_t)x[k].arr - x[0].dep));
            h = mix(h, (uint64_t)((int64_t)x[k].dep - x[0].dep));
        }
        key[i].h = h;
        key[i].trip = i;
    }
    if (tt->ntrips > 1) qsort(key, tt->ntrips, sizeof(*key), tkey_cmp);
    /* A pattern is named by its first trip (the hash group's first, or the
     * trip itself when it differs from that one); its positions get
     * numbers npos .. npos + nstops - 1 when that trip is first met. */
    for (uint32_t i = 0; i < tt->ntrips; i++) head_pos[i] = RT_NONE;
    ws->npos = 0;
    for (uint32_t i = 0, first = 0; i < tt->ntrips; i++) {
        uint32_t t = key[i].trip;
        if (i == 0 || key[i].h != key[i - 1].h) first = i;
        uint32_t rep = key[first].trip;
        if (net->trip_mode[t] >= RT_FMODE_COUNT) {
            ws->trip_pat[t] = RT_NONE;
            continue;
        }
        uint32_t hd = same_pattern(net, rep, t) ? rep : t;
        if (head_pos[hd] == RT_NONE) {
            head_pos[hd] = ws->npos;
            ws->npos += tt->trips[hd].nstops;
        }
        ws->trip_pat[t] = head_pos[hd];
    }
    free(key);
    free(head_pos);
    ws->pmark = alloc_n(ws->npos, sizeof(*ws->pmark));
    ws->pkm = alloc_n(ws->npos, sizeof(double));
    if (!ws->pmark || !ws->pkm) return -1;
    for (uint32_t t = 0; t < tt->ntrips; t++)
        if (ws->trip_pat[t] != RT_NONE)
            for (uint32_t k = 0; k < tt->trips[t].nstops; k++)
                ws->pkm[ws->trip_pat[t] + k] = net->cum_km[tt->trips[t].first_stop_time + k];
    if (tt->hot_rs) {
        uint32_t mask = rt_hot_run_mask(tt);
        for (uint32_t r = 0; r < tt->nruns; r++) ws->rix[r] = RT_NONE;
        for (uint32_t k = 0; k < tt->nconns; k++) ws->rix[tt->conns[k].run] = tt->hot_rs[k] & mask;
    } else {
        for (uint32_t r = 0; r < tt->nruns; r++) ws->rix[r] = r;
    }
    for (uint32_t r = 0; r < tt->nruns; r++) {
        uint32_t x = ws->rix[r];
        if (x == RT_NONE) continue;
        ws->rrec[x].pat = ws->trip_pat[tt->runs[r].trip];
        ws->rrec[x].mode = net->run_mode[r];
    }
    return 0;
}

/* ws->pp, armed, spos_index and spos (see there), for a timetable with
 * hot arrays, after patterns_build. */
static int hot_positions(struct rt_mc_ws *ws) {
    const struct rt_timetable *tt = ws->net->tt;
    size_t nsm = (size_t)tt->nstops * RT_FMODE_COUNT;
    ws->pp = alloc_n(tt->nconns, sizeof(uint32_t));
    ws->armed = alloc_n((size_t)ws->npos + 1, sizeof(uint32_t));
    ws->spos_index = alloc_n(nsm + 1, sizeof(uint32_t));
    uint8_t *done = alloc_n((size_t)ws->npos + 1, 1);
    if (!ws->pp || !ws->armed || !ws->spos_index || !done) {
        free(done);
        return -1;
    }
    ws->armed[ws->npos] = INF;
    /* A position's stop and mode from the connections that depart there
     * (a position no connection departs from is never armed). */
    for (uint32_t k = 0; k < tt->nconns; k++) {
        const struct rt_connection *c = &tt->conns[k];
        const struct runrec *rr = &ws->rrec[ws->rix[c->run]];
        ws->pp[k] = rr->pat == RT_NONE ? ws->npos : rr->pat + c->seq;
    }
    for (int pass = 0; pass < 2; pass++) {
        memset(done, 0, (size_t)ws->npos + 1);
        for (uint32_t k = 0; k < tt->nconns; k++) {
            uint32_t p = ws->pp[k];
            const struct rt_connection *c = &tt->conns[k];
            if (p == ws->npos || done[p]) continue;
            done[p] = 1;
            /* No boarding there (the pattern's flags are its trips'). */
            if (!(c->flags & RT_CONN_PICKUP)) continue;
            size_t sm = (size_t)c->from * RT_FMODE_COUNT + ws->rrec[ws->rix[c->run]].mode;
            if (pass == 0)
                ws->spos_index[sm + 1]++;
            else
                ws->spos[ws->spos_index[sm]++] = p;
        }
        if (pass == 0) {
            for (size_t i = 0; i < nsm; i++) ws->spos_index[i + 1] += ws->spos_index[i];
            ws->spos = alloc_n((size_t)ws->spos_index[nsm] + 1, sizeof(uint32_t));
            if (!ws->spos) {
                free(done);
                return -1;
            }
        }
    }
    /* The second pass moved each start to the next one's: back by one. */
    for (size_t i = nsm; i > 0; i--) ws->spos_index[i] = ws->spos_index[i - 1];
    ws->spos_index[0] = 0;
    free(done);
    return 0;
}

struct rt_mc_ws *rt_mc_ws_new(const struct rt_mc_net *net) {
    const struct rt_timetable *tt = net->tt;
    struct rt_mc_ws *ws = calloc(1, sizeof(*ws));
    if (!ws) return NULL;
    ws->net = net;
    ws->nstops = tt->nstops;
    ws->nruns = tt->nruns;
    ws->stop_gen = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->stop_head = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->snew = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->target_gen = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->no_change = alloc_n(tt->nstops, 1);
    ws->child_index = alloc_n((size_t)tt->nstops + 1, sizeof(uint32_t));
    ws->children = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->bd = alloc_n(tt->nstops, sizeof(*ws->bd));
    ws->lb_t = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->lb_c = alloc_n(tt->nstops, sizeof(int64_t));
    ws->lb_e = alloc_n(tt->nstops, sizeof(int64_t));
    ws->lb_l = alloc_n(tt->nstops, 1);
    ws->lbr_c = alloc_n(tt->nstops, sizeof(int64_t));
    ws->lbr_e = alloc_n(tt->nstops, sizeof(int64_t));
    ws->late = alloc_n((size_t)tt->nstops + 2, sizeof(int64_t)); /* see reach_back */
    ws->late_foot = alloc_n((size_t)tt->nstops + 2, sizeof(int64_t));
    ws->ok = alloc_n(tt->nconns, 1);
    ws->run_mf = alloc_n(tt->nruns, 1);
    ws->ea = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->nmin = alloc_n(tt->nstops, sizeof(*ws->nmin));
    ws->nfoot = alloc_n(tt->nstops, sizeof(*ws->nfoot));
    ws->nmin_gen = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->origin_gen = alloc_n(tt->nstops, sizeof(uint32_t));
    ws->in_index = alloc_n((size_t)tt->nstops + 1, sizeof(uint32_t));
    ws->in_foot = alloc_n(tt->nfoot, sizeof(uint32_t));
    if (graph_build(ws) != 0 || patterns_build(ws) != 0 || !ws->late || !ws->late_foot ||
        !ws->ok || !ws->run_mf || !ws->ea || !ws->nmin || !ws->nfoot || !ws->nmin_gen ||
        !ws->origin_gen || !ws->in_index || !ws->in_foot) {
        rt_mc_ws_free(ws);
        return NULL;
    }
    for (uint32_t r = 0; r < tt->nruns; r++)
        ws->run_mf[r] = net->run_mode[r] < RT_FMODE_COUNT ? net->run_mode[r] : 0x7f;
    if (tt->hot_rs) {
        uint32_t mask = rt_hot_run_mask(tt);
        ws->hot_mf = alloc_n(tt->nruns, 1);
        ws->ract = alloc_n(tt->nruns, 1);
        if (!ws->hot_mf || !ws->ract || hot_positions(ws) != 0) {
            rt_mc_ws_free(ws);
            return NULL;
        }
        for (uint32_t k = 0; k < tt->nconns; k++)
            ws->hot_mf[tt->hot_rs[k] & mask] = ws->run_mf[tt->conns[k].run];
    }
    /* Footpaths by destination (a counting sort): the backward scan walks
     * them from the stop they lead to. */
    for (uint32_t f = 0; f < tt->nfoot; f++) ws->in_index[tt->foot[f].to + 1]++;
    for (uint32_t s = 0; s < tt->nstops; s++) ws->in_index[s + 1] += ws->in_index[s];
    for (uint32_t f = 0; f < tt->nfoot; f++) ws->in_foot[ws->in_index[tt->foot[f].to]++] = f;
    for (uint32_t s = tt->nstops; s > 0; s--) ws->in_index[s] = ws->in_index[s - 1];
    ws->in_index[0] = 0;
    if (!ws->bd || !ws->lb_t || !ws->lb_c || !ws->lb_e ||
        !ws->lb_l || !ws->lbr_c || !ws->lbr_e || !ws->stop_gen || !ws->stop_head || !ws->snew || !ws->target_gen || !ws->no_change || !ws->child_index || !ws->children ||
        rt_stop_facts(tt, ws->no_change, ws->child_index, ws->children) != 0) {
        rt_mc_ws_free(ws);
        return NULL;
    }
    return ws;
}

static int grow(void **v, uint32_t *cap, size_t size) {
    uint32_t ncap = *cap ? *cap * 2 : 1024;
    if (*cap >= MAX_LABELS) return -1;
    void *p = realloc(*v, (size_t)ncap * size);
    if (!p) return -1;
    *v = p;
    *cap = ncap;
    return 0;
}

/* ---- one query ---- */

struct q {
    const struct rt_mc_net *net;
    const struct rt_timetable *tt;
    const struct rt_freight_override *o; /* NULL also when there is no freight */
    const struct rt_ov_conn *side;
    uint32_t nside;
    const uint8_t *skip; /* runs the overlay replaced, or NULL */
    struct rt_mc_ws *ws;
    unsigned modes;
    int max_legs;
    double weight, teu;
    uint32_t depart, bound, max_bound, earliest;
    double slack_factor;
    uint32_t slack_s;
    int oom;
    int again; /* a label became usable at the second being scanned */
    int listing; /* the forward scan lists (scan_hot_second): no overlay
                  * and the timetable has hot arrays; arming and the run
                  * flags are kept only then */
    int opened;  /* a stop got its first label, or a run its bag (see
                  * scan_hot_second) */
    uint32_t now;
    /* Lower bounds (see "Lower bounds"): the cheapest fixed part of a
     * leg in cents; per mode, cents and grams per km of a leg (the affine
     * part). */
    double lb_cents_leg;
    double rate_c[RT_FMODE_COUNT], rate_g[RT_FMODE_COUNT];
};

static const struct rt_connection *conn_at(const struct q *q, uint32_t k) {
    return k < q->tt->nconns ? &q->tt->conns[k] : &q->side[k - q->tt->nconns].c;
}

static uint32_t sat_add(uint32_t a, int64_t b) {
    int64_t r = (int64_t)a + b;
    return r >= INF ? INF - 1 : r < 0 ? 0 : (uint32_t)r;
}

static int32_t handling(const struct q *q, uint32_t s, int x, int m) {
    if (q->o && q->o->handling_s[x][m] >= 0) return q->o->handling_s[x][m];
    return q->net->handling[s][x][m];
}

static int32_t customs(const struct q *q, uint32_t s, int m) {
    if (!(q->net->customs_at[s] & (1u << m))) return 0;
    if (q->o && q->o->customs_s[m] >= 0) return q->o->customs_s[m];
    return q->net->customs[s][m];
}

static int32_t release(const struct q *q, uint32_t s, int m) {
    if (q->o && q->o->release_s[m] >= 0) return q->o->release_s[m];
    return q->net->release[s][m];
}

/* NEED(s, came, m) of mc.h; -1 when boarding is impossible. */
static int64_t need(const struct q *q, uint32_t s, int came, int m) {
    if (came == RT_MC_ORIGIN) {
        if (q->o && q->o->cutoff_s[m] >= 0) return q->o->cutoff_s[m];
        return q->net->cutoff[s][m];
    }
    int64_t co = q->o && q->o->cutoff_s[m] >= 0 ? q->o->cutoff_s[m] : q->net->cutoff[s][m];
    if (came == RT_MC_FOOT) {
        int64_t h = handling(q, s, RT_FMODE_ROAD, m);
        return h > co ? h : co;
    }
    if (q->ws->no_change[s]) return -1;
    int64_t h = handling(q, s, came, m), mt = q->tt->stops[s].min_transfer;
    if (mt > h) h = mt;
    if (came == RT_FMODE_ROAD && co > h) h = co;
    return h;
}

static int64_t leg_cost(const struct q *q, int m, double km) {
    if (!q->net->freight) return 0;
    double c = rt_freight_cost(q->net->freight, (enum rt_fmode)m, km, q->weight, q->teu, q->o);
    return c > 0 ? llround(100.0 * c) : 0;
}

static int64_t leg_co2(const struct q *q, int m, double km) {
    if (!q->net->freight) return 0;
    double c = rt_freight_co2e_kg(q->net->freight, (enum rt_fmode)m, km, q->weight, q->o);
    return c > 0 ? llround(1000.0 * c) : 0;
}

static int allowed(const struct q *q, int m) {
    return m >= 0 && m < RT_FMODE_COUNT && (q->modes & (1u << m));
}

static int dominates4(uint32_t ta, int la, int64_t ca, int64_t ea, uint32_t tb, int lb,
                      int64_t cb, int64_t eb) {
    return ta <= tb && la <= lb && ca <= cb && ea <= eb;
}

/* The scope bound of mc.h after finals with earliest E. */
static void tighten(struct q *q, uint32_t avail) {
    if (avail >= q->earliest) return;
    q->earliest = avail;
    if (q->slack_factor < 0) return;
    double b = (double)q->depart + q->slack_factor * (double)(avail - q->depart) + q->slack_s;
    if (b < (double)q->bound) q->bound = (uint32_t)b;
}

/* A final for stop label L (at the target); keeps the finals a Pareto set. */
static void add_final(struct q *q, uint32_t l) {
    struct rt_mc_ws *ws = q->ws;
    const struct slabel *x = &ws->sl[l];
    int64_t r = x->came == RT_MC_FOOT ? release(q, x->stop, RT_FMODE_ROAD)
                                      : release(q, x->stop, x->came);
    uint32_t avail = sat_add(x->t, r);
    if (avail > q->bound) return;
    uint32_t w = 0;
    for (uint32_t i = 0; i < ws->nfin; i++) {
        const struct final *f = &ws->fin[i];
        if (dominates4(f->avail, f->legs, f->cost, f->co2, avail, x->legs, x->cost,
                       x->co2))
            return; /* then X dominates none of them (dominance is transitive
                     * and the finals never dominate one another), so nothing
                     * was dropped above */
        if (!dominates4(avail, x->legs, x->cost, x->co2, f->avail, f->legs, f->cost,
                        f->co2))
            ws->fin[w++] = ws->fin[i];
    }
    ws->nfin = w;
    if (ws->nfin == ws->capfin &&
        grow((void **)&ws->fin, &ws->capfin, sizeof(struct final)) != 0) {
        q->oom = 1;
        return;
    }
    /* Kept in order of availability (see pruned_as). */
    uint32_t at = ws->nfin;
    while (at > 0 && ws->fin[at - 1].avail > avail) {
        ws->fin[at] = ws->fin[at - 1];
        at--;
    }
    ws->fin[at].label = l;
    ws->fin[at].avail = avail;
    ws->fin[at].legs = x->legs;
    ws->fin[at].cost = x->cost;
    ws->fin[at].co2 = x->co2;
    ws->nfin++;
    tighten(q, avail);
}

/* 1 when no journey available at T or later, with LEGS or more legs,
 * costing COST and emitting CO2 or more, can be in the answer: T is past
 * the scope's bound, or a final dominates it. */
static int pruned_as(const struct q *q, uint32_t t, int legs, int64_t cost, int64_t co2) {
    const struct rt_mc_ws *ws = q->ws;
    if (t > q->bound) return 1;
    /* The finals are in order of availability: only those available by T
     * can dominate.  The other three tests without a branch each (which
     * of them fails is not predictable; this runs for most labels made
     * and offered). */
    for (uint32_t i = 0; i < ws->nfin && ws->fin[i].avail <= t; i++) {
        const struct final *f = &ws->fin[i];
        if ((f->legs <= legs) & (f->cost <= cost) & (f->co2 <= co2)) return 1;
    }
    return 0;
}

/* 1 when a final makes a label (T, LEGS, COST, CO2) at stop S useless. */
static int pruned(const struct q *q, uint32_t s, uint32_t t, int legs, int64_t cost,
                  int64_t co2) {
    const struct rt_mc_ws *ws = q->ws;
    return pruned_as(q, sat_add(t, ws->lb_t[s]), legs + ws->lb_l[s], cost + ws->lb_c[s],
                     co2 + ws->lb_e[s]);
}

static int is_target(const struct q *q, uint32_t s) {
    return q->ws->target_gen[s] == q->ws->gen;
}

/* ---- Horizon ----
 * Every journey in the answer is available by the scope's bound, and the
 * bound is at most a horizon H known before the scan (see rt_mc_search).
 * A backward scan from the target over the connections departing in
 * [depart, H] finds, per stop s, late[s]: the latest time cargo can be at
 * s and still be available at the target by H, and per connection whether
 * it can be a hop of such a journey.  It uses the rules of mc.h with every
 * time that the scan cannot know replaced by a lower bound: the smallest
 * NEED over every way the cargo may have come, no customs dwell, no
 * handling before a footpath, the smallest release, no cap on legs, no
 * forbidden transfers and footpaths after footpaths allowed.  So every
 * real journey available by H passes: each of its stop labels has t <=
 * late[s] and each of its rides uses connections marked ok; and a label
 * that dominates one of them is no later, so it passes too.  Dropping the
 * rest is exact: it never removes a journey available by H.
 *
 * Where the backward scan starts.  The marks only ever drop labels, so
 * marking more is safe: the scan may stop at any time TC, every
 * connection departing before TC counted as useful and late[] raised to
 * at least TC - 1 (a label before TC can still take any of them).  With a
 * guess G at E, TC is halfway from the ready time to G: before that
 * nearly every stop can still reach the target and the marks dropped
 * little, while the scan's cost is per connection.  On the benchmark
 * feeds (mc_bench, p50): the one-day 10^6 feed 11.5 -> 10.5 ms (default
 * scope) and 8.4 -> 7.1 ms (tight), the two-day one 16.7-17.1 -> 16.4-16.5
 * ms and 5.1-5.2 -> 4.4-4.5 ms; starting at 3/4 of the way instead
 * doubled the one-day feed's p99 (tight scope), and at G, or not scanning
 * at all, doubled it in both scopes. */

/* need_min(S, M): the smallest NEED(S, x, M) over every x cargo can have
 * come by to S (origin only at the origin); -1 when boarding is impossible
 * whatever the way.  need_min_fill caches the five modes of S per pass, and
 * with them nfoot[S][M]: NEED(S, footpath, M) when footpaths lead into S
 * and road is allowed, else -1 (the backward scan's other need). */
static void need_min_fill(struct q *q, uint32_t s) {
    struct rt_mc_ws *ws = q->ws;
    ws->nmin_gen[s] = ws->gen;
    for (int mm = 0; mm < RT_FMODE_COUNT; mm++) {
        int64_t best = -1;
        for (int x = 0; x <= RT_MC_ORIGIN; x++) {
            if (x == RT_MC_ORIGIN ? ws->origin_gen[s] != ws->gen
                : x == RT_MC_FOOT ? !allowed(q, RT_FMODE_ROAD)
                                  : !allowed(q, x))
                continue;
            int64_t nd = need(q, s, x, mm);
            if (nd >= 0 && (best < 0 || nd < best)) best = nd;
        }
        ws->nmin[s][mm] = (int32_t)best;
        ws->nfoot[s][mm] = ws->in_index[s] < ws->in_index[s + 1] && allowed(q, RT_FMODE_ROAD)
                               ? (int32_t)need(q, s, RT_MC_FOOT, mm)
                               : -1;
    }
}

static inline int32_t need_min(struct q *q, uint32_t s, int m) {
    if (q->ws->nmin_gen[s] != q->ws->gen) need_min_fill(q, s);
    return q->ws->nmin[s][m];
}

/* The smallest release at target stop S over the ways cargo arrives. */
static int64_t release_min(const struct q *q, uint32_t s) {
    int64_t best = INT64_MAX;
    for (int m = 0; m < RT_FMODE_COUNT; m++)
        if (allowed(q, m) && release(q, s, m) < best) best = release(q, s, m);
    return best == INT64_MAX ? 0 : best;
}

/* Raise late[S] to T, and late_foot[S] to T_FOOT: then the footpaths into
 * S raise late[] at their start to T_FOOT minus their seconds (no handling
 * or customs before them: lower bounds).  Kept apart from late[S], as a
 * footpath never follows a footpath and its NEED differs. */
static void late_raise(struct q *q, uint32_t s, int64_t t, int64_t t_foot) {
    struct rt_mc_ws *ws = q->ws;
    if (t > ws->late[s]) ws->late[s] = t;
    if (!allowed(q, RT_FMODE_ROAD) || t_foot <= ws->late_foot[s]) return;
    ws->late_foot[s] = t_foot;
    for (uint32_t i = ws->in_index[s]; i < ws->in_index[s + 1]; i++) {
        const struct rt_footpath *f = &q->tt->foot[ws->in_foot[i]];
        int64_t w = t_foot - f->seconds;
        if (w > ws->late[f->from]) ws->late[f->from] = w;
    }
}

/* The first second of tt->hot_sec whose connections start at or after
 * index LO (LO is a second's first connection, or nconns). */
static uint32_t sec_first_at(const struct rt_timetable *tt, uint32_t lo) {
    return lo < tt->nconns ? rt_hot_sec_first(tt, tt->conns[lo].dep) : tt->nhot_sec;
}

/* Unmark every run (run_mf keeps the modes). */
static void run_flags_clear(struct rt_mc_ws *ws) {
    for (uint32_t r = 0; r < ws->nruns; r++) ws->run_mf[r] &= (uint8_t)~RUN_FLAG;
    if (ws->hot_mf)
        for (uint32_t r = 0; r < ws->nruns; r++) ws->hot_mf[r] &= (uint8_t)~RUN_FLAG;
}

/* One connection of the backward scan, leaving FROM (nstops: boarding
 * is not allowed) and reaching TO (nstops + 1: alighting is not) on the
 * run whose byte is *MF; *OK its flag.  Returns 1 when something changed.
 * Without a branch but for the rare raise (whether a connection is
 * useful is not predictable): late[nstops] and late_foot[nstops] are
 * INT64_MAX (nothing to raise) and late[nstops + 1] is LATE_NONE (no
 * arrival is in time). */
static inline __attribute__((always_inline)) int
back_core(struct q *q, uint8_t *mf, uint32_t dep, uint32_t arr, uint32_t from, uint32_t to,
          uint8_t *ok) {
    struct rt_mc_ws *ws = q->ws;
    unsigned b = *mf, m = b & ~RUN_FLAG, flag = (b & RUN_FLAG) != 0;
    /* Useful when the cargo can stay aboard for a useful later hop of the
     * run, or get off here in time. */
    unsigned al = m < RT_FMODE_COUNT ? (q->modes >> m) & 1u : 0;
    unsigned use = al & (flag | ((int64_t)arr <= ws->late[to]));
    int changed = (int)(use & (!*ok | !flag));
    *ok = (uint8_t)use;
    *mf = (uint8_t)(b | use * RUN_FLAG);
    /* NEED is never negative, so a departure no later than both latest
     * times of its stop raises neither (most of them): need_min is not
     * looked up.  (late_foot is INT64_MAX where no footpath leads in.) */
    if (use && ((int64_t)dep > ws->late[from] || (int64_t)dep > ws->late_foot[from])) {
        uint32_t u = from;
        int32_t nd = need_min(q, u, m), nf = ws->nfoot[u][m]; /* need_min filled it */
        int64_t t = nd >= 0 ? (int64_t)dep - nd : LATE_NONE;
        int64_t tf = nf >= 0 ? (int64_t)dep - nf : LATE_NONE;
        if (t > ws->late[u] || tf > ws->late_foot[u]) {
            late_raise(q, u, t, tf);
            changed = 1;
        }
    }
    return changed;
}

static int back_conn(struct q *q, const struct rt_connection *c, uint8_t *ok) {
    uint32_t n = q->tt->nstops;
    return back_core(q, &q->ws->run_mf[c->run], c->dep, c->arr,
                     c->flags & RT_CONN_PICKUP ? c->from : n,
                     c->flags & RT_CONN_DROPOFF ? c->to : n + 1, ok);
}

/* back_conn for connection K of the hot arrays, departing at T. */
static inline __attribute__((always_inline)) int back_hot(struct q *q, uint32_t k, uint32_t t,
                                                          uint32_t mask) {
    const struct rt_timetable *tt = q->tt;
    uint32_t f = tt->hot_from[k] & ~RT_HOT_OPEN, to = tt->hot_to[k], d = tt->hot_dur[k];
    uint32_t arr = d != RT_HOT_LONG ? t + d : tt->conns[k].arr;
    return back_core(q, &q->ws->hot_mf[tt->hot_rs[k] & mask], t, arr, f, to, &q->ws->ok[k]);
}

/* The backward scan for horizon H, over connections departing from
 * index LO (tt->conns) and JLO (the overlay's side array) on; those
 * departing before TC are all marked instead (see "Where the backward
 * scan starts"). */
static void reach_back_scan(struct q *q, uint32_t h, uint32_t lo, uint32_t jlo);

static int reach_back(struct q *q, uint32_t h, uint32_t lo, uint32_t jlo, uint32_t tc) {
    struct rt_mc_ws *ws = q->ws;
    const struct rt_timetable *tt = q->tt;
    uint32_t lc = rt_first_conn(tt, tc),
             jc = q->side ? rt_overlay_first_side(q->side, q->nside, tc) : 0;
    if (lc < lo) lc = lo;
    if (jc < jlo) jc = jlo;
    int road = allowed(q, RT_FMODE_ROAD);
    for (uint32_t s = 0; s < tt->nstops; s++) {
        ws->late[s] = LATE_NONE;
        /* No footpath leads in: nothing to raise (see back_core). */
        ws->late_foot[s] = road && ws->in_index[s] < ws->in_index[s + 1] ? LATE_NONE : INT64_MAX;
    }
    ws->late[tt->nstops] = ws->late_foot[tt->nstops] = INT64_MAX;
    ws->late[tt->nstops + 1] = LATE_NONE;
    if (q->nside > ws->capside) {
        uint8_t *p = realloc(ws->ok_side, q->nside);
        if (!p) return -1;
        ws->ok_side = p;
        ws->capside = q->nside;
    }
    run_flags_clear(ws);
    memset(ws->ok + lo, 1, lc - lo);
    memset(ws->ok + lc, 0, tt->nconns - lc);
    if (jc > jlo) memset(ws->ok_side + jlo, 1, jc - jlo);
    if (q->nside > jc) memset(ws->ok_side + jc, 0, q->nside - jc);
    for (uint32_t s = 0; s < tt->nstops; s++)
        if (is_target(q, s))
            late_raise(q, s, (int64_t)h - release_min(q, s),
                       (int64_t)h - (allowed(q, RT_FMODE_ROAD) ? release(q, s, RT_FMODE_ROAD) : 0));
    reach_back_scan(q, h, lc, jc);
    /* Before TC nothing was marked: cargo there may still go anywhere. */
    if (tc > 0)
        for (uint32_t s = 0; s < tt->nstops; s++)
            if (ws->late[s] < (int64_t)tc - 1) ws->late[s] = (int64_t)tc - 1;
    return 0;
}

static void reach_back_scan(struct q *q, uint32_t h, uint32_t lo, uint32_t jlo) {
    struct rt_mc_ws *ws = q->ws;
    const struct rt_timetable *tt = q->tt;
    if (!q->side && !q->skip && ws->hot_mf) {
        /* The same over the hot arrays (10 bytes a connection, not 24), a
         * departure second at a time, in the same order. */
        const struct rt_hot_sec *sec = tt->hot_sec;
        uint32_t mask = rt_hot_run_mask(tt);
        uint32_t sa = sec_first_at(tt, lo), sb = sa;
        while (sb < tt->nhot_sec && sec[sb].dep <= h) sb++;
        while (sb > sa) {
            sb--;
            uint32_t t = sec[sb].dep, first = sec[sb].first, end = sec[sb + 1].first;
            int zero = 0, changed = 0;
            for (uint32_t k = end; k-- > first;) {
                if (k >= first + 16)
                    __builtin_prefetch(&ws->hot_mf[tt->hot_rs[k - 16] & mask]);
                zero |= tt->hot_dur[k] == 0;
                changed |= back_hot(q, k, t, mask);
            }
            while (zero && changed) {
                changed = 0;
                for (uint32_t k = end; k-- > first;) changed |= back_hot(q, k, t, mask);
            }
        }
        return;
    }
    uint32_t i = h >= INF - 1 ? tt->nconns : rt_first_conn(tt, h + 1);
    uint32_t j = !q->side     ? 0
                 : h >= INF - 1 ? q->nside
                                : rt_overlay_first_side(q->side, q->nside, h + 1);
    if (i < lo) i = lo;
    if (j < jlo) j = jlo;
    while (i > lo || j > jlo) {
        uint32_t t = 0;
        if (i > lo) t = tt->conns[i - 1].dep;
        if (j > jlo && q->side[j - 1].c.dep > t) t = q->side[j - 1].c.dep;
        uint32_t a = i, b = j;
        int zero = 0, changed = 0;
        for (; a > lo && tt->conns[a - 1].dep == t; a--) {
            const struct rt_connection *c = &tt->conns[a - 1];
            /* The run's byte, read at random, a little ahead. */
            if (a > lo + 16) __builtin_prefetch(&ws->run_mf[tt->conns[a - 17].run]);
            zero |= c->arr == t;
            if (!q->skip || !q->skip[c->run]) changed |= back_conn(q, c, &ws->ok[a - 1]);
        }
        for (; b > jlo && q->side[b - 1].c.dep == t; b--) {
            zero |= q->side[b - 1].c.arr == t;
            changed |= back_conn(q, &q->side[b - 1].c, &ws->ok_side[b - 1]);
        }
        /* Within one second only a hop of no duration can be made useful by
         * another connection of the same second (all it changes is late[]
         * up to that second and later hops of runs): repeat until stable
         * when there is one. */
        while (zero && changed) {
            changed = 0;
            for (uint32_t k = i; k-- > a;)
                if (!q->skip || !q->skip[tt->conns[k].run])
                    changed |= back_conn(q, &tt->conns[k], &ws->ok[k]);
            for (uint32_t k = j; k-- > b;) changed |= back_conn(q, &q->side[k].c, &ws->ok_side[k]);
        }
        i = a;
        j = b;
    }
}

/* One connection C of guess_earliest: board when the relaxed rules allow,
 * alight, walk the footpaths; *E the earliest availability so far. */
static inline __attribute__((always_inline)) void
guess_core(struct q *q, uint8_t *mf, int pick, int drop, uint32_t dep, uint32_t arr,
           uint32_t from, uint32_t to, uint32_t *e, int road) {
    struct rt_mc_ws *ws = q->ws;
    const struct rt_timetable *tt = q->tt;
    unsigned b = *mf;
    int m = (int)(b & ~RUN_FLAG);
    if (!allowed(q, m)) return;
    if (!(b & RUN_FLAG)) {
        if (!pick || ws->ea[from] == INF) return;
        int32_t nd = need_min(q, from, m);
        if (nd < 0 || (int64_t)ws->ea[from] + nd > (int64_t)dep) return;
        *mf = (uint8_t)(b | RUN_FLAG);
    }
    if (!drop) return;
    uint32_t v = to;
    if (arr < ws->ea[v]) ws->ea[v] = arr;
    if (is_target(q, v) && sat_add(arr, release(q, v, m)) < *e)
        *e = sat_add(arr, release(q, v, m));
    uint32_t n;
    const struct rt_footpath *fp = rt_footpaths(tt, v, &n);
    if (!road || n == 0) return;
    uint32_t start = sat_add(arr, handling(q, v, m, RT_FMODE_ROAD));
    for (uint32_t f = 0; f < n; f++) {
        uint32_t w = fp[f].to, a = sat_add(start, fp[f].seconds);
        if (a < ws->ea[w]) ws->ea[w] = a;
        if (is_target(q, w) && sat_add(a, release(q, w, RT_FMODE_ROAD)) < *e)
            *e = sat_add(a, release(q, w, RT_FMODE_ROAD));
    }
}

static void guess_conn(struct q *q, const struct rt_connection *c, uint32_t *e, int road) {
    guess_core(q, &q->ws->run_mf[c->run], (c->flags & RT_CONN_PICKUP) != 0,
               (c->flags & RT_CONN_DROPOFF) != 0, c->dep, c->arr, c->from, c->to, e, road);
}

/* A guess at E (mc.h, "Scope"): an earliest-arrival scan under the same
 * relaxed rules as the backward scan.  Any value is safe (rt_mc_search
 * checks the answer against the horizon it gives and searches again when
 * it was too small); this one is a lower bound on E, so the horizon is
 * exact whenever it is at most E. */
static uint32_t guess_earliest(struct q *q, uint32_t lo, uint32_t jlo, uint32_t max_bound) {
    struct rt_mc_ws *ws = q->ws;
    const struct rt_timetable *tt = q->tt;
    uint32_t e = INF;
    int road = allowed(q, RT_FMODE_ROAD);
    for (uint32_t s = 0; s < tt->nstops; s++) ws->ea[s] = INF;
    run_flags_clear(ws);
    for (uint32_t s = 0; s < tt->nstops; s++) {
        if (ws->origin_gen[s] != ws->gen) continue;
        ws->ea[s] = q->depart;
        uint32_t n;
        const struct rt_footpath *fp = rt_footpaths(tt, s, &n);
        for (uint32_t f = 0; road && f < n; f++) {
            uint32_t w = fp[f].to, a = sat_add(q->depart, fp[f].seconds);
            if (a < ws->ea[w]) ws->ea[w] = a;
            if (is_target(q, w) && sat_add(a, release(q, w, RT_FMODE_ROAD)) < e)
                e = sat_add(a, release(q, w, RT_FMODE_ROAD));
        }
    }
    if (!q->side && !q->skip && ws->hot_mf) {
        /* Over the hot arrays (timetable.h), a departure second at a time,
         * with csa.c's gate: a connection does something only when its run
         * is marked or it can board, and boarding needs ea[from] <= its
         * departure.  A marked run with a closed hop (no RT_HOT_OPEN) has
         * ea[from] <= the departure too: its previous hop (seq - 1) was
         * scanned before it (conns are sorted by (dep, arr, run, seq)),
         * after the mark (the mark comes from an earlier hop), allows
         * alighting at FROM and arrives by the departure, so it set
         * ea[from] to that arrival or less.  So a closed connection whose
         * from stop has ea above its second does nothing and is passed
         * over without reading its 24-byte record or its run's byte. */
        const struct rt_hot_sec *sec = tt->hot_sec;
        const uint16_t *hf = tt->hot_from;
        const uint32_t *ea = ws->ea;
        uint32_t mask = rt_hot_run_mask(tt);
        for (uint32_t a = sec_first_at(tt, lo); a < tt->nhot_sec; a++) {
            uint32_t t = sec[a].dep;
            if (t >= e || t > max_bound) break;
            for (uint32_t k = sec[a].first, end = sec[a + 1].first; k < end; k++) {
                uint32_t f = hf[k];
                if (!(f & RT_HOT_OPEN) && ea[f] > t) continue;
                uint32_t to = tt->hot_to[k], d = tt->hot_dur[k];
                guess_core(q, &ws->hot_mf[tt->hot_rs[k] & mask], (f & ~RT_HOT_OPEN) != tt->nstops,
                           to != tt->nstops + 1, t, d != RT_HOT_LONG ? t + d : tt->conns[k].arr,
                           f & ~RT_HOT_OPEN, to, &e, road);
                if (t >= e) break;
            }
        }
        return e;
    }
    uint32_t i = lo, j = jlo;
    for (;;) {
        const struct rt_connection *c;
        if (i < tt->nconns && (j >= q->nside || tt->conns[i].dep <= q->side[j].c.dep)) {
            c = &tt->conns[i++];
            if (q->skip && q->skip[c->run]) continue;
        } else if (j < q->nside) {
            c = &q->side[j++].c;
        } else {
            break;
        }
        if (c->dep >= e || c->dep > max_bound) break;
        guess_conn(q, c, &e, road);
    }
    return e;
}

/* Arming (the forward scan over the hot arrays, scan_hot_second): stop
 * label L is ready for mode M at t + NEED(s, came, M); the first departure
 * of each pattern position leaving its stop by M from then on must look
 * at it (scan() boards it there, or finds it pruned), and a later one
 * finds nothing new (see "patterns" in scan()).  So each such position's
 * armed time is brought down to that, and scan() raises it again after
 * a departure to the earliest time a label still waiting there is ready
 * (pmark's until).  A connection whose position is not armed by its
 * departure, on a run without a bag, does nothing and is not scanned. */
static void arm(struct q *q, uint32_t l) {
    struct rt_mc_ws *ws = q->ws;
    const struct slabel *y = &ws->sl[l];
    if (y->legs >= q->max_legs) return;
    uint32_t s = y->stop;
    const uint32_t *ix = ws->spos_index + (size_t)s * RT_FMODE_COUNT;
    for (int m = 0; m < RT_FMODE_COUNT; m++) {
        if (ix[m] == ix[m + 1] || !allowed(q, m)) continue;
        int64_t nd = need(q, s, y->came, m);
        if (nd < 0 || (int64_t)y->t + nd >= (int64_t)INF) continue;
        uint32_t r = (uint32_t)((int64_t)y->t + nd);
        for (uint32_t i = ix[m]; i < ix[m + 1]; i++)
            if (r < ws->armed[ws->spos[i]]) ws->armed[ws->spos[i]] = r;
        if (r <= q->now) q->opened = 1;
    }
}

/* Insert stop label *X at x->stop unless a label there dominates it;
 * unlink the ones it dominates.  Returns its index, or RT_NONE. */
static uint32_t add_stop_label(struct q *q, const struct slabel *x) {
    struct rt_mc_ws *ws = q->ws;
    uint32_t s = x->stop;
    /* Too late to reach the target by the horizon (see "Horizon"). */
    if ((int64_t)x->t > ws->late[s]) return RT_NONE;
    if (pruned(q, s, x->t, x->legs, x->cost, x->co2)) return RT_NONE;
    if (ws->stop_gen[s] != ws->gen) {
        ws->stop_gen[s] = ws->gen;
        ws->stop_head[s] = RT_NONE;
        for (int m = 0; m < RT_FMODE_COUNT; m++) {
            ws->bd[s][m].seen = ws->bd[s][m].fhead = ws->bd[s][m].whead = RT_NONE;
            ws->bd[s][m].wmin = INT64_MAX;
        }
    }
    for (uint32_t *p = &ws->stop_head[s]; *p != RT_NONE;) {
        struct slabel *y = &ws->sl[*p];
        if (y->came == x->came) {
            if (dominates4(y->t, y->legs, y->cost, y->co2, x->t, x->legs, x->cost, x->co2))
                return RT_NONE;
            if (dominates4(x->t, x->legs, x->cost, x->co2, y->t, y->legs, y->cost, y->co2)) {
                y->live = 0;
                *p = y->next;
                continue;
            }
        }
        p = &y->next;
    }
    if (ws->nsl == ws->capsl && grow((void **)&ws->sl, &ws->capsl, sizeof(struct slabel)) != 0) {
        q->oom = 1;
        return RT_NONE;
    }
    uint32_t l = ws->nsl++;
    ws->sl[l] = *x;
    ws->sl[l].live = 1;
    ws->sl[l].next = ws->stop_head[s];
    ws->stop_head[s] = l;
    ws->snew[s] = l;
    if (q->listing) arm(q, l);
    if (x->t <= q->now) q->again = 1;
    if (is_target(q, s) && x->legs > 0) add_final(q, l);
    return l;
}

/* Cargo left a vehicle or a footpath at stop S (label L): walk on. */
static void footpaths_from(struct q *q, uint32_t l) {
    const struct rt_timetable *tt = q->tt;
    struct slabel from = q->ws->sl[l];
    if (from.came == RT_MC_FOOT || !allowed(q, RT_FMODE_ROAD) || from.legs >= q->max_legs)
        return;
    uint32_t n, s = from.stop;
    const struct rt_footpath *fp = rt_footpaths(tt, s, &n);
    uint32_t first = tt->foot_index[s];
    uint32_t start = from.came == RT_MC_ORIGIN
                         ? from.t
                         : sat_add(from.t, handling(q, s, from.came, RT_FMODE_ROAD));
    for (uint32_t i = 0; i < n; i++) {
        if (from.came != RT_MC_ORIGIN && tt->nforbidden && rt_transfer_forbidden(tt, s, fp[i].to))
            continue;
        struct slabel y;
        memset(&y, 0, sizeof(y));
        y.stop = fp[i].to;
        y.prev = l;
        y.dep = start;
        y.arr = sat_add(start, fp[i].seconds);
        y.board = y.alight = RT_NONE;
        y.foot = first + i;
        y.km = q->net->foot_km[first + i];
        y.customs = q->net->territory[y.stop] != q->net->territory[s]
                        ? customs(q, y.stop, RT_FMODE_ROAD)
                        : 0;
        y.t = sat_add(y.arr, y.customs);
        y.legs = (uint8_t)(from.legs + 1);
        y.came = RT_MC_FOOT;
        y.cost = from.cost + leg_cost(q, RT_FMODE_ROAD, y.km);
        y.co2 = from.co2 + leg_co2(q, RT_FMODE_ROAD, y.km);
        add_stop_label(q, &y);
        if (q->oom) return;
    }
}

/* 1 when run label A serves every hop still ahead at least as well as B
 * does.  NOW is the seq of the hop being scanned on the run; B can still
 * alight at any hop from max(B's, NOW) on.
 *   - A boarded at B's hop or before: A can alight wherever B can, on a
 *     longer leg.  The leg's cost and CO2e are affine in km, rounded to
 *     whole units, so A's leg costs at most ceil(rate x the km between the
 *     two boardings) + 1 more than B's (the 1 covers rounding), whatever
 *     the hop.  A wins when its lead before this ride covers that.
 *   - A boarded after B's hop: only when that is not in the future (a rescan
 *     of one second may board before an existing label's hop), on a
 *     shorter, so never dearer, leg. */
static int run_dominates(const struct q *q, int m, const struct rlabel *a,
                         const struct rlabel *b, uint16_t now) {
    if (a->terr != b->terr || a->legs > b->legs) return 0;
    if (a->bseq > b->bseq) return a->bseq <= now && a->cost <= b->cost && a->co2 <= b->co2;
    int64_t dc = 0, de = 0;
    if (a->bseq < b->bseq) {
        double km = b->bkm - a->bkm;
        dc = (int64_t)ceil(q->rate_c[m] * km) + 1;
        de = (int64_t)ceil(q->rate_g[m] * km) + 1;
    }
    return a->cost + dc <= b->cost && a->co2 + de <= b->co2;
}

/* Insert run label *X into the bag of the run whose record is rrec[R]
 * (mode M, boarding at seq x->bseq, the hop being scanned). */
static void add_run_label(struct q *q, uint32_t r, int m, const struct rlabel *x) {
    struct rt_mc_ws *ws = q->ws;
    struct runrec *rr = &ws->rrec[r];
    if (rr->gen != ws->gen) {
        rr->gen = ws->gen;
        rr->head = RT_NONE;
        if (q->listing) {
            ws->ract[r] = 1;
            q->opened = 1;
        }
    }
    for (uint32_t *p = &rr->head; *p != RT_NONE;) {
        struct rlabel *y = &ws->rl[*p];
        if (run_dominates(q, m, y, x, x->bseq)) return;
        if (run_dominates(q, m, x, y, x->bseq)) {
            *p = y->next;
            continue;
        }
        p = &y->next;
    }
    if (ws->nrl == ws->caprl && grow((void **)&ws->rl, &ws->caprl, sizeof(struct rlabel)) != 0) {
        q->oom = 1;
        return;
    }
    uint32_t l = ws->nrl++;
    ws->rl[l] = *x;
    ws->rl[l].next = ws->rrec[r].head;
    ws->rrec[r].head = l;
}

/* Ready labels.  Boarding a run at stop S by mode M needs a label there
 * that is ready (t + NEED(S, came, M) <= the departure); after boarding,
 * only its legs, cost and CO2e matter (the run sets every time, and the
 * cargo is cleared in S's territory whatever the label).  So per (S, M)
 * the ready labels are kept as a frontier, Pareto over (legs, cost, CO2e)
 * with time ignored, and the labels not ready yet wait beside it.  A
 * departure looks only at the labels made since the last one (the stop's
 * list is newest first), the waiting ones and the frontier, instead of
 * every label at the stop; it boards the same journeys, as a frontier
 * label's run label dominates the one a label it dropped would make. */
static uint32_t new_entry(struct q *q, uint32_t label, uint32_t next) {
    struct rt_mc_ws *ws = q->ws;
    if (ws->nfe == ws->capfe && grow((void **)&ws->fe, &ws->capfe, sizeof(*ws->fe)) != 0) {
        q->oom = 1;
        return RT_NONE;
    }
    ws->fe[ws->nfe].label = label;
    ws->fe[ws->nfe].next = next;
    return ws->nfe++;
}

static void frontier_add(struct q *q, uint32_t s, int m, uint32_t l) {
    struct rt_mc_ws *ws = q->ws;
    const struct slabel *x = &ws->sl[l];
    for (uint32_t e = ws->bd[s][m].fhead; e != RT_NONE; e = ws->fe[e].next) {
        const struct slabel *y = &ws->sl[ws->fe[e].label];
        if (y->legs <= x->legs && y->cost <= x->cost && y->co2 <= x->co2) return;
    }
    for (uint32_t *p = &ws->bd[s][m].fhead; *p != RT_NONE;) {
        const struct slabel *y = &ws->sl[ws->fe[*p].label];
        if (x->legs <= y->legs && x->cost <= y->cost && x->co2 <= y->co2)
            *p = ws->fe[*p].next;
        else
            p = &ws->fe[*p].next;
    }
    uint32_t e = new_entry(q, l, ws->bd[s][m].fhead);
    if (e != RT_NONE) ws->bd[s][m].fhead = e;
}

/* Bring the frontier of (S, M) up to departure time DEP. */
static void refresh(struct q *q, uint32_t s, int m, uint32_t dep) {
    struct rt_mc_ws *ws = q->ws;
    uint32_t seen = ws->bd[s][m].seen, top = ws->stop_head[s];
    for (uint32_t i = top; i != RT_NONE && (seen == RT_NONE || i > seen); i = ws->sl[i].next) {
        const struct slabel *y = &ws->sl[i];
        if (y->legs >= q->max_legs) continue;
        int64_t nd = need(q, s, y->came, m);
        if (nd < 0) continue;
        if ((int64_t)y->t + nd <= (int64_t)dep) {
            frontier_add(q, s, m, i);
        } else {
            uint32_t e = new_entry(q, i, ws->bd[s][m].whead);
            if (e != RT_NONE) ws->bd[s][m].whead = e;
            if ((int64_t)y->t + nd < ws->bd[s][m].wmin) ws->bd[s][m].wmin = (int64_t)y->t + nd;
        }
        if (q->oom) return;
    }
    if (top != RT_NONE) ws->bd[s][m].seen = top;
    /* None of the waiting labels is ready yet: the walk below would move
     * none (it ran at every departure before, most often for nothing). */
    if ((int64_t)dep < ws->bd[s][m].wmin) return;
    int64_t wmin = INT64_MAX;
    /* Indices, not pointers: frontier_add may move ws->fe. */
    for (uint32_t prev = RT_NONE, e = ws->bd[s][m].whead; e != RT_NONE;) {
        uint32_t next = ws->fe[e].next, l = ws->fe[e].label;
        const struct slabel *y = &ws->sl[l];
        int64_t ready = (int64_t)y->t + need(q, s, y->came, m);
        if (ready <= (int64_t)dep) {
            if (prev == RT_NONE)
                ws->bd[s][m].whead = next;
            else
                ws->fe[prev].next = next;
            frontier_add(q, s, m, l);
            if (q->oom) return;
        } else {
            if (ready < wmin) wmin = ready;
            prev = e;
        }
        e = next;
    }
    ws->bd[s][m].wmin = wmin;
}

/* Scan connection C (index K, its run's record rrec[RI]). */
static void scan(struct q *q, const struct rt_connection *c, uint32_t k, uint32_t ri) {
    const struct rt_timetable *tt = q->tt;
    struct rt_mc_ws *ws = q->ws;
    /* Nothing at the stop and nobody aboard: most connections, decided
     * from two small arrays before touching the run's trip. */
    const struct runrec *rr = &ws->rrec[ri];
    if (ws->stop_gen[c->from] != ws->gen && rr->gen != ws->gen) return;
    int m = rr->mode;
    if (!allowed(q, m)) return; /* so the trip has a pattern: rr->pat is set */

    /* Board from every ready label at c->from worth boarding. */
    if ((c->flags & RT_CONN_PICKUP) && ws->stop_gen[c->from] == ws->gen) {
        struct pmark *pm = NULL;
        if (k < tt->nconns && rr->pat != RT_NONE) pm = &ws->pmark[rr->pat + c->seq];
        /* Nothing new at the stop since the last departure of this pattern
         * at this position (most departures from a stop with labels): no
         * label made there since, and none of those waiting then is ready
         * yet.  refresh() would change nothing, and the walk below would
         * find no entry after that departure's. */
        if (pm && pm->gen == ws->gen && pm->snew == ws->snew[c->from] && c->dep < pm->until)
            goto alight;
        refresh(q, c->from, m, c->dep);
        if (q->oom) return;
        /* A label that boarded an earlier run of the same pattern at the
         * same position (see "patterns") made a run label that is this
         * one's, earlier at every stop and the same in the rest: it, or
         * what dominated it, leaves nothing for this one to add; one that
         * was pruned there is pruned here (later, with the same or more
         * finals).  The frontier is a list of entries newest (highest
         * index) first, so the entries a departure of the pattern at this
         * position looked at are those up to the newest one then: only the
         * ones after it are new.  Only for scheduled runs (an overlay's run
         * is no shift). */
        uint32_t head = ws->bd[c->from][m].fhead, stop_at = RT_NONE;
        if (pm && pm->gen == ws->gen) stop_at = pm->e;
        for (uint32_t e = head; e != RT_NONE && (stop_at == RT_NONE || e > stop_at);
             e = ws->fe[e].next) {
            uint32_t i = ws->fe[e].label;
            const struct slabel *y = &ws->sl[i];
            /* Everything from here on starts at this departure. */
            if (pruned(q, c->from, c->dep, y->legs, y->cost, y->co2)) continue;
            struct rlabel x = {.next = RT_NONE,
                               .from = i,
                               .board = k,
                               .bseq = c->seq,
                               .terr = q->net->territory[c->from],
                               .legs = (uint8_t)(y->legs + 1),
                               .cost = y->cost,
                               .co2 = y->co2,
                               .dep = c->dep,
                               .bkm = ws->pkm[rr->pat + c->seq]};
            add_run_label(q, ri, m, &x);
            if (q->oom) return;
        }
        if (pm) {
            int64_t w = ws->bd[c->from][m].wmin;
            pm->gen = ws->gen;
            pm->e = head;
            pm->snew = ws->snew[c->from];
            pm->until = w < (int64_t)INF ? (uint32_t)w : INF;
            if (q->listing) ws->armed[rr->pat + c->seq] = pm->until;
        }
    }
alight:
    /* Alight at c->to from every label aboard since this hop or before. */
    if (!(c->flags & RT_CONN_DROPOFF) || rr->gen != ws->gen) return;
    uint32_t s = c->to;
    /* Every label made here is at s from c->arr on or later: too late for
     * the horizon, or for the scope even on the fastest path, none is
     * kept (add_stop_label and pruned() would drop each). */
    if ((int64_t)c->arr > ws->late[s] || sat_add(c->arr, ws->lb_t[s]) > q->bound) return;
    const double *cum = ws->pkm + rr->pat;
    for (uint32_t *p = &ws->rrec[ri].head; *p != RT_NONE;) {
        uint32_t i = *p;
        struct rlabel x = ws->rl[i];
        if (x.bseq > c->seq) {
            p = &ws->rl[i].next;
            continue;
        }
        double km = cum[c->seq + 1] - x.bkm; /* rt_mc_ride_km(trip, x.bseq, seq + 1) */
        int64_t lc = leg_cost(q, m, km), le = leg_co2(q, m, km);
        /* Spent run labels.  Whatever X does from here (get off here or at
         * a later hop, then any legs after), its journey is available no
         * earlier than c->arr + lb_t[s], with no fewer than x.legs legs,
         * and costs at least x.cost + lc + lbr_c[s] (lbr_e: CO2e): along
         * the run, the lower bounds only grow (see lower_bounds_setup).
         * When a final dominates that, or it is past the scope's bound,
         * every label X would make, here or later, is pruned in
         * add_stop_label (its own bounds are no smaller); finals and the
         * bound only tighten.  So X leaves the run's bag.  (It was kept
         * there, marked, to turn away the run labels it dominates; they
         * are spent as well, and are now added and dropped at their first
         * alighting: 0.9% more labels on the 2-day benchmark feed, 3.5%
         * less time, as the bag walked at every alighting is shorter.) */
        if (pruned_as(q, sat_add(c->arr, ws->lb_t[s]), x.legs, x.cost + lc + ws->lbr_c[s],
                      x.co2 + le + ws->lbr_e[s])) {
            *p = x.next;
            continue;
        }
        p = &ws->rl[i].next;
        struct slabel y;
        memset(&y, 0, sizeof(y));
        y.stop = s;
        y.prev = x.from;
        y.board = x.board;
        y.alight = k;
        y.foot = RT_NONE;
        y.dep = x.dep;
        y.arr = c->arr;
        y.km = km;
        y.customs = q->net->territory[s] != x.terr ? customs(q, s, m) : 0;
        y.t = sat_add(c->arr, y.customs);
        y.legs = x.legs;
        y.came = (uint8_t)m;
        y.cost = x.cost + lc;
        y.co2 = x.co2 + le;
        uint32_t l = add_stop_label(q, &y);
        if (q->oom) return;
        if (l != RT_NONE) footpaths_from(q, l);
        if (q->oom) return;
    }
}

static void next_gen(struct rt_mc_ws *ws) {
    if (++ws->gen == 0) {
        memset(ws->stop_gen, 0, (ws->nstops ? ws->nstops : 1) * sizeof(uint32_t));
        memset(ws->target_gen, 0, (ws->nstops ? ws->nstops : 1) * sizeof(uint32_t));
        for (uint32_t r = 0; r < ws->nruns; r++) ws->rrec[r].gen = 0;
        memset(ws->nmin_gen, 0, (ws->nstops ? ws->nstops : 1) * sizeof(uint32_t));
        memset(ws->origin_gen, 0, (ws->nstops ? ws->nstops : 1) * sizeof(uint32_t));
        memset(ws->pmark, 0, (ws->npos ? ws->npos : 1) * sizeof(*ws->pmark));
        ws->gen = 1;
    }
}

static void start_at(struct q *q, uint32_t s) {
    struct slabel y;
    memset(&y, 0, sizeof(y));
    y.stop = s;
    y.prev = y.board = y.alight = y.foot = RT_NONE;
    y.t = y.dep = y.arr = q->depart;
    y.came = RT_MC_ORIGIN;
    uint32_t l = add_stop_label(q, &y);
    if (l != RT_NONE) footpaths_from(q, l);
}

/* Compare two journeys in ORDER. */
static int cmp_order(const struct rt_mc_journey *a, const struct rt_mc_journey *b, int order) {
    int64_t ka[4], kb[4];
    switch (order) {
    case RT_MC_BY_COST:
        ka[0] = a->cost_cents, ka[1] = a->available, ka[2] = a->co2e_g, ka[3] = a->nlegs;
        kb[0] = b->cost_cents, kb[1] = b->available, kb[2] = b->co2e_g, kb[3] = b->nlegs;
        break;
    case RT_MC_BY_CO2:
        ka[0] = a->co2e_g, ka[1] = a->available, ka[2] = a->cost_cents, ka[3] = a->nlegs;
        kb[0] = b->co2e_g, kb[1] = b->available, kb[2] = b->cost_cents, kb[3] = b->nlegs;
        break;
    default:
        ka[0] = a->available, ka[1] = a->nlegs, ka[2] = a->cost_cents, ka[3] = a->co2e_g;
        kb[0] = b->available, kb[1] = b->nlegs, kb[2] = b->cost_cents, kb[3] = b->co2e_g;
        break;
    }
    for (int i = 0; i < 4; i++)
        if (ka[i] != kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
}

static uint8_t src_of(const struct q *q, uint32_t k, int arrival) {
    if (k < q->tt->nconns) return RT_TIME_SCHEDULED;
    return arrival ? q->side[k - q->tt->nconns].arr_src : q->side[k - q->tt->nconns].dep_src;
}

/* Latest time cargo may be ready at the origin for journey J, going
 * backwards: L is the latest time the cargo may be at the current leg's
 * start with every later leg unchanged.  A ride must make its own
 * departure (NEED before it); a footpath may start later as long as it
 * still makes the next leg (the last leg, if a footpath, starts as
 * found, or its arrival would move). */
static uint32_t latest_ready(const struct q *q, const struct rt_mc_journey *j) {
    int64_t next_l = INT64_MAX;
    for (uint32_t i = j->nlegs; i-- > 0;) {
        const struct rt_mc_leg *g = &j->legs[i];
        int came = i == 0 ? RT_MC_ORIGIN
                          : j->legs[i - 1].foot != RT_NONE ? RT_MC_FOOT : j->legs[i - 1].mode;
        int64_t l;
        if (g->foot == RT_NONE) {
            l = (int64_t)g->leg.dep - need(q, g->leg.from, came, g->mode);
        } else {
            int64_t start = i + 1 == j->nlegs
                                ? (int64_t)g->leg.dep
                                : next_l - g->customs_s - (int64_t)(g->leg.arr - g->leg.dep);
            if (came != RT_MC_ORIGIN) start -= handling(q, g->leg.from, came, RT_FMODE_ROAD);
            l = start;
        }
        next_l = l;
    }
    if (j->nlegs == 0 || next_l < q->depart) return q->depart;
    return next_l > INF - 1 ? INF - 1 : (uint32_t)next_l;
}

/* Journey of final F into J. */
static void rebuild(const struct q *q, const struct final *f, struct rt_mc_journey *j) {
    const struct rt_mc_ws *ws = q->ws;
    uint32_t n = 0;
    for (uint32_t l = f->label; ws->sl[l].came != RT_MC_ORIGIN; l = ws->sl[l].prev) n++;
    if (n > RT_MC_MAX_LEGS) n = RT_MC_MAX_LEGS; /* cannot happen: max_legs caps it */
    memset(j, 0, sizeof(*j));
    j->nlegs = n;
    j->available = f->avail;
    uint32_t i = n;
    for (uint32_t l = f->label; i > 0 && ws->sl[l].came != RT_MC_ORIGIN; l = ws->sl[l].prev) {
        const struct slabel *y = &ws->sl[l], *p = &ws->sl[y->prev];
        struct rt_mc_leg *g = &j->legs[--i];
        g->leg.dep = y->dep;
        g->leg.arr = y->arr;
        g->leg.to = y->stop;
        g->ready = p->t;
        g->customs_s = y->customs;
        g->km = y->km;
        g->cost_cents = y->cost - p->cost;
        g->co2e_g = y->co2 - p->co2;
        if (y->foot != RT_NONE) {
            g->leg.kind = RT_LEG_WALK;
            g->leg.from = p->stop;
            g->leg.run = g->leg.board = g->leg.alight = RT_NONE;
            g->foot = y->foot;
            g->mode = RT_FMODE_ROAD;
            /* A truck leaving after a vehicle: its times follow that
             * vehicle's; at best estimated. */
            g->leg.dep_src = p->alight == RT_NONE ? RT_TIME_SCHEDULED
                                                  : src_of(q, p->alight, 1);
            g->leg.arr_src = g->leg.dep_src == RT_TIME_OBSERVED ? RT_TIME_ESTIMATED
                                                                : g->leg.dep_src;
        } else {
            const struct rt_connection *b = conn_at(q, y->board);
            g->leg.kind = RT_LEG_RIDE;
            g->leg.from = b->from;
            g->leg.run = b->run;
            g->leg.board = y->board;
            g->leg.alight = y->alight;
            g->foot = RT_NONE;
            g->mode = y->came;
            g->leg.dep_src = src_of(q, y->board, 0);
            g->leg.arr_src = src_of(q, y->alight, 1);
        }
        j->km += y->km;
    }
    j->latest_ready = latest_ready(q, j);
    if (n > 1 && j->legs[0].foot != RT_NONE) {
        /* The truck from the origin leaves as late as the journey allows. */
        struct rt_mc_leg *g = &j->legs[0];
        uint32_t shift = j->latest_ready - g->leg.dep;
        g->leg.dep += shift;
        g->leg.arr += shift;
        g->ready += shift;
        j->legs[1].ready += shift;
    }
    j->departure = n ? j->legs[0].leg.dep : q->depart;
    j->arrival = n ? j->legs[n - 1].leg.arr : q->depart;
    j->cost_cents = ws->sl[f->label].cost;
    j->co2e_g = ws->sl[f->label].co2;
}

/* Scan the connections of second T: from I in tt->conns (runs the overlay
 * touched skipped) and from J in the side array, repeated while a label
 * became usable at T.  Advances *I and *J past them. */
static uint32_t scan_second(struct q *q, const uint8_t *skip, uint32_t *i, uint32_t *j,
                            uint32_t nside, uint32_t t) {
    const struct rt_timetable *tt = q->tt;
    uint32_t k = *i, m = *j, n = 0;
    q->now = t;
    do {
        q->again = 0;
        for (k = *i; k < tt->nconns && tt->conns[k].dep == t; k++) {
            /* The run's word for a connection a little ahead: it is read
             * at random (as in csa.c). */
            if (k + 16 < tt->nconns)
                __builtin_prefetch(&q->ws->rrec[q->ws->rix[tt->conns[k + 16].run]]);
            if (skip && skip[tt->conns[k].run]) continue;
            n++;
            /* No journey available by the horizon uses it ("Horizon"). */
            if (!q->ws->ok[k]) continue;
            /* scan()'s first test, here: most connections stop at it, and
             * a call for each cost more than the test. */
            const struct rt_connection *c = &tt->conns[k];
            uint32_t ri = q->ws->rix[c->run];
            if (q->ws->stop_gen[c->from] != q->ws->gen && q->ws->rrec[ri].gen != q->ws->gen)
                continue;
            scan(q, c, k, ri);
            if (q->oom) return n;
        }
        for (m = *j; m < nside && q->side[m].c.dep == t; m++) {
            n++;
            if (!q->ws->ok_side[m]) continue;
            scan(q, &q->side[m].c, tt->nconns + m, q->ws->rix[q->side[m].c.run]);
            if (q->oom) return n;
        }
    } while (q->again);
    *i = k;
    *j = m;
    return n;
}

/* Without an overlay, over the hot arrays: the connections of second T,
 * I .. E-1.  A connection does something only when its run has a bag or
 * its from stop a label (scan()'s first test) and the backward scan
 * marked it (ok): those are listed first, without a branch, from three
 * byte arrays (as csa.c's gate does), then scanned in order.  When a
 * scanned one gives a stop its first label or a run its bag, the list is
 * made again from the next connection, so every connection is tested
 * with what the plain scan would show it. */
#define HOT_CHUNK 64
static void scan_hot_second(struct q *q, uint32_t i, uint32_t e, uint32_t t) {
    const struct rt_timetable *tt = q->tt;
    struct rt_mc_ws *ws = q->ws;
    const uint32_t *rs = tt->hot_rs;
    const uint8_t *ok = ws->ok, *ract = ws->ract;
    const uint32_t *pp = ws->pp, *armed = ws->armed;
    uint32_t mask = rt_hot_run_mask(tt), pass[HOT_CHUNK];
    while (i < e) {
        uint32_t stop = e - i > HOT_CHUNK ? i + HOT_CHUNK : e, n = 0;
        for (uint32_t k = i; k < stop; k++) {
            pass[n] = k;
            n += ok[k] & ((armed[pp[k]] <= t) | ract[rs[k] & mask]);
        }
        i = stop;
        q->opened = 0;
        /* The few listed (about one in sixteen) are far apart: fetch all
         * their run records at once. */
        for (uint32_t a = 0; a < n; a++) __builtin_prefetch(&ws->rrec[rs[pass[a]] & mask]);
        for (uint32_t a = 0; a < n; a++) {
            uint32_t k = pass[a];
            /* The connection from the hot arrays (read just now), not
             * from its 24-byte record (a miss each): all but a hop that
             * forbids boarding or alighting, or is RT_HOT_LONG long. */
            uint32_t f = tt->hot_from[k] & ~RT_HOT_OPEN, to = tt->hot_to[k], d = tt->hot_dur[k];
            const struct rt_connection *c = &tt->conns[k];
            struct rt_connection cc;
            if (f != tt->nstops && to != tt->nstops + 1 && d != RT_HOT_LONG) {
                cc.dep = t;
                cc.arr = t + d;
                cc.from = f;
                cc.to = to;
                cc.run = RT_NONE; /* scan() reads the record RI, not this */
                cc.seq = (uint16_t)(rs[k] >> tt->hot_run_bits);
                cc.flags = RT_CONN_PICKUP | RT_CONN_DROPOFF;
                cc.pad = 0;
                c = &cc;
            }
            scan(q, c, k, rs[k] & mask);
            if (q->oom) return;
            if (q->opened) {
                q->opened = 0;
                i = k + 1;
                break;
            }
        }
    }
}

/* Shortest distances from every stop to the target over the stop graph
 * (graph_build) into ws->dist (INFINITY: no path), an edge weighing its
 * km at its mode's rate in cents (CRIT 0) or grams (1), or its seconds
 * (2).  Edges of modes not allowed are left out. */
static void graph_dist(struct q *q, int crit) {
    struct rt_mc_ws *ws = q->ws;
    uint32_t n = 0;
    for (uint32_t s = 0; s < ws->nstops; s++) {
        ws->dist[s] = INFINITY;
        if (is_target(q, s)) {
            ws->dist[s] = 0;
            heap_push(ws, &n, 0, s);
        }
    }
    while (n > 0) {
        double d = ws->heap[0].d;
        uint32_t s = ws->heap[0].s;
        heap_pop(ws, &n);
        if (d > ws->dist[s]) continue;
        for (uint32_t i = ws->g_index[s]; i < ws->g_index[s + 1]; i++) {
            const struct gedge *e = &ws->g_edge[i];
            int m = e->mode == RT_MC_FOOT ? RT_FMODE_ROAD : e->mode;
            if (!allowed(q, m)) continue;
            double w = crit == 0   ? q->rate_c[m] * e->km
                       : crit == 1 ? q->rate_g[m] * e->km
                                   : e->secs;
            if (d + w < ws->dist[e->from]) {
                ws->dist[e->from] = d + w;
                heap_push(ws, &n, d + w, e->from);
            }
        }
    }
}

/* Lower bounds.  From stop S every journey to the target still needs, at
 * least: one more leg (unless S is a target); the cheapest leg's fixed
 * part plus, per km, the rate of the mode it is travelled by, summed along
 * a path of the stop graph, so at least the cheapest path's; as many grams
 * for CO2e; and the scheduled seconds of the shortest path (no waiting, no
 * NEED, no customs).  A stop with no path at all reaches nothing.  A label
 * that cannot beat a final even with only these left is pruned (see
 * pruned()).  The bounds are for pruning only: they never change an
 * answer.  Each leg's rounding to whole cents and grams can take up to
 * half a unit, so RT_MC_MAX_LEGS / 2 units (and one more for floating
 * point) are left as margin.  A time bound only from the schedule: an
 * overlay may shorten hops (an early observed arrival); the overlay's runs
 * stop where scheduled, so the km are the same. */
static void lower_bounds_setup(struct q *q) {
    const struct rt_mc_net *net = q->net;
    struct rt_mc_ws *ws = q->ws;
    double leg = INFINITY;
    for (int m = 0; m < RT_FMODE_COUNT; m++) {
        q->rate_c[m] = q->rate_g[m] = 0;
        if (!allowed(q, m)) continue;
        double f0 = 0, f1 = 0, e1 = 0;
        if (net->freight) {
            f0 = rt_freight_cost(net->freight, (enum rt_fmode)m, 0, q->weight, q->teu, q->o);
            f1 = rt_freight_cost(net->freight, (enum rt_fmode)m, 1, q->weight, q->teu, q->o);
            e1 = rt_freight_co2e_kg(net->freight, (enum rt_fmode)m, 1, q->weight, q->o);
        }
        if (!(f0 > 0)) f0 = 0;
        f1 = f1 > f0 ? f1 - f0 : 0;
        if (!(e1 > 0)) e1 = 0;
        q->rate_c[m] = 100 * f1;
        q->rate_g[m] = 1000 * e1;
        if (100 * f0 < leg) leg = 100 * f0;
    }
    q->lb_cents_leg = isfinite(leg) ? leg : 0;
    const int64_t margin = RT_MC_MAX_LEGS / 2 + 1;
    /* lbr_c, lbr_e: the bounds of a cargo aboard a run of mode m at a stop
     * s of it, leaving the leg's fixed part and the next leg out.  Along
     * the run to a later stop s', dist(s) <= rate[m] x the km between +
     * dist(s'): the run's hops are edges of the graph.  And the leg's
     * cost (rounded) to s' exceeds that to s by at least rate[m] x those
     * km - 1.  So x.cost + leg(s) + dist(s) - 1 bounds from below a
     * journey that gets off anywhere from s on: one more unit of
     * margin. */
    graph_dist(q, 0);
    for (uint32_t s = 0; s < ws->nstops; s++) {
        double r = floor(ws->dist[s]) - (margin + 1);
        ws->lbr_c[s] = is_target(q, s) || !isfinite(r) || r < 0 ? 0 : (int64_t)r;
        double c = floor(q->lb_cents_leg + ws->dist[s]) - margin;
        ws->lb_c[s] = is_target(q, s) || !isfinite(c) || c < 0 ? 0 : (int64_t)c;
        ws->lb_l[s] = is_target(q, s) ? 0 : 1;
        /* No path to the target: nothing from here is in scope. */
        ws->lb_t[s] = is_target(q, s) ? 0 : isfinite(ws->dist[s]) ? 0 : INF / 2;
    }
    graph_dist(q, 1);
    for (uint32_t s = 0; s < ws->nstops; s++) {
        double e = floor(ws->dist[s]) - margin;
        ws->lbr_e[s] = is_target(q, s) || !isfinite(e - 1) || e - 1 < 0 ? 0 : (int64_t)(e - 1);
        ws->lb_e[s] = is_target(q, s) || !isfinite(e) || e < 0 ? 0 : (int64_t)e;
    }
    if (q->nside > 0) return;
    graph_dist(q, 2);
    for (uint32_t s = 0; s < ws->nstops; s++)
        if (!is_target(q, s) && isfinite(ws->dist[s]))
            ws->lb_t[s] = (uint32_t)fmin(ws->dist[s], (double)(INF / 2));
}

/* The scope's bound (mc.h, "Scope") for earliest E (INF: none), at most
 * max_days; the same arithmetic as tighten(). */
static uint32_t scope_end(const struct q *q, uint32_t e) {
    if (q->slack_factor < 0 || e == INF) return q->max_bound;
    double b = (double)q->depart + q->slack_factor * (double)(e - q->depart) + q->slack_s;
    return b < (double)q->max_bound ? (uint32_t)b : q->max_bound;
}

/* Empty the pools and mark the target and origin stops for a (new) pass
 * of query QQ. */
static void start_query(struct q *q, const struct rt_mc_query *qq) {
    struct rt_mc_ws *ws = q->ws;
    next_gen(ws);
    ws->nsl = ws->nrl = ws->nfin = ws->nfe = 0;
    ws->target_gen[qq->to] = ws->gen;
    for (uint32_t i = ws->child_index[qq->to]; i < ws->child_index[qq->to + 1]; i++)
        ws->target_gen[ws->children[i]] = ws->gen;
    ws->origin_gen[qq->from] = ws->gen;
    for (uint32_t i = ws->child_index[qq->from]; i < ws->child_index[qq->from + 1]; i++)
        ws->origin_gen[ws->children[i]] = ws->gen;
}

int rt_mc_search(const struct rt_mc_net *net, struct rt_overlay *ov, struct rt_mc_ws *ws,
                 const struct rt_mc_query *qq, struct rt_mc_result *out) {
    const struct rt_timetable *tt = net->tt;
    struct q q;
    out->n = 0;
    out->truncated = 0;
    out->earliest = INF;
    out->scan_end = qq->depart;
    out->scanned = out->labels = 0;
    if (qq->from >= tt->nstops || qq->to >= tt->nstops || ws->net != net ||
        ws->nstops != tt->nstops || ws->nruns != tt->nruns || !(qq->weight_kg > 0) ||
        !isfinite(qq->weight_kg) || !(qq->teu >= 0) || !isfinite(qq->teu) ||
        qq->max_legs < 0 || qq->max_legs > RT_MC_MAX_LEGS || qq->max_days < 0 ||
        qq->max_days > 366 || !isfinite(qq->slack_factor))
        return -1;
    memset(&q, 0, sizeof(q));
    q.net = net;
    q.tt = tt;
    q.o = net->freight ? qq->override : NULL;
    q.ws = ws;
    q.modes = qq->modes ? qq->modes : (1u << RT_FMODE_COUNT) - 1;
    q.max_legs = qq->max_legs ? qq->max_legs : RT_MC_MAX_LEGS;
    q.weight = qq->weight_kg;
    q.teu = qq->teu;
    q.depart = qq->depart;
    q.earliest = INF;
    q.slack_factor = qq->slack_factor;
    q.slack_s = qq->slack_s;
    if (qq->slack_factor == 0 && qq->slack_s == 0) {
        q.slack_factor = 2;
        q.slack_s = DAY;
    }
    {
        uint64_t b = (uint64_t)qq->depart + (uint64_t)(qq->max_days ? qq->max_days : 90) * DAY;
        q.bound = q.max_bound = b >= INF ? INF - 1 : (uint32_t)b;
    }
    uint32_t nside = 0;
    const uint8_t *skip = NULL;
    if (ov) {
        if (rt_overlay_timetable(ov) != tt || rt_overlay_prepare(ov) != 0) return -1;
        q.side = rt_overlay_side(ov, &nside);
        skip = rt_overlay_touched(ov);
    }
    q.nside = nside;
    q.skip = skip;
    q.listing = !q.side && !q.skip && ws->armed != NULL;
    uint32_t lo = rt_first_conn(tt, qq->depart),
             jlo = q.side ? rt_overlay_first_side(q.side, nside, qq->depart) : 0;

    /* The horizon (see "Horizon"): the scope's bound for a guess at E.
     * The pass below finds every journey available by it, so its E is the
     * true one when it is at most the horizon; and when the bound for that
     * E is within the horizon too, its answer is the answer.  Otherwise
     * (the guess was too early) a second pass with the bound for the E
     * found, or max_days when none was, is exact. */
    start_query(&q, qq);
    lower_bounds_setup(&q);
    uint32_t h = q.max_bound, scanned = 0, tc = 0;
    if (q.slack_factor >= 0) {
        uint32_t eg = guess_earliest(&q, lo, jlo, q.max_bound);
        h = scope_end(&q, eg);
        /* See "Where the backward scan starts". */
        if (eg != INF && eg > qq->depart) tc = qq->depart + (eg - qq->depart) / 2;
    }
    for (;;) {
        if (reach_back(&q, h, lo, jlo, tc) != 0) return -1;
        q.bound = h;
        q.earliest = INF;
        q.now = qq->depart;
        if (q.listing) {
            memset(ws->armed, 0xff, (size_t)ws->npos * sizeof(uint32_t));
            memset(ws->ract, 0, tt->nruns);
        }
        start_at(&q, qq->from);
        for (uint32_t i = ws->child_index[qq->from]; i < ws->child_index[qq->from + 1]; i++)
            start_at(&q, ws->children[i]);
        uint32_t i = lo, j = jlo;
        if (q.listing) {
            for (uint32_t a = sec_first_at(tt, lo); a < tt->nhot_sec && !q.oom; a++) {
                uint32_t t = tt->hot_sec[a].dep, first = tt->hot_sec[a].first,
                         end = tt->hot_sec[a + 1].first;
                if (t > q.bound) break;
                q.now = t;
                do {
                    q.again = 0;
                    scanned += end - first;
                    scan_hot_second(&q, first, end, t);
                } while (q.again && !q.oom);
            }
            i = tt->nconns;
        }
        while (!q.oom) {
            uint32_t ti = i < tt->nconns ? tt->conns[i].dep : INF;
            uint32_t tj = j < nside ? q.side[j].c.dep : INF;
            uint32_t t = ti < tj ? ti : tj;
            if (t == INF || t > q.bound) break;
            scanned += scan_second(&q, skip, &i, &j, nside, t);
        }
        if (q.oom) return -1;
        if (h >= q.max_bound || (q.earliest != INF && scope_end(&q, q.earliest) <= h)) break;
        h = scope_end(&q, q.earliest);
        start_query(&q, qq);
    }
    if (q.oom) return -1;
    out->scanned = scanned;
    out->labels = ws->nsl + ws->nrl;
    out->scan_end = q.bound == INF - 1 ? INF - 1 : q.bound + 1;
    out->earliest = q.earliest;

    /* Finals past the final bound are out of scope; the rest is the
     * Pareto set (add_final kept it so). */
    struct rt_mc_journey tmp;
    uint32_t n = 0;
    for (uint32_t f = 0; f < ws->nfin; f++) {
        if (ws->fin[f].avail > q.bound) continue;
        rebuild(&q, &ws->fin[f], &tmp);
        /* Insertion into the first RT_MC_MAX_JOURNEYS in order. */
        uint32_t pos = n;
        while (pos > 0 && cmp_order(&tmp, &out->j[pos - 1], qq->order) < 0) pos--;
        if (pos >= RT_MC_MAX_JOURNEYS) {
            out->truncated = 1;
            continue;
        }
        if (n == RT_MC_MAX_JOURNEYS) {
            out->truncated = 1;
            n--;
        }
        memmove(&out->j[pos + 1], &out->j[pos], (n - pos) * sizeof(out->j[0]));
        out->j[pos] = tmp;
        n++;
    }
    out->n = n;
    return 0;
}
