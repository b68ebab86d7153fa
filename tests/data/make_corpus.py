"""Write the corpus of awkward and bad input files under tests/data/ (committed with them).

Each folder (a data folder of CSVs) or workbook is named for what is awkward or wrong in
it; ``tests/test_corpus.py`` states what each must load to or which message it must give.
Run ``python tests/data/make_corpus.py`` after changing a case; the output is deterministic.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

UNITS = ("unit_id,name,sequence,staff\n"
         "chengguan_e,城关镇(东),towns,120\n"
         "chengguan_w,城关镇(西),towns,95\n"
         "heshan,赫山区,counties,1450\n")


def _obs(*rows: str, header: str = "unit_id,year,indicator,value") -> str:
    return "\n".join([header, *rows]) + "\n"


# folder -> {file name: (text, encoding)}
CSV_CASES: dict[str, dict[str, tuple[str, str]]] = {
    # --- files that load ------------------------------------------------------------
    "utf8_bom": {
        "units.csv": (UNITS, "utf-8-sig"),
        "observations.csv": (_obs("heshan,2013,gdp,300.5", "chengguan_e,2013,gdp,12"),
                             "utf-8-sig"),
    },
    "gbk_encoded": {
        "units.csv": (UNITS, "gbk"),
        "observations.csv": (_obs("赫山区,2013,gdp,300.5", "城关镇(东),2013,gdp,12"), "gbk"),
    },
    "thousands_separators": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs('heshan,2013,gdp,"12,345.6"', 'chengguan_e,2013,gdp,"1,234,567"',
                                  "chengguan_w,2013,gdp,999"), "utf-8"),
    },
    "fullwidth_digits": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,２０１３,gdp,１２３", "chengguan_e,2013,gdp,１２，３４５．６",
                                  "chengguan_w,2013,gdp,－５"), "utf-8"),
    },
    "percent_values": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,poverty_rate,8.5%", "chengguan_e,2013,poverty_rate,"
                                  "１２％", "heshan,2013,gdp,300"), "utf-8"),
    },
    "surrounding_spaces": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs(" heshan , 2013 , gdp ,  300.5 ", "chengguan_e,2013 ,gdp, 12 ",
                                  header=" unit_id , year,indicator , value "), "utf-8"),
    },
    "unit_names": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("城关镇（东） ,2013,gdp,12", " 城关镇 (西),2013,gdp,9",
                                  "赫 山 区,2013,gdp,300"), "utf-8"),
    },
    "year_suffix": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013年,gdp,300", "heshan,2014.0,gdp,310"), "utf-8"),
    },
    "title_row_csv": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": ("2013年各单位考核数据,,,\n" + _obs("heshan,2013,gdp,300",
                                                           "chengguan_e,2013,gdp,12"), "utf-8"),
    },
    "optional_missing": {
        "units.csv": (("unit_id,name,sequence,staff\nheshan,赫山区,counties,—\n"
                       "ziyang,资阳区,counties,920\n"), "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,300", "ziyang,2013,gdp,200"), "utf-8"),
        "events.csv": (("unit_id,year,event,count,project\nheshan,2013,commend_city,1,—\n"
                        "ziyang,2013,commend_city,2,\n"), "utf-8"),
    },
    # --- files that must be refused ---------------------------------------------------
    "latin1_encoded": {
        "units.csv": ("unit_id,name,sequence\nheshan,Café,counties\n", "latin-1"),
        "observations.csv": (_obs("heshan,2013,gdp,300"), "utf-8"),
    },
    "missing_markers": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,—", "heshan,2014,gdp,-", "heshan,2015,gdp,/",
                                  "heshan,2016,gdp,－", "heshan,2017,gdp,",
                                  "heshan,2018,gdp,300"), "utf-8"),
    },
    "duplicate_observation": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,300", "chengguan_e,2013,gdp,12",
                                  "heshan,2013,gdp,301"), "utf-8"),
    },
    "unknown_unit": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,300", "heshn,2013,gdp,12",
                                  "heshn,2014,gdp,13"), "utf-8"),
    },
    "ambiguous_unit_name": {
        "units.csv": (("unit_id,name,sequence\nchengguan_a,城关镇,towns\n"
                       "chengguan_b,城关镇,agricultural_towns\n"), "utf-8"),
        "observations.csv": (_obs("chengguan_a,2013,gdp,10", "城关镇,2013,gdp,12"), "utf-8"),
    },
    "non_numeric_value": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,abc", "heshan,2014,gdp,12亿元",
                                  "heshan,2015,gdp,300"), "utf-8"),
    },
    "ambiguous_comma": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs('heshan,2013,gdp,"12,5"'), "utf-8"),
    },
    "mixed_percent": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,poverty_rate,8.5%", "chengguan_e,2013,poverty_rate,"
                                  "0.09"), "utf-8"),
    },
    "percent_in_score": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,300"), "utf-8"),
        "ratings.csv": ("unit_id,year,component,score\nheshan,2013,work_report,85%\n", "utf-8"),
    },
    "fractional_year": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013.5,gdp,300"), "utf-8"),
    },
    "negative_count": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,300"), "utf-8"),
        "events.csv": ("unit_id,year,event,count\nheshan,2013,commend_city,-1\n", "utf-8"),
    },
    "too_many_cells": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,300", "heshan,2014,gdp,12,345.6"), "utf-8"),
    },
    "missing_column": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": ("unit_id,year,indicator,amount\nheshan,2013,gdp,300\n", "utf-8"),
    },
    "duplicate_column": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": ("unit_id,year,indicator,value,value\nheshan,2013,gdp,300,301\n",
                             "utf-8"),
    },
    "blank_line_then_bad_value": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs("heshan,2013,gdp,300", "", "heshan,2014,gdp,n/a?"), "utf-8"),
    },
    "many_problems": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": (_obs(*[f"heshan,{2000 + i},gdp,x{i}" for i in range(25)]), "utf-8"),
    },
    "empty_file": {
        "units.csv": (UNITS, "utf-8"),
        "observations.csv": ("", "utf-8"),
    },
    "missing_required_file": {
        "units.csv": (UNITS, "utf-8"),
    },
}


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    """Write a workbook with fixed metadata so the bytes do not depend on the clock."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            # a (value, number format) pair is a formatted cell, e.g. (0.085, "0.0%")
            ws.append([c[0] if isinstance(c, tuple) else c for c in row])
            for j, c in enumerate(row, start=1):
                if isinstance(c, tuple):
                    ws.cell(row=ws.max_row, column=j).number_format = c[1]
    wb.save(path)
    _freeze_zip(path)


def _freeze_zip(path: Path) -> None:
    """Rewrite the xlsx zip with fixed entry times and document dates (byte-identical reruns)."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
            zout.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data,
                          compress_type=zipfile.ZIP_DEFLATED)


UNIT_ROWS: list[list[object]] = [["unit_id", "name", "sequence", "staff"],
                                 ["chengguan_e", "城关镇(东)", "towns", 120],
                                 ["chengguan_w", "城关镇(西)", "towns", 95],
                                 ["heshan", "赫山区", "counties", 1450]]

XLSX_CASES: dict[str, dict[str, list[list[object]]]] = {
    # a title row and a blank row above the header, an extra sheet that must be ignored
    "title_row.xlsx": {
        "说明": [["本工作簿为测试数据"], ["extra sheets are ignored"]],
        "units": UNIT_ROWS,
        "observations": [["2013年各单位指标数据（单位：亿元）"], [],
                         ["unit_id", "year", "indicator", "value"],
                         ["heshan", 2013, "gdp", 300.5],
                         ["chengguan_e", 2013, "gdp", "12,345.6"],
                         ["城关镇（西）", 2013, "gdp", 7]],
    },
    "title_row_bad_value.xlsx": {
        "units": UNIT_ROWS,
        "observations": [["2013年各单位指标数据"],
                         ["unit_id", "year", "indicator", "value"],
                         ["heshan", 2013, "gdp", 300.5],
                         ["chengguan_e", 2013, "gdp", "—"]],
    },
    "header_not_found.xlsx": {
        "units": UNIT_ROWS,
        "observations": [["单位", "年份", "指标", "数值"], ["heshan", 2013, "gdp", 300.5]],
    },
    # percent-formatted cells store 0.085 but show 8.5%: read as shown, like a CSV "8.5%"
    "percent_formatted.xlsx": {
        "units": UNIT_ROWS,
        "observations": [["unit_id", "year", "indicator", "value"],
                         ["heshan", 2013, "poverty_rate", (0.085, "0.0%")],
                         ["chengguan_e", 2013, "poverty_rate", (0.12, "0%")],
                         ["heshan", 2013, "gdp", (12345.6, "#,##0.0")]],
    },
    "extra_sheets.xlsx": {
        "Units ": UNIT_ROWS,
        "observations": [["unit_id", "year", "indicator", "value"], ["heshan", 2013, "gdp", 300]],
        "notes": [["anything"]],
        "pivot": [[1, 2, 3]],
    },
}


def main() -> None:
    """Rewrite every corpus case."""
    for folder, files in CSV_CASES.items():
        target = HERE / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name, (text, encoding) in files.items():
            (target / name).write_bytes(text.encode(encoding))
    for name, sheets in XLSX_CASES.items():
        _workbook(HERE / name, sheets)


if __name__ == "__main__":
    main()
