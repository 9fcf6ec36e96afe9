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
