"""The one place keys are built. Everything a tenant owns lives under ``TENANT#<id>#``.

Partitions of a tenant (``PK``):

- ``TENANT#<t>#``               profile, settings, graph heads, users, API keys, deployments
- ``TENANT#<t>#GRAPH#<gid>``    the immutable versions of one graph (``SK=V#00000001``)
- ``TENANT#<t>#RUNS``           runs (``SK=RUN#<time-ordered id>``), also found by graph and
                                status through the indexes ``table.RUN_INDEXES``
- ``TENANT#<t>#AUDIT``          audit events (``SK=EV#<12-digit sequence>``), hash-chained,
                                the chain's head and sealing lease (``SK=HEAD``), and how far
                                it was last verified (``SK=VERIFIED``)
- ``TENANT#<t>#AUDITQ``         audit events waiting to be chained (``SK=Q#<event id>``)
- ``TENANT#<t>#USAGE``          usage records (``SK=U#<UTC time>#<id>``) and monthly AI spend
                                (``SK=SPEND#<YYYY-MM>``)
- ``TENANT#<t>#CHATS``          AI chat conversations (``SK=CHAT#<owner>#<id>``)
- ``TENANT#<t>#FIRES``          schedule slots claimed, fired or missed
                                (``SK=FIRE#<slug>#<UTC slot>``, ``runtime.store.fires``)
- ``TENANT#<t>#RUN#<id>``       a durable run's state (``SK=STATE``: trigger event, owner and
                                lease) and checkpoints (``SK=STEP#<node>#<iteration>``)
- ``TENANT#<t>#WAITS``          nodes waiting for a person, a callback or a timer
                                (``SK=WAIT#<run>#<node>#<iteration>``)

One item lives outside a tenant's prefix: ``PK=DURABLE, SK=TENANT#<t>#`` says that the tenant
has had durable runs, so the sweeper (``runtime.service.durable.sweeper``) knows whose runs
and waits to look at without scanning the table. It holds nothing else.

The brand is one item in the root partition (``SK=BRAND``); its asset files live in S3 under
``TENANT#<t>#ASSET#<content-hashed name>`` (``asset_object``), the same prefix as the items.

Tenant ids cannot contain ``#``, so the trailing ``#`` of the prefix is what keeps ``acme``'s
keys from ever starting with ``acme-co``'s prefix and the other way round.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from runtime.core.graph import ID_PATTERN
from runtime.store.errors import InvalidInput

TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
GRAPH_ID = re.compile(ID_PATTERN)
RECORD_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
KEY_ID = re.compile(r"^[0-9a-f]{12}$")
EMAIL = re.compile(r"^[^@\s#]{1,64}@[^@\s#.]+(\.[^@\s#.]+)+$")
RULE_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,63}$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
ASSET_NAME = re.compile(r"^(logo|favicon)-[0-9a-f]{16}\.(png|jpg|webp|svg|ico)$")
"""A brand asset's content-hashed file name (``runtime.tenant.assets.Asset.file_name``)."""
SLOT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
"""A schedule slot in UTC to the second (``2026-12-07T16:05:00Z``): sorts as it happens."""
OWNER = re.compile(r"^(user:[^@\s#]{1,64}@[^@\s#]{1,190}|key:[0-9a-f]{12})$")
"""A principal's actor (``user:<email>`` or ``key:<key id>``): who a conversation belongs to."""

MAX_VERSION = 99_999_999
"""``V#%08d`` sorts correctly only up to here."""

PROFILE = "PROFILE"
SETTINGS = "SETTINGS"
GRAPHS = "GRAPH#"
VERSIONS = "V#"
USERS = "USER#"
API_KEYS = "APIKEY#"
DEPLOYMENTS = "DEPLOY#"
RUNS = "RUN#"
RUN_GRAPH = "RUN_GRAPH"
RUN_STATUS = "RUN_STATUS"
RUN_GRAPH_STATUS = "RUN_GRAPH_STATUS"
"""A run's index keys (``table.RUN_INDEXES``): ``<runs partition>#G#<graph>``, ``...#S#<status>``
and ``...#G#<graph>#S#<status>``."""
EVENTS = "EV#"
AUDIT_HEAD = "HEAD"
AUDIT_VERIFIED = "VERIFIED"
QUEUED = "Q#"
WAIVERS = "WAIVER#"
APPROVALS = "APPROVAL#"
MAX_SEQ = 999_999_999_999
USAGE = "U#"
SPEND = "SPEND#"
CHATS = "CHAT#"
BRAND = "BRAND"
ASSETS = "ASSET#"
RUN_STATE = "STATE"
STEPS = "STEP#"
WAITS = "WAIT#"
DURABLE = "DURABLE"
FIRES = "FIRE#"
STATE_OBJECTS = "STATES#"
DIGEST = re.compile(r"^[0-9a-f]{64}$")


def run_index_values(runs_pk: str, graph_id: str, status: str) -> dict[str, str]:
    """A run's index keys: under its tenant's runs partition, so tenants never share one."""
    graph = f"{runs_pk}#G#{graph_id}"
    return {
        RUN_GRAPH: graph,
        RUN_STATUS: f"{runs_pk}#S#{status}",
        RUN_GRAPH_STATUS: f"{graph}#S#{status}",
    }


class Key(NamedTuple):
    pk: str
    sk: str


def checked(pattern: re.Pattern[str], value: object, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidInput(f"{what} {value!r} is not valid (expected {pattern.pattern})")
    return value


def normalize_email(email: str) -> str:
    """Emails are matched case-insensitively, so the key uses the lower-case form."""
    value = email.strip().lower() if isinstance(email, str) else email
    if not isinstance(value, str) or len(value) > 254 or not EMAIL.fullmatch(value):
        raise InvalidInput(f"email {email!r} is not valid")
    return value


def position_key(node: str, iteration: tuple[int, ...]) -> str:
    """``<node>#<i.j.k>``: node ids hold no ``#`` or ``.``, so it reads back unambiguously."""
    checked(GRAPH_ID, node, "node id")
    return f"{node}#{'.'.join(str(int(i)) for i in iteration)}"


def tenant_prefix(tenant_id: str) -> str:
    return f"TENANT#{checked(TENANT_ID, tenant_id, 'tenant id')}#"


class TenantKeys:
    """Keys of one tenant; there is deliberately no way to build another tenant's key from here."""

    def __init__(self, tenant_id: str) -> None:
        self.prefix = tenant_prefix(tenant_id)
        self.tenant_id = tenant_id
        self.root = self.prefix
        self.runs = f"{self.prefix}RUNS"
        self.audit = f"{self.prefix}AUDIT"
        self.audit_queue = f"{self.prefix}AUDITQ"
        self.usage = f"{self.prefix}USAGE"
        self.chats = f"{self.prefix}CHATS"
        self.waits = f"{self.prefix}WAITS"
        self.fires = f"{self.prefix}FIRES"

    def owns(self, pk: object) -> bool:
        return isinstance(pk, str) and pk.startswith(self.prefix)

    def profile(self) -> Key:
        return Key(self.root, PROFILE)

    def settings(self) -> Key:
        return Key(self.root, SETTINGS)

    def brand(self) -> Key:
        return Key(self.root, BRAND)

    def asset_object(self, file_name: str) -> str:
        """The S3 object key of one of this tenant's brand asset files."""
        return f"{self.prefix}{ASSETS}{checked(ASSET_NAME, file_name, 'asset file name')}"

    def state_object(self, digest: str) -> str:
        """The S3 object key of a value a state machine's step handler offloaded (its sha256)."""
        return f"{self.prefix}{STATE_OBJECTS}{checked(DIGEST, digest, 'content digest')}"

    def graph_head(self, graph_id: str) -> Key:
        return Key(self.root, GRAPHS + checked(GRAPH_ID, graph_id, "graph id"))

    def graph_versions(self, graph_id: str) -> str:
        return f"{self.prefix}{GRAPHS}{checked(GRAPH_ID, graph_id, 'graph id')}"

    def graph_version(self, graph_id: str, version: int) -> Key:
        if not 1 <= version <= MAX_VERSION:
            raise InvalidInput(f"version {version} is out of range")
        return Key(self.graph_versions(graph_id), f"{VERSIONS}{version:08d}")

    def user(self, email: str) -> Key:
        return Key(self.root, USERS + normalize_email(email))

    def api_key(self, key_id: str) -> Key:
        return Key(self.root, API_KEYS + checked(KEY_ID, key_id, "API key id"))

    def deployment(self, slug: str) -> Key:
        return Key(self.root, DEPLOYMENTS + checked(SLUG, slug, "slug"))

    def run(self, run_id: str) -> Key:
        return Key(self.runs, RUNS + checked(RECORD_ID, run_id, "run id"))

    def durable_run(self, run_id: str) -> str:
        """The partition of one durable run's state and checkpoints."""
        return f"{self.prefix}{RUNS}{checked(RECORD_ID, run_id, 'run id')}"

    def run_state(self, run_id: str) -> Key:
        return Key(self.durable_run(run_id), RUN_STATE)

    def checkpoint(self, run_id: str, node: str, iteration: tuple[int, ...]) -> Key:
        return Key(self.durable_run(run_id), STEPS + position_key(node, iteration))

    def wait(self, run_id: str, node: str, iteration: tuple[int, ...]) -> Key:
        run = checked(RECORD_ID, run_id, "run id")
        return Key(self.waits, f"{WAITS}{run}#{position_key(node, iteration)}")

    def durable_marker(self) -> Key:
        """The tenant's line in the list of tenants with durable runs (see the module doc)."""
        return Key(DURABLE, self.prefix)

    def audit_event(self, seq: int) -> Key:
        """Events are keyed by their place in the chain, so two writers cannot both take one."""
        if not 1 <= seq <= MAX_SEQ:
            raise InvalidInput(f"audit sequence {seq} is out of range")
        return Key(self.audit, f"{EVENTS}{seq:012d}")

    def audit_head(self) -> Key:
        """Sequence and hash of the newest event: where the next append starts."""
        return Key(self.audit, AUDIT_HEAD)

    def audit_verified(self) -> Key:
        """Sequence and hash of the newest event a chain check found intact.

        The next incremental check starts after it instead of reading the whole trail again.
        """
        return Key(self.audit, AUDIT_VERIFIED)

    def audit_queued(self, event_id: str) -> Key:
        """An event waiting to be chained, under its own id (see ``runtime.store.audit``)."""
        return Key(self.audit_queue, QUEUED + checked(RECORD_ID, event_id, "event id"))

    def approval(self, graph_id: str, version: int) -> Key:
        """One graph version's deploy approval (in the root partition)."""
        if not 1 <= version <= MAX_VERSION:
            raise InvalidInput(f"version {version} is out of range")
        graph = checked(GRAPH_ID, graph_id, "graph id")
        return Key(self.root, f"{APPROVALS}{graph}#{version:08d}")

    def waivers(self, graph_id: str) -> str:
        """The ``SK`` prefix of one graph's compliance waivers (in the root partition)."""
        return f"{WAIVERS}{checked(GRAPH_ID, graph_id, 'graph id')}#"

    def waiver(self, graph_id: str, rule_id: str) -> Key:
        return Key(self.root, self.waivers(graph_id) + checked(RULE_ID, rule_id, "rule id"))

    def usage_record(self, utc_at: str, record_id: str) -> Key:
        return Key(self.usage, f"{USAGE}{utc_at}#{checked(RECORD_ID, record_id, 'usage id')}")

    def usage_month(self, month: str) -> str:
        """The ``SK`` prefix of one calendar month (UTC) of usage."""
        return USAGE + checked(MONTH, month, "month")

    def spend(self, month: str) -> Key:
        """The running total of one UTC month's AI spend (what budgets are checked against)."""
        return Key(self.usage, SPEND + checked(MONTH, month, "month"))

    def conversations_of(self, owner: str) -> str:
        """The ``SK`` prefix of one principal's conversations."""
        return f"{CHATS}{checked(OWNER, owner, 'owner')}#"

    def conversation(self, owner: str, conversation_id: str) -> Key:
        checked(RECORD_ID, conversation_id, "conversation id")
        return Key(self.chats, self.conversations_of(owner) + conversation_id)

    def fires_of(self, slug: str) -> str:
        """The ``SK`` prefix of one deployment's schedule slots (newest last)."""
        return f"{FIRES}{checked(SLUG, slug, 'slug')}#"

    def fire(self, slug: str, slot: str) -> Key:
        """One slot of a deployment's schedule: claimed by exactly one scheduler."""
        return Key(self.fires, self.fires_of(slug) + checked(SLOT, slot, "slot"))

    def fixed_partitions(self) -> list[str]:
        """Every partition except the per-graph version partitions (found via the heads)."""
        return [
            self.root,
            self.runs,
            self.audit,
            self.audit_queue,
            self.usage,
            self.chats,
            self.fires,
            self.waits,
        ]
