/* test_cli.c -- the command line, environment and config file: bad input
 * exits 2 with one line on stderr naming the problem; --version, --help;
 * DONGTING_* variables and config-file keys are honoured. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_TIMEOUT_MS 8000

/* Run the binary and require exit 2 with exactly one non-empty stderr line
 * that mentions one of the |-separated words in MENTION (case-insensitive).
 * LISTEN and REDIS point a binary that wrongly starts at dead ports instead
 * of the default 8080/6379. */
static void expect_rejected(const char *const *args, const char *const *env,
                            const char *mention) {
    struct h_run_result r;
    char words[256], *w, *save = NULL;
    const char *nl;
    int found = 0;

    cr_assert_eq(h_run_server_binary(args, env, RUN_TIMEOUT_MS, &r), 0, "%s",
                 h_error());
    cr_assert_eq(r.status, 2, "expected exit status 2, got %d; stderr: %s", r.status,
                 r.err);
    nl = strchr(r.err, '\n');
    cr_assert(r.err[0] != '\0' && r.err[0] != '\n',
              "stderr must name the problem, got '%s'", r.err);
    cr_assert(nl != NULL && nl[1] == '\0', "stderr must be exactly one line, got:\n%s",
              r.err);
    snprintf(words, sizeof(words), "%s", mention);
    for (w = strtok_r(words, "|", &save); w != NULL && !found;
         w = strtok_r(NULL, "|", &save))
        found = strcasestr(r.err, w) != NULL;
    cr_assert(found, "stderr '%s' does not mention %s", r.err, mention);
    h_run_free(&r);
}

/* "--listen" "127.0.0.1:P" for a port nothing listens on. */
static void dead_addr(char *buf, size_t len) {
    int port = h_free_port();
    cr_assert_gt(port, 0, "%s", h_error());
    snprintf(buf, len, "127.0.0.1:%d", port);
}

Test(cli, unknown_option_exits_2, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    char l[32], r[32];
    dead_addr(l, sizeof(l));
    dead_addr(r, sizeof(r));
    {
        const char *args[] = {"--listen", l, "--redis", r, "--no-such-flag", NULL};
        expect_rejected(args, NULL, "no-such-flag");
    }
    {
        /* An option that needs a value, given none. */
        const char *args[] = {"--listen", l, "--redis", r, "--max-body-bytes", NULL};
        expect_rejected(args, NULL, "max-body-bytes|max_body_bytes");
    }
    {
        const char *args[] = {"--listen", l, "--redis", r, "stray-argument", NULL};
        expect_rejected(args, NULL, "stray-argument");
    }
}

Test(cli, bad_values_exit_2, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    char l[32], r[32];
    dead_addr(l, sizeof(l));
    dead_addr(r, sizeof(r));
    {
        /* Below the documented minimum of 1024. */
        const char *args[] = {"--listen",         l,    "--redis", r,
                              "--max-body-bytes", "12", NULL};
        expect_rejected(args, NULL, "max-body-bytes|max_body_bytes");
    }
    {
        const char *args[] = {"--listen",          l,      "--redis", r,
                              "--max-connections", "lots", NULL};
        expect_rejected(args, NULL, "max-connections|max_connections");
    }
    {
        /* Below the documented minimum of 10 ms. */
        const char *args[] = {"--listen",           l,   "--redis", r,
                              "--redis-timeout-ms", "5", NULL};
        expect_rejected(args, NULL, "redis-timeout-ms|redis_timeout_ms");
    }
    {
        const char *args[] = {"--listen",         l,    "--redis", r,
                              "--rate-limit-rps", "-1", NULL};
        expect_rejected(args, NULL, "rate-limit-rps|rate_limit_rps");
    }
    {
        const char *args[] = {"--listen", "no-port-here", "--redis", r, NULL};
        expect_rejected(args, NULL, "listen");
    }
    {
        const char *args[] = {"--listen", l, "--redis", "127.0.0.1:99999", NULL};
        expect_rejected(args, NULL, "redis");
    }
}

Test(cli, bad_environment_value_exits_2, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    char l[32], r[32];
    dead_addr(l, sizeof(l));
    dead_addr(r, sizeof(r));
    {
        const char *args[] = {"--listen", l, "--redis", r, NULL};
        const char *env[] = {"DONGTING_MAX_CONNECTIONS=zero", NULL};
        expect_rejected(args, env, "max_connections|max-connections");
    }
}

Test(cli, unreadable_config_exits_2, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    char l[32], r[32], missing[128];
    dead_addr(l, sizeof(l));
    dead_addr(r, sizeof(r));
    snprintf(missing, sizeof(missing), "%s/no-such.conf", h_dir());
    {
        const char *args[] = {"--listen", l, "--redis", r, "--config", missing, NULL};
        expect_rejected(args, NULL, missing);
    }
    {
        /* A directory opens but cannot be read as a file. */
        const char *args[] = {"--listen", l, "--redis", r, "--config", h_dir(), NULL};
        expect_rejected(args, NULL, h_dir());
    }
}

Test(cli, config_file_errors_name_file_and_line, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    char path[256], where[300], text[256];

    /* A line without '=' on line 4, after a comment and a blank line. */
    cr_assert_eq(h_write_file("syntax.conf",
                              "# Dongting test config\n"
                              "\n"
                              "max_connections = 10\n"
                              "this line is wrong\n",
                              path, sizeof(path)),
                 0, "%s", h_error());
    snprintf(where, sizeof(where), "%s:4:", path);
    {
        const char *args[] = {"--config", path, NULL};
        expect_rejected(args, NULL, where);
    }

    /* An unknown key on line 2. */
    cr_assert_eq(h_write_file("unknown.conf",
                              "max_connections = 10\n"
                              "no_such_option = 1\n",
                              path, sizeof(path)),
                 0, "%s", h_error());
    snprintf(where, sizeof(where), "%s:2:", path);
    {
        const char *args[] = {"--config", path, NULL};
        expect_rejected(args, NULL, where);
    }

    /* A value out of range on line 3. */
    snprintf(text, sizeof(text), "# limits\nrate_limit_rps = 5\nmax_body_bytes = 12\n");
    cr_assert_eq(h_write_file("range.conf", text, path, sizeof(path)), 0, "%s",
                 h_error());
    snprintf(where, sizeof(where), "%s:3:", path);
    {
        const char *args[] = {"--config", path, NULL};
        expect_rejected(args, NULL, where);
    }
}

Test(cli, config_file_is_honoured, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    char path[256], text[512];
    int port;
    struct h_resp r;
    json_t *j;

    cr_assert_eq(h_redis_start(), 0, "%s", h_error());
    port = h_free_port();
    cr_assert_gt(port, 0, "%s", h_error());
    snprintf(text, sizeof(text),
             "# written by test_cli.c\n"
             "listen = 127.0.0.1:%d\n"
             "redis = 127.0.0.1:%d\n"
             "admin_key = %s\n"
             "max_connections = 64\n",
             port, h_redis_port(), h_admin_key());
    cr_assert_eq(h_write_file("good.conf", text, path, sizeof(path)), 0, "%s",
                 h_error());
    {
        const char *args[] = {"--config", path, NULL};
        cr_assert_eq(h_server_start_custom(args, NULL, port), 0,
                     "server did not come up with --config: %s", h_error());
    }
    /* The admin key came only from the file. */
    h_http("GET", "/v1/whoami", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    cr_assert_str_eq(h_jstr(j, "role"), "admin", "body: %s", r.body);
    json_decref(j);
    h_resp_free(&r);
    /* And Redis too: ready means it reached the file's Redis. */
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 12000), 0, "%s", h_error());
    H_ASSERT_CLEAN_EXIT();
}

Test(cli, version, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    const char *args[] = {"--version", NULL};
    struct h_run_result r;
    const char *p;

    cr_assert_eq(h_run_server_binary(args, NULL, RUN_TIMEOUT_MS, &r), 0, "%s",
                 h_error());
    cr_assert_eq(r.status, 0, "--version exited %d; stderr: %s", r.status, r.err);
    cr_assert(strncmp(r.out, "dongting ", 9) == 0,
              "--version printed '%s', expected 'dongting X.Y.Z'", r.out);
    /* X.Y.Z: three runs of digits split by two dots, then the newline. */
    p = r.out + 9;
    for (int part = 0; part < 3; part++) {
        cr_assert(*p >= '0' && *p <= '9', "bad version in '%s'", r.out);
        while (*p >= '0' && *p <= '9')
            p++;
        if (part < 2) {
            cr_assert_eq(*p, '.', "bad version in '%s'", r.out);
            p++;
        }
    }
    cr_assert_str_eq(p, "\n", "--version output has extra text: '%s'", r.out);
    h_run_free(&r);
}

Test(cli, help_lists_every_option, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    const char *args[] = {"--help", NULL};
    static const char *const options[] = {"--listen",
                                          "--redis",
                                          "--admin-key",
                                          "--config",
                                          "--max-body-bytes",
                                          "--max-header-bytes",
                                          "--max-connections",
                                          "--idle-timeout",
                                          "--request-timeout",
                                          "--redis-timeout-ms",
                                          "--redis-connect-timeout-ms",
                                          "--shutdown-grace",
                                          "--rate-limit-rps",
                                          "--rate-limit-burst",
                                          "--help",
                                          "--version",
                                          NULL};
    struct h_run_result r;

    cr_assert_eq(h_run_server_binary(args, NULL, RUN_TIMEOUT_MS, &r), 0, "%s",
                 h_error());
    cr_assert_eq(r.status, 0, "--help exited %d; stderr: %s", r.status, r.err);
    for (int i = 0; options[i] != NULL; i++)
        cr_assert_not_null(strstr(r.out, options[i]), "--help does not mention %s",
                           options[i]);
    h_run_free(&r);
}

Test(cli, environment_is_honoured, .init = h_setup, .fini = h_teardown, .timeout = 60) {
    char listen[64], redis[64], key[96];
    int port;
    struct h_resp r;

    cr_assert_eq(h_redis_start(), 0, "%s", h_error());
    port = h_free_port();
    cr_assert_gt(port, 0, "%s", h_error());
    snprintf(listen, sizeof(listen), "DONGTING_LISTEN=127.0.0.1:%d", port);
    snprintf(redis, sizeof(redis), "DONGTING_REDIS=127.0.0.1:%d", h_redis_port());
    snprintf(key, sizeof(key), "DONGTING_ADMIN_KEY=%s", h_admin_key());
    {
        const char *env[] = {listen, redis, key, NULL};
        cr_assert_eq(h_server_start_custom(NULL, env, port), 0,
                     "server did not listen where DONGTING_LISTEN said: %s", h_error());
    }
    h_http("GET", "/v1/whoami", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 12000), 0, "%s", h_error());
    H_ASSERT_CLEAN_EXIT();
}

Test(cli, command_line_beats_environment, .init = h_setup, .fini = h_teardown,
     .timeout = 60) {
    char env_listen[64], cli_listen[32], redis[32];
    int env_port = h_free_port(), cli_port = h_free_port(), fd;

    cr_assert(env_port > 0 && cli_port > 0, "%s", h_error());
    snprintf(env_listen, sizeof(env_listen), "DONGTING_LISTEN=127.0.0.1:%d", env_port);
    snprintf(cli_listen, sizeof(cli_listen), "127.0.0.1:%d", cli_port);
    dead_addr(redis, sizeof(redis));
    {
        const char *env[] = {env_listen, NULL};
        const char *args[] = {"--listen",    cli_listen,    "--redis", redis,
                              "--admin-key", h_admin_key(), NULL};
        cr_assert_eq(h_server_start_custom(args, env, cli_port), 0, "%s", h_error());
    }
    fd = h_connect(env_port);
    cr_assert_lt(fd, 0, "server also listens on the environment's port %d", env_port);
    H_ASSERT_CLEAN_EXIT();
}
