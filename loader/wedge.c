/*
 * The wedge's export table (docs/abi/wedge.md): where the patched sites
 * call, where the virtual IF byte is, and where the loader writes the site
 * table.  Found through the section .wedge_exports or the symbol
 * __wedge_exports.  Every address is checked against the wedge's own
 * segments: entry points in executable ones, data in writable ones.
 */
#include <stddef.h>

#include "loader_impl.h"
#include "vcpu.h"

#define EXPORTS_HEADER 24
#define VCPU_USED (offsetof(struct ab_vcpu, cr4) + 4)
#define EXPORT_ENTRY 8

static int wedge_seg(const struct ab_image *img, uint64_t addr, uint64_t len, uint32_t need)
{
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		if (addr >= s->vaddr && in_bounds(addr - s->vaddr, len, s->memsz))
			return (s->flags & need) == need;
	}
	return 0;
}

static const uint8_t *find_exports(const struct ab_image *img, uint64_t *size)
{
	for (uint32_t i = 1; i < img->shnum; i++) {
		struct ab_shdr sh;
		ab_shdr_get(img, i, &sh);
		if (ab_shdr_named(img, &sh, AB_WEDGE_EXPORTS_SECTION) && sh.type == SHT_PROGBITS) {
			*size = sh.size;
			return img->data + sh.offset;
		}
	}
	uint64_t addr;
	if (ab_symbol_value(img, AB_WEDGE_EXPORTS_SYMBOL, &addr) != 1)
		return 0;
	int seg = ab_seg_of(img, addr, EXPORTS_HEADER);
	if (seg < 0)
		return 0;
	*size = img->segs[seg].vaddr + img->segs[seg].filesz - addr;
	return img->data + img->segs[seg].offset + (addr - img->segs[seg].vaddr);
}

int ab_wedge_parse(const struct ab_image *img, struct ab_wedge *w)
{
	if (!img || !w)
		return AB_LD_E_ARG;
	ab_bytes_zero((uint8_t *)w, sizeof *w);
	if (img->is64 || img->type == ET_REL)
		return AB_LD_E_WEDGE;
	uint64_t size = 0;
	const uint8_t *p = find_exports(img, &size);
	if (!p || size < EXPORTS_HEADER || rd32(p) != AB_WEDGE_EXPORTS_MAGIC ||
	    rd16(p + 4) != AB_WEDGE_VERSION)
		return AB_LD_E_WEDGE;
	uint32_t count = rd16(p + 6);
	if ((uint64_t)count * EXPORT_ENTRY > size - EXPORTS_HEADER)
		return AB_LD_E_WEDGE;
	w->vcpu = rd32(p + 8);
	w->vcpu_if = rd32(p + 12);
	w->site_table = rd32(p + 16);
	w->site_table_size = rd32(p + 20);
	/* The inline emitters read the vCPU page up to its control registers. */
	if (!wedge_seg(img, w->vcpu_if, 1, PF_W) || !wedge_seg(img, w->vcpu, VCPU_USED, PF_W) ||
	    w->site_table_size < sizeof(struct ab_wedge_site_table) ||
	    !wedge_seg(img, w->site_table, w->site_table_size, PF_W))
		return AB_LD_E_WEDGE;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = p + EXPORTS_HEADER + i * EXPORT_ENTRY;
		uint8_t kind = e[0];
		uint32_t entry = rd32(e + 4);
		if (!ab_kind_info(kind) || w->entry[kind] || !entry || !wedge_seg(img, entry, 1, PF_X))
			return AB_LD_E_WEDGE;
		w->entry[kind] = entry;
	}
	return AB_LD_OK;
}
