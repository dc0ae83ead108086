/*
 * Unit test of the shared ABI: the sensitive-instruction decoder
 * (decode.c against encodings.def), the kinds table and the no-op padding.
 *
 * Every kind in kinds.def must have at least one positive case here: the
 * test fails for a kind added to the table without one.  Every positive
 * case is also decoded from each of its truncations, from a buffer of
 * exactly that size, so that an out-of-bounds read shows up under ASan.
 *
 * Exit status 0 if every check passed, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "inline.h"
#include "memop.h"
#include "kinds.h"
#include "nops.h"
#include "site.h"

#define M32 AB_MODE_32
#define M64 AB_MODE_64
#define X (-1)          /* field not checked */

#define MEM  AB_SITE_MEM
#define IMM  AB_SITE_IMM
#define REP  AB_SITE_REP
#define C64  AB_SITE_CODE64

struct tcase {
	const char *text;       /* the instruction, AT&T */
	uint8_t bytes[16];
	size_t n;
	enum ab_mode mode;
	unsigned kind;          /* expected; AB_KIND_NONE for "not sensitive" */
	unsigned len;
	int op_a, op_b, width, flags;
};

#define BYTES(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
/* A sensitive instruction: mode, kind, length, op_a, op_b, width, flags, bytes. */
#define P(txt, md, k, l, a, b, w, fl, ...) \
	{ txt, BYTES(__VA_ARGS__), md, AB_KIND_##k, l, a, b, w, fl }
/* Bytes that are not a sensitive instruction in this mode. */
#define N(txt, md, ...) { txt, BYTES(__VA_ARGS__), md, AB_KIND_NONE, 0, X, X, X, X }

static const struct tcase cases[] = {
	/* ---- silent ---- */
	P("pushfl",              M32, PUSHF, 1, 0, 0, 4, 0,   0x9c),
	P("pushfw",              M32, PUSHF, 2, 0, 0, 2, 0,   0x66, 0x9c),
	P("pushfq",              M64, PUSHF, 1, 0, 0, 8, C64, 0x9c),
	P("pushfw (64)",         M64, PUSHF, 2, 0, 0, 2, C64, 0x66, 0x9c),
	P("popfl",               M32, POPF, 1, 0, 0, 4, 0,    0x9d),
	P("popfq",               M64, POPF, 1, 0, 0, 8, C64,  0x9d),
	P("iret",                M32, IRET, 1, 0, 0, 4, 0,    0xcf),
	P("iretw",               M32, IRET, 2, 0, 0, 2, 0,    0x66, 0xcf),
	P("iretq",               M64, IRET, 2, 0, 0, 8, C64,  0x48, 0xcf),
	P("iretl (64)",          M64, IRET, 1, 0, 0, 4, C64,  0xcf),
	P("sgdt 0x12345678",     M32, SGDT, 7, 0, 5, 0, MEM,  0x0f, 0x01, 0x05, 0x78, 0x56, 0x34, 0x12),
	P("sgdt (%eax)",         M32, SGDT, 3, 0, 0, 0, MEM,  0x0f, 0x01, 0x00),
	P("addr16 sgdt 0x1234",  M32, SGDT, 6, 0, 6, 0, MEM,  0x67, 0x0f, 0x01, 0x06, 0x34, 0x12),
	P("addr32 sgdt (%esi)",  M64, SGDT, 4, 0, 6, 0, MEM|C64, 0x67, 0x0f, 0x01, 0x06),
	P("sidt 0x0",            M32, SIDT, 7, 0, 5, 0, MEM,  0x0f, 0x01, 0x0d, 0, 0, 0, 0),
	P("sidt 8(%rsp)",        M64, SIDT, 5, 0, 4, 0, MEM|C64, 0x0f, 0x01, 0x4c, 0x24, 0x08),
	P("sldt %eax",           M32, SLDT, 3, 0, 0, 0, 0,    0x0f, 0x00, 0xc0),
	P("sldt (%eax)",         M32, SLDT, 3, 0, 0, 0, MEM,  0x0f, 0x00, 0x00),
	P("str %eax",            M32, STR, 3, 0, 0, 0, 0,     0x0f, 0x00, 0xc8),
	P("smsw %eax",           M32, SMSW, 3, 0, 0, 0, 0,    0x0f, 0x01, 0xe0),
	P("smsw %ax",            M32, SMSW, 4, 0, 0, 0, 0,    0x66, 0x0f, 0x01, 0xe0),
	P("lar %ecx,%eax",       M32, LAR, 3, 0, 1, 4, 0,     0x0f, 0x02, 0xc1),
	P("lar %cx,%ax",         M32, LAR, 4, 0, 1, 2, 0,     0x66, 0x0f, 0x02, 0xc1),
	P("lsl %ecx,%eax",       M32, LSL, 3, 0, 1, 4, 0,     0x0f, 0x03, 0xc1),
	P("lsl %rcx,%rax",       M64, LSL, 4, 0, 1, 8, C64,   0x48, 0x0f, 0x03, 0xc1),
	P("verr %ax",            M32, VERR, 3, 0, 0, 0, 0,    0x0f, 0x00, 0xe0),
	P("verw %ax",            M32, VERW, 3, 0, 0, 0, 0,    0x0f, 0x00, 0xe8),
	P("verw (%eax)",         M32, VERW, 3, 0, 0, 0, MEM,  0x0f, 0x00, 0x28),
	P("mov %cs,%eax",        M32, MOV_FROM_SREG, 2, 1, 0, 2, 0,   0x8c, 0xc8),
	P("mov %ss,%eax",        M32, MOV_FROM_SREG, 2, 2, 0, 2, 0,   0x8c, 0xd0),
	P("mov %ss,(%eax)",      M32, MOV_FROM_SREG, 2, 2, 0, 2, MEM, 0x8c, 0x10),
	P("mov %cs,%rax",        M64, MOV_FROM_SREG, 3, 1, 0, 2, C64, 0x48, 0x8c, 0xc8),
	P("push %cs",            M32, PUSH_SREG, 1, 1, 0, 0, 0, 0x0e),
	P("push %ss",            M32, PUSH_SREG, 1, 2, 0, 0, 0, 0x16),
	P("lret",                M32, LRET, 1, 0, 0, 4, 0,    0xcb),
	P("lret $8",             M32, LRET, 3, 8, 0, 4, IMM,  0xca, 0x08, 0x00),
	P("lretw $0x104",        M32, LRET, 4, 4, 1, 2, IMM,  0x66, 0xca, 0x04, 0x01),
	P("lretq",               M64, LRET, 2, 0, 0, 8, C64,  0x48, 0xcb),
	P("ljmp $0x10,$0x12345678", M32, LJMP, 7, 0x10, 0, 4, IMM, 0xea, 0x78, 0x56, 0x34, 0x12, 0x10, 0x00),
	P("ljmpw $0x10,$0x1234", M32, LJMP, 6, 0x10, 0, 2, IMM, 0x66, 0xea, 0x34, 0x12, 0x10, 0x00),
	P("ljmp *0x0",           M32, LJMP, 6, 0, 0, 4, MEM,  0xff, 0x2d, 0, 0, 0, 0),
	P("ljmp *(%esp)",        M32, LJMP, 3, 0, 0, 4, MEM,  0xff, 0x2c, 0x24),
	P("ljmp *(%rax)",        M64, LJMP, 2, 0, 0, 4, MEM|C64, 0xff, 0x28),
	P("lcall $0x10,$0x12345678", M32, LCALL, 7, 0x10, 0, 4, IMM, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x10, 0x00),
	P("lcall *0x0",          M32, LCALL, 6, 0, 0, 4, MEM, 0xff, 0x1d, 0, 0, 0, 0),
	P("cpuid",               M32, CPUID, 2, 0, 0, 0, 0,   0x0f, 0xa2),
	P("cpuid (64)",          M64, CPUID, 2, 0, 0, 0, C64, 0x0f, 0xa2),

	/* ---- trapping ---- */
	P("cli",                 M32, CLI, 1, 0, 0, 0, 0,     0xfa),
	P("sti",                 M32, STI, 1, 0, 0, 0, 0,     0xfb),
	P("hlt",                 M32, HLT, 1, 0, 0, 0, 0,     0xf4),
	P("hlt (64)",            M64, HLT, 1, 0, 0, 0, C64,   0xf4),
	P("in $0x60,%al",        M32, IN, 2, 0x60, 0, 1, IMM, 0xe4, 0x60),
	P("in $0x60,%eax",       M32, IN, 2, 0x60, 0, 4, IMM, 0xe5, 0x60),
	P("in $0x60,%ax",        M32, IN, 3, 0x60, 0, 2, IMM, 0x66, 0xe5, 0x60),
	P("in (%dx),%al",        M32, IN, 1, 0, 0, 1, 0,      0xec),
	P("in (%dx),%eax",       M32, IN, 1, 0, 0, 4, 0,      0xed),
	P("out %al,$0x80",       M32, OUT, 2, 0x80, 0, 1, IMM, 0xe6, 0x80),
	P("out %eax,$0x80",      M32, OUT, 2, 0x80, 0, 4, IMM, 0xe7, 0x80),
	P("out %al,(%dx)",       M32, OUT, 1, 0, 0, 1, 0,     0xee),
	P("out %ax,(%dx)",       M32, OUT, 2, 0, 0, 2, 0,     0x66, 0xef),
	P("insb",                M32, INS, 1, 0, 0, 1, 0,     0x6c),
	P("rep insl",            M32, INS, 2, 0, 0, 4, REP,   0xf3, 0x6d),
	P("outsb",               M32, OUTS, 1, 0, 0, 1, 0,    0x6e),
	P("rep outsw",           M32, OUTS, 3, 0, 0, 2, REP,  0xf3, 0x66, 0x6f),
	P("mov %eax,%cr3",       M32, MOV_TO_CR, 3, 3, 0, 4, 0,   0x0f, 0x22, 0xd8),
	P("mov %rax,%cr3",       M64, MOV_TO_CR, 3, 3, 0, 8, C64, 0x0f, 0x22, 0xd8),
	/* mod is ignored for control registers: never a displacement. */
	P("mov %cr0,%ebp (mod 0)", M32, MOV_FROM_CR, 3, 0, 5, 4, 0, 0x0f, 0x20, 0x05),
	P("mov %cr4,%eax",       M32, MOV_FROM_CR, 3, 4, 0, 4, 0, 0x0f, 0x20, 0xe0),
	P("mov %cr8,%rax (REX.R)", M64, MOV_FROM_CR, 4, 8, 0, 8, C64, 0x44, 0x0f, 0x20, 0xc0),
	P("mov %r9,%cr3 (REX.B)", M64, MOV_TO_CR, 4, 3, 9, 8, C64, 0x41, 0x0f, 0x22, 0xd9),
	P("lock mov %eax,%cr0 (AMD cr8)", M32, MOV_TO_CR, 4, 0, 0, 4, 0, 0xf0, 0x0f, 0x22, 0xc0),
	P("mov %eax,%db7",       M32, MOV_TO_DR, 3, 7, 0, 4, 0,   0x0f, 0x23, 0xf8),
	P("mov %db6,%eax",       M32, MOV_FROM_DR, 3, 6, 0, 4, 0, 0x0f, 0x21, 0xf0),
	P("lgdt 0x0",            M32, LGDT, 7, 0, 5, 0, MEM,  0x0f, 0x01, 0x15, 0, 0, 0, 0),
	P("lgdt 0x10(%eax,%ebx,4)", M32, LGDT, 5, 0, 4, 0, MEM, 0x0f, 0x01, 0x54, 0x98, 0x10),
	P("lidt 4(%esp)",        M32, LIDT, 5, 0, 4, 0, MEM,  0x0f, 0x01, 0x5c, 0x24, 0x04),
	P("lidt 0x100(%ebp)",    M32, LIDT, 7, 0, 5, 0, MEM,  0x0f, 0x01, 0x9d, 0x00, 0x01, 0, 0),
	P("lidt (,%eax,1) abs",  M32, LIDT, 8, 0, 4, 0, MEM,  0x0f, 0x01, 0x1c, 0x05, 0, 0, 0, 0),
	P("lidt 0x0(%rip)",      M64, LIDT, 7, 0, 5, 0, MEM|C64, 0x0f, 0x01, 0x1d, 0, 0, 0, 0),
	P("lldt %ax",            M32, LLDT, 3, 0, 0, 0, 0,    0x0f, 0x00, 0xd0),
	P("ltr %ax",             M32, LTR, 3, 0, 0, 0, 0,     0x0f, 0x00, 0xd8),
	P("lmsw %ax",            M32, LMSW, 3, 0, 0, 0, 0,    0x0f, 0x01, 0xf0),
	P("clts",                M32, CLTS, 2, 0, 0, 0, 0,    0x0f, 0x06),
	P("invlpg (%eax)",       M32, INVLPG, 3, 0, 0, 0, MEM, 0x0f, 0x01, 0x38),
	P("invlpg 0x8(%bx,%si) addr16", M32, INVLPG, 5, 0, 0, 0, MEM, 0x67, 0x0f, 0x01, 0x78, 0x08),
	P("invd",                M32, INVD, 2, 0, 0, 0, 0,    0x0f, 0x08),
	P("wbinvd",              M32, WBINVD, 2, 0, 0, 0, 0,  0x0f, 0x09),
	P("rdmsr",               M32, RDMSR, 2, 0, 0, 0, 0,   0x0f, 0x32),
	P("wrmsr",               M32, WRMSR, 2, 0, 0, 0, 0,   0x0f, 0x30),
	P("rdpmc",               M32, RDPMC, 2, 0, 0, 0, 0,   0x0f, 0x33),
	P("sysenter",            M32, SYSENTER, 2, 0, 0, 0, 0, 0x0f, 0x34),
	P("sysexit",             M32, SYSEXIT, 2, 0, 0, 0, 0, 0x0f, 0x35),
	P("mov %eax,%ds",        M32, MOV_TO_SREG, 2, 3, 0, 2, 0,   0x8e, 0xd8),
	P("mov (%eax),%ss",      M32, MOV_TO_SREG, 2, 2, 0, 2, MEM, 0x8e, 0x10),
	P("mov %ax,%gs (64)",    M64, MOV_TO_SREG, 2, 5, 0, 2, C64, 0x8e, 0xe8),
	P("pop %es",             M32, POP_SREG, 1, 0, 0, 0, 0, 0x07),
	P("pop %ss",             M32, POP_SREG, 1, 2, 0, 0, 0, 0x17),
	P("pop %ds",             M32, POP_SREG, 1, 3, 0, 0, 0, 0x1f),
	P("pop %fs",             M32, POP_SREG, 2, 4, 0, 0, 0, 0x0f, 0xa1),
	P("pop %gs",             M32, POP_SREG, 2, 5, 0, 0, 0, 0x0f, 0xa9),
	P("pop %fs (64)",        M64, POP_SREG, 2, 4, 0, 0, C64, 0x0f, 0xa1),
	P("les (%esi),%eax",     M32, LOAD_FAR_PTR, 2, 0, 0, 4, MEM, 0xc4, 0x06),
	P("lds (%esi),%eax",     M32, LOAD_FAR_PTR, 2, 3, 0, 4, MEM, 0xc5, 0x06),
	P("lds 4(%esp),%ecx",    M32, LOAD_FAR_PTR, 4, 3, 1, 4, MEM, 0xc5, 0x4c, 0x24, 0x04),
	P("lss (%esi),%esp",     M32, LOAD_FAR_PTR, 3, 2, 4, 4, MEM, 0x0f, 0xb2, 0x26),
	P("lfs (%esi),%ax",      M32, LOAD_FAR_PTR, 4, 4, 0, 2, MEM, 0x66, 0x0f, 0xb4, 0x06),
	P("lgs (%esi),%eax",     M32, LOAD_FAR_PTR, 3, 5, 0, 4, MEM, 0x0f, 0xb5, 0x06),
	P("lss (%rsi),%rsp",     M64, LOAD_FAR_PTR, 4, 2, 4, 8, MEM|C64, 0x48, 0x0f, 0xb2, 0x26),
	P("swapgs",              M64, SWAPGS, 3, 0, 0, 0, C64, 0x0f, 0x01, 0xf8),
	P("syscall",             M64, SYSCALL, 2, 0, 0, 0, C64, 0x0f, 0x05),
	P("syscall (32)",        M32, SYSCALL, 2, 0, 0, 0, 0,   0x0f, 0x05),
	P("sysretl",             M64, SYSRET, 2, 0, 0, 0, C64, 0x0f, 0x07),
	P("sysretq",             M64, SYSRET, 3, 0, 0, 0, C64, 0x48, 0x0f, 0x07),

	/* ---- rdtsc: trapping under CR4.TSD ---- */
	P("rdtsc",               M32, RDTSC, 2, 0, 0, 0, 0,   0x0f, 0x31),
	P("rdtsc (64)",          M64, RDTSC, 2, 0, 0, 0, C64, 0x0f, 0x31),

	/* ---- prefixes ---- */
	P("cs sidt 0x0",         M32, SIDT, 8, 0, 5, 0, MEM,  0x2e, 0x0f, 0x01, 0x0d, 0, 0, 0, 0),
	P("ds pushf",            M32, PUSHF, 2, 0, 0, 4, 0,   0x3e, 0x9c),
	P("gs lgdt (%eax)",      M32, LGDT, 4, 0, 0, 0, MEM,  0x65, 0x0f, 0x01, 0x10),
	P("data16 addr16 lgdt 0x0", M32, LGDT, 7, 0, 6, 0, MEM, 0x66, 0x67, 0x0f, 0x01, 0x16, 0x00, 0x00),
	P("rep outsb with seg",  M32, OUTS, 3, 0, 0, 1, REP,  0x26, 0xf3, 0x6e),
	P("14 prefixes + pushf = 15 bytes", M32, PUSHF, 15, 0, 0, 4, 0,
	  0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x9c),

	/* ---- not sensitive ---- */
	N("nop",                 M32, 0x90),
	N("mov %eax,%ebx",       M32, 0x89, 0xc3),
	N("ret",                 M32, 0xc3),
	N("mov %ds,%eax",        M32, 0x8c, 0xd8),
	N("push %ds",            M32, 0x1e),
	N("push %fs",            M32, 0x0f, 0xa0),
	N("vmcall",              M32, 0x0f, 0x01, 0xc1),
	N("xgetbv",              M32, 0x0f, 0x01, 0xd0),
	N("rdtscp",              M32, 0x0f, 0x01, 0xf9),
	N("0f 01 f8 is not swapgs in 32-bit mode", M32, 0x0f, 0x01, 0xf8),
	N("sgdt needs memory",   M32, 0x0f, 0x01, 0xc0),
	N("jmp *%eax",           M32, 0xff, 0xe0),
	N("call *(%eax)",        M32, 0xff, 0x10),
	N("ljmp needs memory",   M32, 0xff, 0xe8),
	N("vex (c5 mod 3)",      M32, 0xc5, 0xf8, 0x77),
	N("15 prefixes",         M32, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26,
					0x26, 0x26, 0x26, 0x26, 0x26, 0x9c),
	N("push %cs (64)",       M64, 0x0e),
	N("push %ss (64)",       M64, 0x16),
	N("pop %es (64)",        M64, 0x07),
	N("ljmp ptr (64)",       M64, 0xea, 0x78, 0x56, 0x34, 0x12, 0x10, 0x00),
	N("lcall ptr (64)",      M64, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x10, 0x00),
	N("vex3 (c4, 64)",       M64, 0xc4, 0xe2, 0x79, 0x18, 0x06),
	N("vex2 (c5, 64)",       M64, 0xc5, 0xf8, 0x77),
};

#define NCASES (sizeof cases / sizeof cases[0])

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

/* Decode from a heap buffer of exactly n bytes, so ASan sees overreads. */
static unsigned decode_exact(const uint8_t *bytes, size_t n, enum ab_mode mode, struct ab_insn *d)
{
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf) {
		perror("malloc");
		exit(2);
	}
	memcpy(buf, bytes, n);
	unsigned len = ab_decode(buf, n, mode, d);
	free(buf);
	return len;
}

static void check_field(const struct tcase *c, const char *what, int want, unsigned got)
{
	if (want != X)
		CHECK((unsigned)want == got, "%s: %s is %u, expected %d", c->text, what, got, want);
}

static void test_case(const struct tcase *c)
{
	struct ab_insn d;
	memset(&d, 0xa5, sizeof d);
	unsigned len = decode_exact(c->bytes, c->n, c->mode, &d);
	if (c->kind == AB_KIND_NONE) {
		CHECK(len == 0, "%s: decoded as %s (%u bytes), expected not sensitive",
		      c->text, ab_kinds[d.kind < AB_KIND_COUNT ? d.kind : 0].name, len);
		return;
	}
	CHECK(c->n == c->len, "%s: test case has %zu bytes, expected length %u", c->text, c->n, c->len);
	CHECK(len == c->len, "%s: length %u, expected %u", c->text, len, c->len);
	if (!len)
		return;
	CHECK(d.kind == c->kind, "%s: kind %s, expected %s", c->text,
	      d.kind < AB_KIND_COUNT ? ab_kinds[d.kind].name : "?", ab_kinds[c->kind].name);
	CHECK(d.len == len, "%s: insn.len %u != returned %u", c->text, d.len, len);
	check_field(c, "op_a", c->op_a, d.op_a);
	check_field(c, "op_b", c->op_b, d.op_b);
	check_field(c, "width", c->width, d.width);
	check_field(c, "flags", c->flags, d.flags);

	/* Each truncation is "not sensitive" and reads nothing past its end. */
	for (size_t k = 0; k < c->n; k++) {
		struct ab_insn t;
		unsigned tl = decode_exact(c->bytes, k, c->mode, &t);
		CHECK(tl == 0, "%s: truncated to %zu bytes, decoded as %u bytes", c->text, k, tl);
	}

	/* Trailing bytes do not change the answer. */
	uint8_t longer[32];
	memcpy(longer, c->bytes, c->n);
	memset(longer + c->n, 0xcc, sizeof longer - c->n);
	struct ab_insn l;
	CHECK(decode_exact(longer, sizeof longer, c->mode, &l) == c->len && l.kind == c->kind,
	      "%s: different result with trailing bytes", c->text);

	/* The record derived from it is a valid v1 record. */
	struct ab_site_record r;
	unsigned site_len = ab_kinds[d.kind].site_len > len ? ab_kinds[d.kind].site_len : len;
	ab_site_fill(&r, &d, site_len);
	CHECK(ab_site_version(&r) == AB_SITE_VERSION, "%s: record version %u", c->text, ab_site_version(&r));
	CHECK(r.kind == d.kind && r.insn_len == len && r.len == site_len,
	      "%s: record kind/insn_len/len %u/%u/%u", c->text, r.kind, r.insn_len, r.len);
	CHECK((r.flags & 0x0f) == d.flags && r.op_a == d.op_a && r.op_b == d.op_b &&
	      r.width == d.width && r.modrm == d.modrm, "%s: record operands differ", c->text);
}

static void test_decoder(void)
{
	int seen[AB_KIND_COUNT] = { 0 };
	for (size_t i = 0; i < NCASES; i++) {
		test_case(&cases[i]);
		seen[cases[i].kind] = 1;
	}
	/* Context kinds have no opcode: test_memop covers them. */
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		CHECK(seen[k] || ab_kinds[k].cls == AB_CLASS_CONTEXT, "kind %s has no test case", ab_kinds[k].name);
	CHECK(ab_decode(NULL, 0, M32, NULL) == 0, "empty input");
	static const uint8_t cli = 0xfa;
	CHECK(ab_decode(&cli, 1, M32, NULL) == 1, "a NULL out is allowed");
}

static void test_kinds(void)
{
	CHECK(ab_kind_info(AB_KIND_NONE) == NULL, "kind 0 is not a kind");
	CHECK(ab_kind_info(AB_KIND_COUNT) == NULL, "kind COUNT is not a kind");
	CHECK(ab_kind_by_name("no-such-kind") == AB_KIND_NONE, "unknown name");
	for (unsigned k = 1; k < AB_KIND_COUNT; k++) {
		const struct ab_kind_info *ki = ab_kind_info(k);
		CHECK(ki && ki->name && ki->name[0], "kind %u has no name", k);
		if (!ki)
			continue;
		CHECK(ab_kind_by_name(ki->name) == (enum ab_kind)k, "kind %s: name lookup", ki->name);
		CHECK(ki->cls <= AB_CLASS_CONTEXT, "kind %s: class %u", ki->name, ki->cls);
		CHECK(ki->site_len >= 5, "kind %s: site_len %u < 5 (a call rel32)", ki->name, ki->site_len);
		CHECK(strcmp(ab_class_name(ki->cls), "unknown") != 0, "kind %s: class name", ki->name);
	}
	/* The record layout is ABI. */
	CHECK(sizeof(struct ab_site_record) == AB_SITE_SIZE, "record size");
}

struct mcase {
	const char *text;
	uint8_t bytes[12];
	unsigned n, len, write, width, reg, has_imm, has_modrm, seg;
	uint32_t imm, moffs;
};

static const struct mcase mcases[] = {
	{ "mov %eax,(%ebx)",          { 0x89, 0x03 }, 2, 2, 1, 4, 0, 0, 1, AB_MEMOP_NO_SEG, 0, 0 },
	{ "mov %cx,0x10(%esi)",       { 0x66, 0x89, 0x4e, 0x10 }, 4, 4, 1, 2, 1, 0, 1, AB_MEMOP_NO_SEG, 0, 0 },
	{ "mov %dl,(%eax,%ebx,4)",    { 0x88, 0x14, 0x98 }, 3, 3, 1, 1, 2, 0, 1, AB_MEMOP_NO_SEG, 0, 0 },
	{ "mov 0x10(%edx),%edi",      { 0x8b, 0x7a, 0x10 }, 3, 3, 0, 4, 7, 0, 1, AB_MEMOP_NO_SEG, 0, 0 },
	{ "mov %fs:(%ecx),%al",       { 0x64, 0x8a, 0x01 }, 3, 3, 0, 1, 0, 0, 1, 4, 0, 0 },
	{ "movl $0x12345678,0x20(%ebp)", { 0xc7, 0x45, 0x20, 0x78, 0x56, 0x34, 0x12 }, 7, 7, 1, 4, 0, 1, 1, AB_MEMOP_NO_SEG, 0x12345678, 0 },
	{ "movw $0xbeef,(%eax)",      { 0x66, 0xc7, 0x00, 0xef, 0xbe }, 5, 5, 1, 2, 0, 1, 1, AB_MEMOP_NO_SEG, 0xbeef, 0 },
	{ "movb $7,0xfec00000",       { 0xc6, 0x05, 0x00, 0x00, 0xc0, 0xfe, 0x07 }, 7, 7, 1, 1, 0, 1, 1, AB_MEMOP_NO_SEG, 7, 0 },
	{ "mov 0xfec00010,%eax",      { 0xa1, 0x10, 0x00, 0xc0, 0xfe }, 5, 5, 0, 4, 0, 0, 0, AB_MEMOP_NO_SEG, 0, 0xfec00010 },
	{ "mov %al,0x1000",           { 0xa2, 0x00, 0x10, 0x00, 0x00 }, 5, 5, 1, 1, 0, 0, 0, AB_MEMOP_NO_SEG, 0, 0x1000 },
	/* not memops */
	{ "mov %eax,%ebx",            { 0x89, 0xc3 }, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "movl $1,(%eax) /1",        { 0xc7, 0x08, 1, 0, 0, 0 }, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "addr16 mov",               { 0x67, 0x89, 0x07 }, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "lock mov",                 { 0xf0, 0x89, 0x03 }, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "truncated imm",            { 0xc7, 0x00, 0x01, 0x02 }, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "truncated moffs",          { 0xa1, 0x00, 0x10 }, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "cli",                      { 0xfa }, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
};

static void test_memop(void)
{
	for (size_t i = 0; i < sizeof mcases / sizeof mcases[0]; i++) {
		const struct mcase *c = &mcases[i];
		struct ab_memop m;
		unsigned len = ab_memop_decode(c->bytes, c->n, M32, &m);
		CHECK(len == c->len, "memop %s: length %u, want %u", c->text, len, c->len);
		if (!len || len != c->len)
			continue;
		CHECK(m.write == c->write && m.width == c->width && m.has_imm == c->has_imm &&
		      m.has_modrm == c->has_modrm && m.seg == c->seg,
		      "memop %s: write/width/imm/modrm/seg %u/%u/%u/%u/%u", c->text, m.write, m.width,
		      m.has_imm, m.has_modrm, m.seg);
		CHECK(c->has_imm || m.reg == c->reg, "memop %s: reg %u", c->text, m.reg);
		CHECK(m.imm == c->imm && m.moffs == c->moffs, "memop %s: imm/moffs", c->text);
		CHECK(ab_memop_decode(c->bytes, c->n - 1, M32, &m) == 0, "memop %s: truncated is no memop", c->text);
		CHECK(ab_memop_decode(c->bytes, c->n, AB_MODE_64, &m) == 0, "memop %s: 32-bit only", c->text);
		ab_memop_decode(c->bytes, c->n, M32, &m);
		struct ab_insn in;
		struct ab_site_record r;
		ab_memop_insn(&m, AB_KIND_DEV_WRITE, &in);
		ab_site_fill(&r, &in, 5 > len ? 5 : len);
		CHECK(r.kind == AB_KIND_DEV_WRITE && r.insn_len == len && (r.flags & AB_SITE_MEM) &&
		      !!(r.flags & AB_SITE_IMM) == c->has_imm && r.width == c->width,
		      "memop %s: record", c->text);
	}
}

/* The site readers' decoder: memops for context kinds, by direction. */
static void test_decode_site_insn(void)
{
	static const uint8_t store[] = { 0x89, 0x03, 0x90 }, load[] = { 0x8b, 0x43, 0x10 };
	static const uint8_t cli[] = { 0xfa }, cr3[] = { 0x0f, 0x20, 0xd8 };
	struct ab_insn in;
	CHECK(ab_decode_site_insn(store, sizeof store, M32, AB_KIND_DEV_WRITE, &in) == 2 &&
	      in.kind == AB_KIND_DEV_WRITE && (in.flags & AB_SITE_MEM), "a store is a dev-write");
	CHECK(ab_decode_site_insn(store, sizeof store, M32, AB_KIND_DEV_READ, &in) == 0, "a store is no dev-read");
	CHECK(ab_decode_site_insn(load, sizeof load, M32, AB_KIND_DEV_READ, &in) == 3 &&
	      in.kind == AB_KIND_DEV_READ, "a load is a dev-read");
	CHECK(ab_decode_site_insn(load, sizeof load, M32, AB_KIND_DEV_WRITE, &in) == 0, "a load is no dev-write");
	CHECK(ab_decode_site_insn(cli, 1, M32, AB_KIND_DEV_WRITE, &in) == 0, "cli is no memop");
	CHECK(ab_decode_site_insn(cli, 1, M32, AB_KIND_CLI, &in) == 1 && in.kind == AB_KIND_CLI, "cli");
	CHECK(ab_decode_site_insn(cr3, 3, M32, AB_KIND_PUSHF, &in) == 3 && in.kind == AB_KIND_MOV_FROM_CR,
	      "other kinds: what ab_decode says, for the caller to compare");
	CHECK(ab_decode_site_insn(store, sizeof store, M32, AB_KIND_PUSHF, &in) == 0, "a store is not sensitive");
}

/* The inline tables: one source for the loader and afterburn-as. */
static void test_inline(void)
{
	CHECK(ab_kind_inline_len(AB_KIND_CLI) == 7, "cli: movb $0, vcpu_if is 7 bytes");
	CHECK(ab_kind_inline_len(AB_KIND_CLI) <= ab_kinds[AB_KIND_CLI].site_len, "cli fits its default site");
	CHECK(ab_kind_inline_len(AB_KIND_MOV_FROM_CR) == 6, "mov-from-cr: mov abs32, %%reg is 6 bytes");
	CHECK(ab_kind_inline_len(AB_KIND_DEV_WRITE) == 0 && ab_kind_inline_len(AB_KIND_RDTSC) == 0 &&
	      ab_kind_inline_len(AB_KIND_STI) == 0, "kinds without an inline form");
	CHECK(ab_kind_inline_len(AB_KIND_NONE) == 0 && ab_kind_inline_len(AB_KIND_COUNT) == 0 &&
	      ab_kind_inline_len(255) == 0, "no kind");
	CHECK(ab_l4_action(AB_KIND_RDTSC) == AB_L4_NATIVE && ab_l4_action(AB_KIND_PUSHF) == AB_L4_CALL &&
	      ab_l4_action(AB_KIND_COUNT) == AB_L4_CALL, "l4 actions");
	for (unsigned k = 1; k < AB_KIND_COUNT; k++) {
		const struct ab_inline_template *t = ab_inline_template(k);
		CHECK(!t == (ab_kind_inline_len(k) == 0), "kind %s: template and length agree", ab_kinds[k].name);
		CHECK(!t || ab_l4_action(k) == AB_L4_INLINE, "kind %s: a template only for INLINE", ab_kinds[k].name);
		if (!t)
			continue;
		CHECK(t->len >= 1 && t->len <= AB_INLINE_MAX, "kind %s: template length %u", ab_kinds[k].name, t->len);
		CHECK(ab_kinds[k].cls != AB_CLASS_CONTEXT, "kind %s: context kinds always call", ab_kinds[k].name);
		for (unsigned h = 0; h < AB_INLINE_HOLES; h++) {
			unsigned size = t->hole[h].type == AB_HOLE_MODRM_REG ? 1 : t->hole[h].type ? 4 : 0;
			CHECK(t->hole[h].offset + size <= t->len, "kind %s: hole %u inside the template",
			      ab_kinds[k].name, h);
		}
	}
	const struct ab_inline_template *t = ab_inline_template(AB_KIND_MOV_FROM_CR);
	CHECK(t && t->bytes[0] == 0x8b && t->bytes[1] == 0x05, "mov-from-cr: 8B /r, mod 00 rm 101");
}

/* Check ab_is_padding on a heap copy of exactly n bytes. */
static int padding_exact(const uint8_t *bytes, size_t n)
{
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf) {
		perror("malloc");
		exit(2);
	}
	memcpy(buf, bytes, n);
	int r = ab_is_padding(buf, n);
	free(buf);
	return r;
}

static void test_nops(void)
{
	for (size_t n = 0; n <= 64; n++) {
		uint8_t buf[72];
		memset(buf, 0xcc, sizeof buf);
		ab_nop_fill(buf, n);
		CHECK(buf[n] == 0xcc, "ab_nop_fill(%zu) wrote past the end", n);
		CHECK(padding_exact(buf, n), "ab_nop_fill(%zu) is not padding", n);
		if (n >= 2 && n <= AB_NOP_MAX)
			CHECK(!padding_exact(buf, n - 1),
			      "the %zu-byte no-op cut short still counts as padding", n);
		struct ab_insn d;
		CHECK(decode_exact(buf, n, M32, &d) == 0 && decode_exact(buf, n, M64, &d) == 0,
		      "padding of %zu bytes decodes as sensitive", n);
		/* A sensitive instruction hidden in padding is not padding. */
		if (n) {
			buf[n - 1] = 0xfa;
			CHECK(!padding_exact(buf, n), "cli at the end of %zu bytes of padding is padding", n);
		}
	}
	static const struct { const char *text; uint8_t b[8]; size_t n; int want; } pads[] = {
		{ "two nops",        { 0x90, 0x90 }, 2, 1 },
		{ "xchg %ax,%ax",    { 0x66, 0x90 }, 2, 1 },
		{ "nopl (%eax)",     { 0x0f, 0x1f, 0x00 }, 3, 1 },
		{ "nopw 0(%eax,%eax)", { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 6, 1 },
		{ "nop then nopl",   { 0x90, 0x0f, 0x1f, 0x40, 0x00 }, 5, 1 },
		{ "truncated nopl",  { 0x0f, 0x1f }, 2, 0 },
		{ "int3",            { 0xcc }, 1, 0 },
		{ "nopl with other disp", { 0x0f, 0x1f, 0x40, 0x01 }, 4, 0 },
		{ "nopl 0(%eax,%eax) short", { 0x0f, 0x1f, 0x44, 0x00 }, 4, 0 },
		{ "cli",             { 0xfa }, 1, 0 },
		{ "nop, cli",        { 0x90, 0xfa }, 2, 0 },
	};
	for (size_t i = 0; i < sizeof pads / sizeof pads[0]; i++)
		CHECK(padding_exact(pads[i].b, pads[i].n) == pads[i].want, "padding %s: expected %d",
		      pads[i].text, pads[i].want);
}

int main(void)
{
	test_kinds();
	test_decoder();
	test_nops();
	test_memop();
	test_decode_site_insn();
	test_inline();
	if (failures) {
		fprintf(stderr, "abi_test: %d checks failed\n", failures);
		return 1;
	}
	printf("abi_test: %zu decoder cases, %u kinds: all passed\n", NCASES, AB_KIND_COUNT - 1);
	return 0;
}
