"""The client's voice: picks the wording of what the engine decided the client says.

Variants come from the scenario (or, for the optional kinds a scenario doesn't word, from the
generic lines of ``rehearsal.yaml``) and are chosen deterministically from the conversation's seed
and turn, so a replayed conversation says the same thing.
"""

from __future__ import annotations

import random

from ..playbooks.frameworks import TextLists
from ..playbooks.scenarios import Scenario
from ..text import Language
from .conversation import Conversation


class ClientVoice:
    def __init__(
        self,
        scenario: Scenario,
        conversation: Conversation,
        language: Language,
        defaults: dict[str, TextLists],
    ) -> None:
        self.scenario, self.conversation, self.language, self.defaults = (
            scenario,
            conversation,
            language,
            defaults,
        )
        self.lines: list[str] = []

    def pick(self, kind: str, **fields: str) -> str:
        """One variant of a kind of line, with ``{placeholders}`` filled in."""
        texts = self.scenario.line(kind) or self.defaults[kind]
        return self.choose(texts, kind).format(**fields) if fields else self.choose(texts, kind)

    def choose(self, texts: TextLists, salt: str, avoid: set[str] | None = None) -> str:
        options = texts.get(self.language)
        fresh = [text for text in options if not avoid or text not in avoid] or options
        rng = random.Random(f"{self.conversation.seed}:{self.conversation.turn}:{salt}")
        return rng.choice(fresh)

    def say(self, kind: str, **fields: str) -> str:
        line = self.pick(kind, **fields)
        self.lines.append(line)
        return line

    def say_variant(self, texts: TextLists, avoid: set[str] | None = None) -> str:
        """Say one of ``texts`` (preferring one not in ``avoid``: a deeper answer, not a repeat)."""
        line = self.choose(texts, texts.get(self.language)[0], avoid)
        self.lines.append(line)
        return line

    @property
    def text(self) -> str:
        return " ".join(self.lines)
