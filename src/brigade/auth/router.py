"""HTTP routes of the auth context (thin: parse, authorise, call the service).

``/auth/*``: login, refresh, logout, password, me. ``R/api-tokens``: a restaurant's API tokens.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from brigade.auth import service
from brigade.auth.dependencies import CurrentActor, TokensRead, TokensWrite, client_address
from brigade.auth.exceptions import (
    CannotDeactivateSelf,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidScope,
    PlatformAdminOnly,
    RefreshTokenReused,
    UserRequired,
    WeakPassword,
    WrongPassword,
)
from brigade.auth.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenList,
    LoginRequest,
    MeRead,
    PasswordChange,
    RefreshRequest,
    TokenPair,
    UserAdminList,
    UserAdminRead,
)
from brigade.infra.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    problem_response,
    problem_responses,
)
from brigade.inputs import PathId, SingleLine
from brigade.runtime import RuntimeDep
from brigade.session import SessionDep

router = APIRouter(tags=["auth"])

TOKENS = "/restaurants/{restaurant_id}/api-tokens"
ACCESS_ERRORS = (NotAuthenticated, NotFound, PermissionDenied)


@router.post(
    "/auth/login",
    response_model=TokenPair,
    responses=problem_responses(InvalidCredentials, TooManyRequests),
)
async def login(
    body: LoginRequest, request: Request, session: SessionDep, runtime: RuntimeDep
) -> TokenPair | JSONResponse:
    """Log in with username and password: an access JWT (``expires_in`` seconds) and a
    refresh token. Repeated failures answer 429 with ``Retry-After``. Logins and failed
    logins are on the platform's audit trail (``GET /audit``)."""
    address = client_address(request) or "unknown"
    try:
        return await service.login(
            session, runtime, username=body.username, password=body.password, address=address
        )
    except InvalidCredentials as refused:
        # Returned, not raised: the failed login's audit entry must be committed.
        return problem_response(refused, request.url.path)


@router.post(
    "/auth/refresh",
    response_model=TokenPair,
    responses=problem_responses(InvalidRefreshToken, RefreshTokenReused),
)
async def refresh(
    body: RefreshRequest, request: Request, session: SessionDep, runtime: RuntimeDep
) -> TokenPair | JSONResponse:
    """Trade a refresh token for a new pair; the old refresh token is then spent.
    Presenting a spent one again revokes the whole login (401 ``refresh-token-reused``)."""
    pair = await service.refresh(session, runtime.settings, body.refresh_token)
    if pair is None:
        # Returned, not raised: the revocation of the login must be committed.
        return problem_response(RefreshTokenReused(), request.url.path)
    return pair


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshRequest, session: SessionDep) -> Response:
    """End the login of this refresh token (all its rotations, and the access tokens
    issued under it: they get 401 from then on). Always 204."""
    await service.logout(session, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/password",
    response_model=TokenPair,
    responses=problem_responses(
        NotAuthenticated, UserRequired, WrongPassword, WeakPassword, TooManyRequests
    ),
)
async def change_password(
    body: PasswordChange,
    request: Request,
    actor: CurrentActor,
    session: SessionDep,
    runtime: RuntimeDep,
) -> TokenPair:
    """Change the logged-in user's password (an API token gets 403). Every login of the
    user ends (their access tokens get 401 from then on); the answer is a new login for
    this device."""
    if actor.user_id is None:
        raise UserRequired()
    address = request.client.host if request.client else "unknown"
    return await service.change_password(
        session,
        runtime,
        actor.user_id,
        current_password=body.current_password,
        new_password=body.new_password,
        address=address,
    )


@router.get(
    "/auth/me",
    response_model=MeRead,
    responses=problem_responses(NotAuthenticated, UserRequired),
)
async def me(actor: CurrentActor, session: SessionDep) -> MeRead:
    """The logged-in user and their restaurants (an API token gets 403)."""
    if actor.user_id is None:
        raise UserRequired()
    return await service.me(session, actor.user_id)


@router.get(TOKENS, response_model=ApiTokenList, responses=problem_responses(*ACCESS_ERRORS))
async def list_api_tokens(access: TokensRead, session: SessionDep) -> ApiTokenList:
    """The restaurant's API tokens, newest first, without their secrets."""
    return await service.list_api_tokens(session, access)


@router.post(
    TOKENS,
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*ACCESS_ERRORS, InvalidScope),
)
async def create_api_token(
    body: ApiTokenCreate, access: TokensWrite, session: SessionDep
) -> ApiTokenCreated:
    """Create an API token; its secret (``token``, prefix ``brg_``) is shown only here."""
    return await service.create_api_token(session, access, name=body.name, scopes=body.scopes)


@router.delete(
    TOKENS + "/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*ACCESS_ERRORS),
)
async def revoke_api_token(token_id: PathId, access: TokensWrite, session: SessionDep) -> Response:
    """Revoke an API token; requests with it get 401 from then on."""
    await service.revoke_api_token(session, access, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the platform's logins (platform admin) --------------------------------------------

UserId = PathId


@router.get(
    "/users",
    response_model=UserAdminList,
    responses=problem_responses(NotAuthenticated, PlatformAdminOnly),
)
async def list_users(
    actor: CurrentActor,
    session: SessionDep,
    q: Annotated[
        SingleLine | None,
        Query(max_length=150, description="Part of the username or full name (any case)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=service.USERS_PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> UserAdminList:
    """Every login of the platform, across restaurants, by username, with their roles
    (platform admin only); ``q`` searches username and full name."""
    return await service.list_users(session, actor, search=q, limit=limit, offset=offset)


@router.post(
    "/users/{user_id}/deactivate",
    response_model=UserAdminRead,
    responses=problem_responses(
        NotAuthenticated, PlatformAdminOnly, NotFound, CannotDeactivateSelf
    ),
)
async def deactivate_user(
    user_id: UserId, actor: CurrentActor, session: SessionDep
) -> UserAdminRead:
    """Deactivate a login in every restaurant (platform admin only): it cannot log in,
    its access tokens are refused from the next request on and its sockets are
    disconnected. Audited. Idempotent."""
    return await service.set_user_active(session, actor, user_id, active=False)


@router.post(
    "/users/{user_id}/reactivate",
    response_model=UserAdminRead,
    responses=problem_responses(NotAuthenticated, PlatformAdminOnly, NotFound),
)
async def reactivate_user(
    user_id: UserId, actor: CurrentActor, session: SessionDep
) -> UserAdminRead:
    """Let a deactivated login log in again (its old logins stay ended; platform admin
    only). Audited. Idempotent."""
    return await service.set_user_active(session, actor, user_id, active=True)
