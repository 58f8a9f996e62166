"""Reviews of real visits for every front end: review a transcript, keep it, read it back.

Nothing is stored unless the review succeeds: the transcript is parsed and reviewed first, and
only a finished review is written (one insert)."""

from __future__ import annotations

from typing import Any

from .container import Services
from .store import ReviewNotFound, SessionStore


class ReviewService:
    def __init__(self, store: SessionStore, services: Services) -> None:
        self.store = store
        self.services = services

    def create(
        self,
        transcript: bytes | str,
        fmt: str = "auto",
        salesperson: str | None = None,
        lang: str | None = None,
    ) -> dict[str, Any]:
        """Review and keep a transcript: ``{"review_id", "turns", "metrics", "scorecard", …}``."""
        review = self.services.reviewer.review(transcript, fmt, salesperson, lang)
        result = review.to_dict()
        text = transcript if isinstance(transcript, str) else transcript.decode("utf-8-sig")
        review_id = self.store.create_review(
            language=review.language, salesperson=review.salesperson, transcript=text, result=result
        )
        return {"review_id": review_id, **result}

    def get(self, review_id: str) -> dict[str, Any]:
        row = self.store.get_review(review_id)
        if row is None:
            raise ReviewNotFound(review_id)
        return {"review_id": row["review_id"], "created_at": row["created_at"].isoformat(), **row["result"]}
