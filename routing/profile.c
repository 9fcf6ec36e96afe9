/* profile.c -- latest departure by a reverse Connection Scan, and range
 * queries by repeated earliest-arrival scans; see profile.h and
 * docs/routing-timetables.md ("Latest departure and range queries").
 *
 * The reverse scan mirrors csa.c.  Per stop, ldep is the latest time one
 * can be ready to board there (as csa.c's "ready") and still reach the
 * target by the deadline; at a target it is the deadline itself.  Per run,
 * last_ok is the highest hop after which alighting reaches the target in
 * time: being aboard for any hop up to it is then enough.  Leaving a
 * vehicle at stop S at time A reaches the target when S is a target, or
 * when A + min_transfer <= ldep[S] (the change is allowed), or when
 * A + walk <= ldep[B] for a footpath S -> B that is not forbidden.  A hop
 * that can be ridden successfully and allows boarding raises ldep of its
 * FROM to its departure.  Connections are taken by decreasing arrival, so
 * everything a hop's alighting test reads (departures at or after its
 * arrival) is final when the hop is scanned, up to ties: see the
 * rescan in rt_latest_departure. */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#define INF UINT32_MAX

struct rt_profile_ws {
    const struct rt_timetable *tt;
    uint32_t nstops, nruns, nconns;
    uint32_t gen;
    uint32_t *by_arr; /* conn indices sorted by (arr, run, seq) */
    uint32_t *stop_gen, *ldep;
    uint32_t *ldep_conn, *ldep_alight, *ldep_next; /* how ldep was got (see
                                                    * rebuild); RT_NONE at a
                                                    * target */
    uint32_t *target_gen;
    uint32_t *orig_gen, *orig_off, *orig_via;  /* seconds from the origin on
                                                * foot, and the stop walked
                                                * from (RT_NONE: an origin) */
    uint32_t *run_gen, *run_alight, *run_next; /* hop of last_ok, and the stop
                                                * to go on from after it
                                                * (RT_NONE: a target) */
    int32_t *run_last;                         /* last_ok seq, -1: none */
    uint8_t *no_change;
    uint32_t *child_index, *children;
    uint32_t *cand; /* range: departure candidates */
    struct rt_csa_ws *csa;
    struct rt_csa_result res;
};

void rt_profile_ws_free(struct rt_profile_ws *ws) {
    if (!ws) return;
    free(ws->by_arr);
    free(ws->stop_gen);
    free(ws->ldep);
    free(ws->ldep_conn);
    free(ws->ldep_alight);
    free(ws->ldep_next);
    free(ws->target_gen);
    free(ws->orig_gen);
    free(ws->orig_off);
    free(ws->orig_via);
    free(ws->run_gen);
    free(ws->run_alight);
    free(ws->run_next);
    free(ws->run_last);
    free(ws->no_change);
    free(ws->child_index);
    free(ws->children);
    free(ws->cand);
    rt_csa_ws_free(ws->csa);
    free(ws);
}

size_t rt_profile_ws_bytes(const struct rt_profile_ws *ws) {
    size_t ns = ws->nstops ? ws->nstops : 1, nr = ws->nruns ? ws->nruns : 1,
           nc = ws->nconns ? ws->nconns : 1;
    return sizeof(*ws) + 2 * nc * sizeof(uint32_t) + ns * (11 * sizeof(uint32_t) + 1) +
           sizeof(uint32_t) + nr * (3 * sizeof(uint32_t) + sizeof(int32_t));
}

struct sortkey {
    uint32_t arr, run, seq, idx;
};

static int cmp_key(const void *a, const void *b) {
    const struct sortkey *x = a, *y = b;
    if (x->arr != y->arr) return x->arr < y->arr ? -1 : 1;
    if (x->run != y->run) return x->run < y->run ? -1 : 1;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return 0;
}

struct rt_profile_ws *rt_profile_ws_new(const struct rt_timetable *tt) {
    struct rt_profile_ws *ws = calloc(1, sizeof(*ws));
    if (!ws) return NULL;
    size_t ns = tt->nstops ? tt->nstops : 1, nr = tt->nruns ? tt->nruns : 1,
           nc = tt->nconns ? tt->nconns : 1;
    ws->tt = tt;
    ws->nstops = tt->nstops;
    ws->nruns = tt->nruns;
    ws->nconns = tt->nconns;
    ws->by_arr = malloc(nc * sizeof(uint32_t));
    ws->cand = malloc(nc * sizeof(uint32_t));
    ws->stop_gen = calloc(ns, sizeof(uint32_t));
    ws->ldep = malloc(ns * sizeof(uint32_t));
    ws->ldep_conn = malloc(ns * sizeof(uint32_t));
    ws->ldep_alight = malloc(ns * sizeof(uint32_t));
    ws->ldep_next = malloc(ns * sizeof(uint32_t));
    ws->target_gen = calloc(ns, sizeof(uint32_t));
    ws->orig_gen = calloc(ns, sizeof(uint32_t));
    ws->orig_off = malloc(ns * sizeof(uint32_t));
    ws->orig_via = malloc(ns * sizeof(uint32_t));
    ws->run_gen = calloc(nr, sizeof(uint32_t));
    ws->run_alight = malloc(nr * sizeof(uint32_t));
    ws->run_next = malloc(nr * sizeof(uint32_t));
    ws->run_last = malloc(nr * sizeof(int32_t));
    ws->no_change = calloc(ns, 1);
    ws->child_index = calloc(ns + 1, sizeof(uint32_t));
    ws->children = malloc(ns * sizeof(uint32_t));
    ws->csa = rt_csa_ws_new(tt);
    struct sortkey *keys = malloc(nc * sizeof(*keys));
    if (!ws->by_arr || !ws->cand || !ws->stop_gen || !ws->ldep || !ws->ldep_conn ||
        !ws->ldep_alight || !ws->ldep_next || !ws->run_next || !ws->target_gen ||
        !ws->orig_gen || !ws->orig_off || !ws->orig_via || !ws->run_gen ||
        !ws->run_alight || !ws->run_last || !ws->no_change || !ws->child_index ||
        !ws->children || !ws->csa || !keys) {
        free(keys);
        rt_profile_ws_free(ws);
        return NULL;
    }
    /* Ties in arrival by (run, seq): scanned backwards, a run's later hop
     * comes before an earlier one arriving at the same second. */
    for (uint32_t i = 0; i < tt->nconns; i++) {
        keys[i].arr = tt->conns[i].arr;
        keys[i].run = tt->conns[i].run;
        keys[i].seq = tt->conns[i].seq;
        keys[i].idx = i;
    }
    qsort(keys, tt->nconns, sizeof(*keys), cmp_key);
    for (uint32_t i = 0; i < tt->nconns; i++)
        ws->by_arr[i] = keys[i].idx;
    free(keys);
    if (rt_stop_facts(tt, ws->no_change, ws->child_index, ws->children) != 0) {
        rt_profile_ws_free(ws);
        return NULL;
    }
    return ws;
}

static void next_gen(struct rt_profile_ws *ws) {
    if (++ws->gen == 0) {
        size_t ns = ws->nstops ? ws->nstops : 1, nr = ws->nruns ? ws->nruns : 1;
        memset(ws->stop_gen, 0, ns * sizeof(uint32_t));
        memset(ws->target_gen, 0, ns * sizeof(uint32_t));
        memset(ws->orig_gen, 0, ns * sizeof(uint32_t));
        memset(ws->run_gen, 0, nr * sizeof(uint32_t));
        ws->gen = 1;
    }
}

static int valid(const struct rt_timetable *tt, const struct rt_profile_ws *ws,
                 uint32_t from_stop, uint32_t to_stop) {
    return from_stop < tt->nstops && to_stop < tt->nstops && ws->tt == tt &&
           ws->nstops == tt->nstops && ws->nruns == tt->nruns &&
           ws->nconns == tt->nconns;
}

static int has_ldep(const struct rt_profile_ws *ws, uint32_t s) {
    return ws->stop_gen[s] == ws->gen;
}

static int is_target(const struct rt_profile_ws *ws, uint32_t s) {
    return ws->target_gen[s] == ws->gen;
}

static int is_origin(const struct rt_profile_ws *ws, uint32_t s) {
    return ws->orig_gen[s] == ws->gen;
}

static void origin_stop(struct rt_profile_ws *ws, uint32_t o) {
    ws->orig_gen[o] = ws->gen;
    ws->orig_off[o] = 0;
    ws->orig_via[o] = RT_NONE;
}

/* Origin offsets: 0 at the origin (and a station's children), the
 * shortest footpath from one of them elsewhere.  Returns the largest. */
static uint32_t mark_origin(const struct rt_timetable *tt, struct rt_profile_ws *ws,
                            uint32_t from_stop) {
    uint32_t lo = ws->child_index[from_stop], hi = ws->child_index[from_stop + 1],
             maxoff = 0;
    origin_stop(ws, from_stop);
    for (uint32_t i = lo; i < hi; i++)
        origin_stop(ws, ws->children[i]);
    for (uint32_t i = lo; i <= hi; i++) {
        uint32_t o = i < hi ? ws->children[i] : from_stop, n;
        const struct rt_footpath *fp = rt_footpaths(tt, o, &n);
        for (uint32_t j = 0; j < n; j++) {
            uint32_t b = fp[j].to;
            if (is_origin(ws, b) && ws->orig_off[b] <= fp[j].seconds) continue;
            ws->orig_gen[b] = ws->gen;
            ws->orig_off[b] = fp[j].seconds;
            ws->orig_via[b] = o;
        }
    }
    for (uint32_t i = lo; i <= hi; i++) {
        uint32_t o = i < hi ? ws->children[i] : from_stop, n;
        const struct rt_footpath *fp = rt_footpaths(tt, o, &n);
        for (uint32_t j = 0; j < n; j++)
            if (ws->orig_off[fp[j].to] > maxoff) maxoff = ws->orig_off[fp[j].to];
    }
    return maxoff;
}

static void mark_target(struct rt_profile_ws *ws, uint32_t to_stop) {
    ws->target_gen[to_stop] = ws->gen;
    for (uint32_t i = ws->child_index[to_stop]; i < ws->child_index[to_stop + 1]; i++)
        ws->target_gen[ws->children[i]] = ws->gen;
}

struct rscan {
    uint32_t deadline;
    int64_t best;       /* latest departure found, -1: none */
    uint32_t best_stop; /* where it boards (or, at a target, arrives) */
};

/* Being ready at S at time T: best departure it gives at the origin. */
static void offer(const struct rt_profile_ws *ws, struct rscan *sc, uint32_t s,
                  uint32_t t) {
    if (!is_origin(ws, s) || ws->orig_off[s] > t) return;
    int64_t d = (int64_t)t - ws->orig_off[s];
    if (d > sc->best) {
        sc->best = d;
        sc->best_stop = s;
    }
}

/* Does leaving a vehicle at S at time A reach the target in time?  *next
 * gets how: RT_NONE (S is a target), S (change there) or the stop walked
 * to. */
static int alight_ok(const struct rt_timetable *tt, const struct rt_profile_ws *ws,
                     const struct rscan *sc, uint32_t s, uint32_t a, uint32_t *next) {
    *next = RT_NONE;
    if (is_target(ws, s)) return a <= sc->deadline;
    *next = s;
    if (!ws->no_change[s] && has_ldep(ws, s) &&
        (uint64_t)a + tt->stops[s].min_transfer <= ws->ldep[s])
        return 1;
    uint32_t n;
    const struct rt_footpath *fp = rt_footpaths(tt, s, &n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = fp[i].to;
        if (!has_ldep(ws, b) || (uint64_t)a + fp[i].seconds > ws->ldep[b]) continue;
        if (tt->nforbidden && rt_transfer_forbidden(tt, s, b)) continue;
        *next = b;
        return 1;
    }
    return 0;
}

/* Scan hop K (arriving at second T).  1 when it raised a stop's ldep to T
 * itself: a hop arriving at T, already scanned, may now reach it. */
static int rscan_one(const struct rt_timetable *tt, struct rt_profile_ws *ws,
                     struct rscan *sc, uint32_t k, uint32_t t) {
    const struct rt_connection *c = &tt->conns[k];
    if (ws->run_gen[c->run] != ws->gen) {
        ws->run_gen[c->run] = ws->gen;
        ws->run_last[c->run] = -1;
    }
    uint32_t next;
    if ((int32_t)c->seq > ws->run_last[c->run] && (c->flags & RT_CONN_DROPOFF) &&
        alight_ok(tt, ws, sc, c->to, c->arr, &next)) {
        ws->run_last[c->run] = c->seq;
        ws->run_alight[c->run] = k;
        ws->run_next[c->run] = next;
    }
    if ((int32_t)c->seq > ws->run_last[c->run] || !(c->flags & RT_CONN_PICKUP))
        return 0;
    uint32_t s = c->from;
    if (has_ldep(ws, s) && ws->ldep[s] >= c->dep) return 0;
    ws->stop_gen[s] = ws->gen;
    ws->ldep[s] = c->dep;
    ws->ldep_conn[s] = k;
    /* A snapshot, not a link to the run: a rescan may later let the run be
     * left further on, through a label set after this one, and following
     * that could go round in a circle at one second.  Snapshots only point
     * to labels set earlier. */
    ws->ldep_alight[s] = ws->run_alight[c->run];
    ws->ldep_next[s] = ws->run_next[c->run];
    offer(ws, sc, s, c->dep);
    return c->dep == t;
}

/* Append a leg at position *n (kept when below RT_CSA_MAX_LEGS). */
static void put_leg(struct rt_ld_result *out, uint32_t *n, const struct rt_leg *g) {
    if (*n < RT_CSA_MAX_LEGS)
        out->legs[*n] = *g;
    else
        out->truncated = 1;
    (*n)++;
}

/* The journey leaving at sc->best, forwards from the origin. */
static void rebuild(const struct rt_timetable *tt, const struct rt_profile_ws *ws,
                    const struct rscan *sc, struct rt_ld_result *out) {
    uint32_t n = 0, s = sc->best_stop, t = (uint32_t)sc->best;
    uint32_t guard = 2 * tt->nruns + 4;
    struct rt_leg g;
    memset(&g, 0, sizeof(g));
    g.dep_src = g.arr_src = RT_TIME_SCHEDULED;
    out->origin_stop = s;
    if (ws->orig_via[s] != RT_NONE) {
        g.kind = RT_LEG_WALK;
        g.from = ws->orig_via[s];
        g.to = s;
        g.dep = t;
        g.arr = t + ws->orig_off[s];
        g.run = g.board = g.alight = RT_NONE;
        put_leg(out, &n, &g);
        out->origin_stop = g.from;
        t = g.arr;
    }
    while (!is_target(ws, s) && guard--) {
        uint32_t b = ws->ldep_conn[s], k = ws->ldep_alight[s], next = ws->ldep_next[s];
        const struct rt_connection *c = &tt->conns[b], *a = &tt->conns[k];
        g.kind = RT_LEG_RIDE;
        g.from = s;
        g.to = a->to;
        g.dep = c->dep;
        g.arr = a->arr;
        g.run = c->run;
        g.board = b;
        g.alight = k;
        put_leg(out, &n, &g);
        if (out->first_conn == RT_NONE) out->first_conn = b;
        out->last_conn = k;
        s = a->to;
        t = a->arr;
        if (next == RT_NONE || next == s) continue; /* arrived, or a change */
        uint32_t nf, w = UINT32_MAX;
        const struct rt_footpath *fp = rt_footpaths(tt, s, &nf);
        for (uint32_t i = 0; i < nf; i++)
            if (fp[i].to == next) w = fp[i].seconds;
        g.kind = RT_LEG_WALK;
        g.from = s;
        g.to = next;
        g.dep = t;
        g.arr = t + w;
        g.run = g.board = g.alight = RT_NONE;
        put_leg(out, &n, &g);
        s = next;
        t = g.arr;
    }
    out->target_stop = s;
    out->arrival = t;
    out->nlegs = n < RT_CSA_MAX_LEGS ? n : RT_CSA_MAX_LEGS;
}

/* Number of connections arriving at or before T in by_arr order. */
static uint32_t arr_upto(const struct rt_timetable *tt, const struct rt_profile_ws *ws,
                         uint32_t t) {
    uint32_t lo = 0, hi = tt->nconns;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tt->conns[ws->by_arr[mid]].arr <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int rt_latest_departure(const struct rt_timetable *tt, struct rt_profile_ws *ws,
                        uint32_t from_stop, uint32_t to_stop, uint32_t arrive_by,
                        struct rt_ld_result *out) {
    out->departure = out->arrival = INF;
    out->origin_stop = out->target_stop = RT_NONE;
    out->first_conn = out->last_conn = RT_NONE;
    out->nlegs = 0;
    out->truncated = 0;
    out->scanned = 0;
    if (!valid(tt, ws, from_stop, to_stop)) return -1;
    next_gen(ws);
    mark_origin(tt, ws, from_stop);
    mark_target(ws, to_stop);
    struct rscan sc = {arrive_by, -1, RT_NONE};
    /* A target is "ready" until the deadline: arriving there is enough. */
    for (uint32_t i = ws->child_index[to_stop]; i <= ws->child_index[to_stop + 1];
         i++) {
        uint32_t x = i < ws->child_index[to_stop + 1] ? ws->children[i] : to_stop;
        ws->stop_gen[x] = ws->gen;
        ws->ldep[x] = arrive_by;
        ws->ldep_conn[x] = ws->ldep_alight[x] = ws->ldep_next[x] = RT_NONE;
        offer(ws, &sc, x, arrive_by);
    }
    uint32_t i = arr_upto(tt, ws, arrive_by), scanned = 0;
    /* A hop arriving at or before the best departure cannot leave later. */
    while (i > 0 && (int64_t)tt->conns[ws->by_arr[i - 1]].arr > sc.best) {
        uint32_t t = tt->conns[ws->by_arr[i - 1]].arr, lo = i - 1;
        while (lo > 0 && tt->conns[ws->by_arr[lo - 1]].arr == t)
            lo--;
        /* Hops arriving at one second are rescanned while one of them
         * raises a stop's ldep to that second: a 0 s hop from there, sorted
         * before it, may have been refused for want of it (csa.c's rescan,
         * mirrored). */
        int again;
        do {
            again = 0;
            for (uint32_t k = i; k > lo; k--) {
                again |= rscan_one(tt, ws, &sc, ws->by_arr[k - 1], t);
                scanned++;
            }
        } while (again);
        i = lo;
    }
    out->scanned = scanned;
    if (sc.best < 0) return 1;
    out->departure = (uint32_t)sc.best;
    rebuild(tt, ws, &sc, out);
    return 0;
}

static int cmp_desc(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x > y ? -1 : x < y;
}

int rt_profile_range(const struct rt_timetable *tt, struct rt_profile_ws *ws,
                     uint32_t from_stop, uint32_t to_stop, uint32_t t0, uint32_t t1,
                     struct rt_profile_result *out) {
    out->npairs = 0;
    out->truncated = 0;
    out->walk = INF;
    out->queries = 0;
    if (!valid(tt, ws, from_stop, to_stop) || t0 > t1) return -1;
    next_gen(ws);
    uint32_t maxoff = mark_origin(tt, ws, from_stop);
    mark_target(ws, to_stop);
    for (uint32_t s = 0; s < tt->nstops; s++)
        if (is_target(ws, s) && is_origin(ws, s) && ws->orig_off[s] < out->walk)
            out->walk = ws->orig_off[s];
    /* Departure candidates: boarding a hop at an origin stop, or at a
     * stop walked to from one, as late as possible.  Between two
     * candidates the earliest arrival by a ride cannot change. */
    uint32_t nc = 0;
    uint64_t end = (uint64_t)t1 + maxoff;
    for (uint32_t k = rt_first_conn(tt, t0); k < tt->nconns && tt->conns[k].dep <= end;
         k++) {
        const struct rt_connection *c = &tt->conns[k];
        if (!(c->flags & RT_CONN_PICKUP) || !is_origin(ws, c->from) ||
            ws->orig_off[c->from] > c->dep)
            continue;
        uint32_t d = c->dep - ws->orig_off[c->from];
        if (d >= t0 && d <= t1) ws->cand[nc++] = d;
    }
    qsort(ws->cand, nc, sizeof(uint32_t), cmp_desc);
    /* A pair is listed only when no departure at all after it, in the
     * window or not, arrives as early: the journey found from a candidate
     * may really leave later (waiting at the origin), even after T1.  The
     * earliest arrival leaving after T1 bounds them all. */
    uint32_t best = INF;
    if (t1 < INF) {
        out->queries++;
        if (rt_csa_earliest(tt, ws->csa, from_stop, to_stop, t1 + 1, &ws->res) == 0)
            best = ws->res.arrival;
    }
    for (uint32_t i = 0; i < nc; i++) {
        uint32_t d = ws->cand[i];
        if (i && d == ws->cand[i - 1]) continue;
        out->queries++;
        if (rt_csa_earliest(tt, ws->csa, from_stop, to_stop, d, &ws->res) != 0)
            continue;
        uint32_t a = ws->res.arrival;
        if (a >= best) continue;
        if (out->walk != INF && (uint64_t)a >= (uint64_t)d + out->walk) continue;
        if (out->npairs == RT_PROFILE_MAX) {
            out->truncated = 1;
            break;
        }
        out->pairs[out->npairs].dep = d;
        out->pairs[out->npairs].arr = a;
        out->npairs++;
        best = a;
    }
    for (uint32_t i = 0, j = out->npairs; i + 1 < j; i++, j--) {
        struct rt_profile_pair p = out->pairs[i];
        out->pairs[i] = out->pairs[j - 1];
        out->pairs[j - 1] = p;
    }
    return 0;
}
