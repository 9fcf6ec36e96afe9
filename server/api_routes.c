/* api_routes.c -- GET /v1/routes: earliest-arrival itineraries over the
 * loaded timetable (routing/csa.c), with leg geometry from geodata/.
 *
 * depart= gives the earliest arrival, arrive_by= the latest departure,
 * depart= with window= every Pareto-optimal departure in the window.
 * Not yet here (issue 4 continues): optimize other than time, modes,
 * max_transfers, weight/teu, cost and CO2e, the real-time overlay and the
 * Redis result cache.  Those parameters are refused with 501, never
 * silently ignored. */
#include "api.h"
#include "geodata/network.h"
#include "http.h"
#include "routing/csa.h"
#include "routing/profile.h"
#include "routing/tz.h"
#include "server.h"
#include "timefmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct rt_csa_ws *ws;           /* one query at a time: one event loop */
static struct rt_profile_ws *pws;      /* latest departure and range queries */

#define MAX_ITINERARIES 20                /* of a range query */

/* ISO 8601 of timetable time T in the zone of STOP. */
static json_t *stop_time_json(const struct rt_timetable *tt, uint32_t stop, uint32_t t) {
    int64_t utc = tt->epoch + (int64_t)t;
    const char *zone = rt_str(tt, tt->zones[tt->stops[stop].zone].name);
    char buf[40], why[128];
    int off = 0;
    if (rt_tz_offset(zone, utc, &off, why, sizeof(why)) != 0) off = 0;
    time_format_iso8601(utc, off, buf, sizeof(buf));
    return json_string(buf);
}

/* Freight mode of a leg.  GTFS has one "water" type: a water leg whose
 * ends both sit on the river lanes is river, else sea. */
static enum geo_mode leg_mode(const struct rt_timetable *tt, const struct geo_network *net,
                              uint8_t rt_mode, uint32_t from, uint32_t to) {
    const struct geo_node *a, *b;
    const struct geo_graph *river = &net->graph[MODE_RIVER];
    switch (rt_mode) {
    case RT_MODE_RAIL: return MODE_RAIL;
    case RT_MODE_AIR: return MODE_AIR;
    case RT_MODE_ROAD: return MODE_ROAD;
    default: break;
    }
    a = geo_node_find(&net->nodes, rt_str(tt, tt->stops[from].id));
    b = geo_node_find(&net->nodes, rt_str(tt, tt->stops[to].id));
    return (a && b && geo_graph_vertex_of(river, (size_t)(a - net->nodes.v)) >= 0 &&
            geo_graph_vertex_of(river, (size_t)(b - net->nodes.v)) >= 0)
               ? MODE_RIVER
               : MODE_SEA;
}

/* Append the leg's line to COORDS and return its length in metres: the
 * lane path when geodata knows both places by this mode, else the
 * geodesic between the stops' own positions. */
static double leg_line(const struct rt_timetable *tt, const struct geo_network *net,
                       enum geo_mode mode, uint32_t from, uint32_t to, json_t *coords) {
    const struct rt_stop *a = &tt->stops[from], *b = &tt->stops[to];
    struct geo_route r;
    struct geo_line own = {0};
    const struct geo_line *line = &own;
    char why[256];
    double m;
    int routed = geo_network_route(net, rt_str(tt, a->id), rt_str(tt, b->id), mode, &r, why,
                                   sizeof(why)) == GEO_OK;
    if (routed) {
        line = &r.line;
        m = r.metres;
    } else {
        m = geo_inverse(a->lat, a->lon, b->lat, b->lon, NULL, NULL);
        if (geo_line_geodesic(&own, a->lat, a->lon, b->lat, b->lon,
                              net->params.densify_km * 1000.0) != 0)
            own.n = 0;
    }
    for (size_t i = 0; i < line->n; i++)
        json_array_append_new(coords, json_pack("[f,f]", round(line->xy[2 * i] * 1e6) / 1e6,
                                                round(line->xy[2 * i + 1] * 1e6) / 1e6));
    if (routed) geo_route_free(&r);
    geo_line_free(&own);
    return m;
}

/* One itinerary from NLEGS legs (NLEGS >= 1). */
static json_t *itinerary_json(const struct rt_timetable *tt, const struct geo_network *net,
                              const struct rt_leg *all, uint32_t nlegs) {
    json_t *legs = json_array(), *lines = json_array();
    double metres = 0;
    int rides = 0;

    for (uint32_t i = 0; i < nlegs; i++) {
        const struct rt_leg *l = &all[i];
        json_t *coords = json_array(), *leg;
        if (l->kind == RT_LEG_RIDE) {
            const struct rt_trip *trip = &tt->trips[tt->runs[l->run].trip];
            const struct rt_route *route = &tt->routes[trip->route];
            enum geo_mode mode = leg_mode(tt, net, route->mode, l->from, l->to);
            metres += leg_line(tt, net, mode, l->from, l->to, coords);
            leg = json_pack("{s:s, s:s, s:s, s:s, s:s}", "mode", geo_mode_name(mode),
                            "carrier", rt_str(tt, tt->agencies[route->agency].name),
                            "trip_id", rt_str(tt, trip->id), "from",
                            rt_str(tt, tt->stops[l->from].id), "to",
                            rt_str(tt, tt->stops[l->to].id));
            rides++;
        } else {
            /* A footpath: truck drayage (routing/drayage.c) or a
             * transfers.txt link between two terminals. */
            metres += leg_line(tt, net, MODE_ROAD, l->from, l->to, coords);
            leg = json_pack("{s:s, s:n, s:n, s:s, s:s}", "mode", "road", "carrier",
                            "trip_id", "from", rt_str(tt, tt->stops[l->from].id), "to",
                            rt_str(tt, tt->stops[l->to].id));
        }
        json_object_set_new(leg, "departure", stop_time_json(tt, l->from, l->dep));
        json_object_set_new(leg, "arrival", stop_time_json(tt, l->to, l->arr));
        json_object_set_new(leg, "scheduled_departure", stop_time_json(tt, l->from, l->dep));
        json_object_set_new(leg, "scheduled_arrival", stop_time_json(tt, l->to, l->arr));
        json_object_set_new(leg, "time_source", json_string("scheduled"));
        json_array_append_new(legs, leg);
        json_array_append_new(lines, coords);
    }
    {
        const struct rt_leg *first = &all[0], *last = &all[nlegs - 1];
        return json_pack("{s:o, s:o, s:o, s:I, s:i, s:n, s:n, s:f, s:{s:s, s:o}}", "legs", legs,
                         "departure", stop_time_json(tt, first->from, first->dep), "arrival",
                         stop_time_json(tt, last->to, last->arr), "duration_s",
                         (json_int_t)last->arr - (json_int_t)first->dep, "transfers",
                         rides > 0 ? rides - 1 : 0, "cost", "co2e_kg", "distance_km",
                         round(metres / 10.0) / 100.0, "geometry", "type", "MultiLineString",
                         "coordinates", lines);
    }
}

static int refuse_unsupported_or_reply(struct srv_req *r) {
    static const char *const later[] = {"modes", "max_transfers", "weight_kg", "teu"};
    char *opt = srv_query(r, "optimize");
    int bad = opt != NULL && strcmp(opt, "time") != 0;
    free(opt);
    if (bad) {
        srv_reply_error(r, 501, "not_implemented",
                        "optimize: only 'time' is implemented so far");
        return -1;
    }
    for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
        char *v = srv_query(r, later[i]);
        if (v != NULL) {
            free(v);
            srv_reply_error(r, 501, "not_implemented",
                            "%s: not implemented yet", later[i]);
            return -1;
        }
    }
    return 0;
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

void api_routes(struct srv_req *r) {
    const struct rt_timetable *tt = srv_timetable();
    const struct geo_network *net = srv_network();
    char *from = srv_query(r, "from"), *to = srv_query(r, "to");
    char *dep_s = srv_query(r, "depart"), *arr_s = srv_query(r, "arrive_by");
    char *win_s = srv_query(r, "window");
    char why[128];
    int64_t when, window = -1, t;
    uint32_t a, b;
    struct rt_csa_result *res = NULL;
    struct rt_ld_result *ld = NULL;
    struct rt_profile_result *pr = NULL;
    json_t *list;
    int rc;

    if (refuse_unsupported_or_reply(r) != 0) goto done;
    if (!from || !to || (!dep_s == !arr_s)) {
        srv_reply_error(r, 400, "bad_request", "%s",
                        !from || !to ? "from and to: required (CODE)"
                                     : "give exactly one of depart and arrive_by (ISO 8601)");
        goto done;
    }
    if (time_parse_iso8601(dep_s ? dep_s : arr_s, &when, why, sizeof(why)) != 0) {
        srv_reply_error(r, 400, "bad_request", "%s: %s", dep_s ? "depart" : "arrive_by", why);
        goto done;
    }
    if (win_s != NULL) {
        if (arr_s != NULL) {
            srv_reply_error(r, 400, "bad_request", "window goes with depart, not arrive_by");
            goto done;
        }
        if (time_parse_duration(win_s, &window, why, sizeof(why)) != 0) {
            srv_reply_error(r, 400, "bad_request", "window: %s", why);
            goto done;
        }
    }
    a = rt_stop_find(tt, from);
    b = rt_stop_find(tt, to);
    if ((a == RT_NONE && !geo_node_find(&net->nodes, from)) ||
        (b == RT_NONE && !geo_node_find(&net->nodes, to))) {
        srv_reply_error(r, 404, "not_found", "no place with code '%.20s'",
                        (a == RT_NONE && !geo_node_find(&net->nodes, from)) ? from : to);
        goto done;
    }
    if (a == RT_NONE || b == RT_NONE) {
        char reason[96];
        snprintf(reason, sizeof(reason), "%.20s has no scheduled service in the timetable",
                 a == RT_NONE ? from : to);
        srv_reply_json(r, 200, empty(reason));
        goto done;
    }
    if ((t = to_tt(tt, when)) < 0) {
        srv_reply_json(r, 200, empty("the time is outside the loaded timetable's days"));
        goto done;
    }
    if ((ws == NULL && (ws = rt_csa_ws_new(tt)) == NULL) ||
        ((arr_s || win_s) && pws == NULL && (pws = rt_profile_ws_new(tt)) == NULL) ||
        (res = malloc(sizeof(*res))) == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        goto done;
    }
    if (arr_s != NULL) {                                  /* latest departure */
        if ((ld = malloc(sizeof(*ld))) == NULL) {
            srv_reply_error(r, 503, "overloaded", "out of memory");
            goto done;
        }
        rc = rt_latest_departure(tt, pws, a, b, (uint32_t)t, ld);
        if (rc != 0 || ld->nlegs == 0) {
            srv_reply_json(r, 200, empty(rc == 1 ? "no scheduled service arrives by then"
                                         : rc == 0 ? "from and to are the same place"
                                                   : "route search failed"));
            goto done;
        }
        srv_reply_json(r, 200, json_pack("{s:[o]}", "itineraries",
                                         itinerary_json(tt, net, ld->legs, ld->nlegs)));
        goto done;
    }
    if (win_s != NULL) {                                  /* range: Pareto set */
        int64_t t1 = t + window;
        if (t1 > (int64_t)UINT32_MAX - 1) t1 = (int64_t)UINT32_MAX - 1;
        if ((pr = malloc(sizeof(*pr))) == NULL) {
            srv_reply_error(r, 503, "overloaded", "out of memory");
            goto done;
        }
        if (rt_profile_range(tt, pws, a, b, (uint32_t)t, (uint32_t)t1, pr) != 0) {
            srv_reply_error(r, 500, "internal", "route search failed");
            goto done;
        }
        list = json_array();
        for (uint32_t i = 0; i < pr->npairs && json_array_size(list) < MAX_ITINERARIES; i++) {
            if (rt_csa_earliest(tt, ws, a, b, pr->pairs[i].dep, res) == 0 && res->nlegs > 0)
                json_array_append_new(list, itinerary_json(tt, net, res->legs, res->nlegs));
        }
        if (json_array_size(list) == 0) {
            json_decref(list);
            srv_reply_json(r, 200, empty("no scheduled service connects them in the window"));
        } else {
            json_t *o = json_pack("{s:o}", "itineraries", list);
            if (pr->npairs > MAX_ITINERARIES || pr->truncated)
                json_object_set_new(o, "truncated", json_true());
            srv_reply_json(r, 200, o);
        }
        goto done;
    }
    rc = rt_csa_earliest(tt, ws, a, b, (uint32_t)t, res);     /* earliest arrival */
    if (rc != 0 || res->nlegs == 0) {
        srv_reply_json(r, 200, empty(rc == 1 ? "no scheduled service connects them after "
                                               "that time"
                                     : rc == 0 ? "from and to are the same place"
                                               : "route search failed"));
        goto done;
    }
    srv_reply_json(r, 200, json_pack("{s:[o]}", "itineraries",
                                     itinerary_json(tt, net, res->legs, res->nlegs)));
done:
    free(res);
    free(ld);
    free(pr);
    free(from);
    free(to);
    free(dep_s);
    free(arr_s);
    free(win_s);
}
