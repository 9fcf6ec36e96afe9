/* bench_util.c -- see bench_util.h. */
#include "bench_util.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

double bench_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static uint64_t rng_state;

void bench_seed(uint64_t seed) { rng_state = seed; }

static uint64_t rng_next(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t bench_below(uint32_t n) {
    return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_quantile(double *v, size_t n, double q) {
    if (n == 0) return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    size_t i = (size_t)(q * (double)n);
    return v[i < n ? i : n - 1];
}

double bench_median(double *v, size_t n) { return bench_quantile(v, n, 0.5); }

int bench_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int bench_make_queries(const struct rt_timetable *tt, uint64_t seed, uint32_t n,
                       struct bench_query *q) {
    bench_seed(seed);
    uint32_t days = tt->ndays > 1 ? tt->ndays - 1 : 1;
    for (uint32_t i = 0; i < n; i++) {
        q[i].from = bench_below(tt->nstops);
        do
            q[i].to = bench_below(tt->nstops);
        while (q[i].to == q[i].from && tt->nstops > 1);
        int64_t t = rt_local_time(tt, tt->stops[q[i].from].zone, bench_below(days),
                                  6 * 3600 + bench_below(12 * 3600));
        if (t < 0 || t >= UINT32_MAX) return -1;
        q[i].depart = (uint32_t)t;
    }
    return 0;
}
