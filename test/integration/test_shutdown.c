/* test_shutdown.c -- SIGTERM and SIGINT: stop accepting, finish what is in
 * flight (within --shutdown-grace), exit 0. */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One request made from another thread, so the test can signal the server
 * while it waits. */
struct inflight {
    pthread_t thread;
    struct h_resp resp;
    long long started_ms, done_ms;
};

static void *inflight_run(void *arg) {
    struct inflight *f = arg;
    f->started_ms = h_now_ms();
    h_http("POST", "/v1/keys", h_admin_key(),
           "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"inflight\"}", NULL,
           &f->resp);
    f->done_ms = h_now_ms();
    return NULL;
}

static void inflight_start(struct inflight *f) {
    memset(f, 0, sizeof(*f));
    cr_assert_eq(pthread_create(&f->thread, NULL, inflight_run, f), 0,
                 "pthread_create failed");
}

/* Assert nothing accepts connections on PORT any more. */
static void expect_port_closed(int port) {
    int fd = h_connect(port);
    if (fd >= 0) close(fd);
    cr_assert_lt(fd, 0, "port %d still accepts connections after exit", port);
}

Test(shutdown, sigterm_finishes_inflight_request, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    const char *args[] = {"--redis-timeout-ms", "3000", "--shutdown-grace", "5", NULL};
    struct inflight f;
    struct h_resp late;
    long long sig_ms;
    int port, st;

    h_start(args);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    port = h_server_port();

    /* Redis sleeps 1 s, so the key creation below is still waiting on it
     * when the signal arrives. */
    cr_assert_eq(h_redis_send_nowait("DEBUG SLEEP 1"), 0, "%s", h_error());
    h_sleep_ms(50);
    inflight_start(&f);
    h_sleep_ms(200);
    sig_ms = h_now_ms();
    cr_assert_eq(h_server_signal(SIGTERM), 0, "%s", h_error());

    /* While draining, a newcomer is not served. */
    h_sleep_ms(100);
    h_http_port(port, "GET", "/healthz", NULL, NULL, NULL, 2000, &late);
    cr_assert_neq(late.status, 200, "a request made after SIGTERM was served");
    h_resp_free(&late);

    pthread_join(f.thread, NULL);
    cr_assert_eq(f.resp.status, 201, "the in-flight POST /v1/keys got %ld (%s): %s",
                 f.resp.status, f.resp.curl_error, f.resp.body);
    cr_assert_gt(f.done_ms, sig_ms,
                 "the request finished before SIGTERM, so it proves nothing");
    h_resp_free(&f.resp);

    st = h_server_wait(H_STOP_DEADLINE_MS);
    cr_assert_eq(st, 0, "exit status after SIGTERM: %d; %s", st, h_error());
    expect_port_closed(port);
}

Test(shutdown, sigint_exits_0_promptly_when_idle, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    const char *args[] = {"--shutdown-grace", "30", NULL};
    long long t0;
    int port, st;

    h_start(args);
    port = h_server_port();
    t0 = h_now_ms();
    /* Nothing is in flight, so it need not wait out the 30 s grace. */
    st = h_server_stop(SIGINT, 5000);
    cr_assert_eq(st, 0, "exit status after SIGINT: %d; %s", st, h_error());
    cr_assert_lt(h_now_ms() - t0, 5000);
    expect_port_closed(port);
}

Test(shutdown, grace_period_bounds_the_wait, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    const char *args[] = {"--redis-timeout-ms", "10000", "--shutdown-grace", "1", NULL};
    struct inflight f;
    long long sig_ms, took;
    int port, st;

    h_start(args);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    port = h_server_port();

    /* Redis stays busy far longer than the 1 s grace. */
    cr_assert_eq(h_redis_send_nowait("DEBUG SLEEP 5"), 0, "%s", h_error());
    h_sleep_ms(50);
    inflight_start(&f);
    h_sleep_ms(200);
    sig_ms = h_now_ms();
    st = h_server_stop(SIGTERM, 8000);
    took = h_now_ms() - sig_ms;
    cr_assert_eq(st, 0, "exit status after SIGTERM with an overdue request: %d; %s", st,
                 h_error());
    cr_assert_lt(took, 3500, "exit took %lld ms with --shutdown-grace 1", took);
    pthread_join(f.thread, NULL);
    cr_assert_neq(f.resp.status, 201,
                  "the request completed although Redis was asleep throughout");
    h_resp_free(&f.resp);
    expect_port_closed(port);
}
