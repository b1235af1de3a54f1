"""Errors of the auth context."""

from brigade.infra.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied


class UsernameTaken(Conflict):
    type = "username-taken"
    title = "This username is taken"


class InvalidCredentials(NotAuthenticated):
    type = "invalid-credentials"
    title = "Wrong username or password"


class InvalidRefreshToken(NotAuthenticated):
    type = "invalid-refresh-token"
    title = "Refresh token is invalid, expired or revoked"


class RefreshTokenReused(InvalidRefreshToken):
    """A rotated refresh token was presented again: the whole login was revoked."""

    type = "refresh-token-reused"
    title = "Refresh token was already used; the session is revoked"


class UserRequired(PermissionDenied):
    type = "user-required"
    title = "This endpoint needs a user login, not an API token"


class InvalidScope(InvalidInput):
    type = "invalid-scope"
    title = "Unknown API token scope"


class WeakPassword(InvalidInput):
    type = "weak-password"
    title = "Password too weak (short, blank or common)"


class SessionEnded(NotAuthenticated):
    """The access token's login has ended: logged out, its refresh token reused, the
    password changed or the account deactivated."""

    type = "session-ended"
    title = "This login has ended; log in again"


class WrongPassword(PermissionDenied):
    type = "wrong-password"
    title = "The current password is wrong"


class PlatformAdminOnly(PermissionDenied):
    """A platform-wide operation (every restaurant's logins) by someone else."""

    type = "platform-admin-only"
    title = "Only the platform admin may do this"


class CannotDeactivateSelf(Conflict):
    """The platform admin tried to deactivate their own login."""

    type = "cannot-deactivate-self"
    title = "You cannot deactivate your own login"
