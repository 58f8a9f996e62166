"""The coach's voice: notes from the framework playbooks and the rehearsal playbook, each with its
handbook citations resolved to indexed passages once, at start-up."""

from __future__ import annotations

from pathlib import Path

from ..errors import InvalidInput, PlaybookError
from ..playbooks.coaching import CoachingPlaybook, Note
from ..playbooks.frameworks import Framework, Frameworks
from ..retrieval.citations import CitationResolver
from ..retrieval.passage import Passage
from ..text import Language
from .turn import CitationData, CoachNote

MAX_CITATIONS = 2


class Coach:
    """Turns playbook knowledge into ``CoachNote``s in the user's language, with citations."""

    def __init__(
        self, frameworks: Frameworks, coaching: CoachingPlaybook, passages: list[Passage], playbooks_dir: Path
    ) -> None:
        self.frameworks = frameworks
        self.coaching = coaching
        resolver = CitationResolver(passages)
        self._framework_cites: dict[tuple[str, str], list[list[Passage]]] = {}
        for name in frameworks.names:
            framework = self.framework(name)
            path = playbooks_dir / "frameworks" / f"{name}.yaml"
            for part in framework.parts:
                self._framework_cites[(name, part.label)] = [
                    [
                        self._resolve(resolver, c.anchor, None, path, f"{part.label}.coaching_notes")
                        for c in note.cites
                    ]
                    for note in part.coaching_notes
                ]
        path = playbooks_dir / "rehearsal.yaml"
        self._check_cites = {
            check.id: [
                self._resolve(resolver, c.anchor, c.doc, path, f"checks.{check.id}") for c in check.cites
            ]
            for check in coaching.checks
        }
        notes: dict[str, Note] = {**dict(coaching.mistakes.items()), **dict(coaching.notes.items())}
        self._note_cites = {
            name: [self._resolve(resolver, c.anchor, c.doc, path, f"notes.{name}") for c in note.cites]
            for name, note in notes.items()
        }
        self._notes = notes

    def framework(self, name: str) -> Framework:
        """A coaching framework (SPIN, LSCPA, FABE …; not the moves playbook)."""
        if name not in self.frameworks.coaching:
            raise InvalidInput(f"unknown framework {name!r}: use one of {', '.join(self.frameworks.names)}")
        return self.frameworks.coaching[name]

    @staticmethod
    def _resolve(resolver: CitationResolver, anchor: str, doc: str | None, path: Path, where: str) -> Passage:
        passage = resolver.resolve(anchor, doc)
        if passage is None:
            raise PlaybookError(path, f"{where}.cites: {anchor!r} is not in the handbooks")
        return passage

    @staticmethod
    def _cite(passages: list[Passage]) -> list[CitationData]:
        unique = list(dict.fromkeys(passages))[:MAX_CITATIONS]
        return [CitationData.of(passage) for passage in unique]

    def part_note(self, framework: str, label: str, language: Language, variant: int = 0) -> CoachNote:
        """What the handbook teaches about this kind of move, prefixed by its name."""
        part = self.framework(framework).part(label)
        number = variant % len(part.coaching_notes)
        note = part.coaching_notes[number]
        text = f"{part.names.get(language)}{'：' if language == 'zh' else ': '}{note.zh if language == 'zh' else note.en}"
        return CoachNote(text, self._cite(self._framework_cites[(framework, label)][number]))

    def timing_note(self, framework: str, label: str, language: Language, lead: str) -> CoachNote:
        """A move that did not fit the moment: what it is for and when to use it."""
        part = self.framework(framework).part(label)
        gap = " " if language == "en" else ""  # the playbook's texts come stripped
        return CoachNote(
            f"{lead}{gap}{part.when_to_use.get(language)}",
            self._cite(self._framework_cites[(framework, label)][0]),
        )

    def check_note(self, check_id: str, language: Language) -> CoachNote:
        check = next(c for c in self.coaching.checks if c.id == check_id)
        return CoachNote(check.advice.get(language), self._cite(self._check_cites[check_id]))

    def check_citations(self, check_id: str) -> list[CitationData]:
        return self._cite(self._check_cites[check_id])

    def note(self, name: str, language: Language) -> CoachNote:
        """A named note of the rehearsal playbook: a mistake (``who_is_boss`` …) or a moment (``opening`` …)."""
        return CoachNote(self._notes[name].note.get(language), self._cite(self._note_cites[name]))

    def lead(self, key: str, language: Language) -> str:
        return self.coaching.leads[key].get(language)  # type: ignore[index]

    def suggestions(self, stage: str, language: Language) -> list[str]:
        return list(self.coaching.suggestions[stage].get(language))  # type: ignore[index]
