"""The report's frame: a short title block on top (title, scheme, year, the illustrative-data
notice) so the first screen is the answer, and a closing appendix "数据与方法说明" with the
data fingerprint, parameters and software versions (renderer and pandoc actually used)."""

from __future__ import annotations

from typing import Any

SAMPLE_NOTICE = ("本报告使用项目自带的示例数据:数值由随机种子生成,仅用于演示分析方法,"
                 "不反映任何单位的真实绩效,不得作为考核依据。")


def report_title(record: dict[str, Any]) -> str:
    """The report's title, e.g. '益阳市2018年县市区绩效考核(示例权重) · 2019年度分析报告'."""
    return f"{record['scheme']['name']} · {record['parameters']['year']}年度分析报告"


APPENDIX_HEADING = "数据与方法说明"
#: The appendix's name for each study parameter a run may set (``perfanalysis run -p``):
#: reader text never shows a parameter's code name. Every parameter a chapter declares has
#: one (tests/test_reader_text.py); a value is listed as given, in a column headed
#: ``PARAMETER_VALUE`` (it may be a file or an indicator the reader typed).
STUDY_PARAMETERS_ZH = {
    "alpha": "名次置信集的显著性水平",
    "alpha_step": "水平得分混合权重α的步长",
    "boot": "规模相关性区间的自助抽样次数",
    "chunk": "每批模拟次数",
    "cut_precision": "视为由微小分差决定等次的分差上限(分)",
    "draws": "模拟次数(0为自适应)",
    "error_model": "误差模型表",
    "focus_unit": "关注单位",
    "indicator": "分析的指标",
    "k": "历史规则使用的年数",
    "max_draws": "自适应模拟次数上限",
    "max_rank_sd": "可接受的名次标准差上限(名)",
    "max_size_rho": "可接受的得分与规模相关系数上限",
    "n_boot": "区间估计的自助抽样次数",
    "n_nearest": "列出的最接近等次边界的单位数",
    "noise": "默认误差模型的误差幅度",
    "noise_draws": "含误差数据的模拟次数",
    "panel_path": "回测使用的面板数据",
    "previous_data": "上年数据",
    "previous_scheme": "上年考核方案",
    "proposal": "所答复的建议文件",
    "rank_draws": "名次置信集的自助抽样次数",
    "roster_order": "等次名单的排列顺序",
    "rules": "比较的目标值确定规则",
    "scenarios": "改革情景文件",
    "se_target": "等次概率的目标标准误",
    "size": "单位规模口径",
    "size_column": "单位规模口径",
    "size_path": "单位规模数据文件",
    "sobol_samples": "敏感性分析(Sobol)的基础样本数",
    "weight_concentration": "指标分值随机扰动的集中度",
    "weight_range": "一级指标权重的变动幅度",
}
#: Header of the column that lists run parameters as given (files, indicator ids): data
#: the reader may need verbatim to repeat the run, not prose.
PARAMETER_VALUE = "设定值(原样)"
#: Rows of the report-information table whose values are file paths or fingerprints.
FILE_ROWS = ("方案文件", "数据", "数据指纹(SHA-256)")
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
        ("考核方案", str(record["scheme"]["name"])),
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
        rows = [(STUDY_PARAMETERS_ZH.get(k, k), str(v)) for k, v in sorted(study.items())]
        out.append("## 研究参数\n\n" + _table(("参数", PARAMETER_VALUE), rows))
    out.append("## 软件版本\n\n" + _table(("软件", "版本"), software_rows(record, renderer_tools)))
    out.append("本报告由 `perfanalysis run` 生成;全部参数、输入文件的 SHA-256 与各章执行时间"
               "记录在报告同目录的 `run.json` 中。")
    if docx_note:
        out.append(f"*{docx_note}*")
    return "\n\n".join(out) + "\n"
