/* config.c -- options from defaults, config file, environment, command line.
 *
 * One table (cfg_options) names every option once; the command line spelling
 * (--max-body-bytes), the environment variable (DONGTING_MAX_BODY_BYTES) and
 * the config file key (max_body_bytes) are all derived from it. */
#include "config.h"
#include "version.h"

#include "carriers/formats.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFG_FILE_MAX (1024 * 1024)

enum opt_type { OPT_HOSTPORT_LISTEN, OPT_HOSTPORT_REDIS, OPT_STRING, OPT_LONG, OPT_BOOL };

struct cfg_option {
    const char *name;   /* config-file key; CLI and env spellings derive from it */
    enum opt_type type;
    size_t offset;      /* into struct srv_config (OPT_STRING, OPT_LONG) */
    size_t size;        /* OPT_STRING buffer size */
    long min, max;      /* OPT_LONG bounds */
    const char *help;
};

#define OFF(f) offsetof(struct srv_config, f)
#define SZ(f) sizeof(((struct srv_config *)0)->f)

static const struct cfg_option cfg_options[] = {
    {"listen", OPT_HOSTPORT_LISTEN, 0, 0, 0, 0,
     "HOST:PORT to serve HTTP on (default 127.0.0.1:8080)"},
    {"redis", OPT_HOSTPORT_REDIS, 0, 0, 0, 0,
     "Redis HOST:PORT, an IP address (default 127.0.0.1:6379)"},
    {"admin_key", OPT_STRING, OFF(admin_key), SZ(admin_key), 0, 0,
     "bootstrap admin API key (16..127 printable characters)"},
    {"data_dir", OPT_STRING, OFF(data_dir), SZ(data_dir), 0, 0,
     "directory of the network data (default geodata/data)"},
    {"web_dir", OPT_STRING, OFF(web_dir), SZ(web_dir), 0, 0,
     "directory of the web pages and their node_modules (default server/web)"},
    {"gtfs", OPT_STRING, OFF(gtfs), SZ(gtfs), 0, 0,
     "timetable, a GTFS folder or .zip (default geodata/gtfs/feed)"},
    {"freight", OPT_STRING, OFF(freight), SZ(freight), 0, 0,
     "directory of the freight parameters (default geodata/freight)"},
    {"max_body_bytes", OPT_LONG, OFF(max_body_bytes), 0, 1024, 1L << 30,
     "largest request body accepted (default 1048576)"},
    {"max_header_bytes", OPT_LONG, OFF(max_header_bytes), 0, 1024, 1L << 20,
     "largest request line plus headers accepted (default 16384)"},
    {"max_connections", OPT_LONG, OFF(max_connections), 0, 1, 1000000,
     "open client connections allowed at once (default 1024)"},
    {"idle_timeout", OPT_LONG, OFF(idle_timeout_s), 0, 1, 86400,
     "seconds a connection may sit idle or between bytes (default 30)"},
    {"request_timeout", OPT_LONG, OFF(request_timeout_s), 0, 1, 3600,
     "seconds a client has to send one whole request (default 10)"},
    {"redis_timeout_ms", OPT_LONG, OFF(redis_timeout_ms), 0, 10, 600000,
     "milliseconds one Redis command may take (default 2000)"},
    {"redis_connect_timeout_ms", OPT_LONG, OFF(redis_connect_timeout_ms), 0,
     10, 600000, "milliseconds a Redis connect may take (default 1000)"},
    {"shutdown_grace", OPT_LONG, OFF(shutdown_grace_s), 0, 0, 3600,
     "seconds to finish in-flight requests on SIGTERM (default 10)"},
    {"rate_limit_rps", OPT_LONG, OFF(rate_limit_rps), 0, 0, 1000000,
     "requests per second per API key, 0 = unlimited (default 50)"},
    {"rate_limit_burst", OPT_LONG, OFF(rate_limit_burst), 0, 1, 1000000,
     "burst size of the per-key rate limit (default 100)"},
    {"route_cache_ttl", OPT_LONG, OFF(route_cache_ttl_s), 0, 0, 30L * 86400,
     "seconds a cached route answer lives in Redis, 0 = no cache (default 3600)"},
    {"webhook_allow_loopback", OPT_BOOL, OFF(webhook_allow_loopback), 0, 0, 1,
     "let webhook callback URLs reach loopback and private addresses (tests; default no)"},
    {"webhook_max_attempts", OPT_LONG, OFF(webhook_max_attempts), 0, 1, 20,
     "delivery attempts before a webhook delivery is dead-lettered (default 6)"},
    {"webhook_retry_base_ms", OPT_LONG, OFF(webhook_retry_base_ms), 0, 10, 3600000,
     "first retry delay of a failed webhook delivery, doubled each time (default 2000)"},
    {"webhook_timeout", OPT_LONG, OFF(webhook_timeout_s), 0, 1, 300,
     "seconds one webhook delivery may take (default 10)"},
    {"sse_max_streams", OPT_LONG, OFF(sse_max_streams), 0, 0, 100000,
     "Server-Sent Event streams open at once (default 512)"},
    {"public_rate_limit_rps", OPT_LONG, OFF(public_rate_limit_rps), 0, 0, 1000000,
     "requests per second per client address on public endpoints, 0 = unlimited (default 20)"},
    {"customs_transit_limit_h", OPT_LONG, OFF(customs_transit_limit_h), 0, 1, 8760,
     "hours a customs transit may take before transit_overdue (default 168)"},
    {"customs_weight_tolerance_pct", OPT_LONG, OFF(customs_weight_tolerance_pct), 0, 0, 100,
     "percent a reported or waybill weight may differ from the declared gross (default 10)"},
    {"customs_weight_tolerance_g", OPT_LONG, OFF(customs_weight_tolerance_g), 0, 0, 10000000,
     "grams of weight difference always tolerated (default 500)"},
    {"customs_min_distance_km", OPT_LONG, OFF(customs_min_distance_km), 0, 0, 10000,
     "two events closer than this are never an impossible movement (default 30)"},
    {"customs_max_speed_sea_kmh", OPT_LONG, OFF(customs_max_speed_kmh[0]), 0, 1, 100000,
     "plausible top speed of a sea vessel, km/h (default 60)"},
    {"customs_max_speed_river_kmh", OPT_LONG, OFF(customs_max_speed_kmh[1]), 0, 1, 100000,
     "plausible top speed of a river barge, km/h (default 40)"},
    {"customs_max_speed_rail_kmh", OPT_LONG, OFF(customs_max_speed_kmh[2]), 0, 1, 100000,
     "plausible top speed of a freight train, km/h (default 160)"},
    {"customs_max_speed_air_kmh", OPT_LONG, OFF(customs_max_speed_kmh[3]), 0, 1, 100000,
     "plausible top speed of a cargo aircraft, km/h (default 1100)"},
    {"customs_max_speed_road_kmh", OPT_LONG, OFF(customs_max_speed_kmh[4]), 0, 1, 100000,
     "plausible top speed of a truck, km/h (default 130)"},
    {"customs_retail_order_limit", OPT_LONG, OFF(customs_retail_order_limit), 0, 0, 100000000,
     "yuan: the cross-border retail limit per order (default 5000)"},
    {"customs_retail_year_limit", OPT_LONG, OFF(customs_retail_year_limit), 0, 0, 100000000,
     "yuan: the cross-border retail limit per buyer and calendar year (default 26000)"},
};

#define N_OPTIONS (sizeof(cfg_options) / sizeof(cfg_options[0]))

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    if (err == NULL || errlen == 0) return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void cfg_defaults(struct srv_config *cfg) {
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->listen_port = 8080;
    snprintf(cfg->redis_host, sizeof(cfg->redis_host), "127.0.0.1");
    cfg->redis_port = 6379;
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "geodata/data");
    snprintf(cfg->web_dir, sizeof(cfg->web_dir), "server/web");
    snprintf(cfg->gtfs, sizeof(cfg->gtfs), "geodata/gtfs/feed");
    snprintf(cfg->freight, sizeof(cfg->freight), "geodata/freight");
    cfg->max_body_bytes = 1024 * 1024;
    cfg->max_header_bytes = 16 * 1024;
    cfg->max_connections = 1024;
    cfg->idle_timeout_s = 30;
    cfg->request_timeout_s = 10;
    cfg->redis_timeout_ms = 2000;
    cfg->redis_connect_timeout_ms = 1000;
    cfg->shutdown_grace_s = 10;
    cfg->rate_limit_rps = 50;
    cfg->rate_limit_burst = 100;
    cfg->route_cache_ttl_s = 3600;
    cfg->webhook_max_attempts = 6;
    cfg->webhook_retry_base_ms = 2000;
    cfg->webhook_timeout_s = 10;
    cfg->sse_max_streams = 512;
    cfg->public_rate_limit_rps = 20;
    cfg->customs_transit_limit_h = 168;
    cfg->customs_weight_tolerance_pct = 10;
    cfg->customs_weight_tolerance_g = 500;
    cfg->customs_min_distance_km = 30;
    {
        static const long speeds[5] = {60, 40, 160, 1100, 130};
        memcpy(cfg->customs_max_speed_kmh, speeds, sizeof(speeds));
    }
    cfg->customs_retail_order_limit = 5000;
    cfg->customs_retail_year_limit = 26000;
    /* The zone's five channels, push only until a config file gives URLs. */
    {
        static const char *const builtin[][2] = {
            {"chenglingji", "dcsa-tnt"}, {"sanhe", "iata-cargo-imp"},
            {"sanhe-1r", "one-record"},  {"rail", "rail-events"},
            {"rail-rt", "gtfs-rt"},
        };
        for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
            struct cfg_feed *f = &cfg->feeds[cfg->nfeeds++];
            snprintf(f->name, sizeof(f->name), "%s", builtin[i][0]);
            snprintf(f->format, sizeof(f->format), "%s", builtin[i][1]);
            f->interval_s = 60;
            f->timeout_s = 20;
            f->max_bytes = 8L << 20;
        }
    }
}

const struct cfg_feed *cfg_feed_find(const struct srv_config *cfg, const char *name) {
    for (int i = 0; i < cfg->nfeeds; i++)
        if (strcmp(cfg->feeds[i].name, name) == 0) return &cfg->feeds[i];
    return NULL;
}

/* A long within MIN..MAX from VALUE into *OUT: 0, or -1 with the reason. */
static int feed_long(const char *key, const char *value, long min, long max, long *out,
                     char *err, size_t errlen) {
    char *end;
    long v;
    errno = 0;
    v = strtol(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < min || v > max) {
        set_err(err, errlen, "%s: '%.40s' is not a whole number in %ld..%ld", key, value,
                min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cfg_set_feed(struct srv_config *cfg, const char *key, const char *value, char *err,
                 size_t errlen) {
    const char *name = key + 5, *dot;
    size_t nl, vl = strlen(value);
    struct cfg_feed *f = NULL;
    const char *field;

    if (strncmp(key, "feed.", 5) != 0 || (dot = strchr(name, '.')) == NULL) {
        set_err(err, errlen, "'%.80s' is not feed.NAME.FIELD", key);
        return -1;
    }
    nl = (size_t)(dot - name);
    field = dot + 1;
    if (nl == 0 || nl >= sizeof(f->name)) {
        set_err(err, errlen, "%.80s: a feed name has 1-31 characters", key);
        return -1;
    }
    for (size_t i = 0; i < nl; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            set_err(err, errlen, "%.80s: a feed name is lower-case letters, digits, - and _",
                    key);
            return -1;
        }
    }
    if (!cfg->feeds_from_file) {   /* the first feed key replaces the built-ins */
        memset(cfg->feeds, 0, sizeof(cfg->feeds));
        cfg->nfeeds = 0;
        cfg->feeds_from_file = 1;
    }
    for (int i = 0; i < cfg->nfeeds; i++)
        if (strlen(cfg->feeds[i].name) == nl && memcmp(cfg->feeds[i].name, name, nl) == 0)
            f = &cfg->feeds[i];
    if (f == NULL) {
        if (cfg->nfeeds >= CFG_MAX_FEEDS) {
            set_err(err, errlen, "%.80s: at most %d feeds", key, CFG_MAX_FEEDS);
            return -1;
        }
        f = &cfg->feeds[cfg->nfeeds++];
        memcpy(f->name, name, nl);
        f->name[nl] = '\0';
        f->interval_s = 60;
        f->timeout_s = 20;
        f->max_bytes = 8L << 20;
    }
    if (strcmp(field, "format") == 0) {
        if (carrier_format_find(value) == NULL) {
            set_err(err, errlen, "%.80s: unknown format '%.40s' (one of %s)", key, value,
                    carrier_format_names());
            return -1;
        }
        snprintf(f->format, sizeof(f->format), "%s", value);
    } else if (strcmp(field, "url") == 0) {
        if (vl >= sizeof(f->url) ||
            (vl > 0 && strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0)) {
            set_err(err, errlen, "%.80s: '%.80s' is not an http:// or https:// URL of at most "
                    "%zu bytes", key, value, sizeof(f->url) - 1);
            return -1;
        }
        memcpy(f->url, value, vl + 1);
    } else if (strcmp(field, "auth_header") == 0 || strcmp(field, "push_secret") == 0) {
        int auth = field[0] == 'a';
        char *dst = auth ? f->auth_header : f->push_secret;
        size_t cap = auth ? sizeof(f->auth_header) : sizeof(f->push_secret);
        if (vl >= cap || (auth && vl > 0 && strchr(value, ':') == NULL)) {
            set_err(err, errlen, "%.80s: %s (value hidden)", key,
                    auth ? "must be 'Name: value', under 256 bytes" : "at most 127 bytes");
            return -1;
        }
        for (size_t i = 0; i < vl; i++)
            if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
                set_err(err, errlen, "%.80s: control characters (value hidden)", key);
                return -1;
            }
        memcpy(dst, value, vl + 1);
    } else if (strcmp(field, "tenant") == 0) {
        if (vl >= sizeof(f->tenant)) {
            set_err(err, errlen, "%.80s: at most %zu characters", key, sizeof(f->tenant) - 1);
            return -1;
        }
        memcpy(f->tenant, value, vl + 1);
    } else if (strcmp(field, "interval") == 0) {
        return feed_long(key, value, 1, 86400, &f->interval_s, err, errlen);
    } else if (strcmp(field, "timeout") == 0) {
        return feed_long(key, value, 1, 600, &f->timeout_s, err, errlen);
    } else if (strcmp(field, "max_bytes") == 0) {
        return feed_long(key, value, 1024, 1L << 30, &f->max_bytes, err, errlen);
    } else {
        set_err(err, errlen, "%.80s: unknown feed field '%.30s' (format, url, auth_header, "
                "push_secret, tenant, interval, timeout, max_bytes)", key, field);
        return -1;
    }
    return 0;
}

int cfg_parse_hostport(const char *s, char *host, size_t hostlen, int *port) {
    const char *colon, *h = s;
    size_t hl;
    char *end;
    long p;

    if (s == NULL || *s == '\0') return -1;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':') return -1;
        h = s + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
        if (memchr(h, ':', hl) == NULL) return -1;   /* [..] is for IPv6 */
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL) return -1;
        hl = (size_t)(colon - s);
        if (memchr(s, ':', hl) != NULL) return -1; /* bare IPv6 needs [] */
    }
    if (hl == 0 || hl >= hostlen) return -1;
    for (size_t i = 0; i < hl; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!(isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_'))
            return -1;
    }
    if (!isdigit((unsigned char)colon[1])) return -1;   /* no " 80", "+80" */
    errno = 0;
    p = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end != '\0' || p < 1 || p > 65535)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return 0;
}

static const struct cfg_option *find_option(const char *name, size_t len) {
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (strlen(cfg_options[i].name) == len &&
            memcmp(cfg_options[i].name, name, len) == 0)
            return &cfg_options[i];
    }
    return NULL;
}

/* Values of secret options are never echoed back in messages. */
static const char *shown_value(const struct cfg_option *o, const char *v) {
    return strcmp(o->name, "admin_key") == 0 ? "(hidden)" : v;
}

static int set_option(struct srv_config *cfg, const struct cfg_option *o,
                      const char *value, char *err, size_t errlen) {
    char *base = (char *)cfg;

    switch (o->type) {
    case OPT_HOSTPORT_LISTEN:
    case OPT_HOSTPORT_REDIS: {
        int redis = o->type == OPT_HOSTPORT_REDIS;
        char *host = redis ? cfg->redis_host : cfg->listen_host;
        size_t hostlen = redis ? sizeof(cfg->redis_host) : sizeof(cfg->listen_host);
        int *port = redis ? &cfg->redis_port : &cfg->listen_port;
        char tmp[64];
        int tport;
        if (cfg_parse_hostport(value, tmp, sizeof(tmp), &tport) != 0 ||
            strlen(tmp) >= hostlen) {
            set_err(err, errlen, "%s: '%.80s' is not HOST:PORT (port 1-65535)",
                    o->name, value);
            return -1;
        }
        memcpy(host, tmp, strlen(tmp) + 1);
        *port = tport;
        return 0;
    }
    case OPT_STRING: {
        size_t n = strlen(value);
        if (n >= o->size) {
            set_err(err, errlen, "%s: value is longer than %zu characters",
                    o->name, o->size - 1);
            return -1;
        }
        if (strcmp(o->name, "admin_key") == 0) {
            if (n != 0 && n < 16) {
                set_err(err, errlen, "admin_key: must be at least 16 characters");
                return -1;
            }
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)value[i];
                if (c <= 0x20 || c >= 0x7f) {
                    set_err(err, errlen,
                            "admin_key: only printable ASCII without spaces");
                    return -1;
                }
            }
        }
        memcpy(base + o->offset, value, n + 1);
        return 0;
    }
    case OPT_BOOL: {
        int *b = (int *)(void *)(base + o->offset);
        if (value == NULL || strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
            strcmp(value, "1") == 0) {
            *b = 1;
        } else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
                   strcmp(value, "0") == 0) {
            *b = 0;
        } else {
            set_err(err, errlen, "%s: '%.80s' is not yes or no", o->name, value);
            return -1;
        }
        return 0;
    }
    case OPT_LONG: {
        char *end;
        long v;
        errno = 0;
        v = strtol(value, &end, 10);
        if (errno || end == value || *end != '\0') {
            set_err(err, errlen, "%s: '%.80s' is not a whole number", o->name,
                    shown_value(o, value));
            return -1;
        }
        if (v < o->min || v > o->max) {
            set_err(err, errlen, "%s: %ld is out of range %ld..%ld", o->name,
                    v, o->min, o->max);
            return -1;
        }
        memcpy(base + o->offset, &v, sizeof(v));
        return 0;
    }
    }
    return -1;
}

int cfg_set(struct srv_config *cfg, const char *name, const char *value,
            char *err, size_t errlen) {
    const struct cfg_option *o = find_option(name, strlen(name));
    if (o == NULL) {
        set_err(err, errlen, "unknown option '%.80s'", name);
        return -1;
    }
    return set_option(cfg, o, value, err, errlen);
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int cfg_parse_buffer(struct srv_config *cfg, const char *buf, size_t len,
                     const char *source, char *err, size_t errlen) {
    size_t pos = 0;
    int lineno = 0;

    /* A UTF-8 byte order mark is tolerated at the very start. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) pos = 3;

    while (pos < len) {
        const char *line = buf + pos, *nl, *eq, *k, *v;
        size_t ll, kl, vl;
        char key[64], val[512];
        const struct cfg_option *o;

        nl = memchr(line, '\n', len - pos);
        ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        lineno++;

        if (memchr(line, '\0', ll) != NULL) {
            set_err(err, errlen, "%s:%d: NUL byte in line", source, lineno);
            return -1;
        }
        while (ll > 0 && is_blank(line[ll - 1])) ll--;
        while (ll > 0 && is_blank(*line)) { line++; ll--; }
        if (ll == 0 || line[0] == '#') continue;

        eq = memchr(line, '=', ll);
        if (eq == NULL) {
            set_err(err, errlen, "%s:%d: expected 'name = value'", source, lineno);
            return -1;
        }
        k = line;
        kl = (size_t)(eq - line);
        while (kl > 0 && is_blank(k[kl - 1])) kl--;
        v = eq + 1;
        vl = ll - (size_t)(v - line);
        while (vl > 0 && is_blank(*v)) { v++; vl--; }
        /* "value" may be quoted to keep leading or trailing spaces.  There
         * are no end-of-line comments: '#' only starts a comment line. */
        if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') { v++; vl -= 2; }

        if (kl == 0) {
            set_err(err, errlen, "%s:%d: missing option name before '='",
                    source, lineno);
            return -1;
        }
        if (kl > 5 && memcmp(k, "feed.", 5) == 0) {
            char why[CFG_ERR_LEN];
            if (kl >= sizeof(key) || vl >= sizeof(val)) {
                set_err(err, errlen, "%s:%d: feed option or value too long", source, lineno);
                return -1;
            }
            memcpy(key, k, kl);
            key[kl] = '\0';
            memcpy(val, v, vl);
            val[vl] = '\0';
            if (cfg_set_feed(cfg, key, val, why, sizeof(why)) != 0) {
                set_err(err, errlen, "%s:%d: %s", source, lineno, why);
                return -1;
            }
            continue;
        }
        o = find_option(k, kl);
        if (o == NULL) {
            set_err(err, errlen, "%s:%d: unknown option '%.*s'", source, lineno,
                    (int)(kl > 60 ? 60 : kl), k);
            return -1;
        }
        if (kl >= sizeof(key) || vl >= sizeof(val)) {
            set_err(err, errlen, "%s:%d: %s: value too long", source, lineno,
                    o->name);
            return -1;
        }
        memcpy(key, k, kl);
        key[kl] = '\0';
        memcpy(val, v, vl);
        val[vl] = '\0';
        {
            char why[CFG_ERR_LEN];
            if (set_option(cfg, o, val, why, sizeof(why)) != 0) {
                set_err(err, errlen, "%s:%d: %s", source, lineno, why);
                return -1;
            }
        }
    }
    for (int i = 0; i < cfg->nfeeds; i++)
        if (cfg->feeds[i].format[0] == '\0') {
            set_err(err, errlen, "%s: feed '%s' has no feed.%s.format", source,
                    cfg->feeds[i].name, cfg->feeds[i].name);
            return -1;
        }
    return 0;
}

int cfg_load_file(struct srv_config *cfg, const char *path, char *err,
                  size_t errlen) {
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    int rc;

    if (f == NULL) {
        set_err(err, errlen, "cannot read config file %s: %s", path,
                strerror(errno));
        return -1;
    }
    buf = malloc(CFG_FILE_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        set_err(err, errlen, "cannot read config file %s: out of memory", path);
        return -1;
    }
    n = fread(buf, 1, CFG_FILE_MAX + 1, f);
    if (ferror(f)) {
        set_err(err, errlen, "cannot read config file %s: %s", path,
                strerror(errno));
        rc = -1;
    } else if (n > CFG_FILE_MAX) {
        set_err(err, errlen, "config file %s is larger than %d bytes", path,
                CFG_FILE_MAX);
        rc = -1;
    } else {
        rc = cfg_parse_buffer(cfg, buf, n, path, err, errlen);
    }
    free(buf);
    fclose(f);
    return rc;
}

/* "max_body_bytes" -> "DONGTING_MAX_BODY_BYTES" */
static void env_name(const struct cfg_option *o, char *out, size_t outlen) {
    size_t i, p = (size_t)snprintf(out, outlen, "DONGTING_");
    for (i = 0; o->name[i] && p + 1 < outlen; i++)
        out[p++] = (char)toupper((unsigned char)o->name[i]);
    out[p] = '\0';
}

/* "max_body_bytes" -> "max-body-bytes" */
static void cli_name(const struct cfg_option *o, char *out, size_t outlen) {
    size_t i;
    for (i = 0; o->name[i] && i + 1 < outlen; i++)
        out[i] = o->name[i] == '_' ? '-' : o->name[i];
    out[i] = '\0';
}

int cfg_apply_env(struct srv_config *cfg, char **envp, char *err, size_t errlen) {
    if (envp == NULL) return 0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        char name[64];
        size_t nl;
        env_name(&cfg_options[i], name, sizeof(name));
        nl = strlen(name);
        for (char **e = envp; *e; e++) {
            if (strncmp(*e, name, nl) == 0 && (*e)[nl] == '=') {
                char why[CFG_ERR_LEN];
                if (set_option(cfg, &cfg_options[i], *e + nl + 1, why,
                               sizeof(why)) != 0) {
                    set_err(err, errlen, "environment %s: %s", name, why);
                    return -1;
                }
            }
        }
    }
    return 0;
}

void cfg_usage(FILE *out) {
    fprintf(out,
            "Usage: dongting [OPTIONS]\n"
            "Logistics routing and waybill tracking server.\n\n"
            "  --config FILE                 read options from FILE "
            "(env DONGTING_CONFIG)\n");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        char cli[64], env[64], left[96];
        cli_name(&cfg_options[i], cli, sizeof(cli));
        env_name(&cfg_options[i], env, sizeof(env));
        snprintf(left, sizeof(left), "--%s%s", cli,
                 cfg_options[i].type == OPT_LONG   ? " N"
                 : cfg_options[i].type == OPT_BOOL ? "[=yes|no]"
                                                   : " VALUE");
        if (strlen(left) >= 30)   /* too long for the column: help on its own line */
            fprintf(out, "  %s\n  %-30s%s\n  %-30s(env %s, file key %s)\n", left, "",
                    cfg_options[i].help, "", env, cfg_options[i].name);
        else
            fprintf(out, "  %-30s%s\n  %-30s(env %s, file key %s)\n", left,
                    cfg_options[i].help, "", env, cfg_options[i].name);
    }
    fprintf(out,
            "  --help                        print this help and exit\n"
            "  --version                     print the version and exit\n\n"
            "Precedence: defaults < config file < environment < command line.\n");
}

static const char *env_get(char **envp, const char *name) {
    size_t nl = strlen(name);
    if (envp == NULL) return NULL;
    for (char **e = envp; *e; e++)
        if (strncmp(*e, name, nl) == 0 && (*e)[nl] == '=') return *e + nl + 1;
    return NULL;
}

int cfg_from_args(struct srv_config *cfg, int argc, char **argv, char **envp,
                  char *err, size_t errlen) {
    /* getopt_long table built from cfg_options, plus config/help/version. */
    struct option longopts[N_OPTIONS + 4];
    char names[N_OPTIONS][64];
    const char *config_path = env_get(envp, "DONGTING_CONFIG");
    int c, idx;
    size_t i;

    cfg_defaults(cfg);
    for (i = 0; i < N_OPTIONS; i++) {
        cli_name(&cfg_options[i], names[i], sizeof(names[i]));
        longopts[i].name = names[i];
        longopts[i].has_arg =
            cfg_options[i].type == OPT_BOOL ? optional_argument : required_argument;
        longopts[i].flag = NULL;
        longopts[i].val = 1000 + (int)i;
    }
    longopts[i++] = (struct option){"config", required_argument, NULL, 'c'};
    longopts[i++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[i++] = (struct option){"version", no_argument, NULL, 'V'};
    longopts[i] = (struct option){NULL, 0, NULL, 0};

    /* First pass: find --config, --help, --version; the file must be read
     * before the environment and the other flags are applied over it. */
    opterr = 0;
    optind = 0;   /* 0, not 1: glibc then also forgets a half-read "-xy" */
    while ((c = getopt_long(argc, argv, ":", longopts, &idx)) != -1) {
        if (c == 'h') {
            cfg_usage(stdout);
            return CFG_EXIT;
        } else if (c == 'V') {
            printf("dongting %s\n", DONGTING_VERSION);
            return CFG_EXIT;
        } else if (c == 'c') {
            config_path = optarg;
        } else if (c == '?') {
            /* Name only the option, never a value: "--admin-keyy=SECRET"
             * is shown as "--admin-keyy", a short option as "-x" (inside
             * "-xy" getopt has not moved optind yet). */
            if (optopt != 0) {
                set_err(err, errlen, "unknown option '-%c' (try --help)", optopt);
            } else {
                const char *a = argv[optind - 1];
                set_err(err, errlen, "unknown option '%.*s' (try --help)",
                        (int)strcspn(a, "="), a);
            }
            return CFG_ERROR;
        } else if (c == ':') {
            set_err(err, errlen, "option '%.80s' needs a value",
                    argv[optind - 1]);
            return CFG_ERROR;
        }
    }
    if (optind < argc) {
        set_err(err, errlen, "unexpected argument '%.80s' (try --help)",
                argv[optind]);
        return CFG_ERROR;
    }

    if (config_path != NULL && *config_path != '\0') {
        if (strlen(config_path) >= sizeof(cfg->config_file)) {
            set_err(err, errlen, "config file path is too long");
            return CFG_ERROR;
        }
        snprintf(cfg->config_file, sizeof(cfg->config_file), "%s", config_path);
        if (cfg_load_file(cfg, config_path, err, errlen) != 0) return CFG_ERROR;
    }
    if (cfg_apply_env(cfg, envp, err, errlen) != 0) return CFG_ERROR;

    optind = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, &idx)) != -1) {
        if (c >= 1000 && c < 1000 + (int)N_OPTIONS) {
            char why[CFG_ERR_LEN];
            if (set_option(cfg, &cfg_options[c - 1000], optarg, why,
                           sizeof(why)) != 0) {
                /* "name: reason" -> "--cli-name: reason" */
                const char *n = cfg_options[c - 1000].name, *rest = why;
                if (strncmp(why, n, strlen(n)) == 0 && why[strlen(n)] == ':')
                    rest = why + strlen(n) + 2;
                set_err(err, errlen, "--%s: %s", names[c - 1000], rest);
                return CFG_ERROR;
            }
        }
    }
    return CFG_OK;
}
