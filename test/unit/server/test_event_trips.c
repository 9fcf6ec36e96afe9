/* Tests for server/event_trips.c: carrier events placed on a run and stop
 * of the timetable, over the tiny feed (V1: CNSHA 08:00 - SGSIN 100:00 /
 * 110:00 - NLRTM 500:00, Asia/Shanghai, daily 2026-03-02..08). */
#include "server/event_trips.h"
#include "routing/overlay.h"
#include "geodata/timefmt.h"
#include "test/fixtures/tiny_feed.h"

#include <criterion/criterion.h>
#include <string.h>

static struct rt_timetable tt;

static void load(void) {
    static struct rt_load_report rep;
    cr_assert_eq(tiny_feed_load(&tt, &rep), 0, "%s", rep.err);
}

static void unload(void) {
    rt_timetable_free(&tt);
}

TestSuite(event_trips, .init = load, .fini = unload);

static int64_t at(const char *iso) {
    int64_t t;
    char why[100];
    cr_assert_eq(time_parse_iso8601(iso, &t, why, sizeof(why)), 0, "%s", why);
    return t;
}

/* An event STATUS / CLS about trip reference KIND=V1 at LOC at ISO (NULL:
 * no time). */
static struct carrier_event ev(enum carrier_status st, enum carrier_classifier cls,
                               const char *kind, const char *loc, const char *iso) {
    struct carrier_event e;
    memset(&e, 0, sizeof(e));
    e.status = st;
    e.classifier = cls;
    e.stop_sequence = -1;
    e.pieces = -1;
    snprintf(e.code, sizeof(e.code), "X");
    if (kind) carrier_event_add_ref(&e, kind, "V1");
    if (loc) snprintf(e.location, sizeof(e.location), "%s", loc);
    if (iso) e.event_time = at(iso);
    return e;
}

static const char *date_of(uint32_t run) {
    static char d[11];
    event_trip_date(&tt, run, d, sizeof(d));
    return d;
}

Test(event_trips, an_actual_late_departure_is_a_time_on_the_nearest_run) {
    struct carrier_event e = ev(CS_DEPARTED, CC_ACTUAL, "trip", "CNSHA", "2026-03-03T02:00:00Z");
    struct event_trip p;
    char why[200];
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 0, "%s", why);
    /* Scheduled 2026-03-03 08:00+08:00 = 00:00Z: the run of the 3rd. */
    cr_assert_str_eq(date_of(p.run), "2026-03-03");
    cr_assert_eq(p.cancel, 0);
    cr_assert_eq(p.rep.idx, 0);
    cr_assert_eq(p.rep.kind, TRIP_REP_TIME);
    cr_assert_eq(p.rep.dep, at("2026-03-03T02:00:00Z"));
    cr_assert_eq(p.rep.arr, RT_OV_UNSET);
    cr_assert_eq(p.rep.observed, 1);
}

Test(event_trips, a_voyage_reference_and_an_arrival_estimate) {
    struct carrier_event e = ev(CS_ARRIVED, CC_ESTIMATED, "voyage", "SGSIN",
                                "2026-03-06T23:00:00Z");
    struct event_trip p;
    char why[200];
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 0, "%s", why);
    /* The run of 2026-03-02 arrives 2026-03-05T20:00Z, that of the 3rd on
     * the 6th at 20:00Z: the nearest is the 3rd's. */
    cr_assert_str_eq(date_of(p.run), "2026-03-03");
    cr_assert_eq(p.rep.idx, 1);
    cr_assert_eq(p.rep.arr, at("2026-03-06T23:00:00Z"));
    cr_assert_eq(p.rep.observed, 0);
}

Test(event_trips, a_delay_without_a_time_gets_the_schedule_plus_the_delay) {
    struct carrier_event e = ev(CS_ARRIVED, CC_ESTIMATED, "trip", NULL, NULL);
    struct event_trip p;
    char why[200];
    snprintf(e.stop_id, sizeof(e.stop_id), "SGSIN");
    snprintf(e.start_date, sizeof(e.start_date), "20260304");
    e.has_delay = 1;
    e.delay_s = 5400;
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_str_eq(date_of(p.run), "2026-03-04");
    cr_assert_eq(p.rep.kind, TRIP_REP_DELAY);
    cr_assert_eq(p.rep.arr, 5400);
    cr_assert_eq(p.event_time, at("2026-03-07T20:00:00Z") + 5400);
}

Test(event_trips, cancellations_and_trip_delays) {
    struct carrier_event e = ev(CS_CANCELLED, CC_ESTIMATED, "trip", NULL, NULL);
    struct event_trip p;
    char why[200];
    snprintf(e.start_date, sizeof(e.start_date), "20260305");
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_eq(p.cancel, 1);
    cr_assert_eq(p.event_time, at("2026-03-05T00:00:00Z"), "placed at its first departure");

    e = ev(CS_EXCEPTION, CC_ESTIMATED, "trip", NULL, NULL);
    snprintf(e.code, sizeof(e.code), "TRIP_DELAY");
    snprintf(e.start_date, sizeof(e.start_date), "20260305");
    e.has_delay = 1;
    e.delay_s = 600;
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_eq(p.rep.idx, 0);
    cr_assert_eq(p.rep.kind, TRIP_REP_DELAY);
    cr_assert_eq(p.rep.dep, 600);
}

Test(event_trips, what_moves_nothing) {
    struct event_trip p;
    char why[200];
    struct carrier_event e = ev(CS_DEPARTED, CC_PLANNED, "trip", "CNSHA", "2026-03-03T00:00:00Z");
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 1, "a plan");
    e = ev(CS_LOADED, CC_ACTUAL, "trip", "CNSHA", "2026-03-03T00:00:00Z");
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 1, "not a movement");
    e = ev(CS_DEPARTED, CC_ACTUAL, NULL, "CNSHA", "2026-03-03T00:00:00Z");
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 1, "no trip");
    e = ev(CS_DEPARTED, CC_ACTUAL, "trip", "DEHAM", "2026-03-03T00:00:00Z");
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 1, "a place off the trip");
    e = ev(CS_DEPARTED, CC_ACTUAL, "trip", "CNSHA", "2025-01-01T00:00:00Z");
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), 1, "no run near that time");
}

Test(event_trips, a_delay_that_cannot_be_placed_is_refused) {
    struct event_trip p;
    char why[200];
    struct carrier_event e = ev(CS_ARRIVED, CC_ESTIMATED, NULL, NULL, NULL);
    carrier_event_add_ref(&e, "trip", "NOPE");
    e.has_delay = 1;
    e.delay_s = 60;
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), -1);
    cr_assert_str_eq(why, "refs.trip: 'NOPE' is not a trip of the timetable, so a delay "
                          "without a time cannot be placed");
    e = ev(CS_ARRIVED, CC_ESTIMATED, "trip", NULL, NULL);
    snprintf(e.stop_id, sizeof(e.stop_id), "SGSIN");
    e.has_delay = 1;
    e.delay_s = 60;
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), -1);
    cr_assert_str_eq(why, "start_date: a delay for trip 'V1' needs the run's start date");
    snprintf(e.start_date, sizeof(e.start_date), "20270101");
    cr_assert_eq(event_trip_resolve(&tt, &e, &p, why, sizeof(why)), -1);
    cr_assert_str_eq(why, "start_date: trip 'V1' does not run on 20270101");
}

/* ---- flight and train numbers: trips.txt trip_short_name ----------------
 * CZ345 is three trips (Asia/Shanghai, +08:00): W (winter, 2-4 March) CAN
 * 01:00 - FRA 14:00; S (summer, 5-7 March) CAN 03:00 - FRA 16:00; A (a
 * variant to Amsterdam, daily 2-7 March) CAN 02:00 - AMS 15:00.  X8024 is
 * a train CNCSX-XN 10:00 - DEDUI 300:00, daily. */
static struct rt_timetable air;

static void load_air(void) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\n"
                                 "CZ,Southern Cargo,Asia/Shanghai\n";
    static const char stops[] = "stop_id,stop_name,stop_lat,stop_lon\n"
                                "CAN,Baiyun,23.39,113.30\nFRA,Frankfurt,50.03,8.56\n"
                                "AMS,Schiphol,52.31,4.76\nCNCSX-XN,Changsha North,28.26,113.08\n"
                                "DEDUI,Duisburg,51.43,6.76\n";
    static const char routes[] = "route_id,agency_id,route_short_name,route_type\n"
                                 "CZF,CZ,CZ CAN-FRA,1100\nXR,CZ,X-CSX-DUI,2\n";
    static const char trips[] = "route_id,service_id,trip_id,trip_short_name\n"
                                "CZF,WIN,W,CZ345\nCZF,SUM,S,CZ345\nCZF,ALL,A,CZ345\n"
                                "XR,ALL,XT,X8024\nCZF,ALL,N,\n";
    static const char cal[] = "service_id,monday,tuesday,wednesday,thursday,friday,"
                              "saturday,sunday,start_date,end_date\n"
                              "WIN,1,1,1,1,1,1,1,20260302,20260304\n"
                              "SUM,1,1,1,1,1,1,1,20260305,20260307\n"
                              "ALL,1,1,1,1,1,1,1,20260302,20260307\n";
    static const char st[] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                             "W,01:00:00,01:00:00,CAN,1\nW,14:00:00,14:00:00,FRA,2\n"
                             "S,03:00:00,03:00:00,CAN,1\nS,16:00:00,16:00:00,FRA,2\n"
                             "A,02:00:00,02:00:00,CAN,1\nA,15:00:00,15:00:00,AMS,2\n"
                             "XT,10:00:00,10:00:00,CNCSX-XN,1\nXT,300:00:00,300:00:00,DEDUI,2\n"
                             "N,05:00:00,05:00:00,CAN,1\nN,18:00:00,18:00:00,FRA,2\n";
    const struct rt_gtfs_memfile f[] = {
        {"agency.txt", agency, sizeof(agency) - 1}, {"stops.txt", stops, sizeof(stops) - 1},
        {"routes.txt", routes, sizeof(routes) - 1}, {"trips.txt", trips, sizeof(trips) - 1},
        {"calendar.txt", cal, sizeof(cal) - 1},     {"stop_times.txt", st, sizeof(st) - 1},
    };
    static struct rt_load_report rep;
    struct rt_load_options opt = {.default_max_days = 8};
    cr_assert_eq(rt_gtfs_load_memory(&air, f, 6, &opt, &rep), 0, "%s", rep.err);
    cr_assert_eq(air.nshort, 4);
}

static void unload_air(void) {
    rt_timetable_free(&air);
}

TestSuite(event_trips_short, .init = load_air, .fini = unload_air);

/* An event STATUS / CLS with reference KIND=VALUE at LOC at ISO. */
static struct carrier_event fev(enum carrier_status st, enum carrier_classifier cls,
                                const char *kind, const char *value, const char *loc,
                                const char *iso) {
    struct carrier_event e;
    memset(&e, 0, sizeof(e));
    e.status = st;
    e.classifier = cls;
    e.stop_sequence = -1;
    e.pieces = -1;
    snprintf(e.code, sizeof(e.code), "X");
    carrier_event_add_ref(&e, kind, value);
    if (loc) snprintf(e.location, sizeof(e.location), "%s", loc);
    if (iso) e.event_time = at(iso);
    return e;
}

static const char *trip_of(uint32_t run) {
    return rt_str(&air, air.trips[air.runs[run].trip].id);
}

static const char *date_on(uint32_t run) {
    static char d[11];
    event_trip_date(&air, run, d, sizeof(d));
    return d;
}

Test(event_trips_short, a_flight_number_picks_the_trip_whose_run_is_nearest) {
    struct event_trip p;
    char why[200];
    /* 2026-03-05T19:20Z at CAN: S of the 6th leaves 19:00Z (20 min), A of
     * the 6th 18:00Z (80 min); W does not run after the 4th. */
    struct carrier_event e = fev(CS_DEPARTED, CC_ACTUAL, "flight", "CZ345", "CAN",
                                 "2026-03-05T19:20:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_str_eq(trip_of(p.run), "S");
    cr_assert_str_eq(date_on(p.run), "2026-03-06");
    cr_assert_eq(p.rep.idx, 0);
    cr_assert_eq(p.rep.kind, TRIP_REP_TIME);
    cr_assert_eq(p.rep.dep, at("2026-03-05T19:20:00Z"));
    cr_assert_eq(p.rep.observed, 1);

    /* The winter trip for a landing in Frankfurt on the 3rd: W arrives
     * 14:00+08:00 = 06:00Z. */
    e = fev(CS_ARRIVED, CC_ESTIMATED, "flight", "CZ345", "FRA", "2026-03-03T06:10:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_str_eq(trip_of(p.run), "W");
    cr_assert_str_eq(date_on(p.run), "2026-03-03");
    cr_assert_eq(p.rep.idx, 1);
    cr_assert_eq(p.rep.arr, at("2026-03-03T06:10:00Z"));
    cr_assert_eq(p.rep.observed, 0);
}

Test(event_trips_short, the_run_must_have_the_stop_and_zeros_do_not_matter) {
    struct event_trip p;
    char why[200];
    /* Only A calls at AMS, although S's run leaves nearer this time. */
    struct carrier_event e = fev(CS_ARRIVED, CC_ACTUAL, "flight", "CZ0345", "AMS",
                                 "2026-03-03T07:30:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_str_eq(trip_of(p.run), "A");
    cr_assert_str_eq(date_on(p.run), "2026-03-03");
    cr_assert_eq(p.rep.idx, 1);
    cr_assert_eq(p.rep.arr, at("2026-03-03T07:30:00Z"));

    e = fev(CS_ARRIVED, CC_ACTUAL, "flight", "CZ 345", "AMS", "2026-03-03T07:30:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_str_eq(trip_of(p.run), "A");
}

Test(event_trips_short, a_train_number) {
    struct event_trip p;
    char why[200];
    /* XT of the 4th leaves 10:00+08:00 = 02:00Z. */
    struct carrier_event e = fev(CS_DEPARTED, CC_ACTUAL, "train", "X8024", "CNCSX-XN",
                                 "2026-03-04T03:00:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_str_eq(trip_of(p.run), "XT");
    cr_assert_str_eq(date_on(p.run), "2026-03-04");
    cr_assert_eq(p.rep.dep, at("2026-03-04T03:00:00Z"));
    e = fev(CS_DEPARTED, CC_ACTUAL, "train", "X08024", "CNCSX-XN", "2026-03-04T03:00:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_str_eq(trip_of(p.run), "XT");
    /* A flight number is not a train number: no "X8024" flight. */
    e = fev(CS_DEPARTED, CC_ACTUAL, "voyage", "X8024", "CNCSX-XN", "2026-03-04T03:00:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 1,
                 "a voyage is matched against trip_ids only");
}

Test(event_trips_short, a_trip_id_comes_first_and_what_is_kept_unapplied) {
    struct event_trip p;
    char why[200];
    /* The trip reference wins over the flight number. */
    struct carrier_event e = fev(CS_DEPARTED, CC_ACTUAL, "flight", "CZ345", "CAN",
                                 "2026-03-05T19:20:00Z");
    carrier_event_add_ref(&e, "trip", "N");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 0, "%s", why);
    cr_assert_str_eq(trip_of(p.run), "N");

    e = fev(CS_DEPARTED, CC_ACTUAL, "flight", "CZ346", "CAN", "2026-03-05T19:20:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 1, "no such flight");
    e = fev(CS_DEPARTED, CC_ACTUAL, "flight", "CZ345", "LHR", "2026-03-05T19:20:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 1, "no CZ345 calls there");
    e = fev(CS_DEPARTED, CC_ACTUAL, "flight", "CZ345", "CAN", "2025-03-05T19:20:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 1, "no run near then");
    e = fev(CS_DEPARTED, CC_PLANNED, "flight", "CZ345", "CAN", "2026-03-05T19:20:00Z");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 1, "a plan");
}

Test(event_trips_short, a_delay_by_flight_number_and_start_date) {
    struct event_trip p;
    char why[200];
    struct carrier_event e = fev(CS_ARRIVED, CC_ESTIMATED, "flight", "CZ345", NULL, NULL);
    snprintf(e.stop_id, sizeof(e.stop_id), "FRA");
    snprintf(e.start_date, sizeof(e.start_date), "20260306");
    e.has_delay = 1;
    e.delay_s = 1800;
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), 0, "%s", why);
    /* On the 6th only S (not A: no FRA; not W: winter) reaches FRA, at
     * 16:00+08:00 = 08:00Z. */
    cr_assert_str_eq(trip_of(p.run), "S");
    cr_assert_str_eq(date_on(p.run), "2026-03-06");
    cr_assert_eq(p.rep.kind, TRIP_REP_DELAY);
    cr_assert_eq(p.rep.arr, 1800);
    cr_assert_eq(p.event_time, at("2026-03-06T08:00:00Z") + 1800);

    snprintf(e.start_date, sizeof(e.start_date), "20270101");
    cr_assert_eq(event_trip_resolve(&air, &e, &p, why, sizeof(why)), -1);
    cr_assert_str_eq(why, "start_date: no trip named 'CZ345' runs on 20270101 with stop 'FRA'");
}
