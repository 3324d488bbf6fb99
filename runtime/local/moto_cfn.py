"""What the local endpoint's CloudFormation lacks for a tenant stack, added to moto by ``register``.

- ``AWS::S3::BucketPolicy`` (the brand bucket's deny-plain-HTTP policy): moto has no model and
  would skip it with a warning. Rather than hide it from the local template, this model
  applies it with moto's own S3 backend, so ``get_bucket_policy`` answers locally as on AWS.
- ``AWS::KMS::Key``: moto passes CloudFormation's ``Key``/``Value`` tags to the KMS API's
  tagger, which expects ``TagKey``/``TagValue`` (the key is then never created), and keeps the
  ``KeyPolicy`` object where its KMS API expects JSON text (``describe_key`` then fails). Both
  are translated first.
- ``AWS::ApiGateway::RestApi``: moto leaves the API behind when its stack is deleted; it is
  deleted with the stack here (its resources, methods and deployments go with it).
- Updates in place: moto has no update for log groups, DynamoDB tables, KMS keys and REST
  APIs, so any change to one (a new retention, or just new tags after a rebrand) left the old
  resource as it was and dropped it from the stack's resources. The changes a tenant stack
  makes to them (retention, tags, description, rotation, name) are applied here; a change
  that would need a replacement on AWS is not one these stacks make.
- Bucket policies: moto evaluates them without their conditions, so the brand bucket's
  ``Deny`` of requests where ``aws:SecureTransport`` is false would deny every request. A
  request to the local endpoint stands for an HTTPS request to AWS (every client of the
  product uses HTTPS there), so that one statement is not applied; every other is, as moto
  applies it.

``register`` runs in the process that serves requests: the local endpoint's server
(``runtime.local.moto_server``) and tests that use ``mock_aws`` in-process.
"""

from __future__ import annotations

import json
from typing import Any

from moto.apigateway.models import RestAPI, apigateway_backends
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.dynamodb.models.table import Table
from moto.kms.models import Key, kms_backends
from moto.logs.models import LogGroup, logs_backends
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition


class BucketPolicy(CloudFormationModel):
    """``AWS::S3::BucketPolicy``: the bucket's policy document, set and removed with it."""

    def __init__(self, bucket: str, account_id: str, region_name: str) -> None:
        self.bucket = bucket
        self.account_id = account_id
        self.region_name = region_name

    @property
    def physical_resource_id(self) -> str:
        return self.bucket

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> BucketPolicy:
        properties = cloudformation_json["Properties"]
        bucket = str(properties["Bucket"])
        document = properties["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        _backend(account_id, region_name).put_bucket_policy(bucket, text.encode())
        return cls(bucket, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: BucketPolicy,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> BucketPolicy:
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        bucket = str(cloudformation_json.get("Properties", {}).get("Bucket", resource_name))
        cls(bucket, account_id, region_name).delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.bucket in backend.buckets:  # the bucket may be gone first: nothing to remove
            backend.delete_bucket_policy(self.bucket)

    def is_created(self) -> bool:
        return True


def _backend(account_id: str, region_name: str) -> Any:
    return s3_backends[account_id][get_partition(region_name)]


ADDED = (BucketPolicy,)


_key_from_cloudformation = Key.create_from_cloudformation_json


def _kms_key_from_cloudformation(
    cls: type[Key],
    resource_name: str,
    cloudformation_json: dict[str, Any],
    *args: Any,
    **kwargs: Any,
) -> Key:
    properties = dict(cloudformation_json.get("Properties", {}))
    properties["Tags"] = [
        {"TagKey": t.get("Key", t.get("TagKey")), "TagValue": t.get("Value", t.get("TagValue"))}
        for t in properties.get("Tags") or []
    ]
    if not isinstance(properties.get("KeyPolicy", ""), str):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    cloudformation_json = {**cloudformation_json, "Properties": properties}
    return _key_from_cloudformation(resource_name, cloudformation_json, *args, **kwargs)


_bucket_permission = FakeBucket.get_permission


def _plain_http_denial(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition") or {}
    return (
        statement.get("Effect") == "Deny"
        and list(condition) == ["Bool"]
        and {str(k): str(v).lower() for k, v in condition["Bool"].items()}
        == {"aws:SecureTransport": "false"}
    )


def _bucket_permission_over_https(self: FakeBucket, action: str, resource: str) -> Any:
    if self.policy is None:
        return _bucket_permission(self, action, resource)
    document = json.loads(self.policy)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = [s for s in statements if not _plain_http_denial(s)]
    if len(kept) == len(statements):
        return _bucket_permission(self, action, resource)
    from moto.iam.access_control import IAMPolicy, PermissionResult  # only past the fast path

    if not kept:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**document, "Statement": kept})).is_action_permitted(
        action, resource
    )


def _delete_rest_api(
    cls: type[RestAPI],
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> None:
    backend = apigateway_backends[account_id][region_name]
    if resource_name in backend.apis:
        backend.delete_rest_api(resource_name)


def _update_log_group(
    cls: type[LogGroup],
    original_resource: LogGroup,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> LogGroup:
    backend = logs_backends[account_id][region_name]
    properties = cloudformation_json.get("Properties", {})
    name = properties.get("LogGroupName", original_resource.name)
    if name != original_resource.name:
        created: LogGroup = cls.create_from_cloudformation_json(
            name, cloudformation_json, account_id, region_name
        )
        backend.delete_log_group(original_resource.name)
        return created
    days = properties.get("RetentionInDays")
    if days is None:
        backend.delete_retention_policy(name)
    else:
        backend.put_retention_policy(name, int(days))  # type: ignore[arg-type]  # moto keeps the int
    return original_resource


def _update_table(
    cls: type[Table],
    original_resource: Table,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> Table:
    original_resource.tags = list(cloudformation_json.get("Properties", {}).get("Tags", []))
    return original_resource


def _update_key(
    cls: type[Key],
    original_resource: Key,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> Key:
    properties = cloudformation_json.get("Properties", {})
    tagger = kms_backends[account_id][region_name].tagger
    tagger.delete_all_tags_for_resource(original_resource.id)
    tags = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]
    if tags:
        tagger.tag_resource(original_resource.id, tags)
    original_resource.description = properties.get("Description", "")
    original_resource.key_rotation_status = properties.get("EnableKeyRotation", False)
    original_resource.enabled = properties.get("Enabled", True)
    return original_resource


def _update_rest_api(
    cls: type[RestAPI],
    original_resource: RestAPI,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> RestAPI:
    properties = cloudformation_json.get("Properties", {})
    original_resource.name = properties.get("Name", original_resource.name)
    original_resource.description = properties.get("Description", "")
    original_resource.tags = {t["Key"]: t["Value"] for t in properties.get("Tags", [])}
    return original_resource


def register() -> None:
    """Make moto's CloudFormation see the models above (its type lookup is cached).

    Idempotent: the KMS fix wraps moto's own method once.
    """
    LogGroup.update_from_cloudformation_json = classmethod(_update_log_group)  # type: ignore[method-assign,assignment]
    Table.update_from_cloudformation_json = classmethod(_update_table)  # type: ignore[method-assign,assignment]
    Key.update_from_cloudformation_json = classmethod(_update_key)  # type: ignore[method-assign,assignment]
    RestAPI.update_from_cloudformation_json = classmethod(_update_rest_api)  # type: ignore[method-assign,assignment]
    RestAPI.delete_from_cloudformation_json = classmethod(_delete_rest_api)  # type: ignore[method-assign,assignment]
    FakeBucket.get_permission = _bucket_permission_over_https  # type: ignore[method-assign]
    Key.create_from_cloudformation_json = classmethod(_kms_key_from_cloudformation)  # type: ignore[method-assign,assignment]
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
