"""Encrypt fields with the tenant's KMS key before they are stored or leave the company.

Powertools' data masking with the AWS Encryption SDK does the cryptography (envelope
encryption, a data key per message, KMS for the key): nothing hand-rolled. Each ciphertext is
bound to an encryption context naming the tenant and the graph, so a value copied into another
tenant's run (or decrypted by another graph) fails instead of revealing anything; KMS records
the context in CloudTrail with every use of the key.

Downstream, the encrypted fields no longer carry their data classes (a ciphertext is not PHI to
whoever holds it without the key), so the packs accept this node where they accept redaction.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from nodes.dataflow import Labels, drop, without
from nodes.paths import MISSING, FieldPath, lookup, set_path
from runtime.core.errors import NodeRunError
from runtime.core.types import ANY, DataClass, Port

KEY_ARN = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]{1,256}$"


class EncryptConfig(NodeConfig):
    key_arn: str = Field(
        pattern=KEY_ARN, description="The tenant's KMS key (or alias) ARN that wraps data keys."
    )
    fields: list[FieldPath] = Field(
        min_length=1,
        max_length=200,
        description="Dotted paths whose values are replaced by their ciphertext (base64 text).",
    )
    classes: list[DataClass] = Field(
        default_factory=list,
        description="Data classes the output no longer carries (e.g. PHI), once encrypted.",
    )


def encryption_context(ctx: NodeContext) -> dict[str, str]:
    """What every ciphertext is bound to: its tenant and its graph."""
    return {"tenant": ctx.options.tenant_id, "graph": ctx.graph_id}


def _masker(key_arn: str) -> Any:
    # Imported here: the Encryption SDK loads `cryptography`; only graphs using this node pay.
    from aws_lambda_powertools.utilities.data_masking import DataMasking
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        AWSEncryptionSDKProvider,
    )

    return DataMasking(provider=AWSEncryptionSDKProvider(keys=[key_arn]))


class Encrypt(NodeType[EncryptConfig]):
    type = "compliance.encrypt"
    title = "Encrypt fields"
    category = "compliance"
    description = "Encrypt fields with the tenant's KMS key (Powertools data masking)."
    icon = "lock"
    Config = EncryptConfig
    capabilities = frozenset({"redact"})
    inputs = (Port(name="in", type=ANY),)
    outputs = (Port(name="out", type=ANY),)
    example = {
        "key_arn": "arn:aws:kms:us-east-1:123456789012:alias/acme-data",
        "fields": ["patient"],
        "classes": ["PHI"],
    }
    example_input = {"in": {"patient": {"name": "Ada Lovelace"}, "visit": "refill"}}

    @classmethod
    def labels_out(cls, config: EncryptConfig, labels: Labels) -> Labels:
        return without(drop(labels, config.fields), config.classes)

    async def run(self, config: EncryptConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        value = copy.deepcopy(inputs.get("in"))
        if not isinstance(value, dict):
            raise NodeRunError("the input must be an object holding the fields to encrypt")
        context = encryption_context(ctx)
        found = [(path, lookup(value, path)) for path in config.fields]
        present = [(path, field) for path, field in found if field is not MISSING]
        if not present:
            return {"out": value}

        def encrypt_all() -> list[str]:
            masker = _masker(config.key_arn)
            return [str(masker.encrypt(field, **context)) for _, field in present]

        try:
            ciphertexts = await asyncio.to_thread(encrypt_all)
        except Exception as exc:  # KMS refusals, missing key, no credentials: the node fails
            raise NodeRunError(f"cannot encrypt with {config.key_arn}: {exc}"[:300]) from None
        for (path, _), ciphertext in zip(present, ciphertexts, strict=True):
            set_path(value, path, ciphertext)
        return {"out": value}


def decrypt(key_arn: str, ciphertext: str, context: dict[str, str]) -> Any:
    """For the tenant's own systems (and tests): the value back, if the context matches."""
    return _masker(key_arn).decrypt(ciphertext, **context)
