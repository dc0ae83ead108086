/*
 * The checks of afterburn verify on each site record (docs/verify.md,
 * "Site checks"), and the index of placed sites that the sweep looks
 * instructions up in.  A record is checked against the bytes it points
 * at, with the same decoder and no-op table that afterburn-as used to
 * write it, so verify and the assembler can only disagree about a real
 * difference in the file.
 */
#include "verify_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "memop.h"
#include "nops.h"
#include "site.h"

static int add_bad(struct ab_verify *v, size_t site, const char *reason, const char *fmt, ...)
{
	if (ab_verify_grow((void **)&v->bad, &v->cap_bad, v->n_bad, sizeof *v->bad) != 0)
		return -1;
	struct ab_bad_site *b = &v->bad[v->n_bad++];
	b->site = site;
	b->reason = reason;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->detail, sizeof b->detail, fmt, ap);
	va_end(ap);
	v->site_bad[site] = 1;
	return 0;
}

static const char *kind_name(unsigned kind)
{
	const struct ab_kind_info *k = ab_kind_info(kind);
	return k ? k->name : "unknown";
}

/* Print the instruction at p for a report, e.g. "pushfl" or "(bad)". */
static void disasm_text(csh cs, cs_insn *insn, const uint8_t *p, size_t n, uint64_t addr,
			char *buf, size_t len)
{
	const uint8_t *code = p;
	size_t size = n;
	if (cs_disasm_iter(cs, &code, &size, &addr, insn))
		ab_verify_insn_text(insn, buf, len);
	else
		snprintf(buf, len, "(bad)");
}

/* Why the bytes of a context site are not its instruction. */
static const char *context_mismatch(const uint8_t *p, size_t n, enum ab_mode mode)
{
	struct ab_memop m;
	if (!ab_memop_decode(p, n, mode, &m))
		return "not a plain memory mov";
	return m.write ? "a store, not a load" : "a load, not a store";
}

/* Check what a record says against the bytes it points at. */
static int check_site(struct ab_verify *v, size_t i, csh cs, cs_insn *insn)
{
	const struct ab_elf_site *s = &v->sites.v[i];
	const struct ab_site_record *r = &s->rec;
	const struct ab_elf *img = &v->img;

	if (s->error[0])
		return add_bad(v, i, "unplaced", "%s", s->error);
	if (ab_site_version(r) != AB_SITE_VERSION)
		return add_bad(v, i, "version", "record version %u, expected %u",
			       ab_site_version(r), AB_SITE_VERSION);
	if (!ab_kind_info(r->kind))
		return add_bad(v, i, "kind", "unknown kind %u", r->kind);
	if (s->shndx == 0)
		return add_bad(v, i, "outside-code", "lies in no section");
	const struct ab_elf_section *sec = &img->sections[s->shndx];
	if (!ab_elf_is_code(sec))
		return add_bad(v, i, "outside-code", "lies in %s, which is not executable", sec->name);
	if (r->insn_len == 0 || r->insn_len > AB_X86_MAX_INSN || r->len < r->insn_len)
		return add_bad(v, i, "length", "len %u, insn_len %u", r->len, r->insn_len);
	if (s->off >= sec->nbytes || r->len > sec->nbytes - s->off)
		return add_bad(v, i, "outside-code", "runs past the end of %s", sec->name);

	enum ab_mode mode = (r->flags & AB_SITE_CODE64) ? AB_MODE_64 : AB_MODE_32;
	if (mode == AB_MODE_64 && img->machine != EM_X86_64)
		return add_bad(v, i, "operands", "64-bit site in an i386 file");

	/* BEFORE kinds (sti) have their padding first (abi/kinds.def). */
	unsigned at = ab_site_insn_offset(r->kind, r->len, r->insn_len);
	if (at && !ab_is_padding(sec->bytes + s->off, at))
		return add_bad(v, i, "padding", "the %u bytes before the %s are not no-ops", at,
			       kind_name(r->kind));
	const uint8_t *p = sec->bytes + s->off + at;
	struct ab_insn d;
	/* Context kinds: a memory mov of the kind's direction (abi/memop.h). */
	unsigned n = ab_decode_site_insn(p, r->len - at, mode, r->kind, &d);
	if (!n || d.kind != r->kind || n != r->insn_len) {
		char text[64];
		disasm_text(cs, insn, p, r->len, s->addr, text, sizeof text);
		if (!n && ab_kinds[r->kind].cls == AB_CLASS_CONTEXT)
			return add_bad(v, i, "instruction", "recorded %s, found \"%s\" (%s)", kind_name(r->kind),
				       text, context_mismatch(p, r->len - at, mode));
		if (!n)
			return add_bad(v, i, "instruction", "recorded %s, found \"%s\" (not sensitive)",
				       kind_name(r->kind), text);
		if (d.kind != r->kind)
			return add_bad(v, i, "instruction", "recorded %s, found %s \"%s\"",
				       kind_name(r->kind), kind_name(d.kind), text);
		return add_bad(v, i, "instruction", "insn_len %u, but \"%s\" is %u bytes",
			       r->insn_len, text, n);
	}
	if (!ab_is_padding(p + n, r->len - at - n))
		return add_bad(v, i, "padding", "the %u bytes after the instruction are not no-ops",
			       r->len - at - n);

	/* The loader emits replacements from these fields without looking at
	 * the bytes again, so they must be what ab_site_fill derives. */
	struct ab_site_record want;
	ab_site_fill(&want, &d, r->len);
	if ((want.flags & 0x0f) != (r->flags & 0x0f) || want.op_a != r->op_a ||
	    want.op_b != r->op_b || want.width != r->width || want.modrm != r->modrm)
		return add_bad(v, i, "operands",
			       "record flags/op_a/op_b/width/modrm %#x/%u/%u/%u/%#x, bytes give %#x/%u/%u/%u/%#x",
			       r->flags & 0x0f, r->op_a, r->op_b, r->width, r->modrm,
			       want.flags & 0x0f, want.op_a, want.op_b, want.width, want.modrm);
	return 0;
}

static const struct ab_verify *sort_v;

static int by_place(const void *a, const void *b)
{
	const struct ab_elf_site *x = &sort_v->sites.v[*(const size_t *)a];
	const struct ab_elf_site *y = &sort_v->sites.v[*(const size_t *)b];
	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Sort the placed sites and report the ones that overlap an earlier one. */
static int index_sites(struct ab_verify *v)
{
	v->order = malloc((v->sites.n ? v->sites.n : 1) * sizeof *v->order);
	if (!v->order)
		return -1;
	for (size_t i = 0; i < v->sites.n; i++)
		if (!v->sites.v[i].error[0] && v->sites.v[i].shndx)
			v->order[v->n_order++] = i;
	sort_v = v;
	qsort(v->order, v->n_order, sizeof *v->order, by_place);
	sort_v = NULL;

	size_t owner = 0;   /* the site reaching furthest so far in this section */
	uint64_t end = 0;
	for (size_t k = 0; k < v->n_order; k++) {
		const struct ab_elf_site *s = &v->sites.v[v->order[k]];
		if (k > 0 && s->shndx == v->sites.v[owner].shndx && s->off < end) {
			if (add_bad(v, v->order[k], "overlap", "overlaps the site at 0x%llx",
				    (unsigned long long)v->sites.v[owner].addr) != 0)
				return -1;
			continue;
		}
		if (k == 0 || s->shndx != v->sites.v[owner].shndx || s->off + s->rec.len > end) {
			owner = v->order[k];
			end = s->off + s->rec.len;
		}
	}
	return 0;
}

size_t ab_verify_sites_from(const struct ab_verify *v, size_t shndx, uint64_t off)
{
	size_t lo = 0, hi = v->n_order;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ab_elf_site *s = &v->sites.v[v->order[mid]];
		if (s->shndx < shndx || (s->shndx == shndx && s->off < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The site whose instruction is at off: it starts there, or, for a kind
 * padded before (sti), up to a site's length earlier. */
long ab_verify_site_at(const struct ab_verify *v, size_t shndx, uint64_t off)
{
	size_t lo = ab_verify_sites_from(v, shndx, off > 255 ? off - 255 : 0);
	for (; lo < v->n_order; lo++) {
		const struct ab_elf_site *s = &v->sites.v[v->order[lo]];
		if (s->shndx != shndx || s->off > off)
			break;
		const struct ab_site_record *r = &s->rec;
		if (s->off + ab_site_insn_offset(r->kind, r->len, r->insn_len) == off)
			return (long)v->order[lo];
	}
	return -1;
}

int ab_verify_check_sites(struct ab_verify *v, csh cs, cs_insn *insn)
{
	for (size_t i = 0; i < v->sites.n; i++)
		if (check_site(v, i, cs, insn) != 0)
			return -1;
	return index_sites(v);
}
