"""Convert the shipped NBS provincial panels into the project's data contract.

Reads the three source CSVs in ``data/real/china_provinces/source/`` (unchanged copies of the
files in the reference-data folder, with their licences) and writes ``units.csv`` (31
provinces, their region as ``sequence``, the 2010 and 2020 census populations) and
``observations.csv`` (long: the indicators ``data/schemes/china_provinces.yaml`` scores).
Values are copied as written in the sources (亿元), never re-rounded, so the output is
byte-identical on every run; ``tests/test_china_provinces.py`` checks that the committed files
equal this script's output.

Usage: ``python scripts/make_china_provinces.py [FOLDER]`` (default: the shipped folder).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "data" / "real" / "china_provinces"

#: province code (first two digits of GB/T 2260) -> unit_id (pinyin; 山西 shanxi, 陕西 shaanxi)
IDS: dict[str, str] = {
    "11": "beijing", "12": "tianjin", "13": "hebei", "14": "shanxi", "15": "neimenggu",
    "21": "liaoning", "22": "jilin", "23": "heilongjiang", "31": "shanghai", "32": "jiangsu",
    "33": "zhejiang", "34": "anhui", "35": "fujian", "36": "jiangxi", "37": "shandong",
    "41": "henan", "42": "hubei", "43": "hunan", "44": "guangdong", "45": "guangxi",
    "46": "hainan", "50": "chongqing", "51": "sichuan", "52": "guizhou", "53": "yunnan",
    "54": "xizang", "61": "shaanxi", "62": "gansu", "63": "qinghai", "64": "ningxia",
    "65": "xinjiang",
}
#: the usual four regions (source README), as sequences: region id -> province codes
REGIONS: dict[str, tuple[str, ...]] = {
    "east": ("11", "12", "13", "31", "32", "33", "35", "37", "44", "46"),
    "central": ("14", "34", "36", "41", "42", "43"),
    "west": ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"),
    "northeast": ("21", "22", "23"),
}
#: indicators copied into observations.csv: (source file, indicator, first year, last year)
SERIES: tuple[tuple[str, str, int, int], ...] = (
    ("province_gdp_2002_2011.csv", "gdp", 2002, 2011),
    ("province_gdp_2002_2011.csv", "tertiary_va", 2002, 2011),
    # the years where expenditure overlaps the GDP panel (so the latest year has every series)
    ("province_budget_expenditure_2010_2023.csv", "budget_expenditure", 2010, 2011),
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def build(source: Path) -> dict[str, str]:
    """The text of ``units.csv`` and ``observations.csv`` built from the source folder."""
    region_of = {code: reg for reg, codes in REGIONS.items() for code in codes}
    names: dict[str, str] = {}
    for r in _rows(source / "province_gdp_2002_2011.csv"):
        names.setdefault(r["province_code"][:2], r["province"])
    pop = {r["province_code"][:2]: r for r in
           _rows(source / "province_census_population_2010_2020.csv")}
    if set(names) != set(IDS) or set(pop) != set(IDS) or set(region_of) != set(IDS):
        raise ValueError(f"{source}: the sources do not cover the 31 provinces exactly")
    units = [[IDS[c], names[c], region_of[c], c + "0000",
              str(int(float(pop[c]["popu_2010"]))), str(int(float(pop[c]["popu_2020"])))]
             for c in sorted(IDS)]
    obs: list[list[str]] = []
    for fname, indicator, first, last in SERIES:
        for r in _rows(source / fname):
            if r["indicator"] == indicator and first <= int(r["year"]) <= last:
                obs.append([IDS[r["province_code"][:2]], r["year"], indicator,
                            r["value_100m_yuan"]])
    order = {ind: i for i, (_, ind, _, _) in enumerate(SERIES)}
    obs.sort(key=lambda row: (row[0], order[row[2]], int(row[1])))
    return {
        "units.csv": _csv(["unit_id", "name", "sequence", "code", "population_2010",
                           "population_2020"], units),
        "observations.csv": _csv(["unit_id", "year", "indicator", "value"], obs),
    }


def main(folder: Path = FOLDER) -> None:
    for name, text in build(folder / "source").items():
        tmp = folder / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(folder / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER)
