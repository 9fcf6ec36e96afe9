/* gtfs_rt.c -- GTFS-Realtime TripUpdates into carrier events (gtfs_rt.h,
 * docs/feed-gtfs-rt.md).
 *
 * Two passes over the bytes: a wire check of our own walks the message
 * against the protoc-c descriptors first, because protobuf-c's unpack says
 * only "failed" and silently cuts a string at an embedded NUL; then
 * protobuf-c unpacks, and each FeedEntity is judged as a whole (one bad
 * value refuses all of that trip update's events, since a half-read update
 * would move the trip's other stops wrongly). */
#include "gtfs_rt.h"

#include "carriers/gtfs_realtime.pb-c.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRC "gtfs-rt"
#define MAX_DELAY_S (90 * 86400)
#define T_MIN INT64_C(946684800)   /* 2000-01-01T00:00Z */
#define T_MAX INT64_C(4102444800)  /* 2100-01-01T00:00Z */
#define MAX_DEPTH 16
#define MAX_FIELDS 32              /* per message in our .proto: 6 at most */
#define ROOT(path) (*(path) ? (path) : "FeedMessage")

typedef TransitRealtime__FeedMessage FeedMessage;
typedef TransitRealtime__FeedEntity FeedEntity;
typedef TransitRealtime__TripUpdate TripUpdate;
typedef TransitRealtime__TripDescriptor TripDescriptor;
typedef TransitRealtime__TripUpdate__StopTimeUpdate StopTimeUpdate;
typedef TransitRealtime__TripUpdate__StopTimeEvent StopTimeEvent;

#define TRIP_CANCELED TRANSIT_REALTIME__TRIP_DESCRIPTOR__SCHEDULE_RELATIONSHIP__CANCELED
#define STOP_SKIPPED TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_UPDATE__SCHEDULE_RELATIONSHIP__SKIPPED
#define STOP_NO_DATA TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_UPDATE__SCHEDULE_RELATIONSHIP__NO_DATA

/* ---- the wire check ------------------------------------------------------ */

/* Read a varint at *P (below END) into *V.  0, or -1 when truncated or
 * longer than ten bytes. */
static int wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end) return -1;
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* The wire type a singular field of type T arrives in. */
static int wire_type_of(ProtobufCType t) {
    switch (t) {
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 1;
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT: return 5;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE: return 2;
    default: return 0;
    }
}

/* Walk LEN bytes at BUF as message D: every tag readable, every known field
 * in its declared wire type, lengths inside the message, no NUL inside a
 * string, required fields present.  BODY is the start of the whole body
 * (for byte offsets in ERR), PATH names this message ("entity[2].
 * trip_update").  0, or -1 with ERR set. */
static int wire_check(const ProtobufCMessageDescriptor *d, const uint8_t *body,
                      const uint8_t *buf, size_t len, const char *path, int depth,
                      char *err, size_t errlen) {
    const uint8_t *p = buf, *end = buf + len;
    unsigned seen[MAX_FIELDS] = {0};

    if (depth > MAX_DEPTH) {
        snprintf(err, errlen, "GTFS-Realtime at byte %zu (%s): nested too deep",
                 (size_t)(buf - body), ROOT(path));
        return -1;
    }
    while (p < end) {
        const uint8_t *at = p;
        uint64_t tag, v;
        if (wire_varint(&p, end, &tag) || (tag >> 3) == 0 || (tag >> 3) > 536870911) {
            snprintf(err, errlen, "GTFS-Realtime at byte %zu (%s): bad field tag",
                     (size_t)(at - body), ROOT(path));
            return -1;
        }
        unsigned num = (unsigned)(tag >> 3), wt = (unsigned)(tag & 7);
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, num);
        size_t fi = f ? (size_t)(f - d->fields) : 0;
        if (f) {
            int want = wire_type_of(f->type);
            int packed = f->label == PROTOBUF_C_LABEL_REPEATED && want != 2 && wt == 2;
            if ((int)wt != want && !packed) {
                snprintf(err, errlen,
                         "GTFS-Realtime at byte %zu (%s.%s): wire type %u, expected %d",
                         (size_t)(at - body), ROOT(path), f->name, wt, want);
                return -1;
            }
            if (fi < MAX_FIELDS) seen[fi]++;
        }
        switch (wt) {
        case 0:
            if (wire_varint(&p, end, &v)) goto truncated;
            break;
        case 1:
            if ((size_t)(end - p) < 8) goto truncated;
            p += 8;
            break;
        case 5:
            if ((size_t)(end - p) < 4) goto truncated;
            p += 4;
            break;
        case 2:
            if (wire_varint(&p, end, &v) || v > (uint64_t)(end - p)) goto truncated;
            if (f && f->type == PROTOBUF_C_TYPE_STRING && memchr(p, 0, (size_t)v)) {
                snprintf(err, errlen, "GTFS-Realtime at byte %zu (%s.%s): NUL byte in a string",
                         (size_t)((const uint8_t *)memchr(p, 0, (size_t)v) - body), ROOT(path),
                         f->name);
                return -1;
            }
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                char sub[200];
                if (f->label == PROTOBUF_C_LABEL_REPEATED)
                    snprintf(sub, sizeof(sub), "%s%s%s[%u]", path, *path ? "." : "", f->name,
                             fi < MAX_FIELDS ? seen[fi] - 1 : 0);
                else
                    snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->name);
                if (wire_check(f->descriptor, body, p, (size_t)v, sub, depth + 1, err, errlen))
                    return -1;
            }
            p += v;
            break;
        default:
            snprintf(err, errlen, "GTFS-Realtime at byte %zu (%s): wire type %u is not supported",
                     (size_t)(at - body), ROOT(path), wt);
            return -1;
        }
        continue;
    truncated:
        snprintf(err, errlen, "GTFS-Realtime at byte %zu (%s%s%s): truncated field %u",
                 (size_t)(at - body), ROOT(path), f ? "." : "",
                 f ? f->name : "", num);
        return -1;
    }
    for (unsigned i = 0; i < d->n_fields && i < MAX_FIELDS; i++)
        if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED && !seen[i]) {
            snprintf(err, errlen, "GTFS-Realtime at byte %zu (%s): %s missing required field %s",
                     (size_t)(buf - body), ROOT(path), d->short_name,
                     d->fields[i].name);
            return -1;
        }
    return 0;
}

/* ---- checks on values ---------------------------------------------------- */

/* Copy S into DST (N bytes) for a message, printable ASCII only and cut at
 * 40 characters, so a hostile id cannot break a reason. */
static const char *clip(char *dst, size_t n, const char *s) {
    size_t i = 0;
    for (; s && s[i] && i + 1 < n && i < 40; i++)
        dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    dst[i] = '\0';
    return dst;
}

/* 1 when S is 1..MAX bytes of UTF-8 (proto2 strings must be; the
 * canonical JSON cannot hold anything else) without control characters. */
static int id_ok(const char *s, size_t max) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    if (n == 0 || n > max) return 0;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i], need, min;
        uint32_t cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) return 0;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) need = 1, min = 0x80, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef) need = 2, min = 0x800, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4) need = 3, min = 0x10000, cp = c & 0x07;
        else return 0;
        if (n - i <= need) return 0;
        for (unsigned k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        i += need + 1;
    }
    return 1;
}

/* 1 when S is "YYYYMMDD", a real date from 1900 to 2199. */
static int date_ok(const char *s) {
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = 0, m, d;
    if (strlen(s) != 8) return 0;
    for (int i = 0; i < 8; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    for (int i = 0; i < 4; i++) y = y * 10 + (s[i] - '0');
    m = (s[4] - '0') * 10 + (s[5] - '0');
    d = (s[6] - '0') * 10 + (s[7] - '0');
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* 1 when S is "H:MM:SS" or "HH:MM:SS" with hours below 48 (GTFS times of
 * a service day run past midnight). */
static int hms_ok(const char *s) {
    size_t n = strlen(s), h = n == 7 ? 1 : 2;
    if (n != 7 && n != 8) return 0;
    for (size_t i = 0; i < n; i++)
        if (i == h || i == h + 3 ? s[i] != ':' : (s[i] < '0' || s[i] > '9')) return 0;
    int hh = h == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
    return hh < 48 && s[h + 1] <= '5' && s[h + 4] <= '5';
}

/* ---- events -------------------------------------------------------------- */

/* What one entity yields, before its values are judged: the number of
 * events, so that a refused entity refuses exactly as many as an accepted
 * one would have given. */
static size_t entity_nevents(const FeedEntity *fe) {
    const TripUpdate *tu = fe->trip_update;
    size_t n = 0;
    if ((fe->has_is_deleted && fe->is_deleted) || !tu) return 0;
    if (tu->trip && tu->trip->has_schedule_relationship &&
        tu->trip->schedule_relationship == TRIP_CANCELED)
        return 1;
    if (tu->n_stop_time_update == 0) return tu->has_delay ? 1 : 0;
    for (size_t i = 0; i < tu->n_stop_time_update; i++) {
        const StopTimeUpdate *s = tu->stop_time_update[i];
        int rel = s->has_schedule_relationship ? (int)s->schedule_relationship : 0;
        size_t k = (s->arrival != NULL) + (s->departure != NULL);
        if (rel == STOP_NO_DATA) continue;
        /* SKIPPED is one event; a stop with nothing to say is one refusal. */
        n += rel == STOP_SKIPPED || k == 0 ? 1 : k;
    }
    return n;
}

/* Context while one entity is judged. */
struct ent {
    const FeedEntity *fe;
    const TripUpdate *tu;
    int64_t now;                  /* the feed's "now": header timestamp */
    int64_t received;
    struct carrier_batch *out;
    char *why;
    size_t whylen;
    char id[48];                  /* the entity id, clipped, for reasons */
};

/* A new event for the trip of X with the fields every event of it shares.
 * NULL when out of memory. */
static struct carrier_event *ent_event(struct ent *x, enum carrier_status st,
                                       const char *code, enum carrier_classifier cc) {
    const TripDescriptor *td = x->tu->trip;
    struct carrier_event *e = carrier_batch_add(x->out);
    if (!e) return NULL;
    memcpy(e->source, SRC, sizeof(SRC));
    e->status = st;
    snprintf(e->code, sizeof(e->code), "%s", code);
    e->classifier = cc;
    e->mode = CM_UNKNOWN;
    e->received = x->received;
    if (td->trip_id && td->trip_id[0]) carrier_event_add_ref(e, "trip", td->trip_id);
    if (td->route_id && td->route_id[0]) carrier_event_add_ref(e, "route", td->route_id);
    if (td->start_time && td->start_time[0])
        carrier_event_add_ref(e, "start_time", td->start_time);
    if (td->start_date && td->start_date[0])
        memcpy(e->start_date, td->start_date, sizeof(e->start_date));
    return e;
}

/* Refuse: fill X->why, printf-style, prefixed with the entity id. */
static int ent_refuse(struct ent *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int ent_refuse(struct ent *x, const char *fmt, ...) {
    va_list ap;
    int n = snprintf(x->why, x->whylen, "entity '%s': ", x->id);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < x->whylen) vsnprintf(x->why + n, x->whylen - (size_t)n, fmt, ap);
    va_end(ap);
    return 1;
}

/* The trip descriptor of X.  0, or 1 refused. */
static int check_trip(struct ent *x) {
    const TripDescriptor *td = x->tu->trip;
    char v[48];
    int has_id = td->trip_id && td->trip_id[0];
    if (has_id && !id_ok(td->trip_id, CARRIER_REF_VALUE - 1))
        return ent_refuse(x, "trip.trip_id: '%s' is not 1..%d bytes of UTF-8 text",
                          clip(v, sizeof(v), td->trip_id), CARRIER_REF_VALUE - 1);
    if (!has_id && !(td->route_id && td->route_id[0] && td->start_time && td->start_time[0] &&
                     td->start_date && td->start_date[0]))
        return ent_refuse(x, "trip: no trip_id, and not all of route_id, start_time, start_date");
    if (td->route_id && td->route_id[0] && !id_ok(td->route_id, CARRIER_REF_VALUE - 1))
        return ent_refuse(x, "trip.route_id: '%s' is not 1..%d bytes of UTF-8 text",
                          clip(v, sizeof(v), td->route_id), CARRIER_REF_VALUE - 1);
    if (td->start_date && td->start_date[0] && !date_ok(td->start_date))
        return ent_refuse(x, "trip.start_date: '%s' is not a real date YYYYMMDD",
                          clip(v, sizeof(v), td->start_date));
    if (td->start_time && td->start_time[0] && !hms_ok(td->start_time))
        return ent_refuse(x, "trip.start_time: '%s' is not HH:MM:SS below 48:00:00",
                          clip(v, sizeof(v), td->start_time));
    if (td->has_schedule_relationship && (unsigned)td->schedule_relationship > TRIP_CANCELED)
        return ent_refuse(x, "trip.schedule_relationship: unknown value %d",
                          (int)td->schedule_relationship);
    if (x->tu->has_delay && (x->tu->delay > MAX_DELAY_S || x->tu->delay < -MAX_DELAY_S))
        return ent_refuse(x, "trip_update.delay: %" PRId32 " s is beyond 90 days",
                          x->tu->delay);
    if (x->tu->has_timestamp && x->tu->timestamp != 0 &&
        (x->tu->timestamp < (uint64_t)T_MIN || x->tu->timestamp >= (uint64_t)T_MAX))
        return ent_refuse(x, "trip_update.timestamp: %" PRIu64 " is not between 2000 and 2100",
                          x->tu->timestamp);
    return 0;
}

/* Judge and add the events of one stop time event (arrival when ARR).
 * *LAST is the latest time seen so far along the trip (INT64_MIN at the
 * start) and LAST_WHAT names where it came from.  0, 1 refused, -1 memory. */
static int stop_event(struct ent *x, size_t i, const StopTimeUpdate *s, const StopTimeEvent *t,
                      int arr, int64_t *last, char *last_what, size_t lwlen) {
    const char *name = arr ? "arrival" : "departure";
    struct carrier_event *e;
    enum carrier_classifier cc;

    if (!t->has_time && !t->has_delay)
        return ent_refuse(x, "stop_time_update[%zu].%s: neither time nor delay", i, name);
    if (t->has_delay && (t->delay > MAX_DELAY_S || t->delay < -MAX_DELAY_S))
        return ent_refuse(x, "stop_time_update[%zu].%s.delay: %" PRId32 " s is beyond 90 days",
                          i, name, t->delay);
    if (t->has_time) {
        if (t->time < T_MIN || t->time >= T_MAX)
            return ent_refuse(x, "stop_time_update[%zu].%s.time: %" PRId64
                              " is not between 2000 and 2100", i, name, t->time);
        if (t->time < *last)
            return ent_refuse(x, "stop_time_update[%zu].%s.time: %" PRId64
                              " is before %s %" PRId64 " (times run backwards)",
                              i, name, t->time, last_what, *last);
        *last = t->time;
        snprintf(last_what, lwlen, "stop_time_update[%zu].%s.time", i, name);
    }
    /* A time at or before the feed's "now" has happened; a delay alone is a
     * forecast the server turns into a time from the timetable. */
    cc = t->has_time && t->time <= x->now ? CC_ACTUAL : CC_ESTIMATED;
    e = ent_event(x, arr ? CS_ARRIVED : CS_DEPARTED, arr ? "ARRIVAL" : "DEPARTURE", cc);
    if (!e) return -1;
    if (s->stop_id && s->stop_id[0]) {
        memcpy(e->stop_id, s->stop_id, strlen(s->stop_id) + 1);
        if (strlen(s->stop_id) <= CARRIER_LOC_LEN) {
            memcpy(e->location, s->stop_id, strlen(s->stop_id) + 1);
            memcpy(e->loc_kind, "stop", 5);
        }
    }
    if (s->has_stop_sequence) e->stop_sequence = (int32_t)s->stop_sequence;
    if (t->has_time) e->event_time = t->time;
    if (t->has_delay) {
        e->has_delay = 1;
        e->delay_s = t->delay;
    }
    carrier_event_hash_id(e);
    return 0;
}

/* The events of one trip update.  0 added, 1 refused (X->why), -1 memory. */
static int entity_events(struct ent *x) {
    const TripUpdate *tu = x->tu;
    struct carrier_event *e;
    int64_t last = INT64_MIN;
    int64_t last_seq = -1;
    char last_what[64] = "";
    char v[48];
    int r;

    if ((r = check_trip(x)) != 0) return r;
    if (tu->trip->has_schedule_relationship && tu->trip->schedule_relationship == TRIP_CANCELED) {
        /* No time: the id must stay the same in every feed version that
         * repeats the cancellation.  Stop updates of a cancelled trip are
         * not read. */
        if (!(e = ent_event(x, CS_CANCELLED, "CANCELED", CC_ESTIMATED))) return -1;
        carrier_event_hash_id(e);
        return 0;
    }
    if (tu->n_stop_time_update == 0) {
        if (!tu->has_delay) return 0;
        if (!(e = ent_event(x, CS_EXCEPTION, "TRIP_DELAY", CC_ESTIMATED))) return -1;
        e->has_delay = 1;
        e->delay_s = tu->delay;
        carrier_event_hash_id(e);
        return 0;
    }
    for (size_t i = 0; i < tu->n_stop_time_update; i++) {
        const StopTimeUpdate *s = tu->stop_time_update[i];
        int rel = s->has_schedule_relationship ? (int)s->schedule_relationship : 0;
        int has_stop = s->stop_id && s->stop_id[0];
        if (rel < 0 || rel > STOP_NO_DATA)
            return ent_refuse(x, "stop_time_update[%zu].schedule_relationship: unknown value %d",
                              i, rel);
        if (!has_stop && !s->has_stop_sequence)
            return ent_refuse(x, "stop_time_update[%zu]: neither stop_id nor stop_sequence", i);
        if (has_stop && !id_ok(s->stop_id, sizeof(((struct carrier_event *)0)->stop_id) - 1))
            return ent_refuse(x, "stop_time_update[%zu].stop_id: '%s' is not 1..63 bytes of UTF-8 text",
                              i, clip(v, sizeof(v), s->stop_id));
        if (s->has_stop_sequence) {
            if (s->stop_sequence > INT32_MAX)
                return ent_refuse(x, "stop_time_update[%zu].stop_sequence: %" PRIu32
                                  " is too large", i, s->stop_sequence);
            if ((int64_t)s->stop_sequence <= last_seq)
                return ent_refuse(x, "stop_time_update[%zu].stop_sequence: %" PRIu32
                                  " comes after %" PRId64 " (updates must follow the trip)",
                                  i, s->stop_sequence, last_seq);
            last_seq = s->stop_sequence;
        }
        if (rel == STOP_NO_DATA) continue;   /* keep the schedule: not an event */
        if (rel == STOP_SKIPPED) {
            if (!(e = ent_event(x, CS_EXCEPTION, "SKIPPED", CC_ESTIMATED))) return -1;
            if (has_stop) {
                memcpy(e->stop_id, s->stop_id, strlen(s->stop_id) + 1);
                if (strlen(s->stop_id) <= CARRIER_LOC_LEN) {
                    memcpy(e->location, s->stop_id, strlen(s->stop_id) + 1);
                    memcpy(e->loc_kind, "stop", 5);
                }
            }
            if (s->has_stop_sequence) e->stop_sequence = (int32_t)s->stop_sequence;
            carrier_event_hash_id(e);
            continue;
        }
        if (!s->arrival && !s->departure)
            return ent_refuse(x, "stop_time_update[%zu]: neither arrival nor departure", i);
        if (s->arrival &&
            (r = stop_event(x, i, s, s->arrival, 1, &last, last_what, sizeof(last_what))) != 0)
            return r;
        if (s->departure &&
            (r = stop_event(x, i, s, s->departure, 0, &last, last_what, sizeof(last_what))) != 0)
            return r;
    }
    return 0;
}

/* ---- the body ------------------------------------------------------------ */

int carrier_gtfs_rt_parse(const char *body, size_t len, int64_t received,
                          struct carrier_batch *out, char *err, size_t errlen) {
    const uint8_t *b = (const uint8_t *)body;
    FeedMessage *fm;
    const char *ver;
    int64_t now;
    size_t total = 0, idx = 0;
    char why[256];

    if (len > GTFS_RT_MAX_BODY) {
        snprintf(err, errlen, "GTFS-Realtime: body of %zu bytes is over the %u byte limit",
                 len, GTFS_RT_MAX_BODY);
        return -1;
    }
    if (wire_check(&transit_realtime__feed_message__descriptor, b, b, len, "", 0, err, errlen))
        return -1;
    fm = transit_realtime__feed_message__unpack(NULL, len, b);
    if (!fm) {   /* the wire check passed: memory, most likely */
        snprintf(err, errlen, "GTFS-Realtime: protobuf-c could not unpack the %zu bytes", len);
        return -1;
    }
    ver = fm->header->gtfs_realtime_version;
    if (strcmp(ver, "1.0") != 0 && strcmp(ver, "2.0") != 0) {
        char v[48];
        snprintf(err, errlen, "GTFS-Realtime header.gtfs_realtime_version: '%s' is not 1.0 or 2.0",
                 clip(v, sizeof(v), ver));
        goto fail;
    }
    if (fm->header->has_incrementality && (unsigned)fm->header->incrementality > 1) {
        snprintf(err, errlen, "GTFS-Realtime header.incrementality: unknown value %u",
                 (unsigned)fm->header->incrementality);
        goto fail;
    }
    if (fm->header->has_timestamp && fm->header->timestamp != 0 &&
        (fm->header->timestamp < (uint64_t)T_MIN || fm->header->timestamp >= (uint64_t)T_MAX)) {
        snprintf(err, errlen,
                 "GTFS-Realtime header.timestamp: %" PRIu64 " is not between 2000 and 2100",
                 fm->header->timestamp);
        goto fail;
    }
    now = fm->header->has_timestamp && fm->header->timestamp ? (int64_t)fm->header->timestamp
                                                              : received;
    for (size_t i = 0; i < fm->n_entity; i++) total += entity_nevents(fm->entity[i]);
    if (total > CARRIER_MAX_EVENTS) {
        snprintf(err, errlen, "GTFS-Realtime: %zu events in the body, more than %d", total,
                 CARRIER_MAX_EVENTS);
        goto fail;
    }
    out->total += total;
    for (size_t i = 0; i < fm->n_entity; i++) {
        const FeedEntity *fe = fm->entity[i];
        size_t n = entity_nevents(fe), n0 = out->n;
        struct ent x = {fe, fe->trip_update, now, received, out, why, sizeof(why), ""};
        int r;
        if (n == 0) continue;
        clip(x.id, sizeof(x.id), fe->id);
        r = entity_events(&x);
        if (r < 0) {
            snprintf(err, errlen, "GTFS-Realtime: out of memory at entity[%zu]", i);
            goto fail;
        }
        if (r > 0) {
            while (out->n > n0) carrier_batch_drop_last(out);
            for (size_t k = 0; k < n; k++)
                if (carrier_batch_reject(out, idx + k, "%s", why)) {
                    snprintf(err, errlen, "GTFS-Realtime: out of memory at entity[%zu]", i);
                    goto fail;
                }
        }
        idx += n;
    }
    transit_realtime__feed_message__free_unpacked(fm, NULL);
    return 0;
fail:
    transit_realtime__feed_message__free_unpacked(fm, NULL);
    return -1;
}

int carrier_gtfs_rt_header(const char *body, size_t len, uint64_t *timestamp,
                           int *incrementality) {
    const uint8_t *p = (const uint8_t *)body, *end = p + len;
    char err[200];
    /* The header is field 1 of the FeedMessage; unpack it alone. */
    while (p < end) {
        uint64_t tag, v;
        if (wire_varint(&p, end, &tag)) return -1;
        switch (tag & 7) {
        case 0:
            if (wire_varint(&p, end, &v)) return -1;
            break;
        case 1:
        case 5: {
            size_t w = (tag & 7) == 1 ? 8 : 4;
            if ((size_t)(end - p) < w) return -1;
            p += w;
            break;
        }
        case 2:
            if (wire_varint(&p, end, &v) || v > (uint64_t)(end - p)) return -1;
            if (tag == ((1 << 3) | 2)) {
                TransitRealtime__FeedHeader *h;
                if (wire_check(&transit_realtime__feed_header__descriptor, p, p, (size_t)v,
                               "header", 0, err, sizeof(err)))
                    return -1;
                if (!(h = transit_realtime__feed_header__unpack(NULL, (size_t)v, p))) return -1;
                if (h->has_incrementality && (unsigned)h->incrementality > 1) {
                    transit_realtime__feed_header__free_unpacked(h, NULL);
                    return -1;
                }
                *timestamp = h->has_timestamp ? h->timestamp : 0;
                *incrementality = h->has_incrementality ? (int)h->incrementality : 0;
                transit_realtime__feed_header__free_unpacked(h, NULL);
                return 0;
            }
            p += v;
            break;
        default: return -1;
        }
    }
    return -1;
}
