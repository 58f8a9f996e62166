"""A visit plan as a rehearsal scenario: a regular ``Scenario``, validated like the built-in ones.

The persona comes from the role's template (style and values), one fact per known fact in the
order given (``fact_1`` …), one difficulty per suspected difficulty (``problem_1`` …) whose
consequences and need are worded from the role's templates and the industry, the expected
objection with the role's real concern, and the goal's highest outcome as the commitment.
"""

from __future__ import annotations

import re

from ..playbooks.frameworks import Bilingual, TextLists
from ..playbooks.scenarios import Scenario
from ..text import Language
from .objection import objection_kind
from .phrasing import asked, bare, clauses, content_phrases, fill, topic_of, without_topic
from .plan import PlanInput
from .templates import PlanningTemplates, QuestionType

_INDUSTRY_DETAIL = re.compile(r"\s*[（(].*$")


PLAN_PREFIX = "plan_"  # a plan's scenario id is this and the plan's id


def scenario_id(plan_id: str) -> str:
    return f"{PLAN_PREFIX}{plan_id}"


def industry_name(industry: str) -> str:
    """ "医疗（护理呼叫系统）" → "医疗": the trade, without the product in brackets."""
    return _INDUSTRY_DETAIL.sub("", industry).strip() or industry


def _same(text: str) -> dict[str, list[str]]:
    """A text the client says in the plan's language, in both slots of a bilingual list."""
    return {"zh": [text], "en": [text]}


def _both(texts: list[str]) -> dict[str, list[str]]:
    unique = list(dict.fromkeys(texts))
    return {"zh": unique, "en": unique}


def build_scenario(plan: PlanInput, plan_id: str, templates: PlanningTemplates) -> Scenario:
    """The rehearsal scenario of ``plan`` (raises pydantic's ValidationError if a template is off)."""
    lang: Language = plan.lang
    role = templates.roles.of(plan.person.cute_role)
    st = templates.scenario
    industry = industry_name(plan.industry)
    lowest = plan.goal.lowest
    values = {
        "company": plan.company, "name": plan.person.name, "title": plan.person.title,
        "industry": industry, "highest": bare(plan.goal.highest), "lowest": bare(lowest),
        "date": plan.date, "role": role.names.get(lang),
    }  # fmt: skip

    def both(bilingual: Bilingual) -> dict[str, str]:
        return {"zh": fill(bilingual.zh, **values), "en": fill(bilingual.en, **values)}

    # a phrase naming the client (its company, the person's title) tells no fact from another
    skip = (plan.company, plan.person.title, plan.person.name)
    facts = [_fact(number, text, lang, templates, skip) for number, text in enumerate(plan.facts, 1)]
    problems = [
        _problem(number, text, lang, templates, role.implication, role.need, values, skip)
        for number, text in enumerate(plan.difficulties, 1)
    ]
    kind = objection_kind(plan.objection or "", lang, templates.plan)
    raised = plan.objection or templates.plan.default_objection.get(lang)
    concern = [role.concern.get(lang), templates.plan.real_concern[kind].get(lang)]
    data = {
        "id": scenario_id(plan_id),
        "title": both(st.title),
        "source": "000",
        "grounding": "generated",
        "briefing": both(st.briefing),
        "persona": {
            "name": {"zh": plan.person.name, "en": plan.person.name},
            "title": {"zh": plan.person.title, "en": plan.person.title},
            "cute_role": plan.person.cute_role,
            "decision_role": plan.person.decision_role or role.decision_role,
            "company": {"zh": plan.company, "en": plan.company},
            "values": role.values.model_dump(),
            "style": role.style.model_dump(),
        },
        "facts": facts,
        "problems": problems,
        "objection": {
            "kind": kind,
            "raise": _same(raised),
            "real_concern": _both(concern),
            "resolved": templates.plan.resolved.model_dump(),
        },
        "commitment": {
            "next_step": {"zh": plan.goal.highest, "en": plan.goal.highest},
            "cues": st.commitment_cues.model_dump(),
        },
        "lines": {kind: texts.model_dump() for kind, texts in st.lines.items()},
        "success": {
            "zh": [fill(t, **values) for t in st.success.zh],
            "en": [fill(t, **values) for t in st.success.en],
        },
    }
    return Scenario.model_validate(data)


def _fact(
    number: int, text: str, lang: Language, templates: PlanningTemplates, skip: tuple[str, ...] = ()
) -> dict[str, object]:
    st = templates.scenario
    question = asked(text, lang)
    examples = [fill(t, question=question) for t in st.fact_asked_by.get(lang)]
    parts = clauses(text)
    if len(parts) > 1:
        examples += [fill(st.fact_clause.get(lang), clause=asked(part, lang)) for part in parts]
    phrases = content_phrases(text, lang, skip, limit=3)
    examples += [fill(t, phrase=phrase) for phrase in phrases for t in st.fact_phrase.get(lang)]
    examples += typical_questions(text, lang, templates.types.facts, phrases[:2])
    return {
        "id": f"fact_{number}",
        "topic": {"zh": bare(text), "en": bare(text)},
        "asked_by": _both(examples),
        "reveal": _same(text),
        "recap": st.fact_recap.model_dump(),
    }


def _problem(
    number: int, text: str, lang: Language, templates: PlanningTemplates,
    implication: TextLists, need: TextLists, values: dict[str, str], skip: tuple[str, ...] = (),
) -> dict[str, object]:  # fmt: skip
    st = templates.scenario
    topic = topic_of(text, lang)
    # a one-clause difficulty would be said again in full by its consequences: leave it out there
    whole = len(topic) >= len(bare(text)) * 0.8
    said = {**values, "topic": "这个" if lang == "zh" else "this"} if whole else {**values, "topic": topic}

    def line(template: str) -> str:
        return fill(without_topic(template) if whole else template, **said)

    return {
        "id": f"problem_{number}",
        "topic": {"zh": bare(text), "en": bare(text)},
        # asked about by the whole difficulty (its first clause is for the client's own lines)
        "asked_by": _both(
            _problem_questions(text, topic if lang == "zh" else _lowered(bare(text)), lang, templates, skip)
        ),
        "reveal": _same(text),
        "implication": _both([line(t) for t in implication.get(lang)]),
        "need": _both([line(t) for t in need.get(lang)]),
        "recap": st.problem_recap.model_dump(),
    }


def _problem_questions(
    text: str, topic: str, lang: Language, templates: PlanningTemplates, skip: tuple[str, ...] = ()
) -> list[str]:
    """Problem questions about the difficulty, one about each of its clauses, and ones about the
    area of each of its content phrases (which do not presuppose the difficulty)."""
    st = templates.scenario
    questions = [fill(t, topic=topic) for t in st.problem_asked_by.get(lang)]
    parts = clauses(text) if lang == "zh" else [topic_of(p, lang) for p in clauses(text)]
    if len(parts) > 1:
        questions += [fill(st.problem_clause.get(lang), clause=part) for part in parts]
    phrases = content_phrases(text, lang, skip, limit=2)
    questions += [fill(t, phrase=phrase) for phrase in phrases for t in st.problem_phrase.get(lang)]
    return questions + typical_questions(text, lang, templates.types.problems, phrases[:2])


def typical_questions(
    text: str, lang: Language, types: dict[str, QuestionType], phrases: list[str] | None = None
) -> list[str]:
    """The usual questions of every type whose cue words occur in the text (cues of the text's
    language), in the text's language and then the other: one with ``{phrase}`` once per phrase
    of the text's own (in its language only), one without as it is."""
    lowered = text.lower()
    other: Language = "en" if lang == "zh" else "zh"
    matched = [kind for kind in types.values() if any(cue.lower() in lowered for cue in kind.cues.get(lang))]
    questions: list[str] = []
    for language in (lang, other):
        for kind in matched:
            for question in kind.questions.get(language):
                if "{phrase}" not in question:
                    questions += [question] if language == other or not kind.anchored else []
                elif language == lang:
                    questions += [fill(question, phrase=phrase) for phrase in phrases or []]
    return questions


def _lowered(sentence: str) -> str:
    """The sentence with its first letter lowered, unless it starts with an acronym or a name in capitals."""
    return sentence[:1].lower() + sentence[1:] if sentence[:2] != sentence[:2].upper() else sentence
