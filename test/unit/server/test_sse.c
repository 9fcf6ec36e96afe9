/* Tests for sse_format in server/sse.c: the bytes of one Server-Sent Event,
 * as an EventSource parses them (fields end at CR, LF or CRLF; a blank line
 * dispatches). */
#include "server/sse.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Format and compare with WANT byte for byte, length included. */
static void expect(const char *event, const char *id, const char *data,
                   const char *want) {
    char *out = (char *)0x1;
    size_t len = 12345;
    cr_assert_eq(sse_format(event, id, data, &out, &len), 0);
    cr_assert_not_null(out);
    cr_assert_eq(len, strlen(want), "length %zu, want %zu: [%s]", len, strlen(want), out);
    cr_assert_str_eq(out, want);
    free(out);
}

static void refuse(const char *event, const char *id) {
    char *out = (char *)0x1;
    size_t len = 12345;
    cr_assert_eq(sse_format(event, id, "{}", &out, &len), -1);
    cr_assert_null(out);
    cr_assert_eq(len, 0);
}

Test(sse, event_id_and_one_line_of_json) {
    expect("event", "1732700000000-0", "{\"status\":\"in_transit\"}",
           "event: event\nid: 1732700000000-0\ndata: {\"status\":\"in_transit\"}\n\n");
}

Test(sse, no_id_line_when_id_is_null) {
    expect("hello", NULL, "{\"number\":\"DT1\"}", "event: hello\ndata: {\"number\":\"DT1\"}\n\n");
}

Test(sse, no_event_line_when_event_is_null) {
    expect(NULL, "7", "x", "id: 7\ndata: x\n\n");
}

Test(sse, lf_splits_into_data_lines) {
    expect("eta", "2", "{\n  \"a\": 1\n}", "event: eta\nid: 2\ndata: {\ndata:   \"a\": 1\ndata: }\n\n");
}

Test(sse, crlf_is_one_break_and_lone_cr_is_a_break) {
    expect("e", NULL, "a\r\nb\rc\n\rd",
           "event: e\ndata: a\ndata: b\ndata: c\ndata: \ndata: d\n\n");
}

Test(sse, trailing_and_leading_breaks_keep_their_empty_lines) {
    /* A client joins data lines with LF: "\nx\n" comes back as sent. */
    expect("e", NULL, "\nx\n", "event: e\ndata: \ndata: x\ndata: \n\n");
}

Test(sse, empty_and_null_data_give_one_empty_data_line) {
    /* An event with no data line at all is never dispatched by a client. */
    expect("e", NULL, "", "event: e\ndata: \n\n");
    expect("e", NULL, NULL, "event: e\ndata: \n\n");
}

Test(sse, only_breaks) {
    expect(NULL, NULL, "\r\n\r\n", "data: \ndata: \ndata: \n\n");
}

Test(sse, refuses_line_breaks_in_event_or_id) {
    refuse("a\nb", NULL);
    refuse("a\rb", NULL);
    refuse("e", "1\n");
    refuse("e", "\r1");
}

Test(sse, long_data_is_copied_whole) {
    size_t n = 100000;
    char *data = malloc(n + 1), *want = malloc(n + 32);
    cr_assert(data && want);
    memset(data, 'x', n);
    data[n] = '\0';
    memcpy(want, "event: big\ndata: ", 17);
    memcpy(want + 17, data, n);
    memcpy(want + 17 + n, "\n\n", 3);
    expect("big", NULL, data, want);
    free(data);
    free(want);
}
