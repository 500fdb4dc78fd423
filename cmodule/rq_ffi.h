// The narrow interface between the Rust core and the MicroPython C layer.
//
// This header is self-contained on purpose: bindgen reads it without any of
// MicroPython's headers, so the Rust side never depends on a port's
// configuration. rq_obj_t is mp_obj_t (a pointer-sized handle; object
// representations A-C). Every shim declared here is implemented in C
// (shims_*.c) and never raises: a MicroPython exception is caught with
// nlr_push and handed back as the return value (NULL means success).
//
// The rq_session_t / rq_response_t structs live inside GC-allocated Python
// objects (after their mp_obj_base_t), so every rq_obj_t and buffer pointer
// they hold is seen by the garbage collector.
#ifndef RQ_FFI_H
#define RQ_FFI_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef void *rq_obj_t;

// On functions that return an error: ignoring it is a compile-time warning
// in C, and bindgen turns it into #[must_use] for Rust.
#if defined(__GNUC__) || defined(__clang__)
#define RQ_MUST_USE __attribute__((warn_unused_result))
#else
#define RQ_MUST_USE
#endif

// An exception object caught by a shim, or NULL for success.
typedef rq_obj_t rq_err_t;

#define RQ_IDLE_MAX (4)
// Short header names and values a Session has seen, reused by later
// responses instead of allocating them again.
#define RQ_STR_CACHE (24)
#define RQ_STR_CACHE_MAX_LEN (64)
#define RQ_DECODER_WORDS (2)
#define RQ_URL_SPANS_WORDS (6)

#define RQ_FRAMING_NONE (0)
#define RQ_FRAMING_LENGTH (1)
#define RQ_FRAMING_CHUNKED (2)
#define RQ_FRAMING_CLOSE (3)

// Exception kinds Rust asks the C layer to build.
typedef enum {
    RQ_EXC_VALUE = 0,
    RQ_EXC_TYPE,
    RQ_EXC_RUNTIME,
    RQ_EXC_OS,
    RQ_EXC_OUT_OF_RETRIES,
    RQ_EXC_NOT_IMPLEMENTED,
    RQ_EXC_MEMORY,
    RQ_EXC_UNICODE,
} rq_exc_kind_t;

// How a socket operation failed, for the resend rule (engine::retry). A
// closed connection (end of stream) is seen by Rust itself.
typedef enum {
    RQ_FAIL_OTHER = 0,
    RQ_FAIL_RESET,      // reset, aborted, broken pipe, not connected
    RQ_FAIL_TIMEOUT,    // ETIMEDOUT or EAGAIN
} rq_fail_kind_t;

// What checking an idle connection without waiting found (engine::reuse).
typedef enum {
    RQ_IDLE_QUIET = 0,
    RQ_IDLE_READABLE,   // closed by the peer, or bytes nobody asked for
    RQ_IDLE_FAILED,
    RQ_IDLE_UNKNOWN,    // the socket cannot be checked without waiting
    // A Python-level socket's non-blocking read returned 0, and its status
    // check (`_connected`) said established / closed / there is none.
    RQ_IDLE_EMPTY_UP,
    RQ_IDLE_EMPTY_DOWN,
    RQ_IDLE_EMPTY_UNKNOWN,
} rq_idle_probe_t;

// Why a response was closed before its body was read to the end; its
// readers raise RuntimeError saying so.
#define RQ_CLOSED_NONE (0)
#define RQ_CLOSED_BY_CALLER (1)
#define RQ_CLOSED_SUPERSEDED (2)
#define RQ_CLOSED_SESSION (3)
#define RQ_CLOSED_FAILED (4)        // a read of its body failed (timeout, reset, malformed data)

// What kind of Python object a request argument is.
typedef enum {
    RQ_KIND_NONE = 0,
    RQ_KIND_STR,
    RQ_KIND_BYTES,      // any object with the buffer protocol (bytes, bytearray, memoryview, array)
    RQ_KIND_DICT,
    RQ_KIND_FILE,       // has a readinto or read method
    RQ_KIND_ITERABLE,   // anything else that can be iterated
    RQ_KIND_TUPLE,      // tuple or list
    RQ_KIND_INT,
    RQ_KIND_FLOAT,
    RQ_KIND_OTHER,
} rq_kind_t;

// Methods Rust may call on Python objects; qstrs stay on the C side.
typedef enum {
    RQ_METH_SEEK = 0,
    RQ_METH_TELL,
    RQ_METH_READ,
    RQ_METH_READINTO,
} rq_method_t;

typedef struct {
    const uint8_t *ptr;
    size_t len;
} rq_bytes_t;

// An idle keep-alive connection, keyed by (scheme, host, port); the
// session_id is the Session's own, so each Session keeps its own list.
typedef struct {
    rq_obj_t sock;      // NULL when the slot is free
    rq_obj_t raw_sock;  // the plain socket under a TLS one (for settimeout), or sock
    rq_obj_t host;      // str
    uint8_t *buf;       // AsyncSession: the connection's buffer, reused with it (NULL for a Session)
    size_t buf_cap;
    int32_t sock_timeout;       // see rq_conn_t
    uint16_t port;
    uint8_t https;
} rq_idle_t;

// The connection a response reads its body from, and the buffer its
// received bytes wait in. Exactly one owner at a time: a Session's `live`
// belongs to its live response (NULL sock when there is none); each
// AsyncSession exchange allocates its own, which its response then owns.
typedef struct {
    rq_obj_t sock;              // NULL when closed or handed back for reuse
    rq_obj_t raw_sock;          // see rq_idle_t
    rq_obj_t host;              // str, keep-alive key; NULL: never reused (Response(sock))
    uint8_t *buf;               // GC block: request head, then received bytes
    size_t buf_cap;
    size_t rstart;              // unread received bytes are buf[rstart..rend]
    size_t rend;
    uint32_t trailer_bytes;     // trailer section so far, held to the head limits
    uint32_t drain_start_ms;    // when the running drain began (see draining)
    uint32_t wait_since_ms;     // non-blocking: when the current body wait began
    int32_t timeout_ms;         // non-blocking: each body wait's limit; -1 none
    // The timeout the socket has now, in milliseconds plus 2 (1: none);
    // 0 when not known. settimeout is called only to change it.
    int32_t sock_timeout;
    uint16_t port;
    uint16_t trailers;
    uint8_t https;
    bool draining;              // body reads wait at most engine::reuse::DRAIN_WAIT_MS in all
    bool nonblocking;           // AsyncSession: receives never wait, they say what to wait for
} rq_conn_t;

// A cookie jar (engine::cookie_jar): one GC block inside the CookieJar
// object, NULL until the first cookie is stored.
typedef struct {
    uint8_t *buf;
    size_t cap;
} rq_jar_t;

typedef struct {
    rq_obj_t pool;
    rq_obj_t ssl_context;
    rq_obj_t session_id;
    rq_obj_t last_response;     // the live Response object, or NULL (Session only)
    size_t max_head_bytes;
    size_t max_headers;
    rq_idle_t idle[RQ_IDLE_MAX];
    // Two-way by hash: a string's slots are 2k and 2k + 1, k its hash
    // modulo RQ_STR_CACHE / 2; strs_hash holds each one's hash.
    rq_obj_t strs[RQ_STR_CACHE];
    uint32_t strs_hash[RQ_STR_CACHE];
    rq_conn_t live;             // Session: the connection and buffer of its live response, reused by every request
    void *owner;                // the thread using this state and its responses now (session_owner.c), or NULL
    uint16_t owner_waiters;     // other threads waiting for their turn
    bool closed;
    bool nonblocking;           // an AsyncSession: each exchange has its own rq_conn_t
    bool stateless;             // the legacy module-level functions' session: keeps no cookies
    rq_obj_t cookies;           // the CookieJar object, or NULL until a cookie comes or s.cookies is read
    rq_obj_t default_headers;   // Session.headers, or NULL until read or set (C only)
    rq_obj_t auth;              // Session.auth, or NULL (C only)
    // The raw head of the last response (a GC block, never written again):
    // the next response shares it when its head is the same byte for byte.
    const uint8_t *last_head;
    size_t last_head_len;
    // The last request that had nothing of its own (headers, body, params,
    // auth, cookies) while the Session added nothing (headers, auth, stored
    // cookies): its URL and method, the URL parsed (engine::url::UrlSpans,
    // opaque), the Authorization its URL gave (or NULL), and its head bytes
    // (a GC block of req_head_cap bytes, the session's own). The next such
    // request with the same URL and method sends these bytes again.
    rq_obj_t req_url;
    rq_obj_t req_method;
    rq_obj_t req_authorization;
    uint8_t *req_head;
    size_t req_head_cap;
    size_t req_head_len;
    uint64_t req_spans[RQ_URL_SPANS_WORDS];
} rq_session_t;

typedef struct {
    rq_obj_t session;           // the Session object
    rq_conn_t *conn;            // its connection while it owns one, else NULL
    rq_obj_t pending;           // bytes carried between iter_lines/iter_content(decode_unicode) steps
    rq_obj_t reason;            // the bytearray handed out; NULL until first read (made from the raw head)
    rq_obj_t headers;           // Headers object; while head_len > 0, the raw head block instead
    rq_obj_t url;               // str: final URL
    rq_obj_t history;           // list of status codes of redirects, or NULL
    rq_obj_t encoding;          // str; NULL until first read (made from the raw head)
    rq_obj_t cached;            // bytes: the whole body, once read
    rq_obj_t cached_text;       // str
    rq_obj_t cached_json;       // parsed json
    uint64_t decoder[RQ_DECODER_WORDS];   // engine::body::BodyDecoder, opaque to C
    // Body bytes at conn->buf[rstart..rstart+fast_avail] that the C stream
    // read may hand out without calling Rust (json.load reads one byte per
    // call); fast_taken counts those taken, applied to the decoder by Rust.
    uint32_t cached_pos;        // iter_content/iter_lines position in `cached`
    uint32_t fast_avail;
    uint32_t fast_taken;
    uint32_t status_code;
    uint8_t framing;            // RQ_FRAMING_*
    bool keep_alive;
    uint8_t closed_why;         // RQ_CLOSED_*: set before any drain, so every reader sees it
    bool body_streamed;         // json() consumed the body straight from the socket
    bool decode_allowed;        // the request sent Accept-Encoding with gzip or deflate
    bool decode_checked;        // Content-Encoding looked at (decode.c)
    // Headers on demand: while nonzero, `headers` is the raw head (status
    // line and header lines, head_len bytes of a GC block shared with the
    // session and maybe other responses, never written); the Headers object
    // is built from it when first needed (rq_response_field). It sits in
    // what was padding, so a Response stays five GC blocks on 64-bit ports.
    uint16_t head_len;
    rq_obj_t decoded;           // deflate.DeflateIO over the raw body when it is gzip/deflate, else NULL
    bool decoded_gone;          // `decoded` was let go (its stream ended, or the response closed): reads end
    // AsyncSession only: what it read of a compressed body without
    // blocking (rq_read_ahead_t, its own GC block), or NULL. A Response of
    // a blocking Session never has one, and stays five GC blocks on
    // 64-bit ports.
    struct rq_read_ahead *ahead;
} rq_response_t;

#define RQ_AHEAD_CAP (2048)

// A compressed body an AsyncSession reads without blocking, for the
// decoder's raw reads (response_type.c) to take instead of the socket.
typedef struct rq_read_ahead {
    // The whole raw body, read before decoding began (held_pos taken).
    rq_obj_t held_raw;
    size_t held_pos;
    // Raw bytes read ahead of the decompressor: a GC block of RQ_AHEAD_CAP
    // bytes (or NULL), unread at [start, end); ended once the raw body did.
    uint8_t *buf;
    uint16_t start;
    uint16_t end;
    bool ended;
} rq_read_ahead_t;

// Arguments of Session.request after C-side parsing. Objects are NULL when
// not given (None is passed as None).
typedef struct {
    rq_obj_t method;            // str
    rq_obj_t url;               // str
    rq_obj_t data;
    rq_obj_t json;
    rq_obj_t headers;
    rq_obj_t files;
    rq_obj_t params;
    rq_obj_t auth;
    rq_obj_t cookies;           // cookies= (a dict) or None
    rq_obj_t connect_timeout;   // number or None
    rq_obj_t read_timeout;      // number or None
    int32_t read_timeout_ms;    // the same in milliseconds; -1 for None
    int32_t connect_timeout_ms; // connect_timeout in milliseconds; -1 for None
    bool allow_redirects;
    bool stream;
} rq_request_args_t;

// ---- JSON selection: r.json(*path), r.json({name: path}), r.iter_json(*path) ----
#define RQ_JSON_MAX_PATHS (32)
#define RQ_JSON_SELECTOR_WORDS (76)
#define RQ_JSON_CHUNK (256)
// rq_json_poll's results besides a path index (>= 0).
#define RQ_JSON_END (-1)
#define RQ_JSON_ERROR (-2)
#define RQ_JSON_MORE (-3)
#define RQ_JSON_WAIT (-4)

// rq_json_elem_t kinds.
#define RQ_JSON_KEY (0)
#define RQ_JSON_INDEX (1)
#define RQ_JSON_ANY (2)

typedef struct {
    const uint8_t *key;         // RQ_JSON_KEY: the key's UTF-8 (inside a str that `paths` keeps alive)
    size_t value;               // key length, or the index
    uint8_t kind;               // RQ_JSON_KEY, RQ_JSON_INDEX or RQ_JSON_ANY
} rq_json_elem_t;

// One selection over a response body, inside a GC-allocated object (the
// iter_json iterator; json() makes one too). Path i is
// elems[path_start(i)..path_end[i]] where path_start(0) = 0 and
// path_start(i) = path_end[i - 1].
typedef struct {
    uint64_t selector[RQ_JSON_SELECTOR_WORDS];  // engine::json::select::Selector, opaque to C
    rq_obj_t response;          // the Response object
    rq_obj_t paths;             // the caller's path objects (keep the key strings alive)
    rq_json_elem_t *elems;      // GC block
    rq_obj_t *captures;         // GC block: per path, a bytearray collecting the selected value's bytes
    uint16_t path_end[RQ_JSON_MAX_PATHS];
    uint8_t n_paths;
    uint32_t capturing;         // paths whose selected value is being collected
    size_t mem_pos;             // read position in the cached body (from_memory)
    uint16_t start;             // unread bytes are buf[start..end]
    uint16_t end;
    bool from_memory;           // the body was already read whole: select from it
    bool at_eof;
    uint8_t *buf;               // GC block of RQ_JSON_CHUNK bytes (body bytes read ahead)
} rq_json_sel_t;

// Escaped surrogate pairs joined into UTF-8 before the firmware's json
// module parses the text (src/glue/json_pairs.rs).
bool rq_json_may_hold_pair(const uint8_t *buf, size_t len);
size_t rq_json_join_pairs(bool *in_string, uint8_t *buf, size_t len, bool last, size_t *held);
// The strict whole-document check json() runs beside the firmware's parser
// (src/glue/json_check.rs): engine::json::token::Tokenizer, opaque to C.
typedef struct {
    uint64_t words[4];
} rq_json_check_t;
void rq_json_check_init(rq_json_check_t *c);
// The next piece of the document (`last`: it ends there): a ValueError or NULL.
rq_err_t rq_json_check(rq_json_check_t *c, const uint8_t *buf, size_t len, bool last);
// Sets up the selector for n_paths paths over the response's body.
void rq_json_init(rq_json_sel_t *st, rq_response_t *r);
// Reads until a selected value is complete: returns its path index with its
// bytes in captures[index]; -1 at the end of the document; -2 with *err set.
int rq_json_next(rq_json_sel_t *st, rq_err_t *err);

// ---- content codings (src/glue/coding.rs over engine::coding) ----
// What a Content-Encoding value (repeated lines joined with ", ") asks for.
#define RQ_CODING_IDENTITY (0)
#define RQ_CODING_GZIP (1)
#define RQ_CODING_DEFLATE (2)
#define RQ_CODING_UNKNOWN (3)   // one coding this module does not decode
#define RQ_CODING_STACKED (4)   // several codings: refused, never half decoded
int rq_coding_of(const uint8_t *value, size_t len);
bool rq_coding_names_gzip(const uint8_t *value, size_t len);
// engine::coding::FrameCheck, opaque to C: the framing checks around the
// firmware's decompressor. The int results are 0 (fine) or an RQ_FRAME_*.
#define RQ_FRAME_WORDS (4)
#define RQ_FRAME_OK (0)
#define RQ_FRAME_CORRUPT (1)    // a bad header, header CRC, ISIZE or trailing bytes
#define RQ_FRAME_TRUNCATED (2)  // the body ended inside a member
typedef struct {
    uint64_t words[RQ_FRAME_WORDS];
} rq_frame_t;
void rq_frame_init(rq_frame_t *f, bool gzip);
int rq_frame_raw(rq_frame_t *f, const uint8_t *buf, size_t len);
void rq_frame_decoded(rq_frame_t *f, size_t len);
int rq_frame_member_end(rq_frame_t *f);
int rq_frame_body_end(rq_frame_t *f);
bool rq_frame_at_boundary(const rq_frame_t *f);
bool rq_frame_is_gzip(const rq_frame_t *f);     // the member begun is gzip (else zlib)

// ---- implemented in Rust, called from C (exceptions returned in *err) ----
rq_obj_t rq_session_request(rq_session_t *s, rq_obj_t session_obj, const rq_request_args_t *args, rq_err_t *err);
// Reads the head of the response to a request the caller already sent on
// `sock` and returns the Response (Response(sock, session, method)). The
// connection has no keep-alive key: it is closed when the response is done.
rq_obj_t rq_response_from_socket(rq_session_t *s, rq_obj_t session_obj, rq_obj_t sock, bool is_head, rq_err_t *err);
// Returns a KeyboardInterrupt caught while closing, for the caller to raise.
RQ_MUST_USE rq_err_t rq_session_close(rq_session_t *s);
// Reads body bytes into buf; returns the count (0 at the end) or -1 with *err set.
// Each receive waits at most the read timeout. Serves readinto() and the
// stream protocol json.load reads through.
intptr_t rq_response_readinto(rq_response_t *r, uint8_t *buf, size_t len, rq_err_t *err);
rq_obj_t rq_response_content(rq_response_t *r, rq_err_t *err);
// Next piece for iter_content / iter_lines; NULL with *err NULL means the end.
rq_obj_t rq_response_next_chunk(rq_response_t *r, size_t chunk_size, bool decode_unicode, rq_err_t *err);
rq_obj_t rq_response_next_line(rq_response_t *r, size_t chunk_size, bool decode_unicode, rq_err_t *err);
// Closes the response, keeping the socket for reuse when the body is done or
// a small remainder could be drained. Returns a KeyboardInterrupt caught
// while draining (the socket is closed then), else NULL.
RQ_MUST_USE rq_err_t rq_response_close(rq_response_t *r);
// Closes the response for `why`: RQ_CLOSED_SESSION as rq_response_close,
// marked so its readers say the session was closed; RQ_CLOSED_FAILED closes
// the socket at once (no drain: a reader failed mid-body).
RQ_MUST_USE rq_err_t rq_response_close_as(rq_response_t *r, uint8_t why);
// Headers on demand (src/glue/head_lazy.rs): the Response's headers
// (RQ_FIELD_HEADERS), reason (a bytearray) or encoding (a str), made from
// the raw head the first time one is asked for; NULL with *err on failure.
#define RQ_FIELD_HEADERS (0)
#define RQ_FIELD_REASON (1)
#define RQ_FIELD_ENCODING (2)
rq_obj_t rq_response_field(rq_response_t *r, int field, rq_err_t *err);
// Whether the response has a header of this (lower-case) name, read from
// the raw head without building the Headers (or from them once built).
// `lower_name` is a string literal of `len` bytes (NUL-terminated).
bool rq_response_has_header(rq_response_t *r, const char *lower_name, size_t len);
// Whether json() should read the whole body first (small or already read)
// rather than parse it from the socket.
bool rq_response_body_is_small(rq_response_t *r);
// The error a body read on this response must raise (closed/superseded), or NULL.
RQ_MUST_USE rq_err_t rq_response_check_readable(rq_response_t *r);

// Raw (still encoded) body bytes, for the decompressor: as readinto, never
// through it.
intptr_t rq_response_read_raw(rq_response_t *r, uint8_t *buf, size_t len, rq_err_t *err);

// ---- cookies (src/glue/cookies.rs; the CookieJar type is cookie_jar_type.c) ----
// The session's jar, made when it has none (shim).
RQ_MUST_USE rq_err_t rq_jar_obtain(rq_obj_t session, rq_jar_t **out);
// Grows the jar's buffer to at least `cap` bytes, new bytes zeroed (shim).
RQ_MUST_USE rq_err_t rq_jar_reserve(rq_jar_t *j, size_t cap);
// The jar state inside a CookieJar object.
rq_jar_t *rq_jar_state(rq_obj_t jar);
// How many cookies the jar holds (expired ones are dropped first).
size_t rq_jar_len(rq_jar_t *j);
// The i-th cookie (oldest first): parts[0..4] = name, value, domain, path.
bool rq_jar_nth(rq_jar_t *j, size_t i, rq_bytes_t *parts);
// How many cookies are named `name` with that domain and path (NULL: any);
// *value is the first one's.
size_t rq_jar_find(rq_jar_t *j, rq_bytes_t name, const rq_bytes_t *domain, const rq_bytes_t *path, rq_bytes_t *value);
// Sets a cookie from a script (domain NULL: sent to every host; path "/"
// when NULL). *stored false: the name or value cannot be a cookie.
RQ_MUST_USE rq_err_t rq_jar_set(rq_jar_t *j, rq_bytes_t name, rq_bytes_t value, const rq_bytes_t *domain, const rq_bytes_t *path, bool *stored);
// Removes the cookies that match (NULL: any); returns how many.
size_t rq_jar_remove(rq_jar_t *j, const rq_bytes_t *name, const rq_bytes_t *domain, const rq_bytes_t *path);
// One Set-Cookie line of a response to `url` (whose Date header is `date`,
// empty when none): whether a jar would keep it, and its name and value.
bool rq_cookie_accepted(rq_bytes_t line, rq_bytes_t url, rq_bytes_t date, rq_bytes_t *name, rq_bytes_t *value);

// Whether a repeated response header's values are joined with ", " (else
// the last one is kept); `name` is lower-case.
bool rq_header_repeat_joins(const uint8_t *name, size_t len);
// Checks a timeout in seconds: 0 usable as given, 1 capped (*capped holds
// the value to use), -1 negative or NaN. *ms: the milliseconds to wait.
int rq_timeout_check(double secs, double *capped, int32_t *ms);
// The finaliser of a Session the collector frees without close(): closes
// its sockets without draining or waiting.
void rq_session_finalise(rq_session_t *s);

// ---- AsyncSession: a request driven without blocking (SPEC §11) ----
// The Rust side runs the same exchange as Session.request (connection,
// request, head, redirects, retry rule) but never waits: when a socket call
// would block it says what to wait for, and the C awaitable waits through
// the firmware's asyncio I/O queue, then polls again.
typedef enum {
    RQ_POLL_READY = 0,  // done: the result is in *out (or *got)
    RQ_POLL_READ,       // wait until *wait_on is readable, then poll again
    RQ_POLL_WRITE,      // wait until *wait_on is writable, then poll again
    RQ_POLL_ERROR,      // failed: the exception is in *out (or *err); its connection is closed
} rq_poll_t;

#define RQ_EXCHANGE_WORDS (38)
// A request in progress, inside the GC object of its awaitable. The
// collector scans these words, so the objects the exchange holds stay alive.
typedef struct {
    uint64_t state[RQ_EXCHANGE_WORDS];  // glue::exchange, opaque to C
} rq_exchange_t;

// Checks the arguments and prepares the request as Session.request does
// before anything is sent; nothing waits. `s` is the state inside
// `session_obj` (an AsyncSession). NULL on success.
RQ_MUST_USE rq_err_t rq_exchange_begin(rq_exchange_t *x, rq_session_t *s, rq_obj_t session_obj, const rq_request_args_t *args);
// Runs the exchange as far as it goes without waiting: an idle connection or
// a new non-blocking one (TLS handshake included), the request, the response
// head, redirects. READY: *out is the Response (head read, body unread; read
// it with rq_response_poll_read). ERROR: *out is the exception.
rq_poll_t rq_exchange_poll(rq_exchange_t *x, rq_obj_t *out, rq_obj_t *wait_on);
// The ticks_ms at which the current wait times out (SPEC §6); false when it
// has none. Asked after every poll that returned READ or WRITE.
bool rq_exchange_deadline(const rq_exchange_t *x, uint32_t *ticks_ms);
// Cancelled, or its deadline passed: closes its connection (never kept for
// reuse); later polls return ERROR. The session stays usable.
void rq_exchange_abort(rq_exchange_t *x);
// Body bytes of an AsyncSession response without waiting: READY with *got
// (0 at the end of the body), READ/WRITE with *wait_on, ERROR with *err.
rq_poll_t rq_response_poll_read(rq_response_t *r, uint8_t *buf, size_t len, size_t *got, rq_obj_t *wait_on, rq_err_t *err);
// The ticks_ms at which the body read that returned READ times out.
bool rq_response_deadline(rq_response_t *r, uint32_t *ticks_ms);
// rq_json_next without waiting (AsyncSession's ajson): a path index,
// RQ_JSON_END, RQ_JSON_ERROR (*err; the connection is closed), RQ_JSON_MORE
// (one refill done: call again), or RQ_JSON_WAIT (*kind, *wait_on).
int rq_json_poll(rq_json_sel_t *st, rq_err_t *err, rq_poll_t *kind, rq_obj_t *wait_on);

// ---- shims: implemented in C, never raise ----
// One owner at a time (session_owner.c): every entry point that works on a
// session or one of its responses takes the session first and gives it back
// before it returns. Another thread waits its turn; the same thread coming
// back in (a pool or iterable calling the session) gets RuntimeError.
RQ_MUST_USE rq_err_t rq_session_take(rq_session_t *s);
void rq_session_give(rq_session_t *s);
// Whether the calling thread holds it (the decoder's raw reads run under
// the body read that called the decoder).
bool rq_session_held(const rq_session_t *s);
uint32_t rq_ticks_ms(void);
RQ_MUST_USE rq_err_t rq_exc_new(rq_exc_kind_t kind, const char *msg, size_t msg_len, int errcode);
RQ_MUST_USE rq_err_t rq_exc_with_cause(rq_exc_kind_t kind, const char *msg, size_t msg_len, rq_err_t cause);
bool rq_exc_is_memory(rq_err_t exc);
bool rq_exc_is_os_error(rq_err_t exc);
// The pool could not give a socket: MemoryError, RuntimeError (ESP32SPI's
// "Out of sockets") or OSError ENOMEM/EMFILE/ENFILE/ENOBUFS.
bool rq_exc_is_out_of_sockets(rq_err_t exc);
// False for KeyboardInterrupt and SystemExit: they stop the caller and
// are never a reason to try something again.
bool rq_exc_is_exception(rq_err_t exc);
rq_fail_kind_t rq_exc_failure(rq_err_t exc);
// OSError(ETIMEDOUT), the firmware's own errno value.
RQ_MUST_USE rq_err_t rq_exc_timeout(void);

rq_obj_t rq_none(void);
bool rq_is_none(rq_obj_t o);
rq_kind_t rq_kind_of(rq_obj_t o);
// Buffer of a str or bytes-like object (no copy); false if it has none.
bool rq_get_bytes(rq_obj_t o, rq_bytes_t *out);
RQ_MUST_USE rq_err_t rq_str_of(rq_obj_t o, rq_obj_t *out);                  // str(o)
RQ_MUST_USE rq_err_t rq_new_str(const uint8_t *p, size_t len, rq_obj_t *out);
RQ_MUST_USE rq_err_t rq_new_bytes(const uint8_t *p, size_t len, rq_obj_t *out);
RQ_MUST_USE rq_err_t rq_new_bytearray(const uint8_t *p, size_t len, rq_obj_t *out);
RQ_MUST_USE rq_err_t rq_new_int(intptr_t v, rq_obj_t *out);
// An int's value; false for other types or ints that do not fit.
bool rq_int_value(rq_obj_t o, intptr_t *out);
// A bytes object of exactly len bytes to fill through *data (uninitialised).
// Finish it with rq_bytes_finish (which may shrink it).
RQ_MUST_USE rq_err_t rq_bytes_begin(size_t len, uint8_t **data, rq_obj_t *handle);
RQ_MUST_USE rq_err_t rq_bytes_grow(rq_obj_t handle, size_t new_len, uint8_t **data);
RQ_MUST_USE rq_err_t rq_bytes_finish(rq_obj_t handle, size_t used, rq_obj_t *out);
RQ_MUST_USE rq_err_t rq_buf_alloc(size_t len, uint8_t **out);
RQ_MUST_USE rq_err_t rq_buf_realloc(uint8_t *old, size_t old_len, size_t new_len, uint8_t **out);

// Dicts and sequences.
// Iterates dict items: *index starts at 0; returns false after the last.
bool rq_dict_next(rq_obj_t dict, size_t *index, rq_obj_t *key, rq_obj_t *value);
size_t rq_seq_len(rq_obj_t seq);
rq_obj_t rq_seq_get(rq_obj_t seq, size_t i);        // tuple/list item, no bounds raise: NULL if out of range
RQ_MUST_USE rq_err_t rq_getiter(rq_obj_t o, rq_obj_t *iter);
// Next item; *item is NULL at the end.
RQ_MUST_USE rq_err_t rq_iternext(rq_obj_t iter, rq_obj_t *item);
RQ_MUST_USE rq_err_t rq_list_new(rq_obj_t *out);
RQ_MUST_USE rq_err_t rq_list_append(rq_obj_t list, rq_obj_t item);
// Decoded bytes from a response's DeflateIO; *got == 0 at the end of the
// compressed stream. A corrupt or cut stream is a ValueError.
RQ_MUST_USE rq_err_t rq_decoded_readinto(rq_obj_t decoder, uint8_t *buf, size_t len, size_t *got);
// A bytearray collecting a selected JSON value: emptied (keeping its
// memory), and appended to with amortised growth.
void rq_capture_clear(rq_obj_t bytearray);
RQ_MUST_USE rq_err_t rq_capture_append(rq_obj_t bytearray, const uint8_t *p, size_t len);

// Files and other objects.
RQ_MUST_USE rq_err_t rq_call_method(rq_obj_t o, rq_method_t m, size_t n_args, const rq_obj_t *args, rq_obj_t *out);
RQ_MUST_USE rq_err_t rq_file_readinto(rq_obj_t file, uint8_t *buf, size_t len, size_t *got);
RQ_MUST_USE rq_err_t rq_json_dumps(rq_obj_t o, rq_obj_t *out);
RQ_MUST_USE rq_err_t rq_urandom(uint8_t *buf, size_t len);

// Response objects and headers.
// A new Response of `session` keeping the raw head (head_len bytes, copied
// into a GC block, or the session's last one when it is the same bytes);
// head_len 0 or above UINT16_MAX keeps none (the caller builds the Headers).
RQ_MUST_USE rq_err_t rq_response_make(rq_obj_t session, const uint8_t *head, size_t head_len, rq_response_t **r, rq_obj_t *obj);
rq_response_t *rq_response_state(rq_obj_t response);
rq_session_t *rq_session_state(rq_obj_t session);
// One header line: name and value as received.
typedef struct {
    rq_bytes_t name;
    rq_bytes_t value;
} rq_header_t;
// Adds n headers to *headers (made, with room for `total` names, when it is
// NULL), names lower-cased; values of a repeated name are joined with ", "
// and also kept for get_all. Short names and values come from the session's
// string cache (s NULL, or held by another thread: fresh strs).
RQ_MUST_USE rq_err_t rq_headers_build(rq_session_t *s, const rq_header_t *h, size_t n, size_t total, rq_obj_t *headers);
// A str with these bytes, from the session's cache when short.
RQ_MUST_USE rq_err_t rq_session_str(rq_session_t *s, const uint8_t *p, size_t len, rq_obj_t *out);
rq_obj_t rq_headers_get(rq_obj_t headers, const char *lower_name);   // NULL when missing

// Sockets and pools.
// Opens a blocking connection. The connect budget (`timeout`, the same in
// connect_ms; -1: none) starts after the name lookup, at *started
// (ticks_ms), and covers the connect and the TLS handshake together: every
// pool call in it gets what is left as the socket's timeout, and a spent
// budget raises OSError(ETIMEDOUT). *handshaking: on the firmware's own
// sockets the TLS handshake is left to the first non-blocking sends
// (rq_sock_send_nb, waited for with rq_sock_wait under that deadline) and
// the socket is non-blocking until the caller sets its read timeout.
RQ_MUST_USE rq_err_t rq_open_connection(rq_obj_t pool, rq_obj_t ssl_context, rq_obj_t host, uint16_t port, bool https, rq_obj_t timeout, int32_t connect_ms, rq_obj_t *sock, rq_obj_t *raw_sock, uint32_t *started, bool *handshaking);
// What is left at `now` of `budget_ms` (-1: none) started at `started`, as
// the next wait's timeout: -1 none, 0 spent, else milliseconds.
int32_t rq_budget_wait_ms(uint32_t started, uint32_t now, int32_t budget_ms);
// Sets the timeout on sock, or on raw_sock when sock (a TLS socket) has no settimeout.
RQ_MUST_USE rq_err_t rq_sock_settimeout(rq_obj_t sock, rq_obj_t raw_sock, rq_obj_t timeout);
// Sends all of buf; timeout_ms (-1: none) bounds every wait for progress.
RQ_MUST_USE rq_err_t rq_sock_send(rq_obj_t sock, const uint8_t *buf, size_t len, int32_t timeout_ms);
// Sets a timeout in milliseconds (-1: none).
RQ_MUST_USE rq_err_t rq_sock_settimeout_ms(rq_obj_t sock, rq_obj_t raw_sock, int32_t ms);
// Checks an idle connection without waiting; returns only an interrupt.
// A check that had to change the socket's timeout sets *sock_timeout to 0
// (rq_conn_t.sock_timeout: not known).
RQ_MUST_USE rq_err_t rq_sock_probe_idle(rq_obj_t sock, rq_obj_t raw_sock, rq_idle_probe_t *out, int32_t *sock_timeout);
// Receives at most len bytes; *got == 0 means the peer closed.
RQ_MUST_USE rq_err_t rq_sock_recv(rq_obj_t sock, uint8_t *buf, size_t len, size_t *got);
void rq_sock_close(rq_obj_t sock);

// Non-blocking sockets (AsyncSession). Start connecting: resolves the name
// (this blocks where the pool's getaddrinfo does), makes the socket,
// sets it non-blocking and connects. *wait: READY when connected, WRITE
// when in progress (wait writable on *raw_out, then call finish).
RQ_MUST_USE rq_err_t rq_connect_nb_start(rq_obj_t pool, rq_obj_t host, uint16_t port, rq_obj_t *raw_out, rq_poll_t *wait);
// The socket connected (or failed: raised here when the platform tells):
// for https wraps it without handshaking (the handshake runs inside the
// first non-blocking sends and receives). *sock_out: the socket to use.
RQ_MUST_USE rq_err_t rq_connect_nb_finish(rq_obj_t raw, rq_obj_t ssl_context, rq_obj_t host, bool https, rq_obj_t *sock_out);
// Sends what it can without waiting: *sent bytes, or 0 with *wait READ or
// WRITE when the socket (or a TLS handshake under it) would block.
RQ_MUST_USE rq_err_t rq_sock_send_nb(rq_obj_t sock, const uint8_t *buf, size_t len, size_t *sent, rq_poll_t *wait);
// Receives without waiting: *wait READY with *got bytes (0: the peer
// closed), or READ/WRITE with *got 0 when it would block.
RQ_MUST_USE rq_err_t rq_sock_recv_nb(rq_obj_t sock, uint8_t *buf, size_t len, size_t *got, rq_poll_t *wait);
// A non-blocking TLS handshake on `raw` failed with `exc`: closes `raw`
// where the TLS object has let go of it (close the TLS object as well).
void rq_tls_handshake_failed(rq_obj_t raw, rq_err_t exc);
// Waits (blocking) until a non-blocking socket is ready for `dir` (READ or
// WRITE; a TLS object under a handshake maps it), has failed, or
// timeout_ms (-1: none) passed; the next call says which. Returns only an
// interrupt.
RQ_MUST_USE rq_err_t rq_sock_wait(rq_obj_t sock, rq_poll_t dir, int32_t timeout_ms);

#endif // RQ_FFI_H
