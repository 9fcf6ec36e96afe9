/* api_system.c -- health, readiness, metrics, whoami. */
#include "api.h"
#include "http.h"
#include "metrics.h"
#include "store.h"
#include "version.h"

#include <stdlib.h>

/* Process alive: never touches Redis. */
void api_healthz(struct srv_req *r) {
    srv_reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "version",
                                     DONGTING_VERSION));
}

/* Ready to serve: Redis answers.  Later data loaders add their checks here. */
void api_readyz(struct srv_req *r) {
    json_t *checks = json_object();
    int ready = store_ready();

    json_object_set_new(checks, "redis", json_string(ready ? "ok" : store_reason()));
    if (ready) {
        srv_reply_json(r, 200, json_pack("{s:s, s:o}", "status", "ready",
                                         "checks", checks));
        return;
    }
    srv_reply_json(r, 503,
                   json_pack("{s:{s:s, s:s}, s:s, s:o}", "error", "code",
                             "not_ready", "message", store_reason(), "status",
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
