"""Builds the C++ module `faultline._faultline` with the project's CMake, for pip.

`pip install --no-build-isolation ./python` runs this. It configures a private build folder
under setuptools' build_temp (or reuses FAULTLINE_BUILD_DIR, a folder already configured by
`cmake -S . -B build`), builds only the target `_faultline`, and copies the module into the
wheel. Everything comes from Debian packages; nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent  # the checkout: CMakeLists.txt, sim/, models/, python/


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        given = os.environ.get("FAULTLINE_BUILD_DIR")
        build_dir = Path(given).resolve() if given else Path(self.build_temp).resolve() / "cmake"
        if not (build_dir / "CMakeCache.txt").exists():
            if given:
                raise RuntimeError(f"FAULTLINE_BUILD_DIR={given} is not a configured CMake build folder")
            build_dir.mkdir(parents=True, exist_ok=True)
            configure = [
                "cmake", "-S", str(ROOT), "-B", str(build_dir),
                "-DCMAKE_BUILD_TYPE=Release", "-DFAULTLINE_BUILD_TESTS=OFF",
            ]  # the root CMakeLists.txt pins Debian's /usr/bin/python3, whose ABI a venv shares
            if shutil.which("ninja"):
                configure += ["-G", "Ninja"]
            subprocess.run(configure, check=True)
        jobs = str(os.cpu_count() or 2)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_faultline", "-j", jobs], check=True)
        built = sorted((build_dir / "python" / "faultline").glob("_faultline*.so"))
        if not built:
            raise RuntimeError(f"the build in {build_dir} produced no _faultline module")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(ext_modules=[CMakeExtension("faultline._faultline")], cmdclass={"build_ext": CMakeBuild})
