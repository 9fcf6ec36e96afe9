/* sim_render.c -- DCSA TnT 2.2, Cargo-IMP FSU, ONE Record, rail-events and
 * GTFS-Realtime bodies from the simulated world (sim_render.h).  Malformed
 * copies of events (sim_event.bad) are written here with their defect; the
 * good original is always written too. */
#include "sim_render.h"
#include "carriers/event.h"
#include "carriers/gtfs_realtime.pb-c.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cls_name[] = {"PLN", "EST", "ACT"};
static const char *const ch_name[] = {"port", "rail", "air"};

#define ONE_RECORD_BASE "https://feedsim.dongting.invalid"

/* ---- shared --------------------------------------------------------------- */

static int body_json(json_t *j, struct sim_body *b) {
    if (!j) return -1;
    b->data = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(9));
    json_decref(j);
    if (!b->data) return -1;
    b->len = strlen(b->data);
    b->ctype = "application/json";
    b->status = 200;
    return 0;
}

/* B = 400 naming the bad ?limit= LIMIT_S (1..MAX).  0, or -1 when out of
 * memory. */
static int bad_limit(const char *limit_s, int max, struct sim_body *b) {
    char msg[160];
    snprintf(msg, sizeof(msg), "{\"message\":\"limit: '%.20s' is not 1..%d\"}", limit_s, max);
    b->status = 400;
    b->ctype = "application/json";
    b->data = strdup(msg);
    b->len = b->data ? strlen(b->data) : 0;
    return b->data ? 0 : -1;
}

/* 400 for a bad ?connecting= (jansson quotes whatever was sent). */
static int bad_connecting(const char *v, struct sim_body *b) {
    char msg[96];
    json_t *o;
    snprintf(msg, sizeof(msg), "connecting: '%.20s' is not 0..%d", v, SIM_CONNECTING_MAX);
    o = json_pack("{s:s}", "message", msg);
    b->status = 400;
    b->ctype = "application/json";
    b->data = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    b->len = b->data ? strlen(b->data) : 0;
    return b->data ? 0 : -1;
}

/* Index of the first event created after T (binary search). */
static size_t first_after(const struct sim_world *w, int64_t t) {
    size_t lo = 0, hi = w->nev;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->ev[mid].created <= t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Events of channel CH visible at NOW and created in the last SIM_RECENT,
 * the newest SIM_MAX_BODY_EVENTS: [*lo, *hi) of w->ev, filtered by CH by
 * the caller. */
static void recent_range(const struct sim_world *w, int ch, int64_t now, size_t *lo,
                         size_t *hi) {
    size_t n = 0;
    *hi = first_after(w, now);
    *lo = first_after(w, now - SIM_RECENT);
    for (size_t i = *hi; i > *lo; i--) {
        if (w->ev[i - 1].ch == ch && ++n == SIM_MAX_BODY_EVENTS) {
            *lo = i - 1;
            break;
        }
    }
}

/* Write T at OFFSET_S, or without any offset for a SIM_BAD_NO_OFFSET copy. */
static void ev_time(const struct sim_event *e, int64_t t, int offset_s, char *buf,
                    size_t len) {
    sim_iso(t, offset_s, buf, len);
    if (e->bad == SIM_BAD_NO_OFFSET) buf[19] = '\0';
}

static const char *ev_code(const struct sim_event *e) {
    return e->bad == SIM_BAD_CODE ? "XXXX" : e->code;
}

static const char *ev_container(const struct sim_event *e, const struct sim_cons *c,
                                char *buf, size_t len) {
    if (e->bad == SIM_BAD_CONTAINER && sim_iso6346_corrupt(c->container, buf, len) == 0)
        return buf;
    return c->container;
}

static int stop_offset(const struct sim_run *r, int32_t stop) {
    return stop >= 0 ? r->offset[stop] : r->offset[0];
}

/* ---- DCSA TnT 2.2 ----------------------------------------------------------- */

/* The UN/LOCODE of node CODE into BUF: the code itself, or for a
 * terminal ("CNCLJ-SYH") its port's ("CNCLJ").  NULL when neither. */
static const char *node_locode(const char *code, char *buf, size_t len) {
    if (carrier_unlocode_valid(code)) return code;
    if (strlen(code) > 6 && code[5] == '-' && len > 5) {
        memcpy(buf, code, 5);
        buf[5] = '\0';
        if (carrier_unlocode_valid(buf)) return buf;
    }
    return NULL;
}

static json_t *dcsa_place(const struct sim_world *w, const struct sim_run *r, uint32_t i) {
    const struct rt_stop *s = sim_stop(w, r, i);
    const char *code = rt_str(w->tt, s->id);
    char lat[32], lon[32];
    json_t *o = json_object();
    snprintf(lat, sizeof(lat), "%.4f", s->lat);
    snprintf(lon, sizeof(lon), "%.4f", s->lon);
    json_object_set_new(o, "locationName", json_string(code));
    json_object_set_new(o, "latitude", json_string(lat));
    json_object_set_new(o, "longitude", json_string(lon));
    {
        char lb[8];
        const char *lc = node_locode(code, lb, sizeof(lb));
        if (lc) json_object_set_new(o, "UNLocationCode", json_string(lc));
    }
    return o;
}

static json_t *dcsa_call(const struct sim_world *w, const struct sim_run *r, uint32_t i) {
    const struct rt_timetable *tt = w->tt;
    const struct rt_trip *t = &tt->trips[r->trip];
    const char *trip = rt_str(tt, t->id);
    const char *code = sim_stop_code(w, r, i);
    char id[128], svc[12];
    json_t *o = json_object(), *v = json_object();
    snprintf(id, sizeof(id), "%s/%s/%u", trip, r->service_date, i + 1);
    snprintf(svc, sizeof(svc), "%.11s", rt_str(tt, tt->routes[t->route].short_name));
    json_object_set_new(o, "transportCallID", json_string(id));
    json_object_set_new(o, "carrierServiceCode", json_string(svc));
    json_object_set_new(o, "carrierVoyageNumber", json_string(trip));
    json_object_set_new(o, "exportVoyageNumber", json_string(trip));
    json_object_set_new(o, "importVoyageNumber", json_string(trip));
    json_object_set_new(o, "transportCallSequenceNumber", json_integer(i + 1));
    {
        char lb[8];
        const char *lc = node_locode(code, lb, sizeof(lb));
        if (lc) json_object_set_new(o, "UNLocationCode", json_string(lc));
    }
    json_object_set_new(o, "modeOfTransport", json_string("VESSEL"));
    json_object_set_new(o, "location", dcsa_place(w, r, i));
    json_object_set_new(v, "vesselIMONumber", json_string(r->vehicle));
    json_object_set_new(v, "vesselName", json_string(r->vessel_name));
    json_object_set_new(o, "vessel", v);
    return o;
}

static void doc_ref(json_t *a, const char *type, const char *value) {
    json_t *o = json_object();
    json_object_set_new(o, "documentReferenceType", json_string(type));
    json_object_set_new(o, "documentReferenceValue", json_string(value));
    json_array_append_new(a, o);
}

static json_t *dcsa_event(const struct sim_world *w, const struct sim_event *e) {
    const struct sim_run *r = &w->runs[e->run];
    const struct sim_cons *c = e->cons >= 0 ? &w->cons[e->cons] : NULL;
    char when[32], created[32], cbuf[16];
    json_t *o = json_object(), *docs = json_array();
    sim_iso(e->created, 0, created, sizeof(created));
    ev_time(e, e->time, stop_offset(r, e->stop), when, sizeof(when));
    json_object_set_new(o, "eventID", json_string(e->id));
    json_object_set_new(o, "eventCreatedDateTime", json_string(created));
    json_object_set_new(o, "eventClassifierCode", json_string(cls_name[e->cls]));
    json_object_set_new(o, "eventDateTime", json_string(when));
    if (c) {
        doc_ref(docs, "BKG", c->booking);
        doc_ref(docs, "TRD", c->doc);
    } else {
        for (uint32_t j = 0; j < r->ncons; j++) {
            doc_ref(docs, "BKG", w->cons[r->first_cons + j].booking);
            doc_ref(docs, "TRD", w->cons[r->first_cons + j].doc);
        }
    }
    switch (e->type) {
    case SIM_EV_TRANSPORT:
        json_object_set_new(o, "eventType", json_string("TRANSPORT"));
        json_object_set_new(o, "transportEventTypeCode", json_string(ev_code(e)));
        json_object_set_new(o, "transportCall", dcsa_call(w, r, (uint32_t)e->stop));
        break;
    case SIM_EV_EQUIPMENT:
        json_object_set_new(o, "eventType", json_string("EQUIPMENT"));
        json_object_set_new(o, "equipmentEventTypeCode", json_string(ev_code(e)));
        json_object_set_new(o, "equipmentReference",
                            json_string(ev_container(e, c, cbuf, sizeof(cbuf))));
        json_object_set_new(o, "ISOEquipmentCode", json_string("42G1"));
        json_object_set_new(o, "emptyIndicatorCode", json_string("LADEN"));
        json_object_set_new(o, "eventLocation", dcsa_place(w, r, (uint32_t)e->stop));
        json_object_set_new(o, "transportCall", dcsa_call(w, r, (uint32_t)e->stop));
        break;
    default: {
        json_t *refs = json_array(), *ref = json_object();
        int bkg = strcmp(e->code, "CONF") == 0;
        json_object_set_new(o, "eventType", json_string("SHIPMENT"));
        json_object_set_new(o, "shipmentEventTypeCode", json_string(ev_code(e)));
        json_object_set_new(o, "documentID", json_string(bkg ? c->booking : c->doc));
        json_object_set_new(o, "documentTypeCode", json_string(bkg ? "BKG" : "TRD"));
        json_object_set_new(ref, "referenceType", json_string("EQ"));
        json_object_set_new(ref, "referenceValue", json_string(c->container));
        json_array_append_new(refs, ref);
        json_object_set_new(o, "references", refs);
        break;
    }
    }
    json_object_set_new(o, "documentReferences", docs);
    return o;
}

int sim_render_dcsa(const struct sim_world *w, int64_t now, const char *limit_s,
                    const char *cursor, struct sim_body *b) {
    long limit = 100;
    size_t i = 0, hi = first_after(w, now);
    json_t *a;
    memset(b, 0, sizeof(*b));
    if (limit_s) {
        char *end;
        limit = strtol(limit_s, &end, 10);
        if (end == limit_s || *end || limit < 1 || limit > SIM_DCSA_MAX_LIMIT)
            return bad_limit(limit_s, SIM_DCSA_MAX_LIMIT, b);
    }
    if (cursor) {
        int64_t created;
        char id[sizeof(((struct sim_event *)0)->id)];
        size_t lo = 0, top = hi;
        if (sim_cursor_parse(cursor, &created, id, sizeof(id)) != 0) {
            b->status = 400;
            b->ctype = "application/json";
            b->data = strdup("{\"message\":\"cursor: not a cursor this server gave\"}");
            b->len = b->data ? strlen(b->data) : 0;
            return b->data ? 0 : -1;
        }
        while (lo < top) { /* first event after the cursor's key */
            size_t mid = lo + (top - lo) / 2;
            if (sim_event_cmp_key(&w->ev[mid], created, id) <= 0) lo = mid + 1;
            else top = mid;
        }
        i = lo;
    }
    if (!(a = json_array())) return -1;
    for (long n = 0; i < hi; i++) {
        const struct sim_event *e = &w->ev[i];
        if (e->ch != SIM_CH_PORT) continue;
        if (n == limit) {
            const struct sim_event *last = NULL;
            for (size_t k = i; k-- > 0;)
                if (w->ev[k].ch == SIM_CH_PORT) {
                    last = &w->ev[k];
                    break;
                }
            snprintf(b->next_cursor, sizeof(b->next_cursor), "%" PRId64 ".%s", last->created,
                     last->id);
            break;
        }
        json_array_append_new(a, dcsa_event(w, e));
        n++;
    }
    return body_json(a, b);
}

/* ---- Cargo-IMP FSU --------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
    int oom;
};

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(struct buf *b, const char *fmt, ...) {
    va_list ap;
    int n;
    if (b->oom) return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= b->len + (size_t)n) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* OUT (taken over) as a 200 body of CTYPE in B.  0, or -1 when OUT ran
 * out of memory (freed). */
static int buf_body(struct buf *out, const char *ctype, struct sim_body *b) {
    if (out->oom) {
        free(out->p);
        return -1;
    }
    if (!out->p && !(out->p = strdup(""))) return -1;
    b->data = out->p;
    b->len = out->len;
    b->ctype = ctype;
    b->status = 200;
    return 0;
}

static int fsu_message(const struct sim_world *w, const struct sim_event *e, struct buf *out) {
    const struct sim_run *r = &w->runs[e->run];
    const struct sim_cons *c = &w->cons[e->cons];
    const char *org = sim_stop_code(w, r, 0), *dst = sim_stop_code(w, r, r->n - 1);
    const char *here = sim_stop_code(w, r, (uint32_t)e->stop);
    char awb[24], when[16], day[8], line[160];
    int n;
    /* FSU carries what happened: the plan and estimates go to ONE Record. */
    if (e->cls != SIM_ACT) return 0;
    snprintf(awb, sizeof(awb), "%s", c->doc);
    if (e->bad == SIM_BAD_AWB) sim_awb_corrupt(c->doc, awb, sizeof(awb));
    sim_fsu_date(e->time, 1, when, sizeof(when));
    sim_fsu_date(r->pdep[0], 0, day, sizeof(day));
    const char *code = e->bad == SIM_BAD_CODE ? "XYZ" : e->code;
    if (strcmp(e->code, "BKD") == 0 || strcmp(e->code, "MAN") == 0 ||
        strcmp(e->code, "DEP") == 0)
        n = snprintf(line, sizeof(line), "%s/%s/%s/%s%s/T%dK%d", code, r->vehicle,
                     strcmp(e->code, "BKD") == 0 ? day : when, org, dst, c->pieces,
                     c->weight_kg);
    else if (strcmp(e->code, "ARR") == 0 || strcmp(e->code, "RCF") == 0)
        n = snprintf(line, sizeof(line), "%s/%s/%s/%s/T%dK%d", code, r->vehicle, when, here,
                     c->pieces, c->weight_kg);
    else if (strcmp(e->code, "DLV") == 0)
        n = snprintf(line, sizeof(line), "%s/%s/%s/T%dK%d/DONGTING CONSIGNEE %u", code, when,
                     here, c->pieces, c->weight_kg, (unsigned)(e->cons % 97));
    else
        n = snprintf(line, sizeof(line), "%s/%s/%s/T%dK%d", code, when, here, c->pieces,
                     c->weight_kg);
    if (e->bad == SIM_BAD_TRUNCATED || e->bad == SIM_BAD_NO_OFFSET) {
        /* FSU dates carry no offset: that defect becomes a cut line too. */
        if (n > 9) line[9] = '\0';
    }
    if (out->len) buf_printf(out, "=====\n");
    buf_printf(out, "FSU/14\n%s%s%s/T%dK%d\n%s\n", awb, org, dst, c->pieces, c->weight_kg,
               line);
    return out->oom ? -1 : 0;
}

int sim_render_fsu(const struct sim_world *w, int64_t now, struct sim_body *b) {
    struct buf out = {0};
    size_t lo, hi;
    memset(b, 0, sizeof(*b));
    recent_range(w, SIM_CH_AIR, now, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        if (w->ev[i].ch == SIM_CH_AIR && fsu_message(w, &w->ev[i], &out) != 0) break;
    return buf_body(&out, "text/plain; charset=utf-8", b);
}

/* ---- ONE Record -------------------------------------------------------------- */

static json_t *typed_id(const char *id) {
    return json_pack("{s:s}", "@id", id);
}

static json_t *one_record_event(const struct sim_world *w, const struct sim_event *e) {
    static const char *const time_type[] = {"PLANNED", "ESTIMATED", "ACTUAL"};
    const struct sim_run *r = &w->runs[e->run];
    const struct sim_cons *c = &w->cons[e->cons];
    char awb[24], url[200], when[32], created[32];
    json_t *o = json_object(), *f;
    snprintf(awb, sizeof(awb), "%s", c->doc);
    if (e->bad == SIM_BAD_AWB) sim_awb_corrupt(c->doc, awb, sizeof(awb));
    json_object_set_new(o, "@context",
                        json_pack("{s:s}", "@vocab", "https://onerecord.iata.org/ns/cargo#"));
    json_object_set_new(o, "@type", json_string("LogisticsEvent"));
    snprintf(url, sizeof(url), ONE_RECORD_BASE "/logistics-objects/awb-%.3s%.8s/logistics-events/%s",
             c->doc, c->doc + 4, e->id);
    json_object_set_new(o, "@id", json_string(url));
    snprintf(url, sizeof(url), "https://onerecord.iata.org/ns/coreCodeLists#StatusCode_%s",
             e->bad == SIM_BAD_CODE ? "XYZ" : e->code);
    json_object_set_new(o, "eventCode", typed_id(url));
    snprintf(url, sizeof(url), "https://onerecord.iata.org/ns/cargo#%s", time_type[e->cls]);
    json_object_set_new(o, "eventTimeType", typed_id(url));
    /* A truncated ONE Record event is one that lost its eventDate. */
    if (e->bad != SIM_BAD_TRUNCATED) {
        ev_time(e, e->time, 0, when, sizeof(when));
        json_object_set_new(o, "eventDate",
                            json_pack("{s:s,s:s}", "@type",
                                      "http://www.w3.org/2001/XMLSchema#dateTime", "@value", when));
    }
    sim_iso(e->created, 0, created, sizeof(created));
    json_object_set_new(o, "creationDate",
                        json_pack("{s:s,s:s}", "@type",
                                  "http://www.w3.org/2001/XMLSchema#dateTime", "@value", created));
    snprintf(url, sizeof(url), ONE_RECORD_BASE "/locations/%s",
             sim_stop_code(w, r, (uint32_t)e->stop));
    json_object_set_new(o, "recordedAtLocation", typed_id(url));
    f = json_object();
    json_object_set_new(f, "@type", json_string("Waybill"));
    json_object_set_new(f, "waybillPrefix", json_stringn(awb, 3));
    json_object_set_new(f, "waybillNumber", json_string(awb + 4));
    json_object_set_new(o, "eventFor", f);
    /* The flight, as ONE Record links a movement to an event. */
    f = json_object();
    json_object_set_new(f, "@type", json_string("TransportMovement"));
    json_object_set_new(f, "transportIdentifier", json_string(r->vehicle));
    json_object_set_new(o, "linkedObject", f);
    return o;
}

int sim_render_one_record(const struct sim_world *w, int64_t now, struct sim_body *b) {
    size_t lo, hi;
    json_t *a = json_array();
    memset(b, 0, sizeof(*b));
    if (!a) return -1;
    recent_range(w, SIM_CH_AIR, now, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        if (w->ev[i].ch == SIM_CH_AIR) json_array_append_new(a, one_record_event(w, &w->ev[i]));
    return body_json(a, b);
}

/* ---- rail events --------------------------------------------------------------- */

static json_t *rail_event(const struct sim_world *w, const struct sim_event *e) {
    const struct sim_run *r = &w->runs[e->run];
    const struct sim_cons *c = &w->cons[e->cons];
    const struct rt_stop *s = sim_stop(w, r, (uint32_t)e->stop);
    const char *code = rt_str(w->tt, s->id);
    char when[32], created[32], cbuf[16];
    json_t *o = json_object(), *loc = json_object();
    sim_iso(e->created, 0, created, sizeof(created));
    ev_time(e, e->time, stop_offset(r, e->stop), when, sizeof(when));
    json_object_set_new(o, "eventID", json_string(e->id));
    json_object_set_new(o, "eventType", json_string("RAIL"));
    json_object_set_new(o, "eventClassifierCode", json_string(cls_name[e->cls]));
    json_object_set_new(o, "eventDateTime", json_string(when));
    json_object_set_new(o, "eventCreatedDateTime", json_string(created));
    json_object_set_new(o, "railEventTypeCode", json_string(ev_code(e)));
    json_object_set_new(o, "trainNumber", json_string(r->vehicle));
    json_object_set_new(o, "wagonNumber", json_string(c->wagon));
    json_object_set_new(o, "equipmentReference",
                        json_string(ev_container(e, c, cbuf, sizeof(cbuf))));
    json_object_set_new(o, "consignmentNoteNumber", json_string(c->doc));
    json_object_set_new(o, "tripID", json_string(rt_str(w->tt, w->tt->trips[r->trip].id)));
    /* The node code always, so a reader can match the GTFS stop. */
    if (carrier_unlocode_valid(code)) json_object_set_new(loc, "UNLocationCode", json_string(code));
    json_object_set_new(loc, "stationCode", json_string(code));
    json_object_set_new(loc, "locationName", json_string(rt_str(w->tt, s->name)));
    json_object_set_new(loc, "latitude", json_real(s->lat));
    json_object_set_new(loc, "longitude", json_real(s->lon));
    json_object_set_new(o, "location", loc);
    return o;
}

int sim_render_rail(const struct sim_world *w, int64_t now, struct sim_body *b) {
    size_t lo, hi;
    json_t *a = json_array();
    memset(b, 0, sizeof(*b));
    if (!a) return -1;
    recent_range(w, SIM_CH_RAIL, now, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        if (w->ev[i].ch == SIM_CH_RAIL) json_array_append_new(a, rail_event(w, &w->ev[i]));
    return body_json(a, b);
}

/* ---- GTFS-Realtime ------------------------------------------------------------- */

/* One entity and everything it points at, in one allocation. */
struct rt_ent {
    TransitRealtime__FeedEntity ent;
    TransitRealtime__TripUpdate tu;
    TransitRealtime__TripDescriptor td;
    TransitRealtime__VehicleDescriptor vd;
    char id[96], trip[64], route[64], date[9], vehicle[16];
    TransitRealtime__TripUpdate__StopTimeUpdate **pstu;
    TransitRealtime__TripUpdate__StopTimeUpdate *stu;
    TransitRealtime__TripUpdate__StopTimeEvent *ste; /* 2 per stop */
    char (*stop_id)[32];
};

static void rt_ent_free(struct rt_ent *x) {
    if (!x) return;
    free(x->pstu);
    free(x->stu);
    free(x->ste);
    free(x->stop_id);
    free(x);
}

/* Runs a GTFS-RT body reports: delayed, the delay known by NOW, not
 * arrived more than SIM_RECENT ago. */
static int rt_reported(const struct sim_run *r, int64_t now) {
    return r->delay.seconds > 0 && r->est_created <= now && r->earr[r->n - 1] + SIM_RECENT >= now;
}

static struct rt_ent *rt_entity(const struct sim_world *w, const struct sim_run *r) {
    const struct rt_timetable *tt = w->tt;
    const struct rt_trip *t = &tt->trips[r->trip];
    uint32_t k = (uint32_t)r->delay.stop, m = r->n - k;
    struct rt_ent *x = calloc(1, sizeof(*x));
    if (!x) return NULL;
    x->pstu = calloc(m, sizeof(*x->pstu));
    x->stu = calloc(m, sizeof(*x->stu));
    x->ste = calloc(2 * (size_t)m, sizeof(*x->ste));
    x->stop_id = calloc(m, sizeof(*x->stop_id));
    if (!x->pstu || !x->stu || !x->ste || !x->stop_id) {
        rt_ent_free(x);
        return NULL;
    }
    transit_realtime__feed_entity__init(&x->ent);
    transit_realtime__trip_update__init(&x->tu);
    transit_realtime__trip_descriptor__init(&x->td);
    transit_realtime__vehicle_descriptor__init(&x->vd);
    snprintf(x->trip, sizeof(x->trip), "%s", rt_str(tt, t->id));
    snprintf(x->route, sizeof(x->route), "%s", rt_str(tt, tt->routes[t->route].id));
    snprintf(x->date, sizeof(x->date), "%s", r->service_date);
    snprintf(x->vehicle, sizeof(x->vehicle), "%s", r->vehicle);
    snprintf(x->id, sizeof(x->id), "%s/%s", x->trip, x->date);
    x->td.trip_id = x->trip;
    x->td.route_id = x->route;
    x->td.start_date = x->date;
    x->vd.id = x->vehicle;
    x->tu.trip = &x->td;
    x->tu.vehicle = &x->vd;
    x->tu.has_timestamp = 1;
    x->tu.timestamp = (uint64_t)r->est_created;
    x->tu.has_delay = 1;
    x->tu.delay = r->delay.seconds;
    for (uint32_t j = 0; j < m; j++) {
        uint32_t i = k + j;
        TransitRealtime__TripUpdate__StopTimeUpdate *u = &x->stu[j];
        transit_realtime__trip_update__stop_time_update__init(u);
        /* The timetable keeps no stop_sequence: the project's feed numbers
         * every trip's stops 1..n (geodata/gtfs/build_feed.py), so i + 1. */
        u->has_stop_sequence = 1;
        u->stop_sequence = i + 1;
        snprintf(x->stop_id[j], sizeof(x->stop_id[j]), "%s", sim_stop_code(w, r, i));
        u->stop_id = x->stop_id[j];
        if (i > 0) {
            TransitRealtime__TripUpdate__StopTimeEvent *a = &x->ste[2 * j];
            transit_realtime__trip_update__stop_time_event__init(a);
            a->has_delay = a->has_time = 1;
            a->delay = (int32_t)(r->earr[i] - r->parr[i]);
            a->time = r->earr[i];
            u->arrival = a;
        }
        if (i + 1 < r->n) {
            TransitRealtime__TripUpdate__StopTimeEvent *d = &x->ste[2 * j + 1];
            transit_realtime__trip_update__stop_time_event__init(d);
            d->has_delay = d->has_time = 1;
            d->delay = (int32_t)(r->edep[i] - r->pdep[i]);
            d->time = r->edep[i];
            u->departure = d;
        }
        x->pstu[j] = u;
    }
    x->tu.n_stop_time_update = m;
    x->tu.stop_time_update = x->pstu;
    x->ent.id = x->id;
    x->ent.trip_update = &x->tu;
    return x;
}

int sim_render_gtfs_rt(const struct sim_world *w, int64_t now, struct sim_body *b) {
    TransitRealtime__FeedMessage msg;
    TransitRealtime__FeedHeader hdr;
    TransitRealtime__FeedEntity **ents = NULL;
    struct rt_ent **xs = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;
    char version[] = "2.0";
    memset(b, 0, sizeof(*b));
    transit_realtime__feed_message__init(&msg);
    transit_realtime__feed_header__init(&hdr);
    hdr.gtfs_realtime_version = version;
    hdr.has_incrementality = 1;
    hdr.incrementality = TRANSIT_REALTIME__FEED_HEADER__INCREMENTALITY__FULL_DATASET;
    hdr.has_timestamp = 1;
    msg.header = &hdr;
    for (uint32_t i = 0; i < w->nruns; i++) {
        if (!rt_reported(&w->runs[i], now)) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            void *p1 = realloc(xs, nc * sizeof(*xs));
            if (!p1) goto done;
            xs = p1;
            void *p2 = realloc(ents, nc * sizeof(*ents));
            if (!p2) goto done;
            ents = p2;
            cap = nc;
        }
        if (!(xs[n] = rt_entity(w, &w->runs[i]))) goto done;
        ents[n] = &xs[n]->ent;
        n++;
    }
    msg.n_entity = n;
    msg.entity = ents;
    /* The tag follows the entities, not the clock in the header. */
    hdr.timestamp = 0;
    {
        size_t len = transit_realtime__feed_message__get_packed_size(&msg);
        uint8_t *tmp = malloc(len ? len : 1);
        if (!tmp) goto done;
        transit_realtime__feed_message__pack(&msg, tmp);
        b->etag_basis = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < len; i++) b->etag_basis = (b->etag_basis ^ tmp[i]) * 0x100000001b3ULL;
        free(tmp);
    }
    hdr.timestamp = (uint64_t)now;
    b->len = transit_realtime__feed_message__get_packed_size(&msg);
    if (!(b->data = malloc(b->len ? b->len : 1))) goto done;
    transit_realtime__feed_message__pack(&msg, (uint8_t *)b->data);
    b->ctype = "application/x-protobuf";
    b->status = 200;
    rc = 0;
done:
    for (size_t i = 0; i < n; i++) rt_ent_free(xs[i]);
    free(xs);
    free(ents);
    return rc;
}

/* ---- truth and clock -------------------------------------------------------- */

int sim_render_truth(const struct sim_world *w, int64_t now, struct sim_body *b) {
    char t[32];
    json_t *o = json_object(), *a = json_array();
    size_t n = 0;
    memset(b, 0, sizeof(*b));
    if (!o || !a) {
        json_decref(o);
        json_decref(a);
        return -1;
    }
    sim_iso(now, 0, t, sizeof(t));
    json_object_set_new(o, "now", json_string(t));
    /* Newest first, so the cap drops the oldest. */
    for (uint32_t i = w->ncons; i-- > 0 && n < SIM_MAX_BODY_EVENTS;) {
        const struct sim_cons *c = &w->cons[i];
        const struct sim_run *r = &w->runs[c->run];
        json_t *x;
        if (r->pln_created > now || r->earr[c->to] + SIM_RECENT < now) continue;
        x = json_object();
        json_object_set_new(x, "channel", json_string(ch_name[r->ch]));
        json_object_set_new(x, "trip_id", json_string(rt_str(w->tt, w->tt->trips[r->trip].id)));
        json_object_set_new(x, "service_date", json_string(r->service_date));
        if (c->container[0]) json_object_set_new(x, "container", json_string(c->container));
        if (r->ch == SIM_CH_PORT) {
            json_object_set_new(x, "bl", json_string(c->doc));
            json_object_set_new(x, "booking", json_string(c->booking));
            json_object_set_new(x, "vessel_imo", json_string(r->vehicle));
        } else if (r->ch == SIM_CH_AIR) {
            json_object_set_new(x, "awb", json_string(c->doc));
            json_object_set_new(x, "flight", json_string(r->vehicle));
        } else {
            json_object_set_new(x, "consignment_note", json_string(c->doc));
            json_object_set_new(x, "train", json_string(r->vehicle));
            json_object_set_new(x, "wagon", json_string(c->wagon));
        }
        json_object_set_new(x, "from", json_string(sim_stop_code(w, r, c->from)));
        json_object_set_new(x, "to", json_string(sim_stop_code(w, r, c->to)));
        sim_iso(r->pdep[c->from], r->offset[c->from], t, sizeof(t));
        json_object_set_new(x, "planned_departure", json_string(t));
        sim_iso(r->parr[c->to], r->offset[c->to], t, sizeof(t));
        json_object_set_new(x, "planned_eta", json_string(t));
        sim_iso(sim_cons_eta(w, c, now), r->offset[c->to], t, sizeof(t));
        json_object_set_new(x, "current_eta", json_string(t));
        json_object_set_new(x, "delay_s", json_integer(r->earr[c->to] - r->parr[c->to]));
        json_object_set_new(x, "delay_known", json_boolean(r->delay.seconds > 0 && r->est_created <= now));
        json_object_set_new(x, "arrived", json_boolean(r->earr[c->to] <= now));
        json_array_append_new(a, x);
        n++;
    }
    json_object_set_new(o, "consignments", a);
    return body_json(o, b);
}

int sim_render_clock(int64_t now, double speed, struct sim_body *b) {
    char t[32];
    memset(b, 0, sizeof(*b));
    sim_iso(now, 0, t, sizeof(t));
    return body_json(json_pack("{s:s,s:f}", "now", t, "speed", speed), b);
}

/* ---- waybills to create ------------------------------------------------------ */

struct wb_pick {
    int arrived, ch;
    uint32_t rank; /* position among its channel's picks */
    int64_t when; /* planned arrival (to come), actual arrival (arrived) */
    uint32_t cons;
};

static int wb_pick_cmp(const void *a, const void *b) {
    const struct wb_pick *x = a, *y = b;
    if (x->arrived != y->arrived) return x->arrived - y->arrived;
    if (x->when != y->when) {
        int earlier = x->when < y->when ? -1 : 1;
        return x->arrived ? -earlier : earlier;
    }
    return (x->cons > y->cons) - (x->cons < y->cons);
}

static int wb_rank_cmp(const void *a, const void *b) {
    const struct wb_pick *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    return x->ch - y->ch;
}

/* The country of node CODE: from the node table when loaded, else the
 * first two letters of a UN/LOCODE-shaped code ("" when neither). */
static const char *node_country(const struct sim_world *w, const char *code, char *buf,
                                size_t len) {
    const struct geo_node *g = w->nodes ? geo_node_find(w->nodes, code) : NULL;
    if (g) return g->country;
    if (strlen(code) >= 5 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' &&
        code[1] <= 'Z' && len > 2) {
        snprintf(buf, len, "%.2s", code);
        return buf;
    }
    return "";
}

static json_t *party_json(const struct sim_party *p, const char *account) {
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "phone", json_string(p->phone));
    json_object_set_new(o, "address", json_string(p->address));
    if (account) json_object_set_new(o, "account", json_string(account));
    return o;
}

/* The POST /v1/waybills body of consignment C.  Parties are drawn from
 * the seed and the document number, so they stay the same across
 * restarts and requests. */
static json_t *waybill_body(const struct sim_world *w, const struct sim_cons *c) {
    static const char *const type[] = {"bl", "cim_smgs", "awb"};
    static const char *const hs[] = {"090210", "847130", "850760", "940360",
                                     "610910", "870899", "691110", "841810"};
    const struct sim_run *r = &w->runs[c->run];
    const char *from = sim_stop_code(w, r, c->from), *to = sim_stop_code(w, r, c->to);
    uint64_t key = sim_hash(w->seed, sim_hash_str(c->doc), 0x7762ULL, 0);
    struct sim_party shipper, consignee;
    char cb[4], t[32], run_id[96];
    json_t *o = json_object(), *cargo = json_object(), *legs = json_array(), *leg = json_object();
    sim_party_make(sim_hash(key, 1, 0, 0), node_country(w, from, cb, sizeof(cb)), 1, &shipper);
    sim_party_make(sim_hash(key, 2, 0, 0), node_country(w, to, cb, sizeof(cb)),
                   sim_hash(key, 3, 0, 0) % 2 == 0, &consignee);
    json_object_set_new(o, "number", json_string(c->doc));
    json_object_set_new(o, "type", json_string(type[r->ch]));
    json_object_set_new(o, "shipper", party_json(&shipper, NULL));
    /* One in three is followed by the demo consignee's key (run.sh). */
    json_object_set_new(o, "consignee", party_json(&consignee, sim_hash(key, 4, 0, 0) % 3 == 0
                                                                   ? "demo-consignee"
                                                                   : NULL));
    json_object_set_new(o, "origin", json_string(from));
    json_object_set_new(o, "destination", json_string(to));
    json_object_set_new(cargo, "pieces", json_integer(c->pieces));
    json_object_set_new(cargo, "weight_kg", json_integer(c->weight_kg));
    if (c->container[0]) /* 42G1: a 40-foot box */
        json_object_set_new(cargo, "teu", json_integer(2));
    json_object_set_new(cargo, "hs_codes",
                        json_pack("[s]", hs[sim_hash(key, 5, 0, 0) % (sizeof(hs) / sizeof(hs[0]))]));
    json_object_set_new(o, "cargo", cargo);
    if (c->container[0]) json_object_set_new(o, "containers", json_pack("[s]", c->container));
    /* Cargo ready six hours before the ship, train or flight leaves. */
    sim_iso(r->pdep[c->from] - 6 * 3600, r->offset[c->from], t, sizeof(t));
    json_object_set_new(o, "departure", json_string(t));
    snprintf(run_id, sizeof(run_id), "%s:%.4s-%.2s-%.2s",
             rt_str(w->tt, w->tt->trips[r->trip].id), r->service_date, r->service_date + 4,
             r->service_date + 6);
    json_object_set_new(leg, "trip_id", json_string(rt_str(w->tt, w->tt->trips[r->trip].id)));
    json_object_set_new(leg, "run_id", json_string(run_id));
    json_object_set_new(leg, "from", json_string(from));
    json_object_set_new(leg, "to", json_string(to));
    json_array_append_new(legs, leg);
    json_object_set_new(o, "itinerary", json_pack("{s:o}", "legs", legs));
    return o;
}

/* ---- connecting waybills ------------------------------------------------------ */

/* A two-leg booking that holds on the plan and breaks once run 1's delay
 * is known: world run RUN from stop 0 to stop J, then timetable run RUN2
 * from its stop B2 to its stop A2. */
struct conn_pick {
    uint32_t run, j;
    uint32_t run2, b2, a2;
    int64_t dep2;
};

/* The freight modes the server may give trip TRIP (router_trip_fmode):
 * rail, air and road by route_type; water is river when every stop lies on
 * a river lane and sea otherwise, which needs the lane graph the simulator
 * does not load, so water counts as both.  Returns how many (0: a mode
 * with no freight handling). */
static int trip_fmodes(const struct rt_timetable *tt, uint32_t trip, int out[2]) {
    int m = tt->routes[tt->trips[trip].route].mode;
    if (m == RT_MODE_WATER) {
        out[0] = RT_FMODE_SEA;
        out[1] = RT_FMODE_RIVER;
        return 2;
    }
    out[0] = rt_fmode_from_rt_mode((enum rt_mode)m, 0);
    return out[0] < 0 ? 0 : 1;
}

/* The station of stop S (its parent), or S itself. */
static uint32_t station_of(const struct rt_timetable *tt, uint32_t s) {
    return tt->stops[s].parent != RT_NONE ? tt->stops[s].parent : s;
}

/* The handling time range at stop S2 from trip T1 to trip T2 over every
 * mode pair either may be: 0, or -1 when a trip has no freight mode. */
static int handling_range(const struct sim_world *w, uint32_t t1, uint32_t t2, uint32_t s2,
                          int32_t *lo, int32_t *hi) {
    int m1[2], m2[2], n1 = trip_fmodes(w->tt, t1, m1), n2 = trip_fmodes(w->tt, t2, m2);
    const char *node = rt_str(w->tt, w->tt->stops[s2].id);
    if (!n1 || !n2) return -1;
    *lo = INT32_MAX;
    *hi = 0;
    for (int a = 0; a < n1; a++)
        for (int b = 0; b < n2; b++) {
            int32_t h = rt_freight_handling(w->freight, node, (enum rt_fmode)m1[a],
                                            (enum rt_fmode)m2[b], NULL);
            if (h < *lo) *lo = h;
            if (h > *hi) *hi = h;
        }
    return 0;
}

/* The first connection (by stop, then trip, then run) for world run R:
 * a run of any trip departing after NOW from stop J of R (the same stop or
 * the same station, J at or after the stop where the delay appears) that R
 * makes on the plan and misses with the delay, whose own departure there
 * the simulator does not delay, and that then goes somewhere other than
 * R's first stop.  Cargo boards and alights only where the timetable lets
 * it (GTFS pickup_type / drop_off_type).  1 with *P filled, else 0. */
static int conn_find(const struct sim_world *w, uint32_t ri, int64_t now, struct conn_pick *p) {
    const struct rt_timetable *tt = w->tt;
    const struct sim_run *r = &w->runs[ri];
    const char *origin = sim_stop_code(w, r, 0);
    const struct rt_trip *t1 = &tt->trips[r->trip];
    const struct rt_stop_time *st1 = &tt->stop_times[t1->first_stop_time];
    uint32_t j0 = r->delay.stop > 1 ? (uint32_t)r->delay.stop : 1;
    if (!(st1[0].flags & RT_CONN_PICKUP)) return 0;
    for (uint32_t j = j0; j < r->n; j++) {
        uint32_t s1 = st1[j].stop;
        /* Only where the timetable lets cargo off (not a pass-through
         * border stop, drop_off_type 1): the router searches proposals
         * from there, and finds none at a stop nobody alights at. */
        if (!(st1[j].flags & RT_CONN_DROPOFF)) continue;
        if (r->earr[j] <= r->parr[j] || strcmp(sim_stop_code(w, r, j), origin) == 0) continue;
        for (uint32_t t2 = 0; t2 < tt->ntrips; t2++) {
            const struct rt_trip *tr = &tt->trips[t2];
            for (uint32_t b = 0; b + 1 < tr->nstops; b++) {
                uint32_t s2 = tt->stop_times[tr->first_stop_time + b].stop, a2 = tr->nstops;
                int32_t hlo, hhi;
                if (s2 != s1 && station_of(tt, s2) != station_of(tt, s1)) continue;
                if (!(tt->stop_times[tr->first_stop_time + b].flags & RT_CONN_PICKUP)) continue;
                if (handling_range(w, r->trip, t2, s2, &hlo, &hhi) != 0) continue;
                if (r->parr[j] + hhi >= r->earr[j] + hlo) continue;
                /* Where the cargo ends: the last stop that is neither the
                 * origin nor the change itself. */
                for (uint32_t a = tr->nstops - 1; a > b && a2 == tr->nstops; a--) {
                    const struct rt_stop_time *sa = &tt->stop_times[tr->first_stop_time + a];
                    const char *c = rt_str(tt, tt->stops[sa->stop].id);
                    if ((sa->flags & RT_CONN_DROPOFF) && strcmp(c, origin) != 0 &&
                        strcmp(c, rt_str(tt, tt->stops[s2].id)) != 0)
                        a2 = a;
                }
                if (a2 == tr->nstops) continue;
                for (uint32_t k = tr->first_run; k < tr->first_run + tr->nruns; k++) {
                    uint32_t ci;
                    int64_t dep;
                    struct sim_delay d2;
                    if (k == r->rt_run || (tt->runs[k].flags & RT_RUN_FREQUENCY)) continue;
                    if ((ci = rt_run_conn(tt, k, b)) == RT_NONE) continue;
                    dep = tt->epoch + tt->conns[ci].dep;
                    if (dep <= now || !sim_conn_breaks(r->parr[j], r->earr[j], hlo, hhi, dep))
                        continue;
                    /* A delay of run 2 at or before B would move its
                     * departure and might save the connection. */
                    sim_run_delay(w, k, &d2);
                    if (d2.seconds > 0 && d2.stop <= (int32_t)b) continue;
                    p->run = ri;
                    p->j = j;
                    p->run2 = k;
                    p->b2 = b;
                    p->a2 = a2;
                    p->dep2 = dep;
                    return 1;
                }
            }
        }
    }
    return 0;
}

static void run_id_of(const struct rt_timetable *tt, uint32_t rt_run, char *buf, size_t len) {
    const struct rt_run *rr = &tt->runs[rt_run];
    int ymd = rt_date_from_days(tt->first_day + rr->day);
    snprintf(buf, len, "%s:%04d-%02d-%02d", rt_str(tt, tt->trips[rr->trip].id), ymd / 10000,
             ymd / 100 % 100, ymd % 100);
}

static json_t *leg_json(const char *trip, const char *run_id, const char *from, const char *to) {
    return json_pack("{s:s,s:s,s:s,s:s}", "trip_id", trip, "run_id", run_id, "from", from,
                     "to", to);
}

/* The POST /v1/waybills body of connection P: a bill of lading numbered
 * "DTCONN" and ten digits drawn from the seed and the two runs, parties and
 * cargo as waybill_body draws them, ready six hours before run 1 leaves. */
static json_t *conn_body(const struct sim_world *w, const struct conn_pick *p) {
    static const char *const hs[] = {"090210", "847130", "850760", "940360"};
    const struct rt_timetable *tt = w->tt;
    const struct sim_run *r = &w->runs[p->run];
    const struct rt_trip *t2 = &tt->trips[tt->runs[p->run2].trip];
    const char *from = sim_stop_code(w, r, 0), *chg = sim_stop_code(w, r, p->j);
    const char *b2 = rt_str(tt, tt->stops[tt->stop_times[t2->first_stop_time + p->b2].stop].id);
    const char *to = rt_str(tt, tt->stops[tt->stop_times[t2->first_stop_time + p->a2].stop].id);
    uint64_t key = sim_hash(w->seed, sim_run_key(tt, r->rt_run), sim_run_key(tt, p->run2),
                            0x636f6e6eULL + p->j);
    struct sim_party shipper, consignee;
    char cb[4], t[32], num[24], id1[96], id2[96];
    int air = r->ch == SIM_CH_AIR || tt->routes[t2->route].mode == RT_MODE_AIR;
    json_t *o = json_object(), *cargo = json_object(), *legs = json_array();
    snprintf(num, sizeof(num), "DTCONN%010" PRIu64, (key >> 8) % UINT64_C(10000000000));
    sim_party_make(sim_hash(key, 1, 0, 0), node_country(w, from, cb, sizeof(cb)), 1, &shipper);
    sim_party_make(sim_hash(key, 2, 0, 0), node_country(w, to, cb, sizeof(cb)),
                   sim_hash(key, 3, 0, 0) % 2 == 0, &consignee);
    json_object_set_new(o, "number", json_string(num));
    json_object_set_new(o, "type", json_string("bl"));
    json_object_set_new(o, "shipper", party_json(&shipper, NULL));
    json_object_set_new(o, "consignee", party_json(&consignee, sim_hash(key, 4, 0, 0) % 3 == 0
                                                                   ? "demo-consignee"
                                                                   : NULL));
    json_object_set_new(o, "origin", json_string(from));
    json_object_set_new(o, "destination", json_string(to));
    /* Air on either leg: loose pieces, no container. */
    json_object_set_new(cargo, "pieces", json_integer(air ? 1 + (int)(key % 40) : 20 + (int)(key % 300)));
    json_object_set_new(cargo, "weight_kg",
                        json_integer(air ? 50 + (int)((key >> 12) % 1500)
                                         : 4000 + (int)((key >> 12) % 18000)));
    json_object_set_new(cargo, "hs_codes",
                        json_pack("[s]", hs[sim_hash(key, 5, 0, 0) % (sizeof(hs) / sizeof(hs[0]))]));
    json_object_set_new(o, "cargo", cargo);
    sim_iso(r->pdep[0] - 6 * 3600, r->offset[0], t, sizeof(t));
    json_object_set_new(o, "departure", json_string(t));
    run_id_of(tt, r->rt_run, id1, sizeof(id1));
    run_id_of(tt, p->run2, id2, sizeof(id2));
    json_array_append_new(legs, leg_json(rt_str(tt, tt->trips[r->trip].id), id1, from, chg));
    json_array_append_new(legs, leg_json(rt_str(tt, t2->id), id2, b2, to));
    json_object_set_new(o, "itinerary", json_pack("{s:o}", "legs", legs));
    return o;
}

/* Up to MAX connections into OUT (the caller's, MAX long), one per delayed
 * run, whose second ride departs after NOW: those whose delay is already
 * known at NOW (at risk as soon as the server has pulled the feeds) and
 * those whose delay is still to come (the flag appears while one
 * watches), taken in turn.  Known ones newest run first (the nearest
 * connections), ones to come by first departure (the soonest to break).
 * Returns how many (0 also when out of memory: they are an extra). */
static size_t conn_collect(const struct sim_world *w, int64_t now, size_t max,
                           struct conn_pick *out) {
    size_t nk = 0, nf = 0, n = 0;
    struct conn_pick *known, *future;
    if (!w->freight || max == 0) return 0;
    known = malloc(sizeof(*known) * max);
    future = malloc(sizeof(*future) * max);
    if (!known || !future) {
        free(known);
        free(future);
        return 0;
    }
    /* Runs are in order of first departure; delays become known roughly
     * in that order too.  Known ones: walk back from the newest. */
    for (uint32_t i = w->nruns; i-- > 0 && nk < max;) {
        const struct sim_run *r = &w->runs[i];
        if (r->delay.seconds <= 0 || r->est_created > now || r->pln_created > now) continue;
        if (conn_find(w, i, now, &known[nk])) nk++;
    }
    for (uint32_t i = 0; i < w->nruns && nf < max; i++) {
        const struct sim_run *r = &w->runs[i];
        if (r->delay.seconds <= 0 || r->est_created <= now || r->pln_created > now) continue;
        if (conn_find(w, i, now, &future[nf])) nf++;
    }
    for (size_t i = 0; n < max && (i < nk || i < nf); i++) {
        if (i < nk && n < max) out[n++] = known[i];
        if (i < nf && n < max) out[n++] = future[i];
    }
    free(known);
    free(future);
    return n;
}

int sim_render_waybills(const struct sim_world *w, int64_t now, const char *limit_s,
                        const char *conn_s, struct sim_body *b) {
    long limit = SIM_WAYBILLS_DEFAULT, nconn_max = SIM_CONNECTING_DEFAULT;
    struct wb_pick *pk;
    struct conn_pick cp[SIM_CONNECTING_MAX];
    struct buf out = {0};
    size_t n = 0, nconn;
    memset(b, 0, sizeof(*b));
    if (limit_s) {
        char *end;
        limit = strtol(limit_s, &end, 10);
        if (end == limit_s || *end || limit < 1 || limit > SIM_WAYBILLS_MAX)
            return bad_limit(limit_s, SIM_WAYBILLS_MAX, b);
    }
    if (conn_s) {
        char *end;
        nconn_max = strtol(conn_s, &end, 10);
        if (end == conn_s || *end || nconn_max < 0 || nconn_max > SIM_CONNECTING_MAX)
            return bad_connecting(conn_s, b);
    }
    if (!(pk = malloc(sizeof(*pk) * (w->ncons ? w->ncons : 1)))) return -1;
    /* The consignments /sim/truth shows (before its cap). */
    for (uint32_t i = 0; i < w->ncons; i++) {
        const struct sim_cons *c = &w->cons[i];
        const struct sim_run *r = &w->runs[c->run];
        if (r->pln_created > now || r->earr[c->to] + SIM_RECENT < now) continue;
        pk[n].arrived = r->earr[c->to] <= now;
        pk[n].when = pk[n].arrived ? r->earr[c->to] : r->parr[c->to];
        pk[n].cons = i;
        pk[n].ch = (int)r->ch;
        n++;
    }
    /* In each channel by arrival, then the channels in turn (water, rail,
     * air, water...): a short list still has all three. */
    qsort(pk, n, sizeof(*pk), wb_pick_cmp);
    {
        uint32_t seen[3] = {0, 0, 0};
        for (size_t i = 0; i < n; i++) pk[i].rank = seen[pk[i].ch]++;
    }
    qsort(pk, n, sizeof(*pk), wb_rank_cmp);
    for (size_t i = 0; i < n && i < (size_t)limit && !out.oom; i++) {
        json_t *o = waybill_body(w, &w->cons[pk[i].cons]);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        if (!s) out.oom = 1;
        else buf_printf(&out, "%s\n", s);
        free(s);
    }
    free(pk);
    nconn = conn_collect(w, now, (size_t)nconn_max, cp);
    for (size_t i = 0; i < nconn && !out.oom; i++) {
        json_t *o = conn_body(w, &cp[i]);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        if (!s) out.oom = 1;
        else buf_printf(&out, "%s\n", s);
        free(s);
    }
    return buf_body(&out, "application/x-ndjson", b);
}
