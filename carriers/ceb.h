/* ceb.h -- China customs cross-border e-commerce unified platform messages
 * (202205 edition, namespace http://www.chinaport.gov.cn/ceb) turned into
 * one canonical JSON object.
 *
 * Import CEB311 order, CEB411 payment, CEB511 waybill, CEB513 waybill
 * status, CEB621 inventory, CEB711 storage entry; export CEB303 order,
 * CEB403 receipt, CEB505 waybill, CEB507 arrival, CEB509 departure,
 * CEB603 inventory, CEB607 master/sub waybill list; and the receipts
 * customs sends back (回执, kind "return": import CEB312, 412, 512, 514,
 * 622, 624, 626, 712; export CEB304, 404, 506, 508, 510, 604, 608), flat
 * blocks with returnStatus/returnTime/returnInfo and no BaseTransfer.
 * One table per type
 * (carriers/ceb.c) says the block, head and list element names, the
 * required, key, number, date and code fields; the XML reader and the JSON
 * intake both check against it.  docs/customs-messages.md has the shapes,
 * the canonical object and what is refused.
 *
 * No network, no file access, no entity substitution: a document with a
 * DOCTYPE is refused before libxml2 sees it. */
#ifndef DT_CARRIER_CEB_H
#define DT_CARRIER_CEB_H

#include <jansson.h>
#include <stddef.h>

#define CEB_NS "http://www.chinaport.gov.cn/ceb"
#define CEB_MAX_BODY_DEFAULT (4u << 20) /* bytes, when the caller passes 0 */
#define CEB_MAX_DEPTH 24                /* element nesting; CEB needs 4, the signature 7 */
#define CEB_MAX_BLOCKS 100              /* business blocks per message (XSD maxOccurs) */
#define CEB_MAX_ITEMS 999               /* list lines per block */
#define CEB_QUOTE_MAX 40                /* bytes of a bad value quoted in a reason */

/* Initialise libxml2 (xmlInitParser) once for the process.  Safe to call
 * from any thread any number of times (pthread_once); ceb_parse_xml calls
 * it itself, so a program only needs it to pay the cost at start-up, from
 * main() before worker threads exist. */
void ceb_init(void);

/* Parse one message BODY (LEN bytes, not NUL-terminated, UTF-8 with or
 * without a BOM) of at most MAX_BYTES bytes (0: CEB_MAX_BODY_DEFAULT).
 * On success returns 0 and *OUT holds a new canonical object (the caller
 * decrefs it).  On refusal returns -1, *OUT is NULL and ERR holds
 * "<element path>: <reason>", e.g.
 * `/CEB621Message/Inventory[2]/InventoryHead/grossWeight: not a decimal
 * number: "12,5"`; a bad value is quoted, at most CEB_QUOTE_MAX bytes.
 * One bad business block refuses the whole message. */
int ceb_parse_xml(const char *body, size_t len, size_t max_bytes, json_t **out,
                  char *err, size_t errlen);

/* Check MSG, a canonical object as a client would post it ("message",
 * "guid", "blocks" with "head" and "items", "transfer" except in a
 * receipt), against the same tables.  On success returns 0 and *OUT holds
 * a new canonical object with "direction", "kind", "keys", "app_type",
 * "app_status" (declarations), "return" (receipts) and "codes" derived
 * from the heads (a client's copies of those must agree with them).  On
 * refusal returns -1, *OUT is NULL and ERR holds "<JSON path>: <reason>",
 * e.g. `$.blocks[0].head.appType: not 1, 2 or 3: "7"`. */
int ceb_validate_json(const json_t *msg, json_t **out, char *err, size_t errlen);

#endif
