/* Tests for carriers/cargo_imp.c: IATA Cargo-IMP FSU / FSA text to
 * canonical events, and the IATA status code table. */
#include "carriers/cargo_imp.h"
#include "test/unit/support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* 2026-11-27 08:00 UTC: when the test bodies "arrived". */
#define RECEIVED 1795766400LL

static int64_t utc(int y, int mo, int d, int h, int mi) {
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return (int64_t)timegm(&tm);
}

/* Parse the NUL-terminated BODY received at RECV into B (freed by the
 * caller); the parser's return. */
static int parse_at(const char *body, int64_t recv, struct carrier_batch *b, char *err,
                    size_t errlen) {
    carrier_batch_init(b);
    err[0] = '\0';
    return carrier_cargo_imp_parse(body, strlen(body), recv, b, err, errlen);
}

/* The single event of a one-status-line message "FSU/14" + AWB line +
 * STATUS, which must be accepted. */
static struct carrier_event one(const char *awb_line, const char *status, int64_t recv) {
    char body[512], err[256];
    struct carrier_batch b;
    struct carrier_event e;
    snprintf(body, sizeof(body), "FSU/14\n%s\n%s\n", awb_line, status);
    cr_assert_eq(parse_at(body, recv, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.nrej, 0, "%s: refused: %s", status, b.nrej ? b.rej[0].reason : "");
    cr_assert_eq(b.n, 1, "%s", status);
    cr_assert_eq(b.total, 1);
    e = b.ev[0];
    carrier_batch_free(&b);
    return e;
}

/* The reason a one-status-line message is refused for. */
static void refused(const char *awb_line, const char *status, const char *reason) {
    char body[512], err[256];
    struct carrier_batch b;
    snprintf(body, sizeof(body), "FSU/14\n%s\n%s\n", awb_line, status);
    cr_assert_eq(parse_at(body, RECEIVED, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 0, "%s accepted", status);
    cr_assert_eq(b.nrej, 1);
    cr_assert_eq(b.total, 1);
    cr_assert_eq(b.rej[0].index, 0);
    cr_assert_str_eq(b.rej[0].reason, reason);
    carrier_batch_free(&b);
}

Test(cargo_imp, code_table) {
    static const struct {
        const char *code;
        enum carrier_status st;
        enum carrier_classifier cls;
    } want[] = {
        {"BKD", CS_BOOKED, CC_PLANNED},         {"RCS", CS_RECEIVED, CC_ACTUAL},
        {"FOH", CS_GATE_IN, CC_ACTUAL},         {"FIW", CS_GATE_IN, CC_ACTUAL},
        {"FOW", CS_GATE_OUT, CC_ACTUAL},        {"DPU", CS_RECEIVED, CC_ACTUAL},
        {"PRE", CS_LOADED, CC_ACTUAL},          {"MAN", CS_LOADED, CC_ACTUAL},
        {"DEP", CS_DEPARTED, CC_ACTUAL},        {"ARR", CS_ARRIVED, CC_ACTUAL},
        {"RCF", CS_DISCHARGED, CC_ACTUAL},      {"NFD", CS_ARRIVED, CC_ACTUAL},
        {"AWR", CS_DOCUMENTED, CC_ACTUAL},      {"AWD", CS_DOCUMENTED, CC_ACTUAL},
        {"DOC", CS_DOCUMENTED, CC_ACTUAL},      {"TRM", CS_DOCUMENTED, CC_ACTUAL},
        {"TFD", CS_TRANSSHIPPED, CC_ACTUAL},    {"RCT", CS_TRANSSHIPPED, CC_ACTUAL},
        {"CRC", CS_DOCUMENTED, CC_ACTUAL},      {"TGC", CS_CUSTOMS_HOLD, CC_ACTUAL},
        {"CCD", CS_CUSTOMS_RELEASED, CC_ACTUAL}, {"DLV", CS_DELIVERED, CC_ACTUAL},
        {"DDL", CS_DELIVERED, CC_ACTUAL},       {"DIS", CS_EXCEPTION, CC_ACTUAL},
    };
    enum carrier_status st;
    enum carrier_classifier cls;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        cr_assert_eq(carrier_iata_status(want[i].code, &st, &cls), 0, "%s", want[i].code);
        cr_assert_eq(st, want[i].st, "%s: %s", want[i].code, carrier_status_name(st));
        cr_assert_eq(cls, want[i].cls, "%s", want[i].code);
    }
    cr_assert_eq(carrier_iata_status("OCI", &st, &cls), -1);
    cr_assert_eq(carrier_iata_status("OSI", &st, &cls), -1);
    cr_assert_eq(carrier_iata_status("XXX", &st, &cls), -1);
    cr_assert_eq(carrier_iata_status("dep", &st, &cls), -1);
}

/* Every code family through the parser: status, classifier and where. */
Test(cargo_imp, status_families) {
    static const struct {
        const char *line;
        enum carrier_status st;
        enum carrier_classifier cls;
        const char *loc;
    } c[] = {
        {"BKD/CZ3417/26NOV/YYACSX/T2K40", CS_BOOKED, CC_PLANNED, "YYA"},
        {"RCS/26NOV1402/YYA/T2K40", CS_RECEIVED, CC_ACTUAL, "YYA"},
        {"FOH/26NOV1300/YYA/T2K40", CS_GATE_IN, CC_ACTUAL, "YYA"},
        {"PRE/CZ3417/26NOV/YYACSX/T2K40", CS_LOADED, CC_ACTUAL, "YYA"},
        {"MAN/CZ3417/26NOV/YYACSX/T2K40", CS_LOADED, CC_ACTUAL, "YYA"},
        {"DEP/CZ3417/26NOV/YYACSX/T2K40/A1847", CS_DEPARTED, CC_ACTUAL, "YYA"},
        {"ARR/CZ3417/26NOV/YYACSX/T2K40/A1955", CS_ARRIVED, CC_ACTUAL, "CSX"},
        {"RCF/CZ3417/26NOV2030/CSX/T2K40", CS_DISCHARGED, CC_ACTUAL, "CSX"},
        {"NFD/26NOV2100/FRA/T2K40/ACME", CS_ARRIVED, CC_ACTUAL, "FRA"},
        {"AWD/26NOV2100/FRA/T2K40/ACME", CS_DOCUMENTED, CC_ACTUAL, "FRA"},
        {"DLV/26NOV2200/FRA/T2K40/ACME GMBH", CS_DELIVERED, CC_ACTUAL, "FRA"},
        {"TFD/LH/26NOV2100/CSX/T2K40", CS_TRANSSHIPPED, CC_ACTUAL, "CSX"},
        {"RCT/CZ/26NOV2100/CSX/T2K40", CS_TRANSSHIPPED, CC_ACTUAL, "CSX"},
        {"TGC/26NOV2100/FRA/T2K40", CS_CUSTOMS_HOLD, CC_ACTUAL, "FRA"},
        {"CCD/26NOV2100/FRA/T2K40", CS_CUSTOMS_RELEASED, CC_ACTUAL, "FRA"},
        {"DIS/CZ3417/26NOV2100/CSX/T2K40/MSCA", CS_EXCEPTION, CC_ACTUAL, "CSX"},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct carrier_event e = one("160-12345675YYAFRA/T2K40", c[i].line, RECEIVED);
        char want_code[4];
        memcpy(want_code, c[i].line, 3);
        want_code[3] = '\0';
        cr_assert_str_eq(e.code, want_code);
        cr_assert_eq(e.status, c[i].st, "%s: %s", c[i].line, carrier_status_name(e.status));
        cr_assert_eq(e.classifier, c[i].cls, "%s", c[i].line);
        cr_assert_str_eq(e.location, c[i].loc, "%s", c[i].line);
        cr_assert_str_eq(e.loc_kind, "iata");
        cr_assert_eq(e.mode, CM_AIR);
        cr_assert_str_eq(carrier_event_ref(&e, "awb"), "160-12345675");
    }
}

Test(cargo_imp, departure_fields) {
    struct carrier_event e =
        one("784-20071236YYAFRA/T12K340.5", "DEP/CZ3417/26NOV/YYACSX/T12K340.5/S1830/A1847",
            RECEIVED);
    cr_assert_str_eq(e.source, "iata-cargo-imp");
    cr_assert_str_eq(e.code, "DEP");
    cr_assert_eq(e.status, CS_DEPARTED);
    cr_assert_eq(e.classifier, CC_ACTUAL);
    cr_assert_str_eq(carrier_event_ref(&e, "awb"), "784-20071236");
    cr_assert_str_eq(carrier_event_ref(&e, "flight"), "CZ3417");
    cr_assert_eq(e.nrefs, 2);
    cr_assert_str_eq(e.location, "YYA");
    /* the actual time, not the scheduled one; the airport's clock read as UTC */
    cr_assert_eq(e.event_time, utc(2026, 11, 26, 18, 47));
    cr_assert_eq(e.event_offset_s, 0);
    cr_assert_eq(e.received, RECEIVED);
    cr_assert_eq(e.pieces, 12);
    cr_assert_eq(e.has_weight, 1);
    cr_assert_float_eq(e.weight_kg, 340.5, 1e-9);
    cr_assert_eq(strncmp(e.event_id, "h-", 2), 0);
    cr_assert_eq(strlen(e.event_id), 34);
}

Test(cargo_imp, time_fallbacks_and_day_change) {
    /* date only: midnight */
    struct carrier_event e = one("160-12345675", "MAN/CZ3417/26NOV/YYACSX", RECEIVED);
    cr_assert_eq(e.event_time, utc(2026, 11, 26, 0, 0));
    cr_assert_eq(e.pieces, -1);
    cr_assert_eq(e.has_weight, 0);
    /* estimated before scheduled; N moves to the next day */
    e = one("160-12345675", "ARR/CZ3417/26NOV/YYACSX/S2330/E0015N", RECEIVED);
    cr_assert_eq(e.event_time, utc(2026, 11, 27, 0, 15));
    cr_assert_str_eq(e.location, "CSX");
    /* P: the previous day */
    e = one("160-12345675", "DEP/CZ3417/27NOV/YYACSX/A2350P", RECEIVED);
    cr_assert_eq(e.event_time, utc(2026, 11, 26, 23, 50));
}

Test(cargo_imp, flight_in_two_fields_and_booking) {
    struct carrier_event e = one("160-12345675CSXFRA/P2K505.0T10", "BKD/CZ/0843/30NOV/CSX/FRA",
                                 RECEIVED);
    cr_assert_str_eq(carrier_event_ref(&e, "flight"), "CZ0843");
    cr_assert_eq(e.status, CS_BOOKED);
    cr_assert_eq(e.classifier, CC_PLANNED);
    cr_assert_str_eq(e.location, "CSX");
    cr_assert_eq(e.event_time, utc(2026, 11, 30, 0, 0));
    /* no quantity on the status line: the AWB line's part shipment */
    cr_assert_eq(e.pieces, 2);
    cr_assert_float_eq(e.weight_kg, 505.0, 1e-9);
}

Test(cargo_imp, pounds_to_kilograms) {
    struct carrier_event e = one("176-61054324CSXFRA/T3L220.5", "RCF/CZ3417/26NOV2030/CSX/T3L220.5",
                                 RECEIVED);
    cr_assert_eq(e.pieces, 3);
    cr_assert_eq(e.has_weight, 1);
    cr_assert_float_eq(e.weight_kg, 220.5 * 0.45359237, 1e-9);
    cr_assert_float_eq(e.weight_kg, 100.017117585, 1e-6);
    /* the status line's quantity wins over the AWB line's */
    e = one("176-61054324CSXFRA/T3L220.5", "DLV/27NOV0700/FRA/P1K20", RECEIVED);
    cr_assert_eq(e.pieces, 1);
    cr_assert_float_eq(e.weight_kg, 20.0, 1e-9);
}

Test(cargo_imp, year_across_new_year) {
    /* received 2 Jan 2027: 31 Dec is last year's */
    struct carrier_event e = one("160-12345675", "RCS/31DEC2350/YYA", utc(2027, 1, 2, 6, 0));
    cr_assert_eq(e.event_time, utc(2026, 12, 31, 23, 50));
    /* received 31 Dec 2026: 2 Jan is next year's */
    e = one("160-12345675", "BKD/CZ3417/02JAN0100/YYACSX", utc(2026, 12, 31, 20, 0));
    cr_assert_eq(e.event_time, utc(2027, 1, 2, 1, 0));
    /* mid-year: this year */
    e = one("160-12345675", "RCS/15JUN1200/YYA", utc(2026, 6, 20, 0, 0));
    cr_assert_eq(e.event_time, utc(2026, 6, 15, 12, 0));
    /* 29 Feb in a leap year near receipt */
    e = one("160-12345675", "RCS/29FEB0800/YYA", utc(2028, 3, 1, 0, 0));
    cr_assert_eq(e.event_time, utc(2028, 2, 29, 8, 0));
}

Test(cargo_imp, bad_dates) {
    refused("160-12345675", "DEP/CZ3417/31FEB/YYACSX",
            "message 1, line 3: DEP: date '31FEB' is not a date");
    refused("160-12345675", "RCS/32JAN1000/YYA",
            "message 1, line 3: RCS: date '32JAN1000' is not a date");
    refused("160-12345675", "RCS/26NOV2500/YYA",
            "message 1, line 3: RCS: time '2500' in '26NOV2500' is not a time");
    refused("160-12345675", "RCS/26XYZ1000/YYA",
            "message 1, line 3: RCS: date '26XYZ1000' is not a date");
    refused("160-12345675", "RCS/29FEB1000/YYA",
            "message 1, line 3: RCS: date '29FEB1000' is not a date (2027 is not a leap year)");
    refused("160-12345675", "DEP/CZ3417/26NOV/YYACSX/A2460",
            "message 1, line 3: DEP: time 'A2460' is not a time");
    refused("160-12345675", "RCS/YYA/T2K40", "message 1, line 3: RCS: no date field (DDMMM or DDMMMhhmm)");
}

Test(cargo_imp, bad_fields) {
    refused("160-12345675", "ARR/CZ3417/26NOV/HK1/A0510",
            "message 1, line 3: ARR: airport 'HK1' is not an IATA code");
    refused("160-12345675", "DEP/CZ3417/26NOV/YYACS",
            "message 1, line 3: DEP: airport 'YYACS' is not an IATA code");
    refused("160-12345675", "DEP/CZ3417/26NOV", "message 1, line 3: DEP: no airport after the date");
    refused("160-12345675", "DEP/CZX34178/26NOV/YYACSX",
            "message 1, line 3: DEP: flight 'CZX34178' is not a flight number");
    refused("160-12345675", "QQQ/26NOV/YYA", "message 1, line 3: unknown status code 'QQQ'");
}

Test(cargo_imp, bad_awb_line) {
    refused("160-12345670YYAFRA/T2K40", "RCS/26NOV1000/YYA",
            "message 1, line 3: RCS: AWB '160-12345670' fails the check digit");
    refused("16012345675", "RCS/26NOV1000/YYA",
            "message 1, line 3: RCS: AWB line '16012345675' does not start with an air waybill "
            "number NNN-NNNNNNNN");
    refused("160-12345675YY1FRA/T2K40", "RCS/26NOV1000/YYA",
            "message 1, line 3: RCS: AWB line: origin and destination 'YY1FRA' are not two "
            "IATA codes");
}

Test(cargo_imp, missing_awb_line) {
    char err[256];
    struct carrier_batch b;
    cr_assert_eq(parse_at("FSU/14\nRCS/26NOV1000/YYA\n", RECEIVED, &b, err, sizeof(err)), 0);
    cr_assert_eq(b.n, 0);
    cr_assert_eq(b.nrej, 1);
    cr_assert_str_eq(b.rej[0].reason,
                     "message 1, line 2: RCS: no AWB line after the FSU/FSA line");
    carrier_batch_free(&b);
}

/* A body of three messages where the bad lines do not stop the good. */
Test(cargo_imp, mixed_body) {
    size_t len;
    char *body = ut_slurp(ut_path("test/fixtures/carriers/iata/fsu_mixed.txt"), &len);
    char err[256] = "";
    struct carrier_batch b;
    carrier_batch_init(&b);
    cr_assert_eq(carrier_cargo_imp_parse(body, len, RECEIVED, &b, err, sizeof(err)), 0, "%s",
                 err);
    cr_assert_eq(b.total, 9);
    cr_assert_eq(b.n, 4);
    cr_assert_eq(b.nrej, 5);

    cr_assert_str_eq(b.ev[0].code, "RCS");
    cr_assert_eq(b.ev[0].event_time, utc(2026, 11, 26, 14, 2));
    cr_assert_null(carrier_event_ref(&b.ev[0], "flight"));
    cr_assert_str_eq(b.ev[1].code, "MAN");
    cr_assert_str_eq(b.ev[2].code, "DEP");
    cr_assert_eq(b.ev[2].event_time, utc(2026, 11, 26, 18, 47));
    for (int i = 0; i < 3; i++)
        cr_assert_str_eq(carrier_event_ref(&b.ev[i], "awb"), "784-20071236");
    cr_assert_str_eq(b.ev[3].code, "RCF");
    cr_assert_str_eq(carrier_event_ref(&b.ev[3], "awb"), "176-61054324");
    cr_assert_str_eq(b.ev[3].location, "CSX");
    cr_assert_float_eq(b.ev[3].weight_kg, 220.5 * 0.45359237, 1e-9);

    static const struct {
        size_t index;
        const char *reason;
    } rej[] = {
        {3, "message 2, line 13: DEP: AWB '784-20071230' fails the check digit"},
        {4, "message 2, line 14: ARR: AWB '784-20071230' fails the check digit"},
        {6, "message 3, line 19: DEP: date '31FEB' is not a date"},
        {7, "message 3, line 20: ARR: airport 'HK1' is not an IATA code"},
        {8, "message 3, line 22: unknown status code 'XYZ'"},
    };
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(b.rej[i].index, rej[i].index, "reject %zu", i);
        cr_assert_str_eq(b.rej[i].reason, rej[i].reason);
    }
    carrier_batch_free(&b);
    free(body);
}

Test(cargo_imp, envelope_and_crlf) {
    size_t len;
    char *body = ut_slurp(ut_path("test/fixtures/carriers/iata/fsu_envelope_crlf.txt"), &len);
    char err[256] = "";
    struct carrier_batch b;
    carrier_batch_init(&b);
    cr_assert_eq(carrier_cargo_imp_parse(body, len, RECEIVED, &b, err, sizeof(err)), 0, "%s",
                 err);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.nrej, 0);
    cr_assert_str_eq(b.ev[0].code, "FOH");
    cr_assert_eq(b.ev[0].status, CS_GATE_IN);
    cr_assert_str_eq(b.ev[0].location, "FRA");
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "awb"), "880-03123455");
    cr_assert_eq(b.ev[0].event_time, utc(2026, 11, 27, 4, 12));
    cr_assert_eq(b.ev[0].pieces, 2);
    cr_assert_float_eq(b.ev[0].weight_kg, 100.0, 1e-9);
    carrier_batch_free(&b);
    free(body);
}

/* Messages split by a new envelope and by a bare new FSU line, no '='. */
Test(cargo_imp, messages_without_separators) {
    const char *body = "FSU/14\n160-12345675YYAFRA/T2K40\nRCS/26NOV1000/YYA\n"
                       "FSU/14\n176-61054324CSXFRA/T3K9\nRCS/26NOV1100/CSX\n"
                       "QD FRAFMLH\n.YYAFMCZ 261200\nFSU/14\n880-03123455FRAYYA/T1K1\n"
                       "RCS/26NOV1200/FRA\n";
    char err[256];
    struct carrier_batch b;
    cr_assert_eq(parse_at(body, RECEIVED, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 3);
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "awb"), "160-12345675");
    cr_assert_str_eq(carrier_event_ref(&b.ev[1], "awb"), "176-61054324");
    cr_assert_str_eq(carrier_event_ref(&b.ev[2], "awb"), "880-03123455");
    cr_assert_str_eq(b.ev[2].location, "FRA");
    carrier_batch_free(&b);

    /* a status line after the envelope but before a new FSU line belongs to
     * no message: nothing to report it against */
    cr_assert_eq(parse_at("FSU/14\n160-12345675\nRCS/26NOV1000/YYA\nQD FRAFMLH\n"
                          "RCS/26NOV1100/YYA\n",
                          RECEIVED, &b, err, sizeof(err)),
                 0);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.total, 1);
    carrier_batch_free(&b);
}

Test(cargo_imp, detail_lines_are_not_events) {
    const char *body = "FSU/14\n160-12345675YYAFRA/T2K40\n"
                       "FIW/CZ3417/26NOV1039/YYA/T2K40/S0720/A1008\n"
                       "OCI/CN/ISS/RA/12345\n/CN//SS/SPX\nULD/AKE12345CZ\nOSI/FRAGILE\n";
    char err[256];
    struct carrier_batch b;
    cr_assert_eq(parse_at(body, RECEIVED, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.nrej, 0);
    cr_assert_eq(b.total, 1);
    cr_assert_str_eq(b.ev[0].code, "FIW");
    /* the date's own time, not the time information */
    cr_assert_eq(b.ev[0].event_time, utc(2026, 11, 26, 10, 39));
    carrier_batch_free(&b);
}

Test(cargo_imp, same_report_same_id) {
    struct carrier_event a = one("160-12345675", "RCS/26NOV1000/YYA", RECEIVED);
    struct carrier_event b = one("160-12345675", "RCS/26NOV1000/YYA", RECEIVED + 3600);
    struct carrier_event c = one("160-12345675", "RCS/26NOV1001/YYA", RECEIVED);
    cr_assert_str_eq(a.event_id, b.event_id);
    cr_assert_str_neq(a.event_id, c.event_id);
}

Test(cargo_imp, unreadable_bodies) {
    char err[256];
    struct carrier_batch b;
    cr_assert_eq(parse_at("hello\nworld\n", RECEIVED, &b, err, sizeof(err)), -1);
    cr_assert_str_eq(err,
                     "line 2: no FSU or FSA message (a line 'FSU/<version>' or 'FSA/<version>')");
    carrier_batch_free(&b);
    cr_assert_eq(parse_at("", RECEIVED, &b, err, sizeof(err)), -1);
    carrier_batch_free(&b);
    cr_assert_eq(parse_at("FWB/16\n160-12345675\n", RECEIVED, &b, err, sizeof(err)), -1);
    carrier_batch_free(&b);

    carrier_batch_init(&b);
    cr_assert_eq(carrier_cargo_imp_parse("FSU/14\n160-12345675\nRCS\0/26NOV", 30, RECEIVED, &b,
                                         err, sizeof(err)),
                 -1);
    cr_assert_str_eq(err, "line 3: NUL byte at byte 23");
    cr_assert_eq(b.n + b.nrej, 0);
    carrier_batch_free(&b);
}

Test(cargo_imp, long_line_refused) {
    char body[1200], err[256];
    struct carrier_batch b;
    int n = snprintf(body, sizeof(body), "FSU/14\n160-12345675\nRCS/26NOV1000/YYA/T1K1/");
    memset(body + n, 'X', 600);
    body[n + 600] = '\0';
    cr_assert_eq(parse_at(body, RECEIVED, &b, err, sizeof(err)), 0);
    cr_assert_eq(b.nrej, 1);
    cr_assert_str_eq(b.rej[0].reason, "message 1, line 3: RCS: line longer than 512 bytes");
    carrier_batch_free(&b);
}

/* The public samples, when the shared data directory is beside the tree. */
Test(cargo_imp, shared_samples) {
    const char *p = ut_path("../shared/data/iata/fsu-samples.txt");
    struct stat st;
    size_t len;
    char err[256] = "", *body;
    struct carrier_batch b;
    if (stat(p, &st) != 0) return;
    body = ut_slurp(p, &len);
    carrier_batch_init(&b);
    /* received 21 June 2023: every date is taken in 2023 (16 October is
     * 117 days ahead, nearer than 248 days back) */
    cr_assert_eq(carrier_cargo_imp_parse(body, len, utc(2023, 6, 21, 0, 0), &b, err, sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(b.nrej, 0, "%s", b.nrej ? b.rej[0].reason : "");
    cr_assert_eq(b.n, 5);
    cr_assert_str_eq(b.ev[0].code, "FIW");
    cr_assert_str_eq(carrier_event_ref(&b.ev[0], "flight"), "QR8403");
    cr_assert_str_eq(b.ev[0].location, "DOH");
    cr_assert_eq(b.ev[0].event_time, utc(2023, 6, 20, 10, 39));
    cr_assert_eq(b.ev[0].pieces, 2);
    cr_assert_str_eq(b.ev[1].code, "BKD");
    cr_assert_str_eq(carrier_event_ref(&b.ev[1], "flight"), "QR0843");
    cr_assert_str_eq(b.ev[1].location, "HKG");
    cr_assert_eq(b.ev[1].classifier, CC_PLANNED);
    cr_assert_str_eq(b.ev[2].code, "RCS");
    cr_assert_str_eq(b.ev[2].location, "HKG");
    cr_assert_str_eq(b.ev[3].code, "DLV");
    cr_assert_str_eq(carrier_event_ref(&b.ev[3], "awb"), "157-41266466");
    cr_assert_str_eq(b.ev[3].location, "LHR");
    cr_assert_eq(b.ev[3].event_time, utc(2023, 5, 24, 12, 23));
    cr_assert_eq(b.ev[3].pieces, 60);
    cr_assert_float_eq(b.ev[3].weight_kg, 1428.0, 1e-9);
    cr_assert_str_eq(b.ev[4].code, "DEP");
    cr_assert_str_eq(carrier_event_ref(&b.ev[4], "flight"), "LH400");
    cr_assert_str_eq(b.ev[4].location, "FRA");
    cr_assert_eq(b.ev[4].event_time, utc(2023, 10, 16, 0, 0));
    carrier_batch_free(&b);
    free(body);
}
