# adafruit_requests for MicroPython's CMake ports (rp2, esp32).
#
#   make -C ports/rp2 BOARD=RPI_PICO USER_C_MODULES=<repo>/cmodule/micropython.cmake
#
# Cache variables:
#   RUST_TARGET   Rust target triple; default derived from the port (below)
#   CARGO         cargo executable
#
# The Rust std for the target must be installed (rustup target add <triple>).

set(RQ_MOD_DIR ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(RQ_ROOT ${RQ_MOD_DIR} DIRECTORY)

# Triple matching the C toolchain's ABI. Float ABI matters: the linker refuses
# to mix objects that pass floats in VFP registers with ones that do not.
function(rq_default_rust_target out)
    set(triple "")
    if(DEFINED PICO_PLATFORM)
        if(PICO_PLATFORM STREQUAL "rp2040")
            set(triple thumbv6m-none-eabi)
        elseif(PICO_PLATFORM MATCHES "^rp2350-riscv")
            set(triple riscv32imac-unknown-none-elf)
        elseif(PICO_PLATFORM MATCHES "^rp2350")
            # pico-sdk compiles Cortex-M33 code with -mfloat-abi=softfp: FPU
            # instructions but the soft-float calling convention, i.e. eabi,
            # not eabihf.
            set(triple thumbv8m.main-none-eabi)
        endif()
    elseif(DEFINED IDF_TARGET)
        if(IDF_TARGET STREQUAL "esp32c2" OR IDF_TARGET STREQUAL "esp32c3")
            set(triple riscv32imc-unknown-none-elf)
        elseif(IDF_TARGET STREQUAL "esp32c5" OR IDF_TARGET STREQUAL "esp32c6"
               OR IDF_TARGET STREQUAL "esp32h2")
            set(triple riscv32imac-unknown-none-elf)
        elseif(IDF_TARGET STREQUAL "esp32p4")
            set(triple riscv32imafc-unknown-none-elf)
        else()
            message(FATAL_ERROR
                "adafruit_requests: ${IDF_TARGET} is Xtensa, which upstream Rust "
                "does not target; install Espressif's toolchain (espup) and pass "
                "-DRUST_TARGET=xtensa-${IDF_TARGET}-none-elf")
        endif()
    endif()
    if(triple STREQUAL "")
        message(FATAL_ERROR
            "adafruit_requests: cannot tell the Rust target for this port; "
            "pass -DRUST_TARGET=<triple>")
    endif()
    set(${out} ${triple} PARENT_SCOPE)
endfunction()

if(NOT RUST_TARGET)
    rq_default_rust_target(RQ_DEFAULT_TARGET)
    set(RUST_TARGET ${RQ_DEFAULT_TARGET} CACHE STRING "Rust target triple for adafruit_requests")
endif()
find_program(CARGO cargo HINTS $ENV{HOME}/.cargo/bin)
if(NOT CARGO)
    message(FATAL_ERROR "adafruit_requests: cargo not found (set -DCARGO=...)")
endif()

set(RQ_CARGO_TARGET_DIR ${CMAKE_BINARY_DIR}/cargo)
set(RQ_LIB ${RQ_CARGO_TARGET_DIR}/${RUST_TARGET}/release/libadafruit_requests_native.a)

# `cargo rustc --crate-type staticlib`: with the manifest's two crate types
# rustc skips LTO (see micropython.mk).
set(RQ_CARGO_COMMAND
    ${CARGO} rustc --lib --crate-type staticlib --release --features firmware
    --manifest-path ${RQ_ROOT}/Cargo.toml
    --target-dir ${RQ_CARGO_TARGET_DIR}
    --target ${RUST_TARGET})

# panic = "abort" never unwinds, but the precompiled core for ARM carries
# .ARM.exidx/.ARM.extab sections that bare-metal linker scripts may not place.
# The check keeps the archive's mtime unchanged when cargo did nothing.
set(RQ_STRIP_COMMAND "")
if(RUST_TARGET MATCHES "^(thumb|arm)")
    if(NOT CMAKE_OBJCOPY OR NOT CMAKE_OBJDUMP)
        message(FATAL_ERROR "adafruit_requests: CMAKE_OBJCOPY/CMAKE_OBJDUMP not set by the toolchain")
    endif()
    set(RQ_STRIP_COMMAND COMMAND sh -c
        "if '${CMAKE_OBJDUMP}' -h '${RQ_LIB}' | grep -q '\\.ARM\\.ex'; then '${CMAKE_OBJCOPY}' --remove-section='.ARM.exidx*' --remove-section='.ARM.extab*' '${RQ_LIB}'; fi")
endif()

# A custom target is always out of date, so cargo (which knows best whether
# the crate is stale) runs on every build. BYPRODUCTS tells Ninja where the
# archive comes from.
add_custom_target(adafruit_requests_cargo
    COMMAND ${RQ_CARGO_COMMAND}
    ${RQ_STRIP_COMMAND}
    BYPRODUCTS ${RQ_LIB}
    WORKING_DIRECTORY ${RQ_ROOT}
    COMMENT "cargo: adafruit_requests_native (${RUST_TARGET})"
    USES_TERMINAL
    VERBATIM)

add_library(adafruit_requests_native STATIC IMPORTED GLOBAL)
set_target_properties(adafruit_requests_native PROPERTIES IMPORTED_LOCATION ${RQ_LIB})
add_dependencies(adafruit_requests_native adafruit_requests_cargo)

file(GLOB RQ_SOURCES CONFIGURE_DEPENDS ${RQ_MOD_DIR}/*.c)

add_library(usermod_adafruit_requests INTERFACE)
target_sources(usermod_adafruit_requests INTERFACE ${RQ_SOURCES})
target_include_directories(usermod_adafruit_requests INTERFACE ${RQ_MOD_DIR})
target_link_libraries(usermod_adafruit_requests INTERFACE adafruit_requests_native)
# Dependencies of interface libraries are followed by whatever links them;
# this orders cargo before the firmware's objects, not only before its link.
add_dependencies(usermod_adafruit_requests adafruit_requests_cargo)

target_link_libraries(usermod INTERFACE usermod_adafruit_requests)
