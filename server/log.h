/* log.h -- structured logging on stderr: one JSON object per line.
 * Never pass secrets or personal data (keys, names, phones, addresses). */
#ifndef DT_LOG_H
#define DT_LOG_H

#include <stdint.h>

/* A server event: level "info" / "warn" / "error", a short event name and a
 * printf-style message. */
void log_event(const char *level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The access-log line for one request.  Access lines wait in a buffer (a
 * write(2) per request was a tenth of a waybill read's CPU): they are
 * written by log_flush, when the buffer is full, or before any other line,
 * so the order holds.  Returns 1 when this line is the first waiting: the
 * caller arranges a log_flush soon (http.c: 50 ms).  A crash loses what
 * waits. */
int log_access(const char *method, const char *path, int status,
               uint64_t duration_us, const char *request_id,
               const char *role, const char *key_id);

/* Write the access lines waiting. */
void log_flush(void);

#endif
