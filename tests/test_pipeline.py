"""The annual report run end to end: one real run on the Yiyang sample (module fixture) and
many checks on it, plus validation-first, failed-notebook and determinism runs."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from perfanalysis import load_data, load_scheme, scorecard
from perfanalysis.cli import app
from perfanalysis.errors import PipelineError
from perfanalysis.paths import NOTEBOOKS_DIR, PROJ_ROOT
from perfanalysis.report.pipeline import RunConfig, notebook_parameters, run_report
from perfanalysis.report.runrecord import stable_view

DATA = PROJ_ROOT / "data" / "sample" / "yiyang"
SCHEME = PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml"
YEAR = 2019
RAISES = Path(__file__).parent / "data" / "notebook_raises"

pytestmark = pytest.mark.slow


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def run(sample_run: dict[str, object]) -> dict[str, object]:
    """The session's one full run with the nbconvert renderer (tests/conftest.py)."""
    return sample_run


def test_layout_of_the_output(run: dict) -> None:
    out: Path = run["out"]
    assert sorted(p.name for p in out.iterdir()) == [
        "notebooks", "reply.docx", "report.docx", "report.html", "run.json", "scores.xlsx",
        "tables"]
    tables = {p.name for p in (out / "tables").glob("*.csv")}
    assert {"score_breakdown.csv", "scores.csv", "tier_margins.csv"} <= tables
    assert {"brief_facts.csv", "brief_tradeoffs.csv", "tier_history.csv"} <= tables
    assert {"tier_probabilities.csv", "reward_cost.csv"} <= tables
    assert {"scenario_totals.csv", "sobol.csv", "alternatives_weightings.csv"} <= tables
    assert {"close_cuts.csv", "score_detail.csv", "得分构成.csv", "成绩表.csv", "指标明细.csv"} <= tables
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == [
        f"{nb.stem}-{YEAR}.ipynb" for nb in sorted(NOTEBOOKS_DIR.glob("*.ipynb"))]
    # nothing left over next to OUT: no staging folder, no failed folder
    assert sorted(p.name for p in run["base"].iterdir()) == ["report"]
    assert run["result"].renderer == "nbconvert"
    assert run["result"].report_html == out / "report.html"


def test_no_cell_errored_and_every_notebook_ran(run: dict) -> None:
    names = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    executed = sorted((run["out"] / "notebooks").glob("*.ipynb"))
    assert [p.stem.rsplit("-", 1)[0] for p in executed] == names
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert errors == [], path.name
        assert nb.metadata["papermill"]["parameters"]["year"] == YEAR


def test_scores_table_matches_the_score_command(run: dict, tmp_path: Path) -> None:
    cli_csv = tmp_path / "cli_scores.csv"
    res = CliRunner().invoke(app, ["score", "--data", str(DATA), "--scheme", str(SCHEME),
                                   "--year", str(YEAR), "--out", str(cli_csv)])
    assert res.exit_code == 0, res.output
    assert (run["out"] / "tables" / "scores.csv").read_bytes() == cli_csv.read_bytes()
    xlsx = pd.read_excel(run["out"] / "scores.xlsx", sheet_name=None)
    # readers' sheets first (issue 14 item 11), then the machine tables, scores first
    assert list(xlsx)[:4] == ["得分构成", "成绩表", "指标明细", "scores"]
    assert {"score_breakdown", "tier_margins", "score_detail", "close_cuts"} <= set(xlsx)
    # one sheet per saved table: the scorecard's and the study chapters'
    assert set(xlsx) == {p.stem for p in (run["out"] / "tables").glob("*.csv")}
    cli = pd.read_csv(cli_csv, encoding="utf-8-sig")
    pd.testing.assert_series_equal(xlsx["scores"]["total"], cli["total"])


def test_report_numbers_match_scorecard(run: dict) -> None:
    """Every unit's total appears in the report's score table, exactly."""
    table = scorecard(load_data(DATA), load_scheme(SCHEME), YEAR)
    html = run["html"]
    for r in table.itertuples(index=False):
        cell = rf"data-v=[\"']{re.escape(repr(r.total))}[\"'] style=[\"']text-align:right[\"']>"
        assert re.search(cell + re.escape(f"{r.total:.2f}</td>"), html), r.name
        assert f">{r.name}</td>" in html
    # the sentences are generated from the same numbers: top unit and its total
    top = table.sort_values("total", ascending=False).iloc[0]
    assert f"总分最高的是{top['name']}({top['total']:.2f}分)" in html


def test_html_has_charts_headings_and_inline_plotlyjs(run: dict) -> None:
    from plotly.offline import get_plotlyjs

    html = run["html"]
    assert html.count('class="plotly-graph-div"') >= 2
    for heading in ("年度考核结果总览", "各单位总分与等次", "得分构成", "成绩表", "距等次边界的分差",
                    "报告信息", "软件版本"):
        assert heading in html, heading
    assert html.count(get_plotlyjs()) == 1  # inline, once
    # offline: no script is fetched from anywhere
    assert re.findall(r"<script[^>]+src=[\"']?(?:https?:)?//", html) == []
    rest = html.replace(get_plotlyjs(), "")  # plotly.js itself names CDNs for map tiles
    assert "cdn." not in rest and "require.min.js" not in rest and "mathjax.js" not in rest.lower()
    assert "notebook_setup" not in html  # code is hidden


def test_html_is_self_contained_with_charts_in_their_sections(run: dict) -> None:
    from .test_render import assert_shared_html_checks

    rec = run["record"]
    executed = [run["out"] / "notebooks" / f"{Path(c).stem}-{YEAR}.ipynb"
                for c in rec["chapters"]]
    assert_shared_html_checks(run["html"], executed)
    assert rec["renderer"]["warnings"] == []
    assert set(rec["renderer"]["tools"]) == {"nbconvert", "pandoc"}


def test_answer_first_and_cover_material_in_the_closing_appendix(run: dict) -> None:
    html, rec = run["html"], run["record"]
    appendix = html.index("附录 数据与方法说明")
    assert html.index("年度考核结果总览") < appendix  # the chapters come first
    assert html.index(rec["data"]["fingerprint"]) > appendix
    assert html.index("软件版本") > appendix and html.index("报告信息") > appendix
    # the short title block stays on top: title, scheme, year, the sample notice
    assert html.index("示例数据说明") < html.index("年度考核结果总览")
    assert f"{rec['renderer']['tools']['pandoc']}</td>" in html[appendix:]
    with zipfile.ZipFile(run["out"] / "report.docx") as z:
        doc = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
    assert doc.index("年度考核结果总览") < doc.index("附录 数据与方法说明")


def test_cover_states_scheme_year_fingerprint_and_sample(run: dict) -> None:
    html, rec = run["html"], run["record"]
    assert load_scheme(SCHEME).name in html  # 益阳市2018年县市区绩效考核(…示例权重)
    assert rec["data"]["fingerprint"] in html
    assert rec["data"]["illustrative_sample"] is True
    assert "示例数据说明" in html
    assert "<strong>示例数据说明</strong>" in html


def test_run_record(run: dict) -> None:
    rec = run["record"]
    assert rec["parameters"] == {"data": str(DATA), "scheme": str(SCHEME), "year": YEAR,
                                 "seed": 20181214, "out": str(run["out"]),
                                 "renderer": "nbconvert", "study_parameters": {}}
    assert rec["inputs"]["data_files"] == {p.name: _sha(p) for p in sorted(DATA.glob("*.csv"))}
    assert rec["inputs"]["scheme_file"] == {SCHEME.name: _sha(SCHEME)}
    assert rec["outputs"]["tables"] == {p.name: _sha(p) for p in
                                        sorted((run["out"] / "tables").glob("*.csv"))}
    steps = {"render"} | ({"png"} if rec["png_export"]["available"] else set())
    assert set(rec["timings"]) == {nb.name for nb in NOTEBOOKS_DIR.glob("*.ipynb")} | steps
    assert set(rec["timestamps"]) == {"started", "finished"}
    # the volatile fields are the only part left out of what two runs must share
    assert set(rec) - {"timestamps", "timings"} == set(stable_view(rec))
    assert rec["renderer"]["name"] == "nbconvert"
    assert rec["packages"]["papermill"] and rec["packages"]["python"].startswith("3.")
    png = rec["png_export"]
    assert png["figures"] >= 2  # the scorecard's two, plus the other chapters'
    assert png["figures_with_png"] == (png["figures"] if png["available"] else 0)


def test_docx_has_charts_exactly_when_png_export_works(run: dict) -> None:
    rec = run["record"]
    with zipfile.ZipFile(run["out"] / "report.docx") as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        doc = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
    assert "年度考核结果总览" in doc
    if rec["png_export"]["available"]:
        assert len(media) == rec["png_export"]["figures"]
        assert rec["renderer"]["docx_charts"] is True
    else:
        assert media == [] and "DOCX 版不含图表" in doc


def test_tables_are_byte_identical_from_kernels_and_from_this_process(
        panel_run: dict, chapter_case: Any) -> None:
    """Same inputs and seed, identical tables, however the chapters ran: the provincial
    panel's report (``run_report``: a kernel per chapter, two at a time, parameters through
    papermill) and the same chapters one after another in this process (the chapter
    matrix's case, another process and hash seed), with the same study parameters. The run
    record's stable part across two runs is compared by the sweep test (a serial and a Dask
    run of the same cells)."""
    from .test_chapter_matrix import preset_case

    case = chapter_case("china_provinces", preset_case("china_provinces"))
    kernels = {p.name: p.read_bytes() for p in (panel_run["out"] / "tables").glob("*.csv")}
    in_process = {p.name: p.read_bytes() for p in (case["out"] / "tables").glob("*.csv")}
    assert len(kernels) > 20
    assert sorted(kernels) == sorted(in_process)
    assert [n for n in sorted(kernels) if kernels[n] != in_process[n]] == []
    assert panel_run["record"]["parameters"]["seed"] == 20181214


def test_workbook_is_a_function_of_the_tables(run: dict, tmp_path: Path) -> None:
    """``scores.xlsx`` written again from the session run's tables is byte for byte the
    run's workbook (no date, order or zip time in it)."""
    from perfanalysis.report.pipeline import write_workbook

    shutil.copytree(run["out"] / "tables", tmp_path / "tables")
    assert write_workbook(tmp_path).read_bytes() == (run["out"] / "scores.xlsx").read_bytes()


def test_failed_notebook_keeps_previous_report_and_names_notebook_and_cell(
        run: dict, tmp_path: Path) -> None:
    out = tmp_path / "report"
    shutil.copytree(run["out"], out)
    before = _tree_hashes(out)
    with pytest.raises(PipelineError) as info:
        run_report(RunConfig(data=DATA, scheme=SCHEME, out=out, year=YEAR,
                             renderer="nbconvert", notebooks_dir=RAISES,
                             reports_dir=RAISES))
    msg = str(info.value)
    assert "notebook 00_raises.ipynb failed at cell" in msg
    assert "raise ValueError" in msg and "ValueError: 故意出错 deliberate failure" in msg
    failed = tmp_path / "report.failed"
    assert str(failed / "notebooks" / f"00_raises-{YEAR}.ipynb") in msg
    assert "untouched" in msg
    assert _tree_hashes(out) == before  # previous good report survives byte for byte
    kept = nbformat.read(failed / "notebooks" / f"00_raises-{YEAR}.ipynb", as_version=4)
    errors = [o for c in kept.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "ValueError"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "report.failed"]


def test_validation_fails_before_any_notebook_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(DATA, bad)
    with open(bad / "observations.csv", "a", encoding="utf-8") as fh:
        fh.write("nowhere,2019,gdp,1.0\n")
    # Excel row of the new line = number of lines (header is row 1)
    row = len((bad / "observations.csv").read_text(encoding="utf-8").splitlines())
    out = tmp_path / "out" / "report"
    res = CliRunner().invoke(app, ["run", "--data", str(bad), "--scheme", str(SCHEME),
                                   "--year", str(YEAR), "--out", str(out)])
    assert res.exit_code == 1
    assert "unknown unit" in res.output and "nowhere" in res.output
    assert f"row {row}" in res.output
    assert not (tmp_path / "out").exists()


def test_unknown_study_parameter_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"unknown notebook parameter\(s\): n_nearst; "
                                            r"the notebooks declare: .*\bn_nearest\b"):
        notebook_parameters(sorted(NOTEBOOKS_DIR.glob("*.ipynb")), {}, {"n_nearst": "2"})
    out = tmp_path / "report"
    res = CliRunner().invoke(app, ["run", "--data", str(DATA), "--scheme", str(SCHEME),
                                   "--out", str(out), "-p", "n_nearst=2"])
    assert res.exit_code == 1 and "n_nearst" in res.output
    assert list(tmp_path.iterdir()) == []


def test_study_parameters_are_typed_and_routed() -> None:
    nbs = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    per_nb, typed = notebook_parameters(nbs, {"year": 2019}, {"n_nearest": "5"})
    assert typed == {"n_nearest": 5}
    assert per_nb[NOTEBOOKS_DIR / "00_scorecard.ipynb"] == {"year": 2019, "n_nearest": 5}
    with pytest.raises(PipelineError, match="n_nearest='many': expected int"):
        notebook_parameters(nbs, {}, {"n_nearest": "many"})
    with pytest.raises(PipelineError, match="not with -p"):
        notebook_parameters(nbs, {}, {"year": "2018"})


@pytest.mark.parametrize("raw", ["0", "-1"])
def test_study_parameter_below_its_minimum_is_rejected_before_any_notebook(
        raw: str, tmp_path: Path) -> None:
    nbs = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    with pytest.raises(PipelineError, match=rf"n_nearest='{raw}': must be ≥ 1"):
        notebook_parameters(nbs, {}, {"n_nearest": raw})
    out = tmp_path / "report"
    res = CliRunner().invoke(app, ["run", "--data", str(DATA), "--scheme", str(SCHEME),
                                   "--out", str(out), "-p", f"n_nearest={raw}"])
    assert res.exit_code == 1 and "must be ≥ 1" in res.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "raw", "rule"), [
    ("alpha", "1", "in (0, 1)"), ("alpha", "0", "in (0, 1)"), ("se_target", "0", "> 0"),
    ("noise", "-0.05", "≥ 0"), ("noise_draws", "1", "≥ 2"), ("weight_range", "1", "in [0, 1)"),
    ("max_size_rho", "1.5", "in [0, 1]"), ("rank_draws", "0", "≥ 1"), ("draws", "-1", "≥ 0")])
def test_study_parameters_outside_their_range_are_rejected(name: str, raw: str,
                                                           rule: str) -> None:
    nbs = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    with pytest.raises(PipelineError, match=re.escape(f"{name}='{raw}': must be {rule}")):
        notebook_parameters(nbs, {}, {name: raw})


def test_range_edges_that_mean_something_are_accepted() -> None:
    # draws=0: adaptive tier draws; noise=0 and weight_concentration=0: no noise, fixed
    # weights; max_size_rho=1 and alpha_step=1: the closed ends
    nbs = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    study = {"draws": "0", "noise": "0", "weight_concentration": "0", "max_size_rho": "1",
             "alpha_step": "1", "noise_draws": "2"}
    _, typed = notebook_parameters(nbs, {}, study)
    assert typed == {"draws": 0, "noise": 0.0, "weight_concentration": 0.0,
                     "max_size_rho": 1.0, "alpha_step": 1.0, "noise_draws": 2}


def test_parameter_line_papermill_cannot_read_is_an_error(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('year: int = 2019  # evaluation year\n'
                                     'draws: int = 0  # 0 = adaptive\n')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    path = tmp_path / "09_extra.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(PipelineError, match=r"09_extra.ipynb: parameters cell line 2 "
                                            r"'draws: int = 0  # 0 = adaptive' has more"):
        notebook_parameters([path], {}, {})


class _Recorder:
    """A RunProgress that remembers what it was told."""

    def __init__(self) -> None:
        self.total: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def step(self, message: str) -> None:
        return None

    def notebook_started(self, name: str, n_cells: int) -> None:
        self.total[name], self.done[name] = n_cells, 0

    def cell_done(self, name: str) -> None:
        self.done[name] += 1

    def notebook_finished(self, name: str, seconds: float) -> None:
        return None


def test_failing_notebook_progress_counts_code_cells_and_kernel_warning_is_quiet(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # 00_raises: markdown, parameters, 'x = 1', raise → with papermill's injected cell that is
    # 4 code cells; all 4 complete (the last one raising). Markdown cells are not counted.
    progress = _Recorder()
    with pytest.raises(PipelineError):
        run_report(RunConfig(data=DATA, scheme=SCHEME, out=tmp_path / "report", year=YEAR,
                             renderer="nbconvert", notebooks_dir=RAISES,
                             reports_dir=RAISES), progress)
    assert progress.total == {"00_raises.ipynb": 4}
    assert progress.done == {"00_raises.ipynb": 4}
    captured = capfd.readouterr()
    assert "without encryption" not in captured.err + captured.out
    assert "IPKernelApp" not in captured.err + captured.out


def test_kernel_shutdown_sends_no_interrupt() -> None:
    """The cause of a flaky "KeyboardInterrupt caught in kernel" line: jupyter_client's stock
    manager sends SIGINT before every shutdown. The run's manager shuts down without it and
    still interrupts on request outside a shutdown."""
    import asyncio
    import signal

    from perfanalysis.report.pipeline import KERNEL, quiet_shutdown_kernel_manager

    async def run() -> list[int]:
        km = quiet_shutdown_kernel_manager()(kernel_name=KERNEL)
        await km.start_kernel()
        sent: list[int] = []
        original = km._async_signal_kernel

        async def record(signum: int) -> None:
            sent.append(signum)
            await original(signum)

        km._async_signal_kernel = record  # type: ignore[method-assign]
        try:
            await km.interrupt_kernel()  # outside a shutdown: a real interrupt
            await km.shutdown_kernel()
        finally:
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
        return sent

    assert asyncio.run(run()) == [signal.SIGINT]


def _notebook(folder: Path, name: str, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("tables_dir in prose does not count"),
                nbformat.v4.new_code_cell(code)]
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_a_chapter_reading_other_tables_waits_for_the_chapters_before_it(
        tmp_path: Path) -> None:
    from perfanalysis.report.pipeline import execution_waves

    a = _notebook(tmp_path, "00_a.ipynb", "x = 1")
    b = _notebook(tmp_path, "01_b.ipynb", "t = ctx.tables_dir")
    c = _notebook(tmp_path, "02_c.ipynb", "y = 2")
    d = _notebook(tmp_path, "03_d.ipynb", "z = 3")
    assert execution_waves([a, b, c, d]) == [[a], [b], [c, d]]
    assert execution_waves([c, d]) == [[c, d]]
    assert execution_waves([b, a]) == [[b, a]]  # nothing before it to wait for
    # the shipped chapters: five independent ones, then the brief that reads their tables
    shipped = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    waves = execution_waves(shipped)
    assert [len(w) for w in waves] == [len(shipped) - 1, 1]
    assert waves[-1][0].name == "05_brief.ipynb"


def test_jobs_come_from_the_option_the_environment_or_the_cores(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from perfanalysis.report.pipeline import JOBS_ENV, run_jobs

    monkeypatch.delenv(JOBS_ENV, raising=False)
    assert run_jobs() == max(1, os.cpu_count() or 1)
    assert run_jobs(3) == 3
    monkeypatch.setenv(JOBS_ENV, "1")
    assert run_jobs() == 1 and run_jobs(2) == 2
    for bad in ("0", "two", "-1", "1.5"):
        monkeypatch.setenv(JOBS_ENV, bad)
        with pytest.raises(PipelineError, match=rf"{JOBS_ENV}='{re.escape(bad)}': must be a "
                                                r"whole number ≥ 1"):
            run_jobs()


def test_the_run_s_notebook_client_waits_for_output_and_starts_kernels_in_the_run_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the run's papermill engine hands nbclient (no kernel started: the client's
    ``execute`` is replaced): a long wait for a cell's output (nbclient's 4 s made loaded
    machines fail cells), the kernel manager that shuts down without SIGINT, the kernel's
    folder as ``resources`` (papermill's own ``cwd`` would change the whole process's
    folder under notebooks running side by side), and the callback per code cell."""
    from papermill.clientwrap import PapermillNotebookClient

    from perfanalysis.report.pipeline import (
        IOPUB_TIMEOUT,
        _Silent,
        execute_notebooks,
        quiet_shutdown_kernel_manager,
    )

    seen: list[dict[str, object]] = []

    def fake_execute(self: PapermillNotebookClient, **kwargs: object) -> object:
        seen.append({"iopub_timeout": self.iopub_timeout,
                     "kernel_manager_class": self.kernel_manager_class,
                     "resources": self.resources})
        return self.nb

    monkeypatch.setattr(PapermillNotebookClient, "execute", fake_execute)
    monkeypatch.setenv("PERFANALYSIS_KERNEL_REUSE", "0")  # papermill starts (no) kernels
    nbs = [_notebook(tmp_path, f"0{i}_x.ipynb", "x = 1") for i in range(3)]
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    cwd = Path.cwd()
    executed, timings = execute_notebooks({nb: {} for nb in nbs}, tmp_path / "done", run_dir,
                                          _Silent(), jobs=2)
    assert [p.name for p in executed] == ["00_x.ipynb", "01_x.ipynb", "02_x.ipynb"]
    assert all(p.is_file() for p in executed) and sorted(timings) == [p.name for p in nbs]
    assert len(seen) == 3 and Path.cwd() == cwd
    for client in seen:
        assert client["iopub_timeout"] == IOPUB_TIMEOUT >= 60
        assert client["kernel_manager_class"] is quiet_shutdown_kernel_manager()
        assert client["resources"] == {"metadata": {"path": str(run_dir.resolve())}}


@pytest.mark.slow
@pytest.mark.parametrize("reuse", ["1", "0"])
def test_a_kernel_is_reused_with_its_names_cleared(tmp_path: Path, reuse: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """One notebook at a time: the second and third notebooks run in the first one's kernel
    (same process id) and see none of its names, their prompts counting from 1 again as in
    a fresh kernel; with PERFANALYSIS_KERNEL_REUSE=0 each notebook has its own kernel. The
    kernels are the quiet-shutdown kind and are gone after the run."""
    import psutil

    from perfanalysis.report.pipeline import KERNEL_REUSE_ENV, _Silent, execute_notebooks

    monkeypatch.setenv(KERNEL_REUSE_ENV, reuse)
    code = ("import os\nprint(os.getpid(), 'left' in dir(), 'os' in dir())\n"
            "left = 1")
    nbs = [_notebook(tmp_path, f"0{i}_k.ipynb", code) for i in range(3)]
    executed, _ = execute_notebooks({nb: {} for nb in nbs}, tmp_path / "done", tmp_path,
                                    _Silent(), jobs=1)
    printed, counts = [], []
    for path in executed:
        cell = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        printed.append(cell.outputs[0]["text"].split())
        counts.append(cell.execution_count)
    pids = {p[0] for p in printed}
    assert len(pids) == (1 if reuse == "1" else 3)
    assert [p[1:] for p in printed] == [["False", "True"]] * 3  # no name left over
    assert counts == [1, 1, 1]
    assert not any(psutil.pid_exists(int(p)) and psutil.Process(int(p)).status() != "zombie"
                   for p in pids)
