/* Helpers shared by the unit tests. */
#ifndef DT_TEST_SUPPORT_H
#define DT_TEST_SUPPORT_H

/* DONGTING_SRC (the source tree, "." when unset) joined with REL, e.g.
 * ut_path("test/fixtures/gtfs/basic").  The result lives in one of a few
 * rotating static buffers: copy it if it must outlive the next calls. */
const char *ut_path(const char *rel);

#include <stddef.h>

/* The whole file at PATH, NUL-terminated, its length in *LEN (LEN may be
 * NULL); the caller frees it.  A file that cannot be read fails the test. */
char *ut_slurp(const char *path, size_t *len);

#endif
