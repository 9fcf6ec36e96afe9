/* route_params.h -- the string-level parsers of GET /v1/routes' query
 * parameters (modes=, the freight overrides cutoff_h= handling_h=
 * release_h= customs_h=, and the plain numbers).  No HTTP: api_routes.c
 * fetches each value and answers 400 with the message these write;
 * test/fuzz/fuzz_route_params.c runs them alone. */
#ifndef DT_ROUTE_PARAMS_H
#define DT_ROUTE_PARAMS_H

#include "routing/freight.h"

#include <stddef.h>

/* A finite number in [LO, HI] for parameter NAME from VALUE into *OUT.
 * 0, or -1 with ERR naming NAME and the value (*OUT untouched). */
int route_params_number(const char *name, const char *value, double lo, double hi,
                        double *out, char *err, size_t errlen);

/* modes=sea,rail,...: the bits 1 << enum rt_fmode of VALUE into *MASK
 * (0 when VALUE is NULL).  0; -1 with ERR naming the bad mode; -2 out of
 * memory (ERR says so). */
int route_params_modes(const char *value, unsigned *mask, char *err, size_t errlen);

/* Freight time override NAME ("cutoff_h", "release_h", "customs_h" as
 * "MODE:HOURS,..."; "handling_h" as "FROM-TO:HOURS,...") from VALUE into O,
 * hours 0..RT_FREIGHT_MAX_HOURS stored as seconds.  Entries before a bad
 * one are already stored.  0; -1 with ERR naming NAME and the bad entry; -2
 * out of memory (ERR says so). */
int route_params_override(const char *name, const char *value,
                          struct rt_freight_override *o, char *err, size_t errlen);

#endif
