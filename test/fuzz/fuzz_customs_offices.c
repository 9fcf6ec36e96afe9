/* libFuzzer target: the customs office parser (customs_offices.csv) on raw
 * bytes.  The CSV reader beneath it has its own target (fuzz_csv); this
 * one checks what the office layer adds: on error the message names the
 * source and the table is empty; on success the rows are sorted and
 * unique, every row is found by its code and resolves to itself, each
 * holds 1..CX_OFFICE_MAX_NODES distinct node codes that match themselves
 * and their UN/LOCODE prefix. */
#include "geodata/customs_offices.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct cx_offices t;
    char err[640];
    if (cx_offices_parse(&t, (const char *)data, size, "co.csv", err, sizeof(err)) != 0) {
        if (strncmp(err, "co.csv:", 7) != 0) abort();
        if (t.n != 0 || t.v != NULL) abort();
        return 0;
    }
    if (t.n == 0) abort();
    for (size_t i = 0; i < t.n; i++) {
        const struct cx_office *o = &t.v[i];
        if (strlen(o->code) != 4) abort();
        if (i > 0 && strcmp(t.v[i - 1].code, o->code) >= 0) abort();
        if (cx_office_find(&t, o->code) != o || cx_office_resolve(&t, o->code) != o) abort();
        if (o->nnodes == 0 || o->nnodes > CX_OFFICE_MAX_NODES) abort();
        if (o->name_en[0] == '\0' || o->name_zh[0] == '\0') abort();
        for (size_t k = 0; k < o->nnodes; k++) {
            const char *nd = o->nodes[k], *dash = strchr(nd, '-');
            if (!cx_office_has_node(o, nd)) abort();
            if (dash) {
                char pre[CX_NODE_LEN];
                memcpy(pre, nd, (size_t)(dash - nd));
                pre[dash - nd] = '\0';
                if (!cx_office_has_node(o, pre) || !cx_node_match(pre, nd)) abort();
            }
            for (size_t j = 0; j < k; j++)
                if (strcmp(o->nodes[j], nd) == 0) abort();
        }
    }
    cx_offices_free(&t);
    return 0;
}
