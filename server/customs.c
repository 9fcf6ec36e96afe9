/* customs.c -- the customs engine (customs.h; rules in docs/customs.md).
 *
 * Every declaration (one business block of a CEB message) is held in
 * memory with its current block, version and returns, and indexed by the
 * keys that link documents:
 *   "o:EBP|ORDER"   orders, payments, receipts, inventories of an order
 *   "on:ORDER"      customs waybills naming the order (import CEB511)
 *   "l:CODE|NO"     customs waybills, statuses, inventories, list
 *                   messages (arrival, departure...) of a logistics number
 *   "g:GUID"        the declaration a return answers
 *   "r:VALUE"       logisticsNo and billNo values: Dongting waybills
 *   "w:NUMBER"      declarations linked to Dongting waybill NUMBER
 *   "y:YEAR|BUYER"  import orders of one buyer (SHA-256 of the id number)
 * A message is applied as one unit: checked against memory, written to
 * Redis in one script, then applied.  Matching and cross-checks run after
 * every change that can move them (a document, an event, a negative-list
 * entry); each failure becomes an alert whose id is a hash of what it
 * says, so raising it again is a no-op. */
#include "customs.h"

#include "crosscheck.h"
#include "config.h"
#include "crypto.h"
#include "customs_match.h"
#include "log.h"
#include "multimap.h"
#include "server.h"
#include "store_customs.h"
#include "store_waybills.h"
#include "waybills.h"

#include "geodata/customs_offices.h"
#include "geodata/network.h"
#include "geodata/timefmt.h"

#include <event2/event.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CU_ID_LEN 24          /* "cd-" + 20 hex + NUL */
#define CU_MAX_EVENTS 2000    /* events kept per linked waybill */
#define CU_MAX_RESULTS 64     /* cross-check results per declaration */
#define CU_AUDIT_MAXLEN 1000000
#define CU_LOAD_BATCH 500     /* records per read at start-up (store_cu_recs) */

struct decl {
    char id[CU_ID_LEN];
    char message[8];
    char kind[20];
    int import;
    char tenant[64];
    json_t *block;             /* the current block (owned) */
    int version, deleted;
    int64_t first, updated;    /* Unix s */
    char msg_guid[72];
    json_t *returns;           /* [{status, label, time, info, received}] */
    json_t *guids;             /* every head guid it had: a return may answer any */
    char waybill[WB_NUMBER_LEN]; /* the Dongting waybill it is linked to, "" none */
    int pending;               /* a message changing it is being stored */
    int by_customs;            /* added by the customs role: may name any tenant's waybill */
    int year;                  /* import orders: the year of appTime */
    char buyer[17];            /* import orders: 16 hex of SHA-256 of buyerIdNumber */
};

/* A linked waybill's events, for the cross-checks. */
struct wbev {
    char number[WB_NUMBER_LEN];
    struct carrier_event *ev;
    size_t n, cap;
    int loaded;
};

struct alert {
    char id[CU_ID_LEN];
    int64_t raised_ms;
    char rule[32], severity[8];
    int acked;
    unsigned mark;             /* counted once per waybill (statistics) */
    json_t *doc;               /* the alert as served (owned) */
};

static struct {
    struct decl **all;
    size_t nall, capall;
    struct mmap by_id, idx, msgs, evs;
    struct alert **alerts;
    size_t nalerts, capalerts;
    struct mmap alert_by_id;
    struct mmap alerts_of;     /* declaration id -> the alerts naming it */
    unsigned alert_mark;       /* a new value per count of alerts (struct alert.mark) */
    json_t *neg;               /* code -> entry */
    struct cx_offices offices;
    struct xc_limits xl;
    struct cm_limits ml;
    int loaded, loading;
    struct customs_counts counts;
    struct event *recheck_ev;
    struct mmap dirty_wb;      /* "NUMBER" -> 1: waybills to cross-check again */
    char **dirty_list;
    size_t ndirty, capdirty;
} cu;

/* ---- small helpers ---------------------------------------------------------- */

static const char *hs(const json_t *block, const char *field) {
    const char *v = json_string_value(json_object_get(json_object_get(block, "head"), field));
    return v ? v : "";
}

static const char *ks(const json_t *block, const char *field) {
    const char *v = json_string_value(json_object_get(json_object_get(block, "keys"), field));
    return v ? v : "";
}

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* A CEB time "YYYYMMDD[hhmmss[fff]]" (China time, +08:00) as Unix s; 0
 * when empty or malformed (the parser checked the declared ones). */
static int64_t ceb_time(const char *s) {
    int v[6] = {0, 0, 0, 0, 0, 0};
    static const int w[6] = {4, 2, 2, 2, 2, 2};
    size_t len = strlen(s), at = 0;
    if (len < 8) return 0;
    for (int f = 0; f < 6 && at + (size_t)w[f] <= len; f++)
        for (int k = 0; k < w[f]; k++, at++) {
            if (s[at] < '0' || s[at] > '9') return 0;
            v[f] = v[f] * 10 + (s[at] - '0');
        }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31) return 0;
    return days_from_civil(v[0], (unsigned)v[1], (unsigned)v[2]) * 86400 + v[3] * 3600 +
           v[4] * 60 + v[5] - 8 * 3600;
}

static void iso(int64_t t, char *buf, size_t len) {
    if (t <= 0) snprintf(buf, len, "%s", "");
    else time_format_iso8601(t, 8 * 3600, buf, len);
}

static json_t *iso_json(int64_t t) {
    char b[40];
    if (t <= 0) return json_null();
    iso(t, b, sizeof(b));
    return json_string(b);
}

static void hash_id(const char *prefix, const char *text, char *out, size_t len) {
    char hex[65];
    crypto_sha256_hex(text, strlen(text), hex);
    snprintf(out, len, "%s%.20s", prefix, hex);
}

static int is_kind(const struct decl *d, const char *kind) { return strcmp(d->kind, kind) == 0; }

/* A transport document number as Dongting may know it: upper case, without
 * the dashes, spaces, dots and slashes declarations write it with
 * ("MSKU-YY 55120" -> "MSKUYY55120").  OUT gets "" when nothing is left. */
static void doc_number_norm(const char *s, char *out, size_t len) {
    size_t n = 0;
    for (; *s && n + 1 < len; s++) {
        char c = *s;
        if (c == '-' || c == ' ' || c == '.' || c == '/') continue;
        out[n++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    out[n] = 0;
}

/* ---- natural keys: what identifies a declaration across add / change / delete ---- */

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
static const struct {
    const char *message;
    const char *const *fields;
} natkeys[] = {
    {"CEB311", L("ebpCode", "orderNo")},
    {"CEB303", L("ebpCode", "orderNo")},
    {"CEB411", L("payCode", "payTransactionId")},
    {"CEB403", L("payCode", "payNo")},
    {"CEB511", L("logisticsCode", "logisticsNo")},
    {"CEB505", L("logisticsCode", "logisticsNo")},
    {"CEB513", L("logisticsCode", "logisticsNo", "logisticsStatus")},
    {"CEB621", L("ebcCode", "copNo")},
    {"CEB603", L("ebcCode", "copNo")},
    {"CEB711", L("customsCode", "copNo")},
    {"CEB507", L("customsCode", "copNo")},
    {"CEB509", L("customsCode", "copNo")},
    {"CEB607", L("customsCode", "copNo")},
};

/* The id of BLOCK of MESSAGE: a hash of its natural key.  -1 for a
 * message type that declares nothing (returns). */
static int decl_id(const char *message, const json_t *block, char *out, size_t len) {
    for (size_t i = 0; i < sizeof(natkeys) / sizeof(natkeys[0]); i++) {
        if (strcmp(natkeys[i].message, message) != 0) continue;
        char text[1200];
        size_t at = (size_t)snprintf(text, sizeof(text), "%s", message);
        for (const char *const *f = natkeys[i].fields; *f && at < sizeof(text); f++)
            at += (size_t)snprintf(text + at, sizeof(text) - at, "\x1f%s", hs(block, *f));
        hash_id("cd-", text, out, len);
        return 0;
    }
    return -1;
}

static struct decl *decl_find(const char *id) { return mm_first(&cu.by_id, id); }
static void refresh_waybills(struct decl *const *v, size_t n);

/* Add GUID to the array A unless empty or there. */
static void guid_add(json_t *a, const char *guid) {
    size_t i;
    json_t *v;
    if (guid[0] == 0) return;
    json_array_foreach(a, i, v) if (strcmp(json_string_value(v), guid) == 0) return;
    json_array_append_new(a, json_string(guid));
}

/* ---- the index ------------------------------------------------------------------ */

static void idx_key(void (*fn)(const char *key, struct decl *d), struct decl *d, const char *a,
                    const char *b, const char *c) {
    char k[1200];
    if (!b[0] && strcmp(a, "o:") == 0) return;
    if (c) snprintf(k, sizeof(k), "%s%s|%s", a, b, c);
    else snprintf(k, sizeof(k), "%s%s", a, b);
    fn(k, d);
}

/* "r:" keys of a document number: as written, and normalised when that
 * differs (a waybill created later is looked up both ways). */
static void ref_keys(void (*fn)(const char *key, struct decl *d), struct decl *d,
                     const char *value) {
    char norm[WB_NUMBER_LEN];
    idx_key(fn, d, "r:", value, NULL);
    doc_number_norm(value, norm, sizeof(norm));
    if (norm[0] && strcmp(norm, value) != 0) idx_key(fn, d, "r:", norm, NULL);
}

/* Call FN with every key D is found by. */
static void decl_keys(struct decl *d, void (*fn)(const char *key, struct decl *d)) {
    const json_t *b = d->block;
    const char *order = ks(b, "orderNo"), *lno = ks(b, "logisticsNo"), *bill = ks(b, "billNo");
    const char *lcode = ks(b, "logisticsCode");
    if (order[0] && ks(b, "ebpCode")[0])
        idx_key(fn, d, "o:", ks(b, "ebpCode"), order);
    if (is_kind(d, "waybill") && order[0]) idx_key(fn, d, "on:", order, NULL);
    if (lno[0]) {
        idx_key(fn, d, "l:", lcode, lno);
        ref_keys(fn, d, lno);
    }
    json_t *list = json_object_get(json_object_get(b, "keys"), "logisticsNos");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (!json_is_string(v)) continue;
        idx_key(fn, d, "l:", lcode, json_string_value(v));
        ref_keys(fn, d, json_string_value(v));
    }
    if (bill[0]) ref_keys(fn, d, bill);
    json_array_foreach(d->guids, i, v) idx_key(fn, d, "g:", json_string_value(v), NULL);
    if (d->waybill[0]) idx_key(fn, d, "w:", d->waybill, NULL);
    if (d->buyer[0]) {
        char y[8];
        snprintf(y, sizeof(y), "%d", d->year);
        idx_key(fn, d, "y:", y, d->buyer);
    }
}

static void key_add(const char *key, struct decl *d) {
    if (mm_add(&cu.idx, key, d) != 0)
        log_event("error", "customs_index_failed", "out of memory indexing %s", d->id);
}
static void key_del(const char *key, struct decl *d) { mm_del(&cu.idx, key, d); }

/* The live declarations under KEY (NULL-terminated view into the slot). */
static struct mm_slot *idx_get(const char *a, const char *b, const char *c) {
    char k[1200];
    if (c) snprintf(k, sizeof(k), "%s%s|%s", a, b, c);
    else snprintf(k, sizeof(k), "%s%s", a, b);
    return mm_find(&cu.idx, k, 0);
}

/* The first live declaration of KIND (and direction IMPORT) under the key. */
static struct decl *idx_first(const char *a, const char *b, const char *c, const char *kind,
                              int import) {
    struct mm_slot *s = b[0] ? idx_get(a, b, c) : NULL;
    for (size_t i = 0; s && i < s->n; i++) {
        struct decl *d = s->v[i];
        if (!d->deleted && d->import == import && is_kind(d, kind)) return d;
    }
    return NULL;
}

/* ---- records ---------------------------------------------------------------------- */

static json_t *decl_record(const struct decl *d) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:i, s:b, s:I, s:I, s:s, s:O, s:O, s:s, s:b}",
                     "id",
                     d->id, "message", d->message, "kind", d->kind, "direction",
                     d->import ? "import" : "export", "tenant", d->tenant, "block", d->block,
                     "version", d->version, "deleted", d->deleted, "first", (json_int_t)d->first,
                     "updated", (json_int_t)d->updated, "message_guid", d->msg_guid, "returns",
                     d->returns, "guids", d->guids, "waybill", d->waybill, "by_customs",
                     d->by_customs);
}

static void buyer_of(struct decl *d) {
    d->buyer[0] = 0;
    d->year = 0;
    if (!d->import || !is_kind(d, "order") || !hs(d->block, "buyerIdNumber")[0]) return;
    char hex[65];
    const char *idn = hs(d->block, "buyerIdNumber");
    crypto_sha256_hex(idn, strlen(idn), hex);
    snprintf(d->buyer, sizeof(d->buyer), "%.16s", hex);
    int64_t t = ceb_time(hs(d->block, "appTime"));
    time_t tt = (time_t)(t + 8 * 3600);
    struct tm tm;
    gmtime_r(&tt, &tm);
    d->year = tm.tm_year + 1900;
}

static struct decl *decl_from_record(json_t *r) {
    struct decl *d = calloc(1, sizeof(*d));
    const char *id = json_string_value(json_object_get(r, "id"));
    json_t *block = json_object_get(r, "block");
    if (d == NULL || id == NULL || !json_is_object(block)) {
        free(d);
        return NULL;
    }
    snprintf(d->id, sizeof(d->id), "%s", id);
    snprintf(d->message, sizeof(d->message), "%s",
             json_string_value(json_object_get(r, "message")) ?: "");
    snprintf(d->kind, sizeof(d->kind), "%s", json_string_value(json_object_get(r, "kind")) ?: "");
    d->import = strcmp(json_string_value(json_object_get(r, "direction")) ?: "", "import") == 0;
    snprintf(d->tenant, sizeof(d->tenant), "%s",
             json_string_value(json_object_get(r, "tenant")) ?: "");
    d->block = json_incref(block);
    d->version = (int)json_integer_value(json_object_get(r, "version"));
    d->deleted = json_is_true(json_object_get(r, "deleted"));
    d->first = json_integer_value(json_object_get(r, "first"));
    d->updated = json_integer_value(json_object_get(r, "updated"));
    snprintf(d->msg_guid, sizeof(d->msg_guid), "%s",
             json_string_value(json_object_get(r, "message_guid")) ?: "");
    d->returns = json_incref(json_object_get(r, "returns"));
    if (!json_is_array(d->returns)) {
        json_decref(d->returns);
        d->returns = json_array();
    }
    snprintf(d->waybill, sizeof(d->waybill), "%s",
             json_string_value(json_object_get(r, "waybill")) ?: "");
    d->by_customs = json_is_true(json_object_get(r, "by_customs"));
    d->guids = json_incref(json_object_get(r, "guids"));
    if (!json_is_array(d->guids)) {
        json_decref(d->guids);
        d->guids = json_array();
    }
    buyer_of(d);
    return d;
}

static void decl_free(struct decl *d) {
    if (d == NULL) return;
    json_decref(d->block);
    json_decref(d->returns);
    json_decref(d->guids);
    free(d);
}

static int decl_hold(struct decl *d) {
    if (cu.nall == cu.capall) {
        size_t nc = cu.capall ? cu.capall * 2 : 256;
        struct decl **na = realloc(cu.all, nc * sizeof(*na));
        if (na == NULL) return -1;
        cu.all = na;
        cu.capall = nc;
    }
    if (mm_add(&cu.by_id, d->id, d) != 0) return -1;
    cu.all[cu.nall++] = d;
    decl_keys(d, key_add);
    return 0;
}

/* ---- the documents of one consignment ------------------------------------------ */

struct group {
    struct decl *order, *payment, *waybill, *inventory;
};

/* The order, payment (receipt), customs waybill and inventory linked to D. */
static void group_of(struct decl *d, struct group *g) {
    int imp = d->import;
    memset(g, 0, sizeof(*g));
    if (d->deleted) return;
    if (is_kind(d, "order")) g->order = d;
    else if (is_kind(d, "payment") || is_kind(d, "receipt")) g->payment = d;
    else if (is_kind(d, "waybill")) g->waybill = d;
    else if (is_kind(d, "inventory")) g->inventory = d;
    else return;
    /* two passes: each document found may name the next */
    for (int pass = 0; pass < 2; pass++) {
        const json_t *src = g->inventory ? g->inventory->block
                            : g->order   ? g->order->block
                            : g->payment ? g->payment->block
                                         : NULL;
        if (src != NULL) {
            const char *ebp = ks(src, "ebpCode"), *ord = ks(src, "orderNo");
            if (!g->order) g->order = idx_first("o:", ebp, ord, "order", imp);
            if (!g->payment)
                g->payment = idx_first("o:", ebp, ord, imp ? "payment" : "receipt", imp);
            if (!g->inventory) g->inventory = idx_first("o:", ebp, ord, "inventory", imp);
        }
        if (g->inventory && !g->waybill)
            g->waybill = idx_first("l:", ks(g->inventory->block, "logisticsCode"),
                                   ks(g->inventory->block, "logisticsNo"), "waybill", imp);
        if (g->order && !g->waybill && imp)
            g->waybill = idx_first("on:", ks(g->order->block, "orderNo"), NULL, "waybill", imp);
        if (g->waybill && !g->inventory) {
            g->inventory = idx_first("l:", ks(g->waybill->block, "logisticsCode"),
                                     ks(g->waybill->block, "logisticsNo"), "inventory", imp);
            if (!g->order && g->waybill->import)
                g->order = idx_first("on:", ks(g->waybill->block, "orderNo"), NULL, "order", imp);
        }
    }
}

static int64_t buyer_year_other(const struct decl *order) {
    int64_t sum = 0;
    char y[8];
    if (order == NULL || !order->buyer[0]) return 0;
    snprintf(y, sizeof(y), "%d", order->year);
    struct mm_slot *s = idx_get("y:", y, order->buyer);
    for (size_t i = 0; s && i < s->n; i++) {
        struct decl *o = s->v[i];
        if (o == order || o->deleted) continue;
        int64_t v = cm_order_value(o->block);
        if (v > 0) sum += v;
    }
    return sum;
}

static json_t *group_match(const struct group *g, int import) {
    struct cm_set s;
    struct decl *docs[CM_NROLES] = {g->order, g->payment, g->waybill, g->inventory};
    memset(&s, 0, sizeof(s));
    s.import = import;
    for (int i = 0; i < CM_NROLES; i++)
        if (docs[i]) {
            s.doc[i].block = docs[i]->block;
            s.doc[i].message = docs[i]->message;
            s.doc[i].id = docs[i]->id;
            s.doc[i].received = docs[i]->first;
        }
    s.buyer_year_other = buyer_year_other(g->order);
    return cm_match(&s, &cu.ml, time(NULL));
}

/* ---- alerts ------------------------------------------------------------------------- */

static struct alert *alert_find(const char *id) { return mm_first(&cu.alert_by_id, id); }

static int alert_hold(struct alert *a) {
    if (cu.nalerts == cu.capalerts) {
        size_t nc = cu.capalerts ? cu.capalerts * 2 : 256;
        struct alert **na = realloc(cu.alerts, nc * sizeof(*na));
        if (na == NULL) return -1;
        cu.alerts = na;
        cu.capalerts = nc;
    }
    if (mm_add(&cu.alert_by_id, a->id, a) != 0) return -1;
    cu.alerts[cu.nalerts++] = a;
    /* found from its declaration and from every document it names */
    const char *decl = json_string_value(json_object_get(a->doc, "declaration"));
    size_t i;
    json_t *x;
    if (decl) mm_add(&cu.alerts_of, decl, a);
    json_array_foreach(json_object_get(a->doc, "documents"), i, x) {
        const char *id = json_string_value(json_object_get(x, "id"));
        if (id) mm_add(&cu.alerts_of, id, a);
    }
    return 0;
}

static void alert_free(struct alert *a) {
    if (a == NULL) return;
    json_decref(a->doc);
    free(a);
}

/* Alerts made by one pass, written together. */
struct raise {
    struct alert **v;
    size_t n, cap;
};

static void alerts_written(int status, void *arg) {
    (void)arg;
    if (status != STORE_OK) {
        cu.counts.write_errors++;
        log_event("error", "customs_alert_write_failed", "alerts were raised but not stored (%d)",
                  status);
    }
}

/* Raise an alert once: KEY says what it is about (its id is a hash of
 * it); DOC (stolen) is its body without id, time and state. */
static void alert_raise(struct raise *r, const char *key, const char *rule, const char *severity,
                  json_t *doc) {
    char id[CU_ID_LEN];
    hash_id("al-", key, id, sizeof(id));
    if (alert_find(id) != NULL) {
        json_decref(doc);
        return;
    }
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i]->id, id) == 0) {
            json_decref(doc);
            return;
        }
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 8;
        struct alert **nv = realloc(r->v, nc * sizeof(*nv));
        if (nv == NULL) {
            json_decref(doc);
            return;
        }
        r->v = nv;
        r->cap = nc;
    }
    struct alert *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        json_decref(doc);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(a->id, sizeof(a->id), "%s", id);
    snprintf(a->rule, sizeof(a->rule), "%s", rule);
    snprintf(a->severity, sizeof(a->severity), "%s", severity);
    a->raised_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    json_object_set_new(doc, "id", json_string(id));
    json_object_set_new(doc, "rule", json_string(rule));
    json_object_set_new(doc, "severity", json_string(severity));
    json_object_set_new(doc, "raised", iso_json(ts.tv_sec));
    json_object_set_new(doc, "raised_ms", json_integer(a->raised_ms));
    json_object_set_new(doc, "state", json_string("open"));
    a->doc = doc;
    r->v[r->n++] = a;
}

static void raise_flush(struct raise *r) {
    struct store_cu_alert *v = r->n ? calloc(r->n, sizeof(*v)) : NULL;
    char **js = r->n ? calloc(r->n, sizeof(*js)) : NULL;
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
        struct alert *a = r->v[i];
        if (v == NULL || js == NULL || alert_hold(a) != 0) {
            alert_free(a);
            continue;
        }
        cu.counts.alerts++;
        cu.counts.alerts_open++;
        js[m] = json_dumps(a->doc, JSON_COMPACT);
        v[m] = (struct store_cu_alert){.id = a->id, .json = js[m] ? js[m] : "{}",
                                       .score = (double)a->raised_ms};
        log_event("warn", "customs_alert", "alert %s %s (%s) on %s", a->id, a->rule, a->severity,
                  json_string_value(json_object_get(a->doc, "declaration")) ?: "-");
        m++;
    }
    if (m) store_cu_alerts_put(v, m, alerts_written, NULL);
    struct decl **touched = m ? calloc(m, sizeof(*touched)) : NULL;
    for (size_t i = 0; touched && i < m; i++)
        touched[i] = decl_find(json_string_value(json_object_get(
                                   alert_find(v[i].id)->doc, "declaration")) ?: "");
    if (touched) refresh_waybills(touched, m);
    free(touched);
    for (size_t i = 0; i < m; i++) free(js[i]);
    free(js);
    free(v);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

static json_t *doc_ref(const struct decl *d) {
    json_t *keys = json_deep_copy(json_object_get(d->block, "keys"));
    return json_pack("{s:s, s:s, s:s, s:o}", "message", d->message, "id", d->id, "kind", d->kind,
                     "keys", keys ? keys : json_object());
}

/* Matching failures of the group around D become alerts (MISMATCH). */
static void check_matching(struct decl *d, struct raise *r) {
    struct group g;
    group_of(d, &g);
    if (!g.order && !g.payment && !g.waybill && !g.inventory) return;
    json_t *m = group_match(&g, d->import);
    if (m == NULL) return;
    json_t *fails = json_object_get(m, "failures"), *f;
    size_t i;
    const struct decl *anchor = g.inventory ? g.inventory : g.order ? g.order : d;
    const char *lno = ks(anchor->block, "logisticsNo");
    if (!lno[0] && g.waybill) lno = ks(g.waybill->block, "logisticsNo");
    json_array_foreach(fails, i, f) {
        /* the failure names its own documents and values: the same
         * mismatch found again as more documents arrive is one alert */
        char *fs = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
        char key[2400];
        snprintf(key, sizeof(key), "match|%s", fs ? fs : "");
        free(fs);
        json_t *docs = json_array();
        struct decl *gd[4] = {g.order, g.payment, g.waybill, g.inventory};
        for (int k = 0; k < 4; k++)
            if (gd[k]) json_array_append_new(docs, doc_ref(gd[k]));
        const char *rule = json_string_value(json_object_get(f, "rule")) ?: "matching";
        char msg[600];
        snprintf(msg, sizeof(msg),
                 "documents of order %.64s / logistics number %.64s do not match: %s",
                 ks(anchor->block, "orderNo"), lno,
                 json_string_value(json_object_get(f, "message")) ?: rule);
        alert_raise(r, key, "document_mismatch", "high",
              json_pack("{s:s, s:s, s:s, s:o, s:O, s:s, s:s}", "declaration", anchor->id,
                        "message", msg, "matching_rule", rule, "documents", docs, "failure", f,
                        "orderNo", ks(anchor->block, "orderNo"), "logisticsNo", lno));
    }
    json_decref(m);
}

/* Enterprise codes D names that are on the negative list become alerts. */
static void check_negative(struct decl *d, struct raise *r) {
    const char *field;
    json_t *v;
    if (d->deleted || json_object_size(cu.neg) == 0) return;
    json_object_foreach(json_object_get(d->block, "head"), field, v) {
        size_t fl = strlen(field);
        const char *code = json_string_value(v);
        json_t *e;
        if (fl < 4 || strcmp(field + fl - 4, "Code") != 0 || !code || !code[0]) continue;
        if ((e = json_object_get(cu.neg, code)) == NULL) continue;
        char key[400], msg[400];
        snprintf(key, sizeof(key), "neg|%s|%s|%s", d->id, field, code);
        snprintf(msg, sizeof(msg),
                 "%s %s names %s %.40s, which is on the credit negative list (%.120s)", d->message,
                 d->id, field, code, json_string_value(json_object_get(e, "reason")) ?: "");
        alert_raise(r, key, "negative_list", "high",
              json_pack("{s:s, s:s, s:[o], s:s, s:s, s:s}", "declaration", d->id, "message", msg,
                        "documents", doc_ref(d), "field", field, "declared", code, "observed",
                        "on the negative list"));
    }
}

/* ---- cross-checks against a linked waybill's events ---------------------------- */

static struct wbev *wbev_find(const char *number) { return mm_first(&cu.evs, number); }

static int64_t released_at(const struct decl *d, const struct wbev *w) {
    size_t i;
    json_t *r;
    int64_t best = 0;
    json_array_foreach(d->returns, i, r) {
        const char *st = json_string_value(json_object_get(r, "status")) ?: "";
        if (strcmp(st, "399") == 0 || strcmp(st, "800") == 0) {
            int64_t t = ceb_time(json_string_value(json_object_get(r, "time_raw")) ?: "");
            if (t > 0 && (best == 0 || t < best)) best = t;
        }
    }
    for (size_t k = 0; w && k < w->n; k++)
        if (w->ev[k].status == CS_CUSTOMS_RELEASED && w->ev[k].classifier == CC_ACTUAL &&
            (best == 0 || w->ev[k].event_time < best))
            best = w->ev[k].event_time;
    return best;
}

static void check_events(struct decl *d, struct raise *r) {
    struct wb_brief *b;
    struct wbev *w;
    if (d->deleted || !is_kind(d, "inventory") || !d->waybill[0]) return;
    if ((w = wbev_find(d->waybill)) == NULL || !w->loaded) return;
    if ((b = malloc(sizeof(*b))) == NULL) return;
    if (waybills_brief(d->waybill, b) != 0) {
        free(b);
        return;
    }
    struct group g;
    group_of(d, &g);
    const char *containers[WB_MAX_CONTAINERS], *route[WB_BRIEF_ROUTE];
    for (int i = 0; i < b->ncontainers; i++) containers[i] = b->containers[i];
    for (int i = 0; i < b->nroute; i++) route[i] = b->route[i];
    struct xc_decl x = {.id = d->id, .import = d->import, .port_code = hs(d->block, "portCode"),
                        .customs_code = hs(d->block, "customsCode"),
                        .traf_mode = hs(d->block, "trafMode"), .traf_no = hs(d->block, "trafNo"),
                        .voyage_no = hs(d->block, "voyageNo"), .containers = containers,
                        .ncontainers = (size_t)b->ncontainers, .route = route,
                        .nroute = (size_t)b->nroute};
    int64_t gw;
    if (cm_decimal(hs(d->block, "grossWeight"), &gw) == 0) {
        x.has_gross = 1;
        x.gross_kg = (double)gw / CM_SCALE;
    }
    x.released_at = released_at(d, w);
    const struct carrier_event **ev = calloc(w->n ? w->n : 1, sizeof(*ev));
    struct xc_result *res = calloc(CU_MAX_RESULTS, sizeof(*res));
    const struct geo_network *gn = srv_network();
    struct xc_places pl = {.nodes = gn ? &gn->nodes : NULL, .offices = &cu.offices};
    if (ev && res && pl.nodes) {
        for (size_t i = 0; i < w->n; i++) ev[i] = &w->ev[i];
        size_t nres = xc_check(&x, ev, w->n, &pl, &cu.xl, res, CU_MAX_RESULTS);
        for (size_t i = 0; i < nres && i < CU_MAX_RESULTS; i++) {
            const struct xc_result *q = &res[i];
            char key[1200];
            snprintf(key, sizeof(key), "xc|%s|%s|%s|%s|%s|%s", d->id, q->rule, q->event_ids[0],
                     q->event_ids[1], q->declared, q->observed);
            json_t *evs = json_array();
            for (int k = 0; k < 2; k++)
                if (q->event_ids[k][0]) json_array_append_new(evs, json_string(q->event_ids[k]));
            json_t *docs = json_array();
            json_array_append_new(docs, doc_ref(d));
            if (g.waybill) json_array_append_new(docs, doc_ref(g.waybill));
            alert_raise(r, key, q->rule, q->severity,
                  json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:s}", "declaration", d->id,
                            "message", q->message, "documents", docs, "waybill", d->waybill,
                            "events", evs, "declared", q->declared, "observed", q->observed,
                            "orderNo", ks(d->block, "orderNo"), "logisticsNo",
                            ks(d->block, "logisticsNo")));
        }
    }
    free(ev);
    free(res);
    free(b);
}

/* Every rule over declaration D (and its group). */
static void check_decl(struct decl *d, struct raise *r) {
    if (d->deleted) return;
    check_negative(d, r);
    check_matching(d, r);
    check_events(d, r);
}

/* ---- linking to Dongting waybills ------------------------------------------------ */

static void recheck_soon(const char *number);

static void wbev_add(struct wbev *w, const struct carrier_event *x) {
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->ev[i].event_id, x->event_id) == 0 &&
            strcmp(w->ev[i].source, x->source) == 0) {
            if (x->retracted) w->ev[i] = w->ev[--w->n];
            return;
        }
    if (x->retracted) return;
    if (w->n == CU_MAX_EVENTS) return;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 16;
        struct carrier_event *ne = realloc(w->ev, nc * sizeof(*ne));
        if (ne == NULL) return;
        w->ev = ne;
        w->cap = nc;
    }
    w->ev[w->n++] = *x;
}

static void timeline_got(int status, const char *const *v, const size_t *lens, size_t n,
                         void *arg) {
    struct wbev *w = arg;
    /* v: total, next, then the events */
    for (size_t i = 2; status == STORE_OK && i < n; i++) {
        json_t *j = json_loadb(v[i], lens[i], 0, NULL);
        struct carrier_event e;
        char why[200];
        if (j && carrier_event_from_json(j, &e, why, sizeof(why)) == 0) wbev_add(w, &e);
        json_decref(j);
    }
    w->loaded = 1;
    recheck_soon(w->number);
}

/* Start holding NUMBER's events (its stored timeline, then what arrives). */
static void wbev_open(const char *number) {
    struct wbev *w;
    if (wbev_find(number) != NULL) return;
    if ((w = calloc(1, sizeof(*w))) == NULL) return;
    snprintf(w->number, sizeof(w->number), "%s", number);
    if (mm_add(&cu.evs, number, w) != 0) {
        free(w);
        return;
    }
    store_wb_timeline(number, NULL, CU_MAX_EVENTS, timeline_got, w);
}

/* The customs state the waybills of V[0..N) show may have moved: each is
 * rendered and stored again (once). */
static void refresh_waybills(struct decl *const *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        if (v[i] == NULL || !v[i]->waybill[0]) continue;
        for (size_t k = 0; k < i && !seen; k++)
            seen = v[k] && strcmp(v[k]->waybill, v[i]->waybill) == 0;
        if (!seen) waybills_refresh(v[i]->waybill);
    }
}

/* The Dongting waybill D names: its logisticsNo, else its billNo, when a
 * waybill has that number.  Returns 1 when the link changed. */
static int link_waybill(struct decl *d) {
    const char *cand[2] = {ks(d->block, "logisticsNo"), ks(d->block, "billNo")};
    struct wb_brief *b = malloc(sizeof(*b));
    int changed = 0;
    if (b == NULL) return 0;
    for (int i = 0; i < 4 && !d->waybill[0]; i++) {
        char norm[WB_NUMBER_LEN];
        const char *c = cand[i / 2];
        if (i % 2) {
            /* the number as Dongting writes it, when the declaration wrote
             * it with separators */
            doc_number_norm(c, norm, sizeof(norm));
            if (strcmp(norm, c) == 0) continue;
            c = norm;
        }
        /* a forwarder's declaration names only its own waybills: another
         * tenant's would show it, and its alerts, on their waybill */
        if (c[0] && waybills_brief(c, b) == 0 &&
            (d->by_customs || strcmp(b->tenant, d->tenant) == 0)) {
            decl_keys(d, key_del);
            snprintf(d->waybill, sizeof(d->waybill), "%s", b->number);
            decl_keys(d, key_add);
            changed = 1;
        }
    }
    free(b);
    if (d->waybill[0]) wbev_open(d->waybill);
    return changed;
}

static void recs_written(int status, void *arg) {
    (void)arg;
    if (status != STORE_OK) cu.counts.write_errors++;
}

static void save_recs(struct decl **v, size_t n) {
    struct store_cu_decl *w = calloc(n ? n : 1, sizeof(*w));
    char **js = calloc(n ? n : 1, sizeof(*js));
    size_t m = 0;
    for (size_t i = 0; w && js && i < n; i++) {
        json_t *r = decl_record(v[i]);
        js[m] = r ? json_dumps(r, JSON_COMPACT) : NULL;
        json_decref(r);
        if (js[m]) {
            w[m] = (struct store_cu_decl){.id = v[i]->id, .rec = js[m], .hist = ""};
            m++;
        }
    }
    if (m) store_cu_recs_put(w, m, recs_written, NULL);
    for (size_t i = 0; i < m; i++) free(js[i]);
    free(js);
    free(w);
}

void customs_on_waybill(const char *number) {
    struct mm_slot *s = idx_get("r:", number, NULL);
    struct decl **ch = NULL, **todo;
    size_t nch = 0, n;
    if (s == NULL || s->n == 0) return;
    /* linking re-indexes each declaration (this very slot among others):
     * work from a copy */
    n = s->n;
    todo = malloc(n * sizeof(*todo));
    ch = calloc(n, sizeof(*ch));
    if (todo) memcpy(todo, s->v, n * sizeof(*todo));
    for (size_t i = 0; todo && ch && i < n; i++) {
        struct decl *d = todo[i];
        if (!d->deleted && link_waybill(d)) ch[nch++] = d;
    }
    free(todo);
    if (nch) {
        save_recs(ch, nch);
        waybills_refresh(number);
    }
    free(ch);
    recheck_soon(number);
}

void customs_on_event(const char *number, const struct carrier_event *x) {
    struct wbev *w = wbev_find(number);
    if (w == NULL) return;   /* no declaration is linked to it */
    wbev_add(w, x);
    if (w->loaded) recheck_soon(number);
}

/* Cross-check again, once per loop turn, the declarations of the waybills
 * that moved (a feed body may carry hundreds of their events). */
void customs_flush(void) {
    struct raise r = {0};
    if (cu.ndirty == 0) return;
    if (cu.recheck_ev) evtimer_del(cu.recheck_ev);
    for (size_t i = 0; i < cu.ndirty; i++) {
        /* events moved: only the event rules can say something new (the
         * matching and the negative list ran when the documents came) */
        struct mm_slot *s = idx_get("w:", cu.dirty_list[i], NULL);
        for (size_t k = 0; s && k < s->n; k++) check_events(s->v[k], &r);
        free(cu.dirty_list[i]);
    }
    cu.ndirty = 0;
    mm_free(&cu.dirty_wb);
    raise_flush(&r);
}

static void recheck_run(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    customs_flush();
}

static void recheck_soon(const char *number) {
    if (mm_first(&cu.dirty_wb, number) != NULL) return;
    if (cu.ndirty == cu.capdirty) {
        size_t nc = cu.capdirty ? cu.capdirty * 2 : 16;
        char **nl = realloc(cu.dirty_list, nc * sizeof(*nl));
        if (nl == NULL) return;
        cu.dirty_list = nl;
        cu.capdirty = nc;
    }
    if ((cu.dirty_list[cu.ndirty] = strdup(number)) == NULL) return;
    if (mm_add(&cu.dirty_wb, number, cu.dirty_list[cu.ndirty]) != 0) {
        free(cu.dirty_list[cu.ndirty]);
        return;
    }
    cu.ndirty++;
    if (cu.recheck_ev == NULL) cu.recheck_ev = evtimer_new(srv_base(), recheck_run, NULL);
    if (cu.recheck_ev != NULL && !evtimer_pending(cu.recheck_ev, NULL)) {
        struct timeval tv = {0, 0};
        evtimer_add(cu.recheck_ev, &tv);
    }
}

/* ---- intake ---------------------------------------------------------------------- */

struct plan {
    struct decl *d;            /* existing, or new (not held yet) */
    int is_new;
    json_t *block;             /* the new block (a declaration) or NULL (a return) */
    json_t *ret;               /* a return entry, or NULL */
    int version, deleted;
    char *rec, *hist;
};

struct submit {
    struct plan *p;
    size_t n;
    char guid[72];
    char msgkey[88];           /* MESSAGE:GUID, what a resend is known by */
    char tenant[64];
    json_t *answer;
    char *answer_js;
    customs_submit_cb *cb;
    void *arg;
};

static void submit_free(struct submit *s) {
    for (size_t i = 0; i < s->n; i++) {
        struct plan *p = &s->p[i];
        if (p->d) p->d->pending = 0;
        if (p->is_new) decl_free(p->d);
        json_decref(p->block);
        json_decref(p->ret);
        free(p->rec);
        free(p->hist);
    }
    free(s->p);
    json_decref(s->answer);
    free(s->answer_js);
    free(s);
}

static void submitted(int status, void *arg) {
    struct submit *s = arg;
    struct raise r = {0};
    struct decl **linked = NULL;
    size_t nlinked = 0;
    if (status != STORE_OK) {
        cu.counts.write_errors += status != STORE_CONFLICT;
        if (status == STORE_CONFLICT)
            s->cb(409, "conflict", "this message guid was stored meanwhile; resend it for its answer",
                  NULL, s->arg);
        else
            s->cb(503, "redis_unavailable", "the declarations could not be stored; nothing was kept",
                  NULL, s->arg);
        submit_free(s);
        return;
    }
    cu.counts.messages++;
    char *dup = strdup(s->answer_js);
    if (dup && mm_add(&cu.msgs, s->msgkey, dup) != 0) free(dup);
    linked = calloc(s->n, sizeof(*linked));
    for (size_t i = 0; i < s->n; i++) {
        struct plan *p = &s->p[i];
        struct decl *d = p->d;
        if (p->ret) {
            json_array_append(d->returns, p->ret);
        } else {
            if (!p->is_new) decl_keys(d, key_del);
            json_decref(d->block);
            d->block = json_incref(p->block);
            guid_add(d->guids, hs(p->block, "guid"));
            d->version = p->version;
            d->deleted = p->deleted;
            buyer_of(d);
            if (p->is_new) {
                if (decl_hold(d) != 0) {
                    log_event("error", "customs_hold_failed", "out of memory holding %s", d->id);
                    p->d = NULL;
                    decl_free(d);
                    continue;
                }
                cu.counts.declarations++;
                p->is_new = 0;
            } else {
                decl_keys(d, key_add);
            }
        }
        d->updated = time(NULL);
        snprintf(d->msg_guid, sizeof(d->msg_guid), "%s", s->guid);
        if (!d->deleted && link_waybill(d) && linked) linked[nlinked++] = d;
    }
    if (nlinked) save_recs(linked, nlinked);
    free(linked);
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i].d) check_decl(s->p[i].d, &r);
    raise_flush(&r);
    struct decl **touched = calloc(s->n, sizeof(*touched));
    for (size_t i = 0; touched && i < s->n; i++) touched[i] = s->p[i].d;
    if (touched) refresh_waybills(touched, s->n);
    free(touched);
    s->cb(201, NULL, NULL, s->answer, s->arg);
    submit_free(s);
}

/* Refuse with CODE and a message about block I. */
static void refuse(struct submit *s, customs_submit_cb *cb, void *arg, int status,
                   const char *code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void refuse(struct submit *s, customs_submit_cb *cb, void *arg, int status,
                   const char *code, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cu.counts.refused++;
    cb(status, code, msg, NULL, arg);
    submit_free(s);
}

/* The natural key of BLOCK, as words for a message. */
static void natkey_text(const char *message, const json_t *block, char *out, size_t len) {
    size_t at = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof(natkeys) / sizeof(natkeys[0]); i++) {
        if (strcmp(natkeys[i].message, message) != 0) continue;
        for (const char *const *f = natkeys[i].fields; *f && at < len; f++)
            at += (size_t)snprintf(out + at, len - at, "%s%s %.64s", at ? ", " : "", *f,
                                   hs(block, *f));
    }
}

void customs_submit(const json_t *msg, const char *tenant, int customs, customs_submit_cb *cb,
                    void *arg) {
    const char *message = json_string_value(json_object_get(msg, "message")) ?: "";
    const char *guid = json_string_value(json_object_get(msg, "guid")) ?: "";
    const char *dir = json_string_value(json_object_get(msg, "direction")) ?: "";
    json_t *blocks = json_object_get(msg, "blocks");
    size_t nb = json_array_size(blocks);
    int64_t now = time(NULL);
    const char *prev;
    struct submit *s;
    if (!cu.loaded) {
        cb(503, "not_ready", "the customs declarations are still loading", NULL, arg);
        return;
    }
    char msgkey[88];
    snprintf(msgkey, sizeof(msgkey), "%.8s:%.72s", message, guid);
    if ((prev = mm_first(&cu.msgs, msgkey)) != NULL) {
        json_t *a = json_loads(prev, 0, NULL);
        cb(200, NULL, NULL, a, arg);
        json_decref(a);
        return;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL || (s->p = calloc(nb ? nb : 1, sizeof(*s->p))) == NULL) {
        free(s);
        cb(503, "out_of_memory", "out of memory", NULL, arg);
        return;
    }
    snprintf(s->guid, sizeof(s->guid), "%s", guid);
    snprintf(s->msgkey, sizeof(s->msgkey), "%s", msgkey);
    snprintf(s->tenant, sizeof(s->tenant), "%s", tenant);
    s->cb = cb;
    s->arg = arg;
    s->answer = json_pack("{s:[]}", "stored");
    for (size_t i = 0; i < nb; i++) {
        json_t *b = json_array_get(blocks, i);
        const char *kind = json_string_value(json_object_get(b, "kind")) ?: "";
        const char *app = json_string_value(json_object_get(b, "app_type")) ?: "add";
        struct plan *p = &s->p[s->n];
        char id[CU_ID_LEN], nk[400];
        struct decl *d;
        json_t *entry;
        if (strcmp(kind, "return") == 0) {
            const char *g = ks(b, "guid");
            struct mm_slot *sl = g[0] ? idx_get("g:", g, NULL) : NULL;
            d = sl && sl->n ? sl->v[0] : NULL;
            if (d == NULL || (!customs && strcmp(d->tenant, tenant) != 0)) {
                refuse(s, cb, arg, 422, "unknown_declaration",
                       "blocks[%zu]: %s answers guid %.72s, but no declaration has it", i, message,
                       g);
                return;
            }
            if (d->pending) {
                refuse(s, cb, arg, 409, "conflict",
                       "blocks[%zu]: declaration %s is being changed by another message; retry",
                       i, d->id);
                return;
            }
            for (size_t k = 0; k < s->n; k++)
                if (s->p[k].d == d && s->p[k].block) {
                    refuse(s, cb, arg, 422, "invalid",
                           "blocks[%zu]: answers declaration %s, which an earlier block of this "
                           "message changes; send them in two messages", i, d->id);
                    return;
                }
            const char *st = hs(b, "returnStatus");
            const char *label =
                json_string_value(json_object_get(json_object_get(b, "codes"), "returnStatus"));
            if (label == NULL) label = "unknown";
            p->d = d;
            p->ret = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "message", message,
                               "status", st, "label", label, "time",
                               iso_json(ceb_time(hs(b, "returnTime"))), "time_raw",
                               hs(b, "returnTime"), "info", hs(b, "returnInfo"), "received",
                               iso_json(now));
            entry = json_pack("{s:s, s:s, s:O, s:s, s:s}", "message", message, "id", d->id,
                              "keys", json_object_get(b, "keys"), "return_status", st,
                              "return_label", label);
        } else {
            if (decl_id(message, b, id, sizeof(id)) != 0) {
                refuse(s, cb, arg, 422, "invalid", "blocks[%zu]: %s declares nothing here", i,
                       message);
                return;
            }
            natkey_text(message, b, nk, sizeof(nk));
            d = decl_find(id);
            size_t dup = SIZE_MAX;
            for (size_t k = 0; k < s->n && dup == SIZE_MAX; k++)
                if (s->p[k].d && strcmp(s->p[k].d->id, id) == 0) {
                    if (!s->p[k].block || !json_equal(s->p[k].block, b)) {
                        /* a return of the same declaration earlier in the
                         * message, or other content */
                        refuse(s, cb, arg, 422, "invalid",
                               "blocks[%zu]: the same declaration as an earlier block (%s), "
                               "with other content", i, nk);
                        return;
                    }
                    dup = k;
                }
            if (dup != SIZE_MAX) {
                /* a byte-for-byte repeat of an earlier block (the official
                 * samples do it): applied once, answered twice */
                json_array_append_new(
                    json_object_get(s->answer, "stored"),
                    json_pack("{s:s, s:s, s:O, s:s, s:i, s:b}", "message", message, "id", id,
                              "keys", json_object_get(b, "keys"), "app_type", app, "version",
                              s->p[dup].version, "repeat", 1));
                continue;
            }
            if (d && d->pending) {
                refuse(s, cb, arg, 409, "conflict",
                       "blocks[%zu]: declaration %s (%s) is being changed by another message; "
                       "retry", i, id, nk);
                return;
            }
            int live = d && !d->deleted && (customs || strcmp(d->tenant, tenant) == 0);
            if (strcmp(app, "add") == 0) {
                if (d && !d->deleted) {
                    refuse(s, cb, arg, 409, "already_declared",
                           "blocks[%zu]: %s %s is already declared (appType 1); appType 2 "
                           "changes it, 3 deletes it", i, message, nk);
                    return;
                }
            } else if (!live) {
                refuse(s, cb, arg, 422, "unknown_declaration",
                       "blocks[%zu]: appType %s (%s) but no declaration %s %s exists", i,
                       strcmp(app, "change") == 0 ? "2" : "3", app, message, nk);
                return;
            }
            if (d == NULL) {
                if ((d = calloc(1, sizeof(*d))) == NULL) {
                    refuse(s, cb, arg, 503, "out_of_memory", "out of memory");
                    return;
                }
                snprintf(d->id, sizeof(d->id), "%s", id);
                snprintf(d->message, sizeof(d->message), "%s", message);
                snprintf(d->kind, sizeof(d->kind), "%s", kind);
                snprintf(d->tenant, sizeof(d->tenant), "%s", tenant);
                d->by_customs = customs;
                d->import = strcmp(dir, "import") == 0;
                d->returns = json_array();
                d->guids = json_array();
                d->first = now;
                p->is_new = 1;
            }
            p->d = d;
            p->block = json_incref(b);
            p->version = d->version + 1;
            p->deleted = strcmp(app, "delete") == 0;
            entry = json_pack("{s:s, s:s, s:O, s:s, s:i}", "message", message, "id", id, "keys",
                              json_object_get(b, "keys"), "app_type", app, "version", p->version);
        }
        s->n++;
        json_array_append_new(json_object_get(s->answer, "stored"), entry);
    }
    /* the records and history entries, as they will be */
    struct store_cu_decl *w = calloc(s->n ? s->n : 1, sizeof(*w));
    s->answer_js = json_dumps(s->answer, JSON_COMPACT);
    if (w == NULL || s->answer_js == NULL) {
        free(w);
        refuse(s, cb, arg, 503, "out_of_memory", "out of memory");
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct plan *p = &s->p[i];
        struct decl *d = p->d, tmp = *d;
        json_t *rets = NULL, *rec, *hist;
        if (p->ret) {
            /* every return of this message for D so far: the last record
             * written for D holds them all */
            rets = json_copy(d->returns);
            for (size_t k = 0; k <= i; k++)
                if (s->p[k].d == d && s->p[k].ret) json_array_append(rets, s->p[k].ret);
            tmp.returns = rets;
            hist = json_pack("{s:s, s:s, s:o, s:O}", "message", message, "message_guid", guid,
                             "at", iso_json(now), "return", p->ret);
        } else {
            tmp.guids = json_copy(d->guids);
            guid_add(tmp.guids, hs(p->block, "guid"));
            rets = tmp.guids; /* freed below with the record */
            tmp.block = p->block;
            tmp.version = p->version;
            tmp.deleted = p->deleted;
            hist = json_pack("{s:s, s:s, s:o, s:i, s:s, s:s, s:O}", "message", message,
                             "message_guid", guid, "at", iso_json(now), "version", p->version,
                             "app_type", p->deleted ? "delete" : d->version ? "change" : "add",
                             "tenant", tenant, "block", p->block);
        }
        tmp.updated = now;
        snprintf(tmp.msg_guid, sizeof(tmp.msg_guid), "%s", guid);
        rec = decl_record(&tmp);
        p->rec = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
        p->hist = hist ? json_dumps(hist, JSON_COMPACT) : NULL;
        json_decref(rec);
        json_decref(hist);
        json_decref(rets);
        w[i] = (struct store_cu_decl){.id = d->id, .rec = p->rec, .hist = p->hist};
        if (!p->rec || !p->hist) {
            free(w);
            refuse(s, cb, arg, 503, "out_of_memory", "out of memory");
            return;
        }
    }
    for (size_t i = 0; i < s->n; i++) s->p[i].d->pending = 1;
    store_cu_declare(w, s->n, s->msgkey, s->answer_js, submitted, s);
    free(w);
}

/* ---- loading ------------------------------------------------------------------------ */

struct load {
    char **ids;
    size_t n, at;
};

static void load_done(void) {
    cu.loaded = 1;
    cu.loading = 0;
    for (size_t i = 0; i < cu.nall; i++)
        if (cu.all[i]->waybill[0] && !cu.all[i]->deleted) wbev_open(cu.all[i]->waybill);
    log_event("info", "customs_loaded", "%zu declarations, %zu alerts, %zu negative-list entries",
              cu.nall, cu.nalerts, json_object_size(cu.neg));
}

static void load_next(struct load *l);

static void recs_got(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    struct load *l = arg;
    if (status != STORE_OK) {
        log_event("error", "customs_load_failed", "declarations could not be read (%d); retrying "
                  "when Redis is back", status);
        for (size_t i = 0; i < l->n; i++) free(l->ids[i]);
        free(l->ids);
        free(l);
        cu.loading = 0;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *r = lens[i] ? json_loadb(v[i], lens[i], 0, NULL) : NULL;
        struct decl *d = r ? decl_from_record(r) : NULL;
        json_decref(r);
        if (d == NULL) continue;
        if (decl_find(d->id) != NULL || decl_hold(d) != 0) decl_free(d);
        else cu.counts.declarations++;
    }
    load_next(l);
}

static void load_next(struct load *l) {
    if (l->at >= l->n) {
        for (size_t i = 0; i < l->n; i++) free(l->ids[i]);
        free(l->ids);
        free(l);
        load_done();
        return;
    }
    size_t m = l->n - l->at < CU_LOAD_BATCH ? l->n - l->at : CU_LOAD_BATCH;
    const char *const *ids = (const char *const *)&l->ids[l->at];
    l->at += m;
    store_cu_recs(ids, m, recs_got, l);
}

static void ids_got(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    struct load *l;
    (void)arg;
    (void)lens;
    if (status != STORE_OK || (l = calloc(1, sizeof(*l))) == NULL ||
        (l->ids = calloc(n ? n : 1, sizeof(*l->ids))) == NULL) {
        if (status == STORE_OK) free(l);
        cu.loading = 0;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if ((l->ids[l->n] = strdup(v[i])) != NULL) l->n++;
    load_next(l);
}

static void alerts_got(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    (void)arg;
    if (status != STORE_OK) {
        cu.loading = 0;
        return;
    }
    for (size_t i = 0; i + 1 < n; i += 2) {
        json_t *doc = json_loadb(v[i + 1], lens[i + 1], 0, NULL);
        struct alert *a;
        if (doc == NULL || alert_find(v[i]) != NULL || (a = calloc(1, sizeof(*a))) == NULL) {
            json_decref(doc);
            continue;
        }
        snprintf(a->id, sizeof(a->id), "%s", v[i]);
        snprintf(a->rule, sizeof(a->rule), "%s", json_string_value(json_object_get(doc, "rule")) ?: "");
        snprintf(a->severity, sizeof(a->severity), "%s",
                 json_string_value(json_object_get(doc, "severity")) ?: "");
        a->raised_ms = json_integer_value(json_object_get(doc, "raised_ms"));
        a->acked = strcmp(json_string_value(json_object_get(doc, "state")) ?: "", "open") != 0;
        a->doc = doc;
        if (alert_hold(a) != 0) {
            alert_free(a);
            continue;
        }
        cu.counts.alerts++;
        cu.counts.alerts_open += !a->acked;
    }
    store_cu_ids(ids_got, NULL);
}

static void neg_got(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    (void)arg;
    if (status != STORE_OK) {
        cu.loading = 0;
        return;
    }
    for (size_t i = 0; i + 1 < n; i += 2) {
        json_t *e = json_loadb(v[i + 1], lens[i + 1], 0, NULL);
        if (e) json_object_set_new(cu.neg, v[i], e);
    }
    store_cu_alerts_load(alerts_got, NULL);
}

static void msgs_got(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    (void)arg;
    (void)lens;
    if (status != STORE_OK) {
        cu.loading = 0;
        return;
    }
    for (size_t i = 0; i + 1 < n; i += 2) {
        char *a = strdup(v[i + 1]);
        if (a && mm_add(&cu.msgs, v[i], a) != 0) free(a);
    }
    store_cu_neg_load(neg_got, NULL);
}

static void on_ready(void) {
    if (cu.loaded || cu.loading) return;
    cu.loading = 1;
    store_cu_messages(msgs_got, NULL);
}

int customs_ready(void) { return cu.loaded; }

int customs_start(const char *offices_csv, char *err, size_t errlen) {
    if (cx_offices_load(&cu.offices, offices_csv, err, errlen) != 0) return -1;
    const struct srv_config *c = srv_cfg();
    xc_limits_default(&cu.xl);
    cm_limits_default(&cu.ml);
    if (c != NULL) {
        /* the configured thresholds (docs/configuration.md) */
        cu.xl.transit_limit_s = c->customs_transit_limit_h * 3600;
        cu.xl.weight_tolerance_pct = (double)c->customs_weight_tolerance_pct;
        cu.xl.weight_tolerance_kg = (double)c->customs_weight_tolerance_g / 1000.0;
        cu.xl.min_distance_km = (double)c->customs_min_distance_km;
        cu.xl.max_speed_kmh[CM_VESSEL] = (double)c->customs_max_speed_kmh[0];
        cu.xl.max_speed_kmh[CM_BARGE] = (double)c->customs_max_speed_kmh[1];
        cu.xl.max_speed_kmh[CM_RAIL] = (double)c->customs_max_speed_kmh[2];
        cu.xl.max_speed_kmh[CM_AIR] = (double)c->customs_max_speed_kmh[3];
        cu.xl.max_speed_kmh[CM_TRUCK] = (double)c->customs_max_speed_kmh[4];
        cu.ml.weight_tolerance_pct = cu.xl.weight_tolerance_pct;
        cu.ml.weight_tolerance_kg = cu.xl.weight_tolerance_kg;
        cu.ml.retail_order_limit = (int64_t)c->customs_retail_order_limit * CM_SCALE;
        cu.ml.retail_year_limit = (int64_t)c->customs_retail_year_limit * CM_SCALE;
    }
    cu.neg = json_object();
    return store_on_ready(on_ready);
}

void customs_stop(void) {
    for (size_t i = 0; i < cu.nall; i++) decl_free(cu.all[i]);
    free(cu.all);
    for (size_t i = 0; i < cu.nalerts; i++) alert_free(cu.alerts[i]);
    free(cu.alerts);
    for (size_t i = 0; i < cu.evs.cap; i++)
        for (size_t k = 0; cu.evs.s && k < cu.evs.s[i].n; k++) {
            struct wbev *w = cu.evs.s[i].v[k];
            free(w->ev);
            free(w);
        }
    for (size_t i = 0; i < cu.msgs.cap; i++)
        for (size_t k = 0; cu.msgs.s && k < cu.msgs.s[i].n; k++) free(cu.msgs.s[i].v[k]);
    for (size_t i = 0; i < cu.ndirty; i++) free(cu.dirty_list[i]);
    free(cu.dirty_list);
    mm_free(&cu.by_id);
    mm_free(&cu.idx);
    mm_free(&cu.msgs);
    mm_free(&cu.evs);
    mm_free(&cu.alert_by_id);
    mm_free(&cu.alerts_of);
    mm_free(&cu.dirty_wb);
    if (cu.recheck_ev) event_free(cu.recheck_ev);
    json_decref(cu.neg);
    cx_offices_free(&cu.offices);
    memset(&cu, 0, sizeof(cu));
}

/* ---- reads ---------------------------------------------------------------------------- */

void customs_waybill_state(const char *number, char *buf, size_t len) {
    struct mm_slot *s = idx_get("w:", number, NULL);
    size_t at = 0, shown = 0;
    int mismatch = 0, incomplete = 0, open = 0, invs = 0, released = 0;
    unsigned mark = ++cu.alert_mark;
    snprintf(buf, len, "{\"state\":\"not_linked\"}");
    if (s == NULL) return;
    char list[800] = "";
    for (size_t i = 0; i < s->n; i++) {
        struct decl *d = s->v[i];
        struct group g;
        const char *st = "none", *ret = NULL;
        if (d->deleted) continue;
        group_of(d, &g);
        if (g.order || g.payment || g.waybill || g.inventory) {
            json_t *m = group_match(&g, d->import);
            st = json_string_value(json_object_get(m, "status")) ?: "none";
            mismatch |= strcmp(st, "MISMATCH") == 0;
            incomplete |= strcmp(st, "INCOMPLETE") == 0;
            st = strcmp(st, "MISMATCH") == 0     ? "MISMATCH"
                 : strcmp(st, "INCOMPLETE") == 0 ? "INCOMPLETE"
                                                 : "MATCHED";
            json_decref(m);
        }
        if (is_kind(d, "inventory")) {
            invs++;
            released += released_at(d, NULL) > 0;
        }
        json_t *last = json_array_get(d->returns, json_array_size(d->returns) - 1);
        ret = json_string_value(json_object_get(last, "label"));
        struct mm_slot *as = mm_find(&cu.alerts_of, d->id, 0);
        for (size_t k = 0; as && k < as->n; k++) {
            struct alert *a = as->v[k];
            if (a->mark == mark) continue;
            a->mark = mark;
            open += !a->acked;
        }
        if (shown < 5 && at < sizeof(list)) {
            at += (size_t)snprintf(list + at, sizeof(list) - at,
                                   "%s{\"id\":\"%s\",\"message\":\"%s\",\"matching\":\"%s\","
                                   "\"return_status\":%s%s%s}",
                                   shown ? "," : "", d->id, d->message, st, ret ? "\"" : "",
                                   ret ? ret : "null", ret ? "\"" : "");
            shown++;
        }
    }
    if (shown == 0 || at >= sizeof(list)) return;
    const char *state = mismatch                     ? "mismatch"
                        : open                       ? "alerts"
                        : incomplete                 ? "incomplete"
                        : invs && released == invs   ? "released"
                                                     : "matched";
    snprintf(buf, len, "{\"state\":\"%s\",\"declarations\":[%s],\"open_alerts\":%d}", state,
             list, open);
}

static json_t *event_brief(const struct carrier_event *e) {
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "event_id", e->event_id, "source",
                          e->source, "status", carrier_status_name(e->status), "classifier",
                          carrier_classifier_name(e->classifier), "mode",
                          carrier_mode_name(e->mode), "time", iso_json(e->event_time));
    if (e->location[0]) json_object_set_new(o, "location", json_string(e->location));
    if (e->has_weight) json_object_set_new(o, "weight_kg", json_real(e->weight_kg));
    return o;
}

static int event_time_cmp(const void *a, const void *b) {
    const struct carrier_event *x = *(const struct carrier_event *const *)a;
    const struct carrier_event *y = *(const struct carrier_event *const *)b;
    return (x->event_time > y->event_time) - (x->event_time < y->event_time);
}

json_t *customs_declaration_view(const char *id) {
    struct decl *d = decl_find(id);
    struct group g;
    json_t *o, *docs, *related, *alerts;
    if (d == NULL) return NULL;
    o = decl_record(d);
    json_object_del(o, "message_guid");
    json_object_set_new(o, "first", iso_json(d->first));
    json_object_set_new(o, "updated", iso_json(d->updated));
    json_t *last = json_array_get(d->returns, json_array_size(d->returns) - 1);
    json_object_set(o, "return_status", last ? last : json_null());
    /* the linked documents */
    group_of(d, &g);
    docs = json_object();
    struct decl *gd[4] = {g.order, g.payment, g.waybill, g.inventory};
    static const char *const names[4] = {"order", "payment", "waybill", "inventory"};
    for (int k = 0; k < 4; k++)
        json_object_set_new(docs, names[k], gd[k] && gd[k] != d ? doc_ref(gd[k]) : json_null());
    json_object_set_new(o, "documents", docs);
    /* other messages about its logistics number: statuses, arrival, departure... */
    related = json_array();
    const char *lno = ks(d->block, "logisticsNo");
    struct mm_slot *s = lno[0] ? idx_get("l:", ks(d->block, "logisticsCode"), lno) : NULL;
    for (size_t i = 0; s && i < s->n; i++) {
        struct decl *x = s->v[i];
        if (x != d && !x->deleted && x != g.waybill && x != g.inventory)
            json_array_append_new(related, doc_ref(x));
    }
    json_object_set_new(o, "related", related);
    /* matching */
    if (g.order || g.payment || g.waybill || g.inventory) {
        json_t *m = group_match(&g, d->import);
        json_object_set_new(o, "matching", m ? m : json_null());
    } else {
        json_object_set_new(o, "matching", json_null());
    }
    /* the waybill and its events */
    struct wb_brief *b = malloc(sizeof(*b));
    if (b && d->waybill[0] && waybills_brief(d->waybill, b) == 0) {
        json_t *cont = json_array(), *route = json_array();
        for (int i = 0; i < b->ncontainers; i++)
            json_array_append_new(cont, json_string(b->containers[i]));
        for (int i = 0; i < b->nroute; i++) json_array_append_new(route, json_string(b->route[i]));
        json_object_set_new(o, "waybill", json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o}",
                                                    "number", b->number, "origin", b->origin,
                                                    "destination", b->dest, "containers", cont,
                                                    "route", route, "mode", b->mode, "eta",
                                                    iso_json(b->eta)));
    } else {
        json_object_set_new(o, "waybill", json_null());
    }
    free(b);
    json_t *evs = json_array();
    struct wbev *w = d->waybill[0] ? wbev_find(d->waybill) : NULL;
    if (w && w->n) {
        const struct carrier_event **ord = calloc(w->n, sizeof(*ord));
        for (size_t i = 0; ord && i < w->n; i++) ord[i] = &w->ev[i];
        if (ord) qsort(ord, w->n, sizeof(*ord), event_time_cmp);
        for (size_t i = 0; ord && i < w->n; i++) json_array_append_new(evs, event_brief(ord[i]));
        free(ord);
    }
    json_object_set_new(o, "events", evs);
    /* rule results: the alerts raised on it */
    alerts = json_array();
    struct mm_slot *as = mm_find(&cu.alerts_of, d->id, 0);
    for (size_t i = 0; as && i < as->n; i++)
        json_array_append(alerts, ((struct alert *)as->v[i])->doc);
    json_object_set_new(o, "rules", json_pack("{s:s, s:o}", "status",
                                              json_array_size(alerts) ? "alerts" : "clear",
                                              "alerts", alerts));
    return o;
}

struct hist_call {
    customs_json_cb *cb;
    void *arg;
};

static void history_got(int status, const char *const *v, const size_t *lens, size_t n,
                        void *arg) {
    struct hist_call *h = arg;
    json_t *a = json_array();
    for (size_t i = 0; status == STORE_OK && i < n; i++) {
        json_t *e = json_loadb(v[i], lens[i], 0, NULL);
        if (e) json_array_append_new(a, e);
    }
    h->cb(status == STORE_OK ? 200 : 503, a, h->arg);
    json_decref(a);
    free(h);
}

void customs_declaration_history(const char *id, customs_json_cb *cb, void *arg) {
    struct hist_call *h;
    if (decl_find(id) == NULL) {
        cb(404, NULL, arg);
        return;
    }
    if ((h = malloc(sizeof(*h))) == NULL) {
        cb(503, NULL, arg);
        return;
    }
    h->cb = cb;
    h->arg = arg;
    store_cu_history(id, history_got, h);
}

int customs_alerts(const char *severity, int64_t since_ms, const char *rule, const char *cursor,
                   int limit, json_t **out) {
    size_t from = 0;
    json_t *list = json_array();
    const char *next = NULL;
    if (cursor != NULL) {
        const struct alert *c = alert_find(cursor);
        if (c == NULL) {
            json_decref(list);
            return -1;
        }
        while (from < cu.nalerts && cu.alerts[from] != c) from++;
        from++;
    }
    for (size_t i = from; i < cu.nalerts; i++) {
        const struct alert *a = cu.alerts[i];
        if ((severity && strcmp(a->severity, severity) != 0) ||
            (rule && strcmp(a->rule, rule) != 0) || a->raised_ms < since_ms)
            continue;
        if ((int)json_array_size(list) == limit) {
            /* there is more: the cursor is the last alert of this page */
            next = json_string_value(
                json_object_get(json_array_get(list, json_array_size(list) - 1), "id"));
            break;
        }
        json_array_append(list, a->doc);
    }
    *out = json_pack("{s:o, s:s?}", "alerts", list, "next_cursor", next);
    return 0;
}

struct ack_call {
    struct alert *a;
    json_t *old;
    customs_json_cb *cb;
    void *arg;
    char *js;
};

static void ack_written(int status, void *arg) {
    struct ack_call *c = arg;
    if (status != STORE_OK) {
        json_decref(c->a->doc);
        c->a->doc = c->old;
        c->a->acked = 0;
        c->cb(503, NULL, c->arg);
    } else {
        json_decref(c->old);
        cu.counts.alerts_open--;
        struct decl *d = decl_find(
            json_string_value(json_object_get(c->a->doc, "declaration")) ?: "");
        refresh_waybills(&d, 1);
        c->cb(200, c->a->doc, c->arg);
    }
    free(c->js);
    free(c);
}

void customs_alert_ack(const char *id, const char *who, const char *note, customs_json_cb *cb,
                       void *arg) {
    struct alert *a = alert_find(id);
    struct ack_call *c;
    if (a == NULL) {
        cb(404, NULL, arg);
        return;
    }
    if (a->acked) {
        cb(409, a->doc, arg);
        return;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        cb(503, NULL, arg);
        return;
    }
    c->a = a;
    c->cb = cb;
    c->arg = arg;
    c->old = a->doc;
    a->doc = json_deep_copy(a->doc);
    a->acked = 1;
    json_object_set_new(a->doc, "state", json_string("acknowledged"));
    json_object_set_new(a->doc, "acknowledged_by", json_string(who));
    json_object_set_new(a->doc, "acknowledged", iso_json(time(NULL)));
    if (note) json_object_set_new(a->doc, "note", json_string(note));
    c->js = json_dumps(a->doc, JSON_COMPACT);
    struct store_cu_alert w = {.id = a->id, .json = c->js ? c->js : "{}",
                               .score = (double)a->raised_ms};
    store_cu_alerts_put(&w, 1, ack_written, c);
}

/* ---- the negative list ---------------------------------------------------------------- */

struct neg_call {
    char code[64];
    json_t *entry;             /* NULL: a removal */
    customs_json_cb *cb;
    void *arg;
};

static void neg_written(int status, void *arg) {
    struct neg_call *c = arg;
    if (status != STORE_OK) {
        c->cb(503, NULL, c->arg);
    } else if (c->entry) {
        struct raise r = {0};
        json_object_set(cu.neg, c->code, c->entry);
        for (size_t i = 0; i < cu.nall; i++) check_negative(cu.all[i], &r);
        raise_flush(&r);
        c->cb(201, c->entry, c->arg);
    } else {
        json_object_del(cu.neg, c->code);
        c->cb(204, NULL, c->arg);
    }
    json_decref(c->entry);
    free(c);
}

void customs_negative_put(const char *code, const char *name, const char *reason,
                          const char *who, customs_json_cb *cb, void *arg) {
    struct neg_call *c = calloc(1, sizeof(*c));
    char *js;
    if (c == NULL) {
        cb(503, NULL, arg);
        return;
    }
    snprintf(c->code, sizeof(c->code), "%s", code);
    c->entry = json_pack("{s:s, s:s, s:s, s:s, s:o}", "code", code, "name", name ? name : "",
                         "reason", reason ? reason : "", "added_by", who, "added",
                         iso_json(time(NULL)));
    c->cb = cb;
    c->arg = arg;
    js = c->entry ? json_dumps(c->entry, JSON_COMPACT) : NULL;
    if (js == NULL) {
        json_decref(c->entry);
        free(c);
        cb(503, NULL, arg);
        return;
    }
    store_cu_neg_set(code, js, neg_written, c);
    free(js);
}

void customs_negative_del(const char *code, customs_json_cb *cb, void *arg) {
    struct neg_call *c;
    if (json_object_get(cu.neg, code) == NULL) {
        cb(404, NULL, arg);
        return;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        cb(503, NULL, arg);
        return;
    }
    snprintf(c->code, sizeof(c->code), "%s", code);
    c->cb = cb;
    c->arg = arg;
    store_cu_neg_set(code, NULL, neg_written, c);
}

json_t *customs_negative_list(void) {
    json_t *a = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(cu.neg, k, v) json_array_append(a, v);
    return json_pack("{s:o}", "entries", a);
}

/* ---- audit ------------------------------------------------------------------------------ */

static void audit_written(int status, void *arg) {
    (void)arg;
    if (status != STORE_OK) {
        cu.counts.write_errors++;
        log_event("error", "customs_audit_failed", "a customs read was not recorded (%d)", status);
    }
}

void customs_audit(const char *role, const char *key_id, const char *tenant, const char *what,
                   const char *reqid, int status) {
    char st[8], at[40];
    snprintf(st, sizeof(st), "%d", status);
    iso(time(NULL), at, sizeof(at));
    const char *fv[] = {"at", at, "role", role, "key_id", key_id, "tenant", tenant,
                        "what", what, "request_id", reqid, "status", st};
    store_cu_audit(fv, sizeof(fv) / sizeof(fv[0]), CU_AUDIT_MAXLEN, audit_written, NULL);
}

/* ---- statistics ------------------------------------------------------------------------- */

struct stat_row {
    char key[64];
    unsigned long shipments, arrived, on_time, at_risk, declarations, cleared, alerts,
        alerts_high;
    double weight_kg, transit_s, clearance_s;
};

struct stat_run {
    int64_t from, to;
    const char *by, *tenant;
    struct stat_row *rows, total;
    size_t n, cap;
};

static void stat_add(struct stat_row *r, const struct wb_brief *b, const char *tm, int decls,
                     int cleared, double clearance_s, unsigned alerts, unsigned high) {
    (void)tm;
    r->shipments++;
    r->weight_kg += b->weight_kg;
    r->at_risk += b->at_risk != 0;
    if (b->arrived > 0) {
        int64_t dep = b->actual_dep ? b->actual_dep : b->sched_dep;
        r->arrived++;
        r->on_time += b->sched_arr > 0 && b->arrived <= b->sched_arr + 3600;
        if (dep > 0 && b->arrived > dep) r->transit_s += (double)(b->arrived - dep);
    }
    r->declarations += (unsigned long)decls;
    r->cleared += (unsigned long)cleared;
    r->clearance_s += clearance_s;
    r->alerts += alerts;
    r->alerts_high += high;
}

static void stat_one(const struct wb_brief *b, void *arg) {
    struct stat_run *s = arg;
    int64_t t = b->sched_dep ? b->sched_dep : b->created;
    char key[64];
    const char *tm = "none";
    int decls = 0, cleared = 0;
    double clearance = 0;
    unsigned alerts = 0, high = 0;
    if (t < s->from || t >= s->to) return;
    if (s->tenant && strcmp(s->tenant, b->tenant) != 0) return;
    struct mm_slot *sl = idx_get("w:", b->number, NULL);
    for (size_t i = 0; sl && i < sl->n; i++) {
        struct decl *d = sl->v[i];
        if (d->deleted || !is_kind(d, "inventory")) continue;
        decls++;
        if (hs(d->block, "tradeMode")[0]) tm = hs(d->block, "tradeMode");
        int64_t rel = released_at(d, wbev_find(b->number));
        if (rel > 0) {
            int64_t decl_t = ceb_time(hs(d->block, "appTime"));
            cleared++;
            if (decl_t > 0 && rel > decl_t) clearance += (double)(rel - decl_t);
        }
    }
    /* the alerts on its declarations, each once */
    unsigned mark = ++cu.alert_mark;
    for (size_t i = 0; sl && i < sl->n; i++) {
        struct mm_slot *as = mm_find(&cu.alerts_of, ((struct decl *)sl->v[i])->id, 0);
        for (size_t k = 0; as && k < as->n; k++) {
            struct alert *a = as->v[k];
            if (a->mark == mark) continue;
            a->mark = mark;
            alerts++;
            high += strcmp(a->severity, "high") == 0;
        }
    }
    if (strcmp(s->by, "corridor") == 0) snprintf(key, sizeof(key), "%s>%s", b->origin, b->dest);
    else if (strcmp(s->by, "trade_mode") == 0) snprintf(key, sizeof(key), "%s", tm);
    else snprintf(key, sizeof(key), "%s", b->mode);
    struct stat_row *r = NULL;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->rows[i].key, key) == 0) r = &s->rows[i];
    if (r == NULL) {
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 16;
            struct stat_row *nr = realloc(s->rows, nc * sizeof(*nr));
            if (nr == NULL) return;
            s->rows = nr;
            s->cap = nc;
        }
        r = &s->rows[s->n++];
        memset(r, 0, sizeof(*r));
        snprintf(r->key, sizeof(r->key), "%s", key);
    }
    stat_add(r, b, tm, decls, cleared, clearance, alerts, high);
    stat_add(&s->total, b, tm, decls, cleared, clearance, alerts, high);
}

static json_t *stat_json(const struct stat_row *r, const char *by) {
    json_t *o = json_pack("{s:s, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", by, r->key,
                          "shipments", (json_int_t)r->shipments, "weight_kg", r->weight_kg,
                          "arrived", (json_int_t)r->arrived, "on_time", (json_int_t)r->on_time,
                          "at_risk", (json_int_t)r->at_risk, "declarations",
                          (json_int_t)r->declarations, "cleared", (json_int_t)r->cleared,
                          "alerts", (json_int_t)r->alerts, "alerts_high",
                          (json_int_t)r->alerts_high);
    json_object_set_new(o, "on_time_rate",
                        r->arrived ? json_real((double)r->on_time / (double)r->arrived)
                                   : json_null());
    json_object_set_new(o, "mean_transit_h",
                        r->arrived ? json_real(r->transit_s / (double)r->arrived / 3600.0)
                                   : json_null());
    json_object_set_new(o, "mean_clearance_h",
                        r->cleared ? json_real(r->clearance_s / (double)r->cleared / 3600.0)
                                   : json_null());
    return o;
}

static int row_cmp(const void *a, const void *b) {
    return strcmp(((const struct stat_row *)a)->key, ((const struct stat_row *)b)->key);
}

json_t *customs_stats(int64_t from, int64_t to, const char *by, const char *tenant) {
    struct stat_run s = {.from = from, .to = to, .by = by, .tenant = tenant};
    json_t *groups = json_array(), *o;
    snprintf(s.total.key, sizeof(s.total.key), "%s", "all");
    waybills_each(stat_one, &s);
    if (s.n > 1) qsort(s.rows, s.n, sizeof(*s.rows), row_cmp);
    for (size_t i = 0; i < s.n; i++) json_array_append_new(groups, stat_json(&s.rows[i], by));
    o = json_pack("{s:o, s:o, s:s, s:o, s:o}", "from", iso_json(from), "to",
                  to >= INT64_MAX / 4 ? json_null() : iso_json(to), "by",
                  by, "groups", groups, "total", stat_json(&s.total, by));
    json_object_del(json_object_get(o, "total"), by);
    free(s.rows);
    return o;
}

void customs_counts(struct customs_counts *out) { *out = cu.counts; }
