# Build, test and demo entry points. See `make help`.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# A MicroPython 1.25 source tree; `make deps` fetches one from Debian unless
# the user points this at their own checkout.
MICROPY_DIR ?= $(ROOT)/deps/micropython
# The venv `make deps` fills; python3 when a user installed the packages elsewhere.
VENV_PYTHON := $(ROOT)/deps/venv/bin/python
PYTHON ?= $(if $(wildcard $(VENV_PYTHON)),$(VENV_PYTHON),python3)
CARGO ?= cargo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

BUILD_DIR := $(ROOT)/build
FIRMWARE := $(BUILD_DIR)/micropython
FIRMWARE_PLAIN := $(BUILD_DIR)/micropython-plain
FIRMWARE_MINIMAL := $(BUILD_DIR)/micropython-minimal
# Every build-time switch off (cmodule/rq_config.h).
RQ_ALL_OFF := RQ_ENABLE_MULTIPART=0 RQ_ENABLE_LEGACY_API=0 RQ_ENABLE_ITER_LINES=0 \
	RQ_ENABLE_JSON_SELECT=0 RQ_ENABLE_DEFLATE=0 RQ_ENABLE_ASYNC=0

MPY_CROSS := $(BUILD_DIR)/mpy-cross/mpy-cross

# MicroPython names its version after `git describe` of its tree; our own tree
# (deps/micropython, a tarball) would otherwise borrow this repository's
# commit. A tree that is a git checkout itself still finds its own .git.
MPY_ENV = GIT_CEILING_DIRECTORIES=$(abspath $(MICROPY_DIR)/..)

# Both firmwares share the variant so that `make size` compares only the module.
# mpy-cross is built beforehand: left to the port, it would inherit our BUILD=
# and land where the port then fails to find it.
UNIX_MAKE = $(MPY_ENV) $(MAKE) -C $(MICROPY_DIR)/ports/unix -j$(JOBS) \
	VARIANT_DIR=$(ROOT)/ports/unix MICROPY_PY_BTREE=0 MICROPY_MPYCROSS=$(MPY_CROSS)

export MICROPY_DIR

.PHONY: help deps mpy-cross firmware firmware-plain firmware-minimal size test lint fuzz bench bench-quick run clean distclean
.PHONY: natmod test-natmod qemu-natmod-plain test-qemu-natmod
.PHONY: deps-cross cross qemu qemu-plain test-qemu rp2 rp2-module test-pico
.PHONY: firmware-circuitpython cflags-circuitpython test-circuitpython

help:
	@echo "make deps            Debian packages, MicroPython + Mbed TLS sources, Python test packages"
	@echo "make firmware        unix MicroPython with adafruit_requests -> build/micropython"
	@echo "make firmware-plain  same firmware without the module -> build/micropython-plain"
	@echo "make firmware-minimal  the module with every build switch off -> build/micropython-minimal"
	@echo "make size            size(1) of both firmwares"
	@echo "make test            clippy, cargo test, then pytest python_tests against build/micropython"
	@echo "make lint            clippy with the crate's no-panic lints"
	@echo "make fuzz            every fuzz target for FUZZ_SECONDS (default 60)"
	@echo "make bench           native vs reference vs bare socket -> bench/results.json, bench/chart.svg"
	@echo "make run             the demo, big JSON in 32 KiB, gzip and AsyncSession examples against a local server"
	@echo "make natmod ARCH=x64|armv6m|armv7m  the module as a dynamic native module for stock"
	@echo "                     firmware -> build/natmod/ARCH/adafruit_requests.mpy + package.json (mip)"
	@echo "make test-natmod     pytest python_tests against the x64 natmod on build/micropython-plain"
	@echo "make deps-cross      ARM toolchain, qemu, Rust targets and llvm-tools for the cross builds"
	@echo "make cross           Rust library for 4 MCU targets, code size per target; flash per build switch"
	@echo "make qemu            emulated-board firmwares: MPS2 AN385 (Cortex-M3) -> build/qemu/,"
	@echo "                     micro:bit (Cortex-M0) -> build/qemu-microbit/,"
	@echo "                     RISC-V virt (rv32imac) -> build/qemu-rv32/"
	@echo "make test-qemu       python_tests/qemu on all three under QEMU"
	@echo "make rp2             Raspberry Pi Pico firmware with and without the module, flash sizes"
	@echo "make test-pico       python_tests/qemu on the Pico UF2 under the rp2040js emulator"
	@echo "make firmware-circuitpython  CircuitPython's unix port with the module -> build/circuitpython"
	@echo "make cflags-circuitpython    cmodule/*.c with CircuitPython's board-port warning flags"
	@echo "make test-circuitpython      both, then pytest python_tests against build/circuitpython"
	@echo "Variables: MICROPY_DIR=<tree>  RUST_TARGET=<triple>  JOBS=<n>  PYTHON=<python3>"
	@echo "           CIRCUITPY_DIR=<CircuitPython tree>  CIRCUITPY_GIT=<clone to unpack>"

deps:
	$(ROOT)/scripts/deps.sh all

# Only the source tree, so `make firmware` works for users who installed the
# system packages themselves.
$(MICROPY_DIR)/py/py.mk:
	$(ROOT)/scripts/deps.sh micropython

mpy-cross: $(MICROPY_DIR)/py/py.mk
	$(MPY_ENV) $(MAKE) -C $(MICROPY_DIR)/mpy-cross -j$(JOBS) BUILD=$(BUILD_DIR)/mpy-cross

# The sub-make decides what is stale (cargo included), so these always run it.
firmware: mpy-cross
	$(UNIX_MAKE) BUILD=$(BUILD_DIR)/unix USER_C_MODULES=$(ROOT)
	@mkdir -p $(BUILD_DIR)
	cp $(BUILD_DIR)/unix/micropython $(FIRMWARE).tmp && mv -f $(FIRMWARE).tmp $(FIRMWARE)

firmware-plain: mpy-cross
	$(UNIX_MAKE) BUILD=$(BUILD_DIR)/unix-plain USER_C_MODULES=
	@mkdir -p $(BUILD_DIR)
	cp $(BUILD_DIR)/unix-plain/micropython $(FIRMWARE_PLAIN).tmp && mv -f $(FIRMWARE_PLAIN).tmp $(FIRMWARE_PLAIN)

# The unix firmware with every switch off: python_tests/test_build_switches.py
# checks what is left out says so.
firmware-minimal: mpy-cross
	$(UNIX_MAKE) BUILD=$(BUILD_DIR)/unix-minimal USER_C_MODULES=$(ROOT) $(RQ_ALL_OFF)
	@mkdir -p $(BUILD_DIR)
	cp $(BUILD_DIR)/unix-minimal/micropython $(FIRMWARE_MINIMAL).tmp && mv -f $(FIRMWARE_MINIMAL).tmp $(FIRMWARE_MINIMAL)

size: firmware firmware-plain
	@echo
	@size $(FIRMWARE_PLAIN) $(FIRMWARE)
	@size $(FIRMWARE_PLAIN) $(FIRMWARE) | awk 'NR == 2 { t = $$1; d = $$2; b = $$3 } \
		NR == 3 { printf "adafruit_requests adds: text %+d, data %+d, bss %+d bytes\n", $$1 - t, $$2 - d, $$3 - b }'

# --lib: the doctest/integration builds compile the crate as a staticlib
# without the `firmware` feature, which has no panic handler and cannot link.
test: deps firmware firmware-minimal lint
	cd $(ROOT) && $(CARGO) test
	cd $(ROOT) && $(PYTHON) -m pytest python_tests -q

# The crate denies unwrap/expect/panic!/indexing/overflow (src/lib.rs); the
# firmware build also checks the glue, which needs bindgen.
lint:
	cd $(ROOT) && $(CARGO) fmt --check
	cd $(ROOT) && $(CARGO) clippy --release --features firmware,multipart -- -D warnings
	cd $(ROOT) && $(CARGO) clippy --release --features firmware -- -D warnings
	cd $(ROOT) && $(CARGO) clippy --all-targets -- -D warnings

# Each fuzz target for FUZZ_SECONDS (stable Rust via RUSTC_BOOTSTRAP).
FUZZ_SECONDS ?= 60
fuzz:
	$(ROOT)/fuzz/run.sh $(FUZZ_SECONDS)

# Native vs reference vs a bare socket loop; writes bench/results.json,
# the table in bench/README.md and bench/chart.svg.
bench: deps firmware firmware-plain
	cd $(ROOT) && $(PYTHON) bench/run.py
	cd $(ROOT) && $(PYTHON) bench/json_select.py
	cd $(ROOT) && $(PYTHON) bench/async.py

bench-quick: deps firmware firmware-plain
	cd $(ROOT) && $(PYTHON) bench/run.py --quick

run: deps firmware
	cd $(ROOT) && $(PYTHON) scripts/run_demo.py

clean:
	rm -rf $(BUILD_DIR)

distclean: clean
	rm -rf $(ROOT)/deps $(ROOT)/target

# ---- the module as a dynamic native module (.mpy) for stock firmware ----

# build/natmod/$(ARCH)/adafruit_requests.mpy from the same Rust and C
# (cmodule/natmod/natmod.mk). ARCH: x64, armv6m, armv7m. SLIM=1: every
# RQ_ENABLE_* switch off -> build/natmod/ARCH-slim/.
ARCH ?= x64
NATMOD_MPY = $(BUILD_DIR)/natmod/$(ARCH)/adafruit_requests.mpy
natmod:
	$(MAKE) -f $(ROOT)/cmodule/natmod/natmod.mk ROOT=$(ROOT) MPY_DIR=$(MICROPY_DIR) \
		ARCH=$(ARCH) SLIM=$(SLIM) PYTHON="$(NATMOD_PYTHON)" CARGO=$(CARGO)

# mpy_ld.py needs pyelftools: the venv's (python_tests/requirements.txt).
NATMOD_PYTHON = $(PYTHON)

# The suite against the x64 natmod imported by stock MicroPython
# (build/micropython-plain); what the natmod lacks skips with the reason
# (python_tests/firmware_caps.py, NATMOD_LACKS). The soak test is left out
# as for CircuitPython (its slack is the built-in module's).
test-natmod: firmware-plain
	$(MAKE) -C $(ROOT) natmod ARCH=x64
	cd $(ROOT) && RQ_NATMOD=$(BUILD_DIR)/natmod/x64/adafruit_requests.mpy MICROPYTHON=$(FIRMWARE_PLAIN) \
		$(PYTHON) -m pytest python_tests -q -rs --ignore=python_tests/test_soak.py

# ---- cross builds: MCU targets, an emulated ARM board, the Raspberry Pi Pico ----

deps-cross:
	$(ROOT)/scripts/deps.sh cross

cross:
	$(PYTHON) $(ROOT)/scripts/cross_size.py
	$(PYTHON) $(ROOT)/scripts/switch_sizes.py

# MicroPython's qemu port with the board directories in ports/qemu: MPS2 AN385
# (Cortex-M3), micro:bit (nRF51, Cortex-M0) and RISC-V virt (rv32imac);
# micropython.mk derives thumbv7m-none-eabi, thumbv6m-none-eabi and
# riscv32imac-unknown-none-elf from their -mcpu/-march. No frozen modules:
# the port's manifest needs micropython-lib.
QEMU_FIRMWARE := $(BUILD_DIR)/qemu/firmware.elf
QEMU_M0_FIRMWARE := $(BUILD_DIR)/qemu-microbit/firmware.elf
QEMU_RV32_FIRMWARE := $(BUILD_DIR)/qemu-rv32/firmware.elf
QEMU_MAKE = $(MPY_ENV) $(MAKE) -C $(MICROPY_DIR)/ports/qemu -j$(JOBS) FROZEN_MANIFEST=

qemu: $(MICROPY_DIR)/py/py.mk
	$(QEMU_MAKE) BOARD=MPS2_AN385 BOARD_DIR=$(ROOT)/ports/qemu/MPS2_AN385 BUILD=$(BUILD_DIR)/qemu USER_C_MODULES=$(ROOT)
	$(QEMU_MAKE) BOARD=MICROBIT BOARD_DIR=$(ROOT)/ports/qemu/MICROBIT BUILD=$(BUILD_DIR)/qemu-microbit USER_C_MODULES=$(ROOT)
	$(QEMU_MAKE) BOARD=VIRT_RV32 BOARD_DIR=$(ROOT)/ports/qemu/VIRT_RV32 BUILD=$(BUILD_DIR)/qemu-rv32 USER_C_MODULES=$(ROOT)

qemu-plain: $(MICROPY_DIR)/py/py.mk
	$(QEMU_MAKE) BOARD=MPS2_AN385 BOARD_DIR=$(ROOT)/ports/qemu/MPS2_AN385 BUILD=$(BUILD_DIR)/qemu-plain USER_C_MODULES=

# Stock MPS2 AN385 firmware with room for a natmod: its code is loaded into
# the GC heap on bare-metal ports (the board has 4 MiB of RAM).
qemu-natmod-plain: $(MICROPY_DIR)/py/py.mk
	$(QEMU_MAKE) BOARD=MPS2_AN385 BOARD_DIR=$(ROOT)/ports/qemu/MPS2_AN385 BUILD=$(BUILD_DIR)/qemu-natmod-plain \
		USER_C_MODULES= MICROPY_HEAP_SIZE=1048576

# The board scripts with the armv7m natmod on stock MPS2 AN385 firmware
# (loaded from a file system in RAM: python_tests/qemu/run.py --natmod).
test-qemu-natmod: qemu-natmod-plain
	$(MAKE) -C $(ROOT) natmod ARCH=armv7m
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(BUILD_DIR)/qemu-natmod-plain/firmware.elf \
		--board MPS2_AN385 --natmod $(BUILD_DIR)/natmod/armv7m/adafruit_requests.mpy \
		--work $(BUILD_DIR)/qemu-tests-natmod

# Both boards run every script; the second still runs when the first fails.
test-qemu: qemu
	@rc=0; \
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(QEMU_FIRMWARE) --board MPS2_AN385 || rc=1; \
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(QEMU_M0_FIRMWARE) --board MICROBIT --work $(BUILD_DIR)/qemu-tests-microbit || rc=1; \
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(QEMU_RV32_FIRMWARE) --board VIRT_RV32 --work $(BUILD_DIR)/qemu-tests-rv32 || rc=1; \
	exit $$rc

# ports/rp2 through CMake and cmodule/micropython.cmake. pico-sdk, TinyUSB and
# picotool come from `scripts/deps.sh rp2` unless MICROPY_DIR has its own
# submodules (or PICO_SDK names another SDK).
RP2_BOARD ?= RPI_PICO
RP2_BUILD := $(BUILD_DIR)/rp2
PICO_SDK ?= $(if $(wildcard $(MICROPY_DIR)/lib/pico-sdk/pico_sdk_init.cmake),$(MICROPY_DIR)/lib/pico-sdk,$(ROOT)/deps/pico-sdk)
PICOTOOL_DIR ?= $(ROOT)/deps/picotool/picotool
RP2_ENV = $(MPY_ENV) MICROPY_MPYCROSS=$(MPY_CROSS)
RP2_CMAKE = $(RP2_ENV) cmake -S $(MICROPY_DIR)/ports/rp2 -DMICROPY_BOARD=$(RP2_BOARD) \
	-DMICROPY_BOARD_DIR=$(MICROPY_DIR)/ports/rp2/boards/$(RP2_BOARD) \
	-DPICO_SDK_PATH_OVERRIDE=$(PICO_SDK) \
	$(if $(wildcard $(PICOTOOL_DIR)/picotoolConfig.cmake),-Dpicotool_DIR=$(PICOTOOL_DIR)) \
	-DMICROPY_FROZEN_MANIFEST=$(ROOT)/ports/rp2/manifest.py -DMICROPY_LIB_DIR=$(ROOT)/ports/rp2

$(ROOT)/deps/pico-sdk/.unpacked:
	$(ROOT)/scripts/deps.sh rp2

# The firmware with the module alone (what test-pico runs).
rp2-module: mpy-cross $(if $(filter $(ROOT)/deps/pico-sdk,$(PICO_SDK)),$(ROOT)/deps/pico-sdk/.unpacked)
	$(RP2_CMAKE) -B $(RP2_BUILD)/$(RP2_BOARD) -DUSER_C_MODULES=$(ROOT)/cmodule/micropython.cmake
	$(RP2_ENV) $(MAKE) -C $(RP2_BUILD)/$(RP2_BOARD) -j$(JOBS)

# Both firmwares use the same manifest, so the difference is the module.
rp2: rp2-module
	$(RP2_CMAKE) -B $(RP2_BUILD)/$(RP2_BOARD)-plain -DUSER_C_MODULES=
	$(RP2_ENV) $(MAKE) -C $(RP2_BUILD)/$(RP2_BOARD)-plain -j$(JOBS)
	@echo
	@with=$$(stat -c %s $(RP2_BUILD)/$(RP2_BOARD)/firmware.bin); \
	without=$$(stat -c %s $(RP2_BUILD)/$(RP2_BOARD)-plain/firmware.bin); \
	echo "$(RP2_BOARD) flash image (firmware.bin): $$without bytes without adafruit_requests, $$with with it (+$$((with - without)))"; \
	echo "UF2: $(RP2_BUILD)/$(RP2_BOARD)/firmware.uf2"
	$(PYTHON) $(ROOT)/scripts/module_size.py $(RP2_BUILD)/$(RP2_BOARD)/firmware.elf.map

# python_tests/qemu on the RPI_PICO UF2 that `make rp2` writes (rebuilt here
# only when stale), in the rp2040js emulator pinned by
# scripts/pico_emu/package-lock.json, with the RP2040 bootrom fetched and
# hash-checked by scripts/pico_emu/setup.py. Each script boots a fresh board
# and may take PICO_TIME_LIMIT seconds of wall time.
PICO_EMU := $(BUILD_DIR)/pico-emu
PICO_TIME_LIMIT ?= 300
test-pico:
	$(MAKE) -C $(ROOT) rp2-module RP2_BOARD=RPI_PICO
	$(PYTHON) $(ROOT)/scripts/pico_emu/setup.py $(PICO_EMU)
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --pico $(RP2_BUILD)/RPI_PICO/firmware.uf2 \
		--emu $(PICO_EMU) --work $(BUILD_DIR)/pico-tests --time-limit $(PICO_TIME_LIMIT)

# ---- CircuitPython: its unix port with this module (scripts/circuitpython.sh) ----

# The tree: CIRCUITPY_DIR, or a clone (CIRCUITPY_GIT) unpacked into
# deps/circuitpython. Sockets and TLS come from MicroPython's sources.
CP_FIRMWARE := $(BUILD_DIR)/circuitpython
CP_MPY_CROSS := $(BUILD_DIR)/cp-mpy-cross/mpy-cross

firmware-circuitpython: $(MICROPY_DIR)/py/py.mk
	JOBS=$(JOBS) $(ROOT)/scripts/circuitpython.sh firmware

# After the firmware: the check reads the qstrs its build generated.
cflags-circuitpython: firmware-circuitpython
	$(ROOT)/scripts/circuitpython.sh cflags

# The whole suite; what this firmware cannot run (the module-level API's
# default wifi networking) is skipped with that reason. The soak test is
# left out: on CircuitPython it holds a constant offset over its slack
# (README, "CircuitPython").
test-circuitpython: deps firmware-circuitpython cflags-circuitpython
	cd $(ROOT) && MICROPYTHON=$(CP_FIRMWARE) MPY_CROSS=$(CP_MPY_CROSS) \
		$(PYTHON) -m pytest python_tests -q --ignore=python_tests/test_soak.py
