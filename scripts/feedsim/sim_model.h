/* sim_model.h -- the pure parts of the carrier feed simulator
 * (bin/dongting-feedsim, docs/feed-simulator.md): seeded hashing, the
 * identifier generators (ISO 6346 containers, IATA air waybills, IMO
 * numbers), the delay model and the malformed-message draw, and the
 * Cargo-IMP date.  No I/O, no timetable: unit-tested alone
 * (test/unit/scripts/test_feedsim.c). */
#ifndef DT_SIM_MODEL_H
#define DT_SIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* ---- deterministic draws ---- */

/* A 64-bit hash of SEED and three values (splitmix64 rounds): every draw
 * the simulator makes is one of these, so the same seed gives the same
 * world whatever order the requests come in. */
uint64_t sim_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* FNV-1a of the string S, to key draws by a trip_id or a code. */
uint64_t sim_hash_str(const char *s);

/* H mapped to [0, 1). */
double sim_unit(uint64_t h);

/* ---- identifiers (DOMAIN.md "Identifiers") ---- */

/* ISO 6346 check digit of the first ten characters of S (owner code,
 * category, six serial digits), 0..9, or -1 when they are not shaped so. */
int sim_iso6346_check(const char *s);

/* OUT (12+ bytes) = OWNER (three capital letters and the category letter
 * U, J, Z or R) + SERIAL (0..999999, zero-padded) + the check digit.  0, or
 * -1 when OWNER or SERIAL is out of shape or OUT too small. */
int sim_iso6346_make(const char *owner, uint32_t serial, char *out, size_t outlen);

/* OUT (13+ bytes) = "PPP-SSSSSSSC": PREFIX (0..999), SERIAL7 (0..9999999)
 * and C = SERIAL7 mod 7.  0, or -1 when out of range or OUT too small. */
int sim_awb_make(unsigned prefix, uint32_t serial7, char *out, size_t outlen);

/* OUT (8+ bytes) = an IMO ship number: SIX (100000..999999) and its check
 * digit (the six digits weighted 7..2, sum mod 10).  0 or -1. */
int sim_imo_make(uint32_t six, char *out, size_t outlen);

/* 1 when S is seven digits whose last is the IMO check digit. */
int sim_imo_valid(const char *s);

/* ---- the delay model ---- */

#define SIM_DELAY_MIN_S (1 * 3600)
#define SIM_DELAY_MAX_S (12 * 3600)

/* A run's delay: it appears at stop STOP (at its arrival; at the departure
 * when STOP is 0) and carries forward unchanged to the last stop.  SECONDS
 * is 0 for a run on time (STOP is then -1). */
struct sim_delay {
    int32_t stop;
    int32_t seconds;
};

/* Draw the delay of the run keyed RUNKEY over NSTOPS stops: with
 * probability PROB (0..1) a delay of 1 to 12 hours (whole minutes) at one
 * stop, else none.  Deterministic in (SEED, RUNKEY). */
void sim_delay_pick(uint64_t seed, uint64_t runkey, double prob, uint32_t nstops,
                    struct sim_delay *d);

/* The estimated times of a run: PARR/PDEP are the N planned arrival and
 * departure times (any unit, e.g. Unix seconds), EARR/EDEP (N each, the
 * caller's) get the times with D applied.  Times never run backwards: each
 * estimated arrival is at least the previous estimated departure and each
 * departure at least its arrival, and no time is earlier than planned. */
void sim_delay_apply(const int64_t *parr, const int64_t *pdep, uint32_t n,
                     const struct sim_delay *d, int64_t *earr, int64_t *edep);

/* ---- malformed messages ---- */

/* The kinds of defect a malformed copy of an event carries. */
enum sim_bad {
    SIM_BAD_NONE = 0,
    SIM_BAD_CONTAINER,   /* a container number with a wrong check digit */
    SIM_BAD_NO_OFFSET,   /* a date-time without an offset */
    SIM_BAD_CODE,        /* an unknown event code */
    SIM_BAD_AWB,         /* an air waybill with a wrong check digit */
    SIM_BAD_TRUNCATED,   /* a line cut short */
    SIM_BAD_COUNT
};

/* Whether the event keyed EVKEY gets a malformed copy (probability RATE),
 * and which defect: one of the NALLOWED kinds in ALLOWED.  SIM_BAD_NONE
 * when not, or when NALLOWED is 0. */
enum sim_bad sim_bad_pick(uint64_t seed, uint64_t evkey, double rate,
                          const enum sim_bad *allowed, size_t nallowed);

/* Copy the container number GOOD (11 characters) to OUT with its check
 * digit replaced by a wrong one.  0 or -1. */
int sim_iso6346_corrupt(const char *good, char *out, size_t outlen);

/* Copy the air waybill GOOD ("PPP-SSSSSSSC") to OUT with a wrong check
 * digit.  0 or -1. */
int sim_awb_corrupt(const char *good, char *out, size_t outlen);

/* ---- Cargo-IMP ---- */

/* OUT (10+ bytes) = the UTC day, month and time of UTC as "27NOV1720"
 * (Cargo-IMP's DDMMMhhmm); "DDMMM" only when WITH_TIME is 0. */
void sim_fsu_date(int64_t utc, int with_time, char *out, size_t outlen);

/* ---- waybill parties (GET /sim/waybills) ---- */

/* A made-up shipper or consignee: personal data, plausible in shape. */
struct sim_party {
    char name[96];     /* UTF-8: 2..4 CJK characters, or Latin words */
    char phone[32];    /* "+86 138 0013 8000": digits, spaces and '+' */
    char address[160]; /* UTF-8, one line (commas, no newlines) */
};

/* Draw a party from H in COUNTRY (ISO 3166 alpha-2; "" or NULL when not
 * known): a company when COMPANY is 1, else a person.  CN, HK, TW and MO
 * get Chinese names and addresses, other countries Latin ones with that
 * country's phone prefix and a city of it when the table knows one (a
 * generic port address otherwise).  Deterministic in (H, COUNTRY,
 * COMPANY); every field fits the POST /v1/waybills party rules
 * (docs/waybills.md: name 1..100 characters and <= 127 bytes, phone 5..20
 * digits, address <= 200 bytes without control characters). */
void sim_party_make(uint64_t h, const char *country, int company, struct sim_party *p);

/* ---- connecting waybills (GET /sim/waybills) ---- */

/* Whether a booked connection holds on the plan and breaks once the delay
 * is known: the cargo reaches the change at PLANNED_ARR (planned) or
 * DELAYED_ARR (with the delay), the next ride departs at DEP2, and the
 * handling time needed in between is H_MIN..H_MAX seconds (a range when
 * the mode is not certain, e.g. water that may be river or sea: the rule
 * must hold for every value the server may use).  1 when
 * PLANNED_ARR + H_MAX <= DEP2 < DELAYED_ARR + H_MIN, else 0. */
int sim_conn_breaks(int64_t planned_arr, int64_t delayed_arr, int32_t h_min, int32_t h_max,
                    int64_t dep2);

#endif
