/* trips.h -- recording real-time trip updates: Redis first, then the
 * server's overlay, then stale cached routes dropped (trips.c).  Used by
 * POST /v1/trips/{trip_id}/updates and by the carrier feeds. */
#ifndef DT_TRIPS_H
#define DT_TRIPS_H

#include "routing/overlay.h"
#include "trip_update.h"

#include <stddef.h>
#include <stdint.h>

#define TRIPS_RUN_ID_LEN 200
#define TRIPS_NOMEM 100   /* a status beside store.h's: out of memory */

/* Called once the update is stored and applied (STATUS STORE_OK), or was
 * not (a store status, or TRIPS_NOMEM).  U is valid during the call. */
typedef void trips_done_cb(int status, const struct trip_update *u, void *arg);

/* Record U, validated against srv_timetable(): its stops are taken over
 * (U is emptied; do not release it).  CB may be NULL. */
void trips_record(struct trip_update *u, trips_done_cb *cb, void *arg);

/* Re-apply the trip updates stored in Redis to srv_overlay(); a store
 * ready hook (store_on_ready), effective once: a try that could not read
 * everything is repeated at the next connect.  Logs what it applied and
 * skipped. */
void trips_restore(void);

/* The canonical id of RUN in Redis, TRIP:DATE (plus :HH:MM:SS for runs of
 * frequencies.txt), into BUF; the start or "" into START. */
void trips_run_id(const struct rt_timetable *tt, uint32_t run, const char *date, char *buf,
                  size_t len, char *start, size_t startlen);

/* Earliest and latest current time of RUN, Unix seconds (OV NULL: the
 * schedule). */
void trips_run_span(const struct rt_timetable *tt, const struct rt_overlay *ov, uint32_t run,
                    int64_t *lo, int64_t *hi);

/* GTFS seconds as HH:MM:SS (hours may pass 24). */
void trips_format_hms(int32_t t, char *buf, size_t len);

#endif
