"""What a reader of report.html sees, and the code-like strings in it (issue 23: no code
identifiers in reader text, no sentence that ends on a colon with nothing after it).

Reader text is the text of paragraphs, list items, headings, captions and table headers,
table cells, and in each Plotly chart its title, axis titles, annotations (panel titles),
legend names and colour-bar titles, read from the chart's JSON in its ``Plotly.newPlot``
call. A table cell is read too: a unit's or a scheme's id where the reader expects its name
is a defect; legitimate cells are numbers, Chinese names and what a reader needs verbatim
(file paths, fingerprints, codes the reader knows), which sit in a column or a row labelled
as such (``VERBATIM_LABELS``). Hover templates are not shown until a pointer rests on a
mark."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from perfanalysis.report.cover import FILE_ROWS, PARAMETER_VALUE

#: elements whose text a reader reads as prose, labels or table data
TEXT_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption", "th",
             "td", "dt", "dd", "blockquote")
#: Column headers or row labels (a row's first cell) of table cells that hold data a reader
#: needs verbatim: the appendix's file paths and fingerprint, run parameters as given, and
#: unit codes where a table labels them as codes. Nothing else is exempt.
VERBATIM_LABELS = frozenset({*FILE_ROWS, PARAMETER_VALUE, "单位代码", "行政区划代码"})
SNAKE = re.compile(r"(?<![A-Za-z0-9_.\-/])[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9](?![A-Za-z0-9_])")
SI_SUFFIX = re.compile(r"(?<![A-Za-z0-9])\d+(?:\.\d+)?[kMG](?![A-Za-z0-9])")
CLI_HINT = re.compile(r"(?:^|\s)(?:-p\s|--[a-z])")
COLON_END = re.compile(r"[:：]\s*$")


@dataclass(frozen=True)
class Finding:
    """One code-like string in reader text: where (element or chart part), what rule,
    the offending string and the text around it."""

    where: str
    rule: str
    match: str
    text: str


def _chart_json(script: str) -> Iterator[dict]:
    """The figures of every ``Plotly.newPlot("id", data, layout, config)`` in a script."""
    dec = json.JSONDecoder()
    for m in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]*\"\s*,\s*", script):
        try:
            data, end = dec.raw_decode(script, m.end())
            rest = re.match(r"\s*,\s*", script[end:])
            layout = dec.raw_decode(script, end + rest.end())[0] if rest else {}
        except (json.JSONDecodeError, AttributeError):
            continue
        yield {"data": data, "layout": layout}


def _title(obj: object) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return str(obj or "")


def chart_texts(fig: dict) -> Iterator[tuple[str, str]]:
    """(part, text) for the labels a reader sees on one chart."""
    layout = fig.get("layout", {})
    title = _title(layout.get("title"))
    yield "chart title", title
    for key, val in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(val, dict):
            yield f"{title} / {key} title", _title(val.get("title"))
            for tick in val.get("ticktext") or []:
                yield f"{title} / {key} tick", str(tick)
    for ann in layout.get("annotations") or []:
        yield f"{title} / annotation", str(ann.get("text") or "")
    for trace in fig.get("data", []):
        if trace.get("showlegend", True) is not False and trace.get("name"):
            yield f"{title} / legend", str(trace["name"])
        bar = (trace.get("colorbar") or (trace.get("marker") or {}).get("colorbar") or {})
        if bar:
            yield f"{title} / colour bar", _title(bar.get("title"))


def cell_labels(cell: Tag) -> set[str]:
    """The labels of a table cell: its column's header (the ``th`` at its position in the
    table's first row) and its row's first cell."""
    row = cell.find_parent("tr")
    table = cell.find_parent("table")
    if row is None or table is None:
        return set()
    cells = row.find_all(["td", "th"], recursive=False)
    labels = {cells[0].get_text(" ", strip=True)} if cells and cells[0] is not cell else set()
    head = table.find("tr")
    if head is not None:
        heads = head.find_all(["td", "th"], recursive=False)
        at = next(i for i, c in enumerate(cells) if c is cell)
        if head is not row and at < len(heads):
            labels.add(heads[at].get_text(" ", strip=True))
    return labels


def reader_texts(html: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of reader text in a rendered report (table cells
    labelled as verbatim data, ``VERBATIM_LABELS``, left out)."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(TEXT_TAGS):
        if tag.find_parent(["script", "style"]):
            continue
        if tag.name == "td" and cell_labels(tag) & VERBATIM_LABELS:
            continue
        text = tag.get_text(" ", strip=True)
        if text:
            yield tag.name, text
    for script in soup.find_all("script"):
        for fig in _chart_json(script.string or ""):
            for where, text in chart_texts(fig):
                if text:
                    yield where, text


def _plain(text: str) -> str:
    """Text without HTML tags (Plotly titles may carry <br> or <sub>)."""
    return re.sub(r"<[^>]+>", " ", text)


def scan(html: str, allow: frozenset[str] = frozenset()) -> list[Finding]:
    """Code identifiers (snake_case), SI suffixes (100k), command-line hints (-p, --x) and
    sentences ending on a colon in the reader text of ``html``; strings in ``allow``
    (justified exceptions, e.g. a file name a sentence points to) are not reported."""
    out: list[Finding] = []
    for where, raw in reader_texts(html):
        text = _plain(raw)
        for rule, pattern in (("identifier", SNAKE), ("SI suffix", SI_SUFFIX),
                              ("command-line hint", CLI_HINT)):
            for m in pattern.finditer(text):
                if m.group(0).strip() not in allow:
                    out.append(Finding(where, rule, m.group(0).strip(), text[:160]))
        if where in TEXT_TAGS and where not in ("th", "caption", "h1", "h2", "h3", "h4",
                                                "h5", "h6") and COLON_END.search(text):
            out.append(Finding(where, "ends on a colon", text[-1], text[-160:]))
    return out


def _markdown_html(text: str) -> str:
    """A displayed Markdown text as HTML (CommonMark with tables, as Quarto and nbconvert
    read it closely enough for the scan: paragraphs, lists, headings, table cells)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def scan_chapters(texts: dict[str, list[str]], outputs: list[tuple[str, dict]],
                  plotly_mime: str, allow: frozenset[str] = frozenset()) -> list[Finding]:
    """The scan over what the chapters displayed in process (``run_chapters``): every
    Markdown text, every table's HTML and every chart's labels (from its plotly JSON);
    ``where`` names the chapter."""
    out: list[Finding] = []

    def add(chapter: str, found: list[Finding]) -> None:
        out.extend(Finding(f"{chapter} {f.where}", f.rule, f.match, f.text) for f in found)

    for chapter, shown in texts.items():
        for text in shown:
            add(chapter, scan(_markdown_html(text), allow))
    for chapter, bundle in outputs:
        if plotly_mime in bundle:
            fig = bundle[plotly_mime]
            script = (f'Plotly.newPlot("c", {json.dumps(fig.get("data", []))}, '
                      f'{json.dumps(fig.get("layout", {}))})')
            add(chapter, scan(f"<script>{script}</script>", allow))
        elif "text/html" in bundle:
            add(chapter, scan(str(bundle["text/html"]), allow))
    return out


def report(findings: list[Finding]) -> str:
    """Findings one per line, for an assertion message."""
    return "\n".join(f"{f.where}: {f.rule} {f.match!r} in {f.text!r}" for f in findings)
