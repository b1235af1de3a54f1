"""Failed-login limiting (the ``limits`` library, moving window).

Failed logins are counted three ways, each in the same window:

- per **account and address** (a username tried from one client address):
  ``settings.login_rate_limit`` (e.g. ``"5/minute"``). This is the limit a guesser meets,
  and it stays theirs: the account's owner signing in from another address is not
  affected by it;
- per **address**, :data:`ADDRESS_FACTOR` times as many, whatever the usernames: staff
  sharing a restaurant's one public address are not locked out by one colleague's typos,
  while an address trying many usernames still is;
- per **account**, :data:`ACCOUNT_FACTOR` times as many, whatever the addresses: a
  ceiling on guessing one password from many addresses at once. Reaching it takes
  failures from at least ``ACCOUNT_FACTOR`` addresses, never from one.

A successful login forgets the failures of its account and address (not the others).
The address is the client's as the app sees it: the peer's, or the one that
``X-Forwarded-For`` names when the peer is one of ``settings.trusted_proxies``
(uvicorn's ``ProxyHeadersMiddleware``, installed by :func:`brigade.app.create_app`).
Counters live in memory (one process) or in Redis when ``settings.redis_url`` is set
(every worker shares them).

The limiter is process-wide: :func:`get_login_limiter` creates it lazily and keeps it in
``runtime.extras[LIMITER_KEY]``.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from brigade.infra.errors import TooManyRequests
from brigade.runtime import Runtime

LIMITER_KEY = "auth.login_limiter"
#: The per-address limit is this many times the per-(account, address) limit.
ADDRESS_FACTOR = 4
#: The per-account limit (all addresses together) is this many times the
#: per-(account, address) limit.
ACCOUNT_FACTOR = 10


def _scaled(item: RateLimitItem, factor: int) -> RateLimitItem:
    """``item`` allowing ``factor`` times as many hits in the same window."""
    return type(item)(item.amount * factor, item.multiples)


class LoginLimiter:
    """Counts failed logins and refuses further attempts once a limit is reached.

    ``per_pair`` (one username from one address), ``per_address`` and ``per_account``
    are ``limits`` rate items (``parse("5/minute")``; ``per_account`` defaults to
    :data:`ACCOUNT_FACTOR` times ``per_pair``); ``storage`` defaults to an in-memory
    store. :meth:`for_rate` derives the three from one rate.
    """

    def __init__(
        self,
        per_pair: RateLimitItem,
        per_address: RateLimitItem,
        per_account: RateLimitItem | None = None,
        storage: Storage | None = None,
    ) -> None:
        self.storage: Storage = storage or MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.per_pair = per_pair
        self.per_address = per_address
        self.per_account = per_account or _scaled(per_pair, ACCOUNT_FACTOR)

    @classmethod
    def for_rate(cls, rate: str, storage: Storage | None = None) -> LoginLimiter:
        """The limiter for ``rate`` (limits syntax, e.g. ``"5/minute"``) per account and
        address; the per-address and per-account limits are :data:`ADDRESS_FACTOR` and
        :data:`ACCOUNT_FACTOR` times it. Raises ``ValueError`` for a malformed rate."""
        per_pair = parse(rate)
        return cls(
            per_pair,
            _scaled(per_pair, ADDRESS_FACTOR),
            _scaled(per_pair, ACCOUNT_FACTOR),
            storage=storage,
        )

    def _pair_key(self, username: str, address: str) -> str:
        # The address comes first: it never holds "|", so no two pairs share a key.
        return f"login:pair:{address}|{username.casefold()}"

    def _keys(self, username: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [
            (self.per_pair, self._pair_key(username, address)),
            (self.per_address, f"login:addr:{address}"),
            (self.per_account, f"login:user:{username.casefold()}"),
        ]

    async def check(self, username: str, address: str) -> None:
        """Raise :class:`~brigade.infra.errors.TooManyRequests` (429, ``Retry-After`` in whole
        seconds) when ``username`` from ``address``, ``address`` or ``username`` has used
        up its failed logins."""
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
        """Count one failed login of ``username`` from ``address`` (in all three
        counters)."""
        for item, key in self._keys(username, address):
            await self.strategy.hit(item, key)

    async def record_success(self, username: str, address: str) -> None:
        """Forget the failures of ``username`` from ``address``; the address's and the
        account's counters keep theirs."""
        await self.strategy.clear(self.per_pair, self._pair_key(username, address))

    async def reset(self) -> None:
        """Forget every counter (tests, or an operator unlocking accounts)."""
        await self.storage.reset()


def get_login_limiter(runtime: Runtime) -> LoginLimiter:
    """The process's :class:`LoginLimiter`, created on first use from ``runtime.settings``
    (``login_rate_limit``; Redis storage when ``redis_url`` is set, memory otherwise)."""
    limiter = runtime.extras.get(LIMITER_KEY)
    if isinstance(limiter, LoginLimiter):
        return limiter
    settings = runtime.settings
    storage: Storage | None = None
    if settings.redis_url:
        storage = RedisStorage(
            settings.redis_url, implementation="redispy", key_prefix="brigade-limits"
        )
    limiter = LoginLimiter.for_rate(settings.login_rate_limit, storage=storage)
    runtime.extras[LIMITER_KEY] = limiter
    return limiter
