/* geodata/csv.c: RFC 4180 records, line numbers, errors naming the line. */
#include "geodata/csv.h"

#include <criterion/criterion.h>
#include <string.h>

static struct csv_reader r;

static void open_text(const char *text) {
    cr_assert_eq(csv_open_buffer(&r, text, strlen(text), "t.csv"), 0);
}

static void done(void) { csv_close(&r); }

TestSuite(csv, .fini = done);

Test(csv, quoted_fields_commas_quotes_and_newlines) {
    open_text("\xEF\xBB\xBF" "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n");
    cr_assert_eq(csv_read_header(&r), 0);
    cr_assert_eq(csv_column(&r, "a"), 0, "BOM must be skipped before the first name");
    cr_assert_eq(csv_column(&r, "c"), 2);
    cr_assert_eq(csv_column(&r, "zz"), -1);
    cr_assert_eq(csv_next(&r), 1);
    cr_assert_eq(r.line, 2);
    cr_assert_eq(r.nfields, 3);
    cr_assert_str_eq(csv_field(&r, 1), "x, y");
    cr_assert_str_eq(csv_field(&r, 2), "say \"hi\"");
    cr_assert_eq(csv_next(&r), 1);
    cr_assert_eq(r.line, 3);
    cr_assert_str_eq(csv_field(&r, 1), "two\nlines");
    cr_assert_str_eq(csv_field(&r, 2), "");
    cr_assert_str_eq(csv_field(&r, 7), "", "a missing field reads as empty");
    cr_assert_eq(csv_next(&r), 0);
}

Test(csv, blank_lines_are_skipped_and_counted) {
    open_text("h\n\n\nx\n\ny");
    cr_assert_eq(csv_read_header(&r), 0);
    cr_assert_eq(csv_next(&r), 1);
    cr_assert_eq(r.line, 4);
    cr_assert_eq(csv_next(&r), 1);
    cr_assert_eq(r.line, 6);
    cr_assert_str_eq(csv_field(&r, 0), "y");
    cr_assert_eq(csv_next(&r), 0);
}

Test(csv, unterminated_quote_names_the_line) {
    open_text("a\nok\n\"never closed\n");
    cr_assert_eq(csv_read_header(&r), 0);
    cr_assert_eq(csv_next(&r), 1);
    cr_assert_eq(csv_next(&r), -1);
    cr_assert(strstr(r.err, "t.csv:3:") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "not closed") != NULL, "%s", r.err);
}

Test(csv, stray_quote_and_nul_are_refused) {
    open_text("a,b\nx\"y,z\n");
    cr_assert_eq(csv_read_header(&r), 0);
    cr_assert_eq(csv_next(&r), -1);
    cr_assert(strstr(r.err, "t.csv:2: stray") != NULL, "%s", r.err);
    csv_close(&r);
    cr_assert_eq(csv_open_buffer(&r, "a\nx\0y\n", 6, "n.csv"), 0);
    cr_assert_eq(csv_read_header(&r), 0);
    cr_assert_eq(csv_next(&r), -1);
    cr_assert(strstr(r.err, "n.csv:2: NUL") != NULL, "%s", r.err);
}

Test(csv, duplicate_header_and_empty_file) {
    open_text("a,b,a\n");
    cr_assert_eq(csv_read_header(&r), -1);
    cr_assert(strstr(r.err, "'a' appears twice") != NULL, "%s", r.err);
    csv_close(&r);
    open_text("");
    cr_assert_eq(csv_read_header(&r), -1);
    cr_assert(strstr(r.err, "empty file") != NULL, "%s", r.err);
}

Test(csv, too_many_fields) {
    char line[CSV_MAX_FIELDS * 2 + 8];
    size_t n = 0;
    for (int i = 0; i <= CSV_MAX_FIELDS; i++) { line[n++] = 'x'; line[n++] = ','; }
    line[n++] = '\n';
    line[n] = '\0';
    open_text(line);
    cr_assert_eq(csv_next(&r), -1);
    cr_assert(strstr(r.err, "more than") != NULL, "%s", r.err);
}

Test(csv, missing_file_names_the_path) {
    cr_assert_eq(csv_open_file(&r, "/nonexistent/dir/x.csv", 1024), -1);
    cr_assert(strstr(r.err, "/nonexistent/dir/x.csv") != NULL, "%s", r.err);
}
