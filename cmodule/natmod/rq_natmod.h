// The MicroPython C API the shared C layer (cmodule/*.c) uses, for the
// dynamic native module build (make natmod). Every file of that layer is
// compiled with this header forced in first (-include): a natmod reaches the
// firmware only through mp_fun_table (py/dynruntime.h), so what the layer
// calls and the table lacks is mapped here onto what it has, a Python-level
// call fetched at import (rq_natmod_fns), or an explicit NotImplementedError.
//
// qstrs: a natmod's MP_QSTR_x are loads from the table the firmware fills
// at import, not constants. Code uses them as they are; static tables (type
// names and locals dicts) cannot, so there MP_ROM_QSTR and
// MP_DEFINE_CONST_OBJ_TYPE put a link value (RQ_LINK_MP_QSTR_x, from the
// generated config header) that rq_natmod_link() swaps for the runtime qstr
// once at import: the natmod's code and data are in RAM and relocated at
// load time anyway, this is one more relocation mpy_ld cannot express.
#ifndef RQ_NATMOD_H
#define RQ_NATMOD_H

#define RQ_NATMOD (1)

#include <stdarg.h>
#include "py/dynruntime.h"
#include "py/stream.h"
#include "py/objint.h"
#include "py/objarray.h"
#include "py/objlist.h"
#include "py/objtuple.h"
#include "py/objexcept.h"
#include "py/builtin.h"
#include "py/mphal.h"
#include "py/gc.h"

// Types mpy_ld links by name to their mp_fun_table entries (usable in static
// tables, where dynruntime.h's loads through the table are not).
#undef mp_type_type
#undef mp_type_str
#undef mp_type_list
#undef mp_type_Exception

#ifndef MP_OBJ_QSTR_VALUE
#define MP_OBJ_QSTR_VALUE(o) (((mp_uint_t)(o)) >> 3)
#endif

// ---- static tables: link values fixed at import ----

// Link values of qstrs that are not in the firmware's static table carry
// this bit; only tables defined here ever hold them, and only until import.
#define RQ_LINK_FLAG (0x8000)

#undef MP_ROM_QSTR
#define MP_ROM_QSTR(q) ((mp_rom_obj_t)((((mp_uint_t)(RQ_LINK_##q)) << 3) | 2))

// Every type defined by the shared layer gets an entry in one section,
// which the natmod's link step keeps together (natmod/rqfix.ld) so that
// rq_natmod_link() finds them all.
#define RQ_FIX_TYPE(t) \
    static const mp_obj_type_t *const rq_fix_##t __attribute__((used, section(".data.rel.ro.rqfix"))) = &t

#undef MP_DEFINE_CONST_OBJ_TYPE
#define MP_DEFINE_CONST_OBJ_TYPE(_typename, _name, ...) \
    MP_DEFINE_CONST_OBJ_TYPE_EXPAND(MP_DEFINE_CONST_OBJ_TYPE_NARGS(_typename, RQ_LINK_##_name, __VA_ARGS__, _INV, 12, _INV, 11, _INV, 10, _INV, 9, _INV, 8, _INV, 7, _INV, 6, _INV, 5, _INV, 4, _INV, 3, _INV, 2, _INV, 1, _INV, 0)(mp_obj_type_t, _typename, RQ_LINK_##_name, __VA_ARGS__)); \
    RQ_FIX_TYPE(_typename)

// Argument tables are built on the stack per call (their qstrs are loads).
#define RQ_ARGS const mp_arg_t

// Firmware functions a static type table names: placeholders here, the
// firmware's own function once rq_natmod_link() has run (dict(h) needs the
// Headers type's make_new to be dict's very function).
mp_obj_t rq_nm_dict_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
#undef mp_obj_dict_make_new
#define mp_obj_dict_make_new rq_nm_dict_make_new

// ---- errno values ----

// The errno numbers the layer raises and compares, by name. Ports number
// them differently (newlib's ECONNABORTED is 113, MicroPython's own table
// and Linux say 103): the natmod takes the firmware's from its errno module
// at import (mod_natmod.c). A name that module lacks (EMFILE, ENFILE and
// EPIPE are not in it; they are numbered alike everywhere) keeps
// MicroPython's own number (natmod.mk sets MICROPY_USE_INTERNAL_ERRNO).
#include "py/mperrno.h"
#define RQ_NM_ERRNOS(X) X(EAGAIN) X(EBADF) X(ECONNABORTED) X(ECONNRESET) X(EINPROGRESS) X(EINVAL) X(EIO) \
    X(EMFILE) X(ENFILE) X(ENOBUFS) X(ENOMEM) X(ENOTCONN) X(EPIPE) X(ETIMEDOUT)
#define RQ_NM_ERRNO_INDEX(e) RQ_NM_I_##e,
#define RQ_NM_ERRNO_OWN(e) RQ_NM_OWN_##e = MP_##e,
enum { RQ_NM_ERRNOS(RQ_NM_ERRNO_INDEX) RQ_NM_ERRNO_COUNT };
enum { RQ_NM_ERRNOS(RQ_NM_ERRNO_OWN) };

// ---- what the natmod fetches from the firmware at import ----

typedef struct {
    // Types the layer tests against or raises.
    const mp_obj_type_t *bytes, *bytearray, *int_, *float_, *tuple, *memoryview;
    const mp_obj_type_t *EOFError, *KeyError, *MemoryError, *NotImplementedError, *OSError;
    const mp_obj_type_t *RuntimeError, *StopAsyncIteration, *StopIteration, *TypeError;
    const mp_obj_type_t *UnicodeError, *ValueError;
    // Builtin functions called through Python: open, repr, str, callable,
    // issubclass; time.ticks_ms and time.sleep_us; _thread.get_ident (or NULL).
    mp_obj_t open, repr, str, callable, issubclass, ticks_ms, sleep_us, get_ident;
    // time.ticks_ms's period (time.ticks_add(0, -1) + 1): 2**30 on 32-bit ports.
    mp_uint_t ticks_period;
    // dict's make_new (the real mp_obj_dict_make_new).
    mp_make_new_fun_t dict_make_new;
    const mp_obj_type_t *classmethod;
    int errnos[RQ_NM_ERRNO_COUNT];
} rq_natmod_fns_t;

extern rq_natmod_fns_t rq_nm;

#define RQ_NM_ERRNO(e) (rq_nm.errnos[RQ_NM_I_##e])
#undef MP_EAGAIN
#define MP_EAGAIN RQ_NM_ERRNO(EAGAIN)
#undef MP_EBADF
#define MP_EBADF RQ_NM_ERRNO(EBADF)
#undef MP_ECONNABORTED
#define MP_ECONNABORTED RQ_NM_ERRNO(ECONNABORTED)
#undef MP_ECONNRESET
#define MP_ECONNRESET RQ_NM_ERRNO(ECONNRESET)
#undef MP_EINPROGRESS
#define MP_EINPROGRESS RQ_NM_ERRNO(EINPROGRESS)
#undef MP_EINVAL
#define MP_EINVAL RQ_NM_ERRNO(EINVAL)
#undef MP_EIO
#define MP_EIO RQ_NM_ERRNO(EIO)
#undef MP_EMFILE
#define MP_EMFILE RQ_NM_ERRNO(EMFILE)
#undef MP_ENFILE
#define MP_ENFILE RQ_NM_ERRNO(ENFILE)
#undef MP_ENOBUFS
#define MP_ENOBUFS RQ_NM_ERRNO(ENOBUFS)
#undef MP_ENOMEM
#define MP_ENOMEM RQ_NM_ERRNO(ENOMEM)
#undef MP_ENOTCONN
#define MP_ENOTCONN RQ_NM_ERRNO(ENOTCONN)
#undef MP_EPIPE
#define MP_EPIPE RQ_NM_ERRNO(EPIPE)
#undef MP_ETIMEDOUT
#define MP_ETIMEDOUT RQ_NM_ERRNO(ETIMEDOUT)

#define RQ_NM_TYPE(t) (*rq_nm.t)
#undef mp_type_bytes
#define mp_type_bytes RQ_NM_TYPE(bytes)
#undef mp_type_bytearray
#define mp_type_bytearray RQ_NM_TYPE(bytearray)
#undef mp_type_int
#define mp_type_int RQ_NM_TYPE(int_)
#undef mp_type_float
#define mp_type_float RQ_NM_TYPE(float_)
#undef mp_type_tuple
#define mp_type_tuple RQ_NM_TYPE(tuple)
#undef mp_type_EOFError
#define mp_type_EOFError RQ_NM_TYPE(EOFError)
#undef mp_type_KeyError
#define mp_type_KeyError RQ_NM_TYPE(KeyError)
#undef mp_type_MemoryError
#define mp_type_MemoryError RQ_NM_TYPE(MemoryError)
#undef mp_type_NotImplementedError
#define mp_type_NotImplementedError RQ_NM_TYPE(NotImplementedError)
#undef mp_type_OSError
#define mp_type_OSError RQ_NM_TYPE(OSError)
#undef mp_type_RuntimeError
#define mp_type_RuntimeError RQ_NM_TYPE(RuntimeError)
#undef mp_type_StopAsyncIteration
#define mp_type_StopAsyncIteration RQ_NM_TYPE(StopAsyncIteration)
#undef mp_type_StopIteration
#define mp_type_StopIteration RQ_NM_TYPE(StopIteration)
#undef mp_type_TypeError
#define mp_type_TypeError RQ_NM_TYPE(TypeError)
#undef mp_type_UnicodeError
#define mp_type_UnicodeError RQ_NM_TYPE(UnicodeError)
#undef mp_type_ValueError
#define mp_type_ValueError RQ_NM_TYPE(ValueError)
#undef mp_builtin_open_obj
#define mp_builtin_open_obj (*(mp_obj_base_t *)MP_OBJ_TO_PTR(rq_nm.open))

// An iterator whose next step is a C function in the object, as the
// firmware's (unexported) polymorph iterator (natmod_api.c).
extern const mp_obj_type_t rq_nm_polymorph_iter;
#define mp_type_polymorph_iter rq_nm_polymorph_iter

// classmethod objects in static tables: their type is fetched at import and
// put in by rq_natmod_link() in place of this stand-in.
extern const mp_obj_type_t rq_nm_classmethod_stand_in;
#define mp_type_classmethod rq_nm_classmethod_stand_in

// str's binary_op is not reachable: str or bytes by type.
#undef mp_obj_is_str_or_bytes
#define mp_obj_is_str_or_bytes(o) (mp_obj_is_str(o) || mp_obj_is_type((o), &mp_type_bytes))

// ---- floats ----

// A float crosses between the firmware and the natmod as eight bytes in
// memory (struct's 'd' conversion, which both ends have), never in a
// register: an ARM natmod cannot know whether the firmware passes floats in
// FPU registers (hard-float builds) or core ones, nor whether its float is
// single precision. The natmod itself computes in double (natmod.mk).
#undef mp_obj_get_float
#define mp_obj_get_float(o) rq_nm_get_float(o)
double rq_nm_get_float(mp_obj_t o);
#undef mp_obj_new_float
#define mp_obj_new_float(f) rq_nm_new_float(f)
mp_obj_t rq_nm_new_float(double f);

// ---- memory ----

#define m_malloc0(n) (memset(m_malloc(n), 0, (n)))
// The table's realloc without the raise (the response and content shims
// allocate this way and raise only when it fails).
#define m_malloc_maybe(n) (m_realloc_maybe(NULL, (n), false))
// A finaliser needs gc_alloc's flag, which the table does not reach: a
// natmod Session dropped without close() keeps its sockets until the pool
// closes them (README, "Stock firmware").
#define mp_obj_malloc_with_finaliser(struct_type, obj_type) mp_obj_malloc(struct_type, obj_type)
// Objects this module allocated carry a pointer to themselves where
// rq_headers_obj_t has `native` (headers_type.c): the natmod cannot ask the
// GC for a block's size.
#define gc_nbytes(d) (((const rq_headers_obj_t *)(d))->native == MP_OBJ_FROM_PTR(d) ? sizeof(rq_headers_obj_t) : 0)

// ---- calls ----

#define mp_call_function_0(f) mp_call_function_n_kw((f), 0, 0, NULL)
#define mp_call_function_1(f, a) rq_nm_call1((f), (a))
#define mp_call_function_2(f, a, b) rq_nm_call2((f), (a), (b))
#define mp_call_method_n_kw(n_args, n_kw, args) (mp_fun_table.call_method_n_kw((n_args), (n_kw), (args)))
mp_obj_t rq_nm_call1(mp_obj_t f, mp_obj_t a);
mp_obj_t rq_nm_call2(mp_obj_t f, mp_obj_t a, mp_obj_t b);
#define mp_getiter(o, buf) (mp_fun_table.getiter((o), NULL))
#define mp_iternext(it) rq_nm_iternext(it)
mp_obj_t rq_nm_iternext(mp_obj_t it);

// ---- non-local return ----

// An ARM natmod built for soft float (armv6m, armv7m) may be loaded by a
// firmware with an FPU, whose nlr_push also saves s16-s21 (py/nlr.h): every
// buffer has room for them. The members up to regs are nlr_buf_t's.
#if defined(__arm__) || defined(__thumb__)
typedef struct _rq_nm_nlr_buf_t {
    struct _nlr_buf_t *prev;
    void *ret_val;
    void *regs[MICROPY_NLR_NUM_REGS_ARM_THUMB_FP];
} rq_nm_nlr_buf_t;
#define nlr_buf_t rq_nm_nlr_buf_t
#endif
#define nlr_push(buf) (mp_fun_table.nlr_push((struct _nlr_buf_t *)(buf)))
#define nlr_pop() (mp_fun_table.nlr_pop())
#undef nlr_jump
#define nlr_jump(val) (mp_raise_dyn(MP_OBJ_FROM_PTR(val)))
#define mp_make_raise_obj(o) (o)

// ---- objects ----

#define mp_obj_new_bytearray(n, data) rq_nm_new_bytearray((n), (data))
mp_obj_t rq_nm_new_bytearray(size_t n, const void *data);
#define mp_obj_new_memoryview(typecode, n, items) rq_nm_new_memoryview((typecode), (n), (items))
mp_obj_t rq_nm_new_memoryview(byte typecode, size_t n, void *items);
#define mp_obj_new_str_copy(type, data, len) (mp_obj_new_str_of_type((type), (data), (len)))
#define mp_obj_new_str_from_vstr(v) rq_nm_new_str_from_vstr((v), true)
#define mp_obj_new_bytes_from_vstr(v) rq_nm_new_str_from_vstr((v), false)
mp_obj_t rq_nm_new_str_from_vstr(vstr_t *v, bool str);
#define mp_obj_str_make_new(type, n_args, n_kw, args) (mp_call_function_n_kw(rq_nm.str, (n_args), (n_kw), (args)))
#define mp_obj_list_get(o, len, items) rq_nm_list_get((o), (len), (items))
void rq_nm_list_get(mp_obj_t o, size_t *len, mp_obj_t **items);
#define mp_obj_tuple_get(o, len, items) rq_nm_tuple_get((o), (len), (items))
void rq_nm_tuple_get(mp_obj_t o, size_t *len, mp_obj_t **items);
#define mp_obj_get_array_fixed_n(o, n, items) rq_nm_get_array_fixed_n((o), (n), (items))
void rq_nm_get_array_fixed_n(mp_obj_t o, size_t n, mp_obj_t **items);
#define mp_obj_get_int_maybe(o, v) rq_nm_get_int_maybe((o), (v))
bool rq_nm_get_int_maybe(mp_obj_t o, mp_int_t *v);
#define mp_obj_len_maybe(o) rq_nm_len_maybe(o)
mp_obj_t rq_nm_len_maybe(mp_obj_t o);
#define mp_obj_equal(a, b) (mp_obj_is_true(mp_binary_op(MP_BINARY_OP_EQUAL, (a), (b))))
#define mp_obj_is_callable(o) (mp_obj_is_true(rq_nm_call1(rq_nm.callable, (o))))
#define mp_obj_is_subclass_fast(a, b) rq_nm_is_subclass((a), (b))
bool rq_nm_is_subclass(mp_const_obj_t object, mp_const_obj_t classinfo);
#undef mp_obj_is_dict_or_ordereddict
#define mp_obj_is_dict_or_ordereddict(o) (mp_obj_is_obj(o) && MP_OBJ_TYPE_GET_SLOT_OR_NULL(mp_obj_get_type(o), make_new) == rq_nm.dict_make_new)
#define mp_obj_dict_get_map(o) (&((mp_obj_dict_t *)MP_OBJ_TO_PTR(o))->map)
#define mp_obj_exception_get_value(o) rq_nm_exception_value(o)
mp_obj_t rq_nm_exception_value(mp_obj_t exc);
#define mp_obj_print_helper(print, o, kind) rq_nm_print_helper((print), (o), (kind))
void rq_nm_print_helper(const mp_print_t *print, mp_obj_t o, mp_print_kind_t kind);
#define mp_print_str(print, s) ((void)mp_printf((print), "%s", (s)))
#define qstr_data(q, len) ((const byte *)mp_obj_str_get_data(MP_OBJ_NEW_QSTR(q), (len)))
#define qstr_str(q) ((const char *)mp_obj_str_get_str(MP_OBJ_NEW_QSTR(q)))
// 0 means "not hashed yet": the firmware hashes the str when it needs to.
#define qstr_compute_hash(data, len) ((void)(data), (void)(len), 0)
// py/map.c, compiled into the natmod: a qstr's hash as the firmware has it.
#define qstr_hash(q) ((mp_uint_t)MP_OBJ_SMALL_INT_VALUE(mp_unary_op(MP_UNARY_OP_HASH, MP_OBJ_NEW_QSTR(q))))

// ---- exceptions ----

#define mp_raise_msg_varg(type, fmt, ...) rq_nm_raise_msg_varg((type), (fmt), __VA_ARGS__)
NORETURN void rq_nm_raise_msg_varg(const mp_obj_type_t *type, const char *fmt, ...);
#undef mp_raise_OSError
#define mp_raise_OSError(er) rq_nm_raise_OSError(er)
NORETURN void rq_nm_raise_OSError(int er);
#define mp_raise_StopIteration(arg) (mp_raise_dyn(mp_obj_new_exception_arg1(&mp_type_StopIteration, (arg))))
#define mp_obj_new_exception_msg(type, msg) (mp_obj_new_exception_arg1((type), mp_obj_new_str((msg), strlen(msg))))
#define mp_obj_new_exception_args(type, n, args) (mp_call_function_n_kw(MP_OBJ_FROM_PTR(type), (n), 0, (args)))

// ---- time, pending events, threads ----

// time.ticks_ms and time.sleep_us; 0 and no wait where the firmware has no
// time module (then no timeout can fire).
#define mp_hal_ticks_ms() rq_nm_ticks_ms()
mp_uint_t rq_nm_ticks_ms(void);
#define mp_hal_delay_us(us) rq_nm_delay_us(us)
void rq_nm_delay_us(mp_uint_t us);
// Pending exceptions (Ctrl-C) and scheduled callbacks run when the natmod
// returns to the VM or calls back into Python: there is no entry to run them
// from inside a wait.
#define mp_handle_pending(raise) ((void)0)
#define mp_event_wait_ms(ms) (mp_hal_delay_us(1000 * (ms)))
// A natmod cannot see the firmware's thread state: one marker per thread
// from _thread.get_ident, or one for all without threads.
#define mp_state_ctx (*(char *)rq_nm_thread_id())
void *rq_nm_thread_id(void);

#endif // RQ_NATMOD_H
