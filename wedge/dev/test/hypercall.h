/*
 * The host tests' stand-in for wedge/hypercall.h: the same names, but the
 * vCPU page is an ordinary variable and each hypercall is a function in
 * doubles.c that records what it was asked.  The test build puts this
 * directory before wedge/ on the include path.
 */
#ifndef WEDGE_HYPERCALL_H
#define WEDGE_HYPERCALL_H

#include <stdint.h>

#include "vcpu.h"      /* abi/ */
#include "syscall.h"   /* hypervisor/abi/ */

extern struct ab_vcpu test_vcpu;
#define vcpu ((volatile struct ab_vcpu *)&test_vcpu)

void hc_timer(uint32_t period_us, int periodic);
_Noreturn void hc_shutdown(uint32_t code);
/* The reset double ends the same way, with the code TEST_RESET_CODE. */
#define TEST_RESET_CODE 0x10000
_Noreturn void hc_reset(void);
uint32_t *hv_utcb(void);
uint32_t hv_call(uint32_t to);

#endif
