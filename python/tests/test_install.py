"""The package installs offline into a virtual environment, as the README says:

    python3 -m venv --system-site-packages .venv && .venv/bin/pip install --no-build-isolation ./python

setup.py builds the module through the project's CMake; FAULTLINE_BUILD_DIR points it at the
build folder the suite already has, so that this test does not compile the engine a second time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, build_dir


def test_pip_installs_into_a_venv_offline(tmp_path: Path, small: Path):
    if not (build_dir() / "CMakeCache.txt").exists():
        pytest.skip(f"no configured build folder at {build_dir()}")
    venv = tmp_path / ".venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL")}
    env["FAULTLINE_BUILD_DIR"] = str(build_dir())
    env["PIP_NO_INDEX"] = "1"  # offline: nothing may come from a package index
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    r = subprocess.run([str(venv / "bin/pip"), "install", "--no-build-isolation", str(REPO / "python")],
                       env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    probe = (
        "import faultline, sys\n"
        "assert faultline.__file__.startswith(sys.prefix), faultline.__file__\n"
        f"r = faultline.run({str(small)!r}, seed=4)\n"
        "print(r.fingerprint, r.series().shape[1] > 0)\n"
    )
    out = subprocess.run([str(venv / "bin/python"), "-c", probe], env=env, capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    import faultline

    assert out.stdout.split() == [faultline.run(small, seed=4).fingerprint, "True"]
    installed = subprocess.run([str(venv / "bin/python"), "-c",
                                "import faultline, os; print(sorted(os.listdir(os.path.dirname(faultline.__file__))))"],
                               env=env, capture_output=True, text=True, cwd=tmp_path).stdout
    assert "py.typed" in installed and "_faultline.pyi" in installed
