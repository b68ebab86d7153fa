"""Study 4: alternative weightings — scenarios compared, and global sensitivity of ranks.

``compare_scenarios`` scores the base scheme and every scenario on the same data and year
and returns the study tables (totals, rank shifts, tier changes, Kendall τ, summary, the
uniform ``alternatives_weightings``). ``weight_sensitivity`` computes Sobol first- and
total-order indices (SALib: Saltelli sampling, bootstrap intervals) of each unit's rank and
of the mean absolute rank shift, to the first-level group weights and to discrete choices
(relative method, blend α), scoring every sample at once on the vectorised engine.
``remove_groups`` is COINr's ``remove_elements`` check: the rank change when a group is
dropped.

Where the rest of the study lives: charts ``perfanalysis.report.figures.weightings``, sentences
``perfanalysis.report.findings.weightings``, chapter ``notebooks/04_alternative_weightings.py``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..engine import methods
from ..engine.data import Dataset
from ..engine.scenarios import Scenario
from ..engine.scheme import Component, Group, Indicator, Scheme, with_overrides
from ..engine.scoring import ScoringInput, blend_values, leaf_fractions, prepare, score
from ..engine.tiers import assign_tiers
from ..errors import SchemeError

BASE_ID = "base"
BASE_NAME = "基准方案"
SHIFT_TARGET = "平均绝对名次变化"


# --- scenarios ------------------------------------------------------------------------


def _scored(data: Dataset, scheme: Scheme, year: int) -> pd.DataFrame:
    scores = score(data, scheme, year)
    events = data.events.loc[data.events["year"] == year]
    return assign_tiers(scores, scheme, events)


def scenario_totals(data: Dataset, scheme: Scheme, scenarios: list[Scenario],
                    year: int) -> pd.DataFrame:
    """Per scenario (the base first) every unit's total, rank within sequence and tier.

    Columns: scenario (readable label), scenario_id, unit_id, name, sequence, total, rank,
    tier. Each scenario is scored by ``score`` + ``assign_tiers`` on its own scheme (and its
    adapted data), exactly as ``perfanalysis score`` would score that scheme as a file.
    """
    rows = []
    runs = [(BASE_ID, BASE_NAME, scheme, data)] + [
        (s.id, s.name, s.scheme, s.adapt(data)) for s in scenarios]
    for sid, label, sch, ds in runs:
        table = _scored(ds, sch, year)
        part = table[["unit_id", "name", "sequence", "total", "rank", "tier"]].copy()
        part.insert(0, "scenario_id", sid)
        part.insert(0, "scenario", label)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out["rank"] = out["rank"].astype(int)
    return out


def scenario_shifts(totals: pd.DataFrame) -> pd.DataFrame:
    """Rank and tier of every unit in every scenario against the base.

    ``shift`` = rank_base − rank: positive means the unit moves up (a better place).
    """
    base = totals.loc[totals["scenario_id"] == BASE_ID].set_index("unit_id")
    alt = totals.loc[totals["scenario_id"] != BASE_ID].copy()
    alt["rank_base"] = alt["unit_id"].map(base["rank"]).astype(int)
    alt["tier_base"] = alt["unit_id"].map(base["tier"])
    alt["total_base"] = alt["unit_id"].map(base["total"])
    alt["shift"] = alt["rank_base"] - alt["rank"]
    alt["tier_changed"] = alt["tier"] != alt["tier_base"]
    cols = ["scenario", "scenario_id", "unit_id", "name", "rank_base", "rank", "shift",
            "tier_base", "tier", "tier_changed", "total_base", "total"]
    return alt[cols].reset_index(drop=True)


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's τ-b between two score vectors (1 when both are constant and equal order)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return 1.0
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.kendalltau(a, b).statistic)


def scenario_kendall(totals: pd.DataFrame) -> pd.DataFrame:
    """Kendall τ between the totals of every pair of scenarios (the base included), both
    orders and the diagonal, so the table is a full matrix in long form."""
    wide = totals.pivot(index="unit_id", columns="scenario", values="total")
    order = list(dict.fromkeys(totals["scenario"]))
    rows = [{"scenario_a": a, "scenario_b": b,
             "tau": kendall_tau(wide[a].to_numpy(), wide[b].to_numpy())}
            for a, b in itertools.product(order, order)]
    return pd.DataFrame(rows)


def scenario_summary(totals: pd.DataFrame, top_labels: dict[str, str]) -> pd.DataFrame:
    """Per scenario: tier changes, mean absolute rank shift, and whether the top-tier set
    changed (with the units that enter and leave it). ``top_labels``: scenario → top tier."""
    shifts = scenario_shifts(totals)
    base = totals.loc[totals["scenario_id"] == BASE_ID]
    base_top = set(base.loc[base["tier"] == top_labels[BASE_NAME], "name"])
    rows = []
    for label in dict.fromkeys(shifts["scenario"]):
        part = shifts.loc[shifts["scenario"] == label]
        sub = totals.loc[totals["scenario"] == label]
        its_top = set(sub.loc[sub["tier"] == top_labels[label], "name"])
        entered = sorted(its_top - base_top)
        left = sorted(base_top - its_top)
        rows.append({
            "scenario": label, "scenario_id": part["scenario_id"].iloc[0],
            "n_tier_changes": int(part["tier_changed"].sum()),
            "mean_abs_shift": float(part["shift"].abs().mean()),
            "max_abs_shift": int(part["shift"].abs().max()),
            "top_set_changed": bool(entered or left),
            "top_entered": "、".join(entered), "top_left": "、".join(left),
        })
    return pd.DataFrame(rows, columns=["scenario", "scenario_id", "n_tier_changes",
                                       "mean_abs_shift", "max_abs_shift", "top_set_changed",
                                       "top_entered", "top_left"])


def tier_dependence(totals: pd.DataFrame) -> pd.DataFrame:
    """Units whose tier depends on the scenario: one row per unit, its tier per scenario,
    and how many distinct tiers it gets."""
    wide = totals.pivot(index=["unit_id", "name"], columns="scenario", values="tier")
    order = list(dict.fromkeys(totals["scenario"]))
    wide = wide[order]
    wide["n_tiers"] = wide.nunique(axis=1)
    return wide.reset_index().sort_values(["n_tiers", "unit_id"], ascending=[False, True],
                                          kind="stable").reset_index(drop=True)


def alternatives_table(totals: pd.DataFrame) -> pd.DataFrame:
    """The shared ``alternatives_weightings`` table (kind = scenario)."""
    out = totals.rename(columns={"scenario": "alternative"})
    out.insert(0, "kind", "scenario")
    out.insert(0, "study", "weightings")
    return out[["study", "alternative", "kind", "unit_id", "name", "sequence", "total",
                "rank", "tier"]].reset_index(drop=True)


@dataclass(frozen=True)
class Comparison:
    """Every table of a scenario comparison."""

    totals: pd.DataFrame
    shifts: pd.DataFrame
    kendall: pd.DataFrame
    summary: pd.DataFrame
    dependence: pd.DataFrame
    alternatives: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tables by the names the report saves them under."""
        return {"scenario_totals": self.totals, "scenario_shifts": self.shifts,
                "scenario_kendall": self.kendall, "scenario_summary": self.summary,
                "scenario_tier_dependence": self.dependence,
                "alternatives_weightings": self.alternatives}


def compare_scenarios(data: Dataset, scheme: Scheme, scenarios: list[Scenario],
                      year: int) -> Comparison:
    """Score the base and every scenario; all the comparison tables."""
    totals = scenario_totals(data, scheme, scenarios, year)
    tops = {BASE_NAME: scheme.tiers.labels[0]} | {
        s.name: s.scheme.tiers.labels[0] for s in scenarios}
    return Comparison(totals=totals, shifts=scenario_shifts(totals),
                      kendall=scenario_kendall(totals), summary=scenario_summary(totals, tops),
                      dependence=tier_dependence(totals), alternatives=alternatives_table(totals))


# --- vectorised weight draws ----------------------------------------------------------


def first_level_groups(scheme: Scheme) -> list[tuple[Component, Group | Indicator]]:
    """(component, child) for the children of every indicator component."""
    return [(c, ch) for c in scheme.components if c.source == "indicators"
            for ch in (c.children or [])]


def _leaf_owner(scheme: Scheme) -> dict[str, str]:
    """Leaf id -> id of the first-level node (group, or the leaf itself) it sits under."""
    out: dict[str, str] = {}

    def walk(node: Group | Indicator, owner: str) -> None:
        if isinstance(node, Indicator):
            out[node.id] = owner
        else:
            for ch in node.children:
                walk(ch, owner)

    for _, node in first_level_groups(scheme):
        walk(node, node.id)
    return out


def points_from_weights(scheme: Scheme, inp: ScoringInput, node_ids: list[str],
                        weights: np.ndarray) -> np.ndarray:
    """Leaf points (D, K) when first-level nodes ``node_ids`` get ``weights`` (D, G).

    Each node's leaves keep their shares inside it; the first-level nodes of a component are
    then rescaled to the component's points (so the total scale never changes). A weight of
    0 drops the node (``remove_groups``).
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    owner = _leaf_owner(scheme)
    first = {n.id: (c, n) for c, n in first_level_groups(scheme)}
    node_w = {nid: np.full(len(weights), float(first[nid][1].points)) for nid in first}
    for j, nid in enumerate(node_ids):
        node_w[nid] = weights[:, j]
    comp_sum: dict[str, np.ndarray] = {}
    for nid, (comp, _) in first.items():
        comp_sum[comp.id] = comp_sum.get(comp.id, 0.0) + node_w[nid]
    pts = np.empty((len(weights), len(inp.leaves)))
    for k, leaf in enumerate(inp.leaves):
        comp, node = first[owner[leaf.id]]
        share = leaf.points / node.points
        with np.errstate(divide="ignore", invalid="ignore"):
            pts[:, k] = share * node_w[node.id] * comp.points / comp_sum[comp.id]
    return pts


def _fixed_part(table: pd.DataFrame, scheme: Scheme, inp: ScoringInput) -> np.ndarray:
    """Ratings + bonus − penalty per unit (what weight draws do not change), in inp order."""
    t = table.set_index("unit_id").reindex(inp.unit_ids)
    rating = [c.id for c in scheme.components if c.source == "rating"]
    return (t[rating].sum(axis=1) + t["bonus"] - t["penalty"]).to_numpy(dtype=float)


def ranks_within(totals: np.ndarray, sequences: list[str]) -> np.ndarray:
    """Rank (1 = best, ties share the better place) within each sequence, over draws (D, N)."""
    totals = np.round(np.asarray(totals, dtype=float), 9)
    out = np.empty(totals.shape, dtype=float)
    seq = np.asarray(sequences)
    for s in dict.fromkeys(sequences):
        cols = np.flatnonzero(seq == s)
        out[..., cols] = stats.rankdata(-totals[..., cols], method="min", axis=-1)
    return out


@dataclass(frozen=True)
class Factor:
    """One Sobol factor: a first-level weight (continuous), α (continuous) or a method
    choice (discrete: the sample's u in [0, 1) picks one of ``choices``)."""

    id: str
    label: str
    kind: str  # weight | alpha | method
    low: float = 0.0
    high: float = 1.0
    choices: tuple[str, ...] = ()

    def values(self, u: np.ndarray) -> np.ndarray:
        """Map uniform [0, 1] samples to this factor's values (choice indices if discrete)."""
        if self.kind == "method":
            return np.minimum((u * len(self.choices)).astype(int), len(self.choices) - 1)
        return self.low + u * (self.high - self.low)


RELATIVE_METHODS = ("efficacy", "minmax")
METHOD_NAMES = {"efficacy": "功效系数法", "minmax": "极差标准化"}


def compares_units(leaf: Indicator, methods: tuple[str, ...] = RELATIVE_METHODS) -> bool:
    """A leaf whose method can be swapped among ``methods``: one of them, comparing the
    units (efficacy with fixed 满意值/不允许值 bounds does not, and has no min–max form)."""
    return leaf.method in methods and leaf.satisfactory is None and leaf.allowed is None


def default_factors(scheme: Scheme, weight_range: float = 0.25,
                    alpha_range: tuple[float, float] = (0.0, 1.0),
                    methods: tuple[str, ...] = RELATIVE_METHODS) -> list[Factor]:
    """First-level weights ±``weight_range`` around their points; the blend α over
    ``alpha_range`` when some indicator blends level and growth; the relative method
    (功效系数法 vs 极差标准化) when some indicator uses one of them."""
    if not 0 <= weight_range < 1:
        raise SchemeError(f"weight_range must lie in [0, 1); got {weight_range}")
    out = [Factor(n.id, f"{n.name}权重", "weight", n.points * (1 - weight_range),
                  n.points * (1 + weight_range)) for _, n in first_level_groups(scheme)]
    leaves = scheme.indicators()
    if any(leaf.blend is not None for leaf in leaves) and alpha_range[1] > alpha_range[0]:
        out.append(Factor("alpha", "增量与增速权重α", "alpha", *alpha_range))
    if len(methods) > 1 and any(compares_units(leaf, methods) for leaf in leaves):
        out.append(Factor("method", "计分方法", "method", choices=tuple(methods)))
    return out


@dataclass(frozen=True)
class _Engine:
    """Fractions for every method choice at α = 1 and α = 0 (α enters linearly)."""

    inp: ScoringInput
    scheme: Scheme
    f1: list[np.ndarray]  # per method choice, (N, K) at α = 1 (own basis only)
    f0: list[np.ndarray]  # at α = 0 (the blend basis only); equal to f1 for plain leaves
    fixed: np.ndarray  # (N,) ratings + bonus − penalty
    base_total: np.ndarray  # (N,)
    absolute: np.ndarray  # leaf indices whose loss is in points (rank_points, deduction)
    loss1: np.ndarray  # (N, A) points lost on the own basis (step·(place−1), per_event·count)
    loss0: np.ndarray  # (N, A) the same on the blend basis


def _engine(data: Dataset, scheme: Scheme, year: int, methods: tuple[str, ...]) -> _Engine:
    leaves = scheme.indicators()
    relative = [leaf.id for leaf in leaves if compares_units(leaf)]
    blended = [leaf for leaf in leaves if leaf.blend is not None]
    table = score(data, scheme, year)
    inp = prepare(data, scheme, year)
    f1, f0 = [], []
    for m in methods or ("",):
        nodes: dict[str, dict[str, object]] = {i: {"method": m} for i in relative} if m else {}
        variants = []
        for alpha in (1.0, 0.0):
            # only α changes: the blend keeps its basis and its own target rule
            change = {b.id: {"blend": {**b.blend.model_dump(mode="python", exclude_none=True),  # type: ignore[union-attr]
                                       "alpha": alpha}} for b in blended}
            merged = {k: {**nodes.get(k, {}), **change.get(k, {})} for k in {*nodes, *change}}
            sch = with_overrides(scheme, nodes=merged) if merged else scheme
            variants.append(leaf_fractions(prepare(data, sch, year, check=False)))
        f1.append(variants[0])
        f0.append(variants[1])
    fixed = _fixed_part(table, scheme, inp)
    base_total = table.set_index("unit_id").reindex(inp.unit_ids)["total"].to_numpy(float)
    absolute = np.array([k for k, leaf in enumerate(inp.leaves)
                         if leaf.method in ABSOLUTE_METHODS], dtype=int)
    losses = [np.column_stack([_loss(inp, k, basis) for k in absolute])
              if len(absolute) else np.empty((len(inp.unit_ids), 0)) for basis in (1, 0)]
    return _Engine(inp, scheme, f1, f0, fixed, base_total, absolute, *losses)


#: Methods whose parameters are in points (a step per place, points per event): when a
#: leaf's points change the points lost stay, so the fraction earned does not.
ABSOLUTE_METHODS = ("rank_points", "deduction")


def _loss(inp: ScoringInput, k: int, own: int) -> np.ndarray:
    """Points leaf k loses per unit on its own basis (``own`` 1) or its blend basis (0)."""
    leaf = inp.leaves[k]
    if leaf.method == "deduction":
        return (leaf.per_event or 0.0) * inp.level[:, k]
    basis = leaf.basis if own or leaf.blend is None else leaf.blend.basis
    x = (blend_values(inp, k) if not own and leaf.blend is not None  # an official rate too
         else methods.basis_values(inp.level[:, k], inp.previous[:, k], basis))
    place = methods.places(x, inp.groups[k], reverse=leaf.direction == "negative")
    return (leaf.step or 0.0) * (place - 1.0)


def draw_totals(eng: _Engine, factors: list[Factor], u: np.ndarray,
                chunk: int = 2048) -> np.ndarray:
    """Totals (D, N) for uniform samples ``u`` (D, F) of ``factors``, all draws at once
    (in chunks): leaf points are the drawn weights spread over the leaves, α mixes the two
    precomputed fraction arrays (a leaf keeps its own α when α is not a factor), the method
    choice picks one pair of them."""
    u = np.atleast_2d(u)
    d = len(u)
    kind = {f.kind: j for j, f in enumerate(factors)}
    wf = [j for j, f in enumerate(factors) if f.kind == "weight"]
    wvals = np.column_stack([factors[j].values(u[:, j]) for j in wf]) if wf else np.empty((d, 0))
    pts = points_from_weights(eng.scheme, eng.inp, [factors[j].id for j in wf], wvals)
    own_alpha = np.array([leaf.blend.alpha if leaf.blend is not None else 1.0
                          for leaf in eng.inp.leaves])
    blended = np.array([leaf.blend is not None for leaf in eng.inp.leaves])
    alpha = (factors[kind["alpha"]].values(u[:, kind["alpha"]]) if "alpha" in kind else None)
    choice = (factors[kind["method"]].values(u[:, kind["method"]]) if "method" in kind
              else np.zeros(d, dtype=int))
    out = np.empty((d, len(eng.inp.unit_ids)))
    for m in range(len(eng.f1)):
        f1, f0 = eng.f1[m], eng.f0[m]
        idx = np.flatnonzero(choice == m)
        for start in range(0, len(idx), chunk):
            sel = idx[start:start + chunk]
            if alpha is None:
                frac = np.broadcast_to(f0 + own_alpha * (f1 - f0), (len(sel), *f1.shape))
            else:
                frac = f0[None] + alpha[sel, None, None] * (f1 - f0)[None]
            if alpha is None:
                leaf_alpha = own_alpha
            else:
                leaf_alpha = np.where(blended, alpha[sel, None], 1.0)
            comps = _components(eng, np.array(frac), pts[sel], leaf_alpha)
            out[sel] = comps.sum(axis=-1) + eng.fixed
    return out


def _components(eng: _Engine, frac: np.ndarray, pts: np.ndarray,
                leaf_alpha: np.ndarray) -> np.ndarray:
    """Indicator components (D, N, C) for fractions (D, N, K), points (D, K) and each leaf's
    α ((D, K) or (K,); 1 for plain leaves), capped like ``component_scores``. Rank-points and
    deduction leaves earn α·max(points − loss₁, 0) + (1 − α)·max(points − loss₀, 0): their
    steps are in points, so a leaf with other points keeps the points it loses."""
    inp = eng.inp
    earned = frac * pts[:, None, :]
    a = eng.absolute
    if len(a):
        w1 = np.broadcast_to(leaf_alpha, pts.shape)[:, None, a]
        p = pts[:, None, a]
        earned[..., a] = (w1 * np.maximum(p - eng.loss1[None], 0.0)
                          + (1.0 - w1) * np.maximum(p - eng.loss0[None], 0.0))
    onehot = np.zeros((len(inp.leaves), len(inp.indicator_components)))
    onehot[np.arange(len(inp.leaves)), inp.leaf_component] = 1.0
    comps = earned @ onehot
    cap = pts @ onehot
    for j, cid in enumerate(inp.indicator_components):
        if eng.scheme.component(cid).clip:
            comps[..., j] = np.minimum(comps[..., j], cap[:, None, j])
    return comps


def sobol_indices(y: np.ndarray, n_factors: int, names: list[str], *, resamples: int = 100,
                  conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Sobol S1/ST (Jansen/Saltelli estimators of SALib) with bootstrap intervals for one
    output ``y`` of a Saltelli design (first order only: N·(F+2) rows)."""
    from SALib.analyze import sobol as sobol_analyze

    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0:  # the output never moves: no factor matters
        zeros = np.zeros(n_factors)
        return pd.DataFrame({"parameter": names, "S1": zeros, "S1_conf": zeros, "ST": zeros,
                             "ST_conf": zeros})
    problem = {"num_vars": n_factors, "names": names, "bounds": [[0.0, 1.0]] * n_factors}
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=resamples,
                                conf_level=conf_level, seed=seed)
    return pd.DataFrame({"parameter": names, "S1": res["S1"], "S1_conf": res["S1_conf"],
                         "ST": res["ST"], "ST_conf": res["ST_conf"]})


def sobol_many(y: np.ndarray, n_factors: int, *, resamples: int = 100,
               conf_level: float = 0.95, seed: int = 0,
               chunk_cells: int = 8_000_000) -> dict[str, np.ndarray]:
    """Sobol S1/ST with bootstrap intervals for many outputs at once: ``y`` is (D, T), the
    T outputs of one Saltelli design (first order: D = N·(F+2)). Each array is (T, F).

    The same estimators as SALib's ``sobol.analyze`` (Saltelli 2010 first order, Jansen
    total; each output standardised first; bootstrap resamples drawn as SALib does from
    ``seed``), so the figures equal SALib's, but vectorised over outputs and resamples
    instead of one call per output.
    """
    from scipy.stats import norm

    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    step = n_factors + 2
    n = y.shape[0] // step
    if n * step != y.shape[0]:
        raise ValueError(f"{y.shape[0]} rows is not N·(F+2) for F = {n_factors}")
    sd = y.std(axis=0)
    moving = sd > 0
    z = np.where(moving, (y - y.mean(axis=0)) / np.where(moving, sd, 1.0), 0.0)
    a, b = z[0::step], z[step - 1::step]
    r = np.random.default_rng(seed).integers(n, size=(n, resamples))
    zq = norm.ppf(0.5 + conf_level / 2)
    t = y.shape[1]
    out = {k: np.zeros((t, n_factors)) for k in ("S1", "S1_conf", "ST", "ST_conf")}

    def first(a_: np.ndarray, ab: np.ndarray, b_: np.ndarray, var: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(var > 0, np.mean(b_ * (ab - a_), axis=0) / var, 0.0)

    def total(a_: np.ndarray, ab: np.ndarray, var: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(var > 0, 0.5 * np.mean((a_ - ab) ** 2, axis=0) / var, 0.0)

    width = max(1, chunk_cells // max(1, n * resamples))
    for lo in range(0, t, width):
        cols = slice(lo, lo + width)
        ac, bc = a[:, cols], b[:, cols]
        var = np.var(np.r_[ac, bc], axis=0)
        ar, br = ac[r], bc[r]  # (N, R, Tc)
        var_r = np.var(np.concatenate([ar, br], axis=0), axis=0)
        for j in range(n_factors):
            ab = z[j + 1::step, cols]
            abr = ab[r]
            out["S1"][cols, j] = first(ac, ab, bc, var)
            out["ST"][cols, j] = total(ac, ab, var)
            out["S1_conf"][cols, j] = zq * first(ar, abr, br, var_r).std(axis=0, ddof=1)
            out["ST_conf"][cols, j] = zq * total(ar, abr, var_r).std(axis=0, ddof=1)
    for arr in out.values():
        arr[~moving] = 0.0
    return out


def saltelli_design(n_factors: int, n: int, seed: int) -> np.ndarray:
    """Saltelli/Sobol' sample on [0, 1]^F (first order: N·(F+2) rows); N a power of 2."""
    from SALib.sample import sobol as sobol_sample

    if n < 2 or n & (n - 1):
        raise SchemeError(f"Sobol base samples must be a power of 2 (e.g. 1024); got {n}")
    problem = {"num_vars": n_factors, "names": [f"x{i}" for i in range(n_factors)],
               "bounds": [[0.0, 1.0]] * n_factors}
    return sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)


@dataclass(frozen=True)
class Sensitivity:
    """Sobol indices (long table), the factors and the sample's ranks."""

    sobol: pd.DataFrame
    factors: list[Factor]
    samples: np.ndarray  # (D, F) uniform design
    ranks: np.ndarray  # (D, N)
    unit_ids: list[str]
    base_rank: np.ndarray


def weight_sensitivity(data: Dataset, scheme: Scheme, year: int, *, n: int = 1024,
                       weight_range: float = 0.25,
                       alpha_range: tuple[float, float] = (0.0, 1.0),
                       methods: tuple[str, ...] = RELATIVE_METHODS, seed: int = 0,
                       resamples: int = 100) -> Sensitivity:
    """Sobol indices of each unit's rank and of the mean absolute rank shift (COINr's
    target) to the first-level weights, α and the relative method.

    Columns of ``sobol``: target (unit name or 平均绝对名次变化), unit_id (empty for the
    shift), parameter (Chinese factor label), factor, S1, S1_conf, ST, ST_conf.
    """
    factors = default_factors(scheme, weight_range, alpha_range, methods)
    if not factors:
        raise SchemeError("nothing to vary: the scheme has no first-level groups, no blended "
                          "indicator and no relative method (efficacy/minmax)")
    used_methods = next((f.choices for f in factors if f.kind == "method"), ())
    eng = _engine(data, scheme, year, used_methods)
    u = saltelli_design(len(factors), n, seed)
    totals = draw_totals(eng, factors, u)
    ranks = ranks_within(totals, eng.inp.sequences)
    base_rank = ranks_within(eng.base_total[None], eng.inp.sequences)[0]
    labels = [f.label for f in factors]
    shift = np.abs(ranks - base_rank).mean(axis=1)
    targets = [("", SHIFT_TARGET)] + list(zip(eng.inp.unit_ids, eng.inp.names, strict=True))
    res = sobol_many(np.column_stack([shift, ranks]), len(factors), resamples=resamples,
                     seed=seed)
    parts = []
    for i, (tid, target) in enumerate(targets):
        parts.append(pd.DataFrame({
            "target": target, "unit_id": tid, "factor": [f.id for f in factors],
            "parameter": labels, **{k: v[i] for k, v in res.items()}}))
    sob = pd.concat(parts, ignore_index=True)
    cols = ["target", "parameter", "S1", "S1_conf", "ST", "ST_conf", "unit_id", "factor"]
    return Sensitivity(sob[cols], factors, u, ranks, eng.inp.unit_ids, base_rank)


def remove_groups(data: Dataset, scheme: Scheme, year: int) -> pd.DataFrame:
    """COINr ``remove_elements``: drop each first-level group in turn (the others rescaled
    to keep the component's points) and report the rank change against the base.

    Columns: group, name, mean_abs_rank_change, max_abs_rank_change, n_tier_changes.
    """
    eng = _engine(data, scheme, year, ())
    first = first_level_groups(scheme)
    table = score(data, scheme, year)
    events = data.events.loc[data.events["year"] == year]
    base = assign_tiers(table, scheme, events).set_index("unit_id")
    base_rank = ranks_within(eng.base_total[None], eng.inp.sequences)[0]
    rows = []
    own_alpha = np.array([leaf.blend.alpha if leaf.blend is not None else 1.0
                          for leaf in eng.inp.leaves])
    frac = eng.f0[0] + own_alpha * (eng.f1[0] - eng.f0[0])
    for comp, node in first:
        if sum(1 for c, _ in first if c.id == comp.id) < 2:
            continue  # the only child of its component cannot be dropped
        w = np.array([[0.0]])
        pts = points_from_weights(scheme, eng.inp, [node.id], w)
        comps = _components(eng, frac[None], pts, own_alpha)[0]
        totals = comps.sum(axis=-1) + eng.fixed
        ranks = ranks_within(totals[None], eng.inp.sequences)[0]
        alt = table.set_index("unit_id").reindex(eng.inp.unit_ids).copy()
        for j, cid in enumerate(eng.inp.indicator_components):
            alt[cid] = comps[:, j]
        alt["total"] = totals
        tiers = assign_tiers(alt.reset_index(), scheme, events).set_index("unit_id")
        changed = int((tiers["tier"] != base["tier"].reindex(tiers.index)).sum())
        diff = np.abs(ranks - base_rank)
        rows.append({"group": node.id, "name": node.name,
                     "mean_abs_rank_change": float(diff.mean()),
                     "max_abs_rank_change": int(diff.max()), "n_tier_changes": changed})
    return pd.DataFrame(rows, columns=["group", "name", "mean_abs_rank_change",
                                       "max_abs_rank_change", "n_tier_changes"])


def scenario_overview(scenarios: list[Scenario]) -> pd.DataFrame:
    """One row per scenario: its label, what it changes (its note) and its source."""
    return pd.DataFrame([{"scenario": s.name, "scenario_id": s.id, "note": s.note or "",
                          "source": s.spec.source or ""} for s in scenarios],
                        columns=["scenario", "scenario_id", "note", "source"])
