"""Plumbing shared by the benchmark and the replay self-test.

Starting servers (uvicorn on 127.0.0.1, a random free port, optionally pinned to one CPU
core), preparing a fresh database (a SQLite file in a temp dir, or the PostgreSQL
database ``brigade_bench`` on 127.0.0.1:5432, dropped and recreated), and setting up a
restaurant with the pizza place's menu, staff logins and tables.

Everything is loopback only and bounded: every wait has a timeout, every server started
here is stopped by the same code (by its pid).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
PG_BENCH_DATABASE = "brigade_bench"


STAFF_PASSWORD = "bench staff " + "on the pass"  # a fixed, local-only password for bench logins


#: ``BENCH_PORTS=first-last`` (e.g. ``8121-8139``): servers started here take a free port
#: of that range instead of one the OS picks, on a machine where ports are shared out.
PORTS_ENV = "BENCH_PORTS"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now: the first free one of ``$BENCH_PORTS``
    when set (``RuntimeError`` if none is free), else one the OS picks."""
    wanted = os.environ.get(PORTS_ENV)
    candidates = [0]
    if wanted:
        first, _, last = wanted.partition("-")
        candidates = list(range(int(first), int(last or first) + 1))
    for candidate in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = sock.getsockname()[1]
            return port
    raise RuntimeError(f"no free port in {PORTS_ENV}={wanted}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (from ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """User + system CPU seconds used so far by every ``postgres`` process on this machine
    (the server's backends and its background processes, from ``/proc``); 0.0 where
    there are none, counting the reaped children of each (a backend or autovacuum worker
    that exited is in the postmaster's). Differences over a case give the database's
    CPU for it."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        if head.partition("(")[2] != "postgres":
            continue
        fields = tail.split()
        # utime, stime, and the reaped children's (autovacuum workers and backends
        # that exited are counted in the postmaster's, so the sum never goes down)
        total += sum(int(v) for v in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def core_busy_seconds(cpu: int) -> float:
    """Seconds core ``cpu`` has spent busy (not idle or waiting on I/O), from
    ``/proc/stat``; 0.0 where that file does not exist."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        name, *values = line.split()
        if name == f"cpu{cpu}":
            ticks = [int(v) for v in values]
            return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    return 0.0


@dataclass
class Server:
    """A uvicorn server process started by :func:`start_server`."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the server's output."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process (SIGTERM, then SIGKILL after ``timeout`` seconds)."""
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)


def start_server(
    name: str,
    target: str,
    *,
    env: Mapping[str, str],
    log_dir: Path,
    cpu: int | None = None,
    factory: bool = False,
) -> Server:
    """Start ``uvicorn target`` on 127.0.0.1 and a free port, output to ``log_dir``.

    ``cpu`` pins the server to that core (``taskset -c``). Access logs are off, the
    event loop is uvloop and the HTTP parser httptools for every server alike.
    """
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--timeout-graceful-shutdown",
        "3",
    ]
    if factory:
        cmd.append("--factory")
    if cpu is not None:
        taskset = shutil.which("taskset")
        if taskset is None:
            raise RuntimeError("taskset is needed to pin the server to one core")
        cmd = [taskset, "-c", str(cpu), *cmd]
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    full_env = {**os.environ, **env}
    root = str(Path(__file__).resolve().parent.parent)
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (root, full_env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        cmd, env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=root
    )
    log.close()
    return Server(name=name, proc=proc, port=port, log_path=log_path)


async def wait_ready(server: Server, path: str, within: float = 60.0) -> None:
    """Poll ``GET path`` until it answers 200; raises ``RuntimeError`` if the server exits
    or is not ready ``within`` seconds."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=server.url, timeout=5.0) as client:
        while time.monotonic() < deadline:
            if server.proc.poll() is not None:
                raise RuntimeError(f"{server.name} exited:\n{server.log_tail()}")
            try:
                response = await client.get(path)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{server.name} not ready after {within:.0f}s:\n{server.log_tail()}")


# --- databases -------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    """A fresh database: ``url`` for Brigade (SQLAlchemy), ``raw`` for the baseline."""

    kind: str
    url: str
    raw: str


async def prepare_database(kind: str, workdir: Path) -> BenchDatabase:
    """A fresh, migrated database of ``kind`` (``sqlite`` or ``postgresql``).

    SQLite: ``<workdir>/brigade.db``. PostgreSQL: database ``brigade_bench`` on
    127.0.0.1:5432 (user postgres, trust), dropped and recreated on every call.
    """
    from brigade.infra.migrate import upgrade

    if kind == "sqlite":
        path = workdir / "brigade.db"
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(f"{path}{suffix}").unlink, missing_ok=True)
        db = BenchDatabase(kind, f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}")
    elif kind == "postgresql":
        import asyncpg

        conn = await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=10
        )
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DATABASE}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{PG_BENCH_DATABASE}"')
        finally:
            await conn.close()
        where = f"{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_BENCH_DATABASE}"
        db = BenchDatabase(kind, f"postgresql+asyncpg://{where}", f"postgresql://{where}")
    else:
        raise ValueError(f"unknown database kind {kind!r}")
    await asyncio.to_thread(upgrade, db.url)
    return db


# --- the restaurant --------------------------------------------------------------------


@dataclass
class Setup:
    """What :func:`create_restaurant` made: ids and ``{role: username}`` logins."""

    restaurant_id: int
    admin: str
    staff: dict[str, str] = field(default_factory=dict)
    password: str = STAFF_PASSWORD


async def create_restaurant(
    database_url: str,
    *,
    time_zone: str = "America/New_York",
    roles: tuple[str, ...] = ("owner", "waiter", "kitchen", "cashier"),
) -> Setup:
    """Create, with Brigade's own code, a platform admin, the pizza place's restaurant with
    its menu and no history (:func:`brigade.imports.pizza_place.import_pizza_place` given
    the menu only), and one member per role in ``roles`` (usernames ``bench-<role>``),
    all with the password :data:`STAFF_PASSWORD`."""
    from brigade.auth.permissions import Role
    from brigade.auth.service import create_user
    from brigade.events.unit_of_work import unit_of_work
    from brigade.imports.pizza_place import import_pizza_place, load_pizza_place
    from brigade.infra.db import Database
    from brigade.restaurants.service import add_member

    data = await asyncio.to_thread(load_pizza_place, None)
    data.orders = []  # the menu only: a restaurant with no history
    db = Database(database_url)
    try:
        async with unit_of_work(db, None) as session:
            await create_user(
                session, username="bench-admin", password=STAFF_PASSWORD, is_admin=True
            )
            report = await import_pizza_place(
                session,
                data,
                slug=f"pizza-bench-{secrets.token_hex(3)}",
                name="Pizza Place (bench)",
                time_zone=time_zone,
            )
            setup = Setup(restaurant_id=report.restaurant_id, admin="bench-admin")
            for role in roles:
                user = await create_user(
                    session,
                    username=f"bench-{role}",
                    password=STAFF_PASSWORD,
                    full_name=f"Bench {role}",
                )
                await add_member(session, report.restaurant_id, user.id, Role(role))
                setup.staff[role] = user.username
    finally:
        await db.dispose()
    return setup


async def login(client: httpx.AsyncClient, username: str, password: str) -> str:
    """Log in through the API; returns the access token. Raises on a non-200."""
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} -> "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json() if response.content else None


async def create_tables(
    client: httpx.AsyncClient, restaurant_id: int, count: int, *, prefix: str = "B"
) -> list[int]:
    """Create tables ``<prefix>1..<prefix><count>`` (4 seats) through the API (``client``
    logged in as the owner); returns their ids. Raises ``RuntimeError`` on an error
    answer (a name already taken among them)."""
    r = f"/api/v1/restaurants/{restaurant_id}"
    ids = []
    for n in range(1, count + 1):
        body = {"name": f"{prefix}{n}", "seats": 4}
        ids.append(_check(await client.post(f"{r}/tables", json=body))["id"])
    return ids


async def sqlite_synchronous(database_url: str) -> str:
    """SQLite's ``synchronous`` setting on a connection of Brigade's own engine for
    ``database_url`` (``OFF``, ``NORMAL``, ``FULL`` or ``EXTRA``), so that the raw baseline
    writes as durably as Brigade does."""
    from sqlalchemy import text

    from brigade.infra.db import make_engine

    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            value = int((await conn.execute(text("PRAGMA synchronous"))).scalar_one())
    finally:
        await engine.dispose()
    return {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[value]


def brigade_env(db: BenchDatabase, data_dir: Path) -> dict[str, str]:
    """Environment for a Brigade server on ``db`` with its data dir in ``data_dir``."""
    return {
        "BRIGADE_DATABASE_URL": db.url,
        "BRIGADE_DATA_DIR": str(data_dir),
        "BRIGADE_SECRET_KEY": secrets.token_hex(32),
        "BRIGADE_LOGIN_RATE_LIMIT": "1000/minute",
    }
