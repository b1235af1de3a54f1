"""The dine-in service loop, driven step by step against one server (Brigade or raw).

One *loop* is a dine-in order's whole service, each step a request by the role that does
it (``R`` = ``/api/v1/restaurants/{rid}``):

1. ``POST R/orders`` ``{"kind": "dine_in", "table_id", "covers": 2, "items": [3 lines]}``
   (waiter, with an ``Idempotency-Key``), 201;
2. ``POST R/orders/{id}/items`` ``{"items": [1 line]}`` (waiter), 200;
3. ``POST R/orders/{id}/send`` (waiter): fires course 1, kitchen tickets; 200;
4. ``POST R/kitchen/tickets/{id}/bump`` (kitchen), 200, for each ticket of the order;
5. ``POST R/orders/{id}/check`` (cashier), 201;
6. ``POST R/checks/{id}/payments`` ``{"method": "card"}`` (cashier), 201, the check
   ``paid``: the order is closed and its table free again.

Each of the ``concurrency`` clients owns its tables (``tables_per_client`` of them, no
other client uses them). The loops run in *waves*: every client opens an order at each
of its tables, one after the other; when all clients are done, every client adds a line
to each of its orders; and so on to the payment, which frees the tables for the next
wave. So each step runs alone, with all clients sending it, and the server's CPU per
request is measured per step (``/proc``, around each step's phase). Between send and
bump the kitchen reads its open tickets once (``GET R/kitchen/tickets?status=open``,
paged) to learn the tickets' ids; that read is not part of any step's figures.

A step's figures: requests answered over the seconds its phases took (req/s), latency
percentiles, the server's CPU per request. The loop's: loops paid over the seconds of
all phases (loops/s), the server's CPU per loop. A request that fails (another status,
an answer without what the next step needs, a connection error) counts as an error of
its step; its order takes no further step and its table is not used again (it may be
left occupied).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.harness import core_busy_seconds, cpu_seconds
from bench.load import LoadResult, percentile

#: The loop's steps, in order: ``(name, role)``.
STEPS: tuple[tuple[str, str], ...] = (
    ("open (3 lines)", "waiter"),
    ("add 1 line", "waiter"),
    ("send", "waiter"),
    ("bump ticket", "kitchen"),
    ("open check", "cashier"),
    ("pay (closes)", "cashier"),
)
OPEN, ADD, SEND, BUMP, CHECK, PAY = range(len(STEPS))
#: Pages of ``GET R/kitchen/tickets`` the kitchen reads at most per wave (500 each).
MAX_TICKET_PAGES = 50
TICKET_PAGE = 500


@dataclass
class Order:
    """One loop in flight: its table and what the answers gave so far."""

    client: int
    table_id: int
    id: int | None = None
    tickets: list[int] = field(default_factory=list)
    check_id: int | None = None
    failed: bool = False


@dataclass
class StepTally:
    """What one step's phases measured, summed over the phases (seconds of CPU and of
    wall time; latencies in milliseconds)."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    first_error: str | None = None
    seconds: float = 0.0
    server_cpu: float = 0.0
    core_busy: float = 0.0
    database_cpu: float | None = None
    client_cpu: float = 0.0

    def error(self, text: str) -> None:
        """Count one error; the first one's ``text`` is kept."""
        self.errors += 1
        if self.first_error is None:
            self.first_error = text[:400]

    def result(self) -> LoadResult:
        """The step's figures as a :class:`LoadResult` (shares of a core over its
        phases' seconds)."""
        ms = sorted(self.latencies_ms)
        seconds = self.seconds or float("nan")
        return LoadResult(
            name=self.name,
            requests=len(ms),
            seconds=self.seconds,
            rps=len(ms) / self.seconds if self.seconds else 0.0,
            p50_ms=percentile(ms, 0.50),
            p90_ms=percentile(ms, 0.90),
            p99_ms=percentile(ms, 0.99),
            max_ms=ms[-1] if ms else float("nan"),
            statuses=dict(self.statuses),
            errors=self.errors,
            client_cpu=self.client_cpu / seconds,
            server_cpu=self.server_cpu / seconds,
            core_busy=self.core_busy / seconds,
            database_cpu=None if self.database_cpu is None else self.database_cpu / seconds,
            first_error=self.first_error,
            latencies_ms=ms,
        )


@dataclass
class LoopResult:
    """One side's loop figures: its steps' results and the whole loop's (``loops`` paid
    over ``seconds``, the sum of every phase's wall time; CPU in seconds over them)."""

    name: str
    steps: list[LoadResult]
    loops: int
    seconds: float
    server_cpu: float
    core_busy: float
    database_cpu: float | None
    warmup_errors: int = 0
    warmup_first_error: str | None = None
    tables_lost: int = 0

    @property
    def loops_per_second(self) -> float:
        """Loops paid per second of the phases."""
        return self.loops / self.seconds if self.seconds else 0.0

    @property
    def server_us_per_loop(self) -> float | None:
        """The server's CPU microseconds per loop paid (``None`` without loops)."""
        return self.server_cpu / self.loops * 1e6 if self.loops else None

    @property
    def database_us_per_loop(self) -> float | None:
        """PostgreSQL's CPU microseconds per loop paid (``None`` if not measured)."""
        if self.database_cpu is None or not self.loops:
            return None
        return self.database_cpu / self.loops * 1e6

    @property
    def others(self) -> float | None:
        """Percent of the server's core used by other processes over the phases."""
        if not self.seconds:
            return None
        return max(0.0, self.core_busy - self.server_cpu) / self.seconds * 100

    @property
    def errors(self) -> int:
        """Errors of every step, warm-up included."""
        return sum(step.errors for step in self.steps) + self.warmup_errors

    @property
    def worst_p99(self) -> tuple[str, float]:
        """``(step name, p99 ms)`` of the step with the highest p99."""
        worst = max(self.steps, key=lambda s: s.p99_ms if s.requests else -1.0)
        return worst.name, worst.p99_ms

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the figures."""

        def rounded(value: float | None, digits: int = 1) -> float | None:
            return None if value is None else round(value, digits)

        return {
            "loops": self.loops,
            "seconds": round(self.seconds, 3),
            "loops_per_second": round(self.loops_per_second, 1),
            "server_us_per_loop": rounded(self.server_us_per_loop),
            "database_us_per_loop": rounded(self.database_us_per_loop),
            "others_percent": rounded(self.others),
            "errors": self.errors,
            "warmup_errors": self.warmup_errors,
            "warmup_first_error": self.warmup_first_error,
            "tables_lost": self.tables_lost,
            "steps": {step.name: step.as_dict() for step in self.steps},
        }


def loop_result(name: str, tallies: Sequence[StepTally], loops: int, **extra: Any) -> LoopResult:
    """The :class:`LoopResult` of ``tallies`` (one per step) and ``loops`` paid."""
    database = [t.database_cpu for t in tallies]
    return LoopResult(
        name=name,
        steps=[t.result() for t in tallies],
        loops=loops,
        seconds=sum(t.seconds for t in tallies),
        server_cpu=sum(t.server_cpu for t in tallies),
        core_busy=sum(t.core_busy for t in tallies),
        database_cpu=None if None in database else sum(d or 0.0 for d in database),
        **extra,
    )


def tickets_by_order(answer: dict[str, Any]) -> dict[int, list[int]]:
    """``{order_id: [ticket ids, ascending]}`` of a ``GET R/kitchen/tickets`` answer
    (``{"items": [{"id", "order_id", ...}], "total"}``)."""
    found: dict[int, list[int]] = {}
    for ticket in answer["items"]:
        found.setdefault(int(ticket["order_id"]), []).append(int(ticket["id"]))
    for ids in found.values():
        ids.sort()
    return found


class Marks:
    """CPU and wall clocks read at the start of a phase; :meth:`add_to` adds what
    passed since to a tally."""

    def __init__(
        self, server_pid: int, server_core: int, database_cpu: Callable[[], float] | None
    ) -> None:
        self.server_pid = server_pid
        self.server_core = server_core
        self.database_cpu = database_cpu
        self.server = cpu_seconds(server_pid)
        self.core = core_busy_seconds(server_core)
        self.database = database_cpu() if database_cpu is not None else None
        self.client = time.process_time()
        self.wall = time.perf_counter()

    def add_to(self, tally: StepTally) -> float:
        """Add the phase's wall time and CPU to ``tally``; returns the wall seconds."""
        wall = time.perf_counter() - self.wall
        tally.seconds += wall
        tally.server_cpu += cpu_seconds(self.server_pid) - self.server
        tally.core_busy += core_busy_seconds(self.server_core) - self.core
        tally.client_cpu += time.process_time() - self.client
        if self.database_cpu is not None and self.database is not None:
            used = self.database_cpu() - self.database
            tally.database_cpu = (tally.database_cpu or 0.0) + used
        return wall


class LoopDriver:
    """Runs waves of loops against one server and keeps their figures.

    ``prefix`` is ``/api/v1/restaurants/{rid}``; ``tables`` the tables of each client
    (one list per client); ``choices`` the ``(menu_item_id, variation_id)`` pairs lines
    are drawn from (fixed seed); ``key`` prefixes the ``Idempotency-Key`` of each open.
    :meth:`run_round` needs the role headers (``{"waiter": {...}, "kitchen": ...,
    "cashier": ...}``, ``Authorization``) set in :attr:`headers` first.
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        prefix: str,
        *,
        server_pid: int,
        server_core: int,
        tables: list[list[int]],
        choices: list[tuple[int, int]],
        key: str,
        database_cpu: Callable[[], float] | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url
        self.prefix = prefix
        self.server_pid = server_pid
        self.server_core = server_core
        self.tables = [list(t) for t in tables]
        self.choices = choices
        self.key = key
        self.database_cpu = database_cpu
        self.headers: dict[str, dict[str, str]] = {}
        self.tallies = [StepTally(name) for name, _ in STEPS]
        self.warmup = [StepTally(name) for name, _ in STEPS]
        self.loops = 0
        self.tables_lost = 0
        self._rng = random.Random(2015)
        self._keys = itertools.count()

    def result(self) -> LoopResult:
        """The figures of every measured wave so far."""
        warm_errors = sum(t.errors for t in self.warmup)
        first = next((t.first_error for t in self.warmup if t.first_error), None)
        return loop_result(
            self.name,
            self.tallies,
            self.loops,
            warmup_errors=warm_errors,
            warmup_first_error=first,
            tables_lost=self.tables_lost,
        )

    async def run_round(self, seconds: float, warmup: float) -> None:
        """Unmeasured waves for ``warmup`` seconds, then measured waves until their
        phases took ``seconds`` (at least one wave); stops early when no table is left."""
        connector = aiohttp.TCPConnector(limit=len(self.tables), force_close=False)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(
            base_url=self.base_url, connector=connector, timeout=timeout, auto_decompress=False
        ) as session:
            started = time.perf_counter()
            while warmup > 0 and time.perf_counter() - started < warmup and self._any_table():
                await self._wave(session, self.warmup, measured=False)
            measured = 0.0
            while self._any_table():
                measured += await self._wave(session, self.tallies, measured=True)
                if measured >= seconds:
                    break
        if not self._any_table():
            print(f"  {self.name}: no table left (every one had a failed loop)", flush=True)

    def _any_table(self) -> bool:
        return any(self.tables)

    async def _wave(
        self, session: aiohttp.ClientSession, tallies: list[StepTally], *, measured: bool
    ) -> float:
        orders = [[Order(c, t) for t in tables] for c, tables in enumerate(self.tables)]
        wall = 0.0
        for step in range(len(STEPS)):
            if step == BUMP:
                await self._find_tickets(session, orders, tallies[BUMP])
            marks = Marks(self.server_pid, self.server_core, self.database_cpu)
            await asyncio.gather(
                *(self._client(session, step, mine, tallies[step]) for mine in orders)
            )
            wall += marks.add_to(tallies[step])
        for mine in orders:
            for order in mine:
                if order.failed:
                    self.tables[order.client].remove(order.table_id)
                    self.tables_lost += 1
                elif measured:
                    self.loops += 1
        return wall

    async def _client(
        self, session: aiohttp.ClientSession, step: int, orders: list[Order], tally: StepTally
    ) -> None:
        for order in orders:
            if not order.failed:
                await self._step(session, step, order, tally)

    async def _request(
        self,
        session: aiohttp.ClientSession,
        tally: StepTally,
        method: str,
        path: str,
        role: str,
        expect: int,
        body: Any = None,
        extra: dict[str, str] | None = None,
    ) -> Any:
        """One timed request; its decoded answer, or ``None`` after counting an error."""
        headers = {**self.headers.get(role, {}), **(extra or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        began = time.perf_counter()
        try:
            async with session.request(method, path, data=data, headers=headers) as response:
                payload = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            tally.latencies_ms.append((time.perf_counter() - began) * 1000)
            tally.statuses[0] += 1
            tally.error(f"{method} {path}: {type(exc).__name__} {exc}")
            return None
        tally.latencies_ms.append((time.perf_counter() - began) * 1000)
        tally.statuses[status] += 1
        if status != expect:
            tally.error(f"{method} {path} -> {status} {payload[:300].decode(errors='replace')}")
            return None
        try:
            return json.loads(payload)
        except ValueError:
            tally.error(f"{method} {path} -> {status}, not JSON: {payload[:200]!r}")
            return None

    def _lines(self, count: int) -> list[dict[str, int]]:
        return [
            {"menu_item_id": item, "variation_id": variation, "quantity": 1}
            for item, variation in self._rng.sample(self.choices, count)
        ]

    async def _step(
        self, session: aiohttp.ClientSession, step: int, order: Order, tally: StepTally
    ) -> None:
        r = self.prefix
        answer: Any
        if step == OPEN:
            body = {
                "kind": "dine_in",
                "table_id": order.table_id,
                "covers": 2,
                "items": self._lines(3),
            }
            key = {"Idempotency-Key": f"{self.key}-{next(self._keys)}"}
            answer = await self._request(
                session, tally, "POST", f"{r}/orders", "waiter", 201, body, key
            )
            order.id = _int_of(answer, "id", tally)
            order.failed = order.id is None
        elif step == ADD:
            body = {"items": self._lines(1)}
            path = f"{r}/orders/{order.id}/items"
            order.failed = (
                await self._request(session, tally, "POST", path, "waiter", 200, body) is None
            )
        elif step == SEND:
            path = f"{r}/orders/{order.id}/send"
            order.failed = await self._request(session, tally, "POST", path, "waiter", 200) is None
        elif step == BUMP:
            if not order.tickets:
                tally.error(f"no open ticket of order {order.id} in GET {r}/kitchen/tickets")
                order.failed = True
            for ticket in order.tickets:
                path = f"{r}/kitchen/tickets/{ticket}/bump"
                answer = await self._request(session, tally, "POST", path, "kitchen", 200)
                if answer is None:
                    order.failed = True
                    break
        elif step == CHECK:
            path = f"{r}/orders/{order.id}/check"
            answer = await self._request(session, tally, "POST", path, "cashier", 201)
            order.check_id = _int_of(answer, "id", tally)
            order.failed = order.check_id is None
        else:
            path = f"{r}/checks/{order.check_id}/payments"
            body = {"method": "card"}
            answer = await self._request(session, tally, "POST", path, "cashier", 201, body)
            status = answer.get("check", {}).get("status") if isinstance(answer, dict) else None
            if answer is not None and status != "paid":
                tally.error(f"POST {path}: the check is {status!r} after paying, not 'paid'")
            order.failed = status != "paid"

    async def _find_tickets(
        self, session: aiohttp.ClientSession, orders: list[list[Order]], tally: StepTally
    ) -> None:
        """The kitchen reads its open tickets (paged) and each order learns its own."""
        wanted = {o.id for mine in orders for o in mine if not o.failed}
        if not wanted:
            return
        found: dict[int, list[int]] = {}
        scratch = StepTally("ticket list")  # the read is not part of the bump's figures
        for page in range(MAX_TICKET_PAGES):
            path = f"{self.prefix}/kitchen/tickets"
            query = f"?status=open&limit={TICKET_PAGE}&offset={page * TICKET_PAGE}"
            answer = await self._request(session, scratch, "GET", path + query, "kitchen", 200)
            if answer is None:
                tally.error(f"ticket list: {scratch.first_error}")
                break
            try:
                for order_id, ids in tickets_by_order(answer).items():
                    found.setdefault(order_id, []).extend(ids)
                more = (page + 1) * TICKET_PAGE < int(answer["total"])
            except (KeyError, TypeError, ValueError) as exc:
                tally.error(f"ticket list: unexpected answer ({exc!r}): {str(answer)[:200]}")
                break
            if not more or wanted <= found.keys():
                break
        for mine in orders:
            for order in mine:
                if order.id is not None:
                    order.tickets = found.get(order.id, [])


def _int_of(answer: Any, key: str, tally: StepTally) -> int | None:
    """``answer[key]`` as an int, or ``None`` (an error counted) when the answer (already
    counted when ``None``) has no such field."""
    if answer is None:
        return None
    try:
        return int(answer[key])
    except (KeyError, TypeError, ValueError):
        tally.error(f"answer without {key!r}: {str(answer)[:200]}")
        return None
