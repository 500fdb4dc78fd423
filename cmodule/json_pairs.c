// Text for the firmware's json module with escaped surrogate pairs
// ("\ud83d\ude00") already joined into UTF-8: both MicroPython's and
// CircuitPython's json decode each half on its own, into a str holding
// invalid UTF-8 (src/engine/json/pairs.rs). Whole texts in memory are
// rewritten in a copy only when they may hold a pair; a streamed body goes
// through a small stream object that rewrites what it reads ahead.
#include <string.h>

#include "py/objarray.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "rq_objects.h"

static mp_obj_t json_call(qstr fn, mp_obj_t arg) {
    return rq_call1(rq_import(MP_QSTR_json), fn, arg);
}

mp_obj_t rq_json_loads(mp_obj_t text) {
    mp_buffer_info_t bi;
    mp_get_buffer_raise(text, &bi, MP_BUFFER_READ);
    if (!rq_json_may_hold_pair(bi.buf, bi.len)) {
        return json_call(MP_QSTR_loads, text);
    }
    bool in_string = false;
    size_t held;
    if (mp_obj_is_type(text, &mp_type_bytearray)) {
        // The selector's own buffer: rewritten where it lies.
        mp_obj_array_t *a = MP_OBJ_TO_PTR(text);
        size_t ready = rq_json_join_pairs(&in_string, bi.buf, bi.len, true, &held);
        a->free += a->len - ready;
        a->len = ready;
        return json_call(MP_QSTR_loads, text);
    }
    vstr_t v;
    vstr_init_len(&v, bi.len);
    memcpy(v.buf, bi.buf, bi.len);
    v.len = rq_json_join_pairs(&in_string, (uint8_t *)v.buf, v.len, true, &held);
    return json_call(MP_QSTR_loads, mp_obj_new_bytes_from_vstr(&v));
}

// Read ahead of json.load (which asks for one byte at a time) in pieces of
// this size; an escape cut by a piece's end (at most 11 bytes) stays at the
// front for the next one.
#define RQ_JSON_AHEAD (128)

typedef struct {
    mp_obj_base_t base;
    mp_obj_t response;
    uint16_t pos;       // next byte to hand out
    uint16_t ready;     // buf[..ready]: rewritten text
    uint16_t held;      // buf[held..len]: an escape not yet decided
    uint16_t len;
    bool in_string;
    bool ended;         // the response's body has ended
    rq_json_check_t check;  // the strict check over every byte read
    uint8_t buf[RQ_JSON_AHEAD];
} rq_json_source_t;

static void json_check_raise(rq_json_check_t *c, const uint8_t *buf, size_t len, bool last) {
    rq_err_t err = rq_json_check(c, buf, len, last);
    rq_raise_if(err);
}

mp_obj_t rq_json_loads_whole(mp_obj_t text) {
    mp_buffer_info_t bi;
    mp_get_buffer_raise(text, &bi, MP_BUFFER_READ);
    rq_json_check_t c;
    rq_json_check_init(&c);
    json_check_raise(&c, bi.buf, bi.len, true);
    return rq_json_loads(text);
}

// Refills buf; false at the end of the text.
static bool json_source_fill(rq_json_source_t *s) {
    const mp_stream_p_t *p = mp_get_stream(s->response);
    for (;;) {
        size_t keep = s->len - s->held;
        memmove(s->buf, s->buf + s->held, keep);
        s->len = keep;
        s->pos = 0;
        if (!s->ended) {
            int err = 0;
            mp_uint_t n = p->read(s->response, s->buf + s->len, RQ_JSON_AHEAD - s->len, &err);
            if (n == MP_STREAM_ERROR) {
                mp_raise_OSError(err);
            }
            json_check_raise(&s->check, s->buf + s->len, n, n == 0);
            s->ended = n == 0;
            s->len += n;
        }
        size_t held;
        s->ready = rq_json_join_pairs(&s->in_string, s->buf, s->len, s->ended, &held);
        s->held = held;
        if (s->ready > 0) {
            return true;
        }
        if (s->ended) {
            return false;
        }
    }
}

// A refill, or a read of more than one byte.
static MP_NOINLINE mp_uint_t json_source_read_more(rq_json_source_t *s, void *out, mp_uint_t size) {
    if (s->pos == s->ready && !json_source_fill(s)) {
        return 0;
    }
    size_t left = (size_t)s->ready - s->pos;
    size_t n = left < size ? left : size;
    memcpy(out, s->buf + s->pos, n);
    s->pos += n;
    return n;
}

static mp_uint_t json_source_read(mp_obj_t self_in, void *out, mp_uint_t size, int *errcode) {
    (void)errcode;
    rq_json_source_t *s = MP_OBJ_TO_PTR(self_in);
    // json.load reads one byte at a time, as often as the body has bytes:
    // that read stays a few instructions, with no call and no saved
    // registers.
    if (size == 1 && s->pos < s->ready) {
        *(uint8_t *)out = s->buf[s->pos++];
        return 1;
    }
    return json_source_read_more(s, out, size);
}

static const mp_stream_p_t json_source_stream_p = {
    .read = json_source_read,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_json_source,
    MP_QSTR_Response,
    MP_TYPE_FLAG_NONE,
    protocol, &json_source_stream_p
    );

mp_obj_t rq_json_load_response(mp_obj_t response) {
    rq_json_source_t *s = mp_obj_malloc(rq_json_source_t, &rq_type_json_source);
    s->response = response;
    s->pos = s->ready = s->held = s->len = 0;
    s->in_string = false;
    s->ended = false;
    rq_json_check_init(&s->check);
    mp_obj_t out = json_call(MP_QSTR_load, MP_OBJ_FROM_PTR(s));
    // json.load may stop short of the end (a lenient parse of a cut
    // document): the rest goes through the check too, to its end.
    while (!s->ended) {
        s->pos = s->ready;
        s->held = s->len;
        json_source_fill(s);
    }
    return out;
}
