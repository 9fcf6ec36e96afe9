/* feeds.h -- the carrier feeds configured (config.h "feed.*"): each one's
 * format, pull and counters, and ingestion, the one path both a push
 * (POST /v1/feeds/{name}/events) and a pull take:
 *
 *   parse (carriers/) -> place on the timetable (event_trips.c) -> store
 *   in Redis, deduplicated (store_events_put) -> quarantine the rejects ->
 *   record the new delays in the overlay (trips.c) -> answer.
 *
 * docs/carrier-events.md describes the whole flow. */
#ifndef DT_FEEDS_H
#define DT_FEEDS_H

#include "carriers/event.h"
#include "config.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct feed;

/* Register the configured feeds and start pulling those with a URL.
 * 0, or -1 (out of memory, or the puller could not start). */
int feeds_start(struct event_base *base, const struct srv_config *cfg);

/* Stop pulling and free everything (ingestions in flight still answer). */
void feeds_stop(void);

/* The feed called NAME, or NULL. */
struct feed *feeds_find(const char *name);
const struct cfg_feed *feeds_cfg(const struct feed *f);

/* How one body fared.  STATUS is 202 (stored: ACCEPTED new events,
 * DUPLICATES seen before, REJ refused ones), 400 (the body could not be
 * read at all: ERROR says why) or 503 (Redis did not store it: nothing
 * was acknowledged; sending it again is safe, duplicates are dropped). */
struct feed_result {
    int status;
    char error[300];
    size_t accepted, duplicates, total;
    const struct carrier_reject *rej;
    size_t nrej;
};
typedef void feed_ingest_cb(const struct feed_result *res, void *arg);

/* Ingest BODY (LEN bytes, copied as needed: it may go away when this
 * returns) of feed F, received at RECEIVED (Unix seconds).  CB is called
 * exactly once, possibly before this returns. */
void feeds_ingest(struct feed *f, const char *body, size_t len, int64_t received,
                  feed_ingest_cb *cb, void *arg);

/* F's state for GET /v1/feeds: a new JSON object. */
json_t *feeds_json(const struct feed *f);

/* For /metrics: the number of feeds, and feed I's counters. */
struct feed_counters {
    const char *name, *format;
    unsigned long long bodies, bad_bodies, accepted, duplicates, rejected, store_errors;
    unsigned long long pulls, pull_errors, overlay_updates;
    long long last_success;   /* Unix seconds, 0 never */
    double lag_s;             /* received minus event time of the newest
                               * actual event of the last body, -1 none */
};
size_t feeds_count(void);
int feeds_counters(size_t i, struct feed_counters *out);

#endif
