/* waybill.c -- the waybill record's pure parts (waybill.h): the POST and
 * PATCH bodies validated into a struct waybill, the stored document, and
 * the masking of personal data.  Rules and bounds: docs/waybills.md, "The
 * waybill record".  Nothing here replies, logs or touches Redis; a reason
 * never quotes a name, phone or address (they are personal data, and
 * reasons reach logs and clients). */
#include "waybill.h"
#include "carriers/event.h"
#include "geodata/timefmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define WB_NAME_CHARS 100
#define WB_PHONE_MIN_DIGITS 5
#define WB_PHONE_MAX_DIGITS 20
#define WB_ADDRESS_BYTES 200
#define WB_MAX_PIECES 1000000
#define WB_MAX_WEIGHT 1e7
#define WB_MAX_VOLUME 1e5
#define WB_MAX_TEU 1e4
#define WB_TIME_MIN INT64_C(946684800)   /* 2000-01-01T00:00:00Z */
#define WB_TIME_MAX INT64_C(4102444800)  /* 2100-01-01T00:00:00Z */
#define WB_QUOTE 40                      /* bytes of a bad value quoted */

static const char *const type_names[WB_TYPE_COUNT] = {"bl",   "hbl",      "awb",
                                                      "hawb", "cim_smgs", "cbec"};
static const char *const book_names[] = {"fastest", "cheapest", "greenest"};

/* ---- UTF-8 and quoting --------------------------------------------------- */

/* The valid UTF-8 sequence at S (N bytes left): its length (1..4) with the
 * code point in *CP, or 0 when the byte at S starts no valid sequence
 * (overlong forms, surrogates and values past U+10FFFF included). */
static int utf8_char(const unsigned char *s, size_t n, uint32_t *cp) {
    uint32_t c = s[0], min;
    int len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) len = 2, c &= 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, c &= 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, c &= 0x07, min = 0x10000;
    else return 0;
    if ((size_t)len > n) return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

/* C0, DEL and C1 controls. */
static int is_control(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* At most WB_QUOTE bytes of S into OUT (48+ bytes), cut on a character
 * boundary, invalid bytes and controls written as '?', "..." appended when
 * cut: always valid UTF-8, so that a reason can go into a JSON reply. */
static const char *quote(const char *s, char *out, size_t outlen) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, o = 0;
    while (i < n) {
        uint32_t cp;
        int len = utf8_char(p + i, n - i, &cp);
        if (len == 0 || is_control(cp)) {
            if (o + 1 > WB_QUOTE || o + 1 >= outlen) break;
            out[o++] = '?';
            i++;
            continue;
        }
        if (o + (size_t)len > WB_QUOTE || o + (size_t)len >= outlen) break;
        memcpy(out + o, p + i, (size_t)len);
        o += (size_t)len;
        i += (size_t)len;
    }
    if (i < n && o + 4 <= outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

int waybill_error(struct wb_error *e, const char *field, const char *fmt, ...) {
    va_list ap;
    snprintf(e->field, sizeof(e->field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
    va_end(ap);
    return -1;
}

/* Copy S (known to fit) into DST of DSTLEN bytes. */
static void put(char *dst, size_t dstlen, const char *s) {
    snprintf(dst, dstlen, "%s", s);
}

/* ---- small getters ------------------------------------------------------- */

/* The member KEY of O as a string into *OUT: 0 with *OUT NULL when absent
 * or null and not REQUIRED, 0 with the string, or -1 (E filled, PATH
 * naming it) when it is missing, not a string or holds a NUL. */
static int get_str(const json_t *o, const char *key, const char *path, int required,
                   const char **out, struct wb_error *e) {
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return required ? waybill_error(e, path, "is required") : 0;
    if (!json_is_string(v)) return waybill_error(e, path, "must be a string");
    if (strlen(json_string_value(v)) != json_string_length(v))
        return waybill_error(e, path, "must not contain a NUL character");
    *out = json_string_value(v);
    return 0;
}

/* O without its const: jansson iterates only over mutable objects, and
 * nothing here mutates one. */
static json_t *mutable_json(const json_t *o) {
    union {
        const json_t *c;
        json_t *m;
    } u;
    u.c = o;
    return u.m;
}

/* Does O hold only members named in KEYS (N of them)?  0, or -1 with E
 * naming the first stranger under PREFIX ("" at the top) and the reason
 * listing as many strangers as fit. */
static int only_keys(const json_t *o, const char *const *keys, size_t n,
                     const char *prefix, struct wb_error *e) {
    const char *k;
    json_t *v;
    char list[160] = "", q[48];
    size_t used = 0, count = 0;
    int first = 1;
    json_object_foreach(mutable_json(o), k, v) {
        size_t i;
        for (i = 0; i < n; i++)
            if (strcmp(k, keys[i]) == 0) break;
        if (i < n) continue;
        if (first) {
            snprintf(e->field, sizeof(e->field), "%s%s%s", prefix, prefix[0] ? "." : "",
                     quote(k, q, sizeof(q)));
            first = 0;
        }
        count++;
        if (used < sizeof(list)) {
            int w = snprintf(list + used, sizeof(list) - used, "%s'%s'", used ? ", " : "",
                             quote(k, q, sizeof(q)));
            if (w > 0 && used + (size_t)w < sizeof(list)) used += (size_t)w;
            else {
                list[used] = '\0';
                used = sizeof(list);
            }
        }
    }
    if (first) return 0;
    snprintf(e->reason, sizeof(e->reason), "unknown field%s %s%s", count > 1 ? "s" : "",
             list, used == sizeof(list) ? " ..." : "");
    return -1;
}

/* ---- numbers and codes --------------------------------------------------- */

const char *waybill_type_name(enum wb_type t) {
    return (unsigned)t < WB_TYPE_COUNT ? type_names[t] : "?";
}

int waybill_type_parse(const char *s) {
    for (int i = 0; i < WB_TYPE_COUNT; i++)
        if (strcmp(s, type_names[i]) == 0) return i;
    return -1;
}

/* Is S LO..HI bytes of upper-case letters, digits and the characters in
 * EXTRA?  0 yes; 1 wrong length; 2 has lower case (and would pass in upper
 * case); 3 another character. */
static int shape(const char *s, size_t lo, size_t hi, const char *extra) {
    size_t n = strlen(s);
    int lower = 0;
    if (n < lo || n > hi) return 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            (c != '\0' && strchr(extra, c)))
            continue;
        if (c >= 'a' && c <= 'z') lower = 1;
        else return 3;
    }
    return lower ? 2 : 0;
}

/* Number S of type T into OUT (WB_NUMBER_LEN), normalised (AWBs dashed).
 * 0, or -1 with E naming PATH. */
static int check_number(enum wb_type t, const char *s, const char *path, char *out,
                        struct wb_error *e) {
    char q[48];
    int r;
    quote(s, q, sizeof(q));
    switch (t) {
    case WB_BL:
    case WB_HBL:
        r = shape(s, 4, 35, "");
        if (r == 2) return waybill_error(e, path, "'%s' must be upper case", q);
        if (r) return waybill_error(e, path, "'%s' is not 4 to 35 of A-Z and 0-9", q);
        break;
    case WB_AWB:
        if (!carrier_awb_valid(s, out, WB_NUMBER_LEN)) {
            size_t n = strlen(s), digits = 0;
            for (size_t i = 0; i < n; i++) digits += isdigit((unsigned char)s[i]) != 0;
            if ((n == 11 && digits == 11) || (n == 12 && digits == 11 && s[3] == '-'))
                return waybill_error(e, path, "'%s': the check digit does not match (serial mod 7)",
                           q);
            return waybill_error(e, path, "'%s' is not an air waybill number NNN-NNNNNNNN", q);
        }
        return 0;
    case WB_HAWB:
        r = shape(s, 1, 35, "-");
        if (r == 2) return waybill_error(e, path, "'%s' must be upper case", q);
        if (r) return waybill_error(e, path, "'%s' is not 1 to 35 of A-Z, 0-9 and '-'", q);
        break;
    case WB_CIM_SMGS:
        r = shape(s, 4, 35, "-");
        if (r == 2) return waybill_error(e, path, "'%s' must be upper case", q);
        if (r) return waybill_error(e, path, "'%s' is not 4 to 35 of A-Z, 0-9 and '-'", q);
        break;
    case WB_CBEC:
    default:
        r = shape(s, 4, 60, "-_abcdefghijklmnopqrstuvwxyz");
        if (r) return waybill_error(e, path, "'%s' is not 4 to 60 of A-Z, a-z, 0-9, '-' and '_'", q);
        break;
    }
    put(out, WB_NUMBER_LEN, s);
    return 0;
}

/* The optional "master" of a waybill of type T numbered NUMBER (V may be
 * NULL or null: none) into OUT.  0 or -1. */
static int check_master(const json_t *v, enum wb_type t, const char *number, char *out,
                        struct wb_error *e) {
    const char *s;
    out[0] = '\0';
    if (v == NULL || json_is_null(v)) return 0;
    if (t != WB_HBL && t != WB_HAWB)
        return waybill_error(e, "master", "only hbl and hawb have a master (this is %s)",
                   type_names[t]);
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return waybill_error(e, "master", "must be a string");
    s = json_string_value(v);
    if (check_number(t == WB_HBL ? WB_BL : WB_AWB, s, "master", out, e) != 0) return -1;
    if (strcmp(out, number) == 0) {
        char q[48];
        out[0] = '\0';
        return waybill_error(e, "master", "'%s' is the waybill's own number", quote(s, q, sizeof(q)));
    }
    return 0;
}

/* Node code NAME of O into OUT: 2..20 of A-Z, 0-9, '-', known to NODE_OK
 * when given.  0 or -1. */
static int check_code(const char *path, const char *s, char *out, wb_node_ok_fn *node_ok,
                      void *arg, struct wb_error *e) {
    char q[48];
    int r = shape(s, 2, 20, "-");
    quote(s, q, sizeof(q));
    if (r == 2) return waybill_error(e, path, "'%s' must be upper case", q);
    if (r) return waybill_error(e, path, "'%s' is not a node code (2 to 20 of A-Z, 0-9, '-')", q);
    if (node_ok && !node_ok(s, arg)) return waybill_error(e, path, "no node '%s'", q);
    put(out, WB_CODE_LEN, s);
    return 0;
}

/* ---- parties ------------------------------------------------------------- */

/* Text S (LEN bytes as JSON gave it) of a party at PATH: valid UTF-8, no
 * control characters, 1..MAXCHARS characters (0: no limit) and at most
 * MAXBYTES bytes.  Never quotes S.  0 or -1. */
static int check_text(const char *path, const char *s, size_t maxchars, size_t maxbytes,
                      struct wb_error *e) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), chars = 0, blank = 1;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int len = utf8_char(p + i, n - i, &cp);
        if (len == 0) return waybill_error(e, path, "is not valid UTF-8 (byte %zu)", i);
        if (is_control(cp))
            return waybill_error(e, path, "must not contain control characters (byte %zu)", i);
        if (cp != ' ') blank = 0;
        chars++;
        i += (size_t)len;
    }
    if (n == 0 || blank) return waybill_error(e, path, "must not be empty or blank");
    if (maxchars && chars > maxchars)
        return waybill_error(e, path, "is %zu characters long, at most %zu", chars, maxchars);
    if (n > maxbytes) return waybill_error(e, path, "is %zu bytes long, at most %zu", n, maxbytes);
    return 0;
}

/* Phone S at PATH: digits, spaces and + - ( ), 5..20 digits, fitting in
 * struct wb_party.  Never quotes S.  0 or -1. */
static int check_phone(const char *path, const char *s, struct wb_error *e) {
    size_t n = strlen(s), digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)s[i])) digits++;
        else if (!strchr("+-() ", s[i]))
            return waybill_error(e, path, "may hold only digits, spaces and + - ( ) (byte %zu)", i);
    }
    if (digits < WB_PHONE_MIN_DIGITS || digits > WB_PHONE_MAX_DIGITS)
        return waybill_error(e, path, "has %zu digits, must have %d to %d", digits,
                   WB_PHONE_MIN_DIGITS, WB_PHONE_MAX_DIGITS);
    if (n >= sizeof(((struct wb_party *)0)->phone))
        return waybill_error(e, path, "is %zu characters long, at most %zu", n,
                   sizeof(((struct wb_party *)0)->phone) - 1);
    return 0;
}

/* Party object V at PATH ("shipper" or "consignee"; only a consignee has
 * an account) into P (zeroed).  0 or -1. */
static int parse_party(const json_t *v, const char *path, int consignee,
                       struct wb_party *p, struct wb_error *e) {
    static const char *const keys[] = {"name", "phone", "address", "account"};
    char f[64], q[48];
    const char *s;
    memset(p, 0, sizeof(*p));
    if (v == NULL || json_is_null(v)) return waybill_error(e, path, "is required");
    if (!json_is_object(v)) return waybill_error(e, path, "must be an object");
    if (only_keys(v, keys, 4, path, e) != 0) return -1;

    snprintf(f, sizeof(f), "%s.name", path);
    if (get_str(v, "name", f, 1, &s, e) != 0 ||
        check_text(f, s, WB_NAME_CHARS, sizeof(p->name) - 1, e) != 0)
        return -1;
    put(p->name, sizeof(p->name), s);

    snprintf(f, sizeof(f), "%s.phone", path);
    if (get_str(v, "phone", f, 0, &s, e) != 0) return -1;
    if (s && check_phone(f, s, e) != 0) return -1;
    if (s) put(p->phone, sizeof(p->phone), s);

    snprintf(f, sizeof(f), "%s.address", path);
    if (get_str(v, "address", f, 0, &s, e) != 0) return -1;
    if (s && check_text(f, s, 0, WB_ADDRESS_BYTES, e) != 0) return -1;
    if (s) put(p->address, sizeof(p->address), s);

    snprintf(f, sizeof(f), "%s.account", path);
    if (json_object_get(v, "account") && !consignee)
        return waybill_error(e, f, "only the consignee has an account");
    if (get_str(v, "account", f, 0, &s, e) != 0) return -1;
    if (s) {
        size_t n = strlen(s);
        int ok = n >= 1 && n <= 63;
        for (size_t i = 0; ok && i < n; i++)
            ok = isalnum((unsigned char)s[i]) || strchr("._-", s[i]);
        if (!ok)
            return waybill_error(e, f, "'%s' is not 1 to 63 of A-Z, a-z, 0-9, '.', '_', '-'",
                       quote(s, q, sizeof(q)));
        put(p->account, sizeof(p->account), s);
    }
    return 0;
}

/* ---- cargo and containers ------------------------------------------------ */

/* Optional number KEY of O at PATH into *OUT (0 when absent or null), in
 * LO..HI; GT0 refuses 0.  REQUIRED refuses absence.  0 or -1. */
static int get_num(const json_t *o, const char *key, const char *path, int required,
                   int gt0, double hi, double *out, struct wb_error *e) {
    json_t *v = json_object_get(o, key);
    double d;
    *out = 0;
    if (v == NULL || json_is_null(v)) return required ? waybill_error(e, path, "is required") : 0;
    if (!json_is_number(v)) return waybill_error(e, path, "must be a number");
    d = json_number_value(v);
    if (d < 0 || (gt0 && d == 0) || d > hi)
        return waybill_error(e, path, "%.17g is not %s 0 and at most %.0f", d,
                   gt0 ? "above" : "at least", hi);
    *out = d;
    return 0;
}

/* Cargo object V into C (zeroed).  0 or -1. */
static int parse_cargo(const json_t *v, struct wb_cargo *c, struct wb_error *e) {
    static const char *const keys[] = {"pieces", "weight_kg", "volume_m3", "teu",
                                       "hs_codes"};
    json_t *x, *h;
    size_t i;
    char f[64], q[48];
    memset(c, 0, sizeof(*c));
    if (v == NULL || json_is_null(v)) return waybill_error(e, "cargo", "is required");
    if (!json_is_object(v)) return waybill_error(e, "cargo", "must be an object");
    if (only_keys(v, keys, 5, "cargo", e) != 0) return -1;

    x = json_object_get(v, "pieces");
    if (x == NULL || json_is_null(x)) return waybill_error(e, "cargo.pieces", "is required");
    if (!json_is_integer(x)) return waybill_error(e, "cargo.pieces", "must be an integer");
    if (json_integer_value(x) < 1 || json_integer_value(x) > WB_MAX_PIECES)
        return waybill_error(e, "cargo.pieces", "%" JSON_INTEGER_FORMAT " is not 1 to %d",
                   json_integer_value(x), WB_MAX_PIECES);
    c->pieces = (int)json_integer_value(x);

    if (get_num(v, "weight_kg", "cargo.weight_kg", 1, 1, WB_MAX_WEIGHT, &c->weight_kg, e) ||
        get_num(v, "volume_m3", "cargo.volume_m3", 0, 0, WB_MAX_VOLUME, &c->volume_m3, e) ||
        get_num(v, "teu", "cargo.teu", 0, 0, WB_MAX_TEU, &c->teu, e))
        return -1;

    x = json_object_get(v, "hs_codes");
    if (x == NULL || json_is_null(x)) return 0;
    if (!json_is_array(x)) return waybill_error(e, "cargo.hs_codes", "must be an array of strings");
    if (json_array_size(x) > WB_MAX_HS)
        return waybill_error(e, "cargo.hs_codes", "has %zu codes, at most %d", json_array_size(x),
                   WB_MAX_HS);
    json_array_foreach(x, i, h) {
        const char *s = json_string_value(h);
        size_t n = s ? strlen(s) : 0;
        int ok = s && json_string_length(h) == n && (n == 6 || n == 8 || n == 10);
        snprintf(f, sizeof(f), "cargo.hs_codes[%zu]", i);
        if (!json_is_string(h)) return waybill_error(e, f, "must be a string");
        for (size_t k = 0; ok && k < n; k++) ok = isdigit((unsigned char)s[k]) != 0;
        if (!ok) return waybill_error(e, f, "'%s' is not an HS code of 6, 8 or 10 digits",
                            quote(s, q, sizeof(q)));
        put(c->hs[c->nhs++], sizeof(c->hs[0]), s);
    }
    return 0;
}

/* Container list V (NULL or null: none) into W.  0 or -1. */
static int parse_containers(const json_t *v, struct waybill *w, struct wb_error *e) {
    json_t *x;
    size_t i;
    char f[64], q[48];
    w->ncontainers = 0;
    memset(w->containers, 0, sizeof(w->containers));
    if (v == NULL || json_is_null(v)) return 0;
    if (!json_is_array(v)) return waybill_error(e, "containers", "must be an array of strings");
    if (json_array_size(v) > WB_MAX_CONTAINERS)
        return waybill_error(e, "containers", "has %zu containers, at most %d", json_array_size(v),
                   WB_MAX_CONTAINERS);
    json_array_foreach(v, i, x) {
        const char *s = json_string_value(x);
        snprintf(f, sizeof(f), "containers[%zu]", i);
        if (s == NULL || strlen(s) != json_string_length(x))
            return waybill_error(e, f, "must be a string");
        quote(s, q, sizeof(q));
        if (!carrier_iso6346_valid(s)) {
            int r = shape(s, 11, 11, "");
            int shaped = r == 0 || r == 2;
            for (int k = 0; shaped && k < 11; k++)
                shaped = k < 4 ? isalpha((unsigned char)s[k]) != 0
                               : isdigit((unsigned char)s[k]) != 0;
            if (shaped && r == 2) return waybill_error(e, f, "'%s' must be upper case", q);
            if (shaped && strchr("UJZR", s[3]))
                return waybill_error(e, f, "'%s': the ISO 6346 check digit does not match", q);
            return waybill_error(e, f,
                       "'%s' is not an ISO 6346 number (owner code, U/J/Z/R, 6 digits "
                       "and a check digit)",
                       q);
        }
        for (int k = 0; k < w->ncontainers; k++)
            if (strcmp(w->containers[k], s) == 0)
                return waybill_error(e, f, "'%s' repeats containers[%d]", q, k);
        put(w->containers[w->ncontainers++], sizeof(w->containers[0]), s);
    }
    return 0;
}

/* Departure V (ISO 8601 with an offset) into *OUT.  0 or -1. */
static int parse_departure(const json_t *v, int64_t *out, struct wb_error *e) {
    char why[128], q[48];
    const char *s;
    if (v == NULL || json_is_null(v)) return waybill_error(e, "departure", "is required");
    s = json_string_value(v);
    if (s == NULL || strlen(s) != json_string_length(v))
        return waybill_error(e, "departure", "must be an ISO 8601 time with an offset");
    quote(s, q, sizeof(q));
    if (time_parse_iso8601(s, out, why, sizeof(why)) != 0)
        return waybill_error(e, "departure", "'%s': %s", q, why);
    if (*out < WB_TIME_MIN || *out >= WB_TIME_MAX)
        return waybill_error(e, "departure", "'%s' is not in the years 2000 to 2099", q);
    return 0;
}

/* ---- booking ------------------------------------------------------------- */

/* The booking of BODY into B: at most one of "itinerary", "book" and (when
 * PATCH) "accept_proposal"; exactly one when REQUIRED.  BOOK (12 bytes)
 * gets how the legs will be chosen, untouched when there is no booking.
 * 0 or -1. */
static int parse_booking(const json_t *body, int patch, int required,
                         struct wb_booking *b, char *book, struct wb_error *e) {
    json_t *it = json_object_get(body, "itinerary"), *bk = json_object_get(body, "book"),
           *ap = patch ? json_object_get(body, "accept_proposal") : NULL, *legs, *l;
    int n;
    size_t i;
    char f[64], q[48];

    /* null is the same as absent, as for every optional field. */
    if (json_is_null(it)) it = NULL;
    if (json_is_null(bk)) bk = NULL;
    if (json_is_null(ap)) ap = NULL;
    n = (it != NULL) + (bk != NULL) + (ap != NULL);

    memset(b, 0, sizeof(*b));
    if (n > 1)
        return waybill_error(e, bk ? "book" : "accept_proposal",
                   patch ? "give at most one of itinerary, book and accept_proposal"
                         : "give either itinerary or book, not both");
    if (n == 0)
        return required ? waybill_error(e, "book",
                              "give either itinerary (one from /v1/routes) or book "
                              "(fastest, cheapest or greenest)")
                        : 0;
    if (bk) {
        const char *s = json_string_value(bk);
        if (s == NULL || strlen(s) != json_string_length(bk))
            return waybill_error(e, "book", "must be one of fastest, cheapest, greenest");
        for (int k = 0; k < 3; k++)
            if (strcmp(s, book_names[k]) == 0) {
                b->kind = (enum wb_book)(WB_BOOK_FASTEST + k);
                put(book, 12, s);
                return 0;
            }
        return waybill_error(e, "book", "'%s' is not one of fastest, cheapest, greenest",
                   quote(s, q, sizeof(q)));
    }
    if (ap) {
        if (!json_is_integer(ap) || json_integer_value(ap) < 0 ||
            json_integer_value(ap) >= WB_MAX_LEGS)
            return waybill_error(e, "accept_proposal", "must be an integer from 0 to %d",
                       WB_MAX_LEGS - 1);
        b->kind = WB_BOOK_PROPOSAL;
        b->proposal = (int)json_integer_value(ap);
        put(book, 12, "itinerary");
        return 0;
    }
    if (!json_is_object(it))
        return waybill_error(e, "itinerary", "must be an object (one itinerary from /v1/routes)");
    legs = json_object_get(it, "legs");
    if (!json_is_array(legs) || json_array_size(legs) == 0)
        return waybill_error(e, "itinerary.legs", "must be a non-empty array");
    if (json_array_size(legs) > WB_MAX_LEGS)
        return waybill_error(e, "itinerary.legs", "has %zu legs, at most %d", json_array_size(legs),
                   WB_MAX_LEGS);
    json_array_foreach(legs, i, l) {
        if (!json_is_object(l)) {
            snprintf(f, sizeof(f), "itinerary.legs[%zu]", i);
            return waybill_error(e, f, "must be an object");
        }
    }
    b->kind = WB_BOOK_ITINERARY;
    b->itinerary = it;
    put(book, 12, "itinerary");
    return 0;
}

/* ---- POST ---------------------------------------------------------------- */

int waybill_parse(const json_t *body, struct waybill *w, struct wb_booking *b,
                  wb_node_ok_fn *node_ok, void *arg, struct wb_error *e) {
    static const char *const keys[] = {
        "number",      "type",  "master",     "shipper",   "consignee", "origin",
        "destination", "cargo", "containers", "departure", "itinerary", "book"};
    const char *s;
    char q[48];
    int t;

    memset(w, 0, sizeof(*w));
    memset(b, 0, sizeof(*b));
    memset(e, 0, sizeof(*e));
    if (!json_is_object(body)) return waybill_error(e, "", "the body must be a JSON object");
    if (only_keys(body, keys, sizeof(keys) / sizeof(keys[0]), "", e) != 0) return -1;

    if (get_str(body, "type", "type", 1, &s, e) != 0) return -1;
    if ((t = waybill_type_parse(s)) < 0)
        return waybill_error(e, "type", "'%s' is not one of bl, hbl, awb, hawb, cim_smgs, cbec",
                   quote(s, q, sizeof(q)));
    w->type = (enum wb_type)t;
    if (get_str(body, "number", "number", 1, &s, e) != 0 ||
        check_number(w->type, s, "number", w->number, e) != 0 ||
        check_master(json_object_get(body, "master"), w->type, w->number, w->master, e) !=
            0 ||
        parse_party(json_object_get(body, "shipper"), "shipper", 0, &w->shipper, e) != 0 ||
        parse_party(json_object_get(body, "consignee"), "consignee", 1, &w->consignee,
                    e) != 0)
        goto fail;

    if (get_str(body, "origin", "origin", 1, &s, e) != 0 ||
        check_code("origin", s, w->origin, node_ok, arg, e) != 0 ||
        get_str(body, "destination", "destination", 1, &s, e) != 0 ||
        check_code("destination", s, w->destination, node_ok, arg, e) != 0)
        goto fail;
    if (strcmp(w->origin, w->destination) == 0) {
        waybill_error(e, "destination", "'%s' is the origin too", quote(s, q, sizeof(q)));
        goto fail;
    }
    if (parse_cargo(json_object_get(body, "cargo"), &w->cargo, e) != 0 ||
        parse_containers(json_object_get(body, "containers"), w, e) != 0 ||
        parse_departure(json_object_get(body, "departure"), &w->departure, e) != 0 ||
        parse_booking(body, 0, 1, b, w->book, e) != 0)
        goto fail;
    return 0;
fail:
    /* Personal data parsed so far does not linger in a refused record. */
    memset(w, 0, sizeof(*w));
    memset(b, 0, sizeof(*b));
    return -1;
}

/* ---- PATCH --------------------------------------------------------------- */

static int party_eq(const struct wb_party *a, const struct wb_party *b) {
    return strcmp(a->name, b->name) == 0 && strcmp(a->phone, b->phone) == 0 &&
           strcmp(a->address, b->address) == 0 && strcmp(a->account, b->account) == 0;
}

static int cargo_eq(const struct wb_cargo *a, const struct wb_cargo *b) {
    if (a->pieces != b->pieces || a->weight_kg != b->weight_kg ||
        a->volume_m3 != b->volume_m3 || a->teu != b->teu || a->nhs != b->nhs)
        return 0;
    for (int i = 0; i < a->nhs; i++)
        if (strcmp(a->hs[i], b->hs[i]) != 0) return 0;
    return 1;
}

static int containers_eq(const struct waybill *a, const struct waybill *b) {
    if (a->ncontainers != b->ncontainers) return 0;
    for (int i = 0; i < a->ncontainers; i++)
        if (strcmp(a->containers[i], b->containers[i]) != 0) return 0;
    return 1;
}

/* Append NAME to the comma-separated list OUT (LEN bytes). */
static void add_name(char *out, size_t len, const char *name) {
    size_t n = strlen(out);
    if (len == 0) return;
    snprintf(out + n, len - n, "%s%s", n ? "," : "", name);
}

int waybill_patch(const json_t *body, struct waybill *w, struct wb_booking *b,
                  wb_node_ok_fn *node_ok, void *arg, char *changed, size_t changedlen,
                  struct wb_error *e) {
    static const char *const keys[] = {
        "shipper",     "consignee", "cargo",     "containers", "destination",
        "master",      "origin",    "departure", "itinerary",  "book",
        "accept_proposal", "number", "type",     "tenant"};
    static const char *const fixed[] = {"number", "type", "tenant"};
    struct waybill nw = *w;
    const json_t *v;
    const char *s;
    char q[48];

    memset(b, 0, sizeof(*b));
    memset(e, 0, sizeof(*e));
    if (changedlen) changed[0] = '\0';
    if (!json_is_object(body)) return waybill_error(e, "", "the body must be a JSON object");
    if (only_keys(body, keys, sizeof(keys) / sizeof(keys[0]), "", e) != 0) return -1;
    for (int i = 0; i < 3; i++)
        if (json_object_get(body, fixed[i]))
            return waybill_error(e, fixed[i], "cannot change (create a new waybill instead)");
    if (parse_booking(body, 1, 0, b, nw.book, e) != 0) goto fail;
    if (b->kind == WB_BOOK_NONE) {
        const char *need = json_object_get(body, "origin")      ? "origin"
                           : json_object_get(body, "departure") ? "departure"
                                                                : NULL;
        if (need) {
            waybill_error(e, need, "changes only with a rebooking (itinerary, book or "
                         "accept_proposal)");
            goto fail;
        }
    }
    if ((v = json_object_get(body, "shipper")) &&
        parse_party(v, "shipper", 0, &nw.shipper, e) != 0)
        goto fail;
    if ((v = json_object_get(body, "consignee")) &&
        parse_party(v, "consignee", 1, &nw.consignee, e) != 0)
        goto fail;
    if ((v = json_object_get(body, "cargo")) && parse_cargo(v, &nw.cargo, e) != 0)
        goto fail;
    if ((v = json_object_get(body, "containers")) && parse_containers(v, &nw, e) != 0)
        goto fail;
    if ((v = json_object_get(body, "master")) &&
        check_master(v, nw.type, nw.number, nw.master, e) != 0)
        goto fail;
    if (json_object_get(body, "origin") &&
        (get_str(body, "origin", "origin", 1, &s, e) != 0 ||
         check_code("origin", s, nw.origin, node_ok, arg, e) != 0))
        goto fail;
    if (json_object_get(body, "destination") &&
        (get_str(body, "destination", "destination", 1, &s, e) != 0 ||
         check_code("destination", s, nw.destination, node_ok, arg, e) != 0))
        goto fail;
    if (strcmp(nw.origin, nw.destination) == 0) {
        const char *f = json_object_get(body, "destination") ? "destination" : "origin";
        waybill_error(e, f, "'%s' is the origin too", quote(nw.destination, q, sizeof(q)));
        goto fail;
    }
    if ((v = json_object_get(body, "departure")) && parse_departure(v, &nw.departure, e))
        goto fail;

    if (!party_eq(&nw.shipper, &w->shipper)) add_name(changed, changedlen, "shipper");
    if (!party_eq(&nw.consignee, &w->consignee)) add_name(changed, changedlen, "consignee");
    if (!cargo_eq(&nw.cargo, &w->cargo)) add_name(changed, changedlen, "cargo");
    if (!containers_eq(&nw, w)) add_name(changed, changedlen, "containers");
    if (strcmp(nw.destination, w->destination) != 0)
        add_name(changed, changedlen, "destination");
    if (strcmp(nw.master, w->master) != 0) add_name(changed, changedlen, "master");
    if (strcmp(nw.origin, w->origin) != 0) add_name(changed, changedlen, "origin");
    if (nw.departure != w->departure) add_name(changed, changedlen, "departure");
    /* A rebooking always counts: the legs are chosen again. */
    if (b->kind == WB_BOOK_ITINERARY) add_name(changed, changedlen, "itinerary");
    else if (b->kind == WB_BOOK_PROPOSAL) add_name(changed, changedlen, "accept_proposal");
    else if (b->kind != WB_BOOK_NONE) add_name(changed, changedlen, "book");
    *w = nw;
    return 0;
fail:
    memset(&nw, 0, sizeof(nw));
    memset(b, 0, sizeof(*b));
    if (changedlen) changed[0] = '\0';
    return -1;
}

/* ---- the stored document ------------------------------------------------- */

/* Every field of P, empty ones included. */
static json_t *party_doc(const struct wb_party *p) {
    return json_pack("{s:s, s:s, s:s, s:s}", "name", p->name, "phone", p->phone, "address",
                     p->address, "account", p->account);
}

json_t *waybill_legs_json(const struct waybill *w) {
    json_t *a = json_array();
    for (int i = 0; a && i < w->nlegs && i < WB_MAX_LEGS; i++) {
        const struct wb_leg *l = &w->legs[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "mode", l->mode,
                              "carrier", l->carrier, "trip_id", l->trip_id, "run_id",
                              l->run_id, "from", l->from, "to", l->to, "sched_dep",
                              (json_int_t)l->sched_dep, "sched_arr",
                              (json_int_t)l->sched_arr);
        if (json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *waybill_doc(const struct waybill *w) {
    json_t *hs = json_array(), *cont = json_array(), *cargo, *doc;
    for (int i = 0; hs && i < w->cargo.nhs && i < WB_MAX_HS; i++)
        if (json_array_append_new(hs, json_string(w->cargo.hs[i])) != 0) goto oom;
    for (int i = 0; cont && i < w->ncontainers && i < WB_MAX_CONTAINERS; i++)
        if (json_array_append_new(cont, json_string(w->containers[i])) != 0) goto oom;
    if (hs == NULL || cont == NULL) goto oom;
    cargo = json_pack("{s:i, s:f, s:f, s:f, s:o}", "pieces", w->cargo.pieces, "weight_kg",
                      w->cargo.weight_kg, "volume_m3", w->cargo.volume_m3, "teu",
                      w->cargo.teu, "hs_codes", hs);
    hs = NULL; /* json_pack's "o" took it, even on failure */
    doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:I, s:s, s:o, "
                    "s:I, s:I, s:i}",
                    "number", w->number, "type", waybill_type_name(w->type), "master",
                    w->master, "tenant", w->tenant, "shipper", party_doc(&w->shipper),
                    "consignee", party_doc(&w->consignee), "origin", w->origin,
                    "destination", w->destination, "cargo", cargo, "containers", cont,
                    "departure", (json_int_t)w->departure, "book", w->book, "legs",
                    waybill_legs_json(w), "created", (json_int_t)w->created, "updated",
                    (json_int_t)w->updated, "version", w->version);
    return doc;
oom:
    json_decref(hs);
    json_decref(cont);
    return NULL;
}

/* Reading a document back: each helper writes WHY and returns -1 on a
 * member that is missing, of the wrong type or too long for its buffer. */

static int doc_fail(char *why, size_t whylen, const char *path, const char *what) {
    snprintf(why, whylen, "%s: %s", path, what);
    return -1;
}

/* Put "PATH." in front of WHY unless it names PATH already: the helpers
 * below name a member by its key alone. */
static int doc_within(char *why, size_t whylen, const char *path) {
    size_t n = strlen(path);
    char tmp[256];
    if (strncmp(why, path, n) != 0 || (why[n] != '.' && why[n] != ':')) {
        snprintf(tmp, sizeof(tmp), "%s.%s", path, why);
        snprintf(why, whylen, "%s", tmp);
    }
    return -1;
}

/* Does O (an object at PATH) hold exactly the N KEYS? */
static int doc_keys(const json_t *o, const char *const *keys, size_t n, const char *path,
                    char *why, size_t whylen) {
    struct wb_error e;
    if (!json_is_object(o)) return doc_fail(why, whylen, path, "not an object");
    if (only_keys(o, keys, n, path, &e) != 0)
        return doc_fail(why, whylen, e.field, "not a field of the document");
    for (size_t i = 0; i < n; i++)
        if (json_object_get(o, keys[i]) == NULL) {
            snprintf(why, whylen, "%s%s%s: missing", path, path[0] ? "." : "", keys[i]);
            return -1;
        }
    return 0;
}

static int doc_str(const json_t *o, const char *key, char *buf, size_t len, char *why,
                   size_t whylen) {
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) return doc_fail(why, whylen, key, "not a string");
    if (json_string_length(v) >= len || strlen(json_string_value(v)) != json_string_length(v))
        return doc_fail(why, whylen, key, "too long or holds a NUL");
    memcpy(buf, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int doc_int(const json_t *o, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   char *why, size_t whylen) {
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return doc_fail(why, whylen, key, "not an integer in range");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int doc_real(const json_t *o, const char *key, double *out, char *why,
                    size_t whylen) {
    json_t *v = json_object_get(o, key);
    if (!json_is_real(v)) return doc_fail(why, whylen, key, "not a real number");
    *out = json_real_value(v);
    return 0;
}

static int doc_party(const json_t *o, struct wb_party *p, const char *path, char *why,
                     size_t whylen) {
    static const char *const keys[] = {"name", "phone", "address", "account"};
    if (doc_keys(o, keys, 4, path, why, whylen) != 0 ||
        doc_str(o, "name", p->name, sizeof(p->name), why, whylen) != 0 ||
        doc_str(o, "phone", p->phone, sizeof(p->phone), why, whylen) != 0 ||
        doc_str(o, "address", p->address, sizeof(p->address), why, whylen) != 0 ||
        doc_str(o, "account", p->account, sizeof(p->account), why, whylen) != 0)
        return doc_within(why, whylen, path);
    return 0;
}

/* String array A of at most MAX entries into ROWS (ROWLEN bytes each). */
static int doc_strings(const json_t *a, const char *path, int max, char *rows,
                       size_t rowlen, int *n, char *why, size_t whylen) {
    json_t *v;
    size_t i;
    if (!json_is_array(a) || json_array_size(a) > (size_t)max)
        return doc_fail(why, whylen, path, "not an array of at most the maximum entries");
    json_array_foreach(a, i, v) {
        if (!json_is_string(v) || json_string_length(v) >= rowlen ||
            strlen(json_string_value(v)) != json_string_length(v))
            return doc_fail(why, whylen, path, "an entry is not a string that fits");
        memcpy(rows + i * rowlen, json_string_value(v), json_string_length(v) + 1);
    }
    *n = (int)json_array_size(a);
    return 0;
}

int waybill_from_doc(const json_t *doc, struct waybill *w, char *why, size_t whylen) {
    static const char *const keys[] = {
        "number",    "type",   "master",     "tenant",    "shipper", "consignee",
        "origin",    "destination", "cargo", "containers", "departure", "book",
        "legs",      "created", "updated",  "version"};
    static const char *const ckeys[] = {"pieces", "weight_kg", "volume_m3", "teu",
                                        "hs_codes"};
    static const char *const lkeys[] = {"mode", "from", "to", "carrier", "trip_id",
                                        "run_id", "sched_dep", "sched_arr"};
    char type[16];
    const json_t *cargo, *legs, *l;
    int64_t v;
    size_t i;
    int t;

    memset(w, 0, sizeof(*w));
    if (doc_keys(doc, keys, sizeof(keys) / sizeof(keys[0]), "", why, whylen) != 0 ||
        doc_str(doc, "number", w->number, sizeof(w->number), why, whylen) != 0 ||
        doc_str(doc, "type", type, sizeof(type), why, whylen) != 0)
        goto fail;
    if (w->number[0] == '\0') {
        doc_fail(why, whylen, "number", "empty");
        goto fail;
    }
    if ((t = waybill_type_parse(type)) < 0) {
        doc_fail(why, whylen, "type", "not a waybill type");
        goto fail;
    }
    w->type = (enum wb_type)t;
    if (doc_str(doc, "master", w->master, sizeof(w->master), why, whylen) != 0 ||
        doc_str(doc, "tenant", w->tenant, sizeof(w->tenant), why, whylen) != 0 ||
        doc_party(json_object_get(doc, "shipper"), &w->shipper, "shipper", why, whylen) ||
        doc_party(json_object_get(doc, "consignee"), &w->consignee, "consignee", why,
                  whylen) ||
        doc_str(doc, "origin", w->origin, sizeof(w->origin), why, whylen) != 0 ||
        doc_str(doc, "destination", w->destination, sizeof(w->destination), why, whylen) ||
        doc_str(doc, "book", w->book, sizeof(w->book), why, whylen) != 0)
        goto fail;

    cargo = json_object_get(doc, "cargo");
    if (doc_keys(cargo, ckeys, 5, "cargo", why, whylen) != 0 ||
        doc_int(cargo, "pieces", 0, INT32_MAX, &v, why, whylen) != 0) {
        doc_within(why, whylen, "cargo");
        goto fail;
    }
    w->cargo.pieces = (int)v;
    if (doc_real(cargo, "weight_kg", &w->cargo.weight_kg, why, whylen) ||
        doc_real(cargo, "volume_m3", &w->cargo.volume_m3, why, whylen) ||
        doc_real(cargo, "teu", &w->cargo.teu, why, whylen)) {
        doc_within(why, whylen, "cargo");
        goto fail;
    }
    if (doc_strings(json_object_get(cargo, "hs_codes"), "cargo.hs_codes", WB_MAX_HS,
                    &w->cargo.hs[0][0], sizeof(w->cargo.hs[0]), &w->cargo.nhs, why,
                    whylen) ||
        doc_strings(json_object_get(doc, "containers"), "containers", WB_MAX_CONTAINERS,
                    &w->containers[0][0], sizeof(w->containers[0]), &w->ncontainers, why,
                    whylen))
        goto fail;

    if (doc_int(doc, "departure", INT64_MIN, INT64_MAX, &w->departure, why, whylen) ||
        doc_int(doc, "created", INT64_MIN, INT64_MAX, &w->created, why, whylen) ||
        doc_int(doc, "updated", INT64_MIN, INT64_MAX, &w->updated, why, whylen) ||
        doc_int(doc, "version", INT32_MIN, INT32_MAX, &v, why, whylen))
        goto fail;
    w->version = (int)v;

    legs = json_object_get(doc, "legs");
    if (!json_is_array(legs) || json_array_size(legs) > WB_MAX_LEGS) {
        doc_fail(why, whylen, "legs", "not an array of at most 8 legs");
        goto fail;
    }
    json_array_foreach(legs, i, l) {
        struct wb_leg *g = &w->legs[i];
        char path[32];
        snprintf(path, sizeof(path), "legs[%zu]", i);
        if (doc_keys(l, lkeys, 8, path, why, whylen) != 0 ||
            doc_str(l, "mode", g->mode, sizeof(g->mode), why, whylen) ||
            doc_str(l, "carrier", g->carrier, sizeof(g->carrier), why, whylen) ||
            doc_str(l, "trip_id", g->trip_id, sizeof(g->trip_id), why, whylen) ||
            doc_str(l, "run_id", g->run_id, sizeof(g->run_id), why, whylen) ||
            doc_str(l, "from", g->from, sizeof(g->from), why, whylen) ||
            doc_str(l, "to", g->to, sizeof(g->to), why, whylen) ||
            doc_int(l, "sched_dep", INT64_MIN, INT64_MAX, &g->sched_dep, why, whylen) ||
            doc_int(l, "sched_arr", INT64_MIN, INT64_MAX, &g->sched_arr, why, whylen)) {
            doc_within(why, whylen, path);
            goto fail;
        }
    }
    w->nlegs = (int)json_array_size(legs);
    return 0;
fail:
    memset(w, 0, sizeof(*w));
    return -1;
}

/* ---- masking ------------------------------------------------------------- */

void waybill_mask_name(const char *name, char *out, size_t outlen) {
    const unsigned char *p = (const unsigned char *)name;
    size_t n = strlen(name), i = 0, o = 0;
    if (outlen == 0) return;
    while (i < n) {
        uint32_t cp;
        int len = utf8_char(p + i, n - i, &cp);
        /* The first character shows unless it is a stray byte (the mask
         * stays valid UTF-8); every later one is a '*' but for spaces. */
        if (i == 0 && len > 0) {
            if ((size_t)len >= outlen - o) break;
            memcpy(out + o, p, (size_t)len);
            o += (size_t)len;
        } else {
            if (o + 1 >= outlen) break;
            out[o++] = len == 1 && cp == ' ' ? ' ' : '*';
        }
        i += len > 0 ? (size_t)len : 1;
    }
    out[o] = '\0';
}

void waybill_mask_phone(const char *phone, char *out, size_t outlen) {
    size_t digits = 0, seen = 0, o = 0;
    if (outlen == 0) return;
    for (const char *s = phone; *s; s++) digits += isdigit((unsigned char)*s) != 0;
    for (const char *s = phone; *s && o + 1 < outlen; s++) {
        if (!isdigit((unsigned char)*s)) continue;
        out[o++] = seen + 4 < digits ? '*' : *s;
        seen++;
    }
    out[o] = '\0';
}

json_t *waybill_party_json(const struct wb_party *p, int masked) {
    json_t *o = json_object();
    char buf[sizeof(p->name) * 2];
    if (o == NULL) return NULL;
    if (masked) {
        waybill_mask_name(p->name, buf, sizeof(buf));
        json_object_set_new(o, "name", json_string(buf));
        if (p->phone[0]) {
            waybill_mask_phone(p->phone, buf, sizeof(buf));
            json_object_set_new(o, "phone", json_string(buf));
        }
    } else {
        json_object_set_new(o, "name", json_string(p->name));
        if (p->phone[0]) json_object_set_new(o, "phone", json_string(p->phone));
        if (p->address[0]) json_object_set_new(o, "address", json_string(p->address));
        if (p->account[0]) json_object_set_new(o, "account", json_string(p->account));
    }
    return o;
}
