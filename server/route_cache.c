/* route_cache.c -- Redis cache of route answers, indexed by the time window
 * of the connections each answer used, so that a real-time change drops
 * exactly the answers it could alter (route_cache.h).  Every command goes
 * through store.c.
 *
 * Index member: "T0:KEY" (T0 decimal Unix seconds), scored by T1 in
 * route:{rc}:idx and by the entry's expiry in route:{rc}:exp. */
#include "route_cache.h"
#include "config.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "routing/timetable.h"
#include "server.h"
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_KEY 900 /* route:{rc}:e:KEY must fit store.c's 1024 bytes */

struct get_ctx {
    struct srv_req *r;
    route_cache_miss_fn miss;
    void (*drop)(void *);
    void *arg;
};

static void missed(struct srv_req *r, route_cache_miss_fn miss, void *arg) {
    metrics_route_cache(0, 1, 0);
    srv_add_header(r, "X-Cache", "miss");
    miss(r, arg);
}

static void got(int status, const char *s, size_t len, void *arg) {
    struct get_ctx *c = arg;
    struct srv_req *r = c->r;
    route_cache_miss_fn miss = c->miss;
    void (*drop)(void *) = c->drop;
    void *marg = c->arg;

    free(c);
    if (status == STORE_OK) {
        metrics_route_cache(1, 0, 0);
        srv_add_header(r, "X-Cache", "hit");
        srv_reply_raw(r, 200, "application/json", s, len);
        if (drop) drop(marg);
        return;
    }
    missed(r, miss, marg);
}

/* Invalidations whose drop is not yet sent.  The update that asked for
 * one is answered before the index read comes back, so a client may ask
 * again at once: until the drop has gone out (on the same connection, so
 * Redis runs it before any later read) every lookup is a miss. */
static unsigned inval_pending;

void route_cache_get(struct srv_req *r, const char *key, route_cache_miss_fn miss,
                     void (*drop)(void *), void *arg) {
    struct get_ctx *c;
    if (srv_cfg()->route_cache_ttl_s == 0 || strlen(key) > MAX_KEY || inval_pending > 0 ||
        (c = malloc(sizeof(*c))) == NULL) {
        missed(r, miss, arg);
        return;
    }
    c->r = r;
    c->miss = miss;
    c->drop = drop;
    c->arg = arg;
    store_cache_get(key, got, c);
}

void route_cache_put(const char *key, const char *body, int64_t t0, int64_t t1) {
    long ttl = srv_cfg()->route_cache_ttl_s;
    long long now = (long long)time(NULL);
    char member[MAX_KEY + 32];
    if (ttl == 0 || t1 < t0 || strlen(key) > MAX_KEY) return;
    snprintf(member, sizeof(member), "%" PRId64 ":%s", t0, key);
    store_cache_put(key, body, strlen(body), ttl, member, (long long)t1, now + ttl, now);
}

int route_cache_member_parse(const char *member, int64_t *t0, const char **key) {
    char *end;
    long long v;
    errno = 0;
    v = strtoll(member, &end, 10);
    if (errno || end == member || *end != ':' || end[1] == '\0') return -1;
    *t0 = (int64_t)v;
    *key = end + 1;
    return 0;
}

struct inval_ctx {
    int64_t t0, t1;
};


/* Pairs member, score from ZRANGEBYSCORE idx T0 +inf WITHSCORES: the
 * windows that end at or after T0; those that also start by T1 overlap. */
static void got_index(int status, const char *const *v, const size_t *lens, size_t n,
                      void *arg) {
    struct inval_ctx *c = arg;
    const char **keys = NULL, **members = NULL;
    size_t nd = 0, ndrop = 0;
    (void)lens;

    if (status != STORE_OK) {
        log_event("warn", "route_cache_invalidate_failed",
                  "cannot read the route cache index (%s): cached answers for "
                  "[%" PRId64 ", %" PRId64 "] may be stale until they expire",
                  store_error_text(status), c->t0, c->t1);
        goto done;
    }
    if (n == 0) goto done;
    keys = calloc(n / 2 + 1, sizeof(*keys));
    members = calloc(n / 2 + 1, sizeof(*members));
    if (keys == NULL || members == NULL) goto done;
    for (size_t i = 0; i + 1 < n; i += 2) {
        int64_t t0;
        const char *key;
        if (route_cache_member_parse(v[i], &t0, &key) != 0) {
            keys[nd] = NULL;          /* not ours: trim it */
            members[nd++] = v[i];
            continue;
        }
        if (t0 > c->t1) continue;
        keys[nd] = key;
        members[nd++] = v[i];
        ndrop++;
    }
    if (nd > 0) store_cache_drop(keys, members, nd);
    if (ndrop > 0) metrics_route_cache(0, 0, ndrop);
done:
    inval_pending--;
    free(keys);
    free(members);
    free(c);
}

void route_cache_invalidate(int64_t t0, int64_t t1) {
    struct inval_ctx *c;
    if (t1 < t0 || (c = malloc(sizeof(*c))) == NULL) return;
    c->t0 = t0;
    c->t1 = t1;
    inval_pending++;
    /* Runs even when the cache is off now: answers stored before a
     * restart with another TTL must not outlive the change. */
    store_cache_index((long long)t0, got_index, c);
}

static uint64_t fnv_u32(uint64_t h, uint32_t v) {
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                          (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    return crypto_fnv1a64(h, b, 4);
}

const char *route_cache_prefix(void) {
    static char prefix[32];
    const struct rt_timetable *tt = srv_timetable();
    uint64_t h = CRYPTO_FNV64_OFFSET;

    if (prefix[0] != '\0') return prefix;
    if (tt == NULL) return "tt-none:";
    h = fnv_u32(h, (uint32_t)((uint64_t)tt->epoch >> 32));
    h = fnv_u32(h, (uint32_t)tt->epoch);
    h = fnv_u32(h, tt->nconns);
    for (uint32_t i = 0; i < tt->nconns; i++) {
        const struct rt_connection *c = &tt->conns[i];
        h = fnv_u32(h, c->dep);
        h = fnv_u32(h, c->arr);
        h = fnv_u32(h, c->from);
        h = fnv_u32(h, c->to);
        h = fnv_u32(h, c->run);
        h = fnv_u32(h, (uint32_t)c->seq << 8 | c->flags);
    }
    h = fnv_u32(h, tt->nfoot);
    for (uint32_t i = 0; i < tt->nfoot; i++) {
        h = fnv_u32(h, tt->foot[i].from);
        h = fnv_u32(h, tt->foot[i].to);
        h = fnv_u32(h, tt->foot[i].seconds);
    }
    for (uint32_t i = 0; i < tt->ntrips; i++) {
        const char *s = rt_str(tt, tt->trips[i].id);
        h = crypto_fnv1a64(h, s, strlen(s) + 1);
    }
    for (uint32_t i = 0; i < tt->nstops; i++) {
        const char *s = rt_str(tt, tt->stops[i].id);
        h = crypto_fnv1a64(h, s, strlen(s) + 1);
    }
    snprintf(prefix, sizeof(prefix), "tt%016" PRIx64 ":", h);
    return prefix;
}
