# MicroPython's MICROBIT board: an nRF51 (Cortex-M0, thumbv6m-none-eabi, the
# RP2040's instruction set: no unaligned access, no divide instruction), which
# QEMU gives 1 MiB of flash and 256 KiB of RAM. Plus the module's time source.
include boards/MICROBIT/mpconfigboard.mk
SRC_C += $(BOARD_DIR)/mphal_ticks.c
