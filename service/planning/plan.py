"""The visit plan a salesperson enters: who, what is known, what may be hard, the expected
objection, the highest and lowest outcome. Validated strictly; an error names the field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from ..errors import InvalidInput
from ..playbooks.scenarios import CuteRole, DecisionRole

PlanText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanPerson(_Strict):
    name: ShortText
    title: ShortText
    cute_role: CuteRole
    decision_role: DecisionRole | None = None


class PlanGoal(_Strict):
    highest: PlanText = Field(
        description="The best outcome this visit can bring (the rehearsal's commitment)."
    )
    lowest: PlanText = Field(description="The least this visit must bring.")


class PlanInput(_Strict):
    """The request body of ``POST /api/plans`` (and the file of ``salescoach plan``)."""

    lang: Literal["zh", "en"] = "zh"
    company: ShortText
    industry: ShortText
    person: PlanPerson
    facts: list[PlanText] = Field(min_length=2, max_length=12, description="What is known, one fact each.")
    difficulties: list[PlanText] = Field(
        min_length=1, max_length=6, description="Suspected difficulties, one each."
    )
    objection: PlanText | None = Field(None, description="The objection you expect, if any.")
    goal: PlanGoal
    date: ShortText = Field(description="The day of the visit, e.g. 2026-12-03.")

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: object) -> object:
        """A YAML file's unquoted 2026-12-03 is a date: keep it as its ISO text."""
        return value.isoformat() if isinstance(value, dt.date) else value


def parse_plan(data: Any) -> PlanInput:
    """Validate a plan from plain data; ``InvalidInput`` names the first field at fault."""
    try:
        return PlanInput.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe(exc)) from exc


def describe(exc: ValidationError) -> str:
    """``field.path: message`` of the first error (and how many more)."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(root)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{field}: {first['msg']}{more}"
