# adafruit_requests as a dynamic native module (.mpy): the same Rust engine
# and glue and the same C layer (cmodule/*.c) as the built-in module, with
# natmod/ as the front end instead of mod_adafruit_requests.c. Invoked by the
# top-level `make natmod ARCH=...`.
#
# Variables: ARCH (x64, armv6m, armv7m, armv7emsp, rv32imc), MPY_DIR (MicroPython
# tree), ROOT (this repository), BUILD (output folder), PYTHON, CARGO.

ARCH ?= x64
MPY_DIR ?= $(ROOT)/deps/micropython
# SLIM=1: every RQ_ENABLE_* switch off (cmodule/rq_config.h), for boards
# where the code's RAM is tight; written to build/natmod/ARCH-slim.
SLIM ?=
BUILD ?= $(ROOT)/build/natmod/$(ARCH)$(if $(SLIM),-slim)
PYTHON ?= python3
CARGO ?= cargo
# mpy_ld.py needs pyelftools; python_tests/requirements.txt installs it.
MPY_LD = $(PYTHON) $(BUILD)/mpy_ld.py

NATMOD_DIR := $(ROOT)/cmodule/natmod
OUT := $(BUILD)/adafruit_requests.mpy

# The front end replaces mod_adafruit_requests.c; AsyncSession is left out
# (README, "Stock firmware": it needs the VM's stop_iteration_arg).
SRC_C := $(filter-out %/mod_adafruit_requests.c,$(wildcard $(ROOT)/cmodule/*.c)) \
	$(wildcard $(NATMOD_DIR)/*.c)
# The firmware's own dict/map, str-builder and UTF-8 code, compiled in: the
# natmod cannot call the firmware's copies.
SRC_MPY_C := $(MPY_DIR)/py/map.c $(MPY_DIR)/py/vstr.c $(MPY_DIR)/py/unicode.c
NATMOD_SWITCHES := RQ_ENABLE_ASYNC=0 $(if $(SLIM),RQ_ENABLE_MULTIPART=0 RQ_ENABLE_LEGACY_API=0 \
	RQ_ENABLE_ITER_LINES=0 RQ_ENABLE_JSON_SELECT=0 RQ_ENABLE_DEFLATE=0)
comma := ,
RUST_FEATURES := firmware$(if $(SLIM),,$(comma)multipart)

ifeq ($(ARCH),x64)
CROSS =
CFLAGS_ARCH = -fno-stack-protector
RUST_TARGET = x86_64-unknown-linux-gnu
else ifeq ($(ARCH),armv6m)
CROSS = arm-none-eabi-
CFLAGS_ARCH = -mthumb -mcpu=cortex-m0
RUST_TARGET = thumbv6m-none-eabi
else ifeq ($(ARCH),armv7m)
CROSS = arm-none-eabi-
CFLAGS_ARCH = -mthumb -mcpu=cortex-m3
RUST_TARGET = thumbv7m-none-eabi
else ifeq ($(ARCH),armv7emsp)
# Cortex-M4F/M7 with a single-precision FPU (hard-float ABI, as the firmware).
CROSS = arm-none-eabi-
CFLAGS_ARCH = -mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard
RUST_TARGET = thumbv7em-none-eabihf
else ifeq ($(ARCH),rv32imc)
# ESP32-C3/C6. No linker relaxation: mpy_ld places the code itself. The
# compiler's picolibc supplies the C headers (no library is linked).
CROSS = riscv64-unknown-elf-
CFLAGS_ARCH = -march=rv32imc -mabi=ilp32 -mno-relax \
	$(if $(filter-out picolibc.specs,$(PICOLIBC_SPECS)),-specs=$(PICOLIBC_SPECS))
PICOLIBC_SPECS := $(shell $(CROSS)gcc --print-file-name=picolibc.specs)
RUST_TARGET = riscv32imc-unknown-none-elf
RUSTFLAGS_ARCH = -C target-feature=-relax
# The toolchain's ld defaults to 64-bit output.
LDFLAGS_ARCH = -m elf32lriscv
else
$(error natmod: ARCH=$(ARCH) is not built here (x64, armv6m, armv7m, armv7emsp, rv32imc))
endif

# gcc's helpers (Thumb-1 switch tables); Rust's compiler_builtins comes first.
LIBGCC = $(if $(CROSS),$(shell $(CROSS)gcc $(CFLAGS_ARCH) -print-libgcc-file-name))

CONFIG_H := $(BUILD)/rq_natmod_config.h
# Floats in double on every ARCH (soft on ARM): they reach the firmware only
# through memory (rq_natmod.h), so its float ABI and precision do not matter.
CFLAGS := -I$(ROOT)/cmodule -I$(NATMOD_DIR) -I$(MPY_DIR) -I$(BUILD) -std=gnu99 -Os -Wall -Werror \
	-Wno-unused-function -DNDEBUG -DNO_QSTR -DMICROPY_ENABLE_DYNRUNTIME \
	-DMP_CONFIGFILE='<rq_natmod_config.h>' -fpic -fno-common -U_FORTIFY_SOURCE \
	-fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections \
	-fno-tree-loop-distribute-patterns \
	-DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_DOUBLE -DMICROPY_USE_INTERNAL_ERRNO=1 \
	-DMICROPY_PY_BUILTINS_STR_UNICODE=1 -DMICROPY_PY_BUILTINS_STR_UNICODE_CHECK=1 \
	$(addprefix -D,$(NATMOD_SWITCHES)) $(CFLAGS_ARCH) \
	-include $(NATMOD_DIR)/rq_natmod.h

OBJ := $(addprefix $(BUILD)/c/,$(notdir $(SRC_C:.c=.o))) $(addprefix $(BUILD)/mpy/,$(notdir $(SRC_MPY_C:.c=.o)))
# One cargo folder for every ARCH (the build script and its host crates are
# built once), one per feature set (SLIM) so that the libraries do not swap.
CARGO_DIR := $(ROOT)/build/natmod/cargo$(if $(SLIM),-slim)
RUST_LIB := $(CARGO_DIR)/$(RUST_TARGET)/release/libadafruit_requests_native.a

.PHONY: all FORCE
all: $(OUT) $(BUILD)/package.json

# What mip installs from the folder the .mpy is published in:
# mip.install("<that folder's URL>/package.json") (relative URLs).
$(BUILD)/package.json: $(NATMOD_DIR)/natmod.mk
	@printf '{\n  "urls": [["adafruit_requests.mpy", "adafruit_requests.mpy"]],\n  "deps": [],\n  "version": "4.1.17"\n}\n' > $@

$(BUILD)/mpy_ld.py: $(MPY_DIR)/tools/mpy_ld.py $(ROOT)/scripts/natmod_mpy_ld.py
	@mkdir -p $(@D)
	$(PYTHON) $(ROOT)/scripts/natmod_mpy_ld.py $(MPY_DIR)/tools $< $@

$(CONFIG_H): $(SRC_C) $(SRC_MPY_C) $(NATMOD_DIR)/rq_natmod.h $(ROOT)/scripts/natmod_config.py $(BUILD)/mpy_ld.py
	@mkdir -p $(@D)
	$(PYTHON) $(ROOT)/scripts/natmod_config.py $(BUILD)/mpy_ld.py $@ $(SRC_C) $(NATMOD_DIR)/rq_natmod.h

$(BUILD)/c/%.o: $(ROOT)/cmodule/%.c $(CONFIG_H) $(wildcard $(ROOT)/cmodule/*.h) $(NATMOD_DIR)/rq_natmod.h
	@mkdir -p $(@D)
	@echo "CC $(notdir $<)"
	@$(CROSS)gcc $(CFLAGS) -c $< -o $@

$(BUILD)/c/%.o: $(NATMOD_DIR)/%.c $(CONFIG_H) $(wildcard $(ROOT)/cmodule/*.h) $(NATMOD_DIR)/rq_natmod.h
	@mkdir -p $(@D)
	@echo "CC $(notdir $<)"
	@$(CROSS)gcc $(CFLAGS) -c $< -o $@

$(BUILD)/mpy/%.o: $(MPY_DIR)/py/%.c $(CONFIG_H) $(NATMOD_DIR)/rq_natmod.h
	@mkdir -p $(@D)
	@echo "CC $(notdir $<) (MicroPython)"
	@$(CROSS)gcc $(CFLAGS) -Wno-error -c $< -o $@

# Position-independent Rust (the natmod is loaded anywhere), dependencies too.
$(RUST_LIB): FORCE
	RUSTFLAGS="-C relocation-model=pic $(RUSTFLAGS_ARCH)" $(CARGO) rustc --lib --crate-type staticlib --release \
		--features $(RUST_FEATURES) --manifest-path $(ROOT)/Cargo.toml \
		--target-dir $(CARGO_DIR) --target $(RUST_TARGET)

# One relocatable object: the C objects, what they use of the Rust archive,
# unused sections dropped, the type entries kept together (rqfix.ld).
$(BUILD)/natmod.o: $(OBJ) $(RUST_LIB) $(NATMOD_DIR)/rqfix.ld $(NATMOD_DIR)/natmod.mk
	$(CROSS)ld $(LDFLAGS_ARCH) -r -z noexecstack --gc-sections -u mpy_init -e mpy_init -T $(NATMOD_DIR)/rqfix.ld \
		$(OBJ) $(RUST_LIB) $(LIBGCC) -o $@

$(OUT): $(BUILD)/natmod.o $(CONFIG_H)
	$(MPY_LD) --arch $(ARCH) --qstrs $(CONFIG_H) -o $@ $<
	@echo "$@: $$(stat -c %s $@) bytes ($(ARCH))"
