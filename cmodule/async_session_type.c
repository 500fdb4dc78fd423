// The AsyncSession type: Session's arguments and verbs, each returning an
// awaitable (async_request.c); `async with`, close/aclose, a finaliser.
#include <stddef.h>
#include <string.h>

#include "py/runtime.h"
#include "rq_objects.h"

#if RQ_ENABLE_ASYNC

static mp_obj_t async_session_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_socket_pool, ARG_ssl_context, ARG_max_connections };
    RQ_ARGS allowed[] = {
        { MP_QSTR_socket_pool, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_ssl_context, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_max_connections, MP_ARG_INT, {.u_int = 4} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    rq_parse_args_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, args);
    mp_int_t max = args[ARG_max_connections].u_int;
    if (max < 1 || max > 64) {
        mp_raise_ValueError(MP_ERROR_TEXT("max_connections must be 1 to 64"));
    }
    // With a finaliser, as Session: its idle sockets are few and precious.
    rq_async_session_obj_t *o = mp_obj_malloc_with_finaliser(rq_async_session_obj_t, type);
    rq_session_init(&o->so.s, args[ARG_socket_pool].u_obj, args[ARG_ssl_context].u_obj);
    o->so.s.nonblocking = true;
    // The driver's state starts empty (MP_OBJ_NULL lists, no timer due).
    memset(&o->parked, 0, sizeof(*o) - offsetof(rq_async_session_obj_t, parked));
    o->max_connections = (uint16_t)max;
    o->in_flight = 0;
    return MP_OBJ_FROM_PTR(o);
}

static mp_obj_t async_session_request(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    return rq_async_request(args[0], MP_OBJ_NULL, n_args - 1, args + 1, kw);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(async_session_request_obj, 1, async_session_request);

// Closes the idle connections and stops the requests still in flight (their
// tasks are gone when the event loop was interrupted, and nothing else would
// close their sockets); responses handed out keep their connections until
// they end or are closed.
// Drops the responses whose connection is gone (read to the end or closed).
static void async_session_forget_finished(rq_async_session_obj_t *o) {
    if (o->streamed == MP_OBJ_NULL) {
        return;
    }
    mp_obj_list_t *l = MP_OBJ_TO_PTR(o->streamed);
    size_t kept = 0;
    for (size_t i = 0; i < l->len; i++) {
        rq_response_t *r = rq_response_state(l->items[i]);
        if (r->conn != NULL && r->conn->sock != MP_OBJ_NULL) {
            l->items[kept++] = l->items[i];
        }
    }
    for (size_t i = kept; i < l->len; i++) {
        l->items[i] = MP_OBJ_NULL;
    }
    l->len = kept;
}

void rq_async_session_note_streamed(mp_obj_t session, mp_obj_t response) {
    rq_async_session_obj_t *o = MP_OBJ_TO_PTR(session);
    async_session_forget_finished(o);
    if (o->streamed == MP_OBJ_NULL) {
        o->streamed = mp_obj_new_list(0, NULL);
    }
    mp_obj_list_append(o->streamed, response);
}

static mp_obj_t async_session_close(mp_obj_t self_in) {
    rq_async_session_obj_t *o = MP_OBJ_TO_PTR(self_in);
    while (o->in_flight_ops != MP_OBJ_NULL) {
        mp_obj_list_t *l = MP_OBJ_TO_PTR(o->in_flight_ops);
        if (l->len == 0) {
            break;
        }
        // Stopping it takes it off the list (and it is taken off anyway).
        mp_obj_t op = l->items[l->len - 1];
        rq_async_request_abort(op);
        rq_list_remove_item(o->in_flight_ops, op);
    }
    // Streamed responses still open close with the session, as a Session's
    // live response does.
    async_session_forget_finished(o);
    if (o->streamed != MP_OBJ_NULL) {
        mp_obj_list_t *l = MP_OBJ_TO_PTR(o->streamed);
        for (size_t i = 0; i < l->len; i++) {
            // Marked so that a read after this says the session was closed.
            rq_err_t err = rq_response_close_as(rq_response_state(l->items[i]), RQ_CLOSED_SESSION);
            (void)err;  // a non-blocking close never waits, so no interrupt comes from it
        }
        o->streamed = MP_OBJ_NULL;
    }
    rq_err_t err = rq_session_close(&o->so.s);
    rq_raise_if(err);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(async_session_close_obj, async_session_close);

static mp_obj_t async_session_aclose(mp_obj_t self_in) {
    async_session_close(self_in);
    return rq_aio_done(mp_const_none);
}
static MP_DEFINE_CONST_FUN_OBJ_1(async_session_aclose_obj, async_session_aclose);

static mp_obj_t async_session_aenter(mp_obj_t self_in) {
    return rq_aio_done(self_in);
}
static MP_DEFINE_CONST_FUN_OBJ_1(async_session_aenter_obj, async_session_aenter);

static mp_obj_t async_session_aexit(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    return async_session_aclose(args[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(async_session_aexit_obj, 1, 4, async_session_aexit);

static mp_obj_t async_session_del(mp_obj_t self_in) {
    rq_async_session_obj_t *o = MP_OBJ_TO_PTR(self_in);
    rq_session_finalise(&o->so.s);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(async_session_del_obj, async_session_del);

static void async_session_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    rq_async_session_obj_t *o = MP_OBJ_TO_PTR(self_in);
    rq_session_state_attr(self_in, &o->so.s, attr, dest);
}

static const mp_rom_map_elem_t async_session_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_request), MP_ROM_PTR(&async_session_request_obj) },
    RQ_VERB_ENTRIES(rq_async_session_verbs),
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&async_session_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_aclose), MP_ROM_PTR(&async_session_aclose_obj) },
    { MP_ROM_QSTR(MP_QSTR___aenter__), MP_ROM_PTR(&async_session_aenter_obj) },
    { MP_ROM_QSTR(MP_QSTR___aexit__), MP_ROM_PTR(&async_session_aexit_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&async_session_del_obj) },
};
static MP_DEFINE_CONST_DICT(async_session_locals, async_session_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_async_session,
    MP_QSTR_AsyncSession,
    MP_TYPE_FLAG_NONE,
    make_new, async_session_make_new,
    attr, async_session_attr,
    locals_dict, &async_session_locals
    );

#endif // RQ_ENABLE_ASYNC
