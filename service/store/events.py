"""Webhook deliveries in the store: who works on an event, and the reply it produced.

A platform delivers an event, maybe again (retries, a double tap), maybe to several workers at
once. Each ``(channel, event_id)`` row says how far its work got:

* ``working``: claimed at ``claimed_at``; the coach is at it. Released (the row deleted) when the
  work fails, so the platform's retry is worked again. A claim older than the lease is taken over
  (the worker died).
* ``answered``: the reply is kept in ``reply``, not posted yet. When posting fails the claim is
  released and the platform's retry posts the kept reply: the message is not applied twice.
* ``delivered``: done; every later delivery is a duplicate.

Signatures that do not cover the body (DingTalk's) are bound to the first event they came with
(``bind_signature``): the same pair with another event inside the window is a replay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, delete, insert, select, update

from .models import processed_events, utcnow, webhook_signatures

Action = Literal["work", "resend", "skip"]
# How long a claimed event stays with the worker that claimed it; a delivery after that works it
# again (that worker died). Far above a turn's time, below the platforms' first retry (Slack: ~1 min).
CLAIM_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class EventClaim:
    """What to do with a delivery: ``work`` it, ``resend`` the kept ``reply``, or ``skip`` it
    (delivered already, or another worker holds it right now)."""

    action: Action
    reply: dict[str, Any] | None = None


def _row(channel: str, event_id: str):  # type: ignore[no-untyped-def]
    return (processed_events.c.channel == channel) & (processed_events.c.event_id == event_id)


def claim(connection: Connection, channel: str, event_id: str, lease: timedelta) -> EventClaim:
    """Decide and record the claim inside the caller's write transaction. A concurrent first
    insert of the same id raises ``IntegrityError``: the caller retries, and then sees the row."""
    now = utcnow()
    row = (
        connection.execute(select(processed_events).where(_row(channel, event_id)).with_for_update())
        .mappings()
        .first()
    )
    if row is None:
        connection.execute(
            insert(processed_events).values(
                channel=channel, event_id=event_id, created_at=now, state="working", claimed_at=now
            )
        )
        return EventClaim("work")
    held: datetime | None = row["claimed_at"]
    if row["state"] == "delivered" or (held is not None and now - held < lease):
        return EventClaim("skip")
    connection.execute(update(processed_events).where(_row(channel, event_id)).values(claimed_at=now))
    if row["state"] == "answered":
        return EventClaim("resend", row["reply"])
    return EventClaim("work")


def answered(connection: Connection, channel: str, event_id: str, reply: dict[str, Any]) -> None:
    connection.execute(
        update(processed_events).where(_row(channel, event_id)).values(state="answered", reply=reply)
    )


def delivered(connection: Connection, channel: str, event_id: str) -> None:
    connection.execute(
        update(processed_events)
        .where(_row(channel, event_id))
        .values(state="delivered", reply=None, claimed_at=None)
    )


def release(connection: Connection, channel: str, event_id: str) -> None:
    """Give the event back: forgotten if nothing came of the work, else its reply kept for a resend."""
    condition = _row(channel, event_id)
    connection.execute(delete(processed_events).where(condition & (processed_events.c.state == "working")))
    connection.execute(
        update(processed_events)
        .where(condition & (processed_events.c.state == "answered"))
        .values(claimed_at=None)
    )


def bind_signature(
    connection: Connection, channel: str, signature: str, event_id: str, window: timedelta
) -> bool:
    """True when ``signature`` is new (now bound to ``event_id``) or already bound to it; False when
    it came with another event inside ``window``. Bindings older than the window are dropped."""
    now = utcnow()
    digest = hashlib.sha256(signature.encode("utf-8", "surrogatepass")).hexdigest()
    table = webhook_signatures
    connection.execute(
        delete(table).where((table.c.channel == channel) & (table.c.created_at < now - window))
    )
    row = (
        connection.execute(
            select(table.c.event_id)
            .where((table.c.channel == channel) & (table.c.signature == digest))
            .with_for_update()
        )
        .scalars()
        .first()
    )
    if row is None:
        connection.execute(
            insert(table).values(channel=channel, signature=digest, event_id=event_id, created_at=now)
        )
        return True
    return bool(row == event_id)
