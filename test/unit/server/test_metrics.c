/* Tests for server/metrics.c: counters by route, method and status, the
 * latency histogram by route and method (cumulative buckets, sum, count)
 * and the fixed label sets.  Each check compares a render before and after,
 * so it does not depend on what other tests counted. */
#include "server/metrics.h"
#include "server/routes.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Renders are freed after each test, even one whose assertion failed. */
static char *texts[8];
static int n_texts;

static void free_texts(void) {
    for (int i = 0; i < n_texts; i++)
        free(texts[i]);
    n_texts = 0;
}

TestSuite(metrics, .fini = free_texts);

static const char *render(void) {
    size_t len = 0;
    char *text = metrics_render(&len);
    cr_assert_not_null(text, "metrics_render failed");
    cr_assert_lt(n_texts, 8, "too many renders in one test");
    texts[n_texts++] = text;
    cr_assert_eq(strlen(text), len, "len does not match the text");
    cr_assert_gt(len, 0);
    cr_assert_eq(text[len - 1], '\n');
    return text;
}

/* The line for SERIES ("name{labels}") in TEXT: its value, or -1 when the
 * series is absent. */
static double value_of(const char *text, const char *series) {
    size_t n = strlen(series);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        if (strncmp(line, series, n) == 0 && line[n] == ' ') {
            char *end;
            double v = strtod(line + n + 1, &end);
            cr_assert(end != line + n + 1 && (*end == '\n' || *end == '\0'),
                      "bad value on line for %s", series);
            return v;
        }
        line = nl ? nl + 1 : NULL;
    }
    return -1;
}

/* How much SERIES grew from BEFORE to AFTER (absent counts as 0). */
static double delta(const char *before, const char *after, const char *series) {
    double a = value_of(after, series), b = value_of(before, series);
    cr_assert_geq(a, 0, "series %s missing after the requests", series);
    return a - (b < 0 ? 0 : b);
}

static const struct srv_route *route(const char *method, const char *path) {
    const struct srv_route *r = NULL;
    char params[1][128];
    int np;
    cr_assert_eq(route_find(method, path, &r, params, 1, &np, NULL, 0), ROUTE_FOUND,
                 "%s %s", method, path);
    return r;
}

#define REQS "dongting_http_requests_total"
#define DUR "dongting_http_request_duration_seconds"

Test(metrics, requests_total_by_route_method_status) {
    const struct srv_route *health = route("GET", "/healthz");
    const struct srv_route *key = route("DELETE", "/v1/keys/abc");
    const char *before = render(), *after;

    metrics_request(health, "GET", 200, 100);
    metrics_request(health, "GET", 200, 100);
    metrics_request(health, "GET", 503, 100);
    metrics_request(health, "HEAD", 200, 100);
    metrics_request(key, "DELETE", 404, 100);
    after = render();

    cr_assert_eq(
        delta(before, after, REQS "{route=\"/healthz\",method=\"GET\",status=\"200\"}"),
        2);
    cr_assert_eq(
        delta(before, after, REQS "{route=\"/healthz\",method=\"GET\",status=\"503\"}"),
        1);
    cr_assert_eq(delta(before, after,
                       REQS "{route=\"/healthz\",method=\"HEAD\",status=\"200\"}"),
                 1);
    cr_assert_eq(delta(before, after,
                       REQS
                       "{route=\"/v1/keys/{id}\",method=\"DELETE\",status=\"404\"}"),
                 1);
    /* Nothing invented: no series for a combination that never happened. */
    cr_assert_eq(
        value_of(after, REQS "{route=\"/healthz\",method=\"DELETE\",status=\"404\"}"),
        -1);
}

Test(metrics, histogram_is_cumulative) {
    static const struct {
        const char *le;
        int want;
    } buckets[] = {
        {"0.0005", 2}, {"0.001", 3}, {"0.0025", 3}, {"0.005", 3}, {"0.01", 3},
        {"0.025", 3},  {"0.05", 3},  {"0.1", 3},    {"0.25", 3},  {"0.5", 3},
        {"1", 3},      {"2.5", 4},   {"5", 4},      {"+Inf", 5},
    };
    const struct srv_route *health = route("GET", "/healthz");
    const char *before = render(), *after;
    double sum_before = value_of(before, DUR "_sum{route=\"/healthz\",method=\"GET\"}");

    metrics_request(health, "GET", 200, 300);     /* 0.0003 s */
    metrics_request(health, "GET", 200, 500);     /* 0.0005 s: le is inclusive */
    metrics_request(health, "GET", 200, 700);     /* 0.0007 s */
    metrics_request(health, "GET", 200, 2000000); /* 2 s */
    metrics_request(health, "GET", 503, 7000000); /* 7 s: only +Inf */
    after = render();

    for (size_t i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++) {
        char series[200];
        snprintf(series, sizeof(series),
                 DUR "_bucket{route=\"/healthz\",method=\"GET\",le=\"%s\"}",
                 buckets[i].le);
        cr_assert_eq(delta(before, after, series), buckets[i].want, "bucket le=%s",
                     buckets[i].le);
    }
    cr_assert_eq(delta(before, after, DUR "_count{route=\"/healthz\",method=\"GET\"}"),
                 5);
    cr_assert_float_eq(value_of(after, DUR "_sum{route=\"/healthz\",method=\"GET\"}") -
                           (sum_before < 0 ? 0 : sum_before),
                       9.0015, 1e-6);
    /* The +Inf bucket equals the count. */
    cr_assert_eq(
        value_of(after, DUR "_bucket{route=\"/healthz\",method=\"GET\",le=\"+Inf\"}"),
        value_of(after, DUR "_count{route=\"/healthz\",method=\"GET\"}"));
    cr_assert_not_null(strstr(after, "# TYPE " DUR " histogram\n"));
}

Test(metrics, histogram_is_per_method) {
    const struct srv_route *health = route("GET", "/healthz");
    const char *before = render(), *after;
    metrics_request(health, "HEAD", 200, 3000); /* 0.003 s */
    metrics_request(health, "HEAD", 200, 3000);
    metrics_request(health, "GET", 200, 100);
    after = render();
    cr_assert_eq(delta(before, after, DUR "_count{route=\"/healthz\",method=\"HEAD\"}"),
                 2);
    cr_assert_eq(delta(before, after, DUR "_count{route=\"/healthz\",method=\"GET\"}"),
                 1);
    cr_assert_eq(delta(before, after,
                       DUR "_bucket{route=\"/healthz\",method=\"HEAD\",le=\"0.0025\"}"),
                 0);
    cr_assert_eq(delta(before, after,
                       DUR "_bucket{route=\"/healthz\",method=\"HEAD\",le=\"0.005\"}"),
                 2);
}

Test(metrics, unknown_route_is_unmatched) {
    const struct srv_route *health = route("GET", "/healthz");
    struct srv_route copy = *health; /* not a row of the table */
    const char *before = render(), *after;

    metrics_request(NULL, "GET", 404, 100);
    metrics_request(NULL, "GET", 404, 100);
    metrics_request(&copy, "GET", 404, 100);
    after = render();
    cr_assert_eq(delta(before, after,
                       REQS "{route=\"unmatched\",method=\"GET\",status=\"404\"}"),
                 3);
    cr_assert_eq(delta(before, after, DUR "_count{route=\"unmatched\",method=\"GET\"}"),
                 3);
    cr_assert_eq(delta(before, after,
                       DUR "_bucket{route=\"unmatched\",method=\"GET\",le=\"0.0005\"}"),
                 3);
}

Test(metrics, odd_methods_are_other) {
    const char *before = render(), *after;
    metrics_request(NULL, "BREW", 405, 10);
    metrics_request(NULL, "get", 405, 10);
    metrics_request(NULL, "TRACE", 405, 10);
    metrics_request(NULL, "", 405, 10);
    metrics_request(NULL, "PATCH", 405, 10);
    after = render();
    cr_assert_eq(delta(before, after,
                       REQS "{route=\"unmatched\",method=\"OTHER\",status=\"405\"}"),
                 4);
    cr_assert_eq(delta(before, after,
                       REQS "{route=\"unmatched\",method=\"PATCH\",status=\"405\"}"),
                 1);
    cr_assert_eq(
        delta(before, after, DUR "_count{route=\"unmatched\",method=\"OTHER\"}"), 4);
    cr_assert_null(strstr(after, "BREW"));
    cr_assert_null(strstr(after, "method=\"get\""));
    cr_assert_null(strstr(after, "method=\"TRACE\""));
}

Test(metrics, counters_and_gauges) {
    const char *before = render(), *after;
    metrics_redis_error();
    metrics_redis_error();
    metrics_redis_reconnect();
    metrics_conn_rejected();
    metrics_rate_limited();
    metrics_rate_limited();
    metrics_rate_limited();
    after = render();
    cr_assert_eq(delta(before, after, "dongting_redis_errors_total"), 2);
    cr_assert_eq(delta(before, after, "dongting_redis_reconnects_total"), 1);
    cr_assert_eq(delta(before, after, "dongting_http_connections_rejected_total"), 1);
    cr_assert_eq(delta(before, after, "dongting_http_rate_limited_total"), 3);
    /* No server is running in a unit test. */
    cr_assert_eq(value_of(after, "dongting_http_connections_open"), 0);
    cr_assert_eq(value_of(after, "dongting_http_requests_in_flight"), 0);
    cr_assert_eq(value_of(after, "dongting_redis_up"), 0);
    cr_assert_eq(value_of(after, "dongting_build_info{version=\"0.1.0\"}"), 1);
}

static int count_lines(const char *text, const char *prefix) {
    int n = 0;
    size_t pl = strlen(prefix);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        if (strncmp(line, prefix, pl) == 0) n++;
        line = nl ? nl + 1 : NULL;
    }
    return n;
}

/* The series table is bounded: requests past it are counted as dropped,
 * never as new series. */
Test(metrics, series_table_is_bounded) {
    const char *before = render(), *after;
    int series_before = count_lines(before, REQS "{");
    int room = 512 - series_before, extra = 100;
    cr_assert_geq(room, 0);
    for (int i = 0; i < room + extra; i++)
        metrics_request(NULL, "GET", 10000 + i, 10);
    after = render();
    cr_assert_eq(count_lines(after, REQS "{"), 512);
    cr_assert_eq(delta(before, after, "dongting_http_series_dropped_total"), extra);
    /* Requests that fit no series are still timed. */
    cr_assert_eq(delta(before, after, DUR "_count{route=\"unmatched\",method=\"GET\"}"),
                 room + extra);
}
