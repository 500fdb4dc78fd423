// mp_hal_ticks_ms for the MPS2 AN385 under QEMU.
//
// MicroPython's qemu port has no time source (its `time` module is off), but
// adafruit_requests measures its timeouts with mp_hal_ticks_ms. The board's
// SysTick vector is taken by the port's fault handler, so instead of counting
// interrupts this reads the FPGA I/O block's free-running 100 Hz counter,
// which QEMU models and which needs no set-up. 10 ms steps are plenty for
// timeouts given in seconds, and a 32-bit count of them wraps after 497 days.

#include "py/mphal.h"

#define MPS2_FPGAIO_CLK100HZ (*(volatile uint32_t *)0x40028014)

mp_uint_t mp_hal_ticks_ms(void) {
    return MPS2_FPGAIO_CLK100HZ * 10;
}
