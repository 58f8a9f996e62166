"""Resolving playbook citations (a verbatim anchor, optionally a document) to indexed passages."""

from __future__ import annotations

from ..text import match_key
from .passage import Passage


class CitationResolver:
    """Finds the passage holding a verbatim anchor; the keys of all passages are computed once."""

    def __init__(self, passages: list[Passage]) -> None:
        self._passages = passages
        self._keys = [match_key(p.section + "\n" + p.text) for p in passages]

    def resolve(self, anchor: str, doc: str | None = None) -> Passage | None:
        """The first passage (of ``doc``, if given) containing ``anchor`` under the evaluation's
        matching rule, or None."""
        key = match_key(anchor)
        for passage, haystack in zip(self._passages, self._keys, strict=True):
            if (doc is None or passage.doc_id == doc) and key and key in haystack:
                return passage
        return None
