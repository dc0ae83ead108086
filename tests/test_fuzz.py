"""Fuzzing afterburn-as, the rules parser and the loader (tests/fuzz): builds
the libFuzzer harnesses with clang if needed, replays the regression inputs,
and fuzzes each harness for a bounded time (AB_FUZZ_SECONDS, default 30) over
a copy of its corpus.

A run fails on any crash, leak, sanitizer report, or timeout/out-of-memory
that LLVM's own llvm-mc does not share.  Inputs on which LLVM itself gives
up (report_fatal_error, exit status 66 from the harness) or crashes are
checked against llvm-mc-14 (fuzz_as only: the others run no LLVM): when
llvm-mc shows the same, they are LLVM's (see tests/fuzz/known-llvm/) and are
reported, not failed.  Findings that match an open bug of ours listed in
KNOWN_BUGS make the run xfail, with the bug named, after the fuzzer was
restarted to look for others.

Artifacts land in tests/fuzz/artifacts/<harness>/ (git-ignored).
"""
import os
import pathlib
import re
import shutil
import subprocess
import time

import pytest

pytestmark = pytest.mark.afterburner

ROOT = pathlib.Path(__file__).resolve().parent.parent
FUZZ = ROOT / "tests" / "fuzz"
BUILD = pathlib.Path(os.environ.get("AB_FUZZ_BUILD", ROOT / "build-fuzz"))
SECONDS = float(os.environ.get("AB_FUZZ_SECONDS", "30"))
FATAL_EXIT = 66
LLVM_MC = shutil.which("llvm-mc-14") or shutil.which("llvm-mc")

HARNESSES = ["as", "rules", "loader", "dump"]

# Open bugs in our code that the fuzzer finds; each was reported to the lead.
# (harness, regex over the sanitizer report, description).  Delete the entry
# when the bug is fixed: the matching regression test then XPASSes.
KNOWN_BUGS = []

# Regression inputs (tests/fuzz/regressions/<harness>/) that reproduce an open bug.
REGRESSION_XFAIL = {}

# Our code: a crash with one of these in a frame below LLVMFuzzerTestOneInput's
# call into LLVM is ours, whatever frame #0 is.
OUR_SOURCES = ("/afterburner/", "/abi/", "/loader/", "fuzz_as.cpp", "fuzz_rules.c", "fuzz_loader.c")


# LLVM classes our streamer (mc_bridge.cpp) derives from: a frame of theirs
# right below one of ours is LLVM's own work that we merely forwarded to.
LLVM_BASES = ("llvm::MCELFStreamer::", "llvm::MCObjectStreamer::", "llvm::MCStreamer::")


def _run(cmd, **kw):
    kw.setdefault("env", dict(os.environ, LSAN_OPTIONS=f"suppressions={FUZZ / 'known-llvm' / 'lsan.supp'}"))
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          errors="replace", **kw)


@pytest.fixture(scope="module")
def harnesses():
    """Configure and build tests/fuzz with clang (once; ninja/make keep it up to date)."""
    if not shutil.which("clang") or not shutil.which("clang++"):
        pytest.skip("clang is needed for libFuzzer")
    env = dict(os.environ, CC="clang", CXX="clang++")
    if not (BUILD / "CMakeCache.txt").exists():
        gen = ["-G", "Ninja"] if shutil.which("ninja") else []
        p = _run(["cmake", "-S", FUZZ, "-B", BUILD, *gen], env=env, timeout=600)
        assert p.returncode == 0, f"configuring {BUILD} failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    p = _run(["cmake", "--build", BUILD, "-j", "2"], env=env, timeout=1800)
    assert p.returncode == 0, f"building {BUILD} failed:\n{p.stdout[-5000:]}\n{p.stderr[-3000:]}"
    out = {h: BUILD / f"fuzz_{h}" for h in HARNESSES}
    for h, path in out.items():
        assert path.exists(), f"{path} was not built"
    return out


def _env(fatal_dir):
    env = dict(os.environ)
    env["AB_FUZZ_FATAL_DIR"] = str(fatal_dir)
    env["LSAN_OPTIONS"] = f"suppressions={FUZZ / 'known-llvm' / 'lsan.supp'}:print_suppressions=0"
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:symbolize=1"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env


def _llvm_mc_verdict(path, bits=32):
    """What stock llvm-mc does with an input: 'ok', 'error', 'fatal', 'crash', 'timeout'."""
    if not LLVM_MC:
        return "unknown"
    triple = "x86_64-pc-linux-gnu" if bits == 64 else "i386-pc-linux-gnu"
    try:
        p = _run(["sh", "-c", 'ulimit -v 4000000; exec "$@"', "sh", LLVM_MC, f"-triple={triple}",
                  "-filetype=obj", "-o", "/dev/null", path], timeout=15)
    except subprocess.TimeoutExpired:
        return "timeout"
    if "LLVM ERROR" in p.stderr or "out of memory" in p.stderr.lower() or "bad_alloc" in p.stderr:
        return "fatal"
    if p.returncode < 0 or "Stack dump" in p.stderr:
        return "crash"
    return "ok" if p.returncode == 0 else "error"


def _llvm_mc_any(path, want):
    """llvm-mc shows `want` in 32- or 64-bit mode (the harness runs both)."""
    return any(_llvm_mc_verdict(path, b) in want for b in (32, 64))


def _llvm_mc_leaks(path):
    """Stock llvm-mc leaks memory on the input too (valgrind: definitely lost)."""
    if not LLVM_MC or not shutil.which("valgrind"):
        return False
    for triple in ("i386-pc-linux-gnu", "x86_64-pc-linux-gnu"):
        try:
            p = _run(["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite",
                      "--error-exitcode=99", LLVM_MC, f"-triple={triple}", "-filetype=obj",
                      "-o", "/dev/null", path], timeout=120)
        except subprocess.TimeoutExpired:
            continue
        if p.returncode == 99 and "definitely lost" in p.stderr:
            return True
    return False


def _inside_llvm(report):
    """The first stack trace's frames above our call into LLVM (ab_mc_assemble)
    are all LLVM's: no streamer callback of ours (mc_bridge.cpp) is among them."""
    m = re.search(r"((?:^\s*#\d+ 0x.*\n)+)", report, re.M)
    if not m:
        return False
    prev = ""
    for frame in m.group(1).splitlines():
        if "ab_mc_assemble" in frame or "LLVMFuzzerTestOneInput" in frame:
            return True
        if any(src in frame for src in OUR_SOURCES):
            # Our streamer's override calling its LLVM base class (e.g.
            # finishImpl -> MCELFStreamer::finishImpl) is the boundary too.
            return any(base in prev for base in LLVM_BASES)
        prev = frame
    return False


class Campaign:
    def __init__(self, harness, binary, tmp_path):
        self.h = harness
        self.bin = binary
        self.corpus = tmp_path / "corpus"
        shutil.copytree(FUZZ / "corpus" / harness, self.corpus)
        self.fatal = tmp_path / "fatal"
        self.fatal.mkdir()
        self.art = ROOT / "tests" / "fuzz" / "artifacts" / harness
        self.art.mkdir(parents=True, exist_ok=True)
        self.findings = []      # (kind, artifact, report): failures
        self.known = []         # (description, artifact)
        self.llvm = []          # (what, artifact): LLVM's own problems
        self.runs = 0
        self.restarts = 0

    def fuzz(self, seconds):
        deadline = time.monotonic() + seconds
        while self.restarts < 100:
            left = int(deadline - time.monotonic())
            if left < 2:
                break
            before = set(self.art.iterdir())
            cmd = [self.bin, f"-max_total_time={left}", "-max_len=16384", "-timeout=10",
                   "-rss_limit_mb=2048", "-malloc_limit_mb=2048", "-close_fd_mask=3",
                   "-print_final_stats=1", f"-artifact_prefix={self.art}/", self.corpus]
            if (FUZZ / f"{self.h}.dict").exists():
                cmd.insert(1, f"-dict={FUZZ / f'{self.h}.dict'}")
            try:
                p = _run(cmd, env=_env(self.fatal), timeout=left + 120)
            except subprocess.TimeoutExpired as e:
                self.findings.append(("hang", None, f"libFuzzer did not stop: {e}"))
                return
            log = p.stderr
            done = [int(n) for n in re.findall(r"^stat::number_of_executed_units:\s*(\d+)", log, re.M)]
            progress = [int(n) for n in re.findall(r"^#(\d+)\s", log, re.M)]
            self.runs += max(done + progress + [0])
            if p.returncode == 0:
                break
            self.restarts += 1
            if p.returncode == FATAL_EXIT and self.h == "as":
                self._fatal()
                continue
            new = sorted(set(self.art.iterdir()) - before)
            self._finding(log, new)

    def _fatal(self):
        for f in sorted(self.fatal.glob("fatal-*.s")):
            reason = f.with_suffix(".txt").read_text(errors="replace") if f.with_suffix(".txt").exists() else "?"
            dest = self.art / f.name
            shutil.copy(f, dest)
            # LLVM saw the text after the gas-compat rewrite, when there was one.
            seen = f.with_suffix(".rewritten")
            if seen.exists():
                shutil.copy(seen, self.art / seen.name)
            if _llvm_mc_any(seen if seen.exists() else f, ("fatal", "crash")):
                self.llvm.append((f"report_fatal_error: {reason}", dest))
            else:
                self.findings.append(("fatal error that llvm-mc does not share", dest, reason))
            for x in (f, f.with_suffix(".txt"), seen):
                x.unlink(missing_ok=True)

    def _finding(self, log, new):
        m = re.search(r"(\S+:\d+:\d+: runtime error: .*|==\d+==ERROR: .*|SUMMARY: .*|ERROR: libFuzzer: .*)", log)
        report = log[log.find(m.group(1)):][:6000] if m else log[-4000:]
        art = new[0] if new else None
        kind = art.name.split("-")[0] if art else "unknown"
        for harness, rx, desc in KNOWN_BUGS:
            if harness == self.h and re.search(rx, report):
                self.known.append((desc, art))
                return
        if kind in ("timeout", "oom", "slow") and art and self.h == "as":
            if _llvm_mc_any(art, ("timeout", "fatal")):
                self.llvm.append((f"{kind} in LLVM's parser too (expensive input)", art))
                return
        if kind == "crash" and art and self.h == "as" and _inside_llvm(report) \
                and _llvm_mc_any(art, ("crash", "fatal")):
            top = re.search(r"#0 0x[0-9a-f]+ in (.*)", report)
            self.llvm.append((f"crash inside LLVM ({top.group(1)[:100] if top else '?'}); llvm-mc-14 "
                              "crashes too: record it in tests/fuzz/known-llvm/", art))
            return
        if kind == "leak" and art and self.h == "as" and _inside_llvm(report) and _llvm_mc_leaks(art):
            top = re.search(r"#1 0x[0-9a-f]+ in (.*)", report)
            self.llvm.append((f"leak inside LLVM ({top.group(1)[:100] if top else '?'}); llvm-mc-14 "
                              "leaks too: record it in tests/fuzz/known-llvm/ and lsan.supp", art))
            return
        self.findings.append((kind, art, report))

    def summary(self):
        lines = [f"fuzz_{self.h}: {self.runs} inputs executed, {self.restarts} restarts"]
        for what, art in self.llvm:
            lines.append(f"  LLVM: {what} ({art})")
        for desc, art in self.known:
            lines.append(f"  known bug: {desc} ({art})")
        for kind, art, report in self.findings:
            lines.append(f"  FINDING {kind}: {art}\n{report}")
        return "\n".join(lines)


@pytest.mark.parametrize("harness", [pytest.param(h, marks=[pytest.mark.loader] if h == "loader" else [])
                                     for h in HARNESSES])
def test_fuzz(harnesses, tmp_path, harness):
    c = Campaign(harness, harnesses[harness], tmp_path)
    c.fuzz(SECONDS)
    print("\n" + c.summary())
    assert c.runs > 0 or c.known or c.llvm, f"the fuzzer executed nothing:\n{c.summary()}"
    assert not c.findings, c.summary()
    if c.known:
        pytest.xfail("known bug(s) hit: " + "; ".join(sorted({d for d, _ in c.known})))


def _regressions():
    out = []
    for h in HARNESSES:
        d = FUZZ / "regressions" / h
        for f in sorted(d.iterdir()) if d.is_dir() else ():
            if f.name.startswith("."):
                continue        # .gitkeep
            marks = []
            if f.name in REGRESSION_XFAIL:
                marks.append(pytest.mark.xfail(strict=True, reason="BUG: " + REGRESSION_XFAIL[f.name]))
            out.append(pytest.param(h, f, marks=marks, id=f"{h}/{f.name}"))
    for h in HARNESSES:
        for f in sorted((FUZZ / "corpus" / h).iterdir()):
            out.append(pytest.param(h, f, id=f"corpus-{h}/{f.name}"))
    return out


@pytest.mark.parametrize("harness,path", _regressions())
def test_fuzz_replay(harnesses, tmp_path, harness, path):
    """Every regression and corpus input runs clean under the sanitizers."""
    p = _run([harnesses[harness], "-runs=1", path], env=_env(tmp_path), timeout=120)
    assert p.returncode == 0, f"fuzz_{harness} {path.name}: exit {p.returncode}\n{p.stderr[-6000:]}"


def _known_llvm():
    out = []
    for f in sorted((FUZZ / "known-llvm").glob("*.s")):
        # LLVM crashes on the "-crash" inputs; afterburn-as turns the signal
        # into an error with file:line.
        out.append(pytest.param(f, id=f.name))
    return out


@pytest.mark.parametrize("path", _known_llvm())
def test_known_llvm_inputs_are_handled(bindir, tmp_path, path):
    """afterburn-as never dies by a signal on the LLVM bug inputs; the ones
    LLVM gives up on end as an ordinary error with no output file."""
    obj = tmp_path / "out.o"
    if "blowup" in path.name:
        # Takes minutes in LLVM (see the README): only check it does not die early.
        try:
            p = _run([bindir / "afterburn-as", "-o", obj, path], timeout=3)
        except subprocess.TimeoutExpired:
            return
    else:
        p = _run([bindir / "afterburn-as", "--afterburn-policy=full", "-o", obj, path], timeout=60)
    if "-segv" in path.name:
        # Open: LLVM dies of SIGSEGV inside its object writer, and so does
        # afterburn-as (README.md).  Only check that stock llvm-mc dies too,
        # so the file is deleted once a newer LLVM fixes it.
        assert _llvm_mc_any(path, ("crash", "fatal")), "llvm-mc no longer crashes: see the README"
        return
    assert p.returncode in (0, 1), f"exit status {p.returncode}:\n{p.stderr}"
    assert "Stack dump" not in p.stderr
    if p.returncode == 1:
        assert "error" in p.stderr and not obj.exists()
    if "fatal" in path.name or "-crash" in path.name:
        assert p.returncode == 1
        assert re.search(r"^\S+:\d+: error: ", p.stderr, re.M), p.stderr
    assert path.name in (FUZZ / "known-llvm" / "README.md").read_text(), \
        f"{path.name} is not described in known-llvm/README.md"
