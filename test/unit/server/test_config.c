/* Tests for server/config.c: defaults, the config-file parser, HOST:PORT,
 * the environment and the full command-line parse with its precedence. */
#include "server/config.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXV 32

/* An argv or envp built from string literals: getopt_long may permute v,
 * so the copies are freed through own. */
struct strv {
    char *v[MAXV + 1];
    char *own[MAXV];
    int n;
};

static void strv_set(struct strv *s, const char *const *items) {
    s->n = 0;
    for (; items != NULL && *items != NULL; items++) {
        cr_assert_lt(s->n, MAXV, "too many strings for struct strv");
        s->own[s->n] = strdup(*items);
        cr_assert_not_null(s->own[s->n]);
        s->v[s->n] = s->own[s->n];
        s->n++;
    }
    s->v[s->n] = NULL;
}

static void strv_free(struct strv *s) {
    for (int i = 0; i < s->n; i++)
        free(s->own[i]);
    s->n = 0;
}

/* cfg_from_args on copies of ARGS and ENV (ENV may be NULL). */
static int from_args(struct srv_config *cfg, const char *const *args,
                     const char *const *env, char *err, size_t errlen) {
    struct strv a, e;
    int rc;
    strv_set(&a, args);
    strv_set(&e, env);
    err[0] = '\0';
    rc = cfg_from_args(cfg, a.n, a.v, env ? e.v : NULL, err, errlen);
    strv_free(&a);
    strv_free(&e);
    return rc;
}

/* cfg_apply_env on a copy of ENV. */
static int apply_env(struct srv_config *cfg, const char *const *env, char *err,
                     size_t errlen) {
    struct strv e;
    int rc;
    strv_set(&e, env);
    err[0] = '\0';
    rc = cfg_apply_env(cfg, e.v, err, errlen);
    strv_free(&e);
    return rc;
}

/* Parse LEN bytes from an exactly sized heap copy, so that AddressSanitizer
 * catches any read past the end. */
static int parse_n(struct srv_config *cfg, const char *text, size_t len,
                   const char *source, char *err, size_t errlen) {
    char *copy = malloc(len ? len : 1);
    int rc;
    cr_assert_not_null(copy);
    memcpy(copy, text, len);
    err[0] = '\0';
    rc = cfg_parse_buffer(cfg, copy, len, source, err, errlen);
    free(copy);
    return rc;
}

static int parse(struct srv_config *cfg, const char *text, char *err, size_t errlen) {
    return parse_n(cfg, text, strlen(text), "test.conf", err, errlen);
}

#define assert_has(hay, needle)                                                        \
    cr_assert(strstr((hay), (needle)) != NULL, "expected '%s' in '%s'", (needle), (hay))
#define assert_lacks(hay, needle)                                                      \
    cr_assert(strstr((hay), (needle)) == NULL, "did not expect '%s' in '%s'",          \
              (needle), (hay))

/* Write TEXT to a fresh temporary file; its name goes to path. */
static void write_temp(char *path, size_t pathlen, const char *text) {
    const char *dir = getenv("TMPDIR");
    int fd;
    size_t len = strlen(text);
    snprintf(path, pathlen, "%s/dongting-test-XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp %s failed", path);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
}

/* ---- defaults ------------------------------------------------------------ */

Test(config, defaults) {
    struct srv_config c;
    memset(&c, 0x5a, sizeof(c));
    cfg_defaults(&c);
    cr_assert_str_eq(c.listen_host, "127.0.0.1");
    cr_assert_eq(c.listen_port, 8080);
    cr_assert_str_eq(c.redis_host, "127.0.0.1");
    cr_assert_eq(c.redis_port, 6379);
    cr_assert_str_eq(c.admin_key, "");
    cr_assert_str_eq(c.config_file, "");
    cr_assert_str_eq(c.data_dir, "geodata/data");
    cr_assert_eq(c.max_body_bytes, 1048576);
    cr_assert_eq(c.max_header_bytes, 16384);
    cr_assert_eq(c.max_connections, 1024);
    cr_assert_eq(c.idle_timeout_s, 30);
    cr_assert_eq(c.request_timeout_s, 10);
    cr_assert_eq(c.redis_timeout_ms, 2000);
    cr_assert_eq(c.redis_connect_timeout_ms, 1000);
    cr_assert_eq(c.shutdown_grace_s, 10);
    cr_assert_eq(c.rate_limit_rps, 50);
    cr_assert_eq(c.rate_limit_burst, 100);
    cr_assert_eq(c.route_cache_ttl_s, 3600);
}

Test(config, route_cache_ttl_zero_turns_the_cache_off) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(cfg_set(&c, "route_cache_ttl", "0", err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(c.route_cache_ttl_s, 0);
    cr_assert_eq(cfg_set(&c, "route_cache_ttl", "-1", err, sizeof(err)), -1);
    cr_assert(strstr(err, "route_cache_ttl") != NULL, "%s", err);
}

/* ---- cfg_parse_buffer ---------------------------------------------------- */

Test(config, parse_good_file) {
    static const char text[] = "\xEF\xBB\xBF# Dongting test configuration\n"
                               "\n"
                               "   # an indented comment\n"
                               "listen = 0.0.0.0:9090\r\n"
                               "redis=[::1]:6380\n"
                               "\tmax_body_bytes\t=\t2048   \n"
                               "max_header_bytes = \"4096\"\n"
                               "admin_key = \"0123456789abcdef#not-a-comment\"\n"
                               "   \t  \n"
                               "max_connections = 7\n"
                               "idle_timeout = 1\n"
                               "request_timeout = 3600\n"
                               "redis_timeout_ms = 10\n"
                               "redis_connect_timeout_ms = 600000\n"
                               "shutdown_grace = 0\n"
                               "rate_limit_rps = 0\n"
                               "rate_limit_burst = 1000000"; /* no final newline */
    struct srv_config c;
    char err[CFG_ERR_LEN];

    cfg_defaults(&c);
    cr_assert_eq(parse(&c, text, err, sizeof(err)), 0, "error: %s", err);
    cr_assert_str_eq(c.listen_host, "0.0.0.0");
    cr_assert_eq(c.listen_port, 9090);
    cr_assert_str_eq(c.redis_host, "::1");
    cr_assert_eq(c.redis_port, 6380);
    cr_assert_eq(c.max_body_bytes, 2048);
    cr_assert_eq(c.max_header_bytes, 4096);
    cr_assert_str_eq(c.admin_key, "0123456789abcdef#not-a-comment");
    cr_assert_eq(c.max_connections, 7);
    cr_assert_eq(c.idle_timeout_s, 1);
    cr_assert_eq(c.request_timeout_s, 3600);
    cr_assert_eq(c.redis_timeout_ms, 10);
    cr_assert_eq(c.redis_connect_timeout_ms, 600000);
    cr_assert_eq(c.shutdown_grace_s, 0);
    cr_assert_eq(c.rate_limit_rps, 0);
    cr_assert_eq(c.rate_limit_burst, 1000000);
}

Test(config, parse_empty_and_comments_change_nothing) {
    struct srv_config c, d;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cfg_defaults(&d);
    cr_assert_eq(parse_n(&c, "", 0, "empty.conf", err, sizeof(err)), 0);
    cr_assert_eq(parse(&c, "\xEF\xBB\xBF", err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(parse(&c, "# listen = 1.2.3.4:5\n\n\r\n  # x\n", err, sizeof(err)), 0,
                 "%s", err);
    cr_assert_eq(memcmp(&c, &d, sizeof(c)), 0, "comments changed the config");
}

Test(config, quotes_keep_inner_spaces) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(parse(&c, "max_connections = \"7\"\n", err, sizeof(err)), 0, "%s",
                 err);
    cr_assert_eq(c.max_connections, 7);
    /* Inside quotes a trailing space is part of the value: not a number. */
    cr_assert_eq(parse(&c, "max_connections = \"8 \"\n", err, sizeof(err)), -1);
    assert_has(err, "max_connections");
    cr_assert_eq(c.max_connections, 7);
    /* A lone quote is not a quoted value. */
    cr_assert_eq(parse(&c, "max_connections = \"\n", err, sizeof(err)), -1);
}

Test(config, bom_only_at_start) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(parse(&c, "\n\xEF\xBB\xBFlisten = 1.2.3.4:5\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf:2:");
    assert_has(err, "unknown option");
    cr_assert_str_eq(c.listen_host, "127.0.0.1");
}

Test(config, unknown_option_names_source_line_and_option) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    static const char text[] = "listen = 1.2.3.4:80\nbogus_option = 1\n";
    cr_assert_eq(parse_n(&c, text, strlen(text), "site.conf", err, sizeof(err)), -1);
    assert_has(err, "site.conf:2:");
    assert_has(err, "bogus_option");
    /* Names match whole: a prefix or a CLI spelling is unknown too. */
    cr_assert_eq(parse(&c, "max_body = 2048\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf:1: unknown option 'max_body'");
    cr_assert_eq(parse(&c, "max-body-bytes = 2048\n", err, sizeof(err)), -1);
    assert_has(err, "'max-body-bytes'");
}

Test(config, missing_equals) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(parse(&c, "# ok\nmax_connections 5\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf:2:");
    assert_has(err, "name = value");
}

Test(config, missing_name) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(parse(&c, "  = 5\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf:1:");
    assert_has(err, "missing option name");
}

Test(config, out_of_range_names_the_range) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(parse(&c, "max_body_bytes = 1023\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf:1:");
    assert_has(err, "max_body_bytes");
    assert_has(err, "1024..1073741824");
    cr_assert_eq(c.max_body_bytes, 1048576);

    cr_assert_eq(parse(&c, "max_body_bytes = 1073741825\n", err, sizeof(err)), -1);
    assert_has(err, "1024..1073741824");
    cr_assert_eq(parse(&c, "max_body_bytes = 1073741824\n", err, sizeof(err)), 0, "%s",
                 err);
    cr_assert_eq(c.max_body_bytes, 1073741824L);

    cr_assert_eq(parse(&c, "shutdown_grace = -1\n", err, sizeof(err)), -1);
    assert_has(err, "0..3600");
    cr_assert_eq(parse(&c, "max_connections = 0\n", err, sizeof(err)), -1);
    assert_has(err, "1..1000000");
}

Test(config, not_a_number) {
    static const char *const bad[] = {"12abc", "",    "0x10",
                                      "1.5",   "5 5", "99999999999999999999999"};
    struct srv_config c;
    char err[CFG_ERR_LEN], line[128];
    cfg_defaults(&c);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(line, sizeof(line), "max_connections = %s\n", bad[i]);
        cr_assert_eq(parse(&c, line, err, sizeof(err)), -1, "accepted '%s'", bad[i]);
        assert_has(err, "max_connections");
        assert_has(err, "not a whole number");
    }
    cr_assert_eq(c.max_connections, 1024);
}

Test(config, bad_hostport) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(parse(&c, "listen = localhost\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf:1:");
    assert_has(err, "listen");
    assert_has(err, "HOST:PORT");
    cr_assert_eq(parse(&c, "redis = 10.0.0.1:70000\n", err, sizeof(err)), -1);
    assert_has(err, "redis");
    assert_has(err, "10.0.0.1:70000");
    cr_assert_str_eq(c.listen_host, "127.0.0.1");
    cr_assert_eq(c.listen_port, 8080);
    cr_assert_str_eq(c.redis_host, "127.0.0.1");
    cr_assert_eq(c.redis_port, 6379);
}

Test(config, nul_byte) {
    static const char text[] = "max_connections = 5\nlisten = 1.2.3.4\0:80\n";
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(parse_n(&c, text, sizeof(text) - 1, "nul.conf", err, sizeof(err)), -1);
    assert_has(err, "nul.conf:2:");
    assert_has(err, "NUL");
    cr_assert_eq(c.max_connections, 5);
    cr_assert_str_eq(c.listen_host, "127.0.0.1");
}

Test(config, error_on_line_3_keeps_lines_1_and_2) {
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(parse(&c,
                       "max_connections = 11\n"
                       "listen = 10.1.2.3:81\n"
                       "idle_timeout = forever\n"
                       "request_timeout = 99\n",
                       err, sizeof(err)),
                 -1);
    assert_has(err, "test.conf:3:");
    assert_has(err, "idle_timeout");
    cr_assert_eq(c.max_connections, 11);
    cr_assert_str_eq(c.listen_host, "10.1.2.3");
    cr_assert_eq(c.listen_port, 81);
    cr_assert_eq(c.idle_timeout_s, 30);
    cr_assert_eq(c.request_timeout_s, 10);
}

Test(config, value_too_long) {
    char text[700];
    struct srv_config c;
    char err[CFG_ERR_LEN];
    size_t n = (size_t)snprintf(text, sizeof(text), "listen = ");
    memset(text + n, 'a', 600);
    memcpy(text + n + 600, ":80\n", 5);
    cfg_defaults(&c);
    cr_assert_eq(parse(&c, text, err, sizeof(err)), -1);
    assert_has(err, "test.conf:1:");
    assert_has(err, "listen");
    cr_assert_str_eq(c.listen_host, "127.0.0.1");
}

Test(config, small_error_buffer_is_terminated) {
    struct srv_config c;
    char err[8];
    memset(err, 'x', sizeof(err));
    cfg_defaults(&c);
    cr_assert_eq(
        parse_n(&c, "bogus = 1", 9, "a-long-source-name.conf", err, sizeof(err)), -1);
    cr_assert_lt(strnlen(err, sizeof(err)), sizeof(err));
    cr_assert_str_eq(err, "a-long-");
}

Test(config, cfg_set) {
    struct srv_config c;
    char err[CFG_ERR_LEN] = "";
    cfg_defaults(&c);
    cr_assert_eq(cfg_set(&c, "rate_limit_rps", "5", err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(c.rate_limit_rps, 5);
    cr_assert_eq(cfg_set(&c, "listen", "[::]:1", err, sizeof(err)), 0, "%s", err);
    cr_assert_str_eq(c.listen_host, "::");
    cr_assert_eq(c.listen_port, 1);
    cr_assert_eq(cfg_set(&c, "no_such", "5", err, sizeof(err)), -1);
    assert_has(err, "unknown option 'no_such'");
}

/* ---- cfg_parse_hostport -------------------------------------------------- */

Test(hostport, good) {
    char host[64];
    int port = 0;
    cr_assert_eq(cfg_parse_hostport("127.0.0.1:80", host, sizeof(host), &port), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(port, 80);
    cr_assert_eq(cfg_parse_hostport("[::1]:8080", host, sizeof(host), &port), 0);
    cr_assert_str_eq(host, "::1");
    cr_assert_eq(port, 8080);
    cr_assert_eq(cfg_parse_hostport("redis-1.local:65535", host, sizeof(host), &port),
                 0);
    cr_assert_str_eq(host, "redis-1.local");
    cr_assert_eq(port, 65535);
    cr_assert_eq(cfg_parse_hostport("h:1", host, sizeof(host), &port), 0);
    cr_assert_str_eq(host, "h");
    cr_assert_eq(port, 1);
}

Test(hostport, bad) {
    static const char *const bad[] = {
        "host:0",        "host:65536", "::1:80",    "",
        "host",          "host:",      ":80",       "host:80x",
        "host:-1",       "[::1]8080",  "[::1]",     "[]:80",
        "[::1:80",       "a b:80",     "host/x:80", "host:99999999999999999999",
        "1.2.3.4:80:90",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char host[64] = "untouched";
        int port = 4242;
        cr_assert_eq(cfg_parse_hostport(bad[i], host, sizeof(host), &port), -1,
                     "accepted '%s'", bad[i]);
        cr_assert_str_eq(host, "untouched", "'%s' wrote host on failure", bad[i]);
        cr_assert_eq(port, 4242, "'%s' wrote port on failure", bad[i]);
    }
    cr_assert_eq(cfg_parse_hostport(NULL, NULL, 0, NULL), -1);
}

Test(hostport, host_must_fit) {
    char host[5];
    int port = 0;
    cr_assert_eq(cfg_parse_hostport("abcd:1", host, sizeof(host), &port), 0);
    cr_assert_str_eq(host, "abcd");
    cr_assert_eq(cfg_parse_hostport("abcde:1", host, sizeof(host), &port), -1);
    cr_assert_eq(cfg_parse_hostport("[abcde]:1", host, sizeof(host), &port), -1);
}

/* ---- cfg_apply_env ------------------------------------------------------- */

Test(env, applies_known_variables_only) {
    static const char *const env[] = {
        "PATH=/usr/bin",
        "DONGTING_MAX_BODY_BYTESX=1", /* longer name: not ours */
        "DONGTING_MAX_BODY_BYTES=4096",
        "XDONGTING_MAX_CONNECTIONS=3",
        "DONGTING_REDIS=10.9.8.7:6390",
        "DONGTING_REDIS_TIMEOUT_MS=250",
        NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(apply_env(&c, env, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(c.max_body_bytes, 4096);
    cr_assert_eq(c.max_connections, 1024);
    cr_assert_str_eq(c.redis_host, "10.9.8.7");
    cr_assert_eq(c.redis_port, 6390);
    cr_assert_eq(c.redis_timeout_ms, 250);
    cr_assert_eq(cfg_apply_env(&c, NULL, err, sizeof(err)), 0);
}

Test(env, bad_value_names_the_variable) {
    static const char *const env[] = {"DONGTING_MAX_BODY_BYTES=lots", NULL};
    static const char *const env2[] = {"DONGTING_LISTEN=nowhere", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    cr_assert_eq(apply_env(&c, env, err, sizeof(err)), -1);
    assert_has(err, "DONGTING_MAX_BODY_BYTES");
    assert_has(err, "not a whole number");
    cr_assert_eq(c.max_body_bytes, 1048576);
    cr_assert_eq(apply_env(&c, env2, err, sizeof(err)), -1);
    assert_has(err, "DONGTING_LISTEN");
    cr_assert_str_eq(c.listen_host, "127.0.0.1");
}

/* ---- cfg_from_args ------------------------------------------------------- */

Test(args, defaults_without_anything) {
    static const char *const args[] = {"dongting", NULL};
    struct srv_config c, d;
    char err[CFG_ERR_LEN];
    memset(&c, 0x77, sizeof(c));
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_OK, "%s", err);
    cfg_defaults(&d);
    cr_assert_eq(memcmp(&c, &d, sizeof(c)), 0);
}

Test(args, precedence_file_env_argv) {
    char path[256], cfgarg[300];
    struct srv_config c;
    char err[CFG_ERR_LEN];
    write_temp(path, sizeof(path),
               "max_connections = 10\n"
               "max_body_bytes = 2048\n"
               "idle_timeout = 5\n"
               "listen = 10.0.0.1:1000\n");
    snprintf(cfgarg, sizeof(cfgarg), "--config=%s", path);
    {
        const char *args[] = {"dongting", "--max-connections",      "30",
                              cfgarg,     "--listen=10.0.0.3:3000", NULL};
        const char *env[] = {
            "DONGTING_MAX_BODY_BYTES=4096", "DONGTING_MAX_CONNECTIONS=20",
            "DONGTING_LISTEN=10.0.0.2:2000", "DONGTING_REQUEST_TIMEOUT=7", NULL};
        int rc = from_args(&c, args, env, err, sizeof(err));
        unlink(path);
        cr_assert_eq(rc, CFG_OK, "%s", err);
    }
    cr_assert_str_eq(c.config_file, path);
    cr_assert_eq(c.idle_timeout_s, 5);    /* file only */
    cr_assert_eq(c.max_body_bytes, 4096); /* env over file */
    cr_assert_eq(c.request_timeout_s, 7); /* env only */
    cr_assert_eq(c.max_connections, 30);  /* argv over env and file */
    cr_assert_str_eq(c.listen_host, "10.0.0.3");
    cr_assert_eq(c.listen_port, 3000);
    cr_assert_eq(c.rate_limit_rps, 50); /* default */
}

Test(args, config_from_environment) {
    char path[256], envcfg[300];
    struct srv_config c;
    char err[CFG_ERR_LEN];
    int rc;
    write_temp(path, sizeof(path), "rate_limit_burst = 3\n");
    snprintf(envcfg, sizeof(envcfg), "DONGTING_CONFIG=%s", path);
    {
        const char *args[] = {"dongting", NULL};
        const char *env[] = {envcfg, NULL};
        rc = from_args(&c, args, env, err, sizeof(err));
    }
    unlink(path);
    cr_assert_eq(rc, CFG_OK, "%s", err);
    cr_assert_eq(c.rate_limit_burst, 3);
    cr_assert_str_eq(c.config_file, path);
}

Test(args, config_file_error_names_file_and_line) {
    char path[256];
    struct srv_config c;
    char err[CFG_ERR_LEN];
    int rc;
    write_temp(path, sizeof(path), "max_connections = 3\nwhat = 1\n");
    {
        const char *args[] = {"dongting", "--config", path, NULL};
        rc = from_args(&c, args, NULL, err, sizeof(err));
    }
    unlink(path);
    cr_assert_eq(rc, CFG_ERROR);
    assert_has(err, path);
    assert_has(err, ":2:");
    assert_has(err, "what");
}

Test(args, unreadable_config_names_the_path) {
    static const char *const args[] = {"dongting", "--config",
                                       "/nonexistent-dongting-dir/dongting.conf", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_ERROR);
    assert_has(err, "/nonexistent-dongting-dir/dongting.conf");
}

Test(args, unknown_option) {
    static const char *const args[] = {"dongting", "--listen", "1.2.3.4:5",
                                       "--frobnicate", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_ERROR);
    assert_has(err, "--frobnicate");
}

Test(args, missing_value) {
    static const char *const args[] = {"dongting", "--max-body-bytes", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_ERROR);
    assert_has(err, "--max-body-bytes");
    assert_has(err, "needs a value");
}

Test(args, unexpected_argument) {
    static const char *const args[] = {"dongting", "stray", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_ERROR);
    assert_has(err, "stray");
}

Test(args, bad_value_names_the_flag) {
    static const char *const args[] = {"dongting", "--max-connections", "0", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_ERROR);
    assert_has(err, "--max-connections");
    assert_has(err, "1..1000000");
}

Test(args, bad_env_fails_the_whole_parse) {
    static const char *const args[] = {"dongting", NULL};
    static const char *const env[] = {"DONGTING_IDLE_TIMEOUT=0", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, env, err, sizeof(err)), CFG_ERROR);
    assert_has(err, "DONGTING_IDLE_TIMEOUT");
}

Test(args, version_exits, .init = cr_redirect_stdout) {
    static const char *const args[] = {"dongting", "--version", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_EXIT);
    fflush(stdout);
    cr_assert_stdout_eq_str("dongting 0.1.0\n");
}

/* ---- admin_key: validated, and never echoed ------------------------------ */

Test(admin_key, accepted_when_long_enough) {
    static const char *const args[] = {"dongting", "--admin-key", "0123456789abcdef",
                                       NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_OK, "%s", err);
    cr_assert_str_eq(c.admin_key, "0123456789abcdef");
}

Test(admin_key, short_key_rejected_without_echo) {
    static const char secret[] = "Sh0rtSecret-15c"; /* 15 characters */
    struct srv_config c;
    char err[CFG_ERR_LEN];

    {
        const char *args[] = {"dongting", "--admin-key", secret, NULL};
        cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_ERROR);
        assert_has(err, "admin");
        assert_has(err, "16");
        assert_lacks(err, secret);
    }
    {
        const char *args[] = {"dongting", NULL};
        const char *env[] = {"DONGTING_ADMIN_KEY=Sh0rtSecret-15c", NULL};
        cr_assert_eq(from_args(&c, args, env, err, sizeof(err)), CFG_ERROR);
        assert_has(err, "DONGTING_ADMIN_KEY");
        assert_lacks(err, secret);
    }
    cfg_defaults(&c);
    cr_assert_eq(parse(&c, "admin_key = Sh0rtSecret-15c\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf:1:");
    assert_lacks(err, secret);
    cr_assert_str_eq(c.admin_key, "");
}

Test(admin_key, bad_characters_and_length_rejected_without_echo) {
    char longkey[200];
    struct srv_config c;
    char err[CFG_ERR_LEN];

    cfg_defaults(&c);
    cr_assert_eq(cfg_set(&c, "admin_key", "Secret with spaces 123", err, sizeof(err)),
                 -1);
    assert_lacks(err, "Secret");
    cr_assert_eq(cfg_set(&c, "admin_key",
                         "SecretWith\x01"
                         "Control123",
                         err, sizeof(err)),
                 -1);
    assert_lacks(err, "SecretWith");
    memset(longkey, 'K', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    cr_assert_eq(cfg_set(&c, "admin_key", longkey, err, sizeof(err)), -1);
    assert_has(err, "127");
    assert_lacks(err, "KKKKKKKK");
    cr_assert_str_eq(c.admin_key, "");
    longkey[127] = '\0';
    cr_assert_eq(cfg_set(&c, "admin_key", longkey, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(strlen(c.admin_key), 127);
}

/* An unknown short option inside a cluster ("-xy") must not make the
 * message quote the argument before it, which may be the admin key. */
Test(admin_key, unknown_short_option_does_not_echo_previous_argument) {
    static const char *const args[] = {"dongting", "--admin-key",
                                       "SuperSecretKey0123456789", "-xy", NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_ERROR);
    assert_lacks(err, "SuperSecretKey0123456789");
}

/* A mistyped long option with an attached value names the option only. */
Test(admin_key, unknown_long_option_does_not_echo_its_value) {
    static const char *const args[] = {"dongting", "--admin-keyy=SuperSecretKey0123456789",
                                       NULL};
    struct srv_config c;
    char err[CFG_ERR_LEN];
    cr_assert_eq(from_args(&c, args, NULL, err, sizeof(err)), CFG_ERROR);
    assert_lacks(err, "SuperSecret");
    cr_assert(strstr(err, "--admin-keyy") != NULL, "%s", err);
}

/* ---- carrier feeds -------------------------------------------------------- */

Test(config, five_builtin_feeds_push_only) {
    struct srv_config cfg;
    static const char *const names[] = {"chenglingji", "sanhe", "sanhe-1r", "rail", "rail-rt"};
    static const char *const formats[] = {"dcsa-tnt", "iata-cargo-imp", "one-record",
                                          "rail-events", "gtfs-rt"};
    cfg_defaults(&cfg);
    cr_assert_eq(cfg.nfeeds, 5);
    for (int i = 0; i < 5; i++) {
        const struct cfg_feed *f = cfg_feed_find(&cfg, names[i]);
        cr_assert_not_null(f, "%s", names[i]);
        cr_assert_str_eq(f->format, formats[i]);
        cr_assert_str_eq(f->url, "");
        cr_assert_eq(f->interval_s, 60);
    }
    cr_assert_null(cfg_feed_find(&cfg, "nope"));
}

Test(config, a_file_with_feeds_replaces_the_builtin_ones) {
    struct srv_config cfg;
    char err[CFG_ERR_LEN];
    const struct cfg_feed *f;
    cfg_defaults(&cfg);
    cr_assert_eq(parse(&cfg,
                       "feed.port.format = dcsa-tnt\n"
                       "feed.port.url = http://127.0.0.1:9/v2/events?limit=5\n"
                       "feed.port.interval = 30\n"
                       "feed.port.auth_header = \"Authorization: Bearer tok3n\"\n"
                       "feed.port.tenant = cljport\n"
                       "feed.air.format = gtfs-rt\n",
                       err, sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(cfg.nfeeds, 2);
    cr_assert_null(cfg_feed_find(&cfg, "chenglingji"));
    f = cfg_feed_find(&cfg, "port");
    cr_assert_not_null(f);
    cr_assert_str_eq(f->url, "http://127.0.0.1:9/v2/events?limit=5");
    cr_assert_eq(f->interval_s, 30);
    cr_assert_str_eq(f->auth_header, "Authorization: Bearer tok3n");
    cr_assert_str_eq(f->tenant, "cljport");
    cr_assert_eq(f->timeout_s, 20, "a default");
}

Test(config, feed_errors_name_the_line_and_hide_secrets) {
    struct srv_config cfg;
    char err[CFG_ERR_LEN];
    cfg_defaults(&cfg);
    cr_assert_eq(parse(&cfg, "feed.port.format = csv\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf:1: feed.port.format: unknown format 'csv'");
    cfg_defaults(&cfg);
    cr_assert_eq(parse(&cfg, "feed.port.format = dcsa-tnt\nfeed.port.url = ftp://x/\n", err,
                       sizeof(err)),
                 -1);
    assert_has(err, "test.conf:2: feed.port.url: 'ftp://x/' is not an http:// or https:// URL");
    cfg_defaults(&cfg);
    cr_assert_eq(parse(&cfg, "feed.port.format = dcsa-tnt\nfeed.port.auth_header = s3cr3t\n",
                       err, sizeof(err)),
                 -1);
    assert_has(err, "test.conf:2: feed.port.auth_header: must be 'Name: value'");
    assert_lacks(err, "s3cr3t");
    cfg_defaults(&cfg);
    cr_assert_eq(parse(&cfg, "feed.Port.format = dcsa-tnt\n", err, sizeof(err)), -1);
    assert_has(err, "lower-case letters, digits, - and _");
    cfg_defaults(&cfg);
    cr_assert_eq(parse(&cfg, "feed.port.colour = red\n", err, sizeof(err)), -1);
    assert_has(err, "unknown feed field 'colour'");
    cfg_defaults(&cfg);
    cr_assert_eq(parse(&cfg, "feed.port.interval = 0\n", err, sizeof(err)), -1);
    assert_has(err, "feed.port.interval: '0' is not a whole number in 1..86400");
    cfg_defaults(&cfg);
    cr_assert_eq(parse(&cfg, "feed.port.url = http://x/\n", err, sizeof(err)), -1);
    assert_has(err, "test.conf: feed 'port' has no feed.port.format");
}
