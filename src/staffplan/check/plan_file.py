"""Read tour headcounts from `plan.json` or a plan workbook's Tours sheet — untrusted input, read safely.

Workbooks are opened read-only with values, never formulas (`data_only`); openpyxl parses their XML
through `defusedxml` (a runtime dependency), and files above `MAX_BYTES` are refused before parsing.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from staffplan.scenario.issues import InputError, InputIssue

MAX_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 500 * 1024 * 1024  # a zip bomb is refused before openpyxl inflates it
TOURS_SHEET = "Tours"
TOURS_COLUMNS = ("tour_id", "headcount")


def read_headcounts(path: Path) -> dict[str, int]:
    """Tour id → headcount. Raises InputError naming the file, sheet, row and column of every problem."""
    if not path.is_file():
        raise InputError([InputIssue(str(path), None, None, None, "file not found")])
    if path.stat().st_size > MAX_BYTES:
        raise InputError([InputIssue(str(path), None, None, None, f"file larger than {MAX_BYTES // 2**20} MB")])
    if path.suffix.lower() == ".json":
        return _from_json(path)
    if path.suffix.lower() == ".xlsx":
        return _from_workbook(path)
    raise InputError([InputIssue(str(path), None, None, None, "expected plan.json or a .xlsx plan workbook")])


def _from_json(path: Path) -> dict[str, int]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        tours = document["tours"]
        counts: dict[str, int] = {}
        for tour in tours:
            counts[str(tour["id"])] = counts.get(str(tour["id"]), 0) + int(tour["headcount"])
        return counts
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError([InputIssue(str(path), None, None, None, f"not a staffplan plan.json ({exc})")]) from None


def _from_workbook(path: Path) -> dict[str, int]:
    from openpyxl import load_workbook

    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
                raise InputError([InputIssue(name, None, None, None, "workbook inflates beyond the size limit")])
        wb = load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InputError([InputIssue(name, None, None, None, f"cannot read the workbook ({exc})")]) from None
    try:
        if TOURS_SHEET not in wb.sheetnames:
            raise InputError([InputIssue(name, None, None, None,
                                         f"sheet {TOURS_SHEET!r} is missing (sheets: {', '.join(wb.sheetnames)})")])
        rows = wb[TOURS_SHEET].iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        missing = [c for c in TOURS_COLUMNS if c not in header]
        if missing:
            raise InputError([InputIssue(f"{name} [{TOURS_SHEET}]", 1, c, None, "column is missing") for c in missing])
        id_col, count_col = header.index("tour_id"), header.index("headcount")
        counts: dict[str, int] = {}
        issues: list[InputIssue] = []
        for number, row in enumerate(rows, start=2):
            if row is None or all(v is None for v in row):
                continue
            tour, count = row[id_col], row[count_col]
            if tour is None:
                issues.append(InputIssue(f"{name} [{TOURS_SHEET}]", number, "tour_id", None, "empty tour id"))
                continue
            try:
                value = float(count if count is not None else 0)
                if value < 0 or value != int(value):
                    raise ValueError
            except (TypeError, ValueError):
                issues.append(InputIssue(f"{name} [{TOURS_SHEET}]", number, "headcount", str(count),
                                         "headcount must be a whole number ≥ 0"))
                continue
            counts[str(tour)] = counts.get(str(tour), 0) + int(value)
        if issues:
            raise InputError(issues)
        return counts
    finally:
        wb.close()
