/* profile.h -- latest-departure and range (profile) queries over a
 * timetable (timetable.h), with the transfer rules of csa.h.
 *
 * Latest departure: "arrive at TO by T, leave FROM as late as possible",
 * answered by one reverse Connection Scan over the connections in
 * decreasing order of arrival.  The connection array is sorted by
 * departure, so the workspace keeps an index of it sorted by arrival
 * (4 bytes per connection), built once in rt_profile_ws_new.
 *
 * Range: every Pareto-optimal (departure, arrival) pair for leaving FROM
 * within [t0, t1], by one earliest-arrival scan (rt_csa_earliest) per
 * distinct departure candidate in the window (see
 * docs/routing-timetables.md, "Latest departure and range queries").
 *
 * Transfer rules are exactly those of csa.h: staying on a run is free, a
 * change inside a stop takes its min_transfer unless forbidden, footpaths
 * are walked only right after leaving a vehicle or from the origin and are
 * never chained, forbidden pairs are never walked after a vehicle,
 * pickup / drop-off flags are honoured, and a station as origin or target
 * stands for its child stops.
 *
 * A workspace is made once per timetable (which must outlive it) and
 * serves one query at a time; use one per thread.  Queries allocate
 * nothing. */
#ifndef DT_PROFILE_H
#define DT_PROFILE_H

#include "csa.h"
#include "timetable.h"

#include <stddef.h>
#include <stdint.h>

#define RT_PROFILE_MAX 256 /* pairs kept in a range result */

struct rt_ld_result {
    uint32_t departure;   /* latest departure from the origin, timetable
                           * seconds; UINT32_MAX when none */
    uint32_t arrival;     /* arrival of the journey in legs (<= arrive_by) */
    uint32_t origin_stop; /* the stop left (a child when the origin is a
                           * station); RT_NONE when none */
    uint32_t target_stop; /* the stop reached; RT_NONE when none */
    uint32_t first_conn;  /* first hop ridden, RT_NONE when no ride */
    uint32_t last_conn;   /* last hop ridden, RT_NONE when no ride */
    uint32_t nlegs;       /* legs in order; 0 when the origin is the target */
    int truncated;        /* more than RT_CSA_MAX_LEGS legs: the first
                           * RT_CSA_MAX_LEGS are kept */
    uint32_t scanned;     /* connections looked at (for statistics) */
    struct rt_leg legs[RT_CSA_MAX_LEGS];
};

struct rt_profile_pair {
    uint32_t dep, arr; /* timetable seconds */
};

struct rt_profile_result {
    uint32_t npairs;  /* pairs, by increasing dep (and so increasing arr) */
    int truncated;    /* more than RT_PROFILE_MAX pairs: the latest
                       * RT_PROFILE_MAX departures are kept; ask again with
                       * t1 = pairs[0].dep - 1 for the earlier ones */
    uint32_t walk;    /* seconds of the walk-only journey (0 when the
                       * origin is the target), UINT32_MAX when none: it
                       * can start at any time, so it is not listed in
                       * pairs, and a pair is listed only when it arrives
                       * before walking would */
    uint32_t queries; /* earliest-arrival scans run (for statistics) */
    struct rt_profile_pair pairs[RT_PROFILE_MAX];
};

/* Opaque: the arrival index and per-stop / per-run labels for one timetable. */
struct rt_profile_ws;

/* A workspace for TT, or NULL when out of memory.  Free it with
 * rt_profile_ws_free().  Memory: 8 bytes per connection (the arrival index
 * and the range query's candidates), 45 bytes per stop, 16 per run, one
 * rt_csa_result, and an rt_csa_ws of its own (see rt_profile_ws_bytes).
 * Building it sorts the connections by arrival: O(n log n), with 16 bytes
 * per connection of scratch. */
struct rt_profile_ws *rt_profile_ws_new(const struct rt_timetable *tt);

void rt_profile_ws_free(struct rt_profile_ws *ws);

/* Bytes WS owns, its csa workspace excepted. */
size_t rt_profile_ws_bytes(const struct rt_profile_ws *ws);

/* Latest time to leave FROM_STOP and still reach TO_STOP at or before
 * ARRIVE_BY (timetable seconds): the largest T with
 * rt_csa_earliest(from, to, T) <= ARRIVE_BY.  Fills OUT with that time
 * and a journey leaving then; returns 0 when there is one, 1 when not
 * (out->departure = UINT32_MAX), -1 when a stop index is out of range or
 * WS was made for another timetable. */
int rt_latest_departure(const struct rt_timetable *tt, struct rt_profile_ws *ws,
                        uint32_t from_stop, uint32_t to_stop, uint32_t arrive_by,
                        struct rt_ld_result *out);

/* Every Pareto-optimal (departure, arrival) pair for leaving FROM_STOP at a
 * time in [T0, T1] and reaching TO_STOP: no other departure in the window
 * leaves as late or later and arrives as early or earlier.  Walk-only
 * journeys are reported in out->walk, not as pairs.  Returns 0 (OUT
 * filled, possibly with no pairs), -1 on a bad stop index, T0 > T1, or a
 * workspace made for another timetable. */
int rt_profile_range(const struct rt_timetable *tt, struct rt_profile_ws *ws,
                     uint32_t from_stop, uint32_t to_stop, uint32_t t0, uint32_t t1,
                     struct rt_profile_result *out);

#endif
