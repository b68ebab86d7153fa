"""Committed notebooks: no outputs, a tagged parameters cell in papermill's documented form,
the python3 kernelspec, and each paired with its jupytext percent script (the text a review
reads and an editor changes) with the same cells."""

from __future__ import annotations

import re

import nbformat
import pytest

from perfanalysis.paths import NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
PARAM_LINE = re.compile(r"^[a-z_][a-z0-9_]*: (int|float|str|bool) = .+  # .+$")


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_scorecard.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_clean(path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    lines = [ln for ln in params[0].source.splitlines() if ln.strip()]
    bad = [ln for ln in lines if not PARAM_LINE.match(ln)]
    assert bad == [], f"{path.name}: write 'name: type = default  # meaning': {bad}"
    names = {ln.split(":")[0] for ln in lines}
    assert {"data_dir", "scheme_path", "year", "seed", "out_dir"} <= names




@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_and_its_text_script_agree(path) -> None:
    import jupytext

    from perfanalysis.report.nbpairs import pair_differences

    assert pair_differences(path) == []
    script = jupytext.read(path.with_suffix(".py"))
    tagged = [c for c in script.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1  # the script carries the tag papermill looks for
    assert script.metadata["kernelspec"]["name"] == "python3"
    text = path.with_suffix(".py").read_text(encoding="utf-8")
    assert '# %% tags=["parameters"]' in text


def test_an_edit_on_one_side_is_caught_and_named(tmp_path) -> None:
    """Editing the script without syncing the notebook stops the run before any kernel."""
    import shutil

    from perfanalysis.errors import PipelineError
    from perfanalysis.report.nbpairs import check_pairs, pair_differences
    from perfanalysis.report.pipeline import discover_notebooks

    nb = NOTEBOOKS[0]
    for suffix in (".ipynb", ".py"):
        shutil.copy(nb.with_suffix(suffix), tmp_path / nb.with_suffix(suffix).name)
    copy = tmp_path / nb.name
    assert discover_notebooks(tmp_path) == [copy]
    script = copy.with_suffix(".py")
    script.write_text(script.read_text(encoding="utf-8").replace(
        "# # 年度考核结果总览", "# # 年度考核结果总览(修订)"), encoding="utf-8")
    assert pair_differences(copy) == [f"cell 1 differs between {nb.name} and {script.name}"]
    with pytest.raises(PipelineError, match=r"jupytext --sync"):
        check_pairs([copy])
    with pytest.raises(PipelineError, match="differ"):
        discover_notebooks(tmp_path)
    script.unlink()
    assert pair_differences(copy) == [f"{script.name} is missing (the text half of {nb.name})"]
