/* libFuzzer target: the ISO 8601 parser on query-string bytes.  What it
 * accepts must format and parse back to the same instant. */
#include "geodata/timefmt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char s[64], why[128], out[40];
    int64_t t, back;
    if (size >= sizeof(s)) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (time_parse_iso8601(s, &t, why, sizeof(why)) != 0) return 0;
    time_format_iso8601(t, 0, out, sizeof(out));
    if (time_parse_iso8601(out, &back, why, sizeof(why)) != 0 || back != t) abort();
    return 0;
}
