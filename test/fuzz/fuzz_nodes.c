/* libFuzzer target: the node table parser (nodes.csv) on raw bytes.  On
 * success every node must be findable by its own code and sorted. */
#include "geodata/nodes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct geo_nodes t;
    char err[640];
    if (geo_nodes_parse(&t, (const char *)data, size, "nodes.csv", err, sizeof(err)) != 0) {
        if (strncmp(err, "nodes.csv", 9) != 0) abort();
        return 0;
    }
    for (size_t i = 0; i < t.n; i++) {
        if (geo_node_find(&t, t.v[i].code) != &t.v[i]) abort();
        if (i > 0 && strcmp(t.v[i - 1].code, t.v[i].code) >= 0) abort();
        if (t.v[i].lat < -90 || t.v[i].lat > 90 || t.v[i].lon < -180 || t.v[i].lon > 180)
            abort();
    }
    geo_nodes_free(&t);
    return 0;
}
