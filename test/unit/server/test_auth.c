/* Tests for the API key format in server/auth.c: auth_new_key and
 * auth_key_id ("dt_" + 16 hex id + "_" + 64 hex secret). */
#include "server/auth.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define KEY_LEN 84

/* A well-formed key with a known id and secret. */
static const char good_key[] =
    "dt_0123456789abcdef_"
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static int key_id(const char *key, char id[17]) {
    memset(id, 'X', 17);
    return auth_key_id(key, id, 17);
}

static int is_lower_hex(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

Test(auth, known_key_gives_its_id) {
    char id[17];
    cr_assert_eq(strlen(good_key), KEY_LEN);
    cr_assert_eq(key_id(good_key, id), 0);
    cr_assert_str_eq(id, "0123456789abcdef");
}

Test(auth, new_key_is_well_formed) {
    char key[128], id[40], parsed[17];
    memset(key, 'Z', sizeof(key));
    memset(id, 'Z', sizeof(id));
    cr_assert_eq(auth_new_key(key, sizeof(key), id, sizeof(id)), 0);
    cr_assert_eq(strlen(key), KEY_LEN, "key '%s'", key);
    cr_assert_eq(strncmp(key, "dt_", 3), 0);
    cr_assert_eq(key[19], '_');
    cr_assert_eq(strlen(id), 16);
    cr_assert(is_lower_hex(id, 16), "id '%s'", id);
    cr_assert(is_lower_hex(key + 20, 64), "secret of '%s'", key);
    cr_assert_eq(strncmp(key + 3, id, 16), 0, "key '%s' id '%s'", key, id);
    cr_assert_eq(key_id(key, parsed), 0, "auth_key_id refused '%s'", key);
    cr_assert_str_eq(parsed, id);
}

Test(auth, exact_buffers_are_enough) {
    char key[KEY_LEN + 1], id[17];
    cr_assert_eq(auth_new_key(key, sizeof(key), id, sizeof(id)), 0);
    cr_assert_eq(strlen(key), KEY_LEN);
    cr_assert_eq(strlen(id), 16);
}

Test(auth, small_buffers_refused) {
    char key[128], id[40];
    cr_assert_eq(auth_new_key(key, KEY_LEN, id, sizeof(id)), -1);
    cr_assert_eq(auth_new_key(key, sizeof(key), id, 16), -1);
    cr_assert_eq(auth_key_id(good_key, id, 16), -1);
}

Test(auth, two_new_keys_differ) {
    char k1[128], k2[128], id1[40], id2[40];
    cr_assert_eq(auth_new_key(k1, sizeof(k1), id1, sizeof(id1)), 0);
    cr_assert_eq(auth_new_key(k2, sizeof(k2), id2, sizeof(id2)), 0);
    cr_assert_str_neq(k1, k2);
    cr_assert_str_neq(id1, id2);
    cr_assert_neq(memcmp(k1 + 20, k2 + 20, 64), 0, "secrets are equal");
}

/* Replace byte AT of the good key with C and expect a refusal. */
static void refuse_with(size_t at, char c) {
    char key[sizeof(good_key)], id[17];
    memcpy(key, good_key, sizeof(good_key));
    key[at] = c;
    cr_assert_eq(key_id(key, id), -1, "accepted '%s'", key);
}

Test(auth, refuses_malformed_keys) {
    char key[200], id[17];

    refuse_with(0, 'D');  /* "Dt_" */
    refuse_with(1, 'x');  /* "dx_" */
    refuse_with(2, '-');  /* "dt-" */
    refuse_with(19, 'a'); /* no underscore between id and secret */
    refuse_with(19, '-');
    refuse_with(3, 'A'); /* uppercase hex in the id */
    refuse_with(18, 'F');
    refuse_with(20, 'A'); /* uppercase hex in the secret */
    refuse_with(83, 'E');
    refuse_with(10, 'g'); /* not hex */
    refuse_with(50, 'z');
    refuse_with(30, ' ');

    /* One byte short, one byte long. */
    memcpy(key, good_key, KEY_LEN - 1);
    key[KEY_LEN - 1] = '\0';
    cr_assert_eq(key_id(key, id), -1);
    snprintf(key, sizeof(key), "%s0", good_key);
    cr_assert_eq(key_id(key, id), -1);
    /* The id a byte longer and the secret a byte shorter: same total length. */
    snprintf(key, sizeof(key), "dt_0123456789abcdef0_%.63s", good_key + 20);
    cr_assert_eq(strlen(key), KEY_LEN);
    cr_assert_eq(key_id(key, id), -1);
    cr_assert_eq(key_id("", id), -1);
    cr_assert_eq(key_id("dt_", id), -1);
    cr_assert_eq(key_id("Bearer dt_0123456789abcdef_", id), -1);
}
