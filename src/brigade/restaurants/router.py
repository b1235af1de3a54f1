"""HTTP routes of the restaurants context (thin: parse, authorise, call the service).

``/restaurants``: create (platform admin) and list; ``R``: read and change settings;
``R/staff``: members and their roles; ``R/tax-rates``: named tax rates.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from brigade.auth.dependencies import (
    CurrentActor,
    RestaurantRead,
    RestaurantWrite,
    StaffRead,
    StaffWrite,
)
from brigade.auth.exceptions import UsernameTaken, WeakPassword
from brigade.infra.errors import NotAuthenticated, NotFound, PermissionDenied, problem_responses
from brigade.inputs import PathId
from brigade.restaurants import schemas, service, taxes
from brigade.restaurants.exceptions import (
    AdminOnly,
    AlreadyMember,
    InvalidOpeningHours,
    InvalidTaxRate,
    LastOwner,
    OwnerOnly,
    PasswordRequired,
    SlugTaken,
    TaxRateInUse,
    UnknownCurrency,
    UnknownLocale,
    UnknownTimeZone,
)
from brigade.session import SessionDep

router = APIRouter(tags=["restaurants"])

R = "/restaurants/{restaurant_id}"
ACCESS_ERRORS = (NotAuthenticated, NotFound, PermissionDenied)
SETTINGS_ERRORS = (UnknownCurrency, UnknownTimeZone, InvalidTaxRate, UnknownLocale)
UPDATE_ERRORS = (*SETTINGS_ERRORS, InvalidOpeningHours)
UserId = PathId


@router.post(
    "/restaurants",
    response_model=schemas.RestaurantRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        NotAuthenticated,
        AdminOnly,
        SlugTaken,
        *SETTINGS_ERRORS,
        PasswordRequired,
        WeakPassword,
    ),
)
async def create_restaurant(
    body: schemas.RestaurantCreate, actor: CurrentActor, session: SessionDep
) -> schemas.RestaurantRead:
    """Create a restaurant, optionally with its owner (platform admin only)."""
    return await service.open_restaurant(session, actor, body)


@router.get(
    "/restaurants",
    response_model=schemas.RestaurantList,
    responses=problem_responses(NotAuthenticated),
)
async def list_restaurants(actor: CurrentActor, session: SessionDep) -> schemas.RestaurantList:
    """The restaurants the caller belongs to (the platform admin: all), by name."""
    return await service.list_restaurants(session, actor)


@router.get(R, response_model=schemas.RestaurantRead, responses=problem_responses(*ACCESS_ERRORS))
async def get_restaurant(access: RestaurantRead, session: SessionDep) -> schemas.RestaurantRead:
    """A restaurant and its settings."""
    return await service.read_restaurant(session, access)


@router.patch(
    R,
    response_model=schemas.RestaurantRead,
    responses=problem_responses(*ACCESS_ERRORS, *UPDATE_ERRORS),
)
async def update_restaurant(
    body: schemas.RestaurantUpdate, access: RestaurantWrite, session: SessionDep
) -> schemas.RestaurantRead:
    """Change name, address, currency, time zone, the default tax rule, the billing
    settings (service charge, cash rounding, discount approval threshold), the opening
    hours, the stations' target prep times or the feature switches; event
    ``restaurant.updated`` (every screen refetches the restaurant at once)."""
    return await service.update_restaurant(session, access, body)


@router.get(
    R + "/staff", response_model=schemas.StaffList, responses=problem_responses(*ACCESS_ERRORS)
)
async def list_staff(access: StaffRead, session: SessionDep) -> schemas.StaffList:
    """The restaurant's staff and their roles."""
    return await service.list_staff(session, access)


@router.post(
    R + "/staff",
    response_model=schemas.StaffMemberRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        *ACCESS_ERRORS, OwnerOnly, AlreadyMember, UsernameTaken, PasswordRequired, WeakPassword
    ),
)
async def add_staff(
    body: schemas.StaffCreate, access: StaffWrite, session: SessionDep
) -> schemas.StaffMemberRead:
    """Add a member: creates a new login with the role (409 ``username-taken`` when the
    username exists). The platform admin may instead give an existing login, by username,
    the role here."""
    return await service.add_staff(session, access, body)


@router.patch(
    R + "/staff/{user_id}",
    response_model=schemas.StaffMemberRead,
    responses=problem_responses(*ACCESS_ERRORS, OwnerOnly, AdminOnly, LastOwner),
)
async def update_staff(
    user_id: UserId, body: schemas.StaffUpdate, access: StaffWrite, session: SessionDep
) -> schemas.StaffMemberRead:
    """Change a member's role, or deactivate (``is_active: false``: every login of the
    account ends) or reactivate their account (the last owner cannot be demoted or
    deactivated: 409; a login shared with other restaurants is the platform admin's to
    deactivate: 403)."""
    return await service.update_staff(session, access, user_id, body)


@router.delete(
    R + "/staff/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*ACCESS_ERRORS, OwnerOnly, LastOwner),
)
async def remove_staff(user_id: UserId, access: StaffWrite, session: SessionDep) -> Response:
    """Remove a member (the user keeps their account; the last owner stays: 409)."""
    await service.remove_staff(session, access, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- tax rates ------------------------------------------------------------------------

TaxRateId = PathId


@router.get(
    R + "/tax-rates",
    response_model=schemas.TaxRateList,
    responses=problem_responses(*ACCESS_ERRORS),
)
async def list_tax_rates(access: RestaurantRead, session: SessionDep) -> schemas.TaxRateList:
    """The restaurant's named tax rates, by name (the default rate is the restaurant's
    ``tax_rate_bp``/``tax_inclusive``)."""
    return await taxes.list_tax_rates(session, access)


@router.post(
    R + "/tax-rates",
    response_model=schemas.TaxRateRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*ACCESS_ERRORS),
)
async def create_tax_rate(
    body: schemas.TaxRateCreate, access: RestaurantWrite, session: SessionDep
) -> schemas.TaxRateRead:
    """Create a named tax rate (manager or owner); menu categories and items name it."""
    return await taxes.create_tax_rate(session, access, body)


@router.get(
    R + "/tax-rates/{tax_rate_id}",
    response_model=schemas.TaxRateRead,
    responses=problem_responses(*ACCESS_ERRORS),
)
async def get_tax_rate(
    tax_rate_id: TaxRateId, access: RestaurantRead, session: SessionDep
) -> schemas.TaxRateRead:
    """One tax rate."""
    return await taxes.get_tax_rate(session, access, tax_rate_id)


@router.patch(
    R + "/tax-rates/{tax_rate_id}",
    response_model=schemas.TaxRateRead,
    responses=problem_responses(*ACCESS_ERRORS),
)
async def update_tax_rate(
    tax_rate_id: TaxRateId,
    body: schemas.TaxRateUpdate,
    access: RestaurantWrite,
    session: SessionDep,
) -> schemas.TaxRateRead:
    """Change a tax rate's name, rate or inclusiveness (open checks follow; paid checks
    keep the taxes they were paid with)."""
    return await taxes.update_tax_rate(session, access, tax_rate_id, body)


@router.delete(
    R + "/tax-rates/{tax_rate_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*ACCESS_ERRORS, TaxRateInUse),
)
async def delete_tax_rate(
    tax_rate_id: TaxRateId, access: RestaurantWrite, session: SessionDep
) -> Response:
    """Delete a tax rate no menu category or item names (409 ``tax-rate-in-use``)."""
    await taxes.delete_tax_rate(session, access, tax_rate_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
