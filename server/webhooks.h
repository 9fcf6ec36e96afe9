/* webhooks.h -- webhook subscriptions and their deliveries.
 *
 * A subscription (POST /v1/subscriptions, api_subscriptions.c) belongs to
 * the key's tenant and role: a forwarder's sees the waybills its tenant
 * created, a consignee's the waybills whose consignee.account is its
 * tenant.  Filters: "waybills" (numbers; empty: every waybill it may see),
 * "statuses" (normalised event statuses, carriers/event.h names; empty:
 * all), "eta_change_min" (ETA changes are delivered only when this is set
 * and the ETA moved by at least that many minutes).
 *
 * waybills.c calls webhooks_notify() for every new event that reaches a
 * waybill and every ETA change; this module matches the subscriptions
 * (held in memory, loaded from Redis when the store becomes ready),
 * gathers what is due per subscription for a short moment, and delivers a
 * JSON array signed with the subscription's secret
 * (Notification-Signature: sha256=HEX of HMAC-SHA256 of the raw body),
 * with libcurl's multi interface on the event loop (curl_loop.h); retries
 * with exponential backoff, then the delivery goes to the subscription's
 * dead-letter list (GET /v1/subscriptions/{id}).  docs/webhooks.md. */
#ifndef DT_WEBHOOKS_H
#define DT_WEBHOOKS_H

#include <jansson.h>
#include <stdint.h>

struct event_base;
struct srv_config;

enum wh_kind { WH_EVENT = 0, WH_ETA };

/* What happened to a waybill.  Strings are copied; DATA is borrowed (the
 * module takes its own reference). */
struct wh_notice {
    enum wh_kind kind;
    const char *id;         /* idempotency id: the event's "SOURCE:ID", or
                             * "eta:NUMBER:VERSION" */
    const char *waybill;    /* number */
    const char *tenant;     /* the waybill's forwarder tenant */
    const char *account;    /* the waybill's consignee.account, or "" */
    const char *status;     /* WH_EVENT: the event's normalised status */
    int64_t eta_old, eta_new; /* WH_ETA: Unix seconds (0: none) */
    json_t *data;           /* what the delivery carries for this notice:
                             * the event (canonical JSON) or the ETA change */
};

/* Load subscriptions when the store is ready; start the delivery loop.
 * CFG's webhook_allow_loopback lets tests use 127.0.0.1 receivers.  0 or -1. */
int webhooks_start(struct event_base *base, const struct srv_config *cfg);

/* Stop delivering and free everything (deliveries in flight are dropped;
 * pending ones are lost: docs/webhooks.md says so). */
void webhooks_stop(void);

/* Queue N for every subscription it matches.  Never blocks, never fails
 * loudly: a notice that cannot be queued is counted in /metrics. */
void webhooks_notify(const struct wh_notice *n);

#endif
