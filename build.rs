//! With feature `firmware`, generates Rust bindings for `cmodule/rq_ffi.h`: the
//! narrow C interface between the Rust core and the MicroPython C layer. The
//! header is self-contained (it does not include MicroPython's headers), so the
//! bindings do not depend on a port's configuration or generated headers.

fn main() {
    println!("cargo:rerun-if-changed=cmodule/rq_ffi.h");
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "firmware")]
    generate_bindings();
}

#[cfg(feature = "firmware")]
fn generate_bindings() {
    let out =
        std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("rq_ffi.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    let bindings = bindgen::Builder::default()
        .header("cmodule/rq_ffi.h")
        .use_core()
        .ctypes_prefix("core::ffi")
        .clang_arg(format!("--target={}", clang_target(&target)))
        .allowlist_item("rq_.*|RQ_.*")
        .rustified_enum("rq_(exc_kind|kind|method|fail_kind|idle_probe|poll)_t")
        .layout_tests(false)
        .generate_comments(false)
        .derive_default(true)
        // RQ_MUST_USE (warn_unused_result) becomes #[must_use].
        .enable_function_attribute_detection()
        .generate();
    match bindings {
        Ok(b) => {
            if let Err(e) = b.write_to_file(&out) {
                panic!("writing {}: {e}", out.display());
            }
        }
        Err(e) => panic!("bindgen failed on cmodule/rq_ffi.h: {e}"),
    }
}

/// clang does not know Rust's bare-metal triples; give it one with the same
/// pointer size and ABI so struct layouts match.
#[cfg(feature = "firmware")]
fn clang_target(rust: &str) -> String {
    if rust.starts_with("thumbv") {
        let arch = rust.split('-').next().unwrap_or("thumbv7m");
        format!("{arch}-none-eabi")
    } else if rust.starts_with("riscv32") {
        "riscv32-unknown-elf".into()
    } else {
        rust.into()
    }
}
