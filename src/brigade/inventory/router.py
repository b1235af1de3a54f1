"""HTTP routes of the inventory context (thin: parse, authorise, call the service).

Everything under ``/restaurants/{restaurant_id}/inventory``: ingredients and their
ledger, deliveries, waste and counts (each takes an ``Idempotency-Key``: a retried
delivery is counted once), recipes per menu item, size and modifier, the reorder list
and the theoretical-versus-actual usage report. Reading needs ``inventory:read``,
writing ``inventory:write`` (owners and managers).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from brigade.auth.dependencies import Access, require
from brigade.auth.permissions import Permission
from brigade.idempotency import dependencies as idempotency
from brigade.infra.errors import NotAuthenticated, NotFound, PermissionDenied, problem_responses
from brigade.inputs import Offset, PathId
from brigade.inventory import service
from brigade.inventory.exceptions import (
    DuplicateRecipeLine,
    IngredientNameTaken,
    InvalidDateRange,
    QuantityTooPrecise,
    UnitMismatch,
    UnknownIngredient,
    UnknownVariation,
)
from brigade.inventory.schemas import (
    CountCreate,
    DeliveryCreate,
    IngredientCreate,
    IngredientList,
    IngredientRead,
    IngredientUpdate,
    MovementList,
    RecipeList,
    RecipeRead,
    RecipeSet,
    ReorderList,
    StockChange,
    UsageReport,
    WasteCreate,
)
from brigade.reads import ReadSessionDep
from brigade.session import SessionDep

router = APIRouter(tags=["inventory"])

InventoryRead = Annotated[Access, Depends(require(Permission.inventory_read))]
InventoryWrite = Annotated[Access, Depends(require(Permission.inventory_write))]

R = "/restaurants/{restaurant_id}/inventory"
_AUTH = (NotAuthenticated, NotFound, PermissionDenied)
_QUANTITY = (UnitMismatch, QuantityTooPrecise)
_RECIPE = (*_AUTH, UnknownIngredient, UnknownVariation, DuplicateRecipeLine, *_QUANTITY)
_MOVE = {
    **idempotency.replayed_header_doc(201),
    **problem_responses(*_AUTH, UnknownIngredient, *_QUANTITY, *idempotency.ERRORS),
}


@router.get(R + "/ingredients", response_model=IngredientList, responses=problem_responses(*_AUTH))
async def list_ingredients(
    access: InventoryRead,
    session: SessionDep,
    low: Annotated[bool, Query(description="Only those at or below their reorder level.")] = False,
) -> IngredientList:
    """The ingredients by name with their stock on hand, reorder level and low flags."""
    return await service.list_ingredients(session, access, low_only=low)


@router.post(
    R + "/ingredients",
    status_code=201,
    response_model=IngredientRead,
    responses=problem_responses(*_AUTH, IngredientNameTaken, *_QUANTITY),
)
async def create_ingredient(
    body: IngredientCreate, access: InventoryWrite, session: SessionDep
) -> IngredientRead:
    """Create an ingredient (no stock until a delivery or a count)."""
    return await service.create_ingredient(session, access, body)


@router.get(
    R + "/ingredients/{ingredient_id}",
    response_model=IngredientRead,
    responses=problem_responses(*_AUTH),
)
async def get_ingredient(
    ingredient_id: PathId, access: InventoryRead, session: SessionDep
) -> IngredientRead:
    """One ingredient and its stock on hand."""
    return await service.get_ingredient(session, access, ingredient_id)


@router.patch(
    R + "/ingredients/{ingredient_id}",
    response_model=IngredientRead,
    responses=problem_responses(*_AUTH, IngredientNameTaken, *_QUANTITY),
)
async def update_ingredient(
    ingredient_id: PathId, body: IngredientUpdate, access: InventoryWrite, session: SessionDep
) -> IngredientRead:
    """Change an ingredient (not its stock: that takes a movement)."""
    return await service.update_ingredient(session, access, ingredient_id, body)


@router.get(
    R + "/ingredients/{ingredient_id}/movements",
    response_model=MovementList,
    responses=problem_responses(*_AUTH),
)
async def list_movements(
    ingredient_id: PathId,
    access: InventoryRead,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> MovementList:
    """The ingredient's ledger, newest first."""
    return await service.list_movements(session, access, ingredient_id, limit=limit, offset=offset)


@router.post(R + "/deliveries", status_code=201, response_model=StockChange, responses=_MOVE)
async def record_delivery(
    body: DeliveryCreate, access: InventoryWrite, session: SessionDep, once: idempotency.Idempotent
) -> StockChange | JSONResponse:
    """Record stock that arrived; items the stock 86'd come back once in stock."""
    return await once.run(access, body, lambda: service.record_delivery(session, access, body))


@router.post(R + "/waste", status_code=201, response_model=StockChange, responses=_MOVE)
async def record_waste(
    body: WasteCreate, access: InventoryWrite, session: SessionDep, once: idempotency.Idempotent
) -> StockChange | JSONResponse:
    """Record stock thrown away, with a reason."""
    return await once.run(access, body, lambda: service.record_waste(session, access, body))


@router.post(R + "/counts", status_code=201, response_model=StockChange, responses=_MOVE)
async def record_count(
    body: CountCreate, access: InventoryWrite, session: SessionDep, once: idempotency.Idempotent
) -> StockChange | JSONResponse:
    """Record a stock count; the ledger gets the correction to what was counted."""
    return await once.run(access, body, lambda: service.record_count(session, access, body))


@router.get(R + "/recipes", response_model=RecipeList, responses=problem_responses(*_AUTH))
async def list_recipes(access: InventoryRead, session: SessionDep) -> RecipeList:
    """Every recipe of the restaurant (items', then modifiers')."""
    return await service.list_recipes(session, access)


@router.get(
    R + "/recipes/items/{item_id}", response_model=RecipeRead, responses=problem_responses(*_AUTH)
)
async def get_item_recipe(
    item_id: PathId, access: InventoryRead, session: SessionDep
) -> RecipeRead:
    """The recipe of a menu item, per size."""
    return await service.get_item_recipe(session, access, item_id)


@router.put(
    R + "/recipes/items/{item_id}",
    response_model=RecipeRead,
    responses=problem_responses(*_RECIPE),
)
async def set_item_recipe(
    item_id: PathId, body: RecipeSet, access: InventoryWrite, session: SessionDep
) -> RecipeRead:
    """Replace the recipe of a menu item (lines for every size or for one size)."""
    return await service.set_item_recipe(session, access, item_id, body)


@router.get(
    R + "/recipes/modifiers/{modifier_id}",
    response_model=RecipeRead,
    responses=problem_responses(*_AUTH),
)
async def get_modifier_recipe(
    modifier_id: PathId, access: InventoryRead, session: SessionDep
) -> RecipeRead:
    """The recipe of a modifier (extra cheese: cheese)."""
    return await service.get_modifier_recipe(session, access, modifier_id)


@router.put(
    R + "/recipes/modifiers/{modifier_id}",
    response_model=RecipeRead,
    responses=problem_responses(*_RECIPE),
)
async def set_modifier_recipe(
    modifier_id: PathId, body: RecipeSet, access: InventoryWrite, session: SessionDep
) -> RecipeRead:
    """Replace the recipe of a modifier."""
    return await service.set_modifier_recipe(session, access, modifier_id, body)


@router.get(R + "/reorder-list", response_model=ReorderList, responses=problem_responses(*_AUTH))
async def reorder_list(access: InventoryRead, session: SessionDep) -> ReorderList:
    """The low ingredients by supplier, with what to order and what it will cost."""
    return await service.reorder_list(session, access)


@router.get(
    R + "/usage",
    response_model=UsageReport,
    responses=problem_responses(*_AUTH, InvalidDateRange),
)
async def usage_report(
    access: InventoryRead,
    session: ReadSessionDep,
    start_date: Annotated[date, Query(description="First local date, inclusive.")],
    end_date: Annotated[date, Query(description="Last local date, inclusive.")],
) -> UsageReport:
    """What the recipes say was used against what the counts show, per ingredient."""
    return await service.usage_report(session, access, start_date, end_date)
