"""Shared fixtures."""

from __future__ import annotations

import fcntl
import pickle
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

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
    session, not once per worker.

    Known: pytest-xdist 3.8 applies the groups by rewriting ``item._nodeid``, which pytest
    9.2 no longer reads (``Node.nodeid`` comes from ``_id``), so ``--dist loadgroup`` now
    schedules like ``--dist load``: the report run and its render are still built once,
    by ``build_once``'s lock, while the tests that read them may run on any worker."""
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


# --- built once per test session, whatever the number of xdist workers -----------------------
T = TypeVar("T")


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock`` (POSIX ``flock``; released when the block ends or
    the process dies, so a crashed worker never leaves it held)."""
    with open(lock, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_once(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], T]) -> T:
    """pytest-xdist's documented pattern for a session fixture that must be built once:
    under xdist every worker has its own session, so the first worker to take the lock
    builds ``build(folder)`` in the folder all workers of this run share and pickles the
    result; the others wait on the lock and load it. Without xdist: built here."""
    if not hasattr(config, "workerinput"):
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, shared by workers
    done = shared / f"{name}.pickle"
    with _exclusive(shared / f"{name}.lock"):
        if done.is_file():
            return pickle.loads(done.read_bytes())  # written by this test run
        folder = shared / name
        shutil.rmtree(folder, ignore_errors=True)  # a failed attempt of another worker
        folder.mkdir()
        value = build(folder)
        tmp = done.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(value))
        tmp.replace(done)
        return value


# --- one real run of the annual report per test session ----------------------------------
SAMPLE_DATA = SAMPLE_DIR / "yiyang"
SAMPLE_YEAR = 2019
#: The session's run executes two chapters at a time (``jobs``); the rerun test
#: (tests/test_pipeline.py) repeats it one at a time and expects identical outputs.
SAMPLE_JOBS = 2


def sample_run_config(out: Path, jobs: int = SAMPLE_JOBS) -> object:
    """The ``RunConfig`` of the session's run into ``out``: the report as ``perfanalysis
    run`` makes it by default (study parameters, PNG export as the machine allows), so the
    tests that read it see what a user gets."""
    from perfanalysis.paths import PROJ_ROOT
    from perfanalysis.report.pipeline import RunConfig

    return RunConfig(data=SAMPLE_DATA, scheme=PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml",
                     out=out, year=SAMPLE_YEAR, renderer="nbconvert", jobs=jobs)


def _sample_run(base: Path) -> dict[str, object]:
    from perfanalysis.report.pipeline import run_report
    from perfanalysis.report.runrecord import read_record

    out = base / "report"
    result = run_report(sample_run_config(out))  # type: ignore[arg-type]
    return {"base": base, "out": out, "result": result,
            "html": (out / "report.html").read_text(encoding="utf-8"),
            "record": read_record(out / "run.json")}


@pytest.fixture(scope="session")
def sample_run(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One full run on the Yiyang sample with the nbconvert renderer (notebooks executed
    once per test run, also under xdist: ``build_once``); tests that only read its outputs
    share it and must not change it (copy it first)."""
    return build_once(request.config, tmp_path_factory, "sample_run", _sample_run)


@pytest.fixture(scope="session")
def quarto_report(request: pytest.FixtureRequest, sample_run: dict[str, object],
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The session's executed notebooks rendered once by the real Quarto (skipped when
    ``quarto`` is not on PATH; ``.ci/run`` installs it from ../shared/tools/quarto)."""
    if shutil.which("quarto") is None:
        pytest.skip("quarto is not on PATH (.ci/run installs it from ../shared/tools/quarto; "
                    "elsewhere environment.yml or https://quarto.org)")

    def render(dest: Path) -> dict[str, object]:
        from perfanalysis.paths import REPORTS_DIR
        from perfanalysis.report.render import render_quarto

        record = sample_run["record"]
        out = sample_run["out"]
        executed = [out / "notebooks" / f"{Path(c).stem}-{SAMPLE_YEAR}.ipynb"  # type: ignore[operator]
                    for c in record["chapters"]]  # type: ignore[index]
        result = render_quarto(executed, record, dest, dest / "_render",  # type: ignore[arg-type]
                               REPORTS_DIR, "test")
        return {"dest": dest, "result": result, "executed": executed, "record": record,
                "html": result.html.read_text(encoding="utf-8")}

    return build_once(request.config, tmp_path_factory, "quarto_report", render)
