"""What the store refuses, in terms the API can map to a status code without parsing messages."""

from __future__ import annotations

from runtime.core.errors import AuterityError


class StoreError(AuterityError):
    """Base for every failure the store raises on purpose."""


class NotFound(StoreError):
    """``what`` names the missing thing the way a user would ("graph 'orders'")."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")
        self.what = what


class Conflict(StoreError):
    """A conditional write lost: the caller's view is stale, nothing was overwritten.

    ``current_version`` is what the caller should rebase on, where the thing has one.
    """

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class Forbidden(StoreError):
    """Not for this principal, whatever it sends (four eyes: nobody approves their own change)."""


class Throttled(StoreError):
    """DynamoDB kept refusing after the client's own retries; the caller should retry later."""


class InvalidInput(StoreError):
    """An argument can never be valid (bad id, bad email, short password), whatever is stored."""
