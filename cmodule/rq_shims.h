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

#endif // RQ_SHIMS_H
