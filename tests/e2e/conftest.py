"""End-to-end harness: a real Brigade server with the demo restaurant, driven by Chromium.

One server for the package (started by the first e2e test, stopped after the last):
``brigade demo --port <free port>`` as a subprocess in a temporary ``BRIGADE_DATA_DIR``
(it migrates, imports the pizza place, writes ``demo-logins.json`` and serves the built
web app from ``web/dist``). With
``BRIGADE_TEST_DATABASE=postgresql`` it runs on its own PostgreSQL database
(``BRIGADE_TEST_E2E_POSTGRES_DB``, default ``brigade_e2e``, dropped and recreated) on the
server of ``BRIGADE_TEST_POSTGRES_URL``.

One browser for the package: Debian's Chromium (``/usr/bin/chromium``, see
``scripts/ensure-chromium.sh``) driven by Playwright's async API, headless; each role gets
its own browser context (its own storage, so its own sign-in) at tablet size, 1024×768.
Every wait is bounded: server start-up, page actions (``ACTION_TIMEOUT_MS``) and
assertions (``EXPECT_TIMEOUT_MS``).

Screenshots of each screen (:func:`screenshot`) go to the folder named by
``BRIGADE_SCREENSHOTS_DIR`` (``make screenshots`` points it at ``docs/img/screens/``, the
pictures docs/web.md shows); without it, to a temporary folder of the run, so that
``make test`` leaves the work tree as it found it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    async_playwright,
    expect,
)
from sqlalchemy.engine import make_url

from tests.conftest import postgres_url, test_database_kind

ROOT = Path(__file__).resolve().parents[2]
#: The built web app the server serves (``make web``); ``BRIGADE_TEST_WEB_DIR`` may point
#: at another build (e.g. ``npx vite build --outDir /tmp/x``) while developing.
WEB_DIST = Path(os.environ.get("BRIGADE_TEST_WEB_DIR", ROOT / "web" / "dist"))
#: Where :func:`screenshot` writes when ``BRIGADE_SCREENSHOTS_DIR`` names no folder: a
#: temporary folder of the run (set by the ``screenshots_dir`` fixture).
SCREENSHOTS_ENV = "BRIGADE_SCREENSHOTS_DIR"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHROMIUM = Path(os.environ.get("BRIGADE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Tablet and phone viewports (CSS pixels).
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
#: Upper bound of the server's start-up (migrate + import the pizza place + serve), s.
STARTUP_TIMEOUT_S = 180.0
#: Upper bound of one page action (click, fill, navigation), ms.
ACTION_TIMEOUT_MS = 15_000
#: Upper bound of one `expect(...)` assertion, ms (a realtime update arrives well within it).
EXPECT_TIMEOUT_MS = 10_000

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoServer:
    """A running demo server: ``base_url`` (``http://127.0.0.1:<port>``), the demo
    restaurant's id and each role's ``(username, password)``."""

    base_url: str
    restaurant_id: int
    logins: dict[str, tuple[str, str]]
    log_path: Path

    def api(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Call ``/api/v1{path}`` and return its JSON; raises ``AssertionError`` with the
        problem+json body on a status ≥ 400. Blocking; for set-up and checks only."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            f"{self.base_url}/api/v1{path}", data=data, method=method
        )
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path} -> {exc.code}: {exc.read().decode()}") from exc
        return json.loads(raw) if raw else None

    def table_id(self, token: str, name: str) -> int:
        """The id of the demo table called ``name`` (``"1"`` … ``"12"``)."""
        tables = self.api("GET", f"/restaurants/{self.restaurant_id}/tables", token=token)
        return int(next(t["id"] for t in tables["items"] if t["name"] == name))

    def line(
        self,
        token: str,
        item: str,
        size: str,
        quantity: int = 1,
        modifiers: tuple[str, ...] = (),
        **extra: Any,
    ) -> dict[str, Any]:
        """An order line (OrderCreate's item) of the menu item named ``item`` in size
        ``size`` with the modifiers named ``modifiers``; ``extra`` adds fields (notes, course)."""
        menu = self.api("GET", f"/restaurants/{self.restaurant_id}/menu", token=token)
        found = next(i for c in menu["categories"] for i in c["items"] if i["name"] == item)
        variation = next(v["id"] for v in found["variations"] if v["name"] == size)
        by_name = {m["name"]: m["id"] for g in found["modifier_groups"] for m in g["modifiers"]}
        return {
            "menu_item_id": found["id"],
            "variation_id": variation,
            "quantity": quantity,
            "modifier_ids": [by_name[m] for m in modifiers],
            **extra,
        }

    def place_order(self, token: str, table_name: str, items: list[dict[str, Any]]) -> Any:
        """Open a dine-in order at table ``table_name`` with ``items`` (OrderCreate lines)
        and send it (course 1 fires); returns the sent order's JSON."""
        rid = self.restaurant_id
        order = self.api(
            "POST",
            f"/restaurants/{rid}/orders",
            token=token,
            headers={"Idempotency-Key": uuid.uuid4().hex},
            body={
                "kind": "dine_in",
                "table_id": self.table_id(token, table_name),
                "covers": 2,
                "items": items,
            },
        )
        return self.api("POST", f"/restaurants/{rid}/orders/{order['id']}/send", token=token)

    def token(self, role: str) -> str:
        """A fresh access token of the demo login of ``role``."""
        username, password = self.logins[role]
        answer = self.api("POST", "/auth/login", body={"username": username, "password": password})
        return str(answer["access_token"])

    def settle_open_orders(self, token: str) -> None:
        """Close every order a test left open, as the owner whose ``token`` is given: an
        order with nothing fired is cancelled, any other is paid by card (its balance),
        and every open kitchen ticket is bumped, so the next test finds the demo's twelve
        tables free and the kitchen screen empty (the tests share one server)."""
        base = f"/restaurants/{self.restaurant_id}"
        tickets = self.api("GET", f"{base}/kitchen/tickets?limit=200", token=token)
        for ticket in tickets["items"]:
            self.api("POST", f"{base}/kitchen/tickets/{ticket['id']}/bump", token=token)
        listed = self.api("GET", f"{base}/orders?status=open&limit=200", token=token)
        for order in listed["items"]:
            try:
                self.api(
                    "POST",
                    f"{base}/orders/{order['id']}/cancel",
                    token=token,
                    body={"reason": "left open by a browser test"},
                )
                continue
            except AssertionError:
                pass  # fired lines or a check: pay it instead
            opened = self.api("POST", f"{base}/orders/{order['id']}/check", token=token)
            check = opened.get("check", opened)
            if check["balance"] > 0:
                self.api(
                    "POST",
                    f"{base}/checks/{check['id']}/payments",
                    token=token,
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                    body={"method": "card", "amount": check["balance"]},
                )


async def eventually(
    read: Callable[[], Any], done: Callable[[Any], bool], *, seconds: float = 10.0
) -> Any:
    """``read()`` again every 0.1 s until ``done`` holds of its answer, which is returned;
    the last answer after ``seconds``. For the server's side of what the screen shows at
    once (the pad's outbox sends after the screen has moved on)."""
    answer = read()
    deadline = time.monotonic() + seconds
    while not done(answer) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        answer = read()
    return answer


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _recreate_postgres_database(url: str) -> None:
    """Drop and create the database named by ``url`` (connecting to ``postgres``)."""
    import asyncpg

    parsed = make_url(url)
    name = parsed.database
    assert name, "the PostgreSQL URL names no database"
    assert name.replace("_", "").isalnum(), f"unexpected database name {name!r}"
    admin_dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    try:
        admin = await asyncpg.connect(admin_dsn, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.exit(f"PostgreSQL at {admin_dsn} cannot be reached: {exc}", returncode=3)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def _e2e_database_url() -> str | None:
    """The PostgreSQL URL of the e2e server's own database, or None for SQLite."""
    if test_database_kind() != "postgresql":
        return None
    name = os.environ.get("BRIGADE_TEST_E2E_POSTGRES_DB", "brigade_e2e")
    url = make_url(postgres_url()).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_recreate_postgres_database(url))
    return url


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    """Poll ``/readyz`` until it answers 200; fail with the server's log otherwise."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"brigade demo exited with {process.returncode} before it was ready:\n"
                + _tail(log_path)
            )
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.25)
    pytest.fail(
        f"brigade demo was not ready within {STARTUP_TIMEOUT_S:.0f} s ({last_error}):\n"
        + _tail(log_path)
    )


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s (the server is our own child)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="package")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """``brigade demo`` on a free port of 127.0.0.1 with its own data dir (and its own
    PostgreSQL database when the suite runs on PostgreSQL); stopped after the last e2e test."""
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail(f"{WEB_DIST}/index.html is missing: build the web app with `make web` first")
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIGADE_")}
    env.update(
        BRIGADE_DATA_DIR=str(data_dir),
        BRIGADE_WEB_DIR=str(WEB_DIST),
        BRIGADE_PUBLIC_URL=base_url,
        PYTHONUNBUFFERED="1",
    )
    database_url = _e2e_database_url()
    if database_url is not None:
        env["BRIGADE_DATABASE_URL"] = database_url
    brigade = Path(sys.executable).parent / "brigade"
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list
            [str(brigade), "demo", "--host", "127.0.0.1", "--port", str(port)],
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(process, base_url, log_path)
        raw = json.loads((data_dir / "demo-logins.json").read_text())
        logins = {x["role"]: (x["username"], x["password"]) for x in raw["logins"]}
        yield DemoServer(base_url, int(raw["restaurant_id"]), logins, log_path)
    finally:
        _stop(process)


# --------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def settling_token(demo_server: DemoServer) -> Callable[[], str]:
    """The owner's access token for :meth:`DemoServer.settle_open_orders`, renewed every
    ten minutes (one login, not one per test: logins are rate-limited per account)."""
    held: dict[str, tuple[float, str]] = {}

    def get() -> str:
        now = time.monotonic()
        if "owner" not in held or now - held["owner"][0] > 600:
            held["owner"] = (now, demo_server.token("owner"))
        return held["owner"][1]

    return get


@pytest.fixture(autouse=True)
def free_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each browser test that used the demo server, close the orders it left open
    (:meth:`DemoServer.settle_open_orders`)."""
    if "demo_server" not in request.fixturenames:
        yield
        return
    demo_server: DemoServer = request.getfixturevalue("demo_server")
    token: Callable[[], str] = request.getfixturevalue("settling_token")
    yield
    demo_server.settle_open_orders(token())


@pytest.fixture(scope="package")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def chromium() -> Path:
    """Debian's Chromium executable (``scripts/ensure-chromium.sh`` installs it)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh")
    return CHROMIUM


@pytest.fixture(scope="package")
async def browser(playwright: Playwright, chromium: Path) -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, one for all the e2e tests."""
    browser = await playwright.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS, timeout=60_000
    )
    try:
        yield browser
    finally:
        await browser.close()


NewContext = Callable[..., Awaitable[BrowserContext]]


@pytest.fixture
async def new_context(browser: Browser, demo_server: DemoServer) -> AsyncIterator[NewContext]:
    """Factory of fresh browser contexts (tablet size unless ``viewport=`` says otherwise)
    on the demo server; all closed after the test."""
    contexts: list[BrowserContext] = []

    async def make(viewport: dict[str, int] | None = None) -> BrowserContext:
        context = await browser.new_context(
            base_url=demo_server.base_url,
            viewport=viewport or TABLET,  # type: ignore[arg-type]
            locale="en-US",
            timezone_id="UTC",
            color_scheme="light",
            reduced_motion="reduce",
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()


SignIn = Callable[..., Awaitable[Page]]


@pytest.fixture
async def sign_in(new_context: NewContext, demo_server: DemoServer) -> SignIn:
    """``await sign_in("waiter")`` → a page of a new context, signed in through the login
    form as that demo role, on the screen the app opened (its landing screen)."""

    async def do(role: str, viewport: dict[str, int] | None = None) -> Page:
        context = await new_context(viewport)
        page = await context.new_page()
        username, password = demo_server.logins[role]
        await page.goto("/login")
        await page.get_by_label("Username").fill(username)
        await page.get_by_label("Password").fill(password)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    return do


_screenshots: list[Path] = []


@pytest.fixture(scope="package", autouse=True)
def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder :func:`screenshot` writes to: ``$BRIGADE_SCREENSHOTS_DIR`` (relative to
    the repository root; ``make screenshots`` gives ``docs/img/screens``), else a
    temporary folder of this run."""
    named = os.environ.get(SCREENSHOTS_ENV, "").strip()
    folder = ROOT / named if named else tmp_path_factory.mktemp("screens")
    folder.mkdir(parents=True, exist_ok=True)
    _screenshots.append(folder)
    try:
        yield folder
    finally:
        _screenshots.remove(folder)


def png_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` in pixels of the PNG file at ``path`` (from its IHDR chunk);
    raises ``AssertionError`` when the file is not a PNG."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


async def screenshot(page: Page, name: str) -> None:
    """Save the page's viewport, as a person sees it, as ``<name>.png`` in the
    ``screenshots_dir`` folder, and check that a PNG of the viewport's size was written."""
    assert _screenshots, "screenshot() runs inside the e2e package only"
    path = _screenshots[-1] / f"{name}.png"
    path.unlink(missing_ok=True)
    await page.screenshot(path=str(path), animations="disabled", caret="hide")
    viewport = page.viewport_size
    assert viewport is not None
    assert png_size(path) == (viewport["width"], viewport["height"]), path
