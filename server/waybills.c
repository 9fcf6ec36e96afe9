/* waybills.c -- the waybill engine (waybills.h): booked legs and tracking
 * state in memory, the ETA and at-risk rules, the fan-out of a run's delay
 * to every waybill on it, and the links from events to waybills.
 *
 * Why in memory: a delay to one run must move the ETA of every waybill on
 * it within a second, 10,000 of them included.  Reading and parsing each
 * waybill from Redis for that would take longer than the budget; the
 * engine keeps what the computation needs (legs as timetable indices, the
 * last status, the carrier's estimate) and writes only the results.  Redis
 * stays the record: the engine is rebuilt from it at start-up.
 *
 * The ETA rules (docs/waybills.md "ETAs"):
 *   - each ride leg's times are the run's current times at its board and
 *     alight stops (srv_overlay(): scheduled, or a delay carried along the
 *     run, or observed); a truck leg keeps its duration and starts when
 *     the cargo is there;
 *   - a connection holds when the next ride departs no earlier than the
 *     previous arrival plus the handling time between the two modes at
 *     that place (after a truck leg: plus the next mode's cut-off),
 *     freight tables of routing/freight.h; a cancelled run breaks its leg;
 *   - the ETA is the last leg's current arrival (source "scheduled",
 *     "propagated" when a delay moved it, "actual" once observed), unless
 *     the carrier gave its own estimate of the arrival at the destination
 *     ("carrier") or the cargo has arrived ("actual"); a waybill whose
 *     connection broke takes the best proposal's arrival ("propagated",
 *     the note says so). */
#include "waybills.h"

#include "api.h"
#include "crypto.h"
#include "customs.h"
#include "log.h"
#include "multimap.h"
#include "router.h"
#include "server.h"
#include "sse.h"
#include "store_waybills.h"
#include "trips.h"
#include "webhooks.h"

#include "event_trips.h"
#include "geodata/network.h"
#include "geodata/timefmt.h"
#include "routing/freight.h"
#include "routing/mc.h"
#include "routing/overlay.h"
#include "routing/timetable.h"
#include "routing/tz.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROPOSALS 3
#define LIVE_MAX 8192

/* ---- a bounded string builder --------------------------------------------- */

struct sb {
    char *p;
    size_t n, cap;
    int over;
};

static void sb_init(struct sb *s, char *buf, size_t cap) {
    s->p = buf;
    s->n = 0;
    s->cap = cap;
    s->over = 0;
    buf[0] = '\0';
}

static void sb_printf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *s, const char *fmt, ...) {
    va_list ap;
    int k;
    if (s->over) return;
    if (strchr(fmt, '%') == NULL) {   /* a literal: no printf machinery (the fan-out's hot path) */
        size_t len = strlen(fmt);
        if (len >= s->cap - s->n) {
            s->over = 1;
            s->p[s->n] = '\0';
            return;
        }
        memcpy(s->p + s->n, fmt, len + 1);
        s->n += len;
        return;
    }
    va_start(ap, fmt);
    k = vsnprintf(s->p + s->n, s->cap - s->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= s->cap - s->n) {
        s->over = 1;
        s->p[s->n] = '\0';
        return;
    }
    s->n += (size_t)k;
}

/* LEN bytes of P. */
static void sb_put(struct sb *s, const char *p, size_t len) {
    if (s->over) return;
    if (len >= s->cap - s->n) {
        s->over = 1;
        s->p[s->n] = '\0';
        return;
    }
    memcpy(s->p + s->n, p, len);
    s->n += len;
    s->p[s->n] = '\0';
}

/* STR as a JSON string literal (NULL: null): runs of plain bytes copied
 * whole, quotes, backslashes and control bytes escaped. */
static void sb_str(struct sb *s, const char *str) {
    const unsigned char *c = (const unsigned char *)str;
    if (str == NULL) {
        sb_put(s, "null", 4);
        return;
    }
    sb_put(s, "\"", 1);
    while (*c && !s->over) {
        size_t run = 0;
        while (c[run] && c[run] != '"' && c[run] != '\\' && c[run] >= 0x20) run++;
        if (run) {
            sb_put(s, (const char *)c, run);
            c += run;
            continue;
        }
        if (*c == '"' || *c == '\\') sb_printf(s, "\\%c", *c);
        else sb_printf(s, "\\u%04x", *c);
        c++;
    }
    sb_put(s, "\"", 1);
}

/* ---- times with the offset of their place -------------------------------- */

/* rt_tz_offset switches TZ, which re-reads the zone file: cache offsets
 * per zone name and quarter hour (no zone changes offset within one). */
struct off_slot {
    const char *zone;
    int64_t q;
    int off;
};
static struct off_slot off_cache[1024];

static int zone_offset(const char *zone, int64_t utc) {
    int64_t q = utc / 900;
    size_t h = ((size_t)(uintptr_t)zone * 31u + (size_t)q) % 1024;
    struct off_slot *s = &off_cache[h];
    char why[128];
    int off = 0;
    if (s->zone == zone && s->q == q) return s->off;
    if (zone == NULL || rt_tz_offset(zone, utc, &off, why, sizeof(why)) != 0) off = 0;
    s->zone = zone;
    s->q = q;
    s->off = off;
    return off;
}

static const char *stop_zone(const struct rt_timetable *tt, uint32_t stop) {
    if (tt == NULL || stop == RT_NONE) return NULL;
    return rt_str(tt, tt->zones[tt->stops[stop].zone].name);
}

/* UTC (0: null) as ISO 8601 with STOP's offset, as a JSON value. */
static void sb_time(struct sb *s, const struct rt_timetable *tt, uint32_t stop, int64_t utc) {
    char buf[40];
    if (utc == 0) {
        sb_printf(s, "null");
        return;
    }
    time_format_iso8601(utc, zone_offset(stop_zone(tt, stop), utc), buf, sizeof(buf));
    sb_printf(s, "\"%s\"", buf);
}

static void iso_utc(int64_t t, char *buf, size_t len) { time_format_iso8601(t, 0, buf, len); }

/* ---- the engine's view of a waybill ---------------------------------------- */

struct leg_rt {
    uint32_t run, board, alight;   /* RT_NONE for a truck leg */
    uint32_t from, to;             /* stops (RT_NONE when unknown) */
    int fmode;                     /* enum rt_fmode, -1 unknown */
    int64_t sdep, sarr;            /* scheduled, Unix s */
    /* computed */
    int64_t dep, arr;
    int dep_src, arr_src;          /* enum rt_time_source */
};

struct entry {
    char number[WB_NUMBER_LEN], master[WB_NUMBER_LEN];
    char tenant[64], account[64];
    char containers[WB_MAX_CONTAINERS][12];
    int ncontainers;
    char origin[WB_CODE_LEN], dest[WB_CODE_LEN];
    int64_t created;
    uint32_t dest_stop;
    double weight_kg, teu;
    int nlegs;
    struct leg_rt legs[WB_MAX_LEGS];
    /* tracking */
    int status;                    /* enum carrier_status, -1 none */
    int64_t status_time;
    char status_loc[CARRIER_REF_VALUE];
    int64_t carrier_eta;           /* the carrier's estimate at the destination, 0 none */
    int carrier_eta_arr;           /* 1: of the arrival; 0: of the discharge (used only
                                    * while no arrival estimate came) */
    int64_t arrived;               /* actual arrival at the destination, 0 not yet */
    /* results */
    int64_t eta;
    const char *eta_src;
    char note[240];
    int at_risk, risk_leg;         /* risk_leg: the first leg that cannot be made */
    char risk[240];
    int64_t prop_eta;              /* arrival of the best proposal, 0 none */
    unsigned version;              /* bumped per published change */
    uint64_t pub_hash;             /* of the public state last sent to streams */
    uint64_t pubw_hash, st_hash;   /* of the public state and the compact state last
                                    * stored: a fan-out leaves them out when unchanged */
    int dead;                      /* removed from the maps (replaced) */
    unsigned hit_mark, seen_mark;  /* de-duplication in waybills_on_events */
    int seen_changed;              /* an event of this batch changed what it shows */
    int dirty;                     /* its last state write failed: write it again */
};

static struct {
    struct mmap by_number;          /* "NUMBER" -> the entry (one) */
    struct mmap refs;               /* "n:V", "c:V", "r:RUN" -> entries */
    struct entry **all;
    size_t nall, capall;
    int loaded;
    int loading;
} wb;

static struct entry *find_entry(const char *number) {
    return mm_first(&wb.by_number, number);
}

/* The keys an entry is found by. */
static void entry_keys(const struct entry *e, void (*fn)(const char *key, struct entry *e),
                       struct entry *target) {
    char k[160];
    snprintf(k, sizeof(k), "n:%s", e->number);
    fn(k, target);
    if (e->master[0]) {
        snprintf(k, sizeof(k), "n:%s", e->master);
        fn(k, target);
    }
    for (int i = 0; i < e->ncontainers; i++) {
        snprintf(k, sizeof(k), "c:%s", e->containers[i]);
        fn(k, target);
    }
    for (int i = 0; i < e->nlegs; i++) {
        if (e->legs[i].run == RT_NONE) continue;
        snprintf(k, sizeof(k), "r:%u", e->legs[i].run);
        fn(k, target);
    }
}

static void key_add(const char *key, struct entry *e) {
    if (mm_add(&wb.refs, key, e) != 0)
        log_event("error", "waybill_index_failed", "out of memory indexing %s", e->number);
}
static void key_del(const char *key, struct entry *e) { mm_del(&wb.refs, key, e); }

static struct waybills_stats stats;

void waybills_stats(struct waybills_stats *out) {
    *out = stats;
    out->held = wb.nall;
    out->at_risk = 0;
    for (size_t i = 0; i < wb.nall; i++) out->at_risk += (unsigned long long)wb.all[i]->at_risk;
}

/* ---- legs: itineraries and journeys to timetable indices -------------------- */


/* Does stop S stand for place CODE (itself or its station)? */
static int stop_is(const struct rt_timetable *tt, uint32_t s, const char *code) {
    if (s == RT_NONE) return 0;
    if (strcmp(rt_str(tt, tt->stops[s].id), code) == 0) return 1;
    return tt->stops[s].parent != RT_NONE &&
           strcmp(rt_str(tt, tt->stops[tt->stops[s].parent].id), code) == 0;
}

static const struct rt_stop_time *trip_stops(const struct rt_timetable *tt, uint32_t run,
                                             uint32_t *n) {
    const struct rt_trip *t = &tt->trips[tt->runs[run].trip];
    *n = t->nstops;
    return &tt->stop_times[t->first_stop_time];
}

/* Fill a ride leg's indices from its run and stop codes: the first
 * boarding at FROM, then the first alighting at TO after it.  0 or -1. */
static int ride_indices(const struct rt_timetable *tt, uint32_t run, const char *from,
                        const char *to, struct leg_rt *l) {
    uint32_t n, b = RT_NONE, a = RT_NONE;
    const struct rt_stop_time *st = trip_stops(tt, run, &n);
    /* Only where the timetable lets cargo on and off: a train passing a
     * border station without stopping for it cannot be changed there. */
    for (uint32_t k = 0; k < n && b == RT_NONE; k++)
        if ((st[k].flags & RT_CONN_PICKUP) && stop_is(tt, st[k].stop, from)) b = k;
    for (uint32_t k = b == RT_NONE ? n : b + 1; k < n && a == RT_NONE; k++)
        if ((st[k].flags & RT_CONN_DROPOFF) && stop_is(tt, st[k].stop, to)) a = k;
    if (b == RT_NONE || a == RT_NONE) return -1;
    l->run = run;
    l->board = b;
    l->alight = a;
    l->from = st[b].stop;
    l->to = st[a].stop;
    {
        uint32_t d, r;
        rt_overlay_stop_time(NULL, tt, run, b, NULL, &d, NULL, NULL);
        rt_overlay_stop_time(NULL, tt, run, a, &r, NULL, NULL, NULL);
        l->sdep = tt->epoch + (int64_t)d;
        l->sarr = tt->epoch + (int64_t)r;
    }
    return 0;
}

/* The run of TRIP named by RUN_ID ("TRIP:YYYY-MM-DD[:HH:MM:SS]"). */
static uint32_t run_from_id(const struct rt_timetable *tt, const char *trip, const char *run_id) {
    size_t tl = strlen(trip);
    int y, mo, d, hh = -1, mi = 0, ss = 0;
    if (strncmp(run_id, trip, tl) != 0 || run_id[tl] != ':') return RT_NONE;
    int k = sscanf(run_id + tl + 1, "%4d-%2d-%2d:%2d:%2d:%2d", &y, &mo, &d, &hh, &mi, &ss);
    if (k != 3 && k != 6) return RT_NONE;
    return rt_overlay_find_run(tt, trip, y * 10000 + mo * 100 + d,
                               k == 6 ? hh * 3600 + mi * 60 + ss : -1);
}

/* The run of TRIP that leaves FROM at scheduled time SDEP (Unix s). */
static uint32_t run_from_time(const struct rt_timetable *tt, const char *trip, const char *from,
                              int64_t sdep) {
    uint32_t ti = RT_NONE;
    for (uint32_t i = 0; i < tt->ntrips && ti == RT_NONE; i++)
        if (strcmp(rt_str(tt, tt->trips[i].id), trip) == 0) ti = i;
    if (ti == RT_NONE) return RT_NONE;
    const struct rt_trip *t = &tt->trips[ti];
    for (uint32_t r = t->first_run; r < t->first_run + t->nruns; r++) {
        uint32_t n;
        const struct rt_stop_time *st = trip_stops(tt, r, &n);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t d;
            if (!stop_is(tt, st[k].stop, from)) continue;
            rt_overlay_stop_time(NULL, tt, r, k, NULL, &d, NULL, NULL);
            if (tt->epoch + (int64_t)d == sdep) return r;
            break;
        }
    }
    return RT_NONE;
}

static int leg_fmode(const struct rt_timetable *tt, uint32_t run) {
    const struct geo_network *gn = srv_network();
    if (run == RT_NONE) return RT_FMODE_ROAD;
    return gn ? router_trip_fmode(tt, gn, tt->runs[run].trip) : -1;
}

/* SRC into DST (LEN bytes), cut at a character boundary: a name cut in
 * the middle of a UTF-8 sequence would make the document unwritable. */
static void copy_utf8(char *dst, size_t len, const char *src) {
    size_t n = strlen(src);
    if (n >= len) {
        n = len - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Copy the timetable facts of leg L into W's leg K. */
static void wb_leg_from_rt(const struct rt_timetable *tt, const struct leg_rt *l,
                           struct wb_leg *out) {
    char date[16], start[16];
    memset(out, 0, sizeof(*out));
    if (l->run != RT_NONE) {
        const struct rt_trip *t = &tt->trips[tt->runs[l->run].trip];
        const struct rt_route *rr = &tt->routes[t->route];
        snprintf(out->mode, sizeof(out->mode), "%s",
                 l->fmode >= 0 ? rt_fmode_name((enum rt_fmode)l->fmode) : "unknown");
        copy_utf8(out->carrier, sizeof(out->carrier), rt_str(tt, tt->agencies[rr->agency].name));
        snprintf(out->trip_id, sizeof(out->trip_id), "%s", rt_str(tt, t->id));
        event_trip_date(tt, l->run, date, sizeof(date));
        trips_run_id(tt, l->run, date, out->run_id, sizeof(out->run_id), start, sizeof(start));
    } else {
        snprintf(out->mode, sizeof(out->mode), "road");
    }
    snprintf(out->from, sizeof(out->from), "%s", l->from != RT_NONE ? rt_str(tt, tt->stops[l->from].id) : "");
    snprintf(out->to, sizeof(out->to), "%s", l->to != RT_NONE ? rt_str(tt, tt->stops[l->to].id) : "");
    out->sched_dep = l->sdep;
    out->sched_arr = l->sarr;
}

/* W's stored legs back to timetable indices.  0, or -1 when a leg no
 * longer exists in the loaded timetable (its times are then kept as
 * booked, and it is a truck-like leg for the ETA). */
static int legs_resolve(const struct rt_timetable *tt, const struct waybill *w,
                        struct leg_rt *out) {
    int rc = 0;
    for (int i = 0; i < w->nlegs; i++) {
        const struct wb_leg *g = &w->legs[i];
        struct leg_rt *l = &out[i];
        memset(l, 0, sizeof(*l));
        l->run = RT_NONE;
        l->from = rt_stop_find(tt, g->from);
        l->to = rt_stop_find(tt, g->to);
        l->sdep = g->sched_dep;
        l->sarr = g->sched_arr;
        l->fmode = rt_fmode_parse(g->mode);
        if (g->trip_id[0]) {
            uint32_t run = run_from_id(tt, g->trip_id, g->run_id);
            if (run == RT_NONE || ride_indices(tt, run, g->from, g->to, l) != 0) {
                l->run = RT_NONE;
                rc = -1;
            }
        }
    }
    return rc;
}

/* Itinerary legs (a /v1/routes itinerary) into W. */
int waybills_itinerary_legs(const struct rt_timetable *tt, const json_t *itin,
                               struct waybill *w, struct wb_error *e) {
    const json_t *legs = json_object_get(itin, "legs");
    char field[64];
    size_t i;
    const json_t *lj;
    if (!json_is_array(legs) || json_array_size(legs) == 0 ||
        json_array_size(legs) > WB_MAX_LEGS) {
        waybill_error(e, "itinerary.legs", "must be an array of 1 to %d legs", WB_MAX_LEGS);
        return -1;
    }
    w->nlegs = 0;
    json_array_foreach(legs, i, lj) {
        const char *trip = json_string_value(json_object_get(lj, "trip_id"));
        const char *run_id = json_string_value(json_object_get(lj, "run_id"));
        const char *from = json_string_value(json_object_get(lj, "from"));
        const char *to = json_string_value(json_object_get(lj, "to"));
        const char *sd = json_string_value(json_object_get(lj, "scheduled_departure"));
        const char *sa = json_string_value(json_object_get(lj, "scheduled_arrival"));
        struct leg_rt l;
        char why[128];
        memset(&l, 0, sizeof(l));
        l.run = RT_NONE;
        snprintf(field, sizeof(field), "itinerary.legs[%zu]", i);
        if (!json_is_object(lj) || !from || !to) {
            waybill_error(e, field, "needs from and to (stop codes)");
            return -1;
        }
        if (trip != NULL) {
            uint32_t run = RT_NONE;
            if (run_id != NULL) {
                run = run_from_id(tt, trip, run_id);
            } else {
                int64_t t;
                if (sd == NULL || time_parse_iso8601(sd, &t, why, sizeof(why)) != 0) {
                    waybill_error(e, field, "a ride needs run_id or scheduled_departure");
                    return -1;
                }
                run = run_from_time(tt, trip, from, t);
            }
            if (run == RT_NONE) {
                waybill_error(e, field, "no run of trip '%.40s' %s in the timetable", trip,
                        run_id ? "with that run_id" : "leaving then");
                return -1;
            }
            if (ride_indices(tt, run, from, to, &l) != 0) {
                waybill_error(e, field, "trip '%.40s' does not go from %.20s to %.20s", trip, from, to);
                return -1;
            }
            l.fmode = leg_fmode(tt, run);
        } else {
            int64_t a, b;
            if (!sd || !sa || time_parse_iso8601(sd, &a, why, sizeof(why)) != 0 ||
                time_parse_iso8601(sa, &b, why, sizeof(why)) != 0 || b < a) {
                waybill_error(e, field, "a truck leg needs scheduled_departure and scheduled_arrival");
                return -1;
            }
            l.from = rt_stop_find(tt, from);
            l.to = rt_stop_find(tt, to);
            if (l.from == RT_NONE || l.to == RT_NONE) {
                waybill_error(e, field, "unknown stop %.20s", l.from == RT_NONE ? from : to);
                return -1;
            }
            l.sdep = a;
            l.sarr = b;
            l.fmode = RT_FMODE_ROAD;
        }
        if (i > 0 && w->legs[i - 1].to[0] && strcmp(w->legs[i - 1].to, rt_str(tt, tt->stops[l.from].id)) != 0 &&
            !stop_is(tt, l.from, w->legs[i - 1].to) &&
            !stop_is(tt, rt_stop_find(tt, w->legs[i - 1].to), rt_str(tt, tt->stops[l.from].id))) {
            /* legs must join: the same stop or the same station */
            uint32_t prev = rt_stop_find(tt, w->legs[i - 1].to);
            uint32_t pp = prev != RT_NONE ? tt->stops[prev].parent : RT_NONE;
            if (pp == RT_NONE || pp != tt->stops[l.from].parent) {
                waybill_error(e, field, "starts at %.20s but the previous leg ends at %.20s", from,
                        w->legs[i - 1].to);
                return -1;
            }
        }
        if (i > 0 && l.sdep < w->legs[i - 1].sched_arr) {
            waybill_error(e, field, "departs before the previous leg arrives");
            return -1;
        }
        wb_leg_from_rt(tt, &l, &w->legs[w->nlegs++]);
    }
    return 0;
}

/* Journey J of the router into W's legs, after the first KEEP legs. */
static void legs_from_journey(const struct rt_timetable *tt, const struct rt_mc_journey *j,
                              struct waybill *w, int keep) {
    const struct rt_ov_conn *side = NULL;
    uint32_t nside = 0;
    struct rt_overlay *ov = srv_overlay();
    if (ov) side = rt_overlay_side(ov, &nside);
    w->nlegs = keep;
    for (uint32_t i = 0; i < j->nlegs && w->nlegs < WB_MAX_LEGS; i++) {
        const struct rt_mc_leg *g = &j->legs[i];
        struct leg_rt l;
        memset(&l, 0, sizeof(l));
        l.run = RT_NONE;
        l.from = g->leg.from;
        l.to = g->leg.to;
        if (g->leg.kind == RT_LEG_RIDE) {
            const struct rt_connection *b = NULL, *a = NULL;
            if (g->leg.board < tt->nconns) b = &tt->conns[g->leg.board];
            else if (side && g->leg.board - tt->nconns < nside) b = &side[g->leg.board - tt->nconns].c;
            if (g->leg.alight < tt->nconns) a = &tt->conns[g->leg.alight];
            else if (side && g->leg.alight - tt->nconns < nside) a = &side[g->leg.alight - tt->nconns].c;
            l.run = g->leg.run;
            l.board = b ? b->seq : 0;
            l.alight = a ? (uint32_t)a->seq + 1 : 0;
            {
                uint32_t d, r;
                rt_overlay_stop_time(NULL, tt, l.run, l.board, NULL, &d, NULL, NULL);
                rt_overlay_stop_time(NULL, tt, l.run, l.alight, &r, NULL, NULL, NULL);
                l.sdep = tt->epoch + (int64_t)d;
                l.sarr = tt->epoch + (int64_t)r;
            }
            l.fmode = g->mode;
        } else {
            l.sdep = tt->epoch + (int64_t)g->leg.dep;
            l.sarr = tt->epoch + (int64_t)g->leg.arr;
            l.fmode = RT_FMODE_ROAD;
        }
        wb_leg_from_rt(tt, &l, &w->legs[w->nlegs++]);
    }
}

/* The router's best journeys from stop FROM, cargo ready at READY (Unix
 * s), to stop TO for W's cargo, in ORDER.  0 with RES filled, -1. */
static int search(uint32_t from, uint32_t to, int64_t ready, double weight, double teu,
                  int order, struct rt_mc_result *res) {
    const struct rt_timetable *tt = srv_timetable();
    struct rt_mc_query q;
    memset(&q, 0, sizeof(q));
    if (router_net() == NULL || ready < tt->epoch || ready - tt->epoch > (int64_t)UINT32_MAX - 1)
        return -1;
    q.from = from;
    q.to = to;
    q.depart = (uint32_t)(ready - tt->epoch);
    q.weight_kg = weight > 0 ? weight : 1000;
    q.teu = teu;
    if (teu > 0) q.modes = ((1u << RT_FMODE_COUNT) - 1) & ~(1u << RT_FMODE_AIR);
    q.order = order;
    q.slack_factor = -1;
    q.max_days = 120;
    return rt_mc_search(router_net(), srv_overlay(), router_ws(), &q, res);
}

int waybills_book(struct waybill *w, const struct wb_booking *b, struct wb_error *e) {
    const struct rt_timetable *tt = srv_timetable();
    if (tt == NULL) {
        waybill_error(e, "itinerary", "no timetable is loaded");
        return 1;
    }
    if (b->kind == WB_BOOK_ITINERARY) {
        snprintf(w->book, sizeof(w->book), "itinerary");
        if (waybills_itinerary_legs(tt, b->itinerary, w, e) != 0) return -1;
        uint32_t f = rt_stop_find(tt, w->legs[0].from), t = rt_stop_find(tt, w->legs[w->nlegs - 1].to);
        if (!stop_is(tt, f, w->origin) && strcmp(w->legs[0].from, w->origin) != 0) {
            waybill_error(e, "itinerary.legs[0].from", "is %.20s, not the origin %.20s", w->legs[0].from,
                    w->origin);
            return -1;
        }
        if (!stop_is(tt, t, w->destination) && strcmp(w->legs[w->nlegs - 1].to, w->destination) != 0) {
            waybill_error(e, "itinerary.legs", "the last leg ends at %.20s, not the destination %.20s",
                    w->legs[w->nlegs - 1].to, w->destination);
            return -1;
        }
        if (w->legs[0].sched_dep < w->departure) {
            waybill_error(e, "itinerary.legs[0]", "departs before the waybill's departure (cargo ready)");
            return -1;
        }
        return 0;
    }
    {
        static const char *const names[] = {"", "", "fastest", "cheapest", "greenest"};
        int order = b->kind == WB_BOOK_CHEAPEST ? RT_MC_BY_COST
                    : b->kind == WB_BOOK_GREENEST ? RT_MC_BY_CO2 : RT_MC_BY_TIME;
        uint32_t f = rt_stop_find(tt, w->origin), t = rt_stop_find(tt, w->destination);
        struct rt_mc_result *res;
        if (f == RT_NONE || t == RT_NONE) {
            waybill_error(e, f == RT_NONE ? "origin" : "destination", "%.20s has no scheduled service",
                    f == RT_NONE ? w->origin : w->destination);
            return 1;
        }
        if ((res = malloc(sizeof(*res))) == NULL) {
            waybill_error(e, "book", "out of memory");
            return 1;
        }
        if (search(f, t, w->departure, w->cargo.weight_kg, w->cargo.teu, order, res) != 0 ||
            res->n == 0) {
            free(res);
            waybill_error(e, "book", "no service connects %.20s to %.20s from the departure on, freight "
                    "times included", w->origin, w->destination);
            return 1;
        }
        legs_from_journey(tt, &res->j[0], w, 0);
        free(res);
        snprintf(w->book, sizeof(w->book), "%s", names[b->kind <= WB_BOOK_GREENEST ? b->kind : 2]);
        return 0;
    }
}

int waybills_book_proposal(struct waybill *w, const char *props, int k, struct wb_error *e) {
    const struct rt_timetable *tt = srv_timetable();
    json_t *p = props && *props ? json_loads(props, 0, NULL) : NULL;
    const json_t *list = json_object_get(p, "itineraries");
    const json_t *it = json_array_get(list, (size_t)k);
    int keep = (int)json_integer_value(json_object_get(p, "keep_legs"));
    struct waybill tmp = *w;
    int rc = -1;
    if (tt == NULL || it == NULL || keep < 0 || keep > w->nlegs) {
        waybill_error(e, "accept_proposal", "no proposal %d: the waybill has %zu", k,
                json_array_size(list));
        goto done;
    }
    tmp.nlegs = 0;
    if (waybills_itinerary_legs(tt, it, &tmp, e) != 0) {
        snprintf(e->field, sizeof(e->field), "accept_proposal");
        goto done;
    }
    if (keep + tmp.nlegs > WB_MAX_LEGS) {
        waybill_error(e, "accept_proposal", "more than %d legs in all", WB_MAX_LEGS);
        goto done;
    }
    memmove(&tmp.legs[keep], &tmp.legs[0], (size_t)tmp.nlegs * sizeof(tmp.legs[0]));
    memcpy(&tmp.legs[0], &w->legs[0], (size_t)keep * sizeof(tmp.legs[0]));
    tmp.nlegs += keep;
    snprintf(tmp.book, sizeof(tmp.book), "proposal");
    *w = tmp;
    rc = 0;
done:
    json_decref(p);
    return rc;
}

/* ---- the ETA and at-risk rules ------------------------------------------------ */

static const char *const src_names[] = {"scheduled", "estimated", "actual"};

static const char *stop_code(const struct rt_timetable *tt, uint32_t s) {
    return s == RT_NONE ? "" : rt_str(tt, tt->stops[s].id);
}

/* Is LOC (an event location: a node code, or a UN/LOCODE naming the
 * port or city as a whole) the place CODE ("CNSHA" is "CNSHA-WGQ")? */
static int same_place(const char *loc, const char *code) {
    size_t n = strlen(loc);
    if (n == 0) return 0;
    if (strcmp(loc, code) == 0) return 1;
    return n == 5 && strncmp(loc, code, 5) == 0 && (code[5] == '\0' || code[5] == '-');
}

/* Recompute E's legs, ETA and risk from the overlay.  Returns 1 when
 * something a reader sees changed. */
static int compute(struct entry *e) {
    const struct rt_timetable *tt = srv_timetable();
    const struct rt_overlay *ov = srv_overlay();
    const struct rt_freight *fr = router_freight();
    int64_t old_eta = e->eta, ready = 0;
    int old_risk = e->at_risk;
    char old_note[sizeof(e->note)];
    int64_t old_times[WB_MAX_LEGS][2];
    int changed = 0, prev_mode = -1;
    char a[40], b[40];

    memcpy(old_note, e->note, sizeof(old_note));
    for (int i = 0; i < e->nlegs; i++) {
        old_times[i][0] = e->legs[i].dep;
        old_times[i][1] = e->legs[i].arr;
    }
    e->at_risk = 0;
    e->risk[0] = '\0';
    e->risk_leg = -1;
    for (int i = 0; i < e->nlegs && tt; i++) {
        struct leg_rt *l = &e->legs[i];
        if (l->run != RT_NONE) {
            uint32_t d = 0, r = 0;
            enum rt_time_source ds = RT_TIME_SCHEDULED, as = RT_TIME_SCHEDULED;
            rt_overlay_stop_time(ov, tt, l->run, l->board, NULL, &d, NULL, &ds);
            rt_overlay_stop_time(ov, tt, l->run, l->alight, &r, NULL, &as, NULL);
            l->dep = tt->epoch + (int64_t)d;
            l->arr = tt->epoch + (int64_t)r;
            l->dep_src = (int)ds;
            l->arr_src = (int)as;
            if (ov && rt_overlay_cancelled(ov, l->run) && !e->at_risk) {
                e->at_risk = 1;
                e->risk_leg = i;
                snprintf(e->risk, sizeof(e->risk), "leg %d (%s) is cancelled", i + 1,
                         rt_str(tt, tt->trips[tt->runs[l->run].trip].id));
            }
            if (i > 0 && !e->at_risk) {
                /* The connection: handling between the modes, or, after a
                 * truck leg, the cut-off of this leg's mode. */
                const char *node = stop_code(tt, l->from);
                int32_t need = 0;
                if (fr && prev_mode == RT_FMODE_ROAD && l->fmode >= 0)
                    need = rt_freight_cutoff(fr, node, (enum rt_fmode)l->fmode, NULL);
                else if (fr && prev_mode >= 0 && l->fmode >= 0)
                    need = rt_freight_handling(fr, node, (enum rt_fmode)prev_mode,
                                               (enum rt_fmode)l->fmode, NULL);
                if (ready + need > l->dep) {
                    e->at_risk = 1;
                    e->risk_leg = i;
                    iso_utc(ready, a, sizeof(a));
                    iso_utc(l->dep, b, sizeof(b));
                    snprintf(e->risk, sizeof(e->risk),
                             "the cargo reaches %s at %s (leg %d); leg %d departs at %s and "
                             "needs it %d h %02d min before",
                             node, a, i, i + 1, b, need / 3600, need / 60 % 60);
                }
            }
            ready = l->arr;
        } else {
            int64_t dur = l->sarr - l->sdep;
            l->dep = l->sdep > ready ? l->sdep : ready;
            l->arr = l->dep + dur;
            l->dep_src = l->dep == l->sdep ? RT_TIME_SCHEDULED : RT_TIME_ESTIMATED;
            l->arr_src = l->dep_src;
            ready = l->arr;
        }
        prev_mode = l->fmode;
    }
    /* The ETA and where it comes from. */
    if (e->nlegs > 0) {
        const struct leg_rt *last = &e->legs[e->nlegs - 1];
        e->eta = last->arr;
        e->eta_src = last->arr_src == RT_TIME_OBSERVED ? "actual"
                     : last->arr_src == RT_TIME_ESTIMATED ? "propagated" : "scheduled";
        if (last->arr_src == RT_TIME_SCHEDULED)
            snprintf(e->note, sizeof(e->note), "no delay reported on the booked legs: the "
                     "timetable's arrival");
        else if (last->arr_src == RT_TIME_OBSERVED)
            snprintf(e->note, sizeof(e->note), "the last leg's arrival was observed");
        else
            snprintf(e->note, sizeof(e->note), "the last leg arrives %+lld min against the "
                     "timetable: a delay reported on the run, carried forward",
                     (long long)((last->arr - last->sarr) / 60));
    }
    if (e->at_risk) {
        if (e->prop_eta > 0) {
            e->eta = e->prop_eta;
            e->eta_src = "propagated";
            snprintf(e->note, sizeof(e->note), "a booked connection is missed: the ETA of the "
                     "fastest proposal (accept it with PATCH)");
        } else {
            snprintf(e->note, sizeof(e->note), "a booked connection is missed and no other "
                     "itinerary is known yet: the booked arrival, which cannot hold");
        }
    }
    if (e->carrier_eta > 0 && !e->arrived) {
        e->eta = e->carrier_eta;
        e->eta_src = "carrier";
        snprintf(e->note, sizeof(e->note), "the carrier's own estimate of the arrival at %s",
                 e->dest);
    }
    if (e->arrived) {
        e->eta = e->arrived;
        e->eta_src = "actual";
        snprintf(e->note, sizeof(e->note), "arrived at %s: reported by the carrier", e->dest);
    }
    changed = e->eta != old_eta || e->at_risk != old_risk || strcmp(e->note, old_note) != 0;
    for (int i = 0; i < e->nlegs && !changed; i++)
        changed = old_times[i][0] != e->legs[i].dep || old_times[i][1] != e->legs[i].arr;
    return changed;
}

/* ---- rendering the tracking part -------------------------------------------- */

/* The node of an event location: its code, or for a UN/LOCODE the first
 * node of that place ("CNSHA" -> "CNSHA-WGQ"). */
static const struct geo_node *place_node(const char *code) {
    const struct geo_network *gn = srv_network();
    const struct geo_node *n;
    if (!code[0] || gn == NULL) return NULL;
    if ((n = geo_node_find(&gn->nodes, code)) != NULL || strlen(code) != 5) return n;
    for (size_t i = 0; i < gn->nodes.n; i++)
        if (strncmp(gn->nodes.v[i].code, code, 5) == 0 && gn->nodes.v[i].code[5] == '-')
            return &gn->nodes.v[i];
    return NULL;
}

static void sb_location(struct sb *s, const char *code, int full) {
    const struct geo_node *n = place_node(code);
    if (!code[0]) {
        sb_printf(s, "null");
        return;
    }
    if (full) {
        sb_printf(s, "{\"code\":");
        sb_str(s, code);
        sb_printf(s, ",\"name\":");
        sb_str(s, n ? n->name_en : NULL);
        sb_printf(s, ",\"country\":");
        sb_str(s, n ? n->country : NULL);
        if (n) sb_printf(s, ",\"lat\":%.5f,\"lon\":%.5f", n->lat, n->lon);
        sb_printf(s, "}");
    } else {
        /* Coarse: the place's name and country, no code or coordinates. */
        char cc[3] = {code[0], code[1], '\0'};
        sb_printf(s, "{\"name\":");
        sb_str(s, n ? n->name_en : NULL);
        sb_printf(s, ",\"country\":");
        sb_str(s, n ? n->country : cc);
        sb_printf(s, "}");
    }
}

/* E's tracking state: the full (FULL 1) or public JSON into S. */
static void render_live(const struct entry *e, int full, struct sb *s) {
    const struct rt_timetable *tt = srv_timetable();
    uint32_t dest_stop = e->nlegs ? e->legs[e->nlegs - 1].to : RT_NONE;
    sb_printf(s, "{\"status\":");
    sb_str(s, e->status >= 0 ? carrier_status_name((enum carrier_status)e->status) : NULL);
    sb_printf(s, ",\"status_time\":");
    sb_time(s, tt, RT_NONE, e->status >= 0 ? e->status_time : 0);
    sb_printf(s, ",\"location\":");
    sb_location(s, e->status >= 0 ? e->status_loc : "", full);
    sb_printf(s, ",\"eta\":");
    sb_time(s, tt, dest_stop, e->eta);
    sb_printf(s, ",\"eta_source\":");
    sb_str(s, e->eta ? e->eta_src : NULL);
    if (full) {
        sb_printf(s, ",\"eta_confidence\":");
        sb_str(s, e->note);
    }
    sb_printf(s, ",\"at_risk\":%s", e->at_risk ? "true" : "false");
    if (full) {
        sb_printf(s, ",\"risk_reason\":");
        sb_str(s, e->at_risk ? e->risk : NULL);
        sb_printf(s, ",\"legs\":[");
        for (int i = 0; i < e->nlegs; i++) {
            const struct leg_rt *l = &e->legs[i];
            sb_printf(s, "%s{\"departure\":", i ? "," : "");
            sb_time(s, tt, l->from, l->dep);
            sb_printf(s, ",\"departure_source\":\"%s\",\"arrival\":", src_names[l->dep_src % 3]);
            sb_time(s, tt, l->to, l->arr);
            sb_printf(s, ",\"arrival_source\":\"%s\",\"delay_min\":%lld}", src_names[l->arr_src % 3],
                      (long long)((l->arr - l->sarr) / 60));
        }
        char cs[1024];
        customs_waybill_state(e->number, cs, sizeof(cs));
        sb_printf(s, "],\"customs\":");
        sb_put(s, cs, strlen(cs));
    }
    sb_printf(s, "}");
}

/* The compact state kept beside the rendered views, to rebuild the engine:
 * status, status time, location, carrier ETA, arrival. */
static void render_state(const struct entry *e, char *buf, size_t len) {
    snprintf(buf, len, "%d|%lld|%s|%lld|%lld|%d", e->status, (long long)e->status_time,
             e->status_loc, (long long)e->carrier_eta, (long long)e->arrived, e->carrier_eta_arr);
}

static void parse_state(struct entry *e, const char *s) {
    long long st, ce, ar;
    int status, arr = 0;
    char loc[CARRIER_REF_VALUE] = "";
    if (s == NULL || sscanf(s, "%d|%lld|%63[^|]|%lld|%lld|%d", &status, &st, loc, &ce, &ar, &arr) < 5) {
        if (s == NULL || sscanf(s, "%d|%lld||%lld|%lld|%d", &status, &st, &ce, &ar, &arr) < 4) return;
        loc[0] = '\0';
    }
    e->carrier_eta_arr = arr != 0;
    e->status = status >= 0 && status < CS_COUNT ? status : -1;
    e->status_time = st;
    snprintf(e->status_loc, sizeof(e->status_loc), "%s", loc);
    e->carrier_eta = ce;
    e->arrived = ar;
}

/* ---- publishing changes ---------------------------------------------------------- */

/* States computed in one loop turn: written to Redis in one go, then
 * told to streams and webhooks. */
struct pub_item {
    struct entry *e;
    int64_t old_eta;
    uint64_t pubw_hash, st_hash;
    char *live, *livepub, *state, *props;   /* owned; props NULL: unchanged */
};

struct pub {
    struct pub_item *it;
    struct store_wb_live *v;
    size_t n, cap;
};

static void pub_free(struct pub *p) {
    for (size_t i = 0; i < p->n; i++) {
        free(p->it[i].live);
        free(p->it[i].livepub);
        free(p->it[i].state);
        free(p->it[i].props);
    }
    free(p->it);
    free(p->v);
    memset(p, 0, sizeof(*p));
}

/* Queue E's state (and PROPS, taken over, may be NULL) for writing. */
static int pub_add(struct pub *p, struct entry *e, int64_t old_eta, char *props) {
    struct pub_item *it;
    struct sb s;
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 16;
        struct pub_item *ni = realloc(p->it, nc * sizeof(*ni));
        if (ni == NULL) goto fail;
        p->it = ni;
        p->cap = nc;
    }
    it = &p->it[p->n];
    memset(it, 0, sizeof(*it));
    {
        /* Rendered here, kept at their size: 10,000 waybills of a fan-out
         * wait for Redis together. */
        static char lbuf[LIVE_MAX], pbuf[1024], stbuf[256];
        sb_init(&s, lbuf, sizeof(lbuf));
        render_live(e, 1, &s);
        sb_init(&s, pbuf, sizeof(pbuf));
        render_live(e, 0, &s);
        render_state(e, stbuf, sizeof(stbuf));
        it->live = strdup(lbuf);
        it->livepub = strdup(pbuf);
        it->state = strdup(stbuf);
    }
    if (!it->live || !it->livepub || !it->state) {
        free(it->live);
        free(it->livepub);
        free(it->state);
        goto fail;
    }
    it->e = e;
    it->old_eta = old_eta;
    it->props = props;
    p->n++;
    return 0;
fail:
    free(props);
    return -1;
}

/* The store's view of P's items (made once all are added). */
static int pub_seal(struct pub *p) {
    free(p->v);
    if ((p->v = calloc(p->n ? p->n : 1, sizeof(*p->v))) == NULL) return -1;
    for (size_t i = 0; i < p->n; i++) {
        struct pub_item *it = &p->it[i];
        const struct entry *e = it->e;
        it->pubw_hash = crypto_fnv1a64(CRYPTO_FNV64_OFFSET, it->livepub, strlen(it->livepub));
        it->st_hash = crypto_fnv1a64(CRYPTO_FNV64_OFFSET, it->state, strlen(it->state));
        p->v[i] = (struct store_wb_live){
            .number = e->number, .tenant = e->tenant, .live = it->live,
            .livepub = it->pubw_hash == e->pubw_hash ? NULL : it->livepub,
            .state = it->st_hash == e->st_hash ? NULL : it->state,
            .status = e->status >= 0 ? carrier_status_name((enum carrier_status)e->status) : "",
            .proposals = it->props, .eta = e->eta, .at_risk = e->at_risk,
            .eta_src = e->eta_src, .at = (long long)time(NULL),
            .eta_moved = it->old_eta != e->eta && e->eta > 0};
    }
    return 0;
}

/* Tell streams and webhooks about P's changes (after Redis has them). */
static void pub_notify(const struct pub *p) {
    for (size_t i = 0; i < p->n; i++) {
        const struct pub_item *it = &p->it[i];
        struct entry *e = it->e;
        char id[160];
        if (e->dead) continue;
        e->version++;
        snprintf(id, sizeof(id), "eta:%s:%u", e->number, e->version);
        {
            /* Public streams hear only of what they can see change. */
            uint64_t h = crypto_fnv1a64(CRYPTO_FNV64_OFFSET, it->livepub, strlen(it->livepub));
            sse_publish(e->number, "tracking", id, it->live, h != e->pub_hash ? it->livepub : NULL);
            e->pub_hash = h;
        }
        if (it->old_eta != e->eta && webhooks_subscribed()) {
            char o[40] = "", nw[40] = "";
            json_t *data;
            if (it->old_eta) iso_utc(it->old_eta, o, sizeof(o));
            if (e->eta) iso_utc(e->eta, nw, sizeof(nw));
            data = json_pack("{s:s, s:s?, s:s?, s:s, s:b, s:s?}", "waybill", e->number,
                             "eta_before", o[0] ? o : NULL, "eta", nw[0] ? nw : NULL,
                             "eta_source", e->eta_src ? e->eta_src : "scheduled", "at_risk",
                             e->at_risk, "risk_reason", e->at_risk ? e->risk : NULL);
            struct wh_notice n = {.kind = WH_ETA, .id = id, .waybill = e->number,
                                  .tenant = e->tenant, .account = e->account, .status = "",
                                  .eta_old = it->old_eta, .eta_new = e->eta, .data = data};
            webhooks_notify(&n);
            json_decref(data);
        }
    }
}

struct pub_write {
    struct pub p;
    uint64_t t0_us;
    uint32_t run;
    store_done_cb *cb;
    void *arg;
};

static uint64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void propose(const struct pub *p);

static void pub_written(int status, void *arg) {
    struct pub_write *w = arg;
    if (status == STORE_OK) {
        stats.states_written += w->p.n;
        for (size_t i = 0; i < w->p.n; i++) {
            w->p.it[i].e->pubw_hash = w->p.it[i].pubw_hash;
            w->p.it[i].e->st_hash = w->p.it[i].st_hash;
            w->p.it[i].e->dirty = 0;
        }
        if (w->run != RT_NONE) {
            stats.fanouts++;
            stats.last_fanout_ms = (double)(mono_us() - w->t0_us) / 1000.0;
            log_event("info", "eta_fanout", "run %u: %zu waybills recomputed and stored in %.1f ms",
                      w->run, w->p.n, stats.last_fanout_ms);
        }
        pub_notify(&w->p);
        propose(&w->p);
    } else {
        stats.write_errors++;
        for (size_t i = 0; i < w->p.n; i++) w->p.it[i].e->dirty = 1;
        log_event("warn", "waybill_state_not_stored", "%zu waybill states not stored: %s",
                  w->p.n, store_error_text(status));
    }
    if (w->cb) w->cb(status, w->arg);
    pub_free(&w->p);
    free(w);
}

/* Write P (taken over) and then notify.  CB may be NULL. */
static void pub_send(struct pub *p, uint32_t run, uint64_t t0, store_done_cb *cb, void *arg) {
    struct pub_write *w;
    if (p->n == 0) {
        pub_free(p);
        if (cb) cb(STORE_OK, arg);
        return;
    }
    if ((w = calloc(1, sizeof(*w))) == NULL || pub_seal(p) != 0) {
        free(w);
        pub_free(p);
        if (cb) cb(STORE_ERROR, arg);
        return;
    }
    w->p = *p;
    memset(p, 0, sizeof(*p));
    w->t0_us = t0;
    w->run = run;
    w->cb = cb;
    w->arg = arg;
    store_wb_lives(w->p.v, w->p.n, pub_written, w);
}

/* ---- proposals when a connection breaks ---------------------------------------- */

/* For each entry of P newly at risk without a proposal: search from where
 * the cargo will be (the end of the last leg it still makes) to the
 * destination, keep the best PROPOSALS, and store them with the ETA they
 * give.  One search serves the waybills in the same place at the same
 * time bound for the same stop (a delayed vessel full of them). */
static void propose(const struct pub *p) {
    const struct rt_timetable *tt = srv_timetable();
    struct rt_mc_result *res = NULL;
    struct pub out = {0};
    uint32_t last_from = RT_NONE, last_to = RT_NONE;
    int64_t last_ready = -1, last_eta = 0;
    char *last_json = NULL;
    if (tt == NULL || router_net() == NULL) return;
    for (size_t i = 0; i < p->n; i++) {
        struct entry *e = p->it[i].e;
        int k = e->risk_leg;               /* legs [0, k) are made */
        if (e->dead || !e->at_risk || e->prop_eta != 0 || k <= 0) continue;
        uint32_t from = e->legs[k - 1].to;
        int64_t ready = e->legs[k - 1].arr;
        if (from == RT_NONE || e->dest_stop == RT_NONE) continue;
        if (res == NULL && (res = malloc(sizeof(*res))) == NULL) break;
        if (from != last_from || e->dest_stop != last_to || ready != last_ready) {
            free(last_json);
            last_json = NULL;
            last_eta = 0;
            if (search(from, e->dest_stop, ready, e->weight_kg, e->teu, RT_MC_BY_TIME, res) == 0 &&
                res->n > 0) {
                json_t *list = json_array();
                for (uint32_t j = 0; j < res->n && j < PROPOSALS; j++)
                    json_array_append_new(list, api_routes_itinerary(&res->j[j]));
                json_t *o = json_pack("{s:s, s:o, s:o}", "from", stop_code(tt, from), "ready",
                                      router_time_json(tt, from, (uint32_t)(ready - tt->epoch)),
                                      "itineraries", list);
                last_json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
                json_decref(o);
                last_eta = tt->epoch + (int64_t)res->j[0].arrival;
            }
            last_from = from;
            last_to = e->dest_stop;
            last_ready = ready;
        }
        if (last_json == NULL) continue;
        size_t n = strlen(last_json) + 32;
        char *pj = malloc(n);
        if (pj == NULL) continue;
        /* keep_legs: how many booked legs stay when one is accepted */
        snprintf(pj, n, "{\"keep_legs\":%d,%s", k, last_json + 1);
        int64_t old = e->eta;
        e->prop_eta = last_eta;
        compute(e);
        pub_add(&out, e, old, pj);
    }
    free(last_json);
    free(res);
    if (out.n) pub_send(&out, RT_NONE, mono_us(), NULL, NULL);
}

/* ---- recomputing on change ------------------------------------------------------- */

/* Recompute E; queue it in P when a reader would see a change. */
static void refresh(struct entry *e, struct pub *p, int force) {
    int64_t old = e->eta;
    int was_risk = e->at_risk;
    char old_risk[sizeof(e->risk)];
    char *props = NULL;
    memcpy(old_risk, e->risk, sizeof(old_risk));
    int changed = compute(e);
    if (e->at_risk && (!was_risk || strcmp(old_risk, e->risk) != 0) && e->prop_eta) {
        /* a different break: the old proposals no longer start right */
        e->prop_eta = 0;
        compute(e);
        props = strdup("");
        changed = 1;
    } else if (!e->at_risk && e->prop_eta) {
        e->prop_eta = 0;
        compute(e);
        props = strdup("");
        changed = 1;
    }
    if (changed || force) pub_add(p, e, old, props);
    else free(props);
}

void waybills_refresh(const char *number) {
    struct entry *e = find_entry(number);
    struct pub p = {0};
    if (e == NULL || e->dead) return;
    refresh(e, &p, 1);
    pub_send(&p, RT_NONE, mono_us(), NULL, NULL);
}

void waybills_on_run(uint32_t run) {
    char k[32];
    struct mm_slot *s;
    struct pub p = {0};
    uint64_t t0 = mono_us();
    snprintf(k, sizeof(k), "r:%u", run);
    if ((s = mm_find(&wb.refs, k, 0)) == NULL || s->n == 0) return;
    for (size_t i = 0; i < s->n; i++) refresh(s->v[i], &p, 0);
    pub_send(&p, run, t0, NULL, NULL);
}

/* ---- events reaching waybills ------------------------------------------------------ */

static int number_kind(const char *kind) {
    static const char *const kinds[] = {"bl", "booking", "awb", "hawb", "cim_smgs", "shipment"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i]) == 0) return 1;
    return 0;
}

/* Is event X on run RUN at stop index STOP within one of E's legs? */
static int on_booked_leg(const struct entry *e, uint32_t run, uint32_t stop) {
    for (int i = 0; i < e->nlegs; i++)
        if (e->legs[i].run == run && stop >= e->legs[i].board && stop <= e->legs[i].alight)
            return 1;
    return 0;
}

/* What event X tells waybill E about its status and arrival. */
/* What event X tells waybill E about its status and arrival.  1 when it
 * changed any of them (a duplicate re-served by a feed changes nothing). */
static int apply_event(struct entry *e, const struct carrier_event *x) {
    int at_dest = x->location[0] && same_place(x->location, e->dest);
    int arrival = x->status == CS_ARRIVED || x->status == CS_DISCHARGED ||
                  x->status == CS_DELIVERED || x->status == CS_GATE_OUT;
    int changed = 0;
    if (x->retracted) return 0;
    if (x->classifier == CC_ACTUAL) {
        if ((e->status < 0 || x->event_time >= e->status_time) &&
            (e->status != (int)x->status || e->status_time != x->event_time ||
             strcmp(e->status_loc, x->location) != 0)) {
            e->status = (int)x->status;
            e->status_time = x->event_time;
            snprintf(e->status_loc, sizeof(e->status_loc), "%s", x->location);
            changed = 1;
        }
        if (arrival && at_dest && (e->arrived == 0 || x->event_time < e->arrived)) {
            e->arrived = x->event_time;
            changed = 1;
        }
    } else if (x->classifier == CC_ESTIMATED && at_dest &&
               (x->status == CS_ARRIVED || (x->status == CS_DISCHARGED && !e->carrier_eta_arr)) &&
               (e->carrier_eta != x->event_time || e->carrier_eta_arr != (x->status == CS_ARRIVED))) {
        e->carrier_eta = x->event_time;
        e->carrier_eta_arr = x->status == CS_ARRIVED;
        changed = 1;
    }
    return changed;
}

struct ev_note {
    struct entry *e;
    size_t link;          /* its link: the id */
    const char *status;
    json_t *data;
};

struct ev_job {
    struct pub p;
    struct store_wb_link *links;
    char (*ids)[CARRIER_ID_LEN + 40];   /* per link: SOURCE:ID */
    size_t nlinks, caplinks;
    struct ev_note *notes;
    size_t nnotes, capnotes;
    store_done_cb *cb;
    void *arg;
};

static void ev_job_free(struct ev_job *j) {
    for (size_t i = 0; i < j->nnotes; i++) json_decref(j->notes[i].data);
    free(j->notes);
    free(j->ids);
    free(j->links);
    pub_free(&j->p);
    free(j);
}

/* Room for one more link and note.  0 or -1. */
static int ev_job_grow(struct ev_job *j) {
    if (j->nlinks == j->caplinks) {
        size_t nc = j->caplinks ? j->caplinks * 2 : 16;
        struct store_wb_link *nl = realloc(j->links, nc * sizeof(*nl));
        if (nl == NULL) return -1;
        j->links = nl;
        void *ni = realloc(j->ids, nc * sizeof(*j->ids));
        if (ni == NULL) return -1;
        j->ids = ni;
        j->caplinks = nc;
    }
    if (j->nnotes == j->capnotes) {
        size_t nc = j->capnotes ? j->capnotes * 2 : 16;
        struct ev_note *nn = realloc(j->notes, nc * sizeof(*nn));
        if (nn == NULL) return -1;
        j->notes = nn;
        j->capnotes = nc;
    }
    return 0;
}

static void ev_states_done(int status, void *arg) {
    struct ev_job *j = arg;
    if (status == STORE_OK) {
        for (size_t i = 0; i < j->nnotes; i++) {
            const struct ev_note *no = &j->notes[i];
            struct entry *e = no->e;
            char *js;
            if (e->dead) continue;
            js = json_dumps(no->data, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (js) sse_publish(e->number, "event", j->ids[no->link], js, NULL);
            free(js);
            struct wh_notice n = {.kind = WH_EVENT, .id = j->ids[no->link], .waybill = e->number,
                                  .tenant = e->tenant, .account = e->account,
                                  .status = no->status, .data = no->data};
            webhooks_notify(&n);
        }
    }
    if (j->cb) j->cb(status, j->arg);
    ev_job_free(j);
}

static void ev_links_done(int status, void *arg) {
    struct ev_job *j = arg;
    struct pub p;
    if (status == STORE_OK) stats.links += j->nlinks;
    else stats.write_errors++;
    if (status != STORE_OK) {
        for (size_t i = 0; i < j->p.n; i++) j->p.it[i].e->dirty = 1;
        ev_states_done(status, j);
        return;
    }
    /* member pointers into ids are fixed now that no link is added */
    p = j->p;
    memset(&j->p, 0, sizeof(j->p));
    pub_send(&p, RT_NONE, mono_us(), ev_states_done, j);
}

/* Does X name a consignment (a number or a container)?  Then it is about
 * that consignment only, never about everything on its vehicle. */
static int names_consignment(const struct carrier_event *x) {
    for (int r = 0; r < (int)x->nrefs; r++)
        if (number_kind(x->refs[r].kind) || strcmp(x->refs[r].kind, "container") == 0) return 1;
    return 0;
}

/* The waybills event I names: by a number or a container; or, for a
 * vehicle's own event (one naming no consignment: a vessel departing, a
 * train crossing a border), the run and stop it was placed on, when within
 * a booked leg (every waybill on a full train: no cap).  Into *HIT (grown
 * as needed, *CAP its size); returns how many, or -1 out of memory. */
static long event_hits(const struct wb_event_in *in, struct entry ***hit, size_t *cap) {
    static unsigned mark;
    const struct carrier_event *x = in->ev;
    int vehicle = !names_consignment(x);
    size_t nhit = 0;
    char k[160];
    mark++;
    for (int r = 0; r <= (int)x->nrefs; r++) {
        struct mm_slot *s;
        int by_run = r == (int)x->nrefs;
        if (!by_run) {
            const struct carrier_ref *ref = &x->refs[r];
            if (number_kind(ref->kind)) snprintf(k, sizeof(k), "n:%s", ref->value);
            else if (strcmp(ref->kind, "container") == 0) snprintf(k, sizeof(k), "c:%s", ref->value);
            else continue;
        } else if (vehicle && in->run != RT_NONE) {
            snprintf(k, sizeof(k), "r:%u", in->run);
        } else {
            continue;
        }
        if ((s = mm_find(&wb.refs, k, 0)) == NULL) continue;
        for (size_t m = 0; m < s->n; m++) {
            struct entry *e = s->v[m];
            if (e->hit_mark == mark) continue;
            if (by_run && !on_booked_leg(e, in->run, in->stop)) continue;
            if (nhit == *cap) {
                size_t nc = *cap ? *cap * 2 : 64;
                struct entry **nh = realloc(*hit, nc * sizeof(*nh));
                if (nh == NULL) return -1;
                *hit = nh;
                *cap = nc;
            }
            e->hit_mark = mark;
            (*hit)[nhit++] = e;
        }
    }
    return (long)nhit;
}

void waybills_on_events(const struct wb_event_in *v, size_t n, store_done_cb *cb, void *arg) {
    static unsigned batch_mark;
    struct ev_job *j = calloc(1, sizeof(*j));
    struct entry **seen = NULL, **hit = NULL;
    size_t nseen = 0, capseen = 0, caphit = 0;
    int failed = 0;
    if (j == NULL) {
        cb(STORE_ERROR, arg);
        return;
    }
    j->cb = cb;
    j->arg = arg;
    batch_mark++;
    for (size_t i = 0; i < n && wb.nall > 0 && !failed; i++) {
        const struct carrier_event *x = v[i].ev;
        long nhit = event_hits(&v[i], &hit, &caphit);
        json_t *data = NULL;
        if (nhit < 0) failed = 1;
        if (nhit <= 0) continue;
        if (v[i].fresh) data = json_loadb(v[i].json, v[i].jlen, 0, NULL);
        for (long h = 0; h < nhit && !failed; h++) {
            struct entry *e = hit[h];
            int changed;
            if (ev_job_grow(j) != 0) {
                failed = 1;
                break;
            }
            /* Linked again even when seen before: a resend after a failed
             * link must link (ZADD is idempotent). */
            snprintf(j->ids[j->nlinks], sizeof(j->ids[0]), "%s:%s", x->source, x->event_id);
            j->links[j->nlinks] = (struct store_wb_link){
                .number = e->number, .member = NULL, .score = (double)x->event_time * 1000.0};
            if (data != NULL)
                j->notes[j->nnotes++] = (struct ev_note){
                    .e = e, .link = j->nlinks, .status = carrier_status_name(x->status),
                    .data = json_incref(data)};
            j->nlinks++;
            changed = apply_event(e, x);
            customs_on_event(e->number, x);
            if (e->seen_mark != batch_mark) {
                if (nseen == capseen) {
                    size_t nc = capseen ? capseen * 2 : 16;
                    struct entry **ns = realloc(seen, nc * sizeof(*ns));
                    if (ns == NULL) {
                        failed = 1;
                        break;
                    }
                    seen = ns;
                    capseen = nc;
                }
                e->seen_mark = batch_mark;
                e->seen_changed = 0;
                seen[nseen++] = e;
            }
            e->seen_changed |= changed | e->dirty;
        }
        json_decref(data);
    }
    /* Only waybills whose status, place or estimate moved are written
     * again: a feed that re-serves its window brings the same events back
     * every pull. */
    customs_flush();   /* alerts these events raise show in the states below */
    for (size_t q = 0; q < nseen && !failed; q++) refresh(seen[q], &j->p, seen[q]->seen_changed);
    free(seen);
    free(hit);
    if (failed) {
        ev_states_done(STORE_ERROR, j);
        return;
    }
    if (j->nlinks == 0) {
        ev_states_done(STORE_OK, j);
        return;
    }
    for (size_t i = 0; i < j->nlinks; i++) j->links[i].member = j->ids[i];
    store_wb_links(j->links, j->nlinks, ev_links_done, j);
}

/* ---- briefs (customs, statistics) ------------------------------------------------- */

/* Append stop CODE to B's route unless it is empty or repeats the last. */
static void brief_stop(struct wb_brief *b, const char *code) {
    if (code == NULL || code[0] == 0 || b->nroute == WB_BRIEF_ROUTE) return;
    if (b->nroute > 0 && strcmp(b->route[b->nroute - 1], code) == 0) return;
    snprintf(b->route[b->nroute++], sizeof(b->route[0]), "%s", code);
}

static void brief_of(const struct entry *e, struct wb_brief *b) {
    const struct rt_timetable *tt = srv_timetable();
    int64_t longest = -1;
    memset(b, 0, sizeof(*b));
    snprintf(b->number, sizeof(b->number), "%s", e->number);
    snprintf(b->master, sizeof(b->master), "%s", e->master);
    snprintf(b->tenant, sizeof(b->tenant), "%s", e->tenant);
    snprintf(b->origin, sizeof(b->origin), "%s", e->origin);
    snprintf(b->dest, sizeof(b->dest), "%s", e->dest);
    b->ncontainers = e->ncontainers;
    memcpy(b->containers, e->containers, sizeof(b->containers));
    b->mode = "unknown";
    for (int i = 0; i < e->nlegs; i++) {
        const struct leg_rt *l = &e->legs[i];
        if (tt && l->run != RT_NONE) {
            /* a ride: every stop it passes from boarding to alighting */
            uint32_t n;
            const struct rt_stop_time *st = trip_stops(tt, l->run, &n);
            for (uint32_t k = l->board; k <= l->alight && k < n; k++)
                brief_stop(b, stop_code(tt, st[k].stop));
        } else {
            brief_stop(b, tt && l->from != RT_NONE ? stop_code(tt, l->from)
                                                   : (i == 0 ? e->origin : ""));
            brief_stop(b, tt && l->to != RT_NONE ? stop_code(tt, l->to)
                                                 : (i == e->nlegs - 1 ? e->dest : ""));
        }
        if (l->sarr - l->sdep > longest) {
            longest = l->sarr - l->sdep;
            b->mode = rt_fmode_name(l->fmode < 0 ? RT_FMODE_ROAD : (enum rt_fmode)l->fmode);
        }
    }
    if (e->nlegs > 0) {
        const struct leg_rt *last = &e->legs[e->nlegs - 1];
        b->sched_dep = e->legs[0].sdep;
        b->sched_arr = last->sarr;
        if (e->legs[0].dep_src == RT_TIME_OBSERVED) b->actual_dep = e->legs[0].dep;
    }
    b->weight_kg = e->weight_kg;
    b->created = e->created;
    b->arrived = e->arrived;
    b->eta = e->eta;
    b->at_risk = e->at_risk;
}

size_t waybills_lookup(const char *ref, char out[][WB_NUMBER_LEN], size_t max) {
    static const char *const kinds[] = {"n:", "c:"};
    size_t n = 0;
    for (size_t k = 0; k < 2; k++) {
        char key[160];
        struct mm_slot *s;
        snprintf(key, sizeof(key), "%s%s", kinds[k], ref);
        if ((s = mm_find(&wb.refs, key, 0)) == NULL) continue;
        for (size_t i = 0; i < s->n && n < max; i++) {
            const struct entry *e = s->v[i];
            int dup = e->dead;
            for (size_t j = 0; j < n && !dup; j++) dup = strcmp(out[j], e->number) == 0;
            if (!dup) snprintf(out[n++], WB_NUMBER_LEN, "%s", e->number);
        }
    }
    return n;
}

int waybills_brief(const char *number, struct wb_brief *out) {
    struct entry *e = find_entry(number);
    if (e == NULL || e->dead) return -1;
    brief_of(e, out);
    return 0;
}

void waybills_each(void (*fn)(const struct wb_brief *b, void *arg), void *arg) {
    struct wb_brief *b = malloc(sizeof(*b));
    if (b == NULL) return;
    for (size_t i = 0; i < wb.nall; i++) {
        if (wb.all[i]->dead) continue;
        brief_of(wb.all[i], b);
        fn(b, arg);
    }
    free(b);
}

/* ---- holding waybills -------------------------------------------------------------- */

/* E's booking facts from W (legs resolved against the timetable). */
static void entry_from(struct entry *e, const struct waybill *w) {
    const struct rt_timetable *tt = srv_timetable();
    snprintf(e->number, sizeof(e->number), "%s", w->number);
    snprintf(e->master, sizeof(e->master), "%s", w->master);
    snprintf(e->tenant, sizeof(e->tenant), "%s", w->tenant);
    snprintf(e->account, sizeof(e->account), "%s", w->consignee.account);
    snprintf(e->dest, sizeof(e->dest), "%s", w->destination);
    snprintf(e->origin, sizeof(e->origin), "%s", w->origin);
    e->created = w->created;
    e->ncontainers = w->ncontainers;
    memcpy(e->containers, w->containers, sizeof(e->containers));
    e->weight_kg = w->cargo.weight_kg;
    e->teu = w->cargo.teu;
    e->nlegs = w->nlegs;
    if (tt != NULL) {
        legs_resolve(tt, w, e->legs);
        e->dest_stop = rt_stop_find(tt, w->destination);
        if (e->dest_stop == RT_NONE && w->nlegs > 0) e->dest_stop = e->legs[w->nlegs - 1].to;
    } else {
        e->dest_stop = RT_NONE;
        for (int i = 0; i < w->nlegs; i++) {
            memset(&e->legs[i], 0, sizeof(e->legs[i]));
            e->legs[i].run = e->legs[i].from = e->legs[i].to = RT_NONE;
            e->legs[i].sdep = w->legs[i].sched_dep;
            e->legs[i].sarr = w->legs[i].sched_arr;
            e->legs[i].fmode = RT_FMODE_ROAD;
        }
    }
}

static struct entry *entry_new(void) {
    struct entry *e = calloc(1, sizeof(*e));
    if (e == NULL) return NULL;
    e->status = -1;
    e->risk_leg = -1;
    return e;
}

/* Hold E (new) under its keys.  0 or -1. */
static int hold(struct entry *e) {
    if (wb.nall == wb.capall) {
        size_t nc = wb.capall ? wb.capall * 2 : 256;
        struct entry **na = realloc(wb.all, nc * sizeof(*na));
        if (na == NULL) return -1;
        wb.all = na;
        wb.capall = nc;
    }
    if (mm_add(&wb.by_number, e->number, e) != 0) return -1;
    wb.all[wb.nall++] = e;
    entry_keys(e, key_add, e);
    return 0;
}

int waybills_fields(const struct waybill *w, const char *token_hash, struct wb_fields *out) {
    struct entry *e = entry_new(), *old = find_entry(w->number);
    json_t *doc = waybill_doc(w);
    char *docs = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char *vfull = waybills_view_static(w, 1), *vpub = waybills_view_static(w, 0);
    char *live = malloc(LIVE_MAX), *lp = malloc(1024), *st = malloc(256);
    struct sb s;
    size_t k = 0;

    memset(out, 0, sizeof(*out));
    json_decref(doc);
    if (!e || !docs || !vfull || !vpub || !live || !lp || !st) {
        free(e);
        free(docs);
        free(vfull);
        free(vpub);
        free(live);
        free(lp);
        free(st);
        return -1;
    }
    entry_from(e, w);
    if (old != NULL) {      /* an amendment keeps what the cargo did */
        e->status = old->status;
        e->status_time = old->status_time;
        memcpy(e->status_loc, old->status_loc, sizeof(e->status_loc));
        e->carrier_eta = old->carrier_eta;
        e->carrier_eta_arr = old->carrier_eta_arr;
        e->arrived = old->arrived;
    }
    compute(e);
    sb_init(&s, live, LIVE_MAX);
    render_live(e, 1, &s);
    sb_init(&s, lp, 1024);
    render_live(e, 0, &s);
    render_state(e, st, 256);
    out->own[out->nown++] = docs;
    out->own[out->nown++] = vfull;
    out->own[out->nown++] = vpub;
    out->own[out->nown++] = live;
    out->own[out->nown++] = lp;
    out->own[out->nown++] = st;
#define FV(name, val) (out->fv[k++] = (name), out->fv[k++] = (val))
    FV("doc", docs);
    FV("vfull", vfull);
    FV("vpub", vpub);
    FV("live", live);
    FV("livepub", lp);
    FV("st", st);
    FV("tenant", w->tenant);
    FV("account", w->consignee.account);
    if (token_hash) FV("tok", token_hash);
    FV("status", e->status >= 0 ? carrier_status_name((enum carrier_status)e->status) : "");
    FV("dest", w->destination);
    FV("risk", e->at_risk ? "1" : "0");
    snprintf(out->nums[0], sizeof(out->nums[0]), "%lld", (long long)e->eta);
    FV("eta", out->nums[0]);
    FV("eta_src", e->eta_src ? e->eta_src : "");
    FV("proposals", "");
    snprintf(out->nums[1], sizeof(out->nums[1]), "%d", w->version);
    FV("version", out->nums[1]);
#undef FV
    out->nfv = k;
    free(e);
    return 0;
}

void waybills_fields_free(struct wb_fields *f) {
    for (size_t i = 0; i < f->nown; i++) free(f->own[i]);
    f->nown = 0;
}

static void backfill_done(int status, void *arg) {
    (void)status;
    (void)arg;
}

/* Events stored before the waybill existed: about its number and its
 * containers (each subject's newest 1000). */
struct backfill {
    int left;
};

static void backfill_got(int status, const char *const *v, const size_t *lens, size_t n,
                         void *arg) {
    struct backfill *b = arg;
    if (status == STORE_OK && n > 0) {
        struct carrier_event *ev = calloc(n, sizeof(*ev));
        struct wb_event_in *in = calloc(n, sizeof(*in));
        size_t m = 0;
        for (size_t i = 0; ev && in && i < n; i++) {
            json_t *j = json_loadb(v[i], lens[i], 0, NULL);
            char why[200];
            if (j && carrier_event_from_json(j, &ev[m], why, sizeof(why)) == 0) {
                in[m] = (struct wb_event_in){.ev = &ev[m], .json = v[i], .jlen = lens[i],
                                             .run = RT_NONE, .stop = 0, .fresh = 0};
                m++;
            }
            json_decref(j);
        }
        if (m) waybills_on_events(in, m, backfill_done, NULL);
        free(ev);
        free(in);
    }
    if (--b->left == 0) free(b);
}

static void backfill(const struct entry *e) {
    struct backfill *b = calloc(1, sizeof(*b));
    static const char *const kinds[] = {"bl", "awb", "hawb", "cim_smgs", "shipment"};
    if (b == NULL) return;
    b->left = 1 + e->ncontainers + (int)(sizeof(kinds) / sizeof(kinds[0]));
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        store_events_about(kinds[i], e->number, 1000, backfill_got, b);
    for (int i = 0; i < e->ncontainers; i++)
        store_events_about("container", e->containers[i], 1000, backfill_got, b);
    if (--b->left == 0) free(b);
}

void waybills_put(const struct waybill *w, int created) {
    struct entry *e = find_entry(w->number);
    if (e != NULL) {
        entry_keys(e, key_del, e);
        entry_from(e, w);
        e->prop_eta = 0;
        entry_keys(e, key_add, e);
        compute(e);
        e->version++;
    } else {
        if ((e = entry_new()) == NULL) {
            log_event("error", "waybill_hold_failed", "out of memory");
            return;
        }
        entry_from(e, w);
        compute(e);
        if (hold(e) != 0) {
            log_event("error", "waybill_hold_failed", "out of memory");
            free(e);
            return;
        }
    }
    if (created) {
        backfill(e);
        customs_on_waybill(w->number);
    }
    {
        /* Written again with the engine's own state, which also tells live
         * pages of the (re)booking and proposes itineraries if the new
         * booking is itself broken. */
        struct pub p = {0};
        if (pub_add(&p, e, e->eta, NULL) == 0) pub_send(&p, RT_NONE, mono_us(), NULL, NULL);
        else pub_free(&p);
    }
}

/* ---- views ------------------------------------------------------------------------- */

char *waybills_view_static(const struct waybill *w, int full) {
    const struct rt_timetable *tt = srv_timetable();
    json_t *o = json_object(), *legs = json_array(), *cont = json_array(), *hs = json_array();
    char buf[40], *s;
    if (!o || !legs || !cont || !hs) goto oom;
    json_object_set_new(o, "number", json_string(w->number));
    json_object_set_new(o, "type", json_string(waybill_type_name(w->type)));
    json_object_set_new(o, "view", json_string(full ? "full" : "public"));
    if (w->master[0]) json_object_set_new(o, "master", json_string(w->master));
    json_object_set_new(o, "origin", json_string(w->origin));
    json_object_set_new(o, "destination", json_string(w->destination));
    json_object_set_new(o, "shipper", waybill_party_json(&w->shipper, !full));
    json_object_set_new(o, "consignee", waybill_party_json(&w->consignee, !full));
    /* the booked route: the public view has it too (a map of where the
     * cargo goes, no carrier or trip), the full view with carrier and trip */
    for (int i = 0; i < w->nlegs; i++) {
        const struct wb_leg *g = &w->legs[i];
        uint32_t f = tt ? rt_stop_find(tt, g->from) : RT_NONE;
        uint32_t t = tt ? rt_stop_find(tt, g->to) : RT_NONE;
        char d[40], a[40];
        time_format_iso8601(g->sched_dep, zone_offset(stop_zone(tt, f), g->sched_dep), d,
                            sizeof(d));
        time_format_iso8601(g->sched_arr, zone_offset(stop_zone(tt, t), g->sched_arr), a,
                            sizeof(a));
        json_array_append_new(
            legs, json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s}", "mode", g->mode,
                            "carrier", full && g->carrier[0] ? g->carrier : NULL, "trip_id",
                            full && g->trip_id[0] ? g->trip_id : NULL, "run_id",
                            full && g->run_id[0] ? g->run_id : NULL, "from", g->from, "to", g->to,
                            "scheduled_departure", d, "scheduled_arrival", a));
    }
    json_object_set_new(o, "legs", json_incref(legs));
    if (full) {
        for (int i = 0; i < w->cargo.nhs; i++) json_array_append_new(hs, json_string(w->cargo.hs[i]));
        json_object_set_new(o, "cargo", json_pack("{s:i, s:f, s:f, s:f, s:O}", "pieces",
                                                  w->cargo.pieces, "weight_kg", w->cargo.weight_kg,
                                                  "volume_m3", w->cargo.volume_m3, "teu",
                                                  w->cargo.teu, "hs_codes", hs));
        for (int i = 0; i < w->ncontainers; i++)
            json_array_append_new(cont, json_string(w->containers[i]));
        json_object_set_new(o, "containers", json_incref(cont));
        time_format_iso8601(w->departure, 0, buf, sizeof(buf));
        json_object_set_new(o, "departure", json_string(buf));
        json_object_set_new(o, "book", json_string(w->book));
        time_format_iso8601(w->created, 0, buf, sizeof(buf));
        json_object_set_new(o, "created", json_string(buf));
        time_format_iso8601(w->updated, 0, buf, sizeof(buf));
        json_object_set_new(o, "updated", json_string(buf));
        json_object_set_new(o, "version", json_integer(w->version));
    }
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    json_decref(legs);
    json_decref(cont);
    json_decref(hs);
    return s;
oom:
    json_decref(o);
    json_decref(legs);
    json_decref(cont);
    json_decref(hs);
    return NULL;
}

/* ---- loading at start-up ---------------------------------------------------------- */

struct load {
    char **numbers;
    size_t n, next, inflight;
    int failed;
};

static void load_finish(struct load *l) {
    struct pub p = {0};
    size_t held = wb.nall;
    for (size_t i = 0; i < l->n; i++) free(l->numbers[i]);
    free(l->numbers);
    wb.loading = 0;
    if (l->failed) {
        log_event("warn", "waybills_load_failed", "loading waybills failed; retried at the "
                  "next Redis connect");
        free(l);
        return;
    }
    wb.loaded = 1;
    /* The overlay may have moved since they were stored: recompute all. */
    for (size_t i = 0; i < wb.nall; i++) refresh(wb.all[i], &p, 0);
    log_event("info", "waybills_loaded", "%zu waybills held, %zu states recomputed", held, p.n);
    pub_send(&p, RT_NONE, mono_us(), NULL, NULL);
    free(l);
}

static void load_next(struct load *l);

struct load_batch {
    struct load *l;
    size_t from, n;
};

static void load_got(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    struct load_batch *b = arg;
    struct load *l = b->l;
    if (status != STORE_OK || n != b->n * 3) {
        l->failed = 1;
    } else {
        for (size_t i = 0; i < b->n; i++) {
            const char *number = l->numbers[b->from + i];
            json_t *doc;
            struct waybill *w;
            char why[200];
            if (lens[3 * i] == 0 || find_entry(number) != NULL) continue;
            doc = json_loadb(v[3 * i], lens[3 * i], 0, NULL);
            w = malloc(sizeof(*w));
            if (doc && w && waybill_from_doc(doc, w, why, sizeof(why)) == 0) {
                struct entry *e = entry_new();
                if (e != NULL) {
                    entry_from(e, w);
                    parse_state(e, lens[3 * i + 1] ? v[3 * i + 1] : NULL);
                    /* a stored proposal stands until the risk changes */
                    if (lens[3 * i + 2] > 0) {
                        compute(e);
                        e->prop_eta = e->at_risk ? e->eta : 0;
                    }
                    if (hold(e) != 0) free(e);
                }
            } else {
                log_event("warn", "waybill_unreadable", "waybill %.60s: %s", number,
                          doc ? why : "its document is not JSON");
            }
            free(w);
            json_decref(doc);
        }
    }
    l->inflight--;
    free(b);
    load_next(l);
}

static void load_next(struct load *l) {
    while (!l->failed && l->next < l->n && l->inflight < 2) {
        struct load_batch *b = malloc(sizeof(*b));
        if (b == NULL) {
            l->failed = 1;
            break;
        }
        b->l = l;
        b->from = l->next;
        b->n = l->n - l->next < 500 ? l->n - l->next : 500;
        l->next += b->n;
        l->inflight++;
        store_wb_load((const char *const *)&l->numbers[b->from], b->n, load_got, b);
    }
    if (l->inflight == 0 && (l->failed || l->next >= l->n)) load_finish(l);
}

static void numbers_got(int status, const char *const *v, const size_t *lens, size_t n,
                        void *arg) {
    struct load *l = arg;
    if (status != STORE_OK) {
        l->failed = 1;
        load_finish(l);
        return;
    }
    l->numbers = calloc(n ? n : 1, sizeof(*l->numbers));
    for (size_t i = 0; l->numbers && i < n; i++) {
        if ((l->numbers[i] = strndup(v[i], lens[i])) == NULL) {
            l->failed = 1;
            break;
        }
        l->n++;
    }
    if (l->numbers == NULL) l->failed = 1;
    load_next(l);
}

static void on_ready(void) {
    struct load *l;
    if (wb.loaded || wb.loading) return;
    if ((l = calloc(1, sizeof(*l))) == NULL) return;
    wb.loading = 1;
    store_wb_numbers(numbers_got, l);
}

int waybills_start(void) { return store_on_ready(on_ready); }

void waybills_stop(void) {
    for (size_t i = 0; i < wb.nall; i++) free(wb.all[i]);
    free(wb.all);
    mm_free(&wb.by_number);
    mm_free(&wb.refs);
    memset(&wb, 0, sizeof(wb));
}
