/* carriers/rail_events.c: the fixtures under test/fixtures/carriers/rail/,
 * one event object, every kind of refusal, and bodies that are not read. */
#include "carriers/rail_events.h"
#include "test/unit/support.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECV 1795737600   /* 2026-11-27T00:00Z */

/* The whole of fixture REL, *LEN bytes, malloc'ed. */
static int parse_str(const char *s, struct carrier_batch *b, char *err, size_t errlen) {
    carrier_batch_init(b);
    err[0] = '\0';
    return carrier_rail_events_parse(s, strlen(s), RECV, b, err, errlen);
}

Test(rail_events, uic_check_digit) {
    cr_assert(carrier_uic_wagon_valid("218124712173"));
    cr_assert(carrier_uic_wagon_valid("335684970122"));
    cr_assert(carrier_uic_wagon_valid("318053504334"));
    cr_assert_not(carrier_uic_wagon_valid("218124712174"));
    cr_assert_not(carrier_uic_wagon_valid("21812471217"));
    cr_assert_not(carrier_uic_wagon_valid("21812471217A"));
}

Test(rail_events, fixture_valid) {
    struct carrier_batch b;
    char err[256];
    size_t len;
    char *body = ut_slurp(ut_path("test/fixtures/carriers/rail/valid.json"), &len);
    const struct carrier_event *e;

    carrier_batch_init(&b);
    cr_assert_eq(carrier_rail_events_parse(body, len, RECV, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.total, 6);
    cr_assert_eq(b.n, 6, "%s", b.nrej ? b.rej[0].reason : "");
    cr_assert_eq(b.nrej, 0);

    e = &b.ev[0];
    cr_assert_str_eq(e->event_id, "hn-x8024-0001");
    cr_assert_str_eq(e->source, "rail-events");
    cr_assert_eq(e->status, CS_DEPARTED);
    cr_assert_str_eq(e->code, "DEPA");
    cr_assert_eq(e->classifier, CC_ACTUAL);
    cr_assert_eq(e->mode, CM_RAIL);
    cr_assert_str_eq(carrier_event_ref(e, "train"), "X8024");
    cr_assert_str_eq(carrier_event_ref(e, "wagon"), "218124712173", "UIC kept as digits");
    cr_assert_str_eq(carrier_event_ref(e, "container"), "HNYU1207347");
    cr_assert_str_eq(carrier_event_ref(e, "cim_smgs"), "SMGS-2611-004417");
    cr_assert_str_eq(carrier_event_ref(e, "bl"), "HNYYBL2611001");
    cr_assert_eq(e->nrefs, 5);
    cr_assert_str_eq(e->location, "CNCSX");
    cr_assert_str_eq(e->loc_kind, "unlocode");
    cr_assert_eq(e->has_coords, 1);
    cr_assert_float_eq(e->lat, 28.3, 1e-9);
    cr_assert_float_eq(e->lon, 113.06, 1e-9);
    cr_assert_eq(e->event_time, 1795182000);
    cr_assert_eq(e->event_offset_s, 8 * 3600);
    cr_assert_eq(e->received, RECV);
    cr_assert_eq(e->retracted, 0);

    e = &b.ev[1];
    cr_assert_eq(e->status, CS_BORDER_CROSSED);
    cr_assert_str_eq(e->code, "BCRS");
    cr_assert_str_eq(e->location, "708609");
    cr_assert_str_eq(e->loc_kind, "station");
    cr_assert_eq(e->has_coords, 0);
    cr_assert_eq(e->event_time, 1795554900);
    cr_assert_eq(e->event_offset_s, 6 * 3600);

    e = &b.ev[2];   /* gauge change: status TRANSSHIPPED, code kept; hash id */
    cr_assert_eq(e->status, CS_TRANSSHIPPED);
    cr_assert_str_eq(e->code, "GAUG");
    cr_assert_eq(strlen(e->event_id), 34);
    cr_assert_eq(strncmp(e->event_id, "h-", 2), 0);
    cr_assert_str_eq(carrier_event_ref(e, "wagon"), "335684970122");

    e = &b.ev[3];   /* a word code; the UN/LOCODE wins over the station */
    cr_assert_eq(e->status, CS_ARRIVED);
    cr_assert_str_eq(e->code, "ARRIVED");
    cr_assert_eq(e->classifier, CC_ESTIMATED);
    cr_assert_str_eq(carrier_event_ref(e, "trip"), "X8024-20261120");
    cr_assert_str_eq(e->location, "DEDUI");
    cr_assert_str_eq(e->loc_kind, "unlocode");
    cr_assert_eq(e->event_time, 1796742000);
    cr_assert_eq(e->event_offset_s, 3600);
    cr_assert_str_neq(e->event_id, b.ev[2].event_id);

    e = &b.ev[4];
    cr_assert_eq(e->status, CS_CUSTOMS_RELEASED);
    cr_assert_str_eq(e->code, "CUSTOMS_RELEASED");
    cr_assert_eq(e->classifier, CC_PLANNED);
    cr_assert_eq(e->event_time, 1796806800);
    cr_assert_eq(e->event_offset_s, 0);

    e = &b.ev[5];
    cr_assert_str_eq(e->event_id, "hn-x8024-0006");
    cr_assert_eq(e->retracted, 1);
    cr_assert_str_eq(e->retracts, "hn-x8024-0001");
    carrier_batch_free(&b);
    free(body);
}

Test(rail_events, fixture_mixed) {
    struct carrier_batch b;
    char err[256];
    size_t len;
    char *body = ut_slurp(ut_path("test/fixtures/carriers/rail/mixed.json"), &len);

    carrier_batch_init(&b);
    cr_assert_eq(carrier_rail_events_parse(body, len, RECV, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.total, 5);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.nrej, 3);
    cr_assert_eq(b.ev[0].status, CS_GATE_IN);
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "container"), "DTGU0088124");
    cr_assert_eq(b.ev[0].event_time, 1795226400);
    cr_assert_eq(b.ev[1].status, CS_DEPARTED);
    cr_assert_str_eq(b.ev[1].code, "DEPARTED");
    cr_assert_str_eq(carrier_event_ref(&b.ev[1], "wagon"), "318053504334");
    cr_assert_eq(b.ev[1].event_time, 1795239000);
    cr_assert_eq(b.rej[0].index, 1);
    cr_assert_str_eq(b.rej[0].reason, "[1].equipmentReference: 'DTGU0088125' is not an ISO 6346 "
                                      "container number with a correct check digit");
    cr_assert_eq(b.rej[1].index, 2);
    cr_assert_str_eq(b.rej[1].reason, "[2].event: not an object");
    cr_assert_eq(b.rej[2].index, 4);
    cr_assert_eq(strncmp(b.rej[2].reason,
                         "[4].eventDateTime: '2026-11-21 13:30' is not an ISO 8601 time with "
                         "offset (",
                         75),
                 0, "%s", b.rej[2].reason);
    carrier_batch_free(&b);
    free(body);
}

Test(rail_events, one_object_body) {
    struct carrier_batch b;
    char err[256];
    cr_assert_eq(parse_str("{\"eventType\":\"RAIL\",\"eventClassifierCode\":\"ACT\","
                           "\"eventDateTime\":\"2026-11-26T07:00:00+03:00\","
                           "\"railEventTypeCode\":\"GATE_OUT\",\"trainNumber\":\"ABC-12\","
                           "\"wagonNumber\":\"SGNSW42\","
                           "\"location\":{\"UNLocationCode\":\"RUMOW\"}}",
                           &b, err, sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(b.total, 1);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.ev[0].status, CS_GATE_OUT);
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "wagon"), "SGNSW42");
    cr_assert_str_eq(b.ev[0].location, "RUMOW");
    cr_assert_eq(b.ev[0].event_offset_s, 3 * 3600);
    carrier_batch_free(&b);

    cr_assert_eq(parse_str("[]", &b, err, sizeof(err)), 0);
    cr_assert_eq(b.total, 0);
    carrier_batch_free(&b);
}

Test(rail_events, hash_id_is_stable) {
    const char *ev = "[{\"eventType\":\"RAIL\",\"eventClassifierCode\":\"EST\","
                     "\"eventDateTime\":\"2026-11-26T07:00:00+03:00\","
                     "\"railEventTypeCode\":\"ARRI\",\"trainNumber\":\"X1\","
                     "\"location\":{\"stationCode\":\"1234\"}}]";
    struct carrier_batch a, b;
    char err[256];
    cr_assert_eq(parse_str(ev, &a, err, sizeof(err)), 0);
    carrier_batch_init(&b);
    cr_assert_eq(carrier_rail_events_parse(ev, strlen(ev), RECV + 3600, &b, err, sizeof(err)), 0);
    cr_assert_eq(a.n, 1);
    cr_assert_str_eq(a.ev[0].event_id, b.ev[0].event_id, "received is not part of the id");
    carrier_batch_free(&a);
    carrier_batch_free(&b);
}

/* The reason one event refused is given: a good event with KEY set to
 * the JSON text VALUE (NULL: removed), inside LOCATION when LOC is 1. */
static const char *refused(const char *key, const char *value, int loc) {
    static char why[256];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "eventType", "RAIL",
                          "eventClassifierCode", "ACT", "eventDateTime",
                          "2026-11-26T07:00:00+03:00", "railEventTypeCode", "DEPA",
                          "trainNumber", "X8024", "location", "UNLocationCode", "RUMOW");
    json_t *where = loc ? json_object_get(o, "location") : o;
    struct carrier_batch b;
    char err[256], *txt;
    cr_assert_not_null(o);
    if (value)
        json_object_set_new(where, key, json_loads(value, JSON_DECODE_ANY, NULL));
    else
        json_object_del(where, key);
    txt = json_dumps(o, JSON_COMPACT);
    cr_assert_eq(parse_str(txt, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.total, 1);
    cr_assert_eq(b.n, 0, "%s=%s was accepted", key, value ? value : "(none)");
    cr_assert_eq(b.nrej, 1);
    cr_assert_eq(b.rej[0].index, 0);
    snprintf(why, sizeof(why), "%s", b.rej[0].reason);
    carrier_batch_free(&b);
    free(txt);
    json_decref(o);
    return why;
}

/* KEY=VALUE on the good event is accepted. */
static void accepted(const char *key, const char *value) {
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "eventType", "RAIL",
                          "eventClassifierCode", "ACT", "eventDateTime",
                          "2026-11-26T07:00:00+03:00", "railEventTypeCode", "DEPA",
                          "trainNumber", "X8024", "location", "UNLocationCode", "RUMOW");
    struct carrier_batch b;
    char err[256], *txt;
    json_object_set_new(o, key, json_loads(value, JSON_DECODE_ANY, NULL));
    txt = json_dumps(o, JSON_COMPACT);
    cr_assert_eq(parse_str(txt, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 1, "%s=%s: %s", key, value, b.nrej ? b.rej[0].reason : "");
    carrier_batch_free(&b);
    free(txt);
    json_decref(o);
}

Test(rail_events, refusals_name_index_field_and_value) {
    cr_assert_str_eq(refused("eventType", NULL, 0), "[0].eventType: missing");
    cr_assert_str_eq(refused("eventType", "\"TRANSPORT\"", 0),
                     "[0].eventType: 'TRANSPORT' is not RAIL");
    cr_assert_str_eq(refused("eventClassifierCode", "\"ACTUAL\"", 0),
                     "[0].eventClassifierCode: 'ACTUAL' is not PLN, EST or ACT");
    cr_assert_str_eq(refused("eventClassifierCode", "null", 0),
                     "[0].eventClassifierCode: missing");
    cr_assert_str_eq(refused("eventDateTime", NULL, 0), "[0].eventDateTime: missing");
    cr_assert_str_eq(refused("eventDateTime", "1795737600", 0),
                     "[0].eventDateTime: not a string");
    cr_assert_str_eq(refused("eventDateTime", "\"1999-12-31T23:59:59Z\"", 0),
                     "[0].eventDateTime: '1999-12-31T23:59:59Z' is not between 2000 and 2100");
    cr_assert_eq(strncmp(refused("eventDateTime", "\"2026-11-26T07:00:00\"", 0),
                         "[0].eventDateTime: '2026-11-26T07:00:00' is not an ISO 8601 time "
                         "with offset (", 78), 0);
    cr_assert_eq(strncmp(refused("eventCreatedDateTime", "\"2026-02-30T07:00:00Z\"", 0),
                         "[0].eventCreatedDateTime: '2026-02-30T07:00:00Z' is not an ISO 8601",
                         67), 0);
    cr_assert_str_eq(refused("railEventTypeCode", "\"GAUGE_CHANGE\"", 0),
                     "[0].railEventTypeCode: unknown 'GAUGE_CHANGE'");
    cr_assert_str_eq(refused("railEventTypeCode", NULL, 0), "[0].railEventTypeCode: missing");
    cr_assert_str_eq(refused("trainNumber", "\"x8024\"", 0),
                     "[0].trainNumber: 'x8024' is not 1..20 of A-Z, 0-9, -");
    cr_assert_str_eq(refused("trainNumber", "\"X80241234567890123456\"", 0),
                     "[0].trainNumber: 'X80241234567890123456' is not 1..20 of A-Z, 0-9, -");
    cr_assert_str_eq(refused("trainNumber", NULL, 0), "[0].trainNumber: missing");
    cr_assert_str_eq(refused("wagonNumber", "\"21 81 2471 217-4\"", 0),
                     "[0].wagonNumber: '21 81 2471 217-4' fails the UIC check digit");
    cr_assert_str_eq(refused("wagonNumber", "\"SGNS/42\"", 0),
                     "[0].wagonNumber: 'SGNS/42' is neither a UIC number nor 1..20 letters and "
                     "digits");
    cr_assert_str_eq(refused("equipmentReference", "\"HNYU1207348\"", 0),
                     "[0].equipmentReference: 'HNYU1207348' is not an ISO 6346 container number "
                     "with a correct check digit");
    cr_assert_str_eq(refused("consignmentNoteNumber", "\"smgs 1\"", 0),
                     "[0].consignmentNoteNumber: 'smgs 1' is not 1..35 of A-Z, 0-9, /, -");
    cr_assert_str_eq(refused("transportDocumentReference", "\"BL 1\"", 0),
                     "[0].transportDocumentReference: 'BL 1' is not 1..20 printable characters "
                     "without spaces");
    cr_assert_str_eq(refused("tripID", "\"\"", 0),
                     "[0].tripID: '' is not 1..63 printable characters without spaces");
    cr_assert_str_eq(refused("eventID", "\"\"", 0),
                     "[0].eventID: '' is not 1..80 printable characters without spaces");
    cr_assert_str_eq(refused("eventID", "42", 0), "[0].eventID: not a string");
    /* the canonical event id holds 80: a longer one is refused, not cut */
    cr_assert_str_eq(refused("eventID", "\"EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE\"", 0),
                     "[0].eventID: 'EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE' is not 1..80 printable characters without spaces");

    cr_assert_str_eq(refused("location", NULL, 0), "[0].location: missing");
    cr_assert_str_eq(refused("location", "\"RUMOW\"", 0), "[0].location: not an object");
    cr_assert_str_eq(refused("location", "{\"locationName\":\"Moscow\"}", 0),
                     "[0].location: neither UNLocationCode nor stationCode");
    cr_assert_str_eq(refused("UNLocationCode", "\"RUMO1\"", 1),
                     "[0].location.UNLocationCode: 'RUMO1' is not a UN/LOCODE");
    cr_assert_str_eq(refused("stationCode", "\"19a\"", 1),
                     "[0].location.stationCode: '19a' is not 2..24 of A-Z, 0-9 and -");
    cr_assert_str_eq(refused("latitude", "55.75", 1), "[0].location: latitude without longitude");
    cr_assert_str_eq(refused("location",
                             "{\"UNLocationCode\":\"RUMOW\",\"latitude\":95,\"longitude\":37.6}", 0),
                     "[0].location.latitude: 95 is not in -90..90");
    cr_assert_str_eq(refused("location",
                             "{\"UNLocationCode\":\"RUMOW\",\"latitude\":\"55\",\"longitude\":37}",
                             0),
                     "[0].location.latitude: not a number");

    cr_assert_str_eq(refused("isRetracted", "\"yes\"", 0), "[0].isRetracted: not true or false");
    cr_assert_str_eq(refused("isRetracted", "true", 0),
                     "[0].retractedEventID: missing while isRetracted is true");
    cr_assert_str_eq(refused("retractedEventID", "\"hn-1\"", 0),
                     "[0].retractedEventID: given but isRetracted is not true");

    /* what is fine */
    accepted("trainNumber", "\"80001\"");
    accepted("eventID", "\"EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE\"");
    accepted("wagonNumber", "\"218124712173\"");
    accepted("isRetracted", "false");
    accepted("eventCreatedDateTime", "null");
    accepted("locationName", "\"x\"");
}

Test(rail_events, unreadable_bodies) {
    struct carrier_batch b;
    char err[256];

    cr_assert_eq(parse_str("[{\"eventType\": \"RAIL\",}]", &b, err, sizeof(err)), -1);
    cr_assert_eq(strncmp(err, "JSON at byte 23 (line 1, column 23): ", 37), 0, "%s", err);
    carrier_batch_free(&b);

    cr_assert_eq(parse_str("{\"a\":1,\"a\":2}", &b, err, sizeof(err)), -1);
    cr_assert(strstr(err, "duplicate object key") != NULL, "%s", err);
    carrier_batch_free(&b);

    cr_assert_eq(parse_str("\"RAIL\"", &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "JSON at byte 0: the body is neither an array of events nor one event "
                          "object");
    carrier_batch_free(&b);

    carrier_batch_init(&b);
    cr_assert_eq(carrier_rail_events_parse("[{}]\0", 5, RECV, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "JSON at byte 4: NUL byte in the body");
    carrier_batch_free(&b);

    cr_assert_eq(parse_str("[{\"trainNumber\": \"X\\u0000Y\"}]", &b, err, sizeof(err)), -1);
    cr_assert_eq(strncmp(err, "JSON at byte 27 (line 1, column 27): \\u0000 is not allowed", 58), 0,
                 "%s", err);
    carrier_batch_free(&b);

    cr_assert_eq(parse_str("", &b, err, sizeof(err)), -1);
    cr_assert_eq(b.total, 0);
    carrier_batch_free(&b);
}

Test(rail_events, too_many_events) {
    size_t n = 100001, len = 2 + 3 * n;
    char *body = malloc(len + 1);
    struct carrier_batch b;
    char err[256];
    cr_assert_not_null(body);
    body[0] = '[';
    for (size_t i = 0; i < n; i++) memcpy(body + 1 + 3 * i, i + 1 < n ? "{}," : "{} ", 3);
    body[len - 1] = ']';
    carrier_batch_init(&b);
    cr_assert_eq(carrier_rail_events_parse(body, len, RECV, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "JSON: 100001 events in the body, more than 100000");
    cr_assert_eq(b.n + b.nrej, 0);
    carrier_batch_free(&b);
    free(body);
}
