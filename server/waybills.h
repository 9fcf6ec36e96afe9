/* waybills.h -- the waybill engine: every waybill's booked legs and
 * tracking state held in memory (loaded from Redis when the store becomes
 * ready), indexed by the references events can carry (its number, its
 * master's, its containers, the runs it is booked on).
 *
 *   feeds.c  -> waybills_on_events: new events reach the waybills they
 *               name: timeline, status, carrier ETA;
 *   trips.c  -> waybills_on_run: a run's times moved: every waybill on it
 *               gets its legs' times, ETA and at-risk check recomputed and
 *               written to Redis at once (no request needed);
 * and each change goes out to SSE streams (sse.h) and webhooks
 * (webhooks.h).  When a delay breaks a booked connection the waybill is
 * flagged at risk and the router proposes itineraries from where the
 * cargo will be.  docs/waybills.md has the rules. */
#ifndef DT_WAYBILLS_H
#define DT_WAYBILLS_H

#include "carriers/event.h"
#include "store.h"
#include "waybill.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Register the store-ready hook that loads the waybills.  0 or -1. */
int waybills_start(void);
void waybills_stop(void);

/* An event kept from one feed body: its canonical JSON, the run it was
 * placed on (RT_NONE) and stop index there, and whether it is new. */
struct wb_event_in {
    const struct carrier_event *ev;
    const char *json;
    size_t jlen;
    uint32_t run, stop;
    int fresh;
};

/* Link the events to the waybills they name and update those waybills.
 * cb(STORE_OK) once the links and states are in Redis (at once when no
 * waybill matched); a failure status otherwise. */
void waybills_on_events(const struct wb_event_in *v, size_t n, store_done_cb *cb, void *arg);

/* Something shown in waybill NUMBER's tracking part changed outside the
 * engine (its customs state): render and store it again, notify streams. */
void waybills_refresh(const char *number);

/* RUN's current times changed in srv_overlay(): recompute its waybills. */
void waybills_on_run(uint32_t run);

/* ---- for api_waybills.c ---- */

/* Resolve booking B for W (origin, destination, departure, cargo set):
 * fill W's legs and W->book.  0; -1 with E (the itinerary's JSON path);
 * 1 when the router found nothing (E says why: 422 no_route). */
int waybills_book(struct waybill *w, const struct wb_booking *b, struct wb_error *e);

struct rt_timetable;

/* The legs of ITIN (an itinerary object as /v1/routes writes it: "legs",
 * each ride with trip_id and run_id, or trip_id and scheduled_departure;
 * truck legs with from, to and scheduled times) resolved against TT into
 * W's legs.  Legs must join and not go back in time.  0, or -1 with E
 * naming the leg ("itinerary.legs[1]").  Fuzzed: fuzz_itinerary. */
int waybills_itinerary_legs(const struct rt_timetable *tt, const json_t *itin, struct waybill *w,
                            struct wb_error *e);

/* Book proposal K of waybill NUMBER's current proposals (JSON array PROPS,
 * as stored) into W: the legs it has done stay, the proposal's follow. */
int waybills_book_proposal(struct waybill *w, const char *props, int k, struct wb_error *e);

/* Everything Redis keeps for a new or amended W: the rendered views and
 * the tracking state computed now, as field/value pairs into FV (strings
 * owned by OUT; free with waybills_fields_free).  TOKEN_HASH NULL keeps
 * the token as it is (amend). */
struct wb_fields {
    const char *fv[40];
    size_t nfv;
    char *own[16];
    size_t nown;
    char nums[8][32];
};
int waybills_fields(const struct waybill *w, const char *token_hash, struct wb_fields *out);
void waybills_fields_free(struct wb_fields *f);

/* W was stored (created or amended): hold it and index it; on creation
 * also pull the events already stored about its number and containers
 * into its timeline. */
void waybills_put(const struct waybill *w, int created);

/* Render the static part of a view of W (a JSON object's text, caller
 * frees): full, or public (masked). */
char *waybills_view_static(const struct waybill *w, int full);

/* What the customs engine (customs.c) and the statistics read of a held
 * waybill. */
#define WB_BRIEF_ROUTE 64
struct wb_brief {
    char number[WB_NUMBER_LEN], master[WB_NUMBER_LEN], tenant[64];
    char origin[WB_CODE_LEN], dest[WB_CODE_LEN];
    char containers[WB_MAX_CONTAINERS][12];
    int ncontainers;
    char route[WB_BRIEF_ROUTE][WB_CODE_LEN]; /* every stop the booked legs pass, in order */
    int nroute;
    const char *mode;           /* the longest leg's: "sea", "river", "rail", "air", "road" */
    double weight_kg;
    int64_t created;            /* Unix s */
    int64_t sched_dep, sched_arr; /* the first leg's departure, the last leg's arrival */
    int64_t actual_dep;         /* the first leg's observed departure, 0 not yet */
    int64_t arrived;            /* actual arrival at the destination, 0 not yet */
    int64_t eta;
    int at_risk;
};

/* The waybills whose number, master's number or container is REF (up to
 * MAX numbers into OUT): how many.  For a tracking page's search box. */
#define WAYBILLS_LOOKUP_MAX 20
size_t waybills_lookup(const char *ref, char out[][WB_NUMBER_LEN], size_t max);

/* Waybill NUMBER's brief into OUT: 0, or -1 when no waybill has it. */
int waybills_brief(const char *number, struct wb_brief *out);

/* FN for every held waybill, in creation order of loading. */
void waybills_each(void (*fn)(const struct wb_brief *b, void *arg), void *arg);

/* For /metrics. */
struct waybills_stats {
    unsigned long long held;            /* waybills in memory */
    unsigned long long fanouts;         /* run changes that moved waybills */
    unsigned long long states_written;  /* tracking states stored */
    unsigned long long links;           /* events linked to waybills */
    unsigned long long write_errors;    /* states or links Redis did not take */
    unsigned long long at_risk;         /* held waybills at risk now */
    double last_fanout_ms;              /* the last run change: compute + store */
};
void waybills_stats(struct waybills_stats *out);

#endif
