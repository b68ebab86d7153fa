"""Every chapter runs on every reasonable scheme (issue 20 §5): each preset in data/schemes/
with its bundled data, a one-indicator level scheme and the provincial panel (four regions of
unequal size) through all six chapters, with fast study parameters.

The chapters' code cells are executed in this process (parameters injected after the tagged
cell, as papermill does; PNG export off), which exercises every study, finding and chart the
report renders at a fraction of a kernel-per-notebook run. Two cases are full report runs
instead: the Yiyang preset is the session's report run, the provincial panel's a
``run_report`` of its own (tests/conftest.py), which also checks the pipeline end to end
(HTML and DOCX) on several comparison groups."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
import yaml

from perfanalysis.paths import NOTEBOOKS_DIR, REAL_DIR, SAMPLE_DIR, SCHEMES_DIR

from .helpers import Shown

pytestmark = pytest.mark.slow

PANEL = REAL_DIR / "china_provinces"
#: preset -> (data folder, year)
PRESETS: dict[str, tuple[Path, int]] = {
    "yiyang_2018": (SAMPLE_DIR / "yiyang", 2019),
    "yiyang_2018_levels": (SAMPLE_DIR / "yiyang", 2019),
    "yiyang_2018_across": (SAMPLE_DIR / "yiyang", 2019),
    "changsha": (SAMPLE_DIR / "yiyang", 2019),
    "changsha_forced": (SAMPLE_DIR / "yiyang", 2019),
    "xiangxi_counties": (SAMPLE_DIR / "yiyang", 2019),
    "hunan_province_tiers": (SAMPLE_DIR / "yiyang", 2019),
    "heshan_2013": (SAMPLE_DIR / "heshan", 2013),
    "heshan_2013_departments": (SAMPLE_DIR / "heshan_departments", 2013),
    "xiangxi_departments": (SAMPLE_DIR / "xiangxi_departments", 2011),
    "yiyang_departments": (SAMPLE_DIR / "yiyang_departments", 2019),
    "zhangjiagang_departments": (SAMPLE_DIR / "zhangjiagang_departments", 2013),
    "zhangjiagang_towns": (SAMPLE_DIR / "zhangjiagang_towns", 2013),
    "china_provinces": (PANEL, 2011),
}
#: a one-indicator level scheme (GDP by efficacy within the region, 15:80:5): nothing for
#: chapter 04 to vary (one first-level item, no blend, tiers already forced)
ONE_INDICATOR = {
    "id": "one_indicator", "name": "单指标总量考核(测试)", "comparison_group": "sequence",
    "sequences": {"east": "东部", "central": "中部", "west": "西部", "northeast": "东北"},
    "components": [{"id": "indicators", "name": "指标考核", "points": 100,
                    "source": "indicators", "children": [
                        {"id": "gdp", "name": "地区生产总值", "unit": "亿元", "points": 100,
                         "method": "efficacy", "basis": "level"}]}],
    "tiers": {"method": "forced_distribution", "labels": ["一等", "二等", "三等"],
              "shares": [0.15, 0.80, 0.05]},
}


def test_every_preset_has_a_case() -> None:
    assert sorted(PRESETS) == sorted(p.stem for p in SCHEMES_DIR.glob("*.yaml"))


def _one_indicator_case(root: Path) -> tuple[Path, Path]:
    """The provincial panel's GDP only, with the one-indicator scheme."""
    data = root / "one_indicator_data"
    data.mkdir()
    (data / "units.csv").write_bytes((PANEL / "units.csv").read_bytes())
    obs = pd.read_csv(PANEL / "observations.csv", dtype=str)
    obs[obs["indicator"] == "gdp"].to_csv(data / "observations.csv", index=False)
    scheme = root / "one_indicator.yaml"
    scheme.write_text(yaml.safe_dump(ONE_INDICATOR, allow_unicode=True), encoding="utf-8")
    return data, scheme


def _check(out: Path, texts: dict[str, list[str]]) -> None:
    assert sorted(texts) == sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    tables = {p.stem for p in (out / "tables").glob("*.csv")}
    assert {"scores", "quota_warnings", "brief_facts"} <= tables
    assert all(texts.values()), [k for k, v in texts.items() if not v]
    # the wording every reader-facing sentence keeps (report/wording.py): no banned phrase
    # ("近乎抛硬币" was in chapter 03), negative numbers with a real minus sign
    from perfanalysis.report.wording import BANNED, real_minus

    said = "\n".join(t for ts in texts.values() for t in ts)
    assert [p for p in BANNED if p in said] == []
    assert real_minus(said) == said


#: presets whose case is a full ``run_report`` (the session's run and the provincial test)
RUN_REPORT_CASES = {"yiyang_2018", "china_provinces"}


def executed_chapters(out: Path, chapters: list[str], year: int) -> Shown:
    """What a report run's executed notebooks (``OUT/notebooks``) showed, as
    ``helpers.run_chapters`` collects it: each chapter's Markdown texts, and (chapter,
    bundle) of every other display; after checking that no cell failed."""
    texts: dict[str, list[str]] = {}
    shown: list[tuple[str, dict[str, Any]]] = []
    for nb in chapters:
        executed = nbformat.read(out / "notebooks" / f"{Path(nb).stem}-{year}.ipynb", 4)
        outputs = [o for c in executed.cells for o in c.get("outputs", [])]
        assert [o for o in outputs if o.output_type == "error"] == [], nb
        data = [o["data"] for o in outputs if "data" in o]
        texts[Path(nb).stem] = [d["text/markdown"] for d in data if "text/markdown" in d]
        shown += [(Path(nb).stem, d) for d in data if "text/markdown" not in d]
    return texts, shown


def preset_case(preset: str) -> Callable[[Path], tuple[Path, Path, int]]:
    """A preset with its bundled data, as ``chapter_case`` (tests/conftest.py) takes it."""
    data, year = PRESETS[preset]
    return lambda folder: (data, SCHEMES_DIR / f"{preset}.yaml", year)


def one_indicator_case(folder: Path) -> tuple[Path, Path, int]:
    data, scheme = _one_indicator_case(folder)
    return data, scheme, 2011


@pytest.mark.parametrize("preset", sorted(set(PRESETS) - RUN_REPORT_CASES))
def test_every_chapter_runs_on_the_preset(preset: str, chapter_case: Any) -> None:
    case = chapter_case(preset, preset_case(preset))
    _check(case["out"], case["texts"])


def test_the_session_report_is_the_yiyang_2018_case(sample_run: dict[str, Any]) -> None:
    """The Yiyang preset on its sample is the session's report run (tests/conftest.py:
    every chapter in a kernel, the report's own study parameters): the matrix's checks on
    it instead of a second execution of the same chapters."""
    from .conftest import SAMPLE_DATA, SAMPLE_YEAR

    record = sample_run["record"]
    assert (SAMPLE_DATA, SAMPLE_YEAR) == PRESETS["yiyang_2018"]
    assert Path(record["parameters"]["scheme"]) == SCHEMES_DIR / "yiyang_2018.yaml"
    out = sample_run["out"]
    _check(out, executed_chapters(out, record["chapters"], SAMPLE_YEAR)[0])


def test_every_chapter_runs_on_a_one_indicator_scheme(chapter_case: Any) -> None:
    case = chapter_case("one_indicator", one_indicator_case)
    texts = case["texts"]
    _check(case["out"], texts)
    ch04 = " ".join(texts["04_alternative_weightings"])
    # what could not be varied, and no claim that weights do not matter
    assert "没有适用的通用情景" in ch04 and "一个一级指标" in ch04
    assert "没有可与" in ch04 and "权重选择不影响等次" not in ch04
    # the empty bottom tier (15:80:5 in regions of 3–12) is stated in chapter 00
    # in each region's section, rounded down (三等 is a ceiling: 0.60 → 0), and in the brief
    # once for the four regions, cited
    ch00 = " ".join(texts["00_scorecard"])
    assert "西部共12个单位,三等按比例为0.60名,向下取整后为0名" in ch00
    assert "东北共3个单位,三等按比例为0.15名,取整后为0名" in ch00
    assert "的三等按比例向下取整后均为0名,这4个序列" in " ".join(texts["05_brief"])
    assert "等次人数与计划比例表" in " ".join(texts["05_brief"])  # cited by its Chinese name


def test_report_renders_on_the_provincial_panel(panel_run: dict[str, Any]) -> None:
    """The provincial preset's case of the matrix, run end to end by ``run_report`` (a kernel
    per chapter, HTML and DOCX; tests/conftest.py): the same checks on what its chapters
    showed and saved, and the earlier report in its OUT replaced whole."""
    from .conftest import PANEL_YEAR

    out, record = panel_run["out"], panel_run["record"]
    assert (PANEL, PANEL_YEAR) == PRESETS["china_provinces"]
    assert Path(record["parameters"]["scheme"]) == SCHEMES_DIR / "china_provinces.yaml"
    _check(out, executed_chapters(out, record["chapters"], PANEL_YEAR)[0])
    html = panel_run["html"]
    assert "年度考核结果总览" in html and "东北" in html
    # the top tier by the scheme's name: chapter 02 wrote 进入优秀名额 for the panel's 一等
    assert "进入一等名额的比例" in html and "优秀" not in html
    # chapter 01's fairest target rule for GDP is sought among the rules that bind: the
    # three-year average level (met in every unit-year of a growing series) is named apart
    from perfanalysis.report.findings.targets import EASY_TARGET_SHARE

    summ = pd.read_csv(out / "tables" / "targets_summary.csv", encoding="utf-8-sig")
    gdp = summ.loc[(summ["indicator"] == "gdp") & ~summ["rule"].str.endswith("_blend")]
    binding = gdp.loc[gdp["share_met"] < EASY_TARGET_SHARE]
    fair = binding.loc[binding["equity_rho"].abs().idxmin(), "rule_label"]
    easy = gdp.loc[gdp["equity_rho"].abs().idxmin()]
    assert easy["share_met"] >= EASY_TARGET_SHARE  # what this check is about
    assert f"关系最弱的规则是{fair}(" in html
    assert f"{easy['rule_label']}的秩相关更接近0(" in html and "几乎不构成约束,不作比较" in html
    assert (out / "report.docx").stat().st_size > 0
    assert os.path.getsize(out / "scores.xlsx") > 0
    assert not (out / "tables" / "stale.csv").exists()
    assert table_cell_problems(html) == []


def table_cell_problems(html: str) -> list[str]:
    """Numeric table cells a reader should not see: a count column (header ending in 数,
    not 系数/指数) printed with decimals ("31.00" units, found in four tables on this panel)
    or a negative number with an ASCII hyphen (the DOCX breaks lines at it)."""
    import re

    from perfanalysis.report.notebook import _COUNT_HEADER

    found = []
    tables = re.findall(r"<table class=.pa-sortable dataframe.>(.*?)</table>", html, re.DOTALL)
    for table in tables:
        heads = re.findall(r"<th[^>]*>(.*?)</th>", table)
        for row in re.findall(r"<tr>(.*?)</tr>", table):
            for head, cell in zip(heads, re.findall(r"<td[^>]*>(.*?)</td>", row)):
                if _COUNT_HEADER.search(head) and re.fullmatch(r"\d+\.0+", cell):
                    found.append(f"{head}: {cell}")
                if re.fullmatch(r"-[\d.,]+%?", cell):
                    found.append(f"{head}: {cell}")
    return found
