// Fefaent: a thin C shim over libresolv's reentrant API. SPDX-License-Identifier: Apache-2.0
#include "CResolv.h"

struct __res_state *fefaent_resolver_open(const char *address, int port, int timeout_seconds, int attempts) {
    struct __res_state *state = calloc(1, sizeof(struct __res_state));
    if (state == NULL) return NULL;
    if (res_ninit(state) != 0) {
        free(state);
        return NULL;
    }
    state->retrans = timeout_seconds;
    state->retry = attempts;
    if (address != NULL) {
        struct sockaddr_in server;
        memset(&server, 0, sizeof(server));
        server.sin_family = AF_INET;
        server.sin_port = htons((unsigned short)port);
        if (inet_pton(AF_INET, address, &server.sin_addr) != 1) {
            res_nclose(state);
            free(state);
            return NULL;
        }
        state->nsaddr_list[0] = server;
        state->nscount = 1;
    }
    return state;
}

int fefaent_resolver_query(struct __res_state *state, const char *name, int type, unsigned char *answer,
                           int length, int *h_error) {
    int result = res_nquery(state, name, ns_c_in, type, answer, length);
    *h_error = result < 0 ? state->res_h_errno : 0;
    return result;
}

void fefaent_resolver_close(struct __res_state *state) {
    if (state == NULL) return;
    res_nclose(state);
    free(state);
}
