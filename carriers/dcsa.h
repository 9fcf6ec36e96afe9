/* dcsa.h -- DCSA Track & Trace events (format "dcsa-tnt") turned into
 * canonical carrier events (carriers/event.h), and the check of a DCSA
 * subscription callback's Notification-Signature.
 *
 * Reads TnT 2.2 events (flat: eventType, transportEventTypeCode...) and
 * TnT 3.0 events (eventClassification, transportDetails, equipmentDetails,
 * shipmentDetails; the 3.0 beta's metadata/payload halves too), as a JSON
 * array, a single event object, or {"events": [...]}.  docs/feed-dcsa.md
 * has the mapping and what is refused. */
#ifndef DT_CARRIER_DCSA_H
#define DT_CARRIER_DCSA_H

#include "carriers/event.h"

#include <stddef.h>
#include <stdint.h>

#define CARRIER_DCSA_SOURCE "dcsa-tnt"
#define CARRIER_DCSA_MAX_BODY (16u << 20) /* bytes; a larger body is refused */
#define CARRIER_DCSA_MAX_DEPTH 32         /* JSON nesting; DCSA needs about 7 */

/* Parse BODY (LEN raw bytes, not NUL-terminated) that arrived at RECEIVED
 * (Unix seconds; 0 skips the checks against the clock) and append each
 * event to OUT, accepted to out->ev or refused to out->rej with a reason
 * that starts with the event's JSON path ("$[2].eventDateTime: ...").
 * out->total grows by the number of events in the body.  Returns 0 when
 * the body could be read, -1 when nothing in it can be (ERR says why and
 * at which byte); OUT keeps what it held before either way. */
int carrier_dcsa_parse(const char *body, size_t len, int64_t received,
                       struct carrier_batch *out, char *err, size_t errlen);

/* 1 when HEADER, the value of a DCSA "Notification-Signature" header
 * ("sha256=<64 hex digits>", spaces around it allowed), is the HMAC-SHA256
 * of BODY (LEN bytes, exactly as received) under SECRET (SECRETLEN bytes:
 * the subscription's secret already decoded from base64); 0 otherwise,
 * also for an empty secret or a NULL argument.  Compares in constant time. */
int carrier_dcsa_signature_ok(const char *body, size_t len, const char *secret,
                              size_t secretlen, const char *header);

#endif
