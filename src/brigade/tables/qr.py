"""Guest links of tables: signed table tokens and their QR codes (segno).

A table's QR code opens ``{public_url}/guest/{restaurant_id}?t=<token>``, where the
token is an HS256 JWT (PyJWT, the runtime's signing key) with the claims
``typ: "table"``, ``rid`` (restaurant id) and ``tid`` (table id). The same table always
gets the same token, so a reprinted code is the same code. It has **no expiry**, on
purpose: the code is printed and stuck on the table for years, and it only grants
reading that restaurant's menu and the table's name. It dies with its table (deleting
the table makes the link answer 401) or with the signing key (rotating
``BRIGADE_SECRET_KEY`` means reprinting every code). An access token is never accepted
as a table token nor the reverse: each checks ``typ``.
"""

from __future__ import annotations

import io
from typing import Literal
from urllib.parse import urlencode

import jwt
import segno

from brigade.auth.security import JWT_ALGORITHM
from brigade.infra.settings import Settings
from brigade.tables.exceptions import InvalidTableToken

TABLE_TOKEN_TYPE = "table"  # noqa: S105 - a JWT "typ" claim, not a secret


def table_token(settings: Settings, restaurant_id: int, table_id: int) -> str:
    """The signed, non-expiring token of a table's guest link (see the module docs)."""
    claims = {
        "typ": TABLE_TOKEN_TYPE,
        "rid": restaurant_id,
        "tid": table_id,
    }
    return jwt.encode(claims, settings.signing_key, algorithm=JWT_ALGORITHM)


def read_table_token(settings: Settings, token: str) -> tuple[int, int]:
    """``(restaurant_id, table_id)`` of a table token; raises :class:`InvalidTableToken`
    (401) when it is malformed, forged (bad signature) or not a table token."""
    try:
        claims = jwt.decode(
            token,
            settings.signing_key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["typ", "rid", "tid"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTableToken("the table link is not valid") from exc
    rid, tid = claims.get("rid"), claims.get("tid")
    if (
        claims.get("typ") != TABLE_TOKEN_TYPE
        or not isinstance(rid, int)
        or not isinstance(tid, int)
    ):
        raise InvalidTableToken("the table link is not valid")
    return rid, tid


def guest_url(settings: Settings, restaurant_id: int, token: str) -> str:
    """``{public_url}/guest/{restaurant_id}?t=<token>``: what a table's QR code holds."""
    base = settings.public_url.rstrip("/")
    return f"{base}/guest/{restaurant_id}?{urlencode({'t': token})}"


def qr_code(url: str, kind: Literal["svg", "png"]) -> bytes:
    """A QR code (segno, error correction M, 4-module quiet zone) of ``url`` as an SVG
    document or a PNG image."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if kind == "svg":
        qr.save(out, kind="svg", scale=8, border=4, xmldecl=True, title="Menu")
    else:
        qr.save(out, kind="png", scale=8, border=4)
    return out.getvalue()
