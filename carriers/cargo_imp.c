/* cargo_imp.c -- IATA Cargo-IMP FSU / FSA status messages to canonical
 * events (see cargo_imp.h, docs/feed-iata.md).
 *
 * The body is read line by line.  A message starts at "FSU/<version>" or
 * "FSA/<version>"; its next line is the AWB consignment line; every later
 * line that starts with a three-letter status code is one event.  A line
 * of '=', a Type-B address or origin line, or the next FSU/FSA line ends
 * the message.  Status line fields are recognised by position and shape,
 * not by a per-code grammar, because senders differ ("BKD/QR/0843/..." as
 * well as "BKD/QR0843/..."). */
#include "carriers/cargo_imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SOURCE "iata-cargo-imp"
#define LINE_CAP 512    /* longer lines are refused, not cut */
#define MAX_FIELDS 40
#define LB_TO_KG 0.45359237

/* Which airport of an "FRAJFK" pair a status happens at. */
enum side { SIDE_FROM = 0, SIDE_TO };

static const struct {
    char code[4];
    enum carrier_status st;
    enum carrier_classifier cls;
    enum side side;
} iata_codes[] = {
    {"BKD", CS_BOOKED, CC_PLANNED, SIDE_FROM},        /* booked on a flight */
    {"RCS", CS_RECEIVED, CC_ACTUAL, SIDE_FROM},       /* accepted, ready for carriage */
    {"FOH", CS_GATE_IN, CC_ACTUAL, SIDE_FROM},        /* on hand, not yet accepted */
    {"FIW", CS_GATE_IN, CC_ACTUAL, SIDE_FROM},        /* into the warehouse */
    {"FOW", CS_GATE_OUT, CC_ACTUAL, SIDE_FROM},       /* out of the warehouse */
    {"DPU", CS_RECEIVED, CC_ACTUAL, SIDE_FROM},       /* picked up at the shipper's door */
    {"PRE", CS_LOADED, CC_ACTUAL, SIDE_FROM},         /* prepared for loading on a flight */
    {"MAN", CS_LOADED, CC_ACTUAL, SIDE_FROM},         /* manifested on a flight */
    {"DEP", CS_DEPARTED, CC_ACTUAL, SIDE_FROM},
    {"ARR", CS_ARRIVED, CC_ACTUAL, SIDE_TO},          /* the flight arrived */
    {"RCF", CS_DISCHARGED, CC_ACTUAL, SIDE_TO},       /* received from the flight */
    {"NFD", CS_ARRIVED, CC_ACTUAL, SIDE_TO},          /* consignee notified: ready to collect */
    {"AWR", CS_DOCUMENTED, CC_ACTUAL, SIDE_TO},       /* arrival documents received */
    {"AWD", CS_DOCUMENTED, CC_ACTUAL, SIDE_TO},       /* documents handed to the consignee */
    {"DOC", CS_DOCUMENTED, CC_ACTUAL, SIDE_FROM},     /* documents received */
    {"TRM", CS_DOCUMENTED, CC_ACTUAL, SIDE_FROM},     /* transfer manifest made out */
    {"TFD", CS_TRANSSHIPPED, CC_ACTUAL, SIDE_FROM},   /* handed to another carrier */
    {"RCT", CS_TRANSSHIPPED, CC_ACTUAL, SIDE_FROM},   /* received from another carrier */
    {"CRC", CS_DOCUMENTED, CC_ACTUAL, SIDE_FROM},     /* reported to customs */
    {"TGC", CS_CUSTOMS_HOLD, CC_ACTUAL, SIDE_FROM},   /* under customs / government control */
    {"CCD", CS_CUSTOMS_RELEASED, CC_ACTUAL, SIDE_FROM},
    {"DLV", CS_DELIVERED, CC_ACTUAL, SIDE_TO},        /* delivered to the consignee or agent */
    {"DDL", CS_DELIVERED, CC_ACTUAL, SIDE_TO},        /* delivered to the consignee's door */
    {"DIS", CS_EXCEPTION, CC_ACTUAL, SIDE_FROM},      /* a discrepancy */
};

/* Lines that belong to a message but report no event: information and
 * detail lines. */
static const char *const detail_codes[] = {
    "OCI", "OSI", "ULD", "OTH", "REF", "SSR", "DIM", "SPH", "COR", "TXT", "CSI", "CUS",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int code_index(const char *code3) {
    for (size_t i = 0; i < NELEM(iata_codes); i++)
        if (strcmp(iata_codes[i].code, code3) == 0) return (int)i;
    return -1;
}

int carrier_iata_status(const char *code3, enum carrier_status *st,
                        enum carrier_classifier *cls) {
    int k = code_index(code3);
    if (k < 0) return -1;
    if (st) *st = iata_codes[k].st;
    if (cls) *cls = iata_codes[k].cls;
    return 0;
}

static int is_detail(const char *code3) {
    for (size_t i = 0; i < NELEM(detail_codes); i++)
        if (strcmp(detail_codes[i], code3) == 0) return 1;
    return 0;
}

static int is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i])) return 0;
    return n > 0;
}

static int num2(const char *s) {
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* ---- dates ---- */

/* Days since 1970-01-01 of the proleptic Gregorian Y-M-D (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int month_of(const char *s) {
    static const char names[] = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";
    for (int i = 0; i < 12; i++)
        if (memcmp(names + 3 * i, s, 3) == 0) return i + 1;
    return 0;
}

/* The year of RECEIVED (UTC). */
static int64_t year_of(int64_t received) {
    int64_t days = received / 86400 - (received % 86400 < 0);
    /* civil_from_days, year only */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

/* Resolve day D of month M at MINUTE_OF_DAY to the instant nearest
 * RECEIVED among last year, this year and next year.  0 with *T, or -1
 * with the reason (quoting TEXT) in WHY when that day does not exist in
 * the chosen year. */
static int resolve_date(int d, int m, int minute_of_day, int64_t received, const char *text,
                        int64_t *t, char *why, size_t whylen) {
    int64_t y0 = year_of(received), best_y = y0, best = 0;
    int64_t best_dist = -1;
    for (int64_t y = y0 - 1; y <= y0 + 1; y++) {
        int64_t c = (days_from_civil(y, m, 1) + d - 1) * 86400 + (int64_t)minute_of_day * 60;
        int64_t dist = c > received ? c - received : received - c;
        if (best_dist < 0 || dist < best_dist) {
            best_dist = dist;
            best = c;
            best_y = y;
        }
    }
    if (d > month_days(best_y, m)) {
        snprintf(why, whylen, "date '%s' is not a date (%lld is not a leap year)", text,
                 (long long)best_y);
        return -1;
    }
    *t = best;
    return 0;
}

/* S shaped as a date: two digits and three capitals, then anything. */
static int date_shaped(const char *s) {
    return is_digit(s[0]) && is_digit(s[1]) && is_upper(s[2]) && is_upper(s[3]) &&
           is_upper(s[4]);
}

/* Parse a DDMMM or DDMMMhhmm field.  0 with day, month and *MINUTE (-1
 * when no time is given), or -1 with the reason in WHY. */
static int parse_date_field(const char *s, int *d, int *m, int *minute, char *why,
                            size_t whylen) {
    size_t n = strlen(s);
    *minute = -1;
    if (!date_shaped(s) || (n != 5 && n != 9) || (n == 9 && !all_digits(s + 5, 4)) ||
        (*m = month_of(s + 2)) == 0 || (*d = num2(s)) < 1 || *d > month_days(2000, *m)) {
        snprintf(why, whylen, "date '%s' is not a date", s);
        return -1;
    }
    if (n == 9) {
        int hh = num2(s + 5), mm = num2(s + 7);
        if (hh > 23 || mm > 59) {
            snprintf(why, whylen, "time '%.4s' in '%s' is not a time", s + 5, s);
            return -1;
        }
        *minute = hh * 60 + mm;
    }
    return 0;
}

/* A time-information field: S (scheduled), E (estimated) or A (actual),
 * hhmm, then an optional day-change letter (P previous day, N next day;
 * others change nothing).  The kind letter, or 0 when S is not shaped so. */
static char time_info(const char *s, int *minute, int *day_shift, int *valid) {
    size_t n = strlen(s);
    if ((n != 5 && n != 6) || !strchr("SEA", s[0]) || !all_digits(s + 1, 4) ||
        (n == 6 && !is_upper(s[5])))
        return 0;
    int hh = num2(s + 1), mm = num2(s + 3);
    *valid = hh <= 23 && mm <= 59;
    *minute = hh * 60 + mm;
    *day_shift = n == 6 ? (s[5] == 'P' ? -1 : s[5] == 'N' ? 1 : 0) : 0;
    return s[0];
}

/* ---- identifiers and quantities ---- */

/* A flight: a two-character airline designator (letters and digits), one
 * to four digits, an optional suffix letter. */
static int flight_shaped(const char *s) {
    size_t n = strlen(s), i = 2, nd = 0;
    if (n < 3 || !(is_upper(s[0]) || is_digit(s[0])) || !(is_upper(s[1]) || is_digit(s[1])))
        return 0;
    while (i < n && is_digit(s[i]) && nd < 5) i++, nd++;
    if (nd < 1 || nd > 4) return 0;
    if (i < n && is_upper(s[i])) i++;
    return i == n;
}

static int carrier_shaped(const char *s) {
    return strlen(s) == 2 && (is_upper(s[0]) || is_digit(s[0])) &&
           (is_upper(s[1]) || is_digit(s[1]));
}

/* One to four digits and an optional suffix letter. */
static int flight_number_shaped(const char *s) {
    size_t n = strlen(s), i = 0;
    while (i < n && is_digit(s[i])) i++;
    if (i < 1 || i > 4) return 0;
    if (i < n && is_upper(s[i])) i++;
    return i == n;
}

struct qty {
    int has;
    int32_t pieces;
    int has_weight;
    double weight_kg;
};

/* A quantity detail: T/P/D (or S followed by a weight), the pieces, then
 * optionally K or L and the weight; anything after (T<total>, a volume...)
 * is not ours.  1 with Q filled, 0 when S is not shaped so. */
static int parse_qty(const char *s, struct qty *q) {
    size_t i = 1, j;
    long pieces = 0;
    char num[24];
    if (s[0] == '\0' || !strchr("TPDS", s[0])) return 0;
    while (is_digit(s[i]) && i < 7) pieces = pieces * 10 + (s[i++] - '0');
    if (i == 1 || is_digit(s[i])) return 0;
    if (s[0] == 'S' && s[i] != 'K' && s[i] != 'L') return 0;   /* S0720 is a time */
    memset(q, 0, sizeof(*q));
    q->has = 1;
    q->pieces = (int32_t)pieces;
    if (s[i] != 'K' && s[i] != 'L') return 1;
    j = i + 1;
    int dots = 0, nd = 0;
    while ((is_digit(s[j]) || (s[j] == '.' && !dots)) && j - i - 1 < sizeof(num) - 1) {
        if (s[j] == '.') dots++;
        else nd++;
        j++;
    }
    if (nd == 0) return 1;
    memcpy(num, s + i + 1, j - i - 1);
    num[j - i - 1] = '\0';
    q->has_weight = 1;
    q->weight_kg = strtod(num, NULL) * (s[i] == 'L' ? LB_TO_KG : 1.0);
    return 1;
}

/* ---- messages ---- */

struct msg {
    int no;              /* 1-based ordinal of the message in the body */
    int expect_awb;
    int awb_ok;
    char awb[16];
    struct qty qty;
    char awb_why[200];
};

/* The AWB consignment line: "157-53806270HKGNLU/P2K505.0T10".  Fills M. */
static void parse_awb_line(struct msg *m, const char *s) {
    size_t n = strlen(s), i = 12;
    char awb[13];
    m->awb_ok = 0;
    memset(&m->qty, 0, sizeof(m->qty));
    if (n < 12 || !all_digits(s, 3) || s[3] != '-' || !all_digits(s + 4, 8)) {
        snprintf(m->awb_why, sizeof(m->awb_why),
                 "AWB line '%.40s' does not start with an air waybill number NNN-NNNNNNNN",
                 s);
        return;
    }
    memcpy(awb, s, 12);
    awb[12] = '\0';
    if (!carrier_awb_valid(awb, m->awb, sizeof(m->awb))) {
        snprintf(m->awb_why, sizeof(m->awb_why), "AWB '%s' fails the check digit", awb);
        return;
    }
    if (i < n && s[i] != '/') {   /* origin and destination */
        char a[4] = {0}, b[4] = {0};
        if (n - i >= 6) {
            memcpy(a, s + i, 3);
            memcpy(b, s + i + 3, 3);
        }
        if (n - i < 6 || (n - i > 6 && s[i + 6] != '/') || !carrier_iata_valid(a) ||
            !carrier_iata_valid(b)) {
            size_t k = i;
            while (k < n && s[k] != '/') k++;
            snprintf(m->awb_why, sizeof(m->awb_why),
                     "AWB line: origin and destination '%.*s' are not two IATA codes",
                     (int)(k - i > 20 ? 20 : k - i), s + i);
            return;
        }
        i += 6;
    }
    if (i < n && s[i] == '/' && !parse_qty(s + i + 1, &m->qty))
        memset(&m->qty, 0, sizeof(m->qty));
    m->awb_ok = 1;
}

/* Split S (modified) at '/' into F; the number of fields. */
static int split_fields(char *s, char **f, int cap) {
    int n = 0;
    f[n++] = s;
    for (char *p = s; *p && n < cap; p++)
        if (*p == '/') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

/* One status line LINE (its code CODE at index K of the table) of message
 * M into a new event of OUT.  0, or -1 with the reason in WHY (the event
 * is not added). */
static int status_event(const struct msg *m, int k, char *line, int64_t received,
                        struct carrier_batch *out, char *why, size_t whylen) {
    char *f[MAX_FIELDS], flight[16] = "", from[4] = "", to[4] = "";
    int nf = split_fields(line, f, MAX_FIELDS), di = -1, ai;
    int d = 0, mon = 0, minute = -1, day_shift = 0;
    struct qty q = {0};
    int64_t t;

    for (int i = 1; i < nf; i++)
        if (date_shaped(f[i])) {
            di = i;
            break;
        }
    if (di < 0) {
        snprintf(why, whylen, "no date field (DDMMM or DDMMMhhmm)");
        return -1;
    }
    /* What comes before the date: a flight, an airline and a number, or an
     * airline alone (TFD names the receiving carrier). */
    {
        char *pre[MAX_FIELDS];
        int np = 0;
        for (int i = 1; i < di; i++)
            if (f[i][0]) pre[np++] = f[i];
        if (np == 1 && flight_shaped(pre[0])) {
            snprintf(flight, sizeof(flight), "%s", pre[0]);
        } else if (np == 2 && carrier_shaped(pre[0]) && flight_number_shaped(pre[1])) {
            snprintf(flight, sizeof(flight), "%s%s", pre[0], pre[1]);
        } else if (!(np == 0 || (np == 1 && carrier_shaped(pre[0])))) {
            snprintf(why, whylen, "flight '%.20s%s%.20s' is not a flight number", pre[0],
                     np > 1 ? "/" : "", np > 1 ? pre[1] : "");
            return -1;
        }
    }
    if (parse_date_field(f[di], &d, &mon, &minute, why, whylen)) return -1;

    ai = di + 1;
    if (ai >= nf || f[ai][0] == '\0') {
        snprintf(why, whylen, "no airport after the date");
        return -1;
    }
    if (strlen(f[ai]) == 6) {
        memcpy(from, f[ai], 3);
        memcpy(to, f[ai] + 3, 3);
    } else if (strlen(f[ai]) == 3) {
        memcpy(from, f[ai], 3);
    }
    if (!carrier_iata_valid(from) || (to[0] && !carrier_iata_valid(to))) {
        snprintf(why, whylen, "airport '%.20s' is not an IATA code", f[ai]);
        return -1;
    }
    ai++;
    if (!to[0] && ai < nf && strlen(f[ai]) == 3 && carrier_iata_valid(f[ai])) {
        memcpy(to, f[ai], 4);   /* "HKG/NLU": the pair in two fields */
        ai++;
    }

    /* The rest: the first quantity, and the time when the date had none. */
    {
        int tmin[3] = {-1, -1, -1}, tshift[3] = {0, 0, 0};   /* A, E, S */
        for (int i = ai; i < nf; i++) {
            int mi = 0, sh = 0, ok = 0;
            char kind;
            if (!q.has && parse_qty(f[i], &q)) continue;
            if ((kind = time_info(f[i], &mi, &sh, &ok)) != 0) {
                int slot = kind == 'A' ? 0 : kind == 'E' ? 1 : 2;
                if (!ok) {
                    snprintf(why, whylen, "time '%s' is not a time", f[i]);
                    return -1;
                }
                if (tmin[slot] < 0) {
                    tmin[slot] = mi;
                    tshift[slot] = sh;
                }
            }
        }
        if (minute < 0)
            for (int s = 0; s < 3; s++)
                if (tmin[s] >= 0) {
                    minute = tmin[s];
                    day_shift = tshift[s];
                    break;
                }
    }
    if (resolve_date(d, mon, minute < 0 ? 0 : minute, received, f[di], &t, why, whylen))
        return -1;
    t += (int64_t)day_shift * 86400;

    struct carrier_event *e = carrier_batch_add(out);
    if (!e) {
        snprintf(why, whylen, "more than %d events in one body, or out of memory",
                 CARRIER_MAX_EVENTS);
        return -1;
    }
    snprintf(e->source, sizeof(e->source), "%s", SOURCE);
    snprintf(e->code, sizeof(e->code), "%s", iata_codes[k].code);
    e->status = iata_codes[k].st;
    e->classifier = iata_codes[k].cls;
    e->mode = CM_AIR;
    carrier_event_add_ref(e, "awb", m->awb);
    if (flight[0]) carrier_event_add_ref(e, "flight", flight);
    snprintf(e->location, sizeof(e->location), "%s",
             iata_codes[k].side == SIDE_TO && to[0] ? to : from);
    snprintf(e->loc_kind, sizeof(e->loc_kind), "iata");
    e->event_time = t;
    e->event_offset_s = 0;
    e->received = received;
    if (!q.has) q = m->qty;
    if (q.has) {
        e->pieces = q.pieces;
        e->has_weight = q.has_weight;
        e->weight_kg = q.weight_kg;
    }
    carrier_event_hash_id(e);
    return 0;
}

/* "FSU/14", "FSA/12": the start of a message. */
static int is_header(const char *s) {
    size_t n = strlen(s);
    return n >= 5 && n <= 7 && (memcmp(s, "FSU/", 4) == 0 || memcmp(s, "FSA/", 4) == 0) &&
           all_digits(s + 4, n - 4);
}

/* A Type-B envelope line: "QD SIN05XH PEKFMCA" (priority and addresses)
 * or ".HDQFMQR 200739" (the originator). */
static int is_envelope(const char *s) {
    size_t n = strlen(s);
    if (s[0] == '.' && n >= 8) {
        for (int i = 1; i < 8; i++)
            if (!is_upper(s[i]) && !is_digit(s[i])) return 0;
        return n == 8 || s[8] == ' ' || s[8] == '/';
    }
    if (n < 10 || !is_upper(s[0]) || !is_upper(s[1]) || s[2] != ' ') return 0;
    for (size_t i = 3; i < n; i++) {
        if ((i - 3) % 8 == 7) {
            if (s[i] != ' ') return 0;
        } else if (!is_upper(s[i]) && !is_digit(s[i])) {
            return 0;
        }
    }
    return (n - 3) % 8 == 7;
}

static int is_separator(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (*s != '=') return 0;
    return 1;
}

/* The three-letter code LINE starts with ("DEP/..." or "DEP"), in CODE;
 * 1, or 0 when the line does not start so. */
static int line_code(const char *line, char code[4]) {
    if (!is_upper(line[0]) || !is_upper(line[1]) || !is_upper(line[2]) ||
        (line[3] != '/' && line[3] != '\0'))
        return 0;
    memcpy(code, line, 3);
    code[3] = '\0';
    return 1;
}

int carrier_cargo_imp_parse(const char *body, size_t len, int64_t received,
                            struct carrier_batch *out, char *err, size_t errlen) {
    const char *nul = memchr(body, '\0', len);
    struct msg m;
    size_t pos = 0, lineno = 0, seen = 0;
    int in_msg = 0, nmsg = 0;
    char line[LINE_CAP + 1], why[200], code[4];

    if (nul) {
        size_t at = (size_t)(nul - body), ln = 1;
        for (size_t i = 0; i < at; i++) ln += body[i] == '\n';
        snprintf(err, errlen, "line %zu: NUL byte at byte %zu", ln, at);
        return -1;
    }
    memset(&m, 0, sizeof(m));
    while (pos < len) {
        const char *p = body + pos, *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        int toolong;
        pos += n + (nl != NULL);
        lineno++;
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        toolong = n > LINE_CAP;
        if (toolong) n = LINE_CAP;
        memcpy(line, p, n);
        line[n] = '\0';

        if (n == 0) continue;
        if (is_header(line)) {
            memset(&m, 0, sizeof(m));
            m.no = ++nmsg;
            m.expect_awb = 1;
            in_msg = 1;
            continue;
        }
        if (is_separator(line) || is_envelope(line)) {
            in_msg = 0;
            continue;
        }
        if (!in_msg || line[0] == '/') continue;   /* outside a message; continuation */

        int have_code = line_code(line, code);
        int k = have_code ? code_index(code) : -1;
        if (m.expect_awb) {
            m.expect_awb = 0;
            if (k < 0) {
                if (toolong)
                    snprintf(m.awb_why, sizeof(m.awb_why), "AWB line longer than %d bytes",
                             LINE_CAP);
                else
                    parse_awb_line(&m, line);
                continue;
            }
            snprintf(m.awb_why, sizeof(m.awb_why), "no AWB line after the FSU/FSA line");
        }
        if (!have_code || (k < 0 && is_detail(code))) continue;   /* detail, free text */

        size_t idx = seen++;
        int rc;
        if (k < 0) {
            rc = carrier_batch_reject(out, idx, "message %d, line %zu: unknown status code '%s'",
                                      m.no, lineno, code);
        } else if (!m.awb_ok) {
            rc = carrier_batch_reject(out, idx, "message %d, line %zu: %s: %s", m.no, lineno,
                                      code, m.awb_why);
        } else if (toolong) {
            rc = carrier_batch_reject(out, idx, "message %d, line %zu: %s: line longer than %d bytes",
                                      m.no, lineno, code, LINE_CAP);
        } else if (status_event(&m, k, line, received, out, why, sizeof(why)) != 0) {
            rc = carrier_batch_reject(out, idx, "message %d, line %zu: %s: %s", m.no, lineno,
                                      code, why);
        } else {
            rc = 0;
        }
        if (rc != 0) {
            snprintf(err, errlen, "line %zu: out of memory", lineno);
            out->total += seen;
            return -1;
        }
    }
    out->total += seen;
    if (nmsg == 0) {
        snprintf(err, errlen,
                 "line %zu: no FSU or FSA message (a line 'FSU/<version>' or 'FSA/<version>')",
                 lineno ? lineno : 1);
        return -1;
    }
    return 0;
}
