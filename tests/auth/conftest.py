"""Fixtures of the auth tests: a fresh failed-login limiter per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from brigade.auth.ratelimit import LIMITER_KEY
from brigade.runtime import Runtime


@pytest.fixture(autouse=True)
def fresh_login_limiter(runtime: Runtime) -> Iterator[None]:
    """The limiter is process-wide; each test starts (and leaves) without counters."""
    runtime.extras.pop(LIMITER_KEY, None)
    yield
    runtime.extras.pop(LIMITER_KEY, None)
