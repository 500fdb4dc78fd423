// What a Session remembers between requests (SPEC §12): Session.cookies,
// Session.headers and Session.auth as attributes of Session and
// AsyncSession, what they add to each request, and Response.cookies. The
// jar itself is cookie_jar_type.c and the Rust core.
#include <string.h>

#include "py/runtime.h"
#include "py/objstr.h"
#include "rq_objects.h"

void rq_session_state_attr(mp_obj_t self_in, rq_session_t *s, qstr attr, mp_obj_t *dest) {
    (void)self_in;
    bool store = dest[0] == MP_OBJ_SENTINEL;
    if (store && dest[1] == MP_OBJ_NULL) {
        return;  // no deleting
    }
    // An if chain, not a switch: a dynamic native module's qstrs are not
    // constants (cmodule/natmod/rq_natmod.h).
    if (attr == MP_QSTR_cookies) {
        if (!store) {
            dest[0] = rq_session_jar(s);
        }
        return;
    } else if (attr == MP_QSTR_headers) {
        if (store) {
            mp_obj_t h = dest[1];
            if (h != mp_const_none && !mp_obj_is_dict_or_ordereddict(h)) {
                mp_raise_TypeError(MP_ERROR_TEXT("Headers must be in dict format"));
            }
            s->default_headers = h == mp_const_none ? MP_OBJ_NULL : h;
            dest[0] = MP_OBJ_NULL;
            return;
        }
        if (s->default_headers == MP_OBJ_NULL) {
            s->default_headers = MP_OBJ_FROM_PTR(rq_headers_alloc(0));
        }
        dest[0] = s->default_headers;
        return;
    } else if (attr == MP_QSTR_auth) {
        if (store) {
            s->auth = dest[1] == mp_const_none ? MP_OBJ_NULL : dest[1];
            dest[0] = MP_OBJ_NULL;
            return;
        }
        dest[0] = s->auth == MP_OBJ_NULL ? mp_const_none : s->auth;
        return;
    }
    if (!store) {
        dest[1] = MP_OBJ_SENTINEL;  // on to the locals dict
    }
}

static bool key_eq(mp_obj_t a, mp_obj_t b) {
    mp_buffer_info_t x, y;
    if (!mp_get_buffer(a, &x, MP_BUFFER_READ) || !mp_get_buffer(b, &y, MP_BUFFER_READ) || x.len != y.len) {
        return false;
    }
    const byte *p = x.buf, *q = y.buf;
    for (size_t i = 0; i < x.len; i++) {
        if (unichar_tolower(p[i]) != unichar_tolower(q[i])) {
            return false;
        }
    }
    return true;
}

static bool map_has(mp_map_t *m, mp_obj_t key) {
    for (size_t i = 0; i < m->alloc; i++) {
        if (mp_map_slot_is_filled(m, i) && key_eq(m->table[i].key, key)) {
            return true;
        }
    }
    return false;
}

// The session's headers under the request's (any spelling of a name in
// the request's replaces the session's; a None there removes it: None
// values are not sent but still stop the automatic header).
static mp_obj_t merge_headers(mp_obj_t defaults, mp_obj_t given) {
    mp_map_t *dm = mp_obj_dict_get_map(defaults);
    if (dm->used == 0 || !(given == mp_const_none || mp_obj_is_dict_or_ordereddict(given))) {
        return given;  // a bad `headers` raises where it is checked
    }
    if (given == mp_const_none) {
        return defaults;
    }
    mp_map_t *gm = mp_obj_dict_get_map(given);
    mp_obj_t out = mp_obj_new_dict(dm->used + gm->used);
    for (size_t i = 0; i < dm->alloc; i++) {
        if (mp_map_slot_is_filled(dm, i) && !map_has(gm, dm->table[i].key)) {
            mp_obj_dict_store(out, dm->table[i].key, dm->table[i].value);
        }
    }
    for (size_t i = 0; i < gm->alloc; i++) {
        if (mp_map_slot_is_filled(gm, i)) {
            mp_obj_dict_store(out, gm->table[i].key, gm->table[i].value);
        }
    }
    return out;
}

void rq_session_state_apply(rq_session_t *s, rq_request_args_t *r) {
    if (s->default_headers != MP_OBJ_NULL) {
        r->headers = merge_headers(s->default_headers, r->headers);
    }
    // As requests: the request's auth=, else the session's; either wins
    // over credentials in the URL.
    if (s->auth != MP_OBJ_NULL && r->auth == mp_const_none) {
        r->auth = s->auth;
    }
}

static rq_bytes_t str_bytes(mp_obj_t o) {
    rq_bytes_t b = { NULL, 0 };
    if (o != MP_OBJ_NULL && mp_obj_is_str_or_bytes(o)) {
        size_t len;
        b.ptr = (const uint8_t *)mp_obj_str_get_data(o, &len);
        b.len = len;
    }
    return b;
}

static void add_if_kept(mp_obj_t out, mp_obj_t line, rq_bytes_t url, rq_bytes_t date) {
    rq_bytes_t n, v;
    if (rq_cookie_accepted(str_bytes(line), url, date, &n, &v)) {
        mp_obj_dict_store(out, mp_obj_new_str((const char *)n.ptr, n.len), mp_obj_new_str((const char *)v.ptr, v.len));
    }
}

mp_obj_t rq_response_cookies(mp_obj_t response) {
    rq_response_t *r = rq_response_state(response);
    mp_obj_t out = mp_obj_new_dict(0);
    if (!rq_response_has_header(r, "set-cookie", 10)) {
        return out;
    }
    mp_obj_t headers = rq_response_get(r, RQ_FIELD_HEADERS);
    if (headers == MP_OBJ_NULL) {
        return out;
    }
    rq_bytes_t url = str_bytes(r->url);
    rq_bytes_t date = str_bytes(rq_headers_get(headers, "date"));
    // Each line as it came (the dict's value joins repeated ones with ", ",
    // which Expires dates also hold).
    size_t n;
    mp_obj_t *lines;
    mp_obj_list_get(rq_headers_get_all(headers, mp_obj_new_str("set-cookie", 10)), &n, &lines);
    for (size_t i = 0; i < n; i++) {
        add_if_kept(out, lines[i], url, date);
    }
    return out;
}
