"""Trap counts per target, policy and profile, on the Linux workload (bench/linux_traps.py's runs).

  trap/full      policy full, target trap: sites that trap are left to trap (quick and full)
  trap/minimal   policy minimal, target trap: naive trap-and-emulate (full run, gcc)
  l4/minimal     the profile loop's first run (full run, gcc)
  l4/profiled    policy minimal plus the loop's rules: `afterburn feedback` (full run, gcc)
The minimal kernel and the loop's rebuild are two more kernel builds (about 4 minutes each on
the 2-core machine), which is why the full run has them for gcc alone.
  l4/full        every sensitive instruction annotated and patched
All deterministic counts from the hypervisor's trap dump (docs/abi/trap-dump.md).
"""
import sys

from .common import ROOT, COUNT, StepFailed, figure, log, show
from . import kernels

sys.path.insert(0, str(ROOT / "bench"))
import linux_traps  # noqa: E402  (bench/linux_traps.py: the runs, the loop and the dump reader)

FALL_TARGET = 95.0       # issue 5: l4/full against trap/minimal, sensitive traps
LOOP_TARGET = 90.0       # issue 6: one iteration of the loop
SITE_SHARE_TARGET = 50.0  # issue 6: the loop's sites against policy full's
ORDER = ["trap/minimal", "trap/full", "l4/minimal", "l4/profiled", "l4/full"]


def _run(target, vmlinux, out, label, initrd):
    try:
        r = linux_traps.run(target, vmlinux, out / (label.replace("/", "-") + ".dump"), initrd)
    except SystemExit as e:
        raise StepFailed(str(e)) from None
    log(f"  {label}: {r['report']['classes'].get('sensitive', 0):,} sensitive traps, {r['seconds']} s")
    return r


def slim(r):
    return {"command": show(r["cmd"]), "status": r["status"], "wl": r["wl"],
            "classes": r["report"]["classes"], "lost": r["report"]["lost"],
            "kinds": {k: v["count"] for k, v in r["report"]["kinds"].items() if v["class"] == "sensitive"}}


def measure(ccs, loop_ccs, initrd, out):
    """Every compiler: trap/full and l4/full; those of loop_ccs also trap/minimal and the loop."""
    res = {}
    for cc in ccs:
        o = out / cc
        o.mkdir(parents=True, exist_ok=True)
        full = kernels.vmlinux(cc, "full")
        runs = {"trap/full": slim(_run("trap", full, o, "trap/full", initrd)),
                "l4/full": slim(_run("l4", full, o, "l4/full", initrd))}
        loop = None
        if cc in loop_ccs:
            kernels.build(cc, "minimal")
            runs["trap/minimal"] = slim(_run("trap", kernels.vmlinux(cc, "minimal"), o, "trap/minimal", initrd))
            log(f"  {cc}: the profile loop (afterburn feedback: run, rules, rebuild {kernels.name(cc, 'profiled')},"
                " rerun)")
            try:
                cmd, _, fb = linux_traps.feedback(cc, initrd, o / "feedback")
            except SystemExit as e:
                raise StepFailed(str(e)) from None
            for label, side in (("l4/minimal", "before"), ("l4/profiled", "after")):
                rep = linux_traps.report(o / "feedback" / f"{side}.dump", o / "feedback" / f"{side}.elf")
                runs[label] = {"command": show(cmd), "status": fb[side]["status"], "wl": None,
                               "classes": rep["classes"], "lost": rep["lost"],
                               "kinds": {k: v["count"] for k, v in rep["kinds"].items()
                                         if v["class"] == "sensitive"}}
            loop = {"rules": fb["rules"], "unmatched_rules": fb["unmatched_rules"],
                    "sites": [fb["before"]["sites"], fb["after"]["sites"]],
                    "text_bytes": [fb["before"]["text_bytes"], fb["after"]["text_bytes"]],
                    "same_output": fb["same_output"], "command": show(cmd),
                    "hot_after": linux_traps.hot_spots(o / "feedback" / "after.dump",
                                                       o / "feedback" / "after.elf", 10)}
        ref = runs["l4/full"]["wl"]
        for label, r in runs.items():
            if r["wl"] is not None and r["wl"] != ref:
                raise StepFailed(f"{cc} {label}: the WL: lines differ from l4/full's")
            r.pop("wl")
        res[cc] = {"runs": {k: runs[k] for k in ORDER if k in runs}, "loop": loop}
    return res


def sensitive(r):
    return r["classes"].get("sensitive", 0)


def figures(res, site_facts):
    figs = []
    for cc, r in res.items():
        runs = r["runs"]
        for label, x in runs.items():
            figs.append(figure(f"traps.{cc}.{label}", f"sensitive-instruction traps, {label} ({cc}; "
                               f"lost {x['lost']})", sensitive(x), "", COUNT, x["command"], fmt="{:,}"))
        base = "trap/minimal" if "trap/minimal" in runs else "trap/full"
        b, f = sensitive(runs[base]), sensitive(runs["l4/full"])
        fall = 100 * (b - f) / b if b else 0.0
        figs.append(figure(f"traps.{cc}.fall", f"sensitive traps, l4/full against {base} ({cc}: "
                           f"{b:,} -> {f:,})", fall, "% fewer", COUNT, runs["l4/full"]["command"],
                           f">= {FALL_TARGET}%", fall >= FALL_TARGET, fmt="{:.2f}"))
        lp = r["loop"]
        if lp:
            b, a = sensitive(runs["l4/minimal"]), sensitive(runs["l4/profiled"])
            fall = 100 * (b - a) / b if b else 0.0
            figs.append(figure(f"loop.{cc}.fall", f"profile loop, one iteration ({cc}: {b:,} -> {a:,} "
                               f"sensitive traps, {lp['rules']} rules)", fall, "% fewer", COUNT,
                               lp["command"], f">= {LOOP_TARGET}%", fall >= LOOP_TARGET, fmt="{:.1f}"))
            full_sites = site_facts.get(cc, {}).get("full", {}).get("sites")
            if full_sites:
                share = 100 * lp["sites"][1] / full_sites
                figs.append(figure(f"loop.{cc}.sites", f"profile loop: sites against policy full's ({cc}: "
                                   f"{lp['sites'][1]:,} / {full_sites:,})", share, "%", COUNT,
                                   lp["command"], f"<= {SITE_SHARE_TARGET}%", share <= SITE_SHARE_TARGET,
                                   fmt="{:.1f}"))
    return figs
