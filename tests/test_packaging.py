"""Startup cost and packaging (issue 14, item 16): lazy imports, `make lab`, SPDX licence."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from perfanalysis.paths import PROJ_ROOT

HEAVY = ("plotly", "papermill", "statsmodels", "nbformat", "scipy.stats", "SALib",
         "perfanalysis.composite.build", "perfanalysis.report.notebook", "perfanalysis.report.pipeline")


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJ_ROOT)}
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, env=env, cwd=PROJ_ROOT, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_score_command_imports_no_plotting_papermill_statsmodels_or_composite():
    loaded = _modules_after(
        "from perfanalysis.cli import app\n"
        "try:\n    app(['score', '--data', 'data/sample/yiyang', '--scheme', "
        "'data/schemes/yiyang_2018.yaml'])\nexcept SystemExit:\n    pass")
    assert "perfanalysis.engine.scoring" in loaded  # the command did score
    assert not [m for m in HEAVY if m in loaded]


def test_chapter_kernels_and_the_run_skip_the_iri_grammars():
    """A chapter's set-up (its plotly renderer imports nbformat) and the run's papermill
    import jsonschema without rfc3987-syntax, whose 38 lark grammars cost 1.8 s per process
    (perfanalysis/report/_nbformat.py); notebooks still validate, and the package can still
    be imported afterwards by whoever wants it."""
    import importlib.util

    if importlib.util.find_spec("rfc3987_syntax") is None:
        pytest.skip("rfc3987-syntax is not installed: nothing to skip")
    loaded = _modules_after(
        "from perfanalysis.report import notebook\n"
        "notebook.use_report_renderer()\n"
        "import papermill, nbformat\n"
        "from perfanalysis.report import pipeline\n"
        "nbformat.validate(nbformat.v4.new_notebook())\n"
        "import jsonschema, sys\n"
        "assert 'iri' not in jsonschema.FormatChecker.checkers\n"
        "assert 'lark' not in sys.modules, 'grammars compiled'\n"
        "import rfc3987_syntax")
    assert {"nbformat", "papermill", "rfc3987_syntax"} <= loaded


def test_public_names_load_on_first_use():
    loaded = _modules_after("import perfanalysis")
    assert not [m for m in HEAVY if m in loaded]
    import perfanalysis as pa

    for name in pa.__all__:
        assert getattr(pa, name) is not None, name
    assert set(pa.__all__) <= set(dir(pa))
    with pytest.raises(AttributeError):
        pa.no_such_name  # noqa: B018


def test_function_named_like_its_module_stays_the_function():
    import importlib

    import perfanalysis as pa

    importlib.import_module("perfanalysis.engine.scorecard")
    assert callable(pa.scorecard)
    from perfanalysis import scorecard

    assert callable(scorecard)


def test_license_is_an_spdx_string():
    meta = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["license"] == "MIT"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_passes_args_and_allows_root():
    out = subprocess.run(["make", "-n", "lab", "ARGS=--port 8899"], cwd=PROJ_ROOT,
                         capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if "jupyter lab" in x)
    assert "--port 8899" in line
    assert ("--allow-root" in line) == (os.geteuid() == 0)


def test_engine_studies_and_composite_never_import_the_report_machinery() -> None:
    """The package by role: the report reads the studies and the engine, never the other way
    round (a study importing a report helper pulled charts and wording into the engine)."""
    import ast

    from perfanalysis.paths import PROJ_ROOT

    pkg = PROJ_ROOT / "perfanalysis"
    found = []
    for folder in ("engine", "studies", "composite"):
        for path in sorted((pkg / folder).rglob("*.py")):
            depth = len(path.relative_to(pkg).parts) - 1  # dots that reach the package root
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom):
                    name = node.module or ""
                    absolute = (name if node.level == 0 else
                                f"perfanalysis.{name}".rstrip(".") if node.level == depth + 1
                                else "")
                    targets = ([f"{absolute}.{a.name}" for a in node.names]
                               if absolute in ("perfanalysis", "perfanalysis.") else [absolute])
                    found += [f"{path.relative_to(pkg)}:{node.lineno} {t}" for t in targets
                              if t.replace("..", ".").startswith("perfanalysis.report")]
                elif isinstance(node, ast.Import):
                    found += [f"{path.relative_to(pkg)}:{node.lineno} {a.name}"
                              for a in node.names if a.name.startswith("perfanalysis.report")]
    assert found == []
