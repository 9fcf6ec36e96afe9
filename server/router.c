/* router.c -- the router the API queries: the freight tables
 * (routing/freight.h) and the per-timetable facts of the multi-criteria
 * search (routing/mc.h) built from geodata at start-up, and one workspace
 * (one event loop, one query at a time).
 *
 * What geodata decides here:
 *   - a trip's freight mode: GTFS has one "water" route_type; a water trip
 *     whose every stop lies on the river lanes is river, any other sea;
 *   - each hop's km: the lane path of that mode between the two places
 *     (geo_network_route, so a sea hop goes round the capes it must), else
 *     the great circle between the stops;
 *   - each footpath's km: the road distance (geodesic x road factor), else
 *     1.3 x the great circle;
 *   - each stop's customs territory and customs flags, from its node (a
 *     node with neither border nor port_of_entry counts as a port of
 *     entry: inland clearance). */
#include "router.h"
#include "crypto.h"

#include "geodata/geodesy.h"
#include "geodata/territory.h"
#include "routing/tz.h"
#include "geodata/timefmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct rt_freight freight;
static int have_freight;
static struct rt_mc_net net;
static struct rt_mc_ws *ws;
static uint64_t version;

uint64_t router_version(void) { return version; }

const struct rt_freight *router_freight(void) { return have_freight ? &freight : NULL; }
const struct rt_mc_net *router_net(void) { return ws ? &net : NULL; }
struct rt_mc_ws *router_ws(void) { return ws; }

/* Distances already asked for: (from, to, mode) -> km, open addressing. */
struct km_slot {
    uint32_t from, to; /* stop indices; from == RT_NONE: empty */
    uint8_t mode;
    double km;
};

struct km_cache {
    struct km_slot *v;
    size_t cap;
};

static double lane_km(const struct rt_timetable *tt, const struct geo_network *gn,
                      struct km_cache *kc, uint32_t a, uint32_t b, int mode) {
    size_t h = ((size_t)a * 2654435761u ^ (size_t)b * 40503u ^ (size_t)mode) & (kc->cap - 1);
    while (kc->v[h].from != RT_NONE) {
        if (kc->v[h].from == a && kc->v[h].to == b && kc->v[h].mode == mode) return kc->v[h].km;
        h = (h + 1) & (kc->cap - 1);
    }
    struct geo_route r;
    char why[160];
    double km = -1;
    const struct rt_stop *sa = &tt->stops[a], *sb = &tt->stops[b];
    if (geo_network_route(gn, rt_str(tt, sa->id), rt_str(tt, sb->id), (enum geo_mode)mode, &r,
                          why, sizeof(why)) == GEO_OK) {
        km = r.metres / 1000.0;
        geo_route_free(&r);
    }
    if (!(km >= 0) && !isnan(sa->lat) && !isnan(sb->lat)) {
        km = geo_inverse(sa->lat, sa->lon, sb->lat, sb->lon, NULL, NULL) / 1000.0;
        if (mode == RT_FMODE_ROAD) km *= 1.3;
    }
    if (!(km >= 0) || !isfinite(km)) km = 0;
    kc->v[h].from = a;
    kc->v[h].to = b;
    kc->v[h].mode = (uint8_t)mode;
    kc->v[h].km = km;
    return km;
}

static int on_river(const struct rt_timetable *tt, const struct geo_network *gn, uint32_t s) {
    const struct geo_node *n = geo_node_find(&gn->nodes, rt_str(tt, tt->stops[s].id));
    return n && geo_graph_vertex_of(&gn->graph[MODE_RIVER], (size_t)(n - gn->nodes.v)) >= 0;
}

int router_trip_fmode(const struct rt_timetable *tt, const struct geo_network *gn,
                      uint32_t trip) {
    const struct rt_trip *tr = &tt->trips[trip];
    int m = tt->routes[tr->route].mode;
    if (m != RT_MODE_WATER) return rt_fmode_from_rt_mode((enum rt_mode)m, 0);
    for (uint32_t k = 0; k < tr->nstops; k++)
        if (!on_river(tt, gn, tt->stop_times[tr->first_stop_time + k].stop)) return RT_FMODE_SEA;
    return tr->nstops ? RT_FMODE_RIVER : RT_FMODE_SEA;
}

int router_init(const struct rt_timetable *tt, const struct geo_network *gn,
                const char *freight_dir, char *err, size_t errlen) {
    uint8_t *mode = NULL;
    double *hop = NULL, *foot = NULL;
    struct rt_mc_stop_in *stops = NULL;
    struct km_cache kc = {NULL, 0};
    int rc = -1;

    if (rt_freight_load(&freight, freight_dir, err, errlen) != 0) {
        rt_freight_free(&freight);
        return -1;
    }
    have_freight = 1;
    kc.cap = 1024;
    while (kc.cap < 2 * ((size_t)tt->nstop_times + tt->nfoot + 1)) kc.cap *= 2;
    mode = malloc(tt->ntrips ? tt->ntrips : 1);
    hop = calloc(tt->nstop_times ? tt->nstop_times : 1, sizeof(double));
    foot = calloc(tt->nfoot ? tt->nfoot : 1, sizeof(double));
    stops = calloc(tt->nstops ? tt->nstops : 1, sizeof(*stops));
    kc.v = malloc(kc.cap * sizeof(*kc.v));
    if (!mode || !hop || !foot || !stops || !kc.v) {
        snprintf(err, errlen, "router: out of memory");
        goto out;
    }
    for (size_t i = 0; i < kc.cap; i++) kc.v[i].from = RT_NONE;
    for (uint32_t t = 0; t < tt->ntrips; t++) {
        const struct rt_trip *tr = &tt->trips[t];
        int m = router_trip_fmode(tt, gn, t);
        mode[t] = m < 0 ? 255 : (uint8_t)m;
        if (m < 0) continue;
        for (uint32_t k = 0; k + 1 < tr->nstops; k++) {
            uint32_t st = tr->first_stop_time + k;
            hop[st] = lane_km(tt, gn, &kc, tt->stop_times[st].stop, tt->stop_times[st + 1].stop, m);
        }
    }
    for (uint32_t i = 0; i < tt->nfoot; i++)
        foot[i] = lane_km(tt, gn, &kc, tt->foot[i].from, tt->foot[i].to, RT_FMODE_ROAD);
    for (uint32_t s = 0; s < tt->nstops; s++) {
        const struct geo_node *n = geo_node_find(&gn->nodes, rt_str(tt, tt->stops[s].id));
        /* Stops geodata does not know (a feed with other stop ids) share
         * one territory of their own: no customs between them. */
        stops[s].territory = n ? geo_territory_id(&gn->territories, n->country) : UINT16_MAX;
        /* Cargo that clears where geodata marks neither a border nor a
         * port of entry (an inland terminal) clears as at a port of entry:
         * inland clearance takes time too, and a route must not save the
         * dwell by stopping at an unmarked terminal. */
        stops[s].customs_flags =
            n ? (n->customs & (CUSTOMS_BORDER | CUSTOMS_PORT_OF_ENTRY) ? n->customs
                                                                      : n->customs |
                                                                            CUSTOMS_PORT_OF_ENTRY)
              : 0;
    }
    if (rt_mc_net_build(&net, tt, &freight, stops, mode, hop, foot) != 0 ||
        (ws = rt_mc_ws_new(&net)) == NULL) {
        snprintf(err, errlen, "router: out of memory");
        rt_mc_net_free(&net);
        goto out;
    }
    {
        uint64_t h = CRYPTO_FNV64_OFFSET;
        size_t ns = tt->nstops;
        h = crypto_fnv1a64(h, net.trip_mode, tt->ntrips);
        h = crypto_fnv1a64(h, net.cum_km, sizeof(double) * tt->nstop_times);
        h = crypto_fnv1a64(h, net.foot_km, sizeof(double) * tt->nfoot);
        h = crypto_fnv1a64(h, net.territory, sizeof(uint16_t) * ns);
        h = crypto_fnv1a64(h, net.handling, sizeof(*net.handling) * ns);
        h = crypto_fnv1a64(h, net.cutoff, sizeof(*net.cutoff) * ns);
        h = crypto_fnv1a64(h, net.release, sizeof(*net.release) * ns);
        h = crypto_fnv1a64(h, net.customs, sizeof(*net.customs) * ns);
        h = crypto_fnv1a64(h, net.customs_at, ns);
        h = crypto_fnv1a64(h, freight.tariff, sizeof(freight.tariff));
        for (size_t i = 0; i < freight.nfactors; i++)
            h = crypto_fnv1a64(h, &freight.factors[i].kg_per_tkm, sizeof(double));
        version = h;
    }
    rc = 0;
out:
    free(mode);
    free(hop);
    free(foot);
    free(stops);
    free(kc.v);
    if (rc != 0) router_free();
    return rc;
}

void router_free(void) {
    rt_mc_ws_free(ws);
    ws = NULL;
    rt_mc_net_free(&net);
    if (have_freight) rt_freight_free(&freight);
    have_freight = 0;
}

json_t *router_time_json(const struct rt_timetable *tt, uint32_t stop, uint32_t t) {
    int64_t utc = tt->epoch + (int64_t)t;
    const char *zone = rt_str(tt, tt->zones[tt->stops[stop].zone].name);
    char buf[40], why[128];
    int off = 0;
    if (rt_tz_offset(zone, utc, &off, why, sizeof(why)) != 0) off = 0;
    time_format_iso8601(utc, off, buf, sizeof(buf));
    return json_string(buf);
}
