/* network.h -- the whole transport network as loaded from a data directory
 * (default geodata/data): nodes, the sea/river/rail lane graphs, and the
 * parameters for air and road legs.  The distance between two nodes by a
 * mode, and the line it follows, come from here. */
#ifndef DT_NETWORK_H
#define DT_NETWORK_H

#include "geodesy.h"
#include "lanes.h"
#include "nodes.h"
#include "territory.h"

struct geo_params {
    double road_detour;        /* road km = geodesic km x this */
    double road_max_km;        /* longest road leg offered */
    char road_islands[128];    /* countries with no road to others, "JP;AU" */
    double densify_km;         /* max spacing of drawn points */
};

struct geo_network {
    struct geo_nodes nodes;
    struct geo_graph graph[3]; /* MODE_SEA, MODE_RIVER, MODE_RAIL */
    struct geo_params params;
    struct geo_territories territories; /* customs_territories.csv */
    double load_ms;
};

/* Load DIR/nodes.csv, DIR/params.csv, DIR/customs_territories.csv and
 * DIR/lanes/{sea,river,rail}_{points,edges}.csv.  0, or -1 with err =
 * "FILE:LINE: reason" and N empty. */
int geo_network_load(struct geo_network *n, const char *dir, char *err, size_t errlen);
void geo_network_free(struct geo_network *n);

enum geo_route_status { GEO_OK = 0, GEO_UNKNOWN_NODE = 1, GEO_NOT_CONNECTED = 2,
                        GEO_NOMEM = -1 };

struct geo_route {
    double metres;
    struct geo_line line;      /* densified [lon, lat] points */
    int *via;                  /* graph vertices passed (lane modes), or NULL */
    int nvia;
};

/* The way from node FROM to node TO by MODE.  GEO_OK with *out filled
 * (free with geo_route_free), or a status with the reason in why. */
int geo_network_route(const struct geo_network *n, const char *from, const char *to,
                      enum geo_mode mode, struct geo_route *out, char *why,
                      size_t whylen);
void geo_route_free(struct geo_route *r);

#endif
