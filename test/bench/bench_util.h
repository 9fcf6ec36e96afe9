/* bench_util.h -- what the routing benchmarks share (routing_bench.c,
 * mc_bench.c): a monotonic clock, a seeded generator, quantiles, numeric
 * arguments and the random queries both ask. */
#ifndef DT_BENCH_UTIL_H
#define DT_BENCH_UTIL_H

#include "routing/timetable.h"

#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_ROUNDS 15

struct bench_query {
    uint32_t from, to, depart;
};

double bench_now_us(void);

void bench_seed(uint64_t seed);
uint32_t bench_below(uint32_t n); /* uniform in 0..n-1 */

/* The value at quantile Q of the N values in V (sorted in place). */
double bench_quantile(double *v, size_t n, double q);
double bench_median(double *v, size_t n);

/* S as an unsigned decimal in [LO, HI] into *OUT: 0, or -1. */
int bench_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* N queries between distinct random stops, leaving 06:00-18:00 local time
 * on a random service day that has a whole day after it (day 0 of a one-day
 * feed).  Same SEED and feed, same queries.  0, or -1. */
int bench_make_queries(const struct rt_timetable *tt, uint64_t seed, uint32_t n,
                       struct bench_query *q);

#endif
