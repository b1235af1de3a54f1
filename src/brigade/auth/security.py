"""Password hashing (pwdlib: argon2, bcrypt verify), access JWTs (PyJWT) and opaque
tokens (refresh tokens, API tokens, stored as SHA-256 digests)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from brigade.infra.db import utcnow

JWT_ALGORITHM = "HS256"
API_TOKEN_PREFIX = "brg_"  # noqa: S105 - a prefix, not a secret

_password_hash = PasswordHash((Argon2Hasher(), BcryptHasher()))
# A hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _password_hash.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id (pwdlib's recommended parameters)."""
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check ``password`` against ``password_hash`` (argon2 or bcrypt).

    Returns ``(valid, new_hash)``; ``new_hash`` is set when the stored hash should be
    upgraded. With ``password_hash=None`` a dummy hash is verified, so a missing user
    costs the same time as a wrong password.
    """
    if password_hash is None:
        _password_hash.verify(password, _DUMMY_HASH)
        return False, None
    return _password_hash.verify_and_update(password, password_hash)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What an access token says: the user, whether they are platform admin, expiry,
    when it was issued (``issued_at``, whole seconds since the epoch) and the login it
    belongs to (``session_id``: the refresh-token family that issued it; ``None`` for a
    token minted outside a login, e.g. by tests or scripts)."""

    user_id: int
    is_admin: bool
    expires_at: datetime
    issued_at: int = 0
    session_id: str | None = None
    #: The registered device the login was made on with a PIN (claim ``dev``), else
    #: ``None`` (a full username-and-password login).
    device_id: int | None = None


def create_access_token(
    user_id: int,
    *,
    is_admin: bool,
    key: str,
    ttl_seconds: int,
    session_id: str | None = None,
    device_id: int | None = None,
) -> tuple[str, datetime]:
    """Sign an HS256 access JWT; returns ``(token, expires_at UTC)``.

    ``session_id`` (claim ``sid``) names the login (refresh-token family) the token is
    issued under, so that ending the login refuses the token
    (:mod:`brigade.auth.access_cache`). ``device_id`` (claim ``dev``) says the login
    was a PIN login on that registered device (:mod:`brigade.devices`)."""
    now = utcnow()
    expires_at = now + timedelta(seconds=ttl_seconds)
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "adm": is_admin,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "typ": "access",
    }
    if session_id is not None:
        claims["sid"] = session_id
    if device_id is not None:
        claims["dev"] = device_id
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM), expires_at


def decode_access_token(token: str, *, key: str) -> AccessClaims | None:
    """Verify and decode an access JWT; ``None`` if it is invalid or expired."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != "access":
        return None
    try:
        user_id = int(claims["sub"])
        issued_at = int(claims.get("iat", 0))
    except (TypeError, ValueError):
        return None
    session_id = claims.get("sid")
    if session_id is not None and not isinstance(session_id, str):
        return None
    device_id = claims.get("dev")
    if device_id is not None and (isinstance(device_id, bool) or not isinstance(device_id, int)):
        return None
    return AccessClaims(
        user_id=user_id,
        is_admin=bool(claims.get("adm", False)),
        expires_at=datetime.fromtimestamp(claims["exp"]).astimezone(),
        issued_at=issued_at,
        session_id=session_id,
        device_id=device_id,
    )


def new_opaque_token(prefix: str = "") -> str:
    """A random URL-safe token of 256 bits, with an optional readable prefix."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 hex digest of an opaque token: what the database stores."""
    return hashlib.sha256(token.encode()).hexdigest()
