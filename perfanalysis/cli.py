"""Command line: a thin typer layer over the package functions.

Every command exits 0 on success, 1 on a data or scheme error (printed without a
traceback), and writes nothing when it fails.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .engine.data import check_data, load_data
from .engine.rounding import fmt
from .engine.scheme import load_scheme
from .engine.scorecard import latest_year, scorecard
from .engine.targets import target_warnings, warning_sentences
from .engine.tiers import quota_warnings
from .errors import DataError, PerfAnalysisError
from .report.export import write_table, write_tables

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Analyse performance-evaluation schemes (绩效考核).")
console = Console(width=max(Console().width, 200))
err_console = Console(stderr=True, soft_wrap=True)  # long paths stay on one line

T = TypeVar("T")

DataOpt = Annotated[Path, typer.Option("--data", help="data folder (CSV files) or .xlsx workbook")]
SchemeOpt = Annotated[Path, typer.Option("--scheme", help="scheme YAML file")]
YearOpt = Annotated[int | None, typer.Option("--year", help="year to score (default: latest)")]


def _guard(fn: Callable[[], T]) -> T:
    """Run ``fn``; on our own errors print the message and exit 1."""
    try:
        return fn()
    except PerfAnalysisError as exc:
        # escape: messages hold file[sheet] labels and lists that rich would eat as markup
        err_console.print(f"[bold red]error / 错误:[/] {escape(str(exc))}", highlight=False,
                          markup=True)
        raise typer.Exit(code=1) from None


def _inputs(data: Path, scheme: Path, year: int | None) -> tuple[Any, Any, int]:
    """Load the scheme and the data; the year defaults to the latest with observations."""
    sch = load_scheme(scheme)
    ds = load_data(data, sch)
    return ds, sch, (year if year is not None else latest_year(ds))


@app.command()
def validate(data: DataOpt, scheme: SchemeOpt, year: YearOpt = None) -> None:
    """Check a data folder and a scheme against each other."""

    def run() -> tuple[Any, Any, int, str]:
        ds, sch, y = _inputs(data, scheme, year)
        if sch.composite is None:
            check_data(ds, sch, y)
            return ds, sch, y, ""
        # a composite recipe aggregates over available data: it is valid if it builds
        from .composite.coin import build_composite

        build_composite(ds, sch, y)
        try:
            check_data(ds, sch, y)
            return ds, sch, y, " Builds with `composite` and scores with `score`."
        except DataError as exc:
            return ds, sch, y, (f" Builds with `composite`; points scoring (`score`) is not "
                                f"possible: {len(exc.problems)} problem(s), e.g. "
                                f"{exc.problems[0].reason} (points scoring needs complete data)")

    ds, sch, y, note = _guard(run)
    console.print(f"[green]OK[/] {len(ds.units)} units, {len(ds.observations)} observations, "
                  f"scheme '{sch.id}' ({len(sch.indicators())} indicators), year {y}.{note}",
                  markup=True, highlight=False)
    if sch.composite is None:
        _print_target_warnings(_guard(lambda: target_warnings(ds, sch, y)))


MAX_WARNINGS_SHOWN = 20


def _print_target_warnings(warnings: pd.DataFrame) -> None:
    """Targets easier than last year's actual: one line per unit and indicator."""
    if warnings.empty:
        return
    console.print(f"[yellow]warning / 提示:[/] {len(warnings)} target(s) easier than last "
                  "year's actual (below it; above it for a negative indicator):",
                  markup=True, highlight=False)
    shown = warnings.head(MAX_WARNINGS_SHOWN)
    for w, zh in zip(shown.itertuples(index=False), warning_sentences(shown)):
        word = "below" if w.direction == "positive" else "above"
        console.print(f"  - unit {w.unit_id}, indicator {w.indicator}: {w.year} target "
                      f"{w.target:.2f} is {word} the {w.year - 1} actual {w.last_actual:.2f} "
                      f"(rule {w.rule})\n    {zh}", markup=False, highlight=False)
    if len(warnings) > MAX_WARNINGS_SHOWN:
        rest = len(warnings) - MAX_WARNINGS_SHOWN
        console.print(f"  … and {rest} more / 另有 {rest} 处未列出 (all of them: "
                      "perfanalysis.target_warnings)", markup=False, highlight=False)


def _rich_table(df: pd.DataFrame, title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col])
                         else "left")
    for row in df.itertuples(index=False):
        table.add_row(*[fmt(v) if isinstance(v, float) else str(v) for v in row])
    return table


def _show_or_say(table: pd.DataFrame, name: str, year: int, out: Path | None) -> None:
    """Print the table, or say where it was written."""
    if out is None:
        console.print(_rich_table(table, f"{name} — {year}"))
    else:
        console.print(f"wrote {len(table)} rows to {out}")


@app.command()
def score(
    data: DataOpt,
    scheme: SchemeOpt,
    year: YearOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="write .csv or .xlsx instead of "
                                                           "printing")] = None,
    detail: Annotated[bool, typer.Option(
        "--detail", help="per unit × indicator: value, basis value, target, fraction, points "
                         "earned of possible (a .csv --out gets this table)")] = False,
    level: Annotated[str, typer.Option(
        "--level", help="units (teams, 领导班子) or cadres (领导干部: needs persons.csv)")] = "units",
) -> None:
    """Score every unit (or every cadre) for one year and assign tiers.

    An .xlsx --out is a workbook for readers: 成绩表, 得分构成 (wide), 指标明细, then the
    machine-readable ``scores`` sheet.
    """
    if level not in ("units", "cadres"):
        raise typer.BadParameter("--level must be 'units' or 'cadres'", param_hint="--level")

    quota_notes: list[pd.DataFrame] = []

    def run() -> tuple[pd.DataFrame, str, int]:
        from .report import summary

        ds, sch, y = _inputs(data, scheme, year)
        if level == "cadres":
            from .engine.cadres import cadre_table

            cadres = cadre_table(ds, sch, y)
            if out is not None:
                write_table(cadres, out, sheet="cadres")
            return cadres, f"{sch.name}·领导干部", y
        table = scorecard(ds, sch, y, with_basis=True)
        quota_notes.append(quota_warnings(table, sch))
        result_lines.extend(_result_lines(ds, sch, y, table))
        shown = table.drop(columns="tier_basis", errors="ignore")
        if out is not None and out.suffix.lower() == ".xlsx":
            parts = summary.score_breakdown(ds, sch, y, table)
            rows = summary.score_detail(ds, sch, y)
            write_tables({**summary.people_sheets(table, parts, rows, sch), "scores": shown},
                         out)
            return shown, sch.name, y
        if detail:
            rows = summary.score_detail(ds, sch, y)
            if out is not None:
                write_table(rows, out, sheet="score_detail")
            return summary.display_detail(rows, sch, blend=False), f"{sch.name} 指标明细", y
        if out is not None:
            write_table(shown, out, sheet="scores")
            return shown, sch.name, y
        # on the console, sequences by their Chinese names (files keep the ids)
        names = shown["sequence"].map(lambda s: sch.sequences.get(s, s))
        return shown.assign(sequence=names), sch.name, y

    result_lines: list[str] = []
    _show_or_say(*_guard(run), out)
    for notes in quota_notes:
        _print_quota_warnings(notes)
    for line in result_lines:
        console.print(line, markup=False, highlight=False)


def _print_quota_warnings(notes: pd.DataFrame) -> None:
    """Say where ties or rounding broke the planned tier head counts (``quota_warnings``)."""
    if notes.empty:
        return
    over = notes[notes["kind"] == "ties"]
    zero = notes[notes["kind"] == "zero"]
    console.print(f"[yellow]warning / 提示:[/] the tiers do not keep the planned head counts: "
                  f"{len(over)} tier(s) over quota because of ties, {len(zero)} tier(s) "
                  "rounded to no unit / 等次人数与计划比例不符:")
    for msg in notes["message"]:
        console.print(f"  {msg}", markup=False, highlight=False)


def _result_lines(ds: Any, sch: Any, year: int, table: pd.DataFrame) -> list[str]:
    """What the score command says under the table: that the year precedes the scheme
    (按2018年方案回溯测算) and the scheme's results use (结果运用) per unit."""
    from .engine.history import back_calculation_note, result_flags

    lines = []
    note = back_calculation_note(sch, year)
    if note:
        lines.append(f"注:{year}年早于方案施行年份({sch.year}年),等次为{note}。")
    try:
        flags = result_flags(ds, sch, year, table)
    except DataError as exc:  # a progress rule without a scoreable previous year
        return [*lines, f"结果运用无法计算:{exc.problems[0].zh if exc.problems else exc}"]
    for r in flags.itertuples():
        extra = f"({r.note})" if r.note else ""
        lines.append(f"结果运用 {r.name}:{r.rule_name} → {r.consequence}{extra}")
    return lines


@app.command("targets")
def issue_targets_cmd(
    data: DataOpt,
    scheme: SchemeOpt,
    year: Annotated[int, typer.Option("--year", help="the year T whose targets are issued "
                                                     "(from data up to T−1)")],
    out: Annotated[Path, typer.Option("--out", help=".xlsx (目标分解表 + targets sheet) or "
                                                    ".csv (the targets sheet)")],
    against: Annotated[Path | None, typer.Option(
        "--against", help="an issued table: list where current data give other targets")] = None,
) -> None:
    """Issue the differentiated targets of year T (区县(市)差异化绩效目标) as a 目标分解表.

    A scheme scores against the written table with ``target: {rule: table, file: FILE}``
    (FILE relative to the data folder), so later data revisions cannot change them.
    """
    from .engine.targets import (
        ISSUED_SHEET,
        display_issued,
        issue_targets,
        issued_changes,
        read_frozen,
    )

    def run() -> tuple[int, pd.DataFrame | None]:
        sch = load_scheme(scheme)
        ds = load_data(data, sch)
        issued = issue_targets(ds, sch, year)
        if out.suffix.lower() == ".xlsx":
            write_tables({"目标分解表": display_issued(issued), ISSUED_SHEET: issued}, out)
        else:
            write_table(issued, out, sheet=ISSUED_SHEET)
        changes = (issued_changes(ds, sch, year, read_frozen(against.resolve()))
                   if against is not None else None)
        return len(issued), changes

    n, changes = _guard(run)
    console.print(f"wrote {n} targets of {year} to {out}", markup=False, highlight=False)
    if changes is not None:
        if changes.empty:
            console.print("现行数据算出的目标与已下达的目标分解表一致。", markup=False)
        else:
            console.print(_rich_table(changes, f"现行数据算出的目标与已下达目标不同 — {year}"))


@app.command()
def convert(
    data: Annotated[Path, typer.Option("--data", help="office workbook (.xlsx), contract "
                                                      "workbook or data folder")],
    scheme: SchemeOpt,
    out: Annotated[Path, typer.Option("--out", help="folder to write units.csv, "
                                                    "observations.csv, read_log.csv into")],
) -> None:
    """Read an office workbook against a scheme and write the long data contract (CSV).

    Shows what was read: every value with the sheet and cell it came from (read_log.csv).
    """
    from .engine.data import convert as convert_book

    def run() -> tuple[int, int]:
        return convert_book(data, load_scheme(scheme), out)

    n_units, n_obs = _guard(run)
    console.print(f"wrote {out}: {n_units} units, {n_obs} observations "
                  "(units.csv, observations.csv, read_log.csv)")


@app.command("run")
def run(
    data: DataOpt,
    scheme: SchemeOpt,
    out: Annotated[Path, typer.Option("--out", help="output folder (replaced atomically)")],
    year: YearOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="random seed for the studies")] = 20181214,
    renderer: Annotated[str, typer.Option("--renderer", help="auto | quarto | nbconvert")] = "auto",
    param: Annotated[list[str] | None, typer.Option(
        "-p", "--param", help="study parameter key=value (repeatable)")] = None,
) -> None:
    """Run every notebook and render the annual report (HTML + DOCX) into OUT."""
    from .report.pipeline import RunConfig, run_report
    from .report.runprogress import run_progress

    params: dict[str, str] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            err_console.print(f"[bold red]error:[/] -p expects key=value, got {item!r}")
            raise typer.Exit(code=1)
        params[key.strip()] = value
    config = RunConfig(data=data, scheme=scheme, out=out, year=year, seed=seed,
                       renderer=renderer, params=params)

    def go() -> Any:
        with run_progress(err_console) as progress:
            return run_report(config, progress)

    try:
        result = _guard(go)
    except KeyboardInterrupt:
        err_console.print(f"[bold red]interrupted:[/] nothing was written; {out} is untouched.")
        raise typer.Exit(code=130) from None
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
    for warning in result.warnings:
        console.print(f"[yellow]renderer warning:[/] {warning}")
    console.print(f"renderer: [bold]{result.renderer}[/] ({result.record['renderer']['reason']})")
    if result.report_docx is not None:
        console.print(f"DOCX:   {result.report_docx}")
    console.print(f"report: [bold green]{result.report_html}[/]")


@app.command("sweep")
def sweep(
    spec: Annotated[Path, typer.Option("--spec", help="sweep file (YAML)")],
    out: Annotated[Path, typer.Option("--out", help="sweep folder (cells, index.parquet)")],
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="address of a running Dask scheduler, e.g. tcp://host:8786")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="LocalCluster worker processes (default: one per core); "
                          "0 runs the cells serially in this process")] = None,
) -> None:
    """Run every cell of a sweep (regions × years × schemes × scenarios) on Dask; resumable."""
    from .report.runprogress import RichSweepProgress
    from .sweeps import run_sweep

    if scheduler and workers is not None:
        err_console.print("[bold red]error:[/] give --scheduler or --workers, not both")
        raise typer.Exit(code=2)

    def go() -> Any:
        with RichSweepProgress(err_console) as progress:
            return run_sweep(spec, out, workers=workers, scheduler=scheduler,
                             progress=progress)

    try:
        result = _guard(go)
    except KeyboardInterrupt:
        err_console.print("[bold red]interrupted:[/] queued cells cancelled; finished cells "
                          f"are kept in {out} and skipped when the sweep is run again.")
        raise typer.Exit(code=130) from None
    console.print(f"{result.executor}: {result.done} done, {result.skipped} skipped "
                  f"(already finished), {result.failed} failed in {result.seconds:.1f} s")
    console.print(f"index: [bold green]{result.out / 'index.parquet'}[/] "
                  f"(and {result.out / 'summary.xlsx'})")
    if result.failed:
        err_console.print(f"[bold red]{result.failed} cell(s) failed[/]: see the 'error' "
                          "column of the index; the exit status is the number failed.")
        raise typer.Exit(code=min(result.failed, 125))


@app.command("make-sample")
def make_sample(
    out: Annotated[Path, typer.Option("--out", help="folder to write yiyang/ and heshan/ into")],
    seed: Annotated[int, typer.Option("--seed")] = 20181214,
) -> None:
    """Regenerate the illustrative sample data (the committed files use the default seed)."""
    from .sample import write_all_samples

    for folder in write_all_samples(out, seed):
        console.print(f"wrote {folder}")


@app.command("import-coin")
def import_coin(
    idata: Annotated[Path, typer.Option("--idata", help="COINr iData table (.csv or .xlsx)")],
    imeta: Annotated[Path, typer.Option("--imeta", help="COINr iMeta table (.csv or .xlsx)")],
    out: Annotated[Path, typer.Option("--out", help="folder to write units.csv, "
                                                    "observations.csv, scheme.yaml")],
    year: Annotated[int | None, typer.Option("--year", help="year when iData has no Time "
                                                            "column (or the Time to keep)")] = None,
    sequence: Annotated[str | None, typer.Option("--sequence", help="iMeta Group column to "
                                                                    "use as sequence")] = None,
    scheme_id: Annotated[str, typer.Option("--scheme-id")] = "coin_import",
) -> None:
    """Import a COINr / COIN Tool composite indicator (iData + iMeta) as data and a scheme."""
    from .composite.coin import from_coin_tables, write_coin_import

    def run() -> tuple[int, int]:
        units, obs, sch = from_coin_tables(idata, imeta, year=year, sequence=sequence,
                                           scheme_id=scheme_id)
        write_coin_import(units, obs, sch, out)
        return len(units), len(obs)

    n_units, n_obs = _guard(run)
    console.print(f"wrote {out}: {n_units} units, {n_obs} observations, scheme.yaml")


@app.command()
def composite(
    data: DataOpt,
    scheme: SchemeOpt,
    year: YearOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="write .csv or .xlsx (with the build's "
                                                           "step logs, if any) instead of printing")] = None,
) -> None:
    """Build the scheme's composite index (its `composite:` recipe) for one year."""
    from .composite.coin import build_composite

    def run() -> tuple[pd.DataFrame, str, int]:
        ds, sch, y = _inputs(data, scheme, year)
        res = build_composite(ds, sch, y)
        table = res.results()
        if out is not None:
            if out.suffix.lower() == ".xlsx":
                write_tables({"results": table, **res.logs}, out)
            else:
                write_table(table, out, sheet="results")
        return table, sch.name, y

    _show_or_say(*_guard(run), out)


@app.command()
def diff(
    old: Annotated[Path | None, typer.Option("--old", help="last year's data folder or .xlsx")] = None,
    new: Annotated[Path | None, typer.Option("--new", help="this year's data folder or .xlsx")] = None,
    old_scheme: Annotated[Path | None, typer.Option("--old-scheme", help="last year's scheme "
                                                                          "YAML")] = None,
    new_scheme: Annotated[Path | None, typer.Option("--new-scheme", help="this year's scheme "
                                                                          "YAML")] = None,
    scheme: Annotated[Path | None, typer.Option("--scheme", help="scheme naming the indicators "
                                                                 "in a data diff (default: "
                                                                 "--new-scheme)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write the diff tables to .xlsx "
                                                           "instead of printing")] = None,
    year: Annotated[int | None, typer.Option("--year", help="year whose issued targets to "
                                                            "compare (default: the new data's "
                                                            "latest)")] = None,
) -> None:
    """What changed: data revisions (--old/--new), the targets they move (with a scheme),
    and/or scheme changes (--old-scheme/--new-scheme)."""
    from .engine.scorecard import latest_year
    from .report.diff import data_diff, scheme_diff, target_revisions
    from .report.export import write_tables

    if (old is None) != (new is None) or (old_scheme is None) != (new_scheme is None) or (
            old is None and old_scheme is None):
        err_console.print("[bold red]error:[/] give --old and --new (data), and/or "
                          "--old-scheme and --new-scheme (schemes)")
        raise typer.Exit(code=1)

    def run() -> tuple[dict[str, pd.DataFrame], list[str]]:
        tables: dict[str, pd.DataFrame] = {}
        notes: list[str] = []
        if old is not None and new is not None:
            names = scheme or new_scheme
            old_data, new_data = load_data(old), load_data(new)
            named = load_scheme(names) if names is not None else None
            dd = data_diff(old_data, new_data, named)
            tables["data_revisions"] = dd.revisions
            tables["unit_changes"] = dd.units
            if named is not None:
                tables["target_revisions"] = target_revisions(
                    old_data, new_data, named, year or latest_year(new_data))
            if dd.new_years:
                notes.append(f"new years in {new} (not revisions) / 新增年度: "
                             f"{', '.join(map(str, dd.new_years))}")
        if old_scheme is not None and new_scheme is not None:
            tables["scheme_changes"] = scheme_diff(load_scheme(old_scheme),
                                                   load_scheme(new_scheme))
        if out is not None:
            write_tables(tables, out)
        return tables, notes

    tables, notes = _guard(run)
    titles = {"data_revisions": "数据修订 / data revisions", "unit_changes": "单位变化 / units",
              "scheme_changes": "考核方案变化 / scheme changes",
              "target_revisions": "下达目标的变化(按修订后数据重算) / targets the revisions move"}
    for name, table in tables.items():
        if out is not None:
            console.print(f"{name}: {len(table)} rows")
        elif table.empty:
            console.print(f"{titles[name]}: 无变化 / no changes")
        elif name == "scheme_changes":
            console.print(_rich_table(table[["section", "item_name", "change", "field_name",
                                             "old", "new"]], titles[name]))
        else:
            console.print(_rich_table(table.drop(columns=["table"], errors="ignore"),
                                      titles[name]))
    for note in notes:
        console.print(f"[yellow]note:[/] {note}")
    if out is not None:
        console.print(f"wrote {out}")

def scenario_size_dependence(totals: pd.DataFrame, size: pd.Series, *,
                             compare_all: bool = False, boot: int = 1000,
                             seed: int = 0) -> pd.DataFrame:
    """Size dependence of every scenario's total (``size_dependence`` within the scenario's
    own comparison groups, the sequences in ``totals`` — a scenario may regroup units — or
    all units when ``compare_all``; the all-units ρ beside it): scenario, rho, rho_lo,
    rho_hi, n, groups, rho_all, rho_all_lo, rho_all_hi, slope, slope_se, level."""
    from .studies.size import KEYS, size_dependence

    rows = []
    for name, grp in totals.groupby("scenario", sort=False):
        t = grp.set_index("unit_id")
        groups = None if compare_all else t["sequence"].astype(str)
        rows.append({"scenario": name, **size_dependence(t["total"], size, groups, boot=boot,
                                                         seed=seed)})
    return pd.DataFrame(rows, columns=["scenario", *KEYS])


def _size_display(dep: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers of ``scenario_size_dependence``; a 90 % interval reads 5 %/95 %, the
    all-units columns only when some scenario's all-units ρ differs from its within-group ρ
    (several comparison groups, or groups too small to enter)."""
    level = float(dep["level"].iloc[0]) if len(dep) else 0.90
    lo, hi = f"{(1 - level) / 2 * 100:g}%", f"{(1 + level) / 2 * 100:g}%"
    cols = {"scenario": "情景", "rho": "ρ(组内)", "rho_lo": f"ρ下限({lo})",
            "rho_hi": f"ρ上限({hi})", "n": "单位数", "groups": "比较组数",
            "rho_all": "全部单位ρ", "rho_all_lo": f"全部单位ρ下限({lo})",
            "rho_all_hi": f"全部单位ρ上限({hi})", "slope": "规模每翻一番名次变化(位,组内)"}
    keep = [c for c in cols if c in dep.columns]
    if dep["groups"].max() <= 1 and not ((dep["rho_all"] - dep["rho"]).abs() > 1e-12).any():
        keep = [c for c in keep if not c.startswith("rho_all") and c != "groups"]
    out = dep[keep].copy()
    for c in ("n", "groups"):
        if c in out.columns:
            out[c] = out[c].astype(int)
    return out.rename(columns=cols)


@app.command()
def compare(
    data: DataOpt,
    scheme: SchemeOpt,
    scenarios: Annotated[Path, typer.Option("--scenarios", help="scenario YAML file")],
    year: YearOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="write an .xlsx with one sheet per "
                                                           "table")] = None,
    size_column: Annotated[str, typer.Option(
        "--size-column", help="units.csv column measuring size for ρ (default: population, "
                              "else staff)")] = "",
    boot: Annotated[int, typer.Option("--boot", min=0, help="bootstrap resamples for the "
                                                             "interval of ρ")] = 1000,
) -> None:
    """Compare scenarios (alternative weightings) with the base scheme for one year, with the
    size dependence ρ of every scenario's total."""
    from .engine.scenarios import load_scenarios
    from .studies.fairness import unit_sizes
    from .studies.weightings import compare_scenarios

    def run() -> tuple[Any, int, pd.DataFrame | None, str]:
        ds, sch, y = _inputs(data, scheme, year)
        result = compare_scenarios(ds, sch, load_scenarios(scenarios, sch), y)
        dep, why = None, ""
        try:
            size = unit_sizes(ds, size_column or None)
        except DataError as exc:
            if size_column:
                raise
            why = exc.headline
        else:
            dep = scenario_size_dependence(result.totals, size, boot=boot,
                                           compare_all=sch.comparison_group == "all")
        tables = result.tables() | ({} if dep is None else {"scenario_size_dependence": dep})
        if out is not None:
            if out.suffix.lower() != ".xlsx":
                raise PerfAnalysisError(f"{out}: compare writes several tables; use .xlsx")
            write_tables(tables, out)
        return result, y, dep, why

    result, y, dep, why = _guard(run)
    summary = result.summary.drop(columns=["scenario_id"]).rename(columns={
        "scenario": "情景", "n_tier_changes": "等次变化单位数", "mean_abs_shift": "平均名次变动",
        "max_abs_shift": "最大名次变动", "top_set_changed": "优秀名单变化",
        "top_entered": "新进入", "top_left": "退出"})
    summary["优秀名单变化"] = summary["优秀名单变化"].map({True: "是", False: "否"})
    console.print(_rich_table(summary, f"情景比较 scenarios vs base — {y}"))
    if dep is not None:
        console.print(_rich_table(_size_display(dep), "总分与规模的秩相关 size dependence ρ "
                                                       "(组内 within comparison groups)"))
    else:
        console.print(f"No unit size in the data ({why}): size dependence ρ not computed; "
                      "pass --size-column / 数据中没有规模列,未计算规模相关。")
    dep_t = result.dependence.loc[result.dependence["n_tiers"] > 1].drop(columns="n_tiers")
    if len(dep_t):
        console.print(_rich_table(dep_t, "等次随情景变化的单位 units whose tier depends on the "
                                         "scenario"))
    else:
        console.print("No unit's tier depends on the scenario / 各情景下所有单位等次不变。")
    tau = result.kendall.pivot(index="scenario_a", columns="scenario_b", values="tau")
    order = list(dict.fromkeys(result.kendall["scenario_a"]))
    tau = tau.loc[order, order].reset_index().rename(columns={"scenario_a": "Kendall τ"})
    console.print(_rich_table(tau, "总分的 Kendall τ"))
    if out is not None:
        n_sheets = len(result.tables()) + (dep is not None)
        console.print(f"wrote {n_sheets} sheets to {out}")


@app.command()
def explore(
    data: DataOpt,
    scheme: SchemeOpt,
    year: YearOpt = None,
    port: Annotated[int, typer.Option("--port", help="local port of the page")] = 8050,
    scenarios: Annotated[Path | None, typer.Option(
        "--scenarios", help="scenario YAML whose scenarios are offered as starting points")] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="open the page in the default "
                                                              "browser")] = False,
    error_model: Annotated[Path | None, typer.Option(
        "--error-model", help="error-model file (CSV/YAML) of the on-demand tier "
                              "probabilities (default: the built-in table)")] = None,
) -> None:
    """Weights explorer: move a weight in the browser, see every unit's total, rank and tier
    change at once; export the setting as a scenario file (serves http://127.0.0.1:PORT).
    Starting points: the scheme, the presets beside it with the same tree, the scenarios."""
    from .explorer.app import build_app
    from .explorer.core import make_explorer

    def setup() -> Any:
        ds, sch, y = _inputs(data, scheme, year)
        ex = make_explorer(ds, sch, scheme_path=scheme, scenarios=scenarios,
                           presets=scheme.parent, error_model=error_model)
        return build_app(ex, year=y)

    dash_app = _guard(setup)
    url = f"http://127.0.0.1:{port}/"
    console.print(f"权重探索 weights explorer: [bold green]{url}[/] (Ctrl+C to stop)")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    dash_app.run(host="127.0.0.1", port=port, debug=False)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
