/* rail_events.h -- "rail-events": China-Europe rail events in DCSA's
 * shape (a JSON array of event objects; docs/rail-events.md defines the
 * format) into canonical carrier events, mode RAIL. */
#ifndef DT_CARRIER_RAIL_EVENTS_H
#define DT_CARRIER_RAIL_EVENTS_H

#include "carriers/event.h"

#include <stddef.h>
#include <stdint.h>

/* Parse LEN bytes at BODY (need not end in a NUL) received at Unix time
 * RECEIVED: a JSON array of events, or one event object.  Each accepted
 * event is appended to OUT, each refused one to OUT's rejects with its
 * index in the array and a reason "[3].trainNumber: ...".  0 when the body
 * is readable JSON of that shape, -1 when it is not (ERR says why and at
 * which byte), when it holds more than CARRIER_MAX_EVENTS events, or when
 * memory runs out (OUT may then hold part of the body: free it). */
int carrier_rail_events_parse(const char *body, size_t len, int64_t received,
                              struct carrier_batch *out, char *err, size_t errlen);

/* 1 when S is a 12-digit UIC wagon number whose last digit is the
 * self-check digit over the first eleven (weights 2,1,2,1... from the
 * left, digits of the products summed, check = (10 - sum mod 10) mod 10). */
int carrier_uic_wagon_valid(const char *s);

#endif
