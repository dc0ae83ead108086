/*
 * libFuzzer harness for the loader library (loader/), on untrusted ELF bytes:
 *
 *   ab_image_parse -> ab_wedge_parse, ab_image_pvh_entry (on the input itself)
 *   ab_sites_collect: count (cap 0), read (cap n, at most 1<<20), cap n-1
 *   ab_patch for bare, l4 and trap on a copy of the file (by_paddr 0), with
 *     the fixture wedge, and for l4 with the input as its own wedge if it is one
 *   ab_image_load into a window (at most 64 MiB; a bigger image must give
 *     E_WINDOW), then ab_patch into the window, which must agree with the file
 *
 * The wedge is a fixture built in C at startup (make_wedge) and parsed once
 * with ab_wedge_parse: an i386 ET_EXEC with .wedge_exports, entry points for
 * every kind (or, in the "sparse" variant, not for every third kind, so
 * left-noentry happens), at 0xf0000000 so call displacements wrap.  The last
 * input byte picks the variant and the size of the site table buffer (a
 * small one makes E_TOO_MANY reachable); ELF files end in section headers or
 * data, so the mutator reaches both.
 *
 * Every invariant below is a documented property (loader.h, docs/abi/);
 * a violation is __builtin_trap(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "decode.h"
#include "loader.h"
#include "memop.h"
#include "nops.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

#define MAX_SITES ((size_t)1 << 20)
#define MAX_WINDOW ((uint64_t)64 << 20)

/* ---- The fixture wedge ---- */

#define W_TEXT 0xf0000000u
#define W_DATA 0xf0001000u
#define W_VCPU (W_DATA + 0x800)
#define W_TABLE (W_DATA + 0x1000)
#define W_TABLE_SIZE 0x1000u          /* 127 call sites */
#define W_IMAGE_SIZE 0x360

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* text RX at W_TEXT (file 0x80, 0x40 bytes), data RW at W_DATA (file 0xc0,
 * 0x200 bytes: the export table), sections: null, .wedge_exports, .shstrtab. */
static void make_wedge(uint8_t *b, int sparse)
{
	static const char shstr[] = "\0.wedge_exports\0.shstrtab";
	memset(b, 0, W_IMAGE_SIZE);
	memcpy(b, "\177ELF\1\1\1", 7);
	put16(b + 16, 2);                       /* ET_EXEC */
	put16(b + 18, 3);                       /* EM_386 */
	put32(b + 20, 1);
	put32(b + 24, W_TEXT);
	put32(b + 28, 52);                      /* phoff */
	put32(b + 32, 0x2e0);                   /* shoff */
	put16(b + 40, 52);
	put16(b + 42, 32);
	put16(b + 44, 2);
	put16(b + 46, 40);
	put16(b + 48, 3);
	put16(b + 50, 2);
	uint32_t ph[2][8] = {
		{ 1, 0x80, W_TEXT, W_TEXT, 0x40, 0x1000, 5, 16 },
		{ 1, 0xc0, W_DATA, W_DATA, 0x200, 0x2000, 6, 16 },
	};
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 8; j++)
			put32(b + 52 + 32 * i + 4 * j, ph[i][j]);
	memset(b + 0x80, 0xc3, 0x40);
	uint8_t *x = b + 0xc0;
	unsigned count = 0;
	for (unsigned k = 1; k < AB_KIND_COUNT; k++) {
		if (sparse && k % 3 == 0)
			continue;
		uint8_t *e = x + 24 + 8 * count++;
		e[0] = (uint8_t)k;
		put32(e + 4, W_TEXT + 0x10 * k);
	}
	put32(x, AB_WEDGE_EXPORTS_MAGIC);
	put16(x + 4, AB_WEDGE_VERSION);
	put16(x + 6, count);
	put32(x + 8, W_VCPU);
	put32(x + 12, W_VCPU + 4);
	put32(x + 16, W_TABLE);
	put32(x + 20, W_TABLE_SIZE);
	memcpy(b + 0x2c0, shstr, sizeof shstr);
	uint32_t sh[2][10] = {
		{ 1, 1, 2, W_DATA, 0xc0, 24 + 8 * count, 0, 0, 4, 0 },   /* .wedge_exports */
		{ 16, 3, 0, 0, 0x2c0, sizeof shstr, 0, 0, 1, 0 },         /* .shstrtab */
	};
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 10; j++)
			put32(b + 0x2e0 + 40 * (i + 1) + 4 * j, sh[i][j]);
}

static uint8_t wedge_elf[2][W_IMAGE_SIZE];
static struct ab_wedge wedge[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	for (int v = 0; v < 2; v++) {
		struct ab_image wi;
		make_wedge(wedge_elf[v], v);
		CHECK(ab_image_parse(&wi, wedge_elf[v], W_IMAGE_SIZE) == AB_LD_OK);
		CHECK(ab_wedge_parse(&wi, &wedge[v]) == AB_LD_OK);
		CHECK(wedge[v].vcpu_if == W_VCPU + 4 && wedge[v].site_table_size == W_TABLE_SIZE);
	}
	return 0;
}

/* ---- Helpers: independent of the library's own lookups ---- */

static int is_exec_image(const struct ab_image *img)
{
	return img->type != 1 && !img->is64;    /* what l4 and trap patch */
}

/* The file offset of [addr, addr+len) in a linked image, or -1. */
static int64_t file_off(const struct ab_image *img, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		if (addr >= s->vaddr && addr - s->vaddr <= s->filesz && len <= s->filesz - (addr - s->vaddr))
			return (int64_t)(s->offset + (addr - s->vaddr));
	}
	return -1;
}

static int before(const struct ab_site *a, const struct ab_site *b)
{
	return a->addr != b->addr ? a->addr < b->addr : a->record < b->record;
}

/* What ab_sites_collect returns: a permutation of the records, sorted, each
 * judged; the valid ones really are the instruction they claim, in a segment,
 * and do not overlap. */
static void check_sites(const struct ab_image *img, const uint8_t *data, const struct ab_site *s,
			size_t n)
{
	uint8_t *seen = calloc(n ? n : 1, 1);
	const struct ab_site *prev_ok = NULL;
	for (size_t i = 0; i < n; i++) {
		CHECK(s[i].record < n && !seen[s[i].record]);
		seen[s[i].record] = 1;
		CHECK(i == 0 || before(&s[i - 1], &s[i]));
		CHECK(s[i].status < AB_SITE_STATUS_COUNT && s[i].outcome == AB_OUT_NONE);
		if (s[i].status != AB_SITE_OK)
			continue;
		CHECK(ab_kind_info(s[i].kind) && s[i].insn_len >= 1 && s[i].len >= s[i].insn_len);
		CHECK(s[i].flags >> 4 == AB_SITE_VERSION);
		CHECK(img->is64 || !(s[i].flags & AB_SITE_CODE64));
		if (img->type == 1) {
			CHECK((s[i].addr >> 32) < img->shnum);
		} else {
			int64_t off = file_off(img, s[i].addr, s[i].len);
			CHECK(off >= 0);
			struct ab_insn insn;
			enum ab_mode mode = (s[i].flags & AB_SITE_CODE64) ? AB_MODE_64 : AB_MODE_32;
			unsigned at = ab_site_insn_offset(s[i].kind, s[i].len, s[i].insn_len);
			CHECK(ab_is_padding(data + off, at));
			if (ab_kind_info(s[i].kind)->cls == AB_CLASS_CONTEXT) {
				/* a plain memory mov of the kind's direction */
				struct ab_memop m;
				CHECK(ab_memop_decode(data + off + at, s[i].len - at, mode, &m) == s[i].insn_len);
				CHECK(m.write == (s[i].kind == AB_KIND_DEV_WRITE));
			} else {
				CHECK(ab_decode(data + off + at, s[i].len - at, mode, &insn) == s[i].insn_len);
				CHECK(insn.kind == s[i].kind);
				CHECK(insn.op_a == s[i].op_a && insn.op_b == s[i].op_b);
			}
			CHECK(ab_is_padding(data + off + at + s[i].insn_len, s[i].len - at - s[i].insn_len));
		}
		CHECK(!prev_ok || prev_ok->addr + prev_ok->len <= s[i].addr);
		prev_ok = &s[i];
	}
	free(seen);
}

/* A smaller buffer than needed: E_TOO_MANY, the full count, and nothing written. */
static void check_collect_cap_untouched(const struct ab_image *img, size_t n)
{
	size_t bytes = n * sizeof(struct ab_site), got = 0;
	uint8_t *buf = malloc(bytes), *ref = malloc(bytes);
	memset(buf, 0xa5, bytes);
	memset(ref, 0xa5, bytes);
	CHECK(ab_sites_collect(img, (struct ab_site *)buf, n - 1, &got) == AB_LD_E_TOO_MANY);
	CHECK(got == n);
	CHECK(!memcmp(buf, ref, bytes));
	free(buf);
	free(ref);
}

/* ---- Patching ---- */

struct result {
	int r;
	uint8_t *out;            /* the patched copy of the file */
	uint8_t *table;          /* the site table area */
	size_t table_size;
	struct ab_site *sites;
	struct ab_patch_stats st;
};

static void patch_file(const struct ab_image *img, const uint8_t *data, size_t size,
		       const struct ab_site *sites, size_t n, enum ab_target t,
		       const struct ab_wedge *w, size_t table_size, struct result *res)
{
	res->out = malloc(size ? size : 1);
	memcpy(res->out, data, size);
	res->table_size = table_size;
	res->table = malloc(table_size);
	memset(res->table, 0xee, table_size);
	res->sites = malloc((n ? n : 1) * sizeof *sites);
	memcpy(res->sites, sites, n * sizeof *sites);
	struct ab_backing out = { res->out, 0, size, 0 };
	struct ab_site_table_out tab = { (struct ab_wedge_site_table *)res->table, table_size };
	res->r = ab_patch(img, res->sites, n, t, w, &out, &tab, &res->st);
}

static void free_result(struct result *res)
{
	free(res->out);
	free(res->table);
	free(res->sites);
}

static int same_result(const struct result *a, const struct result *b, size_t size, size_t n)
{
	return a->r == b->r && !memcmp(a->out, b->out, size) && a->table_size == b->table_size &&
	       !memcmp(a->table, b->table, a->table_size) &&
	       !memcmp(a->sites, b->sites, n * sizeof *a->sites);
}

/* ab_image_parse refuses PT_LOADs that share file bytes (E_OVERLAP):
 * patching a copy of the file would write one segment's sites into the
 * other's code.  Checked as an invariant. */
static int file_ranges_disjoint(const struct ab_image *img)
{
	for (unsigned i = 0; i < img->nsegs; i++)
		for (unsigned j = i + 1; j < img->nsegs; j++) {
			const struct ab_seg *a = &img->segs[i], *b = &img->segs[j];
			if (a->filesz && b->filesz && a->offset < b->offset + b->filesz &&
			    b->offset < a->offset + a->filesz)
				return 0;
		}
	return 1;
}

static void check_patch(const struct ab_image *img, const uint8_t *data, size_t size, size_t n,
			enum ab_target t, const struct ab_wedge *w, const struct result *res)
{
	const struct ab_site *s = res->sites;
	if (res->r != AB_LD_OK) {
		/* Errors are planned before anything is written. */
		CHECK(!memcmp(res->out, data, size));
		if (res->r == AB_LD_E_TARGET)
			CHECK(t != AB_TARGET_BARE && !is_exec_image(img));
		else
			CHECK(res->r == AB_LD_E_TOO_MANY && t != AB_TARGET_BARE);
		return;
	}
	CHECK(t == AB_TARGET_BARE || is_exec_image(img));

	/* Statistics add up. */
	const struct ab_patch_stats *st = &res->st;
	uint32_t by_outcome = 0, rejected = 0;
	for (int o = 0; o < AB_OUT_COUNT; o++)
		for (int k = 0; k < AB_KIND_COUNT; k++)
			by_outcome += st->by_outcome[o][k];
	for (int r = 0; r < AB_SITE_STATUS_COUNT; r++)
		for (int k = 0; k < AB_KIND_COUNT; k++)
			rejected += st->rejected[r][k];
	CHECK(st->records == n && st->patched + st->left + st->rejected_total == n);
	CHECK(by_outcome == st->patched + st->left && rejected == st->rejected_total);

	/* Outcomes only on valid sites; bytes change only inside patched sites. */
	uint8_t *may_change = calloc(size ? size : 1, 1);
	uint32_t calls = 0;
	int disjoint = file_ranges_disjoint(img);
	CHECK(disjoint);
	for (size_t i = 0; i < n; i++) {
		if (s[i].status != AB_SITE_OK) {
			CHECK(s[i].outcome == AB_OUT_NONE);
			continue;
		}
		CHECK(s[i].outcome > AB_OUT_NONE && s[i].outcome < AB_OUT_COUNT);
		if (t == AB_TARGET_BARE ||
		    (t == AB_TARGET_TRAP && ab_kind_info(s[i].kind)->cls != AB_CLASS_SILENT))
			CHECK(s[i].outcome == AB_OUT_LEFT_TARGET);
		if (s[i].outcome != AB_OUT_INLINE && s[i].outcome != AB_OUT_CALL)
			continue;
		int64_t off = file_off(img, s[i].addr, s[i].len);
		CHECK(off >= 0);
		memset(may_change + off, 1, s[i].len);
		const uint8_t *p = res->out + off;
		unsigned head;
		calls += s[i].outcome == AB_OUT_CALL;
		if (!disjoint)
			continue;
		if (s[i].outcome == AB_OUT_CALL) {
			/* E8 rel32 to the kind's entry point, modulo 2^32 (wedge.h). */
			CHECK(w->entry[s[i].kind] && s[i].len >= AB_WEDGE_CALL_LEN && p[0] == 0xe8);
			CHECK(get32(p + 1) == (uint32_t)(w->entry[s[i].kind] - (uint32_t)(s[i].addr + 5)));
			head = AB_WEDGE_CALL_LEN;
		} else if (s[i].kind == AB_KIND_CLI) {
			/* movb $0, vcpu_if (C6 05 abs32 00) */
			CHECK(s[i].len >= 7 && p[0] == 0xc6 && p[1] == 0x05 && get32(p + 2) == w->vcpu_if &&
			      p[6] == 0);
			head = 7;
		} else {
			/* mov vcpu->crN, %reg (8B /r with mod 00 rm 101, abs32) for cr0, cr3, cr4;
			 * the offsets are those of struct ab_vcpu (abi/vcpu.h). */
			unsigned cr = s[i].op_a;
			CHECK(s[i].kind == AB_KIND_MOV_FROM_CR && s[i].len >= 6 && (cr == 0 || cr == 3 || cr == 4));
			CHECK(p[0] == 0x8b && p[1] == (0x05 | (s[i].op_b & 7) << 3));
			CHECK(get32(p + 2) == w->vcpu + (cr == 0 ? 24 : cr == 3 ? 28 : 32));
			head = 6;
		}
		CHECK(ab_is_padding(p + head, s[i].len - head));
	}
	for (size_t i = 0; i < size; i++)
		CHECK(may_change[i] || res->out[i] == data[i]);
	free(may_change);

	/* The site table: header, then the call sites in address order. */
	if (calls) {
		const uint8_t *tb = res->table;
		size_t area = res->table_size < w->site_table_size ? res->table_size : w->site_table_size;
		CHECK(get32(tb) == AB_WEDGE_SITES_MAGIC && tb[4] == AB_WEDGE_VERSION && tb[5] == 0);
		CHECK(tb[6] == sizeof(struct ab_wedge_site) && tb[7] == 0);
		CHECK(get32(tb + 8) == calls && get32(tb + 12) == (area - 16) / 32);
		uint32_t j = 0;
		for (size_t i = 0; i < n; i++) {
			if (s[i].outcome != AB_OUT_CALL)
				continue;
			const uint8_t *e = tb + 16 + 32 * j++;
			CHECK(get32(e) == (uint32_t)s[i].addr && e[4] == s[i].kind && e[5] == s[i].len);
			CHECK(e[6] == s[i].insn_len && e[7] == s[i].flags && e[8] == s[i].op_a);
			CHECK(e[9] == s[i].op_b && e[10] == s[i].width && e[11] == s[i].modrm);
			int64_t off = file_off(img, s[i].addr, s[i].len);
			CHECK(!memcmp(e + 12, data + off + ab_site_insn_offset(s[i].kind, s[i].len, s[i].insn_len),
				      s[i].insn_len));
			for (unsigned k = s[i].insn_len; k < 16 + 4; k++)
				CHECK(e[12 + k] == 0);
		}
	}
}

/* ---- Loading ---- */

/*
 * The window.  Up to SMALL_WINDOW it is a malloc'ed buffer (ASan's redzones
 * on both sides) and every byte is checked; a bigger one (up to MAX_WINDOW)
 * is fresh mmap'ed memory that ends at a PROT_NONE page, and only the bytes
 * a broken loader would write first are checked (probe): the ends of the
 * window and of every segment.  Touching 64 MiB per input would cut the
 * executions per second by ten.
 */
#define SMALL_WINDOW ((uint64_t)1 << 20)
#define PROBE 4096u
#define PAGE 4096u

struct window {
	uint8_t *mem, *map;
	size_t map_size;
	uint64_t lo, span;
};

static int window_alloc(struct window *w, uint64_t lo, uint64_t span)
{
	w->lo = lo;
	w->span = span;
	w->map = NULL;
	if (span <= SMALL_WINDOW) {
		w->mem = malloc(span ? span : 1);
		return 1;
	}
	size_t pages = (span + PAGE - 1) / PAGE;
	w->map_size = (pages + 1) * PAGE;
	w->map = mmap(NULL, w->map_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (w->map == MAP_FAILED)
		return 0;
	CHECK(!mprotect(w->map + pages * PAGE, PAGE, PROT_NONE));
	w->mem = w->map + pages * PAGE - span;
	return 1;
}

static void window_free(struct window *w)
{
	if (w->map)
		munmap(w->map, w->map_size);
	else
		free(w->mem);
}

/* Fill (fill 1) or check (fill 0) [a, a+len) of the window with v. */
static int range(struct window *w, uint64_t a, uint64_t len, int fill, uint8_t v)
{
	if (a > w->span || len > w->span - a)
		return 1;
	if (fill) {
		memset(w->mem + a, v, len);
		return 1;
	}
	for (uint64_t i = 0; i < len; i++)
		if (w->mem[a + i] != v)
			return 0;
	return 1;
}

static int probe(const struct ab_image *img, struct window *w, int fill, uint8_t v)
{
	if (w->span <= SMALL_WINDOW)
		return range(w, 0, w->span, fill, v);
	int ok = range(w, 0, PROBE, fill, v) && range(w, w->span - PROBE, PROBE, fill, v);
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		uint64_t a = s->paddr - w->lo, k = s->memsz < PROBE ? s->memsz : PROBE;
		ok = ok && range(w, a, k, fill, v) && range(w, a + s->memsz - k, k, fill, v);
	}
	return ok;
}

static void check_load(const struct ab_image *img, const uint8_t *data,
		       const struct ab_site *sites, size_t n, const struct ab_wedge *wd,
		       size_t table_size, const struct result *l4_file)
{
	if (img->type == 1) {
		uint8_t b = 0x5a;
		CHECK(ab_image_load(img, &b, 0, 1) == AB_LD_E_TARGET && b == 0x5a);
		return;
	}
	if (!img->nsegs) {
		CHECK(ab_image_load(img, NULL, 0, 0) == AB_LD_OK);
		return;
	}
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		lo = s->paddr < lo ? s->paddr : lo;
		hi = s->paddr + s->memsz > hi ? s->paddr + s->memsz : hi;
	}
	uint64_t span = hi - lo;
	if (span > MAX_WINDOW) {
		/* Too big to allocate here: a small window must be refused, untouched. */
		uint8_t small[4096];
		memset(small, 0x5a, sizeof small);
		CHECK(ab_image_load(img, small, lo, sizeof small) == AB_LD_E_WINDOW);
		for (size_t i = 0; i < sizeof small; i++)
			CHECK(small[i] == 0x5a);
		return;
	}
	struct window w;
	if (!window_alloc(&w, lo, span))
		return;
	/* One byte short: refused before anything is written. */
	probe(img, &w, 1, 0x5a);
	if (span) {
		CHECK(ab_image_load(img, w.mem, lo, span - 1) == AB_LD_E_WINDOW);
		CHECK(probe(img, &w, 0, 0x5a));
	}
	CHECK(ab_image_load(img, w.mem, lo, span) == AB_LD_OK);
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		uint64_t a = s->paddr - lo, bss = s->memsz - s->filesz;
		uint64_t k = span <= SMALL_WINDOW || bss < PROBE ? bss : PROBE;
		CHECK(!memcmp(w.mem + a, data + s->offset, s->filesz));
		CHECK(range(&w, a + s->filesz, k, 0, 0) && range(&w, a + s->memsz - k, k, 0, 0));
	}

	/* l4 into the window: the same verdict, bytes and table as into the file. */
	if (l4_file && file_ranges_disjoint(img)) {
		struct ab_site *ws = malloc((n ? n : 1) * sizeof *ws);
		memcpy(ws, sites, n * sizeof *ws);
		uint8_t *table = malloc(table_size);
		memset(table, 0xee, table_size);
		struct ab_backing out = { w.mem, lo, span, 1 };
		struct ab_site_table_out tab = { (struct ab_wedge_site_table *)table, table_size };
		struct ab_patch_stats st;
		int r = ab_patch(img, ws, n, AB_TARGET_L4, wd, &out, &tab, &st);
		CHECK(r == l4_file->r);
		if (r == AB_LD_OK) {
			CHECK(!memcmp(table, l4_file->table, table_size));
			CHECK(!memcmp(ws, l4_file->sites, n * sizeof *ws));
			for (unsigned i = 0; i < img->nsegs; i++) {
				const struct ab_seg *s = &img->segs[i];
				CHECK(!memcmp(w.mem + (s->paddr - lo), l4_file->out + s->offset, s->filesz));
			}
		}
		free(table);
		free(ws);
	}
	window_free(&w);
}

/* ---- The entry point ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ab_image img;
	int r = ab_image_parse(&img, data, size);
	CHECK(r >= 0 && r < AB_LD_STATUS_COUNT && r != AB_LD_E_ARG);
	if (r != AB_LD_OK)
		return 0;
	CHECK(img.nsegs <= AB_LD_MAX_SEGS);

	/* The input as a wedge, and its PVH note. */
	struct ab_wedge own;
	r = ab_wedge_parse(&img, &own);
	CHECK(r == AB_LD_OK || r == AB_LD_E_WEDGE);
	int own_ok = r == AB_LD_OK;
	if (own_ok)
		CHECK(own.entry[0] == 0 && own.site_table_size >= sizeof(struct ab_wedge_site_table));
	uint32_t pvh = 0x12345678;
	r = ab_image_pvh_entry(&img, &pvh);
	CHECK(r == AB_LD_OK || (r == AB_LD_E_SEGMENT && pvh == 0));

	/* The sites: count, read, read again (deterministic), too small a buffer. */
	size_t n = 12345;
	r = ab_sites_collect(&img, NULL, 0, &n);
	CHECK(r == AB_LD_OK ? n == 0 : r == AB_LD_E_TOO_MANY ? n > 0 : n == 0);
	if (r != AB_LD_OK && r != AB_LD_E_TOO_MANY)
		return 0;
	if (n > MAX_SITES)
		return 0;
	struct ab_site *sites = calloc(n ? n : 1, sizeof *sites);
	size_t n2 = 0;
	r = ab_sites_collect(&img, sites, n, &n2);
	if (r != AB_LD_OK) {
		/* Object files: a relocation section is only read when records are. */
		CHECK(img.type == 1 && r == AB_LD_E_SITES);
		free(sites);
		return 0;
	}
	CHECK(n2 == n);
	check_sites(&img, data, sites, n);
	struct ab_site *again = calloc(n ? n : 1, sizeof *again);
	CHECK(ab_sites_collect(&img, again, n, &n2) == AB_LD_OK && n2 == n);
	CHECK(!memcmp(sites, again, n * sizeof *sites));
	free(again);
	if (n)
		check_collect_cap_untouched(&img, n);

	/* Patch a copy of the file for each target with the fixture wedge. */
	uint8_t last = size ? data[size - 1] : 0;
	const struct ab_wedge *w = &wedge[last & 1];
	size_t table_size = (last & 2) ? 16 + 32 * 2 + 7 : W_TABLE_SIZE;
	struct result l4 = { 0 };
	for (int t = 0; t < AB_TARGET_COUNT; t++) {
		struct result res;
		patch_file(&img, data, size, sites, n, (enum ab_target)t, w, table_size, &res);
		check_patch(&img, data, size, n, (enum ab_target)t, w, &res);
		if (t == AB_TARGET_TRAP) {
			/* Deterministic: the same inputs give the same bytes. */
			struct result again_res;
			patch_file(&img, data, size, sites, n, (enum ab_target)t, w, table_size, &again_res);
			CHECK(same_result(&res, &again_res, size, n));
			free_result(&again_res);
		}
		if (t == AB_TARGET_L4)
			l4 = res;
		else
			free_result(&res);
	}
	if (own_ok) {
		struct result res;
		patch_file(&img, data, size, sites, n, AB_TARGET_L4, &own, W_TABLE_SIZE, &res);
		check_patch(&img, data, size, n, AB_TARGET_L4, &own, &res);
		free_result(&res);
	}

	/* Load into a window, and patch there too. */
	check_load(&img, data, sites, n, w, table_size, &l4);
	free_result(&l4);
	free(sites);
	return 0;
}
