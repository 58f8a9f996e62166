"""Visit plans and stored scenarios, for every front end (API, CLI, messengers).

A plan is validated, filled in by the coach and stored; its rehearsal is a scenario built from it,
stored as YAML beside the custom scenarios (so a session on it survives a restart: the engine
looks stored scenarios up on demand) and opened like any rehearsal.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InvalidInput
from .planning.plan import PlanInput, describe, parse_plan
from .planning.render import render_markdown
from .planning.scenario_builder import PLAN_PREFIX, build_scenario, scenario_id
from .playbooks.scenarios import Scenario
from .sessions import SessionService
from .store import PlanNotFound, PlanRecord, SessionRecord


class PlanService:
    def __init__(self, sessions: SessionService) -> None:
        self.sessions = sessions
        self.store = sessions.store
        self.services = sessions.services
        self.services.rehearsal.lookup = self.stored_scenario
        sessions.plan_maker = self._from_messenger

    def close(self) -> None:
        """Unhook from the engine (services outlive an app in tests and CLIs that share them)."""
        engine = self.services.rehearsal
        if engine.lookup == self.stored_scenario:
            engine.lookup = None
            engine.forget_stored()

    def _from_messenger(self, data: dict[str, Any], channel_key: str | None) -> tuple[str, str]:
        record = self.create(data, channel_key)
        return record.id, self.markdown(record)

    # -- plans --------------------------------------------------------------------------------------
    def create(self, data: Any, channel_key: str | None = None) -> PlanRecord:
        plan = data if isinstance(data, PlanInput) else parse_plan(data)
        filled, _ = self.services.planner.make(plan)
        return self.store.save_plan(plan.lang, plan.model_dump(), filled, channel_key)

    def get(self, plan_id: str) -> PlanRecord:
        record = self.store.get_plan(plan_id)
        if record is None:
            raise PlanNotFound(plan_id)
        return record

    def markdown(self, record: PlanRecord) -> str:
        return render_markdown(record.filled, self.services.planning.plan)

    def payload(self, record: PlanRecord) -> dict[str, Any]:
        return {"plan_id": record.id, "plan": record.filled, "markdown": self.markdown(record)}

    def rehearse_latest(
        self, channel_key: str, language: str, difficulty: str | None = None
    ) -> tuple[SessionRecord, dict[str, Any]] | None:
        """The rehearsal of the newest plan a messenger conversation made (None: it made none)."""
        record = self.store.latest_plan(channel_key)
        if record is None:
            return None
        return self.rehearse(record.id, language, difficulty, channel_key)

    def rehearse(
        self, plan_id: str, language: str | None = None, difficulty: str | None = None,
        channel_key: str | None = None,
    ) -> tuple[SessionRecord, dict[str, Any]]:  # fmt: skip
        """Open a rehearsal of the plan's own scenario (built and stored on first use)."""
        record = self.get(plan_id)
        scenario = self._plan_scenario(record)
        return self.sessions.start(
            "rehearsal", language or record.language, scenario=scenario.id,  # type: ignore[arg-type]
            channel_key=channel_key, difficulty=difficulty,
        )  # fmt: skip

    # -- stored scenarios ---------------------------------------------------------------------------
    def add_scenario(self, source: str) -> Scenario:
        """Validate a scenario YAML like the built-in ones and store it."""
        scenario = parse_scenario(source)
        if scenario.id in self.services.rehearsal.scenarios:
            raise InvalidInput(f"id: {scenario.id!r} is a built-in scenario; choose another id")
        if scenario.id.startswith(PLAN_PREFIX):
            raise InvalidInput("id: ids starting with 'plan_' are kept for scenarios built from plans")
        self._store_scenario(scenario)
        return scenario

    def stored_scenario(self, scenario_id: str) -> Scenario | None:
        """A stored scenario; ``plan_<id>`` of a stored plan is built (and stored) on first use, so
        a plan made anywhere can be rehearsed by its scenario id (`salescoach chat --scenario plan_…`)."""
        stored = self.store.get_scenario(scenario_id)
        if stored is not None:
            return parse_scenario(stored.source)
        plan_id = scenario_id.removeprefix(PLAN_PREFIX)
        if plan_id != scenario_id and plan_id:
            record = self.store.get_plan(plan_id)
            if record is not None:
                return self._build_plan_scenario(record)
        return None

    def _plan_scenario(self, record: PlanRecord) -> Scenario:
        """The plan's scenario, built and stored once: the same visit each time."""
        stored = self.store.get_scenario(scenario_id(record.id))
        return parse_scenario(stored.source) if stored is not None else self._build_plan_scenario(record)

    def _build_plan_scenario(self, record: PlanRecord) -> Scenario:
        scenario = build_scenario(PlanInput.model_validate(record.plan), record.id, self.services.planning)
        self._store_scenario(scenario, plan_id=record.id)
        return scenario

    def custom_scenarios(self) -> list[Scenario]:
        return [parse_scenario(s.source) for s in self.store.list_scenarios()]

    def _store_scenario(self, scenario: Scenario, plan_id: str | None = None) -> None:
        source = yaml.safe_dump(
            scenario.model_dump(by_alias=True, exclude_none=True), allow_unicode=True, sort_keys=False
        )
        self.store.add_scenario(scenario.id, source, plan_id)
        self.services.rehearsal.remember(scenario)


def parse_scenario(source: str) -> Scenario:
    """A scenario from YAML text, validated like the files in playbooks/scenarios/."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the scenario is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidInput("(root): a scenario is a YAML mapping (id, title, persona, facts …)")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe(exc)) from exc


__all__ = ["PlanService", "parse_scenario", "scenario_id"]
