"""Values a state machine's step handler offloaded, in the tenant's bucket under its prefix.

The step handler (``runtime.engine.asl.offload``) writes a record's big values here instead of
into the execution's state, whose 256 KiB limit would stop the run. Keys come from
``TenantKeys.state_object``, so a tenant's handler can only name objects under its own
``TENANT#<id>#STATES#`` prefix (what its role may touch), and a reference from elsewhere is
refused before S3 is asked.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from runtime.store.assets import S3Client, _translate
from runtime.store.errors import InvalidInput
from runtime.store.keys import STATE_OBJECTS, TenantKeys


class StateObjects:
    """``runtime.engine.asl.offload.Offload`` on S3, bound to one tenant's prefix."""

    def __init__(self, client: S3Client, bucket: str, tenant_id: str) -> None:
        self._s3 = client
        self._bucket = bucket
        self._keys = TenantKeys(tenant_id)

    def put(self, digest: str, data: bytes) -> str:
        key = self._keys.state_object(digest)
        try:
            self._s3.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType="application/json"
            )
        except (ClientError, BotoCoreError) as exc:
            raise _translate(exc, f"state object {digest}") from None
        return key

    def get(self, reference: str) -> bytes:
        if not reference.startswith(self._keys.prefix + STATE_OBJECTS):
            raise InvalidInput("not one of this tenant's offloaded values")
        try:
            body: bytes = self._s3.get_object(Bucket=self._bucket, Key=reference)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise _translate(exc, f"state object {reference}") from None
        return body
