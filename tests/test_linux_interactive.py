"""Typing at a Linux shell over the serial console, bare and on the hypervisor.

The annotated kernels of tests/test_linux.py (ab-full-gcc, ab-full-clang) boot with
`rdinit=/bin/sh`: busybox sh is PID 1 on ttyS0. The test types commands on QEMU's stdin
(`-serial stdio`), one at a time, waits for each one's output and the next prompt, checks the
answers, and ends the machine with `reboot -f`. Once bare (QEMU boots the vmlinux itself) and
once on the hypervisor (`afterburn run --target l4`): there the bytes go from COM1 to the
console server, which hands them to the wedge's UART model at the guest's timer ticks
(CONS_READ, docs/wedge-devices.md); the answers must be the bare run's. And once more on the
hypervisor with its own console on COM1 as well (no debug=com2), which must not take the input.

A kernel in build/linux/NAME is reused, or built by test_linux's helper (minutes). The initramfs
is mkinitramfs's, made here in a temporary directory (the Linux tests write
build/linux/initramfs.cpio.gz, perhaps while we boot). Marker: linux.
"""
import os
import pathlib
import re
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import test_linux as tl  # noqa: E402  (kernels: names, build arguments, the build helper)
from test_guests import QEMU_CPU  # noqa: E402

pytestmark = [pytest.mark.linux]

APPEND = "console=ttyS0 reservetop=64M panic=-1 rdinit=/bin/sh"
MEM_MB = 128
BOOT_TIMEOUT = 240       # to the first prompt (TCG: 2-4 s here, bare or not; more under load)
COMMAND_TIMEOUT = 90     # each command's answer and the prompt after it
END_TIMEOUT = 120        # QEMU ends by itself after `reboot -f`
RUN_TIMEOUT = 600        # afterburn run's --timeout: the whole session

# As test_linux's fixtures ab_gcc and ab_clang build them.
KERNELS = {
    "ab-full-gcc": ["--cc", f"{tl.AFTERBURN_CC} gcc", "--policy", "full"],
    "ab-full-clang": ["--llvm", "--cc", f"{tl.AFTERBURN_CC} clang", "--policy", "full"],
}

# The commands, typed one by one, and a check of each answer (its output lines).
# The first keeps kernel messages off the console (as /init does), so that none lands
# between a command and its answer; its own answer may hold one that came earlier
# (bare QEMU finds a mouse on the i8042 right at the prompt), so it is not checked.
COMMANDS = [
    ("dmesg -n 1", None),
    ("echo $((6*7))", lambda a: a == ["42"]),
    ("mount -t proc proc /proc", lambda a: a == []),
    ("cat /proc/cpuinfo | grep -c processor", lambda a: a == ["1"]),
    ("ls /bin | wc -l", lambda a: len(a) == 1 and a[0].strip().isdigit() and int(a[0]) > 20),
    ("uname -m", lambda a: len(a) == 1 and re.fullmatch(r"i[3-6]86", a[0]) is not None),
    ("echo hello, world | tr a-z A-Z | sed s/WORLD/L4/", lambda a: a == ["HELLO, L4"]),
    ("seq 1 100 | awk '{ s += $1 } END { print s }'", lambda a: a == ["5050"]),
    # Longer than the UART's 16-byte FIFO and than one CONS_READ: several asks, in order.
    ("echo the quick brown fox jumps over the lazy dog | wc -c", lambda a: a == ["44"]),
    ("false; echo status=$?", lambda a: a == ["status=1"]),
    ("cat /proc/cmdline", lambda a: a == [APPEND]),
]

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")   # busybox asks the terminal (ESC [6n)
PROMPT = re.compile(r"\n[^\n]*[#$] $")           # "/ # " at the end, after the echo's newline


def _clean(raw):
    return ANSI.sub(b"", bytes(raw)).replace(b"\r", b"").decode("latin-1")


def _tail(text, n=30):
    return "\n".join(text.splitlines()[-n:])


class Session:
    """A QEMU (or afterburn run) with its serial console on stdin/stdout."""

    def __init__(self, argv, env=None):
        self.argv = argv
        self.out = bytearray()
        self.err = bytearray()
        self.lock = threading.Condition()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
        self.threads = [threading.Thread(target=self._reader, args=(f, buf), daemon=True)
                        for f, buf in ((self.p.stdout, self.out), (self.p.stderr, self.err))]
        for t in self.threads:
            t.start()

    def _reader(self, f, buf):
        while True:
            b = os.read(f.fileno(), 4096)
            with self.lock:
                if not b:
                    return
                buf.extend(b)
                self.lock.notify_all()

    def text(self, since=0):
        with self.lock:
            return _clean(self.out[since:])

    def mark(self):
        with self.lock:
            return len(self.out)

    def describe(self):
        """For a failure: QEMU is stopped first, so that stderr (afterburn run copies the
        kernel's console there when the guest did not end by itself) is complete."""
        self.close()
        err = self.err.decode("latin-1")
        return (f"command: {' '.join(self.argv)}\nstatus: {self.p.returncode}\n"
                f"--- serial output (tail) ---\n{_tail(self.text())}\n"
                f"--- stderr (tail) ---\n{_tail(err, 40)}")

    def wait_for(self, pattern, since, timeout, what):
        """Wait until the cleaned output after `since` matches; the text, or fail."""
        end = time.monotonic() + timeout
        with self.lock:
            while True:
                text = _clean(self.out[since:])
                if pattern.search(text):
                    return text
                left = end - time.monotonic()
                if left <= 0 or (self.p.poll() is not None and not any(
                        t.is_alive() for t in self.threads)):
                    break
                self.lock.wait(min(left, 0.5))
        pytest.fail(f"no {what} within {timeout} s\n{self.describe()}", pytrace=False)

    def type(self, line):
        try:
            self.p.stdin.write(line.encode() + b"\n")
            self.p.stdin.flush()
        except BrokenPipeError:
            pytest.fail(f"QEMU is gone before {line!r} could be typed\n{self.describe()}",
                        pytrace=False)

    def command(self, cmd, echo=True):
        """Type cmd and return its answer: the lines between its echo and the next prompt."""
        since = self.mark()
        self.type(cmd)
        text = self.wait_for(PROMPT, since, COMMAND_TIMEOUT, f"answer to {cmd!r} and prompt")
        lines = text.split("\n")
        assert not echo or lines[0] == cmd, \
            f"the shell did not echo {cmd!r} as typed: {lines[0]!r}\n{self.describe()}"
        return lines[1:-1]

    def end(self):
        """Wait for QEMU to end by itself; its status (not checked: see the docstring)."""
        try:
            return self.p.wait(END_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"QEMU did not end within {END_TIMEOUT} s of `reboot -f`\n"
                        f"{self.describe()}", pytrace=False)

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()     # afterburn run forwards it to QEMU
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        for t in self.threads:
            t.join(5)
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass


def _interact(argv, log, env=None):
    """Boot, type COMMANDS, `reboot -f`; the answers (None for unchecked ones)."""
    s = Session(argv, env)
    try:
        s.wait_for(PROMPT, 0, BOOT_TIMEOUT, "shell prompt after boot")
        answers = []
        for cmd, check in COMMANDS:
            a = s.command(cmd, echo=check is not None)
            if check is None:
                answers.append(None)
                continue
            assert check(a), f"wrong answer to {cmd!r}: {a!r}\n{s.describe()}"
            answers.append(a)
        s.type("reboot -f")
        s.end()
        return answers
    finally:
        s.close()
        log.write_bytes(bytes(s.out))


@pytest.fixture(scope="module")
def initrd(tmp_path_factory):
    out = tmp_path_factory.mktemp("initramfs") / "initramfs.cpio.gz"
    r = subprocess.run([str(tl.GP / "mkinitramfs"), str(out)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        pytest.fail(f"mkinitramfs failed:\n{r.stdout}", pytrace=False)
    return out


@pytest.fixture(scope="module", params=sorted(KERNELS))
def kernel(request):
    name = request.param
    if not tl.AFTERBURN_CC.exists():
        pytest.fail(f"{tl.AFTERBURN_CC} is missing: build the afterburner first (scripts/build)",
                    pytrace=False)
    inputs = tl.GUEST_INPUTS + [b for b in tl.AFTERBURNER_BINS if b.exists()]
    return tl._build(name, KERNELS[name], inputs).need()


@pytest.fixture(scope="module")
def bare(kernel, initrd, tmp_path_factory):
    """The answers of a bare run, as run-qemu boots a kernel but with the console on stdio."""
    argv = ["qemu-system-i386", "-accel", "tcg", "-cpu", QEMU_CPU, "-m", str(MEM_MB),
            "-display", "none", "-monitor", "none", "-no-reboot", "-serial", "stdio",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-kernel", str(kernel.vmlinux), "-initrd", str(initrd), "-append", APPEND]
    log = tmp_path_factory.mktemp("bare") / f"{kernel.name}.serial"
    return _interact(argv, log)


def test_shell_bare(bare):
    assert len(bare) == len(COMMANDS)


def test_shell_on_l4_answers_as_bare(kernel, initrd, bare, tmp_path):
    argv = [str(tl.BIN / "afterburn"), "run", "--target", "l4", "--mem", str(MEM_MB),
            "--initrd", str(initrd), "--append", APPEND, "--timeout", str(RUN_TIMEOUT),
            str(kernel.vmlinux)]
    env = dict(os.environ, AFTERBURN_BUILD_DIR=str(tl.BUILD))
    answers = _interact(argv, tmp_path / "l4.serial", env)
    for (cmd, _), want, got in zip(COMMANDS, bare, answers):
        assert got == want, f"{cmd!r} answered {got!r} on l4, {want!r} bare"


def test_shell_on_l4_with_kernel_console_on_com1(kernel, initrd, bare, tmp_path):
    """Without debug=com2 the hypervisor and root print on COM1 too (boot lines, the trap
    dump): the kernel's debug console only writes there, so the guest still gets every byte
    typed. The QEMU line of docs/run.md, by hand: afterburn run always moves the kernel to COM2."""
    hv = tl.BUILD / "hypervisor"
    cmdline = tmp_path / "cmdline"
    cmdline.write_text(APPEND)
    modules = [hv / "root.elf", hv / "console.elf", f"{kernel.vmlinux} vm target=l4 mem={MEM_MB}",
               f"{tl.BUILD / 'wedge' / 'wedge.elf'} wedge", f"{initrd} initrd", f"{cmdline} cmdline"]
    for m in map(str, modules):   # QEMU splits -initrd at commas; root reads 127 bytes a line
        assert "," not in m and len(m) <= 127, f"module line {m!r} will not reach root whole"
    argv = ["qemu-system-i386", "-accel", "tcg", "-cpu", QEMU_CPU, "-m", f"{MEM_MB + 64}M",
            "-display", "none", "-monitor", "none", "-no-reboot", "-serial", "stdio",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-kernel", str(hv / "hypervisor.elf"), "-initrd", ",".join(map(str, modules))]
    answers = _interact(argv, tmp_path / "l4-com1.serial")
    for (cmd, _), want, got in zip(COMMANDS, bare, answers):
        assert got == want, f"{cmd!r} answered {got!r} on l4 (kernel on COM1), {want!r} bare"
