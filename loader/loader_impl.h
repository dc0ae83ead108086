/*
 * Internals shared by the loader's files: section headers, symbols and
 * address translation.  Not part of the interface (loader.h is).
 */
#ifndef AB_LOADER_IMPL_H
#define AB_LOADER_IMPL_H

#include "elf_format.h"
#include "loader.h"

struct ab_shdr {
	uint32_t name, type, link, info;
	uint64_t flags, addr, offset, size, entsize;
};

/* Section idx of a parsed image; 0 if idx is out of range. */
int ab_shdr_get(const struct ab_image *img, uint32_t idx, struct ab_shdr *sh);

/* 1 if section sh is called `name` in the section-name string table. */
int ab_shdr_named(const struct ab_image *img, const struct ab_shdr *sh, const char *name);

/* The value of the defined symbol `name` in .symtab: 1 if found, 0 if not,
 * -1 if the symbol table is malformed. */
int ab_symbol_value(const struct ab_image *img, const char *name, uint64_t *value);

/* The loaded segment holding [addr, addr+len) in its file bytes, or -1. */
int ab_seg_of(const struct ab_image *img, uint64_t addr, uint64_t len);

/* 1 if [addr, addr+len) is executable code: in a PF_X segment, or inside
 * an SHF_EXECINSTR section (Linux i386 puts .init.text in its RW segment). */
int ab_is_code(const struct ab_image *img, int seg, uint64_t addr, uint64_t len);

/* The file bytes at [addr, addr+len) of an image, or 0 if they are not all in one segment. */
const uint8_t *ab_image_bytes(const struct ab_image *img, uint64_t addr, uint64_t len);

/* Where a site's original bytes are in the file (ET_REL addresses included), or 0. */
const uint8_t *ab_site_bytes(const struct ab_image *img, const struct ab_site *s);

/* Sort sites by address (then record number), in place and without memory. */
void ab_sites_sort(struct ab_site *sites, size_t n);

/* Mark every pair of overlapping valid sites E_OVERLAP (sites sorted). */
void ab_sites_mark_overlaps(struct ab_site *sites, size_t n);

/* Freestanding byte helpers: the compiler must not turn these into libc calls. */
void ab_bytes_copy(uint8_t *dst, const uint8_t *src, size_t n);
void ab_bytes_zero(uint8_t *dst, size_t n);

#endif
