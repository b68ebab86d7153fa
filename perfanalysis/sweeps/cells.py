"""Grid cells: one unit of work of a sweep, named by the hash of everything it depends on.

``plan`` expands a sweep file into cells (inputs × split values × schemes × years ×
parameter sets × what to produce). A cell's ``key`` is the SHA-256 of its inputs' bytes
(data files, scheme, scenario file, notebooks), its parameters, seed and options, and the
package's version and source, so a finished cell whose key matches is skipped on a rerun.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.data import Dataset, load_data
from ..errors import SweepError
from ..paths import NOTEBOOKS_DIR, REPORTS_DIR
from ..report.export import write_table
from ..report.runrecord import sha256_file
from .spec import SweepSpec, resolve

#: File written last into a finished cell's folder; its ``key`` marks the cell as done.
DONE_FILE = "cell.json"
KINDS = ("report", "compare", "tier_probabilities")


@dataclass(frozen=True)
class Cell:
    """One grid cell (picklable: it travels to Dask workers)."""

    kind: str
    label: str
    key: str
    data: Path
    scheme: Path
    year: int
    seed: int
    out: Path
    params: dict[str, Any] = field(default_factory=dict)
    scenarios: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)
    notebooks_dir: Path | None = None
    reports_dir: Path | None = None  # a Quarto project listing only the chosen notebooks
    coords: dict[str, Any] = field(default_factory=dict)  # grid coordinates for the index

    def finished(self) -> bool:
        """True when the cell's folder holds a done marker with this cell's key."""
        marker = self.out / DONE_FILE
        if not marker.exists():
            return False
        try:
            return json.loads(marker.read_text(encoding="utf-8")).get("key") == self.key
        except (OSError, json.JSONDecodeError):
            return False


def _safe(text: str) -> str:
    """A folder-name-safe version of a label (letters of any script, digits, - and _)."""
    return re.sub(r"[^\w\-]+", "_", str(text)).strip("_") or "x"


def source_fingerprint() -> str:
    """SHA-256 over the package's own source files, so changed code invalidates cells."""
    from .. import __version__

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(__version__.encode())
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _hash_json(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _subset(data: Dataset, unit_ids: list[str]) -> dict[str, Any]:
    keep = set(unit_ids)
    tables: dict[str, Any] = {"units": data.units.loc[data.units["unit_id"].isin(keep)]}
    for name in ("observations", "ratings", "events", "targets"):
        df = getattr(data, name)
        if df is not None and len(df.columns):
            tables[name] = df.loc[df["unit_id"].isin(keep)]
    return tables


def split_data(source: Path, column: str, dest: Path) -> dict[str, Path]:
    """Write one data folder per value of a units column (the data contract, UTF-8 CSV).

    Folders are rewritten only when their content changes, so their hashes, and the keys
    of the cells that read them, stay the same across reruns.
    """
    data = load_data(source)
    if column not in data.units.columns:
        cols = ", ".join(c for c in data.units.columns if c not in ("unit_id", "name"))
        raise SweepError(f"split_by: units table of {source} has no column '{column}' "
                         f"(columns: {cols})", path="grid.inputs.split_by")
    values = data.units[column]
    if values.isna().any():
        bad = data.units.loc[values.isna(), "unit_id"].tolist()[:5]
        raise SweepError(f"split_by: column '{column}' is empty for units {bad}",
                         path="grid.inputs.split_by", file=str(source))
    out: dict[str, Path] = {}
    for value in sorted(values.astype(str).unique()):
        ids = data.units.loc[values.astype(str) == value, "unit_id"].tolist()
        folder = dest / _safe(value)
        tmp = dest / f".{_safe(value)}.new"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        for name, df in _subset(data, ids).items():
            write_table(df.reset_index(drop=True), tmp / f"{name}.csv")
        marker = Path(source) / "SAMPLE.md" if Path(source).is_dir() else None
        if marker is not None and marker.exists():
            shutil.copyfile(marker, tmp / "SAMPLE.md")
        if folder.exists() and _folder_hashes(folder) == _folder_hashes(tmp):
            shutil.rmtree(tmp)
        else:
            if folder.exists():
                shutil.rmtree(folder)
            tmp.rename(folder)
        out[value] = folder
    return out


def _folder_hashes(folder: Path) -> dict[str, str]:
    if folder.is_file():
        return {folder.name: sha256_file(folder)}
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}


def _notebook_folder(names: list[str] | None, dest: Path
                     ) -> tuple[Path, Path, dict[str, str]]:
    """The notebooks a report cell runs and the report project listing them: notebooks/
    and reports/, or copies holding only the chosen notebooks (in reading order)."""
    available = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    if names is None:
        return NOTEBOOKS_DIR, REPORTS_DIR, _folder_hashes(NOTEBOOKS_DIR)
    wanted = [n if n.endswith(".ipynb") else f"{n}.ipynb" for n in names]
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise SweepError(f"produce.reports.notebooks: unknown notebook(s) {unknown}; "
                         f"available: {available}", path="produce.reports.notebooks")
    hashes = {n: sha256_file(NOTEBOOKS_DIR / n) for n in sorted(wanted)}
    folder = dest / ("nb-" + _hash_json(hashes)[:12])
    if not folder.exists():
        tmp = dest / f".{folder.name}.new"
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "notebooks").mkdir(parents=True)
        for n in wanted:
            shutil.copyfile(NOTEBOOKS_DIR / n, tmp / "notebooks" / n)
        shutil.copytree(REPORTS_DIR, tmp / "reports",
                        ignore=shutil.ignore_patterns(".quarto", "_site", "_freeze"))
        _keep_chapters(tmp / "reports" / "_quarto.yml", set(wanted))
        tmp.rename(folder)
    return folder / "notebooks", folder / "reports", hashes


def _keep_chapters(quarto_yml: Path, keep: set[str]) -> None:
    """Drop the chapters not run from ``report-chapters`` (the rest keep their order)."""
    lines = quarto_yml.read_text(encoding="utf-8").splitlines(keepends=True)
    out, inside = [], False
    for line in lines:
        if line.startswith("report-chapters:"):
            inside = True
        elif inside and not line.startswith((" ", "\t", "#")) and line.strip():
            inside = False
        if inside and line.strip().startswith("- ") and \
                line.strip()[2:].split("#")[0].strip() not in keep:
            continue
        out.append(line)
    quarto_yml.write_text("".join(out), encoding="utf-8")


def _years(data_path: Path, wanted: list[int] | None) -> list[int]:
    if wanted:
        return sorted(wanted)
    from ..engine.scorecard import latest_year

    return [latest_year(load_data(data_path))]


def plan(spec: SweepSpec, spec_file: Path, out: Path) -> list[Cell]:
    """Every cell of the sweep, in a fixed order; split data sets are written under
    ``out/inputs`` and report notebooks under ``out/notebooks`` first."""
    out = Path(out).resolve()
    code = source_fingerprint()
    cells: list[Cell] = []
    nb_dir: Path | None = None
    rep_dir: Path | None = None
    nb_hashes: dict[str, str] = {}
    if spec.produce.reports is not None:
        nb_dir, rep_dir, nb_hashes = _notebook_folder(spec.produce.reports.notebooks,
                                                      out / "notebooks")
    scenario_files = [resolve(spec_file, s) for s in spec.grid.scenarios]
    for i, inp in enumerate(spec.grid.inputs):
        source = resolve(spec_file, inp.data)
        data_name = inp.name or _safe(source.stem)
        if inp.split_by:
            parts = split_data(source, inp.split_by, out / "inputs" / data_name)
        else:
            parts = {"": source}
        for split_value, data_path in parts.items():
            data_hashes = _folder_hashes(data_path)
            years = _years(data_path, inp.years or spec.grid.years)
            for scheme_rel in inp.schemes:
                scheme = resolve(spec_file, scheme_rel)
                scheme_hash = sha256_file(scheme)
                for year in years:
                    coords = {"input": i, "data_name": data_name, "split_by": inp.split_by,
                              "split_value": split_value or None, "data": str(data_path),
                              "scheme": scheme.name, "year": year}
                    base = {"data": data_hashes, "scheme": scheme_hash, "year": year,
                            "seed": spec.seed, "code": code}
                    stem = "-".join(x for x in (data_name, split_value and _safe(split_value),
                                                scheme.stem, str(year)) if x)
                    for params in spec.parameter_sets():
                        ptxt = "-".join(f"{k}={_safe(v)}" for k, v in params.items())
                        name = stem + (f"-{ptxt}" if ptxt else "")
                        if spec.produce.reports is not None:
                            opts = spec.produce.reports.model_dump()
                            key = _hash_json({**base, "kind": "report", "params": params,
                                              "options": opts, "notebooks": nb_hashes})
                            cells.append(Cell("report", f"{name}-report", key, data_path,
                                              scheme, year, spec.seed,
                                              out / "cells" / f"{name}-report-{key[:10]}",
                                              params, None, opts, nb_dir, rep_dir,
                                              {**coords, "parameters": params}))
                    if spec.produce.compare:
                        for scen in scenario_files:
                            key = _hash_json({**base, "kind": "compare",
                                              "scenarios": sha256_file(scen)})
                            label = f"{stem}-compare-{_safe(scen.stem)}"
                            cells.append(Cell("compare", label, key, data_path, scheme, year,
                                              spec.seed, out / "cells" / f"{label}-{key[:10]}",
                                              {}, scen, {}, None, None,
                                              {**coords, "scenarios": scen.name}))
                    if spec.produce.tier_probabilities is not None:
                        opts = spec.produce.tier_probabilities.model_dump()
                        key = _hash_json({**base, "kind": "tier_probabilities",
                                          "options": opts})
                        label = f"{stem}-tierprob"
                        cells.append(Cell("tier_probabilities", label, key, data_path, scheme,
                                          year, spec.seed,
                                          out / "cells" / f"{label}-{key[:10]}", {}, None, opts,
                                          None, None, dict(coords)))
    labels = [c.label for c in cells]
    if len(set(labels)) != len(labels):
        dup = sorted({x for x in labels if labels.count(x) > 1})[:3]
        raise SweepError(f"two grid cells would share a name {dup}: give the inputs distinct "
                         "'name's", path="grid.inputs")
    return cells
