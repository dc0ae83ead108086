"""The Linux microbenchmarks (guest-patches/linux-6.1/micro/micro.c) bare and on l4.

The initramfs of mkinitramfs carries /root/micro; `afterburn.run=micro` on the kernel command
line makes /init run it instead of the workload. The annotated gcc kernel (ab-full-gcc, built
or reused by tests/test_linux.py's fixtures) boots it bare and on the hypervisor with a small
iteration count: every benchmark must report a positive per-operation figure and pass its own
checks (the pipe carried the right bytes, children exited with the right statuses, the faulted
pages read back what was written). No timing is asserted; bench/linux_micro.py measures.

Slow (a kernel build when ab-full-gcc is missing or stale, then three boots). Marker: linux.
"""
import os
import pathlib
import subprocess
import sys

import pytest

from test_linux import BUILD, GP, MARKER, _check_workload, _tail, ab_gcc  # noqa: F401 (fixture)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "bench"))
import linux_micro  # noqa: E402  (the bench's command line and parser, so both agree)

pytestmark = [pytest.mark.linux]

PERCENT = 5     # of micro's default iterations: a few hundred operations each


@pytest.fixture(scope="module")
def initrd(tmp_path_factory):
    """The initramfs, in a directory of this module's own: test_linux.py's fixture writes
    build/linux/initramfs.cpio.gz, which a concurrent test_linux run may be booting. Named
    `initrd` so the imported ab_gcc fixture boots the workload with this archive."""
    out = tmp_path_factory.mktemp("micro") / "initramfs.cpio.gz"
    r = subprocess.run([str(GP / "mkinitramfs"), str(out)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        pytest.fail(f"mkinitramfs failed:\n{r.stdout}", pytrace=False)
    return out


def _micro(k, initrd, target):
    k.need()
    cmd = linux_micro.command(k.vmlinux, initrd, target, "tcg", PERCENT, timeout=240)
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=dict(os.environ, AFTERBURN_BUILD_DIR=str(BUILD)),
                       timeout=300)
    serial = r.stdout.decode("latin-1").replace("\r", "")
    where = f"{target} (status {r.returncode}):\n{_tail(serial)}\n{_tail(r.stderr.decode('latin-1'))}"
    lines = serial.splitlines()
    assert MARKER in lines, f"no {MARKER} on {where}"
    assert "AFTERBURN-MICRO-BEGIN" in lines, f"/init did not select micro on {where}"
    assert not any(l.startswith("WL:") for l in lines), f"the workload ran too on {where}"
    res, failed, verdict = linux_micro.parse(serial)
    assert not failed, f"self-checks failed on {target}: {failed}"
    names = [b for b, _ in linux_micro.BENCHES]
    assert sorted(res) == sorted(names), f"MB: lines on {where}"
    for b in names:
        n, per_op = res[b]
        assert n > 0 and per_op > 0, f"{b} on {target}: iterations {n}, tsc_per_op {per_op}"
    checks = [l for l in lines if l.startswith("MB-CHECK:")]
    assert checks == [f"MB-CHECK: {b} ok" for b in names], checks
    assert "MB-INFO: rdtsc enabled (prctl PR_GET_TSC), advancing" in lines, where
    assert verdict == "MB-RESULT: ok" and "MB-EXIT: status 0" in lines, where
    return res


def test_initramfs_reproducible_with_micro(initrd, tmp_path):
    again = tmp_path / "again.cpio.gz"
    subprocess.run([str(GP / "mkinitramfs"), str(again)], check=True, stdout=subprocess.DEVNULL)
    assert again.read_bytes() == initrd.read_bytes(), "mkinitramfs is not reproducible"
    listing = subprocess.run(f"gzip -dc {again} | cpio -t --quiet", shell=True, check=True,
                             stdout=subprocess.PIPE, text=True).stdout.split()
    assert "root/micro" in listing and "init" in listing
    # micro lives in /root, which the workload does not list: nothing new at / or in /bin.
    assert not [p for p in listing if p.startswith("bin/") and "micro" in p]


def test_workload_unchanged_by_default(ab_gcc):
    # ab_gcc booted this module's initrd without afterburn.run: the workload, not micro.
    _check_workload(ab_gcc)
    assert "AFTERBURN-MICRO-BEGIN" not in ab_gcc.serial.splitlines()
    assert not any(l.startswith(("MB:", "MB-")) for l in ab_gcc.serial.splitlines())


def test_micro_bare(ab_gcc, initrd):
    _micro(ab_gcc, initrd, "bare")


def test_micro_on_l4(ab_gcc, initrd):
    _micro(ab_gcc, initrd, "l4")
