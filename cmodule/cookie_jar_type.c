// Session.cookies: the CookieJar type. Its state is one GC block of bytes
// that the Rust core reads and writes (src/glue/cookies.rs,
// src/engine/cookie_jar.rs); this file is the Python face of it, shaped like
// requests' RequestsCookieJar where a board can afford it.
#include <string.h>

#include "py/runtime.h"
#include "py/objstr.h"
#include "rq_shims.h"

typedef struct {
    mp_obj_base_t base;
    rq_jar_t j;
} rq_cookie_jar_obj_t;

rq_jar_t *rq_jar_state(rq_obj_t jar) {
    rq_cookie_jar_obj_t *o = MP_OBJ_TO_PTR(jar);
    return &o->j;
}

static mp_obj_t jar_new(void) {
    rq_cookie_jar_obj_t *o = mp_obj_malloc(rq_cookie_jar_obj_t, &rq_type_cookie_jar);
    o->j.buf = NULL;
    o->j.cap = 0;
    return MP_OBJ_FROM_PTR(o);
}

// The session's jar object, made on first use.
mp_obj_t rq_session_jar(rq_session_t *s) {
    if (s->cookies == MP_OBJ_NULL) {
        s->cookies = jar_new();
    }
    return s->cookies;
}

rq_err_t rq_jar_obtain(rq_obj_t session, rq_jar_t **out) {
    RQ_GUARD({
        rq_session_obj_t *so = MP_OBJ_TO_PTR(session);
        *out = rq_jar_state(rq_session_jar(&so->s));
    });
}

rq_err_t rq_jar_reserve(rq_jar_t *j, size_t cap) {
    RQ_GUARD({
        if (cap > j->cap) {
            uint8_t *nb = m_new(uint8_t, cap);
            if (j->cap > 0) {
                memcpy(nb, j->buf, j->cap);
            }
            memset(nb + j->cap, 0, cap - j->cap);
            uint8_t *old = j->buf;
            size_t old_cap = j->cap;
            j->buf = nb;
            j->cap = cap;
            if (old != NULL) {
                m_del(uint8_t, old, old_cap);
            }
        }
    });
}

static rq_bytes_t bytes_arg(mp_obj_t o) {
    if (!mp_obj_is_str(o)) {
        mp_raise_TypeError(MP_ERROR_TEXT("cookie names, values, domains and paths must be str"));
    }
    size_t len;
    const char *p = mp_obj_str_get_data(o, &len);
    rq_bytes_t b = { (const uint8_t *)p, len };
    return b;
}

// NULL for None (any).
static const rq_bytes_t *opt_arg(mp_obj_t o, rq_bytes_t *slot) {
    if (o == mp_const_none) {
        return NULL;
    }
    *slot = bytes_arg(o);
    return slot;
}

static mp_obj_t str_of(rq_bytes_t b) {
    return mp_obj_new_str((const char *)b.ptr, b.len);
}

// The value of the one cookie named so, MP_OBJ_NULL when none; several
// raise (requests' CookieConflictError is a RuntimeError).
static mp_obj_t jar_lookup(mp_obj_t self_in, mp_obj_t name, mp_obj_t domain, mp_obj_t path) {
    rq_jar_t *j = rq_jar_state(self_in);
    rq_bytes_t d, p, v = { NULL, 0 };
    rq_bytes_t n = bytes_arg(name);
    const rq_bytes_t *dp = opt_arg(domain, &d);
    const rq_bytes_t *pp = opt_arg(path, &p);
    rq_jar_len(j);  // drops expired cookies
    size_t found = rq_jar_find(j, n, dp, pp, &v);
    if (found == 0) {
        return MP_OBJ_NULL;
    }
    if (found > 1) {
        mp_raise_msg_varg(&mp_type_RuntimeError, MP_ERROR_TEXT("There are multiple cookies with name, '%s'"), mp_obj_str_get_str(name));
    }
    return str_of(v);
}

static mp_obj_t jar_get(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    enum { ARG_name, ARG_default, ARG_domain, ARG_path };
    RQ_ARGS allowed[] = {
        { MP_QSTR_name, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_default, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_domain, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_path, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    rq_parse_args(n_args - 1, args + 1, kw, MP_ARRAY_SIZE(allowed), allowed, a);
    mp_obj_t v = jar_lookup(args[0], a[ARG_name].u_obj, a[ARG_domain].u_obj, a[ARG_path].u_obj);
    return v == MP_OBJ_NULL ? a[ARG_default].u_obj : v;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(jar_get_obj, 1, jar_get);

static void jar_remove(mp_obj_t self_in, mp_obj_t name, mp_obj_t domain, mp_obj_t path) {
    rq_bytes_t n, d, p;
    const rq_bytes_t *np = opt_arg(name, &n);
    const rq_bytes_t *dp = opt_arg(domain, &d);
    const rq_bytes_t *pp = opt_arg(path, &p);
    rq_jar_remove(rq_jar_state(self_in), np, dp, pp);
}

// set(name, value, domain=None, path=None): as requests, a cookie without a
// domain goes to every host and path defaults to "/"; a None value removes.
static mp_obj_t jar_set(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    enum { ARG_name, ARG_value, ARG_domain, ARG_path };
    RQ_ARGS allowed[] = {
        { MP_QSTR_name, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_value, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_domain, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_path, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    rq_parse_args(n_args - 1, args + 1, kw, MP_ARRAY_SIZE(allowed), allowed, a);
    mp_obj_t self = args[0];
    if (a[ARG_value].u_obj == mp_const_none) {
        bytes_arg(a[ARG_name].u_obj);
        jar_remove(self, a[ARG_name].u_obj, a[ARG_domain].u_obj, a[ARG_path].u_obj);
        return mp_const_none;
    }
    rq_bytes_t d, p;
    rq_bytes_t n = bytes_arg(a[ARG_name].u_obj);
    rq_bytes_t v = bytes_arg(a[ARG_value].u_obj);
    const rq_bytes_t *dp = opt_arg(a[ARG_domain].u_obj, &d);
    const rq_bytes_t *pp = opt_arg(a[ARG_path].u_obj, &p);
    bool stored = false;
    rq_err_t err = rq_jar_set(rq_jar_state(self), n, v, dp, pp, &stored);
    rq_raise_if(err);
    if (!stored) {
        mp_raise_ValueError(MP_ERROR_TEXT("not a cookie the jar can keep (name, value or size)"));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(jar_set_obj, 3, jar_set);

// clear(domain=None, path=None, name=None), as http.cookiejar's.
static mp_obj_t jar_clear(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    enum { ARG_domain, ARG_path, ARG_name };
    RQ_ARGS allowed[] = {
        { MP_QSTR_domain, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_path, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_name, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    rq_parse_args(n_args - 1, args + 1, kw, MP_ARRAY_SIZE(allowed), allowed, a);
    jar_remove(args[0], a[ARG_name].u_obj, a[ARG_domain].u_obj, a[ARG_path].u_obj);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(jar_clear_obj, 1, jar_clear);

// 0: names, 1: values, 2: (name, value) pairs, 3: a dict.
static mp_obj_t jar_collect(mp_obj_t self_in, int kind) {
    rq_jar_t *j = rq_jar_state(self_in);
    size_t n = rq_jar_len(j);
    mp_obj_t out = kind == 3 ? mp_obj_new_dict(n) : mp_obj_new_list(0, NULL);
    for (size_t i = 0; i < n; i++) {
        rq_bytes_t parts[4];
        if (!rq_jar_nth(j, i, parts)) {
            break;
        }
        // Strings are made before the next lookup: an allocation may not
        // move the jar's block, but keep the order simple anyway.
        mp_obj_t name = str_of(parts[0]);
        mp_obj_t value = str_of(parts[1]);
        if (kind == 3) {
            mp_obj_dict_store(out, name, value);
        } else if (kind == 2) {
            mp_obj_t t[2] = { name, value };
            mp_obj_list_append(out, mp_obj_new_tuple(2, t));
        } else {
            mp_obj_list_append(out, kind == 0 ? name : value);
        }
    }
    return out;
}

static mp_obj_t jar_keys(mp_obj_t self_in) {
    return jar_collect(self_in, 0);
}
static MP_DEFINE_CONST_FUN_OBJ_1(jar_keys_obj, jar_keys);

static mp_obj_t jar_values(mp_obj_t self_in) {
    return jar_collect(self_in, 1);
}
static MP_DEFINE_CONST_FUN_OBJ_1(jar_values_obj, jar_values);

static mp_obj_t jar_items(mp_obj_t self_in) {
    return jar_collect(self_in, 2);
}
static MP_DEFINE_CONST_FUN_OBJ_1(jar_items_obj, jar_items);

static mp_obj_t jar_get_dict(mp_obj_t self_in) {
    return jar_collect(self_in, 3);
}
static MP_DEFINE_CONST_FUN_OBJ_1(jar_get_dict_obj, jar_get_dict);

static mp_obj_t jar_getiter(mp_obj_t self_in, mp_obj_iter_buf_t *iter_buf) {
    return mp_getiter(jar_collect(self_in, 0), iter_buf);
}

static mp_obj_t jar_subscr(mp_obj_t self_in, mp_obj_t index, mp_obj_t value) {
    if (value == MP_OBJ_SENTINEL) {
        mp_obj_t v = jar_lookup(self_in, index, mp_const_none, mp_const_none);
        if (v == MP_OBJ_NULL) {
            mp_raise_type_arg(&mp_type_KeyError, index);
        }
        return v;
    }
    if (value == MP_OBJ_NULL) {
        bytes_arg(index);
        jar_remove(self_in, index, mp_const_none, mp_const_none);
        return mp_const_none;
    }
    mp_obj_t args[3] = { self_in, index, value };
    return jar_set(3, args, NULL);
}

static mp_obj_t jar_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    size_t n = rq_jar_len(rq_jar_state(self_in));
    switch (op) {
        case MP_UNARY_OP_LEN:
            return MP_OBJ_NEW_SMALL_INT(n);
        case MP_UNARY_OP_BOOL:
            return mp_obj_new_bool(n > 0);
        default:
            return MP_OBJ_NULL;
    }
}

static mp_obj_t jar_binary_op(mp_binary_op_t op, mp_obj_t lhs, mp_obj_t rhs) {
    if (op != MP_BINARY_OP_CONTAINS) {
        return MP_OBJ_NULL;
    }
    if (!mp_obj_is_str(rhs)) {
        return mp_const_false;
    }
    rq_bytes_t v;
    rq_jar_t *j = rq_jar_state(lhs);
    rq_jar_len(j);
    return mp_obj_new_bool(rq_jar_find(j, bytes_arg(rhs), NULL, NULL, &v) > 0);
}

static void jar_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    mp_print_str(print, "<CookieJar ");
    mp_obj_print_helper(print, jar_collect(self_in, 3), PRINT_REPR);
    mp_print_str(print, ">");
}

static const mp_rom_map_elem_t jar_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&jar_get_obj) },
    { MP_ROM_QSTR(MP_QSTR_set), MP_ROM_PTR(&jar_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&jar_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_keys), MP_ROM_PTR(&jar_keys_obj) },
    { MP_ROM_QSTR(MP_QSTR_values), MP_ROM_PTR(&jar_values_obj) },
    { MP_ROM_QSTR(MP_QSTR_items), MP_ROM_PTR(&jar_items_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_dict), MP_ROM_PTR(&jar_get_dict_obj) },
};
static MP_DEFINE_CONST_DICT(jar_locals, jar_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_cookie_jar,
    MP_QSTR_CookieJar,
    MP_TYPE_FLAG_ITER_IS_GETITER,
    print, jar_print,
    unary_op, jar_unary_op,
    binary_op, jar_binary_op,
    subscr, jar_subscr,
    iter, jar_getiter,
    locals_dict, &jar_locals
    );
