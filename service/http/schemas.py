"""Request and response shapes of the JSON API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from ..dialogue.analyser import Classification
from ..retrieval.searcher import SearchResult

# A text must hold something besides whitespace and NUL (which the store drops, see text.clean_text).
VISIBLE = r"[^\s\x00]"
# Text fields carry this instead of a fixed maxLength: the app states SALESCOACH_MAX_QUERY_CHARS there
# (openapi.py) and checks both rules on the text as sent (deps.TextRules): one number, from the settings.
TEXT_RULES: JsonDict = {"x-limit": "max_query_chars", "pattern": VISIBLE}
# The built-in scenario ids come from the playbooks; stored ones (custom, from plans) are added at run
# time, so the app states the built-in ids as the field's examples, not an enum (openapi.py).
SCENARIOS: JsonDict = {"x-examples": "scenarios", "pattern": r"^[a-z][a-z0-9_]*$"}
# ... and so do the frameworks (the ones with drills; every one the analyser knows for /api/classify).
DRILLS: JsonDict = {"x-enum": "drills"}
FRAMEWORKS: JsonDict = {"x-enum": "frameworks"}


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, description="A question in Chinese or English.", json_schema_extra=TEXT_RULES
    )
    lang: Literal["zh", "en"] | None = Field(None, description="Answer language; default: the question's.")


class CitationOut(BaseModel):
    text: str = Field(description="The passage in the original Chinese.")
    doc: str
    section: str
    doc_id: str
    passage_id: str
    text_en: str = Field(description="The same passage in English (the aligned translation).")
    doc_en: str
    section_en: str


class AskResponse(BaseModel):
    answer: str
    language: Literal["zh", "en"]
    found: bool
    citations: list[CitationOut]
    card: str | None = Field(None, description="The coaching card the answer came from, if any.")


class SearchHit(BaseModel):
    text: str = Field(description="The passage in the original Chinese.")
    doc: str
    section: str
    score: float
    doc_id: str
    passage_id: str
    start: int = Field(description="Character offsets of `text` in the cleaned handbook.")
    end: int
    text_en: str = Field(description="The same passage in English (the aligned translation).")
    doc_en: str
    section_en: str


class SearchResponse(BaseModel):
    query: str
    language: Literal["zh", "en"]
    expansion: list[str]
    results: list[SearchHit]


def search_payload(result: SearchResult) -> dict:
    """The search JSON shared by the CLI (``--json``) and ``GET /api/search``."""
    return {
        "query": result.query,
        "language": result.language,
        "expansion": list(result.expansion.chinese),
        "results": [
            {
                "text": hit.passage.text,
                "doc": hit.passage.doc_title,
                "section": hit.passage.section,
                "score": hit.score,
                "doc_id": hit.passage.doc_id,
                "passage_id": hit.passage.id,
                "start": hit.passage.start,
                "end": hit.passage.end,
                "text_en": hit.passage.text_en,
                "doc_en": hit.passage.doc_title_en,
                "section_en": hit.passage.section_en,
            }
            for hit in result.hits
        ],
    }


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="What the salesperson said.", json_schema_extra=TEXT_RULES)
    framework: str = Field(
        description="Which method to judge it by (spin, fabe, lscpa …).", json_schema_extra=FRAMEWORKS
    )


def classification_payload(result: Classification) -> dict:
    """``{"framework", "label"}`` (spin, lscpa) or ``{"framework", "labels"}`` (fabe), with scores."""
    payload: dict = {"framework": result.framework}
    if result.label is None:  # a multi-label framework
        payload["labels"] = list(result.labels)
    else:
        payload["label"] = result.label
        payload["labels"] = list(result.labels)
    payload.update(
        scores={label: round(score, 4) for label, score in result.scores.items()},
        confidence=round(result.confidence, 4),
        unsure=result.unsure,
        language=result.language,
    )
    return payload
