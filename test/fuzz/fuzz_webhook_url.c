/* libFuzzer target: webhook_url_check (with and without allow_loopback)
 * and webhook_host_class on a NUL-terminated copy of the input. */
#include "server/webhook_url.h"

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
    char *s = malloc(size + 1), why[300];
    int strict, loose, is_ip = -1;
    if (s == NULL) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    why[0] = '\0';
    strict = webhook_url_check(s, 0, why, sizeof(why));
    CHECK(strict == 0 || (strict == -1 && why[0] != '\0'));
    loose = webhook_url_check(s, 1, why, sizeof(why));
    CHECK(loose == 0 || loose == -1);
    /* allow_loopback only ever lets more through */
    if (strict == 0) CHECK(loose == 0);
    if (strlen(s) > WEBHOOK_URL_MAX) CHECK(loose == -1);
    (void)webhook_host_class(s, &is_ip);
    CHECK(is_ip == 0 || is_ip == 1);
    free(s);
    return 0;
}
