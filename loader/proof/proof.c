/*
 * The loader proof: the freestanding loader library (ab_loader_i386),
 * linked into a bare-metal i386 image with no libc and no libgcc, does the
 * whole boot-time job on the fixture guest and wedge: parse, load into a
 * memory window, collect the sites, read the wedge's exports, and patch
 * for each target.  Every result is checked against what DESIGN.md and
 * docs/abi/ say it must be, not against what the library happens to do.
 *
 * Output goes to COM1; the last line is "Test result: SUCCESS" or
 * "Test result: FAILURE", and QEMU exits with status 1 or 3 (start.S).
 */
#include "loader.h"
#include "nops.h"
#include "serial.h"

/* The guest's physical memory, as far as the loader sees it: a window
 * starting at the guest's link address (loader/fixtures/guest.ld). */
#define GUEST_BASE   0x00100000u
#define WINDOW_SIZE  (64u * 1024)
#define MAX_SITES    64
#define FILL         0xa5   /* what the window holds before a load */

/* The sites of loader/fixtures/guest.S in address order: keep in step. */
static const uint8_t guest_kinds[] = {
	AB_KIND_CLI, AB_KIND_LGDT, AB_KIND_SGDT, AB_KIND_LJMP,
	AB_KIND_MOV_FROM_CR, AB_KIND_MOV_TO_CR, AB_KIND_IN, AB_KIND_OUT,
	AB_KIND_CPUID, AB_KIND_RDTSC, AB_KIND_STI, AB_KIND_HLT,
	AB_KIND_PUSHF, AB_KIND_CLI, AB_KIND_PUSH_SREG, AB_KIND_POPF, AB_KIND_IRET,
};
#define GUEST_NSITES (sizeof guest_kinds / sizeof guest_kinds[0])

extern const uint8_t proof_guest_elf[], proof_guest_elf_end[];
extern const uint8_t proof_wedge_elf[], proof_wedge_elf_end[];

/* Everything big is static: no stack frames of kilobytes, and no
 * initialisers the compiler might turn into a memset call. */
static uint8_t window[WINDOW_SIZE] __attribute__((aligned(4096)));
static uint8_t pristine[WINDOW_SIZE] __attribute__((aligned(4096)));
static uint8_t table_area[8192] __attribute__((aligned(16)));
static struct ab_image guest, wedge_img;
static struct ab_wedge wedge;
static struct ab_site sites[MAX_SITES];
static size_t nsites;
static struct ab_patch_stats stats;
static uint32_t tally[AB_OUT_COUNT][AB_KIND_COUNT];
static unsigned failures;

static void puthex(uint32_t v)
{
	ser_puts("0x");
	ser_puthex(v, 8);
}

static void check(int ok, const char *what)
{
	ser_puts(ok ? "  ok    " : "  FAIL  ");
	ser_puts(what);
	ser_puts("\n");
	if (!ok)
		failures++;
}

/* A library call's status: printed by name, so a failure says which. */
static int check_status(int got, int want, const char *what)
{
	check(got == want, what);
	if (got != want) {
		ser_puts("        got ");
		ser_puts(ab_ld_status_name((unsigned)got));
		ser_puts(", want ");
		ser_puts(ab_ld_status_name((unsigned)want));
		ser_puts("\n");
	}
	return got == want;
}

static void fill(uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		p[i] = v;
}

static int same(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The file bytes of an image at virtual address addr, or 0. */
static const uint8_t *file_at(const struct ab_image *img, uint32_t addr, uint32_t len)
{
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		if (addr >= s->vaddr && addr - s->vaddr + len <= s->filesz)
			return img->data + s->offset + (addr - s->vaddr);
	}
	return 0;
}

/* Where a guest site is in the window (the fixture has vaddr = paddr). */
static uint32_t woff(const struct ab_site *s)
{
	return (uint32_t)s->addr - GUEST_BASE;
}

static void parse_guest(void)
{
	ser_puts("guest: ");
	ser_putu((uint32_t)(proof_guest_elf_end - proof_guest_elf));
	ser_puts(" bytes\n");
	if (!check_status(ab_image_parse(&guest, proof_guest_elf,
					 (size_t)(proof_guest_elf_end - proof_guest_elf)),
			  AB_LD_OK, "ab_image_parse(guest)"))
		return;
	check(!guest.is64 && guest.machine == 3 && guest.type == 2, "guest is ELF32 i386 ET_EXEC");
	check(guest.nsegs == 2, "guest has 2 PT_LOAD segments (text, data+bss)");
	uint32_t pvh = 1;
	check_status(ab_image_pvh_entry(&guest, &pvh), AB_LD_OK, "ab_image_pvh_entry(guest)");
	check(pvh == 0, "guest has no PVH note: entry 0");
}

static void load_guest(void)
{
	fill(window, sizeof window, FILL);
	if (!check_status(ab_image_load(&guest, window, GUEST_BASE, sizeof window), AB_LD_OK,
			  "ab_image_load(guest) into a 64 KiB window at 0x100000"))
		return;
	int bytes_ok = 1, bss_ok = 1;
	for (unsigned i = 0; i < guest.nsegs; i++) {
		const struct ab_seg *s = &guest.segs[i];
		const uint8_t *w = window + (s->paddr - GUEST_BASE);
		bytes_ok &= same(w, guest.data + s->offset, (size_t)s->filesz);
		for (uint64_t j = s->filesz; j < s->memsz; j++)
			bss_ok &= w[j] == 0;
	}
	check(bytes_ok, "every segment's file bytes are at its physical address");
	check(bss_ok, "every segment's bss is zeroed");
	check(guest.segs[1].memsz > guest.segs[1].filesz, "the fixture has a bss to zero");
}

static int collect(void)
{
	int r = ab_sites_collect(&guest, sites, MAX_SITES, &nsites);
	return r == AB_LD_OK && nsites == GUEST_NSITES;
}

static void collect_sites(void)
{
	size_t need = 0;
	check_status(ab_sites_collect(&guest, sites, 0, &need), AB_LD_E_TOO_MANY,
		     "ab_sites_collect(cap 0) asks for room");
	check(need == GUEST_NSITES, "it counts the 17 records of the fixture");
	if (!check_status(ab_sites_collect(&guest, sites, MAX_SITES, &nsites), AB_LD_OK,
			  "ab_sites_collect(guest)"))
		return;
	check(nsites == GUEST_NSITES, "17 sites collected");
	if (nsites != GUEST_NSITES)
		return;
	int valid = 1, sorted = 1, kinds = 1, inside = 1;
	for (size_t i = 0; i < nsites; i++) {
		const struct ab_site *s = &sites[i];
		valid &= s->status == AB_SITE_OK;
		kinds &= s->kind == guest_kinds[i];
		inside &= s->addr >= GUEST_BASE && woff(s) + s->len <= WINDOW_SIZE;
		if (i)
			sorted &= sites[i - 1].addr + sites[i - 1].len <= s->addr;
	}
	check(valid, "every site is valid");
	for (size_t i = 0; i < nsites; i++) {
		if (sites[i].status == AB_SITE_OK)
			continue;
		ser_puts("        ");
		puthex((uint32_t)sites[i].addr);
		ser_puts(" record ");
		ser_putu(sites[i].record);
		ser_puts(": ");
		ser_puts(ab_site_status_name(sites[i].status));
		ser_puts(" (");
		ser_puts(ab_site_status_text(sites[i].status));
		ser_puts(")\n");
	}
	check(sorted, "sites are sorted by address and do not overlap");
	check(kinds, "the kinds are guest.S's, in order");
	for (size_t i = 0; !kinds && i < nsites; i++) {
		ser_puts("        ");
		puthex((uint32_t)sites[i].addr);
		ser_puts(" ");
		ser_puts(ab_kinds[sites[i].kind].name);
		ser_puts(", want ");
		ser_puts(ab_kinds[guest_kinds[i]].name);
		ser_puts("\n");
	}
	check(inside, "every site lies in the window");
}

static void parse_wedge(void)
{
	ser_puts("wedge: ");
	ser_putu((uint32_t)(proof_wedge_elf_end - proof_wedge_elf));
	ser_puts(" bytes\n");
	if (!check_status(ab_image_parse(&wedge_img, proof_wedge_elf,
					 (size_t)(proof_wedge_elf_end - proof_wedge_elf)),
			  AB_LD_OK, "ab_image_parse(wedge)"))
		return;
	if (!check_status(ab_wedge_parse(&wedge_img, &wedge), AB_LD_OK, "ab_wedge_parse(wedge)"))
		return;
	ser_puts("  vcpu ");
	puthex(wedge.vcpu);
	ser_puts(", vcpu_if ");
	puthex(wedge.vcpu_if);
	ser_puts(", site table ");
	puthex(wedge.site_table);
	ser_puts(" (");
	ser_putu(wedge.site_table_size);
	ser_puts(" bytes)\n");
	check(wedge.vcpu >= 0xfd000000u && wedge.vcpu % 4096 == 0, "vCPU page: page-aligned, in the wedge");
	check(wedge.vcpu_if - wedge.vcpu < 4096, "the virtual IF byte is in the vCPU page");
	check(wedge.site_table % 16 == 0 && wedge.site_table_size == 512u * 1024,
	      "site table: 16-aligned, 512 KiB");

	/* Every kind has its own entry, and each is a ud2 in the wedge's code. */
	int all = 1, distinct = 1, ud2 = 1;
	for (unsigned k = 1; k < AB_KIND_COUNT; k++) {
		const uint8_t *b = file_at(&wedge_img, wedge.entry[k], 2);
		all &= wedge.entry[k] != 0;
		ud2 &= b && b[0] == 0x0f && b[1] == 0x0b;
		for (unsigned j = 1; j < k; j++)
			distinct &= wedge.entry[j] != wedge.entry[k];
	}
	check(all, "an entry point for every kind of kinds.def");
	check(distinct, "the entry points are distinct");
	check(ud2, "each entry point is a ud2");
}

/* What DESIGN.md says a target does with a valid site of this kind. */
static int expected_outcome(enum ab_target t, unsigned kind)
{
	if (t == AB_TARGET_BARE)
		return AB_OUT_LEFT_TARGET;
	if (t == AB_TARGET_TRAP && ab_kinds[kind].cls != AB_CLASS_SILENT)
		return AB_OUT_LEFT_TARGET;
	if (t == AB_TARGET_L4 && kind == AB_KIND_CLI)
		return AB_OUT_INLINE;   /* movb $0, vcpu_if: fits the 7-byte site */
	if (t == AB_TARGET_L4 && kind == AB_KIND_RDTSC)
		return AB_OUT_LEFT_NATIVE;
	return AB_OUT_CALL;
}

/* The bytes the site must hold after patching; 1 if they do. */
static int site_bytes_ok(const struct ab_site *s)
{
	const uint8_t *p = window + woff(s);
	const uint8_t *orig = pristine + woff(s);
	switch (s->outcome) {
	case AB_OUT_CALL:
		return p[0] == 0xe8 && (uint32_t)s->addr + 5 + rd32(p + 1) == wedge.entry[s->kind] &&
		       ab_is_padding(p + 5, s->len - 5u);
	case AB_OUT_INLINE:
		return s->kind == AB_KIND_CLI && s->len >= 7 && p[0] == 0xc6 && p[1] == 0x05 &&
		       rd32(p + 2) == wedge.vcpu_if && p[6] == 0x00 && ab_is_padding(p + 7, s->len - 7u);
	default:
		return same(p, orig, s->len);
	}
}

static void print_site(const struct ab_site *s)
{
	const uint8_t *p = window + woff(s);
	ser_puts("    ");
	puthex((uint32_t)s->addr);
	ser_puts(" ");
	ser_puts(ab_kinds[s->kind].name);
	ser_puts(" -> ");
	ser_puts(ab_site_outcome_name(s->outcome));
	ser_puts(":");
	for (unsigned i = 0; i < s->len; i++) {
		ser_puts(" ");
		ser_puthex(p[i], 2);
	}
	ser_puts("\n");
}

/* Bytes of the window outside every site must not change. */
static int outside_sites_unchanged(void)
{
	size_t next = 0;
	for (uint32_t off = 0; off < WINDOW_SIZE; off++) {
		while (next < nsites && woff(&sites[next]) + sites[next].len <= off)
			next++;
		if (next < nsites && off >= woff(&sites[next]))
			continue;
		if (window[off] != pristine[off])
			return 0;
	}
	return 1;
}

static void check_table(uint32_t ncalls)
{
	const struct ab_wedge_site_table *t = (const void *)table_area;
	uint32_t area = sizeof table_area < wedge.site_table_size ? sizeof table_area : wedge.site_table_size;
	check(t->magic == AB_WEDGE_SITES_MAGIC && t->version == AB_WEDGE_VERSION &&
	      t->entry_size == sizeof(struct ab_wedge_site), "site table header: magic, version, entry size");
	check(t->count == ncalls, "site table count = the call sites");
	check(t->capacity == (area - sizeof *t) / sizeof(struct ab_wedge_site), "site table capacity");
	if (t->count != ncalls)
		return;
	int sorted = 1, match = 1, insn = 1;
	size_t j = 0;
	for (uint32_t i = 0; i < t->count; i++) {
		const struct ab_wedge_site *e = &t->sites[i];
		while (j < nsites && sites[j].outcome != AB_OUT_CALL)
			j++;
		if (j == nsites) {
			match = 0;
			break;
		}
		const struct ab_site *s = &sites[j++];
		if (i)
			sorted &= t->sites[i - 1].addr < e->addr;
		match &= e->addr == s->addr && e->kind == s->kind && e->len == s->len &&
			 e->insn_len == s->insn_len && e->flags == s->flags && e->op_a == s->op_a &&
			 e->op_b == s->op_b && e->width == s->width && e->modrm == s->modrm &&
			 e->reserved == 0;
		/* sti's padding comes first (abi/kinds.def, pad) */
		unsigned at = ab_site_insn_offset(s->kind, s->len, s->insn_len);
		for (unsigned b = 0; b < sizeof e->insn; b++)
			insn &= e->insn[b] == (b < s->insn_len ? pristine[woff(s) + at + b] : 0);
	}
	check(sorted, "site table sorted by address");
	check(match, "each table entry is its call site's record");
	check(insn, "each table entry holds the original instruction, zero-filled");
}

static void check_stats(uint32_t patched)
{
	int agree = 1;
	for (unsigned o = 0; o < AB_OUT_COUNT; o++)
		for (unsigned k = 0; k < AB_KIND_COUNT; k++)
			agree &= stats.by_outcome[o][k] == tally[o][k];
	check(agree, "statistics per outcome and kind agree");
	check(stats.records == nsites && stats.rejected_total == 0 && stats.patched == patched &&
	      stats.left == nsites - patched, "statistics totals agree");
}

static void run_target(enum ab_target t)
{
	ser_puts("target ");
	ser_puts(ab_target_name(t));
	ser_puts(":\n");

	/* A fresh window for each target, and a reference copy loaded alike. */
	fill(window, sizeof window, FILL);
	fill(pristine, sizeof pristine, FILL);
	int r1 = ab_image_load(&guest, window, GUEST_BASE, sizeof window);
	int r2 = ab_image_load(&guest, pristine, GUEST_BASE, sizeof pristine);
	check(r1 == AB_LD_OK && r2 == AB_LD_OK && collect(), "reload the window and collect the sites");
	if (nsites != GUEST_NSITES)
		return;
	fill(table_area, sizeof table_area, FILL);

	struct ab_backing out = { window, GUEST_BASE, sizeof window, 1 };
	struct ab_site_table_out table = { (struct ab_wedge_site_table *)(void *)table_area, sizeof table_area };
	int bare = t == AB_TARGET_BARE;
	if (!check_status(ab_patch(&guest, sites, nsites, t, bare ? 0 : &wedge, &out,
				   bare ? 0 : &table, &stats), AB_LD_OK, "ab_patch"))
		return;

	int outcomes = 1, bytes = 1;
	uint32_t patched = 0, ncalls = 0;
	for (unsigned o = 0; o < AB_OUT_COUNT; o++)
		for (unsigned k = 0; k < AB_KIND_COUNT; k++)
			tally[o][k] = 0;
	for (size_t i = 0; i < nsites; i++) {
		const struct ab_site *s = &sites[i];
		int ok = s->outcome == expected_outcome(t, s->kind) && site_bytes_ok(s);
		outcomes &= s->outcome == expected_outcome(t, s->kind);
		bytes &= site_bytes_ok(s);
		tally[s->outcome][s->kind]++;
		patched += s->outcome == AB_OUT_CALL || s->outcome == AB_OUT_INLINE;
		ncalls += s->outcome == AB_OUT_CALL;
		if (t != AB_TARGET_BARE || !ok)
			print_site(s);
	}
	switch (t) {
	case AB_TARGET_BARE:
		check(outcomes, "every site left alone (left-target)");
		check(same(window, pristine, sizeof window), "no byte of the window changed");
		break;
	case AB_TARGET_L4:
		check(outcomes, "l4: cli inline, rdtsc native, every other kind a call");
		check(bytes, "calls are E8 rel32 to the kind's wedge entry, cli is movb $0, vcpu_if");
		break;
	default:
		check(outcomes, "trap: silent kinds patched, trapping kinds left");
		check(bytes, "silent sites call the wedge; trapping sites are byte-identical");
		break;
	}
	check(outside_sites_unchanged(), "no byte outside the sites changed");
	if (!bare)
		check_table(ncalls);
	check_stats(patched);
	ser_puts("  ");
	ser_putu(patched);
	ser_puts(" patched (");
	ser_putu(ncalls);
	ser_puts(" calls), ");
	ser_putu(stats.left);
	ser_puts(" left\n");
}

void proof_main(uint32_t start_info)
{
	ser_init();
	ser_puts("\nloader proof: the freestanding loader in a bare i386 image (PVH start info ");
	puthex(start_info);
	ser_puts(")\n");
	parse_guest();
	load_guest();
	collect_sites();
	parse_wedge();
	if (!failures) {
		run_target(AB_TARGET_BARE);
		run_target(AB_TARGET_L4);
		run_target(AB_TARGET_TRAP);
	}
	if (failures) {
		ser_puts("Test result: FAILURE (");
		ser_putu(failures);
		ser_puts(" checks failed)\n");
		proof_exit(1);
	}
	ser_puts("Test result: SUCCESS\n");
	proof_exit(0);
}
