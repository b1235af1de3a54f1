"""The ASGI application: FastAPI for HTTP, python-socketio for ``/realtime/v1``."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from brigade import __version__
from brigade.audit.router import router as audit_router
from brigade.auth.router import router as auth_router
from brigade.billing.receipts_router import router as receipts_router
from brigade.billing.router import router as billing_router
from brigade.devices.router import router as devices_router
from brigade.guest.router import router as guest_router
from brigade.health import router as health_router
from brigade.infra.db import Database
from brigade.infra.errors import install_error_handlers
from brigade.infra.settings import Settings
from brigade.inventory.router import router as inventory_router
from brigade.kitchen.router import router as kitchen_router
from brigade.menu.router import router as menu_router
from brigade.orders.router import router as orders_router
from brigade.reporting.router import router as reporting_router
from brigade.restaurants.router import router as restaurants_router
from brigade.runtime import Runtime
from brigade.tables.router import router as tables_router
from brigade.tills.router import router as tills_router
from brigade.wiring import wire

API_PREFIX = "/api/v1"

#: The contexts' routers in the order routing tries them (see :func:`create_app`).
SERVICE_FIRST = (
    orders_router,
    kitchen_router,
    billing_router,
    tills_router,
    reporting_router,
    inventory_router,
    receipts_router,
    tables_router,
    menu_router,
    guest_router,
    restaurants_router,
    audit_router,
    devices_router,
    auth_router,
)


def _operation_id(route: APIRoute) -> str:
    """``{tag}-{name}``: stable operation ids for the generated web client."""
    tags = getattr(route, "tags", None)
    return f"{tags[0]}-{route.name}" if tags else route.name


#: Allocations between two young-generation collections (CPython's default is 700).
GC_GEN0_THRESHOLD = 50_000


def tune_gc() -> None:
    """Move everything allocated at start-up out of the collector's sight and collect
    the young generation less often.

    A server's start-up objects (modules, SQLAlchemy's compiled caches, the routes) never
    die; without :func:`gc.freeze` every full collection walks them again, which shows
    as tail latency (figures: docs/performance.md, "Moved from docstrings"). The same
    technique Instagram described for its Django servers ("Dismissing Python
    Garbage Collection at Instagram", 2017) and that :func:`gc.freeze`'s documentation
    recommends for pre-fork servers.
    """
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build Brigade's ASGI app for ``settings`` (read from the environment if omitted).

    The returned FastAPI app serves the REST API under ``/api/v1``, the probes, the
    OpenAPI document at ``/openapi.json`` with its docs at ``/docs``, and the Socket.IO
    server (namespace ``/realtime/v1``) at ``/socket.io/``, and the built web app at ``/``
    for every other ``GET`` (:mod:`brigade.webapp`). ``app.state.runtime`` holds the
    :class:`~brigade.runtime.Runtime`.
    """
    settings = settings or Settings()
    wire()  # the contexts' hooks (brigade.wiring)
    runtime = Runtime(
        settings=settings,
        db=Database(
            settings.resolved_database_url,
            echo=settings.sql_echo,
            pool_size=settings.database_pool_size,
        ),
    )
    from brigade.auth.access_cache import install_access_cache
    from brigade.menu.cache import install_menu_cache
    from brigade.restaurants.service import install_profile_cache

    install_access_cache(runtime)  # forget remembered grants on staff events
    install_menu_cache(runtime)  # drop a restaurant's cached menu on its menu events
    install_profile_cache(runtime)  # drop a restaurant's profile on its settings events

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from brigade.orders.pacing import CoursePacer
        from brigade.realtime.server import start_realtime, stop_realtime

        await runtime.db.start()
        await start_realtime(runtime)
        # Fires the courses due to fire by themselves (brigade.orders.pacing).
        pacer = CoursePacer(runtime.db, runtime.bus, settings.course_pacing_interval_seconds)
        pacer.start()
        tune_gc()
        try:
            yield
        finally:
            await pacer.stop()
            await stop_realtime(runtime)
            await runtime.db.dispose()

    app = FastAPI(
        title="Brigade",
        version=__version__,
        summary="Restaurant and café ordering: tables, orders, kitchen, checks.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    from brigade.menu.cache import MenuFastPath

    app.add_middleware(MenuFastPath, runtime=runtime)  # cached menu reads skip routing
    from brigade.infra.bodylimit import BodyLimit

    # Outside the menu's fast path, so that it sees no body above the limit either.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.include_router(health_router)
    # Routing tries the routes in the order they were included, and no two routes match
    # the same request (tests/test_routes.py), so the order decides only the cost of
    # finding one: the routes of service (orders, kitchen, checks, the floor) come first,
    # the back office's and sign-in's after them.
    for router in SERVICE_FIRST:
        app.include_router(router, prefix=API_PREFIX)

    from brigade.realtime.server import mount_realtime

    mount_realtime(app, runtime)
    from brigade.webapp import install_webapp

    install_webapp(app, settings)  # the web app answers what no route matched
    if settings.trusted_proxies:
        # Outermost: routes, the menu's fast path, login limits and the socket all see the client
        # that a trusted proxy names in X-Forwarded-For; no one else's header is read.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
