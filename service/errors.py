"""Domain errors. Transports map them to HTTP statuses or chat messages; the domain never does."""

from __future__ import annotations

from pathlib import Path


class SalesCoachError(Exception):
    """Base class of every error the domain raises on purpose."""


class InvalidInput(SalesCoachError):
    """The caller sent something we cannot work with (empty, too long, unknown option)."""


class UnknownScenario(InvalidInput):
    """No built-in or stored scenario has this id (the API answers 404: ids are an open set)."""


class IndexNotReady(SalesCoachError):
    """The search index is missing or was built for another corpus or embedder."""


class PlaybookError(SalesCoachError):
    """A playbook or glossary file is malformed; names the file and the offending field."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{path}: {message}")
