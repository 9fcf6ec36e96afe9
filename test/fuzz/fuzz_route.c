/* libFuzzer target: route_find.  The input is METHOD '\n' PATH (no newline:
 * method GET and the whole input as the path), each copied to an exactly
 * sized NUL-terminated heap buffer. */
#include "server/routes.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)
#define MAXP 4

static char *dup_n(const uint8_t *p, size_t n) {
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static void one(const char *method, const char *path, int maxparams, size_t allowlen) {
    char params[MAXP][128];
    char *allow = malloc(allowlen ? allowlen : 1);
    const struct srv_route *r = NULL;
    int np = -1;
    enum route_match m;

    CHECK(allow != NULL);
    memset(params, 'P', sizeof(params));
    m = route_find(method, path, &r, maxparams ? params : NULL, maxparams, &np,
                   allowlen ? allow : NULL, allowlen);
    if (m == ROUTE_FOUND) {
        CHECK(r != NULL);
        CHECK(strcmp(r->method, method) == 0 ||
              (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0));
        CHECK(np >= 0 && np <= maxparams);
        for (int i = 0; i < np; i++) {
            size_t n = strnlen(params[i], sizeof(params[i]));
            CHECK(n > 0 && n < sizeof(params[i]));
            CHECK(strchr(params[i], '/') == NULL);
            CHECK(strstr(path, params[i]) != NULL);
        }
    } else {
        CHECK(m == ROUTE_NO_PATH || m == ROUTE_NO_METHOD);
        if (allowlen > 0) {
            CHECK(memchr(allow, '\0', allowlen) != NULL);
            CHECK((m == ROUTE_NO_METHOD) == (allow[0] != '\0'));
        }
    }
    free(allow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nl = memchr(data, '\n', size);
    char *method, *path;

    if (nl != NULL) {
        method = dup_n(data, (size_t)(nl - data));
        path = dup_n(nl + 1, size - (size_t)(nl - data) - 1);
    } else {
        method = dup_n((const uint8_t *)"GET", 3);
        path = dup_n(data, size);
    }
    if (method != NULL && path != NULL) {
        one(method, path, MAXP, 64);
        one(method, path, 0, 0);
        one(method, path, 1, 5);
    }
    free(method);
    free(path);
    return 0;
}
