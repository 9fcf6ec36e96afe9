/* routing/mc.c against a brute force written from THE RULES of
 * routing/mc.h alone, on thousands of small random freight feeds
 * (random_feed.h: GTFS text with per-trip modes over three service days,
 * loaded through rt_gtfs_load_memory) with random freight parameters (the
 * six CSV files generated as text and read by rt_freight_parse), random
 * customs territories and flags, hop and footpath km, and random queries.
 *
 * The brute force enumerates every journey over the model itself (the
 * generated trips, days and footpaths, not the timetable's connections):
 * from a state "cargo at stop s from time t, came by x, cleared in
 * territory T, k legs so far" every next leg is tried -- a ride on any run
 * of an allowed mode boarded at any position with pickup that the cargo
 * makes by NEED(s, x, m), left at any later position with drop-off; a
 * footpath when road is allowed and the last leg was not one -- and a leg
 * ending at a target stop is a journey, whose vector (available, legs,
 * cost, CO2e) is collected.  The continuations of a state depend on the
 * state only, so they are computed once per state (memoised) and kept as
 * a Pareto set: adding a prefix's legs, cost and CO2e to every vector keeps
 * dominance, and the scope (max_days, slack) only drops journeys later than
 * a bound, which a dominating journey never is.
 *
 * Checks, per query:
 *   - the set of criteria vectors of rt_mc_search equals the brute force's
 *     Pareto set (equal vectors once), and result.earliest its E;
 *   - every journey is consistent: legs chain from an origin stop to a
 *     target stop, rides ride one run with the flags honoured, each leg's
 *     ready time, NEED, customs dwell, km, cost and CO2e follow the rules,
 *     totals are the sums, available is arrival + dwell + release, and the
 *     journeys are sorted by q.order;
 *   - freight NULL: the earliest available time equals rt_csa_earliest's
 *     arrival (all modes, RT_MC_MAX_LEGS legs, when CSA's journey has no
 *     more legs than that); this also checks the brute force itself.
 *
 * MC_PROPERTY_ITERS / MC_PROPERTY_SEED run more or other feeds,
 * MC_PROPERTY_MAX_LEGS (1..8, default 4) allows longer journeys, and
 * MC_PROPERTY_DUMP=N (or "all") prints the queries of iteration N.  A
 * mismatch prints the seed, the iteration, the feed text, the freight
 * files and both sets. */
#include "routing/csa.h"
#include "routing/freight.h"
#include "routing/gtfs.h"
#include "routing/mc.h"

#include "geodata/nodes.h"

#include "random_feed.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS RF_NS
#define NT RF_NT
#define NP RF_NP
#define ND RF_ND
#define NM RT_FMODE_COUNT
#define FOOT RT_MC_FOOT
#define ORIGIN RT_MC_ORIGIN
#define DAY 86400L

/* ---- the model's freight facts ------------------------------------------ */

/* Everything the rules read, per model stop, from the freight lookups (all
 * 0 without freight). */
/* A real-time overlay over the model: per run (trip, day) cancelled, or
 * delayed by DELAY seconds from position FROM on (both times, so every
 * later stop too), and SKIP a position where it does not stop (-1: none). */
struct ovmodel {
    int on;
    int cancel[NT][ND], from[NT][ND], skip[NT][ND];
    long delay[NT][ND];
};

struct facts {
    const struct rf_feed *f;
    const struct rt_freight *fr; /* NULL: no freight */
    const struct rt_freight_override *o;
    const struct ovmodel *ov; /* NULL: the schedule */
    int32_t handling[NS][NM][NM], cutoff[NS][NM], release[NS][NM], customs[NS][NM];
    int territory[NS];
    double weight, teu;
    unsigned modes; /* allowed, never 0 here */
    int max_legs;
};

static void facts_init(struct facts *x, const struct rf_feed *f,
                       const struct rt_freight *fr, const struct rt_freight_override *o,
                       const struct ovmodel *ov, int use_territories) {
    char code[16];
    memset(x, 0, sizeof(*x));
    x->f = f;
    x->fr = fr;
    x->o = o;
    x->ov = ov && ov->on ? ov : NULL;
    for (int s = 0; s < f->nstops; s++) {
        rf_stop_id(f, s, code, sizeof(code));
        x->territory[s] = use_territories ? f->territory[s] : 0;
        if (fr == NULL) continue;
        for (int a = 0; a < NM; a++) {
            for (int b = 0; b < NM; b++)
                x->handling[s][a][b] = rt_freight_handling(fr, code, (enum rt_fmode)a,
                                                           (enum rt_fmode)b, o);
            x->cutoff[s][a] = rt_freight_cutoff(fr, code, (enum rt_fmode)a, o);
            x->release[s][a] = rt_freight_release(fr, code, (enum rt_fmode)a, o);
            x->customs[s][a] = use_territories
                                   ? rt_freight_customs_dwell(fr, code, f->customs[s],
                                                              (enum rt_fmode)a, o)
                                   : 0;
        }
    }
}

static int64_t leg_cost(const struct facts *x, int mode, double km) {
    if (x->fr == NULL) return 0;
    double c = rt_freight_cost(x->fr, (enum rt_fmode)mode, km, x->weight, x->teu, x->o);
    cr_assert_geq(c, 0);
    return llround(100 * c);
}

static int64_t leg_co2(const struct facts *x, int mode, double km) {
    if (x->fr == NULL) return 0;
    double c = rt_freight_co2e_kg(x->fr, (enum rt_fmode)mode, km, x->weight, x->o);
    cr_assert_geq(c, 0);
    return llround(1000 * c);
}

static long max2(long a, long b) {
    return a > b ? a : b;
}

/* NEED(s, x, m) of THE RULES, or -1 when the change is impossible: the
 * cut-off from the origin; after a footpath the larger of handling from
 * road and the cut-off; after a ride the larger of handling and the
 * stop's min_transfer, and at least the cut-off after a road ride. */
static long need(const struct facts *x, int s, int came, int m) {
    if (came == ORIGIN) return x->cutoff[s][m];
    if (came == FOOT) return max2(x->handling[s][RT_FMODE_ROAD][m], x->cutoff[s][m]);
    if (x->f->nochange[s]) return -1;
    long h = max2(x->handling[s][came][m], x->f->mt[s]);
    return came == RT_FMODE_ROAD ? max2(h, x->cutoff[s][m]) : h;
}

static int member(int q, int s) {
    return q == NS ? s < 2 : s == q;
}

/* ---- Pareto sets of criteria vectors ------------------------------------ */

struct vec {
    int64_t avail, cost, co2;
    int legs;
};

static int dom_eq(const struct vec *a, const struct vec *b) {
    return a->avail <= b->avail && a->legs <= b->legs && a->cost <= b->cost &&
           a->co2 <= b->co2;
}

static int vec_eq(const struct vec *a, const struct vec *b) {
    return a->avail == b->avail && a->legs == b->legs && a->cost == b->cost &&
           a->co2 == b->co2;
}

#define SETCAP 2048

struct vset {
    int n;
    struct vec v[SETCAP];
};

static void set_add(struct vset *s, struct vec v) {
    int k = 0;
    for (int i = 0; i < s->n; i++)
        if (dom_eq(&s->v[i], &v)) return;
    for (int i = 0; i < s->n; i++)
        if (!dom_eq(&v, &s->v[i])) s->v[k++] = s->v[i];
    s->n = k;
    cr_assert_lt(s->n, SETCAP, "brute force: Pareto set too large");
    s->v[s->n++] = v;
}

/* ---- the brute force ---------------------------------------------------- */

/* Memo of the continuations of a state, as a slice of the arena. */
#define MEMO_BITS 16
#define ARENA (1 << 19)

static struct memo {
    int64_t t;
    uint32_t gen;
    uint8_t s, came, terr, k;
    int first, n;
} memo[1 << MEMO_BITS];
static uint32_t memo_gen, memo_used;
static struct vec arena[ARENA];
static int arena_n;
static struct vset work[RT_MC_MAX_LEGS + 1];

struct bq {
    const struct facts *x;
    int to;
    int64_t horizon; /* nothing available after this is in scope */
};

static void cont(const struct bq *q, int s, int64_t t, int came, int terr, int k,
                 int *first, int *n);

/* Leg of MODE (FOOT: a footpath) arriving at stop B at time A with KM,
 * taken from a state with K legs so far, cleared in TERR: add the journeys
 * it ends and those that continue from it to SET. */
static void after_leg(const struct bq *q, struct vset *set, int b, int64_t a, int mode,
                      double km, int terr, int k) {
    const struct facts *x = q->x;
    int m = mode == FOOT ? RT_FMODE_ROAD : mode;
    int64_t at = a;
    int nterr = terr;
    if (x->territory[b] != terr) {
        at += x->customs[b][m];
        nterr = x->territory[b];
    }
    if (at > q->horizon) return;
    int64_t cost = leg_cost(x, m, km), co2 = leg_co2(x, m, km);
    if (member(q->to, b)) {
        struct vec v = {at + x->release[b][m], cost, co2, 1};
        if (v.avail <= q->horizon) set_add(set, v);
    }
    if (k + 1 >= x->max_legs) return;
    int first, n;
    cont(q, b, at, mode, nterr, k + 1, &first, &n);
    for (int i = 0; i < n; i++) {
        struct vec v = arena[first + i];
        v.legs += 1;
        v.cost += cost;
        v.co2 += co2;
        set_add(set, v);
    }
}

/* The Pareto set of the continuations (one leg or more, ending at the
 * target) of cargo at S from T, came by CAME, cleared in TERR, K legs so
 * far: arena[*first .. + *n). */
static void cont(const struct bq *q, int s, int64_t t, int came, int terr, int k,
                 int *first, int *n) {
    const struct facts *x = q->x;
    const struct rf_feed *f = x->f;
    uint64_t h = (uint64_t)t * 0x9e3779b97f4a7c15ULL ^
                 ((uint64_t)s << 1 | (uint64_t)came << 8 | (uint64_t)terr << 12 |
                  (uint64_t)k << 16) *
                     0xbf58476d1ce4e5b9ULL;
    uint32_t i = (uint32_t)(h >> (64 - MEMO_BITS));
    for (;; i = (i + 1) & ((1u << MEMO_BITS) - 1)) {
        struct memo *e = &memo[i];
        if (e->gen != memo_gen) break;
        if (e->t == t && e->s == s && e->came == came && e->terr == terr && e->k == k) {
            *first = e->first;
            *n = e->n;
            return;
        }
    }
    struct vset *set = &work[k];
    set->n = 0;
    /* Rides. */
    for (int j = 0; j < f->ntrips; j++) {
        int m = f->trip[j].fmode;
        if (m == RF_UNUSABLE || !(x->modes & (1u << m))) continue;
        long nd = need(x, s, came, m);
        if (nd < 0) continue;
        for (int d = 0; d < ND; d++) {
            if (!(f->trip[j].days & (1u << d))) continue;
            const struct ovmodel *ov = x->ov;
            if (ov && ov->cancel[j][d]) continue;
            int skip = ov ? ov->skip[j][d] : -1, from = ov ? ov->from[j][d] : NP;
            long delay = ov ? ov->delay[j][d] : 0;
            for (int p = 0; p + 1 < f->trip[j].n; p++) {
                if (f->trip[j].stop[p] != s || !f->trip[j].pick[p] || p == skip)
                    continue;
                if (t + nd > d * DAY + f->trip[j].dep[p] + (p >= from ? delay : 0))
                    continue;
                double km = 0;
                for (int r = p + 1; r < f->trip[j].n; r++) {
                    km += f->trip[j].km[r - 1];
                    if (!f->trip[j].drop[r] || r == skip) continue;
                    after_leg(q, set, f->trip[j].stop[r],
                              d * DAY + f->trip[j].arr[r] + (r >= from ? delay : 0), m,
                              km, terr, k);
                }
            }
        }
    }
    /* Footpaths: road legs, never two in a row, never a forbidden pair
     * after a ride. */
    if (came != FOOT && (x->modes & (1u << RT_FMODE_ROAD)))
        for (int b = 0; b < f->nstops; b++) {
            if (b == s || f->foot[s][b] < 0) continue;
            if (came != ORIGIN && f->forb[s][b]) continue;
            int64_t start =
                came == ORIGIN ? t : t + x->handling[s][came][RT_FMODE_ROAD];
            after_leg(q, set, b, start + f->foot[s][b], FOOT, f->foot_km[s][b], terr,
                      k);
        }
    cr_assert_leq(arena_n + set->n, ARENA, "brute force: arena full");
    *first = arena_n;
    *n = set->n;
    memcpy(&arena[arena_n], set->v, (size_t)set->n * sizeof(set->v[0]));
    arena_n += set->n;
    /* The recursion may have filled the slot found above: probe again. */
    while (memo[i].gen == memo_gen)
        i = (i + 1) & ((1u << MEMO_BITS) - 1);
    cr_assert_lt(++memo_used, (3u << MEMO_BITS) / 4, "brute force: memo full");
    struct memo *e = &memo[i];
    e->gen = memo_gen;
    e->t = t;
    e->s = (uint8_t)s;
    e->came = (uint8_t)came;
    e->terr = (uint8_t)terr;
    e->k = (uint8_t)k;
    e->first = *first;
    e->n = *n;
}

/* THE RULES' answer for FROM -> TO leaving at DEPART (model seconds), in
 * OUT; *earliest gets E, or -1 when nothing is in scope. */
static void brute(const struct facts *x, int from, int to, int64_t depart, int max_days,
                  double slack_factor, uint32_t slack_s, struct vset *out,
                  int64_t *earliest) {
    static struct vset all;
    struct bq q = {x, to, depart + (int64_t)(max_days ? max_days : 90) * DAY};
    memo_gen++;
    memo_used = 0;
    arena_n = 0;
    all.n = 0;
    for (int o = 0; o < x->f->nstops; o++) {
        if (!member(from, o)) continue;
        int first, n;
        cont(&q, o, depart, ORIGIN, x->territory[o], 0, &first, &n);
        for (int i = 0; i < n; i++)
            set_add(&all, arena[first + i]);
    }
    int64_t e = INT64_MAX;
    for (int i = 0; i < all.n; i++)
        if (all.v[i].avail < e) e = all.v[i].avail;
    out->n = 0;
    *earliest = e == INT64_MAX ? -1 : e;
    if (e == INT64_MAX) return;
    if (slack_factor == 0 && slack_s == 0) {
        slack_factor = 2;
        slack_s = DAY;
    }
    /* Factors are 1, 1.5, 2 or 3 and times whole seconds: exact in a
     * double; a half second past a whole one is out. */
    double slack =
        slack_factor < 0
            ? INFINITY
            : (double)depart + slack_factor * (double)(e - depart) + (double)slack_s;
    for (int i = 0; i < all.n; i++)
        if ((double)all.v[i].avail <= slack) out->v[out->n++] = all.v[i];
}

/* ---- random freight parameters ------------------------------------------ */

static struct rf_text ftext[RT_FREIGHT_FILE_COUNT];

/* A random time in hours for unit K (the feed's time scale in minutes):
 * mostly a few units, sometimes zero, sometimes up to a day. */
static double rand_hours(long k) {
    int r = rf_pick(10);
    long secs = r < 3 ? 0 : r < 8 ? rf_pick(5) * k * 60 : rf_pick(25) * 3600L;
    return secs / 3600.0;
}

/* May node rows for release name stop S?  Not the station's stops: which
 * of them "the target" is would be a question of its own. */
static int node_ok(const struct rf_feed *f, int s, int release) {
    return !(release && f->station && (s < 2 || s == NS));
}

static void node_code(const struct rf_feed *f, int s, char *buf, size_t n) {
    rf_stop_id(f, s, buf, n);
}

/* Random freight files for feed F with time unit K into FR. */
static void make_freight(const struct rf_feed *f, long k, struct rt_freight *fr) {
    static const char *const mn[] = {"sea", "river", "rail", "air", "road"};
    char err[256], code[16];
    for (int i = 0; i < RT_FREIGHT_FILE_COUNT; i++)
        ftext[i].len = 0;
    struct rf_text *h = &ftext[RT_FREIGHT_HANDLING], *c = &ftext[RT_FREIGHT_CUTOFFS],
                *r = &ftext[RT_FREIGHT_RELEASE], *u = &ftext[RT_FREIGHT_CUSTOMS],
                *t = &ftext[RT_FREIGHT_TARIFFS], *e = &ftext[RT_FREIGHT_EMISSIONS];
    rf_add(h, "node,from_mode,to_mode,min_handling_h,source\n");
    rf_add(c, "node,mode,cutoff_h,source\n");
    rf_add(r, "node,mode,release_h,source\n");
    rf_add(u, "node,applies_at,mode,dwell_h,source\n");
    rf_add(t, "mode,currency,per_shipment_usd,per_kg_usd,per_kg_km_usd,per_teu_usd,"
           "per_teu_km_usd,source\n");
    rf_add(e, "mode,variant,is_default,kg_co2e_per_tkm,scope,source\n");
    /* A third of the tables price every mode dear and emit much: a query
     * override can then go below anything in the data. */
    int dear = rf_pick(3) == 0;
    for (int a = 0; a < NM; a++) {
        for (int b = 0; b < NM; b++)
            if (rf_pick(4)) rf_add(h, ",%s,%s,%.6f,x\n", mn[a], mn[b], rand_hours(k));
        if (rf_pick(4)) rf_add(c, ",%s,%.6f,x\n", mn[a], rand_hours(k));
        if (rf_pick(4)) rf_add(r, ",%s,%.6f,x\n", mn[a], rand_hours(k));
        if (rf_pick(2)) rf_add(u, ",border,%s,%.6f,x\n", mn[a], rand_hours(k));
        if (rf_pick(2)) rf_add(u, ",port_of_entry,%s,%.6f,x\n", mn[a], rand_hours(k));
        if (rf_pick(3))
            rf_add(t, "%s,USD,%d,%.3f,%.6f,%d,%.2f,x\n", mn[a], rf_pick(300) + dear * 500,
                rf_pick(50) / 1000.0, (rf_pick(100) + dear * 200) / 1e6,
                rf_pick(400) + dear * 500, rf_pick(100) / 100.0 + dear);
        else
            rf_add(t, "%s,USD,%d,%.3f,%.6f,,,x\n", mn[a], rf_pick(300) + dear * 500,
                rf_pick(50) / 1000.0, (rf_pick(100) + dear * 200) / 1e6);
        rf_add(e, "%s,v,1,%.4f,WTW,x\n", mn[a], (rf_pick(1000) + dear * 1000) / 1000.0);
    }
    /* Node rows, each key once: per stop a few random (mode) picks. */
    for (int s = 0; s <= NS; s++) {
        if (s < NS ? s >= f->nstops : !f->station) continue;
        node_code(f, s, code, sizeof(code));
        int used_h = 0, used = 0;
        for (int i = rf_pick(3); i > 0; i--) {
            int a = rf_pick(NM), b = rf_pick(NM);
            if (used_h & (1 << (a * NM + b))) continue;
            used_h |= 1 << (a * NM + b);
            rf_add(h, "%s,%s,%s,%.6f,x\n", code, mn[a], mn[b], rand_hours(k));
        }
        for (int i = rf_pick(4); i > 0; i--) {
            int which = rf_pick(3), a = rf_pick(NM);
            if (used & (1 << (which * NM + a))) continue;
            if (which == 1 && !node_ok(f, s, 1)) continue;
            used |= 1 << (which * NM + a);
            rf_add(which == 0   ? c
                : which == 1 ? r
                             : u,
                which == 2 ? "%s,,%s,%.6f,x\n" : "%s,%s,%.6f,x\n", code, mn[a],
                rand_hours(k));
        }
    }
    rt_freight_init(fr);
    for (int i = 0; i < RT_FREIGHT_FILE_COUNT; i++)
        cr_assert_eq(rt_freight_parse(fr, (enum rt_freight_file)i, ftext[i].s,
                                      ftext[i].len,
                                      rt_freight_file_name((enum rt_freight_file)i),
                                      err, sizeof(err)),
                     0, "%s\n%s", err, ftext[i].s);
}

/* ---- the feed in the timetable ------------------------------------------ */

static uint32_t idx[NS + 1]; /* timetable stop of each model place */
static int model_of[64];     /* model stop of each timetable stop, -1 */
static int trip_of[NT];      /* model trip of each timetable trip */

static void map_feed(const struct rf_feed *f, const struct rt_timetable *tt) {
    rf_map_stops(f, tt, idx, model_of);
    cr_assert_eq(tt->ntrips, (uint32_t)f->ntrips);
    for (uint32_t t = 0; t < tt->ntrips; t++) {
        const char *id_t = rt_str(tt, tt->trips[t].id);
        cr_assert_eq(id_t[0], 't');
        trip_of[t] = (int)strtol(id_t + 1, NULL, 10);
        cr_assert_eq(tt->trips[t].nstops, (uint32_t)f->trip[trip_of[t]].n);
    }
}

/* The net's inputs from the model.  NULL arrays stand for 0 km where every
 * stop is at one place, and for the route modes where no trip is river. */
static int build_net(struct rt_mc_net *net, const struct rf_feed *f,
                     const struct rt_timetable *tt, const struct rt_freight *fr,
                     int with_km, int with_modes, int with_stops) {
    static struct rt_mc_stop_in st[64];
    static uint8_t tm[NT];
    static double hop[NT * NP], fk[NS * NS];
    for (uint32_t s = 0; s < tt->nstops; s++) {
        int q = model_of[s] >= 0 ? model_of[s] : NS;
        st[s].territory = (uint16_t)f->territory[q];
        st[s].customs_flags = f->customs[q];
    }
    for (uint32_t t = 0; t < tt->ntrips; t++) {
        int j = trip_of[t];
        tm[t] = (uint8_t)f->trip[j].fmode;
        for (uint32_t p = 0; p < tt->trips[t].nstops; p++)
            hop[tt->trips[t].first_stop_time + p] = f->trip[j].km[p];
    }
    cr_assert_leq(tt->nstop_times, NT * NP);
    for (uint32_t i = 0; i < tt->nfoot; i++) {
        int a = model_of[tt->foot[i].from], b = model_of[tt->foot[i].to];
        cr_assert(a >= 0 && b >= 0 && f->foot[a][b] >= 0,
                  "footpath %u not in the model", i);
        fk[i] = f->foot_km[a][b];
    }
    return rt_mc_net_build(net, tt, fr, with_stops ? st : NULL, with_modes ? tm : NULL,
                           with_km ? hop : NULL, with_km ? fk : NULL);
}

/* ---- checking one answer ------------------------------------------------ */

/* The overlay's side array of the query being checked (NULL: none). */
static const struct rt_ov_conn *side;
static uint32_t nside;
static uint32_t scan_end; /* the answer's scan_end */

static const struct rt_connection *conn_of(const struct rt_timetable *tt, uint32_t i) {
    if (i < tt->nconns) return &tt->conns[i];
    cr_assert(side != NULL && i - tt->nconns < nside, "connection %u out of range", i);
    return &side[i - tt->nconns].c;
}

static uint8_t src_of(const struct rt_timetable *tt, uint32_t i, int dep) {
    if (i < tt->nconns) return RT_TIME_SCHEDULED;
    return dep ? side[i - tt->nconns].dep_src : side[i - tt->nconns].arr_src;
}

static uint64_t cur_seed;
static long cur_iter;

static void dump_facts(const struct facts *x) {
    const struct rf_feed *f = x->f;
    fprintf(stderr, "stops (territory, customs flags):");
    for (int s = 0; s < f->nstops; s++)
        fprintf(stderr, " %d:(%d,%#x)", s, x->territory[s], f->customs[s]);
    fprintf(stderr, "\n");
    const struct rt_freight_override *o = x->o;
    if (o == NULL) return;
    fprintf(stderr, "override:");
    for (int a = 0; a < NM; a++) {
        for (int b = 0; b < NM; b++)
            if (o->handling_s[a][b] >= 0)
                fprintf(stderr, " handling %s->%s %d", rt_fmode_name((enum rt_fmode)a),
                        rt_fmode_name((enum rt_fmode)b), o->handling_s[a][b]);
        const char *m = rt_fmode_name((enum rt_fmode)a);
        if (o->cutoff_s[a] >= 0) fprintf(stderr, " cutoff %s %d", m, o->cutoff_s[a]);
        if (o->release_s[a] >= 0) fprintf(stderr, " release %s %d", m, o->release_s[a]);
        if (o->customs_s[a] >= 0) fprintf(stderr, " customs %s %d", m, o->customs_s[a]);
        if (o->kg_co2e_per_tkm[a] >= 0)
            fprintf(stderr, " co2e %s %g", m, o->kg_co2e_per_tkm[a]);
        if (o->tariff[a].set)
            fprintf(stderr, " tariff %s (%d: %g %g %g %g %g)", m, o->tariff[a].has_teu,
                    o->tariff[a].per_shipment_usd, o->tariff[a].per_kg_usd,
                    o->tariff[a].per_kg_km_usd, o->tariff[a].per_teu_usd,
                    o->tariff[a].per_teu_km_usd);
    }
    fprintf(stderr, "\n");
}

static void dump_sets(const char *what, const struct rt_timetable *tt,
                      const struct vset *want, const struct rt_mc_result *res,
                      int64_t ref) {
    fprintf(stderr, "mc_property: %s (seed %llu, iteration %ld)\n", what,
            (unsigned long long)cur_seed, cur_iter);
    fprintf(stderr, "trips.txt:\n%sstop_times.txt:\n%stransfers.txt:\n%s",
            rf_trips_text(), rf_stop_times_text(), rf_transfers_text());
    for (int i = 0; i < RT_FREIGHT_FILE_COUNT; i++)
        fprintf(stderr, "%s:\n%s", rt_freight_file_name((enum rt_freight_file)i),
                ftext[i].s);
    fprintf(stderr,
            "brute force (available after the day-0 reference, legs, cents, g):\n");
    for (int i = 0; i < want->n; i++)
        fprintf(stderr, "  %lld %d %lld %lld\n", (long long)want->v[i].avail,
                want->v[i].legs, (long long)want->v[i].cost, (long long)want->v[i].co2);
    fprintf(stderr, "rt_mc_search (%u, earliest %lld):\n", res->n,
            res->earliest == UINT32_MAX ? -1LL : (long long)(res->earliest - ref));
    for (uint32_t i = 0; i < res->n; i++) {
        const struct rt_mc_journey *j = &res->j[i];
        fprintf(stderr, "  %lld %u %lld %lld:", (long long)(j->available - ref),
                j->nlegs, (long long)j->cost_cents, (long long)j->co2e_g);
        for (uint32_t l = 0; l < j->nlegs && l < RT_MC_MAX_LEGS; l++) {
            const struct rt_mc_leg *g = &j->legs[l];
            int a = model_of[g->leg.from], b = model_of[g->leg.to];
            if (g->foot != RT_NONE)
                fprintf(stderr, " [foot %d->%d %lld-%lld]", a, b,
                        (long long)(g->leg.dep - ref), (long long)(g->leg.arr - ref));
            else
                fprintf(stderr, " [t%d %s %d->%d %lld-%lld]",
                        g->leg.run < tt->nruns ? trip_of[tt->runs[g->leg.run].trip]
                                               : -1,
                        rt_fmode_name((enum rt_fmode)g->mode), a, b,
                        (long long)(g->leg.dep - ref), (long long)(g->leg.arr - ref));
        }
        fprintf(stderr, "\n");
    }
}

static int before(const struct rt_mc_journey *a, const struct rt_mc_journey *b,
                  int order) {
    int64_t ka[4], kb[4];
    if (order == RT_MC_BY_TIME) {
        int64_t x[4] = {a->available, a->nlegs, a->cost_cents, a->co2e_g},
                y[4] = {b->available, b->nlegs, b->cost_cents, b->co2e_g};
        memcpy(ka, x, sizeof(ka));
        memcpy(kb, y, sizeof(kb));
    } else if (order == RT_MC_BY_COST) {
        int64_t x[4] = {a->cost_cents, a->available, a->co2e_g, a->nlegs},
                y[4] = {b->cost_cents, b->available, b->co2e_g, b->nlegs};
        memcpy(ka, x, sizeof(ka));
        memcpy(kb, y, sizeof(kb));
    } else {
        int64_t x[4] = {a->co2e_g, a->available, a->cost_cents, a->nlegs},
                y[4] = {b->co2e_g, b->available, b->cost_cents, b->nlegs};
        memcpy(ka, x, sizeof(ka));
        memcpy(kb, y, sizeof(kb));
    }
    for (int i = 0; i < 4; i++)
        if (ka[i] != kb[i]) return ka[i] < kb[i];
    return 0;
}

/* Journey J of the answer to a query FROM -> TO at DEPART (timetable
 * seconds) follows THE RULES leg by leg. */
static void check_journey(const struct facts *x, const struct rt_timetable *tt,
                          const struct rt_mc_net *net, const struct rt_mc_journey *j,
                          int from, int to, uint32_t depart, int ji) {
    const struct rf_feed *f = x->f;
    cr_assert(j->nlegs >= 1 && (int)j->nlegs <= x->max_legs, "journey %d: %u legs", ji,
              j->nlegs);
    int at = model_of[j->legs[0].leg.from];
    cr_assert(at >= 0 && member(from, at), "journey %d starts at %d", ji, at);
    int came = ORIGIN, terr = x->territory[at];
    uint32_t ready = depart;
    int64_t cost = 0, co2 = 0;
    double km = 0;
    for (uint32_t l = 0; l < j->nlegs; l++) {
        const struct rt_mc_leg *g = &j->legs[l];
        int a = model_of[g->leg.from], b = model_of[g->leg.to];
        cr_assert_eq(a, at, "journey %d leg %u starts elsewhere", ji, l);
        cr_assert(b >= 0);
        /* A footpath that starts the journey before a ride leaves as late
         * as it can (mc.h, struct rt_mc_leg); its ready time may say the
         * query's or that departure. */
        if (l == 0 && g->foot != RT_NONE)
            cr_assert(g->ready == ready || g->ready == g->leg.dep,
                      "journey %d leg 0: ready %u, want %u or %u", ji, g->ready, ready,
                      g->leg.dep);
        else
            cr_assert_eq(g->ready, ready, "journey %d leg %u: ready %u, want %u", ji, l,
                         g->ready, ready);
        double lkm;
        int m;
        if (g->foot != RT_NONE) {
            cr_assert_eq(g->leg.kind, RT_LEG_WALK);
            cr_assert_lt(g->foot, tt->nfoot);
            cr_assert_eq(g->leg.run, RT_NONE);
            cr_assert_eq(tt->foot[g->foot].from, g->leg.from);
            cr_assert_eq(tt->foot[g->foot].to, g->leg.to);
            cr_assert_eq(g->mode, RT_FMODE_ROAD);
            cr_assert_neq(came, FOOT, "journey %d leg %u: two footpaths", ji, l);
            cr_assert(x->modes & (1u << RT_FMODE_ROAD));
            if (came != ORIGIN) cr_assert(!f->forb[a][b]);
            int64_t start = came == ORIGIN
                                ? ready
                                : ready + (int64_t)x->handling[a][came][RT_FMODE_ROAD];
            if (came == ORIGIN && l + 1 < j->nlegs) {
                /* As late as the next ride allows: its departure less NEED
                 * after a footpath, the customs dwell at B and the walk. */
                const struct rt_mc_leg *n = &j->legs[l + 1];
                int32_t dw = x->territory[b] != terr ? x->customs[b][RT_FMODE_ROAD] : 0;
                long nd = n->foot == RT_NONE ? need(x, b, FOOT, n->mode) : 0;
                start = (int64_t)n->leg.dep - nd - dw - f->foot[a][b];
                cr_assert_geq(start, (int64_t)ready,
                              "journey %d: ride after the first footpath "
                              "is missed",
                              ji);
            }
            cr_assert_eq((int64_t)g->leg.dep, start,
                         "journey %d leg %u: footpath starts %u, want %lld", ji, l,
                         g->leg.dep, (long long)start);
            cr_assert_eq(g->leg.arr, g->leg.dep + (uint32_t)f->foot[a][b]);
            lkm = f->foot_km[a][b];
            m = RT_FMODE_ROAD;
            came = FOOT;
        } else {
            cr_assert_eq(g->leg.kind, RT_LEG_RIDE);
            const struct rt_connection *c0 = conn_of(tt, g->leg.board),
                                       *c1 = conn_of(tt, g->leg.alight);
            cr_assert_eq(c0->run, g->leg.run);
            cr_assert_eq(c1->run, g->leg.run);
            cr_assert_leq(c0->seq, c1->seq);
            cr_assert(c0->flags & RT_CONN_PICKUP);
            cr_assert(c1->flags & RT_CONN_DROPOFF);
            cr_assert_eq(c0->from, g->leg.from);
            cr_assert_eq(c1->to, g->leg.to);
            cr_assert_eq(c0->dep, g->leg.dep);
            cr_assert_eq(c1->arr, g->leg.arr);
            cr_assert_lt(c1->dep, scan_end,
                         "journey %d leg %u: a hop departing at %u, after "
                         "scan_end %u",
                         ji, l, c1->dep, scan_end);
            uint32_t trip = tt->runs[g->leg.run].trip, day = tt->runs[g->leg.run].day;
            int mj = trip_of[trip];
            cr_assert_lt(day, ND);
            /* Overlaid times carry their sources: estimated from the
             * delayed position on, scheduled before it. */
            const struct ovmodel *ov = x->ov;
            int from_p = ov ? ov->from[mj][day] : NP;
            cr_assert(!ov || !ov->cancel[mj][day], "journey %d leg %u: a cancelled run",
                      ji, l);
            cr_assert(!ov || (ov->skip[mj][day] != c0->seq &&
                              ov->skip[mj][day] != c1->seq + 1),
                      "journey %d leg %u: boards or alights at a skipped stop", ji, l);
            cr_assert_eq(g->leg.dep_src,
                         c0->seq >= from_p ? RT_TIME_ESTIMATED : RT_TIME_SCHEDULED,
                         "journey %d leg %u: departure source %u", ji, l,
                         g->leg.dep_src);
            cr_assert_eq(g->leg.arr_src,
                         c1->seq + 1 >= from_p ? RT_TIME_ESTIMATED : RT_TIME_SCHEDULED,
                         "journey %d leg %u: arrival source %u", ji, l, g->leg.arr_src);
            cr_assert_eq(g->leg.dep_src, src_of(tt, g->leg.board, 1));
            cr_assert_eq(g->leg.arr_src, src_of(tt, g->leg.alight, 0));
            m = f->trip[mj].fmode;
            cr_assert_eq(g->mode, m, "journey %d leg %u: mode %u, trip t%d is %d", ji,
                         l, g->mode, mj, m);
            cr_assert(x->modes & (1u << m));
            long nd = need(x, a, came, m);
            cr_assert_geq(nd, 0, "journey %d leg %u: change where forbidden", ji, l);
            cr_assert_leq((int64_t)ready + nd, (int64_t)g->leg.dep,
                          "journey %d leg %u: ready %u + NEED %ld > departure %u", ji,
                          l, ready, nd, g->leg.dep);
            lkm = 0;
            for (uint32_t p = c0->seq; p <= c1->seq; p++)
                lkm += f->trip[mj].km[p];
            /* The net's km of the ride: from the boarding stop's position
             * to the alighting stop's, one past the last hop's. */
            double nkm = rt_mc_ride_km(net, trip, c0->seq, c1->seq + 1u);
            cr_assert(nkm == lkm, "journey %d leg %u: rt_mc_ride_km %.17g, want %.17g",
                      ji, l, nkm, lkm);
            came = m;
        }
        cr_assert(g->km == lkm, "journey %d leg %u: km %.17g, want %.17g", ji, l, g->km,
                  lkm);
        cr_assert_eq(g->cost_cents, leg_cost(x, m, lkm),
                     "journey %d leg %u cost %lld, want %lld", ji, l,
                     (long long)g->cost_cents, (long long)leg_cost(x, m, lkm));
        cr_assert_eq(g->co2e_g, leg_co2(x, m, lkm),
                     "journey %d leg %u co2e %lld, want %lld", ji, l,
                     (long long)g->co2e_g, (long long)leg_co2(x, m, lkm));
        int32_t dwell = 0;
        if (x->territory[b] != terr) {
            dwell = x->customs[b][m];
            terr = x->territory[b];
        }
        cr_assert_eq(g->customs_s, dwell, "journey %d leg %u: customs %d, want %d", ji,
                     l, g->customs_s, dwell);
        cost += g->cost_cents;
        co2 += g->co2e_g;
        km += g->km;
        ready = g->leg.arr + (uint32_t)dwell;
        at = b;
    }
    const struct rt_mc_leg *last = &j->legs[j->nlegs - 1];
    cr_assert(member(to, at), "journey %d ends at %d", ji, at);
    cr_assert_eq(j->departure, j->legs[0].leg.dep);
    cr_assert_eq(j->arrival, last->leg.arr);
    cr_assert_eq(j->available,
                 last->leg.arr + (uint32_t)last->customs_s +
                     (uint32_t)x->release[at][last->mode],
                 "journey %d: available", ji);
    /* The latest ready time for the same legs: the first ride's departure
     * less the cut-off, or the first footpath's (shifted) departure. */
    const struct rt_mc_leg *g0 = &j->legs[0];
    int o = model_of[g0->leg.from];
    uint32_t latest = g0->foot != RT_NONE
                          ? g0->leg.dep
                          : g0->leg.dep - (uint32_t)x->cutoff[o][g0->mode];
    cr_assert_eq(j->latest_ready, latest, "journey %d: latest_ready %u, want %u", ji,
                 j->latest_ready, latest);
    cr_assert_geq(j->latest_ready, depart);
    cr_assert_eq(j->cost_cents, cost);
    cr_assert_eq(j->co2e_g, co2);
    cr_assert(fabs(j->km - km) < 1e-6);
}

/* The answer RES equals the brute force's WANT as a set of vectors. */
static void compare(const struct facts *x, const struct rt_timetable *tt,
                    const struct rt_mc_net *net, const struct rt_mc_query *q,
                    const struct rt_mc_result *res, const struct vset *want, int64_t e,
                    int from, int to, int64_t ref) {
    static struct vset got;
    got.n = 0;
    for (uint32_t i = 0; i < res->n; i++) {
        const struct rt_mc_journey *j = &res->j[i];
        struct vec v = {(int64_t)j->available - ref, j->cost_cents, j->co2e_g,
                        (int)j->nlegs};
        int dup = 0;
        for (int k = 0; k < got.n; k++)
            dup |= vec_eq(&got.v[k], &v);
        /* "Of journeys equal in all four criteria one is kept." */
        cr_assert(!dup, "journey %u repeats the criteria of an earlier one", i);
        got.v[got.n++] = v;
    }
    int same = res->truncated ? res->n == RT_MC_MAX_JOURNEYS : got.n == want->n;
    for (int i = 0; i < got.n && same; i++) {
        int found = 0;
        for (int k = 0; k < want->n; k++)
            found |= vec_eq(&got.v[i], &want->v[k]);
        same = found;
    }
    /* MC_PROPERTY_DUMP=N (or "all") prints every query of iteration N, to see the
     * feed and the journeys behind a failed journey check. */
    const char *dump = getenv("MC_PROPERTY_DUMP");
    if (dump && (strtol(dump, NULL, 10) == cur_iter || !strcmp(dump, "all"))) {
        dump_sets("query", tt, want, res, ref);
        dump_facts(x);
        fprintf(stderr,
                "query %d -> %d at %lld, modes %#x, max_legs %d, weight %g, teu %g, "
                "max_days %d, slack %g %u, override %s, overlay %s\n",
                from, to, (long long)((int64_t)q->depart - ref), q->modes, q->max_legs,
                q->weight_kg, q->teu, q->max_days, q->slack_factor, q->slack_s,
                q->override ? "yes" : "no", side ? "yes" : "no");
    }
    scan_end = res->scan_end;
    /* Each journey first: a wrong leg says more than a wrong set. */
    for (uint32_t i = 0; i < res->n; i++) {
        check_journey(x, tt, net, &res->j[i], from, to, q->depart, (int)i);
        if (i)
            cr_assert(!before(&res->j[i], &res->j[i - 1], q->order), "not sorted at %u",
                      i);
    }
    int64_t got_e = res->earliest == UINT32_MAX ? -1 : (int64_t)res->earliest - ref;
    if (!same || got_e != e) {
        dump_sets("sets differ", tt, want, res, ref);
        dump_facts(x);
        cr_assert_fail(
            "rt_mc_search's Pareto set differs from the brute force's (earliest %lld, "
            "want %lld); query %d -> %d at %lld, modes %#x, max_legs %d, weight %g, "
            "teu %g, max_days %d, slack %g %u",
            (long long)got_e, (long long)e, from, to,
            (long long)((int64_t)q->depart - ref), q->modes, q->max_legs, q->weight_kg,
            q->teu, q->max_days, q->slack_factor, q->slack_s);
    }
}

/* ---- the tests ---------------------------------------------------------- */

static long iters_env(const char *name, long dflt) {
    const char *v = getenv(name);
    return v ? strtol(v, NULL, 10) : dflt;
}

static uint64_t seed_env(const char *name, uint64_t dflt) {
    const char *v = getenv(name);
    return v ? strtoull(v, NULL, 10) : dflt;
}

/* A random query's two places, distinct and not overlapping through the
 * station. */
static void pick_places(const struct rf_feed *f, int *from, int *to) {
    int nq = f->nstops + (f->station ? 1 : 0);
    for (;;) {
        *from = rf_pick(nq);
        *to = rf_pick(nq);
        if (*from == f->nstops) *from = NS;
        if (*to == f->nstops) *to = NS;
        int overlap = 0;
        for (int s = 0; s < f->nstops; s++)
            overlap |= member(*from, s) && member(*to, s);
        if (*from != *to && !overlap) return;
    }
}

/* Span of the feed's departures within a day: queries start near them. */
static long day_span(const struct rf_feed *f) {
    long span = 60;
    for (int j = 0; j < f->ntrips; j++)
        if (f->trip[j].arr[f->trip[j].n - 1] > span)
            span = f->trip[j].arr[f->trip[j].n - 1];
    return span;
}

static long time_unit(const struct rf_feed *f) {
    /* rf_make_freight scales minutes by 1, 10 or 60: the largest unit that
     * divides every time. */
    static const long k[] = {60, 10};
    for (int i = 0; i < 2; i++) {
        int all = 1;
        for (int j = 0; j < f->ntrips; j++)
            for (int p = 0; p < f->trip[j].n; p++)
                all &= f->trip[j].arr[p] % (k[i] * 60) == 0 &&
                       f->trip[j].dep[p] % (k[i] * 60) == 0;
        if (all) return k[i];
    }
    return 1;
}

Test(mc_property, brute_force_earliest_matches_csa, .timeout = 300) {
    static struct rt_csa_result res;
    static struct vset want;
    static struct facts x;
    struct rf_feed f;
    long iters = iters_env("MC_PROPERTY_ITERS", 2000);
    unsigned long reached = 0, total = 0;
    cur_seed = seed_env("MC_PROPERTY_SEED", 20260412);
    rf_seed(cur_seed);
    for (long iter = 0; iter < iters; iter++) {
        struct rt_timetable tt;
        cur_iter = iter;
        rf_make_freight(&f);
        rf_load(&f, &tt);
        map_feed(&f, &tt);
        struct rt_csa_ws *ws = rt_csa_ws_new(&tt);
        cr_assert_not_null(ws);
        int64_t ref = rt_local_time(&tt, 0, 0, 0);
        facts_init(&x, &f, NULL, NULL, NULL, 0);
        x.modes = (1u << NM) - 1;
        x.max_legs = RT_MC_MAX_LEGS;
        x.weight = 1;
        long span = day_span(&f);
        for (int qi = 0; qi < 4; qi++) {
            int from, to;
            pick_places(&f, &from, &to);
            int64_t depart = rf_pick(2) * DAY + rf_pick((int)span + 1);
            int64_t e;
            brute(&x, from, to, depart, 90, 0, 0, &want, &e);
            int rc = rt_csa_earliest(&tt, ws, idx[from], idx[to],
                                     (uint32_t)(ref + depart), &res);
            cr_assert(rc == 0 || rc == 1);
            int64_t csa = rc == 0 ? (int64_t)res.arrival - ref : -1;
            total++;
            reached += csa >= 0;
            if (rc == 0 && res.nlegs > RT_MC_MAX_LEGS) {
                cr_assert(e < 0 || e >= csa);
                continue;
            }
            /* The freight search sees only trips of a freight mode. */
            int usable = 1;
            for (uint32_t l = 0; rc == 0 && l < res.nlegs; l++)
                if (res.legs[l].kind == RT_LEG_RIDE &&
                    f.trip[trip_of[tt.runs[res.legs[l].run].trip]].fmode == RF_UNUSABLE)
                    usable = 0;
            if (!usable) {
                cr_assert(e < 0 || e >= csa);
                continue;
            }
            cr_assert_eq(
                e, csa,
                "brute force %lld, csa %lld; seed %llu iteration %ld: %d -> %d at "
                "%lld\n%s%s%s",
                (long long)e, (long long)csa, (unsigned long long)cur_seed, iter, from,
                to, (long long)depart, rf_trips_text(), rf_stop_times_text(),
                rf_transfers_text());
        }
        rt_csa_ws_free(ws);
        rt_timetable_free(&tt);
    }
    cr_assert_gt(reached, total / 5, "%lu of %lu reached", reached, total);
    cr_assert_lt(reached, total, "%lu of %lu reached", reached, total);
}

/* A random per-query override of some freight values, times in unit K.
 * The brute force reads them through the freight.h lookups, so an
 * overridden customs dwell applies only where the lookup has a customs
 * point (a node row, or the border / port_of_entry flag).
 * (This caught mc.c adding an overridden dwell at a stop with neither, at
 * the default seed, iteration 25, query 6 -> 1; fixed in a4daa4d.) */
static void make_override(struct rt_freight_override *o, long k) {
    rt_freight_override_init(o);
    for (int a = 0; a < NM; a++) {
        for (int b = 0; b < NM; b++)
            if (rf_pick(8) == 0) o->handling_s[a][b] = rf_pick(4) * (int32_t)k * 60;
        if (rf_pick(6) == 0) o->cutoff_s[a] = rf_pick(4) * (int32_t)k * 60;
        if (rf_pick(6) == 0) o->release_s[a] = rf_pick(4) * (int32_t)k * 60;
        if (rf_pick(6) == 0) o->customs_s[a] = rf_pick(4) * (int32_t)k * 60;
        if (rf_pick(4) == 0) o->kg_co2e_per_tkm[a] = rf_pick(1000) / 1000.0;
        if (rf_pick(4) == 0) {
            struct rt_freight_tariff *t = &o->tariff[a];
            t->set = 1;
            t->has_teu = rf_pick(2);
            t->per_shipment_usd = rf_pick(300);
            t->per_kg_usd = rf_pick(50) / 1000.0;
            t->per_kg_km_usd = rf_pick(100) / 1e6;
            t->per_teu_usd = rf_pick(400);
            t->per_teu_km_usd = rf_pick(100) / 100.0;
        }
    }
}

/* A random overlay over F's runs in TT: the model in M, the reports in OV
 * (prepared by the searches).  Delays are whole units K, 1..4 of them or
 * up to a day. */
static void make_overlay(const struct rf_feed *f, const struct rt_timetable *tt, long k,
                         struct ovmodel *m, struct rt_overlay *ov) {
    char id[16];
    memset(m, 0, sizeof(*m));
    m->on = 1;
    for (int j = 0; j < f->ntrips; j++)
        for (int d = 0; d < ND; d++) {
            m->from[j][d] = NP;
            m->skip[j][d] = -1;
            if (!(f->trip[j].days & (1u << d)) || rf_pick(3)) continue;
            snprintf(id, sizeof(id), "t%d", j);
            uint32_t run = rt_overlay_find_run(tt, id, 20260310 + d, -1);
            cr_assert_neq(run, RT_NONE, "no run of %s on day %d", id, d);
            int r = rf_pick(4);
            if (r == 0) {
                m->cancel[j][d] = 1;
                cr_assert_eq(rt_overlay_cancel(ov, run), 0);
                continue;
            }
            if (r != 1) {
                m->from[j][d] = rf_pick(f->trip[j].n);
                m->delay[j][d] =
                    rf_pick(4) ? (1 + rf_pick(4)) * k * 60 : rf_pick(24) * 3600L + 60;
                cr_assert_eq(rt_overlay_set_delay(ov, run, (uint32_t)m->from[j][d],
                                                  m->delay[j][d], m->delay[j][d],
                                                  RT_TIME_ESTIMATED),
                             0);
            }
            if (r == 1 || rf_pick(3) == 0) {
                int p = rf_pick(f->trip[j].n);
                if (p == m->from[j][d]) continue;
                m->skip[j][d] = p;
                cr_assert_eq(rt_overlay_skip(ov, run, (uint32_t)p), 0);
            }
        }
}

/* One feed: NQ freight queries and NQ freight-free ones against rt_mc_search. */
static void run_feed(const struct rf_feed *f, long iter, int max_legs,
                     unsigned long *nonempty, unsigned long *multi,
                     unsigned long *total) {
    static struct rt_mc_result res;
    static struct vset want;
    static struct facts x;
    static struct rt_csa_result csa;
    struct rt_timetable tt;
    struct rt_freight fr;
    struct rt_mc_net net, net0;
    cur_iter = iter;
    rf_load(f, &tt);
    map_feed(f, &tt);
    long k = time_unit(f);
    make_freight(f, k, &fr);
    int river = 0;
    for (int j = 0; j < f->ntrips; j++)
        river |= f->trip[j].fmode == RT_FMODE_RIVER || f->trip[j].fmode == RF_UNUSABLE;
    /* Without km the net takes great circles: 0 km where all stops are at
     * (1, 1). */
    int with_km = f->placed || rf_pick(8) != 0, with_modes = river || rf_pick(2);
    cr_assert_eq(build_net(&net, f, &tt, &fr, with_km, with_modes, 1), 0);
    cr_assert_eq(build_net(&net0, f, &tt, NULL, 1, 1, 0), 0);
    struct rt_mc_ws *ws = rt_mc_ws_new(&net), *ws0 = rt_mc_ws_new(&net0);
    struct rt_csa_ws *cws = rt_csa_ws_new(&tt);
    cr_assert(ws && ws0 && cws);
    int64_t ref = rt_local_time(&tt, 0, 0, 0);
    long span = day_span(f);
    /* A third of the feeds query through a real-time overlay. */
    static struct ovmodel ovm;
    struct rt_overlay *ov = NULL;
    memset(&ovm, 0, sizeof(ovm));
    if (rf_pick(3) == 0) {
        ov = rt_overlay_new(&tt);
        cr_assert_not_null(ov);
        make_overlay(f, &tt, k, &ovm, ov);
    }
    /* Without km the model's km are 0: the net falls back to great-circle
     * distances, and every stop is at (1, 1). */
    static struct rf_feed f0;
    const struct rf_feed *fm = f;
    if (!with_km) {
        f0 = *f;
        for (int j = 0; j < f0.ntrips; j++)
            memset(f0.trip[j].km, 0, sizeof(f0.trip[j].km));
        memset(f0.foot_km, 0, sizeof(f0.foot_km));
        fm = &f0;
    }
    for (int qi = 0; qi < 3; qi++) {
        int from, to;
        pick_places(f, &from, &to);
        struct rt_mc_query q = {0};
        q.from = idx[from];
        q.to = idx[to];
        int64_t depart = rf_pick(2) * DAY + rf_pick((int)span + 1);
        q.depart = (uint32_t)(ref + depart);
        q.modes = rf_pick(3) == 0 ? 0 : (unsigned)(1 + rf_pick((1 << NM) - 1));
        q.max_legs = 1 + rf_pick(max_legs);
        q.weight_kg = 1 + rf_pick(30000) + rf_pick(10) / 10.0;
        q.teu = rf_pick(3) == 0 ? 1 + rf_pick(3) : 0;
        q.max_days = rf_pick(3) == 0 ? 1 + rf_pick(3) : 0;
        q.order = rf_pick(3);
        if (rf_pick(3) == 0) {
            static const double factors[] = {-1, 1, 1.5, 2, 3};
            static const uint32_t extra[] = {0, 1, 3600, 86400};
            q.slack_factor = factors[rf_pick(5)];
            q.slack_s = extra[rf_pick(4)] * (uint32_t)(rf_pick(3) + 1);
        }
        static struct rt_freight_override o;
        if (rf_pick(4) == 0) {
            make_override(&o, k);
            q.override = &o;
        }
        facts_init(&x, fm, &fr, q.override, &ovm, 1);
        x.modes = q.modes ? q.modes : (1u << NM) - 1;
        x.max_legs = q.max_legs;
        x.weight = q.weight_kg;
        x.teu = q.teu;
        int64_t e;
        brute(&x, from, to, depart, q.max_days, q.slack_factor, q.slack_s, &want, &e);
        cr_assert_eq(rt_mc_search(&net, ov, ws, &q, &res), 0);
        side = ov ? rt_overlay_side(ov, &nside) : NULL;
        compare(&x, &tt, &net, &q, &res, &want, e, from, to, ref);
        (*total)++;
        *nonempty += res.n > 0;
        *multi += res.n > 1;

        /* Freight NULL: available and legs only; E is CSA's arrival. */
        q.modes = 0;
        q.max_legs = rf_pick(2) ? RT_MC_MAX_LEGS : 0;
        q.max_days = 0;
        q.slack_factor = 0;
        q.slack_s = 0;
        q.override = NULL;
        facts_init(&x, f, NULL, NULL, &ovm, 0);
        x.modes = (1u << NM) - 1;
        x.max_legs = RT_MC_MAX_LEGS;
        x.weight = q.weight_kg;
        brute(&x, from, to, depart, 90, 0, 0, &want, &e);
        cr_assert_eq(rt_mc_search(&net0, ov, ws0, &q, &res), 0);
        side = ov ? rt_overlay_side(ov, &nside) : NULL;
        compare(&x, &tt, &net0, &q, &res, &want, e, from, to, ref);
        int rc = rt_csa_earliest_rt(&tt, ov, cws, q.from, q.to, q.depart, &csa);
        int usable = rc == 0 && csa.nlegs <= RT_MC_MAX_LEGS;
        for (uint32_t l = 0; usable && l < csa.nlegs; l++)
            if (csa.legs[l].kind == RT_LEG_RIDE &&
                f->trip[trip_of[tt.runs[csa.legs[l].run].trip]].fmode == RF_UNUSABLE)
                usable = 0;
        if (usable)
            cr_assert_eq(res.earliest, csa.arrival, "freight NULL: earliest %u, csa %u",
                         res.earliest, csa.arrival);
        else if (rc == 1)
            cr_assert_eq(res.n, 0);
    }
    rt_overlay_free(ov);
    rt_csa_ws_free(cws);
    rt_mc_ws_free(ws);
    rt_mc_ws_free(ws0);
    rt_mc_net_free(&net);
    rt_mc_net_free(&net0);
    rt_freight_free(&fr);
    rt_timetable_free(&tt);
}

Test(mc_property, matches_brute_force, .timeout = 300) {
    struct rf_feed f;
    long iters = iters_env("MC_PROPERTY_ITERS", 2000);
    /* MC_PROPERTY_MAX_LEGS: queries draw max_legs from 1 to this. */
    int max_legs = (int)iters_env("MC_PROPERTY_MAX_LEGS", 4);
    cr_assert(max_legs >= 1 && max_legs <= RT_MC_MAX_LEGS);
    unsigned long nonempty = 0, multi = 0, total = 0;
    cur_seed = seed_env("MC_PROPERTY_SEED", 20260413);
    rf_seed(cur_seed);
    for (long iter = 0; iter < iters; iter++) {
        rf_make_freight(&f);
        run_feed(&f, iter, max_legs, &nonempty, &multi, &total);
    }
    cr_log_info(
        "mc_property: %lu queries, %lu non-empty, %lu with two journeys or more", total,
        nonempty, multi);
    /* The generator must exercise empty answers, single ones and real
     * Pareto sets. */
    cr_assert_gt(nonempty, total / 5, "%lu of %lu non-empty", nonempty, total);
    cr_assert_lt(nonempty, total, "%lu of %lu non-empty", nonempty, total);
    cr_assert_gt(multi, total / 20, "%lu of %lu with two journeys or more", multi,
                 total);
}
