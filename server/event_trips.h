/* event_trips.h -- which run and stop of the timetable a carrier event
 * reports on, and what it tells the real-time overlay (a delay, a time, a
 * skipped stop, a cancellation).  Pure: no Redis, no HTTP; feeds.c groups
 * the results per run and records them through trips.c.
 *
 * The trip is the event's "trip" reference, else a "voyage", "train" or
 * "flight" reference that is a GTFS trip_id, else a "flight" or "train"
 * reference that is a trips.txt trip_short_name (the public number;
 * leading zeros of a flight's number do not matter: CZ0345 is CZ345): of
 * the trips so named, the one whose run (with the event's stop) is nearest.
 * The run is the one on start_date when the event gives one, else the run
 * of that trip whose scheduled time at the event's stop is nearest the
 * event time.  The stop
 * is stop_id, else the location when it is a stop of the trip (node codes
 * are UN/LOCODEs and IATA codes, so a DCSA UNLocationCode names a stop).
 * Only ACT (observed) and EST (estimated) events move the overlay: DEPARTED
 * sets the departure, ARRIVED the arrival, a GTFS-RT delay-only event its
 * delay, TRIP_DELAY the departure delay at the first stop, SKIPPED skips
 * the stop, CANCELLED cancels the run. */
#ifndef DT_EVENT_TRIPS_H
#define DT_EVENT_TRIPS_H

#include "carriers/event.h"
#include "routing/timetable.h"
#include "trip_update.h"

#include <stddef.h>

struct event_trip {
    uint32_t run;
    int cancel;                 /* 1: cancel the run (REP unused) */
    struct trip_stop_rep rep;   /* the stop's report */
    int64_t event_time;         /* the event's time; for a delay-only event
                                 * the scheduled time plus the delay */
};

/* Resolve E against TT.  0 with OUT filled; 1 when E says nothing about a
 * run (not a trip event, a plan, a status that moves no time); -1 when it
 * names a trip but cannot be placed, with the reason in WHY (an unknown
 * trip is 1 when the event has a time: kept in the stream, not applied;
 * -1 when it is delay-only and so has no time at all). */
int event_trip_resolve(const struct rt_timetable *tt, const struct carrier_event *e,
                       struct event_trip *out, char *why, size_t whylen);

/* YYYY-MM-DD of RUN's service day into BUF (11 bytes). */
void event_trip_date(const struct rt_timetable *tt, uint32_t run, char *buf, size_t len);

#endif
