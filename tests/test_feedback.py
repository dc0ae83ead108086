"""`afterburn feedback` (docs/profiles.md): one iteration of the loop on the
mini-OS and on every conformance guest (issue 6, acceptance a).

Each guest starts from policy minimal: build (build/guests/build-NAME.sh,
which CMake writes), run on the hypervisor (target l4), write rules from the
trap dump, rebuild with them, rerun.  Sensitive-instruction traps must fall
by at least 90%, the output must stay the same, every rule must match
something in the rebuild, and the sites must stay at most half of policy
full's.  The figures of every guest go to build/feedback/summary.txt.
"""
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT
from test_guests import NAMES

pytestmark = pytest.mark.profile

sys.path.insert(0, str(ROOT / "bench"))
import feedback as fb  # noqa: E402  bench/feedback.py: the loop and the table

AFTERBURN = fb.AFTERBURN
OUT = BUILD / "feedback"
GUESTS = ["minios"] + list(NAMES)
ENV = fb.ENV
CLASSES = fb.CLASSES


@pytest.fixture(scope="session")
def loops():
    if not AFTERBURN.exists():
        pytest.fail(f"{AFTERBURN} is missing: run scripts/build first")
    results = fb.loops(GUESTS, OUT)
    (OUT / "summary.txt").write_text("\n".join(fb.summary(results)) + "\n")
    return results


def _get(loops, name):
    r = loops[name]
    assert r["status"] == 0 and r["res"], (
        f"afterburn feedback failed for {name} (exit {r['status']}):\n{' '.join(r['cmd'])}\n"
        f"{r['stdout']}\n{r['stderr'][-3000:]}")
    return r["res"]


@pytest.mark.parametrize("name", GUESTS)
def test_same_output(loops, name):
    j = _get(loops, name)
    assert j["same_output"], name
    assert j["before"]["status"] == j["after"]["status"]


@pytest.mark.parametrize("name", GUESTS)
def test_sensitive_traps_fall_90_percent(loops, name):
    j = _get(loops, name)
    before, after = j["before"]["traps"]["sensitive"], j["after"]["traps"]["sensitive"]
    assert after <= 0.10 * before, (name, before, after, loops[name]["stdout"])


@pytest.mark.parametrize("name", GUESTS)
def test_every_rule_matched(loops, name):
    j = _get(loops, name)
    assert j["unmatched_rules"] == 0, loops[name]["stderr"]


@pytest.mark.parametrize("name", GUESTS)
def test_sites_at_most_half_of_full(loops, name):
    j = _get(loops, name)
    assert j["after"]["sites"] <= 0.5 * j["full"]["sites"], (name, j["after"]["sites"], j["full"]["sites"])


def test_other_classes_reported_apart(loops):
    j = _get(loops, "minios")
    for side in ("before", "after"):
        assert set(j[side]["traps"]) == set(CLASSES)
    # The mini-OS's processes make system calls and take faults and ticks.
    assert j["before"]["traps"]["syscall"] > 0
    assert j["before"]["traps"]["irq"] > 0
    assert j["before"]["traps"]["hidden-pf"] > 0
    table = loops["minios"]["stdout"]
    for c in CLASSES:
        assert c in table


def test_suite_summary(loops):
    """Over the whole suite: the figures the issue asks for, in one table."""
    text = (OUT / "summary.txt").read_text()
    print(text)
    total_b = sum(r["res"]["before"]["traps"]["sensitive"] for r in loops.values() if r["res"])
    total_a = sum(r["res"]["after"]["traps"]["sensitive"] for r in loops.values() if r["res"])
    assert total_b > 0 and total_a <= 0.10 * total_b, (total_b, total_a)


def test_feedback_usage_errors(tmp_path):
    r = subprocess.run([str(AFTERBURN), "feedback"], capture_output=True, text=True)
    assert r.returncode == 2 and "--build" in r.stderr
    r = subprocess.run([str(AFTERBURN), "feedback", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "usage: afterburn feedback" in r.stdout
    r = subprocess.run([str(AFTERBURN), "feedback", "--build", "true", "--elf", "x", "--target", "kvm"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--target" in r.stderr


def test_feedback_build_failure_is_reported(tmp_path):
    r = subprocess.run([str(AFTERBURN), "feedback", "--build", "echo broken >&2; exit 3",
                        "--elf", str(tmp_path / "x.elf"), "--dir", str(tmp_path / "d")],
                       capture_output=True, text=True, env=ENV)
    assert r.returncode == 1
    assert "the build failed (status 3)" in r.stderr
    assert "broken" in (tmp_path / "d" / "before.build.log").read_text()


def test_feedback_compare_prefix(tmp_path):
    """--compare PREFIX compares only the output lines with the prefix: a build that
    gives another guest once rules are set changes the output, but not its verdict line."""
    a, b = BUILD / "guests" / "build-uart.sh", BUILD / "guests" / "build-cpuid.sh"
    elf = tmp_path / "g.elf"
    cmd = f'if [ -n "$AFTERBURN_RULES" ]; then {b} {elf}; else {a} {elf}; fi'
    base = [str(AFTERBURN), "feedback", "--build", cmd, "--elf", str(elf), "--no-full",
            "--timeout", "120", "-q"]
    r = subprocess.run(base + ["--dir", str(tmp_path / "all")], capture_output=True, text=True,
                       env=ENV)
    assert r.returncode == 1 and "the outputs differ" in r.stderr, r.stderr
    r = subprocess.run(base + ["--dir", str(tmp_path / "verdict"), "--compare", "Test result:"],
                       capture_output=True, text=True, env=ENV)
    assert r.returncode == 0, r.stderr
    out = (tmp_path / "verdict" / "before.out").read_text()
    assert "Test result: SUCCESS" in out and out != (tmp_path / "verdict" / "after.out").read_text()
