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

struct event;
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

/* 1 when any subscription exists (callers skip building notices else). */
int webhooks_subscribed(void);

/* ---- subscriptions in memory (for api_subscriptions.c and tests) ---- */

#define WH_MAX_WAYBILLS 1000

/* A subscription as the matcher sees it. */
struct wh_sub {
    char id[40];              /* "sub_" + 32 hex */
    char tenant[64];
    int consignee;            /* 1: role consignee, 0: forwarder */
    char *callback_url;
    char secret[65];
    char **waybills;          /* sorted (strcmp); empty: every waybill it may see */
    size_t nwaybills;
    uint32_t statuses;        /* bit (1 << enum carrier_status); 0: all */
    long eta_change_min;      /* 0: ETA changes are not delivered */
    char *filters;            /* the filters as stored (JSON object text) */
    long long created;        /* Unix seconds */
    unsigned long long delivered, failed, dead; /* deliveries; failed attempts */
    /* delivery state (webhooks.c) */
    json_t *batch;            /* items gathered for the next delivery */
    struct event *flush_ev;
    int pending;              /* deliveries queued, in flight or waiting to retry */
};

/* Pure: 1 if notice N is for subscription S (role and tenant, then the
 * filters), else 0. */
int webhooks_match(const struct wh_sub *s, const struct wh_notice *n);

/* Fill S's filter fields from FILTERS, a JSON object as api_subscriptions.c
 * writes it ({"waybills":[...],"statuses":[...],"eta_change_min":N}, each
 * optional).  Unknown statuses are ignored.  0, or -1 (not an object, or
 * out of memory).  Free with webhooks_sub_free_fields. */
int webhooks_sub_filters(struct wh_sub *s, const char *filters);
void webhooks_sub_free_fields(struct wh_sub *s);

struct store_sub;

/* Hold stored subscription S in memory (a copy; an id held already is
 * left as it is).  0 or -1. */
int webhooks_sub_add(const struct store_sub *s);

/* Forget subscription ID and drop its undelivered deliveries. */
void webhooks_sub_remove(const char *id);

/* Subscription ID, or NULL; valid until the next call into this module. */
const struct wh_sub *webhooks_sub_find(const char *id);

/* The I-th subscription held (any order), or NULL past the end. */
const struct wh_sub *webhooks_sub_at(size_t i);

/* 1 once the subscriptions were loaded from Redis at least once. */
int webhooks_loaded(void);

/* Queue a signed "test" delivery to subscription ID now (no coalescing).
 * Its delivery id goes to DELIVERY_ID (at least 40 bytes).  0, or -1
 * (unknown id, queue full, out of memory). */
int webhooks_test(const char *id, char *delivery_id, size_t len);

/* For /metrics. */
struct wh_stats {
    unsigned long long delivered;  /* deliveries answered 2xx */
    unsigned long long failed;     /* failed attempts (non-2xx, timeout, connection) */
    unsigned long long dead;       /* deliveries dead-lettered */
    unsigned long long dropped;    /* notices or deliveries that could not be queued */
    unsigned long long queued;     /* deliveries not finished now */
    unsigned long long subs;       /* subscriptions held */
};
void webhooks_stats(struct wh_stats *out);

/* Lowercase hex HMAC-SHA256 of BODY (LEN bytes) under SECRET, in out[65].
 * 0 or -1. */
int webhooks_sign(const char *secret, const char *body, size_t len, char out[65]);

#endif
