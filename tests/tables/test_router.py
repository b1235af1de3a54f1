"""The areas, tables and QR routes through HTTP: tenancy and permission first."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import segno
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.runtime import Runtime
from brigade.tables.models import DiningTable
from brigade.tables.service import occupy_table
from tests.menu.conftest import Staff, events_of


def problem(response: Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://brigade.dev/problems/{slug}"
    return body


async def new_table(client: AsyncClient, staff: Staff, name: str, **extra: Any) -> dict[str, Any]:
    r = await client.post(
        f"{staff.base}/tables", json={"name": name, **extra}, headers=staff.waiter
    )
    assert r.status_code == 201, r.text
    table: dict[str, Any] = r.json()
    return table


async def new_area(client: AsyncClient, staff: Staff, name: str, position: int = 0) -> int:
    r = await client.post(
        f"{staff.base}/areas", json={"name": name, "position": position}, headers=staff.owner
    )
    assert r.status_code == 201, r.text
    area_id: int = r.json()["id"]
    return area_id


async def count_tables(session: AsyncSession, restaurant_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(DiningTable)
            .where(DiningTable.restaurant_id == restaurant_id)
        )
        or 0
    )


class TestAreas:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/areas"), 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/areas", headers=staff.stranger), 404, "not-found")

    async def test_roles_without_permission(self, client: AsyncClient, staff: Staff) -> None:
        problem(
            await client.get(f"{staff.base}/areas", headers=staff.kitchen),
            403,
            "permission-denied",
        )
        r = await client.post(f"{staff.base}/areas", json={"name": "Bar"}, headers=staff.cashier)
        problem(r, 403, "permission-denied")

    async def test_crud(self, client: AsyncClient, staff: Staff) -> None:
        terrace = await new_area(client, staff, "Terrace", position=2)
        main = await new_area(client, staff, "Main room", position=1)
        listed = (await client.get(f"{staff.base}/areas", headers=staff.cashier)).json()
        assert listed == {
            "items": [
                {"id": main, "name": "Main room", "position": 1},
                {"id": terrace, "name": "Terrace", "position": 2},
            ],
            "total": 2,
        }
        r = await client.patch(
            f"{staff.base}/areas/{terrace}", json={"name": "Garden"}, headers=staff.owner
        )
        assert r.json() == {"id": terrace, "name": "Garden", "position": 2}
        got = await client.get(f"{staff.base}/areas/{terrace}", headers=staff.waiter)
        assert got.json()["name"] == "Garden"

    async def test_deleting_an_area_keeps_its_tables(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        terrace = await new_area(client, staff, "Terrace")
        table = await new_table(client, staff, "T1", area_id=terrace)
        assert table["area_id"] == terrace
        r = await client.delete(f"{staff.base}/areas/{terrace}", headers=staff.owner)
        assert r.status_code == 204
        problem(
            await client.get(f"{staff.base}/areas/{terrace}", headers=staff.owner),
            404,
            "not-found",
        )
        after = (await client.get(f"{staff.base}/tables/{table['id']}", headers=staff.owner)).json()
        assert (after["area_id"], after["version"]) == (None, 2)
        last = (await events_of(session, staff.restaurant.id, "table."))[-1]
        assert last["type"] == "table.updated"
        assert last["table"]["area_id"] is None

    async def test_unknown_area(self, client: AsyncClient, staff: Staff) -> None:
        for method in ("get", "patch", "delete"):
            kwargs: dict[str, Any] = {"json": {"name": "X"}} if method == "patch" else {}
            r = await client.request(
                method, f"{staff.base}/areas/999999", headers=staff.owner, **kwargs
            )
            problem(r, 404, "not-found")


class TestTables:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/tables"), 401, "not-authenticated")
        r = await client.post(f"{staff.base}/tables", json={"name": "T1"})
        problem(r, 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/tables", headers=staff.stranger), 404, "not-found")
        r = await client.post(f"{staff.base}/tables", json={"name": "T1"}, headers=staff.stranger)
        problem(r, 404, "not-found")

    async def test_roles_without_permission(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        problem(
            await client.get(f"{staff.base}/tables", headers=staff.kitchen),
            403,
            "permission-denied",
        )
        r = await client.post(f"{staff.base}/tables", json={"name": "T1"}, headers=staff.cashier)
        problem(r, 403, "permission-denied")
        assert await count_tables(session, staff.restaurant.id) == 0

    async def test_create_list_and_read(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        terrace = await new_area(client, staff, "Terrace")
        t2 = await new_table(client, staff, "T2", seats=2, position=2, area_id=terrace)
        t1 = await new_table(client, staff, "T1", position=1)
        assert t1 == {
            "id": t1["id"],
            "area_id": None,
            "name": "T1",
            "seats": 4,
            "status": "free",
            "current_order_id": None,
            "seated_at": None,
            "version": 1,
            "position": 1,
            "waiter_id": None,
            "plan_x": None,
            "plan_y": None,
            "plan_width": 80,
            "plan_height": 80,
            "shape": "square",
        }
        listed = (await client.get(f"{staff.base}/tables", headers=staff.cashier)).json()
        assert [t["name"] for t in listed["items"]] == ["T1", "T2"]
        assert listed["total"] == 2
        in_area = await client.get(
            f"{staff.base}/tables", params={"area_id": terrace}, headers=staff.waiter
        )
        assert [t["id"] for t in in_area.json()["items"]] == [t2["id"]]
        await occupy_table(session, staff.restaurant.id, t2["id"], order_id=77)
        await session.commit()
        occupied = await client.get(
            f"{staff.base}/tables", params={"status": "occupied"}, headers=staff.waiter
        )
        (row,) = occupied.json()["items"]
        assert (row["id"], row["status"], row["current_order_id"]) == (t2["id"], "occupied", 77)
        assert row["seated_at"] is not None
        got = await client.get(f"{staff.base}/tables/{t1['id']}", headers=staff.waiter)
        assert got.json() == t1
        created = list(await events_of(session, staff.restaurant.id, "table.created"))
        assert [e["table"]["name"] for e in created] == ["T2", "T1"]

    async def test_duplicate_name_creates_nothing(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        await new_table(client, staff, "T1")
        r = await client.post(f"{staff.base}/tables", json={"name": "T1"}, headers=staff.waiter)
        problem(r, 409, "table-name-taken")
        assert await count_tables(session, staff.restaurant.id) == 1

    async def test_invalid_seats_and_area(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.post(
            f"{staff.base}/tables", json={"name": "T1", "seats": 0}, headers=staff.waiter
        )
        problem(r, 422, "validation-error")
        r = await client.post(
            f"{staff.base}/tables", json={"name": "T1", "area_id": 999999}, headers=staff.waiter
        )
        problem(r, 404, "not-found")

    async def test_update_with_versions(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        table = await new_table(client, staff, "T1")
        await new_table(client, staff, "T2")
        url = f"{staff.base}/tables/{table['id']}"
        r = await client.patch(url, json={"seats": 6, "version": 1}, headers=staff.waiter)
        assert r.status_code == 200, r.text
        assert (r.json()["seats"], r.json()["version"], r.json()["name"]) == (6, 2, "T1")
        stale = await client.patch(url, json={"seats": 8, "version": 1}, headers=staff.waiter)
        assert problem(stale, 409, "stale-version")["current_version"] == 2
        taken = await client.patch(url, json={"name": "T2"}, headers=staff.waiter)
        problem(taken, 409, "table-name-taken")
        now = (await client.get(url, headers=staff.waiter)).json()
        assert (now["seats"], now["name"], now["version"]) == (6, "T1", 2)
        # without a version the write goes through; renaming to its own name is fine
        r = await client.patch(url, json={"name": "T1", "seats": 3}, headers=staff.waiter)
        assert (r.json()["seats"], r.json()["version"]) == (3, 3)
        updates = await events_of(session, staff.restaurant.id, "table.updated")
        assert [e["table"]["version"] for e in updates] == [2, 3]

    async def test_move_between_areas(self, client: AsyncClient, staff: Staff) -> None:
        terrace = await new_area(client, staff, "Terrace")
        table = await new_table(client, staff, "T1", area_id=terrace)
        url = f"{staff.base}/tables/{table['id']}"
        r = await client.patch(url, json={"area_id": None}, headers=staff.waiter)
        assert r.json()["area_id"] is None
        r = await client.patch(url, json={"area_id": 999999}, headers=staff.waiter)
        problem(r, 404, "not-found")

    async def test_delete(self, client: AsyncClient, staff: Staff, session: AsyncSession) -> None:
        table = await new_table(client, staff, "T1")
        url = f"{staff.base}/tables/{table['id']}"
        problem(
            await client.delete(url, params={"version": 5}, headers=staff.waiter),
            409,
            "stale-version",
        )
        r = await client.delete(url, params={"version": 1}, headers=staff.waiter)
        assert r.status_code == 204
        problem(await client.get(url, headers=staff.waiter), 404, "not-found")
        (deleted,) = await events_of(session, staff.restaurant.id, "table.deleted")
        assert deleted["table"]["name"] == "T1"

    async def test_cannot_delete_a_table_with_an_open_order(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        table = await new_table(client, staff, "T1")
        await occupy_table(session, staff.restaurant.id, table["id"], order_id=5)
        await session.commit()
        r = await client.delete(f"{staff.base}/tables/{table['id']}", headers=staff.waiter)
        assert problem(r, 409, "table-occupied")["current_order_id"] == 5
        assert await count_tables(session, staff.restaurant.id) == 1

    async def test_other_restaurants_table(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        foreign = DiningTable(restaurant_id=staff.other.id, name="Theirs", seats=2)
        session.add(foreign)
        await session.commit()
        url = f"{staff.base}/tables/{foreign.id}"
        problem(await client.get(url, headers=staff.owner), 404, "not-found")
        problem(await client.patch(url, json={"seats": 9}, headers=staff.owner), 404, "not-found")
        problem(await client.delete(url, headers=staff.owner), 404, "not-found")
        problem(await client.get(f"{url}/qr.svg", headers=staff.owner), 404, "not-found")
        seats = await session.scalar(select(DiningTable.seats).where(DiningTable.id == foreign.id))
        assert seats == 2


def png_modules(png: bytes, size: int, scale: int, border: int) -> list[list[int]]:
    """Read a segno PNG (1-bit greyscale, filters None/Up) back into QR modules
    (1 = dark), sampling the centre of each module."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (1, 0)
    assert width == height == (size + 2 * border) * scale
    raw = zlib.decompress(idat)
    stride = (width + 7) // 8
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind_, data = line[0], line[1:]
        if kind_ == 2:
            data = bytes((a + b) & 0xFF for a, b in zip(data, previous, strict=True))
        else:
            assert kind_ == 0
        rows.append(data)
        previous = data
    modules = []
    for r in range(size):
        y = (border + r) * scale + scale // 2
        row = []
        for c in range(size):
            x = (border + c) * scale + scale // 2
            white = rows[y][x // 8] >> (7 - x % 8) & 1
            row.append(0 if white else 1)
        modules.append(row)
    return modules


class TestQrAndGuestLink:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        for path in ("qr.svg", "qr.png", "guest-link"):
            r = await client.get(f"{staff.base}/tables/1/{path}")
            problem(r, 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        table = await new_table(client, staff, "T1")
        for path in ("qr.svg", "qr.png", "guest-link"):
            r = await client.get(
                f"{staff.base}/tables/{table['id']}/{path}", headers=staff.stranger
            )
            problem(r, 404, "not-found")

    async def test_kitchen_cannot(self, client: AsyncClient, staff: Staff) -> None:
        table = await new_table(client, staff, "T1")
        r = await client.get(f"{staff.base}/tables/{table['id']}/qr.png", headers=staff.kitchen)
        problem(r, 403, "permission-denied")

    async def test_guest_link_opens_the_guest_menu(
        self, client: AsyncClient, staff: Staff, runtime: Runtime
    ) -> None:
        table = await new_table(client, staff, "Window 4")
        r = await client.get(f"{staff.base}/tables/{table['id']}/guest-link", headers=staff.waiter)
        link = r.json()
        parts = urlsplit(link["url"])
        assert f"{parts.scheme}://{parts.netloc}" == runtime.settings.public_url
        assert parts.path == f"/guest/{staff.restaurant.id}"
        assert parse_qs(parts.query) == {"t": [link["token"]]}
        menu = await client.get("/api/v1/guest/menu", params={"t": link["token"]})
        assert menu.status_code == 200, menu.text
        assert menu.json()["table"] == {"id": table["id"], "name": "Window 4"}
        assert menu.json()["restaurant_id"] == staff.restaurant.id

    async def test_svg_encodes_the_guest_link(self, client: AsyncClient, staff: Staff) -> None:
        table = await new_table(client, staff, "T1")
        base = f"{staff.base}/tables/{table['id']}"
        link = (await client.get(f"{base}/guest-link", headers=staff.waiter)).json()
        r = await client.get(f"{base}/qr.svg", headers=staff.waiter)
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/svg+xml"
        assert r.text.startswith("<?xml")
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in r.text
        assert "<path" in r.text
        expected = io.BytesIO()
        segno.make(link["url"], error="m", micro=False).save(
            expected, kind="svg", scale=8, border=4, xmldecl=True, title="Menu"
        )
        assert r.content == expected.getvalue()

    async def test_png_decodes_to_the_guest_link_modules(
        self, client: AsyncClient, staff: Staff
    ) -> None:
        table = await new_table(client, staff, "T1")
        base = f"{staff.base}/tables/{table['id']}"
        link = (await client.get(f"{base}/guest-link", headers=staff.waiter)).json()
        r = await client.get(f"{base}/qr.png", headers=staff.cashier)
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/png"
        qr = segno.make(link["url"], error="m", micro=False)
        size = len(qr.matrix)
        expected = [[1 if cell else 0 for cell in row] for row in qr.matrix]
        assert png_modules(r.content, size, scale=8, border=4) == expected
        # a different table gets a different code
        other = await new_table(client, staff, "T2")
        r2 = await client.get(f"{staff.base}/tables/{other['id']}/qr.png", headers=staff.waiter)
        assert r2.content != r.content
