/* trip_update.h -- the pure half of POST /v1/trips/{trip_id}/updates: the
 * body's validation against the timetable, and the stored form of one
 * per-stop report (the overlay:{rt}:run:* hash fields, docs/redis-keys.md).
 * No HTTP and no Redis: api_trips.c replies and stores, and
 * test/fuzz/fuzz_trip_update.c runs both parsers alone. */
#ifndef DT_TRIP_UPDATE_H
#define DT_TRIP_UPDATE_H

#include "routing/timetable.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TRIP_MAX_DELAY_S (90LL * 86400) /* a report further off is a typo */
#define TRIP_RETAIN_S (7LL * 86400)     /* stored updates outlive their run by this
                                         * (plus TRIP_MAX_DELAY_S) */
#define TRIP_MAX_STOPS 1000             /* entries of "stops" in one request */

enum trip_rep_kind { TRIP_REP_DELAY, TRIP_REP_TIME, TRIP_REP_SKIP };

/* One stop's report: delays (seconds) or times (Unix seconds); either of
 * ARR and DEP may be RT_OV_UNSET; both are for a skipped stop. */
struct trip_stop_rep {
    uint32_t idx; /* stop index in the run's trip */
    enum trip_rep_kind kind;
    int64_t arr, dep;
    int observed;
};

enum trip_up_what { TRIP_UP_STOPS, TRIP_UP_CANCEL, TRIP_UP_CLEAR };

/* A validated update.  STOPS is owned (trip_update_release); NSTOPS is 0
 * unless WHAT is TRIP_UP_STOPS. */
struct trip_update {
    uint32_t run;
    enum trip_up_what what;
    char date[11]; /* YYYY-MM-DD */
    struct trip_stop_rep *stops;
    size_t nstops;
};

/* Validate the update BODY (a JSON object) for trip TRIP of TT into U.
 * Returns 0, or the HTTP status to answer with MSG (always set then,
 * truncated to MSGLEN): 400 shape or types, 404 unknown trip or no run that
 * date / start time, 422 values, 503 out of memory.  Messages name the JSON
 * path (stops[3].arrival) and the bad value.  On failure U holds nothing to
 * release. */
int trip_update_parse(const struct rt_timetable *tt, const char *trip, json_t *body,
                      struct trip_update *u, char *msg, size_t msglen);

/* Free what trip_update_parse put in U (not U itself). */
void trip_update_release(struct trip_update *u);

/* "YYYY-MM-DD" to YYYYMMDD in *YMD: 0, -1 when not of that shape, -2 when
 * not a calendar date. */
int trip_parse_date(const char *s, int *ymd);

/* GTFS "H:MM:SS" / "HH:MM:SS" (hours may pass 24) to seconds, or -1. */
int32_t trip_parse_hms(const char *s);

/* The run of TRIP on DATE (YYYY-MM-DD) starting at START (GTFS time; "" for
 * the first that day).  RT_NONE with a 404 reason in WHY. */
uint32_t trip_find_run(const struct rt_timetable *tt, const char *trip,
                       const char *date, const char *start, char *why, size_t whylen);

/* The stored form of S, {"k":"delay"|"time"|"skip","a":ARR|null,
 * "d":DEP|null,"o":0|1}: a string the caller frees, or NULL (out of
 * memory). */
char *trip_rep_encode(const struct trip_stop_rep *s);

/* Parse a stored report: FIELD is "stop:N" with N below NSTOPS, VAL (LEN
 * bytes, not NUL-terminated) its value.  0, or -1 when either is
 * malformed (S is then partly written). */
int trip_rep_decode(const char *field, const char *val, size_t len, uint32_t nstops,
                    struct trip_stop_rep *s);

#endif
