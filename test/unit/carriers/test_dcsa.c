/* carriers/dcsa.c: DCSA Track & Trace 2.2 / 3.0 events, the refusals the
 * DCSA "wrong" samples exercise (our own fixtures in
 * test/fixtures/carriers/dcsa/), and the callback signature. */
#include "carriers/dcsa.h"

#include "test/unit/support.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RECEIVED 1795766100 /* 2026-11-27T07:55:00Z */

/* Parse fixture NAME into B (initialised here); returns the parser's result. */
static int parse_fixture(const char *name, struct carrier_batch *b, char *err,
                         size_t errlen) {
    char rel[128];
    size_t len;
    snprintf(rel, sizeof(rel), "test/fixtures/carriers/dcsa/%s", name);
    char *body = ut_slurp(ut_path(rel), &len);
    carrier_batch_init(b);
    int rc = carrier_dcsa_parse(body, len, RECEIVED, b, err, errlen);
    free(body);
    return rc;
}

static int parse_str(const char *json, struct carrier_batch *b, char *err,
                     size_t errlen) {
    carrier_batch_init(b);
    return carrier_dcsa_parse(json, strlen(json), RECEIVED, b, err, errlen);
}

/* The reason of the refusal of event INDEX in B, or "" when none. */
static const char *reason_of(const struct carrier_batch *b, size_t index) {
    for (size_t i = 0; i < b->nrej; i++)
        if (b->rej[i].index == index) return b->rej[i].reason;
    return "";
}

/* ---- good events ---- */

Test(dcsa, v220_transport_event_fields) {
    struct carrier_batch b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("good-220.json", &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.nrej, 0, "%s", b.nrej ? b.rej[0].reason : "");
    cr_assert_eq(b.total, 3);

    const struct carrier_event *e = &b.ev[0];
    cr_assert_str_eq(e->event_id, "5b1c2e3a-9d4f-4e21-8a6b-0c7d8e9f1a2b");
    cr_assert_str_eq(e->source, "dcsa-tnt");
    cr_assert_eq(e->status, CS_DEPARTED);
    cr_assert_str_eq(e->code, "DEPA");
    cr_assert_eq(e->classifier, CC_ACTUAL);
    cr_assert_eq(e->mode, CM_VESSEL);
    cr_assert_str_eq(e->location, "CNSHA");
    cr_assert_str_eq(e->loc_kind, "unlocode");
    cr_assert_eq(e->has_coords, 0);
    cr_assert_eq(e->event_time, 1772430300); /* 2026-03-02T05:45:00Z */
    cr_assert_eq(e->event_offset_s, 8 * 3600);
    cr_assert_eq(e->received, RECEIVED);
    cr_assert_eq(e->retracted, 0);
    cr_assert_eq(e->nrefs, 6);
    cr_assert_str_eq(carrier_event_ref(e, "booking"), "SHA8827361");
    cr_assert_str_eq(carrier_event_ref(e, "bl"), "SHAB88273610");
    cr_assert_str_eq(carrier_event_ref(e, "container"), "MSKU4182737");
    cr_assert_str_eq(carrier_event_ref(e, "vessel_imo"), "9074729");
    cr_assert_str_eq(e->refs[0].kind, "voyage");
    cr_assert_str_eq(e->refs[0].value, "118E");
    cr_assert_str_eq(e->refs[1].kind, "voyage");
    cr_assert_str_eq(e->refs[1].value, "118W");
    cr_assert_null(carrier_event_ref(e, "equipment"), "the PO reference is not kept");
    carrier_batch_free(&b);
}

Test(dcsa, v220_shipment_and_equipment_fields) {
    struct carrier_batch b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("good-220.json", &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 3);

    const struct carrier_event *s = &b.ev[1];
    cr_assert_str_eq(s->event_id, "6c2d3f4b-0e5a-4f32-9b7c-1d8e9f0a2b3c");
    cr_assert_eq(s->status, CS_DOCUMENTED);
    cr_assert_str_eq(s->code, "ISSU");
    cr_assert_eq(s->classifier, CC_ACTUAL);
    cr_assert_eq(s->mode, CM_UNKNOWN);
    cr_assert_eq(s->nrefs, 1);
    cr_assert_str_eq(carrier_event_ref(s, "bl"), "SHAB88273610");
    cr_assert_str_eq(s->location, "");
    cr_assert_eq(s->event_time, 1772330400); /* 2026-03-01T02:00:00Z */

    const struct carrier_event *q = &b.ev[2];
    cr_assert_str_eq(q->event_id, "7d3e4a5c-1f6b-4a43-8c8d-2e9f0a1b3c4d");
    cr_assert_eq(q->status, CS_GATE_OUT);
    cr_assert_str_eq(q->code, "GTOT");
    cr_assert_eq(q->classifier, CC_ESTIMATED);
    cr_assert_eq(q->mode, CM_TRUCK);
    cr_assert_str_eq(q->location, "NLRTM");
    cr_assert_eq(q->has_coords, 1);
    cr_assert_float_eq(q->lat, 51.9544, 1e-9); /* a string in the body */
    cr_assert_float_eq(q->lon, 4.0531, 1e-9);  /* a number in the body */
    cr_assert_eq(q->event_time, 1775115000);   /* 2026-04-02T07:30:00Z */
    cr_assert_eq(q->event_offset_s, 7200);
    cr_assert_eq(q->nrefs, 2);
    cr_assert_str_eq(carrier_event_ref(q, "container"), "HLXU4182733");
    cr_assert_str_eq(carrier_event_ref(q, "booking"), "SHA8827361");
    carrier_batch_free(&b);
}

Test(dcsa, v300_words_details_and_retraction) {
    struct carrier_batch b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("good-300.json", &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.nrej, 0, "%s", b.nrej ? b.rej[0].reason : "");
    cr_assert_eq(b.n, 4);

    const struct carrier_event *d = &b.ev[0];
    cr_assert_str_eq(d->event_id, "trk-0091-dep");
    cr_assert_eq(d->status, CS_DEPARTED);
    cr_assert_str_eq(d->code, "DEPARTED");
    cr_assert_eq(d->classifier, CC_ACTUAL); /* "ACTUAL" */
    cr_assert_eq(d->mode, CM_BARGE);
    cr_assert_str_eq(d->location, "USSAV");
    cr_assert_eq(d->event_time, 1778551500); /* 2026-05-12T02:05:00Z */
    cr_assert_eq(d->event_offset_s, -4 * 3600);
    cr_assert_str_eq(carrier_event_ref(d, "voyage"), "207S");
    cr_assert_str_eq(carrier_event_ref(d, "vessel_imo"), "9350123");
    cr_assert_str_eq(carrier_event_ref(d, "booking"), "SAV5519023");
    cr_assert_str_eq(carrier_event_ref(d, "bl"), "SAVB55190230");

    const struct carrier_event *l = &b.ev[1];
    cr_assert_eq(l->status, CS_LOADED);
    cr_assert_str_eq(l->code, "LOADED");
    cr_assert_eq(l->classifier, CC_ESTIMATED);
    cr_assert_str_eq(carrier_event_ref(l, "container"), "CMAU4182736");
    cr_assert_eq(l->has_coords, 1);
    cr_assert_float_eq(l->lat, 32.1285, 1e-9);
    cr_assert_float_eq(l->lon, -81.1420, 1e-9);

    const struct carrier_event *c = &b.ev[2];
    cr_assert_eq(c->status, CS_BOOKED);
    cr_assert_str_eq(c->code, "CONF");
    cr_assert_eq(c->event_offset_s, 0);

    const struct carrier_event *r = &b.ev[3];
    cr_assert_eq(r->retracted, 1);
    cr_assert_str_eq(r->retracts, "trk-0092-load");
    cr_assert_str_eq(r->event_id, "trk-0092-load:retracted");
    cr_assert_str_neq(r->event_id, l->event_id, "a retraction must not dedupe away");
    carrier_batch_free(&b);
}

Test(dcsa, v300_beta_retracted_event_id_and_single_object) {
    struct carrier_batch b;
    char err[256] = "";
    const char *body =
        "{\"metadata\": {\"eventID\": \"b2a0c3d4-1111-4222-8333-944455556666\","
        " \"eventCreatedDateTime\": \"2026-06-01T10:00:00Z\","
        " \"retractedEventID\": \"a1f0b2c3-1111-4222-8333-944455556666\"},"
        " \"payload\": {\"eventType\": \"EQUIPMENT\", \"eventClassifierCode\": \"ACT\","
        "  \"eventDateTime\": \"2026-06-01T09:00:00+09:00\", "
        "\"equipmentEventTypeCode\": \"DISC\","
        "  \"equipmentReference\": \"TRAILER-0042\", \"emptyIndicatorCode\": \"LADEN\","
        "  \"eventLocation\": {\"UNLocationCode\": \"JPTYO\"}}}";
    cr_assert_eq(parse_str(body, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 1, "%s", b.nrej ? b.rej[0].reason : "");
    cr_assert_eq(b.total, 1);
    cr_assert_str_eq(b.ev[0].event_id, "b2a0c3d4-1111-4222-8333-944455556666");
    cr_assert_eq(b.ev[0].retracted, 1);
    cr_assert_str_eq(b.ev[0].retracts, "a1f0b2c3-1111-4222-8333-944455556666");
    cr_assert_eq(b.ev[0].status, CS_DISCHARGED);
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "equipment"), "TRAILER-0042");
    cr_assert_null(carrier_event_ref(&b.ev[0], "container"));
    cr_assert_str_eq(b.ev[0].location, "JPTYO");
    carrier_batch_free(&b);
}

/* Every code of every type lands on the status docs/feed-dcsa.md says. */
Test(dcsa, status_table) {
    static const struct {
        const char *type, *code, *doc;
        enum carrier_status st;
    } cases[] = {
        {"TRANSPORT", "ARRI", NULL, CS_ARRIVED},
        {"TRANSPORT", "DEPA", NULL, CS_DEPARTED},
        {"TRANSPORT", "ARRIVED", NULL, CS_ARRIVED},
        {"EQUIPMENT", "LOAD", NULL, CS_LOADED},
        {"EQUIPMENT", "DISC", NULL, CS_DISCHARGED},
        {"EQUIPMENT", "GTIN", NULL, CS_GATE_IN},
        {"EQUIPMENT", "GTOT", NULL, CS_GATE_OUT},
        {"EQUIPMENT", "STUF", NULL, CS_RECEIVED},
        {"EQUIPMENT", "STRP", NULL, CS_DISCHARGED},
        {"EQUIPMENT", "PICK", NULL, CS_RECEIVED},
        {"EQUIPMENT", "DROP", NULL, CS_DELIVERED},
        {"EQUIPMENT", "INSP", NULL, CS_CUSTOMS_HOLD},
        {"EQUIPMENT", "RSEA", NULL, CS_EXCEPTION},
        {"EQUIPMENT", "RMVD", NULL, CS_EXCEPTION},
        {"EQUIPMENT", "AVPU", NULL, CS_OUT_FOR_DELIVERY},
        {"EQUIPMENT", "AVDO", NULL, CS_BOOKED},
        {"EQUIPMENT", "CUSS", NULL, CS_CUSTOMS_HOLD},
        {"EQUIPMENT", "CUSI", NULL, CS_CUSTOMS_HOLD},
        {"EQUIPMENT", "CUSR", NULL, CS_CUSTOMS_RELEASED},
        {"EQUIPMENT", "GATED_IN", NULL, CS_GATE_IN},
        {"SHIPMENT", "RECE", "SHI", CS_RECEIVED},
        {"SHIPMENT", "DRFT", "TRD", CS_DOCUMENTED},
        {"SHIPMENT", "PENA", "SHI", CS_DOCUMENTED},
        {"SHIPMENT", "PENU", "SHI", CS_DOCUMENTED},
        {"SHIPMENT", "PENC", "BKG", CS_DOCUMENTED},
        {"SHIPMENT", "REJE", "SHI", CS_EXCEPTION},
        {"SHIPMENT", "APPR", "TRD", CS_DOCUMENTED},
        {"SHIPMENT", "ISSU", "TRD", CS_DOCUMENTED},
        {"SHIPMENT", "SURR", "TRD", CS_DOCUMENTED},
        {"SHIPMENT", "SUBM", "SHI", CS_DOCUMENTED},
        {"SHIPMENT", "VOID", "TRD", CS_DOCUMENTED},
        {"SHIPMENT", "VOID", "BKG", CS_CANCELLED},
        {"SHIPMENT", "CONF", "BKG", CS_BOOKED},
        {"SHIPMENT", "REQS", "CBR", CS_DOCUMENTED},
        {"SHIPMENT", "CMPL", "SHI", CS_DOCUMENTED},
        {"SHIPMENT", "HOLD", "SRM", CS_EXCEPTION},
        {"SHIPMENT", "HOLD", "CUS", CS_CUSTOMS_HOLD},
        {"SHIPMENT", "RELS", "SRM", CS_DOCUMENTED},
        {"SHIPMENT", "RELS", "CUS", CS_CUSTOMS_RELEASED},
        {"SHIPMENT", "CANC", "BKG", CS_CANCELLED},
        {"SHIPMENT", "CONFIRMED", "BKG", CS_BOOKED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[1024], extra[200], err[256] = "";
        struct carrier_batch b;
        if (strcmp(cases[i].type, "TRANSPORT") == 0)
            snprintf(extra, sizeof(extra),
                     "\"transportEventTypeCode\": \"%s\", \"transportCall\": "
                     "{\"modeOfTransport\": \"RAIL\", \"UNLocationCode\": \"PLMAL\"}",
                     cases[i].code);
        else if (strcmp(cases[i].type, "EQUIPMENT") == 0)
            snprintf(
                extra, sizeof(extra),
                "\"equipmentEventTypeCode\": \"%s\", \"emptyIndicatorCode\": \"EMPTY\"",
                cases[i].code);
        else
            snprintf(extra, sizeof(extra),
                     "\"shipmentEventTypeCode\": \"%s\", \"documentTypeCode\": \"%s\", "
                     "\"documentID\": \"DOC-7781\"",
                     cases[i].code, cases[i].doc);
        snprintf(body, sizeof(body),
                 "[{\"eventCreatedDateTime\": \"2026-07-01T00:00:00Z\", \"eventType\": "
                 "\"%s\", "
                 "\"eventClassifierCode\": \"PLN\", \"eventDateTime\": "
                 "\"2026-07-09T00:00:00+02:00\", %s}]",
                 cases[i].type, extra);
        cr_assert_eq(parse_str(body, &b, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(b.n, 1, "%s %s: %s", cases[i].type, cases[i].code,
                     reason_of(&b, 0));
        cr_assert_eq(b.ev[0].status, cases[i].st, "%s %s/%s: got %s", cases[i].type,
                     cases[i].code, cases[i].doc ? cases[i].doc : "",
                     carrier_status_name(b.ev[0].status));
        cr_assert_str_eq(b.ev[0].code, cases[i].code);
        cr_assert_eq(b.ev[0].classifier, CC_PLANNED);
        if (strcmp(cases[i].type, "TRANSPORT") == 0)
            cr_assert_eq(b.ev[0].mode, CM_RAIL);
        if (cases[i].doc && strcmp(cases[i].doc, "BKG") == 0)
            cr_assert_str_eq(carrier_event_ref(&b.ev[0], "booking"), "DOC-7781");
        if (cases[i].doc && strcmp(cases[i].doc, "SHI") == 0)
            cr_assert_str_eq(carrier_event_ref(&b.ev[0], "shipment"), "DOC-7781");
        carrier_batch_free(&b);
    }
}

/* ---- refusals ---- */

Test(dcsa, bad_attribute_values) {
    struct carrier_batch b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("bad-attribute-values.json", &b, err, sizeof(err)), 0,
                 "%s", err);
    cr_assert_eq(b.n, 0);
    cr_assert_eq(b.nrej, 7);
    cr_assert_eq(b.total, 7);
    cr_assert_str_eq(reason_of(&b, 0),
                     "$[0].transportCall.UNLocationCode: 'QZKTY': 'QZ' is a "
                     "user-assigned ISO 3166 code, not a country");
    cr_assert_str_eq(reason_of(&b, 1),
                     "$[1].transportCall.vessel.vesselIMONumber: '9411875' "
                     "is not 7 digits with a right IMO check digit");
    cr_assert_str_eq(reason_of(&b, 2),
                     "$[2].equipmentReference: 'OOLU4182738' fails the ISO "
                     "6346 check (owner code, U/J/Z/R category, check digit)");
    cr_assert_str_eq(reason_of(&b, 3), "$[3].documentTypeCode: unknown value 'XYZ'");
    cr_assert_str_eq(reason_of(&b, 4),
                     "$[4].transportEventTypeCode: unknown TRANSPORT code 'ARRV'");
    cr_assert_str_eq(reason_of(&b, 5),
                     "$[5].transportCall.modeOfTransport: unknown value "
                     "'HOVERCRAFT' (VESSEL, RAIL, TRUCK, BARGE)");
    cr_assert_str_eq(reason_of(&b, 6), "$[6].documentID: transportDocumentReference "
                                       "'HAMB2026021000000001X' is over 20 characters");
    carrier_batch_free(&b);
}

Test(dcsa, bad_date_times) {
    struct carrier_batch b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("bad-date-times.json", &b, err, sizeof(err)), 0, "%s",
                 err);
    cr_assert_eq(b.n, 1, "only the first, which has no eventID, is good");
    cr_assert_eq(b.nrej, 9);
    cr_assert_eq(strncmp(b.ev[0].event_id, "h-", 2), 0, "no eventID: a hash id");
    cr_assert_eq(strlen(b.ev[0].event_id), 34);
    cr_assert_eq(b.ev[0].event_time, 1768449600);
    cr_assert_eq(b.ev[0].event_offset_s, 5 * 3600 + 1800);
    cr_assert_str_eq(reason_of(&b, 1),
                     "$[1].eventCreatedDateTime: missing (required in DCSA 2.2)");
    cr_assert_str_eq(reason_of(&b, 2), "$[2].eventDateTime: missing");
    cr_assert_str_eq(reason_of(&b, 3),
                     "$[3].eventCreatedDateTime: '2026.01.15 03:00' is not "
                     "YYYY-MM-DDTHH:MM[:SS] with an offset");
    cr_assert_str_eq(reason_of(&b, 4),
                     "$[4].eventDateTime: '15/01/2026 09:30 +05:30' is not "
                     "YYYY-MM-DDTHH:MM[:SS] with an offset");
    cr_assert_str_eq(reason_of(&b, 5),
                     "$[5].eventDateTime: '2026-01-15T09:30:00' needs a UTC "
                     "offset (Z or +HH:MM)");
    cr_assert_str_eq(reason_of(&b, 6),
                     "$[6].eventDateTime: '2026-02-30T09:30:00+05:30' is not "
                     "a valid date and time");
    cr_assert_str_eq(reason_of(&b, 7), "$[7].eventDateTime: the actual event at "
                                       "2026-01-15T09:30:00+05:30 is later than its "
                                       "eventCreatedDateTime");
    cr_assert_str_eq(reason_of(&b, 8),
                     "$[8].eventCreatedDateTime: '2091-06-01T00:00:00Z' is "
                     "after the time of receipt");
    cr_assert_str_eq(reason_of(&b, 9),
                     "$[9].eventDateTime: '1970-01-01T00:00:00Z' is before 2000");
    carrier_batch_free(&b);
}

Test(dcsa, bad_event_ids) {
    struct carrier_batch b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("bad-event-ids.json", &b, err, sizeof(err)), 0, "%s",
                 err);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.nrej, 4);
    cr_assert_str_eq(b.ev[0].event_id, "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e");
    cr_assert_str_eq(b.ev[1].event_id, "9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f");
    cr_assert_str_eq(reason_of(&b, 0), "$[0].eventID: a number, not a string");
    cr_assert_str_eq(reason_of(&b, 1),
                     "$[1].eventID: 'not-a-uuid' is not a UUID (required in DCSA 2.2)");
    cr_assert_str_eq(reason_of(&b, 3),
                     "$[3].eventID: '8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e' "
                     "repeats an earlier event in this body");
    cr_assert_str_eq(reason_of(&b, 4), "$[4].eventID: empty");
    carrier_batch_free(&b);
}

Test(dcsa, bad_structure_per_event) {
    struct carrier_batch b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("bad-structure.json", &b, err, sizeof(err)), 0, "%s",
                 err);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.nrej, 6);
    cr_assert_eq(b.total, 7);
    cr_assert_str_eq(b.ev[0].event_id, "1e2f3a4b-5c6d-4e7f-8a8b-9c0d1e2f3a4b");
    cr_assert_str_eq(reason_of(&b, 0),
                     "$[0].eventType: missing (the object has: batch)");
    cr_assert_str_eq(reason_of(&b, 1), "$[1]: a string, not an event object");
    cr_assert_str_eq(reason_of(&b, 2),
                     "$[2].eventType: missing (the object has: "
                     "eventCreatedDateTime, eventClassifierCode, "
                     "eventDateTime, shipmentEventTypeCode, documentID, "
                     "documentTypeCode)");
    cr_assert_str_eq(reason_of(&b, 3), "$[3].shipmentEventTypeCode: missing");
    cr_assert_str_eq(reason_of(&b, 4), "$[4].eventClassifierCode: missing");
    cr_assert_str_eq(reason_of(&b, 5), "$[5].references: an object, not an array");
    carrier_batch_free(&b);
}

Test(dcsa, unreadable_bodies) {
    static const struct {
        const char *body;
        size_t len; /* 0: strlen */
        const char *err;
    } cases[] = {
        {"[{\"eventType\": \"SHIPMENT\",", 0,
         "JSON at byte 26 (line 1, column 26): string or '}' expected near end of "
         "file"},
        {"[{\"eventID\": \"a\", \"eventID\": \"b\"}]", 0,
         "JSON at byte 27 (line 1, column 27): duplicate object key near "
         "'\"eventID\"'"},
        {"[{\"a\": 1}\0]", 11, "JSON at byte 9: a NUL byte"},
        {"\"ARRI\"", 0,
         "JSON at byte 6 (line 1, column 6): '[' or '{' expected near '\"ARRI\"'"},
        {"{\"someEvents\": []}", 0,
         "JSON top level: an object with neither an event's fields nor an \"events\" "
         "array; "
         "DCSA events come as an array, one event object or {\"events\": [...]}"},
        {"", 0,
         "JSON at byte 0 (line 1, column 0): '[' or '{' expected near end of file"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct carrier_batch b;
        char err[300] = "";
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].body);
        carrier_batch_init(&b);
        cr_assert_eq(
            carrier_dcsa_parse(cases[i].body, len, RECEIVED, &b, err, sizeof(err)), -1,
            "case %zu", i);
        cr_assert_str_eq(err, cases[i].err, "case %zu: %s", i, err);
        cr_assert_eq(b.n + b.nrej + b.total, 0);
        carrier_batch_free(&b);
    }
}

Test(dcsa, nesting_and_size_caps) {
    struct carrier_batch b;
    char err[200] = "", deep[200];
    size_t n = 0;
    for (int i = 0; i < 40; i++)
        deep[n++] = '[';
    for (int i = 0; i < 40; i++)
        deep[n++] = ']';
    carrier_batch_init(&b);
    cr_assert_eq(carrier_dcsa_parse(deep, n, RECEIVED, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "JSON at byte 32: nested deeper than 32 levels");
    cr_assert_eq(carrier_dcsa_parse(deep, CARRIER_DCSA_MAX_BODY + 1u, RECEIVED, &b, err,
                                    sizeof(err)),
                 -1, "the size is refused before the bytes are read");
    cr_assert_str_eq(err, "body: 16777217 bytes, over the 16777216 byte limit");
    carrier_batch_free(&b);
}

Test(dcsa, dcsa_length_limits_and_container_shapes) {
    static const struct {
        const char *field, *reason;
    } cases[] = {
        {"\"documentReferences\": [{\"documentReferenceType\": \"BKG\", "
         "\"documentReferenceValue\": \"BK-0123456789012345678901234567890XYZ\"}]",
         "$[0].documentReferences[0].documentReferenceValue: carrierBookingReference "
         "'BK-0123456789012345678901234567890XYZ' is over 35 characters"},
        {"\"equipmentReference\": \"TRAILER-00420042\"",
         "$[0].equipmentReference: 'TRAILER-00420042' is 16 characters, over the DCSA "
         "limit "
         "of 15"},
        {"\"equipmentReference\": \"msku4182737\"",
         "$[0].equipmentReference: 'msku4182737' fails the ISO 6346 check (owner code, "
         "U/J/Z/R category, check digit)"},
        {"\"references\": [{\"referenceType\": \"EQ\", \"referenceValue\": "
         "\"MSKX4182737\"}]",
         "$[0].references[0].referenceValue: 'MSKX4182737' fails the ISO 6346 check "
         "(owner "
         "code, U/J/Z/R category, check digit)"},
        {"\"references\": [{\"referenceType\": \"ZZ\", \"referenceValue\": \"x\"}]",
         "$[0].references[0].referenceType: unknown value 'ZZ' (FF, SI, PO, CR, AAO, "
         "EQ)"},
        {"\"eventLocation\": {\"UNLocationCode\": \"NLRT1\"}",
         "$[0].eventLocation.UNLocationCode: 'NLRT1' is not a UN/LOCODE (2 letters, "
         "then 3 of "
         "A-Z, 2-9)"},
        {"\"eventLocation\": {\"latitude\": \"91.5\", \"longitude\": \"4.1\"}",
         "$[0].eventLocation.latitude: 91.5 is outside -90..90"},
        {"\"eventLocation\": {\"latitude\": \"51.9\"}",
         "$[0].eventLocation.latitude: given without eventLocation.longitude"},
        {"\"emptyIndicatorCode\": \"FULL\"",
         "$[0].emptyIndicatorCode: unknown value 'FULL' (EMPTY, LADEN)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[1024], err[256] = "";
        struct carrier_batch b;
        /* Later members replace nothing: the case's field comes first and a
         * duplicate key would be refused, so the base leaves it out. */
        snprintf(
            body, sizeof(body),
            "[{%s, \"eventCreatedDateTime\": \"2026-07-01T00:00:00Z\", \"eventType\": "
            "\"EQUIPMENT\", \"eventClassifierCode\": \"ACT\", \"eventDateTime\": "
            "\"2026-06-30T22:00:00+02:00\", \"equipmentEventTypeCode\": \"GTIN\"%s}]",
            cases[i].field,
            strstr(cases[i].field, "emptyIndicatorCode")
                ? ""
                : ", \"emptyIndicatorCode\": \"EMPTY\"");
        cr_assert_eq(parse_str(body, &b, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(b.n, 0, "case %zu accepted", i);
        cr_assert_str_eq(reason_of(&b, 0), cases[i].reason, "case %zu", i);
        carrier_batch_free(&b);
    }
}

Test(dcsa, sensor_events_are_refused_by_name) {
    struct carrier_batch b;
    char err[256] = "";
    const char *body = "{\"events\": [{\"eventID\": \"iot-7\", \"eventDateTime\": "
                       "\"2026-06-01T00:00:00Z\","
                       " \"eventClassification\": {\"eventTypeCode\": \"REEFER\", "
                       "\"eventClassifierCode\": "
                       "\"ACT\", \"reeferEventTypeCode\": \"MEAS\"}}]}";
    cr_assert_eq(parse_str(body, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 0);
    cr_assert_str_eq(
        reason_of(&b, 0),
        "$.events[0].eventClassification.eventTypeCode: 'REEFER' events are sensor "
        "readings, not shipment milestones; the canonical event model has no "
        "status for them");
    carrier_batch_free(&b);
}

Test(dcsa, mixed_batch_one_bad_event_does_not_stop_the_others) {
    struct carrier_batch b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("mixed.json", &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.total, 4);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.nrej, 1);
    cr_assert_eq(b.rej[0].index, 2);
    cr_assert_str_eq(b.rej[0].reason,
                     "$[2].equipmentReference: 'GYOU4047991' fails the ISO "
                     "6346 check (owner code, U/J/Z/R category, check digit)");
    cr_assert_str_eq(b.ev[0].event_id, "2f3a4b5c-6d7e-4f8a-9b9c-0d1e2f3a4b5c");
    cr_assert_eq(b.ev[0].status, CS_BOOKED);
    cr_assert_str_eq(b.ev[1].event_id, "3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d");
    cr_assert_eq(b.ev[1].status, CS_GATE_IN);
    cr_assert_str_eq(carrier_event_ref(&b.ev[1], "container"), "GYOU4047990");
    cr_assert_str_eq(b.ev[2].event_id, "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f");
    cr_assert_eq(b.ev[2].status, CS_ARRIVED);
    cr_assert_eq(b.ev[2].classifier, CC_ESTIMATED);
    cr_assert_str_eq(carrier_event_ref(&b.ev[2], "voyage"), "031W");
    cr_assert_str_eq(carrier_event_ref(&b.ev[2], "vessel_imo"), "9622057");
    cr_assert_str_eq(b.ev[2].location, "SAJED");
    carrier_batch_free(&b);
}

/* The server deduplicates on event_id: the same report must give the same
 * id however often it comes, with or without a DCSA eventID. */
Test(dcsa, same_event_twice_gives_the_same_id) {
    struct carrier_batch a, b;
    char err[256] = "";
    cr_assert_eq(parse_fixture("bad-date-times.json", &a, err, sizeof(err)), 0);
    size_t len;
    char *body =
        ut_slurp(ut_path("test/fixtures/carriers/dcsa/bad-date-times.json"), &len);
    carrier_batch_init(&b);
    cr_assert_eq(carrier_dcsa_parse(body, len, RECEIVED + 3600, &b, err, sizeof(err)),
                 0);
    free(body);
    cr_assert_eq(a.n, 1);
    cr_assert_eq(b.n, 1);
    cr_assert_str_eq(a.ev[0].event_id, b.ev[0].event_id,
                     "hash id, received an hour apart");
    carrier_batch_free(&a);
    carrier_batch_free(&b);

    cr_assert_eq(parse_fixture("good-220.json", &a, err, sizeof(err)), 0);
    cr_assert_eq(parse_fixture("good-220.json", &b, err, sizeof(err)), 0);
    cr_assert_eq(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        cr_assert_str_eq(a.ev[i].event_id, b.ev[i].event_id);
    carrier_batch_free(&a);
    carrier_batch_free(&b);
}

/* ---- Notification-Signature ---- */

/* Computed when this test was written with
 *   printf '[{"eventID":"x"}]' | openssl dgst -sha256 -hmac 'dongting-callback-secret'
 */
#define SIG_BODY "[{\"eventID\":\"x\"}]"
#define SIG_SECRET "dongting-callback-secret"
#define SIG_HEX "0ae4d4387930e211802e2efd8f2700733b3b3849177fab48314152975aaa2f75"

Test(dcsa, signature_known_vector) {
    const char *body = SIG_BODY, *secret = SIG_SECRET;
    size_t bl = strlen(body), sl = strlen(secret);
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, secret, sl, "sha256=" SIG_HEX), 1);
    cr_assert_eq(
        carrier_dcsa_signature_ok(body, bl, secret, sl, "  sha256=" SIG_HEX " "), 1);
    cr_assert_eq(
        carrier_dcsa_signature_ok(body, bl, secret, sl,
                                  "SHA256=0AE4D4387930E211802E2EFD8F2700733B3B3849177F"
                                  "AB48314152975AAA2F75"),
        1, "hex and keyword in either case");
}

Test(dcsa, signature_refusals) {
    const char *body = SIG_BODY, *secret = SIG_SECRET;
    size_t bl = strlen(body), sl = strlen(secret);
    char hdr[128];
    /* One flipped hex digit, one changed body byte, the wrong secret. */
    snprintf(hdr, sizeof(hdr), "sha256=%s", SIG_HEX);
    hdr[7] = '1';
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, secret, sl, hdr), 0);
    cr_assert_eq(carrier_dcsa_signature_ok("[{\"eventID\":\"y\"}]", bl, secret, sl,
                                           "sha256=" SIG_HEX),
                 0);
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, "other", 5, "sha256=" SIG_HEX), 0);
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl - 1, secret, sl, "sha256=" SIG_HEX),
                 0);
    /* Malformed headers. */
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, secret, sl, SIG_HEX), 0,
                 "no keyword");
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, secret, sl, "sha1=" SIG_HEX), 0);
    cr_assert_eq(
        carrier_dcsa_signature_ok(body, bl, secret, sl, "sha256=" SIG_HEX "00"), 0);
    snprintf(hdr, sizeof(hdr), "sha256=zz%s", SIG_HEX + 2);
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, secret, sl, hdr), 0, "not hex");
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, secret, sl, ""), 0);
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, secret, sl, NULL), 0);
    cr_assert_eq(carrier_dcsa_signature_ok(body, bl, "", 0, "sha256=" SIG_HEX), 0,
                 "an empty secret verifies nothing");
}

/* ---- the DCSA samples, when the shared data sits next to the tree ---- */

Test(dcsa, shared_dcsa_samples) {
    char dir[1024];
    struct stat st;
    DIR *d;
    struct dirent *de;
    int seen = 0;

    snprintf(dir, sizeof(dir), "%s", ut_path("../shared/data/dcsa"));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return; /* not on this machine */
    cr_assert_not_null(d = opendir(dir));
    while ((de = readdir(d))) {
        char path[1400], err[300] = "";
        struct carrier_batch b;
        size_t len, nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0) continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        char *body = ut_slurp(path, &len);
        carrier_batch_init(&b);
        int rc = carrier_dcsa_parse(body, len, RECEIVED, &b, err, sizeof(err));
        free(body);
        seen++;
        if (strstr(de->d_name, "-wrong-")) {
            cr_assert(rc == -1 || b.nrej > 0, "%s: nothing refused", de->d_name);
        } else if (strcmp(de->d_name, "tnt-300-response.json") == 0) {
            /* Known faults in that sample: vessel IMO 7654321 fails the
             * check digit, and IOT / REEFER readings have no status. */
            cr_assert_eq(rc, 0, "%s: %s", de->d_name, err);
            cr_assert_eq(b.n, 2);
            cr_assert_eq(b.nrej, 3);
            cr_assert(strstr(reason_of(&b, 1), "vesselIMONumber: '7654321'"), "%s",
                      reason_of(&b, 1));
            cr_assert(strstr(reason_of(&b, 3), "'IOT' events"));
            cr_assert(strstr(reason_of(&b, 4), "'REEFER' events"));
        } else {
            cr_assert_eq(rc, 0, "%s: %s", de->d_name, err);
            cr_assert_eq(b.nrej, 0, "%s: %s", de->d_name,
                         b.nrej ? b.rej[0].reason : "");
            cr_assert_gt(b.n, 0, "%s", de->d_name);
            cr_assert_eq(b.total, b.n);
        }
        carrier_batch_free(&b);
    }
    closedir(d);
    cr_assert_geq(seen, 5);
}
