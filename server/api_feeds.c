/* api_feeds.c -- carrier feeds over HTTP:
 *
 *   POST /v1/feeds/{name}/events    carrier, admin: push a body in the
 *                                    feed's format; 202 once stored
 *   GET  /v1/feeds                   admin: every feed's health and counts
 *   GET  /v1/feeds/{name}/rejects    admin, the feed's carrier: quarantine
 *   GET  /v1/events?ref=KIND:VALUE   admin: one subject's timeline
 *
 * The ingestion itself (parse, place, store, overlay) is feeds.c. */
#include "api.h"
#include "carriers/dcsa.h"
#include "feeds.h"
#include "geodata/timefmt.h"
#include "http.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TIMELINE_MAX 1000   /* events one timeline answer reads */

/* A carrier key may use a feed that has no tenant, or its own tenant's. */
static int may_use(const struct srv_req *r, const struct feed *f) {
    const struct cfg_feed *c = feeds_cfg(f);
    if (r->who.role != ROLE_CARRIER || c->tenant[0] == '\0') return 1;
    return strcasecmp(r->who.tenant, c->tenant) == 0;
}

/* The feed named in the path, or NULL after replying 404 (also for a
 * feed the caller may not use: "not yours" reads as "does not exist"). */
static struct feed *feed_or_reply(struct srv_req *r) {
    struct feed *f = feeds_find(r->params[0]);
    if (f == NULL || !may_use(r, f)) {
        srv_reply_error(r, 404, "not_found", "no feed '%.64s'", r->params[0]);
        return NULL;
    }
    return f;
}

/* ---- POST /v1/feeds/{name}/events ---------------------------------------- */

static void pushed(const struct feed_result *res, void *arg) {
    struct srv_req *r = arg;
    json_t *rej, *o;
    if (res->status == 400) {
        srv_reply_error(r, 400, "bad_request", "%s", res->error);
        return;
    }
    if (res->status != 202) {
        srv_reply_error(r, 503, "redis_unavailable", "%s; nothing was acknowledged, send "
                        "the body again", res->error);
        return;
    }
    rej = json_array();
    for (size_t i = 0; i < res->nrej; i++)
        json_array_append_new(rej, json_pack("{s:I, s:s}", "index",
                                             (json_int_t)res->rej[i].index, "reason",
                                             res->rej[i].reason));
    o = json_pack("{s:I, s:I, s:o}", "accepted", (json_int_t)res->accepted, "duplicates",
                  (json_int_t)res->duplicates, "rejected", rej);
    srv_reply_json(r, 202, o);
}

void api_feeds_push(struct srv_req *r) {
    struct feed *f = feed_or_reply(r);
    const struct cfg_feed *c;
    const char *body;
    size_t len;

    if (f == NULL) return;
    c = feeds_cfg(f);
    body = srv_body(r, &len);
    if (body == NULL) {
        srv_reply_error(r, 400, "bad_request", "the body is empty");
        return;
    }
    if (len > (size_t)c->max_bytes) {
        srv_reply_error(r, 413, "body_too_large", "the body is %zu bytes; feed %s takes at "
                        "most %ld (feed.%s.max_bytes)", len, c->name, c->max_bytes, c->name);
        return;
    }
    if (c->push_secret[0] != '\0') {
        /* The DCSA callback scheme: sha256=HEX, an HMAC of the raw body. */
        const char *sig = srv_header(r, "X-Signature");
        if (sig == NULL) sig = srv_header(r, "Notification-Signature");
        if (sig == NULL || !carrier_dcsa_signature_ok(body, len, c->push_secret,
                                                      strlen(c->push_secret), sig)) {
            srv_reply_error(r, 401, "bad_signature", "feed %s needs X-Signature: sha256=<hex "
                            "HMAC-SHA256 of the body>, and this one %s", c->name,
                            sig ? "does not match" : "is missing");
            return;
        }
    }
    feeds_ingest(f, body, len, (int64_t)time(NULL), pushed, r);
}

/* ---- GET /v1/feeds --------------------------------------------------------- */

void api_feeds_list(struct srv_req *r) {
    json_t *arr = json_array();
    for (size_t i = 0; i < feeds_count(); i++) {
        struct feed_counters c;
        if (feeds_counters(i, &c) == 0)
            json_array_append_new(arr, feeds_json(feeds_find(c.name)));
    }
    srv_reply_json(r, 200, json_pack("{s:o}", "feeds", arr));
}

/* ---- GET /v1/feeds/{name}/rejects ------------------------------------------ */

static void got_rejects(int status, const char *const *v, const size_t *lens, size_t n,
                        void *arg) {
    struct srv_req *r = arg;
    json_t *arr;
    (void)lens;
    if (status != STORE_OK) {
        srv_reply_error(r, 503, "redis_unavailable", "%s", store_error_text(status));
        return;
    }
    arr = json_array();
    for (size_t i = 0; i + 3 < n; i += 4) {   /* stream id, received, index, reason */
        char t[32];
        char *end;
        long long rec = strtoll(v[i + 1], &end, 10);
        time_format_iso8601(rec, 0, t, sizeof(t));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:s}", "id", v[i], "received", t,
                                             "index", (json_int_t)strtoll(v[i + 2], &end, 10),
                                             "reason", v[i + 3]));
    }
    srv_reply_json(r, 200, json_pack("{s:s, s:o}", "feed", r->params[0], "rejects", arr));
}

/* limit=N within 1..MAX, default DEF; -1 after replying 400. */
static long limit_or_reply(struct srv_req *r, long def, long max) {
    char *s = srv_query(r, "limit"), *end;
    long v = def;
    if (s != NULL) {
        v = strtol(s, &end, 10);
        if (end == s || *end != '\0' || v < 1 || v > max) {
            srv_reply_error(r, 400, "bad_request", "limit: '%.20s' is not a number in 1..%ld",
                            s, max);
            free(s);
            return -1;
        }
        free(s);
    }
    return v;
}

void api_feeds_rejects(struct srv_req *r) {
    long limit;
    if (feed_or_reply(r) == NULL) return;
    if ((limit = limit_or_reply(r, 100, 1000)) < 0) return;
    store_feed_rejects_list(r->params[0], limit, got_rejects, r);
}

/* ---- GET /v1/events?ref=KIND:VALUE ---------------------------------------- */

struct tl_item {
    json_t *e;
    long long ts, received;
    size_t order;
};

static int cmp_item(const void *a, const void *b) {
    const struct tl_item *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    if (x->received != y->received) return x->received < y->received ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The stored events, ordered by event time (then by receipt): arrival
 * order is not event order.  A retracted event stays, marked "voided". */
static void got_timeline(int status, const char *const *v, const size_t *lens, size_t n,
                         void *arg) {
    struct srv_req *r = arg;
    struct tl_item *items;
    json_t *arr;
    size_t m = 0;
    if (status != STORE_OK) {
        srv_reply_error(r, 503, "redis_unavailable", "%s", store_error_text(status));
        return;
    }
    if ((items = calloc(n + 1, sizeof(*items))) == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_loadb(v[i], lens[i], 0, NULL);
        if (e == NULL) continue;
        items[m].e = e;
        items[m].ts = json_integer_value(json_object_get(e, "event_ts"));
        items[m].received = json_integer_value(json_object_get(e, "received_ts"));
        items[m].order = n - i;   /* the store reads newest first */
        m++;
    }
    qsort(items, m, sizeof(*items), cmp_item);
    for (size_t i = 0; i < m; i++) {
        const char *voids = json_string_value(json_object_get(items[i].e, "retracts"));
        if (voids == NULL) continue;
        for (size_t k = 0; k < m; k++) {
            const char *id = json_string_value(json_object_get(items[k].e, "event_id"));
            if (id != NULL && strcmp(id, voids) == 0)
                json_object_set_new(items[k].e, "voided", json_true());
        }
    }
    arr = json_array();
    for (size_t i = 0; i < m; i++) json_array_append_new(arr, items[i].e);
    free(items);
    srv_reply_json(r, 200, json_pack("{s:o}", "events", arr));
}

void api_events(struct srv_req *r) {
    char *ref = srv_query(r, "ref"), *colon;
    if (ref == NULL || (colon = strchr(ref, ':')) == NULL || colon == ref || colon[1] == '\0' ||
        strlen(ref) > 100) {
        srv_reply_error(r, 400, "bad_request", "ref: give KIND:VALUE, e.g. "
                        "ref=container:CSQU3054383 (kinds in docs/carrier-events.md)");
        free(ref);
        return;
    }
    *colon = '\0';
    store_events_about(ref, colon + 1, TIMELINE_MAX, got_timeline, r);
    free(ref);
}
