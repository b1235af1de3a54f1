"""Fixtures of the devices tests: fresh login and PIN limiters per test, and password
hashing memoised per PIN (argon2 is slow here; every PIN set would pay it)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest

import brigade.devices.service
from brigade.auth.ratelimit import LIMITER_KEY
from brigade.auth.security import hash_password
from brigade.devices.ratelimit import LIMITER_KEY as PIN_LIMITER_KEY
from brigade.runtime import Runtime

_cached_hash = cache(hash_password)


@pytest.fixture(autouse=True)
def fresh_limiters(runtime: Runtime) -> Iterator[None]:
    """The limiters are process-wide; each test starts (and leaves) without counters."""
    for key in (LIMITER_KEY, PIN_LIMITER_KEY):
        runtime.extras.pop(key, None)
    yield
    for key in (LIMITER_KEY, PIN_LIMITER_KEY):
        runtime.extras.pop(key, None)


@pytest.fixture(autouse=True)
def fast_pin_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same argon2 hashes (still verified for real), computed once per PIN."""
    monkeypatch.setattr(brigade.devices.service, "hash_password", _cached_hash)
