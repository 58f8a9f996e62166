"""Visit plans and stored scenarios (custom ones, and those built from plans) in the store."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import SalesCoachError
from .keys import stored_key
from .models import custom_scenarios, plans, utcnow


class ScenarioExists(SalesCoachError):
    """A stored scenario with this id exists with other content (ids never change meaning). 409."""


@dataclass(frozen=True)
class PlanRecord:
    id: str
    language: str
    plan: dict[str, Any]
    filled: dict[str, Any]
    channel_key: str | None
    created_at: datetime


@dataclass(frozen=True)
class StoredScenario:
    id: str
    source: str  # the YAML
    plan_id: str | None
    created_at: datetime


class PlanRows:
    """The plan and scenario part of :class:`SessionStore` (same engine, same write transactions)."""

    _engine: Engine
    _write: Callable[[], AbstractContextManager[Connection]]

    def save_plan(
        self, language: str, plan: dict[str, Any], filled: dict[str, Any], channel_key: str | None = None
    ) -> PlanRecord:
        key = stored_key(channel_key, plans.c.channel_key) if channel_key is not None else None
        record = PlanRecord(uuid.uuid4().hex, language, plan, filled, key, utcnow())
        with self._write() as connection:
            connection.execute(insert(plans).values(**record.__dict__))
        return record

    def get_plan(self, plan_id: str) -> PlanRecord | None:
        if not _is_hex_id(plan_id):
            return None
        with self._engine.connect() as connection:
            row = connection.execute(select(plans).where(plans.c.id == plan_id)).mappings().first()
        return PlanRecord(**row) if row is not None else None

    def latest_plan(self, channel_key: str) -> PlanRecord | None:
        """The newest plan a messenger conversation made."""
        key = stored_key(channel_key, plans.c.channel_key)
        query = select(plans).where(plans.c.channel_key == key).order_by(plans.c.created_at.desc()).limit(1)
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return PlanRecord(**row) if row is not None else None

    def add_scenario(self, scenario_id: str, source: str, plan_id: str | None = None) -> StoredScenario:
        """Store a scenario's YAML; storing the same id again is a no-op when the YAML is the same,
        else ``ScenarioExists``."""
        record = StoredScenario(scenario_id, source, plan_id, utcnow())
        try:
            with self._write() as connection:
                connection.execute(insert(custom_scenarios).values(**record.__dict__))
            return record
        except IntegrityError:
            existing = self.get_scenario(scenario_id)
            if existing is not None and existing.source == source:
                return existing
            raise ScenarioExists(
                f"a stored scenario {scenario_id!r} already exists with other content"
            ) from None

    def get_scenario(self, scenario_id: str) -> StoredScenario | None:
        if len(scenario_id) > 100:
            return None
        query = select(custom_scenarios).where(custom_scenarios.c.id == scenario_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return StoredScenario(**row) if row is not None else None

    def list_scenarios(self, with_plans: bool = False) -> Iterator[StoredScenario]:
        """The stored scenarios, oldest first (without those built from plans unless asked)."""
        query = select(custom_scenarios).order_by(custom_scenarios.c.created_at)
        if not with_plans:
            query = query.where(custom_scenarios.c.plan_id.is_(None))
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return (StoredScenario(**row) for row in rows)


def _is_hex_id(value: str) -> bool:
    return len(value) == 32 and all(ch in "0123456789abcdef" for ch in value)


class PlanNotFound(SalesCoachError, LookupError):
    """No plan has this id. Transports map it to 404."""

    def __init__(self, plan_id: str) -> None:
        self.plan_id = plan_id
        super().__init__(f"no plan {plan_id!r}")
