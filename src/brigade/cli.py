"""The ``brigade`` command line (Typer + Rich)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from brigade.infra.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from brigade.imports.history import ImportReport

app = typer.Typer(help="Brigade: restaurant ordering server.", no_args_is_help=True)
import_app = typer.Typer(help="Import public data sets into a restaurant.", no_args_is_help=True)
app.add_typer(import_app, name="import")
console = Console()
_Report = TypeVar("_Report")


@app.command()
def migrate() -> None:
    """Bring the database of BRIGADE_DATABASE_URL to the newest migration."""
    from brigade.infra.migrate import upgrade

    settings = Settings()
    upgrade(settings.resolved_database_url)
    console.print(f"[green]migrated[/green] {settings.resolved_database_url}")


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="Login name of the platform admin.")],
    password: Annotated[
        str,
        typer.Option(
            help="At least 8 characters, not blank, not a common password.",
            prompt=True,
            hide_input=True,
        ),
    ],
) -> None:
    """Create a platform admin (who creates restaurants and may act in all of them)."""
    from brigade.auth.exceptions import UsernameTaken, WeakPassword
    from brigade.auth.service import create_user, validate_password
    from brigade.events.unit_of_work import unit_of_work
    from brigade.infra.db import Database

    try:
        validate_password(password)
    except WeakPassword as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
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
        # uvicorn's own would believe X-Forwarded-For from any loopback peer; the app
        # reads it only from BRIGADE_TRUSTED_PROXIES (brigade.app.create_app).
        proxy_headers=False,
    )


def openapi_json() -> str:
    """The app's OpenAPI document as stable JSON text (sorted keys, 2-space indent, a
    final newline): what ``web/openapi.json`` holds and the web client is generated from.

    Built from ``create_app()`` with an in-memory SQLite URL, so nothing is read from or
    written to the data dir.
    """
    import json

    from brigade.app import create_app

    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@app.command()
def openapi(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
) -> None:
    """Print the API's OpenAPI document as JSON (sorted keys, stable between runs)."""
    text = openapi_json()
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    console.print(f"[green]wrote[/green] {output}", highlight=False)


@contextmanager
def _progress_bar(description: str) -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar; yields the ``progress(stage, done, total)`` callback."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(_stage: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


PizzaPlacePath = Annotated[
    Path | None,
    typer.Argument(
        help="Folder with orders.csv, order_details.csv, pizzas.csv and pizza_types.csv, "
        "or great-tables' 05-pizzaplace.csv; default: that file of the installed "
        "great-tables package.",
        show_default=False,
    ),
]


def _run_import(write: Callable[[AsyncSession], Awaitable[_Report]]) -> _Report:
    """Run ``write`` in one unit of work on the configured database, after checking it
    exists and is migrated to the newest revision (else :class:`typer.BadParameter`)."""
    from sqlalchemy.exc import DBAPIError

    from brigade.events.unit_of_work import unit_of_work
    from brigade.infra.db import Database
    from brigade.infra.migrate import current_revision, head_revision

    settings = Settings()
    url = settings.resolved_database_url
    if settings.is_sqlite and ":///" in url and not Path(url.split(":///", 1)[1]).exists():
        raise typer.BadParameter(f"{url} does not exist yet: run `brigade migrate` first")

    async def run() -> _Report:
        db = Database(url)
        try:
            try:
                async with db.engine.connect() as connection:
                    revision = await current_revision(connection)
            except DBAPIError as exc:
                raise typer.BadParameter(
                    f"cannot open the database ({exc.orig}); run `brigade migrate` first"
                ) from None
            if revision != head_revision():
                raise typer.BadParameter(
                    "the database is not at the newest migration: run `brigade migrate`"
                )
            async with unit_of_work(db, None) as session:
                return await write(session)
        finally:
            await db.dispose()

    return asyncio.run(run())


@contextmanager
def _import_errors() -> Iterator[None]:
    """Print an import's error (bad source, conflict, database) in red and exit with 2."""
    from brigade.infra.errors import BrigadeError

    try:
        yield
    except BrigadeError as exc:
        console.print(f"[red]{exc.detail or exc.title}[/red]")
        raise typer.Exit(2) from None
    except typer.BadParameter as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@import_app.command("pizza-place")
def import_pizza_place_command(
    path: PizzaPlacePath = None,
    time_zone: Annotated[
        str | None,
        typer.Option(
            "--time-zone",
            help="IANA time zone of the local dates and times when the restaurant is "
            "created.  [default: America/New_York]",
            show_default=False,
        ),
    ] = None,
    restaurant: Annotated[
        str, typer.Option("--restaurant", help="Slug of the restaurant to create or reuse.")
    ] = "pizza-place",
) -> None:
    """Import the pizza place's menu and its 21,350 orders of 2015 (idempotent)."""
    from brigade.imports.pizza_place import import_pizza_place, load_pizza_place

    with _import_errors():
        with console.status("reading the pizza place data"):
            data = load_pizza_place(path)
        console.print(
            f"read {len(data.orders):,} orders, {data.line_count:,} lines, "
            f"{len(data.pizzas)} sizes of {len(data.types)} pizzas ({data.shape}: {data.source})"
        )
        with _progress_bar("importing orders") as progress:
            report = _run_import(
                lambda session: import_pizza_place(
                    session, data, slug=restaurant, time_zone=time_zone, progress=progress
                )
            )
    _print_import_report(report)


@import_app.command("orders")
def import_orders_command(
    folder: Annotated[
        Path, typer.Argument(help="Folder holding the export's CSV files.", show_default=False)
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="TOML file naming the files and columns (docs/examples/ has examples).",
            show_default=False,
        ),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="SECTION.FIELD=VALUE, over the mapping file or without one: "
            "--set lines.file=sales.csv --set lines.order=ticket "
            "--set format.date=%d/%m/%Y --set restaurant.slug=my-cafe (repeatable).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import a menu and an order history from another system's CSV files (idempotent)."""
    from brigade.imports.csv_orders import import_csv_history, load_csv_history, load_mapping

    pairs: dict[str, str] = {}
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            console.print(f"[red]--set {item!r}: expected SECTION.FIELD=VALUE[/red]")
            raise typer.Exit(2)
        pairs[key.strip()] = value
    with _import_errors():
        described = load_mapping(mapping, pairs)
        with console.status(f"reading {folder}"):
            data = load_csv_history(folder, described)
        console.print(
            f"read {len(data.orders):,} orders, {data.line_count:,} lines "
            f"({data.missing_items:,} without an item), {len(data.menu)} menu entries "
            f"from {data.source}"
        )
        with _progress_bar("importing orders") as progress:
            report = _run_import(
                lambda session: import_csv_history(session, data, described, progress=progress)
            )
    _print_import_report(report)


def _print_import_report(report: ImportReport) -> None:
    """Print what an import did and how long it took."""
    if not report.changed:
        console.print(
            f"[green]nothing to do[/green]: restaurant {report.restaurant_id} already has "
            f"these {report.orders_skipped:,} orders and the menu "
            f"({report.seconds:.1f} s)"
        )
        return
    created = "created" if report.restaurant_created else "reused"
    console.print(
        f"[green]imported[/green] into restaurant {report.restaurant_id} ({created}): "
        f"{report.categories_created} categories, {report.items_created} items, "
        f"{report.variations_created} sizes, {report.orders_created:,} orders, "
        f"{report.lines_created:,} lines; "
        f"{report.orders_skipped:,} orders were already there; in {report.seconds:.1f} s"
    )


@app.command()
def demo(
    path: PizzaPlacePath = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Migrate, load the pizza place with a floor and staff logins, print them, serve."""
    from brigade.imports.demo import setup_demo
    from brigade.infra.errors import BrigadeError

    settings = Settings()
    try:
        with _progress_bar("importing the pizza place") as progress:
            result = setup_demo(settings, path, progress=progress)
    except BrigadeError as exc:
        console.print(f"[red]{exc.detail or exc.title}[/red]")
        raise typer.Exit(2) from None
    _print_import_report(result.import_report)
    table = Table(title=f"The Pizza Place (restaurant {result.restaurant_id}): demo logins")
    table.add_column("role")
    table.add_column("username")
    table.add_column("password")
    for login in result.logins:
        table.add_row(login.role, login.username, login.password)
    console.print(table)
    console.print(f"logins kept in {result.logins_file}; API docs at http://{host}:{port}/docs")
    serve(host=host, port=port, workers=1)


if __name__ == "__main__":  # pragma: no cover
    app()
