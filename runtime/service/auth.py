"""Who is calling: a signed session token (from login) or a tenant API key.

The tenant a request acts for comes only from its credential. Nothing in a path, query, body
or header can name another tenant: handlers receive slices of a store already bound to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from runtime.store import PERMISSIONS, Permission, Role

TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name, not a secret
ROLE_RANK: dict[Role, int] = {"viewer": 0, "editor": 1, "admin": 2}


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: str
    actor: str
    """``user:<email>`` or ``key:<key_id>``: what the audit trail records."""
    role: Role
    via: Literal["token", "api_key"]
    permissions: frozenset[Permission] = frozenset()
    password_change_only: bool = False
    """A first login with a password someone else chose: it may only choose a new one."""
    generation: str = ""
    """A token's credential generation: valid while it equals the user's stored one."""

    def can(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def issue_token(
    secret: str,
    *,
    tenant_id: str,
    email: str,
    role: Role,
    ttl: int,
    permissions: tuple[Permission, ...] | list[Permission] = (),
    password_change_only: bool = False,
    generation: str = "",
) -> tuple[str, int]:
    import jwt  # here, not at import: it loads `cryptography`, which cold starts can skip

    now = int(time.time())
    expires = now + ttl
    claims: dict[str, object] = {"tid": tenant_id, "sub": email, "role": role, "exp": expires}
    claims["iat"] = now
    claims["gen"] = generation
    if permissions:
        claims["perm"] = sorted(permissions)
    if password_change_only:
        claims["scope"] = "password"
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM), expires


def read_token(secret: str, token: str) -> Principal | None:
    """The principal a token claims, or None if it is forged, expired or malformed.

    Only a claim: ``deps`` checks it against the stored user (exists, generation) and takes
    the role and permissions from there, not from the token.
    """
    import jwt  # cold start: only token requests pay for PyJWT (and its crypto)

    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["exp", "tid", "sub", "gen"]},
        )
    except jwt.PyJWTError:
        return None
    role = claims.get("role")
    if role not in ROLE_RANK or not isinstance(claims["tid"], str):
        return None
    if not isinstance(claims["sub"], str) or not isinstance(claims["gen"], str):
        return None
    granted = claims.get("perm") or []
    permissions = frozenset(p for p in PERMISSIONS if isinstance(granted, list) and p in granted)
    only_password = claims.get("scope") == "password"
    return Principal(
        claims["tid"],
        f"user:{claims['sub']}",
        role,
        "token",
        permissions,
        only_password,
        claims["gen"],
    )


def api_key_tenant(secret: str) -> str | None:
    """The tenant an API key claims (``aut_<tenant>_<key id>_<secret>``); verified later."""
    if not secret.startswith("aut_"):
        return None
    parts = secret[4:].split("_", 2)
    return parts[0] if len(parts) == 3 and parts[0] else None
