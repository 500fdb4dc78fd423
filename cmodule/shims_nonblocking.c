// Non-blocking socket shims for AsyncSession (see rq_ffi.h). They take the
// firmware's own sockets only: those can be set non-blocking and polled by
// asyncio's I/O queue, and their stream protocol reports "would block"
// (MP_EAGAIN) without an exception. Each call is nlr-protected and hands a
// MicroPython exception back as a value. Built whatever RQ_ENABLE_ASYNC
// says: the exchange both drivers share refers to them.
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/objtype.h"
#include "py/mphal.h"
#include "rq_shims.h"


// The socket's stream protocol, or a clear error for sockets asyncio cannot
// wait on (Python-level pools, coprocessor sockets).
static const mp_stream_p_t *rq_nb_stream(mp_obj_t sock) {
    const mp_obj_type_t *t = mp_obj_get_type(sock);
    if (!mp_obj_is_instance_type(t) && MP_OBJ_TYPE_HAS_SLOT(t, protocol)) {
        const mp_stream_p_t *p = MP_OBJ_TYPE_GET_SLOT(t, protocol);
        if (p->read != NULL && p->write != NULL && p->ioctl != NULL) {
            return p;
        }
    }
    mp_raise_msg(&mp_type_NotImplementedError,
        MP_ERROR_TEXT("AsyncSession needs native non-blocking sockets"));
}

// sock.setblocking(False).
static void rq_set_nonblocking(mp_obj_t sock) {
    rq_call1(sock, MP_QSTR_setblocking, mp_const_false);
}

rq_err_t rq_connect_nb_start(rq_obj_t pool, rq_obj_t host, uint16_t port, rq_obj_t *raw_out, rq_poll_t *wait) {
    // volatile: read after a longjmp to close a half-made socket.
    volatile mp_obj_t sock = MP_OBJ_NULL;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t addr;
        sock = rq_pool_socket(pool, host, port, &addr);
        rq_nb_stream(sock);
        rq_set_nonblocking(sock);
        if (mp_obj_is_type(addr, &mp_type_tuple) || mp_obj_is_type(addr, &mp_type_list)) {
            // A socketpool-style (host, port) address: connect by number.
            mp_obj_t parts[2] = {mp_obj_subscr(addr, MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_SENTINEL), MP_OBJ_NEW_SMALL_INT(port)};
            addr = mp_obj_new_tuple(2, parts);
        }
        nlr_buf_t inner;
        if (nlr_push(&inner) == 0) {
            rq_call1(sock, MP_QSTR_connect, addr);
            nlr_pop();
            *wait = RQ_POLL_READY;
        } else {
            int e = rq_exc_errno(MP_OBJ_FROM_PTR(inner.ret_val));
            if (e != MP_EINPROGRESS && e != MP_EAGAIN) {
                nlr_jump(inner.ret_val);
            }
            *wait = RQ_POLL_WRITE;
        }
        nlr_pop();
        *raw_out = sock;
        return NULL;
    }
    if (sock != MP_OBJ_NULL) {
        rq_sock_close(sock);
    }
    return (rq_err_t)nlr.ret_val;
}

// wrap_socket(raw, server_hostname=host), deferred with
// do_handshake_on_connect=False: the handshake then runs inside the first
// sends and receives, and the TLS object's poll asks for what it needs next.
mp_obj_t rq_wrap_socket(mp_obj_t ssl_context, mp_obj_t raw, mp_obj_t host, bool deferred) {
    mp_obj_t dest[7];
    mp_load_method(ssl_context, MP_QSTR_wrap_socket, dest);
    dest[2] = raw;
    dest[3] = MP_OBJ_NEW_QSTR(MP_QSTR_server_hostname);
    dest[4] = host;
    dest[5] = MP_OBJ_NEW_QSTR(MP_QSTR_do_handshake_on_connect);
    dest[6] = mp_const_false;
    return mp_call_method_n_kw(1, deferred ? 2 : 1, dest);
}

rq_err_t rq_connect_nb_finish(rq_obj_t raw, rq_obj_t ssl_context, rq_obj_t host, bool https, rq_obj_t *sock_out) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t sock = raw;
        if (https) {
            if (ssl_context == MP_OBJ_NULL || ssl_context == mp_const_none) {
                mp_raise_ValueError(MP_ERROR_TEXT("ssl_context must be provided if using ssl"));
            }
            sock = rq_wrap_socket(ssl_context, raw, host, true);
            rq_nb_stream(sock);
        }
        nlr_pop();
        *sock_out = sock;
        return NULL;
    }
    // The caller closes `raw` (it is the connection's socket until then).
    return (rq_err_t)nlr.ret_val;
}

static bool rq_pollable(mp_obj_t sock) {
    const mp_obj_type_t *t = mp_obj_get_type(sock);
    if (mp_obj_is_instance_type(t) || !MP_OBJ_TYPE_HAS_SLOT(t, protocol)) {
        return false;
    }
    const mp_stream_p_t *p = MP_OBJ_TYPE_GET_SLOT(t, protocol);
    return p->read != NULL && p->write != NULL && p->ioctl != NULL;
}

bool rq_wrap_for_bounded_handshake(mp_obj_t ssl_context, mp_obj_t raw, mp_obj_t host, mp_obj_t *tls_out, bool *pending) {
    *pending = false;
    if (!rq_pollable(raw)) {
        return false;
    }
    mp_obj_t tls;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        tls = rq_wrap_socket(ssl_context, raw, host, true);
        nlr_pop();
    } else {
        mp_obj_t e = MP_OBJ_FROM_PTR(nlr.ret_val);
        if (!rq_exc_is(e, &mp_type_TypeError)) {
            nlr_jump(nlr.ret_val);
        }
        // A context whose wrap_socket has no do_handshake_on_connect: the
        // caller wraps the usual way.
        return false;
    }
    *tls_out = tls;
    if (rq_pollable(tls)) {
        // Nothing has gone over the TLS layer yet, so the switch is safe.
        rq_set_nonblocking(raw);
        *pending = true;
    }
    return true;
}

// Mbed TLS's MBEDTLS_ERR_SSL_CONN_EOF (its headers are not everywhere the
// module is built).
#define RQ_TLS_CONN_EOF (-0x7280)

void rq_tls_handshake_failed(rq_obj_t raw, rq_err_t exc) {
    // MicroPython's TLS object (1.23 on, which every firmware that loads
    // this module as .mpy has) lets go of the socket under it, unclosed,
    // when a non-blocking handshake fails, except when the peer closed
    // (CONN_EOF); closing the TLS object then leaves that socket open. A
    // socket closed twice could close a descriptor reused meanwhile, so
    // it is closed here only when the TLS object no longer will.
    if (rq_exc_errno(MP_OBJ_FROM_PTR(exc)) != RQ_TLS_CONN_EOF) {
        rq_sock_close(raw);
    }
}

rq_err_t rq_sock_wait(rq_obj_t sock, rq_poll_t dir, int32_t timeout_ms) {
    RQ_GUARD({
        const mp_stream_p_t *sp = rq_nb_stream(sock);
        uintptr_t want = dir == RQ_POLL_READ ? MP_STREAM_POLL_RD : MP_STREAM_POLL_WR;
        uintptr_t done = want | MP_STREAM_POLL_ERR | MP_STREAM_POLL_HUP | MP_STREAM_POLL_NVAL;
        uint32_t start = mp_hal_ticks_ms();
        for (;;) {
            int err = 0;
            mp_uint_t r = sp->ioctl(sock, MP_STREAM_POLL, want, &err);
            // An error or a hang-up is for the next call to report.
            if (r == MP_STREAM_ERROR || (r & done) != 0) {
                break;
            }
            if (timeout_ms >= 0 && (uint32_t)(mp_hal_ticks_ms() - start) >= (uint32_t)timeout_ms) {
                break;
            }
            // Runs pending callbacks and raises a pending KeyboardInterrupt.
            mp_event_wait_ms(1);
        }
    });
}

// One non-blocking read or write: *n bytes and READY, or 0 and what to wait
// for (a TLS object under a handshake maps the direction in its poll).
// `out` is sent when given, else `in` is filled.
static rq_err_t rq_nb_transfer(rq_obj_t sock, const uint8_t *out, uint8_t *in, size_t len, size_t *n, rq_poll_t *wait) {
    bool write = out != NULL;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        const mp_stream_p_t *sp = rq_nb_stream(sock);
        int err = 0;
        mp_uint_t r = write ? sp->write(sock, out, len, &err) : sp->read(sock, in, len, &err);
        if (r == MP_STREAM_ERROR) {
            if (err < 0 && err > -256) {
                // Negated by the TLS layer (see rq_raise_stream_error).
                err = -err;
            }
            if (err != MP_EAGAIN) {
                mp_raise_OSError(err);
            }
            *n = 0;
            *wait = write ? RQ_POLL_WRITE : RQ_POLL_READ;
        } else {
            *n = r;
            *wait = RQ_POLL_READY;
        }
        nlr_pop();
        return NULL;
    }
    return (rq_err_t)nlr.ret_val;
}

rq_err_t rq_sock_send_nb(rq_obj_t sock, const uint8_t *buf, size_t len, size_t *sent, rq_poll_t *wait) {
    return rq_nb_transfer(sock, buf, NULL, len, sent, wait);
}

rq_err_t rq_sock_recv_nb(rq_obj_t sock, uint8_t *buf, size_t len, size_t *got, rq_poll_t *wait) {
    return rq_nb_transfer(sock, NULL, buf, len, got, wait);
}
