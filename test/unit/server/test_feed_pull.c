/* Tests for server/feed_pull.c against a real evhttp server on 127.0.0.1
 * (port 0, read back with getsockname) in the same event_base, answering
 * scripted responses.  The loop runs until a condition holds or a deadline
 * passes; feed_pull_now skips the waits between cycles. */
#include "server/feed_pull.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Criterion ends each test's process with _exit, so LeakSanitizer's check
 * at exit never runs: teardown asks for it after feed_pull_stop. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define LEAK_CHECK() __lsan_do_recoverable_leak_check()
#else
#define LEAK_CHECK() 0
#endif

enum mode {
    M_ETAG,          /* 200 with ETag and Last-Modified; 304 when they match */
    M_BIG_LEN,       /* 5000 bytes with Content-Length */
    M_BIG_CHUNKED,   /* 5000 bytes chunked, no length */
    M_GZIP_BIG,      /* 55 gzip bytes that decode to 20000 */
    M_GZIP_SMALL,    /* gzip of SMALL_JSON */
    M_HANG,          /* never answers */
    M_503,
    M_PAGES,         /* 3 pages chained by Next-Page-Cursor */
    M_HOPS,          /* /hop/N redirects to /hop/N-1; /hop/0 answers 200 */
};

#define MAXREQ 32
#define SMALL_JSON "{\"events\":[1,2,3]}"
#define ETAG_V1 "\"v1-9f3a\""
#define LASTMOD "Wed, 25 Nov 2026 06:10:00 GMT"

static struct {
    struct event_base *base;
    struct evhttp *http;
    struct event *tick;
    int port;
    enum mode mode;
    int fail_page2;          /* M_PAGES: answer 500 to this many page-2 requests */
    int nreq;
    char uri[MAXREQ][256], inm[MAXREQ][128], ims[MAXREQ][128], auth[MAXREQ][128];
    char ua[64], ae[64];
    struct evhttp_request *hung[8];
    int nhung;
} S;

static struct {
    int n;
    char name[32];
    char body[8][8192];
    size_t len[8];
    char ct[8][64];
    long long at[8];
    int stop_in_cb;
} G;

static const unsigned char gzip_big[] = {   /* gzip of 20000 'a' */
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xed, 0xc1, 0x31, 0x01,
    0x00, 0x00, 0x00, 0xc2, 0xa0, 0xac, 0xeb, 0x5f, 0xc2, 0x1a, 0x1e, 0x40, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xf0, 0x60, 0x31, 0x87, 0xbd, 0xca, 0x20, 0x4e, 0x00, 0x00};
static const unsigned char gzip_small[] = {   /* gzip of SMALL_JSON */
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0x4a,
    0x2d, 0x4b, 0xcd, 0x2b, 0x29, 0x56, 0xb2, 0x8a, 0x36, 0xd4, 0x31, 0xd2, 0x31,
    0x8e, 0xad, 0x05, 0x00, 0xe1, 0xfe, 0x6a, 0xc2, 0x12, 0x00, 0x00, 0x00};

static void copy_hdr(char *dst, size_t len, struct evkeyvalq *h, const char *name) {
    const char *v = evhttp_find_header(h, name);
    snprintf(dst, len, "%s", v ? v : "");
}

static void reply(struct evhttp_request *req, int code, const char *reason,
                  const void *body, size_t len) {
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, body, len);
    evhttp_send_reply(req, code, reason, b);
    evbuffer_free(b);
}

static void on_request(struct evhttp_request *req, void *arg) {
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *uri = evhttp_request_get_uri(req);
    int i = S.nreq < MAXREQ ? S.nreq : MAXREQ - 1;
    char big[5000];
    (void)arg;

    S.nreq++;
    snprintf(S.uri[i], sizeof(S.uri[i]), "%s", uri);
    copy_hdr(S.inm[i], sizeof(S.inm[i]), in, "If-None-Match");
    copy_hdr(S.ims[i], sizeof(S.ims[i]), in, "If-Modified-Since");
    copy_hdr(S.auth[i], sizeof(S.auth[i]), in, "Authorization");
    copy_hdr(S.ua, sizeof(S.ua), in, "User-Agent");
    copy_hdr(S.ae, sizeof(S.ae), in, "Accept-Encoding");
    memset(big, 'x', sizeof(big));

    switch (S.mode) {
    case M_ETAG:
        evhttp_add_header(out, "ETag", ETAG_V1);
        evhttp_add_header(out, "Last-Modified", LASTMOD);
        if (strcmp(S.inm[i], ETAG_V1) == 0) {
            evhttp_send_reply(req, 304, "Not Modified", NULL);
            return;
        }
        evhttp_add_header(out, "Content-Type", "application/json");
        reply(req, 200, "OK", "{\"shipments\":[\"DTX-71\"]}\n", 25);
        return;
    case M_BIG_LEN:
        reply(req, 200, "OK", big, sizeof(big));
        return;
    case M_BIG_CHUNKED:
        evhttp_send_reply_start(req, 200, "OK");
        for (int k = 0; k < 5; k++) {
            struct evbuffer *b = evbuffer_new();
            evbuffer_add(b, big, 1000);
            evhttp_send_reply_chunk(req, b);
            evbuffer_free(b);
        }
        evhttp_send_reply_end(req);
        return;
    case M_GZIP_BIG:
    case M_GZIP_SMALL:
        evhttp_add_header(out, "Content-Encoding", "gzip");
        evhttp_add_header(out, "Content-Type", "application/json");
        if (S.mode == M_GZIP_BIG)
            reply(req, 200, "OK", gzip_big, sizeof(gzip_big));
        else
            reply(req, 200, "OK", gzip_small, sizeof(gzip_small));
        return;
    case M_HANG:
        if (S.nhung < 8) S.hung[S.nhung++] = req;
        return;
    case M_503:
        reply(req, 503, "Service Unavailable", "busy", 4);
        return;
    case M_PAGES:
        evhttp_add_header(out, "Content-Type", "application/json");
        if (strstr(uri, "cursor=p2%3Dx%2Fy") != NULL) {
            if (S.fail_page2 > 0) {
                S.fail_page2--;
                reply(req, 500, "Internal Server Error", "oops", 4);
                return;
            }
            evhttp_add_header(out, "Next-Page-Cursor", "c3");
            reply(req, 200, "OK", "page2", 5);
        } else if (strstr(uri, "cursor=c3") != NULL) {
            reply(req, 200, "OK", "page3", 5);
        } else {
            evhttp_add_header(out, "ETag", ETAG_V1);
            if (strcmp(S.inm[i], ETAG_V1) == 0) {
                evhttp_send_reply(req, 304, "Not Modified", NULL);
                return;
            }
            evhttp_add_header(out, "Next-Page-Cursor", "p2=x/y");
            reply(req, 200, "OK", "page1", 5);
        }
        return;
    case M_HOPS: {
        int n = -1;
        if (sscanf(uri, "/hop/%d", &n) == 1 && n > 0) {
            char loc[64];
            snprintf(loc, sizeof(loc), "/hop/%d", n - 1);
            evhttp_add_header(out, "Location", loc);
            reply(req, 302, "Found", "", 0);
        } else {
            reply(req, 200, "OK", "landed", 6);
        }
        return;
    }
    }
}

static void on_tick(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
}

static void setup(void) {
    struct evhttp_bound_socket *h;
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    struct timeval tv = {0, 5000};

    memset(&S, 0, sizeof(S));
    memset(&G, 0, sizeof(G));
    S.base = event_base_new();
    cr_assert_not_null(S.base);
    S.http = evhttp_new(S.base);
    cr_assert_not_null(S.http);
    evhttp_set_gencb(S.http, on_request, NULL);
    h = evhttp_bind_socket_with_handle(S.http, "127.0.0.1", 0);
    cr_assert_not_null(h);
    cr_assert_eq(getsockname(evhttp_bound_socket_get_fd(h), (struct sockaddr *)&sin, &sl), 0);
    S.port = ntohs(sin.sin_port);
    /* Wakes EVLOOP_ONCE so run_until sees its deadline. */
    S.tick = event_new(S.base, -1, EV_PERSIST, on_tick, NULL);
    event_add(S.tick, &tv);
    cr_assert_eq(feed_pull_start(S.base), 0);
}

/* Free the server and the loop, after feed_pull_stop; then ask LeakSanitizer
 * (when built with it) whether anything is left.  Runs at the end of each
 * test body, where a failed assertion fails the test (in .fini it would
 * only be printed); teardown repeats the freeing if a test ended early. */
static int release(void) {
    if (S.base == NULL) return 0;
    feed_pull_stop();
    /* A hung request is replied to so that libevent frees it. */
    for (int i = 0; i < S.nhung; i++) evhttp_send_reply(S.hung[i], 200, "OK", NULL);
    evhttp_free(S.http);
    event_free(S.tick);
    event_base_free(S.base);
    S.base = NULL;
    return LEAK_CHECK();
}

static void teardown(void) { release(); }

/* A test whose body is followed by the leak check. */
#define FP_TEST(name)                                                           \
    static void name##_body(void);                                              \
    Test(feed_pull, name) {                                                     \
        name##_body();                                                          \
        cr_assert_eq(release(), 0, "LeakSanitizer found leaks (report above)"); \
    }                                                                           \
    static void name##_body(void)

TestSuite(feed_pull, .init = setup, .fini = teardown, .timeout = 15);

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_body(const char *name, const char *body, size_t len, long long received,
                    const char *ct, void *arg) {
    int i = G.n;
    cr_assert_eq(arg, &G);
    G.n++;
    if (i >= 8) return;
    snprintf(G.name, sizeof(G.name), "%s", name);
    cr_assert_lt(len, sizeof(G.body[i]));
    memcpy(G.body[i], body, len);
    G.len[i] = len;
    snprintf(G.ct[i], sizeof(G.ct[i]), "%s", ct ? ct : "(null)");
    G.at[i] = received;
    if (G.stop_in_cb) feed_pull_stop();
}

static struct feed_pull_stats stats_of(int id) {
    struct feed_pull_stats s;
    cr_assert_eq(feed_pull_stats(id, &s), 0);
    return s;
}

/* Run the loop until feed ID has finished N cycles (pulls + errors) or
 * MAX_S seconds pass; the stats then. */
static struct feed_pull_stats run_cycles(int id, unsigned long n, double max_s) {
    double end = now_s() + max_s;
    struct feed_pull_stats s = stats_of(id);
    while (s.pulls + s.errors < n && now_s() < end) {
        event_base_loop(S.base, EVLOOP_ONCE);
        s = stats_of(id);
    }
    cr_assert_geq(s.pulls + s.errors, n, "only %lu of %lu cycles in %.1f s (last error: %s)",
                  s.pulls + s.errors, n, max_s, s.last_error);
    return s;
}

static void run_for(double secs) {
    double end = now_s() + secs;
    while (now_s() < end) event_base_loop(S.base, EVLOOP_ONCE);
}

static int add_feed(const char *path, double interval, double timeout, size_t max,
                    int paginate, const char *auth) {
    char url[256];
    struct feed_pull_spec sp = {0};
    int id;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", S.port, path);
    sp.name = "acme-events";
    sp.url = url;
    sp.auth_header = auth;
    sp.interval_s = interval;
    sp.timeout_s = timeout;
    sp.max_bytes = max;
    sp.paginate = paginate;
    id = feed_pull_add(&sp, on_body, &G);
    cr_assert_geq(id, 0);
    return id;
}

FP_TEST(body_delivered_then_304_with_validators) {
    struct feed_pull_stats s;
    long long before = (long long)time(NULL), after;
    int id = add_feed("/v2/events", 5, 2, 4096, 0, NULL);

    cr_assert_eq(feed_pull_now(id), 0);
    s = run_cycles(id, 1, 3);
    after = (long long)time(NULL);
    cr_assert_eq(G.n, 1);
    cr_assert_str_eq(G.name, "acme-events");
    cr_assert_eq(G.len[0], 25);
    cr_assert_eq(memcmp(G.body[0], "{\"shipments\":[\"DTX-71\"]}\n", 25), 0);
    cr_assert_str_eq(G.ct[0], "application/json");
    cr_assert(G.at[0] >= before && G.at[0] <= after);
    cr_assert_eq(s.pulls, 1);
    cr_assert_eq(s.pages, 1);
    cr_assert_eq(s.bytes, 25);
    cr_assert_eq(s.errors, 0);
    cr_assert_eq(s.not_modified, 0);
    cr_assert_str_eq(s.last_error, "");
    cr_assert(s.last_success >= before && s.last_success <= after);
    cr_assert_eq(s.last_attempt, s.last_success);
    cr_assert_eq(s.last_error_at, 0);
    cr_assert(s.next_in_s > 4.5 && s.next_in_s <= 5.0, "next_in_s %f", s.next_in_s);
    /* what the server saw on the first request */
    cr_assert_eq(S.nreq, 1);
    cr_assert_str_eq(S.uri[0], "/v2/events");
    cr_assert_str_eq(S.inm[0], "");
    cr_assert_str_eq(S.ims[0], "");
    cr_assert_str_eq(S.auth[0], "");
    cr_assert_str_eq(S.ua, "dongting/1");
    cr_assert_not_null(strstr(S.ae, "gzip"), "Accept-Encoding: %s", S.ae);

    /* Second pull: conditional, answered 304, no body callback. */
    cr_assert_eq(feed_pull_now(id), 0);
    s = run_cycles(id, 2, 3);
    cr_assert_eq(S.nreq, 2);
    cr_assert_str_eq(S.inm[1], ETAG_V1);
    cr_assert_str_eq(S.ims[1], LASTMOD);
    cr_assert_eq(G.n, 1);
    cr_assert_eq(s.pulls, 2);
    cr_assert_eq(s.not_modified, 1);
    cr_assert_eq(s.pages, 1);
    cr_assert_eq(s.bytes, 25);
    cr_assert_str_eq(s.last_error, "");
}

FP_TEST(first_pull_within_a_second) {
    int id = add_feed("/v2/events", 60, 2, 4096, 0, NULL);
    struct feed_pull_stats s = stats_of(id);
    cr_assert(s.next_in_s >= 0 && s.next_in_s <= 1.0, "next_in_s %f", s.next_in_s);
    cr_assert_eq(s.last_attempt, 0);
    s = run_cycles(id, 1, 1.5);
    cr_assert_eq(s.pulls, 1);
    cr_assert_eq(G.n, 1);
    cr_assert(s.next_in_s > 59 && s.next_in_s <= 60, "next_in_s %f", s.next_in_s);
}

static void expect_cap_error(enum mode m) {
    struct feed_pull_stats s;
    int id;
    S.mode = m;
    id = add_feed("/big", 5, 2, 1000, 0, NULL);
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert_eq(G.n, 0, "a body over the cap reached the callback");
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(s.pulls, 0);
    cr_assert_eq(s.pages, 0);
    cr_assert_eq(s.consecutive_errors, 1);
    cr_assert_str_eq(s.last_error, "response over 1000 bytes");
    cr_assert_gt(s.last_error_at, 0);
}

FP_TEST(oversize_with_content_length) { expect_cap_error(M_BIG_LEN); }
FP_TEST(oversize_chunked_cut_in_write_callback) { expect_cap_error(M_BIG_CHUNKED); }
/* 55 bytes on the wire, 20000 decoded: the cap counts decoded bytes. */
FP_TEST(oversize_after_gzip_decoding) { expect_cap_error(M_GZIP_BIG); }

FP_TEST(gzip_body_delivered_decoded) {
    struct feed_pull_stats s;
    int id;
    S.mode = M_GZIP_SMALL;
    id = add_feed("/gz", 5, 2, 1000, 0, NULL);
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert_eq(s.pulls, 1, "error: %s", s.last_error);
    cr_assert_eq(G.n, 1);
    cr_assert_eq(G.len[0], strlen(SMALL_JSON));
    cr_assert_eq(memcmp(G.body[0], SMALL_JSON, G.len[0]), 0);
    cr_assert_eq(s.bytes, strlen(SMALL_JSON));
}

FP_TEST(server_never_answers_is_a_timeout) {
    struct feed_pull_stats s;
    double t0;
    int id;
    S.mode = M_HANG;
    id = add_feed("/slow", 5, 0.3, 1000, 0, NULL);
    t0 = now_s();
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert(now_s() - t0 >= 0.3 && now_s() - t0 < 1.5, "took %f s", now_s() - t0);
    cr_assert_eq(S.nreq, 1);
    cr_assert_eq(G.n, 0);
    cr_assert_eq(s.errors, 1);
    cr_assert_str_eq(s.last_error, "timeout after 0.3 s");
}

/* A listener whose accept queue is full drops further SYNs (Linux), so
 * curl's connect hangs until the connect timeout, min(timeout, 10 s). */
FP_TEST(full_backlog_is_a_connect_timeout) {
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    struct feed_pull_stats s;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd[3], id, saved = S.port;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    cr_assert_eq(listen(lfd, 0), 0);
    cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
    for (int i = 0; i < 3; i++) {
        cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(cfd[i], (struct sockaddr *)&sin, sizeof(sin));
    }
    usleep(50000);
    S.port = ntohs(sin.sin_port);
    id = add_feed("/x", 5, 0.3, 100, 0, NULL);
    S.port = saved;
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    for (int i = 0; i < 3; i++) close(cfd[i]);
    close(lfd);
    cr_assert_eq(s.errors, 1);
    cr_assert_str_eq(s.last_error, "connect timeout after 0.3 s");
}

FP_TEST(http_503_backs_off_then_success_resets) {
    struct feed_pull_stats s;
    int id;
    S.mode = M_503;
    /* interval 0.2 s: the backoff base is max(interval, 1 s) = 1 s */
    id = add_feed("/v2/events", 0.2, 2, 4096, 0, NULL);
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert_str_eq(s.last_error, "HTTP 503");
    cr_assert_eq(s.consecutive_errors, 1);
    cr_assert(s.next_in_s >= 0.45 && s.next_in_s <= 1.0, "next_in_s %f", s.next_in_s);
    cr_assert_eq(G.n, 0);

    feed_pull_now(id);
    s = run_cycles(id, 2, 3);
    cr_assert_str_eq(s.last_error, "HTTP 503");
    cr_assert_eq(s.errors, 2);
    cr_assert_eq(s.consecutive_errors, 2);
    cr_assert(s.next_in_s >= 0.95 && s.next_in_s <= 2.0, "next_in_s %f", s.next_in_s);

    feed_pull_now(id);
    s = run_cycles(id, 3, 3);
    cr_assert_eq(s.consecutive_errors, 3);
    cr_assert(s.next_in_s >= 1.95 && s.next_in_s <= 4.0, "next_in_s %f", s.next_in_s);

    S.mode = M_ETAG;
    feed_pull_now(id);
    s = run_cycles(id, 4, 3);
    cr_assert_eq(s.pulls, 1);
    cr_assert_eq(s.errors, 3);
    cr_assert_eq(s.consecutive_errors, 0);
    cr_assert_str_eq(s.last_error, "");
    cr_assert_gt(s.last_error_at, 0);
    cr_assert(s.next_in_s > 0.1 && s.next_in_s <= 0.2, "next_in_s %f", s.next_in_s);
    cr_assert_eq(G.n, 1);
}

/* d = min(max(interval, 1 s) * 2^(N-1), 300 s); the wait is in [d/2, d]. */
FP_TEST(backoff_capped_at_300_s) {
    struct feed_pull_stats s;
    int id, slow;
    S.mode = M_503;
    id = add_feed("/v2/events", 0.2, 2, 4096, 0, NULL);
    for (unsigned n = 1; n <= 11; n++) {
        double d = n >= 10 ? 300 : (double)(1u << (n - 1));
        feed_pull_now(id);
        s = run_cycles(id, n, 3);
        cr_assert_eq(s.consecutive_errors, n);
        cr_assert(s.next_in_s >= d / 2 - 0.05 && s.next_in_s <= d, "after %u errors: %f s",
                  n, s.next_in_s);
    }
    /* An interval over the cap: the first retry still comes within 300 s. */
    slow = add_feed("/v2/events", 900, 2, 4096, 0, NULL);
    feed_pull_now(slow);
    s = run_cycles(slow, 1, 3);
    cr_assert(s.next_in_s >= 149.9 && s.next_in_s <= 300, "%f s", s.next_in_s);
}

FP_TEST(three_pages_in_order_in_one_cycle) {
    struct feed_pull_stats s;
    int id;
    S.mode = M_PAGES;
    /* A cursor already in the URL is replaced, not repeated. */
    id = add_feed("/v2/events?cursor=old&limit=2", 5, 2, 4096, 1, NULL);
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert_eq(s.pulls, 1, "error: %s", s.last_error);
    cr_assert_eq(s.pages, 3);
    cr_assert_eq(s.bytes, 15);
    cr_assert_eq(G.n, 3);
    cr_assert_eq(memcmp(G.body[0], "page1", 5), 0);
    cr_assert_eq(memcmp(G.body[1], "page2", 5), 0);
    cr_assert_eq(memcmp(G.body[2], "page3", 5), 0);
    cr_assert_eq(S.nreq, 3);
    cr_assert_str_eq(S.uri[0], "/v2/events?cursor=old&limit=2");
    cr_assert_str_eq(S.uri[1], "/v2/events?limit=2&cursor=p2%3Dx%2Fy");
    cr_assert_str_eq(S.uri[2], "/v2/events?limit=2&cursor=c3");
    /* Validators go with the first page only. */
    cr_assert_str_eq(S.inm[1], "");
    cr_assert_str_eq(S.inm[2], "");

    /* The next cycle reads every page again, unconditionally: a first page
     * that did not change says nothing about the later ones. */
    feed_pull_now(id);
    s = run_cycles(id, 2, 3);
    cr_assert_eq(S.nreq, 6);
    cr_assert_str_eq(S.uri[3], "/v2/events?cursor=old&limit=2");
    cr_assert_str_eq(S.inm[3], "");
    cr_assert_eq(s.not_modified, 0);
    cr_assert_eq(G.n, 6);
}

FP_TEST(cursor_appended_with_question_mark) {
    struct feed_pull_stats s;
    int id;
    S.mode = M_PAGES;
    id = add_feed("/v2/events", 5, 2, 4096, 1, NULL);
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert_eq(s.pages, 3);
    cr_assert_str_eq(S.uri[1], "/v2/events?cursor=p2%3Dx%2Fy");
    cr_assert_str_eq(S.uri[2], "/v2/events?cursor=c3");
}

/* A cycle that fails on page 2 must not keep page 1's ETag, or the next
 * cycle's 304 would skip pages 2 and 3 until the feed changes. */
FP_TEST(failed_page_keeps_old_validators) {
    struct feed_pull_stats s;
    int id;
    S.mode = M_PAGES;
    S.fail_page2 = 1;
    id = add_feed("/v2/events", 5, 2, 4096, 1, NULL);
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert_eq(s.errors, 1);
    cr_assert_str_eq(s.last_error, "HTTP 500 (page 2)");
    cr_assert_eq(G.n, 1);   /* page 1 was delivered */

    feed_pull_now(id);
    s = run_cycles(id, 2, 3);
    cr_assert_eq(s.pulls, 1, "error: %s", s.last_error);
    cr_assert_str_eq(S.inm[2], "");
    cr_assert_eq(G.n, 4);
    cr_assert_eq(memcmp(G.body[3], "page3", 5), 0);
}

FP_TEST(auth_header_reaches_server_not_the_log) {
    char log[4096];
    size_t n;
    FILE *err;
    int id;

    cr_redirect_stderr();
    id = add_feed("/v2/events?key=dt-url-5Kp", 5, 2, 4096, 0,
                  "Authorization: Bearer dt-test-7Qx");
    feed_pull_now(id);
    run_cycles(id, 1, 3);
    cr_assert_eq(G.n, 1);
    cr_assert_str_eq(S.auth[0], "Bearer dt-test-7Qx");

    /* an error and a recovery, each logged once, without the secrets */
    S.mode = M_503;
    feed_pull_now(id);
    run_cycles(id, 2, 3);
    S.mode = M_ETAG;
    feed_pull_now(id);
    run_cycles(id, 3, 3);
    cr_assert_str_eq(S.auth[2], "Bearer dt-test-7Qx");
    fflush(stderr);
    err = cr_get_redirected_stderr();
    n = fread(log, 1, sizeof(log) - 1, err);
    log[n] = '\0';
    cr_assert_not_null(strstr(log, "\"feed_pull_error\",\"msg\":\"feed acme-events: HTTP 503"), "%s", log);
    cr_assert_not_null(strstr(log, "\"feed_pull_recovered\""), "%s", log);
    cr_assert_null(strstr(strstr(log, "feed_pull_error") + 1, "feed_pull_error"), "%s", log);
    cr_assert_null(strstr(log, "dt-test-7Qx"), "%s", log);
    cr_assert_null(strstr(log, "dt-url-5Kp"), "%s", log);
}

FP_TEST(unreachable_port_is_a_connect_error) {
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    struct feed_pull_stats s;
    struct feed_pull_spec sp = {0};
    char url[64], want[32];
    int fd = socket(AF_INET, SOCK_STREAM, 0), id;

    /* A port that was free a moment ago and has no listener now. */
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
    close(fd);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/feed", ntohs(sin.sin_port));
    snprintf(want, sizeof(want), "port %d", ntohs(sin.sin_port));
    sp.name = "gone";
    sp.url = url;
    sp.interval_s = 5;
    sp.timeout_s = 2;
    sp.max_bytes = 100;
    id = feed_pull_add(&sp, on_body, &G);
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(strncmp(s.last_error, "Failed to connect to 127.0.0.1", 30), 0, "%s",
                 s.last_error);
    cr_assert_not_null(strstr(s.last_error, want), "%s", s.last_error);
    cr_assert_eq(G.n, 0);
}

static struct feed_pull_stats pull_url(const char *url) {
    struct feed_pull_spec sp = {0};
    int id;
    sp.name = "bad";
    sp.url = url;
    sp.interval_s = 5;
    sp.timeout_s = 2;
    sp.max_bytes = 100;
    id = feed_pull_add(&sp, on_body, &G);
    cr_assert_geq(id, 0);
    feed_pull_now(id);
    return run_cycles(id, 1, 3);
}

FP_TEST(bad_urls_are_errors_with_backoff) {
    struct feed_pull_stats s = pull_url("http://127.0.0.1:99999/feed");
    cr_assert_eq(s.errors, 1);
    cr_assert_str_eq(s.last_error, "URL using bad/illegal format or missing URL");
    cr_assert(s.next_in_s >= 2.4 && s.next_in_s <= 5.0, "next_in_s %f", s.next_in_s);
    s = pull_url("ftp://127.0.0.1/feed");
    cr_assert_eq(s.errors, 1);
    cr_assert_str_eq(s.last_error, "Protocol \"ftp\" not supported or disabled in libcurl");
    cr_assert_eq(G.n, 0);
}

FP_TEST(three_redirects_followed_not_four) {
    struct feed_pull_stats s;
    int ok, bad;
    S.mode = M_HOPS;
    ok = add_feed("/hop/3", 5, 2, 100, 0, NULL);
    feed_pull_now(ok);
    s = run_cycles(ok, 1, 3);
    cr_assert_eq(s.pulls, 1, "error: %s", s.last_error);
    cr_assert_eq(G.n, 1);
    cr_assert_eq(memcmp(G.body[0], "landed", 6), 0);

    bad = add_feed("/hop/4", 5, 2, 100, 0, NULL);
    feed_pull_now(bad);
    s = run_cycles(bad, 1, 3);
    cr_assert_eq(s.errors, 1);
    cr_assert_str_eq(s.last_error, "Maximum (3) redirects followed");
    cr_assert_eq(G.n, 1);
}

FP_TEST(add_refuses_bad_specs) {
    struct feed_pull_spec ok = {.name = "x", .url = "http://127.0.0.1/", .interval_s = 1,
                                .timeout_s = 1, .max_bytes = 10};
    struct feed_pull_spec sp;
    struct feed_pull_stats s;

    sp = ok, sp.name = "";
    cr_assert_eq(feed_pull_add(&sp, on_body, NULL), -1);
    sp = ok, sp.url = NULL;
    cr_assert_eq(feed_pull_add(&sp, on_body, NULL), -1);
    sp = ok, sp.interval_s = 0;
    cr_assert_eq(feed_pull_add(&sp, on_body, NULL), -1);
    sp = ok, sp.timeout_s = -1;
    cr_assert_eq(feed_pull_add(&sp, on_body, NULL), -1);
    sp = ok, sp.max_bytes = 0;
    cr_assert_eq(feed_pull_add(&sp, on_body, NULL), -1);
    sp = ok, sp.auth_header = "Authorization: Bearer a\r\nX-Evil: 1";
    cr_assert_eq(feed_pull_add(&sp, on_body, NULL), -1);
    cr_assert_eq(feed_pull_add(&ok, NULL, NULL), -1);
    cr_assert_eq(feed_pull_add(&ok, on_body, NULL), 0);
    cr_assert_eq(feed_pull_add(&ok, on_body, NULL), 1);
    cr_assert_eq(feed_pull_stats(2, &s), -1);
    cr_assert_eq(feed_pull_stats(-1, &s), -1);
    cr_assert_eq(feed_pull_now(2), -1);
    cr_assert_eq(feed_pull_start(S.base), -1, "a second start must be refused");
    feed_pull_stop();
    feed_pull_stop();
    cr_assert_eq(feed_pull_stats(0, &s), -1);
    cr_assert_eq(feed_pull_add(&ok, on_body, NULL), -1);
    /* and it starts again after a stop */
    cr_assert_eq(feed_pull_start(S.base), 0);
}

FP_TEST(stop_from_body_callback) {
    struct feed_pull_stats s;
    int id;
    S.mode = M_PAGES;
    G.stop_in_cb = 1;
    id = add_feed("/v2/events", 5, 2, 4096, 1, NULL);
    feed_pull_now(id);
    run_for(0.5);
    cr_assert_eq(G.n, 1, "no page may follow a stop");
    cr_assert_eq(feed_pull_stats(id, &s), -1);
    cr_assert_eq(S.nreq, 1);
}

/* The leak check after the body covers what stop frees mid-transfer. */
FP_TEST(stop_aborts_transfer_in_flight) {
    struct feed_pull_stats s;
    int id;
    S.mode = M_HANG;
    id = add_feed("/slow", 5, 5, 100, 0, NULL);
    feed_pull_now(id);
    run_for(0.2);
    cr_assert_eq(S.nreq, 1);
    s = stats_of(id);
    cr_assert_eq(s.pulls + s.errors, 0);
    cr_assert_eq(s.next_in_s, 0, "a cycle is running");
    cr_assert_gt(s.last_attempt, 0);
    feed_pull_stop();
    cr_assert_eq(feed_pull_stats(id, &s), -1);
    run_for(0.05);
    cr_assert_eq(G.n, 0);
}

/* A host name goes through libcurl's resolver thread, off the loop. */
FP_TEST(host_name_resolved_off_the_loop) {
    struct feed_pull_stats s;
    struct feed_pull_spec sp = {0};
    char url[64];
    int id;
    snprintf(url, sizeof(url), "http://localhost:%d/v2/events", S.port);
    sp.name = "by-name";
    sp.url = url;
    sp.interval_s = 5;
    sp.timeout_s = 2;
    sp.max_bytes = 4096;
    id = feed_pull_add(&sp, on_body, &G);
    feed_pull_now(id);
    s = run_cycles(id, 1, 3);
    cr_assert_eq(s.pulls, 1, "error: %s", s.last_error);
    cr_assert_eq(G.n, 1);
}
