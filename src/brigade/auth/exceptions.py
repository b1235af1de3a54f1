"""Errors of the auth context."""

from brigade.errors import Conflict, NotAuthenticated


class UsernameTaken(Conflict):
    type = "username-taken"
    title = "This username is taken"


class InvalidCredentials(NotAuthenticated):
    type = "invalid-credentials"
    title = "Wrong username or password"


class InvalidRefreshToken(NotAuthenticated):
    type = "invalid-refresh-token"
    title = "Refresh token is invalid, expired or revoked"
