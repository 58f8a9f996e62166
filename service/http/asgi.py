"""ASGI entry point for process managers (``uvicorn service.http.asgi:app --workers N``)."""

from .app import create_app

app = create_app()
