// Shims for exceptions, object kinds, strings and buffers, dicts and
// sequences, files and other Python objects the request arguments bring.
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/objstr.h"
#include "py/objtype.h"
#include "py/mperrno.h"
#include "py/unicode.h"
#include "py/objarray.h"
#include "py/mphal.h"
#include "rq_shims.h"

// ---- exceptions ----

static const mp_obj_type_t *rq_exc_type(rq_exc_kind_t kind) {
    switch (kind) {
        case RQ_EXC_TYPE:
            return &mp_type_TypeError;
        case RQ_EXC_RUNTIME:
            return &mp_type_RuntimeError;
        case RQ_EXC_OS:
            return &mp_type_OSError;
        case RQ_EXC_OUT_OF_RETRIES:
            return &rq_type_out_of_retries;
        case RQ_EXC_NOT_IMPLEMENTED:
            return &mp_type_NotImplementedError;
        case RQ_EXC_MEMORY:
            return &mp_type_MemoryError;
        case RQ_EXC_UNICODE:
            return &mp_type_UnicodeError;
        default:
            return &mp_type_ValueError;
    }
}

static mp_obj_t rq_exc_build(rq_exc_kind_t kind, const char *msg, size_t msg_len, int errcode, mp_obj_t cause) {
    mp_obj_t args[2];
    size_t n = 0;
    if (kind == RQ_EXC_OS && errcode != 0) {
        args[n++] = MP_OBJ_NEW_SMALL_INT(errcode);
    }
    if (msg_len > 0) {
        args[n++] = mp_obj_new_str(msg, msg_len);
    }
    if (cause != MP_OBJ_NULL && n < 2) {
        // MicroPython has no __cause__: the cause travels as the last argument.
        args[n++] = cause;
    }
    return mp_obj_new_exception_args(rq_exc_type(kind), n, args);
}

// rq_exc_build under a guard: when building the message fails (out of
// memory), that failure is the error.
static rq_err_t rq_exc_guarded(rq_exc_kind_t kind, const char *msg, size_t msg_len, int errcode, mp_obj_t cause) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t e = rq_exc_build(kind, msg, msg_len, errcode, cause);
        nlr_pop();
        return e;
    }
    return (rq_err_t)nlr.ret_val;
}

rq_err_t rq_exc_new(rq_exc_kind_t kind, const char *msg, size_t msg_len, int errcode) {
    return rq_exc_guarded(kind, msg, msg_len, errcode, MP_OBJ_NULL);
}

rq_err_t rq_exc_with_cause(rq_exc_kind_t kind, const char *msg, size_t msg_len, rq_err_t cause) {
    return rq_exc_guarded(kind, msg, msg_len, 0, cause);
}

bool rq_exc_is(mp_obj_t exc, const mp_obj_type_t *type) {
    return mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(type));
}

int rq_exc_errno(mp_obj_t exc) {
    if (!rq_exc_is(exc, &mp_type_OSError)) {
        return 0;
    }
    mp_obj_t v = mp_obj_exception_get_value(exc);
    return mp_obj_is_small_int(v) ? MP_OBJ_SMALL_INT_VALUE(v) : 0;
}

bool rq_exc_is_out_of_sockets(rq_err_t exc) {
    if (rq_exc_is(exc, &mp_type_MemoryError) || rq_exc_is(exc, &mp_type_RuntimeError)) {
        return true;
    }
    int e = rq_exc_errno(exc);
    return e == MP_ENOMEM || e == MP_EMFILE || e == MP_ENFILE || e == MP_ENOBUFS;
}

rq_fail_kind_t rq_exc_failure(rq_err_t exc) {
    int e = rq_exc_errno(exc);
    if (e < 0 && e > -256) {
        // MicroPython's TLS sockets hand a socket error on negated (the
        // way Mbed TLS carries it), and a Python-level pool over them
        // raises it as it came.
        e = -e;
    }
    if (e == MP_ETIMEDOUT || e == MP_EAGAIN) {
        return RQ_FAIL_TIMEOUT;
    }
    if (e == MP_ECONNRESET || e == MP_EPIPE || e == MP_ECONNABORTED || e == MP_ENOTCONN
        || e == MP_EBADF) {
        return RQ_FAIL_RESET;
    }
    return RQ_FAIL_OTHER;
}

rq_err_t rq_exc_timeout(void) {
    return rq_exc_new(RQ_EXC_OS, NULL, 0, MP_ETIMEDOUT);
}

bool rq_exc_is_os_error(rq_err_t exc) {
    return rq_exc_is(exc, &mp_type_OSError);
}

bool rq_exc_is_memory(rq_err_t exc) {
    return rq_exc_is(exc, &mp_type_MemoryError);
}

bool rq_exc_is_exception(rq_err_t exc) {
    return rq_exc_is(exc, &mp_type_Exception);
}

uint32_t rq_ticks_ms(void) {
    return (uint32_t)mp_hal_ticks_ms();
}

// ---- object kinds and buffers ----

rq_obj_t rq_none(void) {
    return mp_const_none;
}

bool rq_is_none(rq_obj_t o) {
    return o == MP_OBJ_NULL || o == mp_const_none;
}

static bool rq_has_attr(mp_obj_t o, qstr attr) {
    mp_obj_t dest[2];
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_load_method_maybe(o, attr, dest);
        nlr_pop();
        return dest[0] != MP_OBJ_NULL;
    }
    return false;
}

rq_kind_t rq_kind_of(rq_obj_t o) {
    if (o == MP_OBJ_NULL || o == mp_const_none) {
        return RQ_KIND_NONE;
    }
    if (mp_obj_is_str(o)) {
        return RQ_KIND_STR;
    }
    if (mp_obj_is_int(o) || mp_obj_is_bool(o)) {
        return RQ_KIND_INT;
    }
    #if MICROPY_PY_BUILTINS_FLOAT
    if (mp_obj_is_float(o)) {
        return RQ_KIND_FLOAT;
    }
    #endif
    if (mp_obj_is_dict_or_ordereddict(o)) {
        return RQ_KIND_DICT;
    }
    if (mp_obj_is_type(o, &mp_type_tuple) || mp_obj_is_type(o, &mp_type_list)) {
        return RQ_KIND_TUPLE;
    }
    mp_buffer_info_t bi;
    if (mp_get_buffer(o, &bi, MP_BUFFER_READ)) {
        return RQ_KIND_BYTES;
    }
    if (rq_has_attr(o, MP_QSTR_read)) {
        return RQ_KIND_FILE;
    }
    const mp_obj_type_t *t = mp_obj_get_type(o);
    if (MP_OBJ_TYPE_HAS_SLOT(t, iter)) {
        return RQ_KIND_ITERABLE;
    }
    return RQ_KIND_OTHER;
}

bool rq_get_bytes(rq_obj_t o, rq_bytes_t *out) {
    // A str or bytes object (not a qstr): read in place, as every request
    // does for its URL and method.
    if (mp_obj_is_obj(o) && (mp_obj_is_exact_type(o, &mp_type_str) || mp_obj_is_exact_type(o, &mp_type_bytes))) {
        const mp_obj_str_t *s = MP_OBJ_TO_PTR(o);
        out->ptr = s->data;
        out->len = s->len;
        return true;
    }
    if (mp_obj_is_str(o)) {
        size_t len;
        const char *p = mp_obj_str_get_data(o, &len);
        out->ptr = (const uint8_t *)p;
        out->len = len;
        return true;
    }
    mp_buffer_info_t bi;
    if (mp_get_buffer(o, &bi, MP_BUFFER_READ)) {
        out->ptr = bi.buf;
        out->len = bi.len;
        return true;
    }
    return false;
}

rq_err_t rq_str_of(rq_obj_t o, rq_obj_t *out) {
    if (mp_obj_is_str(o)) {
        *out = o;
        return NULL;
    }
    RQ_GUARD(*out = mp_call_function_1(MP_OBJ_FROM_PTR(&mp_type_str), o));
}

// Header values that are not UTF-8 are read as ISO-8859-1, as http.client does.
mp_obj_t rq_str_lenient(const uint8_t *p, size_t len) {
    if (utf8_check(p, len)) {
        return mp_obj_new_str((const char *)p, len);
    }
    vstr_t v;
    vstr_init(&v, len * 2);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        if (c < 0x80) {
            vstr_add_byte(&v, c);
        } else {
            vstr_add_byte(&v, 0xc0 | (c >> 6));
            vstr_add_byte(&v, 0x80 | (c & 0x3f));
        }
    }
    return mp_obj_new_str_from_vstr(&v);
}

rq_err_t rq_new_str(const uint8_t *p, size_t len, rq_obj_t *out) {
    RQ_GUARD(*out = mp_obj_new_str((const char *)p, len));
}

rq_err_t rq_new_bytes(const uint8_t *p, size_t len, rq_obj_t *out) {
    RQ_GUARD(*out = mp_obj_new_bytes(p, len));
}

rq_err_t rq_new_bytearray(const uint8_t *p, size_t len, rq_obj_t *out) {
    RQ_GUARD(*out = mp_obj_new_bytearray(len, p));
}

rq_err_t rq_new_int(intptr_t v, rq_obj_t *out) {
    RQ_GUARD(*out = mp_obj_new_int(v));
}

bool rq_int_value(rq_obj_t o, intptr_t *out) {
    if (!mp_obj_is_int(o)) {
        return false;
    }
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_int_t v;
        bool ok = mp_obj_get_int_maybe(o, &v);
        nlr_pop();
        *out = v;
        return ok;
    }
    return false;
}

// A bytes object under construction is a bytes object whose length is its
// capacity; rq_bytes_finish trims it. The buffer is a GC block referenced
// from the object, so the collector keeps it alive.
rq_err_t rq_bytes_begin(size_t len, uint8_t **data, rq_obj_t *handle) {
    // No nlr frame unless an allocation fails (every response's content
    // comes here); m_malloc_maybe has collected and tried again by then,
    // as m_malloc would, so what is left is raising its MemoryError. The
    // object and its bytes stay two blocks: the collector's search for free
    // blocks starts after the last one-block allocation, and the object is
    // that allocation in a GET.
    mp_obj_str_t *o = NULL;
    byte *p = NULL;
    if (len < SIZE_MAX / 2) {
        // (len + 1 would wrap past that; no heap holds this much anyway.)
        o = m_malloc_maybe(sizeof(mp_obj_str_t));
        p = o != NULL ? m_malloc_maybe(len + 1) : NULL;
    }
    if (p == NULL) {
        RQ_GUARD(m_malloc_fail(o != NULL ? len + 1 : sizeof(mp_obj_str_t)));
    }
    o->base.type = &mp_type_bytes;
    o->hash = 0;
    o->data = p;
    o->len = len;
    *data = p;
    *handle = MP_OBJ_FROM_PTR(o);
    return NULL;
}

rq_err_t rq_bytes_grow(rq_obj_t handle, size_t new_len, uint8_t **data) {
    mp_obj_str_t *o = MP_OBJ_TO_PTR(handle);
    RQ_GUARD({
        if (new_len >= SIZE_MAX / 2) {
            m_malloc_fail(new_len);
        }
        byte *p = m_renew(byte, (byte *)o->data, o->len + 1, new_len + 1);
        o->data = p;
        o->len = new_len;
        *data = p;
    });
}

rq_err_t rq_bytes_finish(rq_obj_t handle, size_t used, rq_obj_t *out) {
    mp_obj_str_t *o = MP_OBJ_TO_PTR(handle);
    if (used < o->len) {
        // Shrinking in place cannot fail.
        byte *p = m_renew_maybe(byte, (byte *)o->data, o->len + 1, used + 1, false);
        if (p != NULL) {
            o->data = p;
        }
    }
    ((byte *)o->data)[used] = '\0';
    o->len = used;
    // A hash of 0 means "not computed yet": bodies are rarely hashed, so
    // only short ones pay for it now.
    o->hash = used <= 64 ? qstr_compute_hash(o->data, used) : 0;
    *out = handle;
    return NULL;
}

rq_err_t rq_buf_alloc(size_t len, uint8_t **out) {
    RQ_GUARD(*out = m_new(uint8_t, len));
}

rq_err_t rq_buf_realloc(uint8_t *old, size_t old_len, size_t new_len, uint8_t **out) {
    RQ_GUARD(*out = m_renew(uint8_t, old, old_len, new_len));
}

// ---- dicts and sequences ----

bool rq_dict_next(rq_obj_t dict, size_t *index, rq_obj_t *key, rq_obj_t *value) {
    mp_map_t *map = mp_obj_dict_get_map(dict);
    for (size_t i = *index; i < map->alloc; i++) {
        if (mp_map_slot_is_filled(map, i)) {
            *key = map->table[i].key;
            *value = map->table[i].value;
            *index = i + 1;
            return true;
        }
    }
    *index = map->alloc;
    return false;
}

size_t rq_seq_len(rq_obj_t seq) {
    size_t len;
    mp_obj_t *items;
    mp_obj_get_array(seq, &len, &items);
    return len;
}

rq_obj_t rq_seq_get(rq_obj_t seq, size_t i) {
    size_t len;
    mp_obj_t *items;
    mp_obj_get_array(seq, &len, &items);
    return i < len ? items[i] : MP_OBJ_NULL;
}

rq_err_t rq_getiter(rq_obj_t o, rq_obj_t *iter) {
    RQ_GUARD(*iter = mp_getiter(o, NULL));
}

rq_err_t rq_iternext(rq_obj_t iter, rq_obj_t *item) {
    RQ_GUARD({
        mp_obj_t x = mp_iternext(iter);
        *item = (x == MP_OBJ_STOP_ITERATION) ? MP_OBJ_NULL : x;
    });
}

rq_err_t rq_list_new(rq_obj_t *out) {
    RQ_GUARD(*out = mp_obj_new_list(0, NULL));
}

rq_err_t rq_list_append(rq_obj_t list, rq_obj_t item) {
    RQ_GUARD(mp_obj_list_append(list, item));
}

// ---- files and other objects ----

mp_obj_t rq_call1(mp_obj_t obj, qstr meth, mp_obj_t a) {
    mp_obj_t dest[3];
    mp_load_method(obj, meth, dest);
    dest[2] = a;
    return mp_call_method_n_kw(1, 0, dest);
}

mp_obj_t rq_call2(mp_obj_t obj, qstr meth, mp_obj_t a, mp_obj_t b) {
    mp_obj_t dest[4];
    mp_load_method(obj, meth, dest);
    dest[2] = a;
    dest[3] = b;
    return mp_call_method_n_kw(2, 0, dest);
}

static qstr rq_method_qstr(rq_method_t m) {
    switch (m) {
        case RQ_METH_SEEK:
            return MP_QSTR_seek;
        case RQ_METH_TELL:
            return MP_QSTR_tell;
        case RQ_METH_READ:
            return MP_QSTR_read;
        default:
            return MP_QSTR_readinto;
    }
}

rq_err_t rq_call_method(rq_obj_t o, rq_method_t m, size_t n_args, const rq_obj_t *args, rq_obj_t *out) {
    RQ_GUARD({
        mp_obj_t call[2 + 4];
        if (n_args > 4) {
            mp_raise_ValueError(NULL);
        }
        mp_load_method(o, rq_method_qstr(m), call);
        for (size_t i = 0; i < n_args; i++) {
            call[2 + i] = args[i];
        }
        *out = mp_call_method_n_kw(n_args, 0, call);
    });
}

rq_err_t rq_file_readinto(rq_obj_t file, uint8_t *buf, size_t len, size_t *got) {
    RQ_GUARD({
        mp_obj_t dest[3];
        mp_load_method_maybe(file, MP_QSTR_readinto, dest);
        if (dest[0] != MP_OBJ_NULL) {
            dest[2] = mp_obj_new_memoryview(MP_OBJ_ARRAY_TYPECODE_FLAG_RW | 'B', len, buf);
            mp_obj_t n = mp_call_method_n_kw(1, 0, dest);
            *got = (n == mp_const_none) ? 0 : (size_t)mp_obj_get_int(n);
        } else {
            mp_obj_t chunk = rq_call1(file, MP_QSTR_read, MP_OBJ_NEW_SMALL_INT(len));
            mp_buffer_info_t bi;
            if (mp_obj_is_str(chunk) || !mp_get_buffer(chunk, &bi, MP_BUFFER_READ)) {
                mp_raise_ValueError(MP_ERROR_TEXT("Files must be opened in binary mode"));
            }
            // Bytes beyond what was asked for would be lost or, worse, sent
            // beyond the announced length: a file that does this is broken.
            if (bi.len > len) {
                mp_raise_ValueError(MP_ERROR_TEXT("file read() returned more bytes than asked for"));
            }
            memcpy(buf, bi.buf, bi.len);
            *got = bi.len;
        }
        if (*got > len) {
            mp_raise_ValueError(MP_ERROR_TEXT("readinto returned more than the buffer holds"));
        }
    });
}

mp_obj_t rq_import(qstr name) {
    return mp_import_name(name, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
}

rq_err_t rq_json_dumps(rq_obj_t o, rq_obj_t *out) {
    RQ_GUARD(*out = rq_call1(rq_import(MP_QSTR_json), MP_QSTR_dumps, o));
}

rq_err_t rq_urandom(uint8_t *buf, size_t len) {
    RQ_GUARD({
        mp_obj_t os = rq_import(MP_QSTR_os);
        mp_obj_t r = rq_call1(os, MP_QSTR_urandom, MP_OBJ_NEW_SMALL_INT(len));
        mp_buffer_info_t bi;
        mp_get_buffer_raise(r, &bi, MP_BUFFER_READ);
        if (bi.len != len) {
            mp_raise_ValueError(MP_ERROR_TEXT("os.urandom returned the wrong length"));
        }
        memcpy(buf, bi.buf, len);
    });
}
