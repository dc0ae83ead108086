"""Isolation (issue 5, acceptance c): a hostile guest on the hypervisor, beside
the canary task (hypervisor/user/tests/canary.c), with the kernel told to
keep the machine up when the guest ends (vm_exit=continue).

The guest (tests/guests/hostile/hostile.c) maps frames outside its memory,
touches and jumps to the hypervisor's, the wedge's and the vCPU page's
addresses from its user mode (and its kernel mode), loads a garbage GDT,
floods traps, and ends with a triple fault.  Passing means: every attack was
contained (the guest says so, check by check), the canary's memory was
intact at every tick while it ran, the kernel ended the VM (code 0x7e) and
carried on — root shut down normally afterwards.
"""
import re
import subprocess
import tempfile
import pathlib

import pytest

from conftest import BUILD
from test_guests import QEMU_CPU
from test_vm import TARGETS, WEDGE, need_wedge, parse_trapdump

pytestmark = pytest.mark.vm

HV = BUILD / "hypervisor"
CANARY_MS = 20000          # generous: the guest ends within a few seconds
TIMEOUT = 300


def run_hostile(target):
    need_wedge()
    guest = BUILD / "guests" / f"hostile.{TARGETS[target]}.elf"
    for f in (HV / "hypervisor.elf", HV / "root.elf", HV / "console.elf", HV / "canary.elf", guest):
        if not f.exists():
            pytest.fail(f"{f} is missing: run scripts/build first")
    # Module command lines hold 63 bytes: short links in a short directory.
    with tempfile.TemporaryDirectory(prefix="abh") as d:
        d = pathlib.Path(d)
        for name, src in (("root.elf", HV / "root.elf"), ("cons.elf", HV / "console.elf"),
                          ("canary.elf", HV / "canary.elf"), ("g.elf", guest), ("w.elf", WEDGE)):
            (d / name).symlink_to(src)
        mods = [f"{d}/root.elf", f"{d}/cons.elf", f"{d}/canary.elf {CANARY_MS}",
                f"{d}/g.elf vm target={target} mem=64", f"{d}/w.elf wedge"]
        com2 = d / "com2.log"
        cmd = ["qemu-system-i386", "-accel", "tcg", "-cpu", QEMU_CPU, "-m", "256M",
               "-kernel", str(HV / "hypervisor.elf"), "-initrd", ",".join(mods),
               "-append", "debug=com2 vm_exit=continue", "-serial", "stdio",
               "-serial", f"file:{com2}", "-display", "none", "-monitor", "none", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"no end within {TIMEOUT} s:\n{(e.stdout or b'').decode('latin-1')}\n"
                        f"{com2.read_text(errors='replace') if com2.exists() else ''}")
        return (p.returncode, p.stdout.decode("latin-1").replace("\r", ""),
                com2.read_text(errors="replace").replace("\r", ""))


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_hostile_guest_is_contained(target):
    rc, com1, com2 = run_hostile(target)
    where = f"QEMU status {rc}\n--- COM1:\n{com1}\n--- COM2:\n{com2}"
    checks = [ln for ln in com1.splitlines() if ln.startswith(("PASS:", "FAIL:"))]
    assert len(checks) == 6 and all(c.startswith("PASS:") for c in checks), where
    assert "hostile: every attack was contained" in com1, where
    assert "hostile: still running after a triple fault" not in com1, where
    # The kernel ended the VM for its triple fault, and the dump shows the flood.
    assert re.search(r"hypervisor: VM \w+ ended, code 7e", com2), where
    kinds = {}
    for _, kind, count in parse_trapdump(com2):
        kinds[kind] = kinds.get(kind, 0) + count
    assert kinds.get("cli", 0) >= 100000, f"the cli flood trapped {kinds.get('cli')} times\n{where}"
    assert kinds.get("exception:3", 0) >= 100000, where
    # The canary watched through the whole attack, and found nothing broken.
    assert "canary: ok   canary: the ticks kept coming" in com1, where
    assert re.search(r"canary: ok   canary: \d+ checks of \d+ words, 0 broken", com1), where
    ended, tasks_done = com2.find("VM "), com2.find("root: all tasks done")
    assert 0 <= com2.find(" ended, code 7e") < tasks_done, \
        f"the hostile guest outlived the canary's {CANARY_MS} ms: raise CANARY_MS\n{where}"
    # The hypervisor carried on: root summed up and shut down normally.
    assert "root: summary: 1 passed, 0 failed" in com2, where
    assert rc == 1, where
