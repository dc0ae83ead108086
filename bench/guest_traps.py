#!/usr/bin/env python3
"""Trap counts of every guest on the hypervisor: bench/guest_traps.py

Runs each conformance guest and the mini-OS with `afterburn run --profile`,
target l4 with the policy-full ELF and target trap with the policy-minimal
ELF, and prints the traps by class (docs/abi/trap-dump.md): sensitive
instructions (the kinds of abi/kinds.def) apart from the guest's own
exceptions, its int $n (syscall), interrupts, hidden page faults and hypercalls,
as `afterburn prof report --json` counts them.
All deterministic counts.  Writes bench/results/guest_traps.txt.
Build first (scripts/build).
"""
import os
import pathlib
import subprocess
import sys
import tempfile

from vm_overhead import BUILD, CLASSES, publish, trap_classes

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "guest_traps.txt"
RUNS = [("l4", "full"), ("trap", "minimal")]


def guests():
    names = (BUILD / "guests" / "guests.txt").read_text().split()
    return names + ["minios"]


def dump(name, target, policy):
    with tempfile.TemporaryDirectory() as d:
        prof = pathlib.Path(d) / "dump"
        p = subprocess.run([str(BUILD / "bin" / "afterburn"), "run", "--target", target, "--mem", "64",
                            "--profile", str(prof), str(BUILD / "guests" / f"{name}.{policy}.elf")],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=600,
                           env=dict(os.environ, AFTERBURN_BUILD_DIR=str(BUILD)))
        if not prof.exists():
            sys.exit(f"{name} on {target}: no trap dump (status {p.returncode})\n"
                     f"{p.stderr.decode('latin-1')[-2000:]}")
        return trap_classes(prof)


def main():
    head = f"{'guest':14} {'run':12} " + " ".join(f"{c:>10}" for c in CLASSES) + "  sensitive kinds"
    lines = ["Trap counts per guest (deterministic; docs/abi/trap-dump.md for the classes)", "", head]
    for name in guests():
        for target, policy in RUNS:
            cls, kinds = dump(name, target, policy)
            top = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda x: -x[1])[:6])
            lines.append(f"{name:14} {target + '/' + policy:12} "
                         + " ".join(f"{cls[c]:>10,}" for c in CLASSES) + f"  {top}")
            print(lines[-1], file=sys.stderr)
    lines += ["", "command: bench/guest_traps.py"]
    publish(lines, RESULTS)


if __name__ == "__main__":
    main()
