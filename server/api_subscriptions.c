/* api_subscriptions.c -- webhook subscriptions (docs/webhooks.md):
 * POST /v1/subscriptions, GET /v1/subscriptions[/{id}], DELETE
 * /v1/subscriptions/{id}, POST /v1/subscriptions/{id}/test.
 *
 * A subscription belongs to the key's tenant and role.  Another tenant's
 * subscription answers the same 404 as a missing one; an admin sees all.
 * Reads answer from the subscriptions held in memory (webhooks.c), dead
 * letters from Redis.  The secret is never echoed: "secret_set": true. */
#include "api.h"
#include "auth.h"
#include "carriers/event.h"
#include "crypto.h"
#include "http.h"
#include "server.h"
#include "config.h"
#include "store_subs.h"
#include "webhook_url.h"
#include "webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEAD_SHOWN 100
#define WAYBILL_MAX_LEN 64
#define SECRET_MIN 32
#define SECRET_MAX 64
#define ETA_MIN_MAX 100000
#define PER_OWNER_MAX 100        /* subscriptions per tenant and role */

static int invalid(struct srv_req *r, const char *field, const char *why) {
    if (r != NULL) srv_reply_error(r, 422, "invalid", "%s: %s", field, why);
    return -1;
}

static int out_of_memory(struct srv_req *r) {
    if (r != NULL) srv_reply_error(r, 503, "overloaded", "out of memory");
    return -1;
}

/* 1 if S (N bytes) is LO..HI bytes of printable ASCII (space included
 * when SPACE). */
static int printable(const char *s, size_t n, size_t lo, size_t hi, int space) {
    if (n < lo || n > hi || strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c > 0x7e || c < 0x20 || (c == ' ' && !space)) return 0;
    }
    return 1;
}

int api_subs_parse_or_reply(struct srv_req *r, json_t *body, int allow_loopback,
                            struct store_sub *s, char **filters) {
    json_t *url = json_object_get(body, "callback_url"), *secret = json_object_get(body, "secret");
    json_t *wb = json_object_get(body, "waybills"), *sts = json_object_get(body, "statuses");
    json_t *eta = json_object_get(body, "eta_change_min"), *f, *v;
    const char *key;
    char why[300], field[32];
    size_t i;

    *filters = NULL;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "callback_url") && strcmp(key, "secret") && strcmp(key, "waybills") &&
            strcmp(key, "statuses") && strcmp(key, "eta_change_min"))
            return invalid(r, key, "unknown field (expected callback_url, secret, "
                                         "waybills, statuses, eta_change_min)");
    }
    if (!json_is_string(url))
        return invalid(r, "callback_url", "required, an http or https URL");
    if (webhook_url_check(json_string_value(url), allow_loopback, why, sizeof(why)) != 0)
        return invalid(r, "callback_url", why);
    if (!json_is_string(secret))
        return invalid(r, "secret", "required, 32 to 64 bytes of printable ASCII");
    if (!printable(json_string_value(secret), json_string_length(secret), SECRET_MIN,
                   SECRET_MAX, 1))
        return invalid(r, "secret", "must be 32 to 64 bytes of printable ASCII");
    if ((f = json_object()) == NULL) return out_of_memory(r);
    if (wb != NULL && !json_is_null(wb)) {
        if (!json_is_array(wb) || json_array_size(wb) > WH_MAX_WAYBILLS) {
            json_decref(f);
            return invalid(r, "waybills", "an array of at most 1000 waybill numbers");
        }
        json_array_foreach(wb, i, v) {
            if (!json_is_string(v) ||
                !printable(json_string_value(v), json_string_length(v), 1, WAYBILL_MAX_LEN, 0)) {
                json_decref(f);
                snprintf(field, sizeof(field), "waybills[%zu]", i);
                return invalid(r, field, "a waybill number: 1 to 64 printable "
                                               "ASCII characters, no spaces");
            }
        }
        json_object_set(f, "waybills", wb);
    }
    if (sts != NULL && !json_is_null(sts)) {
        if (!json_is_array(sts) || json_array_size(sts) > 64) {
            json_decref(f);
            return invalid(r, "statuses", "an array of event status names");
        }
        json_array_foreach(sts, i, v) {
            if (!json_is_string(v) || carrier_status_parse(json_string_value(v)) < 0) {
                json_decref(f);
                snprintf(field, sizeof(field), "statuses[%zu]", i);
                snprintf(why, sizeof(why), "'%.64s' is not an event status (e.g. DEPARTED, "
                         "ARRIVED, DELIVERED; docs/carrier-events.md)",
                         json_is_string(v) ? json_string_value(v) : "(not a string)");
                return invalid(r, field, why);
            }
        }
        json_object_set(f, "statuses", sts);
    }
    if (eta != NULL && !json_is_null(eta)) {
        if (!json_is_integer(eta) || json_integer_value(eta) < 1 ||
            json_integer_value(eta) > ETA_MIN_MAX) {
            json_decref(f);
            return invalid(r, "eta_change_min", "an integer number of minutes, 1 to "
                                                       "100000");
        }
        json_object_set(f, "eta_change_min", eta);
    }
    *filters = json_dumps(f, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(f);
    if (*filters == NULL) return out_of_memory(r);
    memset(s, 0, sizeof(*s));
    snprintf(s->callback_url, sizeof(s->callback_url), "%s", json_string_value(url));
    snprintf(s->secret, sizeof(s->secret), "%s", json_string_value(secret));
    s->filters = *filters;
    return 0;
}

static int pending_of(const struct wh_sub *s) { return s->pending; }

/* The API's view of S (new reference). */
static json_t *sub_json(const struct wh_sub *s) {
    json_t *filters = json_loads(s->filters ? s->filters : "{}", 0, NULL);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:I, s:I, s:I, s:I, s:i}", "id",
                          s->id, "tenant", s->tenant, "role",
                          s->consignee ? "consignee" : "forwarder", "callback_url",
                          s->callback_url, "secret_set", 1, "filters",
                          filters != NULL ? filters : json_object(), "created_at",
                          (json_int_t)s->created, "delivered", (json_int_t)s->delivered,
                          "failed", (json_int_t)s->failed, "dead", (json_int_t)s->dead,
                          "pending", pending_of(s));
    return o;
}

/* 1 if the caller may see S. */
static int mine(const struct srv_req *r, const struct wh_sub *s) {
    if (r->who.role == ROLE_ADMIN) return 1;
    return strcmp(s->tenant, r->who.tenant) == 0 &&
           s->consignee == (r->who.role == ROLE_CONSIGNEE);
}

/* The caller's subscription {id}, or NULL after replying 404/503. */
static const struct wh_sub *find_or_reply(struct srv_req *r) {
    const struct wh_sub *s;
    if (!webhooks_loaded()) {
        srv_reply_error(r, 503, "not_ready", "subscriptions are still loading from Redis");
        return NULL;
    }
    s = webhooks_sub_find(r->params[0]);
    if (s == NULL || !mine(r, s)) {
        srv_reply_error(r, 404, "not_found", "no subscription %s", r->params[0]);
        return NULL;
    }
    return s;
}

struct create_ctx {
    struct srv_req *r;
    struct store_sub s;
    char *filters;
};

static void created(int status, void *arg) {
    struct create_ctx *c = arg;
    struct srv_req *r = c->r;
    const struct wh_sub *s;

    if (status == STORE_OK) {
        if (webhooks_sub_add(&c->s) != 0 || (s = webhooks_sub_find(c->s.id)) == NULL)
            srv_reply_error(r, 500, "internal", "subscription %s stored but not active "
                            "until the next restart", c->s.id);
        else
            srv_reply_json(r, 201, sub_json(s));
    } else if (status == STORE_CONFLICT) {
        srv_reply_error(r, 409, "conflict", "subscription id collision; retry");
    } else {
        srv_reply_error(r, 503, "redis_unavailable", "cannot store the subscription: %s",
                        store_error_text(status));
    }
    memset(c->s.secret, 0, sizeof(c->s.secret));
    free(c->filters);
    free(c);
}

void api_subs_create(struct srv_req *r) {
    json_t *body;
    struct create_ctx *c;
    char hex[33];

    if (r->who.tenant[0] == '\0') {
        srv_reply_error(r, 403, "forbidden", "this key has no tenant; subscriptions "
                        "belong to one");
        return;
    }
    {
        const struct wh_sub *s;
        size_t n = 0;
        for (size_t i = 0; (s = webhooks_sub_at(i)) != NULL; i++) n += (size_t)mine(r, s);
        if (n >= PER_OWNER_MAX) {
            srv_reply_error(r, 409, "limit", "at most %d subscriptions per tenant; delete "
                            "one first", PER_OWNER_MAX);
            return;
        }
    }
    if ((body = srv_body_json_or_reply(r)) == NULL) return;
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        json_decref(body);
        srv_reply_error(r, 503, "overloaded", "out of memory");
        return;
    }
    if (api_subs_parse_or_reply(r, body, srv_cfg()->webhook_allow_loopback, &c->s,
                                &c->filters) != 0) {
        json_decref(body);
        free(c->filters);
        free(c);
        return;
    }
    json_decref(body);
    if (crypto_random_hex(16, hex, sizeof(hex)) != 0) {
        free(c->filters);
        free(c);
        srv_reply_error(r, 500, "internal", "no randomness for a subscription id");
        return;
    }
    snprintf(c->s.id, sizeof(c->s.id), "sub_%s", hex);
    snprintf(c->s.tenant, sizeof(c->s.tenant), "%s", r->who.tenant);
    snprintf(c->s.role, sizeof(c->s.role), "%s",
             r->who.role == ROLE_CONSIGNEE ? "consignee" : "forwarder");
    c->s.created = (long long)time(NULL);
    c->r = r;
    store_sub_put(&c->s, created, c);
}

static int by_created(const void *a, const void *b) {
    const struct wh_sub *x = *(const struct wh_sub *const *)a;
    const struct wh_sub *y = *(const struct wh_sub *const *)b;
    if (x->created != y->created) return x->created < y->created ? -1 : 1;
    return strcmp(x->id, y->id);
}

void api_subs_list(struct srv_req *r) {
    const struct wh_sub *s, **mine_v = NULL;
    size_t n = 0, cap = 0;
    json_t *arr;

    if (!webhooks_loaded()) {
        srv_reply_error(r, 503, "not_ready", "subscriptions are still loading from Redis");
        return;
    }
    for (size_t i = 0; (s = webhooks_sub_at(i)) != NULL; i++) {
        if (!mine(r, s)) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            const struct wh_sub **nv = realloc(mine_v, nc * sizeof(*nv));
            if (nv == NULL) {
                free(mine_v);
                srv_reply_error(r, 503, "overloaded", "out of memory");
                return;
            }
            mine_v = nv;
            cap = nc;
        }
        mine_v[n++] = s;
    }
    if (n > 1) qsort(mine_v, n, sizeof(*mine_v), by_created);
    arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) json_array_append_new(arr, sub_json(mine_v[i]));
    free(mine_v);
    srv_reply_json(r, 200, json_pack("{s:o, s:I}", "subscriptions", arr ? arr : json_array(),
                                     "count", (json_int_t)n));
}

static void got_dead(int status, const char *const *v, const size_t *lens, size_t n,
                     void *arg) {
    struct srv_req *r = arg;
    const struct wh_sub *s = webhooks_sub_find(r->params[0]);
    json_t *o, *dead;

    if (s == NULL) {
        srv_reply_error(r, 404, "not_found", "no subscription %s", r->params[0]);
        return;
    }
    if (status != STORE_OK && status != STORE_NOT_FOUND) {
        srv_reply_error(r, 503, "redis_unavailable", "%s", store_error_text(status));
        return;
    }
    dead = json_array();
    for (size_t i = 0; dead != NULL && i < n; i++) {
        json_t *j = json_loadb(v[i], lens[i], 0, NULL);
        if (j != NULL) json_array_append_new(dead, j);
    }
    o = sub_json(s);
    json_object_set_new(o, "dead_letters", dead != NULL ? dead : json_array());
    srv_reply_json(r, 200, o);
}

void api_subs_get(struct srv_req *r) {
    if (find_or_reply(r) == NULL) return;
    store_sub_dead_list(r->params[0], DEAD_SHOWN, got_dead, r);
}

static void deleted(int status, void *arg) {
    struct srv_req *r = arg;
    /* NOT_FOUND: Redis lost it (no persistence) while memory still held it. */
    if (status == STORE_OK || status == STORE_NOT_FOUND) {
        webhooks_sub_remove(r->params[0]);
        srv_reply_json(r, 204, NULL);
    } else {
        srv_reply_error(r, 503, "redis_unavailable", "cannot delete the subscription: %s",
                        store_error_text(status));
    }
}

void api_subs_delete(struct srv_req *r) {
    if (find_or_reply(r) == NULL) return;
    store_sub_delete(r->params[0], deleted, r);
}

void api_subs_test(struct srv_req *r) {
    char did[48];
    if (find_or_reply(r) == NULL) return;
    if (webhooks_test(r->params[0], did, sizeof(did)) != 0) {
        srv_reply_error(r, 503, "overloaded", "cannot queue a delivery now");
        return;
    }
    srv_reply_json(r, 202, json_pack("{s:s, s:s}", "delivery_id", did, "subscription_id",
                                     r->params[0]));
}
