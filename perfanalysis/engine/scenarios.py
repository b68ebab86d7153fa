"""Scenario files: named variants of a base scheme (weights, methods, α, targets, sequences,
tiers), each validated like a scheme, with errors naming the scenario and the key path.

A researcher's proposal ("give growth more weight", "score per capita", "forced
distribution 15:80:5") becomes one entry under ``scenarios:``; ``load_scenarios`` turns the
file into ``Scenario`` objects holding the overridden ``Scheme`` and, where a scenario
changes the data (per-capita values, regrouped sequences), a function that adapts a Dataset.
The format is documented in README.md ("Scenarios and compare").
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import SchemeError
from ..yamlsafe import safe_load
from .data import Dataset
from .scheme import Method, Scheme, with_overrides
from .scheme.load import _describe, _folded, _key_path

#: Parameters that only one method uses: dropped when a scenario switches the method away.

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerCapita(_Strict):
    """Score some indicators per head: value ÷ a units.csv column × ``scale``."""

    column: str = Field(description="units.csv column holding the population")
    indicators: list[str] = Field(min_length=1)
    scale: float = Field(10_000.0, gt=0, description="per this many people")


class Regroup(_Strict):
    """New sequences (序列/类别): from a units.csv column or an explicit unit → sequence map."""

    column: str | None = None
    mapping: dict[str, str] | None = None
    names: dict[str, str] = Field(default_factory=dict, description="sequence id -> 中文名")

    @model_validator(mode="after")
    def _one_of(self) -> Regroup:
        if (self.column is None) == (self.mapping is None):
            raise ValueError("give exactly one of 'column' or 'mapping'")
        return self


class ScenarioSpec(_Strict):
    """One named variant of the base scheme (all keys optional)."""

    name: str = Field(description="readable Chinese label used in tables and charts")
    note: str | None = None
    source: str | None = Field(None, description="where the proposal comes from")
    points: dict[str, float] = Field(default_factory=dict, description="node id -> points")
    renormalise: bool = Field(True, description="siblings rescaled to keep the parent's points")
    method: dict[str, Method] = Field(default_factory=dict)
    basis: dict[str, str] = Field(default_factory=dict)
    alpha: float | dict[str, float] | None = Field(
        None, description="blend α for every blended indicator, or per indicator")
    target: dict[str, dict[str, Any]] = Field(default_factory=dict)
    nodes: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                             description="node id -> any node fields")
    tiers: dict[str, Any] | None = None
    sequences: Regroup | None = None
    per_capita: PerCapita | None = None

    @model_validator(mode="after")
    def _alpha_range(self) -> ScenarioSpec:
        values = self.alpha.values() if isinstance(self.alpha, dict) else [self.alpha]
        bad = [a for a in values if a is not None and not 0 <= a <= 1]
        if bad:
            raise ValueError(f"alpha must lie in [0, 1]; got {bad}")
        return self


class ScenarioFile(_Strict):
    """A scenario file: an optional base scheme path and the named variants."""

    base: str | None = Field(None, description="scheme file, relative to this file")
    note: str | None = None
    scenarios: dict[str, ScenarioSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its id, label, the overridden scheme and its data changes."""

    id: str
    name: str
    scheme: Scheme
    spec: ScenarioSpec
    note: str | None = None

    def adapt(self, data: Dataset) -> Dataset:
        """The data as this scenario scores it (per-capita values, regrouped sequences)."""
        units, obs = data.units, data.observations
        where = f"scenarios.{self.id}"
        if self.spec.per_capita is not None:
            pc = self.spec.per_capita
            if pc.column not in units.columns:
                raise SchemeError(f"per_capita.column '{pc.column}' is not a units.csv column "
                                  f"({_hint(pc.column, list(units.columns))})",
                                  path=f"{where}.per_capita.column")
            pop = pd.to_numeric(units.set_index("unit_id")[pc.column], errors="coerce")
            if not (pop > 0).all():
                bad = sorted(pop.index[~(pop > 0)])
                raise SchemeError(f"per_capita: '{pc.column}' is missing or not positive for "
                                  f"units {bad}", path=f"{where}.per_capita.column")
            obs = obs.copy()
            hit = obs["indicator"].isin(pc.indicators)
            obs.loc[hit, "value"] = (obs.loc[hit, "value"]
                                     / obs.loc[hit, "unit_id"].map(pop).to_numpy() * pc.scale)
        if self.spec.sequences is not None:
            units = units.copy()
            units["sequence"] = _sequences(units, self.spec.sequences, where)
        return dataclasses.replace(data, units=units, observations=obs)


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return (f"did you mean '{close[0]}'? " if close else "") + f"known: {', '.join(known)}"


def _sequences(units: pd.DataFrame, spec: Regroup, where: str) -> pd.Series:
    if spec.column is not None:
        if spec.column not in units.columns:
            raise SchemeError(f"sequences.column '{spec.column}' is not a units.csv column "
                              f"({_hint(spec.column, list(units.columns))})",
                              path=f"{where}.sequences.column")
        new = units[spec.column].astype(str)
    else:
        mapping = spec.mapping or {}
        ids = list(units["unit_id"])
        unknown = [u for u in mapping if u not in ids]
        if unknown:
            raise SchemeError("sequences.mapping names unknown units: "
                              + "; ".join(f"'{u}' ({_hint(u, ids)})" for u in unknown),
                              path=f"{where}.sequences.mapping")
        missing = [u for u in ids if u not in mapping]
        if missing:
            raise SchemeError(f"sequences.mapping leaves units without a sequence: {missing}",
                              path=f"{where}.sequences.mapping")
        new = units["unit_id"].map(mapping)
    return new


def _check_ids(ids: list[str], known: list[str], path: str) -> None:
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise SchemeError("unknown indicator or node ids: " + "; ".join(
            f"'{i}' ({_hint(i, known)})" for i in unknown), path=path)


def scenario_scheme(base: Scheme, sid: str, spec: ScenarioSpec) -> Scheme:
    """The base scheme with one scenario's overrides, validated like a scheme file."""
    where = f"scenarios.{sid}"
    leaves = {leaf.id: leaf for leaf in base.indicators()}
    node_ids = [n.id for n in base.iter_nodes()] + [c.id for c in base.components]
    nodes: dict[str, dict[str, Any]] = {}
    for key in ("method", "basis", "target"):
        _check_ids(list(getattr(spec, key)), list(leaves), f"{where}.{key}")
    _check_ids(list(spec.nodes), node_ids, f"{where}.nodes")
    if spec.per_capita is not None:
        _check_ids(spec.per_capita.indicators, list(leaves), f"{where}.per_capita.indicators")
    for iid, method in spec.method.items():
        nodes.setdefault(iid, {})["method"] = method  # with_overrides drops unused settings
    for iid, basis in spec.basis.items():
        nodes.setdefault(iid, {})["basis"] = basis
    for iid, target in spec.target.items():
        nodes.setdefault(iid, {})["target"] = target
    if spec.alpha is not None:
        blended = [i for i, leaf in leaves.items() if leaf.blend is not None]
        if isinstance(spec.alpha, dict):
            _check_ids(list(spec.alpha), list(leaves), f"{where}.alpha")
            plain = [i for i in spec.alpha if leaves[i].blend is None]
            if plain:
                raise SchemeError(f"alpha names indicators without a blend: {plain}; give them "
                                  "one with nodes: {id: {blend: {basis: growth, alpha: …}}}",
                                  path=f"{where}.alpha")
            alphas = spec.alpha
        else:
            if not blended:
                raise SchemeError("alpha: the scheme has no blended (增量+增速) indicator",
                                  path=f"{where}.alpha")
            alphas = {i: spec.alpha for i in blended}
        for iid, a in alphas.items():
            blend = leaves[iid].blend
            assert blend is not None
            nodes.setdefault(iid, {})["blend"] = {
                **blend.model_dump(mode="python", exclude_none=True), "alpha": float(a)}
    for nid, fields in spec.nodes.items():
        nodes.setdefault(nid, {}).update(fields)
    overrides: dict[str, Any] = {}
    if spec.sequences is not None:
        overrides["sequences"] = dict(spec.sequences.names)
    try:
        scheme = with_overrides(base, overrides or None, points=spec.points or None,
                                nodes=nodes or None, tiers=spec.tiers,
                                renormalise=spec.renormalise)
    except SchemeError as exc:
        raise SchemeError(f"scenario '{sid}' ({spec.name}): {exc}", path=where) from exc
    if spec.sequences is not None and not spec.sequences.names:
        raise SchemeError("sequences: give 'names' (sequence id -> 中文名) for the new "
                          "sequences", path=f"{where}.sequences.names")
    return scheme


def scenarios_from_mapping(raw: Any, base: Scheme, file: str | None = None) -> list[Scenario]:
    """Validate a parsed scenario file against ``base``; errors name scenario and key path."""
    if not isinstance(raw, Mapping):
        raise SchemeError(f"a scenario file must be a mapping with 'scenarios:', got "
                          f"{type(raw).__name__}", file=file)
    try:
        parsed = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in _folded(raw, exc.errors()):
            loc = tuple(err["loc"])
            path = _key_path(raw, loc)
            en, zh = _scenario_describe(err)
            who = f"scenario '{loc[1]}': " if len(loc) > 1 and loc[0] == "scenarios" else ""
            lines.append(f"{who}{path}: {en}\n    {zh}")
        raise SchemeError(f"{len(lines)} problem(s) in scenario file / 情景文件有 {len(lines)} "
                          "处错误:\n  - " + "\n  - ".join(lines[:20]), file=file) from exc
    out = []
    for sid, spec in parsed.scenarios.items():
        try:
            scheme = scenario_scheme(base, sid, spec)
        except SchemeError as exc:
            exc.file = file
            raise SchemeError(str(exc), path=None, file=file) from exc
        out.append(Scenario(id=sid, name=spec.name, scheme=scheme, spec=spec, note=spec.note))
    names = [s.name for s in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SchemeError(f"scenario names repeat: {twice} (they label tables and charts)",
                          file=file)
    return out


def _scenario_describe(err: Mapping[str, Any]) -> tuple[str, str]:
    """Describe an error; unknown keys get a did-you-mean against the scenario's keys."""
    if err["type"] == "extra_forbidden":
        loc = tuple(err["loc"])
        model: type[BaseModel] = ScenarioFile
        if len(loc) == 3 and loc[0] == "scenarios":
            model = ScenarioSpec
        elif len(loc) == 4 and loc[2] in ("sequences", "per_capita"):
            model = Regroup if loc[2] == "sequences" else PerCapita
        allowed = list(model.model_fields)
        key = str(loc[-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        guess = f": did you mean '{close[0]}'?" if close else ""
        return (f"unknown key '{key}'{guess}; allowed keys here: {', '.join(allowed)}",
                f"未知的键“{key}”" + (f",是否应为“{close[0]}”?" if close else ""))
    return _describe(err)


def _read_yaml(path: Path) -> Any:
    """A scenario file's parsed YAML (safe loader); a missing file or bad YAML is an error."""
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SchemeError("scenario file not found / 找不到情景文件", file=str(path)) from exc
    except yaml.YAMLError as exc:
        raise SchemeError(f"not valid YAML (YAML 格式错误): {exc}", file=str(path)) from exc


def load_scenarios(path: Path | str, base: Scheme) -> list[Scenario]:
    """Read and validate a scenario file (YAML, safe loader) against the base scheme."""
    path = Path(path)
    raw = _read_yaml(path)
    return scenarios_from_mapping(raw, base, file=str(path))


def generic_scenarios(scheme: Scheme) -> dict[str, Any]:
    """Scenarios any scheme supports (a parsed scenario file): first-level groups equal,
    the largest group +50 %, more and less growth weight where indicators blend level and
    growth, and a 15:80:5 forced distribution where tiers are set by quota and thresholds."""
    out: dict[str, Any] = {}
    comps = [c for c in scheme.components if c.source == "indicators"]
    first = [(c, n) for c in comps for n in (c.children or [])]
    if any(len(c.children or []) > 1 for c in comps):
        out["equal_groups"] = {
            "name": "一级指标等权", "note": "各一级指标分值相同(组内各项按原比例)。",
            "points": {n.id: c.points / len(c.children or []) for c, n in first}}
        big_c, big = max(first, key=lambda cn: cn[1].points)
        if len(big_c.children or []) > 1 and big.points * 1.5 < big_c.points:
            out["largest_up"] = {
                "name": f"{big.name}权重提高50%",
                "note": f"{big.name}分值提高50%,其余一级指标按原比例分配剩余分值。",
                "points": {big.id: big.points * 1.5}}
    if any(leaf.blend is not None for leaf in scheme.indicators()):
        out["more_growth"] = {"name": "增速权重提高", "note": "增量+增速指标中增速占70%(α=0.3)。",
                              "alpha": 0.3}
        out["more_level"] = {"name": "增量权重提高", "note": "增量+增速指标中增量占70%(α=0.7)。",
                             "alpha": 0.7}
    labels = scheme.tiers.labels
    if scheme.tiers.method == "quota_threshold" and len(labels) in (3, 4):
        # the sources' forced distributions: 15:80:5 (three tiers), 15:80:4:1 (four tiers,
        # Xiangxi/Changsha), so every label, and the rules naming it, stays valid
        shares = [0.15, 0.80, 0.05] if len(labels) == 3 else [0.15, 0.80, 0.04, 0.01]
        share_text = ":".join(f"{x * 100:g}" for x in shares)
        tiers = scheme.tiers.model_dump(mode="python", exclude_none=True)
        for key in ("quota", "thresholds", "quota_requires"):
            tiers.pop(key, None)
        tiers.update(method="forced_distribution", shares=shares, rounding="floor")
        aff = tiers.get("affirmation")
        if aff and aff.get("requires") not in (None, *labels[1:]):
            aff.pop("requires")
        out["forced_distribution"] = {
            "name": f"强制分布{share_text}",
            "note": f"等次按{share_text.replace(':', '%、')}%强制分布,人数向下取整。",
            "tiers": tiers}
    return {"scenarios": out}


def generic_scenarios_note(scheme: Scheme) -> str:
    """Which generic scenarios apply to ``scheme`` and, for each that does not, why (Chinese):
    a reader of a one-indicator scheme learns what the chapter could not vary."""
    have = generic_scenarios(scheme)["scenarios"]
    comps = [c for c in scheme.components if c.source == "indicators"]
    missing: list[str] = []
    if "equal_groups" not in have:
        missing.append("一级指标等权和最大一级指标权重提高50%(方案的指标部分只有一个一级指标)")
    elif "largest_up" not in have:
        missing.append("最大一级指标权重提高50%(提高后将超过指标部分的总分)")
    if "more_growth" not in have:
        missing.append("增量与增速权重调整(方案没有增量+增速指标)")
    if "forced_distribution" not in have:
        why = ("等次已按强制分布确定" if scheme.tiers.method == "forced_distribution"
               else "方案的等次数不是3或4个")
        missing.append(f"强制分布({why})")
    names = "、".join(str(v["name"]) for v in have.values())
    text = f"适用的通用情景:{names}。" if names else "没有适用的通用情景,本章不作情景比较。"
    if missing:
        text += "无法变动的内容:" + ";".join(missing) + "。"
    if not comps:
        text += "方案没有指标部分,权重无从调整。"
    return text


def scenarios_for(path: Path | str, scheme: Scheme,
                  scheme_path: Path | str | None = None) -> tuple[list[Scenario], str | None]:
    """The scenarios of ``path`` for ``scheme``; when the file names a different base scheme
    (``base:``), the generic scenarios instead, with a Chinese note saying why."""
    path = Path(path)
    raw = _read_yaml(path)
    base = raw.get("base") if isinstance(raw, Mapping) else None
    if base:
        from .scheme import load_scheme

        base_path = (path.parent / str(base)).resolve()
        same_file = scheme_path is not None and Path(scheme_path).resolve() == base_path
        if not same_file and (not base_path.exists() or load_scheme(base_path).id != scheme.id):
            generic = generic_scenarios(scheme)
            # the base scheme by its Chinese name (reader text never shows a file name)
            written_for = (f"“{load_scheme(base_path).name}”" if base_path.exists()
                           else "另一考核方案")
            note = (f"所给情景是为考核方案{written_for}编写的,与本次使用的"
                    f"方案“{scheme.name}”不符;本章改用适用于任何方案的通用情景。"
                    + generic_scenarios_note(scheme))
            if not generic["scenarios"]:
                return [], note  # nothing to vary: the chapter says so and goes on
            return scenarios_from_mapping(generic, scheme, file="generic scenarios"), note
    return scenarios_from_mapping(raw, scheme, file=str(path)), None


def resolve_path(path: Path | str) -> Path:
    """A path as given when it exists, else relative to ``notebooks/`` (a notebook's default
    like ``../data/scenarios/…`` then works whatever folder papermill runs it in)."""
    from ..paths import NOTEBOOKS_DIR

    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    alt = (NOTEBOOKS_DIR / p).resolve()
    return alt if alt.exists() else p
