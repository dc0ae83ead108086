/*
 * The loader: parse a pre-virtualized ELF image in memory, load it into a
 * memory window, find and validate its .afterburn sites, and rewrite them
 * for a target.  Freestanding C (no libc): the hypervisor links the same
 * sources that `afterburn patch` uses on the host.
 *
 * Every function takes untrusted input and returns an enum ab_ld_status;
 * none reads or writes outside the buffers it is given.  The codes are
 * documented in docs/loader.md.
 *
 * Typical use (host):
 *   ab_image_parse(&img, file, size);
 *   ab_sites_collect(&img, NULL, 0, &n);          -- how many records
 *   ab_sites_collect(&img, sites, n, &n);         -- read, validate, sort
 *   ab_wedge_parse(&wedge_img, &wedge);           -- l4 and trap only
 *   ab_patch(&img, sites, n, AB_TARGET_L4, &wedge, &out, &table, &stats);
 */
#ifndef AB_LOADER_H
#define AB_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "kinds.h"
#include "site.h"
#include "wedge.h"

/* Image-level results.  The numbers are part of the documented interface. */
enum ab_ld_status {
	AB_LD_OK = 0,
	AB_LD_E_TRUNCATED = 1,   /* a header or table lies past the end of the image */
	AB_LD_E_NOT_ELF = 2,     /* no ELF magic */
	AB_LD_E_UNSUPPORTED = 3, /* class, byte order, version, machine or type we do not take */
	AB_LD_E_PHDR = 4,        /* the program header table is malformed */
	AB_LD_E_SHDR = 5,        /* the section header table or a section is malformed */
	AB_LD_E_SEGMENT = 6,     /* a PT_LOAD is malformed: filesz > memsz, wraps, outside the file */
	AB_LD_E_OVERLAP = 7,     /* two PT_LOAD segments overlap, virtually or physically */
	AB_LD_E_WINDOW = 8,      /* a segment does not fit the memory window */
	AB_LD_E_SITES = 9,       /* .afterburn is malformed: size, placement, start/end symbols */
	AB_LD_E_TOO_MANY = 10,   /* more records or segments than the capacity given */
	AB_LD_E_WEDGE = 11,      /* the wedge's export table is missing or malformed */
	AB_LD_E_TARGET = 12,     /* the target cannot be applied to this image */
	AB_LD_E_ARG = 13,        /* the caller passed something impossible */
	AB_LD_STATUS_COUNT
};

/* Per-record verdicts.  A rejected record is left alone and counted. */
enum ab_site_status {
	AB_SITE_OK = 0,
	AB_SITE_E_VERSION = 1,   /* the record's version is not 1 */
	AB_SITE_E_KIND = 2,      /* unknown kind */
	AB_SITE_E_LENGTH = 3,    /* insn_len is 0, or len < insn_len */
	AB_SITE_E_OUTSIDE = 4,   /* not inside the file bytes of one loaded segment */
	AB_SITE_E_NOEXEC = 5,    /* inside a loaded segment, but not executable code */
	AB_SITE_E_OVERLAP = 6,   /* overlaps another site */
	AB_SITE_E_BYTES = 7,     /* the bytes are not the recorded instruction (kind, length, op_a/op_b) plus no-ops */
	AB_SITE_E_MODE = 8,      /* 64-bit site in a 32-bit image, or the reverse */
	AB_SITE_E_RELOC = 9,     /* object file: the record's relocation is unusable */
	AB_SITE_STATUS_COUNT
};

/* What the patcher did with a valid site. */
enum ab_site_outcome {
	AB_OUT_NONE = 0,         /* not patched yet, or rejected */
	AB_OUT_INLINE = 1,       /* replaced by inline code */
	AB_OUT_CALL = 2,         /* replaced by a call into the wedge */
	AB_OUT_LEFT_TARGET = 3,  /* the target leaves this kind alone (bare; trap: trapping and context kinds) */
	AB_OUT_LEFT_NATIVE = 4,  /* the target runs this kind natively (l4: rdtsc) */
	AB_OUT_LEFT_NOFIT = 5,   /* no replacement fits in the site */
	AB_OUT_LEFT_NOENTRY = 6, /* the wedge exports no entry point for the kind */
	AB_OUT_COUNT
};

enum ab_target { AB_TARGET_BARE = 0, AB_TARGET_L4 = 1, AB_TARGET_TRAP = 2, AB_TARGET_COUNT };

#define AB_LD_MAX_SEGS 16

struct ab_seg {
	uint64_t vaddr, paddr, offset, filesz, memsz;
	uint32_t flags;          /* PF_X 1, PF_W 2, PF_R 4 */
};

/* A parsed image.  It points into the caller's buffer, which must outlive it. */
struct ab_image {
	const uint8_t *data;
	size_t size;
	uint8_t is64;            /* ELFCLASS64 */
	uint16_t type;           /* ET_EXEC 2, ET_REL 1 (ET_DYN 3 is taken like ET_EXEC) */
	uint16_t machine;        /* EM_386 3, EM_X86_64 62 */
	uint64_t entry;
	uint64_t shoff;
	uint32_t shnum, shentsize, shstrndx;   /* shnum 0: no section headers */
	unsigned nsegs;
	struct ab_seg segs[AB_LD_MAX_SEGS];    /* the PT_LOAD segments, in file order */
};

/* One record, as read from .afterburn and validated. */
struct ab_site {
	uint64_t addr;           /* link address; in an object file (ET_REL), section << 32 | offset */
	uint32_t record;         /* position of the record in the image's .afterburn records */
	uint8_t kind, len, insn_len, flags, op_a, op_b, width, modrm;
	uint8_t status;          /* enum ab_site_status */
	uint8_t outcome;         /* enum ab_site_outcome, set by ab_patch */
	uint8_t reserved[2];
};

/* Where the patched bytes go. */
struct ab_backing {
	uint8_t *mem;
	uint64_t base;           /* by_paddr: the physical address of mem[0] */
	uint64_t size;
	int by_paddr;            /* 1: a loaded window (segment bytes at paddr - base);
	                          * 0: a copy of the file (segment bytes at their file offset) */
};

/* The wedge as the patcher sees it (from its export table). */
struct ab_wedge {
	uint32_t vcpu, vcpu_if, site_table, site_table_size;
	uint32_t entry[AB_KIND_COUNT];         /* 0: no entry point for the kind */
};

/* Where ab_patch writes the site table for the wedge (may be NULL with size 0). */
struct ab_site_table_out {
	struct ab_wedge_site_table *table;
	size_t size;             /* bytes available at table */
};

struct ab_patch_stats {
	uint32_t by_outcome[AB_OUT_COUNT][AB_KIND_COUNT];   /* [outcome][kind] */
	uint32_t rejected[AB_SITE_STATUS_COUNT][AB_KIND_COUNT]; /* [status][kind]; unknown kinds at 0 */
	uint32_t patched, left, rejected_total, records;
};

const char *ab_ld_status_name(unsigned status);     /* "E_TRUNCATED" */
const char *ab_ld_status_text(unsigned status);     /* one line of English */
const char *ab_site_status_name(unsigned status);   /* "E_OVERLAP" */
const char *ab_site_status_text(unsigned status);
const char *ab_site_outcome_name(unsigned outcome); /* "call" */
const char *ab_target_name(unsigned target);        /* "l4" */
int ab_target_by_name(const char *name);            /* -1 if unknown */

/* Parse and check the ELF header, program headers and section header table. */
int ab_image_parse(struct ab_image *img, const void *data, size_t size);

/* Copy the PT_LOAD segments to mem (the window [base, base+size) of
 * physical memory) at their physical addresses, and zero their bss. */
int ab_image_load(const struct ab_image *img, uint8_t *mem, uint64_t base, uint64_t size);

/* The PVH entry point (Xen ELF note 18), or 0 through *entry if there is none. */
int ab_image_pvh_entry(const struct ab_image *img, uint32_t *entry);

/*
 * Read every .afterburn record, validate it and sort the result by address.
 * With cap smaller than the number of records, nothing is written, *count
 * gets the number needed, and the result is AB_LD_E_TOO_MANY (so a caller
 * may ask with cap 0 first).  An image without .afterburn has 0 records.
 */
int ab_sites_collect(const struct ab_image *img, struct ab_site *sites, size_t cap, size_t *count);

/* Read a wedge's export table. */
int ab_wedge_parse(const struct ab_image *wedge_img, struct ab_wedge *w);

/*
 * Rewrite the valid sites of img for target into out.  out must hold the
 * image's bytes already (a copy of the file, or the loaded window).  For l4
 * and trap, w is required, and the call sites are written to table (which
 * may be NULL only if no site needs a call).  Sets each site's outcome.
 * Deterministic: the same inputs give the same bytes.
 */
int ab_patch(const struct ab_image *img, struct ab_site *sites, size_t n, enum ab_target target,
	     const struct ab_wedge *w, const struct ab_backing *out,
	     const struct ab_site_table_out *table, struct ab_patch_stats *stats);

#endif
