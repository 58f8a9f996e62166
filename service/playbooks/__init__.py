"""Playbooks: validated YAML data that drives coaching and utterance analysis."""

from .frameworks import (
    COMMAND_LABELS,
    FRAMEWORK_LABELS,
    FRAMEWORK_NAMES,
    MOVE_LABELS,
    Framework,
    Frameworks,
    MovesPlaybook,
    load_frameworks,
)

__all__ = [
    "COMMAND_LABELS",
    "FRAMEWORK_LABELS",
    "FRAMEWORK_NAMES",
    "MOVE_LABELS",
    "Framework",
    "Frameworks",
    "MovesPlaybook",
    "load_frameworks",
]
