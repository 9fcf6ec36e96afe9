/* store.h -- the only module that speaks to Redis (hiredis 0.14 async on
 * libevent).  Every Redis command Dongting sends is written in store.c.
 *
 * The connection is kept up on its own: a failed connect, a lost connection
 * or a command timeout schedules a reconnect from a timer with exponential
 * backoff (100 ms doubling to 5 s).  While down, every call answers
 * STORE_DOWN at once (callback invoked before the call returns) and
 * store_reason() says why.  Key names: docs/redis-keys.md. */
#ifndef DT_STORE_H
#define DT_STORE_H

#include "carriers/event.h"

#include <stddef.h>

struct event_base;
struct srv_config;

enum store_status {
    STORE_OK = 0,
    STORE_NOT_FOUND,   /* no such record */
    STORE_CONFLICT,    /* record exists already */
    STORE_DOWN,        /* Redis unreachable or timed out: answer 503 */
    STORE_ERROR,       /* Redis answered an error or an unexpected reply */
};

/* Connect (asynchronously) to the configured Redis.  0 or -1. */
int store_start(struct event_base *base, const struct srv_config *cfg);

/* Close the connection; pending callbacks get STORE_DOWN. */
void store_stop(void);

/* 1 while connected and the last health probe answered. */
int store_ready(void);

/* Why the store is not ready ("" when ready); valid until the next event. */
const char *store_reason(void);

/* A message for a failed STATUS: store_reason() when down. */
const char *store_error_text(int status);

/* ---- API keys: apikey:{ID} hashes ---- */

struct store_apikey {
    char id[40];
    char hash[65];        /* SHA-256 of the key, lowercase hex */
    char role[16];
    char tenant[64];
    char name[201];
    long long created_at; /* Unix seconds */
    long long revoked_at; /* 0 while valid */
};

typedef void store_apikey_cb(int status, const struct store_apikey *k, void *arg);
typedef void store_done_cb(int status, void *arg);

/* Fetch key ID.  cb(STORE_OK, k) / cb(STORE_NOT_FOUND, NULL) / cb(STORE_DOWN...). */
void store_apikey_get(const char *id, store_apikey_cb *cb, void *arg);

/* Create K; STORE_CONFLICT if its id exists. */
void store_apikey_create(const struct store_apikey *k, store_done_cb *cb, void *arg);

/* Mark key ID revoked at WHEN; STORE_NOT_FOUND if unknown. */
void store_apikey_revoke(const char *id, long long when, store_done_cb *cb, void *arg);

/* ---- hooks ---- */

/* Call FN each time the store becomes ready (the first connect and every
 * reconnect), from the event loop after the PING that proved it.  At most
 * 4 hooks; -1 when full. */
int store_on_ready(void (*fn)(void));

/* ---- real-time overlay: overlay:{rt}:run:RUN hashes, overlay:{rt}:runs ---- */

/* Strings of a reply (members of a set, or a hash's field/value pairs, in
 * order), valid during the callback only; N is 0 unless STATUS is STORE_OK. */
typedef void store_strings_cb(int status, const char *const *v, const size_t *lens,
                              size_t n, void *arg);

/* Record an update of run RUN (an id the caller makes, e.g.
 * "TRIP:2026-12-03"): set the NFV/2 field/value pairs FV in its hash and
 * add RUN to the set of runs, in one script.  REPLACE drops the hash's old
 * fields first; otherwise only the field "cancelled" is dropped.  The hash
 * expires at EXPIRE_AT (Unix seconds).  cb(STORE_OK) once Redis replied. */
void store_overlay_write(const char *run, int replace, const char *const *fv, size_t nfv,
                         long long expire_at, store_done_cb *cb, void *arg);

/* Forget run RUN: delete its hash and remove it from the set (CB may be
 * NULL: fire and forget). */
void store_overlay_clear(const char *run, store_done_cb *cb, void *arg);

/* The runs with stored updates (SMEMBERS; start-up only: the set holds at
 * most one member per run of the timetable). */
void store_overlay_runs(store_strings_cb *cb, void *arg);

/* Run RUN's hash as field/value pairs (STORE_NOT_FOUND when it is gone). */
void store_overlay_run_get(const char *run, store_strings_cb *cb, void *arg);

/* ---- route result cache: route:{rc}:* (server/route_cache.c) ---- */

typedef void store_blob_cb(int status, const char *s, size_t len, void *arg);

/* GET route:{rc}:KEY.  cb(STORE_OK, body) or cb(STORE_NOT_FOUND, NULL, 0). */
void store_cache_get(const char *key, store_blob_cb *cb, void *arg);

/* Fire and forget: SET route:{rc}:KEY BODY EX TTL_S, index MEMBER in
 * route:{rc}:idx (score T1) and route:{rc}:exp (score EXPIRES), and trim
 * at most 100 members whose entries expired before NOW. */
void store_cache_put(const char *key, const char *body, size_t len, long ttl_s,
                     const char *member, long long t1, long long expires,
                     long long now);

/* Members of route:{rc}:idx with score >= MIN_T1, with their scores
 * (pairs member, score, as ZRANGEBYSCORE ... WITHSCORES answers). */
void store_cache_index(long long min_t1, store_strings_cb *cb, void *arg);

/* Fire and forget: delete route:{rc}:KEYS[i] and remove MEMBERS[i] from
 * both indexes (N of each; KEYS[i] may be NULL when only the member is to go). */
void store_cache_drop(const char *const *keys, const char *const *members, size_t n);

/* ---- carrier events: ev:{ev}:* (server/feeds.c, docs/redis-keys.md) ---- */

/* Store events *EV[0..N) of FEED, each with its canonical JSON JSON[i]
 * (LENS[i] bytes), in one script: an event whose (source, event_id) was
 * seen before is a duplicate and changes nothing; a new one is added to
 * the global stream and to one stream per reference, and each
 * reference's current state moves to it unless that state is an actual
 * event newer than it.  cb(STORE_OK, fresh) with FRESH[i] 1 for stored, 0
 * for duplicate (valid during the call).  At most 1000 events a call. */
typedef void store_events_cb(int status, const unsigned char *fresh, size_t n, void *arg);
void store_events_put(const char *feed, const struct carrier_event *const *ev,
                      const char *const *json, const size_t *lens, size_t n,
                      store_events_cb *cb, void *arg);

/* Append N rejects (REASONS[i] for body item INDEX[i]) to FEED's
 * quarantine stream (capped near 10000 entries).  CB may be NULL. */
void store_feed_rejects_add(const char *feed, long long received, const size_t *index,
                            const char *const *reasons, size_t n, store_done_cb *cb,
                            void *arg);

/* The newest COUNT rejects of FEED, newest first: strings in groups of
 * four (stream id, received, index, reason). */
void store_feed_rejects_list(const char *feed, long count, store_strings_cb *cb, void *arg);

/* The events about reference KIND VALUE, the COUNT stored last, newest
 * first: their canonical JSON strings. */
void store_events_about(const char *kind, const char *value, long count,
                        store_strings_cb *cb, void *arg);

/* The current state of reference KIND VALUE: hash pairs (status, ts, cls,
 * id); STORE_NOT_FOUND when nothing was stored about it. */
void store_events_state(const char *kind, const char *value, store_strings_cb *cb, void *arg);

#endif
