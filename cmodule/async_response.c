// Response.aread(), ajson(...), aiter_content(n), aiter_lines(), aclose():
// the body of an AsyncSession response read without blocking the event
// loop. One awaitable type serves them all; for the iterators it is also
// the async iterator (__aiter__/__anext__ return it), so a loop over a body
// allocates only the pieces it hands out. On a blocking Session's response
// the reads block, as its own readers do.
#include <string.h>

#include "py/runtime.h"
#include "rq_objects.h"

#if RQ_ENABLE_ASYNC

enum {
    BODY_ALL = 0,   // aread / ajson: the whole body
    BODY_CHUNKS,    // aiter_content
    BODY_LINES,     // aiter_lines
    BODY_JSON,      // ajson(*path), ajson({name: path}): selected while the body streams
};

typedef struct {
    rq_aio_head_t h;
    mp_obj_t response;
    mp_obj_t json_args;     // ajson: the path arguments (a tuple), else NULL
    mp_obj_t selection;     // BODY_JSON: the selection, once the body can be read
    vstr_t acc;
    vstr_t raw;             // a compressed body while it is read ahead
    size_t chunk;
    uint8_t mode;
    bool ended;
    bool done;              // BODY_ALL: the result was handed out
    bool raw_phase;         // reading a compressed body ahead into `raw`
} rq_aio_body_obj_t;

// A body already in memory as the response's content: the pieces come from
// there.
static void body_take_cached(rq_aio_body_obj_t *b, mp_obj_t cached) {
    mp_buffer_info_t bi;
    mp_get_buffer_raise(cached, &bi, MP_BUFFER_READ);
    vstr_add_strn(&b->acc, bi.buf, bi.len);
    b->ended = true;
}

// A compressed body is read whole first, without blocking; then the
// response's own decoder reads it from memory (rq_response_poll_read).
// Returns false while waiting.
static bool body_read_raw(rq_aio_body_obj_t *b, mp_obj_t self_in) {
    bool ended = false;
    if (!rq_aio_pump_body(b->h.session, self_in, &b->h.wait, b->response, &b->raw, 0, false, &ended)) {
        return false;
    }
    b->raw_phase = false;
    rq_response_hold_raw(b->response, mp_obj_new_bytes_from_vstr(&b->raw));
    rq_response_t *r = rq_response_state(b->response);
    if (r->cached != MP_OBJ_NULL && b->mode != BODY_ALL && b->mode != BODY_JSON) {
        // No decompressor in the firmware: the body is what came.
        body_take_cached(b, r->cached);
    }
    return true;
}

#if RQ_ENABLE_JSON_SELECT
// ajson with paths: the body goes through the selector as it arrives, as
// for json(*path); only the selected values are kept.
static mp_obj_t body_json_step(rq_aio_body_obj_t *b, mp_obj_t self_in) {
    if (b->selection == MP_OBJ_NULL) {
        size_t n;
        mp_obj_t *items;
        mp_obj_tuple_get(b->json_args, &n, &items);
        b->selection = rq_json_select_begin(b->response, n, items);
    }
    for (;;) {
        if (rq_aio_should_pause(&b->h.wait)) {
            return mp_const_none;
        }
        mp_obj_t result = MP_OBJ_NULL;
        mp_obj_t wait_on = MP_OBJ_NULL;
        rq_poll_t kind = RQ_POLL_READ;
        int k = rq_json_select_poll(b->selection, &result, &kind, &wait_on);
        if (k == RQ_JSON_END) {
            b->done = true;
            b->selection = MP_OBJ_NULL;
            return mp_make_stop_iteration(result);
        }
        if (k == RQ_JSON_WAIT) {
            rq_response_t *r = rq_response_state(b->response);
            b->h.wait.has_deadline = rq_response_deadline(r, &b->h.wait.deadline);
            rq_aio_wait_io(b->h.session, self_in, &b->h.wait, wait_on, kind);
            return mp_const_none;
        }
    }
}
#endif

static mp_obj_t body_result_all(rq_aio_body_obj_t *b) {
    rq_response_t *r = rq_response_state(b->response);
    if (r->cached == MP_OBJ_NULL) {
        r->cached = mp_obj_new_bytes_from_vstr(&b->acc);
    }
    b->done = true;
    if (b->json_args == MP_OBJ_NULL) {
        return r->cached;
    }
    // The body is in memory now: json() and its paths work from it.
    size_t n;
    mp_obj_t *items;
    mp_obj_tuple_get(b->json_args, &n, &items);
    // As many path arguments as json(*path) takes.
    return mp_call_function_n_kw(mp_load_attr(b->response, MP_QSTR_json), n, 0, items);
}

// The next piece for an iterator, or NULL when the body ended.
static mp_obj_t body_take_piece(rq_aio_body_obj_t *b) {
    if (b->acc.len == 0) {
        return MP_OBJ_NULL;
    }
    size_t take = b->acc.len;
    size_t skip = 0;
    if (b->mode == BODY_LINES) {
        const char *nl = memchr(b->acc.buf, '\n', b->acc.len);
        if (nl != NULL) {
            take = nl - b->acc.buf;
            skip = 1;
        }
        if (take > 0 && b->acc.buf[take - 1] == '\r') {
            take--;
            skip++;
        }
    } else if (take > b->chunk) {
        take = b->chunk;
    }
    mp_obj_t piece = mp_obj_new_bytes((const byte *)b->acc.buf, take);
    size_t used = take + skip;
    memmove(b->acc.buf, b->acc.buf + used, b->acc.len - used);
    b->acc.len -= used;
    return piece;
}

static mp_obj_t body_step(mp_obj_t self_in) {
    rq_aio_body_obj_t *b = MP_OBJ_TO_PTR(self_in);
    if (b->h.wait.waiting || b->h.wait.timed_out) {
        rq_aio_resumed(b->h.session, self_in, &b->h.wait);
    }
    if ((b->mode == BODY_ALL || b->mode == BODY_JSON) && b->done) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("body already awaited"));
    }
    if (b->raw_phase && !body_read_raw(b, self_in)) {
        return mp_const_none;
    }
    #if RQ_ENABLE_JSON_SELECT
    if (b->mode == BODY_JSON) {
        return body_json_step(b, self_in);
    }
    #endif
    // From here a compressed body held in memory reads decoded, in slices
    // like any other body.
    rq_response_t *r = rq_response_state(b->response);
    if (b->mode == BODY_ALL) {
        if (r->cached == MP_OBJ_NULL && !b->ended
            && !rq_aio_pump_body(b->h.session, self_in, &b->h.wait, b->response, &b->acc, 0, false, &b->ended)) {
            return mp_const_none;
        }
        return mp_make_stop_iteration(body_result_all(b));
    }
    if (!b->ended) {
        size_t want = b->mode == BODY_CHUNKS ? b->chunk : 0;
        if (!rq_aio_pump_body(b->h.session, self_in, &b->h.wait, b->response, &b->acc, want, b->mode == BODY_LINES, &b->ended)) {
            return mp_const_none;
        }
    }
    mp_obj_t piece = body_take_piece(b);
    if (piece == MP_OBJ_NULL) {
        mp_raise_type(&mp_type_StopAsyncIteration);
    }
    return mp_make_stop_iteration(piece);
}

// A reader that ends in an error (its timeout, a reset, malformed data)
// closes its connection at once: nothing after the failure could be trusted
// as the rest of the body, and the socket must not wait for close().
static mp_obj_t body_iternext(mp_obj_t self_in) {
    rq_aio_body_obj_t *b = MP_OBJ_TO_PTR(self_in);
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t r = body_step(self_in);
        nlr_pop();
        return r;
    }
    mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (!rq_exc_is(exc, &mp_type_StopAsyncIteration)) {
        rq_err_t err = rq_response_close_as(rq_response_state(b->response), RQ_CLOSED_FAILED);
        (void)err;  // closing without a drain raises nothing of its own
    }
    nlr_jump(nlr.ret_val);
}

// Cancelled while reading: the response is closed (its connection too).
static mp_obj_t body_throw(size_t n_args, const mp_obj_t *args) {
    rq_aio_body_obj_t *b = MP_OBJ_TO_PTR(args[0]);
    rq_aio_forget(b->h.session, args[0], &b->h.wait);
    rq_err_t err = rq_response_close(rq_response_state(b->response));
    (void)err;  // only a blocking drain can be interrupted; this one does not wait
    nlr_raise(mp_make_raise_obj(args[1]));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(body_throw_obj, 2, 4, body_throw);

static const mp_rom_map_elem_t body_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&rq_aio_send_obj) },
    { MP_ROM_QSTR(MP_QSTR_throw), MP_ROM_PTR(&body_throw_obj) },
    { MP_ROM_QSTR(MP_QSTR___await__), MP_ROM_PTR(&rq_self_obj) },
    { MP_ROM_QSTR(MP_QSTR___aiter__), MP_ROM_PTR(&rq_self_obj) },
    { MP_ROM_QSTR(MP_QSTR___anext__), MP_ROM_PTR(&rq_self_obj) },
};
static MP_DEFINE_CONST_DICT(body_locals, body_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_aio_body,
    MP_QSTR_BodyReader,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, body_iternext,
    locals_dict, &body_locals
    );

static mp_obj_t body_new(mp_obj_t response, uint8_t mode, size_t chunk) {
    rq_response_t *r = rq_response_state(response);
    rq_aio_body_obj_t *b = mp_obj_malloc(rq_aio_body_obj_t, &rq_type_aio_body);
    // Everything after the type starts zero (NULL objects, no wait, no raw
    // buffer, flags false).
    memset((char *)b + sizeof(mp_obj_base_t), 0, sizeof(*b) - sizeof(mp_obj_base_t));
    b->h.wait.ran_since = rq_ticks_ms();
    b->h.session = r->session;
    b->response = response;
    b->mode = mode;
    b->chunk = chunk;
    // A compressed body is decoded while it streams where the firmware's
    // decompressor can (DeflateIO); else it is read raw first.
    b->raw_phase = rq_response_read_raw_first(response);
    if (mode == BODY_JSON) {
        vstr_init(&b->acc, 16);
    } else {
        vstr_init(&b->acc, mode == BODY_ALL ? 256 : (chunk < 64 ? 64 : chunk));
    }
    if (b->raw_phase) {
        vstr_init(&b->raw, 1024);
    }
    if (r->cached != MP_OBJ_NULL && mode != BODY_ALL && mode != BODY_JSON) {
        // Read already (content, aread).
        body_take_cached(b, r->cached);
    }
    return MP_OBJ_FROM_PTR(b);
}

static mp_obj_t response_aread(mp_obj_t self_in) {
    return body_new(self_in, BODY_ALL, 0);
}
MP_DEFINE_CONST_FUN_OBJ_1(rq_response_aread_obj, response_aread);

static mp_obj_t response_ajson(size_t n_args, const mp_obj_t *args) {
    #if RQ_ENABLE_JSON_SELECT
    uint8_t mode = n_args > 1 ? BODY_JSON : BODY_ALL;
    #else
    uint8_t mode = BODY_ALL;
    #endif
    mp_obj_t b = body_new(args[0], mode, 0);
    ((rq_aio_body_obj_t *)MP_OBJ_TO_PTR(b))->json_args = mp_obj_new_tuple(n_args - 1, args + 1);
    return b;
}
MP_DEFINE_CONST_FUN_OBJ_VAR(rq_response_ajson_obj, 1, response_ajson);

static mp_obj_t response_aiter_content(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    RQ_ARGS allowed[] = {
        { MP_QSTR_chunk_size, MP_ARG_INT, {.u_int = 1} },
    };
    mp_arg_val_t a[1];
    rq_parse_args(n_args - 1, args + 1, kw, 1, allowed, a);
    mp_int_t n = a[0].u_int;
    if (n < 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("chunk_size must be at least 1"));
    }
    return body_new(args[0], BODY_CHUNKS, (size_t)n);
}
MP_DEFINE_CONST_FUN_OBJ_KW(rq_response_aiter_content_obj, 1, response_aiter_content);

static mp_obj_t response_aiter_lines(mp_obj_t self_in) {
    return body_new(self_in, BODY_LINES, 0);
}
MP_DEFINE_CONST_FUN_OBJ_1(rq_response_aiter_lines_obj, response_aiter_lines);

static mp_obj_t response_aclose(mp_obj_t self_in) {
    rq_err_t err = rq_response_close(rq_response_state(self_in));
    rq_raise_if(err);
    return rq_aio_done(mp_const_none);
}
MP_DEFINE_CONST_FUN_OBJ_1(rq_response_aclose_obj, response_aclose);

#endif // RQ_ENABLE_ASYNC
