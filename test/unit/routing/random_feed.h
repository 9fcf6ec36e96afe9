/* Random small GTFS feeds for the routing property tests (test_csa_property.c,
 * test_profile_property.c): a model the tests' own brute-force searches read,
 * and the same model loaded through the real GTFS importer. */
#ifndef DT_TEST_RANDOM_FEED_H
#define DT_TEST_RANDOM_FEED_H

#include "routing/timetable.h"

#include <stdint.h>

#define RF_NS 9  /* stops s0..s8; index RF_NS is station P (parent of s0, s1) */
#define RF_NT 12 /* trips */
#define RF_NP 6  /* stops per trip */
#define RF_U 60  /* times are whole minutes, in seconds */

struct rf_feed {
    int nstops, station, ntrips;
    struct {
        int n, stop[RF_NP], pick[RF_NP], drop[RF_NP];
        long arr[RF_NP], dep[RF_NP]; /* seconds of the service day */
    } trip[RF_NT];
    long mt[RF_NS];          /* same-stop minimum transfer */
    int nochange[RF_NS];     /* transfer_type 3 within the stop */
    long foot[RF_NS][RF_NS]; /* footpath seconds, -1: none */
    int forb[RF_NS][RF_NS];  /* transfer_type 3 between two stops */
};

/* Seed the generator (splitmix64). */
void rf_seed(uint64_t seed);

/* A uniform integer in 0..n-1. */
int rf_pick(int n);

/* Fill F with a random feed: 3..RF_NS stops, sometimes a station over s0
 * and s1, 1..RF_NT trips on one service day (2026-03-10), 0 s hops and
 * dwells, forbidden boarding/alighting, minimum transfers, forbidden
 * changes, footpaths and forbidden pairs. */
void rf_make(struct rf_feed *f);

/* Load F through rt_gtfs_load_memory (one Etc/UTC agency, road routes);
 * fails the test (cr_assert) if anything is refused or skipped. */
void rf_load(const struct rf_feed *f, struct rt_timetable *tt);

/* The stop_times.txt and transfers.txt of the last rf_load, for failure
 * messages. */
const char *rf_stop_times_text(void);
const char *rf_transfers_text(void);

#endif
