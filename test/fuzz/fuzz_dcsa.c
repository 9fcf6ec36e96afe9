/* libFuzzer target: the DCSA Track & Trace parser (carriers/dcsa.c) on raw
 * body bytes, and the callback signature check on the same bytes.
 *
 * Every event of a readable body must end up accepted or refused (total ==
 * n + nrej); an accepted event must have an id, a known status and
 * classifier, a time, and survive the canonical JSON round trip; a refusal
 * must name a JSON path; an unreadable body must say why. */
#include "carriers/dcsa.h"

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
    char err[256] = "";
    const char *body = (const char *)data;

    carrier_batch_init(&b);
    if (carrier_dcsa_parse(body, size, 1795766100, &b, err, sizeof(err)) != 0) {
        CHECK(err[0] != '\0');
        CHECK(b.n == 0 && b.nrej == 0 && b.total == 0);
    } else {
        CHECK(b.total == b.n + b.nrej);
        for (size_t i = 0; i < b.nrej; i++) {
            CHECK(b.rej[i].reason[0] == '$');
            CHECK(b.rej[i].index < b.total);
        }
        for (size_t i = 0; i < b.n; i++) {
            const struct carrier_event *e = &b.ev[i];
            struct carrier_event back;
            char why[200];
            json_t *j;
            CHECK(e->event_id[0] != '\0' && strcmp(e->source, "dcsa-tnt") == 0);
            CHECK((unsigned)e->status < CS_COUNT);
            CHECK(e->classifier == CC_PLANNED || e->classifier == CC_ESTIMATED ||
                  e->classifier == CC_ACTUAL);
            CHECK(e->event_time != 0 && e->code[0] != '\0');
            CHECK(e->location[0] == '\0' || carrier_unlocode_valid(e->location));
            for (int k = 0; k < e->nrefs; k++)
                if (strcmp(e->refs[k].kind, "container") == 0)
                    CHECK(carrier_iso6346_valid(e->refs[k].value));
            CHECK((j = carrier_event_to_json(e)) != NULL);
            CHECK(carrier_event_from_json(j, &back, why, sizeof(why)) == 0);
            CHECK(strcmp(back.event_id, e->event_id) == 0 && back.status == e->status &&
                  back.event_time == e->event_time && back.nrefs == e->nrefs &&
                  back.retracted == e->retracted);
            json_decref(j);
        }
    }
    carrier_batch_free(&b);

    /* The signature check must only ever answer 0 or 1. */
    if (size > 0) {
        size_t cut = data[0] % (size + 1);
        char hdr[80];
        size_t hl = size - cut < sizeof(hdr) - 1 ? size - cut : sizeof(hdr) - 1;
        memcpy(hdr, body + cut, hl);
        hdr[hl] = '\0';
        int ok = carrier_dcsa_signature_ok(body, cut, "k", 1, hdr);
        CHECK(ok == 0 || ok == 1);
    }
    return 0;
}
