/* server.c -- the configuration in force and the event loop, set once by
 * main() and read by the modules. */
#include "server.h"
#include "api.h"
#include "trips.h"
#include "config.h"
#include "store.h"
#include "routing/overlay.h"

static struct srv_config config;
static struct event_base *loop;
static int have_config;

void srv_init(const struct srv_config *cfg, struct event_base *base) {
    config = *cfg;
    loop = base;
    have_config = 1;
}

const struct srv_config *srv_cfg(void) {
    if (!have_config) {           /* unit tests and fuzzers: the defaults */
        cfg_defaults(&config);
        have_config = 1;
    }
    return &config;
}

struct event_base *srv_base(void) { return loop; }

static const struct geo_network *network;

const struct geo_network *srv_network(void) { return network; }
void srv_set_network(const struct geo_network *net) { network = net; }

static const struct rt_timetable *timetable;

const struct rt_timetable *srv_timetable(void) { return timetable; }
/* Setting the timetable also arranges for the trip updates stored in Redis
 * to be re-applied to its overlay once the store first connects. */
void srv_set_timetable(const struct rt_timetable *tt) {
    static int hooked;
    timetable = tt;
    if (tt != NULL && !hooked) hooked = store_on_ready(trips_restore) == 0;
}

static struct rt_overlay *overlay;

struct rt_overlay *srv_overlay(void) {
    if (overlay == NULL && timetable != NULL) overlay = rt_overlay_new(timetable);
    return overlay;
}

void srv_overlay_free(void) {
    rt_overlay_free(overlay);
    overlay = NULL;
}
