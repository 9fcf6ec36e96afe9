/* api_routes.c -- GET /v1/routes: multimodal freight itineraries over the
 * loaded timetable and its real-time overlay (routing/mc.c through
 * server/router.c), with leg geometry from geodata/.
 *
 *   depart=T            the Pareto set of journeys for cargo ready at T;
 *   depart=T&window=D   every Pareto-optimal journey for cargo ready at any
 *                       time in [T, T+D]: latest ready time is then a fifth
 *                       criterion (later is better);
 *   arrive_by=T         the latest ready time from which the cargo is
 *                       available at the destination by T, and the journeys
 *                       from then that make it.
 * Parameters and answer: docs/openapi.yaml; rules: routing/mc.h. */
#include "api.h"
#include "event_trips.h"
#include "trips.h"
#include "geodata/network.h"
#include "http.h"
#include "route_cache.h"
#include "route_params.h"
#include "router.h"
#include "routing/mc.h"
#include "server.h"
#include "geodata/timefmt.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITINERARIES 20   /* in one answer */
#define MAX_WINDOW_DAYS 14   /* window= */
#define MAX_SWEEPS 48        /* searches of one window query */
#define MAX_DAYS 90          /* journeys available at most this long after ready */
#define DEFAULT_WEIGHT_KG 1000.0
#define KG_PER_TEU 10000.0   /* an average loaded TEU, when only teu= is given */

/* A query, checked.  q.override points at ov inside the same struct, so a
 * route_query lives where parse() filled it (api_routes mallocs it). */
struct route_query {
    uint32_t from, to;
    int64_t when, window; /* Unix seconds; window -1: none */
    int arrive_by;
    struct rt_mc_query q;
    struct rt_freight_override ov;
    /* Timetable seconds of the connections the answer depended on: every
     * search widens it to its ready time and scan end (the cache key's
     * invalidation window). */
    uint32_t span_t0, span_t1;
};

/* The leg's line, [[lon, lat], ...]: the lane path when geodata knows both
 * places by this mode, else the geodesic between the stops. */
static json_t *leg_line_build(const struct rt_timetable *tt, const struct geo_network *net,
                              enum geo_mode mode, uint32_t from, uint32_t to) {
    const struct rt_stop *a = &tt->stops[from], *b = &tt->stops[to];
    struct geo_route r;
    struct geo_line own = {0};
    const struct geo_line *line = &own;
    json_t *coords = json_array();
    char why[256];
    int routed = geo_network_route(net, rt_str(tt, a->id), rt_str(tt, b->id), mode, &r, why,
                                   sizeof(why)) == GEO_OK;
    if (routed)
        line = &r.line;
    else if (isnan(a->lat) || isnan(b->lat) ||
             geo_line_geodesic(&own, a->lat, a->lon, b->lat, b->lon,
                               net->params.densify_km * 1000.0) != 0)
        own.n = 0;
    for (size_t i = 0; i < line->n; i++)
        json_array_append_new(coords, json_pack("[f,f]", round(line->xy[2 * i] * 1e6) / 1e6,
                                                round(line->xy[2 * i + 1] * 1e6) / 1e6));
    if (routed) geo_route_free(&r);
    geo_line_free(&own);
    return coords;
}

/* Lines already built, by (from, to, mode): a lane path is a shortest
 * path over the lane graph plus densifying, the larger part of answering a
 * query, and the same legs come back in every answer.  jansson counts
 * references, so one array serves every answer that holds it.  The
 * timetable is fixed, so entries never go stale; the table stops growing at
 * LINE_CACHE_MAX and later lines are built each time. */
#define LINE_CACHE_MAX 65536

static struct line_slot {
    uint32_t from, to; /* from == RT_NONE: empty */
    uint8_t mode;
    json_t *coords;
} *line_cache;
static size_t line_cache_cap, line_cache_n;

static json_t *leg_line(const struct rt_timetable *tt, const struct geo_network *net,
                        enum geo_mode mode, uint32_t from, uint32_t to) {
    if (line_cache == NULL) {
        line_cache_cap = 2 * LINE_CACHE_MAX;
        line_cache = malloc(line_cache_cap * sizeof(*line_cache));
        if (line_cache == NULL) return leg_line_build(tt, net, mode, from, to);
        for (size_t i = 0; i < line_cache_cap; i++) line_cache[i].from = RT_NONE;
    }
    size_t h = ((size_t)from * 2654435761u ^ (size_t)to * 40503u ^ (size_t)mode) &
               (line_cache_cap - 1);
    for (; line_cache[h].from != RT_NONE; h = (h + 1) & (line_cache_cap - 1))
        if (line_cache[h].from == from && line_cache[h].to == to && line_cache[h].mode == mode)
            return json_incref(line_cache[h].coords);
    json_t *coords = leg_line_build(tt, net, mode, from, to);
    if (line_cache_n < LINE_CACHE_MAX) {
        line_cache[h].from = from;
        line_cache[h].to = to;
        line_cache[h].mode = (uint8_t)mode;
        line_cache[h].coords = json_incref(coords);
        line_cache_n++;
    }
    return coords;
}

void api_routes_free(void) {
    for (size_t i = 0; line_cache && i < line_cache_cap; i++)
        if (line_cache[i].from != RT_NONE) json_decref(line_cache[i].coords);
    free(line_cache);
    line_cache = NULL;
    line_cache_n = 0;
}

static const char *const src_names[] = {"scheduled", "estimated", "observed"};

/* Connection K of a result (past tt->conns: the overlay's side array). */
static const struct rt_connection *conn_of(const struct rt_timetable *tt, struct rt_overlay *ov,
                                           uint32_t k) {
    uint32_t n = 0;
    const struct rt_ov_conn *side;
    if (k < tt->nconns) return &tt->conns[k];
    side = ov ? rt_overlay_side(ov, &n) : NULL;
    return side && k - tt->nconns < n ? &side[k - tt->nconns].c : NULL;
}

static double money(int64_t cents) { return (double)cents / 100.0; }

static json_t *leg_json(const struct rt_timetable *tt, const struct geo_network *net,
                        struct rt_overlay *ov, const struct rt_mc_leg *g, json_t **coords) {
    const struct rt_leg *l = &g->leg;
    uint32_t sdep = l->dep, sarr = l->arr;
    json_t *leg;
    if (l->kind == RT_LEG_RIDE) {
        const struct rt_trip *trip = &tt->trips[tt->runs[l->run].trip];
        const struct rt_route *route = &tt->routes[trip->route];
        const struct rt_connection *b = conn_of(tt, ov, l->board), *a = conn_of(tt, ov, l->alight);
        if (b) rt_overlay_stop_time(NULL, tt, l->run, b->seq, NULL, &sdep, NULL, NULL);
        if (a) rt_overlay_stop_time(NULL, tt, l->run, (uint32_t)a->seq + 1, &sarr, NULL, NULL, NULL);
        char date[16], run_id[TRIPS_RUN_ID_LEN], start[16];
        event_trip_date(tt, l->run, date, sizeof(date));
        trips_run_id(tt, l->run, date, run_id, sizeof(run_id), start, sizeof(start));
        leg = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "mode",
                        rt_fmode_name((enum rt_fmode)g->mode), "carrier",
                        rt_str(tt, tt->agencies[route->agency].name), "trip_id",
                        rt_str(tt, trip->id), "run_id", run_id, "from",
                        rt_str(tt, tt->stops[l->from].id), "to", rt_str(tt, tt->stops[l->to].id));
        *coords = leg_line(tt, net, (enum geo_mode)g->mode, l->from, l->to);
    } else {
        /* A footpath: truck drayage (routing/drayage.c) or a transfers.txt
         * link between two terminals; no timetable of its own. */
        leg = json_pack("{s:s, s:n, s:n, s:s, s:s}", "mode", "road", "carrier", "trip_id", "from",
                        rt_str(tt, tt->stops[l->from].id), "to", rt_str(tt, tt->stops[l->to].id));
        *coords = leg_line(tt, net, MODE_ROAD, l->from, l->to);
    }
    json_object_set_new(leg, "departure", router_time_json(tt, l->from, l->dep));
    json_object_set_new(leg, "arrival", router_time_json(tt, l->to, l->arr));
    json_object_set_new(leg, "scheduled_departure", router_time_json(tt, l->from, sdep));
    json_object_set_new(leg, "scheduled_arrival", router_time_json(tt, l->to, sarr));
    json_object_set_new(leg, "time_source",
                        json_string(l->dep_src == l->arr_src ? src_names[l->dep_src]
                                                             : "estimated"));
    json_object_set_new(leg, "departure_source", json_string(src_names[l->dep_src]));
    json_object_set_new(leg, "arrival_source", json_string(src_names[l->arr_src]));
    json_object_set_new(leg, "cargo_at_origin", router_time_json(tt, l->from, g->ready));
    json_object_set_new(leg, "customs_dwell_s", json_integer(g->customs_s));
    json_object_set_new(leg, "distance_km", json_real(round(g->km * 10.0) / 10.0));
    json_object_set_new(leg, "cost", json_real(money(g->cost_cents)));
    json_object_set_new(leg, "co2e_kg", json_real((double)g->co2e_g / 1000.0));
    return leg;
}

static json_t *itinerary_json(const struct rt_timetable *tt, const struct geo_network *net,
                              struct rt_overlay *ov, const struct rt_mc_journey *j) {
    json_t *legs = json_array(), *lines = json_array();
    const struct rt_leg *first = &j->legs[0].leg, *last = &j->legs[j->nlegs - 1].leg;
    for (uint32_t i = 0; i < j->nlegs; i++) {
        json_t *coords = NULL;
        json_array_append_new(legs, leg_json(tt, net, ov, &j->legs[i], &coords));
        json_array_append_new(lines, coords);
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:i, s:f, s:f, s:f, s:{s:s, s:o}}",
                     "legs", legs, "ready_by", router_time_json(tt, first->from, j->latest_ready),
                     "departure", router_time_json(tt, first->from, j->departure), "arrival",
                     router_time_json(tt, last->to, j->arrival), "available",
                     router_time_json(tt, last->to, j->available), "duration_s",
                     (json_int_t)j->arrival - (json_int_t)j->departure, "door_to_door_s",
                     (json_int_t)j->available - (json_int_t)j->departure, "transfers",
                     (int)j->nlegs - 1, "cost", money(j->cost_cents), "co2e_kg",
                     (double)j->co2e_g / 1000.0, "distance_km", round(j->km * 10.0) / 10.0,
                     "geometry", "type", "MultiLineString", "coordinates", lines);
}

json_t *api_routes_itinerary(const struct rt_mc_journey *j) {
    return itinerary_json(srv_timetable(), srv_network(), srv_overlay(), j);
}

/* ---- parameters ---- */

/* A positive finite number in [LO, HI] from query parameter NAME, or the
 * default when absent.  0, or -1 with a reply sent. */
static int number_param(struct srv_req *r, const char *name, double lo, double hi, double *out) {
    char *v = srv_query(r, name), err[200];
    int rc = 0;
    if (v == NULL) return 0;
    if ((rc = route_params_number(name, v, lo, hi, out, err, sizeof(err))) != 0)
        srv_reply_error(r, 400, "bad_request", "%s", err);
    free(v);
    return rc;
}

/* Reply to a route_params_* failure RC (-1 bad value, -2 out of memory). */
static int param_error(struct srv_req *r, int rc, const char *err) {
    if (rc == -2)
        srv_reply_error(r, 503, "overloaded", "%s", err);
    else
        srv_reply_error(r, 400, "bad_request", "%s", err);
    return -1;
}

/* modes=sea,rail,...  0, or -1 with a reply sent. */
static int modes_param(struct srv_req *r, unsigned *mask) {
    char *v = srv_query(r, "modes"), err[200];
    int rc = route_params_modes(v, mask, err, sizeof(err));
    free(v);
    return rc == 0 ? 0 : param_error(r, rc, err);
}

/* Freight time overrides: cutoff_h=, release_h=, customs_h= as
 * "MODE:HOURS,..." and handling_h= as "FROM-TO:HOURS,...".  0, or -1 with
 * a reply sent. */
static int override_param(struct srv_req *r, const char *name, struct rt_freight_override *o) {
    char *v = srv_query(r, name), err[200];
    int rc = route_params_override(name, v, o, err, sizeof(err));
    free(v);
    return rc == 0 ? 0 : param_error(r, rc, err);
}

/* Timetable seconds of Unix time T, or -1 outside what the timetable can
 * represent. */
static int64_t to_tt(const struct rt_timetable *tt, int64_t t) {
    if (t < tt->epoch || t - tt->epoch > (int64_t)UINT32_MAX - 1) return -1;
    return t - tt->epoch;
}

static json_t *empty(const char *reason) {
    return json_pack("{s:[], s:s}", "itineraries", "reason", reason);
}

/* Parse and check the request into RQ.  0; 1 when the answer (an error or
 * an empty list) was sent. */
static int parse(struct srv_req *r, struct route_query *rq) {
    const struct rt_timetable *tt = srv_timetable();
    const struct geo_network *net = srv_network();
    char *from = srv_query(r, "from"), *to = srv_query(r, "to");
    char *dep_s = srv_query(r, "depart"), *arr_s = srv_query(r, "arrive_by");
    char *win_s = srv_query(r, "window"), *opt = srv_query(r, "optimize");
    char why[128];
    double max_transfers = RT_MC_MAX_LEGS - 1, weight = -1, teu = 0;
    int rc = 1;

    memset(rq, 0, sizeof(*rq));
    rt_freight_override_init(&rq->ov);
    rq->window = -1;
    if (!from || !to || (!dep_s == !arr_s)) {
        srv_reply_error(r, 400, "bad_request", "%s",
                        !from || !to ? "from and to: required (CODE)"
                                     : "give exactly one of depart and arrive_by (ISO 8601)");
        goto done;
    }
    if (time_parse_iso8601(dep_s ? dep_s : arr_s, &rq->when, why, sizeof(why)) != 0) {
        srv_reply_error(r, 400, "bad_request", "%s: %s", dep_s ? "depart" : "arrive_by", why);
        goto done;
    }
    rq->arrive_by = arr_s != NULL;
    if (win_s != NULL) {
        if (arr_s != NULL) {
            srv_reply_error(r, 400, "bad_request", "window goes with depart, not arrive_by");
            goto done;
        }
        if (time_parse_duration(win_s, &rq->window, why, sizeof(why)) != 0) {
            srv_reply_error(r, 400, "bad_request", "window: %s", why);
            goto done;
        }
        if (rq->window > MAX_WINDOW_DAYS * 86400) {
            srv_reply_error(r, 400, "bad_request", "window: at most %d days", MAX_WINDOW_DAYS);
            goto done;
        }
    }
    rq->q.order = RT_MC_BY_TIME;
    if (opt != NULL && (rq->q.order = rt_mc_order_parse(opt)) < 0) {
        srv_reply_error(r, 400, "bad_request", "optimize: '%.16s' is not one of time, cost, co2",
                        opt);
        goto done;
    }
    if (modes_param(r, &rq->q.modes) != 0 ||
        number_param(r, "max_transfers", 0, RT_MC_MAX_LEGS - 1, &max_transfers) != 0 ||
        number_param(r, "weight_kg", 0.001, 1e7, &weight) != 0 ||
        number_param(r, "teu", 0, 10000, &teu) != 0 ||
        override_param(r, "cutoff_h", &rq->ov) != 0 ||
        override_param(r, "handling_h", &rq->ov) != 0 ||
        override_param(r, "release_h", &rq->ov) != 0 ||
        override_param(r, "customs_h", &rq->ov) != 0)
        goto done;
    if (max_transfers != floor(max_transfers)) {
        srv_reply_error(r, 400, "bad_request", "max_transfers: a whole number 0..%d",
                        RT_MC_MAX_LEGS - 1);
        goto done;
    }
    rq->q.max_legs = (int)max_transfers + 1;
    rq->q.teu = teu;
    rq->q.weight_kg = weight > 0 ? weight : teu > 0 ? teu * KG_PER_TEU : DEFAULT_WEIGHT_KG;
    if (teu > 0) rq->q.modes = (rq->q.modes ? rq->q.modes : (1u << RT_FMODE_COUNT) - 1) &
                               ~(1u << RT_FMODE_AIR); /* containers do not fly */
    if (rq->q.modes == 0 && teu > 0) {
        srv_reply_error(r, 400, "bad_request", "modes: containers (teu) cannot go by air only");
        goto done;
    }
    rq->q.override = &rq->ov;
    /* No slack: the slow cheap options (sea against air) are the point of
     * asking; the network is small enough to scan max_days of it. */
    rq->q.slack_factor = -1;
    rq->q.max_days = MAX_DAYS;

    rq->from = rt_stop_find(tt, from);
    rq->to = rt_stop_find(tt, to);
    if ((rq->from == RT_NONE && !geo_node_find(&net->nodes, from)) ||
        (rq->to == RT_NONE && !geo_node_find(&net->nodes, to))) {
        srv_reply_error(r, 404, "not_found", "no place with code '%.20s'",
                        (rq->from == RT_NONE && !geo_node_find(&net->nodes, from)) ? from : to);
        goto done;
    }
    if (rq->from == RT_NONE || rq->to == RT_NONE) {
        char reason[96];
        snprintf(reason, sizeof(reason), "%.20s has no scheduled service in the timetable",
                 rq->from == RT_NONE ? from : to);
        srv_reply_json(r, 200, empty(reason));
        goto done;
    }
    if (rq->from == rq->to) {
        srv_reply_json(r, 200, empty("from and to are the same place"));
        goto done;
    }
    if (to_tt(tt, rq->when) < 0) {
        srv_reply_json(r, 200, empty("the time is outside the loaded timetable's days"));
        goto done;
    }
    rq->q.from = rq->from;
    rq->q.to = rq->to;
    rc = 0;
done:
    free(from);
    free(to);
    free(dep_s);
    free(arr_s);
    free(win_s);
    free(opt);
    return rc;
}

/* ---- the three kinds of query ---- */

static json_t *basis_json(const struct route_query *rq) {
    json_t *modes = json_array();
    for (int m = 0; m < RT_FMODE_COUNT; m++)
        if (!rq->q.modes || (rq->q.modes & (1u << m)))
            json_array_append_new(modes, json_string(rt_fmode_name((enum rt_fmode)m)));
    static const char *const orders[] = {"time", "cost", "co2"};
    return json_pack("{s:f, s:f, s:o, s:i, s:s, s:s}", "weight_kg", rq->q.weight_kg, "teu",
                     rq->q.teu, "modes", modes, "max_transfers", rq->q.max_legs - 1, "optimize",
                     orders[rq->q.order], "currency", "USD");
}

/* Search from ready time DEPART (timetable seconds) into RES. */
static int search(struct route_query *rq, uint32_t depart, struct rt_mc_result *res) {
    struct rt_mc_query q = rq->q;
    q.depart = depart;
    int rc = rt_mc_search(router_net(), srv_overlay(), router_ws(), &q, res);
    if (depart < rq->span_t0) rq->span_t0 = depart;
    if (res->scan_end > rq->span_t1) rq->span_t1 = res->scan_end;
    return rc;
}

/* arrive_by: the latest ready time whose earliest availability is by T,
 * by bisection (the earliest availability never decreases as the ready
 * time moves later), then that search's journeys available by T. */
static json_t *latest(struct route_query *rq, struct rt_mc_result *res, int *failed) {
    const struct rt_timetable *tt = srv_timetable();
    uint32_t t = (uint32_t)to_tt(tt, rq->when);
    uint32_t lo = t > MAX_DAYS * 86400u ? t - MAX_DAYS * 86400u : 0, hi = t, best = RT_NONE;
    /* hi: a ready time known to be too late (or T itself, never useful
     * past); lo: candidates start here.  Minute steps are enough. */
    if (search(rq, lo, res) != 0) { *failed = 1; return NULL; }
    if (res->earliest > t) return NULL;
    best = lo;
    while (hi - lo > 60) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (search(rq, mid, res) != 0) { *failed = 1; return NULL; }
        if (res->earliest <= t) {
            lo = mid;
            best = mid;
        } else {
            hi = mid;
        }
    }
    if (search(rq, best, res) != 0) { *failed = 1; return NULL; }
    json_t *list = json_array();
    for (uint32_t i = 0; i < res->n && json_array_size(list) < MAX_ITINERARIES; i++)
        if (res->j[i].available <= t)
            json_array_append_new(list, itinerary_json(tt, srv_network(), srv_overlay(),
                                                       &res->j[i]));
    return list;
}

/* window: sweep the ready time through [T, T+W]; after each search the
 * next ready time is one second past the earliest latest-ready of what
 * it found, so each sweep drops at least one departure.  Journeys are kept
 * when no other is as late or later ready and no worse in the four
 * criteria. */
static int worse_or_equal(const struct rt_mc_journey *a, const struct rt_mc_journey *b,
                          uint32_t cap) {
    uint32_t ra = a->latest_ready < cap ? a->latest_ready : cap;
    uint32_t rb = b->latest_ready < cap ? b->latest_ready : cap;
    return ra <= rb && a->available >= b->available && a->nlegs >= b->nlegs &&
           a->cost_cents >= b->cost_cents && a->co2e_g >= b->co2e_g;
}

static json_t *range(struct route_query *rq, struct rt_mc_result *res, int *failed,
                     int *truncated) {
    const struct rt_timetable *tt = srv_timetable();
    uint32_t t = (uint32_t)to_tt(tt, rq->when);
    int64_t end64 = (int64_t)t + rq->window;
    uint32_t end = end64 > (int64_t)UINT32_MAX - 2 ? UINT32_MAX - 2 : (uint32_t)end64;
    struct rt_mc_journey *kept = NULL;
    size_t nkept = 0, cap = 0;
    int sweeps = 0;
    json_t *list = NULL;

    while (t <= end) {
        if (++sweeps > MAX_SWEEPS) {
            *truncated = 1;
            break;
        }
        if (search(rq, t, res) != 0) {
            *failed = 1;
            goto out;
        }
        if (res->truncated) *truncated = 1;
        uint32_t next = UINT32_MAX;
        for (uint32_t i = 0; i < res->n; i++) {
            const struct rt_mc_journey *j = &res->j[i];
            if (j->latest_ready < next) next = j->latest_ready;
            if (j->departure > end) continue; /* leaves after the window */
            int dominated = 0;
            for (size_t k = 0; k < nkept && !dominated; k++)
                dominated = worse_or_equal(j, &kept[k], end);
            if (dominated) continue;
            size_t w = 0;
            for (size_t k = 0; k < nkept; k++)
                if (!worse_or_equal(&kept[k], j, end)) kept[w++] = kept[k];
            nkept = w;
            if (nkept == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct rt_mc_journey *p = realloc(kept, ncap * sizeof(*p));
                if (!p) {
                    *failed = 1;
                    goto out;
                }
                kept = p;
                cap = ncap;
            }
            kept[nkept++] = *j;
        }
        if (res->n == 0 || next == UINT32_MAX) break;
        t = next + 1;
    }
    list = json_array();
    /* By departure, earliest first: the order of a departure board. */
    for (size_t n = 0; n < nkept && json_array_size(list) < MAX_ITINERARIES; n++) {
        size_t best = n;
        for (size_t k = n + 1; k < nkept; k++)
            if (kept[k].departure < kept[best].departure) best = k;
        struct rt_mc_journey tmp = kept[n];
        kept[n] = kept[best];
        kept[best] = tmp;
        json_array_append_new(list, itinerary_json(tt, srv_network(), srv_overlay(), &kept[n]));
    }
    if (nkept > MAX_ITINERARIES) *truncated = 1;
out:
    free(kept);
    return list;
}

/* The cache key of RQ: the timetable and router versions, then every
 * parameter the answer depends on, parsed (so equivalent spellings of
 * one query share an entry). */
static void cache_key(const struct route_query *rq, char *key, size_t len) {
    const struct rt_timetable *tt = srv_timetable();
    const struct rt_freight_override *o = &rq->ov;
    int n = snprintf(key, len, "%sr%016llx:%s:%s:%s:%lld:%lld:m%u:o%d:l%d:kg%.3f:teu%.3f",
                     route_cache_prefix(), (unsigned long long)router_version(),
                     rt_str(tt, tt->stops[rq->from].id), rt_str(tt, tt->stops[rq->to].id),
                     rq->arrive_by ? "by" : "dep", (long long)rq->when, (long long)rq->window,
                     rq->q.modes, rq->q.order, rq->q.max_legs, rq->q.weight_kg, rq->q.teu);
    for (int a = 0; a < RT_FMODE_COUNT && n > 0 && (size_t)n < len; a++) {
        if (o->cutoff_s[a] >= 0) n += snprintf(key + n, len - (size_t)n, ":c%d=%d", a, o->cutoff_s[a]);
        if ((size_t)n < len && o->release_s[a] >= 0)
            n += snprintf(key + n, len - (size_t)n, ":r%d=%d", a, o->release_s[a]);
        if ((size_t)n < len && o->customs_s[a] >= 0)
            n += snprintf(key + n, len - (size_t)n, ":x%d=%d", a, o->customs_s[a]);
        for (int b = 0; b < RT_FMODE_COUNT && (size_t)n < len; b++)
            if (o->handling_s[a][b] >= 0)
                n += snprintf(key + n, len - (size_t)n, ":h%d%d=%d", a, b, o->handling_s[a][b]);
    }
}

/* A cache miss (or no cache): search, answer, and keep the answer. */
static void compute(struct srv_req *r, void *arg) {
    struct route_query *rq = arg;
    const struct rt_timetable *tt = srv_timetable();
    struct rt_mc_result *res = NULL;
    json_t *list = NULL, *o;
    int failed = 0, truncated = 0;

    if (router_net() == NULL || (res = malloc(sizeof(*res))) == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        free(rq);
        return;
    }
    rq->span_t0 = UINT32_MAX;
    rq->span_t1 = 0;
    if (rq->arrive_by) {
        list = latest(rq, res, &failed);
    } else if (rq->window >= 0) {
        list = range(rq, res, &failed, &truncated);
    } else if (search(rq, (uint32_t)to_tt(tt, rq->when), res) != 0) {
        failed = 1;
    } else {
        list = json_array();
        for (uint32_t i = 0; i < res->n && json_array_size(list) < MAX_ITINERARIES; i++)
            json_array_append_new(list, itinerary_json(tt, srv_network(), srv_overlay(),
                                                       &res->j[i]));
        truncated = res->truncated || res->n > MAX_ITINERARIES;
    }
    free(res);
    if (failed) {
        json_decref(list);
        srv_reply_error(r, 503, "overloaded", "route search ran out of memory");
        free(rq);
        return;
    }
    if (list == NULL || json_array_size(list) == 0) {
        json_decref(list);
        o = empty(rq->arrive_by ? "no service makes it by then, freight times included"
                                : "no service connects them in the time searched, freight "
                                  "times included");
    } else {
        o = json_pack("{s:o}", "itineraries", list);
    }
    json_object_set_new(o, "basis", basis_json(rq));
    if (truncated) json_object_set_new(o, "truncated", json_true());
    char *body = json_dumps(o, SRV_JSON_FLAGS);
    json_decref(o);
    if (body == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        free(rq);
        return;
    }
    /* Stored in this same loop turn as the search: a delay applied later
     * invalidates it (route_cache.h). */
    if (rq->span_t0 <= rq->span_t1) {
        char key[600];
        cache_key(rq, key, sizeof(key));
        route_cache_put(key, body, tt->epoch + (int64_t)rq->span_t0,
                        tt->epoch + (int64_t)rq->span_t1);
    }
    srv_reply_raw(r, 200, "application/json", body, strlen(body));
    free(body);
    free(rq);
}

void api_routes(struct srv_req *r) {
    struct route_query *rq = malloc(sizeof(*rq));
    char key[600];
    if (rq == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        return;
    }
    if (parse(r, rq) != 0) {
        free(rq);
        return;
    }
    cache_key(rq, key, sizeof(key));
    route_cache_get(r, key, compute, free, rq);
}
