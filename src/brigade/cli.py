"""The ``brigade`` command line (Typer + Rich)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from brigade.settings import Settings

app = typer.Typer(help="Brigade: restaurant ordering server.", no_args_is_help=True)
console = Console()


@app.command()
def migrate() -> None:
    """Bring the database of BRIGADE_DATABASE_URL to the newest migration."""
    from brigade.migrate import upgrade

    settings = Settings()
    upgrade(settings.resolved_database_url)
    console.print(f"[green]migrated[/green] {settings.resolved_database_url}")


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="Login name of the platform admin.")],
    password: Annotated[
        str, typer.Option(help="At least 8 characters.", prompt=True, hide_input=True)
    ],
) -> None:
    """Create a platform admin (who creates restaurants and may act in all of them)."""
    from brigade.auth.exceptions import UsernameTaken
    from brigade.auth.service import create_user
    from brigade.db import Database, unit_of_work

    if len(password) < 8:
        console.print("[red]password must have at least 8 characters[/red]")
        raise typer.Exit(2)
    settings = Settings()

    async def run() -> None:
        db = Database(settings.resolved_database_url)
        try:
            async with unit_of_work(db, None) as session:
                await create_user(session, username=username, password=password, is_admin=True)
        finally:
            await db.dispose()

    try:
        asyncio.run(run())
    except UsernameTaken:
        console.print(f"[red]username {username!r} is taken[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]admin {username!r} created[/green]")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (needs Redis if > 1).")] = 1,
) -> None:
    """Serve the API, the realtime channel and the web app with uvicorn."""
    import uvicorn

    uvicorn.run(
        "brigade.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
    )


if __name__ == "__main__":  # pragma: no cover
    app()
