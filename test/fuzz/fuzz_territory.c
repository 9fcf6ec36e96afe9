/* libFuzzer target: the customs territory parser (customs_territories.csv)
 * on raw bytes.  The CSV reader beneath it has its own target (fuzz_csv);
 * this one checks what the territory layer adds: on error the message
 * names the source; on success every row is findable by its country, the
 * rows are sorted and unique, and the ids agree with the names. */
#include "geodata/territory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct geo_territories t;
    char err[640];
    if (geo_territories_parse(&t, (const char *)data, size, "ct.csv", err, sizeof(err)) != 0) {
        if (strncmp(err, "ct.csv", 6) != 0) abort();
        if (t.n != 0 || t.v != NULL || t.names != NULL) abort();
        return 0;
    }
    if (t.nnames > t.n) abort();
    for (size_t i = 0; i < t.n; i++) {
        const char *c = t.v[i].country;
        const char *name = geo_territory_of(&t, c);
        uint16_t id = geo_territory_id(&t, c);
        if (name != t.v[i].territory) abort();
        if (name[0] == '\0' || strlen(name) >= GEO_TERRITORY_LEN) abort();
        if (i > 0 && strcmp(t.v[i - 1].country, c) >= 0) abort();
        if (id >= t.nnames || strcmp(t.names[id], name) != 0) abort();
        if (i > 0 && (id == geo_territory_id(&t, t.v[i - 1].country)) !=
                         (strcmp(name, t.v[i - 1].territory) == 0))
            abort();
    }
    geo_territories_free(&t);
    return 0;
}
