/* libFuzzer target: the customs message intake (carriers/ceb.c).
 *
 * The first byte B selects:
 *   B even: the XML reader over the rest, with a 64 KiB cap;
 *   B odd:  the JSON intake over the rest, parsed by jansson first.
 * A refusal must leave no result and a reason that starts with a path
 * ("/..." for XML, "$..." for JSON).  An accepted message must have
 * 1..100 blocks, a transfer unless it is a customs receipt, pass the JSON
 * intake again and come back equal: the two paths check against the same
 * tables. */
#include "carriers/ceb.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    ceb_init();
    return 0;
}

/* M, just accepted, must be whole and survive the JSON intake unchanged. */
static void accepted(json_t *m) {
    json_t *again = NULL;
    char err[512] = "";
    size_t n = json_array_size(json_object_get(m, "blocks"));
    CHECK(n >= 1 && n <= CEB_MAX_BLOCKS);
    CHECK(json_is_string(json_object_get(m, "message")));
    /* a customs receipt (kind "return") has no transfer, a declaration has one */
    const char *kind = json_string_value(
        json_object_get(json_array_get(json_object_get(m, "blocks"), 0), "kind"));
    CHECK(kind != NULL);
    CHECK(json_is_object(json_object_get(m, "transfer")) == (strcmp(kind, "return") != 0));
    CHECK(ceb_validate_json(m, &again, err, sizeof(err)) == 0);
    CHECK(json_equal(m, again));
    json_decref(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_t *m = NULL;
    char err[512] = "";
    int rc;

    if (size == 0) return 0;
    if ((data[0] & 1) == 0) {
        rc = ceb_parse_xml((const char *)data + 1, size - 1, 64u << 10, &m, err, sizeof(err));
        if (rc != 0) CHECK(m == NULL && err[0] == '/');
    } else {
        json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
        if (!in) return 0;
        rc = ceb_validate_json(in, &m, err, sizeof(err));
        json_decref(in);
        if (rc != 0) CHECK(m == NULL && err[0] == '$');
    }
    if (rc == 0) {
        CHECK(m != NULL);
        accepted(m);
        json_decref(m);
    }
    return 0;
}
