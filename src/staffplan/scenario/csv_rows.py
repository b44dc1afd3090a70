"""Shared reading of the long-format CSV inputs: size limit, header check, numbered rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from staffplan.scenario.issues import InputError, InputIssue

MAX_CSV_BYTES = 200_000_000


def read_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
              ) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (spreadsheet row number, row) for every data row; header is row 1.

    Raises InputError for an unreadable file, a file over the size limit, or a bad header (missing or
    unknown columns), since no row can be trusted then.
    """
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError([InputIssue(name, None, None, None, f"cannot read: {exc.strerror}")]) from exc
    if size > MAX_CSV_BYTES:
        raise InputError([InputIssue(name, None, None, None, f"file is {size:,} bytes, over the limit")])
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            problems = [InputIssue(name, 1, col, None, "required column is missing")
                        for col in required if col not in header]
            problems += [InputIssue(name, 1, col, None, f"unknown column (known: {', '.join(required + optional)})")
                         for col in header if col not in required + optional]
            if problems:
                raise InputError(problems)
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                padded = cells + [""] * (len(header) - len(cells))
                yield number, {h: c.strip() for h, c in zip(header, padded, strict=False)}
    except UnicodeDecodeError as exc:
        raise InputError([InputIssue(name, None, None, None, "not UTF-8 text")]) from exc
    except csv.Error as exc:
        raise InputError([InputIssue(name, None, None, None, f"not valid CSV: {exc}")]) from exc


def split_list(cell: str) -> tuple[str, ...]:
    """`en|tl` → ("en", "tl"); blank → ()."""
    return tuple(part.strip() for part in cell.split("|") if part.strip())
