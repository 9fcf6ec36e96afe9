/* api_customs.c -- the /v1/customs endpoints: declarations in (CEB XML or the same as
 * JSON), declarations, alerts and the negative list out, and /v1/stats.
 * Every read by a customs officer (or admin) is written to the audit
 * stream with who, what and when (customs_audit).  The engine is
 * customs.c; docs/customs.md has the API. */
#include "api.h"
#include "config.h"
#include "customs.h"
#include "http.h"
#include "server.h"

#include "carriers/ceb.h"
#include "geodata/timefmt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALERTS_DEFAULT 50
#define ALERTS_MAX 500
#define NEG_CODE_MAX 32

static void reply_path_error(struct srv_req *r, int status, const char *code, const char *err) {
    /* ERR is "<path>: <reason>" (ceb.h) */
    const char *sep = strstr(err, ": ");
    json_t *o = json_pack("{s:{s:s, s:s, s:s%}}", "error", "code", code, "message", err, "path",
                          err, sep ? (size_t)(sep - err) : (size_t)0);
    srv_reply_json(r, status, o);
}

/* Who read what, for the audit stream (api.h: api_waybills.c records a
 * customs officer's waybill reads too). */
void api_customs_audit(struct srv_req *r, int status) {
    char what[400];
    const char *q = srv_query_string(r);
    snprintf(what, sizeof(what), "%s %s%s%s", r->method, r->path, q ? "?" : "", q ? q : "");
    customs_audit(role_name(r->who.role), r->who.key_id, r->who.tenant, what, r->request_id,
                  status);
}

static int not_ready(struct srv_req *r) {
    if (customs_ready()) return 0;
    srv_reply_error(r, 503, "not_ready", "customs declarations are still loading from Redis");
    return 1;
}

/* ---- POST /v1/customs/messages -------------------------------------------------- */

static void submitted(int status, const char *code, const char *message, json_t *body,
                      void *arg) {
    struct srv_req *r = arg;
    if (status == 200 || status == 201) srv_reply_json(r, status, json_incref(body));
    else reply_path_error(r, status, code, message);
}

static int looks_xml(const char *b, size_t len) {
    size_t i = 0;
    if (len >= 3 && (unsigned char)b[0] == 0xEF && (unsigned char)b[1] == 0xBB &&
        (unsigned char)b[2] == 0xBF)
        i = 3;
    while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) i++;
    return i < len && b[i] == '<';
}

void api_customs_messages(struct srv_req *r) {
    size_t len;
    const char *body = srv_body(r, &len);
    const char *ct = srv_header(r, "Content-Type");
    json_t *canon = NULL;
    char err[512];
    if (not_ready(r)) return;
    if (body == NULL || len == 0) {
        srv_reply_error(r, 400, "invalid", "empty body: send one CEB message as XML or JSON");
        return;
    }
    if ((ct && (strstr(ct, "xml") != NULL)) || (!ct && looks_xml(body, len)) ||
        (ct && strstr(ct, "json") == NULL && looks_xml(body, len))) {
        if (ceb_parse_xml(body, len, (size_t)srv_cfg()->max_body_bytes, &canon, err,
                          sizeof(err)) != 0) {
            /* the document as a whole (not XML, DOCTYPE, size) is a 400;
             * an element's value or a missing element is a 422 */
            reply_path_error(r, strncmp(err, "/: ", 3) == 0 ? 400 : 422,
                             strncmp(err, "/: ", 3) == 0 ? "bad_request" : "invalid", err);
            return;
        }
    } else {
        json_t *j = srv_body_json_or_reply(r);
        if (j == NULL) return;
        int rc = ceb_validate_json(j, &canon, err, sizeof(err));
        json_decref(j);
        if (rc != 0) {
            reply_path_error(r, 422, "invalid", err);
            return;
        }
    }
    customs_submit(canon, r->who.tenant, r->who.role == ROLE_CUSTOMS, submitted, r);
    json_decref(canon);
}

/* ---- declarations ---------------------------------------------------------------------- */

void api_customs_declaration(struct srv_req *r) {
    json_t *v;
    if (not_ready(r)) return;
    v = customs_declaration_view(r->params[0]);
    api_customs_audit(r, v ? 200 : 404);
    if (v == NULL) {
        srv_reply_error(r, 404, "not_found", "no declaration %.40s", r->params[0]);
        return;
    }
    srv_reply_json(r, 200, v);
}

static void history_got(int status, json_t *v, void *arg) {
    struct srv_req *r = arg;
    api_customs_audit(r, status);
    if (status == 404) srv_reply_error(r, 404, "not_found", "no declaration %.40s", r->params[0]);
    else if (status != 200) srv_reply_error(r, 503, "redis_unavailable", "history unavailable");
    else srv_reply_json(r, 200, json_pack("{s:s, s:O}", "id", r->params[0], "history", v));
}

void api_customs_history(struct srv_req *r) {
    if (not_ready(r)) return;
    customs_declaration_history(r->params[0], history_got, r);
}

/* ---- alerts -------------------------------------------------------------------------------- */

static const char *const severities[] = {"high", "medium", "low"};

void api_customs_alerts(struct srv_req *r) {
    char *sev = srv_query(r, "severity"), *since = srv_query(r, "since");
    char *rule = srv_query(r, "rule"), *cursor = srv_query(r, "cursor");
    char *lim = srv_query(r, "limit"), why[160];
    long limit = ALERTS_DEFAULT;
    int64_t since_s = 0;
    json_t *out = NULL;
    int ok = 1;
    if (not_ready(r)) goto done;
    if (sev) {
        ok = 0;
        for (size_t i = 0; i < 3; i++) ok |= strcmp(sev, severities[i]) == 0;
        if (!ok) {
            srv_reply_error(r, 400, "invalid", "severity: not high, medium or low: \"%.20s\"",
                            sev);
            goto done;
        }
    }
    if (since && time_parse_iso8601(since, &since_s, why, sizeof(why)) != 0) {
        srv_reply_error(r, 400, "invalid", "since: %s", why);
        goto done;
    }
    if (lim) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*end || limit < 1 || limit > ALERTS_MAX) {
            srv_reply_error(r, 400, "invalid", "limit: not 1..%d: \"%.20s\"", ALERTS_MAX, lim);
            goto done;
        }
    }
    if (customs_alerts(sev, since_s * 1000, rule, cursor, (int)limit, &out) != 0) {
        srv_reply_error(r, 400, "invalid", "cursor: not an alert id: \"%.40s\"", cursor);
        goto done;
    }
    api_customs_audit(r, 200);
    srv_reply_json(r, 200, out);
done:
    free(sev);
    free(since);
    free(rule);
    free(cursor);
    free(lim);
}

static void acked(int status, json_t *v, void *arg) {
    struct srv_req *r = arg;
    api_customs_audit(r, status);
    if (status == 200) srv_reply_json(r, 200, json_incref(v));
    else if (status == 404) srv_reply_error(r, 404, "not_found", "no alert %.40s", r->params[0]);
    else if (status == 409)
        srv_reply_error(r, 409, "conflict", "alert %.40s was acknowledged already by %.64s",
                        r->params[0],
                        json_string_value(json_object_get(v, "acknowledged_by")) ?: "-");
    else srv_reply_error(r, 503, "redis_unavailable", "the acknowledgement was not stored");
}

void api_customs_alert_ack(struct srv_req *r) {
    size_t len;
    const char *note = NULL;
    json_t *j = NULL;
    char who[128];
    if (not_ready(r)) return;
    if (srv_body(r, &len) != NULL && len > 0) {
        if ((j = srv_body_json_or_reply(r)) == NULL) return;
        json_t *n = json_object_get(j, "note");
        if (n && (!json_is_string(n) || json_string_length(n) > 500)) {
            json_decref(j);
            srv_reply_error(r, 422, "invalid", "note: not a string of at most 500 bytes");
            return;
        }
        note = json_string_value(n);
    }
    snprintf(who, sizeof(who), "%s (%s)", r->who.key_id, r->who.tenant);
    customs_alert_ack(r->params[0], who, note, acked, r);
    json_decref(j);
}

/* ---- the negative list ------------------------------------------------------------------- */

static void neg_done(int status, json_t *v, void *arg) {
    struct srv_req *r = arg;
    if (status == 201) srv_reply_json(r, 201, json_incref(v));
    else if (status == 204) srv_reply_json(r, 204, NULL);
    else if (status == 404)
        srv_reply_error(r, 404, "not_found", "%.40s is not on the negative list", r->params[0]);
    else srv_reply_error(r, 503, "redis_unavailable", "the negative list was not changed");
}

static int code_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > NEG_CODE_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

void api_customs_negative_add(struct srv_req *r) {
    json_t *j;
    const char *code, *name, *reason;
    char who[128];
    if (not_ready(r) || (j = srv_body_json_or_reply(r)) == NULL) return;
    code = json_string_value(json_object_get(j, "code"));
    name = json_string_value(json_object_get(j, "name"));
    reason = json_string_value(json_object_get(j, "reason"));
    if (code == NULL || !code_ok(code)) {
        srv_reply_error(r, 422, "invalid",
                        "code: needs an enterprise code of 1..%d letters, digits, - or _",
                        NEG_CODE_MAX);
    } else if (json_object_get(j, "name") && (!name || strlen(name) > 200)) {
        srv_reply_error(r, 422, "invalid", "name: not a string of at most 200 bytes");
    } else if (reason == NULL || reason[0] == 0 || strlen(reason) > 500) {
        srv_reply_error(r, 422, "invalid", "reason: needs a string of 1..500 bytes");
    } else {
        snprintf(who, sizeof(who), "%s (%s)", r->who.key_id, r->who.tenant);
        customs_negative_put(code, name, reason, who, neg_done, r);
    }
    json_decref(j);
}

void api_customs_negative_list(struct srv_req *r) {
    if (not_ready(r)) return;
    api_customs_audit(r, 200);
    srv_reply_json(r, 200, customs_negative_list());
}

void api_customs_negative_del(struct srv_req *r) {
    if (not_ready(r)) return;
    customs_negative_del(r->params[0], neg_done, r);
}

/* ---- /v1/stats ------------------------------------------------------------------------------ */

void api_stats(struct srv_req *r) {
    char *from = srv_query(r, "from"), *to = srv_query(r, "to"), *by = srv_query(r, "by");
    char why[160];
    int64_t f = 0, t = INT64_MAX / 2;
    if (not_ready(r)) goto done;
    if (from && time_parse_iso8601(from, &f, why, sizeof(why)) != 0) {
        srv_reply_error(r, 400, "invalid", "from: %s", why);
        goto done;
    }
    if (to && time_parse_iso8601(to, &t, why, sizeof(why)) != 0) {
        srv_reply_error(r, 400, "invalid", "to: %s", why);
        goto done;
    }
    if (t <= f) {
        srv_reply_error(r, 400, "invalid", "to: not after from");
        goto done;
    }
    if (by && strcmp(by, "mode") != 0 && strcmp(by, "corridor") != 0 &&
        strcmp(by, "trade_mode") != 0) {
        srv_reply_error(r, 400, "invalid", "by: not mode, corridor or trade_mode: \"%.20s\"", by);
        goto done;
    }
    /* a forwarder sees its own shipments; customs and admin the zone's */
    json_t *o = customs_stats(f, t, by ? by : "mode",
                              r->who.role == ROLE_FORWARDER ? r->who.tenant : NULL);
    if (r->who.role != ROLE_FORWARDER) api_customs_audit(r, 200);
    srv_reply_json(r, 200, o);
done:
    free(from);
    free(to);
    free(by);
}
