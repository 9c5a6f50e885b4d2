"""Errors in curated input, reported as file, line, field and what was expected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Shown as \uXXXX in messages: a value quoted in an error must not move the terminal's cursor,
# change its colours, or start a new line that looks like another message in a CI log.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ONE_LINE = re.compile(_UNPRINTABLE.pattern[:-1] + r"\t\n]")


def _visible(text: str, *, one_line: bool = False) -> str:
    pattern = _ONE_LINE if one_line else _UNPRINTABLE
    return pattern.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the curated data, precise enough to fix without searching."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"field '{_visible(self.field, one_line=True)}': " if self.field else ""
        return _visible(f"{where}: {what}{self.message}")


class CuratedDataError(Exception):
    """Raised when curated data cannot be built; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def _sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.field or "", problem.message)


def display_path(path: Path, root: Path | None) -> str:
    """Path as a person would type it: relative to the project when possible."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
