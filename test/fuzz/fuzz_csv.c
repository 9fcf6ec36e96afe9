/* libFuzzer target: the CSV reader on raw bytes.  Every record read must
 * hold at most CSV_MAX_FIELDS NUL-terminated fields, and an error must name
 * the source and a line. */
#include "geodata/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct csv_reader r;
    int rc, records = 0;
    if (csv_open_buffer(&r, (const char *)data, size, "fuzz.csv") != 0) return 0;
    if (csv_read_header(&r) == 0) {
        while ((rc = csv_next(&r)) == 1) {
            if (r.nfields < 1 || r.nfields > CSV_MAX_FIELDS || r.line < 1) abort();
            for (int i = 0; i < r.nfields; i++) (void)strlen(csv_field(&r, i));
            if (++records > (int)size + 1) abort();   /* must make progress */
        }
        if (rc < 0 && strncmp(r.err, "fuzz.csv:", 9) != 0) abort();
    } else if (strncmp(r.err, "fuzz.csv:", 9) != 0) {
        abort();
    }
    csv_close(&r);
    return 0;
}
