/* Tests for server/crosscheck.c: every rule fires on a case built for it
 * (exact rule, severity, declared / observed values and event ids) and
 * stays quiet on a near miss, over the shipped nodes.csv and
 * customs_offices.csv. */
#include "server/crosscheck.h"
#include "geodata/geodesy.h"
#include "geodata/timefmt.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct geo_nodes nodes;
static struct cx_offices offices;
static struct xc_places places;
static struct xc_limits lim;
static struct carrier_batch batch;

static void setup(void) {
    char err[640];
    cr_assert_eq(geo_nodes_load(&nodes, ut_path("geodata/data/nodes.csv"), err, sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(cx_offices_load(&offices, ut_path("geodata/data/customs_offices.csv"), err,
                                 sizeof(err)), 0, "%s", err);
    places.nodes = &nodes;
    places.offices = &offices;
    xc_limits_default(&lim);
    carrier_batch_init(&batch);
}

static void teardown(void) {
    carrier_batch_free(&batch);
    cx_offices_free(&offices);
    geo_nodes_free(&nodes);
}

TestSuite(crosscheck, .init = setup, .fini = teardown);

#define H 3600
#define DAY 86400

static int64_t at(const char *iso) {
    int64_t t;
    char why[100];
    cr_assert_eq(time_parse_iso8601(iso, &t, why, sizeof(why)), 0, "%s", why);
    return t;
}

static int64_t T0;   /* 2026-03-01T00:00:00Z */

/* Add event ID: STATUS, CLS, MODE at LOC (may be "") at T0 + DT seconds. */
static struct carrier_event *add(const char *id, enum carrier_status st,
                                 enum carrier_classifier cls, enum carrier_mode mode,
                                 const char *loc, int64_t dt) {
    struct carrier_event *e = carrier_batch_add(&batch);
    cr_assert_not_null(e);
    if (T0 == 0) T0 = at("2026-03-01T00:00:00Z");
    snprintf(e->event_id, sizeof(e->event_id), "%s", id);
    snprintf(e->source, sizeof(e->source), "dcsa-tnt");
    snprintf(e->code, sizeof(e->code), "%s", carrier_status_name(st));
    e->status = st;
    e->classifier = cls;
    e->mode = mode;
    snprintf(e->location, sizeof(e->location), "%s", loc);
    snprintf(e->loc_kind, sizeof(e->loc_kind), "%s", strlen(loc) == 3 ? "iata" : "unlocode");
    e->event_time = T0 + dt;
    return e;
}

#define ACT CC_ACTUAL
#define PLN CC_PLANNED
#define EST CC_ESTIMATED

static void ref(struct carrier_event *e, const char *kind, const char *value) {
    cr_assert_eq(carrier_event_add_ref(e, kind, value), 0);
}

static struct xc_result res[32];

/* xc_check over the batch in the order added (REVERSE: backwards). */
static size_t run_order(const struct xc_decl *d, int reverse) {
    const struct carrier_event *p[64];
    cr_assert_leq(batch.n, 64);
    for (size_t i = 0; i < batch.n; i++) p[i] = &batch.ev[reverse ? batch.n - 1 - i : i];
    memset(res, 0, sizeof(res));
    return xc_check(d, p, batch.n, &places, &lim, res, 32);
}

static size_t run(const struct xc_decl *d) {
    return run_order(d, 0);
}

static void expect_result(size_t i, const char *rule, const char *sev, const char *ev0,
                          const char *ev1, const char *declared, const char *observed) {
    cr_expect_str_eq(res[i].rule, rule, "result %zu: %s", i, res[i].message);
    cr_expect_str_eq(res[i].severity, sev, "result %zu", i);
    cr_expect_str_eq(res[i].event_ids[0], ev0, "result %zu", i);
    cr_expect_str_eq(res[i].event_ids[1], ev1, "result %zu", i);
    cr_expect_str_eq(res[i].declared, declared, "result %zu", i);
    cr_expect_str_eq(res[i].observed, observed, "result %zu", i);
    cr_expect_neq(res[i].message[0], '\0');
}

/* ---- the import scenario: Busan -> Yangshan by vessel, cleared there ---- */

static const char *const one_box[] = {"CSQU3054383"};

static struct xc_decl import_decl(void) {
    struct xc_decl d;
    memset(&d, 0, sizeof(d));
    d.id = "D1";
    d.import = 1;
    d.port_code = "2248";
    d.customs_code = "2248";
    d.traf_mode = "2";
    d.traf_no = "COSCO STAR";
    d.voyage_no = "012E";
    d.has_gross = 1;
    d.gross_kg = 10000;
    d.containers = one_box;
    d.ncontainers = 1;
    return d;
}

/* e1 departs Busan, e2 arrives Yangshan (2 days, ~830 km), e3 discharges
 * the box there (10,500 kg), e4 trucks it out, e5 delivers it in Shanghai. */
static void import_events(void) {
    struct carrier_event *e;
    e = add("e1", CS_DEPARTED, ACT, CM_VESSEL, "KRPUS", 0);
    ref(e, "voyage", "012E");
    ref(e, "container", "CSQU3054383");
    e = add("e2", CS_ARRIVED, ACT, CM_VESSEL, "CNSHA-YSH", 2 * DAY);
    ref(e, "voyage", "012E");
    e = add("e3", CS_DISCHARGED, ACT, CM_VESSEL, "CNSHA-YSH", 2 * DAY + 6 * H);
    ref(e, "voyage", "012E");
    ref(e, "container", "CSQU3054383");
    e->has_weight = 1;
    e->weight_kg = 10500;
    add("e4", CS_GATE_OUT, ACT, CM_TRUCK, "CNSHA-YSH", 3 * DAY);
    add("e5", CS_DELIVERED, ACT, CM_TRUCK, "CNSHA", 3 * DAY + 6 * H);
}

Test(crosscheck, a_consistent_import_raises_nothing) {
    struct xc_decl d = import_decl();
    import_events();
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    cr_expect_eq(run_order(&d, 1), 0, "input order does not matter: %s", res[0].message);
}

Test(crosscheck, defaults) {
    struct xc_limits l;
    xc_limits_default(&l);
    cr_expect_eq(l.max_speed_kmh[CM_UNKNOWN], 1000);
    cr_expect_eq(l.max_speed_kmh[CM_VESSEL], 60);
    cr_expect_eq(l.max_speed_kmh[CM_BARGE], 40);
    cr_expect_eq(l.max_speed_kmh[CM_RAIL], 160);
    cr_expect_eq(l.max_speed_kmh[CM_AIR], 1100);
    cr_expect_eq(l.max_speed_kmh[CM_TRUCK], 130);
    cr_expect_eq(l.min_distance_km, 30);
    cr_expect_eq(l.weight_tolerance_pct, 10);
    cr_expect_eq(l.weight_tolerance_kg, 0.5);
    cr_expect_eq(l.transit_limit_s, 7 * DAY);
}

/* ---- port_mismatch ---- */

Test(crosscheck, port_mismatch_import_entry_at_another_office) {
    struct xc_decl d = import_decl();
    d.port_code = d.customs_code = "2225";   /* Waigaoqiao, not Yangshan */
    import_events();
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "port_mismatch", "high", "e2", "", "2225", "CNSHA-YSH");
    cr_expect(strstr(res[0].message, "D1") && strstr(res[0].message, "2225") &&
              strstr(res[0].message, "e2"), "%s", res[0].message);
}

Test(crosscheck, port_mismatch_near_misses) {
    struct xc_decl d = import_decl();
    import_events();
    d.port_code = d.customs_code = "2200";   /* the district covers Yangshan */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.port_code = d.customs_code = "2201";   /* unlisted: falls back to 2200 */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.port_code = d.customs_code = "1234";   /* not in the table: skipped */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.port_code = d.customs_code = "";
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

Test(crosscheck, port_mismatch_matches_a_bare_unlocode_to_the_office_node) {
    struct xc_decl d = import_decl();
    struct carrier_event *e = add("a", CS_ARRIVED, ACT, CM_VESSEL, "CNSHA", 0);
    ref(e, "voyage", "012E");
    d.port_code = d.customs_code = "2248";   /* node CNSHA-YSH: prefix CNSHA */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.port_code = d.customs_code = "3104";   /* Beilun */
    cr_assert_eq(run(&d), 1);
    expect_result(0, "port_mismatch", "high", "a", "", "3104", "CNSHA");
}

Test(crosscheck, port_mismatch_counts_only_actual_events_in_cn) {
    struct xc_decl d = import_decl();
    d.port_code = d.customs_code = "2225";
    add("p", CS_ARRIVED, PLN, CM_VESSEL, "CNSHA-YSH", 0);   /* planned: no fact */
    add("k", CS_ARRIVED, ACT, CM_VESSEL, "KRPUS", DAY);      /* not in CN */
    add("w", CS_DISCHARGED, ACT, CM_VESSEL, "CNSHA-WGQ", 2 * DAY);
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

/* An unknown CN UN/LOCODE (Tianjin, not in nodes.csv) still counts as in CN. */
Test(crosscheck, port_mismatch_at_a_cn_locode_outside_nodes_csv) {
    struct xc_decl d = import_decl();
    d.voyage_no = d.traf_no = "";
    add("t", CS_DISCHARGED, ACT, CM_VESSEL, "CNTXG", 0);
    cr_assert_eq(run(&d), 1);
    expect_result(0, "port_mismatch", "high", "t", "", "2248", "CNTXG");
}

Test(crosscheck, port_mismatch_export_last_departure) {
    struct xc_decl d = import_decl();
    d.import = 0;
    d.port_code = d.customs_code = "3104";
    d.released_at = T0 = at("2026-03-01T00:00:00Z");
    d.voyage_no = d.traf_no = "";
    add("g", CS_GATE_IN, ACT, CM_TRUCK, "CNNGB", 0);
    add("l", CS_LOADED, ACT, CM_BARGE, "CNNGB", 2 * H);
    add("x", CS_DEPARTED, ACT, CM_VESSEL, "CNSHA-YSH", DAY);  /* transshipped, left here */
    add("s", CS_ARRIVED, ACT, CM_VESSEL, "SGSIN", 6 * DAY);
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "port_mismatch", "high", "x", "", "3104", "CNSHA-YSH");
    d.port_code = d.customs_code = "2248";
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

/* ---- transport_mode_mismatch ---- */

Test(crosscheck, transport_mode_mismatch_once_per_mode) {
    struct xc_decl d = import_decl();
    d.traf_mode = "5";
    import_events();
    /* e2 and e3 both say VESSEL at the port: one result, on the first. */
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "transport_mode_mismatch", "medium", "e2", "", "5", "2");
}

Test(crosscheck, transport_mode_barge_is_water_and_trucks_leaving_do_not_count) {
    struct xc_decl d = import_decl();
    struct carrier_event *e;
    import_events();
    e = &batch.ev[2];           /* e3 discharged from a barge: still water, 2 */
    e->mode = CM_BARGE;
    d.traf_mode = "2";          /* e4 (TRUCK, GATE_OUT) is not a crossing */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.traf_mode = "6";          /* mail: not comparable, skipped */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.traf_mode = "";
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.traf_mode = "4";
    cr_assert_eq(run(&d), 1);
    expect_result(0, "transport_mode_mismatch", "medium", "e2", "", "4", "2");
}

/* ---- voyage_mismatch ---- */

Test(crosscheck, voyage_mismatch_once_per_voyage) {
    struct xc_decl d = import_decl();
    d.voyage_no = "013E";
    import_events();
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "voyage_mismatch", "medium", "e2", "", "COSCO STAR / 013E", "012E");
}

Test(crosscheck, voyage_matches_ignoring_case_and_spaces) {
    struct xc_decl d = import_decl();
    import_events();
    d.voyage_no = " 012e";
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.voyage_no = "";
    d.traf_no = "012 E";        /* the voyage given in trafNo */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.traf_no = "";             /* nothing declared: skipped */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

Test(crosscheck, voyage_mismatch_flight_at_the_airport) {
    struct xc_decl d = import_decl();
    struct carrier_event *e;
    d.port_code = d.customs_code = "4908";
    d.traf_mode = "5";
    d.traf_no = "CA1234";
    d.voyage_no = "";
    d.containers = NULL;
    d.ncontainers = 0;
    d.has_gross = 0;
    e = add("f0", CS_DEPARTED, ACT, CM_AIR, "FRA", 0);
    ref(e, "flight", "LH8400");  /* not at the port of entry: ignored */
    e = add("f1", CS_ARRIVED, ACT, CM_AIR, "CSX", 11 * H);
    ref(e, "flight", "CA 1235");
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "voyage_mismatch", "medium", "f1", "", "CA1234", "CA 1235");
}

/* ---- impossible_movement ---- */

/* Two ACT events 1 degree of latitude apart (about 110.8 km), the second
 * by MODE, DT seconds later. */
static void two_points(enum carrier_mode mode, int64_t dt) {
    struct carrier_event *a = add("m1", CS_DEPARTED, ACT, mode, "", 0);
    struct carrier_event *b;
    a->has_coords = 1;
    a->lat = 30.0;
    a->lon = 114.0;
    b = add("m2", CS_ARRIVED, ACT, mode, "", dt);
    b->has_coords = 1;
    b->lat = 31.0;
    b->lon = 114.0;
}

static struct xc_decl bare_decl(void) {
    struct xc_decl d;
    memset(&d, 0, sizeof(d));
    d.id = "D2";
    d.import = 1;
    d.port_code = d.customs_code = d.traf_mode = d.traf_no = d.voyage_no = "";
    return d;
}

Test(crosscheck, impossible_movement_just_over_the_rail_limit) {
    struct xc_decl d = bare_decl();
    double km = geo_inverse(30.0, 114.0, 31.0, 114.0, NULL, NULL) / 1000.0;
    int64_t dt = (int64_t)(km / 160.0 * 3600.0) - 10;  /* 10 s short of the time needed */
    char obs[96];
    two_points(CM_RAIL, dt);
    cr_assert_eq(run(&d), 1);
    snprintf(obs, sizeof(obs), "%.1f km in %.2f h (%.0f km/h)", km, dt / 3600.0,
             km / (dt / 3600.0));
    expect_result(0, "impossible_movement", "high", "m1", "m2", "max 160 km/h (RAIL)", obs);
    cr_expect_str_eq(obs, "110.9 km in 0.69 h (161 km/h)");
}

Test(crosscheck, impossible_movement_near_miss_just_under) {
    struct xc_decl d = bare_decl();
    double km = geo_inverse(30.0, 114.0, 31.0, 114.0, NULL, NULL) / 1000.0;
    two_points(CM_RAIL, (int64_t)(km / 160.0 * 3600.0) + 1);
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

Test(crosscheck, impossible_movement_uses_the_later_events_mode) {
    struct xc_decl d = bare_decl();
    two_points(CM_AIR, 2 * H);      /* 55 km/h: fine for a plane... */
    batch.ev[1].mode = CM_BARGE;    /* ...not for a barge (40) */
    cr_assert_eq(run(&d), 1);
    expect_result(0, "impossible_movement", "high", "m1", "m2", "max 40 km/h (BARGE)",
                  "110.9 km in 2.00 h (55 km/h)");
    batch.ev[1].mode = CM_UNKNOWN;  /* unknown: 1000 */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

Test(crosscheck, impossible_movement_at_the_same_time_or_backwards) {
    struct xc_decl d = bare_decl();
    two_points(CM_TRUCK, 0);
    cr_assert_eq(run(&d), 1);
    expect_result(0, "impossible_movement", "high", "m1", "m2", "max 130 km/h (TRUCK)",
                  "110.9 km in 0 s");
}

Test(crosscheck, impossible_movement_below_the_minimum_distance) {
    struct xc_decl d = bare_decl();
    two_points(CM_TRUCK, 1);
    batch.ev[1].lat = 30.2;         /* about 22 km in 1 s: below 30 km, never */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    lim.min_distance_km = 20;
    cr_assert_eq(run(&d), 1);
    cr_expect_str_eq(res[0].rule, "impossible_movement");
}

Test(crosscheck, impossible_movement_not_between_a_locode_and_its_sub_node) {
    struct xc_decl d = bare_decl();
    /* CNSHA's node is the Bund, 87 km from Yangshan: the same port named
     * coarsely, not a move. */
    add("y1", CS_ARRIVED, ACT, CM_VESSEL, "CNSHA", 0);
    add("y2", CS_DISCHARGED, ACT, CM_VESSEL, "CNSHA-YSH", 60);
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    add("y3", CS_DEPARTED, ACT, CM_VESSEL, "CNSHA-WGQ", 120);  /* two terminals: a move */
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    cr_expect_str_eq(res[0].event_ids[0], "y2");
    cr_expect_str_eq(res[0].event_ids[1], "y3");
}

Test(crosscheck, impossible_movement_uses_node_coordinates_and_skips_planned) {
    struct xc_decl d = bare_decl();
    /* Chenglingji -> Shanghai Pudong by air, 1,000 km in 30 min: 2,000 km/h. */
    add("n1", CS_DEPARTED, ACT, CM_AIR, "CNCLJ", 0);
    add("n0", CS_ARRIVED, PLN, CM_AIR, "HKHKG", 10 * 60);   /* a plan: no fact */
    add("n2", CS_ARRIVED, ACT, CM_AIR, "PVG", 30 * 60);
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    cr_expect_str_eq(res[0].event_ids[0], "n1");
    cr_expect_str_eq(res[0].event_ids[1], "n2");
    cr_expect_str_eq(res[0].declared, "max 1100 km/h (AIR)");
    cr_expect(strstr(res[0].observed, "km in 0.50 h") != NULL, "%s", res[0].observed);
}

/* ---- weight_mismatch ---- */

static void weighed(const char *id, enum carrier_classifier cls, double kg, int64_t dt) {
    struct carrier_event *e = add(id, CS_RECEIVED, cls, CM_UNKNOWN, "", dt);
    e->has_weight = 1;
    e->weight_kg = kg;
}

Test(crosscheck, weight_mismatch_beyond_ten_percent) {
    struct xc_decl d = bare_decl();
    d.has_gross = 1;
    d.gross_kg = 10000;
    weighed("w1", ACT, 11000, 0);      /* exactly 10 %: inside */
    weighed("w2", ACT, 11000.5, H);
    weighed("w3", ACT, 11000.5, 2 * H); /* the same weight again: once */
    weighed("w4", PLN, 20000, 3 * H);   /* planned: not a fact */
    weighed("w5", ACT, 8999.5, 4 * H);
    cr_assert_eq(run(&d), 2, "%s", res[2].message);
    expect_result(0, "weight_mismatch", "medium", "w2", "", "10000.0 kg", "11000.5 kg");
    expect_result(1, "weight_mismatch", "medium", "w5", "", "10000.0 kg", "8999.5 kg");
    d.has_gross = 0;                    /* nothing declared: skipped */
    cr_expect_eq(run(&d), 0);
}

Test(crosscheck, weight_mismatch_small_parcels_use_the_kg_floor) {
    struct xc_decl d = bare_decl();
    d.has_gross = 1;
    d.gross_kg = 2;                     /* 10 % = 0.2 kg < 0.5 kg */
    weighed("s1", ACT, 2.5, 0);
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    weighed("s2", ACT, 2.625, H);
    cr_assert_eq(run(&d), 1);
    expect_result(0, "weight_mismatch", "medium", "s2", "", "2.0 kg", "2.6 kg");
}

/* ---- undeclared_container ---- */

Test(crosscheck, undeclared_container_any_classifier_once_per_box) {
    struct xc_decl d = import_decl();
    struct carrier_event *e;
    import_events();
    e = add("c1", CS_LOADED, PLN, CM_VESSEL, "KRPUS", -DAY);
    ref(e, "container", "TCNU7200794");
    e = add("c2", CS_DISCHARGED, EST, CM_VESSEL, "CNSHA-YSH", 2 * DAY + 7 * H);
    ref(e, "container", "TCNU7200794");
    ref(e, "container", "CSQU3054383");
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "undeclared_container", "high", "c1", "", "CSQU3054383", "TCNU7200794");
}

Test(crosscheck, undeclared_container_near_misses) {
    static const char *const boxes[] = {"TCNU7200794", "csqu 3054383"};
    struct xc_decl d = import_decl();
    struct carrier_event *e;
    import_events();
    e = add("c1", CS_LOADED, PLN, CM_VESSEL, "KRPUS", -DAY);
    ref(e, "container", "TCNU7200794");
    d.containers = boxes;       /* both declared (case and spaces ignored) */
    d.ncontainers = 2;
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.ncontainers = 0;          /* none declared: skipped */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

/* ---- event_order ---- */

Test(crosscheck, event_order_discharged_before_arrived) {
    struct xc_decl d = bare_decl();
    struct carrier_event *e;
    e = add("a1", CS_ARRIVED, ACT, CM_VESSEL, "CNSHA-YSH", 0);
    ref(e, "voyage", "012E");
    e = add("d1", CS_DISCHARGED, ACT, CM_VESSEL, "CNSHA-YSH", 6 * H); /* after a1: fine */
    ref(e, "voyage", "012E");
    e = add("d2", CS_DISCHARGED, ACT, CM_VESSEL, "CNSHA-YSH", 20 * DAY);
    ref(e, "voyage", "013E");
    e = add("a2", CS_ARRIVED, ACT, CM_VESSEL, "CNSHA-YSH", 20 * DAY + H);
    ref(e, "voyage", "013E");
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "event_order", "medium", "d2", "a2", "ARRIVED 2026-03-21T01:00:00Z",
                  "DISCHARGED 2026-03-21T00:00:00Z");
}

Test(crosscheck, event_order_discharge_near_misses) {
    struct xc_decl d = bare_decl();
    struct carrier_event *e;
    e = add("a1", CS_ARRIVED, ACT, CM_VESSEL, "CNSHA", 0);  /* same place by prefix */
    e = add("d1", CS_DISCHARGED, ACT, CM_VESSEL, "CNSHA-YSH", 0); /* same second */
    e = add("d3", CS_DISCHARGED, ACT, CM_VESSEL, "CNNGB", DAY);   /* no arrival known */
    e = add("d4", CS_DISCHARGED, EST, CM_VESSEL, "CNSHA-WGQ", 2 * DAY);
    e = add("a4", CS_ARRIVED, ACT, CM_VESSEL, "CNSHA-WGQ", 3 * DAY); /* d4 only estimated */
    (void)e;
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

static void export_events(void) {
    add("g", CS_GATE_IN, ACT, CM_TRUCK, "CNSHA-YSH", 0);
    add("l", CS_LOADED, ACT, CM_VESSEL, "CNSHA-YSH", H);
    add("x", CS_DEPARTED, ACT, CM_VESSEL, "CNSHA-YSH", 2 * H);
    add("s", CS_ARRIVED, ACT, CM_VESSEL, "SGSIN", 6 * DAY);
}

Test(crosscheck, event_order_export_departs_before_release) {
    struct xc_decl d = bare_decl();
    d.import = 0;
    d.port_code = d.customs_code = "2248";
    export_events();
    d.released_at = T0 + 3 * H;
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "event_order", "medium", "x", "", "released 2026-03-01T03:00:00Z",
                  "DEPARTED 2026-03-01T02:00:00Z");
    d.released_at = 0;
    cr_assert_eq(run(&d), 1);
    expect_result(0, "event_order", "medium", "x", "", "not released",
                  "DEPARTED 2026-03-01T02:00:00Z");
}

Test(crosscheck, event_order_export_near_misses) {
    struct xc_decl d = bare_decl();
    d.import = 0;
    d.port_code = d.customs_code = "2248";
    export_events();
    d.released_at = T0 + 2 * H;         /* released the same second: fine */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.import = 1;                       /* the release rule is for exports */
    d.released_at = 0;
    d.port_code = d.customs_code = "";
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

Test(crosscheck, event_order_after_delivery) {
    struct xc_decl d = bare_decl();
    add("r", CS_RECEIVED, ACT, CM_TRUCK, "CNCLJ", 0);
    add("v", CS_DELIVERED, ACT, CM_TRUCK, "CNCLJ", 5 * H);
    add("v2", CS_DELIVERED, ACT, CM_TRUCK, "CNCLJ", 6 * H);   /* a second POD: fine */
    add("e", CS_OUT_FOR_DELIVERY, EST, CM_TRUCK, "CNCLJ", 7 * H); /* estimate: fine */
    add("s", CS_GATE_IN, ACT, CM_TRUCK, "CNCLJ", 5 * H);      /* same second: fine */
    add("z", CS_GATE_IN, ACT, CM_TRUCK, "CNCLJ", 8 * H);
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "event_order", "medium", "z", "v", "DELIVERED 2026-03-01T05:00:00Z",
                  "GATE_IN 2026-03-01T08:00:00Z");
}

/* ---- customs transit: Yangshan (2248) to Yueyang (4900 district) ---- */

static const char *const river_route[] = {"CNSHA-YSH", "CNNKG", "CNWUH", "CNCLJ"};

static struct xc_decl transit_decl(void) {
    struct xc_decl d = bare_decl();
    d.id = "D3";
    d.port_code = "2248";
    d.customs_code = "4900";
    d.traf_mode = "2";
    d.route = river_route;
    d.nroute = 4;
    return d;
}

/* Arrive Yangshan, barge up the Yangtze calling at Jiujiang (off the
 * booked route), Wuhan, then Chenglingji after ARRIVE_DAYS. */
static void transit_events(int64_t arrive_s) {
    add("t0", CS_ARRIVED, ACT, CM_VESSEL, "CNSHA-YSH", 0);
    add("t1", CS_DEPARTED, ACT, CM_BARGE, "CNSHA-YSH", DAY);
    add("t2", CS_ARRIVED, ACT, CM_BARGE, "CNJIU", 3 * DAY);
    add("t3", CS_DEPARTED, ACT, CM_BARGE, "CNJIU", 3 * DAY + 6 * H);
    add("t4", CS_ARRIVED, ACT, CM_BARGE, "CNWUH", 4 * DAY);
    if (arrive_s) add("t5", CS_ARRIVED, ACT, CM_BARGE, "CNCLJ-SYH", arrive_s);
}

Test(crosscheck, transit_off_route_once_per_place) {
    struct xc_decl d = transit_decl();
    transit_events(6 * DAY);
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "transit_off_route", "high", "t2", "", "CNSHA-YSH>CNNKG>CNWUH>CNCLJ",
                  "CNJIU");
}

Test(crosscheck, transit_off_route_near_misses) {
    static const char *const with_jiujiang[] = {"CNSHA-YSH", "CNJIU", "CNWUH", "CNCLJ-SYH"};
    struct xc_decl d = transit_decl();
    transit_events(6 * DAY);
    add("t9", CS_GATE_OUT, ACT, CM_TRUCK, "CNNGB", 8 * DAY);  /* after the transit */
    d.route = with_jiujiang;
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.nroute = 0;                       /* no route: skipped */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.route = river_route;
    d.nroute = 4;
    d.customs_code = "2248";            /* same office: no transit */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
    d.customs_code = "1234";            /* unknown office: no transit */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

Test(crosscheck, transit_overdue_after_it_ended) {
    struct xc_decl d = transit_decl();
    d.nroute = 0;
    transit_events(7 * DAY + 1);
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "transit_overdue", "medium", "t0", "t5", "168.0 h", "168.0 h");
    cr_expect(strstr(res[0].message, "2248 to 4900") != NULL, "%s", res[0].message);
}

Test(crosscheck, transit_overdue_near_miss_at_the_limit) {
    struct xc_decl d = transit_decl();
    d.nroute = 0;
    transit_events(7 * DAY);
    add("t6", CS_GATE_OUT, ACT, CM_TRUCK, "CNCLJ-SYH", 30 * DAY);  /* after it ended */
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

Test(crosscheck, transit_overdue_while_still_open) {
    struct xc_decl d = transit_decl();
    d.nroute = 0;
    transit_events(0);
    add("t6", CS_DEPARTED, ACT, CM_BARGE, "CNWUH", 8 * DAY);
    cr_assert_eq(run(&d), 1, "%s", res[1].message);
    expect_result(0, "transit_overdue", "medium", "t0", "t6", "168.0 h", "192.0 h (open)");
}

Test(crosscheck, transit_export_runs_from_customs_to_port) {
    struct xc_decl d = transit_decl();
    d.import = 0;
    d.port_code = "2248";              /* exit Yangshan */
    d.customs_code = "4908";           /* declared at Changsha airport */
    d.traf_mode = "";
    d.released_at = T0 = at("2026-03-01T00:00:00Z");
    static const char *const road[] = {"CSX", "CNSHA-YSH"};
    d.route = road;
    d.nroute = 2;
    add("x0", CS_GATE_OUT, ACT, CM_TRUCK, "CSX", 0);
    add("x1", CS_GATE_IN, ACT, CM_TRUCK, "CNWUH", DAY);          /* off the road route */
    add("x2", CS_GATE_IN, ACT, CM_TRUCK, "CNSHA-YSH", 9 * DAY);  /* 216 h */
    add("x3", CS_DEPARTED, ACT, CM_VESSEL, "CNSHA-YSH", 10 * DAY);
    cr_assert_eq(run(&d), 2, "%s / %s", res[0].message, res[1].message);
    expect_result(0, "transit_off_route", "high", "x1", "", "CSX>CNSHA-YSH", "CNWUH");
    expect_result(1, "transit_overdue", "medium", "x0", "x2", "168.0 h", "216.0 h");
}

/* ---- the caller's view ---- */

Test(crosscheck, true_count_beyond_max_and_stable_order) {
    struct xc_decl d = import_decl();
    struct xc_result small[2];
    const struct carrier_event *p[16];
    d.port_code = d.customs_code = "2225";   /* port */
    d.traf_mode = "5";                       /* mode */
    d.voyage_no = "999";                     /* voyage */
    d.gross_kg = 5000;                       /* weight */
    import_events();
    cr_assert_eq(run(&d), 4);
    cr_expect_str_eq(res[0].rule, "port_mismatch");
    cr_expect_str_eq(res[1].rule, "transport_mode_mismatch");
    cr_expect_str_eq(res[2].rule, "voyage_mismatch");
    cr_expect_str_eq(res[3].rule, "weight_mismatch");
    cr_assert_eq(run_order(&d, 1), 4);
    cr_expect_str_eq(res[2].rule, "voyage_mismatch", "reversed input, same results");
    for (size_t i = 0; i < batch.n; i++) p[i] = &batch.ev[i];
    memset(small, 0, sizeof(small));
    cr_expect_eq(xc_check(&d, p, batch.n, &places, NULL, small, 2), 4);
    cr_expect_str_eq(small[1].rule, "transport_mode_mismatch");
    cr_expect_eq(xc_check(&d, p, batch.n, &places, &lim, NULL, 0), 4);
    cr_expect_eq(xc_check(&d, p, 0, &places, &lim, res, 32), 0);
}

Test(crosscheck, retracted_events_are_ignored) {
    struct xc_decl d = import_decl();
    struct carrier_event *r;
    d.port_code = d.customs_code = "2200";
    import_events();
    batch.ev[2].weight_kg = 20000;          /* e3 reports a wrong weight... */
    r = add("r1", CS_DISCHARGED, ACT, CM_VESSEL, "CNSHA-YSH", 4 * DAY);
    r->retracted = 1;                       /* ...which the source voids */
    snprintf(r->retracts, sizeof(r->retracts), "e3");
    cr_expect_eq(run(&d), 0, "%s", res[0].message);
}

Test(crosscheck, no_places_skips_place_rules) {
    struct xc_decl d = import_decl();
    struct xc_places none = {NULL, NULL};
    const struct carrier_event *p[16];
    d.port_code = d.customs_code = "2225";
    d.gross_kg = 5000;
    import_events();
    for (size_t i = 0; i < batch.n; i++) p[i] = &batch.ev[i];
    cr_assert_eq(xc_check(&d, p, batch.n, &none, &lim, res, 32), 1);
    cr_expect_str_eq(res[0].rule, "weight_mismatch");
}
