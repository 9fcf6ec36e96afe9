/* Tests for server/route_cache.c without Redis: the index member format
 * (docs/redis-keys.md) and the prefix without a timetable.  The Redis side
 * is tested in test/integration/test_trips.c. */
#include "server/route_cache.h"

#include <criterion/criterion.h>
#include <string.h>

Test(route_cache, member_parse) {
    int64_t t0 = 0;
    const char *key = NULL;
    cr_assert_eq(route_cache_member_parse("1796169600:tt0123:q", &t0, &key), 0);
    cr_assert_eq(t0, 1796169600);
    cr_assert_str_eq(key, "tt0123:q");
    cr_assert_eq(route_cache_member_parse("-5:k", &t0, &key), 0);
    cr_assert_eq(t0, -5);
    cr_assert_eq(route_cache_member_parse("", &t0, &key), -1);
    cr_assert_eq(route_cache_member_parse("12", &t0, &key), -1);
    cr_assert_eq(route_cache_member_parse("12:", &t0, &key), -1);
    cr_assert_eq(route_cache_member_parse("x:k", &t0, &key), -1);
    cr_assert_eq(route_cache_member_parse("99999999999999999999999:k", &t0, &key), -1);
}

Test(route_cache, prefix_without_timetable) {
    cr_assert_str_eq(route_cache_prefix(), "tt-none:");
}
