// r.json(*path), r.json({name: path, ...}) and r.iter_json(*path): the
// paths are checked and laid out here, the Rust core (src/glue/json_select.rs)
// streams the body through the engine's selector and collects the bytes of
// each selected value, and each one is then parsed by the firmware's json
// module. Nothing outside the selected values is ever built.
#include <string.h>

#include "py/runtime.h"
#include "py/objarray.h"
#include "py/objstr.h"
#include "rq_objects.h"

typedef struct {
    mp_obj_base_t base;
    rq_json_sel_t s;
} rq_json_iter_obj_t;

// ---- capture buffers (shims called from Rust) ----

void rq_capture_clear(rq_obj_t bytearray) {
    mp_obj_array_t *a = MP_OBJ_TO_PTR(bytearray);
    a->free += a->len;
    a->len = 0;
}

// bytearray.extend grows to the exact size each time; a value arriving in
// many small pieces would be copied over and over.
static void rq_capture_append_raw(mp_obj_array_t *a, const uint8_t *p, size_t len) {
    if (a->free < len) {
        size_t cap = a->len + a->free;
        size_t want = a->len + len;
        size_t grown = cap < 64 ? 64 : cap + cap / 2;
        if (grown < want) {
            grown = want;
        }
        // `free` is a bit field of MP_OBJ_ARRAY_FREE_SIZE_BITS bits.
        size_t max_free = ((size_t)1 << MP_OBJ_ARRAY_FREE_SIZE_BITS) - 1;
        if (grown - a->len > max_free) {
            grown = want;
        }
        if (want < a->len || grown - a->len > max_free) {
            m_malloc_fail(want);
        }
        a->items = m_renew(byte, a->items, cap, grown);
        a->free = grown - a->len;
    }
    memcpy((byte *)a->items + a->len, p, len);
    a->len += len;
    a->free -= len;
}

rq_err_t rq_capture_append(rq_obj_t bytearray, const uint8_t *p, size_t len) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        rq_capture_append_raw(MP_OBJ_TO_PTR(bytearray), p, len);
        nlr_pop();
        return NULL;
    }
    return (rq_err_t)nlr.ret_val;
}

#if RQ_ENABLE_JSON_SELECT

// ---- setting up a selection ----

static bool rq_path_has_any(mp_obj_t path) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(path, &n, &items);
    for (size_t i = 0; i < n; i++) {
        if (items[i] == mp_const_none) {
            return true;
        }
    }
    return false;
}

// A path is a tuple or list; a lone str or int stands for a path of one.
static mp_obj_t rq_as_path(mp_obj_t p) {
    if (mp_obj_is_type(p, &mp_type_tuple) || mp_obj_is_type(p, &mp_type_list)) {
        return p;
    }
    return mp_obj_new_tuple(1, &p);
}

static void rq_fill_elem(rq_json_elem_t *e, mp_obj_t x) {
    if (x == mp_const_none) {
        e->kind = RQ_JSON_ANY;
    } else if (mp_obj_is_str(x)) {
        size_t len;
        e->key = (const uint8_t *)mp_obj_str_get_data(x, &len);
        e->value = len;
        e->kind = RQ_JSON_KEY;
    } else if (mp_obj_is_int(x) && !mp_obj_is_bool(x)) {
        mp_int_t i = mp_obj_get_int(x);
        if (i < 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("JSON path index must be >= 0"));
        }
        e->value = (size_t)i;
        e->kind = RQ_JSON_INDEX;
    } else {
        mp_raise_TypeError(MP_ERROR_TEXT("JSON path elements are str keys, int indices or None"));
    }
}

// A selection over `response` for the paths in `paths` (a tuple or list of
// path tuples/lists).
static rq_json_iter_obj_t *rq_json_begin(const mp_obj_type_t *type, mp_obj_t response, mp_obj_t paths) {
    rq_response_t *r = &((rq_response_obj_t *)MP_OBJ_TO_PTR(response))->r;
    if (r->cached == MP_OBJ_NULL) {
        // Closed (a failed read, close(), the session): say that first.
        rq_err_t err = rq_response_check_readable(r);
        rq_raise_if(err);
    }
    if (r->body_streamed && r->cached == MP_OBJ_NULL) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("the body was already read straight from the socket"));
    }
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(paths, &n, &items);
    if (n > RQ_JSON_MAX_PATHS) {
        mp_raise_ValueError(MP_ERROR_TEXT("at most 32 JSON paths at once"));
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        mp_obj_t *els;
        mp_obj_get_array(items[i], &len, &els);
        total += len;
        if (total > 0xFFFF) {
            mp_raise_ValueError(MP_ERROR_TEXT("JSON path too long"));
        }
    }
    rq_json_iter_obj_t *o = mp_obj_malloc(rq_json_iter_obj_t, type);
    memset(&o->s, 0, sizeof(o->s));
    o->s.response = response;
    o->s.paths = paths;
    o->s.elems = m_new0(rq_json_elem_t, total ? total : 1);
    o->s.captures = m_new0(rq_obj_t, n ? n : 1);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        mp_obj_t *els;
        mp_obj_get_array(items[i], &len, &els);
        for (size_t j = 0; j < len; j++) {
            rq_fill_elem(&o->s.elems[at++], els[j]);
        }
        o->s.path_end[i] = (uint16_t)at;
        o->s.captures[i] = mp_obj_new_bytearray(0, NULL);
    }
    o->s.n_paths = (uint8_t)n;
    if (r->cached == MP_OBJ_NULL) {
        rq_err_t err = rq_response_check_readable(r);
        rq_raise_if(err);
        o->s.buf = m_new(uint8_t, RQ_JSON_CHUNK);
    }
    rq_json_init(&o->s, r);
    return o;
}

// The next selected value as a Python object and its path index in *path;
// MP_OBJ_NULL at the end of the document.
static mp_obj_t rq_json_next_value(rq_json_iter_obj_t *o, size_t *path) {
    rq_err_t err = NULL;
    int p = rq_json_next(&o->s, &err);
    if (p == -2) {
        rq_raise(err);
    }
    if (p < 0) {
        return MP_OBJ_NULL;
    }
    *path = (size_t)p;
    return rq_json_loads(o->s.captures[p]);
}

// ---- iter_json ----

// Between items only the item the caller holds should stay: a capture that
// grew for a big item gives its memory back.
static void rq_capture_release(mp_obj_t bytearray) {
    mp_obj_array_t *a = MP_OBJ_TO_PTR(bytearray);
    if (a->len + a->free > 256) {
        m_del(byte, a->items, a->len + a->free);
        a->items = NULL;
        a->len = 0;
        a->free = 0;
    }
}

static mp_obj_t json_iter_next(mp_obj_t self_in) {
    rq_json_iter_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (o->s.n_paths == 0) {
        return MP_OBJ_STOP_ITERATION;
    }
    size_t p;
    mp_obj_t v = rq_json_next_value(o, &p);
    if (v == MP_OBJ_NULL) {
        o->s.n_paths = 0;
        return MP_OBJ_STOP_ITERATION;
    }
    rq_capture_release(o->s.captures[p]);
    return v;
}

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_json_iter,
    MP_QSTR_iterator,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, json_iter_next
    );

mp_obj_t rq_response_iter_json(mp_obj_t response, size_t n_args, const mp_obj_t *path) {
    mp_obj_t tuple = mp_obj_new_tuple(n_args, path);
    mp_obj_t paths = mp_obj_new_tuple(1, &tuple);
    return MP_OBJ_FROM_PTR(rq_json_begin(&rq_type_json_iter, response, paths));
}

// ---- json(*path) and json({name: path}) ----

// A selection and what it collects: one path (its value, or the list of
// its matches when it has a wildcard) or several named ones (a dict of
// those that matched). The blocking json() runs it to the end at once; an
// AsyncSession's ajson() polls it (rq_json_select_poll).
typedef struct {
    mp_obj_base_t base;
    rq_json_iter_obj_t *it;
    mp_obj_t path;          // one path: the path tuple; several: NULL
    mp_obj_t path_list;     // several: the paths, in the order of `names`
    mp_obj_t names;         // several: a list of the caller's names
    mp_obj_t result;        // what was collected so far (NULL: nothing yet)
    bool any;               // one path with a wildcard: the result is a list
} rq_json_collect_obj_t;

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_json_collect,
    MP_QSTR_iterator,
    MP_TYPE_FLAG_NONE
    );

mp_obj_t rq_json_select_begin(mp_obj_t response, size_t n_args, const mp_obj_t *args) {
    rq_json_collect_obj_t *c = mp_obj_malloc(rq_json_collect_obj_t, &rq_type_json_collect);
    c->path = MP_OBJ_NULL;
    c->path_list = MP_OBJ_NULL;
    c->names = MP_OBJ_NULL;
    c->result = MP_OBJ_NULL;
    c->any = false;
    c->it = NULL;
    if (n_args == 1 && mp_obj_is_type(args[0], &mp_type_dict)) {
        mp_map_t *map = mp_obj_dict_get_map(args[0]);
        if (map->used > RQ_JSON_MAX_PATHS) {
            mp_raise_ValueError(MP_ERROR_TEXT("at most 32 JSON paths at once"));
        }
        c->names = mp_obj_new_list(0, NULL);
        c->path_list = mp_obj_new_list(0, NULL);
        for (size_t i = 0; i < map->alloc; i++) {
            if (mp_map_slot_is_filled(map, i)) {
                mp_obj_list_append(c->names, map->table[i].key);
                mp_obj_list_append(c->path_list, rq_as_path(map->table[i].value));
            }
        }
        c->result = mp_obj_new_dict(0);
        c->it = rq_json_begin(&rq_type_json_iter, response, c->path_list);
    } else {
        c->path = mp_obj_new_tuple(n_args, args);
        c->any = rq_path_has_any(c->path);
        if (c->any) {
            c->result = mp_obj_new_list(0, NULL);
        }
        mp_obj_t paths = mp_obj_new_tuple(1, &c->path);
        c->it = rq_json_begin(&rq_type_json_iter, response, paths);
    }
    return MP_OBJ_FROM_PTR(c);
}

static void rq_json_collect_add(rq_json_collect_obj_t *c, size_t p, mp_obj_t v) {
    if (c->path != MP_OBJ_NULL) {
        if (c->any) {
            mp_obj_list_append(c->result, v);
        } else {
            c->result = v;
        }
        return;
    }
    mp_obj_t name = mp_obj_subscr(c->names, MP_OBJ_NEW_SMALL_INT(p), MP_OBJ_SENTINEL);
    mp_obj_t path = mp_obj_subscr(c->path_list, MP_OBJ_NEW_SMALL_INT(p), MP_OBJ_SENTINEL);
    if (rq_path_has_any(path)) {
        mp_map_elem_t *e = mp_map_lookup(mp_obj_dict_get_map(c->result), name, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
        if (e->value == MP_OBJ_NULL) {
            e->value = mp_obj_new_list(0, NULL);
        }
        mp_obj_list_append(e->value, v);
    } else {
        mp_obj_dict_store(c->result, name, v);
    }
}

// The selection's result; KeyError naming the path when one path without
// a wildcard matched nothing.
static mp_obj_t rq_json_collect_result(rq_json_collect_obj_t *c) {
    if (c->result == MP_OBJ_NULL) {
        mp_raise_type_arg(&mp_type_KeyError, c->path);
    }
    return c->result;
}

int rq_json_select_poll(mp_obj_t sel, mp_obj_t *result, rq_poll_t *kind, mp_obj_t *wait_on) {
    rq_json_collect_obj_t *c = MP_OBJ_TO_PTR(sel);
    rq_err_t err = NULL;
    int p = rq_json_poll(&c->it->s, &err, kind, wait_on);
    if (p == RQ_JSON_ERROR) {
        rq_raise(err);
    }
    if (p == RQ_JSON_END) {
        *result = rq_json_collect_result(c);
        return RQ_JSON_END;
    }
    if (p >= 0) {
        rq_json_collect_add(c, (size_t)p, rq_json_loads(c->it->s.captures[p]));
        return RQ_JSON_MORE;
    }
    return p;
}

mp_obj_t rq_response_json_select(mp_obj_t response, size_t n_args, const mp_obj_t *args) {
    rq_json_collect_obj_t *c = MP_OBJ_TO_PTR(rq_json_select_begin(response, n_args, args));
    size_t p;
    for (mp_obj_t v; (v = rq_json_next_value(c->it, &p)) != MP_OBJ_NULL;) {
        rq_json_collect_add(c, p, v);
    }
    return rq_json_collect_result(c);
}

#endif // RQ_ENABLE_JSON_SELECT
