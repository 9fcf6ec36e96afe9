/* route_cache.h -- the Redis cache of route answers (GET /v1/routes).
 *
 * An answer is stored under a key the caller makes (it should start with
 * route_cache_prefix(), so answers of another timetable are never served)
 * together with the window [t0, t1) of Unix seconds of the connections it
 * depended on.  A real-time change to a run drops every answer whose window
 * overlaps the run's old or new times (route_cache_invalidate), whatever
 * its TTL.  Keys: docs/redis-keys.md (route:{rc}:*); the TTL is the option
 * route_cache_ttl (0 turns the cache off). */
#ifndef DT_ROUTE_CACHE_H
#define DT_ROUTE_CACHE_H

#include <stdint.h>

struct srv_req;

typedef void (*route_cache_miss_fn)(struct srv_req *r, void *arg);

/* Look up KEY; on a hit reply 200 with the stored JSON body and header
 * X-Cache: hit (R is then freed) and hand ARG to DROP (may be NULL); on a
 * miss, a Redis error, Redis down or the cache turned off call MISS(r, arg)
 * exactly once instead, possibly before this returns, with X-Cache: miss
 * already set on R, and the handler replies (and owns ARG).  A client that
 * left meanwhile changes nothing: R is still answered (libevent frees a
 * detached request when it is answered, see http.h). */
void route_cache_get(struct srv_req *r, const char *key, route_cache_miss_fn miss,
                     void (*drop)(void *), void *arg);

/* Store BODY (a NUL-terminated JSON text, copied) under KEY for
 * route_cache_ttl seconds, indexed by the window [t0, t1) of Unix seconds
 * of the connections the answer depended on.  Fire and forget: nothing
 * happens when the cache is off, Redis is down or t1 < t0. */
void route_cache_put(const char *key, const char *body, int64_t t0, int64_t t1);

/* Drop every cached answer whose window overlaps [t0, t1] (fire and
 * forget; index members of expired answers are trimmed on the way). */
void route_cache_invalidate(int64_t t0, int64_t t1);

/* "tt" + 16 hex digits of FNV-1a 64 over the loaded timetable (its epoch,
 * connections, footpaths, trip ids and stop ids) + ":", computed on the
 * first call; "tt-none:" without a timetable.  Static storage. */
const char *route_cache_prefix(void);

/* Parse an index member "T0:KEY" (docs/redis-keys.md): 0 with *t0 and *key
 * pointing into MEMBER, or -1 when it is malformed. */
int route_cache_member_parse(const char *member, int64_t *t0, const char **key);

#endif
