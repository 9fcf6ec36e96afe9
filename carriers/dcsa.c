/* dcsa.c -- DCSA Track & Trace 2.2 / 3.0 events into canonical carrier
 * events (see dcsa.h, docs/feed-dcsa.md). */
#include "dcsa.h"

#include "geodata/timefmt.h"

#include <ctype.h>
#include <math.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A creation time may run this far ahead of our clock, and an actual
 * event this far ahead of its creation, before it is called impossible:
 * a day covers clock skew and a wrong offset, not a year's typo. */
#define DCSA_SLACK_S 86400
#define DCSA_EARLIEST 946684800 /* 2000-01-01T00:00:00Z */

/* ---- code tables (docs/feed-dcsa.md has them in prose) ---- */

enum dcsa_type { DT_TRANSPORT, DT_EQUIPMENT, DT_SHIPMENT };

/* A DCSA code, the word a 3.0 draft spells it as, and its status. */
struct dcsa_code {
    const char *code, *word;
    enum carrier_status st;
};

static const struct dcsa_code transport_codes[] = {
    {"ARRI", "ARRIVED", CS_ARRIVED},
    {"DEPA", "DEPARTED", CS_DEPARTED},
};

static const struct dcsa_code equipment_codes[] = {
    {"LOAD", "LOADED", CS_LOADED},
    {"DISC", "DISCHARGED", CS_DISCHARGED},
    {"GTIN", "GATED_IN", CS_GATE_IN},
    {"GTOT", "GATED_OUT", CS_GATE_OUT},
    {"STUF", "STUFFED", CS_RECEIVED},
    {"STRP", "STRIPPED", CS_DISCHARGED},
    {"PICK", "PICKED_UP", CS_RECEIVED},
    {"DROP", "DROPPED_OFF", CS_DELIVERED},
    {"INSP", "INSPECTED", CS_CUSTOMS_HOLD},
    {"RSEA", "RESEALED", CS_EXCEPTION},
    {"RMVD", "REMOVED", CS_EXCEPTION},
    {"AVPU", "AVAILABLE_FOR_PICKUP", CS_OUT_FOR_DELIVERY},
    {"AVDO", "AVAILABLE_FOR_DROPOFF", CS_BOOKED},
    {"CUSS", "SELECTED_FOR_SCAN", CS_CUSTOMS_HOLD},
    {"CUSI", "SELECTED_FOR_INSPECTION", CS_CUSTOMS_HOLD},
    {"CUSR", "CUSTOMS_RELEASED", CS_CUSTOMS_RELEASED},
};

/* VOID, HOLD and RELS depend on the document too (shipment_status). */
static const struct dcsa_code shipment_codes[] = {
    {"RECE", "RECEIVED", CS_RECEIVED},
    {"DRFT", "DRAFTED", CS_DOCUMENTED},
    {"PENA", "PENDING_APPROVAL", CS_DOCUMENTED},
    {"PENU", "PENDING_UPDATE", CS_DOCUMENTED},
    {"PENC", "PENDING_CONFIRMATION", CS_DOCUMENTED},
    {"REJE", "REJECTED", CS_EXCEPTION},
    {"APPR", "APPROVED", CS_DOCUMENTED},
    {"ISSU", "ISSUED", CS_DOCUMENTED},
    {"SURR", "SURRENDERED", CS_DOCUMENTED},
    {"SUBM", "SUBMITTED", CS_DOCUMENTED},
    {"VOID", "VOIDED", CS_DOCUMENTED},
    {"CONF", "CONFIRMED", CS_BOOKED},
    {"REQS", "REQUESTED", CS_DOCUMENTED},
    {"CMPL", "COMPLETED", CS_DOCUMENTED},
    {"HOLD", "ON_HOLD", CS_EXCEPTION},
    {"RELS", "RELEASED", CS_DOCUMENTED},
    {"CANC", "CANCELLED", CS_CANCELLED},
};

static const char *const document_types[] = {"CBR", "BKG", "SHI", "SRM", "TRD", "ARN",
                                             "VGM", "CAS", "CUS", "DGD", "OOG"};
static const char *const reference_types[] = {"FF", "SI", "PO", "CR", "AAO", "EQ"};

/* DCSA length limits (TNT 2.2 schema). */
#define DCSA_TRD_MAX 20
#define DCSA_BKG_MAX 35
#define DCSA_EQ_MAX 15
#define DCSA_VOYAGE_MAX 50
#define DCSA_ID_MAX 100
#define DCSA_REFVAL_MAX 100

static int in_list(const char *const *list, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}

/* ---- reading one event ---- */

/* One event being read: its object, the halves a 3.0 beta event splits
 * into (metadata, payload), the 3.0 eventClassification, and the reason
 * when it is refused. */
struct dcsa_ev {
    json_t *obj, *meta, *payload, *cls;
    int v3;     /* the 3.0 shape: eventClassification and *Details */
    int own_id; /* event_id is the source's eventID, not a hash */
    char why[220];
};

static int bad(struct dcsa_ev *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record why R is refused; always -1 so callers can `return bad(...)`. */
static int bad(struct dcsa_ev *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof(r->why), fmt, ap);
    va_end(ap);
    return -1;
}

/* Member KEY of the event: the object itself, then its metadata and
 * payload halves (3.0 beta).  Borrowed, or NULL. */
static json_t *ev_get(const struct dcsa_ev *r, const char *key) {
    json_t *v = json_object_get(r->obj, key);
    if (!v && r->meta) v = json_object_get(r->meta, key);
    if (!v && r->payload) v = json_object_get(r->payload, key);
    return v;
}

static const char *json_kind(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* *OUT = string V (NULL when V is absent or null).  -1 (reason names
 * FIELD) when V is another type, empty, or longer than MAXLEN bytes. */
static int str_of(struct dcsa_ev *r, json_t *v, const char *field, size_t maxlen,
                  const char **out) {
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) return bad(r, "%s: %s, not a string", field, json_kind(v));
    if (json_string_length(v) == 0) return bad(r, "%s: empty", field);
    if (json_string_length(v) > maxlen)
        return bad(r, "%s: '%.40s...' is %zu characters, over the DCSA limit of %zu",
                   field, json_string_value(v), json_string_length(v), maxlen);
    *out = json_string_value(v);
    return 0;
}

/* The same, for a required string. */
static int need_str(struct dcsa_ev *r, json_t *v, const char *field, size_t maxlen,
                    const char **out) {
    if (str_of(r, v, field, maxlen, out)) return -1;
    if (!*out) return bad(r, "%s: missing", field);
    return 0;
}

/* *OUT = object V, NULL when absent or null; -1 when V is another type. */
static int obj_of(struct dcsa_ev *r, json_t *v, const char *field, json_t **out) {
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_object(v)) return bad(r, "%s: %s, not an object", field, json_kind(v));
    *out = v;
    return 0;
}

/* The same for an array. */
static int arr_of(struct dcsa_ev *r, json_t *v, const char *field, json_t **out) {
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_array(v)) return bad(r, "%s: %s, not an array", field, json_kind(v));
    *out = v;
    return 0;
}

/* 1 when S is a UUID: 8-4-4-4-12 hex digits. */
static int is_uuid(const char *s) {
    if (strlen(s) != 36) return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

/* 1 when S is seven digits whose last is the IMO check digit: the first
 * six times 7, 6, 5, 4, 3, 2, summed, mod 10. */
static int imo_valid(const char *s) {
    int sum = 0;
    if (strlen(s) != 7) return 0;
    for (int i = 0; i < 7; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    for (int i = 0; i < 6; i++)
        sum += (s[i] - '0') * (7 - i);
    return sum % 10 == s[6] - '0';
}

/* 1 when the country part of UN/LOCODE S is an ISO 3166 user-assigned
 * code (AA, QM-QZ, XA-XZ, ZZ), which names no country; UN/LOCODE itself
 * uses XZ for installations in international waters, so XZ passes. */
static int unlocode_country_reserved(const char *s) {
    if (s[0] == 'A' && s[1] == 'A') return 1;
    if (s[0] == 'Z' && s[1] == 'Z') return 1;
    if (s[0] == 'Q' && s[1] >= 'M') return 1;
    if (s[0] == 'X' && s[1] != 'Z') return 1;
    return 0;
}

/* Check UN/LOCODE S (FIELD names it); 0 or -1. */
static int check_unlocode(struct dcsa_ev *r, const char *field, const char *s) {
    if (!carrier_unlocode_valid(s))
        return bad(r, "%s: '%.40s' is not a UN/LOCODE (2 letters, then 3 of A-Z, 2-9)",
                   field, s);
    if (unlocode_country_reserved(s))
        return bad(r,
                   "%s: '%s': '%.2s' is a user-assigned ISO 3166 code, not a country",
                   field, s, s);
    return 0;
}

/* One coordinate V (a string such as "48.8585500" or a number) into *OUT
 * within +-LIMIT.  *HAVE = 0 when V is absent.  0 or -1. */
static int coord_of(struct dcsa_ev *r, json_t *v, const char *field, double limit,
                    double *out, int *have) {
    *have = 0;
    if (!v || json_is_null(v)) return 0;
    if (json_is_number(v)) {
        *out = json_number_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (json_string_length(v) == 0 || json_string_length(v) > 20 ||
            strspn(s, "+-.0123456789") != json_string_length(v))
            return bad(r, "%s: '%.24s' is not a decimal number", field, s);
        *out = strtod(s, &end);
        if (*end != '\0')
            return bad(r, "%s: '%.24s' is not a decimal number", field, s);
    } else {
        return bad(r, "%s: %s, not a number or a numeric string", field, json_kind(v));
    }
    if (!isfinite(*out) || fabs(*out) > limit)
        return bad(r, "%s: %g is outside -%g..%g", field, *out, limit, limit);
    *have = 1;
    return 0;
}

/* Coordinates from object LOC (latitude/longitude, or 3.0 geoCoordinate),
 * into E unless E has some already.  WHERE names LOC.  0 or -1. */
static int read_coords(struct dcsa_ev *r, json_t *loc, const char *where,
                       struct carrier_event *e) {
    char f1[80], f2[80];
    json_t *geo = NULL;
    double lat = 0, lon = 0;
    int hlat, hlon;
    const char *sub = "";

    if (obj_of(r, json_object_get(loc, "geoCoordinate"), "geoCoordinate", &geo))
        return -1;
    if (geo) {
        loc = geo;
        sub = ".geoCoordinate";
    }
    snprintf(f1, sizeof(f1), "%s%s.latitude", where, sub);
    snprintf(f2, sizeof(f2), "%s%s.longitude", where, sub);
    if (coord_of(r, json_object_get(loc, "latitude"), f1, 90, &lat, &hlat) ||
        coord_of(r, json_object_get(loc, "longitude"), f2, 180, &lon, &hlon))
        return -1;
    if (hlat != hlon)
        return bad(r, "%s: given without %s", hlat ? f1 : f2, hlat ? f2 : f1);
    if (hlat && !e->has_coords) {
        e->has_coords = 1;
        e->lat = lat;
        e->lon = lon;
    }
    return 0;
}

/* Add reference KIND=VALUE (FIELD names its source); 0 or -1. */
static int add_ref(struct dcsa_ev *r, struct carrier_event *e, const char *field,
                   const char *kind, const char *value) {
    if (strlen(value) >= CARRIER_REF_VALUE)
        return bad(r, "%s: '%.40s...' is longer than the %d characters kept", field,
                   value, CARRIER_REF_VALUE - 1);
    if (carrier_event_add_ref(e, kind, value))
        return bad(r, "%s: more than %d references on one event", field,
                   CARRIER_MAX_REFS);
    return 0;
}

/* An equipment reference: "container" when shaped like ISO 6346 (4
 * letters, 7 digits, either case), which must then be upper case with a
 * right check digit; else "equipment".  0 or -1. */
static int add_equipment(struct dcsa_ev *r, struct carrier_event *e, const char *field,
                         const char *s) {
    int shaped = strlen(s) == 11;
    for (int i = 0; shaped && i < 11; i++)
        shaped = i < 4 ? isalpha((unsigned char)s[i]) : isdigit((unsigned char)s[i]);
    if (strlen(s) > DCSA_EQ_MAX)
        return bad(r, "%s: '%.40s' is %zu characters, over the DCSA limit of %d", field,
                   s, strlen(s), DCSA_EQ_MAX);
    if (!shaped) return add_ref(r, e, field, "equipment", s);
    if (!carrier_iso6346_valid(s))
        return bad(r,
                   "%s: '%s' fails the ISO 6346 check (owner code, U/J/Z/R category, "
                   "check digit)",
                   field, s);
    return add_ref(r, e, field, "container", s);
}

/* A document reference of DCSA type TYPE (BKG, TRD, ...) and VALUE.
 * BKG and CBR are bookings, TRD a transport document ("bl"); the other
 * document types (SHI, SRM, ARN, VGM...) are kept as "shipment".  0 or -1. */
static int add_document(struct dcsa_ev *r, struct carrier_event *e, const char *field,
                        const char *type, const char *value) {
    if (strcmp(type, "TRD") == 0) {
        if (strlen(value) > DCSA_TRD_MAX)
            return bad(r,
                       "%s: transportDocumentReference '%.40s' is over %d characters",
                       field, value, DCSA_TRD_MAX);
        return add_ref(r, e, field, "bl", value);
    }
    if (strcmp(type, "BKG") == 0 || strcmp(type, "CBR") == 0) {
        if (strlen(value) > DCSA_BKG_MAX)
            return bad(r, "%s: carrierBookingReference '%.40s' is over %d characters",
                       field, value, DCSA_BKG_MAX);
        return add_ref(r, e, field, "booking", value);
    }
    return add_ref(r, e, field, "shipment", value);
}

/* The status of a code found in TABLE (code or 3.0 word), or -1. */
static int code_status(const struct dcsa_code *table, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].code, s) == 0 || strcmp(table[i].word, s) == 0)
            return (int)table[i].st;
    return -1;
}

/* Normalise a code or its word to the 4-letter code (for the rules that
 * look at a particular code).  Borrowed. */
static const char *code_canon(const struct dcsa_code *table, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].code, s) == 0 || strcmp(table[i].word, s) == 0)
            return table[i].code;
    return s;
}

/* The transport call: where (UN/LOCODE, location), with what (mode,
 * vessel IMO) and which voyage.  TC is the object, WHERE its path.  Sets
 * *TC_LOC to its UN/LOCODE (borrowed) when it has one.  0 or -1. */
static int read_transport_call(struct dcsa_ev *r, json_t *tc, const char *where,
                               struct carrier_event *e, const char **tc_loc) {
    char f[120];
    const char *s;
    json_t *loc, *vessel;

    *tc_loc = NULL;
    snprintf(f, sizeof(f), "%s.modeOfTransport", where);
    if (str_of(r, json_object_get(tc, "modeOfTransport"), f, 16, &s)) return -1;
    if (!s && !r->v3) return bad(r, "%s: missing", f);
    if (s) {
        if (strcmp(s, "VESSEL") == 0)
            e->mode = CM_VESSEL;
        else if (strcmp(s, "BARGE") == 0)
            e->mode = CM_BARGE;
        else if (strcmp(s, "RAIL") == 0)
            e->mode = CM_RAIL;
        else if (strcmp(s, "TRUCK") == 0)
            e->mode = CM_TRUCK;
        else
            return bad(r, "%s: unknown value '%s' (VESSEL, RAIL, TRUCK, BARGE)", f, s);
    }

    snprintf(f, sizeof(f), "%s.UNLocationCode", where);
    if (str_of(r, json_object_get(tc, "UNLocationCode"), f, 16, &s)) return -1;
    if (s && check_unlocode(r, f, s)) return -1;
    *tc_loc = s;

    snprintf(f, sizeof(f), "%s.location", where);
    if (obj_of(r, json_object_get(tc, "location"), f, &loc)) return -1;
    if (loc) {
        char g[140];
        snprintf(g, sizeof(g), "%s.location.UNLocationCode", where);
        if (str_of(r, json_object_get(loc, "UNLocationCode"), g, 16, &s)) return -1;
        if (s && check_unlocode(r, g, s)) return -1;
        if (!*tc_loc) *tc_loc = s;
        if (read_coords(r, loc, f, e)) return -1;
    }

    /* The call's place in the voyage: with the voyage, it names the stop
     * when a port has several terminals (the server's event_trips.c). */
    {
        json_t *seq = json_object_get(tc, "transportCallSequenceNumber");
        if (seq && !json_is_null(seq)) {
            snprintf(f, sizeof(f), "%s.transportCallSequenceNumber", where);
            if (!json_is_integer(seq) || json_integer_value(seq) < 1 ||
                json_integer_value(seq) > 100000)
                return bad(r, "%s: not an integer in 1..100000", f);
            e->stop_sequence = (int32_t)json_integer_value(seq);
        }
    }

    /* Voyages: 2.2 names them directly, 3.0 wraps each in an
     * ...VoyageNumberOrReference object. */
    static const char *const voy22[] = {"exportVoyageNumber", "importVoyageNumber",
                                        "carrierVoyageNumber"};
    static const char *const voy30[] = {"exportVoyageNumberOrReference",
                                        "importVoyageNumberOrReference"};
    for (size_t i = 0; i < NELEM(voy22); i++) {
        snprintf(f, sizeof(f), "%s.%s", where, voy22[i]);
        if (str_of(r, json_object_get(tc, voy22[i]), f, DCSA_VOYAGE_MAX, &s)) return -1;
        if (s && add_ref(r, e, f, "voyage", s)) return -1;
    }
    for (size_t i = 0; i < NELEM(voy30); i++) {
        json_t *vo;
        snprintf(f, sizeof(f), "%s.%s", where, voy30[i]);
        if (obj_of(r, json_object_get(tc, voy30[i]), f, &vo)) return -1;
        if (!vo) continue;
        snprintf(f, sizeof(f), "%s.%s.carrierVoyageNumber", where, voy30[i]);
        if (str_of(r, json_object_get(vo, "carrierVoyageNumber"), f, DCSA_VOYAGE_MAX,
                   &s))
            return -1;
        if (s && add_ref(r, e, f, "voyage", s)) return -1;
    }

    const char *vkey =
        json_object_get(tc, "vesselTransport") ? "vesselTransport" : "vessel";
    snprintf(f, sizeof(f), "%s.%s", where, vkey);
    if (obj_of(r, json_object_get(tc, vkey), f, &vessel)) return -1;
    if (vessel) {
        snprintf(f, sizeof(f), "%s.%s.vesselIMONumber", where, vkey);
        if (str_of(r, json_object_get(vessel, "vesselIMONumber"), f, 16, &s)) return -1;
        if (!s && !r->v3) return bad(r, "%s: missing", f);
        if (s) {
            if (!imo_valid(s))
                return bad(r, "%s: '%s' is not 7 digits with a right IMO check digit",
                           f, s);
            if (add_ref(r, e, f, "vessel_imo", s)) return -1;
        }
    }
    return 0;
}

/* Times: eventDateTime (required), eventCreatedDateTime (required in
 * 2.2), eventUpdatedDateTime (3.0, checked when given), and what makes
 * them impossible. */
static int read_times(struct dcsa_ev *r, int64_t received, struct carrier_event *e) {
    char why[120];
    const char *s;
    int64_t created = 0;
    int has_created = 0;

    if (need_str(r, ev_get(r, "eventDateTime"), "eventDateTime", 64, &s)) return -1;
    if (time_parse_iso8601_off(s, &e->event_time, &e->event_offset_s, why, sizeof(why)))
        return bad(r, "eventDateTime: %s", why);
    /* Container track and trace began long after 2000; an earlier time is
     * a default or a typo (and 0 would read as "no time" downstream). */
    if (e->event_time < DCSA_EARLIEST)
        return bad(r, "eventDateTime: '%s' is before 2000", s);

    if (str_of(r, ev_get(r, "eventCreatedDateTime"), "eventCreatedDateTime", 64, &s))
        return -1;
    if (!s && !r->v3)
        return bad(r, "eventCreatedDateTime: missing (required in DCSA 2.2)");
    if (s) {
        if (time_parse_iso8601(s, &created, why, sizeof(why)))
            return bad(r, "eventCreatedDateTime: %s", why);
        has_created = 1;
        if (received > 0 && created > received + DCSA_SLACK_S)
            return bad(r, "eventCreatedDateTime: '%s' is after the time of receipt", s);
    }
    if (str_of(r, ev_get(r, "eventUpdatedDateTime"), "eventUpdatedDateTime", 64, &s))
        return -1;
    if (s) {
        int64_t upd;
        if (time_parse_iso8601(s, &upd, why, sizeof(why)))
            return bad(r, "eventUpdatedDateTime: %s", why);
    }
    if (e->classifier == CC_ACTUAL) {
        char t[32];
        time_format_iso8601(e->event_time, e->event_offset_s, t, sizeof(t));
        if (has_created && e->event_time > created + DCSA_SLACK_S)
            return bad(r,
                       "eventDateTime: the actual event at %s is later than its "
                       "eventCreatedDateTime",
                       t);
        if (received > 0 && e->event_time > received + DCSA_SLACK_S)
            return bad(r, "eventDateTime: the actual event at %s is in the future", t);
    }
    return 0;
}

/* eventID (and a 3.0 retraction) into E.  0 or -1. */
static int read_ids(struct dcsa_ev *r, struct carrier_event *e, const char **id) {
    const char *s;
    json_t *v;

    if (str_of(r, ev_get(r, "eventID"), "eventID", DCSA_ID_MAX, id)) return -1;
    if (*id && !r->v3 && !is_uuid(*id))
        return bad(r, "eventID: '%.40s' is not a UUID (required in DCSA 2.2)", *id);

    /* 3.0: isRetracted true resends event eventID to void it; the 3.0
     * beta instead sends a new event naming the voided one in
     * retractedEventID. */
    v = ev_get(r, "isRetracted");
    if (v && !json_is_boolean(v))
        return bad(r, "isRetracted: %s, not a boolean", json_kind(v));
    if (json_is_true(v)) {
        if (!*id) return bad(r, "isRetracted: true but eventID is missing");
        if (strlen(*id) > CARRIER_ID_LEN)
            return bad(r, "eventID: '%.40s...' is too long to retract (over %d)", *id,
                       CARRIER_ID_LEN);
        e->retracted = 1;
        memcpy(e->retracts, *id, strlen(*id) + 1);
    }
    if (str_of(r, ev_get(r, "retractedEventID"), "retractedEventID", DCSA_ID_MAX, &s))
        return -1;
    if (s) {
        if (strlen(s) > CARRIER_ID_LEN)
            return bad(r, "retractedEventID: '%.40s...' is over %d characters", s,
                       CARRIER_ID_LEN);
        e->retracted = 1;
        memcpy(e->retracts, s, strlen(s) + 1);
    }
    return 0;
}

/* A 3.0 document reference D ({typeCode, reference}) at path F into E;
 * *DOCTYPE gets its type when it has none yet.  0 or -1. */
static int read_docref(struct dcsa_ev *r, struct carrier_event *e, json_t *d,
                       const char *f, const char **doctype) {
    char ft[128], fv[128];
    const char *t, *s;
    snprintf(ft, sizeof(ft), "%s.typeCode", f);
    snprintf(fv, sizeof(fv), "%s.reference", f);
    if (need_str(r, json_object_get(d, "typeCode"), ft, 8, &t)) return -1;
    if (!in_list(document_types, NELEM(document_types), t))
        return bad(r, "%s: unknown value '%s'", ft, t);
    if (need_str(r, json_object_get(d, "reference"), fv, DCSA_REFVAL_MAX, &s) ||
        add_document(r, e, fv, t, s))
        return -1;
    if (!*doctype) *doctype = t;
    return 0;
}

/* Document references: 2.2 documentReferences[] and a shipment event's
 * documentID/documentTypeCode; 3.0 shipmentDetails.  0 or -1. */
static int read_documents(struct dcsa_ev *r, enum dcsa_type type,
                          struct carrier_event *e, const char **doctype) {
    char f[96];
    const char *t, *s;
    json_t *arr, *x, *sd;
    size_t i;

    *doctype = NULL;
    if (arr_of(r, ev_get(r, "documentReferences"), "documentReferences", &arr))
        return -1;
    json_array_foreach(arr, i, x) {
        snprintf(f, sizeof(f), "documentReferences[%zu]", i);
        if (!json_is_object(x)) return bad(r, "%s: %s, not an object", f, json_kind(x));
        snprintf(f, sizeof(f), "documentReferences[%zu].documentReferenceType", i);
        if (need_str(r, json_object_get(x, "documentReferenceType"), f, 8, &t))
            return -1;
        if (strcmp(t, "BKG") != 0 && strcmp(t, "TRD") != 0)
            return bad(r, "%s: unknown value '%s' (BKG, TRD)", f, t);
        snprintf(f, sizeof(f), "documentReferences[%zu].documentReferenceValue", i);
        if (need_str(r, json_object_get(x, "documentReferenceValue"), f,
                     DCSA_REFVAL_MAX, &s) ||
            add_document(r, e, f, t, s))
            return -1;
    }

    if (!r->v3 && type == DT_SHIPMENT) {
        if (need_str(r, ev_get(r, "documentTypeCode"), "documentTypeCode", 8, &t))
            return -1;
        if (!in_list(document_types, NELEM(document_types), t))
            return bad(r, "documentTypeCode: unknown value '%s'", t);
        if (need_str(r, ev_get(r, "documentID"), "documentID", DCSA_REFVAL_MAX, &s) ||
            add_document(r, e, "documentID", t, s))
            return -1;
        *doctype = t;
    }

    if (obj_of(r, ev_get(r, "shipmentDetails"), "shipmentDetails", &sd)) return -1;
    if (sd) {
        json_t *dr, *add;
        if (obj_of(r, json_object_get(sd, "documentReference"),
                   "shipmentDetails.documentReference", &dr) ||
            arr_of(r, json_object_get(sd, "additionalDocumentReferences"),
                   "shipmentDetails.additionalDocumentReferences", &add))
            return -1;
        if (dr && read_docref(r, e, dr, "shipmentDetails.documentReference", doctype))
            return -1;
        json_array_foreach(add, i, x) {
            snprintf(f, sizeof(f), "shipmentDetails.additionalDocumentReferences[%zu]",
                     i);
            if (!json_is_object(x))
                return bad(r, "%s: %s, not an object", f, json_kind(x));
            if (read_docref(r, e, x, f, doctype)) return -1;
        }
    }
    if (r->v3 && type == DT_SHIPMENT && !*doctype)
        return bad(r,
                   "shipmentDetails.documentReference: missing (a shipment event names "
                   "its document)");
    return 0;
}

/* references[] (FF, SI, PO, CR, AAO, EQ): only EQ says what the event is
 * about; the others are the customer's own and are checked, not kept. */
static int read_references(struct dcsa_ev *r, struct carrier_event *e) {
    char f[64], g[96];
    const char *t, *s;
    json_t *arr, *x;
    size_t i;

    if (arr_of(r, ev_get(r, "references"), "references", &arr)) return -1;
    json_array_foreach(arr, i, x) {
        snprintf(f, sizeof(f), "references[%zu]", i);
        if (!json_is_object(x)) return bad(r, "%s: %s, not an object", f, json_kind(x));
        snprintf(g, sizeof(g), "%s.referenceType", f);
        if (need_str(r, json_object_get(x, "referenceType"), g, 8, &t)) return -1;
        if (!in_list(reference_types, NELEM(reference_types), t))
            return bad(r, "%s: unknown value '%s' (FF, SI, PO, CR, AAO, EQ)", g, t);
        snprintf(g, sizeof(g), "%s.referenceValue", f);
        if (need_str(r, json_object_get(x, "referenceValue"), g, DCSA_REFVAL_MAX, &s))
            return -1;
        if (strcmp(t, "EQ") == 0 && add_equipment(r, e, g, s)) return -1;
    }
    return 0;
}

/* Read event R into E.  0, or -1 with the reason in r->why. */
static int read_event(struct dcsa_ev *r, int64_t received, struct carrier_event *e) {
    const struct dcsa_code *table;
    size_t ntable;
    const char *typ, *cls, *code, *id, *doctype, *tc_loc = NULL, *ev_loc = NULL, *s;
    const char *codekey, *fp = r->v3 ? "eventClassification." : "";
    enum dcsa_type type;
    json_t *src = r->v3 ? r->cls : NULL, *tc, *el, *td = NULL;
    char f[96];
    int st;

    memset(e, 0, sizeof(*e));
    e->stop_sequence = -1;
    e->pieces = -1;
    e->received = received;
    snprintf(e->source, sizeof(e->source), "%s", CARRIER_DCSA_SOURCE);

    /* What: type, classifier and the type's own code. */
    snprintf(f, sizeof(f), "%s%s", fp, r->v3 ? "eventTypeCode" : "eventType");
    if (!r->v3 && !ev_get(r, "eventType")) {
        /* Name what is there instead: events wrapped in an unknown
         * object ({"someEvents": [...]}) are a structure fault. */
        char keys[128] = "";
        const char *k;
        json_t *v;
        size_t used = 0;
        json_object_foreach(r->obj, k, v) {
            int w =
                snprintf(keys + used, sizeof(keys) - used, "%s%s", used ? ", " : "", k);
            if (w < 0 || (size_t)w >= sizeof(keys) - 6 - used) { /* room for ", ..." */
                memcpy(keys + used, ", ...", 6);
                break;
            }
            used += (size_t)w;
        }
        return bad(r, "eventType: missing (the object has: %s)",
                   keys[0] ? keys : "no members");
    }
    if (need_str(r,
                 src ? json_object_get(src, "eventTypeCode") : ev_get(r, "eventType"),
                 f, 16, &typ))
        return -1;
    if (strcmp(typ, "TRANSPORT") == 0) {
        type = DT_TRANSPORT;
        table = transport_codes;
        ntable = NELEM(transport_codes);
        codekey = "transportEventTypeCode";
    } else if (strcmp(typ, "EQUIPMENT") == 0) {
        type = DT_EQUIPMENT;
        table = equipment_codes;
        ntable = NELEM(equipment_codes);
        codekey = "equipmentEventTypeCode";
    } else if (strcmp(typ, "SHIPMENT") == 0) {
        type = DT_SHIPMENT;
        table = shipment_codes;
        ntable = NELEM(shipment_codes);
        codekey = "shipmentEventTypeCode";
    } else if (strcmp(typ, "IOT") == 0 || strcmp(typ, "REEFER") == 0) {
        return bad(r,
                   "%s: '%s' events are sensor readings, not shipment milestones; "
                   "the canonical event model has no status for them",
                   f, typ);
    } else {
        return bad(r, "%s: unknown value '%s' (TRANSPORT, EQUIPMENT, SHIPMENT)", f,
                   typ);
    }

    snprintf(f, sizeof(f), "%seventClassifierCode", fp);
    if (need_str(r,
                 src ? json_object_get(src, "eventClassifierCode")
                     : ev_get(r, "eventClassifierCode"),
                 f, 16, &cls))
        return -1;
    if (strcmp(cls, "ACT") == 0 || strcmp(cls, "ACTUAL") == 0)
        e->classifier = CC_ACTUAL;
    else if (strcmp(cls, "EST") == 0 || strcmp(cls, "ESTIMATED") == 0)
        e->classifier = CC_ESTIMATED;
    else if (strcmp(cls, "PLN") == 0 || strcmp(cls, "PLANNED") == 0)
        e->classifier = CC_PLANNED;
    else
        return bad(r, "%s: unknown value '%s' (PLN, EST, ACT)", f, cls);

    snprintf(f, sizeof(f), "%s%s", fp, codekey);
    if (need_str(r, src ? json_object_get(src, codekey) : ev_get(r, codekey), f,
                 CARRIER_CODE_LEN, &code))
        return -1;
    if ((st = code_status(table, ntable, code)) < 0)
        return bad(r, "%s: unknown %s code '%s'", f, typ, code);
    e->status = (enum carrier_status)st;
    memcpy(e->code, code, strlen(code) + 1);

    if (read_times(r, received, e) || read_ids(r, e, &id)) return -1;

    /* Where and with what. */
    if (r->v3) {
        if (obj_of(r, ev_get(r, "transportDetails"), "transportDetails", &td))
            return -1;
        if (obj_of(r, json_object_get(td, "transportCall"),
                   "transportDetails.transportCall", &tc))
            return -1;
    } else if (obj_of(r, ev_get(r, "transportCall"), "transportCall", &tc)) {
        return -1;
    }
    if (!tc && type == DT_TRANSPORT && !r->v3)
        return bad(r, "transportCall: missing (required for a TRANSPORT event)");
    if (tc && read_transport_call(
                  r, tc, r->v3 ? "transportDetails.transportCall" : "transportCall", e,
                  &tc_loc))
        return -1;

    if (obj_of(r, ev_get(r, "eventLocation"), "eventLocation", &el)) return -1;
    if (el) {
        if (str_of(r, json_object_get(el, "UNLocationCode"),
                   "eventLocation.UNLocationCode", 16, &ev_loc))
            return -1;
        if (ev_loc && check_unlocode(r, "eventLocation.UNLocationCode", ev_loc))
            return -1;
        if (read_coords(r, el, "eventLocation", e)) return -1;
    }
    /* eventLocation is where the event happened; the transport call's
     * place stands in when it is not given. */
    if (ev_loc || tc_loc) {
        snprintf(e->location, sizeof(e->location), "%s", ev_loc ? ev_loc : tc_loc);
        snprintf(e->loc_kind, sizeof(e->loc_kind), "unlocode");
    }

    /* What it is about. */
    if (r->v3) {
        json_t *ed;
        if (obj_of(r, ev_get(r, "equipmentDetails"), "equipmentDetails", &ed))
            return -1;
        if (str_of(r, json_object_get(ed, "equipmentReference"),
                   "equipmentDetails.equipmentReference", 64, &s))
            return -1;
        if (s && add_equipment(r, e, "equipmentDetails.equipmentReference", s))
            return -1;
    }
    if (str_of(r, ev_get(r, "equipmentReference"), "equipmentReference", 64, &s))
        return -1;
    if (s && add_equipment(r, e, "equipmentReference", s)) return -1;
    if (type == DT_EQUIPMENT && !r->v3) {
        if (need_str(r, ev_get(r, "emptyIndicatorCode"), "emptyIndicatorCode", 8, &s))
            return -1;
        if (strcmp(s, "EMPTY") != 0 && strcmp(s, "LADEN") != 0)
            return bad(r, "emptyIndicatorCode: unknown value '%s' (EMPTY, LADEN)", s);
    }
    if (read_documents(r, type, e, &doctype) || read_references(r, e)) return -1;

    /* Shipment codes whose meaning depends on the document. */
    if (type == DT_SHIPMENT && doctype) {
        const char *c = code_canon(table, ntable, code);
        int booking = strcmp(doctype, "BKG") == 0 || strcmp(doctype, "CBR") == 0;
        int customs = strcmp(doctype, "CUS") == 0;
        if (strcmp(c, "VOID") == 0 && booking) e->status = CS_CANCELLED;
        if (strcmp(c, "HOLD") == 0 && customs) e->status = CS_CUSTOMS_HOLD;
        if (strcmp(c, "RELS") == 0 && customs) e->status = CS_CUSTOMS_RELEASED;
    }

    /* The id: DCSA's own, else the hash.  A 3.0 retraction resends the
     * voided event's id; ":retracted" keeps it from deduplicating away. */
    r->own_id = 0;
    if (id && strlen(id) <= CARRIER_ID_LEN) {
        if (!(e->retracted && strcmp(id, e->retracts) == 0)) {
            memcpy(e->event_id, id, strlen(id) + 1);
            r->own_id = 1;
        } else if (strlen(id) + 10 <= CARRIER_ID_LEN) {
            snprintf(e->event_id, sizeof(e->event_id), "%s:retracted", id);
            r->own_id = 1;
        }
    }
    if (!r->own_id) carrier_event_hash_id(e);
    return 0;
}

/* ---- the body ---- */

/* Depth of the deepest [ or { nesting in BODY (strings skipped), stopping
 * early past LIMIT; *AT is the byte where LIMIT was passed. */
static int json_depth(const char *body, size_t len, int limit, size_t *at) {
    int depth = 0, max = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max) max = depth;
            if (depth > limit) {
                *at = i;
                return depth;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return max;
}

/* A small open-addressing set of the source eventIDs seen in this body,
 * so a repeated one is refused: SLOT holds an index into EV plus one. */
struct id_set {
    size_t *slot, cap;
};

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The index in EV of an event already in SET with id ID, or -1; when
 * absent and ADD >= 0, ADD goes in.  N is the most SET will ever hold. */
static long id_set_find(struct id_set *set, const struct carrier_event *ev,
                        const char *id, long add) {
    size_t i;
    if (!set->slot) return -1;
    for (i = fnv1a(id) & (set->cap - 1); set->slot[i]; i = (i + 1) & (set->cap - 1))
        if (strcmp(ev[set->slot[i] - 1].event_id, id) == 0)
            return (long)set->slot[i] - 1;
    if (add >= 0) set->slot[i] = (size_t)add + 1;
    return -1;
}

int carrier_dcsa_parse(const char *body, size_t len, int64_t received,
                       struct carrier_batch *out, char *err, size_t errlen) {
    json_error_t jerr;
    json_t *root, *list, *one = NULL;
    const char *prefix;
    size_t n, at = 0;
    const char *nul;
    struct id_set ids = {NULL, 0};

    if (!body && len) {
        snprintf(err, errlen, "body: NULL");
        return -1;
    }
    if (len > CARRIER_DCSA_MAX_BODY) {
        snprintf(err, errlen, "body: %zu bytes, over the %u byte limit", len,
                 CARRIER_DCSA_MAX_BODY);
        return -1;
    }
    if (len && (nul = memchr(body, '\0', len))) {
        snprintf(err, errlen, "JSON at byte %zu: a NUL byte", (size_t)(nul - body));
        return -1;
    }
    if (json_depth(body ? body : "", len, CARRIER_DCSA_MAX_DEPTH, &at) >
        CARRIER_DCSA_MAX_DEPTH) {
        snprintf(err, errlen, "JSON at byte %zu: nested deeper than %d levels", at,
                 CARRIER_DCSA_MAX_DEPTH);
        return -1;
    }
    root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "JSON at byte %d (line %d, column %d): %s", jerr.position,
                 jerr.line, jerr.column, jerr.text);
        return -1;
    }

    /* An array of events, {"events": [...]}, or one event. */
    if (json_is_array(root)) {
        list = root;
        prefix = "$";
    } else if (json_is_object(root) && json_is_array(json_object_get(root, "events"))) {
        list = json_object_get(root, "events");
        prefix = "$.events";
    } else if (json_is_object(root) && (json_object_get(root, "eventType") ||
                                        json_object_get(root, "eventID") ||
                                        json_object_get(root, "eventClassification") ||
                                        json_object_get(root, "eventDateTime") ||
                                        json_object_get(root, "metadata"))) {
        one = root;
        list = NULL;
        prefix = "$";
    } else {
        snprintf(err, errlen,
                 "JSON top level: %s with neither an event's fields nor an "
                 "\"events\" array; DCSA events come as an array, one event "
                 "object or {\"events\": [...]}",
                 json_kind(root));
        json_decref(root);
        return -1;
    }
    n = one ? 1 : json_array_size(list);
    if (n > CARRIER_MAX_EVENTS) {
        snprintf(err, errlen, "JSON top level: %zu events, over the %d per body limit",
                 n, CARRIER_MAX_EVENTS);
        json_decref(root);
        return -1;
    }
    if (n) {
        ids.cap = 16;
        while (ids.cap < 2 * n)
            ids.cap *= 2;
        ids.slot = calloc(ids.cap, sizeof(*ids.slot)); /* NULL: duplicates go unseen */
    }
    out->total += n;

    for (size_t i = 0; i < n; i++) {
        json_t *x = one ? one : json_array_get(list, i);
        char path[48];
        struct dcsa_ev r;
        struct carrier_event e, *slot;

        if (one)
            snprintf(path, sizeof(path), "$");
        else
            snprintf(path, sizeof(path), "%s[%zu]", prefix, i);
        memset(&r, 0, sizeof(r));
        if (!json_is_object(x)) {
            carrier_batch_reject(out, i, "%s: %s, not an event object", path,
                                 json_kind(x));
            continue;
        }
        r.obj = x;
        r.meta = json_is_object(json_object_get(x, "metadata"))
                     ? json_object_get(x, "metadata")
                     : NULL;
        r.payload = json_is_object(json_object_get(x, "payload"))
                        ? json_object_get(x, "payload")
                        : NULL;
        r.cls = json_object_get(x, "eventClassification");
        r.v3 = r.cls != NULL;
        if (r.v3 && !json_is_object(r.cls)) {
            carrier_batch_reject(out, i, "%s.eventClassification: %s, not an object",
                                 path, json_kind(r.cls));
            continue;
        }
        if (read_event(&r, received, &e) != 0) {
            carrier_batch_reject(out, i, "%s.%s", path, r.why);
            continue;
        }
        if (r.own_id) {
            long dup = id_set_find(&ids, out->ev, e.event_id, -1);
            if (dup >= 0) {
                carrier_batch_reject(out, i,
                                     "%s.eventID: '%s' repeats an earlier event in "
                                     "this body",
                                     path, e.event_id);
                continue;
            }
        }
        if (!(slot = carrier_batch_add(out))) {
            carrier_batch_reject(out, i,
                                 "%s: not stored (out of memory or over %d events)",
                                 path, CARRIER_MAX_EVENTS);
            continue;
        }
        *slot = e;
        if (r.own_id) id_set_find(&ids, out->ev, e.event_id, (long)(out->n - 1));
    }
    free(ids.slot);
    json_decref(root);
    return 0;
}

/* ---- subscription callbacks ---- */

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int carrier_dcsa_signature_ok(const char *body, size_t len, const char *secret,
                              size_t secretlen, const char *header) {
    unsigned char want[32], got[EVP_MAX_MD_SIZE];
    unsigned int gotlen = 0;
    const char *p, *end;

    if (!header || !secret || secretlen == 0 || (!body && len)) return 0;
    p = header;
    while (*p == ' ' || *p == '\t')
        p++;
    end = p + strlen(p);
    while (end > p &&
           (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    if (end - p != 7 + 64 || strncasecmp(p, "sha256=", 7) != 0) return 0;
    p += 7;
    for (int i = 0; i < 32; i++) {
        int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
        if (hi < 0 || lo < 0) return 0;
        want[i] = (unsigned char)(hi << 4 | lo);
    }
    if (secretlen > (size_t)INT32_MAX) return 0;
    if (!HMAC(EVP_sha256(), secret, (int)secretlen,
              (const unsigned char *)(body ? body : ""), len, got, &gotlen) ||
        gotlen != 32)
        return 0;
    return CRYPTO_memcmp(want, got, 32) == 0;
}
