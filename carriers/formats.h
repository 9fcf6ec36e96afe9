/* formats.h -- the feed formats Dongting reads, by name: the table the
 * configuration, the push endpoint and the puller look a feed's format up
 * in (docs/carrier-events.md lists them). */
#ifndef DT_CARRIER_FORMATS_H
#define DT_CARRIER_FORMATS_H

#include "carriers/event.h"

#include <stddef.h>
#include <stdint.h>

/* Every parser's shape: BODY (LEN bytes, not NUL-terminated) received at
 * RECEIVED; events and rejects appended to OUT.  0 when the body could be
 * read (events may still be refused one by one), -1 with ERR when not. */
typedef int carrier_parse_fn(const char *body, size_t len, int64_t received,
                             struct carrier_batch *out, char *err, size_t errlen);

struct carrier_format {
    const char *name;          /* "dcsa-tnt", "iata-cargo-imp", "one-record",
                                * "gtfs-rt", "rail-events" */
    carrier_parse_fn *parse;
    const char *content_type;  /* what a push should send */
    int binary;                /* 1: protobuf, not text */
    int paginated;             /* 1: pulls follow DCSA cursor pagination */
};

/* The format called NAME, or NULL. */
const struct carrier_format *carrier_format_find(const char *name);

/* "dcsa-tnt, iata-cargo-imp, ..." for messages. */
const char *carrier_format_names(void);

#endif
