/* waybill.h -- the waybill record and its pure parts: the POST and PATCH
 * bodies validated into a struct waybill (422 naming the JSON path), the
 * stored document (JSON, with the personal data), and the masking of
 * personal data for public views.  No HTTP, no Redis, no timetable: the
 * server resolves booked legs against the timetable (waybills.c) and
 * stores the document (store_waybills.c).  Fuzzed: fuzz_waybill.
 *
 * Types (docs/waybills.md):
 *   bl, hbl     sea bill of lading (master, house): 4..35 of [A-Z0-9]
 *   awb, hawb   air waybill: awb is NNN-NNNNNNNN with the check digit
 *               verified (carrier_awb_valid, 11 digits also accepted and
 *               written back with the dash); hawb 1..35 of [A-Z0-9-]
 *   cim_smgs    China-Europe rail consignment note: 4..35 of [A-Z0-9-]
 *   cbec        customs cross-border e-commerce logisticsNo: 4..60 of
 *               [A-Za-z0-9-_] */
#ifndef DT_WAYBILL_H
#define DT_WAYBILL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define WB_NUMBER_LEN 64          /* buffer: numbers are at most 60 */
#define WB_CODE_LEN 24            /* node / stop codes */
#define WB_MAX_CONTAINERS 64
#define WB_MAX_HS 32
#define WB_MAX_LEGS 8             /* RT_MC_MAX_LEGS */

enum wb_type { WB_BL = 0, WB_HBL, WB_AWB, WB_HAWB, WB_CIM_SMGS, WB_CBEC, WB_TYPE_COUNT };

/* Personal data: never logged, masked in public views. */
struct wb_party {
    char name[404];      /* 1..100 characters (UTF-8), required */
    char phone[32];      /* optional: digits, spaces, '+', '-', '(', ')'; 5..20 digits */
    char address[256];   /* optional, at most 200 bytes */
    char account[64];    /* consignee only, optional: the tenant of a
                          * consignee API key that may see this waybill in
                          * full ([A-Za-z0-9._-], 1..63) */
};

struct wb_cargo {
    int pieces;                 /* >= 1 */
    double weight_kg;           /* > 0, <= 1e7 */
    double volume_m3;           /* >= 0 (0: not given) */
    double teu;                 /* >= 0 (0: not given) */
    char hs[WB_MAX_HS][12];     /* HS codes: 6, 8 or 10 digits */
    int nhs;
};

/* A booked leg as the waybill keeps it.  A ride has a trip and the run's
 * canonical id (trips_run_id: "TRIP:YYYY-MM-DD"); a truck leg between
 * terminals (a footpath of the router) has mode "road" and empty trip
 * and run. */
struct wb_leg {
    char mode[8];               /* sea, river, rail, air, road */
    char carrier[128];
    char trip_id[64];
    char run_id[128];
    char from[WB_CODE_LEN], to[WB_CODE_LEN];   /* stop codes */
    int64_t sched_dep, sched_arr;              /* Unix seconds */
};

struct waybill {
    char number[WB_NUMBER_LEN];
    enum wb_type type;
    char master[WB_NUMBER_LEN]; /* hbl/hawb: the master's number, optional */
    char tenant[64];            /* the forwarder that created it */
    struct wb_party shipper, consignee;
    char origin[WB_CODE_LEN], destination[WB_CODE_LEN];  /* node codes */
    struct wb_cargo cargo;
    char containers[WB_MAX_CONTAINERS][12];   /* ISO 6346, check digit verified */
    int ncontainers;
    int64_t departure;          /* earliest departure (cargo ready), Unix s */
    char book[12];              /* "fastest", "cheapest", "greenest" or
                                 * "itinerary": how the legs were chosen */
    struct wb_leg legs[WB_MAX_LEGS];
    int nlegs;
    int64_t created, updated;   /* Unix seconds */
    int version;                /* 1 at creation, +1 per PATCH */
};

/* What went wrong: FIELD is the JSON path ("consignee.phone",
 * "containers[2]", "itinerary.legs[1].trip_id"), REASON says why and
 * quotes the value (at most 40 bytes of it). */
struct wb_error {
    char field[64];
    char reason[200];
};

/* Fill E (FIELD is the JSON path, REASON from FMT) and return -1: how
 * every refusal here and in the server's booking (waybills.c) is written. */
int waybill_error(struct wb_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* How the legs are to be chosen. */
enum wb_book { WB_BOOK_NONE = 0, WB_BOOK_ITINERARY, WB_BOOK_FASTEST, WB_BOOK_CHEAPEST,
               WB_BOOK_GREENEST, WB_BOOK_PROPOSAL };

struct wb_booking {
    enum wb_book kind;
    const json_t *itinerary;    /* WB_BOOK_ITINERARY: borrowed from the body */
    int proposal;               /* WB_BOOK_PROPOSAL (PATCH only): index */
};

/* Does node CODE exist?  1 or 0. */
typedef int wb_node_ok_fn(const char *code, void *arg);

/* Validate a POST /v1/waybills body into W (zeroed first; tenant, legs,
 * created, updated, version are left for the caller) and B: exactly one
 * of "itinerary" (an object with a "legs" array, as /v1/routes answers
 * it) and "book".  NODE_OK (may be NULL: any well-formed code) checks
 * origin and destination.  0, or -1 with E filled. */
int waybill_parse(const json_t *body, struct waybill *w, struct wb_booking *b,
                  wb_node_ok_fn *node_ok, void *arg, struct wb_error *e);

/* Validate a PATCH body against W and apply it to W in place: any of
 * "shipper", "consignee" (whole objects, replacing), "cargo" (whole),
 * "containers", "destination", and at most one of "itinerary", "book",
 * "accept_proposal" (an index) into B (B->kind WB_BOOK_NONE when none).
 * "number", "type" and "tenant" cannot change (422).  CHANGED gets the
 * names of the top-level fields that changed, comma separated ("" when
 * nothing did).  On -1 W is unchanged and E filled. */
int waybill_patch(const json_t *body, struct waybill *w, struct wb_booking *b,
                  wb_node_ok_fn *node_ok, void *arg, char *changed, size_t changedlen,
                  struct wb_error *e);

/* The stored document of W: every field, personal data included (a new
 * object, NULL when out of memory).  waybill_from_doc reads it back: 0,
 * or -1 with WHY (a document this code did not write). */
json_t *waybill_doc(const struct waybill *w);
int waybill_from_doc(const json_t *doc, struct waybill *w, char *why, size_t whylen);

/* The legs alone as JSON (an array), as they appear in the document. */
json_t *waybill_legs_json(const struct waybill *w);

/* Type name <-> enum ("bl" ...); -1 when unknown. */
const char *waybill_type_name(enum wb_type t);
int waybill_type_parse(const char *s);

/* Masking for public views (each writes a NUL-terminated string into OUT):
 *   name:  the first character (UTF-8 aware) then one '*' per further
 *          character, spaces kept: "张三丰" -> "张**", "Li Wei" -> "L* ***";
 *   phone: '*' for every digit but the last four, other characters
 *          dropped: "+86 138-0013-8000" -> "*********8000";
 *   address: "" (addresses never appear in public views). */
void waybill_mask_name(const char *name, char *out, size_t outlen);
void waybill_mask_phone(const char *phone, char *out, size_t outlen);

/* A party as JSON: in full, or masked (name and phone masked, no address,
 * no account). */
json_t *waybill_party_json(const struct wb_party *p, int masked);

#endif
