// mp_hal_ticks_ms for the micro:bit (nRF51) under QEMU.
//
// As on the MPS2 board, the qemu port has no time source of its own and the
// SysTick vector belongs to its fault handler. TIMER1 runs free here at
// 1 MHz (16 MHz >> 4) in 32-bit mode, started on first use; each call
// latches the count with a capture task and adds the microseconds since the
// previous call to a millisecond count, which is right as long as calls are
// less than 71 minutes apart (the 32-bit count's period); the module reads
// the clock at least once per socket operation. 32-bit arithmetic only:
// libgcc's 64-bit division brings unwind tables this linker script does not
// place.

#include <stdbool.h>
#include "py/mphal.h"

#define NRF51_TIMER1 (0x40009000)
#define TIMER_REG(offset) (*(volatile uint32_t *)(NRF51_TIMER1 + (offset)))
#define TASKS_START TIMER_REG(0x000)
#define TASKS_CLEAR TIMER_REG(0x00c)
#define TASKS_CAPTURE0 TIMER_REG(0x040)
#define MODE TIMER_REG(0x504)
#define BITMODE TIMER_REG(0x508)
#define PRESCALER TIMER_REG(0x510)
#define CC0 TIMER_REG(0x540)

static bool started;
static uint32_t last_count;
static uint32_t elapsed_ms;
static uint32_t leftover_us;

mp_uint_t mp_hal_ticks_ms(void) {
    if (!started) {
        MODE = 0;       // timer, not counter
        BITMODE = 3;    // 32 bits
        PRESCALER = 4;  // 16 MHz / 2^4
        TASKS_CLEAR = 1;
        TASKS_START = 1;
        started = true;
    }
    TASKS_CAPTURE0 = 1;
    uint32_t now = CC0;
    uint32_t us = now - last_count + leftover_us;
    last_count = now;
    elapsed_ms += us / 1000;
    leftover_us = us % 1000;
    return elapsed_ms;
}
