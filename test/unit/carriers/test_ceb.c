/* carriers/ceb.c: the China customs cross-border e-commerce messages, on
 * our own fixtures (test/fixtures/ceb/, the official shapes with made-up
 * values), the refusals with their exact path and reason, hostile XML,
 * the JSON intake, and the official samples when ../shared is present. */
#include "carriers/ceb.h"

#include "test/unit/support.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Parse fixture NAME; returns the parser's result, *OUT the message. */
static int parse_fixture(const char *name, json_t **out, char *err, size_t errlen) {
    char rel[128];
    size_t len;
    snprintf(rel, sizeof(rel), "test/fixtures/ceb/%s", name);
    char *body = ut_slurp(ut_path(rel), &len);
    int rc = ceb_parse_xml(body, len, 0, out, err, errlen);
    free(body);
    return rc;
}

/* Fixture NAME, which must parse. */
static json_t *good(const char *name) {
    json_t *m = NULL;
    char err[512] = "";
    cr_assert_eq(parse_fixture(name, &m, err, sizeof(err)), 0, "%s: %s", name, err);
    cr_assert_not_null(m);
    return m;
}

static const char *sget(const json_t *o, const char *path) {
    /* "a.b.c" through objects only */
    char key[64];
    const char *p = path;
    while (o && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        snprintf(key, sizeof(key), "%.*s", (int)n, p);
        o = json_object_get(o, key);
        p = dot ? dot + 1 : p + n;
    }
    return json_string_value(o);
}

static json_t *block(const json_t *m, size_t i) {
    return json_array_get(json_object_get(m, "blocks"), i);
}

static json_t *item(const json_t *b, size_t i) {
    return json_array_get(json_object_get(b, "items"), i);
}

/* The fixture NAME with the first FROM replaced by TO, refused with
 * exactly WANT. */
static void refused_edit(const char *name, const char *from, const char *to,
                         const char *want) {
    char rel[128], err[512] = "";
    size_t len;
    json_t *m = NULL;
    snprintf(rel, sizeof(rel), "test/fixtures/ceb/%s", name);
    char *body = ut_slurp(ut_path(rel), &len);
    char *at = strstr(body, from);
    cr_assert_not_null(at, "%s not in %s", from, name);
    size_t nf = strlen(from), nt = strlen(to), nlen = len - nf + nt;
    char *edited = malloc(nlen + 1);
    memcpy(edited, body, (size_t)(at - body));
    memcpy(edited + (at - body), to, nt);
    memcpy(edited + (at - body) + nt, at + nf, len - (size_t)(at - body) - nf + 1);
    int rc = ceb_parse_xml(edited, nlen, 0, &m, err, sizeof(err));
    cr_assert_eq(rc, -1, "%s accepted after %s -> %s", name, from, to);
    cr_assert_null(m);
    cr_assert_str_eq(err, want);
    free(edited);
    free(body);
}

static void refused_str(const char *xml, size_t max, const char *want) {
    char err[512] = "";
    json_t *m = NULL;
    cr_assert_eq(ceb_parse_xml(xml, strlen(xml), max, &m, err, sizeof(err)), -1);
    cr_assert_null(m);
    cr_assert_str_eq(err, want);
}

/* ---- each message type ---- */

Test(ceb, import_order_two_blocks_with_bom) {
    json_t *m = good("ceb311_order.xml");
    cr_assert_str_eq(sget(m, "message"), "CEB311");
    cr_assert_str_eq(sget(m, "direction"), "import");
    cr_assert_str_eq(sget(m, "guid"), "F0E1D2C3-3110-4A00-9000-000000000311");
    cr_assert_str_eq(sget(m, "version"), "1.0");
    cr_assert_eq(json_array_size(json_object_get(m, "blocks")), 2);
    json_t *b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "order");
    cr_assert_str_eq(sget(b, "app_type"), "add");
    cr_assert_str_eq(sget(b, "app_status"), "declared");
    cr_assert_str_eq(sget(b, "keys.orderNo"), "YY-ORD-20261125-001");
    cr_assert_str_eq(sget(b, "keys.ebpCode"), "4301960EBP");
    cr_assert_str_eq(sget(b, "keys.ebcCode"), "4301960EBC");
    cr_assert_eq(json_object_size(json_object_get(b, "keys")), 3);
    cr_assert_str_eq(sget(b, "head.acturalPaid"), "353.75");
    cr_assert_str_eq(sget(b, "head.discount"), "5.5");
    cr_assert_str_eq(sget(b, "head.consigneeAddress"), "1 Lakeside Road, Yueyanglou District");
    cr_assert_str_eq(sget(b, "codes.orderType"), "import");
    cr_assert_eq(json_array_size(json_object_get(b, "items")), 2);
    cr_assert_str_eq(sget(item(b, 1), "gnum"), "2");
    cr_assert_str_eq(sget(item(b, 1), "itemName"), "Porcelain cup");
    cr_assert_str_eq(sget(item(b, 1), "totalPrice"), "149");
    b = block(m, 1);
    cr_assert_str_eq(sget(b, "app_type"), "change");
    cr_assert_str_eq(sget(b, "keys.orderNo"), "YY-ORD-20261125-002");
    cr_assert_eq(json_array_size(json_object_get(b, "items")), 1);
    cr_assert_str_eq(sget(item(b, 0), "itemName"), "Lotus seeds 500 g");
    cr_assert_str_eq(sget(m, "transfer.copCode"), "4301960ABC");
    cr_assert_str_eq(sget(m, "transfer.dxpId"), "DXPENT0000YY01");
    cr_assert_str_eq(sget(m, "transfer.note"), "");
    json_decref(m);
}

Test(ceb, import_payment_delete) {
    json_t *m = good("ceb411_payment.xml");
    cr_assert_str_eq(sget(m, "message"), "CEB411");
    json_t *b = block(m, 1);
    cr_assert_str_eq(sget(b, "kind"), "payment");
    cr_assert_str_eq(sget(b, "app_type"), "delete");
    cr_assert_str_eq(sget(b, "keys.payTransactionId"), "XP20261125000124");
    cr_assert_str_eq(sget(b, "keys.payCode"), "4301960PAY");
    cr_assert_str_eq(sget(b, "head.amountPaid"), "102");
    cr_assert_eq(json_array_size(json_object_get(b, "items")), 0);
    json_decref(m);
}

Test(ceb, import_waybill_default_namespace) {
    json_t *m = good("ceb511_waybill_default_ns.xml");
    json_t *b = block(m, 0);
    cr_assert_str_eq(sget(m, "message"), "CEB511");
    cr_assert_str_eq(sget(b, "kind"), "waybill");
    cr_assert_str_eq(sget(b, "keys.logisticsCode"), "4301960LOG");
    cr_assert_str_eq(sget(b, "keys.logisticsNo"), "CLJ7700112233");
    cr_assert_str_eq(sget(b, "keys.billNo"), "MSKU-YY-55120");
    cr_assert_str_eq(sget(b, "keys.orderNo"), "YY-ORD-20261125-001");
    cr_assert_str_eq(sget(b, "head.weight"), "1.35");
    json_decref(m);
}

Test(ceb, import_waybill_status_other_prefix) {
    json_t *m = good("ceb513_waybill_status.xml");
    json_t *b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "waybill_status");
    cr_assert_str_eq(sget(b, "head.logisticsStatus"), "S");
    cr_assert_str_eq(sget(b, "head.logisticsTime"), "20261126141500");
    cr_assert_str_eq(sget(b, "keys.logisticsNo"), "CLJ7700112233");
    json_decref(m);
}

Test(ceb, import_inventory_three_blocks) {
    json_t *m = good("ceb621_inventory.xml");
    cr_assert_eq(json_array_size(json_object_get(m, "blocks")), 3);
    json_t *b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "inventory");
    cr_assert_str_eq(sget(b, "app_type"), "add");
    cr_assert_str_eq(sget(b, "keys.orderNo"), "YY-ORD-20261125-001");
    cr_assert_str_eq(sget(b, "keys.logisticsNo"), "CLJ7700112233");
    cr_assert_str_eq(sget(b, "keys.copNo"), "YYINV2026112500001");
    cr_assert_str_eq(sget(b, "keys.billNo"), "MSKU-YY-55120");
    cr_assert_null(json_object_get(json_object_get(b, "keys"), "invtNo")); /* empty */
    cr_assert_eq(json_object_size(json_object_get(b, "keys")), 7);
    cr_assert_str_eq(sget(b, "head.grossWeight"), "1.35");
    cr_assert_str_eq(sget(b, "head.netWeight"), "1.1");
    cr_assert_str_eq(sget(b, "codes.tradeMode"), "cbec_bonded");
    cr_assert_str_eq(sget(b, "codes.trafMode"), "waterway");
    cr_assert_str_eq(sget(b, "codes.ieFlag"), "import");
    cr_assert_eq(json_array_size(json_object_get(b, "items")), 2);
    cr_assert_str_eq(sget(item(b, 0), "gcode"), "0902301000");
    cr_assert_str_eq(sget(item(b, 0), "qty1"), "0.75");
    cr_assert_str_eq(sget(item(b, 0), "qty2"), "");
    b = block(m, 1);
    cr_assert_str_eq(sget(b, "app_type"), "change");
    cr_assert_str_eq(sget(b, "codes.tradeMode"), "cbec_retail");
    cr_assert_str_eq(sget(b, "codes.trafMode"), "air");
    b = block(m, 2);
    cr_assert_str_eq(sget(b, "app_type"), "delete");
    cr_assert_str_eq(sget(b, "codes.tradeMode"), "cbec_bonded_a");
    cr_assert_str_eq(sget(b, "codes.trafMode"), "rail");
    json_decref(m);
}

Test(ceb, import_storage_entry_list_keys) {
    json_t *m = good("ceb711_storage_entry.xml");
    json_t *b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "storage_entry");
    cr_assert_str_eq(sget(b, "keys.copNo"), "YYRKD2026112600001");
    json_t *nos = json_object_get(json_object_get(b, "keys"), "logisticsNos");
    cr_assert_eq(json_array_size(nos), 3);
    cr_assert_str_eq(json_string_value(json_array_get(nos, 2)), "CLJ7700112235");
    cr_assert_str_eq(sget(item(b, 2), "gnum"), "3");
    json_decref(m);
}

Test(ceb, export_order_receipt_waybill) {
    json_t *m = good("ceb303_export_order.xml");
    cr_assert_str_eq(sget(m, "direction"), "export");
    cr_assert_str_eq(sget(block(m, 0), "codes.orderType"), "export_b2b");
    cr_assert_str_eq(sget(item(block(m, 0), 0), "price"), "300.1");
    json_decref(m);

    m = good("ceb403_receipt.xml");
    cr_assert_str_eq(sget(block(m, 0), "kind"), "receipt");
    cr_assert_str_eq(sget(block(m, 0), "keys.payNo"), "XPR-90001");
    cr_assert_str_eq(sget(block(m, 0), "head.charge"), "1280.4");
    json_decref(m);

    m = good("ceb505_export_waybill.xml");
    cr_assert_eq(json_array_size(json_object_get(m, "blocks")), 2);
    cr_assert_str_eq(sget(block(m, 1), "kind"), "waybill");
    cr_assert_str_eq(sget(block(m, 1), "keys.logisticsNo"), "CLJE880002");
    cr_assert_str_eq(sget(block(m, 1), "head.grossWeight"), "2");
    json_decref(m);
}

Test(ceb, export_arrival_departure_inventory_master) {
    json_t *m = good("ceb507_arrival.xml");
    json_t *b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "arrival");
    cr_assert_str_eq(sget(b, "codes.trafMode"), "road");
    cr_assert_str_eq(sget(b, "codes.ieFlag"), "export");
    cr_assert_eq(json_array_size(json_object_get(json_object_get(b, "keys"), "logisticsNos")), 2);
    json_decref(m);

    m = good("ceb509_departure.xml");
    b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "departure");
    cr_assert_str_eq(sget(b, "keys.voyageNo"), "V2612W");
    cr_assert_str_eq(sget(b, "head.leaveTime"), "20261122183000");
    json_decref(m);

    m = good("ceb603_export_inventory.xml");
    b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "inventory");
    cr_assert_str_eq(sget(b, "codes.tradeMode"), "cbec_b2b_direct_export");
    cr_assert_str_eq(sget(b, "keys.ebcCode"), "4301960EXP");
    cr_assert_str_eq(sget(item(b, 0), "gcode"), "6304920000");
    json_decref(m);

    m = good("ceb607_master_waybill.xml"); /* with a ds:Signature, skipped */
    b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "master_waybill");
    cr_assert_str_eq(sget(b, "codes.trafMode"), "air");
    cr_assert_str_eq(sget(b, "keys.billNo"), "784-12345675");
    cr_assert_str_eq(sget(b, "head.grossWeight"), "8.8");
    cr_assert_eq(json_array_size(json_object_get(b, "items")), 2);
    json_decref(m);
}

/* ---- refusals, each with its path and reason ---- */

Test(ceb, missing_and_empty_required_fields) {
    refused_edit("ceb621_inventory.xml", "<ceb:grossWeight>1.35</ceb:grossWeight>", "",
                 "/CEB621Message/Inventory[1]/InventoryHead/grossWeight: missing");
    refused_edit("ceb411_payment.xml", "<ceb:payCode>4301960PAY</ceb:payCode>",
                 "<ceb:payCode> </ceb:payCode>",
                 "/CEB411Message/Payment[1]/PaymentHead/payCode: empty");
    refused_edit("ceb311_order.xml", "<ceb:copCode>4301960ABC</ceb:copCode>", "",
                 "/CEB311Message/BaseTransfer/copCode: missing");
    refused_edit("ceb621_inventory.xml", "<ceb:gcode>6912001000</ceb:gcode>", "",
                 "/CEB621Message/Inventory[1]/InventoryList[2]/gcode: missing");
}

Test(ceb, bad_values_quoted) {
    refused_edit("ceb621_inventory.xml",
                 "<ceb:grossWeight>0.6</ceb:grossWeight>",
                 "<ceb:grossWeight>0,6</ceb:grossWeight>",
                 "/CEB621Message/Inventory[2]/InventoryHead/grossWeight: not a decimal "
                 "number: \"0,6\"");
    refused_edit("ceb311_order.xml", "<ceb:appType>2</ceb:appType>",
                 "<ceb:appType>7</ceb:appType>",
                 "/CEB311Message/Order[2]/OrderHead/appType: not 1, 2 or 3: \"7\"");
    refused_edit("ceb621_inventory.xml", "<ceb:trafMode>2</ceb:trafMode>",
                 "<ceb:trafMode>Q</ceb:trafMode>",
                 "/CEB621Message/Inventory[1]/InventoryHead/trafMode: not a customs "
                 "transport mode code: \"Q\"");
    refused_edit("ceb621_inventory.xml", "<ceb:tradeMode>1210</ceb:tradeMode>",
                 "<ceb:tradeMode>12X0</ceb:tradeMode>",
                 "/CEB621Message/Inventory[1]/InventoryHead/tradeMode: not a 4-digit "
                 "supervision mode: \"12X0\"");
    refused_edit("ceb513_waybill_status.xml", "<x:logisticsTime>20261126141500",
                 "<x:logisticsTime>20261326141500",
                 "/CEB513Message/LogisticsStatus[1]/logisticsTime: not a date "
                 "YYYYMMDDhhmmss: \"20261326141500\"");
    refused_edit("ceb711_storage_entry.xml", "<ceb:gnum>3</ceb:gnum>",
                 "<ceb:gnum>2</ceb:gnum>",
                 "/CEB711Message/Delivery[1]/DeliveryList[3]/gnum: duplicate line number: "
                 "\"2\"");
    /* a long value: 40 bytes quoted, cut on a character boundary */
    refused_edit("ceb311_order.xml", "<ceb:freight>12</ceb:freight>",
                 "<ceb:freight>1234567890123456789012345678901234567\xE4\xB8\xAD"
                 "\xE6\x96\x87</ceb:freight>",
                 "/CEB311Message/Order[1]/OrderHead/freight: not a decimal number: "
                 "\"1234567890123456789012345678901234567\xE4\xB8\xAD\"...");
    refused_edit("ceb505_export_waybill.xml", "CLJE880002",
                 "CLJE8800020000000000000000000000X",
                 "/CEB505Message/Logistics[2]/logisticsNo: longer than 32 characters: "
                 "\"CLJE8800020000000000000000000000X\"");
}

Test(ceb, structure_refusals) {
    refused_edit("ceb311_order.xml", "xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"",
                 "xmlns:ceb=\"http://example.com/ceb\"",
                 "/CEB311Message: namespace \"http://example.com/ceb\" is not "
                 "http://www.chinaport.gov.cn/ceb");
    refused_str("<CEB621Message guid=\"g\" version=\"1.0\"/>", 0,
                "/CEB621Message: no namespace (want http://www.chinaport.gov.cn/ceb)");
    refused_str("<c:CEB999Message xmlns:c=\"http://www.chinaport.gov.cn/ceb\" guid=\"g\" "
                "version=\"1.0\"/>",
                0, "/CEB999Message: unknown root element");
    refused_str("<c:CEB411Message xmlns:c=\"http://www.chinaport.gov.cn/ceb\" "
                "version=\"1.0\"/>",
                0, "/CEB411Message/@guid: missing");
    refused_str("<c:CEB411Message xmlns:c=\"http://www.chinaport.gov.cn/ceb\" guid=\"g\" "
                "version=\"1.0\"><c:BaseTransfer/></c:CEB411Message>",
                0, "/CEB411Message/BaseTransfer/copCode: missing");
    refused_str("<c:CEB411Message xmlns:c=\"http://www.chinaport.gov.cn/ceb\" guid=\"g\" "
                "version=\"1.0\"/>",
                0, "/CEB411Message/Payment: missing (at least one business block)");
    refused_edit("ceb311_order.xml", "<ceb:OrderList>", "<ceb:Orderlist/><ceb:OrderList>",
                 "/CEB311Message/Order[1]/Orderlist: unexpected element");
    refused_edit("ceb507_arrival.xml", "<ceb:BaseTransfer>",
                 "<ceb:BaseTransfr/><ceb:BaseTransfer>",
                 "/CEB507Message/BaseTransfr: unexpected element");
    refused_edit("ceb411_payment.xml", "<ceb:note></ceb:note>",
                 "<ceb:note><ceb:b>x</ceb:b></ceb:note>",
                 "/CEB411Message/Payment[1]/PaymentHead/note: unexpected element b inside "
                 "a field");
    refused_edit("ceb411_payment.xml", "<ceb:note></ceb:note>",
                 "<ceb:note/><ceb:note/>",
                 "/CEB411Message/Payment[1]/PaymentHead/note: repeated field");
    refused_edit("ceb411_payment.xml", "<ceb:note></ceb:note>",
                 "<o:note xmlns:o=\"urn:other\"/>",
                 "/CEB411Message/Payment[1]/PaymentHead/note: element not in the "
                 "http://www.chinaport.gov.cn/ceb namespace");
}

Test(ceb, hostile_documents) {
    json_t *m = NULL;
    char err[512];
    cr_assert_eq(parse_fixture("hostile_doctype.xml", &m, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "/: DOCTYPE not allowed");
    cr_assert_eq(parse_fixture("hostile_billion_laughs.xml", &m, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "/: DOCTYPE not allowed");
    cr_assert_eq(parse_fixture("hostile_xxe.xml", &m, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "/: DOCTYPE not allowed");
    cr_assert_null(strstr(err, "root:"), "file content leaked: %s", err);
    cr_assert_null(m);
    cr_assert_eq(parse_fixture("truncated_inventory.xml", &m, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "/: not well-formed XML (line 33): Premature end of data in tag "
                          "agentName line 33");
    /* an undeclared entity is an error, never a lookup */
    refused_str("<c:CEB411Message xmlns:c=\"http://www.chinaport.gov.cn/ceb\" guid=\"&x;\"/>",
                0, "/: not well-formed XML (line 1): Entity 'x' not defined");
    refused_str("\xFF\xFE<\0a\0/\0>\0", 0, "/: not UTF-8");
    refused_str("", 0, "/: empty body");
}

Test(ceb, size_and_depth_caps) {
    static const char head[] = "<c:CEB411Message xmlns:c=\"http://www.chinaport.gov.cn/ceb\" "
                               "guid=\"g\" version=\"1.0\">";
    refused_str(head, 50, "/: body too large: 82 bytes, limit 50");
    /* the default cap: 4 MiB + 1 */
    size_t big = CEB_MAX_BODY_DEFAULT + 1;
    char *body = malloc(big), err[512];
    json_t *m = NULL;
    memset(body, ' ', big);
    cr_assert_eq(ceb_parse_xml(body, big, 0, &m, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "/: body too large: 4194305 bytes, limit 4194304");
    free(body);
    /* 30 nested elements under the root */
    char deep[4096];
    size_t o = (size_t)snprintf(deep, sizeof(deep), "%s", head);
    for (int i = 0; i < 30; i++) o += (size_t)snprintf(deep + o, sizeof(deep) - o, "<c:x>");
    for (int i = 0; i < 30; i++) o += (size_t)snprintf(deep + o, sizeof(deep) - o, "</c:x>");
    snprintf(deep + o, sizeof(deep) - o, "</c:CEB411Message>");
    refused_str(deep, 0, "/: elements nested deeper than 24");
}

/* A CEB513 message with N status blocks. */
static char *status_blocks(int n, size_t *len) {
    static const char blk[] =
        "<c:LogisticsStatus><c:guid>g</c:guid><c:appType>1</c:appType>"
        "<c:appTime>20261125093000</c:appTime><c:appStatus>2</c:appStatus>"
        "<c:logisticsCode>L1</c:logisticsCode><c:logisticsNo>N%d</c:logisticsNo>"
        "<c:logisticsStatus>S</c:logisticsStatus>"
        "<c:logisticsTime>20261126141500</c:logisticsTime></c:LogisticsStatus>";
    size_t cap = 512 + (size_t)n * sizeof(blk) + 32, o = 0;
    char *s = malloc(cap);
    o += (size_t)snprintf(s + o, cap - o,
                          "<c:CEB513Message xmlns:c=\"http://www.chinaport.gov.cn/ceb\" "
                          "guid=\"g\" version=\"1.0\">");
    for (int i = 0; i < n; i++) o += (size_t)snprintf(s + o, cap - o, blk, i);
    o += (size_t)snprintf(s + o, cap - o,
                          "<c:BaseTransfer><c:copCode>C</c:copCode><c:copName>N</c:copName>"
                          "<c:dxpMode>DXP</c:dxpMode><c:dxpId>D</c:dxpId></c:BaseTransfer>"
                          "</c:CEB513Message>");
    *len = o;
    return s;
}

Test(ceb, hundred_blocks_accepted_101_refused) {
    size_t len;
    char err[512] = "";
    json_t *m = NULL;
    char *s = status_blocks(100, &len);
    cr_assert_eq(ceb_parse_xml(s, len, 0, &m, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(json_array_size(json_object_get(m, "blocks")), 100);
    cr_assert_str_eq(sget(block(m, 99), "keys.logisticsNo"), "N99");
    json_decref(m);
    free(s);
    s = status_blocks(101, &len);
    cr_assert_eq(ceb_parse_xml(s, len, 0, &m, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "/CEB513Message/LogisticsStatus[101]: more than 100 business blocks");
    free(s);
}

Test(ceb, list_lines_capped) {
    char rel[] = "test/fixtures/ceb/ceb711_storage_entry.xml", err[512] = "";
    size_t len;
    json_t *m = NULL;
    char *body = ut_slurp(ut_path(rel), &len);
    char *at = strstr(body, "<ceb:DeliveryList>");
    cr_assert_not_null(at);
    size_t pre = (size_t)(at - body), cap = len + 1000 * 160, o = pre;
    char *s = malloc(cap);
    memcpy(s, body, pre);
    for (int i = 1; i <= 1000; i++)
        o += (size_t)snprintf(s + o, cap - o,
                              "<ceb:DeliveryList><ceb:gnum>%d</ceb:gnum>"
                              "<ceb:logisticsNo>N%d</ceb:logisticsNo></ceb:DeliveryList>",
                              i, i);
    memcpy(s + o, at, len - pre + 1);
    cr_assert_eq(ceb_parse_xml(s, o + len - pre, 0, &m, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "/CEB711Message/Delivery[1]/DeliveryList[1000]: more than 999 "
                          "list lines");
    free(s);
    free(body);
}

/* ---- customs receipts (回执) ---- */

/* Block B is a receipt answering declaration GUID with STATUS (labelled
 * LABEL), TIME and INFO; its keys are exactly KEYS (a JSON object text). */
static void is_return(const json_t *b, const char *guid, const char *status,
                      const char *label, const char *time, const char *info,
                      const char *keys) {
    json_error_t je;
    json_t *want = json_loads(keys, 0, &je);
    cr_assert_not_null(want, "bad test keys %s: %s", keys, je.text);
    json_object_set_new(want, "guid", json_string(guid));
    char *got = json_dumps(json_object_get(b, "keys"), JSON_SORT_KEYS);
    cr_assert(json_equal(json_object_get(b, "keys"), want), "keys %s", got);
    free(got);
    json_decref(want);
    cr_assert_str_eq(sget(b, "kind"), "return");
    cr_assert_str_eq(sget(b, "head.guid"), guid);
    cr_assert_str_eq(sget(b, "return.status"), status);
    cr_assert_str_eq(sget(b, "return.time"), time);
    cr_assert_str_eq(sget(b, "return.info"), info);
    cr_assert_eq(json_object_size(json_object_get(b, "return")), 3);
    cr_assert_str_eq(sget(b, "codes.returnStatus"), label);
    cr_assert_eq(json_object_size(json_object_get(b, "codes")), 1);
    cr_assert(json_is_array(json_object_get(b, "items")));
    cr_assert_eq(json_array_size(json_object_get(b, "items")), 0);
    cr_assert_null(json_object_get(b, "app_type"));
    cr_assert_null(json_object_get(b, "app_status"));
}

/* Receipt fixture NAME: message TYPE, DIRECTION, NBLOCKS blocks, no
 * transfer.  The caller decrefs it. */
static json_t *good_return(const char *name, const char *type, const char *direction,
                           size_t nblocks) {
    json_t *m = good(name);
    cr_assert_str_eq(sget(m, "message"), type);
    cr_assert_str_eq(sget(m, "direction"), direction);
    cr_assert_eq(json_array_size(json_object_get(m, "blocks")), nblocks);
    cr_assert_null(json_object_get(m, "transfer"));
    return m;
}

Test(ceb, return_import_order) {
    json_t *m = good_return("ceb312_order_return.xml", "CEB312", "import", 2);
    cr_assert_str_eq(sget(m, "guid"), "E5F6A7B8-3120-4C00-9000-000000000312");
    is_return(block(m, 0), "A1B2C3D4-0001-4E5F-8A9B-311000000001", "120", "accepted",
              "20261125101502123", "[Code:2600;Desc:order entered the customs system]",
              "{\"orderNo\":\"YY-ORD-20261125-001\",\"ebpCode\":\"4301960EBP\","
              "\"ebcCode\":\"4301960EBC\"}");
    is_return(block(m, 1), "A1B2C3D4-0002-4E5F-8A9B-311000000002", "100", "rejected",
              "20261125101503007", "退单: 订购人身份信息校验未通过",
              "{\"orderNo\":\"YY-ORD-20261125-002\",\"ebpCode\":\"4301960EBP\","
              "\"ebcCode\":\"4301960EBC\"}");
    json_decref(m);
}

Test(ceb, return_import_payment_negative_status) {
    json_t *m = good_return("ceb412_payment_return.xml", "CEB412", "import", 2);
    is_return(block(m, 0), "A1B2C3D4-0001-4E5F-8A9B-411000000001", "120", "accepted",
              "20261125102000000", "[Code:2600;Desc:payment entered]",
              "{\"payCode\":\"4301960PAY\",\"payTransactionId\":\"XP20261125000123\"}");
    is_return(block(m, 1), "A1B2C3D4-0001-4E5F-8A9B-411000000001", "-301010", "error",
              "20261125102000999", "[Code:-301010;Desc:the payment to delete was not found]",
              "{\"payCode\":\"4301960PAY\",\"payTransactionId\":\"XP20261125000124\"}");
    json_decref(m);
}

Test(ceb, return_import_waybill_default_namespace) {
    json_t *m = good_return("ceb512_waybill_return_default_ns.xml", "CEB512", "import", 1);
    is_return(block(m, 0), "A1B2C3D4-0001-4E5F-8A9B-511000000001", "2", "declaring",
              "20261125110000500", "being declared",
              "{\"logisticsCode\":\"4301960LOG\",\"logisticsNo\":\"CLJ7700112233\"}");
    json_decref(m);
}

Test(ceb, return_import_waybill_status) {
    json_t *m = good_return("ceb514_status_return.xml", "CEB514", "import", 1);
    is_return(block(m, 0), "A1B2C3D4-0001-4E5F-8A9B-513000000001", "3", "sent",
              "20261126141812345", "sent to customs",
              "{\"logisticsCode\":\"4301960LOG\",\"logisticsNo\":\"CLJ7700112233\"}");
    cr_assert_str_eq(sget(block(m, 0), "head.logisticsStatus"), "S");
    json_decref(m);
}

Test(ceb, return_import_inventory) {
    json_t *m = good_return("ceb622_inventory_return.xml", "CEB622", "import", 2);
    is_return(block(m, 0), "A1B2C3D4-0001-4E5F-8A9B-621000000001", "800", "released",
              "20261127120000456", "[Code:2600;Desc:released]",
              "{\"ebpCode\":\"4301960EBP\",\"ebcCode\":\"4301960EBC\","
              "\"agentCode\":\"4301960AGT\",\"copNo\":\"YYINV2026112500001\","
              "\"preNo\":\"I20261125000000101\",\"invtNo\":\"47012026I000012345\"}");
    cr_assert_str_eq(sget(block(m, 0), "head.customsCode"), "4701");
    /* invtNo left empty (not yet cleared): no key */
    is_return(block(m, 1), "A1B2C3D4-0002-4E5F-8A9B-621000000002", "501", "detained",
              "20261127120500000", "held for inspection of the goods",
              "{\"ebpCode\":\"4301960EBP\",\"ebcCode\":\"4301960EBC\","
              "\"agentCode\":\"4301960AGT\",\"copNo\":\"YYINV2026112500002\","
              "\"preNo\":\"I20261125000000102\"}");
    cr_assert_str_eq(sget(block(m, 1), "head.invtNo"), "");
    json_decref(m);
}

Test(ceb, return_import_cancel_and_refund) {
    json_t *m = good_return("ceb624_cancel_return.xml", "CEB624", "import", 1);
    is_return(block(m, 0), "A1B2C3D4-0001-4E5F-8A9B-623000000001", "399", "cleared",
              "20261128093000010", "cancellation cleared",
              "{\"ebpCode\":\"4301960EBP\",\"ebcCode\":\"4301960EBC\","
              "\"agentCode\":\"4301960AGT\",\"copNo\":\"YYCAN2026112800001\","
              "\"preNo\":\"B20261128000000201\",\"invtNo\":\"47012026I000012345\"}");
    json_decref(m);
    m = good_return("ceb626_refund_return.xml", "CEB626", "import", 1);
    is_return(block(m, 0), "A1B2C3D4-0001-4E5F-8A9B-625000000001", "300", "manual_review",
              "20261201160000777", "manual review of the refund",
              "{\"ebpCode\":\"4301960EBP\",\"ebcCode\":\"4301960EBC\","
              "\"agentCode\":\"4301960AGT\",\"copNo\":\"YYREF2026120100001\","
              "\"preNo\":\"R20261201000000301\",\"invtNo\":\"47012026I000012345\"}");
    json_decref(m);
}

Test(ceb, return_import_storage_entry) {
    json_t *m = good_return("ceb712_storage_entry_return.xml", "CEB712", "import", 1);
    is_return(block(m, 0), "A1B2C3D4-0001-4E5F-8A9B-711000000001", "899", "closed",
              "20261129080000000", "storage entry closed",
              "{\"copNo\":\"YYRKD2026112600001\",\"preNo\":\"D20261126000000401\","
              "\"rkdNo\":\"470120261126000077\"}");
    json_decref(m);
}

Test(ceb, return_export_order_and_receipt) {
    json_t *m = good_return("ceb304_export_order_return.xml", "CEB304", "export", 1);
    is_return(block(m, 0), "B1B2C3D4-0001-4E5F-8A9B-303000000001", "1", "saved",
              "20261121083000250", "saved at the e-port",
              "{\"orderNo\":\"YY-EXP-ORD-7001\",\"ebpCode\":\"4301960EBP\","
              "\"ebcCode\":\"4301960EXP\"}");
    json_decref(m);
    m = good_return("ceb404_receipt_return.xml", "CEB404", "export", 1);
    is_return(block(m, 0), "B1B2C3D4-0001-4E5F-8A9B-403000000001", "4", "send_failed",
              "20261121090000001", "sending to customs failed, resend",
              "{\"orderNo\":\"YY-EXP-ORD-7001\",\"ebcCode\":\"4301960EXP\","
              "\"payNo\":\"XPR-90001\"}");
    json_decref(m);
}

Test(ceb, return_export_waybill) {
    json_t *m = good_return("ceb506_export_waybill_return.xml", "CEB506", "export", 2);
    is_return(block(m, 0), "B1B2C3D4-0001-4E5F-8A9B-505000000001", "700", "returned",
              "20261121100000100", "parcel returned",
              "{\"logisticsCode\":\"4301960LOG\",\"logisticsNo\":\"CLJE880001\"}");
    is_return(block(m, 1), "B1B2C3D4-0002-4E5F-8A9B-505000000002", "120", "accepted",
              "20261121100000200", "entered",
              "{\"logisticsCode\":\"4301960LOG\",\"logisticsNo\":\"CLJE880002\"}");
    json_decref(m);
}

Test(ceb, return_export_arrival_empty_info) {
    json_t *m = good_return("ceb508_arrival_return.xml", "CEB508", "export", 1);
    is_return(block(m, 0), "B1B2C3D4-0001-4E5F-8A9B-507000000001", "120", "accepted",
              "20261121113000000", "",
              "{\"copNo\":\"YYARR20261121001\",\"preNo\":\"A20261121000000501\","
              "\"logisticsCode\":\"4301960LOG\",\"billNo\":\"YY-TRK-3301\"}");
    cr_assert_str_eq(sget(block(m, 0), "head.msgSeqNo"), ""); /* not split: left empty */
    json_decref(m);
}

Test(ceb, return_export_departure) {
    json_t *m = good_return("ceb510_departure_return.xml", "CEB510", "export", 1);
    is_return(block(m, 0), "B1B2C3D4-0001-4E5F-8A9B-509000000001", "399", "cleared",
              "20261122190000000", "departure cleared",
              "{\"copNo\":\"YYDEP20261122001\",\"preNo\":\"L20261122000000601\","
              "\"logisticsCode\":\"4301960LOG\"}");
    json_decref(m);
}

Test(ceb, return_export_inventory) {
    json_t *m = good_return("ceb604_export_inventory_return.xml", "CEB604", "export", 1);
    is_return(block(m, 0), "B1B2C3D4-0001-4E5F-8A9B-603000000001", "800", "released",
              "20261122101010101", "released",
              "{\"orderNo\":\"YY-EXP-ORD-7001\",\"ebpCode\":\"4301960EBP\","
              "\"ebcCode\":\"4301960EXP\",\"agentCode\":\"4301960AGT\","
              "\"copNo\":\"YYEINV20261121001\",\"preNo\":\"E20261121000000701\","
              "\"invtNo\":\"47012026E000054321\"}");
    cr_assert_str_eq(sget(block(m, 0), "head.statisticsFlag"), "A");
    json_decref(m);
}

Test(ceb, return_export_master_waybill_unknown_status_leap_day) {
    json_t *m = good_return("ceb608_master_waybill_return.xml", "CEB608", "export", 2);
    is_return(block(m, 0), "B1B2C3D4-0001-4E5F-8A9B-607000000001", "599", "detained",
              "20261122200000000", "held",
              "{\"copNo\":\"YYWB20261122001\",\"preNo\":\"W20261122000000801\","
              "\"logisticsCode\":\"4301960LOG\",\"billNo\":\"784-12345675\"}");
    is_return(block(m, 1), "B1B2C3D4-0002-4E5F-8A9B-607000000002", "42", "unknown",
              "20280229235959999", "a status this parser does not know",
              "{\"copNo\":\"YYWB20261122002\",\"preNo\":\"W20261122000000802\","
              "\"logisticsCode\":\"4301960LOG\",\"billNo\":\"784-12345686\"}");
    json_decref(m);
}

static const char *const return_fixtures[] = {
    "ceb312_order_return.xml",        "ceb412_payment_return.xml",
    "ceb512_waybill_return_default_ns.xml",
    "ceb514_status_return.xml",       "ceb622_inventory_return.xml",
    "ceb624_cancel_return.xml",       "ceb626_refund_return.xml",
    "ceb712_storage_entry_return.xml", "ceb304_export_order_return.xml",
    "ceb404_receipt_return.xml",      "ceb506_export_waybill_return.xml",
    "ceb508_arrival_return.xml",      "ceb510_departure_return.xml",
    "ceb604_export_inventory_return.xml",
    "ceb608_master_waybill_return.xml",
    NULL};

Test(ceb, return_xml_result_survives_json_intake) {
    int n = 0;
    for (const char *const *f = return_fixtures; *f; f++, n++) {
        json_t *x = good(*f), *m = NULL;
        char err[512] = "";
        cr_assert_eq(ceb_validate_json(x, &m, err, sizeof(err)), 0, "%s: %s", *f, err);
        cr_assert(json_equal(x, m), "%s", *f);
        json_decref(x);
        json_decref(m);
    }
    cr_assert_eq(n, 15);
}

Test(ceb, return_refusals) {
    refused_edit("ceb622_inventory_return.xml", "<ceb:returnStatus>800</ceb:returnStatus>", "",
                 "/CEB622Message/InventoryReturn[1]/returnStatus: missing");
    refused_edit("ceb312_order_return.xml", "<ceb:returnStatus>100</ceb:returnStatus>",
                 "<ceb:returnStatus></ceb:returnStatus>",
                 "/CEB312Message/OrderReturn[2]/returnStatus: empty");
    refused_edit("ceb506_export_waybill_return.xml",
                 "<ceb:returnTime>20261121100000200</ceb:returnTime>", "",
                 "/CEB506Message/LogisticsReturn[2]/returnTime: missing");
    refused_edit("ceb412_payment_return.xml",
                 "<ceb:guid>A1B2C3D4-0001-4E5F-8A9B-411000000001</ceb:guid>", "",
                 "/CEB412Message/PaymentReturn[1]/guid: missing");
    refused_edit("ceb604_export_inventory_return.xml",
                 "<ceb:preNo>E20261121000000701</ceb:preNo>", "",
                 "/CEB604Message/InventoryReturn[1]/preNo: missing");
    refused_edit("ceb508_arrival_return.xml", "<ceb:billNo>YY-TRK-3301</ceb:billNo>", "",
                 "/CEB508Message/ArrivalReturn[1]/billNo: missing");
    /* returnTime: 17 digits, a day that exists, a time in range */
    refused_edit("ceb622_inventory_return.xml", "20261127120000456", "20260230120000456",
                 "/CEB622Message/InventoryReturn[1]/returnTime: not a date "
                 "YYYYMMDDhhmmssfff: \"20260230120000456\"");
    refused_edit("ceb608_master_waybill_return.xml", "20280229235959999", "20270229235959999",
                 "/CEB608Message/WayBillReturn[2]/returnTime: not a date "
                 "YYYYMMDDhhmmssfff: \"20270229235959999\"");
    refused_edit("ceb622_inventory_return.xml", "20261127120000456", "20261127240000456",
                 "/CEB622Message/InventoryReturn[1]/returnTime: not a date "
                 "YYYYMMDDhhmmssfff: \"20261127240000456\"");
    refused_edit("ceb622_inventory_return.xml", "20261127120000456", "20261127120000",
                 "/CEB622Message/InventoryReturn[1]/returnTime: not a date "
                 "YYYYMMDDhhmmssfff: \"20261127120000\"");
    refused_edit("ceb622_inventory_return.xml", "20261127120000456", "2026-11-27 12:00:00",
                 "/CEB622Message/InventoryReturn[1]/returnTime: not a date "
                 "YYYYMMDDhhmmssfff: \"2026-11-27 12:00:00\"");
    /* returnStatus: an integer with one spelling */
    static const char *const bad_status[] = {"8OO", "800.0", "+800", "0800", "-0",
                                             "- 1", "1234567890", "released", NULL};
    for (const char *const *b = bad_status; *b; b++) {
        char to[128], want[256];
        snprintf(to, sizeof(to), "<ceb:returnStatus>%s</ceb:returnStatus>", *b);
        snprintf(want, sizeof(want),
                 "/CEB622Message/InventoryReturn[1]/returnStatus: not an integer: \"%s\"", *b);
        refused_edit("ceb622_inventory_return.xml", "<ceb:returnStatus>800</ceb:returnStatus>",
                     to, want);
    }
    /* a receipt has no BaseTransfer, nor list lines inside its block */
    refused_edit("ceb312_order_return.xml", "</ceb:CEB312Message>",
                 "<ceb:BaseTransfer><ceb:copCode>C</ceb:copCode></ceb:BaseTransfer>"
                 "</ceb:CEB312Message>",
                 "/CEB312Message/BaseTransfer: unexpected element");
    refused_edit("ceb712_storage_entry_return.xml", "<ceb:rkdNo>",
                 "<ceb:DeliveryList><ceb:gnum>1</ceb:gnum></ceb:DeliveryList><ceb:rkdNo>",
                 "/CEB712Message/DeliveryReturn[1]/DeliveryList: unexpected element gnum "
                 "inside a field");
    refused_str("<c:CEB514Message xmlns:c=\"http://www.chinaport.gov.cn/ceb\" guid=\"g\" "
                "version=\"1.0\"/>",
                0, "/CEB514Message/LogisticsStatusReturn: missing (at least one business "
                   "block)");
    /* the declarations' dates are checked against the calendar too */
    refused_edit("ceb513_waybill_status.xml", "<x:logisticsTime>20261126141500",
                 "<x:logisticsTime>20261131141500",
                 "/CEB513Message/LogisticsStatus[1]/logisticsTime: not a date "
                 "YYYYMMDDhhmmss: \"20261131141500\"");
}

/* ---- the JSON intake ---- */

static json_t *load_json(const char *name) {
    char rel[128];
    snprintf(rel, sizeof(rel), "test/fixtures/ceb/%s", name);
    char *body = ut_slurp(ut_path(rel), NULL);
    json_t *j = json_loads(body, 0, NULL);
    free(body);
    cr_assert_not_null(j);
    return j;
}

Test(ceb, json_intake_accepted) {
    json_t *in = load_json("ceb411_payment.json"), *m = NULL;
    char err[512] = "";
    cr_assert_eq(ceb_validate_json(in, &m, err, sizeof(err)), 0, "%s", err);
    cr_assert_str_eq(sget(m, "direction"), "import");
    cr_assert_str_eq(sget(m, "version"), "1.0");
    json_t *b = block(m, 0);
    cr_assert_str_eq(sget(b, "kind"), "payment");
    cr_assert_str_eq(sget(b, "app_type"), "add");
    cr_assert_str_eq(sget(b, "keys.orderNo"), "YY-ORD-20261125-009");
    cr_assert_str_eq(sget(b, "head.amountPaid"), "77.70");
    json_decref(in); /* the result owns its copy */
    cr_assert_str_eq(sget(block(m, 0), "head.payerName"), "Test Payer Nine");
    json_decref(m);
}

Test(ceb, json_intake_equals_xml_result) {
    json_t *x = good("ceb621_inventory.xml"), *m = NULL;
    char err[512] = "";
    cr_assert_eq(ceb_validate_json(x, &m, err, sizeof(err)), 0, "%s", err);
    cr_assert(json_equal(x, m));
    json_decref(x);
    json_decref(m);
}

/* MUTATE the JSON fixture NAME, then the intake refuses it with WANT. */
static void json_refused_in(const char *name, void (*mutate)(json_t *), const char *want) {
    json_t *in = load_json(name), *m = NULL;
    char err[512] = "";
    mutate(in);
    cr_assert_eq(ceb_validate_json(in, &m, err, sizeof(err)), -1);
    cr_assert_null(m);
    cr_assert_str_eq(err, want);
    json_decref(in);
}

/* MUTATE the payment fixture, then the intake refuses it with WANT. */
static void json_refused(void (*mutate)(json_t *), const char *want) {
    json_refused_in("ceb411_payment.json", mutate, want);
}

static json_t *head0(json_t *in) {
    return json_object_get(json_array_get(json_object_get(in, "blocks"), 0), "head");
}
static void m_amount(json_t *in) {
    json_object_set_new(head0(in), "amountPaid", json_string("77.7.0"));
}
static void m_missing(json_t *in) { json_object_del(head0(in), "payTime"); }
static void m_number(json_t *in) { json_object_set_new(head0(in), "amountPaid", json_real(7.7)); }
static void m_type(json_t *in) { json_object_set_new(in, "message", json_string("CEB999")); }
static void m_apptype(json_t *in) {
    json_object_set_new(json_array_get(json_object_get(in, "blocks"), 0), "app_type",
                        json_string("delete"));
}
static void m_items(json_t *in) {
    json_object_set_new(json_array_get(json_object_get(in, "blocks"), 0), "items",
                        json_pack("[{}]"));
}
static void m_blocks(json_t *in) {
    json_t *arr = json_object_get(in, "blocks");
    while (json_array_size(arr) < 101)
        json_array_append_new(arr, json_deep_copy(json_array_get(arr, 0)));
}
static void m_transfer(json_t *in) { json_object_del(in, "transfer"); }
static void m_direction(json_t *in) {
    json_object_set_new(in, "direction", json_string("export"));
}

Test(ceb, json_intake_refused) {
    json_refused(m_amount, "$.blocks[0].head.amountPaid: not a decimal number: \"77.7.0\"");
    json_refused(m_missing, "$.blocks[0].head.payTime: missing");
    json_refused(m_number, "$.blocks[0].head.amountPaid: not a string");
    json_refused(m_type, "$.message: unknown message type: \"CEB999\"");
    json_refused(m_apptype, "$.blocks[0].app_type: does not agree with the head");
    json_refused(m_items, "$.blocks[0].items: CEB411 blocks have no list lines");
    json_refused(m_blocks, "$.blocks: more than 100 business blocks (101)");
    json_refused(m_transfer, "$.transfer: missing");
    json_refused(m_direction, "$.direction: not \"import\" for CEB411");
    json_t *m = NULL, *arr = json_array();
    char err[128];
    cr_assert_eq(ceb_validate_json(arr, &m, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "$: not an object");
    json_decref(arr);
}

Test(ceb, json_intake_return_accepted) {
    json_t *in = load_json("ceb622_inventory_return.json"), *m = NULL;
    char err[512] = "";
    cr_assert_eq(ceb_validate_json(in, &m, err, sizeof(err)), 0, "%s", err);
    json_decref(in);
    cr_assert_str_eq(sget(m, "message"), "CEB622");
    cr_assert_str_eq(sget(m, "direction"), "import");
    cr_assert_str_eq(sget(m, "version"), "1.0");
    cr_assert_null(json_object_get(m, "transfer"));
    is_return(block(m, 0), "A1B2C3D4-0003-4E5F-8A9B-621000000003", "120", "accepted",
              "20261125180000042", "[Code:2600;Desc:inventory entered]",
              "{\"agentCode\":\"4301960AGT\",\"copNo\":\"YYINV2026112500003\","
              "\"preNo\":\"I20261125000000103\",\"invtNo\":\"47012026I000012399\"}");
    json_decref(m);
}

/* Every label "codes.returnStatus" can take, through the intake. */
Test(ceb, json_intake_return_status_labels) {
    static const char *const cases[][2] = {
        {"1", "saved"},         {"2", "declaring"},   {"3", "sent"},
        {"4", "send_failed"},   {"100", "rejected"},  {"120", "accepted"},
        {"300", "manual_review"}, {"399", "cleared"}, {"500", "inspection"},
        {"501", "detained"},    {"502", "detained"},  {"503", "detained"},
        {"599", "detained"},    {"700", "returned"},  {"800", "released"},
        {"899", "closed"},      {"0", "unknown"},     {"504", "unknown"},
        {"999999999", "unknown"}, {"-1", "error"},    {"-999999999", "error"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *in = load_json("ceb622_inventory_return.json"), *m = NULL;
        json_t *b0 = json_array_get(json_object_get(in, "blocks"), 0);
        char err[512] = "";
        json_object_del(b0, "return");
        json_object_set_new(json_object_get(b0, "head"), "returnStatus",
                            json_string(cases[i][0]));
        cr_assert_eq(ceb_validate_json(in, &m, err, sizeof(err)), 0, "%s: %s", cases[i][0],
                     err);
        cr_assert_str_eq(sget(block(m, 0), "codes.returnStatus"), cases[i][1], "%s",
                         cases[i][0]);
        cr_assert_str_eq(sget(block(m, 0), "return.status"), cases[i][0]);
        json_decref(in);
        json_decref(m);
    }
}

static json_t *rhead(json_t *in) {
    return json_object_get(json_array_get(json_object_get(in, "blocks"), 0), "head");
}
static void r_status_decimal(json_t *in) {
    json_object_set_new(rhead(in), "returnStatus", json_string("12.0"));
}
static void r_status_number(json_t *in) {
    json_object_set_new(rhead(in), "returnStatus", json_integer(120));
}
static void r_no_time(json_t *in) { json_object_del(rhead(in), "returnTime"); }
static void r_bad_time(json_t *in) {
    json_object_set_new(rhead(in), "returnTime", json_string("20261131180000042"));
}
static void r_no_prenum(json_t *in) { json_object_set_new(rhead(in), "preNo", json_string("")); }
static void r_transfer(json_t *in) {
    json_object_set_new(in, "transfer", json_pack("{s:s}", "copCode", "4301960ABC"));
}
static void r_app_type(json_t *in) {
    json_object_set_new(json_array_get(json_object_get(in, "blocks"), 0), "app_type",
                        json_string("add"));
}
static void r_return_disagrees(json_t *in) {
    json_object_set_new(json_object_get(json_array_get(json_object_get(in, "blocks"), 0),
                                        "return"),
                        "status", json_string("800"));
}
static void r_codes_disagree(json_t *in) {
    json_object_set_new(json_array_get(json_object_get(in, "blocks"), 0), "codes",
                        json_pack("{s:s}", "returnStatus", "released"));
}
static void r_kind(json_t *in) {
    json_object_set_new(json_array_get(json_object_get(in, "blocks"), 0), "kind",
                        json_string("inventory"));
}
static void r_items(json_t *in) {
    json_object_set_new(json_array_get(json_object_get(in, "blocks"), 0), "items",
                        json_pack("[{s:s}]", "gnum", "1"));
}

Test(ceb, json_intake_return_refused) {
    static const char f[] = "ceb622_inventory_return.json";
    json_refused_in(f, r_status_decimal,
                    "$.blocks[0].head.returnStatus: not an integer: \"12.0\"");
    json_refused_in(f, r_status_number, "$.blocks[0].head.returnStatus: not a string");
    json_refused_in(f, r_no_time, "$.blocks[0].head.returnTime: missing");
    json_refused_in(f, r_bad_time,
                    "$.blocks[0].head.returnTime: not a date YYYYMMDDhhmmssfff: "
                    "\"20261131180000042\"");
    json_refused_in(f, r_no_prenum, "$.blocks[0].head.preNo: empty");
    json_refused_in(f, r_transfer, "$.transfer: CEB622 messages have no transfer");
    json_refused_in(f, r_app_type, "$.blocks[0].app_type: does not agree with the head");
    json_refused_in(f, r_return_disagrees, "$.blocks[0].return: does not agree with the head");
    json_refused_in(f, r_codes_disagree, "$.blocks[0].codes: does not agree with the head");
    json_refused_in(f, r_kind, "$.blocks[0].kind: not \"return\" for CEB622");
    json_refused_in(f, r_items, "$.blocks[0].items: CEB622 blocks have no list lines");
}

/* ---- the official samples, when the shared data is on this machine ---- */

static int parse_dir(const char *rel) {
    char dir[1024];
    struct stat st;
    DIR *d;
    struct dirent *de;
    int seen = 0;

    snprintf(dir, sizeof(dir), "%s", ut_path(rel));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return -1;
    cr_assert_not_null(d = opendir(dir));
    while ((de = readdir(d))) {
        char path[1400], err[512] = "";
        size_t len, nl = strlen(de->d_name);
        json_t *m = NULL, *again = NULL;
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".xml") != 0) continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        char *body = ut_slurp(path, &len);
        int rc = ceb_parse_xml(body, len, 0, &m, err, sizeof(err));
        free(body);
        cr_assert_eq(rc, 0, "%s: %s", de->d_name, err);
        cr_assert_gt(json_array_size(json_object_get(m, "blocks")), 0);
        cr_assert_eq(strncmp(de->d_name, sget(m, "message"), 6), 0, "%s", de->d_name);
        cr_assert_eq(ceb_validate_json(m, &again, err, sizeof(err)), 0, "%s: %s",
                     de->d_name, err);
        cr_assert(json_equal(m, again), "%s", de->d_name);
        json_decref(m);
        json_decref(again);
        seen++;
    }
    closedir(d);
    return seen;
}

Test(ceb, official_samples_parse) {
    int imp = parse_dir("../shared/data/ceb/import");
    int exp = parse_dir("../shared/data/ceb/export");
    if (imp < 0 && exp < 0) return; /* not on this machine */
    cr_assert_eq(imp, 6);
    cr_assert_eq(exp, 7);
}
