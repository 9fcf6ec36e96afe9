/* libFuzzer target: cfg_parse_hostport on a NUL-terminated copy of the
 * input, into a roomy and a tight host buffer (both exactly sized on the
 * heap, so AddressSanitizer sees any overflow). */
#include "server/config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

static void one(const char *s, size_t hostlen) {
    char *host = malloc(hostlen);
    int port = -7;
    CHECK(host != NULL);
    memset(host, 'Q', hostlen);
    if (cfg_parse_hostport(s, host, hostlen, &port) == 0) {
        size_t n = strnlen(host, hostlen);
        CHECK(n > 0 && n < hostlen);
        CHECK(port >= 1 && port <= 65535);
        CHECK(strchr(s, ':') != NULL);
        /* The host is the part of the input before the port. */
        CHECK(strstr(s, host) != NULL);
    } else {
        CHECK(port == -7);
    }
    free(host);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (s == NULL) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    one(s, 64);
    one(s, 8);
    one(s, 1);
    free(s);
    return 0;
}
