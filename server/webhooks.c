/* webhooks.c -- PLACEHOLDER until the webhooks work lands: notices are
 * dropped. */
#include "webhooks.h"

int webhooks_start(struct event_base *base, const struct srv_config *cfg) {
    (void)base;
    (void)cfg;
    return 0;
}
void webhooks_stop(void) {}
void webhooks_notify(const struct wh_notice *n) { (void)n; }
