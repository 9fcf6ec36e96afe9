/* server.h -- process-wide state owned by main.c: the configuration in force
 * and the event loop. */
#ifndef DT_SERVER_H
#define DT_SERVER_H

struct srv_config;
struct event_base;
struct geo_network;
struct rt_timetable;

/* Keep a copy of CFG and BASE for the modules that need them. */
void srv_init(const struct srv_config *cfg, struct event_base *base);

const struct srv_config *srv_cfg(void);
struct event_base *srv_base(void);

/* The transport network loaded at start-up (geodata/), or NULL. */
const struct geo_network *srv_network(void);
void srv_set_network(const struct geo_network *net);

/* The timetable loaded at start-up (routing/), or NULL. */
const struct rt_timetable *srv_timetable(void);
void srv_set_timetable(const struct rt_timetable *tt);

struct rt_overlay;

/* The real-time overlay over srv_timetable() (routing/overlay.h), made on
 * first use and owned here; NULL when no timetable is loaded or out of
 * memory.  Changed only by api_trips.c (and, later, carrier feeds). */
struct rt_overlay *srv_overlay(void);

/* Free the overlay (at shutdown, before the timetable). */
void srv_overlay_free(void);

#endif
