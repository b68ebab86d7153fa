"""Render executed notebooks into one report: Quarto when on PATH, else nbconvert + pandoc.

Both renderers read the same combined notebook (title block, the chapters in the reading
order of ``reports/_quarto.yml``, the appendix "数据与方法说明"; plotly.js once, as an output
of its own just before the first chart) and work in a scratch folder under the run's staging
output, never in the source tree. Quarto gets that notebook as Markdown cells only (chart
HTML in raw ``{=html}`` blocks, PNG images with alt text for DOCX), so it never moves a chart
into the page header nor adds require.js/jQuery from a CDN. Both DOCX files use the same
official-document reference (``officialdoc``) and the same no-PNG note. The HTML is
self-contained: any ``http(s)://`` script, link or image left in it is reported as a warning.
"""

from __future__ import annotations

import base64
import copy
import html
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _nbformat  # noqa: F401 - before nbformat: imports it without the IRI grammars

# isort: split
import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from ..errors import PipelineError
from .cover import appendix_markdown, report_title, title_block_markdown
from .notebook import PLOTLY_MIME, PLOTLYJS_CLASS, plotlyjs_bundle, png_export_status
from .officialdoc import finish_docx, fits_page, write_reference_docx

RENDERERS = ("auto", "quarto", "nbconvert")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}
NO_PNG_NOTE = "DOCX 版不含图表({reason});交互图表请看 HTML 版。"
CHART_PLACEHOLDER = "{title}:交互图表见 HTML 版(DOCX 不含图表)"
MEDIA_DIR = "_docx_media"
REFERENCE_DOCX = "reference.docx"
#: What ``quarto render`` must write in its work folder.
QUARTO_OUTPUTS = ("report.html", "report.docx")
_EXTERNAL = re.compile(r"<(script|link|img)\b[^>]*?\b(src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
                       re.IGNORECASE)
_WARNING_LINE = re.compile(r"^\s*(WARN(ING)?\b|\[WARNING\])", re.IGNORECASE)


@dataclass
class RenderResult:
    """What the render step produced and how (warnings: the renderer's own, surfaced)."""

    renderer: str
    reason: str
    html: Path
    docx: Path | None
    docx_charts: bool
    notes: list[str] = field(default_factory=list)
    tool_versions: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def quarto_path() -> str | None:
    """The ``quarto`` executable on PATH, or None."""
    return shutil.which("quarto")


def choose_renderer(requested: str) -> tuple[str, str]:
    """Resolve ``auto``/``quarto``/``nbconvert`` to a renderer and say why."""
    if requested not in RENDERERS:
        raise PipelineError(f"unknown renderer '{requested}'; choose one of {', '.join(RENDERERS)}")
    found = quarto_path()
    if requested == "quarto":
        if found is None:
            raise PipelineError("renderer 'quarto' requested but 'quarto' is not on PATH; "
                                "install Quarto (environment.yml or https://quarto.org) or use "
                                "--renderer nbconvert")
        return "quarto", f"requested; quarto at {found}"
    if requested == "nbconvert":
        return "nbconvert", "requested"
    if found is not None:
        return "quarto", f"quarto found at {found}"
    return "nbconvert", "quarto not found on PATH: nbconvert HTML fallback"


# --- reading order ------------------------------------------------------------------------
def report_chapters(quarto_yml: Path) -> list[str]:
    """The ``report-chapters`` list of ``_quarto.yml`` (notebook file names, reading order)."""
    import yaml

    from ..yamlsafe import safe_load

    try:
        cfg = safe_load(Path(quarto_yml).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PipelineError(f"{quarto_yml}: cannot read the report's chapter list: {exc}"
                            ) from exc
    chapters = cfg.get("report-chapters")
    if not isinstance(chapters, list) or not all(isinstance(c, str) for c in chapters):
        raise PipelineError(f"{quarto_yml}: 'report-chapters' must be a list of notebook "
                            "file names (e.g. - 05_brief.ipynb)")
    dups = sorted({c for c in chapters if chapters.count(c) > 1})
    if dups:
        raise PipelineError(f"{quarto_yml}: report-chapters lists {', '.join(dups)} twice")
    return chapters


def reading_order(notebooks: list[Path], quarto_yml: Path) -> list[Path]:
    """The notebooks in the report's reading order (``report-chapters``); execution order
    stays name order. A chapter listed but not in the folder, or a notebook not listed, is
    an error naming both lists."""
    chapters = report_chapters(quarto_yml)
    by_name = {p.name: p for p in notebooks}
    missing = [c for c in chapters if c not in by_name]
    unlisted = [n for n in by_name if n not in chapters]
    if missing or unlisted:
        parts = []
        if missing:
            parts.append(f"listed but not in the notebooks folder: {', '.join(missing)}")
        if unlisted:
            parts.append(f"notebooks not listed: {', '.join(unlisted)}")
        raise PipelineError(f"{quarto_yml}: report-chapters and the notebooks differ ("
                            + "; ".join(parts) + "); list every notebook once, in reading "
                            "order")
    return [by_name[c] for c in chapters]


# --- one combined notebook ----------------------------------------------------------------
def _plotlyjs() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _html_of(out: dict[str, Any]) -> str | None:
    htm = out.get("data", {}).get("text/html")
    if isinstance(htm, list):
        htm = "".join(htm)
        out["data"]["text/html"] = htm
    return htm if isinstance(htm, str) else None


def _is_plotlyjs_output(out: dict[str, Any], js: str) -> bool:
    htm = _html_of(out)
    return (htm is not None and PLOTLY_MIME not in out.get("data", {})
            and (PLOTLYJS_CLASS in htm or js in htm))


def read_executed(path: Path) -> NotebookNode:
    """An executed chapter as nbformat 4, without re-validating it against the schema: it
    was just written by the run's own kernels (validation was a third of reading its 5 MB
    of chart outputs, and a report reads every chapter three times)."""
    from nbformat import v4

    nb = v4.reads(Path(path).read_text(encoding="utf-8"))  # lines joined, no validation
    if nb.get("nbformat") != 4:
        return nbformat.read(path, as_version=4)  # converted (and validated) by nbformat
    return nb


def combine(executed: list[Path], title_block: str, appendix: str,
            front_matter: str | None = None) -> NotebookNode:
    """One notebook: optional YAML front matter (raw cell), the title block, every chapter's
    cells (in the order given, without parameter cells), the appendix. Every plotly.js copy
    is dropped from the chapters' outputs and one plotly.js output is placed just before the
    first chart, apart from any chart."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    if front_matter is not None:
        nb.cells.append(new_raw_cell(front_matter))
    nb.cells.append(new_markdown_cell(title_block))
    js = _plotlyjs()
    first_chart: int | None = None
    for path in executed:
        chapter = read_executed(path)
        for cell in chapter.cells:
            if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                continue
            if cell.cell_type == "code":  # the chapter was read here: changed in place
                kept = []
                for out in cell.get("outputs", []):
                    if _is_plotlyjs_output(out, js):
                        continue
                    htm = _html_of(out)
                    if htm is not None and js in htm:  # older outputs: plotly.js inline
                        out["data"]["text/html"] = htm.replace(js, "")
                    if PLOTLY_MIME in out.get("data", {}) and first_chart is None:
                        first_chart = len(nb.cells)
                    kept.append(out)
                cell["outputs"] = kept
            nb.cells.append(cell)
    nb.cells.append(new_markdown_cell(appendix))
    if first_chart is not None:
        js_cell = new_code_cell("", outputs=[new_output("display_data", data=plotlyjs_bundle())])
        nb.cells.insert(first_chart, js_cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"report-{i:04d}"  # unique across chapters, stable across runs
    return nb


def no_png_note(record: dict[str, Any]) -> str:
    """Why the DOCX has no charts, for its readers (``png_export.note_zh``; run.json and
    the run's notes keep the technical reason, ``png_export.note``)."""
    reason = (record.get("png_export") or {}).get("note_zh")
    return NO_PNG_NOTE.format(reason=reason or png_export_status()["note_zh"])


def _png_reason(record: dict[str, Any]) -> str:
    return str((record.get("png_export") or {}).get("note") or png_export_status()["note"])


def chart_counts(nb: NotebookNode) -> tuple[int, int]:
    """Charts in a notebook and how many carry a PNG (what a DOCX can show)."""
    n = png = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if PLOTLY_MIME in out.get("data", {}):
                n += 1
                png += "image/png" in out["data"]
    return n, png


def _chart_title(data: dict[str, Any]) -> str:
    fig = data.get(PLOTLY_MIME)
    layout = fig.get("layout", {}) if isinstance(fig, dict) else {}
    title = layout.get("title") or {}
    text = title.get("text") if isinstance(title, dict) else title
    return str(text or "图表")


def _write_png(media: Path, index: int, b64: str | list[str]) -> str:
    media.mkdir(parents=True, exist_ok=True)
    name = f"chart-{index:02d}.png"
    raw = "".join(b64) if isinstance(b64, list) else b64
    (media / name).write_bytes(base64.b64decode(raw))
    return name


def _docx_variant(nb: NotebookNode, media: Path) -> tuple[NotebookNode, int, int]:
    """The notebook made fit for the nbconvert DOCX: each chart becomes its PNG (written to
    ``media``, shown by an ``<img>`` whose alt text and caption are the chart's title) or a
    placeholder line when it has none; plotly.js is dropped. Returns the notebook, charts,
    charts with a PNG. ``nb`` is changed in place (the caller's freshly combined notebook)
    and returned."""
    n, with_png = 0, 0
    js = _plotlyjs()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if _is_plotlyjs_output(out, js):
                continue
            htm = _html_of(out)
            table = _TABLE.search(htm or "") if PLOTLY_MIME not in data else None
            note = wide_table_note(table.group(1)) if table else None
            if note is not None:
                out["data"] = {"text/html": f"<p><em>{html.escape(note)}</em></p>",
                               "text/plain": note}
            if PLOTLY_MIME in data:
                n += 1
                title = _chart_title(data)
                alt = html.escape(title, quote=True)
                if "image/png" in data:
                    with_png += 1
                    name = _write_png(media, with_png, data["image/png"])
                    out["data"] = {"text/html": f'<figure><img src="{name}" alt="{alt}" />'
                                                f"<figcaption>{alt}</figcaption></figure>",
                                   "text/plain": title}
                else:
                    text = html.escape(CHART_PLACEHOLDER.format(title=title))
                    out["data"] = {"text/html": f"<p><em>{text}</em></p>", "text/plain": title}
            kept.append(out)
        cell["outputs"] = kept
    return nb, n, with_png


# --- Quarto's input: Markdown cells only ----------------------------------------------------
def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def raw_html_block(content: str, html_only: bool = True) -> str:
    """A pandoc raw HTML block (fence longer than any backtick run inside), wrapped in a
    ``content-visible when-format="html"`` div unless ``html_only`` is False."""
    fence = _fence(content)
    block = f"{fence}{{=html}}\n{content}\n{fence}"
    return f'::: {{.content-visible when-format="html"}}\n{block}\n:::' if html_only else block


def _not_html(text: str) -> str:
    return f'::: {{.content-visible unless-format="html"}}\n{text}\n:::'


_TABLE = re.compile(r"(<table\b.*</table>)(.*)\Z", re.DOTALL | re.IGNORECASE)
#: A table with more columns than this does not fit a portrait A4 page (156 mm) legibly:
#: the DOCX points to the HTML and scores.xlsx instead; the HTML gives it the page width.
WIDE_TABLE_COLUMNS = 12
WIDE_TABLE_NOTE = ("“{caption}”共{cols}列、{rows}行,本文档从略;完整表格见网页版报告"
                   "(report.html)和 scores.xlsx。")


def table_shape(table_html: str) -> tuple[int, int]:
    """(columns, body rows) of an HTML table: header cells of its first row, ``<tr>`` of
    its body (all rows when it has no ``<tbody>``)."""
    first = re.search(r"<tr\b[^>]*>(.*?)</tr>", table_html, re.DOTALL | re.IGNORECASE)
    cols = len(re.findall(r"<t[hd]\b", first.group(1), re.IGNORECASE)) if first else 0
    body = re.search(r"<tbody\b.*?</tbody>", table_html, re.DOTALL | re.IGNORECASE)
    rows = len(re.findall(r"<tr\b", body.group(0) if body else table_html, re.IGNORECASE))
    return cols, rows - (0 if body else 1)


def table_texts(table_html: str) -> list[list[str]]:
    """Each row's cell texts (header row first) of an HTML table, as a reader sees them."""
    rows = []
    for tr in re.findall(r"<tr\b[^>]*>(.*?)</tr>", table_html, re.DOTALL | re.IGNORECASE):
        cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", tr, re.DOTALL | re.IGNORECASE)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def wide_table_note(table_html: str) -> str | None:
    """The DOCX's pointer for a table too wide for the page (more than
    ``WIDE_TABLE_COLUMNS`` columns, or numbers and text that do not fit the text width:
    ``officialdoc.fits_page``), None for one that fits."""
    cols, rows = table_shape(table_html)
    if cols <= WIDE_TABLE_COLUMNS and fits_page(table_texts(table_html)):
        return None
    cap = re.search(r"<caption\b[^>]*>(.*?)</caption>", table_html, re.DOTALL | re.IGNORECASE)
    caption = html.unescape(re.sub(r"<[^>]+>", "", cap.group(1))).strip() if cap else "该表"
    return WIDE_TABLE_NOTE.format(caption=caption, cols=cols, rows=rows)


def _md_attr(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def quarto_notebook(nb: NotebookNode, media: Path, media_name: str = MEDIA_DIR,
                    fmt: str | None = None, plotlyjs_src: str | None = None
                    ) -> tuple[NotebookNode, int, int]:
    """The notebook handed to Quarto: every output turned into Markdown, so Quarto's output
    handling (which hoists plotly.js outputs into the header and adds CDN require.js/jQuery
    for HTML outputs) never applies. Charts: raw HTML for HTML; for other formats their PNG
    (``media``, alt text and caption = chart title) or a placeholder line. Tables: the
    ``<table>`` for every format (Quarto parses it into a real table), scripts for HTML only.

    ``fmt`` None: one notebook for every format, each part wrapped in a ``content-visible``
    div. ``fmt`` "html" or another format: only that format's parts, unwrapped (the run
    renders each format from its own notebook: pandoc then never reads the 5 MB of plotly.js
    and chart HTML a DOCX drops, and PNGs are written only for the DOCX). ``plotlyjs_src``
    (HTML): plotly.js as ``<script src=...>`` of that file instead of inline; Quarto embeds
    it into the self-contained page (parsing it inline cost its HTML render seconds).
    Returns the notebook, charts, charts with a PNG."""
    out_nb = new_notebook(metadata=copy.deepcopy(nb.metadata))
    n = with_png = 0
    images = 0
    js = _plotlyjs()
    docx = fmt != "html"  # parts for the other formats (DOCX) are written

    def html_part(content: str) -> str | None:
        """Raw HTML shown only in HTML."""
        if fmt is None:
            return raw_html_block(content)
        return raw_html_block(content, html_only=False) if fmt == "html" else None

    def other_part(text: str) -> str | None:
        """Markdown shown in every format but HTML."""
        if fmt is None:
            return _not_html(text)
        return None if fmt == "html" else text
    for cell in nb.cells:
        if cell.cell_type != "code":
            out_nb.cells.append(copy.deepcopy(cell))
            continue
        for out in cell.get("outputs", []):
            parts: list[str | None] = []
            data = out.get("data", {})
            kind = out.get("output_type")
            if kind == "stream":
                if out.get("name") == "stdout" and str(out.get("text", "")).strip():
                    text = str(out["text"]).rstrip()
                    parts.append(f"{_fence(text)}\n{text}\n{_fence(text)}")
            elif kind == "error":
                text = f"{out.get('ename')}: {out.get('evalue')}"
                parts.append(f"{_fence(text)}\n{text}\n{_fence(text)}")
            elif _is_plotlyjs_output(out, js):
                parts.append(html_part(
                    f'<script type="text/javascript" class="{PLOTLYJS_CLASS}" '
                    f'src="{html.escape(plotlyjs_src, quote=True)}"></script>'
                    if plotlyjs_src else _html_of(out) or ""))
            elif PLOTLY_MIME in data:
                n += 1
                title = _chart_title(data)
                parts.append(html_part(_html_of(out) or ""))
                if "image/png" in data:
                    with_png += 1
                    if docx:
                        name = _write_png(media, with_png, data["image/png"])
                        parts.append(other_part(f'![{title}]({media_name}/{name})'
                                                f'{{fig-alt="{_md_attr(title)}"}}'))
                else:
                    parts.append(other_part(f"*{CHART_PLACEHOLDER.format(title=title)}*"))
            elif "text/markdown" in data:
                md = data["text/markdown"]
                parts.append("".join(md) if isinstance(md, list) else str(md))
            elif "text/html" in data:
                htm = _html_of(out) or ""
                table = _TABLE.search(htm)
                if table and "<script" not in table.group(1).lower():
                    before = htm[: table.start()]
                    if before.strip():
                        parts.append(html_part(before))
                    note = wide_table_note(table.group(1))
                    if note is None:
                        parts.append(raw_html_block(table.group(1), html_only=False))
                    else:  # the page's width in HTML, a pointer in the DOCX
                        wide = (f"::: {{.column-page .pa-wide-table}}\n"
                                f"{raw_html_block(table.group(1), html_only=False)}\n:::")
                        parts.append(wide if fmt == "html" else None if fmt is not None else
                                     f'::::: {{.content-visible when-format="html"}}\n'
                                     f"{wide}\n:::::")
                        parts.append(other_part(f"*{note}*"))
                    if table.group(2).strip():
                        parts.append(html_part(table.group(2)))
                else:
                    parts.append(html_part(htm))
            elif "image/png" in data:
                images += 1
                name = _write_png(media, 100 + images, data["image/png"])
                parts.append(f"![]({media_name}/{name})")
            elif "text/plain" in data:
                text = "".join(data["text/plain"]) if isinstance(
                    data["text/plain"], list) else str(data["text/plain"])
                parts.append(f"{_fence(text)}\n{text}\n{_fence(text)}")
            shown = [p for p in parts if p is not None]
            if shown:
                out_nb.cells.append(new_markdown_cell("\n\n".join(shown)))
    for i, c in enumerate(out_nb.cells):
        c["id"] = f"quarto-{i:04d}"
    return out_nb, n, with_png


# --- checks and tools ----------------------------------------------------------------------
def external_references(text: str) -> list[str]:
    """Every ``http(s)://`` (or protocol-relative) ``src=``/``href=`` of a script, link or
    img element: a self-contained report has none."""
    return [f"<{m.group(1).lower()} {m.group(2).lower()}={m.group(3)}>"
            for m in _EXTERNAL.finditer(text)]


def warning_lines(text: str) -> list[str]:
    """The warning lines a renderer printed (Quarto's ``WARN``, pandoc's ``[WARNING]``)."""
    return [line.strip() for line in text.splitlines() if _WARNING_LINE.match(line)]


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def _first_version(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "unknown"
    match = re.search(r"\d+(\.\d+)+", first)
    return match.group(0) if match else first


def pandoc_path() -> str | None:
    """The pandoc shipped by pypandoc-binary (or on PATH), or None."""
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        return shutil.which("pandoc")


def _self_contained(result: RenderResult) -> None:
    found = external_references(result.html.read_text(encoding="utf-8"))
    if found:
        result.warnings.append("HTML is not self-contained: external " + ", ".join(found[:5])
                               + (f" (+{len(found) - 5} more)" if len(found) > 5 else ""))


def _html_exporter() -> Any:
    """nbconvert's HTML exporter with the report template, code and prompts hidden."""
    from nbconvert import HTMLExporter

    return HTMLExporter(extra_template_basedirs=[str(TEMPLATES_DIR)],
                        template_name="perfanalysis_report", exclude_input=True,
                        exclude_input_prompt=True, exclude_output_prompt=True)


def _export_html(nb: NotebookNode, title: str, anchors: bool = True,
                 exporter: Any = None) -> tuple[str, list[str]]:
    """The page nbconvert makes of ``nb`` (its metadata title set here; nbconvert converts
    a copy), with the page's warnings. ``exporter``: one of ``_html_exporter`` to reuse
    (its templates are compiled once)."""
    exporter = exporter or _html_exporter()
    exporter.anchor_link_text = "¶" if anchors else ""
    nb.metadata["title"] = title
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # ResourceWarnings come from the garbage collector (a file some other code left open),
    # not from the conversion: they are not the renderer's warnings
    found = [f"nbconvert: {w.category.__name__}: {w.message}" for w in caught
             if not issubclass(w.category, ResourceWarning)]
    return unique_ids(body.replace('<html lang="en">', '<html lang="zh-CN">', 1)), found


_HEADING = re.compile(r'<h([12])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL | re.IGNORECASE)


def html_toc(html_text: str) -> str:
    """A table of contents (the chapters and their sections, linked) inserted before the
    first chapter heading, i.e. after the title block: the long nbconvert page otherwise has
    none. Scripts are not searched. Unchanged when there are fewer than two headings."""
    pieces = re.split(r"(<script\b.*?</script>|<style\b.*?</style>)", html_text,
                      flags=re.DOTALL | re.IGNORECASE)
    found: list[tuple[int, int, str, str]] = []  # (piece, offset, level, id, text)
    for i, piece in enumerate(pieces):
        if i % 2:
            continue
        for m in _HEADING.finditer(piece):
            text = html.unescape(re.sub(r"<[^>]+>", "", m.group(3))).replace("¶", "").strip()
            found.append((i, m.start(), m.group(1), m.group(2), text))  # type: ignore[arg-type]
    chapters = found[1:] if found and found[0][2] == "1" else found  # skip the title
    if len(chapters) < 2:
        return html_text
    items, open_sub = [], False
    for _, _, level, ident, text in chapters:  # type: ignore[misc]
        link = f'<a href="#{html.escape(ident, quote=True)}">{html.escape(text)}</a>'
        if level == "1":
            items.append(("</ul></li>" if open_sub else "</li>") if items else "")
            items.append(f"<li>{link}")
            open_sub = False
        else:
            items.append("" if open_sub else "<ul>")
            items.append(f"<li>{link}</li>")
            open_sub = True
    items.append("</ul></li>" if open_sub else "</li>")
    nav = ('<nav class="pa-toc" aria-label="目录"><details open><summary>目录</summary><ul>'
           + "".join(items) + "</ul></details></nav>\n")
    piece_i, offset = chapters[0][0], chapters[0][1]
    pieces[piece_i] = pieces[piece_i][:offset] + nav + pieces[piece_i][offset:]
    return "".join(pieces)


def unique_ids(html_text: str) -> str:
    """Make every element ``id="…"`` unique (结果摘要, 结果摘要-2, …), the heading's own
    anchor link following: chapters share heading names, and duplicate ids make pandoc warn
    and links jump to the first chapter. Script and style blocks (plotly.js) are untouched."""
    seen: dict[str, int] = {}
    pieces = re.split(r"(<script\b.*?</script>|<style\b.*?</style>)", html_text,
                      flags=re.DOTALL | re.IGNORECASE)
    return "".join(piece if i % 2 else _unique_ids_in(piece, seen)
                   for i, piece in enumerate(pieces))


def _unique_ids_in(text: str, seen: dict[str, int]) -> str:
    out: list[str] = []
    pos = 0
    for m in re.finditer(r'(?<=\s)id="([^"]+)"', text):
        ident = m.group(1)
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] == 1 or m.start() < pos:
            continue
        new = f"{ident}-{seen[ident]}"
        while new in seen:
            new += "-x"
        seen[new] = 1
        out.append(text[pos:m.start()])
        out.append(f'id="{new}"')
        pos = m.end()
        link = text.find(f'href="#{ident}"', pos, pos + 400)
        if link != -1:
            out.append(text[pos:link])
            out.append(f'href="#{new}"')
            pos = link + len(f'href="#{ident}"')
    out.append(text[pos:])
    return "".join(out)


def _pandoc_docx(pandoc: str, html_text: str, target: Path, title: str, media: Path,
                 reference: Path) -> list[str]:
    """HTML → DOCX with pandoc (images resolved in ``media``, official reference document);
    returns pandoc's warnings."""
    source = media / "report.html"
    media.mkdir(parents=True, exist_ok=True)
    source.write_text(html_text, encoding="utf-8")
    proc = _run([pandoc, str(source), "-f", "html", "-t", "docx", "-o", str(target),
                 "--metadata", f"title={title}", "--metadata", "toc-title=目录",
                 "--metadata", "lang=zh-Hans", "--toc",
                 f"--resource-path={media}", f"--reference-doc={reference}"])
    if proc.returncode != 0:
        raise PipelineError(f"DOCX conversion with pandoc failed (exit {proc.returncode}): "
                            f"{proc.stderr.strip()[-2000:]}")
    return [f"pandoc: {line}" for line in dict.fromkeys(warning_lines(proc.stderr))]


def render_nbconvert(executed: list[Path], record: dict[str, Any], dest: Path,
                     reason: str = "") -> RenderResult:
    """Fallback: one self-contained report.html (nbconvert, code hidden) and report.docx
    (pandoc with the official reference document; PNG charts when the notebooks carry them,
    else a note)."""
    import nbconvert

    title = report_title(record)
    pandoc = pandoc_path()
    tools = {"nbconvert": nbconvert.__version__}
    if pandoc is not None:
        tools["pandoc"] = _first_version(_run([pandoc, "--version"]).stdout)
    nb = combine(executed, title_block_markdown(record), appendix_markdown(record, tools))
    n_charts, n_png = chart_counts(nb)
    note = None if n_png == n_charts else no_png_note(record)
    html_path = dest / "report.html"
    exporter = _html_exporter()
    page, found = _export_html(nb, title, exporter=exporter)
    html_path.write_text(html_toc(page), encoding="utf-8")
    result = RenderResult("nbconvert", reason, html_path, None, False, tool_versions=tools,
                          warnings=found)
    _self_contained(result)
    if pandoc is None:
        result.notes.append("pandoc not available: no DOCX")
        return result
    media = dest / MEDIA_DIR
    docx_nb, _, _ = _docx_variant(combine(
        executed, title_block_markdown(record, with_title=False, docx_note=note),
        appendix_markdown(record, tools, docx_note=note)), media)
    docx_path = dest / "report.docx"
    try:
        reference = write_reference_docx(media / REFERENCE_DOCX)
        docx_html, found = _export_html(docx_nb, title, anchors=False, exporter=exporter)
        result.warnings += found
        result.warnings += _pandoc_docx(pandoc, docx_html, docx_path, title, media, reference)
        finish_docx(docx_path)
    except OSError as exc:
        raise PipelineError(f"DOCX conversion with pandoc failed: {exc}") from exc
    finally:
        shutil.rmtree(media, ignore_errors=True)
    result.docx = docx_path
    result.docx_charts = n_charts > 0 and n_png == n_charts
    if note:
        result.notes.append(f"no charts in DOCX: figures have no PNG ({_png_reason(record)})")
    return result


def quarto_front_matter(title: str, docx_beside_html: bool = True) -> str:
    """The report document's YAML front matter. A document-level ``format:`` limits Quarto to
    the formats it lists, so both are listed (DOCX alone made no HTML); the DOCX takes the
    official reference document. The HTML's "other formats" link to report.docx appears only
    when the DOCX is put beside the HTML (else it would point at nothing). The HTML keeps
    the chapters' tables as they are (``html-table-processing: none``): parsing them into
    Pandoc tables and writing them back took half of Quarto's HTML time and changed nothing
    a reader sees; the DOCX still gets real Word tables from them."""
    links = "true" if docx_beside_html else "false"
    return (f'---\ntitle: "{title}"\nlang: zh\ntoc-title: 目录\nformat:\n'
            f"  html:\n    format-links: {links}\n    html-table-processing: none\n"
            f"  docx:\n    reference-doc: {REFERENCE_DOCX}\n---")


#: Sub-folder of the Quarto work folder where the DOCX is rendered (a copy of the project:
#: Quarto ignores folders starting with "_" when it renders the project itself).
DOCX_WORKDIR = "_docx"
#: plotly.js beside the HTML's report.ipynb, loaded by ``<script src>`` (Quarto embeds it).
PLOTLYJS_FILE = "plotly.min.js"


def _render_formats(quarto: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``quarto render --to html`` in ``workdir`` and ``--to docx`` in ``workdir/_docx``
    (each folder holds the project and its format's report.ipynb: ``render_quarto``), at the
    same time (two processes: the HTML and the DOCX are independent pandoc runs, and the
    render is the run's last step, with every core free); the DOCX is moved beside the HTML.
    Returns one result holding both processes' output (HTML's first). A failing format is a
    ``PipelineError`` naming it, its folder and the last lines it printed."""
    from concurrent.futures import ThreadPoolExecutor

    docx_dir = workdir / DOCX_WORKDIR
    folders = {"html": workdir, "docx": docx_dir}
    with ThreadPoolExecutor(max_workers=len(folders)) as pool:
        futures = {fmt: pool.submit(_run, [quarto, "render", "--to", fmt], folder)
                   for fmt, folder in folders.items()}
        procs = {fmt: f.result() for fmt, f in futures.items()}
    for fmt, proc in procs.items():
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise PipelineError(f"quarto render --to {fmt} failed in {folders[fmt]} "
                                f"(exit {proc.returncode}):\n{tail}")
    if (docx_dir / "report.docx").is_file():
        (docx_dir / "report.docx").replace(workdir / "report.docx")
    return subprocess.CompletedProcess(
        [quarto, "render"], 0, "".join(p.stdout or "" for p in procs.values()),
        "".join(p.stderr or "" for p in procs.values()))


def render_quarto(executed: list[Path], record: dict[str, Any], dest: Path, workdir: Path,
                  reports_dir: Path, reason: str = "", docx_beside_html: bool = True
                  ) -> RenderResult:
    """Quarto: copy the Quarto project to ``workdir`` (HTML) and ``workdir/_docx`` (DOCX),
    add each format's report.ipynb (front matter with the official reference document,
    title block, chapters, appendix; Markdown cells only, that format's parts only:
    ``quarto_notebook``) and render them to self-contained HTML and DOCX at the same time
    (``_render_formats``), both copied to ``dest``. An output Quarto did not write (though
    it exited 0) is a ``PipelineError`` naming the file."""
    quarto = quarto_path()
    if quarto is None:
        raise PipelineError("quarto is not on PATH")
    if workdir.exists():
        shutil.rmtree(workdir)
    docx_dir = workdir / DOCX_WORKDIR
    for folder in (workdir, docx_dir):
        shutil.copytree(reports_dir, folder, ignore=shutil.ignore_patterns(
            ".quarto", "_site", "_freeze", "*.html", "*.docx"))
    tools = {"quarto": _first_version(_run([quarto, "--version"]).stdout),
             "pandoc": _first_version(_run([quarto, "pandoc", "--version"]).stdout)}
    title = report_title(record).replace('"', "'")
    front = quarto_front_matter(title, docx_beside_html)
    # the chapters are read once; the title block and appendix (no charts) are filled in
    # when the charts are counted, since their DOCX note depends on it
    nb = combine(executed, "", "", front_matter=front)
    n_charts, n_png = chart_counts(nb)
    note = None if n_png == n_charts else no_png_note(record)
    docx_only = f"\n\n{_not_html(f'*{note}*')}\n" if note else ""
    nb.cells[1].source = title_block_markdown(record, with_title=False) + docx_only
    nb.cells[-1].source = appendix_markdown(record, tools) + docx_only
    (workdir / PLOTLYJS_FILE).write_text(_plotlyjs(), encoding="utf-8")
    qnb, _, _ = quarto_notebook(nb, workdir / MEDIA_DIR, fmt="html", plotlyjs_src=PLOTLYJS_FILE)
    nbformat.write(qnb, workdir / "report.ipynb")
    qnb, _, _ = quarto_notebook(nb, docx_dir / MEDIA_DIR, fmt="docx")
    write_reference_docx(docx_dir / REFERENCE_DOCX)
    nbformat.write(qnb, docx_dir / "report.ipynb")
    proc = _render_formats(quarto, workdir)
    missing = [name for name in QUARTO_OUTPUTS if not (workdir / name).is_file()]
    if missing:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-10:])
        raise PipelineError(f"quarto render exited 0 but did not write "
                            f"{', '.join(str(workdir / m) for m in missing)} (check the "
                            f"formats listed in the front matter of {workdir / 'report.ipynb'} "
                            f"and in _quarto.yml); its last lines:\n{tail}")
    result = RenderResult("quarto", reason, dest / "report.html", None, False,
                          tool_versions=tools,
                          warnings=[f"quarto: {w}" for w in
                                    dict.fromkeys(warning_lines(proc.stderr))])
    shutil.copy2(workdir / "report.html", result.html)
    _self_contained(result)
    shutil.copy2(workdir / "report.docx", dest / "report.docx")
    finish_docx(dest / "report.docx")
    result.docx = dest / "report.docx"
    result.docx_charts = n_charts > 0 and n_png == n_charts
    if note:
        result.notes.append(f"no charts in DOCX: figures have no PNG ({_png_reason(record)})")
    return result
