#!/usr/bin/env python3
"""Linux on the hypervisor: trap counts per kind, and the profile loop: bench/linux_traps.py

For a gcc-built and a clang-built Linux 6.1 i386 kernel (guest-patches/linux-6.1), boots the
initramfs workload on the hypervisor four ways and counts every trap by kind:

  trap/minimal    policy minimal, target trap: what a naive trap-and-emulate pays
  l4/minimal      policy minimal, target l4 (the feedback loop's first run)
  l4/profiled     policy minimal plus the rules `afterburn prof rules` wrote from that run
                  (the loop's second run: `afterburn feedback`, docs/feedback.md)
  l4/full         policy full, target l4: every sensitive instruction annotated

The workload's WL: lines must be the same in every run (`afterburn feedback --compare WL:` checks
the loop's two; this script checks the rest against the l4/minimal run). All figures are
deterministic counts from the hypervisor's trap dump (docs/abi/trap-dump.md), read by
`afterburn prof report --json`. Writes bench/results/linux_traps.txt and .json, and the
remaining hot spots after the loop.

Kernels are built as tests/test_linux.py builds them (build/linux/NAME); the loop's first build
is ab-minimal-CC's, its rebuild with rules goes to build/linux/fb-CC. Build the tools first
(scripts/build).
Usage: bench/linux_traps.py [--cc gcc,clang] [--top N] [--reuse CC,...]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build"))
BIN = BUILD / "bin"
AFTERBURN = BIN / "afterburn"
AFTERBURN_CC = BIN / "afterburn-cc"
GP = ROOT / "guest-patches" / "linux-6.1"
LINUX = BUILD / "linux"
OUT = BUILD / "linux-traps"
RESULTS = ROOT / "bench" / "results" / "linux_traps"
ENV = dict(os.environ, AFTERBURN_BUILD_DIR=str(BUILD))
RUNS = ["trap/minimal", "l4/minimal", "l4/profiled", "l4/full"]
CLASSES = ["sensitive", "exception", "syscall", "irq", "hidden-pf", "hypercall", "unknown"]
TIMEOUT = 400


def boot_params():
    """The kernel command line of guest-patches/linux-6.1/boot-params."""
    for line in (GP / "boot-params").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            return line.strip()
    raise SystemExit("linux_traps: no command line in guest-patches/linux-6.1/boot-params")


def kernel_args(cc, policy):
    """guest-patches/linux-6.1/build arguments for an annotated kernel (as tests/test_linux.py)."""
    args = ["--cc", f"{AFTERBURN_CC} {cc}"]
    if cc == "clang":
        args = ["--llvm"] + args
    else:
        # DWARF: the rules and the hot-spot list name file:line (changes nothing but -g)
        args += ["--fragment", str(GP / "config.debug-info")] if policy == "minimal" else []
    return args


def log(msg):
    print(f"linux_traps: {msg}", file=sys.stderr, flush=True)


def build(name, args):
    vmlinux = LINUX / name / "vmlinux"
    cmd = [str(GP / "build"), "--name", name] + args
    log(" ".join(cmd))
    r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode or not vmlinux.exists():
        raise SystemExit(f"linux_traps: build failed: {' '.join(cmd)}\n{r.stdout[-3000:]}")
    return vmlinux


def run_args(initrd):
    return ["--initrd", str(initrd), "--append", boot_params(), "--mem", "128"]


def run(target, vmlinux, dump, initrd):
    """afterburn run on the hypervisor; the WL: lines and the dump's JSON."""
    cmd = [str(AFTERBURN), "run", "--target", target, "--profile", str(dump),
           "--timeout", str(TIMEOUT)] + run_args(initrd) + [str(vmlinux)]
    log(" ".join(cmd))
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                       errors="replace")
    out = r.stdout.replace("\r", "")
    (dump.parent / (dump.stem + ".out")).write_text(out)
    (dump.parent / (dump.stem + ".err")).write_text(r.stderr)
    if "AFTERBURN-WORKLOAD-DONE" not in out:
        raise SystemExit(f"linux_traps: {' '.join(cmd)}: the workload did not finish "
                         f"(status {r.returncode}); see {dump.parent / (dump.stem + '.err')}")
    return {"cmd": cmd, "status": r.returncode, "seconds": round(time.monotonic() - t0, 1),
            "wl": [l for l in out.splitlines() if l.startswith("WL:")],
            "report": report(dump, vmlinux)}


def report(dump, vmlinux):
    r = subprocess.run([str(AFTERBURN), "prof", "report", str(dump), "--elf", str(vmlinux),
                        "--by", "kind", "--json"], stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(r.stdout)


def hot_spots(dump, vmlinux, top):
    r = subprocess.run([str(AFTERBURN), "prof", "report", str(dump), "--elf", str(vmlinux),
                        "--class", "sensitive", "--top", str(top)],
                       stdout=subprocess.PIPE, text=True, check=True)
    return r.stdout


def feedback(cc, initrd, out):
    """One iteration of the loop. Its first build is the policy-minimal kernel's own directory
    (build/linux/ab-minimal-CC, already built: make has nothing to do); the rebuild with rules
    goes to build/linux/fb-CC, so neither directory flips between rules and none (which would
    make the build script start from clean every time)."""
    args = " ".join(f"'{a}'" if " " in a else a for a in kernel_args(cc, "minimal"))
    name = f'"$([ -n "$AFTERBURN_RULES" ] && echo fb-{cc} || echo ab-minimal-{cc})"'
    build_cmd = f"{GP / 'build'} --name {name} --policy minimal {args} && " \
                f"cp {LINUX}/{name}/vmlinux {out}/built.elf"
    cmd = [str(AFTERBURN), "feedback", "--build", build_cmd,
           "--elf", str(out / "built.elf"), "--dir", str(out), "--no-full",
           "--compare", "WL:", "--timeout", str(TIMEOUT)]
    for a in run_args(initrd):
        cmd += ["--run-arg", a]
    out.mkdir(parents=True, exist_ok=True)
    log(" ".join(cmd))
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    (out / "feedback.stdout").write_text(r.stdout)
    (out / "feedback.stderr").write_text(r.stderr)
    if r.returncode:
        raise SystemExit(f"linux_traps: afterburn feedback failed (status {r.returncode}): "
                         f"{' '.join(cmd)}\n{r.stderr[-3000:]}")
    result = json.loads((out / "result.json").read_text())
    return cmd, r.stdout, result


def measure(cc, initrd, top):
    """Everything for one compiler; also saved as build/linux-traps/CC/measure.json."""
    out = OUT / cc
    out.mkdir(parents=True, exist_ok=True)
    k_min = build(f"ab-minimal-{cc}", kernel_args(cc, "minimal") + ["--policy", "minimal"])
    k_full = build(f"ab-full-{cc}", kernel_args(cc, "full") + ["--policy", "full"])
    runs = {"trap/minimal": run("trap", k_min, out / "trap-minimal.dump", initrd)}
    fb_cmd, fb_table, fb = feedback(cc, initrd, out / "feedback")
    fbdir = out / "feedback"
    for label, side in (("l4/minimal", "before"), ("l4/profiled", "after")):
        out_text = (fbdir / f"{side}.out").read_text(errors="replace").replace("\r", "")
        runs[label] = {"cmd": fb_cmd, "status": fb[side]["status"],
                       "wl": [l for l in out_text.splitlines() if l.startswith("WL:")],
                       "report": report(fbdir / f"{side}.dump", fbdir / f"{side}.elf")}
    runs["l4/full"] = run("l4", k_full, out / "l4-full.dump", initrd)
    ref = runs["l4/minimal"]["wl"]
    for label, r in runs.items():
        if r["wl"] != ref:
            raise SystemExit(f"linux_traps: {cc}: the WL: lines of {label} differ from l4/minimal")
    m = {"runs": runs, "feedback": fb, "feedback_table": fb_table,
         "hot_after": hot_spots(fbdir / "after.dump", fbdir / "after.elf", top),
         "hot_before": hot_spots(fbdir / "before.dump", fbdir / "before.elf", top),
         "wl_lines": len(ref), "measured": time.strftime("%Y-%m-%d %H:%M:%S")}
    (out / "measure.json").write_text(json.dumps(m, indent=1) + "\n")
    return m


def reuse(cc):
    """The measurement an earlier run (or tests/test_linux_feedback.py) saved, if any."""
    f = OUT / cc / "measure.json"
    if not f.exists():
        raise SystemExit(f"linux_traps: --reuse {cc}: {f} does not exist (measure it first)")
    log(f"{cc}: reusing the measurement in {f}")
    return json.loads(f.read_text())


def table(cc, m):
    runs = m["runs"]
    kinds = {}
    for label in RUNS:
        for k, v in runs[label]["report"]["kinds"].items():
            if v["class"] == "sensitive":
                kinds.setdefault(k, {})[label] = v["count"]
    head = f"{'':22}" + "".join(f"{l:>14}" for l in RUNS)
    lines = [f"{cc}: traps per kind (Linux boot + workload, {m['wl_lines']} WL: lines, the same in every run)",
             head, "  sensitive instructions, by kind"]
    order = sorted(kinds, key=lambda k: -kinds[k].get("trap/minimal", 0))
    for k in order:
        lines.append(f"    {k:18}" + "".join(f"{kinds[k].get(l, 0):14}" for l in RUNS))
    lines.append("  per class")
    for c in CLASSES:
        vals = [runs[l]["report"]["classes"].get(c, 0) for l in RUNS]
        if any(vals):
            lines.append(f"    {c:18}" + "".join(f"{v:14}" for v in vals))
    lost = [runs[l]["report"]["lost"] for l in RUNS]
    lines.append(f"    {'(lost: no slot)':18}" + "".join(f"{v:14}" for v in lost))
    fb = m["feedback"]
    sens = [runs[l]["report"]["classes"].get("sensitive", 0) for l in RUNS]
    fall = 100 * (sens[1] - sens[2]) / sens[1] if sens[1] else 0
    lines += ["",
              f"  the loop: {fb['rules']} rules ({fb['unmatched_rules']} matched nothing); sites "
              f"{fb['before']['sites']} -> {fb['after']['sites']}; .text {fb['before']['text_bytes']}"
              f" -> {fb['after']['text_bytes']} bytes; sensitive traps {sens[1]} -> {sens[2]} "
              f"({fall:.1f}% fewer); WL: lines {'same' if fb['same_output'] else 'DIFFER'}",
              "", f"  hot spots left after the loop (l4/profiled):",
              *["    " + l for l in m["hot_after"].rstrip().splitlines()]]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cc", default="gcc,clang", help="compilers, comma-separated")
    ap.add_argument("--top", type=int, default=10, help="hot spots to list")
    ap.add_argument("--reuse", default="", metavar="CC,...",
                    help="take these compilers' figures from their last measure.json "
                         "(tests/test_linux_feedback.py writes clang's) instead of measuring")
    a = ap.parse_args()
    ccs = [c for c in a.cc.split(",") if c]
    if any(c not in ("gcc", "clang") for c in ccs):
        ap.error("--cc takes gcc and/or clang")
    if not AFTERBURN.exists():
        raise SystemExit(f"linux_traps: {AFTERBURN} is missing: run scripts/build first")
    OUT.mkdir(parents=True, exist_ok=True)
    initrd = OUT / "initramfs.cpio.gz"   # its own: tests rewrite build/linux's
    subprocess.run([str(GP / "mkinitramfs"), str(initrd)], check=True, stdout=subprocess.DEVNULL)
    results, lines = {}, []
    reused = [c for c in a.reuse.split(",") if c]
    for cc in ccs:
        results[cc] = reuse(cc) if cc in reused else measure(cc, initrd, a.top)
        lines += table(cc, results[cc]) + [f"  (measured {results[cc].get('measured', '?')})", ""]
    lines += ["Columns: policy/target of the kernel and the run; l4/profiled is policy minimal plus",
              "the rules of one `afterburn feedback` iteration (written from the l4/minimal run).",
              "Deterministic counts from the hypervisor's trap dump; nothing here is timed.",
              f"command: bench/linux_traps.py --cc {a.cc}" + (f" --reuse {a.reuse}" if reused else "") +
              f"  (files in {OUT.relative_to(ROOT)}/CC)"]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.with_suffix(".txt").write_text(text)
    slim = {cc: {"runs": {l: {"cmd": r["cmd"], "status": r["status"],
                              "classes": r["report"]["classes"], "lost": r["report"]["lost"],
                              "kinds": {k: v["count"] for k, v in r["report"]["kinds"].items()}}
                          for l, r in m["runs"].items()},
                 "feedback": m["feedback"]} for cc, m in results.items()}
    RESULTS.with_suffix(".json").write_text(json.dumps(slim, indent=1) + "\n")


if __name__ == "__main__":
    main()
