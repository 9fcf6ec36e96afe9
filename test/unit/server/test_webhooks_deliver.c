/* Tests for server/webhooks.c's delivery path without Redis: a
 * subscription added in memory, notices through webhooks_notify, and an
 * evhttp receiver on 127.0.0.1 in the same event_base.  Checks the
 * coalescing (a full batch of 100 at once, the rest after the 200 ms
 * window), matching, body shape and signature. */
#include "carriers/dcsa.h"
#include "server/config.h"
#include "server/store_subs.h"
#include "server/webhooks.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define LEAK_CHECK() __lsan_do_recoverable_leak_check()
#else
#define LEAK_CHECK() 0
#endif

#define SECRET "unit-test-secret-0123456789abcdefghij"
#define MAXREQ 8

static struct {
    struct event_base *base;
    struct evhttp *http;
    struct event *tick;
    int port, n;
    char body[MAXREQ][65536];
    size_t len[MAXREQ];
    char sig[MAXREQ][128], sub[MAXREQ][64];
    double at[MAXREQ];
} S;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_request(struct evhttp_request *req, void *arg) {
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    const char *v;
    (void)arg;
    if (S.n < MAXREQ) {
        size_t len = evbuffer_get_length(in);
        if (len >= sizeof(S.body[0])) len = sizeof(S.body[0]) - 1;
        evbuffer_copyout(in, S.body[S.n], len);
        S.body[S.n][len] = '\0';
        S.len[S.n] = len;
        v = evhttp_find_header(h, "Notification-Signature");
        snprintf(S.sig[S.n], sizeof(S.sig[0]), "%s", v ? v : "");
        v = evhttp_find_header(h, "Subscription-ID");
        snprintf(S.sub[S.n], sizeof(S.sub[0]), "%s", v ? v : "");
        S.at[S.n] = now_s();
        S.n++;
    }
    evhttp_send_reply(req, 204, "No Content", NULL);
}

static struct srv_config cfg;

/* Keeps EVLOOP_ONCE from blocking when nothing else is due. */
static void tick_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
}

static void setup(void) {
    struct evhttp_bound_socket *bs;
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    memset(&S, 0, sizeof(S));
    S.base = event_base_new();
    S.http = evhttp_new(S.base);
    bs = evhttp_bind_socket_with_handle(S.http, "127.0.0.1", 0);
    cr_assert_not_null(bs);
    cr_assert_eq(getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sa, &sl), 0);
    S.port = ntohs(sa.sin_port);
    evhttp_set_gencb(S.http, on_request, NULL);
    {
        struct timeval tv = {0, 20000};
        S.tick = event_new(S.base, -1, EV_PERSIST, tick_cb, NULL);
        event_add(S.tick, &tv);
    }
    cfg_defaults(&cfg);
    cfg.webhook_allow_loopback = 1;
    cfg.webhook_retry_base_ms = 50;
    cr_assert_eq(webhooks_start(S.base, &cfg), 0);
}

static void teardown(void) {
    webhooks_stop();
    event_free(S.tick);
    evhttp_free(S.http);
    event_base_free(S.base);
    cr_assert_eq(LEAK_CHECK(), 0, "leaks");
}

TestSuite(webhooks_deliver, .init = setup, .fini = teardown, .timeout = 20);

static void add_sub(const char *id, const char *tenant, const char *filters) {
    struct store_sub ss;
    memset(&ss, 0, sizeof(ss));
    snprintf(ss.id, sizeof(ss.id), "%s", id);
    snprintf(ss.tenant, sizeof(ss.tenant), "%s", tenant);
    snprintf(ss.role, sizeof(ss.role), "forwarder");
    snprintf(ss.callback_url, sizeof(ss.callback_url), "http://127.0.0.1:%d/in", S.port);
    snprintf(ss.secret, sizeof(ss.secret), "%s", SECRET);
    ss.filters = filters;
    cr_assert_eq(webhooks_sub_add(&ss), 0);
}

static void run_until(int n, double secs) {
    double end = now_s() + secs;
    while (S.n < n && now_s() < end) event_base_loop(S.base, EVLOOP_ONCE);
}

static void notify_event(const char *tenant, const char *wb, int k) {
    char id[32];
    json_t *data = json_pack("{s:i}", "k", k);
    struct wh_notice n = {.kind = WH_EVENT, .id = id, .waybill = wb, .tenant = tenant,
                          .account = "", .status = "DEPARTED", .data = data};
    snprintf(id, sizeof(id), "src:E%d", k);
    webhooks_notify(&n);
    json_decref(data);
}

Test(webhooks_deliver, batches_of_100_then_the_window) {
    json_t *a, *b;
    struct wh_stats st;
    add_sub("sub_a", "acme", "{\"waybills\":[\"BL1\"]}");
    for (int k = 0; k < 150; k++) {
        notify_event("acme", "BL1", k);
        notify_event("globex", "BL1", 1000 + k);   /* another tenant */
        notify_event("acme", "BL2", 2000 + k);     /* another waybill */
    }
    run_until(2, 3);
    cr_assert_eq(S.n, 2, "%d deliveries", S.n);
    a = json_loads(S.body[0], 0, NULL);
    b = json_loads(S.body[1], 0, NULL);
    cr_assert_eq(json_array_size(a), 100u, "%.200s", S.body[0]);
    cr_assert_eq(json_array_size(b), 50u);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "id")), "src:E0");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(b, 49), "id")),
                     "src:E149");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(b, 0), "type")),
                     "waybill.event");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(b, 0), "waybill")), "BL1");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(json_array_get(b, 0),
                                                                    "data"), "k")), 100);
    /* the first went at once, the second waited for the window */
    cr_assert_geq(S.at[1] - S.at[0], 0.15, "%.3f s apart", S.at[1] - S.at[0]);
    for (int i = 0; i < 2; i++) {
        cr_assert_str_eq(S.sub[i], "sub_a");
        cr_assert_eq(carrier_dcsa_signature_ok(S.body[i], S.len[i], SECRET, strlen(SECRET),
                                               S.sig[i]), 1, "%s", S.sig[i]);
    }
    json_decref(a);
    json_decref(b);
    run_until(3, 0.4);
    cr_assert_eq(S.n, 2, "nothing else was due");
    webhooks_stats(&st);
    cr_assert_eq(st.delivered, 2u);
    cr_assert_eq(st.failed, 0u);
    cr_assert_eq(st.queued, 0u);
}

Test(webhooks_deliver, eta_changes_over_the_threshold_only) {
    json_t *a;
    json_t *data = json_pack("{s:i}", "eta", 1);
    struct wh_notice small = {.kind = WH_ETA, .id = "eta:BL1:1", .waybill = "BL1",
                              .tenant = "acme", .account = "", .eta_old = 100000,
                              .eta_new = 100000 + 59 * 60, .data = data};
    struct wh_notice big = small;
    add_sub("sub_e", "acme", "{\"eta_change_min\":60}");
    big.id = "eta:BL1:2";
    big.eta_new = 100000 - 3600;
    webhooks_notify(&small);
    webhooks_notify(&big);
    json_decref(data);
    run_until(1, 2);
    cr_assert_eq(S.n, 1);
    a = json_loads(S.body[0], 0, NULL);
    cr_assert_eq(json_array_size(a), 1u, "%s", S.body[0]);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "id")),
                     "eta:BL1:2");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "type")),
                     "waybill.eta_changed");
    json_decref(a);
}

Test(webhooks_deliver, removed_subscription_gets_nothing) {
    add_sub("sub_r", "acme", "{}");
    notify_event("acme", "BL1", 1);
    webhooks_sub_remove("sub_r");
    cr_assert_null(webhooks_sub_find("sub_r"));
    run_until(1, 0.5);
    cr_assert_eq(S.n, 0);
}
