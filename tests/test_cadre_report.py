"""Chapter 00's cadre section (干部考核结果, issue 22): shown when the data carry a cadre
layer (the Xiangxi departments sample's persons.csv), absent for Yiyang's counties."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import perfanalysis as pa
from perfanalysis.engine.cadres import REVIEW
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.report import cadre_report

from .helpers import bundle_texts, run_chapters

XIANGXI = (SAMPLE_DIR / "xiangxi_departments", SCHEMES_DIR / "xiangxi_departments.yaml", 2011)
YIYANG = (SAMPLE_DIR / "yiyang", SCHEMES_DIR / "yiyang_2018.yaml", 2019)


def _run_chapter_00(data: Path, scheme: Path, year: int, out: Path,
                    monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """Execute chapter 00's code cells in this process; (markdown shown, table HTML shown)."""
    outputs: list[tuple[str, dict[str, Any]]] = []
    texts = run_chapters(data, scheme, year, out, monkeypatch, outputs,
                         chapters=("00_scorecard",))
    return texts["00_scorecard"], bundle_texts(outputs)


def test_chapter_shows_the_cadre_table_for_the_xiangxi_departments(tmp_path, monkeypatch):
    data, scheme, year = XIANGXI
    texts, tables = _run_chapter_00(data, scheme, year, tmp_path, monkeypatch)
    joined = "\n".join(texts)
    assert "## 干部考核结果" in joined
    cadres = pa.cadre_table(pa.load_data(data), pa.load_scheme(scheme), year)
    assert f"共{len(cadres)}名领导干部" in joined
    assert any("各序列、各层次干部等次人数" in t for t in tables)
    assert any("领导干部考核结果" in t and "层次内名次" in t for t in tables)
    # every cadre flagged for review is named in the text and shown in the table excerpt
    flagged = cadres.loc[cadres["review"] == REVIEW, "name"]
    assert len(flagged) > 0
    shown = next(t for t in tables if "层次内名次" in t)
    assert all(n in joined and n in shown for n in flagged)
    saved = pd.read_csv(tmp_path / "tables" / f"{cadre_report.CADRE_SHEET}.csv")
    assert len(saved) == len(cadres)


def test_chapter_has_no_cadre_section_for_yiyang(tmp_path, monkeypatch):
    data, scheme, year = YIYANG
    texts, tables = _run_chapter_00(data, scheme, year, tmp_path, monkeypatch)
    assert not any("干部考核结果" in t for t in texts)
    assert not any("领导干部考核结果" in t for t in tables)
    assert not (tmp_path / "tables" / "cadres.csv").exists()


def _hand_cadres() -> pd.DataFrame:
    rows = [  # sequence, role, name, unit, tier, review, reason
        ("s1", "班子正职", "甲", "一局", "优秀", "", "s1·班子正职第1名"),
        ("s1", "班子正职", "乙", "二局", "称职", REVIEW, "s1·班子正职第2名;后5%,列为基本称职考核对象"),
        ("s1", "班子成员", "丙", "一局", "称职", "", "s1·班子成员第1名"),
        ("s1", "班子成员", "丁", "二局", "基本称职", "",
         "基本称职或不称职得票超过1/3,评为基本称职(原按比例为称职)"),
        ("s2", "班子成员", "戊", "三局", "称职", REVIEW, "s2·班子成员第1名"),
    ]
    df = pd.DataFrame(rows, columns=["sequence", "role", "name", "unit_name", "tier", "review",
                                     "tier_reason"])
    return df.assign(person_id=[f"p{i}" for i in range(len(df))], unit_id="u", team_score=80.0,
                     score=[90.0, 85.0, 84.0, 70.0, 88.0], rank=[1, 2, 1, 2, 1], triggers="")


def test_group_summary_and_sentences_hand_worked():
    s = pa.load_scheme(XIANGXI[1]).model_copy(update={"sequences": {"s1": "甲类", "s2": "乙类"}})
    cadres = _hand_cadres()
    summary = cadre_report.cadre_group_summary(cadres, s).set_index(["序列", "层次"])
    # three groups: 甲类·班子正职 (2: 优秀 1, 称职 1, 1 flagged), 甲类·班子成员 (2: 称职 1,
    # 基本称职 1), 乙类·班子成员 (1: 称职 1, flagged)
    assert list(summary.index) == [("甲类", "班子正职"), ("甲类", "班子成员"), ("乙类", "班子成员")]
    assert summary.loc[("甲类", "班子正职"), ["人数", "优秀", "称职", REVIEW]].tolist() == [2, 1, 1, 1]
    assert summary.loc[("甲类", "班子成员"), ["人数", "称职", "基本称职"]].tolist() == [2, 1, 1]
    assert summary.loc[("乙类", "班子成员"), ["人数", "称职", REVIEW]].tolist() == [1, 1, 1]
    text = cadre_report.cadre_sentences(cadres, s, 2011)
    assert text[0].startswith("2011年共5名领导干部") and "分3组" in text[0]
    assert "优秀1名、称职3名、基本称职1名、不称职0名" in text[0]
    assert "2名干部触发基本称职条件" in " ".join(text) and "乙(二局)、戊(三局)" in " ".join(text)
    assert "1名干部因民主测评" in " ".join(text) and text[-1].endswith("丁。")
    table = cadre_report.display_cadres(cadres, s)
    assert table["序列"].tolist() == ["甲类", "甲类", "甲类", "甲类", "乙类"]


def test_has_cadres_needs_rows_of_the_year():
    d = pa.load_data(XIANGXI[0])
    assert cadre_report.has_cadres(d, 2011)
    assert not cadre_report.has_cadres(d, 2019)
    assert not cadre_report.has_cadres(pa.load_data(YIYANG[0]), 2019)
