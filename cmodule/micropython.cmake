# adafruit_requests for MicroPython's CMake ports (rp2, esp32).
#
#   make -C ports/rp2 BOARD=RPI_PICO USER_C_MODULES=<repo>/cmodule/micropython.cmake
#
# Cache variables:
#   RUST_TARGET   Rust target triple; default derived from the port (below).
#                 Also read from the environment, so that it passes through
#                 the ports' make wrappers: make -C ports/rp2 ... RUST_TARGET=...
#                 It is cached: a different triple needs a fresh build dir.
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

if(NOT RUST_TARGET AND DEFINED ENV{RUST_TARGET} AND NOT "$ENV{RUST_TARGET}" STREQUAL "")
    set(RUST_TARGET $ENV{RUST_TARGET} CACHE STRING "Rust target triple for adafruit_requests")
endif()
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
set(RQ_PRELINKED ${CMAKE_BINARY_DIR}/adafruit_requests_rust/libadafruit_requests_prelinked.a)

# Build-time switches (cmodule/rq_config.h): -DRQ_ENABLE_X=0 leaves a part
# out; the Rust side gets the matching features.
set(RQ_SWITCH_DEFS)
foreach(sw MULTIPART LEGACY_API ITER_LINES JSON_SELECT DEFLATE ASYNC)
    if(DEFINED RQ_ENABLE_${sw})
        list(APPEND RQ_SWITCH_DEFS RQ_ENABLE_${sw}=${RQ_ENABLE_${sw}})
    endif()
endforeach()
set(RQ_FEATURES firmware)
if(NOT DEFINED RQ_ENABLE_MULTIPART OR RQ_ENABLE_MULTIPART)
    set(RQ_FEATURES firmware,multipart)
endif()

# `cargo rustc --crate-type staticlib`: with the manifest's two crate types
# rustc skips LTO (see micropython.mk).
set(RQ_CARGO_COMMAND
    ${CARGO} rustc --lib --crate-type staticlib --release --features ${RQ_FEATURES}
    --manifest-path ${RQ_ROOT}/Cargo.toml
    --target-dir ${RQ_CARGO_TARGET_DIR}
    --target ${RUST_TARGET})

foreach(tool CMAKE_LINKER CMAKE_OBJCOPY CMAKE_AR)
    if(NOT ${tool})
        message(FATAL_ERROR "adafruit_requests: ${tool} not set by the toolchain")
    endif()
endforeach()

# As in micropython.mk: the firmware gets the whole archive prelinked into one
# object that exports only rq_*, so Rust's compiler_builtins cannot stand in
# for the C library's and libgcc's functions. It is wrapped in a one-member
# archive for CMake's sake (micropython.mk explains the sections dropped).
# Redone only when cargo rewrote its archive, so an unchanged crate does not
# relink the firmware. -z noexecstack: compiler_builtins' assembly objects
# carry no .note.GNU-stack, which makes the linker warn; the note it leaves
# is removed again, since every target here is bare metal, where that note
# makes the final link warn about newlib's crtn.o and mark the stack
# executable (see micropython.mk). -S: see micropython.mk (RISC-V ld before
# binutils 2.41 rejects the debug sections' relocations); -m elf32lriscv for
# riscv64-* multilib linkers.
set(RQ_OBJ ${CMAKE_BINARY_DIR}/adafruit_requests_rust/adafruit_requests_native.o)
# The memory routines stay global (weak) so the firmware's replace Rust's
# (micropython.mk says why, and why --unique below).
set(RQ_OBJCOPY_FLAGS "--wildcard --keep-global-symbol='rq_*' --keep-global-symbol=memcpy --keep-global-symbol=memmove --keep-global-symbol=memset --keep-global-symbol=memcmp --keep-global-symbol='__aeabi_mem*' --remove-section=.llvmbc --remove-section=.llvmcmd --remove-section=.llvm_addrsig --remove-section=.note.GNU-stack")
set(RQ_LD_EMULATION "")
if(RUST_TARGET MATCHES "^riscv32")
    set(RQ_LD_EMULATION "-m elf32lriscv")
endif()
# On ARM, Rust's calls to __aeabi_uidiv and kin go to the firmware's libgcc
# (micropython.mk says why): localized in a copy of the archive first.
set(RQ_PRELINK_LIB ${RQ_LIB})
set(RQ_LOCALIZE "")
if(RUST_TARGET MATCHES "^(thumb|arm)")
    string(APPEND RQ_OBJCOPY_FLAGS " --remove-section='.ARM.exidx*' --remove-section='.ARM.extab*'")
    set(RQ_PRELINK_LIB ${RQ_OBJ}.a)
    set(RQ_LOCALIZE "'${CMAKE_OBJCOPY}'")
    foreach(s __aeabi_uidiv __aeabi_uidivmod __aeabi_idiv __aeabi_idivmod __aeabi_uldivmod __aeabi_ldivmod __aeabi_lmul __aeabi_llsl __aeabi_llsr __aeabi_lasr)
        string(APPEND RQ_LOCALIZE " --localize-symbol=${s}")
    endforeach()
    string(APPEND RQ_LOCALIZE " '${RQ_LIB}' '${RQ_PRELINK_LIB}'")
endif()
set(RQ_PRELINK_SCRIPT ${CMAKE_BINARY_DIR}/adafruit_requests_rust/prelink.sh)
# Outputs are renamed into place last, so a failed step never leaves a file
# that looks up to date.
file(WRITE ${RQ_PRELINK_SCRIPT} "set -e
[ '${RQ_PRELINKED}' -nt '${RQ_LIB}' ] && exit 0
rm -f '${RQ_OBJ}' '${RQ_PRELINKED}.tmp'
${RQ_LOCALIZE}
'${CMAKE_LINKER}' -r -S -z noexecstack ${RQ_LD_EMULATION} --unique='.rodata.cst*' --unique='.rodata.str*' --whole-archive '${RQ_PRELINK_LIB}' --no-whole-archive -o '${RQ_OBJ}.tmp'
rm -f '${RQ_OBJ}.a'
'${CMAKE_OBJCOPY}' ${RQ_OBJCOPY_FLAGS} '${RQ_OBJ}.tmp'
mv '${RQ_OBJ}.tmp' '${RQ_OBJ}'
'${CMAKE_AR}' rcs '${RQ_PRELINKED}.tmp' '${RQ_OBJ}'
mv '${RQ_PRELINKED}.tmp' '${RQ_PRELINKED}'
")

# A custom target is always out of date, so cargo (which knows best whether
# the crate is stale) runs on every build. BYPRODUCTS tells Ninja where the
# archive comes from.
add_custom_target(adafruit_requests_cargo
    COMMAND ${RQ_CARGO_COMMAND}
    COMMAND sh ${RQ_PRELINK_SCRIPT}
    BYPRODUCTS ${RQ_LIB} ${RQ_PRELINKED}
    WORKING_DIRECTORY ${RQ_ROOT}
    COMMENT "cargo: adafruit_requests_native (${RUST_TARGET})"
    USES_TERMINAL
    VERBATIM)

add_library(adafruit_requests_native STATIC IMPORTED GLOBAL)
set_target_properties(adafruit_requests_native PROPERTIES IMPORTED_LOCATION ${RQ_PRELINKED})
add_dependencies(adafruit_requests_native adafruit_requests_cargo)

file(GLOB RQ_SOURCES CONFIGURE_DEPENDS ${RQ_MOD_DIR}/*.c)
# The module's own C at -Os whatever the port's level (see micropython.mk).
set_source_files_properties(${RQ_SOURCES} PROPERTIES COMPILE_OPTIONS "-Os")

add_library(usermod_adafruit_requests INTERFACE)
target_sources(usermod_adafruit_requests INTERFACE ${RQ_SOURCES})
target_include_directories(usermod_adafruit_requests INTERFACE ${RQ_MOD_DIR})
target_compile_definitions(usermod_adafruit_requests INTERFACE ${RQ_SWITCH_DEFS})
target_link_libraries(usermod_adafruit_requests INTERFACE adafruit_requests_native)
# Dependencies of interface libraries are followed by whatever links them;
# this orders cargo before the firmware's objects, not only before its link.
add_dependencies(usermod_adafruit_requests adafruit_requests_cargo)

target_link_libraries(usermod INTERFACE usermod_adafruit_requests)
