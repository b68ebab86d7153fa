"""Write office_workbook.xlsx: the Yiyang sample as an evaluation office keeps it.

One sheet per year (``2013年`` … ``2019年``), each with a merged title row, a two-row header
(序号 and 单位名称 merged down, group titles merged across their indicators, indicator names
as in the scheme, money in 万元 where the scheme says 亿元), one row per county, amounts in
万元 written as text with thousands separators (as pasted from statistics bulletins) or as
numbers formatted ``#,##0.0``, a 合计 row and a note under the table. A 说明 sheet explains
the book. The bytes are reproducible (fixed zip times).

Run: .venv/bin/python tests/data/office/make_office_workbook.py
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font

from perfanalysis.engine.office import rate_series
from perfanalysis.engine.scheme import Group, load_scheme
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_XML_TIME = "1980-01-01T00:00:00Z"
_CORE_TIME = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
HERE = Path(__file__).resolve().parent
OUT = HERE / "office_workbook.xlsx"
WAN = {"gdp", "fiscal_revenue", "fai", "industry_va", "retail_sales"}  # 亿元 → 万元 in the book
AS_TEXT = {"gdp", "fai"}  # pasted as text "2,782,800.0"


def _reproducible_xlsx(path: Path) -> None:
    """Make an .xlsx byte-identical across runs: fixed zip entry times and core dates.

    openpyxl stamps the workbook with the time of writing (docProps/core.xml and every zip
    entry); the same book must give the same bytes.
    """
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(rf"\g<1>{FIXED_XML_TIME}\g<2>",
                                      data.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)

def build(path: Path = OUT) -> Path:
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    obs = pd.read_csv(SAMPLE_DIR / "yiyang" / "observations.csv")
    units = pd.read_csv(SAMPLE_DIR / "yiyang" / "units.csv")
    comp = scheme.components[0]
    # each official rate a blend half reads follows its leaf: "地区生产总值增速(%)"
    groups = [(g.name, [x for leaf in g.children for x in
                        ([leaf, rate_series(leaf)] if leaf.series(1) != leaf.id else [leaf])])
              for g in comp.children or [] if isinstance(g, Group)]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for year in sorted(obs["year"].unique()):
        ws = wb.create_sheet(f"{year}年")
        width = 2 + sum(len(leaves) for _, leaves in groups)
        ws.cell(1, 1, f"益阳市{year}年度县市区绩效考核指标完成情况")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        for col, text in ((1, "序号"), (2, "单位名称")):
            ws.cell(2, col, text)
            ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
        col = 3
        for gname, leaves in groups:
            ws.cell(2, col, gname)
            ws.merge_cells(start_row=2, start_column=col, end_row=2,
                           end_column=col + len(leaves) - 1)
            for leaf in leaves:
                unit = "万元" if leaf.id in WAN else leaf.unit
                # money in 万元 always says so; other units are written on every other column
                bracket = unit and (leaf.id in WAN or col % 2)
                ws.cell(3, col, f"{leaf.name}({unit})" if bracket else leaf.name)
                col += 1
        year_obs = obs.loc[obs["year"] == year].pivot(index="unit_id", columns="indicator",
                                                      values="value")
        row = 4
        totals: dict[int, float] = {}
        for k, u in enumerate(units.itertuples(index=False), start=1):
            ws.cell(row, 1, k)
            ws.cell(row, 2, u.name)
            col = 3
            for _g, leaves in groups:
                for leaf in leaves:
                    v = year_obs.at[u.unit_id, leaf.id] if leaf.id in year_obs.columns else None
                    if v is None or pd.isna(v):
                        ws.cell(row, col, "—")
                    elif leaf.id in WAN:
                        wan = round(float(v) * 10000, 1)
                        totals[col] = totals.get(col, 0.0) + wan
                        if leaf.id in AS_TEXT:
                            ws.cell(row, col, f"{wan:,.1f}")
                        else:
                            ws.cell(row, col, wan).number_format = "#,##0.0"
                    else:
                        ws.cell(row, col, float(v))
                    col += 1
            row += 1
        ws.cell(row, 1, "合计")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        for c, total in totals.items():
            ws.cell(row, c, round(total, 1)).number_format = "#,##0.0"
        ws.cell(row + 1, 1, "注:金额单位为万元;数据来源于市统计局、市财政局。")
        ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=width)
    notes = wb.create_sheet("说明", 0)
    notes.cell(1, 1, "本表由市考核办汇总,各年度一张工作表。")
    wb.save(path)
    _reproducible_xlsx(path)
    return path


if __name__ == "__main__":
    print(f"wrote {build()}")
