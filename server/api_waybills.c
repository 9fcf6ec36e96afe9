/* api_waybills.c -- the waybill endpoints (rows in routes.c):
 *
 *   POST  /v1/waybills                  create and book (forwarder)
 *   GET   /v1/waybills                  the tenant's list with filters
 *   GET   /v1/waybills/{number}         full or public view
 *   PATCH /v1/waybills/{number}         amend, rebook, accept a proposal
 *   GET   /v1/waybills/{number}/events  timeline, cursor-paginated
 *   GET   /v1/waybills/{number}/history amendments
 *   GET   /v1/waybills/{number}/stream  Server-Sent Events
 *
 * Who sees what (docs/waybills.md "Access"): the full view goes to an
 * admin, the forwarder tenant that created the waybill, customs officers,
 * a consignee key whose tenant is the waybill's consignee.account, and
 * anyone holding the waybill's consignee token (?token= or "Bearer
 * wbt_..."); everybody else gets the public view of GET and stream (status,
 * ETA, coarse location, masked names).  Every other endpoint answers a
 * waybill the caller may not see with the same 404 as one that does not
 * exist.  The views are kept rendered in Redis (waybills.c), so a read is
 * one HMGET and a splice. */
#include "api.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "routes.h"
#include "server.h"
#include "sse.h"
#include "store_waybills.h"
#include "waybill.h"
#include "waybills.h"

#include "geodata/network.h"
#include "geodata/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TOKEN_BYTES 24          /* 192 bits */
#define TIMELINE_DEFAULT 100
#define TIMELINE_MAX 500
#define LIST_DEFAULT 50
#define LIST_MAX 200

static int node_ok(const char *code, void *arg) {
    const struct geo_network *gn = srv_network();
    (void)arg;
    return gn == NULL || geo_node_find(&gn->nodes, code) != NULL;
}

static void reply_invalid(struct srv_req *r, int status, const char *code,
                          const struct wb_error *e) {
    json_t *o = json_pack("{s:{s:s, s:s+++, s:s}}", "error", "code", code, "message", e->field,
                          e->field[0] ? ": " : "", "", e->reason, "field", e->field);
    srv_reply_json(r, status, o);
}

/* A number from the path that could be a waybill's (else 404 at once). */
static int plausible_number(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n >= WB_NUMBER_LEN) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static void not_found(struct srv_req *r) {
    srv_reply_error(r, 404, "not_found", "no waybill %.60s", r->params[0]);
}

/* The body of a view: STATIC (a JSON object's text) with "tracking":
 * TRACKING and, when given, "proposals": PROPS spliced in before its
 * closing brace.  Caller frees; NULL when STATIC is not an object. */
static char *splice(const char *stat, size_t slen, const char *tracking, size_t tlen,
                    const char *props, size_t plen, const char *extra) {
    size_t n = slen + tlen + plen + (extra ? strlen(extra) : 0) + 64;
    char *out;
    int k;
    if (slen < 2 || stat[slen - 1] != '}') return NULL;
    if ((out = malloc(n)) == NULL) return NULL;
    k = snprintf(out, n, "%.*s,\"tracking\":%.*s", (int)(slen - 1), stat,
                 tlen ? (int)tlen : 4, tlen ? tracking : "null");
    if (plen) k += snprintf(out + k, n - (size_t)k, ",\"proposals\":%.*s", (int)plen, props);
    if (extra) k += snprintf(out + k, n - (size_t)k, "%s", extra);
    snprintf(out + k, n - (size_t)k, "}");
    return out;
}

/* ---- who may see a waybill ---------------------------------------------- */

enum view { VIEW_NONE = 0, VIEW_PUBLIC, VIEW_FULL };

/* The consignee token the caller sent (?token= or "Bearer wbt_..."), as
 * its SHA-256 into HASH; 0 when none. */
static int caller_token(struct srv_req *r, char hash[65]) {
    char *q = srv_query(r, "token");
    const char *h = srv_header(r, "Authorization");
    int have = 0;
    if (q != NULL && *q) {
        crypto_sha256_hex(q, strlen(q), hash);
        have = 1;
    } else if (h != NULL && strncasecmp(h, "Bearer wbt_", 11) == 0) {
        crypto_sha256_hex(h + 7, strlen(h + 7), hash);
        have = 1;
    }
    free(q);
    return have;
}

/* The view R's caller gets of a waybill of TENANT with consignee account
 * ACCOUNT and token hash TOK. */
static enum view view_of(struct srv_req *r, const char *tenant, const char *account,
                         const char *tok) {
    char hash[65];
    int role = r->who.role;
    if (role == ROLE_ADMIN || role == ROLE_CUSTOMS) return VIEW_FULL;
    if (role == ROLE_FORWARDER && strcmp(r->who.tenant, tenant) == 0) return VIEW_FULL;
    if (role == ROLE_CONSIGNEE && account[0] && strcmp(r->who.tenant, account) == 0)
        return VIEW_FULL;
    if (caller_token(r, hash) && strlen(tok) == 64 && crypto_equal(hash, tok)) return VIEW_FULL;
    return VIEW_PUBLIC;
}

static int owner(struct srv_req *r, const char *tenant) {
    return r->who.role == ROLE_ADMIN ||
           (r->who.role == ROLE_FORWARDER && strcmp(r->who.tenant, tenant) == 0);
}

static void store_failed(struct srv_req *r, int status) {
    srv_reply_error(r, 503, "redis_unavailable", "%s", store_error_text(status));
}

/* ---- POST /v1/waybills ------------------------------------------------------ */

struct create {
    struct srv_req *r;
    struct waybill w;
    char token[4 + 2 * TOKEN_BYTES + 1];
    struct wb_fields f;
};

static void created(int status, void *arg) {
    struct create *c = arg;
    struct srv_req *r = c->r;
    if (status == STORE_OK) {
        const char *vfull = c->f.fv[3], *live = c->f.fv[7];
        char extra[160], loc[128];
        char *body;
        waybills_put(&c->w, 1);
        snprintf(extra, sizeof(extra), ",\"consignee_token\":\"%s\"", c->token);
        body = splice(vfull, strlen(vfull), live, strlen(live), NULL, 0, extra);
        snprintf(loc, sizeof(loc), "/v1/waybills/%s", c->w.number);
        srv_add_header(r, "Location", loc);
        if (body) srv_reply_raw(r, 201, "application/json", body, strlen(body));
        else srv_reply_error(r, 503, "overloaded", "out of memory");
        free(body);
        log_event("info", "waybill_created", "waybill %s of tenant %s booked on %d legs (%s)",
                  c->w.number, c->w.tenant, c->w.nlegs, c->w.book);
    } else if (status == STORE_CONFLICT) {
        srv_reply_error(r, 409, "conflict", "waybill %s exists already", c->w.number);
    } else {
        store_failed(r, status);
    }
    waybills_fields_free(&c->f);
    free(c);
}

void api_waybills_create(struct srv_req *r) {
    json_t *body = srv_body_json_or_reply(r);
    struct create *c;
    struct wb_booking b;
    struct wb_error e;
    char rnd[2 * TOKEN_BYTES + 1], hash[65];
    int rc;

    if (body == NULL) return;
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        json_decref(body);
        srv_reply_error(r, 503, "overloaded", "out of memory");
        return;
    }
    c->r = r;
    memset(&e, 0, sizeof(e));
    if (waybill_parse(body, &c->w, &b, node_ok, NULL, &e) != 0) {
        reply_invalid(r, 422, "invalid", &e);
        goto fail;
    }
    snprintf(c->w.tenant, sizeof(c->w.tenant), "%s", r->who.tenant[0] ? r->who.tenant : "admin");
    if ((rc = waybills_book(&c->w, &b, &e)) != 0) {
        reply_invalid(r, 422, rc > 0 ? "no_route" : "invalid", &e);
        goto fail;
    }
    c->w.created = c->w.updated = (int64_t)time(NULL);
    c->w.version = 1;
    if (crypto_random_hex(TOKEN_BYTES, rnd, sizeof(rnd)) != 0) {
        srv_reply_error(r, 503, "overloaded", "no randomness for the consignee token");
        goto fail;
    }
    snprintf(c->token, sizeof(c->token), "wbt_%s", rnd);
    crypto_sha256_hex(c->token, strlen(c->token), hash);
    if (waybills_fields(&c->w, hash, &c->f) != 0) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        goto fail;
    }
    json_decref(body);
    store_wb_create(c->w.number, c->w.tenant, c->f.fv, c->f.nfv, (long long)c->w.created,
                    created, c);
    return;
fail:
    json_decref(body);
    free(c);
}

/* ---- reads of one waybill ------------------------------------------------------- */

enum what { W_GET, W_EVENTS, W_STREAM, W_HISTORY, W_PATCH, W_ETA };

struct one {
    struct srv_req *r;
    enum what what;
    json_t *body;            /* PATCH */
    char *props;             /* PATCH: the stored proposals, for accept_proposal */
    char *cursor;            /* W_EVENTS: member after which to go on */
    long limit;
};

static const char *const get_fields[] = {"tenant", "account", "tok",     "vfull",
                                         "live",   "vpub",    "livepub", "proposals"};

static void one_free(struct one *o) {
    json_decref(o->body);
    free(o->props);
    free(o->cursor);
    free(o);
}

static void got_timeline(int status, const char *const *v, const size_t *lens, size_t n,
                         void *arg) {
    struct one *o = arg;
    struct srv_req *r = o->r;
    json_t *list, *out;
    if (status == STORE_NOT_FOUND) {
        srv_reply_error(r, 400, "bad_request", "cursor: not a position in this timeline");
        goto done;
    }
    if (status != STORE_OK || n < 2) {
        store_failed(r, status == STORE_OK ? STORE_ERROR : status);
        goto done;
    }
    list = json_array();
    for (size_t i = 2; i < n; i++) {
        json_t *j = json_loadb(v[i], lens[i], 0, NULL);
        if (j) json_array_append_new(list, j);
    }
    {
        char next[2 * 200 + 1] = "";
        for (size_t i = 0; i < lens[1] && i < 200; i++)
            snprintf(next + 2 * i, 3, "%02x", (unsigned char)v[1][i]);
        out = json_pack("{s:s, s:I, s:o, s:s?}", "waybill", r->params[0], "total",
                        (json_int_t)strtoll(v[0], NULL, 10), "events", list, "next_cursor",
                        next[0] ? next : NULL);
    }
    srv_reply_json(r, 200, out);
done:
    one_free(o);
}

/* Cursor text (hex of a timeline member) back to the member.  0 or -1. */
static int cursor_decode(const char *hex, char *out, size_t outlen) {
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n / 2 >= outlen) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1 || v < 0x20 || v > 0x7e) return -1;
        out[i] = (char)v;
    }
    out[n / 2] = '\0';
    return 0;
}

/* Reply {"waybill": N, "history": [...]}: each stored string V[i] made an
 * entry by ENTRY (NULL: skipped). */
static void reply_history(struct one *o, int status, const char *const *v, const size_t *lens,
                          size_t n, json_t *(*entry)(const char *s, size_t len)) {
    if (status != STORE_OK) {
        store_failed(o->r, status);
    } else {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *j = entry(v[i], lens[i]);
            if (j) json_array_append_new(list, j);
        }
        srv_reply_json(o->r, 200, json_pack("{s:s, s:o}", "waybill", o->r->params[0],
                                            "history", list));
    }
    one_free(o);
}

static json_t *amendment_entry(const char *s, size_t len) { return json_loadb(s, len, 0, NULL); }

/* An "AT|ETA|SOURCE" entry (store_wb_eta_history) as an object. */
static json_t *eta_entry(const char *s, size_t len) {
    char at[40], eta[40], src[32] = "";
    long long a = 0, e = 0;
    char *line = strndup(s, len), *p1, *p2;
    if (line && (p1 = strchr(line, '|')) && (p2 = strchr(p1 + 1, '|'))) {
        *p1 = *p2 = '\0';
        a = strtoll(line, NULL, 10);
        e = strtoll(p1 + 1, NULL, 10);
        snprintf(src, sizeof(src), "%s", p2 + 1);
    }
    free(line);
    if (a <= 0 || e <= 0) return NULL;
    time_format_iso8601(a, 0, at, sizeof(at));
    time_format_iso8601(e, 0, eta, sizeof(eta));
    return json_pack("{s:s, s:s, s:s}", "at", at, "eta", eta, "source", src);
}

static void got_history(int status, const char *const *v, const size_t *lens, size_t n,
                        void *arg) {
    reply_history(arg, status, v, lens, n, amendment_entry);
}

static void got_eta_history(int status, const char *const *v, const size_t *lens, size_t n,
                            void *arg) {
    reply_history(arg, status, v, lens, n, eta_entry);
}

static void patch_loaded(struct one *o, const char *doc, size_t doclen, const char *props);

static void got_one(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    struct one *o = arg;
    struct srv_req *r = o->r;
    enum view view;
    if (r->who.role == ROLE_CUSTOMS)  /* a customs officer's reads are audited */
        api_customs_audit(r, status == STORE_NOT_FOUND ? 404 : status == STORE_OK ? 200 : 503);
    if (status == STORE_NOT_FOUND) {
        not_found(r);
        goto done;
    }
    if (status != STORE_OK || n != 8) {
        store_failed(r, status == STORE_OK ? STORE_ERROR : status);
        goto done;
    }
    view = view_of(r, v[0], v[1], v[2]);
    switch (o->what) {
    case W_GET: {
        int full = view == VIEW_FULL;
        /* Proposals are the forwarder's to act on. */
        int props = full && owner(r, v[0]) && lens[7] > 0;
        char *body = splice(full ? v[3] : v[5], full ? lens[3] : lens[5], full ? v[4] : v[6],
                            full ? lens[4] : lens[6], props ? v[7] : NULL, props ? lens[7] : 0,
                            NULL);
        if (body) srv_reply_raw(r, 200, "application/json", body, strlen(body));
        else srv_reply_error(r, 503, "overloaded", "the stored view is unreadable");
        free(body);
        break;
    }
    case W_STREAM: {
        char *hf = strndup(v[4], lens[4]), *hp = strndup(v[6], lens[6]);
        if (hf && hp) sse_attach_or_reply(r, r->params[0], view == VIEW_FULL, hf, hp);
        else srv_reply_error(r, 503, "overloaded", "out of memory");
        free(hf);
        free(hp);
        break;
    }
    case W_EVENTS:
        if (view != VIEW_FULL) {
            not_found(r);
            break;
        }
        store_wb_timeline(r->params[0], o->cursor, o->limit, got_timeline, o);
        return;
    case W_ETA:
        /* the ETA is in the public view: anyone who may see the waybill */
        store_wb_eta_history(r->params[0], got_eta_history, o);
        return;
    case W_HISTORY:
        if (!owner(r, v[0])) {
            not_found(r);
            break;
        }
        store_wb_history(r->params[0], 1000, got_history, o);
        return;
    case W_PATCH:
        if (!owner(r, v[0])) {
            not_found(r);
            break;
        }
        o->props = strndup(v[7], lens[7]);
        patch_loaded(o, NULL, 0, o->props);
        return;
    }
done:
    one_free(o);
}

static struct one *one_new(struct srv_req *r, enum what what) {
    struct one *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        return NULL;
    }
    o->r = r;
    o->what = what;
    if (!plausible_number(r->params[0])) {
        not_found(r);
        free(o);
        return NULL;
    }
    return o;
}

static void fetch(struct one *o) {
    store_wb_fields(o->r->params[0], get_fields, 8, got_one, o);
}

void api_waybills_get(struct srv_req *r) {
    struct one *o = one_new(r, W_GET);
    if (o) fetch(o);
}

void api_waybills_stream(struct srv_req *r) {
    struct one *o = one_new(r, W_STREAM);
    if (o) fetch(o);
}

void api_waybills_eta(struct srv_req *r) {
    struct one *o = one_new(r, W_ETA);
    if (o) fetch(o);
}

void api_waybills_track(struct srv_req *r) {
    char found[WAYBILLS_LOOKUP_MAX][WB_NUMBER_LEN];
    size_t n = waybills_lookup(r->params[0], found, WAYBILLS_LOOKUP_MAX);
    json_t *list;
    if (n == 0) {
        srv_reply_error(r, 404, "not_found", "no waybill has number or container %.60s",
                        r->params[0]);
        return;
    }
    list = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(list, json_string(found[i]));
    srv_reply_json(r, 200, json_pack("{s:s, s:o}", "ref", r->params[0], "waybills", list));
}

void api_waybills_history(struct srv_req *r) {
    struct one *o = one_new(r, W_HISTORY);
    if (o) fetch(o);
}

void api_waybills_events(struct srv_req *r) {
    struct one *o = one_new(r, W_EVENTS);
    char *cur, *lim;
    char member[256];
    if (o == NULL) return;
    cur = srv_query(r, "cursor");
    lim = srv_query(r, "limit");
    o->limit = TIMELINE_DEFAULT;
    if (lim != NULL) {
        char *end;
        long v = strtol(lim, &end, 10);
        if (*lim == '\0' || *end != '\0' || v < 1 || v > TIMELINE_MAX) {
            srv_reply_error(r, 400, "bad_request", "limit: '%.20s' is not 1..%d", lim,
                            TIMELINE_MAX);
            goto fail;
        }
        o->limit = v;
    }
    if (cur != NULL) {
        if (cursor_decode(cur, member, sizeof(member)) != 0) {
            srv_reply_error(r, 400, "bad_request", "cursor: '%.40s' is not a cursor this "
                            "server gave", cur);
            goto fail;
        }
        o->cursor = strdup(member);
    }
    free(cur);
    free(lim);
    fetch(o);
    return;
fail:
    free(cur);
    free(lim);
    one_free(o);
}

/* ---- PATCH ------------------------------------------------------------------------ */

struct patch {
    struct one *o;
    struct waybill w;
    struct wb_fields f;
};

static void patched(int status, void *arg) {
    struct patch *p = arg;
    struct srv_req *r = p->o->r;
    if (status == STORE_OK) {
        const char *vfull = p->f.fv[3], *live = p->f.fv[7];
        char *body;
        waybills_put(&p->w, 0);
        body = splice(vfull, strlen(vfull), live, strlen(live), NULL, 0, NULL);
        if (body) srv_reply_raw(r, 200, "application/json", body, strlen(body));
        else srv_reply_error(r, 503, "overloaded", "out of memory");
        free(body);
    } else if (status == STORE_CONFLICT) {
        srv_reply_error(r, 409, "conflict", "waybill %s was amended meanwhile: read it and "
                        "try again", p->w.number);
    } else if (status == STORE_NOT_FOUND) {
        not_found(r);
    } else {
        store_failed(r, status);
    }
    waybills_fields_free(&p->f);
    one_free(p->o);
    free(p);
}

static void got_doc(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    struct one *o = arg;
    if (status != STORE_OK || n != 1) {
        if (status == STORE_NOT_FOUND) not_found(o->r);
        else store_failed(o->r, status == STORE_OK ? STORE_ERROR : status);
        one_free(o);
        return;
    }
    patch_loaded(o, v[0], lens[0], o->props);
}

static void patch_loaded(struct one *o, const char *doc, size_t doclen, const char *props) {
    struct srv_req *r = o->r;
    struct patch *p;
    struct wb_booking b;
    struct wb_error e;
    char changed[256], why[200];
    json_t *dj, *hist, *legs_before = NULL;
    char *hs;
    int old_version, rc;

    if (doc == NULL) {       /* first the document itself */
        static const char *const f[] = {"doc"};
        store_wb_fields(r->params[0], f, 1, got_doc, o);
        return;
    }
    if ((p = calloc(1, sizeof(*p))) == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        one_free(o);
        return;
    }
    p->o = o;
    memset(&e, 0, sizeof(e));
    dj = json_loadb(doc, doclen, 0, NULL);
    if (dj == NULL || waybill_from_doc(dj, &p->w, why, sizeof(why)) != 0) {
        json_decref(dj);
        srv_reply_error(r, 503, "unreadable", "the stored waybill cannot be read");
        goto fail;
    }
    json_decref(dj);
    old_version = p->w.version;
    legs_before = waybill_legs_json(&p->w);
    if (waybill_patch(o->body, &p->w, &b, node_ok, NULL, changed, sizeof(changed), &e) != 0) {
        reply_invalid(r, 422, "invalid", &e);
        goto fail;
    }
    if (b.kind == WB_BOOK_PROPOSAL) {
        if (waybills_book_proposal(&p->w, props, b.proposal, &e) != 0) {
            reply_invalid(r, 422, "invalid", &e);
            goto fail;
        }
    } else if (b.kind != WB_BOOK_NONE) {
        if ((rc = waybills_book(&p->w, &b, &e)) != 0) {
            reply_invalid(r, 422, rc > 0 ? "no_route" : "invalid", &e);
            goto fail;
        }
    }
    if (changed[0] == '\0' && b.kind == WB_BOOK_NONE) {
        srv_reply_error(r, 422, "invalid", "nothing to change: give shipper, consignee, cargo, "
                        "containers, destination, itinerary, book or accept_proposal");
        goto fail;
    }
    p->w.version = old_version + 1;
    p->w.updated = (int64_t)time(NULL);
    {
        char at[40];
        time_format_iso8601(p->w.updated, 0, at, sizeof(at));
        hist = json_pack("{s:s, s:s, s:s, s:i, s:s}", "at", at, "by", r->who.key_id, "role",
                         role_name(r->who.role), "version", p->w.version, "changed", changed);
        if (b.kind != WB_BOOK_NONE) {
            json_object_set_new(hist, "rebooked", json_string(p->w.book));
            json_object_set(hist, "legs_before", legs_before);
            json_object_set_new(hist, "legs_after", waybill_legs_json(&p->w));
        }
        hs = json_dumps(hist, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(hist);
    }
    if (hs == NULL || waybills_fields(&p->w, NULL, &p->f) != 0) {
        free(hs);
        srv_reply_error(r, 503, "overloaded", "out of memory");
        goto fail;
    }
    json_decref(legs_before);
    store_wb_amend(p->w.number, old_version, p->f.fv, p->f.nfv, hs, patched, p);
    free(hs);
    return;
fail:
    json_decref(legs_before);
    one_free(o);
    free(p);
}

void api_waybills_patch(struct srv_req *r) {
    struct one *o;
    json_t *body = srv_body_json_or_reply(r);
    if (body == NULL) return;
    if ((o = one_new(r, W_PATCH)) == NULL) {
        json_decref(body);
        return;
    }
    o->body = body;
    fetch(o);
}

/* ---- GET /v1/waybills ------------------------------------------------------------------ */

static void got_list(int status, const char *const *v, const size_t *lens, size_t n, void *arg) {
    struct srv_req *r = arg;
    size_t cap = 64, len = 0;
    char *out;
    if (status == STORE_NOT_FOUND) {
        srv_reply_error(r, 400, "bad_request", "cursor: not a waybill of this list");
        return;
    }
    if (status != STORE_OK || n < 1 || (n - 1) % 3 != 0) {
        store_failed(r, status == STORE_OK ? STORE_ERROR : status);
        return;
    }
    for (size_t i = 1; i < n; i++) cap += lens[i] + 32;
    cap += lens[0] * 2 + 64;
    if ((out = malloc(cap)) == NULL) {
        srv_reply_error(r, 503, "overloaded", "out of memory");
        return;
    }
    len += (size_t)snprintf(out + len, cap - len, "{\"waybills\":[");
    for (size_t i = 1, k = 0; i + 2 < n; i += 3, k++) {
        char *item = splice(v[i + 1], lens[i + 1], v[i + 2], lens[i + 2], NULL, 0, NULL);
        if (item == NULL) continue;
        len += (size_t)snprintf(out + len, cap - len, "%s%s", k ? "," : "", item);
        free(item);
    }
    if (lens[0] > 0)
        len += (size_t)snprintf(out + len, cap - len, "],\"next_cursor\":\"%.*s\"}", (int)lens[0],
                                v[0]);
    else
        len += (size_t)snprintf(out + len, cap - len, "],\"next_cursor\":null}");
    srv_reply_raw(r, 200, "application/json", out, len);
    free(out);
}

void api_waybills_list(struct srv_req *r) {
    char *status = srv_query(r, "status"), *eta = srv_query(r, "eta_before");
    char *dest = srv_query(r, "destination"), *risk = srv_query(r, "at_risk");
    char *cursor = srv_query(r, "cursor"), *lim = srv_query(r, "limit");
    char *tenant_q = srv_query(r, "tenant");
    const char *tenant = r->who.tenant;
    int64_t before = 0;
    long limit = LIST_DEFAULT;
    char why[128];

    if (r->who.role == ROLE_ADMIN) {
        if (tenant_q == NULL || !*tenant_q) {
            srv_reply_error(r, 400, "bad_request", "tenant: an admin names the tenant whose "
                            "waybills to list");
            goto done;
        }
        tenant = tenant_q;
    }
    if (status && carrier_status_parse(status) < 0) {
        srv_reply_error(r, 400, "bad_request", "status: '%.30s' is not a status "
                        "(docs/carrier-events.md)", status);
        goto done;
    }
    if (eta && time_parse_iso8601(eta, &before, why, sizeof(why)) != 0) {
        srv_reply_error(r, 400, "bad_request", "eta_before: %s", why);
        goto done;
    }
    if (risk && strcmp(risk, "true") != 0 && strcmp(risk, "false") != 0) {
        srv_reply_error(r, 400, "bad_request", "at_risk: true or false");
        goto done;
    }
    if (lim) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*lim == '\0' || *end != '\0' || limit < 1 || limit > LIST_MAX) {
            srv_reply_error(r, 400, "bad_request", "limit: '%.20s' is not 1..%d", lim, LIST_MAX);
            goto done;
        }
    }
    if (cursor && !plausible_number(cursor)) {
        srv_reply_error(r, 400, "bad_request", "cursor: not a waybill of this list");
        goto done;
    }
    if (dest && !plausible_number(dest)) {
        srv_reply_error(r, 400, "bad_request", "destination: '%.20s' is not a place code", dest);
        goto done;
    }
    store_wb_list(tenant, eta != NULL, (long long)before, cursor, limit, status, dest,
                  risk && strcmp(risk, "true") == 0, got_list, r);
done:
    free(status);
    free(eta);
    free(dest);
    free(risk);
    free(cursor);
    free(lim);
    free(tenant_q);
}
