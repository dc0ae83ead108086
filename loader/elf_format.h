/*
 * The little of the ELF format the loader needs, and little-endian readers
 * for it.  Our own definitions: the loader is freestanding and cannot rely
 * on the host's <elf.h>.  Every field is read byte by byte, so a malformed
 * or unaligned image can never cause a misaligned access.
 */
#ifndef AB_LOADER_ELF_H
#define AB_LOADER_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAG0 0x7f
#define ELF_CLASS32 1
#define ELF_CLASS64 2
#define ELF_DATA_LSB 1

#define ET_REL  1
#define ET_EXEC 2
#define ET_DYN  3

#define EM_386    3
#define EM_X86_64 62

#define PT_LOAD 1
#define PT_NOTE 4

#define PF_X 1
#define PF_W 2

#define SHT_PROGBITS 1
#define SHT_SYMTAB   2
#define SHT_STRTAB   3
#define SHT_RELA     4
#define SHT_NOTE     7
#define SHT_NOBITS   8
#define SHT_REL      9

#define SHF_ALLOC     0x2
#define SHF_EXECINSTR 0x4

#define SHN_UNDEF     0
#define SHN_LORESERVE 0xff00

#define R_386_PC32     2
#define R_X86_64_PC32  2

/* Sizes of the structures in each class. */
#define EHDR32_SIZE 52
#define EHDR64_SIZE 64
#define PHDR32_SIZE 32
#define PHDR64_SIZE 56
#define SHDR32_SIZE 40
#define SHDR64_SIZE 64
#define SYM32_SIZE  16
#define SYM64_SIZE  24

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* 1 if [off, off+len) lies inside a buffer of `size` bytes, without overflow. */
static inline int in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

#endif
