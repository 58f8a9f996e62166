"""Request and response shapes of the JSON API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..dialogue.analyser import Classification
from ..retrieval.searcher import SearchResult

MAX_TEXT = 2000


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_TEXT, description="A question in Chinese or English.")
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

    text: str = Field(min_length=1, max_length=MAX_TEXT, description="What the salesperson said.")
    framework: Literal["spin", "fabe", "lscpa"] = Field(description="Which method to judge it by.")


def classification_payload(result: Classification) -> dict:
    """``{"framework", "label"}`` (spin, lscpa) or ``{"framework", "labels"}`` (fabe), with scores."""
    payload: dict = {"framework": result.framework}
    if result.framework == "fabe":
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
