"""Shared fixtures: where the build puts the tools.

Host-tool tests use `bindir`: the ASan+UBSan build (build-asan/bin) when
scripts/test made one (AB_BUILD_ASAN), else build/bin.  Tests that build a
whole kernel use `release_bindir` (build/bin): LLVM is not instrumented and
a kernel build runs the assembler about a thousand times.
"""
import os
import pathlib
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build"))
BIN = BUILD / "bin"
ASAN_BUILD = os.environ.get("AB_BUILD_ASAN")
TEST_BIN = pathlib.Path(ASAN_BUILD) / "bin" if ASAN_BUILD else BIN


def _need(d):
    if not (d / "afterburn-as").exists():
        pytest.fail(f"{d}/afterburn-as is missing: run scripts/build first")
    return d


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def bindir():
    return _need(TEST_BIN)


@pytest.fixture(scope="session")
def release_bindir():
    return _need(BIN)
