/* geodata/nodes.c, lanes.c, network.c on the small fixture network in
 * test/fixtures/geodata, and the loaders' error messages. */
#include "geodata/network.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct geo_network net;
static char err[640];

static const char *fixture(void) { return ut_path("test/fixtures/geodata"); }

static void load(void) {
    cr_assert_eq(geo_network_load(&net, fixture(), err, sizeof(err)), 0, "%s", err);
}

static void unload(void) { geo_network_free(&net); }

TestSuite(network, .init = load, .fini = unload);

Test(network, nodes_load_sorted_with_all_columns) {
    const struct geo_node *c = geo_node_find(&net.nodes, "XXCCC");
    cr_assert_eq(net.nodes.n, 7);
    cr_assert_not_null(c);
    cr_assert_eq(c->kind, KIND_RIVER_PORT);
    cr_assert_str_eq(c->name_zh, "C河港");
    cr_assert_eq(c->customs, CUSTOMS_MEAT_PORT | CUSTOMS_BONDED_ZONE);
    cr_assert_str_eq(geo_node_find(&net.nodes, "XXAAA")->name_en, "Port A, west");
    cr_assert_str_eq(geo_node_find(&net.nodes, "YYDDD")->source, "test fixture, \"quoted\" source");
    cr_assert_null(geo_node_find(&net.nodes, "xxaaa"), "codes are case-sensitive");
    cr_assert_null(geo_node_find(&net.nodes, "NOPE"));
    cr_assert_float_eq(net.params.road_detour, 1.25, 1e-12);
}

Test(network, sea_path_takes_the_shorter_branch) {
    struct geo_route r;
    char why[256];
    double direct = geo_inverse(0, 0, -0.5, 5, NULL, NULL) + geo_inverse(-0.5, 5, 0, 10, NULL, NULL);
    cr_assert_eq(geo_network_route(&net, "XXAAA", "XXBBB", MODE_SEA, &r, why, sizeof(why)), GEO_OK, "%s", why);
    cr_assert_eq(r.nvia, 3);
    cr_assert_str_eq(net.graph[MODE_SEA].v[r.via[1]].id, "south_1");
    cr_assert(fabs(r.metres - direct) < 1e-6, "%f vs %f", r.metres, direct);
    /* the drawn line starts and ends at the ports */
    cr_assert_float_eq(r.line.xy[0], 0.0, 1e-12);
    cr_assert_float_eq(r.line.xy[2 * (r.line.n - 1)], 10.0, 1e-12);
    geo_route_free(&r);
    cr_assert_eq(geo_network_route(&net, "XXAAA", "YYDDD", MODE_SEA, &r, why, sizeof(why)), GEO_OK);
    cr_assert_eq(r.nvia, 5);
    geo_route_free(&r);
}

Test(network, modes_refuse_what_they_cannot_join) {
    struct geo_route r;
    char why[256];
    cr_assert_eq(geo_network_route(&net, "XXCCC", "XXBBB", MODE_SEA, &r, why, sizeof(why)),
                 GEO_NOT_CONNECTED);
    cr_assert(strstr(why, "XXCCC (river_port) is not on the sea lane network"), "%s", why);
    cr_assert_eq(geo_network_route(&net, "XXCCC-T1", "XXBBB", MODE_RAIL, &r, why, sizeof(why)), GEO_OK);
    geo_route_free(&r);
    cr_assert_eq(geo_network_route(&net, "XXAAA", "AAA", MODE_AIR, &r, why, sizeof(why)),
                 GEO_NOT_CONNECTED);
    cr_assert(strstr(why, "XXAAA is a seaport"), "%s", why);
    cr_assert_eq(geo_network_route(&net, "AAA", "NOPE", MODE_AIR, &r, why, sizeof(why)),
                 GEO_UNKNOWN_NODE);
    cr_assert(strstr(why, "'NOPE'"), "%s", why);
}

Test(network, air_is_the_geodesic_and_road_adds_the_detour) {
    struct geo_route r;
    char why[256];
    double g = geo_inverse(0, 0.5, 0.5, 10, NULL, NULL);
    cr_assert_eq(geo_network_route(&net, "AAA", "BBB", MODE_AIR, &r, why, sizeof(why)), GEO_OK);
    cr_assert_float_eq(r.metres, g, 1e-6);
    geo_route_free(&r);
    cr_assert_eq(geo_network_route(&net, "XXAAA", "XXCCC", MODE_ROAD, &r, why, sizeof(why)), GEO_OK);
    cr_assert_float_eq(r.metres, geo_inverse(0, 0, 1, 0, NULL, NULL) * 1.25, 1e-6);
    geo_route_free(&r);
    /* over road_max_km */
    cr_assert_eq(geo_network_route(&net, "XXAAA", "XXBBB", MODE_ROAD, &r, why, sizeof(why)),
                 GEO_NOT_CONNECTED);
    cr_assert(strstr(why, "longest road leg"), "%s", why);
    /* island country */
    cr_assert_eq(geo_network_route(&net, "XXBBB", "YYDDD", MODE_ROAD, &r, why, sizeof(why)),
                 GEO_NOT_CONNECTED);
    cr_assert(strstr(why, "sea between"), "%s", why);
}

Test(network, disconnected_rail_branch) {
    const struct geo_graph *g = &net.graph[MODE_RAIL];
    int *path, n, k1 = -1, k2 = -1;
    double m;
    for (int i = 0; i < g->nv; i++) {
        if (strcmp(g->v[i].id, "k1") == 0) k1 = i;
        if (strcmp(g->v[i].id, "k2") == 0) k2 = i;
    }
    cr_assert(k1 >= 0 && k2 >= 0);
    cr_assert_eq(geo_graph_path(g, k1, k2, &path, &n, &m), -1);
    cr_assert_null(path);
}

/* ---- loader errors name file, line and reason ---- */

static const char header[] = "code,kind,name_en,name_zh,lat,lon,tz,country,customs,source\n";

static void expect_nodes_error(const char *rows, const char *want) {
    char buf[2048];
    struct geo_nodes t;
    snprintf(buf, sizeof(buf), "%s%s", header, rows);
    cr_assert_eq(geo_nodes_parse(&t, buf, strlen(buf), "n.csv", err, sizeof(err)), -1,
                 "accepted: %s", rows);
    cr_expect(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
}

Test(nodes_errors, each_bad_value_is_named) {
    const char *ok = "CNSHA,seaport,Shanghai,上海,31.2,121.5,Asia/Shanghai,CN,,ref\n";
    char two[512];
    expect_nodes_error("cnsha,seaport,a,b,1,1,Asia/Shanghai,CN,,s\n", "n.csv:2: code 'cnsha'");
    expect_nodes_error("CNSHA,port,a,b,1,1,Asia/Shanghai,CN,,s\n", "n.csv:2: CNSHA: kind 'port'");
    expect_nodes_error("CNSHA,seaport,a,b,91,1,Asia/Shanghai,CN,,s\n", "lat '91'");
    expect_nodes_error("CNSHA,seaport,a,b,1,east,Asia/Shanghai,CN,,s\n", "lon 'east'");
    expect_nodes_error("CNSHA,seaport,a,b,1,1,Shanghai,CN,,s\n", "tz 'Shanghai'");
    expect_nodes_error("CNSHA,seaport,a,b,1,1,Asia/Shanghai,CHN,,s\n", "country 'CHN'");
    expect_nodes_error("CNSHA,seaport,a,b,1,1,Asia/Shanghai,CN,meat,s\n", "customs flag 'meat'");
    expect_nodes_error("CNSHA,seaport,a,b,1,1,Asia/Shanghai,CN,,\n", "source is empty");
    expect_nodes_error("CNSHA,seaport,a,b,1,1\n", "6 fields, the header has 10");
    snprintf(two, sizeof(two), "%s%s", ok, ok);
    expect_nodes_error(two, "n.csv:3: code CNSHA appears twice (also line 2)");
}

Test(nodes_errors, missing_column_and_file) {
    struct geo_nodes t;
    const char *bad = "code,kind\nCNSHA,seaport\n";
    cr_assert_eq(geo_nodes_parse(&t, bad, strlen(bad), "h.csv", err, sizeof(err)), -1);
    cr_assert(strstr(err, "missing column 'name_en'"), "%s", err);
    cr_assert_eq(geo_nodes_load(&t, "/nonexistent/nodes.csv", err, sizeof(err)), -1);
    cr_assert(strstr(err, "/nonexistent/nodes.csv"), "%s", err);
}

Test(lanes_errors, unknown_endpoint_and_self_loop) {
    struct geo_nodes t;
    struct geo_graph g;
    const char *nodes = "code,kind,name_en,name_zh,lat,lon,tz,country,customs,source\n"
                        "CNSHA,seaport,a,b,1,1,Asia/Shanghai,CN,,s\n";
    const char *pts = "id,lat,lon,name,source\np1,1,2,x,y\n";
    const char *e1 = "a,b,note\np1,CNSHA,\np1,NLRTM,\n";
    const char *e2 = "a,b,note\np1,p1,\n";
    const char *p2 = "id,lat,lon,name,source\nP1,1,2,x,y\n";
    cr_assert_eq(geo_nodes_parse(&t, nodes, strlen(nodes), "n", err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(geo_graph_parse(&g, MODE_SEA, &t, pts, strlen(pts), e1, strlen(e1), err, sizeof(err)), -1);
    cr_assert(strstr(err, "edges:3: 'NLRTM' is neither"), "%s", err);
    cr_assert_eq(geo_graph_parse(&g, MODE_SEA, &t, pts, strlen(pts), e2, strlen(e2), err, sizeof(err)), -1);
    cr_assert(strstr(err, "edges:2: edge from p1 to itself"), "%s", err);
    cr_assert_eq(geo_graph_parse(&g, MODE_SEA, &t, p2, strlen(p2), e1, strlen(e1), err, sizeof(err)), -1);
    cr_assert(strstr(err, "points:2: point id 'P1'"), "%s", err);
    geo_nodes_free(&t);
}

Test(network, edge_factor_lengthens_only_its_edge) {
    struct geo_route r;
    char why[256];
    double want = geo_inverse(1, 0, 0.5, 0, NULL, NULL) * 1.5 + geo_inverse(0.5, 0, 0, 0, NULL, NULL);
    cr_assert_eq(geo_network_route(&net, "XXCCC", "XXAAA", MODE_RIVER, &r, why, sizeof(why)), GEO_OK, "%s", why);
    cr_assert_float_eq(r.metres, want, 1e-6);
    geo_route_free(&r);
}

Test(lanes_errors, factor_out_of_range) {
    struct geo_nodes t;
    struct geo_graph g;
    const char *nodes = "code,kind,name_en,name_zh,lat,lon,tz,country,customs,source\n"
                        "CNSHA,seaport,a,b,1,1,Asia/Shanghai,CN,,s\n";
    const char *pts = "id,lat,lon,name,source\np1,1,2,x,y\n";
    const char *e = "a,b,factor,note\np1,CNSHA,0.5,\n";
    cr_assert_eq(geo_nodes_parse(&t, nodes, strlen(nodes), "n", err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(geo_graph_parse(&g, MODE_RIVER, &t, pts, strlen(pts), e, strlen(e), err, sizeof(err)), -1);
    cr_assert(strstr(err, "edges:2: p1-CNSHA: factor '0.5'"), "%s", err);
    geo_nodes_free(&t);
}
