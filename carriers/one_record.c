/* one_record.c -- IATA ONE Record LogisticsEvent JSON-LD to canonical
 * events (see one_record.h, docs/feed-iata.md).
 *
 * The body is compacted JSON-LD as ONE Record servers send it: properties
 * under the cargo vocabulary, code list values as {"@id": IRI}, typed
 * literals as {"@type": ..., "@value": ...}.  Plain strings are taken
 * wherever an IRI or a literal is expected, since senders use both. */
#include "carriers/one_record.h"

#include "carriers/cargo_imp.h"
#include "geodata/timefmt.h"

#include <jansson.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define SOURCE "one-record"
#define WAYBILL_DEPTH 4   /* eventFor -> shipment -> waybill, and a little more */

/* The text of a JSON-LD value: a string, or the string under "@value",
 * "@id" or "code" (a CodeListElement) of an object; NULL otherwise.  The
 * result is owned by V. */
static const char *ld_text(json_t *v) {
    static const char *const keys[] = {"@value", "@id", "code"};
    if (json_is_string(v)) return json_string_value(v);
    if (!json_is_object(v)) return NULL;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *x = json_object_get(v, keys[i]);
        if (json_is_string(x)) return json_string_value(x);
    }
    return NULL;
}

/* What follows the last '#', '/' or ':' of an IRI ("...#StatusCode_DEP"
 * gives "StatusCode_DEP"); S itself when it has none. */
static const char *iri_tail(const char *s) {
    const char *t = s;
    for (const char *p = s; *p; p++)
        if (*p == '#' || *p == '/' || *p == ':') t = p + 1;
    return t;
}

/* 1 when @type (a string or an array of strings) names LogisticsEvent, or
 * is absent. */
static int is_logistics_event(json_t *type, const char **first) {
    *first = "";
    if (!type) return 1;
    if (json_is_string(type)) {
        *first = json_string_value(type);
        return strcmp(iri_tail(*first), "LogisticsEvent") == 0;
    }
    if (json_is_array(type)) {
        size_t i;
        json_t *x;
        json_array_foreach(type, i, x) {
            if (!json_is_string(x)) continue;
            if (!(*first)[0]) *first = json_string_value(x);
            if (strcmp(iri_tail(json_string_value(x)), "LogisticsEvent") == 0) return 1;
        }
    }
    return 0;
}

/* The first object holding "waybillNumber" reachable from V through
 * eventFor / linkedObject / shipment / waybill (objects or arrays of them),
 * its path appended to PATH; NULL when none. */
static json_t *find_waybill(json_t *v, int depth, char *path, size_t pathlen) {
    static const char *const links[] = {"eventFor", "linkedObject", "shipment", "waybill"};
    size_t plen = strlen(path);
    if (depth > WAYBILL_DEPTH) return NULL;
    if (json_is_array(v)) {
        size_t i;
        json_t *x, *w;
        json_array_foreach(v, i, x) {
            snprintf(path + plen, pathlen - plen, "[%zu]", i);
            if ((w = find_waybill(x, depth + 1, path, pathlen)) != NULL) return w;
        }
        path[plen] = '\0';
        return NULL;
    }
    if (!json_is_object(v)) return NULL;
    if (depth > 0 && json_object_get(v, "waybillNumber")) return v;
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        json_t *x = json_object_get(v, links[i]), *w;
        if (!x) continue;
        snprintf(path + plen, pathlen - plen, "%s%s", plen ? "." : "", links[i]);
        if ((w = find_waybill(x, depth + 1, path, pathlen)) != NULL) return w;
    }
    path[plen] = '\0';
    return NULL;
}

/* The waybill the event is for, as a reference of E.  0 (also when there
 * is none), or -1 with the reason in WHY. */
static int add_waybill(json_t *ev, struct carrier_event *e, char *why, size_t whylen) {
    char path[96] = "", awb[32], dashed[16];
    json_t *w = find_waybill(ev, 0, path, sizeof(path));
    const char *prefix, *number, *type;
    if (!w) return 0;
    prefix = ld_text(json_object_get(w, "waybillPrefix"));
    number = ld_text(json_object_get(w, "waybillNumber"));
    type = ld_text(json_object_get(w, "waybillType"));
    if (!number) {
        snprintf(why, whylen, "%s.waybillNumber: not a string", path);
        return -1;
    }
    if (type && strcmp(iri_tail(type), "HOUSE") == 0) {   /* a forwarder's own number */
        if (carrier_event_add_ref(e, "hawb", number)) {
            snprintf(why, whylen, "%s.waybillNumber: '%.40s' is empty or too long", path,
                     number);
            return -1;
        }
        return 0;
    }
    if (prefix)
        snprintf(awb, sizeof(awb), "%.8s-%.16s", prefix, number);
    else
        snprintf(awb, sizeof(awb), "%.20s", number);
    if (!carrier_awb_valid(awb, dashed, sizeof(dashed))) {
        size_t n = strlen(awb);
        int shaped = n == 12 && awb[3] == '-' && strspn(awb, "0123456789") == 3 &&
                     strspn(awb + 4, "0123456789") == 8;
        snprintf(why, whylen, "%s: AWB '%s' %s", path, awb,
                 shaped ? "fails the check digit"
                        : "is not an air waybill number (waybillPrefix NNN, waybillNumber "
                          "NNNNNNNN)");
        return -1;
    }
    carrier_event_add_ref(e, "awb", dashed);
    return 0;
}

/* The IATA code of recordedAtLocation L into E.  0 (also when L names no
 * IATA code), or -1 with the reason in WHY. */
static int add_location(json_t *l, struct carrier_event *e, char *why, size_t whylen) {
    const char *code = NULL, *id;
    json_t *codes;
    if (!l) return 0;
    if (!json_is_object(l) && !json_is_string(l)) {
        snprintf(why, whylen, "recordedAtLocation: not an object or an IRI");
        return -1;
    }
    if (json_is_object(l)) {
        json_t *lc = json_object_get(l, "locationCode");
        if (lc && !(code = ld_text(lc))) {
            snprintf(why, whylen, "recordedAtLocation.locationCode: not a string");
            return -1;
        }
        codes = json_object_get(l, "locationCodes");
        if (!code && json_is_array(codes) && json_array_size(codes) > 0 &&
            !(code = ld_text(json_array_get(codes, 0)))) {
            snprintf(why, whylen, "recordedAtLocation.locationCodes[0]: not a code");
            return -1;
        }
        if (code) {
            code = iri_tail(code);
            if (!carrier_iata_valid(code)) {
                snprintf(why, whylen,
                         "recordedAtLocation.locationCode: '%.20s' is not an IATA code", code);
                return -1;
            }
        }
        id = json_string_value(json_object_get(l, "@id"));
    } else {
        id = json_string_value(l);
    }
    /* A location's IRI is opaque; it names an airport only when it ends in
     * one ("https://.../logistics-objects/FRA"). */
    if (!code && id && carrier_iata_valid(iri_tail(id))) code = iri_tail(id);
    if (code) {
        snprintf(e->location, sizeof(e->location), "%s", code);
        snprintf(e->loc_kind, sizeof(e->loc_kind), "iata");
    }
    return 0;
}

/* One LogisticsEvent EV into a new event of OUT.  0, or -1 with the
 * reason in WHY (nothing added). */
/* The flight of a TransportMovement linked to the event (eventFor or
 * linkedObject, an object or an array of them): its transportIdentifier,
 * "CZ345", as a "flight" reference.  0 (also when there is none), or -1
 * with the reason when one is malformed. */
static int add_flight(json_t *ev, struct carrier_event *e, char *why, size_t whylen) {
    static const char *const links[] = {"eventFor", "linkedObject"};
    for (size_t l = 0; l < sizeof(links) / sizeof(links[0]); l++) {
        json_t *v = json_object_get(ev, links[l]), *o;
        size_t n = json_is_array(v) ? json_array_size(v) : 1;
        for (size_t i = 0; i < n; i++) {
            const char *type, *fl;
            size_t len, k = 0;
            o = json_is_array(v) ? json_array_get(v, i) : v;
            if (!json_is_object(o)) continue;
            type = ld_text(json_object_get(o, "@type"));
            if (!type || strcmp(iri_tail(type), "TransportMovement") != 0) continue;
            fl = ld_text(json_object_get(o, "transportIdentifier"));
            len = fl ? strlen(fl) : 0;
            /* Airline designator (two letters or digits), 1-4 digits, an
             * optional suffix letter. */
            if (len >= 3 && len <= 7 && isalnum((unsigned char)fl[0]) &&
                isalnum((unsigned char)fl[1])) {
                k = 2;
                while (k < len && isdigit((unsigned char)fl[k])) k++;
                if (k == len - 1 && isupper((unsigned char)fl[k])) k++;
            }
            if (k != len || len < 3 || !isdigit((unsigned char)fl[2])) {
                snprintf(why, whylen, "%s.transportIdentifier: '%.20s' is not a flight "
                         "designator such as CZ345", links[l], fl ? fl : "(not a string)");
                return -1;
            }
            if (carrier_event_add_ref(e, "flight", fl) != 0) {
                snprintf(why, whylen, "%s: too many references", links[l]);
                return -1;
            }
        }
    }
    return 0;
}

static int one_event(json_t *ev, int64_t received, struct carrier_batch *out, char *why,
                     size_t whylen) {
    const char *t, *type, *id;
    char code[4], twhy[160];
    enum carrier_status st;
    enum carrier_classifier cls;
    int64_t when;
    int off;
    json_t *v;

    if (!json_is_object(ev)) {
        snprintf(why, whylen, "not an object");
        return -1;
    }
    if (!is_logistics_event(json_object_get(ev, "@type"), &type)) {
        snprintf(why, whylen, "@type: '%.60s' is not LogisticsEvent",
                 type[0] ? type : "(not a string)");
        return -1;
    }

    v = json_object_get(ev, "eventCode");
    if (!v) {
        snprintf(why, whylen, "eventCode: missing");
        return -1;
    }
    if (!(t = ld_text(v))) {
        snprintf(why, whylen, "eventCode: not a string or an object with @id");
        return -1;
    }
    t = iri_tail(t);
    if (strncmp(t, "StatusCode_", 11) == 0) t += 11;
    if (strlen(t) != 3 || carrier_iata_status(t, &st, &cls) != 0) {
        snprintf(why, whylen, "eventCode: '%.40s' is not an IATA status event code", t);
        return -1;
    }
    memcpy(code, t, 4);

    if ((v = json_object_get(ev, "eventTimeType")) != NULL) {
        static const struct {
            const char *name;
            enum carrier_classifier cls;
        } tt[] = {{"ACTUAL", CC_ACTUAL},   {"ESTIMATED", CC_ESTIMATED},
                  {"EXPECTED", CC_ESTIMATED}, {"PLANNED", CC_PLANNED},
                  {"REQUESTED", CC_PLANNED}};
        size_t i;
        if (!(t = ld_text(v))) {
            snprintf(why, whylen, "eventTimeType: not a string or an object with @id");
            return -1;
        }
        t = iri_tail(t);
        for (i = 0; i < sizeof(tt) / sizeof(tt[0]); i++)
            if (strcmp(tt[i].name, t) == 0) break;
        if (i == sizeof(tt) / sizeof(tt[0])) {
            snprintf(why, whylen,
                     "eventTimeType: '%.40s' is not ACTUAL, ESTIMATED, EXPECTED, PLANNED or "
                     "REQUESTED",
                     t);
            return -1;
        }
        cls = tt[i].cls;
    }

    v = json_object_get(ev, "eventDate");
    if (!v) {
        snprintf(why, whylen, "eventDate: missing");
        return -1;
    }
    if (!(t = ld_text(v))) {
        snprintf(why, whylen, "eventDate: not a string or an object with @value");
        return -1;
    }
    if (time_parse_iso8601_off(t, &when, &off, twhy, sizeof(twhy))) {
        snprintf(why, whylen, "eventDate: %s", twhy);   /* TWHY quotes the value */
        return -1;
    }

    struct carrier_event *e = carrier_batch_add(out);
    if (!e) {
        snprintf(why, whylen, "more than %d events in one body, or out of memory",
                 CARRIER_MAX_EVENTS);
        return -1;
    }
    if (add_location(json_object_get(ev, "recordedAtLocation"), e, why, whylen) ||
        add_waybill(ev, e, why, whylen) || add_flight(ev, e, why, whylen)) {
        carrier_batch_drop_last(out);
        return -1;
    }
    snprintf(e->source, sizeof(e->source), "%s", SOURCE);
    snprintf(e->code, sizeof(e->code), "%s", code);
    e->status = st;
    e->classifier = cls;
    e->mode = CM_AIR;
    e->event_time = when;
    e->event_offset_s = off;
    e->received = received;
    /* The source's own id when it is one we can keep; a blank node ("_:b0")
     * names nothing outside this body. */
    id = json_string_value(json_object_get(ev, "@id"));
    if (id && id[0] && strncmp(id, "_:", 2) != 0 && strlen(id) <= CARRIER_ID_LEN)
        snprintf(e->event_id, sizeof(e->event_id), "%s", id);
    else
        carrier_event_hash_id(e);
    return 0;
}

int carrier_one_record_parse(const char *body, size_t len, int64_t received,
                             struct carrier_batch *out, char *err, size_t errlen) {
    const char *nul = memchr(body, '\0', len);
    json_error_t jerr;
    json_t *root, *list;
    const char *prefix = "";
    char why[220];
    int rc = 0;

    if (nul) {
        snprintf(err, errlen, "JSON at byte %zu: NUL byte", (size_t)(nul - body));
        return -1;
    }
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root) {
        snprintf(err, errlen, "JSON at byte %d: %s", jerr.position, jerr.text);
        return -1;
    }
    list = root;
    if (json_is_object(root) && json_is_array(json_object_get(root, "@graph"))) {
        list = json_object_get(root, "@graph");
        prefix = "@graph";
    }
    if (json_is_object(list)) {
        out->total += 1;
        if (one_event(list, received, out, why, sizeof(why)) != 0 &&
            carrier_batch_reject(out, 0, "%s", why) != 0)
            rc = -1;
    } else if (json_is_array(list)) {
        size_t i;
        json_t *x;
        out->total += json_array_size(list);
        json_array_foreach(list, i, x) {
            if (one_event(x, received, out, why, sizeof(why)) != 0 &&
                carrier_batch_reject(out, i, "%s[%zu]: %s", prefix, i, why) != 0) {
                rc = -1;
                break;
            }
        }
    } else {
        snprintf(err, errlen, "JSON at byte 0: neither a LogisticsEvent object nor an array");
        rc = -2;
    }
    if (rc == -1) snprintf(err, errlen, "out of memory");
    json_decref(root);
    return rc < 0 ? -1 : 0;
}
