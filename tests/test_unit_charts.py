"""Per-unit charts at any scale (issue 23 "National scale"): the scorecard's totals and
breakdown charts (chapter 00) and the tier-boundary charts (chapter 03) draw every unit up
to ``UNIT_CHART_LIMIT`` units and, beyond, a stated selection of 2 × ``SHOWN_EACH_END``
units — the same rule as chapter 01's per-unit charts — with a second title line saying
how many units there are, which are drawn and that the whole list is in scores.xlsx."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfanalysis import load_scheme
from perfanalysis.paths import SCHEMES_DIR
from perfanalysis.report import charts
from perfanalysis.report.charts import SHOWN_EACH_END, UNIT_CHART_LIMIT, chart_rows
from perfanalysis.report.figures import boundaries as bf
from perfanalysis.report.figures import targets as tf

SCHEME = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
SEQ = next(iter(SCHEME.sequences))


def test_the_limits_are_one_rule() -> None:
    """Chapter 01's selecting charts use the same limit and the same ends."""
    assert tf.MANY_UNITS == UNIT_CHART_LIMIT == 60 and SHOWN_EACH_END == 20
    assert tf.select_units.__defaults__[:2] == (60, 20)


def test_chart_rows_by_hand() -> None:
    # 60 units: all, in table order
    assert list(chart_rows(pd.Series(range(60)), "ends")) == list(range(60))
    # 100 units valued 0..99 in reverse table order: the 20 lowest (0–19, rows 80–99) and
    # the 20 highest (80–99, rows 0–19), in table order
    v = pd.Series(range(99, -1, -1))
    assert list(chart_rows(v, "ends")) == [*range(20), *range(80, 100)]
    # "lowest": the 40 lowest values 0–39 sit in rows 60–99
    assert list(chart_rows(v, "lowest")) == list(range(60, 100))
    # ties: 61 equal values, the first 40 rows
    assert list(chart_rows(pd.Series([1.0] * 61), "lowest")) == list(range(40))
    with pytest.raises(ValueError, match="'ends' or 'lowest'"):
        chart_rows(v, "middle")


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300), st.sampled_from(["ends",
                                                                                   "lowest"]))
def test_chart_rows_draws_all_or_forty(values: list[float], how: str) -> None:
    s = pd.Series(values)
    rows = chart_rows(s, how)
    assert len(rows) == (len(s) if len(s) <= 60 else 40)
    assert list(rows) == sorted(rows)  # table order kept
    left = s.drop(rows)
    if len(left):  # every unit left out lies inside the drawn ends
        assert left.min() >= s[rows].min()
        if how == "ends":
            assert left.max() <= s[rows].max()


def _table(n: int) -> pd.DataFrame:
    """n units of one sequence, unit i scoring 50 + i/10."""
    return pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)],
                         "name": [f"县{i}" for i in range(n)], "sequence": SEQ,
                         "total": [50.0 + i / 10 for i in range(n)],
                         "tier": SCHEME.tiers.labels[0], "tier_reason": "—"})


def _bars(fig: object) -> list[str]:
    return [str(x) for tr in fig.data if tr.type == "bar" for x in tr.x]  # type: ignore[attr-defined]


def test_totals_and_breakdown_draw_all_sixty_units() -> None:
    t = _table(60)
    fig = charts.totals_chart(t, SCHEME, 2019)
    assert len(_bars(fig)) == 60 and fig.layout.title.text == "2019年各单位总分与等次(按序列)"
    parts = pd.DataFrame({"unit_id": t["unit_id"], "part": "a", "part_name": "经济发展",
                          "points": t["total"]})
    fig = charts.breakdown_chart(parts, t, SCHEME, 2019)
    assert len(_bars(fig)) == 60 and "<br>" not in fig.layout.title.text


@pytest.mark.parametrize("n", [61, 2850])
def test_totals_and_breakdown_beyond_sixty_units_draw_both_ends(n: int) -> None:
    t = _table(n)
    fig = charts.totals_chart(t, SCHEME, 2019)
    # best first: 县{n-1} … 县{n-20}, then 县19 … 县0
    expected = [f"县{i}" for i in range(n - 1, n - 21, -1)] + [f"县{i}" for i in range(19, -1, -1)]
    assert _bars(fig) == expected
    assert fig.layout.title.text == ("2019年各单位总分与等次(按序列)<br><sup>共" + str(n)
                                     + "个单位,图中为总分最高与最低各20个;全部单位见 scores.xlsx</sup>")
    labels = [tr for tr in fig.data if getattr(tr, "mode", None) == "text"]
    assert len(labels) == 1 and len(labels[0].text) == 40  # 40 bars: value labels read
    parts = pd.DataFrame({"unit_id": t["unit_id"], "part": "a", "part_name": "经济发展",
                          "points": t["total"]})
    fig = charts.breakdown_chart(parts, t, SCHEME, 2019)
    assert _bars(fig) == expected and f"共{n}个单位" in fig.layout.title.text


def _probs(n: int) -> pd.DataFrame:
    """n units in two sequences; unit i keeps its tier with probability i/n."""
    labels = list(SCHEME.tiers.labels)
    seqs = list(SCHEME.sequences) * 2
    df = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)],
                       "name": [f"县{i}" for i in range(n)],
                       "sequence": [seqs[i % 2] for i in range(n)],
                       "total": [90.0 - i / 10 for i in range(n)], "total_sd": 1.0,
                       "official_tier": labels[0], "p_official": [i / n for i in range(n)]})
    for j, lab in enumerate(labels):
        df[f"p_{lab}"] = df["p_official"] if j == 0 else (1 - df["p_official"]) / (len(labels) - 1)
    return df


def test_tier_charts_of_sixty_units_draw_all() -> None:
    p = _probs(60)
    for fig in (bf.margin_chart(p, SCHEME, 2019), bf.probability_chart(p, SCHEME, 2019)):
        drawn = {str(x) for tr in fig.data if tr.x is not None and tr.x[0] is not None
                 for x in tr.x}
        assert len(drawn) == 60 and "<br>" not in fig.layout.title.text


def test_tier_charts_of_a_large_panel_draw_the_least_certain_units() -> None:
    """250 units: unit i keeps its tier with probability i/250, so the charts draw 县0–县39
    (probabilities 0 … 0.156), in total order."""
    p = _probs(250).sample(frac=1.0, random_state=1)  # the chart orders them itself
    want = {f"县{i}" for i in range(40)}
    for fig in (bf.margin_chart(p, SCHEME, 2019), bf.probability_chart(p, SCHEME, 2019)):
        drawn = [str(x) for tr in fig.data if tr.x is not None and tr.x[0] is not None
                 for x in tr.x]
        assert set(drawn) == want
        assert "共250个单位,图中为保持正式等次概率最低的40个;全部单位见 scores.xlsx" in \
            fig.layout.title.text


def test_rank_intervals_of_a_large_panel_draw_the_widest() -> None:
    """100 units, unit i's confidence set [1, 1 + i % 50]: the widest 40 are i % 50 ≥ 30,
    i.e. 县30–县49 and 县80–县99 (20 each); 50 units draw all."""
    n = 100
    sets = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)],
                         "name": [f"县{i}" for i in range(n)], "sequence": SEQ,
                         "rank": [1 + i % 50 for i in range(n)], "lower": 1,
                         "upper": [1 + i % 50 for i in range(n)]})
    fig = bf.rank_interval_chart(sets, SCHEME, {}, 2019)
    drawn = {str(x) for tr in fig.data for x in tr.x}
    assert drawn == {f"县{i}" for i in [*range(30, 50), *range(80, 100)]}
    assert "共100个单位,图中为置信区间最宽的40个" in fig.layout.title.text
    fig = bf.rank_interval_chart(sets.head(50), SCHEME, {}, 2019)
    assert len({str(x) for tr in fig.data for x in tr.x}) == 50
    assert fig.layout.title.text == "2019年名次的95%置信区间"


def test_a_selection_from_many_sequences_names_each_units_sequence() -> None:
    """Beyond 12 sequences on one axis the sequence group labels would collide: each bar's
    name carries its sequence; up to 12 the names are grouped (the presets have ≤ 10)."""
    t = _table(13)
    scheme = SCHEME.model_copy(update={"sequences": {f"s{i}": f"序列{i}" for i in range(13)}})
    t["sequence"] = [f"s{i}" for i in range(13)]
    assert charts._x(t, scheme)[0] == "序列0 县0"
    assert charts._x(t.head(12), scheme)[0][0] == "序列0"  # [groups, names]
