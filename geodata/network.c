/* network.c -- load the network and measure ways through it (network.h). */
#include "network.h"
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int parse_params(struct geo_params *p, const char *path, char *err,
                        size_t errlen) {
    struct csv_reader r;
    int ck, cv, rc;

    p->road_detour = 1.3;
    p->road_max_km = 2500;
    snprintf(p->road_islands, sizeof(p->road_islands), "JP;AU;NZ;LK;KR;TW");
    p->densify_km = 50;
    if (csv_open_file(&r, path, 1u << 20) != 0) goto fail;
    if (csv_read_header(&r) != 0) goto fail;
    if ((ck = csv_column(&r, "key")) < 0 || (cv = csv_column(&r, "value")) < 0 ||
        csv_column(&r, "source") < 0) {
        csv_error(&r, "the header must have key, value and source columns");
        goto fail;
    }
    while ((rc = csv_next(&r)) == 1) {
        const char *k = csv_field(&r, ck), *v = csv_field(&r, cv);
        double *num = NULL, lo = 0, hi = 0;
        if (strcmp(k, "road_detour_factor") == 0) { num = &p->road_detour; lo = 1; hi = 3; }
        else if (strcmp(k, "road_max_km") == 0) { num = &p->road_max_km; lo = 1; hi = 20000; }
        else if (strcmp(k, "densify_km") == 0) { num = &p->densify_km; lo = 1; hi = 1000; }
        else if (strcmp(k, "road_island_countries") == 0) {
            if (strlen(v) >= sizeof(p->road_islands)) {
                csv_error(&r, "road_island_countries is too long");
                goto fail;
            }
            snprintf(p->road_islands, sizeof(p->road_islands), "%s", v);
            continue;
        } else {
            csv_error(&r, "unknown parameter '%.40s'", k);
            goto fail;
        }
        if (csv_double(v, lo, hi, num) != 0) {
            csv_error(&r, "%s: '%.40s' is not a number in %g..%g", k, v, lo, hi);
            goto fail;
        }
    }
    if (rc < 0) goto fail;
    csv_close(&r);
    return 0;
fail:
    snprintf(err, errlen, "%s", r.err);
    csv_close(&r);
    return -1;
}

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int geo_network_load(struct geo_network *n, const char *dir, char *err, size_t errlen) {
    char path[1024], epath[1024];
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(n, 0, sizeof(*n));
    snprintf(path, sizeof(path), "%s/nodes.csv", dir);
    if (geo_nodes_load(&n->nodes, path, err, errlen) != 0) return -1;
    snprintf(path, sizeof(path), "%s/params.csv", dir);
    if (parse_params(&n->params, path, err, errlen) != 0) goto fail;
    snprintf(path, sizeof(path), "%s/customs_territories.csv", dir);
    if (geo_territories_load(&n->territories, path, err, errlen) != 0) goto fail;
    for (int m = MODE_SEA; m <= MODE_RAIL; m++) {
        snprintf(path, sizeof(path), "%s/lanes/%s_points.csv", dir, geo_mode_name(m));
        snprintf(epath, sizeof(epath), "%s/lanes/%s_edges.csv", dir, geo_mode_name(m));
        if (geo_graph_load(&n->graph[m], (enum geo_mode)m, &n->nodes, path, epath,
                           err, errlen) != 0)
            goto fail;
    }
    n->load_ms = ms_since(&t0);
    return 0;
fail:
    geo_network_free(n);
    return -1;
}

void geo_network_free(struct geo_network *n) {
    geo_nodes_free(&n->nodes);
    geo_territories_free(&n->territories);
    for (int m = MODE_SEA; m <= MODE_RAIL; m++) geo_graph_free(&n->graph[m]);
}

void geo_route_free(struct geo_route *r) {
    geo_line_free(&r->line);
    free(r->via);
    memset(r, 0, sizeof(*r));
}

static int is_island(const struct geo_params *p, const char *country) {
    const char *s = p->road_islands;
    size_t n = strlen(country);
    while (*s) {
        size_t len = strcspn(s, ";");
        if (len == n && strncmp(s, country, n) == 0) return 1;
        s += len;
        if (*s == ';') s++;
    }
    return 0;
}

static int lane_route(const struct geo_network *n, const struct geo_node *a,
                      const struct geo_node *b, enum geo_mode mode,
                      struct geo_route *out, char *why, size_t whylen) {
    const struct geo_graph *g = &n->graph[mode];
    int va = geo_graph_vertex_of(g, (size_t)(a - n->nodes.v));
    int vb = geo_graph_vertex_of(g, (size_t)(b - n->nodes.v));
    double step = n->params.densify_km * 1000.0;

    if (va < 0 || vb < 0) {
        const struct geo_node *off = va < 0 ? a : b;
        snprintf(why, whylen, "%s (%s) is not on the %s lane network", off->code,
                 geo_kind_name(off->kind), geo_mode_name(mode));
        return GEO_NOT_CONNECTED;
    }
    if (geo_graph_path(g, va, vb, &out->via, &out->nvia, &out->metres) != 0) {
        snprintf(why, whylen, "no %s lane joins %s and %s", geo_mode_name(mode),
                 a->code, b->code);
        return GEO_NOT_CONNECTED;
    }
    for (int i = 0; i + 1 < out->nvia; i++) {
        const struct geo_vertex *p = &g->v[out->via[i]], *q = &g->v[out->via[i + 1]];
        if (geo_line_geodesic(&out->line, p->lat, p->lon, q->lat, q->lon, step) != 0)
            return GEO_NOMEM;
    }
    if (out->nvia == 1 &&
        geo_line_geodesic(&out->line, a->lat, a->lon, a->lat, a->lon, step) != 0)
        return GEO_NOMEM;
    return GEO_OK;
}

int geo_network_route(const struct geo_network *n, const char *from, const char *to,
                      enum geo_mode mode, struct geo_route *out, char *why,
                      size_t whylen) {
    const struct geo_node *a = geo_node_find(&n->nodes, from);
    const struct geo_node *b = geo_node_find(&n->nodes, to);
    double step = n->params.densify_km * 1000.0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (a == NULL || b == NULL) {
        snprintf(why, whylen, "no node with code '%.20s'", a == NULL ? from : to);
        return GEO_UNKNOWN_NODE;
    }
    switch (mode) {
    case MODE_SEA:
    case MODE_RIVER:
    case MODE_RAIL:
        rc = lane_route(n, a, b, mode, out, why, whylen);
        break;
    case MODE_AIR:
        if (a->kind != KIND_AIRPORT || b->kind != KIND_AIRPORT) {
            const struct geo_node *off = a->kind != KIND_AIRPORT ? a : b;
            snprintf(why, whylen, "air legs join airports; %s is a %s", off->code,
                     geo_kind_name(off->kind));
            return GEO_NOT_CONNECTED;
        }
        out->metres = geo_inverse(a->lat, a->lon, b->lat, b->lon, NULL, NULL);
        rc = geo_line_geodesic(&out->line, a->lat, a->lon, b->lat, b->lon, step)
                 ? GEO_NOMEM : GEO_OK;
        break;
    case MODE_ROAD: {
        double m = geo_inverse(a->lat, a->lon, b->lat, b->lon, NULL, NULL);
        if (strcmp(a->country, b->country) != 0 &&
            (is_island(&n->params, a->country) || is_island(&n->params, b->country))) {
            snprintf(why, whylen, "no road joins %s (%s) and %s (%s): sea between "
                     "them", a->code, a->country, b->code, b->country);
            return GEO_NOT_CONNECTED;
        }
        out->metres = m * n->params.road_detour;
        if (out->metres > n->params.road_max_km * 1000.0) {
            snprintf(why, whylen, "%s to %s is %.0f km by road, over the %.0f km "
                     "longest road leg", a->code, b->code, out->metres / 1000.0,
                     n->params.road_max_km);
            return GEO_NOT_CONNECTED;
        }
        /* Drawn as the geodesic: the road's own line is not in the data. */
        rc = geo_line_geodesic(&out->line, a->lat, a->lon, b->lat, b->lon, step)
                 ? GEO_NOMEM : GEO_OK;
        break;
    }
    default:
        snprintf(why, whylen, "unknown mode");
        return GEO_NOT_CONNECTED;
    }
    if (rc != GEO_OK) geo_route_free(out);
    return rc;
}
