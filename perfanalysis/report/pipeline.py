"""The annual report run: validate → parameters → execute notebooks → tables → render →
run record, every output built in a staging folder and swapped in only when all succeeded.

A failed notebook stops the run with a ``PipelineError`` naming the notebook and cell; its
executed copy (with the traceback) is kept in ``OUT.failed/`` and the previous ``OUT`` is
left untouched.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Self

import pandas as pd

from ..atomic import atomic_dir
from ..engine.data import Dataset, check_data, load_data
from ..engine.scheme import Scheme, load_scheme
from ..engine.scorecard import latest_year
from ..errors import PipelineError
from ..paths import NOTEBOOKS_DIR, REPORTS_DIR
from ..sample import DEFAULT_SEED, is_sample_data
from . import _nbformat  # noqa: F401 - before nbformat: imports it without the IRI grammars
from .export import write_tables
from .nbpairs import check_pairs
from .notebook import PLOTLY_MIME, PNG_DEFER_ENV, add_chart_pngs, png_export_status
from .render import RenderResult, choose_renderer, reading_order, render_nbconvert, render_quarto
from .runrecord import git_state, now_utc, package_versions, sha256_file, write_record

BASE_PARAMETERS = ("data_dir", "scheme_path", "year", "seed", "out_dir")
KERNEL = "python3"


@dataclass(frozen=True)
class Bounds:
    """The allowed range of a numeric study parameter (``None``: unbounded on that side)."""

    low: float | None = None
    high: float | None = None
    open_low: bool = False  # low itself excluded
    open_high: bool = False  # high itself excluded

    def admits(self, v: float) -> bool:
        if self.low is not None and (v < self.low or (self.open_low and v == self.low)):
            return False
        return self.high is None or not (v > self.high or (self.open_high and v == self.high))

    def __str__(self) -> str:
        if self.high is None:
            return f"{'>' if self.open_low else '≥'} {self.low:g}"
        left, right = "(" if self.open_low else "[", ")" if self.open_high else "]"
        return f"in {left}{self.low:g}, {self.high:g}{right}"


#: Allowed values of numeric study parameters, checked before any notebook runs (a count of
#: draws or resamples below 1, a negative noise or an α outside (0, 1) would otherwise fail
#: half-way through the report, or quietly mean nothing). ``draws`` may be 0: adaptive in
#: the tier chapter; the fairness chapter's ``noise_draws`` needs two copies to vary.
PARAMETER_BOUNDS: dict[str, Bounds] = {
    "n_nearest": Bounds(1), "k": Bounds(1), "n_boot": Bounds(1), "boot": Bounds(1),
    "noise_draws": Bounds(2), "draws": Bounds(0), "chunk": Bounds(1), "max_draws": Bounds(1), "rank_draws": Bounds(1),
    "sobol_samples": Bounds(2), "noise": Bounds(0), "weight_concentration": Bounds(0),
    "se_target": Bounds(0, open_low=True), "cut_precision": Bounds(0, open_low=True),
    "alpha": Bounds(0, 1, open_low=True, open_high=True),
    "alpha_step": Bounds(0, 1, open_low=True), "weight_range": Bounds(0, 1, open_high=True),
    "max_size_rho": Bounds(0, 1), "max_rank_sd": Bounds(0),
}
#: Kernel options: keep ipykernel's start-up warnings (e.g. "Kernel is running over TCP
#: without encryption") out of the terminal; errors still show, cell output is unaffected.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


class RunProgress(Protocol):
    """What the run reports while it works (the CLI draws rich progress bars)."""

    def step(self, message: str) -> None: ...
    def notebook_started(self, name: str, n_cells: int) -> None: ...
    def cell_done(self, name: str) -> None: ...
    def notebook_finished(self, name: str, seconds: float) -> None: ...


class _Silent:
    def step(self, message: str) -> None:
        return None

    def notebook_started(self, name: str, n_cells: int) -> None:
        return None

    def cell_done(self, name: str) -> None:
        return None

    def notebook_finished(self, name: str, seconds: float) -> None:
        return None


@dataclass(frozen=True)
class RunConfig:
    """Everything a run depends on (the CLI's options)."""

    data: Path
    scheme: Path
    out: Path
    year: int | None = None
    seed: int = DEFAULT_SEED
    renderer: str = "auto"
    params: dict[str, str] = field(default_factory=dict)
    notebooks_dir: Path = NOTEBOOKS_DIR
    reports_dir: Path = REPORTS_DIR
    jobs: int | None = None  # notebooks run at once (None: PERFANALYSIS_JOBS, else cores)


@dataclass
class RunResult:
    """Where the report is and how it was made."""

    out: Path
    report_html: Path
    report_docx: Path | None
    renderer: str
    record: dict[str, Any]
    notes: list[str]
    warnings: list[str] = field(default_factory=list)


# --- step 1: validate ---------------------------------------------------------------------
def validate_inputs(config: RunConfig) -> tuple[Dataset, Scheme, int]:
    """Load and check data and scheme for the year (DataError/SchemeError before any work)."""
    scheme = load_scheme(config.scheme)
    data = load_data(config.data, scheme)  # the scheme reads office workbooks
    year = config.year if config.year is not None else latest_year(data)
    check_data(data, scheme, year)
    return data, scheme, year


def _check_out(config: RunConfig) -> None:
    out = config.out.resolve()
    for guarded in (config.notebooks_dir, config.reports_dir, Path(config.data)):
        g = guarded.resolve()
        if out == g or g in out.parents or out in g.parents:
            raise PipelineError(f"--out {config.out} overlaps {guarded}; choose a folder of "
                                "its own (e.g. out/report)")


# --- step 2: notebooks and parameters -----------------------------------------------------
def discover_notebooks(folder: Path) -> list[Path]:
    """Every ``*.ipynb`` of the folder in name order (the execution order; the reading
    order is ``report-chapters`` of ``_quarto.yml``, see ``render.reading_order``)."""
    found = sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise PipelineError(f"no notebooks (*.ipynb) in {folder}")
    check_pairs([p for p in found if p.with_suffix(".py").exists()])
    return found


def declared_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook's ``parameters`` cell declares (papermill's inspection)."""
    import nbformat
    import papermill

    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise PipelineError(f"{notebook.name}: no cell tagged 'parameters'; add one with "
                            "'name: type = default  # meaning' lines")
    for i, line in enumerate(str(cells[0].source).splitlines(), start=1):
        code = line.strip()
        # papermill skips (with only a log warning) any line holding more than one '=':
        # the parameter would silently keep its default whatever the run passes
        if code and not code.startswith("#") and code.count("=") > 1:
            raise PipelineError(f"{notebook.name}: parameters cell line {i} {code!r} has "
                                "more than one '=', which papermill cannot read (the run "
                                "could not set it); write the comment without '='")
    return dict(papermill.inspect_notebook(str(notebook)))


#: study parameters that are paths (the brief's previous data folder and scheme and the
#: proposal file it answers, the error model of the tier and fairness chapters)
PATH_PARAMETERS = ("previous_data", "previous_scheme", "proposal", "error_model")


def _convert(name: str, raw: str, declared: dict[str, Any]) -> Any:
    """Turn a ``-p key=value`` string into the declared parameter's type."""
    kind = str(declared.get("inferred_type_name", "None")).lower()
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            low = raw.strip().lower()
            if low not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(raw)
            return low in ("true", "1", "yes")
    except ValueError as exc:
        raise PipelineError(f"parameter {name}={raw!r}: expected {kind}") from exc
    return raw


def notebook_parameters(notebooks: list[Path], base: dict[str, Any],
                        study: dict[str, str]) -> tuple[dict[Path, dict[str, Any]],
                                                        dict[str, Any]]:
    """Parameters per notebook (only what each declares) and the typed study parameters;
    a study parameter no notebook declares is an error listing the known ones."""
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    known: dict[str, dict[str, Any]] = {}
    for params in declared.values():
        for name, info in params.items():
            known.setdefault(name, info)
    unknown = sorted(set(study) - set(known))
    reserved = sorted(set(study) & set(BASE_PARAMETERS))
    if reserved:
        raise PipelineError(f"set {', '.join(reserved)} with the run's own options "
                            "(--data, --scheme, --year, --seed, --out), not with -p")
    if unknown:
        allowed = sorted(set(known) - set(BASE_PARAMETERS))
        raise PipelineError(f"unknown notebook parameter(s): {', '.join(unknown)}; the "
                            f"notebooks declare: {', '.join(allowed) or '(none)'}")
    typed = {k: _convert(k, v, known[k]) for k, v in study.items()}
    for name, value in typed.items():
        bounds = PARAMETER_BOUNDS.get(name)
        if bounds is not None and isinstance(value, (int, float)) and not bounds.admits(value):
            raise PipelineError(f"parameter {name}={study[name]!r}: must be {bounds}")
    values = {**base, **typed}
    per_nb = {nb: {k: v for k, v in values.items() if k in params}
              for nb, params in declared.items()}
    return per_nb, typed


# --- step 3: execute ----------------------------------------------------------------------
#: Environment variable: how many chapter notebooks run at once (default: the machine's
#: cores). ``1`` runs them one after another, as before.
JOBS_ENV = "PERFANALYSIS_JOBS"
#: Text in a notebook's code that marks it as reading other chapters' tables (``OUT/tables``):
#: it starts only after every notebook before it in name order has finished.
READS_TABLES_MARKERS = ("tables_dir", "read_study_tables")


@functools.cache
def quiet_shutdown_kernel_manager() -> type:
    """jupyter_client's AsyncKernelManager, except that shutting a kernel down does not first
    interrupt it. The stock manager sends SIGINT before the shutdown request; when the signal
    lands while the kernel is still handling a message (likely on a busy machine) ipykernel
    logs "KeyboardInterrupt caught in kernel" at ERROR level into the terminal. The shutdown
    request travels on the control channel, which a busy kernel still serves, and an
    unresponsive kernel is terminated after the wait time as before."""
    from jupyter_client import AsyncKernelManager

    class QuietShutdownKernelManager(AsyncKernelManager):  # type: ignore[misc]
        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        interrupt_kernel = _async_interrupt_kernel

    return QuietShutdownKernelManager


#: Seconds nbclient waits, after a cell's reply, for the rest of its output (default 4 s, then
#: papermill fails the cell with "Timeout waiting for IOPub output"). A chart's output is
#: megabytes of JSON; on a loaded machine, with notebooks running side by side in this
#: process, reading it can take longer than 4 s. The wait ends as soon as the output is in,
#: so the limit only matters for a kernel that never finishes its output.
IOPUB_TIMEOUT = 600
#: keyword the run passes through papermill to its engine: called after each code cell
CELL_CALLBACK = "perfanalysis_cell_done"


def _register_engine() -> str:
    """A papermill engine that reports each finished code cell (for the per-notebook bars;
    papermill also completes markdown cells, which the bars do not count; the callback comes
    with each notebook's call, so notebooks may run in parallel threads) and starts the
    kernel with ``KERNEL_ARGUMENTS``."""
    from papermill.engines import NBClientEngine, papermill_engines

    # papermill formats the injected parameters with black when it is installed: imported
    # once here, as two notebooks starting at once in two threads saw a half-imported
    # module ("Black encountered an error ... no attribute 'FileMode'") and left one
    # parameters cell unformatted
    with contextlib.suppress(ImportError):
        import black  # noqa: F401

    class _ProgressEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            original = nb_man.cell_complete
            callback: Callable[[], None] | None = kwargs.pop(CELL_CALLBACK, None)

            def cell_complete(cell: Any, cell_index: int | None = None, **kw: Any) -> Any:
                result = original(cell, cell_index=cell_index, **kw)
                if cell.get("cell_type") == "code" and callback is not None:
                    callback()
                return result

            nb_man.cell_complete = cell_complete
            kwargs.setdefault("kernel_manager_class", quiet_shutdown_kernel_manager())
            kwargs.setdefault("iopub_timeout", IOPUB_TIMEOUT)
            extra = list(kwargs.pop("extra_arguments", None) or [])
            kwargs["extra_arguments"] = extra + [a for a in KERNEL_ARGUMENTS if a not in extra]
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("perfanalysis", _ProgressEngine)
    return "perfanalysis"


#: Set to 0 for a fresh kernel per notebook (the run's kernels are otherwise reused,
#: ``KernelPool``)
KERNEL_REUSE_ENV = "PERFANALYSIS_KERNEL_REUSE"
#: What a reused kernel runs before its next notebook: IPython's reset with a new history
#: session (every name the last notebook defined gone, the prompt count back at 1; imported
#: modules stay, their import was the kernel's start-up cost), freed memory returned
KERNEL_RESET = ("get_ipython().reset(new_session=True)\n"
                "import gc as _gc; _gc.collect(); del _gc")


class KernelPool:
    """One kernel per thread of a run, kept for the notebooks that thread executes: starting
    a kernel and importing pandas, plotly and the package cost about 3.5 s of CPU per
    notebook (six per report), more than some chapters' own work. Before each later
    notebook the kernel's namespace is reset (``KERNEL_RESET``); every chapter then starts
    from its own ``notebook_setup``, as chapters run one after another in one process (the
    byte-identical tables of tests/test_pipeline.py). A kernel that died or ran a failing
    notebook is replaced. ``enabled`` False: papermill starts a fresh kernel per notebook."""

    def __init__(self, cwd: Path, enabled: bool = True) -> None:
        self.cwd, self.enabled = cwd, enabled
        self._local = threading.local()
        self._kernels: list[Any] = []
        self._lock = threading.Lock()

    def kernel(self) -> Any:
        """This thread's kernel manager, started or reset for the next notebook (None when
        kernels are not reused)."""
        if not self.enabled:
            return None
        from jupyter_core.utils import run_sync

        km = getattr(self._local, "km", None)
        if km is not None and run_sync(km.is_alive)():
            self._stop_clients(km)
            self._reset(km)
            return km
        km = quiet_shutdown_kernel_manager()(kernel_name=KERNEL)
        run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(self.cwd))
        # the client nbclient makes for each notebook is left open when the kernel is not
        # its own: kept here and closed before the next notebook and at the end
        km.clients_made = []
        make = km.client

        def client(**kwargs: Any) -> Any:
            kc = make(**kwargs)
            km.clients_made.append(kc)
            return kc

        km.client = client
        self._local.km = km
        with self._lock:
            self._kernels.append(km)
        return km

    @staticmethod
    def _stop_clients(km: Any) -> None:
        for kc in getattr(km, "clients_made", []):
            with contextlib.suppress(Exception):
                kc.stop_channels()
        km.clients_made = []

    def discard(self) -> None:
        """Shut this thread's kernel down (after a failing notebook: not reused)."""
        km = getattr(self._local, "km", None)
        self._local.km = None
        if km is not None:
            self._shutdown(km)

    def close(self) -> None:
        """Shut every kernel of the pool down."""
        with self._lock:
            kernels, self._kernels = self._kernels, []
        for km in kernels:
            self._shutdown(km)

    def _reset(self, km: Any) -> None:
        """Run ``KERNEL_RESET`` in the kernel (a client of its own, on this thread's event
        loop, as nbclient's)."""
        from jupyter_core.utils import run_sync

        client = km.client()
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=60)
            reply = run_sync(client.execute_interactive)(
                KERNEL_RESET, store_history=False, allow_stdin=False, timeout=60,
                output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise PipelineError(f"resetting the kernel failed: {reply['content']}")
        finally:
            client.stop_channels()

    def _shutdown(self, km: Any) -> None:
        from jupyter_core.utils import run_sync

        self._stop_clients(km)
        with contextlib.suppress(Exception):
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=False)
        with contextlib.suppress(Exception):
            run_sync(km.cleanup_resources)()
        with self._lock:
            if km in self._kernels:
                self._kernels.remove(km)


def kernel_reuse() -> bool:
    """Whether the run reuses its kernels (``KERNEL_REUSE_ENV``, default yes)."""
    return os.environ.get(KERNEL_REUSE_ENV, "1").strip() not in ("0", "false", "no")


class _NotebookFailed(PipelineError):
    """A cell raised: which notebook, where its executed copy is, papermill's error."""

    def __init__(self, notebook: Path, target: Path, cause: Any):
        super().__init__(notebook.name)
        self.notebook, self.target, self.cause = notebook, target, cause


def _failure_message(nb: Path, exc: Any, kept: Path, out: Path) -> str:
    source = str(getattr(exc, "source", "")).strip().splitlines()
    first = source[0] if source else ""
    return (f"notebook {nb.name} failed at cell {exc.cell_index} (In [{exc.exec_count}]: "
            f"{first!r}): {exc.ename}: {exc.evalue}\n"
            f"The executed notebook with the traceback is kept in {kept}; "
            f"the previous output in {out} is untouched.")


def run_jobs(jobs: int | None = None) -> int:
    """How many notebooks run at once: ``jobs`` if given, else ``PERFANALYSIS_JOBS``, else
    the machine's cores (at least 1). A value that is not a positive whole number is an
    error naming the variable."""
    raw: object = jobs if jobs is not None else os.environ.get(JOBS_ENV, "").strip()
    if raw == "":
        return max(1, os.cpu_count() or 1)
    try:
        value = int(str(raw))
    except ValueError:
        value = 0
    if value < 1:
        raise PipelineError(f"{JOBS_ENV}={raw!r}: must be a whole number ≥ 1 (notebooks run "
                            "at once)")
    return value


def reads_tables(notebook: Path) -> bool:
    """Whether a notebook's code reads other chapters' tables (``READS_TABLES_MARKERS``)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return any(m in str(c.source) for c in nb.cells if c.cell_type == "code"
               for m in READS_TABLES_MARKERS)


def execution_waves(notebooks: list[Path]) -> list[list[Path]]:
    """Notebooks grouped into waves that may run in parallel, in name order: a notebook that
    reads other chapters' tables closes the wave before it and starts a wave of its own, so
    it sees every table the notebooks before it write; the others share a wave."""
    waves: list[list[Path]] = [[]]
    for nb in notebooks:
        if reads_tables(nb) and waves[-1]:
            waves.append([nb])
            waves.append([])
        else:
            waves[-1].append(nb)
    return [w for w in waves if w]


def _execute_one(nb: Path, params: dict[str, Any], target: Path, cwd: Path, engine: str,
                 progress: RunProgress, lock: threading.Lock,
                 pool: KernelPool | None = None) -> float:
    """Run one notebook into ``target`` (its kernel starts in ``cwd``); seconds taken.
    Papermill writes the executed copy once at the end (and on failure), not after every
    cell: the copies hold plotly.js and all charts, and rewriting them per cell cost more
    than some chapters' own work. Progress calls are serialised by ``lock``. ``pool``: the
    kernel comes from it (else papermill starts one)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    n_cells = sum(1 for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code")

    def cell_done() -> None:
        with lock:
            progress.cell_done(nb.name)

    with lock:  # +1: papermill's injected-parameters cell (added when params are set)
        progress.notebook_started(nb.name, n_cells + (1 if params else 0))
    t0 = time.perf_counter()
    km = pool.kernel() if pool is not None else None
    try:
        # cwd goes to the kernel, not to papermill: papermill's own cwd option changes the
        # whole process's folder, which parallel notebooks would undo for each other
        papermill.execute_notebook(str(nb), str(target), parameters=params,
                                   kernel_name=KERNEL, engine_name=engine,
                                   progress_bar=False, log_output=False,
                                   request_save_on_cell_execute=False,
                                   resources={"metadata": {"path": str(cwd)}},
                                   **({"km": km} if km is not None else {}),
                                   **{CELL_CALLBACK: cell_done})
    except PapermillExecutionError as exc:
        if pool is not None:
            pool.discard()
        raise _NotebookFailed(nb, target, exc) from exc
    except BaseException:
        if pool is not None:
            pool.discard()
        raise
    seconds = round(time.perf_counter() - t0, 2)
    with lock:
        progress.notebook_finished(nb.name, seconds)
    return seconds


def execute_notebooks(per_nb: dict[Path, dict[str, Any]], dest: Path, cwd: Path,
                      progress: RunProgress, jobs: int | None = None,
                      on_done: Callable[[Path], None] | None = None
                      ) -> tuple[list[Path], dict[str, float]]:
    """Run each notebook with papermill (kernel ``python3``) into ``dest``; return the
    executed paths (in the order given) and seconds per notebook. Independent notebooks run
    ``run_jobs(jobs)`` at a time (``execution_waves``): each has its own kernel and seed, so
    the outputs do not depend on how many run at once. ``on_done`` is called with each
    executed copy as soon as it is written. Raises ``_NotebookFailed`` for the first failing
    notebook in name order, after the notebooks already running have finished."""
    from concurrent.futures import ThreadPoolExecutor

    engine = _register_engine()
    dest.mkdir(parents=True, exist_ok=True)
    cwd = Path(cwd).resolve()
    targets: dict[Path, Path] = {}
    for nb, params in per_nb.items():
        year = params.get("year")
        targets[nb] = dest / (f"{nb.stem}-{year}.ipynb" if year is not None else nb.name)
    timings: dict[str, float] = {}
    lock = threading.Lock()
    kernels = KernelPool(cwd, kernel_reuse())
    with contextlib.closing(kernels), ThreadPoolExecutor(max_workers=run_jobs(jobs)) as pool:
        for wave in execution_waves(list(per_nb)):
            futures = {nb: pool.submit(_execute_one, nb, per_nb[nb], targets[nb], cwd, engine,
                                       progress, lock, kernels) for nb in wave}
            failures: list[_NotebookFailed] = []
            for nb in wave:  # name order: the first failure reported is the earliest notebook
                try:
                    timings[nb.name] = futures[nb].result()
                except _NotebookFailed as failure:
                    failures.append(failure)
                    continue
                if on_done is not None:
                    on_done(targets[nb])
            if failures:
                raise failures[0]
    return [targets[nb] for nb in per_nb], timings


# --- step 4: tables -----------------------------------------------------------------------
def _read_table(path: Path) -> pd.DataFrame:
    """Read a CSV the notebooks wrote, keeping identifiers such as '001' as text."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    typed = pd.read_csv(path, encoding="utf-8-sig")
    for col in raw.columns:
        if pd.api.types.is_numeric_dtype(typed[col]) and raw[col].str.match(r"^0\d").any():
            typed[col] = raw[col]
    return typed


def table_hashes(out: Path) -> dict[str, str]:
    """The SHA-256 of every table the notebooks saved (``OUT/tables/*.csv``)."""
    csvs = sorted((out / "tables").glob("*.csv"))
    if not csvs:
        raise PipelineError("the notebooks saved no tables (expected OUT/tables/*.csv)")
    return {p.name: sha256_file(p) for p in csvs}


def write_workbook(out: Path) -> Path:
    """Write ``OUT/scores.xlsx``: one sheet per ``tables/*.csv``, the readers' sheets
    (Chinese names: 成绩表, 得分构成, 指标明细) first, then scores, then the rest."""
    csvs = sorted((out / "tables").glob("*.csv"))
    order = sorted(csvs, key=lambda p: (p.stem.isascii(), p.stem != "scores", p.stem))
    return write_tables({p.stem: _read_table(p) for p in order}, out / "scores.xlsx")


def _figure_counts(executed: list[Path]) -> tuple[int, int]:
    from .render import read_executed

    n = png = 0
    for path in executed:
        for cell in read_executed(path).cells:
            for o in cell.get("outputs", []):
                if PLOTLY_MIME in o.get("data", {}):
                    n += 1
                    png += "image/png" in o["data"]
    return n, png


# --- the run ------------------------------------------------------------------------------
@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    """Set an environment variable (inherited by the kernels) for the block only."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


class _PngExporter:
    """Adds chart PNGs (``add_chart_pngs``) to each executed notebook as soon as it is
    written, in one background thread with one headless browser, while the other chapters
    still run; leaving the ``with`` block waits for every export (and re-raises its error).
    ``seconds``: the time spent exporting."""

    def __init__(self, available: bool) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self.available = available
        self.pool = ThreadPoolExecutor(max_workers=1) if available else None
        self.futures: list[Future[None]] = []
        self.seconds = 0.0

    def _export(self, path: Path) -> None:
        t0 = time.perf_counter()
        add_chart_pngs([path])
        self.seconds += time.perf_counter() - t0  # one worker thread: no race

    def submit(self, path: Path) -> None:
        if self.pool is not None:
            self.futures.append(self.pool.submit(self._export, path))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is None:
            return
        # after a failed chapter the pending exports are dropped (the run stops anyway)
        self.pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
        if exc[0] is None:
            for f in self.futures:
                f.result()


class _Background:
    """``fn(*args)`` in a thread from now on: ``result()`` waits and re-raises its error,
    ``wait()`` only waits (before the staging folder is cleaned up after another error)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1)
        self._future = self._pool.submit(fn, *args)
        self._pool.shutdown(wait=False)

    def result(self) -> Any:
        return self._future.result()

    def wait(self) -> None:
        from concurrent.futures import wait

        wait([self._future])


def _keep_failed(stage: Path, out: Path) -> Path:
    """Move the staging notebooks to ``OUT.failed/`` (replacing an older one)."""
    failed = out.with_name(out.name + ".failed")
    if failed.exists():
        shutil.rmtree(failed)
    failed.mkdir(parents=True)
    if (stage / "notebooks").exists():
        shutil.copytree(stage / "notebooks", failed / "notebooks")
    return failed


def run_report(config: RunConfig, progress: RunProgress | None = None) -> RunResult:
    """Produce the annual report in ``config.out`` (see the module docstring)."""
    progress = progress or _Silent()
    started = now_utc()
    progress.step("检查数据与考核方案 / validating data and scheme")
    data, scheme, year = validate_inputs(config)
    renderer, reason = choose_renderer(config.renderer)
    _check_out(config)
    notebooks = discover_notebooks(config.notebooks_dir)
    chapters = [p.name for p in reading_order(notebooks, config.reports_dir / "_quarto.yml")]
    out = Path(config.out)
    png = png_export_status()
    base = {"data_dir": str(Path(config.data).resolve()),
            "scheme_path": str(Path(config.scheme).resolve()), "year": year,
            "seed": config.seed, "out_dir": ""}
    # paths given with -p are relative to where the user runs the command, not to the
    # folder the notebooks execute in
    params = {k: (str(Path(v.strip()).resolve()) if k in PATH_PARAMETERS and v.strip() else v)
              for k, v in config.params.items()}
    lost = [f"{k}={config.params[k]}" for k in PATH_PARAMETERS
            if params.get(k, "").strip() and not Path(params[k]).exists()]
    if lost:
        raise PipelineError(f"no such file or folder: {', '.join(lost)} / "
                            "找不到所给的文件或文件夹")
    per_nb, study = notebook_parameters(notebooks, base, params)
    with atomic_dir(out) as stage:
        for params in per_nb.values():
            if "out_dir" in params:
                params["out_dir"] = str(stage.resolve())
        pngs = _PngExporter(png["available"])
        progress.step("运行各章 / executing the chapters")
        try:
            with pngs, _env(PNG_DEFER_ENV, "1"):  # PNGs added by one browser for all charts
                executed, timings = execute_notebooks(per_nb, stage / "notebooks", stage,
                                                      progress, config.jobs, pngs.submit)
                if png["available"]:
                    progress.step("导出图表图片 / exporting chart PNGs")
        except _NotebookFailed as failure:
            failed = _keep_failed(stage, out)
            kept = failed / "notebooks" / failure.target.name
            raise PipelineError(_failure_message(failure.notebook, failure.cause, kept, out)
                                ) from failure.cause
        if png["available"]:
            timings["png"] = round(pngs.seconds, 2)
        progress.step("汇总表格 / collecting tables")
        hashes = table_hashes(stage)
        # scores.xlsx is written while the report renders (the renderer runs in other
        # processes; a national run's workbook alone took minutes)
        workbook = _Background(write_workbook, stage)
        n_fig, n_png = _figure_counts(executed)
        record: dict[str, Any] = {
            "parameters": {"data": str(config.data), "scheme": str(config.scheme),
                           "year": year, "seed": config.seed, "out": str(config.out),
                           "renderer": config.renderer, "study_parameters": study},
            "scheme": {"id": scheme.id, "name": scheme.name},
            "data": {"fingerprint": data.fingerprint(),
                     "illustrative_sample": is_sample_data(config.data)},
            "inputs": {"data_files": data.file_hashes(),
                       "scheme_file": {Path(config.scheme).name: sha256_file(config.scheme)},
                       "notebooks": {p.name: sha256_file(p) for p in notebooks}},
            "packages": package_versions(),
            "git": git_state(),
            "notebooks": [p.name for p in notebooks],
            "chapters": chapters,
            "png_export": {**png, "figures": n_fig, "figures_with_png": n_png},
            "outputs": {"tables": hashes},
        }
        progress.step(f"生成报告 / rendering with {renderer}")
        t0 = time.perf_counter()
        by_source = dict(zip([p.name for p in notebooks], executed, strict=True))
        executed = [by_source[name] for name in chapters]  # reading order
        try:
            if renderer == "quarto":
                result = render_quarto(executed, record, stage, stage / "_render",
                                       config.reports_dir, reason)
                shutil.rmtree(stage / "_render", ignore_errors=True)
            else:
                result = render_nbconvert(executed, record, stage, reason)
        except PipelineError as exc:
            failed = _keep_failed(stage, out)
            if (stage / "_render").exists():
                shutil.copytree(stage / "_render", failed / "_render")
            raise PipelineError(f"{exc}\nExecuted notebooks are kept in {failed}; the previous "
                                f"output in {out} is untouched.") from exc
        finally:
            workbook.wait()  # never leave it writing into a staging folder being removed
        timings["render"] = round(time.perf_counter() - t0, 2)
        workbook.result()
        record["renderer"] = _renderer_record(result)
        record["timings"] = timings
        record["timestamps"] = {"started": started, "finished": now_utc()}
        write_record(stage / "run.json", record)
    stale = out.with_name(out.name + ".failed")
    if stale.exists():
        shutil.rmtree(stale)
    return RunResult(out=out, report_html=out / result.html.name,
                     report_docx=out / result.docx.name if result.docx else None,
                     renderer=result.renderer, record=record, notes=result.notes,
                     warnings=result.warnings)


def _renderer_record(result: RenderResult) -> dict[str, Any]:
    """run.json's ``renderer``: which one and why, what it wrote, the notes (e.g. no charts
    in DOCX), the renderer's own warnings, the versions of the renderer and pandoc used."""
    return {"name": result.renderer, "reason": result.reason, "html": result.html.name,
            "docx": result.docx.name if result.docx else None,
            "docx_charts": result.docx_charts, "notes": result.notes,
            "warnings": result.warnings, "tools": result.tool_versions}
