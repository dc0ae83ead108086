#!/usr/bin/env python3
"""One iteration of the profile loop on every guest: bench/feedback.py

Runs `afterburn feedback` (docs/feedback.md) on the mini-OS and on each
conformance guest, two at a time: build with policy minimal, run on the
hypervisor (target l4), write rules from the trap dump, rebuild, rerun.
Prints per guest the sensitive-instruction traps before and after, the
sites against policy full's, the .text bytes before and after, and the
other trap classes (exceptions, system calls, interrupts, hidden page
faults, hypercalls), then the totals.  All deterministic counts.
Writes bench/results/feedback.txt; tests/test_feedback.py uses the same
loop() and summary().  Build first (scripts/build).
"""
import json
import os
import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build"))
AFTERBURN = BUILD / "bin" / "afterburn"
RESULTS = ROOT / "bench" / "results" / "feedback.txt"
CLASSES = ["sensitive", "exception", "syscall", "irq", "hidden-pf", "hypercall", "unknown"]
ENV = dict(os.environ, AFTERBURN_BUILD_DIR=str(BUILD))


def guests():
    return ["minios"] + (BUILD / "guests" / "guests.txt").read_text().split()


def loop(name, out):
    """afterburn feedback for one guest into out/NAME; its status, output and result.json."""
    d = out / name
    elf = out / f"{name}.elf"
    script = BUILD / "guests" / f"build-{name}.sh"
    cmd = [str(AFTERBURN), "feedback", "--build", f"{script} {elf}", "--elf", str(elf),
           "--dir", str(d), "--timeout", "120", "-q"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=900)
    res = json.loads((d / "result.json").read_text()) if (d / "result.json").exists() else None
    return {"cmd": cmd, "status": r.returncode, "stdout": r.stdout, "stderr": r.stderr, "res": res}


def loops(names, out):
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        return dict(zip(names, ex.map(lambda n: loop(n, out), names)))


def _pct(a, b):
    return f"{100 * a / b:6.1f}%" if b else "     -"


def summary(results):
    lines = [f"{'guest':14} {'sensitive':>9} {'after':>6} {'fall':>7} {'sites':>5} {'full':>5}"
             f" {'of full':>7} {'.text':>6} {'after':>6}  other classes, before/after"]
    tot = dict(sb=0, sa=0, sites=0, full=0, tb=0, ta=0)
    for name, r in results.items():
        j = r["res"]
        if not j or r["status"]:
            lines.append(f"{name:14} (failed: exit {r['status']})")
            continue
        b, a, f = j["before"], j["after"], j.get("full", {})
        sb, sa, full = b["traps"]["sensitive"], a["traps"]["sensitive"], f.get("sites", 0)
        other = " ".join(f"{c} {b['traps'][c]}/{a['traps'][c]}" for c in CLASSES[1:]
                         if b["traps"][c] or a["traps"][c])
        lines.append(f"{name:14} {sb:9} {sa:6} {_pct(sb - sa, sb):>7} {a['sites']:5} {full:5}"
                     f" {_pct(a['sites'], full):>7} {b['text_bytes']:6} {a['text_bytes']:6}  {other}")
        for k, v in (("sb", sb), ("sa", sa), ("sites", a["sites"]), ("full", full),
                     ("tb", b["text_bytes"]), ("ta", a["text_bytes"])):
            tot[k] += v
    lines.append(f"{'total':14} {tot['sb']:9} {tot['sa']:6} {_pct(tot['sb'] - tot['sa'], tot['sb']):>7}"
                 f" {tot['sites']:5} {tot['full']:5} {_pct(tot['sites'], tot['full']):>7}"
                 f" {tot['tb']:6} {tot['ta']:6}  .text {_pct(tot['ta'] - tot['tb'], tot['tb']).strip()}")
    return lines


def main():
    out = BUILD / "feedback-bench"
    results = loops(guests(), out)
    lines = ["One feedback iteration per guest: policy minimal, target l4, rules from the profile",
             "(sensitive = sensitive-instruction traps; sites after the rules against policy full's;",
             " deterministic counts; docs/feedback.md)", ""] + summary(results)
    lines += ["", "command: bench/feedback.py  (per guest: afterburn feedback --build "
              "build/guests/build-NAME.sh ...; the files of each run in build/feedback-bench/NAME)"]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    failed = [n for n, r in results.items() if r["status"]]
    if failed:
        sys.exit(f"feedback failed for: {' '.join(failed)}")


if __name__ == "__main__":
    main()
