"""``BRIGADE_DATABASE_POOL_SIZE``: how many connections a worker keeps to PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from brigade.app import create_app
from brigade.infra.db import POOL_SIZE
from brigade.infra.settings import Settings

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def pool_size(settings: Settings) -> int:
    app = create_app(settings)
    size: int = app.state.runtime.db.engine.pool.size()
    return size


def test_the_pool_size_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BRIGADE_DATABASE_URL", POSTGRES_URL)
    monkeypatch.setenv("BRIGADE_DATA_DIR", str(tmp_path))
    assert pool_size(Settings()) == POOL_SIZE
    monkeypatch.setenv("BRIGADE_DATABASE_POOL_SIZE", "5")
    assert pool_size(Settings()) == 5


def test_a_pool_of_no_connections_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIGADE_DATABASE_POOL_SIZE", "0")
    with pytest.raises(ValidationError, match="database_pool_size"):
        Settings()
