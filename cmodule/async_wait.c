// Waiting the asyncio way: the running task is registered on the I/O queue
// of whichever asyncio the program imported (MicroPython's built-in one or
// CircuitPython's library: both keep `core._io_queue` with `_enqueue`), and
// the awaitable yields. Deadlines (SPEC §6 timeouts) are kept by one timer
// task per AsyncSession, created when a wait with a deadline first needs
// it: it sleeps on the task queue until the earliest deadline, and wakes a
// timed-out waiter by taking its task off the I/O queue and scheduling it.
// Nothing is allocated per wait when nothing times out.
#include <string.h>

#include "py/runtime.h"
#include "py/objlist.h"
#include "rq_objects.h"

#if RQ_ENABLE_ASYNC

// asyncio's core module, looked up on every use: new_event_loop() replaces
// its queues, and a program may use CircuitPython's library instead.
static mp_obj_t rq_aio_core(void) {
    mp_map_elem_t *e = mp_map_lookup(&MP_STATE_VM(mp_loaded_modules_dict).map,
        MP_OBJ_NEW_QSTR(qstr_from_str("asyncio.core")), MP_MAP_LOOKUP);
    if (e != NULL) {
        return e->value;
    }
    mp_obj_t pkg = rq_import(MP_QSTR_asyncio);
    return mp_load_attr(pkg, MP_QSTR_core);
}

// Puts `task` on asyncio's run queue, as its own Event.set() wakes one.
static void rq_aio_schedule(mp_obj_t core, mp_obj_t task) {
    rq_call1(mp_load_attr(core, MP_QSTR__task_queue), MP_QSTR_push, task);
}

static rq_async_session_obj_t *rq_aio_session(mp_obj_t session) {
    return MP_OBJ_TO_PTR(session);
}

// The ticks value asyncio's task queue uses for `ms` from now.
static mp_obj_t rq_aio_key_in(mp_obj_t core, uint32_t ms) {
    mp_obj_t now = mp_call_function_0(mp_load_attr(core, MP_QSTR_ticks));
    return mp_call_function_2(mp_load_attr(core, MP_QSTR_ticks_add), now, mp_obj_new_int_from_uint(ms));
}

void rq_list_remove_item(mp_obj_t list, mp_obj_t item) {
    mp_obj_list_t *l = MP_OBJ_TO_PTR(list);
    for (size_t i = 0; i < l->len; i++) {
        if (l->items[i] == item) {
            memmove(&l->items[i], &l->items[i + 1], (l->len - i - 1) * sizeof(mp_obj_t));
            l->len--;
            l->items[l->len] = MP_OBJ_NULL;
            return;
        }
    }
}

// coroutine.send(None) of the module's native awaitables, so that asyncio
// can make Tasks of them (gather, create_task, wait_for): one step of the
// type's iternext; the end raises StopIteration with the result.
static mp_obj_t rq_aio_send(mp_obj_t self_in, mp_obj_t value) {
    (void)value;
    MP_STATE_THREAD(stop_iteration_arg) = MP_OBJ_NULL;
    mp_fun_1_t next = (mp_fun_1_t)MP_OBJ_TYPE_GET_SLOT(mp_obj_get_type(self_in), iter);
    mp_obj_t r = next(self_in);
    if (r == MP_OBJ_STOP_ITERATION) {
        mp_obj_t result = MP_STATE_THREAD(stop_iteration_arg);
        mp_raise_StopIteration(result == MP_OBJ_NULL ? mp_const_none : result);
    }
    return r;
}
MP_DEFINE_CONST_FUN_OBJ_2(rq_aio_send_obj, rq_aio_send);

// ---- the per-session timer ----

typedef struct {
    mp_obj_base_t base;
    mp_obj_t session;
} rq_aio_timer_obj_t;

static rq_aio_wait_t *rq_aio_wait_of(mp_obj_t owner) {
    return &((rq_aio_head_t *)MP_OBJ_TO_PTR(owner))->wait;
}

static int32_t rq_ticks_left(uint32_t deadline, uint32_t now) {
    return (int32_t)(deadline - now);
}

// One run of the timer: wakes every waiter whose deadline passed, then
// sleeps until the next one, or ends when none is left.
static mp_obj_t timer_iternext(mp_obj_t self_in) {
    rq_aio_timer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    rq_async_session_obj_t *s = rq_aio_session(self->session);
    mp_obj_t core = rq_aio_core();
    uint32_t now = rq_ticks_ms();
    bool any = false;
    uint32_t next = 0;
    mp_obj_list_t *l = MP_OBJ_TO_PTR(s->waits);
    for (size_t i = 0; i < l->len;) {
        mp_obj_t owner = l->items[i];
        rq_aio_wait_t *w = rq_aio_wait_of(owner);
        if (!w->waiting) {
            rq_list_remove_item(s->waits, owner);
            continue;
        }
        if (rq_ticks_left(w->deadline, now) <= 0) {
            rq_list_remove_item(s->waits, owner);
            // Moved only while asyncio has it parked on the I/O queue (as
            // its own Task.cancel asks `task.data`): when cancel(), a
            // wait_for deadline or the socket's readiness already queued
            // it, it runs anyway and must not be queued a second time.
            mp_obj_t ioq = mp_load_attr(core, MP_QSTR__io_queue);
            if (mp_load_attr(w->task, MP_QSTR_data) == ioq) {
                w->timed_out = true;
                w->waiting = false;
                rq_call1(ioq, MP_QSTR_remove, w->task);
                rq_aio_schedule(core, w->task);
            }
            continue;
        }
        if (!any || rq_ticks_left(w->deadline, next) < 0) {
            next = w->deadline;
        }
        any = true;
        i++;
    }
    mp_obj_t cur = mp_load_attr(core, MP_QSTR_cur_task);
    if (!any) {
        if (s->timer == cur) {
            s->timer = MP_OBJ_NULL;
        }
        return mp_make_stop_iteration(mp_const_none);
    }
    s->timer_at = next;
    rq_call2(mp_load_attr(core, MP_QSTR__task_queue), MP_QSTR_push, cur,
        rq_aio_key_in(core, (uint32_t)rq_ticks_left(next, now)));
    return mp_const_none;
}

// Cancelled (the program's loop is shutting down): the next wait with a
// deadline starts a new timer.
static mp_obj_t timer_throw(size_t n_args, const mp_obj_t *args) {
    rq_aio_timer_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    rq_aio_session(self->session)->timer = MP_OBJ_NULL;
    nlr_raise(mp_make_raise_obj(args[1]));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(timer_throw_obj, 2, 4, timer_throw);

static mp_obj_t timer_close(mp_obj_t self_in) {
    rq_aio_timer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    rq_aio_session(self->session)->timer = MP_OBJ_NULL;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(timer_close_obj, timer_close);

static const mp_rom_map_elem_t timer_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&rq_aio_send_obj) },
    { MP_ROM_QSTR(MP_QSTR_throw), MP_ROM_PTR(&timer_throw_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&timer_close_obj) },
};
static MP_DEFINE_CONST_DICT(timer_locals, timer_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_aio_timer,
    MP_QSTR_RequestTimer,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, timer_iternext,
    locals_dict, &timer_locals
    );

// A wait with a deadline joins the session's timed waits; the timer is
// started, or woken earlier, when this deadline comes first.
static void rq_aio_arm(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w, mp_obj_t core) {
    rq_async_session_obj_t *s = rq_aio_session(session);
    if (s->waits == MP_OBJ_NULL) {
        s->waits = mp_obj_new_list(0, NULL);
    }
    mp_obj_list_append(s->waits, owner);
    uint32_t now = rq_ticks_ms();
    int32_t left = rq_ticks_left(w->deadline, now);
    uint32_t in_ms = left > 0 ? (uint32_t)left : 0;
    mp_obj_t tq = mp_load_attr(core, MP_QSTR__task_queue);
    if (s->timer != MP_OBJ_NULL && s->timer_queue != tq) {
        // Made for another event loop (asyncio.new_event_loop() since):
        // that one will never run it.
        s->timer = MP_OBJ_NULL;
    }
    if (s->timer == MP_OBJ_NULL) {
        rq_aio_timer_obj_t *t = mp_obj_malloc(rq_aio_timer_obj_t, &rq_type_aio_timer);
        t->session = session;
        s->timer = rq_call1(core, MP_QSTR_create_task, MP_OBJ_FROM_PTR(t));
        s->timer_queue = tq;
        s->timer_at = now;
        return;
    }
    if (rq_ticks_left(w->deadline, s->timer_at) < 0) {
        // Due before the timer would wake: move it forward.
        rq_call1(tq, MP_QSTR_remove, s->timer);
        rq_call2(tq, MP_QSTR_push, s->timer, rq_aio_key_in(core, in_ms));
        s->timer_at = w->deadline;
    }
}

void rq_aio_wait_io(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w, mp_obj_t sock, rq_poll_t poll) {
    mp_obj_t core = rq_aio_core();
    w->task = mp_load_attr(core, MP_QSTR_cur_task);
    rq_call2(mp_load_attr(core, MP_QSTR__io_queue), MP_QSTR__enqueue, sock,
        MP_OBJ_NEW_SMALL_INT(poll == RQ_POLL_READ ? 0 : 1));
    w->waiting = true;
    w->timed_out = false;
    w->ran_since = rq_ticks_ms();
    if (w->has_deadline) {
        rq_aio_arm(session, owner, w, core);
    }
}

void rq_aio_forget(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w) {
    rq_async_session_obj_t *s = rq_aio_session(session);
    if (w->waiting && w->has_deadline && s->waits != MP_OBJ_NULL) {
        rq_list_remove_item(s->waits, owner);
    }
    w->waiting = false;
}

void rq_aio_resumed(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w) {
    rq_aio_forget(session, owner, w);
    if (w->timed_out) {
        w->timed_out = false;
        rq_raise(rq_exc_timeout());
    }
}

// How long an awaitable may run before other tasks get a turn: well under
// the 10 ms a display or LED task typically sleeps.
#define RQ_AIO_SLICE_MS (3)

bool rq_aio_should_pause(rq_aio_wait_t *w) {
    uint32_t now = rq_ticks_ms();
    if ((uint32_t)(now - w->ran_since) < RQ_AIO_SLICE_MS) {
        return false;
    }
    mp_obj_t core = rq_aio_core();
    rq_aio_schedule(core, mp_load_attr(core, MP_QSTR_cur_task));
    w->ran_since = now;
    return true;
}

void rq_aio_park(rq_async_session_obj_t *s) {
    mp_obj_t core = rq_aio_core();
    if (s->parked == MP_OBJ_NULL) {
        s->parked = mp_call_function_0(mp_load_attr(core, MP_QSTR_TaskQueue));
    }
    mp_obj_t cur = mp_load_attr(core, MP_QSTR_cur_task);
    rq_call1(s->parked, MP_QSTR_push, cur);
    // As asyncio's own Event does: Task.cancel() finds the queue here and
    // takes the task off it.
    mp_store_attr(cur, MP_QSTR_data, s->parked);
}

void rq_aio_unpark(rq_async_session_obj_t *s) {
    if (s->parked == MP_OBJ_NULL) {
        return;
    }
    mp_obj_t first = mp_call_function_0(mp_load_attr(s->parked, MP_QSTR_peek));
    if (first == mp_const_none || first == MP_OBJ_NULL) {
        return;
    }
    rq_call1(s->parked, MP_QSTR_remove, first);
    mp_obj_t core = rq_aio_core();
    rq_aio_schedule(core, first);
}

// ---- a finished awaitable ----

typedef struct {
    mp_obj_base_t base;
    mp_obj_t value;
} rq_aio_done_obj_t;

static mp_obj_t done_iternext(mp_obj_t self_in) {
    rq_aio_done_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_make_stop_iteration(self->value);
}

static const mp_rom_map_elem_t done_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___await__), MP_ROM_PTR(&rq_self_obj) },
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&rq_aio_send_obj) },
};
static MP_DEFINE_CONST_DICT(done_locals, done_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_aio_done,
    MP_QSTR_Done,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, done_iternext,
    locals_dict, &done_locals
    );

mp_obj_t rq_aio_done(mp_obj_t value) {
    rq_aio_done_obj_t *d = mp_obj_malloc(rq_aio_done_obj_t, &rq_type_aio_done);
    d->value = value;
    return MP_OBJ_FROM_PTR(d);
}

// ---- the body, read without blocking ----

bool rq_aio_pump_body(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w, mp_obj_t response, vstr_t *acc, size_t want, bool line, bool *ended) {
    rq_response_t *r = rq_response_state(response);
    for (;;) {
        if (line && acc->len > 0 && memchr(acc->buf, '\n', acc->len) != NULL) {
            return true;
        }
        if (want > 0 && acc->len >= want) {
            return true;
        }
        if (rq_aio_should_pause(w)) {
            return false;
        }
        size_t chunk = want > 0 ? want - acc->len : (line ? 256 : (acc->len < 1024 ? 1024 : acc->len));
        if (chunk > 16384) {
            chunk = 16384;
        }
        uint8_t *p = (uint8_t *)vstr_add_len(acc, chunk);
        size_t got = 0;
        mp_obj_t wait_on = MP_OBJ_NULL;
        rq_err_t err = NULL;
        rq_poll_t k = rq_response_poll_read(r, p, chunk, &got, &wait_on, &err);
        acc->len -= chunk - (k == RQ_POLL_READY ? got : 0);
        if (k == RQ_POLL_ERROR) {
            rq_raise(err);
        }
        if (k == RQ_POLL_READY) {
            if (got == 0) {
                *ended = true;
                return true;
            }
            continue;
        }
        w->has_deadline = rq_response_deadline(r, &w->deadline);
        rq_aio_wait_io(session, owner, w, wait_on, k);
        return false;
    }
}

#endif // RQ_ENABLE_ASYNC
