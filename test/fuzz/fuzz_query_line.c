/* libFuzzer target: bin/dongting-route's stdin query lines.  An accepted
 * line has four fields, a date in range and seconds within a GTFS time. */
#include "routing/gtfs.h"
#include "routing/query_line.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char line[4097], why[256];
    struct rt_query_line q;
    if (size >= sizeof(line) || memchr(data, '\0', size)) return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    if (rt_query_line_parse(line, &q, why, sizeof(why)) != 0) {
        if (why[0] == '\0') abort();
        return 0;
    }
    if (strchr(q.from, '\t') || strchr(q.to, '\t') || strlen(q.date) != 10) abort();
    if (q.secs < 0 || q.secs > (int64_t)RT_MAX_GTFS_HOURS * 3600 + 3599) abort();
    return 0;
}
