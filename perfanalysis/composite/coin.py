"""COINr's iData/iMeta layout in and out, and composite builds from a scheme and a dataset.

iMeta (one row per node): ``iCode``, ``iName``, ``Level`` (1 = indicator), ``Direction``
(1/−1), ``Weight``, ``Parent``, ``Type`` (Indicator, Aggregate, Group, Denominator, Other),
optionally ``Denominator`` (an indicator's denominator code). iData (one row per unit, or
per unit and ``Time`` in a panel): ``uCode``, ``uName``, optional ``Time``, group columns,
denominator columns, indicator columns.

``from_coin_tables`` maps them onto our data contract: ``units`` (unit_id, name, sequence,
group columns as attributes), ``observations`` (long; indicators and denominators, year from
``Time`` or ``year``) and a scheme mapping: the top aggregate's children become components
(or the top node itself when it has indicator children), aggregates become groups with
``weight`` (no ``aggregation``: the recipe's ``aggregate`` step decides, so
``recipe.with_step("aggregate", method="geometric")`` reaches every level), indicators get ``weight``, ``direction`` and
``denominator``; ``points`` are the effective weights × 100 so the core's points scoring
(``minmax`` per indicator) equals the weighted arithmetic mean with full data. The
``composite:`` section holds a min–max 0–100 + arithmetic-mean recipe. ``to_coin_tables``
goes back, so import → export → import gives the same tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..atomic import atomic_dir
from ..engine.data import Dataset
from ..engine.scheme import Component, Group, Indicator, Scheme, scheme_from_mapping
from ..errors import DataError, PipelineError, Problem
from .build import BuildResult, CoinData, Recipe, run_build
from .tree import Hierarchy, TreeNode

IMETA_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
ROOT_COMPONENT = "index"


def _read(table: pd.DataFrame | Path | str, label: str) -> tuple[pd.DataFrame, str]:
    if isinstance(table, pd.DataFrame):
        return table.copy(), label
    path = Path(table)
    if not path.exists():
        raise DataError([Problem(str(path), "file not found")])
    if path.suffix.lower() == ".xlsx":
        return pd.read_excel(path), str(path)
    return pd.read_csv(path, encoding="utf-8-sig"), str(path)


def _check_imeta(meta: pd.DataFrame, label: str) -> list[Problem]:
    problems = []
    for col in ("iCode", "iName", "Type"):
        if col not in meta.columns:
            problems.append(Problem(label, "required column missing", None, col))
    if problems:
        return problems
    for idx, row in meta.iterrows():
        r = int(idx) + 2
        if row["Type"] not in IMETA_TYPES:
            problems.append(Problem(label, f"Type must be one of {IMETA_TYPES}", r, "Type",
                                    row["Type"]))
        if row["Type"] in ("Indicator", "Aggregate"):
            for col in ("Level", "Weight"):
                if col not in meta.columns or pd.isna(row.get(col)):
                    problems.append(Problem(label, f"{row['Type']} needs {col}", r, col))
            if row["Type"] == "Indicator" and row.get("Direction") not in (1, -1, 1.0, -1.0):
                problems.append(Problem(label, "Direction must be 1 or -1", r, "Direction",
                                        row.get("Direction")))
    dup = meta["iCode"].duplicated(keep=False)
    for idx in meta.index[dup]:
        problems.append(Problem(label, "iCode repeated", int(idx) + 2, "iCode",
                                meta.at[idx, "iCode"]))
    return problems


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def _clean(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


def from_coin_tables(idata: pd.DataFrame | Path | str, imeta: pd.DataFrame | Path | str, *,
                     year: int | None = None, sequence: str | None = None,
                     scheme_id: str = "coin_import", scheme_name: str | None = None,
                     ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """COINr tables → (units, observations, scheme mapping); errors name file, row, column."""
    data, dlabel = _read(idata, "iData")
    meta, mlabel = _read(imeta, "iMeta")
    problems = _check_imeta(meta, mlabel)
    for col in ("uCode",):
        if col not in data.columns:
            problems.append(Problem(dlabel, "required column missing", None, col))
    if problems:
        raise DataError(problems, "iMeta/iData do not follow COINr's layout")
    ind = meta.loc[meta["Type"] == "Indicator"]
    groups = meta.loc[meta["Type"] == "Group", "iCode"].tolist()
    dens = meta.loc[meta["Type"] == "Denominator"]
    for code in [*ind["iCode"], *groups, *dens["iCode"]]:
        if code not in data.columns:
            problems.append(Problem(dlabel, f"column for iMeta code '{code}' missing", None, code))
    if "Time" not in data.columns and year is None:
        problems.append(Problem(dlabel, "no 'Time' column: give the year (--year)", None, "Time"))
    if sequence is not None and sequence not in groups:
        problems.append(Problem(mlabel, f"sequence column '{sequence}' is not a Group in iMeta",
                                None, "iCode", sequence))
    if problems:
        raise DataError(problems, "iMeta/iData do not match")
    data = data.copy()
    data["year"] = data["Time"].astype(int) if "Time" in data.columns else int(year)  # type: ignore[arg-type]
    if year is not None and "Time" in data.columns:
        data = data.loc[data["year"] == year]
    latest = data.sort_values("year").groupby("uCode", sort=False).tail(1)
    units = pd.DataFrame({
        "unit_id": latest["uCode"].astype(str).to_numpy(),
        "name": (latest["uName"] if "uName" in latest else latest["uCode"]).astype(str).to_numpy(),
        "sequence": (latest[sequence].astype(str).to_numpy() if sequence else "all"),
    })
    for g in groups:
        units[g] = latest[g].to_numpy()
    units = units.sort_values("unit_id", kind="mergesort").reset_index(drop=True)
    value_cols = [*ind["iCode"], *dens["iCode"]]
    long = data.melt(id_vars=["uCode", "year"], value_vars=value_cols, var_name="indicator",
                     value_name="value").dropna(subset=["value"])
    obs = pd.DataFrame({"unit_id": long["uCode"].astype(str), "year": long["year"].astype(int),
                        "indicator": long["indicator"], "value": long["value"].astype(float)})
    obs = obs.sort_values(["year", "unit_id", "indicator"], kind="mergesort").reset_index(drop=True)
    scheme = _scheme_mapping(meta, scheme_id, scheme_name, groups, sequence)
    return units, obs, scheme


def _scheme_mapping(meta: pd.DataFrame, scheme_id: str, scheme_name: str | None,
                    groups: list[str], sequence: str | None) -> dict[str, Any]:
    """iMeta → scheme mapping (components/groups/indicators with weights and points)."""
    nodes = meta.loc[meta["Type"].isin(["Indicator", "Aggregate"])]
    tree = _tree_from_meta(nodes)
    eff = tree.effective_weights()
    row = {r["iCode"]: r for _, r in nodes.iterrows()}
    has_den = "Denominator" in meta.columns

    def points(code: str) -> float:
        leaves = _leaves(tree, code)
        return round(float(sum(eff[c] for c in leaves)) * 100, 10)

    def build(code: str) -> dict[str, Any]:
        r = row[code]
        base: dict[str, Any] = {"id": code, "name": str(r["iName"]),
                                "points": points(code), "weight": _clean(float(r["Weight"]))}
        kids = tree.children(code)
        if not kids:
            base.update(method="minmax", direction="negative" if r["Direction"] == -1
                        else "positive", comparison_group="all")
            if has_den and isinstance(r.get("Denominator"), str):
                base["denominator"] = r["Denominator"]
            return base
        base.update(children=[build(k) for k in kids])
        return base

    root = tree.root
    kids = tree.children(root)
    top_are_groups = all(tree.children(k) for k in kids)
    if top_are_groups:
        components = []
        for k in kids:
            c = build(k)
            c.update(source="indicators")
            components.append(c)
        index_id, index_name = root, str(row[root]["iName"])
    else:
        c = build(root)
        c.update(source="indicators")
        components = [c]
        index_id, index_name = None, None
    dens = meta.loc[meta["Type"] == "Denominator"]
    composite: dict[str, Any] = {
        "denominators": {str(r["iCode"]): str(r["iName"]) for _, r in dens.iterrows()},
        "unit_groups": {str(r["iCode"]): str(r["iName"])
                        for _, r in meta.loc[meta["Type"] == "Group"].iterrows()},
        "steps": [{"step": "normalise", "method": "minmax", "lower": 0, "upper": 100},
                  {"step": "aggregate", "method": "arithmetic"}],
    }
    if index_id is not None:
        composite.update(index_id=index_id, index_name=index_name)
    return {
        "id": scheme_id, "name": scheme_name or index_name or scheme_id,
        "source": "imported from COINr iData/iMeta tables",
        "note": "points = effective weights × 100; tiers are a placeholder (top quarter)",
        "comparison_group": "all",
        "components": components,
        "tiers": {"method": "quota_threshold", "labels": ["前列", "其他"],
                  "quota": [{"share": 0.25}]},
        "composite": composite,
    }


def _leaves(tree: Hierarchy, code: str) -> list[str]:
    kids = tree.children(code)
    return [code] if not kids else [c for k in kids for c in _leaves(tree, k)]


def _tree_from_meta(nodes: pd.DataFrame) -> Hierarchy:
    out = []
    for _, r in nodes.iterrows():
        parent = r.get("Parent")
        out.append(TreeNode(
            code=str(r["iCode"]), parent=None if pd.isna(parent) else str(parent),
            weight=float(r["Weight"]), name=str(r["iName"]),
            direction=int(r["Direction"]) if r["Type"] == "Indicator" else 1))
    return Hierarchy(tuple(out))


def write_coin_import(units: pd.DataFrame, observations: pd.DataFrame,
                      scheme: dict[str, Any], out: Path | str) -> Path:
    """Validate the scheme, then write units.csv, observations.csv, scheme.yaml atomically."""
    scheme_from_mapping(scheme, file="imported scheme")
    out = Path(out)
    with atomic_dir(out) as tmp:
        units.to_csv(tmp / "units.csv", index=False, lineterminator="\n")
        observations.to_csv(tmp / "observations.csv", index=False, lineterminator="\n")
        (tmp / "scheme.yaml").write_text(
            yaml.safe_dump(scheme, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


# --- scheme + dataset → build ----------------------------------------------------------


def scheme_tree(scheme: Scheme) -> Hierarchy:
    """The scheme's indicator components as a Hierarchy (weights default to points)."""
    comps = [c for c in scheme.components if c.source == "indicators"]
    sec = scheme.composite
    nodes: list[TreeNode] = []

    def agg_of(node: Group | Component) -> str | None:
        return None if node.aggregation == "sum" else node.aggregation

    def walk(children: list[Any], parent: str) -> None:
        for ch in children:
            w = ch.weight if ch.weight is not None else ch.points
            if isinstance(ch, Indicator):
                nodes.append(TreeNode(ch.id, parent, w, ch.name,
                                      -1 if ch.direction == "negative" else 1))
            else:
                nodes.append(TreeNode(ch.id, parent, w, ch.name, 1, agg_of(ch), ch.p,
                                      ch.min_availability))
                walk(ch.children, ch.id)

    if len(comps) == 1 and (sec is None or sec.index_id is None):
        c = comps[0]
        nodes.append(TreeNode(c.id, None, c.weight or c.points, c.name, 1, agg_of(c), c.p,
                              c.min_availability))
        walk(c.children or [], c.id)
    else:
        root = (sec.index_id if sec and sec.index_id else ROOT_COMPONENT)
        nodes.append(TreeNode(root, None, 1.0, (sec.index_name if sec else None) or root))
        for c in comps:
            nodes.append(TreeNode(c.id, root, c.weight or c.points, c.name, 1, agg_of(c), c.p,
                                  c.min_availability))
            walk(c.children or [], c.id)
    return Hierarchy(tuple(nodes))


def coin_data(data: Dataset, scheme: Scheme, year: int) -> CoinData:
    """Dataset + scheme + year → build input (values wide, denominators, attributes, panel)."""
    tree = scheme_tree(scheme)
    inds = tree.indicators
    sec = scheme.composite
    den_ids = list(sec.denominators) if sec else []
    obs = data.observations
    if year not in set(obs["year"]):
        raise PipelineError(f"no observations in year {year} (have {sorted(set(obs['year']))})")
    units = data.units.set_index("unit_id")
    wide_all = obs.pivot_table(index=["unit_id", "year"], columns="indicator", values="value",
                               aggfunc="first")
    panel = wide_all.reindex(columns=[*inds, *den_ids]).reset_index()
    now = panel.loc[panel["year"] == year].set_index("unit_id").reindex(units.index)
    attrs = units.drop(columns=[c for c in ("name", "source_row") if c in units.columns])
    leaves = {i.id: i for i in scheme.indicators()}
    return CoinData(
        values=now[inds], tree=tree, denominators=now[den_ids], unit_attributes=attrs,
        denominator_of={k: v.denominator for k, v in leaves.items() if v.denominator},
        normalise_of={k: v.normalise for k, v in leaves.items() if v.normalise},
        names=units["name"].to_dict(), panel=panel[["unit_id", "year", *inds]], year=year)


def build_composite(data: Dataset, scheme: Scheme, year: int,
                    recipe: Recipe | None = None) -> BuildResult:
    """Build the scheme's composite index for ``year`` (recipe: the scheme's or given)."""
    if recipe is None:
        steps = scheme.composite.steps if scheme.composite else Recipe.from_list(
            [{"step": "normalise"}, {"step": "aggregate"}]).steps
        recipe = Recipe(tuple(steps))
    return run_build(coin_data(data, scheme, year), recipe)


def to_coin_tables(data: Dataset, scheme: Scheme) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dataset + scheme → COINr (iData, iMeta); the inverse of ``from_coin_tables``."""
    tree = scheme_tree(scheme)
    sec = scheme.composite
    leaves = {i.id: i for i in scheme.indicators()}
    rows = []
    height = {n.code: tree.height(n.code) for n in tree.nodes}
    for n in sorted(tree.nodes, key=lambda n: (height[n.code], tree.nodes.index(n))):
        leaf = leaves.get(n.code)
        rows.append({"Level": height[n.code], "iCode": n.code, "iName": n.name,
                     "Direction": n.direction, "Weight": _clean(n.weight),
                     "Denominator": leaf.denominator if leaf else None,
                     "Parent": n.parent, "Type": "Indicator" if leaf else "Aggregate"})
    groups = list(sec.unit_groups.items()) if sec else []
    for g, name in groups:
        rows.append({"Level": None, "iCode": g, "iName": name, "Direction": None,
                     "Weight": None, "Denominator": None, "Parent": None, "Type": "Group"})
    for d, name in (sec.denominators.items() if sec else []):
        rows.append({"Level": None, "iCode": d, "iName": name, "Direction": None,
                     "Weight": None, "Denominator": None, "Parent": None, "Type": "Denominator"})
    imeta = pd.DataFrame(rows)
    imeta["Level"] = imeta["Level"].astype("Int64")
    imeta["Direction"] = imeta["Direction"].astype("Int64")
    codes = [*tree.indicators, *(d for d, _ in (sec.denominators.items() if sec else []))]
    wide = data.observations.pivot_table(index=["unit_id", "year"], columns="indicator",
                                         values="value", aggfunc="first")
    wide = wide.reindex(columns=codes).reset_index()
    units = data.units.drop(columns=["source_row"], errors="ignore")
    idata = units.merge(wide, on="unit_id", how="right")
    idata = idata.rename(columns={"unit_id": "uCode", "name": "uName", "year": "Time"})
    lead = ["uCode", "uName", *[g for g, _ in groups], "Time"]
    idata = idata[[*lead, *codes]].sort_values(["Time", "uCode"], kind="mergesort")
    return idata.reset_index(drop=True), imeta
