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

#endif
