/* libFuzzer target: carrier_cargo_imp_parse (carriers/cargo_imp.c).
 *
 * The first byte B picks the time of receipt: 2026-12-31T20:00Z plus B
 * hours, so that the year inference is tried on both sides of New Year.
 * The rest is the body.  Every status line must end up an event or a
 * reject; an event must carry a known code, a checked AWB, an IATA
 * airport, a time within a year of receipt, and survive its canonical
 * JSON. */
#include "carriers/cargo_imp.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

static void check_event(const struct carrier_event *e, int64_t received) {
    enum carrier_status st;
    enum carrier_classifier cls;
    const char *awb = carrier_event_ref(e, "awb");
    struct carrier_event back;
    char why[256];
    json_t *j;

    CHECK(strcmp(e->source, "iata-cargo-imp") == 0);
    CHECK(carrier_iata_status(e->code, &st, &cls) == 0);
    CHECK(st == e->status && cls == e->classifier && e->mode == CM_AIR);
    CHECK(awb && carrier_awb_valid(awb, NULL, 0));
    CHECK(carrier_iata_valid(e->location) && strcmp(e->loc_kind, "iata") == 0);
    CHECK(e->event_offset_s == 0 && e->received == received);
    /* nearest year, a day-change letter and a day's time on top */
    CHECK(llabs((long long)(e->event_time - received)) <= 186LL * 86400);
    CHECK(strncmp(e->event_id, "h-", 2) == 0 && strlen(e->event_id) == 34);
    CHECK(!e->has_weight || e->weight_kg >= 0);
    j = carrier_event_to_json(e);
    CHECK(j != NULL);
    CHECK(carrier_event_from_json(j, &back, why, sizeof(why)) == 0);
    CHECK(strcmp(back.event_id, e->event_id) == 0 && back.event_time == e->event_time &&
          back.status == e->status && strcmp(back.location, e->location) == 0);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct carrier_batch b;
    char err[256] = "";
    int64_t received;
    int rc;

    if (size == 0) return 0;
    received = 1798747200LL + (int64_t)data[0] * 3600;
    carrier_batch_init(&b);
    rc = carrier_cargo_imp_parse((const char *)data + 1, size - 1, received, &b, err,
                                 sizeof(err));
    if (rc != 0) {
        CHECK(rc == -1 && err[0] != '\0');
        CHECK(b.n == 0 && b.nrej == 0);
    } else {
        CHECK(b.total == b.n + b.nrej);
        for (size_t i = 0; i < b.n; i++) check_event(&b.ev[i], received);
        for (size_t i = 0; i < b.nrej; i++) {
            CHECK(b.rej[i].index < b.total && b.rej[i].reason[0] != '\0');
            CHECK(strncmp(b.rej[i].reason, "message ", 8) == 0);
            if (i > 0) CHECK(b.rej[i].index > b.rej[i - 1].index);
        }
    }
    carrier_batch_free(&b);
    return 0;
}
