/* Tests for server/crypto.c: SHA-256 against FIPS 180-2 vectors, random hex
 * tokens, constant-time equality. */
#include "server/crypto.h"

#include <criterion/criterion.h>
#include <string.h>

static void sha(const char *s, char out[65]) {
    memset(out, 'X', 65);
    crypto_sha256_hex(s, strlen(s), out);
}

Test(crypto, sha256_fips_vectors) {
    char out[65];
    sha("abc", out);
    cr_assert_str_eq(
        out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha("", out);
    cr_assert_str_eq(
        out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", out);
    cr_assert_str_eq(
        out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(crypto, sha256_uses_len_not_nul) {
    static const char data[] = {'a', 'b', 'c', '\0', 'd'};
    char out[65], abc[65];
    memset(out, 'X', sizeof(out));
    crypto_sha256_hex(data, 3, out);
    sha("abc", abc);
    cr_assert_str_eq(out, abc);
    crypto_sha256_hex(data, sizeof(data), out);
    cr_assert_str_neq(out, abc);
    cr_assert_eq(strlen(out), 64);
}

static int is_lower_hex(const char *s) {
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return 0;
    return 1;
}

Test(crypto, random_hex_lengths) {
    static const size_t sizes[] = {0, 1, 8, 16, 32, 64};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char out[200];
        size_t n = sizes[i];
        memset(out, 'X', sizeof(out));
        cr_assert_eq(crypto_random_hex(n, out, 2 * n + 1), 0, "n=%zu", n);
        cr_assert_eq(strlen(out), 2 * n, "n=%zu gave '%s'", n, out);
        cr_assert(is_lower_hex(out), "n=%zu gave '%s'", n, out);
        cr_assert_eq(out[2 * n + 1], 'X', "n=%zu wrote past its buffer", n);
    }
}

Test(crypto, random_hex_refuses_small_buffer) {
    char out[200];
    memset(out, 'X', sizeof(out));
    cr_assert_eq(crypto_random_hex(16, out, 32), -1);
    cr_assert_eq(out[0], 'X', "wrote into a buffer it refused");
    cr_assert_eq(crypto_random_hex(1, out, 2), -1);
    cr_assert_eq(crypto_random_hex(0, out, 0), -1);
    cr_assert_eq(crypto_random_hex(65, out, sizeof(out)), -1); /* over 64 bytes */
    cr_assert_eq(out[0], 'X');
}

Test(crypto, random_hex_differs) {
    char a[65], b[65];
    cr_assert_eq(crypto_random_hex(32, a, sizeof(a)), 0);
    cr_assert_eq(crypto_random_hex(32, b, sizeof(b)), 0);
    cr_assert_str_neq(a, b);
}

Test(crypto, equal) {
    cr_assert_eq(crypto_equal("", ""), 1);
    cr_assert_eq(crypto_equal("secret", "secret"), 1);
    cr_assert_eq(crypto_equal("secret", "secreT"), 0);
    cr_assert_eq(crypto_equal("secret", "Secret"), 0);
    cr_assert_eq(crypto_equal("secret", "secre"), 0);
    cr_assert_eq(crypto_equal("secre", "secret"), 0);
    cr_assert_eq(crypto_equal("", "a"), 0);
}

/* Published FNV-1a 64 vectors: "" is the offset basis, "a" and "foobar". */
Test(crypto, fnv1a64_known_vectors) {
    cr_assert_eq(crypto_fnv1a64(CRYPTO_FNV64_OFFSET, "", 0), 0xcbf29ce484222325ull);
    cr_assert_eq(crypto_fnv1a64(CRYPTO_FNV64_OFFSET, "a", 1), 0xaf63dc4c8601ec8cull);
    cr_assert_eq(crypto_fnv1a64(CRYPTO_FNV64_OFFSET, "foobar", 6), 0x85944171f73967e8ull);
    /* continuing is the same as hashing the whole */
    cr_assert_eq(crypto_fnv1a64(crypto_fnv1a64(CRYPTO_FNV64_OFFSET, "foo", 3), "bar", 3),
                 0x85944171f73967e8ull);
}
