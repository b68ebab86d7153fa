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

from .data import check_data, load_data
from .errors import DataError, PerfAnalysisError
from .export import write_table
from .scheme import load_scheme
from .scorecard import latest_year, scorecard
from .targets import target_warnings, warning_sentences

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
    ds = load_data(data)
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
        table.add_row(*[f"{v:.2f}" if isinstance(v, float) else str(v) for v in row])
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
    level: Annotated[str, typer.Option(
        "--level", help="units (teams, 领导班子) or cadres (领导干部: needs persons.csv)")] = "units",
) -> None:
    """Score every unit (or every cadre) for one year and assign tiers."""
    if level not in ("units", "cadres"):
        raise typer.BadParameter("--level must be 'units' or 'cadres'", param_hint="--level")

    def run() -> tuple[pd.DataFrame, str, int]:
        ds, sch, y = _inputs(data, scheme, year)
        if level == "cadres":
            from .cadres import cadre_table

            table = cadre_table(ds, sch, y)
        else:
            table = scorecard(ds, sch, y)
        if out is not None:
            write_table(table, out, sheet="cadres" if level == "cadres" else "scores")
        name = f"{sch.name}·领导干部" if level == "cadres" else sch.name
        return table, name, y

    _show_or_say(*_guard(run), out)


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
    from .pipeline import RunConfig, run_report
    from .runprogress import RichRunProgress

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
        with RichRunProgress(err_console) as progress:
            return run_report(config, progress)

    try:
        result = _guard(go)
    except KeyboardInterrupt:
        err_console.print(f"[bold red]interrupted:[/] nothing was written; {out} is untouched.")
        raise typer.Exit(code=130) from None
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"renderer: [bold]{result.renderer}[/] ({result.record['renderer']['reason']})")
    if result.report_docx is not None:
        console.print(f"DOCX:   {result.report_docx}")
    console.print(f"report: [bold green]{result.report_html}[/]")


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
    from .export import write_tables

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


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
