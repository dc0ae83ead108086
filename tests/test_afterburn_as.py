"""afterburn-as and afterburn-cc: unit tests of the annotating assembler.

Inputs come from hand-written assembly and, where it makes sense, from both
compilers (`gcc -m32 -S` and `clang -m32 -S` of small C files with inline
asm).  Every object is checked with tests/elfutil.py: each .afterburn record
must resolve (through its relocation) to the start of an instruction of the
recorded kind, with exactly the recorded length, followed by no-ops up to the
recorded site length.
"""
import collections
import os
import pathlib
import re
import shutil
import subprocess
import textwrap

import pytest

import elfutil as E

pytestmark = pytest.mark.afterburner

COMPILERS = ["gcc", "clang"]
SILENT = {"pushf", "popf", "iret", "sgdt", "sidt", "sldt", "str", "smsw", "lar", "lsl",
          "verr", "verw", "mov-from-sreg", "push-sreg", "lret", "ljmp", "lcall", "cpuid",
          "mov-to-sreg", "pop-sreg", "load-far-ptr"}
TRAPPING_32 = {"cli", "sti", "hlt", "in", "out", "ins", "outs", "mov-to-cr", "mov-from-cr",
               "mov-to-dr", "mov-from-dr", "lgdt", "lidt", "lldt", "ltr", "lmsw", "clts",
               "invlpg", "invd", "wbinvd", "rdmsr", "wrmsr", "rdpmc", "sysenter", "sysexit",
               "rdtsc"}


# ---------------------------------------------------------------------------
# helpers

# Under scripts/test the tools are the ASan+UBSan build; LLVM 14 leaks a few
# bytes on some inputs (tests/fuzz/known-llvm/README.md), which must not turn
# into LeakSanitizer's exit status.  Only that LLVM frame is suppressed.
LSAN_SUPP = pathlib.Path(__file__).resolve().parent / "fuzz" / "known-llvm" / "lsan.supp"


def tool_env(extra=None):
    env = dict(os.environ)
    for k in ("AFTERBURN_POLICY", "AFTERBURN_RULES", "AFTERBURN_QUIET"):
        env.pop(k, None)
    env["LSAN_OPTIONS"] = f"suppressions={LSAN_SUPP}:print_suppressions=0"
    env.update(extra or {})
    return env


def run(cmd, timeout=120, env=None, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=timeout, env=env if env is not None else tool_env(), **kw)


def have(tool):
    return shutil.which(tool) is not None


class Result:
    def __init__(self, proc, obj):
        self.proc = proc
        self.obj = obj
        self.rc = proc.returncode
        self.stderr = proc.stderr
        self._elf = None

    @property
    def elf(self):
        if self._elf is None:
            assert self.rc == 0, f"afterburn-as failed ({self.rc}):\n{self.stderr}"
            self._elf = E.parse(self.obj)
        return self._elf

    @property
    def sites(self):
        return self.elf.sites()

    def kinds(self):
        return collections.Counter(s.kind_name for s in self.sites)


@pytest.fixture
def asm(bindir, tmp_path):
    """asm(source_text_or_path, *options, name=, env=) -> Result."""
    counter = [0]

    def _asm(src, *opts, name=None, env=None, out=None):
        counter[0] += 1
        if isinstance(src, str) and "\n" in src:
            path = tmp_path / (name or f"in{counter[0]}.s")
            path.write_text(textwrap.dedent(src))
        else:
            path = src
        obj = out or tmp_path / f"out{counter[0]}.o"
        proc = run([bindir / "afterburn-as", *opts, "-o", obj, path], env=tool_env(env))
        assert proc.returncode >= 0, f"afterburn-as died by signal {-proc.returncode}:\n{proc.stderr}"
        return Result(proc, obj)

    return _asm


def compile_s(compiler, csrc, tmp_path, *flags, name="src", lang="c"):
    """Compile C (or C++) source text to assembly; returns the .s path."""
    src = tmp_path / f"{name}.{lang}"
    src.write_text(textwrap.dedent(csrc))
    out = tmp_path / f"{name}-{os.path.basename(compiler)}.s"
    proc = run([compiler, "-S", *flags, "-o", out.name, src.name], cwd=tmp_path)
    assert proc.returncode == 0, f"{compiler} -S failed:\n{proc.stderr}"
    return out


check_sites = E.check_sites


def kinds_in(sites_insns):
    return collections.Counter(s.kind_name for s, _ in sites_insns)


def notes(stderr, what="note"):
    """[(file, line, message)] of afterburn-as's diagnostics of one severity."""
    return [(m.group(1), int(m.group(2)), m.group(3))
            for m in re.finditer(rf"^(\S+?):(\d+):(?:\d+:)? {what}: (.*)$", stderr, re.M)]


def line_of(path, needle, start=1):
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if n >= start and (needle.search(line) if hasattr(needle, "search") else needle in line):
            return n
    raise AssertionError(f"{needle!r} not in {path}")


# ---------------------------------------------------------------------------
# --version and --help

def test_version_looks_like_gnu_as(bindir):
    p = run([bindir / "afterburn-as", "--version"])
    assert p.returncode == 0, p.stderr
    first = p.stdout.splitlines()[0]
    assert first.startswith("GNU assembler"), first
    assert re.search(r"\s\d+\.\d+(\.\d+)?$", first), f"no trailing version number: {first!r}"
    # Linux's scripts/as-version.sh takes the last word of the first line.
    major, minor = first.split()[-1].split(".")[:2]
    assert (int(major), int(minor)) >= (2, 25), first


def test_help(bindir):
    p = run([bindir / "afterburn-as", "--help"])
    assert p.returncode == 0
    assert "--afterburn-policy" in p.stdout and "--afterburn-rules" in p.stdout


# ---------------------------------------------------------------------------
# macros, .rept, .irp

MACRO_S = """\
	.macro save_flags reg
	pushf
	popl \\reg
	.endm
	.text
	.globl f
f:
	save_flags %eax
	save_flags %ebx
	.rept 3
	popf
	.endr
	.irp port, 0x20, 0x21, 0xa0
	outb %al, $\\port
	.endr
	ret
"""

MACRO_C = r"""
void f(void)
{
	asm volatile(".macro save_flags reg\n\tpushf\n\tpopl \\reg\n\t.endm\n"
		     "save_flags %%eax\n\tsave_flags %%ebx\n"
		     ".rept 3\n\tpopf\n\t.endr\n"
		     ".irp port, 0x20, 0x21, 0xa0\n\toutb %%al, $\\port\n\t.endr\n"
		     ".purgem save_flags\n" ::: "eax", "ebx", "memory");
}
"""


def _check_macro_sites(res):
    got = kinds_in(check_sites(res.elf))
    assert got == {"pushf": 2, "popf": 3, "out": 3}, got
    outs = sorted((s.offset, s) for s in res.sites if s.kind_name == "out")
    assert [s.op_a for _, s in outs] == [0x20, 0x21, 0xa0]
    assert all(s.flags & E.SITE_IMM for _, s in outs)


def test_macros_rept_irp_handwritten(asm):
    _check_macro_sites(asm(MACRO_S, "--afterburn-policy=full"))
    assert asm(MACRO_S).kinds() == {"pushf": 2, "popf": 3}


@pytest.mark.parametrize("cc", COMPILERS)
def test_macros_rept_irp_compiled(asm, tmp_path, cc):
    s = compile_s(cc, MACRO_C, tmp_path, "-m32", "-O2")
    _check_macro_sites(asm(s, "--afterburn-policy=full"))


# ---------------------------------------------------------------------------
# .pushsection / .popsection

PUSHSECTION_S = """\
	.text
f:
	sti
	.pushsection .text.slow,"ax",@progbits
slow:
	cli
	.pushsection .data.tab,"aw",@progbits
	.long slow
	.popsection
	hlt
	.popsection
	pushf
	.section .init.text,"ax",@progbits
	popf
	.previous
	iret
"""

PUSHSECTION_C = r"""
void f(void)
{
	asm volatile("sti\n"
		     ".pushsection .text.slow,\"ax\",@progbits\n"
		     "slow: cli\n"
		     ".pushsection .data.tab,\"aw\",@progbits\n\t.long slow\n.popsection\n"
		     "hlt\n"
		     ".popsection\n"
		     "pushf\n\tpopl %%eax\n" ::: "eax", "memory");
}
"""


def _sections_of(res):
    return {(res.elf.sections[s.section].name, s.kind_name) for s in res.sites}


def test_pushsection_popsection_handwritten(asm):
    res = asm(PUSHSECTION_S, "--afterburn-policy=full")
    check_sites(res.elf)
    assert _sections_of(res) == {(".text", "sti"), (".text.slow", "cli"), (".text.slow", "hlt"),
                                 (".text", "pushf"), (".init.text", "popf"), (".text", "iret")}
    # The data between cli and hlt went to .data.tab, so hlt directly follows cli's site.
    by = {s.kind_name: s for s in res.sites}
    assert by["hlt"].offset == by["cli"].offset + by["cli"].len
    assert res.elf.section(".data.tab").size == 4


@pytest.mark.parametrize("cc", COMPILERS)
def test_pushsection_popsection_compiled(asm, tmp_path, cc):
    s = compile_s(cc, PUSHSECTION_C, tmp_path, "-m32", "-O2")
    res = asm(s, "--afterburn-policy=full")
    check_sites(res.elf)
    assert _sections_of(res) == {(".text", "sti"), (".text.slow", "cli"), (".text.slow", "hlt"),
                                 (".text", "pushf")}


# ---------------------------------------------------------------------------
# Linux's alternatives: .altinstr_replacement is never annotated, and the
# .skip arithmetic of ALTERNATIVE still holds around an annotated original.

ALTERNATIVE_H = r'''
#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)
/* Copied from Linux 6.1 arch/x86/include/asm/alternative.h */
#define b_replacement(num)	"664"#num
#define e_replacement(num)	"665"#num
#define alt_end_marker		"663"
#define alt_slen		"662b-661b"
#define alt_total_slen		alt_end_marker"b-661b"
#define alt_rlen(num)		e_replacement(num)"f-"b_replacement(num)"f"
#define OLDINSTR(oldinstr, num)						\
	"# ALT: oldnstr\n"						\
	"661:\n\t" oldinstr "\n662:\n"					\
	"# ALT: padding\n"						\
	".skip -(((" alt_rlen(num) ")-(" alt_slen ")) > 0) * "		\
		"((" alt_rlen(num) ")-(" alt_slen ")),0x90\n"		\
	alt_end_marker ":\n"
#define alt_max_short(a, b)	"((" a ") ^ (((" a ") ^ (" b ")) & -(-((" a ") < (" b ")))))"
#define OLDINSTR_2(oldinstr, num1, num2) \
	"# ALT: oldinstr2\n"									\
	"661:\n\t" oldinstr "\n662:\n"								\
	"# ALT: padding2\n"									\
	".skip -((" alt_max_short(alt_rlen(num1), alt_rlen(num2)) " - (" alt_slen ")) > 0) * "	\
		"(" alt_max_short(alt_rlen(num1), alt_rlen(num2)) " - (" alt_slen ")), 0x90\n"	\
	alt_end_marker ":\n"
#define ALTINSTR_ENTRY(feature, num)					      \
	" .long 661b - .\n"				/* label           */ \
	" .long " b_replacement(num)"f - .\n"		/* new instruction */ \
	" .word " __stringify(feature) "\n"		/* feature bit     */ \
	" .byte " alt_total_slen "\n"			/* source len      */ \
	" .byte " alt_rlen(num) "\n"			/* replacement len */
#define ALTINSTR_REPLACEMENT(newinstr, num)		/* replacement */	\
	"# ALT: replacement " #num "\n"						\
	b_replacement(num)":\n\t" newinstr "\n" e_replacement(num) ":\n"
#define ALTERNATIVE(oldinstr, newinstr, feature)			\
	OLDINSTR(oldinstr, 1)						\
	".pushsection .altinstructions,\"a\"\n"				\
	ALTINSTR_ENTRY(feature, 1)					\
	".popsection\n"							\
	".pushsection .altinstr_replacement, \"ax\"\n"			\
	ALTINSTR_REPLACEMENT(newinstr, 1)				\
	".popsection\n"
#define ALTERNATIVE_2(oldinstr, newinstr1, feature1, newinstr2, feature2)\
	OLDINSTR_2(oldinstr, 1, 2)					\
	".pushsection .altinstructions,\"a\"\n"				\
	ALTINSTR_ENTRY(feature1, 1)					\
	ALTINSTR_ENTRY(feature2, 2)					\
	".popsection\n"							\
	".pushsection .altinstr_replacement, \"ax\"\n"			\
	ALTINSTR_REPLACEMENT(newinstr1, 1)				\
	ALTINSTR_REPLACEMENT(newinstr2, 2)				\
	".popsection\n"
'''

ALTERNATIVE_C = ALTERNATIVE_H + r'''
/* The replacement (8 bytes) is longer than the annotated original (5 + 1). */
unsigned long alt_long(void)
{
	unsigned long f;
	asm volatile(ALTERNATIVE("pushf; pop %0", "movl $0x12345678, %0; sti; sti; sti", 101)
		     : "=r"(f) :: "memory");
	return f;
}

/* The replacement (2 bytes) is shorter than the annotated original (7). */
void alt_short(void)
{
	asm volatile(ALTERNATIVE("cli", "sti; sti", 102) ::: "memory");
}

/* Two replacements; the longer one (9 bytes) decides. */
void alt_two(void)
{
	asm volatile(ALTERNATIVE_2("pushf; popf", "sti", 103, "movl $1, %%eax; movl $2, %%eax; hlt", 104)
		     ::: "eax", "memory");
}
'''

ALT_ENTRY = 4 + 4 + 2 + 1 + 1   # struct alt_instr in Linux 6.1


def _alt_entries(elf):
    """[(original section, offset, replacement section, offset, cpuid, instrlen, replacementlen)]"""
    sec = elf.section(".altinstructions")
    assert sec is not None and sec.size % ALT_ENTRY == 0
    rel = {r.offset: r for r in elf.relocations_for(sec)}
    out = []
    for off in range(0, sec.size, ALT_ENTRY):
        r0, r1 = rel[off], rel[off + 4]
        t0 = elf.section_symbol_target(r0.sym)
        t1 = elf.section_symbol_target(r1.sym)
        cpuid, ilen, rlen = E.struct.unpack_from("<HBB", sec.data, off + 8)
        out.append((t0[0], t0[1] + r0.addend, t1[0], t1[1] + r1.addend, cpuid, ilen, rlen))
    return out


def _check_alternatives(res, src_path, note_lines=True):
    elf = res.elf
    sites = check_sites(elf)
    repl = elf.section(".altinstr_replacement")
    text_sites = {(s.section, s.offset): s for s, _ in sites}
    # Nothing in the replacement section is a site ...
    assert not [s for s, _ in sites if s.section == repl.index]
    # ... and each sensitive instruction there got a note pointing at its line.
    ns = [n for n in notes(res.stderr) if ".altinstr_replacement" in n[2]]
    lines = src_path.read_text().splitlines()
    kinds_noted = collections.Counter(re.match(r"(\S+) in", msg).group(1) for _, _, msg in ns)
    assert kinds_noted == {"sti": 6, "hlt": 1}, res.stderr
    for f, line, msg in ns if note_lines else ():
        assert os.path.basename(f) == src_path.name, (f, src_path)
        kind = msg.split()[0]
        assert kind in lines[line - 1], f"note for {kind} points at line {line}: {lines[line - 1]!r}"

    entries = _alt_entries(elf)
    by_feature = {e[4]: e for e in entries}
    assert set(by_feature) == {101, 102, 103, 104}
    disasm = E.objdump_by_section(elf)
    # feature: (kinds of the original instructions, replacement length)
    originals = {101: (["pushf", None], 8), 102: (["cli"], 2), 103: (["pushf", "popf"], 1),
                 104: (["pushf", "popf"], 11)}
    for feature, (kinds, rlen_expect) in originals.items():
        osec, ooff, rsec, roff, _, ilen, rlen = by_feature[feature]
        assert rsec == repl.index
        assert rlen == rlen_expect, (feature, rlen)
        # Walk the original: every sensitive instruction in it is a whole site.
        insns = {i.addr: i for i in disasm[osec]}
        pos = ooff
        for kind in kinds:
            site = text_sites.get((osec, pos))
            if kind is None:
                assert site is None
                pos = insns[pos].end
            else:
                assert site is not None and site.kind_name == kind, \
                    f"feature {feature}: no {kind} site at {pos:#x} in the original"
                pos += site.len
        annotated_len = pos - ooff              # 662b-661b with the padding
        longest = max(r[6] for r in entries if r[0] == osec and r[1] == ooff)
        # instrlen = 663b-661b = max(original incl. site padding, longest replacement)
        assert ilen == max(annotated_len, longest), (feature, ilen, annotated_len, longest)
        assert ilen >= rlen, "apply_alternatives() needs instrlen >= replacementlen"
        # The bytes after the original up to instrlen are the .skip's 0x90s.
        fill = elf.read(osec, pos, ilen - annotated_len)
        assert fill == b"\x90" * (ilen - annotated_len), (feature, fill.hex())
        # The replacement is intact: its bytes decode to the same kinds, unpadded.
        rins = [i for i in disasm[rsec] if roff <= i.addr < roff + rlen]
        assert sum(i.size for i in rins) == rlen
    assert by_feature[101][5] == 8     # 5 + 1 + .skip 2
    assert by_feature[102][5] == 7     # the cli site, .skip 0
    assert by_feature[103][5] == 11    # 5 + 5 + .skip 1 (replacement 2 is 11 bytes)


# The assembly-side macros of Linux 6.1 (alternative.h, __ASSEMBLY__), with
# alt_max_short() expanded by hand.
ALTERNATIVE_S = r"""
	.macro altinstruction_entry orig alt feature orig_len alt_len
	.long \orig - .
	.long \alt - .
	.word \feature
	.byte \orig_len
	.byte \alt_len
	.endm

	.macro ALTERNATIVE oldinstr, newinstr, feature
140:
	\oldinstr
141:
	.skip -(((144f-143f)-(141b-140b)) > 0) * ((144f-143f)-(141b-140b)),0x90
142:
	.pushsection .altinstructions,"a"
	altinstruction_entry 140b,143f,\feature,142b-140b,144f-143f
	.popsection
	.pushsection .altinstr_replacement,"ax"
143:
	\newinstr
144:
	.popsection
	.endm

	.macro ALTERNATIVE_2 oldinstr, newinstr1, feature1, newinstr2, feature2
140:
	\oldinstr
141:
	.skip -((((144f-143f) ^ (((144f-143f) ^ (145f-144f)) & -(-((144f-143f) < (145f-144f))))) - (141b-140b)) > 0) * (((144f-143f) ^ (((144f-143f) ^ (145f-144f)) & -(-((144f-143f) < (145f-144f))))) - (141b-140b)),0x90
142:
	.pushsection .altinstructions,"a"
	altinstruction_entry 140b,143f,\feature1,142b-140b,144f-143f
	altinstruction_entry 140b,144f,\feature2,142b-140b,145f-144f
	.popsection
	.pushsection .altinstr_replacement,"ax"
143:
	\newinstr1
144:
	\newinstr2
145:
	.popsection
	.endm

	.text
	.globl f
f:
	ALTERNATIVE "pushf; pop %eax", "movl $0x12345678, %eax; sti; sti; sti", 101
	ALTERNATIVE "cli", "sti; sti", 102
	ALTERNATIVE_2 "pushf; popf", "sti", 103, "movl $1, %eax; movl $2, %eax; hlt", 104
	ret
"""


def test_altinstr_replacement_handwritten(asm, tmp_path):
    res = asm(ALTERNATIVE_S, "--afterburn-policy=full", name="alt.s")
    _check_alternatives(res, tmp_path / "alt.s", note_lines=False)
    # minimal: the pushf originals are sites, cli is not
    assert asm(ALTERNATIVE_S, name="alt.s").kinds() == {"pushf": 2, "popf": 1}


@pytest.mark.parametrize("cc", COMPILERS)
def test_altinstr_replacement_compiled(asm, tmp_path, cc):
    s = compile_s(cc, ALTERNATIVE_C, tmp_path, "-m32", "-O2")
    res = asm(s, "--afterburn-policy=full")
    _check_alternatives(res, s)


def test_altinstr_note_silenced_by_quiet(asm):
    src = """\
	.text
	cli
	.pushsection .altinstr_replacement,"ax"
	sti
	.popsection
	.pushsection .discard.text,"ax"
	hlt
	.popsection
"""
    loud = asm(src, "--afterburn-policy=full", name="q.s")
    assert loud.kinds() == {"cli": 1}
    assert [(line, m.split()[0]) for _, line, m in notes(loud.stderr)] == [(4, "sti"), (7, "hlt")]
    quiet = asm(src, "--afterburn-policy=full", "--afterburn-quiet", name="q.s")
    assert quiet.rc == 0 and "note:" not in quiet.stderr
    env_quiet = asm(src, "--afterburn-policy=full", name="q.s", env={"AFTERBURN_QUIET": "1"})
    assert "note:" not in env_quiet.stderr


# ---------------------------------------------------------------------------
# Guest user-mode code (.user_text, .user_text.*) is never annotated

USER_TEXT_S = """\
	.text
	cli
	pushf
	.section .user_text,"ax"
	cli
	pushf
	int $0x80
	.section .user_text.proc1,"ax"
	popf
	.section .user_textual,"ax"
	popf
"""


def test_user_text_not_annotated(asm):
    res = asm(USER_TEXT_S, "--afterburn-policy=full", name="user.s")
    # .text: cli, pushf; .user_textual is not the convention: popf
    assert res.kinds() == {"cli": 1, "pushf": 1, "popf": 1}
    assert [(line, m.split()[0]) for _, line, m in notes(res.stderr)] == [(5, "cli"), (6, "pushf"), (9, "popf")]
    assert "user-mode" in res.stderr


# ---------------------------------------------------------------------------
# .code16 regions are skipped

CODE16_S = """\
	.text
	.code16
real:
	cli
	pushf
	inb $0x64, %al
	.code32
prot:
	cli
	pushf
	.code16gcc
	sti
	.code32
	sti
"""

CODE16_C = r"""
asm(".text\n"
    ".code16\n"
    "real_entry:\n\tcli\n\tpushf\n\tinb $0x64, %al\n"
    ".code32\n"
    "prot_entry:\n\tcli\n\tpushf\n");
void f(void) { asm volatile("sti"); }
"""


def _check_code16(res):
    elf = res.elf
    sites = check_sites(elf)
    text = elf.section(".text")
    # Nothing before prot is padded: the 16-bit bytes are exactly as written.
    assert text.data.startswith(bytes.fromhex("fa 9c e4 64")), text.data[:8].hex()
    assert all(s.offset >= 4 for s, _ in sites)
    return kinds_in(sites)


def test_code16_skipped_handwritten(asm):
    res = asm(CODE16_S, "--afterburn-policy=full")
    got = _check_code16(res)
    assert got == {"cli": 1, "pushf": 1, "sti": 1}, got
    # The .code16gcc sti (at the byte after prot's pushf site) is not a site either.
    sti = [s for s in res.sites if s.kind_name == "sti"]
    assert len(sti) == 1 and res.elf.section(".text").data[sti[0].offset - 1] == 0xfb


@pytest.mark.parametrize("cc", COMPILERS)
def test_code16_skipped_compiled(asm, tmp_path, cc):
    s = compile_s(cc, CODE16_C, tmp_path, "-m32", "-O2")
    res = asm(s, "--afterburn-policy=full")
    got = _check_code16(res)
    assert got == {"cli": 1, "pushf": 1, "sti": 1}, got


# ---------------------------------------------------------------------------
# .intel_syntax blocks

INTEL_S = """\
	.text
	pushf
	.intel_syntax noprefix
	pushfd
	mov eax, cr0
	in al, dx
	out 0x80, al
	mov ax, cs
	lgdt [eax]
	.att_syntax prefix
	popf
	mov %cr3, %eax
"""

INTEL_C = r"""
unsigned long f(unsigned short port)
{
	unsigned long v;
	asm volatile(".intel_syntax noprefix\n\t"
		     "pushfd\n\tpop ecx\n\tmov eax, cr0\n\tin al, dx\n\tout 0x80, al\n"
		     ".att_syntax prefix" : "=c"(v) : "d"(port) : "eax", "memory");
	return v;
}
"""

# gcc -masm=intel writes the whole file in Intel syntax
INTEL_WHOLE_C = r"""
unsigned long f(unsigned short port)
{
	unsigned long v;
	asm volatile("pushfd\n\tpop %0\n\tmov eax, cr0\n\tin al, dx\n\tout 0x80, al"
		     : "=r"(v) : "d"(port) : "eax", "memory");
	return v;
}
"""


def test_intel_syntax_handwritten(asm):
    res = asm(INTEL_S, "--afterburn-policy=full")
    got = kinds_in(check_sites(res.elf))
    assert got == {"pushf": 2, "popf": 1, "mov-from-cr": 2, "in": 1, "out": 1,
                   "mov-from-sreg": 1, "lgdt": 1}, got
    by = collections.defaultdict(list)
    for site in sorted(res.sites, key=lambda x: x.offset):
        by[site.kind_name].append(site)
    assert [x.op_a for x in by["mov-from-cr"]] == [0, 3]     # %cr0, then %cr3
    assert by["out"][0].op_a == 0x80 and by["out"][0].flags & E.SITE_IMM
    assert not by["in"][0].flags & E.SITE_IMM                 # in al, dx


@pytest.mark.parametrize("cc", COMPILERS)
def test_intel_syntax_compiled(asm, tmp_path, cc):
    s = compile_s(cc, INTEL_C, tmp_path, "-m32", "-O2")
    got = kinds_in(check_sites(asm(s, "--afterburn-policy=full").elf))
    assert got == {"pushf": 1, "mov-from-cr": 1, "in": 1, "out": 1}, got


@pytest.mark.parametrize("cc", COMPILERS)
def test_intel_syntax_whole_file(asm, tmp_path, cc):
    s = compile_s(cc, INTEL_WHOLE_C, tmp_path, "-m32", "-O2", "-masm=intel")
    assert ".intel_syntax" in s.read_text()
    got = kinds_in(check_sites(asm(s, "--afterburn-policy=full").elf))
    assert got == {"pushf": 1, "mov-from-cr": 1, "in": 1, "out": 1}, got


# ---------------------------------------------------------------------------
# ';'-separated statements

def test_semicolon_statements_handwritten(asm):
    res = asm("\t.text\n\tpushf; popf; cli; nop; sti; ret\n", "--afterburn-policy=full")
    sites = check_sites(res.elf)
    assert [s.kind_name for s, _ in sorted(sites, key=lambda x: x[0].offset)] == \
        ["pushf", "popf", "cli", "sti"]
    # Every site is laid out back to back, with the nop kept in between;
    # sti's padding comes first, so the sti sits right before the ret.
    text = res.elf.section(".text").data
    assert text[5 + 5 + 7] == 0x90 and text[5 + 5 + 7 + 1 + 4] == 0xfb
    assert text[5 + 5 + 7 + 1 + 5] == 0xc3


@pytest.mark.parametrize("cc", COMPILERS)
def test_semicolon_statements_compiled(asm, tmp_path, cc):
    c = r"""
    unsigned long f(void)
    {
    	unsigned long fl;
    	asm volatile("pushf; pop %0; cli; sti; popf" : "=r"(fl) :: "memory");
    	return fl;
    }
    """
    s = compile_s(cc, c, tmp_path, "-m32", "-O2")
    got = kinds_in(check_sites(asm(s, "--afterburn-policy=full").elf))
    assert got == {"pushf": 1, "cli": 1, "sti": 1, "popf": 1}, got


# ---------------------------------------------------------------------------
# prefixes: the site starts at the prefix and insn_len includes it

PREFIX_S = """\
	.text
	rep; outsb
	rep outsl
	rep; insw
	data16; outl %eax, $0x80
	data16
	inl %dx, %eax
	lock; cli
	lock; incl (%eax)
	rep; ret
	cs; pushf
	ret
"""

PREFIX_C = r"""
void f(void *buf, unsigned n)
{
	asm volatile("rep; outsb" : "+S"(buf), "+c"(n) : "d"(0x3f8) : "memory");
	asm volatile("rep outsl" : "+S"(buf), "+c"(n) : "d"(0x3f8) : "memory");
	asm volatile("rep; insw" : "+D"(buf), "+c"(n) : "d"(0x1f0) : "memory");
	asm volatile("data16; outl %%eax, $0x80" ::: "eax");
	asm volatile("lock; cli");
	asm volatile("lock; incl (%0)" :: "r"(buf) : "memory");
}
"""


def _prefix_sites(res):
    elf = res.elf
    sites = check_sites(elf)
    text = elf.section(".text")
    out = []
    for s, insn in sorted(sites, key=lambda x: x[0].offset):
        out.append((s.kind_name, text.data[s.offset:s.offset + s.insn_len].hex(),
                    bool(s.flags & E.SITE_REP), s.len))
    return out


def test_prefixes_handwritten(asm):
    res = asm(PREFIX_S, "--afterburn-policy=full")
    assert _prefix_sites(res) == [
        ("outs", "f36e", True, 5),
        ("outs", "f36f", True, 5),
        ("ins", "f3666d", True, 5),
        ("out", "66e780", False, 7),
        ("in", "66ed", False, 7),
        ("cli", "f0fa", False, 7),
        ("pushf", "2e9c", False, 5),
    ]
    out = [s for s in res.sites if s.kind_name == "out"][0]
    assert out.op_a == 0x80 and out.width == 2 and out.flags & E.SITE_IMM
    # lock incl and rep ret are no sites; their prefix stays with them.
    text = res.elf.section(".text").data
    assert bytes.fromhex("f0ff00") in text and bytes.fromhex("f3c3") in text


@pytest.mark.parametrize("cc", COMPILERS)
def test_prefixes_compiled(asm, tmp_path, cc):
    s = compile_s(cc, PREFIX_C, tmp_path, "-m32", "-O2")
    got = [(k, b) for k, b, _, _ in _prefix_sites(asm(s, "--afterburn-policy=full"))]
    assert got == [("outs", "f36e"), ("outs", "f36f"), ("ins", "f3666d"), ("out", "66e780"),
                   ("cli", "f0fa")], got


# ---------------------------------------------------------------------------
# GCC's .loc ... view, and debug info that still points at the right line

DEBUG_C = """\
static inline unsigned long save_fl(void)
{
	unsigned long fl;
	asm volatile("pushf; pop %0" : "=r"(fl));
	return fl;
}

int work(int *p, int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += p[i] * (int)save_fl();
	asm volatile("cli");
	return s;
}
"""


def _addr2line(obj, off):
    p = run(["addr2line", "-e", obj, hex(off)])
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def _check_debug_lines(res):
    by = {s.kind_name: s for s in res.sites}
    assert set(by) == {"pushf", "cli"}
    for kind, line in (("pushf", 4), ("cli", 13)):
        where = _addr2line(res.obj, by[kind].offset)
        assert re.match(rf"^(.*/)?dbg\.c:{line}( |$)", where), \
            f"addr2line of the {kind} site says {where!r}, expected dbg.c:{line}"


@pytest.mark.parametrize("cc,flags", [("gcc", ["-gdwarf-4"]), ("gcc", ["-gdwarf-5"]),
                                      ("clang", ["-g"]), ("clang", ["-gdwarf-4"])],
                         ids=["gcc-dwarf4", "gcc-dwarf5", "clang-dwarf5", "clang-dwarf4"])
def test_debug_line_survives(asm, tmp_path, cc, flags):
    s = compile_s(cc, DEBUG_C, tmp_path, "-m32", "-O2", *flags, name="dbg")
    if cc == "gcc":
        assert re.search(r"\.loc .* view ", s.read_text()), "gcc wrote no .loc view"
    res = asm(s, "--afterburn-policy=full")
    check_sites(res.elf)
    _check_debug_lines(res)


def test_gcc_loc_view_assembles(asm, tmp_path):
    s = compile_s("gcc", DEBUG_C, tmp_path, "-m32", "-O2", "-g", name="dbg")
    assert re.search(r"\.loc .* view \.LVU", s.read_text()), "gcc wrote no .loc ... view"
    res = asm(s, "--afterburn-policy=full")
    assert res.rc == 0, res.stderr
    check_sites(res.elf)
    # The line numbers are right even when the file name is not (see below).
    by = {s.kind_name: s for s in res.sites}
    assert re.search(r":4( |$)", _addr2line(res.obj, by["pushf"].offset))
    assert re.search(r":13( |$)", _addr2line(res.obj, by["cli"].offset))


def test_gcc_dwarf5_file_names(asm, tmp_path):
    s = compile_s("gcc", DEBUG_C, tmp_path, "-m32", "-O2", "-gdwarf-5", name="dbg")
    res = asm(s, "--afterburn-policy=full")
    _check_debug_lines(res)


def test_debug_info_gives_no_warning(asm, tmp_path):
    """GCC's DWARF 5 .debug_line_str is handled (GCC's strings go to subsection 1)."""
    for cc, flag in (("clang", "-g"), ("gcc", "-gdwarf-4"), ("gcc", "-gdwarf-5")):
        s = compile_s(cc, DEBUG_C, tmp_path, "-m32", "-O2", flag, name=f"ok{flag[2:]}")
        assert "warning" not in asm(s).stderr


def test_afterburn_cc_gcc_g_lines(bindir, tmp_path):
    src = tmp_path / "dbg.c"
    src.write_text(DEBUG_C)
    obj = tmp_path / "dbg.o"
    p = run([bindir / "afterburn-cc", "--policy", "full", "gcc", "-m32", "-O2", "-g", "-c",
             src.name, "-o", obj.name], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    res = Result(p, obj)
    check_sites(res.elf)
    _check_debug_lines(res)


def test_afterburn_cc_gcc_gdwarf5_lines(bindir, tmp_path):
    src = tmp_path / "dbg.c"
    src.write_text(DEBUG_C)
    obj = tmp_path / "dbg.o"
    p = run([bindir / "afterburn-cc", "--policy", "full", "gcc", "-m32", "-O2", "-gdwarf-5",
             "-c", src.name, "-o", obj.name], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    _check_debug_lines(Result(p, obj))


# ---------------------------------------------------------------------------
# sensitive instructions written as .byte are reported with file:line

BYTES_S = """\
	.text
f:
	nop
	.byte 0x0f, 0x01, 0x0d, 0, 0, 0, 0
	movl %eax, %ebx
	.byte 0xfa
	ret
	.section .rodata
	.byte 0xfa, 0x9c
	.text
	.byte 0x90, 0x90
	.long 0x12345678
"""


def test_byte_sequences_reported(asm):
    res = asm(BYTES_S, "--afterburn-policy=full", name="bytes.s")
    assert res.rc == 0
    warns = notes(res.stderr, "warning")
    got = [(os.path.basename(f), line, m.split()[2]) for f, line, m in warns]
    assert got == [("bytes.s", 4, "sidt"), ("bytes.s", 6, "cli")], res.stderr
    assert all("written as data" in m for _, _, m in warns)
    assert res.sites == []


def test_byte_sequences_reported_per_line(asm):
    res = asm("\t.text\n\t.byte 0x0f, 0xa2\n\t.byte 0xfa\n\t.byte 0x9c\n", name="b2.s")
    got = [(line, m.split()[2]) for _, line, m in notes(res.stderr, "warning")]
    assert got == [(2, "cpuid"), (3, "cli"), (4, "pushf")], res.stderr


MACRO_DIAG_S = """\
	.macro m
	nop
	.pushsection .altinstr_replacement,"ax"
	sti
	.popsection
	.byte 0xfa
	.endm
	.text
	m
	.rept 2
	.byte 0x9c
	.endr
"""


@pytest.mark.xfail(strict=True, reason="LIMITATION: LLVM 14 adds each .macro/.rept expansion "
                   "as a source buffer without an include location, and keeps the invocation "
                   "site private to its AsmParser, so notes name '<instantiation>:N'")
def test_diagnostics_inside_macros_name_the_source(asm):
    res = asm(MACRO_DIAG_S, "--afterburn-policy=full", name="mac.s")
    diags = notes(res.stderr) + notes(res.stderr, "warning")
    assert len(diags) == 4, res.stderr
    for f, line, msg in diags:
        kind = msg.split()[0] if "note" not in msg else msg
        # the line of the body (4, 6, 11) or of the invocation (9, 10)
        assert os.path.basename(f) == "mac.s" and line in (4, 6, 9, 10, 11), (f, line, msg)


@pytest.mark.parametrize("cc", COMPILERS)
def test_byte_sequences_reported_compiled(asm, tmp_path, cc):
    c = r"""
    void f(void) { asm volatile("nop\n\t.byte 0x0f, 0xa2" ::: "eax", "ebx", "ecx", "edx"); }
    void g(void) { asm volatile("nop\n\t.byte 0x0f, 0x01, 0xf8"); }
    """
    s = compile_s(cc, c, tmp_path, "-m32", "-O2")
    res = asm(s, "--afterburn-policy=full")
    warns = notes(res.stderr, "warning")
    assert [(os.path.basename(f), line, m.split()[2]) for f, line, m in warns] == \
        [(s.name, line_of(s, re.compile(r"\.byte\s+(0x0f|15)\b")), "cpuid")], res.stderr
    # 0f 01 f8 is swapgs only in 64-bit code: not reported in a 32-bit object.


# ---------------------------------------------------------------------------
# policies none, minimal, full

ALL_KINDS_BODY = """\
	pushf
	popf
	iret
	sgdt (%eax)
	sidt (%eax)
	sldt %ax
	str %ax
	smsw %ax
	lar %ax, %bx
	lsl %ax, %bx
	verr %ax
	verw %ax
	mov %cs, %ax
	mov %ss, %ax
	push %cs
	push %ss
	lret
	lret $8
	ljmp $0x10, $0x1000
	lcall $0x10, $0x1000
	ljmp *(%eax)
	lcall *(%eax)
	cpuid
	cli
	sti
	hlt
	inb $0x60, %al
	inl %dx, %eax
	outb %al, $0x80
	outw %ax, %dx
	insb
	outsl
	mov %cr3, %eax
	mov %eax, %cr0
	mov %dr7, %eax
	mov %eax, %dr0
	lgdt (%eax)
	lidt (%eax)
	lldt %ax
	ltr %ax
	lmsw %ax
	clts
	invlpg (%eax)
	invd
	wbinvd
	rdmsr
	wrmsr
	rdpmc
	sysenter
	sysexit
	mov %ax, %ds
	mov %eax, %fs
	pop %es
	pop %gs
	lds (%eax), %ebx
	les (%eax), %ebx
	lfs (%eax), %ebx
	lgs (%eax), %ebx
	lss (%eax), %ebx
	mov (%eax), %ss
	rdtsc
	mov %ds, %ax
	push %ds
	pushl %eax
	ret
"""
ALL_KINDS_S = "\t.text\n\t.globl f\nf:\n" + ALL_KINDS_BODY

ALL_KINDS_C = "void f(void)\n{\n\tasm volatile(\n" + "".join(
    '\t\t"{}\\n"\n'.format(l.strip().replace("%", "%%")) for l in ALL_KINDS_BODY.splitlines()
    if l.strip() != "ret") + '\t\t::: "memory");\n}\n'


def _policy_kinds(res):
    got = kinds_in(check_sites(res.elf))
    return got


def _expect_all(policy):
    silent = collections.Counter({k: 1 for k in SILENT})
    silent.update({"mov-from-sreg": 1, "push-sreg": 1, "lret": 1, "ljmp": 1, "lcall": 1,
                   "mov-to-sreg": 2, "pop-sreg": 1, "load-far-ptr": 4})
    if policy == "minimal":
        return silent
    trapping = collections.Counter({k: 1 for k in TRAPPING_32})
    trapping.update({"in": 1, "out": 1})
    return silent + trapping


def test_policy_classes_match_kinds_table():
    silent = {n for k, n in E.KIND_NAMES.items() if E.KIND_CLASSES[k] == "SILENT"}
    trapping = {n for k, n in E.KIND_NAMES.items() if E.KIND_CLASSES[k] == "TRAPPING"}
    assert silent == SILENT
    assert TRAPPING_32 <= trapping and trapping - TRAPPING_32 == {"swapgs", "syscall", "sysret"}


@pytest.mark.parametrize("policy", ["none", "minimal", "full"])
def test_policy_handwritten(asm, policy):
    res = asm(ALL_KINDS_S, f"--afterburn-policy={policy}")
    got = _policy_kinds(res)
    expect = collections.Counter() if policy == "none" else _expect_all(policy)
    assert got == expect, f"missing {expect - got}, extra {got - expect}"


@pytest.mark.parametrize("cc", COMPILERS)
@pytest.mark.parametrize("policy", ["minimal", "full"])
def test_policy_compiled(asm, tmp_path, cc, policy):
    s = compile_s(cc, ALL_KINDS_C, tmp_path, "-m32", "-O2")
    got = _policy_kinds(asm(s, f"--afterburn-policy={policy}"))
    expect = _expect_all(policy)
    assert got == expect, f"missing {expect - got}, extra {got - expect}"


def test_policy_default_env_and_override(asm):
    assert asm(ALL_KINDS_S).kinds() == _expect_all("minimal")
    assert asm(ALL_KINDS_S, env={"AFTERBURN_POLICY": "full"}).kinds() == _expect_all("full")
    assert asm(ALL_KINDS_S, "--afterburn-policy=none", env={"AFTERBURN_POLICY": "full"}).sites == []
    bad = asm(ALL_KINDS_S, "--afterburn-policy=most")
    assert bad.rc == 1 and "most" in bad.stderr and not bad.obj.exists()


def test_policy_none_is_plain_assembly(asm):
    # policy none: byte-identical code to what the same assembler does
    # without any annotation, and no .afterburn section at all.
    res = asm(ALL_KINDS_S, "--afterburn-policy=none")
    assert res.elf.section(".afterburn") is None
    text = res.elf.section(".text").data
    assert text[:3] == bytes.fromhex("9c 9d cf")


@pytest.mark.parametrize("policy", ["none", "full"])
def test_no_debug_sections_without_g(asm, policy):
    res = asm("\t.text\n\tnop\n\tcli\n", f"--afterburn-policy={policy}")
    debug = [s.name for s in res.elf.sections if s.name.startswith(".debug")]
    assert debug == [], f"debug sections without -g: {debug}"


def test_site_operands(asm):
    res = asm(ALL_KINDS_S, "--afterburn-policy=full")
    s = sorted(res.sites, key=lambda x: x.offset)
    by = collections.defaultdict(list)
    for x in s:
        by[x.kind_name].append(x)
    inb, inl = by["in"]
    assert inb.flags & E.SITE_IMM and inb.op_a == 0x60 and inb.width == 1
    assert not inl.flags & E.SITE_IMM and inl.width == 4
    outb, outw = by["out"]
    assert outb.op_a == 0x80 and outb.width == 1 and outw.width == 2
    assert by["mov-from-cr"][0].op_a == 3 and by["mov-from-cr"][0].op_b == 0
    assert by["mov-to-cr"][0].op_a == 0
    assert by["mov-from-dr"][0].op_a == 7
    lret, lret8 = by["lret"]
    assert not lret.flags & E.SITE_IMM
    assert lret8.flags & E.SITE_IMM and lret8.op_a | lret8.op_b << 8 == 8
    ljmp_imm, ljmp_mem = by["ljmp"]
    assert ljmp_imm.flags & E.SITE_IMM and ljmp_imm.op_a | ljmp_imm.op_b << 8 == 0x10
    assert ljmp_mem.flags & E.SITE_MEM
    assert ljmp_imm.len == ljmp_imm.insn_len == 7   # the instruction fills its site
    assert by["sgdt"][0].flags & E.SITE_MEM
    assert {x.op_a for x in by["mov-from-sreg"]} == {1, 2}   # %cs, %ss
    assert {x.op_a for x in by["push-sreg"]} == {1, 2}


# ---------------------------------------------------------------------------
# rules files

RULES_C = """\
static inline unsigned long save_fl(void)
{
	unsigned long fl;
	asm volatile("pushf; pop %0" : "=r"(fl));
	return fl;
}

__attribute__((noinline)) int work(int n)
{
	int s = (int)save_fl();
	asm volatile("cli");
	return s + n;
}

__attribute__((noinline)) void other(void)
{
	asm volatile("cli");
	asm volatile("rdtsc" ::: "eax", "edx");
}
"""
# line numbers in RULES_C
L_PUSHF, L_CLI_WORK, L_CLI_OTHER = 4, 11, 17


def _rules(tmp_path, text, name="r.rules"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def _site_functions(res):
    """{(kind, function)} of the sites, by the symbols of the object."""
    syms = [s for s in res.elf.symbols() if s.type == 2]  # STT_FUNC
    out = collections.Counter()
    for site in res.sites:
        fn = [f.name for f in syms if f.shndx == site.section and f.value <= site.offset < f.value + f.size]
        out[(site.kind_name, fn[0] if fn else None)] += 1
    return out


@pytest.mark.parametrize("cc", COMPILERS)
def test_rules_kind_and_function(asm, tmp_path, cc):
    s = compile_s(cc, RULES_C, tmp_path, "-m32", "-O2", name="rules")
    base = _site_functions(asm(s))
    assert base == {("pushf", "work"): 1}, base

    r = _rules(tmp_path, """\
        afterburn-rules 1
        # comment line
        annotate kind=cli function=work   # trailing comment
        annotate kind=rdtsc
        exclude kind=pushf
        """)
    got = _site_functions(asm(s, f"--afterburn-rules={r}"))
    assert got == {("cli", "work"): 1, ("rdtsc", "other"): 1}, got

    # Globs and last-match-wins.
    r2 = _rules(tmp_path, """\
        afterburn-rules 1
        annotate kind=cli,rdtsc function=*
        exclude function=oth?r kind=rdtsc
        """, "r2.rules")
    got = _site_functions(asm(s, f"--afterburn-rules={r2}"))
    assert got == {("pushf", "work"): 1, ("cli", "work"): 1, ("cli", "other"): 1}, got

    # By section.
    r3 = _rules(tmp_path, "afterburn-rules 1\nexclude section=.text*\n", "r3.rules")
    assert asm(s, "--afterburn-policy=full", f"--afterburn-rules={r3}").sites == []


@pytest.mark.parametrize("cc,flags", [("gcc", ["-gdwarf-4"]), ("gcc", ["-g"]),
                                      ("clang", ["-gdwarf-4"])],
                         ids=["gcc-dwarf4", "gcc-dwarf5", "clang-dwarf4"])
def test_rules_file_line(asm, tmp_path, cc, flags):
    s = compile_s(cc, RULES_C, tmp_path, "-m32", "-O2", *flags, name="rules")
    r = _rules(tmp_path, f"""\
        afterburn-rules 1
        exclude file=rules.c:{L_PUSHF}
        annotate file=rules.c:{L_CLI_OTHER}
        annotate file=/no/such/rules.c:{L_CLI_WORK}
        """)
    got = _site_functions(asm(s, f"--afterburn-rules={r}"))
    assert got == {("cli", "other"): 1}, got
    # A whole file.
    r2 = _rules(tmp_path, "afterburn-rules 1\nexclude file=rules.c\n", "r2.rules")
    assert asm(s, "--afterburn-policy=full", f"--afterburn-rules={r2}").sites == []


def test_rules_file_line_clang_dwarf5(asm, tmp_path):
    s = compile_s("clang", RULES_C, tmp_path, "-m32", "-O2", "-g", name="rules")
    assert re.search(r"\.loc\s+0 ", s.read_text())
    r = _rules(tmp_path, f"afterburn-rules 1\nexclude file=rules.c:{L_PUSHF}\n")
    assert _site_functions(asm(s, f"--afterburn-rules={r}")) == {}


def test_rules_policy_line_and_override(asm, tmp_path):
    src = "\t.text\nf:\n\tpushf\n\tcli\n\trdtsc\n"
    full = _rules(tmp_path, "afterburn-rules 1\npolicy full\n", "full.rules")
    assert asm(src, f"--afterburn-rules={full}").kinds() == {"pushf": 1, "cli": 1, "rdtsc": 1}
    # The command line's policy wins over the file's.
    assert asm(src, f"--afterburn-rules={full}", "--afterburn-policy=minimal").kinds() == {"pushf": 1}
    none = _rules(tmp_path, "afterburn-rules 1\npolicy none\nannotate kind=rdtsc\n", "none.rules")
    assert asm(src, f"--afterburn-rules={none}").kinds() == {"rdtsc": 1}
    # From the environment.
    assert asm(src, env={"AFTERBURN_RULES": str(none)}).kinds() == {"rdtsc": 1}


def test_rules_unmatched_note_with_stats(asm, tmp_path):
    r = _rules(tmp_path, "afterburn-rules 1\nannotate kind=cli\nannotate function=nothere\n")
    res = asm("\t.text\nf:\n\tcli\n", f"--afterburn-rules={r}", "--afterburn-stats")
    assert res.kinds() == {"cli": 1}
    assert re.search(rf"{re.escape(str(r))}:3: note: rule matched nothing", res.stderr), res.stderr
    assert "policy minimal, 1 sites" in res.stderr


BAD_RULES = [
    ("", 1, "expected 'afterburn-rules 1'"),
    ("# only a comment\n", 1, "afterburn-rules 1"),
    ("afterburn-rules 2\n", 1, "unsupported rules version"),
    ("annotate kind=cli\n", 1, "expected the header"),
    ("afterburn-rules 1\nannotate kind=bogus\n", 2, "unknown kind"),
    ("afterburn-rules 1\n\nannotate kind=cli,\n", 3, "unknown kind"),
    ("afterburn-rules 1\nrewrite kind=cli\n", 2, "unknown action"),
    ("afterburn-rules 1\nannotate colour=red\n", 2, "unknown selector"),
    ("afterburn-rules 1\nannotate kind\n", 2, "expected key=value"),
    ("afterburn-rules 1\nannotate\n", 2, "at least one selector"),
    ("afterburn-rules 1\nexclude file=a.c:x1\n", 2, "bad line number"),
    ("afterburn-rules 1\nexclude file=a.c:0\n", 2, "bad line number"),
    ("afterburn-rules 1\nexclude file=:12\n", 2, "empty file name"),
    ("afterburn-rules 1\npolicy most\n", 2, "policy none|minimal|full"),
    ("afterburn-rules 1\nannotate kind=cli a=1 b=2 c=3 d=4 e=5 f=6 g=7\n", 2, "too many words"),
    ("afterburn-rules 1\nannotate kind=cli\nexclude function=\x00x\n", 3, "NUL"),
]


@pytest.mark.parametrize("text,line,msg", BAD_RULES, ids=[f"bad{i}" for i in range(len(BAD_RULES))])
def test_bad_rules_file(asm, tmp_path, text, line, msg):
    r = tmp_path / "bad.rules"
    r.write_bytes(text.encode())
    res = asm("\t.text\n\tcli\n", f"--afterburn-rules={r}")
    assert res.rc == 1, res.stderr
    assert re.search(rf"^{re.escape(str(r))}:{line}: ", res.stderr, re.M), \
        f"expected '{r}:{line}: ...', got {res.stderr!r}"
    assert msg in res.stderr, res.stderr
    assert not res.obj.exists()


def test_missing_rules_file(asm, tmp_path):
    res = asm("\t.text\n\tcli\n", f"--afterburn-rules={tmp_path}/nope.rules")
    assert res.rc == 1 and "nope.rules" in res.stderr and not res.obj.exists()


def test_afterburn_cc_rules(bindir, tmp_path):
    src = tmp_path / "rules.c"
    src.write_text(RULES_C)
    r = _rules(tmp_path, "afterburn-rules 1\nannotate kind=cli function=other\n")
    obj = tmp_path / "rules.o"
    p = run([bindir / "afterburn-cc", "--rules", r.name, "gcc", "-m32", "-O2", "-c", src.name,
             "-o", obj], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert _site_functions(Result(p, obj)) == {("pushf", "work"): 1, ("cli", "other"): 1}
    bad = _rules(tmp_path, "afterburn-rules 1\nannotate kind=nope\n", "bad.rules")
    p = run([bindir / "afterburn-cc", "--rules", bad, "gcc", "-m32", "-c", src, "-o",
             tmp_path / "bad.o"], cwd=tmp_path)
    assert p.returncode != 0 and f"{bad}:2:" in p.stderr


# ---------------------------------------------------------------------------
# 64-bit

S64 = """\
	.text
	.globl g
g:
	swapgs
	sysretq
	pushfq
	mov %cr3, %rax
	iretq
	popfq
	ret
"""

C64 = r"""
unsigned long g(void)
{
	unsigned long v;
	asm volatile("swapgs\n\tpushfq\n\tpopq %0\n\tmov %%cr3, %%rax\n\tiretq\n\tsysretq"
		     : "=r"(v) :: "rax", "memory");
	return v;
}
"""


def _check_64(res, expect_full):
    elf = res.elf
    assert elf.bits == 64 and elf.machine == E.EM_X86_64
    sites = check_sites(elf)
    got = kinds_in(sites)
    assert got == expect_full, got
    for s, _ in sites:
        assert s.flags & E.SITE_CODE64, f"{s.kind_name} site without CODE64: {s.flags:#x}"
    rel = elf.sections_named(".rela.afterburn")
    assert rel and all(r.type == E.R_X86_64_PC32 for r in elf.relocations_for(elf.section(".afterburn")))


def test_64bit_handwritten(asm):
    res = asm(S64, "--64", "--afterburn-policy=full")
    _check_64(res, {"swapgs": 1, "sysret": 1, "pushf": 1, "mov-from-cr": 1, "iret": 1, "popf": 1})
    cr = [s for s in res.sites if s.kind_name == "mov-from-cr"][0]
    assert cr.op_a == 3 and cr.op_b == 0 and cr.width == 8
    assert asm(S64, "--64").kinds() == {"pushf": 1, "iret": 1, "popf": 1}
    # The same file in a 32-bit object fails (64-bit registers), it is not misread.
    bad = asm(S64)
    assert bad.rc == 1 and not bad.obj.exists()


@pytest.mark.parametrize("cc", COMPILERS)
def test_64bit_compiled(asm, tmp_path, cc):
    s = compile_s(cc, C64, tmp_path, "-m64", "-O2")
    _check_64(asm(s, "--64", "--afterburn-policy=full"),
              {"swapgs": 1, "pushf": 1, "mov-from-cr": 1, "iret": 1, "sysret": 1})


def test_code64_directive_in_32bit_object(asm):
    res = asm("\t.text\n\tpushf\n\t.code64\n\tpushfq\n\tswapgs\n\t.code32\n\tpopf\n",
              "--afterburn-policy=full")
    flags = {s.kind_name + ("64" if s.flags & E.SITE_CODE64 else "32")
             for s in res.sites}
    assert flags == {"pushf32", "pushf64", "swapgs64", "popf32"}, flags


def test_32bit_sites_have_no_code64(asm):
    res = asm(ALL_KINDS_S, "--afterburn-policy=full")
    assert res.sites and not [s for s in res.sites if s.flags & E.SITE_CODE64]


# ---------------------------------------------------------------------------
# COMDAT groups

COMDAT_S = """\
	.text
	.globl plain
plain:
	pushf
	ret
	.section .text.foo,"axG",@progbits,foo,comdat
	.weak foo
foo:
	popf
	cli
	ret
"""

COMDAT_CXX = r"""
__attribute__((noinline)) inline unsigned long save_flags()
{
	unsigned long f;
	asm volatile("pushf; pop %0; cli" : "=r"(f) :: "memory");
	return f;
}
unsigned long USE()
{
	unsigned long f;
	asm volatile("popf" ::: "memory");
	return save_flags() + 1;
}
"""


def _check_comdat(elf):
    sites = check_sites(elf)
    groups = elf.groups()
    member_of = {}
    for sig, flags, members in groups:
        for m in members:
            member_of[m] = (sig, flags)
    afterburn = [s for s in elf.sections if s.name == ".afterburn"]
    in_group = 0
    for site, _ in sites:
        text_group = member_of.get(site.section)
        rec_group = member_of.get(site.rec_section)
        assert text_group == rec_group, (
            f"site in {elf.sections[site.section].name} (group {text_group}) has its record in "
            f".afterburn [{site.rec_section}] (group {rec_group})")
        if text_group:
            in_group += 1
            assert text_group[1] & E.GRP_COMDAT
            assert elf.sections[site.rec_section].flags & E.SHF_GROUP
            # the relocations of that record are in the same group too
            rel = [s for s in elf.sections if s.type in (E.SHT_REL, E.SHT_RELA)
                   and s.info == site.rec_section]
            assert len(rel) == 1 and member_of.get(rel[0].index) == text_group
    assert in_group, "no site in a COMDAT group"
    return afterburn


def test_comdat_handwritten(asm):
    res = asm(COMDAT_S, "--afterburn-policy=full")
    afterburn = _check_comdat(res.elf)
    assert len(afterburn) == 2
    assert res.kinds() == {"pushf": 1, "popf": 1, "cli": 1}


@pytest.mark.parametrize("cxx", ["g++", "clang++"])
def test_comdat_compiled(asm, tmp_path, cxx):
    s = compile_s(cxx, COMDAT_CXX.replace("USE", "use1"), tmp_path, "-m32", "-O2", "-fno-pic",
                  "-fno-exceptions", "-fno-asynchronous-unwind-tables", name="cd", lang="cc")
    assert "comdat" in s.read_text()
    res = asm(s, "--afterburn-policy=full")
    _check_comdat(res.elf)


@pytest.mark.skipif(not have("ld"), reason="no ld")
def test_comdat_link_keeps_one_copy(asm, tmp_path):
    objs = []
    for n, cxx in (("a", "g++"), ("b", "clang++")):
        s = compile_s(cxx, COMDAT_CXX.replace("USE", f"use_{n}"), tmp_path, "-m32", "-O2",
                      "-fno-pic", "-fno-exceptions", "-fno-asynchronous-unwind-tables",
                      name=f"cd_{n}", lang="cc")
        objs.append(asm(s, "--afterburn-policy=full"))
    for o in objs:
        assert o.kinds() == {"pushf": 1, "cli": 1, "popf": 1}
    exe = tmp_path / "cd.elf"
    p = run(["ld", "-m", "elf_i386", "-e", "_Z5use_av", "-o", exe, *[o.obj for o in objs]])
    assert p.returncode == 0, p.stderr
    elf = E.parse(exe)
    sites = check_sites(elf)
    # one popf per translation unit, one copy of the COMDAT save_flags
    assert kinds_in(sites) == {"popf": 2, "pushf": 1, "cli": 1}, kinds_in(sites)


# ---------------------------------------------------------------------------
# ld -r keeps every record, and the offsets still resolve after linking

LDR_C = r"""
__attribute__((noinline)) unsigned long NAME_a(void)
{
	unsigned long f;
	asm volatile("pushf; pop %0; cli" : "=r"(f) :: "memory");
	return f;
}
__attribute__((noinline, section(".text.unlikely"))) void NAME_b(int p)
{
	asm volatile("outb %%al, %%dx; sti; popf" :: "a"(p), "d"(0x80) : "memory");
}
static char buf[64];
void NAME_c(void)
{
	asm volatile("rep; outsb" :: "S"(buf), "c"(8), "d"(0x3f8) : "memory");
	asm volatile("sgdt %0" : "=m"(buf));
	NAME_b(NAME_a());
}
"""


@pytest.mark.skipif(not have("ld"), reason="no ld")
def test_ld_r_keeps_records(asm, tmp_path):
    objs = []
    for cc in COMPILERS:
        s = compile_s(cc, LDR_C.replace("NAME", cc), tmp_path, "-m32", "-O2", "-fno-pic",
                      name=f"ldr_{cc}")
        objs.append(asm(s, "--afterburn-policy=full"))
    expect = collections.Counter()
    for o in objs:
        got = kinds_in(check_sites(o.elf))
        assert got == {"pushf": 1, "cli": 1, "out": 1, "sti": 1, "popf": 1, "outs": 1, "sgdt": 1}, got
        expect += got
    merged = tmp_path / "merged.o"
    p = run(["ld", "-m", "elf_i386", "-r", "-o", merged, *[o.obj for o in objs]])
    assert p.returncode == 0, p.stderr
    melf = E.parse(merged)
    assert kinds_in(check_sites(melf)) == expect
    assert sum(s.size for s in melf.sections_named(".afterburn")) == 12 * sum(expect.values())

    # Link it: every record's rel + its own address lands on the site.
    exe = tmp_path / "ldr.elf"
    p = run(["ld", "-m", "elf_i386", "-e", "gcc_c", "-o", exe, merged])
    assert p.returncode == 0, p.stderr
    xelf = E.parse(exe)
    assert xelf.type == E.ET_EXEC
    sec = xelf.section(".afterburn")
    assert sec is not None and sec.flags & E.SHF_ALLOC and sec.size == 12 * sum(expect.values())
    sites = check_sites(xelf)
    assert kinds_in(sites) == expect
    for s, insn in sites:
        # the site starts at the instruction, or at its padding for sti
        at = s.len - s.insn_len if E.KIND_PAD_BEFORE.get(s.kind) else 0
        assert s.address + at == insn.addr
        rec_addr = xelf.sections[s.rec_section].addr + s.rec_offset
        rel = E.struct.unpack_from("<i", xelf.sections[s.rec_section].data, s.rec_offset)[0]
        assert rec_addr + rel == s.address
    # The operand bytes survive linking too: "outb %al, %dx" has no immediate port.
    outs = [s for s, _ in sites if s.kind_name == "out"]
    assert len(outs) == 2 and all(not s.flags & E.SITE_IMM and s.width == 1 for s in outs)


# ---------------------------------------------------------------------------
# parse errors: file:line, exit status 1, no signal, no output file

PARSE_ERRORS = [
    ("\t.text\n\tnop\n\tfoo %eax\n", 3),
    ("\t.text\n\tmovl $1,\n", 2),
    ("\t.text\n\tcli\n\tmovl %eax, %cr9\n", 3),
    ("\t.text\n\t.rept 3\n\tcli\n", 2),
    ("\t.macro m\n\tpushf\n", 1),
    ("\t.text\n\t.byte 0x100000\n", 2),
    ("\t.text\n\t.if 1\n\tcli\n", 4),
    ("\t.text\n\t.endm\n", 2),
    ("\t.text\n\t.include \"no-such-file.s\"\n", 2),
    ("\t.text\n\t.macro m a\n\tmovl \\a, %eax\n\t.endm\n\tm %cr99\n", 5),
    ("\t.text\n\tjmp 1f\n", 2),
    ("\t.text\n\t.code16\n\tcli\n\t.code32\n\t.intel_syntax noprefix\n\tmov eax, [ebx+]\n", 6),
    ("\t.text\n\t.section .foo,\"axG\",@progbits\n", 2),
    ("\t.text\n\t.org 10\n\tnop\n\t.org 2\n", 4),
    ("\t.text\n\tpushf\n\t.err\n", 3),
    ("\t.text\n\trep\n\t.byte 0x6e\n\toutb %al, $0x100\n", 4),
]


@pytest.mark.parametrize("src,line", PARSE_ERRORS, ids=[f"err{i}" for i in range(len(PARSE_ERRORS))])
def test_parse_error(asm, src, line):
    res = asm(src, "--afterburn-policy=full", name="bad.s")
    assert res.rc == 1, f"exit status {res.rc}, stderr:\n{res.stderr}"
    # An error inside a macro expansion is LLVM's "<instantiation>:N: error"
    # followed by "bad.s:LINE: note: while in macro instantiation".
    assert re.search(rf"(^|/)bad\.s:{line}:(\d+:)? (error:|note: while in macro instantiation)",
                     res.stderr, re.M), \
        f"expected 'bad.s:{line}: error', got:\n{res.stderr}"
    assert not res.obj.exists(), "an output file was left behind"
    assert "Stack dump" not in res.stderr and "LLVM ERROR" not in res.stderr


# Inputs on which LLVM 14's MC itself gives up with report_fatal_error (an
# LLVM bug, see tests/fuzz/known-llvm/): afterburn-as must still exit with
# status 1 and a message, not abort with a stack dump, and leave no output.
LLVM_FATAL = [
    "\t.intel_syntax noprefix\n\tmov eax, [ebx+\n",
]


@pytest.mark.parametrize("src", LLVM_FATAL, ids=[f"fatal{i}" for i in range(len(LLVM_FATAL))])
def test_llvm_fatal_error_is_an_ordinary_error(asm, src):
    res = asm(src, "--afterburn-policy=full", name="bad.s")
    assert res.rc == 1, f"exit status {res.rc}, stderr:\n{res.stderr}"
    assert "error" in res.stderr and "Stack dump" not in res.stderr
    assert not res.obj.exists()


def test_parse_error_in_second_input(bindir, tmp_path):
    a = tmp_path / "a.s"
    b = tmp_path / "b.s"
    a.write_text("\t.text\n\tcli\n")
    b.write_text("\tbogus\n")
    obj = tmp_path / "ab.o"
    p = run([bindir / "afterburn-as", "-o", obj, a, b])
    assert p.returncode == 1 and "error" in p.stderr and not obj.exists()


def test_parse_error_removes_stale_output(asm, tmp_path):
    obj = tmp_path / "stale.o"
    obj.write_text("stale")
    res = asm("\t.text\n\tfoo\n", out=obj)
    assert res.rc == 1
    assert not obj.exists(), "the stale output is still there"


def test_bad_command_lines(bindir, tmp_path):
    good = tmp_path / "g.s"
    good.write_text("\t.text\n\tcli\n")
    for args in (["--no-such-option", good], [tmp_path / "missing.s"], ["-o"], ["--x32", good]):
        p = run([bindir / "afterburn-as", *args], cwd=tmp_path)
        assert p.returncode == 1, (args, p.returncode, p.stderr)
        assert p.stderr.strip(), args


@pytest.mark.parametrize("src", [
    "\n\t.file\t\"x.c\"\n\tcli\n",            # a blank first line on the rewrite path
    "\t.text\n\tcli\n\t.end",                    # ends in '.xyz' without a newline
    "\t.text\n\tcli\n\t.loc 1 2 view .LVU1\n",   # .loc view without a .file
    "\t.text\n\tcli",                              # no final newline at all
], ids=["blank-first-line", "dot-end-no-newline", "loc-view-no-file", "no-newline"])
def test_odd_but_valid_inputs(asm, src):
    """Inputs that tripped the gas-compat rewrite in the fuzzer; under the
    AB_SANITIZE build (scripts/test: build-asan) they must not trip UBSan/ASan."""
    res = asm(src, "--afterburn-policy=full", name="odd.s")
    assert "runtime error" not in res.stderr and "Sanitizer" not in res.stderr, res.stderr
    if "loc" in src:
        assert res.rc == 1 and "odd.s:3:" in res.stderr     # .loc needs a .file
    else:
        assert res.rc == 0, res.stderr
        assert res.kinds() == {"cli": 1}


def test_stdin_input(bindir, tmp_path):
    obj = tmp_path / "stdin.o"
    p = subprocess.run([str(bindir / "afterburn-as"), "--afterburn-policy=full", "-o", str(obj)],
                       input="\t.text\n\tcli\n", capture_output=True, text=True, timeout=60,
                       env=tool_env())
    assert p.returncode == 0, p.stderr
    assert kinds_in(check_sites(E.parse(obj))) == {"cli": 1}
    p = subprocess.run([str(bindir / "afterburn-as"), "-o", str(obj), "-"],
                       input="\tbogus\n", capture_output=True, text=True, timeout=60,
                       env=tool_env())
    assert p.returncode == 1 and "<stdin>:1:" in p.stderr


# ---------------------------------------------------------------------------
# afterburn-cc

HELLO_C = r"""
#include "hello.h"
unsigned long save(void)
{
	unsigned long f;
	asm volatile("pushf; pop %0; cli" : "=r"(f) :: "memory");
	return f + HELLO;
}
"""


@pytest.fixture
def hello(tmp_path):
    (tmp_path / "hello.h").write_text("#define HELLO 1\n")
    (tmp_path / "hello.c").write_text(HELLO_C)
    return tmp_path / "hello.c"


def cc_run(bindir, *args, cwd, env=None):
    return run([bindir / "afterburn-cc", *args], cwd=cwd, env=tool_env(env))


def test_cc_help_and_version(bindir, tmp_path):
    p = cc_run(bindir, "--help", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith("Usage: afterburn-cc")
    assert "--policy" in p.stdout and "--rules" in p.stdout
    p = cc_run(bindir, "--version", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith("afterburn-cc ")
    p = cc_run(bindir, cwd=tmp_path)
    assert p.returncode != 0 and "no compiler" in p.stderr
    p = cc_run(bindir, "--policy", "most", "gcc", "-c", "x.c", cwd=tmp_path)
    assert p.returncode != 0 and "most" in p.stderr


@pytest.mark.parametrize("cc", COMPILERS)
@pytest.mark.parametrize("policy", [None, "none", "minimal", "full"])
def test_cc_policy(bindir, hello, cc, policy):
    obj = hello.parent / f"h-{cc}-{policy}.o"
    args = (["--policy", policy] if policy else []) + [cc, "-m32", "-O2", "-c", hello.name, "-o", obj.name]
    p = cc_run(bindir, *args, cwd=hello.parent)
    assert p.returncode == 0, p.stderr
    got = kinds_in(check_sites(E.parse(obj)))
    expect = {None: {"pushf": 1}, "none": {}, "minimal": {"pushf": 1},
              "full": {"pushf": 1, "cli": 1}}[policy]
    assert got == expect


def test_cc_policy_from_environment(bindir, hello):
    p = cc_run(bindir, "gcc", "-m32", "-c", "hello.c", "-o", "env.o", cwd=hello.parent,
               env={"AFTERBURN_POLICY": "full"})
    assert p.returncode == 0, p.stderr
    assert kinds_in(check_sites(E.parse(hello.parent / "env.o"))) == {"pushf": 1, "cli": 1}


def _fake_compiler(tmp_path, name, rc):
    f = tmp_path / name
    f.write_text(f"#!/bin/sh\necho \"fake stdout\"\nfor a in \"$@\"; do echo \"ARG $a\"; done\n"
                 f"echo \"fake: error: something\" >&2\nexit {rc}\n")
    f.chmod(0o755)
    return f


@pytest.mark.parametrize("rc", [0, 1, 3, 42])
def test_cc_exit_code_and_output_preserved(bindir, tmp_path, rc):
    fake = _fake_compiler(tmp_path, "fakecc", rc)
    p = cc_run(bindir, "--policy", "full", fake, "-c", "x.c", "-o", "x.o", cwd=tmp_path)
    assert p.returncode == rc
    assert p.stdout.startswith("fake stdout\n")
    assert p.stderr == "fake: error: something\n"
    args = [l[4:] for l in p.stdout.splitlines() if l.startswith("ARG ")]
    assert args[-4:] == ["-c", "x.c", "-o", "x.o"], args
    assert any(a.startswith("-B") and a.endswith("/libexec/afterburn/") for a in args), args
    assert "-Wa,--afterburn-policy=full" in args
    assert "-fno-integrated-as" not in args


def test_cc_clang_args(bindir, tmp_path):
    fake = _fake_compiler(tmp_path, "clang", 0)
    p = cc_run(bindir, fake, "-fintegrated-as", "-c", "x.c", cwd=tmp_path)
    args = [l[4:] for l in p.stdout.splitlines() if l.startswith("ARG ")]
    assert "-fno-integrated-as" in args and "-fintegrated-as" not in args
    # -E and -S never reach the assembler: nothing is injected.
    p = cc_run(bindir, fake, "-E", "x.c", cwd=tmp_path)
    args = [l[4:] for l in p.stdout.splitlines() if l.startswith("ARG ")]
    assert args == ["-E", "x.c"]


@pytest.mark.parametrize("cc", COMPILERS)
def test_cc_diagnostics_and_status_like_compiler(bindir, tmp_path, cc):
    (tmp_path / "warn.c").write_text("int f(int x) { int unused; return x; }\n")
    (tmp_path / "err.c").write_text("int x = ;\n")
    for src, rc in (("warn.c", 0), ("err.c", 1)):
        plain = run([cc, "-m32", "-Wall", "-c", src, "-o", "plain.o"], cwd=tmp_path)
        ours = cc_run(bindir, cc, "-m32", "-Wall", "-c", src, "-o", "ours.o", cwd=tmp_path)
        assert plain.returncode == rc
        assert ours.returncode == plain.returncode, ours.stderr
        assert ours.stderr == plain.stderr
        assert ours.stdout == plain.stdout


@pytest.mark.parametrize("cc", COMPILERS)
def test_cc_assembler_error(bindir, tmp_path, cc):
    (tmp_path / "asmerr.c").write_text('void f(void) { asm volatile("bogus %eax"); }\n')
    p = cc_run(bindir, cc, "-m32", "-c", "asmerr.c", "-o", "asmerr.o", cwd=tmp_path)
    assert p.returncode != 0
    # gcc's "# 1 file.c" markers let the message point at the C line, clang's at the .s
    assert re.search(r"\.[sc]:\d+:\d+: error: invalid instruction mnemonic 'bogus'", p.stderr), p.stderr
    assert not (tmp_path / "asmerr.o").exists()


@pytest.mark.parametrize("cc", COMPILERS)
@pytest.mark.parametrize("depflag", ["-MD", "-MMD", "-Wp,-MD,{dep}", "-Wp,-MMD,{dep}"])
def test_cc_dependency_files(bindir, hello, cc, depflag):
    d = hello.parent
    outs = {}
    for who in ("plain", "ours"):
        dep = d / f"{who}.dep"
        obj = d / f"{who}.o"
        flag = depflag.format(dep=dep.name)
        cmd = [cc, "-m32", "-c", flag, "hello.c", "-o", obj.name]
        p = run(cmd, cwd=d) if who == "plain" else cc_run(bindir, *cmd, cwd=d)
        assert p.returncode == 0, p.stderr
        if "{dep}" not in depflag:
            dep = d / f"{who}.d"
        assert dep.exists(), f"{who}: no dependency file {dep.name}; dir has {os.listdir(d)}"
        outs[who] = dep.read_text().replace("plain", "X").replace("ours", "X")
    assert outs["ours"] == outs["plain"]
    assert "hello.h" in outs["ours"]


@pytest.mark.parametrize("cc", COMPILERS)
def test_cc_pipe(bindir, hello, cc):
    p = cc_run(bindir, "--policy", "full", cc, "-m32", "-O2", "-pipe", "-c", "hello.c", "-o",
               "pipe.o", cwd=hello.parent)
    assert p.returncode == 0, p.stderr
    assert kinds_in(check_sites(E.parse(hello.parent / "pipe.o"))) == {"pushf": 1, "cli": 1}


@pytest.mark.parametrize("cc", COMPILERS)
def test_cc_save_temps(bindir, hello, cc):
    d = hello.parent / "st"
    d.mkdir()
    p = cc_run(bindir, "--policy", "full", cc, "-m32", "-O2", "-save-temps", "-c", "../hello.c",
               "-o", "st.o", cwd=d)
    assert p.returncode == 0, p.stderr
    kept = sorted(os.listdir(d))
    s_files = [f for f in kept if f.endswith(".s")]
    assert s_files and [f for f in kept if f.endswith(".i")], kept
    text = (d / s_files[0]).read_text()
    assert "pushf" in text and "cli" in text     # the compiler's own output, no padding
    assert kinds_in(check_sites(E.parse(d / "st.o"))) == {"pushf": 1, "cli": 1}


def _ccache_stats(env, tmp_path):
    p = run(["ccache", "--print-stats"], env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    st = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition("\t")
        if v.strip().isdigit():
            st[k] = int(v)
    return st


@pytest.mark.skipif(not have("ccache"), reason="no ccache")
def test_cc_through_ccache(bindir, hello):
    d = hello.parent
    env = tool_env()
    env.update(CCACHE_DIR=str(d / "ccache"), CCACHE_NOHASHDIR="1", CCACHE_TEMPDIR=str(d / "cctmp"))
    env.pop("CCACHE_DISABLE", None)

    def hits():
        st = _ccache_stats(env, d)
        return st.get("direct_cache_hit", 0) + st.get("preprocessed_cache_hit", 0), \
            st.get("cache_miss", 0)

    def build(obj, *pre):
        p = run([bindir / "afterburn-cc", *pre, "ccache", "gcc", "-m32", "-O2", "-c", "hello.c",
                 "-o", obj], cwd=d, env=env)
        assert p.returncode == 0, p.stderr
        return E.parse(d / obj)

    e1 = build("c1.o")
    assert hits() == (0, 1)
    e2 = build("c2.o")
    assert hits() == (1, 1), "the second identical compile was not a cache hit"
    assert kinds_in(check_sites(e2)) == {"pushf": 1}
    assert (d / "c1.o").read_bytes() == (d / "c2.o").read_bytes()
    e3 = build("c3.o", "--policy", "full")
    assert hits() == (1, 2), "changing --policy must miss"
    assert kinds_in(check_sites(e3)) == {"pushf": 1, "cli": 1}
    build("c4.o", "--policy", "full")
    assert hits() == (2, 2)
    # A rules file's content is part of the key as well.
    r = d / "r.rules"
    r.write_text("afterburn-rules 1\nexclude kind=pushf\n")
    e5 = build("c5.o", "--rules", "r.rules")
    assert hits() == (2, 3) and kinds_in(check_sites(e5)) == {}
    r.write_text("afterburn-rules 1\nannotate kind=cli\n")
    e6 = build("c6.o", "--rules", "r.rules")
    assert hits() == (2, 4), "a changed rules file must miss"
    assert kinds_in(check_sites(e6)) == {"pushf": 1, "cli": 1}
    del e1


# ---------------------------------------------------------------------------
# Alignment in 32-bit code: one long no-op, as GNU as makes, not a run of 0x90

def test_alignment_uses_long_nops_in_32_bit(asm):
    res = asm("\t.text\nf:\tret\n\t.p2align 4,,10\n\t.p2align 3\ng:\tret\n",
              "--afterburn-policy=none", name="align.s")
    text = res.elf.section(".text")
    code = res.obj.read_bytes()[text.offset:text.offset + text.size]
    assert code[0] == 0xC3 and code[8] == 0xC3
    assert code[1:8] != b"\x90" * 7 and code[1:3] == b"\x0f\x1f", code.hex()
