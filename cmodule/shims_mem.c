// The ARM EABI memory routines the Rust code calls, forwarded to the C
// library's memcpy/memmove/memset. Rust's compiler_builtins brings its own
// copies (2.6 KB on Cortex-M0 with memcmp, weak and kept global by the prelink, see
// micropython.mk); these strong ones replace them, so the firmware holds one
// set of memory routines. An SDK that routes these names to ROM code (pico-
// sdk's --wrap) still does so for every caller but the Rust object.
#include <string.h>
#include "rq_port.h"

#if defined(__ARM_EABI__) && !defined(__linux__) && !RQ_NATMOD

void __aeabi_memcpy(void *dest, const void *src, size_t n);
void __aeabi_memmove(void *dest, const void *src, size_t n);
void __aeabi_memset(void *dest, size_t n, int c);
void __aeabi_memclr(void *dest, size_t n);

void __aeabi_memcpy(void *dest, const void *src, size_t n) {
    memcpy(dest, src, n);
}
void __aeabi_memmove(void *dest, const void *src, size_t n) {
    memmove(dest, src, n);
}
// The EABI puts the fill value last.
void __aeabi_memset(void *dest, size_t n, int c) {
    memset(dest, c, n);
}
void __aeabi_memclr(void *dest, size_t n) {
    memset(dest, 0, n);
}

// The 4- and 8-byte-aligned variants only promise more alignment: the
// plain bodies serve them, under their names (an alias, not a body each).
#define RQ_MEM_ALIAS(name, target, params) \
    void name params __attribute__((alias(#target)));
RQ_MEM_ALIAS(__aeabi_memcpy4, __aeabi_memcpy, (void *dest, const void *src, size_t n))
RQ_MEM_ALIAS(__aeabi_memcpy8, __aeabi_memcpy, (void *dest, const void *src, size_t n))
RQ_MEM_ALIAS(__aeabi_memmove4, __aeabi_memmove, (void *dest, const void *src, size_t n))
RQ_MEM_ALIAS(__aeabi_memmove8, __aeabi_memmove, (void *dest, const void *src, size_t n))
RQ_MEM_ALIAS(__aeabi_memset4, __aeabi_memset, (void *dest, size_t n, int c))
RQ_MEM_ALIAS(__aeabi_memset8, __aeabi_memset, (void *dest, size_t n, int c))
RQ_MEM_ALIAS(__aeabi_memclr4, __aeabi_memclr, (void *dest, size_t n))
RQ_MEM_ALIAS(__aeabi_memclr8, __aeabi_memclr, (void *dest, size_t n))

#endif
