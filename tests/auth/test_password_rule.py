"""The password rule wherever a password is set: a new restaurant's owner (HTTP), the
platform admin's ``brigade create-admin``, ``set_password`` and ``create_user`` (demo,
imports, bench). Staff creation over HTTP is in ``tests/restaurants/test_staff.py``.

A password is refused when blank (only whitespace), shorter than 8 characters, or on
the shipped list of common passwords, compared case-insensitively.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from brigade.auth.exceptions import WeakPassword
from brigade.auth.models import User
from brigade.auth.service import common_passwords, create_user, set_password
from brigade.cli import app as cli
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_user, unique

API = "/api/v1"
WEAK = ["        ", "12345678", "password", "PASSWORD", "Qwerty123", "abc1234"]
STRONG = "plates up at nine, Luigi"


async def restaurant_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Restaurant)) or 0)


def test_the_list_ships_with_the_package_and_is_long_enough_to_matter() -> None:
    common = common_passwords()
    assert len(common) > 5_000
    assert {"password", "12345678", "iloveyou", "qwerty123"} <= common
    assert all(len(p) >= 8 and p == p.lower() for p in common)


@pytest.mark.parametrize("password", WEAK)
async def test_a_new_restaurants_owner_needs_a_good_password(
    client: AsyncClient, session: AsyncSession, runtime: Runtime, password: str
) -> None:
    admin = await make_user(session, runtime, is_admin=True)
    before = await restaurant_count(session)
    username = unique("owner")

    response = await client.post(
        f"{API}/restaurants",
        json={
            "name": "Chez Test",
            "slug": unique("chez"),
            "tax_rate_bp": 0,
            "owner": {"username": username, "password": password},
        },
        headers=admin.headers,
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/weak-password"), body
    assert body["detail"]
    assert await restaurant_count(session) == before
    assert await session.scalar(select(User.id).where(User.username == username)) is None


def test_the_detail_says_why() -> None:
    from brigade.auth.service import validate_password

    reasons = {}
    for password in ("        ", "abc1234", "Password1"):
        with pytest.raises(WeakPassword) as raised:
            validate_password(password)
        reasons[password] = str(raised.value.detail)

    assert "blank" in reasons["        "]
    assert "8 characters" in reasons["abc1234"]
    assert "common" in reasons["Password1"]
    assert validate_password(STRONG) == STRONG


@pytest.mark.parametrize("password", ["        ", "12345678", "password"])
async def test_set_password_refuses_and_keeps_the_old_one(
    session: AsyncSession, password: str
) -> None:
    user = await create_user(session, username=unique("rita"), password=PASSWORD)
    before = user.password_hash

    with pytest.raises(WeakPassword):
        await set_password(session, user.id, password)

    stored = await session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored == before


@pytest.mark.parametrize("password", ["        ", "12345678", "password"])
async def test_create_user_refuses(session: AsyncSession, password: str) -> None:
    username = unique("weak")

    with pytest.raises(WeakPassword):
        await create_user(session, username=username, password=password)

    assert await session.scalar(select(User.id).where(User.username == username)) is None


@pytest.fixture
def cli_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite data folder chosen through the environment."""
    monkeypatch.setenv("BRIGADE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRIGADE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("BRIGADE_SECRET_KEY", raising=False)
    return tmp_path


async def run_cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args))


async def test_create_admin_refuses_weak_passwords(cli_data_dir: Path) -> None:
    assert (await run_cli("migrate")).exit_code == 0

    for password in ("12345678", "        ", "password"):
        result = await run_cli("create-admin", "--username", "boss", "--password", password)
        assert result.exit_code == 2, result.output
        assert "password" in result.output
    created = await run_cli("create-admin", "--username", "boss", "--password", STRONG)
    assert created.exit_code == 0, created.output
