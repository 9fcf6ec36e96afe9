/* api_routes.c -- GET /v1/routes: earliest-arrival itineraries over the
 * loaded timetable (routing/csa.c), with leg geometry from geodata/.
 *
 * Not yet here (issue 4 continues): arrive_by, window, optimize other than
 * time, modes, max_transfers, cost and CO2e, the real-time overlay and the
 * Redis result cache.  Those parameters are refused with 501, never
 * silently ignored. */
#include "api.h"
#include "geodata/network.h"
#include "http.h"
#include "routing/csa.h"
#include "routing/tz.h"
#include "server.h"
#include "timefmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct rt_csa_ws *ws;   /* one query at a time: one event loop */

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

static json_t *itinerary_json(const struct rt_timetable *tt, const struct geo_network *net,
                              const struct rt_csa_result *res) {
    json_t *legs = json_array(), *lines = json_array();
    double metres = 0;
    int rides = 0;

    for (uint32_t i = 0; i < res->nlegs; i++) {
        const struct rt_leg *l = &res->legs[i];
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
        const struct rt_leg *first = &res->legs[0], *last = &res->legs[res->nlegs - 1];
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
    static const char *const later[] = {"arrive_by", "window", "modes", "max_transfers",
                                        "weight_kg", "teu"};
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
                            "%s: not implemented yet (earliest arrival only)", later[i]);
            return -1;
        }
    }
    return 0;
}

void api_routes(struct srv_req *r) {
    const struct rt_timetable *tt = srv_timetable();
    const struct geo_network *net = srv_network();
    char *from = srv_query(r, "from"), *to = srv_query(r, "to"), *dep_s = srv_query(r, "depart");
    char why[128];
    int64_t depart;
    uint32_t a, b, t0;
    struct rt_csa_result *res = NULL;
    int rc;

    if (refuse_unsupported_or_reply(r) != 0) goto done;
    if (!from || !to || !dep_s) {
        srv_reply_error(r, 400, "bad_request", "%s: required (from=CODE&to=CODE&depart=ISO8601)",
                        !from ? "from" : !to ? "to" : "depart");
        goto done;
    }
    if (time_parse_iso8601(dep_s, &depart, why, sizeof(why)) != 0) {
        srv_reply_error(r, 400, "bad_request", "depart: %s", why);
        goto done;
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
        srv_reply_json(r, 200, json_pack("{s:[], s:s+}", "itineraries", "reason",
                                         a == RT_NONE ? from : to,
                                         " has no scheduled service in the timetable"));
        goto done;
    }
    if (depart < tt->epoch || depart - tt->epoch > (int64_t)UINT32_MAX - 1) {
        srv_reply_json(r, 200, json_pack("{s:[], s:s}", "itineraries", "reason",
                                         "depart is outside the loaded timetable's days"));
        goto done;
    }
    t0 = (uint32_t)(depart - tt->epoch);
    if (ws == NULL && (ws = rt_csa_ws_new(tt)) == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        goto done;
    }
    res = malloc(sizeof(*res));
    if (res == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        goto done;
    }
    rc = rt_csa_earliest(tt, ws, a, b, t0, res);
    if (rc == 1 || (rc == 0 && res->nlegs == 0)) {
        srv_reply_json(r, 200, json_pack("{s:[], s:s}", "itineraries", "reason",
                                         rc == 1 ? "no scheduled service connects them after "
                                                   "that time"
                                                 : "from and to are the same place"));
        goto done;
    }
    if (rc != 0) {
        srv_reply_error(r, 500, "internal", "route search failed");
        goto done;
    }
    srv_reply_json(r, 200, json_pack("{s:[o]}", "itineraries", itinerary_json(tt, net, res)));
done:
    free(res);
    free(from);
    free(to);
    free(dep_s);
}
