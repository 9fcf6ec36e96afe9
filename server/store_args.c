/* store_args.c -- the argv builder and the batched scripts the store*.c
 * files share (store_int.h). */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH STORE_BATCH

int store_args_init(struct store_args *a, size_t n, size_t nbufs) {
    memset(a, 0, sizeof(*a));
    a->v = calloc(n, sizeof(*a->v));
    a->lens = calloc(n, sizeof(*a->lens));
    a->bufs = calloc(nbufs ? nbufs : 1, sizeof(*a->bufs));
    if (!a->v || !a->lens || !a->bufs) {
        free(a->v);
        free(a->lens);
        free(a->bufs);
        return -1;
    }
    return 0;
}

void store_args_free(struct store_args *a) {
    free(a->v);
    free(a->lens);
    free(a->bufs);
}

void store_push(struct store_args *a, const char *s) {
    a->v[a->n] = s ? s : "";
    a->lens[a->n] = strlen(a->v[a->n]);
    a->n++;
}

/* PREFIX then S, in a buffer of A. */
const char *store_mk(struct store_args *a, const char *prefix, const char *s) {
    char *b = a->bufs[a->nbufs++];
    snprintf(b, sizeof(a->bufs[0]), "%s%s", prefix, s);
    return b;
}

const char *store_mkll(struct store_args *a, long long v) {
    char *b = a->bufs[a->nbufs++];
    snprintf(b, sizeof(a->bufs[0]), "%lld", v);
    return b;
}

/* One call made of several scripts: the caller hears once, after the last. */
struct batch {
    store_done_cb *cb;
    void *arg;
    size_t left;
    int first_error;
};

static void batch_done(int status, void *arg) {
    struct batch *b = arg;
    if (status != STORE_OK && b->first_error == STORE_OK) b->first_error = status;
    if (--b->left > 0) return;
    if (b->cb) b->cb(b->first_error, b->arg);
    free(b);
}

static struct batch *batch_new(size_t n, store_done_cb *cb, void *arg) {
    struct batch *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        if (cb) cb(STORE_ERROR, arg);
        return NULL;
    }
    b->cb = cb;
    b->arg = arg;
    b->left = (n + BATCH - 1) / BATCH;
    b->first_error = STORE_OK;
    if (b->left == 0) {
        if (cb) cb(STORE_OK, arg);
        free(b);
        return NULL;
    }
    return b;
}

/* Send N items as scripts of at most BATCH, each SCRIPT with NKEYS_PER
 * keys and at most NARGS_PER arguments (and as many made strings) per
 * item, filled by FILL; cb once after the last (see struct batch). */
void store_send_batches(const char *script, size_t nkeys_per, size_t nargs_per,
                         store_batch_fill_fn *fill, const void *items, size_t n, store_done_cb *cb,
                         void *arg) {
    struct batch *b = batch_new(n, cb, arg);
    if (b == NULL) return;
    for (size_t from = 0; from < n; from += BATCH) {
        size_t m = n - from < BATCH ? n - from : BATCH;
        struct store_args a;
        char nk[16];
        if (store_args_init(&a, 3 + m * (nkeys_per + nargs_per), m * (nkeys_per + 2)) != 0) {
            batch_done(STORE_ERROR, b);
            continue;
        }
        snprintf(nk, sizeof(nk), "%zu", nkeys_per * m);
        store_push(&a, "EVAL");
        store_push(&a, script);
        store_push(&a, nk);
        fill(&a, items, from, m);
        store_command_done(batch_done, b, a.n, a.v, a.lens);
        store_args_free(&a);
    }
}

