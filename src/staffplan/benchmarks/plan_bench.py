"""`staffplan bench plan`: each demo size in its own process, with the naive CP-SAT baseline where asked."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

DEFAULT_LIMITS = {"S": 10.0, "M": 20.0, "L": 60.0, "XL": 300.0}  # the targets, seconds


def run_size(size: str, time_limit_s: float, seed: int, baseline: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "staffplan.benchmarks.plan_one", size,
               "--time-limit", str(time_limit_s), "--seed", str(seed)] + (["--baseline"] if baseline else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"size": size, "status": f"failed: {tail[0]}"}
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


def run_plan_bench(sizes: list[str], seed: int, baseline_sizes: set[str], time_limit_s: float | None = None,
                   progress: Callable[[str], None] = print) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        limit = time_limit_s if time_limit_s is not None else DEFAULT_LIMITS.get(size, 60.0)
        progress(f"plan {size}: time limit {limit:g} s{' + naive CP-SAT baseline' if size in baseline_sizes else ''}")
        rows.append(run_size(size, limit, seed, size in baseline_sizes))
        progress(json.dumps(rows[-1]))
    return rows


def _number(value: float | None, missing: str, unit: str = "", digits: int = 0) -> str:
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return missing
    return f"{value:,.{digits}f}{unit}"


def markdown_table(rows: list[dict[str, Any]]) -> str:
    head = ("| size | tours | variables | rows | build s | solve s | peak MB | objective | LP bound | gap | "
            "coverage % | naive CP-SAT objective (gap to LP bound) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        if "objective" not in r:
            lines.append(f"| {r['size']} | {r.get('status', '')} |")
            continue
        base = r.get("baseline")
        naive = "—"
        if base is not None:
            naive = "no plan" if base["objective"] is None else f"{base['objective']:,.0f} ({base['gap_pct']:.1f} %)"
        lines.append(
            f"| {r['size']} | {r['tours']:,} | {r['variables']:,} | {r['rows']:,} | {r['build_s']} | {r['solve_s']} | "
            f"{r['peak_mb']:,} | {_number(r['objective'], 'no plan')} | {_number(r['lower_bound'], 'LP unfinished')} | "
            f"{_number(r['gap_pct'], '—', ' %', 2)} | {r.get('coverage_pct', '—')} | {naive} |")
    return "\n".join(lines)
