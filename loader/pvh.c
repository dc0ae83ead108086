/*
 * The PVH entry point: Xen's ELF note XEN_ELFNOTE_PHYS32_ENTRY (type 18,
 * owner "Xen") holds the 32-bit physical address where a PVH boot starts,
 * with paging off.  Linux and our own guests carry it; the hypervisor starts
 * the vCPU there.  Found through PT_NOTE segments' file bytes.
 */
#include "loader_impl.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

static int note_owner_is_xen(const uint8_t *name, uint32_t namesz)
{
	return namesz == 4 && name[0] == 'X' && name[1] == 'e' && name[2] == 'n' && name[3] == 0;
}

/* Walk one note area; 1 and *entry if the PVH note is there. */
static int scan_notes(const uint8_t *p, uint64_t size, uint32_t *entry)
{
	uint64_t off = 0;
	while (size - off >= 12) {
		uint32_t namesz = rd32(p + off), descsz = rd32(p + off + 4), type = rd32(p + off + 8);
		uint64_t name = off + 12;
		uint64_t desc = name + (((uint64_t)namesz + 3) & ~(uint64_t)3);
		uint64_t next = desc + (((uint64_t)descsz + 3) & ~(uint64_t)3);
		if (desc > size || next > size)
			return 0;
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && note_owner_is_xen(p + name, namesz) && descsz >= 4) {
			*entry = rd32(p + desc);
			return 1;
		}
		off = next;
	}
	return 0;
}

int ab_image_pvh_entry(const struct ab_image *img, uint32_t *entry)
{
	if (!img || !entry)
		return AB_LD_E_ARG;
	*entry = 0;
	const uint8_t *d = img->data;
	uint64_t phoff = img->is64 ? rd64(d + 32) : rd32(d + 28);
	uint32_t entsize = img->is64 ? PHDR64_SIZE : PHDR32_SIZE;
	uint32_t phnum = img->type == ET_REL ? 0 : rd16(d + (img->is64 ? 56 : 44));

	/* ab_image_parse checked the table's bounds when phnum is not 0. */
	for (uint32_t i = 0; i < phnum; i++) {
		const uint8_t *ph = d + phoff + (uint64_t)i * entsize;
		if (rd32(ph) != PT_NOTE)
			continue;
		uint64_t off = img->is64 ? rd64(ph + 8) : rd32(ph + 4);
		uint64_t filesz = img->is64 ? rd64(ph + 32) : rd32(ph + 16);
		if (!in_bounds(off, filesz, img->size))
			return AB_LD_E_SEGMENT;
		if (scan_notes(d + off, filesz, entry))
			return AB_LD_OK;
	}
	return AB_LD_OK;
}
