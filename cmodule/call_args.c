// Argument parsing for every public callable: mp_arg_parse_all, plus what
// CPython users are told and MicroPython leaves out — the name of an
// unexpected keyword, and a parameter given both by position and by keyword.
#include <string.h>

#include "py/runtime.h"
#include "rq_objects.h"

// Index of `name` in `allowed`, or -1.
static int rq_arg_index(mp_obj_t name, size_t n_allowed, const mp_arg_t *allowed) {
    size_t len;
    const char *s = mp_obj_str_get_data(name, &len);
    for (size_t i = 0; i < n_allowed; i++) {
        size_t qlen;
        const char *q = (const char *)qstr_data(allowed[i].qst, &qlen);
        if (qlen == len && memcmp(q, s, len) == 0) {
            return (int)i;
        }
    }
    return -1;
}

// A call without keywords whose positional arguments are all fine: filled
// without looking each parameter up in the (empty) keyword map, which
// mp_arg_parse_all does for every parameter. False: let mp_arg_parse_all
// decide (and word the error); `out` may be partly written then.
static bool rq_parse_positional(size_t n_pos, const mp_obj_t *pos, size_t n_allowed, const mp_arg_t *allowed, mp_arg_val_t *out) {
    if (n_pos > n_allowed) {
        return false;
    }
    for (size_t i = 0; i < n_allowed; i++) {
        if (i >= n_pos) {
            if (allowed[i].flags & MP_ARG_REQUIRED) {
                return false;
            }
            out[i] = allowed[i].defval;
            continue;
        }
        if (allowed[i].flags & MP_ARG_KW_ONLY) {
            return false;
        }
        switch (allowed[i].flags & MP_ARG_KIND_MASK) {
            case MP_ARG_BOOL:
                out[i].u_bool = mp_obj_is_true(pos[i]);
                break;
            case MP_ARG_INT:
                out[i].u_int = mp_obj_get_int(pos[i]);
                break;
            default:
                out[i].u_obj = pos[i];
                break;
        }
    }
    return true;
}

void rq_parse_args(size_t n_pos, const mp_obj_t *pos, mp_map_t *kw, size_t n_allowed, const mp_arg_t *allowed, mp_arg_val_t *out) {
    // Calls without keywords (the common case) pay nothing more.
    for (size_t i = 0; kw != NULL && i < kw->alloc; i++) {
        if (!mp_map_slot_is_filled(kw, i)) {
            continue;
        }
        mp_obj_t name = kw->table[i].key;
        int at = rq_arg_index(name, n_allowed, allowed);
        if (at < 0) {
            mp_raise_msg_varg(&mp_type_TypeError,
                MP_ERROR_TEXT("unexpected keyword argument '%s'"), mp_obj_str_get_str(name));
        }
        if ((size_t)at < n_pos) {
            mp_raise_msg_varg(&mp_type_TypeError,
                MP_ERROR_TEXT("got multiple values for argument '%s'"), mp_obj_str_get_str(name));
        }
    }
    if ((kw == NULL || kw->used == 0) && rq_parse_positional(n_pos, pos, n_allowed, allowed, out)) {
        return;
    }
    mp_map_t empty;
    if (kw == NULL) {
        mp_map_init(&empty, 0);
        kw = &empty;
    }
    mp_arg_parse_all(n_pos, pos, kw, n_allowed, allowed, out);
}

void rq_parse_args_kw_array(size_t n_pos, size_t n_kw, const mp_obj_t *args, size_t n_allowed, const mp_arg_t *allowed, mp_arg_val_t *out) {
    mp_map_t kw;
    mp_map_init_fixed_table(&kw, n_kw, args + n_pos);
    rq_parse_args(n_pos, args, &kw, n_allowed, allowed, out);
}
