"""The industries a tenant is created with, and everything that differs between them.

Each industry touches the store (its preset packs), provisioning (its starting graphs), graph
generation (prompt hints and the template to fall back on) and the builder (its label). One
profile per industry keeps them from drifting apart: adding or changing an industry is an edit
here, plus a graph file in ``templates/`` when it names a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from compliance.names import PackName

Industry = Literal["automotive", "healthcare", "finance", "manufacturing", "general"]


@dataclass(frozen=True, slots=True)
class IndustryProfile:
    id: Industry
    label: str
    """What the builder's industry picker shows (today the id itself, lower case)."""
    packs: tuple[PackName, ...]
    """What a tenant gets until an admin chooses packs."""
    hints: str
    """Told to the model after the industry's name, so its graphs use the trade's vocabulary
    and mark the data classes that trade handles."""
    templates: tuple[str, ...]
    """Graph files in the repository's ``templates/`` folder: the assistant's fallback for this
    industry, and what provisioning gives a new tenant to start from."""


PROFILES: dict[Industry, IndustryProfile] = {
    profile.id: profile
    for profile in (
        IndustryProfile(
            id="automotive",
            label="automotive",
            packs=("pci", "gdpr"),
            hints="Dealerships: leads, test drives, service appointments, F&I. Leads are PII.",
            templates=("automotive-lead-triage.graph.json",),
        ),
        IndustryProfile(
            id="healthcare",
            label="healthcare",
            packs=("hipaa", "soc2"),
            hints="Clinics: patient messages, intake, referrals. Patient data is PHI; keep"
            " humans in the loop for clinical decisions.",
            templates=("healthcare-patient-message-triage.graph.json",),
        ),
        IndustryProfile(
            id="finance",
            label="finance",
            packs=("pci", "soc2", "gdpr"),
            hints="Lenders and banks: applications, KYC, documents. Applicant data is PII, card"
            " numbers are PAN; decisions need a reviewable reason.",
            templates=("finance-loan-application-review.graph.json",),
        ),
        IndustryProfile(
            id="manufacturing",
            label="manufacturing",
            packs=("soc2",),
            hints="Plants: machine incidents, maintenance, quality checks, shift reports.",
            templates=("manufacturing-machine-incident.graph.json",),
        ),
        IndustryProfile(
            id="general",
            label="general",
            packs=(),
            hints="Any business: support, sales, operations.",
            templates=("general-support-reply.graph.json",),
        ),
    )
}

INDUSTRIES: tuple[Industry, ...] = tuple(PROFILES)
"""In the order pickers list them; equal to ``Industry``'s values (a test holds them to it)."""

_TEMPLATE_INDUSTRY: dict[str, Industry] = {
    name: profile.id for profile in PROFILES.values() for name in profile.templates
}


def template_industry(file_name: str) -> Industry | None:
    """Whose template a graph file is, so the assistant can favour it and provisioning copy it."""
    return _TEMPLATE_INDUSTRY.get(file_name)
