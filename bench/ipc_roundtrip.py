#!/usr/bin/env python3
"""IPC round trip on the hypervisor: bench/ipc_roundtrip.py [--runs N] [--calls N]

Boots the hypervisor with root, the console server and the ipcbench task
(hypervisor/user/tests/ipcbench.c), which times call/reply round trips with
rdtsc: between two threads of one space, between two spaces, and a null
system call.  Two modes, interleaved run by run:
  tcg      plain TCG: the TSC is QEMU's virtual clock, not CPU cycles;
  icount   -icount shift=0: the TSC advances one per guest instruction, so
           the numbers are instructions executed (deterministic).
Prints the medians beside published one-way L4 IPC figures (hardware
cycles; a round trip is two one-way IPCs) and writes
bench/results/ipc_roundtrip.txt.  Build first (scripts/build).
"""
import argparse
import os
import pathlib
import re
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build")) / "hypervisor"
RESULTS = ROOT / "bench" / "results" / "ipc_roundtrip.txt"

# docs: /work/shared/REFERENCES.md, "Performance references".
PUBLISHED = [("seL4", "Haswell", 301), ("NOVA", "Core i7-920", 288)]


def run(calls, icount):
    mods = ",".join([str(OUT / "root.elf"), str(OUT / "console.elf"),
                     f"{OUT / 'ipcbench.elf'} {calls}"])
    cmd = ["qemu-system-i386", "-accel", "tcg"] + (["-icount", "shift=0"] if icount else []) + [
        "-m", "256M", "-kernel", str(OUT / "hypervisor.elf"), "-initrd", mods,
        "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    log = p.stdout.decode("latin-1").replace("\r", "")
    m = re.search(r"ipcbench: result rounds=(\d+) syscall=(\d+) same_space=(\d+) cross_space=(\d+)", log)
    if not m or "Test result: SUCCESS" not in log:
        sys.exit(f"ipcbench failed ({'icount' if icount else 'tcg'}, QEMU status {p.returncode}):\n{log[-3000:]}")
    n = int(m.group(1))
    return {k: int(m.group(i)) / n for i, k in enumerate(("syscall", "same", "cross"), 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per mode, interleaved (default 3)")
    ap.add_argument("--calls", type=int, default=100000, help="round trips per measurement")
    a = ap.parse_args()
    for f in ("hypervisor.elf", "root.elf", "console.elf", "ipcbench.elf"):
        if not (OUT / f).exists():
            sys.exit(f"{OUT / f} is missing: run scripts/build first")

    res = {"tcg": [], "icount": []}
    for _ in range(a.runs):
        res["tcg"].append(run(a.calls, False))
        res["icount"].append(run(a.calls, True))
    med = {mode: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for mode, rs in res.items()}

    rows = [("null system call (HV_SYS_MYSELF)", "syscall"),
            ("round trip, same space", "same"),
            ("round trip, across spaces", "cross")]
    lines = [
        f"IPC on the hypervisor: ipcbench, {a.calls} round trips per run, median of {a.runs} runs per mode",
        "(modes interleaved run by run; QEMU TCG on the build host)",
        "",
        f"{'':36} {'TCG: TSC ticks':>16} {'icount: guest insns':>20}",
    ]
    for label, k in rows:
        lines.append(f"{label:36} {med['tcg'][k]:16.1f} {med['icount'][k]:20.1f}")
    one_way = med["icount"]["cross"] / 2
    lines += [
        f"{'one way across spaces (round trip/2)':36} {med['tcg']['cross'] / 2:16.1f} {one_way:20.1f}",
        "",
        "Published one-way L4 IPC, x86-32, hot cache, in hardware CPU cycles:",
    ]
    for name, cpu, cyc in PUBLISHED:
        lines.append(f"  {name:6} {cyc:4} cycles one way ({cpu}); round trip = 2 x one way = {2 * cyc}")
    lines += [
        "",
        "TCG is not hardware.  Under plain TCG the TSC follows QEMU's virtual clock, which",
        "is host time, not guest CPU cycles; a round trip across spaces also pays for TCG",
        "flushing its software TLB on every CR3 load.  Under -icount shift=0 the TSC counts",
        "guest instructions: that column is a deterministic instruction count (kernel and",
        "user code of the loop, plus the timer interrupts that fall inside it), not a cycle",
        "count.  Neither column may be compared with the hardware cycles above as a speed",
        "claim; the published figures are there for scale only.",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"(written to {RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
