"""Errors that stop an import or a query, each with a Chinese and an English message."""
from __future__ import annotations


class GovdashError(Exception):
    """A failure the user can act on: shown as one line, never as a traceback."""

    def __init__(self, zh: str, en: str, where: str | None = None) -> None:
        self.zh = zh
        self.en = en
        self.where = where
        super().__init__(self.line())

    def line(self) -> str:
        """The one-line message: where, then Chinese with English beside it."""
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.zh} ({self.en})"


class ImportFailure(GovdashError):
    """A file that cannot be imported at all; nothing was changed."""


class UsageError(GovdashError):
    """A request that names an unknown table, column, metric or batch."""
