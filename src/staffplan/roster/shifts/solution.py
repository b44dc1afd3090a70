"""Solution files in the benchmark's row format: ``EmployeeID,s_0,...,s_{H-1}``, empty field for a day off."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from staffplan.roster.shifts.instance import Instance


def solution_path(out_dir: str | Path, instance_name: str) -> Path:
    """``<out_dir>/<InstanceN>.solution.txt``."""
    return Path(out_dir) / f"{instance_name}.solution.txt"


def format_solution(instance: Instance, roster: Mapping[str, Sequence[str | None]]) -> str:
    """One line per employee, in instance order; raises ValueError for a missing employee or a wrong length."""
    lines: list[str] = []
    valid = set(instance.shift_ids)
    for emp in instance.staff_ids:
        if emp not in roster:
            raise ValueError(f"roster has no row for employee {emp!r}")
        row = roster[emp]
        if len(row) != instance.horizon:
            raise ValueError(f"roster row for {emp!r} has {len(row)} days, horizon is {instance.horizon}")
        for cell in row:
            if cell is not None and cell not in valid:
                raise ValueError(f"roster row for {emp!r} has unknown shift {cell!r}")
        lines.append(",".join([emp, *(cell or "" for cell in row)]))
    return "\n".join(lines) + "\n"


def write_solution(instance: Instance, roster: Mapping[str, Sequence[str | None]], path: str | Path) -> Path:
    """Write the roster atomically: temp file in the target directory, fsync, then ``os.replace``."""
    target = Path(path)
    text = format_solution(instance, roster)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
