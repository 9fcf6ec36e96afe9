/* feed_pull.h -- pulling carrier feeds over HTTP(S) with libcurl's multi
 * interface, driven by the libevent loop (docs/feed-pull.md).
 *
 * Each feed is pulled every interval_s with conditional GETs (ETag,
 * Last-Modified), optional DCSA cursor pagination, a size cap and a timeout;
 * failures back off exponentially with jitter.  Bodies go to a callback on
 * the loop; this module does not parse or store them.  Single-threaded: call
 * everything from the loop's thread. */
#ifndef DT_FEED_PULL_H
#define DT_FEED_PULL_H

#include <stddef.h>

struct event_base;

struct feed_pull_spec {
    const char *name;          /* feed name, for logs and stats */
    const char *url;           /* http(s)://... */
    const char *auth_header;   /* full header line "Authorization: Bearer x" or NULL */
    double interval_s;         /* time between successful pulls (from the end of one
                                  cycle to the start of the next) */
    double timeout_s;          /* whole-transfer timeout per request; connect
                                  timeout min(timeout, 10 s) */
    size_t max_bytes;          /* response size cap on decoded bytes, per page */
    int paginate;              /* 1: follow Next-Page-Cursor (?cursor=VALUE) */
    unsigned max_pages;        /* pages per cycle when paginating; 0 = 1000 */
};

/* Called on the loop for each 200 response body (BODY valid only during the
 * call; LEN bytes; not NUL-terminated), with the time it was received (Unix
 * seconds) and the Content-Type (may be NULL). */
typedef void feed_pull_body_cb(const char *name, const char *body, size_t len,
                               long long received, const char *content_type, void *arg);

/* A pull cycle is one first-page request and, when paginating, the pages it
 * chains to.  Counters count cycles unless they say otherwise. */
struct feed_pull_stats {
    long long last_attempt, last_success, last_error_at; /* Unix seconds, 0 = never */
    char last_error[200];      /* "" when the last cycle succeeded; else e.g. "HTTP 503",
                                  "timeout after 10 s", "response over 8388608 bytes",
                                  curl's error text; " (page N)" is added past page 1 */
    unsigned long pulls;       /* successful cycles (200 or 304) */
    unsigned long not_modified;/* of which the first page answered 304 */
    unsigned long errors;      /* failed cycles */
    unsigned long pages;       /* 200 bodies delivered to the callback */
    unsigned long bytes;       /* their decoded bytes */
    unsigned consecutive_errors;
    double next_in_s;          /* seconds until the next attempt; 0 while one runs */
};

/* Join the shared curl multi handle on BASE (curl_loop_start: the first
 * user calls curl_global_init, which is not thread-safe: call before any
 * thread starts; Dongting has none of its own).  0, or -1 (already
 * started, or curl failed; logged). */
int feed_pull_start(struct event_base *base);

/* Add a feed.  SPEC and its strings are copied.  NAME and URL must be set,
 * interval_s and timeout_s > 0, max_bytes > 0; the URL itself is checked by
 * curl at the first attempt (a bad one is an error in the stats, with
 * backoff).  CB (not NULL) gets each body with ARG.  The first pull starts
 * after a random 0-1 s.  Returns the feed's id (>= 0) or -1. */
int feed_pull_add(const struct feed_pull_spec *spec, feed_pull_body_cb *cb, void *arg);

/* Start a cycle of feed ID now unless one is running (an operator's "pull
 * now"; the tests use it to skip waits).  0, or -1 for an unknown id. */
int feed_pull_now(int id);

/* Forget feed ID's ETag and Last-Modified, so that its next cycle fetches
 * everything again instead of hearing "not modified" (for a body the
 * caller could not keep, e.g. Redis was down).  0, or -1 for an unknown
 * id. */
int feed_pull_forget(int id);

/* Copy feed ID's counters into OUT.  0, or -1 for an unknown id. */
int feed_pull_stats(int id, struct feed_pull_stats *out);

/* Abort transfers and free everything, and leave the shared multi handle
 * (curl_loop_stop: the last user frees it and cleans curl up).  Safe
 * if never started, and twice.  Called from a body callback, it takes effect
 * when that callback returns (no further bodies are delivered). */
void feed_pull_stop(void);

#endif
