/* Random small GTFS feeds for the routing property tests (test_csa_property.c,
 * test_profile_property.c, test_mc_property.c): a model the tests' own
 * brute-force searches read, and the same model loaded through the real GTFS
 * importer. */
#ifndef DT_TEST_RANDOM_FEED_H
#define DT_TEST_RANDOM_FEED_H

#include "routing/timetable.h"

#include <stddef.h>
#include <stdint.h>

#define RF_NS 9         /* stops s0..s8; index RF_NS is station P (parent of s0, s1) */
#define RF_NT 12        /* trips */
#define RF_NP 6         /* stops per trip */
#define RF_U 60         /* times are whole minutes, in seconds */
#define RF_ND 3         /* service days of a freight feed */
#define RF_UNUSABLE 255 /* trip mode: not usable by the freight search */

struct rf_feed {
    int nstops, station, ntrips;
    struct {
        int n, stop[RF_NP], pick[RF_NP], drop[RF_NP];
        long arr[RF_NP], dep[RF_NP]; /* seconds of the service day */
        /* Freight feeds only (rf_make_freight): */
        int fmode;        /* enum rt_fmode, or RF_UNUSABLE */
        unsigned days;    /* bit d: runs on service day d */
        double km[RF_NP]; /* hop from position p to p + 1 */
    } trip[RF_NT];
    long mt[RF_NS];          /* same-stop minimum transfer */
    int nochange[RF_NS];     /* transfer_type 3 within the stop */
    long foot[RF_NS][RF_NS]; /* footpath seconds, -1: none */
    int forb[RF_NS][RF_NS];  /* transfer_type 3 between two stops */
    /* Freight feeds only (rf_make_freight; 0 for rf_make): */
    int freight;                  /* stop ids are node codes, trips have modes */
    double foot_km[RF_NS][RF_NS]; /* km of each footpath */
    int territory[RF_NS + 1];     /* per stop, [RF_NS] the station */
    unsigned customs[RF_NS + 1];  /* enum geo_customs bits, likewise */
    int placed;                   /* stops apart (else all at (1, 1)), km >= the
                                   * great circle, no 0 s hop or footpath */
    double lat[RF_NS + 1], lon[RF_NS + 1];
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

/* rf_make, then the freight facts: times scaled by 1, 10 or 60 (minutes,
 * ten minutes or hours as the unit), each trip a freight mode (or
 * unusable) and a non-empty set of the RF_ND service days, hop and footpath
 * km, a customs territory (0..2) and customs flags per stop (the station
 * and its children share one territory); half the feeds place their stops
 * apart (random positions, km no less than the great circle, every hop
 * and footpath taking at least one unit).  Stop ids become node codes
 * (rf_stop_id).  Draws from the generator after rf_make's draws only. */
void rf_make_freight(struct rf_feed *f);

/* The stop id of model place Q (RF_NS: the station) into BUF: "s3" / "P",
 * or for a freight feed the node codes "SS3" / "SSP". */
void rf_stop_id(const struct rf_feed *f, int q, char *buf, size_t n);

/* Where F's places landed in TT (loaded by rf_load): IDX[q] is the stop of
 * model place q (q == RF_NS: the station; RT_NONE when F has no such
 * place), MODEL_OF[s] the model stop of timetable stop s, or -1 (the
 * station).  Fails the test when a place is missing or TT has 64 stops or
 * more. */
void rf_map_stops(const struct rf_feed *f, const struct rt_timetable *tt,
                  uint32_t idx[RF_NS + 1], int model_of[64]);

/* Load F through rt_gtfs_load_memory (one Etc/UTC agency; road routes, or
 * for a freight feed one route per mode: rail 2, water 4, air 1100, road 3,
 * and route_type 0 for an unusable trip); fails the test (cr_assert) if
 * anything is refused or skipped. */
void rf_load(const struct rf_feed *f, struct rt_timetable *tt);

/* The stop_times.txt and transfers.txt of the last rf_load, for failure
 * messages. */
const char *rf_stop_times_text(void);
const char *rf_transfers_text(void);
const char *rf_trips_text(void); /* trips.txt: each trip's route and days */

/* A text buffer the generators append to (GTFS and CSV files); rf_add
 * fails the test when it would overflow. */
struct rf_text {
    char s[16384];
    size_t len;
};

void rf_add(struct rf_text *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
