"""brigade.infra.prepared: same values as session.execute, in the session's transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.models import EventSequence, OutboxEvent
from brigade.idempotency.models import IdempotencyRecord
from brigade.infra.prepared import Prepared, prepared_for
from brigade.menu.models import MenuItem
from brigade.orders.models import Order
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import make_menu_item, make_restaurant

_records = cast(Table, IdempotencyRecord.__table__)
_outbox = cast(Table, OutboxEvent.__table__)
_orders = cast(Table, Order.__table__)
_items = cast(Table, MenuItem.__table__)
_sequences = cast(Table, EventSequence.__table__)

_INSERT_RECORD = Prepared(insert(_records).returning(*_records.c))
_SELECT_RECORD = select(*_records.c).where(_records.c.id == bindparam("id"))
_INSERT_OUTBOX = Prepared(insert(_outbox))
_INSERT_OUTBOX_RETURNING = Prepared(insert(_outbox).returning(_outbox.c.id, _outbox.c.payload))
_OUTBOX_OF = select(_outbox.c.seq, _outbox.c.type, _outbox.c.station, _outbox.c.payload).where(
    _outbox.c.restaurant_id == bindparam("rid")
)
_ITEMS_IN = select(_items.c.id, _items.c.name, _items.c.is_available, _items.c.updated_at).where(
    _items.c.restaurant_id == bindparam("rid"), _items.c.id.in_(bindparam("ids", expanding=True))
)
_ADVANCE = (
    update(_sequences)
    .where(_sequences.c.restaurant_id == bindparam("rid"))
    .values(last_seq=_sequences.c.last_seq + bindparam("n"))
    .returning(_sequences.c.last_seq)
)
_P_ADVANCE = Prepared(_ADVANCE)
_SEQ = select(_sequences.c.last_seq).where(_sequences.c.restaurant_id == bindparam("rid"))


def _record(rid: int, key: str, body: Any, created_at: datetime) -> dict[str, Any]:
    return {
        "restaurant_id": rid,
        "actor": "user:1",
        "key": key,
        "fingerprint": "f" * 64,
        "status_code": 201,
        "body": body,
        "created_at": created_at,
    }


async def test_insert_returning_round_trips_json_datetime_and_null(session: AsyncSession) -> None:
    restaurant = await make_restaurant(session)
    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)
    body = {"order": {"id": 7, "items": [1, 2], "note": "é", "paid": True, "tip": None}}

    row = await _INSERT_RECORD.fetchone(session, _record(restaurant.id, "k1", body, at))
    null_row = await _INSERT_RECORD.fetchone(session, _record(restaurant.id, "k2", None, at))

    assert row is not None
    assert null_row is not None
    assert row.body == body
    assert row.created_at == at
    assert row.created_at.tzinfo is not None
    assert row.created_at.utcoffset() == timedelta(0)
    assert null_row.body is None
    # the same values as SQLAlchemy returns for the same row
    for written in (row, null_row):
        expected = (await session.execute(_SELECT_RECORD, {"id": written.id})).one()
        assert tuple(written) == tuple(expected)
        assert written.created_at.tzinfo == expected.created_at.tzinfo


async def test_select_matches_session_execute_with_bool_and_expanding_list(
    session: AsyncSession,
) -> None:
    restaurant = await make_restaurant(session)
    a = await make_menu_item(session, restaurant, name="Margherita")
    b = await make_menu_item(session, restaurant, name="Diavola", is_available=False)
    params = {"rid": restaurant.id, "ids": [a.id, b.id]}

    got = sorted(await Prepared(_ITEMS_IN).fetchall(session, params))
    expected = sorted((await session.execute(_ITEMS_IN, params)).all())

    assert [tuple(r) for r in got] == [tuple(r) for r in expected]
    assert {r.name: r.is_available for r in got} == {"Margherita": True, "Diavola": False}
    assert all(type(r.is_available) is bool for r in got)
    one = await Prepared(_ITEMS_IN).fetchall(session, {"rid": restaurant.id, "ids": [a.id]})
    assert [r.name for r in one] == ["Margherita"]
    with pytest.raises(ValueError, match="empty list"):
        await Prepared(_ITEMS_IN).fetchall(session, {"rid": restaurant.id, "ids": []})


async def test_date_and_defaults_of_an_insert(session: AsyncSession) -> None:
    restaurant = await make_restaurant(session)
    now = datetime.now(UTC)
    insert_order = Prepared(
        insert(_orders).returning(
            _orders.c.id, _orders.c.status, _orders.c.business_date, _orders.c.closed_at
        )
    )
    # status / covers / notes / version are left to the columns' scalar defaults
    row = await insert_order.fetchone(
        session,
        {
            "restaurant_id": restaurant.id,
            "kind": "takeaway",
            "opened_at": now,
            "business_date": date(2026, 2, 28),
        },
    )
    assert row is not None
    assert row.status == "open"
    assert row.business_date == date(2026, 2, 28)
    assert type(row.business_date) is date
    assert row.closed_at is None
    stored = (
        await session.execute(
            select(_orders.c.covers, _orders.c.notes, _orders.c.version, _orders.c.opened_at).where(
                _orders.c.id == row.id
            )
        )
    ).one()
    assert tuple(stored) == (0, "", 1, now)


async def test_executemany_and_multi_row_returning(session: AsyncSession) -> None:
    restaurant = await make_restaurant(session)
    now = datetime.now(UTC)
    events = [
        {
            "restaurant_id": restaurant.id,
            "seq": seq,
            "type": "t",
            "station": station,
            "payload": {"n": seq},
            "created_at": now,
        }
        for seq, station in ((1, None), (2, "grill"), (3, None))
    ]
    await _INSERT_OUTBOX.executemany(session, events)
    more = [{**e, "seq": e["seq"] + 10, "payload": {"n": e["seq"] + 10}} for e in events]
    returned = await _INSERT_OUTBOX_RETURNING.fetchall_many(session, more)

    assert sorted(r.payload["n"] for r in returned) == [11, 12, 13]
    rows = (await session.execute(_OUTBOX_OF, {"rid": restaurant.id})).all()
    assert sorted((r.seq, r.station, r.payload["n"]) for r in rows) == [
        (1, None, 1),
        (2, "grill", 2),
        (3, None, 3),
        (11, None, 11),
        (12, "grill", 12),
        (13, None, 13),
    ]


async def test_update_returning_and_scalar(session: AsyncSession) -> None:
    restaurant = await make_restaurant(session)
    assert await _P_ADVANCE.scalar(session, {"rid": restaurant.id, "n": 3}) == 3
    assert await _P_ADVANCE.scalar(session, {"rid": restaurant.id, "n": 2}) == 5
    assert await _P_ADVANCE.scalar(session, {"rid": restaurant.id + 10**6, "n": 2}) is None
    assert (await session.execute(_SEQ, {"rid": restaurant.id})).scalar_one() == 5


async def test_rollback_undoes_a_prepared_write_and_commit_keeps_it(runtime: Runtime) -> None:
    """Top-level transactions (no test savepoint): the driver-level write belongs to the
    session's transaction on both drivers."""
    db = runtime.db
    async with db.sessionmaker() as setup:
        restaurant = await make_restaurant(setup)
        await setup.commit()
    rid = restaurant.id
    try:
        # a Prepared write as the session's first statement, then rollback
        async with db.sessionmaker() as s:
            assert await _P_ADVANCE.scalar(s, {"rid": rid, "n": 5}) == 5
            await s.rollback()
        async with db.sessionmaker() as s:
            assert (await s.execute(_SEQ, {"rid": rid})).scalar_one() == 0

        # after a SQLAlchemy statement, then an error: unit-of-work style rollback
        async with db.sessionmaker() as s:
            await s.execute(_ADVANCE, {"rid": rid, "n": 1})
            assert await _P_ADVANCE.scalar(s, {"rid": rid, "n": 1}) == 2
            await s.rollback()
        async with db.sessionmaker() as s:
            assert (await s.execute(_SEQ, {"rid": rid})).scalar_one() == 0

        # commit persists it
        async with db.sessionmaker() as s:
            assert await _P_ADVANCE.scalar(s, {"rid": rid, "n": 4}) == 4
            await s.commit()
        async with db.sessionmaker() as s:
            assert (await s.execute(_SEQ, {"rid": rid})).scalar_one() == 4

        # a second transaction of the same session begins again
        async with db.sessionmaker() as s:
            assert await _P_ADVANCE.scalar(s, {"rid": rid, "n": 1}) == 5
            await s.commit()
            assert await _P_ADVANCE.scalar(s, {"rid": rid, "n": 1}) == 6
            await s.rollback()
        async with db.sessionmaker() as s:
            assert (await s.execute(_SEQ, {"rid": rid})).scalar_one() == 5

        # multi-row forms as a transaction's first statement, then rollback / commit
        now = datetime.now(UTC)

        def event(seq: int) -> dict[str, Any]:
            return {
                "restaurant_id": rid,
                "seq": seq,
                "type": "t",
                "station": None,
                "payload": {"n": seq},
                "created_at": now,
            }

        async with db.sessionmaker() as s:
            returned = await _INSERT_OUTBOX_RETURNING.fetchall_many(s, [event(1), event(2)])
            assert sorted(r.payload["n"] for r in returned) == [1, 2]
            await s.rollback()
        async with db.sessionmaker() as s:
            await _INSERT_OUTBOX.executemany(s, [event(3), event(4)])
            await s.rollback()
        async with db.sessionmaker() as s:
            assert (await s.execute(_OUTBOX_OF, {"rid": rid})).all() == []
        async with db.sessionmaker() as s:
            await _INSERT_OUTBOX.executemany(s, [event(5), event(6)])
            await s.commit()
        async with db.sessionmaker() as s:
            returned = await _INSERT_OUTBOX_RETURNING.fetchall_many(s, [event(7), event(8)])
            assert sorted(r.payload["n"] for r in returned) == [7, 8]
            await s.commit()
        async with db.sessionmaker() as s:
            rows = (await s.execute(_OUTBOX_OF, {"rid": rid})).all()
            assert sorted(r.payload["n"] for r in rows) == [5, 6, 7, 8]
    finally:
        async with db.sessionmaker() as s:
            await s.execute(delete(_outbox).where(_outbox.c.restaurant_id == rid))
            await s.execute(delete(Restaurant).where(Restaurant.id == rid))
            await s.commit()


_RECORD_INSERT = insert(_records).returning(_records.c.id, _records.c.key)


async def test_a_session_runs_a_repeated_core_statement_prepared_with_the_same_answers(
    session: AsyncSession,
) -> None:
    """PreparedSession.execute: the first run is SQLAlchemy's, later runs are prepared,
    and the answers (rows, mappings, scalars, rowcount) are the same."""
    restaurant = await make_restaurant(session)
    rid = restaurant.id
    now = datetime.now(UTC)
    statement = select(_records.c.key, _records.c.body).where(
        _records.c.restaurant_id == bindparam("rid")
    )
    await session.execute(_RECORD_INSERT, _record(rid, "a", {"x": 1}, now))
    first = (await session.execute(statement, {"rid": rid})).all()
    assert prepared_for(statement) is not None  # seen once: the next run is prepared
    result = await session.execute(statement, {"rid": rid})
    assert isinstance(result, type(await session.execute(statement, {"rid": rid})))
    again = result.all()
    assert [tuple(r) for r in again] == [tuple(r) for r in first] == [("a", {"x": 1})]
    assert again[0].key == "a"
    assert (await session.execute(statement, {"rid": rid})).mappings().one() == {
        "key": "a",
        "body": {"x": 1},
    }
    assert (await session.execute(statement, {"rid": rid})).scalars().all() == ["a"]
    assert (await session.execute(statement, {"rid": rid + 1})).first() is None
    bump = (
        update(_records)
        .where(_records.c.restaurant_id == bindparam("rid"))
        .values(status_code=bindparam("code"))
    )
    await session.execute(bump, {"rid": rid, "code": 200})
    changed = await session.execute(bump, {"rid": rid, "code": 204})
    assert getattr(changed, "rowcount", None) == 1
    codes = select(_records.c.status_code).where(_records.c.restaurant_id == bindparam("rid"))
    assert (await session.execute(codes, {"rid": rid})).scalar_one() == 204


async def test_a_prepared_run_raises_sqlalchemys_integrity_error(session: AsyncSession) -> None:
    """A caller that catches IntegrityError (a unique key) gets it from a prepared run,
    with the driver's error as ``orig``, and the transaction goes on in a savepoint."""
    restaurant = await make_restaurant(session)
    now = datetime.now(UTC)
    await session.execute(_RECORD_INSERT, _record(restaurant.id, "k1", None, now))
    assert prepared_for(_RECORD_INSERT) is not None
    with pytest.raises(IntegrityError) as caught:
        async with session.begin_nested():
            await session.execute(_RECORD_INSERT, _record(restaurant.id, "k1", None, now))
    assert caught.value.orig is not None
    inserted = await session.execute(_RECORD_INSERT, _record(restaurant.id, "k2", None, now))
    assert inserted.one().key == "k2"


async def test_listeners_see_the_statements_run_prepared(session: AsyncSession) -> None:
    """before_execute and before_cursor_execute listeners (statement counters, the
    tests' tenancy checker) see a prepared run as they see SQLAlchemy's."""
    restaurant = await make_restaurant(session)
    statement = select(_records.c.id).where(_records.c.restaurant_id == bindparam("rid"))
    await session.execute(statement, {"rid": restaurant.id})  # the first run: SQLAlchemy's
    seen: list[str] = []
    connection = await session.connection()

    def on_execute(conn: Any, clause: Any, *args: Any) -> None:
        seen.append("execute" if clause is statement else "other")

    def on_cursor(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append("cursor" if "idempotency_records" in sql else "other")

    sync = connection.sync_connection
    event.listen(sync, "before_execute", on_execute)
    event.listen(sync, "before_cursor_execute", on_cursor)
    try:
        await session.execute(statement, {"rid": restaurant.id})
    finally:
        event.remove(sync, "before_execute", on_execute)
        event.remove(sync, "before_cursor_execute", on_cursor)
    assert seen == ["execute", "cursor"]


async def test_a_prepared_write_in_a_savepoint_is_undone_by_its_rollback(
    session: AsyncSession,
) -> None:
    """Inside ``begin_nested()`` a prepared run takes the SAVEPOINT first, so rolling the
    nested transaction back undoes what it wrote, and nothing before it."""
    restaurant = await make_restaurant(session)
    now = datetime.now(UTC)
    await session.execute(_RECORD_INSERT, _record(restaurant.id, "s1", None, now))
    code = (
        update(_records)
        .where(_records.c.restaurant_id == bindparam("rid"))
        .values(status_code=bindparam("code"))
    )
    await session.execute(code, {"rid": restaurant.id, "code": 200})
    assert prepared_for(code) is not None

    async def write_then_fail() -> None:
        async with session.begin_nested():
            await session.execute(code, {"rid": restaurant.id, "code": 500})
            raise LookupError

    with pytest.raises(LookupError):
        await write_then_fail()
    codes = select(_records.c.status_code).where(_records.c.restaurant_id == bindparam("rid"))
    assert (await session.execute(codes, {"rid": restaurant.id})).scalar_one() == 200
