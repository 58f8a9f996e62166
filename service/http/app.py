"""The FastAPI application factory. Nothing heavy happens at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import anyio
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..channels.chat import MessengerChat
from ..channels.outbound import OutboundClient
from ..channels.registry import build_registry
from ..container import Services, build_services
from ..plans import PlanService
from ..retrieval.passage import Passage
from ..reviews import ReviewService
from ..sessions import SessionService
from ..settings import Settings
from ..store import SessionStore, default_database_url
from .api import router as api_router
from .boot import boot_data
from .errors import ERROR_RESPONSES, install_error_handlers
from .logs import configure_logging
from .metrics import Metrics
from .middleware import RequestBody, RequestLog
from .openapi import install_openapi
from .plans_api import router as plans_router
from .reviews_api import router as reviews_router
from .scenarios_api import router as scenarios_router
from .scenarios_api import scenario_list
from .sessions_api import router as sessions_router
from .webhooks import router as webhooks_router

log = logging.getLogger("salescoach.app")
HERE = Path(__file__).parent


def _passage(request: Request, passage_id: str) -> Passage:
    for passage in request.app.state.services.index.passages:
        if passage.id == passage_id:
            return passage
    raise StarletteHTTPException(404, f"no passage {passage_id!r}")


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    index: bool
    database: bool


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app. Its lifespan loads (or rebuilds) the index, models and playbooks once, off the
    event loop, and migrates the database — failing at start-up, not on the first message.
    ``services`` lets a process that already loaded them (tests, a CLI) share them."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        domain: Services = (
            services if services is not None else await run_in_threadpool(build_services, settings)
        )
        store = SessionStore(settings.database_url or default_database_url(settings.data_dir))
        await run_in_threadpool(store.migrate)
        app.state.services = domain
        app.state.domain_limiter = anyio.CapacityLimiter(settings.domain_concurrency)
        app.state.sessions = SessionService(store, domain)
        app.state.reviews = ReviewService(store, domain)
        app.state.plans = PlanService(app.state.sessions)
        app.state.channels = build_registry(settings)
        app.state.messenger = MessengerChat(
            app.state.sessions, settings.web_base_url, reviews=app.state.reviews, plans=app.state.plans
        )
        app.state.outbound = OutboundClient(
            timeout=settings.outbound_timeout, retries=settings.outbound_retries,
            on_error=lambda channel: metrics.errors.labels(code=f"outbound:{channel}").inc(),
        )  # fmt: skip
        log.info("ready", extra={"passages": len(domain.index.passages)})
        try:
            yield
        finally:
            await app.state.outbound.aclose()
            app.state.plans.close()
            store.close()

    app = FastAPI(title="SalesCoach", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.metrics = metrics
    install_error_handlers(app)
    install_openapi(app, settings)
    app.include_router(api_router, responses=ERROR_RESPONSES)
    app.include_router(sessions_router, responses=ERROR_RESPONSES)
    app.include_router(reviews_router, responses=ERROR_RESPONSES)
    app.include_router(plans_router, responses=ERROR_RESPONSES)
    app.include_router(scenarios_router, responses=ERROR_RESPONSES)
    app.include_router(webhooks_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request, lang: str = "zh") -> Response:
        language = lang if lang in ("zh", "en") else "zh"
        root = request.scope.get("root_path", "")
        builtin = list(request.app.state.services.rehearsal.scenarios.values())
        scenarios = await run_in_threadpool(scenario_list, request.app.state.plans, builtin)
        boot = boot_data(request.app.state.services, language, root, scenarios)
        return templates.TemplateResponse(
            request, "index.html", {"request": request, "lang": language, "boot": boot}
        )

    @app.get("/passages/{passage_id}", response_class=HTMLResponse, include_in_schema=False)
    async def passage_page(request: Request, passage_id: str, lang: str = "zh") -> Response:
        """The web view of one handbook passage (messenger citations link here)."""
        passage = _passage(request, passage_id)
        context = {"request": request, "passage": passage, "lang": "en" if lang == "en" else "zh"}
        return templates.TemplateResponse(request, "passage.html", context)

    @app.get("/api/passages/{passage_id}", summary="One handbook passage", responses=ERROR_RESPONSES)
    async def passage_json(request: Request, passage_id: str) -> dict:
        return _passage(request, passage_id).to_dict()

    @app.get(
        "/readyz",
        summary="Readiness: index loaded and database answering",
        response_model=Readiness,
        responses={
            **ERROR_RESPONSES,
            503: {"model": Readiness, "description": "Not ready (which part is not)."},
        },
    )
    async def readyz(request: Request) -> JSONResponse:
        services = getattr(request.app.state, "services", None)
        sessions = getattr(request.app.state, "sessions", None)
        index = bool(services and services.index.ready)
        database = bool(sessions and await run_in_threadpool(sessions.store.ping))
        body = {
            "status": "ready" if index and database else "not_ready",
            "index": index,
            "database": database,
        }
        return JSONResponse(body, status_code=200 if index and database else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(
        RequestBody, limit=settings.max_body_bytes, timeout=settings.body_timeout,
        limits={"/api/reviews": settings.review_body_bytes},
    )  # fmt: skip
    app.add_middleware(RequestLog, metrics=metrics)
    return app
