"""afterburn verify: sites against code, on objects we assemble ourselves.

Every test object is written here in GNU as syntax (or C with inline
assembly for gcc -m32), with hand-made .afterburn records
(".long 1f - ." plus the record bytes), so these tests do not depend on
afterburn-as.  Kind numbers and classes come from abi/kinds.def.
"""
import functools
import json
import os
import pathlib
import random
import re
import subprocess
import tempfile

import pytest

pytestmark = pytest.mark.afterburner

ROOT = pathlib.Path(__file__).resolve().parent.parent
# As conftest.py: the ASan+UBSan build when scripts/test made one.  Not its
# bindir fixture, which needs afterburn-as: verify does not.
BUILD = pathlib.Path(os.environ.get("AB_BUILD_ASAN") or os.environ.get("AB_BUILD", ROOT / "build"))
AFTERBURN = BUILD / "bin" / "afterburn"


def _parse_kinds():
    kinds, num = {}, 0
    for line in (ROOT / "abi" / "kinds.def").read_text().splitlines():
        m = re.match(r'\s*KIND\(\s*(\w+),\s*"([^"]+)",\s*(\w+),\s*(\d+),\s*(\w+),\s*(\w+)\s*\)', line)
        if m:
            num += 1
            kinds[m.group(2)] = {"num": num, "cls": m.group(3).lower(), "site_len": int(m.group(4)),
                                 "pad_before": m.group(6) == "BEFORE"}
    return kinds


KINDS = _parse_kinds()

# The padding no-ops of abi/nops.c, longest first.
NOPS = {
    1: [0x90], 2: [0x66, 0x90], 3: [0x0F, 0x1F, 0x00], 4: [0x0F, 0x1F, 0x40, 0x00],
    5: [0x0F, 0x1F, 0x44, 0x00, 0x00], 6: [0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00],
    7: [0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00],
    8: [0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
}
MEM, IMM, REP, C64 = 0x01, 0x02, 0x04, 0x08

# One instruction per kind, with the record fields a correct site carries:
# (flags, op_a, op_b, width, modrm), as docs/abi and abi/decode.c define them.
INSNS_32 = {
    "pushf": ("pushfl", (0, 0, 0, 4, 0)),
    "popf": ("popfl", (0, 0, 0, 4, 0)),
    "iret": ("iret", (0, 0, 0, 4, 0)),
    "sgdt": ("sgdt (%eax)", (MEM, 0, 0, 0, 0x00)),
    "sidt": ("sidt (%eax)", (MEM, 0, 0, 0, 0x08)),
    "sldt": ("sldt %eax", (0, 0, 0, 0, 0xC0)),
    "str": ("str %eax", (0, 0, 0, 0, 0xC8)),
    "smsw": ("smsw %eax", (0, 0, 0, 0, 0xE0)),
    "lar": ("lar %ecx,%eax", (0, 0, 1, 4, 0xC1)),
    "lsl": ("lsl %ecx,%eax", (0, 0, 1, 4, 0xC1)),
    "verr": ("verr %ax", (0, 0, 0, 0, 0xE0)),
    "verw": ("verw %ax", (0, 0, 0, 0, 0xE8)),
    "mov-from-sreg": ("mov %cs,%eax", (0, 1, 0, 2, 0xC8)),
    "push-sreg": ("push %cs", (0, 1, 0, 0, 0)),
    "lret": ("lret", (0, 0, 0, 4, 0)),
    "ljmp": ("ljmp $0x10,$0", (IMM, 0x10, 0, 4, 0)),
    "lcall": ("lcall $0x10,$0", (IMM, 0x10, 0, 4, 0)),
    "cpuid": ("cpuid", (0, 0, 0, 0, 0)),
    "cli": ("cli", (0, 0, 0, 0, 0)),
    "sti": ("sti", (0, 0, 0, 0, 0)),
    "hlt": ("hlt", (0, 0, 0, 0, 0)),
    "in": ("in $0x60,%al", (IMM, 0x60, 0, 1, 0)),
    "out": ("out %al,$0x80", (IMM, 0x80, 0, 1, 0)),
    "ins": ("rep insl", (REP, 0, 0, 4, 0)),
    "outs": ("outsb", (0, 0, 0, 1, 0)),
    "mov-to-cr": ("mov %eax,%cr3", (0, 3, 0, 4, 0xD8)),
    "mov-from-cr": ("mov %cr3,%eax", (0, 3, 0, 4, 0xD8)),
    "mov-to-dr": ("mov %eax,%db7", (0, 7, 0, 4, 0xF8)),
    "mov-from-dr": ("mov %db7,%eax", (0, 7, 0, 4, 0xF8)),
    "lgdt": ("lgdt (%eax)", (MEM, 0, 0, 0, 0x10)),
    "lidt": ("lidt (%eax)", (MEM, 0, 0, 0, 0x18)),
    "lldt": ("lldt %ax", (0, 0, 0, 0, 0xD0)),
    "ltr": ("ltr %ax", (0, 0, 0, 0, 0xD8)),
    "lmsw": ("lmsw %ax", (0, 0, 0, 0, 0xF0)),
    "clts": ("clts", (0, 0, 0, 0, 0)),
    "invlpg": ("invlpg (%eax)", (MEM, 0, 0, 0, 0x38)),
    "invd": ("invd", (0, 0, 0, 0, 0)),
    "wbinvd": ("wbinvd", (0, 0, 0, 0, 0)),
    "rdmsr": ("rdmsr", (0, 0, 0, 0, 0)),
    "wrmsr": ("wrmsr", (0, 0, 0, 0, 0)),
    "rdpmc": ("rdpmc", (0, 0, 0, 0, 0)),
    "sysenter": ("sysenter", (0, 0, 0, 0, 0)),
    "sysexit": ("sysexit", (0, 0, 0, 0, 0)),
    "mov-to-sreg": ("mov %eax,%ds", (0, 3, 0, 2, 0xD8)),
    "pop-sreg": ("pop %ds", (0, 3, 0, 0, 0)),
    "load-far-ptr": ("lds (%esi),%eax", (MEM, 3, 0, 4, 0x06)),
    "syscall": ("syscall", (0, 0, 0, 0, 0)),
    "sysret": ("sysret", (0, 0, 0, 0, 0)),
    "rdtsc": ("rdtsc", (0, 0, 0, 0, 0)),
}
# The context kinds (class context): plain memory movs that a rule annotated
# (docs/abi/rules.md); no opcode pattern makes them sensitive, so they are never
# uncovered, but a site of one is checked like any other (abi/memop.c).
CONTEXT_32 = {
    "dev-write": ("mov %eax,(%ebx)", (MEM, 0, 0, 4, 0x03)),
    "dev-read": ("mov 0x10(%ebx),%ecx", (MEM, 1, 0, 4, 0x4B)),
}
INSNS_64 = {
    "swapgs": ("swapgs", (C64, 0, 0, 0, 0xF8)),
    "syscall": ("syscall", (C64, 0, 0, 0, 0)),
    "sysret": ("sysretq", (C64, 0, 0, 0, 0)),
    "pushf": ("pushfq", (C64, 0, 0, 8, 0)),
    "iret": ("iretq", (C64, 0, 0, 8, 0)),
    "mov-to-cr": ("mov %rax,%cr3", (C64, 3, 0, 8, 0xD8)),
    "lgdt": ("lgdt (%rax)", (C64 | MEM, 0, 0, 0, 0x10)),
    "cpuid": ("cpuid", (C64, 0, 0, 0, 0)),
}


# ---------------------------------------------------------------- helpers

@pytest.fixture(scope="session")
def afterburn():
    if not AFTERBURN.exists():
        pytest.fail(f"{AFTERBURN} is missing: run scripts/build first")
    return AFTERBURN


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120, **kw)


def check_run(cmd):
    p = run(cmd)
    assert p.returncode == 0, f"{cmd}: {p.stderr}"
    return p


def assemble(tmp_path, src, bits=32, name="t"):
    s = tmp_path / f"{name}.s"
    o = tmp_path / f"{name}.o"
    s.write_text(src)
    check_run(["as", f"--{bits}", "-o", o, s])
    return o


def link(tmp_path, obj, bits=32, name="t", extra=()):
    exe = tmp_path / f"{name}.elf"
    emul = "elf_i386" if bits == 32 else "elf_x86_64"
    check_run(["ld", "-m", emul, "-static", "-e", "f", "-Ttext=0x100000", *extra, "-o", exe, obj])
    return exe


@functools.lru_cache(maxsize=None)
def insn_bytes(text, bits=32):
    """The bytes GNU as assembles text into."""
    with tempfile.TemporaryDirectory() as d:
        d = pathlib.Path(d)
        o = assemble(d, f"\t.text\n\t{text}\n", bits)
        check_run(["objcopy", "-O", "binary", "-j", ".text", o, d / "t.bin"])
        return tuple((d / "t.bin").read_bytes())


def nops(n):
    out = []
    while n:
        k = min(n, 8)
        out += NOPS[k]
        n -= k
    return out


def byte_line(bs):
    return "\t.byte " + ", ".join(f"0x{b:02x}" for b in bs) + "\n" if bs else ""


def rec(label, kind, length, insn_len, fields=(0, 0, 0, 0, 0), version=1):
    """A site record; kind is a name from kinds.def or a raw number."""
    k = KINDS[kind]["num"] if isinstance(kind, str) else kind
    flags, op_a, op_b, width, modrm = fields
    return (f"\t.long {label} - .\n"
            f"\t.byte {k}, {length}, {insn_len}, {(version << 4) | flags}, "
            f"{op_a}, {op_b}, {width}, {modrm}\n")


def site(label, kind, text, fields, bits=32, length=None):
    """(code, record) for a correct site: the instruction padded with no-ops."""
    b = list(insn_bytes(text, bits))
    n = length or max(KINDS[kind]["site_len"], len(b))
    body = nops(n - len(b)) + b if KINDS[kind]["pad_before"] else b + nops(n - len(b))
    return f"{label}:\n" + byte_line(body), rec(label, kind, n, len(b), fields)


def func(name, body, section=".text", flags='"ax",@progbits'):
    return (f"\t.section {section},{flags}\n\t.globl {name}\n\t.type {name},@function\n"
            f"{name}:\n{body}\tret\n\t.size {name},.-{name}\n")


def records(recs, section='.afterburn,"a",@progbits'):
    return f"\t.section {section}\n\t.balign 4\n" + "".join(recs)


def verify(afterburn, path, *args):
    p = run([afterburn, "verify", *args, path])
    assert "Sanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    assert p.returncode in (0, 1, 2), (p.returncode, p.stderr)
    return p


def verify_json(afterburn, path, *args):
    p = verify(afterburn, path, "--json", *args)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)


PUSHF = ("pushf", "pushfl", INSNS_32["pushf"][1])


# ---------------------------------------------------------------- the command

def test_help_and_version(afterburn):
    p = run([afterburn, "--help"])
    assert p.returncode == 0 and "verify" in p.stdout
    p = run([afterburn, "--version"])
    assert p.returncode == 0 and re.match(r"afterburn \d+\.\d+", p.stdout)
    p = run([afterburn, "verify", "--help"])
    assert p.returncode == 0 and "--exclude-symbol" in p.stdout and "--json" in p.stdout
    assert run([afterburn]).returncode == 2
    p = run([afterburn, "no-such-command"])
    assert p.returncode == 2 and "unknown command" in p.stderr


def test_usage_and_input_errors(afterburn, tmp_path):
    obj = assemble(tmp_path, func("f", "\tnop\n"))
    cases = {
        (): "no ELF file",
        (obj, obj): "more than one",
        ("--bogus", obj): "unknown option",
        ("--exclude-symbol",): "missing argument",
        (tmp_path / "missing.o",): "No such file",
    }
    text = tmp_path / "text.o"
    text.write_text("not an elf\n")
    cases[(text,)] = "not an ELF"
    data = bytearray(obj.read_bytes())
    arm = tmp_path / "arm.o"
    arm.write_bytes(data[:18] + (40).to_bytes(2, "little") + data[20:])   # EM_ARM
    cases[(arm,)] = "not an x86 ELF"
    core = tmp_path / "core.o"
    core.write_bytes(data[:16] + (4).to_bytes(2, "little") + data[18:])   # ET_CORE
    cases[(core,)] = "e_type"
    for args, msg in cases.items():
        p = run([afterburn, "verify", *args])
        assert p.returncode == 2, (args, p.stdout, p.stderr)
        assert msg in p.stderr, (args, p.stderr)
        assert "Sanitizer" not in p.stderr


# ---------------------------------------------------------------- classification

def test_every_kind_is_recognised_uncovered(afterburn, tmp_path):
    assert set(INSNS_32) | set(INSNS_64) | set(CONTEXT_32) == set(KINDS), \
        "a kind in kinds.def has no test instruction"
    assert {k for k in KINDS if KINDS[k]["cls"] == "context"} == set(CONTEXT_32)
    names = list(INSNS_32)
    # The memory movs of the context kinds are in the code too: never uncovered.
    body = "".join(f"\t{INSNS_32[k][0]}\n" for k in names) + \
        "".join(f"\t{t}\n" for t, _ in CONTEXT_32.values())
    rc, d = verify_json(afterburn, assemble(tmp_path, func("f", body)))
    assert rc == 1
    assert [u["kind"] for u in d["uncovered"]] == names
    for u in d["uncovered"]:
        assert u["class"] == KINDS[u["kind"]]["cls"]
        assert u["symbol"] == "f" and u["section"] == ".text"
    assert d["totals"]["uncovered_silent"] == sum(KINDS[k]["cls"] == "silent" for k in names)
    assert d["totals"]["sites"] == 0 and d["bad_sites"] == []
    assert d["totals"]["skipped_bytes"] == 0


def test_every_kind_annotated_passes(afterburn, tmp_path):
    code, recs = [], []
    for i, (kind, (text, fields)) in enumerate([*INSNS_32.items(), *CONTEXT_32.items()]):
        c, r = site(f"s{i}", kind, text, fields)
        code.append(c)
        recs.append(r)
    obj = assemble(tmp_path, func("f", "".join(code)) + records(recs))
    rc, d = verify_json(afterburn, obj)
    assert d["bad_sites"] == [] and d["uncovered"] == [], (d["bad_sites"], d["uncovered"])
    assert rc == 0
    for kind in [*INSNS_32, *CONTEXT_32]:
        assert d["sites"][kind] == 1, kind
    # covered counts sensitive instructions; the context sites are sites all the same
    assert d["totals"]["sites"] == len(INSNS_32) + len(CONTEXT_32)
    assert d["totals"]["covered"] == len(INSNS_32)
    assert d["sites_by_class"]["context"] == len(CONTEXT_32)
    assert sum(d["sites_by_class"].values()) == d["totals"]["sites"]
    assert d["result"] == "pass"
    p = verify(afterburn, obj)
    assert re.search(r"dev-write\s+context\s+1", p.stdout), p.stdout


@pytest.mark.parametrize("kind,text,fields,reason,detail", [
    ("dev-read", "mov %eax,(%ebx)", (MEM, 0, 0, 4, 0x03), "instruction", "a store, not a load"),
    ("dev-write", "mov 0x10(%ebx),%ecx", (MEM, 1, 0, 4, 0x4B), "instruction", "a load, not a store"),
    ("dev-write", "add %eax,(%ebx)", (MEM, 0, 0, 4, 0x03), "instruction", "not a plain memory mov"),
    ("dev-write", "cli", (0, 0, 0, 0, 0), "instruction", "not a plain memory mov"),
    ("dev-write", "mov %eax,(%ebx)", (MEM, 2, 0, 4, 0x03), "operands", "op_a"),
], ids=["store-as-read", "load-as-write", "add", "cli", "operands"])
def test_context_site_checked(afterburn, tmp_path, kind, text, fields, reason, detail):
    c, r = site("s", kind, text, fields, length=5)
    rc, d = verify_json(afterburn, assemble(tmp_path, func("f", c) + records([r])))
    assert rc == 1 and [b["reason"] for b in d["bad_sites"]] == [reason], d["bad_sites"]
    assert detail in d["bad_sites"][0]["detail"], d["bad_sites"]


def test_x86_64_object_and_executable(afterburn, tmp_path):
    code, recs = [], []
    for i, (kind, (text, fields)) in enumerate(INSNS_64.items()):
        c, r = site(f"s{i}", kind, text, fields, bits=64)
        code.append(c)
        recs.append(r)
    src = func("f", "".join(code) + "\tpopfq\n") + records(recs)
    obj = assemble(tmp_path, src, bits=64)
    for path in (obj, link(tmp_path, obj, bits=64)):
        rc, d = verify_json(afterburn, path)
        assert d["elf"]["class"] == "ELF64" and d["elf"]["machine"] == "x86-64"
        assert d["bad_sites"] == [], d["bad_sites"]
        assert [u["kind"] for u in d["uncovered"]] == ["popf"]
        assert rc == 1
        for kind in INSNS_64:
            assert d["sites"][kind] == 1


def test_uncovered_names_symbol_and_offset(afterburn, tmp_path):
    obj = assemble(tmp_path, func("f", "\tnop\n") + func("g", "\tnop\n\tnop\n\tpopfl\n"))
    rc, d = verify_json(afterburn, obj)
    assert rc == 1
    (u,) = d["uncovered"]
    assert (u["kind"], u["class"], u["symbol"], u["offset"]) == ("popf", "silent", "g", 2)
    assert u["insn"].startswith("popf")
    p = verify(afterburn, obj)
    assert p.returncode == 1 and "g+0x2" in p.stdout and "FAIL" in p.stdout


def test_trapping_do_not_fail(afterburn, tmp_path):
    rc, d = verify_json(afterburn, assemble(tmp_path, func("f", "\tcli\n\trdtsc\n")))
    assert rc == 0 and d["result"] == "pass"
    assert d["totals"]["uncovered_trapping"] == 2 and d["totals"]["uncovered_silent"] == 0


def test_gcc_compiled_code_with_inline_sites(afterburn, tmp_path):
    """Compiler output has no data in .text: the sweep stays in sync."""
    k = KINDS["pushf"]["num"]
    src = tmp_path / "c.c"
    src.write_text(r"""
#define SITE_PUSHF(x) asm volatile("1: pushfl\n\t.byte 0x0f,0x1f,0x40,0x00\n\t"      \
    ".pushsection .afterburn,\"a\"\n\t.long 1b - .\n\t"                           \
    ".byte %c1, 5, 1, 0x10, 0, 0, 4, 0\n\t.popsection\n\tpopl %0" : "=r"(x) : "i"(KIND))
unsigned long flags(void) { unsigned long x; SITE_PUSHF(x); return x; }
int sw(int a, int b)
{
    switch (a) {
    case 0: return b + 1; case 1: return b * 3; case 2: return b - 7; case 3: return b << 2;
    case 4: return b ^ 5; case 5: return b / 3; case 6: return b % 11; default: return 0;
    }
}
static inline unsigned long twice(void) { unsigned long x; SITE_PUSHF(x); return x; }
unsigned long both(int n) { unsigned long s = 0; for (int i = 0; i < n; i++) s += twice() + sw(i, n); return s; }
""".replace("KIND", str(k)))
    obj = tmp_path / "c.o"
    check_run(["gcc", "-m32", "-O2", "-fno-pic", "-ffunction-sections", "-c", "-o", obj, src])
    rc, d = verify_json(afterburn, obj)
    assert rc == 0 and d["bad_sites"] == [] and d["uncovered"] == []
    assert d["sites"]["pushf"] == d["totals"]["covered"] >= 2
    assert d["totals"]["skipped_bytes"] == 0 and d["totals"]["resyncs"] == 0
    # -ffunction-sections: one code section per function, all swept.
    assert d["totals"]["code_sections"] >= 3


def test_resync_after_data_in_code(afterburn, tmp_path):
    """A stray 0x0f swallows the next byte; the function symbol restores sync."""
    src = func("f", "\tnop\n") + "\t.byte 0x0f\n" + func("g", "\tpopfl\n")
    rc, d = verify_json(afterburn, assemble(tmp_path, src))
    assert rc == 1
    assert [(u["kind"], u["symbol"], u["offset"]) for u in d["uncovered"]] == [("popf", "g", 0)]
    assert d["totals"]["resyncs"] == 1


# ---------------------------------------------------------------- site records

def test_linked_executable_addresses(afterburn, tmp_path):
    c, r = site("s0", *PUSHF)
    obj = assemble(tmp_path, func("f", c + "\tnop\n\tpopfl\n") + records([r]))
    exe = link(tmp_path, obj)
    nm = [line.split() for line in check_run(["nm", exe]).stdout.splitlines()]
    f_addr = {w[2]: int(w[0], 16) for w in nm if len(w) == 3}["f"]
    for extra in ((), ("--emit-relocs",)):
        exe = link(tmp_path, obj, extra=extra)
        rc, d = verify_json(afterburn, exe)
        assert d["elf"]["type"] == "ET_EXEC"
        assert d["bad_sites"] == [], d["bad_sites"]
        assert d["sites"]["pushf"] == 1 and d["totals"]["covered"] == 1
        (u,) = d["uncovered"]
        assert u["address"] == hex(f_addr + 6) and (u["symbol"], u["offset"]) == ("f", 6)
        assert rc == 1


def test_comdat_groups_each_with_afterburn(afterburn, tmp_path):
    parts = []
    for name in ("f", "g", "h"):
        c, r = site(f"site_{name}", *PUSHF)
        if name == "f":
            parts.append(func(name, c) + records([r]))
            continue
        parts.append(func(name, c, section=f".text.{name}", flags=f'"axG",@progbits,{name},comdat'))
        parts.append(records([r], section=f'.afterburn,"aG",@progbits,{name},comdat'))
    obj = assemble(tmp_path, "".join(parts))
    sections = check_run(["readelf", "-SW", obj]).stdout
    assert sections.count(" .afterburn ") == 3 and sections.count(".rel.afterburn") == 3
    rc, d = verify_json(afterburn, obj)
    assert rc == 0 and d["bad_sites"] == [] and d["uncovered"] == []
    assert d["sites"]["pushf"] == 3 == d["totals"]["covered"]


def bad(kind_text_fields, label="s0", **over):
    """An object whose one site is broken as `over` says."""
    kind, text, fields = kind_text_fields
    b = list(insn_bytes(text))
    length = over.get("length", 5)
    code = over.get("code", f"{label}:\n" + byte_line(b + nops(length - len(b))))
    r = rec(over.get("target", label), over.get("kind", kind), length,
            over.get("insn_len", len(b)), over.get("fields", fields), over.get("version", 1))
    return func("f", code + "\tnop\n") + over.get("extra", "") + records([r] + over.get("more", []))


# problem: (the reason verify reports, how the site is broken)
BAD_SITES = {
    "version": ("version", dict(version=2)),
    "unknown-kind": ("kind", dict(kind=200)),
    "wrong-kind": ("instruction", dict(kind="popf")),
    "wrong-insn-len": ("instruction", dict(insn_len=2)),
    "not-padding": ("padding", dict(code="s0:\n" + byte_line([0x9C, 0xC3, 0x90, 0x90, 0x90]))),
    "insn-longer-than-site": ("length", dict(insn_len=6)),
    "in-data": ("outside-code", dict(target="d0", extra="\t.data\nd0:\t.long 0\n")),
    "past-section-end": ("outside-code", dict(code="\tnop\n", extra="\t.text\ns0:\tpushfl\n")),
    "overlap": ("overlap", dict(more=[rec("s0", "pushf", 5, 1, PUSHF[2])])),
    "operands": ("operands", dict(fields=(0, 0, 0, 2, 0))),
    "absolute-reloc": ("unplaced", dict(more=["\t.long s0\n\t.byte 1, 5, 1, 0x10, 0, 0, 4, 0\n"])),
    "truncated": ("unplaced", dict(more=["\t.byte 1, 2\n"])),
}


@pytest.mark.parametrize("problem", list(BAD_SITES))
def test_bad_site(afterburn, tmp_path, problem):
    reason, how = BAD_SITES[problem]
    obj = assemble(tmp_path, bad(PUSHF, **how))
    rc, d = verify_json(afterburn, obj)
    assert rc == 1 and d["result"] == "fail"
    assert reason in [b["reason"] for b in d["bad_sites"]], d["bad_sites"]
    assert d["totals"]["bad_sites"] >= 1
    for b in d["bad_sites"]:
        assert b["record"]["section"] == ".afterburn" and b["detail"]
    # The table names the problem too.
    p = verify(afterburn, obj)
    assert p.returncode == 1 and reason in p.stdout


def test_unplaced_record_names_relocation(afterburn, tmp_path):
    obj = assemble(tmp_path, bad(PUSHF, **BAD_SITES["absolute-reloc"][1]))
    _, d = verify_json(afterburn, obj)
    (b,) = [b for b in d["bad_sites"] if b["reason"] == "unplaced"]
    assert "PC32" in b["detail"] and b["address"] is None


# ---------------------------------------------------------------- exclusions

def test_altinstr_replacement_is_excluded(afterburn, tmp_path):
    src = func("f", "\tnop\n") + '\t.section .altinstr_replacement,"ax",@progbits\n\tpopfl\n\tcli\n'
    rc, d = verify_json(afterburn, assemble(tmp_path, src))
    assert rc == 0 and d["uncovered"] == []
    assert [(x["kind"], x["excluded_by"]["type"]) for x in d["excluded"]] == [
        ("popf", "altinstr"), ("cli", "altinstr")]
    assert d["exclusions"][0]["hits"] == 2 and d["totals"]["excluded"] == 2


def test_discard_is_excluded(afterburn, tmp_path):
    src = func("f", "\tnop\n") + '\t.section .discard.text,"ax",@progbits\n\tpopfl\n'
    rc, d = verify_json(afterburn, assemble(tmp_path, src))
    assert rc == 0 and d["uncovered"] == []
    assert [(x["kind"], x["excluded_by"]["type"]) for x in d["excluded"]] == [("popf", "discard")]


def test_code16_is_excluded(afterburn, tmp_path):
    src = func("f", "\tnop\n") + '\t.section .text16,"ax",@progbits\n\t.code16\n\tpushfw\n\tlretw\n\t.code32\n'
    rc, d = verify_json(afterburn, assemble(tmp_path, src))
    assert rc == 0 and d["uncovered"] == []
    assert {x["excluded_by"]["type"] for x in d["excluded"]} == {"code16"}
    assert d["totals"]["excluded"] == 2


def test_exclude_symbol_and_section_options(afterburn, tmp_path):
    src = (func("f", "\tnop\n") + func("bad_fn", "\tnop\n\tpopfl\n")
           + func("other", "\tpushfl\n", section=".text.special"))
    obj = assemble(tmp_path, src)
    rc, d = verify_json(afterburn, obj)
    assert rc == 1 and d["totals"]["uncovered_silent"] == 2
    rc, d = verify_json(afterburn, obj, "--exclude-symbol", "bad_fn")
    assert rc == 1 and [u["kind"] for u in d["uncovered"]] == ["pushf"]
    rc, d = verify_json(afterburn, obj, "--exclude-symbol", "bad_*", "--exclude-section", ".text.spec*")
    assert rc == 0 and d["uncovered"] == []
    assert sorted(x["excluded_by"]["type"] for x in d["excluded"]) == ["section", "symbol"]
    hits = {(x["type"], x["pattern"]): x["hits"] for x in d["exclusions"]}
    assert hits[("symbol", "bad_*")] == 1 and hits[("section", ".text.spec*")] == 1
    p = verify(afterburn, obj, "--exclude-symbol", "bad_fn", "--exclude-symbol", "other")
    assert p.returncode == 0 and "excluded" in p.stdout


# ---------------------------------------------------------------- output

def test_text_and_quiet_output(afterburn, tmp_path):
    c, r = site("s0", *PUSHF)
    obj = assemble(tmp_path, func("f", c + "\tcli\n") + records([r]))
    p = verify(afterburn, obj)
    assert p.returncode == 0
    for heading in ("sites by kind:", "uncovered sensitive instructions: 1", "excluded",
                    "bad sites: 0", "summary:", "result: PASS"):
        assert heading in p.stdout, heading
    assert re.search(r"^\s+pushf\s+silent\s+1$", p.stdout, re.M)
    q = verify(afterburn, obj, "--quiet")
    lines = q.stdout.splitlines()
    assert q.returncode == 0 and len(lines) == 2
    assert lines[0].startswith("summary: sites 1 (bad 0)") and lines[1] == "result: PASS"


def test_json_schema(afterburn, tmp_path):
    rc, d = verify_json(afterburn, assemble(tmp_path, func("f", "\tpopfl\n")))
    assert set(d) >= {"file", "elf", "result", "sites", "totals", "uncovered", "excluded",
                      "bad_sites", "exclusions"}
    assert set(d["sites"]) == set(KINDS)
    assert set(d["totals"]) >= {"sites", "bad_sites", "sensitive", "covered", "uncovered",
                                "uncovered_silent", "uncovered_trapping",
                                "excluded", "instructions", "skipped_bytes", "resyncs"}
    (u,) = d["uncovered"]
    assert set(u) >= {"class", "kind", "address", "symbol", "offset", "section", "insn"}
    assert [x["type"] for x in d["exclusions"]] == ["altinstr", "code16", "code16", "discard", "user", "user"]
    assert all(x["builtin"] for x in d["exclusions"])


# ---------------------------------------------------------------- robustness

def test_malformed_inputs_never_crash(afterburn, tmp_path):
    """Mutated and truncated objects give 0, 1 or 2, never a crash."""
    c, r = site("s0", *PUSHF)
    src = func("f", c + "\tpopfl\n") + records([r])
    seeds = [assemble(tmp_path, src)]
    seeds.append(link(tmp_path, seeds[0]))
    rng = random.Random(1234)
    mutant = tmp_path / "mutant"
    for seed in seeds:
        data = seed.read_bytes()
        for cut in list(range(0, 64, 7)) + list(range(64, len(data), max(1, len(data) // 40))):
            mutant.write_bytes(data[:cut])
            verify(afterburn, mutant)
        for _ in range(150):
            m = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                # Headers and tables matter most: favour the first bytes
                # and the section header table at the end.
                pos = rng.choice([rng.randrange(0, 64), rng.randrange(len(m)),
                                  rng.randrange(max(0, len(m) - 400), len(m))])
                m[pos] = rng.randrange(256)
            mutant.write_bytes(bytes(m))
            p = verify(afterburn, mutant)
            assert p.returncode >= 0, f"killed by signal {-p.returncode}"
