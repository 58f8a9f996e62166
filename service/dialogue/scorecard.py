"""The scorecard: binary checks with their evidence, question counts, talk ratio and a 0–100 score."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from ..playbooks.scenarios import Scenario
from ..text import Language
from .coach import Coach
from .conversation import Conversation
from .turn import CheckResult, LearnedUnit, Scorecard

SPIN_QUESTIONS = ("situation", "problem", "implication", "need_payoff")
Verdict = tuple[bool, dict[str, str]]  # passed, evidence per language


def _first(events: list[str], name: str) -> int | None:
    return next((i for i, event in enumerate(events) if event == name), None)


def _implication_before_pitch(events: list[str]) -> Verdict:
    pitch = _first(events, "pitch")
    before = events[:pitch] if pitch is not None else events
    count = before.count("question:implication")
    if pitch is None:
        return count >= 2, {
            "en": f"{count} implication question(s); no pitch made",
            "zh": f"问了 {count} 个暗示问题；没有介绍方案",
        }
    return count >= 2, {
        "en": f"{count} implication question(s) before the first pitch",
        "zh": f"第一次介绍方案前问了 {count} 个暗示问题",
    }


def _need_before_pitch(events: list[str]) -> Verdict:
    if "pitch" not in events:
        return False, {"en": "no pitch was made", "zh": "没有介绍方案"}
    early = events.count("pitch_before_need")
    return early == 0, {
        "en": f"{early} pitch(es) before the client voiced a need",
        "zh": f"客户说出需求前介绍了 {early} 次方案",
    }


def _benefits_tied(events: list[str]) -> Verdict:
    tied, untied = events.count("benefit_tied"), events.count("benefit_untied")
    if not tied and not untied:
        return True, {"en": "no benefit was claimed", "zh": "没有陈述利益"}
    return untied == 0, {
        "en": f"{tied} benefit(s) tied to a voiced need, {untied} not",
        "zh": f"{tied} 个利益对应了客户说出的需求，{untied} 个没有",
    }


def _clarify_before_present(events: list[str]) -> Verdict:
    if "objection_raised" not in events:
        return False, {"en": "the client's objection was never reached", "zh": "没有走到客户提出异议的阶段"}
    clarify, present = _first(events, "lscpa:clarify"), _first(events, "lscpa:present")
    argued = _first(events, "argued")
    if argued is not None and (clarify is None or argued < clarify):
        return False, {"en": "argued with the objection before clarifying it", "zh": "还没澄清异议就开始反驳"}
    if clarify is None:
        return False, {"en": "the objection was never clarified", "zh": "没有澄清异议"}
    if present is not None and present < clarify:
        return False, {
            "en": "answered the objection before clarifying it",
            "zh": "还没澄清异议就开始提出方案",
        }
    return True, {"en": "clarified the objection before answering it", "zh": "先澄清了异议，再提出方案"}


def _asked_commitment(events: list[str]) -> Verdict:
    if events.count("asked_commitment"):
        return True, {"en": "asked for a concrete next step", "zh": "提出了具体的下一步"}
    return False, {"en": "never asked for a concrete next step", "zh": "没有提出具体的下一步"}


def _no_competitor_attack(events: list[str]) -> Verdict:
    attacks = events.count("competitor_attack")
    return attacks == 0, {
        "en": f"{attacks} remark(s) running down a competitor",
        "zh": f"{attacks} 次贬低竞争对手",
    }


def _no_boss_question(events: list[str]) -> Verdict:
    asked = events.count("who_is_boss")
    return asked == 0, {"en": f"asked who the boss is {asked} time(s)", "zh": f"问了 {asked} 次谁是老板"}


CHECKS: dict[str, Callable[[list[str]], Verdict]] = {
    "implication_before_pitch": _implication_before_pitch,
    "need_before_pitch": _need_before_pitch,
    "benefits_tied": _benefits_tied,
    "clarify_before_present": _clarify_before_present,
    "asked_commitment": _asked_commitment,
    "no_competitor_attack": _no_competitor_attack,
    "no_boss_question": _no_boss_question,
}


def judge(
    events: list[str], language: Language, coach: Coach, role: str | None, skip: Iterable[str] = ()
) -> list[CheckResult]:
    """The playbook's binary checks over an event list (a rehearsal's or a reviewed visit's): each
    with its evidence; a miss says what to do instead, cites the handbook and links its drill.
    Checks for another CUTE role than ``role`` (or for any role, when ``role`` is None) are left out."""
    drills = {drill.id: drill for drill in coach.coaching.drills}
    results = []
    for check in coach.coaching.checks:
        if check.id in skip or (check.only_for and check.only_for != role):
            continue
        passed, evidence = CHECKS[check.id](events)
        drill = drills[check.drill] if check.drill and not passed else None
        results.append(
            CheckResult(
                id=check.id,
                name=check.name.get(language),
                passed=passed,
                evidence=evidence[language],
                advice=None if passed else check.advice.get(language),
                citations=[] if passed else coach.check_citations(check.id),
                drill=drill.id if drill else None,
                drill_framework=drill.framework if drill else None,
                practise=f"/?lang={language}&drill={drill.framework}" if drill else None,
            )
        )
    return results


def build_scorecard(conversation: Conversation, scenario: Scenario, coach: Coach) -> Scorecard:
    """Score a rehearsal from its transcript; every missed check says what to do instead, with a citation."""
    language = conversation.language
    events = conversation.events()
    results = judge(events, language, coach, scenario.persona.cute_role)
    turns = conversation.salesperson_turns()
    counts = Counter(e.split(":", 1)[1] for e in events if e.startswith("question:"))
    mine = sum(len(t.text) for t in turns)
    total = mine + sum(len(t.text) for t in conversation.transcript if t.role == "client")
    learned, missed = learned_and_missed(conversation, scenario)
    return Scorecard(
        score=round(100 * sum(r.passed for r in results) / len(results)) if results else 0,
        checks=results,
        question_counts={label: counts.get(label, 0) for label in SPIN_QUESTIONS},
        talk_ratio=round(mine / total, 3) if total else 0.0,
        turns=len(turns),
        language=language,
        learned=learned,
        missed=missed,
    )


# the kind of question that uncovers each kind of unit
FINDS = {"fact": "situation", "problem": "problem", "implication": "implication", "need": "need_payoff"}


def learned_and_missed(
    conversation: Conversation, scenario: Scenario
) -> tuple[list[LearnedUnit], list[LearnedUnit]]:
    """What the client told, in order, and what was never found out — each with the question that
    would have found it. A difficulty never admitted is one miss (its consequences and need follow it)."""
    language = conversation.language
    learned = [LearnedUnit(kind=i["kind"], id=i["id"], text=i["text"]) for i in conversation.revealed]
    missed = [
        LearnedUnit(kind="fact", id=f.id, text=_headline(f.topic.get(language)), question=FINDS["fact"])
        for f in scenario.facts
        if f.id not in conversation.facts
    ]
    for problem in scenario.problems:
        kinds = ("implication", "need") if problem.id in conversation.problems else ("problem",)
        missed += [
            LearnedUnit(
                kind=kind, id=problem.id, text=_headline(problem.topic.get(language)), question=FINDS[kind]
            )
            for kind in kinds
            if problem.id not in conversation.told_list(kind)
        ]
    return learned, missed


def _headline(topic: str) -> str:
    """A topic's head ("the project's deadlines: the milestones …" → "the project's deadlines")."""
    head = re.split(r"[:：]", topic, maxsplit=1)[0].strip()
    return head or topic
