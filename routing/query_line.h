/* query_line.h -- one query line of bin/dongting-route (issue 4):
 * FROM_STOP_ID \t TO_STOP_ID \t YYYY-MM-DD \t DEPART_SECONDS. */
#ifndef DT_QUERY_LINE_H
#define DT_QUERY_LINE_H

#include <stddef.h>
#include <stdint.h>

struct rt_query_line {
    const char *from, *to, *date; /* point into the parsed line */
    int32_t days;                 /* DATE as days since 1970-01-01 */
    int64_t secs;                 /* DEPART_SECONDS */
};

/* Split LINE (NUL-terminated, no newline; modified in place) and check its
 * fields.  0, or -1 with the reason in WHY (field count, date, seconds).
 * Stop ids are not looked up here. */
int rt_query_line_parse(char *line, struct rt_query_line *q, char *why, size_t whylen);

#endif
