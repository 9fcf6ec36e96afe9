/* libFuzzer target: the POST /v1/subscriptions body validator
 * (api_subs_parse_or_reply in server/api_subscriptions.c) on any JSON, with
 * r == NULL (validate only).  The first byte chooses whether loopback
 * callback URLs are allowed.  An accepted body must give a URL the URL
 * rules accept, a secret of 32..64 printable bytes, and filters that are a
 * JSON object the delivery side can read. */
#include "server/api.h"
#include "server/store_subs.h"
#include "server/webhook_url.h"
#include "server/webhooks.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_t *body, *f;
    struct store_sub s;
    char *filters = NULL, why[300];
    int loopback;
    if (size < 1) return 0;
    loopback = data[0] & 1;
    body = json_loadb((const char *)data + 1, size - 1, 0, NULL);
    if (body == NULL) return 0;
    if (json_is_object(body) && api_subs_parse_or_reply(NULL, body, loopback, &s, &filters) == 0) {
        size_t n = strlen(s.secret);
        CHECK(webhook_url_check(s.callback_url, loopback, why, sizeof(why)) == 0);
        CHECK(n >= 32 && n <= 64);
        CHECK(filters != NULL && s.filters == filters);
        f = json_loads(filters, 0, NULL);
        CHECK(json_is_object(f));
        json_decref(f);
    } else {
        CHECK(filters == NULL);
    }
    free(filters);
    json_decref(body);
    return 0;
}
