/* csv.h -- an RFC 4180 CSV reader that knows the line of every record.
 *
 * Pure C, no I/O library: the data loaders in geodata/ and routing/ read
 * their files through it so that every error can name file and line.
 * Quoted fields may hold commas, doubled quotes and newlines; CRLF and LF
 * both end records; a UTF-8 byte order mark at the start is skipped. */
#ifndef DT_CSV_H
#define DT_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 64
#define CSV_MAX_RECORD (64 * 1024)
#define CSV_ERR_LEN 512

struct csv_reader {
    const char *buf;         /* whole input */
    char *owned;             /* the same, when read from a file */
    size_t len, pos;
    char source[200];        /* file name used in messages */
    int line;                /* line where the current record starts */
    int next_line;
    char *fields[CSV_MAX_FIELDS];
    int nfields;
    char *scratch;           /* unescaped field bytes, CSV_MAX_RECORD */
    char *header[CSV_MAX_FIELDS];
    int nheader;
    char err[CSV_ERR_LEN];
};

/* Read over LEN bytes at BUF (not copied: keep it alive).  0 or -1. */
int csv_open_buffer(struct csv_reader *r, const char *buf, size_t len,
                    const char *source);

/* Read the file at PATH (at most MAXBYTES).  0, or -1 with r->err set. */
int csv_open_file(struct csv_reader *r, const char *path, size_t maxbytes);

/* Read the next record into r->fields / r->nfields.  1 when a record was
 * read, 0 at the end, -1 with r->err = "SOURCE:LINE: reason".  Blank lines
 * are skipped. */
int csv_next(struct csv_reader *r);

/* Read the first record as the header.  0, or -1 with r->err set
 * (empty file, duplicate column). */
int csv_read_header(struct csv_reader *r);

/* Index of header column NAME, or -1. */
int csv_column(const struct csv_reader *r, const char *name);

/* Field I of the current record, "" when the record is shorter. */
const char *csv_field(const struct csv_reader *r, int i);

/* Parse all of S as a finite decimal number within LO..HI.  0 with *out
 * set, or -1 (empty, trailing bytes, out of range, NaN). */
int csv_double(const char *s, double lo, double hi, double *out);

/* Set r->err to "SOURCE:LINE: " + the formatted reason; returns -1. */
int csv_error(struct csv_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Read the header and find the N columns NAMES in it: COL[i] is NAMES[i]'s
 * index.  0, or -1 with r->err naming the first missing column. */
int csv_columns(struct csv_reader *r, const char *const *names, size_t n, int *col);

/* Sort the N rows of SIZE bytes at V with CMP (by the string key at
 * KEY_OFF) and refuse a key that appears twice: 0, or -1 with r->err
 * "SOURCE:LINE: WHAT KEY appears twice (also line L)", LINE the later of
 * the two rows' lines (an int at LINE_OFF; qsort is not stable). */
int csv_sort_unique(struct csv_reader *r, void *v, size_t n, size_t size, size_t key_off,
                    size_t line_off, int (*cmp)(const void *, const void *), const char *what);

void csv_close(struct csv_reader *r);

/* Read a whole table: open PATH (at most MAXBYTES) or, when PATH is NULL,
 * the LEN bytes at BUF named SOURCE, and let ROWS read every record into
 * TABLE.  0, or -1 with ERR = "SOURCE:LINE: reason" after FREE(TABLE). */
typedef int csv_rows_fn(void *table, struct csv_reader *r);
int csv_table(void *table, csv_rows_fn *rows, void (*free_fn)(void *table), const char *path,
              size_t maxbytes, const char *buf, size_t len, const char *source, char *err,
              size_t errlen);

#endif
