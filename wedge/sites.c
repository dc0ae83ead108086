/*
 * Patched sites.  The loader wrote one struct ab_wedge_site per call site
 * into our site table, sorted by address, with the ORIGINAL instruction
 * bytes (docs/abi/wedge.md).  An entry finds its site by the return
 * address of the call (site + 5), by binary search, and decodes the
 * original instruction with the same decoder as the trap path.
 *
 * sti is padded before (docs/abi/site-record.md): the call sits at the
 * site's start and the sti's bytes end the site; either way execution
 * resumes at site + len, right after the original instruction.
 */
#include "wedge.h"         /* before vcpu_state.h: its field `vcpu` meets the macro */
#include "vcpu_state.h"

extern struct ab_wedge_site_table wedge_site_table;
extern const struct ab_wedge_exports __wedge_exports;
extern char wedge_entry_HLT[], wedge_entry_SYSEXIT[];

const struct ab_wedge_site *site_find(uint32_t addr)
{
	const struct ab_wedge_site_table *t = &wedge_site_table;
	if (t->magic != AB_WEDGE_SITES_MAGIC)
		return 0;
	uint32_t lo = 0, hi = t->count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint32_t a = t->sites[mid].addr;
		if (a == addr)
			return &t->sites[mid];
		if (a < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The context kinds (dev-write, dev-read) are plain movs no opcode
 * pattern finds: abi/memop.c decodes them, and the direction must be the
 * kind's. */
uint32_t site_decode(const struct ab_wedge_site *s, struct insn_ctx *c)
{
	const struct ab_kind_info *k = ab_kind_info(s->kind);
	c->bytes = s->insn;
	if (k && k->cls == AB_CLASS_CONTEXT) {
		if (memop_decode(s->insn, s->insn_len, c) != s->insn_len || c->kind != s->kind)
			return 1;
	} else if (!ab_decode(s->insn, s->insn_len, AB_MODE_32, &c->in) || c->in.kind != s->kind) {
		return 1;
	}
	c->kind = s->kind;
	c->start = s->addr;
	c->next = s->addr + s->len;
	c->from_site = 1;
	return 0;
}

/* Decoded sites, by address.  Finding a site (a binary search of up to
 * 20,480 entries) and decoding its original bytes cost more than most
 * emulations: a null system call of a Linux guest runs eight sites.  The
 * table is root's, filled before our first instruction and never written
 * after (nothing in the wedge writes it), so a site's decoding is the same
 * every time it runs: we keep the decodings of recent sites in a small
 * two-way set-associative memo (the newer first) and decode again only on
 * a miss.  Only good sites are kept; an unknown or undecodable one goes
 * the slow way every time. */
#define MEMO_SETS 256                    /* a power of two */
#define MEMO_BITS 8
_Static_assert(MEMO_SETS == 1u << MEMO_BITS, "memo_set takes MEMO_BITS bits");
struct site_memo {
	uint32_t addr;                   /* the site's address, if used */
	int used;
	struct insn_ctx c;               /* site_decode's answer; c.bytes in the table */
};
static struct site_memo site_memo[MEMO_SETS][2];

static struct site_memo *memo_set(uint32_t addr)
{
	return site_memo[(addr * 2654435761u) >> (32 - MEMO_BITS)];   /* Knuth's multiplicative hash */
}

/* The site at addr, called through the entry of `kind`, decoded; 0 when
 * there is no such site or it does not decode as its kind.  The answer
 * lives in the memo: good until the next call. */
static const struct insn_ctx *site_get(uint32_t addr, unsigned kind)
{
	struct site_memo *m = memo_set(addr);
	if (m[0].used && m[0].addr == addr)
		return m[0].c.kind == kind ? &m[0].c : 0;
	if (m[1].used && m[1].addr == addr)
		return m[1].c.kind == kind ? &m[1].c : 0;
	struct insn_ctx c;
	const struct ab_wedge_site *s = site_find(addr);
	if (!s || s->kind != kind || site_decode(s, &c))
		return 0;
	m[1] = m[0];
	m[0].addr = addr;
	m[0].used = 1;
	m[0].c = c;
	return &m[0].c;
}

/* What the instruction at eip is, for sti's shadow: a patched site (the
 * call to our entry), or an unpatched instruction.  gm_peek: a look ahead
 * that runs off the mapped range must not change the guest's CR2. */
int kind_at(uint32_t eip)
{
	uint8_t b[5] = { 0, 0, 0, 0, 0 };
	uint32_t la = seg_base(SR_CS) + eip;
	if (gm_peek(la, b, 1))
		return 0;
	if ((b[0] == 0xe8 && gm_peek(la + 1, b + 1, 4)) || (b[0] == 0x0f && gm_peek(la + 1, b + 1, 1)))
		return 0;
	if (b[0] == 0xe8) {
		uint32_t to = eip + 5 + ((uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 |
					 (uint32_t)b[4] << 24);
		if (to == (uint32_t)wedge_entry_HLT)
			return AB_KIND_HLT;
		if (to == (uint32_t)wedge_entry_SYSEXIT)
			return AB_KIND_SYSEXIT;
		return 0;
	}
	if (b[0] == 0xf4)
		return AB_KIND_HLT;
	if (b[0] == 0x0f && b[1] == 0x35)
		return AB_KIND_SYSEXIT;
	return 0;
}

/* entry.S skips the switch to flat %ds/%es when both hold wedge_flat_sel:
 * look for one when they did not.  The descriptor the hardware loaded is
 * the one we published (the kernel took it at the last hc_resume). */
static void note_flat(const uint32_t *segs)
{
	uint16_t ds = (uint16_t)segs[0];
	struct desc d;
	if (ds == wedge_flat_sel || ds != (uint16_t)segs[1] || ds < 4 || !desc_publishable(ds))
		return;
	uint64_t p = desc_published(ds);
	desc_split(&d, (uint32_t)p, (uint32_t)(p >> 32));
	if (d.p && d.s && (d.type & 0xe) == 2 && d.base == 0 && d.limit == 0xffffffffu)
		wedge_flat_sel = ds;
}

/* Called by site_common (entry.S) on the wedge stack.  frame: the guest's
 * pushal image, its hardware eflags, the return address; segs: its %ds
 * %es %fs %gs, and on return the ones to resume with. */
uint32_t site_entry(uint32_t kind, uint32_t *frame, uint32_t *segs)
{
	uint32_t ret = frame[9];
	const struct insn_ctx *c;
	struct gregs r;

	gpr_copy(r.gpr, frame);
	R_ESP(&r) = (uint32_t)(frame + 10);   /* the guest's esp before the call */
	r.eflags = eflags_virt(frame[8]);
	r.eip = ret - AB_WEDGE_CALL_LEN;
	cpu.in_upcall = 0;
	cpu.hold_irq = 0;
	seg_take_hw(segs);
	note_flat(segs);
	for (unsigned i = 0; i < 4; i++)
		cpu.entry_sel[i] = cpu.seg[data_sr(i)].sel;
	cpu.desc_dirty = cpu.cs_ss_dirty = cpu.flushed = 0;
	if (!(c = site_get(ret - AB_WEDGE_CALL_LEN, kind))) {
		dbg_hex("wedge: a call from an unknown site, eip", r.eip);
		dbg_hex("wedge: entry kind", kind);
		r.eip = ret;   /* as if the call had been an undefined instruction */
		deliver_exception(&r, unsupported("unknown site", r.eip));
		return exit_site(&r, segs, frame);
	}
	emulate(c, &r);
	return exit_site(&r, segs, frame);
}

/* A patched site that ran somewhere else than at its link address: code
 * that runs at its physical address before the guest turns paging on
 * (Linux's pvh_start_xen and startup_32 are linked at 0xC1000000 and run
 * at 0x1000000).  The call's rel32 was computed for the link address, so
 * from P = V - off it lands at W - off, not at our entry W, and that
 * instruction fetch faults (beyond guest memory, or unmapped).  We know
 * it by the return address on the guest's stack: the bytes before it are
 * a call to the faulting eip, and exactly one of our entries W_k gives a
 * page-aligned off = W_k - eip with a site of kind k at P + off in the
 * table.  Then the site runs here as a trapped instruction at P: the
 * return address is popped, faults are at P, execution resumes at P + len
 * (docs/wedge.md, "Sites run at another address").  0: not such a call,
 * nothing changed. */
int site_misdirected(struct gregs *r, uint32_t cr2)
{
	const struct ab_wedge_exports *x = &__wedge_exports;
	uint8_t b[AB_WEDGE_CALL_LEN];
	uint32_t ret, ss = seg_base(SR_SS), cs = seg_base(SR_CS);
	if (cr2 != cs + r->eip || gm_peek(ss + R_ESP(r), &ret, 4))
		return 0;
	uint32_t at = ret - AB_WEDGE_CALL_LEN;
	if (gm_peek(cs + at, b, sizeof b) || b[0] != 0xe8 ||
	    ret + ((uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 24) != r->eip)
		return 0;
	for (unsigned i = 0; i < x->count; i++) {
		uint32_t off = x->entries[i].entry - r->eip;
		const struct ab_wedge_site *s;
		struct insn_ctx c;
		if (off & 0xfff)
			continue;
		s = site_find(at + off);
		if (!s || s->kind != x->entries[i].kind || site_decode(s, &c))
			continue;
		c.start = at;
		c.next = at + s->len;
		R_ESP(r) += 4;              /* the call's return address */
		r->eip = at;
		set_exit_kind(s->kind);
		emulate(&c, r);
		return 1;
	}
	return 0;
}
