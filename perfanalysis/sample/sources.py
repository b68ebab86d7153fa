"""Seeded sample data for the department and town presets (illustrative values).

Unit names come from the source documents where they list them (Heshan 2013 names every
department; Xiangxi and Zhangjiagang name only the categories, so their unit names are
typical bureau names). Indicator values are drawn like ``counties``': realistic shapes, not
real figures. Each folder carries only the indicators and ratings its preset scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .counties import DEFAULT_SEED, RATING_TOP, _observations, _Spec

# Heshan 2013, 一(二)–(八): every department the scheme lists, by sequence
HESHAN_DEPARTMENTS: dict[str, list[str]] = {
    "party_organs": ["区纪委", "区委办", "区委组织部", "区委宣传部", "区委统战部", "区委政法委"],
    "party_departments": ["区编办", "区委农村工作部", "区委610办", "区委老干部局", "区接待办",
                          "区档案局", "区机关事务管理局"],
    "economic_departments": [
        "区人民政府办公室", "区发展和改革局", "区工业和信息化局", "区财政局", "区住房和城乡建设局",
        "区水务局", "区农业局", "区畜牧水产局", "区农机局", "区林业局", "区商务局",
        "区外事侨务旅游局", "区粮食局", "区经管局", "区经济合作局", "区城镇建设开发公司",
        "区国有土地上房屋征收与补偿办公室", "区供销社"],
    "social_departments": [
        "区教育局", "区统计局", "区信访局", "区科技局", "区民政局", "区人力资源和社会保障局",
        "区文广新局", "区卫生局", "区人口和计划生育局", "区体育局", "区政务服务中心", "区城管办",
        "区移民开发局"],
    "judicial_departments": ["区人民法院", "区人民检察院", "赫山公安分局", "区司法局", "区审计局",
                             "区安全生产监督管理局", "赫山消防大队", "交警一大队", "交警三大队"],
    "mass_organisations": ["区工商联", "区总工会", "团区委", "区妇联", "区科协", "区文联", "区残联"],
    "stationed_units": [
        "赫山国税局", "赫山地税局", "赫山国土分局", "市国土局地矿分局", "赫山工商分局",
        "赫山质量技术监督局", "赫山气象局", "赫山物价分局", "赫山环保分局",
        "赫山食品药品监督管理分局", "市区海事分局", "赫山农村公路管理所", "赫山公路管理局",
        "赫山道路运输管理所", "国家统计局赫山调查队", "赫山供电局",
        "市住房公积金管理中心赫山管理部", "益阳广播电视台赫山记者站", "中国银行赫山支行",
        "工商银行赫山支行", "建设银行赫山支行", "农业银行赫山支行", "农业发展银行赫山支行",
        "赫山农村信用合作联社", "邮政储蓄银行赫山支行", "人保财险赫山支公司", "益阳移动赫山分公司"],
}

# Xiangxi (seeds/004): 94 州直 units in seven department categories (the eighth is 县市);
# the source names no unit: these are typical 州直 bodies, a few per category
XIANGXI_DEPARTMENTS: dict[str, list[str]] = {
    "party_committee": ["州委办", "州纪委", "州委组织部", "州委宣传部", "州委统战部", "州委政法委"],
    "mass_organisations": ["州总工会", "团州委", "州妇联", "州科协", "州文联"],
    "government_affairs": ["州政府办", "州人社局", "州民政局", "州司法局", "州统计局",
                           "州政务服务中心"],
    "economic_management": ["州发改委", "州财政局", "州工信委", "州商务局", "州农业局", "州林业局",
                            "州水利局", "州交通运输局"],
    "social_development": ["州教育局", "州卫生局", "州文化局", "州科技局", "州旅游局", "州体育局"],
    "law_enforcement": ["州公安局", "州审计局", "州安监局", "州环保局", "州国土资源局"],
    "congress_cppcc": ["州人大法制委", "州人大财经委", "州政协经济委", "州政协文史委"],
}
XIANGXI_COUNTIES = [("jishou", "吉首市"), ("luxi", "泸溪县"), ("fenghuang", "凤凰县"),
                    ("huayuan", "花垣县"), ("baojing", "保靖县"), ("guzhang", "古丈县"),
                    ("yongshun", "永顺县"), ("longshan", "龙山县")]

# Zhangjiagang (seeds/002): 131 市级机关 in four categories; typical bureaus per category
ZHANGJIAGANG_DEPARTMENTS: dict[str, list[str]] = {
    "economic_service": ["市发改委", "市经信委", "市商务局", "市财政局", "市农委", "市交通运输局"],
    "law_enforcement": ["市公安局", "市市场监管局", "市城管局", "市环保局", "市安监局"],
    "social_service": ["市教育局", "市卫计委", "市民政局", "市人社局", "市文广新局"],
    "general_service": ["市委办", "市政府办", "市委组织部", "市委宣传部", "市政务办", "市统计局"],
}
# 区镇 (10): the towns and zones of the period
ZHANGJIAGANG_TOWNS = [("yangshe", "杨舍镇"), ("tangqiao", "塘桥镇"), ("jingang", "金港镇"),
                      ("jinfeng", "锦丰镇"), ("leyu", "乐余镇"), ("fenghuang_zjg", "凤凰镇"),
                      ("nanfeng", "南丰镇"), ("daxin", "大新镇"),
                      ("changyinsha", "常阴沙现代农业示范园区"), ("shuangshan", "双山岛旅游度假区")]

# Yiyang (seeds/000): 市直 units "根据工作性质分为党群类、经济发展类、社会工作类等八个类别";
# the other five categories are not named (the preset's names are assumptions)
YIYANG_DEPARTMENTS: dict[str, list[str]] = {
    "party_mass": ["市委办", "市委组织部", "市委宣传部", "市总工会", "团市委"],
    "economic_development": ["市发改委", "市工信局", "市商务局", "市财政局", "市农业农村局"],
    "social_work": ["市教育局", "市卫健委", "市民政局", "市人社局", "市文旅广体局"],
    "law_enforcement": ["市公安局", "市司法局", "市市场监管局", "市城管执法局"],
    "resources_environment": ["市自然资源和规划局", "市生态环境局", "市水利局", "市林业局"],
    "infrastructure": ["市住建局", "市交通运输局", "市城投集团"],
    "general_services": ["市政府办", "市统计局", "市审计局", "市机关事务局"],
    "vertical_units": ["市税务局", "市气象局", "国家统计局益阳调查队"],
}

DEPARTMENT_SPECS = {
    # completion-type task indicators (%), assessment scores (分)
    "key_tasks": _Spec("key_tasks", "bounded", 95.0, 0.3, 3.0, 1),
    "functional_work": _Spec("functional_work", "score", 88.0, 0.3, 4.0, 1),
    "service": _Spec("service", "score", 87.0, 0.3, 4.0, 1),
    "innovation": _Spec("innovation", "score", 80.0, 0.5, 7.0, 1),
    "efficiency": _Spec("efficiency", "score", 89.0, 0.2, 3.5, 1),
    "public_accountability": _Spec("public_accountability", "score", 90.0, 0.2, 3.0, 1),
    "temporary_work": _Spec("temporary_work", "bounded", 96.0, 0.2, 3.0, 1),
    "livelihood_projects": _Spec("livelihood_projects", "bounded", 96.0, 0.5, 3.0, 1),
    "environment": _Spec("environment", "score", 86.0, 0.3, 4.0, 1),
    "party_building_eval": _Spec("party_building_eval", "score", 88.0, 0.3, 3.5, 1),
    "clean_government": _Spec("clean_government", "score", 90.0, 0.2, 3.0, 1),
    "rule_of_law": _Spec("rule_of_law", "score", 88.0, 0.2, 3.5, 1),
}

TOWN_SPECS = [
    _Spec("gdp", "volume", 3_000_000.0, 0.10, 0.03, 0),  # 万元
    _Spec("fiscal_revenue", "volume", 280_000.0, 0.09, 0.05, 0),
    _Spec("fai", "volume", 1_200_000.0, 0.11, 0.08, 0),
    _Spec("foreign_investment", "volume", 40_000.0, 0.05, 0.15, 0),  # 万美元
    _Spec("urban_income", "percap", 38_000.0, 0.09, 0.012, 0),
    _Spec("rural_income", "percap", 19_000.0, 0.10, 0.015, 0),
    _Spec("env_quality", "bounded", 85.0, 0.8, 3.0, 1),
    _Spec("social_security", "bounded", 96.0, 0.3, 1.5, 1),
    _Spec("safety_accidents", "count", 1.0, -0.05, 0.0, 0),
    _Spec("stability", "score", 88.0, 0.2, 3.5, 1),
]


@dataclass(frozen=True)
class DepartmentSample:
    """What one department preset's sample holds: units, indicators, ratings (id → max)."""

    units: dict[str, list[str]]
    prefix: str
    indicators: list[str]
    ratings: dict[str, float]
    years: list[int]


def _units_frame(units: dict[str, list[str]], prefix: str,
                 rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for s, (seq, names) in enumerate(units.items(), 1):
        for i, name in enumerate(names, 1):
            staff = int(rng.integers(12, 120))
            rows.append((f"{prefix}{s}{i:02d}", name, seq, staff))
    return pd.DataFrame(rows, columns=["unit_id", "name", "sequence", "staff"])


def _ratings(rng: np.random.Generator, unit_ids: list[str], years: list[int],
             comps: dict[str, float], level: float = 0.86, sd: float = 0.05) -> pd.DataFrame:
    rows = [(u, y, c, round(float(np.clip(rng.normal(level, sd), 0.5, RATING_TOP) * hi), 2))
            for u in unit_ids for y in years for c, hi in comps.items()]
    return pd.DataFrame(rows, columns=["unit_id", "year", "component", "score"])


def department_sample(spec: DepartmentSample, seed: int) -> dict[str, pd.DataFrame]:
    """Units in their sequences, their indicator values and ratings for the years."""
    rng = np.random.default_rng(seed)
    units = _units_frame(spec.units, spec.prefix, rng)
    specs = [DEPARTMENT_SPECS[i] for i in spec.indicators]
    obs = _observations(rng, [(u, float(s), 1.0) for u, s in zip(units["unit_id"], units["staff"])],
                        specs, spec.years)
    ratings = _ratings(rng, list(units["unit_id"]), spec.years, spec.ratings)
    return {"units": units, "observations": obs, "ratings": ratings}


YIYANG_DEPT = DepartmentSample(
    YIYANG_DEPARTMENTS, "yy", ["key_tasks", "functional_work", "public_accountability"], {},
    [2017, 2018, 2019])
HESHAN_DEPT = DepartmentSample(
    HESHAN_DEPARTMENTS, "hs",
    ["functional_work", "livelihood_projects", "environment", "party_building_eval",
     "clean_government", "rule_of_law"],
    {"work_report": 200.0, "public_survey": 100.0}, [2011, 2012, 2013])
XIANGXI_DEPT = DepartmentSample(
    XIANGXI_DEPARTMENTS, "xx",
    ["key_tasks", "functional_work", "efficiency", "public_accountability", "temporary_work"],
    {"routine": 15.0, "self_building": 15.0, "public_recognition": 20.0}, [2010, 2011])
ZHANGJIAGANG_DEPT = DepartmentSample(
    ZHANGJIAGANG_DEPARTMENTS, "zjg",
    ["key_tasks", "service", "innovation"],
    {"leadership": 20.0, "grassroots_review": 10.0, "efficiency_survey": 10.0},
    [2011, 2012, 2013])


def heshan_departments_sample(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The 87 Heshan departments and stationed units of the 2013 scheme, 2011–2013."""
    tables = department_sample(HESHAN_DEPT, seed + 1)
    # work report near 200·0.7, public survey near 100·0.7: totals spread across 700
    ids = list(tables["units"]["unit_id"])
    rng = np.random.default_rng(seed + 11)
    tables["ratings"] = _ratings(rng, ids, HESHAN_DEPT.years, HESHAN_DEPT.ratings, 0.70, 0.11)
    tables["events"] = pd.DataFrame([
        (ids[0], 2013, "commendation_provincial", 1, "", None),
        (ids[8], 2013, "commendation_city", 1, "", None),
        (ids[20], 2013, "acceptance_deducted", 1, "", 1.5),  # 被扣1.5分,给予相应减分
        (ids[30], 2013, "criticism_city", 1, "", None),
        (ids[45], 2013, "veto", 1, "", None),
    ], columns=["unit_id", "year", "event", "count", "project", "points"])
    return tables


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "明华军平伟红建国志文斌勇静丽敏强磊洪涛峰"


def persons_sample(units: pd.DataFrame, years: list[int], rng: np.random.Generator,
                   members: int = 3) -> pd.DataFrame:
    """One head (班子正职) and ``members`` members (班子成员) per unit, with personal scores."""
    rows = []
    for uid in units["unit_id"]:
        people = [("head", 0)] + [("member", k) for k in range(1, members + 1)]
        for role, k in people:
            pid = f"{uid}p{k}"
            name = (SURNAMES[int(rng.integers(len(SURNAMES)))]
                    + GIVEN[int(rng.integers(len(GIVEN)))] + GIVEN[int(rng.integers(len(GIVEN)))])
            talent = rng.normal(0, 1)
            for y in years:
                votes = int(rng.integers(40, 80))
                basic_share = float(np.clip(rng.normal(0.06 - 0.05 * talent, 0.06), 0, 0.6))
                rows.append((pid, uid, name, role, y,
                             round(float(np.clip(rng.normal(85 + 4 * talent, 3), 50, 100)), 1),
                             round(float(np.clip(rng.normal(86 + 4 * talent, 3), 50, 100)), 1),
                             None if role == "head" else
                             round(float(np.clip(rng.normal(84 + 5 * talent, 5), 30, 100)), 1),
                             round(float(np.clip(rng.normal(82 + 8 * talent, 8), 20, 100)), 1),
                             votes, round(votes * basic_share)))
    return pd.DataFrame(rows, columns=["person_id", "unit_id", "name", "role", "year", "character",
                                       "democratic", "portfolio", "quantitative", "votes_total",
                                       "votes_basic"])


def yiyang_departments_sample(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Yiyang 市直 units in the eight categories, 2017–2019 (no ratings: 取消了主观评估)."""
    tables = department_sample(YIYANG_DEPT, seed + 5)
    del tables["ratings"]
    return tables


def xiangxi_departments_sample(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Xiangxi 州直 units in the seven department categories, 2010–2011, with their cadres."""
    tables = department_sample(XIANGXI_DEPT, seed + 2)
    tables["persons"] = persons_sample(tables["units"], XIANGXI_DEPT.years,
                                       np.random.default_rng(seed + 22))
    return tables


def zhangjiagang_departments_sample(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Zhangjiagang 市级机关 in the four categories, 2011–2013."""
    return department_sample(ZHANGJIAGANG_DEPT, seed + 3)


def zhangjiagang_towns_sample(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Zhangjiagang's 10 区镇 on the 1000-point scheme, 2011–2013, with bonus/deduction events."""
    rng = np.random.default_rng(seed + 4)
    years = [2011, 2012, 2013]
    sizes = np.exp(rng.normal(0, 0.5, len(ZHANGJIAGANG_TOWNS)))
    sizes[0] = 1.0  # 杨舍镇 is the reference size
    units = pd.DataFrame([(u, n, "towns", round(float(s) * 100_000)) for (u, n), s in
                          zip(ZHANGJIAGANG_TOWNS, sizes)],
                         columns=["unit_id", "name", "sequence", "population"])
    obs = _observations(rng, [(u, float(p), 1.0) for u, p in
                              zip(units["unit_id"], units["population"])], TOWN_SPECS, years)
    events = pd.DataFrame([
        ("jingang", 2013, "innovation_award", 1, "", None),
        ("tangqiao", 2013, "commendation_provincial", 1, "", None),
        ("leyu", 2013, "supervision_deduction", 1, "", 4.0),
        ("daxin", 2013, "criticism_city", 1, "", None),
    ], columns=["unit_id", "year", "event", "count", "project", "points"])
    return {"units": units, "observations": obs, "events": events}


SOURCE_SAMPLES = {
    "heshan_departments": heshan_departments_sample,
    "xiangxi_departments": xiangxi_departments_sample,
    "zhangjiagang_departments": zhangjiagang_departments_sample,
    "zhangjiagang_towns": zhangjiagang_towns_sample,
    "yiyang_departments": yiyang_departments_sample,
}
