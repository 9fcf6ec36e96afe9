/* test_auth.c -- bearer keys: 401 for missing, malformed, unknown and
 * revoked keys, 403 for the wrong role, the key life cycle (create, read,
 * revoke) and validation of new keys. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Assert R is a 401 with a Bearer challenge. */
static void expect_401(const struct h_resp *r, const char *what) {
    char www[256];
    char why[768];
    cr_assert_eq(h_check_error(r, 401, "unauthorized", why, sizeof(why)), 0, "%s: %s",
                 what, why);
    cr_assert_eq(h_resp_header(r, "WWW-Authenticate", www, sizeof(www)), 0,
                 "%s: 401 without WWW-Authenticate; headers:\n%s", what, r->headers);
    cr_assert(strncasecmp(www, "Bearer", 6) == 0, "%s: WWW-Authenticate: %s", what,
              www);
}

Test(auth, missing_authorization_is_401, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    struct h_resp r;

    h_start(NULL);
    h_http("GET", "/v1/whoami", NULL, NULL, NULL, &r);
    expect_401(&r, "GET /v1/whoami");
    h_resp_free(&r);
    h_http("POST", "/v1/keys", NULL, "{\"role\":\"admin\",\"name\":\"x\"}", NULL, &r);
    expect_401(&r, "POST /v1/keys");
    h_resp_free(&r);
    h_http("GET", "/v1/keys/anything", NULL, NULL, NULL, &r);
    expect_401(&r, "GET /v1/keys/anything");
    h_resp_free(&r);
    h_http("DELETE", "/v1/keys/anything", NULL, NULL, NULL, &r);
    expect_401(&r, "DELETE /v1/keys/anything");
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(auth, bad_keys_are_401, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    char prefix[64], longer[64], flipped[64], h[160];
    const char *admin;
    struct h_resp r;

    h_start(NULL);
    admin = h_admin_key();
    /* Near misses of the real admin key must not pass either. */
    snprintf(prefix, sizeof(prefix), "%.*s", (int)strlen(admin) - 1, admin);
    snprintf(longer, sizeof(longer), "%sx", admin);
    snprintf(flipped, sizeof(flipped), "%s", admin);
    flipped[5] = flipped[5] == 'a' ? 'b' : 'a';
    {
        const char *keys[] = {"dt_unknown0123456789abcdef0123456789abcdef",
                              prefix,
                              longer,
                              flipped,
                              "x",
                              NULL};
        for (int i = 0; keys[i] != NULL; i++) {
            char what[128];
            snprintf(what, sizeof(what), "bearer #%d", i);
            h_http("GET", "/v1/whoami", keys[i], NULL, NULL, &r);
            expect_401(&r, what);
            h_resp_free(&r);
        }
    }
    {
        /* Malformed Authorization headers. */
        const char *hdrs[] = {"Authorization: Basic Zm9vOmJhcg==",
                              "Authorization: Bearer",
                              "Authorization: Bearer ",
                              "Authorization: Bearer two words",
                              "Authorization: Token abcdef0123456789",
                              NULL};
        for (int i = 0; hdrs[i] != NULL; i++) {
            h_http("GET", "/v1/whoami", NULL, NULL, hdrs[i], &r);
            expect_401(&r, hdrs[i]);
            h_resp_free(&r);
        }
    }
    /* The admin key in another scheme is still not a bearer token. */
    snprintf(h, sizeof(h), "Authorization: Basic %s", admin);
    h_http("GET", "/v1/whoami", NULL, NULL, h, &r);
    expect_401(&r, "Basic <admin key>");
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(auth, admin_whoami, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    struct h_resp r;
    json_t *j;

    h_start(NULL);
    h_http("GET", "/v1/whoami", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_not_null(j, "body is not JSON: %s", r.body);
    cr_assert_str_eq(h_jstr(j, "role"), "admin", "body: %s", r.body);
    cr_assert(json_is_null(json_object_get(j, "tenant")),
              "the bootstrap admin has no tenant: %s", r.body);
    cr_assert(json_string_length(json_object_get(j, "key_id")) > 0,
              "key_id missing: %s", r.body);
    cr_assert_null(strstr(r.body, h_admin_key()), "whoami echoes the secret");
    json_decref(j);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(auth, key_life_cycle, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    struct h_resp r;
    json_t *j, *created;
    char id[128], key[256], path[200], id2[128], key2[256];
    long long now = (long long)time(NULL), at;

    h_start(NULL);
    h_http("POST", "/v1/keys", h_admin_key(),
           "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"ops\"}", NULL, &r);
    H_ASSERT_STATUS(&r, 201);
    created = h_resp_json(&r);
    cr_assert(json_is_object(created), "body is not a JSON object: %s", r.body);
    snprintf(id, sizeof(id), "%s", h_jstr(created, "id"));
    snprintf(key, sizeof(key), "%s", h_jstr(created, "key"));
    cr_assert(json_is_string(json_object_get(created, "id")) && id[0] != '\0',
              "no id: %s", r.body);
    cr_assert(strncmp(key, "dt_", 3) == 0 && strlen(key) > 3,
              "key '%s' does not start with dt_", key);
    cr_assert_str_eq(h_jstr(created, "role"), "forwarder");
    cr_assert_str_eq(h_jstr(created, "tenant"), "acme");
    cr_assert_str_eq(h_jstr(created, "name"), "ops");
    cr_assert(json_is_integer(json_object_get(created, "created_at")),
              "created_at is not an integer: %s", r.body);
    at = (long long)json_integer_value(json_object_get(created, "created_at"));
    cr_assert(at >= now - 300 && at <= now + 300,
              "created_at %lld is not about now (%lld)", at, now);
    h_resp_free(&r);

    /* The new key authenticates as what it was made for. */
    h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(j, "role"), "forwarder", "body: %s", r.body);
    cr_assert_str_eq(h_jstr(j, "tenant"), "acme", "body: %s", r.body);
    cr_assert_str_eq(h_jstr(j, "key_id"), id, "body: %s", r.body);
    json_decref(j);
    h_resp_free(&r);

    /* Its metadata, without the secret. */
    snprintf(path, sizeof(path), "/v1/keys/%s", id);
    h_http("GET", path, h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(j, "id"), id, "body: %s", r.body);
    cr_assert_str_eq(h_jstr(j, "role"), "forwarder", "body: %s", r.body);
    cr_assert_str_eq(h_jstr(j, "tenant"), "acme", "body: %s", r.body);
    cr_assert_str_eq(h_jstr(j, "name"), "ops", "body: %s", r.body);
    cr_assert(json_equal(json_object_get(j, "created_at"),
                         json_object_get(created, "created_at")),
              "created_at differs: %s", r.body);
    cr_assert_null(json_object_get(j, "key"), "metadata includes the key: %s", r.body);
    cr_assert_null(strstr(r.body, key), "metadata leaks the secret: %s", r.body);
    cr_assert_null(strstr(r.body, key + 3), "metadata leaks the secret: %s", r.body);
    json_decref(j);
    h_resp_free(&r);

    /* A second key is a different key. */
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\","
                              "\"name\":\"ops\"}",
                              id2, sizeof(id2), key2, sizeof(key2)),
                 0, "%s", h_error());
    cr_assert_str_neq(id, id2);
    cr_assert_str_neq(key, key2);

    /* Revoke the first. */
    h_http("DELETE", path, h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 204);
    cr_assert_eq(r.body_len, 0, "204 with a body: %s", r.body);
    h_resp_free(&r);
    h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
    expect_401(&r, "revoked key");
    h_resp_free(&r);
    /* A revoked key may be gone (404) or kept as a record that says when
     * it was revoked; either way it must not look live. */
    h_http("GET", path, h_admin_key(), NULL, NULL, &r);
    if (r.status == 200) {
        json_t *rv;
        j = h_resp_json(&r);
        rv = json_object_get(j, "revoked_at");
        cr_assert(json_is_integer(rv) &&
                      json_integer_value(rv) >=
                          json_integer_value(json_object_get(created, "created_at")),
                  "a revoked key's metadata lacks revoked_at: %s", r.body);
        cr_assert_null(json_object_get(j, "key"), "metadata includes the key: %s",
                       r.body);
        json_decref(j);
    } else {
        H_ASSERT_ERROR(&r, 404, "not_found");
    }
    h_resp_free(&r);
    /* Revoking again: idempotent (204) or gone (404), never an error. */
    h_http("DELETE", path, h_admin_key(), NULL, NULL, &r);
    cr_assert(r.status == 204 || r.status == 404, "second DELETE of a key got %ld: %s",
              r.status, r.body);
    h_resp_free(&r);
    h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
    expect_401(&r, "key revoked twice");
    h_resp_free(&r);

    /* Revoking one key leaves the other working. */
    h_http("GET", "/v1/whoami", key2, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    json_decref(created);
    H_ASSERT_CLEAN_EXIT();
}

Test(auth, unknown_key_id_is_404, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    struct h_resp r;

    h_start(NULL);
    h_http("GET", "/v1/keys/no-such-key-id", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    h_http("DELETE", "/v1/keys/no-such-key-id", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(auth, each_role_and_403_for_the_wrong_one, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    static const char *const roles[] = {"carrier", "customs", "consignee", NULL};
    struct h_resp r;
    char fid[128], fkey[256], id[128], key[256], path[200], body[200];
    json_t *j;

    h_start(NULL);
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\","
                              "\"name\":\"fw\"}",
                              fid, sizeof(fid), fkey, sizeof(fkey)),
                 0, "%s", h_error());
    for (int i = 0; roles[i] != NULL; i++) {
        snprintf(body, sizeof(body),
                 "{\"role\":\"%s\",\"tenant\":\"acme\",\"name\":\"%s-1\"}", roles[i],
                 roles[i]);
        cr_assert_eq(h_create_key(body, id, sizeof(id), key, sizeof(key)), 0, "%s",
                     h_error());
        h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
        H_ASSERT_STATUS(&r, 200);
        j = h_resp_json(&r);
        cr_assert_str_eq(h_jstr(j, "role"), roles[i], "body: %s", r.body);
        cr_assert_str_eq(h_jstr(j, "key_id"), id, "body: %s", r.body);
        json_decref(j);
        h_resp_free(&r);
        /* Only admins manage keys. */
        h_http("POST", "/v1/keys", key, "{\"role\":\"admin\",\"name\":\"escalate\"}",
               NULL, &r);
        H_ASSERT_ERROR(&r, 403, "forbidden");
        h_resp_free(&r);
    }

    /* A valid forwarder key is known but not allowed. */
    snprintf(path, sizeof(path), "/v1/keys/%s", fid);
    h_http("GET", path, fkey, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);
    h_http("DELETE", path, fkey, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);
    h_http("POST", "/v1/keys", fkey,
           "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"x\"}", NULL, &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);
    h_http("GET", "/metrics", fkey, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);

    /* The refused DELETE did nothing. */
    h_http("GET", path, h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    h_http("GET", "/v1/whoami", fkey, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

/* Assert POST /v1/keys BODY is a 422 "invalid" whose message names FIELD. */
static void expect_invalid(const char *body, const char *field) {
    struct h_resp r;
    json_t *j;
    const char *msg;

    h_http("POST", "/v1/keys", h_admin_key(), body, NULL, &r);
    H_ASSERT_ERROR(&r, 422, "invalid");
    j = h_resp_json(&r);
    msg = h_jstr(json_object_get(j, "error"), "message");
    cr_assert_not_null(strstr(msg, field), "422 for %s should name '%s': %s", body,
                       field, r.body);
    json_decref(j);
    h_resp_free(&r);
}

Test(auth, new_key_validation, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    struct h_resp r;

    h_start(NULL);
    expect_invalid("{\"role\":\"forwarder\",\"name\":\"ops\"}", "tenant");
    expect_invalid("{\"role\":\"forwarder\",\"tenant\":7,\"name\":\"ops\"}", "tenant");
    expect_invalid("{\"role\":\"pirate\",\"tenant\":\"acme\",\"name\":\"ops\"}",
                   "role");
    expect_invalid("{\"tenant\":\"acme\",\"name\":\"ops\"}", "role");
    expect_invalid("{\"role\":5,\"tenant\":\"acme\",\"name\":\"ops\"}", "role");

    /* Not JSON at all. */
    h_http("POST", "/v1/keys", h_admin_key(), "{\"role\":", NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
    h_http("POST", "/v1/keys", h_admin_key(), "role=forwarder&tenant=acme", NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);

    /* The same request made valid succeeds, so the 422s were about the
     * fields and not something else. */
    h_http("POST", "/v1/keys", h_admin_key(),
           "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"ops\"}", NULL, &r);
    H_ASSERT_STATUS(&r, 201);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}
