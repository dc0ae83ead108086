/*
 * Publishing the guest's descriptors (docs/abi/vcpu.md, "Segments").  The
 * hardware holds the guest's own selectors, so the kernel keeps per-VM
 * GDTs and LDTs with sanitized copies of the guest's descriptors: GDT
 * entries 0..AB_VCPU_GDT_ENTRIES-1 and LDT entries 0..AB_VCPU_LDT_ENTRIES-1.
 * We copy them, raw as they are in guest memory, into the vCPU page
 * (gdt[], ldt[], ldt_entries) and bump desc_gen; the kernel takes them at
 * the next hc_resume, and only then.
 *
 * When: lgdt and lldt publish their whole table; every emulated load of a
 * segment register (mov, pop, lds & co., far transfers, iret, delivery)
 * publishes the one descriptor it read, if it differs from what we
 * published last (Linux rewrites its TLS descriptors in memory at every
 * context switch, then reloads %gs).  A change marks the entry dirty: the
 * exit must go through hc_resume for the kernel to see it.
 *
 * Entries past the guest's GDTR limit, and entries we cannot read (a GDT
 * in unmapped memory), are published as 0.
 */
#include "vcpu_state.h"

/* In .data: 0 would be a selector the guest can hold (the null one). */
uint16_t wedge_flat_sel = 0xffffu;

static int gdt_index_ok(unsigned idx)
{
	return idx < AB_VCPU_GDT_ENTRIES && idx * 8u + 7u <= cpu.gdtr.limit;
}

/* Bit i: published GDT entry i is one the kernel puts into the user view
 * (a code or data descriptor with DPL 3, present or not: vm_desc.c's
 * for_user_view), so code at CPL 3 may load it natively; or it was once,
 * since the last lgdt.  Updated at every change, for publish_gdt_refresh:
 * the entries it must look at, and those a guest is likely to make
 * user-loadable again (Linux's TLS slots, empty in a task without TLS). */
static uint32_t gdt_user_mask;

static int user_visible(uint64_t d)
{
	uint32_t hi = (uint32_t)(d >> 32);
	return ((hi >> 12) & 1) && ((hi >> 13) & 3) == 3;
}

static void changed_mask(void)
{
	uint32_t m = 0;
	for (unsigned i = 1; i < AB_VCPU_GDT_ENTRIES; i++)
		if (user_visible(vcpu->gdt[i]))
			m |= 1u << i;
	gdt_user_mask |= m;
}

static void changed(void)
{
	changed_mask();
	vcpu->desc_gen++;
	cpu.published++;
	cpu.desc_dirty = 1;
	wedge_flat_sel = 0xffffu;    /* site_entry finds it again after the resume */
}

int publish_desc(uint16_t sel, uint32_t lo, uint32_t hi)
{
	unsigned idx = sel >> 3;
	volatile uint32_t *slot;
	if (sel & 4) {
		if (idx >= vcpu->ldt_entries || idx >= AB_VCPU_LDT_ENTRIES)
			return 1;
		slot = (volatile uint32_t *)&vcpu->ldt[idx];
	} else {
		if (!idx || idx >= AB_VCPU_GDT_ENTRIES)
			return 1;
		if (!gdt_index_ok(idx))
			return 0;
		slot = (volatile uint32_t *)&vcpu->gdt[idx];
	}
	if (slot[0] != lo || slot[1] != hi) {
		slot[0] = lo;
		slot[1] = hi;
		changed();
	}
	return 1;
}

/* n entries of a table at base into t (entries we cannot read: 0). */
static void read_table(uint32_t base, uint64_t *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		t[i] = 0;
	if (!n || !gm_peek(base, t, n * 8))
		return;
	for (unsigned i = 0; i < n; i++)     /* part of it is unmapped */
		if (gm_peek(base + 8 * i, &t[i], 8))
			t[i] = 0;
}

static int put_table(volatile uint64_t *dst, const uint64_t *src, unsigned n)
{
	int c = 0;
	for (unsigned i = 0; i < n; i++)
		if (dst[i] != src[i]) {
			dst[i] = src[i];
			c = 1;
		}
	return c;
}

void publish_sel(uint16_t sel)
{
	uint32_t base, limit;
	uint64_t d;
	if (!(sel & ~3u))
		return;
	if (sel & 4) {
		const struct seg *l = &cpu.seg[SR_LDTR];
		if (!(l->sel & ~3u))
			return;
		base = l->d.base;
		limit = l->d.limit;
	} else {
		base = cpu.gdtr.base;
		limit = cpu.gdtr.limit;
	}
	if ((uint32_t)(sel & ~7u) + 7 > limit || gm_peek(base + (sel & ~7u), &d, 8))
		return;
	publish_desc(sel, (uint32_t)d, (uint32_t)(d >> 32));
}

void publish_gdt(void)
{
	uint64_t t[AB_VCPU_GDT_ENTRIES];
	unsigned n = 0;
	while (n < AB_VCPU_GDT_ENTRIES && gdt_index_ok(n))
		n++;
	read_table(cpu.gdtr.base, t, n);
	for (unsigned i = n; i < AB_VCPU_GDT_ENTRIES; i++)
		t[i] = 0;
	gdt_user_mask = 0;                 /* a new table: its own history */
	if (put_table(vcpu->gdt, t, AB_VCPU_GDT_ENTRIES))
		changed();
	else
		changed_mask();
}

/* Before every return to virtual CPL 3 (exit.c).  Code at CPL 3 loads
 * segment registers natively, from the kernel's copies; but the guest
 * kernel may have rewritten descriptors in memory since it last loaded
 * them through us, and user code then loads them itself: Linux writes a
 * new thread's TLS entries into the GDT at set_thread_area and at every
 * context switch, and libc's `mov %ax, %gs` would get the previous
 * process's base.  Those plain stores are invisible to us, so we look.
 *
 * Only at the entries the user view holds (gdt_user_mask, with those it
 * held since the last lgdt) and those of the selectors this resume loads,
 * a few words (Linux: the user code and data segments and the three TLS
 * slots), not the whole table: CPL 3 can load natively nothing else.  Any
 * other entry is 0 in the user view, so a native load of it faults (#GP,
 * with the selector as the error code) and comes to us as an upcall,
 * where seg_load reads the entry from memory with the CPU's checks and
 * publishes it: an entry the guest made user-loadable behind our back
 * costs one trap, never a stale descriptor.
 * (Keeping the entries that were user-loadable once spares that trap
 * where it recurs: Linux empties a TLS slot for a task without TLS, and
 * the next static program's `mov %ax, %gs` after set_thread_area would
 * trap.)  An entry we cannot read is left as published.
 *
 * Other entries (kernel-only ones, DPL < 3) are not looked at: one
 * rewritten in memory and then reloaded natively by guest kernel code (no
 * site, no trap: target trap's minimal policy) keeps the copy published
 * last until an emulated load or lgdt publishes it, the gap docs/wedge.md
 * names ("Native segment loads").  (Reading and comparing the whole table
 * at every return to CPL 3 cost a Linux null system call about 570
 * instructions; these few entries, read at once, about a third of it.) */
void publish_gdt_refresh(void)
{
	uint32_t m = gdt_user_mask;
	int c = 0;
	/* And the entries of the six selectors the kernel loads at this
	 * resume: one the user view does not hold yet (the guest kernel
	 * made it user-loadable in memory) would become the kernel's flat
	 * stand-in instead of the guest's descriptor. */
	for (unsigned sr = 0; sr < SR_LDTR; sr++) {
		uint16_t sel = cpu.seg[sr].sel;
		if (!(sel & 4) && (sel >> 3) && (sel >> 3) < AB_VCPU_GDT_ENTRIES)
			m |= 1u << (sel >> 3);
	}
	/* Entries past the GDTR limit stay as published (0). */
	while (m && !gdt_index_ok(31 - (unsigned)__builtin_clz(m)))
		m &= ~(1u << (31 - __builtin_clz(m)));
	if (!m)
		return;
	/* One read from the lowest entry to the highest (Linux: 6 to 15);
	 * if part of it is unmapped, entry by entry. */
	uint64_t t[AB_VCPU_GDT_ENTRIES];
	unsigned lo = (unsigned)__builtin_ctz(m), hi = 31 - (unsigned)__builtin_clz(m);
	int whole = !gm_peek(cpu.gdtr.base + 8 * lo, &t[lo], 8 * (hi - lo + 1));
	while (m) {
		unsigned i = (unsigned)__builtin_ctz(m);
		m &= m - 1;
		if (!whole && gm_peek(cpu.gdtr.base + 8 * i, &t[i], 8))
			continue;
		if (vcpu->gdt[i] != t[i]) {
			vcpu->gdt[i] = t[i];
			c = 1;
		}
	}
	if (c)
		changed();
}

void publish_ldt(void)
{
	const struct seg *l = &cpu.seg[SR_LDTR];
	uint64_t t[AB_VCPU_LDT_ENTRIES];
	unsigned n = 0;
	if (l->sel & ~3u)
		while (n < AB_VCPU_LDT_ENTRIES && n * 8u + 7u <= l->d.limit)
			n++;
	read_table(l->d.base, t, n);
	for (unsigned i = n; i < AB_VCPU_LDT_ENTRIES; i++)
		t[i] = 0;
	int c = put_table(vcpu->ldt, t, AB_VCPU_LDT_ENTRIES);
	if (vcpu->ldt_entries != n) {
		vcpu->ldt_entries = n;
		c = 1;
	}
	if (c)
		changed();
}

/* The state QEMU's PVH option ROM leaves: CS 0x10 and DS 0x18, flat, from
 * a GDT of its own that the guest never sees (the GDTR we show is base 0,
 * limit 0xffff).  Publishing those two descriptors lets the hardware hold
 * the boot selectors until the guest loads its own GDT. */
void publish_boot(void)
{
	uint64_t t[AB_VCPU_GDT_ENTRIES];
	for (unsigned i = 0; i < AB_VCPU_GDT_ENTRIES; i++)
		t[i] = 0;
	for (unsigned sr = 0; sr < SR_LDTR; sr++) {
		const struct seg *s = &cpu.seg[sr];
		if ((s->sel & ~3u) && !(s->sel & 4) && (s->sel >> 3) < AB_VCPU_GDT_ENTRIES)
			t[s->sel >> 3] = (uint64_t)s->d.hi << 32 | s->d.lo;
	}
	put_table(vcpu->gdt, t, AB_VCPU_GDT_ENTRIES);
	for (unsigned i = 0; i < AB_VCPU_LDT_ENTRIES; i++)
		vcpu->ldt[i] = 0;
	vcpu->ldt_entries = 0;
	changed();
}
