"""A tiny ELF32/ELF64 little-endian reader for the tests (no pyelftools here).

It reads section headers, symbols, REL/RELA relocations and section groups,
and decodes the .afterburn site records (format v1, abi/site.h):

    int32 rel; u8 kind, len, insn_len, flags, op_a, op_b, width, modrm

`rel` is the site address minus the address of the field.  In a relocatable
object the field carries a PC-relative relocation (R_386_PC32 in-place,
R_X86_64_PC32 with an explicit addend), so the site is
symbol + addend; in a linked image it is the record's address + rel.
"""
import pathlib
import struct
from dataclasses import dataclass, field

SHT_SYMTAB, SHT_RELA, SHT_REL, SHT_GROUP = 2, 4, 9, 17
SHF_ALLOC, SHF_EXECINSTR, SHF_GROUP = 0x2, 0x4, 0x200
STT_SECTION = 3
SHN_UNDEF, SHN_ABS, SHN_COMMON = 0, 0xFFF1, 0xFFF2
GRP_COMDAT = 1

ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
EM_386, EM_X86_64 = 3, 62

# Relocation types that the site field may carry, and which are PC-relative.
R_386_32, R_386_PC32, R_386_PLT32 = 1, 2, 4
R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32, R_X86_64_32, R_X86_64_32S = 1, 2, 4, 10, 11
PCREL_386 = {R_386_PC32, R_386_PLT32}
PCREL_X86_64 = {R_X86_64_PC32, R_X86_64_PLT32}

SITE_SIZE = 12
SITE_MEM, SITE_IMM, SITE_REP, SITE_CODE64 = 0x01, 0x02, 0x04, 0x08

# Kind numbers are the order of abi/kinds.def, starting at 1.
_KINDS_DEF = pathlib.Path(__file__).resolve().parent.parent / "abi" / "kinds.def"


def _load_kinds():
    names, classes, lens, pad_before = {}, {}, {}, {}
    n = 0
    for line in _KINDS_DEF.read_text().splitlines():
        line = line.strip()
        if not line.startswith("KIND("):
            continue
        parts = [p.strip() for p in line[5:line.rindex(")")].split(",")]
        n += 1
        names[n] = parts[1].strip('"')
        classes[n] = parts[2]
        lens[n] = int(parts[3])
        pad_before[n] = len(parts) > 5 and parts[5] == "BEFORE"
    return names, classes, lens, pad_before


KIND_NAMES, KIND_CLASSES, KIND_SITE_LEN, KIND_PAD_BEFORE = _load_kinds()
KIND_BY_NAME = {v: k for k, v in KIND_NAMES.items()}


class ElfError(Exception):
    pass


@dataclass
class Section:
    index: int
    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    align: int
    entsize: int
    data: bytes = b""

    @property
    def exec(self):
        return bool(self.flags & SHF_EXECINSTR)


@dataclass
class Symbol:
    index: int
    name: str
    value: int
    size: int
    type: int
    bind: int
    shndx: int


@dataclass
class Reloc:
    offset: int      # in the section the relocations apply to
    type: int
    sym: Symbol
    addend: int      # explicit (RELA) or read in place (REL)
    explicit: bool


@dataclass
class Site:
    rec_section: int     # index of the .afterburn section holding the record
    rec_offset: int      # offset of the record in it
    section: int         # index of the section the site is in (None: unresolved)
    offset: int          # offset of the site in that section (or address, linked)
    kind: int
    len: int
    insn_len: int
    flags: int
    op_a: int
    op_b: int
    width: int
    modrm: int
    address: int = None  # linked images: the site's virtual address

    @property
    def kind_name(self):
        return KIND_NAMES.get(self.kind, f"?{self.kind}")

    @property
    def version(self):
        return self.flags >> 4


@dataclass
class Elf:
    path: str
    raw: bytes
    bits: int
    type: int
    machine: int
    sections: list = field(default_factory=list)

    # -- lookups ---------------------------------------------------------
    def section(self, name):
        """The first section called `name`, or None."""
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def sections_named(self, name):
        return [s for s in self.sections if s.name == name]

    def exec_sections(self):
        return [s for s in self.sections if s.exec and s.type != 8]  # not NOBITS

    def symbols(self):
        out = []
        for s in self.sections:
            if s.type == SHT_SYMTAB:
                out.extend(self._symbols(s))
        return out

    def symbol(self, name):
        for sym in self.symbols():
            if sym.name == name:
                return sym
        return None

    def _strtab(self, idx):
        return self.sections[idx].data

    def _symbols(self, symtab):
        strtab = self._strtab(symtab.link)
        out = []
        es = 16 if self.bits == 32 else 24
        for i in range(symtab.size // es):
            b = symtab.data[i * es:(i + 1) * es]
            if self.bits == 32:
                name, value, size, info, _other, shndx = struct.unpack("<IIIBBH", b)
            else:
                name, info, _other, shndx, value, size = struct.unpack("<IBBHQQ", b)
            out.append(Symbol(i, _cstr(strtab, name), value, size, info & 0xF, info >> 4, shndx))
        return out

    def relocations_for(self, target):
        """The relocations that apply to section `target` (a Section)."""
        out = []
        for rs in self.sections:
            if rs.type not in (SHT_REL, SHT_RELA) or rs.info != target.index:
                continue
            syms = self._symbols(self.sections[rs.link])
            rela = rs.type == SHT_RELA
            if self.bits == 32:
                es = 12 if rela else 8
            else:
                es = 24 if rela else 16
            for i in range(rs.size // es):
                b = rs.data[i * es:(i + 1) * es]
                if self.bits == 32:
                    if rela:
                        off, info, add = struct.unpack("<IIi", b)
                    else:
                        off, info = struct.unpack("<II", b)
                        add = None
                    sym, typ = info >> 8, info & 0xFF
                else:
                    if rela:
                        off, info, add = struct.unpack("<QQq", b)
                    else:
                        off, info = struct.unpack("<QQ", b)
                        add = None
                    sym, typ = info >> 32, info & 0xFFFFFFFF
                if add is None:
                    size = 8 if (self.bits == 64 and typ == R_X86_64_64) else 4
                    fmt = "<q" if size == 8 else "<i"
                    add = struct.unpack_from(fmt, target.data, off)[0]
                out.append(Reloc(off, typ, syms[sym], add, rela))
        out.sort(key=lambda r: r.offset)
        return out

    def groups(self):
        """[(signature symbol name, flags, [member section indices])]"""
        out = []
        for s in self.sections:
            if s.type != SHT_GROUP:
                continue
            words = struct.unpack("<%dI" % (s.size // 4), s.data)
            syms = self._symbols(self.sections[s.link])
            out.append((syms[s.info].name, words[0], list(words[1:])))
        return out

    def section_symbol_target(self, sym):
        """(section index, offset) of a defined symbol, or None."""
        if sym.shndx in (SHN_UNDEF, SHN_ABS, SHN_COMMON) or sym.shndx >= len(self.sections):
            return None
        return sym.shndx, sym.value

    def pcrel_types(self):
        return PCREL_386 if self.machine == EM_386 else PCREL_X86_64

    # -- .afterburn ------------------------------------------------------
    def sites(self):
        """Every record of every .afterburn section, with its site resolved."""
        out = []
        for s in self.sections:
            if s.name != ".afterburn":
                continue
            if s.size % SITE_SIZE:
                raise ElfError(f"{self.path}: {s.name} [{s.index}] size {s.size} is not a multiple of {SITE_SIZE}")
            relocs = {r.offset: r for r in self.relocations_for(s)} if self.type == ET_REL else {}
            for off in range(0, s.size, SITE_SIZE):
                rel, kind, ln, ilen, flags, a, b, w, m = struct.unpack_from("<iBBBBBBBB", s.data, off)
                site = Site(s.index, off, None, None, kind, ln, ilen, flags, a, b, w, m)
                if self.type == ET_REL:
                    r = relocs.get(off)
                    if r is None:
                        raise ElfError(f"{self.path}: record at {s.name}+{off:#x} has no relocation")
                    if r.type not in self.pcrel_types():
                        raise ElfError(f"{self.path}: record at {s.name}+{off:#x}: relocation type {r.type} is not PC-relative")
                    tgt = self.section_symbol_target(r.sym)
                    if tgt is None:
                        raise ElfError(f"{self.path}: record at {s.name}+{off:#x} points at undefined symbol {r.sym.name!r}")
                    # value = S + A - P, and the site is P + value = S + A.
                    site.section, site.offset = tgt[0], tgt[1] + r.addend
                else:
                    site.address = (s.addr + off + rel) & ((1 << self.bits) - 1)
                    sec = self.section_at(site.address)
                    if sec is not None:
                        site.section, site.offset = sec.index, site.address - sec.addr
                out.append(site)
        return out

    def section_at(self, addr):
        for s in self.sections:
            if s.flags & SHF_ALLOC and s.type != 8 and s.addr <= addr < s.addr + s.size:
                return s
        return None

    def read(self, section_index, offset, n):
        s = self.sections[section_index]
        return s.data[offset:offset + n]


def _cstr(b, off):
    end = b.find(b"\0", off)
    return b[off:end if end >= 0 else len(b)].decode("latin-1")


def parse(path_or_bytes, name=None):
    if isinstance(path_or_bytes, (bytes, bytearray)):
        raw, path = bytes(path_or_bytes), name or "<bytes>"
    else:
        path = str(path_or_bytes)
        raw = pathlib.Path(path).read_bytes()
    if raw[:4] != b"\x7fELF":
        raise ElfError(f"{path}: not an ELF file")
    cls, data = raw[4], raw[5]
    if data != 1:
        raise ElfError(f"{path}: not little-endian")
    if cls == 1:
        (etype, machine, _ver, _entry, _phoff, shoff, _flags, _ehsize, _phentsize, _phnum,
         shentsize, shnum, shstrndx) = struct.unpack_from("<HHIIIIIHHHHHH", raw, 16)
        bits = 32
    elif cls == 2:
        (etype, machine, _ver, _entry, _phoff, shoff, _flags, _ehsize, _phentsize, _phnum,
         shentsize, shnum, shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", raw, 16)
        bits = 64
    else:
        raise ElfError(f"{path}: bad ELF class {cls}")
    elf = Elf(path, raw, bits, etype, machine)
    hdrs = []
    for i in range(shnum):
        o = shoff + i * shentsize
        if bits == 32:
            h = struct.unpack_from("<IIIIIIIIII", raw, o)
        else:
            h = struct.unpack_from("<IIQQQQIIQQ", raw, o)
        hdrs.append(h)
    names = raw[hdrs[shstrndx][4]:hdrs[shstrndx][4] + hdrs[shstrndx][5]] if shnum else b""
    for i, (nm, typ, flags, addr, off, size, link, info, align, es) in enumerate(hdrs):
        data = raw[off:off + size] if typ != 8 else b""
        elf.sections.append(Section(i, _cstr(names, nm), typ, flags, addr, off, size, link,
                                    info, align, es, data))
    return elf


# -- disassembly through objdump ---------------------------------------------
import re
import subprocess

PREFIXES = {"rep", "repz", "repnz", "repe", "repne", "lock", "data16", "data32", "addr16",
            "addr32", "cs", "ds", "es", "ss", "fs", "gs", "notrack", "bnd", "rex", "rex.W",
            "xacquire", "xrelease"}


@dataclass
class Insn:
    addr: int
    raw: bytes
    text: str          # the whole instruction text as objdump prints it
    mnemonic: str      # without prefixes
    operands: str      # without the trailing "# ..." comment
    comment: str = ""

    @property
    def size(self):
        return len(self.raw)

    @property
    def end(self):
        return self.addr + len(self.raw)


_LINE = re.compile(r"^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$")
_HDR = re.compile(r"^Disassembly of section (.*):$")


def split_insn_text(text):
    comment = ""
    if "#" in text:
        text, comment = text.split("#", 1)
        comment = comment.strip()
    toks = text.split()
    i = 0
    while i < len(toks) and toks[i] in PREFIXES:
        i += 1
    mnem = toks[i] if i < len(toks) else (toks[-1] if toks else "")
    ops = " ".join(toks[i + 1:])
    return mnem, ops, comment


def objdump(path, extra=()):
    """[(section name, [Insn])] in objdump's order, every byte disassembled."""
    out = subprocess.run(["objdump", "-d", "-w", "-z", *extra, str(path)],
                         capture_output=True, text=True, check=True).stdout
    secs = []
    cur = None
    for line in out.splitlines():
        m = _HDR.match(line)
        if m:
            cur = []
            secs.append((m.group(1), cur))
            continue
        if cur is None:
            continue
        m = _LINE.match(line)
        if not m:
            continue
        raw = bytes.fromhex(m.group(2).replace(" ", ""))
        text = m.group(3).strip()
        if not text:
            # a continuation of the previous instruction's bytes
            if cur:
                cur[-1].raw += raw
            continue
        mnem, ops, comment = split_insn_text(text)
        cur.append(Insn(int(m.group(1), 16), raw, text, mnem, ops, comment))
    return secs


def objdump_by_section(elf):
    """{section index: [Insn]} for the executable sections of a parsed Elf."""
    secs = objdump(elf.path)
    pending = {}
    for s in elf.exec_sections():
        if s.size:
            pending.setdefault(s.name, []).append(s.index)
    result = {}
    for name, insns in secs:
        idxs = pending.get(name)
        if not idxs:
            raise ElfError(f"{elf.path}: objdump shows section {name!r} that the ELF reader does not")
        result[idxs.pop(0)] = insns
    return result


NOP_MNEMONICS = {"nop", "nopw", "nopl", "nopq", "xchg %ax,%ax", "fnop"}


def is_nop(insn):
    """A no-op as padding or alignment fill writes it."""
    if insn.mnemonic in ("nop", "nopw", "nopl", "nopq"):
        return True
    if insn.mnemonic == "xchg" and insn.operands in ("%ax,%ax", "%eax,%eax"):
        return True
    if insn.mnemonic == "lea" and re.fullmatch(r"0x0\((%[er]si)(,%[er]iz,1)?\),\1", insn.operands):
        return True
    if insn.mnemonic == "lea" and re.fullmatch(r"0x0\((%[er]di)(,%[er]iz,1)?\),\1", insn.operands):
        return True
    if insn.mnemonic == "mov" and insn.operands in ("%esi,%esi", "%edi,%edi"):
        return True
    return False


_SREG = r"%(cs|ds|es|fs|gs|ss)"


def kind_of(insn, bits=32):
    """The afterburn kind name of a disassembled instruction, or None.
    An independent classifier (by objdump's text) to check the records
    against; it mirrors DESIGN.md's list, not abi/decode.c."""
    m, ops = insn.mnemonic, insn.operands
    base = re.sub(r"[wlq]$", "", m)
    simple = {
        "pushf": "pushf", "popf": "popf", "iret": "iret", "sgdt": "sgdt", "sidt": "sidt",
        "sldt": "sldt", "str": "str", "smsw": "smsw", "lar": "lar", "lsl": "lsl",
        "verr": "verr", "verw": "verw", "lret": "lret", "ljmp": "ljmp", "lcall": "lcall",
        "cpuid": "cpuid", "cli": "cli", "sti": "sti", "hlt": "hlt", "lgdt": "lgdt",
        "lidt": "lidt", "lldt": "lldt", "ltr": "ltr", "lmsw": "lmsw", "clts": "clts",
        "invlpg": "invlpg", "invd": "invd", "wbinvd": "wbinvd", "rdmsr": "rdmsr",
        "wrmsr": "wrmsr", "rdpmc": "rdpmc", "sysenter": "sysenter", "sysexit": "sysexit",
        "swapgs": "swapgs", "syscall": "syscall", "sysret": "sysret", "rdtsc": "rdtsc",
        "lds": "load-far-ptr", "les": "load-far-ptr", "lfs": "load-far-ptr",
        "lgs": "load-far-ptr", "lss": "load-far-ptr",
    }
    for name in (m, base):
        if name in simple:
            return simple[name]
    aliases = {"iretd": "iret", "iretq": "iret", "iretw": "iret", "pushfd": "pushf",
               "popfd": "popf", "sysexitl": "sysexit", "sysexitq": "sysexit",
               "sysretl": "sysret", "sysretq": "sysret", "ljmpw": "ljmp", "ljmpl": "ljmp",
               "lcallw": "lcall", "lcalll": "lcall", "lretw": "lret", "lretl": "lret",
               "lretq": "lret"}
    if m in aliases:
        return aliases[m]
    if m == "in":
        return "in"
    if m == "out":
        return "out"
    if m in ("insb", "insw", "insl", "ins"):
        return "ins"
    if m in ("outsb", "outsw", "outsl", "outs"):
        return "outs"
    if base == "mov" or m == "mov":
        parts = _split_ops(ops)
        if len(parts) == 2:
            src, dst = parts
            if re.fullmatch(r"%cr\d+", src):
                return "mov-from-cr"
            if re.fullmatch(r"%cr\d+", dst):
                return "mov-to-cr"
            if re.fullmatch(r"%(db|dr)\d+", src):
                return "mov-from-dr"
            if re.fullmatch(r"%(db|dr)\d+", dst):
                return "mov-to-dr"
            if re.fullmatch(_SREG, src):
                return "mov-from-sreg" if src in ("%cs", "%ss") else None
            if re.fullmatch(_SREG, dst):
                return "mov-to-sreg" if dst != "%cs" else None
    if base == "push" and ops in ("%cs", "%ss") and bits == 32:
        return "push-sreg"
    if base == "pop" and re.fullmatch(_SREG, ops) and bits == 32:
        return "pop-sreg"
    if base == "pop" and ops in ("%fs", "%gs"):
        return "pop-sreg"
    return None


def _split_ops(ops):
    parts, depth, cur = [], 0, ""
    for c in ops:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    if cur:
        parts.append(cur)
    return [p.strip() for p in parts]


# -- the site checker shared by the tests -------------------------------------

def check_sites(elf, disasm=None):
    """Every record resolves to an instruction of its kind, followed by no-ops
    exactly up to site + len.  Returns [(site, insn)]."""
    disasm = disasm or objdump_by_section(elf)
    linked = elf.type != ET_REL
    out = []
    for s in elf.sites():
        assert s.version == 1, f"record {s} has version {s.version}"
        assert s.section is not None, f"record at .afterburn+{s.rec_offset:#x} points outside every section"
        sec = elf.sections[s.section]
        assert sec.exec, f"record at .afterburn+{s.rec_offset:#x} points into non-code section {sec.name}"
        where = s.address if linked else s.offset
        insns = disasm[s.section]
        by_addr = {i.addr: n for n, i in enumerate(insns)}
        assert where in by_addr, (f"{sec.name}+{s.offset:#x}: no instruction starts at the site "
                                  f"(record {s.kind_name})")
        n = by_addr[where]
        # sti's padding comes first (abi/kinds.def, pad BEFORE)
        if KIND_PAD_BEFORE.get(s.kind):
            start = where + s.len - s.insn_len
            while insns[n].addr < start:
                assert is_nop(insns[n]), (f"{sec.name}+{s.offset:#x}: '{insns[n].text}' in the "
                                          f"padding before the {s.kind_name}")
                n += 1
            assert insns[n].addr == start, f"{sec.name}+{s.offset:#x}: padding overruns the {s.kind_name}"
            where_insn = start
        else:
            where_insn = where
        insn = insns[n]
        got = kind_of(insn, elf.bits)
        assert got == s.kind_name, (f"{sec.name}+{s.offset:#x}: record says {s.kind_name}, "
                                    f"the bytes are '{insn.text}' ({got})")
        assert insn.size == s.insn_len, (f"{sec.name}+{s.offset:#x}: insn_len {s.insn_len} but "
                                         f"'{insn.text}' is {insn.size} bytes")
        expect_len = max(KIND_SITE_LEN[s.kind], s.insn_len)
        assert s.len == expect_len, f"{sec.name}+{s.offset:#x}: site len {s.len}, expected {expect_len}"
        assert insn.addr == where_insn
        pos = insn.end
        n += 1
        while pos < where + s.len:
            assert n < len(insns), f"{sec.name}+{s.offset:#x}: padding runs off the section"
            pad = insns[n]
            assert pad.addr == pos and is_nop(pad), (
                f"{sec.name}+{s.offset:#x}: byte {pos - where} of the {s.kind_name} site is "
                f"'{pad.text}', not a no-op")
            pos = pad.end
            n += 1
        assert pos == where + s.len, (f"{sec.name}+{s.offset:#x}: the last no-op ends at "
                                      f"{pos - where}, the site length is {s.len}")
        assert bool(s.flags & SITE_CODE64) == (elf.bits == 64), \
            f"{sec.name}+{s.offset:#x}: CODE64 flag {s.flags:#x} in a {elf.bits}-bit object"
        out.append((s, insn))
    return out
