/* store_subs.h -- webhook subscriptions in Redis (server/store_subs.c;
 * docs/redis-keys.md, docs/webhooks.md).  Keys, all in one hash slot:
 *
 *   wh:{wh}:sub:ID   hash: tenant, role, callback_url, secret, filters (JSON),
 *                    created, delivered, failed, dead
 *   wh:{wh}:subs     set of subscription ids
 *   wh:{wh}:dead:ID  list of dead letters, newest first, at most 1000
 *
 * The secret is stored as given: signing a delivery needs it. */
#ifndef DT_STORE_SUBS_H
#define DT_STORE_SUBS_H

#include "store.h"

#include <stddef.h>

#define STORE_SUB_DEAD_MAX 1000

struct store_sub {
    char id[40];               /* "sub_" + 32 hex */
    char tenant[64];
    char role[16];             /* "forwarder" or "consignee" */
    char callback_url[2001];
    char secret[65];
    const char *filters;       /* JSON object text; borrowed (valid during the call) */
    long long created;         /* Unix seconds */
    unsigned long long delivered, failed, dead;
};

/* Every stored subscription (start-up and reconnects): SUBS[0..N), valid
 * during the call.  A hash that lost fields is skipped. */
typedef void store_subs_cb(int status, const struct store_sub *subs, size_t n, void *arg);
void store_subs_load(store_subs_cb *cb, void *arg);

/* Store S (its hash and its id in the set) in one script; counters start
 * at S's values.  cb(STORE_OK) once Redis replied; STORE_CONFLICT if the
 * id exists. */
void store_sub_put(const struct store_sub *s, store_done_cb *cb, void *arg);

/* Delete subscription ID: hash, dead letters, set member.  STORE_NOT_FOUND
 * if it was not there.  CB may be NULL. */
void store_sub_delete(const char *id, store_done_cb *cb, void *arg);

/* Fire and forget: add DELIVERED, FAILED and DEAD to ID's counters (only
 * while its hash exists: a deleted subscription stays deleted). */
void store_sub_count(const char *id, unsigned delivered, unsigned failed, unsigned dead);

/* Fire and forget: push dead letter JSON (LEN bytes) on ID's list, trimmed
 * to STORE_SUB_DEAD_MAX. */
void store_sub_dead_add(const char *id, const char *json, size_t len);

/* The COUNT newest dead letters of ID, newest first (JSON strings). */
void store_sub_dead_list(const char *id, long count, store_strings_cb *cb, void *arg);

#endif
