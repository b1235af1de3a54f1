"""HTTP routes of the devices context (thin: parse, authorise, call the service).

``R/devices``: a restaurant's registered devices (managers, full login).
``R/device-idle-times``: idle sign-out time per device kind. ``R/pin`` and
``R/staff/{user_id}/pin``: PINs. ``/devices/current``: the device's own side, by its
secret (``X-Brigade-Device``): who can sign in, and the PIN sign-in.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from brigade.auth.dependencies import DevicesWrite, RestaurantRead
from brigade.devices import service
from brigade.devices.dependencies import DeviceSecret
from brigade.devices.exceptions import DeviceNotRegistered, FullLoginRequired, InvalidPin
from brigade.devices.schemas import (
    CurrentDevice,
    DeviceCreate,
    DeviceCreated,
    DeviceList,
    DeviceLogin,
    IdleTimes,
    IdleTimesUpdate,
    PinLogin,
    PinSet,
)
from brigade.infra.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    problem_responses,
)
from brigade.inputs import PathId
from brigade.runtime import RuntimeDep
from brigade.session import SessionDep

router = APIRouter(tags=["devices"])

R = "/restaurants/{restaurant_id}"
ACCESS_ERRORS = (NotAuthenticated, NotFound, PermissionDenied)


@router.get(R + "/devices", response_model=DeviceList, responses=problem_responses(*ACCESS_ERRORS))
async def list_devices(access: DevicesWrite, session: SessionDep) -> DeviceList:
    """The restaurant's registered devices (revoked ones too), newest first."""
    return await service.list_devices(session, access)


@router.post(
    R + "/devices",
    response_model=DeviceCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*ACCESS_ERRORS, FullLoginRequired),
)
async def register_device(
    body: DeviceCreate, access: DevicesWrite, session: SessionDep
) -> DeviceCreated:
    """Register a device (a manager, signed in with username and password); its
    ``secret`` is shown only here: the device sends it as ``X-Brigade-Device``."""
    return await service.register_device(session, access, body)


@router.delete(
    R + "/devices/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*ACCESS_ERRORS, FullLoginRequired),
)
async def revoke_device(device_id: PathId, access: DevicesWrite, session: SessionDep) -> Response:
    """Revoke a device: its secret is refused and its PIN logins end at once."""
    await service.revoke_device(session, access, device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    R + "/device-idle-times", response_model=IdleTimes, responses=problem_responses(*ACCESS_ERRORS)
)
async def get_idle_times(access: RestaurantRead, session: SessionDep) -> IdleTimes:
    """Idle sign-out time of each device kind (seconds)."""
    return await service.idle_times(session, access.restaurant_id)


@router.patch(
    R + "/device-idle-times",
    response_model=IdleTimes,
    responses=problem_responses(*ACCESS_ERRORS, FullLoginRequired),
)
async def update_idle_times(
    body: IdleTimesUpdate, access: DevicesWrite, session: SessionDep
) -> IdleTimes:
    """Set the idle sign-out time of device kinds (seconds); new PIN logins use it."""
    return await service.update_idle_times(session, access, body)


@router.put(
    R + "/pin", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(*ACCESS_ERRORS)
)
async def set_own_pin(body: PinSet, access: RestaurantRead, session: SessionDep) -> Response:
    """Set one's own PIN in this restaurant (4-6 digits)."""
    if access.actor.user_id is None:
        raise PermissionDenied("an API token has no PIN")
    await service.set_pin(session, access, access.actor.user_id, body.pin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    R + "/staff/{user_id}/pin",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*ACCESS_ERRORS),
)
async def set_staff_pin(
    user_id: PathId, body: PinSet, access: RestaurantRead, session: SessionDep
) -> Response:
    """Set a member's PIN (a manager: ``staff:write``; an owner's only by an owner)."""
    await service.set_pin(session, access, user_id, body.pin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/devices/current",
    response_model=CurrentDevice,
    responses=problem_responses(DeviceNotRegistered),
)
async def current_device(session: SessionDep, device: DeviceSecret = None) -> CurrentDevice:
    """The device of the ``X-Brigade-Device`` secret, its idle time and who can sign in
    on it (members with a PIN). 403 ``device-not-registered`` otherwise."""
    return await service.current_device(session, device)


@router.post(
    "/devices/current/pin-login",
    response_model=DeviceLogin,
    responses=problem_responses(DeviceNotRegistered, InvalidPin, TooManyRequests),
)
async def pin_login(
    body: PinLogin, session: SessionDep, runtime: RuntimeDep, device: DeviceSecret = None
) -> DeviceLogin:
    """Sign in on a registered device with a PIN (only with ``X-Brigade-Device``): a
    login whose access token says ``dev`` and which lapses after the device kind's idle
    time. Wrong PINs are limited per person and per device (429 with ``Retry-After``)."""
    return await service.pin_login(session, runtime, device, body.user_id, body.pin)
