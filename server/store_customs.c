/* store_customs.c -- the Redis commands of the customs engine (keys:
 * store_customs.h, docs/redis-keys.md).  Every key carries the hash tag
 * {cu}, so each script touches one slot. */
#include "store_customs.h"
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char all_key[] = "cu:{cu}:all";
static const char msg_key[] = "cu:{cu}:msg";
static const char alerts_key[] = "cu:{cu}:alerts";
static const char neg_key[] = "cu:{cu}:neg";
static const char audit_key[] = "cu:{cu}:audit";

/* KEYS: msg, all, then d:ID, h:ID per declaration; ARGV: guid, answer,
 * then id, rec, hist per declaration. */
static const char declare_lua[] =
    "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end "
    "local ai = 3 "
    "for ki = 3, #KEYS, 2 do "
    " redis.call('SET', KEYS[ki], ARGV[ai + 1]) "
    " redis.call('RPUSH', KEYS[ki + 1], ARGV[ai + 2]) "
    " redis.call('SADD', KEYS[2], ARGV[ai]) "
    " ai = ai + 3 "
    "end "
    "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
    "return 1";

void store_cu_declare(const struct store_cu_decl *v, size_t n, const char *guid,
                      const char *answer, store_done_cb *cb, void *arg) {
    struct store_args a;
    if (store_args_init(&a, 7 + n * 5, 2 * n + 1) != 0) {
        cb(STORE_ERROR, arg);
        return;
    }
    char nk[16];
    snprintf(nk, sizeof(nk), "%zu", 2 + 2 * n);
    store_push(&a, "EVAL");
    store_push(&a, declare_lua);
    store_push(&a, nk);
    store_push(&a, msg_key);
    store_push(&a, all_key);
    for (size_t i = 0; i < n; i++) {
        store_push(&a, store_mk(&a, "cu:{cu}:d:", v[i].id));
        store_push(&a, store_mk(&a, "cu:{cu}:h:", v[i].id));
    }
    store_push(&a, guid);
    store_push(&a, answer);
    for (size_t i = 0; i < n; i++) {
        store_push(&a, v[i].id);
        store_push(&a, v[i].rec);
        store_push(&a, v[i].hist);
    }
    store_command_int(cb, arg, STORE_CONFLICT, a.n, a.v, a.lens);
    store_args_free(&a);
}

static const char recs_put_lua[] =
    "for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[i]) end return 1";

static void fill_recs(struct store_args *a, const void *items, size_t from, size_t m) {
    const struct store_cu_decl *v = items;
    for (size_t i = 0; i < m; i++) store_push(a, store_mk(a, "cu:{cu}:d:", v[from + i].id));
    for (size_t i = 0; i < m; i++) store_push(a, v[from + i].rec);
}

void store_cu_recs_put(const struct store_cu_decl *v, size_t n, store_done_cb *cb, void *arg) {
    store_send_batches(recs_put_lua, 1, 1, fill_recs, v, n, cb, arg);
}

/* A command of fixed words. */
static void words(store_strings_cb *cb, void *arg, int argc, const char **argv) {
    size_t lens[8];
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    store_command_strings(cb, arg, argc, argv, lens);
}

void store_cu_ids(store_strings_cb *cb, void *arg) {
    const char *argv[] = {"SMEMBERS", all_key};
    words(cb, arg, 2, argv);
}

static const char recs_lua[] =
    "local out = {} "
    "for i = 1, #ARGV do out[i] = redis.call('GET', 'cu:{cu}:d:' .. ARGV[i]) or '' end "
    "return out";

void store_cu_recs(const char *const *ids, size_t n, store_strings_cb *cb, void *arg) {
    struct store_args a;
    if (n > STORE_BATCH || store_args_init(&a, n + 3, 1) != 0) {
        cb(STORE_ERROR, NULL, NULL, 0, arg);
        return;
    }
    store_push(&a, "EVAL");
    store_push(&a, recs_lua);
    store_push(&a, "0");
    for (size_t i = 0; i < n; i++) store_push(&a, ids[i]);
    store_command_strings(cb, arg, a.n, a.v, a.lens);
    store_args_free(&a);
}

void store_cu_history(const char *id, store_strings_cb *cb, void *arg) {
    char key[200];
    snprintf(key, sizeof(key), "cu:{cu}:h:%s", id);
    const char *argv[] = {"LRANGE", key, "0", "-1"};
    words(cb, arg, 4, argv);
}

void store_cu_messages(store_strings_cb *cb, void *arg) {
    const char *argv[] = {"HGETALL", msg_key};
    words(cb, arg, 2, argv);
}

static const char alerts_put_lua[] =
    "for i = 1, #KEYS do "
    " redis.call('SET', KEYS[i], ARGV[3*i - 1]) "
    " redis.call('ZADD', 'cu:{cu}:alerts', 'NX', ARGV[3*i], ARGV[3*i - 2]) "
    "end return 1";

static void fill_alerts(struct store_args *a, const void *items, size_t from, size_t m) {
    const struct store_cu_alert *v = items;
    for (size_t i = 0; i < m; i++) store_push(a, store_mk(a, "cu:{cu}:a:", v[from + i].id));
    for (size_t i = 0; i < m; i++) {
        store_push(a, v[from + i].id);
        store_push(a, v[from + i].json);
        store_push(a, store_mkll(a, (long long)v[from + i].score));
    }
}

void store_cu_alerts_put(const struct store_cu_alert *v, size_t n, store_done_cb *cb, void *arg) {
    store_send_batches(alerts_put_lua, 1, 3, fill_alerts, v, n, cb, arg);
}

static const char alerts_load_lua[] =
    "local ids = redis.call('ZRANGE', KEYS[1], 0, -1) "
    "local out = {} "
    "for i = 1, #ids do "
    " out[#out + 1] = ids[i] "
    " out[#out + 1] = redis.call('GET', 'cu:{cu}:a:' .. ids[i]) or '' "
    "end return out";

void store_cu_alerts_load(store_strings_cb *cb, void *arg) {
    const char *argv[] = {"EVAL", alerts_load_lua, "1", alerts_key};
    words(cb, arg, 4, argv);
}

void store_cu_neg_set(const char *code, const char *json, store_done_cb *cb, void *arg) {
    const char *argv[4] = {json ? "HSET" : "HDEL", neg_key, code, json};
    size_t lens[4];
    int argc = json ? 4 : 3;
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    store_command_done(cb, arg, argc, argv, lens);
}

void store_cu_neg_load(store_strings_cb *cb, void *arg) {
    const char *argv[] = {"HGETALL", neg_key};
    words(cb, arg, 2, argv);
}

void store_cu_audit(const char *const *fv, size_t nfv, long maxlen, store_done_cb *cb, void *arg) {
    struct store_args a;
    if (store_args_init(&a, nfv + 6, 1) != 0) {
        if (cb) cb(STORE_ERROR, arg);
        return;
    }
    store_push(&a, "XADD");
    store_push(&a, audit_key);
    store_push(&a, "MAXLEN");
    store_push(&a, "~");
    store_push(&a, store_mkll(&a, maxlen));
    store_push(&a, "*");
    for (size_t i = 0; i < nfv; i++) store_push(&a, fv[i]);
    store_command_done(cb, arg, a.n, a.v, a.lens);
    store_args_free(&a);
}
