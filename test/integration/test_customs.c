/* test_customs.c -- customs end to end with the real server, Redis and the
 * shipped timetable: CEB declarations in (XML and JSON), appType add /
 * change / delete with history, returns, the three- and four-document
 * matching with alerts, the cross-check rules fired by carrier events
 * pushed through the feeds (port, mode, voyage, impossible movement,
 * weight, containers, event order, customs transit), the negative list,
 * acknowledgements, the audit stream, /v1/stats and a restart.
 *
 * The Dongting waybills ride RIV-CSX-SHA.1 of 2026-12-03: CNCSX ->
 * CNCLJ -> CNCLJ-SYH -> CNSHA-WGQ.  Customs office codes are those of
 * geodata/data/customs_offices.csv: 4900 Changsha (every Hunan node),
 * 2200 Shanghai, 3100 Ningbo. */
#include "harness.h"

#include "carriers/ceb.h"

#include <dirent.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void start_shipped(void) {
    h_setup();
    h_use_shipped_data();
}

TestSuite(customs, .init = start_shipped, .fini = h_teardown, .timeout = 120);

static char fwd[160], cust[160];

static void start(void) {
    static const char *const args[] = {"--rate-limit-rps", "0", NULL};
    char id[64];
    h_start(args);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"a\"}", id,
                              sizeof(id), fwd, sizeof(fwd)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"customs\",\"tenant\":\"yueyang-customs\","
                              "\"name\":\"officer\"}", id, sizeof(id), cust, sizeof(cust)),
                 0, "%s", h_error());
}

/* ---- HTTP helpers ----------------------------------------------------------- */

static json_t *call(const char *method, const char *path, const char *bearer, const char *body,
                    long want) {
    struct h_resp r;
    json_t *j;
    h_http(method, path, bearer, body, NULL, &r);
    cr_assert_eq(r.status, want, "%s %s: want %ld, got %ld: %s", method, path, want, r.status,
                 r.body ? r.body : "");
    j = h_resp_json(&r);
    h_resp_free(&r);
    return j;
}

/* POST a CEB message (XML when it starts with '<') by BEARER; the answer. */
static json_t *post_msg(const char *bearer, const char *msg, long want) {
    struct h_resp r;
    json_t *j;
    h_http_raw("POST", "/v1/customs/messages", bearer, msg, strlen(msg),
               strstr(msg, "<?xml") == msg || strstr(msg, "<?xml") == msg + 3 || msg[0] == '<'
                   ? "application/xml"
                   : "application/json",
               NULL, &r);
    cr_assert_eq(r.status, want, "POST message: want %ld, got %ld: %s", want, r.status,
                 r.body ? r.body : "");
    j = h_resp_json(&r);
    h_resp_free(&r);
    return j;
}

/* The id the answer gave block I. */
static const char *stored_id(json_t *ans, size_t i) {
    return h_jstr(json_array_get(json_object_get(ans, "stored"), i), "id");
}

/* POST message M (freed here) with BEARER, wanting 201; the first stored
 * declaration's id into ID. */
static void post_for_id(const char *bearer, char *m, char *id, size_t idlen) {
    json_t *a = post_msg(bearer, m, 201);
    free(m);
    snprintf(id, idlen, "%s", stored_id(a, 0));
    json_decref(a);
}

static json_t *declaration(const char *id) {
    char path[160];
    snprintf(path, sizeof(path), "/v1/customs/declarations/%s", id);
    return call("GET", path, cust, NULL, 200);
}

/* Alerts of RULE (NULL any); waits up to 3 s for at least MIN of them
 * (they are raised on the loop turn after the events). */
static json_t *alerts_of(const char *rule, size_t min) {
    char path[200];
    json_t *j = NULL;
    snprintf(path, sizeof(path), "/v1/customs/alerts?limit=500%s%s", rule ? "&rule=" : "",
             rule ? rule : "");
    for (int i = 0; i < 60; i++) {
        json_decref(j);
        j = call("GET", path, cust, NULL, 200);
        if (json_array_size(json_object_get(j, "alerts")) >= min) break;
        h_sleep_ms(50);
    }
    return j;
}

static json_t *only_alert(const char *rule) {
    json_t *j = alerts_of(rule, 1);
    json_t *a = json_object_get(j, "alerts");
    cr_assert_eq(json_array_size(a), 1, "alerts of %s: %s", rule, json_dumps(j, 0));
    json_t *one = json_incref(json_array_get(a, 0));
    json_decref(j);
    return one;
}

/* ---- messages, as the JSON intake takes them --------------------------------- */

#define TRANSFER                                                                        \
    "\"transfer\":{\"copCode\":\"4301960ABC\",\"copName\":\"Yueyang Test Forwarding\","  \
    "\"dxpMode\":\"DXP\",\"dxpId\":\"DXPENT0000YY01\"}"

#define APP(guid, type) \
    "\"guid\":\"" guid "\",\"appType\":\"" type "\",\"appTime\":\"20261125093000\",\"appStatus\":\"2\""

#define ITEM(gnum, name, qty)                                                                   \
    "{\"gnum\":\"" gnum "\",\"itemName\":\"" name "\",\"gcode\":\"6304920000\",\"gname\":\"" name \
    "\",\"qty\":\"" qty "\",\"unit\":\"007\",\"qty1\":\"" qty "\",\"unit1\":\"007\","              \
    "\"price\":\"100\",\"totalPrice\":\"100\"}"

static char *msg(const char *message, const char *guid, const char *blocks) {
    char *s = NULL;
    cr_assert(asprintf(&s, "{\"message\":\"%s\",\"guid\":\"%s\",\"blocks\":[%s]," TRANSFER "}",
                       message, guid, blocks) > 0);
    return s;
}

/* MESSAGE with one block formatted from FMT. */
static char *msgf(const char *message, const char *guid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *msgf(const char *message, const char *guid, const char *fmt, ...) {
    char *block = NULL, *m;
    va_list ap;
    va_start(ap, fmt);
    cr_assert(vasprintf(&block, fmt, ap) > 0);
    va_end(ap);
    m = msg(message, guid, block);
    free(block);
    return m;
}

/* An export inventory (CEB603) for logistics number LNO (also its bill
 * number: the Dongting waybill), declared at CUSTOMS for exit at PORT by
 * TRAF mode on VOYAGE, GROSS kg. */
static char *inventory603_block(const char *guid, const char *type, const char *lno,
                                const char *customs, const char *port, const char *traf,
                                const char *voyage, const char *gross) {
    char *block = NULL;
    cr_assert(asprintf(&block,
                       "{\"head\":{" APP("%s", "%s") ",\"customsCode\":\"%s\","
                       "\"ebpCode\":\"4301960EBP\",\"orderNo\":\"ORD-%s\","
                       "\"logisticsCode\":\"4301960LOG\",\"logisticsNo\":\"%s\","
                       "\"copNo\":\"INV-%s\",\"ieFlag\":\"E\",\"portCode\":\"%s\","
                       "\"ieDate\":\"20261125\",\"ebcCode\":\"4301960EXP\",\"tradeMode\":\"9610\","
                       "\"trafMode\":\"%s\",\"voyageNo\":\"%s\",\"billNo\":\"%s\","
                       "\"country\":\"502\",\"freight\":\"80\",\"packNo\":\"20\","
                       "\"grossWeight\":\"%s\",\"netWeight\":\"17000\"},"
                       "\"items\":[" ITEM("1", "Tea", "20") "]}",
                       guid, type, customs, lno, lno, lno, port, traf, voyage, lno, gross) > 0);
    return block;
}

static char *inventory603(const char *guid, const char *type, const char *lno,
                          const char *customs, const char *port, const char *traf,
                          const char *voyage, const char *gross) {
    char *block = inventory603_block(guid, type, lno, customs, port, traf, voyage, gross);
    char *m = msg("CEB603", guid, block);
    free(block);
    return m;
}

static char *order303(const char *guid, const char *lno) {
    return msgf("CEB303", guid,
                "{\"head\":{" APP("%s", "1") ",\"orderType\":\"E\",\"orderNo\":\"ORD-%s\","
                "\"ebpCode\":\"4301960EBP\",\"ebcCode\":\"4301960EXP\","
                "\"goodsValue\":\"100\",\"freight\":\"80\",\"currency\":\"502\"},"
                "\"items\":[" ITEM("1", "Tea", "20") "]}",
                guid, lno);
}

static char *waybill505(const char *guid, const char *lno, const char *gross) {
    return msgf("CEB505", guid,
                "{\"head\":{" APP("%s", "1") ",\"logisticsCode\":\"4301960LOG\","
                "\"logisticsNo\":\"%s\",\"freight\":\"80\",\"currency\":\"502\","
                "\"grossWeight\":\"%s\",\"packNo\":\"20\",\"ebcCode\":\"4301960EXP\"}}",
                guid, lno, gross);
}

/* ---- Dongting waybills and carrier events --------------------------------------- */

static void create_waybill(const char *number, const char *container) {
    char *s = NULL;
    cr_assert(asprintf(&s,
                       "{\"number\":\"%s\",\"type\":\"bl\",\"shipper\":{\"name\":\"岳阳茶业\"},"
                       "\"consignee\":{\"name\":\"张三\",\"phone\":\"+86 138 0013 8000\"},"
                       "\"origin\":\"CNCSX\",\"destination\":\"CNSHA-WGQ\","
                       "\"cargo\":{\"pieces\":20,\"weight_kg\":18000,\"teu\":1},"
                       "\"containers\":[\"%s\"],\"departure\":\"2026-12-02T12:00:00+08:00\","
                       "\"itinerary\":{\"legs\":[{\"trip_id\":\"RIV-CSX-SHA.1\","
                       "\"run_id\":\"RIV-CSX-SHA.1:2026-12-03\",\"from\":\"CNCSX\","
                       "\"to\":\"CNSHA-WGQ\"}]}}",
                       number, container) > 0);
    json_decref(call("POST", "/v1/waybills", fwd, s, 201));
    free(s);
}

/* A DCSA equipment event (LOAD, DISC, GTIN, GTOT) of CONTAINER under B/L
 * BL, actual, at LOC on barge voyage VOYAGE. */
static char *equipment(const char *id, const char *container, const char *bl, const char *code,
                       const char *time, const char *loc, const char *voyage) {
    char *s = NULL;
    cr_assert(asprintf(&s,
                       "{\"eventID\":\"%s\",\"eventCreatedDateTime\":\"%s\","
                       "\"eventType\":\"EQUIPMENT\",\"eventClassifierCode\":\"ACT\","
                       "\"eventDateTime\":\"%s\",\"equipmentEventTypeCode\":\"%s\","
                       "\"equipmentReference\":\"%s\",\"emptyIndicatorCode\":\"LADEN\","
                       "\"eventLocation\":{\"UNLocationCode\":\"%.5s\"},"
                       "\"transportCall\":{\"transportCallID\":\"tc-%s\",\"UNLocationCode\":\"%.5s\","
                       "\"modeOfTransport\":\"BARGE\",\"carrierServiceCode\":\"YY1\","
                       "\"exportVoyageNumber\":\"%s\",\"importVoyageNumber\":\"%s\","
                       "\"transportCallSequenceNumber\":1,\"facilityTypeCode\":\"POTE\"},"
                       "\"documentReferences\":[{\"documentReferenceType\":\"TRD\","
                       "\"documentReferenceValue\":\"%s\"}]}",
                       id, time, time, code, container, loc, id, loc, voyage, voyage, bl) > 0);
    return s;
}

/* Push the comma-separated EVENTS to the chenglingji (DCSA) feed. */
static void push(const char *events) {
    struct h_resp r;
    char *body = NULL;
    cr_assert(asprintf(&body, "[%s]", events) > 0);
    h_http_raw("POST", "/v1/feeds/chenglingji/events", h_admin_key(), body, strlen(body),
               "application/json", NULL, &r);
    cr_assert_eq(r.status, 202, "push: %ld %s", r.status, r.body);
    h_resp_free(&r);
    free(body);
}

static void push_n(int n, ...) {
    va_list ap;
    size_t len = 0;
    char *all = calloc(1, 1);
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        char *e = va_arg(ap, char *);
        size_t el = strlen(e);
        all = realloc(all, len + el + 2);
        if (len) all[len++] = ',';
        memcpy(all + len, e, el + 1);
        len += el;
        free(e);
    }
    va_end(ap);
    push(all);
    free(all);
}

/* Set up waybill NUMBER (container CSQU3054383) and its export
 * declarations (order, waybill, inventory) with the inventory's fields;
 * returns the inventory's id (static). */
static const char *export_declared(const char *number, const char *customs, const char *port,
                                   const char *traf, const char *voyage, const char *gross) {
    static char id[64];
    char g[3][64];
    char *m;
    create_waybill(number, "CSQU3054383");
    for (int i = 0; i < 3; i++)
        snprintf(g[i], sizeof(g[i]), "A0000000-0000-4000-8000-%s%02d", number + 4, i);
    m = order303(g[0], number);
    json_decref(post_msg(fwd, m, 201));
    free(m);
    m = waybill505(g[1], number, gross);
    json_decref(post_msg(fwd, m, 201));
    free(m);
    m = inventory603(g[2], "1", number, customs, port, traf, voyage, gross);
    post_for_id(fwd, m, id, sizeof(id));
    return id;
}

/* A DCSA transport event (ARRI, DEPA) of the barge on VOYAGE at LOC under
 * B/L BL, actual. */
static char *transport(const char *id, const char *bl, const char *code, const char *time,
                       const char *loc, const char *voyage) {
    char *s = NULL;
    cr_assert(asprintf(&s,
                       "{\"eventID\":\"%s\",\"eventCreatedDateTime\":\"%s\","
                       "\"eventType\":\"TRANSPORT\",\"eventClassifierCode\":\"ACT\","
                       "\"eventDateTime\":\"%s\",\"transportEventTypeCode\":\"%s\","
                       "\"transportCall\":{\"transportCallID\":\"tc-%s\",\"UNLocationCode\":\"%s\","
                       "\"carrierVoyageNumber\":\"%s\",\"exportVoyageNumber\":\"%s\","
                       "\"importVoyageNumber\":\"%s\",\"transportCallSequenceNumber\":4,"
                       "\"modeOfTransport\":\"BARGE\"},"
                       "\"documentReferences\":[{\"documentReferenceType\":\"TRD\","
                       "\"documentReferenceValue\":\"%s\"}]}",
                       id, time, time, code, id, loc, voyage, voyage, voyage, bl) > 0);
    return s;
}

static int has_alert_with(json_t *list, const char *field, const char *value) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(list, "alerts"), i, a) {
        const char *v = h_jstr(a, field);
        if (v && strcmp(v, value) == 0) return 1;
    }
    return 0;
}

/* ---- intake ------------------------------------------------------------------------ */

static const char xml603[] =
    "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<CEB603Message guid=\"X0000000-0000-4000-8000-000000000603\" version=\"1.0\" "
    "xmlns=\"http://www.chinaport.gov.cn/ceb\"><Inventory><InventoryHead>"
    "<guid>X0000000-0000-4000-8000-000000000001</guid><appType>1</appType>"
    "<appTime>20261125093000</appTime><appStatus>2</appStatus><customsCode>4900</customsCode>"
    "<ebpCode>4301960EBP</ebpCode><orderNo>ORD-X1</orderNo><logisticsCode>4301960LOG</logisticsCode>"
    "<logisticsNo>XLNO0001</logisticsNo><copNo>INV-X1</copNo><ieFlag>E</ieFlag>"
    "<portCode>2200</portCode><ieDate>20261125</ieDate><ebcCode>4301960EXP</ebcCode>"
    "<tradeMode>9610</tradeMode><trafMode>2</trafMode><voyageNo>V01E</voyageNo>"
    "<billNo>XLNO0001</billNo><country>502</country><freight>80</freight><packNo>2</packNo>"
    "<grossWeight>%s</grossWeight><netWeight>6.1</netWeight></InventoryHead><InventoryList>"
    "<gnum>1</gnum><itemName>Tea</itemName><gcode>0902100000</gcode><gname>Tea</gname>"
    "<qty>4</qty><unit>007</unit><qty1>4</qty1><unit1>007</unit1><price>3</price>"
    "<totalPrice>12</totalPrice></InventoryList></Inventory><BaseTransfer>"
    "<copCode>4301960ABC</copCode><copName>YY</copName><dxpMode>DXP</dxpMode>"
    "<dxpId>DXPENT0000YY01</dxpId></BaseTransfer></CEB603Message>";

Test(customs, messages_in_xml_and_json_with_add_change_delete_and_history) {
    char body[4096], path[200];
    json_t *a, *d, *h;
    struct h_resp r;
    start();
    /* XML with a BOM and a default namespace */
    snprintf(body, sizeof(body), xml603, "6.8");
    a = post_msg(fwd, body, 201);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(a, "stored"), 0), "message"),
                     "CEB603");
    cr_assert_str_eq(h_jstr(json_object_get(json_array_get(json_object_get(a, "stored"), 0),
                                            "keys"), "logisticsNo"), "XLNO0001");
    char id[64];
    snprintf(id, sizeof(id), "%s", stored_id(a, 0));
    cr_assert(strncmp(id, "cd-", 3) == 0, "%s", id);
    /* the same message again: the same answer, nothing applied twice */
    d = post_msg(fwd, body, 200);
    cr_assert(json_equal(a, d), "%s vs %s", json_dumps(a, 0), json_dumps(d, 0));
    json_decref(d);
    json_decref(a);
    /* another message adding the same declaration: 409 */
    snprintf(body, sizeof(body), xml603, "6.8");
    memcpy(strstr(body, "000000000603"), "000000000604", 12);
    h_http_raw("POST", "/v1/customs/messages", fwd, body, strlen(body), "application/xml", NULL,
               &r);
    H_ASSERT_ERROR(&r, 409, "already_declared");
    cr_assert(strstr(r.body, "copNo INV-X1") != NULL, "%s", r.body);
    h_resp_free(&r);
    /* a change (appType 2) as JSON: version 2, the new weight */
    char *m = inventory603("X0000000-0000-4000-8000-000000000002", "2", "XLNO0001", "4900",
                           "2200", "2", "V01E", "7.2");
    /* same copNo as the XML: INV-XLNO0001 differs, so name it INV-X1 */
    char *p = strstr(m, "INV-XLNO0001");
    memmove(p + 6, p + 12, strlen(p + 12) + 1);
    memcpy(p, "INV-X1", 6);
    a = post_msg(fwd, m, 201);
    free(m);
    cr_assert_str_eq(stored_id(a, 0), id);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(a, "stored"),
                                                                   0), "version")), 2);
    json_decref(a);
    d = declaration(id);
    cr_assert_str_eq(h_jstr(json_object_get(json_object_get(d, "block"), "head"), "grossWeight"),
                     "7.2");
    cr_assert_eq(json_integer_value(json_object_get(d, "version")), 2);
    json_decref(d);
    /* history: add then change, oldest first */
    snprintf(path, sizeof(path), "/v1/customs/declarations/%s/history", id);
    h = call("GET", path, cust, NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(h, "history")), 2, "%s", json_dumps(h, 0));
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(h, "history"), 0), "app_type"), "add");
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(h, "history"), 1), "app_type"),
                     "change");
    json_decref(h);
    /* a change of something never declared: 422 naming the block */
    m = inventory603("X0000000-0000-4000-8000-000000000003", "2", "NOSUCH01", "4900", "2200",
                     "2", "V01E", "7.2");
    h_http_raw("POST", "/v1/customs/messages", fwd, m, strlen(m), "application/json", NULL, &r);
    H_ASSERT_ERROR(&r, 422, "unknown_declaration");
    cr_assert(strstr(r.body, "blocks[0]") != NULL, "%s", r.body);
    h_resp_free(&r);
    free(m);
    /* another forwarder may not change it (the same answer as "none") */
    char gid[64], gkey[160];
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"globex\",\"name\":\"g\"}", gid,
                              sizeof(gid), gkey, sizeof(gkey)), 0);
    m = inventory603("X0000000-0000-4000-8000-000000000004", "3", "XLNO0001", "4900", "2200",
                     "2", "V01E", "7.2");
    p = strstr(m, "INV-XLNO0001");
    memmove(p + 6, p + 12, strlen(p + 12) + 1);
    memcpy(p, "INV-X1", 6);
    h_http_raw("POST", "/v1/customs/messages", gkey, m, strlen(m), "application/json", NULL, &r);
    H_ASSERT_ERROR(&r, 422, "unknown_declaration");
    h_resp_free(&r);
    /* the owner deletes it (appType 3) */
    memcpy(strstr(m, "000000000004"), "000000000005", 12);
    json_decref(post_msg(fwd, m, 201));
    free(m);
    d = declaration(id);
    cr_assert(json_is_true(json_object_get(d, "deleted")));
    cr_assert_eq(json_integer_value(json_object_get(d, "version")), 3);
    json_decref(d);
    /* one message naming one inventory twice: verbatim is applied once,
     * different content is refused naming the second block */
    char *b1 = inventory603_block("X0000000-0000-4000-8000-000000000007", "1", "XLNO0002", "4900",
                                  "2200", "2", "V01E", "5");
    char *b2 = inventory603_block("X0000000-0000-4000-8000-000000000007", "1", "XLNO0003", "4900",
                                  "2200", "2", "V01E", "6");
    char *b3 = inventory603_block("X0000000-0000-4000-8000-000000000007", "1", "XLNO0003", "4900",
                                  "2200", "2", "V01E", "7");
    char *two = NULL;
    cr_assert(asprintf(&two, "%s,%s", b1, b1) > 0);
    m = msg("CEB603", "X0000000-0000-4000-8000-000000000008", two);
    a = post_msg(fwd, m, 201);
    cr_assert_eq(json_array_size(json_object_get(a, "stored")), 2);
    cr_assert_str_eq(stored_id(a, 0), stored_id(a, 1));
    cr_assert(json_is_true(json_object_get(json_array_get(json_object_get(a, "stored"), 1),
                                           "repeat")));
    json_decref(a);
    free(m);
    free(two);
    cr_assert(asprintf(&two, "%s,%s", b2, b3) > 0);
    m = msg("CEB603", "X0000000-0000-4000-8000-000000000009", two);
    h_http_raw("POST", "/v1/customs/messages", fwd, m, strlen(m), "application/json", NULL, &r);
    H_ASSERT_ERROR(&r, 422, "invalid");
    cr_assert(strstr(r.body, "\"path\":\"blocks[1]\"") != NULL, "%s", r.body);
    h_resp_free(&r);
    free(m);
    free(two);
    free(b1);
    free(b2);
    free(b3);
    /* refusals name the element path or the JSON path */
    snprintf(body, sizeof(body), xml603, "6,8");
    memcpy(strstr(body, "000000000603"), "000000000606", 12);
    h_http_raw("POST", "/v1/customs/messages", fwd, body, strlen(body), "application/xml", NULL,
               &r);
    H_ASSERT_ERROR(&r, 422, "invalid");
    cr_assert(strstr(r.body, "\"path\":\"/CEB603Message/Inventory[1]/InventoryHead/grossWeight\"") !=
                  NULL, "%s", r.body);
    h_resp_free(&r);
    static const char doctype[] =
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><CEB603Message/>";
    h_http_raw("POST", "/v1/customs/messages", fwd, doctype, strlen(doctype), "application/xml",
               NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    cr_assert(strstr(r.body, "DOCTYPE") != NULL, "%s", r.body);
    h_resp_free(&r);
    h_http("POST", "/v1/customs/messages", fwd,
           "{\"message\":\"CEB603\",\"guid\":\"g\",\"blocks\":[{\"head\":{\"appType\":7}}]}", NULL,
           &r);
    H_ASSERT_ERROR(&r, 422, "invalid");
    cr_assert(strstr(r.body, "$.blocks[0]") != NULL, "%s", r.body);
    h_resp_free(&r);
    /* roles: a forwarder posts but does not read declarations */
    snprintf(path, sizeof(path), "/v1/customs/declarations/%s", id);
    h_http("GET", path, fwd, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 403);
    h_resp_free(&r);
    h_http("GET", "/v1/customs/declarations/cd-00000000000000000000", cust, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    /* every customs read is in the audit stream: who, what, when */
    redisReply *x = h_redis_command("XREVRANGE cu:{cu}:audit + - COUNT 1");
    cr_assert(x && x->type == REDIS_REPLY_ARRAY && x->elements == 1);
    redisReply *f = x->element[0]->element[1];
    int saw_role = 0, saw_what = 0;
    for (size_t i = 0; i + 1 < f->elements; i += 2) {
        if (strcmp(f->element[i]->str, "role") == 0)
            saw_role = strcmp(f->element[i + 1]->str, "customs") == 0;
        if (strcmp(f->element[i]->str, "what") == 0)
            saw_what = strcmp(f->element[i + 1]->str,
                              "GET /v1/customs/declarations/cd-00000000000000000000") == 0;
    }
    cr_assert(saw_role && saw_what, "the last audit record is not the last read");
    freeReplyObject(x);
    x = h_redis_command("XLEN cu:{cu}:audit");
    cr_assert(x && x->integer >= 4, "audit records: %lld", x ? x->integer : -1);
    freeReplyObject(x);
    H_ASSERT_CLEAN_EXIT();
}

/* ---- import: the four documents ------------------------------------------------------ */

#define BUYER                                                                                  \
    "\"buyerRegNo\":\"u-1\",\"buyerName\":\"李小宝\",\"buyerIdType\":\"1\","                  \
    "\"buyerIdNumber\":\"430602199001010011\""
#define CONSIGNEE                                                                              \
    "\"consignee\":\"李小宝\",\"consigneeTelephone\":\"13800138000\","                         \
    "\"consigneeAddress\":\"湖南省岳阳市岳阳楼区 1 号\""

static char *import_order(const char *guid, const char *order, const char *paid) {
    return msgf("CEB311", guid,
                "{\"head\":{" APP("%s", "1") ",\"orderType\":\"I\",\"orderNo\":\"%s\","
                "\"ebpCode\":\"4301960EBP\",\"ebcCode\":\"4301960EBC\","
                "\"goodsValue\":\"100\",\"freight\":\"10\",\"discount\":\"0\","
                "\"taxTotal\":\"9.1\",\"acturalPaid\":\"%s\",\"currency\":\"142\","
                BUYER "," CONSIGNEE "},\"items\":[" ITEM("1", "Milk powder", "2") "]}",
                guid, order, paid);
}

static char *import_payment(const char *guid, const char *order, const char *amount) {
    return msgf("CEB411", guid,
                "{\"head\":{" APP("%s", "1") ",\"payCode\":\"4301960PAY\","
                "\"payTransactionId\":\"T-%s\",\"orderNo\":\"%s\","
                "\"ebpCode\":\"4301960EBP\",\"payerIdType\":\"1\","
                "\"payerIdNumber\":\"430602199001010011\",\"payerName\":\"李小宝\","
                "\"amountPaid\":\"%s\",\"currency\":\"142\","
                "\"payTime\":\"20261125093000\"}}",
                guid, order, order, amount);
}

static char *import_waybill(const char *guid, const char *order, const char *lno) {
    return msgf("CEB511", guid,
                "{\"head\":{" APP("%s", "1") ",\"logisticsCode\":\"4301960LOG\","
                "\"logisticsNo\":\"%s\",\"orderNo\":\"%s\",\"freight\":\"10\","
                "\"currency\":\"142\",\"weight\":\"1.3\",\"packNo\":\"1\"," CONSIGNEE "}}",
                guid, lno, order);
}

static char *import_inventory(const char *guid, const char *order, const char *lno) {
    return msgf("CEB621", guid,
                "{\"head\":{" APP("%s", "1") ",\"orderNo\":\"%s\","
                "\"ebpCode\":\"4301960EBP\",\"ebcCode\":\"4301960EBC\","
                "\"logisticsNo\":\"%s\",\"logisticsCode\":\"4301960LOG\","
                "\"copNo\":\"INV-%s\",\"ieFlag\":\"I\",\"declTime\":\"20261125\","
                "\"customsCode\":\"4900\",\"portCode\":\"4900\",\"ieDate\":\"20261125\","
                "\"buyerIdType\":\"1\",\"buyerIdNumber\":\"430602199001010011\","
                "\"buyerName\":\"李小宝\",\"buyerTelephone\":\"13800138000\","
                "\"consigneeAddress\":\"湖南省岳阳市岳阳楼区 1 号\","
                "\"agentCode\":\"4301960AGT\",\"tradeMode\":\"1210\",\"trafMode\":\"2\","
                "\"country\":\"502\",\"freight\":\"10\",\"insuredFee\":\"0\","
                "\"currency\":\"142\",\"packNo\":\"1\",\"grossWeight\":\"1.35\","
                "\"netWeight\":\"1.2\"},\"items\":[" ITEM("1", "Milk powder", "2") "]}",
                guid, order, lno, order);
}

static void post_free(const char *bearer, char *m, long want) {
    json_decref(post_msg(bearer, m, want));
    free(m);
}

Test(customs, four_documents_match_or_raise_a_mismatch) {
    json_t *a, *d, *mt;
    char *m;
    char inv[64];
    start();
    /* order, waybill and inventory: the payment is missing */
    post_free(fwd, import_order("I0000000-0000-4000-8000-000000000001", "IMP-1", "119.1"), 201);
    post_free(fwd, import_waybill("I0000000-0000-4000-8000-000000000002", "IMP-1", "LN-IMP-1"),
              201);
    m = import_inventory("I0000000-0000-4000-8000-000000000003", "IMP-1", "LN-IMP-1");
    post_for_id(fwd, m, inv, sizeof(inv));
    d = declaration(inv);
    mt = json_object_get(d, "matching");
    cr_assert_str_eq(h_jstr(mt, "status"), "INCOMPLETE", "%s", json_dumps(mt, 0));
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(mt, "missing"), 0), "document"),
                     "payment");
    cr_assert_not_null(json_object_get(json_object_get(d, "documents"), "order"));
    cr_assert(json_is_null(json_object_get(json_object_get(d, "documents"), "payment")));
    json_decref(d);
    /* the payment arrives: all four agree */
    post_free(fwd, import_payment("I0000000-0000-4000-8000-000000000004", "IMP-1", "119.1"), 201);
    d = declaration(inv);
    mt = json_object_get(d, "matching");
    cr_assert_str_eq(h_jstr(mt, "status"), "MATCHED", "%s", json_dumps(mt, 0));
    cr_assert_eq(json_array_size(json_object_get(mt, "failures")), 0);
    json_decref(d);
    a = alerts_of("document_mismatch", 0);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 0, "%s", json_dumps(a, 0));
    json_decref(a);
    /* a second order paid 10 yuan short (the payment comes last): MISMATCH,
     * and one alert naming the documents by orderNo and logisticsNo */
    post_free(fwd, import_order("I0000000-0000-4000-8000-000000000011", "IMP-2", "119.1"), 201);
    post_free(fwd, import_waybill("I0000000-0000-4000-8000-000000000013", "IMP-2", "LN-IMP-2"),
              201);
    m = import_inventory("I0000000-0000-4000-8000-000000000014", "IMP-2", "LN-IMP-2");
    post_for_id(fwd, m, inv, sizeof(inv));
    post_free(fwd, import_payment("I0000000-0000-4000-8000-000000000012", "IMP-2", "109.1"), 201);
    d = declaration(inv);
    mt = json_object_get(d, "matching");
    cr_assert_str_eq(h_jstr(mt, "status"), "MISMATCH", "%s", json_dumps(mt, 0));
    json_t *f = json_array_get(json_object_get(mt, "failures"), 0);
    cr_assert_str_eq(h_jstr(f, "rule"), "amount_payment", "%s", json_dumps(mt, 0));
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(f, "values"), 0)), "119.1");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(f, "values"), 1)), "109.1");
    json_decref(d);
    json_t *al = only_alert("document_mismatch");
    cr_assert_str_eq(h_jstr(al, "severity"), "high");
    cr_assert_str_eq(h_jstr(al, "orderNo"), "IMP-2");
    cr_assert_str_eq(h_jstr(al, "logisticsNo"), "LN-IMP-2");
    cr_assert_str_eq(h_jstr(al, "matching_rule"), "amount_payment");
    cr_assert_eq(json_array_size(json_object_get(al, "documents")), 4, "%s", json_dumps(al, 0));
    /* no personal data in the alert's sentence, nor in the log */
    cr_assert(strstr(h_jstr(al, "message"), "李小宝") == NULL, "%s", h_jstr(al, "message"));
    char *log = h_server_log();
    cr_assert(strstr(log, "李小宝") == NULL && strstr(log, "430602199001010011") == NULL &&
              strstr(log, "13800138000") == NULL, "personal data in the log");
    free(log);
    /* acknowledge it once */
    char path[160];
    snprintf(path, sizeof(path), "/v1/customs/alerts/%s/ack", h_jstr(al, "id"));
    /* a note must be text: refused, and the alert stays open */
    d = call("POST", path, cust, "{\"note\":123}", 422);
    cr_assert(strstr(h_jstr(json_object_get(d, "error"), "message"), "note") != NULL);
    json_decref(d);
    json_decref(call("POST", "/v1/customs/alerts/al-nosuch/ack", cust, NULL, 404));
    d = call("POST", path, cust, "{\"note\":\"refund under review\"}", 200);
    cr_assert_str_eq(h_jstr(d, "state"), "acknowledged");
    cr_assert_str_eq(h_jstr(d, "note"), "refund under review");
    json_decref(d);
    json_decref(call("POST", path, cust, NULL, 409));
    json_decref(call("POST", path, fwd, NULL, 403));
    json_decref(al);
    H_ASSERT_CLEAN_EXIT();
}

/* ---- cross-checks fired by carrier events ------------------------------------------- */

Test(customs, exit_port_mode_and_voyage_differ_from_the_declaration) {
    const char *inv;
    json_t *a;
    start();
    /* declared: exit through Shanghai (2200) by air (5) on voyage V99X */
    inv = export_declared("YYBL2026301", "4900", "2200", "5", "V99X", "18000");
    /* the barge loads at Ningbo on voyage V01E */
    push_n(1, equipment("c0000000-0000-4000-8000-000000000301", "CSQU3054383", "YYBL2026301",
                        "LOAD", "2026-11-20T10:00:00+08:00", "CNNGB", "V01E"));
    a = only_alert("port_mismatch");
    cr_assert_str_eq(h_jstr(a, "declaration"), inv);
    cr_assert_str_eq(h_jstr(a, "severity"), "high");
    cr_assert_str_eq(h_jstr(a, "declared"), "2200");
    cr_assert(strstr(h_jstr(a, "observed"), "CNNGB") != NULL, "%s", h_jstr(a, "observed"));
    cr_assert_str_eq(h_jstr(a, "waybill"), "YYBL2026301");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "events"), 0)),
                     "c0000000-0000-4000-8000-000000000301");
    json_decref(a);
    a = only_alert("transport_mode_mismatch");
    cr_assert_str_eq(h_jstr(a, "severity"), "medium");
    json_decref(a);
    a = only_alert("voyage_mismatch");
    cr_assert(strstr(h_jstr(a, "declared"), "V99X") != NULL, "%s", h_jstr(a, "declared"));
    cr_assert(strstr(h_jstr(a, "observed"), "V01E") != NULL, "%s", h_jstr(a, "observed"));
    json_decref(a);
    /* the declaration's view carries the waybill, its events and the alerts */
    json_t *d = declaration(inv);
    cr_assert_str_eq(h_jstr(json_object_get(d, "waybill"), "number"), "YYBL2026301");
    cr_assert_eq(json_array_size(json_object_get(d, "events")), 1);
    cr_assert_str_eq(h_jstr(json_object_get(d, "rules"), "status"), "alerts");
    cr_assert_eq(json_array_size(json_object_get(json_object_get(d, "rules"), "alerts")), 3,
                 "%s", json_dumps(json_object_get(d, "rules"), 0));
    cr_assert_str_eq(h_jstr(json_object_get(d, "matching"), "status"), "MATCHED", "%s",
                     json_dumps(json_object_get(d, "matching"), 0));
    json_decref(d);
    /* the waybill's own view shows its customs state */
    json_t *w = NULL;
    const char *state = "";
    for (int i = 0; i < 40; i++) {
        json_decref(w);
        w = call("GET", "/v1/waybills/YYBL2026301", fwd, NULL, 200);
        state = h_jstr(json_object_get(json_object_get(w, "tracking"), "customs"), "state");
        if (state && strcmp(state, "alerts") == 0) break;
        h_sleep_ms(50);
    }
    json_t *cs = json_object_get(json_object_get(w, "tracking"), "customs");
    cr_assert_str_eq(h_jstr(cs, "state"), "alerts", "%s", json_dumps(cs, 0));
    cr_assert_eq(json_integer_value(json_object_get(cs, "open_alerts")), 3);
    cr_assert_eq(json_array_size(json_object_get(cs, "declarations")), 2, "%s", json_dumps(cs, 0));
    json_decref(w);
    /* the same events again raise nothing new */
    push_n(1, equipment("c0000000-0000-4000-8000-000000000301", "CSQU3054383", "YYBL2026301",
                        "LOAD", "2026-11-20T10:00:00+08:00", "CNNGB", "V01E"));
    h_sleep_ms(200);
    a = alerts_of(NULL, 3);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 3, "%s", json_dumps(a, 0));
    json_decref(a);
    H_ASSERT_CLEAN_EXIT();
}

Test(customs, impossible_movement_undeclared_container_and_event_order) {
    json_t *a;
    start();
    export_declared("YYBL2026302", "4900", "2200", "2", "V01E", "18000");
    push_n(5,
           equipment("c0000000-0000-4000-8000-000000000311", "CSQU3054383", "YYBL2026302", "LOAD",
                     "2026-11-20T10:00:00+08:00", "CNCSX", "V01E"),
           /* Changsha to Shanghai (about 900 km) in an hour */
           equipment("c0000000-0000-4000-8000-000000000312", "CSQU3054383", "YYBL2026302", "DISC",
                     "2026-11-20T11:00:00+08:00", "CNSHA", "V01E"),
           /* a container the declaration (the B/L) does not carry */
           equipment("c0000000-0000-4000-8000-000000000313", "TGHU9999995", "YYBL2026302", "GTOT",
                     "2026-11-20T12:00:00+08:00", "CNSHA", "V01E"),
           /* arrival reported after the discharge */
           transport("c0000000-0000-4000-8000-000000000314", "YYBL2026302", "ARRI",
                     "2026-11-20T13:00:00+08:00", "CNSHA", "V01E"),
           transport("c0000000-0000-4000-8000-000000000315", "YYBL2026302", "DEPA",
                     "2026-11-20T14:00:00+08:00", "CNSHA", "V01E"));
    a = only_alert("impossible_movement");
    cr_assert_str_eq(h_jstr(a, "severity"), "high");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "events"), 0)),
                     "c0000000-0000-4000-8000-000000000311");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "events"), 1)),
                     "c0000000-0000-4000-8000-000000000312");
    json_decref(a);
    a = only_alert("undeclared_container");
    cr_assert_str_eq(h_jstr(a, "observed"), "TGHU9999995");
    json_decref(a);
    a = alerts_of("event_order", 2);
    /* discharged before arriving; departed from the exit port without a release */
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 2, "%s", json_dumps(a, 0));
    json_decref(a);
    /* none of the rules that hold fired */
    static const char *const quiet[] = {"port_mismatch", "transport_mode_mismatch",
                                        "voyage_mismatch", "transit_overdue", "weight_mismatch"};
    for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
        a = alerts_of(quiet[i], 0);
        cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 0, "%s: %s", quiet[i],
                     json_dumps(a, 0));
        json_decref(a);
    }
    H_ASSERT_CLEAN_EXIT();
}

/* The transit events of YYBL2026303: Changsha, Nanjing (off the booked
 * river run), the exit port ten days after leaving Changsha. */
static void push_transit(void) {
    push_n(3,
           equipment("c0000000-0000-4000-8000-000000000321", "CSQU3054383", "YYBL2026303", "LOAD",
                     "2026-11-10T10:00:00+08:00", "CNCSX", "V01E"),
           /* Nanjing is not on the booked river run */
           equipment("c0000000-0000-4000-8000-000000000322", "CSQU3054383", "YYBL2026303", "DISC",
                     "2026-11-13T10:00:00+08:00", "CNNKG", "V01E"),
           /* at the exit port ten days after leaving Changsha: over the 7-day limit */
           equipment("c0000000-0000-4000-8000-000000000323", "CSQU3054383", "YYBL2026303", "DISC",
                     "2026-11-20T10:00:00+08:00", "CNSHA", "V01E"));
}

Test(customs, a_customs_transit_that_leaves_its_route_and_overruns) {
    json_t *a;
    start();
    export_declared("YYBL2026303", "4900", "2200", "2", "V01E", "18000");
    push_transit();
    a = only_alert("transit_off_route");
    cr_assert_str_eq(h_jstr(a, "severity"), "high");
    cr_assert(strstr(h_jstr(a, "observed"), "CNNKG") != NULL, "%s", h_jstr(a, "observed"));
    json_decref(a);
    a = only_alert("transit_overdue");
    cr_assert_str_eq(h_jstr(a, "severity"), "medium");
    json_decref(a);
    a = alerts_of("impossible_movement", 0);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 0, "%s", json_dumps(a, 0));
    json_decref(a);
    H_ASSERT_CLEAN_EXIT();
}

Test(customs, the_transit_time_limit_is_configurable) {
    static const char *const args[] = {"--rate-limit-rps", "0", "--customs-transit-limit-h", "300",
                                       NULL};
    char id[64];
    json_t *a;
    h_start(args);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"acme\",\"name\":\"a\"}", id,
                              sizeof(id), fwd, sizeof(fwd)), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"customs\",\"tenant\":\"yy\",\"name\":\"o\"}", id,
                              sizeof(id), cust, sizeof(cust)), 0, "%s", h_error());
    export_declared("YYBL2026303", "4900", "2200", "2", "V01E", "18000");
    push_transit();
    /* ten days are within 300 hours: off route, but not overdue */
    json_decref(only_alert("transit_off_route"));
    a = alerts_of("transit_overdue", 0);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 0, "%s", json_dumps(a, 0));
    json_decref(a);
    H_ASSERT_CLEAN_EXIT();
}

Test(customs, weight_reported_by_the_airline_differs) {
    json_t *a;
    char *m;
    static const char fsu[] = "FSU/14\r\n160-12345675YYAAMS/T3K250.0\r\n"
                              "RCS/20NOV1800/YYA/T3K250.0\r\n";
    struct h_resp r;
    start();
    json_decref(call("POST", "/v1/waybills", fwd,
                     "{\"number\":\"160-12345675\",\"type\":\"awb\",\"shipper\":{\"name\":\"A\"},"
                     "\"consignee\":{\"name\":\"B\"},\"origin\":\"YYA\",\"destination\":\"AMS\","
                     "\"cargo\":{\"pieces\":3,\"weight_kg\":120},"
                     "\"departure\":\"2026-12-03T00:00:00+08:00\",\"book\":\"fastest\"}",
                     201));
    m = inventory603("W0000000-0000-4000-8000-000000000001", "1", "160-12345675", "4900", "2200",
                     "5", "", "120");
    json_decref(post_msg(fwd, m, 201));
    free(m);
    h_http_raw("POST", "/v1/feeds/sanhe/events", h_admin_key(), fsu, strlen(fsu), "text/plain",
               NULL, &r);
    H_ASSERT_STATUS(&r, 202);
    h_resp_free(&r);
    a = only_alert("weight_mismatch");
    cr_assert_str_eq(h_jstr(a, "severity"), "medium");
    cr_assert(strstr(h_jstr(a, "declared"), "120") != NULL, "%s", h_jstr(a, "declared"));
    cr_assert(strstr(h_jstr(a, "observed"), "250") != NULL, "%s", h_jstr(a, "observed"));
    json_decref(a);
    H_ASSERT_CLEAN_EXIT();
}

Test(customs, the_negative_list_raises_alerts_on_old_and_new_declarations) {
    json_t *a;
    struct h_resp r;
    start();
    export_declared("YYBL2026304", "4900", "2200", "2", "V01E", "18000");
    /* forwarders may not touch the list */
    h_http("POST", "/v1/customs/negative-list", fwd,
           "{\"code\":\"4301960EXP\",\"reason\":\"x\"}", NULL, &r);
    H_ASSERT_STATUS(&r, 403);
    h_resp_free(&r);
    h_http("POST", "/v1/customs/negative-list", cust, "{\"code\":\"43 01\",\"reason\":\"x\"}",
           NULL, &r);
    H_ASSERT_ERROR(&r, 422, "invalid");
    h_resp_free(&r);
    a = call("POST", "/v1/customs/negative-list", cust,
             "{\"code\":\"4301960EXP\",\"name\":\"Xiang Embroidery Export\","
             "\"reason\":\"false declarations, 2026 notice 12\"}",
             201);
    cr_assert_str_eq(h_jstr(a, "code"), "4301960EXP");
    json_decref(a);
    /* the order, the waybill and the inventory all name it as ebcCode */
    a = alerts_of("negative_list", 3);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 3, "%s", json_dumps(a, 0));
    cr_assert(has_alert_with(a, "field", "ebcCode"));
    json_decref(a);
    /* a new declaration naming it is caught as it arrives */
    char *m = inventory603("N0000000-0000-4000-8000-000000000001", "1", "YYBL2026305", "4900",
                           "2200", "2", "V01E", "10");
    json_decref(post_msg(fwd, m, 201));
    free(m);
    a = alerts_of("negative_list", 4);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 4, "%s", json_dumps(a, 0));
    json_decref(a);
    a = call("GET", "/v1/customs/negative-list", cust, NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(a, "entries")), 1);
    json_decref(a);
    h_http("DELETE", "/v1/customs/negative-list/4301960EXP", cust, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 204);
    h_resp_free(&r);
    h_http("DELETE", "/v1/customs/negative-list/4301960EXP", cust, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

/* ---- alerts paging, statistics, restart ------------------------------------------------- */

Test(customs, alerts_page_by_cursor_stats_answer_and_a_restart_keeps_everything) {
    json_t *a, *s, *g;
    char path[300], first[64];
    start();
    const char *inv = export_declared("YYBL2026306", "4900", "2200", "5", "V99X", "18000");
    char id[64];
    snprintf(id, sizeof(id), "%s", inv);
    push_n(1, equipment("c0000000-0000-4000-8000-000000000361", "CSQU3054383", "YYBL2026306",
                        "LOAD", "2026-11-20T10:00:00+08:00", "CNNGB", "V01E"));
    a = alerts_of(NULL, 3);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 3);
    json_decref(a);
    /* two per page */
    a = call("GET", "/v1/customs/alerts?limit=2", cust, NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 2);
    snprintf(first, sizeof(first), "%s", h_jstr(json_array_get(json_object_get(a, "alerts"), 0),
                                                "id"));
    snprintf(path, sizeof(path), "/v1/customs/alerts?limit=2&cursor=%s",
             h_jstr(a, "next_cursor"));
    json_decref(a);
    a = call("GET", path, cust, NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 1);
    cr_assert(json_is_null(json_object_get(a, "next_cursor")) ||
              json_object_get(a, "next_cursor") == NULL);
    json_decref(a);
    a = call("GET", "/v1/customs/alerts?severity=high", cust, NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 1);
    json_decref(a);
    a = call("GET", "/v1/customs/alerts?since=2099-01-01T00:00:00Z", cust, NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 0);
    json_decref(a);
    json_decref(call("GET", "/v1/customs/alerts?severity=urgent", cust, NULL, 400));
    json_decref(call("GET", "/v1/customs/alerts?cursor=al-nosuch", cust, NULL, 400));
    /* customs releases the inventory six hours after it was declared */
    a = post_msg(cust,
                 "{\"message\":\"CEB604\",\"guid\":\"R0000000-0000-4000-8000-000000000604\","
                 "\"blocks\":[{\"head\":{\"guid\":\"A0000000-0000-4000-8000-202630602\","
                 "\"agentCode\":\"4301960AGT\",\"copNo\":\"INV-YYBL2026306\",\"preNo\":\"P1\","
                 "\"ebcCode\":\"4301960EXP\",\"ebpCode\":\"4301960EBP\","
                 "\"orderNo\":\"ORD-YYBL2026306\",\"returnStatus\":\"800\","
                 "\"returnTime\":\"20261125153000000\",\"returnInfo\":\"released\"}}]}",
                 201);
    cr_assert_str_eq(stored_id(a, 0), id);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(a, "stored"), 0), "return_label"),
                     "released");
    json_decref(a);
    json_t *d0 = declaration(id);
    cr_assert_str_eq(h_jstr(json_object_get(d0, "return_status"), "status"), "800");
    cr_assert_str_eq(h_jstr(json_object_get(d0, "return_status"), "time"),
                     "2026-11-25T15:30:00+08:00");
    json_decref(d0);
    /* statistics: one river shipment on the corridor, declared 9610 */
    s = call("GET", "/v1/stats?from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z&by=mode", cust,
             NULL, 200);
    g = json_array_get(json_object_get(s, "groups"), 0);
    cr_assert_str_eq(h_jstr(g, "mode"), "river", "%s", json_dumps(s, 0));
    cr_assert_eq(json_integer_value(json_object_get(g, "shipments")), 1);
    cr_assert_eq(json_real_value(json_object_get(g, "weight_kg")), 18000.0);
    cr_assert_eq(json_integer_value(json_object_get(g, "declarations")), 1);
    cr_assert_eq(json_integer_value(json_object_get(g, "alerts")), 3, "%s", json_dumps(s, 0));
    cr_assert_eq(json_integer_value(json_object_get(g, "alerts_high")), 1);
    cr_assert_eq(json_integer_value(json_object_get(g, "cleared")), 1);
    cr_assert_float_eq(json_real_value(json_object_get(g, "mean_clearance_h")), 6.0, 1e-9);
    json_decref(s);
    s = call("GET", "/v1/stats?by=trade_mode", cust, NULL, 200);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(s, "groups"), 0), "trade_mode"),
                     "9610", "%s", json_dumps(s, 0));
    json_decref(s);
    s = call("GET", "/v1/stats?by=corridor", fwd, NULL, 200);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(s, "groups"), 0), "corridor"),
                     "CNCSX>CNSHA-WGQ", "%s", json_dumps(s, 0));
    json_decref(s);
    s = call("GET", "/v1/stats?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z", cust, NULL,
             200);
    cr_assert_eq(json_array_size(json_object_get(s, "groups")), 0);
    json_decref(s);
    json_decref(call("GET", "/v1/stats?by=colour", cust, NULL, 400));
    /* a restart reloads declarations, links and alerts */
    cr_assert_eq(h_server_stop(SIGTERM, 10000), 0, "%s", h_error());
    static const char *const args[] = {"--rate-limit-rps", "0", NULL};
    cr_assert_eq(h_server_start(args), 0, "%s", h_error());
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    for (int i = 0; i < 50; i++) {
        struct h_resp r;
        snprintf(path, sizeof(path), "/v1/customs/declarations/%s", id);
        h_http("GET", path, cust, NULL, NULL, &r);
        long st = r.status;
        h_resp_free(&r);
        if (st == 200) break;
        h_sleep_ms(100);
    }
    json_t *d = declaration(id);
    cr_assert_str_eq(h_jstr(json_object_get(d, "waybill"), "number"), "YYBL2026306");
    json_decref(d);
    a = alerts_of(NULL, 3);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 3);
    cr_assert_str_eq(h_jstr(json_array_get(json_object_get(a, "alerts"), 0), "id"), first);
    json_decref(a);
    H_ASSERT_CLEAN_EXIT();
}

/* An extra, where the official samples are on the machine
 * (../shared/data/ceb beside the checkout).  They are templates: several
 * repeat one block verbatim (stored once, answered per block), and three
 * declare the same waybill or inventory twice with different content in
 * one message, which is refused naming the second block. */
Test(customs, official_samples_are_stored_when_present) {
    static const struct {
        const char *file;
        const char *refused_block; /* NULL: stored */
    } files[] = {
        {"import/CEB311Message.xml", NULL},        {"import/CEB411Message.xml", NULL},
        {"import/CEB511Message.xml", "blocks[1]"}, {"import/CEB513Message.xml", NULL},
        {"import/CEB621Message.xml", "blocks[2]"}, {"import/CEB711Message.xml", NULL},
        {"export/CEB303Message.xml", NULL},        {"export/CEB403Message.xml", NULL},
        {"export/CEB505Message.xml", NULL},        {"export/CEB507Message.xml", NULL},
        {"export/CEB509Message.xml", NULL},        {"export/CEB603Message.xml", "blocks[1]"},
        {"export/CEB607Message.xml", NULL}};
    const char *src = getenv("DONGTING_SRC");
    char path[1200];
    size_t len;
    snprintf(path, sizeof(path), "%s/../shared/data/ceb/%s", src ? src : ".", files[0].file);
    char *probe = h_read_file(path, &len);
    if (probe == NULL) return; /* not on this machine */
    free(probe);
    start();
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct h_resp r;
        snprintf(path, sizeof(path), "%s/../shared/data/ceb/%s", src ? src : ".", files[i].file);
        char *body = h_read_file(path, &len);
        cr_assert_not_null(body, "%s", path);
        h_http_raw("POST", "/v1/customs/messages", cust, body, len, "application/xml", NULL, &r);
        free(body);
        if (files[i].refused_block) {
            H_ASSERT_ERROR(&r, 422, "invalid");
            json_t *e = h_resp_json(&r);
            cr_assert_str_eq(h_jstr(json_object_get(e, "error"), "path"), files[i].refused_block,
                             "%s: %s", files[i].file, r.body);
            cr_assert(strstr(r.body, "the same declaration as an earlier block") != NULL, "%s",
                      r.body);
            json_decref(e);
            h_resp_free(&r);
            continue;
        }
        cr_assert_eq(r.status, 201, "%s: %ld %s", files[i].file, r.status, r.body);
        json_t *a = h_resp_json(&r);
        h_resp_free(&r);
        json_t *d = declaration(stored_id(a, 0));
        cr_assert_eq(strncmp(h_jstr(d, "message"), files[i].file + 7, 6), 0, "%s",
                     files[i].file);
        json_decref(d);
        json_decref(a);
    }
    H_ASSERT_CLEAN_EXIT();
}

/* ---- every message type through the API ----------------------------------------- */

/* The three digits at S ("621_inventory.xml" -> 621). */
static int atoi_3(const char *s) {
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The fixtures change (appType 2) or delete (3) declarations they never
 * added: add those first, as JSON, so that the message itself applies. */
static void add_first(const char *name, const char *body, size_t len) {
    json_t *m = NULL, *pre;
    char err[512];
    size_t i, kept = 0;
    json_t *b;
    cr_assert_eq(ceb_parse_xml(body, len, 0, &m, err, sizeof(err)), 0, "%s: %s", name, err);
    char guid[80];
    snprintf(guid, sizeof(guid), "PRE-%.60s", name);
    if (json_object_get(m, "transfer") == NULL) { /* a return: it adds nothing */
        json_decref(m);
        return;
    }
    pre = json_pack("{s:O, s:s, s:[], s:O}", "message", json_object_get(m, "message"), "guid",
                    guid, "blocks", "transfer", json_object_get(m, "transfer"));
    cr_assert_not_null(pre);
    json_array_foreach(json_object_get(m, "blocks"), i, b) {
        const char *app = h_jstr(b, "app_type");
        if (app == NULL || strcmp(app, "add") == 0) continue;
        json_t *h = json_deep_copy(json_object_get(b, "head"));
        json_object_set_new(h, "appType", json_string("1"));
        json_array_append_new(json_object_get(pre, "blocks"),
                              json_pack("{s:o, s:O}", "head", h, "items",
                                        json_object_get(b, "items")));
        kept++;
    }
    if (kept) {
        char *js = json_dumps(pre, JSON_COMPACT);
        json_decref(post_msg(fwd, js, 201));
        free(js);
    }
    json_decref(pre);
    json_decref(m);
}

/* Our own fixtures (test/fixtures/ceb): every declaration type, then every
 * return, posted as XML; each is stored and the inventories link to the
 * Dongting waybills their bill numbers name, with their matching result and
 * the return customs sent. */
Test(customs, every_message_type_loads_links_and_matches) {
    const char *src = getenv("DONGTING_SRC");
    char dir[1100], path[1400], inv_imp[64] = "", inv_exp[64] = "";
    char *names[64];
    size_t n = 0, len;
    int seen[1000] = {0};
    DIR *d;
    struct dirent *de;
    start();
    create_waybill("MSKUYY55120", "CSQU3054383"); /* declared as MSKU-YY-55120 */
    create_waybill("MSKUYY66001", "TCNU7200794");
    snprintf(dir, sizeof(dir), "%s/test/fixtures/ceb", src ? src : ".");
    cr_assert_not_null(d = opendir(dir), "%s", dir);
    while ((de = readdir(d)) != NULL && n < 64) {
        size_t nl = strlen(de->d_name);
        if (strncmp(de->d_name, "ceb", 3) != 0 || nl < 5 || strcmp(de->d_name + nl - 4, ".xml"))
            continue;
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    /* declarations first, then the returns that answer them */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            int is_return = strstr(names[i], "_return") != NULL;
            struct h_resp r;
            if (is_return != pass) continue;
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            char *body = h_read_file(path, &len);
            cr_assert_not_null(body, "%s", path);
            add_first(names[i], body, len);
            h_http_raw("POST", "/v1/customs/messages", pass ? cust : fwd, body, len,
                       "application/xml", NULL, &r);
            free(body);
            /* refused, naming the block: CEB608's second return answers a
             * master waybill never declared; CEB624 and CEB626 answer a
             * cancellation (CEB623) and a refund (CEB625), which Dongting
             * does not take */
            const char *refused = strncmp(names[i], "ceb608", 6) == 0   ? "blocks[1]"
                                  : strncmp(names[i], "ceb624", 6) == 0 ? "blocks[0]"
                                  : strncmp(names[i], "ceb626", 6) == 0 ? "blocks[0]"
                                                                        : NULL;
            if (refused) {
                char want[40];
                H_ASSERT_ERROR(&r, 422, "unknown_declaration");
                snprintf(want, sizeof(want), "\"path\":\"%s\"", refused);
                cr_assert(strstr(r.body, want) != NULL, "%s: %s", names[i], r.body);
                h_resp_free(&r);
                continue;
            }
            cr_assert_eq(r.status, 201, "%s: %ld %s", names[i], r.status, r.body);
            json_t *a = h_resp_json(&r);
            h_resp_free(&r);
            seen[atoi_3(names[i] + 3)]++;
            if (strncmp(names[i], "ceb621", 6) == 0)
                snprintf(inv_imp, sizeof(inv_imp), "%s", stored_id(a, 0));
            if (strncmp(names[i], "ceb603", 6) == 0)
                snprintf(inv_exp, sizeof(inv_exp), "%s", stored_id(a, 0));
            json_decref(a);
        }
    for (size_t i = 0; i < n; i++) free(names[i]);
    /* the thirteen declaration types and twelve returns went in */
    static const int types[] = {311, 411, 511, 513, 621, 711, 303, 403, 505, 507, 509, 603, 607,
                                312, 412, 512, 514, 622, 712, 304, 404, 506, 508, 510, 604};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        cr_assert_eq(seen[types[i]], 1, "CEB%d not posted", types[i]);
    /* import: the inventory's order, payment and waybill, its Dongting
     * waybill (by billNo), matching, and customs' answer */
    json_t *v = declaration(inv_imp);
    json_t *docs = json_object_get(v, "documents");
    cr_assert_str_eq(h_jstr(json_object_get(docs, "order"), "message"), "CEB311");
    cr_assert_str_eq(h_jstr(json_object_get(docs, "payment"), "message"), "CEB411");
    cr_assert_str_eq(h_jstr(json_object_get(docs, "waybill"), "message"), "CEB511");
    cr_assert_str_eq(h_jstr(json_object_get(v, "waybill"), "number"), "MSKUYY55120");
    cr_assert_str_eq(h_jstr(json_object_get(v, "matching"), "status"), "MATCHED", "%s",
                     json_dumps(json_object_get(v, "matching"), 0));
    cr_assert(!json_is_null(json_object_get(v, "return_status")), "%s", json_dumps(v, 0));
    json_decref(v);
    /* export: the same, through the receipt */
    v = declaration(inv_exp);
    docs = json_object_get(v, "documents");
    cr_assert_str_eq(h_jstr(json_object_get(docs, "order"), "message"), "CEB303");
    cr_assert_str_eq(h_jstr(json_object_get(docs, "payment"), "message"), "CEB403");
    cr_assert_str_eq(h_jstr(json_object_get(docs, "waybill"), "message"), "CEB505");
    cr_assert_str_eq(h_jstr(json_object_get(v, "waybill"), "number"), "MSKUYY66001");
    cr_assert_str_eq(h_jstr(json_object_get(v, "matching"), "status"), "MATCHED", "%s",
                     json_dumps(json_object_get(v, "matching"), 0));
    cr_assert_str_eq(h_jstr(json_object_get(v, "return_status"), "label"), "released");
    /* the arrival, departure and master waybill lists about its logistics
     * number are related to it */
    cr_assert_geq(json_array_size(json_object_get(v, "related")), 3, "%s",
                  json_dumps(json_object_get(v, "related"), 0));
    json_decref(v);
    H_ASSERT_CLEAN_EXIT();
}

/* Declarations often come before the carrier's waybill is booked in
 * Dongting: the link is made when the waybill is created, and its events
 * are checked from then on. */
Test(customs, a_declaration_before_its_waybill_links_when_it_is_created) {
    char *m;
    json_t *d;
    char id[64];
    start();
    /* the customs waybill and the inventory both name it: both link */
    m = waybill505("L0000000-0000-4000-8000-000000000002", "YYBL2026307", "18000");
    char wid[64];
    post_for_id(fwd, m, wid, sizeof(wid));
    m = inventory603("L0000000-0000-4000-8000-000000000001", "1", "YYBL2026307", "4900", "2200",
                     "5", "V99X", "18000");
    post_for_id(fwd, m, id, sizeof(id));
    d = declaration(id);
    cr_assert(json_is_null(json_object_get(d, "waybill")), "%s", json_dumps(d, 0));
    json_decref(d);
    create_waybill("YYBL2026307", "CSQU3054383");
    d = declaration(id);
    cr_assert_str_eq(h_jstr(json_object_get(d, "waybill"), "number"), "YYBL2026307", "%s",
                     json_dumps(d, 0));
    json_decref(d);
    d = declaration(wid);
    cr_assert_str_eq(h_jstr(json_object_get(d, "waybill"), "number"), "YYBL2026307", "%s",
                     json_dumps(d, 0));
    json_decref(d);
    push_n(1, equipment("c0000000-0000-4000-8000-000000000371", "CSQU3054383", "YYBL2026307",
                        "LOAD", "2026-11-20T10:00:00+08:00", "CNNGB", "V01E"));
    json_decref(only_alert("port_mismatch"));
    H_ASSERT_CLEAN_EXIT();
}

/* A forwarder's declaration names only its own tenant's waybills: another
 * tenant cannot attach declarations (and their alerts) to a waybill that is
 * not theirs.  A customs officer's may name any. */
Test(customs, a_declaration_links_only_to_its_own_tenants_waybill) {
    char gid[64], gkey[160], id[64];
    json_t *a, *d;
    char *m;
    start();
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"globex\",\"name\":\"g\"}", gid,
                              sizeof(gid), gkey, sizeof(gkey)), 0);
    create_waybill("YYBL2026308", "CSQU3054383"); /* acme's */
    m = inventory603("T0000000-0000-4000-8000-000000000001", "1", "YYBL2026308", "4900", "2200",
                     "5", "V99X", "18000");
    post_for_id(gkey, m, id, sizeof(id));
    d = declaration(id);
    cr_assert(json_is_null(json_object_get(d, "waybill")), "%s", json_dumps(d, 0));
    json_decref(d);
    push_n(1, equipment("c0000000-0000-4000-8000-000000000381", "CSQU3054383", "YYBL2026308",
                        "LOAD", "2026-11-20T10:00:00+08:00", "CNNGB", "V01E"));
    h_sleep_ms(300);
    a = alerts_of(NULL, 0);
    cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 0, "%s", json_dumps(a, 0));
    json_decref(a);
    json_t *w = call("GET", "/v1/waybills/YYBL2026308", fwd, NULL, 200);
    cr_assert_str_eq(h_jstr(json_object_get(json_object_get(w, "tracking"), "customs"), "state"),
                     "not_linked");
    json_decref(w);
    /* the same declaration from customs links */
    m = inventory603("T0000000-0000-4000-8000-000000000002", "1", "YYBL2026308", "4900", "2200",
                     "5", "V99X", "18000");
    char *p = strstr(m, "INV-YYBL2026308");
    memcpy(p, "INV-CUSTOMS0001", 15);
    post_for_id(cust, m, id, sizeof(id));
    d = declaration(id);
    cr_assert_str_eq(h_jstr(json_object_get(d, "waybill"), "number"), "YYBL2026308", "%s",
                     json_dumps(d, 0));
    json_decref(d);
    /* a customs officer reading the waybill is audited too */
    json_decref(call("GET", "/v1/waybills/YYBL2026308", cust, NULL, 200));
    redisReply *x = h_redis_command("XREVRANGE cu:{cu}:audit + - COUNT 1");
    cr_assert(x && x->type == REDIS_REPLY_ARRAY && x->elements == 1);
    redisReply *f = x->element[0]->element[1];
    int saw = 0;
    for (size_t i = 0; i + 1 < f->elements; i += 2)
        if (strcmp(f->element[i]->str, "what") == 0)
            saw = strcmp(f->element[i + 1]->str, "GET /v1/waybills/YYBL2026308") == 0;
    cr_assert(saw, "the waybill read is not the last audit record");
    freeReplyObject(x);
    H_ASSERT_CLEAN_EXIT();
}
