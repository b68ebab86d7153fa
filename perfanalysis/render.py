"""Render executed notebooks into one report: Quarto when on PATH, else nbconvert + pandoc.

Both renderers read the same combined notebook (cover + every chapter, plotly.js inline once)
and work in a scratch folder the caller gives (under the run's staging output), never in
the source tree. The HTML is self-contained: no script is fetched from a network.
"""

from __future__ import annotations

import base64
import copy
import html
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell

from .cover import cover_markdown, report_title
from .errors import PipelineError
from .notebook import PLOTLY_MIME, png_export_status

RENDERERS = ("auto", "quarto", "nbconvert")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}
NO_PNG_NOTE = "DOCX 版不含图表(no charts in DOCX:{reason});交互图表请看 HTML 版。"
MEDIA_DIR = "_docx_media"


@dataclass
class RenderResult:
    """What the render step produced and how."""

    renderer: str
    reason: str
    html: Path
    docx: Path | None
    docx_charts: bool
    notes: list[str] = field(default_factory=list)
    tool_versions: dict[str, str] = field(default_factory=dict)


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


def _plotlyjs() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def combine(executed: list[Path], cover: str, front_matter: str | None = None) -> NotebookNode:
    """One notebook: optional YAML front matter (raw cell), the cover, then every chapter's
    cells without the parameter cells; plotly.js kept inline in the first figure only."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    if front_matter is not None:
        nb.cells.append(new_raw_cell(front_matter))
    nb.cells.append(new_markdown_cell(cover))
    for path in executed:
        chapter = nbformat.read(path, as_version=4)
        for cell in chapter.cells:
            if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                continue
            nb.cells.append(copy.deepcopy(cell))
    js = _plotlyjs()
    seen = False
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            htm = out.get("data", {}).get("text/html")
            if isinstance(htm, list):
                htm = "".join(htm)
                out["data"]["text/html"] = htm
            if isinstance(htm, str) and js in htm:
                if seen:
                    out["data"]["text/html"] = htm.replace(js, "")
                seen = True
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"report-{i:04d}"  # unique across chapters, stable across runs
    return nb


def no_png_note(record: dict[str, Any]) -> str:
    """Why the DOCX has no charts, in the words run.json uses (``png_export.note``)."""
    reason = (record.get("png_export") or {}).get("note") or png_export_status()["note"]
    return NO_PNG_NOTE.format(reason=reason)


def _docx_variant(nb: NotebookNode, media: Path | None = None) -> tuple[NotebookNode, int, int]:
    """A copy for DOCX: each chart becomes its PNG, or a note when there is none.
    With ``media``, each PNG is written there as ``chart-NN.png`` and shown by an ``<img>``
    whose alt text and caption are the chart's title (pandoc's DOCX alt text).
    Returns the notebook, the number of charts and how many had a PNG."""
    out_nb = copy.deepcopy(nb)
    n, with_png = 0, 0
    for cell in out_nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if PLOTLY_MIME not in data:
                continue
            n += 1
            layout = data[PLOTLY_MIME].get("layout", {}) if isinstance(
                data[PLOTLY_MIME], dict) else {}
            title = str((layout.get("title") or {}).get("text") or "图表")
            if "image/png" in data:
                with_png += 1
                if media is None:
                    out["data"] = {"image/png": data["image/png"], "text/plain": title}
                    continue
                media.mkdir(parents=True, exist_ok=True)
                name = f"chart-{with_png:02d}.png"
                (media / name).write_bytes(base64.b64decode(data["image/png"]))
                alt = html.escape(title, quote=True)
                out["data"] = {"text/html": f'<figure><img src="{name}" alt="{alt}" />'
                                            f"<figcaption>{alt}</figcaption></figure>",
                               "text/plain": title}
            else:
                out["data"] = {"text/html": f"<p><em>{title}:交互图表见 HTML 版(DOCX 不含图表)"
                                            f"</em></p>", "text/plain": title}
    return out_nb, n, with_png


def _export_html(nb: NotebookNode, title: str, anchors: bool = True) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES_DIR)],
                            template_name="perfanalysis_report", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            anchor_link_text="¶" if anchors else "")
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body.replace('<html lang="en">', '<html lang="zh-CN">', 1)


def pandoc_path() -> str | None:
    """The pandoc shipped by pypandoc-binary (or on PATH), or None."""
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        return shutil.which("pandoc")


def _pandoc_docx(html_text: str, target: Path, title: str, media: Path) -> str:
    """HTML → DOCX with pandoc (images resolved in ``media``); returns pandoc's version."""
    import pypandoc

    pypandoc.convert_text(html_text, "docx", format="html", outputfile=str(target),
                          extra_args=["--quiet", "--metadata", f"title={title}", "--metadata",
                                      "toc-title=目录", "--toc", f"--resource-path={media}"])
    return str(pypandoc.get_pandoc_version())


def render_nbconvert(executed: list[Path], record: dict[str, Any], dest: Path,
                     reason: str = "") -> RenderResult:
    """Fallback: one self-contained report.html (nbconvert, code hidden) and report.docx
    (pandoc, PNG charts when the notebooks carry them)."""
    title = report_title(record)
    nb = combine(executed, cover_markdown(record))
    html_path = dest / "report.html"
    html_path.write_text(_export_html(nb, title), encoding="utf-8")
    result = RenderResult("nbconvert", reason, html_path, None, False)
    import nbconvert

    result.tool_versions["nbconvert"] = nbconvert.__version__
    if pandoc_path() is None:
        result.notes.append("pandoc not available: no DOCX")
        return result
    media = dest / MEDIA_DIR
    docx_nb, n_charts, n_png = _docx_variant(nb, media)
    note = None if n_png == n_charts else no_png_note(record)
    docx_nb.cells[0] = new_markdown_cell(cover_markdown(record, with_title=False,
                                                        docx_note=note))
    docx_path = dest / "report.docx"
    try:
        result.tool_versions["pandoc"] = _pandoc_docx(_export_html(docx_nb, title, anchors=False),
                                                      docx_path, title, media)
    except (OSError, RuntimeError) as exc:
        raise PipelineError(f"DOCX conversion with pandoc failed: {exc}") from exc
    finally:
        shutil.rmtree(media, ignore_errors=True)
    result.docx = docx_path
    result.docx_charts = n_charts > 0 and n_png == n_charts
    if note:
        reason_text = (record.get("png_export") or {}).get("note") or png_export_status()["note"]
        result.notes.append(f"no charts in DOCX: figures have no PNG ({reason_text})")
    return result


def render_quarto(executed: list[Path], record: dict[str, Any], dest: Path, workdir: Path,
                  reports_dir: Path, reason: str = "") -> RenderResult:
    """Quarto: copy the Quarto project to ``workdir``, add report.ipynb (front matter,
    cover, chapters) and render it to self-contained HTML and DOCX."""
    quarto = quarto_path()
    if quarto is None:
        raise PipelineError("quarto is not on PATH")
    if workdir.exists():
        shutil.rmtree(workdir)
    shutil.copytree(reports_dir, workdir, ignore=shutil.ignore_patterns(
        ".quarto", "_site", "_freeze", "*.html", "*.docx"))
    title = report_title(record).replace('"', "'")
    front = f'---\ntitle: "{title}"\nlang: zh\n---'
    nb = combine(executed, cover_markdown(record, with_title=False), front_matter=front)
    nbformat.write(nb, workdir / "report.ipynb")
    proc = subprocess.run([quarto, "render"], cwd=workdir, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise PipelineError(f"quarto render failed in {workdir} (exit {proc.returncode}):\n{tail}")
    result = RenderResult("quarto", reason, dest / "report.html", None, False)
    shutil.copy2(workdir / "report.html", result.html)
    if (workdir / "report.docx").exists():
        shutil.copy2(workdir / "report.docx", dest / "report.docx")
        result.docx = dest / "report.docx"
        _, n_charts, n_png = _docx_variant(nb)
        result.docx_charts = n_charts > 0 and n_png == n_charts
    ver = subprocess.run([quarto, "--version"], capture_output=True, text=True, check=False)
    result.tool_versions["quarto"] = ver.stdout.strip()
    return result
