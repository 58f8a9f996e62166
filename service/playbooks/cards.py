"""Coaching cards (``playbooks/cards/*.yaml``): one key concept of the handbooks each, bilingual,
with the handbook passages it rests on. ``ask`` answers from the best-matching card."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ..datafiles import StrictModel, load_yaml_folder
from ..errors import PlaybookError
from .frameworks import Bilingual, TextLists

CardKind = Literal["cute_role", "decision_role", "level", "framework", "stage", "concept", "practice"]


class CardSection(StrictModel):
    heading: Bilingual
    points: TextLists


class Cite(StrictModel):
    """A handbook passage, named by document id and a verbatim string inside it."""

    doc: Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
    anchor: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]


class Card(StrictModel):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    kind: CardKind
    title: Bilingual
    aliases: TextLists
    questions: TextLists
    summary: Bilingual
    sections: list[CardSection] = Field(min_length=1)
    cites: list[Cite] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)


def load_cards(playbooks_dir: Path) -> dict[str, Card]:
    """Load and validate every card; ids must match file names and ``related`` must name cards."""
    cards = load_yaml_folder(playbooks_dir / "cards", Card)
    for card in cards.values():
        unknown = [name for name in card.related if name not in cards]
        if unknown:
            raise PlaybookError(
                playbooks_dir / "cards" / f"{card.id}.yaml", f"related: unknown cards {unknown}"
            )
    return cards
