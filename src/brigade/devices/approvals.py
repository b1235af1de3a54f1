"""A manager's approval given in another person's request: by password or by PIN.

Requests that need a manager (a discount beyond the threshold, a refund, a void of a
payment, a void of an order line after preparation) carry ``approval``, one of
:data:`Approval` discriminated by ``method``: ``password`` (the approver's username and
password, counted against the login limits) or ``pin`` (the approver's user id and PIN,
valid only on a registered device: the request must carry the device's secret in
``X-Brigade-Device``; counted against the PIN limits). :func:`approver` checks either
and returns who approved; the caller records who, when and ``approval_method``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Actor, resolve_access
from brigade.auth.exceptions import InvalidCredentials
from brigade.auth.permissions import Permission
from brigade.auth.service import verify_credentials
from brigade.devices import service
from brigade.devices.exceptions import ApprovalInvalid, DeviceNotRegistered, InvalidPin
from brigade.devices.schemas import Pin
from brigade.infra.errors import NotFound
from brigade.inputs import Id, SingleLine
from brigade.runtime import Runtime


class PasswordApproval(BaseModel):
    """A manager's approval by ``username`` and ``password`` (checked with
    :func:`brigade.auth.service.verify_credentials`, counted against the login limits).
    ``method`` may be left out (``password``)."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["password"] = "password"
    username: SingleLine = Field(min_length=1, max_length=150)
    password: SingleLine = Field(min_length=1, max_length=1024)

    def redacted(self) -> PasswordApproval:
        """This approval without its secret (for idempotency fingerprints)."""
        return self.model_copy(update={"password": "-"})


class PinApproval(BaseModel):
    """A manager's approval by PIN on a registered device: the approver's ``approver_id``
    (user id) and ``pin``. The request must carry the device's secret
    (``X-Brigade-Device``); counted against the PIN limits (per person and device)."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["pin"]
    approver_id: Id
    pin: Pin

    def redacted(self) -> PinApproval:
        """This approval without its secret (for idempotency fingerprints)."""
        return self.model_copy(update={"pin": "-"})


def _method(value: Any) -> str:
    if isinstance(value, dict):
        method = value.get("method", "password")
        return method if isinstance(method, str) else "password"
    return str(getattr(value, "method", "password"))


#: The approvals a request may carry, told apart by ``method`` (``password`` when left
#: out, as before PIN approvals existed).
Approval = Annotated[
    Annotated[PasswordApproval, Tag("password")] | Annotated[PinApproval, Tag("pin")],
    Discriminator(_method),
]


async def approver(
    session: AsyncSession,
    runtime: Runtime,
    restaurant_id: int,
    approval: PasswordApproval | PinApproval,
    *,
    address: str,
    device_secret: str | None,
    permission: Permission = Permission.billing_approve,
) -> int:
    """The user id of the manager (owner, or platform admin) who gave ``approval`` for
    restaurant ``restaurant_id``: a password approval is checked with
    :func:`brigade.auth.service.verify_credentials` (login limits: 429), a PIN approval
    with :func:`brigade.devices.service.check_pin` on the device of ``device_secret``
    (PIN limits: 429); then the approver must hold ``permission`` there.

    Raises ``ApprovalInvalid`` (403) for wrong credentials, a PIN without a registered
    device of this restaurant, a non-member or a member without ``permission``, and
    ``TooManyRequests`` (429).
    """
    if isinstance(approval, PinApproval):
        try:
            device = await service.device_of_secret(session, device_secret, restaurant_id)
        except DeviceNotRegistered as exc:
            raise ApprovalInvalid(
                "a PIN approval is valid only on a registered device (X-Brigade-Device)"
            ) from exc
        try:
            user_id = await service.check_pin(
                session, runtime, device, approval.approver_id, approval.pin
            )
        except InvalidPin as exc:
            raise ApprovalInvalid("the approver's PIN is wrong") from exc
        is_admin = False
    else:
        try:
            user = await verify_credentials(
                session,
                runtime,
                username=approval.username,
                password=approval.password,
                address=address,
            )
        except InvalidCredentials as exc:
            raise ApprovalInvalid("the approver's username or password is wrong") from exc
        user_id, is_admin = user.id, user.is_admin
    try:
        standing = await resolve_access(
            session, Actor(user_id=user_id, is_admin=is_admin), restaurant_id
        )
    except NotFound as exc:
        raise ApprovalInvalid("the approver is no member of this restaurant") from exc
    if not standing.can(permission):
        raise ApprovalInvalid("the approver is not a manager of this restaurant")
    return user_id
