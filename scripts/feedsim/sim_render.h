/* sim_render.h -- the bodies the feed simulator serves, one function per
 * endpoint (docs/feed-simulator.md), from a world (sim_world.h) at a
 * simulated time.  No HTTP here: feedsim.c sends what these return. */
#ifndef DT_SIM_RENDER_H
#define DT_SIM_RENDER_H

#include "sim_world.h"

#include <stddef.h>
#include <stdint.h>

#define SIM_RECENT (2 * SIM_DAY) /* non-DCSA feeds: events of the last two days */
#define SIM_MAX_BODY_EVENTS 5000 /* ... at most this many, the newest */
#define SIM_DCSA_MAX_LIMIT 1000

/* A body to send.  DATA is the caller's to free.  ETAG_BASIS, when not 0,
 * is what the entity tag is made from instead of the bytes (GTFS-RT, whose
 * header timestamp moves with the clock although nothing else changed). */
struct sim_body {
    int status;            /* 200, or 400 with the reason in DATA */
    char *data;
    size_t len;
    const char *ctype;
    uint64_t etag_basis;
    char next_cursor[64];  /* DCSA: "" when no more */
};

/* Each returns 0, or -1 when out of memory.  NOW is the simulated time. */
int sim_render_dcsa(const struct sim_world *w, int64_t now, const char *limit,
                    const char *cursor, struct sim_body *b);
int sim_render_fsu(const struct sim_world *w, int64_t now, struct sim_body *b);
int sim_render_one_record(const struct sim_world *w, int64_t now, struct sim_body *b);
int sim_render_rail(const struct sim_world *w, int64_t now, struct sim_body *b);
int sim_render_gtfs_rt(const struct sim_world *w, int64_t now, struct sim_body *b);
int sim_render_truth(const struct sim_world *w, int64_t now, struct sim_body *b);
int sim_render_clock(int64_t now, double speed, struct sim_body *b);

#define SIM_WAYBILLS_DEFAULT 50
#define SIM_WAYBILLS_MAX 1000
#define SIM_CONNECTING_DEFAULT 5
#define SIM_CONNECTING_MAX 20

/* NDJSON: a ready POST /v1/waybills body per consignment of the truth
 * (LIMIT of them, "1".."1000", NULL for 50; else 400).  In each channel
 * those still to arrive come first, soonest planned arrival first, then
 * the arrived ones, latest first; the channels take turns (water, rail,
 * air, water, ...).  Then up to CONNECTING ("0".."20", NULL for 5; else
 * 400) two-leg "DTCONN" bodies whose connection holds on the plan and
 * breaks with a delay the simulator will report (none without
 * w->freight); docs/feed-simulator.md says which. */
int sim_render_waybills(const struct sim_world *w, int64_t now, const char *limit,
                        const char *connecting, struct sim_body *b);

#endif
