"""Errors that stop an import or a query, each with a Chinese and an English message."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fix:
    """What would let a failed import go through: shown as a command-line option and as a page control.

    kind: table (pick the table), date_order (pick dmy/mdy/ymd), value (map unknown words), map (map or skip a
    column), set (a constant for a column), sheet (pick a sheet).
    """

    kind: str
    column: str | None = None          # canonical column concerned
    header: str | None = None          # the file's header of that column
    choices: tuple[str, ...] = ()      # tables, date orders, sheets or unknown words to choose among
    examples: tuple[str, ...] = ()     # example values from the file
    cli: str = ""                      # the exact option that fixes it on the command line
    counts: tuple[int, ...] = field(default=())  # how many rows each choice or word concerns


class GovdashError(Exception):
    """A failure the user can act on: shown as one line, never as a traceback."""

    def __init__(self, zh: str, en: str, where: str | None = None, fix: Fix | None = None) -> None:
        self.zh = zh
        self.en = en
        self.where = where
        self.fix = fix
        super().__init__(self.line())

    def __reduce__(self):
        """Pickle with every field (a worker process hands errors back to the dashboard)."""
        return (self.__class__, (self.zh, self.en, self.where, self.fix))

    def line(self) -> str:
        """The one-line message: where, then Chinese with English beside it."""
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.zh} ({self.en})"

    def located(self, where: str) -> "GovdashError":
        """The same error naming where it happened (when it does not already)."""
        if self.where is None:
            self.where = where
            self.args = (self.line(),)
        return self


class ImportFailure(GovdashError):
    """A file that cannot be imported at all; nothing was changed."""


class UsageError(GovdashError):
    """A request that names an unknown table, column, metric or batch."""
