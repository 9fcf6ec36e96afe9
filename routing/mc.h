/* mc.h -- multi-criteria freight journeys: the Pareto set over
 * availability time, legs, cost and CO2e, with the freight rules of
 * freight.h applied inside the scan.
 *
 * Two parts:
 *   struct rt_mc_net  the per-timetable facts the rules need, built once:
 *                     each trip's freight mode, the distance of every hop
 *                     and footpath, each stop's customs territory and the
 *                     freight times of freight.h resolved per stop;
 *   rt_mc_search      one query, a multi-criteria connection scan over the
 *                     timetable (and a real-time overlay, when given).
 *
 * THE RULES (docs/routing-timetables.md, "Multi-criteria freight search").
 * A journey is a sequence of legs.  A leg is a ride on one run (boarded at
 * one hop, left at a later or the same hop, pickup / drop-off flags
 * honoured) or a truck move along one footpath (tt->foot: drayage or
 * transfers.txt).  A footpath leg only starts at the origin or right after
 * a ride; two footpaths never follow each other.  Footpath legs are road
 * legs: they are not taken when road is not among the allowed modes, and a
 * forbidden pair (transfer_type 3) is never walked after a ride.
 *
 * Times.  NEED(s, x, m) is the time cargo must be at stop s before a
 * departure of mode m, when it came to s by mode x:
 *   x = origin (nothing yet)       cutoff(s, m)
 *   x = a footpath leg             max(handling(s, road, m), cutoff(s, m))
 *   x = a ride of mode x           max(handling(s, x, m), min_transfer(s)),
 *                                  and also >= cutoff(s, m) when x is road;
 *                                  impossible when transfers.txt forbids
 *                                  changing vehicles within s.
 * (Cargo delivered to a terminal by truck, like cargo from the origin,
 * meets the cut-off: otherwise trucking it in from next door would beat
 * the cut-off.  Cargo transshipped from another vessel, train or plane
 * needs the handling time only.)
 * A ride on run R of mode m boarded at hop c of stop s, by cargo that is at
 * s from time t, needs t + NEED(s, x, m) <= c.dep.  Staying on a run needs
 * nothing.  A footpath leg from s after a ride of mode x arriving at a
 * starts at a + HOLD + handling(s, x, road) (HOLD: customs, below) and
 * takes the footpath's seconds; from the origin it may start at the ready
 * time (results show it leaving as late as the next leg allows, see struct
 * rt_mc_leg).
 *
 * Customs.  Every stop has a customs territory (e.g. CN, EU, EAEU, HK).
 * Cargo is cleared in the origin's territory.  When a leg ends at a stop in
 * another territory than the one the cargo was last cleared in, it clears
 * there: the customs dwell customs(s, mode of that leg) is added to the
 * time the cargo is at s, and it is now cleared in that territory.  Cargo
 * that stays on board through a territory (a train through Kazakhstan)
 * does not clear there.
 *
 * At the target the cargo is AVAILABLE at: the last leg's arrival, plus
 * the customs dwell if it clears there, plus release(target, mode of the
 * last leg).  A journey that is already at the target (origin = target)
 * is not a journey.
 *
 * Criteria, all minimised: available (time), legs (rides + footpath legs;
 * "transfers" = legs - 1), cost (sum over legs, each leg rounded to whole
 * cents: llround(100 * rt_freight_cost(mode, km, weight, teu))), CO2e (sum
 * over legs, each rounded to whole grams: llround(1000 *
 * rt_freight_co2e_kg(mode, km, weight))).  A leg's km is rt_mc_ride_km (a
 * ride: the sum of its hops; a footpath: its own km).
 *
 * Scope of the answer.  Journeys with at most max_legs legs, only of the
 * allowed modes, available at most max_days after the ready time, and
 * within the slack after the earliest: with E the earliest available time
 * of any such journey, journeys available after depart + F * (E - depart)
 * + S are out of scope, where F = slack_factor and S = slack_s (both 0:
 * F = 2, S = 86400; F < 0: no slack, max_days alone bounds the scope).  The answer is the Pareto set of the journeys in scope:
 * no journey in it is dominated (another is <= in all four criteria and <
 * in one) and every journey in scope is dominated by or equal (in all four)
 * to one in it.  Of journeys equal in all four criteria one is kept.
 *
 * With FREIGHT NULL every freight time is 0, every cost and CO2e 0:
 * journeys are then ranked by available time and legs only.
 *
 * Pure C: no I/O, no libevent or hiredis.  A workspace serves one query at
 * a time; use one per thread. */
#ifndef DT_MC_H
#define DT_MC_H

#include "csa.h"
#include "freight.h"
#include "overlay.h"
#include "timetable.h"

#include <stdint.h>

#define RT_MC_MAX_LEGS 8      /* legs of one journey: the max_legs cap */
#define RT_MC_MAX_JOURNEYS 64 /* journeys kept in a result (Pareto set cut) */
#define RT_MC_FOOT 5          /* "mode" of a footpath leg in RT_MC_* arrays */
#define RT_MC_ORIGIN 6        /* "came by": nothing yet */

/* Per-stop input to rt_mc_net_build.  TERRITORY: any small number naming
 * the customs territory (same number, same territory); CUSTOMS_FLAGS: the
 * stop's geodata customs flags (enum geo_customs bits), for
 * rt_freight_customs_dwell. */
struct rt_mc_stop_in {
    uint16_t territory;
    unsigned customs_flags;
};

struct rt_mc_net {
    const struct rt_timetable *tt;
    const struct rt_freight *freight; /* may be NULL: no freight rules */
    uint8_t *trip_mode;               /* [ntrips] enum rt_fmode, 255: unusable */
    uint8_t *run_mode;                /* [nruns] the same per run: the scan
                                       * reads it per connection */
    double *cum_km;                   /* [nstop_times]: km from the trip's
                                       * first stop along its hops */
    double *foot_km;                  /* [nfoot] */
    uint16_t *territory;              /* [nstops] */
    /* Freight times per stop from the data (no override), seconds:
     * handling[s][x][m] (x, m: enum rt_fmode), cutoff[s][m],
     * release[s][m], customs[s][m] (the dwell if cargo clears at s). */
    int32_t (*handling)[RT_FMODE_COUNT][RT_FMODE_COUNT];
    int32_t (*cutoff)[RT_FMODE_COUNT];
    int32_t (*release)[RT_FMODE_COUNT];
    int32_t (*customs)[RT_FMODE_COUNT];
    uint8_t *customs_at;  /* [nstops]: bit m set when cargo arriving by mode
                           * m clears at s at all (a customs.csv row for s,
                           * or a border / port_of_entry flag); an override
                           * changes how long, not where */
    /* For lower bounds (pruning only; see mc.c "Lower bounds"): every hop
     * and footpath has km >= km_per_gc x its great-circle km, and covers at
     * most gc_per_s great-circle km per second of its scheduled duration
     * (INFINITY when some has no duration or a position is missing). */
    double km_per_gc, gc_per_s;
};

/* Build NET for TT.  FREIGHT may be NULL (no freight rules).  STOPS: one
 * per stop, or NULL (all in one territory, no customs flags).  TRIP_MODE:
 * one enum rt_fmode per trip (255: not usable), or NULL: from each route's
 * mode, water taken as sea.  HOP_KM: per stop_time index i the km from
 * stop i to stop i + 1 of the same trip (the last stop of a trip is
 * ignored), or NULL: great-circle distance between the stops (0 when a
 * position is missing).  FOOT_KM: per footpath, or NULL: great-circle x
 * 1.3.  Every array is copied.  0, or -1 when out of memory (NET is then
 * empty; rt_mc_net_free is safe either way). */
int rt_mc_net_build(struct rt_mc_net *net, const struct rt_timetable *tt,
                    const struct rt_freight *freight, const struct rt_mc_stop_in *stops,
                    const uint8_t *trip_mode, const double *hop_km, const double *foot_km);

void rt_mc_net_free(struct rt_mc_net *net);

/* Km of a ride on TRIP from stop index SEQ_FROM to SEQ_TO (positions in
 * the trip's stop_times, SEQ_FROM <= SEQ_TO). */
double rt_mc_ride_km(const struct rt_mc_net *net, uint32_t trip, uint32_t seq_from,
                     uint32_t seq_to);

struct rt_mc_query {
    uint32_t from, to;  /* stops; a station stands for its child stops */
    uint32_t depart;    /* cargo ready at FROM, timetable seconds */
    unsigned modes;     /* bit (1u << enum rt_fmode) per allowed mode; 0: all */
    int max_legs;       /* 1..RT_MC_MAX_LEGS; 0: RT_MC_MAX_LEGS */
    double weight_kg;   /* > 0 */
    double teu;         /* >= 0; > 0 prices by TEU where the mode has TEU rates */
    int max_days;       /* 1..366; 0: 90 */
    double slack_factor; /* see "Scope"; 0 with slack_s 0: the default */
    uint32_t slack_s;
    const struct rt_freight_override *override; /* NULL: the data */
    int order;          /* enum rt_mc_order: how OUT is sorted, and which
                         * journeys are kept when the set is cut */
};

enum rt_mc_order {
    RT_MC_BY_TIME, /* (available, legs, cost, co2e) */
    RT_MC_BY_COST, /* (cost, available, co2e, legs) */
    RT_MC_BY_CO2   /* (co2e, available, cost, legs) */
};

/* enum rt_mc_order of "time", "cost" or "co2"; -1 for anything else. */
int rt_mc_order_parse(const char *s);

/* One leg of a journey.  A footpath that starts the journey (from the
 * origin, before a ride) is shown leaving as late as it can and still make
 * that ride: cargo waits at the origin rather than at a terminal.   A ride: run, board and alight as in struct
 * rt_leg (csa.h; indices past tt->nconns are the overlay's side array).
 * A footpath: run, board, alight RT_NONE and foot = its index in tt->foot. */
struct rt_mc_leg {
    struct rt_leg leg;
    uint8_t mode;     /* enum rt_fmode (RT_FMODE_ROAD for a footpath) */
    uint32_t foot;    /* footpath index, or RT_NONE */
    uint32_t ready;   /* when the cargo was at leg.from for this leg (after
                       * the previous leg's arrival and customs dwell) */
    int32_t customs_s;/* customs dwell at leg.to, 0 when it does not clear */
    double km;
    int64_t cost_cents;
    int64_t co2e_g;
};

struct rt_mc_journey {
    uint32_t latest_ready; /* the latest time the cargo could be ready at the
                            * origin for this same journey (every leg as
                            * here, the last leg arriving as here); >= the
                            * query's depart */
    uint32_t departure;   /* first leg's departure */
    uint32_t arrival;     /* last leg's arrival */
    uint32_t available;   /* the criterion: see THE RULES */
    uint32_t nlegs;
    int64_t cost_cents, co2e_g;
    double km;
    struct rt_mc_leg legs[RT_MC_MAX_LEGS];
};

struct rt_mc_result {
    uint32_t n;               /* journeys, sorted by q->order */
    int truncated;            /* the Pareto set had more than RT_MC_MAX_JOURNEYS:
                               * the first ones in q->order are kept */
    uint32_t earliest;        /* E of THE RULES; UINT32_MAX when none */
    uint32_t scan_end;        /* connections departing before this were
                               * scanned: a change to a connection departing
                               * in [depart, scan_end) may change the answer */
    uint32_t scanned;         /* connections looked at (statistics) */
    uint32_t labels;          /* labels made (statistics) */
    struct rt_mc_journey j[RT_MC_MAX_JOURNEYS];
};

struct rt_mc_ws;

/* A workspace for NET's timetable, or NULL when out of memory. */
struct rt_mc_ws *rt_mc_ws_new(const struct rt_mc_net *net);
void rt_mc_ws_free(struct rt_mc_ws *ws);

/* The Pareto set of THE RULES for Q over NET, with the real-time overlay
 * OV (NULL: the schedule; prepared here when its version moved, as in
 * rt_csa_earliest_rt).  0 with OUT filled (out->n may be 0: nothing in
 * scope), -1 on a bad argument (stop out of range, weight not > 0, teu < 0,
 * OV for another timetable) or out of memory. */
int rt_mc_search(const struct rt_mc_net *net, struct rt_overlay *ov, struct rt_mc_ws *ws,
                 const struct rt_mc_query *q, struct rt_mc_result *out);

#endif
