"""Commands a connected client may send over the socket, and how they are run.

A command is a Socket.IO event emitted by the client with an acknowledgement callback.
Its payload is one JSON object: the ids the REST path would carry (``order_id``,
``item_id``, ``course``, ``table_id``, ``ticket_id``) next to the fields of the REST
request body, validated by the same Pydantic schema. It runs in its own
unit of work (:mod:`brigade.events.unit_of_work`) with the same service function and
the same permission
as the REST route, so its domain events reach every client after the commit, the sender
included.

The acknowledgement is ``{"ok": true, "data": <the REST response body>}`` or
``{"ok": false, "error": <problem+json>}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.idempotency.models import MAX_KEY_LENGTH
from brigade.infra.errors import PROBLEM_BASE, BrigadeError
from brigade.kitchen.schemas import TicketStep
from brigade.orders.schemas import (
    CourseFire,
    OrderCancel,
    OrderCreate,
    OrderItemsAdd,
    OrderItemVoid,
    OrderServe,
    VersionedWrite,
)
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
    extra: BaseModel | None = None


Runner = Callable[[AsyncSession, Access, CommandInput], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its name (the Socket.IO event), the permission it needs (as its
    REST route), the id members of its payload, its body schema, the extra members it
    accepts (a model of members that are not part of the REST body, such as
    ``idempotency_key``), and the coroutine running it inside the unit of work.
    ``id_max`` bounds ids as the REST path does (``course`` at most 9)."""

    name: str
    permission: Permission
    run: Runner
    ids: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    extra: type[BaseModel] | None = None
    id_max: Mapping[str, int] = field(default_factory=dict)

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
            top = self.id_max.get(name)
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and value >= 1
                and (top is None or value <= top)
            ):
                ids[name] = value
            elif value is None:
                errors.append(
                    {"loc": ["payload", name], "msg": "Field required", "type": "missing"}
                )
            else:
                errors.append(
                    {
                        "loc": ["payload", name],
                        "msg": "Input should be a positive integer"
                        + (f" at most {top}" if top is not None else ""),
                        "type": "int_type",
                    }
                )
        extra_names = set(self.extra.model_fields) if self.extra is not None else set()
        rest = {k: v for k, v in payload.items() if k not in self.ids and k not in extra_names}
        extra = _validate(self.extra, {k: payload[k] for k in extra_names if k in payload}, errors)
        body: BaseModel | None = None
        if self.body is not None:
            body = _validate(self.body, rest, errors)
        elif rest:
            errors.extend(
                {"loc": ["payload", k], "msg": "Extra inputs are not permitted", "type": "extra"}
                for k in rest
            )
        if errors:
            raise CommandValidationError(errors)
        return CommandInput(ids=ids, body=body, extra=extra)


def _validate(
    model: type[BaseModel] | None, data: dict[str, Any], errors: list[dict[str, Any]]
) -> BaseModel | None:
    """``model`` validated from ``data``, or ``None`` (its errors appended to ``errors``)."""
    if model is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.extend(
            {"loc": ["payload", *e.get("loc", ())], "msg": e.get("msg", ""), "type": e["type"]}
            for e in exc.errors()
        )
        return None


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


class CreateOptions(BaseModel):
    """Members of ``order.create`` beside the REST body."""

    model_config = ConfigDict(extra="forbid")

    idempotency_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description="As the REST Idempotency-Key header: a retry returns the first answer.",
    )


async def _order_create(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.orders.service import create_order_once

    assert isinstance(cmd.body, OrderCreate)  # noqa: S101
    assert isinstance(cmd.extra, CreateOptions)  # noqa: S101
    result = await create_order_once(
        session, access, cmd.body, idempotency_key=cmd.extra.idempotency_key
    )
    return result.order


async def _order_items_add(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.orders.service import add_items

    assert isinstance(cmd.body, OrderItemsAdd)  # noqa: S101
    return await add_items(session, access, cmd.ids["order_id"], cmd.body)


async def _order_item_void(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.orders.service import void_item

    assert isinstance(cmd.body, OrderItemVoid)  # noqa: S101
    return await void_item(session, access, cmd.ids["order_id"], cmd.ids["item_id"], cmd.body)


async def _order_send(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.orders.service import send_order

    assert isinstance(cmd.body, VersionedWrite)  # noqa: S101
    return await send_order(session, access, cmd.ids["order_id"], cmd.body.version)


async def _order_course_fire(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.orders.service import fire_course

    assert isinstance(cmd.body, CourseFire)  # noqa: S101
    return await fire_course(
        session,
        access,
        cmd.ids["order_id"],
        cmd.ids["course"],
        cmd.body.version,
        confirm=cmd.body.confirm,
    )


async def _order_serve(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.orders.service import serve_items

    assert isinstance(cmd.body, OrderServe)  # noqa: S101
    return await serve_items(session, access, cmd.ids["order_id"], cmd.body)


async def _order_cancel(session: AsyncSession, access: Access, cmd: CommandInput) -> Any:
    from brigade.orders.service import cancel_order

    assert isinstance(cmd.body, OrderCancel)  # noqa: S101
    return await cancel_order(session, access, cmd.ids["order_id"], cmd.body)


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
            "order.create",
            Permission.orders_write,
            _order_create,
            body=OrderCreate,
            extra=CreateOptions,
        ),
        Command(
            "order.items.add",
            Permission.orders_write,
            _order_items_add,
            ids=("order_id",),
            body=OrderItemsAdd,
        ),
        Command(
            "order.item.void",
            Permission.orders_void,
            _order_item_void,
            ids=("order_id", "item_id"),
            body=OrderItemVoid,
        ),
        Command(
            "order.send",
            Permission.orders_write,
            _order_send,
            ids=("order_id",),
            body=VersionedWrite,
        ),
        Command(
            "order.course.fire",
            Permission.orders_write,
            _order_course_fire,
            ids=("order_id", "course"),
            body=CourseFire,
            id_max={"course": 9},
        ),
        Command(
            "order.serve",
            Permission.orders_write,
            _order_serve,
            ids=("order_id",),
            body=OrderServe,
        ),
        Command(
            "order.cancel",
            Permission.orders_write,
            _order_cancel,
            ids=("order_id",),
            body=OrderCancel,
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
