/* api_system.c -- health, readiness, metrics, whoami. */
#include "api.h"
#include "customs.h"
#include "http.h"
#include "geodata/network.h"
#include "metrics.h"
#include "server.h"
#include "store.h"
#include "version.h"

#include <stdlib.h>

/* Process alive: never touches Redis. */
void api_healthz(struct srv_req *r) {
    srv_reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "version",
                                     DONGTING_VERSION));
}

/* Ready to serve: Redis answers and the network data is loaded. */
void api_readyz(struct srv_req *r) {
    json_t *checks = json_object();
    const struct geo_network *net = srv_network();
    int ready = store_ready() && net != NULL && customs_ready();

    json_object_set_new(checks, "redis", json_string(store_ready() ? "ok" : store_reason()));
    json_object_set_new(checks, "network", net ? json_pack("{s:I, s:f}", "nodes",
                                                           (json_int_t)net->nodes.n,
                                                           "load_ms", net->load_ms)
                                               : json_string("not loaded"));
    json_object_set_new(checks, "customs", json_string(customs_ready() ? "ok" : "loading"));
    if (ready) {
        srv_reply_json(r, 200, json_pack("{s:s, s:o}", "status", "ready",
                                         "checks", checks));
        return;
    }
    srv_reply_json(r, 503,
                   json_pack("{s:{s:s, s:s}, s:s, s:o}", "error", "code",
                             "not_ready", "message",
                             !net             ? "the network data is not loaded"
                             : !store_ready() ? store_reason()
                                              : "customs declarations are loading from Redis",
                             "status",
                             "not_ready", "checks", checks));
}

void api_metrics(struct srv_req *r) {
    size_t len = 0;
    char *text = metrics_render(&len);
    if (text == NULL) {
        srv_reply_error(r, 500, "internal", "cannot render metrics");
        return;
    }
    srv_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

void api_whoami(struct srv_req *r) {
    srv_reply_json(r, 200, json_pack("{s:s, s:s?, s:s}", "role",
                                     role_name(r->who.role), "tenant",
                                     r->who.tenant[0] ? r->who.tenant : NULL,
                                     "key_id", r->who.key_id));
}
