"""Request and response shapes of the JSON API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..retrieval.searcher import SearchResult

MAX_TEXT = 2000


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_TEXT, description="A question in Chinese or English.")
    lang: Literal["zh", "en"] | None = Field(None, description="Answer language; default: the question's.")


class CitationOut(BaseModel):
    text: str
    doc: str
    section: str
    doc_id: str
    passage_id: str


class AskResponse(BaseModel):
    answer: str
    language: Literal["zh", "en"]
    found: bool
    citations: list[CitationOut]


class SearchHit(BaseModel):
    text: str
    doc: str
    section: str
    score: float
    doc_id: str
    passage_id: str
    start: int
    end: int


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
            }
            for hit in result.hits
        ],
    }
