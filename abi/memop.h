/*
 * The memory accesses a context-sensitive site may be (abi/kinds.def,
 * class CONTEXT): a plain mov between a register or an immediate and
 * memory, 8, 16 or 32 bits, in 32-bit code.  Shared by afterburn-as (is
 * the instruction a rule names one of these?), afterburn verify, and the
 * wedge, which emulates it.  Freestanding.
 */
#ifndef AB_MEMOP_H
#define AB_MEMOP_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

#define AB_MEMOP_NO_SEG 0xff

struct ab_memop {
	uint8_t len;         /* whole instruction, prefixes included */
	uint8_t prefix_len;
	uint8_t write;       /* 1: register/immediate to memory; 0: memory to register */
	uint8_t width;       /* 1, 2 or 4 bytes */
	uint8_t reg;         /* the register operand (x86 number; 8-bit: al cl dl bl ah ch dh bh) */
	uint8_t has_imm;     /* a store of imm, not of reg */
	uint8_t has_modrm;   /* 0: the moffs forms (A0..A3), the address is moffs */
	uint8_t modrm;       /* at p[prefix_len + 1] when has_modrm */
	uint8_t seg;         /* segment override (es 0 cs 1 ss 2 ds 3 fs 4 gs 5) or AB_MEMOP_NO_SEG */
	uint32_t imm;
	uint32_t moffs;
};

/*
 * Decode p[0..n) as one of the memory movs: 88, 89, 8A, 8B with a memory
 * ModRM; C6 /0, C7 /0; A0..A3.  Prefixes: 0x66 and segment overrides
 * (no 0x67, no lock or rep).  Returns the length, or 0 if it is not one
 * (or is truncated, or mode is not AB_MODE_32).
 */
unsigned ab_memop_decode(const uint8_t *p, size_t n, enum ab_mode mode, struct ab_memop *m);

/* The struct ab_insn of a memop annotated as `kind`, for ab_site_fill:
 * layout MEMOP, op_a the register, AB_SITE_MEM, and AB_SITE_IMM for an
 * immediate source. */
void ab_memop_insn(const struct ab_memop *m, unsigned kind, struct ab_insn *in);

/* 1 if m is an instance of the context kind `kind`: a store for
 * dev-write, a load for dev-read; 0 otherwise (any other kind too). */
int ab_memop_matches(unsigned kind, const struct ab_memop *m);

/*
 * The instruction of a site of `kind` at p[0..n), whatever the kind's
 * class, for the readers that check a site's bytes (the loader, verify):
 * for a context kind, a memop of the kind's direction, filled in as
 * ab_memop_insn does (0 if the bytes are none); for every other kind,
 * ab_decode (out->kind says what the bytes are; the caller compares it).
 * Returns the instruction's length, or 0.
 */
unsigned ab_decode_site_insn(const uint8_t *p, size_t n, enum ab_mode mode, unsigned kind,
			     struct ab_insn *out);

#endif
