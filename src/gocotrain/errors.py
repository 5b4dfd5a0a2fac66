"""Errors about a user's inputs, worded for the person who has to fix them."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem in an input file or in the config.

    The message names the file, the line or record where it is known, what is wrong
    and what to do about it, so the workflow can print it instead of a traceback.
    """

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        fix: str,
        *,
        line: int | None = None,
        record: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        self.fix = fix
        self.line = line
        self.record = record
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "config"
        if self.line is not None:
            where += f", line {self.line}"
        if self.record is not None:
            where += f", ID {self.record!r}"
        return f"{where}: {self.problem}\n  What to do: {self.fix}"
