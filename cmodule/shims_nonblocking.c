// Non-blocking socket shims for AsyncSession: placeholders that raise
// NotImplementedError until the asyncio driver's versions replace them.
#include "py/runtime.h"
#include "rq_ffi.h"

static rq_err_t rq_nb_missing(void) {
    static const char msg[] = "AsyncSession sockets are not built in";
    return rq_exc_new(RQ_EXC_NOT_IMPLEMENTED, msg, sizeof(msg) - 1, 0);
}

rq_err_t rq_connect_nb_start(rq_obj_t pool, rq_obj_t host, uint16_t port, rq_obj_t *raw_out, rq_poll_t *wait) {
    (void)pool; (void)host; (void)port; (void)raw_out; (void)wait;
    return rq_nb_missing();
}

rq_err_t rq_connect_nb_finish(rq_obj_t raw, rq_obj_t ssl_context, rq_obj_t host, bool https, rq_obj_t *sock_out) {
    (void)raw; (void)ssl_context; (void)host; (void)https; (void)sock_out;
    return rq_nb_missing();
}

rq_err_t rq_sock_send_nb(rq_obj_t sock, const uint8_t *buf, size_t len, size_t *sent, rq_poll_t *wait) {
    (void)sock; (void)buf; (void)len; (void)sent; (void)wait;
    return rq_nb_missing();
}

rq_err_t rq_sock_recv_nb(rq_obj_t sock, uint8_t *buf, size_t len, size_t *got, rq_poll_t *wait) {
    (void)sock; (void)buf; (void)len; (void)got; (void)wait;
    return rq_nb_missing();
}
