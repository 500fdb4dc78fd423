// The narrow interface between the Rust core and the MicroPython C layer.
//
// This header is self-contained on purpose: bindgen reads it without any of
// MicroPython's headers, so the Rust side never depends on a port's
// configuration. rq_obj_t is mp_obj_t (a pointer-sized handle; object
// representations A-C). Every function declared here under "shims" is
// implemented in C and never raises: a MicroPython exception is caught with
// nlr_push and handed back as a value.
#ifndef RQ_FFI_H
#define RQ_FFI_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef void *rq_obj_t;

// ---- implemented in Rust, called from C ----
const char *rq_core_version(void);

#endif // RQ_FFI_H
