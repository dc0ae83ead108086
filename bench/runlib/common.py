"""What every step of bench/run shares: paths, logging, running a command, and figures.

A figure is one row of the report's table (docs/bench.md): what was measured, its value, the
target it is held against (or None), whether it met it, whether the value is a deterministic
count or a time, and the command that produced it.
"""
import os
import pathlib
import shlex
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build"))
BIN = BUILD / "bin"
AFTERBURN = BIN / "afterburn"
AFTERBURN_CC = BIN / "afterburn-cc"
LINUX = BUILD / "linux"
GP = ROOT / "guest-patches" / "linux-6.1"
PLUGIN = BUILD / "bench" / "libinsncount.so"
ENV = dict(os.environ, AFTERBURN_BUILD_DIR=str(BUILD))

# What a value is, as the report states it next to every figure.
COUNT = "count"          # deterministic: instructions under -icount, traps, sites, bytes
TCG_TIME = "TCG time"    # guest time under plain QEMU TCG: host time, not hardware
HOST_TIME = "host time"  # wall clock of a host-native program (a build, the loader)

_t0 = time.monotonic()


def log(msg):
    """Progress on stderr, with the minutes since bench/run started."""
    m, s = divmod(int(time.monotonic() - _t0), 60)
    print(f"[{m:3d}:{s:02d}] bench/run: {msg}", file=sys.stderr, flush=True)


def rel(path):
    """A path as the report shows it: relative to the repository when inside it."""
    p = pathlib.Path(path)
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def show(cmd):
    """A command line as the report prints it: repository paths made relative."""
    return " ".join(shlex.quote(str(w).replace(str(ROOT) + "/", "")) for w in cmd)


class StepFailed(Exception):
    """A step could not produce its figures; the message says why and where the log is."""


def sh(cmd, timeout=1800, check=True, env=None, cwd=None, stdin=subprocess.DEVNULL):
    """Runs cmd (a list) and returns the CompletedProcess, text decoded leniently."""
    try:
        p = subprocess.run([str(c) for c in cmd], stdin=stdin, capture_output=True, timeout=timeout,
                           env=env or ENV, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        raise StepFailed(f"timed out after {timeout} s: {show(cmd)}") from e
    p.stdout = p.stdout.decode("latin-1").replace("\r", "")
    p.stderr = p.stderr.decode("latin-1")
    if check and p.returncode != 0:
        raise StepFailed(f"status {p.returncode}: {show(cmd)}\n{p.stdout[-1500:]}\n{p.stderr[-2500:]}")
    return p


def figure(fid, what, value, unit, kind, command, target=None, met=None, note="", fmt=None):
    """One row of the report's table.  target is a string such as "<= 1.05" (None: no target,
    only measured); met is True/False when there is a target, or None."""
    return {"id": fid, "figure": what, "value": value, "unit": unit, "kind": kind,
            "command": command, "target": target, "met": met, "note": note, "fmt": fmt}

