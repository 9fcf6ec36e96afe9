/* customs_match.c -- the matching rules of one consignment's customs
 * declarations (customs_match.h, docs/customs-matching.md).
 *
 * Every amount and weight is compared as an int64 of 1e-5 units, never a
 * float: CEB allows five decimals and a tolerance of one cent must hold
 * exactly.  Each rule appends its failures to one array; a rule that ran
 * and appended none is "checked".  A failure names the documents (in role
 * order), the field as "<first document's field>/<second's>" (one name when
 * both call it the same), the values as sent, and a sentence made only of
 * field and document names: consignee names, phones, addresses and ID
 * numbers appear in "values" alone, which the engine shows only to callers
 * allowed to see the declarations. */
#include "customs_match.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cm_role_def {
    const char *name, *message;
};

static const struct cm_role_def roles_import[CM_NROLES] = {{"order", "CEB311"},
                                                           {"payment", "CEB411"},
                                                           {"waybill", "CEB511"},
                                                           {"inventory", "CEB621"}};
static const struct cm_role_def roles_export[CM_NROLES] = {{"order", "CEB303"},
                                                           {"receipt", "CEB403"},
                                                           {"waybill", "CEB505"},
                                                           {"inventory", "CEB603"}};

const char *cm_role_name(enum cm_role r, int import) {
    if ((int)r < 0 || r >= CM_NROLES) return NULL;
    return (import ? roles_import : roles_export)[r].name;
}

const char *cm_role_message(enum cm_role r, int import) {
    if ((int)r < 0 || r >= CM_NROLES) return NULL;
    return (import ? roles_import : roles_export)[r].message;
}

int cm_role_of(const char *message, enum cm_role *role, int *import) {
    if (!message) return -1;
    for (int r = 0; r < CM_NROLES; r++) {
        if (strcmp(message, roles_import[r].message) == 0) {
            *role = (enum cm_role)r;
            *import = 1;
            return 0;
        }
        if (strcmp(message, roles_export[r].message) == 0) {
            *role = (enum cm_role)r;
            *import = 0;
            return 0;
        }
    }
    return -1;
}

void cm_limits_default(struct cm_limits *l) {
    l->money_tolerance = 1000;
    l->weight_tolerance_pct = 10.0;
    l->weight_tolerance_kg = 0.5;
    l->retail_order_limit = 5000LL * CM_SCALE;
    l->retail_year_limit = 26000LL * CM_SCALE;
}

/* ---- decimals ------------------------------------------------------------ */

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* *V = *V * 10 + D unless that passes INT64_MAX.  0 or -1. */
static int push_digit(int64_t *v, int d) {
    if (*v > (INT64_MAX - d) / 10) return -1;
    *v = *v * 10 + d;
    return 0;
}

int cm_decimal(const char *s, int64_t *out) {
    size_t ni = 0, nf = 0;
    const char *frac = NULL;
    int64_t v = 0;

    if (!s) return -1;
    while (is_digit(s[ni]))
        ni++;
    if (ni < 1 || ni > 19) return -1;
    if (s[ni] == '.') {
        frac = s + ni + 1;
        while (is_digit(frac[nf]))
            nf++;
        if (nf < 1 || nf > 5 || frac[nf] != '\0') return -1;
    } else if (s[ni] != '\0') {
        return -1;
    }
    for (size_t i = 0; i < ni; i++)
        if (push_digit(&v, s[i] - '0') != 0) return -1;
    for (size_t i = 0; i < 5; i++)
        if (push_digit(&v, i < nf ? frac[i] - '0' : 0) != 0) return -1;
    *out = v;
    return 0;
}

void cm_decimal_format(int64_t v, char *buf, size_t len) {
    /* the magnitude as unsigned, so INT64_MIN has one too */
    uint64_t m = v < 0 ? (uint64_t)(-(v + 1)) + 1u : (uint64_t)v;
    uint64_t ip = m / CM_SCALE, fp = m % CM_SCALE;
    char tmp[40];
    int n;

    if (!buf || len == 0) return;
    if (fp == 0) {
        n = snprintf(tmp, sizeof(tmp), "%s%" PRIu64, v < 0 ? "-" : "", ip);
    } else {
        n = snprintf(tmp, sizeof(tmp), "%s%" PRIu64 ".%05" PRIu64, v < 0 ? "-" : "", ip,
                     fp);
        while (n > 0 && tmp[n - 1] == '0')
            tmp[--n] = '\0';
    }
    snprintf(buf, len, "%s", tmp);
}

/* ---- the matching context ------------------------------------------------ */

struct cm_ctx {
    const struct cm_set *s;
    const struct cm_limits *l;
    const struct cm_role_def *roles;
    const json_t *head[CM_NROLES];  /* NULL: the document takes no part */
    const json_t *items[CM_NROLES]; /* its list lines (an array, maybe empty) */
    json_t *failures, *checked;
    int oom;
};

/* Field NAME of role R's head, NULL when the document or the field is
 * absent or the value is not a string. */
static const char *hs(const struct cm_ctx *c, enum cm_role r, const char *name) {
    return c->head[r] ? json_string_value(json_object_get(c->head[r], name)) : NULL;
}

/* A new string or null for S; flags C on OOM. */
static json_t *str_or_null(struct cm_ctx *c, const char *s) {
    json_t *j = s ? json_string(s) : json_null();
    if (!j) c->oom = 1;
    return j;
}

static void set_new(struct cm_ctx *c, json_t *obj, const char *key, json_t *v) {
    if (!v || json_object_set_new(obj, key, v) != 0) c->oom = 1;
}

static void append_new(struct cm_ctx *c, json_t *arr, json_t *v) {
    if (!v || json_array_append_new(arr, v) != 0) c->oom = 1;
}

/* Extra members of a failure. */
struct cm_extra {
    const char *gnum;      /* inventory_lines: the line */
    const char *tolerance; /* amount and weight rules */
};

/* Append one failure of RULE: the documents of ROLES (NDOCS of them, in
 * role order), FIELD, NVALUES values (copied; NULL is JSON null), EXTRA
 * members (may be NULL) and a sentence from FMT. */
static void fail_rule(struct cm_ctx *c, const char *rule, const enum cm_role *roles,
                      size_t ndocs, const char *field, const char *const *values,
                      size_t nvalues, const struct cm_extra *extra, const char *fmt,
                      ...) {
    char msg[512];
    va_list ap;
    json_t *f = json_object(), *docs = json_array(), *vals = json_array();

    if (!f || !docs || !vals) {
        c->oom = 1;
        json_decref(f);
        json_decref(docs);
        json_decref(vals);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < ndocs; i++) {
        const struct cm_doc *d = &c->s->doc[roles[i]];
        json_t *doc = json_object();
        if (!doc) {
            c->oom = 1;
            continue;
        }
        set_new(c, doc, "message",
                json_string(d->message ? d->message : c->roles[roles[i]].message));
        set_new(c, doc, "id", str_or_null(c, d->id));
        append_new(c, docs, doc);
    }
    for (size_t i = 0; i < nvalues; i++)
        append_new(c, vals, str_or_null(c, values[i]));
    set_new(c, f, "rule", json_string(rule));
    set_new(c, f, "documents", docs);
    set_new(c, f, "field", json_string(field));
    set_new(c, f, "values", vals);
    set_new(c, f, "message", json_string(msg));
    if (extra && extra->gnum) set_new(c, f, "gnum", json_string(extra->gnum));
    if (extra && extra->tolerance)
        set_new(c, f, "tolerance", json_string(extra->tolerance));
    append_new(c, c->failures, f);
}

/* Role R's decimal field NAME into *V.  When it is absent or unreadable,
 * appends a failure of RULE (over ROLES/NDOCS) naming it and returns -1. */
static int need_dec(struct cm_ctx *c, const char *rule, const enum cm_role *roles,
                    size_t ndocs, enum cm_role r, const char *name, int64_t *v) {
    const char *raw = hs(c, r, name);
    if (cm_decimal(raw, v) == 0) return 0;
    fail_rule(c, rule, roles, ndocs, name, &raw, 1, NULL,
              "the %s's %s is %s, so the rule cannot be checked", c->roles[r].name,
              name, raw ? "not a decimal number of at most 5 decimals" : "missing");
    return -1;
}

/* |A - B|, INT64_MAX when that does not fit. */
static int64_t absdiff(int64_t a, int64_t b) {
    int64_t d;
    if (__builtin_sub_overflow(a, b, &d)) return INT64_MAX;
    return d < 0 ? (d == INT64_MIN ? INT64_MAX : -d) : d;
}

/* ---- text comparison ----------------------------------------------------- */

enum cm_norm { N_TEXT, N_FOLD, N_DIGITS };

/* Bytes of white space at P: ASCII space and controls \t\n\v\f\r, U+00A0
 * and U+3000 (the ideographic space Chinese input methods type); 0 when
 * none. */
static int ws_len(const unsigned char *p) {
    if (*p == ' ' || (*p >= '\t' && *p <= '\r')) return 1;
    if (p[0] == 0xC2 && p[1] == 0xA0) return 2;
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) return 3;
    return 0;
}

/* Walks a string as its normalised form: white space trimmed and runs of
 * it one ' '; N_FOLD also folds ASCII letters to lower case; N_DIGITS
 * yields the ASCII digits only. */
struct cm_norm_it {
    const unsigned char *p;
    enum cm_norm mode;
    int started, pending;
};

/* The next byte of the normalised form, or -1 at its end. */
static int norm_next(struct cm_norm_it *it) {
    for (;;) {
        if (!*it->p) return -1;
        int w = ws_len(it->p);
        if (w) {
            it->p += w;
            if (it->started && it->mode != N_DIGITS) it->pending = 1;
            continue;
        }
        if (it->mode == N_DIGITS && !is_digit((char)*it->p)) {
            it->p++;
            continue;
        }
        if (it->pending) {
            it->pending = 0;
            return ' ';
        }
        it->started = 1;
        int ch = *it->p++;
        if (it->mode == N_FOLD && ch >= 'A' && ch <= 'Z') ch += 'a' - 'A';
        return ch;
    }
}

/* A and B equal once normalised by MODE; two absent values are equal, an
 * absent one equals nothing else. */
static int norm_eq(const char *a, const char *b, enum cm_norm mode) {
    if (!a || !b) return !a && !b;
    struct cm_norm_it x = {(const unsigned char *)a, mode, 0, 0};
    struct cm_norm_it y = {(const unsigned char *)b, mode, 0, 0};
    for (;;) {
        int p = norm_next(&x), q = norm_next(&y);
        if (p != q) return 0;
        if (p < 0) return 1;
    }
}

/* Phones compare by their digits; two values without any digit compare as
 * text (so "none" does not equal "n/a"). */
static int phone_eq(const char *a, const char *b) {
    if (!a || !b) return !a && !b;
    struct cm_norm_it x = {(const unsigned char *)a, N_DIGITS, 0, 0};
    struct cm_norm_it y = {(const unsigned char *)b, N_DIGITS, 0, 0};
    if (norm_next(&x) < 0 && norm_next(&y) < 0) return norm_eq(a, b, N_TEXT);
    return norm_eq(a, b, N_DIGITS);
}

static int same_str(const char *a, const char *b) {
    if (!a || !b) return !a && !b;
    return strcmp(a, b) == 0;
}

/* ---- rules ---------------------------------------------------------------- */

/* Each rule returns 0 when it did not run (a document it needs is absent),
 * 1 when it ran; its failures are in c->failures. */

static int present(const struct cm_ctx *c, enum cm_role r) {
    return c->head[r] != NULL;
}

/* import amount_order: acturalPaid = goodsValue + freight + taxTotal - discount */
static int rule_amount_order(struct cm_ctx *c, const char *rule) {
    static const enum cm_role docs[] = {CM_ORDER};
    int64_t paid, goods, freight, tax, disc, sum;
    if (!present(c, CM_ORDER)) return 0;
    if (need_dec(c, rule, docs, 1, CM_ORDER, "acturalPaid", &paid) ||
        need_dec(c, rule, docs, 1, CM_ORDER, "goodsValue", &goods) ||
        need_dec(c, rule, docs, 1, CM_ORDER, "freight", &freight) ||
        need_dec(c, rule, docs, 1, CM_ORDER, "taxTotal", &tax) ||
        need_dec(c, rule, docs, 1, CM_ORDER, "discount", &disc))
        return 1;
    char sbuf[32], tol[32];
    const char *vals[2] = {hs(c, CM_ORDER, "acturalPaid"), sbuf};
    cm_decimal_format(c->l->money_tolerance, tol, sizeof(tol));
    struct cm_extra ex = {NULL, tol};
    if (__builtin_add_overflow(goods, freight, &sum) ||
        __builtin_add_overflow(sum, tax, &sum) ||
        __builtin_sub_overflow(sum, disc, &sum)) {
        vals[1] = NULL;
        fail_rule(
            c, rule, docs, 1, "acturalPaid/goodsValue+freight+taxTotal-discount", vals,
            2, &ex,
            "the order's goodsValue + freight + taxTotal - discount is too large to "
            "compute");
        return 1;
    }
    cm_decimal_format(sum, sbuf, sizeof(sbuf));
    if (absdiff(paid, sum) > c->l->money_tolerance)
        fail_rule(
            c, rule, docs, 1, "acturalPaid/goodsValue+freight+taxTotal-discount", vals,
            2, &ex,
            "the order's acturalPaid differs from goodsValue + freight + taxTotal - "
            "discount by more than %s yuan",
            tol);
    return 1;
}

/* Compare two money fields of two documents within the money tolerance. */
static void money_pair(struct cm_ctx *c, const char *rule, enum cm_role ra,
                       const char *fa, int64_t va, const char *rawa, enum cm_role rb,
                       const char *fb, int64_t vb, const char *rawb,
                       const char *field) {
    const enum cm_role docs[2] = {ra, rb};
    char tol[32];
    cm_decimal_format(c->l->money_tolerance, tol, sizeof(tol));
    if (absdiff(va, vb) <= c->l->money_tolerance) return;
    const char *vals[2] = {rawa, rawb};
    struct cm_extra ex = {NULL, tol};
    fail_rule(c, rule, docs, 2, field, vals, 2, &ex,
              "the %s's %s differs from the %s's %s by more than %s yuan",
              c->roles[ra].name, fa, c->roles[rb].name, fb, tol);
}

/* import amount_payment: order acturalPaid = payment amountPaid */
static int rule_amount_payment(struct cm_ctx *c, const char *rule) {
    static const enum cm_role docs[] = {CM_ORDER, CM_PAYMENT};
    int64_t a, b;
    if (!present(c, CM_ORDER) || !present(c, CM_PAYMENT)) return 0;
    if (need_dec(c, rule, docs, 2, CM_ORDER, "acturalPaid", &a) ||
        need_dec(c, rule, docs, 2, CM_PAYMENT, "amountPaid", &b))
        return 1;
    money_pair(c, rule, CM_ORDER, "acturalPaid", a, hs(c, CM_ORDER, "acturalPaid"),
               CM_PAYMENT, "amountPaid", b, hs(c, CM_PAYMENT, "amountPaid"),
               "acturalPaid/amountPaid");
    return 1;
}

/* export amount_receipt: order goodsValue + freight = receipt charge */
static int rule_amount_receipt(struct cm_ctx *c, const char *rule) {
    static const enum cm_role docs[] = {CM_ORDER, CM_PAYMENT};
    int64_t goods, freight, charge, sum;
    char sbuf[32];
    if (!present(c, CM_ORDER) || !present(c, CM_PAYMENT)) return 0;
    if (need_dec(c, rule, docs, 2, CM_ORDER, "goodsValue", &goods) ||
        need_dec(c, rule, docs, 2, CM_ORDER, "freight", &freight) ||
        need_dec(c, rule, docs, 2, CM_PAYMENT, "charge", &charge))
        return 1;
    if (__builtin_add_overflow(goods, freight, &sum)) {
        const char *vals[2] = {NULL, hs(c, CM_PAYMENT, "charge")};
        fail_rule(c, rule, docs, 2, "goodsValue+freight/charge", vals, 2, NULL,
                  "the order's goodsValue + freight is too large to compute");
        return 1;
    }
    cm_decimal_format(sum, sbuf, sizeof(sbuf));
    money_pair(c, rule, CM_ORDER, "goodsValue + freight", sum, sbuf, CM_PAYMENT,
               "charge", charge, hs(c, CM_PAYMENT, "charge"),
               "goodsValue+freight/charge");
    return 1;
}

/* One text comparison between two documents' fields. */
static void text_pair(struct cm_ctx *c, const char *rule, enum cm_role ra,
                      const char *fa, enum cm_role rb, const char *fb,
                      const char *field, enum cm_norm mode, int phone) {
    const enum cm_role docs[2] = {ra, rb};
    const char *a = hs(c, ra, fa), *b = hs(c, rb, fb);
    if (phone ? phone_eq(a, b) : norm_eq(a, b, mode)) return;
    const char *vals[2] = {a, b};
    if (a && b)
        fail_rule(c, rule, docs, 2, field, vals, 2, NULL,
                  "the %s's %s differs from the %s's %s", c->roles[ra].name, fa,
                  c->roles[rb].name, fb);
    else
        fail_rule(c, rule, docs, 2, field, vals, 2, NULL,
                  "the %s's %s or the %s's %s is missing", c->roles[ra].name, fa,
                  c->roles[rb].name, fb);
}

/* import payer_buyer: the payer is the buyer (ID number, then name) */
static int rule_payer_buyer(struct cm_ctx *c, const char *rule) {
    if (!present(c, CM_ORDER) || !present(c, CM_PAYMENT)) return 0;
    text_pair(c, rule, CM_ORDER, "buyerIdNumber", CM_PAYMENT, "payerIdNumber",
              "buyerIdNumber/payerIdNumber", N_FOLD, 0);
    text_pair(c, rule, CM_ORDER, "buyerName", CM_PAYMENT, "payerName",
              "buyerName/payerName", N_TEXT, 0);
    return 1;
}

static int rule_consignee_name(struct cm_ctx *c, const char *rule) {
    if (!present(c, CM_ORDER) || !present(c, CM_WAYBILL)) return 0;
    text_pair(c, rule, CM_ORDER, "consignee", CM_WAYBILL, "consignee", "consignee",
              N_TEXT, 0);
    return 1;
}

static int rule_consignee_phone(struct cm_ctx *c, const char *rule) {
    if (!present(c, CM_ORDER) || !present(c, CM_WAYBILL)) return 0;
    text_pair(c, rule, CM_ORDER, "consigneeTelephone", CM_WAYBILL, "consigneeTelephone",
              "consigneeTelephone", N_DIGITS, 1);
    return 1;
}

static int rule_consignee_address(struct cm_ctx *c, const char *rule) {
    if (!present(c, CM_ORDER) || !present(c, CM_WAYBILL)) return 0;
    text_pair(c, rule, CM_ORDER, "consigneeAddress", CM_WAYBILL, "consigneeAddress",
              "consigneeAddress", N_TEXT, 0);
    return 1;
}

/* One list line and its gnum as a number (-1: unreadable). */
struct cm_line {
    int64_t gnum;
    const json_t *item;
};

static int line_cmp(const void *a, const void *b) {
    int64_t x = ((const struct cm_line *)a)->gnum,
            y = ((const struct cm_line *)b)->gnum;
    return x < y ? -1 : x > y;
}

/* The lines of role R sorted by gnum into a new array (*N of them); NULL
 * with *N 0 when there are none; sets c->oom on failure.  A line whose
 * gnum is not a whole number gets -1 and is reported by the caller. */
static struct cm_line *lines_of(struct cm_ctx *c, enum cm_role r, size_t *n) {
    size_t k = json_array_size(c->items[r]);
    struct cm_line *v;
    *n = 0;
    if (k == 0) return NULL;
    if (!(v = calloc(k, sizeof(*v)))) {
        c->oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < k; i++) {
        const json_t *it = json_array_get(c->items[r], i);
        const char *g = json_string_value(json_object_get(it, "gnum"));
        int64_t x;
        v[i].item = it;
        v[i].gnum = -1;
        if (cm_decimal(g, &x) == 0 && x % CM_SCALE == 0 && !strchr(g, '.'))
            v[i].gnum = x / CM_SCALE;
    }
    qsort(v, k, sizeof(*v), line_cmp);
    *n = k;
    return v;
}

static const char *item_str(const json_t *item, const char *name) {
    return item ? json_string_value(json_object_get(item, name)) : NULL;
}

/* inventory_lines: order lines and inventory lines one to one by gnum, the
 * same itemName and qty per gnum.  Failures in gnum order. */
static int rule_inventory_lines(struct cm_ctx *c, const char *rule) {
    static const enum cm_role docs[] = {CM_ORDER, CM_INVENTORY};
    size_t no = 0, ni = 0, i = 0, j = 0;
    struct cm_line *o, *v;
    char g[24];

    if (!present(c, CM_ORDER) || !present(c, CM_INVENTORY)) return 0;
    o = lines_of(c, CM_ORDER, &no);
    v = lines_of(c, CM_INVENTORY, &ni);
    if (c->oom) goto out;
    /* unreadable gnums sort first (-1) */
    for (; i < no && o[i].gnum < 0; i++) {
        const char *vals[2] = {item_str(o[i].item, "gnum"), NULL};
        fail_rule(c, rule, docs, 2, "gnum", vals, 2, NULL,
                  "an order line has no whole-number gnum");
    }
    for (; j < ni && v[j].gnum < 0; j++) {
        const char *vals[2] = {NULL, item_str(v[j].item, "gnum")};
        fail_rule(c, rule, docs, 2, "gnum", vals, 2, NULL,
                  "an inventory line has no whole-number gnum");
    }
    while (i < no || j < ni) {
        int side = i >= no                 ? 1
                   : j >= ni               ? -1
                   : o[i].gnum < v[j].gnum ? -1
                   : o[i].gnum > v[j].gnum ? 1
                                           : 0;
        snprintf(g, sizeof(g), "%" PRId64, side <= 0 ? o[i].gnum : v[j].gnum);
        struct cm_extra ex = {g, NULL};
        if (side != 0) {
            const char *vals[2] = {side < 0 ? g : NULL, side > 0 ? g : NULL};
            fail_rule(c, rule, docs, 2, "gnum", vals, 2, &ex,
                      "line gnum %s is on the %s but not on the %s", g,
                      side < 0 ? "order" : "inventory",
                      side < 0 ? "inventory" : "order");
            if (side < 0)
                i++;
            else
                j++;
            continue;
        }
        const char *na = item_str(o[i].item, "itemName"),
                   *nb = item_str(v[j].item, "itemName");
        if (!norm_eq(na, nb, N_TEXT)) {
            const char *vals[2] = {na, nb};
            fail_rule(c, rule, docs, 2, "itemName", vals, 2, &ex,
                      "line gnum %s: the order's itemName differs from the inventory's",
                      g);
        }
        const char *qa = item_str(o[i].item, "qty"), *qb = item_str(v[j].item, "qty");
        int64_t xa, xb;
        int ra = cm_decimal(qa, &xa), rb = cm_decimal(qb, &xb);
        if (ra != 0 || rb != 0 || xa != xb) {
            const char *vals[2] = {qa, qb};
            fail_rule(
                c, rule, docs, 2, "qty", vals, 2, &ex,
                ra != 0 || rb != 0
                    ? "line gnum %s: a qty is missing or not a decimal number"
                    : "line gnum %s: the order's qty differs from the inventory's",
                g);
        }
        i++;
        j++;
    }
out:
    free(o);
    free(v);
    return 1;
}

/* inventory_keys: the inventory names the order and the waybill it was
 * linked to.  Runs when the inventory and either of them are present. */
static int rule_inventory_keys(struct cm_ctx *c, const char *rule) {
    static const char *const order_keys[] = {"orderNo", "ebpCode", "ebcCode"};
    static const char *const waybill_keys[] = {"logisticsCode", "logisticsNo"};
    int ran = 0;
    if (!present(c, CM_INVENTORY)) return 0;
    if (present(c, CM_ORDER)) {
        ran = 1;
        for (size_t k = 0; k < 3; k++) {
            const char *a = hs(c, CM_ORDER, order_keys[k]);
            const char *b = hs(c, CM_INVENTORY, order_keys[k]);
            if (same_str(a, b)) continue;
            const enum cm_role docs[2] = {CM_ORDER, CM_INVENTORY};
            const char *vals[2] = {a, b};
            fail_rule(c, rule, docs, 2, order_keys[k], vals, 2, NULL,
                      "the inventory's %s is not the order's", order_keys[k]);
        }
    }
    if (present(c, CM_WAYBILL)) {
        ran = 1;
        for (size_t k = 0; k < 2; k++) {
            const char *a = hs(c, CM_WAYBILL, waybill_keys[k]);
            const char *b = hs(c, CM_INVENTORY, waybill_keys[k]);
            if (same_str(a, b)) continue;
            const enum cm_role docs[2] = {CM_WAYBILL, CM_INVENTORY};
            const char *vals[2] = {a, b};
            fail_rule(c, rule, docs, 2, waybill_keys[k], vals, 2, NULL,
                      "the inventory's %s is not the waybill's", waybill_keys[k]);
        }
    }
    return ran;
}

/* weight_gross_net: inventory grossWeight >= netWeight */
static int rule_weight_gross_net(struct cm_ctx *c, const char *rule) {
    static const enum cm_role docs[] = {CM_INVENTORY};
    int64_t g, n;
    if (!present(c, CM_INVENTORY)) return 0;
    if (need_dec(c, rule, docs, 1, CM_INVENTORY, "grossWeight", &g) ||
        need_dec(c, rule, docs, 1, CM_INVENTORY, "netWeight", &n))
        return 1;
    if (g >= n) return 1;
    const char *vals[2] = {hs(c, CM_INVENTORY, "grossWeight"),
                           hs(c, CM_INVENTORY, "netWeight")};
    fail_rule(c, rule, docs, 1, "grossWeight/netWeight", vals, 2, NULL,
              "the inventory's grossWeight is below its netWeight");
    return 1;
}

/* The weight tolerance for inventory gross weight G: max(pct% of G, kg),
 * both rounded to the nearest 1e-5 kg; a negative or NaN knob counts 0. */
static int64_t weight_allowed(const struct cm_limits *l, int64_t g) {
    double pct = l->weight_tolerance_pct > 0 ? l->weight_tolerance_pct : 0;
    double kg = l->weight_tolerance_kg > 0 ? l->weight_tolerance_kg : 0;
    double a = (double)g * pct / 100.0, b = kg * CM_SCALE;
    double m = a > b ? a : b;
    if (!(m < 9.2e18)) return INT64_MAX;
    return llround(m);
}

/* weight_waybill: |waybill weight - inventory grossWeight| <= tolerance.
 * The import waybill calls it weight, the export one grossWeight. */
static int rule_weight_waybill(struct cm_ctx *c, const char *rule) {
    static const enum cm_role docs[] = {CM_WAYBILL, CM_INVENTORY};
    const char *wf = c->s->import ? "weight" : "grossWeight";
    int64_t w, g;
    char tol[32];
    if (!present(c, CM_WAYBILL) || !present(c, CM_INVENTORY)) return 0;
    if (need_dec(c, rule, docs, 2, CM_WAYBILL, wf, &w) ||
        need_dec(c, rule, docs, 2, CM_INVENTORY, "grossWeight", &g))
        return 1;
    int64_t allowed = weight_allowed(c->l, g);
    if (absdiff(w, g) <= allowed) return 1;
    cm_decimal_format(allowed, tol, sizeof(tol));
    const char *vals[2] = {hs(c, CM_WAYBILL, wf), hs(c, CM_INVENTORY, "grossWeight")};
    struct cm_extra ex = {NULL, tol};
    fail_rule(
        c, rule, docs, 2, c->s->import ? "weight/grossWeight" : "grossWeight", vals, 2,
        &ex,
        "the waybill's %s differs from the inventory's grossWeight by more than %s kg",
        wf, tol);
    return 1;
}

/* The retail limits apply to an import order whose inventory (if it has
 * come) declares a retail trade mode, or none at all. */
static int retail(const struct cm_ctx *c) {
    if (!present(c, CM_INVENTORY)) return 1;
    const char *tm = hs(c, CM_INVENTORY, "tradeMode");
    return !tm || !tm[0] || strcmp(tm, "9610") == 0 || strcmp(tm, "1210") == 0 ||
           strcmp(tm, "1239") == 0;
}

static int rule_retail_order_limit(struct cm_ctx *c, const char *rule) {
    static const enum cm_role both[] = {CM_ORDER, CM_INVENTORY};
    size_t nd = present(c, CM_INVENTORY) ? 2 : 1;
    int64_t v;
    char lim[32];
    if (!present(c, CM_ORDER) || !retail(c)) return 0;
    if (need_dec(c, rule, both, nd, CM_ORDER, "acturalPaid", &v)) return 1;
    if (v <= c->l->retail_order_limit) return 1;
    cm_decimal_format(c->l->retail_order_limit, lim, sizeof(lim));
    const char *vals[2] = {hs(c, CM_ORDER, "acturalPaid"), lim};
    fail_rule(c, rule, both, nd, "acturalPaid", vals, 2, NULL,
              "the order's acturalPaid is above the retail limit of %s yuan per order",
              lim);
    return 1;
}

static int rule_retail_year_limit(struct cm_ctx *c, const char *rule) {
    static const enum cm_role both[] = {CM_ORDER, CM_INVENTORY};
    size_t nd = present(c, CM_INVENTORY) ? 2 : 1;
    int64_t v, total, other = c->s->buyer_year_other > 0 ? c->s->buyer_year_other : 0;
    char lim[32], tot[32];
    if (!present(c, CM_ORDER) || !retail(c)) return 0;
    if (need_dec(c, rule, both, nd, CM_ORDER, "acturalPaid", &v)) return 1;
    if (__builtin_add_overflow(v, other, &total)) total = INT64_MAX;
    if (total <= c->l->retail_year_limit) return 1;
    cm_decimal_format(c->l->retail_year_limit, lim, sizeof(lim));
    cm_decimal_format(total, tot, sizeof(tot));
    const char *vals[2] = {tot, lim};
    fail_rule(
        c, rule, both, nd, "acturalPaid", vals, 2, NULL,
        "this order's acturalPaid plus the buyer's other import orders this calendar "
        "year is above the retail limit of %s yuan a year",
        lim);
    return 1;
}

struct cm_rule {
    const char *name;
    int (*fn)(struct cm_ctx *c, const char *rule);
};

/* The rules in the order they run and report (rule names are API). */
static const struct cm_rule rules_import[] = {
    {"amount_order", rule_amount_order},
    {"amount_payment", rule_amount_payment},
    {"payer_buyer", rule_payer_buyer},
    {"consignee_name", rule_consignee_name},
    {"consignee_phone", rule_consignee_phone},
    {"consignee_address", rule_consignee_address},
    {"inventory_lines", rule_inventory_lines},
    {"inventory_keys", rule_inventory_keys},
    {"weight_gross_net", rule_weight_gross_net},
    {"weight_waybill", rule_weight_waybill},
    {"retail_order_limit", rule_retail_order_limit},
    {"retail_year_limit", rule_retail_year_limit},
    {NULL, NULL},
};

static const struct cm_rule rules_export[] = {
    {"amount_receipt", rule_amount_receipt},
    {"inventory_lines", rule_inventory_lines},
    {"inventory_keys", rule_inventory_keys},
    {"weight_gross_net", rule_weight_gross_net},
    {"weight_waybill", rule_weight_waybill},
    {NULL, NULL},
};

/* document_type: a present block must be the role's message and kind;
 * one that is not takes no part in the rules (and is not "missing"). */
static void check_types(struct cm_ctx *c) {
    for (int r = 0; r < CM_NROLES; r++) {
        const struct cm_doc *d = &c->s->doc[r];
        const json_t *head;
        if (!d->block) continue;
        const char *want = c->roles[r].message, *kind = c->roles[r].name;
        const char *got_kind = json_string_value(json_object_get(d->block, "kind"));
        const enum cm_role docs[1] = {(enum cm_role)r};
        if (d->message && strcmp(d->message, want) != 0) {
            const char *vals[2] = {d->message, want};
            fail_rule(c, "document_type", docs, 1, "message", vals, 2, NULL,
                      "a %s message stands in the %s %s's place", d->message,
                      c->s->import ? "import" : "export", kind);
            continue;
        }
        if (got_kind && strcmp(got_kind, kind) != 0) {
            const char *vals[2] = {got_kind, kind};
            fail_rule(c, "document_type", docs, 1, "kind", vals, 2, NULL,
                      "a %s block stands in the %s %s's place", got_kind,
                      c->s->import ? "import" : "export", kind);
            continue;
        }
        head = json_object_get(d->block, "head");
        if (!json_is_object(head)) {
            static const char *const none[1] = {NULL};
            fail_rule(c, "document_type", docs, 1, "head", none, 1, NULL,
                      "the %s block has no head object", kind);
            continue;
        }
        c->head[r] = head;
        const json_t *items = json_object_get(d->block, "items");
        c->items[r] = json_is_array(items) ? items : NULL;
    }
}

/* Required documents not present, in role order, into c's result. */
static json_t *missing_list(struct cm_ctx *c, int64_t now) {
    json_t *missing = json_array();
    int64_t earliest = INT64_MAX, wait = 0;
    if (!missing) {
        c->oom = 1;
        return NULL;
    }
    for (int r = 0; r < CM_NROLES; r++)
        if (c->s->doc[r].block && c->s->doc[r].received < earliest)
            earliest = c->s->doc[r].received;
    if (earliest != INT64_MAX) {
        if (__builtin_sub_overflow(now, earliest, &wait))
            wait = now > earliest ? INT64_MAX : 0;
        if (wait < 0) wait = 0;
    }
    for (int r = 0; r < CM_NROLES; r++) {
        if (c->s->doc[r].block) continue;
        if (!c->s->import && r == CM_PAYMENT) continue; /* the receipt is optional */
        json_t *m =
            json_pack("{s:s, s:s, s:I}", "document", c->roles[r].name, "message",
                      c->roles[r].message, "waiting_s", (json_int_t)wait);
        append_new(c, missing, m);
    }
    return missing;
}

json_t *cm_match(const struct cm_set *s, const struct cm_limits *l, int64_t now) {
    struct cm_limits defaults;
    struct cm_ctx c;
    json_t *out = NULL, *missing = NULL;

    if (!l) {
        cm_limits_default(&defaults);
        l = &defaults;
    }
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.l = l;
    c.roles = s->import ? roles_import : roles_export;
    c.failures = json_array();
    c.checked = json_array();
    if (!c.failures || !c.checked) goto done;

    check_types(&c);
    for (const struct cm_rule *r = s->import ? rules_import : rules_export; r->name;
         r++) {
        size_t before = json_array_size(c.failures);
        if (r->fn(&c, r->name) && json_array_size(c.failures) == before)
            append_new(&c, c.checked, json_string(r->name));
    }
    missing = missing_list(&c, now);
    if (c.oom || !missing) goto done;
    const char *status = json_array_size(c.failures) ? "MISMATCH"
                         : json_array_size(missing)  ? "INCOMPLETE"
                                                     : "MATCHED";
    out = json_pack("{s:s, s:O, s:O, s:O}", "status", status, "failures", c.failures,
                    "missing", missing, "checked", c.checked);
done:
    json_decref(c.failures);
    json_decref(c.checked);
    json_decref(missing);
    return out;
}

int64_t cm_order_value(const json_t *order_block) {
    int64_t v;
    const json_t *head = json_object_get(order_block, "head");
    if (cm_decimal(json_string_value(json_object_get(head, "acturalPaid")), &v) != 0)
        return -1;
    return v;
}
