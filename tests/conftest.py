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
from hypothesis import HealthCheck, settings

from perfanalysis.paths import SAMPLE_DIR
from perfanalysis.report import _nbformat  # noqa: F401 - nbformat without the IRI grammars

#: Hypothesis without its two clocks: the 200 ms per-example deadline and the "too slow"
#: health check (data generation over 1 s) fail a correct test on a loaded machine. A
#: property test's ``@settings(...)`` inherits this profile for what it does not set (the
#: profile is loaded here, before any test module builds its settings).
settings.register_profile("perfanalysis", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("perfanalysis")

#: Fixtures of the session's report runs, and the kind of their readers in the running
#: order (``lanes``): the sample run's readers start one worker, the panel run's the next
SHARED_RUN_FIXTURES = {"sample_run": "report", "quarto_report": "report", "run": "report",
                       "panel_run": "panel"}


def xdist_lane_sizes(n_items: int, n_workers: int) -> list[int]:
    """How many tests pytest-xdist's ``worksteal`` scheduler first hands each worker: the
    pending tests in consecutive blocks, ``remaining // workers_left`` each."""
    sizes, left = [], n_items
    for i in range(n_workers):
        sizes.append(left // (n_workers - i))
        left -= sizes[-1]
    return sizes


def lanes(kinds: list[str], n_workers: int) -> list[int]:
    """A running order (indices into ``kinds``) for ``n_workers`` xdist workers, each test
    "report" (reads the session's sample report run), "panel" (reads the provincial panel's
    run), "slow" or "fast".

    ``worksteal`` gives worker k the k-th consecutive block of the order and lets an idle
    worker take the back half of the longest queue. So every block starts with its share of
    the slow tests and ends with fast ones (cheap to hand over at the end): block 0 starts
    with all the report readers and block 1 with the panel readers (each run is built once,
    by the worker that reaches it first, while the other works on something else), the
    other slow tests are dealt round-robin from block 1 on. Stable: tests keep their
    collection order within each kind."""
    sizes = xdist_lane_sizes(len(kinds), n_workers)
    blocks: list[list[int]] = [[] for _ in range(n_workers)]
    blocks[0] = [i for i, k in enumerate(kinds) if k == "report"]
    blocks[1 % n_workers] += [i for i, k in enumerate(kinds) if k == "panel"]
    slow = [i for i, k in enumerate(kinds) if k == "slow"]
    for j, i in enumerate(slow):
        blocks[(j + 1) % n_workers].append(i)
    fast = [i for i, k in enumerate(kinds) if k == "fast"]
    order: list[int] = []
    for block, size in zip(blocks, sizes, strict=True):
        fill = max(0, size - len(block))
        order += block + fast[:fill]
        del fast[:fill]
    return order + fast


#: ``workerinput`` key: the main process's ``--dist`` mode (workers run with ``dist=no``)
DIST_KEY = "perfanalysis_dist"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """pytest-xdist (main process): tell each worker the scheduling mode."""
    node.workerinput[DIST_KEY] = node.config.getoption("dist")  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: the block sizes count what runs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``-n auto``; pyproject's addopts choose ``--dist worksteal``,
    ``make test`` names it too) order the tests
    so the slow ones start first on every worker (``lanes``); the tests reading the
    session's report run start on one worker, which builds it once (``build_once``) while
    the other workers run other slow tests. Without xdist the order is unchanged.

    (``--dist loadgroup`` and ``xdist_group`` marks are not used: pytest-xdist 3.8 applies
    the groups by rewriting ``item._nodeid``, which pytest 9.2 no longer reads.)"""
    worker = getattr(config, "workerinput", {})
    workers = int(worker.get("workercount", 1))
    if workers < 2 or worker.get(DIST_KEY) != "worksteal":
        return

    def kind(item: pytest.Item) -> str:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, reader in SHARED_RUN_FIXTURES.items():  # "report" first: see lanes
            if fixture in names:
                return reader
        return "slow" if item.get_closest_marker("slow") else "fast"

    order = lanes([kind(item) for item in items], workers)
    items[:] = [items[i] for i in order]


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


# --- one report run on the provincial panel (several comparison groups, real data) --------
def _panel_run(base: Path) -> dict[str, object]:
    from perfanalysis.paths import REAL_DIR, SCHEMES_DIR
    from perfanalysis.report.pipeline import RunConfig, run_report
    from perfanalysis.report.runrecord import read_record

    from .helpers import fast_run_parameters

    out = base / "report"
    (out / "tables").mkdir(parents=True)  # a previous report's leftover, replaced whole
    (out / "tables" / "stale.csv").write_text("unit_id\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PERFANALYSIS_PNG", "0")
        result = run_report(RunConfig(
            data=REAL_DIR / "china_provinces", scheme=SCHEMES_DIR / "china_provinces.yaml",
            out=out, year=PANEL_YEAR, renderer="nbconvert", jobs=2,
            params=fast_run_parameters()))
    return {"out": out, "result": result, "record": read_record(out / "run.json"),
            "html": (out / "report.html").read_text(encoding="utf-8")}


#: the provincial panel's year in the chapter matrix (tests/test_chapter_matrix.py)
PANEL_YEAR = 2011


@pytest.fixture(scope="session")
def panel_run(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """``run_report`` on the provincial panel (four regions of unequal size), chapters two
    at a time in kernels with the fast study parameters of the in-process chapter runs
    (``helpers.FAST``), PNG export off, into an OUT holding an earlier file; once per test
    run. Read-only."""
    return build_once(request.config, tmp_path_factory, "panel_run", _panel_run)


# --- chapters executed in process, once per test run per case ------------------------------
def _chapter_case(folder: Path, case: Callable[[Path], tuple[Path, Path, int]]
                  ) -> dict[str, object]:
    from .helpers import run_chapters

    data, scheme, year = case(folder)
    outputs: list[tuple[str, dict[str, object]]] = []
    with pytest.MonkeyPatch.context() as mp:
        texts = run_chapters(data, scheme, year, folder / "out", mp, outputs)
    return {"out": folder / "out", "texts": texts, "outputs": outputs}


@pytest.fixture(scope="session")
def chapter_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Callable[[str, Callable[[Path], tuple[Path, Path, int]]],
                               dict[str, object]]:
    """Every chapter executed in this process (``helpers.run_chapters``, fast study
    parameters) on a case, once per test run whatever the number of xdist workers
    (``build_once``): the chapter matrix and the reader-text scan read the same execution.
    ``chapter_case(key, case)``: ``case(folder)`` gives (data, scheme, year), writing any
    files it needs into ``folder``; returns the tables folder ``out``, each chapter's
    Markdown ``texts`` and the ``outputs`` (chapter, bundle) shown. Read-only."""
    memo: dict[str, dict[str, object]] = {}

    def get(key: str, case: Callable[[Path], tuple[Path, Path, int]]) -> dict[str, object]:
        if key not in memo:
            memo[key] = build_once(request.config, tmp_path_factory, f"chapters_{key}",
                                   lambda folder: _chapter_case(folder, case))
        return memo[key]

    return get
