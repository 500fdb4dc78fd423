include boards/MPS2_AN385/mpconfigboard.mk
SRC_C += $(BOARD_DIR)/mphal_ticks.c
