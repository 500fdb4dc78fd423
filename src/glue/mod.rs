//! MicroPython glue: drives the sans-I/O engine with Python objects through the
//! C shims declared in `cmodule/rq_ffi.h`.
#![allow(non_camel_case_types, non_upper_case_globals, dead_code)]

mod ffi {
    include!(concat!(env!("OUT_DIR"), "/rq_ffi.rs"));
}

/// Last resort of the panic handler: stop here rather than corrupt the heap.
pub fn abort() -> ! {
    loop {
        core::hint::spin_loop();
    }
}

#[no_mangle]
pub extern "C" fn rq_core_version() -> *const core::ffi::c_char {
    c"0.1.0".as_ptr()
}
