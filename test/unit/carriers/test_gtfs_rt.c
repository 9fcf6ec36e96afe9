/* carriers/gtfs_rt.c: feeds built here with protoc-c's pack functions, and
 * a few hand-encoded byte strings that must be refused. */
#include "carriers/gtfs_rt.h"
#include "carriers/gtfs_realtime.pb-c.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef TransitRealtime__FeedMessage FeedMessage;
typedef TransitRealtime__FeedHeader FeedHeader;
typedef TransitRealtime__FeedEntity FeedEntity;
typedef TransitRealtime__TripUpdate TripUpdate;
typedef TransitRealtime__TripDescriptor TripDescriptor;
typedef TransitRealtime__TripUpdate__StopTimeUpdate StopTimeUpdate;
typedef TransitRealtime__TripUpdate__StopTimeEvent StopTimeEvent;

/* protobuf-c fields are char *; the test only packs them. */
#define S(str) ((char *)(uintptr_t)(str))

#define NOW 1795766400   /* 2026-11-27T08:00Z, the header timestamp */
#define RECV (NOW + 5)
#define MAXE 8
#define MAXS 8

/* A feed under construction: entities with one trip update each, each
 * with up to MAXS stop updates.  All storage is in the struct. */
struct feed {
    FeedMessage m;
    FeedHeader h;
    FeedEntity ent[MAXE], *entp[MAXE];
    TripUpdate tu[MAXE];
    TripDescriptor td[MAXE];
    StopTimeUpdate stu[MAXE][MAXS], *stup[MAXE][MAXS];
    StopTimeEvent arr[MAXE][MAXS], dep[MAXE][MAXS];
};

static void feed_init(struct feed *f, const char *version, uint64_t ts) {
    memset(f, 0, sizeof(*f));
    transit_realtime__feed_message__init(&f->m);
    transit_realtime__feed_header__init(&f->h);
    f->h.gtfs_realtime_version = S(version);
    if (ts) {
        f->h.has_timestamp = 1;
        f->h.timestamp = ts;
    }
    f->m.header = &f->h;
    f->m.entity = f->entp;
}

/* Add an entity ID with a trip update for TRIP_ID on START_DATE (either
 * may be NULL).  Returns its index. */
static size_t feed_trip(struct feed *f, const char *id, const char *trip_id,
                        const char *start_date) {
    size_t i = f->m.n_entity++;
    transit_realtime__feed_entity__init(&f->ent[i]);
    transit_realtime__trip_update__init(&f->tu[i]);
    transit_realtime__trip_descriptor__init(&f->td[i]);
    f->ent[i].id = S(id);
    f->ent[i].trip_update = &f->tu[i];
    f->tu[i].trip = &f->td[i];
    f->tu[i].stop_time_update = f->stup[i];
    f->td[i].trip_id = S(trip_id);
    f->td[i].start_date = S(start_date);
    f->entp[i] = &f->ent[i];
    return i;
}

/* Add a stop update to entity E: STOP_ID (or NULL), SEQ (or -1). */
static StopTimeUpdate *feed_stop(struct feed *f, size_t e, const char *stop_id, int seq) {
    size_t k = f->tu[e].n_stop_time_update++;
    StopTimeUpdate *s = &f->stu[e][k];
    transit_realtime__trip_update__stop_time_update__init(s);
    s->stop_id = S(stop_id);
    if (seq >= 0) {
        s->has_stop_sequence = 1;
        s->stop_sequence = (uint32_t)seq;
    }
    f->stup[e][k] = s;
    return s;
}

/* Give stop K of entity E an arrival (ARR) or departure event with a TIME
 * (0: none) and a DELAY (INT32_MIN: none). */
static void feed_ste(struct feed *f, size_t e, size_t k, int arr, int64_t time, int32_t delay) {
    StopTimeEvent *t = arr ? &f->arr[e][k] : &f->dep[e][k];
    transit_realtime__trip_update__stop_time_event__init(t);
    if (time) {
        t->has_time = 1;
        t->time = time;
    }
    if (delay != INT32_MIN) {
        t->has_delay = 1;
        t->delay = delay;
    }
    if (arr)
        f->stu[e][k].arrival = t;
    else
        f->stu[e][k].departure = t;
}

/* Pack F and parse it into B; returns the parser's result, ERR filled. */
static int feed_parse(struct feed *f, struct carrier_batch *b, char *err, size_t errlen) {
    size_t n = transit_realtime__feed_message__get_packed_size(&f->m);
    uint8_t *buf = malloc(n ? n : 1);
    int r;
    cr_assert_not_null(buf);
    cr_assert_eq(transit_realtime__feed_message__pack(&f->m, buf), n);
    carrier_batch_init(b);
    err[0] = '\0';
    r = carrier_gtfs_rt_parse((const char *)buf, n, RECV, b, err, errlen);
    free(buf);
    return r;
}

/* The reason a one-entity feed F is refused with (every event of it gets
 * the same one); NEV is how many events that entity would have given. */
static const char *refused(struct feed *f, size_t nev) {
    static char why[256];
    struct carrier_batch b;
    char err[256];
    cr_assert_eq(feed_parse(f, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 0);
    cr_assert_eq(b.nrej, nev);
    cr_assert_eq(b.total, nev);
    for (size_t i = 0; i < nev; i++) cr_assert_eq(b.rej[i].index, i);
    snprintf(why, sizeof(why), "%s", b.rej[0].reason);
    carrier_batch_free(&b);
    return why;
}

Test(gtfs_rt, arrivals_departures_and_classifiers) {
    struct feed f;
    struct carrier_batch b;
    char err[256];
    size_t e;

    feed_init(&f, "2.0", NOW);
    e = feed_trip(&f, "ent-7", "X8017-A", "20261126");
    feed_stop(&f, e, "ALA_SHANKOU", 4);
    feed_ste(&f, e, 0, 0, NOW - 600, 120);           /* departed 10 min ago, 2 min late */
    feed_stop(&f, e, "DOSTYK", 5);
    feed_ste(&f, e, 1, 1, NOW, INT32_MIN);           /* arriving now: has happened */
    feed_ste(&f, e, 1, 0, 0, 300);                   /* departure: delay only */
    feed_stop(&f, e, "AKTOGAY_JUNCTION_FREIGHT_YARD", 6);
    feed_ste(&f, e, 2, 1, NOW + 7200, INT32_MIN);

    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.total, 4);
    cr_assert_eq(b.n, 4);
    cr_assert_eq(b.nrej, 0);

    const struct carrier_event *d = &b.ev[0];
    cr_assert_str_eq(d->source, "gtfs-rt");
    cr_assert_str_eq(d->code, "DEPARTURE");
    cr_assert_eq(d->status, CS_DEPARTED);
    cr_assert_eq(d->classifier, CC_ACTUAL);
    cr_assert_eq(d->mode, CM_UNKNOWN);
    cr_assert_str_eq(carrier_event_ref(d, "trip"), "X8017-A");
    cr_assert_str_eq(d->start_date, "20261126");
    cr_assert_str_eq(d->stop_id, "ALA_SHANKOU");
    cr_assert_str_eq(d->location, "ALA_SHANKOU");
    cr_assert_str_eq(d->loc_kind, "stop");
    cr_assert_eq(d->stop_sequence, 4);
    cr_assert_eq(d->event_time, NOW - 600);
    cr_assert_eq(d->event_offset_s, 0);
    cr_assert_eq(d->received, RECV);
    cr_assert_eq(d->has_delay, 1);
    cr_assert_eq(d->delay_s, 120);
    cr_assert_eq(strlen(d->event_id), 34);
    cr_assert_eq(strncmp(d->event_id, "h-", 2), 0);

    cr_assert_str_eq(b.ev[1].code, "ARRIVAL");
    cr_assert_eq(b.ev[1].status, CS_ARRIVED);
    cr_assert_eq(b.ev[1].classifier, CC_ACTUAL, "a time equal to the header's has happened");
    cr_assert_eq(b.ev[1].event_time, NOW);
    cr_assert_eq(b.ev[1].has_delay, 0);

    cr_assert_str_eq(b.ev[2].code, "DEPARTURE");
    cr_assert_eq(b.ev[2].classifier, CC_ESTIMATED);
    cr_assert_eq(b.ev[2].event_time, 0, "delay only: the server resolves the time");
    cr_assert_eq(b.ev[2].has_delay, 1);
    cr_assert_eq(b.ev[2].delay_s, 300);
    cr_assert_str_eq(b.ev[2].stop_id, "DOSTYK");

    /* A stop id longer than a location keeps stop_id only. */
    cr_assert_eq(b.ev[3].classifier, CC_ESTIMATED);
    cr_assert_eq(b.ev[3].event_time, NOW + 7200);
    cr_assert_str_eq(b.ev[3].stop_id, "AKTOGAY_JUNCTION_FREIGHT_YARD");
    cr_assert_str_eq(b.ev[3].location, "");
    cr_assert_str_eq(b.ev[3].loc_kind, "");

    for (size_t i = 0; i < b.n; i++)
        for (size_t k = i + 1; k < b.n; k++)
            cr_assert_str_neq(b.ev[i].event_id, b.ev[k].event_id);
    carrier_batch_free(&b);
}

Test(gtfs_rt, ids_survive_new_feed_versions) {
    /* The same estimate in the next feed (new header time, new entity id)
     * is the same event; a changed delay is a new one. */
    struct feed f;
    struct carrier_batch b1, b2, b3;
    char err[256];
    size_t e;

    feed_init(&f, "2.0", NOW);
    e = feed_trip(&f, "v1-e1", "T9", "20261127");
    feed_stop(&f, e, "S1", 1);
    feed_ste(&f, e, 0, 1, 0, 60);
    cr_assert_eq(feed_parse(&f, &b1, err, sizeof(err)), 0);
    f.h.timestamp = NOW + 30;
    f.ent[0].id = S("v2-e9");
    cr_assert_eq(feed_parse(&f, &b2, err, sizeof(err)), 0);
    f.arr[0][0].delay = 90;
    cr_assert_eq(feed_parse(&f, &b3, err, sizeof(err)), 0);
    cr_assert_str_eq(b1.ev[0].event_id, b2.ev[0].event_id);
    cr_assert_str_neq(b1.ev[0].event_id, b3.ev[0].event_id);
    carrier_batch_free(&b1);
    carrier_batch_free(&b2);
    carrier_batch_free(&b3);
}

Test(gtfs_rt, no_header_time_uses_received) {
    struct feed f;
    struct carrier_batch b;
    char err[256];
    size_t e;

    feed_init(&f, "1.0", 0);
    e = feed_trip(&f, "e", "T1", NULL);
    feed_stop(&f, e, "S1", -1);
    feed_ste(&f, e, 0, 1, RECV, INT32_MIN);
    feed_stop(&f, e, "S2", -1);
    feed_ste(&f, e, 1, 1, RECV + 1, INT32_MIN);
    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.ev[0].classifier, CC_ACTUAL);
    cr_assert_eq(b.ev[1].classifier, CC_ESTIMATED);
    cr_assert_eq(b.ev[0].stop_sequence, -1);
    cr_assert_str_eq(b.ev[0].start_date, "");
    carrier_batch_free(&b);
}

Test(gtfs_rt, skipped_no_data_trip_delay_cancelled) {
    struct feed f;
    struct carrier_batch b;
    char err[256];
    size_t e;

    feed_init(&f, "2.0", NOW);
    e = feed_trip(&f, "a", "T1", "20261127");
    feed_stop(&f, e, "S1", 1)->has_schedule_relationship = 1;
    f.stu[e][0].schedule_relationship =
        TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_UPDATE__SCHEDULE_RELATIONSHIP__NO_DATA;
    feed_stop(&f, e, "S2", 2)->has_schedule_relationship = 1;
    f.stu[e][1].schedule_relationship =
        TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_UPDATE__SCHEDULE_RELATIONSHIP__SKIPPED;
    feed_ste(&f, e, 1, 1, NOW + 60, INT32_MIN);   /* ignored on a skipped stop */
    e = feed_trip(&f, "b", "T2", "20261127");
    f.tu[e].has_delay = 1;
    f.tu[e].delay = -240;
    e = feed_trip(&f, "c", "T3", "20261127");
    f.td[e].has_schedule_relationship = 1;
    f.td[e].schedule_relationship = TRANSIT_REALTIME__TRIP_DESCRIPTOR__SCHEDULE_RELATIONSHIP__CANCELED;
    feed_stop(&f, e, "S9", 9);                     /* not read on a cancelled trip */
    feed_ste(&f, e, 0, 1, NOW + 60, INT32_MIN);
    e = feed_trip(&f, "d", "T4", "20261127");      /* an update that says nothing */

    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.total, 3);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.nrej, 0);
    cr_assert_str_eq(b.ev[0].code, "SKIPPED");
    cr_assert_eq(b.ev[0].status, CS_EXCEPTION);
    cr_assert_eq(b.ev[0].classifier, CC_ESTIMATED);
    cr_assert_eq(b.ev[0].event_time, 0);
    cr_assert_str_eq(b.ev[0].stop_id, "S2");
    cr_assert_eq(b.ev[0].stop_sequence, 2);
    cr_assert_str_eq(b.ev[1].code, "TRIP_DELAY");
    cr_assert_eq(b.ev[1].status, CS_EXCEPTION);
    cr_assert_eq(b.ev[1].classifier, CC_ESTIMATED);
    cr_assert_eq(b.ev[1].has_delay, 1);
    cr_assert_eq(b.ev[1].delay_s, -240);
    cr_assert_str_eq(carrier_event_ref(&b.ev[1], "trip"), "T2");
    cr_assert_str_eq(b.ev[2].code, "CANCELED");
    cr_assert_eq(b.ev[2].status, CS_CANCELLED);
    cr_assert_str_eq(carrier_event_ref(&b.ev[2], "trip"), "T3");
    cr_assert_str_eq(b.ev[2].stop_id, "");
    carrier_batch_free(&b);
}

Test(gtfs_rt, deleted_vehicle_and_alert_entities_are_not_events) {
    struct feed f;
    struct carrier_batch b;
    char err[256];
    TransitRealtime__VehiclePosition vp = TRANSIT_REALTIME__VEHICLE_POSITION__INIT;
    TransitRealtime__Alert al = TRANSIT_REALTIME__ALERT__INIT;
    size_t e;

    feed_init(&f, "2.0", NOW);
    e = feed_trip(&f, "gone", "T1", "20261127");
    f.ent[e].has_is_deleted = 1;
    f.ent[e].is_deleted = 1;
    f.tu[e].has_delay = 1;
    e = feed_trip(&f, "veh", NULL, NULL);
    f.ent[e].trip_update = NULL;
    f.ent[e].vehicle = &vp;
    e = feed_trip(&f, "alert", NULL, NULL);
    f.ent[e].trip_update = NULL;
    f.ent[e].alert = &al;
    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.total, 0);
    cr_assert_eq(b.n, 0);
    cr_assert_eq(b.nrej, 0);
    carrier_batch_free(&b);
}

Test(gtfs_rt, trip_without_trip_id) {
    struct feed f;
    struct carrier_batch b;
    char err[256];
    size_t e;

    feed_init(&f, "2.0", NOW);
    e = feed_trip(&f, "freq", NULL, "20261127");
    f.td[e].route_id = S("R-CHANGSHA-DUISBURG");
    f.td[e].start_time = S("25:30:00");
    f.tu[e].has_delay = 1;
    f.tu[e].delay = 600;
    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 1);
    cr_assert_null(carrier_event_ref(&b.ev[0], "trip"));
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "route"), "R-CHANGSHA-DUISBURG");
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "start_time"), "25:30:00");
    cr_assert_str_eq(b.ev[0].start_date, "20261127");
    carrier_batch_free(&b);

    f.td[e].start_time = NULL;
    cr_assert_str_eq(refused(&f, 1),
                     "entity 'freq': trip: no trip_id, and not all of route_id, start_time, "
                     "start_date");
    f.td[e].start_time = S("48:00:00");
    cr_assert_str_eq(refused(&f, 1),
                     "entity 'freq': trip.start_time: '48:00:00' is not HH:MM:SS below 48:00:00");
}

Test(gtfs_rt, refusals_name_entity_and_field) {
    struct feed f;
    size_t e;

    /* start_date not a real date */
    feed_init(&f, "2.0", NOW);
    e = feed_trip(&f, "e1", "T1", "20260230");
    f.tu[e].has_delay = 1;
    cr_assert_str_eq(refused(&f, 1),
                     "entity 'e1': trip.start_date: '20260230' is not a real date YYYYMMDD");
    f.td[e].start_date = S("2026-11-27");
    cr_assert_str_eq(refused(&f, 1),
                     "entity 'e1': trip.start_date: '2026-11-27' is not a real date YYYYMMDD");

    /* trip delay beyond 90 days */
    f.td[e].start_date = S("20240229");
    f.tu[e].delay = 90 * 86400 + 1;
    cr_assert_str_eq(refused(&f, 1),
                     "entity 'e1': trip_update.delay: 7776001 s is beyond 90 days");

    /* a stop update with neither stop_id nor stop_sequence */
    feed_init(&f, "2.0", NOW);
    e = feed_trip(&f, "e2", "T2", "20261127");
    feed_stop(&f, e, "S1", 1);
    feed_ste(&f, e, 0, 1, NOW, INT32_MIN);
    feed_stop(&f, e, NULL, -1);
    feed_ste(&f, e, 1, 1, NOW + 60, INT32_MIN);
    feed_ste(&f, e, 1, 0, NOW + 120, INT32_MIN);
    cr_assert_str_eq(refused(&f, 3),
                     "entity 'e2': stop_time_update[1]: neither stop_id nor stop_sequence");

    /* stop delay beyond -90 days */
    f.stu[e][1].stop_id = S("S2");
    f.dep[e][1].has_delay = 1;
    f.dep[e][1].delay = -(90 * 86400) - 1;
    cr_assert_str_eq(refused(&f, 3), "entity 'e2': stop_time_update[1].departure.delay: "
                                     "-7776001 s is beyond 90 days");
    f.dep[e][1].has_delay = 0;

    /* a time before 2000, after 2100 */
    f.arr[e][1].time = 946684799;
    cr_assert_str_eq(refused(&f, 3), "entity 'e2': stop_time_update[1].arrival.time: "
                                     "946684799 is not between 2000 and 2100");
    f.arr[e][1].time = 4102444800;
    cr_assert_str_eq(refused(&f, 3), "entity 'e2': stop_time_update[1].arrival.time: "
                                     "4102444800 is not between 2000 and 2100");

    /* arrival after departure at one stop */
    f.arr[e][1].time = NOW + 180;
    cr_assert_str_eq(refused(&f, 3),
                     "entity 'e2': stop_time_update[1].departure.time: 1795766520 is before "
                     "stop_time_update[1].arrival.time 1795766580 (times run backwards)");

    /* a later stop before an earlier one */
    f.arr[e][1].time = NOW - 60;
    cr_assert_str_eq(refused(&f, 3),
                     "entity 'e2': stop_time_update[1].arrival.time: 1795766340 is before "
                     "stop_time_update[0].arrival.time 1795766400 (times run backwards)");

    /* stop sequences going backwards */
    f.arr[e][1].time = NOW + 60;
    f.stu[e][1].has_stop_sequence = 1;
    f.stu[e][1].stop_sequence = 1;
    cr_assert_str_eq(refused(&f, 3), "entity 'e2': stop_time_update[1].stop_sequence: 1 comes "
                                     "after 1 (updates must follow the trip)");
    f.stu[e][1].stop_sequence = 2;

    /* a stop time event with neither time nor delay */
    f.dep[e][1].has_time = 0;
    cr_assert_str_eq(refused(&f, 3),
                     "entity 'e2': stop_time_update[1].departure: neither time nor delay");
    f.dep[e][1].has_time = 1;

    /* a scheduled stop with nothing to say: one refused event */
    f.stu[e][1].arrival = f.stu[e][1].departure = NULL;
    cr_assert_str_eq(refused(&f, 2),
                     "entity 'e2': stop_time_update[1]: neither arrival nor departure");

    /* enum values this .proto does not know (later GTFS-RT versions) */
    f.stu[e][1].has_schedule_relationship = 1;
    f.stu[e][1].schedule_relationship = 3;
    cr_assert_str_eq(refused(&f, 2),
                     "entity 'e2': stop_time_update[1].schedule_relationship: unknown value 3");
    f.stu[e][1].has_schedule_relationship = 0;
    f.td[e].has_schedule_relationship = 1;
    f.td[e].schedule_relationship = 7;
    cr_assert_str_eq(refused(&f, 2), "entity 'e2': trip.schedule_relationship: unknown value 7");
    f.td[e].has_schedule_relationship = 0;

    /* trip_id with a control character, and too long */
    f.td[e].trip_id = S("T\t2");
    cr_assert_str_eq(refused(&f, 2),
                     "entity 'e2': trip.trip_id: 'T?2' is not 1..63 bytes of UTF-8 text");
    f.td[e].trip_id = S("\x9b" "8017");   /* not UTF-8 */
    cr_assert_str_eq(refused(&f, 2),
                     "entity 'e2': trip.trip_id: '?8017' is not 1..63 bytes of UTF-8 text");
    f.td[e].trip_id = S("\xed\xa0\x80");   /* a UTF-16 surrogate */
    cr_assert_str_eq(refused(&f, 2),
                     "entity 'e2': trip.trip_id: '\?\?\?' is not 1..63 bytes of UTF-8 text");
    f.td[e].trip_id = S("\xe5\xb2\xb3\xe9\x98\xb3-1");   /* UTF-8 is fine */
    f.stu[e][1].stop_id = S("\xe5\xb2\xb3\xe9\x98\xb3\xe4\xb8");   /* cut short */
    cr_assert_str_eq(refused(&f, 2), "entity 'e2': stop_time_update[1].stop_id: '\?\?\?\?\?\?\?\?' is "
                                     "not 1..63 bytes of UTF-8 text");
    f.stu[e][1].stop_id = S("S2");
    f.td[e].trip_id = S("T012345678901234567890123456789012345678901234567890123456789012");
    cr_assert_str_eq(refused(&f, 2), "entity 'e2': trip.trip_id: "
                                     "'T012345678901234567890123456789012345678' is not 1..63 "
                                     "bytes of UTF-8 text");
}

Test(gtfs_rt, mixed_batch_indexes) {
    struct feed f;
    struct carrier_batch b;
    char err[256];
    size_t e;

    feed_init(&f, "2.0", NOW);
    e = feed_trip(&f, "good1", "T1", "20261127");
    feed_stop(&f, e, "S1", 1);
    feed_ste(&f, e, 0, 1, NOW + 60, INT32_MIN);
    feed_ste(&f, e, 0, 0, NOW + 120, INT32_MIN);
    e = feed_trip(&f, "bad", "T2", "20261127");       /* events 2, 3 */
    feed_stop(&f, e, "S1", 1);
    feed_ste(&f, e, 0, 1, NOW + 60, INT32_MIN);
    feed_stop(&f, e, "S2", 2);
    feed_ste(&f, e, 1, 1, 5000000000, INT32_MIN);
    e = feed_trip(&f, "good2", "T3", "20261127");     /* event 4 */
    f.tu[e].has_delay = 1;
    f.tu[e].delay = 30;

    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.total, 5);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.nrej, 2);
    cr_assert_eq(b.rej[0].index, 2);
    cr_assert_eq(b.rej[1].index, 3);
    cr_assert_str_eq(b.rej[1].reason, "entity 'bad': stop_time_update[1].arrival.time: "
                                      "5000000000 is not between 2000 and 2100");
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "trip"), "T1");
    cr_assert_str_eq(carrier_event_ref(&b.ev[1], "trip"), "T1");
    cr_assert_str_eq(carrier_event_ref(&b.ev[2], "trip"), "T3");
    carrier_batch_free(&b);
}

Test(gtfs_rt, body_refusals) {
    struct feed f;
    struct carrier_batch b;
    char err[256];

    feed_init(&f, "3.0", NOW);
    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime header.gtfs_realtime_version: '3.0' is not 1.0 or 2.0");
    carrier_batch_free(&b);

    feed_init(&f, "2.0", 1795766400000ull);   /* milliseconds by mistake */
    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime header.timestamp: 1795766400000 is not between 2000 "
                          "and 2100");
    carrier_batch_free(&b);

    feed_init(&f, "2.0", NOW);
    f.h.has_incrementality = 1;
    f.h.incrementality = 2;
    cr_assert_eq(feed_parse(&f, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime header.incrementality: unknown value 2");
    carrier_batch_free(&b);

    cr_assert_eq(carrier_gtfs_rt_parse("", GTFS_RT_MAX_BODY + 1, RECV, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime: body of 16777217 bytes is over the 16777216 byte limit");
}

/* Hand-encoded bytes: header {gtfs_realtime_version: "2.0"} is
 * 0a 05 0a 03 '2' '.' '0'. */
static int raw(const char *bytes, size_t len, char *err, size_t errlen) {
    struct carrier_batch b;
    int r;
    carrier_batch_init(&b);
    err[0] = '\0';
    r = carrier_gtfs_rt_parse(bytes, len, RECV, &b, err, errlen);
    if (r == 0) cr_assert_eq(b.total, 0);
    carrier_batch_free(&b);
    return r;
}

Test(gtfs_rt, hand_encoded_bytes) {
    char err[256];
    cr_assert_eq(raw("\x0a\x05\x0a\x03" "2.0", 7, err, sizeof(err)), 0, "%s", err);

    cr_assert_eq(raw("", 0, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime at byte 0 (FeedMessage): FeedMessage missing "
                          "required field header");

    cr_assert_eq(raw("\x0a\x05\x0a\x03" "2.", 6, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime at byte 0 (FeedMessage.header): truncated field 1");

    cr_assert_eq(raw("\x08\x01", 2, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime at byte 0 (FeedMessage.header): wire type 0, "
                          "expected 2");

    /* header.timestamp (field 3, uint64) sent as a 4-byte fixed32 */
    cr_assert_eq(raw("\x0a\x0c\x0a\x03" "2.0" "\x1d\x01\x02\x03\x04", 14, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime at byte 7 (header.timestamp): wire type 5, "
                          "expected 0");

    /* a NUL inside the version string */
    cr_assert_eq(raw("\x0a\x05\x0a\x03" "2\0" "0", 7, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime at byte 5 (header.gtfs_realtime_version): NUL byte "
                          "in a string");

    /* an entity without its required id: 12 02 (entity, 2 bytes) 10 01 */
    cr_assert_eq(raw("\x0a\x05\x0a\x03" "2.0" "\x12\x02\x10\x01", 11, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime at byte 9 (entity[0]): FeedEntity missing required "
                          "field id");

    /* an unknown field is skipped; a group (wire type 3) is not */
    cr_assert_eq(raw("\x0a\x05\x0a\x03" "2.0" "\xf8\x07\x05", 10, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(raw("\x0a\x05\x0a\x03" "2.0" "\x1b", 8, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime at byte 7 (FeedMessage): wire type 3 is not supported");

    /* a varint longer than ten bytes */
    cr_assert_eq(raw("\x0a\x05\x0a\x03" "2.0" "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",
                     18, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime at byte 7 (FeedMessage): bad field tag");
}

Test(gtfs_rt, header_only) {
    uint64_t ts = 1;
    int inc = 5;
    cr_assert_eq(carrier_gtfs_rt_header("\x0a\x09\x0a\x03" "2.0" "\x10\x01\x18\x2a", 11, &ts,
                                        &inc), 0);
    cr_assert_eq(ts, 42);
    cr_assert_eq(inc, 1);
    cr_assert_eq(carrier_gtfs_rt_header("\x0a\x05\x0a\x03" "2.0", 7, &ts, &inc), 0);
    cr_assert_eq(ts, 0);
    cr_assert_eq(inc, 0);
    cr_assert_eq(carrier_gtfs_rt_header("\x0a\x05\x0a\x03" "2.", 6, &ts, &inc), -1);
    cr_assert_eq(carrier_gtfs_rt_header("\x12\x00", 2, &ts, &inc), -1);
    cr_assert_eq(carrier_gtfs_rt_header("\x0a\x07\x0a\x03" "2.0" "\x10\x02", 9, &ts, &inc), -1);
}

Test(gtfs_rt, too_many_events) {
    /* 50001 stops with an arrival and a departure each: 100002 events. */
    size_t ns = 50001;
    FeedMessage m = TRANSIT_REALTIME__FEED_MESSAGE__INIT;
    FeedHeader h = TRANSIT_REALTIME__FEED_HEADER__INIT;
    FeedEntity ent = TRANSIT_REALTIME__FEED_ENTITY__INIT, *entp = &ent;
    TripUpdate tu = TRANSIT_REALTIME__TRIP_UPDATE__INIT;
    TripDescriptor td = TRANSIT_REALTIME__TRIP_DESCRIPTOR__INIT;
    StopTimeEvent t = TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_EVENT__INIT;
    StopTimeUpdate *s = calloc(ns, sizeof(*s)), **sp = calloc(ns, sizeof(*sp));
    struct carrier_batch b;
    char err[256];
    size_t n;
    uint8_t *buf;

    cr_assert(s && sp);
    h.gtfs_realtime_version = S("2.0");
    m.header = &h;
    m.n_entity = 1;
    m.entity = &entp;
    ent.id = S("big");
    ent.trip_update = &tu;
    tu.trip = &td;
    td.trip_id = S("T");
    t.has_delay = 1;
    for (size_t i = 0; i < ns; i++) {
        transit_realtime__trip_update__stop_time_update__init(&s[i]);
        s[i].has_stop_sequence = 1;
        s[i].stop_sequence = (uint32_t)i;
        s[i].arrival = s[i].departure = &t;
        sp[i] = &s[i];
    }
    tu.n_stop_time_update = ns;
    tu.stop_time_update = sp;
    n = transit_realtime__feed_message__get_packed_size(&m);
    buf = malloc(n);
    cr_assert_not_null(buf);
    transit_realtime__feed_message__pack(&m, buf);
    carrier_batch_init(&b);
    cr_assert_eq(carrier_gtfs_rt_parse((const char *)buf, n, RECV, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "GTFS-Realtime: 100002 events in the body, more than 100000");
    cr_assert_eq(b.n, 0);
    carrier_batch_free(&b);
    free(buf);
    free(s);
    free(sp);
}
