/* libFuzzer target: carrier_one_record_parse (carriers/one_record.c).
 * The whole input is the body.  Every element must end up an event or a
 * reject; an event must carry a known code, a checked AWB when it has one,
 * an IATA airport when it has a place, and survive its canonical JSON. */
#include "carriers/cargo_imp.h"
#include "carriers/one_record.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

#define RECEIVED 1795766400LL

static void check_event(const struct carrier_event *e) {
    enum carrier_status st;
    enum carrier_classifier cls;
    const char *awb = carrier_event_ref(e, "awb");
    struct carrier_event back;
    char why[256];
    json_t *j;

    CHECK(strcmp(e->source, "one-record") == 0);
    CHECK(carrier_iata_status(e->code, &st, &cls) == 0 && st == e->status);
    CHECK(e->mode == CM_AIR && e->received == RECEIVED);
    CHECK(!awb || carrier_awb_valid(awb, NULL, 0));
    CHECK(e->location[0] == '\0' || (carrier_iata_valid(e->location) &&
                                     strcmp(e->loc_kind, "iata") == 0));
    CHECK(e->event_id[0] != '\0' && strncmp(e->event_id, "_:", 2) != 0);
    j = carrier_event_to_json(e);
    CHECK(j != NULL);
    CHECK(carrier_event_from_json(j, &back, why, sizeof(why)) == 0);
    CHECK(strcmp(back.event_id, e->event_id) == 0 && back.status == e->status &&
          back.classifier == e->classifier);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct carrier_batch b;
    char err[256] = "";
    int rc;

    carrier_batch_init(&b);
    rc = carrier_one_record_parse((const char *)data, size, RECEIVED, &b, err, sizeof(err));
    if (rc != 0) {
        CHECK(rc == -1 && err[0] != '\0');
    } else {
        CHECK(b.total == b.n + b.nrej);
        for (size_t i = 0; i < b.n; i++) check_event(&b.ev[i]);
        for (size_t i = 0; i < b.nrej; i++)
            CHECK(b.rej[i].index < b.total && b.rej[i].reason[0] != '\0');
    }
    carrier_batch_free(&b);
    return 0;
}
