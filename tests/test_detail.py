"""Indicator-level detail and the workbook for people (issue 14, item 11)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from perfanalysis import load_data, load_scheme, scheme_from_mapping, scorecard
from perfanalysis.cli import app
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.report.summary import display_detail, people_sheets, score_breakdown, score_detail

from .helpers import bundle_texts, run_chapters
from .test_scoring import SCHEME, data  # noqa: F401 (data: the fixture)

runner = CliRunner()
YIYANG = ["--data", str(SAMPLE_DIR / "yiyang"), "--scheme",
          str(SCHEMES_DIR / "yiyang_2018.yaml"), "--year", "2019"]


def test_detail_by_hand(data):  # noqa: F811 (the imported fixture)
    d = score_detail(data, scheme_from_mapping(SCHEME), 2019).set_index(["unit_id",
                                                                        "indicator"])
    x = d.loc[("A", "x")]
    # x: completion against 1.1 × own 3-year average: (100 + 110 + 121)/3 · 1.1 = 121.3667
    # 133.1 / 121.3667 = 1.09667 (under the 1.2 cap) → 10.9667 of 10 points
    assert x["value"] == 133.1 and x["target"] == pytest.approx(121.366667, abs=1e-6)
    assert x["fraction"] == pytest.approx(1.096677, abs=1e-6)
    assert x["points"] == pytest.approx(10.96677, abs=1e-5) and x["points_possible"] == 10
    g = d.loc[("B", "g")]
    # g: growth min–max; B 130/100 − 1 = 0.3 beats A 220/200 − 1 = 0.1 → full 30 points
    assert g["previous"] == 100 and g["basis_value"] == pytest.approx(0.3)
    assert g["fraction"] == 1.0 and g["points"] == 30.0
    dd = d.loc[("A", "d")]
    # d: 3 accidents × 2 points off 10 → 4 of 10
    assert dd["points"] == pytest.approx(4.0) and dd["method"] == "deduction"


def test_detail_adds_up_to_the_indicator_component():
    ds, sch = load_data(SAMPLE_DIR / "heshan"), load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    table = scorecard(ds, sch, 2013)
    d = score_detail(ds, sch, 2013)
    comp = [c.id for c in sch.components if c.source == "indicators"]
    by_unit = d.groupby("unit_id")["points"].sum()
    expected = table.set_index("unit_id")[comp].sum(axis=1)
    pd.testing.assert_series_equal(by_unit.sort_index(), expected.sort_index(),
                                   check_names=False, atol=1e-6)
    assert (d["points"] <= d["points_possible"] * 1.2 + 1e-9).all()  # cap at most 1.2
    zh = display_detail(d, sch)
    assert list(zh.columns)[:3] == ["单位", "序列", "指标"]
    assert set(zh["序列"]) <= set(sch.sequences.values())


def test_cli_detail_prints_and_writes(tmp_path):
    res = runner.invoke(app, ["score", *YIYANG, "--detail"])
    assert res.exit_code == 0, res.output
    assert "指标明细" in res.output and "地区生产总值" in res.output and "得分率" in res.output
    out = tmp_path / "detail.csv"
    res = runner.invoke(app, ["score", *YIYANG, "--detail", "--out", str(out)])
    assert res.exit_code == 0
    d = pd.read_csv(out, encoding="utf-8-sig")
    assert len(d) == 8 * 17  # 8 sample units × 17 indicators
    assert {"points", "points_possible", "fraction"} <= set(d.columns)


def test_xlsx_is_for_people(tmp_path):
    out = tmp_path / "scores.xlsx"
    assert runner.invoke(app, ["score", *YIYANG, "--out", str(out)]).exit_code == 0
    book = pd.read_excel(out, sheet_name=None)
    assert list(book) == ["成绩表", "得分构成", "指标明细", "scores"]
    scores = book["成绩表"]
    assert {"单位", "序列", "总分", "等次"} <= set(scores.columns)
    assert set(scores["序列"]) == {"区县市"}  # sequence names in Chinese, not "counties"
    # numbers at 2 decimals (half-up), the breakdown wide: one column per 一级指标
    assert (scores["总分"] * 100).round(6).mod(1).eq(0).all()
    wide = book["得分构成"]
    assert {"高质量发展", "三大攻坚战", "党的建设", "加分", "减分", "总分"} <= set(wide.columns)
    parts = wide[["高质量发展", "三大攻坚战", "党的建设", "社会稳定和安全生产", "加分", "减分"]]
    assert (parts.sum(axis=1) - wide["总分"]).abs().max() < 0.05  # rounded parts
    ws = openpyxl.load_workbook(out)["指标明细"]
    assert ws["A1"].value == "单位" and ws.freeze_panes == "A2"
    assert ws.column_dimensions["C"].width >= 2 * len("城镇居民人均可支配收入增长率")
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("得分") + 1).number_format == "0.00"


def test_people_sheets_round_half_up():
    ds, sch = load_data(SAMPLE_DIR / "yiyang"), load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    table = scorecard(ds, sch, 2019, with_basis=True)
    parts = score_breakdown(ds, sch, 2019, table)
    table.loc[table["unit_id"] == "gaoxin", "total"] = 80.925  # a total on the half
    sheets = people_sheets(table, parts, score_detail(ds, sch, 2019), sch)
    # half-up: 80.925 → 80.93 (Python's round gives 80.92)
    assert round(80.925, 2) == 80.92
    assert sheets["成绩表"].set_index("单位").loc["益阳高新区", "总分"] == 80.93
    assert sheets["得分构成"].set_index("单位").loc["益阳高新区", "总分"] == 80.93


@pytest.mark.slow
def test_scorecard_notebook_shows_detail_cuts_and_missing_rule(tmp_path, monkeypatch):
    """The chapter on the Heshan sample: detail table, hair-cut and missing-value sections
    (executed in this process: helpers.run_chapters)."""
    outputs: list = []
    texts = run_chapters(SAMPLE_DIR / "heshan", SCHEMES_DIR / "heshan_2013.yaml", 2013,
                         tmp_path / "out", monkeypatch, outputs, chapters=("00_scorecard",),
                         params={"cut_precision": 5.0})
    text = "\n".join(texts["00_scorecard"] + bundle_texts(outputs))
    assert "2013年指标得分明细" in text and "缺数处理规则" in text
    cuts = pd.read_csv(tmp_path / "out" / "tables" / "close_cuts.csv", encoding="utf-8-sig")
    detail = pd.read_csv(tmp_path / "out" / "tables" / "score_detail.csv", encoding="utf-8-sig")
    assert len(detail) == 13 * len(load_data(SAMPLE_DIR / "heshan").units)
    for r in cuts.itertuples(index=False):  # every listed cut is within the 5-point precision
        assert r.total_above - r.total_below < 5.0 and r.name_above in text


def test_detail_note_points_to_the_workbook_for_large_panels():
    from perfanalysis.report.summary import DETAIL_ROWS_SHOWN, detail_note

    assert "下表" in detail_note(8 * 17)[0]
    big = detail_note(120 * 20)  # a researcher's panel: 120 units × 20 indicators
    assert "2400行" in big[0] and str(DETAIL_ROWS_SHOWN) in big[0] and "指标明细" in big[0]
