/* event.h -- the canonical carrier event every feed format is turned into
 * (docs/carrier-events.md), the batch a parser fills, and the identifier
 * checks the parsers share (ISO 6346 containers, IATA air waybills,
 * UN/LOCODEs, IATA airport codes).
 *
 * A parser (carriers/dcsa.c, cargo_imp.c, one_record.c, gtfs_rt.c,
 * rail_events.c) takes the raw bytes of one body and appends one
 * carrier_event per accepted event and one carrier_reject per refused one
 * to a carrier_batch; one bad event never stops the others.  No libevent,
 * no Redis: the server stores what the batch holds. */
#ifndef DT_CARRIER_EVENT_H
#define DT_CARRIER_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The normalised status set (docs/carrier-events.md has the mapping from
 * every source code). */
enum carrier_status {
    CS_BOOKED = 0,       /* booking confirmed */
    CS_DOCUMENTED,       /* a transport document drafted, issued, surrendered... */
    CS_RECEIVED,         /* cargo received by the carrier (RCS, DCSA RECE/PICK) */
    CS_GATE_IN,
    CS_LOADED,           /* loaded on the vessel, train, aircraft, truck */
    CS_DEPARTED,
    CS_ARRIVED,
    CS_DISCHARGED,       /* unloaded from the means of transport */
    CS_TRANSSHIPPED,     /* moved between means of transport, gauge change too */
    CS_BORDER_CROSSED,
    CS_CUSTOMS_HOLD,
    CS_CUSTOMS_RELEASED,
    CS_GATE_OUT,
    CS_OUT_FOR_DELIVERY,
    CS_DELIVERED,
    CS_CANCELLED,        /* a booking or a trip cancelled */
    CS_EXCEPTION,        /* a discrepancy, a skipped stop, anything else wrong */
    CS_COUNT
};

/* PLN, EST, ACT (DCSA eventClassifierCode). */
enum carrier_classifier { CC_PLANNED = 0, CC_ESTIMATED, CC_ACTUAL };

enum carrier_mode {
    CM_UNKNOWN = 0, CM_VESSEL, CM_BARGE, CM_RAIL, CM_AIR, CM_TRUCK
};

/* A subject reference: what the event is about.  KIND is one of
 * "bl" (bill of lading / DCSA transport document), "booking",
 * "awb" (NNN-NNNNNNNN, check digit verified), "hawb", "cim_smgs",
 * "container" (ISO 6346, check digit verified), "equipment" (other
 * equipment references), "trip" (a GTFS trip_id), "route" and
 * "start_time" (a GTFS-RT trip given without its trip_id), "voyage",
 * "flight" ("CA1234"), "train", "vessel_imo", "wagon", "shipment" (a
 * carrier's own shipment id). */
#define CARRIER_REF_KIND 12
#define CARRIER_REF_VALUE 64
#define CARRIER_MAX_REFS 12
struct carrier_ref {
    char kind[CARRIER_REF_KIND];
    char value[CARRIER_REF_VALUE];
};

#define CARRIER_ID_LEN 80
#define CARRIER_CODE_LEN 24
#define CARRIER_LOC_LEN 24

struct carrier_event {
    /* The source's own id, else "h-" and 32 hex digits of SHA-256 over
     * source, subject, code, classifier, time and location
     * (carrier_event_hash_id). */
    char event_id[CARRIER_ID_LEN + 1];
    char source[24];                  /* the format: "dcsa-tnt", "iata-cargo-imp",
                                       * "one-record", "gtfs-rt", "rail-events" */
    enum carrier_status status;
    char code[CARRIER_CODE_LEN + 1];  /* the original code: "DEPA", "DEPARTED",
                                       * "DEP", "LOAD", "GAUGE_CHANGE" ... */
    enum carrier_classifier classifier;
    enum carrier_mode mode;

    struct carrier_ref refs[CARRIER_MAX_REFS];
    int nrefs;

    /* Where: a UN/LOCODE ("CNYYA"), an IATA airport code ("CSX"), a station
     * or GTFS stop id; LOC_KIND says which: "unlocode", "iata", "station",
     * "stop", or "" when the event has no place. */
    char location[CARRIER_LOC_LEN + 1];
    char loc_kind[12];
    int has_coords;
    double lat, lon;

    int64_t event_time;   /* Unix seconds; 0 only for GTFS-RT events that
                           * carry no time (delay-only, SKIPPED, CANCELED,
                           * TRIP_DELAY): the server places them at the
                           * scheduled time they concern */
    int event_offset_s;   /* the offset the source wrote the time in */
    int64_t received;     /* Unix seconds the body was received */

    /* GTFS-RT detail: the stop of a stop time update, its sequence
     * (-1 when not given), the trip's start date YYYYMMDD ("" if not
     * given) and a delay in seconds when the source gave one. */
    char stop_id[64];
    int32_t stop_sequence;
    char start_date[9];
    int has_delay;
    int32_t delay_s;

    /* Weight and pieces the carrier reported (FSU, DCSA), for customs. */
    int has_weight;
    double weight_kg;
    int32_t pieces;       /* -1 when not given */

    /* The source voided an earlier event: RETRACTS holds its event_id. */
    int retracted;
    char retracts[CARRIER_ID_LEN + 1];

    /* Its place among the body's events, for a reject found later (set by
     * carrier_batch_add: events accepted plus refused before it). */
    size_t index;
};

/* One refused event: its index in the body (0-based; for text formats the
 * message's ordinal) and why, naming the field and value. */
struct carrier_reject {
    size_t index;
    char reason[256];
};

#define CARRIER_MAX_EVENTS 100000 /* per body: more is refused, not truncated */

struct carrier_batch {
    struct carrier_event *ev;
    size_t n, cap;
    struct carrier_reject *rej;
    size_t nrej, caprej;
    size_t total;   /* events seen in the body: n + nrej when all is counted */
};

/* ---- the batch ---- */

void carrier_batch_init(struct carrier_batch *b);
void carrier_batch_free(struct carrier_batch *b);

/* A new zeroed event at the end of B (stop_sequence and pieces -1), or
 * NULL when out of memory or at CARRIER_MAX_EVENTS. */
struct carrier_event *carrier_batch_add(struct carrier_batch *b);

/* Remove the last event added (a parser that finds it bad after all). */
void carrier_batch_drop_last(struct carrier_batch *b);

/* Record event INDEX as refused, REASON printf-style.  0 or -1 (memory). */
int carrier_batch_reject(struct carrier_batch *b, size_t index, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- one event ---- */

/* Add a reference.  0, or -1 when VALUE is empty, too long or the event
 * has CARRIER_MAX_REFS already. */
int carrier_event_add_ref(struct carrier_event *e, const char *kind, const char *value);

/* The first reference of KIND, or NULL. */
const char *carrier_event_ref(const struct carrier_event *e, const char *kind);

/* Fill e->event_id with "h-" + 32 hex digits of SHA-256 over the source,
 * the references, code, classifier, time and location: stable for the same
 * report, whoever sends it and however often. */
void carrier_event_hash_id(struct carrier_event *e);

/* The canonical JSON of E (docs/carrier-events.md), a new reference, or
 * NULL when out of memory. */
json_t *carrier_event_to_json(const struct carrier_event *e);

/* Parse the canonical JSON back (what the server stored).  0, or -1 with
 * the reason in WHY. */
int carrier_event_from_json(json_t *j, struct carrier_event *e, char *why, size_t whylen);

/* Names: "DEPARTED", "EST", "VESSEL"... and back (-1 when unknown). */
const char *carrier_status_name(enum carrier_status s);
const char *carrier_classifier_name(enum carrier_classifier c);
const char *carrier_mode_name(enum carrier_mode m);
int carrier_status_parse(const char *name);
int carrier_classifier_parse(const char *name);
int carrier_mode_parse(const char *name);

/* ---- identifiers (DOMAIN.md "Identifiers") ---- */

/* 1 when S is an ISO 6346 container number with a correct check digit. */
int carrier_iso6346_valid(const char *s);

/* 1 when S is an air waybill "NNN-NNNNNNNN" (or 11 digits without the
 * dash) whose last digit is the first seven serial digits mod 7.  OUT
 * (12+ bytes), when not NULL, gets the dashed form. */
int carrier_awb_valid(const char *s, char *out, size_t outlen);

/* 1 when S is shaped as a UN/LOCODE: two letters, three of A-Z and 2-9. */
int carrier_unlocode_valid(const char *s);

/* 1 when S is three capital letters (an IATA location code). */
int carrier_iata_valid(const char *s);

#endif
