"""How the audit trail is written: one recorder told of every domain event.

Services do not write audit rows themselves. Every service already records what it
changed as a domain event (:func:`brigade.events.outbox.record`) in its unit of work;
the composition root registers :func:`on_recorded` as the events' recorder
(:func:`brigade.events.outbox.register_recorder`), and it turns the events of the kinds
below into ``audit_entries`` rows, left for the same commit
(:func:`brigade.events.pending.defer`): the entry is committed with the change or not
at all. Facts that are no event — a login, which belongs to no restaurant, and a failed
one — reach it the same way through :func:`brigade.events.outbox.note`.

Who and from where: the request's :class:`~brigade.auth.dependencies.Caller`, which
the auth dependencies (and the Socket.IO commands) keep on the session
(:func:`~brigade.auth.dependencies.remember_caller`); a change made by code (the CLI,
an import) is the ``system``'s. Before and after come from the event's payload: the
services that change a value in place (settings, prices, roles) put the old values
under ``"before"``.

=============================  =========================================================
event (or note)                kind
=============================  =========================================================
``auth.login``                 ``login`` (platform trail: no restaurant)
``auth.login_failed``          ``login.failed`` (platform trail; ``actor`` = the username)
``restaurant.updated``         ``settings.changed``
``menu.updated`` (a variation  ``price.changed`` (created and deleted variations too)
whose price changed)
``menu.item.availability``     ``item.86d`` / ``item.restored``
``order.item.voided``          ``line.voided``
``check.discount.added``       ``discount.added`` or ``comp.added``, and
                               ``discount.approved`` (by the approving manager) when
                               it needed an approval
``check.discount.removed``     ``discount.removed``
``payment.refunded``           ``payment.refunded``
``payment.voided``             ``payment.voided``
``shift.opened``               ``drawer.opened`` (the opening float)
``shift.closed``               ``drawer.counted`` (counted against expected)
``z_report.taken``             ``day.closed``
``staff.updated``              ``staff.added`` / ``staff.changed`` / ``staff.removed``
``staff.api_token.revoked``    ``api_token.revoked``
``user.deactivated``           ``user.deactivated`` (each restaurant of the user; the
                               platform admin's deactivation also on the platform trail)
``user.reactivated``           ``user.reactivated``
``user.password_changed``      ``password.changed``
=============================  =========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.audit.models import AuditEntry
from brigade.auth.dependencies import Caller, caller_of
from brigade.auth.service import LOGIN_FAILED_NOTE, LOGIN_NOTE
from brigade.events.outbox import NewEvent, register_recorder
from brigade.events.pending import defer
from brigade.infra.db import utcnow

_entries = cast(Table, AuditEntry.__table__)
_INSERT = insert(_entries)


class AuditKind(StrEnum):
    """Every kind of entry, as :attr:`~brigade.audit.models.AuditEntry.kind` holds it."""

    login = "login"
    login_failed = "login.failed"
    settings_changed = "settings.changed"
    price_changed = "price.changed"
    item_86d = "item.86d"
    item_restored = "item.restored"
    line_voided = "line.voided"
    discount_added = "discount.added"
    comp_added = "comp.added"
    discount_approved = "discount.approved"
    discount_removed = "discount.removed"
    payment_refunded = "payment.refunded"
    payment_voided = "payment.voided"
    drawer_opened = "drawer.opened"
    drawer_counted = "drawer.counted"
    day_closed = "day.closed"
    staff_added = "staff.added"
    staff_changed = "staff.changed"
    staff_removed = "staff.removed"
    api_token_revoked = "api_token.revoked"  # noqa: S105 - a kind's name
    user_deactivated = "user.deactivated"
    user_reactivated = "user.reactivated"
    password_changed = "password.changed"  # noqa: S105 - a kind's name


#: Every kind of entry, as text.
KINDS: tuple[str, ...] = tuple(kind.value for kind in AuditKind)

#: Notes (:func:`brigade.events.outbox.note`) of the auth context.
LOGIN = LOGIN_NOTE
LOGIN_FAILED = LOGIN_FAILED_NOTE


@dataclass(frozen=True, slots=True)
class Fact:
    """What one event says for the trail: ``kind``, ``subject``, a one-line ``summary``,
    ``before``/``after`` (JSON-ready), and, when the event names them, who did it
    (``user_id``, ``actor``) and from where (``address``) instead of the caller."""

    kind: str
    subject: str = ""
    summary: str = ""
    before: Any = None
    after: Any = None
    user_id: int | None = None
    actor: str | None = None
    address: str | None = None


_Reader = Callable[[Mapping[str, Any]], list[Fact]]


def _settings(p: Mapping[str, Any]) -> list[Fact]:
    restaurant = p.get("restaurant") or {}
    changed = list(p.get("changed") or [])
    return [
        Fact(
            "settings.changed",
            f"restaurant:{restaurant.get('id', '')}",
            "changed " + ", ".join(changed),
            p.get("before"),
            {key: restaurant.get(key) for key in changed},
        )
    ]


def _menu(p: Mapping[str, Any]) -> list[Fact]:
    if p.get("entity") != "variation":
        return []
    variation = p.get("variation") or {}
    action, before = p.get("action"), p.get("before") or {}
    old = before.get("price") if action != "created" else None
    new = variation.get("price") if action != "deleted" else None
    if action == "updated" and old == new:
        return []
    subject = f"variation:{variation.get('id', p.get('id'))}"
    name = str(variation.get("name", ""))
    return [
        Fact(
            "price.changed",
            subject,
            f"{name or 'variation'} of item {variation.get('item_id', '')} {action}",
            None if old is None else {"price": old},
            None if new is None else {"price": new},
        )
    ]


def _availability(p: Mapping[str, Any]) -> list[Fact]:
    available = bool(p.get("is_available"))
    return [
        Fact(
            "item.restored" if available else "item.86d",
            f"menu_item:{p.get('menu_item_id', '')}",
            f"{p.get('name', '')} {'back on' if available else '86d'}",
            {"is_available": not available},
            {"is_available": available},
        )
    ]


def _void(p: Mapping[str, Any]) -> list[Fact]:
    order = p.get("order") or {}
    item_id = p.get("item_id")
    line: Mapping[str, Any] = next(
        (i for i in order.get("items") or [] if i.get("id") == item_id), {}
    )
    keep = ("name", "variation_name", "quantity", "unit_price", "status")
    return [
        Fact(
            "line.voided",
            f"order_item:{item_id}",
            f"{line.get('quantity', '')} × {line.get('name', '')} on order {order.get('id', '')}"
            f": {line.get('void_reason') or ''}",
            {k: line.get(k) for k in keep if k != "status"},
            {"status": "voided", "void_reason": line.get("void_reason")},
        )
    ]


def _discount_added(p: Mapping[str, Any]) -> list[Fact]:
    discount = p.get("discount") or {}
    check = p.get("check") or {}
    kind = "comp.added" if discount.get("kind") == "comp" else "discount.added"
    on = f"line {discount['order_item_id']}" if discount.get("order_item_id") else "the check"
    subject = f"discount:{discount.get('id', '')}"
    text = f"{discount.get('kind', '')} on {on} of check {check.get('id', '')}: "
    facts = [
        Fact(
            kind,
            subject,
            text + str(discount.get("reason", "")),
            {"discount_total": _discounts_before(check, discount)},
            discount,
        )
    ]
    approver = discount.get("approved_by")
    if approver is not None:
        facts.append(
            Fact(
                "discount.approved",
                subject,
                f"approved ({discount.get('approval_method', '')}) " + text.rstrip(": "),
                None,
                {
                    "discount_id": discount.get("id"),
                    "amount": discount.get("amount"),
                    "approval_method": discount.get("approval_method"),
                    "requested_by": discount.get("created_by"),
                },
                user_id=int(approver),
                actor=f"user:{approver}",
            )
        )
    return facts


def _discounts_before(check: Mapping[str, Any], discount: Mapping[str, Any]) -> Any:
    """The check's discount total before ``discount`` (minor units)."""
    total, amount = check.get("discount_total"), discount.get("amount")
    if isinstance(total, int) and isinstance(amount, int):
        return total - amount
    return None


def _discount_removed(p: Mapping[str, Any]) -> list[Fact]:
    check = p.get("check") or {}
    return [
        Fact(
            "discount.removed",
            f"discount:{p.get('discount_id', '')}",
            f"removed from check {check.get('id', '')}",
            {"discount_id": p.get("discount_id")},
            {"discount_total": check.get("discount_total")},
        )
    ]


def _reversal(kind: str, key: str) -> _Reader:
    def read(p: Mapping[str, Any]) -> list[Fact]:
        reversal = p.get(key) or {}
        payment = p.get("payment") or {}
        amount: int = reversal["amount"] if isinstance(reversal.get("amount"), int) else 0
        refunded = payment.get("refunded_total")
        before = {
            "amount": payment.get("amount"),
            "refunded_total": refunded - amount
            if isinstance(refunded, int) and kind == "payment.refunded"
            else refunded,
            "voided": False,
        }
        return [
            Fact(
                kind,
                f"payment:{payment.get('id', reversal.get('payment_id', ''))}",
                f"{reversal.get('method', '')} {amount} of check {reversal.get('check_id', '')}: "
                f"{reversal.get('reason', '')}",
                before,
                reversal,
            )
        ]

    return read


def _shift(kind: str) -> _Reader:
    def read(p: Mapping[str, Any]) -> list[Fact]:
        shift = p.get("shift") or {}
        if kind == "drawer.opened":
            after: Any = {"opening_float": shift.get("opening_float")}
            text = f"till {shift.get('till_id', '')} opened with {shift.get('opening_float', '')}"
        else:
            after = shift.get("figures")
            text = f"till {shift.get('till_id', '')} counted"
        return [Fact(kind, f"shift:{shift.get('id', '')}", text, None, after)]

    return read


def _z_report(p: Mapping[str, Any]) -> list[Fact]:
    summary = p.get("z_report") or {}
    return [
        Fact(
            "day.closed",
            f"z_report:{summary.get('number', '')}",
            f"Z report {summary.get('number', '')} of {summary.get('business_date', '')}",
            None,
            summary,
        )
    ]


def _staff(p: Mapping[str, Any]) -> list[Fact]:
    member = p.get("member") or {}
    action = str(p.get("action", ""))
    kind = {"added": "staff.added", "removed": "staff.removed"}.get(action, "staff.changed")
    return [
        Fact(
            kind,
            f"user:{member.get('user_id', '')}",
            f"{member.get('username', '')} ({member.get('role', '')}) {action}",
            p.get("before") if action != "added" else None,
            member if action != "removed" else None,
        )
    ]


def _user(kind: str, text: str) -> _Reader:
    def read(p: Mapping[str, Any]) -> list[Fact]:
        user_id = p.get("user_id")
        name = p.get("username")
        return [Fact(kind, f"user:{user_id}", f"{name or f'user {user_id}'} {text}")]

    return read


def _api_token(p: Mapping[str, Any]) -> list[Fact]:
    token_id = p.get("api_token_id")
    return [Fact("api_token.revoked", f"api_token:{token_id}", f"API token {token_id} revoked")]


def _login(p: Mapping[str, Any]) -> list[Fact]:
    user_id = p.get("user_id")
    return [
        Fact(
            "login",
            f"user:{user_id}",
            f"{p.get('username', '')} logged in",
            user_id=user_id if isinstance(user_id, int) else None,
            actor=f"user:{user_id}",
            address=p.get("address"),
        )
    ]


def _login_failed(p: Mapping[str, Any]) -> list[Fact]:
    username = str(p.get("username", ""))[:150]
    return [
        Fact(
            "login.failed",
            "",
            f"failed login as {username!r}",
            user_id=None,
            actor=username,
            address=p.get("address"),
        )
    ]


#: Event (or note) type → how to read it.
READERS: dict[str, _Reader] = {
    LOGIN: _login,
    LOGIN_FAILED: _login_failed,
    "restaurant.updated": _settings,
    "menu.updated": _menu,
    "menu.item.availability": _availability,
    "order.item.voided": _void,
    "check.discount.added": _discount_added,
    "check.discount.removed": _discount_removed,
    "payment.refunded": _reversal("payment.refunded", "refund"),
    "payment.voided": _reversal("payment.voided", "void"),
    "shift.opened": _shift("drawer.opened"),
    "shift.closed": _shift("drawer.counted"),
    "z_report.taken": _z_report,
    "staff.updated": _staff,
    "staff.api_token.revoked": _api_token,
    "user.deactivated": _user("user.deactivated", "deactivated"),
    "user.reactivated": _user("user.reactivated", "reactivated"),
    "user.password_changed": _user("password.changed", "changed their password"),
}


def _who(caller: Caller | None) -> tuple[int | None, str, str | None]:
    if caller is None:
        return None, "system", None
    return caller.actor.user_id, caller.actor.label, caller.address


def on_recorded(
    session: AsyncSession, restaurant_id: int | None, events: Sequence[NewEvent]
) -> None:
    """The recorder (:data:`brigade.events.outbox.Recorder`): leave an
    ``audit_entries`` row for the commit of ``session``'s unit of work for every fact
    that ``events`` of ``restaurant_id`` (``None``: the platform trail) carry. Events
    of other types cost one dictionary look-up."""
    rows: list[dict[str, Any]] = []
    for event in events:
        reader = READERS.get(event.type)
        if reader is None:
            continue
        user_id, actor, address = _who(caller_of(session))
        now = utcnow()
        for fact in reader(event.payload):
            named = fact.actor is not None
            rows.append(
                {
                    "restaurant_id": restaurant_id,
                    "user_id": fact.user_id if named else user_id,
                    "actor": (fact.actor if named else actor) or "system",
                    "address": fact.address if fact.address is not None else address,
                    "kind": fact.kind,
                    "subject": fact.subject[:100],
                    "summary": fact.summary,
                    "before": fact.before,
                    "after": fact.after,
                    "created_at": now,
                }
            )
    for row in rows:
        defer(session, _INSERT, row)


def install() -> None:
    """Register :func:`on_recorded` with the events (called by
    :func:`brigade.wiring.wire`; idempotent)."""
    register_recorder(on_recorded)
