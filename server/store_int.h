/* store_int.h -- for the store*.c files only: the command primitive of
 * store.c, so that each family of keys (waybills in store_waybills.c,
 * webhook subscriptions in store_subs.c) keeps its commands in its own
 * file while one connection, one timeout and one reconnect policy serve
 * them all.  No other file may include this (make check). */
#ifndef DT_STORE_INT_H
#define DT_STORE_INT_H

#include "store.h"

#include <stddef.h>

struct redisReply;

/* Called once per command: STATUS as store.h; REPLY (NULL unless
 * STORE_OK or STORE_ERROR) is valid during the call only. */
typedef void store_reply_fn(int status, const struct redisReply *reply, void *arg);

/* Send ARGV (ARGC strings of LENS bytes); FN is called exactly once,
 * possibly before this returns (STORE_DOWN while not ready). */
void store_command_raw(store_reply_fn *fn, void *arg, int argc, const char **argv,
                       const size_t *lens);

/* The same, answering a store_done_cb (CB may be NULL). */
void store_command_done(store_done_cb *cb, void *arg, int argc, const char **argv,
                        const size_t *lens);

/* The same, for a script answering an integer: 1 (or more) STORE_OK, 0
 * ZERO_STATUS (STORE_CONFLICT or STORE_NOT_FOUND), negative
 * STORE_NOT_FOUND.  CB may be NULL. */
void store_command_int(store_done_cb *cb, void *arg, int zero_status, int argc,
                       const char **argv, const size_t *lens);

/* The same, answering a store_strings_cb with the elements of an array
 * reply (nil elements as ""). */
void store_command_strings(store_strings_cb *cb, void *arg, int argc, const char **argv,
                           const size_t *lens);

#endif
