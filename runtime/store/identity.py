"""Users and API keys, stored only as hashes.

Passwords get salted scrypt, API key secrets SHA-256 (they are long and random already);
comparisons are constant-time, and a login for an unknown user costs the same as one for a known
user, so timing tells an attacker nothing about who exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, InvalidInput, NotFound
from runtime.store.ids import utc_now
from runtime.store.keys import API_KEYS, KEY_ID, USERS, normalize_email
from runtime.store.models import ROLES, ApiKey, Permission, Role, User
from runtime.store.scoped import Scoped, model_from

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""About 16 MiB and tens of milliseconds per hash; stored with each hash so it can be raised."""
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
_DUMMY_SALT = secrets.token_bytes(16)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=2 * 128 * r * (n + p + 2),
        dklen=32,
    )


def hash_password(password: str) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, **SCRYPT)
    return {"alg": "scrypt", **SCRYPT, "salt": salt.hex(), "hash": digest.hex()}


def check_password(password: str, stored: dict[str, Any] | None) -> bool:
    """Hashes even when there is nothing to compare with, so both paths take as long."""
    if stored is None:
        hmac.compare_digest(_scrypt(password, _DUMMY_SALT, **SCRYPT), bytes(32))
        return False
    digest = _scrypt(password, bytes.fromhex(stored["salt"]), stored["n"], stored["r"], stored["p"])
    return hmac.compare_digest(digest, bytes.fromhex(stored["hash"]))


def _check_password(password: object, what: str = "a password") -> None:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"{what} has {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def _role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise InvalidInput(f"role {role!r} is not one of {', '.join(ROLES)}")


class IdentityOps(Scoped):
    def create_user(
        self,
        email: str,
        password: str,
        role: Role,
        *,
        must_change_password: bool = False,
        permissions: tuple[Permission, ...] = (),
    ) -> User:
        key = self._keys.user(email)
        _check_password(password)
        user = User(
            email=normalize_email(email),
            role=_role(role),
            created_at=utc_now(),
            must_change_password=must_change_password,
            permissions=sorted(set(permissions)),
        )
        fields = {
            "PK": key.pk,
            "SK": key.sk,
            **user.model_dump(),
            "password": hash_password(password),
        }
        try:
            self._table.put_new(fields)
        except ConditionFailed:
            raise Conflict(f"user '{user.email}' already exists") from None
        return user

    def authenticate(self, email: str, password: str) -> User | None:
        try:
            key = self._keys.user(email)
        except InvalidInput:
            key = None
        fields = None if key is None else self._table.get(key)
        valid_password = isinstance(password, str) and len(password) <= MAX_PASSWORD
        stored = fields["password"] if fields is not None and valid_password else None
        if not check_password(password if valid_password else "", stored):
            return None
        return model_from(User, fields) if fields is not None else None

    def change_password(self, email: str, current: str, new: str) -> User:
        """Replace a password the user proves they know; clears ``must_change_password``.

        Conditioned on the stored hash, so two changes racing cannot both win.
        """
        _check_password(new, "the new password")
        if hmac.compare_digest(current.encode(), new.encode()):
            raise InvalidInput("the new password must differ from the current one")
        key = self._keys.user(email)
        fields = self._table.get(key)
        if fields is None or not check_password(current, fields.get("password")):
            raise NotFound(f"user '{normalize_email(email)}' with that password")
        try:
            stored = self._table.update(
                key,
                set_fields={"password": hash_password(new), "must_change_password": False},
                condition="#password = :password",
                values={":password": fields["password"]},
            )
        except ConditionFailed:
            raise Conflict("the password was changed meanwhile; log in again") from None
        return model_from(User, stored)

    def get_user(self, email: str) -> User:
        fields = self._table.get(self._keys.user(email))
        if fields is None:
            raise NotFound(f"user '{normalize_email(email)}'")
        return model_from(User, fields)

    def list_users(self) -> list[User]:
        return [model_from(User, f) for f in self._table.query(self._keys.root, prefix=USERS)]

    def delete_user(self, email: str) -> None:
        try:
            self._table.delete(self._keys.user(email), condition="attribute_exists(#PK)")
        except ConditionFailed:
            raise NotFound(f"user '{normalize_email(email)}'") from None

    def create_api_key(self, name: str, role: Role = "editor") -> tuple[ApiKey, str]:
        """The secret is in the returned string only; it cannot be shown again."""
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
            raise InvalidInput("an API key name has 1 to 100 characters")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        token = f"aut_{self.tenant_id}_{key_id}_{secret}"
        api_key = ApiKey(
            key_id=key_id,
            name=name.strip(),
            role=_role(role),
            created_at=utc_now(),
            hint=f"aut_{self.tenant_id}_{key_id[:4]}…{secret[-2:]}",
            revoked=False,
        )
        key = self._keys.api_key(key_id)
        fields = {
            "PK": key.pk,
            "SK": key.sk,
            **api_key.model_dump(),
            "secret_sha256": hashlib.sha256(secret.encode()).hexdigest(),
        }
        try:
            self._table.put_new(fields)
        except ConditionFailed:  # 48 random bits collided: astronomically unlikely, still safe
            raise Conflict("API key id collision; try again") from None
        return api_key, token

    def verify_api_key(self, secret: str) -> ApiKey | None:
        if not isinstance(secret, str) or len(secret) > 512 or not secret.startswith("aut_"):
            return None
        tenant_id, _, rest = secret[4:].partition("_")
        key_id, _, raw = rest.partition("_")
        if tenant_id != self.tenant_id or not KEY_ID.fullmatch(key_id) or not raw:
            return None
        fields = self._table.get(self._keys.api_key(key_id))
        if fields is None or fields["revoked"]:
            return None
        digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
        if not hmac.compare_digest(digest, fields["secret_sha256"]):
            return None
        return model_from(ApiKey, fields)

    def list_api_keys(self) -> list[ApiKey]:
        return [model_from(ApiKey, f) for f in self._table.query(self._keys.root, prefix=API_KEYS)]

    def revoke_api_key(self, key_id: str) -> None:
        try:
            self._table.update(
                self._keys.api_key(key_id),
                set_fields={"revoked": True},
                condition="attribute_exists(#PK)",
            )
        except ConditionFailed:
            raise NotFound(f"API key '{key_id}'") from None
