"""The coach fills in a visit plan: SPIN questions for each suspected difficulty (each checked
with the analyser: it must classify the question as the kind it is listed under), a FABE outline
per need, the LSCPA plan for the expected objection, the role's advice from its coaching card,
and a next step between the goal's highest and lowest outcome — each with handbook citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..dialogue.analyser import UtteranceAnalyser
from ..dialogue.coach import Coach
from ..dialogue.turn import CitationData
from ..retrieval.cards import CardIndex
from ..text import Language
from .objection import lscpa_plan
from .phrasing import bare, content_phrases, fill, topic_of
from .plan import PlanInput
from .templates import FABE_PARTS, LSCPA_STEPS, SPIN_KINDS, PlanningTemplates


@dataclass(frozen=True)
class QuestionCheck:
    kind: str
    text: str
    label: str  # what the analyser says it is

    @property
    def agrees(self) -> bool:
        return self.kind == self.label


class VisitPlanner:
    """``make(plan)`` → the filled plan as plain data (the API's ``plan``)."""

    def __init__(
        self, templates: PlanningTemplates, coach: Coach, cards: CardIndex, analyser: UtteranceAnalyser
    ) -> None:
        self.templates = templates
        self.coach = coach
        self.cards = cards
        self.analyser = analyser

    def candidate_questions(self, plan: PlanInput) -> list[list[tuple[str, str]]]:
        """Per difficulty, every templated (kind, question)."""
        lang: Language = plan.lang
        out = []
        for text in plan.difficulties:
            topic = topic_of(text, lang)
            area = next(iter(content_phrases(topic, lang, (plan.company,), limit=1)), topic)
            out.append(
                [
                    (kind, fill(t, topic=topic, area=area, company=plan.company))
                    for kind in SPIN_KINDS
                    for t in getattr(self.templates.questions, kind).get(lang)
                ]
            )
        return out

    def check(self, questions: list[tuple[str, str]]) -> list[QuestionCheck]:
        """The analyser's SPIN label of each question (one batch of embeddings)."""
        if not questions:
            return []
        self.analyser.warm_up()
        vectors = self.analyser.embedder.embed_queries([q for _, q in questions])
        return [
            QuestionCheck(kind, text, self.analyser.analyse(text, vector=vector).spin.label or "other")
            for (kind, text), vector in zip(questions, vectors, strict=True)
        ]

    def make(self, plan: PlanInput, check: bool | None = None) -> tuple[dict[str, Any], list[QuestionCheck]]:
        """The filled plan and, when checked (``check``, default: the templates' ``check_questions``),
        the analyser's verdict on every candidate question: only those it classifies as their kind
        are suggested (the first template of a kind when none is)."""
        lang: Language = plan.lang
        candidates = self.candidate_questions(plan)
        checking = self.templates.plan.check_questions if check is None else check
        checks = self.check([q for per in candidates for q in per]) if checking else []
        difficulties, start = [], 0
        for text, per in zip(plan.difficulties, candidates, strict=True):
            verdicts = checks[start : start + len(per)] if checking else []
            start += len(per)
            questions = {}
            for kind in SPIN_KINDS:
                mine = [q for k, q in per if k == kind]
                agreed = [v.text for v in verdicts if v.kind == kind and v.agrees]
                questions[kind] = (agreed or mine[:1]) if checking else mine
            difficulties.append({"text": text, "questions": questions})
        objection = plan.objection or self.templates.plan.default_objection.get(lang)
        filled = {
            **plan.model_dump(),
            "difficulties": difficulties,
            "fabe": [self._fabe(plan, text) for text in plan.difficulties],
            "objection_plan": lscpa_plan(objection, plan.goal.highest, lang, self.templates.plan),
            "role_advice": self._role_advice(plan),
            "next_step": fill(
                self.templates.plan.next_step.get(lang),
                highest=bare(plan.goal.highest), lowest=bare(plan.goal.lowest),
            ),
        }  # fmt: skip
        filled["objection_plan"]["citations"] = self._framework_cites("lscpa", LSCPA_STEPS)
        filled["citations"] = self._plan_citations()
        return filled, checks

    def _fabe(self, plan: PlanInput, text: str) -> dict[str, Any]:
        lang: Language = plan.lang
        topic = topic_of(text, lang)
        parts = {
            part: fill(getattr(self.templates.plan.fabe, part).get(lang), topic=topic,
                       company=plan.company, name=plan.person.name)
            for part in FABE_PARTS
        }  # fmt: skip
        return {"need": text, **parts}

    def _role_advice(self, plan: PlanInput) -> dict[str, Any]:
        lang: Language = plan.lang
        role = self.templates.roles.of(plan.person.cute_role)
        card = next(c for c in self.cards.cards if c.id == role.card)
        advice: dict[str, Any] = {
            "role": plan.person.cute_role, "name": role.names.get(lang), "summary": card.summary.get(lang),
        }  # fmt: skip
        for key, heading in self.templates.plan.advice_sections.items():
            section = next((s for s in card.sections if s.heading.zh == heading), None)
            advice[key] = section.points.get(lang) if section else []
        advice["citations"] = [asdict(c) for c in self._card_cites(role.card)]
        return advice

    def _card_cites(self, card_id: str) -> list[CitationData]:
        return [CitationData.of(p) for p in self.cards.passages(card_id)]

    def _framework_cites(self, framework: str, labels: tuple[str, ...]) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for label in labels:
            for cite in self.coach.part_note(framework, label, "zh").citations:
                seen.setdefault(cite.passage_id, asdict(cite))
        return list(seen.values())

    def _plan_citations(self) -> list[dict[str, Any]]:
        """The visit plan table itself and the SPIN and FABE parts the questions and outline rest on."""
        cites = {c.passage_id: asdict(c) for c in self._card_cites(self.templates.plan.plan_card)}
        for item in [*self._framework_cites("spin", SPIN_KINDS), *self._framework_cites("fabe", FABE_PARTS)]:
            cites.setdefault(item["passage_id"], item)
        return list(cites.values())
