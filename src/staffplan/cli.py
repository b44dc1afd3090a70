"""Command line: each command translates arguments into one library call and renders the result.

Exit codes: 0 success, 1 a plan or check found problems, 2 bad input (nothing written).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from staffplan.scenario.issues import InputError

app = typer.Typer(
    help="staffplan: forecast volumes → 24/7 weekly shift plans for Trust & Safety operations.\n\n"
    "Example: staffplan validate models/global-trust-safety.yaml inputs/forecast.csv --roster inputs/roster.csv",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Model = Annotated[Path, typer.Argument(help="operating model YAML, e.g. models/global-trust-safety.yaml",
                                       show_default=False)]
ForecastArg = Annotated[Path, typer.Argument(help="forecast CSV: interval_start,queue,language,volume[,aht_seconds]",
                                             show_default=False)]
RosterOpt = Annotated[Path | None, typer.Option("--roster", help="roster CSV, one row per agent")]


@contextmanager
def input_errors() -> Iterator[None]:
    """Report InputError as a list of problems on stderr and exit 2, without a traceback."""
    try:
        yield
    except InputError as exc:
        for issue in exc.issues:
            typer.echo(str(issue), err=True)
        errors = sum(1 for i in exc.issues if i.level == "error")
        typer.echo(f"{errors} error(s); nothing written.", err=True)
        raise typer.Exit(2) from None


@app.command()
def validate(model: Model, forecast: ForecastArg, roster: RosterOpt = None) -> None:
    """Check the inputs and print a summary: sites, pools, streams, weekly volume per queue, warnings.

    Example: staffplan validate models/global-trust-safety.yaml inputs/forecast.csv --roster inputs/roster.csv
    """
    from staffplan.reports.text import validation_summary
    from staffplan.scenario.load import load_inputs

    with input_errors():
        inputs = load_inputs(model, forecast, roster)
    typer.echo(validation_summary(inputs))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the operating model, for editor validation of models/*.yaml.

    Example: staffplan schema > models/schema.json
    """
    from staffplan.scenario.schema import Scenario

    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))


@app.command()
def demo(
    size: Annotated[str, typer.Option("--size", help="S, M, L or XL (see README)")] = "M",
    out: Annotated[Path, typer.Option("--out", help="folder for model.yaml, forecast.csv, roster.csv")] = Path("demo"),
    seed: Annotated[int, typer.Option("--seed", help="same seed, same files")] = 7,
    week: Annotated[str | None, typer.Option("--week", help="plan week's Monday, YYYY-MM-DD")] = None,
) -> None:
    """Write a realistic demo scenario (model, forecast, roster) of a given size.

    Example: staffplan demo --size L --out demo-L --seed 3
    """
    from staffplan.demo import write_demo

    if size.upper() not in {"S", "M", "L", "XL"}:
        typer.echo(f"error: --size must be S, M, L or XL, not {size!r}", err=True)
        raise typer.Exit(2)
    try:
        week_start = dt.date.fromisoformat(week) if week else None
        paths = write_demo(size.upper(), out, seed=seed, week_start=week_start)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for path in paths:
        typer.echo(f"wrote {path}")


def main() -> None:
    app(prog_name="staffplan")


if __name__ == "__main__":
    main()
