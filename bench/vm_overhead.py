#!/usr/bin/env python3
"""The mini-OS workload bare and on the hypervisor: bench/vm_overhead.py [--rounds N] [--guest NAME]

Runs the same workload three ways, interleaved round by round (the order
rotates), through `afterburn run`:
  bare   the policy-full ELF on bare QEMU;
  l4     the same ELF on the hypervisor, every site patched to call the wedge;
  trap   the policy-minimal ELF on the hypervisor, trapping sites left to trap.
For each it reports the TCG wall time (a ratio to bare; TCG is not hardware),
the guest instructions QEMU executed (a deterministic count, from the
bench/insncount plugin: the whole machine, hypervisor and BIOS included), and
the trap counts by class from the trap dump (docs/abi/trap-dump.md).
The sensitive-instruction traps are the kinds of abi/kinds.def; guest system
calls, the guest's own exceptions, interrupts, hidden page faults and
hypercalls are counted apart (`afterburn prof report --json` reads the
dump).  Writes bench/results/vm_overhead.txt.  Build first (scripts/build).
"""
import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build"))
RESULTS = ROOT / "bench" / "results" / "vm_overhead.txt"
PLUGIN = BUILD / "bench" / "libinsncount.so"
CONFIGS = [("bare", "full"), ("l4", "full"), ("trap", "minimal")]
# The trap classes of docs/abi/trap-dump.md, as `afterburn prof` names them.
CLASSES = ["sensitive", "exception", "syscall", "irq", "hidden-pf", "hypercall", "unknown"]


def trap_classes(dump):
    """Counts per class of a trap dump file, and per sensitive kind: read by
    the one dump reader, `afterburn prof report --json` (docs/profiles.md)."""
    p = subprocess.run([str(BUILD / "bin" / "afterburn"), "prof", "report", "--json", "--top", "1", str(dump)],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit(f"afterburn prof report {dump}: {p.stderr.strip()}")
    report = json.loads(p.stdout)
    kinds = {k: v["count"] for k, v in report["kinds"].items() if v["class"] == "sensitive"}
    return {c: report["classes"][c] for c in CLASSES}, kinds


def publish(lines, path):
    """Print a report and keep it in bench/results/."""
    text = "\n".join(lines) + "\n"
    print(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def run(guest, target, policy, mem):
    elf = BUILD / "guests" / f"{guest}.{policy}.elf"
    with tempfile.TemporaryDirectory() as d:
        prof = pathlib.Path(d) / "dump"
        cmd = [str(BUILD / "bin" / "afterburn"), "run", "--target", target, "--mem", str(mem),
               "--qemu-arg", "-plugin", "--qemu-arg", str(PLUGIN), str(elf)]
        if target != "bare":
            cmd[4:4] = ["--profile", str(prof)]
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=900,
                           env=dict(os.environ, AFTERBURN_BUILD_DIR=str(BUILD)))
        wall = time.monotonic() - t0
        out, err = p.stdout.decode("latin-1"), p.stderr.decode("latin-1")
        if "Test result: SUCCESS" not in out:
            sys.exit(f"{target} {elf.name} failed (status {p.returncode}):\n{out[-2000:]}\n{err[-2000:]}")
        m = re.search(r"insncount: (\d+)", err)
        if not m:
            sys.exit(f"no instruction count from {PLUGIN} in:\n{err[-2000:]}")
        traps = trap_classes(prof) if target != "bare" else (dict.fromkeys(CLASSES, 0), {})
        return wall, int(m.group(1)), traps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--guest", default="minios")
    ap.add_argument("--mem", type=int, default=64, help="guest memory in MiB (as the bare run's -m)")
    args = ap.parse_args()
    if not PLUGIN.exists():
        sys.exit(f"{PLUGIN} is missing: run scripts/build first")
    walls = {c: [] for c, _ in CONFIGS}
    insns, traps = {}, {}
    for r in range(args.rounds):
        order = CONFIGS[r % 3:] + CONFIGS[:r % 3]
        for target, policy in order:
            wall, n, t = run(args.guest, target, policy, args.mem)
            walls[target].append(wall)
            insns.setdefault(target, []).append(n)
            traps[target] = t
            print(f"round {r + 1}: {target:4} {wall:7.2f} s  {n:>13,} instructions", file=sys.stderr)

    base_wall = statistics.median(walls["bare"])
    base_insn = statistics.median(insns["bare"])
    lines = [f"{args.guest}: bare vs the hypervisor, {args.rounds} interleaved rounds "
             f"(medians; TCG wall time is not hardware time)", "",
             f"{'run':6} {'ELF':8} {'TCG s':>7} {'ratio':>6} {'instructions':>14} {'ratio':>6} "
             + " ".join(f"{c:>10}" for c in CLASSES)]
    for target, policy in CONFIGS:
        w, n = statistics.median(walls[target]), statistics.median(insns[target])
        cls = traps[target][0]
        lines.append(f"{target:6} {policy:8} {w:7.2f} {w / base_wall:6.2f} {int(n):>14,} {n / base_insn:6.2f} "
                     + " ".join(f"{cls[c]:>10,}" for c in CLASSES))
    s_l4, s_trap = traps["l4"][0]["sensitive"], traps["trap"][0]["sensitive"]
    fewer = 100.0 * (1 - s_l4 / s_trap) if s_trap else float("nan")
    lines += ["", f"sensitive-instruction traps: l4/full {s_l4:,}, trap/minimal {s_trap:,}: "
              f"{fewer:.1f}% fewer with l4 (target: at least 95%)", "",
              "sensitive traps by kind (trap/minimal): " +
              ", ".join(f"{k} {n:,}" for k, n in sorted(traps["trap"][1].items(), key=lambda x: -x[1])),
              "sensitive traps by kind (l4/full): " +
              (", ".join(f"{k} {n:,}" for k, n in sorted(traps["l4"][1].items(), key=lambda x: -x[1]))
               or "none"),
              "", "instructions: the bench/insncount QEMU plugin (deterministic up to timer-interrupt "
              "placement); the hypervisor runs include its boot, root, the load-time patching and the wedge.",
              f"command: bench/vm_overhead.py --rounds {args.rounds} --guest {args.guest}"]
    publish(lines, RESULTS)


if __name__ == "__main__":
    main()
