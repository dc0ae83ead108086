/*
 * The virtual CPU as the guest believes it to be, and the helpers every
 * part of the wedge shares (docs/wedge.md).  The kernel-shared half lives
 * in the vCPU page (abi/vcpu.h: vif, irq lines, cpl, cr0/3/4 the kernel
 * reads); everything only the wedge needs lives in `cpu` here.
 *
 * Why a separate struct: the hardware state of a running guest is fixed
 * (CPL 3, IF=1).  What differs is what the guest thinks: its CPL, IF, IOPL,
 * CS and SS, its tables, control registers.  The wedge keeps those and
 * answers from them.  The data segment registers are the exception: the
 * hardware holds the guest's own selectors there (docs/abi/vcpu.md,
 * "Segments"), and the wedge takes them from it at every entry.
 */
#ifndef WEDGE_VCPU_STATE_H
#define WEDGE_VCPU_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "hypercall.h"   /* vcpu, hc_* (abi/vcpu.h) */
#include "kinds.h"
#include "decode.h"
#include "site.h"     /* AB_SITE_MEM, _IMM, _REP */
#include "dev/dev.h"

/* --- EFLAGS ---------------------------------------------------------------- */
#define FL_CF   0x00000001u
#define FL_1    0x00000002u   /* always 1 */
#define FL_PF   0x00000004u
#define FL_AF   0x00000010u
#define FL_ZF   0x00000040u
#define FL_SF   0x00000080u
#define FL_TF   0x00000100u
#define FL_IF   0x00000200u
#define FL_DF   0x00000400u
#define FL_OF   0x00000800u
#define FL_IOPL 0x00003000u
#define FL_NT   0x00004000u
#define FL_RF   0x00010000u
#define FL_VM   0x00020000u
#define FL_AC   0x00040000u
#define FL_VIF  0x00080000u
#define FL_VIP  0x00100000u
#define FL_ID   0x00200000u
/* Kept by the hardware as the guest sets them (CPL 3 can change them
 * itself).  IF, IOPL and NT are virtual: IF is vcpu->vif, the other two
 * live in cpu.vflags. */
#define FL_HW   (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_AC | FL_ID)

#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u
#define CR4_TSD 0x00000004u
#define CR4_DE  0x00000008u
#define CR4_PCE 0x00000100u

/* --- exceptions ------------------------------------------------------------- */
/* Emulation steps return 0 (done) or an exception for the guest, built by
 * EXC(vector, error).  A #PF also sets cpu.cr2 (as the hardware would at
 * delivery).  XFER: done, and the step set the new eip itself. */
#define EXC(v, e)  (0x80000000u | ((uint32_t)(v) << 16) | ((uint32_t)(e) & 0xffffu))
#define EXC_VEC(x) (((x) >> 16) & 0xffu)
#define EXC_ERR(x) ((x) & 0xffffu)
#define XFER       1u
#define IS_EXC(x)  (((x) & 0x80000000u) != 0)
enum { V_DE = 0, V_DB = 1, V_BP = 3, V_OF = 4, V_UD = 6, V_DF = 8, V_TS = 10, V_NP = 11,
       V_SS = 12, V_GP = 13, V_PF = 14 };
#define GP0 EXC(V_GP, 0)
#define UD  EXC(V_UD, 0)

/* --- guest registers ---------------------------------------------------------- */
/* pushal order (as abi/vcpu.h's ab_vcpu_regs), then eip and the VIRTUAL
 * eflags: what pushf at the guest's CPL would show. */
struct gregs {
	uint32_t gpr[8];   /* edi esi ebp esp ebx edx ecx eax */
	uint32_t eip, eflags;
};
/* Copies of the 8 general registers, spelt out: a loop costs five
 * instructions a word, and they run at every site's entry and exit. */
static inline void gpr_copy(uint32_t *d, const uint32_t *s)
{
	d[0] = s[0]; d[1] = s[1]; d[2] = s[2]; d[3] = s[3];
	d[4] = s[4]; d[5] = s[5]; d[6] = s[6]; d[7] = s[7];
}
static inline void gregs_copy(struct gregs *d, const struct gregs *s)
{
	gpr_copy(d->gpr, s->gpr);
	d->eip = s->eip;
	d->eflags = s->eflags;
}
/* x86 register number (eax 0 .. edi 7) to its slot. */
static inline uint32_t *greg(struct gregs *r, unsigned n) { return &r->gpr[7 - (n & 7)]; }
#define R_EAX(r) ((r)->gpr[7])
#define R_ECX(r) ((r)->gpr[6])
#define R_EDX(r) ((r)->gpr[5])
#define R_EBX(r) ((r)->gpr[4])
#define R_ESP(r) ((r)->gpr[3])
#define R_EBP(r) ((r)->gpr[2])
#define R_ESI(r) ((r)->gpr[1])
#define R_EDI(r) ((r)->gpr[0])

/* --- segments ---------------------------------------------------------------- */
/* Segment register numbers of the site record (es 0, cs 1, ss 2, ds 3, fs 4,
 * gs 5), then the two system segments. */
enum { SR_ES, SR_CS, SR_SS, SR_DS, SR_FS, SR_GS, SR_LDTR, SR_TR, SR_COUNT };

/* A descriptor split into what the checks need. */
struct desc {
	uint32_t lo, hi;       /* the raw 8 bytes */
	uint32_t base, limit;  /* limit scaled by G */
	uint8_t type;          /* bits 8-11 of hi */
	uint8_t s, dpl, p;     /* S (code/data), DPL, present */
};
void desc_split(struct desc *d, uint32_t lo, uint32_t hi);

struct seg {
	uint16_t sel;
	struct desc d;         /* the cached descriptor */
};

struct dtreg { uint32_t base; uint16_t limit; };

struct vcpu_state {
	struct seg seg[SR_COUNT];
	struct dtreg gdtr, idtr;
	uint32_t cpl;              /* CS.RPL; mirrored in vcpu->cpl */
	uint32_t vflags;           /* virtual IOPL and NT (IF is vcpu->vif) */
	uint32_t cr0, cr2, cr3, cr4;
	uint32_t dr[8];
	uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint32_t misc_enable;
	uint32_t pat_lo, pat_hi;
	/* sti set IF: at this exit deliver nothing if the next instruction
	 * is hlt or sysexit (sti's shadow, flags.c) */
	int hold_irq;
	/* Since this entry into the wedge: descriptors were published (the
	 * kernel takes them only at hc_resume), or the virtual CS or SS
	 * selector changed (only hc_resume loads those).  Either rules out
	 * the fast path back from a site. */
	int desc_dirty;
	int cs_ss_dirty;
	int flushed;               /* since this site's entry: flush_translations */
	/* This entry is an upcall: vcpu->exit_kind is its kind.  A site
	 * leaves exit_kind alone: it may still name an upcall the kernel
	 * has not counted yet (exit.c, "without the kernel"). */
	int in_upcall;
	uint16_t entry_sel[4];     /* a site's %ds %es %fs %gs at entry (the guest's) */
	/* seg_take_hw's memo (segments.c): published counts the changes of
	 * the published descriptors (publish.c); for each data register i
	 * (ds es fs gs), taken[i] is a hardware selector for which
	 * seg_take_hw would leave seg[data_sr(i)] as it is, as long as
	 * taken_pub == published (TAKEN_NONE: none known). */
	uint32_t published, taken_pub;
	uint32_t taken[4];
};
#define TAKEN_NONE 0xffffffffu
extern struct vcpu_state cpu;

/* What this entry counts as (AB_TRAPK_* or a kind): written straight to the
 * vCPU page, because the kernel counts an open upcall under it at
 * hc_resume and at hc_shutdown, which device models and a triple fault
 * call from the middle of an emulation. */
static inline void set_exit_kind(uint32_t k) { vcpu->exit_kind = k; }
static inline uint32_t exit_kind(void) { return vcpu->exit_kind; }

/* Virtual EFLAGS from the hardware's and back. */
static inline uint32_t eflags_virt(uint32_t hw)
{
	return (hw & FL_HW) | FL_1 | (vcpu->vif ? FL_IF : 0) | cpu.vflags;
}
static inline uint32_t eflags_hw(uint32_t v) { return (v & FL_HW) | FL_1 | FL_IF; }
/* Store the virtual bits of a new EFLAGS value. */
static inline void eflags_set_virt(uint32_t v)
{
	vcpu->vif = (v & FL_IF) ? 1 : 0;
	cpu.vflags = v & (FL_IOPL | FL_NT);
}
static inline unsigned iopl_of(uint32_t fl) { return (fl >> 12) & 3; }

/* --- guest memory (guestmem.c): linear addresses, faults become #PF ---------- */
/* The assembly copy (guestmem_copy.S): 0, or -1 after a guest fault with
 * vcpu->cr2/error set by the kernel. */
int gm_copy(void *dst, const void *src, unsigned n);
uint32_t gm_range_exc(uint32_t la, int write);
uint32_t gm_fault_exc(void);
/* The reserved top of the address space (the kernel's direct map from
 * HV_KERNEL_BASE, then the wedge) is never the guest's: an access there
 * from an emulated instruction is the guest's #PF, and must not reach the
 * kernel as a wedge fault it cannot fix up. */
static inline int guest_range_ok(uint32_t la, unsigned n)
{
	return n <= HV_KERNEL_BASE && la <= HV_KERNEL_BASE - n;
}
/* Inline: every emulation reads or writes guest memory, most of them a few
 * words (descriptors, frames). */
static inline uint32_t gm_read(uint32_t la, void *dst, unsigned n)
{
	if (!guest_range_ok(la, n))
		return gm_range_exc(la, 0);
	return gm_copy(dst, (const void *)la, n) ? gm_fault_exc() : 0;
}
static inline uint32_t gm_write(uint32_t la, const void *src, unsigned n)
{
	if (!guest_range_ok(la, n))
		return gm_range_exc(la, 1);
	return gm_copy((void *)la, src, n) ? gm_fault_exc() : 0;
}
uint32_t gm_read32(uint32_t la, uint32_t *v);
uint32_t gm_write32(uint32_t la, uint32_t v);
/* Read without a guest-visible effect (no CR2): 0, or -1 on a fault. */
int gm_peek(uint32_t la, void *dst, unsigned n);
/* Push and pop on the guest stack (SS:ESP); esp changes only on success. */
uint32_t gpush(struct gregs *r, uint32_t v, unsigned size);
uint32_t gpop(struct gregs *r, uint32_t *v, unsigned size);
uint32_t gpop_n(struct gregs *r, uint32_t *v, unsigned n, unsigned size);   /* n <= 5 */

/* --- instruction context (operand.c) -------------------------------------------- */
struct insn_ctx {
	unsigned kind;
	struct ab_insn in;
	const uint8_t *bytes;      /* the original instruction (in.len bytes) */
	uint32_t start, next;      /* eip of the site/instruction, eip after it */
	int from_site;
};
/* Linear address of the ModRM memory operand (the segment's base added). */
uint32_t op_addr(const struct insn_ctx *c, const struct gregs *r);
/* The segment register of a segment-override prefix, else dflt. */
unsigned op_seg(const struct insn_ctx *c, unsigned dflt);
/* Read/write the r/m operand (register or memory) of `size` bytes. */
uint32_t op_read_rm(const struct insn_ctx *c, struct gregs *r, unsigned size, uint32_t *v);
uint32_t op_write_rm(const struct insn_ctx *c, struct gregs *r, unsigned size, uint32_t v);
void reg_write(struct gregs *r, unsigned n, unsigned size, uint32_t v);
uint32_t reg_read(struct gregs *r, unsigned n, unsigned size);

/* --- the emulators --------------------------------------------------------------- */
uint32_t emulate(const struct insn_ctx *c, struct gregs *r);             /* emulate.c */
uint32_t emu_flags(const struct insn_ctx *c, struct gregs *r);           /* flags.c */
uint32_t emu_far(const struct insn_ctx *c, struct gregs *r);             /* far.c */
uint32_t emu_iret(const struct insn_ctx *c, struct gregs *r);            /* iret.c */
uint32_t emu_sysenter(const struct insn_ctx *c, struct gregs *r);        /* sysenter.c */
uint32_t emu_seg(const struct insn_ctx *c, struct gregs *r);             /* segments.c */
uint32_t emu_probe(const struct insn_ctx *c, struct gregs *r);           /* probes.c */
uint32_t emu_dtables(const struct insn_ctx *c, struct gregs *r);         /* descriptors.c */
uint32_t emu_cr(const struct insn_ctx *c, struct gregs *r);              /* cr.c */
uint32_t emu_dr(const struct insn_ctx *c, struct gregs *r);              /* dr.c */
uint32_t emu_msr(const struct insn_ctx *c, struct gregs *r);             /* msr.c */
uint32_t emu_io(const struct insn_ctx *c, struct gregs *r);              /* io.c */
void emu_cpuid(struct gregs *r);                                         /* cpuid.c */
uint32_t emu_mmio(const struct insn_ctx *c, struct gregs *r);            /* mmio.c */

/* --- memory-mapped devices (mmio.c, gphys.c) ------------------------------------- */
/* Fill c's kind (DEV_WRITE or DEV_READ by its direction), in and bytes
 * for the mov at p[0..n) (abi/memop.h); its length, or 0 if it is none. */
unsigned memop_decode(const uint8_t *p, unsigned n, struct insn_ctx *c);
/* Does the mov in c address a device register (the trap path's test)? */
int mmio_targets_device(const struct insn_ctx *c, struct gregs *r);
/* The guest-physical address of la for an access at the virtual CPL: 0,
 * or the guest's #PF (cpu.cr2 set) when its tables refuse it. */
uint32_t gphys_of(uint32_t la, int write, uint32_t *gpa);
/* The guest's translation changed (CR0, CR3, CR4, invlpg): drop what we
 * and the kernel's shadows hold for va, or everything for va 0. */
void flush_translations(uint32_t va);
void switch_translations(void);    /* CR3 now names another page directory */

/* --- descriptors (segments.c) ------------------------------------------------------ */
/* Read the descriptor for sel from the GDT or LDT: 0, EXC(#GP, sel) past the
 * limit, or a #PF from the table's memory. */
uint32_t desc_read(uint16_t sel, struct desc *d);
uint32_t desc_write_hi(uint16_t sel, uint32_t hi);
/* Load a data/stack segment register with the checks of mov/pop/lds. */
uint32_t seg_load(unsigned sr, uint16_t sel);
/* Check a code segment for a far jump/call/return to rpl; fills d. */
uint32_t code_check(uint16_t sel, unsigned new_cpl, int is_return, struct desc *d);
/* Load sr's selector and cache (publishing the descriptor if it is one of
 * the guest's table entries the kernel copies). */
void seg_set(unsigned sr, uint16_t sel, const struct desc *d);
/* A flat 4 GiB cache (boot, sysenter): nothing read, nothing published. */
void seg_flat(unsigned sr, uint16_t sel, int code);
/* Null the data segment registers the new CPL may not use (iret, lret outward). */
void seg_null_outer(unsigned cpl);
static inline uint32_t seg_base(unsigned sr) { return cpu.seg[sr].d.base; }
/* The data segment registers in ab_vcpu_regs order: ds es fs gs. */
static inline unsigned data_sr(unsigned i) { return i == 0 ? SR_DS : i == 1 ? SR_ES : i == 2 ? SR_FS : SR_GS; }
/* At an entry: the guest's %ds %es %fs %gs as the hardware holds them.
 * Most entries find the selectors the last one left, or those an emulated
 * load put there (seg_set), and nothing published since: the memo in
 * cpu.taken says so without reading the tables (segments.c). */
void seg_retake(const uint32_t hw[4]);
static inline void seg_take_hw(const uint32_t hw[4])
{
	if (cpu.taken_pub != cpu.published || cpu.taken[0] != (hw[0] & 0xffffu) ||
	    cpu.taken[1] != (hw[1] & 0xffffu) || cpu.taken[2] != (hw[2] & 0xffffu) ||
	    cpu.taken[3] != (hw[3] & 0xffffu))
		seg_retake(hw);
}
/* Would the kernel load sel into a data segment register in the kernel view
 * (a guest table entry it copies, present, data or readable code)? */
int seg_hw_loadable(uint16_t sel);
/* And sel | 3 as a flat CS (code) or SS (!code) there. */
int seg_hw_flat(uint16_t sel, int code);

/* --- publishing the guest's descriptors (publish.c, docs/abi/vcpu.md) ------------ */
/* Is sel one whose descriptor the kernel copies (a GDT entry 1..31, an LDT
 * entry the LDTR covers, at most 16)?  Inline: every entry asks for each
 * data segment register (seg_take_hw). */
static inline int desc_publishable(uint16_t sel)
{
	unsigned idx = sel >> 3;
	if (sel & 4)
		return idx < vcpu->ldt_entries && idx < AB_VCPU_LDT_ENTRIES;
	return idx > 0 && idx < AB_VCPU_GDT_ENTRIES;
}
/* The published copy of sel's descriptor; 0 if sel is not one the kernel copies. */
static inline uint64_t desc_published(uint16_t sel)
{
	if (!desc_publishable(sel))
		return 0;
	return (sel & 4) ? vcpu->ldt[sel >> 3] : vcpu->gdt[sel >> 3];
}
/* One entry, if it changed.  1: the kernel's tables will hold these bytes
 * for sel, or sel is not one they copy (desc_publishable); 0: sel is one
 * they copy but lies past the guest's GDTR limit (published as 0). */
int publish_desc(uint16_t sel, uint32_t lo, uint32_t hi);
void publish_sel(uint16_t sel);     /* one entry, read from the guest's table */
void publish_gdt(void);             /* lgdt: every entry the kernel copies */
void publish_ldt(void);             /* lldt: the LDT and ldt_entries */
void publish_gdt_refresh(void);     /* before a return to CPL 3: what changed in memory */
void publish_boot(void);            /* the PVH boot descriptors */
/* A guest selector whose published descriptor is flat writable data: at a
 * site, %ds and %es equal to it need no switch (entry.S).  0xffff: none. */
extern uint16_t wedge_flat_sel;
#define DESC_CODE(d)  ((d)->s && ((d)->type & 8))
#define DESC_DATA(d)  ((d)->s && !((d)->type & 8))

/* --- delivery (deliver.c) ------------------------------------------------------------ */
void deliver_exception(struct gregs *r, uint32_t exc);   /* frame eip = r->eip */
void deliver_irq(struct gregs *r, unsigned vector);
/* int n / int3 / into at r->eip, next = eip after it. */
void deliver_softint(struct gregs *r, unsigned n, uint32_t next);
void set_cpl(unsigned cpl);

/* --- interrupts (irq.c) -------------------------------------------------------------- */
void irq_sync(void);                  /* irq_pending -> PIC, irq_unmasked current */
int irq_check(struct gregs *r);       /* irq_sync, irq_deliver */
int irq_deliver(struct gregs *r);     /* deliver while r's IF is set and the PIC has one */
void irq_halt(struct gregs *r);       /* hlt: sleep until something is delivered */
extern uint32_t irq_unmasked_at, irq_quiet_at;
/* Would irq_check do nothing at all?  No line waits in irq_pending, the
 * PIC is as it was when irq_unmasked was computed, and with IF set it was
 * found with nothing to deliver in this very state.  The common exit. */
static inline int irq_idle(const struct gregs *r)
{
	uint32_t g = pic_changes;
	return !vcpu->irq_pending && g == irq_unmasked_at && (!(r->eflags & FL_IF) || g == irq_quiet_at);
}

/* --- exits (exit.c) ------------------------------------------------------------------- */
/* Leave an upcall (or the boot): without the kernel when we can, else
 * through hc_resume. */
__attribute__((noreturn)) void exit_resume(struct gregs *r);
/* entry.S: load ds es fs gs (sel[0..3]), ss:esp (sel[4], sel[5]: a frame
 * of popal image, eip, cs, eflags there), popal, iret. */
__attribute__((noreturn)) void native_resume(const uint32_t sel[6]);
/* Resume from a site: the guest esp where the fast path's frame lies.
 * segs: the guest's %ds %es %fs %gs the hardware held at the entry; on
 * return, the selectors entry.S loads before it returns to the guest.
 * frame: where the entry's frame lies on the guest's stack. */
uint32_t exit_site(struct gregs *r, uint32_t segs[4], uint32_t *frame);

/* --- debug (debug.c): diagnostics, kept off the guest's console ------------------------- */
void dbg_puts(const char *s);
void dbg_hex(const char *what, uint32_t v);
/* Unfinished or impossible: say so, then deliver #UD to the guest. */
uint32_t unsupported(const char *what, uint32_t eip);
extern struct ab_wedge_boot wedge_boot;
__attribute__((noreturn)) void wedge_panic(const char *what, uint32_t v);

/* --- sites (sites.c) ------------------------------------------------------------------- */
struct ab_wedge_site;
const struct ab_wedge_site *site_find(uint32_t addr);
uint32_t site_decode(const struct ab_wedge_site *s, struct insn_ctx *c);
int kind_at(uint32_t eip);            /* the kind of the site or instruction at eip, or 0 */
/* A site's call run at another address than its link address faulted at
 * the misdirected target: emulate the site (1), or 0. */
int site_misdirected(struct gregs *r, uint32_t cr2);

#endif
