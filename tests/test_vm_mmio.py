"""Memory-mapped device accesses end to end (issue 6, "Memory-access rules";
docs/wedge.md, "Context kinds"; docs/wedge-devices.md, the I/O APIC).

The ioapic conformance guest reads and writes QEMU's I/O APIC through a
virtual page it maps to 0xFEC00000.  On the hypervisor that page is no guest
RAM, and the wedge's model answers, two ways:

- unpatched, the trap path: ioapic.full.elf on l4 and ioapic.minimal.elf on
  trap.  Every access faults (the kernel cannot shadow the page: BADPHYS) and
  the wedge emulates the mov: the dump counts it as dev-write or dev-read at
  the mov's eip, once per access the guest made;
- patched: the guest built again with rules that make ioapic_write's store,
  ioapic_read's load and every mov of ioapic_forms a site (kinds dev-write
  and dev-read), through build/guests/build-ioapic.sh, which is the CMake
  build's command line (-g included) with AFTERBURN_RULES.  On l4 no device
  access traps; on trap the loader leaves context sites native, so they trap
  as unpatched; bare, the padded movs run natively.  All outputs are the
  bare run's.
"""
import os
import re
import subprocess

import pytest

import elfutil
from conftest import BUILD
from test_guests import bare, elf, result, run_bare, same_output
from test_vm import need_wedge, parse_trapdump, run_vm, vm

pytestmark = pytest.mark.vm

GUEST = "ioapic"
BUILD_SCRIPT = BUILD / "guests" / f"build-{GUEST}.sh"
# ioapic_forms (tests/guests/conformance/ioapic.c) makes these device
# accesses itself, each once; every other one goes through ioapic_write or
# ioapic_read.
FORMS_WRITES, FORMS_READS = 5, 7
DEV_KINDS = ("dev-write", "dev-read")
RULES = """afterburn-rules 1
annotate kind=dev-write function=ioapic_write
annotate kind=dev-read function=ioapic_read
annotate kind=dev-write,dev-read function=ioapic_forms
"""
COUNTS = re.compile(r"^ioapic: (\d+) writes, (\d+) reads$", re.M)


def accesses(out):
    """(writes, reads) the guest says it made."""
    m = COUNTS.search(out)
    assert m, f"no access counts in the output\n{out}"
    return int(m.group(1)), int(m.group(2))


def dev_counts(dump):
    """{kind: {eip: count}} of the dump's dev-write and dev-read entries."""
    out = {k: {} for k in DEV_KINDS}
    for eip, kind, n in parse_trapdump(dump):
        if kind in out:
            out[kind][eip] = n
    return out


def movs(path, function):
    """The addresses of the mov instructions of `function` in the ELF."""
    sym = elfutil.parse(path).symbol(function)
    assert sym is not None and sym.size, f"{path}: no symbol {function}"
    return [i.addr for _, insns in elfutil.objdump(path) for i in insns
            if sym.value <= i.addr < sym.value + sym.size and i.mnemonic.startswith("mov")]


def the_mov(path, function):
    m = movs(path, function)
    assert len(m) == 1, f"{path}: {function} has {len(m)} movs, want its one access"
    return m[0]


def check_trapped(path, out, dump):
    """Every device access of the run trapped and was counted at its mov."""
    want = bare(GUEST, "full")
    assert result(want) == "SUCCESS", want
    assert same_output(out, want), f"{path.name} differs from bare\n--- bare\n{want}--- vm\n{out}"
    writes, reads = accesses(out)
    dev = dev_counts(dump)
    assert sum(dev["dev-write"].values()) == writes, dev
    assert sum(dev["dev-read"].values()) == reads, dev
    assert dev["dev-write"].get(the_mov(path, "ioapic_write")) == writes - FORMS_WRITES, dev
    assert dev["dev-read"].get(the_mov(path, "ioapic_read")) == reads - FORMS_READS, dev
    forms = set(movs(path, "ioapic_forms"))
    for kind, want_n in (("dev-write", FORMS_WRITES), ("dev-read", FORMS_READS)):
        inside = {e: n for e, n in dev[kind].items() if e in forms}
        assert len(inside) == want_n and set(inside.values()) == {1}, (kind, dev[kind])
    assert set(dev["dev-write"]) | set(dev["dev-read"]) <= (
        forms | {the_mov(path, "ioapic_write"), the_mov(path, "ioapic_read")}), dev


@pytest.mark.parametrize("target", ["l4", "trap"])
def test_trap_path(target, bindir, tmp_path_factory):
    """Unpatched device movs trap and are emulated (ioapic.full.elf on l4,
    ioapic.minimal.elf on trap, as tests/test_vm.py runs them)."""
    out, _, dump = vm(bindir, tmp_path_factory, GUEST, target)
    check_trapped(elf(GUEST, "full" if target == "l4" else "minimal"), out, dump)


@pytest.fixture(scope="module")
def rules_elf(tmp_path_factory):
    """The guest built with the device rules (policy full)."""
    if not BUILD_SCRIPT.exists():
        pytest.fail(f"{BUILD_SCRIPT} is missing: run scripts/build first")
    d = tmp_path_factory.mktemp("ioapic-rules")
    rules = d / "ioapic.rules"
    rules.write_text(RULES)
    path = d / "ioapic.rules.elf"
    env = dict(os.environ, AFTERBURN_POLICY="full", AFTERBURN_RULES=str(rules))
    p = subprocess.run(["sh", str(BUILD_SCRIPT), str(path)], env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, f"building {GUEST} with rules failed\n{p.stdout}{p.stderr}"
    return path


def test_rules_make_sites(rules_elf):
    """The rules made the device movs sites of their kinds."""
    sites = {s.address: s.kind_name for s in elfutil.parse(rules_elf).sites()}
    assert sites.get(the_mov(rules_elf, "ioapic_write")) == "dev-write", sites
    assert sites.get(the_mov(rules_elf, "ioapic_read")) == "dev-read", sites
    forms = movs(rules_elf, "ioapic_forms")
    dev = [a for a in forms if sites.get(a) in DEV_KINDS]
    assert len(dev) >= FORMS_WRITES + FORMS_READS, (forms, sites)


def test_rules_bare(rules_elf):
    out = run_bare(rules_elf)
    assert same_output(out, bare(GUEST, "full")), out


def test_rules_l4_no_device_traps(rules_elf, bindir, tmp_path):
    """Patched: every device access is emulated at its site, none traps."""
    need_wedge()
    out, err = run_vm(bindir, rules_elf, "l4", tmp_path / "traps.txt")
    dump = (tmp_path / "traps.txt").read_text(encoding="latin-1")
    assert same_output(out, bare(GUEST, "full")), f"{out}\n--- stderr\n{err}"
    dev = dev_counts(dump)
    assert not dev["dev-write"] and not dev["dev-read"], dev


def test_rules_trap_target(rules_elf, bindir, tmp_path):
    """On target trap the loader leaves context sites native: they trap."""
    need_wedge()
    out, err = run_vm(bindir, rules_elf, "trap", tmp_path / "traps.txt")
    check_trapped(rules_elf, out, (tmp_path / "traps.txt").read_text(encoding="latin-1"))
