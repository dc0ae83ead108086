#!/usr/bin/env python3
"""Write the malformed-ELF corpus of the loader (tests/loader/malformed/).

    tests/loader/make_corpus.py [--as build/bin/afterburn-as] [OUTDIR]

Every case but the object files is a mutation of one small i386 ET_EXEC image
built here with struct, so each file breaks exactly one thing and the rest
stays valid.  The object files (rel32*, rel64*) come from the real assembler
(afterburn-as, deterministic), then get their relocations broken by hand.

EXPECTED has one line per file:  NAME EXIT LD_STATUS SITE_STATUSES
  EXIT           exit status of `afterburn patch --list` (0, 1 rejected records, 2 image error)
  LD_STATUS      enum ab_ld_status name (OK, or the image-level error)
  SITE_STATUSES  enum ab_site_status of each record in record order, "S*N" for N
                 records in a row, "-" for none (or an image-level error)
Patching gives the same, except that ELF64 and ET_REL images are E_TARGET (exit 2).

The output is byte-for-byte reproducible (tests/test_loader_malformed.py checks).
"""
import argparse
import os
import pathlib
import re
import struct
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _kinds():
    """Kind numbers are the 1-based rows of abi/kinds.def (the ABI)."""
    names = re.findall(r'^KIND\(\s*\w+,\s*"([^"]+)"', (ROOT / "abi" / "kinds.def").read_text(), re.M)
    return {n: i + 1 for i, n in enumerate(names)}


KIND = _kinds()
V1 = 0x10                        # record version 1 in the high nibble of flags
CODE64 = 0x08

# ELF constants (the few we write).
ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
EM_386 = 3
PT_LOAD, PT_NOTE = 1, 4
PF_X, PF_W, PF_R = 1, 2, 4
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS = 1, 2, 3, 8
SHF_WRITE, SHF_ALLOC, SHF_EXEC = 1, 2, 4

# Field offsets used by the mutations.
EH = dict(type=16, machine=18, phoff=28, shoff=32, phentsize=42, phnum=44, shentsize=46,
          shnum=48, shstrndx=50)
PH = dict(offset=4, vaddr=8, paddr=12, filesz=16, memsz=20, flags=24)
SH = dict(name=0, type=4, flags=8, addr=12, offset=16, size=20, link=24, info=28, entsize=36)

# The code.  Each site is the instruction followed by the no-ops of abi/nops.c.
TEXT = bytes([0x9c, 0x0f, 0x1f, 0x40, 0x00,               # pushf; nopl 0(%eax)     site 0..5
              0xfa, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00,   # cli; nopw 0(%eax,%eax)  site 5..12
              0xc3, 0x90, 0x90, 0x90])                    # ret; pad to 16
# Linux i386 puts .init.text in the RW segment: an SHF_EXECINSTR section there is code.
INIT_TEXT = bytes([0x9c, 0x0f, 0x1f, 0x40, 0x00, 0xc3, 0x90, 0x90])
# Data that looks like a site, so a record pointing at it can only be rejected as E_NOEXEC.
DATA = bytes([0x9c, 0x0f, 0x1f, 0x40, 0x00, 0x00, 0x00, 0x00])
BSS = 0x20
TEXT_BASE, DATA_BASE = 0x00100000, 0x00101000   # vaddr = paddr = base + file offset
SECTIONS = [".text", ".init.text", ".data", ".afterburn", ".bss", ".symtab", ".strtab", ".shstrtab"]


def rec(region, off, kind, length, insn_len=1, flags=V1, op_a=0, op_b=0, width=0, modrm=0):
    """A record spec: the site is `off` bytes into region (text, init, data, bss, abs)."""
    return (region, off, KIND[kind] if isinstance(kind, str) else kind, length, insn_len, flags,
            op_a, op_b, width, modrm)


BASE_RECORDS = [rec("text", 0, "pushf", 5, width=4),
                rec("text", 5, "cli", 7),
                rec("init", 0, "pushf", 5, width=4)]


def _align(n, a):
    return (n + a - 1) // a * a


class Image:
    """The base image, and where everything is in it (for the mutations)."""

    def __init__(self, records=BASE_RECORDS, extra_loads=0, afterburn_name=".afterburn"):
        nph = 3 + extra_loads
        self.phoff = 52
        self.text_off = _align(52 + 32 * nph, 16)
        self.text_va = TEXT_BASE + self.text_off
        self.data_off = self.text_off + len(TEXT)
        self.data_va = DATA_BASE + self.data_off
        init_va, data_va = self.data_va, self.data_va + len(INIT_TEXT)
        self.ab_off = self.data_off + len(INIT_TEXT) + len(DATA)
        self.ab_va = self.data_va + len(INIT_TEXT) + len(DATA)
        ab_size = 12 * len(records)
        bss_va = self.ab_va + ab_size
        where = {"text": self.text_va, "init": init_va, "data": data_va, "bss": bss_va, "abs": 0}

        afterburn = bytearray()
        for i, (region, off, *fields) in enumerate(records):
            rel = (where[region] + off - (self.ab_va + 12 * i) + 2**31) % 2**32 - 2**31
            afterburn += struct.pack("<iBBBBBBBB", rel, *fields)
        data_seg = INIT_TEXT + DATA + bytes(afterburn)
        self.data_filesz = len(data_seg)

        # Not loaded: the PVH note (for ab_image_pvh_entry), symbols, names.
        self.note_off = self.data_off + len(data_seg)
        note = struct.pack("<III4sI", 4, 4, 18, b"Xen\0", self.text_va)
        strtab = b"\0__afterburn_start\0__afterburn_end\0"
        self.symtab_off = self.note_off + len(note)
        syms = struct.pack("<IIIBBH", 0, 0, 0, 0, 0, 0)
        syms += struct.pack("<IIIBBH", 1, self.ab_va, 0, 0x10, 0, 4)              # GLOBAL NOTYPE
        syms += struct.pack("<IIIBBH", 19, self.ab_va + ab_size, 0, 0x10, 0, 4)
        names = [afterburn_name if s == ".afterburn" else s for s in SECTIONS]
        shstrtab = b"\0" + b"".join(n.encode() + b"\0" for n in names)
        strtab_off = self.symtab_off + len(syms)
        shstr_off = strtab_off + len(strtab)
        self.shoff = _align(shstr_off + len(shstrtab), 4)

        def name(s):
            return shstrtab.index(b"\0" + s.encode() + b"\0") + 1

        shdrs = [(0,) * 10,
                 (name(names[0]), SHT_PROGBITS, SHF_ALLOC | SHF_EXEC, self.text_va, self.text_off,
                  len(TEXT), 0, 0, 16, 0),
                 (name(names[1]), SHT_PROGBITS, SHF_ALLOC | SHF_EXEC | SHF_WRITE, init_va,
                  self.data_off, len(INIT_TEXT), 0, 0, 4, 0),
                 (name(names[2]), SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, data_va,
                  self.data_off + len(INIT_TEXT), len(DATA), 0, 0, 4, 0),
                 (name(names[3]), SHT_PROGBITS, SHF_ALLOC, self.ab_va, self.ab_off, ab_size,
                  0, 0, 4, 0),
                 (name(names[4]), SHT_NOBITS, SHF_ALLOC | SHF_WRITE, bss_va,
                  self.ab_off + ab_size, BSS, 0, 0, 4, 0),
                 (name(names[5]), SHT_SYMTAB, 0, 0, self.symtab_off, len(syms), 7, 1, 4, 16),
                 (name(names[6]), SHT_STRTAB, 0, 0, strtab_off, len(strtab), 0, 0, 1, 0),
                 (name(names[7]), SHT_STRTAB, 0, 0, shstr_off, len(shstrtab), 0, 0, 1, 0)]
        self.sec = {n: self.shoff + 40 * i for i, n in enumerate([""] + SECTIONS)}

        phdrs = [(PT_LOAD, self.text_off, self.text_va, self.text_va, len(TEXT), len(TEXT),
                  PF_R | PF_X, 16),
                 (PT_LOAD, self.data_off, self.data_va, self.data_va, len(data_seg),
                  len(data_seg) + BSS, PF_R | PF_W, 16),
                 (PT_NOTE, self.note_off, 0, 0, len(note), len(note), PF_R, 4)]
        # Extra empty loads, each on its own page far above the image.
        phdrs += [(PT_LOAD, 0, 0x00200000 + 0x1000 * i, 0x00200000 + 0x1000 * i, 0, 0x10, PF_R, 16)
                  for i in range(extra_loads)]

        ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
        out = bytearray(struct.pack("<16sHHIIIIIHHHHHH", ident, ET_EXEC, EM_386, 1, self.text_va,
                                    self.phoff, self.shoff, 0, 52, 32, len(phdrs), 40, len(shdrs), 8))
        for ph in phdrs:
            out += struct.pack("<8I", *ph)
        out += bytes(self.text_off - len(out)) + TEXT + data_seg + note + syms + strtab + shstrtab
        out += bytes(self.shoff - len(out))
        for sh in shdrs:
            out += struct.pack("<10I", *sh)
        self.data = out

    def ehdr(self, field, value):
        struct.pack_into("<H" if EH[field] >= 42 or EH[field] < 20 else "<I", self.data, EH[field], value)
        return self

    def phdr(self, i, field, value):
        struct.pack_into("<I", self.data, self.phoff + 32 * i + PH[field], value)
        return self

    def shdr(self, name, field, value):
        struct.pack_into("<I", self.data, self.sec[name] + SH[field], value)
        return self

    def symbol(self, i, value):
        struct.pack_into("<I", self.data, self.symtab_off + 16 * i + 4, value)
        return self

    def bytes(self, cut=None):
        return bytes(self.data[:cut])


def _elf64_truncated():
    """An x86-64 ELF header cut after e_entry: too short for ELFCLASS64."""
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    return struct.pack("<16sHHIQ", ident, ET_EXEC, 62, 1, 0x1000000)


def linked_cases():
    """(name, exit, ld_status, site statuses, bytes) for the hand-made images."""
    I = Image
    ok3 = "OK,OK,OK"
    c = []
    add = lambda name, ex, ld, sites, data: c.append((name, ex, ld, sites, data))

    # Valid images.
    add("valid", 0, "OK", ok3, I().bytes())
    add("valid-dyn", 0, "OK", ok3, I().ehdr("type", ET_DYN).bytes())
    add("sixteen-loads", 0, "OK", ok3, I(extra_loads=14).bytes())
    # Renamed section: the records are found through __afterburn_start/_end only.
    add("syms-only", 0, "OK", ok3, I(afterburn_name=".rodata.ab").bytes())
    # No section headers: no .afterburn, no symbols, so no records at all.
    add("no-shdrs", 0, "OK", "-", I().ehdr("shoff", 0).ehdr("shnum", 0).ehdr("shstrndx", 0).bytes())
    add("no-records", 0, "OK", "-", I(records=[]).bytes())

    # Headers and tables.
    add("empty", 2, "E_NOT_ELF", "-", b"")
    add("magic-only", 2, "E_TRUNCATED", "-", b"\x7fELF")
    add("trunc-ehdr", 2, "E_TRUNCATED", "-", I().bytes(30))
    add("trunc-phdr", 2, "E_TRUNCATED", "-", I().bytes(52 + 40))
    img = I()
    add("trunc-shdr", 2, "E_TRUNCATED", "-", img.bytes(img.shoff + 40 * 4 + 8))
    add("elf64-trunc-ehdr", 2, "E_TRUNCATED", "-", _elf64_truncated())
    add("bad-magic", 2, "E_NOT_ELF", "-", b"\x7fELG" + I().bytes()[4:])
    add("bad-class", 2, "E_UNSUPPORTED", "-", b"\x7fELF\x03" + I().bytes()[5:])
    add("big-endian", 2, "E_UNSUPPORTED", "-", b"\x7fELF\x01\x02" + I().bytes()[6:])
    add("wrong-machine", 2, "E_UNSUPPORTED", "-", I().ehdr("machine", 40).bytes())      # EM_ARM
    add("class64-em386", 2, "E_UNSUPPORTED", "-", b"\x7fELF\x02" + I().bytes()[5:])
    add("type-core", 2, "E_UNSUPPORTED", "-", I().ehdr("type", 4).bytes())
    add("phnum-huge", 2, "E_TRUNCATED", "-", I().ehdr("phnum", 0xffff).bytes())
    add("phentsize-bad", 2, "E_PHDR", "-", I().ehdr("phentsize", 20).bytes())
    add("shnum-huge", 2, "E_TRUNCATED", "-", I().ehdr("shnum", 0xffff).bytes())
    add("shentsize-bad", 2, "E_SHDR", "-", I().ehdr("shentsize", 20).bytes())
    add("shstrndx-range", 2, "E_SHDR", "-", I().ehdr("shstrndx", 9).bytes())
    add("shoff-past-eof", 2, "E_TRUNCATED", "-", I().ehdr("shoff", 0x7ffffff0).bytes())

    # PT_LOAD segments.
    add("filesz-gt-memsz", 2, "E_SEGMENT", "-", I().phdr(0, "memsz", 8).bytes())
    add("seg-offset-past-eof", 2, "E_SEGMENT", "-", I().phdr(1, "offset", 0x00100000).bytes())
    add("seg-size-past-eof", 2, "E_SEGMENT", "-", I().phdr(1, "filesz", 0x7fffffff)
        .phdr(1, "memsz", 0x7fffffff).bytes())
    add("seg-vaddr-wrap", 2, "E_SEGMENT", "-", I().phdr(0, "vaddr", 0xfffffff8).bytes())
    add("seg-paddr-wrap", 2, "E_SEGMENT", "-", I().phdr(1, "paddr", 0xffffffe0).bytes())
    img = I()
    add("seg-overlap-virt", 2, "E_OVERLAP", "-", img.phdr(1, "vaddr", img.text_va + 8).bytes())
    img = I()
    add("seg-overlap-phys", 2, "E_OVERLAP", "-", img.phdr(1, "paddr", img.text_va + 8).bytes())
    img = I()
    # The data segment's file bytes start inside the text's: a patched copy
    # of the file would get one segment's sites written into the other.
    text_off = struct.unpack_from("<I", img.data, img.phoff + PH["offset"])[0]
    add("seg-overlap-file", 2, "E_OVERLAP", "-", img.phdr(1, "offset", text_off).bytes())
    add("too-many-loads", 2, "E_TOO_MANY", "-", I(extra_loads=15).bytes())

    # The .afterburn section and its symbols.
    add("afterburn-size-odd", 2, "E_SITES", "-", I().shdr(".afterburn", "size", 20).bytes())
    add("afterburn-offset-outside", 2, "E_SHDR", "-", I().shdr(".afterburn", "offset", 0x7fff0000).bytes())
    add("afterburn-addr-outside", 2, "E_SITES", "-", I().shdr(".afterburn", "addr", 0x00900000).bytes())
    add("afterburn-nobits", 2, "E_SITES", "-", I().shdr(".afterburn", "type", SHT_NOBITS).bytes())
    # A second, empty .afterburn (the renamed .data): one is allowed in a linked image.
    img = I()
    add("afterburn-two-sections", 2, "E_SITES", "-", img.shdr(".data", "size", 0).shdr(
        ".data", "name", struct.unpack_from("<I", img.data, img.sec[".afterburn"])[0]).bytes())
    img = I()
    add("syms-inverted", 2, "E_SITES", "-", img.symbol(1, img.ab_va + 36).symbol(2, img.ab_va).bytes())
    img = I()
    add("syms-mismatch", 2, "E_SITES", "-", img.symbol(2, img.ab_va + 12).bytes())
    img = I(afterburn_name=".rodata.ab")
    add("syms-outside", 2, "E_SITES", "-", img.symbol(1, 0x00900000).symbol(2, 0x00900000 + 36).bytes())
    img = I(afterburn_name=".rodata.ab")
    add("syms-odd-size", 2, "E_SITES", "-", img.symbol(2, img.ab_va + 20).bytes())
    add("symtab-entsize-bad", 2, "E_SITES", "-", I().shdr(".symtab", "entsize", 12).bytes())

    # Records (the image is fine; each bad record is rejected on its own: exit 1).
    def recs(*extra):
        return I(records=BASE_RECORDS + list(extra)).bytes()

    add("site-outside", 1, "OK", ok3 + ",E_OUTSIDE", recs(rec("abs", 0x00500000, "pushf", 5)))
    add("site-in-bss", 1, "OK", ok3 + ",E_OUTSIDE", recs(rec("bss", 4, "pushf", 5)))
    add("site-straddle", 1, "OK", ok3 + ",E_OUTSIDE", recs(rec("text", len(TEXT) - 2, "pushf", 5)))
    add("site-noexec", 1, "OK", ok3 + ",E_NOEXEC", recs(rec("data", 0, "pushf", 5, width=4)))
    # A duplicate record, and a pop %ds site (0x1f) inside the pushf site's padding.
    add("site-overlap", 1, "OK", "E_OVERLAP,OK,OK,E_OVERLAP,E_OVERLAP",
        recs(rec("text", 0, "pushf", 5, width=4), rec("text", 2, "pop-sreg", 1, op_a=3)))
    add("site-kind-unknown", 1, "OK", ok3 + ",E_KIND,E_KIND",
        recs(rec("text", 0, 0, 5), rec("text", 0, 255, 5)))
    add("site-version", 1, "OK", ok3 + ",E_VERSION,E_VERSION,E_VERSION",
        recs(rec("text", 0, "pushf", 5, flags=0x00), rec("text", 0, "pushf", 5, flags=0x20),
             rec("text", 0, "pushf", 5, flags=0xf0)))
    add("site-length", 1, "OK", ok3 + ",E_LENGTH,E_LENGTH,E_LENGTH",
        recs(rec("text", 0, "pushf", 0, insn_len=1), rec("text", 0, "pushf", 5, insn_len=0),
             rec("text", 0, "pushf", 4, insn_len=5)))
    add("site-bytes", 1, "OK", ok3 + ",E_BYTES,E_BYTES,E_BYTES",
        recs(rec("text", 0, "cli", 5),                      # the bytes are pushf
             rec("text", 5, "cli", 8),                      # padding runs into ret
             rec("text", 12, "hlt", 1)))                    # ret is no sensitive instruction
    add("site-mode64", 1, "OK", ok3 + ",E_MODE", recs(rec("text", 0, "pushf", 5, flags=V1 | CODE64)))
    # 200,000 records, all outside, in 200 ascending runs at descending
    # addresses (each run shares its rel value, so git compresses the file
    # well): the sort and the overlap sweep must not be quadratic.
    n = 200000
    huge = [rec("abs", 0x00800000 + 12 * (i % 1000) - 12000 * (i // 1000), "pushf", 5)
            for i in range(n)]
    add("site-huge-count", 1, "OK", f"E_OUTSIDE*{n}", I(records=huge).bytes())
    return c


# The object files, from the real assembler (`afterburn-as`, policy full).
REL_SOURCE = "\t.text\n\t.globl f\nf:\n\tpushf\n\tcli\n\tinb $0x60, %al\n\tret\n"
REL64_SOURCE = "\t.text\n\t.globl f\nf:\n\tpushfq\n\tcli\n\tswapgs\n\trdmsr\n\tret\n"
# A COMDAT group: a second .afterburn section in the group (docs/abi/site-record.md).
COMDAT_SOURCE = ("\t.text\n\t.globl f\nf:\n\tpushf\n\tret\n"
                 "\t.section .text.g,\"axG\",@progbits,g,comdat\n\t.globl g\ng:\n\tcli\n\tret\n")


def _assemble(asm, source, bits64):
    with tempfile.TemporaryDirectory() as d:
        s, o = pathlib.Path(d, "t.s"), pathlib.Path(d, "t.o")
        s.write_text(source)
        cmd = [asm, "--afterburn-policy=full", "-o", str(o), str(s)]
        if bits64:
            cmd.insert(1, "--64")
        else:
            cmd.insert(1, "--32")
        subprocess.run(cmd, check=True)
        return bytearray(o.read_bytes())


def _rel_sections(obj):
    """(is64, [(name, type, offset, size, link, info, entsize, header offset)])."""
    is64 = obj[4] == 2
    if is64:
        shoff, = struct.unpack_from("<Q", obj, 40)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", obj, 58)
    else:
        shoff, = struct.unpack_from("<I", obj, 32)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", obj, 46)
    secs = []
    for i in range(shnum):
        h = shoff + i * shentsize
        if is64:
            name, typ, _, _, off, size, link, info, _, ent = struct.unpack_from("<IIQQQQIIQQ", obj, h)
        else:
            name, typ, _, _, off, size, link, info, _, ent = struct.unpack_from("<10I", obj, h)
        secs.append([name, typ, off, size, link, info, ent, h])
    stroff = secs[shstrndx][2]
    for s in secs:
        s[0] = obj[stroff + s[0]:obj.index(b"\0", stroff + s[0])].decode()
    return is64, secs


def _reloc_for_afterburn(obj):
    """The relocation section for .afterburn: (is64, rela, offset, entsize)."""
    is64, secs = _rel_sections(obj)
    ab = [i for i, s in enumerate(secs) if s[0] == ".afterburn"][0]
    r = [s for s in secs if s[1] in (4, 9) and s[5] == ab][0]
    return is64, r[1] == 4, r[2], r[6], r


def object_cases(asm):
    c = [("rel32-comdat", 0, "OK", "OK,OK", bytes(_assemble(asm, COMDAT_SOURCE, False)))]
    for bits64, src, tag, n in ((False, REL_SOURCE, "rel32", 3), (True, REL64_SOURCE, "rel64", 4)):
        obj = _assemble(asm, src, bits64)
        ok = ",".join(["OK"] * n)
        c.append((tag, 0, "OK", ok, bytes(obj)))
        is64, rela, off, ent, sec = _reloc_for_afterburn(obj)

        # Symbol index out of range in the first record's relocation.
        bad = bytearray(obj)
        if is64:
            info, = struct.unpack_from("<Q", bad, off + 8)
            struct.pack_into("<Q", bad, off + 8, (0x7fff << 32) | (info & 0xffffffff))
        else:
            info, = struct.unpack_from("<I", bad, off + 4)
            struct.pack_into("<I", bad, off + 4, (0x7fff << 8) | (info & 0xff))
        c.append((f"{tag}-reloc-symidx", 1, "OK", "E_RELOC" + ok[2:], bytes(bad)))

        # A relocation type other than PC32 (R_*_32 / R_X86_64_64 is 1 in both ABIs).
        bad = bytearray(obj)
        struct.pack_into("<B", bad, off + (8 if is64 else 4), 1)
        c.append((f"{tag}-reloc-type", 1, "OK", "E_RELOC" + ok[2:], bytes(bad)))

        # No relocation at all for .afterburn: its sh_info names another section.
        bad = bytearray(obj)
        struct.pack_into("<I", bad, sec[7] + (44 if is64 else 28), 0)
        c.append((f"{tag}-no-reloc", 1, "OK", ",".join(["E_RELOC"] * n), bytes(bad)))

        # Relocation section with a wrong entry size: the section is malformed.
        bad = bytearray(obj)
        if is64:
            struct.pack_into("<Q", bad, sec[7] + 56, 7)
        else:
            struct.pack_into("<I", bad, sec[7] + 36, 7)
        c.append((f"{tag}-reloc-entsize", 2, "E_SITES", "-", bytes(bad)))
    return c


def compress(statuses):
    """OK,OK,E_X,E_X,E_X -> OK,OK,E_X,E_X,E_X (runs above 8 as S*N)."""
    if statuses == "-":
        return statuses
    out, items = [], statuses.split(",")
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and items[j] == items[i]:
            j += 1
        out += [f"{items[i]}*{j - i}"] if j - i > 8 else items[i:j]
        i = j
    return ",".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", nargs="?", default=str(ROOT / "tests" / "loader" / "malformed"))
    ap.add_argument("--as", dest="asm", default=str(pathlib.Path(
        os.environ.get("AB_BUILD", ROOT / "build")) / "bin" / "afterburn-as"))
    a = ap.parse_args()
    if not os.access(a.asm, os.X_OK):
        sys.exit(f"make_corpus: {a.asm} is missing (scripts/build, or --as PATH)")
    out = pathlib.Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.elf"):
        old.unlink()
    cases = linked_cases() + object_cases(a.asm)
    lines = ["# NAME EXIT LD_STATUS SITE_STATUSES -- written by tests/loader/make_corpus.py"]
    for name, ex, ld, sites, data in cases:
        (out / f"{name}.elf").write_bytes(data)
        lines.append(f"{name}.elf {ex} {ld} {compress(sites)}")
    (out / "EXPECTED").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
