"""Shared paths for the faultline pytest suite.

The suite imports the package built by CMake (``PYTHONPATH=<build>/python``, as .ci/test sets
it) and compares with the CLI of the same build folder (``<build>/faultline``).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import faultline

REPO = Path(__file__).resolve().parents[2]


def build_dir() -> Path:
    given = os.environ.get("FAULTLINE_BUILD_DIR")
    if given:
        return Path(given).resolve()
    # <build>/python/faultline/__init__.py
    return Path(faultline.__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def cli() -> Path:
    path = build_dir() / "faultline"
    if not path.exists():
        pytest.fail(f"the CLI is not built at {path}: build the faultline target, or set FAULTLINE_BUILD_DIR")
    return path


@pytest.fixture(scope="session")
def small() -> Path:
    """400 messages through an M/M/c queue: a run is a few thousand events."""
    return REPO / "tests/fixtures/sweep/mmc-small.yaml"


def run_cli(cli: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([str(cli), *args], cwd=REPO, capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"faultline {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def cli_json(cli: Path, *args: str) -> dict:
    return json.loads(run_cli(cli, *args, "--json").stdout)
