"""Rules of the auth context: users and their passwords."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.exceptions import UsernameTaken
from brigade.auth.models import User
from brigade.auth.security import hash_password
from brigade.db import utcnow


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    full_name: str = "",
    is_admin: bool = False,
) -> User:
    """Create a user with an argon2 hash of ``password``; raises :class:`UsernameTaken`."""
    if await session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTaken(f"username {username!r} is taken")
    user = User(
        username=username,
        password_hash=hash_password(password),
        full_name=full_name,
        is_admin=is_admin,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    return user
