/* test_webhooks.c -- webhook subscriptions and deliveries (docs/webhooks.md)
 * against the real server and Redis, with a local receiver
 * (receiver.h) on 127.0.0.1: the server runs with --webhook-allow-loopback
 * and short retry knobs, except where the URL rules themselves are tested. */
#include "harness.h"
#include "receiver.h"
#include "carriers/dcsa.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET "s3cr3t-0123456789-abcdefghijklmnopqr"   /* 36 bytes */

static void fini(void) {
    rcv_stop();
    h_teardown();
}

TestSuite(webhooks, .init = h_setup, .fini = fini, .timeout = 60);

static const char *const loopback_args[] = {"--webhook-allow-loopback", "--webhook-retry-base-ms",
                                            "200", "--webhook-max-attempts", "3", NULL};

static char fwd_key[128], fwd2_key[128], cons_key[128];

/* Start Redis and the server with ARGS, wait for readiness, and make keys:
 * forwarders "acme" and "globex", consignee "alice". */
static void start(const char *const *args) {
    char id[64];
    h_start(args);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\"}", id, sizeof(id),
                              fwd_key, sizeof(fwd_key)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"globex\"}", id, sizeof(id),
                              fwd2_key, sizeof(fwd2_key)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"consignee\",\"tenant\":\"alice\"}", id, sizeof(id),
                              cons_key, sizeof(cons_key)), 0, "%s", h_error());
}

/* POST a subscription to http://127.0.0.1:PORT/hook with EXTRA JSON members
 * (may be ""); 201 asserted; the id goes to ID.  Returns the body (decref). */
static json_t *subscribe(const char *key, int port, const char *extra, char *id, size_t idlen) {
    char body[1024];
    struct h_resp r;
    json_t *j;
    snprintf(body, sizeof(body), "{\"callback_url\":\"http://127.0.0.1:%d/hook\",\"secret\":\""
             SECRET "\"%s}", port, extra);
    h_http("POST", "/v1/subscriptions", key, body, NULL, &r);
    H_ASSERT_STATUS(&r, 201);
    j = h_resp_json(&r);
    h_resp_free(&r);
    cr_assert_not_null(j);
    snprintf(id, idlen, "%s", h_jstr(j, "id"));
    return j;
}

/* GET /v1/subscriptions/ID with KEY; 200 asserted; caller decrefs. */
static json_t *get_sub(const char *key, const char *id) {
    char path[128];
    struct h_resp r;
    json_t *j;
    snprintf(path, sizeof(path), "/v1/subscriptions/%s", id);
    h_http("GET", path, key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    h_resp_free(&r);
    cr_assert_not_null(j);
    return j;
}

static long long jint(json_t *o, const char *k) {
    return json_integer_value(json_object_get(o, k));
}

/* Send a test delivery; 202 asserted; the delivery id goes to DID. */
static void send_test(const char *key, const char *id, char *did, size_t len) {
    char path[128];
    struct h_resp r;
    json_t *j;
    snprintf(path, sizeof(path), "/v1/subscriptions/%s/test", id);
    h_http("POST", path, key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 202);
    j = h_resp_json(&r);
    cr_assert_not_null(j);
    snprintf(did, len, "%s", h_jstr(j, "delivery_id"));
    cr_assert_str_eq(h_jstr(j, "subscription_id"), id);
    json_decref(j);
    h_resp_free(&r);
}

static void hmac_hex(const char *secret, const char *body, size_t len, char out[65]) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    cr_assert_not_null(HMAC(EVP_sha256(), secret, (int)strlen(secret),
                            (const unsigned char *)body, len, mac, &n));
    cr_assert_eq(n, 32u);
    for (unsigned i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

Test(webhooks, create_answers_the_subscription_without_its_secret) {
    char id[64];
    json_t *j, *f;
    int port = rcv_start();
    cr_assert_gt(port, 0);
    start(loopback_args);

    j = subscribe(fwd_key, port,
                  ",\"waybills\":[\"MSKU1234567\",\"784-12345675\"],\"statuses\":[\"DEPARTED\","
                  "\"ARRIVED\"],\"eta_change_min\":30", id, sizeof(id));
    cr_assert_eq(strncmp(id, "sub_", 4), 0, "%s", id);
    cr_assert(h_is_hex(id + 4, 32), "%s", id);
    cr_assert_str_eq(h_jstr(j, "tenant"), "acme");
    cr_assert_str_eq(h_jstr(j, "role"), "forwarder");
    {
        char want[128];
        snprintf(want, sizeof(want), "http://127.0.0.1:%d/hook", port);
        cr_assert_str_eq(h_jstr(j, "callback_url"), want);
    }
    cr_assert(json_is_true(json_object_get(j, "secret_set")));
    cr_assert_null(json_object_get(j, "secret"));
    f = json_object_get(j, "filters");
    cr_assert_eq(json_array_size(json_object_get(f, "waybills")), 2u);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(f, "statuses"), 1)),
                     "ARRIVED");
    cr_assert_eq(jint(f, "eta_change_min"), 30);
    cr_assert_eq(jint(j, "delivered"), 0);
    cr_assert_eq(jint(j, "failed"), 0);
    cr_assert_eq(jint(j, "dead"), 0);
    cr_assert_eq(jint(j, "pending"), 0);
    cr_assert_gt(jint(j, "created_at"), 1700000000);
    json_decref(j);

    /* the secret is in Redis (signing needs it), never in an answer */
    {
        struct h_resp r;
        h_http("GET", "/v1/subscriptions", fwd_key, NULL, NULL, &r);
        H_ASSERT_STATUS(&r, 200);
        cr_assert_null(strstr(r.body, SECRET), "%s", r.body);
        j = h_resp_json(&r);
        cr_assert_eq(jint(j, "count"), 1);
        cr_assert_str_eq(h_jstr(json_array_get(json_object_get(j, "subscriptions"), 0), "id"),
                         id);
        json_decref(j);
        h_resp_free(&r);
    }
    /* a consignee may subscribe too */
    j = subscribe(cons_key, port, "", id, sizeof(id));
    cr_assert_str_eq(h_jstr(j, "role"), "consignee");
    cr_assert_str_eq(h_jstr(j, "tenant"), "alice");
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

/* POST BODY; assert 422 with MESSAGE exactly. */
static void assert_422(const char *body, const char *message) {
    struct h_resp r;
    json_t *j;
    h_http("POST", "/v1/subscriptions", fwd_key, body, NULL, &r);
    H_ASSERT_ERROR(&r, 422, "invalid");
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(json_object_get(j, "error"), "message"), message, "%s", body);
    json_decref(j);
    h_resp_free(&r);
}

Test(webhooks, validation_names_field_and_reason) {
    start(loopback_args);
    assert_422("{\"callback_url\":\"ftp://example.com/x\",\"secret\":\"" SECRET "\"}",
               "callback_url: scheme must be http or https");
    assert_422("{\"callback_url\":\"https://u:p@example.com/x\",\"secret\":\"" SECRET "\"}",
               "callback_url: must not carry a user name or password");
    assert_422("{\"secret\":\"" SECRET "\"}", "callback_url: required, an http or https URL");
    assert_422("{\"callback_url\":\"https://example.com/x\",\"secret\":\"short-secret\"}",
               "secret: must be 32 to 64 bytes of printable ASCII");
    assert_422("{\"callback_url\":\"https://example.com/x\",\"secret\":\"" SECRET SECRET "\"}",
               "secret: must be 32 to 64 bytes of printable ASCII");
    assert_422("{\"callback_url\":\"https://example.com/x\",\"secret\":\"" SECRET
               "\",\"statuses\":[\"DEPARTED\",\"FLYING\"]}",
               "statuses[1]: 'FLYING' is not an event status (e.g. DEPARTED, ARRIVED, "
               "DELIVERED; docs/carrier-events.md)");
    assert_422("{\"callback_url\":\"https://example.com/x\",\"secret\":\"" SECRET
               "\",\"eta_change_min\":0}",
               "eta_change_min: an integer number of minutes, 1 to 100000");
    assert_422("{\"callback_url\":\"https://example.com/x\",\"secret\":\"" SECRET
               "\",\"waybills\":[\"OK1\",7]}",
               "waybills[1]: a waybill number: 1 to 64 printable ASCII characters, no spaces");
    assert_422("{\"callback_url\":\"https://example.com/x\",\"secret\":\"" SECRET
               "\",\"colour\":\"red\"}",
               "colour: unknown field (expected callback_url, secret, waybills, statuses, "
               "eta_change_min)");
    H_ASSERT_CLEAN_EXIT();
}

Test(webhooks, loopback_refused_without_the_flag) {
    start(NULL);
    assert_422("{\"callback_url\":\"http://127.0.0.1:9/hook\",\"secret\":\"" SECRET "\"}",
               "callback_url: host 127.0.0.1 is a loopback address (refused unless the "
               "server runs with --webhook-allow-loopback)");
    assert_422("{\"callback_url\":\"http://10.0.0.8/hook\",\"secret\":\"" SECRET "\"}",
               "callback_url: host 10.0.0.8 is a private address (refused unless the "
               "server runs with --webhook-allow-loopback)");
    assert_422("{\"callback_url\":\"http://localhost:9/hook\",\"secret\":\"" SECRET "\"}",
               "callback_url: host localhost is a loopback name (refused unless the "
               "server runs with --webhook-allow-loopback)");
    H_ASSERT_CLEAN_EXIT();
}

/* A name that resolves to a loopback address passes the URL check (it is a
 * name), but the connection is refused: DNS rebinding cannot reach inside. */
Test(webhooks, name_resolving_to_loopback_refused_at_connect) {
    static const char *const args[] = {"--webhook-max-attempts", "1", NULL};
    char host[256], body[1024], id[64], did[64];
    struct h_resp r;
    json_t *j, *dl;
    int port = rcv_start();
    long long end;

    cr_assert_gt(port, 0);
    cr_assert_eq(gethostname(host, sizeof(host)), 0);
    start(args);
    snprintf(body, sizeof(body), "{\"callback_url\":\"http://%s:%d/hook\",\"secret\":\"" SECRET
             "\"}", host, port);
    h_http("POST", "/v1/subscriptions", fwd_key, body, NULL, &r);
    if (r.status == 422) {
        h_resp_free(&r);
        cr_skip_test("host name %s is refused as a URL here", host);
    }
    H_ASSERT_STATUS(&r, 201);
    j = h_resp_json(&r);
    snprintf(id, sizeof(id), "%s", h_jstr(j, "id"));
    json_decref(j);
    h_resp_free(&r);
    send_test(fwd_key, id, did, sizeof(did));
    end = h_now_ms() + 10000;
    for (;;) {
        j = get_sub(fwd_key, id);
        dl = json_object_get(j, "dead_letters");
        if (json_array_size(dl) == 1 || h_now_ms() > end) break;
        json_decref(j);
        h_sleep_ms(100);
    }
    if (json_array_size(dl) == 1 &&
        strstr(h_jstr(json_array_get(dl, 0), "last_error"), "refused to connect") == NULL) {
        /* the name resolved to a public address here: nothing to test */
        const char *why = h_jstr(json_array_get(dl, 0), "last_error");
        cr_assert_eq(rcv_count(), 0, "%s", why);
        json_decref(j);
        cr_skip_test("%s does not resolve to a loopback address", host);
    }
    cr_assert_eq(json_array_size(dl), 1u, "%s", json_dumps(j, 0));
    cr_assert_str_eq(h_jstr(json_array_get(dl, 0), "last_error"),
                     "refused to connect to a loopback address");
    cr_assert_str_eq(h_jstr(json_array_get(dl, 0), "delivery_id"), did);
    cr_assert_eq(rcv_count(), 0, "the receiver was reached");
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

Test(webhooks, test_delivery_is_signed) {
    char id[64], did[64], mine[65], hdr[128];
    struct rcv_req q;
    json_t *j, *it;
    int port = rcv_start();
    cr_assert_gt(port, 0);
    start(loopback_args);
    json_decref(subscribe(fwd_key, port, "", id, sizeof(id)));
    send_test(fwd_key, id, did, sizeof(did));
    cr_assert_eq(strncmp(did, "dlv_", 4), 0, "%s", did);
    cr_assert(h_is_hex(did + 4, 32), "%s", did);
    cr_assert_eq(rcv_wait(1, 5000), 1, "no delivery arrived");
    cr_assert_eq(rcv_get(0, &q), 0);
    cr_assert_str_eq(q.method, "POST");
    cr_assert_str_eq(q.path, "/hook");
    cr_assert_str_eq(q.content_type, "application/json");
    cr_assert_str_eq(q.subscription, id);
    cr_assert_str_eq(q.delivery, did);
    cr_assert_str_eq(q.user_agent, "dongting");
    /* the signature, checked twice: by hand, and by the DCSA checker */
    hmac_hex(SECRET, q.body, q.len, mine);
    snprintf(hdr, sizeof(hdr), "sha256=%s", mine);
    cr_assert_str_eq(q.signature, hdr);
    cr_assert_eq(carrier_dcsa_signature_ok(q.body, q.len, SECRET, strlen(SECRET), q.signature),
                 1);
    cr_assert_eq(carrier_dcsa_signature_ok(q.body, q.len, "another-secret-0123456789abcdefgh",
                                           33, q.signature), 0);
    j = json_loads(q.body, 0, NULL);
    cr_assert(json_is_array(j), "%s", q.body);
    cr_assert_eq(json_array_size(j), 1u);
    it = json_array_get(j, 0);
    cr_assert_str_eq(h_jstr(it, "type"), "test");
    cr_assert_eq(strncmp(h_jstr(it, "id"), "test:", 5), 0, "%s", q.body);
    cr_assert(json_is_null(json_object_get(it, "waybill")), "%s", q.body);
    cr_assert_str_eq(h_jstr(json_object_get(it, "data"), "subscription_id"), id);
    json_decref(j);
    free(q.body);

    /* counted once delivered */
    {
        long long end = h_now_ms() + 3000;
        long long d = 0;
        while (h_now_ms() < end) {
            j = get_sub(fwd_key, id);
            d = jint(j, "delivered");
            json_decref(j);
            if (d == 1) break;
            h_sleep_ms(50);
        }
        cr_assert_eq(d, 1);
    }
    H_ASSERT_CLEAN_EXIT();
}

Test(webhooks, retried_with_growing_backoff_until_ok) {
    char id[64], did[64];
    struct rcv_req q[3];
    long long gap1, gap2;
    json_t *j;
    double v = -1;
    struct h_resp r;
    int port = rcv_start();
    cr_assert_gt(port, 0);
    start(loopback_args);   /* base 200 ms, 3 attempts */
    json_decref(subscribe(fwd_key, port, "", id, sizeof(id)));
    rcv_fail_first(2, 500);
    send_test(fwd_key, id, did, sizeof(did));
    cr_assert_eq(rcv_wait(3, 8000), 3, "got %d attempts", rcv_count());
    h_sleep_ms(300);
    cr_assert_eq(rcv_count(), 3, "a 4th request after the 2xx");
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(rcv_get(i, &q[i]), 0);
        cr_assert_str_eq(q[i].delivery, did, "attempt %d", i + 1);
    }
    cr_assert_eq(q[0].answered, 500);
    cr_assert_eq(q[1].answered, 500);
    cr_assert_eq(q[2].answered, 200);
    cr_assert_str_eq(q[0].body, q[2].body);
    cr_assert_str_eq(q[0].signature, q[2].signature);
    /* equal jitter: the 1st wait is in [100, 200) ms, the 2nd in [200, 400) */
    gap1 = q[1].at_ms - q[0].at_ms;
    gap2 = q[2].at_ms - q[1].at_ms;
    cr_assert_geq(gap1, 95, "gap1 %lld", gap1);
    cr_assert_lt(gap1, 300, "gap1 %lld", gap1);
    cr_assert_geq(gap2, 195, "gap2 %lld", gap2);
    cr_assert_lt(gap2, 500, "gap2 %lld", gap2);
    cr_assert_gt(gap2, gap1, "gap1 %lld gap2 %lld", gap1, gap2);
    for (int i = 0; i < 3; i++) free(q[i].body);

    h_sleep_ms(100);
    j = get_sub(fwd_key, id);
    cr_assert_eq(jint(j, "delivered"), 1);
    cr_assert_eq(jint(j, "failed"), 2);
    cr_assert_eq(jint(j, "dead"), 0);
    cr_assert_eq(jint(j, "pending"), 0);
    cr_assert_eq(json_array_size(json_object_get(j, "dead_letters")), 0u);
    json_decref(j);

    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    {
        const char *ok[] = {"result=\"ok\"", NULL};
        cr_assert_eq(h_metric_value(r.body, "dongting_webhook_deliveries_total", ok, &v), 0);
        cr_assert_eq(v, 1.0);
        cr_assert_eq(h_metric_value(r.body, "dongting_webhook_attempts_failed_total", NULL, &v),
                     0);
        cr_assert_eq(v, 2.0);
        cr_assert_eq(h_metric_value(r.body, "dongting_webhook_queue_length", NULL, &v), 0);
        cr_assert_eq(v, 0.0);
    }
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(webhooks, always_failing_becomes_a_dead_letter) {
    char id[64], did[64];
    json_t *j = NULL, *dl = NULL, *d0, *body;
    long long end;
    struct h_resp r;
    double v = -1;
    int port = rcv_start();
    cr_assert_gt(port, 0);
    start(loopback_args);   /* 3 attempts */
    json_decref(subscribe(fwd_key, port, "", id, sizeof(id)));
    rcv_fail_first(-1, 503);
    send_test(fwd_key, id, did, sizeof(did));
    end = h_now_ms() + 10000;
    for (;;) {
        j = get_sub(fwd_key, id);
        dl = json_object_get(j, "dead_letters");
        if (json_array_size(dl) > 0 || h_now_ms() > end) break;
        json_decref(j);
        h_sleep_ms(100);
    }
    cr_assert_eq(json_array_size(dl), 1u);
    cr_assert_eq(rcv_count(), 3, "attempts: %d", rcv_count());
    d0 = json_array_get(dl, 0);
    cr_assert_str_eq(h_jstr(d0, "delivery_id"), did);
    cr_assert_eq(jint(d0, "attempts"), 3);
    cr_assert_str_eq(h_jstr(d0, "last_error"), "HTTP 503");
    body = json_object_get(d0, "body");
    cr_assert(json_is_array(body));
    cr_assert_str_eq(h_jstr(json_array_get(body, 0), "type"), "test");
    cr_assert_eq(jint(j, "failed"), 3);
    cr_assert_eq(jint(j, "dead"), 1);
    cr_assert_eq(jint(j, "delivered"), 0);
    cr_assert_eq(jint(j, "pending"), 0);
    json_decref(j);
    h_sleep_ms(500);
    cr_assert_eq(rcv_count(), 3, "attempted again after the dead letter");

    /* newest first */
    send_test(fwd_key, id, did, sizeof(did));
    end = h_now_ms() + 10000;
    for (;;) {
        j = get_sub(fwd_key, id);
        dl = json_object_get(j, "dead_letters");
        if (json_array_size(dl) > 1 || h_now_ms() > end) break;
        json_decref(j);
        h_sleep_ms(100);
    }
    cr_assert_eq(json_array_size(dl), 2u);
    cr_assert_str_eq(h_jstr(json_array_get(dl, 0), "delivery_id"), did);
    json_decref(j);

    h_http("GET", "/metrics", h_admin_key(), NULL, NULL, &r);
    {
        const char *dead[] = {"result=\"dead\"", NULL};
        cr_assert_eq(h_metric_value(r.body, "dongting_webhook_deliveries_total", dead, &v), 0);
        cr_assert_eq(v, 2.0);
    }
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(webhooks, another_tenants_subscription_is_not_found) {
    char id[64], path[128], other[64];
    struct h_resp r;
    json_t *j;
    int port = rcv_start();
    cr_assert_gt(port, 0);
    start(loopback_args);
    json_decref(subscribe(fwd_key, port, "", id, sizeof(id)));

    snprintf(path, sizeof(path), "/v1/subscriptions/%s", id);
    h_http("GET", path, fwd2_key, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    h_http("GET", "/v1/subscriptions/sub_00000000000000000000000000000000", fwd2_key, NULL,
           NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    h_http("DELETE", path, fwd2_key, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    /* a consignee whose tenant name differs is another tenant as well */
    h_http("GET", path, cons_key, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    snprintf(path, sizeof(path), "/v1/subscriptions/%s/test", id);
    h_http("POST", path, fwd2_key, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    h_sleep_ms(300);
    cr_assert_eq(rcv_count(), 0, "another tenant's test was delivered");

    h_http("GET", "/v1/subscriptions", fwd2_key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_eq(jint(j, "count"), 0, "%s", r.body);
    json_decref(j);
    h_resp_free(&r);

    /* the admin sees everyone's */
    json_decref(subscribe(fwd2_key, port, "", other, sizeof(other)));
    h_http("GET", "/v1/subscriptions", h_admin_key(), NULL, NULL, &r);
    j = h_resp_json(&r);
    cr_assert_eq(jint(j, "count"), 2, "%s", r.body);
    json_decref(j);
    h_resp_free(&r);

    /* still there for its owner; then deleted, gone for everyone */
    json_decref(get_sub(fwd_key, id));
    snprintf(path, sizeof(path), "/v1/subscriptions/%s", id);
    h_http("DELETE", path, fwd_key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 204);
    h_resp_free(&r);
    h_http("GET", path, fwd_key, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    {
        redisReply *rep;
        char key[128];
        snprintf(key, sizeof(key), "wh:{wh}:sub:%s", id);
        rep = h_redis_command("EXISTS %s", key);
        cr_assert_eq(rep->integer, 0);
        freeReplyObject(rep);
        rep = h_redis_command("SISMEMBER wh:{wh}:subs %s", id);
        cr_assert_eq(rep->integer, 0);
        freeReplyObject(rep);
    }
    H_ASSERT_CLEAN_EXIT();
}

Test(webhooks, subscriptions_survive_a_restart) {
    char id[64], did[64];
    struct rcv_req q;
    char mine[65], hdr[128];
    json_t *j;
    long long end;
    int port = rcv_start();
    cr_assert_gt(port, 0);
    start(loopback_args);
    json_decref(subscribe(fwd_key, port, ",\"statuses\":[\"ARRIVED\"]", id, sizeof(id)));
    cr_assert_eq(h_server_stop(SIGTERM, H_STOP_DEADLINE_MS), 0, "%s", h_error());
    cr_assert_eq(h_server_start(loopback_args), 0, "%s", h_error());
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());

    end = h_now_ms() + 5000;
    for (;;) {
        char path[128];
        struct h_resp r;
        snprintf(path, sizeof(path), "/v1/subscriptions/%s", id);
        h_http("GET", path, fwd_key, NULL, NULL, &r);
        if (r.status == 200 || h_now_ms() > end) {
            H_ASSERT_STATUS(&r, 200);
            j = h_resp_json(&r);
            h_resp_free(&r);
            break;
        }
        h_resp_free(&r);
        h_sleep_ms(100);
    }
    cr_assert_str_eq(h_jstr(j, "tenant"), "acme");
    cr_assert_str_eq(json_string_value(json_array_get(
                         json_object_get(json_object_get(j, "filters"), "statuses"), 0)),
                     "ARRIVED");
    json_decref(j);

    /* the secret came back from Redis too: the delivery is signed with it */
    send_test(fwd_key, id, did, sizeof(did));
    cr_assert_eq(rcv_wait(1, 5000), 1);
    cr_assert_eq(rcv_get(0, &q), 0);
    hmac_hex(SECRET, q.body, q.len, mine);
    snprintf(hdr, sizeof(hdr), "sha256=%s", mine);
    cr_assert_str_eq(q.signature, hdr);
    free(q.body);
    H_ASSERT_CLEAN_EXIT();
}

Test(webhooks, at_most_100_per_tenant) {
    char id[64], first[64] = "", path[128], body[256];
    struct h_resp r;
    /* 103 requests from one key in a fraction of a second: the per-key
     * rate limit (burst 100) is not what this test is about */
    static const char *const args[] = {"--webhook-allow-loopback", "--rate-limit-rps", "0",
                                       NULL};
    start(args);
    for (int i = 0; i < 100; i++) {
        json_decref(subscribe(fwd_key, 9, "", id, sizeof(id)));
        if (i == 0) snprintf(first, sizeof(first), "%s", id);
    }
    snprintf(body, sizeof(body), "{\"callback_url\":\"http://127.0.0.1:9/x\",\"secret\":\""
             SECRET "\"}");
    h_http("POST", "/v1/subscriptions", fwd_key, body, NULL, &r);
    H_ASSERT_ERROR(&r, 409, "limit");
    h_resp_free(&r);
    /* another tenant is not affected; deleting one makes room */
    json_decref(subscribe(fwd2_key, 9, "", id, sizeof(id)));
    snprintf(path, sizeof(path), "/v1/subscriptions/%s", first);
    h_http("DELETE", path, fwd_key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 204);
    h_resp_free(&r);
    json_decref(subscribe(fwd_key, 9, "", id, sizeof(id)));
    H_ASSERT_CLEAN_EXIT();
}

Test(webhooks, a_receiver_that_never_answers_times_out_and_is_retried) {
    static const char *const args[] = {"--webhook-allow-loopback", "--webhook-retry-base-ms",
                                       "100", "--webhook-max-attempts", "2",
                                       "--webhook-timeout", "1", NULL};
    char id[64], did[64];
    struct rcv_req q0, q1;
    json_t *j;
    long long end, d = 0;
    int port = rcv_start();
    cr_assert_gt(port, 0);
    start(args);
    json_decref(subscribe(fwd_key, port, "", id, sizeof(id)));
    rcv_hang_first(1);
    send_test(fwd_key, id, did, sizeof(did));
    cr_assert_eq(rcv_wait(2, 6000), 2, "got %d attempts", rcv_count());
    cr_assert_eq(rcv_get(0, &q0), 0);
    cr_assert_eq(rcv_get(1, &q1), 0);
    cr_assert_eq(q0.answered, 0);
    cr_assert_eq(q1.answered, 200);
    cr_assert_str_eq(q1.delivery, did);
    /* the first attempt ran for the whole 1 s timeout, then a 50-100 ms wait */
    cr_assert_geq(q1.at_ms - q0.at_ms, 1000, "%lld ms", q1.at_ms - q0.at_ms);
    cr_assert_lt(q1.at_ms - q0.at_ms, 2500, "%lld ms", q1.at_ms - q0.at_ms);
    free(q0.body);
    free(q1.body);
    end = h_now_ms() + 3000;
    for (;;) {
        j = get_sub(fwd_key, id);
        d = jint(j, "delivered");
        if (d == 1 || h_now_ms() > end) break;
        json_decref(j);
        h_sleep_ms(50);
    }
    cr_assert_eq(d, 1);
    cr_assert_eq(jint(j, "failed"), 1);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}
