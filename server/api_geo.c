/* api_geo.c -- the network's places and distances: /v1/nodes,
 * /v1/nodes/{code}, /v1/distance, /v1/lanes (public, rate-limited). */
#include "api.h"
#include "geodata/csv.h"
#include "geodata/network.h"
#include "http.h"
#include "server.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NM_PER_M (1.0 / 1852.0)

static double round_to(double v, double unit) { return round(v / unit) * unit; }

/* Output CRS from ?out_crs= (EPSG:4326 default, or EPSG:3857).  0, or -1
 * after replying 400. */
static int out_crs_or_reply(struct srv_req *r, enum geo_crs *crs) {
    char *s = srv_query(r, "out_crs");
    *crs = GEO_WGS84;
    if (s == NULL) return 0;
    if (geo_crs_parse(s, crs) != 0 || *crs == GEO_CGCS2000) {
        srv_reply_error(r, 400, "bad_request",
                        "out_crs '%.40s': use EPSG:4326 (default) or EPSG:3857", s);
        free(s);
        return -1;
    }
    free(s);
    return 0;
}

/* [x, y] in the output CRS; NULL if it cannot be shown (Mercator poles). */
static json_t *position(double lat, double lon, enum geo_crs crs) {
    double x, y;
    if (crs == GEO_WEB_MERCATOR) {
        if (geo_to_mercator(lat, lon, &x, &y) != 0) return NULL;
        return json_pack("[f,f]", round_to(x, 0.01), round_to(y, 0.01));
    }
    return json_pack("[f,f]", round_to(lon, 1e-6), round_to(lat, 1e-6));
}

static json_t *line_json(const struct geo_line *line, enum geo_crs crs) {
    json_t *coords = json_array();
    for (size_t i = 0; i < line->n; i++) {
        json_t *p = position(line->xy[2 * i + 1], line->xy[2 * i], crs);
        if (p != NULL) json_array_append_new(coords, p);
    }
    return json_pack("{s:s, s:o}", "type", "LineString", "coordinates", coords);
}

static json_t *node_json(const struct geo_node *nd, enum geo_crs crs) {
    json_t *customs = json_array(), *o;
    for (int i = 0; i < CUSTOMS_FLAG_COUNT; i++)
        if (nd->customs & (1u << i))
            json_array_append_new(customs, json_string(geo_customs_name(i)));
    o = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:s, s:s, s:o, s:s}", "code", nd->code,
                  "kind", geo_kind_name(nd->kind), "name_en", nd->name_en, "name_zh",
                  nd->name_zh, "lat", nd->lat, "lon", nd->lon, "tz", nd->tz, "country",
                  nd->country, "customs", customs, "source", nd->source);
    if (o != NULL && crs == GEO_WEB_MERCATOR) {
        json_t *p = position(nd->lat, nd->lon, crs);
        json_object_set_new(o, "epsg3857", p ? p : json_null());
    }
    return o;
}

static int contains_ci(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return 1;
    return n == 0;
}

struct hit { const struct geo_node *nd; double km; };

static int by_km(const void *a, const void *b) {
    double x = ((const struct hit *)a)->km, y = ((const struct hit *)b)->km;
    return (x > y) - (x < y);
}

void api_nodes_list(struct srv_req *r) {
    const struct geo_network *net = srv_network();
    char *kind_s = srv_query(r, "kind"), *q = srv_query(r, "q");
    char *near_s = srv_query(r, "near"), *radius_s = srv_query(r, "radius_km");
    char *crs_s = srv_query(r, "crs");
    enum geo_crs in_crs = GEO_WGS84, out_crs;
    int kind = -1, have_near = 0;
    double lat = 0, lon = 0, radius = 200;
    struct hit *hits = NULL;
    size_t nhits = 0;
    json_t *arr;

    if (out_crs_or_reply(r, &out_crs) != 0) goto done;
    if (kind_s && (kind = geo_kind_parse(kind_s)) < 0) {
        srv_reply_error(r, 400, "bad_request", "kind '%.40s': use river_port, seaport, "
                        "rail_terminal, border_crossing, airport, warehouse, "
                        "bonded_zone or inspection_centre", kind_s);
        goto done;
    }
    if (q && strlen(q) > 100) {
        srv_reply_error(r, 400, "bad_request", "q: at most 100 bytes");
        goto done;
    }
    if (crs_s && (geo_crs_parse(crs_s, &in_crs) != 0 || in_crs == GEO_WEB_MERCATOR)) {
        srv_reply_error(r, 400, "bad_request",
                        "crs '%.40s': near= takes EPSG:4326 (default) or EPSG:4490", crs_s);
        goto done;
    }
    if (near_s) {
        char *comma = strchr(near_s, ',');
        if (comma == NULL) {
            srv_reply_error(r, 400, "bad_request", "near '%.60s': expected LAT,LON", near_s);
            goto done;
        }
        *comma = '\0';
        if (csv_double(near_s, -90, 90, &lat) || csv_double(comma + 1, -180, 180, &lon)) {
            srv_reply_error(r, 400, "bad_request",
                            "near: expected LAT,LON in decimal degrees (-90..90, -180..180)");
            goto done;
        }
        if (geo_to_wgs84(in_crs, &lat, &lon) != 0) {
            srv_reply_error(r, 422, "invalid", "near: cannot transform the point to WGS84");
            goto done;
        }
        have_near = 1;
    }
    if (radius_s && csv_double(radius_s, 0, 20040, &radius) != 0) {
        srv_reply_error(r, 400, "bad_request", "radius_km '%.40s': a number 0..20040",
                        radius_s);
        goto done;
    }
    hits = malloc(sizeof(*hits) * (net->nodes.n + 1));
    if (hits == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < net->nodes.n; i++) {
        const struct geo_node *nd = &net->nodes.v[i];
        double km = 0;
        if (kind >= 0 && (int)nd->kind != kind) continue;
        if (q && !contains_ci(nd->code, q) && !contains_ci(nd->name_en, q) &&
            strstr(nd->name_zh, q) == NULL)
            continue;
        if (have_near) {
            km = geo_inverse(lat, lon, nd->lat, nd->lon, NULL, NULL) / 1000.0;
            if (km > radius) continue;
        }
        hits[nhits++] = (struct hit){nd, km};
    }
    if (have_near) qsort(hits, nhits, sizeof(*hits), by_km);
    arr = json_array();
    for (size_t i = 0; i < nhits; i++) {
        json_t *o = node_json(hits[i].nd, out_crs);
        if (have_near) json_object_set_new(o, "distance_km", json_real(round_to(hits[i].km, 0.001)));
        json_array_append_new(arr, o);
    }
    srv_reply_json(r, 200, json_pack("{s:I, s:o}", "count", (json_int_t)nhits, "nodes", arr));
done:
    free(hits);
    free(kind_s);
    free(q);
    free(near_s);
    free(radius_s);
    free(crs_s);
}

void api_nodes_get(struct srv_req *r) {
    const struct geo_node *nd = geo_node_find(&srv_network()->nodes, r->params[0]);
    enum geo_crs crs;
    if (out_crs_or_reply(r, &crs) != 0) return;
    if (nd == NULL) {
        srv_reply_error(r, 404, "not_found", "no node with code '%.20s'", r->params[0]);
        return;
    }
    srv_reply_json(r, 200, node_json(nd, crs));
}

void api_distance(struct srv_req *r) {
    const struct geo_network *net = srv_network();
    char *from = srv_query(r, "from"), *to = srv_query(r, "to"), *mode_s = srv_query(r, "mode");
    char why[256];
    enum geo_crs crs;
    struct geo_route route;
    int mode, rc;
    json_t *via, *o;

    if (out_crs_or_reply(r, &crs) != 0) goto done;
    if (!from || !to || !mode_s) {
        srv_reply_error(r, 400, "bad_request", "%s: required (from=CODE&to=CODE&mode=%s)",
                        !from ? "from" : !to ? "to" : "mode", "sea|river|rail|air|road");
        goto done;
    }
    if ((mode = geo_mode_parse(mode_s)) < 0) {
        srv_reply_error(r, 400, "bad_request",
                        "mode '%.20s': use sea, river, rail, air or road", mode_s);
        goto done;
    }
    rc = geo_network_route(net, from, to, (enum geo_mode)mode, &route, why, sizeof(why));
    if (rc == GEO_UNKNOWN_NODE) {
        srv_reply_error(r, 404, "not_found", "%s", why);
        goto done;
    }
    if (rc == GEO_NOT_CONNECTED) {
        srv_reply_error(r, 422, "not_connected", "%s", why);
        goto done;
    }
    if (rc != GEO_OK) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        goto done;
    }
    via = json_array();
    for (int i = 0; i < route.nvia; i++)
        json_array_append_new(via, json_string(net->graph[mode].v[route.via[i]].id));
    o = json_pack("{s:s, s:s, s:s, s:f, s:f, s:o, s:o}", "from", from, "to", to, "mode",
                  geo_mode_name(mode), "km", round_to(route.metres / 1000.0, 0.001), "nm",
                  round_to(route.metres * NM_PER_M, 0.001), "via", via, "geometry",
                  line_json(&route.line, crs));
    if (mode == MODE_ROAD)
        json_object_set_new(o, "detour_factor", json_real(net->params.road_detour));
    json_object_set_new(o, "crs", json_string(crs == GEO_WEB_MERCATOR ? "EPSG:3857" : "EPSG:4326"));
    geo_route_free(&route);
    srv_reply_json(r, 200, o);
done:
    free(from);
    free(to);
    free(mode_s);
}

/* Every edge of one lane graph as GeoJSON features. */
static void add_lane_features(json_t *features, const struct geo_network *net, int mode,
                              enum geo_crs crs) {
    const struct geo_graph *g = &net->graph[mode];
    double step = net->params.densify_km * 1000.0;
    for (int e = 0; e < g->nedges; e++) {
        const struct geo_vertex *a = &g->v[g->edge[e][0]], *b = &g->v[g->edge[e][1]];
        struct geo_line line = {0};
        double m = geo_inverse(a->lat, a->lon, b->lat, b->lon, NULL, NULL) * g->factor[e];
        if (geo_line_geodesic(&line, a->lat, a->lon, b->lat, b->lon, step) != 0) {
            geo_line_free(&line);
            continue;
        }
        json_array_append_new(features, json_pack(
            "{s:s, s:{s:s, s:s, s:s, s:f}, s:o}", "type", "Feature", "properties", "mode",
            geo_mode_name(mode), "a", a->id, "b", b->id, "km", round_to(m / 1000.0, 0.001),
            "geometry", line_json(&line, crs)));
        geo_line_free(&line);
    }
}

void api_lanes(struct srv_req *r) {
    const struct geo_network *net = srv_network();
    char *mode_s = srv_query(r, "mode");
    enum geo_crs crs;
    int mode = -1;
    json_t *features;

    if (out_crs_or_reply(r, &crs) != 0) goto done;
    if (mode_s && ((mode = geo_mode_parse(mode_s)) < 0 || mode > MODE_RAIL)) {
        srv_reply_error(r, 400, "bad_request",
                        "mode '%.20s': lanes exist for sea, river and rail "
                        "(air and road legs are geodesics)", mode_s);
        goto done;
    }
    features = json_array();
    for (int m = MODE_SEA; m <= MODE_RAIL; m++)
        if (mode < 0 || mode == m) add_lane_features(features, net, m, crs);
    srv_reply_json(r, 200, json_pack("{s:s, s:o}", "type", "FeatureCollection",
                                     "features", features));
done:
    free(mode_s);
}
