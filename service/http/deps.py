"""Dependencies for the routes: everything comes from ``app.state``, never from module globals."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..container import Services
from ..errors import IndexNotReady


def get_services(request: Request) -> Services:
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None or not services.index.ready:
        raise IndexNotReady("the handbook index is still loading")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
