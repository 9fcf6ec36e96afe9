/* multimap.c: keys copied, values held once per key, removal, growth past
 * the first table (1024 slots) with every key still found. */
#include "server/multimap.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

Test(multimap, add_find_remove) {
    struct mmap m = {0};
    int a, b, c;
    char key[16] = "n:YYBL1";
    cr_assert_null(mm_find(&m, "n:YYBL1", 0));
    cr_assert_null(mm_first(&m, "n:YYBL1"));
    cr_assert_eq(mm_add(&m, key, &a), 0);
    key[0] = 'x'; /* the key was copied */
    cr_assert_eq(mm_first(&m, "n:YYBL1"), &a);
    cr_assert_eq(mm_add(&m, "n:YYBL1", &b), 0);
    cr_assert_eq(mm_add(&m, "n:YYBL1", &a), 0); /* held once */
    struct mm_slot *s = mm_find(&m, "n:YYBL1", 0);
    cr_assert_eq(s->n, 2);
    mm_del(&m, "n:YYBL1", &a);
    cr_assert_eq(s->n, 1);
    cr_assert_eq(s->v[0], &b);
    mm_del(&m, "n:YYBL1", &c);  /* not there: nothing happens */
    mm_del(&m, "nokey", &c);
    cr_assert_eq(s->n, 1);
    mm_del(&m, "n:YYBL1", &b);
    cr_assert_null(mm_first(&m, "n:YYBL1")); /* the key stays, empty */
    cr_assert_not_null(mm_find(&m, "n:YYBL1", 0));
    mm_free(&m);
    cr_assert_eq(m.cap, 0);
    cr_assert_null(mm_find(&m, "n:YYBL1", 0));
}

Test(multimap, grows_and_keeps_every_key) {
    struct mmap m = {0};
    static int v[5000];
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "c:CSQU%07d", i);
        cr_assert_eq(mm_add(&m, key, &v[i]), 0);
    }
    cr_assert_geq(m.cap, 10000); /* kept at most half full */
    cr_assert_eq(m.used, 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "c:CSQU%07d", i);
        cr_assert_eq(mm_first(&m, key), &v[i], "%s", key);
    }
    mm_free(&m);
}
