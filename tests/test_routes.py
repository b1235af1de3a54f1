"""No two API routes match the same request, so the order routers are included in
(:data:`brigade.app.SERVICE_FIRST`, chosen for the cost of routing) never decides which
route answers."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from starlette.routing import compile_path

from brigade.app import API_PREFIX, SERVICE_FIRST

_PARAMETER = re.compile(r"{[^}]+}")


def _routes() -> list[tuple[str, str, frozenset[str], re.Pattern[str]]]:
    found = []
    for router in SERVICE_FIRST:
        for route in router.routes:
            assert isinstance(route, APIRoute), route
            path = API_PREFIX + route.path
            regex, _, _ = compile_path(path)
            found.append((route.name, path, frozenset(route.methods or ()), regex))
    return found


def _samples(path: str) -> list[str]:
    """Concrete paths of ``path``: every parameter a number, and every one a word."""
    return [_PARAMETER.sub("1", path), _PARAMETER.sub("x", path)]


def test_every_context_router_is_included() -> None:
    assert len(SERVICE_FIRST) == len({id(r) for r in SERVICE_FIRST}) == 14


def test_no_request_matches_two_routes() -> None:
    routes = _routes()
    assert len(routes) > 60
    clashes = [
        (name, other_name, sample)
        for name, path, methods, _ in routes
        for other_name, other_path, other_methods, other_regex in routes
        if other_path != path and methods & other_methods
        for sample in _samples(path)
        if other_regex.match(sample)
    ]
    assert not clashes, clashes
