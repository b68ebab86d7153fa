"""Chapter notebooks as text: each ``notebooks/NN_name.ipynb`` is paired with a jupytext
percent script ``NN_name.py`` (cells as ``# %%`` blocks, the ``parameters`` cell tagged as
papermill expects). Either side can be edited — in JupyterLab (jupytext keeps the pair in
step on save) or in an editor (then ``jupytext --sync notebooks/NN_name.py``) — and reviews
read the script. The run refuses a pair whose cells differ, naming the file and the command
that brings them together, so an edit on one side is never silently lost."""

from __future__ import annotations

from pathlib import Path

from ..errors import PipelineError
from . import _nbformat  # noqa: F401 - before nbformat: imports it without the IRI grammars

FORMATS = "ipynb,py:percent"


def _cells(nb: object) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", [])))
            for c in nb.cells]  # type: ignore[attr-defined]


def pair_differences(notebook: Path) -> list[str]:
    """What differs between ``notebook`` (.ipynb) and its paired script (.py): missing
    script, pairing metadata, or the first cell whose type, source or tags differ."""
    import jupytext
    import nbformat

    script = notebook.with_suffix(".py")
    if not script.exists():
        return [f"{script.name} is missing (the text half of {notebook.name})"]
    nb = nbformat.read(notebook, as_version=4)
    text = jupytext.read(script)
    out = []
    if nb.metadata.get("jupytext", {}).get("formats") != FORMATS:
        out.append(f"{notebook.name}: metadata jupytext.formats is not '{FORMATS}'")
    a, b = _cells(nb), _cells(text)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            out.append(f"cell {i + 1} differs between {notebook.name} and {script.name}")
            break
    if len(a) != len(b):
        out.append(f"{notebook.name} has {len(a)} cells, {script.name} {len(b)}")
    return out


def check_pairs(notebooks: list[Path]) -> None:
    """Raise PipelineError when a chapter's notebook and script disagree."""
    problems = [f"{nb}: {d}" for nb in notebooks for d in pair_differences(nb)]
    if problems:
        raise PipelineError(
            "notebook and its text script differ (edit one side, then bring the other in "
            "step with `jupytext --sync notebooks/NAME.ipynb`):\n  " + "\n  ".join(problems))
