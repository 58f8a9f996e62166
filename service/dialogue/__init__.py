"""Dialogue analysis: classify trainee utterances with SPIN, FABE, LSCPA and conversational moves."""

from .analyser import Analysis, Classification, UtteranceAnalyser
from .evaluation import UtteranceReport, evaluate_utterances, format_report

__all__ = [
    "Analysis",
    "Classification",
    "UtteranceAnalyser",
    "UtteranceReport",
    "evaluate_utterances",
    "format_report",
]
