"""Chart layout rules on the Heshan sample (16 units in three sequences): legend above the
plot, room for angled unit names, bars from zero, bonus/penalty colours of their own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis import load_data, load_scheme, scorecard
from perfanalysis.paths import PROJ_ROOT
from perfanalysis.report.charts import (
    LABEL_PX,
    PART_PALETTE,
    PLOT_PX,
    breakdown_chart,
    totals_chart,
    value_label_positions,
)
from perfanalysis.report.summary import score_breakdown

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
    # top of the axis leaves room for the value labels: at least 8% above the best total
    # and above the highest label (one label height, LABEL_PX / PLOT_PX of the axis)
    assert fig.layout.yaxis.range[1] >= float(table["total"].max()) * 1.08
    labels = next(tr for tr in fig.data if tr.name == "value")
    span = LABEL_PX / PLOT_PX * max(float(table["total"].max()), 700) * 1.08
    assert fig.layout.yaxis.range[1] >= max(labels.y) + span
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


# --- value labels never on a threshold line (issue 14 item 6) ------------------------------
def _label_band(anchor: float, where: str, span: float) -> tuple[float, float]:
    return (anchor, anchor + span) if where == "above" else (anchor - span, anchor)


def test_value_label_moves_off_the_threshold_line() -> None:
    # axis 0–108, span 8: a 73.3 bar's label above would cover [73.3, 81.3], crossing the
    # 75 line, so it goes inside the bar: [65.3, 73.3], clear of 75 (and of 60).
    anchors, where = value_label_positions([73.3, 50.0, 90.0], [60.0, 75.0], 8.0)
    assert where == ["inside", "above", "above"]
    assert list(anchors) == [73.3, 50.0, 90.0]
    # 58 with lines at 60 (above, within 8) and 55 (inside, within 8): neither band is
    # clear, so the label sits above the 60 line: 60 + 2 * 0.8 = 61.6, band [61.6, 69.6].
    anchors, where = value_label_positions([58.0], [55.0, 60.0], 8.0)
    assert where == ["above"] and anchors[0] == pytest.approx(61.6)
    # a short bar cannot hold its label inside: 3 with a line at 5 → above the line
    anchors, where = value_label_positions([3.0], [5.0], 8.0)
    assert where == ["above"] and anchors[0] == pytest.approx(6.6)


@given(values=st.lists(st.floats(0, 100), min_size=1, max_size=30),
       lines=st.lists(st.floats(0, 100), max_size=5), span=st.floats(0.5, 10))
@settings(max_examples=200, deadline=None)
def test_no_threshold_line_ever_crosses_a_value_label(values: list[float], lines: list[float],
                                                      span: float) -> None:
    anchors, where = value_label_positions(values, lines, span)
    assert len(anchors) == len(values)
    for v, a, w in zip(values, anchors, where, strict=True):
        lo, hi = _label_band(a, w, span)
        assert all(not (lo <= line <= hi) for line in lines)
        if w == "inside":  # inside the bar: at its top, never below zero
            assert a == v and lo >= 0
        else:  # above the bar: never below its top
            assert a >= v
    # order invariance: a bar's label does not depend on the other bars
    rev_anchors, rev_where = value_label_positions(values[::-1], lines, span)
    assert list(rev_anchors[::-1]) == list(anchors) and rev_where[::-1] == where


@pytest.mark.parametrize("sample,scheme,year", [("heshan", "heshan_2013", 2013),
                                                ("yiyang", "yiyang_2018", 2019)])
def test_totals_chart_labels_clear_of_every_threshold_line(sample: str, scheme: str,
                                                           year: int) -> None:
    sch = load_scheme(PROJ_ROOT / "data" / "schemes" / f"{scheme}.yaml")
    table = scorecard(load_data(PROJ_ROOT / "data" / "sample" / sample), sch, year)
    fig = totals_chart(table, sch, year)
    labels = next(tr for tr in fig.data if tr.name == "value")
    lines = [s.y0 for s in fig.layout.shapes]
    high = max([float(table["total"].max())] + lines) * 1.08
    span = LABEL_PX / PLOT_PX * high
    shown = sorted(float(t) for t in labels.text)
    assert shown == sorted(round(float(v), 1) for v in table["total"])
    for y, pos in zip(labels.y, labels.textposition, strict=True):
        lo, hi = (y, y + span) if pos == "top center" else (y - span, y)
        assert all(not (lo <= line <= hi) for line in lines), (y, pos)


def test_chart_frame_is_the_one_frame_of_every_chart_module() -> None:
    """Title at the top left, house font, white template, the module's margins and legend
    place; the chart modules call it instead of keeping copies of it."""
    import inspect

    import plotly.graph_objects as go

    from perfanalysis.report import charts
    from perfanalysis.report.figures import brief, fairness, targets, weightings

    fig = charts.chart_frame(go.Figure(), "标题", 300, {"l": 1, "r": 2, "t": 3, "b": 4},
                             legend=charts.LEGEND_RIGHT)
    lay = fig.layout
    assert (lay.title.text, lay.title.x, lay.title.yref, lay.height) == ("标题", 0.01,
                                                                        "container", 300)
    assert lay.font.family == charts.FONT and lay.legend.x == 1.02 and lay.margin.t == 3
    assert lay.template.layout.plot_bgcolor == "white"
    bare = charts.chart_frame(go.Figure(), "t", 200, {"l": 0}, legend=None,
                              title_at_top=False).layout
    assert bare.title.yref is None and bare.legend.orientation is None
    for module in (charts, brief, fairness, targets, weightings):
        source = inspect.getsource(module._layout)
        assert "chart_frame(" in source and "update_layout" not in source, module.__name__


def test_the_report_template_is_the_same_set_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the report's kernels (``use_report_template``) a figure starts with the report's
    template and ``chart_frame`` does not set it again: the figure is the same as one
    framed under plotly's own default."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from perfanalysis.report import charts

    def framed() -> dict:
        fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]))
        return charts.chart_frame(fig, "标题", 300, {"l": 10}).to_plotly_json()

    monkeypatch.setattr(pio.templates, "default", "plotly")
    before = framed()
    charts.use_report_template()
    assert pio.templates.default == charts.REPORT_TEMPLATE
    after = framed()
    assert after == before
    assert after["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
