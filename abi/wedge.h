/*
 * The wedge's side of the loader ABI, v1 (docs/abi/wedge.md): the export
 * table the wedge carries in its ELF, and the site table the loader fills
 * in the wedge's memory.  Freestanding: the loader and the wedge share it.
 */
#ifndef AB_WEDGE_H
#define AB_WEDGE_H

#define AB_WEDGE_EXPORTS_SECTION ".wedge_exports"
#define AB_WEDGE_EXPORTS_SYMBOL  "__wedge_exports"
#define AB_WEDGE_EXPORTS_MAGIC   0x58574241u   /* "ABWX" in memory order */
#define AB_WEDGE_SITES_MAGIC     0x53574241u   /* "ABWS" */
#define AB_WEDGE_VERSION         1

/* The call a patched site starts with: E8 rel32.  The wedge finds the site
 * at (return address - AB_WEDGE_CALL_LEN). */
#define AB_WEDGE_CALL_LEN 5

/* The constants above serve assembly too (the wedge's export table). */
#ifndef __ASSEMBLER__
#include <stdint.h>

/* One entry point: the wedge emulates sites of `kind` when called here. */
struct ab_wedge_export {
	uint8_t kind;          /* enum ab_kind */
	uint8_t reserved[3];   /* 0 */
	uint32_t entry;        /* guest-virtual address of the entry point */
} __attribute__((packed));

/* At the start of .wedge_exports (and at __wedge_exports). */
struct ab_wedge_exports {
	uint32_t magic;            /* AB_WEDGE_EXPORTS_MAGIC */
	uint16_t version;          /* AB_WEDGE_VERSION */
	uint16_t count;            /* number of entries that follow */
	uint32_t vcpu;             /* guest-virtual address of the vCPU page */
	uint32_t vcpu_if;          /* address of the virtual IF byte: 1 enabled, 0 disabled */
	uint32_t site_table;       /* address of the site table area (struct ab_wedge_site_table) */
	uint32_t site_table_size;  /* size of that area in bytes */
	struct ab_wedge_export entries[];
} __attribute__((packed));

/* One patched call site, as the wedge looks it up by its return address. */
struct ab_wedge_site {
	uint32_t addr;         /* guest-virtual address of the site (the call's address) */
	uint8_t kind, len, insn_len, flags;   /* copied from the site record */
	uint8_t op_a, op_b, width, modrm;
	uint8_t insn[16];      /* the original instruction bytes, insn_len of them, zero-filled */
	uint32_t reserved;     /* 0 */
} __attribute__((packed));

/* The site table area: a header, then `count` sites sorted by addr. */
struct ab_wedge_site_table {
	uint32_t magic;        /* AB_WEDGE_SITES_MAGIC */
	uint16_t version;      /* AB_WEDGE_VERSION */
	uint16_t entry_size;   /* sizeof(struct ab_wedge_site) */
	uint32_t count;
	uint32_t capacity;     /* entries that fit in the area */
	struct ab_wedge_site sites[];
} __attribute__((packed));

#ifdef __cplusplus
static_assert(sizeof(struct ab_wedge_export) == 8, "export entry is 8 bytes");
static_assert(sizeof(struct ab_wedge_exports) == 24, "export header is 24 bytes");
static_assert(sizeof(struct ab_wedge_site) == 32, "site entry is 32 bytes");
static_assert(sizeof(struct ab_wedge_site_table) == 16, "site table header is 16 bytes");
#else
_Static_assert(sizeof(struct ab_wedge_export) == 8, "export entry is 8 bytes");
_Static_assert(sizeof(struct ab_wedge_exports) == 24, "export header is 24 bytes");
_Static_assert(sizeof(struct ab_wedge_site) == 32, "site entry is 32 bytes");
_Static_assert(sizeof(struct ab_wedge_site_table) == 16, "site table header is 16 bytes");
#endif

#endif /* __ASSEMBLER__ */
#endif
