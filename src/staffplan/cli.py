"""Command line: each command translates arguments into one library call and renders the result.

Exit codes: 0 success, 1 a plan or check found problems, 2 bad input (nothing written).
"""

from __future__ import annotations

import dataclasses
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


@app.command()
def requirements(
    model: Model,
    forecast: ForecastArg,
    out: Annotated[Path, typer.Option("--out", help="output file, .csv or .xlsx")] = Path("requirements.csv"),
) -> None:
    """Agents needed per interval and stream (Erlang C/A for realtime queues, deadline model for deferred).

    Example: staffplan requirements models/global-trust-safety.yaml inputs/forecast.csv --out requirements.xlsx
    """
    from staffplan.reports.requirements_file import write_requirements
    from staffplan.reports.tables import requirements_summary
    from staffplan.reports.text import frame_table
    from staffplan.requirements.build import build_requirements
    from staffplan.scenario.load import load_inputs

    if out.suffix.lower() not in {".csv", ".xlsx"}:
        typer.echo(f"error: --out must end in .csv or .xlsx, not {out.name!r}", err=True)
        raise typer.Exit(2)
    with input_errors():
        inputs = load_inputs(model, forecast)
    reqs = build_requirements(inputs)
    write_requirements(out, reqs)
    typer.echo(frame_table(requirements_summary(reqs)))
    typer.echo(f"wrote {out}")


@app.command()
def plan(
    model: Model,
    forecast: ForecastArg,
    roster: RosterOpt = None,
    out: Annotated[Path, typer.Option("--out", help="folder for plan.json and plan.xlsx")] = Path("out"),
    time_limit: Annotated[float, typer.Option("--time-limit", help="seconds for the solver, in all")] = 60.0,
    seed: Annotated[int, typer.Option("--seed", help="random seed: same inputs and seed, same plan")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", help="no live progress")] = False,
) -> None:
    """Optimise the week's tour plan and write plan.json and plan.xlsx (Ctrl-C keeps the best plan so far).

    Example: staffplan plan models/global-trust-safety.yaml inputs/forecast.csv --roster inputs/roster.csv --out out
    """
    from staffplan.plan.conflicts import PlanConflictError
    from staffplan.plan.run import make_plan
    from staffplan.plan.solve import SolveSettings
    from staffplan.reports.outputs import write_plan_outputs
    from staffplan.reports.text import plan_summary, progress_line
    from staffplan.scenario.load import load_inputs

    with input_errors():
        inputs = load_inputs(model, forecast, roster)
    for warning in inputs.warnings:
        typer.echo(str(warning), err=True)
    settings = SolveSettings(time_limit_s=time_limit, seed=seed)
    try:
        run = make_plan(inputs, settings, progress=None if quiet else lambda p: typer.echo(progress_line(p), err=True))
    except PlanConflictError as exc:
        for conflict in exc.conflicts:
            typer.echo(f"error: contradictory rules: {conflict}", err=True)
        typer.echo("nothing written.", err=True)
        raise typer.Exit(2) from None
    if run.plan is None:
        typer.echo(f"no plan found: solver status {run.status.value}; nothing written.", err=True)
        raise typer.Exit(1)
    outcome = None
    if inputs.roster is not None:
        from staffplan.roster.run import make_roster

        outcome = make_roster(inputs, run.plan)
        result = outcome.result
        places = sum(u.places for u in result.unfilled)
        typer.echo(f"roster: {len(result.assignments)} agents assigned, {places} place(s) unfilled, "
                   f"{len(result.idle_agents)} agent(s) without a tour; {len(outcome.staffed.gaps)} gap(s) "
                   f"after rostering; {len(outcome.violations)} roster rule violation(s)", err=True)
    paths = write_plan_outputs(out, inputs, run, settings=dataclasses.asdict(settings), roster=outcome)
    typer.echo(plan_summary(run))
    for path in paths:
        typer.echo(f"wrote {path}")


@app.command()
def check(
    plan_file: Annotated[Path, typer.Argument(help="plan.json or a plan workbook (its Tours sheet), edited or not",
                                              show_default=False)],
    model: Annotated[Path, typer.Option("--model", help="the operating model YAML the plan was made for")],
    forecast: Annotated[Path, typer.Option("--forecast", help="the forecast CSV to check coverage against")],
    roster: RosterOpt = None,
    day: Annotated[str | None, typer.Option("--day", help="only gaps on this UTC day: Mon..Sun or YYYY-MM-DD")] = None,
    queue: Annotated[str | None, typer.Option("--queue", help="only gaps of this queue")] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", help="agents short before an interval is a gap")] = 0.05,
    gaps_out: Annotated[Path | None, typer.Option("--gaps", help="gaps file (.csv or .xlsx)")] = None,
) -> None:
    """Recompute coverage, gaps and rule violations of a plan; exit 0 clean, 1 gaps or violations, 2 bad input.

    Example: staffplan check out/plan.xlsx --model models/global-trust-safety.yaml --forecast inputs/forecast.csv
    """
    from staffplan.atomic import write_atomic
    from staffplan.check.plan_file import read_headcounts
    from staffplan.check.recompute import check_plan
    from staffplan.plan.conflicts import PlanConflictError
    from staffplan.reports import excel
    from staffplan.reports.tables import gaps_table
    from staffplan.reports.text import frame_table
    from staffplan.scenario.load import load_inputs

    with input_errors():
        inputs = load_inputs(model, forecast, roster)
        headcounts = read_headcounts(plan_file)
        try:
            result = check_plan(inputs, headcounts, str(plan_file), tolerance=tolerance)
        except PlanConflictError as exc:
            for conflict in exc.conflicts:
                typer.echo(f"error: contradictory rules: {conflict}", err=True)
            raise typer.Exit(2) from None
    gaps = [g for g in result.gaps if (queue is None or g.queue == queue) and _on_day(g.interval_start, day)]
    table = gaps_table(gaps, inputs.scenario, result.requirements)
    target = gaps_out or plan_file.with_name("gaps.csv")
    if target.suffix.lower() == ".xlsx":
        wb = excel.new_workbook()
        excel.write_frame(wb.create_sheet("Gaps"), table, freeze_cols=3)
        excel.save_workbook(wb, target)
    else:
        write_atomic(target, lambda p: table.to_csv(p, index=False))
    typer.echo(f"{len(gaps)} gap(s) beyond {tolerance:g} agents" + (":" if gaps else "."))
    if gaps:
        typer.echo(frame_table(table.head(40)))
    typer.echo(f"{len(result.violations)} rule violation(s)" + (":" if result.violations else "."))
    for v in result.violations[:200]:
        typer.echo(f"  {v.rule}: {v.where}: {v.detail}")
    typer.echo(f"wrote {target}")
    if gaps or result.violations:
        raise typer.Exit(1)


def _on_day(moment: dt.datetime, day: str | None) -> bool:
    if day is None:
        return True
    if len(day) == 3:
        return moment.strftime("%a").lower() == day.lower()
    return moment.date().isoformat() == day


bench_app = typer.Typer(help="Benchmarks: plan sizes with a naive baseline, the tour_probe yardstick, Curtois.",
                        no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@bench_app.command("plan")
def bench_plan(
    sizes: Annotated[str, typer.Option("--sizes", help="demo sizes, comma-separated")] = "S,M,L,XL",
    baseline: Annotated[str, typer.Option("--baseline", help="sizes that also run the naive CP-SAT model")] = "S,M",
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="seconds per size (default: target)")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="also write the markdown table here")] = None,
) -> None:
    """Plan each demo size in its own process: model size, times, peak memory, objective, LP bound, gap.

    Example: staffplan bench plan --sizes S,M --baseline S,M --out bench/plan-table.md
    """
    from staffplan.atomic import write_text_atomic
    from staffplan.benchmarks.plan_bench import markdown_table, run_plan_bench

    chosen = [s.strip().upper() for s in sizes.split(",") if s.strip()]
    with_baseline = {s.strip().upper() for s in baseline.split(",") if s.strip()}
    rows = run_plan_bench(chosen, seed, with_baseline, time_limit, progress=lambda m: typer.echo(m, err=True))
    table = markdown_table(rows)
    typer.echo(table)
    if out is not None:
        write_text_atomic(out, table + "\n")


@bench_app.command("probe")
def bench_probe(
    path: Annotated[Path, typer.Option("--path", help="tour_probe.py")] = Path("../shared/experiments/tour_probe.py"),
    time_limit: Annotated[float, typer.Option("--time-limit")] = 60.0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Solve the fixed tour_probe week with staffplan's strategy and compare with its published figures.

    Example: staffplan bench probe --time-limit 60
    """
    from staffplan.benchmarks.probe import run_probe

    if not path.is_file():
        typer.echo(f"error: {path} not found", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps(run_probe(path, time_limit, seed)))


@bench_app.command("curtois")
def bench_curtois(
    instances: Annotated[str, typer.Option("--instances", help="instance numbers, e.g. 1-12 or 1,3,13-15")] = "1-12",
    time_limit: Annotated[float, typer.Option("--time-limit", help="seconds per instance")] = 60.0,
    out: Annotated[Path, typer.Option("--out", help="folder for InstanceN.solution.txt")] = Path("curtois-out"),
    seed: Annotated[int, typer.Option("--seed")] = 0,
    seeds: Annotated[str | None, typer.Option(
        "--seeds", help="run each instance once per seed, e.g. 0-4 (instead of --seed); solutions go to "
        "DIR/seed-K/, and a summary per instance follows the table")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="benchmark folder (default ../shared/benchmarks/curtois)")
                    ] = None,
) -> None:
    """Solve Curtois & Qu shift-scheduling instances with the rostering engine; print objective, best known, gap.

    Example: staffplan bench curtois --instances 1-12 --time-limit 60 --out curtois-out

    Run to run spread: staffplan bench curtois --instances 5-7 --seeds 0-2 --out curtois-out
    """
    from staffplan.roster.shifts.bench import (
        DEFAULT_DATA_DIR,
        parse_instance_range,
        parse_range,
        render_summary,
        render_table,
        run_curtois,
    )

    try:
        chosen = parse_instance_range(instances)
    except ValueError as exc:
        typer.echo(f"error: --instances: {exc}", err=True)
        raise typer.Exit(2) from None
    if seeds is not None and seed != 0:
        typer.echo("error: give --seed or --seeds, not both", err=True)
        raise typer.Exit(2)
    try:
        chosen_seeds = parse_range(seeds) if seeds is not None else [seed]
    except ValueError as exc:
        typer.echo(f"error: --seeds: {exc}", err=True)
        raise typer.Exit(2) from None
    rows = run_curtois(chosen, time_limit, out, seeds=chosen_seeds, progress=lambda m: typer.echo(m, err=True),
                       data_dir=data or DEFAULT_DATA_DIR)
    typer.echo(render_table(rows))
    if len(chosen_seeds) > 1:
        typer.echo(render_summary(rows))


def main() -> None:
    app(prog_name="staffplan")


if __name__ == "__main__":
    main()
