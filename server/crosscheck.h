/* crosscheck.h -- a customs declaration checked against the carrier events
 * of its consignment (docs/customs-crosscheck.md).
 *
 * Pure rules over what the caller hands in: a declaration summary, the
 * consignment's canonical carrier events, the places (nodes.csv) and the
 * customs offices (customs_offices.csv).  No clock, no Redis, no libevent:
 * the same inputs always give the same results, in the same order. */
#ifndef DT_CROSSCHECK_H
#define DT_CROSSCHECK_H

#include "carriers/event.h"
#include "geodata/customs_offices.h"
#include "geodata/nodes.h"

#include <stddef.h>
#include <stdint.h>

struct xc_decl {
    const char *id;               /* declaration id (for messages) */
    int import;                   /* 1 import (ieFlag I), 0 export */
    const char *port_code;        /* declared portCode: port of entry (import) / exit (export); "" unknown */
    const char *customs_code;     /* declared customsCode (the declaring / destination customs) */
    const char *traf_mode;        /* customs trafMode code "2","3","4","5"...; "" unknown */
    const char *traf_no;          /* declared vessel / flight / train ("" unknown) */
    const char *voyage_no;        /* declared voyage ("" unknown) */
    int has_gross;
    double gross_kg;
    const char *const *containers; /* declared containers (from the linked waybill) */
    size_t ncontainers;
    int64_t released_at;          /* customs release time (Unix s), 0 = not released */
    const char *const *route;     /* node codes of the booked route, in order (for transit) */
    size_t nroute;
};

struct xc_limits {
    double max_speed_kmh[6];      /* by enum carrier_mode: unknown 1000, vessel 60, barge 40,
                                   * rail 160, air 1100, truck 130 */
    double min_distance_km;       /* below this two events never count as impossible
                                   * movement (default 30) */
    double weight_tolerance_pct;  /* default 10 */
    double weight_tolerance_kg;   /* default 0.5 */
    int64_t transit_limit_s;      /* customs transit time limit, default 7 days */
};

void xc_limits_default(struct xc_limits *l);

/* Either pointer may be NULL: rules needing it are then skipped. */
struct xc_places {
    const struct geo_nodes *nodes;
    const struct cx_offices *offices;
};

struct xc_result {
    char rule[32];                /* stable code: port_mismatch, transport_mode_mismatch,
                                   * voyage_mismatch, impossible_movement, weight_mismatch,
                                   * undeclared_container, event_order, transit_off_route,
                                   * transit_overdue */
    char severity[8];             /* "high" | "medium" | "low" */
    char message[400];            /* what was declared, what the events say, which events */
    char event_ids[2][CARRIER_ID_LEN + 1]; /* the event(s) concerned ("" if none) */
    char declared[96], observed[96];       /* the two values compared */
};

/* SIZE_MAX from xc_check: out of memory, nothing was checked. */
#define XC_NOMEM ((size_t)-1)

/* Run every rule over EV (N events of the consignment in any order; only
 * ACT events count as facts, except where a rule says otherwise; events
 * that retract another, and the events they retract, are ignored).  Write
 * up to MAX results to OUT (may be NULL when MAX is 0), in rule order, then
 * event-time order within a rule.  Returns how many fired (may exceed MAX:
 * the caller sees the true count), or XC_NOMEM.  L NULL: the defaults. */
size_t xc_check(const struct xc_decl *d, const struct carrier_event *const *ev, size_t n,
                const struct xc_places *p, const struct xc_limits *l,
                struct xc_result *out, size_t max);

#endif
