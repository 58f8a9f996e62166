"""What the store hands out: immutable snapshots of rows, and its one error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import SalesCoachError


class SessionNotFound(SalesCoachError, LookupError):
    """No session has this id. Transports map it to 404."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(f"no session {session_id!r}")


class SessionBusy(SalesCoachError):
    """The session is in a turn on another thread of this process (``SessionStore.try_turn``)."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(f"session {session_id!r} is in another turn")


class ReviewNotFound(SalesCoachError, LookupError):
    """No review has this id. Transports map it to 404."""

    def __init__(self, review_id: str) -> None:
        self.review_id = review_id
        super().__init__(f"no review {review_id!r}")


@dataclass(frozen=True)
class SessionRecord:
    """One chat session as stored."""

    id: str  # uuid4 hex
    mode: str  # "rehearsal" | "drill" | "ask"
    scenario: str | None
    framework: str | None
    language: str  # "zh" | "en"
    state: dict[str, Any]  # the engine's serialised conversation / drill state
    finished: bool
    channel_key: str | None  # messenger sessions: "platform:tenant:conversation:user"
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TurnRow:
    """One message of a session's transcript."""

    seq: int  # 1, 2, 3 … per session, no gaps
    role: str  # "user" | "bot"
    text: str
    data: dict[str, Any]  # the bot's reply payload, or the user message's analysis
    created_at: datetime


def session_from_row(row: Mapping[Any, Any]) -> SessionRecord:
    """A ``sessions`` row (by column key) as a record."""
    return SessionRecord(
        id=row["id"], mode=row["mode"], scenario=row["scenario"], framework=row["framework"],
        language=row["language"], state=row["state"], finished=row["finished"], channel_key=row["channel_key"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )  # fmt: skip
