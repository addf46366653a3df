"""Errors that name where bad input is: file, row (or line) and column (or field)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputError:
    """One problem in an input file."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column:
            where.append(f"kolumn {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class InputErrors(Exception):
    """Every problem found in the input, raised together so the user can fix them all at once."""

    def __init__(self, errors: list[InputError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
