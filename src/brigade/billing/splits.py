"""Splitting a check into parts, and merging the parts back (issue 9, "Splitting and
moving").

A split takes an open check without payments, prices it one last time from its order
(:func:`brigade.billing.service._price`), freezes its amounts (status ``split``) and
writes its parts: checks of their own (``parent_id`` names the split check,
``split_by`` how) with their amounts, taxes per rate and lines with shares, as
:func:`brigade.billing.pricing.split_by_lines` / ``split_by_amounts`` / ``split_even``
computed them (the parts add up to the whole, amount by amount, to the cent). Each part
is paid on its own through the payment route (:func:`brigade.billing.service.pay`),
which closes the order when the last part is paid. While no part has a payment the
parts can be merged back: they are deleted and the check is open again, priced anew
from its order (lines added since are billed then).

Lines added to the order after a split are on no part: merge back and split again.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.billing import pricing
from brigade.billing.exceptions import CheckHasPayments, CheckIsPart, CheckNotSplit, InvalidSplit
from brigade.billing.models import Check, CheckPartLine, CheckTax, Payment
from brigade.billing.schemas import (
    CheckRead,
    CheckStatus,
    CheckTaxRead,
    DiscountRead,
    LinesMove,
    SplitByAmounts,
    SplitByLines,
    SplitBySeat,
    SplitCreate,
    SplitEven,
    SplitRead,
)
from brigade.billing.service import (
    _AMOUNT_VALUES,
    _CHECK_COLUMNS,
    _CHECK_KEY,
    _check_read,
    _check_row,
    _lines,
    _lock_open_check,
    _price,
    _Pricing,
    _read_check,
    _store_breakdown,
    _taxes_of,
    part_shares,
)
from brigade.events.outbox import NewEvent, record_many
from brigade.infra.db import utcnow
from brigade.tenancy import RID, owned_by, scoped

CHECK_SPLIT = "check.split"
CHECK_MERGED = "check.merged"
CHECK_LINES_MOVED = "check.lines.moved"

#: The largest denominator of a share (``"1/1000"``).
MAX_DENOMINATOR = 1000

_checks = cast(Table, Check.__table__)
_part_lines = cast(Table, CheckPartLine.__table__)
_taxes = cast(Table, CheckTax.__table__)

_SPLIT_PARENT = (
    update(_checks)
    .where(*_CHECK_KEY)
    .values(status=CheckStatus.split_up.value, split_by=bindparam("b_split_by"), **_AMOUNT_VALUES)
    .returning(*_CHECK_COLUMNS)
)
_INSERT_PART = insert(_checks).returning(*_CHECK_COLUMNS)
_INSERT_PART_LINES = insert(_part_lines)
_INSERT_TAXES = insert(_taxes)
_PARTS_COUNT = scoped(select(func.count()).select_from(_checks), RID).where(
    _checks.c.parent_id == bindparam("parent_id")
)
# Merging takes every part without a payment (version + 1; locked on PostgreSQL), parts
# before their parent as a payment does, then deletes them and reopens the parent. A
# part that has a voided payment (paid_total 0) keeps its split: deleting it would
# delete the payment and its void's record (brigade.billing.payments).
_payments = cast(Table, Payment.__table__)
_LOCK_UNPAID_PARTS = (
    update(_checks)
    .where(
        _checks.c.parent_id == bindparam("b_parent_id"),
        owned_by(_checks, bindparam("b_rid")),
        _checks.c.status == CheckStatus.open.value,
        _checks.c.paid_total == 0,
        ~exists(
            select(_payments.c.id).where(
                _payments.c.check_id == _checks.c.id,
                owned_by(_payments, bindparam("b_rid")),
            )
        ),
    )
    .values(version=_checks.c.version + 1)
    .returning(_checks.c.id)
)
_DELETE_PART_LINES = delete(_part_lines).where(
    _part_lines.c.check_id.in_(bindparam("b_ids", expanding=True)),
    owned_by(_part_lines, bindparam("b_rid")),
)
_DELETE_PART_TAXES = delete(_taxes).where(
    _taxes.c.check_id.in_(bindparam("b_ids", expanding=True)),
    owned_by(_taxes, bindparam("b_rid")),
)
_DELETE_PARTS = delete(_checks).where(
    _checks.c.id.in_(bindparam("b_ids", expanding=True)),
    _checks.c.parent_id == bindparam("b_parent_id"),
    owned_by(_checks, bindparam("b_rid")),
)
_REOPEN_PARENT = (
    update(_checks)
    .where(*_CHECK_KEY, _checks.c.status == CheckStatus.split_up.value)
    .values(status=CheckStatus.open.value, split_by=None, version=_checks.c.version + 1)
    .returning(*_CHECK_COLUMNS)
)


def parse_share(text: str) -> Fraction:
    """A share as given (``"1/3"``, ``"0.5"``, ``"1"``) as a fraction in (0, 1] with a
    denominator of at most :data:`MAX_DENOMINATOR`. Raises :class:`InvalidSplit`."""
    try:
        share = Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise InvalidSplit(f"share {text!r} is not a fraction", share=text) from exc
    if not 0 < share <= 1 or share.denominator > MAX_DENOMINATOR:
        raise InvalidSplit(
            f"share {text!r} must be in (0, 1] with a denominator of at most {MAX_DENOMINATOR}",
            share=text,
        )
    return share


def _by_seat(state: _Pricing) -> list[dict[int, Fraction]]:
    """One part per seat with billed lines (ascending); lines without a seat shared
    evenly by all of them. Raises :class:`InvalidSplit` for fewer than two seats."""
    billed = {line.key for line in state.lines}
    items = [i for i in state.items if i.id in billed]
    seats = sorted({i.seat for i in items if i.seat is not None})
    if len(seats) < 2:
        raise InvalidSplit("a split by seat needs lines on at least two seats", seats=seats)
    shared = Fraction(1, len(seats))
    parts: list[dict[int, Fraction]] = [{} for _ in seats]
    for item in items:
        if item.seat is None:
            for part in parts:
                part[item.id] = shared
        else:
            parts[seats.index(item.seat)][item.id] = Fraction(1)
    return parts


def _by_lines(data: SplitByLines, state: _Pricing) -> list[dict[int, Fraction]]:
    """The parts' shares of ``data``. Raises :class:`InvalidSplit` for an unknown (or
    voided) line, a line twice on a part, a bad share, or a line whose shares do not
    sum to 1."""
    billed = {line.key for line in state.lines}
    parts: list[dict[int, Fraction]] = []
    for number, chosen in enumerate(data.parts, start=1):
        if not chosen:
            raise InvalidSplit(f"part {number} has no line", part=number)
        part: dict[int, Fraction] = {}
        for line in chosen:
            if line.order_item_id not in billed:
                raise InvalidSplit(
                    f"line {line.order_item_id} is not a billed line of this check",
                    order_item_id=line.order_item_id,
                )
            if line.order_item_id in part:
                raise InvalidSplit(
                    f"line {line.order_item_id} is twice on part {number}",
                    order_item_id=line.order_item_id,
                )
            part[line.order_item_id] = parse_share(line.share)
        parts.append(part)
    for key in sorted(billed):
        total = sum((p.get(key, Fraction(0)) for p in parts), Fraction(0))
        if total != 1:
            raise InvalidSplit(
                f"the shares of line {key} sum to {total}, not 1",
                order_item_id=key,
                sum=str(total),
            )
    return parts


def _parts(data: SplitCreate, state: _Pricing) -> list[pricing.Part]:
    """The parts ``data`` asks for, priced (:mod:`brigade.billing.pricing`). Raises
    :class:`InvalidSplit`."""
    try:
        if isinstance(data, SplitEven):
            return pricing.split_even(state.lines, state.priced, data.parts)
        if isinstance(data, SplitByAmounts):
            if sum(data.amounts) != state.priced.total:
                raise InvalidSplit(
                    f"the amounts sum to {sum(data.amounts)}, the total is {state.priced.total}",
                    total=state.priced.total,
                )
            return pricing.split_by_amounts(state.lines, state.priced, data.amounts)
        shares = _by_seat(state) if isinstance(data, SplitBySeat) else _by_lines(data, state)
        return pricing.split_by_lines(state.lines, state.priced, shares, state.service)
    except pricing.SplitError as exc:
        raise InvalidSplit(str(exc)) from exc


async def split_check(
    session: AsyncSession, access: Access, check_id: int, data: SplitCreate
) -> SplitRead:
    """Split open check ``check_id`` into parts (:class:`SplitCreate`: ``even``,
    ``seat``, ``lines`` with shares, ``amounts``); see the module's docstring, and
    :mod:`brigade.billing.pricing` for the rounding rule. The check is priced from its
    order first, then frozen (status ``split``); the parts are open checks of the same
    order, in order. Event ``check.split`` ``{"check", "parts"}``.

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound``, ``CheckPaid``
    (409), ``CheckSplit`` (409: split already), ``CheckIsPart`` (409),
    ``CheckHasPayments`` (409), ``StaleVersion`` (409) and ``InvalidSplit`` (422).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    locked = await _lock_open_check(session, restaurant_id, check_id, data.version)
    if locked.parent_id is not None:
        raise CheckIsPart(
            f"check {check_id} is a part of check {locked.parent_id}",
            parent_id=locked.parent_id,
        )
    if locked.paid_total > 0:
        raise CheckHasPayments(f"check {check_id} has payments", paid_total=locked.paid_total)
    stored = (await _taxes_of(session, restaurant_id, [check_id]))[check_id]
    state = await _price(session, restaurant_id, check_id, locked.order_id)
    parts = _parts(data, state)
    key = {"b_check_id": check_id, "b_rid": restaurant_id}
    parent_row = (
        await session.execute(
            _SPLIT_PARENT, {**key, "b_split_by": data.by, **state.amounts.as_params()}
        )
    ).one()
    taxes, discounts = await _store_breakdown(session, restaurant_id, check_id, state, stored)
    now = utcnow()
    rows = []
    for part in parts:
        rows.append(
            (
                await session.execute(
                    _INSERT_PART,
                    {
                        "restaurant_id": restaurant_id,
                        "order_id": locked.order_id,
                        "status": CheckStatus.open.value,
                        "currency": locked.currency,
                        "subtotal": part.subtotal,
                        "discount_total": part.discount_total,
                        "tax_total": part.tax_total,
                        "total": part.total,
                        "service_charge": part.service_charge,
                        "service_charge_bp": parent_row.service_charge_bp,
                        "tax_rate_bp": parent_row.tax_rate_bp,
                        "tax_inclusive": parent_row.tax_inclusive,
                        "paid_total": 0,
                        "tip_total": 0,
                        "version": 1,
                        "created_at": now,
                        "paid_at": None,
                        "parent_id": check_id,
                        "split_by": data.by,
                    },
                )
            ).one()
        )
    part_ids = [int(r.id) for r in rows]
    await _write_part_details(session, restaurant_id, part_ids, parts)
    result = await _split_read(session, restaurant_id, state, parent_row, rows, taxes, discounts)
    await record_many(
        session, restaurant_id, [NewEvent(CHECK_SPLIT, result.model_dump(mode="json"))]
    )
    return result


async def _write_part_details(
    session: AsyncSession, restaurant_id: int, part_ids: list[int], parts: list[pricing.Part]
) -> None:
    """Insert the lines (with shares) and the taxes per rate of parts ``part_ids``."""
    line_values: list[dict[str, Any]] = []
    tax_values: list[dict[str, Any]] = []
    for check_id, part in zip(part_ids, parts, strict=True):
        line_values.extend(
            {
                "restaurant_id": restaurant_id,
                "check_id": check_id,
                "order_item_id": line.key,
                "share_numerator": line.share.numerator,
                "share_denominator": line.share.denominator,
                "amount": line.amount,
                "discount": line.discount,
            }
            for line in part.lines
        )
        tax_values.extend(
            {
                "restaurant_id": restaurant_id,
                "check_id": check_id,
                "tax_rate_id": t.rule.tax_rate_id,
                "name": t.rule.name,
                "rate_bp": t.rule.rate_bp,
                "inclusive": t.rule.inclusive,
                "base": t.base,
                "tax": t.tax,
            }
            for t in part.taxes
        )
    if line_values:
        await session.execute(_INSERT_PART_LINES, line_values)
    if tax_values:
        await session.execute(_INSERT_TAXES, tax_values)


async def _split_read(
    session: AsyncSession,
    restaurant_id: int,
    state: _Pricing,
    parent_row: Any,
    rows: list[Any],
    taxes: list[CheckTaxRead],
    discounts: list[DiscountRead],
) -> SplitRead:
    """The split check (``parent_row``, priced as ``state``) and its parts (``rows``)
    as read."""
    part_ids = [int(r.id) for r in rows]
    check = _check_read(
        parent_row,
        _lines(state.items),
        [],
        taxes,
        discounts,
        state.rules.cash_rounding_unit,
        part_ids=part_ids,
    )
    shares = await part_shares(session, restaurant_id, part_ids)
    part_taxes = await _taxes_of(session, restaurant_id, part_ids)
    reads = [
        _check_read(
            row,
            _lines(state.items, shares[row.id]),
            [],
            part_taxes[row.id],
            [],
            state.rules.cash_rounding_unit,
        )
        for row in rows
    ]
    return SplitRead(check=check, parts=reads)


async def merge_check(session: AsyncSession, access: Access, check_id: int) -> CheckRead:
    """Merge the parts of a split check back (``check_id``: the split check or any of
    its parts): the parts are deleted, the check is ``open`` again and priced anew from
    its order. Event ``check.merged`` ``{"check", "part_ids"}``.

    Refused once a part has a payment: the parts are taken first (a payment running at
    the same time either commits first, and the merge is refused, or finds its part
    gone, 404).

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound``,
    ``CheckNotSplit`` (409) and ``CheckHasPayments`` (409).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    row = await _check_row(session, restaurant_id, check_id)
    parent_id = int(row.parent_id) if row.parent_id is not None else check_id
    if row.parent_id is None and row.status != CheckStatus.split_up.value:
        raise CheckNotSplit(f"check {check_id} is not split")
    free = [
        int(i)
        for i in (
            await session.execute(
                _LOCK_UNPAID_PARTS, {"b_parent_id": parent_id, "b_rid": restaurant_id}
            )
        ).scalars()
    ]
    every = await session.scalar(
        _PARTS_COUNT, {"restaurant_id": restaurant_id, "parent_id": parent_id}
    )
    if len(free) != every:
        raise CheckHasPayments(
            f"a part of check {parent_id} has a payment: its split stays", check_id=parent_id
        )
    ids = {"b_ids": free, "b_rid": restaurant_id}
    if free:
        await session.execute(_DELETE_PART_LINES, ids)
        await session.execute(_DELETE_PART_TAXES, ids)
        await session.execute(_DELETE_PARTS, {**ids, "b_parent_id": parent_id})
    reopened = (
        await session.execute(_REOPEN_PARENT, {"b_check_id": parent_id, "b_rid": restaurant_id})
    ).first()
    if reopened is None:  # merged by a request that committed first
        raise CheckNotSplit(f"check {parent_id} is not split")
    check = await _read_check(session, restaurant_id, reopened)
    await record_many(
        session,
        restaurant_id,
        [
            NewEvent(
                CHECK_MERGED, {"check": check.model_dump(mode="json"), "part_ids": sorted(free)}
            )
        ],
    )
    return check


_PART_ROWS = (
    scoped(select(*_CHECK_COLUMNS), RID)
    .where(_checks.c.parent_id == bindparam("parent_id"))
    .order_by(_checks.c.id)
)
_TAKE_SPLIT_PARENT = (
    update(_checks)
    .where(*_CHECK_KEY, _checks.c.status == CheckStatus.split_up.value)
    .values(split_by="lines", version=_checks.c.version + 1, **_AMOUNT_VALUES)
    .returning(*_CHECK_COLUMNS)
)
_REWRITE_PART = (
    update(_checks)
    .where(*_CHECK_KEY)
    .values(
        split_by="lines",
        subtotal=bindparam("b_subtotal"),
        discount_total=bindparam("b_discount_total"),
        tax_total=bindparam("b_tax_total"),
        total=bindparam("b_total"),
        service_charge=bindparam("b_service_charge"),
    )
    .returning(*_CHECK_COLUMNS)
)


async def move_lines(
    session: AsyncSession, access: Access, check_id: int, data: LinesMove
) -> SplitRead:
    """Move lines ``data.order_item_ids`` (their whole share here) from part
    ``check_id`` of a split check to part ``data.to_check_id`` of the same split,
    before any part has a payment. The split becomes a split by lines with the shares
    as moved, and every part is priced again from the order by
    :func:`brigade.billing.pricing.split_by_lines` (the parts keep their ids; they add
    up to the whole as at a split). Event ``check.lines.moved`` ``{"check", "parts"}``.

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound``,
    ``CheckNotSplit`` (409: ``check_id`` is no part), ``CheckHasPayments`` (409) and
    ``InvalidSplit`` (422: a line not on the part, a target that is no other part of
    the split, a part left without lines, lines added to the order since the split).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    row = await _check_row(session, restaurant_id, check_id)
    if row.parent_id is None:
        raise CheckNotSplit(f"check {check_id} is no part of a split: nothing to move between")
    parent_id = int(row.parent_id)
    free = set(
        (
            await session.execute(
                _LOCK_UNPAID_PARTS, {"b_parent_id": parent_id, "b_rid": restaurant_id}
            )
        ).scalars()
    )
    part_rows = (
        await session.execute(_PART_ROWS, {"restaurant_id": restaurant_id, "parent_id": parent_id})
    ).all()
    if len(free) != len(part_rows):
        raise CheckHasPayments(
            f"a part of check {parent_id} has a payment: its lines stay", check_id=parent_id
        )
    ids = [int(r.id) for r in part_rows]
    if data.to_check_id == check_id or data.to_check_id not in ids:
        raise InvalidSplit(
            f"check {data.to_check_id} is no other part of check {parent_id}",
            to_check_id=data.to_check_id,
        )
    stored = await part_shares(session, restaurant_id, ids)
    shares = {cid: {key: Fraction(s.share) for key, s in stored[cid].items()} for cid in ids}
    source, target = shares[check_id], shares[data.to_check_id]
    for key in data.order_item_ids:
        if key not in source:
            raise InvalidSplit(f"line {key} is not on check {check_id}", order_item_id=key)
        target[key] = target.get(key, Fraction(0)) + source.pop(key)
    if not source:
        raise InvalidSplit(f"check {check_id} would have no line left; merge instead")
    parent = await _check_row(session, restaurant_id, parent_id)
    parent_taxes = (await _taxes_of(session, restaurant_id, [parent_id]))[parent_id]
    state = await _price(session, restaurant_id, parent_id, parent.order_id)
    try:
        parts = pricing.split_by_lines(
            state.lines, state.priced, [shares[cid] for cid in ids], state.service
        )
    except pricing.SplitError as exc:
        raise InvalidSplit(f"{exc} (lines changed since the split: merge and split again)") from exc
    parent_key = {"b_check_id": parent_id, "b_rid": restaurant_id}
    parent_row = (
        await session.execute(_TAKE_SPLIT_PARENT, {**parent_key, **state.amounts.as_params()})
    ).one()
    taxes, discounts = await _store_breakdown(
        session, restaurant_id, parent_id, state, parent_taxes
    )
    rows = []
    for cid, part in zip(ids, parts, strict=True):
        rows.append(
            (
                await session.execute(
                    _REWRITE_PART,
                    {
                        "b_check_id": cid,
                        "b_rid": restaurant_id,
                        "b_subtotal": part.subtotal,
                        "b_discount_total": part.discount_total,
                        "b_tax_total": part.tax_total,
                        "b_total": part.total,
                        "b_service_charge": part.service_charge,
                    },
                )
            ).one()
        )
    wipe = {"b_ids": ids, "b_rid": restaurant_id}
    await session.execute(_DELETE_PART_LINES, wipe)
    await session.execute(_DELETE_PART_TAXES, wipe)
    await _write_part_details(session, restaurant_id, ids, parts)
    result = await _split_read(session, restaurant_id, state, parent_row, rows, taxes, discounts)
    await record_many(
        session, restaurant_id, [NewEvent(CHECK_LINES_MOVED, result.model_dump(mode="json"))]
    )
    return result
