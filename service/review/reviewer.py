"""Reviewing a real visit: every turn tagged, the metrics, and the rehearsal's scorecard checks.

One embedding batch for all the turns; each salesperson turn is analysed like a rehearsal turn,
with the context of the client's turn before it (a follow-up right after a difficulty was voiced
is an implication question); each client turn is marked (difficulty, consequence, need, objection,
agreement). The event list the rehearsal's scorecard is computed from is built from these tags,
so the same checks judge the visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..dialogue.analyser import Analysis, AnalysisContext, UtteranceAnalyser
from ..dialogue.coach import Coach
from ..dialogue.rules import FORWARD_MOVES, matches
from ..dialogue.scorecard import judge
from ..dialogue.turn import CheckResult
from ..errors import InvalidInput
from ..playbooks.review import ReviewPlaybook
from ..text import MAX_FOCUS_TOKENS, Language, asked_part, detect_language, focus
from . import metrics as metrics_
from .marks import ClientMarker, any_match, matcher
from .model import Review, ReviewedTurn
from .transcript import Limits, Utterance, detect, parse

# what a client turn's mark tells the analyser about the next question (AnalysisContext.after)
AFTER = {"consequence": "implication", "difficulty": "problem", "need": "need"}
QUOTE_CHARS = 80
# A salesperson turn is embedded like a rehearsal message (its focus); a client turn only needs
# what it voices, which its first sentences say: a shorter focus halves the cost of long answers.
CLIENT_FOCUS_TOKENS = 32
EMBED_BATCH = 16  # turns per embedding call (sorted by length)


@dataclass
class _Visit:
    """Where the visit is while its turns are read in order."""

    language: Language
    after: str | None = None  # the kind of unit the client voiced last
    voiced: list[np.ndarray] = field(default_factory=list)  # client turns voicing a difficulty or need
    need_voiced: bool = False
    objection_open: bool = False
    objection_steps: list[str] = field(default_factory=list)
    # a concrete next step is on the table (the salesperson's, or the client's other time)
    proposal: bool = False
    proposal_questioned: bool = False  # the client asked about it rather than answering
    countered: bool = False  # the client's last turn offered another time for it
    asked_need: bool = False  # the salesperson's last turn was a need-payoff question
    next_step_agreed: bool = False
    events: list[tuple[int, str]] = field(default_factory=list)


class Reviewer:
    def __init__(
        self, analyser: UtteranceAnalyser, coach: Coach, playbook: ReviewPlaybook, limits: Limits
    ) -> None:
        self.analyser = analyser
        self.coach = coach
        self.playbook = playbook
        self.limits = limits
        self.marker = ClientMarker(playbook, analyser.memo)
        cues = playbook.next_step
        self._time, self._people = matcher(cues.time), matcher(cues.people)
        self._action, self._refusal = matcher(cues.action), matcher(cues.refusal)
        self._agree = matcher(playbook.marks.agreement.cues)
        self._contrast = matcher(cues.contrast)
        self._counter, self._confirm = matcher(cues.counter), matcher(cues.confirm)
        self._seller = matcher(playbook.salesperson_cues)
        self._mistakes = {
            name: m.cues for name, m in coach.coaching.mistakes.items() if not m.only_for
        }  # a mistake for one CUTE role only cannot be judged without the client's role

    def warm_up(self) -> None:
        self.analyser.warm_up()
        self.marker.warm_up()

    def review(
        self,
        transcript: bytes | str,
        fmt: str = "auto",
        salesperson: str | None = None,
        lang: str | None = None,
    ) -> Review:
        """Review one transcript; raises ``InvalidInput`` with the reason for anything unreadable."""
        if lang not in (None, "zh", "en"):
            raise InvalidInput(f"unknown language {lang!r}: use zh or en")
        utterances = parse(transcript, fmt, self.limits)
        chosen = (
            detect(transcript if isinstance(transcript, str) else transcript.decode("utf-8-sig"))
            if fmt == "auto"
            else fmt
        )
        language: Language = lang or detect_language(" ".join(u.text for u in utterances)[:4000])  # type: ignore[assignment]
        speakers = list(dict.fromkeys(u.speaker for u in utterances))
        me, inferred = self._salesperson(utterances, speakers, salesperson)
        self.warm_up()
        limits = [MAX_FOCUS_TOKENS if u.speaker == me else CLIENT_FOCUS_TOKENS for u in utterances]
        vectors = self._embed([u.text for u in utterances], limits)
        visit = _Visit(language=language)
        turns = [
            self._salesperson_turn(index, u, vectors[index], visit)
            if u.speaker == me
            else self._client_turn(index, u, vectors[index], visit)
            for index, u in enumerate(utterances)
        ]
        names = [name for _, name in visit.events]
        checks = judge(names, language, self.coach, role=None, skip=self.playbook.skip_checks)
        return Review(
            language=language, salesperson=me, salesperson_inferred=inferred, speakers=speakers,
            format=chosen, turns=turns, metrics=metrics_.compute(turns, names, visit.next_step_agreed),
            checks=[self._quoted(check, turns, visit.events, language) for check in checks],
        )  # fmt: skip

    # -- who is who ---------------------------------------------------------------------------------
    def _salesperson(
        self, utterances: list[Utterance], speakers: list[str], named: str | None
    ) -> tuple[str, bool]:
        if named is not None and named.strip():
            wanted = named.strip().casefold()
            found = next((s for s in speakers if s.casefold() == wanted), None)
            if found is None:
                raise InvalidInput(
                    f"no speaker {named.strip()!r} in the transcript; its speakers are: {', '.join(speakers)}"
                )
            return found, False
        votes = {speaker: 0 for speaker in speakers}
        for u in utterances:
            language = detect_language(u.text)
            votes[u.speaker] += self.analyser.questions.is_question(u.text, language)
            votes[u.speaker] += any_match(self._seller, u.text, language)
        return max(speakers, key=lambda s: votes[s]), True  # ties: who spoke first

    def _embed(self, texts: list[str], limits: Sequence[float]) -> np.ndarray:
        """Every turn's embedding (of its focus, at most ``limits[i]`` tokens), in batches of turns of
        similar length: a batch is padded to its longest text, so mixing lengths wastes the model's time."""
        focused = [focus(t[: self.analyser.max_chars], limit) for t, limit in zip(texts, limits, strict=True)]
        distinct = sorted(set(focused), key=len)  # "好的。" and "Okay." are said many times, embedded once
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(distinct), EMBED_BATCH):
            chunk = distinct[start : start + EMBED_BATCH]
            found.update(zip(chunk, self.analyser.embedder.embed_queries(chunk), strict=True))
        return np.vstack([found[text] for text in focused])

    # -- one turn -----------------------------------------------------------------------------------
    def _client_turn(self, index: int, u: Utterance, vector: np.ndarray, visit: _Visit) -> ReviewedTurn:
        language = detect_language(u.text) if len(u.text) > 3 else visit.language
        marks = self.marker.marks(vector, u.text, language)
        asking = self.analyser.questions.is_question(u.text, language)
        # "周三不行，周四下午可以吗？": another time offered back is not a refusal of the step
        countered = visit.proposal and self._offers_time(u.text, language)
        refused = any_match(self._refusal, u.text, language) and not countered
        if "objection" in marks and any_match(self._contrast, u.text, language):
            refused = True  # "sounds good, but …": the reservation counts, not the politeness
        agreed = ("agreement" in marks or any_match(self._agree, u.text, language)) and not refused
        if visit.proposal_questioned and not (
            any_match(self._time, u.text, language) or any_match(self._confirm, u.text, language)
        ):
            agreed = False  # "Okay, thanks." to "I'll email it today" accepts the email, not the step
        if agreed and "objection" in marks:
            marks.remove("objection")
        if refused and "agreement" in marks:
            marks.remove("agreement")
        if visit.asked_need and not refused and "objection" not in marks and "need" not in marks:
            marks.append("need")  # a need-payoff question answered: the client has put the value in words
        if agreed and "agreement" not in marks:
            marks.append("agreement")
        events = [f"client:{mark}" for mark in marks]
        if visit.proposal and agreed and not countered:
            visit.next_step_agreed = True
            events.append("next_step_agreed")
        # a question about the proposal ("how long will it take?") leaves it open for the answer
        visit.proposal_questioned = visit.proposal and asking and not (agreed or refused or countered)
        visit.proposal = visit.proposal_questioned or countered
        visit.countered = countered
        if "objection" in marks and not visit.objection_open:
            visit.objection_open = True
            events.append("objection_raised")
        elif visit.objection_open and agreed and "present" in visit.objection_steps:
            visit.objection_open = False
            events.append("objection_settled")
        if any(m in marks for m in ("difficulty", "need", "consequence")):
            visit.voiced.append(vector)
        visit.need_voiced = visit.need_voiced or "need" in marks
        kinds = [AFTER[m] for m in ("need", "consequence", "difficulty") if m in marks]
        visit.after = kinds[0] if kinds else None
        visit.events += [(index, e) for e in events]
        return ReviewedTurn(
            speaker=u.speaker, role="client", text=u.text, start=u.start, end=u.end,
            analysis={"language": language, "is_question": asking, "marks": marks},
            events=events, objection_open=visit.objection_open,
        )  # fmt: skip

    def _salesperson_turn(self, index: int, u: Utterance, vector: np.ndarray, visit: _Visit) -> ReviewedTurn:
        after = visit.after
        context = AnalysisContext(after=after, about="admitted_problem" if after else None)
        analysis = self._by_question(
            self.analyser.analyse(u.text[: self.analyser.max_chars], context, vector), context
        )
        language = analysis.language if len(u.text.strip()) > 3 else visit.language
        events = [
            name
            for name, cues in self._mistakes.items()
            if self._mistaken(name, cues, analysis.is_question, u.text, language, visit)
        ]
        if "arguing" in events:
            events = [e for e in events if e != "arguing"] + ["lscpa:present", "argued"]
            visit.objection_steps.append("present")
        concrete = self._concrete(u.text, language)
        asking = (
            analysis.move.label == "ask_commitment"
            or analysis.is_question
            or (visit.objection_open and analysis.lscpa.label == "ask")
        )
        if concrete and asking:
            events.append("asked_commitment")
        elif "argued" in events:
            pass
        elif visit.objection_open:
            step = analysis.lscpa.label or "listen"
            if analysis.is_question and step in ("listen", "share"):
                step = "clarify"  # a question while the objection is open asks what is behind it
            visit.objection_steps.append(step)
            events.append(f"lscpa:{step}")
            if step == "present" and "clarify" not in visit.objection_steps[:-1]:
                events.append("argued")
        elif analysis.is_question and analysis.spin.label in metrics_.LETTERS:
            events.append(f"question:{analysis.spin.label}")
        elif self._is_pitch(analysis, visit):
            events += self._pitch(u.text, analysis, vector, visit)
        if visit.countered and any_match(self._agree, u.text, language) and not visit.next_step_agreed:
            visit.next_step_agreed = True  # the client's other time, taken
            events.append("next_step_agreed")
        visit.proposal = concrete or (visit.proposal and not analysis.is_question)
        visit.countered = False
        visit.asked_need = "question:need_payoff" in events
        visit.after = None
        visit.events += [(index, e) for e in events]
        data = analysis.as_dict()
        if not visit.objection_open:
            data["lscpa"] = None
        return ReviewedTurn(
            speaker=u.speaker, role="salesperson", text=u.text, start=u.start, end=u.end,
            analysis=data, events=events, objection_open=visit.objection_open,
        )  # fmt: skip

    def _mistaken(
        self, name: str, cues, is_question: bool, text: str, language: Language, visit: _Visit
    ) -> bool:  # type: ignore[no-untyped-def]
        if name == "arguing" and (not visit.objection_open or "clarify" in visit.objection_steps):
            return False
        if name == "leading_question" and (visit.objection_open or not is_question):
            return False
        return matches(cues, language, text)

    def _by_question(self, analysis: Analysis, context: AnalysisContext) -> Analysis:
        """A turn that says something and then asks ("所以好多学校都换我们了。咱们学校现在是自己办食堂吧？")
        is a question of the kind its question sentences are, when the whole turn reads as no SPIN
        question or an unsure one: those sentences are embedded on their own (a few turns a visit)."""
        spin = analysis.spin
        asked = asked_part(analysis.text)
        if not analysis.is_question or asked == analysis.text or (spin.label != "other" and not spin.unsure):
            return analysis
        vector = self.analyser.embed(asked)
        spin = self.analyser.scorers["spin"].score(vector, asked, detect_language(asked), True, context)
        return replace(analysis, by_framework={**analysis.by_framework, "spin": spin})

    def _offers_time(self, text: str, language: Language) -> bool:
        return any_match(self._counter, text, language) and any_match(self._time, text, language)

    def _concrete(self, text: str, language: Language) -> bool:
        """A concrete next step: a time, and an action or the people."""
        return any_match(self._time, text, language) and (
            any_match(self._action, text, language) or any_match(self._people, text, language)
        )

    @staticmethod
    def _is_pitch(analysis, visit: _Visit) -> bool:  # type: ignore[no-untyped-def]
        """The rehearsal's test; and once the client has voiced a difficulty, "what we do is …" is a
        pitch even when it reads like a positioning statement (the opening is over)."""
        opening = FORWARD_MOVES if not visit.voiced else {"greeting", "small_talk"}
        return analysis.move.label == "pitch" or (
            not analysis.is_question
            and analysis.fabe.confidence >= 0.5
            and analysis.move.label not in opening
        )

    def _pitch(self, text: str, analysis, vector: np.ndarray, visit: _Visit) -> list[str]:  # type: ignore[no-untyped-def]
        events = ["pitch"]
        if not visit.need_voiced:
            return [*events, "pitch_before_need"]
        labels = set(analysis.fabe.labels)
        if not {"benefit", "evidence"} <= labels:  # what the whole text lacks may sit in one clause
            labels = self.analyser.elements(text[: self.analyser.max_chars], analysis.fabe)
        if "benefit" in labels:
            closest = max((float(v @ vector) for v in visit.voiced), default=0.0)
            tied = closest >= self.playbook.analyser.benefit_tie_similarity[visit.language]
            events.append("benefit_tied" if tied else "benefit_untied")
        if "evidence" in labels:
            events.append("evidence")
        return events

    # -- evidence -------------------------------------------------------------------------------------
    def _quoted(
        self, check: CheckResult, turns: list[ReviewedTurn], events: list[tuple[int, str]], language: Language
    ) -> CheckResult:
        """The check's evidence with the turn it rests on quoted (its index in ``turn``)."""
        wanted = self.playbook.evidence_events.get(check.id, [])
        index = next((i for name in wanted for i, e in events if e == name), None)
        if index is None:
            return check
        quote = " ".join(turns[index].text.split())
        quote = quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1] + "…"
        speaker = turns[index].speaker
        said = f"（{speaker}：「{quote}」）" if language == "zh" else f' ({speaker}: "{quote}")'
        return replace(check, evidence=f"{check.evidence}{said}", turn=index)
