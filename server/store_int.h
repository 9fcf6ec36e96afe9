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

/* ---- building a command (store_args.c) ---- */

#define STORE_BATCH 500 /* items per script: store_send_batches, loads */

/* argv/lens arrays for a command of up to N arguments, and NBUFS buffers
 * for the keys and numbers made with store_mk / store_mkll, freed
 * together. */
struct store_args {
    const char **v;
    size_t *lens;
    char (*bufs)[160];   /* keys and numbers made here */
    int n, nbufs;
};

int store_args_init(struct store_args *a, size_t n, size_t nbufs);
void store_args_free(struct store_args *a);

/* Append S (NULL as "") to A's argv. */
void store_push(struct store_args *a, const char *s);

/* PREFIX then S (or the number V), in one of A's buffers (159 bytes at
 * most: longer is cut). */
const char *store_mk(struct store_args *a, const char *prefix, const char *s);
const char *store_mkll(struct store_args *a, long long v);

/* Items FROM .. FROM+M of a batched call into A: keys, then arguments. */
typedef void store_batch_fill_fn(struct store_args *a, const void *items, size_t from, size_t m);

/* Send N items as EVALs of SCRIPT, at most 500 items each, with NKEYS_PER
 * keys and at most NARGS_PER arguments (and NKEYS_PER + 2 made strings)
 * per item, filled by FILL; cb once after the last script answered, with
 * the first failure or STORE_OK (at once when N is 0; CB may be NULL). */
void store_send_batches(const char *script, size_t nkeys_per, size_t nargs_per,
                        store_batch_fill_fn *fill, const void *items, size_t n,
                        store_done_cb *cb, void *arg);

#endif
