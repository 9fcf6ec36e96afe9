/* Tests for the POST /v1/keys body validator in server/api_keys.c, called
 * with r == NULL (validate only, no reply). */
#include "server/api.h"
#include "server/store.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Validate the JSON text BODY into K; the return of the validator. */
static int validate(const char *body, struct store_apikey *k) {
    json_error_t jerr;
    json_t *j = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);
    int rc;
    cr_assert_not_null(j, "test body is not JSON (%s): %s", jerr.text, body);
    memset(k, 0x5a, sizeof(*k));
    rc = api_keys_parse_or_reply(NULL, j, k);
    json_decref(j);
    return rc;
}

static void refuse(const char *body) {
    struct store_apikey k;
    cr_assert_eq(validate(body, &k), -1, "accepted %s", body);
}

static void accept_body(const char *body, struct store_apikey *k) {
    cr_assert_eq(validate(body, k), 0, "refused %s", body);
}

Test(api_keys, accepts_forwarder_with_tenant) {
    struct store_apikey k;
    accept_body("{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"ops\"}", &k);
    cr_assert_str_eq(k.role, "forwarder");
    cr_assert_str_eq(k.tenant, "acme");
    cr_assert_str_eq(k.name, "ops");
    /* The validator fills only what the body gives: the rest is zeroed. */
    cr_assert_str_eq(k.id, "");
    cr_assert_str_eq(k.hash, "");
    cr_assert_eq(k.created_at, 0);
    cr_assert_eq(k.revoked_at, 0);
}

Test(api_keys, accepts_other_roles_without_tenant) {
    static const char *const roles[] = {"admin", "carrier", "customs", "consignee"};
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        char body[128];
        struct store_apikey k;
        snprintf(body, sizeof(body), "{\"role\":\"%s\"}", roles[i]);
        accept_body(body, &k);
        cr_assert_str_eq(k.role, roles[i]);
        cr_assert_str_eq(k.tenant, "");
        cr_assert_str_eq(k.name, "");
    }
}

Test(api_keys, null_tenant_and_name_mean_absent) {
    struct store_apikey k;
    accept_body("{\"role\":\"carrier\",\"tenant\":null,\"name\":null}", &k);
    cr_assert_str_eq(k.tenant, "");
    cr_assert_str_eq(k.name, "");
}

Test(api_keys, tenant_edges_accepted) {
    char body[200];
    struct store_apikey k;
    char t63[64];
    accept_body("{\"role\":\"forwarder\",\"tenant\":\"a\"}", &k);
    cr_assert_str_eq(k.tenant, "a");
    accept_body("{\"role\":\"forwarder\",\"tenant\":\"9to5-freight_co\"}", &k);
    cr_assert_str_eq(k.tenant, "9to5-freight_co");
    memset(t63, 'z', 63);
    t63[63] = '\0';
    snprintf(body, sizeof(body), "{\"role\":\"forwarder\",\"tenant\":\"%s\"}", t63);
    accept_body(body, &k);
    cr_assert_str_eq(k.tenant, t63);
}

Test(api_keys, role_is_required_and_known) {
    refuse("{}");
    refuse("{\"tenant\":\"acme\"}");
    refuse("{\"role\":null}");
    refuse("{\"role\":1}");
    refuse("{\"role\":[\"admin\"]}");
    refuse("{\"role\":\"root\"}");
    refuse("{\"role\":\"Admin\"}");
    refuse("{\"role\":\"\"}");
    refuse("{\"role\":\"anonymous\"}");
}

Test(api_keys, forwarder_needs_tenant) {
    refuse("{\"role\":\"forwarder\"}");
    refuse("{\"role\":\"forwarder\",\"tenant\":null}");
    refuse("{\"role\":\"forwarder\",\"name\":\"ops\"}");
}

Test(api_keys, bad_tenants) {
    static const char *const bad[] = {"ACME", "Acme",  "-x",         "_x",  "",
                                      "a b",  "acme!", "acm\\u00e9", "a/b", "a.b"};
    char t64[65], body[200];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(body, sizeof(body), "{\"role\":\"carrier\",\"tenant\":\"%s\"}",
                 bad[i]);
        refuse(body);
    }
    refuse("{\"role\":\"carrier\",\"tenant\":5}");
    refuse("{\"role\":\"carrier\",\"tenant\":{}}");
    memset(t64, 'a', 64);
    t64[64] = '\0';
    snprintf(body, sizeof(body), "{\"role\":\"forwarder\",\"tenant\":\"%s\"}", t64);
    refuse(body);
}

Test(api_keys, name_at_most_200_bytes) {
    char name[202], body[300];
    struct store_apikey k;
    memset(name, 'n', 201);
    name[201] = '\0';
    snprintf(body, sizeof(body), "{\"role\":\"admin\",\"name\":\"%s\"}", name);
    refuse(body);
    name[200] = '\0';
    snprintf(body, sizeof(body), "{\"role\":\"admin\",\"name\":\"%s\"}", name);
    accept_body(body, &k);
    cr_assert_eq(strlen(k.name), 200);
    /* 100 two-byte characters are 200 bytes: fine; 101 are not. */
    {
        size_t o =
            (size_t)snprintf(body, sizeof(body), "{\"role\":\"admin\",\"name\":\"");
        for (int i = 0; i < 100; i++) {
            memcpy(body + o, "\xc3\xa9", 2);
            o += 2;
        }
        snprintf(body + o, sizeof(body) - o, "\"}");
        accept_body(body, &k);
        cr_assert_eq(strlen(k.name), 200);
        snprintf(body + o, sizeof(body) - o, "\xc3\xa9\"}");
        refuse(body);
    }
    refuse("{\"role\":\"admin\",\"name\":42}");
    refuse("{\"role\":\"admin\",\"name\":[]}");
}

Test(api_keys, unknown_field) {
    refuse("{\"role\":\"admin\",\"extra\":1}");
    refuse(
        "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"ops\",\"id\":\"x\"}");
    refuse("{\"Role\":\"admin\"}");
    refuse("{\"role\":\"admin\",\"\":null}");
}

Test(api_keys, non_object_body) {
    struct store_apikey k;
    json_t *arr = json_pack("[s]", "admin");
    json_t *str = json_string("admin");
    cr_assert_not_null(arr);
    cr_assert_not_null(str);
    cr_assert_eq(api_keys_parse_or_reply(NULL, arr, &k), -1);
    cr_assert_eq(api_keys_parse_or_reply(NULL, str, &k), -1);
    json_decref(arr);
    json_decref(str);
}
