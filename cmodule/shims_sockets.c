// Shims for pools and blocking sockets: opening a connection (TLS and the
// AirLift coprocessor mode included), timeouts, sending, receiving, the
// idle check and closing.
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/objstr.h"
#include "py/objtype.h"
#include "py/mperrno.h"
#include "py/unicode.h"
#include "py/objarray.h"
#include "py/mphal.h"
#include "rq_shims.h"

// ---- sockets ----

// Native firmware sockets are driven through their stream protocol; objects
// of Python classes (test doubles, ESP32SPI, WIZNET5K) through methods.
static const mp_stream_p_t *rq_native_stream(mp_obj_t sock) {
    const mp_obj_type_t *t = mp_obj_get_type(sock);
    if (mp_obj_is_instance_type(t) || !MP_OBJ_TYPE_HAS_SLOT(t, protocol)) {
        return NULL;
    }
    const mp_stream_p_t *p = MP_OBJ_TYPE_GET_SLOT(t, protocol);
    return (p->read != NULL && p->write != NULL) ? p : NULL;
}

static NORETURN void rq_raise_stream_error(int err) {
    if (err < 0 && err > -256) {
        // A TLS socket's error from the socket under it, negated as Mbed
        // TLS carries it (Mbed TLS's own codes are below -256).
        err = -err;
    }
    if (err == MP_EAGAIN) {
        // A blocking read that ran into its timeout.
        err = MP_ETIMEDOUT;
    }
    mp_raise_OSError(err);
}

// sock.connect(addr); with a mode, connect(addr, mode): an AirLift
// coprocessor's socket doing TLS itself.
// Called in place rather than through rq_call1/rq_call2: through them the
// armv6m .mpy on the MPS2 firmware (which has an FPU) reported a connect's
// OSError as UnicodeError (python_tests/qemu/session_faults.py under
// make test-qemu-natmod). The two are equivalent C; what differs is the
// stack layout, and the cause below it is not found yet.
static void rq_connect(mp_obj_t sock, mp_obj_t addr, mp_obj_t mode) {
    mp_obj_t dest[4];
    mp_load_method(sock, MP_QSTR_connect, dest);
    dest[2] = addr;
    dest[3] = mode;
    mp_call_method_n_kw(mode == MP_OBJ_NULL ? 1 : 2, 0, dest);
}

mp_obj_t rq_pool_socket(mp_obj_t pool, mp_obj_t host, uint16_t port, mp_obj_t *sockaddr) {
    mp_obj_t call[6];
    mp_load_method(pool, MP_QSTR_getaddrinfo, call);
    call[2] = host;
    call[3] = MP_OBJ_NEW_SMALL_INT(port);
    call[4] = MP_OBJ_NEW_SMALL_INT(0);
    call[5] = mp_load_attr(pool, MP_QSTR_SOCK_STREAM);
    mp_obj_t infos = mp_call_method_n_kw(4, 0, call);
    mp_obj_t info = mp_obj_subscr(infos, MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_SENTINEL);
    size_t n_info;
    mp_obj_t *fields;
    mp_obj_get_array(info, &n_info, &fields);
    if (n_info < 2) {
        mp_raise_ValueError(MP_ERROR_TEXT("getaddrinfo returned a malformed address"));
    }
    *sockaddr = fields[n_info - 1];
    return rq_call2(pool, MP_QSTR_socket, fields[0], fields[1]);
}

static void rq_settimeout_either(mp_obj_t sock, mp_obj_t raw_sock, mp_obj_t timeout);
static void rq_settimeout_ms_either(mp_obj_t sock, mp_obj_t raw_sock, int32_t ms);

// Before each pool call of the connect: OSError(ETIMEDOUT) when the budget
// is spent, else the socket's timeout becomes what is left of it (only
// when time has passed, so a pool sees the caller's value as given until
// then).
static void rq_connect_budget(mp_obj_t sock, mp_obj_t raw, uint32_t started, int32_t budget_ms) {
    int32_t left = rq_budget_wait_ms(started, mp_hal_ticks_ms(), budget_ms);
    if (left == 0) {
        mp_raise_OSError(MP_ETIMEDOUT);
    }
    if (left > 0 && left < budget_ms) {
        rq_settimeout_ms_either(sock, raw, left);
    }
}

rq_err_t rq_open_connection(rq_obj_t pool, rq_obj_t ssl_context, rq_obj_t host, uint16_t port, bool https, rq_obj_t timeout, int32_t connect_ms, rq_obj_t *sock_out, rq_obj_t *raw_out, uint32_t *started_out, bool *handshaking) {
    *handshaking = false;
    // TLS done by an AirLift coprocessor (set_socket with an interface that
    // has TLS_MODE): the socket connects by name with that mode and carries
    // plain bytes.
    mp_obj_t coprocessor_mode = MP_OBJ_NULL;
    if (https && ssl_context != MP_OBJ_NULL && mp_obj_is_type(ssl_context, &rq_type_coprocessor_tls)) {
        coprocessor_mode = ((rq_coprocessor_tls_obj_t *)MP_OBJ_TO_PTR(ssl_context))->mode;
    }
    if (https && coprocessor_mode == MP_OBJ_NULL && (ssl_context == MP_OBJ_NULL || ssl_context == mp_const_none)) {
        return rq_exc_new(RQ_EXC_VALUE, "ssl_context must be provided if using ssl", 41, 0);
    }
    // volatile: read after a longjmp to close a half-made connection.
    volatile mp_obj_t sock = MP_OBJ_NULL;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t sockaddr;
        sock = rq_pool_socket(pool, host, port, &sockaddr);
        mp_obj_t raw = sock;
        // The budget starts after the name lookup, which the platform's
        // getaddrinfo bounds (as in CPython).
        uint32_t started = mp_hal_ticks_ms();
        *started_out = started;
        rq_settimeout_either(sock, MP_OBJ_NULL, timeout);
        if (coprocessor_mode != MP_OBJ_NULL) {
            mp_obj_t addr[2] = {host, MP_OBJ_NEW_SMALL_INT(port)};
            rq_connect(sock, mp_obj_new_tuple(2, addr), coprocessor_mode);
        } else if (mp_obj_is_type(sockaddr, &mp_type_tuple) || mp_obj_is_type(sockaddr, &mp_type_list)) {
            // CircuitPython and Python-level pools: wrap first, then connect
            // by name (TLS) or by address (plain), as the reference does.
            // The pool handshakes inside connect(), one call: the budget
            // bounds it only as far as the pool's timeout does.
            mp_obj_t addr[2] = {host, MP_OBJ_NEW_SMALL_INT(port)};
            if (https) {
                sock = rq_wrap_socket(ssl_context, sock, host, false);
                rq_connect_budget(sock, raw, started, connect_ms);
            } else {
                addr[0] = mp_obj_subscr(sockaddr, MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_SENTINEL);
            }
            rq_connect(sock, mp_obj_new_tuple(2, addr), MP_OBJ_NULL);
        } else {
            // MicroPython: a raw sockaddr to connect with as is; its TLS
            // handshakes inside wrap_socket, so it wraps a connected socket.
            rq_connect(sock, sockaddr, MP_OBJ_NULL);
            if (https) {
                rq_connect_budget(sock, raw, started, connect_ms);
                // The firmware's own sockets handshake in non-blocking
                // steps under the connect deadline; each wait of a blocking
                // handshake would be bounded alone, and a server that
                // trickles its answer could hold the call for ever.
                mp_obj_t tls;
                bool pending;
                if (rq_wrap_for_bounded_handshake(ssl_context, raw, host, &tls, &pending)) {
                    sock = tls;
                    *handshaking = pending;
                } else {
                    sock = rq_wrap_socket(ssl_context, sock, host, false);
                }
            }
        }
        nlr_pop();
        *sock_out = sock;
        *raw_out = raw;
        return NULL;
    }
    if (sock != MP_OBJ_NULL) {
        rq_sock_close(sock);
    }
    return (rq_err_t)nlr.ret_val;
}

static void rq_settimeout_either(mp_obj_t sock, mp_obj_t raw_sock, mp_obj_t timeout) {
    mp_obj_t dest[3];
    mp_load_method_maybe(sock, MP_QSTR_settimeout, dest);
    if (dest[0] == MP_OBJ_NULL && raw_sock != MP_OBJ_NULL) {
        mp_load_method_maybe(raw_sock, MP_QSTR_settimeout, dest);
    }
    if (dest[0] != MP_OBJ_NULL) {
        dest[2] = timeout;
        mp_call_method_n_kw(1, 0, dest);
    }
}

rq_err_t rq_sock_settimeout(rq_obj_t sock, rq_obj_t raw_sock, rq_obj_t timeout) {
    RQ_GUARD(rq_settimeout_either(sock, raw_sock, timeout));
}

// Largest piece one write is given. A write that comes back short after
// waiting the whole timeout means the peer took less than this in that
// time: it stopped reading, and the upload ends there.
#define RQ_SEND_PIECE (64 * 1024)

// A method call on a Python-level socket. What such a socket raises is an
// error of the call, whatever it is: a StopIteration (which would end an
// iteration further up as if the body were complete) becomes RuntimeError.
static mp_obj_t rq_call_sock_method(size_t n_args, mp_obj_t *dest) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t r = mp_call_method_n_kw(n_args, 0, dest);
        nlr_pop();
        return r;
    }
    mp_obj_t e = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (rq_exc_is(e, &mp_type_StopIteration)) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("socket raised StopIteration"));
    }
    nlr_jump(nlr.ret_val);
}

// Sends all of buf. timeout_ms (-1: none) bounds every wait for progress:
// a write that comes back short after waiting that long, or EAGAIN from a
// Python-level socket for that long since the last byte went out, ends the
// send with ETIMEDOUT (the reference retries EAGAIN for ever).
rq_err_t rq_sock_send(rq_obj_t sock, const uint8_t *buf, size_t len, int32_t timeout_ms) {
    RQ_GUARD({
        const mp_stream_p_t *sp = rq_native_stream(sock);
        size_t off = 0;
        // The clock is read only where a rule below needs it: once per
        // write on a native socket, when there is a timeout.
        uint32_t progress_at = sp == NULL ? mp_hal_ticks_ms() : 0;
        while (off < len) {
            size_t want = len - off < RQ_SEND_PIECE ? len - off : RQ_SEND_PIECE;
            uint32_t started = timeout_ms >= 0 ? mp_hal_ticks_ms() : 0;
            size_t n;
            if (sp != NULL) {
                int err = 0;
                mp_uint_t r = sp->write(sock, buf + off, want, &err);
                if (r == MP_STREAM_ERROR) {
                    rq_raise_stream_error(err);
                }
                if (r == 0) {
                    mp_raise_OSError(MP_EIO);
                }
                n = r;
            } else {
                mp_obj_t dest[3];
                mp_load_method(sock, MP_QSTR_send, dest);
                dest[2] = mp_obj_new_memoryview('B', want, (void *)(buf + off));
                nlr_buf_t inner;
                mp_obj_t r = MP_OBJ_NULL;
                if (nlr_push(&inner) == 0) {
                    r = rq_call_sock_method(1, dest);
                    nlr_pop();
                } else {
                    mp_obj_t e = MP_OBJ_FROM_PTR(inner.ret_val);
                    if (rq_exc_errno(e) != MP_EAGAIN) {
                        nlr_jump(inner.ret_val);
                    }
                    if (timeout_ms >= 0 && (uint32_t)(mp_hal_ticks_ms() - progress_at) > (uint32_t)timeout_ms) {
                        mp_raise_OSError(MP_ETIMEDOUT);
                    }
                    mp_event_wait_ms(1);
                    continue;
                }
                if (r == mp_const_none) {
                    n = want;
                } else {
                    mp_int_t k = mp_obj_get_int(r);
                    if (k <= 0 || (size_t)k > want) {
                        mp_raise_OSError(MP_EIO);
                    }
                    n = k;
                }
            }
            off += n;
            if (n < want && timeout_ms >= 0 && (uint32_t)(mp_hal_ticks_ms() - started) >= (uint32_t)timeout_ms) {
                mp_raise_OSError(MP_ETIMEDOUT);
            }
            if (sp == NULL) {
                progress_at = mp_hal_ticks_ms();
            }
        }
    });
}

// A receive method call; CircuitPython-style sockets report a timeout as
// EAGAIN, which becomes ETIMEDOUT as on the native path.
static mp_obj_t rq_call_recv(mp_obj_t *dest) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t r = rq_call_sock_method(1, dest);
        nlr_pop();
        return r;
    }
    if (rq_exc_errno(MP_OBJ_FROM_PTR(nlr.ret_val)) == MP_EAGAIN) {
        mp_raise_OSError(MP_ETIMEDOUT);
    }
    nlr_jump(nlr.ret_val);
}

rq_err_t rq_sock_recv(rq_obj_t sock, uint8_t *buf, size_t len, size_t *got) {
    RQ_GUARD({
        const mp_stream_p_t *sp = rq_native_stream(sock);
        if (sp != NULL) {
            int err = 0;
            mp_uint_t n = sp->read(sock, buf, len, &err);
            if (n == MP_STREAM_ERROR) {
                rq_raise_stream_error(err);
            }
            *got = n;
        } else {
            mp_obj_t dest[3];
            mp_load_method_maybe(sock, MP_QSTR_recv_into, dest);
            if (dest[0] == MP_OBJ_NULL) {
                mp_load_method_maybe(sock, MP_QSTR_readinto, dest);
            }
            if (dest[0] != MP_OBJ_NULL) {
                dest[2] = mp_obj_new_memoryview(MP_OBJ_ARRAY_TYPECODE_FLAG_RW | 'B', len, buf);
                mp_obj_t r = rq_call_recv(dest);
                if (r == mp_const_none) {
                    // A non-blocking readinto with nothing to read.
                    mp_raise_OSError(MP_ETIMEDOUT);
                }
                mp_int_t n = mp_obj_get_int(r);
                if (n < 0 || (size_t)n > len) {
                    mp_raise_OSError(MP_EIO);
                }
                *got = n;
            } else {
                mp_load_method(sock, MP_QSTR_recv, dest);
                dest[2] = MP_OBJ_NEW_SMALL_INT(len);
                mp_obj_t r = rq_call_recv(dest);
                mp_buffer_info_t bi;
                mp_get_buffer_raise(r, &bi, MP_BUFFER_READ);
                if (bi.len > len) {
                    mp_raise_OSError(MP_EIO);
                }
                memcpy(buf, bi.buf, bi.len);
                *got = bi.len;
            }
        }
    });
}

static void rq_settimeout_ms_either(mp_obj_t sock, mp_obj_t raw_sock, int32_t ms) {
    mp_obj_t t;
    if (ms < 0) {
        t = mp_const_none;
    } else {
        #if MICROPY_PY_BUILTINS_FLOAT
        // Never 0, which would make the socket non-blocking.
        t = mp_obj_new_float((mp_float_t)(ms > 0 ? ms : 1) / 1000);
        #else
        t = MP_OBJ_NEW_SMALL_INT(ms / 1000 + 1);
        #endif
    }
    rq_settimeout_either(sock, raw_sock, t);
}

rq_err_t rq_sock_settimeout_ms(rq_obj_t sock, rq_obj_t raw_sock, int32_t ms) {
    RQ_GUARD(rq_settimeout_ms_either(sock, raw_sock, ms));
}

// Whether sock (or the plain socket under it) has settimeout.
static bool rq_sock_has_timeout(rq_obj_t sock, rq_obj_t raw_sock) {
    mp_obj_t dest[2];
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_load_method_maybe(sock, MP_QSTR_settimeout, dest);
        if (dest[0] == MP_OBJ_NULL && raw_sock != MP_OBJ_NULL) {
            mp_load_method_maybe(raw_sock, MP_QSTR_settimeout, dest);
        }
        nlr_pop();
        return dest[0] != MP_OBJ_NULL;
    }
    return false;
}

// A 0 from a Python-level socket's non-blocking read is "nothing yet" on
// the ESP32SPI library (and WIZnet5k before 7.4) but the peer's close on
// the others: the socket's own status check, where it has one, tells which.
// Both libraries call it `_connected` (a method on ESP32SPI, a property on
// WIZnet5k) and read the coprocessor's or chip's TCP state.
static rq_idle_probe_t rq_idle_link_status(mp_obj_t sock) {
    mp_obj_t dest[2];
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        rq_idle_probe_t verdict = RQ_IDLE_EMPTY_UNKNOWN;
        mp_load_method_maybe(sock, MP_QSTR__connected, dest);
        if (dest[0] != MP_OBJ_NULL && dest[0] != mp_const_none) {
            mp_obj_t up = (dest[1] != MP_OBJ_NULL || mp_obj_is_callable(dest[0]))
                ? rq_call_sock_method(0, dest) : dest[0];
            if (up == mp_const_true || up == mp_const_false || mp_obj_is_small_int(up)) {
                verdict = mp_obj_is_true(up) ? RQ_IDLE_EMPTY_UP : RQ_IDLE_EMPTY_DOWN;
            }
        }
        nlr_pop();
        return verdict;
    }
    mp_obj_t e = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (!rq_exc_is(e, &mp_type_Exception)) {
        // KeyboardInterrupt, SystemExit: the caller's.
        nlr_jump(nlr.ret_val);
    }
    // A status check that fails cannot vouch for the connection.
    return RQ_IDLE_EMPTY_DOWN;
}

// Native sockets answer a poll of their stream without waiting. A
// Python-level socket gets a zero timeout and a one-byte receive: EAGAIN
// (or a timeout, or None) means nothing is there; the caller sets the
// request's timeout again before using the socket.
rq_err_t rq_sock_probe_idle(rq_obj_t sock, rq_obj_t raw_sock, rq_idle_probe_t *out, int32_t *sock_timeout) {
    *out = RQ_IDLE_UNKNOWN;
    const mp_stream_p_t *sp = rq_native_stream(sock);
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        if (sp != NULL) {
            if (sp->ioctl != NULL) {
                int err = 0;
                mp_uint_t ret = sp->ioctl(sock, MP_STREAM_POLL, MP_STREAM_POLL_RD, &err);
                if (ret == MP_STREAM_ERROR) {
                    *out = RQ_IDLE_UNKNOWN;
                } else if (ret & (MP_STREAM_POLL_ERR | MP_STREAM_POLL_NVAL)) {
                    *out = RQ_IDLE_FAILED;
                } else if (ret & (MP_STREAM_POLL_RD | MP_STREAM_POLL_HUP)) {
                    *out = RQ_IDLE_READABLE;
                } else {
                    *out = RQ_IDLE_QUIET;
                }
            }
        } else {
            mp_obj_t dest[3];
            mp_load_method_maybe(sock, MP_QSTR_recv_into, dest);
            if (dest[0] == MP_OBJ_NULL) {
                mp_load_method_maybe(sock, MP_QSTR_readinto, dest);
            }
            if (dest[0] != MP_OBJ_NULL && rq_sock_has_timeout(sock, raw_sock)) {
                *sock_timeout = 0;
                rq_settimeout_either(sock, raw_sock, MP_OBJ_NEW_SMALL_INT(0));
                byte one[1];
                dest[2] = mp_obj_new_memoryview(MP_OBJ_ARRAY_TYPECODE_FLAG_RW | 'B', 1, one);
                nlr_buf_t inner;
                if (nlr_push(&inner) == 0) {
                    mp_obj_t r = rq_call_sock_method(1, dest);
                    nlr_pop();
                    if (r == mp_const_none) {
                        *out = RQ_IDLE_QUIET;
                    } else if (r == MP_OBJ_NEW_SMALL_INT(0)) {
                        *out = rq_idle_link_status(sock);
                    } else {
                        *out = RQ_IDLE_READABLE;
                    }
                } else {
                    mp_obj_t e = MP_OBJ_FROM_PTR(inner.ret_val);
                    if (!rq_exc_is(e, &mp_type_Exception)) {
                        // KeyboardInterrupt, SystemExit: the caller's.
                        nlr_jump(inner.ret_val);
                    }
                    int en = rq_exc_errno(e);
                    if (en == MP_EAGAIN || en == MP_ETIMEDOUT) {
                        *out = RQ_IDLE_QUIET;
                    } else if (rq_exc_is_os_error(e)) {
                        *out = RQ_IDLE_FAILED;
                    } else {
                        *out = RQ_IDLE_UNKNOWN;
                    }
                }
            }
        }
        nlr_pop();
        return NULL;
    }
    return (rq_err_t)nlr.ret_val;
}

void rq_sock_close(rq_obj_t sock) {
    if (sock == MP_OBJ_NULL || sock == mp_const_none) {
        return;
    }
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t dest[2];
        mp_load_method_maybe(sock, MP_QSTR_close, dest);
        if (dest[0] != MP_OBJ_NULL) {
            mp_call_method_n_kw(0, 0, dest);
        }
        nlr_pop();
    }
    // A failing close leaves nothing more to release on our side.
}
