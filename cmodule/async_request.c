// The awaitable AsyncSession.request returns: drives the exchange
// (rq_exchange_poll) until the response head, then (stream=False) reads the
// body into r.content, waiting through asyncio whenever a socket would
// block. It is also a coroutine (send/throw/close), so gather() and
// wait_for() can make a Task of it. Cancelled at any phase, it closes that
// connection and raises the CancelledError on.
#include <stddef.h>
#include <string.h>

#include "py/runtime.h"
#include "rq_objects.h"

#if RQ_ENABLE_ASYNC

enum {
    OP_SLOT = 0,    // waiting for a connection slot (max_connections)
    OP_EXCHANGE,    // connection, request, head, redirects
    OP_BODY,        // stream=False: reading the body
    OP_DONE,
};

typedef struct {
    rq_aio_head_t h;
    mp_obj_t response;
    mp_obj_t headers_arg;       // the request's headers (Accept-Encoding decides decoding)
    vstr_t body;
    uint8_t state;
    bool stream;
    bool has_slot;
    bool ended;
    bool raw;                   // OP_BODY reads a compressed body, to be decoded from memory
    rq_exchange_t x;
} rq_aio_request_obj_t;

static rq_async_session_obj_t *op_session(rq_aio_request_obj_t *op) {
    return MP_OBJ_TO_PTR(op->h.session);
}

static void op_release_slot(rq_aio_request_obj_t *op) {
    if (op->has_slot) {
        op->has_slot = false;
        rq_async_session_obj_t *s = op_session(op);
        s->in_flight--;
        rq_list_remove_item(s->in_flight_ops, MP_OBJ_FROM_PTR(op));
        rq_aio_unpark(s);
    }
}

// Stops whatever is under way: the connection is closed, never reused.
static void op_stop(rq_aio_request_obj_t *op) {
    rq_aio_forget(op->h.session, MP_OBJ_FROM_PTR(op), &op->h.wait);
    if (op->state == OP_EXCHANGE) {
        rq_exchange_abort(&op->x);
    } else if (op->state == OP_BODY && op->response != MP_OBJ_NULL) {
        rq_err_t err = rq_response_close(rq_response_state(op->response));
        (void)err;  // a KeyboardInterrupt can only come from a blocking drain; this one never blocks
    }
    op_release_slot(op);
    op->state = OP_DONE;
}

// The request is made (its body read, unless streamed): its connection
// slot goes to the next request waiting for one.
void rq_async_request_abort(mp_obj_t op_in) {
    rq_aio_request_obj_t *op = MP_OBJ_TO_PTR(op_in);
    if (op->state != OP_DONE) {
        op_stop(op);
    }
}

static mp_obj_t op_finish(rq_aio_request_obj_t *op) {
    op_release_slot(op);
    op->state = OP_DONE;
    return mp_make_stop_iteration(op->response);
}

// stream=False: the body into op->body, then it becomes the response's
// content. A compressed body is read raw first, then decoded from memory,
// both in slices. False while waiting.
static bool op_read_body(rq_aio_request_obj_t *op, mp_obj_t self_in) {
    rq_response_t *r = rq_response_state(op->response);
    for (;;) {
        if (!rq_aio_pump_body(op->h.session, self_in, &op->h.wait, op->response, &op->body, 0, false, &op->ended)) {
            return false;
        }
        if (!op->raw) {
            break;
        }
        op->raw = false;
        rq_response_hold_raw(op->response, mp_obj_new_bytes_from_vstr(&op->body));
        if (r->cached != MP_OBJ_NULL) {
            return true;    // no decompressor: the body is what came
        }
        vstr_init(&op->body, 1024);
        op->ended = false;
    }
    if (r->cached == MP_OBJ_NULL) {
        r->cached = mp_obj_new_bytes_from_vstr(&op->body);
    }
    return true;
}

static mp_obj_t op_iternext(mp_obj_t self_in) {
    rq_aio_request_obj_t *op = MP_OBJ_TO_PTR(self_in);
    if (op->h.wait.waiting || op->h.wait.timed_out) {
        nlr_buf_t nlr;
        if (nlr_push(&nlr) == 0) {
            rq_aio_resumed(op->h.session, self_in, &op->h.wait);
            nlr_pop();
        } else {
            op_stop(op);
            nlr_jump(nlr.ret_val);
        }
    }
    rq_async_session_obj_t *s = op_session(op);
    switch (op->state) {
        case OP_SLOT:
            if (s->in_flight >= s->max_connections) {
                rq_aio_park(s);
                return mp_const_none;
            }
            if (s->in_flight_ops == MP_OBJ_NULL) {
                s->in_flight_ops = mp_obj_new_list(0, NULL);
            }
            mp_obj_list_append(s->in_flight_ops, self_in);
            s->in_flight++;
            op->has_slot = true;
            op->state = OP_EXCHANGE;
            MP_FALLTHROUGH
        case OP_EXCHANGE: {
            mp_obj_t out = MP_OBJ_NULL;
            mp_obj_t wait_on = MP_OBJ_NULL;
            rq_poll_t k = rq_exchange_poll(&op->x, &out, &wait_on);
            if (k == RQ_POLL_ERROR) {
                op_release_slot(op);
                op->state = OP_DONE;
                rq_raise(out);
            }
            if (k != RQ_POLL_READY) {
                op->h.wait.has_deadline = rq_exchange_deadline(&op->x, &op->h.wait.deadline);
                rq_aio_wait_io(op->h.session, self_in, &op->h.wait, wait_on, k);
                return mp_const_none;
            }
            op->response = out;
            rq_response_note_request_headers(out, op->headers_arg);
            if (op->stream) {
                rq_async_session_note_streamed(op->h.session, out);
                return op_finish(op);
            }
            // A compressed body is decoded while it streams where the
            // firmware's decompressor can; else it is read raw here, and
            // decoded from memory by whichever reader the caller uses.
            op->raw = rq_response_read_raw_first(out);
            vstr_init(&op->body, 256);
            op->state = OP_BODY;
        }
            MP_FALLTHROUGH
        case OP_BODY: {
            nlr_buf_t nlr;
            bool done = false;
            if (nlr_push(&nlr) == 0) {
                done = op_read_body(op, self_in);
                nlr_pop();
            } else {
                op_stop(op);
                nlr_jump(nlr.ret_val);
            }
            if (!done) {
                return mp_const_none;
            }
            return op_finish(op);
        }
        default:
            mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("request already awaited"));
    }
}

// Cancellation (CancelledError, a wait_for timeout) or any exception thrown
// in: the connection is closed and the exception goes on.
static mp_obj_t op_throw(size_t n_args, const mp_obj_t *args) {
    rq_aio_request_obj_t *op = MP_OBJ_TO_PTR(args[0]);
    op_stop(op);
    nlr_raise(mp_make_raise_obj(args[1]));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(op_throw_obj, 2, 4, op_throw);

static mp_obj_t op_close(mp_obj_t self_in) {
    rq_aio_request_obj_t *op = MP_OBJ_TO_PTR(self_in);
    if (op->state != OP_DONE) {
        op_stop(op);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(op_close_obj, op_close);


static const mp_rom_map_elem_t op_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___await__), MP_ROM_PTR(&rq_self_obj) },
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&rq_aio_send_obj) },
    { MP_ROM_QSTR(MP_QSTR_throw), MP_ROM_PTR(&op_throw_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&op_close_obj) },
};
static MP_DEFINE_CONST_DICT(op_locals, op_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_aio_request,
    MP_QSTR_RequestInProgress,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, op_iternext,
    locals_dict, &op_locals
    );

// AsyncSession.request and its verbs: the arguments are checked now; the
// request goes out when the result is awaited.
mp_obj_t rq_async_request(mp_obj_t session, mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw) {
    rq_request_args_t a;
    rq_parse_request_args(method, n_pos, pos, kw, MP_OBJ_NEW_SMALL_INT(60), &a);
    rq_session_state_apply(&((rq_async_session_obj_t *)MP_OBJ_TO_PTR(session))->so.s, &a);
    rq_aio_request_obj_t *op = mp_obj_malloc(rq_aio_request_obj_t, &rq_type_aio_request);
    // Everything between the type and the exchange (which
    // rq_exchange_begin sets) starts zero: no wait, no response, an empty
    // body, OP_SLOT, flags false.
    memset((char *)op + sizeof(mp_obj_base_t), 0, offsetof(rq_aio_request_obj_t, x) - sizeof(mp_obj_base_t));
    op->h.wait.ran_since = rq_ticks_ms();
    op->h.session = session;
    op->headers_arg = a.headers;
    op->stream = a.stream;
    rq_async_session_obj_t *s = MP_OBJ_TO_PTR(session);
    rq_err_t err = rq_exchange_begin(&op->x, &s->so.s, session, &a);
    if (err != NULL) {
        op->state = OP_DONE;
        rq_raise(err);
    }
    return MP_OBJ_FROM_PTR(op);
}

#endif // RQ_ENABLE_ASYNC
