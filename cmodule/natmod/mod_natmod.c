// The dynamic native module's front end: what mod_adafruit_requests.c does
// for the built-in module, done at import. The module's globals, the
// OutOfRetries type and the default session's slot live in RAM here; the
// builtins the shared layer calls through Python are fetched once, while
// this module's globals are current (a natmod function called later runs
// with its caller's globals).
#include <string.h>

#include "py/smallint.h"
#include "rq_objects.h"

// bss: the loader allocates it on the GC heap, so what it points to is kept.
mp_obj_full_type_t rq_natmod_out_of_retries;
extern const mp_obj_type_t rq_type_out_of_retries __attribute__((alias("rq_natmod_out_of_retries")));
mp_obj_t rq_natmod_default_session;

mp_obj_t *rq_default_session_ref(void) {
    return &rq_natmod_default_session;
}

void rq_natmod_link(void);

static const mp_obj_type_t *builtin_type(qstr name) {
    return (const mp_obj_type_t *)MP_OBJ_TO_PTR(mp_load_global(name));
}

// A builtin the firmware may leave out: NULL without it.
static mp_obj_t builtin_maybe(qstr name) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t o = mp_load_global(name);
        nlr_pop();
        return o;
    }
    return MP_OBJ_NULL;
}

static mp_obj_t import_attr_maybe(qstr module, qstr attr) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t o = mp_load_attr(mp_import_name(module, mp_const_none, MP_OBJ_NEW_SMALL_INT(0)), attr);
        nlr_pop();
        return o;
    }
    return MP_OBJ_NULL;
}

// What time.ticks_add(0, -1) says (the period less one), else the period a
// firmware of this word size has by default.
static mp_uint_t ticks_period(void) {
    mp_obj_t add = import_attr_maybe(MP_QSTR_time, MP_QSTR_ticks_add);
    if (add != MP_OBJ_NULL) {
        nlr_buf_t nlr;
        if (nlr_push(&nlr) == 0) {
            mp_uint_t last = (mp_uint_t)mp_obj_get_int_truncated(
                rq_nm_call2(add, MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_NEW_SMALL_INT(-1)));
            nlr_pop();
            return last + 1;
        }
    }
    return MICROPY_PY_TIME_TICKS_PERIOD;
}

// One errno value: the firmware's errno module's, else MicroPython's own.
static void fetch_errno(mp_obj_t mod, int index, qstr name, int own) {
    mp_obj_t dest[2] = {MP_OBJ_NULL, MP_OBJ_NULL};
    if (mod != MP_OBJ_NULL) {
        mp_load_method_maybe(mod, name, dest);
    }
    rq_nm.errnos[index] = dest[0] != MP_OBJ_NULL && mp_obj_is_small_int(dest[0]) ? MP_OBJ_SMALL_INT_VALUE(dest[0]) : own;
}

static void fetch_errnos(void) {
    nlr_buf_t nlr;
    mp_obj_t mod = MP_OBJ_NULL;
    if (nlr_push(&nlr) == 0) {
        mod = mp_import_name(MP_QSTR_errno, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
        nlr_pop();
    }
    fetch_errno(mod, RQ_NM_I_EAGAIN, MP_QSTR_EAGAIN, RQ_NM_OWN_EAGAIN);
    fetch_errno(mod, RQ_NM_I_EBADF, MP_QSTR_EBADF, RQ_NM_OWN_EBADF);
    fetch_errno(mod, RQ_NM_I_ECONNABORTED, MP_QSTR_ECONNABORTED, RQ_NM_OWN_ECONNABORTED);
    fetch_errno(mod, RQ_NM_I_ECONNRESET, MP_QSTR_ECONNRESET, RQ_NM_OWN_ECONNRESET);
    fetch_errno(mod, RQ_NM_I_EINPROGRESS, MP_QSTR_EINPROGRESS, RQ_NM_OWN_EINPROGRESS);
    fetch_errno(mod, RQ_NM_I_EINVAL, MP_QSTR_EINVAL, RQ_NM_OWN_EINVAL);
    fetch_errno(mod, RQ_NM_I_EIO, MP_QSTR_EIO, RQ_NM_OWN_EIO);
    fetch_errno(mod, RQ_NM_I_EMFILE, MP_QSTR_EMFILE, RQ_NM_OWN_EMFILE);
    fetch_errno(mod, RQ_NM_I_ENFILE, MP_QSTR_ENFILE, RQ_NM_OWN_ENFILE);
    fetch_errno(mod, RQ_NM_I_ENOBUFS, MP_QSTR_ENOBUFS, RQ_NM_OWN_ENOBUFS);
    fetch_errno(mod, RQ_NM_I_ENOMEM, MP_QSTR_ENOMEM, RQ_NM_OWN_ENOMEM);
    fetch_errno(mod, RQ_NM_I_ENOTCONN, MP_QSTR_ENOTCONN, RQ_NM_OWN_ENOTCONN);
    fetch_errno(mod, RQ_NM_I_EPIPE, MP_QSTR_EPIPE, RQ_NM_OWN_EPIPE);
    fetch_errno(mod, RQ_NM_I_ETIMEDOUT, MP_QSTR_ETIMEDOUT, RQ_NM_OWN_ETIMEDOUT);
}

static void fetch_firmware(void) {
    rq_nm.bytes = builtin_type(MP_QSTR_bytes);
    rq_nm.bytearray = builtin_type(MP_QSTR_bytearray);
    rq_nm.int_ = builtin_type(MP_QSTR_int);
    rq_nm.float_ = (const mp_obj_type_t *)MP_OBJ_TO_PTR(builtin_maybe(MP_QSTR_float));
    rq_nm.tuple = builtin_type(MP_QSTR_tuple);
    rq_nm.memoryview = builtin_type(MP_QSTR_memoryview);
    rq_nm.EOFError = builtin_type(MP_QSTR_EOFError);
    rq_nm.KeyError = builtin_type(MP_QSTR_KeyError);
    rq_nm.MemoryError = builtin_type(MP_QSTR_MemoryError);
    rq_nm.NotImplementedError = builtin_type(MP_QSTR_NotImplementedError);
    rq_nm.OSError = builtin_type(MP_QSTR_OSError);
    rq_nm.RuntimeError = builtin_type(MP_QSTR_RuntimeError);
    rq_nm.StopIteration = builtin_type(MP_QSTR_StopIteration);
    rq_nm.TypeError = builtin_type(MP_QSTR_TypeError);
    rq_nm.ValueError = builtin_type(MP_QSTR_ValueError);
    mp_obj_t t = builtin_maybe(MP_QSTR_StopAsyncIteration);
    rq_nm.StopAsyncIteration = t == MP_OBJ_NULL ? rq_nm.StopIteration : MP_OBJ_TO_PTR(t);
    t = builtin_maybe(MP_QSTR_UnicodeError);
    rq_nm.UnicodeError = t == MP_OBJ_NULL ? rq_nm.ValueError : MP_OBJ_TO_PTR(t);
    rq_nm.open = builtin_maybe(MP_QSTR_open);
    rq_nm.repr = mp_load_global(MP_QSTR_repr);
    rq_nm.str = mp_load_global(MP_QSTR_str);
    rq_nm.callable = mp_load_global(MP_QSTR_callable);
    rq_nm.issubclass = mp_load_global(MP_QSTR_issubclass);
    // Firmware without a time module (some emulated boards): no timeouts.
    rq_nm.ticks_ms = import_attr_maybe(MP_QSTR_time, MP_QSTR_ticks_ms);
    rq_nm.sleep_us = import_attr_maybe(MP_QSTR_time, MP_QSTR_sleep_us);
    rq_nm.ticks_period = ticks_period();
    fetch_errnos();
    rq_nm.get_ident = import_attr_maybe(MP_QSTR__thread, MP_QSTR_get_ident);
    rq_nm.dict_make_new = MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, make_new);
    rq_nm.classmethod = builtin_type(MP_QSTR_classmethod);
}

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY

    fetch_firmware();
    rq_natmod_link();

    // Exception's own slots, then this module's print and __cause__.
    mp_obj_exception_init(&rq_natmod_out_of_retries, MP_QSTR_OutOfRetries, &mp_type_Exception);
    MP_OBJ_TYPE_SET_SLOT(&rq_natmod_out_of_retries, print, rq_out_of_retries_print, 1);
    MP_OBJ_TYPE_SET_SLOT(&rq_natmod_out_of_retries, attr, rq_out_of_retries_attr, 2);

    mp_store_global(MP_QSTR___version__, MP_OBJ_FROM_PTR(&rq_version_obj));
    mp_store_global(MP_QSTR_Session, MP_OBJ_FROM_PTR(&rq_type_session));
    mp_store_global(MP_QSTR_Response, MP_OBJ_FROM_PTR(&rq_type_response));
    mp_store_global(MP_QSTR_OutOfRetries, MP_OBJ_FROM_PTR(&rq_natmod_out_of_retries));
    #if RQ_ENABLE_LEGACY_API
    mp_store_global(MP_QSTR_set_socket, MP_OBJ_FROM_PTR(&rq_mod_set_socket_obj));
    mp_store_global(MP_QSTR_request, MP_OBJ_FROM_PTR(&rq_mod_request_obj));
    mp_store_global(MP_QSTR_get, MP_OBJ_FROM_PTR(&rq_module_verbs[RQ_VERB_GET]));
    mp_store_global(MP_QSTR_post, MP_OBJ_FROM_PTR(&rq_module_verbs[RQ_VERB_POST]));
    mp_store_global(MP_QSTR_put, MP_OBJ_FROM_PTR(&rq_module_verbs[RQ_VERB_PUT]));
    mp_store_global(MP_QSTR_patch, MP_OBJ_FROM_PTR(&rq_module_verbs[RQ_VERB_PATCH]));
    mp_store_global(MP_QSTR_delete, MP_OBJ_FROM_PTR(&rq_module_verbs[RQ_VERB_DELETE]));
    mp_store_global(MP_QSTR_head, MP_OBJ_FROM_PTR(&rq_module_verbs[RQ_VERB_HEAD]));
    mp_store_global(MP_QSTR_options, MP_OBJ_FROM_PTR(&rq_module_verbs[RQ_VERB_OPTIONS]));
    #endif

    MP_DYNRUNTIME_INIT_EXIT
}
