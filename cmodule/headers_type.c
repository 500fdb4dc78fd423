// Response headers: a real dict (so dict(r.headers) copies it on MicroPython)
// with lower-case keys, whose lookups ignore the case of the name asked for.
#include <string.h>

#include "py/runtime.h"
#include "py/objstr.h"
#include "rq_objects.h"

mp_obj_t rq_lower_key(mp_obj_t key) {
    if (!mp_obj_is_str(key)) {
        return key;
    }
    size_t len;
    const char *p = mp_obj_str_get_data(key, &len);
    size_t i = 0;
    while (i < len && !unichar_isupper(p[i])) {
        i++;
    }
    if (i == len) {
        return key;
    }
    vstr_t v;
    vstr_init_len(&v, len);
    for (size_t j = 0; j < len; j++) {
        v.buf[j] = unichar_tolower(p[j]);
    }
    return mp_obj_new_str_from_vstr(&v);
}

static mp_map_t *headers_map(mp_obj_t self_in) {
    mp_obj_dict_t *d = MP_OBJ_TO_PTR(self_in);
    return &d->map;
}

static mp_obj_t headers_subscr(mp_obj_t self_in, mp_obj_t index, mp_obj_t value) {
    mp_obj_t key = rq_lower_key(index);
    mp_map_t *map = headers_map(self_in);
    if (value == MP_OBJ_SENTINEL) {
        mp_map_elem_t *e = mp_map_lookup(map, key, MP_MAP_LOOKUP);
        if (e == NULL) {
            mp_raise_type_arg(&mp_type_KeyError, index);
        }
        return e->value;
    }
    if (value == MP_OBJ_NULL) {
        mp_map_elem_t *e = mp_map_lookup(map, key, MP_MAP_LOOKUP_REMOVE_IF_FOUND);
        if (e == NULL) {
            mp_raise_type_arg(&mp_type_KeyError, index);
        }
        return mp_const_none;
    }
    mp_map_lookup(map, key, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = value;
    return mp_const_none;
}

static mp_obj_t headers_binary_op(mp_binary_op_t op, mp_obj_t lhs, mp_obj_t rhs) {
    if (op == MP_BINARY_OP_CONTAINS) {
        return mp_obj_new_bool(mp_map_lookup(headers_map(lhs), rq_lower_key(rhs), MP_MAP_LOOKUP) != NULL);
    }
    return MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, binary_op)(op, lhs, rhs);
}

static mp_obj_t headers_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    return MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, unary_op)(op, self_in);
}

static mp_obj_t headers_getiter(mp_obj_t self_in, mp_obj_iter_buf_t *iter_buf) {
    return ((mp_getiter_fun_t)MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, iter))(self_in, iter_buf);
}

static void headers_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, print)(print, self_in, kind);
}

static mp_obj_t headers_get(size_t n_args, const mp_obj_t *args) {
    mp_map_elem_t *e = mp_map_lookup(headers_map(args[0]), rq_lower_key(args[1]), MP_MAP_LOOKUP);
    if (e != NULL) {
        return e->value;
    }
    return n_args > 2 ? args[2] : mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(headers_get_obj, 2, 3, headers_get);

static mp_obj_t headers_get_all(mp_obj_t self_in, mp_obj_t name) {
    mp_obj_t key = rq_lower_key(name);
    mp_obj_t out = mp_obj_new_list(0, NULL);
    if (mp_obj_is_type(self_in, &rq_type_headers_multi)) {
        mp_obj_list_t *l = MP_OBJ_TO_PTR(((rq_headers_multi_obj_t *)MP_OBJ_TO_PTR(self_in))->multi);
        for (size_t i = 0; i + 1 < l->len; i += 2) {
            if (mp_obj_equal(l->items[i], key)) {
                mp_obj_list_append(out, l->items[i + 1]);
            }
        }
        if (((mp_obj_list_t *)MP_OBJ_TO_PTR(out))->len > 0) {
            return out;
        }
    }
    mp_map_elem_t *e = mp_map_lookup(headers_map(self_in), key, MP_MAP_LOOKUP);
    if (e != NULL) {
        mp_obj_list_append(out, e->value);
    }
    return out;
}
static MP_DEFINE_CONST_FUN_OBJ_2(headers_get_all_obj, headers_get_all);

// dict.copy would give a plain-sized dict of this type (for the multi type,
// without room for `multi`), so copies are plain dicts.
static mp_obj_t headers_copy(mp_obj_t self_in) {
    mp_map_t *map = headers_map(self_in);
    mp_obj_t out = mp_obj_new_dict(map->used);
    for (size_t i = 0; i < map->alloc; i++) {
        if (mp_map_slot_is_filled(map, i)) {
            mp_obj_dict_store(out, map->table[i].key, map->table[i].value);
        }
    }
    return out;
}
static MP_DEFINE_CONST_FUN_OBJ_1(headers_copy_obj, headers_copy);

static const mp_rom_map_elem_t headers_own_table[] = {
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&headers_get_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_all), MP_ROM_PTR(&headers_get_all_obj) },
    { MP_ROM_QSTR(MP_QSTR_copy), MP_ROM_PTR(&headers_copy_obj) },
};
static MP_DEFINE_CONST_DICT(headers_own, headers_own_table);

// Native types only search their own locals, so fall back to dict's
// methods (keys, items, values, pop, ...) by hand.
static void headers_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return;
    }
    mp_map_elem_t *e = mp_map_lookup((mp_map_t *)&headers_own.map, MP_OBJ_NEW_QSTR(attr), MP_MAP_LOOKUP);
    if (e == NULL) {
        const mp_obj_dict_t *dl = MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, locals_dict);
        e = mp_map_lookup((mp_map_t *)&dl->map, MP_OBJ_NEW_QSTR(attr), MP_MAP_LOOKUP);
    }
    if (e != NULL) {
        mp_convert_member_lookup(self_in, mp_obj_get_type(self_in), e->value, dest);
    }
}

#define RQ_HEADERS_TYPE(NAME) \
    MP_DEFINE_CONST_OBJ_TYPE( \
        NAME, \
        MP_QSTR_Headers, \
        MP_TYPE_FLAG_ITER_IS_GETITER, \
        make_new, mp_obj_dict_make_new, \
        print, headers_print, \
        unary_op, headers_unary_op, \
        binary_op, headers_binary_op, \
        subscr, headers_subscr, \
        iter, headers_getiter, \
        attr, headers_attr, \
        parent, &mp_type_dict \
        );

RQ_HEADERS_TYPE(rq_type_headers)
RQ_HEADERS_TYPE(rq_type_headers_multi)
