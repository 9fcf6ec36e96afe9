/* libFuzzer target: the POST /v1/keys body validator on any JSON object,
 * with r == NULL (validate only).  An accepted body must yield a record
 * the rest of the server can trust. */
#include "server/api.h"
#include "server/routes.h"
#include "server/store.h"

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

static int plain_tenant(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 63) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              ((c == '-' || c == '_') && i > 0)))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_error_t jerr;
    json_t *body = json_loadb((const char *)data, size, 0, &jerr);
    struct store_apikey k;

    if (body == NULL) return 0;
    if (json_is_object(body) && api_keys_parse_or_reply(NULL, body, &k) == 0) {
        CHECK(memchr(k.role, '\0', sizeof(k.role)) != NULL);
        CHECK(memchr(k.tenant, '\0', sizeof(k.tenant)) != NULL);
        CHECK(memchr(k.name, '\0', sizeof(k.name)) != NULL);
        CHECK(role_from_name(k.role) != ROLE_NONE);
        CHECK(k.tenant[0] == '\0' || plain_tenant(k.tenant));
        CHECK(strcmp(k.role, "forwarder") != 0 || k.tenant[0] != '\0');
        CHECK(strlen(k.name) <= 200);
        CHECK(k.id[0] == '\0' && k.hash[0] == '\0');
        CHECK(k.created_at == 0 && k.revoked_at == 0);
    }
    json_decref(body);
    return 0;
}
