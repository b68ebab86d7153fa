"""The weights explorer's state and arithmetic, without a browser.

A setting of the explorer *is* a scenario (one entry of a scenario file: ``points``,
``alpha``, ``method``, ``tiers`` …), so ``evaluate`` validates it with the scenario code
(``scenarios_from_mapping``, which calls ``with_overrides``) and the export is that same
mapping written as YAML: what the page shows is what ``perfanalysis compare`` reads.

Scoring reuses the engine: ``prepare`` once per year and data-changing part of the setting
(cached), then per update ``leaf_fractions`` → ``component_scores`` on the overridden
scheme's leaves, ratings + bonus − penalty from ``adjustment_table``, and tiers and ranks
from ``tier_codes`` (the vectorised twin of ``assign_tiers``). A scheme with a progress
award (进位奖, a bonus that depends on last year's ranks) is scored by ``score`` itself.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..engine.adjustments import adjustment_table
from ..engine.data import Dataset
from ..engine.scenarios import Scenario, load_scenarios, scenarios_from_mapping
from ..engine.scheme import Indicator, ProgressRule, Scheme
from ..engine.scoring import (
    ScoringInput,
    _refuse_nan,
    component_scores,
    leaf_fractions,
    missing_mask,
    prepare,
    score,
    unit_points,
)
from ..engine.tiers import TierModel, tier_codes, tier_model
from ..errors import PerfAnalysisError, SchemeError
from ..yamlsafe import safe_load

#: Scenario keys the controls set; the rest of a starting scenario (basis, nodes, per
#: capita, sequences …) changes the data or targets and is kept as it is.
CONTROL_KEYS = ("points", "alpha", "method", "tiers")
#: Id and label of the explored setting in an exported scenario file.
SCENARIO_ID = "explored"
SCENARIO_NAME = "权重探索"
#: Methods a leaf may switch between: the relative methods need no parameters; completion
#: needs a target rule (the leaf has one); the leaf's own method always applies.
RELATIVE = ("efficacy", "minmax")
BASE_START = ""  # id of the "scheme as it is" starting point
#: Bootstrap resamples of the live size-dependence interval (a report uses 1000).
LIVE_BOOT = 200
#: Prepared inputs kept (one per year and data-changing part of a setting).
CACHE_SIZE = 16


class ExploreError(PerfAnalysisError):
    """A setting the explorer cannot score; the message is shown in the page."""


@dataclass(frozen=True)
class Start:
    """A starting point: the scheme as it is, or one scenario of a scenario file."""

    id: str
    name: str
    spec: dict[str, Any]  # the scenario mapping (without name/note), {} for the scheme


@dataclass(frozen=True)
class Prepared:
    """What stays fixed while the controls move, for one year and data-changing part of a
    setting: the engine's prepared arrays, the data as the setting scores it, bonus and
    penalty, and the unit columns of the table (in the prepared order)."""

    inp: ScoringInput
    data: Dataset
    bonus: np.ndarray
    penalty: np.ndarray
    ratings: dict[str, np.ndarray]
    seq_codes: np.ndarray
    units: dict[str, np.ndarray]  # unit_id, name, sequence (object arrays)


@dataclass
class Explorer:
    """Data, scheme, starting points and the caches of prepared inputs (one per year and
    data-changing part of a setting)."""

    data: Dataset
    scheme: Scheme
    years: list[int]
    starts: dict[str, Start]
    sizes: pd.Series | None
    scheme_path: Path | None = None
    error_model: Path | None = None  # error-model file of the tier probabilities (None: defaults)
    _prepared: dict[str, Prepared] = field(default_factory=dict, repr=False)
    _tiers: dict[str, TierModel] = field(default_factory=dict, repr=False)
    _starts: dict[str, View] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class View:
    """One evaluated setting: the score table (kept as arrays; ``table`` is the frame),
    the scheme it came from and figures."""

    year: int
    spec: dict[str, Any]
    scheme: Scheme
    columns: dict[str, np.ndarray]  # unit_id, name, sequence, total, rank, tier (score's order)
    node_points: dict[str, float]  # first-level node id -> points in force
    points_sum: float  # Σ first-level points
    points_total: float  # Σ indicator-component points (the scheme's total)
    size: dict[str, Any] | None  # size_dependence of the total, None without sizes

    @cached_property
    def table(self) -> pd.DataFrame:
        """unit_id, name, sequence, total, rank, tier, one row per unit in ``score``'s
        order (sequence, rank, unit_id)."""
        return pd.DataFrame(self.columns)


def first_level(scheme: Scheme) -> list[tuple[str, str, float]]:
    """(id, Chinese name, points) of the children of every indicator component."""
    return [(n.id, n.name, float(n.points)) for c in scheme.components
            if c.source == "indicators" for n in (c.children or [])]


def all_nodes(scheme: Scheme) -> list[tuple[str, str, float]]:
    """(id, name, points) of every group and indicator under the indicator components."""
    return [(n.id, n.name, float(n.points)) for n in scheme.iter_nodes()]


def blended(scheme: Scheme) -> list[Indicator]:
    """Leaves scored as a blend of two bases (增量+增速) with weight α."""
    return [leaf for leaf in scheme.indicators() if leaf.blend is not None]


def applicable_methods(leaf: Indicator) -> list[str]:
    """Methods this leaf may use without new parameters: its own, the relative ones
    (values it has), and completion when it has a target rule. Event leaves keep theirs."""
    if leaf.event is not None:
        return [leaf.method]
    out = [leaf.method, *RELATIVE]
    if leaf.target is not None:
        out.append("completion")
    return list(dict.fromkeys(out))


def _scenario_mapping(raw: Any, file: str) -> dict[str, Start]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("scenarios"), Mapping):
        raise ExploreError(f"{file}: a scenario file needs a 'scenarios:' mapping")
    out = {}
    for sid, spec in raw["scenarios"].items():
        body = {k: v for k, v in dict(spec).items() if k not in ("name", "note", "source")}
        out[str(sid)] = Start(str(sid), str(spec.get("name", sid)), body)
    return out


def make_explorer(data: Dataset, scheme: Scheme, *, scheme_path: Path | str | None = None,
                  scenarios: Path | str | None = None,
                  presets: Path | str | None = None,
                  error_model: Path | str | None = None) -> Explorer:
    """The explorer's context: years with observations, the starting points (the scheme;
    the presets in folder ``presets`` with the scheme's tree, as scenarios; each scenario of
    ``scenarios``, validated against the scheme) and unit sizes (the fairness study's size
    column; None when units.csv has none). ``error_model``: a file overriding the default
    error model of the on-demand tier probabilities (study 3's format)."""
    from ..studies.fairness_core import unit_sizes
    from .presets import preset_starts

    starts = {BASE_START: Start(BASE_START, "方案原值", {})}
    if presets is not None:
        for sid, name, spec in preset_starts(scheme, presets, skip=scheme_path):
            starts[sid] = Start(sid, name, spec)
    if scenarios is not None:
        load_scenarios(scenarios, scheme)  # validates; errors name the file and key
        raw = safe_load(Path(scenarios).read_text(encoding="utf-8"))
        starts.update(_scenario_mapping(raw, str(scenarios)))
    try:
        sizes: pd.Series | None = unit_sizes(data)
    except PerfAnalysisError:
        sizes = None
    return Explorer(data=data, scheme=scheme, years=data.years, starts=starts, sizes=sizes,
                    scheme_path=Path(scheme_path) if scheme_path is not None else None,
                    error_model=Path(error_model) if error_model is not None else None)


def merged_spec(start: Start, controls: Mapping[str, Any]) -> dict[str, Any]:
    """The starting scenario with the controls' keys laid over it (a control key that is
    empty removes nothing: the start's value stays)."""
    spec = {k: v for k, v in start.spec.items()}
    for key in CONTROL_KEYS:
        value = controls.get(key)
        if value is None or value == {}:
            continue
        if isinstance(value, Mapping) and isinstance(spec.get(key), Mapping):
            spec[key] = {**spec[key], **value}
        else:
            spec[key] = value
    return spec


def _check_spec(spec: Mapping[str, Any], scheme: Scheme) -> None:
    """Catch, in the page's words, what the scenario check would also reject: points that
    are not positive numbers, and named children taking all of their parent's points (the
    siblings left would get nothing or less)."""
    points = spec.get("points") or {}
    names = {n.id: n.name for n in scheme.iter_nodes()} | {c.id: c.name for c in scheme.components}
    for nid, v in points.items():
        who = names.get(nid, nid)
        if v is None or isinstance(v, bool) or not isinstance(v, int | float) \
                or not np.isfinite(v):
            raise ExploreError(f"“{who}”的分值须为数字 / points of '{nid}' must be a number")
        if v <= 0:
            raise ExploreError(f"“{who}”的分值须为正数,当前为{v:g} / points of '{nid}' must be "
                               f"positive, got {v:g}")
    if spec.get("renormalise", True) and points:
        parents = [p for p in [*scheme.components, *scheme.iter_nodes()]
                   if any(k.id in points for k in (getattr(p, "children", None) or []))]
        for parent in parents:
            kids = list(parent.children or [])
            named = [k for k in kids if k.id in points]
            if len(named) == len(kids) or parent.id in points:
                continue
            taken = sum(float(points[k.id]) for k in named)
            if taken >= float(parent.points) - 1e-9:
                rest = "、".join(k.name for k in kids if k.id not in points)
                raise ExploreError(
                    f"所设分值合计{taken:g}分,已达到或超过“{parent.name}”的{float(parent.points):g}分,"
                    f"其余的{rest}将为零或负分 / the points set take {taken:g} of "
                    f"'{parent.id}' ({float(parent.points):g}) and leave nothing for the rest")


def scenario_of(ex: Explorer, spec: Mapping[str, Any]) -> Scenario:
    """The setting as a validated ``Scenario`` (the scenario file's own checks)."""
    _check_spec(spec, ex.scheme)
    raw = {"scenarios": {SCENARIO_ID: {"name": SCENARIO_NAME, **spec}}}
    try:
        return scenarios_from_mapping(raw, ex.scheme, file="explorer")[0]
    except (SchemeError, ValidationError, ValueError) as exc:
        raise ExploreError(_plain(str(exc))) from exc


def _plain(message: str) -> str:
    """A scheme error's message without the internal labels (file, scenario id)."""
    for noise in ("explorer: ", f"at 'scenarios.{SCENARIO_ID}': ",
                  f"scenario '{SCENARIO_ID}' ({SCENARIO_NAME}): ", " (scenario)"):
        message = message.replace(noise, "")
    return message


def _key(year: int, spec: Mapping[str, Any], *keys: str) -> str:
    rest = {k: v for k, v in spec.items() if k in keys or (not keys and k not in
                                                           ("points", "alpha", "tiers"))}
    return json.dumps([year, rest], sort_keys=True, ensure_ascii=False, default=str)


def _prepared(ex: Explorer, sc: Scenario, year: int) -> Prepared:
    key = _key(year, sc.spec.model_dump(mode="json", exclude_none=True))
    hit = ex._prepared.get(key)
    if hit is None:
        data = sc.adapt(ex.data)
        inp = prepare(data, sc.scheme, year)
        adj = adjustment_table(data, sc.scheme, year, inp.unit_ids)
        while len(ex._prepared) >= CACHE_SIZE:  # oldest first (dicts keep insertion order)
            ex._prepared.pop(next(iter(ex._prepared)))
        hit = ex._prepared[key] = Prepared(
            inp=inp, data=data, bonus=adj["bonus"].to_numpy(dtype=float),
            penalty=adj["penalty"].to_numpy(dtype=float),
            ratings={c: inp.ratings[c].to_numpy(dtype=float) for c in inp.ratings.columns},
            seq_codes=pd.factorize(np.asarray(inp.sequences, dtype=object), sort=True)[0],
            units={"unit_id": np.asarray(inp.unit_ids, dtype=object),
                   "name": np.asarray(inp.names, dtype=object),
                   "sequence": np.asarray(inp.sequences, dtype=object)})
    return hit


def _tier_model(ex: Explorer, sc: Scenario, inp: ScoringInput, data: Dataset,
                year: int) -> TierModel:
    spec = sc.spec.model_dump(mode="json", exclude_none=True)
    key = _key(year, spec, "tiers", "sequences")
    hit = ex._tiers.get(key)
    if hit is None:
        events = data.events.loc[data.events["year"] == year]
        hit = ex._tiers[key] = tier_model(sc.scheme, inp.unit_ids, inp.sequences, events)
    return hit


def score_setting(ex: Explorer, sc: Scenario, year: int) -> dict[str, np.ndarray]:
    """unit_id, name, sequence, total (components added, bonus − penalty, rounded to 6
    decimals as ``score`` does), rank and tier of a validated setting, ordered like
    ``score`` (sequence, rank, unit_id), as arrays (strings as object arrays)."""
    scheme = sc.scheme
    prep = _prepared(ex, sc, year)
    inp0, data = prep.inp, prep.data
    comp_ids = [c.id for c in scheme.components]
    if any(isinstance(r, ProgressRule) for r in scheme.bonus.rules):
        ref = score(data, scheme, year).set_index("unit_id").loc[inp0.unit_ids]
        cols = {c: ref[c].to_numpy(dtype=float) for c in [*comp_ids, "bonus", "penalty",
                                                          "total"]}
    else:
        inp = dataclasses.replace(inp0, leaves=scheme.indicators(), missing_rules=tuple(
            scheme.missing_rule(leaf) for leaf in scheme.indicators()))
        frac = leaf_fractions(inp)
        gaps = missing_mask(inp)
        frac = np.where(gaps, 0.0, frac)
        _refuse_nan(inp, frac)
        pts = unit_points(inp, scheme, gaps)
        comps = component_scores(inp, scheme, frac * pts / inp.leaf_points)
        cols = {c.id: (comps[:, inp.indicator_components.index(c.id)]
                       if c.source == "indicators" else prep.ratings[c.id])
                for c in scheme.components}
        cols["bonus"] = prep.bonus
        cols["penalty"] = prep.penalty
        # as score(): components added left to right, then bonus − penalty, then rounded
        total = np.column_stack([cols[c] for c in comp_ids]).sum(axis=1)
        cols["total"] = total + cols["bonus"] - cols["penalty"]
        cols = {k: np.round(v, 6) for k, v in cols.items()}
    model = _tier_model(ex, sc, inp0, data, year)
    tie = (np.column_stack([cols[c] for c in scheme.tiers.tie_break])[None]
           if scheme.tiers.tie_break else None)
    codes, ranks = tier_codes(model, cols["total"][None], tie, ranks=True)
    order = np.lexsort((ranks[0], prep.seq_codes))  # stable: ties keep the unit_id order
    labels = np.asarray(model.labels, dtype=object)
    return {**{c: prep.units[c][order] for c in ("unit_id", "name", "sequence")},
            "total": cols["total"][order], "rank": ranks[0][order].astype(int),
            "tier": labels[codes[0][order]]}


def evaluate(ex: Explorer, controls: Mapping[str, Any], *, year: int | None = None,
             start: str = BASE_START, boot: int | None = LIVE_BOOT) -> View:
    """Score one setting: the starting point with the controls laid over it. A setting a
    scenario file could not hold raises ``ExploreError`` with a message for the page.
    ``boot``: bootstrap resamples of the size-dependence interval; None leaves size
    dependence out (the page computes it in a second step, after the table)."""
    year = max(ex.years) if year is None else int(year)
    if year not in ex.years:
        raise ExploreError(f"年度{year}没有数据 / no observations for {year}")
    if start not in ex.starts:
        raise ExploreError(f"未知的起点“{start}” / unknown starting point '{start}'")
    spec = merged_spec(ex.starts[start], controls)
    sc = scenario_of(ex, spec)
    try:
        columns = score_setting(ex, sc, year)
    except SchemeError as exc:
        raise ExploreError(_plain(str(exc))) from exc
    except PerfAnalysisError as exc:
        raise ExploreError(f"{year}年无法计分 / cannot score {year}: {exc}") from exc
    nodes = first_level(sc.scheme)
    total = sum(c.points for c in sc.scheme.components if c.source == "indicators")
    return View(year=year, spec=spec, scheme=sc.scheme,
                columns=columns,
                node_points={i: p for i, _, p in nodes},
                points_sum=float(sum(p for _, _, p in nodes)), points_total=float(total),
                size=None if boot is None else size_of(ex, columns, boot))


def size_of(ex: Explorer, columns: Mapping[str, np.ndarray], boot: int
            ) -> dict[str, Any] | None:
    """Size dependence of the totals (the one definition, ``size_dependence``), or None
    when the units have no size column."""
    if ex.sizes is None:
        return None
    from ..studies.size import size_dependence

    index = pd.Index(columns["unit_id"], name="unit_id")
    return size_dependence(pd.Series(columns["total"], index=index),
                           ex.sizes.reindex(index),
                           pd.Series(columns["sequence"], index=index), boot=boot, seed=0)


def start_view(ex: Explorer, start: str, year: int) -> View:
    """The starting point scored as it is (the baseline of the page), cached."""
    key = f"{start}\x00{year}"
    hit = ex._starts.get(key)
    if hit is None:
        hit = ex._starts[key] = evaluate(ex, {}, year=year, start=start)
    return hit


def start_alpha(scheme: Scheme) -> float | None:
    """The α the α control starts from: the first blended leaf's (None without blends)."""
    leaves = blended(scheme)
    return float(leaves[0].blend.alpha) if leaves else None  # type: ignore[union-attr]


def uncertainty(ex: Explorer, controls: Mapping[str, Any], *, year: int, start: str,
                noise: float, draws: int, sobol_n: int, seed: int = 0
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current setting's tier probabilities under the error model at scale ``noise``
    (study 3's ``tier_probabilities``: its default table, or the explorer's error-model
    file) and the Sobol indices of the mean absolute rank
    shift to its first-level weights, α and relative method (study 4's
    ``weight_sensitivity``), as tables with Chinese headers."""
    from ..studies.boundaries import tier_probabilities
    from ..studies.weightings import SHIFT_TARGET, weight_sensitivity

    sc = scenario_of(ex, merged_spec(ex.starts[start], controls))
    data = sc.adapt(ex.data)
    probs = tier_probabilities(data, sc.scheme, year, noise=noise, draws=draws, seed=seed,
                               error_model=ex.error_model,
                               workers=1)
    labels = sc.scheme.tiers.labels
    p = pd.DataFrame({"单位": probs["name"], "总分": probs["total"].round(2),
                      "当前等次": probs["official_tier"],
                      **{f"P({lab})": probs[f"p_{lab}"] for lab in labels},
                      "名次5%–95%": [f"{a}–{b}" for a, b in zip(probs["rank_p05"],
                                                               probs["rank_p95"], strict=True)]})
    p.attrs["draws"] = int(probs.attrs["summary"]["draws"].iloc[0])
    p.attrs["max_se"] = float(probs.attrs["summary"]["max_se"].iloc[0])
    sens = weight_sensitivity(data, sc.scheme, year, n=sobol_n, seed=seed)
    sob = sens.sobol.loc[sens.sobol["target"] == SHIFT_TARGET]
    s = pd.DataFrame({"因素": sob["parameter"], "一阶指数S1": sob["S1"],
                      "S1的95%区间半宽": sob["S1_conf"], "总效应指数ST": sob["ST"],
                      "ST的95%区间半宽": sob["ST_conf"]})
    return p.reset_index(drop=True), s.reset_index(drop=True)
