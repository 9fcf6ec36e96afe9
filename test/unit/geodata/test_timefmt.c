/* geodata/timefmt.c: ISO 8601 instants with offsets. */
#include "geodata/timefmt.h"

#include <criterion/criterion.h>
#include <string.h>

static int64_t parse_ok(const char *s) {
    int64_t t = 0;
    char why[128] = "";
    cr_assert_eq(time_parse_iso8601(s, &t, why, sizeof(why)), 0, "%s: %s", s, why);
    return t;
}

static void parse_bad(const char *s, const char *want) {
    int64_t t;
    char why[128] = "";
    cr_assert_eq(time_parse_iso8601(s, &t, why, sizeof(why)), -1, "accepted %s", s);
    cr_expect(strstr(why, want) != NULL, "%s: '%s' lacks '%s'", s, why, want);
}

Test(timefmt, offsets_name_the_same_instant) {
    /* 2026-11-27T00:00:00Z is 1795737600 (date -u -d ... +%s). */
    cr_assert_eq(parse_ok("2026-11-27T00:00:00Z"), 1795737600);
    cr_assert_eq(parse_ok("2026-11-27T08:00:00+08:00"), 1795737600);
    cr_assert_eq(parse_ok("2026-11-26T19:00-05:00"), 1795737600);
    cr_assert_eq(parse_ok("2026-11-27T00:00:00.750Z"), 1795737600);
    cr_assert_eq(parse_ok("2028-02-29T12:00:00Z") - parse_ok("2028-02-28T12:00:00Z"), 86400);
}

Test(timefmt, refuses_with_a_reason) {
    parse_bad("2026-11-27T00:00:00", "needs a UTC offset");
    parse_bad("2026-11-27 00:00:00Z", "is not YYYY-MM-DD");
    parse_bad("2026-02-29T00:00:00Z", "not a valid date");
    parse_bad("2026-13-01T00:00:00Z", "not a valid date");
    parse_bad("2026-11-27T24:00:00Z", "not a valid date");
    parse_bad("2026-11-27T00:00:00+19:00", "bad UTC offset");
    parse_bad("2026-11-27T00:00:00+0800", "needs a UTC offset");
    parse_bad("2026-11-27T00:00:00.Z", "not a valid date");
    parse_bad("", "is not YYYY-MM-DD");
}

Test(timefmt, durations) {
    int64_t s = 0;
    char why[128];
    cr_assert_eq(time_parse_duration("86400", &s, why, sizeof(why)), 0);
    cr_assert_eq(s, 86400);
    cr_assert_eq(time_parse_duration("P2D", &s, why, sizeof(why)), 0);
    cr_assert_eq(s, 172800);
    cr_assert_eq(time_parse_duration("P1DT6H30M", &s, why, sizeof(why)), 0);
    cr_assert_eq(s, 86400 + 6 * 3600 + 30 * 60);
    cr_assert_eq(time_parse_duration("PT45S", &s, why, sizeof(why)), 0);
    cr_assert_eq(s, 45);
    cr_assert_eq(time_parse_duration("P", &s, why, sizeof(why)), -1);
    cr_assert_eq(time_parse_duration("P2H", &s, why, sizeof(why)), -1, "H needs T");
    cr_assert_eq(time_parse_duration("P500D", &s, why, sizeof(why)), -1);
    cr_assert_eq(time_parse_duration("-5", &s, why, sizeof(why)), -1);
    cr_assert(strstr(why, "'-5'") != NULL, "%s", why);
}

Test(timefmt, formats_local_time_with_offset) {
    char buf[40];
    time_format_iso8601(1795737600, 8 * 3600, buf, sizeof(buf));
    cr_assert_str_eq(buf, "2026-11-27T08:00:00+08:00");
    time_format_iso8601(1795737600, 0, buf, sizeof(buf));
    cr_assert_str_eq(buf, "2026-11-27T00:00:00Z");
    time_format_iso8601(1795737600, -(3 * 3600 + 30 * 60), buf, sizeof(buf));
    cr_assert_str_eq(buf, "2026-11-26T20:30:00-03:30");
}
