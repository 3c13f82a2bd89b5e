"""Shared set-up: the MML kernel installed into a private Jupyter path for the test run.

The binary under test is $MML_BIN (the Rust test harness passes the one cargo built). Its
kernelspec is installed with `mml kernel install --prefix` into a temporary folder, and
JUPYTER_PATH points there, so nothing outside the test run is touched.
"""

import os
import subprocess
import tempfile

MML_BIN = os.environ.get("MML_BIN")
if not MML_BIN:
    raise RuntimeError("set MML_BIN to the mml binary (cargo test does this)")

_PREFIX = tempfile.mkdtemp(prefix="mml-kernel-tests-")
_DATA = tempfile.mkdtemp(prefix="mml-kernel-data-")
subprocess.run([MML_BIN, "kernel", "install", "--prefix", _PREFIX], check=True, capture_output=True)
os.environ["JUPYTER_PATH"] = os.path.join(_PREFIX, "share", "jupyter")
# Keep Jupyter's own user folders out of the way.
os.environ["JUPYTER_DATA_DIR"] = _DATA
os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(_DATA, "runtime")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
os.environ.pop("MML_PLOT_DIR", None)
