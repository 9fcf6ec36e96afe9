/* sim_world.c -- runs, delays, consignments and events of the feed
 * simulator (sim_world.h).  Every draw is sim_hash(seed, run key, ...),
 * the run key being the trip_id and service date, so nothing depends on
 * when the world is asked. */
#include "sim_world.h"
#include "routing/tz.h"
#include "geodata/timefmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600
#define ACT_LAG 600 /* an actual event is reported ten minutes after it */

/* ---- helpers -------------------------------------------------------------- */

void sim_iso(int64_t utc, int offset_s, char *buf, size_t len) {
    time_format_iso8601(utc, offset_s, buf, len);
}

const struct rt_stop *sim_stop(const struct sim_world *w, const struct sim_run *r,
                               uint32_t i) {
    const struct rt_trip *t = &w->tt->trips[r->trip];
    return &w->tt->stops[w->tt->stop_times[t->first_stop_time + i].stop];
}

const char *sim_stop_code(const struct sim_world *w, const struct sim_run *r, uint32_t i) {
    return rt_str(w->tt, sim_stop(w, r, i)->id);
}

int64_t sim_cons_eta(const struct sim_world *w, const struct sim_cons *c, int64_t now) {
    const struct sim_run *r = &w->runs[c->run];
    if (r->delay.seconds > 0 && (r->est_created <= now || r->earr[c->to] <= now))
        return r->earr[c->to];
    return r->parr[c->to];
}

int sim_event_cmp_key(const struct sim_event *e, int64_t created, const char *id) {
    if (e->created != created) return e->created < created ? -1 : 1;
    return strcmp(e->id, id);
}

static int ev_cmp(const void *a, const void *b) {
    const struct sim_event *x = a, *y = b;
    return sim_event_cmp_key(x, y->created, y->id);
}

int sim_cursor_parse(const char *s, int64_t *created, char *id, size_t idlen) {
    char *end;
    long long v = strtoll(s, &end, 10);
    size_t n;
    if (end == s || *end != '.' || v < 0) return -1;
    n = strlen(end + 1);
    if (n == 0 || n >= idlen) return -1;
    for (size_t i = 0; i < n; i++) {
        char c = end[1 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-' || c == 's' ||
              c == 'x'))
            return -1;
    }
    *created = v;
    memcpy(id, end + 1, n + 1);
    return 0;
}

static int mode_channel(uint8_t mode) {
    switch (mode) {
    case RT_MODE_WATER: return SIM_CH_PORT;
    case RT_MODE_RAIL: return SIM_CH_RAIL;
    case RT_MODE_AIR: return SIM_CH_AIR;
    default: return -1;
    }
}

/* Track gauge of a country's main lines: 1520 mm in the former Soviet
 * Union and Mongolia, 1435 mm elsewhere on the China-Europe corridors. */
static int gauge_of(const char *country) {
    static const char *broad[] = {"RU", "BY", "KZ", "MN", "UZ", "UA", "KG", "TM"};
    for (size_t i = 0; i < sizeof(broad) / sizeof(broad[0]); i++)
        if (strcmp(country, broad[i]) == 0) return 1520;
    return 1435;
}

/* IATA airline prefixes (the three digits of an AWB) of the feed's
 * carriers; a carrier not listed gets a made-up prefix from 900 up. */
static unsigned awb_prefix(const char *carrier) {
    static const struct {
        const char *code;
        unsigned prefix;
    } tab[] = {{"CZ", 784}, {"CX", 160}, {"LH", 20}, {"CK", 112}, {"KZ", 933},
               {"HO", 18},  {"3V", 756}};
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (strcmp(carrier, tab[i].code) == 0) return tab[i].prefix;
    return 900 + (unsigned)(sim_hash_str(carrier) % 90);
}

/* ---- set up --------------------------------------------------------------- */

struct cand {
    int64_t dep;
    uint32_t run;
};

static int cand_cmp(const void *a, const void *b) {
    const struct cand *x = a, *y = b;
    if (x->dep != y->dep) return x->dep < y->dep ? -1 : 1;
    return (x->run > y->run) - (x->run < y->run);
}

int sim_world_init(struct sim_world *w, const struct rt_timetable *tt,
                   const struct geo_nodes *nodes, uint64_t seed, double delay_prob,
                   double malformed, int64_t start, char *err, size_t errlen) {
    struct cand *c = NULL;
    uint32_t n = 0;
    memset(w, 0, sizeof(*w));
    w->tt = tt;
    w->nodes = nodes;
    w->seed = seed;
    w->delay_prob = delay_prob;
    w->malformed = malformed;
    w->start = start;
    if (tt->nruns && !(c = malloc(sizeof(*c) * tt->nruns))) goto oom;
    for (uint32_t r = 0; r < tt->nruns; r++) {
        const struct rt_trip *t = &tt->trips[tt->runs[r].trip];
        uint32_t k0;
        if (mode_channel(tt->routes[t->route].mode) < 0 || t->nstops < 2) continue;
        if ((k0 = rt_run_conn(tt, r, 0)) == RT_NONE) continue;
        c[n].dep = tt->epoch + tt->conns[k0].dep;
        c[n].run = r;
        n++;
    }
    if (n) qsort(c, n, sizeof(*c), cand_cmp);
    if (n && (!(w->cand = malloc(sizeof(uint32_t) * n)) ||
              !(w->cand_dep = malloc(sizeof(int64_t) * n))))
        goto oom;
    for (uint32_t i = 0; i < n; i++) {
        w->cand[i] = c[i].run;
        w->cand_dep[i] = c[i].dep;
    }
    w->ncand = n;
    while (w->next < n && w->cand_dep[w->next] < start - SIM_LOOKBACK) w->next++;
    free(c);
    return 0;
oom:
    free(c);
    sim_world_free(w);
    snprintf(err, errlen, "out of memory for %" PRIu32 " runs", tt->nruns);
    return -1;
}

void sim_world_free(struct sim_world *w) {
    for (uint32_t i = 0; i < w->nruns; i++) {
        free(w->runs[i].parr);
        free(w->runs[i].offset);
        free(w->runs[i].border);
    }
    free(w->runs);
    free(w->cons);
    free(w->ev);
    free(w->cand);
    free(w->cand_dep);
    memset(w, 0, sizeof(*w));
}

/* ---- events --------------------------------------------------------------- */

struct maker {
    struct sim_world *w;
    uint32_t run;
    uint64_t key; /* the run key */
    int oom;
};

static struct sim_event *push(struct sim_world *w) {
    if (w->nev == w->capev) {
        size_t cap = w->capev ? w->capev * 2 : 4096;
        struct sim_event *p = realloc(w->ev, cap * sizeof(*p));
        if (!p) return NULL;
        w->ev = p;
        w->capev = cap;
    }
    return &w->ev[w->nev++];
}

/* Which defects a malformed copy of an event of channel CH and type TYPE
 * may carry: only ones that the event's format can show. */
static size_t bad_kinds(int ch, int type, enum sim_bad *out) {
    size_t n = 0;
    out[n++] = SIM_BAD_NO_OFFSET;
    out[n++] = SIM_BAD_CODE;
    if (ch == SIM_CH_AIR) {
        out[n++] = SIM_BAD_AWB;
        out[n++] = SIM_BAD_TRUNCATED;
    } else if (ch == SIM_CH_RAIL || type == SIM_EV_EQUIPMENT) {
        out[n++] = SIM_BAD_CONTAINER;
    }
    return n;
}

/* Add one event of the run being made, and, at the malformed rate, a
 * defective copy of it with its own id. */
static void add(struct maker *m, int type, int cls, const char *code, int32_t stop,
                int32_t cons_local, int64_t t, int64_t created) {
    struct sim_world *w = m->w;
    struct sim_run *r = &w->runs[m->run];
    uint64_t k = sim_hash(w->seed, m->key, sim_hash_str(code) ^ ((uint64_t)cls << 56),
                          ((uint64_t)(uint32_t)(stop + 1) << 32) | (uint32_t)(cons_local + 1));
    enum sim_bad kinds[SIM_BAD_COUNT];
    size_t nk = bad_kinds((int)r->ch, type, kinds);
    enum sim_bad bad = sim_bad_pick(w->seed, k, w->malformed, kinds, nk);
    for (int copy = 0; copy < (bad ? 2 : 1); copy++) {
        struct sim_event *e = push(w);
        if (!e) {
            m->oom = 1;
            return;
        }
        memset(e, 0, sizeof(*e));
        e->created = created;
        e->time = t;
        e->run = m->run;
        e->stop = stop;
        e->cons = cons_local < 0 ? -1 : (int32_t)(r->first_cons + (uint32_t)cons_local);
        e->ch = (uint8_t)r->ch;
        e->type = (uint8_t)type;
        e->cls = (uint8_t)cls;
        e->bad = copy ? (uint8_t)bad : 0;
        snprintf(e->code, sizeof(e->code), "%s", code);
        {
            /* UUID-shaped (DCSA 2.2 wants one); a malformed copy gets its own. */
            uint64_t k2 = sim_hash(k, copy ? 0x6d616cULL : 0x676f6fULL, 0, 0);
            snprintf(e->id, sizeof(e->id), "%08x-%04x-4%03x-%04x-%012" PRIx64,
                     (unsigned)(k >> 32), (unsigned)(k >> 16 & 0xffff), (unsigned)(k & 0xfff),
                     (unsigned)(0x8000 | (k2 >> 48 & 0x3fff)), (uint64_t)(k2 & 0xffffffffffffULL));
        }
    }
}

/* PLN, then EST (when the delay is known before the time) and ACT, of a
 * call's arrival or departure. */
static void add_call(struct maker *m, int type, const char *code, uint32_t i,
                     int32_t cons_local, int64_t planned, int64_t est) {
    struct sim_run *r = &m->w->runs[m->run];
    add(m, type, SIM_PLN, code, (int32_t)i, cons_local, planned, r->pln_created);
    if (est != planned && r->est_created < est)
        add(m, type, SIM_EST, code, (int32_t)i, cons_local, est, r->est_created);
    add(m, type, SIM_ACT, code, (int32_t)i, cons_local, est, est + ACT_LAG);
}

static void act(struct maker *m, int type, const char *code, int32_t stop,
                int32_t cons_local, int64_t t) {
    add(m, type, SIM_ACT, code, stop, cons_local, t, t + ACT_LAG);
}

/* Time spent at stop I with the delay, never negative; the origin gets a
 * notional six hours to load in. */
static int64_t dwell(const struct sim_run *r, uint32_t i) {
    if (i == 0) return 6 * HOUR;
    return r->edep[i] - r->earr[i];
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static void port_events(struct maker *m) {
    struct sim_run *r = &m->w->runs[m->run];
    for (uint32_t i = 0; i < r->n; i++) {
        if (i > 0) add_call(m, SIM_EV_TRANSPORT, "ARRI", i, -1, r->parr[i], r->earr[i]);
        if (i + 1 < r->n) add_call(m, SIM_EV_TRANSPORT, "DEPA", i, -1, r->pdep[i], r->edep[i]);
    }
    for (uint32_t j = 0; j < r->ncons; j++) {
        const struct sim_cons *c = &m->w->cons[r->first_cons + j];
        int32_t cj = (int32_t)j, from = (int32_t)c->from, to = (int32_t)c->to;
        int64_t load = r->edep[c->from] - min64(3 * HOUR, dwell(r, c->from) / 2);
        int64_t load_p = r->pdep[c->from] - min64(3 * HOUR, dwell(r, c->from) / 2);
        int64_t disc = r->earr[c->to] + min64(2 * HOUR, c->to + 1 == r->n
                                                            ? 2 * HOUR
                                                            : dwell(r, c->to) / 2);
        int64_t disc_p = r->parr[c->to] + (disc - r->earr[c->to]);
        add(m, SIM_EV_SHIPMENT, SIM_ACT, "CONF", -1, cj, r->pln_created + (cj + 1) * HOUR,
            r->pln_created + (cj + 1) * HOUR);
        act(m, SIM_EV_EQUIPMENT, "GTIN", from, cj, r->pdep[c->from] - 30 * HOUR);
        add(m, SIM_EV_EQUIPMENT, SIM_PLN, "LOAD", from, cj, load_p, r->pln_created);
        act(m, SIM_EV_EQUIPMENT, "LOAD", from, cj, load);
        act(m, SIM_EV_SHIPMENT, "ISSU", -1, cj, r->edep[c->from] + 6 * HOUR);
        add(m, SIM_EV_EQUIPMENT, SIM_PLN, "DISC", to, cj, disc_p, r->pln_created);
        if (disc != disc_p && r->est_created < disc)
            add(m, SIM_EV_EQUIPMENT, SIM_EST, "DISC", to, cj, disc, r->est_created);
        act(m, SIM_EV_EQUIPMENT, "DISC", to, cj, disc);
        act(m, SIM_EV_EQUIPMENT, "GTOT", to, cj, r->earr[c->to] + SIM_DAY);
    }
}

static void rail_events(struct maker *m) {
    struct sim_run *r = &m->w->runs[m->run];
    uint64_t h = sim_hash(m->w->seed, m->key, 0x637573ULL, 0);
    int customs = sim_unit(h) < 0.25; /* one run in four is held at a border */
    for (uint32_t j = 0; j < r->ncons; j++) {
        int32_t cj = (int32_t)j;
        int held = 0;
        act(m, SIM_EV_EQUIPMENT, "GTIN", 0, cj, r->pdep[0] - SIM_DAY);
        act(m, SIM_EV_EQUIPMENT, "LOAD", 0, cj, r->pdep[0] - 6 * HOUR);
        for (uint32_t i = 0; i < r->n; i++) {
            if (i > 0) add_call(m, SIM_EV_TRANSPORT, "ARRI", i, cj, r->parr[i], r->earr[i]);
            if (r->border[i] && i > 0 && i + 1 < r->n) {
                int64_t d = dwell(r, i);
                act(m, SIM_EV_TRANSPORT, "BCRS", (int32_t)i, cj, r->earr[i] + min64(HOUR, d / 4));
                if (r->border[i] == 2)
                    act(m, SIM_EV_EQUIPMENT, "GAUG", (int32_t)i, cj, r->earr[i] + d / 2);
                if (customs && !held) {
                    act(m, SIM_EV_EQUIPMENT, "CUSH", (int32_t)i, cj, r->earr[i] + d / 3);
                    act(m, SIM_EV_EQUIPMENT, "CUSR", (int32_t)i, cj, r->earr[i] + d * 3 / 4);
                    held = 1;
                }
            }
            if (i + 1 < r->n) add_call(m, SIM_EV_TRANSPORT, "DEPA", i, cj, r->pdep[i], r->edep[i]);
        }
        act(m, SIM_EV_EQUIPMENT, "DISC", (int32_t)(r->n - 1), cj, r->earr[r->n - 1] + 4 * HOUR);
        act(m, SIM_EV_EQUIPMENT, "GTOT", (int32_t)(r->n - 1), cj, r->earr[r->n - 1] + SIM_DAY);
    }
}

static void air_events(struct maker *m) {
    struct sim_run *r = &m->w->runs[m->run];
    uint32_t last = r->n - 1;
    for (uint32_t j = 0; j < r->ncons; j++) {
        int32_t cj = (int32_t)j;
        int64_t arr = r->earr[last];
        int64_t booked = r->pln_created + (cj + 1) * HOUR;
        uint64_t h = sim_hash(m->w->seed, m->key, 0x646c76ULL, j);
        add(m, SIM_EV_EQUIPMENT, SIM_ACT, "BKD", 0, cj, booked, booked);
        act(m, SIM_EV_EQUIPMENT, "RCS", 0, cj, r->pdep[0] - 6 * HOUR);
        act(m, SIM_EV_EQUIPMENT, "MAN", 0, cj, r->edep[0] - 2 * HOUR);
        add_call(m, SIM_EV_TRANSPORT, "DEP", 0, cj, r->pdep[0], r->edep[0]);
        add_call(m, SIM_EV_TRANSPORT, "ARR", last, cj, r->parr[last], arr);
        act(m, SIM_EV_EQUIPMENT, "RCF", (int32_t)last, cj, arr + 2 * HOUR);
        act(m, SIM_EV_EQUIPMENT, "NFD", (int32_t)last, cj, arr + 3 * HOUR);
        act(m, SIM_EV_EQUIPMENT, "DLV", (int32_t)last, cj,
            arr + 8 * HOUR + (int64_t)(h % (16 * 4)) * 900);
    }
}

/* ---- one run -------------------------------------------------------------- */

static void run_vehicle(struct sim_world *w, struct sim_run *r, uint64_t key) {
    const struct rt_timetable *tt = w->tt;
    const struct rt_trip *t = &tt->trips[r->trip];
    const struct rt_route *ro = &tt->routes[t->route];
    uint64_t h = sim_hash(w->seed, key, 0x766568ULL, 0);
    static const char *names[] = {"DONGTING PEARL", "XIANG RIVER", "JUNSHAN STAR",
                                  "BALING TRADER",  "LOTUS LAKE",  "YUEYANG BRIDGE"};
    switch (r->ch) {
    case SIM_CH_PORT:
        sim_imo_make(900000u + (uint32_t)(h % 100000), r->vehicle, sizeof(r->vehicle));
        snprintf(r->vessel_name, sizeof(r->vessel_name), "%s %u", names[h % 6],
                 (unsigned)((h >> 8) % 20 + 1));
        break;
    case SIM_CH_RAIL:
        /* The GTFS train number (trip_short_name) when the feed has one,
         * so that the events name a real trip; else a made-up one. */
        if (tt->strings[t->short_name] != '\0')
            snprintf(r->vehicle, sizeof(r->vehicle), "%s", rt_str(tt, t->short_name));
        else
            snprintf(r->vehicle, sizeof(r->vehicle), "X%u", 8000u + (unsigned)(h % 1000));
        break;
    case SIM_CH_AIR: {
        /* The airline code is the first word of route_short_name ("CZ
         * CAN-AMS"); a flight keeps its number on every day. */
        const char *sn = rt_str(tt, ro->short_name);
        size_t len = strcspn(sn, " ");
        if (len < 2 || len > 3) {
            sn = rt_str(tt, tt->agencies[ro->agency].id);
            len = 2;
        }
        snprintf(r->carrier, sizeof(r->carrier), "%.*s", (int)len, sn);
        /* The GTFS flight designator (trip_short_name) when the feed has
         * one, so that FSU and ONE Record events name a real trip; else a
         * number from the trip id. */
        if (tt->strings[t->short_name] != '\0')
            snprintf(r->vehicle, sizeof(r->vehicle), "%s", rt_str(tt, t->short_name));
        else
            snprintf(r->vehicle, sizeof(r->vehicle), "%s%u", r->carrier,
                     100u + (unsigned)(sim_hash(w->seed, sim_hash_str(rt_str(tt, t->id)), 0x666c74ULL, 0) % 900));
        break;
    }
    }
}

/* Border stops of a rail run: node kind border_crossing (with nodes.csv),
 * a gauge change where the country's gauge differs from the previous
 * stop's; without nodes, the intermediate stop with the longest dwell. */
static void run_borders(struct sim_world *w, struct sim_run *r) {
    uint32_t best = 0;
    int64_t bestd = 0;
    for (uint32_t i = 1; i + 1 < r->n; i++) {
        if (w->nodes) {
            const struct geo_node *g = geo_node_find(w->nodes, sim_stop_code(w, r, i));
            const struct geo_node *p = geo_node_find(w->nodes, sim_stop_code(w, r, i - 1));
            if (g && g->kind == KIND_BORDER_CROSSING) {
                r->border[i] = 1;
                if (p && gauge_of(g->country) != gauge_of(p->country)) r->border[i] = 2;
            }
        } else if (r->pdep[i] - r->parr[i] > bestd) {
            bestd = r->pdep[i] - r->parr[i];
            best = i;
        }
    }
    if (!w->nodes && best) r->border[best] = 2;
}

static void run_consignments(struct sim_world *w, struct sim_run *r, uint64_t key) {
    const struct rt_timetable *tt = w->tt;
    const char *agency = rt_str(tt, tt->agencies[tt->routes[tt->trips[r->trip].route].agency].id);
    static const char *owners[] = {"DTGU", "DTHU", "YYAU"};
    for (uint32_t j = 0; j < r->ncons; j++) {
        struct sim_cons *c = &w->cons[r->first_cons + j];
        uint64_t h = sim_hash(w->seed, key, 0x636f6eULL, j);
        uint64_t h2 = sim_hash(w->seed, key, 0x636f6eULL, j + 1000);
        memset(c, 0, sizeof(*c));
        c->run = (uint32_t)(r - w->runs);
        c->from = 0;
        c->to = r->n - 1;
        if (r->ch == SIM_CH_PORT && r->n > 2) {
            c->from = (uint32_t)(h % (r->n - 1));
            c->to = c->from + 1 + (uint32_t)(h2 % (r->n - 1 - c->from));
            /* A loop calls at some ports twice: never ship a box from a
             * port back to itself. */
            if (strcmp(sim_stop_code(w, r, c->from), sim_stop_code(w, r, c->to)) == 0)
                c->to = c->from + 1;
        }
        if (r->ch != SIM_CH_AIR)
            sim_iso6346_make(owners[h % 3], (uint32_t)(h2 % 1000000), c->container,
                             sizeof(c->container));
        switch (r->ch) {
        case SIM_CH_PORT: {
            char pre[5] = {0};
            for (int i = 0; i < 4 && agency[i]; i++)
                pre[i] = (agency[i] >= 'a' && agency[i] <= 'z') ? (char)(agency[i] - 32) : agency[i];
            snprintf(c->doc, sizeof(c->doc), "%s%010" PRIu64, pre, (h >> 20) % UINT64_C(10000000000));
            snprintf(c->booking, sizeof(c->booking), "DTBK%09" PRIu64, (h2 >> 20) % UINT64_C(1000000000));
            c->pieces = 20 + (int)(h % 480);
            c->weight_kg = 4000 + (int)((h >> 12) % 22000);
            break;
        }
        case SIM_CH_RAIL:
            snprintf(c->doc, sizeof(c->doc), "CS%08" PRIu64, (h >> 20) % UINT64_C(100000000));
            snprintf(c->wagon, sizeof(c->wagon), "5%07" PRIu64, (h2 >> 24) % UINT64_C(10000000));
            c->pieces = 10 + (int)(h % 300);
            c->weight_kg = 6000 + (int)((h >> 12) % 20000);
            break;
        case SIM_CH_AIR:
            sim_awb_make(awb_prefix(r->carrier), (uint32_t)((h >> 20) % UINT64_C(10000000)), c->doc,
                         sizeof(c->doc));
            c->pieces = 1 + (int)(h % 40);
            c->weight_kg = 20 + (int)((h >> 12) % 2000);
            break;
        }
    }
}

uint64_t sim_run_key(const struct rt_timetable *tt, uint32_t rt_run) {
    const struct rt_run *rr = &tt->runs[rt_run];
    const struct rt_trip *t = &tt->trips[rr->trip];
    int ymd = rt_date_from_days(tt->first_day + rr->day);
    return sim_hash(0, sim_hash_str(rt_str(tt, t->id)), (uint64_t)ymd,
                    (uint64_t)(uint32_t)rr->start);
}

void sim_run_delay(const struct sim_world *w, uint32_t rt_run, struct sim_delay *d) {
    const struct rt_trip *t = &w->tt->trips[w->tt->runs[rt_run].trip];
    d->stop = -1;
    d->seconds = 0;
    if (mode_channel(w->tt->routes[t->route].mode) < 0 || t->nstops < 2) return;
    sim_delay_pick(w->seed, sim_run_key(w->tt, rt_run), w->delay_prob, t->nstops, d);
}

/* Make run RT_RUN: 0 (also when the run is skipped: no connections), -1
 * when out of memory. */
static int make_run(struct sim_world *w, uint32_t rt_run) {
    const struct rt_timetable *tt = w->tt;
    const struct rt_run *rr = &tt->runs[rt_run];
    const struct rt_trip *t = &tt->trips[rr->trip];
    struct sim_run *r;
    struct maker m;
    uint32_t n = t->nstops, ncons;
    int ymd = rt_date_from_days(tt->first_day + rr->day);
    uint64_t key = sim_run_key(tt, rt_run);
    size_t old_nev = w->nev;

    if (w->nruns == w->capruns) {
        uint32_t cap = w->capruns ? w->capruns * 2 : 256;
        struct sim_run *p = realloc(w->runs, cap * sizeof(*p));
        if (!p) return -1;
        w->runs = p;
        w->capruns = cap;
    }
    r = &w->runs[w->nruns];
    memset(r, 0, sizeof(*r));
    r->rt_run = rt_run;
    r->trip = rr->trip;
    r->n = n;
    r->ch = (enum sim_channel)mode_channel(tt->routes[t->route].mode);
    snprintf(r->service_date, sizeof(r->service_date), "%08d", ymd);
    r->parr = malloc(4 * sizeof(int64_t) * n);
    r->offset = calloc(n, sizeof(int));
    r->border = calloc(n, 1);
    if (!r->parr || !r->offset || !r->border) goto oom;
    r->pdep = r->parr + n;
    r->earr = r->parr + 2 * n;
    r->edep = r->parr + 3 * n;
    for (uint32_t k = 0; k + 1 < n; k++) {
        uint32_t ci = rt_run_conn(tt, rt_run, k);
        if (ci == RT_NONE) {
            free(r->parr);
            free(r->offset);
            free(r->border);
            return 0;
        }
        r->pdep[k] = tt->epoch + tt->conns[ci].dep;
        r->parr[k + 1] = tt->epoch + tt->conns[ci].arr;
    }
    r->parr[0] = r->pdep[0];
    r->pdep[n - 1] = r->parr[n - 1];
    for (uint32_t i = 0; i < n; i++) {
        const struct rt_stop *s = sim_stop(w, r, i);
        char why[128];
        if (s->zone < tt->nzones)
            rt_tz_offset(rt_str(tt, tt->zones[s->zone].name), r->parr[i], &r->offset[i], why,
                         sizeof(why));
    }
    sim_delay_pick(w->seed, key, w->delay_prob, n, &r->delay);
    sim_delay_apply(r->parr, r->pdep, n, &r->delay, r->earr, r->edep);
    r->pln_created = r->pdep[0] - SIM_LOOKAHEAD;
    if (r->delay.seconds > 0) {
        int32_t k = r->delay.stop;
        /* News of a delay arrives half-way along the hop into the stop
         * where it happens, or twelve hours before a late departure. */
        r->est_created = k == 0 ? r->pdep[0] - 12 * HOUR
                                : r->pdep[k - 1] + (r->parr[k] - r->pdep[k - 1]) / 2;
        if (r->est_created < r->pln_created) r->est_created = r->pln_created;
    }
    run_vehicle(w, r, key);
    if (r->ch == SIM_CH_RAIL) run_borders(w, r);

    ncons = (r->ch == SIM_CH_AIR ? 1 : 2) + (uint32_t)(sim_hash(w->seed, key, 0x6e63ULL, 0) % 3);
    if (w->ncons + ncons > w->capcons) {
        uint32_t cap = w->capcons ? w->capcons * 2 : 1024;
        struct sim_cons *p;
        while (cap < w->ncons + ncons) cap *= 2;
        if (!(p = realloc(w->cons, cap * sizeof(*p)))) goto oom;
        w->cons = p;
        w->capcons = cap;
    }
    r->first_cons = w->ncons;
    r->ncons = ncons;
    run_consignments(w, r, key);

    m.w = w;
    m.run = w->nruns;
    m.key = key;
    m.oom = 0;
    if (r->ch == SIM_CH_PORT) port_events(&m);
    else if (r->ch == SIM_CH_RAIL) rail_events(&m);
    else air_events(&m);
    if (m.oom) goto oom;
    w->ncons += ncons;
    w->nruns++;
    return 0;
oom:
    w->nev = old_nev;
    free(r->parr);
    free(r->offset);
    free(r->border);
    return -1;
}

int sim_world_advance(struct sim_world *w, int64_t now) {
    int made = 0;
    while (w->next < w->ncand && w->cand_dep[w->next] <= now + SIM_LOOKAHEAD) {
        uint32_t before = w->nruns;
        if (make_run(w, w->cand[w->next]) != 0) {
            if (made) qsort(w->ev, w->nev, sizeof(*w->ev), ev_cmp);
            return -1;
        }
        w->next++;
        made += w->nruns > before;
    }
    if (made) qsort(w->ev, w->nev, sizeof(*w->ev), ev_cmp);
    return made;
}
