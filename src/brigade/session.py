"""The request's session: the unit of work of one HTTP request.

A route declares ``session: SessionDep``; everything the request does runs in that one
session, committed by :func:`brigade.events.unit_of_work.unit_of_work` after the route
returns and before the response is sent (rolled back on any error).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.unit_of_work import unit_of_work
from brigade.runtime import get_runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one unit of work."""
    runtime = get_runtime(request)
    async with unit_of_work(runtime.db, runtime.bus) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
