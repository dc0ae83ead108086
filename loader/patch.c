/*
 * Patching: plan every site, check that the plan fits (the output window,
 * the wedge's site table), then write.  Nothing is written unless the whole
 * plan fits, so an error never leaves a half-patched image.
 */
#include "emit.h"

/* Where a site's bytes are in the output, or 0 if the output lacks them. */
static uint8_t *out_bytes(const struct ab_image *img, const struct ab_backing *out,
			  const struct ab_site *s)
{
	int i = ab_seg_of(img, s->addr, s->len);
	if (i < 0)
		return 0;
	const struct ab_seg *seg = &img->segs[i];
	uint64_t off = out->by_paddr ? seg->paddr + (s->addr - seg->vaddr)
				     : seg->offset + (s->addr - seg->vaddr);
	if (out->by_paddr) {
		if (off < out->base)
			return 0;
		off -= out->base;
	}
	return in_bounds(off, s->len, out->size) ? out->mem + off : 0;
}

static void count(struct ab_patch_stats *st, const struct ab_site *s)
{
	unsigned kind = ab_kind_info(s->kind) ? s->kind : 0;
	st->records++;
	if (s->status) {
		st->rejected[s->status < AB_SITE_STATUS_COUNT ? s->status : 0][kind]++;
		st->rejected_total++;
		return;
	}
	st->by_outcome[s->outcome][kind]++;
	if (s->outcome == AB_OUT_INLINE || s->outcome == AB_OUT_CALL)
		st->patched++;
	else
		st->left++;
}

static void table_entry(const struct ab_image *img, const struct ab_site *s, struct ab_wedge_site *e)
{
	const uint8_t *orig = ab_site_bytes(img, s);
	ab_bytes_zero((uint8_t *)e, sizeof *e);
	e->addr = (uint32_t)s->addr;
	e->kind = s->kind;
	e->len = s->len;
	e->insn_len = s->insn_len;
	e->flags = s->flags;
	e->op_a = s->op_a;
	e->op_b = s->op_b;
	e->width = s->width;
	e->modrm = s->modrm;
	ab_bytes_copy(e->insn, orig + ab_site_insn_offset(s->kind, s->len, s->insn_len), s->insn_len);
}

/* The table header, written field by field: the area may be unaligned. */
static void table_header(struct ab_wedge_site_table *t, uint32_t count, uint32_t capacity)
{
	uint8_t *p = (uint8_t *)t;
	wr32(p, AB_WEDGE_SITES_MAGIC);
	p[4] = AB_WEDGE_VERSION;
	p[5] = 0;
	p[6] = sizeof(struct ab_wedge_site);
	p[7] = 0;
	wr32(p + 8, count);
	wr32(p + 12, capacity);
}

static int check_args(const struct ab_image *img, const struct ab_site *sites, size_t n,
		      enum ab_target target, const struct ab_wedge *w, const struct ab_backing *out)
{
	if (!img || (!sites && n) || !out || (!out->mem && out->size) || (unsigned)target >= AB_TARGET_COUNT)
		return AB_LD_E_ARG;
	if (target == AB_TARGET_BARE)
		return AB_LD_OK;
	if (img->is64 || img->type == ET_REL)
		return AB_LD_E_TARGET;
	return w ? AB_LD_OK : AB_LD_E_WEDGE;
}

int ab_patch(const struct ab_image *img, struct ab_site *sites, size_t n, enum ab_target target,
	     const struct ab_wedge *w, const struct ab_backing *out,
	     const struct ab_site_table_out *table, struct ab_patch_stats *st)
{
	int r = check_args(img, sites, n, target, w, out);
	if (r)
		return r;

	/* Plan. */
	size_t calls = 0;
	for (size_t i = 0; i < n; i++) {
		struct ab_site *s = &sites[i];
		s->outcome = AB_OUT_NONE;
		if (s->status)
			continue;
		s->outcome = (uint8_t)ab_emit_plan(target, s, w);
		if (s->outcome != AB_OUT_INLINE && s->outcome != AB_OUT_CALL)
			continue;
		if (!out_bytes(img, out, s))
			return AB_LD_E_WINDOW;
		calls += s->outcome == AB_OUT_CALL;
	}

	/* Check the site table has room: the wedge's area and the caller's buffer. */
	uint64_t room = 0;
	int have_table = calls || (table && table->table);
	if (have_table) {
		if (!table || !table->table || !w)
			return AB_LD_E_ARG;
		uint64_t area = table->size < w->site_table_size ? table->size : w->site_table_size;
		if (area < sizeof(struct ab_wedge_site_table))
			return AB_LD_E_TOO_MANY;
		/* area is at most the caller's size_t: no 64-bit division on i386 */
		room = (size_t)(area - sizeof(struct ab_wedge_site_table)) / sizeof(struct ab_wedge_site);
		if (calls > room)
			return AB_LD_E_TOO_MANY;
	}

	/* Write; sites are in address order, so the table is too. */
	if (st)
		ab_bytes_zero((uint8_t *)st, sizeof *st);
	size_t t = 0;
	for (size_t i = 0; i < n; i++) {
		struct ab_site *s = &sites[i];
		if (st)
			count(st, s);
		if (s->status || (s->outcome != AB_OUT_INLINE && s->outcome != AB_OUT_CALL))
			continue;
		ab_emit_write(s->outcome, s, w, out_bytes(img, out, s));
		if (s->outcome == AB_OUT_CALL)
			table_entry(img, s, &table->table->sites[t++]);
	}
	if (have_table)
		table_header(table->table, (uint32_t)t, (uint32_t)(room > 0xffffffffu ? 0xffffffffu : room));
	return AB_LD_OK;
}
