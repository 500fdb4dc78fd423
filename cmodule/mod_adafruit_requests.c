// Registers the adafruit_requests module (placeholder during bring-up).
#include "py/runtime.h"
#include "rq_ffi.h"

static mp_obj_t rq_core_version_obj_fn(void) {
    return mp_obj_new_str(rq_core_version(), strlen(rq_core_version()));
}
static MP_DEFINE_CONST_FUN_OBJ_0(rq_core_version_obj, rq_core_version_obj_fn);

static const mp_rom_map_elem_t adafruit_requests_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_adafruit_requests) },
    { MP_ROM_QSTR(MP_QSTR_core_version), MP_ROM_PTR(&rq_core_version_obj) },
};
static MP_DEFINE_CONST_DICT(adafruit_requests_globals, adafruit_requests_globals_table);

const mp_obj_module_t adafruit_requests_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&adafruit_requests_globals,
};

MP_REGISTER_MODULE(MP_QSTR_adafruit_requests, adafruit_requests_user_cmodule);
