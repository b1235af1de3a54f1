"""Failed-PIN limiting (the ``limits`` library, moving window), as
:mod:`brigade.auth.ratelimit` does for passwords.

Failed PINs (sign-ins and approvals) are counted per **person** (a member of one
restaurant) — ``settings.pin_rate_limit``, e.g. ``"5/minute"`` — and per **device**,
:data:`DEVICE_FACTOR` times as many whoever is tried: a guesser on one tablet meets the
device's limit after trying a few colleagues, a person's PIN cannot be guessed from many
devices at once. A right PIN forgets the person's failures (not the device's).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from brigade.infra.errors import TooManyRequests
from brigade.runtime import Runtime

LIMITER_KEY = "devices.pin_limiter"
#: The per-device limit is this many times the per-person limit.
DEVICE_FACTOR = 4


class PinLimiter:
    """Counts failed PINs per person (``per_person``) and per device (``per_device``),
    ``limits`` rate items; ``storage`` defaults to memory."""

    def __init__(
        self,
        per_person: RateLimitItem,
        per_device: RateLimitItem,
        storage: Storage | None = None,
    ) -> None:
        self.storage: Storage = storage or MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.per_person = per_person
        self.per_device = per_device

    @classmethod
    def for_rate(cls, rate: str, storage: Storage | None = None) -> PinLimiter:
        """The limiter for ``rate`` (e.g. ``"5/minute"``) per person; a device gets
        :data:`DEVICE_FACTOR` times as many. Raises ``ValueError`` for a bad rate."""
        per_person = parse(rate)
        per_device = type(per_person)(per_person.amount * DEVICE_FACTOR, per_person.multiples)
        return cls(per_person, per_device, storage=storage)

    def _keys(
        self, restaurant_id: int, user_id: int, device_id: int
    ) -> list[tuple[RateLimitItem, str]]:
        return [
            (self.per_person, f"pin:person:{restaurant_id}:{user_id}"),
            (self.per_device, f"pin:device:{device_id}"),
        ]

    async def check(self, restaurant_id: int, user_id: int, device_id: int) -> None:
        """Raise :class:`~brigade.infra.errors.TooManyRequests` (429, ``Retry-After``)
        when the person or the device has used up its failed PINs."""
        retry_after = 0
        for item, key in self._keys(restaurant_id, user_id, device_id):
            if not await self.strategy.test(item, key):
                stats = await self.strategy.get_window_stats(item, key)
                retry_after = max(retry_after, math.ceil(stats.reset_time - time.time()), 1)
        if retry_after:
            raise TooManyRequests(retry_after, f"too many wrong PINs; retry in {retry_after} s")

    async def record_failure(self, restaurant_id: int, user_id: int, device_id: int) -> None:
        """Count one wrong PIN of the person on the device (both counters)."""
        for item, key in self._keys(restaurant_id, user_id, device_id):
            await self.strategy.hit(item, key)

    async def record_success(self, restaurant_id: int, user_id: int, device_id: int) -> None:
        """Forget the person's failures; the device keeps its count."""
        item, key = self._keys(restaurant_id, user_id, device_id)[0]
        await self.strategy.clear(item, key)


def get_pin_limiter(runtime: Runtime) -> PinLimiter:
    """The process's :class:`PinLimiter` (``settings.pin_rate_limit``; Redis storage
    when ``redis_url`` is set), created on first use in ``runtime.extras``."""
    limiter = runtime.extras.get(LIMITER_KEY)
    if isinstance(limiter, PinLimiter):
        return limiter
    settings = runtime.settings
    storage: Storage | None = None
    if settings.redis_url:
        storage = RedisStorage(
            settings.redis_url, implementation="redispy", key_prefix="brigade-limits"
        )
    limiter = PinLimiter.for_rate(settings.pin_rate_limit, storage=storage)
    runtime.extras[LIMITER_KEY] = limiter
    return limiter
