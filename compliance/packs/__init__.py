"""The packs: rules grouped by framework, chosen per tenant (``TenantSettings``)."""

from __future__ import annotations

from compliance.names import PackName
from compliance.packs import gdpr, hipaa, pci, soc2
from compliance.rules import Rule

PACKS: dict[PackName, tuple[Rule, ...]] = {
    "hipaa": hipaa.RULES,
    "pci": pci.RULES,
    "gdpr": gdpr.RULES,
    "soc2": soc2.RULES,
}

RULES: dict[str, Rule] = {rule.id: rule for rules in PACKS.values() for rule in rules}
