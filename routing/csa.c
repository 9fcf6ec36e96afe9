/* csa.c -- earliest arrival by Connection Scan; see csa.h and
 * docs/routing-timetables.md ("Earliest arrival (CSA)").
 *
 * Three labels per stop, all timetable seconds:
 *   arr   -- earliest arrival by any means (what the target reports);
 *   varr  -- earliest arrival leaving a vehicle (footpaths start from it);
 *   ready -- earliest time a new vehicle can be boarded here: a vehicle
 *            arrival plus the stop's min_transfer, a footpath arrival, or
 *            the departure time at the origin.
 * Each of arr and ready keeps where it came from (the last hop ridden and
 * the stop walked from), so a journey is rebuilt by walking back.
 *
 * Speed (docs/routing-timetables.md, "Performance"): the scan streams
 * tt->conns and, per connection, reads one word of run state and one or
 * two stop labels.  Everything else happens only when a label improves,
 * which is rare, and lives out of line (alight).  So:
 *   - stop labels stay INF between queries: a query lists the stops it
 *     wrote and resets just those when the next one begins, so the scan
 *     reads ready[from] and varr[to] with no generation check;
 *   - a run's state is one uint32, (generation << 16) + the seq of the hop
 *     it was boarded at, so "aboard at this hop" is one subtraction and
 *     compare, and the board hop's index (run_board) is only written when
 *     boarding;
 *   - the run word of the connection PREFETCH_AHEAD places on is
 *     prefetched: successive connections belong to scattered runs, and the
 *     run word is the scan's main cache miss (perf), as it is the floor's.
 * Tried and dropped: a branch-free hop (run state always written back) was
 * slower, and so was prefetching 48 connections ahead.
 *
 * Without an overlay, when the timetable has its hot arrays
 * (rt_timetable_index_hot), rt_csa_earliest scans those instead, a
 * departure second at a time: 10 bytes a connection.  Most scanned
 * connections (79% on the dense 10^6 benchmark feed) leave a stop not
 * reached yet on a run not boarded, and the branch on that was the scan's
 * main cost, more than the bytes.  So a per-stop gate, min(varr, ready), is
 * checked first: a run can only be aboard at a hop whose from stop the run
 * itself reached (unless RT_HOT_OPEN says otherwise), so a connection whose
 * gate is above its second can do nothing.  The connections passing it are
 * listed without a branch and only those are scanned as above, in the
 * plain scan's order and with its labels (see scan_hot_range).  The run
 * word is indexed by the hot arrays' run number (runs by first departure),
 * which keeps the words of the runs running at one time close together.
 *
 * The gcc 12 here drops a __builtin_prefetch put in a static inline helper
 * (the tree DCE pass, with partial inlining); written in the loop it stays:
 * check with objdump -d before moving it. */
#include "csa.h"

#include <stdlib.h>
#include <string.h>

#define INF UINT32_MAX

/* Connections ahead whose run word is prefetched: 16 beat none and 48 on
 * the 10^6 and 5*10^6 benchmark feeds. */
#define PREFETCH_AHEAD 16

struct src {
    uint32_t conn;  /* index of the last hop ridden; RT_NONE: from the origin */
    uint32_t board; /* index of the first hop of that ride */
    uint32_t via;   /* stop a footpath started from, or RT_NONE */
};

struct rt_csa_ws {
    const struct rt_timetable *tt;
    uint32_t nstops, nruns;
    /* Per run: run_tag is (run_gen << 16) + seq of the hop boarded at,
     * current when >= run_gen << 16 (older generations are smaller);
     * run_board the index of that hop.  run_gen runs 1 .. 0xffff, then
     * run_tag is cleared and it starts again.  The hot scan indexes them by
     * the hot arrays' run number, the others by run index: a query uses
     * one or the other, and the generation hides the other's words. */
    uint32_t run_gen;
    uint32_t *run_tag, *run_board;
    /* Per stop, INF / unset unless listed in touched. */
    uint32_t *arr, *varr, *ready;
    /* Per stop S: min(varr, ready) (see scan_hot); at RT_HOT_OPEN + S
     * always 0, so that the gate pass indexes it by hot_from as it is. */
    uint32_t *gate;
    struct src *arr_src, *ready_src;
    uint8_t *dirty;    /* 1 when listed in touched */
    uint32_t *touched; /* stops whose labels this query wrote */
    uint32_t ntouched;
    int opened;           /* a gate went down to the second being scanned */
    uint8_t *target;      /* 1 for the query's target stop and its children */
    uint32_t last_target; /* the stop whose target flags are set, or RT_NONE */
    uint8_t *no_change;   /* transfer_type 3 from the stop to itself */
    uint32_t *child_index, *children; /* CSR: stops whose parent is the stop */
};

void rt_csa_ws_free(struct rt_csa_ws *ws) {
    if (!ws) return;
    free(ws->run_tag);
    free(ws->run_board);
    free(ws->arr);
    free(ws->varr);
    free(ws->ready);
    free(ws->gate);
    free(ws->arr_src);
    free(ws->ready_src);
    free(ws->dirty);
    free(ws->touched);
    free(ws->target);
    free(ws->no_change);
    free(ws->child_index);
    free(ws->children);
    free(ws);
}

struct rt_csa_ws *rt_csa_ws_new(const struct rt_timetable *tt) {
    struct rt_csa_ws *ws = calloc(1, sizeof(*ws));
    if (!ws) return NULL;
    size_t ns = tt->nstops ? tt->nstops : 1, nr = tt->nruns ? tt->nruns : 1;
    ws->tt = tt;
    ws->nstops = tt->nstops;
    ws->nruns = tt->nruns;
    ws->last_target = RT_NONE;
    ws->run_tag = calloc(nr, sizeof(uint32_t));
    ws->run_board = malloc(nr * sizeof(uint32_t));
    ws->arr = malloc(ns * sizeof(uint32_t));
    /* Two more: the hot arrays' stand-ins for "no boarding" (nstops) and
     * "no alighting" (nstops + 1), see rt_timetable. */
    ws->varr = malloc((ns + 2) * sizeof(uint32_t));
    ws->ready = malloc((ns + 2) * sizeof(uint32_t));
    ws->gate = calloc(RT_HOT_OPEN + ns + 2, sizeof(uint32_t));
    ws->arr_src = malloc(ns * sizeof(struct src));
    ws->ready_src = malloc(ns * sizeof(struct src));
    ws->dirty = calloc(ns, 1);
    ws->touched = malloc(ns * sizeof(uint32_t));
    ws->target = calloc(ns, 1);
    ws->no_change = calloc(ns, 1);
    ws->child_index = calloc(ns + 1, sizeof(uint32_t));
    ws->children = malloc(ns * sizeof(uint32_t));
    if (!ws->run_tag || !ws->run_board || !ws->arr || !ws->varr || !ws->ready ||
        !ws->gate || !ws->arr_src || !ws->ready_src || !ws->dirty || !ws->touched ||
        !ws->target || !ws->no_change || !ws->child_index || !ws->children) {
        rt_csa_ws_free(ws);
        return NULL;
    }
    memset(ws->arr, 0xff, ns * sizeof(uint32_t));
    memset(ws->varr, 0xff, (ns + 2) * sizeof(uint32_t));
    memset(ws->ready, 0xff, (ns + 2) * sizeof(uint32_t));
    memset(ws->gate, 0xff, (ns + 2) * sizeof(uint32_t));
    ws->varr[tt->nstops + 1] = 0; /* never improved: never alighted at */
    if (rt_stop_facts(tt, ws->no_change, ws->child_index, ws->children) != 0) {
        rt_csa_ws_free(ws);
        return NULL;
    }
    return ws;
}

static uint32_t sat_add(uint32_t a, uint32_t b) {
    uint64_t r = (uint64_t)a + b;
    return r >= INF ? INF : (uint32_t)r;
}

/* List stop S as written by this query, so the next one resets it. */
static inline void mark(struct rt_csa_ws *ws, uint32_t s) {
    if (!ws->dirty[s]) {
        ws->dirty[s] = 1;
        ws->touched[ws->ntouched++] = s;
    }
}

struct scan {
    uint32_t best, best_stop;
};

/* Set stop B's arrival and boarding labels to A (reached from SRC) where
 * that improves them.  1 when ready[b] became T (a zero-time chain that
 * may enable a connection already scanned at T). */
static int reach(struct rt_csa_ws *ws, struct scan *sc, uint32_t b, uint32_t a,
                 uint32_t ready_at, struct src src, uint32_t t) {
    int again = 0;
    mark(ws, b);
    if (a < ws->arr[b]) {
        ws->arr[b] = a;
        ws->arr_src[b] = src;
        if (ws->target[b] && a < sc->best) {
            sc->best = a;
            sc->best_stop = b;
        }
    }
    if (ready_at < ws->ready[b]) {
        ws->ready[b] = ready_at;
        if (ready_at < ws->gate[b]) {
            ws->gate[b] = ready_at;
            ws->opened |= ready_at <= t;
        }
        ws->ready_src[b] = src;
        again = ready_at == t;
    }
    return again;
}

/* Connection K of RUN (the index run_board is kept by), departing at DEP, was ridden
 * and improves varr[S] (its to stop) with its arrival ARR: set the labels of S and walk
 * its footpaths.  Takes the connection's fields, not the connection, so that the hot
 * scan need not read the 24-byte record.  Out of line: the scan's inner loop stays
 * small, and this runs for a small share of connections. 1 when it set a boarding label
 * to DEP (see reach). */
static __attribute__((noinline)) int alight(const struct rt_timetable *tt,
                                            struct rt_csa_ws *ws, struct scan *sc,
                                            uint32_t s, uint32_t dep, uint32_t arr,
                                            uint32_t run, uint32_t k) {
    uint32_t board = ws->run_board[run];
    mark(ws, s);
    ws->varr[s] = arr;
    if (arr < ws->gate[s]) {
        ws->gate[s] = arr;
        ws->opened |= arr <= dep;
    }
    struct src here = {k, board, RT_NONE};
    uint32_t ready_at =
        ws->no_change[s] ? INF : sat_add(arr, tt->stops[s].min_transfer);
    int again = reach(ws, sc, s, arr, ready_at, here, dep);
    uint32_t n;
    const struct rt_footpath *fp = rt_footpaths(tt, s, &n);
    for (uint32_t i = 0; i < n; i++) {
        if (tt->nforbidden && rt_transfer_forbidden(tt, s, fp[i].to)) continue;
        uint32_t a = sat_add(arr, fp[i].seconds);
        struct src walk = {k, board, s};
        again |= reach(ws, sc, fp[i].to, a, a, walk, dep);
    }
    return again;
}

/* Scan connection C, whose index is K (past tt->conns for an overlay's
 * side connection); BASE is run_gen << 16.  1 when it set a boarding label
 * to its own departure time (see reach).  Forced inline: it sits in the
 * inner loop of every scan, and a call per connection made the overlay
 * scan about 40% slower.
 *
 * Aboard when the run was boarded at or before this hop: its tag is in
 * [BASE, BASE + seq].  A rescan of one second's connections (see
 * rt_csa_earliest) may meet hops before the boarding point, and may board
 * there: the label keeps the board hop it was reached with, so journeys
 * never loop. */
static inline __attribute__((always_inline)) int
scan_conn(const struct rt_timetable *tt, struct rt_csa_ws *ws, struct scan *sc,
          const struct rt_connection *c, uint32_t k, uint32_t base) {
    uint32_t run = c->run;
    if (ws->run_tag[run] - base > c->seq) {
        if (!(c->flags & RT_CONN_PICKUP) || ws->ready[c->from] > c->dep) return 0;
        ws->run_tag[run] = base + c->seq;
        ws->run_board[run] = k;
    }
    if (!(c->flags & RT_CONN_DROPOFF) || c->arr >= ws->varr[c->to]) return 0;
    return alight(tt, ws, sc, c->to, c->dep, c->arr, run, k);
}

/* scan_conn over the hot arrays (rt_timetable), for connections departing
 * at T.  Most connections leave a stop not reached yet (gate > T) on a run
 * not boarded: those are passed over without reading the run's word, unless
 * RT_HOT_OPEN says the run may be aboard all the same.  The 24-byte record
 * is read only for a hop of RT_HOT_LONG seconds or more.  A connection that
 * allows no boarding has from = nstops, whose ready and gate stay INF; one
 * that allows no alighting has to = nstops + 1, whose varr stays 0.  HOT
 * holds the arrays the scan reads, in locals (as fields of tt and ws the
 * compiler reloaded them on every connection). */
struct hot {
    const uint32_t *rs;
    const uint16_t *from, *to, *dur;
    const uint32_t *gate, *ready, *varr;
    uint32_t *tag, *board;
    uint32_t base, mask, bits, nconns;
};

/* Connection K (departing at T, leaving stop FROM) passed the gate: read
 * its run word, maybe board, maybe alight. */
static inline __attribute__((always_inline)) int
scan_hot(const struct rt_timetable *tt, struct rt_csa_ws *ws, struct scan *sc,
         const struct hot *h, uint32_t k, uint32_t t, uint32_t from) {
    uint32_t rs = h->rs[k], run = rs & h->mask, seq = rs >> h->bits;
    if (h->tag[run] - h->base > seq) {
        if (h->ready[from] > t) return 0;
        h->tag[run] = h->base + seq;
        h->board[run] = k;
    }
    uint32_t d = h->dur[k], to = h->to[k];
    uint32_t arr = d != RT_HOT_LONG ? t + d : tt->conns[k].arr;
    if (arr >= h->varr[to]) return 0;
    return alight(tt, ws, sc, to, t, arr, run, k);
}

#define HOT_CHUNK 64
/* Connections ahead whose hot_from / hot_rs line is prefetched at each
 * second: 2 KB ahead in both (measured a little faster than none). */
#define HOT_AHEAD_FROM 1024
#define HOT_AHEAD_RS 512

/* Connections I .. E-1, all departing at T, over the hot arrays.  Those
 * passing the gate are listed first, without a branch (whether a stop was
 * reached is not predictable, and most connections fail), then scanned in
 * order.  When a scanned one opens a gate at T (a zero-time hop or
 * footpath), the list is made again from the next connection, so every
 * connection sees the labels the plain scan would show it. */
static inline __attribute__((always_inline)) int
scan_hot_range(const struct rt_timetable *tt, struct rt_csa_ws *ws, struct scan *sc,
               const struct hot *h, uint32_t i, uint32_t e, uint32_t t) {
    int again = 0;
    uint32_t pass[HOT_CHUNK];
    while (i < e) {
        uint32_t stop = e - i > HOT_CHUNK ? i + HOT_CHUNK : e, n = 0;
        if (i + HOT_AHEAD_FROM < h->nconns)
            __builtin_prefetch(h->from + i + HOT_AHEAD_FROM);
        if (i + HOT_AHEAD_RS < h->nconns) __builtin_prefetch(h->rs + i + HOT_AHEAD_RS);
        for (uint32_t k = i; k < stop; k++) {
            uint32_t f = h->from[k];
            pass[n] = k;
            n += h->gate[f] <= t;
        }
        i = stop;
        for (uint32_t m = 0; m < n; m++) {
            uint32_t k = pass[m];
            again |= scan_hot(tt, ws, sc, h, k, t, h->from[k] & ~RT_HOT_OPEN);
            if (__builtin_expect(ws->opened, 0)) {
                ws->opened = 0;
                i = k + 1;
                break;
            }
        }
    }
    return again;
}

/* Start a new query's labels: the previous query's stops back to INF, a
 * new run generation.  Returns run_gen << 16. */
static uint32_t next_gen(struct rt_csa_ws *ws) {
    for (uint32_t i = 0; i < ws->ntouched; i++) {
        uint32_t s = ws->touched[i];
        ws->arr[s] = ws->varr[s] = ws->ready[s] = ws->gate[s] = INF;
        ws->dirty[s] = 0;
    }
    ws->ntouched = 0;
    if (ws->last_target != RT_NONE) {
        uint32_t t = ws->last_target;
        ws->target[t] = 0;
        for (uint32_t i = ws->child_index[t]; i < ws->child_index[t + 1]; i++)
            ws->target[ws->children[i]] = 0;
        ws->last_target = RT_NONE;
    }
    if (++ws->run_gen > 0xffff) {
        memset(ws->run_tag, 0, (ws->nruns ? ws->nruns : 1) * sizeof(uint32_t));
        ws->run_gen = 1;
    }
    return ws->run_gen << 16;
}

/* Origin: stop O itself can be boarded from DEPART, and its footpaths
 * walked (no vehicle left, so no forbidden pair applies). */
static void start_at(const struct rt_timetable *tt, struct rt_csa_ws *ws,
                     struct scan *sc, uint32_t o, uint32_t depart) {
    struct src origin = {RT_NONE, RT_NONE, RT_NONE};
    reach(ws, sc, o, depart, depart, origin, depart);
    uint32_t n;
    const struct rt_footpath *fp = rt_footpaths(tt, o, &n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = sat_add(depart, fp[i].seconds);
        struct src walk = {RT_NONE, RT_NONE, o};
        reach(ws, sc, fp[i].to, a, a, walk, depart);
    }
}

/* Connection K: in tt->conns, or past them in the overlay's side array. */
static const struct rt_connection *conn_at(const struct rt_timetable *tt,
                                           const struct rt_ov_conn *side, uint32_t k) {
    return k < tt->nconns ? &tt->conns[k] : &side[k - tt->nconns].c;
}

static uint8_t dep_src(const struct rt_timetable *tt, const struct rt_ov_conn *side,
                       uint32_t k) {
    return k < tt->nconns ? RT_TIME_SCHEDULED : side[k - tt->nconns].dep_src;
}

static uint8_t arr_src(const struct rt_timetable *tt, const struct rt_ov_conn *side,
                       uint32_t k) {
    return k < tt->nconns ? RT_TIME_SCHEDULED : side[k - tt->nconns].arr_src;
}

/* Walk back from the target; with LEGS NULL only count.  Returns the number
 * of legs; writes leg j (from the start) when j < RT_CSA_MAX_LEGS.  SIDE:
 * the overlay's side array, or NULL. */
static uint32_t rebuild(const struct rt_timetable *tt, const struct rt_csa_ws *ws,
                        const struct rt_ov_conn *side, uint32_t depart, uint32_t stop,
                        uint32_t nlegs, struct rt_leg *legs) {
    uint32_t count = 0, guard = 2 * tt->nruns + 4;
    struct src l = ws->arr_src[stop];
    uint32_t at = ws->arr[stop];
    while (guard--) {
        if (l.via != RT_NONE) {
            if (legs && nlegs - 1 - count < RT_CSA_MAX_LEGS) {
                struct rt_leg *g = &legs[nlegs - 1 - count];
                g->kind = RT_LEG_WALK;
                g->from = l.via;
                g->to = stop;
                g->dep = l.conn == RT_NONE ? depart : conn_at(tt, side, l.conn)->arr;
                g->arr = at;
                g->run = g->board = g->alight = RT_NONE;
                /* A walk starts when the vehicle arrived; where it ends is
                 * at best an estimate. */
                g->dep_src =
                    l.conn == RT_NONE ? RT_TIME_SCHEDULED : arr_src(tt, side, l.conn);
                g->arr_src =
                    g->dep_src == RT_TIME_OBSERVED ? RT_TIME_ESTIMATED : g->dep_src;
            }
            count++;
            stop = l.via;
        }
        if (l.conn == RT_NONE) break;
        const struct rt_connection *a = conn_at(tt, side, l.conn);
        uint32_t b = l.board;
        if (legs && nlegs - 1 - count < RT_CSA_MAX_LEGS) {
            struct rt_leg *g = &legs[nlegs - 1 - count];
            g->kind = RT_LEG_RIDE;
            g->from = conn_at(tt, side, b)->from;
            g->to = a->to;
            g->dep = conn_at(tt, side, b)->dep;
            g->arr = a->arr;
            g->run = a->run;
            g->board = b;
            g->alight = l.conn;
            g->dep_src = dep_src(tt, side, b);
            g->arr_src = arr_src(tt, side, l.conn);
        }
        count++;
        stop = conn_at(tt, side, b)->from;
        l = ws->ready_src[stop];
        at = ws->ready[stop];
    }
    return count;
}

/* Start a query: 0, or -1 on a bad argument (OUT is then reset).  *BASE
 * gets the run generation's base (see scan_conn). */
static int begin(const struct rt_timetable *tt, struct rt_csa_ws *ws, struct scan *sc,
                 uint32_t from_stop, uint32_t to_stop, uint32_t depart,
                 struct rt_csa_result *out, uint32_t *base) {
    out->arrival = INF;
    out->target_stop = RT_NONE;
    out->nlegs = 0;
    out->truncated = 0;
    out->scanned = 0;
    out->arrival_src = RT_TIME_SCHEDULED;
    if (from_stop >= tt->nstops || to_stop >= tt->nstops || ws->tt != tt ||
        ws->nstops != tt->nstops || ws->nruns != tt->nruns)
        return -1;
    *base = next_gen(ws);
    sc->best = INF;
    sc->best_stop = RT_NONE;
    ws->last_target = to_stop;
    ws->target[to_stop] = 1;
    for (uint32_t i = ws->child_index[to_stop]; i < ws->child_index[to_stop + 1]; i++)
        ws->target[ws->children[i]] = 1;
    start_at(tt, ws, sc, from_stop, depart);
    for (uint32_t i = ws->child_index[from_stop]; i < ws->child_index[from_stop + 1];
         i++)
        start_at(tt, ws, sc, ws->children[i], depart);
    ws->opened = 0;
    return 0;
}

/* Finish a query: the journey into OUT; 0 reached, 1 not. */
static int finish(const struct rt_timetable *tt, const struct rt_csa_ws *ws,
                  const struct rt_ov_conn *side, const struct scan *sc, uint32_t depart,
                  uint32_t scanned, struct rt_csa_result *out) {
    out->scanned = scanned;
    if (sc->best == INF) return 1;
    out->arrival = sc->best;
    out->target_stop = sc->best_stop;
    uint32_t n = rebuild(tt, ws, side, depart, sc->best_stop, 0, NULL);
    out->nlegs = n < RT_CSA_MAX_LEGS ? n : RT_CSA_MAX_LEGS;
    out->truncated = n > RT_CSA_MAX_LEGS;
    rebuild(tt, ws, side, depart, sc->best_stop, n, out->legs);
    /* The last leg's arrival source, also when the legs were cut. */
    struct src l = ws->arr_src[sc->best_stop];
    if (l.conn != RT_NONE) {
        out->arrival_src = arr_src(tt, side, l.conn);
        if (l.via != RT_NONE && out->arrival_src == RT_TIME_OBSERVED)
            out->arrival_src = RT_TIME_ESTIMATED;
    }
    return 0;
}

int rt_csa_earliest(const struct rt_timetable *tt, struct rt_csa_ws *ws,
                    uint32_t from_stop, uint32_t to_stop, uint32_t depart,
                    struct rt_csa_result *out) {
    struct scan sc;
    uint32_t base;
    if (begin(tt, ws, &sc, from_stop, to_stop, depart, out, &base) != 0) return -1;

    if (tt->hot_rs) {
        /* The same scan over the hot arrays, a departure second at a time. */
        const struct rt_hot_sec *sec = tt->hot_sec;
        uint32_t nsec = tt->nhot_sec, scanned = 0;
        const struct hot h = {tt->hot_rs,
                              tt->hot_from,
                              tt->hot_to,
                              tt->hot_dur,
                              ws->gate,
                              ws->ready,
                              ws->varr,
                              ws->run_tag,
                              ws->run_board,
                              base,
                              rt_hot_run_mask(tt),
                              tt->hot_run_bits,
                              tt->nconns};
        for (uint32_t j = rt_hot_sec_first(tt, depart); j < nsec && sec[j].dep < sc.best; j++) {
            uint32_t t = sec[j].dep, i = sec[j].first, e = sec[j + 1].first;
            int again = scan_hot_range(tt, ws, &sc, &h, i, e, t);
            scanned += e - i;
            while (again) { /* as below */
                again = scan_hot_range(tt, ws, &sc, &h, i, e, t);
                scanned += e - i;
            }
        }
        return finish(tt, ws, NULL, &sc, depart, scanned, out);
    }

    const struct rt_connection *conns = tt->conns;
    uint32_t n = tt->nconns, i = rt_first_conn(tt, depart), scanned = 0;
    while (i < n && conns[i].dep < sc.best) {
        uint32_t t = conns[i].dep, k;
        int again = 0;
        for (k = i; k < n && conns[k].dep == t; k++) {
            if (k + PREFETCH_AHEAD < n)
                __builtin_prefetch(&ws->run_tag[conns[k + PREFETCH_AHEAD].run]);
            again |= scan_conn(tt, ws, &sc, &conns[k], k, base);
        }
        scanned += k - i;
        /* Connections departing at one second are scanned until nothing
         * changes: a zero-duration hop sorts by run, so it may reach a stop
         * after a connection leaving there at that second was scanned. */
        while (again) {
            again = 0;
            for (uint32_t m = i; m < k; m++)
                again |= scan_conn(tt, ws, &sc, &conns[m], m, base);
            scanned += k - i;
        }
        i = k;
    }
    return finish(tt, ws, NULL, &sc, depart, scanned, out);
}

int rt_csa_earliest_rt(const struct rt_timetable *tt, struct rt_overlay *ov,
                       struct rt_csa_ws *ws, uint32_t from_stop, uint32_t to_stop,
                       uint32_t depart, struct rt_csa_result *out) {
    if (!ov) return rt_csa_earliest(tt, ws, from_stop, to_stop, depart, out);
    struct scan sc;
    uint32_t base;
    if (begin(tt, ws, &sc, from_stop, to_stop, depart, out, &base) != 0) return -1;
    if (rt_overlay_timetable(ov) != tt || rt_overlay_prepare(ov) != 0) return -1;
    uint32_t ns;
    const struct rt_ov_conn *side = rt_overlay_side(ov, &ns);
    const uint8_t *skip = rt_overlay_touched(ov);

    /* Two sorted streams merged by departure second: tt->conns without the
     * runs the overlay changed, and the side array holding those runs at
     * their overlaid times.  All connections of one second, from both, are
     * scanned (and rescanned, as above) before the next second. */
    uint32_t i = rt_first_conn(tt, depart), j = rt_overlay_first_side(side, ns, depart),
             scanned = 0;
    for (;;) {
        /* Seconds before the next side connection: tt->conns alone, in a
         * loop as tight as the schedule-only one. */
        uint32_t ts = j < ns ? side[j].c.dep : INF, k, m;
        while (i < tt->nconns && tt->conns[i].dep < ts && tt->conns[i].dep < sc.best) {
            uint32_t t = tt->conns[i].dep;
            int again;
            do {
                again = 0;
                for (k = i; k < tt->nconns && tt->conns[k].dep == t; k++) {
                    if (k + PREFETCH_AHEAD < tt->nconns)
                        __builtin_prefetch(
                            &ws->run_tag[tt->conns[k + PREFETCH_AHEAD].run]);
                    if (skip[tt->conns[k].run]) continue;
                    again |= scan_conn(tt, ws, &sc, &tt->conns[k], k, base);
                    scanned++;
                }
            } while (again);
            i = k;
        }
        /* The second of the next side connection, from both streams. */
        if (ts >= sc.best) break; /* also the end of both: ts == INF */
        int again;
        do {
            again = 0;
            for (k = i; k < tt->nconns && tt->conns[k].dep == ts; k++) {
                if (skip[tt->conns[k].run]) continue;
                again |= scan_conn(tt, ws, &sc, &tt->conns[k], k, base);
                scanned++;
            }
            for (m = j; m < ns && side[m].c.dep == ts; m++) {
                again |= scan_conn(tt, ws, &sc, &side[m].c, tt->nconns + m, base);
                scanned++;
            }
        } while (again);
        i = k;
        j = m;
    }
    return finish(tt, ws, side, &sc, depart, scanned, out);
}
