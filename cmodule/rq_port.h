// What differs between MicroPython and CircuitPython for this module.
//
// The C layer is written against MicroPython 1.25. CircuitPython (9.x and
// later) shares almost all of that API; the differences this module meets
// are listed here, and code that must differ tests RQ_CIRCUITPY. The
// CircuitPython side follows CircuitPython's sources but has not been
// compiled in this repository (no CircuitPython tree is available to its
// build); README.md, "CircuitPython", says what is and is not checked.
#ifndef RQ_PORT_H
#define RQ_PORT_H

#include "py/obj.h"

// CircuitPython's build adds -DCIRCUITPY=1 (py/circuitpy_mpconfig.mk).
#if defined(CIRCUITPY) && CIRCUITPY
#define RQ_CIRCUITPY (1)
#else
#define RQ_CIRCUITPY (0)
#endif

// Types are defined with slot tables (MP_DEFINE_CONST_OBJ_TYPE) and root
// pointers registered with MP_REGISTER_ROOT_POINTER: MicroPython 1.20+,
// CircuitPython 9+. Older trees fail here rather than deep in a type table.
// (The qstr scan compiles with NO_QSTR, where the registration macros are
// left for the scanner to find.)
#if !defined(NO_QSTR) && (!defined(MP_DEFINE_CONST_OBJ_TYPE) || !defined(MP_REGISTER_ROOT_POINTER))
#error "adafruit_requests needs MicroPython 1.20 or later, or CircuitPython 9 or later"
#endif

// Known differences and where they are handled:
//
// - Networking used when no pool is given (module-level functions without
//   set_socket): CircuitPython socketpool.SocketPool(wifi.radio) with
//   ssl.create_default_context(); MicroPython the socket module with
//   tls.SSLContext(PROTOCOL_TLS_CLIENT). mod_adafruit_requests.c, under
//   RQ_CIRCUITPY. set_socket(pool) takes only the TLS context from the
//   firmware and leaves it None when the firmware has none.
// - Native sockets: CircuitPython's socketpool.Socket has recv_into, send,
//   settimeout and the C stream protocol (no readinto, no recv); a timeout
//   is EAGAIN. MicroPython's socket has readinto/recv/send and the stream
//   protocol. rq_shims.c uses the stream protocol when the type has one,
//   then recv_into, then readinto, and reports EAGAIN as ETIMEDOUT.
// - mp_hal_ticks_ms: CircuitPython's mphalport.h makes it a macro or inline
//   over supervisor_ticks_ms32(); MicroPython ports define a function. Both
//   are reached through py/mphal.h with the same call.
// - mp_obj_exception_t: CircuitPython swaps the traceback_* fields for a
//   traceback object and, with MICROPY_CPYTHON_EXCEPTION_CHAIN, has a real
//   __cause__. This module reads only ->args (present in both); its
//   OutOfRetries answers __cause__ from args[1] before the generic lookup.
// - MP_ERROR_TEXT: CircuitPython compresses and translates these messages;
//   a message missing from its locale files stays in English (its
//   `make translate` adds them to locale/circuitpython.pot).
// - Module registration: MP_REGISTER_MODULE works the same; a board that
//   also freezes the Python adafruit_requests should drop it, since the
//   built-in module is found first.

#endif // RQ_PORT_H
