/* customs_match.h -- document matching (三单 / 四单对碰) of one consignment's
 * China customs cross-border e-commerce declarations: the order, the
 * payment (import) or receipt (export), the waybill and the inventory, as
 * canonical blocks from carriers/ceb.c.
 *
 * Pure: no Redis, no libevent, no clock.  The engine groups the linked
 * documents, sums the buyer's other orders of the year, and calls
 * cm_match with the time; the result is a JSON object it stores and
 * serves.  docs/customs-matching.md lists every rule, its documents,
 * fields and tolerances. */
#ifndef DT_CUSTOMS_MATCH_H
#define DT_CUSTOMS_MATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum cm_role { CM_ORDER, CM_PAYMENT, CM_WAYBILL, CM_INVENTORY, CM_NROLES };
/* import: CEB311 order, CEB411 payment, CEB511 waybill, CEB621 inventory;
 * export: CEB303 order, CEB403 receipt (in the PAYMENT role), CEB505 waybill,
 * CEB603 inventory */

struct cm_doc {
    const json_t *block; /* canonical block, NULL when this document has not arrived */
    const char *message; /* "CEB311" ... (NULL when missing) */
    const char *id;      /* the declaration id the engine gave it (NULL when missing) */
    int64_t received;    /* Unix seconds it was stored */
};

struct cm_set {
    int import; /* 1 import, 0 export */
    struct cm_doc doc[CM_NROLES];
    int64_t
        buyer_year_other; /* the same buyer's other import orders this calendar year,
                             summed by the engine, in 1e-5 yuan (CM_SCALE);
                             a negative sum counts as 0 */
};

#define CM_SCALE 100000 /* decimals are held as int64 x 1e5 (ceb allows 5 decimals) */

struct cm_limits {
    int64_t money_tolerance;     /* default 0.01 yuan = 1000 */
    double weight_tolerance_pct; /* default 10 */
    double weight_tolerance_kg;  /* default 0.5: allowed |diff| = max(pct% of inventory
                                    gross, kg) */
    int64_t retail_order_limit;  /* default 5000 yuan (x CM_SCALE) */
    int64_t retail_year_limit;   /* default 26000 yuan */
};

/* The defaults above into *L. */
void cm_limits_default(struct cm_limits *l);

/* Parse a CEB decimal string ("12", "12.5", "0.00001"; no sign, exponent
 * or white space, 1..19 integer digits, 1..5 decimals after a dot) into
 * *OUT x CM_SCALE.  0, or -1 (leaving *OUT alone) when S is NULL, not of
 * that shape, or above INT64_MAX / CM_SCALE (92233720368547.75807). */
int cm_decimal(const char *s, int64_t *out);

/* Format V (x CM_SCALE) as a short decimal ("12.5", "0.01", "-3", "0")
 * into BUF of LEN bytes (truncated to fit; 28 bytes always suffice). */
void cm_decimal_format(int64_t v, char *buf, size_t len);

/* The matching result for S at time NOW (Unix seconds), L the limits
 * (NULL: the defaults):
 * {"status":"MATCHED"|"MISMATCH"|"INCOMPLETE",
 *  "failures":[{"rule":"amount_payment",
 *               "documents":[{"message":"CEB311","id":".."},{"message":"CEB411","id":".."}],
 *               "field":"acturalPaid/amountPaid","values":["100.00","90.00"],
 *               "message":"human sentence"}],
 *  "missing":[{"document":"payment","message":"CEB411","waiting_s":3600}],
 *  "checked":["amount_order", ...rules that ran and passed]}
 * MISMATCH when any rule failed (even if documents are missing), else
 * INCOMPLETE when a required document is missing (waiting_s = NOW - the
 * earliest `received` among present documents, 0 when none is present or
 * the clock is behind), else MATCHED.  A rule runs only when the documents
 * it needs are present.  A failure may carry "gnum" (inventory_lines) and
 * "tolerance" (amount and weight rules); a value is null when the field is
 * absent.  Messages hold no personal data.  New reference, NULL on OOM. */
json_t *cm_match(const struct cm_set *s, const struct cm_limits *l, int64_t now);

/* The order's total counted against the retail limits (import acturalPaid),
 * x CM_SCALE; -1 if absent/bad.  The engine sums this per buyer. */
int64_t cm_order_value(const json_t *order_block);

/* The role's document name ("order", "payment" / "receipt", "waybill",
 * "inventory") and message ("CEB311" ... "CEB603") in the given direction;
 * NULL for a role out of range.  Static strings. */
const char *cm_role_name(enum cm_role r, int import);
const char *cm_role_message(enum cm_role r, int import);

/* The role of MESSAGE ("CEB311" ...) in *ROLE and its direction in
 * *IMPORT: 0, or -1 when the message takes no part in matching (CEB513,
 * CEB711, CEB507, CEB509, CEB607, anything else). */
int cm_role_of(const char *message, enum cm_role *role, int *import);

#endif
