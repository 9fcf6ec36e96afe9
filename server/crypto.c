/* crypto.c -- thin wrappers over OpenSSL libcrypto. */
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

static void to_hex(const unsigned char *in, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void crypto_sha256_hex(const void *data, size_t len, char out[65]) {
    unsigned char md[32];
    unsigned int mdlen = sizeof(md);
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        memset(md, 0, sizeof(md));   /* cannot happen with a sane libcrypto */
    to_hex(md, 32, out);
}

int crypto_random_hex(size_t nbytes, char *out, size_t outlen) {
    unsigned char buf[64];
    if (nbytes > sizeof(buf) || outlen < 2 * nbytes + 1) return -1;
    if (RAND_bytes(buf, (int)nbytes) != 1) return -1;
    to_hex(buf, nbytes, out);
    return 0;
}

int crypto_equal(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return 0;
    return CRYPTO_memcmp(a, b, la) == 0;
}

uint64_t crypto_fnv1a64(uint64_t h, const void *p, size_t len) {
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}
