/* gtfs_rt.h -- GTFS-Realtime TripUpdates (protobuf, transit_realtime) into
 * canonical carrier events: one event per arrival or departure estimate,
 * skipped stop, whole-trip delay or cancelled trip (docs/feed-gtfs-rt.md). */
#ifndef DT_CARRIER_GTFS_RT_H
#define DT_CARRIER_GTFS_RT_H

#include "carriers/event.h"

#include <stddef.h>
#include <stdint.h>

#define GTFS_RT_MAX_BODY (16u << 20) /* bytes; larger bodies are refused */

/* Parse one FeedMessage of LEN bytes at BODY (binary, need not end in a
 * NUL), received at Unix time RECEIVED, appending accepted events to OUT
 * and refused ones to OUT's rejects; the index of an event is its ordinal
 * among the events of the body, counted entity by entity.  0 when the
 * body is a readable feed, -1 when it is not (ERR says why and at which
 * byte): bad protobuf, over GTFS_RT_MAX_BODY, a missing header, a version
 * other than "1.0"/"2.0", more than CARRIER_MAX_EVENTS events, or out of
 * memory (OUT may then hold part of the body: free it, do not store it). */
int carrier_gtfs_rt_parse(const char *body, size_t len, int64_t received,
                          struct carrier_batch *out, char *err, size_t errlen);

/* The feed header alone, for a poller deciding whether a feed changed:
 * *TIMESTAMP (0 when absent) and *INCREMENTALITY (0 full dataset,
 * 1 differential).  0, or -1 when BODY holds no readable header. */
int carrier_gtfs_rt_header(const char *body, size_t len, uint64_t *timestamp,
                           int *incrementality);

#endif
