// The shims the Rust core calls. Each one that can raise runs its body
// under nlr_push and returns the caught exception instead, so no
// MicroPython exception ever unwinds through a Rust frame.
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/objstr.h"
#include "py/objtype.h"
#include "py/mperrno.h"
#include "py/unicode.h"
#include "py/objarray.h"
#include "py/mphal.h"
#include "rq_objects.h"

// Runs BODY; on a MicroPython exception returns it, else NULL.
#define RQ_GUARD(...) \
    do { \
        nlr_buf_t nlr; \
        if (nlr_push(&nlr) == 0) { \
            __VA_ARGS__; \
            nlr_pop(); \
            return NULL; \
        } \
        return (rq_err_t)nlr.ret_val; \
    } while (0)

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

rq_err_t rq_exc_new(rq_exc_kind_t kind, const char *msg, size_t msg_len, int errcode) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t e = rq_exc_build(kind, msg, msg_len, errcode, MP_OBJ_NULL);
        nlr_pop();
        return e;
    }
    // Building the message failed (out of memory): that failure is the error.
    return (rq_err_t)nlr.ret_val;
}

rq_err_t rq_exc_with_cause(rq_exc_kind_t kind, const char *msg, size_t msg_len, rq_err_t cause) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t e = rq_exc_build(kind, msg, msg_len, 0, cause);
        nlr_pop();
        return e;
    }
    return (rq_err_t)nlr.ret_val;
}

static int rq_exc_errno(mp_obj_t exc) {
    if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_OSError))) {
        return 0;
    }
    mp_obj_t v = mp_obj_exception_get_value(exc);
    return mp_obj_is_small_int(v) ? MP_OBJ_SMALL_INT_VALUE(v) : 0;
}

bool rq_exc_is_out_of_sockets(rq_err_t exc) {
    mp_obj_t t = MP_OBJ_FROM_PTR(mp_obj_get_type(exc));
    if (mp_obj_is_subclass_fast(t, MP_OBJ_FROM_PTR(&mp_type_MemoryError))
        || mp_obj_is_subclass_fast(t, MP_OBJ_FROM_PTR(&mp_type_RuntimeError))) {
        return true;
    }
    int e = rq_exc_errno(exc);
    return e == MP_ENOMEM || e == MP_EMFILE || e == MP_ENFILE || e == MP_ENOBUFS;
}

rq_fail_kind_t rq_exc_failure(rq_err_t exc) {
    int e = rq_exc_errno(exc);
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
    return mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_OSError));
}

bool rq_exc_is_memory(rq_err_t exc) {
    return mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_MemoryError));
}

bool rq_exc_is_exception(rq_err_t exc) {
    return mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_Exception));
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
static mp_obj_t rq_str_lenient(const uint8_t *p, size_t len) {
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
    RQ_GUARD({
        if (len >= SIZE_MAX / 2) {
            // len + 1 would wrap; no heap holds this much anyway.
            m_malloc_fail(len);
        }
        mp_obj_str_t *o = mp_obj_malloc(mp_obj_str_t, &mp_type_bytes);
        o->len = 0;
        o->hash = 0;
        o->data = NULL;
        byte *p = m_new(byte, len + 1);
        o->data = p;
        o->len = len;
        *data = p;
        *handle = MP_OBJ_FROM_PTR(o);
    });
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
            mp_load_method(file, MP_QSTR_read, dest);
            dest[2] = MP_OBJ_NEW_SMALL_INT(len);
            mp_obj_t chunk = mp_call_method_n_kw(1, 0, dest);
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

static mp_obj_t rq_json_module(void) {
    return mp_import_name(MP_QSTR_json, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
}

rq_err_t rq_json_dumps(rq_obj_t o, rq_obj_t *out) {
    RQ_GUARD(*out = mp_call_function_1(mp_load_attr(rq_json_module(), MP_QSTR_dumps), o));
}

rq_err_t rq_urandom(uint8_t *buf, size_t len) {
    RQ_GUARD({
        mp_obj_t os = mp_import_name(MP_QSTR_os, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
        mp_obj_t r = mp_call_function_1(mp_load_attr(os, MP_QSTR_urandom), MP_OBJ_NEW_SMALL_INT(len));
        mp_buffer_info_t bi;
        mp_get_buffer_raise(r, &bi, MP_BUFFER_READ);
        if (bi.len != len) {
            mp_raise_ValueError(MP_ERROR_TEXT("os.urandom returned the wrong length"));
        }
        memcpy(buf, bi.buf, len);
    });
}

// ---- responses and headers ----

rq_err_t rq_response_new(rq_obj_t session, rq_response_t **r, rq_obj_t *obj) {
    RQ_GUARD({
        rq_response_obj_t *o = mp_obj_malloc(rq_response_obj_t, &rq_type_response);
        memset(&o->r, 0, sizeof(o->r));
        o->r.session = session;
        *r = &o->r;
        *obj = MP_OBJ_FROM_PTR(o);
    });
}

rq_response_t *rq_response_state(rq_obj_t response) {
    rq_response_obj_t *o = MP_OBJ_TO_PTR(response);
    return &o->r;
}

rq_session_t *rq_session_state(rq_obj_t session) {
    rq_session_obj_t *o = MP_OBJ_TO_PTR(session);
    return &o->s;
}

rq_err_t rq_headers_new(size_t n, bool repeats, rq_obj_t *out) {
    RQ_GUARD({
        rq_headers_obj_t *h = rq_headers_alloc(n);
        if (repeats) {
            h->multi = mp_obj_new_list(0, NULL);
        }
        *out = MP_OBJ_FROM_PTR(h);
    });
}

// A str of UTF-8 (or, failing that, ISO-8859-1) bytes. Strings are made
// without looking for an equal qstr: that search walks every qstr pool and
// would cost more than the whole request.
static mp_obj_t rq_str_fresh(const uint8_t *p, size_t len) {
    if (utf8_check(p, len)) {
        return mp_obj_new_str_copy(&mp_type_str, p, len);
    }
    return rq_str_lenient(p, len);
}

static mp_obj_t rq_cached_str(rq_session_t *s, const uint8_t *p, size_t len) {
    if (s == NULL || len > RQ_STR_CACHE_MAX_LEN) {
        return rq_str_fresh(p, len);
    }
    for (size_t i = 0; i < RQ_STR_CACHE; i++) {
        mp_obj_t c = s->strs[i];
        if (c == MP_OBJ_NULL) {
            break;
        }
        size_t clen;
        const char *cp = mp_obj_str_get_data(c, &clen);
        if (clen == len && memcmp(cp, p, len) == 0) {
            return c;
        }
    }
    mp_obj_t o = rq_str_fresh(p, len);
    s->strs[s->strs_next] = o;
    s->strs_next = (s->strs_next + 1) % RQ_STR_CACHE;
    return o;
}

rq_err_t rq_session_str(rq_session_t *s, const uint8_t *p, size_t len, rq_obj_t *out) {
    RQ_GUARD(*out = rq_cached_str(s, p, len));
}

rq_err_t rq_headers_add(rq_session_t *s, rq_obj_t headers, const uint8_t *name, size_t name_len, const uint8_t *value, size_t value_len) {
    RQ_GUARD({
        rq_headers_obj_t *h = MP_OBJ_TO_PTR(headers);
        mp_obj_dict_t *d = &h->dict;
        byte small[64];
        byte *lower = name_len <= sizeof(small) ? small : m_new(byte, name_len);
        for (size_t i = 0; i < name_len; i++) {
            lower[i] = unichar_tolower(name[i]);
        }
        mp_obj_t key = rq_cached_str(s, lower, name_len);
        mp_obj_t val = rq_cached_str(s, value, value_len);
        mp_map_elem_t *e = mp_map_lookup(&d->map, key, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
        if (e->value == MP_OBJ_NULL) {
            e->value = val;
        } else {
            if (h->multi != MP_OBJ_NULL) {
                // Record the first value once, then every repeat.
                mp_obj_t multi = h->multi;
                mp_obj_list_t *l = MP_OBJ_TO_PTR(multi);
                bool seen = false;
                for (size_t i = 0; i < l->len; i += 2) {
                    if (mp_obj_equal(l->items[i], key)) {
                        seen = true;
                        break;
                    }
                }
                if (!seen) {
                    mp_obj_list_append(multi, key);
                    mp_obj_list_append(multi, e->value);
                }
                mp_obj_list_append(multi, key);
                mp_obj_list_append(multi, val);
            }
            if (name_len == 10 && memcmp(lower, "set-cookie", 10) == 0) {
                vstr_t v;
                size_t a_len, b_len;
                const char *a = mp_obj_str_get_data(e->value, &a_len);
                const char *b = mp_obj_str_get_data(val, &b_len);
                vstr_init(&v, a_len + 2 + b_len);
                vstr_add_strn(&v, a, a_len);
                vstr_add_strn(&v, ", ", 2);
                vstr_add_strn(&v, b, b_len);
                e->value = mp_obj_new_str_from_vstr(&v);
            } else {
                // The reference keeps the last value of other repeated names.
                e->value = val;
            }
        }
    });
}

rq_obj_t rq_headers_get(rq_obj_t headers, const char *lower_name) {
    // Keys are plain lower-case strs; comparing bytes avoids a qstr search.
    mp_map_t *map = mp_obj_dict_get_map(headers);
    size_t n = strlen(lower_name);
    for (size_t i = 0; i < map->alloc; i++) {
        if (mp_map_slot_is_filled(map, i) && mp_obj_is_str(map->table[i].key)) {
            size_t kl;
            const char *k = mp_obj_str_get_data(map->table[i].key, &kl);
            if (kl == n && memcmp(k, lower_name, n) == 0) {
                return map->table[i].value;
            }
        }
    }
    return MP_OBJ_NULL;
}

// ---- sockets ----

// Native firmware sockets are driven through their stream protocol; objects
// of Python classes (test doubles, ESP32SPI, WIZNET5K) through methods.
static const mp_stream_p_t *rq_native_stream(mp_obj_t sock) {
    const mp_obj_type_t *t = mp_obj_get_type(sock);
    if (mp_obj_is_instance_type(t) || !MP_OBJ_TYPE_HAS_SLOT(t, protocol)) {
        return NULL;
    }
    const mp_stream_p_t *p = MP_OBJ_TYPE_GET_SLOT(t, protocol);
    return (p->read != NULL && p->write != NULL) ? p : NULL;
}

static NORETURN void rq_raise_stream_error(int err) {
    if (err == MP_EAGAIN) {
        // A blocking read that ran into its timeout.
        err = MP_ETIMEDOUT;
    }
    mp_raise_OSError(err);
}

static void rq_settimeout_raw(mp_obj_t sock, mp_obj_t timeout) {
    mp_obj_t dest[3];
    mp_load_method_maybe(sock, MP_QSTR_settimeout, dest);
    if (dest[0] != MP_OBJ_NULL) {
        dest[2] = timeout;
        mp_call_method_n_kw(1, 0, dest);
    }
}

static void rq_connect(mp_obj_t sock, mp_obj_t addr) {
    mp_obj_t dest[3];
    mp_load_method(sock, MP_QSTR_connect, dest);
    dest[2] = addr;
    mp_call_method_n_kw(1, 0, dest);
}

// connect(address, mode): an AirLift coprocessor's socket doing TLS itself.
static void rq_connect_mode(mp_obj_t sock, mp_obj_t addr, mp_obj_t mode) {
    mp_obj_t dest[4];
    mp_load_method(sock, MP_QSTR_connect, dest);
    dest[2] = addr;
    dest[3] = mode;
    mp_call_method_n_kw(2, 0, dest);
}

static mp_obj_t rq_wrap(mp_obj_t ssl_context, mp_obj_t sock, mp_obj_t host) {
    mp_obj_t dest[5];
    mp_load_method(ssl_context, MP_QSTR_wrap_socket, dest);
    dest[2] = sock;
    dest[3] = MP_OBJ_NEW_QSTR(MP_QSTR_server_hostname);
    dest[4] = host;
    return mp_call_method_n_kw(1, 1, dest);
}

rq_err_t rq_open_connection(rq_obj_t pool, rq_obj_t ssl_context, rq_obj_t host, uint16_t port, bool https, rq_obj_t timeout, rq_obj_t *sock_out, rq_obj_t *raw_out) {
    // TLS done by an AirLift coprocessor (set_socket with an interface that
    // has TLS_MODE): the socket connects by name with that mode and carries
    // plain bytes.
    mp_obj_t coprocessor_mode = MP_OBJ_NULL;
    if (https && ssl_context != MP_OBJ_NULL && mp_obj_is_type(ssl_context, &rq_type_coprocessor_tls)) {
        coprocessor_mode = ((rq_coprocessor_tls_obj_t *)MP_OBJ_TO_PTR(ssl_context))->mode;
    }
    if (https && coprocessor_mode == MP_OBJ_NULL && (ssl_context == MP_OBJ_NULL || ssl_context == mp_const_none)) {
        return rq_exc_new(RQ_EXC_VALUE, "ssl_context must be provided if using ssl", 41, 0);
    }
    // volatile: read after a longjmp to close a half-made connection.
    volatile mp_obj_t sock = MP_OBJ_NULL;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t call[6];
        mp_load_method(pool, MP_QSTR_getaddrinfo, call);
        call[2] = host;
        call[3] = MP_OBJ_NEW_SMALL_INT(port);
        call[4] = MP_OBJ_NEW_SMALL_INT(0);
        call[5] = mp_load_attr(pool, MP_QSTR_SOCK_STREAM);
        mp_obj_t infos = mp_call_method_n_kw(4, 0, call);
        mp_obj_t info = mp_obj_subscr(infos, MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_SENTINEL);
        size_t n_info;
        mp_obj_t *fields;
        mp_obj_get_array(info, &n_info, &fields);
        if (n_info < 2) {
            mp_raise_ValueError(MP_ERROR_TEXT("getaddrinfo returned a malformed address"));
        }
        mp_obj_t sockaddr = fields[n_info - 1];
        mp_load_method(pool, MP_QSTR_socket, call);
        call[2] = fields[0];
        call[3] = fields[1];
        sock = mp_call_method_n_kw(2, 0, call);
        mp_obj_t raw = sock;
        rq_settimeout_raw(sock, timeout);
        if (coprocessor_mode != MP_OBJ_NULL) {
            mp_obj_t addr[2] = {host, MP_OBJ_NEW_SMALL_INT(port)};
            rq_connect_mode(sock, mp_obj_new_tuple(2, addr), coprocessor_mode);
        } else if (mp_obj_is_type(sockaddr, &mp_type_tuple) || mp_obj_is_type(sockaddr, &mp_type_list)) {
            // CircuitPython and Python-level pools: wrap first, then connect
            // by name (TLS) or by address (plain), as the reference does.
            mp_obj_t addr[2] = {host, MP_OBJ_NEW_SMALL_INT(port)};
            if (https) {
                sock = rq_wrap(ssl_context, sock, host);
            } else {
                addr[0] = mp_obj_subscr(sockaddr, MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_SENTINEL);
            }
            rq_connect(sock, mp_obj_new_tuple(2, addr));
        } else {
            // MicroPython: a raw sockaddr to connect with as is; its TLS
            // handshakes inside wrap_socket, so it wraps a connected socket.
            rq_connect(sock, sockaddr);
            if (https) {
                sock = rq_wrap(ssl_context, sock, host);
            }
        }
        nlr_pop();
        *sock_out = sock;
        *raw_out = raw;
        return NULL;
    }
    if (sock != MP_OBJ_NULL) {
        rq_sock_close(sock);
    }
    return (rq_err_t)nlr.ret_val;
}

static void rq_settimeout_either(mp_obj_t sock, mp_obj_t raw_sock, mp_obj_t timeout) {
    mp_obj_t dest[3];
    mp_load_method_maybe(sock, MP_QSTR_settimeout, dest);
    if (dest[0] == MP_OBJ_NULL && raw_sock != MP_OBJ_NULL) {
        mp_load_method_maybe(raw_sock, MP_QSTR_settimeout, dest);
    }
    if (dest[0] != MP_OBJ_NULL) {
        dest[2] = timeout;
        mp_call_method_n_kw(1, 0, dest);
    }
}

rq_err_t rq_sock_settimeout(rq_obj_t sock, rq_obj_t raw_sock, rq_obj_t timeout) {
    RQ_GUARD(rq_settimeout_either(sock, raw_sock, timeout));
}

// Largest piece one write is given. A write that comes back short after
// waiting the whole timeout means the peer took less than this in that
// time: it stopped reading, and the upload ends there.
#define RQ_SEND_PIECE (64 * 1024)

// A method call on a Python-level socket. What such a socket raises is an
// error of the call, whatever it is: a StopIteration (which would end an
// iteration further up as if the body were complete) becomes RuntimeError.
static mp_obj_t rq_call_sock_method(size_t n_args, mp_obj_t *dest) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t r = mp_call_method_n_kw(n_args, 0, dest);
        nlr_pop();
        return r;
    }
    mp_obj_t e = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(e)), MP_OBJ_FROM_PTR(&mp_type_StopIteration))) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("socket raised StopIteration"));
    }
    nlr_jump(nlr.ret_val);
}

// Sends all of buf. timeout_ms (-1: none) bounds every wait for progress:
// a write that comes back short after waiting that long, or EAGAIN from a
// Python-level socket for that long since the last byte went out, ends the
// send with ETIMEDOUT (the reference retries EAGAIN for ever).
rq_err_t rq_sock_send(rq_obj_t sock, const uint8_t *buf, size_t len, int32_t timeout_ms) {
    RQ_GUARD({
        const mp_stream_p_t *sp = rq_native_stream(sock);
        size_t off = 0;
        uint32_t progress_at = mp_hal_ticks_ms();
        while (off < len) {
            size_t want = len - off < RQ_SEND_PIECE ? len - off : RQ_SEND_PIECE;
            uint32_t started = mp_hal_ticks_ms();
            size_t n;
            if (sp != NULL) {
                int err = 0;
                mp_uint_t r = sp->write(sock, buf + off, want, &err);
                if (r == MP_STREAM_ERROR) {
                    rq_raise_stream_error(err);
                }
                if (r == 0) {
                    mp_raise_OSError(MP_EIO);
                }
                n = r;
            } else {
                mp_obj_t dest[3];
                mp_load_method(sock, MP_QSTR_send, dest);
                dest[2] = mp_obj_new_memoryview('B', want, (void *)(buf + off));
                nlr_buf_t inner;
                mp_obj_t r = MP_OBJ_NULL;
                if (nlr_push(&inner) == 0) {
                    r = rq_call_sock_method(1, dest);
                    nlr_pop();
                } else {
                    mp_obj_t e = MP_OBJ_FROM_PTR(inner.ret_val);
                    if (rq_exc_errno(e) != MP_EAGAIN) {
                        nlr_jump(inner.ret_val);
                    }
                    if (timeout_ms >= 0 && (uint32_t)(mp_hal_ticks_ms() - progress_at) > (uint32_t)timeout_ms) {
                        mp_raise_OSError(MP_ETIMEDOUT);
                    }
                    mp_event_wait_ms(1);
                    continue;
                }
                if (r == mp_const_none) {
                    n = want;
                } else {
                    mp_int_t k = mp_obj_get_int(r);
                    if (k <= 0 || (size_t)k > want) {
                        mp_raise_OSError(MP_EIO);
                    }
                    n = k;
                }
            }
            off += n;
            uint32_t now = mp_hal_ticks_ms();
            if (n < want && timeout_ms >= 0 && (uint32_t)(now - started) >= (uint32_t)timeout_ms) {
                mp_raise_OSError(MP_ETIMEDOUT);
            }
            progress_at = now;
        }
    });
}

// A receive method call; CircuitPython-style sockets report a timeout as
// EAGAIN, which becomes ETIMEDOUT as on the native path.
static mp_obj_t rq_call_recv(mp_obj_t *dest) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t r = rq_call_sock_method(1, dest);
        nlr_pop();
        return r;
    }
    if (rq_exc_errno(MP_OBJ_FROM_PTR(nlr.ret_val)) == MP_EAGAIN) {
        mp_raise_OSError(MP_ETIMEDOUT);
    }
    nlr_jump(nlr.ret_val);
}

rq_err_t rq_sock_recv(rq_obj_t sock, uint8_t *buf, size_t len, size_t *got) {
    RQ_GUARD({
        const mp_stream_p_t *sp = rq_native_stream(sock);
        if (sp != NULL) {
            int err = 0;
            mp_uint_t n = sp->read(sock, buf, len, &err);
            if (n == MP_STREAM_ERROR) {
                rq_raise_stream_error(err);
            }
            *got = n;
        } else {
            mp_obj_t dest[3];
            mp_load_method_maybe(sock, MP_QSTR_recv_into, dest);
            if (dest[0] == MP_OBJ_NULL) {
                mp_load_method_maybe(sock, MP_QSTR_readinto, dest);
            }
            if (dest[0] != MP_OBJ_NULL) {
                dest[2] = mp_obj_new_memoryview(MP_OBJ_ARRAY_TYPECODE_FLAG_RW | 'B', len, buf);
                mp_obj_t r = rq_call_recv(dest);
                if (r == mp_const_none) {
                    // A non-blocking readinto with nothing to read.
                    mp_raise_OSError(MP_ETIMEDOUT);
                }
                mp_int_t n = mp_obj_get_int(r);
                if (n < 0 || (size_t)n > len) {
                    mp_raise_OSError(MP_EIO);
                }
                *got = n;
            } else {
                mp_load_method(sock, MP_QSTR_recv, dest);
                dest[2] = MP_OBJ_NEW_SMALL_INT(len);
                mp_obj_t r = rq_call_recv(dest);
                mp_buffer_info_t bi;
                mp_get_buffer_raise(r, &bi, MP_BUFFER_READ);
                if (bi.len > len) {
                    mp_raise_OSError(MP_EIO);
                }
                memcpy(buf, bi.buf, bi.len);
                *got = bi.len;
            }
        }
    });
}

rq_err_t rq_sock_settimeout_ms(rq_obj_t sock, rq_obj_t raw_sock, int32_t ms) {
    RQ_GUARD({
        mp_obj_t t;
        if (ms < 0) {
            t = mp_const_none;
        } else {
            #if MICROPY_PY_BUILTINS_FLOAT
            // Never 0, which would make the socket non-blocking.
            t = mp_obj_new_float((mp_float_t)(ms > 0 ? ms : 1) / 1000);
            #else
            t = MP_OBJ_NEW_SMALL_INT(ms / 1000 + 1);
            #endif
        }
        rq_settimeout_either(sock, raw_sock, t);
    });
}

// Whether sock (or the plain socket under it) has settimeout.
static bool rq_sock_has_timeout(rq_obj_t sock, rq_obj_t raw_sock) {
    mp_obj_t dest[2];
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_load_method_maybe(sock, MP_QSTR_settimeout, dest);
        if (dest[0] == MP_OBJ_NULL && raw_sock != MP_OBJ_NULL) {
            mp_load_method_maybe(raw_sock, MP_QSTR_settimeout, dest);
        }
        nlr_pop();
        return dest[0] != MP_OBJ_NULL;
    }
    return false;
}

// Native sockets answer a poll of their stream without waiting. A
// Python-level socket gets a zero timeout and a one-byte receive: EAGAIN
// (or a timeout, or None) means nothing is there; the caller sets the
// request's timeout again before using the socket.
rq_err_t rq_sock_probe_idle(rq_obj_t sock, rq_obj_t raw_sock, rq_idle_probe_t *out) {
    *out = RQ_IDLE_UNKNOWN;
    const mp_stream_p_t *sp = rq_native_stream(sock);
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        if (sp != NULL) {
            if (sp->ioctl != NULL) {
                int err = 0;
                mp_uint_t ret = sp->ioctl(sock, MP_STREAM_POLL, MP_STREAM_POLL_RD, &err);
                if (ret == MP_STREAM_ERROR) {
                    *out = RQ_IDLE_UNKNOWN;
                } else if (ret & (MP_STREAM_POLL_ERR | MP_STREAM_POLL_NVAL)) {
                    *out = RQ_IDLE_FAILED;
                } else if (ret & (MP_STREAM_POLL_RD | MP_STREAM_POLL_HUP)) {
                    *out = RQ_IDLE_READABLE;
                } else {
                    *out = RQ_IDLE_QUIET;
                }
            }
        } else {
            mp_obj_t dest[3];
            mp_load_method_maybe(sock, MP_QSTR_recv_into, dest);
            if (dest[0] == MP_OBJ_NULL) {
                mp_load_method_maybe(sock, MP_QSTR_readinto, dest);
            }
            if (dest[0] != MP_OBJ_NULL && rq_sock_has_timeout(sock, raw_sock)) {
                rq_settimeout_either(sock, raw_sock, MP_OBJ_NEW_SMALL_INT(0));
                byte one[1];
                dest[2] = mp_obj_new_memoryview(MP_OBJ_ARRAY_TYPECODE_FLAG_RW | 'B', 1, one);
                nlr_buf_t inner;
                if (nlr_push(&inner) == 0) {
                    mp_obj_t r = rq_call_sock_method(1, dest);
                    nlr_pop();
                    *out = (r == mp_const_none) ? RQ_IDLE_QUIET : RQ_IDLE_READABLE;
                } else {
                    mp_obj_t e = MP_OBJ_FROM_PTR(inner.ret_val);
                    if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(e)), MP_OBJ_FROM_PTR(&mp_type_Exception))) {
                        // KeyboardInterrupt, SystemExit: the caller's.
                        nlr_jump(inner.ret_val);
                    }
                    int en = rq_exc_errno(e);
                    if (en == MP_EAGAIN || en == MP_ETIMEDOUT) {
                        *out = RQ_IDLE_QUIET;
                    } else if (rq_exc_is_os_error(e)) {
                        *out = RQ_IDLE_FAILED;
                    } else {
                        *out = RQ_IDLE_UNKNOWN;
                    }
                }
            }
        }
        nlr_pop();
        return NULL;
    }
    return (rq_err_t)nlr.ret_val;
}

void rq_sock_close(rq_obj_t sock) {
    if (sock == MP_OBJ_NULL || sock == mp_const_none) {
        return;
    }
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t dest[2];
        mp_load_method_maybe(sock, MP_QSTR_close, dest);
        if (dest[0] != MP_OBJ_NULL) {
            mp_call_method_n_kw(0, 0, dest);
        }
        nlr_pop();
    }
    // A failing close leaves nothing more to release on our side.
}
