/* webhooks.c -- webhook subscriptions in memory and their deliveries
 * (webhooks.h, docs/webhooks.md).
 *
 * Subscriptions are loaded from Redis each time the store becomes ready
 * and kept in step by api_subscriptions.c (webhooks_sub_add/_remove after
 * Redis answered).  A matching notice becomes an item in the
 * subscription's batch; the batch goes out 200 ms after its first item or
 * at once when it holds 100: one delivery, a signed POST through the
 * shared curl multi (curl_loop.h).  A failed attempt is retried after
 * retry_base * 2^(attempt-1) with equal jitter; past max_attempts the
 * delivery becomes a dead letter in Redis.  Undelivered deliveries live
 * in memory only: a restart loses them (the docs say so).
 *
 * Each attempt gets a fresh easy handle, freed in curl_loop's DONE (which
 * runs outside curl callbacks).  Redirects are not followed; at connect
 * time CURLOPT_OPENSOCKETFUNCTION refuses private and loopback addresses
 * (unless webhook_allow_loopback), so a name that resolves inside the
 * network (DNS rebinding) is refused as well. */
#include "webhooks.h"
#include "carriers/event.h"
#include "config.h"
#include "crypto.h"
#include "curl_loop.h"
#include "log.h"
#include "store.h"
#include "store_subs.h"
#include "webhook_url.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH_MS 200
#define BATCH_MAX 100
#define QUEUE_MAX 10000          /* deliveries not finished, all subscriptions */
#define RESP_MAX 4096            /* response bytes read; more ends the transfer */
#define RETRY_MAX_MS 3600000.0   /* one hour */
#define CONNECT_MAX_MS 10000L

struct delivery {
    char id[40];                 /* "dlv_" + 32 hex, stable across retries */
    struct wh_sub *sub;
    char *body;
    size_t len;
    char sig[112];               /* "Notification-Signature: sha256=HEX" */
    int attempts;
    long long first_at;          /* Unix seconds */
    CURL *easy;                  /* while in flight */
    struct curl_slist *hdrs;
    struct event *retry_ev;
    size_t resp_len;
    const char *refused;         /* class of an address refused at connect */
    char last_error[200];
    struct delivery *prev, *next;
};

static struct {
    struct event_base *base;
    const struct srv_config *cfg;
    int started, hooked, loaded, loading;
    struct event *reload_ev;     /* retries a load that failed while Redis is up */
    struct wh_sub **subs;
    size_t nsubs, cap;
    struct delivery *dl;         /* every delivery not finished */
    size_t ndl;
    unsigned long long delivered, failed, dead, dropped;
} wh;

/* ---- matching ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int webhooks_match(const struct wh_sub *s, const struct wh_notice *n) {
    if (s == NULL || n == NULL || n->waybill == NULL) return 0;
    if (s->consignee) {
        if (n->account == NULL || n->account[0] == '\0' || strcmp(n->account, s->tenant) != 0)
            return 0;
    } else if (n->tenant == NULL || strcmp(n->tenant, s->tenant) != 0) {
        return 0;
    }
    if (s->nwaybills > 0) {
        const char *key = n->waybill;
        if (bsearch(&key, s->waybills, s->nwaybills, sizeof(char *), cmp_str) == NULL)
            return 0;
    }
    if (n->kind == WH_EVENT) {
        if (s->statuses != 0) {
            int st = n->status != NULL ? carrier_status_parse(n->status) : -1;
            if (st < 0 || st >= 32 || !(s->statuses & (1u << st))) return 0;
        }
        return 1;
    }
    if (n->kind == WH_ETA) {
        long long d;
        if (s->eta_change_min <= 0) return 0;
        d = (long long)n->eta_new - (long long)n->eta_old;
        if (d < 0) d = -d;
        return d >= (long long)s->eta_change_min * 60;
    }
    return 0;
}

void webhooks_sub_free_fields(struct wh_sub *s) {
    for (size_t i = 0; i < s->nwaybills; i++) free(s->waybills[i]);
    free(s->waybills);
    s->waybills = NULL;
    s->nwaybills = 0;
    free(s->filters);
    s->filters = NULL;
}

int webhooks_sub_filters(struct wh_sub *s, const char *filters) {
    json_t *f = json_loads(filters != NULL ? filters : "{}", 0, NULL), *v, *e;
    size_t i;
    int rc = -1;

    s->waybills = NULL;
    s->nwaybills = 0;
    s->statuses = 0;
    s->eta_change_min = 0;
    s->filters = NULL;
    if (!json_is_object(f)) goto done;
    v = json_object_get(f, "waybills");
    if (json_is_array(v) && json_array_size(v) > 0) {
        s->waybills = calloc(json_array_size(v), sizeof(char *));
        if (s->waybills == NULL) goto done;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e)) continue;
            if ((s->waybills[s->nwaybills] = strdup(json_string_value(e))) == NULL) goto done;
            s->nwaybills++;
        }
        qsort(s->waybills, s->nwaybills, sizeof(char *), cmp_str);
    }
    v = json_object_get(f, "statuses");
    json_array_foreach(v, i, e) {
        int st = json_is_string(e) ? carrier_status_parse(json_string_value(e)) : -1;
        if (st >= 0 && st < 32) s->statuses |= 1u << st;
    }
    v = json_object_get(f, "eta_change_min");
    if (json_is_integer(v) && json_integer_value(v) > 0)
        s->eta_change_min = (long)json_integer_value(v);
    if ((s->filters = strdup(filters != NULL ? filters : "{}")) == NULL) goto done;
    rc = 0;
done:
    json_decref(f);
    if (rc != 0) webhooks_sub_free_fields(s);
    return rc;
}

/* ---- signing ------------------------------------------------------------- */

int webhooks_sign(const char *secret, const char *body, size_t len, char out[65]) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    static const char hex[] = "0123456789abcdef";
    if (HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len,
             mac, &maclen) == NULL || maclen != 32)
        return -1;
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

/* ---- deliveries ---------------------------------------------------------- */

static void attempt(struct delivery *d);
static struct wh_sub *sub_find(const char *id);

static void dl_free(struct delivery *d) {
    if (d->prev != NULL) d->prev->next = d->next;
    else wh.dl = d->next;
    if (d->next != NULL) d->next->prev = d->prev;
    wh.ndl--;
    if (d->sub != NULL) d->sub->pending--;
    if (d->easy != NULL) {
        curl_loop_remove(d->easy);
        curl_easy_cleanup(d->easy);
    }
    curl_slist_free_all(d->hdrs);
    if (d->retry_ev != NULL) event_free(d->retry_ev);
    free(d->body);
    free(d);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    attempt(arg);
}

/* A new delivery of BODY (malloc'd; taken over) to S, its first attempt
 * at the loop's next turn.  Its id
 * goes to ID_OUT when not NULL.  0, or -1 (BODY freed, counted dropped). */
static int dl_new(struct wh_sub *s, char *body, char *id_out, size_t idlen) {
    struct delivery *d;
    char rid[33], mac[65];
    if (wh.ndl >= QUEUE_MAX || (d = calloc(1, sizeof(*d))) == NULL) {
        free(body);
        wh.dropped++;
        return -1;
    }
    d->body = body;
    d->len = strlen(body);
    d->sub = s;
    d->first_at = (long long)time(NULL);
    d->retry_ev = evtimer_new(wh.base, retry_cb, d);
    if (d->retry_ev == NULL || crypto_random_hex(16, rid, sizeof(rid)) != 0 ||
        webhooks_sign(s->secret, body, d->len, mac) != 0) {
        if (d->retry_ev != NULL) event_free(d->retry_ev);
        free(body);
        free(d);
        wh.dropped++;
        return -1;
    }
    snprintf(d->id, sizeof(d->id), "dlv_%s", rid);
    snprintf(d->sig, sizeof(d->sig), "Notification-Signature: sha256=%s", mac);
    d->next = wh.dl;
    if (wh.dl != NULL) wh.dl->prev = d;
    wh.dl = d;
    wh.ndl++;
    s->pending++;
    if (id_out != NULL) snprintf(id_out, idlen, "%s", d->id);
    {
        /* The first attempt too goes through the loop: the caller may be
         * webhooks_notify, called from the middle of anything. */
        struct timeval now = {0, 0};
        evtimer_add(d->retry_ev, &now);
    }
    return 0;
}

/* CURLOPT_WRITEFUNCTION: keep nothing, count; past RESP_MAX end the
 * transfer (the status line has arrived by then). */
static size_t on_write(char *p, size_t size, size_t n, void *arg) {
    struct delivery *d = arg;
    (void)p;
    if (size * n > RESP_MAX - d->resp_len) return 0;
    d->resp_len += size * n;
    return size * n;
}

/* CURLOPT_OPENSOCKETFUNCTION: refuse an address webhooks must not reach. */
static curl_socket_t on_opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *a) {
    struct delivery *d = arg;
    const char *cls;
    (void)purpose;
    cls = webhook_addr_class(&a->addr, a->addrlen);
    if (cls != NULL) {
        d->refused = cls;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static void transfer_done(CURL *easy, CURLcode rc, void *arg);

/* Backoff before attempt N+1 after N failures: equal jitter over
 * base * 2^(N-1), capped at an hour. */
static double retry_ms(int n) {
    double d = (double)wh.cfg->webhook_retry_base_ms;
    for (int i = 1; i < n && d < RETRY_MAX_MS; i++) d *= 2;
    if (d > RETRY_MAX_MS) d = RETRY_MAX_MS;
    return d / 2 + (d / 2) * ((double)arc4random() / 4294967296.0);
}

static void attempt_failed(struct delivery *d, const char *why);

static void attempt(struct delivery *d) {
    struct wh_sub *s = d->sub;
    struct curl_slist *h = NULL, *n;
    char sid[80], did[80];
    long tmo = wh.cfg->webhook_timeout_s * 1000;
    int ok;
    const char *lines[6];

    d->attempts++;
    d->resp_len = 0;
    d->refused = NULL;
    d->last_error[0] = '\0';
    snprintf(sid, sizeof(sid), "Subscription-ID: %s", s->id);
    snprintf(did, sizeof(did), "Delivery-ID: %s", d->id);
    lines[0] = "Content-Type: application/json";
    lines[1] = d->sig;
    lines[2] = sid;
    lines[3] = did;
    lines[4] = "Expect:";   /* no 100-continue round trip */
    lines[5] = NULL;
    for (int i = 0; lines[i] != NULL; i++) {
        if ((n = curl_slist_append(h, lines[i])) == NULL) {
            curl_slist_free_all(h);
            attempt_failed(d, "out of memory for the request");
            return;
        }
        h = n;
    }
    curl_slist_free_all(d->hdrs);
    d->hdrs = h;
    d->easy = curl_easy_init();
    if (d->easy == NULL) {
        attempt_failed(d, "out of memory for the request");
        return;
    }
    ok = curl_easy_setopt(d->easy, CURLOPT_URL, s->callback_url) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_PROXY, "") == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_POST, 1L) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_POSTFIELDS, d->body) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->len) ==
             CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, d->hdrs) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_USERAGENT, "dongting") == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_TIMEOUT_MS, tmo) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_CONNECTTIMEOUT_MS,
                          tmo < CONNECT_MAX_MS ? tmo : CONNECT_MAX_MS) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_WRITEFUNCTION, on_write) == CURLE_OK &&
         curl_easy_setopt(d->easy, CURLOPT_WRITEDATA, d) == CURLE_OK;
    if (ok && !wh.cfg->webhook_allow_loopback)
        ok = curl_easy_setopt(d->easy, CURLOPT_OPENSOCKETFUNCTION, on_opensocket) == CURLE_OK &&
             curl_easy_setopt(d->easy, CURLOPT_OPENSOCKETDATA, d) == CURLE_OK;
    if (!ok || curl_loop_add(d->easy, transfer_done, d) != 0) {
        curl_easy_cleanup(d->easy);
        d->easy = NULL;
        attempt_failed(d, ok ? "cannot start the transfer" : "libcurl refused an option");
    }
}

/* The delivery gave up: keep it as a dead letter and free it. */
static void dead_letter(struct delivery *d) {
    json_t *body = json_loadb(d->body, d->len, 0, NULL);
    json_t *o = json_pack("{s:s, s:i, s:s, s:I, s:I, s:o}", "delivery_id", d->id, "attempts",
                          d->attempts, "last_error", d->last_error, "first_attempt_at",
                          (json_int_t)d->first_at, "dead_at", (json_int_t)time(NULL), "body",
                          body != NULL ? body : json_string(d->body));
    char *txt = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (txt != NULL) store_sub_dead_add(d->sub->id, txt, strlen(txt));
    else wh.dropped++;
    free(txt);
    json_decref(o);
    wh.dead++;
    d->sub->dead++;
    store_sub_count(d->sub->id, 0, 0, 1);
    log_event("warn", "webhook_dead", "subscription %s: delivery %s dead after %d attempts "
              "(%s)", d->sub->id, d->id, d->attempts, d->last_error);
    dl_free(d);
}

static void attempt_failed(struct delivery *d, const char *why) {
    struct timeval tv;
    double ms;
    snprintf(d->last_error, sizeof(d->last_error), "%s", why);
    wh.failed++;
    d->sub->failed++;
    store_sub_count(d->sub->id, 0, 1, 0);
    if (d->attempts >= wh.cfg->webhook_max_attempts) {
        dead_letter(d);
        return;
    }
    ms = retry_ms(d->attempts);
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)((ms - (double)tv.tv_sec * 1000) * 1000);
    evtimer_add(d->retry_ev, &tv);
    log_event("info", "webhook_retry", "subscription %s: delivery %s attempt %d failed (%s); "
              "next in %.0f ms", d->sub->id, d->id, d->attempts, why, ms);
}

/* curl_loop's DONE: outside curl callbacks, the handle out of the multi. */
static void transfer_done(CURL *easy, CURLcode rc, void *arg) {
    struct delivery *d = arg;
    long code = 0;
    char why[200];

    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(easy);
    d->easy = NULL;
    /* A 2xx whose body ran over RESP_MAX was still delivered. */
    if (code >= 200 && code <= 299 && (rc == CURLE_OK || rc == CURLE_WRITE_ERROR)) {
        wh.delivered++;
        d->sub->delivered++;
        store_sub_count(d->sub->id, 1, 0, 0);
        dl_free(d);
        return;
    }
    if (d->refused != NULL)
        snprintf(why, sizeof(why), "refused to connect to a %s address", d->refused);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(why, sizeof(why), "timeout after %ld s", wh.cfg->webhook_timeout_s);
    else if (rc != CURLE_OK && code == 0)
        snprintf(why, sizeof(why), "%s", curl_easy_strerror(rc));
    else
        snprintf(why, sizeof(why), "HTTP %ld", code);
    attempt_failed(d, why);
}

/* ---- batches ------------------------------------------------------------- */

static void flush(struct wh_sub *s) {
    char *body;
    if (s->batch == NULL || json_array_size(s->batch) == 0) return;
    body = json_dumps(s->batch, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_array_clear(s->batch);
    if (body == NULL) {
        wh.dropped++;
        return;
    }
    dl_new(s, body, NULL, 0);
}

static void flush_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    flush(arg);
}

static json_t *item(const char *id, const char *type, const char *waybill, json_t *data) {
    return json_pack("{s:s, s:s, s:s?, s:O?}", "id", id, "type", type, "waybill", waybill,
                     "data", data);
}

int webhooks_subscribed(void) { return wh.started && wh.nsubs > 0; }

void webhooks_notify(const struct wh_notice *n) {
    if (!wh.started || n == NULL || n->id == NULL) return;
    for (size_t i = 0; i < wh.nsubs; i++) {
        struct wh_sub *s = wh.subs[i];
        json_t *it;
        if (!webhooks_match(s, n)) continue;
        it = item(n->id, n->kind == WH_EVENT ? "waybill.event" : "waybill.eta_changed",
                  n->waybill, n->data);
        if (it == NULL || json_array_append_new(s->batch, it) != 0) {
            wh.dropped++;
            continue;
        }
        if (json_array_size(s->batch) >= BATCH_MAX) {
            /* at once, so a burst (an ETA fan-out) makes batches of 100 */
            evtimer_del(s->flush_ev);
            flush(s);
        } else if (json_array_size(s->batch) == 1) {
            struct timeval tv = {0, BATCH_MS * 1000};
            evtimer_add(s->flush_ev, &tv);
        }
    }
}

int webhooks_test(const char *id, char *delivery_id, size_t len) {
    struct wh_sub *s = sub_find(id);
    json_t *arr, *data;
    char nid[48], hex[33], *body;
    if (s == NULL || !wh.started) return -1;
    if (crypto_random_hex(16, hex, sizeof(hex)) != 0) return -1;
    snprintf(nid, sizeof(nid), "test:%s", hex);
    data = json_pack("{s:s, s:s}", "message", "a test delivery from dongting",
                     "subscription_id", s->id);
    arr = json_array();
    if (data == NULL || arr == NULL || json_array_append_new(arr, item(nid, "test", NULL, data))) {
        json_decref(data);
        json_decref(arr);
        return -1;
    }
    json_decref(data);
    body = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    if (body == NULL) return -1;
    return dl_new(s, body, delivery_id, len);
}

/* ---- subscriptions ------------------------------------------------------- */

static void sub_free(struct wh_sub *s) {
    if (s == NULL) return;
    if (s->flush_ev != NULL) event_free(s->flush_ev);
    json_decref(s->batch);
    webhooks_sub_free_fields(s);
    free(s->callback_url);
    memset(s->secret, 0, sizeof(s->secret));
    free(s);
}

static struct wh_sub *sub_find(const char *id) {
    for (size_t i = 0; id != NULL && i < wh.nsubs; i++)
        if (strcmp(wh.subs[i]->id, id) == 0) return wh.subs[i];
    return NULL;
}

const struct wh_sub *webhooks_sub_find(const char *id) { return sub_find(id); }

const struct wh_sub *webhooks_sub_at(size_t i) { return i < wh.nsubs ? wh.subs[i] : NULL; }

int webhooks_loaded(void) { return wh.loaded; }

int webhooks_sub_add(const struct store_sub *ss) {
    struct wh_sub *s;
    if (!wh.started) return -1;
    if (webhooks_sub_find(ss->id) != NULL) return 0;
    if (wh.nsubs == wh.cap) {
        size_t cap = wh.cap ? wh.cap * 2 : 16;
        struct wh_sub **ns = realloc(wh.subs, cap * sizeof(*ns));
        if (ns == NULL) return -1;
        wh.subs = ns;
        wh.cap = cap;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) return -1;
    snprintf(s->id, sizeof(s->id), "%s", ss->id);
    snprintf(s->tenant, sizeof(s->tenant), "%s", ss->tenant);
    snprintf(s->secret, sizeof(s->secret), "%s", ss->secret);
    s->consignee = strcmp(ss->role, "consignee") == 0;
    s->created = ss->created;
    s->delivered = ss->delivered;
    s->failed = ss->failed;
    s->dead = ss->dead;
    s->callback_url = strdup(ss->callback_url);
    s->batch = json_array();
    s->flush_ev = evtimer_new(wh.base, flush_cb, s);
    if (s->callback_url == NULL || s->batch == NULL || s->flush_ev == NULL ||
        webhooks_sub_filters(s, ss->filters) != 0) {
        sub_free(s);
        return -1;
    }
    wh.subs[wh.nsubs++] = s;
    return 0;
}

void webhooks_sub_remove(const char *id) {
    for (size_t i = 0; i < wh.nsubs; i++) {
        struct wh_sub *s = wh.subs[i];
        struct delivery *d, *next;
        if (strcmp(s->id, id) != 0) continue;
        for (d = wh.dl; d != NULL; d = next) {
            next = d->next;
            if (d->sub == s) dl_free(d);
        }
        sub_free(s);
        wh.subs[i] = wh.subs[--wh.nsubs];
        return;
    }
}

static void loaded(int status, const struct store_sub *subs, size_t n, void *arg) {
    size_t added = 0;
    (void)arg;
    wh.loading = 0;
    if (!wh.started) return;
    if (status != STORE_OK) {
        /* Down: the next ready hook tries again; an error: a timer does. */
        struct timeval tv = {1, 0};
        log_event("warn", "webhooks_load", "cannot load subscriptions: %s",
                  store_error_text(status));
        if (status != STORE_DOWN && wh.reload_ev != NULL) evtimer_add(wh.reload_ev, &tv);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t before = wh.nsubs;
        if (webhooks_sub_add(&subs[i]) != 0)
            log_event("warn", "webhooks_load", "subscription %s not loaded", subs[i].id);
        added += wh.nsubs - before;
    }
    wh.loaded = 1;
    log_event("info", "webhooks_loaded", "%zu subscription(s) in Redis, %zu new in memory",
              n, added);
}

static void on_store_ready(void) {
    if (!wh.started || wh.loading) return;
    wh.loading = 1;
    store_subs_load(loaded, NULL);
}

static void reload_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    if (store_ready()) on_store_ready();
}

/* ---- start, stop, stats -------------------------------------------------- */

int webhooks_start(struct event_base *base, const struct srv_config *cfg) {
    if (wh.started || base == NULL || cfg == NULL) return -1;
    if (curl_loop_start(base) != 0) return -1;
    wh.base = base;
    wh.cfg = cfg;
    if ((wh.reload_ev = evtimer_new(base, reload_cb, NULL)) == NULL) {
        curl_loop_stop();
        return -1;
    }
    wh.started = 1;
    /* store_on_ready has no way to unhook: hook once per process. */
    if (!wh.hooked) {
        if (store_on_ready(on_store_ready) != 0) {
            log_event("error", "webhooks_start", "no room for a store ready hook");
            wh.started = 0;
            event_free(wh.reload_ev);
            wh.reload_ev = NULL;
            curl_loop_stop();
            return -1;
        }
        wh.hooked = 1;
    }
    if (store_ready()) on_store_ready();
    return 0;
}

void webhooks_stop(void) {
    int hooked = wh.hooked;
    if (!wh.started) return;
    while (wh.dl != NULL) dl_free(wh.dl);
    for (size_t i = 0; i < wh.nsubs; i++) sub_free(wh.subs[i]);
    free(wh.subs);
    event_free(wh.reload_ev);
    memset(&wh, 0, sizeof(wh));
    wh.hooked = hooked;
    curl_loop_stop();
}

void webhooks_stats(struct wh_stats *out) {
    out->delivered = wh.delivered;
    out->failed = wh.failed;
    out->dead = wh.dead;
    out->dropped = wh.dropped;
    out->queued = wh.ndl;
    out->subs = wh.nsubs;
}
