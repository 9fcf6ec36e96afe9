/* drayage.h -- truck drayage between nearby terminals, as footpaths of the
 * timetable (timetable.h), from geodata road distances (geodata/network.h).
 *
 * Every pair of timetable stops whose stop_id is a geodata node code (or,
 * for a stop inside a station, whose parent station's stop_id is one) and
 * that are at most max_km apart by road gets a footpath each way.  The road
 * distance is geo_network_route(MODE_ROAD): geodesic x road_detour_factor,
 * no road between an island country and another country, nothing over the
 * network's road_max_km.  A drayage footpath takes
 *
 *     ceil_to_minute(road_km / speed_kmh x 3600 + handling)
 *
 * where handling is handling_s, or, when freight data is given, the road
 * cut-off at the origin plus the road release at the destination
 * (rt_freight_cutoff / rt_freight_release, RT_FMODE_ROAD).  transfers.txt
 * wins: a pair it already joins by a footpath or forbids gets nothing.
 *
 * Cost: one geo_network_route per pair of coded stops, O(n^2) in their
 * number; fine for a few thousand stops (the shipped feed has 77). */
#ifndef DT_DRAYAGE_H
#define DT_DRAYAGE_H

#include "routing/freight.h"
#include "routing/timetable.h"

#include "geodata/network.h"

#include <stdint.h>

/* Assumed defaults until they come from geodata/freight/: see "## Drayage"
 * in docs/routing-timetables.md. */
#define RT_DRAYAGE_MAX_KM 150.0
#define RT_DRAYAGE_SPEED_KMH 50.0
#define RT_DRAYAGE_HANDLING_S 7200

struct rt_drayage_params {
    double max_km;      /* longest drayage by road, km (> 0) */
    double speed_kmh;   /* average truck speed, door to door (> 0) */
    int32_t handling_s; /* loading + unloading, seconds (>= 0); unused with
                         * FREIGHT */
    const struct rt_freight *freight;           /* NULL: use handling_s */
    const struct rt_freight_override *override; /* with FREIGHT; may be NULL */
};

struct rt_drayage_report {
    uint32_t stops;          /* stops taking part (with a geodata code) */
    uint32_t uncoded;        /* stops (location_type 0) without a code */
    uint64_t pairs;          /* unordered pairs of those stops considered */
    uint64_t same_station;   /* pairs skipped: one station (siblings, or
                              * both under one code) */
    uint64_t too_far;        /* pairs over max_km by road (or over the
                              * network's road_max_km) */
    uint64_t no_road;        /* pairs with no road (island rule) */
    uint32_t added;          /* footpaths added (each direction counts) */
    uint32_t skip_defined;   /* directions transfers.txt already joins */
    uint32_t skip_forbidden; /* directions transfers.txt forbids */
    char err[256];
};

/* The defaults above, no freight data. */
void rt_drayage_params_init(struct rt_drayage_params *p);

/* Add drayage footpaths to TT from the road distances of NET with the
 * parameters P (NULL: the defaults); REP (required) is filled in.  TT
 * stays sorted and indexed; a CSA workspace made before stays valid.  0,
 * or -1 with rep->err set (bad parameters, out of memory), TT unchanged. */
int rt_drayage_add(struct rt_timetable *tt, const struct geo_network *net,
                   const struct rt_drayage_params *p, struct rt_drayage_report *rep);

#endif
