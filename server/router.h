/* router.h -- the router the API queries (see router.c): freight tables,
 * the multi-criteria search's per-timetable facts and its workspace, built
 * once at start-up from the timetable and geodata.  The real-time overlay
 * the searches read is srv_overlay() (server.h). */
#ifndef DT_ROUTER_H
#define DT_ROUTER_H

#include "geodata/network.h"
#include "routing/mc.h"

#include <jansson.h>

#include <stddef.h>

/* Load the freight tables of FREIGHT_DIR and build the search's facts for
 * TT over GN.  0, or -1 with err ("FILE:LINE: reason" for bad data). */
int router_init(const struct rt_timetable *tt, const struct geo_network *gn,
                const char *freight_dir, char *err, size_t errlen);

void router_free(void);

/* NULL before router_init succeeded. */
const struct rt_freight *router_freight(void);
const struct rt_mc_net *router_net(void);
struct rt_mc_ws *router_ws(void);


/* A hash of everything router_init derived (freight tables, modes, km,
 * territories): with route_cache_prefix() it keys cached answers, so
 * answers made with other freight data are never served. */
uint64_t router_version(void);

/* ISO 8601 (as a JSON string) of timetable time T with the UTC offset of
 * STOP's zone at that moment: how every time in an answer is written. */
json_t *router_time_json(const struct rt_timetable *tt, uint32_t stop, uint32_t t);

/* enum rt_fmode of TRIP: water is river when every stop is on the river
 * lanes, else sea.  -1 for a mode freight does not use. */
int router_trip_fmode(const struct rt_timetable *tt, const struct geo_network *gn,
                      uint32_t trip);

#endif
