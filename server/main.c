/* main.c -- start-up and shutdown of bin/dongting.
 *
 * One event loop runs everything: HTTP (http.c), Redis (store.c), timers.
 * SIGTERM/SIGINT start a graceful stop: no new connections, in-flight
 * requests finish (bounded by shutdown_grace), Redis closes, exit 0. */
#include "api.h"
#include "auth.h"
#include "geodata/network.h"
#include "routing/drayage.h"
#include "routing/gtfs.h"
#include "config.h"
#include "customs.h"
#include "http.h"
#include "log.h"
#include "router.h"
#include "server.h"
#include "feeds.h"
#include "waybills.h"
#include "store.h"
#include "version.h"
#include "web.h"
#include "webhooks.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

extern char **environ;

static struct event_base *base;
static struct geo_network network;
static struct rt_timetable timetable;

static void drained(void) {
    feeds_stop();
    webhooks_stop();
    store_stop();
    event_base_loopexit(base, NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg) {
    static int signalled;
    (void)what;
    (void)arg;
    if (signalled++) {
        log_event("warn", "shutdown_forced", "second signal %d: exiting now", (int)sig);
        feeds_stop();
        webhooks_stop();
        store_stop();
        event_base_loopbreak(base);
        return;
    }
    log_event("info", "shutdown", "signal %d: finishing in-flight requests "
              "(at most %ld s)", (int)sig, srv_cfg()->shutdown_grace_s);
    http_drain((int)srv_cfg()->shutdown_grace_s, drained);
}

int main(int argc, char **argv) {
    struct srv_config cfg;
    char err[CFG_ERR_LEN];
    struct event *sigterm, *sigint;
    int rc, have_admin;

    rc = cfg_from_args(&cfg, argc, argv, environ, err, sizeof(err));
    if (rc == CFG_EXIT) return 0;
    if (rc != CFG_OK) {
        fprintf(stderr, "dongting: %s\n", err);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    base = event_base_new();
    if (base == NULL) {
        fprintf(stderr, "dongting: cannot create the event loop\n");
        return 1;
    }
    /* Only the key's hash is kept; the process forgets the key itself. */
    auth_init(cfg.admin_key);
    have_admin = cfg.admin_key[0] != '\0';
    memset(cfg.admin_key, 0, sizeof(cfg.admin_key));
    srv_init(&cfg, base);

    /* The network data must load, or nothing else makes sense. */
    if (geo_crs_init(err, sizeof(err)) != 0 ||
        geo_network_load(&network, cfg.data_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "dongting: %s\n", err);
        return 2;
    }
    srv_set_network(&network);
    log_event("info", "network_loaded", "%zu nodes, %d/%d/%d sea/river/rail lane "
              "edges from %s in %.1f ms", network.nodes.n, network.graph[MODE_SEA].nedges,
              network.graph[MODE_RIVER].nedges, network.graph[MODE_RAIL].nedges,
              cfg.data_dir, network.load_ms);

    {
        struct rt_load_report rep;
        if (rt_gtfs_load(&timetable, cfg.gtfs, NULL, &rep) != 0) {
            fprintf(stderr, "dongting: timetable %s: %s\n", cfg.gtfs, rep.err);
            return 2;
        }
        unsigned long skipped = 0;
        srv_set_timetable(&timetable);
        for (int f = 0; f < RT_F_COUNT; f++) skipped += rep.files[f].skipped;
        log_event(skipped ? "warn" : "info", "timetable_loaded",
                  "%u stops, %u trips, %u connections over %u days from %s; %lu rows "
                  "skipped (see rt_load_report)", timetable.nstops, timetable.ntrips,
                  timetable.nconns, timetable.ndays, cfg.gtfs, skipped);
        if (skipped) rt_load_report_print(&rep, stderr);
    }
    {
        /* Truck links between nearby terminals, from geodata road distances. */
        struct rt_drayage_report dr;
        if (rt_drayage_add(&timetable, &network, NULL, &dr) != 0) {
            fprintf(stderr, "dongting: drayage: %s\n", dr.err);
            return 2;
        }
        log_event("info", "drayage_added", "%u truck links between %u coded stops "
                  "(%llu pairs over %.0f km, %llu with no road)", dr.added, dr.stops,
                  (unsigned long long)dr.too_far, RT_DRAYAGE_MAX_KM,
                  (unsigned long long)dr.no_road);
    }

    if (router_init(&timetable, &network, cfg.freight, err, sizeof(err)) != 0) {
        fprintf(stderr, "dongting: freight: %s\n", err);
        return 2;
    }
    log_event("info", "router_ready", "freight parameters from %s", cfg.freight);

    if (store_start(base, srv_cfg()) != 0) return 2;
    if (feeds_start(base, srv_cfg()) != 0) {
        fprintf(stderr, "dongting: cannot start the carrier feeds\n");
        return 2;
    }
    if (webhooks_start(base, srv_cfg()) != 0) {
        fprintf(stderr, "dongting: cannot start webhook deliveries\n");
        return 2;
    }
    if (waybills_start() != 0) {
        fprintf(stderr, "dongting: cannot start the waybill engine\n");
        return 2;
    }
    {
        /* customs offices beside the network data: CODE -> the nodes it supervises */
        char offices[600];
        snprintf(offices, sizeof(offices), "%s/customs_offices.csv", cfg.data_dir);
        if (customs_start(offices, err, sizeof(err)) != 0) {
            fprintf(stderr, "dongting: customs: %s\n", err);
            return 2;
        }
    }
    if (web_start(cfg.web_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "dongting: web pages: %s\n", err);
        return 2;
    }
    {
        size_t missing;
        size_t n = web_files(&missing);
        log_event(missing ? "warn" : "info", "web_loaded",
                  "%zu web files from %s (%zu browser libraries missing)", n, cfg.web_dir,
                  missing);
    }
    if (http_start(base, srv_cfg()) != 0) return 1;

    sigterm = evsignal_new(base, SIGTERM, on_signal, NULL);
    sigint = evsignal_new(base, SIGINT, on_signal, NULL);
    event_add(sigterm, NULL);
    event_add(sigint, NULL);

    log_event("info", "start", "dongting %s listening on http://%s:%d/, Redis "
              "%s:%d%s", DONGTING_VERSION, cfg.listen_host, cfg.listen_port,
              cfg.redis_host, cfg.redis_port,
              have_admin ? ", bootstrap admin key set" : "");
    event_base_dispatch(base);
    /* Past this point a late signal must not kill the process mid-cleanup. */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);

    http_stop();
    feeds_stop();
    webhooks_stop();
    store_stop();
    waybills_stop();   /* after the store: its last callbacks still find them */
    customs_stop();
    web_stop();
    event_free(sigterm);
    event_free(sigint);
    event_base_free(base);
    api_routes_free();
    router_free();
    geo_network_free(&network);
    srv_overlay_free();
    rt_timetable_free(&timetable);
    geo_crs_free();
    log_event("info", "stopped", "dongting stopped");
    return 0;
}
