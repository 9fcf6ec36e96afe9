/* api_waybills.c -- PLACEHOLDER while the waybill core is written. */
#include "api.h"
#include "http.h"

static void not_yet(struct srv_req *r) {
    srv_reply_error(r, 501, "not_implemented", "waybills are not built yet");
}
void api_waybills_create(struct srv_req *r) { not_yet(r); }
void api_waybills_list(struct srv_req *r) { not_yet(r); }
void api_waybills_get(struct srv_req *r) { not_yet(r); }
void api_waybills_patch(struct srv_req *r) { not_yet(r); }
void api_waybills_events(struct srv_req *r) { not_yet(r); }
void api_waybills_history(struct srv_req *r) { not_yet(r); }
void api_waybills_stream(struct srv_req *r) { not_yet(r); }
