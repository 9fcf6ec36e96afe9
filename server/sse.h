/* sse.h -- Server-Sent Events for live pages (GET /v1/waybills/{number}/stream).
 *
 * A handler that has checked who may see what calls sse_attach_or_reply:
 * the reply's headers go out (text/event-stream, chunked) and the request
 * stays open, subscribed to TOPIC (a waybill number).  waybills.c calls
 * sse_publish for every new event and ETA change; each subscriber gets the
 * full or the public payload, as it was attached.  A comment line goes out
 * every 15 s to keep proxies from closing the stream; a client that stops
 * reading (more than 256 KiB unsent) is dropped; draining the server
 * (SIGTERM) ends every stream.  Streams are counted in /metrics and capped
 * (sse_max_streams). */
#ifndef DT_SSE_H
#define DT_SSE_H

#include <stddef.h>

struct srv_req;

/* Attach R to TOPIC, full view when FULL.  Replies itself: 503 when the
 * cap is reached, else the stream starts (first an "event: hello" with
 * DATA_HELLO, may be NULL).  R must not be used afterwards. */
void sse_attach_or_reply(struct srv_req *r, const char *topic, int full,
                         const char *hello_full, const char *hello_public);

/* Send "event: EVENT\nid: ID\ndata: ...\n\n" to every stream on TOPIC:
 * DATA_FULL (one line of JSON) to full streams, DATA_PUBLIC to public ones
 * (NULL: public streams get nothing).  ID may be NULL. */
void sse_publish(const char *topic, const char *event, const char *id,
                 const char *data_full, const char *data_public);

/* Open streams (for /metrics). */
int sse_open_streams(void);

/* End every stream (server draining). */
void sse_close_all(void);

/* Format one event into *OUT (malloc'd, NUL-terminated, *OUTLEN bytes
 * before the NUL; caller frees): "event: EVENT\n" unless EVENT is NULL,
 * "id: ID\n" unless ID is NULL, one "data: LINE\n" per line of DATA (lines
 * end at CR, LF or CRLF, as an EventSource parses them; NULL or "" gives one
 * empty data line), then the blank line that dispatches the event.  0, or
 * -1 (*OUT NULL) when EVENT or ID holds a CR or LF, or out of memory. */
int sse_format(const char *event, const char *id, const char *data, char **out,
               size_t *outlen);

#endif
