"""HTTP routes of the menu context (thin: parse, authorise, call the service).

All under ``/api/v1/restaurants/{restaurant_id}/menu``. Reading needs ``menu:read``,
editing ``menu:write``, 86-ing an item ``menu:availability`` (the kitchen may).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from brigade.auth.dependencies import (
    Access,
    MenuAvailability,
    MenuRead,
    MenuWrite,
    cached_access,
)
from brigade.auth.permissions import Permission
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.errors import (
    BrigadeError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    problem_responses,
)
from brigade.inputs import Id, PathId
from brigade.menu import document, service
from brigade.menu.cache import get_menu_cache
from brigade.menu.exceptions import (
    CategoryNotEmpty,
    ModifierGroupRangeInvalid,
    SkuTaken,
    UnknownTaxRate,
)
from brigade.menu.schemas import (
    AvailabilitySet,
    CategoryCreate,
    CategoryList,
    CategoryRead,
    CategoryUpdate,
    ItemModifierGroupsSet,
    MenuItemCreate,
    MenuItemList,
    MenuItemRead,
    MenuItemUpdate,
    ModifierGroupCreate,
    ModifierGroupList,
    ModifierGroupRead,
    ModifierGroupUpdate,
    VariationCreate,
    VariationList,
    VariationRead,
    VariationUpdate,
)
from brigade.menu.schemas import MenuRead as MenuDocument
from brigade.runtime import get_runtime
from brigade.session import SessionDep

router = APIRouter(prefix="/restaurants/{restaurant_id}/menu", tags=["menu"])

_AUTH: tuple[type[BrigadeError], ...] = (NotAuthenticated, PermissionDenied, NotFound)


def _errors(*extra: type[BrigadeError]) -> dict[int | str, dict[str, Any]]:
    return problem_responses(*_AUTH, *extra)


async def menu_reader(request: Request, restaurant_id: PathId) -> Access:
    """``require(Permission.menu_read)`` for the whole-menu read, without holding a
    transaction open: a cached menu and a remembered grant cost no database round trip.
    Same answers, in the same order: 401, 404, 403."""
    runtime = get_runtime(request)
    async with unit_of_work(runtime.db, runtime.bus) as session:
        access = await cached_access(session, runtime, request, restaurant_id)
    access.check(Permission.menu_read)
    return access


menu_reader.permission = Permission.menu_read  # type: ignore[attr-defined]


@router.get(
    "",
    response_model=MenuDocument,
    responses=_errors(),
    summary="The whole menu in one document",
)
async def get_menu(request: Request, access: Annotated[Access, Depends(menu_reader)]) -> Response:
    """Categories → items → variations and modifier groups → modifiers, in position
    order; prices in minor units. Served from a per-process cache (rebuilt after a menu
    change, at most 5 s old)."""
    runtime = get_runtime(request)
    cache = get_menu_cache(runtime)
    body = cache.get(access.restaurant_id)
    if body is None:
        async with unit_of_work(runtime.db, runtime.bus) as session:
            body = await document.menu_bytes(session, cache, access.restaurant_id)
    return Response(content=body, media_type="application/json")


# --- categories -----------------------------------------------------------------------


@router.get("/categories", responses=_errors())
async def list_categories(access: MenuRead, session: SessionDep) -> CategoryList:
    """The categories by position."""
    return await service.list_categories(session, access)


@router.post("/categories", status_code=status.HTTP_201_CREATED, responses=_errors(UnknownTaxRate))
async def create_category(
    access: MenuWrite, session: SessionDep, body: CategoryCreate
) -> CategoryRead:
    """Create a category."""
    return await service.create_category(session, access, body)


@router.get("/categories/{category_id}", responses=_errors())
async def get_category(access: MenuRead, session: SessionDep, category_id: PathId) -> CategoryRead:
    """One category."""
    return await service.get_category(session, access, category_id)


@router.patch("/categories/{category_id}", responses=_errors(UnknownTaxRate))
async def update_category(
    access: MenuWrite, session: SessionDep, category_id: PathId, body: CategoryUpdate
) -> CategoryRead:
    """Rename or move a category."""
    return await service.update_category(session, access, category_id, body)


@router.delete(
    "/categories/{category_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(CategoryNotEmpty),
)
async def delete_category(access: MenuWrite, session: SessionDep, category_id: PathId) -> None:
    """Delete an empty category (409 ``category-not-empty`` otherwise)."""
    await service.delete_category(session, access, category_id)


# --- items ----------------------------------------------------------------------------


@router.get("/items", responses=_errors())
async def list_items(
    access: MenuRead,
    session: SessionDep,
    category_id: Id | None = Query(default=None, description="Only this category's items."),
) -> MenuItemList:
    """Items (with variations and modifier group ids) by position."""
    return await service.list_items(session, access, category_id)


@router.post(
    "/items", status_code=status.HTTP_201_CREATED, responses=_errors(SkuTaken, UnknownTaxRate)
)
async def create_item(access: MenuWrite, session: SessionDep, body: MenuItemCreate) -> MenuItemRead:
    """Create an item, optionally with its variations (sizes)."""
    return await service.create_item(session, access, body)


@router.get("/items/{item_id}", responses=_errors())
async def get_item(access: MenuRead, session: SessionDep, item_id: PathId) -> MenuItemRead:
    """One item with its variations and modifier group ids."""
    return await service.get_item(session, access, item_id)


@router.patch("/items/{item_id}", responses=_errors(UnknownTaxRate))
async def update_item(
    access: MenuWrite, session: SessionDep, item_id: PathId, body: MenuItemUpdate
) -> MenuItemRead:
    """Change an item (variations have their own routes)."""
    return await service.update_item(session, access, item_id, body)


@router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_errors())
async def delete_item(access: MenuWrite, session: SessionDep, item_id: PathId) -> None:
    """Delete an item; orders keep their snapshot of it."""
    await service.delete_item(session, access, item_id)


@router.put("/items/{item_id}/availability", responses=_errors())
async def set_item_availability(
    access: MenuAvailability, session: SessionDep, item_id: PathId, body: AvailabilitySet
) -> MenuItemRead:
    """86 (``is_available: false``) or un-86 an item, and/or set its count of portions
    left (``remaining``, counted down by orders, 86'd at 0); event
    ``menu.item.availability``."""
    return await service.set_item_availability(session, access, item_id, body)


@router.put("/items/{item_id}/modifier-groups", responses=_errors())
async def set_item_modifier_groups(
    access: MenuWrite, session: SessionDep, item_id: PathId, body: ItemModifierGroupsSet
) -> MenuItemRead:
    """Set the modifier groups the item offers, in order."""
    return await service.set_item_modifier_groups(session, access, item_id, body.group_ids)


# --- variations -----------------------------------------------------------------------


@router.get("/items/{item_id}/variations", responses=_errors())
async def list_variations(access: MenuRead, session: SessionDep, item_id: PathId) -> VariationList:
    """The item's variations by position."""
    return await service.list_variations(session, access, item_id)


@router.post(
    "/items/{item_id}/variations",
    status_code=status.HTTP_201_CREATED,
    responses=_errors(SkuTaken),
)
async def create_variation(
    access: MenuWrite, session: SessionDep, item_id: PathId, body: VariationCreate
) -> VariationRead:
    """Add a variation (size) with its SKU and price (minor units)."""
    return await service.create_variation(session, access, item_id, body)


@router.get("/items/{item_id}/variations/{variation_id}", responses=_errors())
async def get_variation(
    access: MenuRead, session: SessionDep, item_id: PathId, variation_id: PathId
) -> VariationRead:
    """One variation."""
    return await service.get_variation(session, access, item_id, variation_id)


@router.patch("/items/{item_id}/variations/{variation_id}", responses=_errors(SkuTaken))
async def update_variation(
    access: MenuWrite,
    session: SessionDep,
    item_id: PathId,
    variation_id: PathId,
    body: VariationUpdate,
) -> VariationRead:
    """Change a variation (name, SKU, price, availability)."""
    return await service.update_variation(session, access, item_id, variation_id, body)


@router.delete(
    "/items/{item_id}/variations/{variation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(),
)
async def delete_variation(
    access: MenuWrite, session: SessionDep, item_id: PathId, variation_id: PathId
) -> None:
    """Delete a variation; orders keep their snapshot of it."""
    await service.delete_variation(session, access, item_id, variation_id)


# --- modifier groups ------------------------------------------------------------------


@router.get("/modifier-groups", responses=_errors())
async def list_modifier_groups(access: MenuRead, session: SessionDep) -> ModifierGroupList:
    """Modifier groups with their modifiers, by position."""
    return await service.list_modifier_groups(session, access)


@router.post(
    "/modifier-groups",
    status_code=status.HTTP_201_CREATED,
    responses=_errors(ModifierGroupRangeInvalid, InvalidInput),
)
async def create_modifier_group(
    access: MenuWrite, session: SessionDep, body: ModifierGroupCreate
) -> ModifierGroupRead:
    """Create a modifier group with its modifiers."""
    return await service.create_modifier_group(session, access, body)


@router.get("/modifier-groups/{group_id}", responses=_errors())
async def get_modifier_group(
    access: MenuRead, session: SessionDep, group_id: PathId
) -> ModifierGroupRead:
    """One modifier group with its modifiers."""
    return await service.get_modifier_group(session, access, group_id)


@router.patch(
    "/modifier-groups/{group_id}", responses=_errors(ModifierGroupRangeInvalid, InvalidInput)
)
async def update_modifier_group(
    access: MenuWrite, session: SessionDep, group_id: PathId, body: ModifierGroupUpdate
) -> ModifierGroupRead:
    """Change a group; ``modifiers`` replaces its list (ids keep existing ones)."""
    return await service.update_modifier_group(session, access, group_id, body)


@router.delete(
    "/modifier-groups/{group_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_errors()
)
async def delete_modifier_group(access: MenuWrite, session: SessionDep, group_id: PathId) -> None:
    """Delete a group with its modifiers; items stop offering it."""
    await service.delete_modifier_group(session, access, group_id)
