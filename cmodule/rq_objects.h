// C-side layout of the module's Python objects. The Rust-visible state
// (rq_ffi.h) sits right after each object's mp_obj_base_t.
#ifndef RQ_OBJECTS_H
#define RQ_OBJECTS_H

#include "py/obj.h"
#include "py/objlist.h"
#include "rq_port.h"
#include "rq_ffi.h"

typedef struct {
    mp_obj_base_t base;
    rq_session_t s;
} rq_session_obj_t;

typedef struct {
    mp_obj_base_t base;
    rq_response_t r;
} rq_response_obj_t;

// Response headers (headers_type.c): a dict whose keys are lower-case
// header names; lookups ignore case. `native` points back to the object
// (the word CircuitPython's dict code reads as a subclass's native base);
// `multi` lists (name, value) pairs of every repeated name for get_all, or
// is MP_OBJ_NULL when no name came twice. Objects that dict's constructor
// makes for this type (type(h)()) end after `dict`.
typedef struct {
    mp_obj_dict_t dict;
    mp_obj_t native;
    mp_obj_t multi;
} rq_headers_obj_t;

// The ssl_context of a session whose TLS an AirLift (ESP32SPI) coprocessor
// does: sockets connect with `mode`, the interface's TLS_MODE.
typedef struct {
    mp_obj_base_t base;
    mp_obj_t mode;
} rq_coprocessor_tls_obj_t;

extern const mp_obj_type_t rq_type_session;
extern const mp_obj_type_t rq_type_response;
extern const mp_obj_type_t rq_type_headers;
extern const mp_obj_type_t rq_type_out_of_retries;
extern const mp_obj_type_t rq_type_coprocessor_tls;

// Raises the exception a Rust entry point handed back.
NORETURN void rq_raise(rq_err_t err);

// Session.request with already-parsed arguments (shared by Session methods
// and the module-level API).
mp_obj_t rq_session_do_request(mp_obj_t session, mp_obj_t method, size_t n_args, const mp_obj_t *pos, mp_map_t *kw_args);

// The same for the module-level functions, with their default timeout.
mp_obj_t rq_legacy_request(mp_obj_t session, mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw);

// An empty Headers with room for n names.
rq_headers_obj_t *rq_headers_alloc(size_t n);

// A Session with no pool, owning the buffer of a Response(sock) made
// without a session.
mp_obj_t rq_session_new_private(void);

// A str key lower-cased (the same object when it already is).
mp_obj_t rq_lower_key(mp_obj_t key);

// Response.json(*path) / json({name: path}) and Response.iter_json(*path)
// (json_select.c); `args` are the arguments after self.
mp_obj_t rq_response_json_select(mp_obj_t response, size_t n_args, const mp_obj_t *args);
mp_obj_t rq_response_iter_json(mp_obj_t response, size_t n_args, const mp_obj_t *path);

// Compressed bodies (decode.c): called before the first body read, puts the
// firmware's decompressor over a gzip/deflate body (once per response).
void rq_response_prepare_body(mp_obj_t response);
// Compressed bodies are decoded only when the caller asked for them with
// Accept-Encoding in `headers` (the request's headers argument, or NULL).
void rq_response_note_request_headers(mp_obj_t response, mp_obj_t headers);
// Raw body bytes through the Response's fast path (response_type.c).
mp_uint_t rq_response_raw_read(mp_obj_t response, void *buf, mp_uint_t size);

#endif // RQ_OBJECTS_H
