/* store_subs.c -- the Redis commands of webhook subscriptions
 * (store_subs.h).  Every key carries the hash tag {wh}, so one script may
 * touch a subscription's hash, its dead letters and the set of ids. */
#include "store_int.h"
#include "store_subs.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUB_KEY(buf, id) snprintf(buf, sizeof(buf), "wh:{wh}:sub:%s", id)
#define DEAD_KEY(buf, id) snprintf(buf, sizeof(buf), "wh:{wh}:dead:%s", id)
static const char subs_key[] = "wh:{wh}:subs";

/* KEYS: sub hash, set, dead list; ARGV: id, field/value pairs. */
static const char put_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end "
    "redis.call('HSET', KEYS[1], unpack(ARGV, 2)) "
    "redis.call('SADD', KEYS[2], ARGV[1]) return 1";

static const char delete_lua[] =
    "local n = redis.call('DEL', KEYS[1]) redis.call('DEL', KEYS[3]) "
    "redis.call('SREM', KEYS[2], ARGV[1]) return n";

/* Every subscription as {id, field, value, ...} arrays. */
static const char load_lua[] =
    "local out = {} for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
    "local h = redis.call('HGETALL', 'wh:{wh}:sub:' .. id) "
    "if #h > 0 then table.insert(h, 1, id) table.insert(out, h) end end return out";

static const char count_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end "
    "redis.call('HINCRBY', KEYS[1], 'delivered', ARGV[1]) "
    "redis.call('HINCRBY', KEYS[1], 'failed', ARGV[2]) "
    "redis.call('HINCRBY', KEYS[1], 'dead', ARGV[3]) return 1";

static const char dead_lua[] =
    "redis.call('LPUSH', KEYS[1], ARGV[1]) redis.call('LTRIM', KEYS[1], 0, ARGV[2] - 1) "
    "return 1";

void store_sub_put(const struct store_sub *s, store_done_cb *cb, void *arg) {
    char key[96], dead[96], created[24], d[24], f[24], x[24];
    const char *argv[32];
    size_t lens[32];
    int n = 0;

    SUB_KEY(key, s->id);
    DEAD_KEY(dead, s->id);
    snprintf(created, sizeof(created), "%lld", s->created);
    snprintf(d, sizeof(d), "%llu", s->delivered);
    snprintf(f, sizeof(f), "%llu", s->failed);
    snprintf(x, sizeof(x), "%llu", s->dead);
    argv[n++] = "EVAL";
    argv[n++] = put_lua;
    argv[n++] = "3";
    argv[n++] = key;
    argv[n++] = subs_key;
    argv[n++] = dead;
    argv[n++] = s->id;
    argv[n++] = "tenant";       argv[n++] = s->tenant;
    argv[n++] = "role";         argv[n++] = s->role;
    argv[n++] = "callback_url"; argv[n++] = s->callback_url;
    argv[n++] = "secret";       argv[n++] = s->secret;
    argv[n++] = "filters";      argv[n++] = s->filters != NULL ? s->filters : "{}";
    argv[n++] = "created";      argv[n++] = created;
    argv[n++] = "delivered";    argv[n++] = d;
    argv[n++] = "failed";       argv[n++] = f;
    argv[n++] = "dead";         argv[n++] = x;
    for (int i = 0; i < n; i++) lens[i] = strlen(argv[i]);
    store_command_int(cb, arg, STORE_CONFLICT, n, argv, lens);
}

void store_sub_delete(const char *id, store_done_cb *cb, void *arg) {
    char key[96], dead[96];
    const char *argv[7];
    size_t lens[7];

    SUB_KEY(key, id);
    DEAD_KEY(dead, id);
    argv[0] = "EVAL";
    argv[1] = delete_lua;
    argv[2] = "3";
    argv[3] = key;
    argv[4] = subs_key;
    argv[5] = dead;
    argv[6] = id;
    for (int i = 0; i < 7; i++) lens[i] = strlen(argv[i]);
    store_command_int(cb, arg, STORE_NOT_FOUND, 7, argv, lens);
}

static unsigned long long ull(const char *s) { return strtoull(s, NULL, 10); }

/* Fill S from one {id, field, value...} array; 0, or -1 if a required
 * field is missing or too long. */
static int sub_from_reply(const struct redisReply *a, struct store_sub *s) {
    int have = 0;
    memset(s, 0, sizeof(*s));
    if (a->type != REDIS_REPLY_ARRAY || a->elements < 1 ||
        a->element[0]->type != REDIS_REPLY_STRING ||
        (size_t)a->element[0]->len >= sizeof(s->id))
        return -1;
    memcpy(s->id, a->element[0]->str, (size_t)a->element[0]->len);
    for (size_t i = 1; i + 1 < a->elements; i += 2) {
        const struct redisReply *k = a->element[i], *v = a->element[i + 1];
        const char *f, *val;
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        f = k->str;
        val = v->str;
#define COPY(field, bit)                                                               \
    do {                                                                               \
        if ((size_t)v->len >= sizeof(s->field)) return -1;                             \
        memcpy(s->field, val, (size_t)v->len);                                         \
        s->field[v->len] = '\0';                                                       \
        have |= (bit);                                                                 \
    } while (0)
        if (strcmp(f, "tenant") == 0) COPY(tenant, 1);
        else if (strcmp(f, "role") == 0) COPY(role, 2);
        else if (strcmp(f, "callback_url") == 0) COPY(callback_url, 4);
        else if (strcmp(f, "secret") == 0) COPY(secret, 8);
        else if (strcmp(f, "filters") == 0) {
            s->filters = val;
            have |= 16;
        }
        else if (strcmp(f, "created") == 0) s->created = (long long)ull(val);
        else if (strcmp(f, "delivered") == 0) s->delivered = ull(val);
        else if (strcmp(f, "failed") == 0) s->failed = ull(val);
        else if (strcmp(f, "dead") == 0) s->dead = ull(val);
#undef COPY
    }
    return have == 31 ? 0 : -1;
}

struct load_ctx {
    store_subs_cb *cb;
    void *arg;
};

static void load_reply(int status, const struct redisReply *r, void *arg) {
    struct load_ctx *c = arg;
    struct store_sub *subs = NULL;
    size_t n = 0;
    if (status == STORE_OK && r->type != REDIS_REPLY_ARRAY) status = STORE_ERROR;
    if (status == STORE_OK && r->elements > 0) {
        subs = calloc(r->elements, sizeof(*subs));
        if (subs == NULL) status = STORE_ERROR;
        for (size_t i = 0; subs != NULL && i < r->elements; i++)
            if (sub_from_reply(r->element[i], &subs[n]) == 0) n++;
    }
    c->cb(status, subs, n, c->arg);
    free(subs);
    free(c);
}

void store_subs_load(store_subs_cb *cb, void *arg) {
    const char *argv[4] = {"EVAL", load_lua, "1", subs_key};
    size_t lens[4];
    struct load_ctx *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        cb(STORE_ERROR, NULL, 0, arg);
        return;
    }
    c->cb = cb;
    c->arg = arg;
    for (int i = 0; i < 4; i++) lens[i] = strlen(argv[i]);
    store_command_raw(load_reply, c, 4, argv, lens);
}

void store_sub_count(const char *id, unsigned delivered, unsigned failed, unsigned dead) {
    char key[96], d[16], f[16], x[16];
    const char *argv[7];
    size_t lens[7];
    SUB_KEY(key, id);
    snprintf(d, sizeof(d), "%u", delivered);
    snprintf(f, sizeof(f), "%u", failed);
    snprintf(x, sizeof(x), "%u", dead);
    argv[0] = "EVAL";
    argv[1] = count_lua;
    argv[2] = "1";
    argv[3] = key;
    argv[4] = d;
    argv[5] = f;
    argv[6] = x;
    for (int i = 0; i < 7; i++) lens[i] = strlen(argv[i]);
    store_command_done(NULL, NULL, 7, argv, lens);
}

void store_sub_dead_add(const char *id, const char *json, size_t len) {
    char key[96], max[16];
    const char *argv[6];
    size_t lens[6];
    DEAD_KEY(key, id);
    snprintf(max, sizeof(max), "%d", STORE_SUB_DEAD_MAX);
    argv[0] = "EVAL";
    argv[1] = dead_lua;
    argv[2] = "1";
    argv[3] = key;
    argv[4] = json;
    argv[5] = max;
    for (int i = 0; i < 6; i++) lens[i] = strlen(argv[i]);
    lens[4] = len;
    store_command_done(NULL, NULL, 6, argv, lens);
}

void store_sub_dead_list(const char *id, long count, store_strings_cb *cb, void *arg) {
    char key[96], stop[24];
    const char *argv[4];
    size_t lens[4];
    DEAD_KEY(key, id);
    snprintf(stop, sizeof(stop), "%ld", count > 0 ? count - 1 : 0);
    argv[0] = "LRANGE";
    argv[1] = key;
    argv[2] = "0";
    argv[3] = stop;
    for (int i = 0; i < 4; i++) lens[i] = strlen(argv[i]);
    store_command_strings(cb, arg, 4, argv, lens);
}
