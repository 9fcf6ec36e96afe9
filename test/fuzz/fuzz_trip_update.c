/* libFuzzer target: the two parsers behind POST /v1/trips/{trip_id}/updates
 * (server/trip_update.c) over a small feed loaded once from memory.
 *
 * The first byte B selects:
 *   B even: the update body validator; the rest is the JSON body, the trip
 *           is trip_ids[(B >> 1) % 4] (the last one is not in the feed);
 *   B odd:  the stored report decoder; the rest is "FIELD\nVALUE" for a
 *           trip of (B >> 1) % 8 stops.
 * An accepted update must describe a real run of the trip and stops that
 * fit it; every accepted report must survive encode and decode unchanged;
 * a refusal must carry a status and a message. */
#include "routing/gtfs.h"
#include "routing/overlay.h"
#include "server/trip_update.h"
#include "test/fixtures/tiny_feed.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

static struct rt_timetable tt;
static const char *const trip_ids[4] = {"V1", "F1", "V1", "NOPE"};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    static struct rt_load_report rep;
    (void)argc;
    (void)argv;
    if (tiny_feed_load(&tt, &rep) != 0 || tt.nruns == 0) abort();
    return 0;
}

/* S must come back unchanged from its stored form. */
static void round_trip(const struct trip_stop_rep *s, uint32_t nstops) {
    char field[24], *txt = trip_rep_encode(s);
    struct trip_stop_rep back;
    CHECK(txt != NULL);
    snprintf(field, sizeof(field), "stop:%u", s->idx);
    CHECK(trip_rep_decode(field, txt, strlen(txt), nstops, &back) == 0);
    CHECK(back.idx == s->idx && back.kind == s->kind && back.arr == s->arr &&
          back.dep == s->dep && back.observed == s->observed);
    free(txt);
}

static void update(const char *trip, const uint8_t *data, size_t size) {
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    struct trip_update u;
    char msg[300];
    int st;

    if (!json_is_object(body)) goto done;
    st = trip_update_parse(&tt, trip, body, &u, msg, sizeof(msg));
    if (st != 0) {
        CHECK(st == 400 || st == 404 || st == 422 || st == 503);
        CHECK(msg[0] != '\0' && u.stops == NULL);
        goto done;
    }
    CHECK(u.run < tt.nruns);
    const struct rt_trip *tr = &tt.trips[tt.runs[u.run].trip];
    CHECK(strcmp(rt_str(&tt, tr->id), trip) == 0);
    int ymd;
    CHECK(trip_parse_date(u.date, &ymd) == 0);
    CHECK(u.what == TRIP_UP_STOPS ? u.nstops >= 1 && u.nstops <= TRIP_MAX_STOPS
                                  : u.nstops == 0);
    for (size_t i = 0; i < u.nstops; i++) {
        const struct trip_stop_rep *s = &u.stops[i];
        CHECK(s->idx < tr->nstops);
        for (size_t k = 0; k < i; k++)
            CHECK(u.stops[k].idx != s->idx);
        CHECK(s->observed == 0 || s->observed == 1);
        if (s->kind == TRIP_REP_SKIP)
            CHECK(s->arr == RT_OV_UNSET && s->dep == RT_OV_UNSET);
        else
            CHECK(s->arr != RT_OV_UNSET || s->dep != RT_OV_UNSET);
        if (s->kind == TRIP_REP_DELAY)
            CHECK((s->arr == RT_OV_UNSET || llabs(s->arr) <= TRIP_MAX_DELAY_S) &&
                  (s->dep == RT_OV_UNSET || llabs(s->dep) <= TRIP_MAX_DELAY_S));
        if (s->kind == TRIP_REP_TIME && s->arr != RT_OV_UNSET && s->dep != RT_OV_UNSET)
            CHECK(s->dep >= s->arr);
        round_trip(s, tr->nstops);
    }
    trip_update_release(&u);
done:
    json_decref(body);
}

static void decode(uint32_t nstops, const uint8_t *data, size_t size) {
    const uint8_t *nl = memchr(data, '\n', size);
    size_t flen = nl ? (size_t)(nl - data) : size;
    char *field = malloc(flen + 1);
    const char *val = nl ? (const char *)nl + 1 : "";
    size_t vlen = nl ? size - flen - 1 : 0;
    struct trip_stop_rep s;

    CHECK(field != NULL);
    memcpy(field, data, flen);
    field[flen] = '\0';
    if (trip_rep_decode(field, val, vlen, nstops, &s) == 0) {
        CHECK(s.idx < nstops);
        CHECK(s.kind == TRIP_REP_DELAY || s.kind == TRIP_REP_TIME ||
              s.kind == TRIP_REP_SKIP);
        round_trip(&s, nstops);
    }
    free(field);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    if (data[0] & 1)
        decode((uint32_t)(data[0] >> 1) % 8, data + 1, size - 1);
    else
        update(trip_ids[(data[0] >> 1) % 4], data + 1, size - 1);
    return 0;
}
