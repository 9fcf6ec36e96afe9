/* nodes.h -- the places of the network (geodata/data/nodes.csv): ports,
 * terminals, border crossings, airports, warehouses, bonded zones and
 * inspection centres, each with a code used everywhere in Dongting. */
#ifndef DT_NODES_H
#define DT_NODES_H

#include <stddef.h>

enum geo_kind {
    KIND_RIVER_PORT, KIND_SEAPORT, KIND_RAIL_TERMINAL, KIND_BORDER_CROSSING,
    KIND_AIRPORT, KIND_WAREHOUSE, KIND_BONDED_ZONE, KIND_INSPECTION_CENTRE,
    KIND_COUNT
};

/* Customs attributes (bit set). */
enum geo_customs {
    CUSTOMS_MEAT_PORT = 1 << 0,
    CUSTOMS_BONDED_ZONE = 1 << 1,
    CUSTOMS_INSP_9610 = 1 << 2,
    CUSTOMS_INSP_1210 = 1 << 3,
    CUSTOMS_PORT_OF_ENTRY = 1 << 4,
    CUSTOMS_BORDER = 1 << 5,
};
#define CUSTOMS_FLAG_COUNT 6

struct geo_node {
    char code[16];
    enum geo_kind kind;
    char name_en[128];
    char name_zh[128];
    double lat, lon;          /* WGS84 */
    char tz[48];              /* IANA */
    char country[3];          /* ISO 3166-1 alpha-2 */
    unsigned customs;
    char source[256];
    int line;                 /* line in nodes.csv, for messages */
};

struct geo_nodes {
    struct geo_node *v;       /* sorted by code */
    size_t n;
};

/* Load nodes.csv at PATH.  0, or -1 with err = "FILE:LINE: reason". */
int geo_nodes_load(struct geo_nodes *t, const char *path, char *err, size_t errlen);

/* Same, over bytes in memory (tests, fuzzing); SOURCE names them. */
int geo_nodes_parse(struct geo_nodes *t, const char *buf, size_t len,
                    const char *source, char *err, size_t errlen);

void geo_nodes_free(struct geo_nodes *t);

/* 1 when S has the shape of a node code: a UN/LOCODE "CNSHA", an IATA
 * code "PVG", or a local code "CNSHA-YSH" (2-4 of A-Z 0-9 after the dash). */
int geo_node_code_valid(const char *s);

/* The node with CODE (exact, case-sensitive), or NULL. */
const struct geo_node *geo_node_find(const struct geo_nodes *t, const char *code);

const char *geo_kind_name(enum geo_kind k);
int geo_kind_parse(const char *s);          /* -1 if unknown */

/* Name of customs flag bit I (0..CUSTOMS_FLAG_COUNT-1). */
const char *geo_customs_name(int i);

#endif
