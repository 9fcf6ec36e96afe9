/* Tests for server/route_params.c: GET /v1/routes' modes=, freight
 * override and number parameters. */
#include "server/route_params.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

Test(route_params, number_in_range) {
    char err[200];
    double d = -1;
    cr_assert_eq(route_params_number("teu", "2.5", 0, 10000, &d, err, sizeof(err)), 0);
    cr_assert_float_eq(d, 2.5, 1e-12);
    cr_assert_eq(route_params_number("max_transfers", "0", 0, 5, &d, err, sizeof(err)),
                 0);
    cr_assert_float_eq(d, 0, 1e-12);
}

Test(route_params, number_errors_name_parameter_and_value) {
    static const char *const bad[] = {"",    "abc",   "3x", "nan",
                                      "inf", "1e999", "-1", "10001"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[200], want[200];
        double d = 7;
        cr_assert_eq(route_params_number("teu", bad[i], 0, 10000, &d, err, sizeof(err)),
                     -1, "accepted '%s'", bad[i]);
        cr_assert_float_eq(d, 7, 1e-12);
        snprintf(want, sizeof(want), "teu: '%s' is not a number in 0..10000", bad[i]);
        cr_assert_str_eq(err, want);
    }
}

Test(route_params, modes) {
    char err[200];
    unsigned mask = 99;
    cr_assert_eq(route_params_modes(NULL, &mask, err, sizeof(err)), 0);
    cr_assert_eq(mask, 0);
    cr_assert_eq(route_params_modes("sea,rail,road", &mask, err, sizeof(err)), 0);
    cr_assert_eq(mask,
                 (1u << RT_FMODE_SEA) | (1u << RT_FMODE_RAIL) | (1u << RT_FMODE_ROAD));
    cr_assert_eq(route_params_modes("air,air", &mask, err, sizeof(err)), 0);
    cr_assert_eq(mask, 1u << RT_FMODE_AIR);
}

Test(route_params, mode_errors_name_the_bad_mode) {
    char err[200];
    unsigned mask;
    cr_assert_eq(route_params_modes("sea,boat", &mask, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "modes: 'boat' is not one of sea, river, rail, air, road");
    cr_assert_eq(route_params_modes("", &mask, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "modes: '' is not one of sea, river, rail, air, road");
    cr_assert_eq(route_params_modes("rail,", &mask, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "modes: '' is not one of sea, river, rail, air, road");
    /* Long values are cut to 16 bytes in the message. */
    cr_assert_eq(
        route_params_modes("abcdefghijklmnopqrstuvwxyz", &mask, err, sizeof(err)), -1);
    cr_assert_str_eq(
        err, "modes: 'abcdefghijklmnop' is not one of sea, river, rail, air, road");
}

Test(route_params, overrides) {
    struct rt_freight_override o;
    char err[200];
    rt_freight_override_init(&o);
    cr_assert_eq(route_params_override("cutoff_h", NULL, &o, err, sizeof(err)), 0);
    cr_assert_eq(o.cutoff_s[RT_FMODE_SEA], -1);
    cr_assert_eq(
        route_params_override("cutoff_h", "sea:24,air:3.5", &o, err, sizeof(err)), 0);
    cr_assert_eq(o.cutoff_s[RT_FMODE_SEA], 24 * 3600);
    cr_assert_eq(o.cutoff_s[RT_FMODE_AIR], 3 * 3600 + 1800);
    cr_assert_eq(o.cutoff_s[RT_FMODE_RAIL], -1);
    cr_assert_eq(route_params_override("handling_h", "sea-rail:12,rail-road:0", &o, err,
                                       sizeof(err)),
                 0);
    cr_assert_eq(o.handling_s[RT_FMODE_SEA][RT_FMODE_RAIL], 12 * 3600);
    cr_assert_eq(o.handling_s[RT_FMODE_RAIL][RT_FMODE_ROAD], 0);
    cr_assert_eq(o.handling_s[RT_FMODE_RAIL][RT_FMODE_SEA], -1);
    cr_assert_eq(route_params_override("release_h", "river:2160", &o, err, sizeof(err)),
                 0);
    cr_assert_eq(o.release_s[RT_FMODE_RIVER], 2160 * 3600);
    cr_assert_eq(route_params_override("customs_h", "road:1", &o, err, sizeof(err)), 0);
    cr_assert_eq(o.customs_s[RT_FMODE_ROAD], 3600);
    cr_assert_eq(o.cutoff_s[RT_FMODE_ROAD], -1);
}

/* NAME=VALUE must be refused with exactly MESSAGE. */
static void refused(const char *name, const char *value, const char *message) {
    struct rt_freight_override o;
    char err[200];
    rt_freight_override_init(&o);
    cr_assert_eq(route_params_override(name, value, &o, err, sizeof(err)), -1,
                 "accepted %s=%s", name, value);
    cr_assert_str_eq(err, message, "for %s=%s", name, value);
}

Test(route_params, override_errors_name_parameter_and_entry) {
    refused("cutoff_h", "boat:5",
            "cutoff_h: 'boat:5' must be MODE:HOURS with hours 0..2160");
    refused("cutoff_h", "sea", "cutoff_h: 'sea' must be MODE:HOURS with hours 0..2160");
    refused("release_h", "air:48,sea",
            "release_h: 'sea' must be MODE:HOURS with hours 0..2160");
    refused("handling_h", "sea:12",
            "handling_h: 'sea:12' must be FROM-TO:HOURS with hours 0..2160");
    refused("handling_h", "sea-boat:12",
            "handling_h: 'sea-boat:12' must be FROM-TO:HOURS with hours 0..2160");
    refused("customs_h", "", "customs_h: '' must be MODE:HOURS with hours 0..2160");
    /* A bad number of hours: the message shows the whole entry. */
    refused("customs_h", "rail:9999",
            "customs_h: 'rail:9999' must be MODE:HOURS with hours 0..2160");
    refused("cutoff_h", "sea:-1",
            "cutoff_h: 'sea:-1' must be MODE:HOURS with hours 0..2160");
    refused("cutoff_h", "sea:nan",
            "cutoff_h: 'sea:nan' must be MODE:HOURS with hours 0..2160");
}

Test(route_params, entries_before_a_bad_one_are_kept) {
    struct rt_freight_override o;
    char err[200];
    rt_freight_override_init(&o);
    cr_assert_eq(
        route_params_override("cutoff_h", "sea:1,boat:2", &o, err, sizeof(err)), -1);
    cr_assert_eq(o.cutoff_s[RT_FMODE_SEA], 3600);
}
