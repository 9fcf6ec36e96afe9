/* routing/mc.c on small hand-written feeds (Etc/UTC, daily service "D" on
 * 2026-03-10 .. 2026-03-16, service "D0" on 2026-03-10 only) with the
 * small freight table below.  Times in the comments are hours after 00:00
 * of 2026-03-10 (GTFS times past 24:00 run into the next days); every
 * expected value is worked out by hand next to its check, from THE RULES
 * of routing/mc.h.
 *
 * Freight table (hours; a pair or mode without a row: 0):
 *   handling  rail->sea 10, sea->rail 10, rail->rail 2, sea->sea 5
 *   cut-off   rail 3, sea 6, air 2
 *   release   rail 2, sea 4, air 1; node row DEDUI rail 0.5
 *   customs   border: rail 5; port_of_entry: sea 8, air 3
 *   tariffs   (per shipment, per kg, per kg-km; no TEU rates)
 *             sea 50 0.001 0.00001, river 40 0.002 0.00002,
 *             rail 100 0.01 0.0001, air 20 1 0.001, road 10 0.1 0.001
 *   CO2e      kg per t-km: sea 0.008, river 0.03, rail 0.01, air 0.5,
 *             road 0.1
 * Queries carry 1000 kg (1 t) unless they say otherwise, so a rail leg of
 * K km costs 100 + 1000 * (0.01 + 0.0001 K) USD and emits 0.01 K kg. */
#include "routing/freight.h"
#include "routing/gtfs.h"
#include "routing/mc.h"
#include "routing/overlay.h"

#include "geodata/nodes.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define H(h) ((long)((h)*3600))

static struct rt_timetable tt;
static struct rt_freight fr;
static struct rt_mc_net net;
static struct rt_mc_ws *ws;
static struct rt_mc_result res;
static int64_t ref; /* timetable seconds of 2026-03-10 00:00 UTC */

static const char *const freight_text[RT_FREIGHT_FILE_COUNT] = {
    "node,from_mode,to_mode,min_handling_h,source\n"
    ",rail,sea,10,x\n,sea,rail,10,x\n,rail,rail,2,x\n,sea,sea,5,x\n",
    "node,mode,cutoff_h,source\n,rail,3,x\n,sea,6,x\n,air,2,x\n",
    "node,mode,release_h,source\n,rail,2,x\n,sea,4,x\n,air,1,x\nDEDUI,rail,0.5,x\n",
    "node,applies_at,mode,dwell_h,source\n"
    ",border,rail,5,x\n,port_of_entry,sea,8,x\n,port_of_entry,air,3,x\n",
    "mode,currency,per_shipment_usd,per_kg_usd,per_kg_km_usd,per_teu_usd,per_teu_km_"
    "usd,"
    "source\n"
    "sea,USD,50,0.001,0.00001,,,x\nriver,USD,40,0.002,0.00002,,,x\n"
    "rail,USD,100,0.01,0.0001,,,x\nair,USD,20,1,0.001,,,x\nroad,USD,10,0.1,0.001,,,x\n",
    "mode,variant,is_default,kg_co2e_per_tkm,scope,source\n"
    "sea,v,1,0.008,WTW,x\nriver,v,1,0.03,WTW,x\nrail,v,1,0.01,WTW,x\n"
    "air,v,1,0.5,WTW,x\nroad,v,1,0.1,WTW,x\n",
};

/* A stop of a test feed: its customs territory and flags. */
struct sdef {
    const char *id;
    uint16_t territory;
    unsigned flags;
};

/* Km between two stops, either way round. */
struct kmdef {
    const char *a, *b;
    double km;
};

static void setup(void) {
    char err[256];
    rt_freight_init(&fr);
    for (int i = 0; i < RT_FREIGHT_FILE_COUNT; i++)
        cr_assert_eq(rt_freight_parse(&fr, (enum rt_freight_file)i, freight_text[i],
                                      strlen(freight_text[i]),
                                      rt_freight_file_name((enum rt_freight_file)i),
                                      err, sizeof(err)),
                     0, "%s", err);
    memset(&tt, 0, sizeof(tt));
    memset(&net, 0, sizeof(net));
    ws = NULL;
}

static void teardown(void) {
    rt_mc_ws_free(ws);
    rt_mc_net_free(&net);
    rt_timetable_free(&tt);
    rt_freight_free(&fr);
}

static double km_of(const struct kmdef *kd, const char *a, const char *b) {
    for (; kd->a; kd++)
        if ((!strcmp(kd->a, a) && !strcmp(kd->b, b)) ||
            (!strcmp(kd->a, b) && !strcmp(kd->b, a)))
            return kd->km;
    cr_assert_fail("no km for %s - %s", a, b);
    return 0;
}

/* Load the feed (stops SD, trips.txt TRIPS and stop_times.txt TIMES) with
 * the freight table, hop km from KD, and build the net and workspace. */
static void build_at(const struct sdef *sd, const char *trips, const char *times,
                     const struct kmdef *kd, const char *stops_txt);

static void build(const struct sdef *sd, const char *trips, const char *times,
                  const struct kmdef *kd) {
    build_at(sd, trips, times, kd, NULL);
}

/* As build, with stops.txt STOPS_TXT (positions) when not NULL. */
static void build_at(const struct sdef *sd, const char *trips, const char *times,
                     const struct kmdef *kd, const char *stops_txt) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\nA,A,Etc/UTC\n";
    static const char dates[] =
        "service_id,date,exception_type\n"
        "D,20260310,1\nD,20260311,1\nD,20260312,1\nD,20260313,1\n"
        "D,20260314,1\nD,20260315,1\nD,20260316,1\nD0,20260310,1\n";
    static const char routes[] = "route_id,agency_id,route_type\n"
                                 "RAIL,A,2\nSEA,A,4\nAIR,A,1100\nROAD,A,3\n";
    static struct rt_load_report rep;
    char stops[1024];
    size_t n =
        (size_t)snprintf(stops, sizeof(stops), "stop_id,stop_name,stop_lat,stop_lon\n");
    for (const struct sdef *s = sd; s->id; s++)
        n +=
            (size_t)snprintf(stops + n, sizeof(stops) - n, "%s,%s,1,1\n", s->id, s->id);
    cr_assert_lt(n, sizeof(stops));
    if (stops_txt) n = (size_t)snprintf(stops, sizeof(stops), "%s", stops_txt);
    cr_assert_lt(n, sizeof(stops));
    struct rt_gtfs_memfile files[] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"calendar_dates.txt", dates, sizeof(dates) - 1},
        {"routes.txt", routes, sizeof(routes) - 1},
        {"stops.txt", stops, n},
        {"trips.txt", trips, strlen(trips)},
        {"stop_times.txt", times, strlen(times)},
    };
    cr_assert_eq(
        rt_gtfs_load_memory(&tt, files, sizeof(files) / sizeof(files[0]), NULL, &rep),
        0, "%s", rep.err);
    for (int i = 0; i < RT_F_COUNT; i++)
        cr_assert_eq(rep.files[i].skipped, 0, "%s: %s",
                     rt_gtfs_file_name((enum rt_gtfs_file)i),
                     rep.files[i].nmsg ? rep.files[i].msg[0] : "");
    static struct rt_mc_stop_in in[32];
    static double hop[256];
    cr_assert_leq(tt.nstops, 32);
    cr_assert_leq(tt.nstop_times, 256);
    for (uint32_t s = 0; s < tt.nstops; s++) {
        const struct sdef *d = sd;
        while (strcmp(d->id, rt_str(&tt, tt.stops[s].id)))
            d++;
        in[s] = (struct rt_mc_stop_in){d->territory, d->flags};
    }
    for (uint32_t t = 0; t < tt.ntrips; t++)
        for (uint32_t p = 0; p + 1 < tt.trips[t].nstops; p++) {
            uint32_t i = tt.trips[t].first_stop_time + p;
            hop[i] = km_of(kd, rt_str(&tt, tt.stops[tt.stop_times[i].stop].id),
                           rt_str(&tt, tt.stops[tt.stop_times[i + 1].stop].id));
        }
    ref = rt_local_time(&tt, 0, 0, 0);
    cr_assert_eq(rt_mc_net_build(&net, &tt, &fr, in, NULL, hop, NULL), 0);
    ws = rt_mc_ws_new(&net);
    cr_assert_not_null(ws);
}

static uint32_t stop(const char *id) {
    uint32_t s = rt_stop_find(&tt, id);
    cr_assert_neq(s, RT_NONE, "no stop %s", id);
    return s;
}

/* A query FROM -> TO with the cargo ready SECS after ref: 1000 kg, every
 * mode, the defaults. */
static struct rt_mc_query query(const char *from, const char *to, long secs) {
    struct rt_mc_query q = {0};
    q.from = stop(from);
    q.to = stop(to);
    q.depart = (uint32_t)(ref + secs);
    q.weight_kg = 1000;
    return q;
}

/* Run Q into res: it must succeed, and the legs must chain. */
static void search(const struct rt_mc_query *q) {
    cr_assert_eq(rt_mc_search(&net, NULL, ws, q, &res), 0);
    for (uint32_t i = 0; i < res.n; i++) {
        const struct rt_mc_journey *j = &res.j[i];
        cr_assert_geq(j->nlegs, 1);
        for (uint32_t l = 1; l < j->nlegs; l++)
            cr_assert_eq(j->legs[l].leg.from, j->legs[l - 1].leg.to);
        cr_assert_eq(j->departure, j->legs[0].leg.dep);
        cr_assert_eq(j->arrival, j->legs[j->nlegs - 1].leg.arr);
    }
}

/* Journey I of res: available SECS after ref, LEGS legs, COST cents, CO2
 * grams. */
static void expect_j(uint32_t i, long avail, uint32_t legs, int64_t cost, int64_t co2) {
    cr_assert_lt(i, res.n, "journey %u of %u", i, res.n);
    const struct rt_mc_journey *j = &res.j[i];
    cr_expect_eq((long)((int64_t)j->available - ref), avail,
                 "journey %u: available %ld, want %ld", i,
                 (long)((int64_t)j->available - ref), avail);
    cr_expect_eq(j->nlegs, legs, "journey %u: %u legs, want %u", i, j->nlegs, legs);
    cr_expect_eq(j->cost_cents, cost, "journey %u: %lld cents, want %lld", i,
                 (long long)j->cost_cents, (long long)cost);
    cr_expect_eq(j->co2e_g, co2, "journey %u: %lld g, want %lld", i,
                 (long long)j->co2e_g, (long long)co2);
}

static long rel(uint32_t t) {
    return (long)((int64_t)t - ref);
}

TestSuite(mc, .init = setup, .fini = teardown);

Test(mc, order_names) {
    cr_expect_eq(rt_mc_order_parse("time"), RT_MC_BY_TIME);
    cr_expect_eq(rt_mc_order_parse("cost"), RT_MC_BY_COST);
    cr_expect_eq(rt_mc_order_parse("co2"), RT_MC_BY_CO2);
    cr_expect_eq(rt_mc_order_parse("Time"), -1);
    cr_expect_eq(rt_mc_order_parse(""), -1);
}

/* T1 CNXIA 02:00 -> CNXIB 10:00 and T2 CNXIA 05:00 -> CNXIB 13:00, daily,
 * 1000 km.  Ready at 00:00, the rail cut-off (3 h) misses T1 (0 + 3 > 2)
 * and makes T2 (0 + 3 <= 5): available 13 + release 2 = 15:00.  T1 the
 * next day (available 26 + 8 + 2 = 36) ties on cost and CO2e and is later.
 * Cost 100 + 1000 * (0.01 + 0.1) = 210 USD = 21000 cents; CO2e 0.01 * 1000
 * km * 1 t = 10 kg.  Ready at 23:00 the day before, T1 is made exactly
 * (23 - 24 + 3 = 2 <= 2): available 12:00. */
Test(mc, cutoff_misses_the_first_departure) {
    static const struct sdef sd[] = {{"CNXIA", 0, 0}, {"CNXIB", 0, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {{"CNXIA", "CNXIB", 1000}, {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D,T1\nRAIL,D,T2\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "T1,02:00:00,02:00:00,CNXIA,1\nT1,10:00:00,10:00:00,CNXIB,2\n"
          "T2,05:00:00,05:00:00,CNXIA,1\nT2,13:00:00,13:00:00,CNXIB,2\n",
          kd);
    struct rt_mc_query q = query("CNXIA", "CNXIB", 0);
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(15), 1, 21000, 10000);
    cr_expect_eq(rel(res.j[0].departure), H(5));
    cr_expect_eq(rel(res.j[0].arrival), H(13));
    cr_expect_eq(rel(res.earliest), H(15));
    cr_expect_eq(res.j[0].legs[0].mode, RT_FMODE_RAIL);
    cr_expect_eq(rel(res.j[0].legs[0].ready), 0);
    cr_expect_eq(res.j[0].legs[0].customs_s, 0);
    cr_expect_eq(rel(res.j[0].latest_ready), H(2), "T2 at 05:00 less the 3 h cut-off");
    cr_expect_float_eq(res.j[0].km, 1000, 1e-9);

    q = query("CNXIA", "CNXIB", -H(1));
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(12), 1, 21000, 10000);
    cr_expect_eq(rel(res.j[0].departure), H(2));
}

/* R rail CNXIA 04:00 -> CNSHA 10:00 (1000 km); S1 sea CNSHA 15:00 ->
 * CNNGB 30:00 and S2 sea CNSHA 20:00 -> CNNGB 35:00 (200 km), all daily,
 * one territory.  Rail -> sea handling at CNSHA is 10 h: S1 is missed
 * (10 + 10 > 15), S2 is made exactly (10 + 10 <= 20).  Available 35 + 4
 * (sea release) = 39:00.  Cost 21000 + (50 + 1000 * (0.001 + 0.002)) * 100
 * = 21000 + 5300 = 26300 cents; CO2e 10 kg + 0.008 * 200 = 11.6 kg. */
Test(mc, handling_between_rail_and_sea_at_a_port) {
    static const struct sdef sd[] = {{"CNXIA", 0, 0},
                                     {"CNSHA", 0, CUSTOMS_PORT_OF_ENTRY},
                                     {"CNNGB", 0, CUSTOMS_PORT_OF_ENTRY},
                                     {NULL, 0, 0}};
    static const struct kmdef kd[] = {
        {"CNXIA", "CNSHA", 1000}, {"CNSHA", "CNNGB", 200}, {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D,R\nSEA,D,S1\nSEA,D,S2\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "R,04:00:00,04:00:00,CNXIA,1\nR,10:00:00,10:00:00,CNSHA,2\n"
          "S1,15:00:00,15:00:00,CNSHA,1\nS1,30:00:00,30:00:00,CNNGB,2\n"
          "S2,20:00:00,20:00:00,CNSHA,1\nS2,35:00:00,35:00:00,CNNGB,2\n",
          kd);
    struct rt_mc_query q = query("CNXIA", "CNNGB", 0);
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(39), 2, 26300, 11600);
    const struct rt_mc_journey *j = &res.j[0];
    cr_expect_eq(j->legs[0].mode, RT_FMODE_RAIL);
    cr_expect_eq(j->legs[1].mode, RT_FMODE_SEA);
    cr_expect_eq(rel(j->legs[1].ready), H(10));
    cr_expect_eq(rel(j->legs[1].leg.dep), H(20), "S2, not S1");
    cr_expect_eq(j->legs[0].cost_cents, 21000);
    cr_expect_eq(j->legs[1].cost_cents, 5300);
    cr_expect_eq(j->legs[1].co2e_g, 1600);
    cr_expect_eq(j->legs[0].customs_s, 0, "one territory: no clearance");
    cr_expect_eq(j->legs[1].customs_s, 0);
}

/* T rail CNXIA 04:00 -> KZDOS 10:00/12:00 -> PLMAL 20:00 (3000 + 4000 km),
 * daily; territories CN 0, KZ 1, EU 2; KZDOS and PLMAL are borders (rail
 * dwell 5 h).  V sea CNSHA 08:00 -> DEHAM 100:00 (18000 km), daily;
 * DEHAM a port of entry (sea dwell 8 h).
 *   CNXIA -> PLMAL: staying on through Kazakhstan does not clear there;
 *   clearing at PLMAL: available 20 + 5 + 2 = 27:00, customs_s 5 h.
 *   (Leaving the train at KZDOS to clear and re-boarding it is not
 *   possible: 10 + 5 > 12.)  Cost 100 + 1000 * (0.01 + 0.7) = 810 USD;
 *   CO2e 70 kg.
 *   CNXIA -> KZDOS: clears there: 10 + 5 + 2 = 17:00; 100 + 1000 * 0.31 =
 *   410 USD; 30 kg.
 *   CNSHA -> DEHAM: 100 + 8 + 4 = 112:00; 50 + 1000 * (0.001 + 0.18) = 231
 *   USD; 0.008 * 18000 = 144 kg. */
Test(mc, customs_at_the_first_point_of_entry_not_in_transit) {
    static const struct sdef sd[] = {{"CNXIA", 0, 0},
                                     {"KZDOS", 1, CUSTOMS_BORDER},
                                     {"PLMAL", 2, CUSTOMS_BORDER},
                                     {"CNSHA", 0, CUSTOMS_PORT_OF_ENTRY},
                                     {"DEHAM", 2, CUSTOMS_PORT_OF_ENTRY},
                                     {NULL, 0, 0}};
    static const struct kmdef kd[] = {{"CNXIA", "KZDOS", 3000},
                                      {"KZDOS", "PLMAL", 4000},
                                      {"CNSHA", "DEHAM", 18000},
                                      {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D,T\nSEA,D,V\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "T,04:00:00,04:00:00,CNXIA,1\nT,10:00:00,12:00:00,KZDOS,2\n"
          "T,20:00:00,20:00:00,PLMAL,3\n"
          "V,08:00:00,08:00:00,CNSHA,1\nV,100:00:00,100:00:00,DEHAM,2\n",
          kd);
    struct rt_mc_query q = query("CNXIA", "PLMAL", 0);
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(27), 1, 81000, 70000);
    cr_expect_eq(res.j[0].legs[0].customs_s, H(5));
    cr_expect_eq(rel(res.j[0].arrival), H(20));

    q = query("CNXIA", "KZDOS", 0);
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(17), 1, 41000, 30000);
    cr_expect_eq(res.j[0].legs[0].customs_s, H(5));

    q = query("CNSHA", "DEHAM", 0);
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(112), 1, 23100, 144000);
    cr_expect_eq(res.j[0].legs[0].customs_s, H(8));
}

/* T rail CNXIA 04:00 -> CNXIB 10:00 -> DEDUI 12:00 (1000 + 500 km), one
 * territory.  Release: the rail default 2 h at CNXIB (10 + 2 = 12:00), the
 * node row 0.5 h at DEDUI (12 + 0.5 = 12:30). */
Test(mc, release_at_the_target) {
    static const struct sdef sd[] = {
        {"CNXIA", 0, 0}, {"CNXIB", 0, 0}, {"DEDUI", 0, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {
        {"CNXIA", "CNXIB", 1000}, {"CNXIB", "DEDUI", 500}, {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D0,T\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "T,04:00:00,04:00:00,CNXIA,1\nT,10:00:00,10:00:00,CNXIB,2\n"
          "T,12:00:00,12:00:00,DEDUI,3\n",
          kd);
    struct rt_mc_query q = query("CNXIA", "CNXIB", 0);
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(12), 1, 21000, 10000);
    q = query("CNXIA", "DEDUI", 0);
    search(&q);
    cr_assert_eq(res.n, 1);
    /* 100 + 1000 * (0.01 + 0.15) = 260 USD; 15 kg. */
    expect_j(0, H(12.5), 1, 26000, 15000);
    cr_expect_eq(rel(res.j[0].arrival), H(12));
}

/* Three ways from CNORG to DEDST (one territory, 2026-03-10 only):
 *   A1 air  06:00 -> 12:00, 5000 km: available 12 + 1 = 13:00;
 *      20 + 1000 * (1 + 5) = 6020 USD; 0.5 * 5000 = 2500 kg;
 *   R1 rail 06:00 -> 42:00, 6000 km: 42 + 2 = 44:00;
 *      100 + 1000 * (0.01 + 0.6) = 710 USD; 60 kg;
 *   S1 sea  08:00 -> 68:00, 12000 km: 68 + 4 = 72:00;
 *      50 + 1000 * (0.001 + 0.12) = 171 USD; 96 kg.
 * None dominates another.  Default slack: E = 13, so the scope ends at
 * 2 * 13 + 24 = 50:00 and the sea leg (72:00) is out; with slack_factor
 * -1 all three are in. */
static void build_three_ways(void) {
    static const struct sdef sd[] = {{"CNORG", 0, 0}, {"DEDST", 0, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {{"CNORG", "DEDST", 0}, {NULL, NULL, 0}};
    /* Every trip is one hop CNORG -> DEDST; the km differ by trip, so the
     * hop km are set per trip after the build. */
    build(sd, "route_id,service_id,trip_id\nAIR,D0,A1\nRAIL,D0,R1\nSEA,D0,S1\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "A1,06:00:00,06:00:00,CNORG,1\nA1,12:00:00,12:00:00,DEDST,2\n"
          "R1,06:00:00,06:00:00,CNORG,1\nR1,42:00:00,42:00:00,DEDST,2\n"
          "S1,08:00:00,08:00:00,CNORG,1\nS1,68:00:00,68:00:00,DEDST,2\n",
          kd);
    static double hop[8];
    static const struct {
        const char *trip;
        double km;
    } kms[] = {{"A1", 5000}, {"R1", 6000}, {"S1", 12000}};
    for (int i = 0; i < 3; i++) {
        uint32_t t = rt_trip_find(&tt, kms[i].trip);
        cr_assert_neq(t, RT_NONE);
        hop[tt.trips[t].first_stop_time] = kms[i].km;
    }
    rt_mc_ws_free(ws);
    rt_mc_net_free(&net);
    cr_assert_eq(rt_mc_net_build(&net, &tt, &fr, NULL, NULL, hop, NULL), 0);
    ws = rt_mc_ws_new(&net);
    cr_assert_not_null(ws);
}

Test(mc, pareto_set_sorted_by_time_cost_and_co2) {
    build_three_ways();
    struct rt_mc_query q = query("CNORG", "DEDST", 0);
    search(&q);
    cr_assert_eq(res.n, 2, "default slack: air and rail, %u journeys", res.n);
    expect_j(0, H(13), 1, 602000, 2500000);
    expect_j(1, H(44), 1, 71000, 60000);
    cr_expect_eq(rel(res.earliest), H(13));

    q.slack_factor = -1;
    search(&q);
    cr_assert_eq(res.n, 3);
    expect_j(0, H(13), 1, 602000, 2500000);
    expect_j(1, H(44), 1, 71000, 60000);
    expect_j(2, H(72), 1, 17100, 96000);
    cr_expect_eq(res.j[0].legs[0].mode, RT_FMODE_AIR);
    cr_expect_eq(res.j[2].legs[0].mode, RT_FMODE_SEA);

    q.order = RT_MC_BY_COST; /* sea 17100, rail 71000, air 602000 */
    search(&q);
    cr_assert_eq(res.n, 3);
    expect_j(0, H(72), 1, 17100, 96000);
    expect_j(1, H(44), 1, 71000, 60000);
    expect_j(2, H(13), 1, 602000, 2500000);

    q.order = RT_MC_BY_CO2; /* rail 60 kg, sea 96 kg, air 2500 kg */
    search(&q);
    cr_assert_eq(res.n, 3);
    expect_j(0, H(44), 1, 71000, 60000);
    expect_j(1, H(72), 1, 17100, 96000);
    expect_j(2, H(13), 1, 602000, 2500000);

    /* max_days 2: the scope ends at 48:00, the sea leg is out. */
    q.order = RT_MC_BY_TIME;
    q.max_days = 2;
    search(&q);
    cr_assert_eq(res.n, 2);
    expect_j(1, H(44), 1, 71000, 60000);
}

/* Without air: E = 44, the scope ends at 2 * 44 + 24 = 112:00, so rail and
 * sea.  Air alone: just A1.  Sea and rail without air nor road: the same
 * as without air. */
Test(mc, mode_filter_excludes_air) {
    build_three_ways();
    struct rt_mc_query q = query("CNORG", "DEDST", 0);
    q.modes = (1u << RT_FMODE_SEA) | (1u << RT_FMODE_RIVER) | (1u << RT_FMODE_RAIL) |
              (1u << RT_FMODE_ROAD);
    search(&q);
    cr_assert_eq(res.n, 2);
    expect_j(0, H(44), 1, 71000, 60000);
    expect_j(1, H(72), 1, 17100, 96000);
    cr_expect_eq(rel(res.earliest), H(44));
    for (uint32_t i = 0; i < res.n; i++)
        cr_expect_neq(res.j[i].legs[0].mode, RT_FMODE_AIR);

    q.modes = 1u << RT_FMODE_AIR;
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(13), 1, 602000, 2500000);

    q.modes = 1u << RT_FMODE_ROAD; /* nothing runs by road here */
    search(&q);
    cr_expect_eq(res.n, 0);
    cr_expect_eq(res.earliest, UINT32_MAX);
}

/* A rail CNXIA 03:00 -> CNMID 05:00 (500 km), B rail CNMID 08:00 -> CNEND
 * 10:00 (500 km), C rail CNXIA 04:00 -> CNEND 20:00 (1000 km); 2026-03-10
 * only.  A is made exactly (0 + 3 <= 3), B after rail -> rail handling
 * (5 + 2 <= 8): two legs, available 10 + 2 = 12:00, 2 * (100 + 1000 * 0.06)
 * = 320 USD, 10 kg.  C: one leg, 22:00, 210 USD, 10 kg.  Both are in the
 * Pareto set (fewer legs vs earlier); max_legs 1 leaves C alone. */
Test(mc, max_legs_one) {
    static const struct sdef sd[] = {
        {"CNXIA", 0, 0}, {"CNMID", 0, 0}, {"CNEND", 0, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {{"CNXIA", "CNMID", 500},
                                      {"CNMID", "CNEND", 500},
                                      {"CNXIA", "CNEND", 1000},
                                      {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D0,A\nRAIL,D0,B\nRAIL,D0,C\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "A,03:00:00,03:00:00,CNXIA,1\nA,05:00:00,05:00:00,CNMID,2\n"
          "B,08:00:00,08:00:00,CNMID,1\nB,10:00:00,10:00:00,CNEND,2\n"
          "C,04:00:00,04:00:00,CNXIA,1\nC,20:00:00,20:00:00,CNEND,2\n",
          kd);
    struct rt_mc_query q = query("CNXIA", "CNEND", 0);
    search(&q);
    cr_assert_eq(res.n, 2);
    expect_j(0, H(12), 2, 32000, 10000);
    expect_j(1, H(22), 1, 21000, 10000);
    cr_expect_eq(rel(res.j[0].legs[1].ready), H(5));

    q.max_legs = 1;
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(22), 1, 21000, 10000);
    cr_expect_eq(rel(res.earliest), H(22));
}

/* N rail CNXIA 22:00 -> CNFAR 50:00 (02:00 two days later), daily, 2000
 * km: 100 + 1000 * 0.21 = 310 USD, 20 kg.  Ready 2026-03-11 00:00 (24):
 * that day's run leaves at 24 + 22 = 46 (24 + 3 <= 46) and arrives at
 * 24 + 50 = 74; available 76:00.  Ready 2026-03-11 20:00 (44): 44 + 3 > 46,
 * so the next day's run: 48 + 50 + 2 = 100:00. */
Test(mc, overnight_multi_day_trip) {
    static const struct sdef sd[] = {{"CNXIA", 0, 0}, {"CNFAR", 0, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {{"CNXIA", "CNFAR", 2000}, {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D,N\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "N,22:00:00,22:00:00,CNXIA,1\nN,50:00:00,50:00:00,CNFAR,2\n",
          kd);
    struct rt_mc_query q = query("CNXIA", "CNFAR", H(24));
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(76), 1, 31000, 20000);
    cr_expect_eq(rel(res.j[0].departure), H(46));
    cr_expect_eq(rel(res.j[0].arrival), H(74));

    q = query("CNXIA", "CNFAR", H(44));
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(100), 1, 31000, 20000);
    cr_expect_eq(rel(res.j[0].departure), H(70));
}

/* A rail CNXIA 03:00 -> CNMID 05:00 on 2026-03-10 only; B rail CNMID 08:00
 * -> CNEND 10:00 daily (500 km each).  On the schedule: A, B the same day,
 * available 12:00.  A delayed 2 h at CNMID (estimated): it arrives 07:00,
 * 7 + 2 (handling) > 8 misses B that day, so B the next day: 32:00 ->
 * 34:00, available 36:00, A's arrival estimated.  A cancelled: nothing. */
Test(mc, overlay_delay_breaks_a_connection_and_cancel_removes_a_trip) {
    static const struct sdef sd[] = {
        {"CNXIA", 0, 0}, {"CNMID", 0, 0}, {"CNEND", 0, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {
        {"CNXIA", "CNMID", 500}, {"CNMID", "CNEND", 500}, {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D0,A\nRAIL,D,B\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "A,03:00:00,03:00:00,CNXIA,1\nA,05:00:00,05:00:00,CNMID,2\n"
          "B,08:00:00,08:00:00,CNMID,1\nB,10:00:00,10:00:00,CNEND,2\n",
          kd);
    struct rt_overlay *ov = rt_overlay_new(&tt);
    cr_assert_not_null(ov);
    struct rt_mc_query q = query("CNXIA", "CNEND", 0);
    cr_assert_eq(rt_mc_search(&net, ov, ws, &q, &res), 0);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(12), 2, 32000, 10000);
    cr_expect_eq(res.j[0].legs[0].leg.arr_src, RT_TIME_SCHEDULED);

    uint32_t a = rt_overlay_find_run(&tt, "A", 20260310, -1);
    cr_assert_neq(a, RT_NONE);
    cr_assert_eq(rt_overlay_set_delay(ov, a, 1, H(2), RT_OV_UNSET, RT_TIME_ESTIMATED),
                 0);
    cr_assert_eq(rt_mc_search(&net, ov, ws, &q, &res), 0);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(36), 2, 32000, 10000);
    const struct rt_mc_journey *j = &res.j[0];
    cr_expect_eq(rel(j->legs[0].leg.dep), H(3));
    cr_expect_eq(j->legs[0].leg.dep_src, RT_TIME_SCHEDULED);
    cr_expect_eq(rel(j->legs[0].leg.arr), H(7));
    cr_expect_eq(j->legs[0].leg.arr_src, RT_TIME_ESTIMATED);
    cr_expect_eq(rel(j->legs[1].ready), H(7));
    cr_expect_eq(rel(j->legs[1].leg.dep), H(32), "B the next day");
    cr_expect_eq(j->legs[1].leg.dep_src, RT_TIME_SCHEDULED);
    cr_expect_geq(j->legs[0].leg.alight, tt.nconns,
                  "A's hop from the overlay's side array");
    cr_expect_geq(res.scan_end, q.depart);

    /* The schedule is still there without the overlay. */
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(12), 2, 32000, 10000);

    cr_assert_eq(rt_overlay_cancel(ov, a), 0);
    cr_assert_eq(rt_mc_search(&net, ov, ws, &q, &res), 0);
    cr_expect_eq(res.n, 0, "A cancelled: %u journeys", res.n);
    cr_expect_eq(res.earliest, UINT32_MAX);
    rt_overlay_free(ov);
}

Test(mc, bad_arguments) {
    static const struct sdef sd[] = {{"CNXIA", 0, 0}, {"CNXIB", 0, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {{"CNXIA", "CNXIB", 1000}, {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D,T1\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "T1,05:00:00,05:00:00,CNXIA,1\nT1,13:00:00,13:00:00,CNXIB,2\n",
          kd);
    struct rt_mc_query q = query("CNXIA", "CNXIB", 0);
    q.weight_kg = 0;
    cr_expect_eq(rt_mc_search(&net, NULL, ws, &q, &res), -1, "weight 0");
    q.weight_kg = -5;
    cr_expect_eq(rt_mc_search(&net, NULL, ws, &q, &res), -1, "negative weight");
    q.weight_kg = 1000;
    q.teu = -1;
    cr_expect_eq(rt_mc_search(&net, NULL, ws, &q, &res), -1, "negative teu");
    q.teu = 0;
    q.from = tt.nstops;
    cr_expect_eq(rt_mc_search(&net, NULL, ws, &q, &res), -1, "from out of range");
    q.from = stop("CNXIA");
    q.to = RT_NONE;
    cr_expect_eq(rt_mc_search(&net, NULL, ws, &q, &res), -1, "to out of range");
    q.to = stop("CNXIB");

    /* An overlay for another timetable. */
    struct rt_timetable other;
    memset(&other, 0, sizeof(other));
    other.nruns = tt.nruns;
    struct rt_overlay *ov = rt_overlay_new(&other);
    cr_assert_not_null(ov);
    cr_expect_eq(rt_mc_search(&net, ov, ws, &q, &res), -1,
                 "overlay of another timetable");
    rt_overlay_free(ov);

    /* And the query itself is fine. */
    cr_expect_eq(rt_mc_search(&net, NULL, ws, &q, &res), 0);
    cr_expect_eq(res.n, 1);
}

/* T rail CNXIA 04:00 -> KZDOS 10:00 and U rail CNXIA 04:00 -> KZALA 12:00
 * (1000 km each, 2026-03-10 only); CNXIA in CN (0), KZDOS and KZALA in KZ
 * (1); KZDOS is a border, KZALA has no customs flag and no customs row.
 * A query override of the rail customs dwell, 1 h, changes how long
 * clearance takes where cargo clears (freight.h: rt_freight_customs_dwell
 * is 0 at a node with neither flag nor row, override or not):
 *   CNXIA -> KZDOS: 10 + 1 (not 5) + 2 = 13:00, customs_s 1 h;
 *   CNXIA -> KZALA: 12 + 0 + 2 = 14:00, customs_s 0, with or without the
 *   override.
 * (mc.c once applied the override's dwell at KZALA too: 15:00, customs_s
 * 1 h; fixed in a4daa4d.) */
Test(mc, customs_override_changes_the_dwell_not_where_it_clears) {
    static const struct sdef sd[] = {
        {"CNXIA", 0, 0}, {"KZDOS", 1, CUSTOMS_BORDER}, {"KZALA", 1, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {
        {"CNXIA", "KZDOS", 1000}, {"CNXIA", "KZALA", 1000}, {NULL, NULL, 0}};
    build(sd, "route_id,service_id,trip_id\nRAIL,D0,T\nRAIL,D0,U\n",
          "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
          "T,04:00:00,04:00:00,CNXIA,1\nT,10:00:00,10:00:00,KZDOS,2\n"
          "U,04:00:00,04:00:00,CNXIA,1\nU,12:00:00,12:00:00,KZALA,2\n",
          kd);
    struct rt_freight_override o;
    rt_freight_override_init(&o);
    o.customs_s[RT_FMODE_RAIL] = 3600;
    cr_assert_eq(rt_freight_customs_dwell(&fr, "KZALA", 0, RT_FMODE_RAIL, &o), 0);
    cr_assert_eq(
        rt_freight_customs_dwell(&fr, "KZDOS", CUSTOMS_BORDER, RT_FMODE_RAIL, &o),
        3600);

    struct rt_mc_query q = query("CNXIA", "KZALA", 0);
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(14), 1, 21000, 10000);
    cr_expect_eq(res.j[0].legs[0].customs_s, 0);

    q = query("CNXIA", "KZDOS", 0);
    q.override = &o;
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(13), 1, 21000, 10000);
    cr_expect_eq(res.j[0].legs[0].customs_s, H(1));

    q = query("CNXIA", "KZALA", 0);
    q.override = &o;
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(14), 1, 21000, 10000);
    cr_expect_eq(res.j[0].legs[0].customs_s, 0,
                 "customs_s %d at a stop that is no customs point",
                 res.j[0].legs[0].customs_s);
}

/* Pruning must use the query's override, not the data alone.  Every mode
 * costs 1000 USD a leg in the data (no per-kg or per-km part), nothing
 * emits; the query overrides sea to cost nothing.  Stops apart: CNORG
 * (30, 100), CNMID (30, 100.5), CNDST (30, 101).
 *   F rail CNORG 04:00 -> CNDST 06:00 (100 km): 0 + 3 <= 4; available
 *     6 + 2 = 8:00, 1 leg, 1000 USD;
 *   L sea CNORG 06:00 -> CNMID 07:00 (0 + 6 <= 6), sea CNMID 12:00 ->
 *     CNDST 14:00 (7 + 5 <= 12), 50 km each: available 14 + 4 = 18:00,
 *     2 legs, 0 USD (in scope: 18 <= 2 * 8 + 24).
 * Both are in the Pareto set.  A bound for the rest of L from CNMID
 * taken from the data (one more leg at 1000 USD at least) would let F
 * "beat" L and drop it. */
Test(mc, pruning_respects_the_query_override) {
    static const char tariffs[] =
        "mode,currency,per_shipment_usd,per_kg_usd,per_kg_km_usd,per_teu_usd,per_teu_"
        "km_usd,"
        "source\n"
        "sea,USD,1000,0,0,,,x\nriver,USD,1000,0,0,,,x\nrail,USD,1000,0,0,,,x\n"
        "air,USD,1000,0,0,,,x\nroad,USD,1000,0,0,,,x\n";
    static const char emissions[] =
        "mode,variant,is_default,kg_co2e_per_tkm,scope,source\n"
        "sea,v,1,0,WTW,x\nriver,v,1,0,WTW,x\nrail,v,1,0,WTW,x\n"
        "air,v,1,0,WTW,x\nroad,v,1,0,WTW,x\n";
    char err[256];
    rt_freight_free(&fr);
    rt_freight_init(&fr);
    for (int i = 0; i < RT_FREIGHT_FILE_COUNT; i++) {
        const char *text = i == RT_FREIGHT_TARIFFS     ? tariffs
                           : i == RT_FREIGHT_EMISSIONS ? emissions
                                                       : freight_text[i];
        cr_assert_eq(rt_freight_parse(&fr, (enum rt_freight_file)i, text, strlen(text),
                                      "x", err, sizeof(err)),
                     0, "%s", err);
    }
    static const struct sdef sd[] = {
        {"CNORG", 0, 0}, {"CNMID", 0, 0}, {"CNDST", 0, 0}, {NULL, 0, 0}};
    static const struct kmdef kd[] = {{"CNORG", "CNDST", 100},
                                      {"CNORG", "CNMID", 50},
                                      {"CNMID", "CNDST", 50},
                                      {NULL, NULL, 0}};
    build_at(sd, "route_id,service_id,trip_id\nRAIL,D0,F\nSEA,D0,L1\nSEA,D0,L2\n",
             "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
             "F,04:00:00,04:00:00,CNORG,1\nF,06:00:00,06:00:00,CNDST,2\n"
             "L1,06:00:00,06:00:00,CNORG,1\nL1,07:00:00,07:00:00,CNMID,2\n"
             "L2,12:00:00,12:00:00,CNMID,1\nL2,14:00:00,14:00:00,CNDST,2\n",
             kd,
             "stop_id,stop_name,stop_lat,stop_lon\n"
             "CNORG,CNORG,30,100\nCNMID,CNMID,30,100.5\nCNDST,CNDST,30,101\n");
    struct rt_freight_override o;
    rt_freight_override_init(&o);
    o.tariff[RT_FMODE_SEA] = (struct rt_freight_tariff){1, 0, 0, 0, 0, 0, 0};
    struct rt_mc_query q = query("CNORG", "CNDST", 0);
    q.override = &o;
    search(&q);
    cr_assert_eq(res.n, 2, "%u journeys", res.n);
    expect_j(0, H(8), 1, 100000, 0);
    expect_j(1, H(18), 2, 0, 0);

    /* Without the override L costs 2000 USD: dominated by F. */
    q.override = NULL;
    search(&q);
    cr_assert_eq(res.n, 1);
    expect_j(0, H(8), 1, 100000, 0);
}
