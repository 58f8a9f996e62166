"""The FastAPI application factory. Nothing heavy happens at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from .. import __version__
from ..container import build_services
from ..settings import Settings
from .api import router as api_router
from .errors import install_error_handlers

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; its lifespan loads (or rebuilds) the index and models once, off the event loop."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await run_in_threadpool(build_services, settings)
        log.info("ready: %d passages", len(app.state.services.index.passages))
        yield

    app = FastAPI(title="SalesCoach", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(api_router)
    return app
