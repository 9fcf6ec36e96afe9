/* metrics.h -- counters and the latency histogram, rendered in Prometheus
 * text format for GET /metrics. */
#ifndef DT_METRICS_H
#define DT_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct srv_route;

/* Count one finished request: ROUTE may be NULL (unknown path). */
void metrics_request(const struct srv_route *route, const char *method,
                     int status, uint64_t duration_us);
void metrics_redis_error(void);
void metrics_redis_reconnect(void);
void metrics_conn_rejected(void);
void metrics_rate_limited(void);
/* Route result cache (route_cache.c): add HITS, MISSES, and answers dropped
 * by real-time changes. */
void metrics_route_cache(unsigned hits, unsigned misses, size_t invalidated);

/* Render all metrics into a malloc'd string (caller frees); NULL on OOM.
 * GAUGES are read at call time through the callbacks in metrics.c. */
char *metrics_render(size_t *len);

#endif
