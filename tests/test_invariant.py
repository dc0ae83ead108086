"""Acceptance point (d): annotation changes nothing but the padding.

Each .s file is assembled twice by afterburn-as, with policy none and with
policy full.  Both objects are disassembled (objdump), the padding of every
site ([site + insn_len, site + len), or the bytes before the instruction for
kinds padded first (sti), from the .afterburn records after their
relocations) is removed from the annotated stream, and the two instruction
streams must then be the same instruction for instruction:

  * same mnemonics and operands;
  * relative branch targets compared after mapping both to positions in the
    common stream (padding shifts addresses), so that a branch relaxed from
    rel8 to rel32 is the same instruction;
  * relocations compared by type, symbol and target, where a target inside an
    executable section is mapped the same way (the i386 in-place addends
    shift with the code);
  * relocations in data sections (jump tables, exception tables,
    .altinstructions) and the symbols in code sections map to the same
    positions as well.

No-op instructions that are present in only one stream are alignment fill
(.p2align, and the .skip of Linux's ALTERNATIVE, which shrinks when the
original grows by its padding): they are counted and reported, never
compared.  Everything else is.

Inputs: self-contained C files dense in inline-asm sensitive instructions,
compiled by gcc and clang with -m32 -O2 -S, a hand-written .s, and, when a
Linux build exists under build/linux/<name>/, a few kernel files compiled
with their own Kbuild command line (-S instead of -c).
"""
import bisect
import collections
import dataclasses
import os
import pathlib
import re
import shlex
import subprocess
import textwrap

import pytest

import elfutil as E

pytestmark = pytest.mark.afterburner

ROOT = pathlib.Path(__file__).resolve().parent.parent
LSAN_SUPP = ROOT / "tests" / "fuzz" / "known-llvm" / "lsan.supp"

# ---------------------------------------------------------------------------
# inputs of our own

DEVICES_C = r"""
/* Port I/O, interrupt flags, control registers: a toy PC driver layer. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outb(u8 v, u16 port) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline u16 inw(u16 port) { u16 v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(u32 v, u16 port) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline void insw(u16 port, void *buf, u32 n)
{ asm volatile("rep; insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory"); }
static inline void outsl(u16 port, const void *buf, u32 n)
{ asm volatile("rep; outsl" : "+S"(buf), "+c"(n) : "d"(port) : "memory"); }
static inline u32 save_flags(void) { u32 f; asm volatile("pushf; pop %0" : "=rm"(f) :: "memory"); return f; }
static inline void restore_flags(u32 f) { asm volatile("push %0; popf" :: "g"(f) : "memory", "cc"); }
static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline u32 irq_save(void) { u32 f = save_flags(); cli(); return f; }
static inline u32 read_cr0(void) { u32 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr0(u32 v) { asm volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline u32 read_cr3(void) { u32 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(u32 v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void invlpg(void *p) { asm volatile("invlpg (%0)" :: "r"(p) : "memory"); }
static inline u64 rdmsr(u32 msr) { u32 lo, hi; asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return lo | (u64)hi << 32; }
static inline void wrmsr(u32 msr, u64 v) { asm volatile("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory"); }
static inline void cpuid(u32 *a, u32 *b, u32 *c, u32 *d)
{ asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "0"(*a), "2"(*c)); }

struct pic { u16 cmd, data; u8 mask; };
static struct pic pics[2] = { { 0x20, 0x21, 0xfb }, { 0xa0, 0xa1, 0xff } };
volatile u32 ticks, spurious;

void pic_init(void)
{
	u32 f = irq_save();
	for (int i = 0; i < 2; i++) {
		outb(0x11, pics[i].cmd);
		outb(0x20 + 8 * i, pics[i].data);
		outb(i ? 2 : 4, pics[i].data);
		outb(0x01, pics[i].data);
		outb(pics[i].mask, pics[i].data);
	}
	restore_flags(f);
}

void pic_mask(unsigned irq, int on)
{
	struct pic *p = &pics[irq >= 8];
	u32 f = irq_save();
	if (on)
		p->mask &= ~(1u << (irq & 7));
	else
		p->mask |= 1u << (irq & 7);
	outb(p->mask, p->data);
	restore_flags(f);
}

/* A loop whose body grows past 127 bytes once its sites are padded: the
 * backward branch is rel8 without annotation and rel32 with it. */
u32 poll_status(u16 port, u32 limit)
{
	u32 n = 0, acc = 0;
	do {
		u8 s = inb(port);
		if (s & 0x80)
			break;
		if (s & 0x40) {
			cli();
			acc += inw(port + 2);
			sti();
		}
		if (s & 0x20)
			outb(s, port + 1);
		acc ^= s * 7;
		n++;
	} while (n < limit && !(acc & 0x10000));
	return acc + n;
}

int disk_read(u16 base, void *buf, u32 sectors)
{
	for (u32 i = 0; i < sectors; i++) {
		int tries = 1000;
		while (inb(base + 7) & 0x80)
			if (!--tries)
				return -1;
		insw(base, (char *)buf + 512 * i, 256);
	}
	return 0;
}

void serial_write(u16 port, const u32 *words, u32 n)
{
	u32 f = irq_save();
	outsl(port, words, n);
	restore_flags(f);
}

/* A switch: a jump table in .rodata whose entries point into .text. */
u32 dispatch(u32 what, u32 arg)
{
	switch (what) {
	case 0: return read_cr0();
	case 1: return read_cr3();
	case 2: write_cr3(arg); return 0;
	case 3: invlpg((void *)arg); return 0;
	case 4: return (u32)rdmsr(arg);
	case 5: wrmsr(arg, 0x12345678ull << 8); return 0;
	case 6: { u32 a = arg, b, c = 0, d; cpuid(&a, &b, &c, &d); return a ^ b ^ c ^ d; }
	case 7: write_cr0(read_cr0() | 0x10000); return 0;
	case 8: outl(arg, 0xcf8); return inw(0xcfc);
	default: spurious++; return ~0u;
	}
}

__attribute__((cold, noinline)) void panic_halt(const char *why)
{
	cli();
	for (;;) {
		spurious += why[0];
		asm volatile("hlt");
	}
}

struct desc { u16 limit; u32 base; } __attribute__((packed));
static u32 gdt[8];

void load_tables(void *idt)
{
	struct desc g = { sizeof gdt - 1, (u32)gdt }, i = { 256 * 8 - 1, (u32)idt }, cur;
	asm volatile("sgdt %0" : "=m"(cur));
	if (cur.base == g.base)
		panic_halt("gdt");
	asm volatile("lgdt %0; lidt %1" :: "m"(g), "m"(i));
	asm volatile("ljmp $0x08, $1f\n1:\n\tmov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%ss"
		     :: "r"(0x10) : "memory");
	asm volatile("ltr %w0; lldt %w1" :: "r"(0x28), "r"(0));
}

u32 segment_info(u16 sel)
{
	u32 r, l; u16 cs, ss;
	asm volatile("lar %2, %0; lsl %2, %1" : "=r"(r), "=r"(l) : "r"((u32)sel));
	asm volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	asm volatile("verr %0; verw %0" :: "r"(sel));
	return r ^ l ^ cs ^ ss;
}

void tick(void)
{
	ticks++;
	if ((ticks & 0xff) == 0) {
		u32 f = irq_save();
		pic_mask(0, 1);
		restore_flags(f);
	}
	outb(0x20, 0x20);
}
"""

KERNELISH_C = r"""
/* Ordinary code with a few sensitive instructions in it: string and list
 * handling, sorting, function pointers, an ALTERNATIVE and an exception
 * table entry, code in several sections. */
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define ALTERNATIVE(oldinstr, newinstr, feature)				\
	"661:\n\t" oldinstr "\n662:\n"						\
	".skip -(((6651f-6641f)-(662b-661b)) > 0) * ((6651f-6641f)-(662b-661b)),0x90\n" \
	"663:\n"								\
	".pushsection .altinstructions,\"a\"\n"				\
	" .long 661b - .\n .long 6641f - .\n .word " __stringify(feature) "\n"	\
	" .byte 663b-661b\n .byte 6651f-6641f\n"				\
	".popsection\n"								\
	".pushsection .altinstr_replacement, \"ax\"\n"			\
	"6641:\n\t" newinstr "\n6651:\n"					\
	".popsection\n"

typedef unsigned long size_t;
struct node { struct node *next, *prev; int key; char name[16]; };

static unsigned long flags_save(void)
{
	unsigned long f;
	asm volatile(ALTERNATIVE("pushf; pop %0", "movl $0x200, %0; nop; nop; nop", 7)
		     : "=r"(f) :: "memory");
	return f;
}
static void flags_restore(unsigned long f) { asm volatile("push %0; popf" :: "g"(f) : "memory", "cc"); }

size_t my_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

int my_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) { a++; b++; }
	return (unsigned char)*a - (unsigned char)*b;
}

void *my_memmove(void *d, const void *s, size_t n)
{
	char *dp = d; const char *sp = s;
	if (dp < sp) while (n--) *dp++ = *sp++;
	else { dp += n; sp += n; while (n--) *--dp = *--sp; }
	return d;
}

void list_add_sorted(struct node *head, struct node *n)
{
	unsigned long f = flags_save();
	asm volatile("cli");
	struct node *p = head->next;
	while (p != head && p->key < n->key)
		p = p->next;
	n->next = p; n->prev = p->prev; p->prev->next = n; p->prev = n;
	flags_restore(f);
}

static void swap(int *a, int *b) { int t = *a; *a = *b; *b = t; }

void quicksort(int *v, int lo, int hi)
{
	while (lo < hi) {
		int p = v[(lo + hi) / 2], i = lo, j = hi;
		while (i <= j) {
			while (v[i] < p) i++;
			while (v[j] > p) j--;
			if (i <= j) swap(&v[i++], &v[j--]);
		}
		if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; }
		else { quicksort(v, i, hi); hi = j; }
	}
}

typedef int (*op_fn)(int, int);
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static const op_fn ops[] = { add, sub, mul };

int eval(const int *code, int n)
{
	int acc = 0;
	for (int i = 0; i + 1 < n; i += 2) {
		unsigned long f = flags_save();
		acc = ops[code[i] % 3](acc, code[i + 1]);
		if (acc < 0)
			asm volatile("cpuid" ::: "eax", "ebx", "ecx", "edx");
		flags_restore(f);
	}
	return acc;
}

/* A user copy with an exception-table entry: the fault handler lives in
 * .fixup and resumes after the faulting instruction. */
int get_user_word(int *dst, const int *src)
{
	int err = 0, v;
	asm volatile("1:\tmovl (%2), %1\n"
		     "2:\n"
		     ".pushsection .fixup, \"ax\"\n"
		     "3:\tmovl $-14, %0\n\txorl %1, %1\n\tjmp 2b\n"
		     ".popsection\n"
		     ".pushsection __ex_table, \"a\"\n"
		     "\t.balign 4\n\t.long 1b - ., 3b - .\n"
		     ".popsection"
		     : "+r"(err), "=r"(v) : "r"(src));
	*dst = v;
	return err;
}

__attribute__((section(".init.text"), noinline)) int early_setup(int *tab, int n)
{
	asm volatile("cli; clts");
	for (int i = 0; i < n; i++)
		tab[i] = my_strlen("init") * i;
	quicksort(tab, 0, n - 1);
	asm volatile("sti");
	return tab[0];
}

__attribute__((cold)) void oops(const char *msg)
{
	for (;;)
		asm volatile("cli; hlt" :: "r"(msg));
}

int check(int x)
{
	if (__builtin_expect(x < 0, 0))
		oops("negative");
	return x * 3;
}
"""

HAND_S = """\
	.text
	.globl	hand
	.type	hand, @function
hand:
	pushl	%ebp
	movl	%esp, %ebp
	pushf
	cli
	xorl	%ecx, %ecx
1:	inb	$0x64, %al
	testb	$2, %al
	jnz	1b
	outb	%al, $0x60
	incl	%ecx
	cmpl	$10, %ecx
	jb	1b
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	jmp	2f
	.p2align 4
2:	movl	$0x10, %eax
	movw	%ax, %ds
	movw	%ax, %es
	popw	%fs
	lcall	*(%eax)
	ljmp	$0x08, $3f
3:	rep; outsb
	data16; outl %eax, $0x80
	lret	$4
	.code16
	cli
	lgdt	(%bx)
	.code32
	jecxz	4f
	loop	3b
4:	popf
	call	hand
	call	*%eax
	jmp	*.Ltab(,%eax,4)
	iret
	.size	hand, .-hand

	.section .rodata
	.p2align 2
.Ltab:	.long 1b, 2b, 3b, 4b

	# Loops of about 100 bytes with sites in them: rel8 branches when
	# plain, rel32 once the padding is in.
	.text
relax:
	xorl	%ecx, %ecx
5:	cli
	.rept 20
	addl	$0x12345678, %eax
	.endr
	inb	$0x61, %al
	outb	%al, $0x61
	sti
	incl	%ecx
	cmpl	$3, %ecx
	jne	5b
	testl	%eax, %eax
	jz	6f
	pushf
	.rept 24
	addl	$0x12345678, %eax
	.endr
	popf
6:	ret

	.section .text.other,"ax",@progbits
other:
	sti
	jmp	1b
	ret
"""


# ---------------------------------------------------------------------------
# the comparison

@dataclasses.dataclass
class Stream:
    elf: E.Elf
    sec: E.Section
    insns: list               # after removing site padding
    padding: int = 0          # bytes of site padding removed
    matched: list = None      # indices into insns, in common-stream order
    canon_addr: dict = None   # insn address -> common-stream index


@dataclasses.dataclass
class Stats:
    files: int = 0
    instructions: int = 0
    sites: int = 0
    relaxed: int = 0
    alignment_nops_plain: int = 0
    alignment_nops_annotated: int = 0
    data_relocs: int = 0
    symbols: int = 0

    def add(self, o):
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(o, f.name))


_BRANCH = re.compile(r"^(j[a-z]+|call[lqw]?|loop[a-z]*|jecxz|jcxz|jrcxz|xbegin)$")
_TARGET = re.compile(r"^([0-9a-f]+)(?: <[^>]*>)?$")
_HEX = re.compile(r"(-?0x[0-9a-f]+|\b[0-9a-f]+ <[^>]*>)")


def _exec_sections(elf):
    """{(name, occurrence): Section} of the non-empty executable sections."""
    seen = collections.Counter()
    out = {}
    for s in elf.exec_sections():
        if not s.size:
            continue
        out[(s.name, seen[s.name])] = s
        seen[s.name] += 1
    return out


def _strip_padding(elf, disasm, sites):
    """Per executable section, the instructions outside site padding."""
    pad = collections.defaultdict(list)
    for s in sites:
        if E.KIND_PAD_BEFORE.get(s.kind):      # sti: the padding comes first
            pad[s.section].append((s.offset, s.offset + s.len - s.insn_len))
        else:
            pad[s.section].append((s.offset + s.insn_len, s.offset + s.len))
    out = {}
    for idx, insns in disasm.items():
        ranges = sorted(pad.get(idx, []))
        kept, k, removed = [], 0, 0
        for i in insns:
            while k < len(ranges) and ranges[k][1] <= i.addr:
                k += 1
            if k < len(ranges) and ranges[k][0] <= i.addr < ranges[k][1]:
                assert i.end <= ranges[k][1], f"{elf.path}: '{i.text}' at {i.addr:#x} straddles the end of a site"
                removed += i.size
                continue
            kept.append(i)
        out[idx] = (kept, removed)
    return out


def _relocs_by_insn(elf, sec, insns):
    rels = elf.relocations_for(sec)
    out = collections.defaultdict(list)
    starts = [i.addr for i in insns]
    for r in rels:
        k = bisect.bisect_right(starts, r.offset) - 1
        if k >= 0 and insns[k].addr <= r.offset < insns[k].end:
            out[k].append(r)
        else:
            raise AssertionError(f"{elf.path}: relocation at {sec.name}+{r.offset:#x} is outside every instruction")
    return out


def _shape(insn, has_reloc):
    """What must be equal textually: mnemonic and operands with the parts
    that legitimately move (branch targets, relocated fields) masked."""
    ops = insn.operands
    if _BRANCH.match(insn.mnemonic) and _TARGET.match(ops):
        ops = "<target>"
    elif has_reloc or insn.comment:
        ops = _HEX.sub("<x>", ops)
    return (insn.mnemonic, ops)


def _match(plain, ann, where):
    """Pair the instructions of two streams.  No-ops are never paired: they
    are alignment fill whose amount legitimately changes (.p2align, and the
    .skip of an ALTERNATIVE whose original grew), so they are set aside in
    both streams and everything else must pair up one to one, in order."""
    prel = _relocs_by_insn(plain.elf, plain.sec, plain.insns)
    arel = _relocs_by_insn(ann.elf, ann.sec, ann.insns)
    P = [n for n, x in enumerate(plain.insns) if not E.is_nop(x)]
    A = [n for n, x in enumerate(ann.insns) if not E.is_nop(x)]
    for k in range(max(len(P), len(A))):
        i = P[k] if k < len(P) else None
        j = A[k] if k < len(A) else None
        if i is None or j is None or _shape(plain.insns[i], i in prel) != _shape(ann.insns[j], j in arel):
            ip = P[k] if k < len(P) else len(plain.insns)
            ja = A[k] if k < len(A) else len(ann.insns)
            ctx_p = "\n".join(f"    {x.addr:6x}: {x.text}" for x in plain.insns[max(0, ip - 3):ip + 3])
            ctx_a = "\n".join(f"    {x.addr:6x}: {x.text}" for x in ann.insns[max(0, ja - 3):ja + 3])
            raise AssertionError(
                f"{where}: the instruction streams differ at instruction {k} (no-ops aside)\n"
                f"  plain (policy none):\n{ctx_p}\n  annotated (policy full, padding removed):\n{ctx_a}")
    plain.matched, ann.matched = P, A
    return list(zip(P, A)), prel, arel, len(plain.insns) - len(P), len(ann.insns) - len(A)


def _canon(stream, addr):
    """A position in the common stream: (index of the next paired
    instruction, offset into it).  Unpaired no-ops and site padding before
    an instruction map to that instruction."""
    starts = stream.canon_starts
    k = bisect.bisect_left(starts, addr)
    if k < len(starts) and starts[k] == addr:
        return (k, 0)
    if k > 0:
        prev = stream.insns[stream.matched[k - 1]]
        if prev.addr <= addr < prev.end:
            return (k - 1, addr - prev.addr)
    # inside alignment fill or padding: the position of what follows
    return (k, 0) if k < len(starts) or addr <= stream.sec.size else ("beyond", addr)


def _sym_key(elf, streams, sym, value):
    """A relocation's target, comparable across the two objects."""
    if sym.type == E.STT_SECTION and sym.shndx in streams:
        st = streams[sym.shndx]
        return ("section", st.sec.name, _canon(st, value))
    if sym.type == E.STT_SECTION:
        return ("section", elf.sections[sym.shndx].name if sym.shndx < len(elf.sections) else sym.shndx, value)
    return ("symbol", sym.name, value)


def _rel_key(elf, streams, r, k_adjust):
    pc = r.type in elf.pcrel_types()
    k = k_adjust if pc else 0
    key = _sym_key(elf, streams, r.sym, r.addend + k)
    return (r.type, key)


def compare_objects(plain_path, ann_path, min_sites=1):
    pe, ae = E.parse(plain_path), E.parse(ann_path)
    where = os.path.basename(str(ann_path))
    assert pe.sites() == [], f"{plain_path}: policy none wrote records"
    sites = ae.sites()
    assert len(sites) >= min_sites, f"{where}: only {len(sites)} sites"
    pdis = E.objdump_by_section(pe)
    adis = E.objdump_by_section(ae)
    E.check_sites(ae, adis)          # every record: its kind, then exactly no-ops
    psecs, asecs = _exec_sections(pe), _exec_sections(ae)
    assert sorted(psecs) == sorted(asecs), f"{where}: executable sections differ: {sorted(psecs)} vs {sorted(asecs)}"

    stripped = _strip_padding(ae, adis, sites)
    st = Stats(files=1, sites=len(sites))
    pstreams, astreams, pairs_of = {}, {}, {}
    for key in psecs:
        ps, as_ = psecs[key], asecs[key]
        kept, removed = stripped[as_.index]
        p = Stream(pe, ps, pdis.get(ps.index, []))
        a = Stream(ae, as_, kept, padding=removed)
        pairs, prel, arel, sp, sa = _match(p, a, f"{where} {ps.name}")
        for s in (p, a):
            s.canon_starts = [s.insns[m].addr for m in s.matched]
        pstreams[ps.index], astreams[as_.index] = p, a
        pairs_of[key] = (pairs, prel, arel)
        st.instructions += len(pairs)
        st.alignment_nops_plain += sp
        st.alignment_nops_annotated += sa
    assert sum(a.padding for a in astreams.values()) == sum(s.len - s.insn_len for s in sites)

    # Second pass: operands that depend on addresses.
    for key, (pairs, prel, arel) in pairs_of.items():
        p, a = pstreams[psecs[key].index], astreams[asecs[key].index]
        for i, j in pairs:
            pi, ai = p.insns[i], a.insns[j]
            here = f"{where} {p.sec.name}: plain {pi.addr:#x} '{pi.text}' / annotated {ai.addr:#x} '{ai.text}'"
            if pi.size != ai.size:
                assert _BRANCH.match(pi.mnemonic) and pi.mnemonic != "call", f"{here}: sizes differ"
                assert pi.size < ai.size, f"{here}: the annotated branch is shorter"
                st.relaxed += 1
            if _BRANCH.match(pi.mnemonic) and _TARGET.match(pi.operands) and i not in prel:
                assert j not in arel, f"{here}: relocation in one object only"
                tp = int(_TARGET.match(pi.operands).group(1), 16)
                ta = int(_TARGET.match(ai.operands).group(1), 16)
                cp, ca = _canon(p, tp), _canon(a, ta)
                assert cp == ca, f"{here}: branch targets differ (common-stream positions {cp} vs {ca})"
            elif pi.comment and i not in prel:
                m_p = re.match(r"([0-9a-f]+)", pi.comment)
                m_a = re.match(r"([0-9a-f]+)", ai.comment)
                if m_p and m_a and " <" in pi.comment:
                    assert _canon(p, int(m_p.group(1), 16)) == _canon(a, int(m_a.group(1), 16)), \
                        f"{here}: RIP-relative targets differ"
            rp = [(r.offset - pi.addr,) + _rel_key(pe, pstreams, r, pi.end - r.offset) for r in prel.get(i, [])]
            ra = [(r.offset - ai.addr,) + _rel_key(ae, astreams, r, ai.end - r.offset) for r in arel.get(j, [])]
            assert rp == ra, f"{here}: relocations differ:\n  plain     {rp}\n  annotated {ra}"
            if not rp and pi.size == ai.size and not _BRANCH.match(pi.mnemonic) and not pi.comment:
                assert pi.raw == ai.raw, f"{here}: bytes differ"

    # Data sections: relocations that point into code map to the same places.
    skip = (".afterburn", ".debug", ".rel", ".rela", ".comment", ".note", ".eh_frame", ".group")
    adata_by_name = collections.defaultdict(list)
    for s in ae.sections:
        if s.flags & E.SHF_ALLOC and not s.exec and not s.name.startswith(skip):
            adata_by_name[s.name].append(s)
    pdata_by_name = collections.defaultdict(list)
    for s in pe.sections:
        if s.flags & E.SHF_ALLOC and not s.exec and not s.name.startswith(skip):
            pdata_by_name[s.name].append(s)
    assert sorted(pdata_by_name) == sorted(adata_by_name), f"{where}: data sections differ"
    for name, plist in pdata_by_name.items():
        for ps, as_ in zip(plist, adata_by_name[name]):
            assert ps.size == as_.size, f"{where}: data section {name} size {ps.size} vs {as_.size}"
            prs, ars = pe.relocations_for(ps), ae.relocations_for(as_)
            assert len(prs) == len(ars), f"{where}: {name}: {len(prs)} vs {len(ars)} relocations"
            for rp_, ra_ in zip(prs, ars):
                kp = (rp_.offset,) + _rel_key(pe, pstreams, rp_, 0)
                ka = (ra_.offset,) + _rel_key(ae, astreams, ra_, 0)
                if kp != ka and rp_.type in pe.pcrel_types() and rp_.type == ra_.type:
                    # "L1 - L2" in data (a PIC jump table entry) has the
                    # addend L1 + (P - L2): the target is S + A - (P - L2),
                    # P - L2 is the same in both objects but unknown here.
                    for c in range(1, rp_.offset + 1):
                        kp2 = (rp_.offset,) + _rel_key(pe, pstreams, rp_, -c)
                        ka2 = (ra_.offset,) + _rel_key(ae, astreams, ra_, -c)
                        if kp2 == ka2 and kp2[2][0] == "section" and kp2[2][2][1] == 0:
                            kp, ka = kp2, ka2
                            break
                assert kp == ka, f"{where}: relocation of {name} differs:\n  plain     {kp}\n  annotated {ka}"
                st.data_relocs += 1

    # Symbols in code sections sit at the same common-stream positions.
    asyms = {s.name: s for s in ae.symbols() if s.name and s.type != E.STT_SECTION}
    for s in pe.symbols():
        if not s.name or s.type == E.STT_SECTION or s.shndx not in pstreams:
            continue
        t = asyms.get(s.name)
        assert t is not None and t.shndx in astreams, f"{where}: symbol {s.name} lost"
        assert pstreams[s.shndx].sec.name == astreams[t.shndx].sec.name
        assert _canon(pstreams[s.shndx], s.value) == _canon(astreams[t.shndx], t.value), \
            f"{where}: symbol {s.name} moved relative to the code"
        st.symbols += 1
    return st


# ---------------------------------------------------------------------------
# drivers

TOTAL = Stats()


def _assemble_pair(bindir, s_path, out_dir, bits=32):
    objs = {}
    for policy in ("none", "full"):
        obj = out_dir / f"{s_path.stem}.{policy}.o"
        cmd = [str(bindir / "afterburn-as"), f"--{bits}", f"--afterburn-policy={policy}",
               "--afterburn-quiet", "-o", str(obj), str(s_path)]
        env = dict(os.environ, LSAN_OPTIONS=f"suppressions={LSAN_SUPP}:print_suppressions=0")
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
        assert p.returncode == 0, f"{' '.join(cmd)} failed:\n{p.stderr[-3000:]}"
        objs[policy] = obj
    return objs["none"], objs["full"]


def _report(name, st):
    TOTAL.add(st)
    print(f"\n[invariant] {name}: {st.instructions} instructions and {st.sites} sites compared, "
          f"{st.relaxed} branches relaxed rel8->rel32, no-ops set aside {st.alignment_nops_plain} "
          f"plain / {st.alignment_nops_annotated} annotated, {st.data_relocs} data relocations, "
          f"{st.symbols} symbols")


OWN = {"devices": DEVICES_C, "kernelish": KERNELISH_C}


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("src", sorted(OWN))
@pytest.mark.parametrize("opt", ["-O2", "-Os"])
def test_invariant_own_sources(bindir, tmp_path, cc, src, opt, record_property):
    c = tmp_path / f"{src}.c"
    c.write_text(textwrap.dedent(OWN[src]))
    s = tmp_path / f"{src}-{cc}.s"
    p = subprocess.run([cc, "-m32", opt, "-S", "-o", s.name, c.name], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    plain, ann = _assemble_pair(bindir, s, tmp_path)
    st = compare_objects(plain, ann, min_sites=10)
    _report(f"{src}.c ({cc} -m32 {opt})", st)
    record_property("instructions", st.instructions)
    record_property("sites", st.sites)
    assert st.instructions > 100


def test_invariant_handwritten(bindir, tmp_path, record_property):
    s = tmp_path / "hand.s"
    s.write_text(HAND_S)
    plain, ann = _assemble_pair(bindir, s, tmp_path)
    st = compare_objects(plain, ann, min_sites=15)
    _report("hand.s", st)
    assert st.relaxed >= 2, "the two loops in hand.s should have had their rel8 branches relaxed"
    record_property("instructions", st.instructions)
    record_property("sites", st.sites)


DEVICES64_C = r"""
typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outb(u8 v, u16 port) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline u64 save_flags(void) { u64 f; asm volatile("pushfq; popq %0" : "=r"(f) :: "memory"); return f; }
static inline void restore_flags(u64 f) { asm volatile("pushq %0; popfq" :: "r"(f) : "memory", "cc"); }
static inline u64 irq_save(void) { u64 f = save_flags(); asm volatile("cli" ::: "memory"); return f; }
static inline u64 read_cr3(void) { u64 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }

volatile u64 counter;
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }

/* A pointer to a static function: a RIP-relative lea that the assembler
 * resolves itself, across the padding. */
__attribute__((noinline)) int (*pick(int x))(int, int) { return x ? add : sub; }

void entry_from_user(void)
{
	asm volatile("swapgs" ::: "memory");
	counter++;
	asm volatile("swapgs" ::: "memory");
}

u64 dispatch(u32 what, u64 arg)
{
	switch (what) {
	case 0: return read_cr3();
	case 1: write_cr3(arg); return 0;
	case 2: { u64 f = irq_save(); outb(arg, 0x80); restore_flags(f); return f; }
	case 3: return inb(arg);
	case 4: { u32 a = arg, b, c = 0, d; asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d)); return a ^ b; }
	case 5: asm volatile("wbinvd" ::: "memory"); return 1;
	default: return pick(what)(what, arg);
	}
}

u64 poll(u16 port, u64 limit)
{
	u64 n = 0, acc = 0;
	do {
		u8 s = inb(port);
		if (s & 0x80)
			break;
		if (s & 0x40) {
			u64 f = irq_save();
			acc += inb(port + 2) * 3;
			restore_flags(f);
		}
		acc ^= s * 7;
		n++;
	} while (n < limit && !(acc & 0x10000));
	return acc + n;
}
"""


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_invariant_64bit(bindir, tmp_path, cc, record_property):
    c = tmp_path / "devices64.c"
    c.write_text(DEVICES64_C)
    s = tmp_path / f"devices64-{cc}.s"
    p = subprocess.run([cc, "-m64", "-O2", "-mno-red-zone", "-S", "-o", s.name, c.name],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    plain, ann = _assemble_pair(bindir, s, tmp_path, bits=64)
    st = compare_objects(plain, ann, min_sites=10)
    _report(f"devices64.c ({cc} -m64 -O2)", st)
    record_property("instructions", st.instructions)
    record_property("sites", st.sites)


# -- Linux ------------------------------------------------------------------

LINUX_FILES = [
    "arch/x86/kernel/i8259.o",
    "arch/x86/mm/tlb.o",
    "arch/x86/kernel/tsc.o",
    "arch/x86/kernel/cpu/common.o",
    "arch/x86/kernel/process.o",
    "lib/string.o",
    "arch/x86/entry/entry_32.o",
]


def _compiler_of(build):
    line = (build / "arch/x86/kernel/.i8259.o.cmd").read_text().splitlines()[0]
    args = [a for a in shlex.split(line.split(":=", 1)[1])
            if os.path.basename(a) not in ("afterburn-cc", "ccache")]
    return "clang" if "clang" in os.path.basename(args[0]) else "gcc"


def _linux_builds():
    """One Linux build tree per compiler (gcc, clang), plain builds first;
    AB_LINUX_BUILD names one explicitly."""
    env = os.environ.get("AB_LINUX_BUILD")
    if env:
        return [pathlib.Path(env)]
    base = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build")) / "linux"
    if not base.is_dir():
        return []
    found = {}
    dirs = sorted((d for d in base.iterdir() if (d / "arch/x86/kernel/.i8259.o.cmd").exists()),
                  key=lambda d: (not d.name.startswith("plain"), d.name))
    for d in dirs:
        found.setdefault(_compiler_of(d), d)
    return [found[k] for k in sorted(found)]


def _linux_command(build, obj, out):
    """The Kbuild command that made obj, changed to write assembly to out."""
    d, b = os.path.split(obj)
    cmd_file = build / d / f".{b}.cmd"
    line = cmd_file.read_text().splitlines()[0]
    args = shlex.split(line.split(":=", 1)[1])
    # afterburn-cc [opts] / ccache in front of the compiler: keep the compiler.
    while args and os.path.basename(args[0]) in ("afterburn-cc", "ccache"):
        args.pop(0)
        while args and args[0].startswith("--"):
            args.pop(0) if "=" in args[0] else (args.pop(0), args.pop(0))
    is_asm = args[-1].endswith(".S")
    out_args = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith(("-Wp,-MMD", "-Wp,-MD")):
            pass
        elif a == "-c":
            out_args.append("-E" if is_asm else "-S")
        elif a == "-o":
            out_args += ["-o", str(out)]
            i += 1
        else:
            out_args.append(a)
        i += 1
    return out_args


LINUX = _linux_builds()


@pytest.mark.skipif(not LINUX, reason="no Linux build under build/linux/<name>/ (see scripts/)")
@pytest.mark.parametrize("build", LINUX, ids=[d.name for d in LINUX])
@pytest.mark.parametrize("obj", LINUX_FILES)
def test_invariant_linux(bindir, tmp_path, build, obj, record_property):
    if not (build / os.path.dirname(obj) / f".{os.path.basename(obj)}.cmd").exists():
        pytest.skip(f"{obj} is not in {build}")
    s = tmp_path / (os.path.basename(obj)[:-2] + ".s")
    cmd = _linux_command(build, obj, s)
    p = subprocess.run(cmd, cwd=build, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"{' '.join(cmd)}\n{p.stderr[-3000:]}"
    plain, ann = _assemble_pair(bindir, s, tmp_path)
    st = compare_objects(plain, ann, min_sites=0)
    _report(f"linux {obj} ({build.name})", st)
    record_property("instructions", st.instructions)
    record_property("sites", st.sites)


def test_invariant_zz_total():
    """Prints the totals of the tests above when they ran in this session."""
    if TOTAL.files:
        print(f"\n[invariant] TOTAL: {TOTAL.files} objects, {TOTAL.instructions} instructions and "
              f"{TOTAL.sites} sites compared, {TOTAL.relaxed} relaxed branches, no-ops set aside "
              f"{TOTAL.alignment_nops_plain} plain / {TOTAL.alignment_nops_annotated} annotated")
