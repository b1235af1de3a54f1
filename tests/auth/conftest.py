"""Fixtures of these tests: a fresh failed-login limiter per test, and password hashing
memoised per password (argon2 costs ~0.5 s here; every factory user would pay it)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest

import brigade.auth.service
from brigade.auth.ratelimit import LIMITER_KEY
from brigade.auth.security import hash_password
from brigade.runtime import Runtime

_cached_hash = cache(hash_password)


@pytest.fixture(autouse=True)
def fresh_login_limiter(runtime: Runtime) -> Iterator[None]:
    """The limiter is process-wide; each test starts (and leaves) without counters."""
    runtime.extras.pop(LIMITER_KEY, None)
    yield
    runtime.extras.pop(LIMITER_KEY, None)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same argon2 hashes (still verified for real), computed once per password."""
    monkeypatch.setattr(brigade.auth.service, "hash_password", _cached_hash)
