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
