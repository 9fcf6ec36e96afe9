/* crypto.h -- hashing, random tokens and constant-time comparison
 * (OpenSSL libcrypto). */
#ifndef DT_CRYPTO_H
#define DT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* SHA-256 of DATA as 64 lowercase hex digits plus NUL in out[65]. */
void crypto_sha256_hex(const void *data, size_t len, char out[65]);

/* NBYTES random bytes as 2*NBYTES hex digits plus NUL in out.  0 or -1. */
int crypto_random_hex(size_t nbytes, char *out, size_t outlen);

/* 1 if the two NUL-terminated strings are equal, in time independent of
 * where they differ (lengths may leak). */
int crypto_equal(const char *a, const char *b);

/* FNV-1a 64 of LEN bytes at P, continuing from H (start from
 * CRYPTO_FNV64_OFFSET).  Not cryptographic: version tags of loaded data
 * (timetable, router) in cache keys. */
#define CRYPTO_FNV64_OFFSET 14695981039346656037ull
uint64_t crypto_fnv1a64(uint64_t h, const void *p, size_t len);

#endif
