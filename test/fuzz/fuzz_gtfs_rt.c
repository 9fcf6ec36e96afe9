/* libFuzzer target: carrier_gtfs_rt_parse and carrier_gtfs_rt_header over
 * raw bytes (carriers/gtfs_rt.c).  A readable body must account for every
 * event (accepted + refused = seen), accepted events must hold only values
 * the parser promises (times 2000..2100, delays within 90 days, a trip or
 * route reference) and survive the canonical JSON round trip; an
 * unreadable one must say why and leave nothing accepted behind. */
#include "carriers/event.h"
#include "carriers/gtfs_rt.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

static void round_trip(const struct carrier_event *e) {
    struct carrier_event back;
    char why[200];
    json_t *j = carrier_event_to_json(e);
    CHECK(j != NULL);
    CHECK(carrier_event_from_json(j, &back, why, sizeof(why)) == 0);
    CHECK(strcmp(back.event_id, e->event_id) == 0 && back.status == e->status &&
          back.classifier == e->classifier && back.event_time == e->event_time &&
          back.stop_sequence == e->stop_sequence && back.has_delay == e->has_delay &&
          back.delay_s == e->delay_s && strcmp(back.stop_id, e->stop_id) == 0 &&
          strcmp(back.start_date, e->start_date) == 0 && back.nrefs == e->nrefs);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct carrier_batch b;
    char err[256];
    uint64_t ts;
    int inc, r;

    carrier_batch_init(&b);
    err[0] = '\0';
    r = carrier_gtfs_rt_parse((const char *)data, size, 1795766400, &b, err, sizeof(err));
    CHECK(r == 0 || r == -1);
    if (r == -1) {
        CHECK(err[0] != '\0');
    } else {
        CHECK(b.n + b.nrej == b.total);
        for (size_t i = 0; i < b.nrej; i++)
            CHECK(b.rej[i].index < b.total && b.rej[i].reason[0] != '\0');
        for (size_t i = 0; i < b.n; i++) {
            const struct carrier_event *e = &b.ev[i];
            CHECK(strcmp(e->source, "gtfs-rt") == 0 && e->mode == CM_UNKNOWN);
            CHECK(strncmp(e->event_id, "h-", 2) == 0 && strlen(e->event_id) == 34);
            CHECK(e->event_time == 0 || (e->event_time >= 946684800 && e->event_time < 4102444800));
            CHECK(!e->has_delay || (e->delay_s >= -7776000 && e->delay_s <= 7776000));
            CHECK(e->event_time != 0 || e->has_delay || e->status == CS_EXCEPTION ||
                  e->status == CS_CANCELLED);
            CHECK(carrier_event_ref(e, "trip") || carrier_event_ref(e, "route"));
            CHECK(e->start_date[0] == '\0' || strlen(e->start_date) == 8);
            round_trip(e);
        }
    }
    if (carrier_gtfs_rt_header((const char *)data, size, &ts, &inc) == 0)
        CHECK(inc >= 0);
    carrier_batch_free(&b);
    return 0;
}
