"""The steps that reuse one bench/ script each: microbenchmarks, IPC, load-time patching, the
conformance guests and the mini-OS, and the size of the privileged code."""
import argparse
import re
import statistics
import sys

from .common import BUILD, ROOT, COUNT, HOST_TIME, TCG_TIME, StepFailed, figure, log, rel, sh, show
from . import kernels

sys.path.insert(0, str(ROOT / "bench"))
import guest_traps  # noqa: E402
import ipc_roundtrip  # noqa: E402
import linux_micro  # noqa: E402

PATCH_TARGET_MS = 5.0       # issue 3: patch every site of the Linux vmlinux, host-native
PRIVILEGED_BUDGET = 6000    # issue 4: lines of the hypervisor's kernel and arch code
GUEST_FALL_TARGET = 95.0    # issue 5: l4/full against trap/minimal


def _script(fn, *args):
    """Calls a bench/ script's function; its sys.exit on a failure becomes StepFailed."""
    try:
        return fn(*args)
    except SystemExit as e:
        raise StepFailed(str(e)) from None


# ---- microbenchmarks (bench/linux_micro.py) ----
def micro(ccs, reps, scale):
    a = argparse.Namespace(reps=reps, scale=scale, quick=False,
                           kernel=[str(kernels.vmlinux(cc, "full")) for cc in ccs])
    data = _script(linux_micro.measure, a)
    text = linux_micro.render(data)          # fills data["kernels"][K]["benchmarks"]
    data["text"] = "\n".join(text)
    data["command"] = f"bench/linux_micro.py --reps {reps} --scale {scale} " + " ".join(
        f"--kernel {rel(k)}" for k in a.kernel)
    return data


def micro_figures(data):
    figs = []
    for name, kd in data["kernels"].items():
        for b, v in kd["benchmarks"].items():
            i, t = v["insns_per_op"], v["tsc_per_op_tcg"]
            figs.append(figure(f"micro.{name}.{b}.icount", f"{b}, l4 / bare instructions per op ({name}: "
                               f"{i['l4']:,.0f} / {i['bare']:,.0f})", i["ratio"], "x", COUNT,
                               data["command"], fmt="{:.2f}"))
            figs.append(figure(f"micro.{name}.{b}.tcg", f"{b}, l4 / bare TCG time per op ({name})",
                               t["ratio"], "x", TCG_TIME, data["command"], fmt="{:.2f}"))
    return figs


# ---- IPC (bench/ipc_roundtrip.py) ----
def ipc(runs, calls):
    res = {"tcg": [], "icount": []}
    for _ in range(runs):
        res["tcg"].append(_script(ipc_roundtrip.run, calls, False))
        res["icount"].append(_script(ipc_roundtrip.run, calls, True))
    med = {m: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for m, rs in res.items()}
    return {"runs": runs, "calls": calls, "median": med, "raw": res,
            "published_one_way_cycles": dict((n, c) for n, _, c in ipc_roundtrip.PUBLISHED),
            "command": f"bench/ipc_roundtrip.py --runs {runs} --calls {calls}"}


def ipc_figures(d):
    i, t = d["median"]["icount"], d["median"]["tcg"]
    pub = ", ".join(f"{n} {c} cycles one way" for n, c in d["published_one_way_cycles"].items())
    return [figure("ipc.cross.icount", "IPC round trip across spaces, instructions", i["cross"], "insns",
                   COUNT, d["command"], note=f"published (hardware cycles, for scale only): {pub}",
                   fmt="{:,.0f}"),
            figure("ipc.same.icount", "IPC round trip in one space, instructions", i["same"], "insns",
                   COUNT, d["command"], fmt="{:,.0f}"),
            figure("ipc.syscall.icount", "null system call, instructions", i["syscall"], "insns", COUNT,
                   d["command"], fmt="{:,.0f}"),
            figure("ipc.cross.tcg", "IPC round trip across spaces, TSC ticks under TCG", t["cross"], "ticks",
                   TCG_TIME, d["command"], fmt="{:,.0f}")]


# ---- load-time patching (bench/patch_throughput.c) ----
def patch(ccs, rounds, policies):
    images = [kernels.vmlinux(cc, p) for cc in ccs for p in policies if kernels.vmlinux(cc, p).exists()]
    cmd = [BUILD / "bin" / "patch_throughput", "-n", str(rounds), BUILD / "loader" / "wedge-fixture.elf"] + images
    out = sh(cmd, timeout=1800).stdout
    rows = []
    for line in out.splitlines():
        f = [x.strip() for x in line.strip("|").split("|")]
        if len(f) >= 6 and f[0].endswith("vmlinux"):
            rows.append({"image": f[0], "sites": int(f[1]), "patched": int(f[2]),
                         "median_ms": float(f[3]), "min_ms": float(f[4]), "sites_per_s": int(f[5])})
    if len(rows) != len(images):
        raise StepFailed(f"patch_throughput printed {len(rows)} rows for {len(images)} images:\n{out}")
    return {"rows": rows, "text": out, "command": show(cmd)}


def patch_figures(d):
    figs = []
    for r in d["rows"]:
        name = r["image"].split("/")[-2]
        figs.append(figure(f"patch.{name}", f"load-time patching, every site for l4 ({name}: {r['sites']:,} "
                           f"sites, {r['sites_per_s']:,} sites/s)", r["median_ms"], "ms", HOST_TIME,
                           d["command"], f"< {PATCH_TARGET_MS} ms", r["median_ms"] < PATCH_TARGET_MS,
                           fmt="{:.3f}"))
    return figs


# ---- the conformance guests and the mini-OS (bench/guest_traps.py) ----
def guests(names):
    res = {}
    for n in names:
        res[n] = {}
        for target, policy in guest_traps.RUNS:
            cls, kinds = _script(guest_traps.dump, n, target, policy)
            res[n][f"{target}/{policy}"] = {"classes": cls, "kinds": kinds}
        log(f"  {n}: sensitive traps trap/minimal {res[n]['trap/minimal']['classes']['sensitive']:,}, "
            f"l4/full {res[n]['l4/full']['classes']['sensitive']:,}")
    return {"guests": res, "command": "afterburn run --target l4 --mem 64 --profile DUMP "
            "build/guests/GUEST.full.elf, and --target trap with GUEST.minimal.elf, for GUEST in "
            + " ".join(names) + " (bench/guest_traps.py's runs)"}


def guest_figures(d):
    tot = {run: sum(g[run]["classes"]["sensitive"] for g in d["guests"].values())
           for run in ("trap/minimal", "l4/full")}
    b, f = tot["trap/minimal"], tot["l4/full"]
    fall = 100 * (b - f) / b if b else 0.0
    names = list(d["guests"])
    return [figure("guests.fall", f"sensitive traps of {len(names)} guests ({', '.join(names[:3])}"
                   f"{', ...' if len(names) > 3 else ''}), l4/full against trap/minimal ({b:,} -> {f:,})",
                   fall, "% fewer", COUNT, d["command"], f">= {GUEST_FALL_TARGET}%",
                   fall >= GUEST_FALL_TARGET, fmt="{:.2f}")]


def guest_names(quick):
    names = (BUILD / "guests" / "guests.txt").read_text().split()
    return ["minios"] if quick else names + ["minios"]


# ---- the privileged code (tests/test_hypervisor.py counts the same) ----
def hypervisor_size():
    files = sorted(p for d in ("hypervisor/kernel", "hypervisor/arch")
                   for p in (ROOT / d).rglob("*") if p.suffix in (".c", ".h", ".S"))
    lines = sum(len(p.read_text().splitlines()) for p in files)
    return {"files": len(files), "lines": lines,
            "command": "find hypervisor/kernel hypervisor/arch -name '*.[chS]' | xargs wc -l"}


def hypervisor_figures(d):
    return [figure("hypervisor.lines", f"privileged code, lines of C and assembly ({d['files']} files)",
                   d["lines"], "lines", COUNT, d["command"], f"<= {PRIVILEGED_BUDGET:,}",
                   d["lines"] <= PRIVILEGED_BUDGET, fmt="{:,}")]
