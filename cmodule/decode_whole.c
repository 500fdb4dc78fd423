// Compressed bodies on firmwares whose only decompressor is a one-shot
// zlib.decompress(data, wbits) (CircuitPython's zlib): the raw body is read
// whole, decoded once, and the decoded bytes handed out from there. That
// holds the compressed body and the decoded one at the same time, which the
// streaming path (deflate.DeflateIO, decode.c) never does; it is the best
// such a firmware allows, and README says so.
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "rq_objects.h"

#if RQ_ENABLE_DEFLATE

typedef struct {
    mp_obj_base_t base;
    mp_obj_t response;
    mp_obj_t decompress; // the firmware's zlib.decompress
    mp_obj_t decoded;    // the decoded body, once it has been read whole
    size_t pos;          // how much of them has been handed out
    bool gzip;           // Content-Encoding: gzip (else deflate)
} rq_whole_body_t;

// wbits for zlib.decompress: 31 takes a gzip stream, 15 a zlib one. A
// "deflate" body is meant to be zlib-wrapped, but servers also send gzip
// under that name; the gzip magic tells them apart, as DeflateIO's AUTO does.
static mp_int_t whole_body_wbits(const rq_whole_body_t *o, const byte *raw, size_t len) {
    if (o->gzip || (len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)) {
        return 31;
    }
    return 15;
}

// The raw body, read to its end (errors from the connection propagate as
// they are).
static mp_obj_t whole_body_raw(rq_whole_body_t *o) {
    rq_response_t *r = rq_response_state(o->response);
    rq_read_ahead_t *ahead = r->ahead;
    if (ahead != NULL && ahead->held_raw != MP_OBJ_NULL && ahead->held_pos == 0) {
        // An AsyncSession read it already: no second copy.
        mp_obj_t raw = ahead->held_raw;
        ahead->held_raw = mp_const_empty_bytes;
        return raw;
    }
    vstr_t raw;
    vstr_init(&raw, 256);
    for (;;) {
        if (raw.alloc - raw.len < 128) {
            vstr_hint_size(&raw, raw.alloc);
        }
        mp_uint_t n = rq_response_raw_read(o->response, raw.buf + raw.len, raw.alloc - raw.len);
        if (n == 0) {
            break;
        }
        raw.len += n;
    }
    return mp_obj_new_bytes_from_vstr(&raw);
}

// Anything the decompressor refuses is a corrupt body, a ValueError;
// running out of memory stays a MemoryError.
static void whole_body_decode(rq_whole_body_t *o) {
    mp_obj_t args[2] = {
        whole_body_raw(o),
        MP_OBJ_NEW_SMALL_INT(0),
    };
    mp_buffer_info_t bi;
    mp_get_buffer_raise(args[0], &bi, MP_BUFFER_READ);
    if (bi.len == 0) {
        // No body, whatever Content-Encoding claims.
        o->decoded = mp_const_empty_bytes;
        return;
    }
    args[1] = MP_OBJ_NEW_SMALL_INT(whole_body_wbits(o, bi.buf, bi.len));
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        o->decoded = mp_call_function_n_kw(o->decompress, 2, 0, args);
        nlr_pop();
    } else {
        mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
        if (rq_exc_is(exc, &mp_type_MemoryError)) {
            nlr_jump(nlr.ret_val);
        }
        mp_raise_ValueError(MP_ERROR_TEXT("Corrupt compressed response body"));
    }
    // bytes or bytearray, as the firmware returns it; anything else is refused
    // here rather than at the first read.
    mp_get_buffer_raise(o->decoded, &bi, MP_BUFFER_READ);
}

static mp_uint_t whole_body_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    (void)errcode;
    rq_whole_body_t *o = MP_OBJ_TO_PTR(self_in);
    if (o->decoded == MP_OBJ_NULL) {
        whole_body_decode(o);
    }
    mp_buffer_info_t bi;
    mp_get_buffer_raise(o->decoded, &bi, MP_BUFFER_READ);
    size_t n = bi.len - o->pos < size ? bi.len - o->pos : size;
    memcpy(buf, (const byte *)bi.buf + o->pos, n);
    o->pos += n;
    if (o->pos == bi.len) {
        // Handed out: let the GC have it while the response lives on.
        o->decoded = mp_const_empty_bytes;
        o->pos = 0;
    }
    return n;
}

static const mp_stream_p_t whole_body_stream_p = {
    .read = whole_body_read,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_whole_body,
    MP_QSTR_Response,
    MP_TYPE_FLAG_NONE,
    protocol, &whole_body_stream_p
    );

mp_obj_t rq_whole_body_decoder(mp_obj_t response, mp_obj_t decompress, bool gzip) {
    rq_whole_body_t *o = mp_obj_malloc(rq_whole_body_t, &rq_type_whole_body);
    o->response = response;
    o->decompress = decompress;
    o->decoded = MP_OBJ_NULL;
    o->pos = 0;
    o->gzip = gzip;
    return MP_OBJ_FROM_PTR(o);
}

#endif // RQ_ENABLE_DEFLATE
