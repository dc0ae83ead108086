#!/usr/bin/env python3
"""Linux microbenchmarks bare and on the hypervisor: bench/linux_micro.py [--reps N] [--quick]

Boots an annotated (policy full) Linux 6.1 vmlinux with the initramfs of
guest-patches/linux-6.1/mkinitramfs and `afterburn.run=micro` on its command
line, so /init runs /root/micro (guest-patches/linux-6.1/micro/micro.c): null
system call, fork+exit, fork+exec, pipe ping-pong, page fault, mmap/munmap,
each timed in the guest with rdtsc.  Two targets through `afterburn run`, the
same ELF and the same 128 MiB of guest memory:
  bare   QEMU boots the vmlinux itself (the QEMU line and CPU model of run-qemu);
  l4     the hypervisor, every site patched to call the wedge.
Two modes:
  icount  -icount shift=0: the TSC advances one per executed instruction, so
          tsc_per_op is instructions per operation: the guest's user and kernel
          code and, on l4, the wedge and the hypervisor too (deterministic up
          to where timer interrupts fall); the bench/insncount plugin also
          counts the whole run;
  tcg     plain TCG: the TSC is the host's, so tsc_per_op is host time.
Runs alternate bare and l4 (A/B/A/B) within each mode and repetition; the
table shows medians and l4/bare ratios.  On l4 the trap dump is kept to show
whether the guest's user-mode rdtsc trapped.  Writes
bench/results/linux_micro.txt and .json (--render JSON prints the report of
a saved .json again; --quick writes nothing).  Build first (scripts/build, the
kernels with guest-patches/linux-6.1/build or pytest -m linux).
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
LINUX = pathlib.Path(os.environ.get("AB_LINUX_DIR", ROOT / "build" / "linux"))
GP = ROOT / "guest-patches" / "linux-6.1"
RESULTS = ROOT / "bench" / "results" / "linux_micro.txt"
PLUGIN = BUILD / "bench" / "libinsncount.so"
KERNELS = ["ab-full-gcc", "ab-full-clang"]
TARGETS = ["bare", "l4"]
MODES = ["icount", "tcg"]
MARKER = "AFTERBURN-WORKLOAD-DONE"
# micro.c's benchmarks, in its order, with what one operation is.
BENCHES = [("null_syscall", "getppid"),
           ("fork_exit", "fork, child exits, wait4"),
           ("fork_exec", "fork, child execve()s a static binary that exits, wait4"),
           ("pipe_pingpong", "1-byte round trip between two processes"),
           ("page_fault", "first write to a page of fresh anonymous memory"),
           ("mmap_munmap", "mmap 1 MiB anonymous, write one page, munmap")]
MB = re.compile(r"^MB: (\S+) iterations (\d+) tsc_per_op ([0-9.]+)$", re.M)


def boot_params():
    lines = [l.strip() for l in (GP / "boot-params").read_text().splitlines()]
    return next(l for l in lines if l and not l.startswith("#"))


def make_initrd(path):
    r = subprocess.run([str(GP / "mkinitramfs"), str(path)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit(f"mkinitramfs failed:\n{r.stdout}")


def command(vmlinux, initrd, target, mode, percent, dump=None, timeout=900):
    """The `afterburn run` line of one boot (also used by tests/test_linux_micro.py)."""
    cmd = [str(BUILD / "bin" / "afterburn"), "run", "--target", target, "--mem", "128",
           "--initrd", str(initrd),
           "--append", f"{boot_params()} afterburn.run=micro afterburn.micro={percent}",
           "--timeout", str(timeout)]
    if mode == "icount":
        cmd += ["--qemu-arg", "-icount", "--qemu-arg", "shift=0"]
        if PLUGIN.exists():
            cmd += ["--qemu-arg", "-plugin", "--qemu-arg", str(PLUGIN)]
    if dump is not None and target != "bare":
        cmd += ["--profile", str(dump)]
    return cmd + [str(vmlinux)]


def parse(serial):
    """{name: (iterations, tsc_per_op)}, the failed checks and the verdict line of a serial log."""
    res = {m.group(1): (int(m.group(2)), float(m.group(3))) for m in MB.finditer(serial)}
    failed = [l for l in serial.splitlines() if l.startswith("MB-CHECK:") and not l.endswith(" ok")]
    verdict = next((l for l in serial.splitlines() if l.startswith("MB-RESULT:")), None)
    return res, failed, verdict


def trap_totals(dump):
    """Traps per KIND over a whole run, from a trap dump (docs/abi/trap-dump.md)."""
    tot = {}
    for line in dump.read_text().splitlines():
        f = line.split()
        if len(f) == 3 and f[0].startswith("0x"):
            tot[f[1]] = tot.get(f[1], 0) + int(f[2])
    return tot


def run(vmlinux, initrd, target, mode, percent):
    with tempfile.TemporaryDirectory() as d:
        dump = pathlib.Path(d) / "dump"
        cmd = command(vmlinux, initrd, target, mode, percent, dump)
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=1000,
                           env=dict(os.environ, AFTERBURN_BUILD_DIR=str(BUILD)))
        wall = time.monotonic() - t0
        out = p.stdout.decode("latin-1").replace("\r", "")
        err = p.stderr.decode("latin-1")
        res, failed, verdict = parse(out)
        missing = [b for b, _ in BENCHES if b not in res]
        if MARKER not in out.splitlines() or missing or failed or verdict != "MB-RESULT: ok":
            sys.exit(f"{target}/{mode} {vmlinux} failed (status {p.returncode}; missing {missing}; "
                     f"failed {failed}; {verdict}):\n{out[-3000:]}\n{err[-2000:]}")
        m = re.search(r"insncount: (\d+)", err)
        traps = trap_totals(dump) if target != "bare" and dump.exists() else None
        return {"wall": wall, "ops": res, "insns": int(m.group(1)) if m else None, "traps": traps}


def rel(p):
    try:
        return p.resolve().relative_to(ROOT)
    except ValueError:
        return p


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def render(data):
    """The report of a measurement (the JSON this script writes): medians and l4/bare ratios."""
    reps, scale = data["reps"], data["scale"]
    lines = [f"Linux 6.1 microbenchmarks (guest-patches/linux-6.1/micro/micro.c), bare vs l4, "
             f"{reps} repetition(s) per target and mode, {scale}% of the default iterations",
             "(medians; bare and l4 runs alternate; 128 MiB guest; QEMU TCG on the shared 2-core host;",
             "TCG range: the l4/bare ratio of each repetition's adjacent pair, lowest..highest)", ""]
    rdtsc = None     # the most rdtsc traps in any l4 run's dump (None: no dump)
    for name, kd in data["kernels"].items():
        runs = {tuple(key.split("/")): xs for key, xs in kd["runs"].items()}   # (target, mode)
        kd["benchmarks"] = {}
        lines += [f"{name} ({kd['vmlinux']}):", "",
                  f"{'benchmark':14} {'iters':>6} {'bare insns/op':>14} {'l4 insns/op':>13} {'ratio':>6}"
                  f" {'bare TSC/op':>12} {'l4 TSC/op':>12} {'ratio':>6} {'TCG range':>12}"]
        for b, _ in BENCHES:
            v = {(t, m): med([x["tsc_per_op"][b] for x in runs[(t, m)]]) for t in TARGETS for m in MODES}
            iters = kd["iterations"][b]
            ri = v[("l4", "icount")] / v[("bare", "icount")]
            rt = v[("l4", "tcg")] / v[("bare", "tcg")]
            pairs = [l4["tsc_per_op"][b] / bare["tsc_per_op"][b]
                     for bare, l4 in zip(runs[("bare", "tcg")], runs[("l4", "tcg")])]
            rng = f"{min(pairs):.1f}..{max(pairs):.1f}"
            lines.append(f"{b:14} {iters:6} {v[('bare', 'icount')]:14,.1f} {v[('l4', 'icount')]:13,.1f} "
                         f"{ri:6.2f} {v[('bare', 'tcg')]:12,.1f} {v[('l4', 'tcg')]:12,.1f} {rt:6.2f} {rng:>12}")
            kd["benchmarks"][b] = {"iterations": iters,
                                   "insns_per_op": {"bare": v[("bare", "icount")], "l4": v[("l4", "icount")],
                                                    "ratio": ri},
                                   "tsc_per_op_tcg": {"bare": v[("bare", "tcg")], "l4": v[("l4", "tcg")],
                                                      "ratio": rt, "pair_ratios": pairs}}
        wall = {(t, m): med([x["wall"] for x in runs[(t, m)]]) for t in TARGETS for m in MODES}
        insns = {t: med([x["insns"] for x in runs[(t, "icount")] if x["insns"]]) for t in TARGETS}
        traps = [x["traps"] for m in MODES for x in runs[("l4", m)] if x["traps"]]
        lines += ["",
                  f"whole run (boot, benchmarks, reboot): wall s icount bare {wall[('bare', 'icount')]:.1f}, "
                  f"l4 {wall[('l4', 'icount')]:.1f}; tcg bare {wall[('bare', 'tcg')]:.1f}, "
                  f"l4 {wall[('l4', 'tcg')]:.1f}"]
        if insns["bare"] == insns["bare"]:   # not NaN: the plugin was there
            lines.append(f"whole run instructions (bench/insncount): bare {int(insns['bare']):,}, "
                         f"l4 {int(insns['l4']):,} (x{insns['l4'] / insns['bare']:.2f}; l4 includes "
                         f"the hypervisor's boot and the load-time patching)")
        if traps:
            rdtsc = max([rdtsc or 0] + [t.get("rdtsc", 0) for t in traps])
            ic = [x["traps"] for x in runs[("l4", "icount")] if x["traps"]] or traps
            show = ["int:0x80", "exception:14", "hidden-pf", "hypercall:flush", "irq:0"]
            lines.append("l4 traps over the whole run (icount, median): " + ", ".join(
                f"{kind} {int(med([t.get(kind, 0) for t in ic])):,}" for kind in show)
                + f"; rdtsc {max(t.get('rdtsc', 0) for t in traps)} (max over the l4 runs)")
        lines.append("")
    data["rdtsc_traps_max"] = rdtsc
    lines += ["One operation:"] + [f"  {b:14} {what}" for b, what in BENCHES] + [
              "insns/op: in-guest rdtsc deltas under -icount shift=0, where the TSC counts executed",
              "instructions: everything the machine ran meanwhile (guest user and kernel, on l4 also",
              "the wedge and the hypervisor, and any timer interrupt that fell inside; QEMU counts",
              "each iteration of a rep-prefixed string instruction as one); repeatable to within 1%.",
              "TSC/op: the same deltas under plain TCG, where the TSC is the host's: host time,",
              "which includes TCG's own work (translation, soft-TLB flushes on every CR3 load) and",
              "whatever else the shared host ran meanwhile (other jobs' builds): not hardware time,",
              "and noisy (see the range).",
              "rdtsc at CPL 3 on l4: " + (
                  "native (no l4 run's trap dump has an rdtsc entry: the hypervisor never sets\n"
                  "CR4.TSD), so the guest reads the machine's TSC and a delta includes the wedge and"
                  " the hypervisor." if rdtsc == 0 else "unknown: no trap dump." if rdtsc is None
                  else f"TRAPPED (up to {rdtsc} traps in a run)."),
              f"command: bench/linux_micro.py --reps {reps} --scale {scale} "
              + " ".join(f"--kernel {kd['vmlinux']}" for kd in data["kernels"].values())]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3, help="repetitions per (target, mode) (default 3)")
    ap.add_argument("--scale", type=int, default=100,
                    help="percent of micro's default iterations (default 100)")
    ap.add_argument("--kernel", action="append",
                    help=f"a vmlinux (repeatable; default {', '.join(KERNELS)} in {LINUX})")
    ap.add_argument("--quick", action="store_true",
                    help="one repetition, 25%% of the iterations, the first kernel only; "
                         "prints the table without writing bench/results/")
    ap.add_argument("--render", metavar="JSON",
                    help="print and keep the report of a saved measurement (this script's .json) again")
    a = ap.parse_args()
    if a.render:
        data = json.loads(pathlib.Path(a.render).read_text())
    else:
        data = measure(a)
    lines = render(data)
    text = "\n".join(lines) + "\n"
    print(text)
    if a.quick:
        print(f"(--quick: {RESULTS.relative_to(ROOT)} not written)")
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    RESULTS.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")


def measure(a):
    """Boots every (kernel, repetition, mode, target), bare and l4 alternating; the raw data."""
    if a.quick:
        a.reps, a.scale = 1, 25
    kernels = [pathlib.Path(k) for k in a.kernel] if a.kernel else [LINUX / k / "vmlinux" for k in KERNELS]
    if a.quick:
        kernels = kernels[:1]
    for f in [BUILD / "bin" / "afterburn"] + kernels:
        if not f.exists():
            sys.exit(f"{f} is missing: run scripts/build, and build the kernels "
                     "(guest-patches/linux-6.1/build or pytest -m linux)")
    data = {"reps": a.reps, "scale": a.scale, "kernels": {}}
    with tempfile.TemporaryDirectory() as d:
        initrd = pathlib.Path(d) / "initramfs.cpio.gz"
        make_initrd(initrd)
        for k in kernels:
            kd = data["kernels"][k.parent.name] = {"vmlinux": str(rel(k)), "iterations": {}, "runs": {}}
            for r in range(a.reps):
                for mode in MODES:
                    for target in TARGETS:
                        res = run(k, initrd, target, mode, a.scale)
                        kd["iterations"] = {b: n for b, (n, _) in res["ops"].items()}
                        kd["runs"].setdefault(f"{target}/{mode}", []).append(
                            {"wall": res["wall"], "insns": res["insns"], "traps": res["traps"],
                             "tsc_per_op": {b: x for b, (_, x) in res["ops"].items()}})
                        print(f"{k.parent.name} rep {r + 1} {mode:6} {target:4} {res['wall']:6.1f} s"
                              + (f" {res['insns']:>14,} insns" if res["insns"] else ""), file=sys.stderr)
    return data


if __name__ == "__main__":
    main()
