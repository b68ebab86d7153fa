"""Rewrite imports of the pre-issue-25 module paths to the package-by-role layout, and check.

Issue 25 moved the engine modules into ``perfanalysis/engine/`` and the report machinery into
``perfanalysis/report/`` (see ``MOVED``). A branch written before the move may still import
``perfanalysis.scheme`` or, inside the package, ``from .pipeline import …``. This script fixes
such lines in place (idempotent: an import that already resolves is left alone):

- relative imports inside ``perfanalysis/``: resolved at the file's location first; when that
  module does not exist, at the location the file had before the move, then mapped;
- ``perfanalysis.<old>`` and ``perfanalysis/<old>`` in any tracked text file (imports,
  monkeypatch targets, docs links), and ``from perfanalysis import <moved module>``;
- ``_LAZY`` entries ``".<old>"`` of ``perfanalysis/__init__.py``;
- ``docs/_quarto.yml`` quartodoc entries ``<old>.name``.

``--check`` (default) only lists what it would change and every ``perfanalysis`` import that
does not resolve (module or name missing, e.g. a private name of the split ``scheme``).

Run: ``python scripts/issue25_paths.py [--fix]`` from the project root, with the package
importable (``PYTHONPATH=$PWD``).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ["data", "office", "intake", "readers", "parsing", "scheme", "targets", "methods",
          "scoring", "adjustments", "tiers", "packsort", "rewards", "cadres", "ranks",
          "scenarios", "errormodel", "rounding", "scorecard", "history"]
REPORT = ["pipeline", "render", "officialdoc", "cover", "notebook", "charts", "summary", "brief",
          "diff", "runrecord", "study_tables", "export", "runprogress", "publication", "reply",
          "wording", "nbpairs", "figures", "findings", "templates", "cadre_report"]
#: old top-level name -> its path under perfanalysis now
MOVED = {m: f"engine.{m}" for m in ENGINE} | {m: f"report.{m}" for m in REPORT}
MOVED["sample_sources"] = "sample.sources"
ALT = "|".join(sorted(MOVED, key=len, reverse=True))
ABS = re.compile(rf"perfanalysis([./])({ALT})\b")
FROM_PA = re.compile(r"^(\s*)(\"?)from perfanalysis import ([^(\n]+?)(\\n\",?)?$", re.MULTILINE)
REL = re.compile(r"^(\s*)from (\.+)([\w.]*) import (.*)$", re.MULTILINE)
QUARTODOC = re.compile(rf"^(\s*-\s+|\s*name:\s+)({ALT})\.", re.MULTILINE)
LAZY = re.compile(rf'^(\s*"\w+":\s*)"\.({ALT})((?:\.\w+)*)"', re.MULTILINE)


def exists(parts: list[str]) -> bool:
    """Whether a module or package of the current tree has these dotted parts."""
    base = ROOT.joinpath(*parts)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def mapped(parts: list[str]) -> list[str]:
    """perfanalysis.<old>… → perfanalysis.<new>… (unchanged when not moved)."""
    if len(parts) >= 2 and parts[0] == "perfanalysis" and parts[1] in MOVED:
        return ["perfanalysis", *MOVED[parts[1]].split("."), *parts[2:]]
    return parts


def relative(from_pkg: list[str], target: list[str]) -> str:
    """The relative module name of ``target`` seen from package ``from_pkg``."""
    i = 0
    while i < min(len(from_pkg), len(target)) and from_pkg[i] == target[i]:
        i += 1
    return "." * (len(from_pkg) - i + 1) + ".".join(target[i:])


def old_location(parts: list[str]) -> list[str]:
    """Where a file of the new tree was before the move (its own parts when it did not move)."""
    if len(parts) >= 3 and parts[1] in ("engine", "report") and MOVED.get(parts[2], "").startswith(
            parts[1] + "."):
        return [parts[0], *parts[2:]]
    return parts


def fix_relative(path: Path, text: str) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    new_pkg = parts if parts[-1] == "__init__" else parts[:-1]
    new_pkg = [p for p in new_pkg if p != "__init__"]
    old = old_location(parts)
    old_pkg = [p for p in (old if old[-1] == "__init__" else old[:-1]) if p != "__init__"]

    def sub(m: re.Match[str]) -> str:
        indent, dots, mod, names = m.groups()
        up = len(dots) - 1
        here = new_pkg[: len(new_pkg) - up] + (mod.split(".") if mod else [])
        if mod and exists(here):
            return m.group(0)
        if not mod:  # from . import a, b: each name may be a module
            items = [n.strip() for n in names.split(",")]
            if all(exists(here + [n.split(" as ")[0]]) or not n.split(" as ")[0].islower()
                   for n in items):
                return m.group(0)
            base = old_pkg[: len(old_pkg) - up]
            lines: dict[str, list[str]] = {}
            for it in items:
                target = mapped(base + [it.split(" as ")[0].strip()])
                lines.setdefault(relative(new_pkg, target[:-1]), []).append(it)
            return "\n".join(f"{indent}from {r} import {', '.join(its)}" for r, its in lines.items())
        target = mapped(old_pkg[: len(old_pkg) - up] + mod.split("."))
        return f"{indent}from {relative(new_pkg, target)} import {names}" if exists(target) \
            else m.group(0)

    return REL.sub(sub, text)


def lazy_names() -> set[str]:
    import perfanalysis

    return set(perfanalysis._LAZY)


def fix_text(text: str, public: set[str]) -> str:
    text = ABS.sub(lambda m: "perfanalysis" + m.group(1) + MOVED[m.group(2)].replace(
        ".", m.group(1)), text)

    def from_pa(m: re.Match[str]) -> str:
        indent, quote, names, tail = m.groups()
        groups: dict[str, list[str]] = {}
        for it in (n.strip() for n in names.split(",")):
            name = it.split(" as ")[0].strip()
            pkg = ("perfanalysis." + MOVED[name].rsplit(".", 1)[0]
                   if name in MOVED and name not in public else "perfanalysis")
            groups.setdefault(pkg, []).append(it)
        if list(groups) == ["perfanalysis"]:
            return m.group(0)
        return "\n".join(f"{indent}{quote}from {p} import {', '.join(i)}{tail or ''}"
                         for p, i in groups.items())

    return FROM_PA.sub(from_pa, text)


def unresolved() -> list[str]:
    """Every perfanalysis import of the package, tests, benchmarks, scripts and notebooks
    whose module or name does not exist."""
    bad = []
    for folder in ("perfanalysis", "tests", "benchmarks", "scripts", "notebooks"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            rel = p.relative_to(ROOT)
            pkg = list(rel.with_suffix("").parts)
            pkg = pkg if pkg[-1] == "__init__" else pkg[:-1]
            pkg = [x for x in pkg if x != "__init__"]
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom):
                    mod = node.module or ""
                    if node.level:
                        if folder != "perfanalysis":
                            continue
                        mod = ".".join(pkg[: len(pkg) - node.level + 1] + ([mod] if mod else []))
                    if not mod.startswith("perfanalysis"):
                        continue
                    try:
                        module = importlib.import_module(mod)
                    except Exception as exc:  # noqa: BLE001 - reported, not raised
                        bad.append(f"{rel}:{node.lineno}: {mod}: {exc!r}")
                        continue
                    for alias in node.names:
                        if alias.name != "*" and not hasattr(module, alias.name):
                            try:
                                importlib.import_module(f"{mod}.{alias.name}")
                            except Exception:  # noqa: BLE001
                                bad.append(f"{rel}:{node.lineno}: {mod} has no {alias.name}")
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fix", action="store_true", help="rewrite the files in place")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    public = lazy_names()
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    changed = []
    for name in files:
        path = ROOT / name
        if path.name == Path(__file__).name or not path.is_file() or path.suffix not in {
                ".py", ".md", ".qmd", ".yml", ".yaml", ".toml", ".ipynb", ".txt", ".lua"}:
            continue
        text = path.read_text(encoding="utf-8")
        new = fix_relative(path, text) if name.startswith("perfanalysis/") and \
            path.suffix == ".py" else text
        new = fix_text(new, public)
        if name == "perfanalysis/__init__.py":  # _LAZY: "name": ".module"
            new = LAZY.sub(lambda m: f'{m.group(1)}".{MOVED[m.group(2)]}{m.group(3)}"', new)
        if name == "docs/_quarto.yml":
            new = QUARTODOC.sub(lambda m: m.group(1) + MOVED[m.group(2)] + ".", new)
        if new != text:
            changed.append(name)
            if args.fix:
                path.write_text(new, encoding="utf-8")
    print(("rewrote" if args.fix else "would rewrite") + f" {len(changed)} file(s)")
    for name in changed:
        print("  " + name)
    bad = unresolved() if args.fix or not changed else []
    for line in bad:
        print("unresolved: " + line)
    return 1 if bad or (changed and not args.fix) else 0


if __name__ == "__main__":
    sys.exit(main())
