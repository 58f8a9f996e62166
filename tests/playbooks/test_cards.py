"""Coaching cards: every file validates, and broken ones fail naming the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from service.errors import PlaybookError
from service.playbooks.cards import load_cards
from service.settings import PROJECT_ROOT

PLAYBOOKS = PROJECT_ROOT / "playbooks"
REQUIRED = {
    "coach", "user_buyer", "technical_gatekeeper", "economic_buyer", "manager_director",
    "decision_maker", "influencer", "gatekeeper", "end_user", "purchaser", "spin", "lscpa", "fabe",
    "purchase_stages", "needs_vs_requirements", "doubts_vs_objections", "relationship_grades",
    "choosing_a_coach", "verifying_a_coach", "visit_planning",
}  # fmt: skip


def test_every_card_validates_and_the_key_concepts_are_covered():
    cards = load_cards(PLAYBOOKS)
    assert cards.keys() >= REQUIRED
    for card in cards.values():
        assert card.questions.zh and card.questions.en
        assert all(section.points.zh and section.points.en for section in card.sections)


def test_role_cards_say_who_what_they_care_about_what_to_give_and_what_not_to_do():
    cards = load_cards(PLAYBOOKS)
    for card in cards.values():
        if card.kind in {"cute_role", "decision_role"}:
            headings = [section.heading.en for section in card.sections]
            assert headings == ["Who they are", "What they care about", "What to give them", "What not to do"]


@pytest.fixture()
def playbooks_copy(tmp_path: Path) -> Path:
    shutil.copytree(PLAYBOOKS / "cards", tmp_path / "cards")
    return tmp_path


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["summary"].pop("en"), "summary.en"),
        (lambda d: d.update(kind="astrologer"), "kind"),
        (lambda d: d.update(cites=[]), "cites"),
        (lambda d: d["cites"][0].update(doc="9"), "cites.0.doc"),
        (lambda d: d.update(id="someone_else"), "id"),
        (lambda d: d.update(related=["no_such_card"]), "related"),
    ],
)
def test_broken_card_names_file_and_field(playbooks_copy, change, field):
    path = playbooks_copy / "cards" / "spin.yaml"
    _edit(path, change)
    with pytest.raises(PlaybookError) as error:
        load_cards(playbooks_copy)
    assert error.value.path == path
    assert error.value.message.startswith(field)


def test_yaml_syntax_error_names_the_file(playbooks_copy):
    path = playbooks_copy / "cards" / "fabe.yaml"
    path.write_text("id: fabe\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match=r"fabe\.yaml: cannot read YAML"):
        load_cards(playbooks_copy)
