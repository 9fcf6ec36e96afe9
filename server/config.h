/* config.h -- Dongting's options: one table drives the command line, the
 * DONGTING_* environment variables and the config file.
 *
 * Precedence, lowest first: built-in defaults, config file, environment,
 * command line.  This module is pure C (no libevent, no hiredis) so that it
 * can be unit-tested and fuzzed alone. */
#ifndef DT_CONFIG_H
#define DT_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CFG_ERR_LEN 640

/* One carrier feed (docs/configuration.md "Feeds"): pushed to
 * POST /v1/feeds/{name}/events, and pulled from URL when one is set. */
#define CFG_MAX_FEEDS 16
struct cfg_feed {
    char name[32];          /* 1-31 of a-z 0-9 - _ */
    char format[24];        /* a carriers/formats.h name: "dcsa-tnt", ... */
    char url[512];          /* http(s) URL to pull, "" = push only */
    char auth_header[256];  /* secret: a header line sent on pulls */
    char push_secret[128];  /* secret: when set, a push must carry
                             * X-Signature: sha256=HMAC(body) */
    char tenant[64];        /* "": any carrier key may push; else only
                             * carrier keys of this tenant, and delays move
                             * only this GTFS agency's trips */
    long interval_s;        /* between pulls (default 60) */
    long timeout_s;         /* one pull, whole transfer (default 20) */
    long max_bytes;         /* one pulled or pushed body (default 8 MiB) */
};

struct srv_config {
    char listen_host[64];
    int listen_port;
    char redis_host[64];
    int redis_port;
    char admin_key[128];        /* secret: never logged, never printed */
    char config_file[512];
    char data_dir[512];         /* network data (nodes, lanes) */
    char web_dir[512];          /* the web pages (server/web) */
    char gtfs[512];             /* timetable: GTFS folder or .zip */
    char freight[512];          /* freight parameters (routing/freight.h) */
    long max_body_bytes;
    long max_header_bytes;
    long max_connections;
    long idle_timeout_s;        /* keep-alive / between bytes */
    long request_timeout_s;     /* whole request must arrive within this */
    long redis_timeout_ms;      /* per command */
    long redis_connect_timeout_ms;
    long shutdown_grace_s;
    long rate_limit_rps;        /* per API key, 0 = off */
    long rate_limit_burst;
    long route_cache_ttl_s;     /* route result cache TTL, 0 = no cache */
    int webhook_allow_loopback; /* callback URLs may name loopback/private
                                 * addresses (tests) */
    long webhook_max_attempts;  /* before a delivery is dead-lettered */
    long webhook_retry_base_ms; /* first retry delay, doubled per attempt */
    long webhook_timeout_s;     /* one delivery */
    long sse_max_streams;       /* SSE streams open at once */
    long public_rate_limit_rps; /* per client address on public routes, 0 = off */
    /* customs thresholds (docs/customs-crosscheck.md, customs-matching.md) */
    long customs_transit_limit_h;
    long customs_weight_tolerance_pct;
    long customs_weight_tolerance_g;
    long customs_min_distance_km;
    long customs_max_speed_kmh[5];      /* sea, river, rail, air, road */
    long customs_retail_order_limit;    /* yuan */
    long customs_retail_year_limit;     /* yuan */
    struct cfg_feed feeds[CFG_MAX_FEEDS];
    int nfeeds;
    int feeds_from_file;        /* a config file named feeds: the built-in
                                 * five are gone */
};

enum cfg_result { CFG_OK = 0, CFG_ERROR = -1, CFG_EXIT = 1 };

/* Fill cfg with the built-in defaults. */
void cfg_defaults(struct srv_config *cfg);

/* Set option NAME (config-file spelling, e.g. "max_body_bytes") to VALUE.
 * Returns 0, or -1 with a message in err naming the option and the value. */
int cfg_set(struct srv_config *cfg, const char *name, const char *value,
            char *err, size_t errlen);

/* Set feed option KEY ("feed.NAME.FIELD", FIELD one of format, url,
 * auth_header, push_secret, interval, timeout, max_bytes) to VALUE; the
 * first feed key of a config file replaces the built-in feeds.  0 or -1
 * with a message naming the key (never a secret's value). */
int cfg_set_feed(struct srv_config *cfg, const char *key, const char *value, char *err,
                 size_t errlen);

/* The feed called NAME, or NULL. */
const struct cfg_feed *cfg_feed_find(const struct srv_config *cfg, const char *name);

/* Parse a config file's bytes (LEN bytes, need not be NUL-terminated).
 * Format: "name = value" lines, '#' comments, blank lines.  SOURCE names the
 * input in messages ("dongting.conf:12: ...").  Returns 0 or -1 with err set;
 * options set before the bad line stay set. */
int cfg_parse_buffer(struct srv_config *cfg, const char *buf, size_t len,
                     const char *source, char *err, size_t errlen);

/* Read and parse the file at PATH (at most 1 MiB).  0 or -1 with err set. */
int cfg_load_file(struct srv_config *cfg, const char *path,
                  char *err, size_t errlen);

/* Apply DONGTING_* variables from ENVP (NULL-terminated "K=V" strings).
 * 0 or -1 with err set. */
int cfg_apply_env(struct srv_config *cfg, char **envp, char *err, size_t errlen);

/* Full start-up parse: defaults, --config / DONGTING_CONFIG, env, argv.
 * Returns CFG_OK, CFG_EXIT after printing --help or --version to stdout,
 * or CFG_ERROR with a one-line message in err. */
int cfg_from_args(struct srv_config *cfg, int argc, char **argv, char **envp,
                  char *err, size_t errlen);

/* Split "HOST:PORT" into host (at most hostlen-1 bytes) and port 1..65535.
 * Accepts "[v6]:PORT".  0 or -1. */
int cfg_parse_hostport(const char *s, char *host, size_t hostlen, int *port);

/* Print the --help text to OUT. */
void cfg_usage(FILE *out);

#endif
