/* customs.h -- the customs engine: cross-border e-commerce declarations
 * (carriers/ceb.h) held in memory (loaded from Redis when the store
 * becomes ready), linked to each other and to Dongting waybills, matched
 * (customs_match.h) and cross-checked against the waybills' events
 * (crosscheck.h), with alerts raised as documents and events arrive.
 *
 *   api_customs.c -> customs_submit: a parsed message's blocks, applied
 *                    as one unit (appType add/change/delete, returns);
 *   waybills.c    -> customs_on_event: an event reached a waybill;
 *                    customs_on_waybill: a waybill was created;
 * and the read side for the API: a declaration's view with its linked
 * documents, waybill, events, matching and rule results; alerts; the
 * negative list; statistics.  docs/customs.md has the rules. */
#ifndef DT_CUSTOMS_H
#define DT_CUSTOMS_H

#include "carriers/event.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Load the customs offices table and register the store-ready hook that
 * loads declarations, alerts and the negative list.  0, or -1 with ERR. */
int customs_start(const char *offices_csv, char *err, size_t errlen);
void customs_stop(void);

/* Is the engine's state loaded from Redis (else the API answers 503)? */
int customs_ready(void);

/* ---- intake ---- */

/* The answer of customs_submit: STATUS 201 (stored; BODY is
 * {"stored":[...]}), 200 (the same message guid was stored before: BODY is
 * that first answer), 409 / 422 (refused: CODE and MESSAGE, nothing
 * stored), 503 (Redis).  BODY is borrowed for the call. */
typedef void customs_submit_cb(int status, const char *code, const char *message, json_t *body,
                               void *arg);

/* Apply canonical message MSG (ceb_parse_xml / ceb_validate_json) sent by
 * TENANT; CUSTOMS is 1 when the sender has the customs role (may change
 * any tenant's declarations and post returns).  CB exactly once. */
void customs_submit(const json_t *msg, const char *tenant, int customs, customs_submit_cb *cb,
                    void *arg);

/* ---- what the waybill engine tells ---- */

/* Event X reached waybill NUMBER (new or re-served). */
void customs_on_event(const char *number, const struct carrier_event *x);

/* Run the cross-checks the events told so far call for, now (the waybill
 * engine calls it before it renders the states of a batch, so that they
 * show the alerts the batch raised; otherwise they run on the next loop
 * turn). */
void customs_flush(void);

/* Waybill NUMBER was created: declarations naming it link now. */
void customs_on_waybill(const char *number);

/* ---- reads ---- */

/* Waybill NUMBER's customs state as a JSON object's text into BUF (what
 * its tracking view shows): {"state":"not_linked"} or {"state":
 * "mismatch"|"alerts"|"incomplete"|"released"|"matched", "declarations":
 * [{"id","message","matching","return_status"}] (5 at most), "open_alerts"}. */
void customs_waybill_state(const char *number, char *buf, size_t len);

/* Declaration ID's view (a new object): the record, its linked
 * documents, the waybill, the events, matching and rule results; NULL
 * when none. */
json_t *customs_declaration_view(const char *id);

/* Declaration ID's history (a new array) or NULL when none: from Redis,
 * so through a callback. */
typedef void customs_json_cb(int status, json_t *v, void *arg);
void customs_declaration_history(const char *id, customs_json_cb *cb, void *arg);

/* Alerts raised at or after SINCE (Unix ms; 0 all), of SEVERITY and RULE
 * (NULL any), after CURSOR (NULL from the start), at most LIMIT: a new
 * {"alerts":[...],"next_cursor":...}.  -1 when CURSOR is not one. */
int customs_alerts(const char *severity, int64_t since_ms, const char *rule, const char *cursor,
                   int limit, json_t **out);

/* Acknowledge alert ID by WHO with NOTE (may be NULL).  cb(200, alert),
 * cb(404), cb(409) when already acknowledged, cb(503). */
void customs_alert_ack(const char *id, const char *who, const char *note, customs_json_cb *cb,
                       void *arg);

/* The credit negative list: add (or replace) enterprise CODE, remove it,
 * list it.  Adding raises alerts on every declaration naming CODE. */
void customs_negative_put(const char *code, const char *name, const char *reason,
                          const char *who, customs_json_cb *cb, void *arg);
void customs_negative_del(const char *code, customs_json_cb *cb, void *arg);
json_t *customs_negative_list(void);

/* Record that WHO (role, key id, tenant) read WHAT (method and path with
 * query) at request REQID, answered STATUS: the audit stream. */
void customs_audit(const char *role, const char *key_id, const char *tenant, const char *what,
                   const char *reqid, int status);

/* Monitoring figures over waybills departing in [FROM, TO) (Unix s),
 * grouped BY "mode", "corridor" or "trade_mode"; TENANT NULL: every
 * tenant's.  A new object. */
json_t *customs_stats(int64_t from, int64_t to, const char *by, const char *tenant);

/* For /metrics. */
struct customs_counts {
    unsigned long long declarations, alerts, alerts_open, messages, refused, write_errors;
};
void customs_counts(struct customs_counts *out);

#endif
