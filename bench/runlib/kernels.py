"""The Linux kernels bench/run measures, and what they are made of.

Per compiler four kernels of the same configuration (guest-patches/linux-6.1/config.fragment),
in the directories tests/test_linux.py and scripts/test use, so that either reuses the other's:
  plain     the normal toolchain, no afterburner           build/linux/plain-CC
  full      afterburn-cc, policy full                      build/linux/ab-full-CC
  minimal   afterburn-cc, policy minimal (gcc: DWARF too)  build/linux/ab-minimal-CC
  profiled  minimal plus the rules of one feedback loop    build/linux/fb-CC
The full run builds plain and full from clean and times them (the build overhead); --quick and
the minimal kernel use what is there when make finds it up to date; profiled comes out of the
loop (bench/runlib/traps.py).
"""
import json
import re
import statistics
import sys

from .common import ROOT, AFTERBURN, AFTERBURN_CC, GP, LINUX, COUNT, HOST_TIME, StepFailed, figure, log, \
    sh, show

sys.path.insert(0, str(ROOT / "bench"))
import build_overhead  # noqa: E402  (its section_size: one reader of code bytes)

BUILD_TARGET = {"gcc": 1.05, "clang": 1.15}   # issue 2: build time ratio, annotated / plain
TEXT_GROWTH_TARGET = 3.0                        # issue 2: .text growth under policy full, percent
TEXT_SECTIONS = (".text", ".init.text", ".exit.text")


def name(cc, policy):
    return {"plain": f"plain-{cc}", "full": f"ab-full-{cc}",
            "minimal": f"ab-minimal-{cc}", "profiled": f"fb-{cc}"}[policy]


def vmlinux(cc, policy):
    return LINUX / name(cc, policy) / "vmlinux"


def build_args(cc, policy):
    """guest-patches/linux-6.1/build arguments, exactly as tests/test_linux.py and scripts/test
    give them: the build script reconfigures (and so rebuilds) when they differ."""
    args = ["--llvm"] if cc == "clang" else []
    if policy == "plain":
        return args
    args += ["--cc", f"{AFTERBURN_CC} {cc}", "--policy", policy]
    if policy == "minimal" and cc == "gcc":
        args += ["--fragment", str(GP / "config.debug-info")]   # the rules name file:line
    return args


def build(cc, policy, clean=False):
    """Builds one kernel; returns (the command, seconds make took)."""
    cmd = [GP / "build", "--name", name(cc, policy)] + build_args(cc, policy) + (["--clean"] if clean else [])
    log(f"{'clean build' if clean else 'build'}: {name(cc, policy)}")
    p = sh(cmd, timeout=3600)
    m = re.search(r"\(build ([0-9.]+) s", p.stdout)
    if not m or not vmlinux(cc, policy).exists():
        raise StepFailed(f"no vmlinux or no build time from {show(cmd)}:\n{p.stdout[-2000:]}")
    return show(cmd), float(m.group(1))


def section_bytes(elf):
    """Code bytes: the sizes of TEXT_SECTIONS, read as bench/build_overhead.py reads them."""
    return build_overhead.section_size(elf, TEXT_SECTIONS)


def sites(elf):
    """The site list of an image: `afterburn patch --list --json` (docs/loader.md)."""
    return json.loads(sh([AFTERBURN, "patch", "--list", "--json", elf], check=False).stdout)


def facts(elf):
    """Code bytes, site count and sites per kind of one kernel."""
    d = sites(elf)
    by_kind = {k: v["sites"] for k, v in d["stats"]["by_kind"].items()}
    return {"vmlinux": str(elf), "text_bytes": section_bytes(elf), "sites": d["records"],
            "by_kind": by_kind}


def ensure(ccs, policies):
    """Quick mode: the kernels, built only where make finds them out of date (untimed)."""
    res = {}
    for cc in ccs:
        for p in policies:
            cmd, secs = build(cc, p)
            res[f"{cc}/{p}"] = {"command": cmd, "make_seconds": secs}
    return res


def measure_builds(ccs, rounds):
    """The timed builds: plain and full from clean, A/B alternating per round and compiler."""
    res = {}
    for i, cc in enumerate(ccs):
        times = {"plain": [], "full": []}
        cmds = {}
        for r in range(rounds):
            order = ["plain", "full"] if (i + r) % 2 == 0 else ["full", "plain"]
            for policy in order:
                cmds[policy], secs = build(cc, policy, clean=True)
                times[policy].append(secs)
                log(f"  {cc} {policy}: make vmlinux {secs:.1f} s")
        res[cc] = {"seconds": times, "commands": cmds,
                   "plain": facts(vmlinux(cc, "plain")), "full": facts(vmlinux(cc, "full"))}
    return res


def build_figures(res):
    figs = []
    for cc, r in res.items():
        tp, tf = statistics.median(r["seconds"]["plain"]), statistics.median(r["seconds"]["full"])
        ratio = tf / tp
        cmd = f"{r['commands']['plain']}  vs  {r['commands']['full']}"
        figs.append(figure(f"build.{cc}", f"build time, afterburn-cc full / plain ({cc}; "
                           f"{tf:.1f} s / {tp:.1f} s)", ratio, "x", HOST_TIME, cmd,
                           f"<= {BUILD_TARGET[cc]}", ratio <= BUILD_TARGET[cc], fmt="{:.3f}"))
    return figs


def policy_facts(ccs):
    """Code bytes and sites of every kernel of each compiler that exists (docs/bench.md)."""
    res = {}
    for cc in ccs:
        res[cc] = {p: facts(vmlinux(cc, p)) for p in ("plain", "minimal", "profiled", "full")
                   if vmlinux(cc, p).exists()}
        if "full" not in res[cc]:
            raise StepFailed(f"{vmlinux(cc, 'full')} is missing: the build step makes it")
    return res


def policy_figures(res):
    figs = []
    for cc, ks in res.items():
        base = ks["plain"]["text_bytes"] if "plain" in ks else None   # quick: there if scripts/test made it
        for p, f in ks.items():
            if p == "plain":
                continue
            top = ", ".join(f"{k} {n}" for k, n in sorted(f["by_kind"].items(), key=lambda x: -x[1])[:4])
            figs.append(figure(f"sites.{cc}.{p}", f"sites, policy {p} ({cc}; {top}, ...)", f["sites"], "",
                               COUNT, f"afterburn patch --list --json {name(cc, p)}/vmlinux", fmt="{:,}"))
            if base is None:
                continue
            g = 100 * (f["text_bytes"] / base - 1)
            figs.append(figure(f"text.{cc}.{p}", f".text growth, policy {p} ({cc}: {base:,} -> "
                               f"{f['text_bytes']:,} bytes)", g, "%", COUNT,
                               f"readelf -SW {name(cc, p)}/vmlinux {name(cc, 'plain')}/vmlinux "
                               "(.text, .init.text, .exit.text)",
                               f"<= {TEXT_GROWTH_TARGET}%" if p == "full" else None,
                               g <= TEXT_GROWTH_TARGET if p == "full" else None, fmt="{:.2f}"))
    return figs
