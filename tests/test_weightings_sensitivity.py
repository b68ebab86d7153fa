"""Global sensitivity: Sobol indices (analytic case), the vectorised weight-draw engine
against ordinary scoring, group removal, and the COINr-style composite analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfanalysis as pa
from perfanalysis.composite.build import CoinData
from perfanalysis.composite.sensitivity import (
    VIGNETTE_NORMALISATIONS,
    aggregate_draws,
    composite_sensitivity,
    noisy_weights,
    remove_elements,
)
from perfanalysis.composite.spec import AggregateLevel
from perfanalysis.composite.tree import Hierarchy, TreeNode
from perfanalysis.errors import PipelineError
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.studies import weightings as wt

from .helpers import reference_dir, write_dataset

YIYANG = SCHEMES_DIR / "yiyang_2018.yaml"


def test_sobol_recovers_the_variance_shares_of_a_linear_function() -> None:
    # Y = X1 + 2·X2 + 0·X3, X ~ U(0, 1): Var = (1 + 4)/12, so S1 = ST = (0.2, 0.8, 0)
    u = wt.saltelli_design(3, 4096, seed=1)
    y = u[:, 0] + 2 * u[:, 1]
    res = wt.sobol_indices(y, 3, ["x1", "x2", "x3"], seed=1).set_index("parameter")
    for name, true in (("x1", 0.2), ("x2", 0.8), ("x3", 0.0)):
        assert abs(res.at[name, "S1"] - true) <= res.at[name, "S1_conf"] + 0.01
        assert abs(res.at[name, "ST"] - true) <= res.at[name, "ST_conf"] + 0.01
    with pytest.raises(pa.SchemeError, match="power of 2"):
        wt.saltelli_design(3, 1000, seed=1)


def test_ranks_within_sequences_share_the_better_place() -> None:
    totals = np.array([[5.0, 7.0, 7.0, 1.0, 3.0, 9.0]])
    seqs = ["a", "a", "a", "a", "b", "b"]
    assert wt.ranks_within(totals, seqs).tolist() == [[3, 1, 1, 4, 2, 1]]


@pytest.fixture(scope="module")
def yiyang() -> tuple[pa.Dataset, pa.Scheme]:
    return pa.load_data(SAMPLE_DIR / "yiyang"), pa.load_scheme(YIYANG)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6))
def test_weight_draws_equal_scoring_the_overridden_scheme(u: list[float]) -> None:
    data, scheme = pa.load_data(SAMPLE_DIR / "yiyang"), pa.load_scheme(YIYANG)
    factors = wt.default_factors(scheme, weight_range=0.4)
    assert [f.kind for f in factors] == ["weight"] * 4 + ["alpha", "method"]
    eng = wt._engine(data, scheme, 2019, ("efficacy", "minmax"))
    got = wt.draw_totals(eng, factors, np.array([u]))[0]
    weights = {f.id: float(f.values(np.array([x]))[0]) for f, x in zip(factors[:4], u[:4],
                                                                       strict=True)}
    alpha = float(factors[4].values(np.array([u[4]]))[0])
    method = factors[5].choices[int(factors[5].values(np.array([u[5]]))[0])]
    nodes: dict[str, dict[str, object]] = {}
    for leaf in scheme.indicators():
        if leaf.blend is not None:
            nodes[leaf.id] = {"blend": {**leaf.blend.model_dump(exclude_none=True),
                                        "alpha": alpha}}
        if leaf.method in ("efficacy", "minmax"):
            nodes.setdefault(leaf.id, {})["method"] = method
    other = pa.with_overrides(scheme, points=weights, nodes=nodes, renormalise=True)
    expected = pa.score(data, other, 2019).set_index("unit_id")["total"]
    np.testing.assert_allclose(got, expected.reindex(eng.inp.unit_ids).to_numpy(), atol=1e-9)


def _two_groups(tmp_path: Path) -> tuple[pa.Dataset, pa.Scheme]:
    """甲 乙 丙 丁 on x1 (group g1, 50 points) and x2 (g2, 50 points), efficacy, range 0–10."""
    units = [{"unit_id": u, "name": n, "sequence": "all"}
             for u, n in [("a", "甲"), ("b", "乙"), ("c", "丙"), ("d", "丁")]]
    vals = {"a": (10, 10), "b": (8, 5), "c": (5, 7), "d": (0, 0)}
    obs = [{"unit_id": u, "year": 2020, "indicator": k, "value": v[j]}
           for u, v in vals.items() for j, k in enumerate(("x1", "x2"))]
    folder = write_dataset(tmp_path / "two", {"units": units, "observations": obs})
    leaf = {"method": "efficacy", "points": 50}
    scheme = pa.scheme_from_mapping({
        "id": "two", "name": "两组", "sequences": {"all": "全部"},
        "components": [{"id": "indicators", "name": "指标", "points": 100,
                        "source": "indicators", "children": [
                            {"id": "g1", "name": "一组", "points": 50,
                             "children": [{"id": "x1", "name": "甲指标", **leaf}]},
                            {"id": "g2", "name": "二组", "points": 50,
                             "children": [{"id": "x2", "name": "乙指标", **leaf}]}]}],
        "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "不达标"],
                  "quota": [{"top": 1}], "thresholds": [{"label": "达标", "min_total": 50}]}})
    return pa.load_data(folder), scheme


def test_method_choice_that_keeps_the_order_has_zero_indices(tmp_path: Path) -> None:
    data, scheme = _two_groups(tmp_path)
    res = pa.weight_sensitivity(data, scheme, 2020, n=256, weight_range=0.5, seed=3)
    s = res.sobol.set_index(["target", "factor"])
    # efficacy = 0.6 + 0.4·minmax on every indicator, so a total under efficacy is
    # 0.6·Σw + 0.4·(the min-max total): the same order, the method never moves a rank
    for target in ("乙", "丙", wt.SHIFT_TARGET):
        assert s.at[(target, "method"), "S1"] == 0 and s.at[(target, "method"), "ST"] == 0
    # 乙 (x1 8, x2 5) and 丙 (5, 7) swap when w1/w2 < 2/3 : the weights drive their ranks
    assert s.at[("乙", "g1"), "ST"] > 0.2 and s.at[("丙", "g2"), "ST"] > 0.2
    # 甲 is first and 丁 last under every weighting: no variance, indices 0
    assert (s.loc["甲", "ST"] == 0).all() and (s.loc["丁", "S1"] == 0).all()
    assert set(np.unique(res.ranks[:, [res.unit_ids.index("b")]])) == {2.0, 3.0}


def test_remove_groups_by_hand(tmp_path: Path) -> None:
    data, scheme = _two_groups(tmp_path)
    rm = pa.remove_groups(data, scheme, 2020).set_index("group")
    # efficacy fractions: 甲 (1, 1), 乙 (0.92, 0.8), 丙 (0.8, 0.88), 丁 (0.6, 0.6)
    # base totals 100, 86, 84, 60 → 甲 乙 丙 丁; without g1: 100 × x2 fraction: 100, 80, 88, 60
    # → 甲 丙 乙 丁: |Δrank| = 0, 1, 1, 0 → mean 0.5; without g2: 100, 92, 80, 60 → no change
    assert rm.at["g1", "mean_abs_rank_change"] == pytest.approx(0.5)
    assert rm.at["g1", "max_abs_rank_change"] == 1
    assert rm.at["g2", "mean_abs_rank_change"] == 0
    assert (rm["n_tier_changes"] == 0).all()  # all stay ≥ 50 and 甲 keeps the quota place


# --- composite ------------------------------------------------------------------------


def _mini_tree() -> Hierarchy:
    return Hierarchy((TreeNode("idx", None), TreeNode("P1", "idx", 1.0),
                      TreeNode("P2", "idx", 1.0), TreeNode("i1", "P1", 1.0),
                      TreeNode("i2", "P1", 3.0), TreeNode("i3", "P2", 1.0)))


def test_aggregate_draws_by_hand() -> None:
    tree = _mini_tree()
    x = np.array([[1.0, 3.0, 2.0], [4.0, np.nan, 8.0]])
    w = np.array([[1, 1, 1, 1, 3, 1], [1, 1, 3, 1, 3, 1]], dtype=float)
    y = aggregate_draws(x, tree, w, AggregateLevel())
    # unit 1: P1 = (1·1 + 3·3)/4 = 2.5, P2 = 2; draw 1: (2.5 + 2)/2 = 2.25; draw 2 (P2 ×3):
    # (2.5 + 3·2)/4 = 2.125. unit 2: P1 = 4 (i2 missing), P2 = 8: 6 and (4 + 24)/4 = 7
    np.testing.assert_allclose(y, [[2.25, 6.0], [2.125, 7.0]])
    g = aggregate_draws(x, tree, w[:1], AggregateLevel(method="geometric"))
    # unit 1: P1 = exp((log 1 + 3 log 3)/4) = 3^0.75, index = sqrt(3^0.75 · 2)
    assert g[0, 0] == pytest.approx(np.sqrt(3 ** 0.75 * 2))
    with pytest.raises(PipelineError, match="zero or negative"):
        aggregate_draws(x - 5, tree, w, AggregateLevel(method="geometric"))


def test_noisy_weights_stay_in_their_band() -> None:
    tree = _mini_tree()
    w = noisy_weights(tree, {2: 0.25}, 500, np.random.default_rng(0))
    nominal = np.array([n.weight for n in tree.nodes])
    level2 = [i for i, n in enumerate(tree.nodes) if tree.height(n.code) == 2]
    other = [i for i in range(len(nominal)) if i not in level2]
    assert np.all(np.abs(w[:, level2] / nominal[level2] - 1) <= 0.25)
    assert np.all(w[:, other] == nominal[other])


def _mini_coin() -> CoinData:
    rng = np.random.default_rng(5)
    values = pd.DataFrame(rng.lognormal(0, 1, (12, 3)), columns=["i1", "i2", "i3"],
                          index=[f"u{i:02d}" for i in range(12)])
    return CoinData(values=values, tree=_mini_tree())


def test_remove_elements_by_hand() -> None:
    tree = _mini_tree()
    values = pd.DataFrame({"i1": [0.0, 10.0, 5.0], "i2": [10.0, 0.0, 5.0],
                           "i3": [0.0, 10.0, 4.0]}, index=["p", "q", "r"])
    recipe = pa.Recipe.from_list([{"step": "normalise", "method": "minmax", "lower": 0,
                                   "upper": 10}, {"step": "aggregate"}])
    rm = remove_elements(CoinData(values=values, tree=tree), recipe, level=2).set_index("removed")
    # normalised = raw (0–10 already); P1 = (i1 + 3·i2)/4: p 7.5, q 2.5, r 5; P2 = i3: 0, 10, 4
    # index (P1 + P2)/2: p 3.75, q 6.25, r 4.5 → q 1, r 2, p 3
    # without P1 (index = P2): q 1, r 2, p 3 → no change; without P2: p 1, r 2, q 3 → 2, 0, 2
    assert rm.at["P2", "mean_abs_rank_change"] == pytest.approx(4 / 3)
    assert rm.at["P2", "max_abs_rank_change"] == 2
    assert rm.at["P1", "mean_abs_rank_change"] == 0


def test_composite_uncertainty_outputs_like_coinr() -> None:
    data = _mini_coin()
    recipe = pa.Recipe.from_list([{"step": "treat"}, {"step": "normalise"},
                                  {"step": "aggregate"}])
    res = composite_sensitivity(data, recipe, n=400, weight_noise={2: 0.25},
                                normalisations=VIGNETTE_NORMALISATIONS,
                                aggregations=["arithmetic", "geometric"], winmax=[1, 3, 5],
                                seed=2)
    nominal = pa.run_build(data, recipe).aggregated["idx"]
    pd.testing.assert_series_equal(res.nominal, nominal.reindex(res.nominal.index),
                                   check_names=False)
    assert res.scores.shape == (400, 12) and res.ranks.shape == (400, 12)
    assert res.ranks.min().min() >= 1 and res.ranks.max().max() <= 12
    st_ = res.rank_stats
    assert (st_["q05"] <= st_["median"]).all() and (st_["median"] <= st_["q95"]).all()
    assert list(res.parameters.columns) == ["run", "weights", "normalisation", "aggregation",
                                            "winmax"]
    assert set(res.parameters["aggregation"]) == {"arithmetic", "geometric"}
    assert res.sobol.empty and set(res.timings) == {"builds", "replications", "total"}
    # one replication rebuilt the ordinary way gives the same scores
    run = res.parameters.iloc[7]
    norm = next(n for n in VIGNETTE_NORMALISATIONS if run["normalisation"].startswith(n["method"]))
    rec = (recipe.with_step("treat", winmax=int(run["winmax"])).with_step("normalise", **norm)
           .with_step("aggregate", method=run["aggregation"]))
    tree = data.tree.with_weights(res.weights.iloc[7].to_dict())
    rebuilt = pa.run_build(CoinData(values=data.values, tree=tree), rec).aggregated["idx"]
    np.testing.assert_allclose(res.scores.iloc[7].to_numpy(),
                               rebuilt.reindex(res.scores.columns).to_numpy(), rtol=1e-10)
    sa = composite_sensitivity(data, recipe, n=64, weight_noise={2: 0.25},
                               normalisations=VIGNETTE_NORMALISATIONS,
                               aggregations=["arithmetic", "geometric"], kind="SA", seed=2,
                               n_weight_sets=50)
    assert list(sa.sobol["parameter"]) == ["weights", "normalisation", "aggregation"]
    assert len(sa.scores) == 64 * (3 + 2)
    assert {"Si", "Si_conf", "STi", "STi_conf"} <= set(sa.sobol.columns)


def test_asem_vignette_design_runs_and_matches_the_nominal_build() -> None:
    ref = reference_dir()
    if ref is None or not (ref / "asem" / "ASEM_iData.csv").exists():
        pytest.skip("reference data folder shared/reference-data/asem not found")
    import tempfile

    from perfanalysis.composite.coin import coin_data

    with tempfile.TemporaryDirectory() as tmp:
        units, obs, sch = pa.from_coin_tables(ref / "asem" / "ASEM_iData.csv",
                                              ref / "asem" / "ASEM_iMeta.csv")
        folder = pa.write_coin_import(units, obs, sch, Path(tmp) / "asem")
        data = coin_data(pa.load_data(folder), pa.load_scheme(folder / "scheme.yaml"), 2018)
    recipe = pa.Recipe.from_list([
        {"step": "denominate"}, {"step": "impute", "method": "group_mean",
                                 "group": "EurAsia_group"},
        {"step": "screen", "min_share": 0.9}, {"step": "treat", "winmax": 5},
        {"step": "normalise", "method": "minmax", "lower": 0, "upper": 100},
        {"step": "aggregate"}])
    res = composite_sensitivity(data, recipe, n=300, weight_noise={2: 0.25, 3: 0.25},
                                normalisations=VIGNETTE_NORMALISATIONS,
                                aggregations=["arithmetic", "geometric"],
                                winmax=[1, 2, 3, 4, 5], seed=1)
    built = pa.run_build(data, recipe).aggregated["Index"]
    np.testing.assert_allclose(res.nominal.to_numpy(), built.reindex(res.nominal.index),
                               rtol=1e-12)
    assert len(res.rank_stats) == len(built)
    top = res.rank_stats.iloc[0]
    assert top["nominal"] == 1 and top["q95"] <= 3  # the leader stays near the top
    rm = remove_elements(data, recipe, level=2)
    assert len(rm) == 8 and (rm["mean_abs_rank_change"] > 0).all()


def test_vectorised_sobol_equals_salib() -> None:
    u = wt.saltelli_design(3, 512, seed=4)
    ys = np.column_stack([u[:, 0] + 2 * u[:, 1] ** 2, np.sin(6 * u[:, 2]) + u[:, 0] * u[:, 1],
                          np.full(len(u), 7.0)])
    many = wt.sobol_many(ys, 3, resamples=50, seed=9)
    for t in range(2):
        one = wt.sobol_indices(ys[:, t], 3, ["a", "b", "c"], resamples=50, seed=9)
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            np.testing.assert_allclose(many[key][t], one[key].to_numpy(), atol=1e-10)
    assert (many["ST"][2] == 0).all() and (many["S1_conf"][2] == 0).all()  # constant output
