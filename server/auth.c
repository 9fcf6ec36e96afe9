/* auth.c -- bearer API keys, roles from the route table, per-key rate limit.
 *
 * A key is "dt_" + 16 hex digits of id + "_" + 64 hex digits of secret.  The
 * id finds the record (apikey:{id}); the SHA-256 of the whole key must equal
 * the stored hash.  Neither the key nor its hash is ever logged. */
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "http.h"
#include "metrics.h"
#include "routes.h"
#include "server.h"
#include "store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define KEY_PREFIX "dt_"
#define ID_HEX 16
#define SECRET_HEX 64
#define KEY_LEN (3 + ID_HEX + 1 + SECRET_HEX)
#define BOOTSTRAP_ID "bootstrap"

static char bootstrap_hash[65];   /* "" when no --admin-key */

void auth_init(const char *admin_key) {
    if (admin_key != NULL && *admin_key)
        crypto_sha256_hex(admin_key, strlen(admin_key), bootstrap_hash);
    else
        bootstrap_hash[0] = '\0';
}

static int all_hex(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) return 0;
    return 1;
}

int auth_key_id(const char *key, char *id, size_t idlen) {
    if (strlen(key) != KEY_LEN || strncmp(key, KEY_PREFIX, 3) != 0 ||
        key[3 + ID_HEX] != '_' || !all_hex(key + 3, ID_HEX) ||
        !all_hex(key + 4 + ID_HEX, SECRET_HEX) || idlen < ID_HEX + 1)
        return -1;
    memcpy(id, key + 3, ID_HEX);
    id[ID_HEX] = '\0';
    return 0;
}

int auth_new_key(char *key, size_t keylen, char *id, size_t idlen) {
    char secret[SECRET_HEX + 1];
    if (keylen < KEY_LEN + 1 || idlen < ID_HEX + 1) return -1;
    if (crypto_random_hex(ID_HEX / 2, id, idlen) != 0 ||
        crypto_random_hex(SECRET_HEX / 2, secret, sizeof(secret)) != 0)
        return -1;
    snprintf(key, keylen, KEY_PREFIX "%s_%s", id, secret);
    return 0;
}

/* ---- rate limit: a token bucket per key id ------------------------------ */

#define RL_SLOTS 4096
#define RL_PROBE 8

struct bucket {
    char id[72];
    double tokens;
    double last;     /* monotonic seconds */
};

static struct bucket buckets[RL_SLOTS];

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned hash_str(const char *s) {
    unsigned h = 2166136261u;            /* FNV-1a */
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* Take one token for ID.  0 if allowed, else the seconds until one is. */
static int rate_take(const char *id, long rps) {
    const struct srv_config *cfg = srv_cfg();
    double t = now_s(), rate = (double)rps, burst = (double)cfg->rate_limit_burst;
    unsigned h = hash_str(id);
    struct bucket *b = NULL, *stalest = NULL;

    if (rps <= 0) return 0;
    for (int i = 0; i < RL_PROBE; i++) {
        struct bucket *c = &buckets[(h + (unsigned)i) % RL_SLOTS];
        if (strcmp(c->id, id) == 0) { b = c; break; }
        if (stalest == NULL || c->last < stalest->last) stalest = c;
    }
    if (b == NULL) {            /* new, or evict the stalest neighbour */
        b = stalest;
        snprintf(b->id, sizeof(b->id), "%s", id);
        b->tokens = burst;
        b->last = t;
    }
    b->tokens += (t - b->last) * rate;
    if (b->tokens > burst) b->tokens = burst;
    b->last = t;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 0;
    }
    return (int)((1.0 - b->tokens) / rate) + 1;
}

/* ---- key cache: a key record is trusted for KC_TTL seconds ------------- */

/* Without it every authenticated request costs a Redis round trip before
 * its own.  A key revoked through this server is forgotten at once
 * (auth_forget); one revoked behind its back (another instance, redis-cli)
 * still works for at most KC_TTL seconds (docs/security.md). */
#define KC_SLOTS 1024
#define KC_TTL 5.0

struct kc_slot {
    struct store_apikey k;   /* k.id[0] == 0: empty */
    double fetched;
};
static struct kc_slot kcache[KC_SLOTS];

static struct kc_slot *kc_slot(const char *id) { return &kcache[hash_str(id) % KC_SLOTS]; }

static const struct store_apikey *kc_get(const char *id) {
    struct kc_slot *s = kc_slot(id);
    if (s->k.id[0] == '\0' || strcmp(s->k.id, id) != 0) return NULL;
    if (now_s() - s->fetched > KC_TTL) return NULL;
    return &s->k;
}

static void kc_put(const struct store_apikey *k) {
    struct kc_slot *s = kc_slot(k->id);
    s->k = *k;
    s->fetched = now_s();
}

void auth_forget(const char *id) {
    struct kc_slot *s = kc_slot(id);
    if (strcmp(s->k.id, id) == 0) memset(s, 0, sizeof(*s));
}

/* ---- the check ----------------------------------------------------------- */

struct pending {
    struct srv_req *r;
    void (*next)(struct srv_req *r);
    char hash[65];
    int fetched;     /* from Redis (cache it), not from the cache */
};

/* Rate check: per API key, or per client address on public routes.
 * 0, or -1 after replying 429. */
static int rate_or_reply(struct srv_req *r, const char *who) {
    int wait;
    char retry[16];
    long rps = r->who.role ? srv_cfg()->rate_limit_rps : srv_cfg()->public_rate_limit_rps;

    if (r->route->flags & ROUTE_UNLIMITED) return 0;
    if ((wait = rate_take(who, rps)) > 0) {
        metrics_rate_limited();
        snprintf(retry, sizeof(retry), "%d", wait);
        srv_add_header(r, "Retry-After", retry);
        srv_reply_error(r, 429, "rate_limited",
                        "more than %ld requests per second from this %s; retry "
                        "in %d s", rps,
                        r->who.role ? "key" : "address", wait);
        return -1;
    }
    return 0;
}

/* Role and rate checks once the caller is known. */
static void authorised_or_reply(struct srv_req *r, void (*next)(struct srv_req *r)) {
    if ((r->route->roles & r->who.role) == 0) {
        srv_reply_error(r, 403, "forbidden",
                        "role %s may not call %s %s", role_name(r->who.role),
                        r->route->method, r->route->pattern);
        return;
    }
    if (rate_or_reply(r, r->who.key_id) == 0) next(r);
}

static void unauthorised(struct srv_req *r, const char *why) {
    srv_add_header(r, "WWW-Authenticate", "Bearer realm=\"dongting\"");
    srv_reply_error(r, 401, "unauthorized", "%s", why);
}

static void key_loaded(int status, const struct store_apikey *k, void *arg) {
    struct pending *p = arg;
    struct srv_req *r = p->r;
    void (*next)(struct srv_req *) = p->next;
    int ok = status == STORE_OK && crypto_equal(k->hash, p->hash);

    if (status == STORE_OK && p->fetched) kc_put(k);
    free(p);
    if (status == STORE_DOWN || status == STORE_ERROR) {
        srv_reply_error(r, 503, "redis_unavailable",
                        "cannot check the API key: %s", store_error_text(status));
        return;
    }
    if (!ok) {
        unauthorised(r, "unknown API key");
        return;
    }
    if (k->revoked_at != 0) {
        unauthorised(r, "this API key has been revoked");
        return;
    }
    r->who.role = role_from_name(k->role);
    if (r->who.role == ROLE_NONE) {
        unauthorised(r, "this API key has no valid role");
        return;
    }
    snprintf(r->who.key_id, sizeof(r->who.key_id), "%s", k->id);
    snprintf(r->who.tenant, sizeof(r->who.tenant), "%s", k->tenant);
    authorised_or_reply(r, next);
}

void auth_check_or_reply(struct srv_req *r, void (*next)(struct srv_req *r)) {
    const char *h = srv_header(r, "Authorization");
    char hash[65], id[ID_HEX + 1];
    struct pending *p;

    /* Public rows, and rows that also serve anonymous callers
     * (ROUTE_AUTH_OPTIONAL) when no key is sent: a waybill token
     * ("Bearer wbt_...") is not a key, the handler reads it. */
    if (r->route->roles == ROLE_PUBLIC ||
        ((r->route->flags & ROUTE_AUTH_OPTIONAL) &&
         (h == NULL || strncasecmp(h, "Bearer wbt_", 11) == 0))) {
        char who[80];
        snprintf(who, sizeof(who), "addr:%s", r->peer);
        if (rate_or_reply(r, who) == 0) next(r);
        return;
    }
    if (h == NULL) {
        unauthorised(r, "this endpoint needs an API key: "
                        "send 'Authorization: Bearer KEY'");
        return;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        unauthorised(r, "the Authorization header must use the Bearer scheme");
        return;
    }
    h += 7;
    while (*h == ' ') h++;
    crypto_sha256_hex(h, strlen(h), hash);

    if (bootstrap_hash[0] && crypto_equal(hash, bootstrap_hash)) {
        r->who.role = ROLE_ADMIN;
        snprintf(r->who.key_id, sizeof(r->who.key_id), BOOTSTRAP_ID);
        authorised_or_reply(r, next);
        return;
    }
    if (auth_key_id(h, id, sizeof(id)) != 0) {
        unauthorised(r, "malformed API key");
        return;
    }
    p = malloc(sizeof(*p));
    if (p == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        return;
    }
    p->r = r;
    p->next = next;
    memcpy(p->hash, hash, sizeof(hash));
    {
        const struct store_apikey *k = kc_get(id);
        p->fetched = k == NULL;
        if (k != NULL) {
            struct store_apikey copy = *k;
            key_loaded(STORE_OK, &copy, p);
            return;
        }
    }
    store_apikey_get(id, key_loaded, p);
}
