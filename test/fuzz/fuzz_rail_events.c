/* libFuzzer target: carrier_rail_events_parse over raw bytes
 * (carriers/rail_events.c).  A readable body must account for every event,
 * accepted events must carry a train, a place, a time 2000..2100 and only
 * check-digit-valid containers, and survive the canonical JSON round
 * trip; an unreadable body must say why. */
#include "carriers/event.h"
#include "carriers/rail_events.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct carrier_batch b;
    char err[256], why[200];
    int r;

    carrier_batch_init(&b);
    err[0] = '\0';
    r = carrier_rail_events_parse((const char *)data, size, 1795766400, &b, err, sizeof(err));
    CHECK(r == 0 || r == -1);
    if (r == -1) {
        CHECK(err[0] != '\0');
    } else {
        CHECK(b.n + b.nrej == b.total);
        for (size_t i = 0; i < b.nrej; i++)
            CHECK(b.rej[i].index < b.total && b.rej[i].reason[0] == '[');
        for (size_t i = 0; i < b.n; i++) {
            const struct carrier_event *e = &b.ev[i];
            const char *c = carrier_event_ref(e, "container"), *w = carrier_event_ref(e, "wagon");
            struct carrier_event back;
            json_t *j;
            CHECK(strcmp(e->source, "rail-events") == 0 && e->mode == CM_RAIL);
            CHECK(e->event_id[0] != '\0' && carrier_event_ref(e, "train") != NULL);
            CHECK(e->location[0] != '\0' && e->loc_kind[0] != '\0');
            CHECK(e->event_time >= 946684800 && e->event_time < 4102444800);
            CHECK(!c || carrier_iso6346_valid(c));
            CHECK(!w || strlen(w) != 12 || strspn(w, "0123456789") != 12 ||
                  carrier_uic_wagon_valid(w));
            CHECK(!e->retracted || e->retracts[0] != '\0');
            j = carrier_event_to_json(e);
            CHECK(j != NULL);
            CHECK(carrier_event_from_json(j, &back, why, sizeof(why)) == 0);
            CHECK(strcmp(back.event_id, e->event_id) == 0 && back.status == e->status &&
                  back.event_time == e->event_time && back.nrefs == e->nrefs &&
                  strcmp(back.location, e->location) == 0 && back.retracted == e->retracted);
            json_decref(j);
        }
    }
    carrier_batch_free(&b);
    return 0;
}
