/* api_keys.c -- POST /v1/keys, GET and DELETE /v1/keys/{id} (admin). */
#include "api.h"
#include "auth.h"
#include "crypto.h"
#include "http.h"
#include "store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Tenants name logistics firms in keys and Redis: keep them plain. */
static int valid_tenant(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 63) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || ((c == '-' || c == '_') && i > 0))) return 0;
    }
    return 1;
}

static int valid_key_id(const char *s) {
    size_t n = strlen(s);
    if (n != 16) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) return 0;
    return 1;
}

static json_t *key_json(const struct store_apikey *k) {
    json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:I}", "id", k->id, "role",
                          k->role, "tenant", k->tenant[0] ? k->tenant : NULL,
                          "name", k->name, "created_at", (json_int_t)k->created_at);
    if (o != NULL)
        json_object_set_new(o, "revoked_at", k->revoked_at
                                                 ? json_integer(k->revoked_at)
                                                 : json_null());
    return o;
}

static int invalid(struct srv_req *r, const char *field, const char *why) {
    if (r != NULL)
        srv_reply_error(r, 422, "invalid", "%s: %s", field, why);
    return -1;
}

int api_keys_parse_or_reply(struct srv_req *r, json_t *body, struct store_apikey *k) {
    json_t *role = json_object_get(body, "role");
    json_t *tenant = json_object_get(body, "tenant");
    json_t *name = json_object_get(body, "name");
    const char *key;
    json_t *v;

    memset(k, 0, sizeof(*k));
    json_object_foreach(body, key, v) {
        if (strcmp(key, "role") && strcmp(key, "tenant") && strcmp(key, "name"))
            return invalid(r, key, "unknown field (expected role, tenant, name)");
    }
    if (!json_is_string(role))
        return invalid(r, "role", "required, one of admin, forwarder, carrier, "
                                  "customs, consignee");
    if (role_from_name(json_string_value(role)) == ROLE_NONE)
        return invalid(r, "role", "must be one of admin, forwarder, carrier, "
                                  "customs, consignee");
    snprintf(k->role, sizeof(k->role), "%s", json_string_value(role));
    if (tenant != NULL && !json_is_null(tenant)) {
        if (!json_is_string(tenant) || !valid_tenant(json_string_value(tenant)))
            return invalid(r, "tenant", "1-63 characters of a-z, 0-9, '-' and "
                                        "'_', starting with a letter or digit");
        snprintf(k->tenant, sizeof(k->tenant), "%s", json_string_value(tenant));
    }
    if (strcmp(k->role, "forwarder") == 0 && k->tenant[0] == '\0')
        return invalid(r, "tenant", "required for role forwarder");
    if (name != NULL && !json_is_null(name)) {
        if (!json_is_string(name) || json_string_length(name) > 200)
            return invalid(r, "name", "a string of at most 200 bytes");
        snprintf(k->name, sizeof(k->name), "%s", json_string_value(name));
    }
    return 0;
}

struct create_ctx {
    struct srv_req *r;
    struct store_apikey k;
    char key[128];
};

static void created(int status, void *arg) {
    struct create_ctx *c = arg;
    struct srv_req *r = c->r;

    if (status == STORE_OK) {
        json_t *o = key_json(&c->k);
        json_object_set_new(o, "key", json_string(c->key));
        srv_reply_json(r, 201, o);
    } else if (status == STORE_CONFLICT) {
        srv_reply_error(r, 409, "conflict", "key id collision; retry");
    } else {
        srv_reply_error(r, 503, "redis_unavailable", "cannot store the key: %s",
                        store_error_text(status));
    }
    memset(c->key, 0, sizeof(c->key));
    free(c);
}

void api_keys_create(struct srv_req *r) {
    json_t *body = srv_body_json_or_reply(r);
    struct create_ctx *c;
    char hash[65];

    if (body == NULL) return;
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        json_decref(body);
        srv_reply_error(r, 503, "overloaded", "out of memory");
        return;
    }
    if (api_keys_parse_or_reply(r, body, &c->k) != 0) {
        json_decref(body);
        free(c);
        return;
    }
    json_decref(body);
    if (auth_new_key(c->key, sizeof(c->key), c->k.id, sizeof(c->k.id)) != 0) {
        free(c);
        srv_reply_error(r, 500, "internal", "no randomness for a new key");
        return;
    }
    crypto_sha256_hex(c->key, strlen(c->key), hash);
    memcpy(c->k.hash, hash, sizeof(hash));
    c->k.created_at = (long long)time(NULL);
    c->r = r;
    store_apikey_create(&c->k, created, c);
}

static void got_key(int status, const struct store_apikey *k, void *arg) {
    struct srv_req *r = arg;
    if (status == STORE_OK)
        srv_reply_json(r, 200, key_json(k));
    else if (status == STORE_NOT_FOUND)
        srv_reply_error(r, 404, "not_found", "no API key %s", r->params[0]);
    else
        srv_reply_error(r, 503, "redis_unavailable", "%s", store_error_text(status));
}

void api_keys_get(struct srv_req *r) {
    if (!valid_key_id(r->params[0])) {
        srv_reply_error(r, 404, "not_found", "no API key %.40s", r->params[0]);
        return;
    }
    store_apikey_get(r->params[0], got_key, r);
}

static void revoked(int status, void *arg) {
    struct srv_req *r = arg;
    auth_forget(r->params[0]);   /* again: a request may have cached it meanwhile */
    if (status == STORE_OK)
        srv_reply_json(r, 204, NULL);
    else if (status == STORE_NOT_FOUND)
        srv_reply_error(r, 404, "not_found", "no API key %s", r->params[0]);
    else
        srv_reply_error(r, 503, "redis_unavailable", "%s", store_error_text(status));
}

void api_keys_delete(struct srv_req *r) {
    if (!valid_key_id(r->params[0])) {
        srv_reply_error(r, 404, "not_found", "no API key %.40s", r->params[0]);
        return;
    }
    auth_forget(r->params[0]);
    store_apikey_revoke(r->params[0], (long long)time(NULL), revoked, r);
}
