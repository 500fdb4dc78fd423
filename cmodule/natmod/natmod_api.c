// The parts of the MicroPython C API that rq_natmod.h maps onto something
// other than one mp_fun_table entry, the C library calls the compiler and
// Rust emit, and the import-time link of the static tables.
#include <string.h>

#include "rq_objects.h"

rq_natmod_fns_t rq_nm;

// ---- C library: the firmware's memset/memmove, loops for the rest ----
// (natmod.mk's -fno-tree-loop-distribute-patterns keeps gcc from turning
// these loops back into calls to themselves.)

void *memset(void *s, int c, size_t n) {
    return mp_fun_table.memset_(s, c, n);
}

void *memmove(void *dest, const void *src, size_t n) {
    return mp_fun_table.memmove_(dest, src, n);
}

void *memcpy(void *dest, const void *src, size_t n) {
    return mp_fun_table.memmove_(dest, src, n);
}

int memcmp(const void *a, const void *b, size_t n) {
    const byte *p = a, *q = b;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != q[i]) {
            return p[i] < q[i] ? -1 : 1;
        }
    }
    return 0;
}

int bcmp(const void *a, const void *b, size_t n) {
    return memcmp(a, b, n);
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}

// ---- calls and objects ----

mp_obj_t rq_nm_call1(mp_obj_t f, mp_obj_t a) {
    return mp_call_function_n_kw(f, 1, 0, &a);
}

mp_obj_t rq_nm_call2(mp_obj_t f, mp_obj_t a, mp_obj_t b) {
    mp_obj_t args[2] = {a, b};
    return mp_call_function_n_kw(f, 2, 0, args);
}

mp_obj_t rq_nm_iternext(mp_obj_t it) {
    mp_obj_iter_buf_t buf;
    buf.base.type = MP_OBJ_NULL;
    buf.buf[0] = it;
    return mp_fun_table.iternext(&buf);
}

mp_obj_t rq_nm_new_bytearray(size_t n, const void *data) {
    mp_obj_t o = rq_nm_call1(MP_OBJ_FROM_PTR(rq_nm.bytearray), MP_OBJ_NEW_SMALL_INT(n));
    if (n > 0) {
        mp_buffer_info_t bi;
        mp_get_buffer_raise(o, &bi, MP_BUFFER_WRITE);
        memcpy(bi.buf, data, n);
    }
    return o;
}

// memoryview over a bytearray that borrows `items` (the firmware's
// mp_obj_new_memoryview is not reachable; a bytearray by reference is).
mp_obj_t rq_nm_new_memoryview(byte typecode, size_t n, void *items) {
    (void)typecode;  // always 'B', writable or not: the callers only read or fill it
    mp_obj_t ba = mp_fun_table.obj_new_bytearray_by_ref(n, items);
    return rq_nm_call1(MP_OBJ_FROM_PTR(rq_nm.memoryview), ba);
}

double rq_nm_get_float(mp_obj_t o) {
    double d;
    mp_binary_set_val_array('d', &d, 0, o);
    return d;
}

// On firmware without floats (none is fetched at import), a timeout handed
// back to a socket becomes whole seconds, rounded up as the built-in
// module's integer-only build does.
mp_obj_t rq_nm_new_float(double f) {
    if (rq_nm.float_ == NULL) {
        mp_int_t whole = (mp_int_t)f;
        return MP_OBJ_NEW_SMALL_INT(whole + ((double)whole < f));
    }
    return mp_binary_get_val_array('d', &f, 0);
}

mp_obj_t rq_nm_new_str_from_vstr(vstr_t *v, bool str) {
    mp_obj_t o = str ? mp_obj_new_str(v->buf, v->len) : mp_obj_new_bytes((const byte *)v->buf, v->len);
    vstr_clear(v);
    return o;
}

void rq_nm_list_get(mp_obj_t o, size_t *len, mp_obj_t **items) {
    mp_obj_list_t *l = MP_OBJ_TO_PTR(o);
    *len = l->len;
    *items = l->items;
}

void rq_nm_tuple_get(mp_obj_t o, size_t *len, mp_obj_t **items) {
    mp_obj_tuple_t *t = MP_OBJ_TO_PTR(o);
    *len = t->len;
    *items = t->items;
}

void rq_nm_get_array_fixed_n(mp_obj_t o, size_t n, mp_obj_t **items) {
    size_t len;
    mp_obj_get_array(o, &len, items);
    if (len != n) {
        mp_raise_ValueError(MP_ERROR_TEXT("tuple/list has wrong length"));
    }
}

bool rq_nm_get_int_maybe(mp_obj_t o, mp_int_t *v) {
    if (!mp_obj_is_int(o) && !mp_obj_is_bool(o)) {
        return false;
    }
    *v = mp_obj_get_int(o);
    return true;
}

mp_obj_t rq_nm_len_maybe(mp_obj_t o) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t n = mp_unary_op(MP_UNARY_OP_LEN, o);
        nlr_pop();
        return n;
    }
    return MP_OBJ_NULL;
}

bool rq_nm_is_subclass(mp_const_obj_t object, mp_const_obj_t classinfo) {
    return mp_obj_is_true(rq_nm_call2(rq_nm.issubclass, (mp_obj_t)object, (mp_obj_t)classinfo));
}

mp_obj_t rq_nm_exception_value(mp_obj_t exc) {
    mp_obj_exception_t *e = MP_OBJ_TO_PTR(exc);
    if (e->args == NULL || e->args->len == 0) {
        return mp_const_none;
    }
    return e->args->items[0];
}

void rq_nm_print_helper(const mp_print_t *print, mp_obj_t o, mp_print_kind_t kind) {
    mp_obj_t how = kind == PRINT_REPR ? rq_nm.repr : rq_nm.str;
    if (kind == PRINT_JSON) {
        // Only the json module prints this way, so it is loaded: its dumps
        // quotes and escapes as the firmware's own JSON does.
        mp_obj_t json = mp_import_name(MP_QSTR_json, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
        how = mp_load_attr(json, MP_QSTR_dumps);
    }
    mp_obj_t s = rq_nm_call1(how, o);
    size_t len;
    const char *p = mp_obj_str_get_data(s, &len);
    print->print_strn(print->data, p, len);
}

NORETURN void rq_nm_raise_msg_varg(const mp_obj_type_t *type, const char *fmt, ...) {
    vstr_t v;
    mp_print_t print;
    vstr_init_print(&v, 32, &print);
    va_list ap;
    va_start(ap, fmt);
    mp_vprintf(&print, fmt, ap);
    va_end(ap);
    mp_raise_dyn(mp_obj_new_exception_arg1(type, mp_obj_new_str_from_vstr(&v)));
}

// Global, not static: mpy_ld places bss apart from the code.
char rq_nm_one_thread;

// time.ticks_ms wraps at its period (2**30 on 32-bit ports), the layer's
// deadline arithmetic at 2**32: the period's wraps are counted here, so
// that a deadline across a wrap does not expire at once. Sampled at least
// once a request, a wrap (every 12 days) is never missed between two reads
// that a deadline compares.
mp_uint_t rq_nm_ticks_last, rq_nm_ticks_wraps;

mp_uint_t rq_nm_ticks_ms(void) {
    if (rq_nm.ticks_ms == MP_OBJ_NULL) {
        return 0;
    }
    mp_uint_t t = (mp_uint_t)mp_obj_get_int_truncated(mp_call_function_n_kw(rq_nm.ticks_ms, 0, 0, NULL));
    if (t < rq_nm_ticks_last) {
        rq_nm_ticks_wraps += rq_nm.ticks_period;
    }
    rq_nm_ticks_last = t;
    return rq_nm_ticks_wraps + t;
}

void rq_nm_delay_us(mp_uint_t us) {
    if (rq_nm.sleep_us != MP_OBJ_NULL) {
        rq_nm_call1(rq_nm.sleep_us, mp_obj_new_int_from_uint(us));
    }
}

NORETURN void rq_nm_raise_OSError(int er) {
    mp_raise_dyn(mp_obj_new_exception_arg1(&mp_type_OSError, MP_OBJ_NEW_SMALL_INT(er)));
}

void *rq_nm_thread_id(void) {
    if (rq_nm.get_ident == MP_OBJ_NULL) {
        return &rq_nm_one_thread;
    }
    return (void *)(uintptr_t)mp_obj_get_int_truncated(mp_call_function_n_kw(rq_nm.get_ident, 0, 0, NULL));
}

// Never called: rq_natmod_link() puts dict's make_new in its place.
mp_obj_t rq_nm_dict_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    return rq_nm.dict_make_new(type, n_args, n_kw, args);
}

// ---- the polymorph iterator ----

// The layout the shared layer fills (its iterator's base, then the step).
typedef struct {
    mp_obj_base_t base;
    mp_fun_1_t iternext;
} rq_nm_polymorph_iter_obj_t;

static mp_obj_t polymorph_iternext(mp_obj_t self_in) {
    rq_nm_polymorph_iter_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return self->iternext(self_in);
}

MP_DEFINE_CONST_OBJ_TYPE(
    rq_nm_polymorph_iter,
    MP_QSTR_iterator,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, polymorph_iternext
    );

// h[k], h[k] = v, del h[k] as methods (__getitem__ and the rest): the
// firmware's own objects for them are not reachable.
static mp_obj_t op_getitem(mp_obj_t self, mp_obj_t key) {
    return mp_obj_subscr(self, key, MP_OBJ_SENTINEL);
}
MP_DEFINE_CONST_FUN_OBJ_2(mp_op_getitem_obj, op_getitem);

static mp_obj_t op_setitem(mp_obj_t self, mp_obj_t key, mp_obj_t value) {
    mp_obj_subscr(self, key, value);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(mp_op_setitem_obj, op_setitem);

static mp_obj_t op_delitem(mp_obj_t self, mp_obj_t key) {
    mp_obj_subscr(self, key, MP_OBJ_NULL);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(mp_op_delitem_obj, op_delitem);

MP_DEFINE_CONST_OBJ_TYPE(
    rq_nm_classmethod_stand_in,
    MP_QSTR_classmethod,
    MP_TYPE_FLAG_NONE
    );

// ---- import-time link of the static tables ----

static mp_obj_t link_qstr_obj(mp_obj_t o) {
    if (mp_obj_is_qstr(o)) {
        qstr q = MP_OBJ_QSTR_VALUE(o);
        if (q & RQ_LINK_FLAG) {
            return MP_OBJ_NEW_QSTR(mp_native_qstr_table[q & ~RQ_LINK_FLAG]);
        }
    }
    return o;
}

// A static table's value: a qstr, or an object of this module's data.
static mp_obj_t link_value(mp_obj_t o) {
    if (mp_obj_is_obj(o)) {
        mp_obj_base_t *b = MP_OBJ_TO_PTR(o);
        if (b->type == &rq_nm_classmethod_stand_in) {
            b->type = rq_nm.classmethod;
        }
        return o;
    }
    return link_qstr_obj(o);
}

static void link_map(mp_map_t *map) {
    for (size_t i = 0; i < map->alloc; i++) {
        map->table[i].key = link_qstr_obj(map->table[i].key);
        map->table[i].value = link_value(map->table[i].value);
    }
}

// The entries rqfix.ld gathers between these two markers.
static const mp_obj_type_t *const rq_fix_first __attribute__((used, section(".data.rel.ro.rqfix.0"))) = NULL;
static const mp_obj_type_t *const rq_fix_last __attribute__((used, section(".data.rel.ro.rqfix.9"))) = NULL;

void rq_natmod_link_type(mp_obj_type_t *t) {
    if (t->name & RQ_LINK_FLAG) {
        t->name = mp_native_qstr_table[t->name & ~RQ_LINK_FLAG];
    }
    if (MP_OBJ_TYPE_HAS_SLOT(t, make_new) && MP_OBJ_TYPE_GET_SLOT(t, make_new) == rq_nm_dict_make_new) {
        t->slots[t->slot_index_make_new - 1] = (void *)rq_nm.dict_make_new;
    }
    if (MP_OBJ_TYPE_HAS_SLOT(t, locals_dict)) {
        mp_obj_dict_t *d = MP_OBJ_TYPE_GET_SLOT(t, locals_dict);
        link_map(&d->map);
    }
}

// The natmod's code and data are in RAM, written by the loader's relocation
// pass; this finishes it for what mpy_ld cannot express (qstr values and
// firmware functions in static tables). The asm barrier keeps the compiler
// from assuming the const entries still hold their initial values.
void rq_natmod_link(void) {
    const mp_obj_type_t *const *p = &rq_fix_first;
    __asm__ volatile ("" : "+r" (p));
    for (p++; p < &rq_fix_last && *p != NULL; p++) {
        rq_natmod_link_type((mp_obj_type_t *)*p);
    }
}
