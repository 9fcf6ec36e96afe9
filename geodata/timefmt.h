/* timefmt.h -- ISO 8601 instants as the API and the carrier feeds read and
 * write them: "2026-11-27T08:00:00+08:00", "2026-11-27T00:00Z".  In
 * geodata/, the bottom layer, so that routing/, carriers/ and server/ share
 * one parser. */
#ifndef DT_TIMEFMT_H
#define DT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Parse YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z or +HH:MM / -HH:MM (an
 * offset is required: a time without one names no instant).  0 with *utc
 * (Unix seconds, fractions dropped), or -1 with a reason in why. */
int time_parse_iso8601(const char *s, int64_t *utc, char *why, size_t whylen);

/* The same, also giving the offset the text was written in (seconds east
 * of UTC) in *OFFSET_S when OFFSET_S is not NULL. */
int time_parse_iso8601_off(const char *s, int64_t *utc, int *offset_s, char *why,
                           size_t whylen);

/* Write UTC as local time at OFFSET_S seconds east: "2026-11-27T16:00:00+08:00"
 * ("Z" when the offset is 0).  BUF needs 26 bytes. */
void time_format_iso8601(int64_t utc, int offset_s, char *buf, size_t len);

/* Parse a window length: whole seconds ("86400") or an ISO 8601 duration
 * of days, hours, minutes, seconds ("P2D", "PT12H", "P1DT6H30M").  0 with
 * *secs, or -1 with a reason in why. */
int time_parse_duration(const char *s, int64_t *secs, char *why, size_t whylen);

#endif
