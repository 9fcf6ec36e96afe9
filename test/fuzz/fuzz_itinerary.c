/* libFuzzer target: the itinerary a client books a waybill on
 * (waybills_itinerary_legs in server/waybills.c), resolved against a small
 * feed loaded once from memory (test/fixtures/tiny_feed.h: sea trip V1
 * CNSHA - SGSIN - NLRTM and the frequency feeder F1 CNSHA - SGSIN, daily
 * 2026-03-02..08).
 *
 * The bytes are the itinerary's JSON.  An accepted one must give 1..8
 * legs whose stops exist, that join, never run backwards, and whose
 * document can be written and read back; a refusal must name the field
 * and say why. */
#include "routing/gtfs.h"
#include "server/waybill.h"
#include "server/waybills.h"
#include "test/fixtures/tiny_feed.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

static struct rt_timetable tt;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    static struct rt_load_report rep;
    (void)argc;
    (void)argv;
    if (tiny_feed_load(&tt, &rep) != 0 || tt.nruns == 0) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_t *itin = json_loadb((const char *)data, size, 0, NULL);
    struct waybill *w;
    struct wb_error e;
    if (itin == NULL) return 0;
    w = calloc(1, sizeof(*w));
    CHECK(w != NULL);
    memset(&e, 0, sizeof(e));
    if (waybills_itinerary_legs(&tt, itin, w, &e) == 0) {
        json_t *doc;
        struct waybill back;
        char why[200];
        CHECK(w->nlegs >= 1 && w->nlegs <= WB_MAX_LEGS);
        for (int i = 0; i < w->nlegs; i++) {
            CHECK(rt_stop_find(&tt, w->legs[i].from) != RT_NONE);
            CHECK(rt_stop_find(&tt, w->legs[i].to) != RT_NONE);
            CHECK(w->legs[i].sched_dep <= w->legs[i].sched_arr);
            if (i > 0) CHECK(w->legs[i].sched_dep >= w->legs[i - 1].sched_arr);
        }
        /* the rest of a document, so that it can be written */
        snprintf(w->number, sizeof(w->number), "FUZZ0001");
        snprintf(w->shipper.name, sizeof(w->shipper.name), "A");
        snprintf(w->consignee.name, sizeof(w->consignee.name), "B");
        snprintf(w->origin, sizeof(w->origin), "CNSHA");
        snprintf(w->destination, sizeof(w->destination), "NLRTM");
        snprintf(w->book, sizeof(w->book), "itinerary");
        w->cargo.pieces = 1;
        w->cargo.weight_kg = 1;
        w->version = 1;
        doc = waybill_doc(w);
        CHECK(doc != NULL);
        CHECK(waybill_from_doc(doc, &back, why, sizeof(why)) == 0);
        CHECK(back.nlegs == w->nlegs);
        json_decref(doc);
    } else {
        CHECK(e.field[0] != '\0' && e.reason[0] != '\0');
    }
    json_decref(itin);
    free(w);
    return 0;
}
