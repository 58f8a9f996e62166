"""Playbooks: validated YAML data that drives coaching and utterance analysis."""

from .frameworks import (
    COMMAND_LABELS,
    MOVE_LABELS,
    Framework,
    Frameworks,
    MovesPlaybook,
    load_frameworks,
)

__all__ = [
    "COMMAND_LABELS",
    "MOVE_LABELS",
    "Framework",
    "Frameworks",
    "MovesPlaybook",
    "load_frameworks",
]
