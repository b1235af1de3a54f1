"""Commands a connected client may send over the socket, and how they are run.

A command is a Socket.IO event emitted by the client with an acknowledgement callback.
Its payload is one JSON object: the ids the REST path would carry (``order_id``,
``item_id``, ``course``, ``table_id``, ``ticket_id``) next to the fields of the REST
request body, validated by the same Pydantic schema. It runs in its own
:func:`brigade.db.unit_of_work` with the same service function and the same permission
as the REST route, so its domain events reach every client after the commit, the sender
included.

The acknowledgement is ``{"ok": true, "data": <the REST response body>}`` or
``{"ok": false, "error": <problem+json>}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.errors import PROBLEM_BASE, BrigadeError
from brigade.kitchen.schemas import TicketStep
from brigade.tables.schemas import TableCreate, TableUpdate


class UnknownCommand(BrigadeError):
    """The client emitted an event that is not a command of this namespace."""

    status = 404
    type = "unknown-command"
    title = "Unknown command"


@dataclass(frozen=True, slots=True)
class CommandInput:
    """A parsed command: the ids from its payload, its validated body (the REST schema),
    and extra members (``idempotency_key``)."""

    ids: dict[str, int]
    body: BaseModel | None
    extra: dict[str, Any] = field(default_factory=dict)


Runner = Callable[[AsyncSession, Access, CommandInput], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its name (the Socket.IO event), the permission it needs (as its
    REST route), the id members of its payload, its body schema, the extra members it
    accepts, and the coroutine running it inside the unit of work."""

    name: str
    permission: Permission
    run: Runner
    ids: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    extra: tuple[str, ...] = ()

    def parse(self, payload: Any) -> CommandInput:
        """Validate ``payload``; raises :class:`CommandValidationError` (422)."""
        if payload is None:
            payload = {}
        if not isinstance(payload, Mapping):
            raise CommandValidationError(
                [{"loc": ["payload"], "msg": "the payload must be an object", "type": "dict_type"}]
            )
        errors: list[dict[str, Any]] = []
        ids: dict[str, int] = {}
        for name in self.ids:
            value = payload.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                ids[name] = value
            elif value is None:
                errors.append(
                    {"loc": ["payload", name], "msg": "Field required", "type": "missing"}
                )
            else:
                errors.append(
                    {
                        "loc": ["payload", name],
                        "msg": "Input should be a positive integer",
                        "type": "int_type",
                    }
                )
        extra = {name: payload[name] for name in self.extra if name in payload}
        rest = {k: v for k, v in payload.items() if k not in self.ids and k not in self.extra}
        body: BaseModel | None = None
        if self.body is not None:
            try:
                body = self.body.model_validate(rest)
            except ValidationError as exc:
                errors.extend(
                    {
                        "loc": ["payload", *exc_loc],
                        "msg": e.get("msg", ""),
                        "type": e.get("type", ""),
                    }
                    for e in exc.errors()
                    for exc_loc in [list(e.get("loc", ()))]
                )
        elif rest:
            errors.extend(
                {"loc": ["payload", k], "msg": "Extra inputs are not permitted", "type": "extra"}
                for k in rest
            )
        if errors:
            raise CommandValidationError(errors)
        return CommandInput(ids=ids, body=body, extra=extra)


class CommandValidationError(BrigadeError):
    """A command payload that does not match its schema (like REST's 422)."""

    status = 422
    type = "validation-error"
    title = "Request validation failed"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        super().__init__(detail, errors=errors)


def internal_error(instance: str) -> dict[str, Any]:
    """The problem body of a server bug (no detail leaves the server)."""
    return {
        "type": PROBLEM_BASE + "internal-error",
        "title": "Internal server error",
        "status": 500,
        "instance": instance,
    }


# --- the commands -----------------------------------------------------------------------


async def _table_create(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.tables.service import create_table

    assert isinstance(cmd.body, TableCreate)  # noqa: S101 - parse() built it
    return await create_table(session, access, cmd.body)


async def _table_update(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.tables.service import update_table

    assert isinstance(cmd.body, TableUpdate)  # noqa: S101
    return await update_table(session, access, cmd.ids["table_id"], cmd.body)


async def _ticket_bump(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.kitchen.service import bump_ticket

    assert isinstance(cmd.body, TicketStep)  # noqa: S101 - parse() built it
    return await bump_ticket(session, access, cmd.ids["ticket_id"], version=cmd.body.version)


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("table.create", Permission.tables_write, _table_create, body=TableCreate),
        Command(
            "table.update",
            Permission.tables_write,
            _table_update,
            ids=("table_id",),
            body=TableUpdate,
        ),
        Command(
            "ticket.bump",
            Permission.kitchen_bump,
            _ticket_bump,
            ids=("ticket_id",),
            body=TicketStep,
        ),
    )
}
"""Every command, by name (the Socket.IO event the client emits)."""
