"""HTTP tests of R/api-tokens: create (secret shown once), list, revoke, and what a
scoped token may do."""

from __future__ import annotations

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import ApiToken
from brigade.auth.permissions import Role
from brigade.auth.security import token_digest
from brigade.events.models import OutboxEvent
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import Login, make_restaurant, make_user

API = "/api/v1"


def problem_type(response: Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]


def tokens_url(restaurant: Restaurant) -> str:
    return f"{API}/restaurants/{restaurant.id}/api-tokens"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create_token(
    client: AsyncClient, restaurant: Restaurant, login: Login, scopes: list[str]
) -> dict[str, object]:
    response = await client.post(
        tokens_url(restaurant), json={"name": "screen", "scopes": scopes}, headers=login.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def token_count(session: AsyncSession, restaurant: Restaurant) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.restaurant_id == restaurant.id)
        )
        or 0
    )


class TestCreate:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        response = await client.post(tokens_url(restaurant), json={"name": "x", "scopes": []})

        assert response.status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)

        response = await client.post(
            tokens_url(restaurant),
            json={"name": "x", "scopes": ["menu:read"]},
            headers=stranger.headers,
        )

        assert response.status_code == 404
        assert await token_count(session, restaurant) == 0

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)

        response = await client.post(
            tokens_url(restaurant),
            json={"name": "x", "scopes": ["menu:read"]},
            headers=waiter.headers,
        )

        assert response.status_code == 403
        assert problem_type(response) == "permission-denied"

    async def test_secret_is_returned_once_and_stored_hashed(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        body = await create_token(client, restaurant, owner, ["kitchen:bump", "menu:read"])

        secret = str(body["token"])
        assert secret.startswith("brg_")
        assert len(secret) > 40
        assert secret.startswith(str(body["prefix"]))
        assert body["scopes"] == ["menu:read", "kitchen:bump"]
        assert body["restaurant_id"] == restaurant.id
        assert body["created_by"] == owner.user.id
        assert body["revoked_at"] is None
        stored = await session.scalar(select(ApiToken.token_hash).where(ApiToken.id == body["id"]))
        assert stored == token_digest(secret)
        listed = (await client.get(tokens_url(restaurant), headers=owner.headers)).json()
        assert secret not in str(listed)
        assert "token" not in listed["items"][0]

    async def test_unknown_scope_is_422_and_creates_nothing(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.post(
            tokens_url(restaurant),
            json={"name": "x", "scopes": ["menu:read", "everything"]},
            headers=owner.headers,
        )

        assert response.status_code == 422
        assert problem_type(response) == "invalid-scope"
        assert response.json()["unknown"] == ["everything"]
        assert await token_count(session, restaurant) == 0

    async def test_no_scopes_is_a_validation_problem(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.post(
            tokens_url(restaurant), json={"name": "x", "scopes": []}, headers=owner.headers
        )

        assert response.status_code == 422
        assert problem_type(response) == "validation-error"

    async def test_a_token_cannot_grant_more_than_it_holds(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        minter = await create_token(client, restaurant, owner, ["tokens:write", "menu:read"])

        response = await client.post(
            tokens_url(restaurant),
            json={"name": "x", "scopes": ["menu:write"]},
            headers=bearer(str(minter["token"])),
        )

        assert response.status_code == 403
        assert await token_count(session, restaurant) == 1


class TestList:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        assert (await client.get(tokens_url(restaurant))).status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)

        response = await client.get(tokens_url(restaurant), headers=stranger.headers)

        assert response.status_code == 404

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        cashier = await make_user(session, runtime, restaurant=restaurant, role=Role.cashier)

        response = await client.get(tokens_url(restaurant), headers=cashier.headers)

        assert response.status_code == 403

    async def test_lists_only_this_restaurants_tokens_newest_first(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        other_owner = await make_user(session, runtime, restaurant=other, role=Role.owner)
        first = await create_token(client, restaurant, owner, ["menu:read"])
        second = await create_token(client, restaurant, owner, ["kitchen:read"])
        await create_token(client, other, other_owner, ["menu:read"])

        response = await client.get(tokens_url(restaurant), headers=owner.headers)

        assert response.status_code == 200
        body = response.json()
        assert body["total"] == 2
        assert [t["id"] for t in body["items"]] == [second["id"], first["id"]]


class TestRevoke:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        assert (await client.delete(f"{tokens_url(restaurant)}/1")).status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)
        token = await create_token(client, restaurant, owner, ["menu:read"])

        via_other_path = await client.delete(
            f"{tokens_url(other)}/{token['id']}", headers=stranger.headers
        )
        via_this_path = await client.delete(
            f"{tokens_url(restaurant)}/{token['id']}", headers=stranger.headers
        )

        assert via_other_path.status_code == 404
        assert via_this_path.status_code == 404
        still = await client.get(
            f"{API}/restaurants/{restaurant.id}", headers=bearer(str(token["token"]))
        )
        assert still.status_code == 403  # alive: it only lacks restaurant:read

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        kitchen = await make_user(session, runtime, restaurant=restaurant, role=Role.kitchen)
        token = await create_token(client, restaurant, owner, ["menu:read"])

        response = await client.delete(
            f"{tokens_url(restaurant)}/{token['id']}", headers=kitchen.headers
        )

        assert response.status_code == 403

    async def test_revoked_token_gets_401(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        token = await create_token(client, restaurant, owner, ["restaurant:read"])
        headers = bearer(str(token["token"]))
        url = f"{API}/restaurants/{restaurant.id}"
        assert (await client.get(url, headers=headers)).status_code == 200

        response = await client.delete(
            f"{tokens_url(restaurant)}/{token['id']}", headers=owner.headers
        )

        assert response.status_code == 204
        refused = await client.get(url, headers=headers)
        assert refused.status_code == 401
        assert problem_type(refused) == "not-authenticated"
        listed = (await client.get(tokens_url(restaurant), headers=owner.headers)).json()
        assert listed["items"][0]["revoked_at"] is not None
        again = await client.delete(
            f"{tokens_url(restaurant)}/{token['id']}", headers=owner.headers
        )
        assert again.status_code == 204

    async def test_unknown_token(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.delete(f"{tokens_url(restaurant)}/999999", headers=owner.headers)

        assert response.status_code == 404
        assert problem_type(response) == "not-found"


class TestScopedToken:
    async def test_scope_grants_its_route_in_its_restaurant_only(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        token = await create_token(client, restaurant, owner, ["restaurant:read", "menu:read"])
        headers = bearer(str(token["token"]))

        own = await client.get(f"{API}/restaurants/{restaurant.id}", headers=headers)
        foreign = await client.get(f"{API}/restaurants/{other.id}", headers=headers)
        write = await client.patch(
            f"{API}/restaurants/{restaurant.id}", json={"name": "Hacked"}, headers=headers
        )

        assert own.status_code == 200
        assert own.json()["id"] == restaurant.id
        assert foreign.status_code == 404
        assert write.status_code == 403
        assert problem_type(write) == "permission-denied"
        name = await session.scalar(select(Restaurant.name).where(Restaurant.id == restaurant.id))
        assert name != "Hacked"

    async def test_restaurant_list_shows_the_tokens_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        token = await create_token(client, restaurant, owner, ["restaurant:read"])

        response = await client.get(f"{API}/restaurants", headers=bearer(str(token["token"])))

        assert response.status_code == 200
        assert [r["id"] for r in response.json()["items"]] == [restaurant.id]


class TestRevokeReachesCaches:
    async def test_revoked_token_loses_the_cached_menu_read_at_once(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        token = await create_token(client, restaurant, owner, ["menu:read"])
        headers = bearer(str(token["token"]))
        menu = f"{API}/restaurants/{restaurant.id}/menu"
        for _ in range(2):  # the second read is served from the menu cache
            assert (await client.get(menu, headers=headers)).status_code == 200

        revoked = await client.delete(
            f"{tokens_url(restaurant)}/{token['id']}", headers=owner.headers
        )

        assert revoked.status_code == 204
        assert (await client.get(menu, headers=headers)).status_code == 401
        recorded = (
            await session.scalars(
                select(OutboxEvent.payload).where(
                    OutboxEvent.restaurant_id == restaurant.id,
                    OutboxEvent.type == "staff.api_token.revoked",
                )
            )
        ).all()
        assert recorded == [{"api_token_id": token["id"]}]
