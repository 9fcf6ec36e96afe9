/* feed_pull.c -- carrier feeds pulled over HTTP(S) with libcurl's multi
 * interface on the libevent loop (docs/feed-pull.md).
 *
 * The multi handle and its sockets and timer are curl_loop.c's, shared with
 * webhook deliveries.  A finished transfer reaches transfer_done through
 * curl_loop's DONE, which runs outside every curl callback: that is where
 * a handle is re-added for the next page, and where the feed's body
 * callback runs.  Nothing here blocks. */
#include "feed_pull.h"
#include "curl_loop.h"
#include "log.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MIN_S 1.0
#define BACKOFF_MAX_S 300.0
#define CONNECT_MAX_S 10.0
#define MAX_REDIRS 3L
#define DEFAULT_MAX_PAGES 1000u
#define CURSOR_MAX 2048
#define FIRST_BUF 16384

struct pull_feed {
    int id;
    char *name, *url, *auth;
    double interval_s, timeout_s;
    size_t max_bytes;
    int paginate;
    unsigned max_pages;
    feed_pull_body_cb *cb;
    void *arg;

    struct event *timer;     /* the next cycle */
    double next_at;          /* monotonic seconds of the next cycle */
    CURL *easy;              /* reused for every request of the feed */
    int in_flight;
    struct curl_slist *hdrs;
    char errbuf[CURL_ERROR_SIZE];

    char *buf;               /* this response's decoded body, <= max_bytes */
    size_t len, cap;
    int over_cap, no_mem;

    unsigned page;           /* 0: the cycle's first page */
    char *prev_cursor;
    /* Validators of the first page: in use, and those of this cycle's first
     * page, kept aside until every page of the cycle has arrived (else a
     * failure on page 2 followed by a 304 would skip pages 2.. for good). */
    char *etag, *last_mod, *new_etag, *new_last_mod;
    int have_new;

    struct feed_pull_stats stats;
};

static struct {
    struct event_base *base;
    int started;
    struct pull_feed **feeds;
    int nfeeds, cap;
    int dispatching, stop_pending;
} st;

static void cycle_error(struct pull_feed *f, const char *msg);
static void transfer_cb(CURL *easy, CURLcode rc, void *arg);

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Uniform in [0, 1). */
static double rand01(void) { return (double)arc4random() / 4294967296.0; }

static struct timeval s_tv(double s) {
    struct timeval tv;
    if (s < 0) s = 0;
    tv.tv_sec = (time_t)s;
    tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
    return tv;
}

static char *dup_or_null(const char *s) {
    return s != NULL ? strdup(s) : NULL;
}

static void replace(char **slot, char *v) {
    free(*slot);
    *slot = v;
}

/* ---- one request --------------------------------------------------------- */

/* CURLOPT_WRITEFUNCTION: append to the feed's buffer; refuse (ending the
 * transfer with CURLE_WRITE_ERROR) past max_bytes of decoded body. */
static size_t on_write(char *p, size_t size, size_t n, void *arg) {
    struct pull_feed *f = arg;
    size_t add = size * n;
    if (add > f->max_bytes - f->len) {
        f->over_cap = 1;
        return 0;
    }
    if (f->len + add > f->cap) {
        size_t cap = f->cap ? f->cap : FIRST_BUF;
        char *nb;
        while (cap < f->len + add) cap *= 2;
        if (cap > f->max_bytes) cap = f->max_bytes;
        nb = realloc(f->buf, cap);
        if (nb == NULL) {
            f->no_mem = 1;
            return 0;
        }
        f->buf = nb;
        f->cap = cap;
    }
    memcpy(f->buf + f->len, p, add);
    f->len += add;
    return add;
}

static int add_header(struct curl_slist **l, const char *name, const char *value) {
    char line[1024];
    struct curl_slist *n;
    if ((size_t)snprintf(line, sizeof(line), "%s: %s", name, value) >= sizeof(line))
        return 0;   /* a validator this long is skipped: the pull is unconditional */
    n = curl_slist_append(*l, line);
    if (n == NULL) return -1;
    *l = n;
    return 0;
}

/* Send a GET of URL for the feed's current page.  0, or -1 with a reason
 * in ERR. */
static int start_request(struct pull_feed *f, const char *url, char *err, size_t errlen) {
    struct curl_slist *h = NULL;
    int rc = 0;
    if (f->auth != NULL) {
        struct curl_slist *n = curl_slist_append(h, f->auth);
        rc = n == NULL ? -1 : 0;
        if (n != NULL) h = n;
    }
    /* A paginated feed gets no conditional GET: its first page can stay the
     * same while new events arrive on later ones, and a 304 would end the
     * cycle before reaching them. */
    if (rc == 0 && f->page == 0 && !f->paginate && f->etag != NULL)
        rc = add_header(&h, "If-None-Match", f->etag);
    if (rc == 0 && f->page == 0 && !f->paginate && f->last_mod != NULL)
        rc = add_header(&h, "If-Modified-Since", f->last_mod);
    if (rc != 0) {
        curl_slist_free_all(h);
        snprintf(err, errlen, "out of memory for the request headers");
        return -1;
    }
    curl_slist_free_all(f->hdrs);
    f->hdrs = h;
    f->len = 0;
    f->over_cap = f->no_mem = 0;
    f->errbuf[0] = '\0';
    if (curl_easy_setopt(f->easy, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->hdrs) != CURLE_OK) {
        snprintf(err, errlen, "out of memory for the request");
        return -1;
    }
    if (curl_loop_add(f->easy, transfer_cb, f) != 0) {
        snprintf(err, errlen, "cannot start the transfer (curl_loop_add)");
        return -1;
    }
    f->in_flight = 1;
    return 0;
}

/* URL without any cursor= in its query (nor a fragment), with
 * cursor=CURSOR (percent-encoded) appended.  malloc'd, or NULL. */
static char *cursor_url(CURL *e, const char *url, const char *cursor) {
    char *enc = curl_easy_escape(e, cursor, 0), *out;
    const char *hash = strchr(url, '#');
    size_t end = hash ? (size_t)(hash - url) : strlen(url), n, base;
    const char *q = memchr(url, '?', end);
    char sep = '?';

    if (enc == NULL) return NULL;
    out = malloc(end + strlen(enc) + 9);
    if (out == NULL) {
        curl_free(enc);
        return NULL;
    }
    base = q ? (size_t)(q - url) : end;
    memcpy(out, url, base);
    n = base;
    if (q != NULL) {
        const char *p = q + 1, *stop = url + end;
        while (p < stop) {
            const char *amp = memchr(p, '&', (size_t)(stop - p));
            size_t plen = amp ? (size_t)(amp - p) : (size_t)(stop - p);
            int is_cursor = (plen >= 7 && memcmp(p, "cursor=", 7) == 0) ||
                            (plen == 6 && memcmp(p, "cursor", 6) == 0);
            if (plen > 0 && !is_cursor) {
                out[n++] = sep;
                sep = '&';
                memcpy(out + n, p, plen);
                n += plen;
            }
            p += plen + 1;
        }
    }
    n += (size_t)snprintf(out + n, strlen(enc) + 9, "%ccursor=%s", sep, enc);
    curl_free(enc);
    return out;
}

/* A header of the last response (after redirects), copied; NULL if absent. */
static char *header_dup(CURL *e, const char *name) {
    struct curl_header *h;
    if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK) return NULL;
    return strdup(h->value);
}

/* ---- cycles -------------------------------------------------------------- */

static void schedule(struct pull_feed *f, double delay_s) {
    struct timeval tv = s_tv(delay_s);
    f->next_at = mono_now() + delay_s;
    evtimer_add(f->timer, &tv);
}

/* Equal jitter: half the capped exponential delay is fixed, the other half
 * random, so the wait after N errors in a row lies in [d/2, d), where
 * d = min(max(interval, 1 s) * 2^(N-1), 300 s). */
static double backoff_s(double interval_s, unsigned n) {
    double d = interval_s > BACKOFF_MIN_S ? interval_s : BACKOFF_MIN_S;
    for (unsigned i = 1; i < n && d < BACKOFF_MAX_S; i++) d *= 2;
    if (d > BACKOFF_MAX_S) d = BACKOFF_MAX_S;
    return d * (0.5 + 0.5 * rand01());
}

static void cycle_end(struct pull_feed *f) {
    free(f->buf);
    f->buf = NULL;
    f->len = f->cap = 0;
    replace(&f->prev_cursor, NULL);
    replace(&f->new_etag, NULL);
    replace(&f->new_last_mod, NULL);
    f->have_new = 0;
}

static void cycle_ok(struct pull_feed *f, int not_modified) {
    if (not_modified) {
        /* A 304 may refresh a validator; one it leaves out is kept. */
        if (f->new_etag != NULL) {
            replace(&f->etag, f->new_etag);
            f->new_etag = NULL;
        }
        if (f->new_last_mod != NULL) {
            replace(&f->last_mod, f->new_last_mod);
            f->new_last_mod = NULL;
        }
    } else if (f->have_new) {
        replace(&f->etag, f->new_etag);
        replace(&f->last_mod, f->new_last_mod);
        f->new_etag = f->new_last_mod = NULL;
    }
    cycle_end(f);
    f->stats.pulls++;
    if (not_modified) f->stats.not_modified++;
    f->stats.last_success = (long long)time(NULL);
    if (f->stats.consecutive_errors > 0)
        log_event("info", "feed_pull_recovered", "feed %s: pulled again after %u "
                  "failed cycle(s) (last: %s)", f->name, f->stats.consecutive_errors,
                  f->stats.last_error);
    f->stats.consecutive_errors = 0;
    f->stats.last_error[0] = '\0';
    schedule(f, f->interval_s);
}

static void cycle_error(struct pull_feed *f, const char *msg) {
    double d;
    cycle_end(f);
    f->stats.errors++;
    f->stats.consecutive_errors++;
    f->stats.last_error_at = (long long)time(NULL);
    snprintf(f->stats.last_error, sizeof(f->stats.last_error), "%s", msg);
    d = backoff_s(f->interval_s, f->stats.consecutive_errors);
    schedule(f, d);
    log_event("warn", "feed_pull_error", "feed %s: %s (failure %u in a row; next "
              "attempt in %.1f s)", f->name, f->stats.last_error,
              f->stats.consecutive_errors, d);
}

static void cycle_start(struct pull_feed *f) {
    char err[200];
    if (f->in_flight || !st.started) return;
    evtimer_del(f->timer);
    cycle_end(f);
    f->page = 0;
    f->stats.last_attempt = (long long)time(NULL);
    if (start_request(f, f->url, err, sizeof(err)) != 0) cycle_error(f, err);
}

static void feed_timer_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    cycle_start(arg);
}

/* The reason a request failed, naming the page past the first. */
static void describe_error(struct pull_feed *f, CURLcode rc, long code, char *out, size_t len) {
    int n;
    switch (rc) {
    case CURLE_HTTP_RETURNED_ERROR:
        n = snprintf(out, len, "HTTP %ld", code);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        /* curl's text says which phase: "Resolving timed out after",
         * "Connection timed out after", "Operation timed out after". */
        if (strncmp(f->errbuf, "Connection timed out", 20) == 0 ||
            strncmp(f->errbuf, "Resolving timed out", 19) == 0)
            n = snprintf(out, len, "connect timeout after %g s",
                         f->timeout_s < CONNECT_MAX_S ? f->timeout_s : CONNECT_MAX_S);
        else
            n = snprintf(out, len, "timeout after %g s", f->timeout_s);
        break;
    case CURLE_FILESIZE_EXCEEDED:
        n = snprintf(out, len, "response over %zu bytes", f->max_bytes);
        break;
    case CURLE_WRITE_ERROR:
        if (f->over_cap || f->no_mem) {
            n = f->over_cap ? snprintf(out, len, "response over %zu bytes", f->max_bytes)
                            : snprintf(out, len, "out of memory for the response");
            break;
        }
        /* fall through */
    default:
        n = snprintf(out, len, "%s", f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
        break;
    }
    if (f->page > 0 && n >= 0 && (size_t)n < len)
        snprintf(out + n, len - (size_t)n, " (page %u)", f->page + 1);
}

/* A 200 page: deliver it, then chain to the next page or end the cycle. */
static void page_done(struct pull_feed *f) {
    char *cursor = NULL, *ct = NULL, err[200];
    char *next;

    if (f->page == 0) {
        replace(&f->new_etag, header_dup(f->easy, "ETag"));
        replace(&f->new_last_mod, header_dup(f->easy, "Last-Modified"));
        f->have_new = 1;
    }
    if (f->paginate) {
        cursor = header_dup(f->easy, "Next-Page-Cursor");
        if (cursor != NULL && cursor[0] == '\0') replace(&cursor, NULL);
    }
    if (curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK) ct = NULL;
    f->stats.pages++;
    f->stats.bytes += f->len;
    f->cb(f->name, f->buf != NULL ? f->buf : "", f->len, (long long)time(NULL), ct, f->arg);
    if (st.stop_pending) {
        free(cursor);
        return;
    }
    if (cursor == NULL) {
        cycle_ok(f, 0);
        return;
    }
    if (strlen(cursor) > CURSOR_MAX)
        snprintf(err, sizeof(err), "Next-Page-Cursor over %d bytes", CURSOR_MAX);
    else if (f->page + 1 >= f->max_pages)
        snprintf(err, sizeof(err), "more than %u pages in one cycle", f->max_pages);
    else if (f->prev_cursor != NULL && strcmp(f->prev_cursor, cursor) == 0)
        snprintf(err, sizeof(err), "page %u repeats the previous Next-Page-Cursor",
                 f->page + 1);
    else if ((next = cursor_url(f->easy, f->url, cursor)) == NULL)
        snprintf(err, sizeof(err), "out of memory for the next page's URL");
    else {
        int rc;
        replace(&f->prev_cursor, cursor);
        cursor = NULL;
        f->page++;
        rc = start_request(f, next, err, sizeof(err));
        free(next);
        if (rc == 0) return;
    }
    free(cursor);
    cycle_error(f, err);
}

/* The transfer of F ended with RC (curl_loop took the handle out of the
 * multi already): move the cycle on.  Runs outside curl callbacks. */
static void transfer_done(struct pull_feed *f, CURLcode rc) {
    long code = 0;
    char err[200];
    curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &code);
    f->in_flight = 0;
    if (rc != CURLE_OK) {
        describe_error(f, rc, code, err, sizeof(err));
        cycle_error(f, err);
    } else if (code == 304 && f->page == 0) {
        replace(&f->new_etag, header_dup(f->easy, "ETag"));
        replace(&f->new_last_mod, header_dup(f->easy, "Last-Modified"));
        cycle_ok(f, 1);
    } else if (code != 200) {
        /* 204, 206, a 3xx curl did not follow, a 304 nobody asked for */
        snprintf(err, sizeof(err), "HTTP %ld (expected 200%s)", code,
                 f->page == 0 ? " or 304" : "");
        if (f->page > 0) {
            size_t n = strlen(err);
            snprintf(err + n, sizeof(err) - n, " (page %u)", f->page + 1);
        }
        cycle_error(f, err);
    } else {
        page_done(f);
    }
}

static void do_stop(void);

/* curl_loop's DONE for a feed's handle.  A stop asked for from the feed's
 * body callback (feed_pull_stop) waits until transfer_done returns, since
 * that still holds the feed. */
static void transfer_cb(CURL *easy, CURLcode rc, void *arg) {
    (void)easy;
    st.dispatching = 1;
    transfer_done(arg, rc);
    st.dispatching = 0;
    if (st.stop_pending) do_stop();
}

/* ---- API ----------------------------------------------------------------- */

int feed_pull_start(struct event_base *base) {
    if (st.started || base == NULL) return -1;
    if (curl_loop_start(base) != 0) {
        log_event("error", "feed_pull_start", "cannot start the curl loop");
        return -1;
    }
    memset(&st, 0, sizeof(st));
    st.base = base;
    st.started = 1;
    return 0;
}

static void feed_free(struct pull_feed *f) {
    if (f == NULL) return;
    if (f->easy != NULL) {
        if (f->in_flight) curl_loop_remove(f->easy);
        curl_easy_cleanup(f->easy);
    }
    if (f->timer != NULL) event_free(f->timer);
    curl_slist_free_all(f->hdrs);
    cycle_end(f);
    free(f->name);
    free(f->url);
    free(f->auth);
    free(f->etag);
    free(f->last_mod);
    free(f);
}

/* The spec's first problem, or NULL. */
static const char *spec_problem(const struct feed_pull_spec *s, feed_pull_body_cb *cb) {
    if (s->name == NULL || s->name[0] == '\0') return "name is empty";
    if (s->url == NULL || s->url[0] == '\0') return "url is empty";
    if (!(s->interval_s > 0) || !isfinite(s->interval_s)) return "interval_s must be > 0";
    if (!(s->timeout_s > 0) || !isfinite(s->timeout_s)) return "timeout_s must be > 0";
    if (s->max_bytes == 0) return "max_bytes must be > 0";
    if (cb == NULL) return "no body callback";
    if (s->auth_header != NULL &&
        (strpbrk(s->auth_header, "\r\n") != NULL || strchr(s->auth_header, ':') == NULL))
        return "auth_header must be one \"Name: value\" line";
    return NULL;
}

int feed_pull_add(const struct feed_pull_spec *spec, feed_pull_body_cb *cb, void *arg) {
    struct pull_feed *f;
    const char *why;
    long tmo_ms, conn_ms;
    int ok;

    if (!st.started || spec == NULL) return -1;
    if ((why = spec_problem(spec, cb)) != NULL) {
        log_event("error", "feed_pull_add", "feed %s: %s",
                  spec->name ? spec->name : "(unnamed)", why);
        return -1;
    }
    if (st.nfeeds == st.cap) {
        int cap = st.cap ? st.cap * 2 : 8;
        struct pull_feed **nf = realloc(st.feeds, (size_t)cap * sizeof(*nf));
        if (nf == NULL) return -1;
        st.feeds = nf;
        st.cap = cap;
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL) return -1;
    f->id = st.nfeeds;
    f->name = strdup(spec->name);
    f->url = strdup(spec->url);
    f->auth = dup_or_null(spec->auth_header);
    f->interval_s = spec->interval_s;
    f->timeout_s = spec->timeout_s;
    f->max_bytes = spec->max_bytes;
    f->paginate = spec->paginate != 0;
    f->max_pages = spec->max_pages ? spec->max_pages : DEFAULT_MAX_PAGES;
    f->cb = cb;
    f->arg = arg;
    f->timer = evtimer_new(st.base, feed_timer_cb, f);
    f->easy = curl_easy_init();
    if (!f->name || !f->url || (spec->auth_header && !f->auth) || !f->timer || !f->easy) {
        feed_free(f);
        return -1;
    }
    tmo_ms = (long)(f->timeout_s * 1000 + 0.5);
    if (tmo_ms < 1) tmo_ms = 1;
    conn_ms = tmo_ms < (long)(CONNECT_MAX_S * 1000) ? tmo_ms : (long)(CONNECT_MAX_S * 1000);
    ok = curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_MAXREDIRS, MAX_REDIRS) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, tmo_ms) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT_MS, conn_ms) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_USERAGENT, "dongting/1") == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_FAILONERROR, 1L) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_MAXFILESIZE_LARGE,
                          (curl_off_t)f->max_bytes) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_write) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f) == CURLE_OK &&
         curl_easy_setopt(f->easy, CURLOPT_ERRORBUFFER, f->errbuf) == CURLE_OK;
    if (!ok) {
        log_event("error", "feed_pull_add", "feed %s: libcurl refused an option", f->name);
        feed_free(f);
        return -1;
    }
    st.feeds[st.nfeeds++] = f;
    schedule(f, rand01());
    return f->id;
}

static struct pull_feed *feed_get(int id) {
    return (st.started && id >= 0 && id < st.nfeeds) ? st.feeds[id] : NULL;
}

int feed_pull_now(int id) {
    struct pull_feed *f = feed_get(id);
    if (f == NULL) return -1;
    if (!f->in_flight) {
        /* Through the loop: a call from a body callback must not start a
         * transfer while the info_read pass is running. */
        evtimer_del(f->timer);
        schedule(f, 0);
    }
    return 0;
}

int feed_pull_forget(int id) {
    struct pull_feed *f = feed_get(id);
    if (f == NULL) return -1;
    replace(&f->etag, NULL);
    replace(&f->last_mod, NULL);
    replace(&f->new_etag, NULL);
    replace(&f->new_last_mod, NULL);
    return 0;
}

int feed_pull_stats(int id, struct feed_pull_stats *out) {
    struct pull_feed *f = feed_get(id);
    if (f == NULL || out == NULL) return -1;
    *out = f->stats;
    out->next_in_s = 0;
    if (!f->in_flight) {
        double left = f->next_at - mono_now();
        out->next_in_s = left > 0 ? left : 0;
    }
    return 0;
}

static void do_stop(void) {
    for (int i = 0; i < st.nfeeds; i++) feed_free(st.feeds[i]);
    free(st.feeds);
    memset(&st, 0, sizeof(st));
    curl_loop_stop();
}

void feed_pull_stop(void) {
    if (!st.started) return;
    if (st.dispatching) {
        st.stop_pending = 1;
        return;
    }
    do_stop();
}
