/*
 * The multi-byte no-ops that pad a site.  afterburn-as writes them and
 * afterburn verify checks for them.  Freestanding.
 */
#ifndef AB_NOPS_H
#define AB_NOPS_H

#include <stddef.h>
#include <stdint.h>

#define AB_NOP_MAX 8   /* longest single no-op we emit */

/* Write n bytes of no-op padding to buf: the longest no-ops first. */
void ab_nop_fill(uint8_t *buf, size_t n);

/* 1 if buf[0..n) is exactly a sequence of the no-ops ab_nop_fill writes
 * (or single 0x90s), 0 otherwise. */
int ab_is_padding(const uint8_t *buf, size_t n);

#endif
