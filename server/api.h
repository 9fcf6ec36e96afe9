/* api.h -- the endpoint handlers named in the route table (routes.c).
 * api_system.c: health, readiness, metrics, whoami; api_keys.c: API keys. */
#ifndef DT_API_H
#define DT_API_H

#include "routes.h"

#include <jansson.h>

srv_handler api_healthz;
srv_handler api_readyz;
srv_handler api_metrics;
srv_handler api_whoami;
srv_handler api_keys_create;
srv_handler api_keys_get;
srv_handler api_keys_delete;
srv_handler api_nodes_list;
srv_handler api_nodes_get;
srv_handler api_distance;
srv_handler api_lanes;
srv_handler api_routes;
srv_handler api_trips_update;
srv_handler api_trips_get;
srv_handler api_feeds_push;
srv_handler api_feeds_list;
srv_handler api_feeds_rejects;
srv_handler api_events;
srv_handler api_waybills_create;
srv_handler api_waybills_list;
srv_handler api_waybills_get;
srv_handler api_waybills_patch;
srv_handler api_waybills_events;
srv_handler api_waybills_history;
srv_handler api_waybills_stream;
srv_handler api_waybills_eta;
srv_handler api_waybills_track;
srv_handler api_subs_create;
srv_handler api_subs_list;
srv_handler api_subs_get;
srv_handler api_subs_delete;
srv_handler api_subs_test;
srv_handler api_customs_messages;
srv_handler api_customs_declaration;
srv_handler api_customs_history;
srv_handler api_customs_alerts;
srv_handler api_customs_alert_ack;
srv_handler api_customs_negative_add;
srv_handler api_customs_negative_list;
srv_handler api_customs_negative_del;
srv_handler api_stats;
srv_handler api_web_track;
srv_handler api_web_plan;
srv_handler api_web_customs;
srv_handler api_web_ops;
srv_handler api_web_static;
srv_handler api_web_vendor;

/* Append R (who, method, path and query, request id) answered STATUS to the
 * customs audit stream: every read by a customs officer. */
void api_customs_audit(struct srv_req *r, int status);

struct rt_mc_journey;

/* Journey J of the router as /v1/routes writes an itinerary (legs with
 * run_id, times with offsets, cost, CO2e, GeoJSON); a new object.  Also
 * how waybills.c writes its re-routing proposals. */
json_t *api_routes_itinerary(const struct rt_mc_journey *j);

/* Drop what api_routes keeps between requests (built leg lines). */
void api_routes_free(void);

struct store_apikey;
struct store_sub;

/* Validate a POST /v1/subscriptions body into S (callback URL, secret;
 * its filters as compact JSON malloc'd into *FILTERS, caller frees;
 * S->filters points at it).  ALLOW_LOOPBACK as the server option.  0, or
 * -1 after replying 422 naming the field (R may be NULL: validate only, as
 * fuzz_subscription_body does). */
int api_subs_parse_or_reply(struct srv_req *r, json_t *body, int allow_loopback,
                            struct store_sub *s, char **filters);

/* Validate a POST /v1/keys body into K.  0, or -1 after replying 422 naming
 * the field (R may be NULL: validate only, as the fuzzer does). */
int api_keys_parse_or_reply(struct srv_req *r, json_t *body,
                            struct store_apikey *k);

#endif
