/* Tests for carriers/one_record.c: IATA ONE Record LogisticsEvent JSON-LD
 * to canonical events. */
#include "carriers/one_record.h"
#include "test/unit/support.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RECEIVED 1795766400LL   /* 2026-11-27T08:00:00Z */

static int parse(const char *body, struct carrier_batch *b, char *err, size_t errlen) {
    carrier_batch_init(b);
    err[0] = '\0';
    return carrier_one_record_parse(body, strlen(body), RECEIVED, b, err, errlen);
}

/* A single event object made of the JSON members MEMBERS; it must be
 * accepted. */
static struct carrier_event one(const char *members) {
    char body[2048], err[256];
    struct carrier_batch b;
    struct carrier_event e;
    snprintf(body, sizeof(body), "{\"@type\":\"LogisticsEvent\",%s}", members);
    cr_assert_eq(parse(body, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.nrej, 0, "%s: %s", members, b.nrej ? b.rej[0].reason : "");
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.total, 1);
    e = b.ev[0];
    carrier_batch_free(&b);
    return e;
}

/* A single event object of MEMBERS must be refused for REASON. */
static void refused(const char *members, const char *reason) {
    char body[2048], err[256];
    struct carrier_batch b;
    snprintf(body, sizeof(body), "{%s}", members);
    cr_assert_eq(parse(body, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 0, "%s accepted", members);
    cr_assert_eq(b.nrej, 1);
    cr_assert_eq(b.total, 1);
    cr_assert_eq(b.rej[0].index, 0);
    cr_assert_str_eq(b.rej[0].reason, reason);
    carrier_batch_free(&b);
}

#define CODE(c) "\"eventCode\":{\"@id\":\"https://onerecord.iata.org/ns/coreCodeLists#StatusCode_" c "\"}"
#define DATE(d) "\"eventDate\":{\"@type\":\"http://www.w3.org/2001/XMLSchema#dateTime\",\"@value\":\"" d "\"}"
#define TT(t) "\"eventTimeType\":{\"@id\":\"https://onerecord.iata.org/ns/cargo#" t "\"}"
#define LOC(l) "\"recordedAtLocation\":{\"@id\":\"https://1r.example.org/logistics-objects/" l "\"}"

Test(one_record, fields_of_one_event) {
    struct carrier_event e =
        one("\"@id\":\"https://1r.example.org/le/42\"," CODE("DEP") "," TT("ACTUAL") "," DATE(
            "2026-11-27T09:47:00.000+08:00") "," LOC("YYA"));
    cr_assert_str_eq(e.event_id, "https://1r.example.org/le/42");
    cr_assert_str_eq(e.source, "one-record");
    cr_assert_str_eq(e.code, "DEP");
    cr_assert_eq(e.status, CS_DEPARTED);
    cr_assert_eq(e.classifier, CC_ACTUAL);
    cr_assert_eq(e.mode, CM_AIR);
    cr_assert_eq(e.event_time, 1795744020LL);   /* 01:47Z */
    cr_assert_eq(e.event_offset_s, 8 * 3600);
    cr_assert_eq(e.received, RECEIVED);
    cr_assert_str_eq(e.location, "YYA");
    cr_assert_str_eq(e.loc_kind, "iata");
    cr_assert_eq(e.nrefs, 0);
    cr_assert_eq(e.pieces, -1);
}

Test(one_record, time_types) {
    static const struct {
        const char *tt;
        enum carrier_classifier cls;
    } c[] = {{"ACTUAL", CC_ACTUAL},     {"ESTIMATED", CC_ESTIMATED}, {"EXPECTED", CC_ESTIMATED},
             {"PLANNED", CC_PLANNED},   {"REQUESTED", CC_PLANNED}};
    char m[512];
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        snprintf(m, sizeof(m), "%s,\"eventTimeType\":{\"@id\":\"https://onerecord.iata.org/ns/cargo#%s\"},%s",
                 CODE("ARR"), c[i].tt, DATE("2026-11-27T03:00:00Z"));
        struct carrier_event e = one(m);
        cr_assert_eq(e.classifier, c[i].cls, "%s", c[i].tt);
        /* a plain string does as well */
        snprintf(m, sizeof(m), "%s,\"eventTimeType\":\"%s\",%s", CODE("ARR"), c[i].tt,
                 DATE("2026-11-27T03:00:00Z"));
        e = one(m);
        cr_assert_eq(e.classifier, c[i].cls, "%s", c[i].tt);
    }
    /* absent: the code's own classifier */
    cr_assert_eq(one(CODE("ARR") "," DATE("2026-11-27T03:00:00Z")).classifier, CC_ACTUAL);
    cr_assert_eq(one(CODE("BKD") "," DATE("2026-11-27T03:00:00Z")).classifier, CC_PLANNED);
    /* given: it wins, BKD included */
    cr_assert_eq(one(CODE("BKD") "," TT("ACTUAL") "," DATE("2026-11-27T03:00:00Z")).classifier,
                 CC_ACTUAL);
}

Test(one_record, code_spellings) {
    struct carrier_event e = one("\"eventCode\":\"RCF\"," DATE("2026-11-27T03:00:00Z"));
    cr_assert_str_eq(e.code, "RCF");
    cr_assert_eq(e.status, CS_DISCHARGED);
    e = one("\"eventCode\":\"StatusCode_DLV\"," DATE("2026-11-27T03:00:00Z"));
    cr_assert_eq(e.status, CS_DELIVERED);
    e = one("\"eventCode\":{\"@type\":\"CodeListElement\",\"code\":\"FOH\"}," DATE(
        "2026-11-27T03:00:00Z"));
    cr_assert_eq(e.status, CS_GATE_IN);
    /* no @id: a hash id, stable */
    cr_assert_eq(strncmp(e.event_id, "h-", 2), 0);
    struct carrier_event f = one("\"eventCode\":{\"@type\":\"CodeListElement\",\"code\":\"FOH\"}," DATE(
        "2026-11-27T03:00:00Z"));
    cr_assert_str_eq(e.event_id, f.event_id);
    /* a blank node id is not kept */
    e = one("\"@id\":\"_:b0\"," CODE("FOH") "," DATE("2026-11-27T03:00:00Z"));
    cr_assert_str_eq(e.event_id, f.event_id);
}

Test(one_record, locations) {
    struct carrier_event e =
        one(CODE("ARR") "," DATE("2026-11-27T03:00:00Z") ",\"recordedAtLocation\":{\"locationCode\":\"CSX\"}");
    cr_assert_str_eq(e.location, "CSX");
    e = one(CODE("ARR") "," DATE("2026-11-27T03:00:00Z") ",\"recordedAtLocation\":{\"@type\":\"Location\","
            "\"locationCodes\":[{\"@type\":\"CodeListElement\",\"code\":\"WUH\"}]}");
    cr_assert_str_eq(e.location, "WUH");
    e = one(CODE("ARR") "," DATE("2026-11-27T03:00:00Z") ",\"recordedAtLocation\":"
            "\"https://1r.example.org/logistics-objects/FRA\"");
    cr_assert_str_eq(e.location, "FRA");
    /* an opaque location IRI names no airport: no location, not a refusal */
    e = one(CODE("ARR") "," DATE("2026-11-27T03:00:00Z") "," LOC("8a76ed85-959e"));
    cr_assert_str_eq(e.location, "");
    cr_assert_str_eq(e.loc_kind, "");
}

Test(one_record, waybills) {
    struct carrier_event e = one(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"eventFor\":{"
                                 "\"@type\":\"Shipment\",\"waybill\":{\"@type\":\"Waybill\","
                                 "\"waybillPrefix\":\"112\",\"waybillNumber\":\"55512122\"}}");
    cr_assert_str_eq(carrier_event_ref(&e, "awb"), "112-55512122");
    e = one(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"eventFor\":{\"@type\":\"Waybill\","
            "\"waybillPrefix\":{\"@value\":\"112\"},\"waybillNumber\":{\"@value\":\"55512122\"}}");
    cr_assert_str_eq(carrier_event_ref(&e, "awb"), "112-55512122");
    e = one(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"linkedObject\":{\"@type\":\"Waybill\","
            "\"waybillNumber\":\"112-55512122\"}");
    cr_assert_str_eq(carrier_event_ref(&e, "awb"), "112-55512122");
    e = one(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"eventFor\":{\"@type\":\"Waybill\","
            "\"waybillNumber\":\"SH-2026-0042\",\"waybillType\":{\"@id\":"
            "\"https://onerecord.iata.org/ns/cargo#HOUSE\"}}");
    cr_assert_null(carrier_event_ref(&e, "awb"));
    cr_assert_str_eq(carrier_event_ref(&e, "hawb"), "SH-2026-0042");
    /* a link without the waybill's data: no reference */
    e = one(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"eventFor\":{\"@id\":"
            "\"https://1r.example.org/logistics-objects/ship-1\"}");
    cr_assert_eq(e.nrefs, 0);
}

Test(one_record, bad_inputs) {
    refused(DATE("2026-11-27T03:00:00Z"), "eventCode: missing");
    refused(CODE("XYZ") "," DATE("2026-11-27T03:00:00Z"),
            "eventCode: 'XYZ' is not an IATA status event code");
    refused(CODE("OSI") "," DATE("2026-11-27T03:00:00Z"),
            "eventCode: 'OSI' is not an IATA status event code");
    refused("\"eventCode\":42," DATE("2026-11-27T03:00:00Z"),
            "eventCode: not a string or an object with @id");
    refused(CODE("DEP"), "eventDate: missing");
    refused(CODE("DEP") "," DATE("2026-11-27T03:00:00"),
            "eventDate: '2026-11-27T03:00:00' needs a UTC offset (Z or +HH:MM)");
    refused(CODE("DEP") ",\"eventDate\":[1]", "eventDate: not a string or an object with @value");
    refused(CODE("DEP") "," TT("SOMETIME") "," DATE("2026-11-27T03:00:00Z"),
            "eventTimeType: 'SOMETIME' is not ACTUAL, ESTIMATED, EXPECTED, PLANNED or REQUESTED");
    refused(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"recordedAtLocation\":{\"locationCode\":\"Fra\"}",
            "recordedAtLocation.locationCode: 'Fra' is not an IATA code");
    refused(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"recordedAtLocation\":7",
            "recordedAtLocation: not an object or an IRI");
    refused(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"eventFor\":{\"waybill\":{"
            "\"waybillPrefix\":\"112\",\"waybillNumber\":\"55512121\"}}",
            "eventFor.waybill: AWB '112-55512121' fails the check digit");
    refused(CODE("DEP") "," DATE("2026-11-27T03:00:00Z") ",\"eventFor\":{\"waybill\":{"
            "\"waybillPrefix\":\"11\",\"waybillNumber\":\"55512122\"}}",
            "eventFor.waybill: AWB '11-55512122' is not an air waybill number (waybillPrefix NNN, "
            "waybillNumber NNNNNNNN)");
    refused("\"@type\":\"Shipment\"," CODE("DEP") "," DATE("2026-11-27T03:00:00Z"),
            "@type: 'Shipment' is not LogisticsEvent");
}

Test(one_record, unreadable_bodies) {
    char err[256];
    struct carrier_batch b;
    cr_assert_eq(parse("{\"eventCode\":", &b, err, sizeof(err)), -1);
    cr_assert_eq(strncmp(err, "JSON at byte 13: ", 17), 0, "%s", err);
    carrier_batch_free(&b);
    cr_assert_eq(parse("\"DEP\"", &b, err, sizeof(err)), -1);
    carrier_batch_free(&b);
    cr_assert_eq(parse("42", &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "JSON at byte 0: neither a LogisticsEvent object nor an array");
    carrier_batch_free(&b);
    carrier_batch_init(&b);
    cr_assert_eq(carrier_one_record_parse("[{}]\0", 5, RECEIVED, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "JSON at byte 4: NUL byte");
    carrier_batch_free(&b);
    /* an empty array is readable and holds nothing */
    cr_assert_eq(parse("[]", &b, err, sizeof(err)), 0);
    cr_assert_eq(b.total, 0);
    carrier_batch_free(&b);
}

/* An array where the bad elements do not stop the good. */
Test(one_record, array_body) {
    size_t len;
    char *body = ut_slurp(ut_path("test/fixtures/carriers/iata/one_record_events.json"), &len);
    char err[256] = "";
    struct carrier_batch b;
    carrier_batch_init(&b);
    cr_assert_eq(carrier_one_record_parse(body, len, RECEIVED, &b, err, sizeof(err)), 0, "%s",
                 err);
    cr_assert_eq(b.total, 5);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.nrej, 2);

    cr_assert_str_eq(b.ev[0].event_id,
                     "https://1r.sanhe.example/logistics-objects/ship-7/logistics-events/e1");
    cr_assert_str_eq(b.ev[0].code, "RCS");
    cr_assert_eq(b.ev[0].status, CS_RECEIVED);
    cr_assert_eq(b.ev[0].event_time, 1795698300LL);   /* 2026-11-26T13:05Z */
    cr_assert_eq(b.ev[0].event_offset_s, 28800);
    cr_assert_str_eq(b.ev[0].location, "YYA");
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "awb"), "297-33000111");

    cr_assert_str_eq(b.ev[1].code, "DEP");
    cr_assert_eq(b.ev[1].classifier, CC_ESTIMATED);
    cr_assert_eq(b.ev[1].event_time, 1795743000LL);   /* 2026-11-27T01:30Z */
    cr_assert_eq(b.ev[1].nrefs, 0);

    cr_assert_str_eq(b.ev[2].code, "RCF");   /* partial: an event all the same */
    cr_assert_str_eq(b.ev[2].location, "CSX");

    cr_assert_eq(b.rej[0].index, 2);
    cr_assert_str_eq(b.rej[0].reason, "[2]: eventDate: missing");
    cr_assert_eq(b.rej[1].index, 3);
    cr_assert_str_eq(b.rej[1].reason,
                     "[3]: eventFor.waybill: AWB '297-33000112' fails the check digit");
    carrier_batch_free(&b);
    free(body);
}

Test(one_record, graph_body) {
    char err[256];
    struct carrier_batch b;
    cr_assert_eq(parse("{\"@context\":{},\"@graph\":[{\"@type\":\"LogisticsEvent\"," CODE("CCD") "," DATE(
                           "2026-11-27T03:00:00Z") "},{\"@type\":\"LogisticsEvent\"}]}",
                       &b, err, sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.ev[0].status, CS_CUSTOMS_RELEASED);
    cr_assert_eq(b.nrej, 1);
    cr_assert_str_eq(b.rej[0].reason, "@graph[1]: eventCode: missing");
    carrier_batch_free(&b);
}

/* The public samples, when the shared data directory is beside the tree. */
Test(one_record, shared_samples) {
    static const struct {
        const char *file, *code, *loc;
        enum carrier_status st;
        long long t;
    } c[] = {
        {"logistics-event-ARR.json", "ARR", "JFK", CS_ARRIVED, 1680359881LL},
        {"logistics-event-BKD.json", "BKD", "FRA", CS_BOOKED, 1680331081LL},
        {"logistics-event-DEP.json", "DEP", "FRA", CS_DEPARTED, 1680345481LL},
        {"logistics-event-DEP-partial.json", "DEP", "FRA", CS_DEPARTED, 1680345481LL},
        {"logistics-event-FOH.json", "FOH", "FRA", CS_GATE_IN, 1680331321LL},
    };
    char rel[128], err[256];
    struct stat st;
    if (stat(ut_path("../shared/data/iata"), &st) != 0) return;
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        size_t len;
        struct carrier_batch b;
        snprintf(rel, sizeof(rel), "../shared/data/iata/%s", c[i].file);
        char *body = ut_slurp(ut_path(rel), &len);
        carrier_batch_init(&b);
        cr_assert_eq(carrier_one_record_parse(body, len, RECEIVED, &b, err, sizeof(err)), 0,
                     "%s: %s", c[i].file, err);
        cr_assert_eq(b.n, 1, "%s: %s", c[i].file, b.nrej ? b.rej[0].reason : "");
        cr_assert_str_eq(b.ev[0].code, c[i].code);
        cr_assert_eq(b.ev[0].status, c[i].st);
        cr_assert_eq(b.ev[0].classifier, CC_ACTUAL);
        cr_assert_str_eq(b.ev[0].location, c[i].loc);
        cr_assert_eq(b.ev[0].event_time, c[i].t, "%s", c[i].file);
        cr_assert_str_eq(b.ev[0].event_id,
                         "https://1r.example.com/logistics-object/abcd/logistics-events/xyz");
        carrier_batch_free(&b);
        free(body);
    }
    /* a Shipment is not an event */
    size_t len;
    struct carrier_batch b;
    char *body = ut_slurp(ut_path("../shared/data/iata/shipment.json"), &len);
    carrier_batch_init(&b);
    cr_assert_eq(carrier_one_record_parse(body, len, RECEIVED, &b, err, sizeof(err)), 0);
    cr_assert_eq(b.nrej, 1);
    cr_assert_str_eq(b.rej[0].reason, "@type: 'Shipment' is not LogisticsEvent");
    carrier_batch_free(&b);
    free(body);
}

Test(one_record, a_linked_transport_movement_names_the_flight) {
    struct carrier_event e =
        one(CODE("DEP") "," DATE("2026-11-03T02:30:00Z") ","
            "\"linkedObject\":{\"@type\":\"TransportMovement\",\"transportIdentifier\":\"CZ345\"}");
    cr_assert_str_eq(carrier_event_ref(&e, "flight"), "CZ345");
    e = one(CODE("ARR") "," DATE("2026-11-03T02:30:00Z") ","
            "\"eventFor\":[{\"@type\":\"Waybill\",\"waybillPrefix\":\"020\",\"waybillNumber\":"
            "\"12345675\"},{\"@type\":\"TransportMovement\",\"transportIdentifier\":\"3V4021A\"}]");
    cr_assert_str_eq(carrier_event_ref(&e, "flight"), "3V4021A");
    cr_assert_str_eq(carrier_event_ref(&e, "awb"), "020-12345675");
    refused("\"@type\":\"LogisticsEvent\"," CODE("DEP") "," DATE("2026-11-03T02:30:00Z") ","
            "\"linkedObject\":{\"@type\":\"TransportMovement\",\"transportIdentifier\":\"C\"}",
            "linkedObject.transportIdentifier: 'C' is not a flight designator such as CZ345");
}
