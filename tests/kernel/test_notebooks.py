"""Every notebook in examples/notebooks/ runs through the kernel with nbclient, and its
outputs match the recorded ones beside it (NAME.out): text exactly, images as valid PNGs of
the recorded size with an SVG alongside. `UPDATE_EXPECT=1` records them anew."""

import base64
import glob
import os
import struct

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDER = os.path.join(ROOT, "examples", "notebooks")
NOTEBOOKS = sorted(glob.glob(os.path.join(FOLDER, "*.ipynb")))


def image(data, metadata):
    raw = base64.b64decode(data["image/png"])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    w, h = struct.unpack(">II", raw[16:24])
    shown = metadata.get("image/png", {})
    assert (w, h) == (2 * shown["width"], 2 * shown["height"]), "a high-DPI PNG shown at half size"
    assert data["image/svg+xml"].lstrip().startswith("<svg")
    return f"[figure {shown['width']}×{shown['height']}]"


def transcript(nb):
    """The notebook's outputs as text, cell by cell."""
    lines = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        first = cell.source.splitlines()[0] if cell.source else ""
        lines.append(f"── In[{cell.execution_count}] (cell {i + 1}): {first}")
        for out in cell.outputs:
            kind = out.output_type
            if kind == "stream":
                lines.append(f"[{out.name}]")
                lines.append(out.text.rstrip("\n"))
            elif kind == "execute_result":
                lines.append("[result]")
                lines.append(out.data["text/plain"])
            elif kind == "display_data":
                lines.append(image(out.data, out.metadata))
            elif kind == "error":
                lines.append(f"[error {out.ename}] {out.evalue}")
    return "\n".join(lines) + "\n"


def test_there_are_the_course_notebooks():
    assert len(NOTEBOOKS) >= 9, f"expected the course's notebooks in {FOLDER}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[os.path.basename(p) for p in NOTEBOOKS])
def test_notebook(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path}: notebooks are committed without outputs"
    NotebookClient(
        nb, timeout=120, kernel_name="mml", coalesce_streams=True, resources={"metadata": {"path": FOLDER}}
    ).execute()
    got = transcript(nb)
    expected_path = path[: -len(".ipynb")] + ".out"
    if os.environ.get("UPDATE_EXPECT"):
        with open(expected_path, "w") as f:
            f.write(got)
        return
    assert os.path.exists(expected_path), f"no recorded output {expected_path} (run with UPDATE_EXPECT=1)"
    with open(expected_path) as f:
        expected = f.read()
    assert got == expected, f"{os.path.basename(path)}: outputs differ from {os.path.basename(expected_path)}"
