/* routing/drayage.c over a GTFS feed in memory whose stop_ids are the node
 * codes of the geodata fixture test/fixtures/geodata (road_detour 1.25,
 * road_max_km 1000, JP an island).  Expected seconds are worked out by
 * hand: road km = geodesic km x 1.25, at 50 km/h, plus 2 h, rounded up to
 * a minute. */
#include "routing/csa.h"
#include "routing/drayage.h"
#include "routing/freight.h"
#include "routing/gtfs.h"

#include "geodata/network.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char agency[] = "agency_id,agency_name,agency_url,agency_timezone\n"
                             "A,Test,http://example.com,Etc/UTC\n";

/* XXCCC is a station with two stops (no codes of their own); ZZZ has no
 * geodata node. */
static const char stops[] =
    "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
    "XXAAA,Port A,0.0,0.0,0,\n"
    "AAA,Airport A,0.0,0.5,0,\n"
    "XXCCC,River port C,1.0,0.0,1,\n"
    "XXCCC-1,C berth 1,1.0,0.0,0,XXCCC\n"
    "XXCCC-2,C berth 2,1.0,0.0,0,XXCCC\n"
    "XXCCC-T1,Rail terminal C,1.0,0.1,0,\n"
    "XXBBB,Port B,0.0,10.0,0,\n"
    "BBB,Airport B,0.5,10.0,0,\n"
    "YYDDD,Island port D,20.0,10.0,0,\n"
    "ZZZ,Nowhere,5.0,5.0,0,\n";

static const char routes[] = "route_id,agency_id,route_short_name,route_type\n"
                             "R1,A,R1,4\n"
                             "R2,A,R2,2\n";

static const char trips[] = "route_id,service_id,trip_id\n"
                            "R1,S,T1\n"
                            "R2,S,T2A\n"
                            "R2,S,T2B\n";

/* T1 reaches berth XXCCC-2 at 10:00; the truck to XXCCC-T1 (13.9 km) takes
 * 8220 s, so T2A at 12:10 is missed and T2B at 12:30 is taken. */
static const char stop_times[] =
    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "T1,08:00:00,08:00:00,XXBBB,1\n"
    "T1,10:00:00,10:00:00,XXCCC-2,2\n"
    "T2A,12:10:00,12:10:00,XXCCC-T1,1\n"
    "T2A,20:00:00,20:00:00,YYDDD,2\n"
    "T2B,12:30:00,12:30:00,XXCCC-T1,1\n"
    "T2B,21:00:00,21:00:00,YYDDD,2\n";

static const char calendar[] =
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
    "end_date\n"
    "S,1,1,1,1,1,1,1,20260105,20260111\n";

/* transfers.txt: its own XXAAA -> AAA footpath (600 s) must stay, and
 * changing from XXCCC-T1 to XXCCC-1 is forbidden. */
static const char transfers[] =
    "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
    "XXAAA,AAA,2,600\n"
    "XXCCC-T1,XXCCC-1,3,\n";

static struct rt_timetable tt;
static struct rt_load_report lrep;
static struct geo_network net;
static struct rt_drayage_report rep;

static void load(void) {
    const struct rt_gtfs_memfile f[] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"stops.txt", stops, sizeof(stops) - 1},
        {"routes.txt", routes, sizeof(routes) - 1},
        {"trips.txt", trips, sizeof(trips) - 1},
        {"stop_times.txt", stop_times, sizeof(stop_times) - 1},
        {"calendar.txt", calendar, sizeof(calendar) - 1},
        {"transfers.txt", transfers, sizeof(transfers) - 1},
    };
    char err[256];
    cr_assert_eq(rt_gtfs_load_memory(&tt, f, sizeof(f) / sizeof(f[0]), NULL, &lrep), 0,
                 "%s", lrep.err);
    cr_assert_eq(
        geo_network_load(&net, ut_path("test/fixtures/geodata"), err, sizeof(err)), 0,
        "%s", err);
}

static void unload(void) {
    rt_timetable_free(&tt);
    geo_network_free(&net);
}

static uint32_t stop(const char *id) {
    uint32_t s = rt_stop_find(&tt, id);
    cr_assert_neq(s, RT_NONE, "no stop %s", id);
    return s;
}

/* Seconds of the footpath FROM -> TO, or -1 when there is none. */
static long foot(const char *from, const char *to) {
    uint32_t n, t = stop(to);
    const struct rt_footpath *f = rt_footpaths(&tt, stop(from), &n);
    for (uint32_t i = 0; i < n; i++)
        if (f[i].to == t) return (long)f[i].seconds;
    return -1;
}

/* tt->foot sorted by (from, to), no repeats, and indexed. */
static void check_index(void) {
    for (uint32_t i = 1; i < tt.nfoot; i++)
        cr_assert(tt.foot[i - 1].from < tt.foot[i].from ||
                      (tt.foot[i - 1].from == tt.foot[i].from &&
                       tt.foot[i - 1].to < tt.foot[i].to),
                  "foot %u out of order", i);
    cr_assert_eq(tt.foot_index[0], 0);
    cr_assert_eq(tt.foot_index[tt.nstops], tt.nfoot);
    for (uint32_t s = 0; s < tt.nstops; s++)
        for (uint32_t i = tt.foot_index[s]; i < tt.foot_index[s + 1]; i++)
            cr_assert_eq(tt.foot[i].from, s);
}

static void add_defaults(void) {
    struct rt_drayage_params p;
    rt_drayage_params_init(&p);
    cr_assert_eq(rt_drayage_add(&tt, &net, &p, &rep), 0, "%s", rep.err);
    check_index();
}

TestSuite(drayage, .init = load, .fini = unload);

Test(drayage, near_stops_get_expected_seconds) {
    add_defaults();
    /* 0.1 deg of longitude at 1 deg N: 11.13 km, 13.91 km by road:
     * 1001.7 s + 7200 s -> 8220 s. */
    cr_assert_eq(foot("XXCCC-T1", "XXCCC-2"), 8220);
    cr_assert_eq(foot("XXCCC-2", "XXCCC-T1"), 8220);
    cr_assert_eq(foot("XXCCC-1", "XXCCC-T1"), 8220);
    /* 0.5 deg on the equator: 55.66 km, 69.57 km by road: 5009.4 s + 7200 s. */
    cr_assert_eq(foot("AAA", "XXAAA"), 12240);
    /* 1 deg of latitude: 110.57 km, 138.22 km by road: 9951.6 s + 7200 s. */
    cr_assert_eq(foot("XXAAA", "XXCCC-1"), 17160);
    cr_assert_eq(foot("XXCCC-2", "XXAAA"), 17160);
    /* Across a land border (XX - YY, neither an island): 0.5 deg of
     * latitude, 55.30 km, 69.12 km by road: 4976.9 s + 7200 s. */
    cr_assert_eq(foot("XXBBB", "BBB"), 12180);
    cr_assert_eq(foot("BBB", "XXBBB"), 12180);
    cr_assert_eq(rep.stops, 8); /* all location_type 0 stops but ZZZ */
    cr_assert_eq(rep.uncoded, 1);
    cr_assert_eq(rep.pairs, 28);
    cr_assert_eq(rep.added + rep.skip_defined + rep.skip_forbidden,
                 2 * (rep.pairs - rep.same_station - rep.too_far - rep.no_road));
    cr_assert_eq(tt.nfoot, rep.added + 1); /* + transfers.txt's own */
}

Test(drayage, none_beyond_max_km) {
    struct rt_drayage_params p;
    rt_drayage_params_init(&p);
    p.max_km = 100;
    cr_assert_eq(rt_drayage_add(&tt, &net, &p, &rep), 0, "%s", rep.err);
    check_index();
    cr_assert_eq(foot("AAA", "XXAAA"), 12240);   /* 69.6 km */
    cr_assert_eq(foot("XXAAA", "XXCCC-1"), -1);  /* 138.2 km */
    cr_assert_eq(foot("XXCCC-T1", "XXAAA"), -1); /* 138.9 km */
    cr_assert_eq(foot("XXBBB", "XXAAA"), -1);    /* 1391 km */
    cr_assert_eq(foot("XXAAA", "YYDDD"), -1);
    cr_assert_eq(foot("ZZZ", "XXAAA"), -1); /* no geodata code */
    cr_assert_eq(foot("XXAAA", "ZZZ"), -1);
}

Test(drayage, network_road_max_km_and_island_rule) {
    struct rt_drayage_params p;
    rt_drayage_params_init(&p);
    p.max_km = 1e6;
    cr_assert_eq(rt_drayage_add(&tt, &net, &p, &rep), 0, "%s", rep.err);
    /* Under the network's road_max_km (1000): 10 deg of longitude is
     * 1113 km, 1391 km by road, so XXAAA and XXBBB stay apart. */
    cr_assert_eq(foot("XXAAA", "XXBBB"), -1);
    cr_assert_gt(rep.too_far, 0);
    cr_assert_eq(rep.no_road, 0);

    /* Lift that limit: now only the island rule keeps YYDDD (JP) off. */
    unload();
    load();
    net.params.road_max_km = 1e6;
    cr_assert_eq(rt_drayage_add(&tt, &net, &p, &rep), 0, "%s", rep.err);
    check_index();
    cr_assert_gt(foot("XXAAA", "XXBBB"), 0);
    cr_assert_gt(foot("XXBBB", "AAA"), 0);
    const char *others[] = {"XXAAA",    "AAA",   "XXCCC-1", "XXCCC-2",
                            "XXCCC-T1", "XXBBB", "BBB"};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        cr_assert_eq(foot("YYDDD", others[i]), -1, "%s", others[i]);
        cr_assert_eq(foot(others[i], "YYDDD"), -1, "%s", others[i]);
    }
    cr_assert_eq(rep.no_road, 7);
    cr_assert_eq(rep.too_far, 0);
}

Test(drayage, transfers_txt_wins) {
    add_defaults();
    cr_assert_eq(foot("XXAAA", "AAA"), 600); /* its own, not 12240 */
    cr_assert_eq(foot("AAA", "XXAAA"), 12240);
    cr_assert_eq(rep.skip_defined, 1);
    /* Running it again adds nothing: every pair is defined by now. */
    uint32_t n = tt.nfoot;
    add_defaults();
    cr_assert_eq(rep.added, 0);
    cr_assert_eq(tt.nfoot, n);
    cr_assert_eq(foot("AAA", "XXAAA"), 12240);
}

Test(drayage, forbidden_pair_gets_none) {
    add_defaults();
    cr_assert_eq(foot("XXCCC-T1", "XXCCC-1"), -1);
    cr_assert_eq(foot("XXCCC-1", "XXCCC-T1"), 8220); /* only one way is forbidden */
    cr_assert_eq(rep.skip_forbidden, 1);
}

Test(drayage, one_station_gets_none) {
    add_defaults();
    cr_assert_eq(foot("XXCCC-1", "XXCCC-2"), -1);
    cr_assert_eq(foot("XXCCC-2", "XXCCC-1"), -1);
    cr_assert_eq(foot("XXCCC", "XXAAA"), -1); /* the station itself is no stop */
    cr_assert_eq(foot("XXAAA", "XXCCC"), -1);
    cr_assert_eq(rep.same_station, 1);
}

Test(drayage, freight_road_cutoff_and_release) {
    static const char cutoffs[] = "node,mode,cutoff_h,source\n"
                                  ",road,1,test\n"
                                  "XXCCC-T1,road,3,test\n";
    static const char release[] = "node,mode,release_h,source\n"
                                  ",road,1,test\n";
    struct rt_freight fr;
    struct rt_drayage_params p;
    char err[256];
    rt_freight_init(&fr);
    cr_assert_eq(rt_freight_parse(&fr, RT_FREIGHT_CUTOFFS, cutoffs, sizeof(cutoffs) - 1,
                                  "cutoffs.csv", err, sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(rt_freight_parse(&fr, RT_FREIGHT_RELEASE, release, sizeof(release) - 1,
                                  "release.csv", err, sizeof(err)),
                 0, "%s", err);
    rt_drayage_params_init(&p);
    p.freight = &fr;
    p.handling_s = -1; /* unused with freight data */
    cr_assert_eq(rt_drayage_add(&tt, &net, &p, &rep), 0, "%s", rep.err);
    /* 1001.7 s of driving + 1 h cut-off + 1 h release. */
    cr_assert_eq(foot("XXCCC-2", "XXCCC-T1"), 8220);
    /* + 3 h cut-off at XXCCC-T1 + 1 h release. */
    cr_assert_eq(foot("XXCCC-T1", "XXCCC-2"), 15420);
    rt_freight_free(&fr);
}

Test(drayage, bad_parameters) {
    struct rt_drayage_params p;
    rt_drayage_params_init(&p);
    p.speed_kmh = 0;
    cr_assert_eq(rt_drayage_add(&tt, &net, &p, &rep), -1);
    cr_assert(strstr(rep.err, "bad parameters") != NULL, "%s", rep.err);
    rt_drayage_params_init(&p);
    p.handling_s = -5;
    cr_assert_eq(rt_drayage_add(&tt, &net, &p, &rep), -1);
    cr_assert_eq(tt.nfoot, 1);
    /* NULL parameters: the defaults. */
    cr_assert_eq(rt_drayage_add(&tt, &net, NULL, &rep), 0, "%s", rep.err);
    cr_assert_eq(foot("AAA", "XXAAA"), 12240);
}

Test(drayage, add_footpaths_merges_and_filters) {
    uint32_t a = stop("ZZZ"), b = stop("XXAAA"), c = stop("AAA"), d = stop("XXCCC-T1"),
             e = stop("XXCCC-1"), added = 99;
    const struct rt_footpath add[] = {
        {a, b, 60},
        {b, c, 60} /* transfers.txt's */,
        {d, e, 60} /* forbidden */,
        {a, a, 60} /* to itself */,
        {c, a, 120},
        {a, b, 180} /* repeat */,
    };
    cr_assert_eq(rt_timetable_add_footpaths(&tt, add, 6, &added), 0);
    check_index();
    cr_assert_eq(added, 2);
    cr_assert_eq(foot("XXAAA", "AAA"), 600);
    cr_assert_eq(foot("XXCCC-T1", "XXCCC-1"), -1);
    cr_assert_eq(foot("AAA", "ZZZ"), 120);
    cr_assert(foot("ZZZ", "XXAAA") == 60 || foot("ZZZ", "XXAAA") == 180);
    const struct rt_footpath bad = {a, tt.nstops, 60};
    cr_assert_eq(rt_timetable_add_footpaths(&tt, &bad, 1, &added), -1);
    cr_assert_eq(tt.nfoot, 3);
}

/* Ride XXBBB -> XXCCC-2, truck to XXCCC-T1, ride on to YYDDD. */
Test(drayage, csa_rides_truck_rides) {
    struct rt_csa_result *res = malloc(sizeof(*res));
    cr_assert_not_null(res);
    uint32_t from = stop("XXBBB"), to = stop("YYDDD");
    int day = rt_day_of_date(&tt, 20260106);
    cr_assert_geq(day, 0);
    int64_t ref = rt_local_time(&tt, tt.stops[from].zone, (uint32_t)day, 0);

    struct rt_csa_ws *ws = rt_csa_ws_new(&tt);
    cr_assert_not_null(ws);
    cr_assert_eq(rt_csa_earliest(&tt, ws, from, to, (uint32_t)(ref + 7 * 3600), res), 1,
                 "reachable without drayage");
    rt_csa_ws_free(ws);

    add_defaults();
    ws = rt_csa_ws_new(&tt);
    cr_assert_not_null(ws);
    cr_assert_eq(rt_csa_earliest(&tt, ws, from, to, (uint32_t)(ref + 7 * 3600), res),
                 0);
    cr_assert_eq((int64_t)res->arrival - ref, 21 * 3600);
    cr_assert_eq(res->nlegs, 3);
    cr_assert_eq(res->legs[0].kind, RT_LEG_RIDE);
    cr_assert_eq(res->legs[0].to, stop("XXCCC-2"));
    cr_assert_eq(res->legs[1].kind, RT_LEG_WALK);
    cr_assert_eq(res->legs[1].from, stop("XXCCC-2"));
    cr_assert_eq(res->legs[1].to, stop("XXCCC-T1"));
    cr_assert_eq((int64_t)res->legs[1].dep - ref, 10 * 3600);
    cr_assert_eq(res->legs[1].arr - res->legs[1].dep, 8220);
    cr_assert_eq(res->legs[2].kind, RT_LEG_RIDE);
    cr_assert_eq(res->legs[2].run, tt.conns[res->legs[2].board].run);
    cr_assert_eq(tt.runs[res->legs[2].run].trip, rt_trip_find(&tt, "T2B"));
    rt_csa_ws_free(ws);
    free(res);
}
