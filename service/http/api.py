"""JSON API routes: search, ask, health."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from .deps import ServicesDep
from .schemas import (
    MAX_TEXT,
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
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_TEXT, description="Question or keywords.")],
    k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
) -> dict:
    result = await run_in_threadpool(services.search.search, q, k)
    return search_payload(result)


@router.post("/api/ask", response_model=AskResponse, summary="Ask a question, get a cited answer")
async def ask(services: ServicesDep, body: AskRequest) -> dict:
    answer = await run_in_threadpool(services.answerer.ask, body.question, body.lang)
    return asdict(answer)


@router.post("/api/classify", summary="Classify an utterance by SPIN, FABE or LSCPA")
async def classify(services: ServicesDep, body: ClassifyRequest) -> dict:
    result = await run_in_threadpool(services.analyser.classify, body.text, body.framework)
    return classification_payload(result)


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict:
    return {"status": "ok"}
