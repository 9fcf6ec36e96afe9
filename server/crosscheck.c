/* crosscheck.c -- customs declaration against carrier events (see
 * crosscheck.h and docs/customs-crosscheck.md).
 *
 * The events are first put in one order: retractions and the events they
 * void dropped, the rest sorted by event time (ties keep their input
 * order); the ACT events with a time are the facts most rules read.  Each
 * rule then walks that order, so results come out rule by rule in event
 * time order, whatever order the caller passed. */
#include "crosscheck.h"
#include "geodata/geodesy.h"
#include "geodata/timefmt.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xc_limits_default(struct xc_limits *l) {
    memset(l, 0, sizeof(*l));
    l->max_speed_kmh[CM_UNKNOWN] = 1000;
    l->max_speed_kmh[CM_VESSEL] = 60;
    l->max_speed_kmh[CM_BARGE] = 40;
    l->max_speed_kmh[CM_RAIL] = 160;
    l->max_speed_kmh[CM_AIR] = 1100;
    l->max_speed_kmh[CM_TRUCK] = 130;
    l->min_distance_km = 30;
    l->weight_tolerance_pct = 10;
    l->weight_tolerance_kg = 0.5;
    l->transit_limit_s = 7 * 86400;
}

struct xc_ev {
    const struct carrier_event *e;
    size_t in;                    /* index in the caller's array, for ties */
};

struct ctx {
    const struct xc_decl *d;
    const struct xc_places *p;
    struct xc_limits lim;
    struct xc_ev *all;            /* live events, time order */
    size_t nall;
    const struct carrier_event **act; /* the ACT events with a time, time order */
    size_t nact;
    struct xc_result *out;
    size_t max, count;
};

static const char *str(const char *s) {
    return s ? s : "";
}

static int by_time(const void *a, const void *b) {
    const struct xc_ev *x = a, *y = b;
    if (x->e->event_time != y->e->event_time)
        return x->e->event_time < y->e->event_time ? -1 : 1;
    return x->in < y->in ? -1 : x->in > y->in;
}

/* 1 when A and B are equal ignoring case and spaces ("CA 1234", "ca1234").
 * An empty side never equals anything. */
static int loose_eq(const char *a, const char *b) {
    int na = 0, nb = 0;
    a = str(a);
    b = str(b);
    for (;;) {
        while (*a == ' ') a++;
        while (*b == ' ') b++;
        if (*a == '\0' || *b == '\0') break;
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b)) return 0;
        a++, b++, na++, nb++;
    }
    return *a == '\0' && *b == '\0' && na > 0 && nb > 0;
}

/* ---- results ---- */

static void emit(struct ctx *c, const char *rule, const char *sev,
                 const struct carrier_event *e1, const struct carrier_event *e2,
                 const char *declared, const char *observed, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static void emit(struct ctx *c, const char *rule, const char *sev,
                 const struct carrier_event *e1, const struct carrier_event *e2,
                 const char *declared, const char *observed, const char *fmt, ...) {
    struct xc_result *r;
    va_list ap;
    if (c->count++ >= c->max) return;
    r = &c->out[c->count - 1];
    memset(r, 0, sizeof(*r));
    snprintf(r->rule, sizeof(r->rule), "%s", rule);
    snprintf(r->severity, sizeof(r->severity), "%s", sev);
    if (e1) snprintf(r->event_ids[0], sizeof(r->event_ids[0]), "%s", e1->event_id);
    if (e2) snprintf(r->event_ids[1], sizeof(r->event_ids[1]), "%s", e2->event_id);
    snprintf(r->declared, sizeof(r->declared), "%s", declared);
    snprintf(r->observed, sizeof(r->observed), "%s", observed);
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
}

static const char *when(int64_t t, char buf[32]) {
    time_format_iso8601(t, 0, buf, 32);
    return buf;
}

/* ---- places ---- */

/* The node LOC names: exact, else by its UN/LOCODE prefix before '-'. */
static const struct geo_node *node_of(const struct ctx *c, const char *loc) {
    const struct geo_node *nd;
    const char *dash;
    char pre[16];
    if (c->p == NULL || c->p->nodes == NULL || loc[0] == '\0') return NULL;
    if ((nd = geo_node_find(c->p->nodes, loc)) != NULL) return nd;
    dash = strchr(loc, '-');
    if (dash == NULL || (size_t)(dash - loc) >= sizeof(pre)) return NULL;
    memcpy(pre, loc, (size_t)(dash - loc));
    pre[dash - loc] = '\0';
    return geo_node_find(c->p->nodes, pre);
}

/* 1 when E happened in mainland China: its node is in CN, or, for a place
 * nodes.csv lacks, its location is a CN UN/LOCODE (CNTXG, CNTXG-XX). */
static int in_cn(const struct ctx *c, const struct carrier_event *e) {
    const struct geo_node *nd = node_of(c, e->location);
    char pre[6];
    if (nd) return strcmp(nd->country, "CN") == 0;
    if (strncmp(e->location, "CN", 2) != 0 || strlen(e->location) < 5) return 0;
    if (e->location[5] != '\0' && e->location[5] != '-') return 0;
    memcpy(pre, e->location, 5);
    pre[5] = '\0';
    return carrier_unlocode_valid(pre);
}

static int coords(const struct ctx *c, const struct carrier_event *e, double *lat,
                  double *lon) {
    const struct geo_node *nd;
    if (e->has_coords) {
        *lat = e->lat;
        *lon = e->lon;
        return 1;
    }
    if ((nd = node_of(c, e->location)) == NULL) return 0;
    *lat = nd->lat;
    *lon = nd->lon;
    return 1;
}

static const struct cx_office *office(const struct ctx *c, const char *code) {
    if (c->p == NULL || c->p->offices == NULL || str(code)[0] == '\0') return NULL;
    return cx_office_resolve(c->p->offices, code);
}

/* The voyage, flight or train E names, or NULL. */
static const char *voyage_of(const struct carrier_event *e) {
    const char *v = carrier_event_ref(e, "voyage");
    if (v == NULL) v = carrier_event_ref(e, "flight");
    if (v == NULL) v = carrier_event_ref(e, "train");
    return v;
}

/* ---- the port of entry / exit ---- */

/* The statuses that move goods across the border at a port: arriving
 * (import) or leaving (export). */
static int crossing_status(enum carrier_status s, int import) {
    if (s == CS_BORDER_CROSSED) return 1;
    return import ? (s == CS_ARRIVED || s == CS_DISCHARGED)
                  : (s == CS_DEPARTED || s == CS_LOADED);
}

/* Import: the first ACT arrival, discharge or border crossing in CN;
 * export: the last ACT departure, loading or border crossing in CN. */
static const struct carrier_event *port_event(const struct ctx *c) {
    const struct carrier_event *hit = NULL;
    for (size_t i = 0; i < c->nact; i++) {
        const struct carrier_event *e = c->act[i];
        if (!crossing_status(e->status, c->d->import) || !in_cn(c, e)) continue;
        hit = e;
        if (c->d->import) break;
    }
    return hit;
}

/* 1 when E is one of the crossing events at the port place of PE. */
static int at_port(const struct ctx *c, const struct carrier_event *pe,
                   const struct carrier_event *e) {
    return crossing_status(e->status, c->d->import) &&
           cx_node_match(e->location, pe->location);
}

static void rule_port(struct ctx *c, const struct carrier_event *pe) {
    const struct cx_office *o = office(c, c->d->port_code);
    char t[32];
    if (o == NULL || pe == NULL || cx_office_has_node(o, pe->location)) return;
    emit(c, "port_mismatch", "high", pe, NULL, c->d->port_code, pe->location,
         "Declaration %s gives portCode %s (%s) as the port of %s, but the events "
         "put it at %s: event %s, %s at %s on %s; that office does not supervise %s.",
         str(c->d->id), c->d->port_code, o->name_en, c->d->import ? "entry" : "exit",
         pe->location, pe->event_id, carrier_status_name(pe->status), pe->location,
         when(pe->event_time, t), pe->location);
}

static const char *traf_of_mode(enum carrier_mode m) {
    switch (m) {
    case CM_VESSEL: case CM_BARGE: return "2";
    case CM_RAIL: return "3";
    case CM_TRUCK: return "4";
    case CM_AIR: return "5";
    default: return NULL;
    }
}

static const char *traf_name(const char *code) {
    if (strcmp(code, "2") == 0) return "water";
    if (strcmp(code, "3") == 0) return "rail";
    if (strcmp(code, "4") == 0) return "road";
    if (strcmp(code, "5") == 0) return "air";
    return NULL;
}

static void rule_mode(struct ctx *c, const struct carrier_event *pe) {
    const char *tm = str(c->d->traf_mode);
    int fired[6] = {0};
    if (pe == NULL || traf_name(tm) == NULL) return;
    for (size_t i = 0; i < c->nact; i++) {
        const struct carrier_event *e = c->act[i];
        const char *code = traf_of_mode(e->mode);
        if (code == NULL || !at_port(c, pe, e) || strcmp(code, tm) == 0) continue;
        if (fired[code[0] - '0']++) continue;
        emit(c, "transport_mode_mismatch", "medium", e, NULL, tm, code,
             "Declaration %s gives trafMode %s (%s), but event %s (%s at %s) reports "
             "%s, trafMode %s (%s), at the port of %s.",
             str(c->d->id), tm, traf_name(tm), e->event_id, carrier_status_name(e->status),
             e->location, carrier_mode_name(e->mode), code, traf_name(code),
             c->d->import ? "entry" : "exit");
    }
}

static void rule_voyage(struct ctx *c, const struct carrier_event *pe) {
    const char *tn = str(c->d->traf_no), *vn = str(c->d->voyage_no);
    char decl[96];
    if (pe == NULL || (tn[0] == '\0' && vn[0] == '\0')) return;
    snprintf(decl, sizeof(decl), "%s%s%s", tn, tn[0] && vn[0] ? " / " : "", vn);
    for (size_t i = 0; i < c->nact; i++) {
        const struct carrier_event *e = c->act[i];
        const char *v = voyage_of(e);
        size_t j;
        if (v == NULL || !at_port(c, pe, e) || loose_eq(v, tn) || loose_eq(v, vn)) continue;
        for (j = 0; j < i; j++) {   /* once per voyage named */
            const char *w = voyage_of(c->act[j]);
            if (w && at_port(c, pe, c->act[j]) && (loose_eq(v, w) || strcmp(v, w) == 0)) break;
        }
        if (j < i) continue;
        emit(c, "voyage_mismatch", "medium", e, NULL, decl, v,
             "Declaration %s gives trafNo/voyageNo '%s', but event %s (%s at %s) names "
             "%s '%s' at the port of %s.",
             str(c->d->id), decl, e->event_id, carrier_status_name(e->status), e->location,
             carrier_event_ref(e, "voyage") ? "voyage"
                 : carrier_event_ref(e, "flight") ? "flight" : "train",
             v, c->d->import ? "entry" : "exit");
    }
}

/* ---- movement, weight, containers ---- */

static void rule_movement(struct ctx *c) {
    const struct carrier_event *prev = NULL;
    double plat = 0, plon = 0;
    for (size_t i = 0; i < c->nact; i++) {
        const struct carrier_event *e = c->act[i];
        double lat, lon, km, limit;
        int64_t dt;
        unsigned m = (unsigned)e->mode < 6 ? (unsigned)e->mode : 0;
        char decl[96], obs[96];
        if (!coords(c, e, &lat, &lon)) continue;
        if (prev == NULL) goto next;
        km = geo_inverse(plat, plon, lat, lon, NULL, NULL) / 1000.0;
        dt = e->event_time - prev->event_time;
        limit = c->lim.max_speed_kmh[m];
        /* "CNSHA" and "CNSHA-YSH" are one place named coarsely and finely:
         * the node of the bare UN/LOCODE is a city reference point. */
        if (!(km > c->lim.min_distance_km) || cx_node_match(prev->location, e->location))
            goto next;
        snprintf(decl, sizeof(decl), "max %.0f km/h (%s)", limit,
                 carrier_mode_name((enum carrier_mode)m));
        if (dt <= 0) {
            snprintf(obs, sizeof(obs), "%.1f km in %lld s", km, (long long)dt);
        } else {
            double kmh = km / ((double)dt / 3600.0);
            if (!(kmh > limit)) goto next;
            snprintf(obs, sizeof(obs), "%.1f km in %.2f h (%.0f km/h)", km,
                     (double)dt / 3600.0, kmh);
        }
        emit(c, "impossible_movement", "high", prev, e, decl, obs,
             "Declaration %s: events %s (%s at %s) and %s (%s at %s) are %s apart, faster "
             "than the %s limit of %.0f km/h.",
             str(c->d->id), prev->event_id, carrier_status_name(prev->status),
             prev->location[0] ? prev->location : "coordinates", e->event_id,
             carrier_status_name(e->status), e->location[0] ? e->location : "coordinates",
             obs, carrier_mode_name((enum carrier_mode)m), limit);
    next:
        prev = e;
        plat = lat;
        plon = lon;
    }
}

static int weight_off(const struct ctx *c, double w) {
    double g = c->d->gross_kg;
    double tol = fmax(fabs(g) * c->lim.weight_tolerance_pct / 100.0, c->lim.weight_tolerance_kg);
    return fabs(w - g) > tol;
}

static void rule_weight(struct ctx *c) {
    if (!c->d->has_gross) return;
    for (size_t i = 0; i < c->nact; i++) {
        const struct carrier_event *e = c->act[i];
        char decl[96], obs[96];
        size_t j;
        if (!e->has_weight || !weight_off(c, e->weight_kg)) continue;
        for (j = 0; j < i; j++)   /* once per weight reported */
            if (c->act[j]->has_weight && c->act[j]->weight_kg == e->weight_kg) break;
        if (j < i) continue;
        snprintf(decl, sizeof(decl), "%.1f kg", c->d->gross_kg);
        snprintf(obs, sizeof(obs), "%.1f kg", e->weight_kg);
        emit(c, "weight_mismatch", "medium", e, NULL, decl, obs,
             "Declaration %s gives a gross weight of %s, but event %s (%s at %s) reports "
             "%s, beyond the tolerance of %.0f%% or %.1f kg.",
             str(c->d->id), decl, e->event_id, carrier_status_name(e->status),
             e->location[0] ? e->location : "an unknown place", obs,
             c->lim.weight_tolerance_pct, c->lim.weight_tolerance_kg);
    }
}

static int declared_container(const struct xc_decl *d, const char *v) {
    for (size_t i = 0; i < d->ncontainers; i++)
        if (loose_eq(d->containers[i], v)) return 1;
    return 0;
}

/* Any classifier: a container planned onto the consignment is as telling
 * as one seen. */
static void rule_containers(struct ctx *c) {
    char decl[96];
    size_t used = 0;
    if (c->d->ncontainers == 0) return;
    decl[0] = '\0';
    for (size_t i = 0; i < c->d->ncontainers && used + 1 < sizeof(decl); i++) {
        int w = snprintf(decl + used, sizeof(decl) - used, "%s%s", i ? " " : "",
                         str(c->d->containers[i]));
        if (w < 0) break;
        used += (size_t)w;
    }
    for (size_t i = 0; i < c->nall; i++) {
        const struct carrier_event *e = c->all[i].e;
        for (int k = 0; k < e->nrefs; k++) {
            const char *v = e->refs[k].value;
            int seen = 0;
            if (strcmp(e->refs[k].kind, "container") != 0 || declared_container(c->d, v))
                continue;
            for (size_t j = 0; j <= i && !seen; j++) {  /* once per container */
                const struct carrier_event *f = c->all[j].e;
                int upto = j < i ? f->nrefs : k;
                for (int q = 0; q < upto && !seen; q++)
                    seen = strcmp(f->refs[q].kind, "container") == 0 &&
                           loose_eq(f->refs[q].value, v);
            }
            if (seen) continue;
            emit(c, "undeclared_container", "high", e, NULL, decl, v,
                 "Declaration %s lists %zu container(s), but event %s (%s %s at %s) "
                 "names container %s, which is not among them.",
                 str(c->d->id), c->d->ncontainers, e->event_id,
                 carrier_classifier_name(e->classifier), carrier_status_name(e->status),
                 e->location[0] ? e->location : "an unknown place", v);
        }
    }
}

/* ---- order ---- */

static int same_voyage(const struct carrier_event *a, const struct carrier_event *b) {
    const char *x = voyage_of(a), *y = voyage_of(b);
    return x == NULL || y == NULL || loose_eq(x, y);
}

static void rule_order(struct ctx *c) {
    char t1[32], t2[32], decl[96], obs[96];
    const struct cx_office *exit_o;
    const struct carrier_event *dv = NULL;

    /* A discharge before the arrival at the same place. */
    for (size_t i = 0; i < c->nact; i++) {
        const struct carrier_event *dis = c->act[i], *later = NULL;
        int before = 0;
        if (dis->status != CS_DISCHARGED || dis->location[0] == '\0') continue;
        for (size_t j = 0; j < c->nact && !before; j++) {
            const struct carrier_event *a = c->act[j];
            if (a->status != CS_ARRIVED || !cx_node_match(a->location, dis->location) ||
                !same_voyage(a, dis))
                continue;
            if (a->event_time <= dis->event_time) before = 1;
            else if (later == NULL) later = a;
        }
        if (before || later == NULL) continue;
        snprintf(decl, sizeof(decl), "ARRIVED %s", when(later->event_time, t1));
        snprintf(obs, sizeof(obs), "DISCHARGED %s", when(dis->event_time, t2));
        emit(c, "event_order", "medium", dis, later, decl, obs,
             "Declaration %s: event %s discharges at %s on %s, before event %s reports "
             "the arrival there on %s.",
             str(c->d->id), dis->event_id, dis->location, t2, later->event_id, t1);
    }

    /* Export: leaving the exit port before customs released the goods. */
    exit_o = c->d->import ? NULL : office(c, c->d->port_code);
    for (size_t i = 0; exit_o && i < c->nact; i++) {
        const struct carrier_event *e = c->act[i];
        if (e->status != CS_DEPARTED || !cx_office_has_node(exit_o, e->location)) continue;
        if (c->d->released_at != 0 && e->event_time >= c->d->released_at) continue;
        if (c->d->released_at != 0)
            snprintf(decl, sizeof(decl), "released %s", when(c->d->released_at, t1));
        else
            snprintf(decl, sizeof(decl), "not released");
        snprintf(obs, sizeof(obs), "DEPARTED %s", when(e->event_time, t2));
        emit(c, "event_order", "medium", e, NULL, decl, obs,
             "Declaration %s: event %s departs the exit port %s on %s, but customs %s.",
             str(c->d->id), e->event_id, e->location, t2,
             c->d->released_at ? "released the goods only later" : "has not released the goods");
        break;
    }

    /* Anything after the delivery. */
    for (size_t i = 0; i < c->nact; i++) {
        const struct carrier_event *e = c->act[i];
        if (dv == NULL) {
            if (e->status == CS_DELIVERED) dv = e;
            continue;
        }
        if (e->status == CS_DELIVERED || e->event_time <= dv->event_time) continue;
        snprintf(decl, sizeof(decl), "DELIVERED %s", when(dv->event_time, t1));
        snprintf(obs, sizeof(obs), "%s %s", carrier_status_name(e->status),
                 when(e->event_time, t2));
        emit(c, "event_order", "medium", e, dv, decl, obs,
             "Declaration %s: event %s (%s at %s on %s) comes after the delivery, "
             "event %s on %s.",
             str(c->d->id), e->event_id, carrier_status_name(e->status),
             e->location[0] ? e->location : "an unknown place", t2, dv->event_id, t1);
    }
}

/* ---- customs transit ---- */

static int on_route(const struct xc_decl *d, const char *loc) {
    for (size_t i = 0; i < d->nroute; i++)
        if (cx_node_match(str(d->route[i]), loc)) return 1;
    return 0;
}

static void route_text(const struct xc_decl *d, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->nroute && used + 1 < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ">" : "", str(d->route[i]));
        if (w < 0) break;
        used += (size_t)w;
    }
}

static int transit_end_status(enum carrier_status s) {
    return s == CS_ARRIVED || s == CS_DISCHARGED || s == CS_GATE_IN || s == CS_DELIVERED;
}

static void rule_transit(struct ctx *c) {
    const struct cx_office *po = office(c, c->d->port_code);
    const struct cx_office *co = office(c, c->d->customs_code);
    const struct cx_office *from, *to;
    size_t start = c->nact, end = c->nact, last, i;
    char decl[96], obs[96], t1[32];
    int64_t dur;

    if (po == NULL || co == NULL || po == co || c->nact == 0) return;
    from = c->d->import ? po : co;
    to = c->d->import ? co : po;
    for (i = 0; i < c->nact && start == c->nact; i++)
        if (cx_office_has_node(from, c->act[i]->location)) start = i;
    if (start == c->nact) return;
    for (i = start; i < c->nact && end == c->nact; i++) {
        const struct carrier_event *e = c->act[i];
        if (cx_office_has_node(to, e->location) &&
            (!c->d->import || transit_end_status(e->status)))
            end = i;
    }
    last = end < c->nact ? end : c->nact - 1;

    if (c->d->nroute > 0) {
        route_text(c->d, decl, sizeof(decl));
        for (i = start; i <= last; i++) {
            const struct carrier_event *e = c->act[i];
            size_t j;
            if (e->location[0] == '\0' || on_route(c->d, e->location)) continue;
            for (j = start; j < i; j++)   /* once per place */
                if (strcmp(c->act[j]->location, e->location) == 0) break;
            if (j < i) continue;
            emit(c, "transit_off_route", "high", e, NULL, decl, e->location,
                 "Declaration %s: during the customs transit from %s to %s, event %s (%s on "
                 "%s) is at %s, which is not on the booked route %s.",
                 str(c->d->id), from->code, to->code, e->event_id,
                 carrier_status_name(e->status), when(e->event_time, t1), e->location, decl);
        }
    }

    dur = c->act[last]->event_time - c->act[start]->event_time;
    if (dur <= c->lim.transit_limit_s) return;
    snprintf(decl, sizeof(decl), "%.1f h", (double)c->lim.transit_limit_s / 3600.0);
    snprintf(obs, sizeof(obs), "%.1f h%s", (double)dur / 3600.0, end < c->nact ? "" : " (open)");
    emit(c, "transit_overdue", "medium", c->act[start], c->act[last], decl, obs,
         "Declaration %s: the customs transit from %s to %s started with event %s on %s "
         "and %s %s; %s exceeds the limit of %s.",
         str(c->d->id), from->code, to->code, c->act[start]->event_id,
         when(c->act[start]->event_time, t1),
         end < c->nact ? "ended with event" : "is still open at the latest event",
         c->act[last]->event_id, obs, decl);
}

/* ---- driver ---- */

/* 1 when E is voided by a retraction among EV. */
static int retracted(const struct carrier_event *const *ev, size_t n,
                     const struct carrier_event *e) {
    for (size_t i = 0; i < n; i++)
        if (ev[i]->retracted && strcmp(ev[i]->retracts, e->event_id) == 0) return 1;
    return 0;
}

size_t xc_check(const struct xc_decl *d, const struct carrier_event *const *ev, size_t n,
                const struct xc_places *p, const struct xc_limits *l,
                struct xc_result *out, size_t max) {
    struct ctx c;
    const struct carrier_event *pe;
    size_t nretract = 0;

    memset(&c, 0, sizeof(c));
    c.d = d;
    c.p = p;
    c.out = out;
    c.max = out ? max : 0;
    if (l) c.lim = *l;
    else xc_limits_default(&c.lim);

    c.all = malloc((n ? n : 1) * sizeof(*c.all));
    c.act = malloc((n ? n : 1) * sizeof(*c.act));
    if (c.all == NULL || c.act == NULL) {
        free(c.all);
        free(c.act);
        return XC_NOMEM;
    }
    for (size_t i = 0; i < n; i++) nretract += ev[i]->retracted != 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i]->retracted || (nretract && retracted(ev, n, ev[i]))) continue;
        c.all[c.nall].e = ev[i];
        c.all[c.nall].in = i;
        c.nall++;
    }
    qsort(c.all, c.nall, sizeof(*c.all), by_time);
    for (size_t i = 0; i < c.nall; i++)
        if (c.all[i].e->classifier == CC_ACTUAL && c.all[i].e->event_time != 0)
            c.act[c.nact++] = c.all[i].e;

    pe = port_event(&c);
    rule_port(&c, pe);
    rule_mode(&c, pe);
    rule_voyage(&c, pe);
    rule_movement(&c);
    rule_weight(&c);
    rule_containers(&c);
    rule_order(&c);
    rule_transit(&c);

    free(c.all);
    free(c.act);
    return c.count;
}
