"""The stage machine of a rehearsal, built once with ``transitions`` and shared by every conversation.

A visit moves forward only: opening → situation → problem → implication → need-payoff → pitch →
objection → commitment → debrief. A move that would go backwards (a situation question during the
objection) leaves the stage where it is; ``advance`` reports whether the stage changed.
"""

from __future__ import annotations

import threading

from transitions import Machine, MachineError

from ..playbooks.coaching import STAGES
from .conversation import Conversation

SPIN_STAGES = ("situation", "problem", "implication", "need_payoff")


def _forward(dest: str) -> dict:
    earlier = STAGES[: STAGES.index(dest)]
    return {"trigger": f"to_{dest}", "source": list(earlier), "dest": dest}


TRANSITIONS = [
    *[_forward(stage) for stage in (*SPIN_STAGES, "pitch", "objection", "commitment")],
    {"trigger": "finish", "source": [s for s in STAGES if s != "debrief"], "dest": "debrief"},
    {"trigger": "restart", "source": list(STAGES), "dest": "opening"},
]


class StageMachine:
    """One ``Machine`` for all conversations: each is added as a model for the call, then removed."""

    def __init__(self) -> None:
        self._machine = Machine(
            model=None,
            states=list(STAGES),
            transitions=TRANSITIONS,
            initial="opening",
            auto_transitions=False,
        )
        self._lock = threading.Lock()  # the machine's model list is shared

    def advance(self, conversation: Conversation, trigger: str) -> bool:
        """Fire ``trigger`` on the conversation; False (state unchanged) when it is not allowed now."""
        with self._lock:
            self._machine.add_model(conversation, initial=conversation.state)
            try:
                return bool(conversation.trigger(trigger))  # type: ignore[attr-defined]
            except MachineError:
                return False
            finally:
                self._machine.remove_model(conversation)

    def allowed(self, state: str) -> list[str]:
        """The triggers that may fire from ``state`` (for hints and tests)."""
        return list(self._machine.get_triggers(state))
