"""Input problems: every one names the file, the row (header = row 1), the column and the bad value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class InputIssue:
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    level: Level = Level.ERROR

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{self.level}: {where}: {self.message}{shown}"


class InputError(Exception):
    """Raised at loading when one or more inputs are invalid; carries every problem found."""

    def __init__(self, issues: list[InputIssue]) -> None:
        self.issues = issues
        errors = [i for i in issues if i.level is Level.ERROR]
        super().__init__(f"{len(errors)} input error(s)")


def raise_if_errors(issues: list[InputIssue]) -> None:
    if any(i.level is Level.ERROR for i in issues):
        raise InputError(issues)
