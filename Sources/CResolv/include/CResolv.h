// Fefaent: the libresolv calls the Delivery module needs, as functions Swift can import
// (res_ninit, res_nclose and h_errno are macros in glibc's headers).
#ifndef FEFAENT_CRESOLV_H
#define FEFAENT_CRESOLV_H

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <netdb.h>
#include <string.h>
#include <stdlib.h>

/// A resolver state of its own, pointed at one name server (or the system's when address is NULL).
/// Returns NULL when it cannot be set up.
struct __res_state *fefaent_resolver_open(const char *address, int port, int timeout_seconds, int attempts);

/// res_nquery on that state; returns the answer length, or -1 with *h_error set (HOST_NOT_FOUND,
/// NO_DATA, TRY_AGAIN, NO_RECOVERY).
int fefaent_resolver_query(struct __res_state *state, const char *name, int type, unsigned char *answer,
                           int length, int *h_error);

void fefaent_resolver_close(struct __res_state *state);

#endif
