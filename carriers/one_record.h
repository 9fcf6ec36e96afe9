/* one_record.h -- IATA ONE Record LogisticsEvent JSON-LD, the "one-record"
 * feed format (docs/feed-iata.md). */
#ifndef DT_CARRIER_ONE_RECORD_H
#define DT_CARRIER_ONE_RECORD_H

#include "carriers/event.h"

#include <stddef.h>
#include <stdint.h>

/* Parse BODY (LEN bytes, not NUL-terminated): one LogisticsEvent object,
 * an array of them, or an object whose "@graph" is such an array.  Each
 * element becomes an event in OUT or a reject (index = its position, 0 for
 * a single object).  0, or -1 with the reason in ERR when the body is not
 * JSON or neither an object nor an array. */
int carrier_one_record_parse(const char *body, size_t len, int64_t received,
                             struct carrier_batch *out, char *err, size_t errlen);

#endif
