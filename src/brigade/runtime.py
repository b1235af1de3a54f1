"""The per-process objects that ``create_app`` builds and every request reaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from brigade.db import Database
from brigade.events.bus import EventBus
from brigade.settings import Settings


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


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
