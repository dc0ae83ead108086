"""The hypervisor's in-QEMU test suite (hypervisor/user/, docs/hypervisor-user.md).

One QEMU run boots the kernel with root, the console server and every test
task as multiboot modules; root runs the tasks one after the other and each
prints `Test result: SUCCESS|FAILURE|SKIP`.  Each task is one pytest test,
failing with its part of the serial log.  Builds nothing: scripts/build
does.  Also: the kernel never panics, root reaches its summary, and the
privileged code stays within its size budget (acceptance b).
"""
import os
import pathlib
import re
import subprocess

import pytest

pytestmark = pytest.mark.hypervisor

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build")) / "hypervisor"
TESTS_SRC = ROOT / "hypervisor" / "user" / "tests"

# The run order.  hostile is not last, so a test after it shows the system
# carried on; ipcbench is last, a quiet machine for its numbers.
TASKS = [
    "test_ipc", "test_callreply", "test_timeout", "test_exceptions", "test_lazy", "test_unmap",
    "test_grant", "test_mapdb", "test_kmem", "test_isolation", "hostile", "test_preempt",
    "test_irq", "ipcbench", "canary",
]
RUN_TIMEOUT = 300
MAX_TASKS_PER_RUN = 14      # 16 multiboot modules (bootinfo.h), less root and the console
PRIVILEGED_BUDGET = 6000
# Tasks whose first thread ends by a bad access after its result line: root
# must report it and go on (the task after it runs).
ENDS_KILLED = {"test_isolation": "bad access at 30000000"}


def qemu_command(modules, icount=False):
    """The QEMU command line for root, the console and `modules` (names or
    "name args" strings) as multiboot modules."""
    mods = [str(OUT / "root.elf"), str(OUT / "console.elf")]
    for m in modules:
        name, _, args = m.partition(" ")
        mods.append(str(OUT / f"{name}.elf") + (f" {args}" if args else ""))
    cmd = ["qemu-system-i386", "-accel", "tcg"]
    if icount:
        cmd += ["-icount", "shift=0"]
    return cmd + ["-m", "256M", "-kernel", str(OUT / "hypervisor.elf"),
                  "-initrd", ",".join(mods), "-display", "none", "-serial", "stdio",
                  "-monitor", "none", "-no-reboot",
                  "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]


def run_suite(modules, timeout=RUN_TIMEOUT, icount=False):
    """(QEMU's exit status or None on a timeout, the serial output)."""
    for name in ["hypervisor", "root", "console"] + [m.split()[0] for m in modules]:
        if not (OUT / f"{name}.elf").exists():
            pytest.fail(f"{OUT / name}.elf is missing: run scripts/build first")
    try:
        p = subprocess.run(qemu_command(modules, icount), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
        rc, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        rc, out = None, e.stdout or b""
    return rc, out.decode("latin-1").replace("\r", "")


def sections(log):
    """{task name: its part of the log}, cut at root's "starting task" lines."""
    parts, name, lines = {}, None, []
    for line in log.splitlines():
        m = re.match(r"root: starting task (\S+)", line)
        if m or line.startswith("root: all tasks done"):
            if name:
                parts[name] = "\n".join(lines)
            name = pathlib.Path(m.group(1)).name.removesuffix(".elf") if m else None
            lines = []
        if name:
            lines.append(line)
    if name:
        parts[name] = "\n".join(lines)
    return parts


@pytest.fixture(scope="module")
def suite():
    """One QEMU run per batch of tasks: (status of each run, the logs, {task: its part})."""
    rcs, logs, parts = [], [], {}
    for i in range(0, len(TASKS), MAX_TASKS_PER_RUN):
        rc, log = run_suite(TASKS[i:i + MAX_TASKS_PER_RUN])
        rcs.append(rc)
        logs.append(log)
        parts.update(sections(log))
    return rcs, "\n".join(logs), parts


def test_every_task_is_run():
    """Each tests/NAME.c or tests/NAME/ is a task; the list above must name them all."""
    found = [p.stem for p in TESTS_SRC.iterdir() if p.suffix == ".c" or p.is_dir()]
    assert sorted(found) == sorted(TASKS)


@pytest.mark.parametrize("task", TASKS)
def test_task(suite, task):
    rc, log, parts = suite
    part = parts.get(task)
    if part is None:
        tail = "\n".join(log.splitlines()[-40:])
        pytest.fail(f"{task} never started (QEMU status {rc}); the log ends:\n{tail}")
    results = re.findall(r"^Test result: (\w+)", part, re.M)
    excerpt = "\n".join(part.splitlines()[-60:])
    if results == ["SKIP"]:
        pytest.skip(f"{task} skipped:\n{excerpt}")
    assert results == ["SUCCESS"], f"{task}: results {results} (QEMU status {rc}):\n{excerpt}"
    if task in ENDS_KILLED:
        assert f"root: task {task}: {ENDS_KILLED[task]}" in part, f"root did not end {task}:\n{excerpt}"
        assert f"root:   {task}: killed" in log, f"root's summary does not say {task} was killed"


def test_kernel_survives(suite):
    """No panic, root's summary, and the shutdown root asked for (status 0 << 1 | 1)."""
    rcs, log, _ = suite
    tail = "\n".join(log.splitlines()[-40:])
    assert "PANIC" not in log, log[max(0, log.index("PANIC") - 2000):][:4000]
    assert log.count("root: all tasks done") == len(rcs), f"QEMU status {rcs}; the log ends:\n{tail}"
    assert rcs == [1] * len(rcs), f"QEMU status {rcs} (want 1: root's shutdown with code 0):\n{tail}"


def _code_lines(path):
    """Lines that are neither blank nor only comment (C comments; in .S also
    '#' comments, but not preprocessor lines)."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), path.read_text(), flags=re.S)
    n = 0
    for line in text.splitlines():
        s = re.sub(r"//.*", "", line).strip()
        if path.suffix == ".S" and re.match(r"#(\s|$)", s):
            continue
        n += bool(s)
    return n


def test_privileged_code_size():
    """Acceptance b: the kernel and arch code (C and assembly) stays small."""
    files = sorted(p for d in ("hypervisor/kernel", "hypervisor/arch")
                   for p in (ROOT / d).rglob("*") if p.suffix in (".c", ".h", ".S"))
    raw = sum(len(p.read_text().splitlines()) for p in files)
    code = sum(_code_lines(p) for p in files)
    print(f"\nprivileged code: {raw} lines raw (wc -l), {code} neither blank nor comment, "
          f"{len(files)} files; measured with:\n"
          "  find hypervisor/kernel hypervisor/arch -name '*.[chS]' | xargs wc -l")
    assert raw <= PRIVILEGED_BUDGET, f"{raw} lines of privileged code (budget {PRIVILEGED_BUDGET})"
