# Included by MicroPython's ports/unix/Makefile when built with
# VARIANT_DIR=<this directory>.

# berkeley-db is a stripped submodule in Debian's source tree.
MICROPY_PY_BTREE = 0

FROZEN_MANIFEST ?= $(VARIANT_DIR)/manifest.py

# The manifest takes nothing from micropython-lib, but MicroPython's frozen
# rule refuses to run unless $(MPY_LIB_DIR)/README.md exists; a tree without
# the submodule (Debian's) gets pointed at this directory instead.
ifeq ($(wildcard $(MPY_LIB_DIR)/README.md),)
MPY_LIB_DIR = $(VARIANT_DIR)
endif

# makemanifest.py rewrites frozen_content.c only when a frozen module changed,
# but the file's qstr table also depends on the qstrs the C code defines: when
# C code gains a qstr that a frozen module uses too, an incremental build
# defines it twice and fails. Drop the stale file whenever the qstrs change.
ifneq ($(FROZEN_MANIFEST),)
$(BUILD)/frozen_content.c: $(BUILD)/genhdr/frozen-qstrs.stamp
$(BUILD)/genhdr/frozen-qstrs.stamp: $(BUILD)/genhdr/qstrdefs.generated.h
	$(Q)rm -f $(BUILD)/frozen_content.c
	$(Q)touch $@
endif
