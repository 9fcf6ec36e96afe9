/* libFuzzer target: the waybill record (server/waybill.c).
 *
 * The input is FIRST, optionally followed by "\n@@\n" and SECOND.
 *   FIRST as JSON goes to waybill_parse (a POST body); an accepted body
 *     must hold what the rules promise, survive waybill_doc and
 *     waybill_from_doc unchanged (in memory and through text), and mask
 *     into valid JSON.  Then SECOND as JSON goes to waybill_patch on it: a
 *     refusal must leave the waybill as it was, an acceptance must keep the
 *     rules and the round trip, and "changed" must name known fields.
 *   FIRST as JSON also goes to waybill_from_doc: a document it reads must
 *     be exactly what waybill_doc writes back. */
#include "carriers/event.h"
#include "server/waybill.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

/* Every second code is a node, so that "no node" refusals happen too. */
static int node_ok(const char *code, void *arg) {
    (void)arg;
    return strlen(code) % 2 == 1 || strcmp(code, "CNSZX") == 0 || strcmp(code, "NLRTM") == 0;
}

static int party_eq(const struct wb_party *a, const struct wb_party *b) {
    return strcmp(a->name, b->name) == 0 && strcmp(a->phone, b->phone) == 0 &&
           strcmp(a->address, b->address) == 0 && strcmp(a->account, b->account) == 0;
}

/* Field by field (padding and bytes after a NUL do not count). */
static int wb_eq(const struct waybill *a, const struct waybill *b) {
    if (strcmp(a->number, b->number) || a->type != b->type || strcmp(a->master, b->master) ||
        strcmp(a->tenant, b->tenant) || !party_eq(&a->shipper, &b->shipper) ||
        !party_eq(&a->consignee, &b->consignee) || strcmp(a->origin, b->origin) ||
        strcmp(a->destination, b->destination) || a->cargo.pieces != b->cargo.pieces ||
        a->cargo.weight_kg != b->cargo.weight_kg || a->cargo.volume_m3 != b->cargo.volume_m3 ||
        a->cargo.teu != b->cargo.teu || a->cargo.nhs != b->cargo.nhs ||
        a->ncontainers != b->ncontainers || a->departure != b->departure ||
        strcmp(a->book, b->book) || a->nlegs != b->nlegs || a->created != b->created ||
        a->updated != b->updated || a->version != b->version)
        return 0;
    for (int i = 0; i < a->cargo.nhs; i++)
        if (strcmp(a->cargo.hs[i], b->cargo.hs[i])) return 0;
    for (int i = 0; i < a->ncontainers; i++)
        if (strcmp(a->containers[i], b->containers[i])) return 0;
    for (int i = 0; i < a->nlegs; i++) {
        const struct wb_leg *x = &a->legs[i], *y = &b->legs[i];
        if (strcmp(x->mode, y->mode) || strcmp(x->carrier, y->carrier) ||
            strcmp(x->trip_id, y->trip_id) || strcmp(x->run_id, y->run_id) ||
            strcmp(x->from, y->from) || strcmp(x->to, y->to) || x->sched_dep != y->sched_dep ||
            x->sched_arr != y->sched_arr)
            return 0;
    }
    return 1;
}

/* What waybill_parse and waybill_patch promise about an accepted W. */
static void rules(const struct waybill *w) {
    CHECK(w->number[0] != '\0' && (unsigned)w->type < WB_TYPE_COUNT);
    if (w->type == WB_AWB) CHECK(carrier_awb_valid(w->number, NULL, 0) && w->number[3] == '-');
    if (w->master[0]) {
        CHECK(w->type == WB_HBL || w->type == WB_HAWB);
        CHECK(strcmp(w->master, w->number) != 0);
        if (w->type == WB_HAWB) CHECK(carrier_awb_valid(w->master, NULL, 0));
    }
    CHECK(w->shipper.name[0] && w->consignee.name[0] && w->shipper.account[0] == '\0');
    CHECK(w->origin[0] && w->destination[0] && strcmp(w->origin, w->destination) != 0);
    CHECK(w->cargo.pieces >= 1 && w->cargo.pieces <= 1000000);
    CHECK(w->cargo.weight_kg > 0 && w->cargo.weight_kg <= 1e7);
    CHECK(w->cargo.volume_m3 >= 0 && w->cargo.teu >= 0);
    CHECK(w->cargo.nhs >= 0 && w->cargo.nhs <= WB_MAX_HS);
    for (int i = 0; i < w->cargo.nhs; i++) {
        size_t n = strlen(w->cargo.hs[i]);
        CHECK(n == 6 || n == 8 || n == 10);
    }
    CHECK(w->ncontainers >= 0 && w->ncontainers <= WB_MAX_CONTAINERS);
    for (int i = 0; i < w->ncontainers; i++) {
        CHECK(carrier_iso6346_valid(w->containers[i]));
        for (int k = 0; k < i; k++) CHECK(strcmp(w->containers[i], w->containers[k]) != 0);
    }
    CHECK(w->departure >= 946684800 && w->departure < 4102444800);
    CHECK(w->book[0] != '\0');
}

/* W must come back unchanged from its document, in memory and as text,
 * and its parties must make valid JSON in full and masked. */
static void round_trip(const struct waybill *w) {
    struct waybill back;
    char why[200];
    json_t *doc = waybill_doc(w), *again, *p;
    char *txt;
    CHECK(doc != NULL);
    CHECK(waybill_from_doc(doc, &back, why, sizeof(why)) == 0);
    CHECK(wb_eq(w, &back));
    txt = json_dumps(doc, JSON_COMPACT);
    CHECK(txt != NULL);
    again = json_loads(txt, 0, NULL);
    CHECK(again != NULL && json_equal(again, doc));
    CHECK(waybill_from_doc(again, &back, why, sizeof(why)) == 0);
    CHECK(wb_eq(w, &back));
    free(txt);
    json_decref(again);
    json_decref(doc);
    for (int masked = 0; masked < 2; masked++) {
        p = waybill_party_json(&w->consignee, masked);
        txt = json_dumps(p, JSON_COMPACT);
        CHECK(txt != NULL);
        if (masked) CHECK(strstr(txt, "address") == NULL && strstr(txt, "account") == NULL);
        free(txt);
        json_decref(p);
    }
}

/* Copy S to DST when it fits whole (a cut could split a character). */
static void fit(char *dst, size_t len, const json_t *o, const char *key) {
    const char *s = json_string_value(json_object_get(o, key));
    if (s && strlen(s) < len) memcpy(dst, s, strlen(s) + 1);
}

/* Legs as the server would book them, taken from an itinerary body. */
static void legs_from(struct waybill *w, const json_t *it) {
    const json_t *legs = json_object_get(it, "legs"), *l;
    size_t i;
    w->nlegs = 0;
    json_array_foreach(legs, i, l) {
        struct wb_leg *g = &w->legs[w->nlegs++];
        memset(g, 0, sizeof(*g));
        fit(g->mode, sizeof(g->mode), l, "mode");
        fit(g->carrier, sizeof(g->carrier), l, "carrier");
        fit(g->trip_id, sizeof(g->trip_id), l, "trip_id");
        fit(g->run_id, sizeof(g->run_id), l, "run_id");
        fit(g->from, sizeof(g->from), l, "from");
        fit(g->to, sizeof(g->to), l, "to");
        g->sched_dep = (int64_t)json_integer_value(json_object_get(l, "sched_dep"));
        g->sched_arr = (int64_t)json_integer_value(json_object_get(l, "sched_arr"));
    }
}

static void patch(struct waybill *w, const uint8_t *data, size_t size) {
    static const char *const names[] = {"shipper", "consignee", "cargo", "containers",
                                        "destination", "master", "origin", "departure",
                                        "itinerary", "book", "accept_proposal"};
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    struct waybill before = *w;
    struct wb_booking b;
    struct wb_error e;
    char changed[160], *save = NULL;
    if (body == NULL) return;
    if (waybill_patch(body, w, &b, node_ok, NULL, changed, sizeof(changed), &e) != 0) {
        CHECK(wb_eq(w, &before) && changed[0] == '\0' && b.kind == WB_BOOK_NONE);
        CHECK(e.reason[0] != '\0');
        json_decref(body);
        return;
    }
    rules(w);
    if (changed[0] == '\0') CHECK(wb_eq(w, &before));
    for (char *t = strtok_r(changed, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        while (k < sizeof(names) / sizeof(names[0]) && strcmp(t, names[k])) k++;
        CHECK(k < sizeof(names) / sizeof(names[0]));
    }
    if (b.kind == WB_BOOK_ITINERARY) legs_from(w, b.itinerary);
    w->version++;
    round_trip(w);
    json_decref(body);
}

static void as_doc(const json_t *j) {
    struct waybill w;
    char why[200];
    json_t *back;
    if (waybill_from_doc(j, &w, why, sizeof(why)) != 0) {
        CHECK(why[0] != '\0' && w.number[0] == '\0');
        return;
    }
    back = waybill_doc(&w);
    CHECK(back != NULL && json_equal(back, j));
    json_decref(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *sep = memmem(data, size, "\n@@\n", 4);
    size_t first = sep ? (size_t)(sep - data) : size;
    json_t *body = json_loadb((const char *)data, first, JSON_REJECT_DUPLICATES, NULL);
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;

    if (body == NULL) return 0;
    as_doc(body);
    if (waybill_parse(body, &w, &b, node_ok, NULL, &e) != 0) {
        CHECK(e.reason[0] != '\0' && w.number[0] == '\0');
        json_decref(body);
        return 0;
    }
    rules(&w);
    CHECK(b.kind != WB_BOOK_NONE && b.kind != WB_BOOK_PROPOSAL);
    CHECK((b.kind == WB_BOOK_ITINERARY) == (b.itinerary != NULL));
    snprintf(w.tenant, sizeof(w.tenant), "fuzz");
    if (b.kind == WB_BOOK_ITINERARY) legs_from(&w, b.itinerary);
    w.created = w.updated = 1796000000;
    w.version = 1;
    round_trip(&w);
    /* The itinerary is borrowed from BODY: done with it before it goes. */
    json_decref(body);
    if (sep) patch(&w, sep + 4, size - first - 4);
    return 0;
}
