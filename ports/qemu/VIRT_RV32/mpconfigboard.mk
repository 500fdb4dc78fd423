# MicroPython's VIRT_RV32 board (QEMU's RISC-V "virt" machine, rv32imac, so
# riscv32imac-unknown-none-elf) plus the time source the module's timeouts
# need.
#
# The port asks GCC 11+ for rv32imac_zicsr, which Debian 12's
# riscv64-unknown-elf-gcc does not map to its rv32imac/ilp32 multilib (it
# links the 64-bit libgcc instead). The older ISA spec has Zicsr inside "i",
# so rv32imac means the same instructions and finds the right libraries.
RV32_ARCH = rv32imac
AFLAGS += -misa-spec=2.2
include boards/VIRT_RV32/mpconfigboard.mk
SRC_C += $(BOARD_DIR)/mphal_ticks.c
