"""The web page's boot data: what the page needs before its first request, read from the playbooks."""

from __future__ import annotations

from typing import Any

from ..container import Services


def framework_list(services: Services) -> list[dict[str, Any]]:
    """Every coaching framework (file order) with its labels' names; ``drill`` when it has drills."""
    drills = set(services.drills.frameworks)
    return [
        {
            "id": name,
            "names": framework.names.model_dump(),
            "drill": name in drills,
            "parts": [{"label": part.label, "names": part.names.model_dump()} for part in framework.parts],
        }
        for name, framework in services.analyser.frameworks.coaching.items()
    ]


def move_names(services: Services) -> dict[str, dict[str, str]]:
    """The conversational moves' names by label (the analysis badges name the move)."""
    return {move.label: move.names.model_dump() for move in services.analyser.frameworks.moves.moves}


def difficulty_list(services: Services) -> list[dict[str, Any]]:
    """The rehearsal difficulties, easiest first, with their names."""
    levels = services.rehearsal.coach.coaching.difficulties
    return [{"id": level, "names": settings.names.model_dump()} for level, settings in levels.items()]


def boot_data(services: Services, lang: str, base: str, scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON rendered into the page (``<script id="boot">``); ``scenarios`` as GET /api/scenarios lists them."""
    return {
        "lang": lang,
        "base": base,
        "scenarios": scenarios,
        "frameworks": framework_list(services),
        "moves": move_names(services),
        "difficulties": difficulty_list(services),
    }
