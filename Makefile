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
.PHONY: firmware-asan firmware-ubsan test-sanitize natmod test-natmod qemu-natmod-plain test-qemu-natmod test-pico-natmod
.PHONY: deps-cross cross size-profile qemu qemu-plain test-qemu rp2 rp2-module rp2-plain rp2-reference rp2-minimal rp2-heap rp2-deps test-pico
.PHONY: firmware-circuitpython cflags-circuitpython test-circuitpython test-corpus
.PHONY: cp-board cp-board-plain cp-board-reference cp-board-minimal cp-board-heap test-pico-cp

help:
	@echo "make deps            Debian packages, MicroPython + Mbed TLS sources, Python test packages"
	@echo "make firmware        unix MicroPython with adafruit_requests -> build/micropython"
	@echo "make firmware-plain  same firmware without the module -> build/micropython-plain"
	@echo "make firmware-minimal  the module with every build switch off -> build/micropython-minimal"
	@echo "make firmware-asan   test firmware: AddressSanitizer + poisoned GC heap -> build/micropython-asan"
	@echo "make firmware-ubsan  test firmware: UndefinedBehaviorSanitizer -> build/micropython-ubsan"
	@echo "                     (also: make firmware SANITIZE=address|undefined)"
	@echo "make test-sanitize   both, then pytest python_tests on each; a sanitizer report fails its test"
	@echo "make size            size(1) of both firmwares"
	@echo "make test            clippy, cargo test, then pytest python_tests against build/micropython"
	@echo "make lint            clippy with the crate's no-panic lints"
	@echo "make test-corpus     published scripts on both firmwares (LEARN_GUIDES_GIT=<git dir> and/or REQUESTS_GIT=<git dir>)"
	@echo "make fuzz            every fuzz target for FUZZ_SECONDS (default 60)"
	@echo "make bench           native vs reference vs bare socket -> bench/results.json, bench/chart.svg"
	@echo "make run             the demo, big JSON in 32 KiB, gzip and AsyncSession examples against a local server"
	@echo "make natmod ARCH=x64|armv6m|armv7m|armv7emsp|rv32imc  the module as a dynamic native module"
	@echo "                     for stock firmware -> build/natmod/ARCH/adafruit_requests.mpy + package.json (mip)"
	@echo "make test-natmod     pytest python_tests against the x64 natmod on build/micropython-plain"
	@echo "make test-qemu-natmod  board scripts, armv7m/armv6m/rv32imc .mpy on stock qemu firmware"
	@echo "make test-pico-natmod  board scripts, armv6m .mpy on a stock RPI_PICO image under rp2040js"
	@echo "make deps-cross      ARM toolchain, qemu, Rust targets and llvm-tools for the cross builds"
	@echo "make cross           Rust library for 4 MCU targets, code size per target; flash per build switch;"
	@echo "                     then make size-profile"
	@echo "make size-profile    the module's flash per file and function on Cortex-M0 and M3 firmwares,"
	@echo "                     failing past its budget (scripts/module_profile.py)"
	@echo "make qemu            emulated-board firmwares: MPS2 AN385 (Cortex-M3) -> build/qemu/,"
	@echo "                     micro:bit (Cortex-M0) -> build/qemu-microbit/,"
	@echo "                     RISC-V virt (rv32imac) -> build/qemu-rv32/"
	@echo "make test-qemu       python_tests/qemu on all three under QEMU"
	@echo "make rp2             Raspberry Pi Pico firmware with and without the module, flash sizes"
	@echo "                     (RP2_BOARD=RPI_PICO_W / RPI_PICO2_W: Wi-Fi boards, fetched trees)"
	@echo "make rp2-reference   the same board without the module, reference package frozen in"
	@echo "make rp2-minimal     the same board, module with every RQ_ENABLE_* switch off"
	@echo "make rp2-heap        free heap after boot of each image built for RP2_BOARD (rp2040js)"
	@echo "make test-pico       python_tests/qemu on the Pico UF2 under the rp2040js emulator"
	@echo "                     (RP2_BOARD=RPI_PICO_W: the Pico W image, which boots without its radio)"
	@echo "make firmware-circuitpython  CircuitPython's unix port with the module -> build/circuitpython"
	@echo "make cflags-circuitpython    cmodule/*.c with CircuitPython's board-port warning flags"
	@echo "make test-circuitpython      both, then pytest python_tests against build/circuitpython"
	@echo "make cp-board        CircuitPython CP_BOARD (raspberry_pi_pico, raspberry_pi_pico_w) image with"
	@echo "                     and without the module, in a Debian trixie chroot (GCC 14) -> build/cp-board/"
	@echo "make cp-board-reference / cp-board-minimal   the reference package frozen in / every switch off"
	@echo "make cp-board-heap   free heap after boot of each CP_BOARD image built (rp2040js)"
	@echo "make test-pico-cp    python_tests/qemu on the CircuitPython Pico image under rp2040js"
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
# SANITIZE=address|undefined builds the matching test firmware instead.
SANITIZE ?=
SAN_TARGET_address := firmware-asan
SAN_TARGET_undefined := firmware-ubsan
ifeq ($(SANITIZE),)
firmware: mpy-cross
	$(UNIX_MAKE) BUILD=$(BUILD_DIR)/unix USER_C_MODULES=$(ROOT)
	@mkdir -p $(BUILD_DIR)
	cp $(BUILD_DIR)/unix/micropython $(FIRMWARE).tmp && mv -f $(FIRMWARE).tmp $(FIRMWARE)
else
firmware: $(or $(SAN_TARGET_$(SANITIZE)),$(error SANITIZE is address or undefined, not '$(SANITIZE)'))
endif

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

# ---- sanitizer builds: test firmwares only, never one to flash ----
#
# The unix firmware with the module, compiled the way MicroPython's own CI
# builds its sanitizer jobs (CFLAGS_EXTRA/LDFLAGS_EXTRA), symbols kept
# (STRIP=), each in its own build directory. The Rust core is not
# instrumented; it gets frame pointers and line tables so that reports show
# its frames (RQ_KEEP_DEBUG keeps them through the prelink).
#
# ASan also needs to see inside the GC heap, which is a single malloc: the
# ASan build compiles a copy of the MicroPython tree whose py/gc.c poisons
# free blocks (scripts/sanitize/gc-poison.patch). The copy is hard links
# (the build writes only under BUILD=) except the patched file, which is new.
# -fsanitize-recover=address with halt_on_error=0 (python_tests/sanitize.py)
# lets a script run on after a report, so that a known finding outside this
# repository can be told apart from ours instead of killing the test.
FIRMWARE_ASAN := $(BUILD_DIR)/micropython-asan
FIRMWARE_UBSAN := $(BUILD_DIR)/micropython-ubsan
ASAN_SRC := $(BUILD_DIR)/micropython-asan-src
GC_POISON_PATCH := $(ROOT)/scripts/sanitize/gc-poison.patch
ASAN_FLAGS := -fsanitize=address -fsanitize-recover=address --param asan-use-after-return=0 -fno-omit-frame-pointer
UBSAN_FLAGS := -fsanitize=undefined -fno-sanitize=nonnull-attribute -fno-omit-frame-pointer
SAN_RUST_ENV := RUSTFLAGS="-C force-frame-pointers=yes" CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
# The Rust archive is the same for both builds (not instrumented): one cargo
# target directory, so the second build finds it done.
SAN_MAKE_ARGS = -j$(JOBS) VARIANT_DIR=$(ROOT)/ports/unix MICROPY_PY_BTREE=0 MICROPY_MPYCROSS=$(MPY_CROSS) \
	USER_C_MODULES=$(ROOT) STRIP= RQ_KEEP_DEBUG=1 RQ_CARGO_TARGET_DIR=$(BUILD_DIR)/cargo-sanitize

$(ASAN_SRC)/.patched: $(GC_POISON_PATCH) $(MICROPY_DIR)/py/gc.c
	rm -rf $(ASAN_SRC)
	mkdir -p $(ASAN_SRC)
	cp -al $(MICROPY_DIR)/. $(ASAN_SRC)/ 2>/dev/null || { rm -rf $(ASAN_SRC); mkdir -p $(ASAN_SRC); cp -a $(MICROPY_DIR)/. $(ASAN_SRC)/; }
	rm -f $(ASAN_SRC)/py/gc.c
	patch --quiet -o $(ASAN_SRC)/py/gc.c $(MICROPY_DIR)/py/gc.c $(GC_POISON_PATCH)
	touch $@

firmware-asan: mpy-cross $(ASAN_SRC)/.patched
	$(SAN_RUST_ENV) GIT_CEILING_DIRECTORIES=$(BUILD_DIR) $(MAKE) -C $(ASAN_SRC)/ports/unix $(SAN_MAKE_ARGS) \
		BUILD=$(BUILD_DIR)/unix-asan CFLAGS_EXTRA="$(ASAN_FLAGS)" LDFLAGS_EXTRA="$(ASAN_FLAGS)"
	cp $(BUILD_DIR)/unix-asan/micropython $(FIRMWARE_ASAN).tmp && mv -f $(FIRMWARE_ASAN).tmp $(FIRMWARE_ASAN)

firmware-ubsan: mpy-cross
	$(SAN_RUST_ENV) $(MPY_ENV) $(MAKE) -C $(MICROPY_DIR)/ports/unix $(SAN_MAKE_ARGS) \
		BUILD=$(BUILD_DIR)/unix-ubsan CFLAGS_EXTRA="$(UBSAN_FLAGS)" LDFLAGS_EXTRA="$(UBSAN_FLAGS)"
	cp $(BUILD_DIR)/unix-ubsan/micropython $(FIRMWARE_UBSAN).tmp && mv -f $(FIRMWARE_UBSAN).tmp $(FIRMWARE_UBSAN)

# What runs under which build (README, "Reliability"): every test file on
# the ASan build against the native module (--impl native: the runs of the
# reference package do not execute it), split into SANITIZE_ASAN_SHARDS runs
# side by side; on the UBSan build beside them, the files whose tests drive
# the C layer's own arithmetic and parsing. Each report lands in
# build/sanitize/<run>/ named after its test, and fails that test.
# SANITIZE_REPEAT_TESTS: pytest node ids run SANITIZE_REPEAT more times each
# on the ASan build (races). By default the two crash cases of the third
# adversarial round: wait_for(s.get(url, timeout=T), T) on both asyncio
# implementations (300 rounds a run); the threads case already runs 12 fresh
# processes in the suite itself.
SANITIZE_ASAN_ARGS ?= --impl=native python_tests
SANITIZE_ASAN_SHARDS ?= 2
SANITIZE_UBSAN_ARGS ?= --impl=native $(addprefix python_tests/,test_compressed.py \
	test_async_compressed.py test_json_pairs.py test_json_select.py test_headers_dict.py \
	test_response.py test_parsing.py test_async.py test_hostile.py test_bad_callers.py \
	test_sanitize.py)
SANITIZE_REPEAT_TESTS ?= $(addprefix python_tests/test_ownership.py::,\
	test_deadlines_falling_due_together_never_crash[micropython-wait_for_head] \
	test_deadlines_falling_due_together_never_crash[circuitpython-wait_for_head])
SANITIZE_REPEAT ?= 10
test-sanitize: firmware-asan firmware-ubsan firmware-minimal
	cd $(ROOT) && PYTHON=$(PYTHON) OUT=$(BUILD_DIR)/sanitize \
		FIRMWARE_ASAN=$(FIRMWARE_ASAN) FIRMWARE_UBSAN=$(FIRMWARE_UBSAN) \
		ASAN_ARGS="$(SANITIZE_ASAN_ARGS)" ASAN_SHARDS=$(SANITIZE_ASAN_SHARDS) \
		UBSAN_ARGS="$(SANITIZE_UBSAN_ARGS)" \
		REPEAT_TESTS="$(SANITIZE_REPEAT_TESTS)" REPEAT=$(SANITIZE_REPEAT) \
		scripts/sanitize/test.sh

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

# Adafruit's published scripts, unmodified, on the firmware with the module and
# on the plain one with the reference: the Learning Guides
# (python_tests/test_published_scripts.py) and the requests library's own
# examples (python_tests/test_library_examples.py).
# LEARN_GUIDES_GIT: the git directory of a clone of Adafruit_Learning_System_Guides.
# REQUESTS_GIT: the git directory of a clone of Adafruit_CircuitPython_Requests.
# Either or both; each runs its own file.
CORPUS_FILES = $(if $(LEARN_GUIDES_GIT),python_tests/test_published_scripts.py) \
	$(if $(REQUESTS_GIT),python_tests/test_library_examples.py)
test-corpus: firmware firmware-plain
	@test -n "$(strip $(CORPUS_FILES))" || { echo "set LEARN_GUIDES_GIT to a clone (git dir) of Adafruit_Learning_System_Guides and/or REQUESTS_GIT to one of Adafruit_CircuitPython_Requests"; exit 2; }
	cd $(ROOT) && LEARN_GUIDES_GIT=$(if $(LEARN_GUIDES_GIT),$(abspath $(LEARN_GUIDES_GIT))) \
		REQUESTS_GIT=$(if $(REQUESTS_GIT),$(abspath $(REQUESTS_GIT))) \
		$(PYTHON) -m pytest $(CORPUS_FILES) -q

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
# NATMOD_TESTS: the files to run (CI's lighter variant names a subset).
NATMOD_TESTS ?= python_tests
test-natmod: firmware-plain
	$(MAKE) -C $(ROOT) natmod ARCH=x64
	cd $(ROOT) && RQ_NATMOD=$(BUILD_DIR)/natmod/x64/adafruit_requests.mpy MICROPYTHON=$(FIRMWARE_PLAIN) \
		$(PYTHON) -m pytest $(NATMOD_TESTS) -q -rs --ignore=python_tests/test_soak.py

# ---- cross builds: MCU targets, an emulated ARM board, the Raspberry Pi Pico ----

deps-cross:
	$(ROOT)/scripts/deps.sh cross

# The whole module's flash (Rust + C + its qstrs and tables) as linked into
# two real firmwares, each built with and without it: micro:bit (Cortex-M0,
# thumbv6m as on the RP2040's Cortex-M0+) and MPS2-AN385 (Cortex-M3). Per
# source file and per function; fails past the budget in
# scripts/module_profile.py. Full lists: build/size-profile/<board>.txt.
SIZE_PROFILE := $(BUILD_DIR)/size-profile
size-profile: $(MICROPY_DIR)/py/py.mk
	$(QEMU_MAKE) BOARD=MICROBIT BOARD_DIR=$(ROOT)/ports/qemu/MICROBIT BUILD=$(BUILD_DIR)/qemu-microbit USER_C_MODULES=$(ROOT)
	$(QEMU_MAKE) BOARD=MICROBIT BOARD_DIR=$(ROOT)/ports/qemu/MICROBIT BUILD=$(BUILD_DIR)/qemu-microbit-plain USER_C_MODULES=
	$(QEMU_MAKE) BOARD=MPS2_AN385 BOARD_DIR=$(ROOT)/ports/qemu/MPS2_AN385 BUILD=$(BUILD_DIR)/qemu USER_C_MODULES=$(ROOT)
	$(QEMU_MAKE) BOARD=MPS2_AN385 BOARD_DIR=$(ROOT)/ports/qemu/MPS2_AN385 BUILD=$(BUILD_DIR)/qemu-plain USER_C_MODULES=
	@mkdir -p $(SIZE_PROFILE)
	@rc=0; \
	$(PYTHON) $(ROOT)/scripts/module_profile.py --board MICROBIT --map $(BUILD_DIR)/qemu-microbit/firmware.map \
		--elf $(BUILD_DIR)/qemu-microbit/firmware.elf --plain-elf $(BUILD_DIR)/qemu-microbit-plain/firmware.elf \
		--out $(SIZE_PROFILE)/MICROBIT.txt || rc=1; \
	$(PYTHON) $(ROOT)/scripts/module_profile.py --board MPS2_AN385 --top 0 --map $(BUILD_DIR)/qemu/firmware.map \
		--elf $(BUILD_DIR)/qemu/firmware.elf --plain-elf $(BUILD_DIR)/qemu-plain/firmware.elf \
		--out $(SIZE_PROFILE)/MPS2_AN385.txt || rc=1; \
	exit $$rc

# The budget check runs last so that every table still prints when it fails.
# CROSS_SWITCHES=0 (CI's lighter variant) leaves out the per-switch table,
# eight more firmware builds that feed README's size table and check nothing.
CROSS_SWITCHES ?= 1
cross:
	$(PYTHON) $(ROOT)/scripts/cross_size.py
ifeq ($(CROSS_SWITCHES),1)
	$(PYTHON) $(ROOT)/scripts/switch_sizes.py
else
	@echo "*** scripts/switch_sizes.py NOT RUN (CROSS_SWITCHES=0): the per-switch size table; make cross prints it ***"
endif
	$(MAKE) -C $(ROOT) size-profile

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

# Stock MPS2 AN385 (Cortex-M3) and RISC-V virt firmware with room for a
# natmod: its code is loaded into the GC heap on bare-metal ports (the
# boards have 4 MiB and 128 MiB of RAM). The micro:bit cannot load native
# code (the qemu port builds it without a native emitter). RISC-V takes
# ports/qemu/VIRT_RV32 for its toolchain flags (its mp_hal_ticks_ms is
# unused there: the port has no time module).
qemu-natmod-plain: $(MICROPY_DIR)/py/py.mk
	$(QEMU_MAKE) BOARD=MPS2_AN385 BUILD=$(BUILD_DIR)/qemu-natmod-plain USER_C_MODULES= MICROPY_HEAP_SIZE=1048576
	$(QEMU_MAKE) BOARD=VIRT_RV32 BOARD_DIR=$(ROOT)/ports/qemu/VIRT_RV32 BUILD=$(BUILD_DIR)/qemu-natmod-plain-rv32 \
		USER_C_MODULES= MICROPY_HEAP_SIZE=1048576

# The board scripts on that stock firmware with the .mpy loaded from a file
# system in RAM (python_tests/qemu/run.py --natmod): armv7m and armv6m on
# the Cortex-M3, rv32imc on RISC-V. All three run; any failure fails.
test-qemu-natmod: qemu-natmod-plain
	$(MAKE) -C $(ROOT) natmod ARCH=armv7m
	$(MAKE) -C $(ROOT) natmod ARCH=armv6m
	$(MAKE) -C $(ROOT) natmod ARCH=rv32imc
	@rc=0; for a in armv7m armv6m; do \
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(BUILD_DIR)/qemu-natmod-plain/firmware.elf \
		--board MPS2_AN385 --natmod $(BUILD_DIR)/natmod/$$a/adafruit_requests.mpy \
		--work $(BUILD_DIR)/qemu-tests-natmod-$$a || rc=1; done; \
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(BUILD_DIR)/qemu-natmod-plain-rv32/firmware.elf \
		--board VIRT_RV32 --natmod $(BUILD_DIR)/natmod/rv32imc/adafruit_requests.mpy \
		--work $(BUILD_DIR)/qemu-tests-natmod-rv32imc || rc=1; \
	exit $$rc

# The board scripts on a stock RPI_PICO image (rp2-plain) under rp2040js with
# the armv6m .mpy sent over the raw REPL and imported before each script.
test-pico-natmod: rp2-plain
	$(MAKE) -C $(ROOT) natmod ARCH=armv6m
	$(PYTHON) $(ROOT)/scripts/pico_emu/setup.py $(PICO_EMU)
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --pico $(RP2_BUILD)/RPI_PICO-plain/firmware.uf2 \
		--natmod $(BUILD_DIR)/natmod/armv6m/adafruit_requests.mpy --emu $(PICO_EMU) \
		--work $(BUILD_DIR)/pico-tests-natmod

# Both boards run every script; the second still runs when the first fails.
test-qemu: qemu
	@rc=0; \
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(QEMU_FIRMWARE) --board MPS2_AN385 || rc=1; \
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(QEMU_M0_FIRMWARE) --board MICROBIT --work $(BUILD_DIR)/qemu-tests-microbit || rc=1; \
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --qemu $(QEMU_RV32_FIRMWARE) --board VIRT_RV32 --work $(BUILD_DIR)/qemu-tests-rv32 || rc=1; \
	exit $$rc

# ports/rp2 through CMake and cmodule/micropython.cmake. pico-sdk, TinyUSB and
# picotool come from `scripts/deps.sh rp2` unless MICROPY_DIR has its own
# submodules (or PICO_SDK names another SDK). Boards named *_W (RPI_PICO_W,
# RPI_PICO2_W) also read cyw43-driver, lwIP and BTstack: `scripts/deps.sh
# picow` puts them (and micropython-lib) into our MicroPython tree from
# snapshots, or names what to fetch and stops.
RP2_BOARD ?= RPI_PICO
RP2_BUILD := $(BUILD_DIR)/rp2
RP2_WIRELESS := $(filter %_W,$(RP2_BOARD))
PICO_SDK ?= $(if $(wildcard $(MICROPY_DIR)/lib/pico-sdk/pico_sdk_init.cmake),$(MICROPY_DIR)/lib/pico-sdk,$(ROOT)/deps/pico-sdk)
PICOTOOL_DIR ?= $(ROOT)/deps/picotool/picotool
MPY_LIB_DIR ?= $(MICROPY_DIR)/lib/micropython-lib
RP2_BOARD_DIR := $(MICROPY_DIR)/ports/rp2/boards/$(RP2_BOARD)
# The frozen modules of the board's own image (ports/rp2/manifest.py includes
# it), so the image users flash keeps ssl, mip, requests, ntptime, ...
RP2_BOARD_MANIFEST := $(if $(wildcard $(RP2_BOARD_DIR)/manifest.py),$(RP2_BOARD_DIR)/manifest.py,$(MICROPY_DIR)/ports/rp2/boards/manifest.py)
RP2_ENV = $(MPY_ENV) MICROPY_MPYCROSS=$(MPY_CROSS)
# Decided when the recipe runs (the deps step may just have unpacked
# micropython-lib): the board's manifest when micropython-lib is there, else
# the reduced one (only boards without Wi-Fi get this far without it).
rp2_has_lib = [ -f $(MPY_LIB_DIR)/micropython/bundles/bundle-networking/manifest.py ]
RP2_BASE_MANIFEST = $$($(rp2_has_lib) && echo $(ROOT)/ports/rp2/manifest.py || echo $(ROOT)/ports/rp2/manifest-nolib.py)
RP2_LIB_ARG = $$($(rp2_has_lib) && echo $(MPY_LIB_DIR) || echo $(ROOT)/ports/rp2)
RP2_CMAKE = $(RP2_ENV) cmake -S $(MICROPY_DIR)/ports/rp2 -DMICROPY_BOARD=$(RP2_BOARD) \
	-DMICROPY_BOARD_DIR=$(RP2_BOARD_DIR) \
	-DPICO_SDK_PATH_OVERRIDE=$(PICO_SDK) \
	$(if $(wildcard $(PICOTOOL_DIR)/picotoolConfig.cmake),-Dpicotool_DIR=$(PICOTOOL_DIR)) \
	-DMICROPY_LIB_DIR=$(RP2_LIB_ARG) \
	-DMICROPY_MANIFEST_BOARD_MANIFEST=$(RP2_BOARD_MANIFEST)
RP2_BUILD_CMD = $(RP2_ENV) $(MAKE) -C

$(ROOT)/deps/pico-sdk/.unpacked:
	$(ROOT)/scripts/deps.sh rp2

# The trees this board reads. Without Wi-Fi, micropython-lib is optional:
# deps.sh exits 3 when it has no snapshot, and the reduced manifest is used.
rp2-deps: $(if $(filter $(ROOT)/deps/pico-sdk,$(PICO_SDK)),$(ROOT)/deps/pico-sdk/.unpacked)
ifneq ($(RP2_WIRELESS),)
	$(ROOT)/scripts/deps.sh picow
else
	@rc=0; $(ROOT)/scripts/deps.sh micropython-lib || rc=$$?; \
	if [ $$rc = 3 ]; then echo "$(RP2_BOARD): no micropython-lib, freezing ports/rp2/manifest-nolib.py (no onewire/ds18x20/dht/neopixel)"; \
	elif [ $$rc != 0 ]; then exit $$rc; fi
endif

# The firmware with the module alone (what test-pico runs).
rp2-module: mpy-cross rp2-deps
	$(RP2_CMAKE) -B $(RP2_BUILD)/$(RP2_BOARD) -DMICROPY_FROZEN_MANIFEST=$(RP2_BASE_MANIFEST) \
		-DUSER_C_MODULES=$(ROOT)/cmodule/micropython.cmake
	$(RP2_BUILD_CMD) $(RP2_BUILD)/$(RP2_BOARD) -j$(JOBS)

rp2-plain: mpy-cross rp2-deps
	$(RP2_CMAKE) -B $(RP2_BUILD)/$(RP2_BOARD)-plain -DMICROPY_FROZEN_MANIFEST=$(RP2_BASE_MANIFEST) \
		-DUSER_C_MODULES=
	$(RP2_BUILD_CMD) $(RP2_BUILD)/$(RP2_BOARD)-plain -j$(JOBS)

# What users have today: no C module, the reference package frozen in.
rp2-reference: mpy-cross rp2-deps $(ROOT)/deps/reference/adafruit_requests.py
	$(RP2_CMAKE) -B $(RP2_BUILD)/$(RP2_BOARD)-reference \
		-DMICROPY_FROZEN_MANIFEST=$(ROOT)/ports/rp2/manifest-reference.py \
		-DMICROPY_MANIFEST_BASE_MANIFEST=$(RP2_BASE_MANIFEST) \
		-DMICROPY_MANIFEST_REFERENCE_DIR=$(ROOT)/deps/reference \
		-DMICROPY_MANIFEST_STUBS_DIR=$(ROOT)/python_tests/mpy_stubs -DUSER_C_MODULES=
	$(RP2_BUILD_CMD) $(RP2_BUILD)/$(RP2_BOARD)-reference -j$(JOBS)

$(ROOT)/deps/reference/adafruit_requests.py:
	$(ROOT)/scripts/deps.sh reference

# The module with every RQ_ENABLE_* switch off.
rp2-minimal: mpy-cross rp2-deps
	$(RP2_CMAKE) -B $(RP2_BUILD)/$(RP2_BOARD)-minimal -DMICROPY_FROZEN_MANIFEST=$(RP2_BASE_MANIFEST) \
		-DUSER_C_MODULES=$(ROOT)/cmodule/micropython.cmake $(addprefix -D,$(RQ_ALL_OFF))
	$(RP2_BUILD_CMD) $(RP2_BUILD)/$(RP2_BOARD)-minimal -j$(JOBS)

# Free GC heap after boot and after `import adafruit_requests` on each image
# of this board already built (plain, module, reference, minimal), booted in
# rp2040js. The Wi-Fi boards boot there too: nothing talks to the radio
# until a WLAN interface is made active.
rp2-heap:
	$(PYTHON) $(ROOT)/scripts/pico_emu/setup.py $(PICO_EMU)
	$(PYTHON) $(ROOT)/scripts/pico_heap.py --emu $(PICO_EMU) --work $(BUILD_DIR)/pico-heap/$(RP2_BOARD) \
		$(foreach v,plain module reference minimal,$(if $(wildcard $(RP2_BUILD)/$(RP2_BOARD)$(if $(filter module,$(v)),,-$(v))/firmware.uf2),\
			$(v)=$(RP2_BUILD)/$(RP2_BOARD)$(if $(filter module,$(v)),,-$(v))/firmware.uf2))

# Both firmwares use the same manifest, so the difference is the module;
# scripts/rp2_size.py prints it and fails past the board's flash budget.
rp2: rp2-module rp2-plain
	@echo "UF2: $(RP2_BUILD)/$(RP2_BOARD)/firmware.uf2"
	$(PYTHON) $(ROOT)/scripts/module_profile.py --board $(RP2_BOARD) --top 20 --map $(RP2_BUILD)/$(RP2_BOARD)/firmware.elf.map \
		--elf $(RP2_BUILD)/$(RP2_BOARD)/firmware.elf --plain-elf $(RP2_BUILD)/$(RP2_BOARD)-plain/firmware.elf \
		--out $(RP2_BUILD)/$(RP2_BOARD)-profile.txt
	$(PYTHON) $(ROOT)/scripts/rp2_size.py --board $(RP2_BOARD) --board-dir $(RP2_BOARD_DIR) \
		--sdk $(PICO_SDK) --build $(RP2_BUILD)

# python_tests/qemu on the RP2_BOARD UF2 (RPI_PICO, or RPI_PICO_W: its image
# boots without the Wi-Fi chip, which nothing here makes active) that `make
# rp2` writes (rebuilt here only when stale), in the rp2040js emulator pinned
# by scripts/pico_emu/package-lock.json, with the RP2040 bootrom fetched and
# hash-checked by scripts/pico_emu/setup.py. Each script boots a fresh board
# and may take PICO_TIME_LIMIT seconds of wall time.
PICO_EMU := $(BUILD_DIR)/pico-emu
PICO_TIME_LIMIT ?= 300
test-pico:
	$(if $(filter RPI_PICO RPI_PICO_W,$(RP2_BOARD)),,$(error test-pico: rp2040js emulates the RP2040 only (RPI_PICO, RPI_PICO_W), not $(RP2_BOARD)))
	$(MAKE) -C $(ROOT) rp2-module RP2_BOARD=$(RP2_BOARD)
	$(PYTHON) $(ROOT)/scripts/pico_emu/setup.py $(PICO_EMU)
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --pico $(RP2_BUILD)/$(RP2_BOARD)/firmware.uf2 \
		--emu $(PICO_EMU) --work $(BUILD_DIR)/pico-tests$(if $(filter RPI_PICO,$(RP2_BOARD)),,-$(RP2_BOARD)) \
		--time-limit $(PICO_TIME_LIMIT)

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
# CP_TESTS: what pytest runs (CI's lighter variant names a subset of files).
CP_TESTS ?= python_tests --ignore=python_tests/test_soak.py
test-circuitpython: deps firmware-circuitpython cflags-circuitpython
	cd $(ROOT) && MICROPYTHON=$(CP_FIRMWARE) MPY_CROSS=$(CP_MPY_CROSS) \
		$(PYTHON) -m pytest -q $(CP_TESTS)

# ---- CircuitPython board images: ports/raspberrypi (scripts/circuitpython_board.sh) ----

# The CircuitPython tree and the submodules the port reads come from
# snapshots (MIRROR, CIRCUITPY_GIT), unpacked at CircuitPython's pins into
# CP_BOARD_DEPS/circuitpython-board; the port's make runs in a Debian trixie
# chroot (CP_BOARD_DEPS/cp-trixie, GCC 14), the Rust core is built on the
# host. Without the snapshots the script prints "NOT RUN: ..." and exits 3.
# CP_MAKE_ARGS reach the port's make (e.g. CIRCUITPY_QRIO=0), with
# CP_BUILD_SUFFIX naming that build apart.
# CP_FIRMWARE_KB=N: the board with an N KiB firmware area (a smaller
# CIRCUITPY drive), built as CP_BOARD_fwNk.
CP_BOARD ?= raspberry_pi_pico
CP_FIRMWARE_KB ?=
CP_IMAGE = $(CP_BOARD)$(if $(CP_FIRMWARE_KB),_fw$(CP_FIRMWARE_KB)k)
CP_BOARD_BUILD := $(BUILD_DIR)/cp-board
CP_BOARD_SH = JOBS=$(JOBS) CP_FIRMWARE_KB=$(CP_FIRMWARE_KB) $(ROOT)/scripts/circuitpython_board.sh

# Both images, then the flash table; an image with the module that does not
# fit still gets its overflow printed (from the link's memory report) before
# the target fails.
cp-board:
	@rc=0; $(CP_BOARD_SH) build $(CP_BOARD) module || rc=$$?; \
	[ $$rc = 3 ] && exit 3; \
	$(CP_BOARD_SH) build $(CP_BOARD) plain || exit $$?; \
	$(PYTHON) $(ROOT)/scripts/cp_board_size.py --board $(CP_IMAGE) --build $(CP_BOARD_BUILD) || rc=1; \
	exit $$rc

cp-board-plain:
	$(CP_BOARD_SH) build $(CP_BOARD) plain

cp-board-reference:
	$(CP_BOARD_SH) build $(CP_BOARD) reference

cp-board-minimal:
	$(CP_BOARD_SH) build $(CP_BOARD) minimal

# Free heap after boot (and after the import) of each image built for
# CP_BOARD, in rp2040js.
cp-board-heap:
	$(PYTHON) $(ROOT)/scripts/pico_emu/setup.py $(PICO_EMU)
	$(PYTHON) $(ROOT)/scripts/pico_heap.py --circuitpython --emu $(PICO_EMU) --work $(BUILD_DIR)/pico-heap/cp-$(CP_BOARD) \
		$(foreach d,$(sort $(wildcard $(CP_BOARD_BUILD)/$(CP_BOARD)-*/firmware.uf2 $(CP_BOARD_BUILD)/$(CP_BOARD)_fw*k-*/firmware.uf2)),\
			$(notdir $(patsubst %/,%,$(dir $(d))))=$(d))

# python_tests/qemu on the CircuitPython raspberry_pi_pico image with the
# module under rp2040js (CircuitPython's console and boot, see
# python_tests/qemu/pico_runner.py). PICO_CP_TESTS: the scripts to run
# (default all).
PICO_CP_TESTS ?=
test-pico-cp:
	$(CP_BOARD_SH) build $(CP_BOARD) module
	$(PYTHON) $(ROOT)/scripts/pico_emu/setup.py $(PICO_EMU)
	$(PYTHON) $(ROOT)/python_tests/qemu/run.py --pico $(CP_BOARD_BUILD)/$(CP_IMAGE)-module/firmware.uf2 \
		--circuitpython --emu $(PICO_EMU) --work $(BUILD_DIR)/pico-tests-cp-$(CP_IMAGE) \
		--time-limit $(PICO_TIME_LIMIT) $(PICO_CP_TESTS)
