"""Rules of the devices context: registering and revoking devices, idle times per kind,
staff PINs and PIN sign-in.

- A device is registered by a manager (``devices:write``) with a full login; its secret
  is returned once and kept as a SHA-256 digest. Revoking it refuses the secret and ends
  every PIN login made on it (:func:`brigade.auth.service.end_device_logins`).
- A PIN is per member and restaurant (4-6 digits), hashed with the password hasher
  (:func:`brigade.auth.security.hash_password`); set by the member or by a manager
  (``staff:write``) for a member.
- A PIN sign-in needs the device's secret: the person is picked from the device's staff
  list and types their PIN; wrong PINs count per person and per device
  (:mod:`brigade.devices.ratelimit`). The login lapses after the idle time of the
  device's kind (:class:`~brigade.devices.models.DeviceIdleTime`, defaults
  :data:`~brigade.devices.schemas.DEFAULT_IDLE_SECONDS`).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth import service as auth_service
from brigade.auth.dependencies import Access, Actor, resolve_access
from brigade.auth.permissions import Permission, Role
from brigade.auth.security import (
    hash_password,
    new_opaque_token,
    token_digest,
    verify_password,
)
from brigade.devices.exceptions import DeviceNotRegistered, FullLoginRequired, InvalidPin
from brigade.devices.models import Device, DeviceIdleTime, StaffPin
from brigade.devices.ratelimit import get_pin_limiter
from brigade.devices.schemas import (
    DEFAULT_IDLE_SECONDS,
    DEVICE_SECRET_PREFIX,
    CurrentDevice,
    DeviceCreate,
    DeviceCreated,
    DeviceList,
    DeviceLogin,
    DeviceRead,
    DeviceStaff,
    IdleTimes,
    IdleTimesUpdate,
)
from brigade.events.outbox import record
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound, PermissionDenied
from brigade.restaurants.service import list_staff
from brigade.runtime import Runtime
from brigade.tenancy import scoped

#: Characters of a device secret kept in clear (``prefix``) to recognise it.
SECRET_SHOWN_CHARS = 12
#: Events recorded (``staff.`` so access caches drop what they knew).
DEVICE_REGISTERED_EVENT = "staff.device.registered"
DEVICE_REVOKED_EVENT = "staff.device.revoked"
PIN_SET_EVENT = "staff.pin.set"


def require_full_login(access: Access) -> None:
    """Raise :class:`FullLoginRequired` (403) when ``access`` comes from a PIN login
    (claim ``dev``): the admin screens (devices, API tokens) need a username and
    password."""
    if access.actor.device_id is not None:
        raise FullLoginRequired()


# --- devices ----------------------------------------------------------------------------


async def register_device(
    session: AsyncSession, access: Access, body: DeviceCreate
) -> DeviceCreated:
    """Register a device of ``access.restaurant_id``; its secret (prefix ``brd_``) is
    returned once, only its SHA-256 digest is kept. Records ``staff.device.registered``
    ``{"device": DeviceRead}``. Raises :class:`FullLoginRequired` (403) for a PIN login."""
    require_full_login(access)
    secret = new_opaque_token(DEVICE_SECRET_PREFIX)
    device = Device(
        restaurant_id=access.restaurant_id,
        name=body.name,
        kind=body.kind.value,
        prefix=secret[:SECRET_SHOWN_CHARS],
        secret_hash=token_digest(secret),
        created_by=access.actor.user_id,
        created_at=utcnow(),
    )
    session.add(device)
    await session.flush()
    read = DeviceRead.model_validate(device)
    await record(
        session,
        access.restaurant_id,
        DEVICE_REGISTERED_EVENT,
        {"device": read.model_dump(mode="json")},
    )
    return DeviceCreated(**read.model_dump(), secret=secret)


async def list_devices(session: AsyncSession, access: Access) -> DeviceList:
    """The restaurant's devices, revoked ones included, newest first; no secrets."""
    rows = (
        await session.scalars(
            scoped(select(Device), access.restaurant_id).order_by(Device.id.desc())
        )
    ).all()
    items = [DeviceRead.model_validate(row) for row in rows]
    return DeviceList(items=items, total=len(items))


async def revoke_device(session: AsyncSession, access: Access, device_id: int) -> None:
    """Revoke device ``device_id`` (idempotent): its secret is refused from then on and
    every PIN login made on it ends at once (their tokens get 401). Records
    ``staff.device.revoked`` ``{"device_id"}``.

    Raises :class:`FullLoginRequired` (403) for a PIN login and
    :class:`~brigade.infra.errors.NotFound` for a device of another restaurant or none.
    """
    require_full_login(access)
    row = (
        await session.execute(
            scoped(select(Device.id, Device.revoked_at), access.restaurant_id).where(
                Device.id == device_id
            )
        )
    ).first()
    if row is None:
        raise NotFound("device not found")
    if row.revoked_at is not None:
        return
    await session.execute(
        scoped(update(Device), access.restaurant_id)
        .where(Device.id == device_id)
        .values(revoked_at=utcnow())
    )
    await auth_service.end_device_logins(session, device_id)
    await record(session, access.restaurant_id, DEVICE_REVOKED_EVENT, {"device_id": device_id})


async def device_of_secret(
    session: AsyncSession, secret: str | None, restaurant_id: int | None = None
) -> Device:
    """The registered, not revoked device whose secret is ``secret`` (of
    ``restaurant_id`` when given). Raises :class:`DeviceNotRegistered` (403) otherwise."""
    if not secret:
        raise DeviceNotRegistered("send the device's secret in the X-Brigade-Device header")
    device = await session.scalar(select(Device).where(Device.secret_hash == token_digest(secret)))
    if device is None or device.revoked_at is not None:
        raise DeviceNotRegistered()
    if restaurant_id is not None and device.restaurant_id != restaurant_id:
        raise DeviceNotRegistered("this device is registered to another restaurant")
    return device


# --- idle times -------------------------------------------------------------------------


async def idle_times(session: AsyncSession, restaurant_id: int) -> IdleTimes:
    """The idle sign-out time (seconds) of each device kind here: the restaurant's own
    or :data:`~brigade.devices.schemas.DEFAULT_IDLE_SECONDS`."""
    rows = await session.execute(
        scoped(select(DeviceIdleTime.kind, DeviceIdleTime.idle_seconds), restaurant_id)
    )
    values = {kind.value: seconds for kind, seconds in DEFAULT_IDLE_SECONDS.items()}
    values.update({row.kind: row.idle_seconds for row in rows})
    return IdleTimes(**values)


async def update_idle_times(
    session: AsyncSession, access: Access, body: IdleTimesUpdate
) -> IdleTimes:
    """Set the idle sign-out time of the kinds in ``body`` (seconds); new PIN logins use
    them. Raises :class:`FullLoginRequired` (403) for a PIN login."""
    require_full_login(access)
    rid = access.restaurant_id
    for kind, seconds in body.model_dump(exclude_none=True).items():
        row = await session.scalar(
            scoped(select(DeviceIdleTime), rid).where(DeviceIdleTime.kind == kind)
        )
        if row is None:
            session.add(DeviceIdleTime(restaurant_id=rid, kind=kind, idle_seconds=seconds))
        else:
            row.idle_seconds = seconds
    await session.flush()
    return await idle_times(session, rid)


# --- PINs -------------------------------------------------------------------------------


async def set_pin(session: AsyncSession, access: Access, user_id: int, pin: str) -> None:
    """Give member ``user_id`` of ``access.restaurant_id`` the PIN ``pin`` (argon2 hash).

    One's own PIN needs nothing more; another's needs ``staff:write`` (a manager), and
    only an owner (or the platform admin) sets an owner's. Records ``staff.pin.set``
    ``{"user_id", "set_by"}`` (never the PIN).

    Raises ``PermissionDenied`` (403) and ``NotFound`` (404: no such member).
    """
    rid = access.restaurant_id
    if user_id != access.actor.user_id:
        access.check(Permission.staff_write)
    members = {m.user_id: m for m in (await list_staff(session, access)).items}
    member = members.get(user_id)
    if member is None:
        raise NotFound("staff member not found")
    if (
        user_id != access.actor.user_id
        and member.role is Role.owner
        and access.role is not Role.owner
        and not access.actor.is_admin
    ):
        raise PermissionDenied("only an owner sets an owner's PIN")
    pin_hash = hash_password(pin)
    row = await session.scalar(scoped(select(StaffPin), rid).where(StaffPin.user_id == user_id))
    now = utcnow()
    if row is None:
        session.add(
            StaffPin(
                restaurant_id=rid,
                user_id=user_id,
                pin_hash=pin_hash,
                set_by=access.actor.user_id,
                set_at=now,
            )
        )
    else:
        row.pin_hash, row.set_by, row.set_at = pin_hash, access.actor.user_id, now
    await session.flush()
    await record(session, rid, PIN_SET_EVENT, {"user_id": user_id, "set_by": access.actor.user_id})


async def check_pin(
    session: AsyncSession, runtime: Runtime, device: Device, user_id: int, pin: str
) -> int:
    """Check the PIN of member ``user_id`` of the device's restaurant on ``device``;
    returns ``user_id``. Wrong PINs count per person and device
    (:mod:`brigade.devices.ratelimit`); the device's ``last_seen_at`` is set on success.

    Raises ``TooManyRequests`` (429, before checking) and :class:`InvalidPin` (401: no
    PIN, not a member, inactive account or wrong PIN, not told which).
    """
    rid = device.restaurant_id
    limiter = get_pin_limiter(runtime)
    await limiter.check(rid, user_id, device.id)
    pin_hash = await session.scalar(
        scoped(select(StaffPin.pin_hash), rid).where(StaffPin.user_id == user_id)
    )
    valid, new_hash = verify_password(pin, pin_hash)
    if valid:
        try:
            await resolve_access(session, Actor(user_id=user_id), rid)
        except NotFound:
            valid = False
    if not valid:
        await limiter.record_failure(rid, user_id, device.id)
        raise InvalidPin()
    await limiter.record_success(rid, user_id, device.id)
    if new_hash is not None:
        await session.execute(
            scoped(update(StaffPin), rid)
            .where(StaffPin.user_id == user_id)
            .values(pin_hash=new_hash)
        )
    device.last_seen_at = utcnow()
    await session.flush()
    return user_id


# --- the device's side ------------------------------------------------------------------


async def current_device(session: AsyncSession, secret: str | None) -> CurrentDevice:
    """The device of ``secret``, its idle time and the staff who can sign in on it (the
    active members with a PIN, by name). Raises :class:`DeviceNotRegistered` (403)."""
    device = await device_of_secret(session, secret)
    rid = device.restaurant_id
    with_pin = set((await session.scalars(scoped(select(StaffPin.user_id), rid))).all())
    staff = (await list_staff(session, Access(Actor(), rid, None, frozenset()))).items
    staff.sort(key=lambda m: ((m.full_name or m.username).casefold(), m.user_id))
    times = await idle_times(session, rid)
    return CurrentDevice(
        device=DeviceRead.model_validate(device),
        idle_seconds=getattr(times, device.kind),
        staff=[
            DeviceStaff(user_id=m.user_id, full_name=m.full_name, username=m.username, role=m.role)
            for m in sorted(
                staff, key=lambda m: ((m.full_name or m.username).casefold(), m.user_id)
            )
            if m.user_id in with_pin and m.is_active
        ],
    )


async def pin_login(
    session: AsyncSession, runtime: Runtime, secret: str | None, user_id: int, pin: str
) -> DeviceLogin:
    """Sign ``user_id`` in on the device of ``secret`` with their PIN: a login whose
    access token says ``dev`` (the device id) and which lapses after the idle time of
    the device's kind without a refresh.

    Raises :class:`DeviceNotRegistered` (403: no, an unknown or a revoked secret),
    ``TooManyRequests`` (429) and :class:`InvalidPin` (401).
    """
    device = await device_of_secret(session, secret)
    await check_pin(session, runtime, device, user_id, pin)
    idle = getattr(await idle_times(session, device.restaurant_id), device.kind)
    pair = await auth_service.start_device_login(
        session, runtime.settings, user_id, device_id=device.id, idle_seconds=idle
    )
    if pair is None:
        raise InvalidPin()
    return DeviceLogin(
        **pair.model_dump(),
        device_id=device.id,
        restaurant_id=device.restaurant_id,
        idle_seconds=idle,
    )
