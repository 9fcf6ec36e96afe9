/* Helpers shared by the unit tests. */
#ifndef DT_TEST_SUPPORT_H
#define DT_TEST_SUPPORT_H

/* DONGTING_SRC (the source tree, "." when unset) joined with REL, e.g.
 * ut_path("test/fixtures/gtfs/basic").  The result lives in one of a few
 * rotating static buffers: copy it if it must outlive the next calls. */
const char *ut_path(const char *rel);

#endif
