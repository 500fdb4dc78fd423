// Content-Encoding: gzip / deflate bodies, decoded while they stream by the
// firmware's own decompressor (deflate.DeflateIO; without it, a one-shot
// zlib.decompress over the whole body, decode_whole.c). The DeflateIO reads the
// raw body through a small stream object over the Response; every body
// accessor then reads decoded bytes (src/glue/decoded.rs).
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "rq_objects.h"

#if RQ_ENABLE_DEFLATE

typedef struct {
    mp_obj_base_t base;
    mp_obj_t response;
} rq_raw_body_t;

static mp_uint_t raw_body_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    (void)errcode;
    rq_raw_body_t *o = MP_OBJ_TO_PTR(self_in);
    return rq_response_raw_read(o->response, buf, size);
}

static const mp_stream_p_t raw_body_stream_p = {
    .read = raw_body_read,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_raw_body,
    MP_QSTR_Response,
    MP_TYPE_FLAG_NONE,
    protocol, &raw_body_stream_p
    );

// 1 for gzip, 2 for deflate, 0 for anything else.
static int rq_response_encoding(rq_response_t *r) {
    mp_obj_t enc = r->headers == MP_OBJ_NULL ? MP_OBJ_NULL : rq_headers_get(r->headers, "content-encoding");
    if (enc == MP_OBJ_NULL || !mp_obj_is_str(enc)) {
        return 0;
    }
    size_t n;
    const char *p = mp_obj_str_get_data(enc, &n);
    char low[8];
    if (n >= sizeof(low)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        low[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] + 32) : p[i];
    }
    if ((n == 4 && memcmp(low, "gzip", 4) == 0) || (n == 6 && memcmp(low, "x-gzip", 6) == 0)) {
        return 1;
    }
    if (n == 7 && memcmp(low, "deflate", 7) == 0) {
        return 2;
    }
    return 0;
}

// Case-insensitive: does [p, p + n) contain the lower-case `word`?
static bool rq_contains_word(const char *p, size_t n, const char *word) {
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++) {
        size_t j = 0;
        while (j < w && (p[i + j] | 0x20) == word[j]) {
            j++;
        }
        if (j == w) {
            return true;
        }
    }
    return false;
}

void rq_response_note_request_headers(mp_obj_t response, mp_obj_t headers) {
    if (headers == MP_OBJ_NULL || !mp_obj_is_type(headers, &mp_type_dict)) {
        return;
    }
    mp_map_t *map = mp_obj_dict_get_map(headers);
    for (size_t i = 0; i < map->alloc; i++) {
        if (!mp_map_slot_is_filled(map, i)) {
            continue;
        }
        mp_buffer_info_t k, v;
        if (!mp_get_buffer(map->table[i].key, &k, MP_BUFFER_READ)
            || !mp_get_buffer(map->table[i].value, &v, MP_BUFFER_READ)) {
            continue;
        }
        if (k.len == 15 && rq_contains_word(k.buf, k.len, "accept-encoding")
            && (rq_contains_word(v.buf, v.len, "gzip") || rq_contains_word(v.buf, v.len, "deflate"))) {
            ((rq_response_obj_t *)MP_OBJ_TO_PTR(response))->r.decode_allowed = true;
        }
    }
}

// The module, or MP_OBJ_NULL when the firmware has none by that name.
static mp_obj_t rq_import_or_null(qstr name) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t mod = rq_import(name);
        nlr_pop();
        return mod;
    }
    return MP_OBJ_NULL;
}

void rq_response_prepare_body(mp_obj_t self_in) {
    rq_response_t *r = &((rq_response_obj_t *)MP_OBJ_TO_PTR(self_in))->r;
    if (r->decode_checked) {
        return;
    }
    r->decode_checked = true;
    if (!r->decode_allowed) {
        return;
    }
    int enc = rq_response_encoding(r);
    if (enc == 0 || r->cached != MP_OBJ_NULL) {
        return;
    }
    mp_obj_t mod = rq_import_or_null(MP_QSTR_deflate);
    if (mod == MP_OBJ_NULL) {
        // CircuitPython's zlib decodes whole bodies only (decode_whole.c).
        mp_obj_t zlib = rq_import_or_null(MP_QSTR_zlib);
        mp_obj_t dest[2] = {MP_OBJ_NULL, MP_OBJ_NULL};
        if (zlib != MP_OBJ_NULL) {
            mp_load_method_maybe(zlib, MP_QSTR_decompress, dest);
        }
        if (dest[0] != MP_OBJ_NULL && dest[1] == MP_OBJ_NULL) {
            r->decoded = rq_whole_body_decoder(self_in, dest[0], enc == 1);
        }
        // Otherwise no decompressor in this firmware: the body stays encoded.
        return;
    }
    rq_raw_body_t *raw = mp_obj_malloc(rq_raw_body_t, &rq_type_raw_body);
    raw->response = self_in;
    // "deflate" is meant to be zlib-wrapped; AUTO also takes a gzip stream
    // sent under that name.
    mp_obj_t args[2] = {
        MP_OBJ_FROM_PTR(raw),
        mp_load_attr(mod, enc == 1 ? MP_QSTR_GZIP : MP_QSTR_AUTO),
    };
    r->decoded = mp_call_function_n_kw(mp_load_attr(mod, MP_QSTR_DeflateIO), 2, 0, args);
}

bool rq_response_compressed(mp_obj_t self_in) {
    rq_response_t *r = rq_response_state(self_in);
    return r->decode_allowed && !r->decode_checked && r->cached == MP_OBJ_NULL
           && rq_response_encoding(r) != 0;
}

void rq_response_hold_raw(mp_obj_t self_in, mp_obj_t raw) {
    rq_response_t *r = rq_response_state(self_in);
    r->held_raw = raw;
    r->held_pos = 0;
    rq_response_prepare_body(self_in);
    if (r->decoded == MP_OBJ_NULL) {
        r->cached = raw;
        r->held_raw = MP_OBJ_NULL;
    }
}

static mp_uint_t rq_decoded_read_raise(mp_obj_t decoder, uint8_t *buf, size_t len) {
    const mp_stream_p_t *p = mp_get_stream(decoder);
    int err = 0;
    mp_uint_t n = p->read(decoder, buf, len, &err);
    if (n == MP_STREAM_ERROR) {
        if (err == MP_EINVAL) {
            mp_raise_ValueError(MP_ERROR_TEXT("Corrupt compressed response body"));
        }
        mp_raise_OSError(err);
    }
    return n;
}

rq_err_t rq_decoded_readinto(rq_obj_t decoder, uint8_t *buf, size_t len, size_t *got) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        *got = rq_decoded_read_raise(decoder, buf, len);
        nlr_pop();
        return NULL;
    }
    mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_EOFError))) {
        // The body ended inside the compressed stream.
        return mp_obj_new_exception_msg(&mp_type_ValueError, MP_ERROR_TEXT("Compressed response body ends early"));
    }
    return exc;
}

#else // RQ_ENABLE_DEFLATE

// Not built in: bodies are handed out as they came, as without
// Accept-Encoding; no decoder is ever put over a response.
void rq_response_note_request_headers(mp_obj_t response, mp_obj_t headers) {
    (void)response;
    (void)headers;
}

void rq_response_prepare_body(mp_obj_t self_in) {
    (void)self_in;
}

bool rq_response_compressed(mp_obj_t self_in) {
    (void)self_in;
    return false;
}

void rq_response_hold_raw(mp_obj_t self_in, mp_obj_t raw) {
    rq_response_state(self_in)->cached = raw;
}

rq_err_t rq_decoded_readinto(rq_obj_t decoder, uint8_t *buf, size_t len, size_t *got) {
    (void)decoder;
    (void)buf;
    (void)len;
    *got = 0;
    return rq_exc_new(RQ_EXC_NOT_IMPLEMENTED, "deflate", 7, 0);
}

#endif // RQ_ENABLE_DEFLATE
