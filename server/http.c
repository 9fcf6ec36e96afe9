/* http.c -- evhttp front end: limits, connection tracking, dispatch, replies.
 *
 * libevent 2.1's evhttp has no connection cap, no whole-request deadline and
 * no hook when a connection is accepted, so this file adds them:
 *  - evhttp_set_bevcb() hands us each new connection's bufferevent; an
 *    event made active at once ("adopt") runs before the loop polls again,
 *    finds the evhttp_connection through the bufferevent's callback argument,
 *    applies the cap and starts tracking it (struct srv_conn);
 *  - evhttp_connection_set_closecb() tells us when it goes away;
 *  - a callback on the connection's input buffer arms a deadline at the first
 *    byte of a request; a client that trickles bytes (which resets evhttp's
 *    idle timeout forever) is dropped when the deadline passes.
 * A request may also become a stream (srv_stream_*): a chunked reply that
 * stays open.  It keeps its connection's "active" slot (so no deadline is
 * armed), leaves the in-flight count, and is ended by its owner, by the
 * client leaving (closecb: on_close, then freed here) or by http_drain.
 * Limits on headers and bodies are evhttp's own: when a client declares a
 * body over the cap, libevent answers 413 itself, before Dongting sees the
 * request (its body is then libevent's short HTML page). */
#include "http.h"
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "log.h"
#include "metrics.h"
#include "routes.h"
#include "server.h"
#include "sse.h"
#include "store.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#define CONN_HASH 1024          /* buckets; chains are short */
#define ADOPT_MAX 256           /* accepts between two loop turns */

struct srv_conn {
    struct evhttp_connection *evcon;
    struct bufferevent *bev;
    struct evbuffer_cb_entry *input_cb;
    struct event deadline;      /* whole-request deadline */
    struct srv_req *active;     /* request being handled, or NULL */
    struct srv_conn *prev, *next;   /* all connections */
    struct srv_conn *hnext;     /* hash chain by evcon */
};

static struct {
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct event_base *base;
    const struct srv_config *cfg;
    struct event *adopt_ev, *listen_retry_ev, *grace_ev;
    struct event *log_ev; /* flushes the access lines (access_line) */
    struct bufferevent *to_adopt[ADOPT_MAX];
    int n_to_adopt;
    struct srv_conn *conns;
    struct srv_conn *hash[CONN_HASH];
    int n_conns, inflight, draining;
    void (*drained)(void);
    struct srv_req *streams;    /* open streams */
    int n_streams;
    struct evbuffer *chunk;     /* scratch for srv_stream_write */
} h;

static void check_drained(void);
static void stream_gone(struct srv_req *r);

/* ---- connection tracking ------------------------------------------------ */

static unsigned conn_slot(const struct evhttp_connection *evcon) {
    uintptr_t p = (uintptr_t)evcon;
    return (unsigned)((p >> 4) ^ (p >> 14)) % CONN_HASH;
}

static struct srv_conn *conn_find(const struct evhttp_connection *evcon) {
    struct srv_conn *c = h.hash[conn_slot(evcon)];
    while (c != NULL && c->evcon != evcon) c = c->hnext;
    return c;
}

static void conn_closed(struct evhttp_connection *evcon, void *arg) {
    struct srv_conn *c = arg, **pp = &h.hash[conn_slot(evcon)];
    (void)evcon;
    while (*pp != NULL && *pp != c) pp = &(*pp)->hnext;
    if (*pp == c) *pp = c->hnext;
    if (c->prev) c->prev->next = c->next;
    else h.conns = c->next;
    if (c->next) c->next->prev = c->prev;
    event_del(&c->deadline);
    /* libevent drains the input buffer after this callback: unhook first. */
    if (c->input_cb) evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->input_cb);
    if (c->active != NULL && c->active->streaming) stream_gone(c->active);
    else if (c->active != NULL) c->active->conn = NULL;
    h.n_conns--;
    free(c);
    check_drained();
}

/* The whole request did not arrive in time: drop the connection.  Freeing
 * it runs conn_closed, which frees C (this event's own memory): nothing may
 * touch C afterwards. */
static void conn_deadline(evutil_socket_t fd, short what, void *arg) {
    struct srv_conn *c = arg;
    (void)fd;
    (void)what;
    if (c->active != NULL) return;
    evhttp_connection_free(c->evcon);
}

static void conn_input(struct evbuffer *buf, const struct evbuffer_cb_info *info,
                       void *arg) {
    struct srv_conn *c = arg;
    (void)buf;
    if (info->n_added > 0 && c->active == NULL &&
        !evtimer_pending(&c->deadline, NULL)) {
        struct timeval tv = {h.cfg->request_timeout_s, 0};
        evtimer_add(&c->deadline, &tv);
    }
}

static struct bufferevent *conn_new_bev(struct event_base *base, void *arg) {
    struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
    (void)arg;
    if (bev == NULL) return NULL;
    if (h.n_to_adopt < ADOPT_MAX) {
        h.to_adopt[h.n_to_adopt++] = bev;
        event_active(h.adopt_ev, EV_TIMEOUT, 0);
    }
    /* else: not tracked; still capped by evhttp's idle timeout.  The next
     * loop turn empties the array long before it can fill. */
    return bev;
}

static void conn_adopt(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    for (int i = 0; i < h.n_to_adopt; i++) {
        struct bufferevent *bev = h.to_adopt[i];
        void *cbarg = NULL;
        struct evhttp_connection *evcon;
        struct srv_conn *c;
        unsigned slot;

        bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
        evcon = cbarg;
        if (evcon == NULL) continue;     /* libevent failed to set it up */
        if (h.n_conns >= h.cfg->max_connections || h.draining) {
            metrics_conn_rejected();
            evhttp_connection_free(evcon);
            continue;
        }
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            evhttp_connection_free(evcon);
            continue;
        }
        c->evcon = evcon;
        c->bev = bev;
        evtimer_assign(&c->deadline, h.base, conn_deadline, c);
        c->input_cb = evbuffer_add_cb(bufferevent_get_input(bev), conn_input, c);
        slot = conn_slot(evcon);
        c->hnext = h.hash[slot];
        h.hash[slot] = c;
        c->next = h.conns;
        if (h.conns) h.conns->prev = c;
        h.conns = c;
        h.n_conns++;
        evhttp_connection_set_closecb(evcon, conn_closed, c);
        /* Bytes that came with the accept arm the deadline too. */
        if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
            struct timeval tv = {h.cfg->request_timeout_s, 0};
            evtimer_add(&c->deadline, &tv);
        }
    }
    h.n_to_adopt = 0;
}

/* accept() failed: on EMFILE/ENFILE stop listening for a moment instead of
 * spinning on a socket that stays readable. */
static void listen_error(struct evconnlistener *lev, void *arg) {
    int err = EVUTIL_SOCKET_ERROR();
    struct timeval tv = {0, 200 * 1000};
    (void)arg;
    log_event("warn", "accept_failed", "accept: %s",
              evutil_socket_error_to_string(err));
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        evconnlistener_disable(lev);
        evtimer_add(h.listen_retry_ev, &tv);
    }
}

static void listen_retry(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    if (h.bound != NULL && !h.draining)
        evconnlistener_enable(evhttp_bound_socket_get_listener(h.bound));
}

int http_open_connections(void) { return h.n_conns; }
int http_inflight(void) { return h.inflight; }

/* ---- replies ------------------------------------------------------------- */

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void req_free(struct srv_req *r) {
    if (r->conn != NULL) {
        struct srv_conn *c = r->conn;
        c->active = NULL;
        r->conn = NULL;
        /* Bytes of a pipelined next request arrived while this one was
         * handled: its deadline starts now. */
        if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 &&
            !evtimer_pending(&c->deadline, NULL)) {
            struct timeval tv = {h.cfg->request_timeout_s, 0};
            evtimer_add(&c->deadline, &tv);
        }
    }
    h.inflight--;
    free(r);
    check_drained();
}

/* While draining: done once no request is in flight and every connection
 * has closed, i.e. every reply has been written out (they carry
 * "Connection: close", so evhttp closes each after its reply). */
static void check_drained(void) {
    if (h.draining && h.inflight == 0 && h.n_conns == 0 && h.drained != NULL) {
        void (*done)(void) = h.drained;
        h.drained = NULL;
        done();
    }
}

void srv_add_header(struct srv_req *r, const char *name, const char *value) {
    evhttp_add_header(evhttp_request_get_output_headers(r->ev), name, value);
}

/* libevent 2.1 knows no phrase for these ("Client Error"). */
static const char *reason_phrase(int status) {
    switch (status) {
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    default: return NULL;   /* libevent's own */
    }
}

/* Headers every reply carries. */
static void common_headers(struct srv_req *r, struct evkeyvalq *out,
                           const char *cache_control) {
    evhttp_add_header(out, "X-Request-Id", r->request_id);
    evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(out, "Cache-Control", cache_control);
}

static void log_flush_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    log_flush();
}

/* R's access-log line (log.h): the first line waiting arms a flush 50 ms
 * on, so lines are written in batches, at most that late. */
static void access_line(const struct srv_req *r, int status, uint64_t dur) {
    if (log_access(r->method, r->path, status, dur, r->request_id,
                   r->who.role ? role_name(r->who.role) : NULL, r->who.key_id) &&
        h.log_ev) {
        struct timeval tv = {0, 50 * 1000};
        evtimer_add(h.log_ev, &tv);
    }
}

/* Common ending of every reply: headers, send, count, log, free. */
static void finish_cached(struct srv_req *r, int status, const char *content_type,
                          struct evbuffer *body, const char *cache_control) {
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->ev);
    uint64_t dur = now_us() - r->start_us;

    if (body != NULL && content_type != NULL)
        evhttp_add_header(out, "Content-Type", content_type);
    common_headers(r, out, cache_control);
    if (h.draining) evhttp_add_header(out, "Connection", "close");
    r->status = status;
    evhttp_send_reply(r->ev, status, reason_phrase(status), body);
    metrics_request(r->route, r->method, status, dur);
    access_line(r, status, dur);
    req_free(r);
}

static void finish(struct srv_req *r, int status, const char *content_type,
                   struct evbuffer *body) {
    finish_cached(r, status, content_type, body, "no-store");
}

void srv_reply_raw(struct srv_req *r, int status, const char *content_type,
                   const char *body, size_t len) {
    struct evbuffer *buf = evbuffer_new();
    if (buf != NULL && body != NULL) evbuffer_add(buf, body, len);
    finish(r, status, content_type, buf);
    if (buf != NULL) evbuffer_free(buf);
}

void srv_reply_cached(struct srv_req *r, int status, const char *content_type,
                      const char *body, size_t len, const char *cache_control) {
    struct evbuffer *buf = evbuffer_new();
    if (buf != NULL && body != NULL) evbuffer_add_reference(buf, body, len, NULL, NULL);
    finish_cached(r, status, content_type, buf, cache_control);
    if (buf != NULL) evbuffer_free(buf);
}

void srv_reply_json(struct srv_req *r, int status, json_t *body) {
    char *s = NULL;
    if (body != NULL) {
        s = json_dumps(body, SRV_JSON_FLAGS);
        json_decref(body);
    }
    if (body != NULL && s == NULL) {
        srv_reply_error(r, 500, "internal", "cannot encode the reply");
        return;
    }
    if (s != NULL) {
        struct evbuffer *buf = evbuffer_new();
        if (buf != NULL) {
            evbuffer_add(buf, s, strlen(s));
            evbuffer_add(buf, "\n", 1);
        }
        finish(r, status, "application/json", buf);
        if (buf != NULL) evbuffer_free(buf);
        free(s);
    } else {
        finish(r, status, "application/json", NULL);
    }
}

void srv_reply_error(struct srv_req *r, int status, const char *code,
                     const char *fmt, ...) {
    char msg[512];
    va_list ap;
    json_t *o;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* jansson needs UTF-8: a message quoting client bytes may not be. */
    o = json_pack("{s:{s:s, s:s%}}", "error", "code", code, "message", msg,
                  strlen(msg));
    if (o == NULL)
        o = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
                      "(message not valid UTF-8)");
    srv_reply_json(r, status, o);
}

/* ---- streaming replies ---------------------------------------------------- */

int http_open_streams(void) { return h.n_streams; }

int srv_stream_start(struct srv_req *r, const char *content_type,
                     void (*on_close)(struct srv_req *r, void *arg), void *arg) {
    struct evkeyvalq *out;
    struct timeval wtv = {h.cfg->idle_timeout_s, 0};

    /* Untracked connections would never report the client leaving; a HEAD
     * reply has no body to stream. */
    if (r->conn == NULL || h.draining || r->streaming ||
        evhttp_request_get_connection(r->ev) == NULL ||
        evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD)
        return -1;
    if (h.chunk == NULL && (h.chunk = evbuffer_new()) == NULL) return -1;
    out = evhttp_request_get_output_headers(r->ev);
    evhttp_add_header(out, "Content-Type", content_type);
    common_headers(r, out, "no-cache, no-store");
    evhttp_add_header(out, "X-Accel-Buffering", "no");
    r->status = 200;
    evhttp_send_reply_start(r->ev, 200, NULL);
    /* evhttp's idle timeout would drop a stream whose client sends nothing
     * (writes do not reset a read timeout): keep only the write timeout,
     * which drops a client that stops reading altogether.  The read
     * watermark bounds what a client can pile up in the input buffer while
     * nobody parses it. */
    bufferevent_set_timeouts(r->conn->bev, NULL, &wtv);
    bufferevent_setwatermark(r->conn->bev, EV_READ, 0,
                             (size_t)h.cfg->max_header_bytes);
    r->streaming = 1;
    r->on_close = on_close;
    r->on_close_arg = arg;
    r->sprev = NULL;
    r->snext = h.streams;
    if (h.streams != NULL) h.streams->sprev = r;
    h.streams = r;
    h.n_streams++;
    h.inflight--;
    return 0;
}

int srv_stream_write(struct srv_req *r, const char *data, size_t len) {
    struct evbuffer *out;
    if (!r->streaming || r->conn == NULL) return -1;
    out = bufferevent_get_output(r->conn->bev);
    if (evbuffer_get_length(out) > SRV_STREAM_MAX_QUEUED) return -1;
    if (len == 0) return 0;
    if (evbuffer_add(h.chunk, data, len) != 0) return -1;
    evhttp_send_reply_chunk(r->ev, h.chunk);
    evbuffer_drain(h.chunk, evbuffer_get_length(h.chunk));
    return evbuffer_get_length(out) > SRV_STREAM_MAX_QUEUED ? -1 : 0;
}

/* Unlink, count, log and free a stream whose reply is done with. */
static void stream_free(struct srv_req *r) {
    uint64_t dur = now_us() - r->start_us;
    if (r->sprev) r->sprev->snext = r->snext;
    else h.streams = r->snext;
    if (r->snext) r->snext->sprev = r->sprev;
    h.n_streams--;
    metrics_request(r->route, r->method, r->status, dur);
    access_line(r, r->status, dur);
    free(r);
    check_drained();
}

void srv_stream_end(struct srv_req *r) {
    struct srv_conn *c = r->conn;
    if (c != NULL) {
        struct timeval tv = {h.cfg->idle_timeout_s, 0};
        bufferevent_set_timeouts(c->bev, &tv, &tv);
        bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
        if (h.draining)
            evhttp_add_header(evhttp_request_get_output_headers(r->ev),
                              "Connection", "close");
        c->active = NULL;
        r->conn = NULL;
        if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 &&
            !evtimer_pending(&c->deadline, NULL))
            evtimer_add(&c->deadline, &tv);
        /* The final chunk; for an HTTP/1.0 client with nothing left to
         * write, evhttp may free the connection (and C) right here, which
         * is why C was let go first. */
        evhttp_send_reply_end(r->ev);
    }
    stream_free(r);
}

/* The connection of stream R is going (closecb).  When the client failed
 * (EOF, error, timeout), libevent 2.1 has detached R->ev from it and left
 * it to us: free it.  When we or evhttp_free close the connection, the
 * request is still attached and libevent frees it right after the closecb.
 * Either way R->ev is gone once this returns. */
static void stream_gone(struct srv_req *r) {
    r->conn = NULL;
    if (r->on_close != NULL) r->on_close(r, r->on_close_arg);
    if (evhttp_request_get_connection(r->ev) == NULL) evhttp_request_free(r->ev);
    r->ev = NULL;
    stream_free(r);
}

/* ---- request accessors ---------------------------------------------------- */

const char *srv_header(struct srv_req *r, const char *name) {
    return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

const char *srv_query_string(struct srv_req *r) {
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(r->ev);
    return u ? evhttp_uri_get_query(u) : NULL;
}

char *srv_query(struct srv_req *r, const char *name) {
    const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->ev));
    struct evkeyvalq params;
    const char *v;
    char *out = NULL;
    if (q == NULL) return NULL;
    TAILQ_INIT(&params);
    if (evhttp_parse_query_str(q, &params) != 0) return NULL;
    v = evhttp_find_header(&params, name);
    if (v != NULL) out = strdup(v);
    evhttp_clear_headers(&params);
    return out;
}

const char *srv_body(struct srv_req *r, size_t *len) {
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    *len = evbuffer_get_length(in);
    return *len ? (const char *)evbuffer_pullup(in, -1) : NULL;
}

json_t *srv_body_json_or_reply(struct srv_req *r) {
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    size_t len = evbuffer_get_length(in);
    const char *ct = srv_header(r, "Content-Type");
    json_error_t jerr;
    json_t *j;

    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
        srv_reply_error(r, 415, "unsupported_media_type",
                        "the body must be JSON (Content-Type: application/json)");
        return NULL;
    }
    if (len > (size_t)h.cfg->max_body_bytes) {
        srv_reply_error(r, 413, "body_too_large",
                        "the body is %zu bytes; the limit is %ld", len,
                        h.cfg->max_body_bytes);
        return NULL;
    }
    j = json_loadb((const char *)evbuffer_pullup(in, -1), len,
                   JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL) {
        srv_reply_error(r, 400, "bad_request",
                        "invalid JSON at line %d column %d: %s", jerr.line,
                        jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        srv_reply_error(r, 400, "bad_request", "the body must be a JSON object");
        return NULL;
    }
    return j;
}

/* ---- dispatch ------------------------------------------------------------ */

static const char *method_name(enum evhttp_cmd_type t) {
    switch (t) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    }
    return "OTHER";
}

/* A request id: 16 random hex digits drawn once per process, then a
 * counter.  Unique, not secret: OpenSSL per request cost more than the
 * rest of a cached read's bookkeeping. */
static void new_request_id(char *buf, size_t len) {
    static char prefix[17];
    static unsigned long long n;
    if (prefix[0] == '\0' && crypto_random_hex(8, prefix, sizeof(prefix)) != 0)
        snprintf(prefix, sizeof(prefix), "%016llx", (unsigned long long)time(NULL));
    snprintf(buf, len, "%s%016llx", prefix, ++n);
}

static int valid_request_id(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > SRV_REQID_LEN) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Percent-decode the {param} segments in place.  0, or -1 after a 400. */
static int decode_params_or_reply(struct srv_req *r) {
    for (int i = 0; i < r->nparams; i++) {
        size_t n = 0;
        char *d = evhttp_uridecode(r->params[i], 0, &n);
        if (d == NULL || n != strlen(d) || n >= sizeof(r->params[i])) {
            free(d);
            srv_reply_error(r, 400, "bad_request", "malformed path segment");
            return -1;
        }
        memcpy(r->params[i], d, n + 1);
        free(d);
    }
    return 0;
}

/* After auth: the route's handler, unless it needs Redis and Redis is down. */
static void dispatch(struct srv_req *r) {
    if ((r->route->flags & ROUTE_NEEDS_REDIS) && !store_ready()) {
        srv_reply_error(r, 503, "redis_unavailable", "%s", store_reason());
        return;
    }
    r->route->handler(r);
}

static void on_request(struct evhttp_request *ev, void *arg) {
    struct srv_req *r = calloc(1, sizeof(*r));
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    struct evkeyvalq *in = evhttp_request_get_input_headers(ev);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *rid = evhttp_find_header(in, "X-Request-Id");
    const char *te = evhttp_find_header(in, "Transfer-Encoding");
    char allow[64];
    (void)arg;

    if (r == NULL) {
        evhttp_send_error(ev, 503, "Out of memory");
        return;
    }
    h.inflight++;
    r->ev = ev;
    r->start_us = now_us();
    {
        struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
        char *addr = NULL;
        ev_uint16_t port = 0;
        if (evcon != NULL) evhttp_connection_get_peer(evcon, &addr, &port);
        snprintf(r->peer, sizeof(r->peer), "%s", addr ? addr : "unknown");
        r->conn = conn_find(evcon);
    }
    if (r->conn != NULL) {
        r->conn->active = r;
        event_del(&r->conn->deadline);
    }
    snprintf(r->method, sizeof(r->method), "%s",
             method_name(evhttp_request_get_command(ev)));
    snprintf(r->path, sizeof(r->path), "%s", path && *path ? path : "/");
    if (rid != NULL && valid_request_id(rid))
        snprintf(r->request_id, sizeof(r->request_id), "%s", rid);
    else
        new_request_id(r->request_id, sizeof(r->request_id));

    /* Request smuggling guards.  libevent 2.1.12 already answers both
     * cases 400 before dispatch; kept so a libevent that does not stays
     * safe. */
    if (te != NULL && evhttp_find_header(in, "Content-Length") != NULL) {
        srv_reply_error(r, 400, "bad_request",
                        "a request may not carry both Content-Length and "
                        "Transfer-Encoding");
        return;
    }
    if (te != NULL && strcasecmp(te, "chunked") != 0) {
        srv_reply_error(r, 400, "bad_request",
                        "Transfer-Encoding '%.40s' is not supported; use chunked",
                        te);
        return;
    }
    if (path != NULL && strlen(path) >= sizeof(r->path)) {
        srv_reply_error(r, 414, "uri_too_long", "the path is longer than %zu bytes",
                        sizeof(r->path) - 1);
        return;
    }

    switch (route_find(r->method, r->path, &r->route, r->params, SRV_MAX_PARAMS,
                       &r->nparams, allow, sizeof(allow))) {
    case ROUTE_NO_PATH:
        srv_reply_error(r, 404, "not_found", "no endpoint at %.200s", r->path);
        return;
    case ROUTE_NO_METHOD:
        srv_add_header(r, "Allow", allow);
        srv_reply_error(r, 405, "method_not_allowed",
                        "%s is not allowed on %.200s; allowed: %s", r->method,
                        r->path, allow);
        return;
    case ROUTE_FOUND:
        break;
    }
    if (decode_params_or_reply(r) != 0) return;
    auth_check_or_reply(r, dispatch);
}

/* ---- start and stop ------------------------------------------------------ */

int http_start(struct event_base *base, const struct srv_config *cfg) {
    struct evconnlistener *lev;

    memset(&h, 0, sizeof(h));
    h.base = base;
    h.cfg = cfg;
    h.http = evhttp_new(base);
    h.adopt_ev = event_new(base, -1, 0, conn_adopt, NULL);
    h.listen_retry_ev = evtimer_new(base, listen_retry, NULL);
    h.log_ev = evtimer_new(base, log_flush_cb, NULL);
    if (h.http == NULL || h.adopt_ev == NULL || h.listen_retry_ev == NULL || h.log_ev == NULL) {
        fprintf(stderr, "dongting: out of memory\n");
        return -1;
    }
    evhttp_set_max_headers_size(h.http, cfg->max_header_bytes);
    evhttp_set_max_body_size(h.http, cfg->max_body_bytes);
    evhttp_set_timeout(h.http, (int)cfg->idle_timeout_s);
    evhttp_set_default_content_type(h.http, "application/json");
    evhttp_set_allowed_methods(h.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
                                           EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                           EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                           EVHTTP_REQ_PATCH | EVHTTP_REQ_TRACE |
                                           EVHTTP_REQ_CONNECT);
    evhttp_set_bevcb(h.http, conn_new_bev, NULL);
    evhttp_set_gencb(h.http, on_request, NULL);

    h.bound = evhttp_bind_socket_with_handle(h.http, cfg->listen_host,
                                             (ev_uint16_t)cfg->listen_port);
    if (h.bound == NULL) {
        fprintf(stderr, "dongting: cannot listen on %s:%d: %s\n", cfg->listen_host,
                cfg->listen_port, strerror(errno));
        return -1;
    }
    lev = evhttp_bound_socket_get_listener(h.bound);
    evconnlistener_set_error_cb(lev, listen_error);
    return 0;
}

static void grace_over(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    if (h.drained != NULL) {
        void (*done)(void) = h.drained;
        log_event("warn", "shutdown_grace_over",
                  "%d requests still in flight after the grace period", h.inflight);
        h.drained = NULL;
        done();
    }
}

void http_drain(int grace_s, void (*done)(void)) {
    struct srv_conn *c, *next;
    struct timeval tv = {grace_s, 0};

    if (h.draining) return;
    h.draining = 1;
    if (h.bound != NULL) {
        evhttp_del_accept_socket(h.http, h.bound);   /* closes the socket */
        h.bound = NULL;
    }
    /* Idle connections close now; busy ones after their reply. */
    for (c = h.conns; c != NULL; c = next) {
        next = c->next;
        if (c->active == NULL) evhttp_connection_free(c->evcon);
    }
    /* Streams end now with their final chunk and "Connection: close", so
     * they do not hold the drain for the grace period. */
    sse_close_all();
    while (h.streams != NULL) {
        struct srv_req *r = h.streams;
        if (r->on_close != NULL) r->on_close(r, r->on_close_arg);
        srv_stream_end(r);
    }
    h.drained = done;
    h.grace_ev = evtimer_new(h.base, grace_over, NULL);
    if (h.grace_ev != NULL) evtimer_add(h.grace_ev, &tv);
    check_drained();
}

void http_stop(void) {
    if (h.grace_ev) event_free(h.grace_ev);
    if (h.http) evhttp_free(h.http);    /* frees remaining connections */
    if (h.adopt_ev) event_free(h.adopt_ev);
    if (h.listen_retry_ev) event_free(h.listen_retry_ev);
    if (h.log_ev) event_free(h.log_ev);
    log_flush();
    if (h.chunk) evbuffer_free(h.chunk);
    h.chunk = NULL;
    h.grace_ev = h.adopt_ev = h.listen_retry_ev = h.log_ev = NULL;
    h.http = NULL;
}
