// Shims for Response objects and their headers, and the session's cache
// of short header strings.
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

rq_err_t rq_response_new(rq_obj_t session, rq_response_t **r, rq_obj_t *obj) {
    RQ_GUARD({
        rq_response_obj_t *o = mp_obj_malloc(rq_response_obj_t, &rq_type_response);
        memset(&o->r, 0, sizeof(o->r));
        o->r.session = session;
        *r = &o->r;
        *obj = MP_OBJ_FROM_PTR(o);
    });
}

rq_response_t *rq_response_state(rq_obj_t response) {
    rq_response_obj_t *o = MP_OBJ_TO_PTR(response);
    return &o->r;
}

rq_session_t *rq_session_state(rq_obj_t session) {
    rq_session_obj_t *o = MP_OBJ_TO_PTR(session);
    return &o->s;
}

rq_err_t rq_headers_new(size_t n, bool repeats, rq_obj_t *out) {
    RQ_GUARD({
        rq_headers_obj_t *h = rq_headers_alloc(n);
        if (repeats) {
            h->multi = mp_obj_new_list(0, NULL);
        }
        *out = MP_OBJ_FROM_PTR(h);
    });
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

static mp_obj_t rq_cached_str(rq_session_t *s, const uint8_t *p, size_t len) {
    if (s == NULL || len > RQ_STR_CACHE_MAX_LEN) {
        return rq_str_fresh(p, len);
    }
    for (size_t i = 0; i < RQ_STR_CACHE; i++) {
        mp_obj_t c = s->strs[i];
        if (c == MP_OBJ_NULL) {
            break;
        }
        size_t clen;
        const char *cp = mp_obj_str_get_data(c, &clen);
        if (clen == len && memcmp(cp, p, len) == 0) {
            return c;
        }
    }
    mp_obj_t o = rq_str_fresh(p, len);
    s->strs[s->strs_next] = o;
    s->strs_next = (s->strs_next + 1) % RQ_STR_CACHE;
    return o;
}

rq_err_t rq_session_str(rq_session_t *s, const uint8_t *p, size_t len, rq_obj_t *out) {
    RQ_GUARD(*out = rq_cached_str(s, p, len));
}

rq_err_t rq_headers_add(rq_session_t *s, rq_obj_t headers, const uint8_t *name, size_t name_len, const uint8_t *value, size_t value_len) {
    RQ_GUARD({
        rq_headers_obj_t *h = MP_OBJ_TO_PTR(headers);
        mp_obj_dict_t *d = &h->dict;
        byte small[64];
        byte *lower = name_len <= sizeof(small) ? small : m_new(byte, name_len);
        for (size_t i = 0; i < name_len; i++) {
            lower[i] = unichar_tolower(name[i]);
        }
        mp_obj_t key = rq_cached_str(s, lower, name_len);
        mp_obj_t val = rq_cached_str(s, value, value_len);
        mp_map_elem_t *e = mp_map_lookup(&d->map, key, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
        if (e->value == MP_OBJ_NULL) {
            e->value = val;
        } else {
            if (h->multi != MP_OBJ_NULL) {
                // Record the first value once, then every repeat.
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
            }
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
