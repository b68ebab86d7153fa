"""The sweep file (YAML): the grid of inputs × years × parameters and what to produce.

A sweep file is validated like a scheme: unknown keys and bad values are ``SweepError``s
that name the key path (``grid.inputs[0].split_by``) with a did-you-mean, and paths are
checked before any cell runs. Relative paths are read from the sweep file's folder.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import SweepError
from ..yamlsafe import safe_load


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputSpec(_Strict):
    """One data set with the schemes it is scored with; optionally split by a unit column."""

    data: str = Field(description="data folder or .xlsx workbook")
    schemes: list[str] = Field(min_length=1, description="scheme YAML files")
    name: str | None = Field(None, description="label of the data set in cell names")
    split_by: str | None = Field(
        None, description="a units.csv column (e.g. prefecture): one data set per value")
    years: list[int] | None = Field(None, min_length=1, description="overrides grid.years")


class GridSpec(_Strict):
    """What varies from cell to cell."""

    inputs: list[InputSpec] = Field(min_length=1)
    years: list[int] | None = Field(None, min_length=1,
                                    description="evaluation years; omit for each data set's "
                                                "latest year")
    parameters: dict[str, list[Any]] = Field(
        default_factory=dict, description="notebook parameter -> values (a product is taken)")
    scenarios: list[str] = Field(default_factory=list, description="scenario files (compare)")


class ReportSpec(_Strict):
    """One annual report per cell (``perfanalysis run``)."""

    notebooks: list[str] | None = Field(
        None, description="notebook names to run (default: every notebook)")
    renderer: Literal["auto", "quarto", "nbconvert"] = "auto"
    png: bool = Field(False, description="export PNG charts for the DOCX (slower)")


class TierProbabilitySpec(_Strict):
    """Tier probabilities under noise, split by draw chunks across the workers."""

    draws: int = Field(10_000, gt=0)
    chunk: int = Field(2_000, gt=0, description="draws per task; part of the result's key")
    noise: float = Field(0.05, ge=0, description="scale of the default error model "
                                                 "(0.05: volumes 5 % relative, rates 1 point)")
    weight_concentration: float | None = Field(
        None, gt=0, description="Dirichlet concentration of weight uncertainty (off if None)")


class ProduceSpec(_Strict):
    """What each grid point produces (at least one)."""

    reports: ReportSpec | None = None
    compare: bool = Field(False, description="compare every scenario file of the grid")
    tier_probabilities: TierProbabilitySpec | None = None

    @model_validator(mode="after")
    def _something(self) -> ProduceSpec:
        if self.reports is None and not self.compare and self.tier_probabilities is None:
            raise ValueError("nothing to produce: give reports, compare or tier_probabilities")
        return self


class SweepSpec(_Strict):
    """A whole sweep file."""

    name: str
    seed: int = 20181214
    grid: GridSpec
    produce: ProduceSpec

    @model_validator(mode="after")
    def _compare_needs_scenarios(self) -> SweepSpec:
        if self.produce.compare and not self.grid.scenarios:
            raise ValueError("produce.compare needs grid.scenarios (scenario files)")
        return self

    def parameter_sets(self) -> list[dict[str, Any]]:
        """Every combination of the grid's notebook parameters (one empty set if none)."""
        names = sorted(self.grid.parameters)
        return [dict(zip(names, values, strict=True))
                for values in itertools.product(*(self.grid.parameters[n] for n in names))]


def _allowed(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = SweepSpec
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        ann = field.annotation
        inner = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type)]
        nxt = next((a for a in inner if issubclass(a, BaseModel)), None)
        if nxt is None:
            args = [a for arg in getattr(ann, "__args__", ()) for a in getattr(arg, "__args__",
                                                                                 (arg,))]
            nxt = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)),
                       None)
        if nxt is None:
            return []
        model = nxt
    return list(model.model_fields)


def _path_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def sweep_from_mapping(raw: Any, file: str | None = None) -> SweepSpec:
    """Validate a parsed sweep file; every problem names its key path."""
    if not isinstance(raw, Mapping):
        raise SweepError(f"a sweep file must be a mapping of keys, got {type(raw).__name__}",
                         file=file)
    try:
        return SweepSpec.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            text = err["msg"]
            if err["type"] == "extra_forbidden":
                near = difflib.get_close_matches(str(loc[-1]), _allowed(loc), n=1)
                text = "unknown key" + (f"; did you mean '{near[0]}'?" if near else "")
            lines.append(f"{_path_text(loc)}: {text}")
        raise SweepError(f"{len(lines)} problem(s) in sweep file:\n  - " + "\n  - ".join(lines),
                         file=file, path=_path_text(tuple(exc.errors()[0]["loc"]))) from exc


def load_sweep(path: Path | str) -> SweepSpec:
    """Read and validate a sweep file, and check that every file it names exists."""
    path = Path(path)
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SweepError("sweep file not found", file=str(path)) from exc
    except yaml.YAMLError as exc:
        raise SweepError(f"not valid YAML: {exc}", file=str(path)) from exc
    spec = sweep_from_mapping(raw, file=str(path))
    missing = []
    for i, inp in enumerate(spec.grid.inputs):
        if not resolve(path, inp.data).exists():
            missing.append(f"grid.inputs[{i}].data: {inp.data} does not exist")
        missing += [f"grid.inputs[{i}].schemes[{j}]: {s} does not exist"
                    for j, s in enumerate(inp.schemes) if not resolve(path, s).exists()]
    missing += [f"grid.scenarios[{j}]: {s} does not exist"
                for j, s in enumerate(spec.grid.scenarios) if not resolve(path, s).exists()]
    if missing:
        raise SweepError(f"{len(missing)} missing file(s) (paths are relative to the sweep "
                         "file):\n  - " + "\n  - ".join(missing), file=str(path))
    return spec


def resolve(spec_file: Path, relative: str) -> Path:
    """A path named in the sweep file, relative to the file's folder."""
    p = Path(relative)
    return p if p.is_absolute() else (Path(spec_file).resolve().parent / p)
