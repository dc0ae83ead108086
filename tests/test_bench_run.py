"""bench/run, the one benchmark report (docs/bench.md).

- The instruction-counting plugin's pads= option counts the padding a bare guest runs: the
  mini-OS's policy-full ELF executes some of its no-ops, never more than all its instructions,
  and a list that cannot be read stops QEMU instead of giving a count of 0.
- `afterburn patch --list --json` says where each site's instruction starts (insn_offset),
  which the list of padding is made from; sti's padding comes first.
- The report of a results.json: the table has a target and a verdict per judged figure, every
  figure names its command and its kind, a failed step is reported, and the charts are PNGs.
- `bench/run --quick` on the real inputs (marker linux; slow: the policy-full gcc kernel, built
  unless tests/test_linux.py's is up to date, and about ten boots): every step runs, the report
  holds the no-op cost beside the published 0.15%, and the charts exist. Its duration is in
  the report; no time is asserted here.
"""
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
RUN = ROOT / "bench" / "run"
PLUGIN = BUILD / "bench" / "libinsncount.so"
MINIOS = BUILD / "guests" / "minios.full.elf"
sys.path.insert(0, str(ROOT / "bench"))


def _sites(elf):
    p = subprocess.run([str(BUILD / "bin" / "afterburn"), "patch", "--list", "--json", str(elf)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["sites"]


def _bare(elf, *qemu_args, timeout=300):
    cmd = [str(BUILD / "bin" / "afterburn"), "run", "--target", "bare", "--mem", "64"]
    for a in qemu_args:
        cmd += ["--qemu-arg", a]
    return subprocess.run(cmd + [str(elf)], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, errors="replace")


def test_site_list_says_where_the_instruction_is():
    sites = _sites(MINIOS)
    assert sites
    for s in sites:
        assert 0 <= s["insn_offset"] <= s["len"] - s["insn_len"]
        if s["kind"] == "sti":
            assert s["insn_offset"] == s["len"] - s["insn_len"], s
        else:
            assert s["insn_offset"] == 0, s


def test_plugin_counts_the_padding_a_bare_run_executes(tmp_path):
    from runlib import workload
    pads = tmp_path / "pads"
    n = workload.pad_ranges(MINIOS, pads)
    assert n == sum(1 for s in _sites(MINIOS) if s["len"] > s["insn_len"])
    p = _bare(MINIOS, "-icount", "shift=0", "-plugin", f"{PLUGIN},pads={pads}")
    assert "Test result: SUCCESS" in p.stdout, p.stdout[-2000:] + p.stderr[-2000:]
    total = int(p.stderr.split("insncount: ")[1].split()[0])
    padded = int(p.stderr.split("insncount-pads: ")[1].split()[0])
    assert 0 < padded < total / 100, p.stderr
    assert f"({n} ranges)" in p.stderr


def test_plugin_refuses_an_unreadable_list(tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("this is not a list\n")
    for arg in (f"{PLUGIN},pads={tmp_path / 'missing'}", f"{PLUGIN},pads={bad}", f"{PLUGIN},nonsense=1"):
        p = _bare(MINIOS, "-plugin", arg, timeout=60)
        assert p.returncode != 0 and "Test result" not in p.stdout, (arg, p.stderr[-1000:])
        assert "insncount:" in p.stderr, p.stderr[-1000:]


def _results():
    """A results.json as bench/run writes it, with one judged figure failing and a failed step."""
    from runlib.common import COUNT, HOST_TIME, figure
    return {"meta": {"mode": "quick", "date": "2026-12-02", "commit": "0" * 40, "dirty": False,
                     "compilers": ["gcc"], "command": "bench/run --quick", "limit_minutes": 10,
                     "seconds": 61.0, "steps_run": ["hypervisor", "ipc"],
                     "host": {"cpus": 2, "cpu": "x", "mem_gib": 24, "kernel": "k"},
                     "versions": {"qemu": "q", "gcc": "g", "clang": "c", "python": "p"}},
            "steps": {"hypervisor": {"seconds": 0.1, "data": {}, "figures": [
                figure("hypervisor.lines", "privileged code", 4500, "lines", COUNT, "wc -l hv",
                       "<= 6,000", True, fmt="{:,}"),
                figure("build.gcc", "build ratio", 1.2, "x", HOST_TIME, "build --clean", "<= 1.05", False,
                       fmt="{:.3f}")]},
                "ipc": {"seconds": 2.0, "error": "ipcbench failed: QEMU status 3"}}}


def test_report_has_the_table_and_names_every_command(tmp_path):
    from runlib import report
    report.write(tmp_path, _results())
    md = (tmp_path / "report.md").read_text()
    assert "| figure | value | target | met? | kind | command |" in md
    assert "| privileged code | 4,500 lines | <= 6,000 | yes | count | [C1](#commands) |" in md
    assert "| build ratio | 1.200 x | <= 1.05 | **no** | host time | [C2](#commands) |" in md
    assert "- **C1**: `wc -l hv`" in md and "- **C2**: `build --clean`" in md
    assert "## Failed steps" in md and "**ipc**: `ipcbench failed: QEMU status 3`" in md
    assert "ipc 2 s **FAILED**" in md


def test_render_rewrites_a_saved_report(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps(_results()))
    p = subprocess.run([str(RUN), "--render", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "## Figures" in (tmp_path / "report.md").read_text()


def test_usage_errors():
    p = subprocess.run([str(RUN), "--only", "nosuchstep"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "unknown step(s) nosuchstep" in p.stderr
    p = subprocess.run([str(RUN), "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "--quick" in p.stdout and "45 minutes" in p.stdout


@pytest.mark.linux
def test_quick_run(tmp_path):
    out = tmp_path / "report"
    p = subprocess.run([str(RUN), "--quick", "--out", str(out)], capture_output=True, text=True,
                       timeout=3600, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-5000:]
    res = json.loads((out / "results.json").read_text())
    assert not [n for n, s in res["steps"].items() if "error" in s]
    figs = {f["id"]: f for s in res["steps"].values() for f in s["figures"]}
    for fid in ("noop.gcc.exact", "workload.gcc.insns", "workload.gcc.tcg", "micro.ab-full-gcc.fork_exec.icount",
                "traps.gcc.trap/full", "traps.gcc.l4/full", "traps.gcc.fall", "sites.gcc.full",
                "patch.ab-full-gcc", "ipc.cross.icount", "hypervisor.lines", "guests.fall"):
        assert fid in figs, sorted(figs)
    for f in figs.values():
        assert f["command"] and f["kind"] in ("count", "TCG time", "host time"), f
    # The padding ran, and it is a small share of the run: the published figure is 0.15%.
    assert 0 < figs["noop.gcc.exact"]["value"] < 1.0, figs["noop.gcc.exact"]
    assert figs["traps.gcc.fall"]["met"], figs["traps.gcc.fall"]
    md = (out / "report.md").read_text()
    assert "0.15% (published)" in md
    for png in ("traps.png", "micro.png", "noop.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        assert f"![{png}]({png})" in md
