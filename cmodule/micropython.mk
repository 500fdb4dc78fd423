# adafruit_requests for MicroPython's make-based ports (unix, qemu, stm32, ...).
#
# MicroPython includes <USER_C_MODULES>/*/micropython.mk, so USER_C_MODULES
# must be the repository root (the parent of this directory).
#
# Knobs (make command line or environment):
#   RUST_TARGET          Rust target triple; empty = host (right for ports/unix)
#   CARGO                cargo executable
#   RQ_CARGO_FLAGS       extra arguments for cargo
#   RQ_CARGO_TARGET_DIR  cargo's --target-dir (default: $(BUILD)/cargo)

# USERMOD_DIR is reassigned for every module, so capture it now.
RQ_MOD_DIR := $(USERMOD_DIR)
RQ_ROOT := $(abspath $(RQ_MOD_DIR)/..)

RQ_SRC_C := $(wildcard $(RQ_MOD_DIR)/*.c)
SRC_USERMOD_C += $(RQ_SRC_C)
CFLAGS_USERMOD += -I$(RQ_MOD_DIR)

CARGO ?= cargo
RUST_TARGET ?=
RQ_CARGO_TARGET_DIR ?= $(abspath $(BUILD))/cargo
RQ_LIB := $(RQ_CARGO_TARGET_DIR)/$(if $(RUST_TARGET),$(RUST_TARGET)/)release/libadafruit_requests_native.a
RQ_NATIVE_O := $(BUILD)/rust/adafruit_requests_native.o

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

# Cargo knows best whether the crate is stale, so it runs on every build
# (a no-op takes well under a second); it leaves the archive's mtime alone
# when nothing changed, and then nothing downstream is redone.
#
# `cargo rustc --crate-type staticlib` rather than `cargo build`: with the
# manifest's two crate types (staticlib + rlib) rustc skips LTO.
$(RQ_LIB): FORCE
	$(ECHO) "CARGO $(notdir $@)$(if $(RUST_TARGET), ($(RUST_TARGET)))"
	$(Q)$(CARGO) rustc --lib --crate-type staticlib --release --features firmware \
		--manifest-path $(RQ_ROOT)/Cargo.toml \
		--target-dir $(RQ_CARGO_TARGET_DIR) \
		$(if $(RUST_TARGET),--target $(RUST_TARGET)) $(RQ_CARGO_FLAGS)

# Sections dropped on the way:
# - .llvmbc/.llvmcmd: bitcode embedded in the precompiled compiler_builtins;
#   the final link discards it anyway, but binutils' ar and nm hand any object
#   carrying it to an installed LLVM linker plugin (Debian's clang puts one in
#   /usr/lib/bfd-plugins), which aborts on bitcode from a newer LLVM.
# - .llvm_addrsig: indexes the symbol table, which objcopy rewrites.
# - .ARM.exidx/.ARM.extab (ARM): panic = "abort" never unwinds, and
#   bare-metal linker scripts may not place them.
RQ_OBJCOPY_FLAGS = --wildcard --keep-global-symbol='rq_*' \
	--remove-section=.llvmbc --remove-section=.llvmcmd --remove-section=.llvm_addrsig \
	$(if $(filter thumb% arm%,$(RUST_TARGET)),--remove-section='.ARM.exidx*' --remove-section='.ARM.extab*')

$(RQ_NATIVE_O): $(RQ_LIB)
	$(ECHO) "LD $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(LD) -r --whole-archive $< --no-whole-archive -o $@.tmp
	$(Q)$(OBJCOPY) $(RQ_OBJCOPY_FLAGS) $@.tmp
	$(Q)mv $@.tmp $@
