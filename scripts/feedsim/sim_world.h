/* sim_world.h -- the simulated carrier world behind bin/dongting-feedsim:
 * the runs of the timetable's water, rail and air trips that depart in the
 * simulated window, their delays and consignments, and every event the
 * three channels will report about them, each with the simulated time it
 * becomes visible (eventCreatedDateTime).  docs/feed-simulator.md has the
 * model.
 *
 * Runs are made in order of first departure as the simulated clock moves
 * (sim_world_advance), and every draw is keyed by the seed and the run's
 * trip_id and service date: the same seed and simulated time give the same
 * events and ids however often or late anyone asks.  No HTTP here. */
#ifndef DT_SIM_WORLD_H
#define DT_SIM_WORLD_H

#include "sim_model.h"
#include "geodata/nodes.h"
#include "routing/freight.h"
#include "routing/timetable.h"

#include <stddef.h>
#include <stdint.h>

#define SIM_DAY 86400
#define SIM_LOOKBACK (2 * SIM_DAY)  /* runs departing this long before start */
#define SIM_LOOKAHEAD (7 * SIM_DAY) /* runs appear this long before departing */

enum sim_channel { SIM_CH_PORT, SIM_CH_RAIL, SIM_CH_AIR };

/* DCSA-style event families; rail and air events are all SIM_EV_TRANSPORT
 * or SIM_EV_EQUIPMENT by what they are about (a run or a consignment). */
enum sim_evtype { SIM_EV_TRANSPORT, SIM_EV_EQUIPMENT, SIM_EV_SHIPMENT };

enum sim_class { SIM_PLN, SIM_EST, SIM_ACT };

struct sim_cons {
    uint32_t run;        /* index into world runs */
    uint32_t from, to;   /* stop indices within the trip: loaded, discharged */
    char container[12];  /* ISO 6346 (water, rail); "" for air */
    char doc[24];        /* B/L (water), AWB "PPP-SSSSSSSC" (air),
                          * CIM/SMGS note (rail) */
    char booking[24];    /* carrier booking reference (water) */
    char wagon[12];      /* rail wagon number */
    int pieces, weight_kg;
};

struct sim_run {
    uint32_t rt_run, trip, n; /* timetable run, trip, stops */
    enum sim_channel ch;
    char service_date[9];     /* YYYYMMDD */
    char vehicle[16];         /* IMO number, train number or flight */
    char vessel_name[32];
    char carrier[4];          /* airline code (air) */
    int64_t *parr, *pdep;     /* planned, Unix seconds, N each */
    int64_t *earr, *edep;     /* with the delay */
    int *offset;              /* UTC offset of each stop at its planned time */
    uint8_t *border;          /* 1 = border crossing, 2 = and gauge change */
    struct sim_delay delay;
    int64_t pln_created;      /* when the run and its plan became visible */
    int64_t est_created;      /* when the delay became known (if delayed) */
    uint32_t first_cons, ncons;
};

#define SIM_CODE_LEN 8
struct sim_event {
    int64_t created, time; /* Unix seconds */
    uint32_t run;
    int32_t stop;          /* stop index in the trip, -1 for none */
    int32_t cons;          /* consignment index, -1 for a run-wide event */
    uint8_t ch, type, cls;
    uint8_t bad;           /* enum sim_bad: a malformed copy */
    char code[SIM_CODE_LEN]; /* DEPA, LOAD, CONF, BKD, BCRS ... */
    char id[40];           /* a UUID (version 4 shape) drawn from the seed:
                            * DCSA 2.2 requires eventID to be one */
};

struct sim_world {
    const struct rt_timetable *tt;
    const struct geo_nodes *nodes; /* may be NULL: borders by dwell then */
    /* Handling times for connecting waybills (/sim/waybills); NULL: none
     * are offered.  Not owned; set by the caller after sim_world_init. */
    const struct rt_freight *freight;
    uint64_t seed;
    double delay_prob, malformed;
    int64_t start;

    uint32_t *cand;       /* timetable runs of served modes by first departure */
    int64_t *cand_dep;
    uint32_t ncand, next; /* cand[next] is the next run to make */

    struct sim_run *runs;
    uint32_t nruns, capruns;
    struct sim_cons *cons;
    uint32_t ncons, capcons;
    /* Sorted by (created, id).  No event is created before its run's
     * pln_created, and a run is made once pln_created <= now, so a run made
     * later never adds an event before one already visible: a DCSA cursor
     * handed out earlier still misses nothing. */
    struct sim_event *ev;
    size_t nev, capev;
};

/* Set W up over TT (and NODES, may be NULL), neither copied, both must
 * outlive W.  Runs departing before START - SIM_LOOKBACK are never made.
 * 0, or -1 with ERR set (out of memory). */
int sim_world_init(struct sim_world *w, const struct rt_timetable *tt,
                   const struct geo_nodes *nodes, uint64_t seed, double delay_prob,
                   double malformed, int64_t start, char *err, size_t errlen);

/* Make every run departing up to NOW + SIM_LOOKAHEAD not made yet, with its
 * events, and keep w->ev sorted.  Returns the number of runs made, or -1
 * when out of memory (W stays usable with what it had). */
int sim_world_advance(struct sim_world *w, int64_t now);

void sim_world_free(struct sim_world *w);

/* The key every draw about timetable run RT_RUN is made from (its trip_id,
 * service date and first departure). */
uint64_t sim_run_key(const struct rt_timetable *tt, uint32_t rt_run);

/* The delay W gives timetable run RT_RUN, whether it is made yet or not
 * (the same draw make_run makes): D->seconds is 0 for a run on time, and
 * for a run of a mode the simulator does not serve (trucks). */
void sim_run_delay(const struct sim_world *w, uint32_t rt_run, struct sim_delay *d);

/* The id of stop index I of run R (a geodata node code). */
const char *sim_stop_code(const struct sim_world *w, const struct sim_run *r, uint32_t i);
const struct rt_stop *sim_stop(const struct sim_world *w, const struct sim_run *r,
                               uint32_t i);

/* Estimated arrival at the consignment's destination as published by NOW:
 * the delayed time once the delay is known, else the plan. */
int64_t sim_cons_eta(const struct sim_world *w, const struct sim_cons *c, int64_t now);

/* "YYYY-MM-DDTHH:MM:SS+hh:mm" (or Z) of UTC at OFFSET_S; BUF 26+ bytes. */
void sim_iso(int64_t utc, int offset_s, char *buf, size_t len);

/* Parse a DCSA cursor "CREATED.ID" (what sim_cursor writes).  0 or -1. */
int sim_cursor_parse(const char *s, int64_t *created, char *id, size_t idlen);

/* Compare event E with the key (CREATED, ID) in the events' order. */
int sim_event_cmp_key(const struct sim_event *e, int64_t created, const char *id);

#endif
