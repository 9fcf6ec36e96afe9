/* store_waybills.h -- the Redis commands of waybills (store_waybills.c).
 *
 * Keys (hash tag {wb}; docs/redis-keys.md):
 *   wb:{wb}:w:NUMBER        hash: doc (the stored document, waybill.h),
 *                           vfull / vpub (the static parts of the full and
 *                           public views, rendered JSON), live (the tracking
 *                           part, rendered JSON), livepub, tenant, account,
 *                           tok (SHA-256 of the consignee token), status,
 *                           dest, risk ("1"/"0"), eta (Unix s, 0 none),
 *                           proposals (JSON, "" none), st (the engine's
 *                           compact state), version
 *   wb:{wb}:all             set of every number (loaded at start-up)
 *   wb:{wb}:t:TENANT        sorted set: number by creation time
 *   wb:{wb}:eta:TENANT      sorted set: number by ETA (Unix s)
 *   wb:{wb}:ev:NUMBER       sorted set: the waybill's events, member
 *                           SOURCE:ID (ev:{ev}:e:SOURCE:ID holds the
 *                           event), score the event time (Unix ms)
 *   wb:{wb}:h:NUMBER        list: amendment history, oldest first (JSON)
 *   wb:{wb}:etah:NUMBER     list: the ETA each time it moved, oldest first,
 *                           "AT|ETA|SOURCE" (Unix s; at most 500)
 *
 * The timeline script reads ev:{ev}:e:* keys beside its own {wb} key: one
 * Redis instance, not a cluster (as the events' own {ev} tag already
 * assumes). */
#ifndef DT_STORE_WAYBILLS_H
#define DT_STORE_WAYBILLS_H

#include "store.h"

#include <stddef.h>

/* Create waybill NUMBER of TENANT: the hash from the NFV/2 field/value
 * pairs FV (which must include tenant, status, dest, risk, eta), indexed
 * by CREATED and by its eta.  cb(STORE_CONFLICT) when NUMBER exists. */
void store_wb_create(const char *number, const char *tenant, const char *const *fv, size_t nfv,
                     long long created, store_done_cb *cb, void *arg);

/* HMGET of NAMES[0..N) of waybill NUMBER; cb(STORE_NOT_FOUND) when it
 * does not exist. */
void store_wb_fields(const char *number, const char *const *names, size_t n,
                     store_strings_cb *cb, void *arg);

/* Amend waybill NUMBER at VERSION: set the pairs FV, append HISTORY (JSON)
 * to its history.  cb(STORE_CONFLICT) when its version is no longer
 * VERSION (someone amended it meanwhile), STORE_NOT_FOUND when gone. */
void store_wb_amend(const char *number, int version, const char *const *fv, size_t nfv,
                    const char *history, store_done_cb *cb, void *arg);

/* NUMBER's ETA history: "AT|ETA|SOURCE" strings, oldest first (a new ETA
 * is appended by the create and by store_wb_lives when the engine says it
 * moved: eta_moved; trimmed to the last 500 once it has more). */
void store_wb_eta_history(const char *number, store_strings_cb *cb, void *arg);

/* A waybill's tracking state as the engine (waybills.c) computed it. */
struct store_wb_live {
    const char *number, *tenant;
    const char *live;            /* rendered JSON */
    const char *livepub;         /* rendered JSON; NULL: unchanged */
    const char *state;           /* the engine's compact state (waybills.c); NULL: unchanged */
    const char *status;          /* "" none */
    const char *proposals;       /* NULL: unchanged; "" none; else JSON */
    long long eta;               /* Unix s, 0 none (removed from the ETA index) */
    const char *eta_src;         /* its source ("scheduled", ...), for the ETA history */
    long long at;                /* Unix s of this state (the ETA history's time) */
    int at_risk;
    int eta_moved;               /* 1: ETA differs from the one stored before (the
                                  * engine's, in memory): pushed to the ETA history */
};

/* Write N states (any number: sent 500 per script).  cb once, after the
 * last batch answered, with the first failure or STORE_OK (CB may be
 * NULL).  Waybills are never deleted, so the script does not check that
 * each still exists. */
void store_wb_lives(const struct store_wb_live *v, size_t n, store_done_cb *cb, void *arg);

/* Events that reached waybills: add MEMBER (SOURCE:ID) at SCORE (event
 * time, Unix ms) to NUMBER's timeline.  As store_wb_lives. */
struct store_wb_link {
    const char *number, *member;
    double score;
};
void store_wb_links(const struct store_wb_link *v, size_t n, store_done_cb *cb, void *arg);

/* NUMBER's timeline in event-time order after member AFTER (NULL: from
 * the start), at most LIMIT events: strings total, next ("" at the end),
 * then the events' JSON (an event whose record expired is skipped).
 * STORE_NOT_FOUND when AFTER is not in the timeline. */
void store_wb_timeline(const char *number, const char *after, long limit, store_strings_cb *cb,
                       void *arg);

/* TENANT's waybills (TENANT NULL: every tenant's is not offered; admins
 * name a tenant), by creation (BY_ETA 0) or by ETA up to ETA_BEFORE,
 * after number AFTER (NULL: from the start), keeping those whose status
 * is STATUS, dest DEST (either NULL: any) and, when AT_RISK, at risk; at
 * most LIMIT, looking at most 5000 candidates per call.  Strings: next
 * cursor ("" at the end), then per waybill: number, vfull, live. */
void store_wb_list(const char *tenant, int by_eta, long long eta_before, const char *after,
                   long limit, const char *status, const char *dest, int at_risk,
                   store_strings_cb *cb, void *arg);

/* The newest COUNT history entries of NUMBER, oldest first. */
void store_wb_history(const char *number, long count, store_strings_cb *cb, void *arg);

/* Every waybill number (start-up). */
void store_wb_numbers(store_strings_cb *cb, void *arg);

/* For each of NUMBERS[0..N) (N <= 500): doc, st and risk ("" when missing). */
void store_wb_load(const char *const *numbers, size_t n, store_strings_cb *cb, void *arg);

#endif
