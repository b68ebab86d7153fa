"""Seeded generator of the bundled sample data (illustrative values, realistic shapes).

The Yiyang sample has the 8 county-level units with their 2020 census sizes; the Heshan
sample the 16 towns and streets of the 2013 scheme. Volumes scale with size, growth rates
are noisier for small units, and each table follows the data contract. The committed CSVs
under ``data/sample/`` are this module's output for the default seed (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import write_text_atomic

DEFAULT_SEED = 20181214  # proposal No. 1214


@dataclass(frozen=True)
class _Spec:
    id: str
    kind: str  # volume | rate | score | count | reverse_rate
    base: float  # value for a unit of reference size (volumes) or a typical value
    trend: float  # yearly growth of volumes / yearly drift of rates
    noise: float
    decimals: int


YIYANG_UNITS = [
    # unit_id, name, 2020 census residents, relative GDP per resident, staff
    ("heshan", "赫山区", 729_880, 1.00, 1450),
    ("ziyang", "资阳区", 356_405, 1.05, 920),
    ("yuanjiang", "沅江市", 567_159, 0.95, 1280),
    ("nanxian", "南县", 489_267, 0.85, 1150),
    ("taojiang", "桃江县", 685_596, 0.75, 1320),
    ("anhua", "安化县", 780_969, 0.60, 1520),
    ("datonghu", "大通湖区", 83_100, 0.90, 310),
    ("gaoxin", "益阳高新区", 159_188, 2.10, 260),
]

YIYANG_SPECS = [
    _Spec("gdp", "volume", 215.0, 0.09, 0.02, 2),  # 赫山区 ≈176亿 in 2011, ≈408亿 in 2020
    _Spec("fiscal_revenue", "volume", 14.0, 0.07, 0.05, 2),
    _Spec("fai", "volume", 190.0, 0.12, 0.06, 2),
    _Spec("industry_va", "volume", 80.0, 0.08, 0.04, 2),
    _Spec("retail_sales", "volume", 75.0, 0.10, 0.02, 2),
    _Spec("urban_income", "percap", 22000.0, 0.085, 0.012, 0),
    _Spec("rural_income", "percap", 11500.0, 0.09, 0.015, 0),
    _Spec("energy_intensity", "declining", 0.62, -0.04, 0.03, 3),
    _Spec("poverty_rate", "declining", 6.0, -0.30, 0.10, 2),
    _Spec("debt_ratio", "rate", 85.0, 2.0, 12.0, 1),
    _Spec("pm25", "declining", 52.0, -0.05, 0.05, 1),
    _Spec("water_quality", "bounded", 88.0, 1.0, 4.0, 1),
    _Spec("party_building_eval", "score", 88.0, 0.3, 3.5, 1),
    _Spec("clean_government", "score", 90.0, 0.2, 3.0, 1),
    _Spec("safety_deaths", "count", 3.0, -0.05, 0.0, 0),
    _Spec("petitions", "count", 6.0, -0.08, 0.0, 0),
    _Spec("security_satisfaction", "bounded", 91.0, 0.4, 2.0, 1),
]

HESHAN_UNITS = [
    # unit_id, name, sequence, residents (illustrative), staff
    ("quanjiaohe", "泉交河镇", "industrial_towns", 62_000, 85),
    ("lanxi", "兰溪镇", "industrial_towns", 78_000, 96),
    ("longguangqiao", "龙光桥镇", "industrial_towns", 58_000, 80),
    ("henglongqiao", "衡龙桥镇", "industrial_towns", 71_000, 90),
    ("cangshuipu", "沧水铺镇", "industrial_towns", 66_000, 88),
    ("nijiangkou", "泥江口镇", "industrial_towns", 45_000, 70),
    ("paikou", "牌口乡", "agricultural_towns", 24_000, 48),
    ("oujiangcha", "欧江岔镇", "agricultural_towns", 52_000, 72),
    ("bijiashan", "笔架山乡", "agricultural_towns", 21_000, 45),
    ("bazishao", "八字哨镇", "agricultural_towns", 49_000, 70),
    ("yuejiaqiao", "岳家桥镇", "agricultural_towns", 43_000, 66),
    ("xinshidu", "新市渡镇", "agricultural_towns", 47_000, 68),
    ("heshan_st", "赫山街道", "streets", 95_000, 110),
    ("taohualun", "桃花仑街道", "streets", 88_000, 102),
    ("jinyinshan", "金银山街道", "streets", 56_000, 78),
    ("huilongshan", "会龙山街道", "streets", 42_000, 64),
]

HESHAN_SPECS = [
    _Spec("fiscal_revenue", "volume", 9000.0, 0.12, 0.06, 0),  # 万元
    _Spec("fai", "volume", 120000.0, 0.18, 0.08, 0),
    _Spec("retail_sales", "volume", 60000.0, 0.14, 0.03, 0),
    _Spec("urban_income", "percap", 17000.0, 0.11, 0.015, 0),
    _Spec("rural_income", "percap", 9500.0, 0.12, 0.02, 0),
    _Spec("family_planning_rate", "bounded", 94.0, 0.3, 2.5, 1),
    _Spec("new_countryside", "score", 85.0, 0.5, 5.0, 1),
    _Spec("livelihood_projects", "bounded", 96.0, 0.5, 3.0, 1),
    _Spec("petitions", "count", 3.0, -0.05, 0.0, 0),
    _Spec("safety_accidents", "count", 0.8, -0.05, 0.0, 0),
    _Spec("public_order", "score", 86.0, 0.3, 4.0, 1),
    _Spec("investment_attraction", "volume", 30000.0, 0.15, 0.10, 0),
    _Spec("project_funding", "volume", 2500.0, 0.08, 0.15, 0),
]


def _series(rng: np.random.Generator, spec: _Spec, size: float, ref: float,
            wealth: float, years: list[int]) -> np.ndarray:
    """One unit's yearly values; small units get noisier growth (σ ∝ 1/√size)."""
    n = len(years)
    scale = np.sqrt(ref / size)
    if spec.kind in ("volume", "percap"):
        level0 = spec.base * (size / ref if spec.kind == "volume" else 1.0) * wealth
        level0 *= float(np.exp(rng.normal(0, 0.08)))
        g = spec.trend + rng.normal(0, 0.01) + rng.normal(0, spec.noise * scale, n)
        g[0] = 0.0
        return level0 * np.cumprod(1 + g)
    if spec.kind == "declining":
        level0 = spec.base * float(np.exp(rng.normal(0, 0.2))) / np.sqrt(wealth)
        g = spec.trend + rng.normal(0, spec.noise * min(scale, 2.5), n)
        g[0] = 0.0
        return level0 * np.cumprod(1 + g)
    if spec.kind == "count":
        lam = spec.base * np.sqrt(size / ref) * np.exp(spec.trend * np.arange(n))
        return rng.poisson(lam).astype(float)
    drift = spec.trend * np.arange(n)
    x = spec.base + rng.normal(0, spec.noise * 0.6) + drift + rng.normal(0, spec.noise * 0.5, n)
    if spec.kind in ("bounded", "score"):
        x = np.minimum(x, 99.5)
    return x


def _observations(rng: np.random.Generator, units: list[tuple[str, float, float]],
                  specs: list[_Spec], years: list[int]) -> pd.DataFrame:
    ref = float(units[0][1])  # volumes are given for the first unit's size (赫山区 / 泉交河镇)
    rows = []
    for spec in specs:
        for uid, size, wealth in units:
            values = _series(rng, spec, size, ref, wealth, years)
            for y, v in zip(years, values):
                rows.append((uid, y, spec.id, round(float(v), spec.decimals)))
    df = pd.DataFrame(rows, columns=["unit_id", "year", "indicator", "value"])
    return df.sort_values(["unit_id", "indicator", "year"], kind="stable").reset_index(drop=True)


def yiyang_sample(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The 8 Yiyang county-level units, 2013–2019: units, observations and ratings."""
    rng = np.random.default_rng(seed)
    years = list(range(2013, 2020))
    units = pd.DataFrame(
        [(u, n, "counties", pop, staff) for u, n, pop, _, staff in YIYANG_UNITS],
        columns=["unit_id", "name", "sequence", "population_2020", "staff"])
    obs = _observations(rng, [(u, pop, w) for u, _, pop, w, _ in YIYANG_UNITS],
                        YIYANG_SPECS, years)
    rows = []
    for uid, *_ in YIYANG_UNITS:
        for y in years:
            for comp, hi in (("routine", 20.0), ("self_building", 20.0),
                             ("public_recognition", 15.0)):
                rows.append((uid, y, comp, round(float(np.clip(rng.normal(0.86, 0.05), 0.6, 1.0)
                                                       * hi), 2)))
    ratings = pd.DataFrame(rows, columns=["unit_id", "year", "component", "score"])
    return {"units": units, "observations": obs, "ratings": ratings}


def heshan_sample(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The 16 Heshan towns and streets, 2011–2013, with ratings and events."""
    rng = np.random.default_rng(seed + 2013)
    years = [2011, 2012, 2013]
    units = pd.DataFrame([(u, n, s, pop, staff) for u, n, s, pop, staff in HESHAN_UNITS],
                         columns=["unit_id", "name", "sequence", "population", "staff"])
    wealth = {"industrial_towns": 1.2, "agricultural_towns": 0.8, "streets": 1.1}
    obs = _observations(rng, [(u, pop, wealth[s]) for u, _, s, pop, _ in HESHAN_UNITS],
                        HESHAN_SPECS, years)
    rows = []
    for uid, *_ in HESHAN_UNITS:
        for y in years:
            rows.append((uid, y, "work_report", round(float(np.clip(rng.normal(158, 16), 100, 200)), 1)))
            rows.append((uid, y, "public_survey", round(float(np.clip(rng.normal(78, 8), 50, 100)), 1)))
    ratings = pd.DataFrame(rows, columns=["unit_id", "year", "component", "score"])
    events = pd.DataFrame([
        # illustrative events for 2013 covering each rule of the scheme
        ("lanxi", 2013, "commendation_central", 1, "美丽乡村示范"),
        ("lanxi", 2013, "commendation_provincial", 1, "美丽乡村示范"),
        ("lanxi", 2013, "commendation_provincial", 1, "平安建设"),
        ("oujiangcha", 2013, "commendation_city", 2, ""),
        ("bazishao", 2013, "commendation_central", 1, "农田水利建设"),
        ("heshan_st", 2013, "commendation_provincial", 1, "社区服务"),
        ("taohualun", 2013, "acceptance_passed", 1, ""),
        ("cangshuipu", 2013, "veto", 1, ""),
        ("nijiangkou", 2013, "corruption_case", 1, ""),
        ("nijiangkou", 2013, "criticism_city", 1, ""),
        ("paikou", 2013, "poll_bottom10", 1, ""),
        ("jinyinshan", 2013, "criticism_provincial", 1, ""),
        ("henglongqiao", 2012, "commendation_city", 1, ""),
    ], columns=["unit_id", "year", "event", "count", "project"])
    return {"units": units, "observations": obs, "ratings": ratings, "events": events}


def write_sample(tables: dict[str, pd.DataFrame], folder: Path | str) -> Path:
    """Write tables as UTF-8 CSVs (atomically, one file at a time)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        write_text_atomic(folder / f"{name}.csv", df.to_csv(index=False, lineterminator="\n"))
    return folder


def write_all_samples(root: Path | str, seed: int = DEFAULT_SEED) -> list[Path]:
    """Regenerate ``root/yiyang`` and ``root/heshan``."""
    root = Path(root)
    return [write_sample(yiyang_sample(seed), root / "yiyang"),
            write_sample(heshan_sample(seed), root / "heshan")]
