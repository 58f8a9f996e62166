"""JSON API routes: search, ask, health."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request

from .deps import ServicesDep, TextRulesDep, in_domain
from .schemas import (
    TEXT_RULES,
    AskRequest,
    AskResponse,
    ClassifyRequest,
    SearchResponse,
    classification_payload,
    search_payload,
)

router = APIRouter()


@router.get("/api/search", response_model=SearchResponse, summary="Search the handbooks")
async def search(
    request: Request,
    services: ServicesDep,
    limit: TextRulesDep,
    q: Annotated[str, Query(min_length=1, description="Question or keywords.", json_schema_extra=TEXT_RULES)],
    k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
) -> dict:
    result = await in_domain(request, services.search.search, limit.check(q, "query", "q"), k)
    return search_payload(result)


@router.post("/api/ask", response_model=AskResponse, summary="Ask a question, get a cited answer")
async def ask(request: Request, services: ServicesDep, limit: TextRulesDep, body: AskRequest) -> dict:
    question = limit.check(body.question, "body", "question")
    answer = await in_domain(request, services.answerer.ask, question, body.lang)
    return asdict(answer)


@router.post("/api/classify", summary="Classify an utterance by SPIN, FABE or LSCPA")
async def classify(
    request: Request, services: ServicesDep, limit: TextRulesDep, body: ClassifyRequest
) -> dict:
    text = limit.check(body.text, "body", "text")
    result = await in_domain(request, services.analyser.classify, text, body.framework)
    return classification_payload(result)


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict:
    return {"status": "ok"}
