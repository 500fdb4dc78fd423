// Response headers: a dict whose keys are lower-case header names and whose
// lookups ignore the case of the name asked for.
//
// Why every operation is implemented here rather than borrowed from dict:
// the type must pass both firmwares' "is this a dict" test (its make_new is
// mp_obj_dict_make_new, its parent dict), so that dict(h), d.update(h), **h
// and isinstance(h, dict) copy or accept it through its map. But dict's own
// slot functions and methods reach a subclass's storage differently on the
// two firmwares: MicroPython reads the object as an mp_obj_dict_t, while
// CircuitPython's objdict.c goes through mp_obj_cast_to_native_base(), which
// takes any object of a dict subclass for a Python-level instance and
// follows its subobj[0]. Handing a Headers object to dict's code is correct
// on one of them only. So Headers never does: its slots and its methods
// all work on the map at the dict's offset, which both firmwares' code that
// reads a dict-like argument directly (dict(h), update, **h) also uses.
//
// The layout adds what CircuitPython's cast expects anyway: right after the
// dict sits a word at the offset of mp_obj_instance_t.subobj[0] (members is
// the map), pointing back to the object, so C code elsewhere that is handed
// a Headers as a dict and calls dict's C API on it (mp_obj_dict_get,
// mp_obj_dict_store, ...) lands on the right map on CircuitPython too.
// Python code cannot get there: both firmwares refuse dict.keys(h) and the
// like, a Headers not being a dict to dict's own methods. With `multi`
// after it, a Headers is 24 bytes on 32-bit ports and 48 on 64-bit: two GC
// blocks, one more than a plain dict.
//
// Objects made by dict's constructor for this type (type(h)()) are only
// dict-sized; everything here checks the allocation's size before reading
// past the dict.
#include <stddef.h>
#include <string.h>

#include "py/builtin.h"
#include "py/gc.h"
#include "py/objstr.h"
#include "py/objtype.h"
#include "py/runtime.h"
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

rq_headers_obj_t *rq_headers_alloc(size_t n) {
    // The self word must be where CircuitPython's cast looks for the
    // native base.
    MP_STATIC_ASSERT(offsetof(mp_obj_instance_t, members) == offsetof(mp_obj_dict_t, map));
    MP_STATIC_ASSERT(offsetof(rq_headers_obj_t, native) == offsetof(mp_obj_instance_t, subobj));
    rq_headers_obj_t *h = mp_obj_malloc(rq_headers_obj_t, &rq_type_headers);
    mp_map_init(&h->dict.map, n);
    h->native = MP_OBJ_FROM_PTR(h);
    h->multi = MP_OBJ_NULL;
    return h;
}

// The Headers object behind self: self itself, or on CircuitPython the
// native part of a Python-level subclass instance, which its native
// methods are handed. Anything else is a caller's error.
static mp_obj_dict_t *headers_dict(mp_obj_t self_in) {
    mp_obj_t native = mp_obj_cast_to_native_base(self_in, MP_OBJ_FROM_PTR(&rq_type_headers));
    if (native == MP_OBJ_NULL) {
        mp_raise_TypeError(MP_ERROR_TEXT("Headers method needs a Headers object"));
    }
    return MP_OBJ_TO_PTR(native);
}

static mp_map_t *headers_map(mp_obj_t self_in) {
    return &headers_dict(self_in)->map;
}

// The repeated-name list, when the object is one this module allocated and
// a name came more than once. (A dict-sized object whose GC blocks have
// room to spare reads MP_OBJ_NULL there: the GC zeroes what a request
// leaves of its last block.)
static mp_obj_t headers_multi(mp_obj_dict_t *d) {
    if (gc_nbytes(d) < sizeof(rq_headers_obj_t)) {
        return MP_OBJ_NULL;
    }
    return ((rq_headers_obj_t *)d)->multi;
}

// Headers and plain dicts: objects whose map can be read as a dict's.
static bool is_dict_like(mp_obj_t o) {
    return mp_obj_is_type(o, &mp_type_dict) || mp_obj_is_type(o, &rq_type_headers);
}

// A name set or removed after the response no longer has the values it was
// received with: get_all must not report them.
static void headers_forget(mp_obj_dict_t *d, mp_obj_t key) {
    mp_obj_t multi = headers_multi(d);
    if (multi == MP_OBJ_NULL) {
        return;
    }
    mp_obj_list_t *l = MP_OBJ_TO_PTR(multi);
    size_t kept = 0;
    for (size_t i = 0; i + 1 < l->len; i += 2) {
        if (!mp_obj_equal(l->items[i], key)) {
            l->items[kept] = l->items[i];
            l->items[kept + 1] = l->items[i + 1];
            kept += 2;
        }
    }
    for (size_t i = kept; i < l->len; i++) {
        l->items[i] = MP_OBJ_NULL;
    }
    l->len = kept;
}

// The entry for a lower-cased name: stored as such, or, when dict's own
// code put it there in another case (type(h)(...) on MicroPython), any str
// key equal to it ignoring case.
static mp_map_elem_t *headers_find(mp_map_t *map, mp_obj_t lower) {
    mp_map_elem_t *e = mp_map_lookup(map, lower, MP_MAP_LOOKUP);
    if (e != NULL || !mp_obj_is_str(lower)) {
        return e;
    }
    size_t n;
    const char *want = mp_obj_str_get_data(lower, &n);
    for (size_t i = 0; i < map->alloc; i++) {
        if (!mp_map_slot_is_filled(map, i) || !mp_obj_is_str(map->table[i].key)) {
            continue;
        }
        size_t kn;
        const char *k = mp_obj_str_get_data(map->table[i].key, &kn);
        size_t j = 0;
        while (kn == n && j < n && (unichar)unichar_tolower(k[j]) == (unichar)want[j]) {
            j++;
        }
        if (kn == n && j == n) {
            return &map->table[i];
        }
    }
    return NULL;
}

// Removes the entry for a lower-cased name; false when there is none.
static bool headers_remove(mp_obj_dict_t *d, mp_obj_t lower, mp_obj_t *value) {
    mp_map_elem_t *e = headers_find(&d->map, lower);
    if (e == NULL) {
        return false;
    }
    *value = e->value;
    mp_map_lookup(&d->map, e->key, MP_MAP_LOOKUP_REMOVE_IF_FOUND);
    headers_forget(d, lower);
    return true;
}

static void headers_store(mp_obj_dict_t *d, mp_obj_t key, mp_obj_t value) {
    key = rq_lower_key(key);
    headers_forget(d, key);
    // One entry per name: a same name in another case gives way.
    mp_map_elem_t *e = headers_find(&d->map, key);
    if (e != NULL && !mp_obj_equal(e->key, key)) {
        mp_map_lookup(&d->map, e->key, MP_MAP_LOOKUP_REMOVE_IF_FOUND);
    }
    mp_map_lookup(&d->map, key, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = value;
}

// dict.update's arguments: another dict-like object, or an iterable of
// pairs, then keyword arguments; every key lower-cased.
static void headers_update_from(mp_obj_dict_t *d, mp_obj_t src) {
    if (is_dict_like(src)) {
        mp_map_t *other = mp_obj_dict_get_map(src);
        if (other == &d->map) {
            return;
        }
        for (size_t i = 0; i < other->alloc; i++) {
            if (mp_map_slot_is_filled(other, i)) {
                headers_store(d, other->table[i].key, other->table[i].value);
            }
        }
        return;
    }
    mp_obj_t iter = mp_getiter(src, NULL);
    mp_obj_t item;
    while ((item = mp_iternext(iter)) != MP_OBJ_STOP_ITERATION) {
        mp_obj_t *kv;
        mp_obj_get_array_fixed_n(item, 2, &kv);
        headers_store(d, kv[0], kv[1]);
    }
}

static mp_obj_t headers_update(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    mp_obj_dict_t *d = headers_dict(args[0]);
    mp_arg_check_num(n_args, kw->used, 1, 2, true);
    if (n_args == 2) {
        headers_update_from(d, args[1]);
    }
    for (size_t i = 0; i < kw->alloc; i++) {
        if (mp_map_slot_is_filled(kw, i)) {
            headers_store(d, kw->table[i].key, kw->table[i].value);
        }
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(headers_update_obj, 1, headers_update);

static mp_obj_t headers_copy(mp_obj_t self_in) {
    mp_obj_dict_t *d = headers_dict(self_in);
    rq_headers_obj_t *out = rq_headers_alloc(d->map.used);
    headers_update_from(&out->dict, MP_OBJ_FROM_PTR(d));
    mp_obj_t multi = headers_multi(d);
    if (multi != MP_OBJ_NULL) {
        size_t len;
        mp_obj_t *items;
        mp_obj_list_get(multi, &len, &items);
        out->multi = mp_obj_new_list(len, items);
    }
    return MP_OBJ_FROM_PTR(out);
}
static MP_DEFINE_CONST_FUN_OBJ_1(headers_copy_obj, headers_copy);

// A classmethod: the class is Headers (or a Python subclass, which gets a
// Headers too: its own constructor is not ours to call).
static mp_obj_t headers_fromkeys(size_t n_args, const mp_obj_t *args) {
    mp_obj_t value = n_args > 2 ? args[2] : mp_const_none;
    mp_obj_t len = mp_obj_len_maybe(args[1]);
    rq_headers_obj_t *out = rq_headers_alloc(len == MP_OBJ_NULL ? 0 : (size_t)MP_OBJ_SMALL_INT_VALUE(len));
    mp_obj_t iter = mp_getiter(args[1], NULL);
    mp_obj_t key;
    while ((key = mp_iternext(iter)) != MP_OBJ_STOP_ITERATION) {
        headers_store(&out->dict, key, value);
    }
    return MP_OBJ_FROM_PTR(out);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(headers_fromkeys_fun_obj, 2, 3, headers_fromkeys);
static MP_DEFINE_CONST_CLASSMETHOD_OBJ(headers_fromkeys_obj, MP_ROM_PTR(&headers_fromkeys_fun_obj));

static mp_obj_t headers_get(size_t n_args, const mp_obj_t *args) {
    mp_map_elem_t *e = headers_find(headers_map(args[0]), rq_lower_key(args[1]));
    if (e != NULL) {
        return e->value;
    }
    return n_args > 2 ? args[2] : mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(headers_get_obj, 2, 3, headers_get);

static mp_obj_t headers_pop(size_t n_args, const mp_obj_t *args) {
    mp_obj_t value;
    if (headers_remove(headers_dict(args[0]), rq_lower_key(args[1]), &value)) {
        return value;
    }
    if (n_args < 3) {
        mp_raise_type_arg(&mp_type_KeyError, args[1]);
    }
    return args[2];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(headers_pop_obj, 2, 3, headers_pop);

static mp_obj_t headers_setdefault(size_t n_args, const mp_obj_t *args) {
    mp_obj_dict_t *d = headers_dict(args[0]);
    mp_obj_t key = rq_lower_key(args[1]);
    mp_map_elem_t *e = headers_find(&d->map, key);
    if (e != NULL) {
        return e->value;
    }
    mp_obj_t value = n_args > 2 ? args[2] : mp_const_none;
    headers_store(d, key, value);
    return value;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(headers_setdefault_obj, 2, 3, headers_setdefault);

static mp_obj_t headers_popitem(mp_obj_t self_in) {
    mp_obj_dict_t *d = headers_dict(self_in);
    mp_map_t *map = &d->map;
    for (size_t i = 0; i < map->alloc; i++) {
        if (mp_map_slot_is_filled(map, i)) {
            mp_obj_t kv[2] = { map->table[i].key, map->table[i].value };
            mp_map_lookup(map, kv[0], MP_MAP_LOOKUP_REMOVE_IF_FOUND);
            headers_forget(d, kv[0]);
            return mp_obj_new_tuple(2, kv);
        }
    }
    mp_raise_msg(&mp_type_KeyError, MP_ERROR_TEXT("popitem(): Headers is empty"));
}
static MP_DEFINE_CONST_FUN_OBJ_1(headers_popitem_obj, headers_popitem);

static mp_obj_t headers_clear(mp_obj_t self_in) {
    mp_obj_dict_t *d = headers_dict(self_in);
    mp_map_clear(&d->map);
    if (headers_multi(d) != MP_OBJ_NULL) {
        ((rq_headers_obj_t *)d)->multi = MP_OBJ_NULL;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(headers_clear_obj, headers_clear);

mp_obj_t rq_headers_get_all(mp_obj_t self_in, mp_obj_t name) {
    mp_obj_dict_t *d = headers_dict(self_in);
    mp_obj_t key = rq_lower_key(name);
    mp_obj_t out = mp_obj_new_list(0, NULL);
    mp_map_elem_t *e = headers_find(&d->map, key);
    if (e == NULL) {
        return out;
    }
    mp_obj_t multi = headers_multi(d);
    if (multi != MP_OBJ_NULL) {
        size_t len;
        mp_obj_t *items;
        mp_obj_list_get(multi, &len, &items);
        for (size_t i = 0; i + 1 < len; i += 2) {
            if (mp_obj_equal(items[i], key)) {
                mp_obj_list_append(out, items[i + 1]);
            }
        }
        if (((mp_obj_list_t *)MP_OBJ_TO_PTR(out))->len > 0) {
            return out;
        }
    }
    mp_obj_list_append(out, e->value);
    return out;
}
static MP_DEFINE_CONST_FUN_OBJ_2(headers_get_all_obj, rq_headers_get_all);

// ---- keys(), values(), items() and iteration ----

// keys, values and items are lists: dict's views would read the map
// through dict's code (see the top of this file).
enum { VIEW_KEYS, VIEW_VALUES, VIEW_ITEMS };

static mp_obj_t headers_list(mp_obj_t self_in, int kind) {
    mp_map_t *map = headers_map(self_in);
    mp_obj_t out = mp_obj_new_list(0, NULL);
    for (size_t i = 0; i < map->alloc; i++) {
        if (!mp_map_slot_is_filled(map, i)) {
            continue;
        }
        mp_map_elem_t *e = &map->table[i];
        if (kind == VIEW_KEYS) {
            mp_obj_list_append(out, e->key);
        } else if (kind == VIEW_VALUES) {
            mp_obj_list_append(out, e->value);
        } else {
            mp_obj_t kv[2] = { e->key, e->value };
            mp_obj_list_append(out, mp_obj_new_tuple(2, kv));
        }
    }
    return out;
}

static mp_obj_t headers_keys(mp_obj_t self_in) {
    return headers_list(self_in, VIEW_KEYS);
}
static MP_DEFINE_CONST_FUN_OBJ_1(headers_keys_obj, headers_keys);

static mp_obj_t headers_values(mp_obj_t self_in) {
    return headers_list(self_in, VIEW_VALUES);
}
static MP_DEFINE_CONST_FUN_OBJ_1(headers_values_obj, headers_values);

static mp_obj_t headers_items(mp_obj_t self_in) {
    return headers_list(self_in, VIEW_ITEMS);
}
static MP_DEFINE_CONST_FUN_OBJ_1(headers_items_obj, headers_items);

typedef struct {
    mp_obj_base_t base;
    mp_fun_1_t iternext;
    mp_obj_t dict;
    size_t cur;
} headers_it_t;

static mp_obj_t headers_it_next(mp_obj_t self_in) {
    headers_it_t *it = MP_OBJ_TO_PTR(self_in);
    mp_map_t *map = mp_obj_dict_get_map(it->dict);
    while (it->cur < map->alloc) {
        size_t i = it->cur++;
        if (mp_map_slot_is_filled(map, i)) {
            return map->table[i].key;
        }
    }
    return MP_OBJ_STOP_ITERATION;
}

static mp_obj_t headers_getiter(mp_obj_t self_in, mp_obj_iter_buf_t *iter_buf) {
    MP_STATIC_ASSERT(sizeof(headers_it_t) <= sizeof(mp_obj_iter_buf_t));
    headers_it_t *it = (headers_it_t *)iter_buf;
    it->base.type = &mp_type_polymorph_iter;
    it->iternext = headers_it_next;
    it->dict = MP_OBJ_FROM_PTR(headers_dict(self_in));
    it->cur = 0;
    return MP_OBJ_FROM_PTR(it);
}

// ---- slots ----

static mp_obj_t headers_subscr(mp_obj_t self_in, mp_obj_t index, mp_obj_t value) {
    mp_obj_dict_t *d = headers_dict(self_in);
    mp_map_t *map = &d->map;
    mp_obj_t key = rq_lower_key(index);
    if (value == MP_OBJ_SENTINEL) {
        mp_map_elem_t *e = headers_find(map, key);
        if (e == NULL) {
            mp_raise_type_arg(&mp_type_KeyError, index);
        }
        return e->value;
    }
    if (value == MP_OBJ_NULL) {
        mp_obj_t old;
        if (!headers_remove(d, key, &old)) {
            mp_raise_type_arg(&mp_type_KeyError, index);
        }
        return mp_const_none;
    }
    headers_store(d, key, value);
    return mp_const_none;
}

static mp_obj_t headers_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    mp_map_t *map = headers_map(self_in);
    switch (op) {
        case MP_UNARY_OP_BOOL:
            return mp_obj_new_bool(map->used != 0);
        case MP_UNARY_OP_LEN:
            return MP_OBJ_NEW_SMALL_INT(map->used);
        default:
            return MP_OBJ_NULL;
    }
}

// Same keys and equal values; keys compare as stored (lower-case here).
static bool headers_equal(mp_map_t *a, mp_map_t *b) {
    if (a->used != b->used) {
        return false;
    }
    for (size_t i = 0; i < a->alloc; i++) {
        if (mp_map_slot_is_filled(a, i)) {
            mp_map_elem_t *e = mp_map_lookup(b, a->table[i].key, MP_MAP_LOOKUP);
            if (e == NULL || !mp_obj_equal(a->table[i].value, e->value)) {
                return false;
            }
        }
    }
    return true;
}

static mp_obj_t headers_binary_op(mp_binary_op_t op, mp_obj_t lhs, mp_obj_t rhs) {
    mp_map_t *map = headers_map(lhs);
    switch (op) {
        case MP_BINARY_OP_CONTAINS:
            return mp_obj_new_bool(headers_find(map, rq_lower_key(rhs)) != NULL);
        case MP_BINARY_OP_EQUAL:
            // MP_TYPE_FLAG_EQ_CHECKS_OTHER_TYPE brings dict == headers here
            // too, with the operands swapped.
            if (!is_dict_like(rhs)) {
                return mp_const_false;
            }
            return mp_obj_new_bool(headers_equal(map, mp_obj_dict_get_map(rhs)));
        case MP_BINARY_OP_OR:
        case MP_BINARY_OP_INPLACE_OR: {
            if (!is_dict_like(rhs)) {
                return MP_OBJ_NULL;
            }
            mp_obj_t out = op == MP_BINARY_OP_OR ? headers_copy(lhs) : lhs;
            headers_update_from(headers_dict(out), rhs);
            return out;
        }
        default:
            return MP_OBJ_NULL;
    }
}

// As dict prints, in repr and in JSON (json.dumps).
static void headers_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    mp_map_t *map = headers_map(self_in);
    const char *item_sep = ", ";
    const char *key_sep = ": ";
    // A natmod is built without the firmware's configuration, and only a
    // json module asks for PRINT_JSON.
    bool json = (MICROPY_PY_JSON || RQ_NATMOD) && kind == PRINT_JSON;
    if (!json) {
        kind = PRINT_REPR;
    }
    #if MICROPY_PY_JSON_SEPARATORS
    if (json) {
        item_sep = MP_PRINT_GET_EXT(print)->item_separator;
        key_sep = MP_PRINT_GET_EXT(print)->key_separator;
    }
    #endif
    mp_print_str(print, "{");
    bool first = true;
    for (size_t i = 0; i < map->alloc; i++) {
        if (!mp_map_slot_is_filled(map, i)) {
            continue;
        }
        if (!first) {
            mp_print_str(print, item_sep);
        }
        first = false;
        // JSON object keys are strings: other keys are quoted, as dict does.
        bool quote = json && !mp_obj_is_str_or_bytes(map->table[i].key);
        if (quote) {
            mp_print_str(print, "\"");
        }
        mp_obj_print_helper(print, map->table[i].key, kind);
        if (quote) {
            mp_print_str(print, "\"");
        }
        mp_print_str(print, key_sep);
        mp_obj_print_helper(print, map->table[i].value, kind);
    }
    mp_print_str(print, "}");
}

static const mp_rom_map_elem_t headers_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&headers_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_copy), MP_ROM_PTR(&headers_copy_obj) },
    { MP_ROM_QSTR(MP_QSTR_fromkeys), MP_ROM_PTR(&headers_fromkeys_obj) },
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&headers_get_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_all), MP_ROM_PTR(&headers_get_all_obj) },
    { MP_ROM_QSTR(MP_QSTR_items), MP_ROM_PTR(&headers_items_obj) },
    { MP_ROM_QSTR(MP_QSTR_keys), MP_ROM_PTR(&headers_keys_obj) },
    { MP_ROM_QSTR(MP_QSTR_pop), MP_ROM_PTR(&headers_pop_obj) },
    { MP_ROM_QSTR(MP_QSTR_popitem), MP_ROM_PTR(&headers_popitem_obj) },
    { MP_ROM_QSTR(MP_QSTR_setdefault), MP_ROM_PTR(&headers_setdefault_obj) },
    { MP_ROM_QSTR(MP_QSTR_update), MP_ROM_PTR(&headers_update_obj) },
    { MP_ROM_QSTR(MP_QSTR_values), MP_ROM_PTR(&headers_values_obj) },
    // Through the subscr slot; `**h` on MicroPython reads a non-dict
    // mapping with keys() and __getitem__.
    { MP_ROM_QSTR(MP_QSTR___getitem__), MP_ROM_PTR(&mp_op_getitem_obj) },
    { MP_ROM_QSTR(MP_QSTR___setitem__), MP_ROM_PTR(&mp_op_setitem_obj) },
    { MP_ROM_QSTR(MP_QSTR___delitem__), MP_ROM_PTR(&mp_op_delitem_obj) },
};
static MP_DEFINE_CONST_DICT(headers_locals, headers_locals_table);

// CircuitPython's json.dumps prints only types flagged as JSON-printable.
#ifdef MP_TYPE_FLAG_PRINT_JSON
#define RQ_HEADERS_JSON_FLAG MP_TYPE_FLAG_PRINT_JSON
#else
#define RQ_HEADERS_JSON_FLAG 0
#endif

// make_new and parent are dict's so that both firmwares treat a Headers as
// a dict where they read one directly; see the top of this file.
MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_headers,
    MP_QSTR_Headers,
    MP_TYPE_FLAG_ITER_IS_GETITER | MP_TYPE_FLAG_EQ_CHECKS_OTHER_TYPE | RQ_HEADERS_JSON_FLAG,
    make_new, mp_obj_dict_make_new,
    print, headers_print,
    unary_op, headers_unary_op,
    binary_op, headers_binary_op,
    subscr, headers_subscr,
    iter, headers_getiter,
    locals_dict, &headers_locals,
    parent, &mp_type_dict
    );
