/* routing/query_line.c: bin/dongting-route's query lines. */
#include "routing/query_line.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static int parse(const char *text, struct rt_query_line *q, char *why) {
    static char line[256];
    snprintf(line, sizeof(line), "%s", text);
    return rt_query_line_parse(line, q, why, 256);
}

Test(query_line, fields_date_and_seconds) {
    struct rt_query_line q;
    char why[256];
    cr_assert_eq(parse("CNCSX-XN\tDEDUI\t2026-12-01\t36000", &q, why), 0, "%s", why);
    cr_assert_str_eq(q.from, "CNCSX-XN");
    cr_assert_str_eq(q.to, "DEDUI");
    cr_assert_eq(q.days, 20788); /* date -u -d 2026-12-01 +%s, divided by 86400 */
    cr_assert_eq(q.secs, 36000);
}

Test(query_line, refusals_name_the_field) {
    struct rt_query_line q;
    char why[256];
    cr_assert_eq(parse("a\tb\t2026-12-01", &q, why), -1);
    cr_assert(strstr(why, "3 tab-separated fields"), "%s", why);
    cr_assert_eq(parse("a\tb\t2026-02-30\t1", &q, why), -1);
    cr_assert(strstr(why, "date '2026-02-30'"), "%s", why);
    cr_assert_eq(parse("a\tb\t2026-12-01\t-5", &q, why), -1);
    cr_assert(strstr(why, "DEPART_SECONDS '-5'"), "%s", why);
    cr_assert_eq(parse("a\tb\t2026-12-01\t99999999", &q, why), -1);
}
