/* The shipped network (geodata/data) against numbers Dongting did not
 * compute: published positions, airport distances and port/rail distance
 * tables.  Tolerances are the issue's: 2 km per node, 0.1 % per airport
 * pair, 5 % per sea pair, 10 % per rail corridor. */
#include "geodata/csv.h"
#include "geodata/network.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct geo_network net;
static char err[640];

static void load(void) {
    cr_assert_eq(geo_network_load(&net, ut_path("geodata/data"), err, sizeof(err)), 0, "%s", err);
}

static void unload(void) { geo_network_free(&net); }

TestSuite(accuracy, .init = load, .fini = unload);

/* reference_positions.csv: code,lat,lon,reference -- looked up separately
 * from nodes.csv (see docs/geodata-sources.md). */
Test(accuracy, nodes_within_2_km_of_published_positions) {
    struct csv_reader r;
    const char *path = ut_path("test/unit/geodata/reference_positions.csv");
    int n = 0, rc;
    cr_assert_eq(csv_open_file(&r, path, 1 << 20), 0, "%s", r.err);
    cr_assert_eq(csv_read_header(&r), 0, "%s", r.err);
    while ((rc = csv_next(&r)) == 1) {
        const struct geo_node *nd = geo_node_find(&net.nodes, csv_field(&r, 0));
        double lat = strtod(csv_field(&r, 1), NULL), lon = strtod(csv_field(&r, 2), NULL), km;
        cr_expect_not_null(nd, "line %d: no node %s", r.line, csv_field(&r, 0));
        if (nd == NULL) continue;
        km = geo_inverse(lat, lon, nd->lat, nd->lon, NULL, NULL) / 1000.0;
        cr_expect(km <= 2.0, "%s is %.2f km from its published position (%s)", nd->code,
                  km, csv_field(&r, 3));
        n++;
    }
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert_geq(n, 40, "only %d reference positions", n);
    csv_close(&r);
}

/* Great Circle Mapper (gcmap.com) distances, statute miles on WGS84. */
static const struct { const char *a, *b; double miles; } air[] = {
    {"LAX", "SYD", 7488}, {"LAX", "NRT", 5451}, {"HKG", "LAX", 7260}, {"SYD", "HKG", 4581},
};

Test(accuracy, airport_distances_within_0_1_percent) {
    for (size_t i = 0; i < sizeof(air) / sizeof(air[0]); i++) {
        struct geo_route r;
        char why[256];
        double want = air[i].miles * 1.609344, got;
        cr_assert_eq(geo_network_route(&net, air[i].a, air[i].b, MODE_AIR, &r, why, sizeof(why)),
                     GEO_OK, "%s", why);
        got = r.metres / 1000.0;
        cr_expect(fabs(got - want) / want <= 0.001, "%s-%s %.1f km, published %.1f km",
                  air[i].a, air[i].b, got, want);
        geo_route_free(&r);
    }
}

/* Port-to-port distances in nautical miles as published in port distance
 * tables (sea-distances.org style, via Suez where it applies). */
static const struct { const char *a, *b; double nm; } sea[] = {
    {"CNSHA", "NLRTM", 10525}, /* Shanghai - Rotterdam via Suez */
    {"CNSHA", "USLAX", 5708},  /* Shanghai - Los Angeles */
    {"SGSIN", "NLRTM", 8288},  /* Singapore - Rotterdam via Suez */
    {"HKHKG", "DEHAM", 9729},  /* Hong Kong - Hamburg via Suez */
    {"CNSHA", "AUSYD", 4560},  /* Shanghai - Sydney */
};

Test(accuracy, sea_distances_within_5_percent) {
    for (size_t i = 0; i < sizeof(sea) / sizeof(sea[0]); i++) {
        struct geo_route r;
        char why[256];
        double got;
        cr_assert_eq(geo_network_route(&net, sea[i].a, sea[i].b, MODE_SEA, &r, why, sizeof(why)),
                     GEO_OK, "%s", why);
        got = r.metres / 1852.0;
        cr_expect(fabs(got - sea[i].nm) / sea[i].nm <= 0.05, "%s-%s %.0f nm, published %.0f nm",
                  sea[i].a, sea[i].b, got, sea[i].nm);
        geo_route_free(&r);
    }
}

/* Rail corridor lengths: ../shared/DOMAIN.md (Changsha - Hamburg via
 * Manzhouli 11,905 km) and the Changsha - Duisburg (Xiang'ou) train's
 * published 11,808 km via Alashankou. */
static const struct { const char *a, *b; double km; } rail[] = {
    {"CNCSX-XN", "DEDUI", 11808},
    {"CNCSX-XN", "DEHAM-BIL", 11905},
};

Test(accuracy, rail_corridors_within_10_percent) {
    for (size_t i = 0; i < sizeof(rail) / sizeof(rail[0]); i++) {
        struct geo_route r;
        char why[256];
        double got;
        int border = 0;
        cr_assert_eq(geo_network_route(&net, rail[i].a, rail[i].b, MODE_RAIL, &r, why, sizeof(why)),
                     GEO_OK, "%s", why);
        got = r.metres / 1000.0;
        cr_expect(fabs(got - rail[i].km) / rail[i].km <= 0.10, "%s-%s %.0f km, published %.0f km",
                  rail[i].a, rail[i].b, got, rail[i].km);
        for (int k = 0; k < r.nvia; k++) {
            int node = net.graph[MODE_RAIL].v[r.via[k]].node;
            if (node >= 0 && net.nodes.v[node].kind == KIND_BORDER_CROSSING) border = 1;
        }
        cr_expect(border, "%s-%s does not pass a border crossing", rail[i].a, rail[i].b);
        geo_route_free(&r);
    }
}

Test(accuracy, yangtze_follows_the_river) {
    struct geo_route r;
    char why[256];
    double straight;
    const struct geo_node *a = geo_node_find(&net.nodes, "CNCLJ"), *b = geo_node_find(&net.nodes, "CNSHA");
    cr_assert(a && b);
    cr_assert_eq(geo_network_route(&net, "CNCLJ", "CNSHA", MODE_RIVER, &r, why, sizeof(why)),
                 GEO_OK, "%s", why);
    straight = geo_inverse(a->lat, a->lon, b->lat, b->lon, NULL, NULL);
    /* Published sailing distance Chenglingji - Shanghai is about 1,350 km
     * (230 km to Wuhan plus 1,125 km Wuhan - Shanghai). */
    cr_expect(fabs(r.metres / 1000.0 - 1355) / 1355 <= 0.10, "%.0f km", r.metres / 1000.0);
    cr_expect(r.metres > straight * 1.1, "the river is not straight: %.0f vs %.0f km",
              r.metres / 1000.0, straight / 1000.0);
    geo_route_free(&r);
}

Test(accuracy, shipped_network_is_complete) {
    /* Every node of a lane kind sits on its lane graph. */
    for (size_t i = 0; i < net.nodes.n; i++) {
        const struct geo_node *nd = &net.nodes.v[i];
        int mode = nd->kind == KIND_SEAPORT ? MODE_SEA
                   : nd->kind == KIND_RIVER_PORT ? MODE_RIVER
                   : (nd->kind == KIND_RAIL_TERMINAL || nd->kind == KIND_BORDER_CROSSING) ? MODE_RAIL
                   : -1;
        if (mode < 0) continue;
        cr_expect_geq(geo_graph_vertex_of(&net.graph[mode], i), 0, "%s (%s) is not on the %s lanes",
                      nd->code, geo_kind_name(nd->kind), geo_mode_name(mode));
    }
}
