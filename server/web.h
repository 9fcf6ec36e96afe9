/* web.h -- the web pages: static files read once at start-up from the web
 * directory (`web_dir`, default server/web) and served from memory with an
 * ETag, a Content-Security-Policy that allows only this server, and no
 * build step: the pages (index.html, plan.html, customs.html, ops.html),
 * their scripts and styles under static/, and a fixed list of browser
 * libraries from node_modules/ (d3-geo, topojson-client, world-atlas;
 * scripts/deps.sh runs npm ci there) under /vendor/.  docs/web.md. */
#ifndef DT_WEB_H
#define DT_WEB_H

#include <stddef.h>

/* Read the files of DIR.  A missing directory, page or library is logged
 * and answers 404 later: the API does not need its pages.  0, or -1 with
 * ERR (kept for errors that must stop the start). */
int web_start(const char *dir, char *err, size_t errlen);
void web_stop(void);

/* How many files are held, and how many of the vendor libraries are
 * missing (for the start-up log and /readyz). */
size_t web_files(size_t *vendor_missing);

#endif
