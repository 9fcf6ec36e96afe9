/* sse.c -- the Server-Sent Events hub: topics (waybill numbers) mapped to
 * the streams open on them.
 *
 * A topic exists only while a stream is open on it, so the table never holds
 * more topics than sse_max_streams; its bucket array is sized from that cap
 * when the first stream opens (load factor at most 1).  sse_publish is called
 * for every waybill event and ETA change, most of them for waybills nobody
 * watches: with no stream open it returns at once, else it costs one hash
 * and a short chain walk before anything is formatted.  Streams are written
 * through http.c's srv_stream_*; a stream whose client stops reading is
 * ended, one whose client left is dropped from its on_close callback. */
#include "sse.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "server.h"

#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SSE_RETRY_MS 5000
#define SSE_HEARTBEAT_S 15
#define SSE_MIN_BUCKETS 64
#define SSE_MAX_BUCKETS (1u << 17)

struct sse_topic;

struct sse_stream {
    struct srv_req *r;
    struct sse_topic *topic;
    int full;
    struct sse_stream *prev, *next;     /* on the topic */
    struct sse_stream *aprev, *anext;   /* all streams (heartbeat) */
};

struct sse_topic {
    uint32_t hash;
    struct sse_topic *hnext;
    struct sse_stream *streams;
    char name[];
};

static struct {
    struct sse_topic **buckets;
    uint32_t nbuckets;          /* power of two, 0 until the first stream */
    struct sse_stream *all;
    int n_streams;
    struct event *heartbeat;
    int closed;                 /* sse_close_all ran: no new streams */
} hub;

/* ---- formatting ------------------------------------------------------------ */

int sse_format(const char *event, const char *id, const char *data, char **out,
               size_t *outlen) {
    size_t dlen = data ? strlen(data) : 0, lines = 1, cap, n = 0;
    char *b;

    *out = NULL;
    *outlen = 0;
    /* A line break in either would end the field and start another. */
    if ((event && strpbrk(event, "\r\n")) || (id && strpbrk(id, "\r\n"))) return -1;
    for (size_t i = 0; i < dlen; i++) {
        if (data[i] == '\r' && i + 1 < dlen && data[i + 1] == '\n') i++;
        if (data[i] == '\r' || data[i] == '\n') lines++;
    }
    cap = (event ? strlen(event) + 8 : 0) + (id ? strlen(id) + 5 : 0) + dlen +
          lines * 7 + 2;
    b = malloc(cap);
    if (b == NULL) return -1;
    if (event) {
        size_t l = strlen(event);
        memcpy(b + n, "event: ", 7);
        memcpy(b + n + 7, event, l);
        n += 7 + l;
        b[n++] = '\n';
    }
    if (id) {
        size_t l = strlen(id);
        memcpy(b + n, "id: ", 4);
        memcpy(b + n + 4, id, l);
        n += 4 + l;
        b[n++] = '\n';
    }
    memcpy(b + n, "data: ", 6);
    n += 6;
    for (size_t i = 0; i < dlen; i++) {
        if (data[i] == '\r' || data[i] == '\n') {
            if (data[i] == '\r' && i + 1 < dlen && data[i + 1] == '\n') i++;
            memcpy(b + n, "\ndata: ", 7);
            n += 7;
        } else {
            b[n++] = data[i];
        }
    }
    b[n++] = '\n';
    b[n++] = '\n';
    b[n] = '\0';
    *out = b;
    *outlen = n;
    return 0;
}

/* ---- the topic table ------------------------------------------------------- */

static uint32_t topic_hash(const char *s) {
    uint32_t x = 2166136261u;       /* FNV-1a */
    for (; *s; s++) x = (x ^ (unsigned char)*s) * 16777619u;
    return x;
}

static struct sse_topic *topic_find(const char *name, uint32_t hash) {
    struct sse_topic *t;
    if (hub.nbuckets == 0) return NULL;
    for (t = hub.buckets[hash & (hub.nbuckets - 1)]; t != NULL; t = t->hnext)
        if (t->hash == hash && strcmp(t->name, name) == 0) return t;
    return NULL;
}

/* The topic NAME, made if new.  NULL when out of memory. */
static struct sse_topic *topic_get(const char *name) {
    uint32_t hash = topic_hash(name);
    struct sse_topic *t = topic_find(name, hash), **slot;
    size_t len = strlen(name);
    if (t != NULL) return t;
    t = calloc(1, sizeof(*t) + len + 1);
    if (t == NULL) return NULL;
    memcpy(t->name, name, len + 1);
    t->hash = hash;
    slot = &hub.buckets[hash & (hub.nbuckets - 1)];
    t->hnext = *slot;
    *slot = t;
    return t;
}

static void topic_free(struct sse_topic *t) {
    struct sse_topic **pp = &hub.buckets[t->hash & (hub.nbuckets - 1)];
    while (*pp != t) pp = &(*pp)->hnext;
    *pp = t->hnext;
    free(t);
}

/* Take S off its topic (freeing the topic when it empties) and off the list
 * of all streams, and free S.  Its srv_req is left to the caller. */
static void stream_unlink(struct sse_stream *s) {
    struct sse_topic *t = s->topic;
    if (s->prev) s->prev->next = s->next;
    else t->streams = s->next;
    if (s->next) s->next->prev = s->prev;
    if (t->streams == NULL) topic_free(t);
    if (s->aprev) s->aprev->anext = s->anext;
    else hub.all = s->anext;
    if (s->anext) s->anext->aprev = s->aprev;
    hub.n_streams--;
    free(s);
}

/* End S's reply (it failed to take more, or the server is stopping). */
static void stream_end(struct sse_stream *s) {
    struct srv_req *r = s->r;
    stream_unlink(s);
    srv_stream_end(r);
}

/* http.c: the client left (or the server stopped); R is freed after this. */
static void stream_closed(struct srv_req *r, void *arg) {
    (void)r;
    stream_unlink(arg);
}

static void heartbeat(evutil_socket_t fd, short what, void *arg) {
    static const char beat[] = ": keep-alive\n\n";
    struct sse_stream *s, *next;
    (void)fd;
    (void)what;
    (void)arg;
    for (s = hub.all; s != NULL; s = next) {
        next = s->anext;
        if (srv_stream_write(s->r, beat, sizeof(beat) - 1) != 0) stream_end(s);
    }
}

/* Buckets and the heartbeat timer, made when the first stream opens.
 * 0, or -1 when out of memory. */
static int hub_init(void) {
    long cap = srv_cfg()->sse_max_streams;
    struct timeval tv = {SSE_HEARTBEAT_S, 0};
    uint32_t n = SSE_MIN_BUCKETS;
    if (hub.nbuckets != 0) return 0;
    while (n < (uint32_t)cap && n < SSE_MAX_BUCKETS) n <<= 1;
    hub.buckets = calloc(n, sizeof(*hub.buckets));
    hub.heartbeat = event_new(srv_base(), -1, EV_PERSIST, heartbeat, NULL);
    if (hub.buckets == NULL || hub.heartbeat == NULL ||
        event_add(hub.heartbeat, &tv) != 0) {
        free(hub.buckets);
        hub.buckets = NULL;
        if (hub.heartbeat) event_free(hub.heartbeat);
        hub.heartbeat = NULL;
        return -1;
    }
    hub.nbuckets = n;
    return 0;
}

/* ---- the API --------------------------------------------------------------- */

void sse_attach_or_reply(struct srv_req *r, const char *topic, int full,
                         const char *hello_full, const char *hello_public) {
    const char *hello = full ? hello_full : hello_public;
    char first[32], *ev = NULL;
    size_t evlen = 0;
    int n;
    struct sse_stream *s;
    struct sse_topic *t;

    if (strcmp(r->method, "HEAD") == 0) {
        srv_reply_raw(r, 200, "text/event-stream", NULL, 0);
        return;
    }
    if (hub.closed) {
        srv_reply_error(r, 503, "shutting_down", "the server is shutting down");
        return;
    }
    if (hub.n_streams >= srv_cfg()->sse_max_streams) {
        srv_reply_error(r, 503, "too_many_streams",
                        "%d streams are open, the most this server keeps; retry later",
                        hub.n_streams);
        return;
    }
    n = snprintf(first, sizeof(first), "retry: %d\n\n", SSE_RETRY_MS);
    if (hub_init() != 0 || (s = calloc(1, sizeof(*s))) == NULL) {
        srv_reply_error(r, 503, "out_of_memory", "cannot open a stream now");
        return;
    }
    if ((t = topic_get(topic)) == NULL ||
        sse_format("hello", NULL, hello ? hello : "{}", &ev, &evlen) != 0) {
        if (t != NULL && t->streams == NULL) topic_free(t);
        free(s);
        srv_reply_error(r, 503, "out_of_memory", "cannot open a stream now");
        return;
    }
    if (srv_stream_start(r, "text/event-stream", stream_closed, s) != 0) {
        if (t->streams == NULL) topic_free(t);
        free(s);
        free(ev);
        srv_reply_error(r, 503, "cannot_stream", "this connection cannot stream now");
        return;
    }
    s->r = r;
    s->full = full;
    s->topic = t;
    s->next = t->streams;
    if (t->streams) t->streams->prev = s;
    t->streams = s;
    s->anext = hub.all;
    if (hub.all) hub.all->aprev = s;
    hub.all = s;
    hub.n_streams++;
    if (srv_stream_write(r, first, (size_t)n) != 0 ||
        srv_stream_write(r, ev, evlen) != 0)
        stream_end(s);
    free(ev);
}

void sse_publish(const char *topic, const char *event, const char *id,
                 const char *data_full, const char *data_public) {
    struct sse_topic *t;
    struct sse_stream *s, *next;
    char *full = NULL, *pub = NULL;
    size_t full_len = 0, pub_len = 0;
    int full_bad = 0, pub_bad = 0;

    if (hub.n_streams == 0 || topic == NULL) return;
    if ((t = topic_find(topic, topic_hash(topic))) == NULL) return;
    /* Format each view once, when a stream wants it.  T may be freed when
     * its last stream ends: the loop then stops, having no next. */
    for (s = t->streams; s != NULL; s = next) {
        const char *msg;
        size_t len;
        next = s->next;
        if (s->full) {
            if (full == NULL && !full_bad &&
                sse_format(event, id, data_full ? data_full : "{}", &full,
                           &full_len) != 0) {
                full_bad = 1;
                log_event("error", "sse_format_failed",
                          "cannot format event %.40s for a stream", event);
            }
            msg = full;
            len = full_len;
        } else {
            if (data_public == NULL) continue;
            if (pub == NULL && !pub_bad &&
                sse_format(event, id, data_public, &pub, &pub_len) != 0) {
                pub_bad = 1;
                log_event("error", "sse_format_failed",
                          "cannot format event %.40s for a stream", event);
            }
            msg = pub;
            len = pub_len;
        }
        if (msg != NULL && srv_stream_write(s->r, msg, len) != 0) stream_end(s);
    }
    free(full);
    free(pub);
}

int sse_open_streams(void) { return hub.n_streams; }

void sse_close_all(void) {
    hub.closed = 1;
    while (hub.all != NULL) stream_end(hub.all);
    if (hub.heartbeat) event_free(hub.heartbeat);
    hub.heartbeat = NULL;
    free(hub.buckets);
    hub.buckets = NULL;
    hub.nbuckets = 0;
}
