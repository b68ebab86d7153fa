"""Who is ranked together (``tiers.scope`` / ``tiers.rank_scope``): each sequence, all units
(a province ranking all its counties), or each value of a units.csv column — on a hand-built
frame of two sequences crossed with two regions."""

from __future__ import annotations

import pytest

from perfanalysis import (
    DataError,
    SchemeError,
    load_data,
    scheme_from_mapping,
    scorecard,
    tier_codes,
    tier_model,
)

from .helpers import write_dataset

# min–max over all six units (comparison_group: all), with a 0 and a 100: total = x
X = {"A1": 100, "A2": 70, "A3": 40, "B1": 90, "B2": 60, "B3": 0}
SEQ = {"A1": "a", "A2": "a", "A3": "a", "B1": "b", "B2": "b", "B3": "b"}
REGION = {"A1": "东", "B1": "东", "B2": "东", "A2": "西", "A3": "西", "B3": "西"}


def _raw(**tiers):
    return {
        "id": "scope", "name": "分组测试", "comparison_group": "all",
        "sequences": {"a": "甲类", "b": "乙类"},
        "components": [{"id": "indicators", "name": "指标", "points": 100,
                        "source": "indicators",
                        "children": [{"id": "x", "name": "X", "points": 100,
                                      "method": "minmax"}]}],
        "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "不达标"],
                  "quota": [{"share": 0.5, "rounding": "half_up", "min_count": 1}],
                  "thresholds": [{"label": "达标", "min_total": 50}], **tiers}}


def _scheme(**tiers):
    return scheme_from_mapping(_raw(**tiers))


@pytest.fixture
def data(tmp_path):
    folder = write_dataset(tmp_path / "d", {
        "units": [{"unit_id": u, "name": f"{u}单位", "sequence": SEQ[u], "region": REGION[u]}
                  for u in X],
        "observations": [{"unit_id": u, "year": 2019, "indicator": "x", "value": v}
                         for u, v in X.items()]})
    return load_data(folder)


def _by_unit(card, col):
    return dict(zip(card["unit_id"], card[col]))


def test_scope_sequence_is_the_default(data) -> None:
    card = scorecard(data, _scheme(), 2019)
    # a: 3 units, quota 0.5 × 3 = 1.5 → 2 (half up): A1, A2; A3 40 < 50 → 不达标; b likewise
    assert _by_unit(card, "tier") == {"A1": "优秀", "A2": "优秀", "A3": "不达标",
                                      "B1": "优秀", "B2": "优秀", "B3": "不达标"}
    assert _by_unit(card, "rank") == {"A1": 1, "A2": 2, "A3": 3, "B1": 1, "B2": 2, "B3": 3}


def test_scope_all_ranks_every_unit_together(data) -> None:
    card = scorecard(data, _scheme(scope="all"), 2019)
    # 6 units, quota 3: A1 100, B1 90, A2 70 优秀; B2 60 ≥ 50 达标; A3 40, B3 0 不达标
    assert _by_unit(card, "tier") == {"A1": "优秀", "B1": "优秀", "A2": "优秀",
                                      "B2": "达标", "A3": "不达标", "B3": "不达标"}
    assert _by_unit(card, "rank") == {"A1": 1, "B1": 2, "A2": 3, "B2": 4, "A3": 5, "B3": 6}
    assert _by_unit(card, "tier_reason")["A2"] == "全部单位第3名,在评优名额3名内"


def test_scope_column_ranks_each_region(data) -> None:
    card = scorecard(data, _scheme(scope="region"), 2019)
    # 东 {A1 100, B1 90, B2 60}: quota 2 → A1, B1; B2 达标. 西 {A2 70, A3 40, B3 0}:
    # quota 2 → A2 and A3 (the quota needs no threshold, as in Heshan); B3 不达标
    assert _by_unit(card, "tier") == {"A1": "优秀", "B1": "优秀", "B2": "达标",
                                      "A2": "优秀", "A3": "优秀", "B3": "不达标"}
    assert _by_unit(card, "rank") == {"A1": 1, "B1": 2, "B2": 3, "A2": 1, "A3": 2, "B3": 3}
    assert _by_unit(card, "tier_reason")["A3"] == "西第2名,在评优名额2名内"


def test_rank_scope_separately(data) -> None:
    card = scorecard(data, _scheme(scope="all", rank_scope="sequence"), 2019)
    assert _by_unit(card, "rank") == {"A1": 1, "A2": 2, "A3": 3, "B1": 1, "B2": 2, "B3": 3}
    assert _by_unit(card, "tier")["A2"] == "优秀" and _by_unit(card, "tier")["B2"] == "达标"


def test_vectorised_tiers_follow_the_scope(data) -> None:
    for scope in ("all", "region"):
        scheme = _scheme(scope=scope)
        card = scorecard(data, scheme, 2019)
        ids = list(card["unit_id"])
        groups = [REGION[u] for u in ids] if scope == "region" else None
        model = tier_model(scheme, ids, list(card["sequence"]), data.events.iloc[:0], groups)
        codes = tier_codes(model, card["total"].to_numpy()[None, :])[0]
        assert [scheme.tiers.labels[c] for c in codes] == list(card["tier"])


def test_scope_errors(data, tmp_path) -> None:
    with pytest.raises(SchemeError, match="cannot name sequences"):
        _scheme(scope="all", quota=[{"sequences": ["a"], "top": 1}, {"share": 0.5}])
    with pytest.raises(DataError, match="units.csv does not have"):
        scorecard(data, _scheme(scope="province"), 2019)
    with pytest.raises(SchemeError, match="pass each unit's group"):
        tier_model(_scheme(scope="region"), ["A1"], ["a"], data.events.iloc[:0])


def test_quota_warnings_follow_the_scope(data) -> None:
    from perfanalysis.engine.tiers import quota_warnings

    for scope in ("all", "region"):
        scheme = _scheme(scope=scope)
        card = scorecard(data, scheme, 2019, with_basis=True)
        assert quota_warnings(card, scheme).empty  # no ties, every planned count kept
    # a tie at the all-units cut: B2 raised to A2's 70 → 4 units for 3 places (全部单位)
    scheme = _scheme(scope="all")
    card = scorecard(data, scheme, 2019, with_basis=True)
    from perfanalysis import assign_tiers

    scores = card.drop(columns=["tier", "tier_reason", "tier_basis"]).copy()
    scores.loc[scores["unit_id"] == "B2", "total"] = 70.0
    warn = quota_warnings(assign_tiers(scores, scheme, data.events.iloc[:0]), scheme)
    (row,) = warn.itertuples()
    assert (row.kind, row.quota, row.actual) == ("ties", 3, 4)
    assert row.message.startswith("全部单位(6个单位)")


def test_province_wide_tiers_on_the_real_provincial_panel() -> None:
    """31 provinces (东部 10, 中部 6, 西部 12, 东北 3): a provincial office ranking every unit
    together (scope: all) against the per-region default."""
    from perfanalysis.paths import PROJ_ROOT

    from .helpers import preset_mapping

    data = load_data(PROJ_ROOT / "data/real/china_provinces")
    raw = preset_mapping("china_provinces")
    per_region = scorecard(data, scheme_from_mapping(raw), 2011)
    raw["tiers"]["scope"] = "all"
    whole = scorecard(data, scheme_from_mapping(raw), 2011)
    # per region, 5 % is a ceiling rounded down: 0.5, 0.3, 0.6, 0.15 → no 三等 anywhere;
    # 一等 half up, at least 1: 1.5 → 2, 0.9 → 1, 1.8 → 2, 0.45 → 1 = 6
    counts = per_region["tier"].value_counts().to_dict()
    assert counts.get("三等", 0) == 0 and counts["一等"] == 6
    # all 31 together: 一等 0.15 × 31 = 4.65 → 5; 三等 0.05 × 31 = 1.55 → 1 (ceiling);
    # 二等 the remaining 25
    assert whole["tier"].value_counts().to_dict() == {"二等": 25, "一等": 5, "三等": 1}
    assert sorted(whole["rank"]) == list(range(1, 32))  # no ties on these totals
    # the 一等 are the five highest totals of the country, the 三等 the lowest
    order = whole.sort_values("total", ascending=False)["tier"].tolist()
    assert order[:5] == ["一等"] * 5 and order[-1] == "三等"
    assert whole.loc[whole["rank"] == 1, "tier_reason"].iloc[0].startswith("全部单位第1名")
