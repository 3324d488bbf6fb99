"""Users and API keys, stored only as hashes.

Passwords get salted scrypt, API key secrets SHA-256 (they are long and random already);
comparisons are constant-time, and a login for an unknown user costs the same as one for a known
user, so timing tells an attacker nothing about who exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, InvalidInput, NotFound
from runtime.store.keys import API_KEYS, KEY_ID, USERS, normalize_email
from runtime.store.models import ROLES, ApiKey, AuditEvent, AuditOutcome, Permission, Role, User
from runtime.store.password_policy import MAX_PASSWORD, check_new_password
from runtime.store.scoped import Scoped, model_from

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""About 16 MiB and tens of milliseconds per hash; stored with each hash so it can be raised."""
_DUMMY_SALT = secrets.token_bytes(16)
SESSION_FIELDS = ("role", "permissions", "must_change_password", "session_gen")
"""What checking a session reads of a user: no password hash travels on every request."""


def new_generation() -> str:
    """Random, not a counter: a user deleted and made again never repeats an old value."""
    return secrets.token_hex(8)


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


def dummy_password_check(password: str) -> None:
    """The work of a login that finds no account: as long as one that finds it."""
    check_password(password if len(password) <= MAX_PASSWORD else "", None)


def _role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise InvalidInput(f"role {role!r} is not one of {', '.join(ROLES)}")


class IdentityOps(Scoped):
    if TYPE_CHECKING:  # provided by AuditOps in TenantStore

        def record_audit(
            self,
            *,
            actor: str,
            action: str,
            target: str,
            details: dict[str, Any] | None = None,
            outcome: AuditOutcome = "attempted",
        ) -> AuditEvent: ...

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
        check_new_password(password)
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
            "session_gen": new_generation(),
        }
        try:
            self._table.put_new(fields)
        except ConditionFailed:
            raise Conflict(f"user '{user.email}' already exists") from None
        return user

    def session_user(self, email: str) -> tuple[User, str] | None:
        """The user behind a session and its credential generation; None if it is gone.

        One strongly consistent read, so a change made by any process is seen at once.
        """
        try:
            key = self._keys.user(email)
        except InvalidInput:
            return None
        fields = self._table.get(key, attributes=("email", "created_at", *SESSION_FIELDS))
        if fields is None:
            return None
        return model_from(User, fields), str(fields.get("session_gen", ""))

    def end_sessions(self, email: str) -> None:
        """A new credential generation: every token issued before now stops working."""
        try:
            self._table.update(
                self._keys.user(email),
                set_fields={"session_gen": new_generation()},
                condition="attribute_exists(#PK)",
            )
        except ConditionFailed:
            raise NotFound(f"user '{normalize_email(email)}'") from None

    def set_user_role(self, email: str, role: Role) -> User:
        """Change a user's role; their sessions end, so the new role holds from now on."""
        try:
            stored = self._table.update(
                self._keys.user(email),
                set_fields={"role": _role(role), "session_gen": new_generation()},
                condition="attribute_exists(#PK)",
            )
        except ConditionFailed:
            raise NotFound(f"user '{normalize_email(email)}'") from None
        return model_from(User, stored)

    def authenticate(self, email: str, password: str) -> User | None:
        found = self.authenticate_session(email, password)
        return None if found is None else found[0]

    def authenticate_session(self, email: str, password: str) -> tuple[User, str] | None:
        """The user and its credential generation (what a new session token carries)."""
        try:
            key = self._keys.user(email)
        except InvalidInput:
            key = None
        fields = None if key is None else self._table.get(key)
        valid_password = isinstance(password, str) and len(password) <= MAX_PASSWORD
        stored = fields["password"] if fields is not None and valid_password else None
        if not check_password(password if valid_password else "", stored) or fields is None:
            return None
        return model_from(User, fields), str(fields.get("session_gen", ""))

    def change_password(self, email: str, current: str, new: str) -> User:
        """Replace a password the user proves they know; clears ``must_change_password``.

        Conditioned on the stored hash, so two changes racing cannot both win.
        """
        check_new_password(new, "the new password")
        if hmac.compare_digest(current.encode(), new.encode()):
            raise InvalidInput("the new password must differ from the current one")
        key = self._keys.user(email)
        fields = self._table.get(key)
        if fields is None or not check_password(current, fields.get("password")):
            raise NotFound(f"user '{normalize_email(email)}' with that password")
        try:
            stored = self._table.update(
                key,
                set_fields={
                    "password": hash_password(new),
                    "must_change_password": False,
                    "session_gen": new_generation(),
                },
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

    def delete_user(self, email: str, *, actor: str = "operator") -> list[str]:
        """Remove a user: their sessions end and the API keys they created are revoked.

        Keys are revoked rather than kept because a key a departing admin minted is exactly
        the access their removal is meant to end; a key a machine must keep should be created
        by an account that stays. Audited with the ids of the keys revoked; returns those ids.
        Keys created after the removal's sweep cannot exist: a session-made key is checked
        against its creator after it is written (``key_creator_still_valid``).
        """
        target = normalize_email(email)
        attempt = self.record_audit(actor=actor, action="user.removed", target=target)
        try:
            self._table.delete(self._keys.user(email), condition="attribute_exists(#PK)")
        except ConditionFailed:
            self.record_audit(
                actor=actor,
                action="user.removed",
                target=target,
                details={"attempt": attempt.event_id, "error": "no such user"},
                outcome="failed",
            )
            raise NotFound(f"user '{target}'") from None
        revoked = self.revoke_keys_created_by(f"user:{target}")
        self.record_audit(
            actor=actor,
            action="user.removed",
            target=target,
            details={"attempt": attempt.event_id, "revoked_api_keys": revoked},
            outcome="succeeded",
        )
        return revoked

    def revoke_keys_created_by(self, creator: str) -> list[str]:
        """Revoke every active key ``creator`` made; the ids revoked."""
        revoked = []
        for key in self.list_api_keys():
            if key.created_by == creator and not key.revoked:
                self.revoke_api_key(key.key_id)
                revoked.append(key.key_id)
        return revoked

    def create_api_key(
        self, name: str, role: Role = "editor", *, created_by: str = ""
    ) -> tuple[ApiKey, str]:
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
            created_by=created_by,
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
