"""What can go wrong while provisioning; each names the stack or resources it concerns."""

from __future__ import annotations


class ProvisionError(RuntimeError):
    """A provisioning step failed; the message says which and why."""


class SkippedResources(ProvisionError):
    """The endpoint reported the stack complete without creating some of its resources."""

    def __init__(self, stack: str, missing: dict[str, str]) -> None:
        self.stack = stack
        self.missing = missing
        listed = ", ".join(f"{logical} ({kind})" for logical, kind in sorted(missing.items()))
        super().__init__(
            f"stack {stack}: the endpoint did not create {len(missing)} resource(s) of the "
            f"template: {listed}"
        )


class StackNotFound(ProvisionError):
    """No stack of that name (never provisioned, or already torn down)."""
