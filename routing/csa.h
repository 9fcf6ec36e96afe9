/* csa.h -- earliest-arrival queries by Connection Scan (CSA) over a
 * timetable (timetable.h).
 *
 * One query scans tt->conns once, from the first connection departing at or
 * after the departure time, and stops at the first connection that departs
 * at or after the best arrival found at the target.  A workspace holds the
 * per-stop and per-run labels; it is allocated once per timetable, and each
 * query resets only what the previous one wrote (the stops it labelled; runs
 * by a generation tag), so a query allocates nothing.  One
 * workspace serves one query at a time; use one per thread.
 *
 * Transfer rules (docs/routing-timetables.md, "Earliest arrival (CSA)"):
 * staying on a run needs no time; changing vehicles inside a stop takes the
 * stop's min_transfer (0 unless transfers.txt says so) and is impossible
 * when transfers.txt forbids it (transfer_type 3 from the stop to itself);
 * a footpath takes its own seconds, includes the change, is walked only
 * right after leaving a vehicle (or from the origin) and never chained, and
 * a forbidden pair is never walked.  pickup / drop-off flags are honoured.
 * A station as origin or target stands for all of its child stops. */
#ifndef DT_CSA_H
#define DT_CSA_H

#include "overlay.h"
#include "timetable.h"

#include <stdint.h>

#define RT_CSA_MAX_LEGS 64 /* legs kept in a result; longer journeys are cut */

enum rt_leg_kind {
    RT_LEG_RIDE, /* on one run from conns[board] to conns[alight] */
    RT_LEG_WALK  /* a footpath from -> to */
};

struct rt_leg {
    uint8_t kind;             /* enum rt_leg_kind */
    uint8_t dep_src, arr_src; /* enum rt_time_source of dep and arr */
    uint32_t from, to;        /* stop indices */
    uint32_t dep, arr;        /* timetable seconds */
    uint32_t run;             /* RT_LEG_RIDE: index into runs, else RT_NONE */
    uint32_t board, alight;   /* RT_LEG_RIDE: indices into conns of the first
                               * and last hop ridden, else RT_NONE.  With an
                               * overlay, an index >= tt->nconns is entry
                               * (index - tt->nconns) of rt_overlay_side() */
};

struct rt_csa_result {
    uint32_t arrival;     /* timetable seconds; UINT32_MAX when unreachable */
    uint32_t target_stop; /* the stop reached (a child when the target is a
                           * station); RT_NONE when unreachable */
    uint32_t nlegs;       /* legs in order; 0 when origin is the target */
    int truncated;        /* more than RT_CSA_MAX_LEGS legs: only the first
                           * RT_CSA_MAX_LEGS are kept */
    uint32_t scanned;     /* connections looked at (for statistics) */
    uint8_t arrival_src;  /* enum rt_time_source of arrival */
    struct rt_leg legs[RT_CSA_MAX_LEGS];
};

/* Opaque: labels per stop and per run, sized for one timetable. */
struct rt_csa_ws;

/* A workspace for TT (which must outlive it), or NULL when out of memory.
 * Free it with rt_csa_ws_free(). */
struct rt_csa_ws *rt_csa_ws_new(const struct rt_timetable *tt);

void rt_csa_ws_free(struct rt_csa_ws *ws);

/* Earliest arrival at TO_STOP leaving FROM_STOP at or after DEPART
 * (timetable seconds).  WS must have been made for TT.  Fills OUT (journey
 * included) and returns 0 when TO_STOP is reachable, 1 when it is not
 * (out->arrival = UINT32_MAX), -1 when a stop index is out of range. */
int rt_csa_earliest(const struct rt_timetable *tt, struct rt_csa_ws *ws,
                    uint32_t from_stop, uint32_t to_stop, uint32_t depart,
                    struct rt_csa_result *out);

/* rt_csa_earliest over TT with the real-time overlay OV (made for TT;
 * NULL: the schedule, exactly rt_csa_earliest).  Cancelled runs are not
 * used, changed runs are used at their overlaid times and with SKIPPED
 * stops closed, and every time in OUT says its source.  Prepares OV when
 * its version moved (rt_overlay_prepare), so OV is written to then: with
 * several query threads, prepare it once before sharing.  Returns as
 * rt_csa_earliest, and -1 also when OV was made for another timetable or
 * preparing it ran out of memory. */
int rt_csa_earliest_rt(const struct rt_timetable *tt, struct rt_overlay *ov,
                       struct rt_csa_ws *ws, uint32_t from_stop, uint32_t to_stop,
                       uint32_t depart, struct rt_csa_result *out);

#endif
