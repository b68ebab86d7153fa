"""What a reader of report.html sees, and the code-like strings in it (issue 23: no code
identifiers in reader text, no sentence that ends on a colon with nothing after it).

Reader text is the text of paragraphs, list items, headings, captions and table headers,
and in each Plotly chart its title, axis titles, annotations (panel titles), legend names
and colour-bar titles, read from the chart's JSON in its ``Plotly.newPlot`` call. Table
cells are data, not prose (unit names and ids live there), and hover templates are not
shown until a pointer rests on a mark."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup

#: elements whose text a reader reads as prose or labels
TEXT_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption", "th",
             "dt", "dd", "blockquote")
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


def reader_texts(html: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of reader text in a rendered report."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(TEXT_TAGS):
        if tag.find_parent(["script", "style"]):
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
