/* geodata/territory.c: the customs territory table, its lookups and ids,
 * the shipped geodata/data/customs_territories.csv against the shipped
 * nodes.csv, and the "FILE:LINE: reason" of every rejected row. */
#include "geodata/network.h"
#include "geodata/nodes.h"
#include "geodata/territory.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static char err[640];

#define TH "country,territory,source\n"

static void parse_ok(struct geo_territories *t, const char *text) {
    cr_assert_eq(geo_territories_parse(t, text, strlen(text), "t.csv", err, sizeof(err)),
                 0, "%s", err);
}

static void expect_error(const char *text, const char *want) {
    struct geo_territories t;
    cr_assert_eq(geo_territories_parse(&t, text, strlen(text), "t.csv", err, sizeof(err)),
                 -1, "accepted: %s", text);
    cr_expect(strstr(err, want) != NULL, "want '%s' in '%s'", want, err);
    cr_expect_eq(t.n, 0, "a failed parse leaves the table empty");
    cr_expect_null(t.v);
    geo_territories_free(&t);
}

Test(territory, lookup_listed_unlisted_and_bad) {
    struct geo_territories t;
    const char *cn = "CN";
    /* Rows out of order, source with a quoted comma, CRLF: none matters. */
    parse_ok(&t, TH "RU,EAEU,\"a, b\"\r\nDE,EU,x\r\nKZ,EAEU,x\r\nFR,EU,x\r\n");
    cr_assert_eq(t.n, 4);
    cr_expect_str_eq(geo_territory_of(&t, "DE"), "EU");
    cr_expect_str_eq(geo_territory_of(&t, "KZ"), "EAEU");
    cr_expect_eq(geo_territory_of(&t, cn), cn, "unlisted: the country itself");
    cr_expect_str_eq(geo_territory_of(&t, "HK"), "HK");
    cr_expect_str_eq(geo_territory_of(&t, "de"), "de", "codes are upper case");
    cr_expect_str_eq(geo_territory_of(NULL, "DE"), "DE", "no table: own territory");
    cr_assert_eq(t.nnames, 2);
    cr_expect_str_eq(t.names[0], "EAEU");
    cr_expect_str_eq(t.names[1], "EU");
    geo_territories_free(&t);
    cr_expect_eq(t.n, 0);
    cr_expect_str_eq(geo_territory_of(&t, "DE"), "DE", "a freed table is empty");
}

Test(territory, ids_match_names) {
    struct geo_territories t;
    static const char *const c[] = {"DE", "FR", "PL", "RU", "KZ", "BY", "CN", "HK",
                                    "MO", "LI", "CH", "US", "ZZ", "AA"};
    const size_t nc = sizeof(c) / sizeof(c[0]);
    /* LI names CH as its territory while CH itself is not listed: CH's own
     * territory "CH" is then the same as LI's and must get the same id. */
    parse_ok(&t, TH "DE,EU,x\nFR,EU,x\nPL,EU,x\nRU,EAEU,x\nKZ,EAEU,x\nBY,EAEU,x\n"
                    "LI,CH,x\n");
    for (size_t i = 0; i < nc; i++) {
        uint16_t a = geo_territory_id(&t, c[i]);
        cr_expect_lt(a, t.nnames + 676, "%s: %u", c[i], a);
        for (size_t j = 0; j < nc; j++) {
            int same = strcmp(geo_territory_of(&t, c[i]), geo_territory_of(&t, c[j])) == 0;
            cr_expect_eq(a == geo_territory_id(&t, c[j]), same, "%s %s", c[i], c[j]);
        }
    }
    cr_expect_eq(geo_territory_id(&t, "EAEU"), UINT16_MAX, "not a country code");
    cr_expect_eq(geo_territory_id(&t, "cn"), UINT16_MAX);
    cr_expect_eq(geo_territory_id(&t, ""), UINT16_MAX);
    cr_expect_eq(geo_territory_id(&t, NULL), UINT16_MAX);
    /* Ids are the table's: the same rows in another order give the same. */
    {
        struct geo_territories u;
        parse_ok(&u, TH "LI,CH,x\nBY,EAEU,x\nPL,EU,x\nKZ,EAEU,x\nRU,EAEU,x\nFR,EU,x\n"
                        "DE,EU,x\n");
        for (size_t i = 0; i < nc; i++)
            cr_expect_eq(geo_territory_id(&u, c[i]), geo_territory_id(&t, c[i]), "%s", c[i]);
        geo_territories_free(&u);
    }
    geo_territories_free(&t);
    cr_expect_eq(geo_territory_id(NULL, "AA"), 0, "no table: 26 * 0 + 0");
    cr_expect_eq(geo_territory_id(NULL, "ZZ"), 675);
}

Test(territory, header_only_is_an_empty_table) {
    struct geo_territories t;
    parse_ok(&t, TH);
    cr_expect_eq(t.n, 0);
    cr_expect_str_eq(geo_territory_of(&t, "DE"), "DE");
    geo_territories_free(&t);
}

Test(territory_errors, bad_rows_name_file_and_line) {
    expect_error(TH "DE,EU,x\nDEU,EU,x\n",
                 "t.csv:3: country 'DEU' is not ISO 3166-1 alpha-2");
    expect_error(TH "de,EU,x\n", "t.csv:2: country 'de' is not ISO 3166-1 alpha-2");
    expect_error(TH "D1,EU,x\n", "t.csv:2: country 'D1'");
    expect_error(TH ",EU,x\n", "t.csv:2: country ''");
    expect_error(TH "DE,,x\n", "t.csv:2: DE: territory '' is not 1..15 of");
    expect_error(TH "DE,ABCDEFGHIJKLMNOP,x\n",
                 "t.csv:2: DE: territory 'ABCDEFGHIJKLMNOP' is not 1..15 of");
    expect_error(TH "DE,E U,x\n", "t.csv:2: DE: territory 'E U'");
    expect_error(TH "DE,EU,\n", "t.csv:2: DE: source is empty");
    expect_error(TH "DE,EU\n", "t.csv:2: 2 fields, the header has 3");
    expect_error(TH "DE,EU,x\nFR,EU,x\nDE,EAEU,x\n",
                 "t.csv:4: country DE appears twice (also line 2)");
}

Test(territory_errors, fifteen_bytes_is_the_longest_name) {
    struct geo_territories t;
    parse_ok(&t, TH "DE,ABCDEFGHIJKLMNO,x\n");
    cr_expect_str_eq(geo_territory_of(&t, "DE"), "ABCDEFGHIJKLMNO");
    geo_territories_free(&t);
}

Test(territory_errors, missing_column_and_file) {
    expect_error("country,territory\nDE,EU\n", "t.csv:1: missing column 'source'");
    expect_error("country,source\nDE,x\n", "t.csv:1: missing column 'territory'");
    expect_error("", "t.csv");
    {
        struct geo_territories t;
        cr_assert_eq(geo_territories_load(&t, "/nonexistent/customs_territories.csv", err,
                                          sizeof(err)),
                     -1);
        cr_expect(strstr(err, "/nonexistent/customs_territories.csv"), "%s", err);
    }
}

/* ---- the shipped data --------------------------------------------------- */

Test(territory_shipped, every_node_resolves_and_unions_hold) {
    struct geo_territories t;
    struct geo_nodes nodes;
    static const char *const eu[] = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK",
                                     "EE", "ES", "FI", "FR", "GR", "HR", "HU",
                                     "IE", "IT", "LT", "LU", "LV", "MT", "NL",
                                     "PL", "PT", "RO", "SE", "SI", "SK", "MC"};
    static const char *const eaeu[] = {"RU", "BY", "KZ", "KG", "AM"};
    /* Bilateral customs unions with the EU keep a customs border, and
     * China's special administrative regions are customs territories of
     * their own (docs/geodata-sources.md). */
    static const char *const own[] = {"CN", "HK", "MO", "TW", "TR", "AD", "SM", "GB",
                                      "UZ", "MN", "NO"};

    cr_assert_eq(geo_territories_load(&t, ut_path("geodata/data/customs_territories.csv"),
                                      err, sizeof(err)),
                 0, "%s", err);
    for (size_t i = 0; i < sizeof(eu) / sizeof(eu[0]); i++)
        cr_expect_str_eq(geo_territory_of(&t, eu[i]), "EU", "%s", eu[i]);
    for (size_t i = 0; i < sizeof(eaeu) / sizeof(eaeu[0]); i++)
        cr_expect_str_eq(geo_territory_of(&t, eaeu[i]), "EAEU", "%s", eaeu[i]);
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        cr_expect_str_eq(geo_territory_of(&t, own[i]), own[i], "%s", own[i]);
    cr_expect_neq(geo_territory_id(&t, "CN"), geo_territory_id(&t, "HK"));
    cr_expect_eq(geo_territory_id(&t, "PL"), geo_territory_id(&t, "DE"));
    cr_expect_neq(geo_territory_id(&t, "PL"), geo_territory_id(&t, "BY"),
                  "Brest-Malaszewicze is a customs border");

    cr_assert_eq(
        geo_nodes_load(&nodes, ut_path("geodata/data/nodes.csv"), err, sizeof(err)), 0,
        "%s", err);
    for (size_t i = 0; i < nodes.n; i++) {
        const char *name = geo_territory_of(&t, nodes.v[i].country);
        cr_expect(name != NULL && name[0] != '\0' && strlen(name) < GEO_TERRITORY_LEN,
                  "%s (%s)", nodes.v[i].code, nodes.v[i].country);
        cr_expect_neq(geo_territory_id(&t, nodes.v[i].country), UINT16_MAX, "%s",
                      nodes.v[i].code);
    }
    geo_nodes_free(&nodes);
    geo_territories_free(&t);
}

Test(territory_shipped, the_network_loads_it) {
    struct geo_network net;
    cr_assert_eq(geo_network_load(&net, ut_path("test/fixtures/geodata"), err, sizeof(err)),
                 0, "%s", err);
    cr_expect_str_eq(geo_territory_of(&net.territories, "XX"), "XYU");
    cr_expect_eq(geo_territory_id(&net.territories, "XX"),
                 geo_territory_id(&net.territories, "YY"));
    geo_network_free(&net);
}
