"""A deployment's state machine: created or updated, each change a published version.

Executions start on the alias ``live`` (``<machine ARN>:live``), which a deploy repoints to the
version it published; a running execution keeps the version it started on, and that version's
definition names the step handler's published Lambda version (not ``$LATEST``), so it also keeps
its code: a deploy while runs are in flight changes only the runs that start after it. Each
version's description names the graph's hash, the bundle's and the workflow type, so deploying
a version that was live before (a rollback) repoints the alias to its published version instead
of publishing a copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import count
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

LIVE = "live"
MAX_MACHINE_NAME = 80


def machine_name(tenant_id: str, slug: str) -> str:
    """``auterity-<tenant>_graph-<slug>``: the ``_`` keeps ``acme``'s pattern off ``acme-co``'s."""
    name = f"auterity-{tenant_id}_graph-{slug}"
    if len(name) <= MAX_MACHINE_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: MAX_MACHINE_NAME - 11]}-{digest}"


@dataclass(frozen=True)
class Published:
    machine_arn: str
    version_arn: str
    alias_arn: str
    reused: bool
    """The version was published before (a rollback): the alias only moved."""


def _missing(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    return code in ("StateMachineDoesNotExist", "ResourceNotFound", "ResourceNotFoundException")


class Machines:
    """Step Functions calls for one region (the client is injected)."""

    def __init__(self, sfn: Any) -> None:
        self._sfn = sfn

    def find(self, name: str) -> dict[str, Any] | None:
        for page in self._sfn.get_paginator("list_state_machines").paginate():
            for machine in page.get("stateMachines", []):
                if machine["name"] == name:
                    found: dict[str, Any] = machine
                    return found
        return None

    def version_described(self, machine_arn: str, description: str) -> str | None:
        """The newest published version with this description, if there is one.

        Versions are numbered from 1 and never deleted one by one here, so they are read by
        number (the same calls on every endpoint, the local one included).
        """
        found: str | None = None
        for number in count(1):
            arn = f"{machine_arn}:{number}"
            try:
                described = self._sfn.describe_state_machine(stateMachineArn=arn)
            except ClientError as exc:
                if _missing(exc):
                    return found
                raise
            if described.get("description") == description:
                found = arn
        return found  # pragma: no cover  (count() never ends)

    def reuse(self, name: str, description: str) -> Published | None:
        """Repoint ``live`` to an earlier version published with ``description``, if any."""
        machine = self.find(name)
        if machine is None:
            return None
        version = self.version_described(machine["stateMachineArn"], description)
        if version is None:
            return None
        alias = self._point_live(machine["stateMachineArn"], version)
        return Published(machine["stateMachineArn"], version, alias, reused=True)

    def publish(
        self, name: str, definition: str, role_arn: str, workflow_type: str, description: str
    ) -> Published:
        """Create or update the machine, publish the change as a version, point ``live`` at it.

        A machine's type cannot change in place: Express <-> Standard replaces the machine (its
        running executions go on; a new one starts on the new machine).
        """
        machine = self.find(name)
        if machine is not None and machine.get("type") != workflow_type:
            self.delete(machine["stateMachineArn"])
            machine = None
        if machine is None:
            created = self._sfn.create_state_machine(
                name=name,
                definition=definition,
                roleArn=role_arn,
                type=workflow_type,
                publish=True,
                versionDescription=description,
            )
            arn: str = created["stateMachineArn"]
            version: str = created["stateMachineVersionArn"]
        else:
            arn = machine["stateMachineArn"]
            updated = self._sfn.update_state_machine(
                stateMachineArn=arn,
                definition=definition,
                roleArn=role_arn,
                publish=True,
                versionDescription=description,
            )
            version = updated["stateMachineVersionArn"]
        return Published(arn, version, self._point_live(arn, version), reused=False)

    def _point_live(self, machine_arn: str, version_arn: str) -> str:
        routing = [{"stateMachineVersionArn": version_arn, "weight": 100}]
        alias = f"{machine_arn}:{LIVE}"
        try:
            self._sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
        except ClientError as exc:
            if not _missing(exc):
                raise
            created: str = self._sfn.create_state_machine_alias(
                name=LIVE, routingConfiguration=routing
            )["stateMachineAliasArn"]
            return created
        self._sfn.update_state_machine_alias(
            stateMachineAliasArn=alias, routingConfiguration=routing
        )
        return alias

    def live_version(self, machine_arn: str) -> str:
        alias = self._sfn.describe_state_machine_alias(stateMachineAliasArn=f"{machine_arn}:{LIVE}")
        version: str = alias["routingConfiguration"][0]["stateMachineVersionArn"]
        return version

    def delete(self, machine_arn: str) -> None:
        """The machine with its versions and alias.

        AWS finishes deleting it once its running executions end; until then a machine of the
        same name (a type change) may be refused, and the deploy must be retried.
        """
        try:
            self._sfn.delete_state_machine_alias(stateMachineAliasArn=f"{machine_arn}:{LIVE}")
        except ClientError as exc:
            if not _missing(exc):
                raise
        self._sfn.delete_state_machine(stateMachineArn=machine_arn)
