// The Response type: attributes, methods and the stream protocol that lets
// json.load() parse the body straight from the socket. Body I/O runs in the
// Rust core.
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "rq_objects.h"

static rq_response_t *rq_resp(mp_obj_t self_in) {
    rq_response_obj_t *o = MP_OBJ_TO_PTR(self_in);
    return &o->r;
}

static mp_obj_t rq_or_none(rq_obj_t o) {
    return o == MP_OBJ_NULL ? mp_const_none : o;
}

mp_obj_t rq_response_get(rq_response_t *r, int field) {
    rq_err_t err = NULL;
    mp_obj_t o = rq_response_field(r, field, &err);
    rq_raise_if(err);
    return o;
}

static mp_obj_t response_content(mp_obj_t self_in) {
    rq_response_prepare_body(self_in);
    rq_err_t err = NULL;
    mp_obj_t r = rq_response_content(rq_resp(self_in), &err);
    if (r == MP_OBJ_NULL) {
        rq_raise(err);
    }
    return r;
}

// As the reference: text and json() refuse a gzip body that is not decoded
// (the coding read by the one parser, engine::coding). The body's decoder
// is put in place first, where there is one.
static void rq_check_not_gzip(mp_obj_t self_in) {
    rq_response_prepare_body(self_in);
    rq_response_t *r = rq_resp(self_in);
    if (r->decoded != MP_OBJ_NULL || r->decoded_gone) {
        return;
    }
    if (rq_response_names_gzip(r)) {
        mp_raise_ValueError(MP_ERROR_TEXT("Content-encoding is gzip, data cannot be accessed as json or text. Use content property to access raw bytes."));
    }
}

static mp_obj_t response_text(mp_obj_t self_in) {
    rq_response_t *r = rq_resp(self_in);
    if (r->cached_text != MP_OBJ_NULL) {
        return r->cached_text;
    }
    rq_check_not_gzip(self_in);
    mp_obj_t content = response_content(self_in);
    mp_obj_t encoding = rq_response_get(r, RQ_FIELD_ENCODING);
    mp_obj_t args[2] = {content, encoding == MP_OBJ_NULL ? mp_obj_new_str("utf-8", 5) : encoding};
    r->cached_text = mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_type_str), 2, 0, args);
    return r->cached_text;
}

static mp_obj_t response_json(mp_obj_t self_in) {
    rq_response_t *r = rq_resp(self_in);
    if (r->cached_json != MP_OBJ_NULL) {
        return r->cached_json;
    }
    rq_check_not_gzip(self_in);
    if (r->body_streamed && r->cached == MP_OBJ_NULL) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("the body was already read straight from the socket"));
    }
    mp_obj_t result;
    if (r->cached_text != MP_OBJ_NULL) {
        result = rq_json_loads_whole(r->cached_text);
    } else if (r->cached != MP_OBJ_NULL || rq_response_body_is_small(r)) {
        // Small bodies are kept, so text/content still work after json().
        result = rq_json_loads_whole(response_content(self_in));
    } else {
        rq_err_t err = rq_response_check_readable(r);
        rq_raise_if(err);
        // Parse while reading: json.load pulls bytes through our stream
        // protocol (and the pair joiner), so the body text is never held
        // whole.
        r->body_streamed = true;
        result = rq_json_load_response(self_in);
        // Trailing whitespace after the document must not keep the socket busy.
        err = rq_response_close(r);
        rq_raise_if(err);
    }
    r->cached_json = result;
    return result;
}

// json() as before; with a path (or a dict of named paths) only the
// selected values are built, see json_select.c.
static mp_obj_t response_json_var(size_t n_args, const mp_obj_t *args) {
    if (n_args == 1) {
        return response_json(args[0]);
    }
    #if !RQ_ENABLE_JSON_SELECT
    mp_raise_NotImplementedError(MP_ERROR_TEXT("json(*path) is not built in (RQ_ENABLE_JSON_SELECT=0)"));
    #endif
    rq_check_not_gzip(args[0]);
    return rq_response_json_select(args[0], n_args - 1, args + 1);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(response_json_obj, 1, response_json_var);

#if RQ_ENABLE_JSON_SELECT
static mp_obj_t response_iter_json(size_t n_args, const mp_obj_t *args) {
    rq_check_not_gzip(args[0]);
    return rq_response_iter_json(args[0], n_args - 1, args + 1);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(response_iter_json_obj, 1, response_iter_json);
#endif

static mp_obj_t response_readinto(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    RQ_ARGS allowed[] = {
        { MP_QSTR_buf, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t a[1];
    rq_parse_args(n_args - 1, pos + 1, kw, 1, allowed, a);
    mp_obj_t self_in = pos[0];
    mp_obj_t buf_in = a[0].u_obj;
    mp_buffer_info_t bi;
    mp_get_buffer_raise(buf_in, &bi, MP_BUFFER_WRITE);
    rq_response_prepare_body(self_in);
    rq_err_t err = NULL;
    intptr_t n = rq_response_readinto(rq_resp(self_in), bi.buf, bi.len, &err);
    if (n < 0) {
        rq_raise(err);
    }
    return MP_OBJ_NEW_SMALL_INT(n);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(response_readinto_obj, 1, response_readinto);

static mp_obj_t response_close(mp_obj_t self_in) {
    rq_err_t err = rq_response_close(rq_resp(self_in));
    rq_raise_if(err);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(response_close_obj, response_close);

static mp_obj_t response_exit(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    return response_close(args[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(response_exit_obj, 1, 4, response_exit);

static mp_obj_t response_raise_for_status(mp_obj_t self_in) {
    rq_response_t *r = rq_resp(self_in);
    if (r->status_code >= 400 && r->status_code < 600) {
        const char *kind = r->status_code < 500 ? "Client" : "Server";
        size_t reason_len = 0;
        const char *reason = "";
        mp_obj_t reason_obj = rq_response_get(r, RQ_FIELD_REASON);
        if (reason_obj != MP_OBJ_NULL) {
            mp_buffer_info_t bi;
            mp_get_buffer_raise(reason_obj, &bi, MP_BUFFER_READ);
            reason = bi.buf;
            reason_len = bi.len;
        }
        size_t url_len = 0;
        const char *url = r->url != MP_OBJ_NULL ? mp_obj_str_get_data(r->url, &url_len) : "";
        mp_raise_msg_varg(&mp_type_OSError, MP_ERROR_TEXT("%d %s Error: %.*s for url: %.*s"),
            (int)r->status_code, kind, (int)reason_len, reason, (int)url_len, url);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(response_raise_for_status_obj, response_raise_for_status);

// ---- iter_content / iter_lines ----

typedef struct {
    mp_obj_base_t base;
    mp_obj_t response;
    size_t chunk_size;
    bool decode_unicode;
    bool lines;
} rq_body_iter_t;

static mp_obj_t body_iter_next(mp_obj_t self_in) {
    rq_body_iter_t *it = MP_OBJ_TO_PTR(self_in);
    rq_err_t err = NULL;
    rq_response_t *r = rq_resp(it->response);
    #if RQ_ENABLE_ITER_LINES
    mp_obj_t x = it->lines
        ? rq_response_next_line(r, it->chunk_size, it->decode_unicode, &err)
        : rq_response_next_chunk(r, it->chunk_size, it->decode_unicode, &err);
    #else
    mp_obj_t x = rq_response_next_chunk(r, it->chunk_size, false, &err);
    #endif
    if (x == MP_OBJ_NULL) {
        if (err != NULL) {
            if (rq_exc_is(err, &mp_type_StopIteration)) {
                // Raised here it would end the caller's loop as if the body
                // were complete.
                mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("body read raised StopIteration"));
            }
            rq_raise(err);
        }
        return MP_OBJ_STOP_ITERATION;
    }
    return x;
}

static MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_body_iter,
    MP_QSTR_iterator,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, body_iter_next
    );

static mp_obj_t rq_new_body_iter(size_t n_args, const mp_obj_t *pos, mp_map_t *kw, bool lines) {
    enum { ARG_chunk_size, ARG_decode_unicode };
    RQ_ARGS allowed[] = {
        { MP_QSTR_chunk_size, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_decode_unicode, MP_ARG_BOOL, {.u_bool = false} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    rq_parse_args(n_args - 1, pos + 1, kw, MP_ARRAY_SIZE(allowed), allowed, a);
    mp_int_t size = lines ? 512 : 1;
    if (a[ARG_chunk_size].u_obj != mp_const_none) {
        size = mp_obj_get_int(a[ARG_chunk_size].u_obj);
    }
    if (size < 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("chunk_size must be at least 1"));
    }
    #if !RQ_ENABLE_ITER_LINES
    if (a[ARG_decode_unicode].u_bool) {
        mp_raise_NotImplementedError(MP_ERROR_TEXT("decode_unicode is not built in (RQ_ENABLE_ITER_LINES=0)"));
    }
    #endif
    rq_response_prepare_body(pos[0]);
    // Over a body already read whole, each iterator starts at its beginning.
    rq_resp(pos[0])->cached_pos = 0;
    rq_body_iter_t *it = mp_obj_malloc(rq_body_iter_t, &rq_type_body_iter);
    it->response = pos[0];
    it->chunk_size = size;
    it->decode_unicode = a[ARG_decode_unicode].u_bool;
    it->lines = lines;
    return MP_OBJ_FROM_PTR(it);
}

static mp_obj_t response_iter_content(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    return rq_new_body_iter(n_args, pos, kw, false);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(response_iter_content_obj, 1, response_iter_content);

#if RQ_ENABLE_ITER_LINES
static mp_obj_t response_iter_lines(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    return rq_new_body_iter(n_args, pos, kw, true);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(response_iter_lines_obj, 1, response_iter_lines);
#endif

// ---- attributes ----

static const mp_rom_map_elem_t response_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_json), MP_ROM_PTR(&response_json_obj) },
    #if RQ_ENABLE_JSON_SELECT
    { MP_ROM_QSTR(MP_QSTR_iter_json), MP_ROM_PTR(&response_iter_json_obj) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_iter_content), MP_ROM_PTR(&response_iter_content_obj) },
    #if RQ_ENABLE_ITER_LINES
    { MP_ROM_QSTR(MP_QSTR_iter_lines), MP_ROM_PTR(&response_iter_lines_obj) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&response_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&response_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_raise_for_status), MP_ROM_PTR(&response_raise_for_status_obj) },
    { MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&rq_self_obj) },
    { MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&response_exit_obj) },
    #if RQ_ENABLE_ASYNC
    { MP_ROM_QSTR(MP_QSTR_aread), MP_ROM_PTR(&rq_response_aread_obj) },
    { MP_ROM_QSTR(MP_QSTR_ajson), MP_ROM_PTR(&rq_response_ajson_obj) },
    { MP_ROM_QSTR(MP_QSTR_aiter_content), MP_ROM_PTR(&rq_response_aiter_content_obj) },
    { MP_ROM_QSTR(MP_QSTR_aiter_lines), MP_ROM_PTR(&rq_response_aiter_lines_obj) },
    { MP_ROM_QSTR(MP_QSTR_aclose), MP_ROM_PTR(&rq_response_aclose_obj) },
    #endif
};
static MP_DEFINE_CONST_DICT(response_locals, response_locals_table);

static void response_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    rq_response_t *r = rq_resp(self_in);
    if (dest[0] == MP_OBJ_SENTINEL) {
        // Store or delete: only encoding is writable.
        if (attr == MP_QSTR_encoding && dest[1] != MP_OBJ_NULL) {
            // The reason and Headers no longer need the raw head for it.
            r->encoding = dest[1];
            dest[0] = MP_OBJ_NULL;
        }
        return;
    }
    // An if chain, not a switch: a dynamic native module's qstrs are not
    // constants (cmodule/natmod/rq_natmod.h).
    if (attr == MP_QSTR_status_code) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(r->status_code);
        return;
    } else if (attr == MP_QSTR_reason) {
        // A bytearray of the bytes as they came, made on first use
        // (most code never reads the reason).
        dest[0] = rq_or_none(rq_response_get(r, RQ_FIELD_REASON));
        return;
    } else if (attr == MP_QSTR_headers) {
        dest[0] = rq_or_none(rq_response_get(r, RQ_FIELD_HEADERS));
        return;
    } else if (attr == MP_QSTR_encoding) {
        dest[0] = rq_or_none(rq_response_get(r, RQ_FIELD_ENCODING));
        return;
    } else if (attr == MP_QSTR_socket) {
        dest[0] = rq_or_none(r->conn != NULL ? r->conn->sock : MP_OBJ_NULL);
        return;
    } else if (attr == MP_QSTR_url) {
        dest[0] = rq_or_none(r->url);
        return;
    } else if (attr == MP_QSTR_cookies) {
        dest[0] = rq_response_cookies(self_in);
        return;
    } else if (attr == MP_QSTR_history) {
        if (r->history == MP_OBJ_NULL) {
            r->history = mp_obj_new_list(0, NULL);
        }
        dest[0] = r->history;
        return;
    } else if (attr == MP_QSTR_ok) {
        dest[0] = mp_obj_new_bool(r->status_code < 400);
        return;
    } else if (attr == MP_QSTR_content) {
        dest[0] = response_content(self_in);
        return;
    } else if (attr == MP_QSTR_text) {
        dest[0] = response_text(self_in);
        return;
    }
    // Continue with the locals dict (methods).
    dest[1] = MP_OBJ_SENTINEL;
}

static void response_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    mp_printf(print, "<Response [%u]>", (unsigned)rq_resp(self_in)->status_code);
}

// ---- Response(sock, session=None, method="GET") ----

// A response read from a socket on which the caller already sent a request.
// Without a session, a private one (no pool) owns the buffer and the socket
// is closed with the response; with one, the response is that session's live
// response (a newer request supersedes it).
static mp_obj_t response_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    (void)type;
    enum { ARG_sock, ARG_session, ARG_method };
    RQ_ARGS allowed[] = {
        { MP_QSTR_sock, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_session, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_method, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    rq_parse_args_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, a);
    mp_obj_t session = a[ARG_session].u_obj;
    if (session == mp_const_none) {
        session = rq_session_new_private();
    } else if (!mp_obj_is_type(session, &rq_type_session)) {
        mp_raise_TypeError(MP_ERROR_TEXT("session must be a Session or None"));
    }
    // Left out: GET (the default method).
    mp_obj_t method = a[ARG_method].u_obj;
    if (method != MP_OBJ_NULL && !mp_obj_is_str(method)) {
        mp_raise_TypeError(MP_ERROR_TEXT("method must be a str"));
    }
    size_t mlen = 0;
    const char *m = method == MP_OBJ_NULL ? "" : mp_obj_str_get_data(method, &mlen);
    bool is_head = mlen == 4 && (m[0] | 0x20) == 'h' && (m[1] | 0x20) == 'e'
        && (m[2] | 0x20) == 'a' && (m[3] | 0x20) == 'd';
    rq_session_obj_t *so = MP_OBJ_TO_PTR(session);
    rq_err_t err = NULL;
    mp_obj_t resp = rq_response_from_socket(&so->s, session, a[ARG_sock].u_obj, is_head, &err);
    if (resp == MP_OBJ_NULL) {
        rq_raise(err);
    }
    return resp;
}

// ---- stream protocol (read only) ----

// Raw body bytes, for json.load and for the decompressor (decode.c).
mp_uint_t rq_response_raw_read(mp_obj_t self_in, void *buf, mp_uint_t size) {
    rq_response_t *r = rq_resp(self_in);
    rq_read_ahead_t *ahead = r->ahead;
    if (ahead != NULL && ahead->start < ahead->end) {
        // Read ahead without blocking (AsyncSession), in order before the rest.
        size_t n = (size_t)(ahead->end - ahead->start);
        n = n < size ? n : size;
        memcpy(buf, ahead->buf + ahead->start, n);
        ahead->start += n;
        return n;
    }
    if (ahead != NULL && ahead->held_raw != MP_OBJ_NULL) {
        mp_buffer_info_t bi;
        mp_get_buffer_raise(ahead->held_raw, &bi, MP_BUFFER_READ);
        size_t n = bi.len - ahead->held_pos < size ? bi.len - ahead->held_pos : size;
        memcpy(buf, (const byte *)bi.buf + ahead->held_pos, n);
        ahead->held_pos += n;
        if (n == 0 && size > 0) {
            // All handed to the decoder: the GC may have the bytes back.
            ahead->held_raw = mp_const_empty_bytes;
            ahead->held_pos = 0;
        }
        return n;
    }
    if (r->fast_avail > 0 && r->closed_why == RQ_CLOSED_NONE && r->conn != NULL && r->conn->sock != MP_OBJ_NULL) {
        // Bytes the Rust core marked as plain body data already received.
        rq_conn_t *c = r->conn;
        size_t n = size < r->fast_avail ? size : r->fast_avail;
        memcpy(buf, c->buf + c->rstart, n);
        c->rstart += n;
        r->fast_avail -= n;
        r->fast_taken += n;
        return n;
    }
    rq_err_t err = NULL;
    intptr_t n = rq_response_read_raw(r, buf, size, &err);
    if (n < 0) {
        rq_raise(err);
    }
    return (mp_uint_t)n;
}

static mp_uint_t response_stream_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    (void)errcode;
    rq_response_t *r = rq_resp(self_in);
    if (r->decoded == MP_OBJ_NULL && !r->decoded_gone) {
        // The raw read (and its fast path over the buffer) runs holding the
        // session, as every Rust entry does (session_owner.c).
        rq_session_t *s = rq_session_state(r->session);
        rq_err_t err = rq_session_take(s);
        rq_raise_if(err);
        nlr_buf_t nlr;
        if (nlr_push(&nlr) == 0) {
            mp_uint_t n = rq_response_raw_read(self_in, buf, size);
            nlr_pop();
            rq_session_give(s);
            return n;
        }
        rq_session_give(s);
        nlr_jump(nlr.ret_val);
    }
    rq_err_t err = NULL;
    intptr_t n = rq_response_readinto(r, buf, size, &err);
    if (n < 0) {
        rq_raise(err);
    }
    return (mp_uint_t)n;
}

static mp_uint_t response_stream_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    (void)arg;
    if (request == MP_STREAM_CLOSE) {
        rq_err_t err = rq_response_close(rq_resp(self_in));
        rq_raise_if(err);
        return 0;
    }
    *errcode = MP_EINVAL;
    return MP_STREAM_ERROR;
}

static const mp_stream_p_t response_stream_p = {
    .read = response_stream_read,
    .write = NULL,
    .ioctl = response_stream_ioctl,
    .is_text = false,
};

MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_response,
    MP_QSTR_Response,
    MP_TYPE_FLAG_NONE,
    make_new, response_make_new,
    print, response_print,
    attr, response_attr,
    protocol, &response_stream_p,
    locals_dict, &response_locals
    );
