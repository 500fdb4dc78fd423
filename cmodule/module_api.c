// The module's own objects shared by both ways to build it: the legacy
// module-level API with its default session, OutOfRetries' print and
// __cause__, the coprocessor TLS marker and the request verbs of Session,
// AsyncSession and the module. Registering them (the globals
// table, the exception type, where the default session lives) is the front
// end's: mod_adafruit_requests.c for the built-in module, natmod/ for the
// dynamic native module.
#include "py/runtime.h"
#include "py/objstr.h"
#include "py/builtin.h"
#include "rq_objects.h"

// MicroPython has no exception chaining: the Rust core passes the cause as
// a second argument, which str() leaves out and __cause__ returns.
void rq_out_of_retries_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    mp_obj_exception_t *e = MP_OBJ_TO_PTR(self_in);
    mp_print_kind_t k = kind & ~PRINT_EXC_SUBCLASS;
    if (e->args != NULL && e->args->len == 2 && (k == PRINT_STR || k == PRINT_EXC)) {
        if (k == PRINT_EXC) {
            if (!(kind & PRINT_EXC_SUBCLASS)) {
                mp_print_str(print, "OutOfRetries");
            }
            mp_print_str(print, ": ");
        }
        mp_obj_print_helper(print, e->args->items[0], PRINT_STR);
        return;
    }
    mp_obj_exception_print(print, self_in, kind);
}

void rq_out_of_retries_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (attr == MP_QSTR___cause__ && dest[0] == MP_OBJ_NULL) {
        mp_obj_exception_t *e = MP_OBJ_TO_PTR(self_in);
        dest[0] = (e->args != NULL && e->args->len == 2) ? e->args->items[1] : mp_const_none;
        return;
    }
    mp_obj_exception_attr(self_in, attr, dest);
}


// Same version as the reference release this module is a drop-in for.
const MP_DEFINE_STR_OBJ(rq_version_obj, "4.1.17");

// The firmware's own networking: CircuitPython's socketpool and ssl, or
// MicroPython's socket module with a client TLS context.
#if RQ_ENABLE_LEGACY_API
#if !RQ_CIRCUITPY
// A client TLS context that verifies certificates. Where the firmware has an
// environment (the unix port), SSL_CERT_FILE names a DER CA certificate to
// trust, as OpenSSL-based tools do. Without TLS in the firmware: None, and
// https requests then say that an ssl_context is needed.
static mp_obj_t rq_default_ssl_context(void) {
    mp_obj_t ctx = mp_const_none;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t tls = rq_import(MP_QSTR_tls);
        ctx = rq_call1(tls, MP_QSTR_SSLContext, mp_load_attr(tls, MP_QSTR_PROTOCOL_TLS_CLIENT));
        nlr_pop();
    } else {
        return mp_const_none;
    }
    // A file this firmware's TLS cannot read (e.g. a PEM bundle where Mbed TLS
    // has no PEM support) leaves the context without it: plain HTTP keeps
    // working and https reports the missing CA when it is used.
    if (nlr_push(&nlr) == 0) {
        mp_obj_t os = rq_import(MP_QSTR_os);
        mp_obj_t dest[3];
        mp_load_method_maybe(os, MP_QSTR_getenv, dest);
        if (dest[0] != MP_OBJ_NULL) {
            dest[2] = MP_OBJ_NEW_QSTR(MP_QSTR_SSL_CERT_FILE);
            mp_obj_t path = mp_call_method_n_kw(1, 0, dest);
            if (path != mp_const_none && mp_obj_is_true(path)) {
                mp_obj_t open_args[2] = {path, MP_OBJ_NEW_QSTR(MP_QSTR_rb)};
                mp_obj_t f = mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_builtin_open_obj), 2, 0, open_args);
                mp_obj_t der = mp_call_function_0(mp_load_attr(f, MP_QSTR_read));
                mp_call_function_0(mp_load_attr(f, MP_QSTR_close));
                rq_call1(ctx, MP_QSTR_load_verify_locations, der);
            }
        }
        nlr_pop();
    }
    return ctx;
}
#else
// None on boards without the ssl module (e.g. networking through an
// ESP32SPI co-processor), as for MicroPython firmware without tls.
static mp_obj_t rq_default_ssl_context(void) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t ctx = mp_call_function_0(mp_load_attr(rq_import(MP_QSTR_ssl), MP_QSTR_create_default_context));
        nlr_pop();
        return ctx;
    }
    return mp_const_none;
}
#endif

static void rq_default_networking(mp_obj_t *pool, mp_obj_t *ssl_context) {
    #if RQ_CIRCUITPY
    mp_obj_t radio = mp_load_attr(rq_import(MP_QSTR_wifi), MP_QSTR_radio);
    *pool = rq_call1(rq_import(MP_QSTR_socketpool), MP_QSTR_SocketPool, radio);
    *ssl_context = mp_call_function_0(mp_load_attr(rq_import(MP_QSTR_ssl), MP_QSTR_create_default_context));
    #else
    *pool = rq_import(MP_QSTR_socket);
    *ssl_context = rq_default_ssl_context();
    #endif
}

static mp_obj_t rq_new_session(mp_obj_t pool, mp_obj_t ssl_context) {
    mp_obj_t args[2] = {pool, ssl_context};
    return MP_OBJ_TYPE_GET_SLOT(&rq_type_session, make_new)(&rq_type_session, 2, 0, args);
}

static mp_obj_t rq_default_session(void) {
    if (*rq_default_session_ref() == MP_OBJ_NULL) {
        mp_obj_t pool, ctx;
        rq_default_networking(&pool, &ctx);
        *rq_default_session_ref() = rq_new_session(pool, ctx);
    }
    return *rq_default_session_ref();
}

#endif // RQ_ENABLE_LEGACY_API

static void coprocessor_tls_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    rq_coprocessor_tls_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<CoprocessorTLS mode=%r>", self->mode);
}

MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_coprocessor_tls,
    MP_QSTR_CoprocessorTLS,
    MP_TYPE_FLAG_NONE,
    print, coprocessor_tls_print
    );

#if RQ_ENABLE_LEGACY_API
// The TLS for a set_socket interface: an AirLift (ESP32SPI) interface
// names its TLS_MODE, with which its sockets connect and do TLS on the
// coprocessor, as the original module-level API did; otherwise the
// firmware's.
static mp_obj_t rq_interface_tls(mp_obj_t iface) {
    if (iface != mp_const_none) {
        mp_obj_t dest[2];
        mp_load_method_maybe(iface, MP_QSTR_TLS_MODE, dest);
        if (dest[0] != MP_OBJ_NULL && dest[1] == MP_OBJ_NULL) {
            rq_coprocessor_tls_obj_t *o = mp_obj_malloc(rq_coprocessor_tls_obj_t, &rq_type_coprocessor_tls);
            o->mode = dest[0];
            return MP_OBJ_FROM_PTR(o);
        }
    }
    return rq_default_ssl_context();
}

static mp_obj_t mod_set_socket(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    enum { ARG_sock, ARG_iface };
    RQ_ARGS allowed[] = {
        { MP_QSTR_sock, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_iface, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    rq_parse_args(n_args, pos, kw, MP_ARRAY_SIZE(allowed), allowed, a);
    mp_obj_t sock = a[ARG_sock].u_obj;
    mp_obj_t iface = a[ARG_iface].u_obj;
    if (iface != mp_const_none) {
        mp_obj_t dest[3];
        mp_load_method_maybe(sock, MP_QSTR_set_interface, dest);
        if (dest[0] != MP_OBJ_NULL) {
            dest[2] = iface;
            mp_call_method_n_kw(1, 0, dest);
        }
    }
    mp_obj_t old = *rq_default_session_ref();
    if (old != MP_OBJ_NULL) {
        rq_err_t err = rq_session_close(&((rq_session_obj_t *)MP_OBJ_TO_PTR(old))->s);
        rq_raise_if(err);
    }
    // Only the TLS context may be the firmware's: the pool given here is
    // often the only networking a board has (no socket or wifi module).
    *rq_default_session_ref() = rq_new_session(sock, rq_interface_tls(iface));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_KW(rq_mod_set_socket_obj, 0, mod_set_socket);

static mp_obj_t mod_request(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    return rq_legacy_request(rq_default_session(), MP_OBJ_NULL, n_args, args, kw);
}
MP_DEFINE_CONST_FUN_OBJ_KW(rq_mod_request_obj, 0, mod_request);


#endif // RQ_ENABLE_LEGACY_API

// The request verbs: the method each names (a qstr is not a constant in a
// natmod, so not a table), and the one call that serves them all.
static mp_obj_t verb_method(uint8_t verb) {
    switch (verb) {
        case RQ_VERB_GET:
            return MP_OBJ_NEW_QSTR(MP_QSTR_GET);
        case RQ_VERB_POST:
            return MP_OBJ_NEW_QSTR(MP_QSTR_POST);
        case RQ_VERB_PUT:
            return MP_OBJ_NEW_QSTR(MP_QSTR_PUT);
        case RQ_VERB_PATCH:
            return MP_OBJ_NEW_QSTR(MP_QSTR_PATCH);
        case RQ_VERB_DELETE:
            return MP_OBJ_NEW_QSTR(MP_QSTR_DELETE);
        case RQ_VERB_HEAD:
            return MP_OBJ_NEW_QSTR(MP_QSTR_HEAD);
        default:
            return MP_OBJ_NEW_QSTR(MP_QSTR_OPTIONS);
    }
}

// As a builtin function with keywords: positional arguments, then the
// keyword pairs (self first for a Session's or AsyncSession's, which the
// type's MP_TYPE_FLAG_BINDS_SELF binds like a method's).
static mp_obj_t verb_call(mp_obj_t self_in, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    const rq_verb_obj_t *v = MP_OBJ_TO_PTR(self_in);
    mp_obj_t method = verb_method(v->verb);
    mp_map_t kw;
    mp_map_init_fixed_table(&kw, n_kw, args + n_args);
    #if RQ_ENABLE_LEGACY_API
    if (v->owner == RQ_VERBS_MODULE) {
        return rq_legacy_request(rq_default_session(), method, n_args, args, &kw);
    }
    #endif
    mp_arg_check_num(n_args, n_kw, 1, MP_OBJ_FUN_ARGS_MAX, true);
    #if RQ_ENABLE_ASYNC
    if (v->owner == RQ_VERBS_ASYNC) {
        return rq_async_request(args[0], method, n_args - 1, args + 1, &kw);
    }
    #endif
    return rq_session_do_request(args[0], method, n_args - 1, args + 1, &kw);
}

MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_verb,
    MP_QSTR_function,
    MP_TYPE_FLAG_BINDS_SELF,
    call, verb_call
    );

#define RQ_VERBS(owner) { \
        {{&rq_type_verb}, RQ_VERB_GET, owner}, \
        {{&rq_type_verb}, RQ_VERB_POST, owner}, \
        {{&rq_type_verb}, RQ_VERB_PUT, owner}, \
        {{&rq_type_verb}, RQ_VERB_PATCH, owner}, \
        {{&rq_type_verb}, RQ_VERB_DELETE, owner}, \
        {{&rq_type_verb}, RQ_VERB_HEAD, owner}, \
        {{&rq_type_verb}, RQ_VERB_OPTIONS, owner}, \
}

const rq_verb_obj_t rq_session_verbs[RQ_VERB_COUNT] = RQ_VERBS(RQ_VERBS_SESSION);
#if RQ_ENABLE_ASYNC
const rq_verb_obj_t rq_async_session_verbs[RQ_VERB_COUNT] = RQ_VERBS(RQ_VERBS_ASYNC);
#endif
#if RQ_ENABLE_LEGACY_API
const rq_verb_obj_t rq_module_verbs[RQ_VERB_COUNT] = RQ_VERBS(RQ_VERBS_MODULE);
#endif
