// One owner at a time for a session's state (its live connection and
// buffer, idle list, string cache) and its responses: every entry point
// that works on them takes the session for the calling thread and gives it
// back when it returns. Another thread waits its turn (a call holds the
// session only while it runs, so a thread streaming a body lets others in
// between two reads); the same thread coming back in while it holds it (a
// Python-level pool or a user iterable calling the session) is refused with
// RuntimeError, since the outer call is still using that state.
#include "py/runtime.h"
#include "py/mphal.h"
#include "py/mpthread.h"
#include "rq_objects.h"

// Given back while another thread waited: only a thread already waiting may
// take it next, so a thread that reads a body chunk after chunk cannot keep
// the others out.
#define RQ_HANDED_ON ((void *)1)

// With the GIL, nothing else runs between the check and the set below (no
// call in between releases it); a port without one (rp2) needs the section.
#if MICROPY_PY_THREAD && !MICROPY_PY_THREAD_GIL
#define RQ_OWNER_LOCK() mp_uint_t rq_atomic = MICROPY_BEGIN_ATOMIC_SECTION()
#define RQ_OWNER_UNLOCK() MICROPY_END_ATOMIC_SECTION(rq_atomic)
#else
#define RQ_OWNER_LOCK()
#define RQ_OWNER_UNLOCK()
#endif

static void *rq_current_thread(void) {
    #if MICROPY_PY_THREAD
    return mp_thread_get_state();
    #else
    return &mp_state_ctx;
    #endif
}

static rq_err_t rq_reentered(void) {
    static const char msg[] = "Session is busy: this thread is already using it (a socket pool or a body iterable called back into the Session)";
    return rq_exc_new(RQ_EXC_RUNTIME, msg, sizeof(msg) - 1, 0);
}

#if MICROPY_PY_THREAD
// Waits until the other thread gives the session back, without the GIL.
static rq_err_t rq_wait_turn(rq_session_t *s, void *me) {
    {
        RQ_OWNER_LOCK();
        s->owner_waiters++;
        RQ_OWNER_UNLOCK();
    }
    rq_err_t err = NULL;
    for (;;) {
        MP_THREAD_GIL_EXIT();
        mp_hal_delay_us(200);
        MP_THREAD_GIL_ENTER();
        bool taken = false;
        {
            RQ_OWNER_LOCK();
            if (s->owner == NULL || s->owner == RQ_HANDED_ON) {
                s->owner = me;
                taken = true;
            }
            RQ_OWNER_UNLOCK();
        }
        if (taken) {
            break;
        }
        // Ctrl-C (and scheduled callbacks) while waiting.
        nlr_buf_t nlr;
        if (nlr_push(&nlr) == 0) {
            mp_handle_pending(true);
            nlr_pop();
        } else {
            err = MP_OBJ_FROM_PTR(nlr.ret_val);
            break;
        }
    }
    {
        RQ_OWNER_LOCK();
        s->owner_waiters--;
        if (err != NULL && s->owner_waiters == 0 && s->owner == RQ_HANDED_ON) {
            s->owner = NULL;
        }
        RQ_OWNER_UNLOCK();
    }
    return err;
}
#endif

rq_err_t rq_session_take(rq_session_t *s) {
    void *me = rq_current_thread();
    void *was;
    {
        RQ_OWNER_LOCK();
        was = s->owner;
        if (was == NULL) {
            s->owner = me;
        }
        RQ_OWNER_UNLOCK();
    }
    if (was == NULL) {
        return NULL;
    }
    if (was == me) {
        return rq_reentered();
    }
    #if MICROPY_PY_THREAD
    return rq_wait_turn(s, me);
    #else
    return rq_reentered();
    #endif
}

void rq_session_give(rq_session_t *s) {
    RQ_OWNER_LOCK();
    s->owner = s->owner_waiters > 0 ? RQ_HANDED_ON : NULL;
    RQ_OWNER_UNLOCK();
}

bool rq_session_held(const rq_session_t *s) {
    return s->owner == rq_current_thread();
}
