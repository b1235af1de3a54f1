"""A closed-loop HTTP load generator: N clients, keep-alive, for a bounded time.

Each of ``concurrency`` clients sends its next request as soon as the previous answer
arrived (HTTP/1.1 keep-alive). aiohttp, not httpx: on this machine, 16 clients fetching
a small body cost the load generator about 95 µs of CPU per request with aiohttp 3.14
and about 1.9 ms with httpx 0.28. Latencies of requests that *start* after the warm-up are kept;
throughput is the number of those answered, over the measured window. The load
generator's own CPU use is measured too, so a saturated client is visible.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

#: ``(method, path, body bytes or None, headers)``
Request = tuple[str, str, bytes | None, dict[str, str]]


@dataclass
class LoadResult:
    """Figures of one case: requests per second, latency percentiles (milliseconds),
    status counts, the load generator's CPU use (fraction of one core), and the server's
    CPU use when its pid was given."""

    name: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int]
    errors: int
    client_cpu: float
    server_cpu: float | None = None
    core_busy: float | None = None
    database_cpu: float | None = None
    first_error: str | None = None
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def server_us_per_request(self) -> float | None:
        """Server CPU microseconds per answered request (``None`` if not measured)."""
        if self.server_cpu is None or not self.rps:
            return None
        return self.server_cpu / self.rps * 1e6

    @property
    def database_us_per_request(self) -> float | None:
        """The database server's CPU microseconds per answered request (PostgreSQL
        only; ``None`` if not measured)."""
        if self.database_cpu is None or not self.rps:
            return None
        return self.database_cpu / self.rps * 1e6

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict of the figures."""
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p90_ms": round(self.p90_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": self.errors,
            "client_cpu": round(self.client_cpu, 3),
            "server_cpu": None if self.server_cpu is None else round(self.server_cpu, 3),
            "server_core_busy": None if self.core_busy is None else round(self.core_busy, 3),
            "server_us_per_request": (
                None if self.server_us_per_request is None else round(self.server_us_per_request, 1)
            ),
            "database_cpu": None if self.database_cpu is None else round(self.database_cpu, 3),
            "database_us_per_request": (
                None
                if self.database_us_per_request is None
                else round(self.database_us_per_request, 1)
            ),
            "first_error": self.first_error,
        }


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ascending ``sorted_values`` (nearest rank)."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[index]


async def run_load(
    name: str,
    base_url: str,
    make_request: Callable[[], Request],
    *,
    concurrency: int,
    seconds: float,
    warmup: float,
    expect: int,
    server_pid: int | None = None,
    server_core: int | None = None,
    database_cpu: Callable[[], float] | None = None,
) -> LoadResult:
    """Drive ``base_url`` with ``concurrency`` clients for ``warmup + seconds`` seconds.

    ``make_request()`` builds the next request. A response with a status other than
    ``expect`` counts as an error (its first body is kept). Returns the figures of the
    measured window (after ``warmup``). With ``server_pid``, the server's CPU use is
    measured; with ``server_core``, how busy that core was in all (the difference is
    other processes competing with the server); with ``database_cpu`` (a reading of the
    database server's CPU seconds so far), the database's CPU use.
    """
    from bench.harness import core_busy_seconds, cpu_seconds

    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    first_error: list[str] = []
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds
    cpu_marks: dict[str, float] = {}

    async def mark() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        cpu_marks["client0"] = time.process_time()
        if server_pid is not None:
            cpu_marks["server0"] = cpu_seconds(server_pid)
        if server_core is not None:
            cpu_marks["core0"] = core_busy_seconds(server_core)
        if database_cpu is not None:
            cpu_marks["database0"] = database_cpu()
        cpu_marks["wall0"] = time.perf_counter()

    async def worker(session: aiohttp.ClientSession) -> None:
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                return
            method, path, body, headers = make_request()
            async with session.request(method, path, data=body, headers=headers) as response:
                payload = await response.read()
                status = response.status
            ended = time.perf_counter()
            if began >= measure_from:
                latencies.append(ended - began)
                statuses[status] += 1
                if status != expect and not first_error:
                    first_error.append(f"{status} {payload[:300].decode(errors='replace')}")

    async with aiohttp.ClientSession(
        base_url=base_url, connector=connector, timeout=timeout, auto_decompress=False
    ) as session:
        marker = asyncio.create_task(mark())
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        await marker
    wall = time.perf_counter() - cpu_marks["wall0"]
    client_cpu = (time.process_time() - cpu_marks["client0"]) / wall
    server_cpu = None
    if server_pid is not None:
        server_cpu = (cpu_seconds(server_pid) - cpu_marks["server0"]) / wall
    core_busy = None
    if server_core is not None:
        core_busy = (core_busy_seconds(server_core) - cpu_marks["core0"]) / wall
    database = None
    if database_cpu is not None:
        database = (database_cpu() - cpu_marks["database0"]) / wall
    latencies.sort()
    count = len(latencies)
    ms = [v * 1000 for v in latencies]
    return LoadResult(
        name=name,
        requests=count,
        seconds=seconds,
        rps=count / seconds,
        p50_ms=percentile(ms, 0.50),
        p90_ms=percentile(ms, 0.90),
        p99_ms=percentile(ms, 0.99),
        max_ms=ms[-1] if ms else float("nan"),
        statuses=dict(statuses),
        errors=sum(v for k, v in statuses.items() if k != expect),
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        core_busy=core_busy,
        database_cpu=database,
        first_error=first_error[0] if first_error else None,
        latencies_ms=ms,
    )


def merge(name: str, results: Sequence[LoadResult]) -> LoadResult:
    """One result from several rounds of the same case (latencies pooled, throughput
    over the sum of the measured windows, CPU shares weighted by time)."""
    ms = sorted(v for r in results for v in r.latencies_ms)
    seconds = sum(r.seconds for r in results)
    statuses: Counter[int] = Counter()
    for r in results:
        statuses.update(r.statuses)
    server = [r.server_cpu for r in results if r.server_cpu is not None]
    return LoadResult(
        name=name,
        requests=len(ms),
        seconds=seconds,
        rps=len(ms) / seconds,
        p50_ms=percentile(ms, 0.50),
        p90_ms=percentile(ms, 0.90),
        p99_ms=percentile(ms, 0.99),
        max_ms=ms[-1] if ms else float("nan"),
        statuses=dict(statuses),
        errors=sum(r.errors for r in results),
        client_cpu=sum(r.client_cpu * r.seconds for r in results) / seconds,
        server_cpu=(
            sum(r.server_cpu * r.seconds for r in results if r.server_cpu is not None) / seconds
            if len(server) == len(results)
            else None
        ),
        core_busy=(
            sum(r.core_busy * r.seconds for r in results if r.core_busy is not None) / seconds
            if all(r.core_busy is not None for r in results)
            else None
        ),
        database_cpu=(
            sum(r.database_cpu * r.seconds for r in results if r.database_cpu is not None) / seconds
            if all(r.database_cpu is not None for r in results)
            else None
        ),
        first_error=next((r.first_error for r in results if r.first_error), None),
        latencies_ms=ms,
    )
