/* metrics.c -- in-process counters, rendered in the Prometheus text format
 * (version 0.0.4).  Label values come only from the route table and a fixed
 * list of methods, so a client cannot grow the series without bound. */
#include "metrics.h"
#include "customs.h"
#include "feeds.h"
#include "sse.h"
#include "waybills.h"
#include "webhooks.h"
#include "http.h"
#include "routes.h"
#include "store.h"
#include "version.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIES 512
#define N_BUCKETS 14
#define MAX_ROUTES 128

static const double bucket_le[N_BUCKETS - 1] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH",
                                      "DELETE", "OPTIONS", "OTHER"};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

struct series {                 /* one requests_total{route,method,status} */
    int route;                  /* index in route table, -1 = unmatched */
    int method;                 /* index in methods[] */
    int status;
    unsigned long long count;
};

struct histogram {
    unsigned long long bucket[N_BUCKETS];  /* last = +Inf */
    unsigned long long count;
    double sum;
};

static struct series series[MAX_SERIES];
static int n_series;
static unsigned long long series_overflow;
/* [(route + 1) * N_METHODS + method]; route -1 = unmatched */
static struct histogram hist[(MAX_ROUTES + 1) * N_METHODS];
static unsigned long long redis_errors, redis_reconnects, conn_rejected,
    rate_limited, cache_hits, cache_misses, cache_invalidated;

static int method_index(const char *m) {
    for (size_t i = 0; i + 1 < N_METHODS; i++)
        if (strcmp(methods[i], m) == 0) return (int)i;
    return (int)N_METHODS - 1;
}

static int route_index(const struct srv_route *route) {
    size_t n;
    const struct srv_route *t = route_table(&n);
    if (route == NULL || route < t || route >= t + n || n > MAX_ROUTES) return -1;
    return (int)(route - t);
}

void metrics_request(const struct srv_route *route, const char *method,
                     int status, uint64_t duration_us) {
    int ri = route_index(route), mi = method_index(method), i;
    double secs = (double)duration_us / 1e6;
    struct histogram *h;

    h = &hist[(ri + 1) * (int)N_METHODS + mi];
    for (i = 0; i < n_series; i++) {
        if (series[i].route == ri && series[i].method == mi &&
            series[i].status == status)
            break;
    }
    if (i == n_series) {
        if (n_series == MAX_SERIES) {
            series_overflow++;
            i = -1;
        } else {
            series[n_series++] = (struct series){ri, mi, status, 0};
        }
    }
    if (i >= 0) series[i].count++;

    for (i = 0; i < N_BUCKETS - 1 && secs > bucket_le[i]; i++)
        ;
    h->bucket[i]++;
    h->count++;
    h->sum += secs;
}

void metrics_redis_error(void) { redis_errors++; }
void metrics_redis_reconnect(void) { redis_reconnects++; }
void metrics_conn_rejected(void) { conn_rejected++; }
void metrics_rate_limited(void) { rate_limited++; }

void metrics_route_cache(unsigned hits, unsigned misses, size_t invalidated) {
    cache_hits += hits;
    cache_misses += misses;
    cache_invalidated += invalidated;
}

/* A growable output buffer with a hard cap. */
struct out {
    char *buf;
    size_t len, cap;
    int failed;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...) {
    va_list ap;
    int w;
    if (o->failed) return;
    for (;;) {
        va_start(ap, fmt);
        w = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (w < 0) { o->failed = 1; return; }
        if ((size_t)w < o->cap - o->len) { o->len += (size_t)w; return; }
        if (o->cap >= (8u << 20)) { o->failed = 1; return; }
        {
            char *nb = realloc(o->buf, o->cap * 2);
            if (nb == NULL) { o->failed = 1; return; }
            o->buf = nb;
            o->cap *= 2;
        }
    }
}

static const char *route_label(int ri) {
    size_t n;
    const struct srv_route *t = route_table(&n);
    return ri < 0 ? "unmatched" : t[ri].pattern;
}

char *metrics_render(size_t *len) {
    struct out o = {malloc(16384), 0, 16384, 0};
    size_t nroutes;

    if (o.buf == NULL) return NULL;
    route_table(&nroutes);
    if (nroutes > MAX_ROUTES) nroutes = MAX_ROUTES;

    put(&o, "# HELP dongting_build_info Build information.\n"
            "# TYPE dongting_build_info gauge\n"
            "dongting_build_info{version=\"%s\"} 1\n", DONGTING_VERSION);

    put(&o, "# HELP dongting_http_requests_total HTTP requests by route, "
            "method and status.\n# TYPE dongting_http_requests_total counter\n");
    for (int i = 0; i < n_series; i++)
        put(&o, "dongting_http_requests_total{route=\"%s\",method=\"%s\","
                "status=\"%d\"} %llu\n", route_label(series[i].route),
            methods[series[i].method], series[i].status, series[i].count);
    put(&o, "# HELP dongting_http_series_dropped_total Requests not counted "
            "by route because the series table was full.\n"
            "# TYPE dongting_http_series_dropped_total counter\n"
            "dongting_http_series_dropped_total %llu\n", series_overflow);

    put(&o, "# HELP dongting_http_request_duration_seconds Time from request "
            "dispatch to reply.\n"
            "# TYPE dongting_http_request_duration_seconds histogram\n");
    for (int ri = -1; ri < (int)nroutes; ri++) {
        for (int mi = 0; mi < (int)N_METHODS; mi++) {
            const struct histogram *h = &hist[(ri + 1) * (int)N_METHODS + mi];
            const char *rl = route_label(ri), *ml = methods[mi];
            unsigned long long cum = 0;
            if (h->count == 0) continue;
            for (int b = 0; b < N_BUCKETS; b++) {
                cum += h->bucket[b];
                if (b < N_BUCKETS - 1)
                    put(&o, "dongting_http_request_duration_seconds_bucket{route=\"%s\","
                            "method=\"%s\",le=\"%g\"} %llu\n", rl, ml, bucket_le[b], cum);
                else
                    put(&o, "dongting_http_request_duration_seconds_bucket{route=\"%s\","
                            "method=\"%s\",le=\"+Inf\"} %llu\n", rl, ml, cum);
            }
            put(&o, "dongting_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} "
                    "%.6f\ndongting_http_request_duration_seconds_count{route=\"%s\","
                    "method=\"%s\"} %llu\n", rl, ml, h->sum, rl, ml, h->count);
        }
    }

    put(&o, "# HELP dongting_http_connections_open Client connections open now.\n"
            "# TYPE dongting_http_connections_open gauge\n"
            "dongting_http_connections_open %d\n"
            "# HELP dongting_http_requests_in_flight Requests being handled now.\n"
            "# TYPE dongting_http_requests_in_flight gauge\n"
            "dongting_http_requests_in_flight %d\n"
            "# HELP dongting_http_connections_rejected_total Connections closed "
            "at accept because max_connections were open.\n"
            "# TYPE dongting_http_connections_rejected_total counter\n"
            "dongting_http_connections_rejected_total %llu\n"
            "# HELP dongting_http_rate_limited_total Requests answered 429.\n"
            "# TYPE dongting_http_rate_limited_total counter\n"
            "dongting_http_rate_limited_total %llu\n",
        http_open_connections(), http_inflight(), conn_rejected, rate_limited);

    put(&o, "# HELP dongting_redis_up 1 while Redis answers.\n"
            "# TYPE dongting_redis_up gauge\n"
            "dongting_redis_up %d\n"
            "# HELP dongting_redis_errors_total Failed Redis commands and "
            "connections (errors, timeouts, disconnects).\n"
            "# TYPE dongting_redis_errors_total counter\n"
            "dongting_redis_errors_total %llu\n"
            "# HELP dongting_redis_reconnects_total Successful connects after "
            "the first.\n"
            "# TYPE dongting_redis_reconnects_total counter\n"
            "dongting_redis_reconnects_total %llu\n",
        store_ready(), redis_errors, redis_reconnects);

    {
        /* Carrier feeds (feeds.c): one series per feed and counter. */
        static const struct {
            const char *name, *help;
            size_t off;
        } fc[] = {
            {"bodies", "Bodies pushed or pulled.", offsetof(struct feed_counters, bodies)},
            {"bad_bodies", "Bodies that could not be read at all (400).",
             offsetof(struct feed_counters, bad_bodies)},
            {"accepted", "Events stored for the first time.",
             offsetof(struct feed_counters, accepted)},
            {"duplicates", "Events already stored (same source and event id).",
             offsetof(struct feed_counters, duplicates)},
            {"rejected", "Events refused (quarantined with the reason).",
             offsetof(struct feed_counters, rejected)},
            {"store_errors", "Bodies Redis did not store (503).",
             offsetof(struct feed_counters, store_errors)},
            {"pull_errors", "Failed pulls.", offsetof(struct feed_counters, pull_errors)},
            {"overlay_updates", "Trip updates recorded from events.",
             offsetof(struct feed_counters, overlay_updates)},
        };
        struct feed_counters c;
        for (size_t k = 0; k < sizeof(fc) / sizeof(fc[0]); k++) {
            put(&o, "# HELP dongting_feed_%s_total %s\n# TYPE dongting_feed_%s_total counter\n",
                fc[k].name, fc[k].help, fc[k].name);
            for (size_t i = 0; feeds_counters(i, &c) == 0; i++) {
                unsigned long long v;
                memcpy(&v, (const char *)&c + fc[k].off, sizeof(v));
                put(&o, "dongting_feed_%s_total{feed=\"%s\",format=\"%s\"} %llu\n", fc[k].name,
                    c.name, c.format, v);
            }
        }
        put(&o, "# HELP dongting_feed_lag_seconds Receipt minus event time of the newest "
                "actual event of the feed's last body.\n"
                "# TYPE dongting_feed_lag_seconds gauge\n");
        for (size_t i = 0; feeds_counters(i, &c) == 0; i++)
            if (c.lag_s >= 0)
                put(&o, "dongting_feed_lag_seconds{feed=\"%s\"} %.0f\n", c.name, c.lag_s);
        put(&o, "# HELP dongting_feed_last_success_timestamp_seconds When the feed's last "
                "body was stored.\n"
                "# TYPE dongting_feed_last_success_timestamp_seconds gauge\n");
        for (size_t i = 0; feeds_counters(i, &c) == 0; i++)
            put(&o, "dongting_feed_last_success_timestamp_seconds{feed=\"%s\"} %lld\n", c.name,
                c.last_success);
    }

    {
        /* Webhooks (webhooks.c). */
        struct wh_stats w;
        webhooks_stats(&w);
        put(&o, "# HELP dongting_webhook_deliveries_total Webhook deliveries by outcome: ok "
                "(answered 2xx), dead (dead-lettered after the last attempt).\n"
                "# TYPE dongting_webhook_deliveries_total counter\n"
                "dongting_webhook_deliveries_total{result=\"ok\"} %llu\n"
                "dongting_webhook_deliveries_total{result=\"dead\"} %llu\n"
                "# HELP dongting_webhook_attempts_failed_total Delivery attempts that failed "
                "(non-2xx, timeout, connection error).\n"
                "# TYPE dongting_webhook_attempts_failed_total counter\n"
                "dongting_webhook_attempts_failed_total %llu\n"
                "# HELP dongting_webhook_dropped_total Notices or deliveries that could not "
                "be queued.\n"
                "# TYPE dongting_webhook_dropped_total counter\n"
                "dongting_webhook_dropped_total %llu\n"
                "# HELP dongting_webhook_queue_length Deliveries not finished (sending or "
                "waiting to retry).\n"
                "# TYPE dongting_webhook_queue_length gauge\n"
                "dongting_webhook_queue_length %llu\n"
                "# HELP dongting_webhook_subscriptions Subscriptions held in memory.\n"
                "# TYPE dongting_webhook_subscriptions gauge\n"
                "dongting_webhook_subscriptions %llu\n",
            w.delivered, w.dead, w.failed, w.dropped, w.queued, w.subs);
    }

    {
        /* Customs declarations and alerts (customs.c). */
        struct customs_counts c;
        customs_counts(&c);
        put(&o, "# HELP dongting_customs_declarations Declarations held (every message type).\n"
                "# TYPE dongting_customs_declarations gauge\n"
                "dongting_customs_declarations %llu\n"
                "# HELP dongting_customs_messages_total Customs messages stored.\n"
                "# TYPE dongting_customs_messages_total counter\n"
                "dongting_customs_messages_total %llu\n"
                "# HELP dongting_customs_messages_refused_total Customs messages refused "
                "(conflicts, unknown declarations).\n"
                "# TYPE dongting_customs_messages_refused_total counter\n"
                "dongting_customs_messages_refused_total %llu\n"
                "# HELP dongting_customs_alerts Alerts raised (held).\n"
                "# TYPE dongting_customs_alerts gauge\n"
                "dongting_customs_alerts %llu\n"
                "# HELP dongting_customs_alerts_open Alerts not acknowledged.\n"
                "# TYPE dongting_customs_alerts_open gauge\n"
                "dongting_customs_alerts_open %llu\n"
                "# HELP dongting_customs_write_errors_total Customs writes Redis did not take.\n"
                "# TYPE dongting_customs_write_errors_total counter\n"
                "dongting_customs_write_errors_total %llu\n",
            c.declarations, c.messages, c.refused, c.alerts, c.alerts_open, c.write_errors);
    }

    {
        /* Waybills (waybills.c) and their live streams (sse.c). */
        struct waybills_stats w;
        waybills_stats(&w);
        put(&o, "# HELP dongting_waybills Waybills held by the engine.\n"
                "# TYPE dongting_waybills gauge\n"
                "dongting_waybills %llu\n"
                "# HELP dongting_waybills_at_risk Waybills whose booked connection is broken.\n"
                "# TYPE dongting_waybills_at_risk gauge\n"
                "dongting_waybills_at_risk %llu\n"
                "# HELP dongting_waybill_fanouts_total Run changes that moved waybills' ETAs.\n"
                "# TYPE dongting_waybill_fanouts_total counter\n"
                "dongting_waybill_fanouts_total %llu\n"
                "# HELP dongting_waybill_fanout_last_seconds The last fan-out: recompute and "
                "store every waybill on the run.\n"
                "# TYPE dongting_waybill_fanout_last_seconds gauge\n"
                "dongting_waybill_fanout_last_seconds %.6f\n"
                "# HELP dongting_waybill_states_written_total Tracking states stored.\n"
                "# TYPE dongting_waybill_states_written_total counter\n"
                "dongting_waybill_states_written_total %llu\n"
                "# HELP dongting_waybill_event_links_total Events linked to waybills.\n"
                "# TYPE dongting_waybill_event_links_total counter\n"
                "dongting_waybill_event_links_total %llu\n"
                "# HELP dongting_waybill_write_errors_total Waybill writes Redis did not take.\n"
                "# TYPE dongting_waybill_write_errors_total counter\n"
                "dongting_waybill_write_errors_total %llu\n"
                "# HELP dongting_sse_streams Open Server-Sent Event streams.\n"
                "# TYPE dongting_sse_streams gauge\n"
                "dongting_sse_streams %d\n",
            w.held, w.at_risk, w.fanouts, w.last_fanout_ms / 1000.0, w.states_written, w.links,
            w.write_errors, sse_open_streams());
    }

    put(&o, "# HELP dongting_route_cache_hits_total Route answers served from "
            "the Redis cache.\n"
            "# TYPE dongting_route_cache_hits_total counter\n"
            "dongting_route_cache_hits_total %llu\n"
            "# HELP dongting_route_cache_misses_total Route cache lookups that "
            "found nothing (or could not ask Redis).\n"
            "# TYPE dongting_route_cache_misses_total counter\n"
            "dongting_route_cache_misses_total %llu\n"
            "# HELP dongting_route_cache_invalidated_total Cached route answers "
            "dropped by real-time trip updates.\n"
            "# TYPE dongting_route_cache_invalidated_total counter\n"
            "dongting_route_cache_invalidated_total %llu\n",
        cache_hits, cache_misses, cache_invalidated);

    if (o.failed) {
        free(o.buf);
        return NULL;
    }
    *len = o.len;
    return o.buf;
}
