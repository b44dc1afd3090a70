"""Read an operating model YAML into a `Scenario`, reporting errors with their YAML line and field path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from staffplan.scenario.issues import InputError, InputIssue
from staffplan.scenario.schema import Scenario

MAX_MODEL_BYTES = 5_000_000


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (the deepest one that exists)."""
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def load_model(path: Path) -> Scenario:
    """Parse and validate `models/<name>.yaml`. Raises InputError with every problem found."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise InputError([InputIssue(name, None, None, None, f"file is {size:,} bytes, over the limit")])
        text = path.read_text(encoding="utf-8")
        data: Any = yaml.safe_load(text)
        tree = yaml.compose(text)
    except OSError as exc:
        raise InputError([InputIssue(name, None, None, None, f"cannot read: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        raise InputError([InputIssue(name, None, None, None, "not UTF-8 text")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = None if mark is None else mark.line + 1
        raise InputError([InputIssue(name, row, None, None, f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise InputError([InputIssue(name, None, None, None, "expected a mapping of model fields")])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(part) for part in loc) or None
            value = err.get("input")
            shown = None if isinstance(value, dict | list) or value is None else str(value)
            issues.append(InputIssue(name, _line_of(tree, loc), field, shown, err["msg"]))
        raise InputError(issues) from exc
