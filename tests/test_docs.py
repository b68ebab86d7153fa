"""The docs site (docs/): the API reference cannot go stale, and it renders without a broken link.

The quick tests read `docs/_quarto.yml` only. The slow one runs what `make docs` runs —
`quartodoc build` then `quarto render` — on a copy of the site in a temporary folder, and fails
on any warning or error line (Quarto's "WARN: Unable to resolve link target", the interlinks
filter's "WARN: Unable to resolve API reference", a quartodoc traceback) and on any link of the
rendered pages to a missing file or anchor.
"""

from __future__ import annotations

import html.parser
import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

import perfanalysis

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CONFIG = DOCS / "_quarto.yml"


def _config() -> dict:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def _reference_entries(config: dict) -> list[str]:
    """Every object path listed in the quartodoc sections (pages flattened)."""
    found: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, str):
                found.append(item)
            elif isinstance(item, dict) and "contents" in item:
                walk(item["contents"])
            elif isinstance(item, dict) and "name" in item:
                found.append(item["name"])

    for section in config["quartodoc"]["sections"]:
        walk(section.get("contents", []))
    return found


def test_every_public_name_is_in_the_api_reference_under_its_module():
    """Each name of ``perfanalysis._LAZY`` is documented at the module that defines it.

    A new re-export, or a module moved, without the reference following, fails here
    with the line to write in docs/_quarto.yml.
    """
    entries = set(_reference_entries(_config()))
    expected = {f"{module.lstrip('.')}.{name}" for name, module in perfanalysis._LAZY.items()}
    missing = sorted(expected - entries)
    assert not missing, (
        "public names missing from the quartodoc sections of docs/_quarto.yml "
        f"(add these lines): {missing}"
    )


def test_every_reference_entry_names_an_existing_object():
    """A listed path that no longer imports (renamed, moved, removed) is reported by name."""
    broken = []
    for entry in _reference_entries(_config()):
        module, _, attr = entry.rpartition(".")
        moved = perfanalysis._LAZY.get(attr)
        hint = f" (the public name now lives in {moved.lstrip('.')}.{attr})" if moved else ""
        try:
            obj = importlib.import_module(f"perfanalysis.{module}")
        except ImportError as exc:
            broken.append(f"{entry}: {exc}{hint}")
            continue
        if not hasattr(obj, attr):
            broken.append(f"{entry}: perfanalysis.{module} has no {attr!r}{hint}")
    assert not broken, "docs/_quarto.yml lists objects that do not exist: " + "; ".join(broken)


def _navbar_targets(config: dict) -> list[str]:
    targets: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, str):
                targets.append(item)
            elif isinstance(item, dict):
                if "href" in item:
                    targets.append(item["href"])
                walk(item.get("menu", []))

    walk(config["website"]["navbar"]["left"])
    return targets


def _includes() -> list[tuple[Path, str]]:
    """(page, include target) for every ``{{< include >}}`` of the site's own pages."""
    found = []
    for page in DOCS.rglob("*.qmd"):
        if "_site" in page.parts or "reference" in page.relative_to(DOCS).parts:
            continue
        for target in re.findall(r"\{\{<\s*include\s+(\S+)\s*>\}\}", page.read_text("utf-8")):
            found.append((page, target))
    return found


def _outside_includes() -> list[Path]:
    """Included files that live outside docs/ (the single sources of the data and scheme pages)."""
    paths = {(page.parent / target).resolve() for page, target in _includes()}
    return sorted(p for p in paths if DOCS not in p.parents)


def test_navbar_pages_and_includes_exist():
    """Every page of the navbar and every ``{{< include >}}`` of a page is a file."""
    missing = [t for t in _navbar_targets(_config())
               if not t.startswith("reference/") and not (DOCS / t).is_file()]
    missing += [f"{page.relative_to(ROOT)} includes {target}" for page, target in _includes()
                if not (page.parent / target).is_file()]
    assert not missing, f"missing docs files: {missing}"


def test_readme_is_short_and_points_to_the_docs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200, "README.md: keep it short; the material goes in docs/"
    assert "make docs" in text and "docs/_site/index.html" in text


# ------------------------------------------------------------------------ rendering

# Quarto's and pandoc's warnings, the interlinks filter's, quartodoc's errors (case matters:
# a single-page render echoes the config, where names such as target_warnings appear)
_PROBLEM = re.compile(r"\bWARN(ING)?\b|\bERROR\b|Traceback|Unable to resolve|WorkaroundKeyError")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Links(html.parser.HTMLParser):
    """Collects element ids and local href/src targets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key == "id" and value:
                self.ids.add(value)
            if key in ("href", "src") and value and tag in ("a", "img", "link", "script"):
                self.links.append(value)


def _quartodoc_command() -> list[str] | None:
    if importlib.util.find_spec("quartodoc") is None:
        return None
    exe = Path(sys.executable).with_name("quartodoc")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "quartodoc"]


def _broken_links(site: Path) -> list[str]:
    pages: dict[Path, _Links] = {}
    for page in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        pages[page.resolve()] = parser
    broken = []
    for page, parser in pages.items():
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/"):
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} → {link}")
            elif parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                broken.append(f"{page.relative_to(site)} → {link} (no such anchor)")
    return broken


@pytest.mark.slow
def test_docs_site_renders_without_a_broken_reference(tmp_path):
    """`make docs` on a copy: no warning, no error, no link to a missing page or anchor."""
    quarto = os.environ.get("QUARTO") or shutil.which("quarto")
    if quarto is None:
        pytest.skip("quarto is not on PATH (install: ../shared/tools/quarto/install.sh, "
                    "or conda install -c conda-forge quarto; or set QUARTO=/path/to/quarto)")
    quartodoc = _quartodoc_command()
    if quartodoc is None:
        pytest.skip("quartodoc is not installed (pip install -e '.[docs]')")
    # pages include files outside docs/ (../data/README.md, ../data/schemes/README.md):
    # copy those too, at the same relative place
    site_src = tmp_path / "docs"
    shutil.copytree(DOCS, site_src, ignore=shutil.ignore_patterns(
        "_site", ".quarto", "reference", "objects.json"))
    for included in _outside_includes():
        target = tmp_path / included.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(included, target)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    log = []
    for command in (quartodoc + ["build"], [quarto, "render", "."]):
        done = subprocess.run(command, check=False, cwd=site_src, env=env, capture_output=True,
                              text=True, timeout=1800)
        output = done.stdout + done.stderr
        log.append(output)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{output[-4000:]}"
    problems = [line for line in _ANSI.sub("", "\n".join(log)).splitlines()
                if _PROBLEM.search(line)]
    assert not problems, "docs build reported problems:\n" + "\n".join(problems)
    site = site_src / "_site"
    assert (site / "index.html").is_file()
    reference = "".join(p.read_text("utf-8") for p in (site / "reference").glob("*.html"))
    absent = [n for n, m in perfanalysis._LAZY.items()
              if f'id="perfanalysis.{m.lstrip(".")}.{n}"' not in reference]
    assert not absent, f"public names without a section in the rendered reference: {absent}"
    broken = _broken_links(site)
    assert not broken, "broken links in the rendered site:\n" + "\n".join(broken)
