"""Chart layout rules on the Heshan sample (16 units in three sequences): legend above the
plot, room for angled unit names, bars from zero, bonus/penalty colours of their own."""

from __future__ import annotations

import pytest

from perfanalysis import load_data, load_scheme, scorecard
from perfanalysis.charts import PART_PALETTE, breakdown_chart, totals_chart
from perfanalysis.paths import PROJ_ROOT
from perfanalysis.summary import score_breakdown

SCHEME = load_scheme(PROJ_ROOT / "data" / "schemes" / "heshan_2013.yaml")


@pytest.fixture(scope="module")
def heshan() -> tuple:
    data = load_data(PROJ_ROOT / "data" / "sample" / "heshan")
    table = scorecard(data, SCHEME, 2013)
    return table, score_breakdown(data, SCHEME, 2013, table)


def _legend_above_and_names_fit(fig) -> None:  # type: ignore[no-untyped-def]
    legend = fig.layout.legend
    assert legend.orientation == "h" and legend.y >= 1.0 and legend.yanchor == "bottom"
    assert fig.layout.xaxis.automargin is True
    assert fig.layout.xaxis.tickangle == -45  # 16 units > 10: names angled
    assert fig.layout.margin.t >= 90  # title, then the legend row, then the plot


def test_totals_chart_bars_start_at_zero_and_keep_threshold_lines(heshan: tuple) -> None:
    table, _ = heshan
    fig = totals_chart(table, SCHEME, 2013)
    _legend_above_and_names_fit(fig)
    assert fig.layout.yaxis.range[0] == 0
    # top of the axis leaves room for the value labels: 8% above the best total
    assert fig.layout.yaxis.range[1] == pytest.approx(float(table["total"].max()) * 1.08)
    assert "纵轴自" not in fig.layout.title.text
    assert sorted(s.y0 for s in fig.layout.shapes) == [600, 700]
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["达标线<br>700分", "基本达标线<br>600分"]
    assert [a.yanchor for a in fig.layout.annotations] == ["bottom", "top"]


def test_breakdown_bonus_and_penalty_have_their_own_colours(heshan: tuple) -> None:
    table, parts = heshan
    fig = breakdown_chart(parts, table, SCHEME, 2013)
    _legend_above_and_names_fit(fig)
    colours = {t.name: t.marker.color for t in fig.data}
    assert list(colours)[:3] == ["指标评估", "述绩述效", "公众评估"]
    components = {colours[n] for n in ("指标评估", "述绩述效", "公众评估")}
    assert colours["加分"] not in components and colours["加分"] not in PART_PALETTE
    hatch = {t.name: t.marker.pattern.shape for t in fig.data}
    assert hatch["加分"] == "/" and hatch["指标评估"] == ""
    if "减分" in colours:
        assert colours["减分"] not in components | {colours["加分"]}
