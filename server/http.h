/* http.h -- the HTTP front: evhttp set-up, limits, connection tracking,
 * per-request context, dispatch through the route table, replies, access log.
 *
 * Every request gets one struct srv_req.  A handler replies exactly once
 * with one of the srv_reply_* functions, now or later (after a Redis reply);
 * the reply writes the access-log line, counts metrics and frees the
 * srv_req.  If the client went away meanwhile, replying is still right:
 * libevent frees a detached request when it is answered. */
#ifndef DT_HTTP_H
#define DT_HTTP_H

#include <jansson.h>
#include <stdint.h>

struct event_base;
struct evhttp_request;
struct srv_config;
struct srv_route;

#define SRV_MAX_PARAMS 4
#define SRV_REQID_LEN 64

/* Who is calling, set by auth before the handler runs. */
struct srv_principal {
    int role;                 /* enum srv_role, 0 when anonymous */
    char key_id[40];
    char tenant[64];
};

struct srv_req {
    struct evhttp_request *ev;
    const struct srv_route *route;
    char method[8];
    char path[256];             /* path as sent (not decoded), no query */
    char request_id[SRV_REQID_LEN + 1];
    char peer[64];              /* client address, for per-address limits */
    char params[SRV_MAX_PARAMS][128];   /* {name} segments, percent-decoded */
    int nparams;
    struct srv_principal who;
    uint64_t start_us;          /* monotonic */
    struct srv_conn *conn;      /* NULL once the client has gone */
    int status;
    /* Streaming replies (srv_stream_*): set by srv_stream_start. */
    int streaming;
    void (*on_close)(struct srv_req *r, void *arg);
    void *on_close_arg;
    struct srv_req *sprev, *snext;      /* all open streams */
};

/* Start listening as configured.  0, or -1 with a message on stderr. */
int http_start(struct event_base *base, const struct srv_config *cfg);

/* Begin a graceful stop: stop accepting, close idle connections, mark the
 * rest to close after their reply.  Calls DONE once no request is in flight
 * or after grace_s seconds, whichever comes first. */
void http_drain(int grace_s, void (*done)(void));

/* Free the listener and every connection (after draining). */
void http_stop(void);

/* Current open client connections and in-flight requests. */
int http_open_connections(void);
int http_inflight(void);

/* ---- replies: each ends the request and frees R ---- */

/* How every JSON reply is encoded (also for bodies encoded ahead, such as
 * cached route answers). */
#define SRV_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

/* Reply with a JSON body (reference stolen; NULL body sends no body). */
void srv_reply_json(struct srv_req *r, int status, json_t *body);

/* Reply {"error":{"code":CODE,"message":...}} with STATUS. */
void srv_reply_error(struct srv_req *r, int status, const char *code,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Reply with raw bytes and a content type. */
void srv_reply_raw(struct srv_req *r, int status, const char *content_type,
                   const char *body, size_t len);

/* Add a response header before replying. */
void srv_add_header(struct srv_req *r, const char *name, const char *value);

/* srv_reply_raw with CACHE_CONTROL instead of "no-store" (static pages).
 * BODY is referenced, not copied: it must outlive the reply (web.c's files
 * live as long as the process).  CONTENT_TYPE NULL sends none. */
void srv_reply_cached(struct srv_req *r, int status, const char *content_type,
                      const char *body, size_t len, const char *cache_control);

/* ---- streaming replies ---- */

/* Bytes a stream may have queued unsent before srv_stream_write refuses. */
#define SRV_STREAM_MAX_QUEUED (256 * 1024)

/* Turn R into a long-lived chunked 200 reply of CONTENT_TYPE: the headers
 * (with X-Request-Id, nosniff, no-store, "Cache-Control: no-cache" and
 * "X-Accel-Buffering: no") go out now.  The stream counts as an open
 * connection, not against the request deadline nor as in flight.  ON_CLOSE
 * (with ARG) is called once if the stream ends other than by
 * srv_stream_end: the client went away, or the server is stopping; R is
 * freed by http.c as soon as ON_CLOSE returns, which must not call any
 * srv_stream_* or srv_reply_* on R.  0, or -1 without replying when R cannot
 * stream (HEAD, untracked connection, client gone, server draining): the
 * caller still replies. */
int srv_stream_start(struct srv_req *r, const char *content_type,
                     void (*on_close)(struct srv_req *r, void *arg), void *arg);

/* Queue LEN bytes of DATA as one chunk.  0, or -1 when the client is gone
 * or has more than SRV_STREAM_MAX_QUEUED bytes unread: the caller then ends
 * the stream with srv_stream_end. */
int srv_stream_write(struct srv_req *r, const char *data, size_t len);

/* End the stream (final chunk; "Connection: close" while draining), write
 * the access-log line with the stream's duration, count it, free R. */
void srv_stream_end(struct srv_req *r);

/* Streams open now. */
int http_open_streams(void);

/* ---- request accessors ---- */

/* Parse the body as a JSON object, with the configured size cap.  On
 * failure replies 400 (naming line and column) or 415 and returns NULL. */
json_t *srv_body_json_or_reply(struct srv_req *r);

/* The raw body: *LEN bytes (not NUL-terminated), valid during the
 * request; NULL when empty. */
const char *srv_body(struct srv_req *r, size_t *len);

/* The raw query string (after '?', not decoded) or NULL; valid during the
 * request. */
const char *srv_query_string(struct srv_req *r);

/* Value of query parameter NAME (decoded, caller frees) or NULL. */
char *srv_query(struct srv_req *r, const char *name);

/* Request header value or NULL (owned by libevent, valid during the request). */
const char *srv_header(struct srv_req *r, const char *name);

#endif
