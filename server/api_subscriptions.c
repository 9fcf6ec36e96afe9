/* api_subscriptions.c -- PLACEHOLDER until the webhooks work lands: every
 * subscription endpoint answers 501. */
#include "api.h"
#include "http.h"

static void not_yet(struct srv_req *r) {
    srv_reply_error(r, 501, "not_implemented", "webhook subscriptions are not built yet");
}
void api_subs_create(struct srv_req *r) { not_yet(r); }
void api_subs_list(struct srv_req *r) { not_yet(r); }
void api_subs_get(struct srv_req *r) { not_yet(r); }
void api_subs_delete(struct srv_req *r) { not_yet(r); }
void api_subs_test(struct srv_req *r) { not_yet(r); }
