"""Errors of the devices context (problem+json through :mod:`brigade.infra.errors`)."""

from brigade.infra.errors import NotAuthenticated, PermissionDenied


class DeviceNotRegistered(PermissionDenied):
    """The request carries no device secret (``X-Brigade-Device``), or one that is
    unknown, revoked, or of another restaurant: a PIN is valid only on a registered
    device."""

    type = "device-not-registered"
    title = "This device is not registered (or its registration was revoked)"


class InvalidPin(NotAuthenticated):
    """Wrong PIN, no PIN set, not a member of the device's restaurant or an inactive
    account: which one is not told."""

    type = "invalid-pin"
    title = "Wrong PIN"


class FullLoginRequired(PermissionDenied):
    """A token of a PIN login (claim ``dev``) on a route that needs a full login (the
    admin screens: devices, API tokens)."""

    type = "full-login-required"
    title = "This needs a full sign-in (username and password), not a PIN"


class ApprovalInvalid(PermissionDenied):
    """The approval given is not a manager's: unknown user, wrong password or PIN,
    inactive account, a PIN off a registered device, or no manager-or-higher role
    (``billing:approve``) in this restaurant."""

    type = "approval-invalid"
    title = "The approval is not valid"
