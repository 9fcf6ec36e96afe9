/* store.c -- every Redis command Dongting sends, over one hiredis async
 * connection driven by the libevent loop.
 *
 * hiredis 0.14 has no connect or command timeouts, so each command carries
 * its own evtimer (as h2o does).  A command that times out is answered
 * STORE_DOWN at once and the connection is dropped: anything queued behind
 * it would wait on the same stuck server.  Reconnects run from a timer with
 * backoff, never from inside a hiredis callback, and the connection counts
 * as ready only after a PING has answered on it. */
#include "store.h"
#include "config.h"
#include "store_int.h"
#include "log.h"
#include "metrics.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define PROBE_INTERVAL_MS 1000
#define MAX_ARGS 32

struct store_cmd;
typedef void finish_fn(struct store_cmd *c, int status, redisReply *reply);

struct store_cmd {
    struct event timer;
    int answered;            /* the caller has had its callback */
    finish_fn *finish;
    union {
        store_apikey_cb *apikey;
        store_done_cb *done;
        store_strings_cb *strings;
        store_blob_cb *blob;
        store_events_cb *events;
        store_reply_fn *raw;
        void (*probe)(int status);
    } cb;
    void *arg;
};

static struct {
    struct event_base *base;
    char host[INET6_ADDRSTRLEN];
    int port;
    long timeout_ms, connect_timeout_ms;
    redisAsyncContext *ac;
    int connected;           /* TCP up, hiredis context live */
    int ready;               /* connected and a PING has answered */
    int ever_ready;
    int stopping;
    long backoff_ms;
    struct event *reconnect_ev, *connect_timeout_ev, *probe_ev, *ready_ev;
    char reason[256];
} st;

static void (*ready_hooks[4])(void);
static int nready_hooks;

static void schedule_reconnect(void);
static void drop_connection(const char *why);

static void set_reason(const char *state, const char *detail) {
    snprintf(st.reason, sizeof(st.reason), "Redis at %s:%d %s%s", st.host,
             st.port, state, detail);
}

static struct timeval ms_tv(long ms) {
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    return tv;
}

/* ---- commands ------------------------------------------------------------ */

static void cmd_free(struct store_cmd *c) {
    event_del(&c->timer);
    free(c);
}

/* Answer the caller once, whatever happens later to the command. */
static void cmd_answer(struct store_cmd *c, int status, redisReply *reply) {
    if (c->answered) return;
    c->answered = 1;
    if (status == STORE_DOWN || status == STORE_ERROR) metrics_redis_error();
    c->finish(c, status, reply);
}

static void cmd_reply_cb(redisAsyncContext *ac, void *r, void *privdata) {
    struct store_cmd *c = privdata;
    redisReply *reply = r;
    if (reply == NULL) {
        /* The connection is going away: say so before the caller asks. */
        if (st.ready && !st.stopping) {
            st.ready = 0;
            set_reason("is unavailable: ",
                       ac->errstr[0] ? ac->errstr : "connection lost");
        }
        cmd_answer(c, STORE_DOWN, NULL);
    }
    else if (reply->type == REDIS_REPLY_ERROR)
        cmd_answer(c, STORE_ERROR, reply);
    else
        cmd_answer(c, STORE_OK, reply);
    cmd_free(c);
}

static void cmd_timeout_cb(evutil_socket_t fd, short what, void *arg) {
    struct store_cmd *c = arg;
    char why[96];
    (void)fd;
    (void)what;
    snprintf(why, sizeof(why), "a command took longer than %ld ms", st.timeout_ms);
    /* Answer first: drop_connection frees every pending command, this one
     * included (its reply callback runs with NULL and frees it). */
    st.ready = 0;
    set_reason("is unavailable: ", why);
    cmd_answer(c, STORE_DOWN, NULL);
    drop_connection(why);
}

/* Send ARGV; FINISH is called exactly once, possibly before this returns. */
static void command(finish_fn *finish, void *cb, void *arg, int argc,
                    const char **argv, const size_t *lens) {
    struct store_cmd *c = calloc(1, sizeof(*c));
    struct timeval tv = ms_tv(st.timeout_ms);

    if (c == NULL) {
        struct store_cmd tmp = {.finish = finish, .arg = arg};
        tmp.cb.done = cb;
        finish(&tmp, STORE_ERROR, NULL);
        return;
    }
    c->finish = finish;
    c->cb.done = cb;
    c->arg = arg;
    if (!st.ready || st.ac == NULL) {
        cmd_answer(c, STORE_DOWN, NULL);
        free(c);
        return;
    }
    evtimer_assign(&c->timer, st.base, cmd_timeout_cb, c);
    if (redisAsyncCommandArgv(st.ac, cmd_reply_cb, c, argc, argv, lens) != REDIS_OK) {
        cmd_answer(c, STORE_DOWN, NULL);
        free(c);
        return;
    }
    evtimer_add(&c->timer, &tv);
}

/* VERB KEY: a command of one key and no other argument. */
static void command_key(finish_fn *finish, void *cb, void *arg, const char *verb,
                        const char *key) {
    const char *argv[2] = {verb, key};
    size_t lens[2] = {strlen(verb), strlen(key)};
    command(finish, cb, arg, 2, argv, lens);
}

/* ---- connection ---------------------------------------------------------- */

static void probe_done(int status) {
    if (status == STORE_ERROR && st.ready) {
        /* e.g. LOADING while Redis replays its AOF: up, but not usable */
        st.ready = 0;
        set_reason("is unavailable: ", "PING answered an error (loading?)");
        log_event("warn", "redis_not_ready", "%s", st.reason);
    }
    if (status == STORE_OK) {
        if (!st.ready) {
            if (st.ever_ready) metrics_redis_reconnect();
            log_event("info", "redis_ready", "Redis at %s:%d answers", st.host,
                      st.port);
        }
        if (!st.ready && st.ready_ev != NULL) {
            /* Run the hooks outside this hiredis callback. */
            struct timeval now = {0, 0};
            evtimer_add(st.ready_ev, &now);
        }
        st.ready = 1;
        st.ever_ready = 1;
        st.backoff_ms = BACKOFF_MIN_MS;
        st.reason[0] = '\0';
    }
}

static void probe_finish(struct store_cmd *c, int status, redisReply *reply) {
    if (status == STORE_OK && reply->type == REDIS_REPLY_STATUS &&
        strcmp(reply->str, "PONG") == 0)
        c->cb.probe(STORE_OK);
    else
        c->cb.probe(status == STORE_OK ? STORE_ERROR : status);
}

/* PING on the raw connection: used before ready, so it bypasses command()'s
 * readiness check but has the same timeout. */
static void send_probe(void) {
    struct store_cmd *c;
    struct timeval tv = ms_tv(st.timeout_ms);
    if (st.ac == NULL || !st.connected) return;
    c = calloc(1, sizeof(*c));
    if (c == NULL) return;
    c->finish = probe_finish;
    c->cb.probe = probe_done;
    evtimer_assign(&c->timer, st.base, cmd_timeout_cb, c);
    if (redisAsyncCommand(st.ac, cmd_reply_cb, c, "PING") != REDIS_OK) {
        free(c);
        return;
    }
    evtimer_add(&c->timer, &tv);
}

static void probe_tick(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    send_probe();
}

static void ready_tick(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    for (int i = 0; i < nready_hooks && st.ready; i++) ready_hooks[i]();
}

int store_on_ready(void (*fn)(void)) {
    if (nready_hooks == (int)(sizeof(ready_hooks) / sizeof(ready_hooks[0]))) return -1;
    ready_hooks[nready_hooks++] = fn;
    return 0;
}

static void connect_cb(const redisAsyncContext *ac, int status) {
    event_del(st.connect_timeout_ev);
    if (status != REDIS_OK) {
        /* hiredis frees the context after this callback returns. */
        set_reason("is unavailable: ",
                   ac->errstr[0] ? ac->errstr : "connect failed");
        st.ac = NULL;
        st.connected = 0;
        metrics_redis_error();
        schedule_reconnect();
        return;
    }
    st.connected = 1;
    set_reason("is connected but has not answered PING yet", "");
    send_probe();
}

static void disconnect_cb(const redisAsyncContext *ac, int status) {
    st.ac = NULL;
    st.connected = 0;
    st.ready = 0;
    if (st.stopping) return;
    if (status != REDIS_OK || st.reason[0] == '\0')
        set_reason("is unavailable: ",
                   ac->errstr[0] ? ac->errstr : "connection closed");
    metrics_redis_error();
    log_event("warn", "redis_down", "%s", st.reason);
    schedule_reconnect();
}

/* Free the connection from outside any hiredis callback: pending commands
 * are answered STORE_DOWN, disconnect_cb schedules the reconnect. */
static void drop_connection(const char *why) {
    redisAsyncContext *ac = st.ac;
    int was_connected = st.connected;
    if (ac == NULL) return;
    log_event("warn", "redis_drop", "dropping the Redis connection: %s", why);
    redisAsyncFree(ac);
    st.ac = NULL;
    st.connected = 0;
    st.ready = 0;
    /* disconnect_cb ran only if the connection had been established. */
    if (!was_connected && !st.stopping) schedule_reconnect();
}

static void connect_timeout_cb(evutil_socket_t fd, short what, void *arg) {
    char why[96];
    (void)fd;
    (void)what;
    (void)arg;
    snprintf(why, sizeof(why), "connect took longer than %ld ms",
             st.connect_timeout_ms);
    set_reason("is unavailable: ", why);
    metrics_redis_error();
    drop_connection(why);
}

static void do_connect(void) {
    redisAsyncContext *ac;
    struct timeval tv = ms_tv(st.connect_timeout_ms);

    if (st.stopping || st.ac != NULL) return;
    ac = redisAsyncConnect(st.host, st.port);
    if (ac == NULL || ac->err) {
        set_reason("is unavailable: ",
                   ac ? ac->errstr : "out of memory");
        if (ac) redisAsyncFree(ac);
        metrics_redis_error();
        schedule_reconnect();
        return;
    }
    st.ac = ac;
    redisLibeventAttach(ac, st.base);
    redisAsyncSetConnectCallback(ac, connect_cb);
    redisAsyncSetDisconnectCallback(ac, disconnect_cb);
    event_add(st.connect_timeout_ev, &tv);
}

static void reconnect_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    do_connect();
}

static void schedule_reconnect(void) {
    struct timeval tv = ms_tv(st.backoff_ms);
    if (st.stopping || evtimer_pending(st.reconnect_ev, NULL)) return;
    evtimer_add(st.reconnect_ev, &tv);
    st.backoff_ms = st.backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                        : st.backoff_ms * 2;
}

/* Resolve HOST once, at start-up: hiredis' own resolution would block the
 * event loop on every reconnect. */
static int resolve(const char *host, char *out, size_t outlen) {
    struct addrinfo hints, *res = NULL;
    int rc;
    const void *addr;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL) return -1;
    if (res->ai_family == AF_INET6)
        addr = &((struct sockaddr_in6 *)(void *)res->ai_addr)->sin6_addr;
    else
        addr = &((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr;
    rc = inet_ntop(res->ai_family, addr, out, (socklen_t)outlen) ? 0 : -1;
    freeaddrinfo(res);
    return rc;
}

int store_start(struct event_base *base, const struct srv_config *cfg) {
    struct timeval probe = ms_tv(PROBE_INTERVAL_MS);
    memset(&st, 0, sizeof(st));
    st.base = base;
    st.port = cfg->redis_port;
    st.timeout_ms = cfg->redis_timeout_ms;
    st.connect_timeout_ms = cfg->redis_connect_timeout_ms;
    st.backoff_ms = BACKOFF_MIN_MS;
    if (resolve(cfg->redis_host, st.host, sizeof(st.host)) != 0) {
        fprintf(stderr, "dongting: cannot resolve Redis host '%s'\n",
                cfg->redis_host);
        return -1;
    }
    st.reconnect_ev = evtimer_new(base, reconnect_cb, NULL);
    st.connect_timeout_ev = evtimer_new(base, connect_timeout_cb, NULL);
    st.probe_ev = event_new(base, -1, EV_PERSIST, probe_tick, NULL);
    st.ready_ev = evtimer_new(base, ready_tick, NULL);
    if (!st.reconnect_ev || !st.connect_timeout_ev || !st.probe_ev || !st.ready_ev)
        return -1;
    event_add(st.probe_ev, &probe);
    set_reason("is not connected yet", "");
    do_connect();
    return 0;
}

void store_stop(void) {
    st.stopping = 1;
    if (st.ac != NULL) {
        redisAsyncContext *ac = st.ac;
        st.ac = NULL;
        redisAsyncFree(ac);
    }
    st.connected = st.ready = 0;
    if (st.reconnect_ev) event_free(st.reconnect_ev);
    if (st.connect_timeout_ev) event_free(st.connect_timeout_ev);
    if (st.probe_ev) event_free(st.probe_ev);
    if (st.ready_ev) event_free(st.ready_ev);
    st.reconnect_ev = st.connect_timeout_ev = st.probe_ev = st.ready_ev = NULL;
}

int store_ready(void) { return st.ready; }

const char *store_error_text(int status) {
    switch (status) {
    case STORE_DOWN: return st.reason[0] ? st.reason : "Redis is unavailable";
    case STORE_ERROR: return "Redis answered an error";
    case STORE_NOT_FOUND: return "not found";
    case STORE_CONFLICT: return "already exists";
    default: return "ok";
    }
}

const char *store_reason(void) { return st.ready ? "" : st.reason; }

/* ---- API keys ------------------------------------------------------------ */

#define APIKEY_KEY(buf, id) snprintf(buf, sizeof(buf), "apikey:{%s}", id)

static void copy_field(char *dst, size_t dstlen, const redisReply *v) {
    size_t n = v->len < dstlen - 1 ? v->len : dstlen - 1;
    memcpy(dst, v->str, n);
    dst[n] = '\0';
}

static void apikey_get_finish(struct store_cmd *c, int status, redisReply *r) {
    struct store_apikey k;
    if (status != STORE_OK) {
        c->cb.apikey(status, NULL, c->arg);
        return;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
        c->cb.apikey(STORE_ERROR, NULL, c->arg);
        return;
    }
    if (r->elements == 0) {
        c->cb.apikey(STORE_NOT_FOUND, NULL, c->arg);
        return;
    }
    memset(&k, 0, sizeof(k));
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *f = r->element[i], *v = r->element[i + 1];
        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        if (strcmp(f->str, "id") == 0) copy_field(k.id, sizeof(k.id), v);
        else if (strcmp(f->str, "hash") == 0) copy_field(k.hash, sizeof(k.hash), v);
        else if (strcmp(f->str, "role") == 0) copy_field(k.role, sizeof(k.role), v);
        else if (strcmp(f->str, "tenant") == 0) copy_field(k.tenant, sizeof(k.tenant), v);
        else if (strcmp(f->str, "name") == 0) copy_field(k.name, sizeof(k.name), v);
        else if (strcmp(f->str, "created_at") == 0) k.created_at = strtoll(v->str, NULL, 10);
        else if (strcmp(f->str, "revoked_at") == 0) k.revoked_at = strtoll(v->str, NULL, 10);
    }
    c->cb.apikey(STORE_OK, &k, c->arg);
}

void store_apikey_get(const char *id, store_apikey_cb *cb, void *arg) {
    char key[96];
    APIKEY_KEY(key, id);
    command_key(apikey_get_finish, (void *)cb, arg, "HGETALL", key);
}

/* A script's integer answer: 1 (or more) OK, 0 its "no" (ZERO_STATUS:
 * a conflict or not found), negative not found. */
static void int_finish(struct store_cmd *c, int status, redisReply *r,
                       int zero_status) {
    if (status == STORE_OK)
        status = r->type != REDIS_REPLY_INTEGER ? STORE_ERROR
                 : r->integer >= 1             ? STORE_OK
                 : r->integer == 0             ? zero_status
                                               : STORE_NOT_FOUND;
    if (c->cb.done != NULL) c->cb.done(status, c->arg);
}

static void conflict_finish(struct store_cmd *c, int status, redisReply *r) {
    int_finish(c, status, r, STORE_CONFLICT);
}

static void missing_finish(struct store_cmd *c, int status, redisReply *r) {
    int_finish(c, status, r, STORE_NOT_FOUND);
}

/* One key, one script: atomic, and Cluster-safe (a single hash slot). */
static const char create_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end "
    "redis.call('HSET', KEYS[1], unpack(ARGV)) return 1";

static const char revoke_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end "
    "if redis.call('HGET', KEYS[1], 'revoked_at') == '0' then "
    "redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1]) end return 1";

void store_apikey_create(const struct store_apikey *k, store_done_cb *cb, void *arg) {
    char key[96], created[24];
    const char *argv[MAX_ARGS];
    size_t lens[MAX_ARGS];
    int n = 0;

    APIKEY_KEY(key, k->id);
    snprintf(created, sizeof(created), "%lld", k->created_at);
    argv[n++] = "EVAL";
    argv[n++] = create_lua;
    argv[n++] = "1";
    argv[n++] = key;
    argv[n++] = "id";         argv[n++] = k->id;
    argv[n++] = "hash";       argv[n++] = k->hash;
    argv[n++] = "role";       argv[n++] = k->role;
    argv[n++] = "tenant";     argv[n++] = k->tenant;
    argv[n++] = "name";       argv[n++] = k->name;
    argv[n++] = "created_at"; argv[n++] = created;
    argv[n++] = "revoked_at"; argv[n++] = "0";
    for (int i = 0; i < n; i++) lens[i] = strlen(argv[i]);
    command(conflict_finish, (void *)cb, arg, n, argv, lens);
}

void store_apikey_revoke(const char *id, long long when, store_done_cb *cb,
                         void *arg) {
    char key[96], at[24];
    const char *argv[5];
    size_t lens[5];
    APIKEY_KEY(key, id);
    snprintf(at, sizeof(at), "%lld", when);
    argv[0] = "EVAL";
    argv[1] = revoke_lua;
    argv[2] = "1";
    argv[3] = key;
    argv[4] = at;
    for (int i = 0; i < 5; i++) lens[i] = strlen(argv[i]);
    command(missing_finish, (void *)cb, arg, 5, argv, lens);
}

/* ---- real-time overlay --------------------------------------------------- */

/* Every overlay key shares the hash tag {rt}, so one script may update a
 * run's hash and the set of runs together (docs/redis-keys.md). */
#define OVERLAY_RUN_KEY(buf, run) snprintf(buf, sizeof(buf), "overlay:{rt}:run:%s", run)
static const char overlay_runs_key[] = "overlay:{rt}:runs";

static void done_finish(struct store_cmd *c, int status, redisReply *r) {
    if (status == STORE_OK && r->type == REDIS_REPLY_ERROR) status = STORE_ERROR;
    if (c->cb.done != NULL) c->cb.done(status, c->arg);
}

/* Strings of an array reply (nil elements count as ""). */
static void strings_finish(struct store_cmd *c, int status, redisReply *r) {
    const char **v = NULL;
    size_t *lens = NULL, n = 0;
    if (status == STORE_OK && r->type != REDIS_REPLY_ARRAY) status = STORE_ERROR;
    if (status == STORE_OK && r->elements > 0) {
        v = calloc(r->elements, sizeof(*v));
        lens = calloc(r->elements, sizeof(*lens));
        if (v == NULL || lens == NULL) {
            status = STORE_ERROR;
        } else {
            for (n = 0; n < r->elements; n++) {
                const redisReply *e = r->element[n];
                int str = e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS;
                v[n] = str ? e->str : "";
                lens[n] = str ? e->len : 0;
            }
        }
    }
    if (status != STORE_OK) n = 0;
    c->cb.strings(status, v, lens, n, c->arg);
    free(v);
    free(lens);
}

/* ---- the primitive for the other store*.c files (store_int.h) ---- */

static void raw_finish(struct store_cmd *c, int status, redisReply *r) {
    c->cb.raw(status, r, c->arg);
}

void store_command_raw(store_reply_fn *fn, void *arg, int argc, const char **argv,
                       const size_t *lens) {
    command(raw_finish, (void *)fn, arg, argc, argv, lens);
}

void store_command_done(store_done_cb *cb, void *arg, int argc, const char **argv,
                        const size_t *lens) {
    command(done_finish, (void *)cb, arg, argc, argv, lens);
}

void store_command_int(store_done_cb *cb, void *arg, int zero_status, int argc,
                       const char **argv, const size_t *lens) {
    command(zero_status == STORE_NOT_FOUND ? missing_finish : conflict_finish, (void *)cb, arg,
            argc, argv, lens);
}

void store_command_strings(store_strings_cb *cb, void *arg, int argc, const char **argv,
                           const size_t *lens) {
    command(strings_finish, (void *)cb, arg, argc, argv, lens);
}

static const char overlay_write_lua[] =
    "if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) "
    "else redis.call('HDEL', KEYS[1], 'cancelled') end "
    "redis.call('HSET', KEYS[1], unpack(ARGV, 4)) "
    "redis.call('EXPIREAT', KEYS[1], ARGV[3]) "
    "redis.call('SADD', KEYS[2], ARGV[1]) return 1";

static const char overlay_clear_lua[] =
    "redis.call('DEL', KEYS[1]) redis.call('SREM', KEYS[2], ARGV[1]) return 1";

void store_overlay_write(const char *run, int replace, const char *const *fv, size_t nfv,
                         long long expire_at, store_done_cb *cb, void *arg) {
    char key[512], exp[24];
    const char **argv;
    size_t *lens;
    int n = 0;

    if (nfv == 0 || nfv % 2 != 0 || nfv > 100000) {
        cb(STORE_ERROR, arg);
        return;
    }
    argv = calloc(nfv + 8, sizeof(*argv));   /* 8 before the pairs */
    lens = calloc(nfv + 8, sizeof(*lens));
    if (argv == NULL || lens == NULL) {
        free(argv);
        free(lens);
        cb(STORE_ERROR, arg);
        return;
    }
    OVERLAY_RUN_KEY(key, run);
    argv[n++] = "EVAL";
    argv[n++] = overlay_write_lua;
    argv[n++] = "2";
    argv[n++] = key;
    argv[n++] = overlay_runs_key;
    argv[n++] = run;
    argv[n++] = replace ? "1" : "0";
    snprintf(exp, sizeof(exp), "%lld", expire_at);
    argv[n++] = exp;
    for (size_t i = 0; i < nfv; i++) argv[n++] = fv[i];
    for (int i = 0; i < n; i++) lens[i] = strlen(argv[i]);
    command(done_finish, (void *)cb, arg, n, argv, lens);
    free(argv);
    free(lens);
}

void store_overlay_clear(const char *run, store_done_cb *cb, void *arg) {
    char key[512];
    const char *argv[6];
    size_t lens[6];
    OVERLAY_RUN_KEY(key, run);
    argv[0] = "EVAL";
    argv[1] = overlay_clear_lua;
    argv[2] = "2";
    argv[3] = key;
    argv[4] = overlay_runs_key;
    argv[5] = run;
    for (int i = 0; i < 6; i++) lens[i] = strlen(argv[i]);
    command(done_finish, (void *)cb, arg, 6, argv, lens);
}

void store_overlay_runs(store_strings_cb *cb, void *arg) {
    const char *argv[2] = {"SMEMBERS", overlay_runs_key};
    size_t lens[2] = {8, sizeof(overlay_runs_key) - 1};
    command(strings_finish, (void *)cb, arg, 2, argv, lens);
}

static void hash_finish(struct store_cmd *c, int status, redisReply *r) {
    if (status == STORE_OK && r->type == REDIS_REPLY_ARRAY && r->elements == 0) {
        c->cb.strings(STORE_NOT_FOUND, NULL, NULL, 0, c->arg);
        return;
    }
    strings_finish(c, status, r);
}

void store_overlay_run_get(const char *run, store_strings_cb *cb, void *arg) {
    char key[512];
    OVERLAY_RUN_KEY(key, run);
    command_key(hash_finish, (void *)cb, arg, "HGETALL", key);
}

/* ---- route result cache -------------------------------------------------- */

/* One hash tag {rc} for the entries and both indexes, so that a script may
 * touch them together (docs/redis-keys.md). */
#define CACHE_KEY(buf, key) snprintf(buf, sizeof(buf), "route:{rc}:e:%s", key)
static const char cache_idx_key[] = "route:{rc}:idx";
static const char cache_exp_key[] = "route:{rc}:exp";

static void blob_finish(struct store_cmd *c, int status, redisReply *r) {
    if (status != STORE_OK) {
        c->cb.blob(status, NULL, 0, c->arg);
    } else if (r->type == REDIS_REPLY_NIL) {
        c->cb.blob(STORE_NOT_FOUND, NULL, 0, c->arg);
    } else if (r->type == REDIS_REPLY_STRING) {
        c->cb.blob(STORE_OK, r->str, r->len, c->arg);
    } else {
        c->cb.blob(STORE_ERROR, NULL, 0, c->arg);
    }
}

void store_cache_get(const char *key, store_blob_cb *cb, void *arg) {
    char k[1024];
    if ((size_t)CACHE_KEY(k, key) >= sizeof(k)) {
        cb(STORE_NOT_FOUND, NULL, 0, arg);
        return;
    }
    command_key(blob_finish, (void *)cb, arg, "GET", k);
}

static const char cache_put_lua[] =
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) "
    "redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3]) "
    "redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3]) "
    "local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[6], "
    "'LIMIT', 0, 100) "
    "for _, m in ipairs(old) do redis.call('ZREM', KEYS[2], m) "
    "redis.call('ZREM', KEYS[3], m) end return #old";

void store_cache_put(const char *key, const char *body, size_t len, long ttl_s,
                     const char *member, long long t1, long long expires,
                     long long now) {
    char k[1024], ttl[24], score[24], exp[24], nowb[24];
    const char *argv[12];
    size_t lens[12];
    int n = 0;
    if ((size_t)CACHE_KEY(k, key) >= sizeof(k)) return;
    snprintf(ttl, sizeof(ttl), "%ld", ttl_s);
    snprintf(score, sizeof(score), "%lld", t1);
    snprintf(exp, sizeof(exp), "%lld", expires);
    snprintf(nowb, sizeof(nowb), "%lld", now);
    argv[n++] = "EVAL";
    argv[n++] = cache_put_lua;
    argv[n++] = "3";
    argv[n++] = k;
    argv[n++] = cache_idx_key;
    argv[n++] = cache_exp_key;
    argv[n++] = body;
    argv[n++] = ttl;
    argv[n++] = member;
    argv[n++] = score;
    argv[n++] = exp;
    argv[n++] = nowb;
    for (int i = 0; i < n; i++) lens[i] = strlen(argv[i]);
    lens[6] = len;
    command(done_finish, NULL, NULL, n, argv, lens);
}

void store_cache_index(long long min_t1, store_strings_cb *cb, void *arg) {
    char lo[24];
    const char *argv[5];
    size_t lens[5];
    snprintf(lo, sizeof(lo), "%lld", min_t1);
    argv[0] = "ZRANGEBYSCORE";
    argv[1] = cache_idx_key;
    argv[2] = lo;
    argv[3] = "+inf";
    argv[4] = "WITHSCORES";
    for (int i = 0; i < 5; i++) lens[i] = strlen(argv[i]);
    command(strings_finish, (void *)cb, arg, 5, argv, lens);
}

/* KEYS: the two indexes, then the entries; ARGV: the members. */
static const char cache_drop_lua[] =
    "for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end "
    "for _, m in ipairs(ARGV) do redis.call('ZREM', KEYS[1], m) "
    "redis.call('ZREM', KEYS[2], m) end return 1";

void store_cache_drop(const char *const *keys, const char *const *members, size_t n) {
    size_t nkeys = 0, cap = 2 * n + 6;
    const char **argv = calloc(cap, sizeof(*argv));
    size_t *lens = calloc(cap, sizeof(*lens));
    char (*kbuf)[1024] = calloc(n ? n : 1, sizeof(*kbuf));
    char nk[24];
    int argc = 0;

    if (argv == NULL || lens == NULL || kbuf == NULL) goto done;
    for (size_t i = 0; i < n; i++)
        if (keys[i] != NULL && (size_t)CACHE_KEY(kbuf[nkeys], keys[i]) < sizeof(kbuf[0]))
            nkeys++;
    snprintf(nk, sizeof(nk), "%zu", nkeys + 2);
    argv[argc++] = "EVAL";
    argv[argc++] = cache_drop_lua;
    argv[argc++] = nk;
    argv[argc++] = cache_idx_key;
    argv[argc++] = cache_exp_key;
    for (size_t i = 0; i < nkeys; i++) argv[argc++] = kbuf[i];
    for (size_t i = 0; i < n; i++) argv[argc++] = members[i];
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    command(done_finish, NULL, NULL, argc, argv, lens);
done:
    free(argv);
    free(lens);
    free(kbuf);
}

/* ---- carrier events ------------------------------------------------------ */

/* Every event key carries the hash tag {ev}, so one script may write them
 * together (one slot in a cluster).  An event's JSON is stored once, as
 * ev:{ev}:e:SOURCE:ID, set only if absent: that SET is also the dedupe.
 * The streams (global, one per subject reference) hold only the event's
 * SOURCE:ID (its time is in the JSON).  Consignment references (a
 * container, a B/L, an AWB...) also keep a current state; movement ones (a
 * trip, a voyage, a flight...) only a stream.
 * KEYS: the global stream, the feed's stats hash, then per event its
 * ev:{ev}:e: key, then per consignment reference its stream and state
 * hash, then per movement reference its stream.
 * ARGV: retention seconds, then per event: id, json, ts, classifier rank
 * (0 PLN, 1 EST, 2 ACT), status, retracts ("" if none), number of
 * consignment references, number of movement references.  Returns one
 * 1 (stored) or 0 (duplicate) per event. */
static const char events_put_lua[] =
    "local keep = tonumber(ARGV[1]) local ki, ai, out, new = 3, 2, {}, 0 "
    /* Streams to re-expire and states to write, once each per script: a
     * vessel's departure reaches many containers on one voyage. */
    "local touched, states = {}, {} "
    "while ai <= #ARGV do "
    " local id, js, ts, cls, stat, retr, ns, nm = ARGV[ai], ARGV[ai+1], tonumber(ARGV[ai+2]), "
    "  tonumber(ARGV[ai+3]), ARGV[ai+4], ARGV[ai+5], tonumber(ARGV[ai+6]), tonumber(ARGV[ai+7]) "
    " local ek = KEYS[ki] local k = string.sub(ek, 11) "
    " ai = ai + 8 "
    " if redis.call('SET', ek, js, 'NX', 'EX', keep) then "
    "  new = new + 1 "
    "  redis.call('XADD', KEYS[1], 'MAXLEN', '~', 1000000, '*', 'k', k) "
    "  for r = 0, ns - 1 do "
    "   local sk, hk = KEYS[ki + 1 + 2*r], KEYS[ki + 2 + 2*r] "
    "   redis.call('XADD', sk, '*', 'k', k) "
    "   touched[sk] = true "
    "   local st = states[hk] "
    "   if st == nil then "
    "    local o = redis.call('HMGET', hk, 'cls', 'ts', 'id') "
    "    st = {cls = tonumber(o[1]), ts = tonumber(o[2]), id = o[3], fresh = not o[1]} "
    "    states[hk] = st "
    "   end "
    "   if retr ~= '' then "
    "    if st.id == retr then st.cls, st.ts, st.id, st.del = nil, nil, nil, true end "
    "   elseif st.cls == nil or (cls == 2 and (st.cls < 2 or ts >= st.ts)) "
    "          or (cls < 2 and st.cls < 2) then "
    "    st.cls, st.ts, st.id, st.stat, st.dirty, st.del = cls, ts, id, stat, true, false "
    "   end "
    "  end "
    "  for r = 0, nm - 1 do "
    "   local sk = KEYS[ki + 1 + 2*ns + r] "
    "   redis.call('XADD', sk, '*', 'k', k) "
    "   touched[sk] = true "
    "  end "
    "  out[#out + 1] = 1 "
    " else out[#out + 1] = 0 end "
    " ki = ki + 1 + 2 * ns + nm "
    "end "
    "for sk in pairs(touched) do redis.call('EXPIRE', sk, keep) end "
    "for hk, st in pairs(states) do "
    " if st.del then redis.call('DEL', hk) "
    " elseif st.dirty then "
    "  redis.call('HSET', hk, 'status', st.stat, 'ts', st.ts, 'cls', st.cls, 'id', st.id) "
    "  if st.fresh then redis.call('EXPIRE', hk, keep) end "
    " end "
    "end "
    "if #out > 0 then redis.call('HINCRBY', KEYS[2], 'accepted', new) "
    " redis.call('HINCRBY', KEYS[2], 'duplicates', #out - new) end "
    "return out";

/* 1 for a reference to a consignment (it has a current state), 0 for one
 * to a movement (trip, voyage, flight, train, vessel, wagon...). */
static int ref_has_state(const char *kind) {
    static const char *const kinds[] = {"container", "equipment", "bl",       "booking",
                                        "awb",       "hawb",      "cim_smgs", "shipment"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i]) == 0) return 1;
    return 0;
}

/* Events are kept this long after their last write (their JSON is also
 * the dedupe marker, so a replay within it is still a duplicate). */
#define EVENTS_KEEP_S (400L * 86400)

static void events_finish(struct store_cmd *c, int status, redisReply *r) {
    unsigned char *fresh = NULL;
    size_t n = 0;
    if (status == STORE_OK && r->type != REDIS_REPLY_ARRAY) status = STORE_ERROR;
    if (status == STORE_OK && r->elements > 0) {
        if ((fresh = malloc(r->elements)) == NULL) {
            status = STORE_ERROR;
        } else {
            for (n = 0; n < r->elements; n++)
                fresh[n] = r->element[n]->type == REDIS_REPLY_INTEGER &&
                           r->element[n]->integer == 1;
        }
    }
    c->cb.events(status, status == STORE_OK ? fresh : NULL, status == STORE_OK ? n : 0,
                 c->arg);
    free(fresh);
}

void store_events_put(const char *feed, const struct carrier_event *const *ev,
                      const char *const *json, const size_t *lens, size_t n,
                      store_events_cb *cb, void *arg) {
    size_t nkeys = 2, nargs = 1, argc = 0, pool_len = 0, used = 0;
    const char **argv = NULL;
    size_t *alen = NULL;
    char *pool = NULL, keep[24], nk[24], (*num)[4][24] = NULL;

    if (n == 0 || n > 1000) {
        cb(n == 0 ? STORE_OK : STORE_ERROR, NULL, 0, arg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        nkeys += 1;
        for (int k = 0; k < ev[i]->nrefs; k++) nkeys += ref_has_state(ev[i]->refs[k].kind) ? 2 : 1;
        nargs += 8;
        pool_len += 48 + sizeof(ev[i]->source) + sizeof(ev[i]->event_id) +
                    (size_t)ev[i]->nrefs * 2 * (24 + CARRIER_REF_KIND + CARRIER_REF_VALUE);
    }
    pool_len += 256;
    argv = calloc(3 + nkeys + nargs, sizeof(*argv));
    alen = calloc(3 + nkeys + nargs, sizeof(*alen));
    num = calloc(n, sizeof(*num));
    pool = malloc(pool_len);
    if (argv == NULL || alen == NULL || num == NULL || pool == NULL) {
        cb(STORE_ERROR, NULL, 0, arg);
        goto done;
    }
/* A key written into the pool, NUL-terminated, as the next argument. */
#define POOL_KEY(...)                                                              \
    do {                                                                           \
        int w_ = snprintf(pool + used, pool_len - used, __VA_ARGS__);             \
        argv[argc++] = pool + used;                                                \
        used += (size_t)w_ + 1;                                                    \
    } while (0)
    snprintf(nk, sizeof(nk), "%zu", nkeys);
    argv[argc++] = "EVAL";
    argv[argc++] = events_put_lua;
    argv[argc++] = nk;
    POOL_KEY("ev:{ev}:all");
    POOL_KEY("ev:{ev}:feed:%s:stats", feed);
    for (size_t i = 0; i < n; i++) {
        const struct carrier_event *e = ev[i];
        POOL_KEY("ev:{ev}:e:%s:%s", e->source, e->event_id);
        for (int k = 0; k < e->nrefs; k++)
            if (ref_has_state(e->refs[k].kind)) {
                POOL_KEY("ev:{ev}:ref:%s:%s", e->refs[k].kind, e->refs[k].value);
                POOL_KEY("ev:{ev}:state:%s:%s", e->refs[k].kind, e->refs[k].value);
            }
        for (int k = 0; k < e->nrefs; k++)
            if (!ref_has_state(e->refs[k].kind))
                POOL_KEY("ev:{ev}:ref:%s:%s", e->refs[k].kind, e->refs[k].value);
    }
#undef POOL_KEY
    snprintf(keep, sizeof(keep), "%ld", EVENTS_KEEP_S);
    argv[argc++] = keep;
    for (size_t i = 0; i < n; i++) {
        const struct carrier_event *e = ev[i];
        snprintf(num[i][0], sizeof(num[i][0]), "%lld", (long long)e->event_time);
        snprintf(num[i][1], sizeof(num[i][1]), "%d", (int)e->classifier);
        {
            int ns = 0;
            for (int k = 0; k < e->nrefs; k++) ns += ref_has_state(e->refs[k].kind);
            snprintf(num[i][2], sizeof(num[i][2]), "%d", ns);
            snprintf(num[i][3], sizeof(num[i][3]), "%d", e->nrefs - ns);
        }
        argv[argc++] = e->event_id;
        alen[argc] = lens[i];
        argv[argc++] = json[i];
        argv[argc++] = num[i][0];
        argv[argc++] = num[i][1];
        argv[argc++] = carrier_status_name(e->status);
        argv[argc++] = e->retracted ? e->retracts : "";
        argv[argc++] = num[i][2];
        argv[argc++] = num[i][3];
    }
    for (size_t i = 0; i < argc; i++)
        if (alen[i] == 0) alen[i] = strlen(argv[i]);
    command(events_finish, (void *)cb, arg, (int)argc, argv, alen);
done:
    free(argv);
    free(alen);
    free(num);
    free(pool);
}

#define REJECTS_KEY(buf, feed) snprintf(buf, sizeof(buf), "ev:{ev}:feed:%s:rejects", feed)

static const char rejects_add_lua[] =
    "for i = 2, #ARGV, 2 do redis.call('XADD', KEYS[1], 'MAXLEN', '~', 10000, '*', "
    "'received', ARGV[1], 'index', ARGV[i], 'reason', ARGV[i+1]) end "
    "redis.call('HINCRBY', KEYS[2], 'rejected', (#ARGV - 1) / 2) return 1";

void store_feed_rejects_add(const char *feed, long long received, const size_t *index,
                            const char *const *reasons, size_t n, store_done_cb *cb,
                            void *arg) {
    size_t cap = 6 + 2 * n;
    const char **argv = calloc(cap, sizeof(*argv));
    size_t *lens = calloc(cap, sizeof(*lens));
    char (*idx)[24] = calloc(n ? n : 1, sizeof(*idx));
    char key[128], stats[128], rec[24];
    int argc = 0;

    if (argv == NULL || lens == NULL || idx == NULL || n == 0) {
        if (cb) cb(n == 0 ? STORE_OK : STORE_ERROR, arg);
        goto done;
    }
    REJECTS_KEY(key, feed);
    snprintf(stats, sizeof(stats), "ev:{ev}:feed:%s:stats", feed);
    snprintf(rec, sizeof(rec), "%lld", received);
    argv[argc++] = "EVAL";
    argv[argc++] = rejects_add_lua;
    argv[argc++] = "2";
    argv[argc++] = key;
    argv[argc++] = stats;
    argv[argc++] = rec;
    for (size_t i = 0; i < n; i++) {
        snprintf(idx[i], sizeof(idx[i]), "%zu", index[i]);
        argv[argc++] = idx[i];
        argv[argc++] = reasons[i];
    }
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    command(done_finish, (void *)cb, arg, argc, argv, lens);
done:
    free(argv);
    free(lens);
    free(idx);
}

/* An XRANGE / XREVRANGE reply flattened: per entry its id, then the
 * values of its field/value pairs (fields dropped). */
static void stream_finish(struct store_cmd *c, int status, redisReply *r) {
    const char **v = NULL;
    size_t *lens = NULL, n = 0, cap = 0;
    if (status == STORE_OK && r->type != REDIS_REPLY_ARRAY) status = STORE_ERROR;
    if (status == STORE_OK) {
        for (size_t i = 0; i < r->elements; i++) {
            const redisReply *e = r->element[i];
            if (e->type == REDIS_REPLY_ARRAY && e->elements == 2 &&
                e->element[1]->type == REDIS_REPLY_ARRAY)
                cap += 1 + e->element[1]->elements / 2;
        }
        v = calloc(cap ? cap : 1, sizeof(*v));
        lens = calloc(cap ? cap : 1, sizeof(*lens));
        if (v == NULL || lens == NULL) status = STORE_ERROR;
    }
    if (status == STORE_OK) {
        for (size_t i = 0; i < r->elements; i++) {
            const redisReply *e = r->element[i], *fv;
            if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
                e->element[1]->type != REDIS_REPLY_ARRAY)
                continue;
            v[n] = e->element[0]->type == REDIS_REPLY_STRING ? e->element[0]->str : "";
            lens[n] = strlen(v[n]);
            n++;
            fv = e->element[1];
            for (size_t k = 1; k < fv->elements; k += 2) {
                int str = fv->element[k]->type == REDIS_REPLY_STRING;
                v[n] = str ? fv->element[k]->str : "";
                lens[n] = str ? fv->element[k]->len : 0;
                n++;
            }
        }
    }
    c->cb.strings(status, v, lens, status == STORE_OK ? n : 0, c->arg);
    free(v);
    free(lens);
}

void store_feed_rejects_list(const char *feed, long count, store_strings_cb *cb, void *arg) {
    char key[128], cnt[24];
    const char *argv[6];
    size_t lens[6];
    REJECTS_KEY(key, feed);
    snprintf(cnt, sizeof(cnt), "%ld", count);
    argv[0] = "XREVRANGE";
    argv[1] = key;
    argv[2] = "+";
    argv[3] = "-";
    argv[4] = "COUNT";
    argv[5] = cnt;
    for (int i = 0; i < 6; i++) lens[i] = strlen(argv[i]);
    command(stream_finish, (void *)cb, arg, 6, argv, lens);
}

/* A timeline read in two steps, as the keys of the second come from the
 * first: XREVRANGE of the subject's stream for the newest event keys, then one MGET
 * of their JSON (an event past its retention is skipped). */
struct about {
    store_strings_cb *cb;
    void *arg;
};

static void about_got_json(struct store_cmd *c, int status, redisReply *r) {
    struct about *ab = c->arg;
    const char **v = NULL;
    size_t *lens = NULL, n = 0;
    if (status == STORE_OK && r->type != REDIS_REPLY_ARRAY) status = STORE_ERROR;
    if (status == STORE_OK && r->elements > 0) {
        v = calloc(r->elements, sizeof(*v));
        lens = calloc(r->elements, sizeof(*lens));
        if (v == NULL || lens == NULL) status = STORE_ERROR;
        for (size_t i = 0; status == STORE_OK && i < r->elements; i++)
            if (r->element[i]->type == REDIS_REPLY_STRING) {
                v[n] = r->element[i]->str;
                lens[n++] = r->element[i]->len;
            }
    }
    ab->cb(status, v, lens, status == STORE_OK ? n : 0, ab->arg);
    free(v);
    free(lens);
    free(ab);
}

static void about_got_keys(struct store_cmd *c, int status, redisReply *r) {
    struct about *ab = c->arg;
    const char **argv = NULL;
    size_t *lens = NULL, n = 0;
    char (*keys)[CARRIER_ID_LEN + 64] = NULL;
    if (status == STORE_OK && r->type != REDIS_REPLY_ARRAY) status = STORE_ERROR;
    if (status != STORE_OK || r->elements == 0) {
        ab->cb(status, NULL, NULL, 0, ab->arg);
        free(ab);
        return;
    }
    argv = calloc(r->elements + 1, sizeof(*argv));
    lens = calloc(r->elements + 1, sizeof(*lens));
    keys = calloc(r->elements, sizeof(*keys));
    if (argv == NULL || lens == NULL || keys == NULL) {
        ab->cb(STORE_ERROR, NULL, NULL, 0, ab->arg);
        free(ab);
        goto done;
    }
    argv[n++] = "MGET";
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i], *fv;
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
            (fv = e->element[1])->type != REDIS_REPLY_ARRAY)
            continue;
        for (size_t k = 0; k + 1 < fv->elements; k += 2)
            if (fv->element[k]->type == REDIS_REPLY_STRING &&
                strcmp(fv->element[k]->str, "k") == 0 &&
                fv->element[k + 1]->type == REDIS_REPLY_STRING &&
                (size_t)snprintf(keys[n - 1], sizeof(keys[0]), "ev:{ev}:e:%s",
                                 fv->element[k + 1]->str) < sizeof(keys[0]))
                argv[n] = keys[n - 1], n++;
    }
    for (size_t i = 0; i < n; i++) lens[i] = strlen(argv[i]);
    if (n == 1) {
        ab->cb(STORE_OK, NULL, NULL, 0, ab->arg);
        free(ab);
        goto done;
    }
    /* Not from inside this reply's callback: command() only queues it. */
    command(about_got_json, NULL, ab, (int)n, argv, lens);
done:
    free(argv);
    free(lens);
    free(keys);
}

void store_events_about(const char *kind, const char *value, long count,
                        store_strings_cb *cb, void *arg) {
    char key[256], cnt[24];
    const char *argv[6];
    size_t lens[6];
    struct about *ab;
    if ((size_t)snprintf(key, sizeof(key), "ev:{ev}:ref:%s:%s", kind, value) >= sizeof(key)) {
        cb(STORE_NOT_FOUND, NULL, NULL, 0, arg);
        return;
    }
    if ((ab = malloc(sizeof(*ab))) == NULL) {
        cb(STORE_ERROR, NULL, NULL, 0, arg);
        return;
    }
    ab->cb = cb;
    ab->arg = arg;
    snprintf(cnt, sizeof(cnt), "%ld", count);
    argv[0] = "XREVRANGE";   /* the newest: a long voyage outgrows any page */
    argv[1] = key;
    argv[2] = "+";
    argv[3] = "-";
    argv[4] = "COUNT";
    argv[5] = cnt;
    for (int i = 0; i < 6; i++) lens[i] = strlen(argv[i]);
    command(about_got_keys, NULL, ab, 6, argv, lens);
}

void store_events_state(const char *kind, const char *value, store_strings_cb *cb, void *arg) {
    char key[256];
    if ((size_t)snprintf(key, sizeof(key), "ev:{ev}:state:%s:%s", kind, value) >= sizeof(key)) {
        cb(STORE_NOT_FOUND, NULL, NULL, 0, arg);
        return;
    }
    command_key(hash_finish, (void *)cb, arg, "HGETALL", key);
}
