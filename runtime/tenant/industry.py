"""The industries a tenant is created with, and what each one gets by default.

One definition for the store (a tenant's industry), provisioning, the CDK app and graph
generation (which tailors prompts and templates to it).
"""

from __future__ import annotations

from typing import Literal

from compliance.names import PackName

Industry = Literal["automotive", "healthcare", "finance", "manufacturing", "general"]

INDUSTRIES: tuple[Industry, ...] = (
    "automotive",
    "healthcare",
    "finance",
    "manufacturing",
    "general",
)

INDUSTRY_PACKS: dict[Industry, tuple[PackName, ...]] = {
    "healthcare": ("hipaa", "soc2"),
    "finance": ("pci", "soc2", "gdpr"),
    "automotive": ("pci", "gdpr"),
    "manufacturing": ("soc2",),
    "general": (),
}
"""What a tenant of each industry gets until an admin chooses packs."""
