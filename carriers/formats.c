/* formats.c -- the table of feed formats (see formats.h). */
#include "formats.h"

#include "carriers/cargo_imp.h"
#include "carriers/dcsa.h"
#include "carriers/gtfs_rt.h"
#include "carriers/one_record.h"
#include "carriers/rail_events.h"

#include <string.h>

static const struct carrier_format formats[] = {
    {"dcsa-tnt", carrier_dcsa_parse, "application/json", 0, 1},
    {"iata-cargo-imp", carrier_cargo_imp_parse, "text/plain", 0, 0},
    {"one-record", carrier_one_record_parse, "application/ld+json", 0, 0},
    {"gtfs-rt", carrier_gtfs_rt_parse, "application/x-protobuf", 1, 0},
    {"rail-events", carrier_rail_events_parse, "application/json", 0, 0},
};

const struct carrier_format *carrier_format_find(const char *name) {
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
    return NULL;
}

const char *carrier_format_names(void) {
    return "dcsa-tnt, iata-cargo-imp, one-record, gtfs-rt, rail-events";
}
