/* store_waybills.c -- the Redis commands of waybills (keys and what each
 * call does: store_waybills.h, docs/redis-keys.md).  Every key but the
 * events' carries the hash tag {wb}, so each script touches one slot. */
#include "store_waybills.h"
#include "store_int.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char all_key[] = "wb:{wb}:all";

/* ---- create, fields, amend ------------------------------------------------ */

static const char create_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end "
    "redis.call('HSET', KEYS[1], unpack(ARGV, 5)) "
    "redis.call('SADD', KEYS[2], ARGV[1]) "
    "redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1]) "
    "if tonumber(ARGV[3] ~= '' and ARGV[3] or '0') > 0 then "
    " redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1]) "
    " redis.call('RPUSH', KEYS[5], ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4]) end "
    "return 1";

static const char *fv_get(const char *const *fv, size_t nfv, const char *name) {
    for (size_t i = 0; i + 1 < nfv; i += 2)
        if (strcmp(fv[i], name) == 0) return fv[i + 1];
    return "";
}

void store_wb_create(const char *number, const char *tenant, const char *const *fv, size_t nfv,
                     long long created, store_done_cb *cb, void *arg) {
    struct store_args a;
    if (store_args_init(&a, nfv + 12, 8) != 0) {
        cb(STORE_ERROR, arg);
        return;
    }
    store_push(&a, "EVAL");
    store_push(&a, create_lua);
    store_push(&a, "5");
    store_push(&a, store_mk(&a, "wb:{wb}:w:", number));
    store_push(&a, all_key);
    store_push(&a, store_mk(&a, "wb:{wb}:t:", tenant));
    store_push(&a, store_mk(&a, "wb:{wb}:eta:", tenant));
    store_push(&a, store_mk(&a, "wb:{wb}:etah:", number));
    store_push(&a, number);
    store_push(&a, store_mkll(&a, created));
    store_push(&a, fv_get(fv, nfv, "eta"));
    store_push(&a, fv_get(fv, nfv, "eta_src"));
    for (size_t i = 0; i < nfv; i++) store_push(&a, fv[i]);
    store_command_int(cb, arg, STORE_CONFLICT, a.n, a.v, a.lens);
    store_args_free(&a);
}

struct fields_arg {
    store_strings_cb *cb;
    void *arg;
};

static void fields_finish(int status, const struct redisReply *r, void *arg) {
    struct fields_arg *f = arg;
    const char **v = NULL;
    size_t *lens = NULL, n = 0, present = 0;
    if (status == STORE_OK && r->type != REDIS_REPLY_ARRAY) status = STORE_ERROR;
    if (status == STORE_OK) {
        v = calloc(r->elements + 1, sizeof(*v));
        lens = calloc(r->elements + 1, sizeof(*lens));
        if (!v || !lens) status = STORE_ERROR;
    }
    if (status == STORE_OK) {
        for (n = 0; n < r->elements; n++) {
            const struct redisReply *e = r->element[n];
            int str = e->type == REDIS_REPLY_STRING;
            v[n] = str ? e->str : "";
            lens[n] = str ? e->len : 0;
            present += str;
        }
        if (present == 0) status = STORE_NOT_FOUND;
    }
    if (status != STORE_OK) n = 0;
    f->cb(status, v, lens, n, f->arg);
    free(v);
    free(lens);
    free(f);
}

void store_wb_fields(const char *number, const char *const *names, size_t n,
                     store_strings_cb *cb, void *arg) {
    struct store_args a;
    struct fields_arg *f = malloc(sizeof(*f));
    if (f == NULL || store_args_init(&a, n + 2, 1) != 0) {
        free(f);
        cb(STORE_ERROR, NULL, NULL, 0, arg);
        return;
    }
    f->cb = cb;
    f->arg = arg;
    store_push(&a, "HMGET");
    store_push(&a, store_mk(&a, "wb:{wb}:w:", number));
    for (size_t i = 0; i < n; i++) store_push(&a, names[i]);
    store_command_raw(fields_finish, f, a.n, a.v, a.lens);
    store_args_free(&a);
}

static const char amend_lua[] =
    "local v = redis.call('HGET', KEYS[1], 'version') "
    "if not v then return -1 end "
    "if v ~= ARGV[1] then return 0 end "
    "local old = redis.call('HGET', KEYS[1], 'eta') "
    "redis.call('HSET', KEYS[1], unpack(ARGV, 3)) "
    "local eta, src = nil, '' "
    "for i = 3, #ARGV - 1, 2 do "
    " if ARGV[i] == 'eta' then eta = ARGV[i + 1] elseif ARGV[i] == 'eta_src' then src = ARGV[i + 1] end "
    "end "
    "if eta and eta ~= old and tonumber(eta) > 0 then "
    " redis.call('RPUSH', KEYS[3], redis.call('TIME')[1] .. '|' .. eta .. '|' .. src) "
    " redis.call('LTRIM', KEYS[3], -500, -1) "
    "end "
    "redis.call('RPUSH', KEYS[2], ARGV[2]) "
    "redis.call('LTRIM', KEYS[2], -1000, -1) "
    "return 1";

void store_wb_amend(const char *number, int version, const char *const *fv, size_t nfv,
                    const char *history, store_done_cb *cb, void *arg) {
    struct store_args a;
    if (store_args_init(&a, nfv + 9, 5) != 0) {
        cb(STORE_ERROR, arg);
        return;
    }
    store_push(&a, "EVAL");
    store_push(&a, amend_lua);
    store_push(&a, "3");
    store_push(&a, store_mk(&a, "wb:{wb}:w:", number));
    store_push(&a, store_mk(&a, "wb:{wb}:h:", number));
    store_push(&a, store_mk(&a, "wb:{wb}:etah:", number));
    store_push(&a, store_mkll(&a, version));
    store_push(&a, history);
    for (size_t i = 0; i < nfv; i++) store_push(&a, fv[i]);
    store_command_int(cb, arg, STORE_CONFLICT, a.n, a.v, a.lens);
    store_args_free(&a);
}

/* ---- batches: lives and links --------------------------------------------- */

static const char lives_lua[] =
    "local ai = 1 "
    "for ki = 1, #KEYS, 3 do "
    " local w, ez, eh = KEYS[ki], KEYS[ki + 1], KEYS[ki + 2] "
    " local num, eta = ARGV[ai], ARGV[ai + 5] "
    " if ARGV[ai + 11] == '1' then "
    "  local n = redis.call('RPUSH', eh, ARGV[ai + 10] .. '|' .. eta .. '|' .. ARGV[ai + 9]) "
    "  if n > 500 then redis.call('LTRIM', eh, -500, -1) end "
    " end "
    " redis.call('HSET', w, 'live', ARGV[ai + 1], 'status', ARGV[ai + 3], "
    "  'risk', ARGV[ai + 4], 'eta', eta) "
    " if ARGV[ai + 2] ~= '' then redis.call('HSET', w, 'livepub', ARGV[ai + 2]) end "
    " if ARGV[ai + 8] ~= '' then redis.call('HSET', w, 'st', ARGV[ai + 8]) end "
    " if ARGV[ai + 6] == '1' then redis.call('HSET', w, 'proposals', ARGV[ai + 7]) end "
    " if tonumber(eta) > 0 then redis.call('ZADD', ez, eta, num) "
    " else redis.call('ZREM', ez, num) end "
    " ai = ai + 12 "
    "end "
    "return 1";

static void fill_lives(struct store_args *a, const void *items, size_t from, size_t m) {
    const struct store_wb_live *v = items;
    for (size_t i = 0; i < m; i++) {
        store_push(a, store_mk(a, "wb:{wb}:w:", v[from + i].number));
        store_push(a, store_mk(a, "wb:{wb}:eta:", v[from + i].tenant));
        store_push(a, store_mk(a, "wb:{wb}:etah:", v[from + i].number));
    }
    for (size_t i = 0; i < m; i++) {
        const struct store_wb_live *l = &v[from + i];
        store_push(a, l->number);
        store_push(a, l->live);
        store_push(a, l->livepub);
        store_push(a, l->status);
        store_push(a, l->at_risk ? "1" : "0");
        store_push(a, store_mkll(a, l->eta));
        store_push(a, l->proposals ? "1" : "0");
        store_push(a, l->proposals ? l->proposals : "");
        store_push(a, l->state);
        store_push(a, l->eta_src ? l->eta_src : "");
        store_push(a, store_mkll(a, l->at));
        store_push(a, l->eta_moved ? "1" : "0");
    }
}

void store_wb_lives(const struct store_wb_live *v, size_t n, store_done_cb *cb, void *arg) {
    store_send_batches(lives_lua, 3, 12, fill_lives, v, n, cb, arg);
}

static const char links_lua[] =
    "for i = 1, #KEYS do redis.call('ZADD', KEYS[i], ARGV[2*i - 1], ARGV[2*i]) end "
    "return 1";

static void fill_links(struct store_args *a, const void *items, size_t from, size_t m) {
    const struct store_wb_link *v = items;
    for (size_t i = 0; i < m; i++) store_push(a, store_mk(a, "wb:{wb}:ev:", v[from + i].number));
    for (size_t i = 0; i < m; i++) {
        char *sc = a->bufs[a->nbufs++];
        snprintf(sc, sizeof(a->bufs[0]), "%.0f", v[from + i].score);
        store_push(a, sc);
        store_push(a, v[from + i].member);
    }
}

void store_wb_links(const struct store_wb_link *v, size_t n, store_done_cb *cb, void *arg) {
    store_send_batches(links_lua, 1, 2, fill_links, v, n, cb, arg);
}

/* ---- reads with a cursor ----------------------------------------------------- */

/* A script's array reply whose first element "!" means the cursor named
 * no member: STORE_NOT_FOUND. */
struct cursor_arg {
    store_strings_cb *cb;
    void *arg;
};

static void cursor_finish(int status, const struct redisReply *r, void *arg) {
    struct cursor_arg *c = arg;
    if (status == STORE_OK && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
        r->element[0]->type == REDIS_REPLY_STRING && strcmp(r->element[0]->str, "!") == 0)
        status = STORE_NOT_FOUND;
    if (status == STORE_OK && r->type != REDIS_REPLY_ARRAY) status = STORE_ERROR;
    if (status != STORE_OK) {
        c->cb(status, NULL, NULL, 0, c->arg);
    } else {
        const char **v = calloc(r->elements + 1, sizeof(*v));
        size_t *lens = calloc(r->elements + 1, sizeof(*lens));
        if (!v || !lens) {
            c->cb(STORE_ERROR, NULL, NULL, 0, c->arg);
        } else {
            for (size_t i = 0; i < r->elements; i++) {
                const struct redisReply *e = r->element[i];
                int str = e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS;
                v[i] = str ? e->str : "";
                lens[i] = str ? e->len : 0;
            }
            c->cb(STORE_OK, v, lens, r->elements, c->arg);
        }
        free(v);
        free(lens);
    }
    free(c);
}

static void send_cursor(store_strings_cb *cb, void *arg, struct store_args *a) {
    struct cursor_arg *c = malloc(sizeof(*c));
    if (c == NULL) {
        cb(STORE_ERROR, NULL, NULL, 0, arg);
        return;
    }
    c->cb = cb;
    c->arg = arg;
    store_command_raw(cursor_finish, c, a->n, a->v, a->lens);
}

static const char timeline_lua[] =
    "local total = redis.call('ZCARD', KEYS[1]) "
    "local start = 0 "
    "if ARGV[1] ~= '' then "
    " local r = redis.call('ZRANK', KEYS[1], ARGV[1]) "
    " if not r then return {'!'} end "
    " start = r + 1 "
    "end "
    "local m = redis.call('ZRANGE', KEYS[1], start, start + tonumber(ARGV[2]) - 1) "
    "local out = {tostring(total), ''} "
    "if #m > 0 and start + #m < total then out[2] = m[#m] end "
    "for _, k in ipairs(m) do "
    " local j = redis.call('GET', 'ev:{ev}:e:' .. k) "
    " if j then out[#out + 1] = j end "
    "end "
    "return out";

void store_wb_timeline(const char *number, const char *after, long limit, store_strings_cb *cb,
                       void *arg) {
    struct store_args a;
    if (store_args_init(&a, 8, 4) != 0) {
        cb(STORE_ERROR, NULL, NULL, 0, arg);
        return;
    }
    store_push(&a, "EVAL");
    store_push(&a, timeline_lua);
    store_push(&a, "1");
    store_push(&a, store_mk(&a, "wb:{wb}:ev:", number));
    store_push(&a, after ? after : "");
    store_push(&a, store_mkll(&a, limit));
    send_cursor(cb, arg, &a);
    store_args_free(&a);
}

static const char list_lua[] =
    "local start = 0 "
    "if ARGV[3] ~= '' then "
    " local r = redis.call('ZRANK', KEYS[1], ARGV[3]) "
    " if not r then return {'!'} end "
    " start = r + 1 "
    "end "
    "local lim, scanned, pos, out = tonumber(ARGV[4]), 0, start, {''} "
    "while true do "
    " local batch "
    " if ARGV[1] == '1' then "
    "  batch = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', pos, 200) "
    " else batch = redis.call('ZRANGE', KEYS[1], pos, pos + 199) end "
    " if #batch == 0 then out[1] = '' return out end "
    " for _, num in ipairs(batch) do "
    "  scanned = scanned + 1 pos = pos + 1 "
    "  local f = redis.call('HMGET', 'wb:{wb}:w:' .. num, 'status', 'dest', 'risk', 'vfull', 'live') "
    "  if f[4] and (ARGV[5] == '' or f[1] == ARGV[5]) and (ARGV[6] == '' or f[2] == ARGV[6]) "
    "     and (ARGV[7] ~= '1' or f[3] == '1') then "
    "   out[#out + 1] = num out[#out + 1] = f[4] out[#out + 1] = f[5] or '' "
    "  end "
    "  if (#out - 1) / 3 >= lim or scanned >= 5000 then out[1] = num return out end "
    " end "
    "end";

void store_wb_list(const char *tenant, int by_eta, long long eta_before, const char *after,
                   long limit, const char *status, const char *dest, int at_risk,
                   store_strings_cb *cb, void *arg) {
    struct store_args a;
    if (store_args_init(&a, 12, 4) != 0) {
        cb(STORE_ERROR, NULL, NULL, 0, arg);
        return;
    }
    store_push(&a, "EVAL");
    store_push(&a, list_lua);
    store_push(&a, "1");
    store_push(&a, store_mk(&a, by_eta ? "wb:{wb}:eta:" : "wb:{wb}:t:", tenant));
    store_push(&a, by_eta ? "1" : "0");
    store_push(&a, store_mkll(&a, eta_before));
    store_push(&a, after ? after : "");
    store_push(&a, store_mkll(&a, limit));
    store_push(&a, status ? status : "");
    store_push(&a, dest ? dest : "");
    store_push(&a, at_risk ? "1" : "0");
    send_cursor(cb, arg, &a);
    store_args_free(&a);
}

/* ---- history, start-up ------------------------------------------------------- */

/* The last COUNT entries (0: all) of the list PREFIX NUMBER. */
static void list_tail(const char *prefix, const char *number, long count, store_strings_cb *cb,
                      void *arg) {
    struct store_args a;
    if (store_args_init(&a, 4, 2) != 0) {
        cb(STORE_ERROR, NULL, NULL, 0, arg);
        return;
    }
    store_push(&a, "LRANGE");
    store_push(&a, store_mk(&a, prefix, number));
    store_push(&a, store_mkll(&a, -count));
    store_push(&a, "-1");
    store_command_strings(cb, arg, a.n, a.v, a.lens);
    store_args_free(&a);
}

void store_wb_history(const char *number, long count, store_strings_cb *cb, void *arg) {
    list_tail("wb:{wb}:h:", number, count, cb, arg);
}

void store_wb_eta_history(const char *number, store_strings_cb *cb, void *arg) {
    list_tail("wb:{wb}:etah:", number, 0, cb, arg);
}

void store_wb_numbers(store_strings_cb *cb, void *arg) {
    const char *argv[2] = {"SMEMBERS", all_key};
    size_t lens[2] = {8, sizeof(all_key) - 1};
    store_command_strings(cb, arg, 2, argv, lens);
}

static const char load_lua[] =
    "local out = {} "
    "for i = 1, #ARGV do "
    " local f = redis.call('HMGET', 'wb:{wb}:w:' .. ARGV[i], 'doc', 'st', 'proposals') "
    " out[#out + 1] = f[1] or '' out[#out + 1] = f[2] or '' out[#out + 1] = f[3] or '' "
    "end "
    "return out";

void store_wb_load(const char *const *numbers, size_t n, store_strings_cb *cb, void *arg) {
    struct store_args a;
    if (n > STORE_BATCH || store_args_init(&a, n + 3, 1) != 0) {
        cb(STORE_ERROR, NULL, NULL, 0, arg);
        return;
    }
    store_push(&a, "EVAL");
    store_push(&a, load_lua);
    store_push(&a, "0");
    for (size_t i = 0; i < n; i++) store_push(&a, numbers[i]);
    store_command_strings(cb, arg, a.n, a.v, a.lens);
    store_args_free(&a);
}
