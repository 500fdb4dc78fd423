// The Session type: argument parsing and registration. The request itself
// runs in the Rust core (rq_session_request).
#include <string.h>

#include "py/runtime.h"
#include "py/objstr.h"
#include "rq_objects.h"

#define RQ_DEFAULT_MAX_HEAD_BYTES (8192)
#define RQ_DEFAULT_MAX_HEADERS (48)

NORETURN void rq_raise(rq_err_t err) {
    nlr_raise(MP_OBJ_FROM_PTR(err));
}

void rq_raise_if(rq_err_t err) {
    if (err != NULL) {
        rq_raise(err);
    }
}

static mp_obj_t rq_self(mp_obj_t self_in) {
    return self_in;
}
MP_DEFINE_CONST_FUN_OBJ_1(rq_self_obj, rq_self);

static mp_obj_t session_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_socket_pool, ARG_ssl_context, ARG_session_id, ARG_max_header_bytes, ARG_max_headers };
    RQ_ARGS allowed[] = {
        { MP_QSTR_socket_pool, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_ssl_context, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_session_id, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_max_header_bytes, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = RQ_DEFAULT_MAX_HEAD_BYTES} },
        { MP_QSTR_max_headers, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = RQ_DEFAULT_MAX_HEADERS} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    rq_parse_args_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, args);
    if (args[ARG_max_header_bytes].u_int < 64 || args[ARG_max_headers].u_int < 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("header limits too small"));
    }
    // With a finaliser: a Session dropped without close() must not keep its
    // sockets (boards have 4-10 of them).
    rq_session_obj_t *o = mp_obj_malloc_with_finaliser(rq_session_obj_t, type);
    rq_session_init(&o->s, args[ARG_socket_pool].u_obj, args[ARG_ssl_context].u_obj);
    mp_obj_t sid = args[ARG_session_id].u_obj;
    // The reference keys sockets by str(session_id).
    if (sid != mp_const_none) {
        o->s.session_id = mp_obj_str_make_new(&mp_type_str, 1, 0, &sid);
    }
    o->s.max_head_bytes = args[ARG_max_header_bytes].u_int;
    o->s.max_headers = args[ARG_max_headers].u_int;
    return MP_OBJ_FROM_PTR(o);
}

// Every session's state at its defaults: no session_id, the default
// header limits (Session, AsyncSession and Response(sock)'s private one).
void rq_session_init(rq_session_t *s, mp_obj_t pool, mp_obj_t ssl_context) {
    memset(s, 0, sizeof(*s));
    s->pool = pool;
    s->ssl_context = ssl_context;
    s->session_id = mp_const_none;
    s->max_head_bytes = RQ_DEFAULT_MAX_HEAD_BYTES;
    s->max_headers = RQ_DEFAULT_MAX_HEADERS;
}

mp_obj_t rq_session_new_private(void) {
    rq_session_obj_t *o = mp_obj_malloc(rq_session_obj_t, &rq_type_session);
    rq_session_init(&o->s, mp_const_none, mp_const_none);
    return MP_OBJ_FROM_PTR(o);
}

// The reference's parameters in its positional order, then ours (keyword
// only). A verb fixes the method and parses from `url` on (the table + 1),
// so every parameter goes by position or by keyword, as in the reference.
enum {
    ARG_method, ARG_url, ARG_data, ARG_json, ARG_headers, ARG_stream, ARG_timeout,
    ARG_allow_redirects, ARG_files, ARG_params, ARG_auth, ARG_cookies, ARG__count
};


// A timeout as the socket will get it, and its milliseconds (-1: none).
// Rust decides (engine::timeout): negative or NaN is a ValueError naming the
// value; beyond what sockets accept, a capped float replaces it.
static mp_obj_t rq_normalize_timeout(mp_obj_t t, int32_t *ms) {
    if (t == mp_const_none) {
        *ms = -1;
        return t;
    }
    if (mp_obj_is_small_int(t)) {
        // Whole seconds in range: exact milliseconds, no float needed.
        mp_int_t v = MP_OBJ_SMALL_INT_VALUE(t);
        if (v >= 0 && v <= 2000000) {
            *ms = (int32_t)(v * 1000);
            return t;
        }
    }
    if (!mp_obj_is_int(t)
        #if MICROPY_PY_BUILTINS_FLOAT
        && !mp_obj_is_float(t)
        #endif
        ) {
        mp_raise_TypeError(MP_ERROR_TEXT("timeout must be a number, None or a (connect, read) tuple"));
    }
    #if MICROPY_PY_BUILTINS_FLOAT
    double secs = (double)mp_obj_get_float(t);
    #else
    double secs = (double)mp_obj_get_int(t);
    #endif
    double capped = secs;
    int verdict = rq_timeout_check(secs, &capped, ms);
    if (verdict < 0) {
        vstr_t v;
        mp_print_t print;
        vstr_init_print(&v, 48, &print);
        mp_print_str(&print, "timeout must be None or a number >= 0, not ");
        mp_obj_print_helper(&print, t, PRINT_REPR);
        mp_raise_type_arg(&mp_type_ValueError, mp_obj_new_str_from_vstr(&v));
    }
    if (verdict > 0) {
        #if MICROPY_PY_BUILTINS_FLOAT
        return mp_obj_new_float((mp_float_t)capped);
        #else
        return MP_OBJ_NEW_SMALL_INT((mp_int_t)capped);
        #endif
    }
    return t;
}

// `method` is MP_OBJ_NULL when the caller gives it (request()), else the
// verb's; `pos` and `kw` are the call's arguments after self. `default_timeout`
// is 60 for Session and AsyncSession, 1 for the legacy module-level functions.
void rq_parse_request_args(mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw, mp_obj_t default_timeout, rq_request_args_t *out) {
    RQ_ARGS request_allowed[] = {
        { MP_QSTR_method, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_url, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_data, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_json, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_headers, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_stream, MP_ARG_BOOL, {.u_bool = false} },
        { MP_QSTR_timeout, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_allow_redirects, MP_ARG_BOOL, {.u_bool = true} },
        { MP_QSTR_files, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_params, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_auth, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_cookies, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t all[ARG__count];
    mp_arg_val_t *a = all;
    if (method != MP_OBJ_NULL && n_pos == 1 && (kw == NULL || kw->used == 0)) {
        // s.get(url), the usual call: every other parameter at its default.
        for (size_t i = ARG_data; i < ARG__count; i++) {
            all[i] = request_allowed[i].defval;
        }
        all[ARG_url].u_obj = pos[0];
    } else {
        // For a verb, `all` is filled from ARG_url on, so ARG_* still index it.
        size_t skip = method == MP_OBJ_NULL ? 0 : 1;
        rq_parse_args(n_pos, pos, kw, ARG__count - skip, request_allowed + skip, all + skip);
    }
    if (method == MP_OBJ_NULL) {
        method = a[ARG_method].u_obj;
    }
    if (!mp_obj_is_str(method)) {
        mp_raise_TypeError(MP_ERROR_TEXT("method must be a str"));
    }
    if (!mp_obj_is_str(a[ARG_url].u_obj)) {
        mp_raise_TypeError(MP_ERROR_TEXT("url must be a str"));
    }
    rq_request_args_t r;
    memset(&r, 0, sizeof(r));
    r.method = method;
    r.url = a[ARG_url].u_obj;
    r.data = a[ARG_data].u_obj;
    r.json = a[ARG_json].u_obj;
    r.headers = a[ARG_headers].u_obj;
    r.files = a[ARG_files].u_obj;
    r.params = a[ARG_params].u_obj;
    r.auth = a[ARG_auth].u_obj;
    r.cookies = a[ARG_cookies].u_obj;
    r.stream = a[ARG_stream].u_bool;
    r.allow_redirects = a[ARG_allow_redirects].u_bool;
    mp_obj_t t = a[ARG_timeout].u_obj == MP_OBJ_NULL ? default_timeout : a[ARG_timeout].u_obj;
    if (mp_obj_is_type(t, &mp_type_tuple)) {
        size_t n;
        mp_obj_t *items;
        mp_obj_tuple_get(t, &n, &items);
        if (n != 2) {
            mp_raise_ValueError(MP_ERROR_TEXT("timeout tuple must be (connect, read)"));
        }
        r.connect_timeout = items[0];
        r.read_timeout = items[1];
    } else {
        r.connect_timeout = t;
        r.read_timeout = t;
    }
    // One timeout for both (the usual case) is checked once.
    bool same = r.connect_timeout == r.read_timeout;
    r.connect_timeout = rq_normalize_timeout(r.connect_timeout, &r.connect_timeout_ms);
    if (same) {
        r.read_timeout = r.connect_timeout;
        r.read_timeout_ms = r.connect_timeout_ms;
    } else {
        r.read_timeout = rq_normalize_timeout(r.read_timeout, &r.read_timeout_ms);
    }
    *out = r;
}

static mp_obj_t rq_request_impl(mp_obj_t session, mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw, mp_obj_t default_timeout) {
    rq_request_args_t r;
    rq_parse_request_args(method, n_pos, pos, kw, default_timeout, &r);
    rq_session_obj_t *s = MP_OBJ_TO_PTR(session);
    rq_session_state_apply(&s->s, &r);
    rq_err_t err = NULL;
    mp_obj_t resp = rq_session_request(&s->s, session, &r, &err);
    if (resp == MP_OBJ_NULL) {
        rq_raise(err);
    }
    rq_response_note_request_headers(resp, r.headers);
    return resp;
}

mp_obj_t rq_session_do_request(mp_obj_t session, mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw) {
    return rq_request_impl(session, method, n_pos, pos, kw, MP_OBJ_NEW_SMALL_INT(60));
}

mp_obj_t rq_legacy_request(mp_obj_t session, mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw) {
    // The module-level functions keep no state between calls (SPEC §12).
    ((rq_session_obj_t *)MP_OBJ_TO_PTR(session))->s.stateless = true;
    return rq_request_impl(session, method, n_pos, pos, kw, MP_OBJ_NEW_SMALL_INT(1));
}

static mp_obj_t session_request(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    return rq_session_do_request(args[0], MP_OBJ_NULL, n_args - 1, args + 1, kw);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(session_request_obj, 1, session_request);

static mp_obj_t session_close(mp_obj_t self_in) {
    rq_session_obj_t *s = MP_OBJ_TO_PTR(self_in);
    rq_err_t err = rq_session_close(&s->s);
    rq_raise_if(err);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(session_close_obj, session_close);

// Runs inside a collection: allocation fails there and the objects it
// reaches are unreachable from Python, so it only closes sockets.
static mp_obj_t session_del(mp_obj_t self_in) {
    rq_session_obj_t *s = MP_OBJ_TO_PTR(self_in);
    rq_session_finalise(&s->s);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(session_del_obj, session_del);

static mp_obj_t session_exit(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    return session_close(args[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(session_exit_obj, 1, 4, session_exit);

static void session_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    rq_session_obj_t *s = MP_OBJ_TO_PTR(self_in);
    rq_session_state_attr(self_in, &s->s, attr, dest);
}

static const mp_rom_map_elem_t session_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_request), MP_ROM_PTR(&session_request_obj) },
    RQ_VERB_ENTRIES(rq_session_verbs),
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&session_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&rq_self_obj) },
    { MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&session_exit_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&session_del_obj) },
};
static MP_DEFINE_CONST_DICT(session_locals, session_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_session,
    MP_QSTR_Session,
    MP_TYPE_FLAG_NONE,
    make_new, session_make_new,
    attr, session_attr,
    locals_dict, &session_locals
    );
