/* multimap.c -- see multimap.h. */
#include "multimap.h"

#include <stdlib.h>
#include <string.h>

static size_t mm_hash(const char *k) {
    size_t h = 1469598103934665603ull;
    while (*k) h = (h ^ (unsigned char)*k++) * 1099511628211ull;
    return h;
}

struct mm_slot *mm_find(struct mmap *m, const char *key, int create) {
    if (m->cap == 0 || (create && (m->used + 1) * 2 > m->cap)) {
        if (!create) return NULL;
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        struct mm_slot *ns = calloc(ncap, sizeof(*ns));
        if (ns == NULL) return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (m->s[i].key == NULL) continue;
            size_t h = mm_hash(m->s[i].key) & (ncap - 1);
            while (ns[h].key) h = (h + 1) & (ncap - 1);
            ns[h] = m->s[i];
        }
        free(m->s);
        m->s = ns;
        m->cap = ncap;
    }
    size_t h = mm_hash(key) & (m->cap - 1);
    while (m->s[h].key) {
        if (strcmp(m->s[h].key, key) == 0) return &m->s[h];
        h = (h + 1) & (m->cap - 1);
    }
    if (!create) return NULL;
    if ((m->s[h].key = strdup(key)) == NULL) return NULL;
    m->used++;
    return &m->s[h];
}

int mm_add(struct mmap *m, const char *key, void *v) {
    struct mm_slot *s = mm_find(m, key, 1);
    if (s == NULL) return -1;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == v) return 0;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 2;
        void **nv = realloc(s->v, nc * sizeof(*nv));
        if (nv == NULL) return -1;
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = v;
    return 0;
}

void mm_del(struct mmap *m, const char *key, const void *v) {
    struct mm_slot *s = mm_find(m, key, 0);
    if (s == NULL) return;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == v) {
            s->v[i] = s->v[--s->n];
            return;
        }
}

void mm_free(struct mmap *m) {
    for (size_t i = 0; i < m->cap; i++) {
        free(m->s[i].key);
        free(m->s[i].v);
    }
    free(m->s);
    memset(m, 0, sizeof(*m));
}

void *mm_first(struct mmap *m, const char *key) {
    struct mm_slot *s = mm_find(m, key, 0);
    return s && s->n ? s->v[0] : NULL;
}
