/* libFuzzer target: the config-file parser (cfg_parse_buffer) on raw bytes,
 * starting from fresh defaults each run.  Beyond the sanitizers it checks
 * that a success leaves every option in range and every string terminated,
 * and that a failure leaves a message naming the source. */
#include "server/config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

static void check_string(const char *s, size_t size) {
    CHECK(memchr(s, '\0', size) != NULL);
}

static void check_config(const struct srv_config *c) {
    check_string(c->listen_host, sizeof(c->listen_host));
    check_string(c->redis_host, sizeof(c->redis_host));
    check_string(c->admin_key, sizeof(c->admin_key));
    check_string(c->config_file, sizeof(c->config_file));
    check_string(c->data_dir, sizeof(c->data_dir));
    CHECK(c->listen_host[0] != '\0' && c->redis_host[0] != '\0');
    CHECK(c->listen_port >= 1 && c->listen_port <= 65535);
    CHECK(c->redis_port >= 1 && c->redis_port <= 65535);
    CHECK(c->admin_key[0] == '\0' || strlen(c->admin_key) >= 16);
    CHECK(c->max_body_bytes >= 1024 && c->max_body_bytes <= (1L << 30));
    CHECK(c->max_header_bytes >= 1024 && c->max_header_bytes <= (1L << 20));
    CHECK(c->max_connections >= 1 && c->max_connections <= 1000000);
    CHECK(c->idle_timeout_s >= 1 && c->idle_timeout_s <= 86400);
    CHECK(c->request_timeout_s >= 1 && c->request_timeout_s <= 3600);
    CHECK(c->redis_timeout_ms >= 10 && c->redis_timeout_ms <= 600000);
    CHECK(c->redis_connect_timeout_ms >= 10 && c->redis_connect_timeout_ms <= 600000);
    CHECK(c->shutdown_grace_s >= 0 && c->shutdown_grace_s <= 3600);
    CHECK(c->rate_limit_rps >= 0 && c->rate_limit_rps <= 1000000);
    CHECK(c->rate_limit_burst >= 1 && c->rate_limit_burst <= 1000000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct srv_config cfg;
    char err[CFG_ERR_LEN];
    int rc;

    cfg_defaults(&cfg);
    memset(err, 0, sizeof(err));
    rc =
        cfg_parse_buffer(&cfg, (const char *)data, size, "fuzz.conf", err, sizeof(err));
    CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        CHECK(err[0] == '\0');
    } else {
        CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
    }
    check_string(err, sizeof(err));
    /* Options set before a bad line stay set: they must be valid too. */
    check_config(&cfg);
    return 0;
}
