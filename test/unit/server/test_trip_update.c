/* Tests for server/trip_update.c: the POST /v1/trips/{trip_id}/updates
 * body validator and the stored per-stop report, over a feed in memory. */
#include "routing/gtfs.h"
#include "routing/overlay.h"
#include "server/trip_update.h"
#include "test/fixtures/tiny_feed.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static struct rt_timetable tt;

static void load(void) {
    static struct rt_load_report rep;
    cr_assert_eq(tiny_feed_load(&tt, &rep), 0, "%s", rep.err);
}

static void unload(void) {
    rt_timetable_free(&tt);
}

TestSuite(trip_update, .init = load, .fini = unload);

/* Validate BODY for TRIP into U; the status, the message in MSG. */
static int parse(const char *trip, const char *body, struct trip_update *u, char *msg,
                 size_t msglen) {
    json_error_t jerr;
    json_t *j = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);
    int st;
    cr_assert_not_null(j, "test body is not JSON (%s): %s", jerr.text, body);
    st = trip_update_parse(&tt, trip, j, u, msg, msglen);
    json_decref(j);
    return st;
}

/* BODY for V1 must be refused with STATUS and exactly MESSAGE. */
static void refused(const char *body, int status, const char *message) {
    struct trip_update u;
    char msg[300];
    int st = parse("V1", body, &u, msg, sizeof(msg));
    cr_assert_eq(st, status, "%s: status %d (%s), want %d", body, st, msg, status);
    cr_assert_str_eq(msg, message, "for %s", body);
    cr_assert_null(u.stops);
}

Test(trip_update, accepts_delays_by_index) {
    struct trip_update u;
    char msg[300];
    cr_assert_eq(parse("V1",
                       "{\"date\":\"2026-03-02\",\"stops\":[{\"stop_sequence_index\":1,"
                       "\"arrival_delay_s\":3600,\"observed\":true}]}",
                       &u, msg, sizeof(msg)),
                 0, "%s", msg);
    cr_assert_eq(u.what, TRIP_UP_STOPS);
    cr_assert_str_eq(u.date, "2026-03-02");
    cr_assert_str_eq(rt_str(&tt, tt.trips[tt.runs[u.run].trip].id), "V1");
    cr_assert_eq(u.nstops, 1);
    cr_assert_eq(u.stops[0].idx, 1);
    cr_assert_eq(u.stops[0].kind, TRIP_REP_DELAY);
    cr_assert_eq(u.stops[0].arr, 3600);
    cr_assert_eq(u.stops[0].dep, RT_OV_UNSET);
    cr_assert_eq(u.stops[0].observed, 1);
    trip_update_release(&u);
}

Test(trip_update, accepts_times_and_skips_by_stop_id) {
    struct trip_update u;
    char msg[300];
    cr_assert_eq(parse("V1",
                       "{\"date\":\"2026-03-03\",\"stops\":[{\"stop_id\":\"SGSIN\","
                       "\"arrival\":\"2026-03-07T13:00:00+08:00\",\"departure\":"
                       "\"2026-03-07T23:00:00+08:00\"},{\"stop_id\":\"NLRTM\","
                       "\"skipped\":true}]}",
                       &u, msg, sizeof(msg)),
                 0, "%s", msg);
    cr_assert_eq(u.nstops, 2);
    cr_assert_eq(u.stops[0].idx, 1);
    cr_assert_eq(u.stops[0].kind, TRIP_REP_TIME);
    cr_assert_eq(u.stops[0].dep - u.stops[0].arr, 36000);
    cr_assert_eq(u.stops[1].idx, 2);
    cr_assert_eq(u.stops[1].kind, TRIP_REP_SKIP);
    cr_assert_eq(u.stops[1].arr, RT_OV_UNSET);
    trip_update_release(&u);
}

Test(trip_update, accepts_cancel_and_clear) {
    struct trip_update u;
    char msg[300];
    cr_assert_eq(parse("F1",
                       "{\"date\":\"2026-03-04\",\"start_time\":\"08:00:00\","
                       "\"cancelled\":true}",
                       &u, msg, sizeof(msg)),
                 0, "%s", msg);
    cr_assert_eq(u.what, TRIP_UP_CANCEL);
    cr_assert_eq(tt.runs[u.run].start % 86400, 8 * 3600);
    cr_assert_null(u.stops);
    cr_assert_eq(
        parse("V1", "{\"date\":\"2026-03-05\",\"clear\":true}", &u, msg, sizeof(msg)),
        0, "%s", msg);
    cr_assert_eq(u.what, TRIP_UP_CLEAR);
}

Test(trip_update, top_level_errors_name_the_field) {
    refused(
        "{\"date\":\"2026-03-02\",\"cancel\":true}", 400,
        "cancel: unknown field (expected date, start_time, cancelled, stops, clear)");
    refused("{\"cancelled\":true}", 400, "date: required, the service date YYYY-MM-DD");
    refused("{\"date\":\"2026-3-2\",\"cancelled\":true}", 400,
            "date: must be YYYY-MM-DD");
    refused("{\"date\":\"2026-02-30\",\"cancelled\":true}", 422,
            "date: '2026-02-30' is not a calendar date");
    refused("{\"date\":\"2026-03-02\",\"start_time\":\"8:00\",\"cancelled\":true}", 400,
            "start_time: must be HH:MM:SS");
    refused("{\"date\":\"2026-03-02\",\"cancelled\":1}", 400,
            "cancelled: must be true");
    refused("{\"date\":\"2026-03-02\",\"clear\":\"yes\"}", 400, "clear: must be true");
    refused("{\"date\":\"2026-03-02\",\"stops\":{}}", 400, "stops: must be an array");
    refused("{\"date\":\"2026-03-02\"}", 400,
            "give exactly one of stops, cancelled and clear");
    refused("{\"date\":\"2026-03-02\",\"clear\":true,\"cancelled\":true}", 400,
            "give exactly one of stops, cancelled and clear");
    refused("{\"date\":\"2026-03-02\",\"cancelled\":false}", 422,
            "cancelled: only true is meaningful");
    refused("{\"date\":\"2026-03-02\",\"stops\":[]}", 422, "stops: at least one stop");
}

Test(trip_update, unknown_trip_or_run_is_404) {
    struct trip_update u;
    char msg[300];
    cr_assert_eq(parse("NOPE", "{\"date\":\"2026-03-02\",\"cancelled\":true}", &u, msg,
                       sizeof(msg)),
                 404);
    cr_assert_str_eq(msg, "no trip 'NOPE'");
    refused("{\"date\":\"2026-04-02\",\"cancelled\":true}", 404,
            "trip 'V1' does not run on 2026-04-02");
    cr_assert_eq(parse("F1",
                       "{\"date\":\"2026-03-02\",\"start_time\":\"07:30:00\","
                       "\"cancelled\":true}",
                       &u, msg, sizeof(msg)),
                 404);
    cr_assert_str_eq(msg, "trip 'F1' does not run on 2026-03-02 starting at 07:30:00");
}

Test(trip_update, stop_errors_name_the_path_and_value) {
#define ONE(S) "{\"date\":\"2026-03-02\",\"stops\":[" S "]}"
    refused(ONE("3"), 400, "stops[0]: must be an object");
    refused(ONE("{\"stop_sequence_index\":0,\"delay\":5}"), 400,
            "stops[0].delay: unknown field");
    refused(ONE("{\"arrival_delay_s\":5}"), 400,
            "stops[0]: give exactly one of stop_sequence_index and stop_id");
    refused(ONE("{\"stop_sequence_index\":\"1\",\"arrival_delay_s\":5}"), 400,
            "stops[0].stop_sequence_index: must be an integer");
    refused(ONE("{\"stop_sequence_index\":0,\"skipped\":true},"
                "{\"stop_sequence_index\":3,\"arrival_delay_s\":5}"),
            422,
            "stops[1].stop_sequence_index: 3 is not in 0..2 (the trip has 3 stops)");
    refused(ONE("{\"stop_id\":7,\"arrival_delay_s\":5}"), 400,
            "stops[0].stop_id: must be a string");
    refused(ONE("{\"stop_id\":\"DEHAM\",\"arrival_delay_s\":5}"), 422,
            "stops[0].stop_id: 'DEHAM' is not a stop of trip 'V1'");
    refused(ONE("{\"stop_id\":\"CNSHA\",\"skipped\":true},{\"stop_sequence_index\":0,"
                "\"skipped\":true}"),
            422, "stops[1]: stop 0 is reported twice");
    refused(ONE("{\"stop_sequence_index\":0,\"arrival_delay_s\":1.5}"), 400,
            "stops[0].arrival_delay_s: must be an integer");
    refused(ONE("{\"stop_sequence_index\":0,\"departure_delay_s\":7776001}"), 422,
            "stops[0].departure_delay_s: 7776001 s is more than 90 days");
    refused(ONE("{\"stop_sequence_index\":0,\"arrival\":5}"), 400,
            "stops[0].arrival: must be an ISO 8601 time with an offset");
    refused(ONE("{\"stop_sequence_index\":0,\"arrival\":\"2025-01-01T00:00:00Z\"}"),
            422, "stops[0].arrival: outside the loaded timetable's days");
    refused(
        ONE("{\"stop_sequence_index\":0,\"observed\":\"yes\",\"arrival_delay_s\":5}"),
        400, "stops[0].observed: must be true or false");
    refused(ONE("{\"stop_sequence_index\":0,\"arrival_delay_s\":5,"
                "\"departure\":\"2026-03-02T08:00:00+08:00\"}"),
            422, "stops[0]: give delays or times, not both");
    refused(ONE("{\"stop_sequence_index\":0,\"arrival_delay_s\":5,\"skipped\":true}"),
            422, "stops[0]: a skipped stop has no times");
    refused(
        ONE("{\"stop_sequence_index\":0,\"observed\":true}"), 422,
        "stops[0]: nothing reported: give arrival_delay_s, departure_delay_s, arrival, "
        "departure or skipped");
    refused(ONE("{\"stop_sequence_index\":1,\"arrival\":\"2026-03-06T05:00:00+08:00\","
                "\"departure\":\"2026-03-06T04:00:00+08:00\"}"),
            422, "stops[0].departure: before the arrival");
#undef ONE
}

Test(trip_update, bad_time_text_is_quoted_in_the_message) {
    struct trip_update u;
    char msg[300];
    cr_assert_eq(parse("V1",
                       "{\"date\":\"2026-03-02\",\"stops\":[{\"stop_sequence_index\":0,"
                       "\"arrival\":\"tomorrow\"}]}",
                       &u, msg, sizeof(msg)),
                 400);
    cr_assert(strncmp(msg, "stops[0].arrival: ", 18) == 0 && strlen(msg) > 18, "%s",
              msg);
}

Test(trip_update, reports_survive_encode_and_decode) {
    const struct trip_stop_rep reps[] = {
        {1, TRIP_REP_DELAY, 60, RT_OV_UNSET, 1},
        {2, TRIP_REP_TIME, 1772400000, 1772403600, 0},
        {0, TRIP_REP_SKIP, RT_OV_UNSET, RT_OV_UNSET, 0},
    };
    for (size_t i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
        char field[24], *txt = trip_rep_encode(&reps[i]);
        struct trip_stop_rep s;
        cr_assert_not_null(txt);
        snprintf(field, sizeof(field), "stop:%u", reps[i].idx);
        cr_assert_eq(trip_rep_decode(field, txt, strlen(txt), 3, &s), 0, "%s", txt);
        cr_assert(s.idx == reps[i].idx && s.kind == reps[i].kind &&
                      s.arr == reps[i].arr && s.dep == reps[i].dep &&
                      s.observed == reps[i].observed,
                  "%s", txt);
        free(txt);
    }
}

Test(trip_update, decode_refuses_malformed_reports) {
    static const struct {
        const char *field, *val;
    } bad[] = {
        {"stop:3", "{\"k\":\"delay\",\"a\":1,\"d\":null,\"o\":0}"}, /* past the trip */
        {"stop:", "{\"k\":\"delay\",\"a\":1,\"d\":null,\"o\":0}"},
        {"stop:1x", "{\"k\":\"delay\",\"a\":1,\"d\":null,\"o\":0}"},
        {"trip", "{\"k\":\"delay\",\"a\":1,\"d\":null,\"o\":0}"},
        {"stop:1", "{\"k\":\"later\",\"a\":1,\"d\":null,\"o\":0}"},
        {"stop:1", "{\"a\":1,\"d\":null}"},
        {"stop:1", "{\"k\":\"time\",\"a\":\"1\",\"d\":null}"},
        {"stop:1", "[1]"},
        {"stop:1", "{\"k\":\"time\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct trip_stop_rep s;
        cr_assert_eq(
            trip_rep_decode(bad[i].field, bad[i].val, strlen(bad[i].val), 3, &s), -1,
            "accepted %s = %s", bad[i].field, bad[i].val);
    }
}
