/* routes.c -- the route table: every endpoint, its roles, in one place.
 * docs/openapi.yaml must describe each row (test/unit/server/test_openapi.c
 * fails otherwise). */
#include "routes.h"
#include "api.h"

#include <stdio.h>
#include <string.h>

static const struct srv_route routes[] = {
    /* method  pattern            roles        flags  handler  summary */
    /* The web pages (web.c): files read at start-up, served from memory. */
    {"GET", "/", ROLE_PUBLIC, 0, api_web_track, "web page: track a shipment"},
    {"GET", "/track/{number}", ROLE_PUBLIC, 0, api_web_track, "web page: one shipment"},
    {"GET", "/plan", ROLE_PUBLIC, 0, api_web_plan, "web page: plan a route (forwarder key)"},
    {"GET", "/customs", ROLE_PUBLIC, 0, api_web_customs, "web page: the customs desk (customs key)"},
    {"GET", "/ops", ROLE_PUBLIC, 0, api_web_ops, "web page: operations (admin key)"},
    {"GET", "/static/{name}", ROLE_PUBLIC, 0, api_web_static, "the pages' scripts and styles"},
    {"GET", "/vendor/{name}", ROLE_PUBLIC, 0, api_web_vendor,
     "browser libraries and the world basemap (from node_modules)"},
    {"GET", "/healthz", ROLE_PUBLIC, ROUTE_UNLIMITED, api_healthz, "process is alive"},
    {"GET", "/readyz", ROLE_PUBLIC, ROUTE_UNLIMITED, api_readyz, "Redis answers and data is loaded"},
    {"GET", "/metrics", ROLE_ADMIN, 0, api_metrics, "Prometheus metrics"},
    {"GET", "/v1/whoami", ROLE_ANY, 0, api_whoami, "the caller's role and tenant"},
    {"POST", "/v1/keys", ROLE_ADMIN, ROUTE_NEEDS_REDIS, api_keys_create, "issue an API key"},
    {"GET", "/v1/keys/{id}", ROLE_ADMIN, ROUTE_NEEDS_REDIS, api_keys_get, "an API key's metadata"},
    {"DELETE", "/v1/keys/{id}", ROLE_ADMIN, ROUTE_NEEDS_REDIS, api_keys_delete, "revoke an API key"},
    {"GET", "/v1/nodes", ROLE_PUBLIC, 0, api_nodes_list, "places of the network"},
    {"GET", "/v1/nodes/{code}", ROLE_PUBLIC, 0, api_nodes_get, "one place"},
    {"GET", "/v1/distance", ROLE_PUBLIC, 0, api_distance, "distance and line between two places by a mode"},
    {"GET", "/v1/lanes", ROLE_PUBLIC, 0, api_lanes, "sea, river and rail lanes as GeoJSON"},
    {"GET", "/v1/routes", ROLE_FORWARDER | ROLE_ADMIN, 0, api_routes, "earliest-arrival itineraries"},
    {"POST", "/v1/trips/{trip_id}/updates", ROLE_ADMIN | ROLE_CARRIER, ROUTE_NEEDS_REDIS,
     api_trips_update, "report a delay, skipped stop, cancellation or clear for one run"},
    {"GET", "/v1/trips/{trip_id}", ROLE_ADMIN | ROLE_CARRIER | ROLE_FORWARDER, 0, api_trips_get,
     "a run's scheduled and current times per stop"},
    {"POST", "/v1/feeds/{name}/events", ROLE_CARRIER | ROLE_ADMIN, ROUTE_NEEDS_REDIS,
     api_feeds_push, "push carrier events in the feed's format; 202 once stored"},
    {"GET", "/v1/feeds", ROLE_ADMIN, 0, api_feeds_list, "each feed's health, lag and counts"},
    {"GET", "/v1/feeds/{name}/rejects", ROLE_ADMIN | ROLE_CARRIER, ROUTE_NEEDS_REDIS,
     api_feeds_rejects, "a feed's refused events with their reasons"},
    {"GET", "/v1/events", ROLE_ADMIN, ROUTE_NEEDS_REDIS, api_events,
     "one subject's events (container, B/L, AWB, trip...) ordered by event time"},
    /* Waybills (api_waybills.c).  The rows marked ROUTE_AUTH_OPTIONAL also
     * answer a consignee token (?token= or "Bearer wbt_...") and, for GET
     * /v1/waybills/{number} and its stream, anonymous callers (the masked
     * public view); elsewhere "not yours" is the same 404 as "no such". */
    {"POST", "/v1/waybills", ROLE_FORWARDER | ROLE_ADMIN, ROUTE_NEEDS_REDIS, api_waybills_create,
     "create a waybill, booked on an itinerary or by the server; 201 with the consignee token"},
    {"GET", "/v1/waybills", ROLE_FORWARDER | ROLE_ADMIN, ROUTE_NEEDS_REDIS, api_waybills_list,
     "the tenant's waybills, filtered by status, ETA, destination, at risk"},
    {"GET", "/v1/waybills/{number}", ROLE_ANY, ROUTE_NEEDS_REDIS | ROUTE_AUTH_OPTIONAL,
     api_waybills_get, "a waybill: full to its owner, consignee and customs; else the public view"},
    {"PATCH", "/v1/waybills/{number}", ROLE_FORWARDER | ROLE_ADMIN, ROUTE_NEEDS_REDIS,
     api_waybills_patch, "amend or rebook a waybill (accept a proposal), kept in its history"},
    {"GET", "/v1/waybills/{number}/events", ROLE_ANY, ROUTE_NEEDS_REDIS | ROUTE_AUTH_OPTIONAL,
     api_waybills_events, "a waybill's timeline in event-time order, cursor-paginated"},
    {"GET", "/v1/waybills/{number}/history", ROLE_FORWARDER | ROLE_ADMIN, ROUTE_NEEDS_REDIS,
     api_waybills_history, "a waybill's amendments and rebookings"},
    {"GET", "/v1/waybills/{number}/stream", ROLE_ANY, ROUTE_NEEDS_REDIS | ROUTE_AUTH_OPTIONAL,
     api_waybills_stream, "Server-Sent Events: the waybill's new events and ETA changes"},
    /* Customs (api_customs.c).  Every read by customs or admin goes to the
     * audit stream. */
    {"POST", "/v1/customs/messages", ROLE_CUSTOMS | ROLE_FORWARDER, ROUTE_NEEDS_REDIS,
     api_customs_messages, "store one CEB declaration message (XML or JSON), per business block"},
    {"GET", "/v1/customs/declarations/{id}", ROLE_CUSTOMS | ROLE_ADMIN, ROUTE_NEEDS_REDIS,
     api_customs_declaration,
     "a declaration with its linked documents, waybill, events, matching and rule results"},
    {"GET", "/v1/customs/declarations/{id}/history", ROLE_CUSTOMS | ROLE_ADMIN, ROUTE_NEEDS_REDIS,
     api_customs_history, "a declaration's changes (appType add, change, delete) and returns"},
    {"GET", "/v1/customs/alerts", ROLE_CUSTOMS | ROLE_ADMIN, ROUTE_NEEDS_REDIS, api_customs_alerts,
     "alerts raised by matching and cross-checks, filtered, cursor-paginated"},
    {"POST", "/v1/customs/alerts/{id}/ack", ROLE_CUSTOMS, ROUTE_NEEDS_REDIS, api_customs_alert_ack,
     "acknowledge an alert"},
    {"POST", "/v1/customs/negative-list", ROLE_CUSTOMS, ROUTE_NEEDS_REDIS,
     api_customs_negative_add, "put an enterprise code on the credit negative list"},
    {"GET", "/v1/customs/negative-list", ROLE_CUSTOMS | ROLE_ADMIN, ROUTE_NEEDS_REDIS,
     api_customs_negative_list, "the credit negative list"},
    {"DELETE", "/v1/customs/negative-list/{code}", ROLE_CUSTOMS, ROUTE_NEEDS_REDIS,
     api_customs_negative_del, "take an enterprise code off the negative list"},
    {"GET", "/v1/stats", ROLE_CUSTOMS | ROLE_ADMIN | ROLE_FORWARDER, ROUTE_NEEDS_REDIS, api_stats,
     "shipments, weight, on-time rate, transit and clearance times, alerts, by mode, corridor "
     "or trade mode"},
    {"GET", "/v1/waybills/{number}/eta", ROLE_ANY, ROUTE_NEEDS_REDIS | ROUTE_AUTH_OPTIONAL,
     api_waybills_eta, "how a waybill's ETA moved: each change with its time and source"},
    {"GET", "/v1/track/{ref}", ROLE_ANY, ROUTE_AUTH_OPTIONAL, api_waybills_track,
     "the waybill numbers a number, master number or container belongs to"},
    /* Webhooks (api_subscriptions.c). */
    {"POST", "/v1/subscriptions", ROLE_FORWARDER | ROLE_CONSIGNEE, ROUTE_NEEDS_REDIS,
     api_subs_create, "subscribe a callback URL to waybill events and ETA changes"},
    {"GET", "/v1/subscriptions", ROLE_FORWARDER | ROLE_CONSIGNEE | ROLE_ADMIN, ROUTE_NEEDS_REDIS,
     api_subs_list, "the caller's subscriptions"},
    {"GET", "/v1/subscriptions/{id}", ROLE_FORWARDER | ROLE_CONSIGNEE | ROLE_ADMIN,
     ROUTE_NEEDS_REDIS, api_subs_get, "a subscription, its delivery counts and dead letters"},
    {"DELETE", "/v1/subscriptions/{id}", ROLE_FORWARDER | ROLE_CONSIGNEE | ROLE_ADMIN,
     ROUTE_NEEDS_REDIS, api_subs_delete, "end a subscription"},
    {"POST", "/v1/subscriptions/{id}/test", ROLE_FORWARDER | ROLE_CONSIGNEE | ROLE_ADMIN,
     ROUTE_NEEDS_REDIS, api_subs_test, "send a signed test delivery now"},
};

const struct srv_route *route_table(size_t *n) {
    *n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}

/* Match PATH against PATTERN segment by segment; "{x}" matches one
 * non-empty segment, copied into params.  1 on match. */
static int match(const char *pattern, const char *path, char params[][128],
                 int maxparams, int *nparams) {
    const char *p = pattern, *s = path;
    int np = 0;

    while (*p && *s) {
        if (*p == '{') {
            const char *pend = strchr(p, '}');
            size_t seg = strcspn(s, "/");
            if (pend == NULL || seg == 0 || seg >= 128) return 0;
            if (params != NULL && np < maxparams) {
                memcpy(params[np], s, seg);
                params[np][seg] = '\0';
            }
            np++;
            p = pend + 1;
            s += seg;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return 0;
        }
    }
    if (*p || *s) return 0;
    if (nparams != NULL) *nparams = np < maxparams ? np : maxparams;
    return 1;
}

enum route_match route_find(const char *method, const char *path,
                            const struct srv_route **out, char params[][128],
                            int maxparams, int *nparams, char *allow,
                            size_t allowlen) {
    size_t n = sizeof(routes) / sizeof(routes[0]), used = 0;
    int path_known = 0;

    if (allow != NULL && allowlen > 0) allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!match(routes[i].pattern, path, NULL, 0, NULL)) continue;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            match(routes[i].pattern, path, params, maxparams, nparams);
            *out = &routes[i];
            return ROUTE_FOUND;
        }
        path_known = 1;
        if (allow != NULL && used < allowlen) {
            int w = snprintf(allow + used, allowlen - used, "%s%s%s",
                             used ? ", " : "", routes[i].method,
                             strcmp(routes[i].method, "GET") == 0 ? ", HEAD" : "");
            if (w > 0) used += (size_t)w;
        }
    }
    return path_known ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}

static const struct {
    int role;
    const char *name;
} role_names[] = {
    {ROLE_ADMIN, "admin"},         {ROLE_FORWARDER, "forwarder"},
    {ROLE_CARRIER, "carrier"},     {ROLE_CUSTOMS, "customs"},
    {ROLE_CONSIGNEE, "consignee"},
};

const char *role_name(int role) {
    for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
        if (role_names[i].role == role) return role_names[i].name;
    return "anonymous";
}

int role_from_name(const char *name) {
    for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
        if (strcmp(role_names[i].name, name) == 0) return role_names[i].role;
    return ROLE_NONE;
}
