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
 * the stop walked from), so a journey is rebuilt by walking back. */
#include "csa.h"

#include <stdlib.h>
#include <string.h>

#define INF UINT32_MAX

struct src {
    uint32_t conn;  /* index of the last hop ridden; RT_NONE: from the origin */
    uint32_t board; /* index of the first hop of that ride */
    uint32_t via;   /* stop a footpath started from, or RT_NONE */
};

struct rt_csa_ws {
    const struct rt_timetable *tt;
    uint32_t nstops, nruns;
    uint32_t gen;
    uint32_t *stop_gen, *arr, *varr, *ready, *target_gen;
    struct src *arr_src, *ready_src;
    uint32_t *run_gen, *run_board;
    uint16_t *run_board_seq;          /* seq of run_board's hop: read per hop,
                                       * kept here to avoid a cache miss into
                                       * the connection array */
    uint8_t *no_change;               /* transfer_type 3 from the stop to itself */
    uint32_t *child_index, *children; /* CSR: stops whose parent is the stop */
};

void rt_csa_ws_free(struct rt_csa_ws *ws) {
    if (!ws) return;
    free(ws->stop_gen);
    free(ws->arr);
    free(ws->varr);
    free(ws->ready);
    free(ws->target_gen);
    free(ws->arr_src);
    free(ws->ready_src);
    free(ws->run_gen);
    free(ws->run_board);
    free(ws->run_board_seq);
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
    ws->stop_gen = calloc(ns, sizeof(uint32_t));
    ws->target_gen = calloc(ns, sizeof(uint32_t));
    ws->arr = malloc(ns * sizeof(uint32_t));
    ws->varr = malloc(ns * sizeof(uint32_t));
    ws->ready = malloc(ns * sizeof(uint32_t));
    ws->arr_src = malloc(ns * sizeof(struct src));
    ws->ready_src = malloc(ns * sizeof(struct src));
    ws->run_gen = calloc(nr, sizeof(uint32_t));
    ws->run_board = malloc(nr * sizeof(uint32_t));
    ws->run_board_seq = malloc(nr * sizeof(uint16_t));
    ws->no_change = calloc(ns, 1);
    ws->child_index = calloc(ns + 1, sizeof(uint32_t));
    ws->children = malloc(ns * sizeof(uint32_t));
    if (!ws->stop_gen || !ws->target_gen || !ws->arr || !ws->varr || !ws->ready ||
        !ws->arr_src || !ws->ready_src || !ws->run_gen || !ws->run_board || !ws->run_board_seq ||
        !ws->no_change || !ws->child_index || !ws->children) {
        rt_csa_ws_free(ws);
        return NULL;
    }
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

/* Make stop S's labels current for this query (infinite until set). */
static void touch(struct rt_csa_ws *ws, uint32_t s) {
    if (ws->stop_gen[s] != ws->gen) {
        ws->stop_gen[s] = ws->gen;
        ws->arr[s] = ws->varr[s] = ws->ready[s] = INF;
    }
}

static int is_target(const struct rt_csa_ws *ws, uint32_t s) {
    return ws->target_gen[s] == ws->gen;
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
    touch(ws, b);
    if (a < ws->arr[b]) {
        ws->arr[b] = a;
        ws->arr_src[b] = src;
        if (is_target(ws, b) && a < sc->best) {
            sc->best = a;
            sc->best_stop = b;
        }
    }
    if (ready_at < ws->ready[b]) {
        ws->ready[b] = ready_at;
        ws->ready_src[b] = src;
        again = ready_at == t;
    }
    return again;
}

/* Scan connection C, whose index is K (past tt->conns for an overlay's
 * side connection).  1 when it set a boarding label to its own departure
 * time (see reach).  Forced inline: it sits in the inner loop of every
 * scan, and a call per connection made the overlay scan about 40% slower. */
static inline __attribute__((always_inline)) int
scan_conn(const struct rt_timetable *tt, struct rt_csa_ws *ws, struct scan *sc,
          const struct rt_connection *c, uint32_t k) {
    /* Aboard when the run was boarded at or before this hop.  A rescan of
     * one second's connections (see rt_csa_earliest) may meet hops before
     * the boarding point, and may board there: the label keeps the board
     * hop it was reached with, so journeys never loop. */
    if (ws->run_gen[c->run] != ws->gen ||
        ws->run_board_seq[c->run] > c->seq) {
        if (!(c->flags & RT_CONN_PICKUP)) return 0;
        touch(ws, c->from);
        if (ws->ready[c->from] > c->dep) return 0;
        ws->run_gen[c->run] = ws->gen;
        ws->run_board[c->run] = k;
        ws->run_board_seq[c->run] = c->seq;
    }
    if (!(c->flags & RT_CONN_DROPOFF)) return 0;
    uint32_t s = c->to;
    touch(ws, s);
    if (c->arr >= ws->varr[s]) return 0;
    ws->varr[s] = c->arr;
    struct src here = {k, ws->run_board[c->run], RT_NONE};
    uint32_t ready_at =
        ws->no_change[s] ? INF : sat_add(c->arr, tt->stops[s].min_transfer);
    int again = reach(ws, sc, s, c->arr, ready_at, here, c->dep);
    uint32_t n;
    const struct rt_footpath *fp = rt_footpaths(tt, s, &n);
    for (uint32_t i = 0; i < n; i++) {
        if (tt->nforbidden && rt_transfer_forbidden(tt, s, fp[i].to)) continue;
        uint32_t a = sat_add(c->arr, fp[i].seconds);
        struct src walk = {k, ws->run_board[c->run], s};
        again |= reach(ws, sc, fp[i].to, a, a, walk, c->dep);
    }
    return again;
}

/* Scan connection K of the schedule. */
static int scan_one(const struct rt_timetable *tt, struct rt_csa_ws *ws,
                    struct scan *sc, uint32_t k) {
    return scan_conn(tt, ws, sc, &tt->conns[k], k);
}

static void next_gen(struct rt_csa_ws *ws) {
    if (++ws->gen == 0) {
        memset(ws->stop_gen, 0, (ws->nstops ? ws->nstops : 1) * sizeof(uint32_t));
        memset(ws->target_gen, 0, (ws->nstops ? ws->nstops : 1) * sizeof(uint32_t));
        memset(ws->run_gen, 0, (ws->nruns ? ws->nruns : 1) * sizeof(uint32_t));
        ws->gen = 1;
    }
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

/* Start a query: 0, or -1 on a bad argument (OUT is then reset). */
static int begin(const struct rt_timetable *tt, struct rt_csa_ws *ws, struct scan *sc,
                 uint32_t from_stop, uint32_t to_stop, uint32_t depart,
                 struct rt_csa_result *out) {
    out->arrival = INF;
    out->target_stop = RT_NONE;
    out->nlegs = 0;
    out->truncated = 0;
    out->scanned = 0;
    out->arrival_src = RT_TIME_SCHEDULED;
    if (from_stop >= tt->nstops || to_stop >= tt->nstops || ws->tt != tt ||
        ws->nstops != tt->nstops || ws->nruns != tt->nruns)
        return -1;
    next_gen(ws);
    sc->best = INF;
    sc->best_stop = RT_NONE;
    ws->target_gen[to_stop] = ws->gen;
    for (uint32_t i = ws->child_index[to_stop]; i < ws->child_index[to_stop + 1]; i++)
        ws->target_gen[ws->children[i]] = ws->gen;
    start_at(tt, ws, sc, from_stop, depart);
    for (uint32_t i = ws->child_index[from_stop]; i < ws->child_index[from_stop + 1];
         i++)
        start_at(tt, ws, sc, ws->children[i], depart);
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
    if (begin(tt, ws, &sc, from_stop, to_stop, depart, out) != 0) return -1;

    uint32_t i = rt_first_conn(tt, depart), scanned = 0;
    while (i < tt->nconns && tt->conns[i].dep < sc.best) {
        uint32_t t = tt->conns[i].dep, k;
        int again;
        /* Connections departing at one second are scanned until nothing
         * changes: a zero-duration hop sorts by run, so it may reach a stop
         * after a connection leaving there at that second was scanned. */
        do {
            again = 0;
            for (k = i; k < tt->nconns && tt->conns[k].dep == t; k++) {
                again |= scan_one(tt, ws, &sc, k);
                scanned++;
            }
        } while (again);
        i = k;
    }
    return finish(tt, ws, NULL, &sc, depart, scanned, out);
}

int rt_csa_earliest_rt(const struct rt_timetable *tt, struct rt_overlay *ov,
                       struct rt_csa_ws *ws, uint32_t from_stop, uint32_t to_stop,
                       uint32_t depart, struct rt_csa_result *out) {
    if (!ov) return rt_csa_earliest(tt, ws, from_stop, to_stop, depart, out);
    struct scan sc;
    if (begin(tt, ws, &sc, from_stop, to_stop, depart, out) != 0) return -1;
    if (rt_overlay_timetable(ov) != tt || rt_overlay_prepare(ov) != 0) return -1;
    uint32_t ns;
    const struct rt_ov_conn *side = rt_overlay_side(ov, &ns);
    const uint8_t *skip = rt_overlay_touched(ov);

    /* Two sorted streams merged by departure second: tt->conns without the
     * runs the overlay changed, and the side array holding those runs at
     * their overlaid times.  All connections of one second, from both, are
     * scanned (and rescanned, as above) before the next second. */
    uint32_t i = rt_first_conn(tt, depart), j = rt_overlay_first_side(side, ns, depart), scanned = 0;
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
                    if (skip[tt->conns[k].run]) continue;
                    again |= scan_conn(tt, ws, &sc, &tt->conns[k], k);
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
                again |= scan_conn(tt, ws, &sc, &tt->conns[k], k);
                scanned++;
            }
            for (m = j; m < ns && side[m].c.dep == ts; m++) {
                again |= scan_conn(tt, ws, &sc, &side[m].c, tt->nconns + m);
                scanned++;
            }
        } while (again);
        i = k;
        j = m;
    }
    return finish(tt, ws, side, &sc, depart, scanned, out);
}
