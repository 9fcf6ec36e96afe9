/* carriers/event.c: identifiers, the stable hash id, and the canonical
 * JSON round trip. */
#include "carriers/event.h"

#include <criterion/criterion.h>
#include <string.h>

Test(carrier_ids, iso6346_check_digits) {
    const char *good[] = {"CSQU3054383", "TCNU7200794", "TOLU4734787", "GYOU4047990",
                          "APZU4812090"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        cr_assert(carrier_iso6346_valid(good[i]), "%s", good[i]);
    cr_assert_not(carrier_iso6346_valid("CSQU3054384"), "wrong check digit");
    cr_assert_not(carrier_iso6346_valid("CSQX3054383"), "category X");
    cr_assert_not(carrier_iso6346_valid("CSQU305438"), "short");
    cr_assert_not(carrier_iso6346_valid("csqu3054383"), "lower case");
}

Test(carrier_ids, awb_check_digits) {
    char out[16];
    cr_assert(carrier_awb_valid("020-12345675", out, sizeof(out)));
    cr_assert_str_eq(out, "020-12345675");
    cr_assert(carrier_awb_valid("15753806270", out, sizeof(out)));
    cr_assert_str_eq(out, "157-53806270");
    cr_assert(carrier_awb_valid("157-41266466", NULL, 0));
    cr_assert_not(carrier_awb_valid("020-12345676", NULL, 0));
    cr_assert_not(carrier_awb_valid("020-1234567", NULL, 0));
    cr_assert_not(carrier_awb_valid("02A-12345675", NULL, 0));
}

Test(carrier_ids, location_shapes) {
    cr_assert(carrier_unlocode_valid("CNYYA"));
    cr_assert(carrier_unlocode_valid("DEDU2"));
    cr_assert_not(carrier_unlocode_valid("CNYY1"), "1 is not in A-Z 2-9");
    cr_assert_not(carrier_unlocode_valid("cnyya"));
    cr_assert_not(carrier_unlocode_valid("CNYYAA"));
    cr_assert(carrier_iata_valid("CSX"));
    cr_assert_not(carrier_iata_valid("CS1"));
}

Test(carrier_event, hash_id_is_stable_and_order_free) {
    struct carrier_event a, b;
    memset(&a, 0, sizeof(a));
    strcpy(a.source, "dcsa-tnt");   /* checksrc: allow (test literal) */
    strcpy(a.code, "DEPA");         /* checksrc: allow */
    strcpy(a.location, "CNYYA");    /* checksrc: allow */
    a.event_time = 1796000000;
    carrier_event_add_ref(&a, "container", "CSQU3054383");
    carrier_event_add_ref(&a, "bl", "BL1");
    b = a;
    b.nrefs = 0;
    carrier_event_add_ref(&b, "bl", "BL1");
    carrier_event_add_ref(&b, "container", "CSQU3054383");
    carrier_event_hash_id(&a);
    carrier_event_hash_id(&b);
    cr_assert_eq(strlen(a.event_id), 34);
    cr_assert_str_eq(a.event_id, b.event_id);
    b.event_time++;
    carrier_event_hash_id(&b);
    cr_assert_str_neq(a.event_id, b.event_id);
}

Test(carrier_event, json_round_trip) {
    struct carrier_batch bt;
    struct carrier_event *e, back;
    char why[200];
    json_t *j;
    carrier_batch_init(&bt);
    e = carrier_batch_add(&bt);
    cr_assert_not_null(e);
    strcpy(e->source, "gtfs-rt");     /* checksrc: allow */
    strcpy(e->code, "ARRIVAL");      /* checksrc: allow */
    strcpy(e->location, "DEDUI");    /* checksrc: allow */
    strcpy(e->loc_kind, "unlocode"); /* checksrc: allow */
    e->status = CS_ARRIVED;
    e->classifier = CC_ESTIMATED;
    e->mode = CM_RAIL;
    e->event_time = 1796000000;
    e->event_offset_s = 3600;
    e->received = 1795990000;
    e->has_delay = 1;
    e->delay_s = -120;
    e->stop_sequence = 4;
    carrier_event_add_ref(e, "trip", "RAIL-CSX-DUI.1");
    carrier_event_hash_id(e);
    j = carrier_event_to_json(e);
    cr_assert_not_null(j);
    cr_assert_eq(carrier_event_from_json(j, &back, why, sizeof(why)), 0, "%s", why);
    json_decref(j);
    cr_assert_str_eq(back.event_id, e->event_id);
    cr_assert_eq(back.status, CS_ARRIVED);
    cr_assert_eq(back.classifier, CC_ESTIMATED);
    cr_assert_eq(back.mode, CM_RAIL);
    cr_assert_eq(back.event_time, e->event_time);
    cr_assert_eq(back.event_offset_s, 3600);
    cr_assert_eq(back.delay_s, -120);
    cr_assert_eq(back.stop_sequence, 4);
    cr_assert_str_eq(carrier_event_ref(&back, "trip"), "RAIL-CSX-DUI.1");
    carrier_batch_free(&bt);
}
