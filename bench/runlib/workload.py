"""The Linux workload (guest-patches/linux-6.1/workload.sh), bare and on the hypervisor.

Each repetition R boots, in this order:
  plain/bare/icount   the plain kernel on bare QEMU, -icount shift=R, bench/insncount
  full/bare/icount    the policy-full kernel, bare, shift=R; the plugin also counts the padding
  full/l4/icount      the same file on the hypervisor, shift=0 (first repetition only)
  full/bare/tcg       plain TCG: time
  full/l4/tcg
The no-op cost on bare metal is read two ways (docs/bench.md): the padding instructions the full
kernel executed, counted by the plugin in the same run (exact); and the whole run's instructions,
full against plain (A/B).  The A/B mixes in the scheduling: a different kernel, or a different
shift, moves the timer interrupts, and with them how the workload's processes interleave, by
about 1% of the run either way; a run with one kernel and one shift repeats to within 0.02%.
Hence one shift per repetition: the A/B is averaged over different interleavings, and its spread
is shown.  Every run must print the same WL: lines.
"""
import pathlib
import re
import statistics
import sys
import tempfile
import time

from .common import AFTERBURN, COUNT, PLUGIN, ROOT, TCG_TIME, StepFailed, figure, log, sh, show
from . import kernels

sys.path.insert(0, str(ROOT / "bench"))
from linux_traps import boot_params  # noqa: E402  (the one reader of boot-params)

PUBLISHED_NOOP = 0.15   # percent: pre-virtualization's no-ops on native hardware (REFERENCES.md)
MARKER = "AFTERBURN-WORKLOAD-DONE"
RUNS = [("plain", "bare", "icount"), ("full", "bare", "icount"), ("full", "l4", "icount"),
        ("full", "bare", "tcg"), ("full", "l4", "tcg")]
ONCE = {("full", "l4", "icount")}    # deterministic: one repetition is enough


def pad_ranges(elf, path):
    """Writes the no-op padding of every site of elf as "ADDR LEN" lines (the plugin's pads=)."""
    n = 0
    with open(path, "w") as f:
        for s in kernels.sites(elf)["sites"]:
            pad = s["len"] - s["insn_len"]
            if pad > 0:
                start = s["addr"] + (0 if s["insn_offset"] else s["insn_len"])
                f.write(f"{start:#x} {pad}\n")
                n += 1
    if not n:
        raise StepFailed(f"{elf}: no padded site")
    return n


def command(vmlinux, initrd, target, mode, pads=None, shift=0):
    cmd = [AFTERBURN, "run", "--target", target, "--mem", "128", "--initrd", initrd,
           "--append", boot_params(), "--timeout", "900"]
    if mode == "icount":
        plugin = f"{PLUGIN},pads={pads}" if pads else str(PLUGIN)
        cmd += ["--qemu-arg", "-icount", "--qemu-arg", f"shift={shift}", "--qemu-arg", "-plugin",
                "--qemu-arg", plugin]
    return cmd + [vmlinux]


def boot(vmlinux, initrd, target, mode, pads=None, shift=0):
    """One boot through the workload; its WL: lines, counts and wall time."""
    cmd = command(vmlinux, initrd, target, mode, pads, shift=shift)
    t0 = time.monotonic()
    p = sh(cmd, timeout=1000, check=False)
    wall = time.monotonic() - t0
    if MARKER not in p.stdout or p.returncode != 0:
        raise StepFailed(f"the workload did not finish (status {p.returncode}): {show(cmd)}\n"
                         f"{p.stdout[-1500:]}\n{p.stderr[-1500:]}")
    m = re.search(r"insncount: (\d+)", p.stderr)
    pm = re.search(r"insncount-pads: (\d+)", p.stderr)
    if mode == "icount" and not m:
        raise StepFailed(f"no instruction count from {PLUGIN}: {show(cmd)}\n{p.stderr[-1500:]}")
    return {"wall": round(wall, 2), "insns": int(m.group(1)) if m else None, "shift": shift,
            "pads": int(pm.group(1)) if pm else None,
            "wl": [l for l in p.stdout.splitlines() if l.startswith("WL:")], "command": show(cmd)}


def measure(ccs, reps, initrd, with_plain=True):
    """with_plain=False (--quick): no plain kernel, so no A/B; the counted cost stays."""
    res = {}
    with tempfile.TemporaryDirectory() as d:
        for cc in ccs:
            k = {p: kernels.vmlinux(cc, p) for p in ("plain", "full")}
            wanted = [r for r in RUNS if with_plain or r[0] != "plain"]
            pads = pathlib.Path(d) / f"{cc}.pads"
            nranges = pad_ranges(k["full"], pads)
            runs = {"/".join(r): [] for r in wanted}
            for rep in range(reps):
                for policy, target, mode in wanted:
                    if rep and (policy, target, mode) in ONCE:
                        continue
                    shift = rep if target == "bare" else 0
                    b = boot(k[policy], initrd, target, mode,
                             pads if (policy, target, mode) == ("full", "bare", "icount") else None,
                             shift=shift)
                    runs[f"{policy}/{target}/{mode}"].append(b)
                    log(f"  {cc} rep {rep + 1} {policy}/{target}/{mode}: {b['wall']:.1f} s"
                        + (f", {b['insns']:,} instructions" if b["insns"] else "")
                        + (f", {b['pads']:,} of them no-ops" if b["pads"] is not None else ""))
            first = next(iter(runs))
            ref = runs[first][0]["wl"]
            for key, bs in runs.items():
                for b in bs:
                    if b["wl"] != ref:
                        raise StepFailed(f"{cc} {key}: the WL: lines differ from {first}'s")
            res[cc] = {"pad_ranges": nranges, "wl_lines": len(ref),
                       "runs": {key: [{x: b[x] for x in ("wall", "insns", "pads", "shift")} for b in bs]
                                for key, bs in runs.items()},
                       "commands": {key: bs[0]["command"] for key, bs in runs.items()}}
    return res


def figures(res):
    figs = []
    med = statistics.median
    for cc, r in res.items():
        runs, cmds = r["runs"], r["commands"]
        fulls = runs["full/bare/icount"]
        full = med(b["insns"] for b in fulls)
        pads = med(b["pads"] for b in fulls)
        exact = med(100 * b["pads"] / b["insns"] for b in fulls)
        figs.append(figure(f"noop.{cc}.exact", f"bare-metal cost of the no-ops, counted ({cc}: {pads:,.0f} "
                           f"padding instructions of {full:,.0f})", exact, "%", COUNT,
                           cmds["full/bare/icount"], f"<= {PUBLISHED_NOOP}% (published)",
                           exact <= PUBLISHED_NOOP, fmt="{:.3f}"))
        pairs = list(zip(runs.get("plain/bare/icount", []), fulls))
        if pairs:
            abs_ = [100 * (f["insns"] / p["insns"] - 1) for p, f in pairs]
            ab = statistics.mean(abs_)
            figs.append(figure(f"noop.{cc}.ab", f"bare-metal cost of the no-ops, whole run full / plain ({cc}; "
                               f"mean of {len(pairs)} pairs at -icount shift 0..{len(pairs) - 1}: "
                               + ", ".join(f"{x:+.2f}%" for x in abs_) + "; scheduling moves a run by ~1%)",
                               ab, "%", COUNT,
                               f"{cmds['plain/bare/icount']}  vs  the same with {kernels.name(cc, 'full')}",
                               f"<= {PUBLISHED_NOOP}% (published)", ab <= PUBLISHED_NOOP, fmt="{:+.3f}"))
        full = runs["full/bare/icount"][0]["insns"]     # shift 0, as the l4 run
        l4 = runs["full/l4/icount"][0]["insns"]
        figs.append(figure(f"workload.{cc}.insns", f"Linux workload, l4 / bare, whole run instructions "
                           f"({cc}: {l4:,.0f} / {full:,.0f})", l4 / full, "x", COUNT,
                           cmds["full/l4/icount"], fmt="{:.2f}"))
        tb = med(b["wall"] for b in runs["full/bare/tcg"])
        tl = med(b["wall"] for b in runs["full/l4/tcg"])
        figs.append(figure(f"workload.{cc}.tcg", f"Linux workload, l4 / bare, TCG wall time ({cc}: "
                           f"{tl:.1f} s / {tb:.1f} s)", tl / tb, "x", TCG_TIME, cmds["full/l4/tcg"],
                           fmt="{:.2f}"))
    return figs
