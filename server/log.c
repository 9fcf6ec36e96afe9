/* log.c -- JSON lines on stderr.  Strings go through jansson so that any
 * byte a client sent (a path, a request id) is escaped, never raw. */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static void stamp(char *buf, size_t len) {
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03dZ", (int)(tv.tv_usec / 1000) % 1000);
}

static void emit(json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
    if (s != NULL) {
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    json_decref(o);
}

void log_event(const char *level, const char *event, const char *fmt, ...) {
    char ts[40], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    stamp(ts, sizeof(ts));
    emit(json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level, "event",
                   event, "msg", msg));
}

/* Copy S into OUT with control and non-ASCII bytes shown as '?', so a log
 * line is always valid JSON and one line. */
static const char *clean(const char *s, char *out, size_t outlen) {
    size_t i;
    for (i = 0; s[i] && i + 1 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    out[i] = '\0';
    return out;
}

void log_access(const char *method, const char *path, int status,
                uint64_t duration_us, const char *request_id, const char *role,
                const char *key_id) {
    char ts[40], m[16], p[512], id[80];
    json_t *o;
    stamp(ts, sizeof(ts));
    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:s}", "ts", ts, "level",
                  "info", "event", "access", "method", clean(method, m, sizeof(m)),
                  "path", clean(path, p, sizeof(p)),
                  "status", status, "duration_ms", (double)duration_us / 1000.0,
                  "request_id", clean(request_id, id, sizeof(id)));
    if (o == NULL) return;
    if (role != NULL) json_object_set_new(o, "role", json_string(role));
    if (key_id != NULL && *key_id) json_object_set_new(o, "key_id", json_string(key_id));
    emit(o);
}
