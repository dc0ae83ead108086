"""afterburn patch on the malformed-ELF corpus (tests/loader/malformed/).

Each file breaks one thing (tests/loader/make_corpus.py says what); EXPECTED
gives the documented verdict: the exit status, the image-level code of enum
ab_ld_status and each record's enum ab_site_status.  Every file is listed
(--list --json) and patched for trap with the fixture wedge, under the
sanitizers when scripts/test made the ASan build: no crash, no sanitizer
report, no hang, and the documented codes with their documented numbers
(read from loader/loader.h).
"""
import json
import os
import pathlib
import re
import struct
import subprocess
import sys

import pytest

pytestmark = pytest.mark.loader

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "loader" / "malformed"
GENERATOR = ROOT / "tests" / "loader" / "make_corpus.py"
WEDGE = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build")) / "loader" / "wedge-fixture.elf"
# Generous: the ASan build on the 200,000-record file takes a few seconds.
TIMEOUT = 120


def _enum(prefix):
    """NAME -> number for enum ab_ld_status (AB_LD_) or ab_site_status (AB_SITE_)."""
    text = (ROOT / "loader" / "loader.h").read_text()
    return {m.group(1): int(m.group(2)) for m in re.finditer(rf"\b{prefix}(OK|E_\w+) = (\d+)", text)}


LD = _enum("AB_LD_")
SITE = _enum("AB_SITE_")


def _expand(statuses):
    """OK,E_X*3 -> [OK, E_X, E_X, E_X]; - -> []."""
    out = []
    for item in [] if statuses == "-" else statuses.split(","):
        name, _, count = item.partition("*")
        out += [name] * int(count or 1)
    return out


def _cases():
    out = []
    for line in (CORPUS / "EXPECTED").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, ex, ld, statuses = line.split()
            out.append(pytest.param(name, int(ex), ld, statuses, id=name))
    return out


CASES = _cases()


def _header(data):
    """(class 32/64, e_type) of an image, or None when it has no full ident."""
    if len(data) < 18 or data[:4] != b"\x7fELF":
        return None
    return (64 if data[4] == 2 else 32), struct.unpack_from("<H", data, 16)[0]


def _run(cmd):
    try:
        p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, errors="replace",
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer within {TIMEOUT} s: {' '.join(map(str, cmd))}")
    assert p.returncode >= 0, f"killed by signal {-p.returncode}:\n{p.stderr[-4000:]}"
    for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        assert bad not in p.stderr, f"sanitizer report:\n{p.stderr[-6000:]}"
    return p


def _image_error_lines(stderr, path):
    return re.findall(rf"^afterburn patch: {re.escape(str(path))}: (E_[A-Z_]+) \((\d+)\): .+$",
                      stderr, re.M)


def _rejected_lines(stderr, path):
    """{record: (status, number)} from `record N at ADDR (KIND): E_X (n): text` lines."""
    out = {}
    for m in re.finditer(rf"^afterburn patch: {re.escape(str(path))}: record (\d+) at .*: "
                         r"(E_[A-Z_]+) \((\d+)\): .+$", stderr, re.M):
        out[int(m.group(1))] = (m.group(2), int(m.group(3)))
    return out


def _check_image_error(p, path, ld):
    lines = _image_error_lines(p.stderr, path)
    assert lines == [(ld, str(LD[ld]))] and len(p.stderr.strip().splitlines()) == 1, \
        f"want exactly the line 'afterburn patch: {path}: {ld} ({LD[ld]}): ...', stderr:\n{p.stderr[-3000:]}"


def _check_rejected(p, path, want):
    got = _rejected_lines(p.stderr, path)
    bad = {i: s for i, s in enumerate(want) if s != "OK"}
    assert {i: s for i, (s, _) in got.items()} == bad, f"rejected records differ:\n{p.stderr[-3000:]}"
    assert all(n == SITE[s] for s, n in got.values())


def test_expected_covers_corpus():
    names = {c.values[0] for c in CASES}
    files = {f.name for f in CORPUS.glob("*.elf")}
    assert names == files, f"EXPECTED lists {sorted(names - files)} without a file; " \
                           f"files without a line: {sorted(files - names)}"
    for c in CASES:
        _, ex, ld, statuses = c.values
        assert ld in LD and all(s in SITE for s in _expand(statuses)), c.values
        assert (ex == 2) == (ld != "OK")


@pytest.mark.parametrize("name,ex,ld,statuses", CASES)
def test_list(bindir, name, ex, ld, statuses):
    path = CORPUS / name
    p = _run([bindir / "afterburn", "patch", "--list", "--json", path])
    assert p.returncode == ex, f"exit {p.returncode}, want {ex}:\n{p.stderr[-3000:]}"
    doc = json.loads(p.stdout)
    if ld != "OK":
        _check_image_error(p, path, ld)
        assert doc["error"] == ld and doc["code"] == LD[ld], doc
        return
    assert "error" not in doc, doc
    bits, etype = _header(path.read_bytes())
    img = doc["image"]
    assert img["class"] == bits and img["type"] == {1: "REL", 2: "EXEC", 3: "DYN"}[etype], img
    assert img["machine"] == {32: "i386", 64: "x86-64"}[bits], img
    want = _expand(statuses)
    assert doc["records"] == len(want) and len(doc["sites"]) == len(want)
    got = {s["record"]: s for s in doc["sites"]}
    assert [got[i]["status"] for i in range(len(want))] == want
    for s in doc["sites"]:
        assert s["outcome"] in ("none", "left-target") if s["status"] == "OK" else s["outcome"] == "none", s
    st = doc["stats"]
    assert st["records"] == len(want) and st["rejected"] == sum(s != "OK" for s in want), st
    _check_rejected(p, path, want)


def _file_offsets(data):
    """PT_LOADs of an ELF32 as (vaddr, offset, filesz)."""
    phoff, = struct.unpack_from("<I", data, 28)
    phnum, = struct.unpack_from("<H", data, 44)
    out = []
    for i in range(phnum):
        t, off, va, _, fs, _, _, _ = struct.unpack_from("<8I", data, phoff + 32 * i)
        if t == 1:
            out.append((va, off, fs))
    return out


def _site_file_ranges(data, sites):
    out = []
    for s in sites:
        for va, off, fs in _file_offsets(data):
            if va <= s["addr"] and s["addr"] + s["len"] <= va + fs:
                out.append(range(off + s["addr"] - va, off + s["addr"] - va + s["len"]))
                break
    return out


@pytest.mark.parametrize("name,ex,ld,statuses", CASES)
def test_patch_trap(bindir, tmp_path, name, ex, ld, statuses):
    if not WEDGE.exists():
        pytest.skip(f"{WEDGE} is missing (the wedge fixture is built with the loader tests)")
    path = CORPUS / name
    data = path.read_bytes()
    out = tmp_path / "out.elf"
    if ld == "OK" and _header(data) != (32, 2) and _header(data) != (32, 3):
        ex, ld = 2, "E_TARGET"         # ELF64 and object files are parsed and listed only
    p = _run([bindir / "afterburn", "patch", "--target", "trap", "--wedge", WEDGE, path, "-o", out])
    assert p.returncode == ex, f"exit {p.returncode}, want {ex}:\n{p.stderr[-3000:]}"
    if ld != "OK":
        _check_image_error(p, path, ld)
        assert not out.exists(), "an image-level error must not write OUT"
        return
    want = _expand(statuses)
    _check_rejected(p, path, want)
    # Rejected sites are untouched; only valid sites may change.
    patched = out.read_bytes()
    assert len(patched) == len(data)
    listing = json.loads(_run([bindir / "afterburn", "patch", "--list", "--json", path]).stdout)
    allowed = set()
    for r in _site_file_ranges(data, [s for s in listing["sites"] if s["status"] == "OK"]):
        allowed.update(r)
    changed = [i for i in range(len(data)) if data[i] != patched[i]]
    assert not [i for i in changed if i not in allowed], f"bytes outside valid sites changed: {changed[:20]}"
    if ex == 1:
        # --strict: nothing is written when a record is rejected.
        strict = tmp_path / "strict.elf"
        p = _run([bindir / "afterburn", "patch", "--target", "trap", "--wedge", WEDGE, "--strict",
                  path, "-o", strict])
        assert p.returncode == 1 and not strict.exists(), p.stderr[-3000:]


def test_generator_reproduces_corpus(bindir, tmp_path):
    """make_corpus.py writes exactly the committed files (run it again after changing it)."""
    out = tmp_path / "malformed"
    p = subprocess.run([sys.executable, GENERATOR, "--as", bindir / "afterburn-as", out],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    want = sorted(f.name for f in CORPUS.iterdir())
    got = sorted(f.name for f in out.iterdir())
    assert got == want
    differ = [n for n in want if (out / n).read_bytes() != (CORPUS / n).read_bytes()]
    assert not differ, f"regenerated files differ: {differ} (re-run {GENERATOR.relative_to(ROOT)})"
