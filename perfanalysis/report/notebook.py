"""Helpers the notebooks call: set-up, figure and table display, table saving.

Notebooks hold narrative, parameters and calls; everything they share lives here.
``notebook_setup`` loads and checks data + scheme, registers a Plotly renderer whose outputs
carry HTML (plotly.js inline, once per notebook, as an output of its own) and a PNG when static export
works, so Quarto and nbconvert both show the charts, and returns a context that saves
tables atomically into ``OUT/tables``.
"""

from __future__ import annotations

import atexit
import base64
import html
import math
import os
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer

from ..engine.data import Dataset, check_data, load_data
from ..engine.rounding import fmt
from ..engine.scheme import Scheme, load_scheme
from . import _nbformat  # noqa: F401 - before nbformat: imports it without the IRI grammars
from .charts import figure_spec, use_report_template
from .export import write_table
from .wording import real_minus

PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: CSS class of the div around each chart's HTML, and of the plotly.js script output.
FIGURE_CLASS = "pa-figure"
PLOTLYJS_CLASS = "pa-plotlyjs"
SORT_HINT = "点击表头可排序。"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                 "chrome")

_state: dict[str, Any] = {"plotlyjs_done": False, "server": False, "png_failed": None}


def find_browser() -> str | None:
    """Path of a Chrome/Chromium kaleido can drive (``BROWSER_PATH`` first), or None."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).is_file():
        return env
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def png_export_status() -> dict[str, Any]:
    """Whether figures get a static PNG (needed for charts in DOCX), and why not if not:
    ``note`` for run.json and the terminal, ``note_zh`` for the DOCX's readers."""
    if os.environ.get("PERFANALYSIS_PNG", "1").strip().lower() in ("0", "false", "no"):
        return {"available": False, "browser": None,
                "note": "PNG export switched off (PERFANALYSIS_PNG=0): DOCX without charts",
                "note_zh": "本次运行未导出图表图片"}
    browser = find_browser()
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return {"available": False, "browser": browser,
                "note": "kaleido is not installed: no PNG charts, DOCX without charts",
                "note_zh": "未安装图表图片导出组件"}
    if browser is None:
        return {"available": False, "browser": None,
                "note": "no Chrome/Chromium found (install Debian's 'chromium' or set "
                        "BROWSER_PATH): no PNG charts, DOCX without charts",
                "note_zh": "本机未找到导出图表图片所需的浏览器"}
    return {"available": True, "browser": browser, "note": "PNG charts via kaleido",
            "note_zh": "部分图表未能导出为图片"}


def _start_png_server() -> None:
    """Keep one headless browser for the whole notebook (first image ~4 s, then ~0.3 s)."""
    if _state["server"]:
        return
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    _state["server"] = True
    atexit.register(kaleido.stop_sync_server, silence_warnings=True)


#: Room the chart title takes at the top of a figure (px): the PNG goes without it.
TITLE_PX = 50


def png_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A chart's JSON data as the DOCX shows it: without its title, which is the picture's
    caption there (a title drawn in the image and printed below it would appear twice); the
    top margin shrinks by the title's room. The data are shared, not copied: only the
    layout's title and margin are new."""
    layout = dict(spec.get("layout") or {})
    title = layout.get("title")
    layout["title"] = {**(title if isinstance(title, dict) else {}), "text": ""}
    margin = dict(layout.get("margin") or {})
    top = margin.get("t")
    margin["t"] = max(30, (100 if top is None else top) - TITLE_PX)
    layout["margin"] = margin
    return {**spec, "layout": layout}


#: Set by the run for its kernels: charts leave the notebooks without PNG and the run adds
#: them afterwards in one browser session for all chapters (``add_chart_pngs``).
PNG_DEFER_ENV = "PERFANALYSIS_PNG_DEFER"


def _png_deferred() -> bool:
    return os.environ.get(PNG_DEFER_ENV, "").strip() == "1"


def _png(spec: dict[str, Any], force: bool = False) -> str | None:
    """Base64 PNG of a chart's JSON data (without its title: ``png_spec``), or None when
    static export is unavailable or fails, or is left to the run (``PNG_DEFER_ENV``). The
    data go to kaleido as they are: the notebook's JSON is plotly's own output, so building
    and validating a figure from it again (twice, with deep copies) only cost time."""
    if (not force and _png_deferred()) or not png_export_status()["available"] \
            or _state["png_failed"]:
        return None
    layout = spec.get("layout") or {}
    try:
        _start_png_server()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = pio.to_image(png_spec(spec), format="png", width=layout.get("width") or 900,
                                height=layout.get("height") or 460, scale=2, validate=False)
    except Exception as exc:  # noqa: BLE001 - kaleido/choreographer raise many kinds; noted
        _state["png_failed"] = f"{type(exc).__name__}: {exc}"
        return None
    return base64.b64encode(data).decode("ascii")


def add_chart_pngs(notebooks: list[Path]) -> tuple[int, int]:
    """Add the PNG of every chart output that has none, in this process's one headless
    browser (kaleido starts once for all notebooks instead of once per kernel); each
    notebook is rewritten atomically. Returns (charts, charts with PNG). Charts stay without
    PNG when static export is unavailable (the DOCX then says so)."""
    import nbformat

    n = with_png = 0
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        changed = False
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if PLOTLY_MIME not in data:
                    continue
                n += 1
                if "image/png" not in data:
                    spec = {k: v for k, v in data[PLOTLY_MIME].items() if k != "config"}
                    png = _png(spec, force=True)
                    if png is not None:
                        data["image/png"] = png
                        changed = True
                with_png += "image/png" in data
        if changed:
            tmp = path.with_name(f".{path.name}.tmp")
            nbformat.write(nb, tmp)
            tmp.replace(path)
    return n, with_png


def plotlyjs_bundle() -> dict[str, Any]:
    """plotly.js as an output of its own (never together with a chart): Quarto hoists any
    output carrying plotly.js into the page header, which must not take a chart with it."""
    from plotly.offline import get_plotlyjs

    return {"text/html": f'<script type="text/javascript" class="{PLOTLYJS_CLASS}">'
                         f"{get_plotlyjs()}</script>",
            "text/plain": ""}


def _spec_title(spec: dict[str, Any]) -> str:
    """The title text of a figure's JSON data ("" when it has none)."""
    title = spec.get("layout", {}).get("title") or {}
    return str((title.get("text") if isinstance(title, dict) else title) or "")


def figure_html(fig: go.Figure | dict[str, Any], config: dict[str, Any]) -> str:
    """A chart's HTML without plotly.js, wrapped in a ``pa-figure`` div naming its title
    (the renderers and tests find charts by it); ``fig`` a figure or its JSON data."""
    spec = fig if isinstance(fig, dict) else figure_spec(fig)
    title = html.escape(_spec_title(spec), quote=True)
    inner = pio.to_html(spec, full_html=False, include_plotlyjs=False, config=config,
                        default_width="100%", validate=False)
    return f'<div class="{FIGURE_CLASS}" data-title="{title}">{inner}</div>'


def figure_bundle(fig: go.Figure) -> dict[str, Any]:
    """The mimebundle of a figure: plotly JSON, HTML (no plotly.js: ``plotlyjs_bundle``),
    PNG when possible. Built from the figure's JSON data encoded once (``figure_spec``)."""
    from .charts import reader_axes_spec

    spec = reader_axes_spec(figure_spec(fig))
    config = {"displaylogo": False, "responsive": True}
    bundle: dict[str, Any] = {
        PLOTLY_MIME: spec | {"config": config},
        "text/html": figure_html(spec, config),
        "text/plain": f"<图表: {_spec_title(spec)}>",
    }
    if not _png_deferred() and png_export_status()["available"]:
        png = _png(spec)
        if png is not None:
            bundle["image/png"] = png
    return bundle


def _display_plotlyjs_once() -> None:
    """Display plotly.js as its own output before the notebook's first chart."""
    if _state["plotlyjs_done"]:
        return
    from IPython.display import display

    _state["plotlyjs_done"] = True
    display(plotlyjs_bundle(), raw=True)


class _ReportRenderer(MimetypeRenderer):
    """Plotly renderer behind ``fig.show()`` in the notebooks (same outputs as ``show``)."""

    def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, Any]:
        _display_plotlyjs_once()
        return figure_bundle(go.Figure(fig_dict))


def use_report_renderer() -> None:
    """Make ``fig.show()`` emit HTML (+PNG) outputs instead of plotly JSON only."""
    pio.renderers["perfanalysis"] = _ReportRenderer()
    pio.renderers.default = "perfanalysis"


def show(fig: go.Figure) -> None:
    """Display a figure (HTML + PNG outputs); plotly.js goes out once per notebook, as an
    output of its own just before the first chart."""
    from IPython.display import display

    _display_plotlyjs_once()
    display(figure_bundle(fig), raw=True)


def _column_align(col: pd.Series) -> str:
    """"right" for a numeric column (as its cells), else "left"."""
    numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
    return "right" if numeric else "left"


#: A header naming a count (单位数, 序列数, 比较组数, 最大组单位数, 单位数(个)); 系数 and
#: 指数 (coefficients, indices) are not counts
_COUNT_HEADER = re.compile(r"(?<![系指])数(?:[((][^))]*[))])?$")


def count_columns(df: pd.DataFrame) -> list[bool]:
    """Which columns are counts shown as whole numbers: a float column (float because a
    missing value or a merge made it so) whose header names a count and whose every finite
    value is whole, so 31 units read "31", not "31.00"."""
    out = []
    for c in df.columns:
        col = df[c]
        whole = False
        if _COUNT_HEADER.search(str(c)) and pd.api.types.is_float_dtype(col):
            v = col.to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            whole = bool(len(v)) and bool(np.all(v == np.round(v)))
        out.append(whole)
    return out


def sortable_table_html(df: pd.DataFrame, caption: str = "", digits: int = 2) -> str:
    """An HTML table whose column headers sort it on click (small inline script, no CDN).
    Numbers are printed half-up to ``digits`` decimals (counts whole: ``count_columns``),
    negative ones with the minus sign U+2212 (the sort key keeps the plain value)."""
    # each header aligned as its column's cells (numbers right, text left)
    head = "".join(f"<th title='点击排序' style='text-align:{_column_align(df[c])}'>"
                   f"{html.escape(str(c))}</th>" for c in df.columns)
    places = [0 if whole else digits for whole in count_columns(df)]
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for v, d in zip(row, places, strict=True):
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                # missing (NaN: no boundary on that side)
                cells.append("<td data-v='Infinity' style='text-align:center'>—</td>")
            elif isinstance(v, float):
                cells.append(f"<td data-v='{v!r}' style='text-align:right'>"
                             f"{real_minus(fmt(v, d))}</td>")
            elif isinstance(v, (int,)) and not isinstance(v, bool):
                cells.append(f"<td data-v='{v}' style='text-align:right'>{real_minus(str(v))}</td>")
            else:
                cells.append(f"<td style='text-align:left'>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        "<table class='pa-sortable dataframe'>" + cap + f"<thead><tr>{head}</tr></thead>"
        "<tbody>" + "".join(body) + "</tbody></table>"
        "<script>(function(){var t=document.currentScript.previousElementSibling;"
        # the hint exists only where the script runs (HTML), never in DOCX
        "var h=document.createElement('p');h.className='pa-hint';h.textContent="
        f"'{SORT_HINT}';t.parentNode.insertBefore(h,t);"
        "t.querySelectorAll('th').forEach(function(th,i){th.style.cursor='pointer';"
        "th.addEventListener('click',function(){var b=t.tBodies[0],"
        "rows=Array.from(b.rows),asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';"
        "rows.sort(function(r1,r2){var a=r1.cells[i],c=r2.cells[i];"
        "var x=a.dataset.v!==undefined?parseFloat(a.dataset.v):a.textContent,"
        "y=c.dataset.v!==undefined?parseFloat(c.dataset.v):c.textContent;"
        "var d=(typeof x==='number')?x-y:String(x).localeCompare(String(y),'zh');"
        "return asc?d:-d;});rows.forEach(function(r){b.appendChild(r);});});});})();"
        "</script>"
    )


def show_table(df: pd.DataFrame, caption: str = "", digits: int = 2) -> None:
    """Display a sortable table (HTML) with a plain-text fallback."""
    from IPython.display import display

    display({"text/html": sortable_table_html(df, caption, digits),
             "text/plain": df.to_string(index=False)}, raw=True)


#: A table longer than this is shown as its top and bottom rows plus the units asked about
#: (``long_table_excerpt``); the whole table is in scores.xlsx.
LONG_TABLE_ROWS = 60


def long_table_excerpt(df: pd.DataFrame, sort_by: str, n: int = 10,
                       keep: list[str] | None = None, key: str = "name",
                       ascending: bool = False) -> tuple[pd.DataFrame, str | None]:
    """What a report page shows of a table of thousands of rows (national scale): the first
    and last ``n`` rows by ``sort_by`` and the rows whose ``key`` is in ``keep`` (the units
    asked about), in that order, with a first column 位置 (前n / 关注单位 / 后n). A table of
    at most ``LONG_TABLE_ROWS`` rows comes back whole with None. Row order is stable (ties
    by position in ``df``), so the same table gives the same excerpt."""
    if sort_by not in df.columns:
        raise KeyError(f"long_table_excerpt: no column {sort_by!r} in the table "
                       f"(columns: {', '.join(map(str, df.columns))})")
    if len(df) <= LONG_TABLE_ROWS or len(df) <= 2 * n:
        return df, None
    ordered = df.sort_values(sort_by, ascending=ascending, kind="stable")
    top, bottom = ordered.head(n), ordered.tail(n)
    shown = set(top.index) | set(bottom.index)
    wanted = set(keep or [])
    middle = ordered.loc[[i for i in ordered.index if i not in shown
                          and key in ordered.columns and str(ordered.at[i, key]) in wanted]]
    parts = [top.assign(位置=f"前{n}"), middle.assign(位置="关注单位"),
             bottom.assign(位置=f"后{n}")]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return out[["位置", *df.columns]], sort_by


def show_long_table(df: pd.DataFrame, caption: str, sort_by: str, sheet: str | None = None,
                    n: int = 10,
                    keep: list[str] | None = None, key: str = "name", label: str | None = None,
                    ascending: bool = False, digits: int = 2) -> None:
    """Show a table that may have thousands of rows: whole when short, else a sentence
    saying how many rows there are and where the full table is (``sheet`` of scores.xlsx),
    then the excerpt of ``long_table_excerpt`` (top/bottom ``n`` by ``sort_by`` — named
    ``label`` for the reader — plus the units in ``keep``). ``sheet`` names the scores.xlsx
    sheet only when it is a reader's (Chinese) name."""
    shown, by = long_table_excerpt(df, sort_by, n, keep, key, ascending)
    if by is not None:
        order = "从高到低" if not ascending else "从低到高"
        extra = f"、{len(shown) - 2 * n}个关注单位" if len(shown) > 2 * n else ""
        where = f"scores.xlsx 的“{sheet}”工作表" if sheet else "scores.xlsx"
        show_text([(f"本表共{len(df)}行,下表按{label or sort_by}{order}列出前{n}行、后{n}行"
                   f"{extra};完整表格见 {where}。")])
    show_table(shown, caption, digits)


def unit_rows_excerpt(df: pd.DataFrame, keep: list[str] | None = None, key: str = "单位",
                      limit: int = LONG_TABLE_ROWS) -> tuple[pd.DataFrame, str | None]:
    """What a report page shows of a table with one or more rows per unit (indicator
    detail, tier history) at national scale: the whole table when it has at most ``limit``
    rows; else the rows of the units in ``keep`` (the units asked about), or, when none of
    them is in the table, the rows of the table's first units up to ``limit`` rows. The
    second value says which (None: whole; "关注单位" or "前n个单位")."""
    if len(df) <= limit:
        return df, None
    if key not in df.columns:
        raise KeyError(f"unit_rows_excerpt: no column {key!r} in the table "
                       f"(columns: {', '.join(map(str, df.columns))})")
    wanted = set(keep or [])
    chosen = df.loc[df[key].astype(str).isin(wanted)]
    if len(chosen):
        return chosen, "关注单位"
    units = list(dict.fromkeys(df[key].astype(str)))
    per_unit = max(1, int(np.ceil(len(df) / max(len(units), 1))))
    first = set(units[: max(1, limit // per_unit)])
    chosen = df.loc[df[key].astype(str).isin(first)]
    return chosen, f"前{len(first)}个单位"


def show_unit_rows(df: pd.DataFrame, caption: str, keep: list[str] | None = None,
                   key: str = "单位", digits: int = 2, limit: int = LONG_TABLE_ROWS) -> None:
    """Show a per-unit table that may have thousands of rows: whole up to ``limit`` rows,
    else a sentence saying how many rows and units it has and that the full table is in
    scores.xlsx, then the rows of ``unit_rows_excerpt`` (the units in ``keep``)."""
    shown, which = unit_rows_excerpt(df, keep, key, limit)
    if which is not None:
        n_units = df[key].nunique()
        show_text([(f"本表共{len(df)}行({n_units}个单位),下表列出{which}"
                    f"({shown[key].nunique()}个)的{len(shown)}行;完整表格见 scores.xlsx。")])
    show_table(shown.reset_index(drop=True), caption, digits)


def show_text(paragraphs: list[str]) -> None:
    """Display generated sentences as Markdown paragraphs, negative numbers with a real
    minus sign (``wording.real_minus``: a hyphen lets the DOCX break a line inside a
    number)."""
    from IPython.display import Markdown, display

    display(Markdown(real_minus("\n\n".join(paragraphs))))


@dataclass
class NotebookContext:
    """What a notebook works on: validated data and scheme, the year, and where to save."""

    data: Dataset
    scheme: Scheme
    year: int
    seed: int
    out_dir: Path

    @property
    def tables_dir(self) -> Path:
        return self.out_dir / "tables"

    def save_table(self, name: str, df: pd.DataFrame) -> Path:
        """Write ``OUT/tables/<name>.csv`` atomically (collected into scores.xlsx by the run)."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"table name {name!r}: use letters, digits and '_' only")
        return write_table(df, self.tables_dir / f"{name}.csv", sheet=name)


def notebook_setup(data_dir: str | Path, scheme_path: str | Path, year: int,
                   out_dir: str | Path, seed: int = 0) -> NotebookContext:
    """Load and check data + scheme for ``year``, set the Plotly renderer and the report's
    chart template, return a context."""
    scheme = load_scheme(scheme_path)
    data = load_data(data_dir, scheme)  # the scheme reads office workbooks
    check_data(data, scheme, int(year))
    use_report_renderer()
    use_report_template()
    _state["plotlyjs_done"] = False
    pd.set_option("display.precision", 2)
    return NotebookContext(data=data, scheme=scheme, year=int(year), seed=int(seed),
                           out_dir=Path(out_dir))
