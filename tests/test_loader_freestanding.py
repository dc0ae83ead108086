"""The loader, freestanding (loader/freestanding.cmake).

The loader's sources, compiled for i386 without libc, must need nothing
outside themselves, and the bare-metal proof image built from them must
load and patch the fixture guest for the fixture wedge in QEMU.  Also
checks the two fixtures the loader tests share: the wedge's export table
and the guest's .afterburn records.
"""
import os
import pathlib
import re
import struct
import subprocess

import pytest

import elfutil

pytestmark = pytest.mark.loader

PT_LOAD, PT_NOTE = 1, 4
PF_X = 1
XEN_ELFNOTE_PHYS32_ENTRY = 18
SHT_NOBITS = 8


@pytest.fixture(scope="module")
def built(root):
    """The path of a freestanding build output, which must exist."""
    out = pathlib.Path(os.environ.get("AB_BUILD", root / "build")) / "loader"

    def path(name):
        p = out / name
        if not p.exists():
            pytest.fail(f"{p} is missing: run scripts/build first")
        return p
    return path


def _phdrs(raw):
    """[(type, offset, vaddr, filesz, memsz, flags, align)] of an ELF32 file."""
    phoff, = struct.unpack_from("<I", raw, 28)
    phentsize, phnum = struct.unpack_from("<HH", raw, 42)
    out = []
    for i in range(phnum):
        t, off, va, _pa, fsz, msz, fl, al = struct.unpack_from("<8I", raw, phoff + i * phentsize)
        out.append((t, off, va, fsz, msz, fl, al))
    return out


def _notes(raw, off, size):
    """(owner, type, desc) of each note in [off, off+size)."""
    end, out = off + size, []
    while off + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", raw, off)
        name = raw[off + 12:off + 12 + namesz].rstrip(b"\0").decode("latin-1")
        doff = off + 12 + (namesz + 3) // 4 * 4
        out.append((name, ntype, raw[doff:doff + descsz]))
        off = doff + (descsz + 3) // 4 * 4
    return out


def _header_define(root, name):
    m = re.search(rf"#define\s+{name}\s+(0x[0-9a-fA-F]+|\d+)", (root / "abi" / "wedge.h").read_text())
    assert m, f"{name} not in abi/wedge.h"
    return int(m.group(1), 0)


def _kind_ids(root):
    """The ids of abi/kinds.def in order: kind k is ids[k - 1]."""
    return [m.group(1) for line in (root / "abi" / "kinds.def").read_text().splitlines()
            if (m := re.match(r"\s*KIND\(\s*(\w+)\s*,", line))]


def test_proof_image_is_elf32_i386_with_pvh_note(built):
    raw = built("loader-proof.elf").read_bytes()
    assert raw[:4] == b"\x7fELF" and raw[4] == 1, "not ELF32"
    assert struct.unpack_from("<HH", raw, 16) == (elfutil.ET_EXEC, elfutil.EM_386)
    phdrs = _phdrs(raw)
    pvh = [d for p in phdrs if p[0] == PT_NOTE for (owner, t, d) in _notes(raw, p[1], p[3])
           if owner == "Xen" and t == XEN_ELFNOTE_PHYS32_ENTRY]
    assert len(pvh) == 1, "no Xen PHYS32_ENTRY note in a PT_NOTE"
    entry, = struct.unpack("<I", pvh[0][:4])
    assert any(p[0] == PT_LOAD and p[5] & PF_X and p[2] <= entry < p[2] + p[3] for p in phdrs), \
        f"PVH entry {entry:#x} is not in executable code"


def test_freestanding_archive_needs_nothing_foreign(built):
    lib = built("libab_loader_i386.a")
    undef = subprocess.run(["nm", "-u", lib], capture_output=True, text=True, check=True).stdout
    defined = subprocess.run(["nm", "-g", "--defined-only", lib],
                             capture_output=True, text=True, check=True).stdout
    need = {l.split()[-1] for l in undef.splitlines() if re.match(r"^\s+[Uw] ", l)}
    have = {l.split()[-1] for l in defined.splitlines() if re.match(r"^[0-9a-fA-F]+ \w ", l)}
    assert need, "nm found no references at all: is this the loader archive?"
    assert need <= have, f"symbols from outside the archive: {sorted(need - have)}"
    # Its members are i386 objects.
    objdump = subprocess.run(["objdump", "-f", lib], capture_output=True, text=True, check=True).stdout
    formats = set(re.findall(r"file format (\S+)", objdump))
    assert formats == {"elf32-i386"}, formats


def test_proof_boots_and_succeeds(built):
    image = built("loader-proof.elf")
    cmd = ["qemu-system-i386", "-accel", "tcg", "-kernel", str(image), "-display", "none",
           "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    out = r.stdout.decode("latin-1").replace("\r", "")
    # isa-debug-exit: (v << 1) | 1, and the proof writes 0 on success.
    assert r.returncode == 1 and "Test result: SUCCESS" in out, \
        f"exit {r.returncode}\n{out}\n{r.stderr.decode('latin-1')}"
    assert "FAIL" not in out
    for target in ("bare", "l4", "trap"):
        assert f"target {target}:" in out


def test_wedge_fixture_exports_every_kind(root, built):
    elf = elfutil.parse(built("wedge-fixture.elf"))
    assert (elf.bits, elf.type, elf.machine) == (32, elfutil.ET_EXEC, elfutil.EM_386)
    sec = elf.section(".wedge_exports")
    assert sec is not None and sec.flags & elfutil.SHF_ALLOC
    sym = elf.symbol("__wedge_exports")
    assert sym is not None and sym.value == sec.addr
    magic, version, count, vcpu, vcpu_if, table, table_size = struct.unpack_from("<IHHIIII", sec.data)
    assert magic == _header_define(root, "AB_WEDGE_EXPORTS_MAGIC")
    assert version == _header_define(root, "AB_WEDGE_VERSION")
    ids = _kind_ids(root)
    n = len(ids)
    assert count == n and sec.size >= 24 + 8 * n

    bss = elf.section(".bss")
    assert bss is not None and bss.type == SHT_NOBITS
    in_bss = lambda a, size=1: bss.addr <= a and a + size <= bss.addr + bss.size
    assert vcpu % 4096 == 0 and in_bss(vcpu, 4096)
    assert vcpu <= vcpu_if < vcpu + 4096
    assert table % 16 == 0 and table_size == 512 * 1024 and in_bss(table, table_size)

    text = elf.section(".text")
    entries = []
    for i in range(n):
        kind, r0, r1, r2, entry = struct.unpack_from("<BBBBI", sec.data, 24 + 8 * i)
        assert (kind, r0, r1, r2) == (i + 1, 0, 0, 0), f"entry {i}"
        assert text.addr <= entry < text.addr + text.size
        assert text.data[entry - text.addr:entry - text.addr + 2] == b"\x0f\x0b", "not a ud2"
        entries.append(entry)
    assert len(set(entries)) == n
    # Each kind's entry is its own label, wedge_fixture_<ID>.
    for kind, kid in enumerate(ids, 1):
        s = elf.symbol("wedge_fixture_" + kid)
        assert s is not None and s.value == entries[kind - 1], kid


def test_guest_fixture_has_sites(built):
    elf = elfutil.parse(built("proof-guest.elf"))
    assert (elf.bits, elf.type, elf.machine) == (32, elfutil.ET_EXEC, elfutil.EM_386)
    sec = elf.section(".afterburn")
    assert sec is not None and sec.size and sec.size % elfutil.SITE_SIZE == 0
    start, end = elf.symbol("__afterburn_start"), elf.symbol("__afterburn_end")
    assert start and end and (start.value, end.value) == (sec.addr, sec.addr + sec.size)
    sites = elf.sites()
    text = elf.section(".text")
    assert all(s.version == 1 and s.section == text.index for s in sites)
    kinds = {s.kind_name for s in sites}
    classes = {elfutil.KIND_CLASSES[s.kind] for s in sites}
    assert classes == {"SILENT", "TRAPPING"}
    assert {"cli", "pushf", "popf", "cpuid", "in", "out", "mov-to-cr", "rdtsc", "iret"} <= kinds
    # A site in the second function, not only in the first.
    irqsave = elf.symbol("guest_irqsave")
    assert any(s.address >= irqsave.value for s in sites)
