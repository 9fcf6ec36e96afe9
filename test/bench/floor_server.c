/* floor_server.c -- the floor for scripts/bench_waybills.sh: the least an
 * evhttp + hiredis program must do to answer GET /v1/waybills/NUMBER the
 * way bin/dongting answers a public one.  One event loop, one async Redis
 * connection (as the server has), one HMGET of wb:{wb}:w:NUMBER with the
 * eight fields server/api_waybills.c reads (get_fields), and the public
 * view spliced as its splice() does: vpub without its closing brace,
 * ,"tracking": livepub, '}'.  404 when no field is there.  No auth, no
 * rate limit, no logging, no connection cap: what is left is the cost of
 * libevent's HTTP and hiredis, which the real server cannot go below.
 *
 *   floor_server LISTEN_PORT REDIS_PORT      (both on 127.0.0.1)
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "/v1/waybills/"
#define NUMBER_MAX 64

static redisAsyncContext *redis;

static const char *const fields[] = {"tenant", "account", "tok",     "vfull",
                                     "live",   "vpub",    "livepub", "proposals"};

/* Answer REQ with CODE and LEN bytes of BODY as JSON (evhttp frees REQ). */
static void reply(struct evhttp_request *req, int code, const char *why,
                  const char *body, size_t len) {
    struct evbuffer *b = evbuffer_new();
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json");
    if (b) evbuffer_add(b, body, len);
    evhttp_send_reply(req, code, why, b);
    if (b) evbuffer_free(b);
}

/* The HMGET's answer for REQ (which evhttp keeps, even when its client
 * left, until it is replied to). */
static void got(redisAsyncContext *c, void *r, void *arg) {
    struct evhttp_request *req = arg;
    const redisReply *rep = r;
    const redisReply *vpub, *live;
    size_t present = 0;
    (void)c;
    if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 8) {
        static const char e[] = "{\"error\":{\"code\":\"redis_unavailable\"}}";
        reply(req, 503, "Service Unavailable", e, sizeof(e) - 1);
        return;
    }
    for (size_t i = 0; i < rep->elements; i++)
        present += rep->element[i]->type == REDIS_REPLY_STRING;
    vpub = rep->element[5];
    live = rep->element[6];
    if (present == 0 || vpub->type != REDIS_REPLY_STRING || vpub->len < 2 ||
        vpub->str[vpub->len - 1] != '}') {
        static const char e[] = "{\"error\":{\"code\":\"not_found\"}}";
        reply(req, 404, "Not Found", e, sizeof(e) - 1);
        return;
    }
    {
        struct evbuffer *b = evbuffer_new();
        if (b == NULL) {
            evhttp_send_error(req, 503, NULL);
            return;
        }
        evbuffer_add(b, vpub->str, vpub->len - 1);
        evbuffer_add(b, ",\"tracking\":", 12);
        if (live->type == REDIS_REPLY_STRING && live->len > 0)
            evbuffer_add(b, live->str, live->len);
        else
            evbuffer_add(b, "null", 4);
        evbuffer_add(b, "}", 1);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                          "application/json");
        evhttp_send_reply(req, 200, "OK", b);
        evbuffer_free(b);
    }
}

/* Every request: GET /v1/waybills/NUMBER (a number the server would look
 * up: 1-63 of A-Z, a-z, 0-9, '-', '_') goes to Redis, the rest is 404. */
static void handle(struct evhttp_request *req, void *arg) {
    const char *uri = evhttp_request_get_uri(req);
    const char *argv[2 + 8];
    size_t lens[2 + 8];
    char key[sizeof("wb:{wb}:w:") + NUMBER_MAX];
    const char *num;
    size_t n;
    (void)arg;
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET || uri == NULL ||
        strncmp(uri, PREFIX, sizeof(PREFIX) - 1) != 0) {
        static const char e[] = "{\"error\":{\"code\":\"not_found\"}}";
        reply(req, 404, "Not Found", e, sizeof(e) - 1);
        return;
    }
    num = uri + sizeof(PREFIX) - 1;
    n = strcspn(num, "?");
    if (n == 0 || n >= NUMBER_MAX) {
        static const char e[] = "{\"error\":{\"code\":\"not_found\"}}";
        reply(req, 404, "Not Found", e, sizeof(e) - 1);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = num[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
            static const char e[] = "{\"error\":{\"code\":\"not_found\"}}";
            reply(req, 404, "Not Found", e, sizeof(e) - 1);
            return;
        }
    }
    snprintf(key, sizeof(key), "wb:{wb}:w:%.*s", (int)n, num);
    argv[0] = "HMGET";
    lens[0] = 5;
    argv[1] = key;
    lens[1] = strlen(key);
    for (size_t i = 0; i < 8; i++) {
        argv[2 + i] = fields[i];
        lens[2 + i] = strlen(fields[i]);
    }
    if (redisAsyncCommandArgv(redis, got, req, 10, argv, lens) != REDIS_OK) {
        static const char e[] = "{\"error\":{\"code\":\"redis_unavailable\"}}";
        reply(req, 503, "Service Unavailable", e, sizeof(e) - 1);
    }
}

/* The benchmark cannot go on without Redis: exit, the script notices. */
static void connected(const redisAsyncContext *c, int status) {
    if (status != REDIS_OK) {
        fprintf(stderr, "floor_server: redis: %s\n", c->errstr);
        exit(1);
    }
}

static void disconnected(const redisAsyncContext *c, int status) {
    (void)c;
    (void)status;
    fprintf(stderr, "floor_server: lost Redis\n");
    exit(1);
}

/* S as a TCP port, or -1. */
static long port_arg(const char *s) {
    char *end;
    long v = strtol(s, &end, 10);
    return (*s && *end == '\0' && v > 0 && v < 65536) ? v : -1;
}

int main(int argc, char **argv) {
    struct event_base *base;
    struct evhttp *http;
    long port, rport;
    if (argc != 3 || (port = port_arg(argv[1])) < 0 ||
        (rport = port_arg(argv[2])) < 0) {
        fprintf(stderr, "usage: floor_server LISTEN_PORT REDIS_PORT\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    redis = redisAsyncConnect("127.0.0.1", (int)rport);
    if (base == NULL || redis == NULL || redis->err) {
        fprintf(stderr, "floor_server: redis 127.0.0.1:%ld: %s\n", rport,
                redis ? redis->errstr : "out of memory");
        return 1;
    }
    redisLibeventAttach(redis, base);
    redisAsyncSetConnectCallback(redis, connected);
    redisAsyncSetDisconnectCallback(redis, disconnected);
    http = evhttp_new(base);
    if (http == NULL ||
        evhttp_bind_socket(http, "127.0.0.1", (unsigned short)port) != 0) {
        fprintf(stderr, "floor_server: cannot listen on 127.0.0.1:%ld\n", port);
        return 1;
    }
    evhttp_set_gencb(http, handle, NULL);
    event_base_dispatch(base);
    return 0;
}
