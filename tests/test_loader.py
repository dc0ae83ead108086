"""afterburn patch on real Linux 6.1 vmlinux images (marker loader; the kernels come from
tests/test_linux.py's builds, made here if missing).

For each annotated kernel and each target:
  bare  the output is byte-identical to the input;
  l4    every valid site becomes the emitter of its kind: a call to the wedge's entry point
        for the kind (checked against the fixture wedge's export table), cli the inline
        `movb $0, vcpu_if`, rdtsc left native; the site table lists exactly the call sites,
        sorted, with the original instruction bytes;
  trap  silent sites as l4, trapping sites byte-identical;
and everywhere: no rejected record, no byte outside a patched site changed, the same input
gives the same output twice, and the statistics add up.
"""
import json
import os
import pathlib
import struct
import subprocess

import pytest

import elfutil

pytestmark = pytest.mark.loader

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build"))
WEDGE = BUILD / "loader" / "wedge-fixture.elf"
KERNELS = {
    "ab-full-gcc": ["--cc", "{cc} gcc", "--policy", "full"],
    "ab-full-clang": ["--llvm", "--cc", "{cc} clang", "--policy", "full"],
    "ab-minimal-gcc": ["--cc", "{cc} gcc", "--policy", "minimal"],
}
CLI, RDTSC = elfutil.KIND_BY_NAME["cli"], elfutil.KIND_BY_NAME["rdtsc"]


def _kernel(name):
    """The vmlinux of an annotated build: reuse build/linux/NAME, else build it (slow)."""
    vmlinux = BUILD / "linux" / name / "vmlinux"
    if not vmlinux.exists():
        args = [a.format(cc=BUILD / "bin" / "afterburn-cc") for a in KERNELS[name]]
        r = subprocess.run([str(ROOT / "guest-patches" / "linux-6.1" / "build"), "--name", name,
                            *args], cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0, f"building {name} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return vmlinux


def _segments(data):
    """PT_LOAD segments of an ELF32: (vaddr, offset, filesz)."""
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    segs = []
    for i in range(phnum):
        p_type, off, va, _pa, filesz, _memsz, _flags, _align = struct.unpack_from(
            "<8I", data, phoff + i * phentsize)
        if p_type == 1:
            segs.append((va, off, filesz))
    return segs


def _file_offset(segs, addr):
    for va, off, filesz in segs:
        if va <= addr < va + filesz:
            return off + addr - va
    raise AssertionError(f"0x{addr:x} is in no segment")


def _wedge_exports():
    """(entry by kind, vcpu_if) from the fixture wedge's .wedge_exports."""
    elf = elfutil.parse(WEDGE)
    sec = elf.section(".wedge_exports")
    raw = WEDGE.read_bytes()[sec.offset:sec.offset + sec.size]
    magic, version, count, _vcpu, vcpu_if, _st, _sts = struct.unpack_from("<IHHIIII", raw, 0)
    assert (magic, version) == (0x58574241, 1)
    entries = {}
    for i in range(count):
        kind, entry = struct.unpack_from("<B3xI", raw, 24 + 8 * i)
        entries[kind] = entry
    return entries, vcpu_if


def _patch(bindir, tmp_path, vmlinux, target, tag=""):
    out = tmp_path / f"{target}{tag}.elf"
    table = tmp_path / f"{target}{tag}.sites"
    cmd = [str(bindir / "afterburn"), "patch", "--target", target, str(vmlinux), "-o", str(out),
           "--json"]
    if target != "bare":
        cmd += ["--wedge", str(WEDGE), "--site-table", str(table)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{' '.join(cmd)}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return out, table, json.loads(r.stdout)


@pytest.fixture(scope="module")
def wedge():
    assert WEDGE.exists(), f"{WEDGE} is missing: scripts/build makes it (loader/freestanding.cmake)"
    return _wedge_exports()


@pytest.fixture(scope="module", params=list(KERNELS))
def kernel(request, bindir):
    vmlinux = _kernel(request.param)
    r = subprocess.run([str(bindir / "afterburn"), "patch", "--list", "--json", str(vmlinux)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    listing = json.loads(r.stdout)
    return vmlinux, listing


def test_list_matches_section(kernel):
    vmlinux, listing = kernel
    elf = elfutil.parse(vmlinux)
    records = elf.section(".afterburn").size // 12
    assert listing["records"] == records > 0
    assert listing["stats"]["rejected"] == 0
    assert all(s["status"] == "OK" for s in listing["sites"])
    addrs = [s["addr"] for s in listing["sites"]]
    assert addrs == sorted(addrs)


def test_bare_is_identical(bindir, tmp_path, kernel):
    vmlinux, listing = kernel
    out, _, res = _patch(bindir, tmp_path, vmlinux, "bare")
    assert out.read_bytes() == vmlinux.read_bytes()
    assert res["stats"]["patched"] == 0 and res["stats"]["left"] == listing["records"]


@pytest.mark.parametrize("target", ["l4", "trap"])
def test_patched_sites(bindir, tmp_path, kernel, wedge, target):
    vmlinux, listing = kernel
    entries, vcpu_if = wedge
    out, table, res = _patch(bindir, tmp_path, vmlinux, target)
    before, after = vmlinux.read_bytes(), out.read_bytes()
    assert len(before) == len(after)
    segs = _segments(before)
    st = res["stats"]
    assert st["rejected"] == 0 and st["patched"] + st["left"] == listing["records"]

    changed = bytearray(len(before))     # 1 where a patched site may differ
    calls = []
    for s in listing["sites"]:
        kind = elfutil.KIND_BY_NAME[s["kind"]]
        off = _file_offset(segs, s["addr"])
        old, new = before[off:off + s["len"]], after[off:off + s["len"]]
        silent = elfutil.KIND_CLASSES[kind] == "SILENT"
        if target == "trap" and not silent or kind == RDTSC:
            assert new == old, f"{s} should be left alone"
            continue
        if kind == CLI and s["len"] >= 7:
            assert new[:7] == b"\xc6\x05" + struct.pack("<I", vcpu_if) + b"\x00", s
        else:
            rel = (entries[kind] - (s["addr"] + 5)) & 0xFFFFFFFF
            assert new[:5] == b"\xe8" + struct.pack("<I", rel), s
            # the original instruction: after the padding for sti (kinds.def, pad)
            at = s["len"] - s["insn_len"] if elfutil.KIND_PAD_BEFORE[kind] else 0
            calls.append((s["addr"], kind, old[at:at + s["insn_len"]]))
        changed[off:off + s["len"]] = b"\x01" * s["len"]
    diff = [i for i in range(len(before)) if before[i] != after[i] and not changed[i]] \
        if before != after else []
    assert not diff, f"bytes outside sites changed, first at file offset 0x{diff[0]:x}"

    # The site table: exactly the call sites, sorted, with their original bytes.
    raw = table.read_bytes()
    magic, version, entsize, count, capacity = struct.unpack_from("<IHHII", raw, 0)
    assert (magic, version, entsize) == (0x53574241, 1, 32)
    assert count == len(calls) <= capacity
    for i, (addr, kind, insn) in enumerate(calls):
        e_addr, e_kind, _len, e_insn_len = struct.unpack_from("<IBBB", raw, 16 + 32 * i)
        e_insn = raw[16 + 32 * i + 12:16 + 32 * i + 12 + e_insn_len]
        assert (e_addr, e_kind, e_insn) == (addr, kind, insn)


def test_deterministic(bindir, tmp_path, kernel, wedge):
    vmlinux, _ = kernel
    a, ta, _ = _patch(bindir, tmp_path, vmlinux, "l4", "-a")
    b, tb, _ = _patch(bindir, tmp_path, vmlinux, "l4", "-b")
    assert a.read_bytes() == b.read_bytes() and ta.read_bytes() == tb.read_bytes()


def test_usage_errors(bindir, tmp_path):
    afterburn = str(bindir / "afterburn")
    for args, msg in [([], "no input file"), (["x"], "give --target"), (["--target", "l4", "x"], "need --wedge"),
                      (["--target", "nope", "x"], "unknown target"),
                      (["--list"], "no input file")]:
        r = subprocess.run([afterburn, "patch", *args], capture_output=True, text=True)
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)
    r = subprocess.run([afterburn, "patch", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--target" in r.stdout
    missing = tmp_path / "missing.elf"
    r = subprocess.run([afterburn, "patch", "--list", str(missing)], capture_output=True, text=True)
    assert r.returncode == 2 and "missing.elf" in r.stderr


def test_failed_write_leaves_nothing(bindir, tmp_path, kernel):
    vmlinux, _ = kernel
    out = tmp_path / "no-such-dir" / "out.elf"
    r = subprocess.run([str(bindir / "afterburn"), "patch", "--target", "bare", str(vmlinux),
                        "-o", str(out)], capture_output=True, text=True)
    assert r.returncode == 2 and not out.exists()
