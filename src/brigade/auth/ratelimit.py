"""Failed-login limiting (the ``limits`` library, moving window).

Failed logins are counted per username and per client address. The per-username limit
is ``settings.login_rate_limit`` (e.g. ``"5/minute"``); the per-address limit allows
:data:`ADDRESS_FACTOR` times as many failures in the same window, so staff sharing a
restaurant's one public address are not locked out by one colleague's typos while an
address trying many usernames still is. Counters live in memory (one process) or in
Redis when ``settings.redis_url`` is set (every worker shares them).

The limiter is process-wide: :func:`get_login_limiter` creates it lazily and keeps it in
``runtime.extras[LIMITER_KEY]``.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from brigade.errors import TooManyRequests
from brigade.runtime import Runtime

LIMITER_KEY = "auth.login_limiter"
#: The per-address limit is this many times the per-username limit.
ADDRESS_FACTOR = 4


class LoginLimiter:
    """Counts failed logins and refuses further attempts once a limit is reached.

    ``per_username`` and ``per_address`` are ``limits`` rate items (``parse("5/minute")``);
    ``storage`` defaults to an in-memory store.
    """

    def __init__(
        self,
        per_username: RateLimitItem,
        per_address: RateLimitItem,
        storage: Storage | None = None,
    ) -> None:
        self.storage: Storage = storage or MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.per_username = per_username
        self.per_address = per_address

    def _keys(self, username: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [
            (self.per_username, f"login:user:{username.casefold()}"),
            (self.per_address, f"login:addr:{address}"),
        ]

    async def check(self, username: str, address: str) -> None:
        """Raise :class:`~brigade.errors.TooManyRequests` (429, ``Retry-After`` in whole
        seconds) when ``username`` or ``address`` has used up its failed logins."""
        retry_after = 0
        for item, key in self._keys(username, address):
            if not await self.strategy.test(item, key):
                stats = await self.strategy.get_window_stats(item, key)
                retry_after = max(retry_after, math.ceil(stats.reset_time - time.time()), 1)
        if retry_after:
            raise TooManyRequests(
                retry_after,
                f"too many failed logins; retry in {retry_after} s",
            )

    async def record_failure(self, username: str, address: str) -> None:
        """Count one failed login for ``username`` and for ``address``."""
        for item, key in self._keys(username, address):
            await self.strategy.hit(item, key)

    async def reset(self) -> None:
        """Forget every counter (tests, or an operator unlocking accounts)."""
        await self.storage.reset()


def get_login_limiter(runtime: Runtime) -> LoginLimiter:
    """The process's :class:`LoginLimiter`, created on first use from ``runtime.settings``
    (Redis storage when ``redis_url`` is set, memory otherwise)."""
    limiter = runtime.extras.get(LIMITER_KEY)
    if isinstance(limiter, LoginLimiter):
        return limiter
    settings = runtime.settings
    per_username = parse(settings.login_rate_limit)
    per_address = type(per_username)(per_username.amount * ADDRESS_FACTOR, per_username.multiples)
    storage: Storage | None = None
    if settings.redis_url:
        storage = RedisStorage(
            settings.redis_url, implementation="redispy", key_prefix="brigade-limits"
        )
    limiter = LoginLimiter(per_username, per_address, storage=storage)
    runtime.extras[LIMITER_KEY] = limiter
    return limiter
