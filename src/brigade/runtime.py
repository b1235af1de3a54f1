"""The per-process objects that ``create_app`` builds and every request reaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from brigade.events.bus import EventBus
from brigade.infra.db import Database
from brigade.infra.settings import Settings


@dataclass
class Runtime:
    """Settings, database, event bus and extensions (Socket.IO server, limiters...).

    ``extras`` holds objects of contexts that need process-wide state, keyed by name.
    """

    settings: Settings
    db: Database
    bus: EventBus = field(default_factory=EventBus)
    extras: dict[str, Any] = field(default_factory=dict)


def get_runtime(request: Request) -> Runtime:
    """The runtime of the app serving ``request``."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _runtime_dependency(request: Request) -> Runtime:
    """:func:`get_runtime` as an ``async`` dependency: FastAPI runs a plain ``def``
    dependency in a worker thread, a thread hop on every request."""
    return get_runtime(request)


RuntimeDep = Annotated[Runtime, Depends(_runtime_dependency)]
