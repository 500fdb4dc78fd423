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
// Where the CPU swaps a pointer atomically, the uncontended take and give
// (every call of every entry point) skip the section: on the unix port it
// is a pthread mutex, two of them a third of what a small GET costs beyond
// its HTTP work. Every store to `owner` is then a compare-and-swap, so a
// thread in the section and one on the fast path never both win; the
// section still orders the waiters' count against the hand-on.
#if (UINTPTR_MAX == UINT64_MAX && defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_8)) \
    || (UINTPTR_MAX == UINT32_MAX && defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_4))
#define RQ_OWNER_CAS 1
#endif
#else
#define RQ_OWNER_LOCK()
#define RQ_OWNER_UNLOCK()
#endif

#ifndef RQ_OWNER_CAS
#define RQ_OWNER_CAS 0
#endif

// Sets s->owner to `to` if it is `from`.
static inline bool rq_owner_swap(rq_session_t *s, void *from, void *to) {
    #if RQ_OWNER_CAS
    return __atomic_compare_exchange_n(&s->owner, &from, to, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    #else
    if (s->owner != from) {
        return false;
    }
    s->owner = to;
    return true;
    #endif
}

static inline void *rq_owner_now(const rq_session_t *s) {
    #if RQ_OWNER_CAS
    return __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE);
    #else
    return s->owner;
    #endif
}

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

// Counts a waiter in (+1) or out (-1), inside the section; the fast give
// reads the count outside it. Returns the new count.
static inline unsigned rq_waiters_add(rq_session_t *s, int by) {
    #if RQ_OWNER_CAS
    return __atomic_add_fetch(&s->owner_waiters, by, __ATOMIC_ACQ_REL);
    #else
    return s->owner_waiters += by;
    #endif
}

#if MICROPY_PY_THREAD
// Waits until the other thread gives the session back, without the GIL.
static rq_err_t rq_wait_turn(rq_session_t *s, void *me) {
    {
        RQ_OWNER_LOCK();
        rq_waiters_add(s, 1);
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
            taken = rq_owner_swap(s, NULL, me) || rq_owner_swap(s, RQ_HANDED_ON, me);
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
        if (rq_waiters_add(s, -1) == 0 && err != NULL) {
            rq_owner_swap(s, RQ_HANDED_ON, NULL);
        }
        RQ_OWNER_UNLOCK();
    }
    return err;
}
#endif

rq_err_t rq_session_take(rq_session_t *s) {
    void *me = rq_current_thread();
    bool taken;
    #if RQ_OWNER_CAS
    taken = rq_owner_swap(s, NULL, me);
    #else
    {
        RQ_OWNER_LOCK();
        taken = rq_owner_swap(s, NULL, me);
        RQ_OWNER_UNLOCK();
    }
    #endif
    if (taken) {
        return NULL;
    }
    if (rq_owner_now(s) == me) {
        return rq_reentered();
    }
    #if MICROPY_PY_THREAD
    return rq_wait_turn(s, me);
    #else
    return rq_reentered();
    #endif
}

void rq_session_give(rq_session_t *s) {
    void *me = s->owner;
    #if RQ_OWNER_CAS
    // Nobody waiting: a waiter that counts itself in after this read finds
    // the session free on its next look, as if it had come a moment later.
    if (__atomic_load_n(&s->owner_waiters, __ATOMIC_ACQUIRE) == 0 && rq_owner_swap(s, me, NULL)) {
        return;
    }
    #endif
    RQ_OWNER_LOCK();
    rq_owner_swap(s, me, s->owner_waiters > 0 ? RQ_HANDED_ON : NULL);
    RQ_OWNER_UNLOCK();
}

bool rq_session_held(const rq_session_t *s) {
    return rq_owner_now(s) == rq_current_thread();
}
