"""Shared fixtures: where the build puts the tools."""
import os
import pathlib
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("AB_BUILD", ROOT / "build"))
BIN = BUILD / "bin"


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def bindir():
    if not (BIN / "afterburn-as").exists():
        pytest.fail(f"{BIN}/afterburn-as is missing: run scripts/build first")
    return BIN
