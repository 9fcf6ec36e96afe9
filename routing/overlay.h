/* overlay.h -- real-time delays as an overlay over an immutable timetable.
 *
 * The timetable (timetable.h) is never changed.  An overlay keeps, per run
 * that a carrier reported on, either "cancelled" or the reported updates
 * per stop index (the position in the trip's stop_times pattern), and from
 * them the run's propagated times at every stop, each labelled with where
 * it came from.  The connection scan (csa.h, rt_csa_earliest_rt) reads an
 * overlay beside the timetable; a run the overlay does not name keeps its
 * schedule.
 *
 * Propagation (docs/routing-timetables.md, "Real-time overlay"), stop by
 * stop along the run, carrying a delay that starts at 0:
 *   - a reported arrival (delay or absolute time) sets the arrival; a stop
 *     without one gets schedule + the carried delay;
 *   - a reported departure sets the departure; without one the departure
 *     gets schedule + the carried delay (after the arrival update, so an
 *     arrival delay alone also delays the departure at that stop);
 *   - NO_DATA at a stop: schedule there, and the carried delay is reset to
 *     0 for the stops after it (until the next update);
 *   - SKIPPED: the vehicle passes without stopping: no boarding or
 *     alighting there; its times are propagated as for a stop with no
 *     update;
 *   - times never run backwards: arrival >= previous departure, and
 *     departure >= arrival at the same stop;
 *   - a departure is never earlier than scheduled (freight does not leave
 *     early) unless that very departure was reported OBSERVED;
 *   - the carried delay after a stop is its final departure minus its
 *     scheduled departure.
 * A reported time keeps its source (ESTIMATED or OBSERVED); a time derived
 * by propagation, or moved by a clamp, is ESTIMATED; a time equal to the
 * schedule with nothing carried or reported is SCHEDULED.
 *
 * Not thread-safe: change an overlay from one thread.  Queries read the
 * overlay's sorted side array of changed connections, rebuilt by
 * rt_overlay_prepare() when the version changed; call it after a batch of
 * updates before sharing the overlay with querying threads. */
#ifndef DT_OVERLAY_H
#define DT_OVERLAY_H

#include "timetable.h"

#include <stdint.h>

/* Where a time comes from. */
enum rt_time_source {
    RT_TIME_SCHEDULED = 0, /* the base timetable */
    RT_TIME_ESTIMATED = 1, /* a carrier's prediction, or propagated from one */
    RT_TIME_OBSERVED = 2   /* a carrier's report that it happened */
};

/* "Not reported" for rt_overlay_set_delay / rt_overlay_set_time. */
#define RT_OV_UNSET INT64_MIN

/* A connection with overlaid times, and the sources of its two times. */
struct rt_ov_conn {
    struct rt_connection c;   /* flags reflect SKIPPED stops */
    uint8_t dep_src, arr_src; /* enum rt_time_source */
};

struct rt_overlay;

/* An empty overlay over TT (which must outlive it), or NULL when out of
 * memory.  Free it with rt_overlay_free(). */
struct rt_overlay *rt_overlay_new(const struct rt_timetable *tt);

void rt_overlay_free(struct rt_overlay *ov);

/* The timetable the overlay was made for. */
const struct rt_timetable *rt_overlay_timetable(const struct rt_overlay *ov);

/* Incremented by every change (set, cancel, clear); 0 for a new overlay.
 * Cached answers computed at another version are stale. */
uint64_t rt_overlay_version(const struct rt_overlay *ov);

/* Run of GTFS trip TRIP_ID on the service date YYYYMMDD (GTFS-Realtime
 * start_date); START is the GTFS time of its first departure (start_time,
 * for frequency trips) or -1 for the first run that day.  RT_NONE when
 * the trip, date or run is unknown. */
uint32_t rt_overlay_find_run(const struct rt_timetable *tt, const char *trip_id,
                             int yyyymmdd, int32_t start);

/* Report delays at stop index STOP (0-based position in the run's trip)
 * of RUN: ARR_DELAY / DEP_DELAY in seconds (negative: early), either may be
 * RT_OV_UNSET for "not reported".  Replaces whatever was reported at that
 * stop before and un-cancels the run.  SRC is RT_TIME_ESTIMATED or
 * RT_TIME_OBSERVED.  0, or -1 on a bad argument or out of memory (the
 * overlay is then unchanged). */
int rt_overlay_set_delay(struct rt_overlay *ov, uint32_t run, uint32_t stop,
                         int64_t arr_delay, int64_t dep_delay, enum rt_time_source src);

/* As rt_overlay_set_delay, with absolute times in Unix seconds
 * (GTFS-Realtime StopTimeEvent.time). */
int rt_overlay_set_time(struct rt_overlay *ov, uint32_t run, uint32_t stop,
                        int64_t arr_unix, int64_t dep_unix, enum rt_time_source src);

/* GTFS-Realtime schedule_relationship NO_DATA at STOP: keep the schedule
 * there and stop carrying the delay.  Replaces that stop's report. */
int rt_overlay_set_no_data(struct rt_overlay *ov, uint32_t run, uint32_t stop);

/* schedule_relationship SKIPPED at STOP: no boarding or alighting there.
 * Replaces that stop's report. */
int rt_overlay_skip(struct rt_overlay *ov, uint32_t run, uint32_t stop);

/* The run does not run: the router ignores all its connections.  Its
 * stop reports are dropped. */
int rt_overlay_cancel(struct rt_overlay *ov, uint32_t run);

/* Forget everything about RUN: back to its schedule.  0 (also when it
 * had nothing), -1 when RUN is out of range. */
int rt_overlay_clear_run(struct rt_overlay *ov, uint32_t run);

/* 1 when RUN is cancelled, else 0. */
int rt_overlay_cancelled(const struct rt_overlay *ov, uint32_t run);

/* Per run (tt->nruns bytes): 1 when the overlay changes the run (cancelled
 * or with reports), else 0.  The router skips such runs in tt->conns. */
const uint8_t *rt_overlay_touched(const struct rt_overlay *ov);

/* Times of RUN at stop index STOP, timetable seconds (after tt->epoch),
 * overlaid when the overlay has the run, else scheduled; any output may
 * be NULL.  OV may be NULL (schedule).  0, or -1 when RUN or STOP is out of
 * range or the time is out of the timetable's range. */
int rt_overlay_stop_time(const struct rt_overlay *ov, const struct rt_timetable *tt,
                         uint32_t run, uint32_t stop, uint32_t *arr, uint32_t *dep,
                         enum rt_time_source *arr_src, enum rt_time_source *dep_src);

/* Rebuild the sorted side array of the changed runs' connections if the
 * version changed since the last call.  0, or -1 when out of memory (the
 * overlay stays unprepared; try again). */
int rt_overlay_prepare(struct rt_overlay *ov);

/* The side array built by the last rt_overlay_prepare(): the connections
 * of every changed, non-cancelled run with overlaid times, sorted by
 * (dep, arr, run, seq) like tt->conns; *n gets their count.  NULL when
 * the overlay is not prepared at its current version. */
const struct rt_ov_conn *rt_overlay_side(const struct rt_overlay *ov, uint32_t *n);

/* Index of the first connection of SIDE (N of them, as from
 * rt_overlay_side) departing at or after T, by binary search; N when none. */
uint32_t rt_overlay_first_side(const struct rt_ov_conn *side, uint32_t n, uint32_t t);

#endif
