"""Study 3 (tier boundaries): Monte Carlo tier probabilities, chunks and seeds, adaptive
stopping, threshold/quota sensitivity and reward cost."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from perfanalysis import assign_tiers, load_data, load_scheme, scheme_from_mapping, score
from perfanalysis.paths import PROJ_ROOT, SCHEMES_DIR
from perfanalysis.studies import boundaries as b

from .helpers import write_dataset

SAMPLES = PROJ_ROOT / "data" / "sample"


def _rating_case(tmp_path, ratings: list[float], quota: int = 1, thresholds=(76.0, 66.0)):
    """One sequence of units scored by a 99-point rating component plus 1 point every unit
    passes (pass_fail on x = 1 ≥ 0), so totals are the ratings + 1."""
    ids = [f"u{i}" for i in range(len(ratings))]
    write_dataset(tmp_path, {
        "units": [{"unit_id": u, "name": f"单位{i}", "sequence": "s"} for i, u in enumerate(ids)],
        "observations": [{"unit_id": u, "year": 2020, "indicator": "x", "value": 1.0}
                         for u in ids],
        "ratings": [{"unit_id": u, "year": 2020, "component": "r", "score": v}
                    for u, v in zip(ids, ratings, strict=True)]})
    scheme = scheme_from_mapping({
        "id": "t", "name": "t", "sequences": {"s": "甲"},
        "components": [{"id": "r", "name": "评议", "points": 99, "source": "rating"},
                       {"id": "i", "name": "指标", "points": 1, "source": "indicators",
                        "children": [{"id": "x", "name": "x", "points": 1,
                                      "method": "pass_fail", "threshold": 0}]}],
        "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "基本达标", "不达标"],
                  "quota": [{"top": quota}],
                  "thresholds": [{"label": "达标", "min_total": thresholds[0]},
                                 {"label": "基本达标", "min_total": thresholds[1]}]}})
    return load_data(tmp_path), scheme


@pytest.mark.parametrize("sample, preset, year", [("yiyang", "yiyang_2018", 2019),
                                                  ("yiyang", "changsha_forced", 2019),
                                                  ("heshan", "heshan_2013", 2013)])
def test_zero_noise_gives_the_official_tiers(sample, preset, year):
    data = load_data(SAMPLES / sample)
    scheme = load_scheme(SCHEMES_DIR / f"{preset}.yaml")
    probs = b.tier_probabilities(data, scheme, year, draws=50, seed=3)
    official = assign_tiers(score(data, scheme, year), scheme,
                            data.events.loc[data.events["year"] == year]).set_index("unit_id")
    probs = probs.set_index("unit_id")
    assert (probs["official_tier"] == official.loc[probs.index, "tier"]).all()
    assert (probs["p_official"] == 1.0).all()
    cols = [f"p_{lab}" for lab in scheme.tiers.labels]
    assert set(np.unique(probs[cols].to_numpy())) <= {0.0, 1.0}
    summary = probs.attrs["summary"].iloc[0]
    assert summary["expected_changes"] == 0 and summary["p_top_set_exact"] == 1.0


def test_two_units_match_normal_theory_and_fall_with_noise(tmp_path):
    # A rated 60, B rated 50 (+1 each), quota 1. With a standard error s (points) on the
    # ratings, centred and folded into [0, 99] (the fold binds only beyond 39/s deviations:
    # P < 10⁻⁶ here), A − B ~ N(10, 2s²), so P(A 优秀) = Φ(10 / (s·√2)): s = 5 → Φ(1.4142)
    # = 0.9214; x = 1 is exact
    from perfanalysis.engine.errormodel import ErrorModel, ErrorSpec
    data, scheme = _rating_case(tmp_path, [60.0, 50.0])
    p_prev = 1.0
    for s in (2.0, 5.0, 8.0, 10.0):
        model = ErrorModel((ErrorSpec("x", "none", 0.0), ErrorSpec("r", "se", s, 0.0, "ar1",
                                                                    0.0, 99.0, "rating")))
        probs = b.tier_probabilities(data, scheme, 2020, noise=model, draws=20_000, seed=1)
        p = float(probs.set_index("unit_id").loc["u0", "p_优秀"])
        want = 0.5 * (1 + math.erf(10 / (s * math.sqrt(2)) / math.sqrt(2)))
        assert abs(p - want) < 4 * math.sqrt(want * (1 - want) / 20_000) + 1e-3, (s, p, want)
        # the reported standard error is √(p(1 − p)/n)
        se = float(probs.set_index("unit_id").loc["u0", "se_优秀"])
        assert se == pytest.approx(math.sqrt(p * (1 - p) / 20_000))
        assert p <= p_prev + 1e-3
        p_prev = p
    assert p_prev < 0.8  # s = 10: Φ(0.7071) = 0.760


def test_chunks_are_seeded_and_mergeable():
    data = load_data(SAMPLES / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    model = b.prepare_model(data, scheme, 2013, noise=0.05, weights=100)
    serial = b.run(model, draws=900, seed=7, chunk=300)
    seeds = np.random.SeedSequence(7).spawn(3)
    assert [s.spawn_key for s in seeds] == [b.chunk_seed(7, i).spawn_key for i in range(3)]
    parts = [b.simulate_chunk(model, seeds[i], 300) for i in (2, 0, 1)]  # any order of work
    merged = b.merge_tallies([parts[1], parts[2], parts[0]])
    pd.testing.assert_frame_equal(b.summarise(model, serial), b.summarise(model, merged))
    assert np.array_equal(serial.payout, merged.payout)
    again = b.run(model, draws=900, seed=7, chunk=300)
    pd.testing.assert_frame_equal(b.summarise(model, serial), b.summarise(model, again))
    other = b.run(model, draws=900, seed=8, chunk=300)
    assert not b.summarise(model, serial).equals(b.summarise(model, other))
    import pickle
    assert pickle.loads(pickle.dumps(model)).n_units == model.n_units


def test_adaptive_stopping_meets_se_target():
    data = load_data(SAMPLES / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    model = b.prepare_model(data, scheme, 2013, noise=0.03)
    tally = b.run(model, seed=0, chunk=500, se_target=0.01)
    summary = b.uncertainty_summary(model, tally).iloc[0]
    assert summary["max_se"] < 0.01 and summary["draws"] % 500 == 0
    # one chunk fewer would not have met it (it stopped at the first chunk that did)
    shorter = b.run(model, draws=int(summary["draws"]) - 500, seed=0, chunk=500)
    assert summary["draws"] == 1000 or b.max_se(shorter) >= 0.01
    probs = b.summarise(model, tally)
    cols = [c for c in probs.columns if c.startswith("p_") and c != "p_official"]
    assert np.allclose(probs[cols].sum(axis=1), 1.0)
    assert (probs["rank_p05"] <= probs["rank_p50"]).all()
    assert (probs["rank_p50"] <= probs["rank_p95"]).all()


def test_weight_draws_keep_component_points():
    data = load_data(SAMPLES / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    for w in (b.WeightUncertainty("dirichlet", 50), b.WeightUncertainty("uniform", 0.3)):
        model = b.prepare_model(data, scheme, 2019, weights=w)
        pts = b.draw_points(model, np.random.default_rng(0), 200)
        assert np.allclose(pts.sum(axis=1), model.inp.leaf_points.sum()) and (pts >= 0).all()
        if w.kind == "uniform":
            ratio = pts / model.inp.leaf_points
            assert ratio.min() > (1 - 0.3) / (1 + 0.3) - 1e-9


def test_threshold_sensitivity_by_hand(tmp_path):
    # ratings 80 / 76 / 70 / 66 / 60 (+1 each), quota 1 (u0 优秀), 达标 ≥ 76, 基本达标 ≥ 66
    # (the same as ratings ≥ 75 and ≥ 65):
    # u1 达标, u2 基本达标, u3 基本达标, u4 不达标
    data, scheme = _rating_case(tmp_path, [80.0, 76, 70, 66, 60])
    model = b.prepare_model(data, scheme, 2020)
    table = b.threshold_sensitivity(model, span=10, steps=5).set_index(["rule", "shift"])
    n = table["n_changed"]
    assert n[("达标线", 0.0)] == 0
    assert n[("达标线", 5.0)] == 1  # 达标 at rating 80: u1 (76) drops to 基本达标
    assert n[("达标线", -5.0)] == 1  # 达标 at 70: u2 (70) rises to 达标
    assert ("达标线", -10.0) not in n.index  # 达标 at 65 would not be above 基本达标 (65)
    assert n[("基本达标线", 5.0)] == 1  # 基本达标 at 70: u3 (66) drops
    assert n[("基本达标线", -5.0)] == 1  # 基本达标 at 60: u4 (60) rises
    quota = table.xs("评优名额:每序列前k名")["n_changed"]
    assert quota[1] == 0 and quota[0] == 1  # no quota: u0 falls to 达标 by its 80 points
    assert quota[2] == 1 and quota[5] == 4  # every unit 优秀: four change


def test_reward_cost_and_payout_by_hand():
    data = load_data(SAMPLES / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    model = b.prepare_model(data, scheme, 2013)
    i = model.inp.unit_ids.index("quanjiaohe")
    # 85 staff, 2 党政正职 (default) and round(0.1 × 85 = 8.5) = 9 其他班子成员:
    # 优秀 2000 × (85 + 0.5·2 + 0.2·9) = 2000 × 87.8 = 175 600; 达标 1000 × 87.8 = 87 800
    assert model.payout[i].tolist() == pytest.approx([175_600, 87_800, 0, 0])
    tally = b.run(model, draws=20, seed=0)
    cost = b.reward_cost(model, tally).set_index("statistic")["value"]
    assert cost["official"] == cost["mean"] == cost["p05"] == cost["p95"]
    yiyang = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    empty = b.reward_cost(b.prepare_model(load_data(SAMPLES / "yiyang"), yiyang, 2019), tally)
    assert list(empty.columns) == ["statistic", "value"] and empty.empty


def test_rank_sets_from_simulated_covariance():
    data = load_data(SAMPLES / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    model = b.prepare_model(data, scheme, 2013, noise=0.02)
    tally = b.run(model, draws=2000, seed=0)
    sets = b.rank_sets(model, tally)
    assert list(sets.columns[:7]) == ["unit_id", "name", "sequence", "estimate", "rank",
                                      "lower", "upper"]
    assert ((sets["lower"] <= sets["rank"]) & (sets["rank"] <= sets["upper"])).all()
