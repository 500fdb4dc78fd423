// Shims for Response objects and their headers, and the session's cache
// of short header strings.
#include <stddef.h>
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/objstr.h"
#include "py/objtype.h"
#include "py/mperrno.h"
#include "py/unicode.h"
#include "py/objarray.h"
#include "py/mphal.h"
#include "rq_shims.h"

// ---- responses and headers ----

// The raw head for a new response: the session's last one when it is the
// same byte for byte, else a copy that becomes the last one (NULL when
// the allocation failed, or when the head is not kept).
static const uint8_t *rq_head_block(rq_session_t *s, const uint8_t *head, size_t head_len, bool *failed) {
    *failed = false;
    if (head_len == 0 || head_len > UINT16_MAX) {
        return NULL;
    }
    if (s->last_head != NULL && s->last_head_len == head_len && memcmp(s->last_head, head, head_len) == 0) {
        return s->last_head;
    }
    uint8_t *b = m_malloc_maybe(head_len);
    if (b == NULL) {
        *failed = true;
        return NULL;
    }
    memcpy(b, head, head_len);
    s->last_head = b;
    s->last_head_len = head_len;
    return b;
}

rq_err_t rq_response_make(rq_obj_t session, const uint8_t *head, size_t head_len, rq_response_t **r, rq_obj_t *obj) {
    // head_len sits in what was padding after the flags: no bigger object.
    MP_STATIC_ASSERT(offsetof(rq_response_t, head_len) + sizeof(uint16_t)
        <= ((offsetof(rq_response_t, decode_checked) + sizeof(void *)) & ~(sizeof(void *) - 1)));
    rq_session_t *s = rq_session_state(session);
    // No nlr frame unless an allocation fails (every response comes here);
    // m_malloc_maybe has collected and tried again by then, as m_malloc
    // would, so what is left is raising its MemoryError.
    bool failed;
    const uint8_t *raw = rq_head_block(s, head, head_len, &failed);
    rq_response_obj_t *o = failed ? NULL : m_malloc_maybe(sizeof(rq_response_obj_t));
    if (o == NULL) {
        RQ_GUARD(m_malloc_fail(failed ? head_len : sizeof(rq_response_obj_t)));
    }
    o->base.type = &rq_type_response;
    memset(&o->r, 0, sizeof(o->r));
    o->r.session = session;
    if (raw != NULL) {
        o->r.headers = (mp_obj_t)raw;
        o->r.head_len = (uint16_t)head_len;
    }
    *r = &o->r;
    *obj = MP_OBJ_FROM_PTR(o);
    return NULL;
}

rq_response_t *rq_response_state(rq_obj_t response) {
    rq_response_obj_t *o = MP_OBJ_TO_PTR(response);
    return &o->r;
}

rq_session_t *rq_session_state(rq_obj_t session) {
    rq_session_obj_t *o = MP_OBJ_TO_PTR(session);
    return &o->s;
}

// A str of UTF-8 (or, failing that, ISO-8859-1) bytes. Strings are made
// without looking for an equal qstr: that search walks every qstr pool and
// would cost more than the whole request.
static mp_obj_t rq_str_fresh(const uint8_t *p, size_t len) {
    if (utf8_check(p, len)) {
        return mp_obj_new_str_copy(&mp_type_str, p, len);
    }
    return rq_str_lenient(p, len);
}

// The session's str for these bytes: looked up by hash in two slots, made
// (and put first of the two) when missing.
static mp_obj_t rq_cached_str(rq_session_t *s, const uint8_t *p, size_t len) {
    if (s == NULL || len > RQ_STR_CACHE_MAX_LEN) {
        return rq_str_fresh(p, len);
    }
    uint32_t h = (uint32_t)qstr_compute_hash(p, len);
    size_t i = (h % (RQ_STR_CACHE / 2)) * 2;
    for (size_t k = i; k < i + 2; k++) {
        mp_obj_t c = s->strs[k];
        if (c != MP_OBJ_NULL && s->strs_hash[k] == h) {
            size_t clen;
            const char *cp = mp_obj_str_get_data(c, &clen);
            if (clen == len && memcmp(cp, p, len) == 0) {
                return c;
            }
        }
    }
    mp_obj_t o = rq_str_fresh(p, len);
    s->strs[i + 1] = s->strs[i];
    s->strs_hash[i + 1] = s->strs_hash[i];
    s->strs[i] = o;
    s->strs_hash[i] = h;
    return o;
}

// The cache belongs to the session's holder: another thread's request in
// progress keeps it, and a build meanwhile makes its own strs.
static rq_session_t *rq_cache_of(rq_session_t *s) {
    return s != NULL && (s->owner == NULL || rq_session_held(s)) ? s : NULL;
}

rq_err_t rq_session_str(rq_session_t *s, const uint8_t *p, size_t len, rq_obj_t *out) {
    RQ_GUARD(*out = rq_cached_str(rq_cache_of(s), p, len));
}

static void rq_headers_add1(rq_session_t *s, rq_headers_obj_t *h, const uint8_t *name, size_t name_len, const uint8_t *value, size_t value_len) {
    mp_obj_dict_t *d = &h->dict;
    byte small[64];
    byte *lower = name_len <= sizeof(small) ? small : m_new(byte, name_len);
    // Names are tokens (ASCII): lower-cased here, without the Unicode tables.
    for (size_t i = 0; i < name_len; i++) {
        byte c = name[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? (byte)(c | 0x20) : c;
    }
    mp_obj_t key = rq_cached_str(s, lower, name_len);
    mp_obj_t val = rq_cached_str(s, value, value_len);
    mp_map_elem_t *e = mp_map_lookup(&d->map, key, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
    if (e->value == MP_OBJ_NULL) {
        e->value = val;
        return;
    }
    // A repeated name: record the first value once, then every repeat.
    if (h->multi == MP_OBJ_NULL) {
        h->multi = mp_obj_new_list(0, NULL);
    }
    mp_obj_t multi = h->multi;
    mp_obj_list_t *l = MP_OBJ_TO_PTR(multi);
    bool seen = false;
    for (size_t i = 0; i < l->len; i += 2) {
        if (mp_obj_equal(l->items[i], key)) {
            seen = true;
            break;
        }
    }
    if (!seen) {
        mp_obj_list_append(multi, key);
        mp_obj_list_append(multi, e->value);
    }
    mp_obj_list_append(multi, key);
    mp_obj_list_append(multi, val);
    if (rq_header_repeat_joins(lower, name_len)) {
        vstr_t v;
        size_t a_len, b_len;
        const char *a = mp_obj_str_get_data(e->value, &a_len);
        const char *b = mp_obj_str_get_data(val, &b_len);
        vstr_init(&v, a_len + 2 + b_len);
        vstr_add_strn(&v, a, a_len);
        vstr_add_strn(&v, ", ", 2);
        vstr_add_strn(&v, b, b_len);
        e->value = mp_obj_new_str_from_vstr(&v);
    } else {
        e->value = val;
    }
}

rq_err_t rq_headers_build(rq_session_t *s, const rq_header_t *hs, size_t n, size_t total, rq_obj_t *headers) {
    RQ_GUARD({
        s = rq_cache_of(s);
        if (*headers == MP_OBJ_NULL) {
            // Spare slots: a full table makes every miss a whole scan.
            *headers = MP_OBJ_FROM_PTR(rq_headers_alloc(total + total / 2 + 1));
        }
        rq_headers_obj_t *h = MP_OBJ_TO_PTR(*headers);
        for (size_t i = 0; i < n; i++) {
            rq_headers_add1(s, h, hs[i].name.ptr, hs[i].name.len, hs[i].value.ptr, hs[i].value.len);
        }
    });
}

rq_obj_t rq_headers_get(rq_obj_t headers, const char *lower_name) {
    // Keys are plain lower-case strs; comparing bytes avoids a qstr search.
    mp_map_t *map = mp_obj_dict_get_map(headers);
    size_t n = strlen(lower_name);
    for (size_t i = 0; i < map->alloc; i++) {
        if (mp_map_slot_is_filled(map, i) && mp_obj_is_str(map->table[i].key)) {
            size_t kl;
            const char *k = mp_obj_str_get_data(map->table[i].key, &kl);
            if (kl == n && memcmp(k, lower_name, n) == 0) {
                return map->table[i].value;
            }
        }
    }
    return MP_OBJ_NULL;
}
