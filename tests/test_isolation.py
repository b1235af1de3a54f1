"""Tenant isolation for every route under ``/api/v1/restaurants/{restaurant_id}``.

The matrix is generated from the app's route table, so a route added by any context is
covered without anyone remembering to. For each route (its permission is read from the
``require(<permission>)`` dependency in its dependant tree):

(a) no token → 401;
(b) a member of another restaurant (owner there), and an API token of another restaurant
    holding every scope → 404 ``restaurant not found`` (never telling it exists);
(c) every role lacking the route's permission, and an API token of this restaurant with
    every scope but that one → 403;
(d) for ``GET`` routes, an API token with exactly that scope and the restaurant's owner
    get past the access check (not 401/403, not ``restaurant not found``).

Path parameters other than ``restaurant_id`` are filled with 1 and bodies with ``{}``:
FastAPI runs dependencies (where ``require`` decides access) before validating the body
and query, so access is decided first; (b) and (c) would show a 422 otherwise.

That proves access per restaurant. Per object: restaurants A and B are furnished with
one object of every kind a route takes by id (B first, so that no id is shared), and
every route with an object id is called with A's ids under B's path by B's owner (404
``not-found``, the object is not B's) and under A's path by A's owner (found), with a
valid body where the route needs one (:data:`BODIES`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.app import create_app
from brigade.auth.models import ApiToken, User
from brigade.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from brigade.auth.security import (
    API_TOKEN_PREFIX,
    create_access_token,
    new_opaque_token,
    token_digest,
)
from brigade.infra.db import utcnow
from brigade.infra.settings import Settings
from brigade.menu.models import Modifier, ModifierGroup
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from tests.factories import make_menu_item, make_modifier_group, make_restaurant, unique

#: Routes under /restaurants/{restaurant_id} when this was last counted (auth, restaurants,
#: menu, tables and the floor, orders, kitchen, billing, reports). The matrix must never
#: shrink below.
MIN_ROUTES = 71
#: Path families every context registers; each must appear in the matrix.
FAMILIES = (
    "/staff",
    "/api-tokens",
    "/menu",
    "/areas",
    "/floor",
    "/tables",
    "/orders",
    "/kitchen/tickets",
    "/checks",
    "/payments",
    "/reports",
    "/tax-rates",
    "/tills",
    "/shifts",
    "/devices",
)
NOT_FOUND_DETAIL = "restaurant not found"  # what resolve_access says
BODY_METHODS = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class RouteCase:
    """One (method, path) of the API with the permissions its dependencies require."""

    method: str
    path: str
    permissions: frozenset[Permission]
    has_body: bool

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, restaurant_id: int) -> str:
        def fill(match: re.Match[str]) -> str:
            return str(restaurant_id) if match.group(1) == "restaurant_id" else "1"

        return re.sub(r"\{(\w+)(?::\w+)?\}", fill, self.path)


def _permissions(dependant: Dependant) -> Iterator[Permission]:
    for sub in dependant.dependencies:
        permission = getattr(sub.call, "permission", None)
        if isinstance(permission, Permission):
            yield permission
        yield from _permissions(sub)


def _api_routes(app: FastAPI) -> Iterator[tuple[str, set[str], Dependant, bool]]:
    """(full path, methods, dependant, has body) of every API route of ``app``.

    Newer FastAPI keeps included routers lazily (``iter_route_contexts`` flattens them);
    older versions list ``APIRoute`` objects in ``app.routes`` directly.
    """
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - older FastAPI
        for route in app.routes:
            if isinstance(route, APIRoute):
                yield route.path, set(route.methods), route.dependant, route.body_field is not None
        return
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield (
                context.path,
                set(context.methods or ()),
                context.dependant,
                context.body_field is not None,
            )


def collect_routes() -> list[RouteCase]:
    """Every (method, path) under ``/restaurants/{restaurant_id}`` of a freshly built app."""
    app = create_app(
        Settings(database_url="sqlite+aiosqlite://", secret_key="collect-routes-" + "x" * 40)
    )
    cases = []
    for path, methods, dependant, has_body in _api_routes(app):
        if "{restaurant_id}" not in path:
            continue
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            cases.append(RouteCase(method, path, frozenset(_permissions(dependant)), has_body))
    return sorted(cases, key=lambda c: (c.path, c.method))


ROUTES = collect_routes()


def test_matrix_covers_the_route_table() -> None:
    """Not vacuous: the matrix sees at least the routes that existed when it was written,
    and every one of them declares exactly one permission through ``require``."""
    assert len(ROUTES) >= MIN_ROUTES, [c.id for c in ROUTES]
    undeclared = [c.id for c in ROUTES if len(c.permissions) != 1]
    assert undeclared == [], "routes without exactly one require(<permission>)"
    for needed in FAMILIES:
        assert any(needed in c.path for c in ROUTES), needed


# --- the world each case runs in -------------------------------------------------------


@dataclass
class World:
    """Restaurant ``here`` (the target) with one member per role; restaurant ``there``
    with its owner and an all-scopes API token."""

    here: Restaurant
    there: Restaurant
    members: dict[Role, dict[str, str]]
    stranger: dict[str, str]
    stranger_token: dict[str, str]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _user(session: AsyncSession, runtime: Runtime) -> tuple[int, dict[str, str]]:
    # These users never log in: no argon2 hash needed, only an access token.
    user = User(username=unique("iso"), password_hash="!", full_name="", created_at=utcnow())
    session.add(user)
    await session.flush()
    token, _ = create_access_token(
        user.id,
        is_admin=False,
        key=runtime.settings.signing_key,
        ttl_seconds=runtime.settings.access_token_ttl_seconds,
    )
    return user.id, _bearer(token)


async def _api_token(
    session: AsyncSession, restaurant: Restaurant, scopes: set[Permission]
) -> dict[str, str]:
    secret = new_opaque_token(API_TOKEN_PREFIX)
    session.add(
        ApiToken(
            restaurant_id=restaurant.id,
            name="isolation",
            prefix=secret[:12],
            token_hash=token_digest(secret),
            scopes=sorted(p.value for p in scopes),
            created_at=utcnow(),
        )
    )
    await session.flush()
    return _bearer(secret)


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    here = await make_restaurant(session)
    there = await make_restaurant(session)
    members = {}
    for role in Role:
        user_id, headers = await _user(session, runtime)
        await add_member(session, here.id, user_id, role)
        members[role] = headers
    stranger_id, stranger = await _user(session, runtime)
    await add_member(session, there.id, stranger_id, Role.owner)
    stranger_token = await _api_token(session, there, set(Permission))
    return World(here, there, members, stranger, stranger_token)


async def _call(
    client: AsyncClient, case: RouteCase, url: str, headers: dict[str, str]
) -> Response:
    body: Any = {} if case.has_body or case.method in BODY_METHODS else None
    return await client.request(case.method, url, json=body, headers=headers)


def _is_restaurant_not_found(response: Response) -> bool:
    if response.status_code != 404:
        return False
    return bool(response.json().get("detail") == NOT_FOUND_DETAIL)


@pytest.mark.parametrize("case", ROUTES, ids=[c.id for c in ROUTES])
async def test_tenant_isolation(
    case: RouteCase, client: AsyncClient, session: AsyncSession, world: World
) -> None:
    url = case.url(world.here.id)
    failures: list[str] = []

    def expect(label: str, response: Response, status: int, slug: str) -> None:
        ok = response.status_code == status and response.headers.get("content-type", "").startswith(
            "application/problem+json"
        )
        if ok and slug:
            ok = str(response.json().get("type", "")).endswith("/" + slug)
        if status == 404 and ok:
            ok = _is_restaurant_not_found(response)
        if not ok:
            failures.append(
                f"{label}: expected {status}, got {response.status_code} {response.text}"
            )

    # (a) no token
    expect("no token", await _call(client, case, url, {}), 401, "not-authenticated")
    # (b) another restaurant's owner and another restaurant's all-scopes token
    expect("other restaurant's owner", await _call(client, case, url, world.stranger), 404, "")
    expect(
        "other restaurant's API token",
        await _call(client, case, url, world.stranger_token),
        404,
        "",
    )
    # (c) roles and a token lacking the permission
    for permission in case.permissions:
        for role, headers in world.members.items():
            if permission not in ROLE_PERMISSIONS[role]:
                expect(
                    f"role {role.value} (no {permission.value})",
                    await _call(client, case, url, headers),
                    403,
                    "permission-denied",
                )
        token = await _api_token(session, world.here, set(Permission) - {permission})
        expect(
            f"API token without {permission.value}",
            await _call(client, case, url, token),
            403,
            "permission-denied",
        )
        # (d) read routes: the exact scope and the owner get past the access check
        if case.method == "GET":
            exact = await _api_token(session, world.here, {permission})
            for label, headers in (
                (f"API token with only {permission.value}", exact),
                ("owner", world.members[Role.owner]),
            ):
                response = await _call(client, case, url, headers)
                if response.status_code in (401, 403) or _is_restaurant_not_found(response):
                    failures.append(f"{label}: denied with {response.status_code} {response.text}")

    assert failures == [], f"{case.id}:\n" + "\n".join(failures)


# --- objects: restaurant A's ids under restaurant B --------------------------------------

#: A valid body for each write route that needs one (by method and path suffix), with
#: ``{name}`` filled from the object ids; others send ``{}``. A body must be valid so the
#: route reaches its lookup: a 422 would hide whether the object was found.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/staff/{user_id}/pin"): {"pin": "1234"},
    ("POST", "/checks/{check_id}/payments"): {"method": "card", "amount": 100},
    ("POST", "/checks/{check_id}/discounts"): {"kind": "fixed", "value": 1, "reason": "iso"},
    ("POST", "/checks/{check_id}/split"): {"by": "even", "parts": 2},
    ("POST", "/checks/{check_id}/lines/move"): {"order_item_ids": [1], "to_check_id": 1},
    ("POST", "/payments/{payment_id}/tip"): {"tip": 10},
    ("POST", "/payments/{payment_id}/refund"): {"reason": "isolation"},
    ("POST", "/payments/{payment_id}/void"): {"reason": "isolation"},
    ("PATCH", "/tax-rates/{tax_rate_id}"): {"rate_bp": 500},
    ("POST", "/orders/{order_id}/items"): {
        "items": [{"menu_item_id": "{menu_item}", "variation_id": "{variation_id}"}]
    },
    ("POST", "/orders/{order_id}/items/{item_id}/void"): {"reason": "wrong table"},
    ("POST", "/orders/{order_id}/cancel"): {"reason": "opened by mistake"},
    ("POST", "/orders/{order_id}/transfer"): {"table_id": "{table_id}"},
    ("POST", "/orders/{order_id}/merge"): {"order_id": "{order_id}"},
    ("PUT", "/menu/items/{item_id}/availability"): {"is_available": False},
    ("PUT", "/menu/items/{item_id}/modifier-groups"): {"group_ids": ["{group_id}"]},
    ("POST", "/menu/items/{item_id}/variations"): {"name": "XL", "sku": "iso-xl", "price": 1},
    ("POST", "/tills/{till_id}/shifts"): {"opening_float": 0},
    ("POST", "/shifts/{shift_id}/paid-in"): {"amount": 1, "reason": "isolation"},
    ("POST", "/shifts/{shift_id}/paid-out"): {"amount": 1, "reason": "isolation"},
    ("POST", "/shifts/{shift_id}/close"): {"counted_cash": 0},
    ("PATCH", "/inventory/ingredients/{ingredient_id}"): {"reorder_level": 1},
    ("PUT", "/inventory/recipes/items/{item_id}"): {
        "lines": [{"ingredient_id": "{ingredient_id}", "quantity": 1}]
    },
    ("PUT", "/inventory/recipes/modifiers/{modifier_id}"): {
        "lines": [{"ingredient_id": "{ingredient_id}", "quantity": 1}]
    },
}
#: Path parameters that are no object id.
NOT_IDS = {"restaurant_id", "course"}
OBJECT_ROUTES = [c for c in ROUTES if set(re.findall(r"\{(\w+)", c.path)) - NOT_IDS]


@dataclass
class Furnished:
    """A restaurant with one object of every kind its routes take, and its owner."""

    restaurant: Restaurant
    owner: dict[str, str]
    ids: dict[str, int]

    def url(self, case: RouteCase, restaurant_id: int) -> str:
        """``case``'s path under ``restaurant_id`` with this restaurant's object ids."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "restaurant_id":
                return str(restaurant_id)
            return str(self.ids[_id_kind(case.path, name)])

        return re.sub(r"\{(\w+)(?::\w+)?\}", fill, case.path)

    def body(self, case: RouteCase) -> Any:
        """The route's body (:data:`BODIES`) with this restaurant's ids, or ``{}``."""
        suffix = case.path.split("{restaurant_id}", 1)[1]
        template = BODIES.get((case.method, suffix))
        if template is None:
            return {} if case.has_body or case.method in BODY_METHODS else None
        return _fill_body(template, self.ids)


def _id_kind(path: str, name: str) -> str:
    """``item_id`` is a menu item under ``/menu/items`` and an order line under
    ``/orders``; every other parameter names one kind."""
    if name == "item_id":
        return "order_line" if "/orders/" in path else "menu_item"
    return name


def _fill_body(template: Any, ids: dict[str, int]) -> Any:
    if isinstance(template, dict):
        return {k: _fill_body(v, ids) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill_body(v, ids) for v in template]
    if isinstance(template, str) and template.startswith("{") and template.endswith("}"):
        return ids[template[1:-1]]
    return template


async def _ok(response: Response, what: str) -> dict[str, Any]:
    assert response.status_code < 300, f"{what}: {response.status_code} {response.text}"
    return dict(response.json())


async def furnish(
    client: AsyncClient, session: AsyncSession, runtime: Runtime, restaurant: Restaurant
) -> Furnished:
    """An area, a table, a menu item with a size and a modifier group, a waiter, an API
    token, a dine-in order with a line that was sent (a ticket), and its check with a
    discount and a part payment by card; a till with an open shift and the Z report of a
    day before; a registered device and a stock ingredient."""
    owner_id, owner = await _user(session, runtime)
    await add_member(session, restaurant.id, owner_id, Role.owner)
    waiter_id, _ = await _user(session, runtime)
    await add_member(session, restaurant.id, waiter_id, Role.waiter)
    await _api_token(session, restaurant, {Permission.menu_read})
    token_id = await session.scalar(
        select(ApiToken.id).where(ApiToken.restaurant_id == restaurant.id)
    )
    item = await make_menu_item(session, restaurant, prices={"M": 1500})
    await make_modifier_group(session, restaurant, items=[item.id], modifiers={"Cheese": 100})
    group_id = await session.scalar(
        select(ModifierGroup.id).where(ModifierGroup.restaurant_id == restaurant.id)
    )
    modifier_id = await session.scalar(
        select(Modifier.id).where(Modifier.restaurant_id == restaurant.id)
    )
    base = f"/api/v1/restaurants/{restaurant.id}"
    area = await _ok(
        await client.post(f"{base}/areas", json={"name": "Room"}, headers=owner), "area"
    )
    table = await _ok(
        await client.post(
            f"{base}/tables", json={"name": unique("T"), "area_id": area["id"]}, headers=owner
        ),
        "table",
    )
    order = await _ok(
        await client.post(
            f"{base}/orders",
            json={
                "kind": "dine_in",
                "table_id": table["id"],
                "items": [{"menu_item_id": item.id, "variation_id": item.variations["M"]}],
            },
            headers=owner,
        ),
        "order",
    )
    await _ok(await client.post(f"{base}/orders/{order['id']}/send", headers=owner), "send")
    tickets = await _ok(await client.get(f"{base}/kitchen/tickets", headers=owner), "tickets")
    check = await _ok(
        await client.post(f"{base}/orders/{order['id']}/check", headers=owner), "check"
    )
    check_id = check["check"]["id"] if "check" in check else check["id"]
    tax_rate = await _ok(
        await client.post(f"{base}/tax-rates", json={"name": "VAT", "rate_bp": 700}, headers=owner),
        "tax rate",
    )
    discounted = await _ok(
        await client.post(
            f"{base}/checks/{check_id}/discounts",
            json={"kind": "fixed", "value": 10, "reason": "regular"},
            headers=owner,
        ),
        "discount",
    )
    payment = await _ok(
        await client.post(
            f"{base}/checks/{check_id}/payments",
            json={"method": "card", "amount": 100},
            headers=owner,
        ),
        "payment",
    )
    till = await _ok(
        await client.post(f"{base}/tills", json={"name": "Front"}, headers=owner), "till"
    )
    shift = await _ok(
        await client.post(
            f"{base}/tills/{till['id']}/shifts", json={"opening_float": 0}, headers=owner
        ),
        "shift",
    )
    z_report = await _ok(
        await client.post(f"{base}/reports/z", json={"business_date": "2020-01-01"}, headers=owner),
        "z report",
    )
    device = await _ok(
        await client.post(
            f"{base}/devices", json={"name": "Tablet", "kind": "tablet"}, headers=owner
        ),
        "device",
    )
    ingredient = await _ok(
        await client.post(
            f"{base}/inventory/ingredients", json={"name": "Flour", "unit": "kg"}, headers=owner
        ),
        "ingredient",
    )
    ids = {
        "area_id": area["id"],
        "table_id": table["id"],
        "category_id": item.category_id,
        "menu_item": item.id,
        "variation_id": item.variations["M"],
        "group_id": int(group_id or 0),
        "user_id": waiter_id,
        "token_id": int(token_id or 0),
        "order_id": order["id"],
        "order_line": order["items"][0]["id"],
        "ticket_id": tickets["items"][0]["id"],
        "ticket_item_id": tickets["items"][0]["items"][0]["id"],
        "check_id": check_id,
        "tax_rate_id": tax_rate["id"],
        "discount_id": discounted["discounts"][0]["id"],
        "payment_id": payment["id"],
        "till_id": till["id"],
        "shift_id": shift["id"],
        "z_report_id": z_report["id"],
        "device_id": device["id"],
        "ingredient_id": ingredient["id"],
        "modifier_id": int(modifier_id or 0),
        "course": 1,
    }
    return Furnished(restaurant, owner, ids)


@dataclass
class Two:
    """Restaurant A and restaurant B, each furnished; B first, so no id is shared."""

    a: Furnished
    b: Furnished


@pytest.fixture
async def two(client: AsyncClient, session: AsyncSession, runtime: Runtime) -> Two:
    b = await furnish(client, session, runtime, await make_restaurant(session))
    a = await furnish(client, session, runtime, await make_restaurant(session))
    return Two(a, b)


def test_object_routes_are_all_covered() -> None:
    kinds = {
        _id_kind(c.path, name)
        for c in OBJECT_ROUTES
        for name in re.findall(r"\{(\w+)", c.path)
        if name not in NOT_IDS
    }
    assert kinds == {
        "area_id",
        "table_id",
        "category_id",
        "menu_item",
        "variation_id",
        "group_id",
        "user_id",
        "token_id",
        "order_id",
        "order_line",
        "ticket_id",
        "ticket_item_id",
        "check_id",
        "tax_rate_id",
        "discount_id",
        "payment_id",
        "till_id",
        "shift_id",
        "z_report_id",
        "device_id",
        "ingredient_id",
        "modifier_id",
    }
    assert len(OBJECT_ROUTES) >= 45


async def test_the_two_restaurants_share_no_id(two: Two) -> None:
    shared = {k for k, v in two.a.ids.items() if k != "course" and two.b.ids[k] == v}
    assert shared == set()


@pytest.mark.parametrize("case", OBJECT_ROUTES, ids=[c.id for c in OBJECT_ROUTES])
async def test_another_restaurants_object_is_not_found(
    case: RouteCase, client: AsyncClient, two: Two
) -> None:
    """A's object ids under B's path, with B's owner: 404 ``not-found`` (the object is
    not B's; the restaurant is); then the same ids under A's path, with A's owner: found
    (any answer but 401/403/404, a body validation error or a 500)."""
    a, b = two.a, two.b
    body = a.body(case)
    response = await client.request(
        case.method, a.url(case, b.restaurant.id), json=body, headers=b.owner
    )
    assert response.status_code == 404, f"{case.id} under B: {response.text}"
    assert response.json()["type"].endswith("/not-found")
    assert not _is_restaurant_not_found(response)
    response = await client.request(
        case.method, a.url(case, a.restaurant.id), json=body, headers=a.owner
    )
    assert response.status_code not in (401, 403, 404), f"{case.id} under A: {response.text}"
    assert response.status_code < 500, response.text
    if response.status_code == 422:
        assert not response.json()["type"].endswith("/validation-error"), response.text
