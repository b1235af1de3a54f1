"""Request and response bodies of the auth context (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from brigade.auth.permissions import Permission
from brigade.inputs import SingleLine

#: A scope of an API token: a :class:`Permission` value. Validated by the service (an
#: unknown one is a 422 ``invalid-scope`` listing them); the schema lists the values so
#: that generated clients know them.
Scope = Annotated[
    SingleLine, WithJsonSchema({"type": "string", "enum": [p.value for p in Permission]})
]


class LoginRequest(BaseModel):
    """``POST /auth/login`` body."""

    username: SingleLine = Field(min_length=1, max_length=150)
    password: SingleLine = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    """``POST /auth/refresh`` and ``POST /auth/logout`` body."""

    refresh_token: SingleLine = Field(min_length=1, max_length=512)


class PasswordChange(BaseModel):
    """``POST /auth/password`` body: the current password and the new one."""

    current_password: SingleLine = Field(min_length=1, max_length=1024)
    new_password: SingleLine = Field(
        min_length=1, max_length=1024, description="At least 8 characters, not a common one."
    )


class UserRead(BaseModel):
    """A user as clients see it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    is_admin: bool


class TokenPair(BaseModel):
    """A login: a short access JWT and the opaque refresh token that renews it."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2.0 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(description="Opaque; use once with /auth/refresh.")
    user: UserRead


class MembershipRead(BaseModel):
    """The caller's role in one restaurant."""

    restaurant_id: int
    restaurant_name: str
    role: str


class MeRead(UserRead):
    """``GET /auth/me``: the user and the restaurants they belong to."""

    memberships: list[MembershipRead]


class ApiTokenCreate(BaseModel):
    """``POST R/api-tokens`` body: a name and scopes (permission values)."""

    name: SingleLine = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(
        min_length=1, description='Permission values, e.g. ["menu:read", "kitchen:bump"].'
    )


class ApiTokenRead(BaseModel):
    """An API token without its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    restaurant_id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    scopes: list[Scope]
    created_by: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenRead):
    """A new API token with its secret, shown this once."""

    token: str = Field(description="The secret (prefix brg_); it is never shown again.")


class ApiTokenList(BaseModel):
    """A restaurant's API tokens, newest first."""

    items: list[ApiTokenRead]
    total: int


class UserAdminRead(UserRead):
    """A login as the platform admin sees it: whether it is active, since when it
    exists, and its roles in every restaurant."""

    is_active: bool
    created_at: datetime
    memberships: list[MembershipRead]


class UserAdminList(BaseModel):
    """``GET /users``: logins by username, one page of them, and how many match."""

    items: list[UserAdminRead]
    total: int
