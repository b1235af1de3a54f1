"""Request and response bodies of the devices context (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from brigade.auth.permissions import Role
from brigade.auth.schemas import TokenPair
from brigade.inputs import Id, SingleLine

#: The header a registered device sends its secret in.
DEVICE_HEADER = "X-Brigade-Device"
#: Prefix of a device secret (readable in logs and storage; the rest is 256 random bits).
DEVICE_SECRET_PREFIX = "brd_"  # noqa: S105 - a prefix, not a secret


class DeviceKind(StrEnum):
    """What a registered device is used as; decides its idle sign-out time."""

    till = "till"
    tablet = "tablet"
    kitchen = "kitchen"


#: Idle sign-out times (seconds) of each kind when the restaurant has set none: a till
#: changes hands often, a kitchen screen is watched by one station for a whole service.
DEFAULT_IDLE_SECONDS: dict[DeviceKind, int] = {
    DeviceKind.till: 120,
    DeviceKind.tablet: 300,
    DeviceKind.kitchen: 1800,
}
MIN_IDLE_SECONDS = 1
MAX_IDLE_SECONDS = 12 * 3600

#: A personal PIN: 4 to 6 digits.
Pin = Annotated[str, Field(pattern=r"^[0-9]{4,6}$", description="4 to 6 digits.")]
IdleSeconds = Annotated[int, Field(ge=MIN_IDLE_SECONDS, le=MAX_IDLE_SECONDS)]


class DeviceCreate(BaseModel):
    """``POST R/devices``: register a device by ``name`` and ``kind``."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=100)
    kind: DeviceKind


class DeviceRead(BaseModel):
    """A registered device without its secret (``prefix``: its first characters)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    restaurant_id: int
    name: str
    kind: DeviceKind
    prefix: str
    created_by: int | None
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


class DeviceCreated(DeviceRead):
    """A new registration with its secret, shown this once: the device keeps it (the
    web app in the browser's localStorage) and sends it as ``X-Brigade-Device``."""

    secret: str = Field(description="The device secret (prefix brd_); never shown again.")


class DeviceList(BaseModel):
    """A restaurant's devices (revoked ones included), newest first."""

    items: list[DeviceRead]
    total: int


class IdleTimes(BaseModel):
    """Idle sign-out time of each device kind, in seconds."""

    till: IdleSeconds
    tablet: IdleSeconds
    kitchen: IdleSeconds


class IdleTimesUpdate(BaseModel):
    """``PATCH R/devices/idle-times``: the kinds to change (seconds)."""

    model_config = ConfigDict(extra="forbid")

    till: IdleSeconds | None = None
    tablet: IdleSeconds | None = None
    kitchen: IdleSeconds | None = None


class PinSet(BaseModel):
    """``PUT R/pin`` (one's own) or ``PUT R/staff/{user_id}/pin`` (a manager's)."""

    model_config = ConfigDict(extra="forbid")

    pin: Pin


class DeviceStaff(BaseModel):
    """A member who can sign in on the device (they have a PIN here)."""

    user_id: int
    full_name: str
    username: str
    role: Role


class CurrentDevice(BaseModel):
    """``GET /devices/current``: the device of the ``X-Brigade-Device`` secret, its idle
    sign-out time (seconds) and who can sign in on it."""

    device: DeviceRead
    idle_seconds: int
    staff: list[DeviceStaff]


class PinLogin(BaseModel):
    """``POST /devices/current/pin-login``: who (``user_id``, picked from
    :class:`CurrentDevice` ``staff``) and their PIN."""

    model_config = ConfigDict(extra="forbid")

    user_id: Id
    pin: Pin


class DeviceLogin(TokenPair):
    """A PIN login on a registered device: a login (access token with claim ``dev``)
    whose tokens lapse after ``idle_seconds`` without a refresh."""

    device_id: int
    restaurant_id: int
    idle_seconds: int
