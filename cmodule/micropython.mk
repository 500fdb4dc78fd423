# adafruit_requests for MicroPython's make-based ports (unix, qemu, stm32, ...).
#
# MicroPython includes <USER_C_MODULES>/*/micropython.mk, so USER_C_MODULES
# must be the repository root (the parent of this directory).
#
# Knobs (make command line or environment):
#   RUST_TARGET     Rust target triple; empty = host (right for ports/unix)
#   CARGO           cargo executable
#   RQ_CARGO_FLAGS  extra arguments for `cargo build`
#   RQ_CARGO_TARGET_DIR  cargo's --target-dir (default: $(BUILD)/cargo)

# USERMOD_DIR is reassigned for every module, so capture it now.
RQ_MOD_DIR := $(USERMOD_DIR)
RQ_ROOT := $(abspath $(RQ_MOD_DIR)/..)

RQ_SRC_C := $(wildcard $(RQ_MOD_DIR)/*.c)
SRC_USERMOD_C += $(RQ_SRC_C)
CFLAGS_USERMOD += -I$(RQ_MOD_DIR)

CARGO ?= cargo
RUST_TARGET ?=
RQ_READELF ?= $(CROSS_COMPILE)readelf
RQ_OBJDUMP ?= $(CROSS_COMPILE)objdump
RQ_CARGO_TARGET_DIR ?= $(abspath $(BUILD))/cargo
RQ_LIB := $(RQ_CARGO_TARGET_DIR)/$(if $(RUST_TARGET),$(RUST_TARGET)/)release/libadafruit_requests_native.a
# Written next to the archive after each cargo run; see the recipe below.
RQ_LINK_ARGS := $(RQ_LIB:.a=.link-args)

# gcc expands @file when the link runs, i.e. after cargo has produced the
# archive; its contents are listed below.
LDFLAGS_USERMOD += @$(RQ_LINK_ARGS)

# Cargo knows best whether the crate is stale, so it runs on every build
# (a no-op build takes well under a second); it leaves the archive's mtime
# alone when nothing changed.
#
# `cargo rustc --crate-type staticlib` rather than `cargo build`: with the
# manifest's two crate types (staticlib + rlib) rustc skips LTO, and the
# archive then carries whole unoptimised objects of every dependency.
#
# Link arguments (readelf, not nm: binutils' nm tries the LLVM linker plugin
# on Rust objects and then lists nothing): some ports (qemu, stm32) put LDFLAGS *before* the objects,
# where the linker would pull nothing from an archive. Naming every exported
# rq_* function with --undefined makes the archive's position irrelevant.
#
# panic = "abort" never unwinds, yet Rust objects for ARM keep
# .ARM.exidx/.ARM.extab sections that bare-metal linker scripts may not
# place; they are dropped from the archive.
$(RQ_LIB): FORCE
	$(ECHO) "CARGO $(notdir $@)$(if $(RUST_TARGET), ($(RUST_TARGET)))"
	$(Q)$(CARGO) rustc --lib --crate-type staticlib --release --features firmware \
		--manifest-path $(RQ_ROOT)/Cargo.toml \
		--target-dir $(RQ_CARGO_TARGET_DIR) \
		$(if $(RUST_TARGET),--target $(RUST_TARGET)) $(RQ_CARGO_FLAGS)
ifneq ($(filter thumb% arm%,$(RUST_TARGET)),)
	$(Q)if $(RQ_OBJDUMP) -h $@ | grep -q '\.ARM\.ex'; then \
		$(OBJCOPY) --remove-section='.ARM.exidx*' --remove-section='.ARM.extab*' $@; fi
endif
	$(Q){ $(RQ_READELF) -Ws $@ \
		| awk '$$4 == "FUNC" && $$5 == "GLOBAL" && $$7 != "UND" && $$8 ~ /^rq_/ { print "-Wl,--undefined=" $$8 }' \
		| sort -u; \
		echo "$@"; } > $(RQ_LINK_ARGS).tmp
	$(Q)cmp -s $(RQ_LINK_ARGS).tmp $(RQ_LINK_ARGS) || mv $(RQ_LINK_ARGS).tmp $(RQ_LINK_ARGS)
	$(Q)rm -f $(RQ_LINK_ARGS).tmp

# The archive (and its link-args file) must be fresh before the firmware
# links. The link target's name differs between ports; ordering our C objects
# after cargo covers the ones not named here.
RQ_OBJ := $(addprefix $(BUILD)/,$(patsubst $(USER_C_MODULES)/%.c,%.o,$(RQ_SRC_C)))
$(RQ_OBJ): | $(RQ_LIB)
ifneq ($(PROG),)
$(BUILD)/$(PROG): $(RQ_LIB)
else
$(BUILD)/firmware.elf: $(RQ_LIB)
endif
