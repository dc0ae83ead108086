#!/usr/bin/python3
"""Build overhead of the afterburner on a real Linux 6.1 i386 build.

For each compiler, the same config is built plain (the normal toolchain:
GNU as for gcc, clang's integrated assembler for LLVM=1) and annotated
(afterburn-cc, policy full), interleaved A/B/B/A... from `make clean` each
time, and the wall-clock ratio is reported with the growth of .text.

  bench/build_overhead.py [--rounds N] [--compilers gcc,clang] [--jobs J]

Times are wall-clock on this machine (not TCG, not a hardware claim about
guests); the ratio is what matters.  Targets: 1.05 (gcc), 1.15 (clang),
.text growth under policy full at most 3%.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINUX = ROOT / "build" / "linux"
BUILD = ROOT / "guest-patches" / "linux-6.1" / "build"
CC = ROOT / "build" / "bin" / "afterburn-cc"
TARGET = {"gcc": 1.05, "clang": 1.15}


def variants(compiler):
    llvm = compiler == "clang"
    plain = {"name": f"bench-{compiler}-plain", "cc": compiler, "llvm": llvm, "policy": None}
    full = {"name": f"bench-{compiler}-full", "cc": f"{CC} {compiler}", "llvm": llvm, "policy": "full"}
    return plain, full


def make_cmd(v, jobs, target):
    cmd = ["make", "-s", f"O={LINUX / v['name']}", "ARCH=i386", f"CC={v['cc']}", f"-j{jobs}", target]
    if v["llvm"]:
        cmd.insert(3, "LLVM=1")
    return cmd


def env_for(v):
    env = dict(os.environ)
    env.pop("AFTERBURN_POLICY", None)
    if v["policy"]:
        env["AFTERBURN_POLICY"] = v["policy"]
        env["AFTERBURN_QUIET"] = "1"
    return env


def configure(v, jobs):
    """First build through guest-patches/linux-6.1/build: unpack, patch, config."""
    args = [str(BUILD), "--name", v["name"], "--cc", v["cc"], "--jobs", str(jobs)]
    if v["llvm"]:
        args.append("--llvm")
    if v["policy"]:
        args += ["--policy", v["policy"]]
    print(f"# preparing {v['name']}", flush=True)
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def timed_build(v, jobs):
    src = LINUX / "src"
    subprocess.run(make_cmd(v, jobs, "clean"), cwd=src, check=True, env=env_for(v))
    t0 = time.monotonic()
    r = subprocess.run(make_cmd(v, jobs, "vmlinux"), cwd=src, env=env_for(v),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.monotonic() - t0
    if r.returncode:
        sys.exit(f"build of {v['name']} failed:\n{r.stderr[-3000:]}")
    return dt


def section_size(elf, names):
    out = subprocess.run(["readelf", "-SW", str(elf)], check=True, capture_output=True, text=True).stdout
    total = 0
    for line in out.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 5 and parts[1] in names:
            total += int(parts[5], 16)
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2, help="A/B pairs per compiler (default 2)")
    ap.add_argument("--compilers", default="gcc,clang")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    if not CC.exists():
        sys.exit(f"{CC} is missing: run scripts/build")

    rows = []
    for compiler in a.compilers.split(","):
        plain, full = variants(compiler)
        for v in (plain, full):
            configure(v, a.jobs)
        times = {"plain": [], "full": []}
        for r in range(a.rounds):
            order = [("plain", plain), ("full", full)]
            if r % 2:
                order.reverse()
            for label, v in order:
                dt = timed_build(v, a.jobs)
                times[label].append(dt)
                print(f"# {compiler} round {r + 1} {label}: {dt:.1f} s", flush=True)
        tp, tf = statistics.median(times["plain"]), statistics.median(times["full"])
        text = (".text", ".init.text", ".exit.text")
        sp = section_size(LINUX / plain["name"] / "vmlinux", text)
        sf = section_size(LINUX / full["name"] / "vmlinux", text)
        rows.append({"compiler": compiler, "plain_s": tp, "annotated_s": tf, "ratio": tf / tp,
                     "target": TARGET[compiler], "met": tf / tp <= TARGET[compiler],
                     "text_plain": sp, "text_full": sf, "text_growth": sf / sp - 1,
                     "rounds": a.rounds, "jobs": a.jobs})

    print()
    print("| compiler | plain (s) | annotated, full (s) | ratio | target | met | code plain | code full | growth |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['compiler']} | {r['plain_s']:.1f} | {r['annotated_s']:.1f} | {r['ratio']:.3f} | "
              f"<= {r['target']} | {'yes' if r['met'] else 'NO'} | {r['text_plain']} | {r['text_full']} | "
              f"{100 * r['text_growth']:.2f}% |")
    print("\nTimes: median wall clock of make vmlinux after make clean, interleaved; "
          "code: .text+.init.text+.exit.text bytes (target growth <= 3%).")
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
