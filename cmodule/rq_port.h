// What differs between MicroPython and CircuitPython for this module.
//
// The C layer is written against MicroPython 1.25. CircuitPython (9.x and
// later) shares almost all of that API; the differences this module meets
// are listed here, each with the test that shows it, and code that must
// differ tests RQ_CIRCUITPY. `make test-circuitpython` builds CircuitPython's
// unix port with this module and runs python_tests on it;
// `make cflags-circuitpython` compiles this folder with its board ports'
// warning flags. README.md, "CircuitPython", says what was run.
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

// Known differences and where they are handled (tests: python_tests/, run
// on both firmwares unless said otherwise):
//
// - Dict subclasses. CircuitPython's py/objdict.c reaches a dict's storage
//   through mp_obj_cast_to_native_base(), which takes any object of a type
//   with dict as parent for a Python-level instance and follows its
//   subobj[0]; MicroPython reads the object as an mp_obj_dict_t. Both read
//   a dict-like argument's map directly (dict(x), d.update(x), **x) and
//   take "is a dict" to mean make_new == mp_obj_dict_make_new. Headers
//   (headers_type.c) therefore keeps dict's make_new and parent but
//   implements every slot and method itself on the map, and carries a self
//   word where that cast looks. test_headers_dict.py (every operation,
//   type(h)(), Python subclasses, dict.method(h) unbound).
//   Left as it is: CircuitPython's own dict constructor called with items
//   for this type, type(h)({...}), fills the object it just made through
//   that cast and reads past it; it is the one operation that is unsafe
//   there (test_type_of_headers_called_with_items, a strict xfail on
//   CircuitPython). No layout of this module avoids it: the constructor is
//   the type's make_new, which must be dict's for dict(h) to copy h, and
//   the object it makes is dict-sized. The fix belongs in CircuitPython's
//   py/objdict.c: native_dict() returning the object itself when
//   mp_obj_is_dict_or_ordereddict() holds (an object a dict constructor
//   made is an mp_obj_dict_t); with that change its unix port passes the
//   test (the strict xfail then fails, to be removed).
//   Both refuse dict.keys(h) and the like with a TypeError.
// - json.dumps: CircuitPython prints only types flagged
//   MP_TYPE_FLAG_PRINT_JSON (MicroPython has no such flag) and raises
//   TypeError for others; Headers sets it where it exists.
//   test_headers_dict.py::test_json_dumps.
// - Equality with another type: both skip a type's binary_op for an other
//   type's operand unless MP_TYPE_FLAG_EQ_CHECKS_OTHER_TYPE is set; Headers
//   sets it, so dict == headers works both ways.
//   test_headers_dict.py::test_equality_both_ways.
// - Board ports compile with -Werror=missing-prototypes,
//   -Werror=old-style-definition and the rest of circuitpy_defns.mk's
//   BASE_CFLAGS; every function shared between files is declared in
//   rq_objects.h or rq_ffi.h. make cflags-circuitpython (host gcc and
//   arm-none-eabi-gcc for a Cortex-M4F).
// - Decompression: MicroPython has deflate.DeflateIO, which decodes a body
//   while it streams (decode.c); CircuitPython has no deflate module, only
//   zlib.decompress(data, wbits), one-shot and returning a bytearray, so
//   there the body is read whole and decoded once (decode_whole.c).
//   test_compressed.py (the 96 KiB-heap case skips there with that reason).
// - json.load: CircuitPython's reads Python-level streams too; MicroPython's
//   needs a native one (the reference package's json() depends on it).
//   test_response.py::test_json_twice / test_json_large_array, whose
//   reference runs are xfails on MicroPython only.
// - .mpy files: CircuitPython loads only those of its own mpy-cross.
//   test_lowmem.py, with MPY_CROSS set by make test-circuitpython.
// - GC heap growth: CircuitPython's bytearray grows by reallocation where
//   MicroPython's often grows in place; a test double that copies a 2 MB
//   upload needs more heap there. test_hostile.py (early_answer_during_upload).
// - Unix port networking: CircuitPython's has no socket, tls, socketpool or
//   wifi; the test firmware adds MicroPython's socket and tls modules as
//   user modules (scripts/circuitpython.sh). The module-level API's default
//   session (wifi + socketpool) cannot be built there: those tests skip with
//   that reason (test_module_api.py, firmware_caps.default_networking), and
//   test_circuitpython_defaults.py runs that branch on stand-ins.
// - Networking used when no pool is given (module-level functions without
//   set_socket): CircuitPython socketpool.SocketPool(wifi.radio) with
//   ssl.create_default_context(); MicroPython the socket module with
//   tls.SSLContext(PROTOCOL_TLS_CLIENT). mod_adafruit_requests.c, under
//   RQ_CIRCUITPY. set_socket(pool) takes only the TLS context from the
//   firmware and leaves it None when the firmware has none;
//   set_socket(pool, iface) with an AirLift (ESP32SPI) interface, which
//   names TLS_MODE, lets the coprocessor do TLS: https sockets connect with
//   ((host, port), iface.TLS_MODE) (rq_type_coprocessor_tls). test_airlift.py,
//   test_module_api.py (set_socket), test_circuitpython_defaults.py.
// - Native sockets: CircuitPython's socketpool.Socket has recv_into, send,
//   settimeout and the C stream protocol (no readinto, no recv); a timeout
//   is EAGAIN. MicroPython's socket has readinto/recv/send and the stream
//   protocol. shims_sockets.c uses the stream protocol when the type has one,
//   then recv_into, then readinto, and reports EAGAIN as ETIMEDOUT.
//   (CircuitPython's socketpool is not in its unix port: on it the suite
//   drives MicroPython's socket module and Python-level pools; every test
//   with pool_kind "firmware" takes the stream path, "python" recv_into.)
// - mp_hal_ticks_ms: CircuitPython's mphalport.h makes it a macro or inline
//   over supervisor_ticks_ms32(); MicroPython ports define a function. Both
//   are reached through py/mphal.h with the same call. The timeout tests
//   (test_connections.py, test_hostile.py's slow servers) measure it.
// - mp_obj_exception_t: CircuitPython swaps the traceback_* fields for a
//   traceback object and, with MICROPY_CPYTHON_EXCEPTION_CHAIN, has a real
//   __cause__. This module reads only ->args (present in both); its
//   OutOfRetries answers __cause__ from args[1] before the generic lookup.
//   test_native_choices.py::test_out_of_retries_carries_its_cause.
// - MP_ERROR_TEXT: CircuitPython compresses and translates these messages;
//   a message missing from its locale files stays in English (its
//   `make translate` adds them to locale/circuitpython.pot). Not tested: the
//   unix build carries English only.
// - Module registration: MP_REGISTER_MODULE works the same; a board that
//   also freezes the Python adafruit_requests should drop it, since the
//   built-in module is found first. Every test imports the built-in one.
// - `await x`: MicroPython iterates x; CircuitPython's compiler calls
//   x.__await__(). The AsyncSession awaitables (async_*.c) answer both.
//   The asyncio library is CircuitPython's from PyPI (its queue_read is a
//   coroutine there, a plain function in MicroPython's); the module uses
//   the `core._io_queue._enqueue`, `_task_queue` and `Task.data` both keep.
//   test_async.py runs on CircuitPython's library on both firmwares.

// Built as a dynamic native module (make natmod): cmodule/natmod/rq_natmod.h
// is forced in first and defines RQ_NATMOD and what differs there.
#ifndef RQ_NATMOD
#define RQ_NATMOD (0)
#endif

// An argument table for rq_parse_args: in ROM here; a natmod builds it per
// call, since its qstrs are not constants.
#ifndef RQ_ARGS
#define RQ_ARGS static const mp_arg_t
#endif

#endif // RQ_PORT_H
