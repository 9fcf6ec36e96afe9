/* rail_events.c -- the "rail-events" JSON format into carrier events
 * (rail_events.h, docs/rail-events.md).  Every field is checked before the
 * event is added, so a refused event leaves nothing behind in the batch. */
#include "rail_events.h"

#include "geodata/timefmt.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SRC "rail-events"
#define T_MIN INT64_C(946684800)   /* 2000-01-01T00:00Z */
#define T_MAX INT64_C(4102444800)  /* 2100-01-01T00:00Z */

/* railEventTypeCode: the four-letter code, the word spelling, the status. */
static const struct {
    const char *code, *word;
    enum carrier_status status;
} rail_codes[] = {
    {"DEPA", "DEPARTED", CS_DEPARTED},
    {"ARRI", "ARRIVED", CS_ARRIVED},
    {"BCRS", "BORDER_CROSSED", CS_BORDER_CROSSED},
    {"GAUG", "GAUGE_CHANGED", CS_TRANSSHIPPED},
    {"TSHP", "TRANSSHIPPED", CS_TRANSSHIPPED},
    {"LOAD", "LOADED", CS_LOADED},
    {"DISC", "DISCHARGED", CS_DISCHARGED},
    {"CUSH", "CUSTOMS_HOLD", CS_CUSTOMS_HOLD},
    {"CUSR", "CUSTOMS_RELEASED", CS_CUSTOMS_RELEASED},
    {"GTIN", "GATE_IN", CS_GATE_IN},
    {"GTOT", "GATE_OUT", CS_GATE_OUT},
};

int carrier_uic_wagon_valid(const char *s) {
    int sum = 0;
    if (strlen(s) != 12) return 0;
    for (int i = 0; i < 12; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    for (int i = 0; i < 11; i++) {
        int p = (s[i] - '0') * (i % 2 == 0 ? 2 : 1);
        sum += p / 10 + p % 10;
    }
    return (10 - sum % 10) % 10 == s[11] - '0';
}

/* Copy S into DST (N bytes) for a reason: printable ASCII, at most 40. */
static const char *clip(char *dst, size_t n, const char *s) {
    size_t i = 0;
    for (; s[i] && i + 1 < n && i < 40; i++)
        dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    dst[i] = '\0';
    return dst;
}

/* 1 when S is MIN..MAX bytes, each in CHARS or (when CHARS is NULL)
 * printable ASCII other than space. */
static int chars_ok(const char *s, size_t min, size_t max, const char *chars) {
    size_t n = strlen(s);
    if (n < min || n > max) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (chars ? !strchr(chars, c) || c == 0 : c <= 0x20 || c >= 0x7f) return 0;
    }
    return 1;
}

#define UPPER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define ALNUM UPPER_DIGITS "abcdefghijklmnopqrstuvwxyz"

/* Context while one event object is judged. */
struct rev {
    json_t *o;
    size_t index;
    char *why;
    size_t whylen;
};

static int refuse(struct rev *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fill X->why with "[INDEX]." and the message; returns 1 (refused). */
static int refuse(struct rev *x, const char *fmt, ...) {
    va_list ap;
    int n = snprintf(x->why, x->whylen, "[%zu].", x->index);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < x->whylen) vsnprintf(x->why + n, x->whylen - (size_t)n, fmt, ap);
    va_end(ap);
    return 1;
}

/* String member KEY of object O into *S (NULL when absent or null).
 * PATH names O's place for the reason ("" or "location.").  0, or 1
 * refused when present with another type or holding a NUL. */
static int opt_str(struct rev *x, json_t *o, const char *path, const char *key,
                   const char **s) {
    json_t *v = json_object_get(o, key);
    *s = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) return refuse(x, "%s%s: not a string", path, key);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return refuse(x, "%s%s: contains a NUL character", path, key);
    *s = json_string_value(v);
    return 0;
}

/* The same for a required member: absent or null is refused too. */
static int req_str(struct rev *x, const char *key, const char **s) {
    if (opt_str(x, x->o, "", key, s)) return 1;
    if (!*s) return refuse(x, "%s: missing", key);
    return 0;
}

/* An ISO 8601 time with offset between 2000 and 2100 in KEY. */
static int check_time(struct rev *x, const char *key, const char *s, int64_t *t, int *off) {
    char why[120], v[48];
    if (time_parse_iso8601_off(s, t, off, why, sizeof(why)))
        return refuse(x, "%s: '%s' is not an ISO 8601 time with offset (%s)", key,
                      clip(v, sizeof(v), s), why);
    if (*t < T_MIN || *t >= T_MAX)
        return refuse(x, "%s: '%s' is not between 2000 and 2100", key, clip(v, sizeof(v), s));
    return 0;
}

/* The location object into E.  0, or 1 refused. */
static int check_location(struct rev *x, struct carrier_event *e) {
    json_t *loc = json_object_get(x->o, "location"), *la, *lo;
    const char *un, *st, *name;
    char v[48];

    if (!loc || json_is_null(loc)) return refuse(x, "location: missing");
    if (!json_is_object(loc)) return refuse(x, "location: not an object");
    if (opt_str(x, loc, "location.", "UNLocationCode", &un) ||
        opt_str(x, loc, "location.", "stationCode", &st) ||
        opt_str(x, loc, "location.", "locationName", &name))
        return 1;
    if (un && !carrier_unlocode_valid(un))
        return refuse(x, "location.UNLocationCode: '%s' is not a UN/LOCODE", clip(v, sizeof(v), un));
    if (st && !chars_ok(st, 2, CARRIER_LOC_LEN, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"))
        return refuse(x, "location.stationCode: '%s' is not 2..%d of A-Z, 0-9 and -",
                      clip(v, sizeof(v), st), CARRIER_LOC_LEN);
    if (!un && !st) return refuse(x, "location: neither UNLocationCode nor stationCode");
    if (un) {
        memcpy(e->location, un, 6);
        memcpy(e->loc_kind, "unlocode", 9);
    } else {
        memcpy(e->location, st, strlen(st) + 1);
        memcpy(e->loc_kind, "station", 8);
    }
    la = json_object_get(loc, "latitude");
    lo = json_object_get(loc, "longitude");
    if (json_is_null(la)) la = NULL;
    if (json_is_null(lo)) lo = NULL;
    if (!la != !lo)
        return refuse(x, "location: %s without %s", la ? "latitude" : "longitude",
                      la ? "longitude" : "latitude");
    if (la) {
        if (!json_is_number(la)) return refuse(x, "location.latitude: not a number");
        if (!json_is_number(lo)) return refuse(x, "location.longitude: not a number");
        e->lat = json_number_value(la);
        e->lon = json_number_value(lo);
        if (!(e->lat >= -90 && e->lat <= 90))
            return refuse(x, "location.latitude: %g is not in -90..90", e->lat);
        if (!(e->lon >= -180 && e->lon <= 180))
            return refuse(x, "location.longitude: %g is not in -180..180", e->lon);
        e->has_coords = 1;
    }
    return 0;
}

/* Judge one event object X->o into E (already zeroed by the batch).
 * 0, or 1 refused with X->why. */
static int one_event(struct rev *x, struct carrier_event *e) {
    const char *id, *type, *cls, *when, *created, *code, *train, *wagon, *cont, *note, *bl,
        *trip, *retr;
    char v[48];
    int64_t t;
    int off, k = -1;
    json_t *isr;

    if (!json_is_object(x->o)) return refuse(x, "event: not an object");
    memcpy(e->source, SRC, sizeof(SRC));
    e->mode = CM_RAIL;

    if (opt_str(x, x->o, "", "eventID", &id)) return 1;
    if (id && !chars_ok(id, 1, CARRIER_ID_LEN, NULL))
        return refuse(x, "eventID: '%s' is not 1..%d printable characters without spaces",
                      clip(v, sizeof(v), id), CARRIER_ID_LEN);

    if (req_str(x, "eventType", &type)) return 1;
    if (strcmp(type, "RAIL") != 0)
        return refuse(x, "eventType: '%s' is not RAIL", clip(v, sizeof(v), type));

    if (req_str(x, "eventClassifierCode", &cls)) return 1;
    if ((k = carrier_classifier_parse(cls)) < 0)
        return refuse(x, "eventClassifierCode: '%s' is not PLN, EST or ACT", clip(v, sizeof(v), cls));
    e->classifier = (enum carrier_classifier)k;

    if (req_str(x, "eventDateTime", &when) ||
        check_time(x, "eventDateTime", when, &e->event_time, &e->event_offset_s))
        return 1;
    if (opt_str(x, x->o, "", "eventCreatedDateTime", &created) ||
        (created && check_time(x, "eventCreatedDateTime", created, &t, &off)))
        return 1;

    if (req_str(x, "railEventTypeCode", &code)) return 1;
    k = -1;
    for (size_t i = 0; i < sizeof(rail_codes) / sizeof(rail_codes[0]); i++)
        if (strcmp(code, rail_codes[i].code) == 0 || strcmp(code, rail_codes[i].word) == 0)
            k = (int)i;
    if (k < 0)
        return refuse(x, "railEventTypeCode: unknown '%s'", clip(v, sizeof(v), code));
    e->status = rail_codes[k].status;
    memcpy(e->code, code, strlen(code) + 1);

    if (req_str(x, "trainNumber", &train)) return 1;
    if (!chars_ok(train, 1, 20, UPPER_DIGITS "-"))
        return refuse(x, "trainNumber: '%s' is not 1..20 of A-Z, 0-9, -", clip(v, sizeof(v), train));
    carrier_event_add_ref(e, "train", train);

    if (opt_str(x, x->o, "", "wagonNumber", &wagon)) return 1;
    if (wagon) {
        /* UIC numbers are written "21 81 2471 217-3": compare the digits. */
        char d[21];
        size_t n = 0;
        for (const char *p = wagon; *p && n < 20; p++)
            if (*p != ' ' && *p != '-') d[n++] = *p;
        d[n] = '\0';
        if (n == 12 && chars_ok(d, 12, 12, "0123456789")) {
            if (!carrier_uic_wagon_valid(d))
                return refuse(x, "wagonNumber: '%s' fails the UIC check digit",
                              clip(v, sizeof(v), wagon));
            carrier_event_add_ref(e, "wagon", d);
        } else if (chars_ok(wagon, 1, 20, ALNUM)) {
            carrier_event_add_ref(e, "wagon", wagon);
        } else {
            return refuse(x, "wagonNumber: '%s' is neither a UIC number nor 1..20 letters and "
                          "digits", clip(v, sizeof(v), wagon));
        }
    }

    if (opt_str(x, x->o, "", "equipmentReference", &cont)) return 1;
    if (cont) {
        if (!carrier_iso6346_valid(cont))
            return refuse(x, "equipmentReference: '%s' is not an ISO 6346 container number "
                          "with a correct check digit", clip(v, sizeof(v), cont));
        carrier_event_add_ref(e, "container", cont);
    }

    if (opt_str(x, x->o, "", "consignmentNoteNumber", &note)) return 1;
    if (note) {
        if (!chars_ok(note, 1, 35, UPPER_DIGITS "/-"))
            return refuse(x, "consignmentNoteNumber: '%s' is not 1..35 of A-Z, 0-9, /, -",
                          clip(v, sizeof(v), note));
        carrier_event_add_ref(e, "cim_smgs", note);
    }

    if (opt_str(x, x->o, "", "transportDocumentReference", &bl)) return 1;
    if (bl) {
        if (!chars_ok(bl, 1, 20, NULL))
            return refuse(x, "transportDocumentReference: '%s' is not 1..20 printable characters "
                          "without spaces", clip(v, sizeof(v), bl));
        carrier_event_add_ref(e, "bl", bl);
    }

    if (opt_str(x, x->o, "", "tripID", &trip)) return 1;
    if (trip) {
        if (!chars_ok(trip, 1, CARRIER_REF_VALUE - 1, NULL))
            return refuse(x, "tripID: '%s' is not 1..%d printable characters without spaces",
                          clip(v, sizeof(v), trip), CARRIER_REF_VALUE - 1);
        carrier_event_add_ref(e, "trip", trip);
    }

    if (check_location(x, e)) return 1;

    isr = json_object_get(x->o, "isRetracted");
    if (isr && !json_is_null(isr) && !json_is_boolean(isr))
        return refuse(x, "isRetracted: not true or false");
    if (opt_str(x, x->o, "", "retractedEventID", &retr)) return 1;
    if (json_is_true(isr)) {
        if (!retr) return refuse(x, "retractedEventID: missing while isRetracted is true");
        if (!chars_ok(retr, 1, CARRIER_ID_LEN, NULL))
            return refuse(x, "retractedEventID: '%s' is not 1..%d printable characters without "
                          "spaces", clip(v, sizeof(v), retr), CARRIER_ID_LEN);
        e->retracted = 1;
        memcpy(e->retracts, retr, strlen(retr) + 1);
    } else if (retr) {
        return refuse(x, "retractedEventID: given but isRetracted is not true");
    }

    if (id)
        memcpy(e->event_id, id, strlen(id) + 1);
    else
        carrier_event_hash_id(e);
    return 0;
}

int carrier_rail_events_parse(const char *body, size_t len, int64_t received,
                              struct carrier_batch *out, char *err, size_t errlen) {
    const char *nul = memchr(body, '\0', len);
    json_error_t je;
    json_t *root;
    size_t n;
    char why[256];

    if (nul) {
        snprintf(err, errlen, "JSON at byte %zu: NUL byte in the body", (size_t)(nul - body));
        return -1;
    }
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!root) {
        snprintf(err, errlen, "JSON at byte %d (line %d, column %d): %s", je.position, je.line,
                 je.column, je.text);
        return -1;
    }
    if (!json_is_array(root) && !json_is_object(root)) {
        snprintf(err, errlen, "JSON at byte 0: the body is neither an array of events nor one "
                              "event object");
        goto fail;
    }
    n = json_is_array(root) ? json_array_size(root) : 1;
    if (n > CARRIER_MAX_EVENTS) {
        snprintf(err, errlen, "JSON: %zu events in the body, more than %d", n, CARRIER_MAX_EVENTS);
        goto fail;
    }
    out->total += n;
    for (size_t i = 0; i < n; i++) {
        struct rev x = {json_is_array(root) ? json_array_get(root, i) : root, i, why,
                        sizeof(why)};
        struct carrier_event *e = carrier_batch_add(out);
        if (!e) {
            snprintf(err, errlen, "rail-events: out of memory at event %zu", i);
            goto fail;
        }
        if (one_event(&x, e)) {
            carrier_batch_drop_last(out);
            if (carrier_batch_reject(out, i, "%s", why)) {
                snprintf(err, errlen, "rail-events: out of memory at event %zu", i);
                goto fail;
            }
            continue;
        }
        e->received = received;
    }
    json_decref(root);
    return 0;
fail:
    json_decref(root);
    return -1;
}
