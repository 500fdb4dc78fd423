// Content-Encoding: gzip / deflate bodies, decoded while they stream by the
// firmware's own decompressor (deflate.DeflateIO, one per gzip member;
// without it, a one-shot zlib.decompress over the whole body,
// decode_whole.c). The DeflateIO reads the raw body through a small stream
// object over the Response, and engine::coding checks the framing around
// it; every body accessor then reads decoded bytes (src/glue/body/decoded.rs).
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "rq_objects.h"

// Every Content-Encoding line as one list (RFC 9110), joined with ", ": the
// headers dict keeps the last line, as the reference does, and get_all has
// them all. NULL without the header.
static mp_obj_t rq_content_encoding(rq_response_t *r) {
    // Asked of the raw head first: most responses have none, and their
    // Headers need not be built for that.
    if (!rq_response_has_header(r, "content-encoding", 16)) {
        return MP_OBJ_NULL;
    }
    mp_obj_t headers = rq_response_get(r, RQ_FIELD_HEADERS);
    if (headers == MP_OBJ_NULL) {
        return MP_OBJ_NULL;
    }
    mp_obj_t lines = rq_headers_get_all(headers, mp_obj_new_str("content-encoding", 16));
    size_t n;
    mp_obj_t *items;
    mp_obj_list_get(lines, &n, &items);
    vstr_t v;
    vstr_init(&v, 16);
    for (size_t i = 0; i < n; i++) {
        if (!mp_obj_is_str(items[i])) {
            continue;
        }
        size_t len;
        const char *p = mp_obj_str_get_data(items[i], &len);
        if (v.len > 0) {
            vstr_add_strn(&v, ", ", 2);
        }
        vstr_add_strn(&v, p, len);
    }
    return mp_obj_new_str_from_vstr(&v);
}

bool rq_response_names_gzip(rq_response_t *r) {
    mp_obj_t enc = rq_content_encoding(r);
    if (enc == MP_OBJ_NULL) {
        return false;
    }
    size_t n;
    const char *p = mp_obj_str_get_data(enc, &n);
    return rq_coding_names_gzip((const uint8_t *)p, n);
}

#if RQ_ENABLE_DEFLATE

// The coding the response's Content-Encoding asks for (RQ_CODING_*), by the
// engine's one parser (engine::coding).
static int rq_response_coding(rq_response_t *r) {
    mp_obj_t enc = rq_content_encoding(r);
    if (enc == MP_OBJ_NULL) {
        return RQ_CODING_IDENTITY;
    }
    size_t n;
    const char *p = mp_obj_str_get_data(enc, &n);
    return rq_coding_of((const uint8_t *)p, n);
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

enum {
    DEC_OPEN = 0,   // decoding (between members when `member` is NULL)
    DEC_ENDED,      // every member decoded and checked, the raw body at its end
    DEC_FAILED,     // a read raised: the stream cannot go on
    DEC_REFUSED,    // Content-Encoding lists several codings
};

// The decoder a compressed response reads through: one DeflateIO per gzip
// member (or the one zlib stream), and engine::coding's FrameCheck over the
// raw bytes each consumes, for what uzlib does not check (the header CRC,
// ISIZE, what follows a member). The object is also the raw-body stream the
// DeflateIOs read (its stream protocol).
typedef struct {
    mp_obj_base_t base;
    mp_obj_t response;
    mp_obj_t module;        // the firmware's deflate module
    mp_obj_t member;        // DeflateIO over the current member, or NULL between members
    rq_frame_t frame;
    int16_t pushback;       // the byte read at a boundary, handed to the next member first
    uint8_t state;
} rq_body_decoder_t;

static NORETURN void rq_raise_corrupt(void) {
    mp_raise_ValueError(MP_ERROR_TEXT("Corrupt compressed response body"));
}

static NORETURN void rq_raise_cut(void) {
    mp_raise_ValueError(MP_ERROR_TEXT("Compressed response body ends early"));
}

static void rq_frame_check(int res) {
    if (res == RQ_FRAME_TRUNCATED) {
        rq_raise_cut();
    }
    if (res != RQ_FRAME_OK) {
        rq_raise_corrupt();
    }
}

// DeflateIO's source: the raw body, every byte shown to the frame check.
static mp_uint_t raw_body_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    (void)errcode;
    rq_body_decoder_t *d = MP_OBJ_TO_PTR(self_in);
    if (size == 0) {
        return 0;
    }
    if (d->pushback >= 0) {
        *(byte *)buf = (byte)d->pushback;
        d->pushback = -1;
        return 1;
    }
    mp_uint_t n = rq_response_raw_read(d->response, buf, size);
    rq_frame_check(rq_frame_raw(&d->frame, buf, n));
    return n;
}

static const mp_stream_p_t raw_body_stream_p = {
    .read = raw_body_read,
};

// At a boundary: the next member's DeflateIO, or false at the end of the
// body (an empty body has no member: no body, whatever the header says).
static bool body_decoder_next_member(rq_body_decoder_t *d) {
    byte b;
    if (rq_response_raw_read(d->response, &b, 1) == 0) {
        rq_frame_check(rq_frame_body_end(&d->frame));
        return false;
    }
    rq_frame_check(rq_frame_raw(&d->frame, &b, 1));
    d->pushback = b;
    mp_obj_t args[2] = {
        MP_OBJ_FROM_PTR(d),
        mp_load_attr(d->module, rq_frame_is_gzip(&d->frame) ? MP_QSTR_GZIP : MP_QSTR_ZLIB),
    };
    d->member = mp_call_function_n_kw(mp_load_attr(d->module, MP_QSTR_DeflateIO), 2, 0, args);
    return true;
}

// A read of a decompressor's stream: a DeflateIO member, or the whole-body
// decoder (decode_whole.c). uzlib reports corrupt data as EINVAL.
static mp_uint_t rq_stream_read_raise(mp_obj_t decoder, uint8_t *buf, size_t len) {
    const mp_stream_p_t *p = mp_get_stream(decoder);
    int err = 0;
    mp_uint_t n = p->read(decoder, buf, len, &err);
    if (n == MP_STREAM_ERROR) {
        if (err == MP_EINVAL) {
            rq_raise_corrupt();
        }
        mp_raise_OSError(err);
    }
    return n;
}

static mp_uint_t body_decoder_read_raise(rq_body_decoder_t *d, byte *buf, size_t len) {
    if (d->state == DEC_REFUSED) {
        mp_raise_ValueError(MP_ERROR_TEXT("stacked Content-Encodings are not decoded"));
    }
    if (d->state == DEC_FAILED) {
        rq_raise_corrupt();
    }
    while (d->state == DEC_OPEN && len > 0) {
        if (d->member == MP_OBJ_NULL && !body_decoder_next_member(d)) {
            d->state = DEC_ENDED;
            break;
        }
        mp_uint_t n = rq_stream_read_raise(d->member, buf, len);
        if (n > 0) {
            rq_frame_decoded(&d->frame, n);
            return n;
        }
        // The member ended, its CRC-32 or Adler-32 checked by uzlib.
        rq_frame_check(rq_frame_member_end(&d->frame));
        d->member = MP_OBJ_NULL;
    }
    return 0;
}

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_body_decoder,
    MP_QSTR_Response,
    MP_TYPE_FLAG_NONE,
    protocol, &raw_body_stream_p
    );

static mp_obj_t rq_body_decoder_new(mp_obj_t response, mp_obj_t module, bool gzip, uint8_t state) {
    rq_body_decoder_t *d = mp_obj_malloc(rq_body_decoder_t, &rq_type_body_decoder);
    d->response = response;
    d->module = module;
    d->member = MP_OBJ_NULL;
    d->pushback = -1;
    d->state = state;
    rq_frame_init(&d->frame, gzip);
    return MP_OBJ_FROM_PTR(d);
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

// `decode_checked` is set only once the decoder is in place: a raise on
// the way (MemoryError) leaves the next accessor to try again, never to
// hand out the compressed bytes as if decoded.
void rq_response_prepare_body(mp_obj_t self_in) {
    rq_response_t *r = &((rq_response_obj_t *)MP_OBJ_TO_PTR(self_in))->r;
    if (r->decode_checked) {
        return;
    }
    int coding = r->decode_allowed && r->cached == MP_OBJ_NULL ? rq_response_coding(r) : RQ_CODING_IDENTITY;
    if (coding == RQ_CODING_STACKED) {
        r->decoded = rq_body_decoder_new(self_in, mp_const_none, true, DEC_REFUSED);
    } else if (coding == RQ_CODING_GZIP || coding == RQ_CODING_DEFLATE) {
        mp_obj_t mod = rq_import_or_null(MP_QSTR_deflate);
        if (mod != MP_OBJ_NULL) {
            r->decoded = rq_body_decoder_new(self_in, mod, coding == RQ_CODING_GZIP, DEC_OPEN);
        } else {
            // CircuitPython's zlib decodes whole bodies only (decode_whole.c).
            mp_obj_t zlib = rq_import_or_null(MP_QSTR_zlib);
            mp_obj_t dest[2] = {MP_OBJ_NULL, MP_OBJ_NULL};
            if (zlib != MP_OBJ_NULL) {
                mp_load_method_maybe(zlib, MP_QSTR_decompress, dest);
            }
            if (dest[0] != MP_OBJ_NULL && dest[1] == MP_OBJ_NULL) {
                r->decoded = rq_whole_body_decoder(self_in, dest[0], coding == RQ_CODING_GZIP);
            }
            // Otherwise no decompressor in this firmware: the body stays encoded.
        }
    }
    r->decode_checked = true;
}

bool rq_response_read_raw_first(mp_obj_t self_in) {
    rq_response_t *r = rq_response_state(self_in);
    if (!r->decode_allowed || r->decode_checked || r->cached != MP_OBJ_NULL) {
        return false;
    }
    int coding = rq_response_coding(r);
    if (coding != RQ_CODING_GZIP && coding != RQ_CODING_DEFLATE && coding != RQ_CODING_STACKED) {
        return false;
    }
    if (rq_import_or_null(MP_QSTR_deflate) == MP_OBJ_NULL) {
        return true;
    }
    rq_read_ahead_t *ahead = m_new0(rq_read_ahead_t, 1);
    ahead->buf = m_new(uint8_t, RQ_AHEAD_CAP);
    rq_response_prepare_body(self_in);
    r->ahead = ahead;
    return false;
}

void rq_response_hold_raw(mp_obj_t self_in, mp_obj_t raw) {
    rq_response_t *r = rq_response_state(self_in);
    rq_read_ahead_t *ahead = m_new0(rq_read_ahead_t, 1);
    ahead->held_raw = raw;
    r->ahead = ahead;
    rq_response_prepare_body(self_in);
    if (r->decoded == MP_OBJ_NULL) {
        r->cached = raw;
        r->ahead = NULL;
    }
}

rq_err_t rq_decoded_readinto(rq_obj_t decoder, uint8_t *buf, size_t len, size_t *got) {
    bool ours = mp_obj_is_type(decoder, &rq_type_body_decoder);
    rq_body_decoder_t *d = ours ? MP_OBJ_TO_PTR(decoder) : NULL;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        *got = d != NULL ? body_decoder_read_raise(d, buf, len) : rq_stream_read_raise(decoder, buf, len);
        nlr_pop();
        return NULL;
    }
    if (d != NULL && d->state == DEC_OPEN) {
        // uzlib was left mid-stream: nothing more comes out of it.
        d->state = DEC_FAILED;
        d->member = MP_OBJ_NULL;
    }
    mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (rq_exc_is(exc, &mp_type_EOFError)) {
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

bool rq_response_read_raw_first(mp_obj_t self_in) {
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
