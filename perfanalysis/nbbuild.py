"""Chapter notebooks from their builder scripts (``scripts/build_*_notebook.py``): cells in,
a notebook without outputs, python3 kernelspec and stable cell ids out, so a rebuilt
notebook is byte-identical and reviews read as a diff of the builder."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_notebook


def build_notebook(cells: list[NotebookNode], id_prefix: str) -> NotebookNode:
    """A notebook of ``cells`` with the python3 kernelspec and ids ``<prefix>-00``, …"""
    nbk = new_notebook(cells=cells)
    nbk.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}
    nbk.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nbk.cells):
        cell["id"] = f"{id_prefix}-{i:02d}"
    return nbk


def write_notebook(nbk: NotebookNode, path: Path) -> Path:
    """Write the notebook and say where."""
    nbformat.write(nbk, path)
    print(f"wrote {path}")
    return path
