// mp_hal_ticks_ms for QEMU's RISC-V "virt" machine.
//
// MicroPython's qemu port has no time source (its `time` module is off), but
// adafruit_requests measures its timeouts with mp_hal_ticks_ms. The machine's
// CLINT has a free-running 64-bit mtime counter at 10 MHz that needs no
// set-up; its low word alone would wrap every 7 minutes, so both halves are
// read (high, low, high again until the high half is stable).

#include "py/mphal.h"

#define VIRT_CLINT_MTIME_LO (*(volatile uint32_t *)0x0200BFF8)
#define VIRT_CLINT_MTIME_HI (*(volatile uint32_t *)0x0200BFFC)
#define VIRT_MTIME_PER_MS (10000u)

mp_uint_t mp_hal_ticks_ms(void) {
    uint32_t hi, lo;
    do {
        hi = VIRT_CLINT_MTIME_HI;
        lo = VIRT_CLINT_MTIME_LO;
    } while (hi != VIRT_CLINT_MTIME_HI);
    return (mp_uint_t)((((uint64_t)hi << 32) | lo) / VIRT_MTIME_PER_MS);
}
