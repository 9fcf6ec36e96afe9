/* drayage.c -- truck drayage footpaths from geodata road distances (see
 * drayage.h and "## Drayage" in docs/routing-timetables.md). */
#include "drayage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rt_drayage_params_init(struct rt_drayage_params *p) {
    memset(p, 0, sizeof(*p));
    p->max_km = RT_DRAYAGE_MAX_KM;
    p->speed_kmh = RT_DRAYAGE_SPEED_KMH;
    p->handling_s = RT_DRAYAGE_HANDLING_S;
}

/* A stop taking part: its index and the geodata node it stands at. */
struct endpoint {
    uint32_t stop;
    const struct geo_node *node;
};

/* The node of stop S: its own stop_id as a node code, else its parent
 * station's; NULL when neither is a code or the node has no position. */
static const struct geo_node *stop_node(const struct rt_timetable *tt,
                                        const struct geo_network *net, uint32_t s) {
    const struct rt_stop *st = &tt->stops[s];
    const struct geo_node *g = geo_node_find(&net->nodes, rt_str(tt, st->id));
    if (g == NULL && st->parent != RT_NONE)
        g = geo_node_find(&net->nodes, rt_str(tt, tt->stops[st->parent].id));
    if (g == NULL || !isfinite(g->lat) || !isfinite(g->lon)) return NULL;
    return g;
}

static int has_footpath(const struct rt_timetable *tt, uint32_t from, uint32_t to) {
    uint32_t n;
    const struct rt_footpath *f = rt_footpaths(tt, from, &n);
    for (uint32_t i = 0; i < n; i++)
        if (f[i].to == to) return 1;
    return 0;
}

/* Seconds of the drayage from A to B over ROAD_M metres, rounded up to a
 * minute, or -1 when it does not fit a uint32_t. */
static int64_t drayage_secs(const struct rt_drayage_params *p, const struct geo_node *a,
                            const struct geo_node *b, double road_m) {
    double handling = p->handling_s, t;
    if (p->freight != NULL)
        handling =
            (double)rt_freight_cutoff(p->freight, a->code, RT_FMODE_ROAD, p->override) +
            rt_freight_release(p->freight, b->code, RT_FMODE_ROAD, p->override);
    t = road_m / 1000.0 / p->speed_kmh * 3600.0 + handling;
    /* The 1e-6 keeps float noise (7200.0000001 s) from costing a minute. */
    t = ceil((t - 1e-6) / 60.0) * 60.0;
    if (!(t >= 0.0) || t > (double)UINT32_MAX) return -1;
    return (int64_t)t;
}

/* One direction FROM -> TO: counted as skipped when transfers.txt already
 * decides it, else appended to *V. */
static int push(const struct rt_timetable *tt, struct rt_drayage_report *rep,
                struct rt_footpath **v, size_t *n, size_t *cap, uint32_t from,
                uint32_t to, uint32_t secs) {
    if (rt_transfer_forbidden(tt, from, to)) {
        rep->skip_forbidden++;
        return 0;
    }
    if (has_footpath(tt, from, to)) {
        rep->skip_defined++;
        return 0;
    }
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        struct rt_footpath *q = realloc(*v, c * sizeof(**v));
        if (q == NULL) return -1;
        *v = q;
        *cap = c;
    }
    (*v)[(*n)++] = (struct rt_footpath){from, to, secs};
    return 0;
}

int rt_drayage_add(struct rt_timetable *tt, const struct geo_network *net,
                   const struct rt_drayage_params *p, struct rt_drayage_report *rep) {
    struct rt_drayage_params defaults;
    struct endpoint *ep = NULL;
    struct rt_footpath *add = NULL;
    size_t nep = 0, nadd = 0, capadd = 0;
    char why[256];
    uint32_t added = 0;
    int rc = -1;

    memset(rep, 0, sizeof(*rep));
    if (p == NULL) {
        rt_drayage_params_init(&defaults);
        p = &defaults;
    }
    if (!(p->max_km > 0.0) || !isfinite(p->max_km) || !(p->speed_kmh > 0.0) ||
        !isfinite(p->speed_kmh) || (p->freight == NULL && p->handling_s < 0)) {
        snprintf(rep->err, sizeof(rep->err),
                 "drayage: bad parameters (max_km %g, speed_kmh %g, handling_s %ld)",
                 p->max_km, p->speed_kmh, (long)p->handling_s);
        return -1;
    }
    if (tt->nstops == 0) return 0;
    if (tt->foot_index == NULL) {
        snprintf(rep->err, sizeof(rep->err),
                 "drayage: timetable has no footpath index");
        return -1;
    }

    ep = malloc((size_t)tt->nstops * sizeof(*ep));
    if (ep == NULL) goto oom;
    for (uint32_t s = 0; s < tt->nstops; s++) {
        const struct geo_node *g;
        /* Vehicles stop at location_type 0 only: a station stands for its
         * children, which take part through their parent's code. */
        if (tt->stops[s].location_type != 0) continue;
        g = stop_node(tt, net, s);
        if (g == NULL) {
            rep->uncoded++;
            continue;
        }
        ep[nep++] = (struct endpoint){s, g};
    }
    rep->stops = (uint32_t)nep;

    for (size_t i = 0; i < nep; i++) {
        for (size_t j = i + 1; j < nep; j++) {
            const struct rt_stop *si = &tt->stops[ep[i].stop],
                                 *sj = &tt->stops[ep[j].stop];
            const struct geo_node *a = ep[i].node, *b = ep[j].node;
            struct geo_route r;
            int64_t ab, ba;
            int st;

            rep->pairs++;
            if (a == b || (si->parent != RT_NONE && si->parent == sj->parent)) {
                rep->same_station++;
                continue;
            }
            st = geo_network_route(net, a->code, b->code, MODE_ROAD, &r, why,
                                   sizeof(why));
            if (st == GEO_NOMEM) goto oom;
            if (st != GEO_OK) {
                /* Only the reason differs: over the network's road_max_km,
                 * or the island rule. */
                double m = geo_inverse(a->lat, a->lon, b->lat, b->lon, NULL, NULL) *
                           net->params.road_detour;
                if (m > net->params.road_max_km * 1000.0)
                    rep->too_far++;
                else
                    rep->no_road++;
                continue;
            }
            double metres = r.metres;
            geo_route_free(&r);
            if (metres > p->max_km * 1000.0) {
                rep->too_far++;
                continue;
            }
            ab = drayage_secs(p, a, b, metres);
            ba = drayage_secs(p, b, a, metres);
            if (ab < 0 || ba < 0) {
                snprintf(rep->err, sizeof(rep->err),
                         "drayage: %s to %s takes too long to store", a->code, b->code);
                goto done;
            }
            if (push(tt, rep, &add, &nadd, &capadd, ep[i].stop, ep[j].stop,
                     (uint32_t)ab) != 0 ||
                push(tt, rep, &add, &nadd, &capadd, ep[j].stop, ep[i].stop,
                     (uint32_t)ba) != 0)
                goto oom;
        }
    }
    if (rt_timetable_add_footpaths(tt, add, nadd, &added) != 0) goto oom;
    rep->added = added;
    rc = 0;
    goto done;
oom:
    snprintf(rep->err, sizeof(rep->err), "drayage: out of memory");
done:
    free(ep);
    free(add);
    return rc;
}
