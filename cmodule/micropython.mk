# adafruit_requests for MicroPython's make-based ports (unix, qemu, stm32, ...).
#
# MicroPython includes <USER_C_MODULES>/*/micropython.mk, so USER_C_MODULES
# must be the repository root (the parent of this directory).
#
# Knobs (make command line or environment):
#   RUST_TARGET          Rust target triple; default: derived from the port's
#                        CFLAGS (see rq_guess_target), the host for unix
#   CARGO                cargo executable
#   RQ_CARGO_FLAGS       extra arguments for cargo
#   RQ_CARGO_TARGET_DIR  cargo's --target-dir (default: $(BUILD)/cargo)
#   RQ_KEEP_DEBUG        1 keeps the Rust object's line tables and unwind
#                        tables (host sanitizer builds: reports then show Rust
#                        frames); give cargo debug info yourself
#   RQ_ENABLE_MULTIPART, RQ_ENABLE_LEGACY_API, RQ_ENABLE_ITER_LINES,
#   RQ_ENABLE_JSON_SELECT, RQ_ENABLE_DEFLATE, RQ_ENABLE_ASYNC
#                        0 leaves that part out (cmodule/rq_config.h)
#
# The Rust std for the target must be installed (rustup target add <triple>).

# USERMOD_DIR is reassigned for every module, so capture it now.
RQ_MOD_DIR := $(USERMOD_DIR)
RQ_ROOT := $(abspath $(RQ_MOD_DIR)/..)

RQ_SRC_C := $(wildcard $(RQ_MOD_DIR)/*.c)
SRC_USERMOD_C += $(RQ_SRC_C)
CFLAGS_USERMOD += -I$(RQ_MOD_DIR)

# The module's own C at RQ_COPT (-Os) whatever the port's level: CircuitPython's
# board ports compile everything at -O3, which made this layer 27.0 KB instead
# of 19.7 KB on the Pico W for code that mostly waits on sockets. MicroPython
# names a user module's objects after their path under USER_C_MODULES;
# CircuitPython's older py.mk after the whole path: both are covered.
RQ_COPT ?= -Os
RQ_OBJ_C := $(patsubst $(USER_C_MODULES)/%.c,$(BUILD)/%.o,$(RQ_SRC_C)) \
	$(patsubst %.c,$(BUILD)/%.o,$(RQ_SRC_C))
$(RQ_OBJ_C): CFLAGS += $(RQ_COPT)

# Build-time switches (cmodule/rq_config.h): only those set on the command
# line reach the compiler; the Rust side gets the matching features.
RQ_SWITCHES := MULTIPART LEGACY_API ITER_LINES JSON_SELECT DEFLATE ASYNC
CFLAGS_USERMOD += $(foreach s,$(RQ_SWITCHES),$(if $(RQ_ENABLE_$(s)),-DRQ_ENABLE_$(s)=$(RQ_ENABLE_$(s))))
rq_comma := ,
RQ_FEATURES := firmware$(if $(filter 0,$(RQ_ENABLE_MULTIPART)),,$(rq_comma)multipart)

CARGO ?= cargo
RUST_TARGET ?=
RQ_CARGO_TARGET_DIR ?= $(abspath $(BUILD))/cargo
RQ_NATIVE_O := $(BUILD)/rust/adafruit_requests_native.o

# The Rust triple for the C compiler's CPU and float ABI. Everything below is
# expanded only when the recipe runs: some ports (stm32) add their -mcpu
# flags after including py.mk, i.e. after this file is read. The float ABI
# must match, or the linker refuses to mix the objects; a port passing
# -mfloat-abi=softfp (FPU code, soft-float calls) needs the plain eabi triple.
rq_cpu = $(firstword $(subst +, ,$(patsubst -mcpu=%,%,$(lastword $(filter -mcpu=%,$(CFLAGS))))))
rq_march = $(patsubst -march=%,%,$(lastword $(filter -march=%,$(CFLAGS))))
rq_hf = $(if $(filter -mfloat-abi=hard,$(CFLAGS)),hf)
rq_guess_target = $(strip \
	$(if $(filter cortex-m0 cortex-m0plus cortex-m1,$(rq_cpu)),thumbv6m-none-eabi,\
	$(if $(filter cortex-m3,$(rq_cpu)),thumbv7m-none-eabi,\
	$(if $(filter cortex-m4 cortex-m7,$(rq_cpu)),thumbv7em-none-eabi$(rq_hf),\
	$(if $(filter cortex-m23,$(rq_cpu)),thumbv8m.base-none-eabi,\
	$(if $(filter cortex-m33 cortex-m35p cortex-m55,$(rq_cpu)),thumbv8m.main-none-eabi$(rq_hf),\
	$(if $(filter rv32imafc%,$(rq_march)),riscv32imafc-unknown-none-elf,\
	$(if $(filter rv32imac%,$(rq_march)),riscv32imac-unknown-none-elf,\
	$(if $(filter rv32imc%,$(rq_march)),riscv32imc-unknown-none-elf,\
	$(if $(findstring xtensa,$(CROSS_COMPILE)$(CC)),$(error adafruit_requests: Xtensa ($(CC)) is not a target of upstream Rust; \
		build with Espressif's Rust toolchain (espup) and pass RUST_TARGET=<its xtensa triple>),\
	$(if $(CROSS_COMPILE),$(error adafruit_requests: cannot tell the Rust target for CROSS_COMPILE=$(CROSS_COMPILE) \
		(CPU '$(rq_cpu)', arch '$(rq_march)'); pass RUST_TARGET=<triple>),)))))))))))
RQ_TARGET = $(or $(RUST_TARGET),$(rq_guess_target))
# RISC-V toolchains are often riscv64-* multilib ones, whose ld assumes 64-bit.
RQ_LD_EMULATION = $(if $(filter riscv32%,$(RQ_TARGET)),-m elf32lriscv)
RQ_LIB = $(RQ_CARGO_TARGET_DIR)/$(if $(RQ_TARGET),$(RQ_TARGET)/)release/libadafruit_requests_native.a

# The Rust side enters the firmware as one relocatable object, not as the
# archive cargo writes. The archive also carries Rust's compiler_builtins,
# whose global fmod/floor/sqrt/__udivti3/... sit on the link line before libm
# and libgcc and so silently replace them for MicroPython's own C code (and
# for the linker, an archive placed before the objects, as the qemu and stm32
# ports place LDFLAGS, contributes nothing). Prelinking the whole archive and
# keeping only rq_* global fixes both: the object is always linked, wherever
# it sits, and exports nothing else; --gc-sections drops what Rust does not use.
#
# Listing it in PY_O (py.mk appends to it right after including this file)
# makes it part of $(OBJ) on every make port, so the firmware relinks when it
# changes.
PY_O += $(RQ_NATIVE_O)

# Sections dropped on the way:
# - .llvmbc/.llvmcmd: bitcode embedded in the precompiled compiler_builtins;
#   the final link discards it anyway, but binutils' ar and nm hand any object
#   carrying it to an installed LLVM linker plugin (Debian's clang puts one in
#   /usr/lib/bfd-plugins), which aborts on bitcode from a newer LLVM.
# - .llvm_addrsig: indexes the symbol table, which objcopy rewrites.
# - .eh_frame: unwind tables; panic = "abort" never unwinds, and on the
#   unix port they would add about a third to the module's size.
# - .ARM.exidx/.ARM.extab (ARM): the same, and bare-metal linker scripts may
#   not place them.
# - .note.GNU-stack, on bare-metal targets only: the note -z noexecstack
#   (below) adds for the partial link. Where no other object carries one
#   (newlib's crti/crtn do not), its presence makes the linker warn "crtn.o:
#   missing .note.GNU-stack section implies executable stack" and give the
#   ELF a GNU_STACK RWE header the firmware without the module lacks. The
#   unix port's objects all carry it, so there it stays.
#
# On bare-metal targets the memory routines stay global: compiler_builtins
# defines them weak, so the firmware's own memcpy/memmove/memset/memcmp (and
# an SDK's __aeabi_mem* where it has them, e.g. pico-sdk's ROM-backed ones)
# replace them and Rust uses the copy the C code uses. Where the firmware
# has none, Rust's serve both: one copy either way. cmodule/shims_mem.c
# forwards the __aeabi_mem* names to the C library's (2.6 KB on Cortex-M0
# with this).
RQ_MEM_SYMBOLS := memcpy memmove memset memcmp '__aeabi_mem*'
# On ARM the integer helpers Rust calls (__aeabi_uidiv and kin; Cortex-M0
# has no divide instruction) come from the firmware's libgcc, which its C
# code links anyway. compiler_builtins defines them too, and the prelink
# would bind Rust's calls to those: made local in a copy of the archive
# first, they leave Rust's calls undefined for the firmware's link, and the
# copies are dropped (0.5 KB on Cortex-M0).
RQ_ARM_HELPERS := __aeabi_uidiv __aeabi_uidivmod __aeabi_idiv __aeabi_idivmod \
	__aeabi_uldivmod __aeabi_ldivmod __aeabi_lmul __aeabi_llsl __aeabi_llsr __aeabi_lasr
# --unique: every mergeable constant and string section stays a section of
# its own in the prelinked object. Merged, Rust's few used constants would
# keep the whole merged section alive in the firmware's link, with
# compiler_builtins' unused ones (float constants, panic file names: 0.2-1
# KB); apart, --gc-sections drops what nothing uses.
RQ_LD_UNIQUE := --unique='.rodata.cst*' --unique='.rodata.str*'
RQ_PRELINK_LIB = $(if $(filter thumb% arm%,$(RQ_TARGET)),$@.a,$(RQ_LIB))
RQ_OBJCOPY_FLAGS = --wildcard --keep-global-symbol='rq_*' \
	$(if $(filter %-none-eabi %-none-eabihf %-none-elf,$(RQ_TARGET)),$(foreach s,$(RQ_MEM_SYMBOLS),--keep-global-symbol=$(s))) \
	--remove-section=.llvmbc --remove-section=.llvmcmd --remove-section=.llvm_addrsig \
	$(if $(filter %-none-eabi %-none-eabihf %-none-elf,$(RQ_TARGET)),--remove-section=.note.GNU-stack) \
	$(if $(RQ_KEEP_DEBUG),,--remove-section=.eh_frame --remove-section=.rela.eh_frame) \
	$(if $(filter thumb% arm%,$(RQ_TARGET)),--remove-section='.ARM.exidx*' --remove-section='.ARM.extab*')

# Cargo knows best whether the crate is stale, so it runs on every build (a
# no-op takes well under a second); it leaves the archive's mtime alone when
# nothing changed, and the object is then kept as is, so nothing downstream is
# redone. One rule for both steps because the archive's path depends on the
# triple, which is known only once the port's CFLAGS are complete.
#
# `cargo rustc --crate-type staticlib` rather than `cargo build`: with the
# manifest's two crate types (staticlib + rlib) rustc skips LTO.
# -z noexecstack: compiler_builtins' assembly objects carry no .note.GNU-stack.
# -S drops debug sections before their relocations are read: the prebuilt
# compiler_builtins carries DWARF 5 with ULEB128 relocations that RISC-V GNU ld
# before binutils 2.41 rejects ("unsupported relocation type 0x3c"), and the
# firmware has no use for them.
$(RQ_NATIVE_O): FORCE
	$(ECHO) "CARGO adafruit_requests_native$(if $(RQ_TARGET), ($(RQ_TARGET)))"
	$(Q)$(CARGO) rustc --lib --crate-type staticlib --release --features $(RQ_FEATURES) \
		--manifest-path $(RQ_ROOT)/Cargo.toml \
		--target-dir $(RQ_CARGO_TARGET_DIR) \
		$(if $(RQ_TARGET),--target $(RQ_TARGET)) $(RQ_CARGO_FLAGS)
	$(Q)if [ ! -e $@ ] || [ $(RQ_LIB) -nt $@ ]; then \
		echo "LD $@"; \
		mkdir -p $(@D) && \
		$(if $(filter thumb% arm%,$(RQ_TARGET)),$(OBJCOPY) $(foreach s,$(RQ_ARM_HELPERS),--localize-symbol=$(s)) $(RQ_LIB) $(RQ_PRELINK_LIB) &&) \
		$(LD) -r $(if $(RQ_KEEP_DEBUG),,-S) -z noexecstack $(RQ_LD_EMULATION) $(RQ_LD_UNIQUE) --whole-archive $(RQ_PRELINK_LIB) --no-whole-archive -o $@.tmp && \
		$(if $(filter thumb% arm%,$(RQ_TARGET)),rm -f $(RQ_PRELINK_LIB) &&) \
		$(OBJCOPY) $(RQ_OBJCOPY_FLAGS) $@.tmp && \
		mv $@.tmp $@; \
	fi
