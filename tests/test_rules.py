"""Rewrite rules end to end (docs/abi/rules.md): memory-access rules (the context kinds
dev-write and dev-read), the emit-inline action, the rules log, and the errors of bad rules.

Each test assembles a small 32-bit program with afterburn-as (or compiles C through
afterburn-cc), reads the .afterburn records and the padding, and, where the loader has a say,
links the object and patches it with `afterburn patch` against the fixture wedge
(build/loader/wedge-fixture.elf, the one tests/test_loader.py uses).
"""
import json
import os
import pathlib
import re
import struct
import subprocess
import textwrap

import pytest

import elfutil as E

pytestmark = pytest.mark.profile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build"))
WEDGE = BUILD / "loader" / "wedge-fixture.elf"
LSAN_SUPP = pathlib.Path(__file__).resolve().parent / "fuzz" / "known-llvm" / "lsan.supp"
K = E.KIND_BY_NAME

# The vCPU page's fields (abi/vcpu.h, struct ab_vcpu).
VCPU_CR = {0: 24, 3: 28, 4: 32}


def _env(extra=None):
    env = dict(os.environ)
    for k in ("AFTERBURN_POLICY", "AFTERBURN_RULES", "AFTERBURN_QUIET", "AFTERBURN_RULES_LOG"):
        env.pop(k, None)
    env["LSAN_OPTIONS"] = f"suppressions={LSAN_SUPP}:print_suppressions=0"
    env.update(extra or {})
    return env


def _run(cmd, env=None, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120,
                          env=_env(env), **kw)


class Obj:
    """An assembled object: its sites (by offset in .text) and bytes."""

    def __init__(self, path, proc):
        self.path, self.proc, self.rc, self.stderr = path, proc, proc.returncode, proc.stderr

    @property
    def elf(self):
        assert self.rc == 0, f"afterburn-as failed ({self.rc}):\n{self.stderr}"
        return E.parse(self.path)

    def sites(self):
        return sorted(self.elf.sites(), key=lambda s: (s.section, s.offset))

    def text(self):
        return self.elf.section(".text").data


@pytest.fixture
def tmp(tmp_path):
    return tmp_path


@pytest.fixture
def asm(bindir, tmp_path):
    """asm(source, rules_text_or_None, *options, env=) -> Obj."""
    n = [0]

    def _asm(src, rules=None, *opts, env=None):
        n[0] += 1
        s = tmp_path / f"in{n[0]}.s"
        s.write_text(textwrap.dedent(src))
        obj = tmp_path / f"out{n[0]}.o"
        args = [bindir / "afterburn-as", "--32", *opts]
        if rules is not None:
            r = tmp_path / f"r{n[0]}.rules"
            r.write_text(textwrap.dedent(rules))
            args.append(f"--afterburn-rules={r}")
        p = _run([*args, "-o", obj, s], env=env)
        assert p.returncode >= 0, f"afterburn-as died by signal {-p.returncode}:\n{p.stderr}"
        return Obj(obj, p)

    return _asm


def _link(tmp_path, obj, name="t.elf", entry="start"):
    out = tmp_path / name
    p = _run(["ld", "-m", "elf_i386", "-Ttext=0x100000", "-e", entry, "-o", out, obj])
    assert p.returncode == 0, p.stderr
    return out


def _wedge():
    """(entry by kind, vcpu) from the fixture wedge's export table."""
    assert WEDGE.exists(), f"{WEDGE} is missing: scripts/build makes it (loader/freestanding.cmake)"
    sec = E.parse(WEDGE).section(".wedge_exports")
    raw = WEDGE.read_bytes()[sec.offset:sec.offset + sec.size]
    magic, version, count, vcpu, _vif, _st, _sts = struct.unpack_from("<IHHIIII", raw, 0)
    assert (magic, version) == (0x58574241, 1)
    entries = dict(struct.unpack_from("<B3xI", raw, 24 + 8 * i) for i in range(count))
    return entries, vcpu


def _patch(bindir, tmp_path, elf, target, *extra):
    out = tmp_path / f"{target}.elf"
    cmd = [bindir / "afterburn", "patch", "--target", target, elf, "-o", out, "--json", "--list"]
    if target != "bare":
        cmd += ["--wedge", WEDGE]
    p = _run([*cmd, *extra])
    assert p.returncode == 0, f"{p.stdout}\n{p.stderr}"
    return out, json.loads(p.stdout)


def _text_at(elf_path, addr, n):
    """n bytes of a linked image at virtual address addr (in .text)."""
    elf = E.parse(elf_path)
    sec = elf.section(".text")
    return sec.data[addr - sec.addr:addr - sec.addr + n]


# ---------------------------------------------------------------------------
# dev-write and dev-read

DEV_S = """\
	.text
	.globl start
	.type start,@function
start:
	call dev_poke
	ret
	.size start, .-start

	.globl dev_poke
	.type dev_poke,@function
dev_poke:
	movl $0xfec00000, %ebx          # not a memory access
	mov %eax, (%ebx)                # store: 89 03
	mov 0x10(%ebx), %ecx            # load: 8b 4b 10
	movl $5, 0x20(%ebx)             # store of an immediate: c7 43 20 05 00 00 00
	add %eax, (%ebx)                # read-modify-write: never a context site
	mov %eax, %edx                  # register to register
	ret
	.size dev_poke, .-dev_poke

	.globl other
	.type other,@function
other:
	mov %eax, (%ebx)
	mov (%ebx), %eax
	ret
	.size other, .-other
"""


def _at(obj, sym):
    """Offset of a symbol in .text."""
    return obj.elf.symbol(sym).value


def test_dev_write_by_function(asm, bindir):
    o = asm(DEV_S, """\
        afterburn-rules 1
        annotate kind=dev-write function=dev_poke
        """)
    assert o.rc == 0, o.stderr
    base = _at(o, "dev_poke")
    sites = o.sites()
    got = [(s.kind_name, s.offset - base, s.len, s.insn_len) for s in sites]
    # The two stores of dev_poke, after the 5-byte movl $imm, %ebx; the first is
    # padded to 5 (the site length of dev-write), the 7-byte one is its own site.
    assert got == [("dev-write", 5, 5, 2), ("dev-write", 10 + 3, 7, 7)], got
    text = o.text()
    first = text[sites[0].offset:sites[0].offset + 5]
    assert first[:2] == b"\x89\x03" and first[2:] == b"\x0f\x1f\x00", first.hex()
    # The records: layout MEMOP, op_a the register, IMM for an immediate source.
    s0, s1 = sites
    assert (s0.flags & 0x0f, s0.op_a, s0.width, s0.modrm) == (E.SITE_MEM, 0, 4, 0x03)
    assert (s1.flags & 0x0f, s1.op_a, s1.width, s1.modrm) == (E.SITE_MEM | E.SITE_IMM, 0, 4, 0x43)
    # afterburn patch --list shows them as class context.
    p = _run([bindir / "afterburn", "patch", "--list", o.path])
    assert p.returncode == 0, p.stderr
    assert re.search(r"dev-write\s+context\s+5\s+2\s+OK", p.stdout), p.stdout


def test_dev_read_by_function(asm):
    o = asm(DEV_S, """\
        afterburn-rules 1
        annotate kind=dev-read function=dev_poke
        annotate kind=dev-read,dev-write function=other
        """)
    assert o.rc == 0, o.stderr
    poke, other = _at(o, "dev_poke"), _at(o, "other")
    got = [(s.kind_name, s.offset, s.len, s.insn_len, s.op_a) for s in o.sites()]
    assert got == [("dev-read", poke + 7, 5, 3, 1),            # mov 0x10(%ebx), %ecx
                   ("dev-write", other, 5, 2, 0),              # both kinds by direction
                   ("dev-read", other + 5, 5, 2, 0)], got


def test_direction_mismatch_matches_nothing(asm, tmp):
    src = """\
        \t.text
        \t.globl f
        f:
        \tmov %eax, (%ebx)
        \tmovb $1, 0x1000
        \tret
        """
    log = tmp / "rules.log"
    o = asm(src, """\
        afterburn-rules 1
        annotate kind=dev-read function=f
        """, "--afterburn-stats", f"--afterburn-rules-log={log}")
    assert o.rc == 0, o.stderr
    assert o.sites() == []
    assert re.search(r"r\d+\.rules:2: note: rule matched nothing", o.stderr), o.stderr
    assert re.fullmatch(r"\S+\.rules:2 0\n", log.read_text()), log.read_text()


def test_memop_forms(asm):
    """Every mov form of abi/memop.h, and what is not one."""
    o = asm("""\
        \t.text
        \t.globl f
        f:
        \tmovb $7, 0xfec00000          # c6 05 abs32 imm8     store, IMM, width 1
        \tmov %al, 0x1000              # a2 moffs              store, width 1
        \tmov 0xfec00010, %eax         # a1 moffs              load
        \tmov %fs:(%ecx), %al          # 64 8a 01              load, segment override
        \tmovw $0xbeef, (%eax)         # 66 c7 00 ef be        store, width 2
        \tmov %cx, 0x10(%esi)          # 66 89 4e 10           store, width 2, reg 1
        \tlock addl $1, (%eax)         # not a mov
        \tmovsl                        # string move: not a plain mov
        \txchg %eax, (%ebx)            # not a mov
        \tret
        """, """\
        afterburn-rules 1
        annotate kind=dev-write,dev-read function=f
        """)
    assert o.rc == 0, o.stderr
    got = [(s.kind_name, s.insn_len, s.width, s.flags & 0x0f, s.op_a) for s in o.sites()]
    W, R, M, I = "dev-write", "dev-read", E.SITE_MEM, E.SITE_IMM
    assert got == [(W, 7, 1, M | I, 0), (W, 5, 1, M, 0), (R, 5, 4, M, 0), (R, 3, 1, M, 0),
                   (W, 5, 2, M | I, 0), (W, 4, 2, M, 1)], got


def test_dev_write_by_file_line(bindir, tmp):
    src = tmp / "dev.c"
    src.write_text(textwrap.dedent("""\
        void regs(volatile unsigned *r, unsigned v)
        {
        	r[0] = v;
        	r[1] = v + 1;
        	r[2] = 7;
        	(void)r[3];
        }
        """))
    rules = tmp / "dev.rules"
    rules.write_text("afterburn-rules 1\nannotate kind=dev-write file=dev.c:4\n"
                     "annotate kind=dev-read file=dev.c:6\n")
    obj = tmp / "dev.o"
    p = _run([bindir / "afterburn-cc", "--rules", rules, "gcc", "-m32", "-O2", "-g", "-c",
              src.name, "-o", obj], cwd=tmp)
    assert p.returncode == 0, p.stderr
    elf = E.parse(obj)
    sites = sorted(elf.sites(), key=lambda s: s.offset)
    assert [s.kind_name for s in sites] == ["dev-write", "dev-read"], sites
    text = elf.section(".text").data
    w, r = sites
    insn = text[w.offset:w.offset + w.insn_len]
    # r[1] = v + 1: a store (89 /r) to 4(%reg), mod 01 with disp8 4.
    assert insn[0] == 0x89 and insn[1] >> 6 == 1 and insn[-1] == 4, insn.hex()
    insn = text[r.offset:r.offset + r.insn_len]
    assert insn[0] == 0x8b and insn[-1] == 12, insn.hex()        # (void)r[3]: a load of 12(%reg)
    # The padding is no-ops.
    for s in sites:
        pad = text[s.offset + s.insn_len:s.offset + s.len]
        assert pad in (b"", b"\x90", b"\x66\x90", b"\x0f\x1f\x00"), pad.hex()


def test_context_sites_by_target(asm, bindir, tmp):
    """l4: a call to the wedge's entry for the kind; trap and bare: left alone.
    afterburn verify accepts the sites and counts them as class context."""
    o = asm(DEV_S, """\
        afterburn-rules 1
        annotate kind=dev-write,dev-read function=dev_poke
        """)
    assert o.rc == 0, o.stderr
    elf = _link(tmp, o.path)
    entries, _ = _wedge()
    l4, res = _patch(bindir, tmp, elf, "l4")
    sites = res["sites"]
    assert [(s["kind"], s["outcome"]) for s in sites] == \
        [("dev-write", "call"), ("dev-read", "call"), ("dev-write", "call")], sites
    for s in sites:
        new = _text_at(l4, s["addr"], s["len"])
        rel = (entries[K[s["kind"]]] - (s["addr"] + 5)) & 0xFFFFFFFF
        assert new[:5] == b"\xe8" + struct.pack("<I", rel), s
    assert res["stats"]["by_kind"]["dev-write"]["call"] == 2
    trap, res = _patch(bindir, tmp, elf, "trap")
    assert all(s["outcome"] == "left-target" for s in res["sites"]), res["sites"]
    assert trap.read_bytes() == elf.read_bytes()
    bare, _ = _patch(bindir, tmp, elf, "bare")
    assert bare.read_bytes() == elf.read_bytes()

    p = _run([bindir / "afterburn", "verify", "--json", elf])
    d = json.loads(p.stdout)
    assert p.returncode == 0 and d["result"] == "pass", p.stdout
    assert d["sites"]["dev-write"] == 2 and d["sites"]["dev-read"] == 1
    assert d["sites_by_class"]["context"] == 3 and d["totals"]["bad_sites"] == 0
    p = _run([bindir / "afterburn", "verify", elf])
    assert re.search(r"dev-write\s+context\s+2", p.stdout), p.stdout


def test_context_site_bytes_checked(asm, bindir, tmp):
    """A context record whose bytes are a mov of the other direction is rejected by the
    loader (E_BYTES) and reported by verify."""
    o = asm(DEV_S, "afterburn-rules 1\nannotate kind=dev-write function=other\n")
    elf = _link(tmp, o.path)
    data = bytearray(elf.read_bytes())
    sec = E.parse(elf).section(".afterburn")
    assert data[sec.offset + 4] == K["dev-write"]
    data[sec.offset + 4] = K["dev-read"]
    bad = tmp / "bad.elf"
    bad.write_bytes(bytes(data))
    p = _run([bindir / "afterburn", "patch", "--list", bad])
    assert p.returncode == 1 and "E_BYTES" in p.stderr, p.stderr
    p = _run([bindir / "afterburn", "verify", bad])
    assert p.returncode == 1 and "a store, not a load" in p.stdout, p.stdout


# ---------------------------------------------------------------------------
# emit-inline

CR_S = """\
	.text
	.globl start
	.type start,@function
start:
	mov %cr3, %eax
	mov %cr4, %ebx
	mov %cr0, %ecx
	mov %cr2, %edx
	call other
	ret
	.size start, .-start
	.globl other
	.type other,@function
other:
	mov %cr3, %esi
	ret
	.size other, .-other
"""


def test_emit_inline_pads_and_loader_inlines(asm, bindir, tmp):
    o = asm(CR_S, """\
        afterburn-rules 1
        policy full
        emit-inline kind=mov-from-cr function=start
        """)
    assert o.rc == 0, o.stderr
    got = [(s.kind_name, s.offset, s.len, s.insn_len, s.op_a, s.op_b) for s in o.sites()]
    other = _at(o, "other")
    assert got == [("mov-from-cr", 0, 6, 3, 3, 0), ("mov-from-cr", 6, 6, 3, 4, 3),
                   ("mov-from-cr", 12, 6, 3, 0, 1), ("mov-from-cr", 18, 6, 3, 2, 2),
                   ("mov-from-cr", other, 5, 3, 3, 6)], got
    text = o.text()
    assert text[0:6] == b"\x0f\x20\xd8\x0f\x1f\x00", text[0:6].hex()

    elf = _link(tmp, o.path)
    entries, vcpu = _wedge()
    out, res = _patch(bindir, tmp, elf, "l4")
    outcomes = [(s["addr"] - 0x100000, s["outcome"]) for s in res["sites"]]
    assert outcomes == [(0, "inline"), (6, "inline"), (12, "inline"), (18, "call"),
                        (other, "call")], outcomes
    new = _text_at(out, 0x100000, 24)
    assert new[0:6] == b"\x8b\x05" + struct.pack("<I", vcpu + VCPU_CR[3])     # mov cr3, %eax
    assert new[6:12] == b"\x8b\x1d" + struct.pack("<I", vcpu + VCPU_CR[4])    # mov cr4, %ebx
    assert new[12:18] == b"\x8b\x0d" + struct.pack("<I", vcpu + VCPU_CR[0])   # mov cr0, %ecx
    # %cr2 is not kept in the vCPU page: a call, then one no-op.
    rel = (entries[K["mov-from-cr"]] - (0x100000 + 18 + 5)) & 0xFFFFFFFF
    assert new[18:24] == b"\xe8" + struct.pack("<I", rel) + b"\x90", new[18:24].hex()
    assert res["stats"]["by_kind"]["mov-from-cr"]["inline"] == 3
    # The text report counts them too.
    p = _run([bindir / "afterburn", "patch", "--target", "l4", "--wedge", WEDGE, elf])
    assert re.search(r"mov-from-cr\s+trapping\s+5\s+3\s+2\s+0\s+0", p.stdout), p.stdout
    # trap leaves trapping kinds alone, whatever their length.
    trap, _ = _patch(bindir, tmp, elf, "trap")
    assert trap.read_bytes() == elf.read_bytes()


def test_emit_inline_annotates_under_minimal_and_last_rule_wins(asm):
    o = asm(CR_S, """\
        afterburn-rules 1
        emit-inline kind=mov-from-cr
        annotate kind=mov-from-cr function=other
        emit-inline kind=cli function=nothere
        """)
    assert o.rc == 0, o.stderr
    assert [s.len for s in o.sites()] == [6, 6, 6, 6, 5]
    # cli's default site already holds its inline form: emit-inline changes nothing.
    o = asm("\t.text\nf:\n\tcli\n\tret\n", "afterburn-rules 1\nemit-inline kind=cli function=f\n")
    assert [(s.kind_name, s.len) for s in o.sites()] == [("cli", 7)]


# ---------------------------------------------------------------------------
# the rules log

def test_rules_log_lines(asm, tmp):
    log = tmp / "rules.log"
    rules = """\
        afterburn-rules 1
        annotate kind=dev-write function=dev_poke
        annotate kind=cli
        exclude kind=pushf function=nothere
        """
    for _ in range(2):
        o = asm(DEV_S, rules, env={"AFTERBURN_RULES_LOG": str(log)})
        assert o.rc == 0, o.stderr
    lines = log.read_text().splitlines()
    assert len(lines) == 6
    parsed = [re.fullmatch(r"(.+):(\d+) (\d+)", x).groups() for x in lines]
    assert [(int(n), int(h)) for _, n, h in parsed] == [(2, 2), (3, 0), (4, 0)] * 2
    assert all(pathlib.Path(p).name.endswith(".rules") for p, _, _ in parsed)
    # The option wins over the environment.
    opt = tmp / "opt.log"
    o = asm(DEV_S, rules, f"--afterburn-rules-log={opt}", env={"AFTERBURN_RULES_LOG": str(log)})
    assert o.rc == 0 and len(opt.read_text().splitlines()) == 3
    assert len(log.read_text().splitlines()) == 6


def test_rules_log_failures(asm, tmp):
    log = tmp / "rules.log"
    # A failed assembly appends nothing.
    o = asm("\t.text\n\tmov %eax\n", "afterburn-rules 1\nannotate kind=cli\n",
            env={"AFTERBURN_RULES_LOG": str(log)})
    assert o.rc == 1 and (not log.exists() or log.read_text() == "")
    # No rules file: no lines.
    o = asm("\t.text\n\tcli\n", None, env={"AFTERBURN_RULES_LOG": str(log)})
    assert o.rc == 0 and (not log.exists() or log.read_text() == "")
    # A log that cannot be written fails the run, before it assembles.
    o = asm("\t.text\n\tcli\n", "afterburn-rules 1\nannotate kind=cli\n",
            env={"AFTERBURN_RULES_LOG": str(tmp / "no" / "such" / "dir.log")})
    assert o.rc == 1 and "rules log" in o.stderr and not o.path.exists(), o.stderr


def test_rules_log_parallel_appends(bindir, tmp):
    """Many assemblies at once: every line whole, none lost."""
    log = tmp / "rules.log"
    rules = tmp / "r.rules"
    rules.write_text("afterburn-rules 1\n" + "".join(f"annotate kind=cli function=f{i}\n"
                                                      for i in range(40)))
    src = tmp / "a.s"
    src.write_text("\t.text\nf3:\n\tcli\n\tret\n")
    procs = [subprocess.Popen([str(bindir / "afterburn-as"), "--32", f"--afterburn-rules={rules}",
                               f"--afterburn-rules-log={log}", "-o", str(tmp / f"o{i}.o"), str(src)],
                              env=_env(), stderr=subprocess.PIPE) for i in range(16)]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read()
    lines = log.read_text().splitlines()
    assert len(lines) == 16 * 40
    hits = {}
    for x in lines:
        m = re.fullmatch(rf"{re.escape(str(rules))}:(\d+) (\d+)", x)
        assert m, x
        hits[int(m.group(1))] = hits.get(int(m.group(1)), 0) + int(m.group(2))
    assert hits[5] == 16 and sum(hits.values()) == 16       # f3 is the rule on line 5


def test_afterburn_cc_rules_log(bindir, tmp):
    src = tmp / "dev.c"
    src.write_text("void poke(volatile unsigned *r) { *r = 1; }\n")
    rules = tmp / "r.rules"
    rules.write_text("afterburn-rules 1\nannotate kind=dev-write function=poke\n"
                     "annotate kind=dev-read function=poke\n")
    p = _run([bindir / "afterburn-cc", "--rules", rules.name, "--rules-log", "build.log", "gcc",
              "-m32", "-O2", "-c", src.name, "-o", "dev.o"], cwd=tmp)
    assert p.returncode == 0, p.stderr
    rp = rules.resolve()
    assert (tmp / "build.log").read_text().splitlines() == [f"{rp}:2 1", f"{rp}:3 1"]
    # From the environment, through the wrapper.
    p = _run([bindir / "afterburn-cc", "--rules", rules.name, "gcc", "-m32", "-O2", "-c",
              src.name, "-o", "dev.o"], cwd=tmp, env={"AFTERBURN_RULES_LOG": "env.log"})
    assert p.returncode == 0, p.stderr
    assert len((tmp / "env.log").read_text().splitlines()) == 2


# ---------------------------------------------------------------------------
# bad rules: file:line and exit status 1

BAD = [
    ("annotate kind=dev-write,cli function=f\n", "cannot share a kind= list"),
    ("annotate kind=cli,dev-read function=f\n", "cannot share a kind= list"),
    ("exclude kind=dev-write function=f\n", "'exclude' with context kind 'dev-write'"),
    ("annotate kind=dev-read section=.text\n", "needs a function= or file= selector"),
    ("annotate kind=dev-read\n", "needs a function= or file= selector"),
    ("emit-inline function=f\n", "'emit-inline' needs kind="),
    ("emit-inline kind=pushf function=f\n", "kind 'pushf' has no inline form"),
    ("emit-inline kind=cli,rdtsc\n", "kind 'rdtsc' has no inline form"),
    ("emit-inline kind=dev-write function=f\n", "kind 'dev-write' has no inline form"),
    ("emit-inline kind=mov-from-cr bogus=1\n", "unknown selector"),
    ("emit-inline\n", "at least one selector"),
    ("annotate kind=dev-writ function=f\n", "unknown kind"),
]


@pytest.mark.parametrize("rule,msg", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_rules(asm, rule, msg):
    o = asm("\t.text\n\tcli\n", f"afterburn-rules 1\n# a comment\n{rule}")
    assert o.rc == 1, o.stderr
    assert re.search(r"^\S+r\d+\.rules:3: ", o.stderr, re.M), o.stderr
    assert msg in o.stderr, o.stderr
    assert not o.path.exists()


def test_good_rules_accepted(asm):
    o = asm("\t.text\n\tcli\n", """\
        afterburn-rules 1
        annotate kind=dev-write,dev-read file=drivers/x.c:12
        annotate kind=dev-read function=ioapic_*
        emit-inline kind=cli,mov-from-cr section=.text
        exclude kind=cli file=x.c
        """)
    assert o.rc == 0, o.stderr


def test_context_rules_ignore_64bit_code(asm):
    """Memory movs are context sites in 32-bit code only (abi/memop.h)."""
    o = asm("\t.text\n\t.globl f\nf:\n\tmov %eax, (%rbx)\n\tret\n",
            "afterburn-rules 1\nannotate kind=dev-write function=f\n", "--64")
    assert o.rc == 0, o.stderr
    assert o.sites() == []


# ---------------------------------------------------------------------------
# nth=: one instruction of a kind in a function (docs/abi/rules.md, "Counting for nth=")

def _objdump(path):
    """[(section, offset, mnemonic)] of every instruction objdump -d finds."""
    p = _run(["objdump", "-d", "--no-show-raw-insn", path])
    assert p.returncode == 0, p.stderr
    out, sec = [], None
    for line in p.stdout.splitlines():
        m = re.match(r"Disassembly of section (\S+):", line)
        if m:
            sec = m.group(1)
        m = re.match(r"\s*([0-9a-f]+):\s+(\S+)", line)
        if m:
            out.append((sec, int(m.group(1), 16), m.group(2)))
    return out


def _site_places(o):
    """[(section name, offset, kind, len)] of the records of an object."""
    elf = o.elf
    names = {s.index: s.name for s in elf.sections}
    return sorted((names[s.section], s.offset, s.kind_name, s.len) for s in elf.sites())


OUTB_C = """\
static inline void outb(unsigned short port, unsigned char v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline unsigned char inb(unsigned short port)
{
	unsigned char v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void putmany(const char *s)
{
	outb(0x3f8, s[0]);
	outb(0x3f8, s[1]);
	outb(0x3f8, s[2]);
	outb(0x3f8, s[3]);
}

int poll(void)
{
	outb(0x3f9, 1);
	return inb(0x3fd);
}
"""


def _cc_outb(bindir, tmp, rules, name):
    src = tmp / "io.c"
    src.write_text(OUTB_C)
    r = tmp / f"{name}.rules"
    r.write_text(textwrap.dedent(rules))
    obj = tmp / f"{name}.o"
    p = _run([bindir / "afterburn-cc", "--rules", r, "gcc", "-m32", "-O2", "-g", "-c",
              src.name, "-o", obj, "-Wa,--afterburn-stats"], cwd=tmp)
    assert p.returncode == 0, p.stderr
    return Obj(obj, p)


@pytest.mark.parametrize("n", [1, 3, 4])
def test_nth_inlined_helper(bindir, tmp, n):
    """outb() inlined four times: one rule with file=io.c:3 would annotate all four; nth=N
    annotates the N-th only, in assembly order (the order objdump shows)."""
    o = _cc_outb(bindir, tmp, f"""\
        afterburn-rules 1
        annotate kind=out function=putmany nth={n} file=io.c:3
        """, f"n{n}")
    outs = [(s, off) for s, off, m in _objdump(o.path) if m == "out"]
    fn = o.elf.symbol("putmany")
    mine = [x for x in outs if x[0] == ".text" and fn.value <= x[1] < fn.value + fn.size]
    assert len(outs) == 5 and len(mine) == 4, outs      # four in putmany, one in poll
    sites = _site_places(o)
    assert [(s, off) for s, off, _, _ in sites] == [mine[n - 1]], (sites, outs)
    assert sites[0][2:] == ("out", 7)


def test_nth_counts_per_function(bindir, tmp):
    """The count restarts at every function: nth=1 of poll is poll's one out."""
    o = _cc_outb(bindir, tmp, """\
        afterburn-rules 1
        annotate kind=out function=poll nth=1
        annotate kind=in function=poll nth=1
        annotate kind=in function=putmany nth=1
        """, "poll")
    ins = _objdump(o.path)
    poll = o.elf.symbol("poll").value
    want = sorted((s, off) for s, off, m in ins if m in ("out", "in") and off >= poll)
    assert len(want) == 2, ins
    assert [(s, off) for s, off, _, _ in _site_places(o)] == want
    assert re.search(r"\.rules:4: note: rule matched nothing", o.stderr), o.stderr


def test_nth_with_stale_file_line(bindir, tmp):
    """All selectors must match: nth=2 with a line that is not outb's matches nothing."""
    o = _cc_outb(bindir, tmp, """\
        afterburn-rules 1
        annotate kind=out function=putmany nth=2 file=io.c:9
        """, "stale")
    assert o.elf.sites() == []
    assert re.search(r"\.rules:2: note: rule matched nothing", o.stderr), o.stderr


NTH_S = """\
	.text
	.globl f
	.type f,@function
f:
	inb %dx, %al                    # in 1
	outb %al, %dx
	.pushsection .text.other, "ax"
	inb %dx, %al                    # another section: not counted
	.popsection
	inb %dx, %al                    # in 2
	.pushsection .fixup, "ax"
	inb %dx, %al                    # not counted
	.popsection
.Llocal:                                # a local label: still f
	inb %dx, %al                    # in 3
	ret
	.size f, .-f

	.globl g
	.type g,@function
g:
	inb %dx, %al                    # g's in 1
	ret
"""


def _ins(o):
    return [(s, off) for s, off, m in _objdump(o.path) if m == "in"]


def test_nth_asm_and_pushsection(asm, tmp):
    log = tmp / "nth.log"
    o = asm(NTH_S, """\
        afterburn-rules 1
        annotate kind=in function=f nth=3
        annotate kind=in function=f nth=4
        annotate kind=in function=f nth=1 section=.text.other
        annotate kind=in function=g nth=1
        """, "--afterburn-stats", f"--afterburn-rules-log={log}")
    assert o.rc == 0, o.stderr
    ins = _ins(o)
    text = [x for x in ins if x[0] == ".text"]
    assert len(ins) == 6 and len(text) == 4, ins
    sites = _site_places(o)
    assert [(s, off) for s, off, _, _ in sites] == [text[2], text[3]], (sites, ins)
    # nth beyond the count, and pushsection code, match nothing: reported both ways.
    for line in (3, 4):
        assert re.search(rf"r\d+\.rules:{line}: note: rule matched nothing", o.stderr), o.stderr
    hits = [int(x.rsplit(" ", 1)[1]) for x in log.read_text().splitlines()]
    assert hits == [1, 0, 0, 1], log.read_text()


def test_nth_count_ignores_policy_and_rules(asm):
    """The count includes instructions the policy or other rules leave out, and nth= rules
    work with exclude: under full, every in of f is a site but the one excluded."""
    o = asm(NTH_S, """\
        afterburn-rules 1
        policy full
        exclude kind=in function=f
        annotate kind=in function=f nth=2
        """)
    assert o.rc == 0, o.stderr
    ins = _ins(o)
    text = [x for x in ins if x[0] == ".text"]
    got = [(s, off) for s, off, k, _ in _site_places(o) if k == "in"]
    # f's second in, and g's in (by the policy); f's pushsection code is f's too (function=),
    # so the exclude rule takes it out.
    assert sorted(got) == sorted([text[1], text[3]]), (got, ins)
    o = asm(NTH_S, """\
        afterburn-rules 1
        policy full
        exclude kind=in function=f nth=2
        """)
    ins = _ins(o)
    text = [x for x in ins if x[0] == ".text"]
    got = [(s, off) for s, off, k, _ in _site_places(o) if k == "in"]
    assert sorted(set(ins) - set(got)) == [text[1]], (got, ins)


def test_nth_emit_inline(asm):
    o = asm(CR_S, """\
        afterburn-rules 1
        policy full
        emit-inline kind=mov-from-cr function=start nth=2
        """)
    assert o.rc == 0, o.stderr
    assert [(s.kind_name, s.len) for s in o.sites()] == \
        [("mov-from-cr", 5), ("mov-from-cr", 6), ("mov-from-cr", 5), ("mov-from-cr", 5),
         ("mov-from-cr", 5)]


def test_nth_context_kinds(asm):
    """For dev-write/dev-read the count is of the plain movs of the kind's direction:
    the add to memory and the loads do not count as stores."""
    o = asm(DEV_S, """\
        afterburn-rules 1
        annotate kind=dev-write function=dev_poke nth=2
        annotate kind=dev-read function=dev_poke nth=1
        annotate kind=dev-write function=other nth=1
        """)
    assert o.rc == 0, o.stderr
    poke, other = _at(o, "dev_poke"), _at(o, "other")
    got = [(s.kind_name, s.offset, s.insn_len) for s in o.sites()]
    assert got == [("dev-read", poke + 7, 3), ("dev-write", poke + 10 + 2, 7),
                   ("dev-write", other, 2)], got


def test_nth_subsection_not_counted(asm):
    o = asm("""\
        \t.text
        \t.globl f
        f:
        \tinb %dx, %al
        \t.subsection 1
        \tinb %dx, %al
        \t.subsection 0
        \tinb %dx, %al
        \tret
        """, "afterburn-rules 1\nannotate kind=in function=f nth=2\n")
    assert o.rc == 0, o.stderr
    ins = _ins(o)
    assert [(s, off) for s, off, _, _ in _site_places(o)] == [ins[1]], ins


def test_nth_counts_data_instructions(asm):
    """An `in` written as data is no site, but the linked code holds it like any other:
    it counts, so that afterburn prof's sweep and afterburn-as agree on the third."""
    o = asm("""\
        \t.text
        \t.globl f
        f:
        \tinb %dx, %al
        \t.byte 0xec
        \tinb %dx, %al
        \tret
        """, "afterburn-rules 1\nannotate kind=in function=f nth=3\n")
    assert o.rc == 0, o.stderr
    assert "written as data" in o.stderr
    ins = _ins(o)
    assert len(ins) == 3 and [(s, off) for s, off, _, _ in _site_places(o)] == [ins[2]], ins


BAD_NTH = [
    ("annotate kind=in function=f* nth=1\n", "not the glob 'f*'"),
    ("annotate kind=in function=f? nth=1\n", "not the glob"),
    ("annotate kind=in function=[fg] nth=1\n", "not the glob"),
    ("annotate kind=in,out function=f nth=1\n", "exactly one kind"),
    ("annotate function=f nth=1\n", "exactly one kind"),
    ("annotate kind=in function=f nth=0\n", "bad nth= value '0'"),
    ("annotate kind=in function=f nth=abc\n", "bad nth= value 'abc'"),
    ("annotate kind=in function=f nth=+3\n", "bad nth= value"),
    ("annotate kind=in function=f nth=100000001\n", "bad nth= value"),
    ("annotate kind=in file=x.c:3 nth=1\n", "'nth=' needs a function= selector"),
    ("emit-inline kind=cli nth=2\n", "'nth=' needs a function= selector"),
    ("annotate kind=in function=f nth=\n", "expected key=value"),
]


@pytest.mark.parametrize("rule,msg", BAD_NTH, ids=[f"badnth{i}" for i in range(len(BAD_NTH))])
def test_bad_nth_rules(asm, rule, msg):
    test_bad_rules(asm, rule, msg)


def test_good_nth_rules_accepted(asm):
    o = asm("\t.text\n\tcli\n", """\
        afterburn-rules 1
        annotate kind=in function=f nth=1
        exclude kind=cli function=native_irq_disable nth=100000000 section=.text file=x.c:2
        emit-inline kind=mov-from-cr function=read_cr3 nth=2
        annotate kind=dev-read function=ioapic_read nth=7
        """)
    assert o.rc == 0, o.stderr
