/* log.c -- JSON lines on stderr.  Strings go through jansson so that any
 * byte a client sent (a path, a request id) is escaped, never raw. */
#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* The access lines waiting for log_flush (log.h). */
static char abuf[64 * 1024];
static size_t alen;

static void stamp(char *buf, size_t len) {
    static time_t last_sec = -1;
    static char last[32];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (tv.tv_sec != last_sec) {   /* the date part changes once a second */
        struct tm tm;
        gmtime_r(&tv.tv_sec, &tm);
        strftime(last, sizeof(last), "%Y-%m-%dT%H:%M:%S", &tm);
        last_sec = tv.tv_sec;
    }
    snprintf(buf, len, "%s.%03dZ", last, (int)(tv.tv_usec / 1000) % 1000);
}

void log_flush(void) {
    size_t off = 0;
    while (off < alen) {
        ssize_t w = write(STDERR_FILENO, abuf + off, alen - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break; /* nowhere to write: drop them, as fprintf would */
        off += (size_t)w;
    }
    alen = 0;
}

static void emit(json_t *o) {
    log_flush(); /* the access lines before it come first */
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

/* S as the inside of a JSON string into OUT: control and non-ASCII bytes
 * shown as '?', quotes and backslashes escaped, so a log line is always
 * valid JSON and one line. */
static const char *clean(const char *s, char *out, size_t outlen) {
    size_t o = 0;
    for (size_t i = 0; s[i] && o + 2 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') out[o++] = '\\';
        out[o++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    out[o] = '\0';
    return out;
}

/* One line per request, into the buffer: this runs for every request, so
 * no JSON library (it cost about 6 us a request, a fifth of a waybill
 * read's CPU). */
int log_access(const char *method, const char *path, int status,
               uint64_t duration_us, const char *request_id, const char *role,
               const char *key_id) {
    char ts[40], m[32], p[1024], id[160], r[64], k[96], line[1600];
    int n;
    stamp(ts, sizeof(ts));
    n = snprintf(line, sizeof(line),
                 "{\"ts\":\"%s\",\"level\":\"info\",\"event\":\"access\",\"method\":\"%s\","
                 "\"path\":\"%s\",\"status\":%d,\"duration_ms\":%.3f,\"request_id\":\"%s\"",
                 ts, clean(method, m, sizeof(m)), clean(path, p, sizeof(p)), status,
                 (double)duration_us / 1000.0, clean(request_id, id, sizeof(id)));
    if (n > 0 && (size_t)n < sizeof(line) && role != NULL)
        n += snprintf(line + n, sizeof(line) - (size_t)n, ",\"role\":\"%s\"",
                      clean(role, r, sizeof(r)));
    if (n > 0 && (size_t)n < sizeof(line) && key_id != NULL && *key_id)
        n += snprintf(line + n, sizeof(line) - (size_t)n, ",\"key_id\":\"%s\"",
                      clean(key_id, k, sizeof(k)));
    if (n <= 0 || (size_t)n + 2 >= sizeof(line)) return 0;
    line[n++] = '}';
    line[n++] = '\n';
    int first = alen == 0;
    if (alen + (size_t)n > sizeof(abuf)) log_flush();
    memcpy(abuf + alen, line, (size_t)n);
    alen += (size_t)n;
    return first;
}
