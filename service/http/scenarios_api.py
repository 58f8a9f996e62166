"""Scenarios API: the built-in scenarios and the stored custom ones; add a scenario as YAML."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ..errors import InvalidInput
from ..plans import PlanService
from ..playbooks.scenarios import Scenario

router = APIRouter(prefix="/api")


async def get_plans(request: Request) -> PlanService:
    return request.app.state.plans


PlansDep = Annotated[PlanService, Depends(get_plans)]


def scenario_chars(max_body_bytes: int) -> int:
    """The longest scenario text a request body can carry (the body limit, less the JSON around it)."""
    return max_body_bytes - JSON_SLACK


JSON_SLACK = 64  # {"yaml": ""} and room to spare


class ScenarioUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    yaml: str = Field(
        min_length=1, json_schema_extra={"x-limit": "max_scenario_chars"},
        description="A scenario file as in playbooks/scenarios/ (YAML text). It is validated like the "
        "built-in ones; an error names the field (422); an id already stored with other content is a 409.",
    )  # fmt: skip


class BilingualOut(BaseModel):
    zh: str
    en: str


class PersonaOut(BaseModel):
    name: BilingualOut
    title: BilingualOut
    cute_role: Literal["coach", "user", "technical_gatekeeper", "economic_buyer"]


class ScenarioOut(BaseModel):
    id: str
    title: BilingualOut
    source: str
    persona: PersonaOut
    difficulty: Literal["easy", "normal", "hard"]
    custom: bool = Field(description="Stored (POST /api/scenarios), not one of the built-in ones.")


class ScenarioList(BaseModel):
    scenarios: list[ScenarioOut]


class ScenarioAdded(BaseModel):
    scenario: ScenarioOut


def summary(scenario: Scenario, custom: bool) -> dict[str, Any]:
    s = scenario
    return {
        "id": s.id, "title": s.title.model_dump(), "source": s.source,
        "persona": {"name": s.persona.name.model_dump(), "title": s.persona.title.model_dump(),
                    "cute_role": s.persona.cute_role},
        "difficulty": s.difficulty, "custom": custom,
    }  # fmt: skip


def scenario_list(plans: PlanService | None, builtin: list[Scenario]) -> list[dict[str, Any]]:
    """The built-in scenarios, then the stored custom ones."""
    custom = plans.custom_scenarios() if plans is not None else []
    return [*(summary(s, False) for s in builtin), *(summary(s, True) for s in custom)]


@router.get(
    "/scenarios", summary="The rehearsal scenarios (built-in and custom)", response_model=ScenarioList
)
async def scenarios(request: Request, plans: PlansDep) -> dict[str, Any]:
    builtin = list(request.app.state.services.rehearsal.scenarios.values())
    return {"scenarios": await run_in_threadpool(scenario_list, plans, builtin)}


@router.post("/scenarios", summary="Add a scenario (YAML)", status_code=201, response_model=ScenarioAdded)
async def add_scenario(request: Request, plans: PlansDep, body: ScenarioUpload) -> dict[str, Any]:
    limit = scenario_chars(request.app.state.settings.max_body_bytes)
    if len(body.yaml) > limit:
        raise InvalidInput(f"yaml: the scenario has {len(body.yaml)} characters; the limit is {limit}")
    scenario = await run_in_threadpool(plans.add_scenario, body.yaml)
    return {"scenario": summary(scenario, True)}
