# MicroPython's MPS2_AN385 board (Cortex-M3, thumbv7m-none-eabi) plus the
# time source the module's timeouts need.
include boards/MPS2_AN385/mpconfigboard.mk
SRC_C += $(BOARD_DIR)/mphal_ticks.c
