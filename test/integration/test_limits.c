/* test_limits.c -- what protects the server from its clients: body and
 * header size caps, the whole-request deadline against slow clients, the
 * connection cap and the per-key rate limit. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VALID_KEY_JSON "{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"ok\"}"

/* VALID_KEY_JSON padded with spaces (still valid JSON) to exactly SIZE
 * bytes, so two requests differ only in size.  Caller frees. */
static char *padded_body(size_t size) {
    size_t n = strlen(VALID_KEY_JSON);
    char *b = malloc(size + 1);

    cr_assert_not_null(b);
    cr_assert_geq(size, n);
    memcpy(b, VALID_KEY_JSON, n);
    memset(b + n, ' ', size - n);
    b[size] = '\0';
    return b;
}

Test(limits, declared_body_over_limit_is_413, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    const char *args[] = {"--max-body-bytes", "1024", NULL};
    struct h_resp r;
    char *small = padded_body(1000), *big = padded_body(1500);

    h_start(args);
    h_http("POST", "/v1/keys", h_admin_key(), small, NULL, &r);
    H_ASSERT_STATUS(&r, 201);
    h_resp_free(&r);
    /* libevent may answer this one itself (not JSON): status only. */
    h_http("POST", "/v1/keys", h_admin_key(), big, NULL, &r);
    H_ASSERT_STATUS(&r, 413);
    h_resp_free(&r);
    free(small);
    free(big);
    /* Still serving. */
    h_http("GET", "/healthz", NULL, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(limits, chunked_body_over_limit_is_413, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    const char *args[] = {"--max-body-bytes", "1024", NULL};
    char *chunk = padded_body(800), head[512], size_line[32], *resp, *body;
    int fd, closed;
    long status;

    h_start(args);
    /* Two 800-byte chunks: no Content-Length for the server to check up
     * front.  The whole request stays under 4 KiB so the server reads all
     * of it and its close cannot turn into a reset that eats the reply. */
    snprintf(head, sizeof(head),
             "POST /v1/keys HTTP/1.1\r\n"
             "Host: 127.0.0.1\r\n"
             "Authorization: Bearer %s\r\n"
             "Content-Type: application/json\r\n"
             "Transfer-Encoding: chunked\r\n"
             "Connection: close\r\n\r\n",
             h_admin_key());
    snprintf(size_line, sizeof(size_line), "%zx\r\n", strlen(chunk));
    fd = h_connect(h_server_port());
    cr_assert_geq(fd, 0, "%s", h_error());
    cr_assert_eq(h_send_all(fd, head, strlen(head)), 0, "%s", h_error());
    for (int i = 0; i < 2; i++) {
        /* A reset after the first chunk is a refusal too; the read below
         * tells. */
        if (h_send_all(fd, size_line, strlen(size_line)) != 0 ||
            h_send_all(fd, chunk, strlen(chunk)) != 0 || h_send_all(fd, "\r\n", 2) != 0)
            break;
    }
    h_send_all(fd, "0\r\n\r\n", 5);
    resp = h_read_until_close(fd, 5000, &closed);
    close(fd);
    cr_assert_not_null(resp);
    cr_assert(strncmp(resp, "HTTP/1.1 ", 9) == 0 || strncmp(resp, "HTTP/1.0 ", 9) == 0,
              "no HTTP response to an over-long chunked body: '%.200s'", resp);
    status = strtol(resp + 9, NULL, 10);
    cr_assert_eq(status, 413,
                 "chunked body of 1600 bytes over a 1024 limit: "
                 "got %ld:\n%.600s",
                 status, resp);
    /* If Dongting (not libevent) answered, it must be its JSON error. */
    body = strstr(resp, "\r\n\r\n");
    if (strcasestr(resp, "Content-Type: application/json") != NULL && body != NULL) {
        json_t *j = json_loads(body + 4, 0, NULL);
        json_t *e = json_object_get(j, "error");
        cr_assert_str_eq(h_jstr(e, "code"), "body_too_large", "body: %s", body + 4);
        json_decref(j);
    }
    free(resp);
    free(chunk);
    H_ASSERT_CLEAN_EXIT();
}

Test(limits, headers_over_limit_are_refused, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    const char *args[] = {"--max-header-bytes", "2048", NULL};
    struct h_resp r;
    char hdr[3200];

    h_start(args);
    snprintf(hdr, sizeof(hdr), "X-Padding: ");
    memset(hdr + 11, 'p', sizeof(hdr) - 12);
    hdr[sizeof(hdr) - 1] = '\0';
    h_http("GET", "/healthz", NULL, NULL, hdr, &r);
    cr_assert(r.status >= 400 && r.status < 500,
              "3 KiB of headers over a 2 KiB limit got %ld (%s)", r.status,
              r.curl_error);
    h_resp_free(&r);
    /* A modest header is fine. */
    h_http("GET", "/healthz", NULL, NULL, "X-Padding: short", &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(limits, slow_client_is_dropped, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    const char *args[] = {"--request-timeout", "1", "--idle-timeout", "30", NULL};
    static const char req[] =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    struct h_resp r;
    long long t0, elapsed = -1;
    int fd, closed = 0;

    h_start(args);
    fd = h_connect(h_server_port());
    cr_assert_geq(fd, 0, "%s", h_error());
    t0 = h_now_ms();
    /* One byte every 300 ms: each byte resets an idle timeout, and the
     * whole request (~100 bytes) would take 30 s. */
    for (size_t i = 0; i < sizeof(req) - 1 && h_now_ms() - t0 < 6000; i++) {
        int w;
        if (h_send_all(fd, req + i, 1) != 0) {
            closed = 1;
            break;
        }
        w = h_wait_closed(fd, 300, 0);
        if (w == 1) {
            closed = 1;
            break;
        }
    }
    elapsed = h_now_ms() - t0;
    close(fd);
    cr_assert(closed,
              "a client trickling bytes was still connected after %lld ms "
              "with --request-timeout 1",
              elapsed);
    cr_assert_lt(elapsed, 4000, "dropped only after %lld ms", elapsed);
    cr_assert_geq(elapsed, 700, "dropped after %lld ms, before its 1 s deadline",
                  elapsed);

    /* A normal client is still served. */
    h_http("GET", "/healthz", NULL, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(limits, connection_cap, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    const char *args[] = {"--max-connections", "4", NULL};
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    int fds[4], fifth, closed = 0;
    long long t0, deadline;
    long last = 0;
    char *got;

    h_start(args);
    /* Each of four keep-alive connections is served once, which proves the
     * server has accepted and counted it, then sits idle. */
    for (int i = 0; i < 4; i++) {
        int st;
        fds[i] = h_connect(h_server_port());
        cr_assert_geq(fds[i], 0, "%s", h_error());
        cr_assert_eq(h_send_all(fds[i], req, sizeof(req) - 1), 0, "%s", h_error());
        st = h_read_response_status(fds[i], 5000);
        cr_assert_eq(st, 200, "connection %d of 4 got %d", i + 1, st);
    }

    t0 = h_now_ms();
    fifth = h_connect(h_server_port());
    if (fifth >= 0) {
        /* The kernel completes the handshake; the server must then drop it. */
        h_send_all(fifth, req, sizeof(req) - 1);
        got = h_read_until_close(fifth, 3000, &closed);
        cr_assert_not_null(got);
        cr_assert(closed,
                  "a fifth connection over --max-connections 4 stayed open "
                  "for 3 s (got '%.100s')",
                  got);
        cr_assert(strncmp(got, "HTTP/1.1 200", 12) != 0,
                  "the fifth connection was served: %.200s", got);
        cr_assert_lt(h_now_ms() - t0, 2500,
                     "the fifth connection was closed only "
                     "after %lld ms",
                     h_now_ms() - t0);
        free(got);
        close(fifth);
    }

    /* The four still work: the cap refused the newcomer, not them. */
    cr_assert_eq(h_send_all(fds[0], req, sizeof(req) - 1), 0, "%s", h_error());
    cr_assert_eq(h_read_response_status(fds[0], 5000), 200,
                 "an admitted connection stopped working");
    for (int i = 0; i < 4; i++)
        close(fds[i]);

    /* Once they are gone, new connections are served again. */
    deadline = h_now_ms() + 5000;
    do {
        struct h_resp r;
        h_http_port(h_server_port(), "GET", "/healthz", NULL, NULL, NULL, 2000, &r);
        last = r.status;
        h_resp_free(&r);
        if (last != 200) h_sleep_ms(50);
    } while (last != 200 && h_now_ms() < deadline);
    cr_assert_eq(last, 200, "no new connection served after closing the four");
    H_ASSERT_CLEAN_EXIT();
}

Test(limits, rate_limit_per_key, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    const char *args[] = {"--rate-limit-rps", "1", "--rate-limit-burst", "3", NULL};
    struct h_resp r;
    char id[128], key[256], retry[64], why[768];
    long secs;
    char *end;

    h_start(args);
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\","
                              "\"name\":\"busy\"}",
                              id, sizeof(id), key, sizeof(key)),
                 0, "%s", h_error());
    for (int i = 1; i <= 3; i++) {
        h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
        cr_assert_eq(r.status, 200, "request %d of a burst of 3 got %ld: %s", i,
                     r.status, r.body);
        h_resp_free(&r);
    }
    h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
    cr_assert_eq(h_check_error(&r, 429, "rate_limited", why, sizeof(why)), 0,
                 "4th rapid request: %s", why);
    cr_assert_eq(h_resp_header(&r, "Retry-After", retry, sizeof(retry)), 0,
                 "429 without Retry-After; headers:\n%s", r.headers);
    secs = strtol(retry, &end, 10);
    cr_assert(end != retry && *end == '\0' && secs >= 1 && secs <= 60,
              "Retry-After '%s' is not a number of seconds", retry);
    h_resp_free(&r);
    h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 429);
    h_resp_free(&r);

    /* Public probes are not limited, and each key has its own bucket. */
    for (int i = 0; i < 10; i++) {
        h_http("GET", "/healthz", NULL, NULL, NULL, &r);
        cr_assert_eq(r.status, 200, "GET /healthz #%d got %ld", i + 1, r.status);
        h_resp_free(&r);
    }
    h_http("GET", "/v1/whoami", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);

    /* After the advertised wait the key works again. */
    h_sleep_ms((int)(secs > 3 ? 3 : secs) * 1000 + 100);
    h_http("GET", "/v1/whoami", key, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}
