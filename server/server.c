/* server.c -- the configuration in force and the event loop, set once by
 * main() and read by the modules. */
#include "server.h"
#include "config.h"

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
void srv_set_timetable(const struct rt_timetable *tt) { timetable = tt; }
