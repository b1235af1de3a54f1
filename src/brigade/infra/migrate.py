"""Run the Alembic migrations shipped in ``brigade/migrations`` programmatically."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

MIGRATIONS_DIR = Path(__file__).parents[1] / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config for ``database_url`` (async URL) without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at ``database_url`` to ``revision`` (blocking).

    Creates the SQLite file's folder when needed.
    """
    if database_url.startswith("sqlite") and ":///" in database_url:
        path = database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    """The newest migration shipped with this version of Brigade."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


async def current_revision(connection: AsyncConnection) -> str | None:
    """The revision the connected database is at (``None`` if never migrated)."""

    def _current(sync_connection: object) -> str | None:
        context = MigrationContext.configure(sync_connection)  # type: ignore[arg-type]
        return context.get_current_revision()

    return await connection.run_sync(_current)
