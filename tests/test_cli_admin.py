"""``brigade migrate`` and ``brigade create-admin`` on a fresh SQLite data folder, then a
login through the app as that admin."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from typer.testing import CliRunner, Result

from brigade.app import create_app
from brigade.cli import app as cli
from brigade.infra.settings import Settings

PASSWORD = "a long admin password"


@pytest.fixture
def cli_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder chosen through the environment, as a user would."""
    monkeypatch.setenv("BRIGADE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRIGADE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("BRIGADE_SECRET_KEY", raising=False)
    monkeypatch.delenv("BRIGADE_REDIS_URL", raising=False)
    return tmp_path


async def run_cli(*args: str) -> Result:
    """Invoke the CLI in a worker thread (it runs its own event loop)."""
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args))


async def login(username: str, password: str) -> tuple[int, dict[str, object]]:
    app = create_app(Settings())
    try:
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response = await client.post(
                "/api/v1/auth/login", json={"username": username, "password": password}
            )
            if response.status_code != 200:
                return response.status_code, response.json()
            token = response.json()["access_token"]
            me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            return me.status_code, me.json()
    finally:
        await app.state.runtime.db.dispose()


async def test_create_admin_then_log_in(cli_data_dir: Path) -> None:
    migrated = await run_cli("migrate")
    assert migrated.exit_code == 0, migrated.output

    created = await run_cli("create-admin", "--username", "boss", "--password", PASSWORD)

    assert created.exit_code == 0, created.output
    assert "boss" in created.output
    status, me = await login("boss", PASSWORD)
    assert status == 200, me
    assert me["username"] == "boss"
    assert me["is_admin"] is True
    assert me["memberships"] == []
    assert (cli_data_dir / "secret.key").exists()
    wrong_status, _ = await login("boss", "not the password")
    assert wrong_status == 401


async def test_username_taken(cli_data_dir: Path) -> None:
    assert (await run_cli("migrate")).exit_code == 0
    assert (
        await run_cli("create-admin", "--username", "boss", "--password", PASSWORD)
    ).exit_code == 0

    again = await run_cli("create-admin", "--username", "boss", "--password", "another password")

    assert again.exit_code == 1
    assert "taken" in again.output
    status, _ = await login("boss", PASSWORD)
    assert status == 200


async def test_short_password_is_refused(cli_data_dir: Path) -> None:
    assert (await run_cli("migrate")).exit_code == 0

    result = await run_cli("create-admin", "--username", "boss", "--password", "short")

    assert result.exit_code == 2
    status, body = await login("boss", "short")
    assert status == 401, body
