// The built-in module's front end: registers adafruit_requests with its
// globals in ROM, the OutOfRetries type and the default session's root
// pointer. What it registers lives in the shared layer (module_api.c and
// the type files); natmod/ is the other front end, for the .mpy build.
#include "py/runtime.h"
#include "py/objstr.h"
#include "py/builtin.h"
#include "rq_objects.h"

MP_DEFINE_CONST_OBJ_TYPE(
    rq_type_out_of_retries,
    MP_QSTR_OutOfRetries,
    MP_TYPE_FLAG_NONE,
    make_new, mp_obj_exception_make_new,
    print, rq_out_of_retries_print,
    attr, rq_out_of_retries_attr,
    parent, &mp_type_Exception
    );

MP_REGISTER_ROOT_POINTER(mp_obj_t rq_default_session);

mp_obj_t *rq_default_session_ref(void) {
    return &MP_STATE_VM(rq_default_session);
}

static const mp_rom_map_elem_t adafruit_requests_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_adafruit_requests) },
    { MP_ROM_QSTR(MP_QSTR___version__), MP_ROM_PTR(&rq_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_Session), MP_ROM_PTR(&rq_type_session) },
    #if RQ_ENABLE_ASYNC
    { MP_ROM_QSTR(MP_QSTR_AsyncSession), MP_ROM_PTR(&rq_type_async_session) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_Response), MP_ROM_PTR(&rq_type_response) },
    { MP_ROM_QSTR(MP_QSTR_OutOfRetries), MP_ROM_PTR(&rq_type_out_of_retries) },
    #if RQ_ENABLE_LEGACY_API
    { MP_ROM_QSTR(MP_QSTR_set_socket), MP_ROM_PTR(&rq_mod_set_socket_obj) },
    { MP_ROM_QSTR(MP_QSTR_request), MP_ROM_PTR(&rq_mod_request_obj) },
    RQ_VERB_ENTRIES(rq_module_verbs),
    #endif
};
static MP_DEFINE_CONST_DICT(adafruit_requests_globals, adafruit_requests_globals_table);

const mp_obj_module_t adafruit_requests_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&adafruit_requests_globals,
};

MP_REGISTER_MODULE(MP_QSTR_adafruit_requests, adafruit_requests_user_cmodule);
