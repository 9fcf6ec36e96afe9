/* multimap.h -- a string -> pointers multimap (open addressing, linear
 * probing, FNV-1a), the in-memory index of the waybill and customs
 * engines: "n:NUMBER" -> the waybills with that number, "o:EBP:ORDER" ->
 * the declarations of that order, and so on.
 *
 * Keys are copied and stay until mm_free (a key whose last value is
 * removed keeps its slot, so a lookup never walks a tombstone); values are
 * borrowed pointers the caller owns.  A value is held at most once per
 * key. */
#ifndef DT_MULTIMAP_H
#define DT_MULTIMAP_H

#include <stddef.h>

struct mm_slot {
    char *key;                     /* NULL: empty */
    void **v;
    size_t n, cap;
};

struct mmap {
    struct mm_slot *s;
    size_t cap, used;
};

/* The slot of KEY, created (with no values) when CREATE; NULL when absent
 * and not CREATE, or out of memory. */
struct mm_slot *mm_find(struct mmap *m, const char *key, int create);

/* Add V under KEY (no-op when already there).  0 or -1 (out of memory). */
int mm_add(struct mmap *m, const char *key, void *v);

/* Remove V from KEY's values (order not kept). */
void mm_del(struct mmap *m, const char *key, const void *v);

/* The first value under KEY, or NULL. */
void *mm_first(struct mmap *m, const char *key);

/* Free every key and value array; M is empty and reusable after. */
void mm_free(struct mmap *m);

#endif
