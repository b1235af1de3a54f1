"""Replay the pizza place's orders against a running Brigade, as its staff would.

``python -m bench.replay --url http://127.0.0.1:8000 --username U --password P
--restaurant-id N --start 2015-01-01 --end 2015-01-07 [--data PATH]``

Only HTTP and Socket.IO, three clients:

- the **waiter** takes each order of the date range, in time order (at most
  ``--concurrency`` in flight): it opens a ``dine_in`` order at a free table with the
  order's lines (``POST R/orders``, with an ``Idempotency-Key``) and sends it
  (``POST R/orders/{id}/send``);
- the **kitchen** screen, connected to ``/realtime/v1`` (python-socketio, expo view: every
  station), receives each ``ticket.created`` event and bumps the ticket
  (``POST R/kitchen/tickets/{id}/bump``);
- the **cashier**, once every ticket of the order is bumped, opens the check
  (``POST R/orders/{id}/check``) and pays its balance by card
  (``POST R/checks/{id}/payments``), which closes the order and frees the table.

Pizzas are mapped to menu items and sizes by SKU (``pizza_id``, e.g. ``hawaiian_m``) from
``GET R/menu``. Tables come from ``GET R/tables`` (created when fewer than the concurrency
are free). It prints orders per second, p50/p99 of order placement (create + send) and of
send → ticket received by the kitchen client, then reads ``GET R/reports/sales`` for the
replay's local date(s) and compares what the replay added (orders, pizzas, net sales)
with the dataset's figures for the range: ``MATCH``, or ``MISMATCH`` and exit code 1.

``--username/--password`` log in every role; ``--waiter``, ``--kitchen``, ``--cashier``
and ``--manager`` (tables, reports) take ``USER:PASSWORD`` to use separate accounts.

``python -m bench.replay --self-test`` starts a Brigade server itself on a temporary
SQLite database, creates the pizza place's restaurant with its menu and no history plus a
waiter, a kitchen and a cashier login, replays the first week of January 2015 and checks
the match.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bench.dataset import DatasetOrder, Figures, figures, load_orders
from bench.load import percentile

NAMESPACE = "/realtime/v1"
TICKET_WAIT_SECONDS = 30.0


class ReplayError(RuntimeError):
    """The replay cannot go on (a refused login, a missing SKU, an error response)."""


@dataclass
class Account:
    """A staff login."""

    username: str
    password: str


class Api:
    """One staff member's HTTP client: bearer token, logs in again once on a 401."""

    def __init__(self, session: aiohttp.ClientSession, account: Account, role: str) -> None:
        self.session = session
        self.account = account
        self.role = role
        self.token = ""

    async def login(self) -> str:
        """Log in; returns the access token. Raises :class:`ReplayError` if refused."""
        body = {"username": self.account.username, "password": self.account.password}
        async with self.session.post("/api/v1/auth/login", json=body) as response:
            payload = await response.text()
            if response.status != 200:
                raise ReplayError(f"{self.role} login refused: {response.status} {payload}")
        self.token = json.loads(payload)["access_token"]
        return self.token

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """``method path`` with a JSON ``body``; returns the decoded answer.

        ``key`` is sent as ``Idempotency-Key``. Raises :class:`ReplayError` on a status of
        400 or more (after one new login on a 401).
        """
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token}"}
            if key is not None:
                headers["Idempotency-Key"] = key
            async with self.session.request(
                method, path, json=body, headers=headers, params=params
            ) as response:
                text = await response.text()
                status = response.status
            if status == 401 and attempt == 1:
                await self.login()
                continue
            if status >= 400:
                raise ReplayError(f"{self.role}: {method} {path} -> {status} {text[:400]}")
            return json.loads(text) if text else None
        raise AssertionError("unreachable")


@dataclass
class Track:
    """One order in flight: its tickets as the kitchen sees them."""

    order_id: int
    expected_tickets: int
    sent_at: float = 0.0
    received: int = 0
    bumped: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def bump_done(self) -> None:
        """Count a bumped ticket; wakes the cashier once all are bumped."""
        self.bumped += 1
        if self.bumped >= self.expected_tickets:
            self.done.set()


@dataclass
class Stats:
    """What the replay measured (seconds)."""

    placement: list[float] = field(default_factory=list)
    ticket_latency: list[float] = field(default_factory=list)
    cycle: list[float] = field(default_factory=list)
    orders_done: int = 0
    tickets_bumped: int = 0
    tickets_missed: int = 0
    errors: list[str] = field(default_factory=list)


def report_figures(report: dict[str, Any]) -> Figures:
    """The ``orders``, ``items_sold``, ``net_sales`` of a ``GET R/reports/sales`` answer."""
    return Figures(report["orders"], report["items_sold"], report["net_sales"])


def difference(after: Figures, before: Figures) -> Figures:
    """``after - before``, figure by figure."""
    return Figures(
        after.orders - before.orders,
        after.items_sold - before.items_sold,
        after.net_sales - before.net_sales,
    )


def sku_map(menu: dict[str, Any]) -> dict[str, tuple[int, int, str]]:
    """``{sku: (menu_item_id, variation_id, station)}`` from a ``GET R/menu`` answer."""
    found = {}
    for category in menu["categories"]:
        for item in category["items"]:
            for variation in item["variations"]:
                found[variation["sku"]] = (item["id"], variation["id"], item["station"])
    return found


class Replay:
    """The replay of ``orders`` into restaurant ``restaurant_id`` at ``url``."""

    def __init__(
        self,
        url: str,
        restaurant_id: int,
        accounts: dict[str, Account],
        orders: list[DatasetOrder],
        *,
        concurrency: int = 8,
        kitchen_workers: int = 4,
        out: Callable[[str], None] = print,
    ) -> None:
        self.url = url.rstrip("/")
        self.rid = restaurant_id
        self.r = f"/api/v1/restaurants/{restaurant_id}"
        self.accounts = accounts
        self.orders = orders
        self.concurrency = concurrency
        self.kitchen_workers = kitchen_workers
        self.out = out
        self.stats = Stats()
        self.tracks: dict[int, Track] = {}
        self.bump_queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        self.last_seq: int | None = None
        self.run_id = secrets.token_hex(4)

    # --- the kitchen screen ------------------------------------------------------------

    def _on_ticket(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        seq = message.get("seq")
        if isinstance(seq, int):
            self.last_seq = max(seq, self.last_seq or 0)
        ticket = (message.get("data") or {}).get("ticket") or {}
        track = self.tracks.get(ticket.get("order_id", -1))
        if track is None:  # not one of ours: leave it to the restaurant's own kitchen
            return
        track.received += 1
        self.stats.ticket_latency.append(time.perf_counter() - track.sent_at)
        self.bump_queue.put_nowait((ticket["id"], track.order_id))

    async def _bump_worker(self, kitchen: Api) -> None:
        while True:
            ticket_id, order_id = await self.bump_queue.get()
            try:
                await kitchen.call("POST", f"{self.r}/kitchen/tickets/{ticket_id}/bump", {})
                self.stats.tickets_bumped += 1
                self.tracks[order_id].bump_done()
            except ReplayError as exc:
                self.stats.errors.append(str(exc))
            finally:
                self.bump_queue.task_done()

    async def _connect_kitchen(self, token: str) -> Any:
        import socketio

        sio = socketio.AsyncClient(reconnection=True, reconnection_attempts=5)
        sio.on("ticket.created", self._on_ticket, namespace=NAMESPACE)

        def auth() -> dict[str, Any]:
            data: dict[str, Any] = {"token": token, "restaurant_id": self.rid}
            if self.last_seq is not None:
                data["last_seq"] = self.last_seq  # resume: missed tickets are sent again
            return data

        await sio.connect(
            self.url,
            namespaces=[NAMESPACE],
            auth=auth,
            transports=["websocket"],
            wait_timeout=10,
        )
        return sio

    async def _rescue(self, kitchen: Api, track: Track) -> None:
        """Bump the open tickets of an order whose events did not arrive in time."""
        listing = await kitchen.call("GET", f"{self.r}/kitchen/tickets", params={"status": "open"})
        for ticket in listing["items"]:
            if ticket["order_id"] == track.order_id:
                self.stats.tickets_missed += 1
                await kitchen.call("POST", f"{self.r}/kitchen/tickets/{ticket['id']}/bump", {})
                track.bump_done()

    # --- the waiter and the cashier ------------------------------------------------------

    async def _one_order(
        self,
        order: DatasetOrder,
        skus: dict[str, tuple[int, int, str]],
        tables: asyncio.Queue[int],
        waiter: Api,
        kitchen: Api,
        cashier: Api,
    ) -> None:
        items = []
        stations = set()
        for pizza_id, (quantity, _price) in order.lines.items():
            item_id, variation_id, station = skus[pizza_id]
            stations.add(station)
            items.append(
                {"menu_item_id": item_id, "variation_id": variation_id, "quantity": quantity}
            )
        table_id = await tables.get()
        try:
            began = time.perf_counter()
            created = await waiter.call(
                "POST",
                f"{self.r}/orders",
                {"kind": "dine_in", "table_id": table_id, "covers": 1, "items": items},
                key=f"replay-{self.run_id}-{order.ref}",
            )
            track = Track(order_id=created["id"], expected_tickets=len(stations))
            self.tracks[track.order_id] = track
            track.sent_at = time.perf_counter()
            await waiter.call(
                "POST", f"{self.r}/orders/{track.order_id}/send", {"version": created["version"]}
            )
            self.stats.placement.append(time.perf_counter() - began)
            try:
                await asyncio.wait_for(track.done.wait(), TICKET_WAIT_SECONDS)
            except TimeoutError:
                await self._rescue(kitchen, track)
            check = await cashier.call("POST", f"{self.r}/orders/{track.order_id}/check", {})
            amount = check["total"] - check["paid_total"]
            await cashier.call(
                "POST",
                f"{self.r}/checks/{check['id']}/payments",
                {"method": "card", "amount": amount},
                key=f"replay-{self.run_id}-{order.ref}-pay",
            )
            self.stats.cycle.append(time.perf_counter() - began)
            self.stats.orders_done += 1
            self.tracks.pop(track.order_id, None)
        finally:
            tables.put_nowait(table_id)

    async def _tables(self, manager: Api) -> list[int]:
        listing = await manager.call("GET", f"{self.r}/tables")
        free = [t["id"] for t in listing["items"] if t["status"] == "free"]
        names = {t["name"] for t in listing["items"]}
        n = 1
        while len(free) < self.concurrency:
            name = f"Replay {n}"
            n += 1
            if name in names:
                continue
            created = await manager.call("POST", f"{self.r}/tables", {"name": name, "seats": 4})
            free.append(created["id"])
        return free[: self.concurrency]

    async def _sales(self, manager: Api, start: date, end: date) -> Figures:
        report = await manager.call(
            "GET",
            f"{self.r}/reports/sales",
            params={"start_date": start.isoformat(), "end_date": end.isoformat()},
        )
        return report_figures(report)

    async def run(self) -> tuple[Figures, Figures]:
        """Replay every order; returns ``(expected, added)`` figures."""
        expected = figures(self.orders)
        timeout = aiohttp.ClientTimeout(total=60)
        connector = aiohttp.TCPConnector(limit=4 * self.concurrency + 8)
        async with aiohttp.ClientSession(
            base_url=self.url, timeout=timeout, connector=connector
        ) as session:
            apis = {role: Api(session, account, role) for role, account in self.accounts.items()}
            for api in apis.values():
                await api.login()
            waiter, kitchen, cashier, manager = (
                apis["waiter"],
                apis["kitchen"],
                apis["cashier"],
                apis["manager"],
            )
            restaurant = await manager.call("GET", self.r)
            zone = ZoneInfo(restaurant["time_zone"])
            skus = sku_map(await waiter.call("GET", f"{self.r}/menu"))
            missing = sorted({p for o in self.orders for p in o.lines} - set(skus))
            if missing:
                raise ReplayError(f"the menu has no variation with SKU {', '.join(missing)}")
            tables: asyncio.Queue[int] = asyncio.Queue()
            for table_id in await self._tables(manager):
                tables.put_nowait(table_id)
            first_day = datetime.now(zone).date()
            before = await self._sales(manager, first_day, first_day)

            sio = await self._connect_kitchen(kitchen.token)
            workers = [
                asyncio.create_task(self._bump_worker(kitchen)) for _ in range(self.kitchen_workers)
            ]
            self.out(
                f"replaying {len(self.orders)} orders ({expected.items_sold} pizzas) with "
                f"{self.concurrency} in flight ..."
            )
            started = time.perf_counter()
            try:
                await self._drive(skus, tables, waiter, kitchen, cashier)
            finally:
                wall = time.perf_counter() - started
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                await sio.disconnect()
            # Up to the local date now, in case the replay crossed local midnight.
            after = await self._sales(manager, first_day, datetime.now(zone).date())
        self._print_speed(wall)
        return expected, difference(after, before)

    async def _drive(
        self,
        skus: dict[str, tuple[int, int, str]],
        tables: asyncio.Queue[int],
        waiter: Api,
        kitchen: Api,
        cashier: Api,
    ) -> None:
        """Run the orders in time order, ``concurrency`` at a time; stop at the first
        error (raised as :class:`ReplayError`)."""
        pending: set[asyncio.Task[None]] = set()
        try:
            for order in self.orders:
                while len(pending) >= self.concurrency:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        task.result()
                pending.add(
                    asyncio.create_task(
                        self._one_order(order, skus, tables, waiter, kitchen, cashier)
                    )
                )
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def _print_speed(self, wall: float) -> None:
        s = self.stats
        place = sorted(v * 1000 for v in s.placement)
        ticket = sorted(v * 1000 for v in s.ticket_latency)
        cycle = sorted(v * 1000 for v in s.cycle)
        self.out(
            f"{s.orders_done} orders in {wall:.1f} s: {s.orders_done / wall:.1f} orders/s; "
            f"{s.tickets_bumped} tickets bumped"
            + (f" ({s.tickets_missed} not received over Socket.IO)" if s.tickets_missed else "")
        )
        self.out(
            f"order placement (create + send): p50 {percentile(place, 0.5):.1f} ms, "
            f"p99 {percentile(place, 0.99):.1f} ms"
        )
        self.out(
            f"send -> ticket received by the kitchen: p50 {percentile(ticket, 0.5):.1f} ms, "
            f"p99 {percentile(ticket, 0.99):.1f} ms"
        )
        self.out(
            f"whole cycle (open .. paid): p50 {percentile(cycle, 0.5):.1f} ms, "
            f"p99 {percentile(cycle, 0.99):.1f} ms"
        )


def compare(expected: Figures, added: Figures, out: Callable[[str], None] = print) -> bool:
    """Print the dataset's figures next to what the sales report gained; True if equal."""
    out(f"{'':<12}{'orders':>10}{'pizzas':>10}{'net sales':>14}")
    for name, f in (("dataset", expected), ("report", added)):
        out(f"{name:<12}{f.orders:>10}{f.items_sold:>10}{f.net_sales / 100:>14,.2f}")
    match = expected == added
    out("MATCH" if match else "MISMATCH")
    return match


def _account(value: str | None, default: Account) -> Account:
    if not value:
        return default
    username, sep, password = value.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError("expected USER:PASSWORD")
    return Account(username, password)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.replay", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--self-test", action="store_true", help="start a server and check")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username")
    parser.add_argument("--password")
    for role in ("waiter", "kitchen", "cashier", "manager"):
        parser.add_argument(f"--{role}", metavar="USER:PASSWORD", help=f"the {role}'s login")
    parser.add_argument("--restaurant-id", type=int)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2015, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2015, 1, 7))
    parser.add_argument(
        "--data",
        type=Path,
        help="folder of the four CSVs or a 05-pizzaplace.csv (default: great-tables')",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="orders in flight")
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="give up after this many seconds"
    )
    args = parser.parse_args(argv)
    if not args.self_test:
        if args.restaurant_id is None:
            parser.error("--restaurant-id is required (or --self-test)")
        default = Account(args.username or "", args.password or "")
        try:
            args.accounts = {
                role: _account(getattr(args, role), default)
                for role in ("waiter", "kitchen", "cashier", "manager")
            }
        except argparse.ArgumentTypeError as exc:
            parser.error(str(exc))
        if any(not a.username for a in args.accounts.values()):
            parser.error("give --username/--password, or a login for every role")
    if args.end < args.start or not 1 <= args.concurrency <= 256:
        parser.error("--end before --start, or --concurrency outside 1..256")
    return args


async def replay(
    url: str,
    restaurant_id: int,
    accounts: dict[str, Account],
    orders: list[DatasetOrder],
    concurrency: int,
    out: Callable[[str], None] = print,
) -> bool:
    """Replay ``orders`` and compare; True on a match."""
    runner = Replay(url, restaurant_id, accounts, orders, concurrency=concurrency, out=out)
    expected, added = await runner.run()
    if runner.stats.errors:
        out(f"{len(runner.stats.errors)} errors; first: {runner.stats.errors[0]}")
    return compare(expected, added, out) and not runner.stats.errors


async def self_test(args: argparse.Namespace) -> bool:
    """Start Brigade on a temp SQLite database, set up the pizza place with no history,
    replay ``--start..--end`` and check the match. The server is stopped at the end."""
    import httpx

    from bench import harness

    with tempfile.TemporaryDirectory(prefix="brigade-replay-") as tmp:
        workdir = Path(tmp)
        print("self-test: a fresh SQLite database, the pizza place's menu, staff logins ...")
        db = await harness.prepare_database("sqlite", workdir)
        setup = await harness.create_restaurant(db.url)
        server = harness.start_server(
            "brigade", "brigade.asgi:app", env=harness.brigade_env(db, workdir), log_dir=workdir
        )
        try:
            await harness.wait_ready(server, "/healthz")
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                owner = await harness.login(client, setup.staff["owner"], setup.password)
                client.headers["Authorization"] = f"Bearer {owner}"
                await harness.create_tables(client, setup.restaurant_id, args.concurrency)
            accounts = {
                role: Account(setup.staff[role], setup.password)
                for role in ("waiter", "kitchen", "cashier")
            }
            accounts["manager"] = Account(setup.staff["owner"], setup.password)
            orders = await asyncio.to_thread(load_orders, args.data, args.start, args.end)
            print(f"server {server.url}, restaurant {setup.restaurant_id}")
            return await replay(server.url, setup.restaurant_id, accounts, orders, args.concurrency)
        except Exception:
            print(server.log_tail(40), file=sys.stderr)
            raise
        finally:
            server.stop()


async def main(argv: list[str] | None = None) -> int:
    """Run the replay (or the self-test); 0 on MATCH, 1 on MISMATCH, 2 on an error."""
    args = parse_args(argv)
    job: Awaitable[bool]
    if args.self_test:
        job = self_test(args)
    else:
        orders = await asyncio.to_thread(load_orders, args.data, args.start, args.end)
        job = replay(args.url, args.restaurant_id, args.accounts, orders, args.concurrency)
    try:
        async with asyncio.timeout(args.timeout):
            ok = await job
    except (ReplayError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        print(f"replay failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
