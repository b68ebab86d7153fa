"""Test helpers: small datasets written to tmp folders, preset mappings, reference-data path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from perfanalysis.paths import PROJ_ROOT, SCHEMES_DIR
from perfanalysis.yamlsafe import safe_load


def write_dataset(folder: Path, tables: dict[str, Any]) -> Path:
    """Write tables (DataFrames or lists of dicts) as CSVs into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder


def preset_mapping(name: str) -> dict[str, Any]:
    """A preset scheme as a plain mapping, for building variants in tests."""
    return safe_load((SCHEMES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def reference_dir() -> Path | None:
    """shared/reference-data beside the checkout (CI) or under /work/shared (dev)."""
    for base in (PROJ_ROOT.parent / "shared", Path("/work/shared")):
        if (base / "reference-data").is_dir():
            return base / "reference-data"
    return None


# --- chapters executed in this process ---------------------------------------------------
#: fast study parameters (only those a chapter declares are set): every study, finding and
#: chart runs, on fewer draws and resamples than a report would use
FAST: dict[str, Any] = {"n_boot": 50, "noise_draws": 10, "boot": 50, "draws": 100,
                        "rank_draws": 50, "sobol_samples": 32, "max_draws": 200}
#: what ``run_chapters`` collects: each chapter's Markdown texts, and (chapter, bundle) of
#: every other display (charts and tables)
Shown = tuple[dict[str, list[str]], list[tuple[str, dict[str, Any]]]]


def declared_parameters(cells: list[Any]) -> set[str]:
    """Names a chapter's tagged ``parameters`` cell assigns (what papermill may set)."""
    import ast

    for cell in cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return {t.id for node in ast.parse(cell.source).body
                    if isinstance(node, ast.Assign | ast.AnnAssign)
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                    if isinstance(t, ast.Name)}
    return set()


def fast_run_parameters() -> dict[str, str]:
    """``FAST`` as a report run takes it (``RunConfig.params``: text, only the names some
    chapter declares), so a run's chapters get what ``run_chapters`` gives them."""
    import nbformat

    from perfanalysis.paths import NOTEBOOKS_DIR

    declared = set().union(*(declared_parameters(nbformat.read(p, as_version=4).cells)
                             for p in NOTEBOOKS_DIR.glob("*.ipynb")))
    return {k: str(v) for k, v in FAST.items() if k in declared}


def run_chapters(data: Path, scheme: Path, year: int, out: Path,
                 monkeypatch: Any,
                 outputs: list[tuple[str, dict[str, Any]]] | None = None, *,
                 chapters: tuple[str, ...] | None = None,
                 params: dict[str, Any] | None = None,
                 fast: dict[str, Any] | None = None,
                 cwd: Path | None = None) -> dict[str, list[str]]:
    """Execute chapters' code cells in this process, in name order (``chapters``: their
    stems, default every chapter), as papermill would in a kernel: the run's parameters are
    set right after the tagged ``parameters`` cell, PNG export is off and the working folder
    is ``cwd`` (default ``notebooks/``, where the report runs them). Returns each chapter's displayed Markdown (what the reader reads);
    ``outputs`` (when given) collects (chapter, output bundle) of every chart and table.

    Parameters: ``fast`` (default ``FAST``) where a chapter declares them, then ``params``;
    a name in ``params`` that no executed chapter declares is an error (a typo would
    otherwise test the default quietly). A kernel per notebook costs seconds of start-up
    and imports each; the papermill path stays covered by the session's report run."""
    import IPython.display
    import nbformat

    from perfanalysis.paths import NOTEBOOKS_DIR

    monkeypatch.setenv("PERFANALYSIS_PNG", "0")
    monkeypatch.chdir(NOTEBOOKS_DIR if cwd is None else cwd)
    shown: list[str] = []
    chapter = [""]

    def display(obj: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(obj, IPython.display.Markdown):
            shown.append(str(obj.data))
        elif outputs is not None and isinstance(obj, dict):
            outputs.append((chapter[0], obj))

    monkeypatch.setattr(IPython.display, "display", display)
    paths = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    if chapters is not None:
        unknown = set(chapters) - {p.stem for p in paths}
        assert not unknown, f"no such chapter: {sorted(unknown)}"
        paths = [p for p in paths if p.stem in chapters]
    notebooks = {p: nbformat.read(p, as_version=4) for p in paths}
    declared = {p: declared_parameters(nb.cells) for p, nb in notebooks.items()}
    extra = dict(params or {})
    unused = set(extra) - set().union(*declared.values())
    assert not unused, f"no executed chapter declares {sorted(unused)}"
    base = {"data_dir": str(data), "scheme_path": str(scheme), "year": year,
            "out_dir": str(out)}
    texts: dict[str, list[str]] = {}
    for path, nb in notebooks.items():
        shown.clear()
        chapter[0] = path.stem
        ns: dict[str, Any] = {"__name__": "__chapter__"}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, path.name, "exec"), ns)  # noqa: S102 - our notebooks
            if "parameters" in cell.metadata.get("tags", []):
                ns.update(base)
                ns.update({k: v for k, v in (FAST if fast is None else fast).items()
                           if k in declared[path]})
                ns.update({k: v for k, v in extra.items() if k in declared[path]})
        texts[path.stem] = list(shown)
    return texts


def bundle_texts(outputs: list[tuple[str, dict[str, Any]]], mime: str = "text/html"
                 ) -> list[str]:
    """The ``mime`` parts of collected display bundles (tables' and charts' HTML)."""
    return [str(b[mime]) for _, b in outputs if mime in b]
