"""The report's frame: a short title block on top (title, scheme, year, the illustrative-data
notice) so the first screen is the answer, and a closing appendix "数据与方法说明" with the
data fingerprint, parameters and software versions (renderer and pandoc actually used)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..paths import SAMPLE_DIR
from ..sample import SAMPLE_MARKER

SAMPLE_NOTICE = ("本报告使用项目自带的示例数据:数值由随机种子生成,仅用于演示分析方法,"
                 "不反映任何单位的真实绩效,不得作为考核依据。")


def is_sample_data(path: Path | str) -> bool:
    """True for the bundled sample: a folder (or a workbook's folder) holding SAMPLE.md,
    or any path inside ``data/sample``."""
    p = Path(path).resolve()
    folder = p if p.is_dir() else p.parent
    if (folder / SAMPLE_MARKER).is_file():
        return True
    try:
        p.relative_to(SAMPLE_DIR.resolve())
    except ValueError:
        return False
    return True


def report_title(record: dict[str, Any]) -> str:
    """The report's title, e.g. '益阳市2018年县市区绩效考核(示例权重) · 2019年度分析报告'."""
    return f"{record['scheme']['name']} · {record['parameters']['year']}年度分析报告"


APPENDIX_HEADING = "数据与方法说明"
#: Packages that belong to one renderer: listed only through ``renderer_tools``.
RENDERER_PACKAGES = ("nbconvert", "pypandoc-binary")


def _table(header: tuple[str, str], pairs: list[tuple[str, str]]) -> str:
    def cell(v: str) -> str:
        return v.replace("|", "\\|").replace("\n", " ")

    lines = [f"| {header[0]} | {header[1]} |", "|:---|:---|"]
    lines += [f"| {cell(k)} | {cell(v)} |" for k, v in pairs]
    return "\n".join(lines)


def title_block_markdown(record: dict[str, Any], with_title: bool = True,
                         docx_note: str | None = None) -> str:
    """The top of the report: title (unless the renderer sets it from front matter), scheme
    and year in one line, the illustrative-data notice, and the DOCX chart note if any."""
    p = record["parameters"]
    out: list[str] = []
    if with_title:
        out.append(f"# {report_title(record)}")
    out.append(f"**考核方案**:{record['scheme']['name']}　**考核年度**:{p['year']}年")
    if record["data"]["illustrative_sample"]:
        out.append(f"> **示例数据说明**:{SAMPLE_NOTICE}")
    if docx_note:
        out.append(f"*{docx_note}*")
    return "\n\n".join(out) + "\n"


def software_rows(record: dict[str, Any], renderer_tools: dict[str, str]) -> list[tuple[str, str]]:
    """Software versions for the appendix: the packages, then the renderer and the pandoc
    that actually produced this report (``renderer_tools``, e.g. quarto / pandoc)."""
    rows = [(k, str(v)) for k, v in record["packages"].items() if k not in RENDERER_PACKAGES]
    labels = {"quarto": "渲染器 Quarto", "nbconvert": "渲染器 nbconvert",
              "pandoc": "pandoc(DOCX 转换)"}
    rows += [(labels.get(k, k), v) for k, v in renderer_tools.items()]
    git = record.get("git")
    if git:
        rows.append(("git commit", git["commit"] + ("(有未提交的修改)" if git["dirty"] else "")))
    return rows


def appendix_markdown(record: dict[str, Any], renderer_tools: dict[str, str],
                      docx_note: str | None = None) -> str:
    """The closing appendix "数据与方法说明": report information (scheme file, data and its
    SHA-256 fingerprint, seed), study parameters, software versions, where run.json is."""
    p = record["parameters"]
    basics = [
        ("考核方案", f"{record['scheme']['name']}({record['scheme']['id']})"),
        ("方案文件", str(p["scheme"])),
        ("考核年度", str(p["year"])),
        ("数据", str(p["data"])),
        ("数据指纹(SHA-256)", f"`{record['data']['fingerprint']}`"),
        ("随机种子", str(p["seed"])),
    ]
    out = [f"# 附录 {APPENDIX_HEADING}",
           "## 报告信息\n\n" + _table(("项目", "内容"), basics)]
    if record["data"]["illustrative_sample"]:
        out.append(f"> **示例数据说明**:{SAMPLE_NOTICE}")
    study = p.get("study_parameters") or {}
    if study:
        out.append("## 研究参数\n\n" + _table(("参数", "取值"),
                                               [(k, repr(v)) for k, v in sorted(study.items())]))
    out.append("## 软件版本\n\n" + _table(("软件", "版本"), software_rows(record, renderer_tools)))
    out.append("本报告由 `perfanalysis run` 生成;全部参数、输入文件的 SHA-256 与各章执行时间"
               "记录在报告同目录的 `run.json` 中。")
    if docx_note:
        out.append(f"*{docx_note}*")
    return "\n\n".join(out) + "\n"
