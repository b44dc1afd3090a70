"""Run the Curtois & Qu benchmark instances and tabulate objective, bound and gaps."""

from __future__ import annotations

import csv
import os
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from staffplan.roster.shifts.instance import Instance, load_instance
from staffplan.roster.shifts.model import SolveOptions, solve
from staffplan.roster.shifts.penalty import check_solution_file
from staffplan.roster.shifts.solution import solution_path, write_solution

# The benchmark lies in the shared folder beside the checkout: <checkout>/../shared/benchmarks/curtois.
_CHECKOUT = Path(__file__).resolve().parents[4]
DEFAULT_DATA_DIR = Path(os.environ.get("STAFFPLAN_CURTOIS_DIR", _CHECKOUT.parent / "shared" / "benchmarks" / "curtois"))


@dataclass(frozen=True)
class Row:
    instance: int
    objective: int | None  # benchmark penalty of the best roster found (None: no feasible roster in time)
    bound: float | None  # CP-SAT best objective bound
    best_known: int | None  # best known upper bound (best_known.csv)
    gap_to_best_known: float | None  # (objective - best_known) / best_known
    gap_to_bound: float | None  # (objective - bound) / objective
    seconds: float  # wall time including model building and the solution check
    status: str  # OPTIMAL / FEASIBLE / INFEASIBLE / UNKNOWN; "CHECK FAILED" if the checker disagrees
    checked_penalty: int | None = None  # penalty recomputed by the independent checker from the written file
    solution_file: str | None = None
    seed: int = 0


def parse_instance_range(text: str) -> list[int]:
    """``"1-12,15"`` -> ``[1, ..., 12, 15]``; order kept, duplicates dropped; ValueError on bad input."""
    return parse_range(text, minimum=1)


def parse_range(text: str, minimum: int = 0) -> list[int]:
    """``"0-2,5"`` -> ``[0, 1, 2, 5]`` (numbers from ``minimum``); order kept, duplicates dropped; ValueError on
    bad input."""
    out: list[int] = []
    if not text.strip():
        raise ValueError("empty range")
    for part in text.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not m:
            raise ValueError(f"bad range item {part!r} (expected N or N-M)")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        if lo < minimum or hi < lo:
            raise ValueError(f"bad range item {part!r}")
        for n in range(lo, hi + 1):
            if n not in out:
                out.append(n)
    return out


def load_best_known(data_dir: Path = DEFAULT_DATA_DIR) -> dict[int, int]:
    path = data_dir / "best_known.csv"
    if not path.exists():
        return {}
    out: dict[int, int] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            m = re.fullmatch(r"Instance(\d+)", rec.get("instance", ""))
            if m and rec.get("best_upper", "").strip():
                out[int(m.group(1))] = int(rec["best_upper"])
    return out


def run_curtois(
    instances: list[int],
    time_limit_s: float,
    out_dir: Path,
    seeds: Sequence[int] = (0,),
    workers: int = 2,
    progress: Callable[[str], object] = print,
    data_dir: Path = DEFAULT_DATA_DIR,
    strategy: str = "colgen",
) -> list[Row]:
    """Solve each ``InstanceN`` once per seed, write ``out_dir/InstanceN.solution.txt`` (with several seeds,
    ``out_dir/seed-K/InstanceN.solution.txt``) and check it independently."""
    best = load_best_known(data_dir)
    out_dir = Path(out_dir)
    rows: list[Row] = []
    for n in instances:
        inst = load_instance(data_dir / f"Instance{n}.txt")  # read once, solved once per seed
        for seed in seeds:
            row = _run_one(n, inst, time_limit_s, out_dir / f"seed-{seed}" if len(seeds) > 1 else out_dir,
                           seed, workers, strategy, best.get(n))
            rows.append(row)
            progress(format_row(row))
    return rows


def _run_one(n: int, inst: Instance, time_limit_s: float, out_dir: Path, seed: int, workers: int, strategy: str,
             bk: int | None) -> Row:
    """Instance ``n`` (``inst``), one seed: solved, written, checked."""
    t0 = time.perf_counter()
    res = solve(
        inst,
        SolveOptions(num_workers=workers, random_seed=seed, max_time_in_seconds=time_limit_s, strategy=strategy),
    )
    status = res.status
    checked: int | None = None
    written: str | None = None
    if res.roster is not None:
        path = write_solution(inst, res.roster, solution_path(out_dir, inst.name))
        written = str(path)
        check = check_solution_file(inst, path)
        checked = check.penalty
        if check.violations or check.penalty != res.objective:
            status = f"CHECK FAILED ({len(check.violations)} violations, checker penalty {check.penalty})"
    obj = res.objective
    return Row(
        instance=n,
        objective=obj,
        bound=res.bound,
        best_known=bk,
        gap_to_best_known=(obj - bk) / bk if obj is not None and bk else None,
        gap_to_bound=(obj - res.bound) / max(1, obj) if obj is not None and res.bound is not None else None,
        seconds=time.perf_counter() - t0,
        status=status,
        checked_penalty=checked,
        solution_file=written,
        seed=seed,
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def format_row(row: Row) -> str:
    return (
        f"Instance{row.instance} seed {row.seed}: objective {_num(row.objective)}, bound {_num(row.bound)}, "
        f"best known {_num(row.best_known)}, gap {_pct(row.gap_to_best_known)}, {row.seconds:.1f}s, {row.status}"
    )


def render_table(rows: list[Row]) -> str:
    """Plain-text table (also valid as a Markdown pipe table); a seed column when the rows have several seeds."""
    seeded = len({r.seed for r in rows}) > 1
    header = ["instance", *(["seed"] if seeded else []), "objective", "bound", "best known", "gap to best known",
              "gap to bound", "seconds", "status"]
    body = [
        [
            f"Instance{r.instance}",
            *([str(r.seed)] if seeded else []),
            _num(r.objective),
            _num(r.bound),
            _num(r.best_known),
            _pct(r.gap_to_best_known),
            _pct(r.gap_to_bound),
            f"{r.seconds:.1f}",
            r.status,
        ]
        for r in rows
    ]
    return _table(header, body, left={0, len(header) - 1})


def render_summary(rows: list[Row]) -> str:
    """Per instance over its runs (seeds): how many, how many proven optimal, the objectives (least, median,
    most), the best bound, the median and longest time."""
    header = ["instance", "runs", "proven", "objective min / median / max", "best bound", "best known",
              "median s", "max s"]
    by_instance: dict[int, list[Row]] = {}
    for r in rows:
        by_instance.setdefault(r.instance, []).append(r)
    body = []
    for n, runs in by_instance.items():
        values = sorted(r.objective for r in runs if r.objective is not None)
        bounds = [r.bound for r in runs if r.bound is not None]
        seconds = [r.seconds for r in runs]
        spread = " / ".join(_num(v) for v in (values[0], statistics.median(values), values[-1])) if values else "-"
        body.append([f"Instance{n}", str(len(runs)), str(sum(r.status == "OPTIMAL" for r in runs)), spread,
                     _num(max(bounds)) if bounds else "-", _num(runs[0].best_known),
                     f"{statistics.median(seconds):.1f}", f"{max(seconds):.1f}"])
    return _table(header, body, left={0})


def _table(header: list[str], body: list[list[str]], left: set[int]) -> str:
    """Columns padded to their widest cell, those in ``left`` to the left, the others to the right."""
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in
                                 enumerate(zip(cells, widths, strict=True))) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(b) for b in body)]) + "\n"
