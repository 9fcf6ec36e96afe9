/* routing/freight.c: the freight parameter files (handling, cut-offs,
 * release, customs dwell, tariffs, emission factors), their lookups with
 * node rows, defaults and per-query overrides, the exact "FILE:LINE:
 * reason" of every rejected input, and the data shipped in geodata/freight. */
#include "routing/freight.h"

#include "geodata/nodes.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static struct rt_freight fr;
static char err[640];

static void setup(void) {
    rt_freight_init(&fr);
    err[0] = '\0';
}

static void teardown(void) {
    rt_freight_free(&fr);
}

static void load_fixture(const char *name) {
    char rel[256];
    snprintf(rel, sizeof(rel), "test/fixtures/freight/%s", name);
    cr_assert_eq(rt_freight_load(&fr, ut_path(rel), err, sizeof(err)), 0, "%s", err);
}

#define H(x) ((int32_t)((x)*3600))

TestSuite(freight, .init = setup, .fini = teardown);

Test(freight, fmode_names_and_rt_mode_mapping) {
    static const char *const names[] = {"sea", "river", "rail", "air", "road"};
    for (int m = 0; m < RT_FMODE_COUNT; m++) {
        cr_expect_str_eq(rt_fmode_name((enum rt_fmode)m), names[m]);
        cr_expect_eq(rt_fmode_parse(names[m]), m);
    }
    cr_expect_eq(rt_fmode_parse("ship"), -1);
    cr_expect_eq(rt_fmode_parse("Sea"), -1, "mode names are lower case");
    cr_expect_eq(rt_fmode_from_rt_mode(RT_MODE_WATER, 1), RT_FMODE_SEA);
    cr_expect_eq(rt_fmode_from_rt_mode(RT_MODE_WATER, 0), RT_FMODE_RIVER);
    cr_expect_eq(rt_fmode_from_rt_mode(RT_MODE_RAIL, 1), RT_FMODE_RAIL);
    cr_expect_eq(rt_fmode_from_rt_mode(RT_MODE_AIR, 0), RT_FMODE_AIR);
    cr_expect_eq(rt_fmode_from_rt_mode(RT_MODE_ROAD, 0), RT_FMODE_ROAD);
    cr_expect_eq(rt_fmode_from_rt_mode(RT_MODE_OTHER, 0), -1);
}

Test(freight, handling_node_row_wins_over_default) {
    load_fixture("basic");
    cr_expect_eq(rt_freight_handling(&fr, "AAPRT", RT_FMODE_SEA, RT_FMODE_RAIL, NULL),
                 H(12));
    cr_expect_eq(rt_freight_handling(&fr, "ZZOTH", RT_FMODE_SEA, RT_FMODE_RAIL, NULL),
                 H(36));
    cr_expect_eq(rt_freight_handling(&fr, "", RT_FMODE_SEA, RT_FMODE_RAIL, NULL),
                 H(36));
    cr_expect_eq(rt_freight_handling(&fr, NULL, RT_FMODE_RAIL, RT_FMODE_ROAD, NULL),
                 H(6));
    cr_expect_eq(rt_freight_handling(&fr, "AAPRT", RT_FMODE_RAIL, RT_FMODE_ROAD, NULL),
                 H(6), "a node without its own row for the pair takes the default");
    cr_expect_eq(rt_freight_handling(&fr, "AAPRT", RT_FMODE_RAIL, RT_FMODE_SEA, NULL),
                 0, "direction matters, and no row means no constraint");
    cr_expect_eq(
        rt_freight_handling(&fr, "AAPRT", (enum rt_fmode)9, RT_FMODE_SEA, NULL), 0);
}

Test(freight, cutoff_and_release_take_fractional_hours) {
    load_fixture("basic");
    cr_expect_eq(rt_freight_cutoff(&fr, "AAPRT", RT_FMODE_SEA, NULL), 1800);
    cr_expect_eq(rt_freight_cutoff(&fr, "BBBDR", RT_FMODE_SEA, NULL), H(48));
    cr_expect_eq(rt_freight_cutoff(&fr, "BBBDR", RT_FMODE_RAIL, NULL), H(24));
    cr_expect_eq(rt_freight_cutoff(&fr, "BBBDR", RT_FMODE_AIR, NULL), 0);
    cr_expect_eq(rt_freight_release(&fr, "AAPRT", RT_FMODE_AIR, NULL), H(6));
    cr_expect_eq(rt_freight_release(&fr, "AAPRT", RT_FMODE_SEA, NULL), H(24));
    cr_expect_eq(rt_freight_release(&fr, "AAPRT", RT_FMODE_ROAD, NULL), 0);
}

Test(freight, customs_dwell_by_flags_and_node) {
    load_fixture("basic");
    cr_expect_eq(
        rt_freight_customs_dwell(&fr, "ZZBOR", CUSTOMS_BORDER, RT_FMODE_RAIL, NULL),
        H(12));
    cr_expect_eq(rt_freight_customs_dwell(&fr, "ZZPOE", CUSTOMS_PORT_OF_ENTRY,
                                          RT_FMODE_RAIL, NULL),
                 H(24));
    cr_expect_eq(rt_freight_customs_dwell(&fr, "ZZBOTH",
                                          CUSTOMS_BORDER | CUSTOMS_PORT_OF_ENTRY,
                                          RT_FMODE_RAIL, NULL),
                 H(24), "both flags: the longer default");
    cr_expect_eq(rt_freight_customs_dwell(&fr, "ZZPOE", CUSTOMS_PORT_OF_ENTRY,
                                          RT_FMODE_SEA, NULL),
                 H(48));
    cr_expect_eq(
        rt_freight_customs_dwell(&fr, "ZZBOR", CUSTOMS_BORDER, RT_FMODE_SEA, NULL), 0,
        "no border default for sea");
    cr_expect_eq(rt_freight_customs_dwell(&fr, "ZZNONE",
                                          CUSTOMS_MEAT_PORT | CUSTOMS_BONDED_ZONE,
                                          RT_FMODE_RAIL, NULL),
                 0, "other customs flags do not mean clearance");
    cr_expect_eq(
        rt_freight_customs_dwell(&fr, "BBBDR", CUSTOMS_BORDER, RT_FMODE_RAIL, NULL),
        H(3), "a node row wins over the flag defaults");
    cr_expect_eq(rt_freight_customs_dwell(&fr, "CCWHS", 0, RT_FMODE_ROAD, NULL), H(2),
                 "a node row applies even without flags");
}

Test(freight, cost_by_teu_or_by_weight) {
    load_fixture("basic");
    /* sea: 100 + 2 TEU * (200 + 0.05 * 1000) = 600 */
    cr_expect_float_eq(rt_freight_cost(&fr, RT_FMODE_SEA, 1000, 20000, 2, NULL), 600.0,
                       1e-9);
    /* sea by weight: 100 + 5000 kg * (0.01 + 0.00001 * 1000) = 200 */
    cr_expect_float_eq(rt_freight_cost(&fr, RT_FMODE_SEA, 1000, 5000, 0, NULL), 200.0,
                       1e-9);
    /* air has no TEU rate: by weight even with TEU given. 50 + 100 * (0.5 + 0.4) = 140
     */
    cr_expect_float_eq(rt_freight_cost(&fr, RT_FMODE_AIR, 1000, 100, 1, NULL), 140.0,
                       1e-9);
    cr_expect_float_eq(rt_freight_cost(&fr, RT_FMODE_ROAD, 0, 0, 0, NULL), 20.0, 1e-9,
                       "the per-shipment part stays");
    cr_expect_eq(rt_freight_cost(&fr, RT_FMODE_SEA, -1, 10, 0, NULL), -1.0);
    cr_expect_eq(rt_freight_cost(&fr, RT_FMODE_SEA, 10, NAN, 0, NULL), -1.0);
    cr_expect_eq(rt_freight_cost(&fr, RT_FMODE_SEA, 10, 10, INFINITY, NULL), -1.0);
    cr_expect_eq(rt_freight_cost(&fr, (enum rt_fmode)5, 10, 10, 0, NULL), -1.0);
}

Test(freight, co2e_is_factor_times_tonne_km) {
    load_fixture("basic");
    cr_expect_float_eq(rt_freight_factor(&fr, RT_FMODE_RAIL, NULL), 0.03, 1e-12,
                       "the default variant");
    cr_expect_float_eq(rt_freight_factor_variant(&fr, RT_FMODE_RAIL, "electric"), 0.01,
                       1e-12);
    cr_expect_eq(rt_freight_factor_variant(&fr, RT_FMODE_RAIL, "steam"), -1.0);
    /* 0.6 kg/tkm * 2 t * 9000 km = 10800 kg */
    cr_expect_float_eq(rt_freight_co2e_kg(&fr, RT_FMODE_AIR, 9000, 2000, NULL), 10800.0,
                       1e-6);
    cr_expect_float_eq(rt_freight_co2e_kg(&fr, RT_FMODE_SEA, 19500, 10000, NULL),
                       1950.0, 1e-6);
    cr_expect_eq(rt_freight_co2e_kg(&fr, RT_FMODE_SEA, 100, -5, NULL), -1.0);
}

Test(freight, override_wins_over_data) {
    struct rt_freight_override o;
    load_fixture("basic");
    rt_freight_override_init(&o);
    cr_expect_eq(rt_freight_handling(&fr, "AAPRT", RT_FMODE_SEA, RT_FMODE_RAIL, &o),
                 H(12), "an empty override changes nothing");
    cr_expect_eq(rt_freight_cutoff(&fr, "AAPRT", RT_FMODE_SEA, &o), 1800);
    cr_expect_float_eq(rt_freight_co2e_kg(&fr, RT_FMODE_AIR, 1000, 1000, &o), 600.0,
                       1e-9);

    o.handling_s[RT_FMODE_SEA][RT_FMODE_RAIL] = 600;
    o.cutoff_s[RT_FMODE_SEA] = 0;
    o.release_s[RT_FMODE_AIR] = 60;
    o.customs_s[RT_FMODE_RAIL] = 7200;
    o.kg_co2e_per_tkm[RT_FMODE_AIR] = 0.5;
    o.tariff[RT_FMODE_SEA].set = 1;
    o.tariff[RT_FMODE_SEA].per_shipment_usd = 1;
    o.tariff[RT_FMODE_SEA].per_kg_km_usd = 0.001;

    cr_expect_eq(rt_freight_handling(&fr, "AAPRT", RT_FMODE_SEA, RT_FMODE_RAIL, &o),
                 600, "the override wins over the node row");
    cr_expect_eq(rt_freight_handling(&fr, "ZZOTH", RT_FMODE_SEA, RT_FMODE_RAIL, &o),
                 600);
    cr_expect_eq(rt_freight_handling(&fr, "ZZOTH", RT_FMODE_RAIL, RT_FMODE_ROAD, &o),
                 H(6), "other pairs keep the data");
    cr_expect_eq(rt_freight_cutoff(&fr, "AAPRT", RT_FMODE_SEA, &o), 0, "0 is a value");
    cr_expect_eq(rt_freight_cutoff(&fr, "AAPRT", RT_FMODE_RAIL, &o), H(24));
    cr_expect_eq(rt_freight_release(&fr, "AAPRT", RT_FMODE_AIR, &o), 60);
    cr_expect_eq(
        rt_freight_customs_dwell(&fr, "BBBDR", CUSTOMS_BORDER, RT_FMODE_RAIL, &o),
        7200);
    cr_expect_eq(rt_freight_customs_dwell(&fr, "ZZPOE", CUSTOMS_PORT_OF_ENTRY,
                                          RT_FMODE_RAIL, &o),
                 7200);
    cr_expect_eq(rt_freight_customs_dwell(&fr, "ZZNONE", 0, RT_FMODE_RAIL, &o), 0,
                 "the override sets how long clearance takes, not where it happens");
    cr_expect_float_eq(rt_freight_co2e_kg(&fr, RT_FMODE_AIR, 1000, 1000, &o), 500.0,
                       1e-9);
    cr_expect_float_eq(rt_freight_co2e_kg(&fr, RT_FMODE_ROAD, 1000, 1000, &o), 80.0,
                       1e-9);
    /* 1 + 1000 kg * 0.001 * 100 km = 101, and no TEU rate in the override */
    cr_expect_float_eq(rt_freight_cost(&fr, RT_FMODE_SEA, 100, 1000, 1, &o), 101.0,
                       1e-9);
    cr_expect_float_eq(rt_freight_cost(&fr, RT_FMODE_RAIL, 100, 1000, 1, &o), 425.0,
                       1e-9);
}

/* ---- rejected input: exact messages ------------------------------------- */

/* Parse TEXT as file WHICH into a fresh F: it must fail with WANT. */
static void expect_error(enum rt_freight_file which, const char *text,
                         const char *want) {
    int rc;
    rt_freight_free(&fr);
    rc = rt_freight_parse(&fr, which, text, strlen(text), rt_freight_file_name(which),
                          err, sizeof(err));
    cr_assert_eq(rc, -1, "accepted: %s", text);
    cr_expect_str_eq(err, want);
}

#define HH "node,from_mode,to_mode,min_handling_h,source\n"

Test(freight, header_errors) {
    expect_error(RT_FREIGHT_HANDLING,
                 "node,from_mode,to_mode,min_handling_h,source,note\n",
                 "handling.csv:1: unknown column 'note'");
    expect_error(RT_FREIGHT_HANDLING, "node,from_mode,min_handling_h,source\n",
                 "handling.csv:1: missing column 'to_mode'");
    expect_error(RT_FREIGHT_CUTOFFS, "node,mode,cutoff_s,source\n",
                 "cutoffs.csv:1: unknown column 'cutoff_s'");
    expect_error(RT_FREIGHT_TARIFFS, "",
                 "tariffs.csv:1: empty file: expected a header line");
}

Test(freight, handling_row_errors) {
    expect_error(
        RT_FREIGHT_HANDLING, HH ",sea,rail,24,x\n,ship,rail,24,x\n",
        "handling.csv:3: from_mode 'ship' is not one of sea, river, rail, air, road");
    expect_error(
        RT_FREIGHT_HANDLING, HH ",sea,truck,24,x\n",
        "handling.csv:2: to_mode 'truck' is not one of sea, river, rail, air, road");
    expect_error(RT_FREIGHT_HANDLING, HH ",sea,rail,-1,x\n",
                 "handling.csv:2: min_handling_h '-1' is negative");
    expect_error(RT_FREIGHT_HANDLING, HH ",sea,rail,1d,x\n",
                 "handling.csv:2: min_handling_h '1d' is not a number of hours");
    expect_error(RT_FREIGHT_HANDLING, HH ",sea,rail,,x\n",
                 "handling.csv:2: min_handling_h '' is not a number of hours");
    expect_error(RT_FREIGHT_HANDLING, HH ",sea,rail,2161,x\n",
                 "handling.csv:2: min_handling_h '2161' is over 2160 hours");
    expect_error(RT_FREIGHT_HANDLING, HH ",sea,rail,nan,x\n",
                 "handling.csv:2: min_handling_h 'nan' is not a number of hours");
    expect_error(
        RT_FREIGHT_HANDLING, HH ",sea,rail,24,\n",
        "handling.csv:2: source is empty: name a source or say \"assumed: why\"");
    expect_error(RT_FREIGHT_HANDLING, HH "cnsha,sea,rail,24,x\n",
                 "handling.csv:2: node 'cnsha' is not a node code");
    expect_error(RT_FREIGHT_HANDLING, HH ",sea,rail,24\n",
                 "handling.csv:2: 4 fields, the header has 5");
    expect_error(RT_FREIGHT_HANDLING,
                 HH ",sea,rail,24,x\n\nCNSHA,sea,rail,1,x\n,sea,rail,2,y\n",
                 "handling.csv:5: duplicate key (default, sea, rail), also line 2");
}

Test(freight, duplicate_node_row_names_the_node) {
    expect_error(RT_FREIGHT_HANDLING, HH "CNSHA,sea,rail,1,x\nCNSHA,sea,rail,1,x\n",
                 "handling.csv:3: duplicate key (CNSHA, sea, rail), also line 2");
    expect_error(RT_FREIGHT_CUTOFFS,
                 "node,mode,cutoff_h,source\nDEDUI,rail,1,x\n"
                 "DEDUI,rail,2,x\n",
                 "cutoffs.csv:3: duplicate key (DEDUI, rail), also line 2");
    expect_error(RT_FREIGHT_RELEASE, "node,mode,release_h,source\n,air,1,x\n,air,2,x\n",
                 "release.csv:3: duplicate key (default, air), also line 2");
}

#define CH "node,applies_at,mode,dwell_h,source\n"

Test(freight, customs_row_errors) {
    expect_error(
        RT_FREIGHT_CUSTOMS, CH ",frontier,rail,1,x\n",
        "customs.csv:2: applies_at 'frontier' is not border or port_of_entry (a "
        "default row needs one)");
    expect_error(RT_FREIGHT_CUSTOMS, CH "PLWAW-MLS,border,rail,1,x\n",
                 "customs.csv:2: applies_at must be empty on a node row (PLWAW-MLS)");
    expect_error(RT_FREIGHT_CUSTOMS,
                 CH ",border,rail,1,x\n,port_of_entry,rail,2,x\n"
                    ",border,rail,3,x\n",
                 "customs.csv:4: duplicate key (default, border, rail), also line 2");
    expect_error(RT_FREIGHT_CUSTOMS, CH "PLWAW-MLS,,rail,1,x\nPLWAW-MLS,,rail,1,x\n",
                 "customs.csv:3: duplicate key (PLWAW-MLS, rail), also line 2");
}

#define TH                                                                             \
    "mode,currency,per_shipment_usd,per_kg_usd,per_kg_km_usd,per_teu_usd,per_teu_km_"  \
    "usd,source\n"

Test(freight, tariff_errors) {
    expect_error(RT_FREIGHT_TARIFFS, TH "sea,EUR,1,1,1,1,1,x\n",
                 "tariffs.csv:2: currency 'EUR' is not USD");
    expect_error(RT_FREIGHT_TARIFFS, TH "sea,USD,1,-0.5,1,1,1,x\n",
                 "tariffs.csv:2: per_kg_usd '-0.5' is negative");
    expect_error(RT_FREIGHT_TARIFFS, TH "sea,USD,1,1,,1,1,x\n",
                 "tariffs.csv:2: per_kg_km_usd '' is not a number");
    expect_error(RT_FREIGHT_TARIFFS, TH "rail,USD,1,1,1,1,1,x\nrail,USD,1,1,1,1,1,x\n",
                 "tariffs.csv:3: duplicate key (rail), also line 2");
    expect_error(
        RT_FREIGHT_TARIFFS, TH "boat,USD,1,1,1,1,1,x\n",
        "tariffs.csv:2: mode 'boat' is not one of sea, river, rail, air, road");
}

#define EH "mode,variant,is_default,kg_co2e_per_tkm,scope,source\n"

Test(freight, emission_errors) {
    expect_error(RT_FREIGHT_EMISSIONS, EH "rail,diesel,1,0.03,TTW,x\n",
                 "emissions.csv:2: scope 'TTW' is not WTW (well-to-wheel)");
    expect_error(RT_FREIGHT_EMISSIONS,
                 EH "rail,diesel,1,0.03,WTW,x\nrail,electric,1,0.01,WTW,x\n",
                 "emissions.csv:3: second default for mode rail, also line 2");
    expect_error(RT_FREIGHT_EMISSIONS,
                 EH "rail,diesel,1,0.03,WTW,x\nrail,diesel,0,0.01,WTW,x\n",
                 "emissions.csv:3: duplicate key (rail, diesel), also line 2");
    expect_error(RT_FREIGHT_EMISSIONS, EH "rail,diesel,yes,0.03,WTW,x\n",
                 "emissions.csv:2: is_default 'yes' is not 0 or 1");
    expect_error(RT_FREIGHT_EMISSIONS, EH "rail,diesel,1,-0.03,WTW,x\n",
                 "emissions.csv:2: kg_co2e_per_tkm '-0.03' is negative");
    expect_error(RT_FREIGHT_EMISSIONS, EH "rail,,1,0.03,WTW,x\n",
                 "emissions.csv:2: variant is empty");
}

Test(freight, load_names_the_path) {
    char want[1200], dir[1024];
    snprintf(dir, sizeof(dir), "%s", ut_path("test/fixtures/freight/no_air_default"));
    cr_assert_eq(rt_freight_load(&fr, dir, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s/emissions.csv:6: end of file: no default (is_default 1) for mode air",
             dir);
    cr_expect_str_eq(err, want);
    cr_expect_eq(fr.handling.n, 0u, "a failed load leaves nothing behind");

    snprintf(dir, sizeof(dir), "%s", ut_path("test/fixtures/freight/nonexistent"));
    cr_assert_eq(rt_freight_load(&fr, dir, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s/handling.csv: cannot open: No such file or directory", dir);
    cr_expect_str_eq(err, want);
}

/* ---- the shipped data --------------------------------------------------- */

static void expect_known(const struct geo_nodes *nodes,
                         const struct rt_freight_times *t, const char *file) {
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].node[0])
            cr_expect_not_null(geo_node_find(nodes, t->v[i].node),
                               "%s:%d: node %s is not in geodata/data/nodes.csv", file,
                               t->v[i].line, t->v[i].node);
}

Test(freight, shipped_data_loads_and_is_sane) {
    struct geo_nodes nodes;
    struct rt_freight_override o;
    double sea, river, rail, road, air;

    cr_assert_eq(rt_freight_load(&fr, ut_path("geodata/freight"), err, sizeof(err)), 0,
                 "%s", err);
    sea = rt_freight_factor(&fr, RT_FMODE_SEA, NULL);
    river = rt_freight_factor(&fr, RT_FMODE_RIVER, NULL);
    rail = rt_freight_factor(&fr, RT_FMODE_RAIL, NULL);
    road = rt_freight_factor(&fr, RT_FMODE_ROAD, NULL);
    air = rt_freight_factor(&fr, RT_FMODE_AIR, NULL);
    cr_expect(sea > 0 && sea < rail && rail < road && road < air,
              "per tonne-km: sea %g < rail %g < road %g < air %g", sea, rail, road,
              air);
    cr_expect(river > sea && river < road, "river %g between sea and road", river);
    cr_expect(rt_freight_factor_variant(&fr, RT_FMODE_RAIL, "electric") < rail,
              "electric rail below the diesel default");

    /* Every mode pair has a default handling time. */
    for (int a = 0; a < RT_FMODE_COUNT; a++)
        for (int b = 0; b < RT_FMODE_COUNT; b++)
            cr_expect_gt(
                rt_freight_handling(&fr, "", (enum rt_fmode)a, (enum rt_fmode)b, NULL),
                0, "%s->%s", rt_fmode_name((enum rt_fmode)a),
                rt_fmode_name((enum rt_fmode)b));
    cr_expect_eq(
        rt_freight_handling(&fr, "CNSHA-YSH", RT_FMODE_SEA, RT_FMODE_SEA, NULL), H(48),
        "Yangshan's own transshipment time");
    cr_expect_eq(rt_freight_handling(&fr, "SGSIN", RT_FMODE_SEA, RT_FMODE_SEA, NULL),
                 H(24));
    cr_expect_eq(rt_freight_customs_dwell(&fr, "PLWAW-MLS",
                                          CUSTOMS_BORDER | CUSTOMS_PORT_OF_ENTRY,
                                          RT_FMODE_RAIL, NULL),
                 H(24));
    cr_expect_eq(
        rt_freight_customs_dwell(&fr, "CNURC-AKS", CUSTOMS_BORDER, RT_FMODE_RAIL, NULL),
        H(12));

    rt_freight_override_init(&o);
    o.handling_s[RT_FMODE_SEA][RT_FMODE_SEA] = H(6);
    cr_expect_eq(rt_freight_handling(&fr, "CNSHA-YSH", RT_FMODE_SEA, RT_FMODE_SEA, &o),
                 H(6));

    /* A Yueyang-Shanghai barge TEU (1300 km) costs less than a China-Europe
     * rail TEU (11000 km), which costs less than 10 t by air over 9000 km. */
    cr_expect_lt(rt_freight_cost(&fr, RT_FMODE_RIVER, 1300, 10000, 1, NULL),
                 rt_freight_cost(&fr, RT_FMODE_RAIL, 11000, 10000, 1, NULL));
    cr_expect_lt(rt_freight_cost(&fr, RT_FMODE_RAIL, 11000, 10000, 1, NULL),
                 rt_freight_cost(&fr, RT_FMODE_AIR, 9000, 10000, 0, NULL));

    cr_assert_eq(
        geo_nodes_load(&nodes, ut_path("geodata/data/nodes.csv"), err, sizeof(err)), 0,
        "%s", err);
    expect_known(&nodes, &fr.handling, "handling.csv");
    expect_known(&nodes, &fr.cutoffs, "cutoffs.csv");
    expect_known(&nodes, &fr.release, "release.csv");
    expect_known(&nodes, &fr.customs, "customs.csv");
    for (size_t i = 0; i < fr.customs.n; i++) {
        const struct geo_node *n = geo_node_find(&nodes, fr.customs.v[i].node);
        if (n)
            cr_expect(
                n->customs & (CUSTOMS_BORDER | CUSTOMS_PORT_OF_ENTRY),
                "customs.csv:%d: %s is neither border nor port_of_entry in nodes.csv",
                fr.customs.v[i].line, n->code);
    }
    geo_nodes_free(&nodes);
}

Test(freight, parse_from_memory_then_check) {
    static const char handling[] = "\xEF\xBB\xBF"
                                   "source,to_mode,node,from_mode,min_handling_h\r\n"
                                   "\"assumed: a, b\",road,,rail,1.25\r\n";
    static const char tariffs[] = TH "sea,USD,1,1,1,,,x\n";
    static const char emissions[] = EH "sea,container,1,0.01,WTW,x\n";
    cr_assert_eq(rt_freight_parse(&fr, RT_FREIGHT_HANDLING, handling,
                                  sizeof(handling) - 1, "h.csv", err, sizeof(err)),
                 0, "%s", err);
    cr_expect_eq(rt_freight_handling(&fr, "X", RT_FMODE_RAIL, RT_FMODE_ROAD, NULL),
                 4500, "columns in any order, BOM, CRLF, quoted commas");
    cr_assert_eq(rt_freight_parse(&fr, RT_FREIGHT_TARIFFS, tariffs, sizeof(tariffs) - 1,
                                  "t.csv", err, sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(rt_freight_parse(&fr, RT_FREIGHT_EMISSIONS, emissions,
                                  sizeof(emissions) - 1, "e.csv", err, sizeof(err)),
                 0, "%s", err);
    cr_expect_float_eq(rt_freight_cost(&fr, RT_FMODE_SEA, 10, 10, 3, NULL), 111.0, 1e-9,
                       "empty TEU rates: priced by weight");
    cr_assert_eq(rt_freight_check(&fr, "t.csv", 2, "e.csv", 2, err, sizeof(err)), -1);
    cr_expect_str_eq(err, "t.csv:2: end of file: no row for mode river");
}
