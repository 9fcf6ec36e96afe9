/* Tests for server/waybill.c: the POST and PATCH bodies of /v1/waybills,
 * the stored document and the masking of personal data. */
#include "server/waybill.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Nodes the tests' NODE_OK knows. */
static int node_ok(const char *code, void *arg) {
    static const char *const known[] = {"CNSZX", "NLRTM", "CNXIY", "DEDUI", "CNPVG",
                                        "NLAMS"};
    (void)arg;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(code, known[i]) == 0) return 1;
    return 0;
}

/* A valid sea bill body; tests change what they look at. */
static const char *const base_body =
    "{\"number\":\"MAEU123456789\",\"type\":\"bl\","
    "\"shipper\":{\"name\":\"Shenzhen Export Co\",\"phone\":\"+86 755 8888 0000\","
    "\"address\":\"1 Harbour Rd, Shekou\"},"
    "\"consignee\":{\"name\":\"张三丰\",\"phone\":\"+31 10 123 4567\","
    "\"address\":\"Wilhelminakade 1, Rotterdam\",\"account\":\"acme-nl\"},"
    "\"origin\":\"CNSZX\",\"destination\":\"NLRTM\","
    "\"cargo\":{\"pieces\":12,\"weight_kg\":8400.5,\"volume_m3\":33.25,\"teu\":2,"
    "\"hs_codes\":[\"850440\",\"8504409000\"]},"
    "\"containers\":[\"MSKU1234565\",\"CSQU3054383\"],"
    "\"departure\":\"2026-12-01T08:00:00+08:00\",\"book\":\"fastest\"}";

static json_t *load(const char *txt) {
    json_error_t jerr;
    json_t *j = json_loads(txt, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    cr_assert_not_null(j, "test JSON does not load (%s): %s", jerr.text, txt);
    return j;
}

/* The base body with member KEY of the object at PATH ("" for the top,
 * "cargo", "consignee") set to the JSON VALUE, or removed when VALUE is
 * NULL. */
static json_t *with(const char *path, const char *key, const char *value) {
    json_t *b = load(base_body), *o = path[0] ? json_object_get(b, path) : b;
    if (value) json_object_set_new(o, key, load(value));
    else json_object_del(o, key);
    return b;
}

/* BODY (taken) must be refused naming FIELD exactly with REASON in the
 * reason. */
static void refused(json_t *body, const char *field, const char *reason) {
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;
    char *txt = json_dumps(body, JSON_COMPACT);
    int rc = waybill_parse(body, &w, &b, node_ok, NULL, &e);
    cr_assert_eq(rc, -1, "accepted %s", txt);
    cr_assert_str_eq(e.field, field, "reason '%s' for %s", e.reason, txt);
    cr_assert_not_null(strstr(e.reason, reason), "reason '%s' lacks '%s'", e.reason,
                       reason);
    cr_assert_eq(w.number[0], '\0');
    cr_assert_eq(w.consignee.name[0], '\0');
    free(txt);
    json_decref(body);
}

/* BODY (taken) must parse into W and B. */
static void accepted(json_t *body, struct waybill *w, struct wb_booking *b) {
    struct wb_error e;
    int rc = waybill_parse(body, w, b, node_ok, NULL, &e);
    cr_assert_eq(rc, 0, "refused: %s: %s", e.field, e.reason);
    json_decref(body);
}

static void eq_party(const struct wb_party *a, const struct wb_party *b) {
    cr_assert_str_eq(a->name, b->name);
    cr_assert_str_eq(a->phone, b->phone);
    cr_assert_str_eq(a->address, b->address);
    cr_assert_str_eq(a->account, b->account);
}

/* Field by field: A and B hold the same waybill. */
static void eq_waybill(const struct waybill *a, const struct waybill *b) {
    cr_assert_str_eq(a->number, b->number);
    cr_assert_eq(a->type, b->type);
    cr_assert_str_eq(a->master, b->master);
    cr_assert_str_eq(a->tenant, b->tenant);
    eq_party(&a->shipper, &b->shipper);
    eq_party(&a->consignee, &b->consignee);
    cr_assert_str_eq(a->origin, b->origin);
    cr_assert_str_eq(a->destination, b->destination);
    cr_assert_eq(a->cargo.pieces, b->cargo.pieces);
    cr_assert(a->cargo.weight_kg == b->cargo.weight_kg);
    cr_assert(a->cargo.volume_m3 == b->cargo.volume_m3);
    cr_assert(a->cargo.teu == b->cargo.teu);
    cr_assert_eq(a->cargo.nhs, b->cargo.nhs);
    for (int i = 0; i < a->cargo.nhs; i++) cr_assert_str_eq(a->cargo.hs[i], b->cargo.hs[i]);
    cr_assert_eq(a->ncontainers, b->ncontainers);
    for (int i = 0; i < a->ncontainers; i++)
        cr_assert_str_eq(a->containers[i], b->containers[i]);
    cr_assert_eq(a->departure, b->departure);
    cr_assert_str_eq(a->book, b->book);
    cr_assert_eq(a->nlegs, b->nlegs);
    for (int i = 0; i < a->nlegs; i++) {
        const struct wb_leg *x = &a->legs[i], *y = &b->legs[i];
        cr_assert_str_eq(x->mode, y->mode);
        cr_assert_str_eq(x->carrier, y->carrier);
        cr_assert_str_eq(x->trip_id, y->trip_id);
        cr_assert_str_eq(x->run_id, y->run_id);
        cr_assert_str_eq(x->from, y->from);
        cr_assert_str_eq(x->to, y->to);
        cr_assert_eq(x->sched_dep, y->sched_dep);
        cr_assert_eq(x->sched_arr, y->sched_arr);
    }
    cr_assert_eq(a->created, b->created);
    cr_assert_eq(a->updated, b->updated);
    cr_assert_eq(a->version, b->version);
}

/* ---- POST: accepted ------------------------------------------------------ */

Test(waybill, sea_bill_fields) {
    struct waybill w;
    struct wb_booking b;
    accepted(load(base_body), &w, &b);
    cr_assert_str_eq(w.number, "MAEU123456789");
    cr_assert_eq(w.type, WB_BL);
    cr_assert_str_eq(w.master, "");
    cr_assert_str_eq(w.shipper.name, "Shenzhen Export Co");
    cr_assert_str_eq(w.shipper.phone, "+86 755 8888 0000");
    cr_assert_str_eq(w.shipper.address, "1 Harbour Rd, Shekou");
    cr_assert_str_eq(w.shipper.account, "");
    cr_assert_str_eq(w.consignee.name, "张三丰");
    cr_assert_str_eq(w.consignee.account, "acme-nl");
    cr_assert_str_eq(w.origin, "CNSZX");
    cr_assert_str_eq(w.destination, "NLRTM");
    cr_assert_eq(w.cargo.pieces, 12);
    cr_assert(w.cargo.weight_kg == 8400.5);
    cr_assert(w.cargo.volume_m3 == 33.25);
    cr_assert(w.cargo.teu == 2);
    cr_assert_eq(w.cargo.nhs, 2);
    cr_assert_str_eq(w.cargo.hs[0], "850440");
    cr_assert_str_eq(w.cargo.hs[1], "8504409000");
    cr_assert_eq(w.ncontainers, 2);
    cr_assert_str_eq(w.containers[0], "MSKU1234565");
    cr_assert_str_eq(w.containers[1], "CSQU3054383");
    cr_assert_eq(w.departure, 1796083200); /* 2026-12-01T00:00:00Z */
    cr_assert_str_eq(w.book, "fastest");
    cr_assert_eq(b.kind, WB_BOOK_FASTEST);
    cr_assert_null(b.itinerary);
    cr_assert_str_eq(w.tenant, "");
    cr_assert_eq(w.nlegs, 0);
    cr_assert_eq(w.version, 0);
}

Test(waybill, every_type) {
    static const struct {
        const char *type, *number, *master, *want, *want_master;
    } rows[] = {
        {"bl", "MAEU123456789", NULL, "MAEU123456789", ""},
        {"hbl", "HBLSZX000123", "\"MAEU123456789\"", "HBLSZX000123", "MAEU123456789"},
        {"hbl", "HBLSZX000124", NULL, "HBLSZX000124", ""},
        {"awb", "16012345675", NULL, "160-12345675", ""},
        {"awb", "160-12345675", NULL, "160-12345675", ""},
        {"hawb", "HAWB-778899", "\"16012345675\"", "HAWB-778899", "160-12345675"},
        {"hawb", "H", NULL, "H", ""},
        {"cim_smgs", "CN-XIAN-2026-0042", NULL, "CN-XIAN-2026-0042", ""},
        {"cbec", "LP00012345678_cn", NULL, "LP00012345678_cn", ""},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct waybill w;
        struct wb_booking b;
        json_t *body = load(base_body);
        json_object_set_new(body, "type", json_string(rows[i].type));
        json_object_set_new(body, "number", json_string(rows[i].number));
        if (rows[i].master) json_object_set_new(body, "master", load(rows[i].master));
        accepted(body, &w, &b);
        cr_assert_str_eq(waybill_type_name(w.type), rows[i].type);
        cr_assert_str_eq(w.number, rows[i].want);
        cr_assert_str_eq(w.master, rows[i].want_master);
    }
}

Test(waybill, itinerary_borrowed) {
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;
    json_t *body = with("", "book", NULL);
    json_object_set_new(body, "itinerary",
                        load("{\"legs\":[{\"trip_id\":\"V1\"},{\"trip_id\":\"R9\"}],"
                             "\"arrival\":\"x\"}"));
    cr_assert_eq(waybill_parse(body, &w, &b, node_ok, NULL, &e), 0, "%s: %s", e.field,
                 e.reason);
    cr_assert_eq(b.kind, WB_BOOK_ITINERARY);
    cr_assert_eq(b.itinerary, json_object_get(body, "itinerary"));
    cr_assert_str_eq(w.book, "itinerary");
    json_decref(body);
}

Test(waybill, optional_fields_absent_or_null) {
    struct waybill w;
    struct wb_booking b;
    json_t *body = with("", "containers", NULL);
    json_t *c = json_object_get(body, "cargo"), *s = json_object_get(body, "shipper");
    json_object_del(c, "volume_m3");
    json_object_set_new(c, "teu", json_null());
    json_object_del(c, "hs_codes");
    json_object_del(s, "phone");
    json_object_set_new(s, "address", json_null());
    accepted(body, &w, &b);
    cr_assert_eq(w.ncontainers, 0);
    cr_assert(w.cargo.volume_m3 == 0 && w.cargo.teu == 0);
    cr_assert_eq(w.cargo.nhs, 0);
    cr_assert_str_eq(w.shipper.phone, "");
    cr_assert_str_eq(w.shipper.address, "");
}

Test(waybill, any_code_without_node_ok) {
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;
    json_t *body = with("", "origin", "\"XX-1\"");
    cr_assert_eq(waybill_parse(body, &w, &b, NULL, NULL, &e), 0, "%s", e.reason);
    cr_assert_str_eq(w.origin, "XX-1");
    json_decref(body);
}

/* ---- POST: refused ------------------------------------------------------- */

Test(waybill, refuses_numbers) {
    json_t *b;
    b = with("", "type", "\"awb\"");
    json_object_set_new(b, "number", json_string("160-12345674"));
    refused(b, "number", "'160-12345674': the check digit does not match");
    b = with("", "type", "\"awb\"");
    json_object_set_new(b, "number", json_string("16012345674"));
    refused(b, "number", "'16012345674': the check digit does not match");
    b = with("", "type", "\"awb\"");
    json_object_set_new(b, "number", json_string("160-1234567"));
    refused(b, "number", "'160-1234567' is not an air waybill number NNN-NNNNNNNN");
    refused(with("", "number", "\"maeu123456789\""), "number",
            "'maeu123456789' must be upper case");
    refused(with("", "number", "\"MAE\""), "number", "'MAE' is not 4 to 35 of A-Z and 0-9");
    refused(with("", "number", "\"MAEU-1234\""), "number", "is not 4 to 35 of A-Z and 0-9");
    b = with("", "type", "\"cim_smgs\"");
    json_object_set_new(b, "number", json_string("cn-xian-1"));
    refused(b, "number", "'cn-xian-1' must be upper case");
    b = with("", "type", "\"cbec\"");
    json_object_set_new(b, "number", json_string("LP 1234"));
    refused(b, "number", "'LP 1234' is not 4 to 60 of A-Z, a-z, 0-9, '-' and '_'");
    refused(with("", "number", NULL), "number", "is required");
    refused(with("", "number", "42"), "number", "must be a string");
    refused(with("", "type", "\"sea\""), "type",
            "'sea' is not one of bl, hbl, awb, hawb, cim_smgs, cbec");
    refused(with("", "type", NULL), "type", "is required");
}

Test(waybill, quotes_at_most_40_bytes) {
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;
    json_t *body = with("", "number", "\"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\"");
    cr_assert_eq(waybill_parse(body, &w, &b, node_ok, NULL, &e), -1);
    cr_assert_str_eq(e.reason, "'abcdefghijklmnopqrstuvwxyz0123456789ABCD...' is not 4 to "
                               "35 of A-Z and 0-9");
    json_decref(body);
}

Test(waybill, refuses_master) {
    json_t *b;
    refused(with("", "master", "\"MAEU123456789\""), "master",
            "only hbl and hawb have a master (this is bl)");
    b = with("", "type", "\"hawb\"");
    json_object_set_new(b, "number", json_string("HAWB-1"));
    json_object_set_new(b, "master", json_string("160-12345674"));
    refused(b, "master", "'160-12345674': the check digit does not match");
    b = with("", "type", "\"hbl\"");
    json_object_set_new(b, "master", json_string("MAEU123456789"));
    refused(b, "master", "'MAEU123456789' is the waybill's own number");
}

Test(waybill, refuses_booking) {
    json_t *b = load(base_body);
    json_object_set_new(b, "itinerary", load("{\"legs\":[{}]}"));
    refused(b, "book", "give either itinerary or book, not both");
    refused(with("", "book", NULL), "book", "give either itinerary");
    refused(with("", "book", "null"), "book", "give either itinerary");
    {
        struct waybill w;
        struct wb_booking bk;
        accepted(with("", "itinerary", "null"), &w, &bk);
        cr_assert_eq(bk.kind, WB_BOOK_FASTEST);
    }
    refused(with("", "book", "\"slowest\""), "book",
            "'slowest' is not one of fastest, cheapest, greenest");
    b = with("", "book", NULL);
    json_object_set_new(b, "itinerary", load("{\"legs\":[]}"));
    refused(b, "itinerary.legs", "must be a non-empty array");
    b = with("", "book", NULL);
    json_object_set_new(b, "itinerary", load("{\"legs\":[{},{},{},{},{},{},{},{},{}]}"));
    refused(b, "itinerary.legs", "has 9 legs, at most 8");
    b = with("", "book", NULL);
    json_object_set_new(b, "itinerary", load("{\"legs\":[{},3]}"));
    refused(b, "itinerary.legs[1]", "must be an object");
    b = with("", "book", NULL);
    json_object_set_new(b, "itinerary", load("[1]"));
    refused(b, "itinerary", "must be an object");
    refused(with("", "accept_proposal", "1"), "accept_proposal", "unknown field");
}

Test(waybill, refuses_unknown_fields) {
    json_t *b = with("", "colour", "\"red\"");
    json_object_set_new(b, "wieght", json_integer(3));
    refused(b, "colour", "unknown fields 'colour', 'wieght'");
    refused(with("cargo", "weight", "3"), "cargo.weight", "unknown field 'weight'");
    refused(with("consignee", "email", "\"a@b\""), "consignee.email",
            "unknown field 'email'");
    refused(with("shipper", "account", "\"acme\""), "shipper.account",
            "only the consignee has an account");
}

Test(waybill, refuses_parties_without_quoting_them) {
    json_t *b;
    char addr[202];

    b = load(base_body);
    json_object_set_new(json_object_get(b, "consignee"), "name",
                        json_stringn_nocheck("Li \xff Wei", 8));
    refused(b, "consignee.name", "is not valid UTF-8 (byte 3)");
    refused(with("shipper", "name", "\"Li\\u0007Wei\""), "shipper.name",
            "must not contain control characters (byte 2)");
    refused(with("shipper", "name", "\"   \""), "shipper.name", "must not be empty or blank");
    refused(with("shipper", "name", "\"\""), "shipper.name", "must not be empty or blank");
    refused(with("shipper", "name", NULL), "shipper.name", "is required");
    refused(with("", "shipper", NULL), "shipper", "is required");
    refused(with("", "consignee", "\"Li Wei\""), "consignee", "must be an object");
    b = load(base_body);
    {
        char name[104];
        memset(name, 'a', 101);
        name[101] = '\0';
        json_object_set_new(json_object_get(b, "shipper"), "name", json_string(name));
    }
    refused(b, "shipper.name", "is 101 characters long, at most 100");
    /* 101 three-byte characters: refused by their count, not their bytes;
     * 100 of them (300 bytes) fit (the name buffer holds 100 of the longest
     * UTF-8 characters). */
    b = load(base_body);
    {
        char name[101 * 3 + 1];
        for (int i = 0; i < 101; i++) memcpy(name + 3 * i, "张", 3);
        name[101 * 3] = '\0';
        json_object_set_new(json_object_get(b, "shipper"), "name", json_string(name));
    }
    refused(b, "shipper.name", "is 101 characters long, at most 100");
    {
        struct waybill w;
        struct wb_booking bk;
        struct wb_error e;
        char name[100 * 3 + 1];
        json_t *ok = load(base_body);
        for (int i = 0; i < 100; i++) memcpy(name + 3 * i, "张", 3);
        name[100 * 3] = '\0';
        json_object_set_new(json_object_get(ok, "shipper"), "name", json_string(name));
        cr_assert_eq(waybill_parse(ok, &w, &bk, NULL, NULL, &e), 0, "%s: %s", e.field, e.reason);
        cr_assert_str_eq(w.shipper.name, name);
        json_decref(ok);
    }

    memset(addr, 'x', 201);
    addr[201] = '\0';
    b = load(base_body);
    json_object_set_new(json_object_get(b, "consignee"), "address", json_string(addr));
    refused(b, "consignee.address", "is 201 bytes long, at most 200");
    addr[200] = '\0';
    b = load(base_body);
    json_object_set_new(json_object_get(b, "consignee"), "address", json_string(addr));
    {
        struct waybill w;
        struct wb_booking bk;
        accepted(b, &w, &bk);
        cr_assert_eq(strlen(w.consignee.address), 200);
    }

    refused(with("consignee", "address", "\"\""), "consignee.address",
            "must not be empty or blank");
    refused(with("consignee", "phone", "\"\""), "consignee.phone",
            "has 0 digits, must have 5 to 20");
    refused(with("consignee", "phone", "\"1234\""), "consignee.phone",
            "has 4 digits, must have 5 to 20");
    refused(with("consignee", "phone", "\"123456789012345678901\""), "consignee.phone",
            "has 21 digits, must have 5 to 20");
    refused(with("consignee", "phone", "\"+86 138x0013\""), "consignee.phone",
            "may hold only digits, spaces and + - ( ) (byte 7)");
    refused(with("consignee", "phone", "\"+ ( 1 ) - 2 - 3 - 4 - 5 - 6 - 7 - 8\""),
            "consignee.phone", "at most 31");
    refused(with("consignee", "account", "\"acme nl\""), "consignee.account",
            "'acme nl' is not 1 to 63 of");
    refused(with("consignee", "account", "\"\""), "consignee.account", "'' is not 1 to 63");
}

/* No refusal of a party field quotes what the client sent. */
Test(waybill, party_reasons_hold_no_personal_data) {
    static const struct {
        const char *key, *value;
    } rows[] = {{"name", "\"Secret\\u0001Name\""},
                {"phone", "\"SECRET-555\""},
                {"phone", "\"555\""},
                {"address", "\"Secret\\nStreet\""}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct waybill w;
        struct wb_booking b;
        struct wb_error e;
        json_t *body = with("consignee", rows[i].key, rows[i].value);
        cr_assert_eq(waybill_parse(body, &w, &b, node_ok, NULL, &e), -1);
        cr_assert_null(strstr(e.reason, "Secret"), "%s", e.reason);
        cr_assert_null(strstr(e.reason, "SECRET"), "%s", e.reason);
        cr_assert_null(strstr(e.reason, "555"), "%s", e.reason);
        json_decref(body);
    }
}

Test(waybill, refuses_codes) {
    refused(with("", "origin", "\"XXABC\""), "origin", "no node 'XXABC'");
    refused(with("", "destination", "\"nlrtm\""), "destination", "'nlrtm' must be upper case");
    refused(with("", "destination", "\"N\""), "destination", "'N' is not a node code");
    refused(with("", "destination", "\"CNSZX\""), "destination", "'CNSZX' is the origin too");
    refused(with("", "origin", NULL), "origin", "is required");
}

Test(waybill, refuses_cargo) {
    refused(with("", "cargo", NULL), "cargo", "is required");
    refused(with("cargo", "pieces", "0"), "cargo.pieces", "0 is not 1 to 1000000");
    refused(with("cargo", "pieces", "1000001"), "cargo.pieces", "1000001 is not 1 to 1000000");
    refused(with("cargo", "pieces", "2.0"), "cargo.pieces", "must be an integer");
    refused(with("cargo", "pieces", NULL), "cargo.pieces", "is required");
    refused(with("cargo", "weight_kg", "0"), "cargo.weight_kg", "0 is not above 0");
    refused(with("cargo", "weight_kg", "10000000.5"), "cargo.weight_kg",
            "10000000.5 is not above 0 and at most 10000000");
    refused(with("cargo", "weight_kg", "\"12\""), "cargo.weight_kg", "must be a number");
    refused(with("cargo", "weight_kg", NULL), "cargo.weight_kg", "is required");
    refused(with("cargo", "volume_m3", "-1"), "cargo.volume_m3", "-1 is not at least 0");
    refused(with("cargo", "teu", "10001"), "cargo.teu", "10001 is not at least 0 and at most 10000");
    refused(with("cargo", "hs_codes", "[\"850440\",\"8504401\"]"), "cargo.hs_codes[1]",
            "'8504401' is not an HS code of 6, 8 or 10 digits");
    refused(with("cargo", "hs_codes", "[\"85044A\"]"), "cargo.hs_codes[0]",
            "'85044A' is not an HS code");
    refused(with("cargo", "hs_codes", "[850440]"), "cargo.hs_codes[0]", "must be a string");
    refused(with("cargo", "hs_codes", "\"850440\""), "cargo.hs_codes", "must be an array");
    {
        json_t *a = json_array(), *b = load(base_body);
        for (int i = 0; i < 33; i++) json_array_append_new(a, json_string("850440"));
        json_object_set_new(json_object_get(b, "cargo"), "hs_codes", a);
        refused(b, "cargo.hs_codes", "has 33 codes, at most 32");
    }
}

Test(waybill, refuses_containers) {
    refused(with("", "containers", "[\"MSKU1234565\",\"CSQU3054384\"]"), "containers[1]",
            "'CSQU3054384': the ISO 6346 check digit does not match");
    refused(with("", "containers", "[\"MSKU1234565\",\"CSQU3054383\",\"MSKU1234565\"]"),
            "containers[2]", "'MSKU1234565' repeats containers[0]");
    refused(with("", "containers", "[\"msku1234565\"]"), "containers[0]",
            "'msku1234565' must be upper case");
    refused(with("", "containers", "[\"MSKX1234565\"]"), "containers[0]",
            "'MSKX1234565' is not an ISO 6346 number");
    refused(with("", "containers", "[\"MSKU123456\"]"), "containers[0]",
            "'MSKU123456' is not an ISO 6346 number");
    refused(with("", "containers", "[7]"), "containers[0]", "must be a string");
    refused(with("", "containers", "\"MSKU1234565\""), "containers", "must be an array");
    {
        json_t *a = json_array(), *b = load(base_body);
        for (int i = 0; i < 65; i++) json_array_append_new(a, json_string("MSKU1234565"));
        json_object_set_new(b, "containers", a);
        refused(b, "containers", "has 65 containers, at most 64");
    }
}

Test(waybill, refuses_departure) {
    refused(with("", "departure", "\"2026-12-01T08:00:00\""), "departure",
            "'2026-12-01T08:00:00'");
    refused(with("", "departure", "\"1999-12-31T23:59:59Z\""), "departure",
            "'1999-12-31T23:59:59Z' is not in the years 2000 to 2099");
    refused(with("", "departure", "1796083200"), "departure", "must be an ISO 8601 time");
    refused(with("", "departure", NULL), "departure", "is required");
}

Test(waybill, refuses_non_object) {
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;
    json_t *a = json_array();
    cr_assert_eq(waybill_parse(a, &w, &b, node_ok, NULL, &e), -1);
    cr_assert_str_eq(e.field, "");
    cr_assert_str_eq(e.reason, "the body must be a JSON object");
    json_decref(a);
}

/* ---- PATCH --------------------------------------------------------------- */

/* A stored waybill to patch: the base body, as the server would keep it. */
static void stored(struct waybill *w) {
    struct wb_booking b;
    accepted(load(base_body), w, &b);
    snprintf(w->tenant, sizeof(w->tenant), "%s", "fwd-sz");
    w->nlegs = 1;
    snprintf(w->legs[0].mode, sizeof(w->legs[0].mode), "sea");
    w->version = 3;
}

/* PATCH BODY (JSON text) onto W: the return code, CHANGED, E and B. */
static int patch(struct waybill *w, const char *body, char *changed, size_t changedlen,
                 struct wb_booking *b, struct wb_error *e) {
    json_t *j = load(body);
    int rc = waybill_patch(j, w, b, node_ok, NULL, changed, changedlen, e);
    json_decref(j);
    return rc;
}

Test(waybill, patch_replaces_and_lists_changes) {
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;
    char changed[128];
    stored(&w);
    cr_assert_eq(patch(&w,
                       "{\"consignee\":{\"name\":\"李四\",\"phone\":\"+86 138 0013 8000\"},"
                       "\"containers\":[\"TGHU9876542\"],\"destination\":\"DEDUI\"}",
                       changed, sizeof(changed), &b, &e),
                 0, "%s: %s", e.field, e.reason);
    cr_assert_str_eq(changed, "consignee,containers,destination");
    cr_assert_eq(b.kind, WB_BOOK_NONE);
    cr_assert_str_eq(w.consignee.name, "李四");
    cr_assert_str_eq(w.consignee.phone, "+86 138 0013 8000");
    cr_assert_str_eq(w.consignee.address, "", "a party is replaced whole");
    cr_assert_str_eq(w.consignee.account, "");
    cr_assert_eq(w.ncontainers, 1);
    cr_assert_str_eq(w.containers[0], "TGHU9876542");
    cr_assert_str_eq(w.destination, "DEDUI");
    cr_assert_str_eq(w.tenant, "fwd-sz");
    cr_assert_eq(w.version, 3, "the caller counts versions");
    cr_assert_str_eq(w.book, "fastest");
}

Test(waybill, patch_same_values_change_nothing) {
    struct waybill w, before;
    struct wb_booking b;
    struct wb_error e;
    char changed[128] = "junk";
    stored(&w);
    before = w;
    cr_assert_eq(patch(&w,
                       "{\"shipper\":{\"name\":\"Shenzhen Export Co\",\"phone\":\"+86 755 "
                       "8888 0000\",\"address\":\"1 Harbour Rd, Shekou\"},"
                       "\"cargo\":{\"pieces\":12,\"weight_kg\":8400.5,\"volume_m3\":33.25,"
                       "\"teu\":2,\"hs_codes\":[\"850440\",\"8504409000\"]},"
                       "\"destination\":\"NLRTM\"}",
                       changed, sizeof(changed), &b, &e),
                 0, "%s: %s", e.field, e.reason);
    cr_assert_str_eq(changed, "");
    eq_waybill(&w, &before);
    cr_assert_eq(patch(&w, "{}", changed, sizeof(changed), &b, &e), 0);
    cr_assert_str_eq(changed, "");
}

Test(waybill, patch_rebooking) {
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;
    char changed[128];
    stored(&w);
    cr_assert_eq(patch(&w,
                       "{\"book\":\"greenest\",\"origin\":\"CNPVG\",\"departure\":"
                       "\"2026-12-03T00:00:00Z\",\"cargo\":{\"pieces\":13,\"weight_kg\":9000}}",
                       changed, sizeof(changed), &b, &e),
                 0, "%s: %s", e.field, e.reason);
    cr_assert_str_eq(changed, "cargo,origin,departure,book");
    cr_assert_eq(b.kind, WB_BOOK_GREENEST);
    cr_assert_str_eq(w.book, "greenest");
    cr_assert_str_eq(w.origin, "CNPVG");
    cr_assert_eq(w.departure, 1796083200 + 2 * 86400);
    cr_assert_eq(w.cargo.pieces, 13);
    cr_assert_eq(w.cargo.nhs, 0);

    cr_assert_eq(patch(&w, "{\"accept_proposal\":2}", changed, sizeof(changed), &b, &e), 0);
    cr_assert_eq(b.kind, WB_BOOK_PROPOSAL);
    cr_assert_eq(b.proposal, 2);
    cr_assert_str_eq(w.book, "itinerary");
    cr_assert_str_eq(changed, "accept_proposal");

    json_t *j = load("{\"itinerary\":{\"legs\":[{\"trip_id\":\"V2\"}]}}");
    cr_assert_eq(waybill_patch(j, &w, &b, node_ok, NULL, changed, sizeof(changed), &e), 0);
    cr_assert_eq(b.kind, WB_BOOK_ITINERARY);
    cr_assert_eq(b.itinerary, json_object_get(j, "itinerary"));
    cr_assert_str_eq(changed, "itinerary");
    json_decref(j);
}

Test(waybill, patch_master_of_a_house_bill) {
    struct waybill w;
    struct wb_booking b;
    struct wb_error e;
    char changed[64];
    json_t *body = with("", "type", "\"hbl\"");
    json_object_set_new(body, "number", json_string("HBL0001"));
    accepted(body, &w, &b);
    cr_assert_eq(patch(&w, "{\"master\":\"MAEU123456789\"}", changed, sizeof(changed), &b,
                       &e),
                 0, "%s", e.reason);
    cr_assert_str_eq(w.master, "MAEU123456789");
    cr_assert_str_eq(changed, "master");
    cr_assert_eq(patch(&w, "{\"master\":null}", changed, sizeof(changed), &b, &e), 0);
    cr_assert_str_eq(w.master, "");
    cr_assert_str_eq(changed, "master");
}

/* Each refused PATCH names FIELD, has REASON and leaves W as it was. */
Test(waybill, patch_refusals_leave_the_waybill) {
    static const struct {
        const char *body, *field, *reason;
    } rows[] = {
        {"{\"number\":\"MAEU1\"}", "number", "cannot change"},
        {"{\"type\":\"bl\"}", "type", "cannot change"},
        {"{\"tenant\":\"other\"}", "tenant", "cannot change"},
        {"{\"origin\":\"CNPVG\"}", "origin", "changes only with a rebooking"},
        {"{\"departure\":\"2026-12-03T00:00:00Z\"}", "departure",
         "changes only with a rebooking"},
        {"{\"book\":\"fastest\",\"accept_proposal\":1}", "book",
         "at most one of itinerary, book and accept_proposal"},
        {"{\"accept_proposal\":8}", "accept_proposal", "must be an integer from 0 to 7"},
        {"{\"accept_proposal\":1.0}", "accept_proposal", "must be an integer from 0 to 7"},
        {"{\"origin\":\"CNPVG\",\"book\":null}", "origin", "changes only with a rebooking"},
        {"{\"accept_proposal\":-1}", "accept_proposal", "must be an integer from 0 to 7"},
        {"{\"destination\":\"CNSZX\"}", "destination", "'CNSZX' is the origin too"},
        {"{\"book\":\"fastest\",\"origin\":\"NLRTM\"}", "origin", "'NLRTM' is the origin too"},
        {"{\"destination\":\"XXYYZ\"}", "destination", "no node 'XXYYZ'"},
        {"{\"master\":\"MAEU123456789\"}", "master", "only hbl and hawb have a master"},
        {"{\"colour\":1}", "colour", "unknown field 'colour'"},
        /* A valid consignee before a bad container: neither is applied. */
        {"{\"consignee\":{\"name\":\"李四\"},\"containers\":[\"CSQU3054384\"]}",
         "containers[0]", "check digit does not match"},
        {"{\"shipper\":{\"name\":\"X\",\"account\":\"a\"}}", "shipper.account",
         "only the consignee has an account"},
        {"{\"cargo\":{\"pieces\":1}}", "cargo.weight_kg", "is required"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct waybill w, before;
        struct wb_booking b;
        struct wb_error e;
        char changed[64] = "junk";
        stored(&w);
        before = w;
        cr_assert_eq(patch(&w, rows[i].body, changed, sizeof(changed), &b, &e), -1,
                     "accepted %s", rows[i].body);
        cr_assert_str_eq(e.field, rows[i].field, "%s: %s", rows[i].body, e.reason);
        cr_assert_not_null(strstr(e.reason, rows[i].reason), "%s: '%s'", rows[i].body,
                           e.reason);
        cr_assert_str_eq(changed, "");
        cr_assert_eq(b.kind, WB_BOOK_NONE);
        eq_waybill(&w, &before);
    }
}

/* ---- the stored document ------------------------------------------------- */

static void full_waybill(struct waybill *w) {
    stored(w);
    snprintf(w->master, sizeof(w->master), "%s", "");
    w->nlegs = 2;
    struct wb_leg l0 = {"sea", "MAEU", "V1", "V1:2026-12-01", "CNSZX", "SGSIN",
                        1796083200, 1796083200 + 5 * 86400};
    struct wb_leg l1 = {"road", "", "", "", "SGSIN", "NLRTM", -5, INT64_MAX};
    w->legs[0] = l0;
    w->legs[1] = l1;
    w->created = 1796000000;
    w->updated = 1796000100;
    w->version = 2;
}

Test(waybill, doc_round_trip) {
    struct waybill w, back;
    char why[200];
    full_waybill(&w);
    json_t *doc = waybill_doc(&w);
    cr_assert_not_null(doc);
    /* Through text too, as Redis keeps it. */
    char *txt = json_dumps(doc, JSON_COMPACT);
    json_t *again = load(txt);
    cr_assert_eq(waybill_from_doc(again, &back, why, sizeof(why)), 0, "%s", why);
    eq_waybill(&back, &w);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "type")), "bl");
    cr_assert_eq(json_integer_value(json_object_get(
                     json_array_get(json_object_get(doc, "legs"), 0), "sched_arr")),
                 1796083200 + 5 * 86400);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "consignee"),
                                                       "name")),
                     "张三丰");
    free(txt);
    json_decref(doc);
    json_decref(again);

    /* Every type, a zero waybill and an awb with cargo values at the edges. */
    for (int t = 0; t < WB_TYPE_COUNT; t++) {
        struct waybill z;
        memset(&z, 0, sizeof(z));
        z.type = (enum wb_type)t;
        snprintf(z.number, sizeof(z.number), "N%d", t);
        z.cargo.weight_kg = 1e7;
        z.cargo.volume_m3 = 0.1;
        z.cargo.teu = 1.0 / 3;
        doc = waybill_doc(&z);
        txt = json_dumps(doc, JSON_COMPACT);
        again = load(txt);
        cr_assert_eq(waybill_from_doc(again, &back, why, sizeof(why)), 0, "%s", why);
        eq_waybill(&back, &z);
        free(txt);
        json_decref(doc);
        json_decref(again);
    }
}

Test(waybill, legs_json) {
    struct waybill w;
    full_waybill(&w);
    json_t *legs = waybill_legs_json(&w);
    char *txt = json_dumps(legs, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(txt,
                     "[{\"carrier\":\"MAEU\",\"from\":\"CNSZX\",\"mode\":\"sea\",\"run_id\":"
                     "\"V1:2026-12-01\",\"sched_arr\":1796515200,\"sched_dep\":1796083200,"
                     "\"to\":\"SGSIN\",\"trip_id\":\"V1\"},{\"carrier\":\"\",\"from\":"
                     "\"SGSIN\",\"mode\":\"road\",\"run_id\":\"\",\"sched_arr\":"
                     "9223372036854775807,\"sched_dep\":-5,\"to\":\"NLRTM\",\"trip_id\":"
                     "\"\"}]");
    free(txt);
    json_decref(legs);
}

/* Documents this code did not write are refused with a reason. */
Test(waybill, doc_refusals) {
    static const struct {
        const char *path, *key, *value, *why;
    } rows[] = {
        {"", "number", NULL, "number: missing"},
        {"", "extra", "1", "extra: not a field of the document"},
        {"", "type", "\"sea\"", "type: not a waybill type"},
        {"", "version", "\"2\"", "version: not an integer in range"},
        {"", "version", "4294967296", "version: not an integer in range"},
        {"", "number", "\"\"", "number: empty"},
        {"", "origin", "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\"", "origin: too long"},
        {"", "legs", "[1,2,3,4,5,6,7,8,9]", "legs: not an array of at most 8 legs"},
        {"", "legs", "[{}]", "legs[0].mode: missing"},
        {"", "containers", "[1]", "containers: an entry is not a string"},
        {"cargo", "weight_kg", "8400", "cargo.weight_kg: not a real number"},
        {"cargo", "pieces", "-1", "cargo.pieces: not an integer in range"},
        {"consignee", "name", NULL, "consignee.name: missing"},
        {"shipper", "email", "\"\"", "shipper.email: not a field of the document"},
        {"consignee", "phone", "7", "consignee.phone: not a string"},
        {"cargo", "hs_codes", "[\"123456789012\"]", "cargo.hs_codes: an entry is not a string"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct waybill w;
        char why[200];
        full_waybill(&w);
        json_t *doc = waybill_doc(&w);
        json_t *o = rows[i].path[0] ? json_object_get(doc, rows[i].path) : doc;
        if (rows[i].value) json_object_set_new(o, rows[i].key, load(rows[i].value));
        else json_object_del(o, rows[i].key);
        cr_assert_eq(waybill_from_doc(doc, &w, why, sizeof(why)), -1, "row %zu", i);
        cr_assert_not_null(strstr(why, rows[i].why), "row %zu: '%s'", i, why);
        cr_assert_eq(w.number[0], '\0');
        json_decref(doc);
    }
    struct waybill w;
    char why[200];
    json_t *a = json_array();
    cr_assert_eq(waybill_from_doc(a, &w, why, sizeof(why)), -1);
    json_decref(a);
}

/* ---- masking ------------------------------------------------------------- */

Test(waybill, mask_names) {
    static const struct {
        const char *in, *out;
    } rows[] = {
        {"张三丰", "张**"},
        {"张三", "张*"},
        {"欧阳娜娜", "欧***"},
        {"Li Wei", "L* ***"},
        {"Anna Maria de Vries", "A*** ***** ** *****"},
        {"X", "X"},
        {"", ""},
        {"Zoë Müller", "Z** ******"},
        {"\xff" "ab", "***"},        /* a stray first byte is masked too */
        {"a\xe5\x8c" "b", "a***"},   /* a cut sequence: each byte one character */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char out[64];
        waybill_mask_name(rows[i].in, out, sizeof(out));
        cr_assert_str_eq(out, rows[i].out, "row %zu", i);
    }
    char small[4];
    waybill_mask_name("张三丰", small, sizeof(small));
    cr_assert_str_eq(small, "张", "never a cut character");
    waybill_mask_name("张三丰", small, 3);
    cr_assert_str_eq(small, "");
}

Test(waybill, mask_phones) {
    static const struct {
        const char *in, *out;
    } rows[] = {
        {"+86 138-0013-8000", "*********8000"},
        {"(020) 7946 0958", "*******0958"},
        {"+31 10 123 4567", "*******4567"},
        {"12345", "*2345"},
        {"1234", "1234"},
        {"12", "12"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char out[32];
        waybill_mask_phone(rows[i].in, out, sizeof(out));
        cr_assert_str_eq(out, rows[i].out, "row %zu", i);
    }
    char small[5];
    waybill_mask_phone("+86 138-0013-8000", small, sizeof(small));
    cr_assert_str_eq(small, "****");
}

Test(waybill, party_json) {
    struct waybill w;
    stored(&w);
    json_t *full = waybill_party_json(&w.consignee, 0),
           *pub = waybill_party_json(&w.consignee, 1);
    char *a = json_dumps(full, JSON_COMPACT | JSON_SORT_KEYS),
         *b = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    cr_assert_str_eq(a, "{\"account\":\"acme-nl\",\"address\":\"Wilhelminakade 1, "
                        "Rotterdam\",\"name\":\"张三丰\",\"phone\":\"+31 10 123 4567\"}");
    cr_assert_str_eq(b, "{\"name\":\"\\u5F20**\",\"phone\":\"*******4567\"}");
    free(a);
    free(b);
    json_decref(full);
    json_decref(pub);
    /* No phone, no address: only the name. */
    struct wb_party p;
    memset(&p, 0, sizeof(p));
    snprintf(p.name, sizeof(p.name), "Li Wei");
    full = waybill_party_json(&p, 0);
    pub = waybill_party_json(&p, 1);
    a = json_dumps(full, JSON_COMPACT);
    b = json_dumps(pub, JSON_COMPACT);
    cr_assert_str_eq(a, "{\"name\":\"Li Wei\"}");
    cr_assert_str_eq(b, "{\"name\":\"L* ***\"}");
    free(a);
    free(b);
    json_decref(full);
    json_decref(pub);
}

Test(waybill, type_names) {
    cr_assert_eq(waybill_type_parse("cim_smgs"), WB_CIM_SMGS);
    cr_assert_eq(waybill_type_parse("hawb"), WB_HAWB);
    cr_assert_eq(waybill_type_parse("BL"), -1);
    cr_assert_eq(waybill_type_parse(""), -1);
    for (int t = 0; t < WB_TYPE_COUNT; t++)
        cr_assert_eq(waybill_type_parse(waybill_type_name((enum wb_type)t)), t);
}
