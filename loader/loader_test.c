/*
 * Unit tests of the loader on images built here in memory: a tiny i386
 * guest (a code segment and a data segment holding .afterburn) and a tiny
 * wedge.  tests/test_loader*.py checks real images (Linux, the fixtures,
 * the malformed corpus); this checks the library's decisions one by one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_impl.h"
#include "nops.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { failures++; \
	fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); } } while (0)

/* Layout of the test guest: one RX segment at 0x100000 (file 0x100), one
 * RW segment at 0x200000 (file 0x300) that holds .afterburn; no section
 * headers, so the records are found through... nothing: tests that need
 * them add a section header table. */
#define TEXT_VA 0x100000u
#define TEXT_OFF 0x100u
#define DATA_VA 0x200000u
#define DATA_OFF 0x300u
#define IMG_SIZE 0x600u

static void w16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static void phdr(uint8_t *img, int i, uint32_t off, uint32_t va, uint32_t filesz, uint32_t memsz, uint32_t flags)
{
	uint8_t *p = img + 52 + i * 32;
	wr32(p, PT_LOAD);
	wr32(p + 4, off);
	wr32(p + 8, va);
	wr32(p + 12, va);
	wr32(p + 16, filesz);
	wr32(p + 20, memsz);
	wr32(p + 24, flags);
	wr32(p + 28, 0x1000);
}

static void shdr(uint8_t *img, uint32_t shoff, int i, uint32_t name, uint32_t type, uint32_t flags,
		 uint32_t addr, uint32_t off, uint32_t size, uint32_t link, uint32_t entsize)
{
	uint8_t *p = img + shoff + i * 40;
	wr32(p, name);
	wr32(p + 4, type);
	wr32(p + 8, flags);
	wr32(p + 12, addr);
	wr32(p + 16, off);
	wr32(p + 20, size);
	wr32(p + 24, link);
	wr32(p + 36, entsize);
}

static const char shstr[] = "\0.text\0.afterburn\0.shstrtab\0.init.text";

/* A guest with code at TEXT_VA: pushf + 4 no-op bytes (site 0), cli + 6
 * (site 1), mov %eax,%cr3 + 2 (site 2), rdtsc + 3 (site 3), and in an exec
 * section of the RW segment, sti + 4 (site 4); then, from GUEST_BASE to
 * GUEST_ALL, the sites of test_context_and_inline.  nrec records in
 * .afterburn. */
#define GUEST_BASE 5
#define GUEST_ALL 11
#define INIT_AT 0xc0   /* .init.text in the RW segment, after the records */
static uint8_t *make_guest(int nrec)
{
	uint8_t *img = calloc(1, IMG_SIZE);
	memcpy(img, "\x7f" "ELF\x01\x01\x01", 7);
	w16(img + 16, ET_EXEC);
	w16(img + 18, EM_386);
	wr32(img + 20, 1);
	wr32(img + 24, TEXT_VA);
	wr32(img + 28, 52);
	w16(img + 40, 52);
	w16(img + 42, 32);
	w16(img + 44, 2);
	phdr(img, 0, TEXT_OFF, TEXT_VA, 0x40, 0x40, 5);
	phdr(img, 1, DATA_OFF, DATA_VA, 0x100, 0x200, 6);

	uint8_t *t = img + TEXT_OFF;
	t[0] = 0x9c; ab_nop_fill(t + 1, 4);                        /* pushf */
	t[5] = 0xfa; ab_nop_fill(t + 6, 6);                        /* cli */
	t[12] = 0x0f; t[13] = 0x22; t[14] = 0xd8; ab_nop_fill(t + 15, 2); /* mov %eax,%cr3 */
	t[17] = 0x0f; t[18] = 0x31; ab_nop_fill(t + 19, 3);       /* rdtsc */
	uint8_t *init = img + DATA_OFF + INIT_AT;                     /* .init.text in RW */
	ab_nop_fill(init, 4); init[4] = 0xfb;                      /* sti: padding first */
	/* Sites 5..10, recorded only by make_guest(GUEST_ALL): context kinds
	 * and reads of control registers (the inline emitter). */
	t[24] = 0x89; t[25] = 0x03; ab_nop_fill(t + 26, 3);        /* mov %eax,(%ebx): dev-write */
	t[29] = 0x8b; t[30] = 0x43; t[31] = 0x10; ab_nop_fill(t + 32, 2); /* mov 0x10(%ebx),%eax: dev-read */
	t[34] = 0x0f; t[35] = 0x20; t[36] = 0xd8; ab_nop_fill(t + 37, 3); /* mov %cr3,%eax, 6 bytes */
	t[40] = 0x0f; t[41] = 0x20; t[42] = 0xe3; ab_nop_fill(t + 43, 3); /* mov %cr4,%ebx, 6 bytes */
	t[46] = 0x0f; t[47] = 0x20; t[48] = 0xd1; ab_nop_fill(t + 49, 3); /* mov %cr2,%ecx, 6 bytes */
	t[52] = 0x0f; t[53] = 0x20; t[54] = 0xc0; ab_nop_fill(t + 55, 2); /* mov %cr0,%eax, 5 bytes */

	static const struct { uint32_t va; uint8_t kind, len, insn, flags, op_a, op_b; } rec[GUEST_ALL] = {
		{ TEXT_VA + 0, AB_KIND_PUSHF, 5, 1, 0, 0, 0 },
		{ TEXT_VA + 5, AB_KIND_CLI, 7, 1, 0, 0, 0 },
		{ TEXT_VA + 12, AB_KIND_MOV_TO_CR, 5, 3, 0, 3, 0 },
		{ TEXT_VA + 17, AB_KIND_RDTSC, 5, 2, 0, 0, 0 },
		{ DATA_VA + INIT_AT, AB_KIND_STI, 5, 1, 0, 0, 0 },
		{ TEXT_VA + 24, AB_KIND_DEV_WRITE, 5, 2, AB_SITE_MEM, 0, 0 },
		{ TEXT_VA + 29, AB_KIND_DEV_READ, 5, 3, AB_SITE_MEM, 0, 0 },
		{ TEXT_VA + 34, AB_KIND_MOV_FROM_CR, 6, 3, 0, 3, 0 },
		{ TEXT_VA + 40, AB_KIND_MOV_FROM_CR, 6, 3, 0, 4, 3 },
		{ TEXT_VA + 46, AB_KIND_MOV_FROM_CR, 6, 3, 0, 2, 1 },
		{ TEXT_VA + 52, AB_KIND_MOV_FROM_CR, 5, 3, 0, 0, 0 },
	};
	for (int i = 0; i < nrec; i++) {
		uint8_t *r = img + DATA_OFF + i * 12;
		uint32_t field = DATA_VA + (uint32_t)i * 12;
		int k = i % GUEST_ALL;
		wr32(r, rec[k].va - field);
		r[4] = rec[k].kind;
		r[5] = rec[k].len;
		r[6] = rec[k].insn;
		r[7] = 0x10 | rec[k].flags;
		r[8] = rec[k].op_a;
		r[9] = rec[k].op_b;
	}

	/* Sections: null, .text, .afterburn, .shstrtab, .init.text */
	uint32_t shoff = 0x400, stroff = 0x5c0;
	memcpy(img + stroff, shstr, sizeof shstr);
	wr32(img + 32, shoff);
	w16(img + 46, 40);
	w16(img + 48, 5);
	w16(img + 50, 3);
	shdr(img, shoff, 1, 1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, TEXT_VA, TEXT_OFF, 0x40, 0, 0);
	shdr(img, shoff, 2, 7, SHT_PROGBITS, SHF_ALLOC, DATA_VA, DATA_OFF, (uint32_t)nrec * 12, 0, 0);
	shdr(img, shoff, 3, 18, SHT_STRTAB, 0, 0, stroff, sizeof shstr, 0, 0);
	shdr(img, shoff, 4, 28, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, DATA_VA + INIT_AT, DATA_OFF + INIT_AT, 0x10, 0, 0);
	return img;
}

/* A wedge at 0xfd000000: code with one entry per kind, and data holding
 * the vCPU page and the site table. */
#define WEDGE_VA 0xfd000000u
static uint8_t wedge_img[0x2000];

static void make_wedge(void)
{
	uint8_t *img = wedge_img;
	memcpy(img, "\x7f" "ELF\x01\x01\x01", 7);
	w16(img + 16, ET_EXEC);
	w16(img + 18, EM_386);
	wr32(img + 20, 1);
	wr32(img + 28, 52);
	w16(img + 40, 52);
	w16(img + 42, 32);
	w16(img + 44, 2);
	phdr(img, 0, 0x1000, WEDGE_VA, 0x100, 0x100, 5);
	phdr(img, 1, 0x1100, WEDGE_VA + 0x1000, 0x400, 0x10000, 6);
	/* No section headers: the exports are found by... the symbol needs a
	 * symtab, so give the exports through a section after all. */
	uint8_t *x = img + 0x1100;
	wr32(x, AB_WEDGE_EXPORTS_MAGIC);
	w16(x + 4, AB_WEDGE_VERSION);
	w16(x + 6, AB_KIND_COUNT - 2);        /* every kind but SYSRET */
	wr32(x + 8, WEDGE_VA + 0x2000);
	wr32(x + 12, WEDGE_VA + 0x2000);
	wr32(x + 16, WEDGE_VA + 0x3000);
	wr32(x + 20, 0x8000);
	for (unsigned k = 1, i = 0; k < AB_KIND_COUNT; k++) {
		if (k == AB_KIND_SYSRET)
			continue;
		x[24 + i * 8] = (uint8_t)k;
		wr32(x + 24 + i * 8 + 4, WEDGE_VA + k);
		i++;
	}
	static const char names[] = "\0.wedge_exports\0.shstrtab";
	uint32_t shoff = 0x1800, stroff = 0x1700;
	memcpy(img + stroff, names, sizeof names);
	wr32(img + 32, shoff);
	w16(img + 46, 40);
	w16(img + 48, 3);
	w16(img + 50, 2);
	shdr(img, shoff, 1, 1, SHT_PROGBITS, SHF_ALLOC, WEDGE_VA + 0x1000, 0x1100, 0x400, 0, 0);
	shdr(img, shoff, 2, 16, SHT_STRTAB, 0, 0, stroff, sizeof names, 0, 0);
}

static void test_parse_errors(void)
{
	struct ab_image img;
	uint8_t *g = make_guest(5);
	CHECK(ab_image_parse(&img, g, 3) == AB_LD_E_NOT_ELF);
	CHECK(ab_image_parse(&img, g, 10) == AB_LD_E_TRUNCATED);
	CHECK(ab_image_parse(&img, g, 40) == AB_LD_E_TRUNCATED);
	CHECK(ab_image_parse(&img, g, 100) == AB_LD_E_TRUNCATED);   /* phdrs cut */
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_OK);
	CHECK(img.nsegs == 2 && img.entry == TEXT_VA);

	phdr(g, 1, DATA_OFF, TEXT_VA + 0x20, 0x100, 0x200, 6);     /* overlaps text */
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_E_OVERLAP);
	phdr(g, 1, DATA_OFF, DATA_VA, 0x300, 0x200, 6);             /* filesz > memsz */
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_E_SEGMENT);
	phdr(g, 1, DATA_OFF, 0xffffff00u, 0x100, 0x200, 6);         /* wraps */
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_E_SEGMENT);
	phdr(g, 1, DATA_OFF, DATA_VA, 0x100, 0x200, 6);
	w16(g + 18, EM_X86_64);
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_E_UNSUPPORTED);
	w16(g + 18, EM_386);
	w16(g + 44, 0xffff);
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_E_TRUNCATED);
	free(g);
}

static void test_sites(void)
{
	struct ab_image img;
	struct ab_site s[8];
	size_t n;
	uint8_t *g = make_guest(5);
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_OK);
	CHECK(ab_sites_collect(&img, NULL, 0, &n) == AB_LD_E_TOO_MANY && n == 5);
	CHECK(ab_sites_collect(&img, s, 8, &n) == AB_LD_OK && n == 5);
	for (size_t i = 0; i < n; i++)
		CHECK(s[i].status == AB_SITE_OK);
	CHECK(s[0].addr == TEXT_VA && s[4].addr == DATA_VA + INIT_AT && s[1].kind == AB_KIND_CLI);

	/* Bad records, one at a time. */
	uint8_t *r = g + DATA_OFF;
	r[12 + 7] = 0x20;                                  /* version 2 */
	r[24 + 4] = 200;                                   /* unknown kind */
	r[36 + 5] = 1;                                     /* len < insn_len */
	wr32(r + 48, 0x1000000);                           /* far outside */
	CHECK(ab_sites_collect(&img, s, 8, &n) == AB_LD_OK);
	CHECK(s[0].status == AB_SITE_OK);
	CHECK(s[1].status == AB_SITE_E_VERSION);
	CHECK(s[2].status == AB_SITE_E_KIND);
	CHECK(s[3].status == AB_SITE_E_LENGTH);
	CHECK(s[4].status == AB_SITE_E_OUTSIDE);
	free(g);

	g = make_guest(5);
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_OK);
	r = g + DATA_OFF;
	wr32(r + 12, TEXT_VA - (DATA_VA + 12));            /* a second record for pushf's site */
	r[12 + 4] = AB_KIND_PUSHF;
	r[12 + 5] = 5;
	wr32(r + 36, DATA_VA + 0x10 - (DATA_VA + 36));     /* rdtsc record into plain data */
	g[TEXT_OFF + 17] = 0x90;                           /* and the rdtsc is gone */
	CHECK(ab_sites_collect(&img, s, 8, &n) == AB_LD_OK);
	CHECK(s[0].status == AB_SITE_E_OVERLAP);           /* pushf at TEXT_VA */
	CHECK(s[1].status == AB_SITE_E_OVERLAP && s[1].addr == TEXT_VA);
	CHECK(s[3].addr == DATA_VA + 0x10 && s[3].status == AB_SITE_E_NOEXEC);
	free(g);
}

static void test_patch(void)
{
	struct ab_image img, wimg;
	struct ab_wedge w;
	struct ab_site s[8];
	size_t n;
	uint8_t *g = make_guest(5);
	make_wedge();
	CHECK(ab_image_parse(&wimg, wedge_img, sizeof wedge_img) == AB_LD_OK);
	CHECK(ab_wedge_parse(&wimg, &w) == AB_LD_OK);
	CHECK(w.entry[AB_KIND_CLI] == WEDGE_VA + AB_KIND_CLI && !w.entry[AB_KIND_SYSRET]);
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_OK);
	CHECK(ab_sites_collect(&img, s, 8, &n) == AB_LD_OK && n == 5);

	uint8_t *out = malloc(IMG_SIZE);
	static uint8_t tbuf[0x8000];
	struct ab_backing b = { out, 0, IMG_SIZE, 0 };
	struct ab_site_table_out t = { (struct ab_wedge_site_table *)tbuf, sizeof tbuf };
	struct ab_patch_stats st;

	/* bare: nothing changes */
	memcpy(out, g, IMG_SIZE);
	CHECK(ab_patch(&img, s, n, AB_TARGET_BARE, NULL, &b, NULL, &st) == AB_LD_OK);
	CHECK(!memcmp(out, g, IMG_SIZE) && st.left == 5 && st.patched == 0);

	/* l4: pushf calls, cli inline, cr3 calls, rdtsc native, sti (in .init.text) calls */
	memcpy(out, g, IMG_SIZE);
	CHECK(ab_patch(&img, s, n, AB_TARGET_L4, &w, &b, &t, &st) == AB_LD_OK);
	uint8_t *p = out + TEXT_OFF;
	CHECK(p[0] == 0xe8 && rd32(p + 1) == WEDGE_VA + AB_KIND_PUSHF - (TEXT_VA + 5));
	CHECK(p[5] == 0xc6 && p[6] == 0x05 && rd32(p + 7) == WEDGE_VA + 0x2000 && p[11] == 0);
	CHECK(p[12] == 0xe8 && ab_is_padding(p + 17 - 0, 0));
	CHECK(p[17] == 0x0f && p[18] == 0x31);
	CHECK(out[DATA_OFF + INIT_AT] == 0xe8 && ab_is_padding(out + DATA_OFF + INIT_AT + 5, 0));
	CHECK(st.patched == 4 && st.left == 1 && st.by_outcome[AB_OUT_LEFT_NATIVE][AB_KIND_RDTSC] == 1);
	CHECK(t.table->count == 3 && t.table->sites[0].addr == TEXT_VA && t.table->sites[1].kind == AB_KIND_MOV_TO_CR);
	CHECK(t.table->sites[1].insn[0] == 0x0f && t.table->sites[1].insn[2] == 0xd8);
	CHECK(t.table->sites[2].addr == DATA_VA + INIT_AT);

	/* trap: only pushf (silent) changes */
	memcpy(out, g, IMG_SIZE);
	CHECK(ab_patch(&img, s, n, AB_TARGET_TRAP, &w, &b, &t, &st) == AB_LD_OK);
	CHECK(out[TEXT_OFF] == 0xe8 && out[TEXT_OFF + 5] == 0xfa && out[TEXT_OFF + 12] == 0x0f);
	CHECK(st.patched == 1 && st.left == 4 && t.table->count == 1);

	/* A site table too small for the calls: nothing is written. */
	memcpy(out, g, IMG_SIZE);
	struct ab_site_table_out small = { (struct ab_wedge_site_table *)tbuf, 16 + 32 };
	CHECK(ab_patch(&img, s, n, AB_TARGET_L4, &w, &b, &small, &st) == AB_LD_E_TOO_MANY);
	CHECK(!memcmp(out, g, IMG_SIZE));

	/* Loading into a window, then patching by physical address. */
	static uint8_t window[0x100100];
	CHECK(ab_image_load(&img, window, TEXT_VA, sizeof window) == AB_LD_E_WINDOW);
	static uint8_t big[0x101000 + 0x200];
	CHECK(ab_image_load(&img, big, TEXT_VA, sizeof big) == AB_LD_OK);
	CHECK(big[0] == 0x9c && big[DATA_VA - TEXT_VA + 0x1ff] == 0);
	struct ab_backing wb = { big, TEXT_VA, sizeof big, 1 };
	CHECK(ab_patch(&img, s, n, AB_TARGET_L4, &w, &wb, &t, &st) == AB_LD_OK);
	CHECK(big[0] == 0xe8 && big[5] == 0xc6);

	/* No wedge for l4, or a 64-bit-only kind without an entry. */
	CHECK(ab_patch(&img, s, n, AB_TARGET_L4, NULL, &b, &t, &st) == AB_LD_E_WEDGE);
	free(out);
	free(g);
}

/* Context-kind sites (dev-write, dev-read) and the inline read of a control
 * register: validation, and what each target makes of them. */
static void test_context_and_inline(void)
{
	struct ab_image img, wimg;
	struct ab_wedge w;
	struct ab_site s[16];
	size_t n;
	uint8_t *g = make_guest(GUEST_ALL);
	make_wedge();
	CHECK(ab_image_parse(&wimg, wedge_img, sizeof wedge_img) == AB_LD_OK);
	CHECK(ab_wedge_parse(&wimg, &w) == AB_LD_OK);
	CHECK(ab_image_parse(&img, g, IMG_SIZE) == AB_LD_OK);
	CHECK(ab_sites_collect(&img, s, 16, &n) == AB_LD_OK && n == GUEST_ALL);
	for (size_t i = 0; i < n; i++)
		CHECK(s[i].status == AB_SITE_OK);
	/* By address: records 0-3, then 5-10 in the text, then sti (4) in .init.text. */
	CHECK(s[4].kind == AB_KIND_DEV_WRITE && s[5].kind == AB_KIND_DEV_READ && s[10].kind == AB_KIND_STI);

	uint8_t *out = malloc(IMG_SIZE);
	static uint8_t tbuf[0x8000];
	struct ab_backing b = { out, 0, IMG_SIZE, 0 };
	struct ab_site_table_out t = { (struct ab_wedge_site_table *)tbuf, sizeof tbuf };
	struct ab_patch_stats st;
	const uint8_t *p = out + TEXT_OFF;
	uint32_t vcpu = WEDGE_VA + 0x2000;

	/* l4: context sites call their entry; cr3 and cr4 (6-byte sites) are
	 * read inline from the vCPU page; cr2 and a 5-byte site call. */
	memcpy(out, g, IMG_SIZE);
	CHECK(ab_patch(&img, s, n, AB_TARGET_L4, &w, &b, &t, &st) == AB_LD_OK);
	CHECK(s[4].outcome == AB_OUT_CALL && p[24] == 0xe8 &&
	      rd32(p + 25) == WEDGE_VA + AB_KIND_DEV_WRITE - (TEXT_VA + 29));
	CHECK(s[5].outcome == AB_OUT_CALL && p[29] == 0xe8 &&
	      rd32(p + 30) == WEDGE_VA + AB_KIND_DEV_READ - (TEXT_VA + 34));
	CHECK(s[6].outcome == AB_OUT_INLINE && p[34] == 0x8b && p[35] == 0x05 && rd32(p + 36) == vcpu + 28);
	CHECK(s[7].outcome == AB_OUT_INLINE && p[40] == 0x8b && p[41] == 0x1d && rd32(p + 42) == vcpu + 32);
	CHECK(s[8].outcome == AB_OUT_CALL && p[46] == 0xe8 && ab_is_padding(p + 51, 1));
	CHECK(s[9].outcome == AB_OUT_CALL && p[52] == 0xe8);
	CHECK(st.by_outcome[AB_OUT_INLINE][AB_KIND_MOV_FROM_CR] == 2 &&
	      st.by_outcome[AB_OUT_CALL][AB_KIND_MOV_FROM_CR] == 2);
	/* The wedge gets the original memory mov in its site table. */
	CHECK(t.table->sites[2].kind == AB_KIND_DEV_WRITE && t.table->sites[2].insn[0] == 0x89 &&
	      t.table->sites[2].insn[1] == 0x03 && t.table->sites[2].insn_len == 2);

	/* trap: context sites fault on their address and are emulated there. */
	memcpy(out, g, IMG_SIZE);
	CHECK(ab_patch(&img, s, n, AB_TARGET_TRAP, &w, &b, &t, &st) == AB_LD_OK);
	CHECK(s[4].outcome == AB_OUT_LEFT_TARGET && s[5].outcome == AB_OUT_LEFT_TARGET);
	CHECK(!memcmp(out + TEXT_OFF + 24, g + TEXT_OFF + 24, 40));

	/* A wedge without the entry: left (noentry). */
	w.entry[AB_KIND_DEV_WRITE] = 0;
	memcpy(out, g, IMG_SIZE);
	CHECK(ab_patch(&img, s, n, AB_TARGET_L4, &w, &b, &t, &st) == AB_LD_OK);
	CHECK(s[4].outcome == AB_OUT_LEFT_NOENTRY && !memcmp(out + TEXT_OFF + 24, g + TEXT_OFF + 24, 5));

	/* Records that disagree with their bytes: a load recorded as
	 * dev-write, a read of %cr3 recorded as of %cr2. */
	uint8_t *r = g + DATA_OFF;
	r[6 * 12 + 4] = AB_KIND_DEV_WRITE;
	r[7 * 12 + 8] = 2;
	CHECK(ab_sites_collect(&img, s, 16, &n) == AB_LD_OK);
	CHECK(s[4].status == AB_SITE_OK && s[5].status == AB_SITE_E_BYTES && s[6].status == AB_SITE_E_BYTES);

	/* A vCPU page that does not hold the control registers. */
	wr32(wedge_img + 0x1100 + 8, WEDGE_VA + 0x1000 + 0x10000 - 8);
	CHECK(ab_image_parse(&wimg, wedge_img, sizeof wedge_img) == AB_LD_OK);
	CHECK(ab_wedge_parse(&wimg, &w) == AB_LD_E_WEDGE);
	free(out);
	free(g);
}

static void test_names(void)
{
	CHECK(!strcmp(ab_ld_status_name(AB_LD_E_TRUNCATED), "E_TRUNCATED"));
	CHECK(!strcmp(ab_site_status_name(AB_SITE_E_NOEXEC), "E_NOEXEC"));
	CHECK(ab_target_by_name("trap") == AB_TARGET_TRAP && ab_target_by_name("x") == -1);
	for (unsigned i = 0; i < AB_LD_STATUS_COUNT; i++)
		CHECK(ab_ld_status_name(i) && ab_ld_status_text(i));
}

int main(void)
{
	test_parse_errors();
	test_sites();
	test_patch();
	test_context_and_inline();
	test_names();
	if (failures) {
		fprintf(stderr, "loader_test: %d checks failed\n", failures);
		return 1;
	}
	printf("loader_test: all checks passed\n");
	return 0;
}
