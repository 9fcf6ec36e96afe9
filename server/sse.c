/* sse.c -- PLACEHOLDER until the SSE work lands: streams answer 501. */
#include "sse.h"
#include "http.h"

void sse_attach_or_reply(struct srv_req *r, const char *topic, int full,
                         const char *hello_full, const char *hello_public) {
    (void)topic;
    (void)full;
    (void)hello_full;
    (void)hello_public;
    srv_reply_error(r, 501, "not_implemented", "streams are not built yet");
}
void sse_publish(const char *topic, const char *event, const char *id, const char *data_full,
                 const char *data_public) {
    (void)topic;
    (void)event;
    (void)id;
    (void)data_full;
    (void)data_public;
}
int sse_open_streams(void) { return 0; }
void sse_close_all(void) {}
