/* cargo_imp.h -- IATA Cargo-IMP status messages (FSU, FSA) as text, the
 * "iata-cargo-imp" feed format (docs/feed-iata.md), and the IATA status
 * code table that carriers/one_record.c shares. */
#ifndef DT_CARRIER_CARGO_IMP_H
#define DT_CARRIER_CARGO_IMP_H

#include "carriers/event.h"

#include <stddef.h>
#include <stdint.h>

/* Parse BODY (LEN bytes, not NUL-terminated): one or more FSU/FSA messages,
 * each optionally in a Type-B envelope, separated by a line of '=' or by
 * the next envelope or FSU/FSA line; CRLF or LF.  Every status line becomes
 * an event in OUT or a reject (index = the status line's ordinal in the
 * body, 0-based).  Dates carry no year: the one nearest RECEIVED is taken.
 * 0, or -1 with the reason in ERR when the body holds no FSU/FSA message
 * at all (or a NUL byte). */
int carrier_cargo_imp_parse(const char *body, size_t len, int64_t received,
                            struct carrier_batch *out, char *err, size_t errlen);

/* The canonical status and classifier of the IATA status code CODE3
 * ("DEP", "BKD"...).  0, or -1 when CODE3 is not a status event code
 * (unknown, or an information line such as OCI/OSI). */
int carrier_iata_status(const char *code3, enum carrier_status *st,
                        enum carrier_classifier *cls);

#endif
