"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfanalysis.paths import SAMPLE_DIR

SHARED_RUN_FIXTURES = {"sample_run", "quarto_report", "run"}
#: Test files of long tests that share no module fixture (each runs its own notebooks).
SPLIT_MODULES = {"test_chapter_matrix", "test_brief_notebook", "test_fairness_notebook",
                 "test_notebook_targets", "test_boundaries_notebook", "test_weightings_notebook",
                 "test_docs", "test_detail", "test_sweeps"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test`` runs ``-n auto --dist loadgroup``) each test file
    stays on one worker, so its module fixtures are built once, except the files of long
    independent notebook tests, spread test by test; every test that reads the session's
    report run joins one group, so the run and its Quarto render are built once per
    session, not once per worker."""
    for item in items:
        shared = SHARED_RUN_FIXTURES & set(getattr(item, "fixturenames", ()))
        module = item.nodeid.split("::", 1)[0]
        if shared:
            group = "report-run"
        elif Path(module).stem in SPLIT_MODULES:
            group = item.nodeid  # long, independent tests: spread over the workers
        else:
            group = module
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def yiyang_dir() -> Path:
    return SAMPLE_DIR / "yiyang"


@pytest.fixture
def heshan_dir() -> Path:
    return SAMPLE_DIR / "heshan"


# --- one real run of the annual report per test session ----------------------------------
SAMPLE_DATA = SAMPLE_DIR / "yiyang"
SAMPLE_YEAR = 2019


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One full run on the Yiyang sample with the nbconvert renderer (notebooks executed
    once per session); tests that only read its outputs share it."""
    from perfanalysis.paths import PROJ_ROOT
    from perfanalysis.report.pipeline import RunConfig, run_report
    from perfanalysis.report.runrecord import read_record

    base = tmp_path_factory.mktemp("run")
    out = base / "report"
    result = run_report(RunConfig(data=SAMPLE_DATA,
                                  scheme=PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml",
                                  out=out, year=SAMPLE_YEAR, renderer="nbconvert"))
    return {"base": base, "out": out, "result": result,
            "html": (out / "report.html").read_text(encoding="utf-8"),
            "record": read_record(out / "run.json")}


@pytest.fixture(scope="session")
def quarto_report(sample_run: dict[str, object],
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The session's executed notebooks rendered once by the real Quarto (skipped when
    ``quarto`` is not on PATH; ``.ci/run`` installs it from ../shared/tools/quarto)."""
    import shutil as _shutil

    if _shutil.which("quarto") is None:
        pytest.skip("quarto is not on PATH (.ci/run installs it from ../shared/tools/quarto; "
                    "elsewhere environment.yml or https://quarto.org)")
    from perfanalysis.paths import REPORTS_DIR
    from perfanalysis.report.render import render_quarto

    record = sample_run["record"]
    out = sample_run["out"]
    executed = [out / "notebooks" / f"{Path(c).stem}-{SAMPLE_YEAR}.ipynb"  # type: ignore[operator]
                for c in record["chapters"]]  # type: ignore[index]
    dest = tmp_path_factory.mktemp("quarto")
    result = render_quarto(executed, record, dest, dest / "_render", REPORTS_DIR,  # type: ignore[arg-type]
                           "test")
    return {"dest": dest, "result": result, "executed": executed, "record": record,
            "html": result.html.read_text(encoding="utf-8")}
