/* event.c -- the canonical carrier event, its batch, its JSON and the
 * shared identifier checks (see event.h). */
#include "event.h"

#include "geodata/timefmt.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[CS_COUNT] = {
    "BOOKED",        "DOCUMENTED",       "RECEIVED",      "GATE_IN",
    "LOADED",        "DEPARTED",         "ARRIVED",       "DISCHARGED",
    "TRANSSHIPPED",  "BORDER_CROSSED",   "CUSTOMS_HOLD",  "CUSTOMS_RELEASED",
    "GATE_OUT",      "OUT_FOR_DELIVERY", "DELIVERED",     "CANCELLED",
    "EXCEPTION",
};
static const char *const classifier_names[] = {"PLN", "EST", "ACT"};
static const char *const mode_names[] = {"UNKNOWN", "VESSEL", "BARGE", "RAIL", "AIR", "TRUCK"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *carrier_status_name(enum carrier_status s) {
    return (unsigned)s < CS_COUNT ? status_names[s] : "EXCEPTION";
}

const char *carrier_classifier_name(enum carrier_classifier c) {
    return (unsigned)c < NELEM(classifier_names) ? classifier_names[c] : "ACT";
}

const char *carrier_mode_name(enum carrier_mode m) {
    return (unsigned)m < NELEM(mode_names) ? mode_names[m] : "UNKNOWN";
}

static int find_name(const char *const *names, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return (int)i;
    return -1;
}

int carrier_status_parse(const char *name) {
    return find_name(status_names, CS_COUNT, name);
}

int carrier_classifier_parse(const char *name) {
    return find_name(classifier_names, NELEM(classifier_names), name);
}

int carrier_mode_parse(const char *name) {
    return find_name(mode_names, NELEM(mode_names), name);
}

/* ---- batch ---- */

void carrier_batch_init(struct carrier_batch *b) {
    memset(b, 0, sizeof(*b));
}

void carrier_batch_free(struct carrier_batch *b) {
    free(b->ev);
    free(b->rej);
    memset(b, 0, sizeof(*b));
}

struct carrier_event *carrier_batch_add(struct carrier_batch *b) {
    struct carrier_event *e;
    if (b->n >= CARRIER_MAX_EVENTS) return NULL;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct carrier_event *nv = realloc(b->ev, cap * sizeof(*nv));
        if (!nv) return NULL;
        b->ev = nv;
        b->cap = cap;
    }
    e = &b->ev[b->n++];
    memset(e, 0, sizeof(*e));
    e->stop_sequence = -1;
    e->pieces = -1;
    e->index = b->n - 1 + b->nrej;
    return e;
}

void carrier_batch_drop_last(struct carrier_batch *b) {
    if (b->n > 0) b->n--;
}

int carrier_batch_reject(struct carrier_batch *b, size_t index, const char *fmt, ...) {
    va_list ap;
    struct carrier_reject *r;
    if (b->nrej == b->caprej) {
        size_t cap = b->caprej ? b->caprej * 2 : 8;
        struct carrier_reject *nv = realloc(b->rej, cap * sizeof(*nv));
        if (!nv) return -1;
        b->rej = nv;
        b->caprej = cap;
    }
    r = &b->rej[b->nrej++];
    r->index = index;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
    return 0;
}

/* ---- one event ---- */

int carrier_event_add_ref(struct carrier_event *e, const char *kind, const char *value) {
    size_t kl = strlen(kind), vl = strlen(value);
    if (vl == 0 || vl >= CARRIER_REF_VALUE || kl == 0 || kl >= CARRIER_REF_KIND ||
        e->nrefs >= CARRIER_MAX_REFS)
        return -1;
    for (int i = 0; i < e->nrefs; i++)   /* the same reference twice adds nothing */
        if (strcmp(e->refs[i].kind, kind) == 0 && strcmp(e->refs[i].value, value) == 0)
            return 0;
    memcpy(e->refs[e->nrefs].kind, kind, kl + 1);
    memcpy(e->refs[e->nrefs].value, value, vl + 1);
    e->nrefs++;
    return 0;
}

const char *carrier_event_ref(const struct carrier_event *e, const char *kind) {
    for (int i = 0; i < e->nrefs; i++)
        if (strcmp(e->refs[i].kind, kind) == 0) return e->refs[i].value;
    return NULL;
}

/* Feed S and a separator byte (so "ab"+"c" and "a"+"bc" differ). */
static void hash_str(EVP_MD_CTX *ctx, const char *s) {
    EVP_DigestUpdate(ctx, s, strlen(s));
    EVP_DigestUpdate(ctx, "\x1f", 1);
}

void carrier_event_hash_id(struct carrier_event *e) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char num[64];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    /* References in a fixed order (sorted by kind, then value), so that the
     * order a source lists them in does not change the id. */
    int order[CARRIER_MAX_REFS];
    for (int i = 0; i < e->nrefs; i++) order[i] = i;
    for (int i = 1; i < e->nrefs; i++)
        for (int j = i; j > 0; j--) {
            const struct carrier_ref *a = &e->refs[order[j - 1]], *b = &e->refs[order[j]];
            int c = strcmp(a->kind, b->kind);
            if (c < 0 || (c == 0 && strcmp(a->value, b->value) <= 0)) break;
            int t = order[j - 1];
            order[j - 1] = order[j];
            order[j] = t;
        }
    if (!ctx) {   /* cannot hash: an id from the fields, still stable */
        snprintf(e->event_id, sizeof(e->event_id), "h-%s-%s-%lld", e->code, e->location,
                 (long long)e->event_time);
        return;
    }
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    hash_str(ctx, e->source);
    for (int i = 0; i < e->nrefs; i++) {
        hash_str(ctx, e->refs[order[i]].kind);
        hash_str(ctx, e->refs[order[i]].value);
    }
    hash_str(ctx, e->code);
    hash_str(ctx, carrier_classifier_name(e->classifier));
    snprintf(num, sizeof(num), "%lld", (long long)e->event_time);
    hash_str(ctx, num);
    hash_str(ctx, e->location);
    hash_str(ctx, e->stop_id);
    snprintf(num, sizeof(num), "%d/%d/%d", (int)e->stop_sequence, e->has_delay,
             (int)e->delay_s);
    hash_str(ctx, num);
    hash_str(ctx, e->start_date);
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    e->event_id[0] = 'h';
    e->event_id[1] = '-';
    for (unsigned i = 0; i < 16 && i < mdlen; i++)
        snprintf(e->event_id + 2 + 2 * i, 3, "%02x", md[i]);
}

json_t *carrier_event_to_json(const struct carrier_event *e) {
    char t[32];
    json_t *j = json_object(), *refs = json_object();
    if (!j || !refs) {
        json_decref(j);
        json_decref(refs);
        return NULL;
    }
    json_object_set_new(j, "event_id", json_string(e->event_id));
    json_object_set_new(j, "source", json_string(e->source));
    json_object_set_new(j, "status", json_string(carrier_status_name(e->status)));
    json_object_set_new(j, "code", json_string(e->code));
    json_object_set_new(j, "classifier", json_string(carrier_classifier_name(e->classifier)));
    json_object_set_new(j, "mode", json_string(carrier_mode_name(e->mode)));
    /* refs: {"container":["CSQU3054383"], "bl":["..."]} */
    for (int i = 0; i < e->nrefs; i++) {
        json_t *arr = json_object_get(refs, e->refs[i].kind);
        if (!arr) {
            arr = json_array();
            json_object_set_new(refs, e->refs[i].kind, arr);
        }
        json_array_append_new(arr, json_string(e->refs[i].value));
    }
    json_object_set_new(j, "refs", refs);
    if (e->location[0] || e->has_coords) {   /* a place may be coordinates only */
        json_t *loc = json_object();
        json_object_set_new(loc, "code", e->location[0] ? json_string(e->location) : json_null());
        json_object_set_new(loc, "kind", e->location[0] ? json_string(e->loc_kind) : json_null());
        if (e->has_coords) {
            json_object_set_new(loc, "lat", json_real(e->lat));
            json_object_set_new(loc, "lon", json_real(e->lon));
        }
        json_object_set_new(j, "location", loc);
    } else {
        json_object_set_new(j, "location", json_null());
    }
    if (e->event_time) {
        time_format_iso8601(e->event_time, e->event_offset_s, t, sizeof(t));
        json_object_set_new(j, "event_time", json_string(t));
    } else {
        json_object_set_new(j, "event_time", json_null());
    }
    json_object_set_new(j, "event_ts", json_integer(e->event_time));
    time_format_iso8601(e->received, 0, t, sizeof(t));
    json_object_set_new(j, "received", json_string(t));
    json_object_set_new(j, "received_ts", json_integer(e->received));
    if (e->stop_id[0]) json_object_set_new(j, "stop_id", json_string(e->stop_id));
    if (e->stop_sequence >= 0)
        json_object_set_new(j, "stop_sequence", json_integer(e->stop_sequence));
    if (e->start_date[0]) json_object_set_new(j, "start_date", json_string(e->start_date));
    if (e->has_delay) json_object_set_new(j, "delay_s", json_integer(e->delay_s));
    if (e->has_weight) json_object_set_new(j, "weight_kg", json_real(e->weight_kg));
    if (e->pieces >= 0) json_object_set_new(j, "pieces", json_integer(e->pieces));
    if (e->retracted) {
        json_object_set_new(j, "retracted", json_true());
        json_object_set_new(j, "retracts", json_string(e->retracts));
    }
    return j;
}

/* Copy string member KEY of J into DST (LEN bytes); absent is "", a
 * non-string or a too long one fails. */
static int get_str(json_t *j, const char *key, char *dst, size_t len, char *why,
                   size_t whylen) {
    json_t *v = json_object_get(j, key);
    dst[0] = '\0';
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v) || json_string_length(v) >= len) {
        snprintf(why, whylen, "%s: not a string of fewer than %zu bytes", key, len);
        return -1;
    }
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

int carrier_event_from_json(json_t *j, struct carrier_event *e, char *why, size_t whylen) {
    char name[32];
    json_t *v, *refs, *loc;
    const char *kind;
    int k;

    memset(e, 0, sizeof(*e));
    e->stop_sequence = -1;
    e->pieces = -1;
    if (!json_is_object(j)) {
        snprintf(why, whylen, "event: not an object");
        return -1;
    }
    if (get_str(j, "event_id", e->event_id, sizeof(e->event_id), why, whylen) ||
        get_str(j, "source", e->source, sizeof(e->source), why, whylen) ||
        get_str(j, "code", e->code, sizeof(e->code), why, whylen))
        return -1;
    if (!e->event_id[0]) {
        snprintf(why, whylen, "event_id: missing");
        return -1;
    }
    if (get_str(j, "status", name, sizeof(name), why, whylen)) return -1;
    if ((k = carrier_status_parse(name)) < 0) {
        snprintf(why, whylen, "status: unknown '%s'", name);
        return -1;
    }
    e->status = (enum carrier_status)k;
    if (get_str(j, "classifier", name, sizeof(name), why, whylen)) return -1;
    if ((k = carrier_classifier_parse(name)) < 0) {
        snprintf(why, whylen, "classifier: unknown '%s'", name);
        return -1;
    }
    e->classifier = (enum carrier_classifier)k;
    if (get_str(j, "mode", name, sizeof(name), why, whylen)) return -1;
    k = carrier_mode_parse(name);
    e->mode = k < 0 ? CM_UNKNOWN : (enum carrier_mode)k;

    refs = json_object_get(j, "refs");
    json_object_foreach(refs, kind, v) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (!json_is_string(x) || carrier_event_add_ref(e, kind, json_string_value(x))) {
                snprintf(why, whylen, "refs.%s[%zu]: bad reference", kind, i);
                return -1;
            }
        }
    }
    loc = json_object_get(j, "location");
    if (json_is_object(loc)) {
        if (get_str(loc, "code", e->location, sizeof(e->location), why, whylen) ||
            get_str(loc, "kind", e->loc_kind, sizeof(e->loc_kind), why, whylen))
            return -1;
        if (json_is_number(json_object_get(loc, "lat")) &&
            json_is_number(json_object_get(loc, "lon"))) {
            e->has_coords = 1;
            e->lat = json_number_value(json_object_get(loc, "lat"));
            e->lon = json_number_value(json_object_get(loc, "lon"));
        }
    }
    v = json_object_get(j, "event_time");
    if (json_is_string(v)) {
        if (time_parse_iso8601_off(json_string_value(v), &e->event_time, &e->event_offset_s,
                                   why, whylen))
            return -1;
    }
    e->received = json_integer_value(json_object_get(j, "received_ts"));
    if (get_str(j, "stop_id", e->stop_id, sizeof(e->stop_id), why, whylen) ||
        get_str(j, "start_date", e->start_date, sizeof(e->start_date), why, whylen) ||
        get_str(j, "retracts", e->retracts, sizeof(e->retracts), why, whylen))
        return -1;
    if (json_is_integer(v = json_object_get(j, "stop_sequence")))
        e->stop_sequence = (int32_t)json_integer_value(v);
    if (json_is_integer(v = json_object_get(j, "delay_s"))) {
        e->has_delay = 1;
        e->delay_s = (int32_t)json_integer_value(v);
    }
    if (json_is_number(v = json_object_get(j, "weight_kg"))) {
        e->has_weight = 1;
        e->weight_kg = json_number_value(v);
    }
    if (json_is_integer(v = json_object_get(j, "pieces")))
        e->pieces = (int32_t)json_integer_value(v);
    e->retracted = json_is_true(json_object_get(j, "retracted"));
    return 0;
}

/* ---- identifiers ---- */

int carrier_iso6346_valid(const char *s) {
    int sum = 0;
    if (strlen(s) != 11) return 0;
    for (int i = 0; i < 4; i++)
        if (s[i] < 'A' || s[i] > 'Z') return 0;
    if (!strchr("UJZR", s[3])) return 0;
    for (int i = 4; i < 11; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    for (int i = 0; i < 10; i++) {
        int v;
        if (i < 4) {
            /* A=10 upwards, skipping the multiples of 11 (11, 22, 33). */
            v = 10;
            for (char c = 'A'; c < s[i]; c++)
                if (++v % 11 == 0) v++;
        } else {
            v = s[i] - '0';
        }
        sum += v << i;
    }
    return sum % 11 % 10 == s[10] - '0';
}

int carrier_awb_valid(const char *s, char *out, size_t outlen) {
    char d[11];
    int n = 0;
    long serial7 = 0;
    size_t len = strlen(s);
    if (len == 12 && s[3] == '-') {
        for (int i = 0; i < 12; i++)
            if (i != 3) d[n++] = s[i];
    } else if (len == 11) {
        memcpy(d, s, 11);
        n = 11;
    } else {
        return 0;
    }
    for (int i = 0; i < 11; i++)
        if (!isdigit((unsigned char)d[i])) return 0;
    for (int i = 3; i < 10; i++) serial7 = serial7 * 10 + (d[i] - '0');
    if (serial7 % 7 != d[10] - '0') return 0;
    if (out) snprintf(out, outlen, "%.3s-%.8s", d, d + 3);
    return 1;
}

int carrier_unlocode_valid(const char *s) {
    if (strlen(s) != 5) return 0;
    for (int i = 0; i < 2; i++)
        if (s[i] < 'A' || s[i] > 'Z') return 0;
    for (int i = 2; i < 5; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '2' && s[i] <= '9'))) return 0;
    return 1;
}

int carrier_iata_valid(const char *s) {
    return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
           s[2] >= 'A' && s[2] <= 'Z';
}
