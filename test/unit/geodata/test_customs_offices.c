/* geodata/customs_offices.c: the office table, its lookups and node
 * matching, the "FILE:LINE: reason" of every rejected row, and the shipped
 * geodata/data/customs_offices.csv against the shipped nodes.csv. */
#include "geodata/customs_offices.h"
#include "geodata/nodes.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static char err[640];

#define OH "code,name_en,name_zh,nodes,source\n"

static void parse_ok(struct cx_offices *t, const char *text) {
    cr_assert_eq(cx_offices_parse(t, text, strlen(text), "o.csv", err, sizeof(err)), 0,
                 "%s", err);
}

static void expect_error(const char *text, const char *want) {
    struct cx_offices t;
    cr_assert_eq(cx_offices_parse(&t, text, strlen(text), "o.csv", err, sizeof(err)), -1,
                 "accepted: %s", text);
    cr_expect_str_eq(err, want);
    cr_expect_eq(t.n, 0, "a failed parse leaves the table empty");
    cr_expect_null(t.v);
    cx_offices_free(&t);
}

Test(customs_offices, lookup_and_district_fallback) {
    struct cx_offices t;
    const struct cx_office *o;
    /* Out of order, CRLF, a quoted comma in the source: none matters. */
    parse_ok(&t, OH "4908,Airport,机场,CSX;CNCSX-HBZ,\"a, b\"\r\n"
                    "4900,District,关区,CNCLJ;CSX,x\r\n2248,Yangshan,洋山,CNSHA-YSH,x\r\n");
    cr_assert_eq(t.n, 3);
    cr_expect_str_eq(t.v[0].code, "2248", "sorted by code");
    o = cx_office_find(&t, "4908");
    cr_assert_not_null(o);
    cr_expect_str_eq(o->name_zh, "机场");
    cr_assert_eq(o->nnodes, 2);
    cr_expect_str_eq(o->nodes[1], "CNCSX-HBZ");
    cr_expect_eq(o->line, 2);
    cr_expect_null(cx_office_find(&t, "4901"), "find is exact");
    cr_expect_null(cx_office_find(&t, "49"), "not 4 digits");
    cr_expect_null(cx_office_find(&t, NULL));
    cr_expect_null(cx_office_find(NULL, "4900"));
    cr_expect_eq(cx_office_resolve(&t, "4908"), o, "listed: itself");
    cr_expect_eq(cx_office_resolve(&t, "4901"), cx_office_find(&t, "4900"),
                 "unlisted subordinate: its district");
    cr_expect_null(cx_office_resolve(&t, "2201"), "no 2200 row: nothing");
    cr_expect_null(cx_office_resolve(&t, "49a1"));
    cx_offices_free(&t);
    cr_expect_eq(t.n, 0);
    cr_expect_null(cx_office_find(&t, "4900"), "a freed table is empty");
}

Test(customs_offices, node_match_by_unlocode_prefix) {
    struct cx_offices t;
    const struct cx_office *o;
    parse_ok(&t, OH "4900,D,关,CNCLJ-SYH;CSX;CNWUH,x\n");
    o = cx_office_find(&t, "4900");
    cr_expect(cx_office_has_node(o, "CNCLJ-SYH"), "equal");
    cr_expect(cx_office_has_node(o, "CNCLJ"), "office node's prefix");
    cr_expect(!cx_office_has_node(o, "CNCLJ-CBZ"), "another sub-node of the same LOCODE");
    cr_expect(cx_office_has_node(o, "CNWUH-WJS"), "office node is the event's prefix");
    cr_expect(cx_office_has_node(o, "CSX"));
    cr_expect(!cx_office_has_node(o, "CNCSX"), "an IATA code is not a LOCODE suffix");
    cr_expect(!cx_office_has_node(o, "CNCL"), "a partial prefix");
    cr_expect(!cx_office_has_node(o, ""));
    cr_expect(!cx_office_has_node(NULL, "CSX"));
    cr_expect(!cx_node_match("CNCLJ-", "CNCLJ-SYH"));
    cr_expect(cx_node_match("CNCLJ", "CNCLJ"));
    cx_offices_free(&t);
}

Test(customs_offices_errors, bad_rows_name_file_and_line) {
    expect_error(OH "4900,D,关,CSX,x\n490,D,关,CSX,x\n",
                 "o.csv:3: code '490' is not a 4-digit customs office code");
    expect_error(OH "49001,D,关,CSX,x\n",
                 "o.csv:2: code '49001' is not a 4-digit customs office code");
    expect_error(OH "49A0,D,关,CSX,x\n",
                 "o.csv:2: code '49A0' is not a 4-digit customs office code");
    expect_error(OH "4900,,关,CSX,x\n", "o.csv:2: 4900: name_en is empty");
    expect_error(OH "4900,D,,CSX,x\n", "o.csv:2: 4900: name_zh is empty");
    expect_error(OH "4900,D,关,,x\n", "o.csv:2: 4900: nodes is empty");
    expect_error(OH "4900,D,关,CSX;;YYA,x\n",
                 "o.csv:2: 4900: node '' is not a node code (CNCLJ, CSX, CNSHA-YSH)");
    expect_error(OH "4900,D,关,CSX;,x\n",
                 "o.csv:2: 4900: node '' is not a node code (CNCLJ, CSX, CNSHA-YSH)");
    expect_error(OH "4900,D,关,cnclj,x\n",
                 "o.csv:2: 4900: node 'cnclj' is not a node code (CNCLJ, CSX, CNSHA-YSH)");
    expect_error(OH "4900,D,关,CNCLJ SYH,x\n",
                 "o.csv:2: 4900: node 'CNCLJ SYH' is not a node code (CNCLJ, CSX, CNSHA-YSH)");
    expect_error(OH "4900,D,关,CSX;YYA;CSX,x\n", "o.csv:2: 4900: node CSX is listed twice");
    expect_error(OH "4900,D,关,CSX,\n", "o.csv:2: 4900: source is empty");
    expect_error(OH "4900,D,关,CSX\n", "o.csv:2: 4 fields, the header has 5");
    expect_error(OH "4900,D,关,CSX,x\n2248,Y,洋,CNSHA-YSH,x\n4900,E,关,YYA,x\n",
                 "o.csv:4: code 4900 appears twice (also line 2)");
    expect_error(OH, "o.csv:1: no offices");
    expect_error("code,name_en,name_zh,nodes\n4900,D,关,CSX\n",
                 "o.csv:1: missing column 'source'");
}

Test(customs_offices_errors, node_count_and_name_length_limits) {
    char text[2048], nodes[1024];
    size_t used = 0;
    struct cx_offices t;
    /* 32 distinct nodes AAA..: accepted; a 33rd: refused. */
    for (int i = 0; i < 33; i++)
        used += (size_t)snprintf(nodes + used, sizeof(nodes) - used, "%sA%c%c", i ? ";" : "",
                                 'A' + i / 26, 'A' + i % 26);
    snprintf(text, sizeof(text), OH "4900,D,关,%.*s,x\n", (int)(used - 4), nodes);
    parse_ok(&t, text);
    cr_expect_eq(t.v[0].nnodes, 32);
    cx_offices_free(&t);
    snprintf(text, sizeof(text), OH "4900,D,关,%s,x\n", nodes);
    expect_error(text, "o.csv:2: 4900: more than 32 nodes");
    snprintf(text, sizeof(text), OH "4900,%096d,关,CSX,x\n", 0);
    expect_error(text, "o.csv:2: 4900: name_en is longer than 95 bytes");
}

Test(customs_offices_errors, missing_file) {
    struct cx_offices t;
    cr_expect_eq(cx_offices_load(&t, ut_path("test/fixtures/no-such-offices.csv"), err,
                                 sizeof(err)), -1);
    cr_expect(strstr(err, "no-such-offices.csv") != NULL, "%s", err);
    cr_expect_eq(t.n, 0);
}

/* The shipped table: loads, and every node of every office is a node of the
 * shipped nodes.csv in CN. */
Test(customs_offices_data, every_office_node_exists_in_nodes_csv) {
    struct cx_offices t;
    struct geo_nodes nodes;
    size_t total = 0;
    cr_assert_eq(cx_offices_load(&t, ut_path("geodata/data/customs_offices.csv"), err,
                                 sizeof(err)), 0, "%s", err);
    cr_assert_eq(geo_nodes_load(&nodes, ut_path("geodata/data/nodes.csv"), err, sizeof(err)),
                 0, "%s", err);
    cr_expect_geq(t.n, 15);
    for (size_t i = 0; i < t.n; i++)
        for (size_t k = 0; k < t.v[i].nnodes; k++) {
            const struct geo_node *nd = geo_node_find(&nodes, t.v[i].nodes[k]);
            cr_expect_not_null(nd, "customs_offices.csv:%d: %s: node %s is not in nodes.csv",
                               t.v[i].line, t.v[i].code, t.v[i].nodes[k]);
            if (nd) cr_expect_str_eq(nd->country, "CN", "%s", nd->code);
            total++;
        }
    cr_expect_geq(total, 30);
    /* Every CN node with a customs role (port of entry, border, bonded zone,
     * inspection centre) has an office. */
    for (size_t i = 0; i < nodes.n; i++) {
        const struct geo_node *nd = &nodes.v[i];
        int found = 0;
        if (strcmp(nd->country, "CN") != 0 || nd->customs == 0) continue;
        for (size_t j = 0; j < t.n && !found; j++) found = cx_office_has_node(&t.v[j], nd->code);
        cr_expect(found, "CN node %s has no customs office", nd->code);
    }
    /* Spot checks of the verified codes. */
    cr_expect(cx_office_has_node(cx_office_find(&t, "2248"), "CNSHA-YSH"));
    cr_expect(cx_office_has_node(cx_office_find(&t, "2225"), "CNSHA-WGQ"));
    cr_expect(cx_office_has_node(cx_office_find(&t, "2233"), "PVG"));
    cr_expect(cx_office_has_node(cx_office_find(&t, "4900"), "CNCLJ"));
    cr_expect(cx_office_has_node(cx_office_find(&t, "4908"), "CSX"));
    cr_expect(!cx_office_has_node(cx_office_find(&t, "4908"), "CNCLJ"));
    geo_nodes_free(&nodes);
    cx_offices_free(&t);
}
