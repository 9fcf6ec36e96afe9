/* store_customs.h -- the Redis commands of the customs engine
 * (store_customs.c; customs.c holds the state in memory and writes here).
 *
 * Keys (hash tag {cu}; docs/redis-keys.md):
 *   cu:{cu}:d:ID        string: declaration ID's record (JSON: its current
 *                       block, version, deleted, tenant, returns...)
 *   cu:{cu}:h:ID        list: its history, oldest first (JSON per change)
 *   cu:{cu}:all         set of every declaration id (loaded at start-up)
 *   cu:{cu}:msg         hash: MESSAGE:GUID -> the answer it got (a resent
 *                       message is answered the same, not applied twice)
 *   cu:{cu}:a:ID        string: alert ID (JSON)
 *   cu:{cu}:alerts      sorted set: alert ids by time raised (Unix ms)
 *   cu:{cu}:neg         hash: enterprise code -> negative-list entry (JSON)
 *   cu:{cu}:audit       stream: every customs read (who, what, when) */
#ifndef DT_STORE_CUSTOMS_H
#define DT_STORE_CUSTOMS_H

#include "store.h"

#include <stddef.h>

/* One declaration written by a message: its record and history entry. */
struct store_cu_decl {
    const char *id, *rec, *hist;
};

/* Write the N declarations of one message and remember the message GUID
 * with its ANSWER, in one script (all or nothing).  cb(STORE_CONFLICT)
 * when GUID was stored meanwhile. */
void store_cu_declare(const struct store_cu_decl *v, size_t n, const char *guid,
                      const char *answer, store_done_cb *cb, void *arg);

/* Rewrite declaration records (links, returns) without history. */
void store_cu_recs_put(const struct store_cu_decl *v, size_t n, store_done_cb *cb, void *arg);

/* Every declaration id; then the records of IDS (N <= 500; ""
 * for one gone). */
void store_cu_ids(store_strings_cb *cb, void *arg);
void store_cu_recs(const char *const *ids, size_t n, store_strings_cb *cb, void *arg);

/* Declaration ID's history, oldest first. */
void store_cu_history(const char *id, store_strings_cb *cb, void *arg);

/* Every stored message guid and its answer: guid, answer, guid, ... */
void store_cu_messages(store_strings_cb *cb, void *arg);

/* Alerts: write N (new ones are added to the index at SCORE; an existing
 * one is overwritten: an acknowledgement); load all: id, json, id, ... in
 * time order. */
struct store_cu_alert {
    const char *id, *json;
    double score;
};
void store_cu_alerts_put(const struct store_cu_alert *v, size_t n, store_done_cb *cb, void *arg);
void store_cu_alerts_load(store_strings_cb *cb, void *arg);

/* The negative list: set CODE to JSON (NULL: remove it); load all: code,
 * json, code, ... */
void store_cu_neg_set(const char *code, const char *json, store_done_cb *cb, void *arg);
void store_cu_neg_load(store_strings_cb *cb, void *arg);

/* Append one audit record (NFV/2 field/value pairs) to the stream, kept
 * to about MAXLEN entries.  CB may be NULL. */
void store_cu_audit(const char *const *fv, size_t nfv, long maxlen, store_done_cb *cb, void *arg);

#endif
