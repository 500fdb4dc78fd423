// Unix firmware for adafruit_requests: the "standard" variant's feature set,
// built from a MicroPython tree whose micropython-lib submodule is absent.

#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

// Path is relative to ports/unix (the port's -I.), because this file lives
// outside the MicroPython tree and "../" would resolve against our repo.
#include "variants/mpconfigvariant_common.h"
