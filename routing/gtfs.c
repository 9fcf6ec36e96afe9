/* gtfs.c -- GTFS static feed → timetable (see gtfs.h and
 * docs/routing-timetables.md).
 *
 * One parser, three sources: a folder, a .zip (libzip) and files in
 * memory each hand over a file's bytes, which geodata/csv.c reads.  The
 * files are read in dependency order (agency, calendar, calendar_dates,
 * stops, routes, trips, stop_times, frequencies, transfers); each row is
 * checked, skipped with a "FILE:LINE: reason" when it is bad, and interned.
 * Then service days are resolved per agency time zone and every trip is
 * expanded into runs and connections, which are sorted by departure. */
#include "gtfs.h"
#include "tz.h"
#include "geodata/csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#define DEFAULT_MAX_DAYS 400
#define DEFAULT_MAX_FILE ((size_t)512 << 20)
#define DEFAULT_MAX_TOTAL ((size_t)2048 << 20)
#define DEFAULT_MAX_CONNS 200000000u
#define MAX_TRIP_STOPS 65535u
#define MAX_ELEMS ((size_t)1 << 31) /* any one array; indices stay below RT_NONE */

static const char *const file_names[RT_F_COUNT] = {
    "agency.txt",         "stops.txt",       "routes.txt",
    "trips.txt",          "stop_times.txt",  "calendar.txt",
    "calendar_dates.txt", "frequencies.txt", "transfers.txt"};

const char *rt_gtfs_file_name(enum rt_gtfs_file f) {
    return ((int)f >= 0 && f < RT_F_COUNT) ? file_names[f] : "?";
}

/* ---- sources: folder, zip, memory ------------------------------------------ */

enum src_kind { SRC_DIR, SRC_ZIP, SRC_MEM };

struct source {
    enum src_kind kind;
    const char *dir;
    zip_t *zip;
    const struct rt_gtfs_memfile *files;
    size_t nfiles;
    size_t max_file, max_total, total;
};

/* Read member NAME.  1 with *data (and *owned, to free, unless it is the
 * caller's memory) and *len; 0 when the feed has no such file; -1 with ERR. */
static int dir_read(struct source *s, const char *name, char **owned, size_t *len,
                    char *err, size_t errlen) {
    char path[4096];
    FILE *f;
    struct stat st;
    size_t cap, n;
    char *buf;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->dir, name) >= sizeof(path)) {
        snprintf(err, errlen, "%s: path is too long", name);
        return -1;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", name);
        fclose(f);
        return -1;
    }
    if ((uint64_t)st.st_size > s->max_file) {
        snprintf(err, errlen, "%s: %lld bytes is over the %zu byte limit per file",
                 name, (long long)st.st_size, s->max_file);
        fclose(f);
        return -1;
    }
    /* Read to EOF rather than trusting st_size: the file may grow. */
    cap = (size_t)st.st_size + 1;
    buf = malloc(cap);
    n = 0;
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        if (n > s->max_file) {
            free(buf);
            snprintf(err, errlen, "%s: over the %zu byte limit per file", name,
                     s->max_file);
            fclose(f);
            return -1;
        }
        char *nb = realloc(buf, cap * 2);
        if (nb == NULL) break;
        buf = nb;
        cap *= 2;
    }
    if (buf == NULL || ferror(f)) {
        snprintf(err, errlen, "%s: cannot read: %s", name,
                 buf ? strerror(errno) : "out of memory");
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *owned = buf;
    *len = n;
    return 1;
}

/* Zip members are read against both their declared size and the cap, so a
 * member that lies about its size (a zip bomb) stops at the cap. */
static int zip_read(struct source *s, const char *name, char **owned, size_t *len,
                    char *err, size_t errlen) {
    zip_int64_t idx = zip_name_locate(s->zip, name, 0);
    zip_stat_t st;
    zip_file_t *zf;
    char *buf;
    size_t n = 0, want;

    if (idx < 0) /* feeds zipped with their folder: "feed/stops.txt" */
        idx = zip_name_locate(s->zip, name, ZIP_FL_NODIR);
    if (idx < 0) return 0;
    zip_stat_init(&st);
    if (zip_stat_index(s->zip, (zip_uint64_t)idx, 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE)) {
        snprintf(err, errlen, "%s: cannot stat zip member: %s", name,
                 zip_strerror(s->zip));
        return -1;
    }
    if (st.size > s->max_file || st.size > s->max_total - s->total) {
        snprintf(err, errlen, "%s: %llu bytes uncompressed is over the %zu byte limit",
                 name, (unsigned long long)st.size,
                 st.size > s->max_file ? s->max_file : s->max_total - s->total);
        return -1;
    }
    want = (size_t)st.size;
    zf = zip_fopen_index(s->zip, (zip_uint64_t)idx, 0);
    if (zf == NULL) {
        snprintf(err, errlen, "%s: cannot open zip member: %s", name,
                 zip_strerror(s->zip));
        return -1;
    }
    buf = malloc(want + 1);
    if (buf == NULL) {
        zip_fclose(zf);
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    for (;;) {
        /* Ask for one byte more than declared to notice a longer stream. */
        zip_int64_t got = zip_fread(zf, buf + n, want + 1 - n);
        if (got < 0) {
            snprintf(err, errlen, "%s: cannot inflate: %s", name,
                     zip_file_strerror(zf));
            free(buf);
            zip_fclose(zf);
            return -1;
        }
        if (got == 0) break;
        n += (size_t)got;
        if (n > want) {
            snprintf(err, errlen, "%s: inflates past its declared %zu bytes", name,
                     want);
            free(buf);
            zip_fclose(zf);
            return -1;
        }
    }
    zip_fclose(zf);
    *owned = buf;
    *len = n;
    return 1;
}

static int source_read(struct source *s, const char *name, const char **data,
                       char **owned, size_t *len, char *err, size_t errlen) {
    int rc;
    *owned = NULL;
    if (s->kind == SRC_MEM) {
        for (size_t i = 0; i < s->nfiles; i++) {
            if (s->files[i].name && strcmp(s->files[i].name, name) == 0) {
                if (s->files[i].len > s->max_file ||
                    s->files[i].len > s->max_total - s->total) {
                    snprintf(err, errlen, "%s: %zu bytes is over the %zu byte limit",
                             name, s->files[i].len,
                             s->files[i].len > s->max_file ? s->max_file
                                                           : s->max_total - s->total);
                    return -1;
                }
                s->total += s->files[i].len;
                *data = s->files[i].data ? s->files[i].data : "";
                *len = s->files[i].data ? s->files[i].len : 0;
                return 1;
            }
        }
        return 0;
    }
    rc = s->kind == SRC_DIR ? dir_read(s, name, owned, len, err, errlen)
                            : zip_read(s, name, owned, len, err, errlen);
    if (rc == 1) {
        if (*len > s->max_total - s->total) {
            snprintf(err, errlen, "%s: the feed is over the %zu byte limit", name,
                     s->max_total);
            free(*owned);
            *owned = NULL;
            return -1;
        }
        s->total += *len;
        *data = *owned;
    }
    return rc;
}

/* ---- loader state ---------------------------------------------------------- */

struct st_row { /* one stop_times.txt row, until trips are built */
    uint32_t trip, seq, stop, arr, dep, line;
    uint8_t flags; /* RT_CONN_PICKUP | RT_CONN_DROPOFF as allowed here */
    uint8_t dead;  /* skipped in the post-pass */
};

struct cal_row {
    uint32_t service;
    int32_t start, end;
    uint8_t mask; /* bit 0 Monday .. bit 6 Sunday */
};

struct cdate_row {
    uint32_t service;
    int32_t day;
    uint8_t add;
};

struct freq_row {
    uint32_t trip, start, end, headway, line;
    uint8_t exact;
};

struct xfer_row {
    uint32_t from, to, secs, line;
    uint8_t type;
};

struct cand { /* one expanded transfer rule for a stop pair */
    uint32_t from, to, secs, line;
    uint8_t type, spec; /* spec: how many ends were named as stops, not stations */
};

struct u32vec {
    uint32_t *v;
    size_t n, cap;
};

struct loader {
    struct rt_timetable *tt;
    struct rt_load_report *rep;
    struct rt_load_options opt;
    struct source *src;
    int oom;

    /* Ids of rows that were skipped (their own pool and maps; the value is
     * the line), so that rows pointing at them can say so. */
    struct rt_timetable drop;

    size_t cap_zones, cap_agencies, cap_stops, cap_routes, cap_services, cap_trips;
    /* Line of each kept agency, stop, route and trip (for "appears twice"
     * and later messages); of each service's calendar.txt row (0 = none). */
    struct u32vec agency_line, stop_line, route_line, trip_line, service_cal_line;
    struct u32vec stop_parent; /* pool offset of parent_station, 0 = none */
    unsigned agency_rows;

    struct cal_row *cal;
    size_t ncal, cap_cal;
    struct cdate_row *cdates;
    size_t ncdates, cap_cdates;
    struct st_row *st;
    size_t nst, cap_st;
    uint32_t *trip_first; /* first st row of each trip after the post-pass */
    struct freq_row *freq;
    size_t nfreq, cap_freq;
    struct xfer_row *xfer;
    size_t nxfer, cap_xfer;

    uint8_t *days; /* service bitmaps, day_bytes each */
    size_t day_bytes;
};

/* Room for element N of an array of ELEM-byte items with capacity *CAP.
 * Returns the (maybe moved) array, or NULL when out of memory or past
 * MAX_ELEMS (P is then untouched and still owned by the caller). */
static void *grow(void *p, size_t *cap, size_t n, size_t elem) {
    size_t c;
    void *q;
    if (n < *cap) return p;
    c = *cap ? *cap * 2 : 64;
    if (c > MAX_ELEMS) c = MAX_ELEMS;
    if (n >= c) return NULL;
    q = realloc(p, c * elem);
    if (q != NULL) *cap = c;
    return q;
}

static int u32_push(struct u32vec *a, uint32_t x) {
    void *q = grow(a->v, &a->cap, a->n, sizeof(*a->v));
    if (q == NULL) return -1;
    a->v = q;
    a->v[a->n++] = x;
    return 0;
}

#define ROOM(L, v, n, cap)                                                             \
    do {                                                                               \
        void *q_ = grow((v), &(cap), (n), sizeof(*(v)));                               \
        if (q_ == NULL) return oom(L);                                                 \
        (v) = q_;                                                                      \
    } while (0)

static int hard(struct loader *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int hard(struct loader *L, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->rep->err, sizeof(L->rep->err), fmt, ap);
    va_end(ap);
    return -1;
}

static int oom(struct loader *L) {
    return hard(L, "out of memory");
}

/* Count a skipped (SKIP=1) or warned (SKIP=0) row of file F at LINE and keep
 * its message if there is room. */
static void note(struct loader *L, int f, uint32_t line, int skip, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void note(struct loader *L, int f, uint32_t line, int skip, const char *fmt,
                 ...) {
    struct rt_file_report *fr = &L->rep->files[f];
    char why[200];
    va_list ap;
    if (skip)
        fr->skipped++;
    else
        fr->warned++;
    if (fr->nmsg >= RT_REPORT_MESSAGES) return;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(fr->msg[fr->nmsg++], RT_MESSAGE_LEN, "%s:%u: %s", file_names[f], line,
             why);
}

static void mark_dropped(struct loader *L, struct rt_idmap *m, const char *id,
                         uint32_t line) {
    uint32_t off;
    if (*id == '\0') return;
    if (rt_strings_add(&L->drop, id, strlen(id), &off) != 0 ||
        rt_idmap_put(m, &L->drop, off, line, NULL) < 0)
        L->oom = 1;
}

/* Why ID (a WHAT, e.g. "trip_id") cannot be used: skipped earlier, or not
 * in FILE at all. */
static void why_missing(struct loader *L, const struct rt_idmap *dropped,
                        const char *what, const char *id, int f, char *buf,
                        size_t len) {
    uint32_t line = rt_idmap_get(dropped, &L->drop, id);
    if (*id == '\0')
        snprintf(buf, len, "%s is empty", what);
    else if (line != RT_NONE)
        snprintf(buf, len, "%s '%.60s' was skipped (%s:%u)", what, id, file_names[f],
                 line);
    else
        snprintf(buf, len, "%s '%.60s' is not in %s", what, id, file_names[f]);
}

/* ---- field parsers ---------------------------------------------------------- */

static int parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    long v;
    if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* GTFS time "H:MM:SS" (hours up to RT_MAX_GTFS_HOURS, past 24 allowed) →
 * seconds, or -1. */
static long parse_time(const char *s) {
    long h = 0;
    int nd = 0;
    for (; is_digit(*s); s++) {
        if (++nd > 4) return -1;
        h = h * 10 + (*s - '0');
    }
    if (nd == 0 || *s != ':') return -1;
    s++;
    if (!is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' || !is_digit(s[3]) ||
        !is_digit(s[4]) || s[5] != '\0')
        return -1;
    int m = (s[0] - '0') * 10 + (s[1] - '0'), sec = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || sec > 59 || h > RT_MAX_GTFS_HOURS) return -1;
    return h * 3600 + m * 60 + sec;
}

/* "YYYYMMDD" → days since 1970-01-01, or INT32_MIN. */
static int32_t parse_date(const char *s) {
    int v = 0;
    for (int i = 0; i < 8; i++) {
        if (!is_digit(s[i])) return INT32_MIN;
        v = v * 10 + (s[i] - '0');
    }
    if (s[8] != '\0') return INT32_MIN;
    return rt_days_from_date(v);
}

static void fmt_time(uint32_t t, char *buf, size_t len) {
    snprintf(buf, len, "%02u:%02u:%02u", t / 3600, t / 60 % 60, t % 60);
}

/* ---- columns ------------------------------------------------------------------ */

struct col {
    const char *name;
    int required;
    int idx;
};

static int find_columns(struct loader *L, struct csv_reader *r, struct col *c,
                        size_t n) {
    for (size_t i = 0; i < n; i++) {
        c[i].idx = csv_column(r, c[i].name);
        if (c[i].idx < 0 && c[i].required)
            return hard(L, "%s:%d: missing required column '%s'", r->source, r->line,
                        c[i].name);
    }
    return 0;
}

/* 1 if the record has as many fields as the header; else counts it skipped. */
static int row_shape_ok(struct loader *L, struct csv_reader *r, int f) {
    if (r->nfields == r->nheader) return 1;
    note(L, f, (uint32_t)r->line, 1, "%d fields, the header has %d", r->nfields,
         r->nheader);
    return 0;
}

#define FIELD(r, c) csv_field((r), (c).idx)

static int intern(struct loader *L, const char *s, uint32_t *off) {
    if (rt_strings_add(L->tt, s, strlen(s), off) != 0) return oom(L);
    return 0;
}

/* Zone index of NAME (already checked), adding it if new; RT_NONE on OOM. */
static uint32_t zone_of(struct loader *L, const char *name) {
    struct rt_timetable *tt = L->tt;
    uint32_t off;
    for (uint32_t i = 0; i < tt->nzones; i++)
        if (strcmp(rt_str(tt, tt->zones[i].name), name) == 0) return i;
    if (rt_strings_add(tt, name, strlen(name), &off) != 0) return RT_NONE;
    void *q = grow(tt->zones, &L->cap_zones, tt->nzones, sizeof(*tt->zones));
    if (q == NULL) return RT_NONE;
    tt->zones = q;
    tt->zones[tt->nzones].name = off;
    return tt->nzones++;
}

/* ---- agency.txt ---------------------------------------------------------------- */

static int parse_agency(struct loader *L, struct csv_reader *r) {
    struct rt_timetable *tt = L->tt;
    struct col c[] = {
        {"agency_id", 0, -1}, {"agency_name", 1, -1}, {"agency_timezone", 1, -1}};
    int rc;
    if (find_columns(L, r, c, 3) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        const char *id = FIELD(r, c[0]), *tzname = FIELD(r, c[2]);
        uint32_t line = (uint32_t)r->line, off, old, zone;
        char why[160];
        L->agency_rows++;
        if (!row_shape_ok(L, r, RT_F_AGENCY)) continue;
        if (rt_tz_check(tzname, why, sizeof(why)) != 0) {
            note(L, RT_F_AGENCY, line, 1, "agency_timezone %s", why);
            mark_dropped(L, &L->drop.agency_ids, id, line);
            continue;
        }
        if (intern(L, id, &off) != 0) return -1;
        rc = rt_idmap_put(&tt->agency_ids, tt, off, tt->nagencies, &old);
        if (rc < 0) return oom(L);
        if (rc == 1) {
            if (*id == '\0')
                note(L, RT_F_AGENCY, line, 1,
                     "agency_id is empty; it is required when there are several "
                     "agencies");
            else
                note(L, RT_F_AGENCY, line, 1,
                     "agency_id '%.60s' appears twice (line %u)", id,
                     L->agency_line.v[old]);
            continue;
        }
        if ((zone = zone_of(L, tzname)) == RT_NONE) return oom(L);
        ROOM(L, tt->agencies, tt->nagencies, L->cap_agencies);
        if (u32_push(&L->agency_line, line) != 0) return oom(L);
        struct rt_agency *a = &tt->agencies[tt->nagencies++];
        a->id = off;
        a->zone = zone;
        if (intern(L, FIELD(r, c[1]), &a->name) != 0) return -1;
        L->rep->files[RT_F_AGENCY].loaded++;
    }
    return rc < 0 ? hard(L, "%s", r->err) : 0;
}

/* ---- calendar.txt, calendar_dates.txt ----------------------------------------- */

/* Index of service ID, interned on first sight.  -1 on OOM. */
static int service_of(struct loader *L, const char *id, uint32_t *out) {
    struct rt_timetable *tt = L->tt;
    uint32_t off, idx = rt_idmap_get(&tt->service_ids, tt, id);
    if (idx != RT_NONE) {
        *out = idx;
        return 0;
    }
    if (intern(L, id, &off) != 0) return -1;
    ROOM(L, tt->services, tt->nservices, L->cap_services);
    if (rt_idmap_put(&tt->service_ids, tt, off, tt->nservices, NULL) != 0 ||
        u32_push(&L->service_cal_line, 0) != 0)
        return oom(L);
    tt->services[tt->nservices].id = off;
    *out = tt->nservices++;
    return 0;
}

static int parse_calendar(struct loader *L, struct csv_reader *r) {
    static const char *const wd[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                      "friday", "saturday", "sunday"};
    struct col c[10] = {
        {"service_id", 1, -1}, {"start_date", 1, -1}, {"end_date", 1, -1}};
    int rc;
    for (int i = 0; i < 7; i++)
        c[3 + i] = (struct col){wd[i], 1, -1};
    if (find_columns(L, r, c, 10) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        uint32_t line = (uint32_t)r->line, svc;
        const char *id = FIELD(r, c[0]);
        struct cal_row row = {0};
        int i;
        if (!row_shape_ok(L, r, RT_F_CALENDAR)) continue;
        if (*id == '\0') {
            note(L, RT_F_CALENDAR, line, 1, "service_id is empty");
            continue;
        }
        for (i = 0; i < 7; i++) {
            const char *v = FIELD(r, c[3 + i]);
            if (strcmp(v, "1") == 0)
                row.mask |= (uint8_t)(1u << i);
            else if (strcmp(v, "0") != 0)
                break;
        }
        if (i < 7) {
            note(L, RT_F_CALENDAR, line, 1, "%s '%.20s' is not 0 or 1", wd[i],
                 FIELD(r, c[3 + i]));
            continue;
        }
        row.start = parse_date(FIELD(r, c[1]));
        row.end = parse_date(FIELD(r, c[2]));
        if (row.start == INT32_MIN || row.end == INT32_MIN) {
            int bad = row.start == INT32_MIN ? 1 : 2;
            note(L, RT_F_CALENDAR, line, 1, "%s '%.20s' is not a date YYYYMMDD",
                 c[bad].name, FIELD(r, c[bad]));
            continue;
        }
        if (row.end < row.start) {
            note(L, RT_F_CALENDAR, line, 1, "end_date %s is before start_date %s",
                 FIELD(r, c[2]), FIELD(r, c[1]));
            continue;
        }
        if (service_of(L, id, &svc) != 0) return -1;
        if (L->service_cal_line.v[svc] != 0) {
            note(L, RT_F_CALENDAR, line, 1,
                 "service_id '%.60s' appears twice (line %u)", id,
                 L->service_cal_line.v[svc]);
            continue;
        }
        L->service_cal_line.v[svc] = line;
        row.service = svc;
        ROOM(L, L->cal, L->ncal, L->cap_cal);
        L->cal[L->ncal++] = row;
        L->rep->files[RT_F_CALENDAR].loaded++;
    }
    return rc < 0 ? hard(L, "%s", r->err) : 0;
}

static int parse_calendar_dates(struct loader *L, struct csv_reader *r) {
    struct col c[] = {
        {"service_id", 1, -1}, {"date", 1, -1}, {"exception_type", 1, -1}};
    int rc;
    if (find_columns(L, r, c, 3) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        uint32_t line = (uint32_t)r->line;
        const char *id = FIELD(r, c[0]), *type = FIELD(r, c[2]);
        struct cdate_row row = {0};
        if (!row_shape_ok(L, r, RT_F_CALENDAR_DATES)) continue;
        if (*id == '\0') {
            note(L, RT_F_CALENDAR_DATES, line, 1, "service_id is empty");
            continue;
        }
        if ((row.day = parse_date(FIELD(r, c[1]))) == INT32_MIN) {
            note(L, RT_F_CALENDAR_DATES, line, 1, "date '%.20s' is not a date YYYYMMDD",
                 FIELD(r, c[1]));
            continue;
        }
        if (strcmp(type, "1") != 0 && strcmp(type, "2") != 0) {
            note(L, RT_F_CALENDAR_DATES, line, 1,
                 "exception_type '%.20s' is not 1 (added) or 2 (removed)", type);
            continue;
        }
        row.add = type[0] == '1';
        if (service_of(L, id, &row.service) != 0) return -1;
        ROOM(L, L->cdates, L->ncdates, L->cap_cdates);
        L->cdates[L->ncdates++] = row;
        L->rep->files[RT_F_CALENDAR_DATES].loaded++;
    }
    return rc < 0 ? hard(L, "%s", r->err) : 0;
}

/* Choose the service days and fill each service's bitmap.  calendar.txt
 * first, then calendar_dates.txt on top, whatever order the rows came in. */
static int resolve_days(struct loader *L) {
    struct rt_timetable *tt = L->tt;
    int32_t first = INT32_MAX, last = INT32_MIN;
    uint64_t n;

    for (size_t i = 0; i < L->ncal; i++) {
        if (L->cal[i].start < first) first = L->cal[i].start;
        if (L->cal[i].end > last) last = L->cal[i].end;
    }
    for (size_t i = 0; i < L->ncdates; i++) {
        if (L->cdates[i].day < first) first = L->cdates[i].day;
        if (L->cdates[i].add && L->cdates[i].day > last) last = L->cdates[i].day;
    }
    if (L->opt.first_date != 0) {
        first = rt_days_from_date(L->opt.first_date);
        if (first == INT32_MIN)
            return hard(L, "first_date %d is not a date YYYYMMDD", L->opt.first_date);
    }
    if (L->opt.ndays != 0) {
        if (L->opt.ndays > RT_MAX_DAYS)
            return hard(L, "%u service days asked for; the limit is %u", L->opt.ndays,
                        RT_MAX_DAYS);
        n = L->opt.ndays;
    } else if (first == INT32_MAX || last < first) {
        n = 0; /* the feed runs on no day */
    } else {
        n = (uint64_t)((int64_t)last - first + 1);
        if (n > L->opt.default_max_days) {
            n = L->opt.default_max_days;
            L->rep->days_capped = 1;
        }
    }
    if (first == INT32_MAX) first = 0;
    tt->first_day = first;
    tt->ndays = (uint32_t)n;
    tt->epoch = ((int64_t)first - 1) * 86400;
    L->rep->first_date = rt_date_from_days(first);
    L->rep->ndays = tt->ndays;

    L->day_bytes = (tt->ndays + 7) / 8;
    L->days = calloc((size_t)tt->nservices * L->day_bytes + 1, 1);
    if (L->days == NULL) return oom(L);
    for (size_t i = 0; i < L->ncal; i++) {
        const struct cal_row *c = &L->cal[i];
        uint8_t *bits = L->days + (size_t)c->service * L->day_bytes;
        for (uint32_t d = 0; d < tt->ndays; d++) {
            int32_t day = first + (int32_t)d;
            /* 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays. */
            int wd = (int)(((day + 3) % 7 + 7) % 7);
            if (day >= c->start && day <= c->end && (c->mask >> wd & 1))
                bits[d / 8] |= (uint8_t)(1u << (d % 8));
        }
    }
    for (size_t i = 0; i < L->ncdates; i++) {
        const struct cdate_row *c = &L->cdates[i];
        uint8_t *bits = L->days + (size_t)c->service * L->day_bytes;
        int64_t d = (int64_t)c->day - first;
        if (d < 0 || d >= tt->ndays) continue;
        if (c->add)
            bits[d / 8] |= (uint8_t)(1u << (d % 8));
        else
            bits[d / 8] &= (uint8_t) ~(1u << (d % 8));
    }
    return 0;
}

/* ---- stops.txt ------------------------------------------------------------------ */

static int parse_stops(struct loader *L, struct csv_reader *r) {
    struct rt_timetable *tt = L->tt;
    struct col c[] = {{"stop_id", 1, -1},       {"stop_name", 0, -1},
                      {"stop_lat", 1, -1},      {"stop_lon", 1, -1},
                      {"location_type", 0, -1}, {"parent_station", 0, -1},
                      {"stop_timezone", 0, -1}};
    int rc;
    if (find_columns(L, r, c, 7) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        uint32_t line = (uint32_t)r->line, off, old, parent = 0, zone = RT_NONE;
        const char *id = FIELD(r, c[0]), *lt = FIELD(r, c[4]), *ptz = FIELD(r, c[6]);
        const char *slat = FIELD(r, c[2]), *slon = FIELD(r, c[3]);
        long type = 0;
        double lat = NAN, lon = NAN;
        char why[160];
        if (!row_shape_ok(L, r, RT_F_STOPS)) continue;
        if (*id == '\0') {
            note(L, RT_F_STOPS, line, 1, "stop_id is empty");
            continue;
        }
        if (*lt != '\0' && parse_long(lt, 0, 4, &type) != 0) {
            note(L, RT_F_STOPS, line, 1, "location_type '%.20s' is not 0..4", lt);
            mark_dropped(L, &L->drop.stop_ids, id, line);
            continue;
        }
        /* Coordinates are required for stops, stations and entrances. */
        if ((type <= 2 || *slat || *slon) && (csv_double(slat, -90, 90, &lat) != 0 ||
                                              csv_double(slon, -180, 180, &lon) != 0)) {
            int bad = csv_double(slat, -90, 90, &lat) != 0 ? 2 : 3;
            note(L, RT_F_STOPS, line, 1, "%s '%.30s' is not a %s", c[bad].name,
                 FIELD(r, c[bad]),
                 bad == 2 ? "latitude in -90..90" : "longitude in -180..180");
            mark_dropped(L, &L->drop.stop_ids, id, line);
            continue;
        }
        if (*ptz != '\0') {
            if (rt_tz_check(ptz, why, sizeof(why)) != 0)
                note(L, RT_F_STOPS, line, 0, "stop_timezone %s; ignored", why);
            else if ((zone = zone_of(L, ptz)) == RT_NONE)
                return oom(L);
        }
        if (*FIELD(r, c[5]) != '\0' && intern(L, FIELD(r, c[5]), &parent) != 0)
            return -1;
        if (intern(L, id, &off) != 0) return -1;
        rc = rt_idmap_put(&tt->stop_ids, tt, off, tt->nstops, &old);
        if (rc < 0) return oom(L);
        if (rc == 1) {
            note(L, RT_F_STOPS, line, 1, "stop_id '%.60s' appears twice (line %u)", id,
                 L->stop_line.v[old]);
            continue;
        }
        ROOM(L, tt->stops, tt->nstops, L->cap_stops);
        if (u32_push(&L->stop_line, line) != 0 ||
            u32_push(&L->stop_parent, parent) != 0)
            return oom(L);
        struct rt_stop *s = &tt->stops[tt->nstops++];
        memset(s, 0, sizeof(*s));
        s->id = off;
        if (intern(L, FIELD(r, c[1]), &s->name) != 0) return -1;
        s->parent = RT_NONE;
        s->zone = zone;
        s->location_type = (uint8_t)type;
        s->lat = lat;
        s->lon = lon;
        L->rep->files[RT_F_STOPS].loaded++;
    }
    if (rc < 0) return hard(L, "%s", r->err);

    /* Parents may come after their children: link them now. */
    for (uint32_t i = 0; i < tt->nstops; i++) {
        uint32_t p, off = L->stop_parent.v[i];
        const char *pid = rt_str(tt, off);
        uint8_t want;
        if (off == 0) continue;
        p = rt_idmap_get(&tt->stop_ids, tt, pid);
        want = tt->stops[i].location_type == 4 ? 0 : 1;
        if (p == RT_NONE) {
            note(L, RT_F_STOPS, L->stop_line.v[i], 0,
                 "parent_station '%.60s' is not a stop in stops.txt; ignored", pid);
        } else if (tt->stops[i].location_type == 1) {
            note(L, RT_F_STOPS, L->stop_line.v[i], 0,
                 "a station (location_type 1) cannot have a parent_station; ignored");
        } else if (tt->stops[p].location_type != want) {
            note(L, RT_F_STOPS, L->stop_line.v[i], 0,
                 "parent_station '%.60s' has location_type %u, not %u; ignored", pid,
                 tt->stops[p].location_type, want);
        } else {
            tt->stops[i].parent = p;
        }
    }
    return 0;
}

/* ---- routes.txt, trips.txt ---------------------------------------------------------
 */

static int parse_routes(struct loader *L, struct csv_reader *r) {
    struct rt_timetable *tt = L->tt;
    struct col c[] = {{"route_id", 1, -1},
                      {"route_type", 1, -1},
                      {"agency_id", 0, -1},
                      {"route_short_name", 0, -1},
                      {"route_long_name", 0, -1}};
    int rc;
    if (find_columns(L, r, c, 5) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        uint32_t line = (uint32_t)r->line, off, old, agency;
        const char *id = FIELD(r, c[0]), *aid = FIELD(r, c[2]), *rtype = FIELD(r, c[1]);
        long type;
        int mode;
        char why[200];
        if (!row_shape_ok(L, r, RT_F_ROUTES)) continue;
        if (*id == '\0') {
            note(L, RT_F_ROUTES, line, 1, "route_id is empty");
            continue;
        }
        if (parse_long(rtype, 0, 1799, &type) != 0 ||
            (mode = rt_mode_from_route_type(type)) < 0) {
            note(L, RT_F_ROUTES, line, 1,
                 "route_type '%.20s' is not a GTFS route type (an integer in 0..1799)",
                 rtype);
            mark_dropped(L, &L->drop.route_ids, id, line);
            continue;
        }
        if (*aid == '\0' && L->agency_rows == 1) {
            /* agency_id may be left out when the feed has one agency */
            agency = tt->nagencies == 1 ? 0 : RT_NONE;
            snprintf(why, sizeof(why), "its agency was skipped (agency.txt)");
        } else if (*aid == '\0') {
            agency = RT_NONE;
            snprintf(why, sizeof(why),
                     "agency_id is empty but agency.txt has %u agencies",
                     L->agency_rows);
        } else {
            agency = rt_agency_find(tt, aid);
            why_missing(L, &L->drop.agency_ids, "agency_id", aid, RT_F_AGENCY, why,
                        sizeof(why));
        }
        if (agency == RT_NONE) {
            note(L, RT_F_ROUTES, line, 1, "%s", why);
            mark_dropped(L, &L->drop.route_ids, id, line);
            continue;
        }
        if (intern(L, id, &off) != 0) return -1;
        rc = rt_idmap_put(&tt->route_ids, tt, off, tt->nroutes, &old);
        if (rc < 0) return oom(L);
        if (rc == 1) {
            note(L, RT_F_ROUTES, line, 1, "route_id '%.60s' appears twice (line %u)",
                 id, L->route_line.v[old]);
            continue;
        }
        ROOM(L, tt->routes, tt->nroutes, L->cap_routes);
        if (u32_push(&L->route_line, line) != 0) return oom(L);
        struct rt_route *rt = &tt->routes[tt->nroutes++];
        memset(rt, 0, sizeof(*rt));
        rt->id = off;
        rt->agency = agency;
        rt->route_type = (int16_t)type;
        rt->mode = (uint8_t)mode;
        if (intern(L, FIELD(r, c[3]), &rt->short_name) != 0 ||
            intern(L, FIELD(r, c[4]), &rt->long_name) != 0)
            return -1;
        L->rep->files[RT_F_ROUTES].loaded++;
    }
    return rc < 0 ? hard(L, "%s", r->err) : 0;
}

static int parse_trips(struct loader *L, struct csv_reader *r) {
    struct rt_timetable *tt = L->tt;
    struct col c[] = {{"route_id", 1, -1},
                      {"service_id", 1, -1},
                      {"trip_id", 1, -1},
                      {"trip_headsign", 0, -1},
                      {"trip_short_name", 0, -1}};
    int rc;
    if (find_columns(L, r, c, 5) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        uint32_t line = (uint32_t)r->line, off, old, route, svc;
        const char *id = FIELD(r, c[2]), *rid = FIELD(r, c[0]), *sid = FIELD(r, c[1]);
        char why[200];
        if (!row_shape_ok(L, r, RT_F_TRIPS)) continue;
        if (*id == '\0') {
            note(L, RT_F_TRIPS, line, 1, "trip_id is empty");
            continue;
        }
        if ((route = rt_route_find(tt, rid)) == RT_NONE) {
            why_missing(L, &L->drop.route_ids, "route_id", rid, RT_F_ROUTES, why,
                        sizeof(why));
            note(L, RT_F_TRIPS, line, 1, "%s", why);
            mark_dropped(L, &L->drop.trip_ids, id, line);
            continue;
        }
        if ((svc = rt_idmap_get(&tt->service_ids, tt, sid)) == RT_NONE) {
            note(L, RT_F_TRIPS, line, 1,
                 "service_id '%.60s' is not in calendar.txt or calendar_dates.txt",
                 sid);
            mark_dropped(L, &L->drop.trip_ids, id, line);
            continue;
        }
        if (intern(L, id, &off) != 0) return -1;
        rc = rt_idmap_put(&tt->trip_ids, tt, off, tt->ntrips, &old);
        if (rc < 0) return oom(L);
        if (rc == 1) {
            note(L, RT_F_TRIPS, line, 1, "trip_id '%.60s' appears twice (line %u)", id,
                 L->trip_line.v[old]);
            continue;
        }
        ROOM(L, tt->trips, tt->ntrips, L->cap_trips);
        if (u32_push(&L->trip_line, line) != 0) return oom(L);
        struct rt_trip *t = &tt->trips[tt->ntrips++];
        memset(t, 0, sizeof(*t));
        t->id = off;
        t->route = route;
        t->service = svc;
        if (intern(L, FIELD(r, c[3]), &t->headsign) != 0 ||
            intern(L, FIELD(r, c[4]), &t->short_name) != 0)
            return -1;
        L->rep->files[RT_F_TRIPS].loaded++;
    }
    return rc < 0 ? hard(L, "%s", r->err) : 0;
}

/* ---- stop_times.txt ----------------------------------------------------------------
 */

static int parse_stop_times(struct loader *L, struct csv_reader *r) {
    struct rt_timetable *tt = L->tt;
    struct col c[] = {{"trip_id", 1, -1},        {"arrival_time", 1, -1},
                      {"departure_time", 1, -1}, {"stop_id", 1, -1},
                      {"stop_sequence", 1, -1},  {"pickup_type", 0, -1},
                      {"drop_off_type", 0, -1}};
    int rc;
    if (find_columns(L, r, c, 7) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        uint32_t line = (uint32_t)r->line;
        const char *tid = FIELD(r, c[0]), *sid = FIELD(r, c[3]);
        const char *sa = FIELD(r, c[1]), *sd = FIELD(r, c[2]);
        const char *pu = FIELD(r, c[5]), *dr = FIELD(r, c[6]);
        struct st_row row = {0};
        long seq, arr, dep, pick = 0, drop = 0;
        char why[200];
        if (!row_shape_ok(L, r, RT_F_STOP_TIMES)) continue;
        if ((row.trip = rt_trip_find(tt, tid)) == RT_NONE) {
            why_missing(L, &L->drop.trip_ids, "trip_id", tid, RT_F_TRIPS, why,
                        sizeof(why));
            note(L, RT_F_STOP_TIMES, line, 1, "%s", why);
            continue;
        }
        if ((row.stop = rt_stop_find(tt, sid)) == RT_NONE) {
            why_missing(L, &L->drop.stop_ids, "stop_id", sid, RT_F_STOPS, why,
                        sizeof(why));
            note(L, RT_F_STOP_TIMES, line, 1, "%s", why);
            continue;
        }
        if (tt->stops[row.stop].location_type != 0) {
            note(L, RT_F_STOP_TIMES, line, 1,
                 "stop_id '%.60s' has location_type %u; a trip can only stop at a "
                 "location_type 0 stop",
                 sid, tt->stops[row.stop].location_type);
            continue;
        }
        if (parse_long(FIELD(r, c[4]), 0, INT32_MAX, &seq) != 0) {
            note(L, RT_F_STOP_TIMES, line, 1,
                 "stop_sequence '%.20s' is not a non-negative integer", FIELD(r, c[4]));
            continue;
        }
        if (*sa == '\0' && *sd == '\0') {
            note(L, RT_F_STOP_TIMES, line, 1,
                 "no arrival_time or departure_time (times between timepoints are not "
                 "interpolated)");
            continue;
        }
        if (*sa == '\0' || *sd == '\0') {
            note(L, RT_F_STOP_TIMES, line, 1,
                 "%s is empty but %s is set (a timepoint "
                 "needs both)",
                 *sa ? "departure_time" : "arrival_time",
                 *sa ? "arrival_time" : "departure_time");
            continue;
        }
        if ((arr = parse_time(sa)) < 0) {
            note(L, RT_F_STOP_TIMES, line, 1, "arrival_time '%.20s' is not HH:MM:SS",
                 sa);
            continue;
        }
        if ((dep = parse_time(sd)) < 0) {
            note(L, RT_F_STOP_TIMES, line, 1, "departure_time '%.20s' is not HH:MM:SS",
                 sd);
            continue;
        }
        if (dep < arr) {
            note(L, RT_F_STOP_TIMES, line, 1,
                 "departure_time %s is before arrival_time %s", sd, sa);
            continue;
        }
        if ((*pu && parse_long(pu, 0, 3, &pick) != 0) ||
            (*dr && parse_long(dr, 0, 3, &drop) != 0)) {
            int bad = (*pu && parse_long(pu, 0, 3, &pick) != 0) ? 5 : 6;
            note(L, RT_F_STOP_TIMES, line, 1, "%s '%.20s' is not 0..3", c[bad].name,
                 FIELD(r, c[bad]));
            continue;
        }
        row.seq = (uint32_t)seq;
        row.arr = (uint32_t)arr;
        row.dep = (uint32_t)dep;
        row.line = line;
        /* 2 (phone the agency) and 3 (ask the driver) still allow it. */
        row.flags = (uint8_t)((pick != 1 ? RT_CONN_PICKUP : 0) |
                              (drop != 1 ? RT_CONN_DROPOFF : 0));
        ROOM(L, L->st, L->nst, L->cap_st);
        L->st[L->nst++] = row;
    }
    return rc < 0 ? hard(L, "%s", r->err) : 0;
}

static int st_cmp(const void *a, const void *b) {
    const struct st_row *x = a, *y = b;
    if (x->trip != y->trip) return x->trip < y->trip ? -1 : 1;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Order each trip's stop times by stop_sequence, drop repeated sequences,
 * times that run backwards and stops past the limit, compact the rows and
 * set each trip's first row and stop count. */
static int build_patterns(struct loader *L) {
    struct rt_timetable *tt = L->tt;
    size_t i, out = 0;
    int sorted = 1;

    for (i = 1; i < L->nst && sorted; i++)
        if (st_cmp(&L->st[i - 1], &L->st[i]) > 0) sorted = 0;
    if (!sorted) qsort(L->st, L->nst, sizeof(*L->st), st_cmp);

    L->trip_first = calloc((size_t)tt->ntrips + 1, sizeof(uint32_t));
    if (L->trip_first == NULL) return oom(L);
    for (i = 0; i < L->nst;) {
        uint32_t trip = L->st[i].trip, n = 0;
        const char *tid = rt_str(tt, tt->trips[trip].id);
        struct st_row *prev = NULL;
        L->trip_first[trip] = (uint32_t)out;
        for (; i < L->nst && L->st[i].trip == trip; i++) {
            struct st_row *s = &L->st[i];
            char a[16], b[16];
            if (prev && prev->seq == s->seq) {
                note(L, RT_F_STOP_TIMES, s->line, 1,
                     "stop_sequence %u appears twice for trip '%.60s' (line %u)",
                     s->seq, tid, prev->line);
                continue;
            }
            if (prev && s->arr < prev->dep) {
                fmt_time(s->arr, a, sizeof(a));
                fmt_time(prev->dep, b, sizeof(b));
                note(
                    L, RT_F_STOP_TIMES, s->line, 1,
                    "arrival_time %s is before the departure %s from the previous stop "
                    "(line %u)",
                    a, b, prev->line);
                continue;
            }
            if (n == MAX_TRIP_STOPS) {
                note(L, RT_F_STOP_TIMES, s->line, 1,
                     "trip '%.60s' has more than %u stops", tid, MAX_TRIP_STOPS);
                continue;
            }
            /* A stop takes the zone of the first agency serving it unless
             * stops.txt gave it one. */
            if (tt->stops[s->stop].zone == RT_NONE)
                tt->stops[s->stop].zone =
                    tt->agencies[tt->routes[tt->trips[trip].route].agency].zone;
            L->st[out] = *s;
            prev = &L->st[out++];
            n++;
        }
        tt->trips[trip].nstops = n;
    }
    L->nst = out;
    L->rep->files[RT_F_STOP_TIMES].loaded = out;
    tt->stop_times = malloc((out ? out : 1) * sizeof(*tt->stop_times));
    if (tt->stop_times == NULL) return oom(L);
    for (i = 0; i < out; i++) {
        const struct st_row *s = &L->st[i];
        tt->stop_times[i] =
            (struct rt_stop_time){s->stop, s->arr, s->dep, s->flags, {0}};
    }
    tt->nstop_times = (uint32_t)out;
    for (uint32_t t = 0; t < tt->ntrips; t++)
        tt->trips[t].first_stop_time = L->trip_first[t];
    for (uint32_t s = 0; s < tt->nstops; s++)
        if (tt->stops[s].zone == RT_NONE) tt->stops[s].zone = tt->nzones ? 0 : RT_NONE;
    return 0;
}

/* ---- frequencies.txt
 * ----------------------------------------------------------------- */

static int parse_frequencies(struct loader *L, struct csv_reader *r) {
    struct rt_timetable *tt = L->tt;
    struct col c[] = {{"trip_id", 1, -1},
                      {"start_time", 1, -1},
                      {"end_time", 1, -1},
                      {"headway_secs", 1, -1},
                      {"exact_times", 0, -1}};
    int rc;
    if (find_columns(L, r, c, 5) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        uint32_t line = (uint32_t)r->line;
        const char *tid = FIELD(r, c[0]), *ex = FIELD(r, c[4]);
        struct freq_row row = {0};
        long start, end, headway;
        char why[200];
        if (!row_shape_ok(L, r, RT_F_FREQUENCIES)) continue;
        if ((row.trip = rt_trip_find(tt, tid)) == RT_NONE) {
            why_missing(L, &L->drop.trip_ids, "trip_id", tid, RT_F_TRIPS, why,
                        sizeof(why));
            note(L, RT_F_FREQUENCIES, line, 1, "%s", why);
            continue;
        }
        if ((start = parse_time(FIELD(r, c[1]))) < 0 ||
            (end = parse_time(FIELD(r, c[2]))) < 0) {
            int bad = parse_time(FIELD(r, c[1])) < 0 ? 1 : 2;
            note(L, RT_F_FREQUENCIES, line, 1, "%s '%.20s' is not HH:MM:SS",
                 c[bad].name, FIELD(r, c[bad]));
            continue;
        }
        if (end <= start) {
            note(L, RT_F_FREQUENCIES, line, 1, "end_time %s is not after start_time %s",
                 FIELD(r, c[2]), FIELD(r, c[1]));
            continue;
        }
        if (parse_long(FIELD(r, c[3]), 1, 86400, &headway) != 0) {
            note(L, RT_F_FREQUENCIES, line, 1, "headway_secs '%.20s' is not 1..86400",
                 FIELD(r, c[3]));
            continue;
        }
        if (*ex && strcmp(ex, "0") != 0 && strcmp(ex, "1") != 0) {
            note(L, RT_F_FREQUENCIES, line, 1, "exact_times '%.20s' is not 0 or 1", ex);
            continue;
        }
        row.start = (uint32_t)start;
        row.end = (uint32_t)end;
        row.headway = (uint32_t)headway;
        row.exact = ex[0] == '1';
        row.line = line;
        ROOM(L, L->freq, L->nfreq, L->cap_freq);
        L->freq[L->nfreq++] = row;
    }
    return rc < 0 ? hard(L, "%s", r->err) : 0;
}

static int freq_cmp(const void *a, const void *b) {
    const struct freq_row *x = a, *y = b;
    if (x->trip != y->trip) return x->trip < y->trip ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Sort by trip and start; a window overlapping the one before it for the
 * same trip is skipped, so a trip's runs on a day start strictly later one
 * after the other. */
static void order_frequencies(struct loader *L) {
    size_t out = 0;
    if (L->nfreq > 1) qsort(L->freq, L->nfreq, sizeof(*L->freq), freq_cmp);
    for (size_t i = 0; i < L->nfreq; i++) {
        const struct freq_row *f = &L->freq[i];
        if (out > 0 && L->freq[out - 1].trip == f->trip &&
            f->start < L->freq[out - 1].end) {
            note(L, RT_F_FREQUENCIES, f->line, 1,
                 "overlaps the frequencies row on line %u for trip '%.60s'",
                 L->freq[out - 1].line, rt_str(L->tt, L->tt->trips[f->trip].id));
            continue;
        }
        L->freq[out++] = *f;
    }
    L->nfreq = out;
    L->rep->files[RT_F_FREQUENCIES].loaded = out;
}

/* ---- transfers.txt -----------------------------------------------------------------
 */

static int parse_transfers(struct loader *L, struct csv_reader *r) {
    struct rt_timetable *tt = L->tt;
    struct col c[] = {{"from_stop_id", 1, -1},  {"to_stop_id", 1, -1},
                      {"transfer_type", 1, -1}, {"min_transfer_time", 0, -1},
                      {"from_route_id", 0, -1}, {"to_route_id", 0, -1},
                      {"from_trip_id", 0, -1},  {"to_trip_id", 0, -1}};
    int rc;
    if (find_columns(L, r, c, 8) != 0) return -1;
    while ((rc = csv_next(r)) == 1) {
        uint32_t line = (uint32_t)r->line;
        const char *fs = FIELD(r, c[0]), *ts = FIELD(r, c[1]), *ty = FIELD(r, c[2]);
        const char *mt = FIELD(r, c[3]);
        struct xfer_row row = {0};
        long type = 0, secs = -1;
        char why[200];
        if (!row_shape_ok(L, r, RT_F_TRANSFERS)) continue;
        if (*FIELD(r, c[4]) || *FIELD(r, c[5]) || *FIELD(r, c[6]) || *FIELD(r, c[7])) {
            note(L, RT_F_TRANSFERS, line, 1,
                 "route- and trip-specific transfers are not supported");
            continue;
        }
        if (*ty && parse_long(ty, 0, 5, &type) != 0) {
            note(L, RT_F_TRANSFERS, line, 1, "transfer_type '%.20s' is not 0..5", ty);
            continue;
        }
        if (type >= 4) {
            note(L, RT_F_TRANSFERS, line, 1,
                 "transfer_type %ld (in-seat, between trips) is not supported", type);
            continue;
        }
        if ((row.from = rt_stop_find(tt, fs)) == RT_NONE ||
            (row.to = rt_stop_find(tt, ts)) == RT_NONE) {
            int from_bad = rt_stop_find(tt, fs) == RT_NONE;
            why_missing(L, &L->drop.stop_ids, from_bad ? "from_stop_id" : "to_stop_id",
                        from_bad ? fs : ts, RT_F_STOPS, why, sizeof(why));
            note(L, RT_F_TRANSFERS, line, 1, "%s", why);
            continue;
        }
        if (*mt && parse_long(mt, 0, 7 * 86400, &secs) != 0) {
            note(L, RT_F_TRANSFERS, line, 1,
                 "min_transfer_time '%.20s' is not a number of seconds in 0..604800",
                 mt);
            continue;
        }
        if (type == 2 && secs < 0) {
            note(L, RT_F_TRANSFERS, line, 1,
                 "transfer_type 2 needs a min_transfer_time");
            continue;
        }
        row.type = (uint8_t)type;
        row.secs = secs < 0 ? 0 : (uint32_t)secs;
        row.line = line;
        ROOM(L, L->xfer, L->nxfer, L->cap_xfer);
        L->xfer[L->nxfer++] = row;
        L->rep->files[RT_F_TRANSFERS].loaded++;
    }
    return rc < 0 ? hard(L, "%s", r->err) : 0;
}

static int cand_cmp(const void *a, const void *b) {
    const struct cand *x = a, *y = b;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    if (x->to != y->to) return x->to < y->to ? -1 : 1;
    if (x->spec != y->spec) return x->spec > y->spec ? -1 : 1; /* most specific first */
    return x->line > y->line ? -1 : x->line < y->line;         /* then the last row */
}

/* Expand station ends to their child stops, settle each stop pair by its
 * most specific rule (then the later row), and fill the footpaths, the
 * same-stop transfer times and the forbidden pairs. */
static int build_transfers(struct loader *L) {
    struct rt_timetable *tt = L->tt;
    uint32_t *cfirst = NULL, *child = NULL;
    struct cand *cv = NULL;
    size_t ncand = 0, capc = 0, nf = 0, nb = 0;
    int rc = -1;

    /* Children of each station, in CSR form. */
    cfirst = calloc((size_t)tt->nstops + 2, sizeof(uint32_t));
    child = malloc(((size_t)tt->nstops + 1) * sizeof(uint32_t));
    tt->foot_index = calloc((size_t)tt->nstops + 1, sizeof(uint32_t));
    if (cfirst == NULL || child == NULL || tt->foot_index == NULL) goto oom;
    for (uint32_t s = 0; s < tt->nstops; s++)
        if (tt->stops[s].parent != RT_NONE) cfirst[tt->stops[s].parent + 2]++;
    for (uint32_t s = 0; s < tt->nstops; s++)
        cfirst[s + 2] += cfirst[s + 1];
    for (uint32_t s = 0; s < tt->nstops; s++)
        if (tt->stops[s].parent != RT_NONE)
            child[cfirst[tt->stops[s].parent + 1]++] = s;

    for (size_t i = 0; i < L->nxfer; i++) {
        const struct xfer_row *x = &L->xfer[i];
        uint32_t fa = x->from, fb = x->from + 1, ta = x->to, tb = x->to + 1;
        const uint32_t *fl = NULL, *tl = NULL;
        uint8_t spec = 2;
        if (cfirst[x->from + 1] > cfirst[x->from]) {
            fl = child, fa = cfirst[x->from], fb = cfirst[x->from + 1];
            spec--;
        }
        if (cfirst[x->to + 1] > cfirst[x->to]) {
            tl = child, ta = cfirst[x->to], tb = cfirst[x->to + 1];
            spec--;
        }
        for (uint32_t f = fa; f < fb; f++) {
            for (uint32_t t = ta; t < tb; t++) {
                void *q = grow(cv, &capc, ncand, sizeof(*cv));
                if (q == NULL) goto oom;
                cv = q;
                cv[ncand++] = (struct cand){fl ? fl[f] : f, tl ? tl[t] : t, x->secs,
                                            x->line,        x->type,        spec};
            }
        }
    }
    if (ncand > 1) qsort(cv, ncand, sizeof(*cv), cand_cmp);
    /* Keep the first candidate of each pair, in place. */
    for (size_t i = 0; i < ncand; i++) {
        if (i > 0 && cv[i].from == cv[i - 1].from && cv[i].to == cv[i - 1].to) continue;
        cv[nb++] = cv[i];
    }
    ncand = nb;
    for (size_t i = 0; i < ncand; i++) {
        if (cv[i].type == 3)
            tt->nforbidden++;
        else if (cv[i].from != cv[i].to)
            nf++;
    }
    tt->foot = malloc((nf ? nf : 1) * sizeof(*tt->foot));
    tt->forbidden =
        malloc((tt->nforbidden ? tt->nforbidden : 1) * sizeof(*tt->forbidden));
    if (tt->foot == NULL || tt->forbidden == NULL) goto oom;
    nb = 0;
    for (size_t i = 0; i < ncand; i++) {
        const struct cand *k = &cv[i];
        if (k->type == 3) {
            tt->forbidden[nb++] = (struct rt_stop_pair){k->from, k->to};
        } else if (k->from == k->to) {
            tt->stops[k->from].min_transfer = k->secs;
        } else {
            tt->foot[tt->nfoot++] = (struct rt_footpath){k->from, k->to, k->secs};
            tt->foot_index[k->from + 1]++;
        }
    }
    for (uint32_t s = 0; s < tt->nstops; s++)
        tt->foot_index[s + 1] += tt->foot_index[s];
    rc = 0;
    goto done;
oom:
    rc = oom(L);
done:
    free(cfirst);
    free(child);
    free(cv);
    return rc;
}

/* ---- expansion into runs and connections ------------------------------------------
 */

static int day_on(const struct loader *L, uint32_t service, uint32_t d) {
    return L->days[(size_t)service * L->day_bytes + d / 8] >> (d % 8) & 1;
}

/* Stable LSD radix sort on (dep, arr), 16 bits a pass: the connections come
 * in (run, seq) order, so equal (dep, arr) keep that order. */
static int sort_connections(struct rt_timetable *tt) {
    struct rt_connection *a = tt->conns, *b, *t;
    uint32_t *count;
    size_t n = tt->nconns;
    if (n < 2) return 0;
    b = malloc(n * sizeof(*b));
    count = malloc(65536 * sizeof(*count));
    if (b == NULL || count == NULL) {
        free(b);
        free(count);
        return -1;
    }
    for (int pass = 0; pass < 4; pass++) {
        int shift = (pass & 1) * 16;
        uint32_t sum = 0;
        memset(count, 0, 65536 * sizeof(*count));
        for (size_t i = 0; i < n; i++)
            count[((pass < 2 ? a[i].arr : a[i].dep) >> shift) & 0xffff]++;
        if (count[((pass < 2 ? a[0].arr : a[0].dep) >> shift) & 0xffff] == n)
            continue; /* every key has this digit: nothing to do */
        for (size_t k = 0; k < 65536; k++) {
            uint32_t c = count[k];
            count[k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            b[count[((pass < 2 ? a[i].arr : a[i].dep) >> shift) & 0xffff]++] = a[i];
        t = a, a = b, b = t;
    }
    tt->conns = a;
    free(b);
    free(count);
    return 0;
}

static int build_connections(struct loader *L) {
    struct rt_timetable *tt = L->tt;
    uint32_t *ffirst = NULL;
    uint64_t nruns = 0, nconns = 0;
    char why[200];
    int rc = -1;

    if (tt->nzones && tt->ndays) {
        tt->day_start = malloc((size_t)tt->nzones * tt->ndays * sizeof(*tt->day_start));
        if (tt->day_start == NULL) return oom(L);
        for (uint32_t z = 0; z < tt->nzones; z++)
            if (rt_tz_day_starts(rt_str(tt, tt->zones[z].name), tt->first_day,
                                 tt->ndays, tt->day_start + (size_t)z * tt->ndays, why,
                                 sizeof(why)) != 0)
                return hard(L, "%s", why);
    }
    /* frequencies rows of each trip: freq[ffirst[t] .. ffirst[t+1]) */
    ffirst = calloc((size_t)tt->ntrips + 1, sizeof(uint32_t));
    if (ffirst == NULL) return oom(L);
    for (size_t i = 0; i < L->nfreq; i++)
        ffirst[L->freq[i].trip + 1]++;
    for (uint32_t t = 0; t < tt->ntrips; t++)
        ffirst[t + 1] += ffirst[t];

    /* Count first, so the arrays are allocated once and the cap is checked
     * before any memory goes. */
    for (uint32_t t = 0; t < tt->ntrips; t++) {
        struct rt_trip *tr = &tt->trips[t];
        uint64_t starts = 0, active = 0;
        if (tr->nstops < 2) {
            L->rep->trips_too_short++;
            continue;
        }
        if (ffirst[t] == ffirst[t + 1]) starts = 1;
        for (uint32_t i = ffirst[t]; i < ffirst[t + 1]; i++) {
            const struct freq_row *f = &L->freq[i];
            starts += (f->end - f->start + f->headway - 1) / f->headway;
        }
        for (uint32_t d = 0; d < tt->ndays; d++)
            active += (uint64_t)day_on(L, tr->service, d);
        if (active == 0) L->rep->trips_without_runs++;
        nruns += active * starts;
        nconns += active * starts * (tr->nstops - 1);
        if (nconns > L->opt.max_connections || nruns > MAX_ELEMS) {
            free(ffirst);
            return hard(L,
                        "the feed makes more than %llu connections over %u service "
                        "days; load fewer days",
                        (unsigned long long)L->opt.max_connections, tt->ndays);
        }
    }
    tt->runs = malloc((size_t)(nruns ? nruns : 1) * sizeof(*tt->runs));
    tt->conns = malloc((size_t)(nconns ? nconns : 1) * sizeof(*tt->conns));
    if (tt->runs == NULL || tt->conns == NULL) goto oom;

    for (uint32_t t = 0; t < tt->ntrips; t++) {
        struct rt_trip *tr = &tt->trips[t];
        const struct rt_stop_time *st = tt->stop_times + tr->first_stop_time;
        uint32_t zone = tt->agencies[tt->routes[tr->route].agency].zone;
        tr->first_run = tt->nruns;
        if (tr->nstops < 2) continue;
        for (uint32_t d = 0; d < tt->ndays; d++) {
            int64_t base = tt->day_start[(size_t)zone * tt->ndays + d] - tt->epoch;
            uint32_t fi = ffirst[t], fend = ffirst[t + 1];
            uint32_t start = st[0].dep;
            if (!day_on(L, tr->service, d)) continue;
            if (fi < fend) start = L->freq[fi].start;
            for (;;) { /* one run per start time */
                struct rt_run *run = &tt->runs[tt->nruns];
                int64_t shift = (int64_t)start - st[0].dep;
                run->trip = t;
                run->start = (int32_t)start;
                run->day = (uint16_t)d;
                run->flags = 0;
                if (fi < fend)
                    run->flags = (uint16_t)(RT_RUN_FREQUENCY |
                                            (L->freq[fi].exact ? 0 : RT_RUN_INEXACT));
                for (uint32_t i = 0; i + 1 < tr->nstops; i++) {
                    struct rt_connection *c = &tt->conns[tt->nconns++];
                    int64_t dep = base + shift + st[i].dep,
                            arr = base + shift + st[i + 1].arr;
                    if (dep < 0 || arr > (int64_t)UINT32_MAX) {
                        free(ffirst);
                        return hard(L, "trip '%.60s': a time is out of range",
                                    rt_str(tt, tr->id));
                    }
                    c->dep = (uint32_t)dep;
                    c->arr = (uint32_t)arr;
                    c->from = st[i].stop;
                    c->to = st[i + 1].stop;
                    c->run = tt->nruns;
                    c->seq = (uint16_t)i;
                    c->flags = (uint8_t)((st[i].flags & RT_CONN_PICKUP) |
                                         (st[i + 1].flags & RT_CONN_DROPOFF));
                    c->pad = 0;
                }
                tt->nruns++;
                if (fi == fend) break;
                start += L->freq[fi].headway;
                if (start >= L->freq[fi].end) {
                    if (++fi == fend) break;
                    start = L->freq[fi].start;
                }
            }
        }
        tr->nruns = tt->nruns - tr->first_run;
    }
    if (sort_connections(tt) != 0) goto oom;
    rc = 0;
    goto done;
oom:
    rc = oom(L);
done:
    free(ffirst);
    return rc;
}

/* ---- driver ---------------------------------------------------------------------- */

typedef int (*parse_fn)(struct loader *, struct csv_reader *);

/* Read and parse file F.  A missing REQUIRED file is a hard error; an empty
 * optional file counts as present with no rows. */
static int load_file(struct loader *L, int f, int required, parse_fn parse) {
    const char *name = file_names[f], *data = NULL;
    char *owned = NULL;
    size_t len = 0;
    struct csv_reader r;
    int rc = source_read(L->src, name, &data, &owned, &len, L->rep->err,
                         sizeof(L->rep->err));
    if (rc < 0) return -1;
    if (rc == 0) return required ? hard(L, "%s: required file is missing", name) : 0;
    L->rep->files[f].present = 1;
    if (len == 0 && !required) {
        free(owned);
        return 0;
    }
    if (csv_open_buffer(&r, data, len, name) != 0)
        rc = hard(L, "%s", r.err);
    else if (csv_read_header(&r) != 0)
        rc = hard(L, "%s", r.err);
    else
        rc = parse(L, &r);
    if (rc == 0 && L->oom) rc = oom(L);
    csv_close(&r);
    free(owned);
    return rc;
}

static void loader_free(struct loader *L) {
    free(L->agency_line.v);
    free(L->stop_line.v);
    free(L->route_line.v);
    free(L->trip_line.v);
    free(L->service_cal_line.v);
    free(L->stop_parent.v);
    free(L->cal);
    free(L->cdates);
    free(L->st);
    free(L->trip_first);
    free(L->freq);
    free(L->xfer);
    free(L->days);
    rt_timetable_free(&L->drop);
}

static int load(struct rt_timetable *tt, struct source *src,
                const struct rt_load_options *opt, struct rt_load_report *rep) {
    struct loader L;
    int rc;

    memset(tt, 0, sizeof(*tt));
    memset(&L, 0, sizeof(L));
    L.tt = tt;
    L.rep = rep;
    L.src = src;
    if (opt) L.opt = *opt;
    if (L.opt.default_max_days == 0 || L.opt.default_max_days > RT_MAX_DAYS)
        L.opt.default_max_days =
            L.opt.default_max_days ? RT_MAX_DAYS : DEFAULT_MAX_DAYS;
    if (L.opt.max_connections == 0) L.opt.max_connections = DEFAULT_MAX_CONNS;
    if (L.opt.max_connections > UINT32_MAX - 1) L.opt.max_connections = UINT32_MAX - 1;
    src->max_file = L.opt.max_file_bytes ? L.opt.max_file_bytes : DEFAULT_MAX_FILE;
    src->max_total = L.opt.max_total_bytes ? L.opt.max_total_bytes : DEFAULT_MAX_TOTAL;

    rc = load_file(&L, RT_F_AGENCY, 1, parse_agency);
    if (rc == 0) rc = load_file(&L, RT_F_CALENDAR, 0, parse_calendar);
    if (rc == 0) rc = load_file(&L, RT_F_CALENDAR_DATES, 0, parse_calendar_dates);
    if (rc == 0 && !rep->files[RT_F_CALENDAR].present &&
        !rep->files[RT_F_CALENDAR_DATES].present)
        rc = hard(&L, "calendar.txt and calendar_dates.txt are both missing; one is "
                      "required");
    if (rc == 0) rc = resolve_days(&L);
    if (rc == 0) rc = load_file(&L, RT_F_STOPS, 1, parse_stops);
    if (rc == 0) rc = load_file(&L, RT_F_ROUTES, 1, parse_routes);
    if (rc == 0) rc = load_file(&L, RT_F_TRIPS, 1, parse_trips);
    if (rc == 0) rc = load_file(&L, RT_F_STOP_TIMES, 1, parse_stop_times);
    if (rc == 0) rc = build_patterns(&L);
    if (rc == 0) rc = load_file(&L, RT_F_FREQUENCIES, 0, parse_frequencies);
    if (rc == 0) order_frequencies(&L);
    if (rc == 0) rc = load_file(&L, RT_F_TRANSFERS, 0, parse_transfers);
    if (rc == 0) rc = build_transfers(&L);
    if (rc == 0) rc = build_connections(&L);
    if (rc == 0 && rt_timetable_index_short(tt) != 0) rc = oom(&L);
    if (rc == 0 && rt_timetable_index_hot(tt) != 0) rc = oom(&L);
    loader_free(&L);
    if (rc != 0) rt_timetable_free(tt);
    return rc;
}

int rt_gtfs_load(struct rt_timetable *tt, const char *path,
                 const struct rt_load_options *opt, struct rt_load_report *rep) {
    struct source src;
    struct stat st;
    int rc, zerr = 0;

    memset(rep, 0, sizeof(*rep));
    memset(&src, 0, sizeof(src));
    memset(tt, 0, sizeof(*tt));
    if (stat(path, &st) != 0) {
        snprintf(rep->err, sizeof(rep->err), "%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        src.kind = SRC_DIR;
        src.dir = path;
        return load(tt, &src, opt, rep);
    }
    src.kind = SRC_ZIP;
    src.zip = zip_open(path, ZIP_RDONLY, &zerr);
    if (src.zip == NULL) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        snprintf(rep->err, sizeof(rep->err), "%s: not a folder or a readable .zip: %s",
                 path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return -1;
    }
    rc = load(tt, &src, opt, rep);
    zip_discard(src.zip); /* opened read-only: nothing to write back */
    return rc;
}

int rt_gtfs_load_memory(struct rt_timetable *tt, const struct rt_gtfs_memfile *files,
                        size_t n, const struct rt_load_options *opt,
                        struct rt_load_report *rep) {
    struct source src;
    memset(rep, 0, sizeof(*rep));
    memset(&src, 0, sizeof(src));
    src.kind = SRC_MEM;
    src.files = files;
    src.nfiles = n;
    return load(tt, &src, opt, rep);
}

void rt_load_report_print(const struct rt_load_report *rep, FILE *out) {
    fprintf(out, "service days: %u from %d%s\n", rep->ndays, rep->first_date,
            rep->days_capped ? " (capped: the calendar runs longer)" : "");
    for (int f = 0; f < RT_F_COUNT; f++) {
        const struct rt_file_report *fr = &rep->files[f];
        if (!fr->present) continue;
        fprintf(out, "%s: %lu loaded, %lu skipped, %lu with a field ignored\n",
                file_names[f], fr->loaded, fr->skipped, fr->warned);
        for (unsigned i = 0; i < fr->nmsg; i++)
            fprintf(out, "  %s\n", fr->msg[i]);
        if (fr->skipped + fr->warned > fr->nmsg)
            fprintf(out, "  ... %lu more\n", fr->skipped + fr->warned - fr->nmsg);
    }
    if (rep->trips_too_short)
        fprintf(out, "trips with fewer than two timed stops: %lu\n",
                rep->trips_too_short);
    if (rep->trips_without_runs)
        fprintf(out, "trips that run on none of the service days: %lu\n",
                rep->trips_without_runs);
}
