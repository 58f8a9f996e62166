"""The coach in a messenger: text commands, sessions keyed by platform/tenant/conversation/user, and
replies as platform-neutral ``BotReply``s (the adapters format them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..dialogue.turn import CitationData, TurnReply
from ..errors import SalesCoachError
from ..retrieval.answer import Citation as AnswerCitation
from ..review.render import summary
from ..reviews import ReviewService
from ..sessions import SessionService
from ..terminal import render_turn
from ..text import Language, detect_language
from .base import BotReply, Citation, InboundMessage

if TYPE_CHECKING:
    from ..plans import PlanService

MAX_CITATIONS = 3
_COMMAND = re.compile(
    r"^\s*/?(?P<verb>help|帮助|ask|问|rehearse|演练|drill|练习|score|评分|quit|结束|scenarios|场景|review|复盘|plan|计划)(?:\b|(?<=复盘))[\s:：]*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_VERBS = {
    "help": "help", "帮助": "help", "ask": "ask", "问": "ask", "rehearse": "rehearse", "演练": "rehearse",
    "drill": "drill", "练习": "drill", "score": "score", "评分": "score", "quit": "quit", "结束": "quit",
    "scenarios": "scenarios", "场景": "scenarios", "review": "review", "复盘": "review",
    "plan": "plan", "计划": "plan",
}  # fmt: skip
# "演练计划" has no word boundary after 演练: read as "rehearse plan"
_REHEARSE_PLAN = re.compile(
    r"^\s*/?(rehearse\s+(the\s+)?plan|演练\s*计划)\b\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)
PLAN_WORDS = ("plan", "计划")

HELP = {
    "zh": (
        "我是销售教练。可以这样用：\n"
        "• 问 <问题>：查手册，例如“问 如何接近技术把关者”\n"
        "• 演练 <场景> [容易|困难]：和我扮演的客户演练一次拜访（“场景”列出全部）\n"
        "• 练习 spin|lscpa|fabe：单项练习\n"
        "• 计划：一步步准备明天的拜访（销售拜访计划表）；演练计划：演练这次拜访\n"
        "• 评分：查看当前演练的评分；结束：结束当前演练\n"
        "• 复盘 <粘贴拜访记录>：复盘一次真实拜访（每行“姓名：说的话”）\n"
        "演练或练习中，直接说话即可。"
    ),
    "en": (
        "I'm your sales coach. Try:\n"
        '• ask <question>: search the handbooks, e.g. "ask how do I approach a technical gatekeeper"\n'
        '• rehearse <scenario> [easy|hard]: rehearse a visit with me as the client ("scenarios" lists them)\n'
        "• drill spin|lscpa|fabe: practise one framework\n"
        "• plan: prepare tomorrow's visit step by step; rehearse plan: rehearse that visit\n"
        "• score: the scorecard so far; quit: end the rehearsal\n"
        "• review <pasted transcript>: review a real visit (one 'Name: what they said' per line)\n"
        "During a rehearsal or drill, just talk."
    ),
}


@dataclass
class MessengerChat:
    sessions: SessionService
    web_base: str
    reviews: ReviewService | None = None
    plans: PlanService | None = None

    def handle(self, message: InboundMessage) -> BotReply:
        """Answer one messenger message; domain errors become a friendly message, never a crash."""
        language = detect_language(message.text) if message.text else "zh"
        try:
            return self._handle(message, language)
        except SalesCoachError as error:
            prefix = "没办法处理这条消息：" if language == "zh" else "I couldn't do that: "
            return BotReply(prefix + str(error))

    def _handle(self, message: InboundMessage, language: Language) -> BotReply:
        rehearse_plan = _REHEARSE_PLAN.match(message.text)
        if rehearse_plan and self.plans is not None:
            _, difficulty = _scenario_and_difficulty("x " + rehearse_plan.group("rest"))
            started = self.plans.rehearse_latest(message.session_key, language, difficulty)
            if started is None:
                none = (
                    "还没有计划，先输入“计划”做一份。"
                    if language == "zh"
                    else 'No plan yet: type "plan" to make one.'
                )
                return BotReply(none)
            return self._render(started[1])
        match = _COMMAND.match(message.text)
        verb = _VERBS[match.group("verb").lower()] if match else None
        rest = match.group("rest").strip() if match else message.text.strip()
        active = self.sessions.store.find_by_channel_key(message.session_key)
        if verb is None and active is not None:
            return self._render(self._post(active.id, rest))
        if verb in (None, "ask"):
            if not rest:
                return BotReply(HELP[language])
            return self._answer(rest)
        if verb == "help":
            return BotReply(HELP[language])
        if verb == "review":
            return self._review(rest, language)
        if verb == "scenarios":
            return BotReply(self._scenarios(language))
        if verb == "plan":  # replaces the session in progress, like rehearse
            _, payload = self.sessions.start("plan", language, channel_key=message.session_key)
            return self._render(payload)
        if verb in ("rehearse", "drill"):  # replaces the one in progress (its transcript stays)
            scenario, difficulty = _scenario_and_difficulty(rest) if verb == "rehearse" else (None, None)
            _, payload = self.sessions.start(
                "rehearsal" if verb == "rehearse" else "drill", language,
                scenario=scenario, framework=rest.lower() or None if verb == "drill" else None,
                channel_key=message.session_key, difficulty=difficulty,
            )  # fmt: skip
            return self._render(payload)
        if active is None:
            none = "现在没有进行中的演练。" if language == "zh" else "There is no rehearsal in progress."
            return BotReply(f"{none}\n\n{HELP[language]}")
        return self._render(self._post(active.id, "score" if verb == "score" else "quit"))

    def _review(self, transcript: str, language: Language) -> BotReply:
        """``review``/``复盘`` then the pasted visit: the metrics and what to work on, cited."""
        if not transcript or self.reviews is None:
            return BotReply(HELP[language])
        review = self.reviews.create(transcript)
        citations = [CitationData(**c) for check in review["scorecard"]["checks"] for c in check["citations"]]
        unique = list({c.passage_id: c for c in citations}.values())
        return BotReply(summary(review), [self._citation(c, review["lang"]) for c in unique][:MAX_CITATIONS])

    def _post(self, session_id: str, text: str) -> dict:
        return self.sessions.post(session_id, text)

    def _answer(self, question: str) -> BotReply:
        answer = self.sessions.services.answerer.ask(question)
        return BotReply(
            answer.answer, [self._citation(c, answer.language) for c in answer.citations][:MAX_CITATIONS]
        )

    def _scenarios(self, language: Language) -> str:
        scenarios = [*self.sessions.services.rehearsal.scenarios.values(),
                     *(self.plans.custom_scenarios() if self.plans is not None else [])]  # fmt: skip
        lines = [f"• {s.id}: {s.title.get(language)}" for s in scenarios]
        head = "可演练的场景（演练 <场景>）：" if language == "zh" else "Scenarios (rehearse <scenario>):"
        return "\n".join([head, *lines])

    def _render(self, payload: dict) -> BotReply:
        reply = _turn_reply(payload)
        citations = reply.coach.citations if reply.coach else []
        return BotReply(
            render_turn(reply, citations=False),
            [self._citation(c, reply.language) for c in citations][:MAX_CITATIONS],
        )

    def _citation(self, cited: CitationData | AnswerCitation, language: Language) -> Citation:
        """A link to the passage's page, named in the reader's language (English beside the Chinese)."""
        english = language == "en" and cited.doc_en
        return Citation(
            doc=cited.doc_en if english else cited.doc,
            section=(cited.section_en or cited.section) if english else cited.section,
            link=f"{self.web_base.rstrip('/')}/passages/{cited.passage_id}{'?lang=en' if language == 'en' else ''}",
        )


DIFFICULTY_WORDS = {"easy": "easy", "容易": "easy", "简单": "easy", "normal": "normal", "普通": "normal",
                    "hard": "hard", "困难": "hard", "难": "hard"}  # fmt: skip


def _scenario_and_difficulty(rest: str) -> tuple[str | None, str | None]:
    """``rehearse SCENARIO [easy|normal|hard]`` (or 容易/普通/困难)."""
    words = rest.split()
    if words and words[-1].lower() in DIFFICULTY_WORDS:
        return (" ".join(words[:-1]) or None), DIFFICULTY_WORDS[words[-1].lower()]
    return rest or None, None


def _turn_reply(payload: dict) -> TurnReply:
    """Rebuild the reply dataclass from its stored dict (the sessions API returns plain data)."""
    from ..dialogue.turn import CheckResult, CoachNote, LearnedUnit, Scorecard

    coach = payload.get("coach")
    note = CoachNote(coach["text"], [CitationData(**c) for c in coach["citations"]]) if coach else None
    card = payload.get("scorecard")
    scorecard = None
    if card:
        checks = [
            CheckResult(**{**c, "citations": [CitationData(**x) for x in c["citations"]]})
            for c in card["checks"]
        ]
        units = {key: [LearnedUnit(**u) for u in card.get(key, [])] for key in ("learned", "missed")}
        scorecard = Scorecard(**{**card, "checks": checks, **units})
    fields = {k: v for k, v in payload.items() if k not in ("coach", "scorecard", "revealed")}
    revealed = [LearnedUnit(**u) for u in payload.get("revealed", [])]
    return TurnReply(**fields, coach=note, scorecard=scorecard, revealed=revealed)
