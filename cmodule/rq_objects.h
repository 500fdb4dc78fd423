// C-side layout of the module's Python objects. The Rust-visible state
// (rq_ffi.h) sits right after each object's mp_obj_base_t.
#ifndef RQ_OBJECTS_H
#define RQ_OBJECTS_H

#include "py/obj.h"
#include "py/objlist.h"
#include "rq_config.h"
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
extern const mp_obj_type_t rq_type_cookie_jar;

// Session state (session_state.c, SPEC §12): Session.cookies, .headers and
// .auth as attributes (dest as in an attr slot; anything else goes on to
// the locals dict), and what they add to a request's arguments.
void rq_session_state_attr(mp_obj_t self_in, rq_session_t *s, qstr attr, mp_obj_t *dest);
void rq_session_state_apply(rq_session_t *s, rq_request_args_t *r);
// The session's CookieJar object, made on first use (cookie_jar_type.c).
mp_obj_t rq_session_jar(rq_session_t *s);
// Response.cookies: the name and value of every Set-Cookie line of this
// response that a jar would keep, as a dict.
mp_obj_t rq_response_cookies(mp_obj_t response);

// mp_arg_parse_all that names an unexpected keyword and refuses a parameter
// given by position and by keyword (call_args.c); every public callable
// parses with these.
void rq_parse_args(size_t n_pos, const mp_obj_t *pos, mp_map_t *kw, size_t n_allowed, const mp_arg_t *allowed, mp_arg_val_t *out);
void rq_parse_args_kw_array(size_t n_pos, size_t n_kw, const mp_obj_t *args, size_t n_allowed, const mp_arg_t *allowed, mp_arg_val_t *out);

// A Response's headers, reason or encoding (RQ_FIELD_*), made from its raw
// head on first use (may raise).
mp_obj_t rq_response_get(rq_response_t *r, int field);

// Raises the exception a Rust entry point handed back.
NORETURN void rq_raise(rq_err_t err);
// Raises it when there is one (an entry point's rq_err_t result).
void rq_raise_if(rq_err_t err);
// obj.meth(a) and obj.meth(a, b) (raise).
mp_obj_t rq_call1(mp_obj_t obj, qstr meth, mp_obj_t a);
mp_obj_t rq_call2(mp_obj_t obj, qstr meth, mp_obj_t a, mp_obj_t b);
// Is the exception an instance of `type` (or of a subclass)?
bool rq_exc_is(mp_obj_t exc, const mp_obj_type_t *type);

// A method returning its object, for every type's __enter__, __await__,
// __aiter__ and __anext__ that has nothing else to do (CircuitPython's
// `await` asks for __await__; MicroPython's iterates).
extern const mp_obj_fun_builtin_fixed_t rq_self_obj;

// Session.request with already-parsed arguments (shared by Session methods
// and the module-level API).
mp_obj_t rq_session_do_request(mp_obj_t session, mp_obj_t method, size_t n_args, const mp_obj_t *pos, mp_map_t *kw_args);

// Session.request's arguments checked and converted (the timeout in
// milliseconds too); shared with AsyncSession.
void rq_parse_request_args(mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw, mp_obj_t default_timeout, rq_request_args_t *out);

// AsyncSession (async_session_type.c): a Session's state, then what the
// asyncio driver keeps per session.
typedef struct {
    rq_session_obj_t so;
    mp_obj_t parked;            // asyncio TaskQueue of requests waiting for a connection slot, or NULL
    mp_obj_t timer;             // the Task that wakes timed-out waits, or NULL
    mp_obj_t timer_queue;       // the asyncio task queue it sleeps on (a new event loop has another)
    mp_obj_t waits;             // list of the awaitables waiting with a deadline
    mp_obj_t in_flight_ops;     // list of the requests holding a connection slot
    mp_obj_t streamed;          // list of stream=True responses that may still hold a connection
    uint32_t timer_at;          // when the timer is due (ticks_ms), while it sleeps
    uint16_t max_connections;
    uint16_t in_flight;
} rq_async_session_obj_t;

extern const mp_obj_type_t rq_type_async_session;

// AsyncSession.request and its verbs: checks the arguments and returns the
// awaitable that makes the request (async_request.c).
mp_obj_t rq_async_request(mp_obj_t session, mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw);
// Stops a request in flight (AsyncSession.close after its event loop was
// interrupted): its connection is closed.
void rq_async_request_abort(mp_obj_t op);
// Notes a stream=True response of `session` that still holds its
// connection, so close() can close it (responses done since are dropped).
void rq_async_session_note_streamed(mp_obj_t session, mp_obj_t response);
// Removes `item` from a list if it is there (no allocation).
void rq_list_remove_item(mp_obj_t list, mp_obj_t item);

// One wait of an awaitable on the asyncio I/O queue (async_wait.c).
typedef struct {
    mp_obj_t task;              // the Task that waits
    uint32_t deadline;          // ticks_ms; valid when has_deadline
    uint32_t ran_since;         // ticks_ms when it last let other tasks run
    bool has_deadline;
    bool waiting;               // registered on the I/O queue (and in the session's waits)
    bool timed_out;             // the timer woke it: its deadline passed
} rq_aio_wait_t;

// What every AsyncSession awaitable starts with (after its base).
typedef struct {
    mp_obj_base_t base;
    mp_obj_t session;           // the AsyncSession
    rq_aio_wait_t wait;
} rq_aio_head_t;

// send() of every native awaitable here: one step of its type's iternext.
extern const mp_obj_fun_builtin_fixed_t rq_aio_send_obj;

// A finished awaitable: `await` gives `value` at once (aclose, __aenter__).
mp_obj_t rq_aio_done(mp_obj_t value);

// Registers the running task to wake when `sock` is readable (poll ==
// RQ_POLL_READ) or writable, with an optional deadline on `session`'s timer.
void rq_aio_wait_io(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w, mp_obj_t sock, rq_poll_t poll);
// After the task resumed: leaves the session's timed waits. Raises
// OSError(ETIMEDOUT) when the timer woke it.
void rq_aio_resumed(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w);
// Gives up a wait (cancelled): off the timer list; asyncio already took the
// task off the I/O queue.
void rq_aio_forget(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w);
// Whether the awaitable has run long enough without a pause that it should
// let other tasks run (then it is rescheduled at once and must yield).
bool rq_aio_should_pause(rq_aio_wait_t *w);
// Parks the running task until rq_aio_unpark wakes it (max_connections).
void rq_aio_park(rq_async_session_obj_t *s);
void rq_aio_unpark(rq_async_session_obj_t *s);

// The body of an AsyncSession response read without blocking into `acc`
// until `want` bytes are there (0: the whole body), or a line when `line`.
// Returns true when done (the body ended, or enough is there), false after
// registering a wait on `w` (call again once resumed).
bool rq_aio_pump_body(mp_obj_t session, mp_obj_t owner, rq_aio_wait_t *w, mp_obj_t response, vstr_t *acc, size_t want, bool line, bool *ended);

// Response.aread/ajson/aiter_content/aiter_lines/aclose (async_response.c).
extern const mp_obj_fun_builtin_fixed_t rq_response_aread_obj;
extern const mp_obj_fun_builtin_var_t rq_response_ajson_obj;
extern const mp_obj_fun_builtin_var_t rq_response_aiter_content_obj;
extern const mp_obj_fun_builtin_fixed_t rq_response_aiter_lines_obj;
extern const mp_obj_fun_builtin_fixed_t rq_response_aclose_obj;

// The same for the module-level functions, with their default timeout.
mp_obj_t rq_legacy_request(mp_obj_t session, mp_obj_t method, size_t n_pos, const mp_obj_t *pos, mp_map_t *kw);

// An empty Headers with room for n names.
rq_headers_obj_t *rq_headers_alloc(size_t n);
// Headers.get_all(name): every value received for the name, in order.
mp_obj_t rq_headers_get_all(mp_obj_t self_in, mp_obj_t name);

// A Session with no pool, owning the buffer of a Response(sock) made
// without a session.
mp_obj_t rq_session_new_private(void);
// A session's state at its defaults (no session_id, the default header
// limits), for every kind of session.
void rq_session_init(rq_session_t *s, mp_obj_t pool, mp_obj_t ssl_context);

// A str key lower-cased (the same object when it already is).
mp_obj_t rq_lower_key(mp_obj_t key);

// The module of that name, imported as `import name` does (may raise).
mp_obj_t rq_import(qstr name);

// The firmware's json.loads over text in memory (str, bytes, or a
// bytearray it may rewrite), and json.load over a response's body, with
// escaped surrogate pairs joined into UTF-8 first (json_pairs.c).
mp_obj_t rq_json_loads(mp_obj_t text);
mp_obj_t rq_json_load_response(mp_obj_t response);
// json.loads of a whole document, refused with ValueError unless it passes
// the strict check (RFC 8259) the selections use.
mp_obj_t rq_json_loads_whole(mp_obj_t text);

// Response.json(*path) / json({name: path}) and Response.iter_json(*path)
// (json_select.c); `args` are the arguments after self.
mp_obj_t rq_response_json_select(mp_obj_t response, size_t n_args, const mp_obj_t *args);
mp_obj_t rq_response_iter_json(mp_obj_t response, size_t n_args, const mp_obj_t *path);
// The same selection stepped without waiting (AsyncSession's ajson): begin
// it, then poll it: RQ_JSON_END with *result, RQ_JSON_MORE (call again),
// or RQ_JSON_WAIT with *kind and *wait_on; raises on errors.
mp_obj_t rq_json_select_begin(mp_obj_t response, size_t n_args, const mp_obj_t *args);
int rq_json_select_poll(mp_obj_t sel, mp_obj_t *result, rq_poll_t *kind, mp_obj_t *wait_on);

// Compressed bodies (decode.c): called before the first body read, puts the
// firmware's decompressor over a gzip/deflate body (once per response).
void rq_response_prepare_body(mp_obj_t response);
// Compressed bodies are decoded only when the caller asked for them with
// Accept-Encoding in `headers` (the request's headers argument, or NULL).
void rq_response_note_request_headers(mp_obj_t response, mp_obj_t headers);
// AsyncSession, before a body is read: a compressed body that will be
// decoded gets the streaming decompressor, with the buffer its raw bytes
// are read ahead into without blocking (src/glue/body/decoded.rs), and the
// answer is false; where this firmware can only decode a whole body in
// memory the answer is true: the body is read raw first, without blocking,
// and handed over with rq_response_hold_raw (below): the decoder then reads
// it from memory, or, with no decompressor in the firmware, it becomes the
// response's content as it is. False for a body that is not compressed.
bool rq_response_read_raw_first(mp_obj_t response);
// Whether Content-Encoding names gzip anywhere in its list (engine::coding).
bool rq_response_names_gzip(rq_response_t *r);
void rq_response_hold_raw(mp_obj_t response, mp_obj_t raw);
// A stream of the decoded body for a firmware whose zlib only has a one-shot
// decompress (decode_whole.c); gzip, else deflate.
mp_obj_t rq_whole_body_decoder(mp_obj_t response, mp_obj_t decompress, bool gzip);
// Raw body bytes through the Response's fast path (response_type.c).
mp_uint_t rq_response_raw_read(mp_obj_t response, void *buf, mp_uint_t size);

// The module's objects both front ends register (module_api.c).
extern const struct _mp_obj_str_t rq_version_obj;
void rq_out_of_retries_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind);
void rq_out_of_retries_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);
#if RQ_ENABLE_LEGACY_API
extern const mp_obj_fun_builtin_var_t rq_mod_set_socket_obj;
extern const mp_obj_fun_builtin_var_t rq_mod_request_obj;
#endif

// The request verbs (get, post, ...) of Session, AsyncSession and the
// module (module_api.c): an object per verb and owner naming both, and one
// call for all of them, instead of a function and a function object each.
enum { RQ_VERB_GET, RQ_VERB_POST, RQ_VERB_PUT, RQ_VERB_PATCH, RQ_VERB_DELETE, RQ_VERB_HEAD, RQ_VERB_OPTIONS, RQ_VERB_COUNT };
enum { RQ_VERBS_SESSION, RQ_VERBS_ASYNC, RQ_VERBS_MODULE };
typedef struct _rq_verb_obj_t {
    mp_obj_base_t base;
    uint8_t verb; // RQ_VERB_*
    uint8_t owner; // RQ_VERBS_*
} rq_verb_obj_t;
extern const rq_verb_obj_t rq_session_verbs[RQ_VERB_COUNT];
#if RQ_ENABLE_ASYNC
extern const rq_verb_obj_t rq_async_session_verbs[RQ_VERB_COUNT];
#endif
#if RQ_ENABLE_LEGACY_API
extern const rq_verb_obj_t rq_module_verbs[RQ_VERB_COUNT];
#endif
// The verbs' entries of a locals or globals table.
#define RQ_VERB_ENTRIES(verbs) \
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&verbs[RQ_VERB_GET]) }, \
    { MP_ROM_QSTR(MP_QSTR_post), MP_ROM_PTR(&verbs[RQ_VERB_POST]) }, \
    { MP_ROM_QSTR(MP_QSTR_put), MP_ROM_PTR(&verbs[RQ_VERB_PUT]) }, \
    { MP_ROM_QSTR(MP_QSTR_patch), MP_ROM_PTR(&verbs[RQ_VERB_PATCH]) }, \
    { MP_ROM_QSTR(MP_QSTR_delete), MP_ROM_PTR(&verbs[RQ_VERB_DELETE]) }, \
    { MP_ROM_QSTR(MP_QSTR_head), MP_ROM_PTR(&verbs[RQ_VERB_HEAD]) }, \
    { MP_ROM_QSTR(MP_QSTR_options), MP_ROM_PTR(&verbs[RQ_VERB_OPTIONS]) }
// Where the front end keeps the legacy API's default session (a GC root).
mp_obj_t *rq_default_session_ref(void);

#endif // RQ_OBJECTS_H
