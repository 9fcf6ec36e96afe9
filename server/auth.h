/* auth.h -- API keys.  Keys look like "dt_<id>_<secret>"; only the SHA-256
 * of the whole key is stored (store.h, apikey:{id}).  The bootstrap admin key
 * from --admin-key is checked in memory, so an admin can still reach the
 * server while Redis is down. */
#ifndef DT_AUTH_H
#define DT_AUTH_H

#include <stddef.h>

struct srv_req;

/* Remember the bootstrap admin key (only its hash is kept). */
void auth_init(const char *admin_key);

/* Authenticate and authorise R against its route, then call NEXT(R), or
 * reply 401/403/429/503 itself.  May complete after a Redis round trip. */
void auth_check_or_reply(struct srv_req *r, void (*next)(struct srv_req *r));

/* Split KEY into its id: "dt_<id>_<secret>".  0 or -1. */
int auth_key_id(const char *key, char *id, size_t idlen);

/* Forget the cached record of key ID (after revoking it). */
void auth_forget(const char *id);

/* Make a new key and its id.  0 or -1. */
int auth_new_key(char *key, size_t keylen, char *id, size_t idlen);

#endif
