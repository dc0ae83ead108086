/*
 * Loading: copy each PT_LOAD to the caller's window of physical memory at
 * its physical address and zero the rest of its memory size (bss).  The
 * whole image is checked against the window before the first byte is
 * written, so a failed load leaves the window untouched.
 */
#include "loader_impl.h"

int ab_image_load(const struct ab_image *img, uint8_t *mem, uint64_t base, uint64_t size)
{
	if (!img || (!mem && size))
		return AB_LD_E_ARG;
	if (img->type == ET_REL)
		return AB_LD_E_TARGET;
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		if (s->paddr < base || !in_bounds(s->paddr - base, s->memsz, size))
			return AB_LD_E_WINDOW;
	}
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		uint8_t *dst = mem + (s->paddr - base);
		ab_bytes_copy(dst, img->data + s->offset, (size_t)s->filesz);
		ab_bytes_zero(dst + s->filesz, (size_t)(s->memsz - s->filesz));
	}
	return AB_LD_OK;
}
