"""What a graph is checked against, as one value the service can send and the builder keep.

The service answers ``GET /api/v1/compliance/stance`` with it; the builder then runs the same
``compliance.check.check_graph`` after every edit, so the canvas follows the packs as it
follows the validator, while the service's own check stays the authority at deploy.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from compliance.names import PackName
from compliance.rules import Context


class Stance(BaseModel):
    """The tenant's packs in force, what it has signed, and the graph's waivers (if any)."""

    model_config = ConfigDict(frozen=True)

    packs: list[PackName] = Field(default_factory=list)
    context: Context = Field(default_factory=Context)
    waivers: dict[str, str] = Field(default_factory=dict)
    """Rule id to the admin's reason, for the graph asked about (none without one)."""
