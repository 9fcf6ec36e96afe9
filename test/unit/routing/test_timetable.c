/* routing/timetable.c and tz.c: dates, route types, the id map, and
 * service-day starts computed by hand. */
#include "routing/timetable.h"
#include "routing/tz.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(gtfs_timetable, dates_round_trip) {
    /* 2026-01-01: 56 years * 365 + 14 leap days = 20454 days after 1970. */
    cr_assert_eq(rt_days_from_date(19700101), 0);
    cr_assert_eq(rt_days_from_date(20260101), 20454);
    cr_assert_eq(rt_days_from_date(20000301), 11017); /* 2000 is a leap year */
    cr_assert_eq(rt_days_from_date(19691231), -1);
    cr_assert_eq(rt_days_from_date(20240229), 19782);
    cr_assert_eq(rt_days_from_date(20230229), INT32_MIN);
    cr_assert_eq(rt_days_from_date(21000229), INT32_MIN, "2100 is not a leap year");
    cr_assert_eq(rt_days_from_date(20261301), INT32_MIN);
    cr_assert_eq(rt_days_from_date(20260100), INT32_MIN);
    for (int32_t d = rt_days_from_date(19000101); d <= rt_days_from_date(21991231);
         d += 7)
        cr_assert_eq(rt_days_from_date(rt_date_from_days(d)), d, "day %d", d);
    cr_assert_eq(rt_date_from_days(-1), 19691231);
    cr_assert_eq(rt_date_from_days(20454 + 58), 20260228);
}

Test(gtfs_timetable, route_types) {
    static const struct {
        long t;
        int m;
    } v[] = {{2, RT_MODE_RAIL},
             {100, RT_MODE_RAIL},
             {117, RT_MODE_RAIL},
             {118, RT_MODE_OTHER},
             {4, RT_MODE_WATER},
             {1000, RT_MODE_WATER},
             {1099, RT_MODE_WATER},
             {1100, RT_MODE_AIR},
             {1114, RT_MODE_AIR},
             {1200, RT_MODE_WATER},
             {3, RT_MODE_ROAD},
             {700, RT_MODE_ROAD},
             {715, RT_MODE_ROAD},
             {717, RT_MODE_ROAD},
             {718, RT_MODE_OTHER},
             {0, RT_MODE_OTHER},
             {1799, RT_MODE_OTHER},
             {1800, -1},
             {-1, -1}};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        cr_expect_eq(rt_mode_from_route_type(v[i].t), v[i].m, "route_type %ld", v[i].t);
    cr_assert_str_eq(rt_mode_name(RT_MODE_AIR), "air");
}

Test(gtfs_timetable, id_map_grows_and_finds) {
    struct rt_timetable tt;
    char id[32];
    memset(&tt, 0, sizeof(tt));
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t off, old;
        snprintf(id, sizeof(id), "stop-%u", i);
        cr_assert_eq(rt_strings_add(&tt, id, strlen(id), &off), 0);
        cr_assert_eq(rt_idmap_put(&tt.stop_ids, &tt, off, i, &old), 0);
        cr_assert_eq(rt_idmap_put(&tt.stop_ids, &tt, off, i + 1, &old), 1);
        cr_assert_eq(old, i);
    }
    for (uint32_t i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "stop-%u", i);
        cr_assert_eq(rt_stop_find(&tt, id), i);
    }
    cr_assert_eq(rt_stop_find(&tt, "stop-5000"), RT_NONE);
    cr_assert_eq(rt_stop_find(&tt, ""), RT_NONE);
    rt_timetable_free(&tt);
    cr_assert_eq(rt_stop_find(&tt, "stop-1"), RT_NONE, "safe on a freed timetable");
}

/* Europe/Berlin, 2026-10-25 (clocks go back at 01:00 UTC): noon is 12:00
 * CET = 11:00 UTC, minus 12 h = Oct 24 23:00 UTC, which is 01:00 CEST: one
 * hour after local midnight.  Oct 25 00:00 UTC = (20454 + 297) * 86400 =
 * 1792886400, so the start is 1792882800.  The day before starts at local
 * midnight: Oct 23 22:00 UTC = 1792886400 - 86400 - 7200 = 1792792800. */
Test(gtfs_tz, day_starts_on_the_autumn_change) {
    int64_t out[2];
    char why[200];
    int32_t d = rt_days_from_date(20261024);
    unsetenv("TZDIR");
    setenv("TZ", "America/New_York", 1);
    cr_assert_eq(rt_tz_day_starts("Europe/Berlin", d, 2, out, why, sizeof(why)), 0,
                 "%s", why);
    cr_assert_eq(out[0], 1792792800);
    cr_assert_eq(out[1], 1792882800);
    cr_assert_str_eq(getenv("TZ"), "America/New_York", "TZ is put back");
    unsetenv("TZ");
    cr_assert_eq(rt_tz_day_starts("UTC", d, 1, out, why, sizeof(why)), 0, "%s", why);
    cr_assert_eq(out[0], 1792886400 - 86400);
    cr_assert_null(getenv("TZ"), "an unset TZ stays unset");
}

Test(gtfs_tz, names_are_checked) {
    char why[200];
    unsetenv("TZDIR");
    cr_assert_eq(rt_tz_check("Asia/Shanghai", why, sizeof(why)), 0);
    cr_assert_eq(rt_tz_check("Etc/GMT+5", why, sizeof(why)), 0);
    cr_assert_eq(rt_tz_check("", why, sizeof(why)), -1);
    cr_assert_eq(rt_tz_check("/etc/localtime", why, sizeof(why)), -1);
    cr_assert_eq(rt_tz_check("Asia/../../etc/passwd", why, sizeof(why)), -1);
    cr_assert_str_eq(why, "'Asia/../../etc/passwd' is not an IANA time zone name");
    cr_assert_eq(rt_tz_check("Asia", why, sizeof(why)), -1, "a directory");
    cr_assert_eq(rt_tz_check("Asia/Atlantis", why, sizeof(why)), -1);
    cr_assert_str_eq(why, "'Asia/Atlantis' is not a time zone in /usr/share/zoneinfo");
}

/* Offsets as the zone rules state them: Berlin is UTC+1 in winter and
 * UTC+2 from 01:00 UTC on the last Sunday of March (2026-03-29). */
Test(gtfs_tz, offset_follows_daylight_saving) {
    char why[256];
    int off = 0;
    cr_assert_eq(rt_tz_offset("Europe/Berlin", 1774746000 - 1, &off, why, sizeof(why)), 0, "%s", why);
    cr_assert_eq(off, 3600);   /* 2026-03-29 00:59:59 UTC */
    cr_assert_eq(rt_tz_offset("Europe/Berlin", 1774746000, &off, why, sizeof(why)), 0, "%s", why);
    cr_assert_eq(off, 7200);   /* 2026-03-29 01:00:00 UTC */
    cr_assert_eq(rt_tz_offset("Asia/Shanghai", 1774746000, &off, why, sizeof(why)), 0, "%s", why);
    cr_assert_eq(off, 28800);
    cr_assert_eq(rt_tz_offset("Mars/Olympus", 0, &off, why, sizeof(why)), -1);
}
