// What the shim files (shims_*.c) share. The shims are the calls the Rust
// core makes (rq_ffi.h): each one that can raise runs its body under
// nlr_push and returns the caught exception instead, so no MicroPython
// exception ever unwinds through a Rust frame.
#ifndef RQ_SHIMS_H
#define RQ_SHIMS_H

#include "rq_objects.h"

// Runs BODY; on a MicroPython exception returns it, else NULL.
#define RQ_GUARD(...) \
    do { \
        nlr_buf_t nlr; \
        if (nlr_push(&nlr) == 0) { \
            __VA_ARGS__; \
            nlr_pop(); \
            return NULL; \
        } \
        return (rq_err_t)nlr.ret_val; \
    } while (0)

// The errno of an OSError (0 for other exceptions).
int rq_exc_errno(mp_obj_t exc);
// A str of header bytes that are not UTF-8, read as ISO-8859-1.
mp_obj_t rq_str_lenient(const uint8_t *p, size_t len);

// getaddrinfo(host, port)[0] through the pool and a socket of its family
// (raises): the socket, with the address to connect to in *sockaddr.
mp_obj_t rq_pool_socket(mp_obj_t pool, mp_obj_t host, uint16_t port, mp_obj_t *sockaddr);

// wrap_socket(raw, server_hostname=host) (raises); `deferred` adds
// do_handshake_on_connect=False.
mp_obj_t rq_wrap_socket(mp_obj_t ssl_context, mp_obj_t raw, mp_obj_t host, bool deferred);
// For a blocking Session on the firmware's own sockets: wraps the
// connected `raw` so that the handshake runs in non-blocking steps, which
// the exchange drives and waits for under one deadline (SPEC §6). True
// when wrapped (*tls_out); *pending says the handshake is left to those
// steps (raw is non-blocking then). False when the socket or the context
// cannot do it: the caller wraps the usual way. Raises what wrap_socket
// raises, except a TypeError for the keyword.
bool rq_wrap_for_bounded_handshake(mp_obj_t ssl_context, mp_obj_t raw, mp_obj_t host, mp_obj_t *tls_out, bool *pending);

#endif // RQ_SHIMS_H
